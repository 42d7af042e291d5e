//! Summary listings: sections that repeat sentences said elsewhere in the article.
//!
//! API documentation generators put a summary above the details: a grid of members,
//! each with the first sentence of its description ("Method Summary", "Public Member
//! Functions"), the same sentences the detailed sections then say again with their
//! context. The summary is a listing, not an answer: it outranks the detail on any
//! query whose words are spread over several members. The signal is read from the
//! text, not from any generator's markup: a section is a **summary listing** when
//!
//! * at least [`MIN_REPEATS`] of its distinct sentences (of [`MIN_WORDS`] words or
//!   more, ending in `.`, `!` or `?`) are each the opening sentence of another
//!   section of the article, of at least [`MIN_REPEATS`] other sections in all;
//! * and these are at least [`MIN_SHARE`] of its sentences.
//!
//! A summary gathers openings; a detailed section shares its opening with the
//! summary and, with its siblings, sentences further in ("null will be converted to
//! null."), which open nothing: it stays.
//!
//! A summary of one or two members is too short for that count, and a generator
//! may render a sentence twice with another link text; [`member_summaries`] reads
//! the rows instead: a name line naming the member another section is headed by,
//! then that section's opening sentence, alike in [`MIN_SIMILAR`] of its words.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet, VecDeque};

use super::{CODE_MARK, PROSE_MARK};

/// A summary repeats at least this many sentences, from at least this many sections.
pub const MIN_REPEATS: usize = 3;
/// Share of a section's sentences that must be repeats for it to be a summary.
pub const MIN_SHARE: f64 = 0.7;
/// Sentences shorter than this (in words) are not compared ("Returns." "See above.").
pub const MIN_WORDS: usize = 4;

/// For each section text (cleaned, with its line marks), whether it is a summary
/// listing of the others.
pub fn summaries(texts: &[&str]) -> Vec<bool> {
    let keys: Vec<Vec<u64>> = texts.iter().map(|t| sentence_keys(t)).collect();
    // Opening sentence → the sections it opens.
    let mut opens: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, section) in keys.iter().enumerate() {
        if let Some(&first) = section.first() {
            opens.entry(first).or_default().push(i);
        }
    }
    keys.iter()
        .enumerate()
        .map(|(i, section)| {
            let mut distinct = section.clone();
            distinct.sort_unstable();
            distinct.dedup();
            let mut sources = HashSet::new();
            let mut repeats = 0usize;
            for key in &distinct {
                let others: Vec<usize> = opens.get(key).map_or(Vec::new(), |o| {
                    o.iter().copied().filter(|&j| j != i).collect()
                });
                repeats += usize::from(!others.is_empty());
                sources.extend(others);
            }
            repeats >= MIN_REPEATS
                && repeats as f64 >= MIN_SHARE * distinct.len() as f64
                && sources.len() >= MIN_REPEATS
        })
        .collect()
}

/// Token-set similarity (Jaccard) at which two sentences are one sentence rendered
/// twice: a summary row and the detail it opens may differ by a link's text
/// ("the Mock instance" / "the Mocha::Mock instance") or a word of markup.
pub const MIN_SIMILAR: f64 = 0.8;

/// A member summary's sentences may be shorter than [`MIN_WORDS`] ("Constructor
/// for EqualsBuilder."): a row pairs each with a name line, evidence enough. One
/// word ("Deprecated.") is a note, not a sentence.
pub const MIN_ROW_SENTENCE_WORDS: usize = 2;

/// Lines before a row's sentence that may name its member.
const NAME_LINES: usize = 3;

/// For each section text (cleaned, with its line marks) and the name of the member
/// it documents (see [`member_name`]), whether it is a **member summary** of the
/// article: a run of rows, each a name line (a signature: no stated sentence)
/// naming another section's member, then that section's opening sentence (as
/// rendered, [`MIN_SIMILAR`]), with the sentences of its rows that the named
/// sections also say making at least [`MIN_SHARE`] of its stated sentences.
///
/// One row is enough: a class with one constructor has a summary of one row, the
/// sentence its detail opens with. A short section whose sentence a later section
/// repeats is no row unless a name line of that section's member stands before it;
/// sections of one name (overloads, repeating each other's notes) do not summarise
/// each other.
pub fn member_summaries(texts: &[&str], headings: &[Option<&str>]) -> Vec<bool> {
    let names: Vec<Option<u64>> = headings.iter().map(|h| h.and_then(member_name)).collect();
    // Member name → the sections documenting it.
    let mut named: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(name) = name {
            named.entry(*name).or_default().push(i);
        }
    }
    // A summary and its details have different names.
    if named.len() < 2 {
        return vec![false; texts.len()];
    }
    // The member names, sorted: a line's words are kept only when they name one.
    let mut name_keys: Vec<u64> = named.keys().copied().collect();
    name_keys.sort_unstable();
    // Each section's opening sentence (its first stated one) as a word set, and
    // a prefix filter over them: a sentence alike in [`MIN_SIMILAR`] of its words
    // to an opening of `m` distinct words shares at least ⌊0.8·m⌋ of them, so at
    // least one of any `m − ⌊0.8·m⌋ + 1` of them (here its smallest keys). A line
    // whose sentence holds none of those opens no member; most lines of most
    // pages are that.
    let openings: Vec<Option<Vec<u64>>> = texts
        .iter()
        .zip(&names)
        .map(|(text, name)| name.and_then(|_| first_stated(text)).map(word_set))
        .collect();
    let mut prefix: rustc_hash::FxHashSet<u64> = Default::default();
    for opening in openings.iter().flatten() {
        let m = opening.len();
        prefix.extend(&opening[..(m - m * 4 / 5 + 1).min(m)]);
    }
    if prefix.is_empty() {
        return vec![false; texts.len()];
    }
    // Each section's sentences, as word sets, read when first needed.
    let sentences: Vec<OnceCell<Vec<Vec<u64>>>> = texts.iter().map(|_| OnceCell::new()).collect();
    let said = |j: usize| -> &Vec<Vec<u64>> {
        sentences[j].get_or_init(|| {
            texts[j]
                .lines()
                .filter(|line| !line.starts_with(CODE_MARK))
                .flat_map(|line| {
                    let line = line.strip_prefix(PROSE_MARK).unwrap_or(line);
                    stated_in(line, MIN_ROW_SENTENCE_WORDS)
                })
                .map(word_set)
                .collect()
        })
    };
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut targets: Vec<usize> = Vec::new();
            // The lines before this one (the row's name lines: a signature, a
            // note such as "Deprecated."), since the last row, each with the
            // member names it holds once they are needed.
            let mut before: VecDeque<(&str, Option<Vec<u64>>)> = VecDeque::new();
            let mut opening: Option<&str> = None;
            for (n, line) in text.lines().enumerate() {
                if line.starts_with(CODE_MARK) {
                    before.clear();
                    continue;
                }
                let line = line.strip_prefix(PROSE_MARK).unwrap_or(line);
                if line.trim().is_empty() {
                    continue;
                }
                // A section opening with its own heading's words (its signature)
                // is that member's detail (a deprecated twin pointing at its
                // successor), not a summary (whose header row may name its
                // heading's first word: "Constructor" under "Constructor Summary").
                // (Judged below, only for a section that has rows.)
                if n == 0 {
                    opening = Some(line);
                }
                let mut found = false;
                if !before.is_empty()
                    && let Some(first) = stated_in(line, MIN_ROW_SENTENCE_WORDS).next()
                    && words(first).any(|w| prefix.contains(&word_key(w)))
                {
                    for (above, names) in before.iter_mut() {
                        names.get_or_insert_with(|| member_names(above, &name_keys));
                    }
                    let first = word_set(first);
                    for &j in before
                        .iter()
                        .flat_map(|(_, names)| names.iter().flatten())
                        .filter_map(|name| named.get(name))
                        .flatten()
                    {
                        if j != i
                            && names[j] != names[i]
                            && openings[j].as_ref().is_some_and(|o| similar(&first, o))
                        {
                            found = true;
                            if !targets.contains(&j) {
                                targets.push(j);
                            }
                        }
                    }
                }
                if found {
                    before.clear();
                    continue;
                }
                if before.len() == NAME_LINES {
                    before.pop_front();
                }
                before.push_back((line, None));
            }
            if targets.is_empty() {
                return false;
            }
            if let (Some(h), Some(opening)) = (headings[i], opening) {
                let opening = word_set(opening);
                if words(h).all(|w| opening.binary_search(&word_key(w)).is_ok()) {
                    return false;
                }
            }
            let mut distinct: Vec<&Vec<u64>> = Vec::new();
            for s in said(i) {
                if !distinct.contains(&s) {
                    distinct.push(s);
                }
            }
            let covered = distinct
                .iter()
                .filter(|s| {
                    targets
                        .iter()
                        .any(|&j| said(j).iter().any(|t| similar(s, t)))
                })
                .count();
            !distinct.is_empty() && covered as f64 >= MIN_SHARE * distinct.len() as f64
        })
        .collect()
}

/// The member a section documents, from the last part of its heading: the key of
/// its first word, case folded ("#expects(method_name) ⇒ Expectation" → `expects`).
fn member_name(heading: &str) -> Option<u64> {
    words(heading).next().map(word_key)
}

/// The words of a line that are member names (`name_keys`, sorted), as keys.
fn member_names(line: &str, name_keys: &[u64]) -> Vec<u64> {
    words(line)
        .map(word_key)
        .filter(|k| name_keys.binary_search(k).is_ok())
        .collect()
}

/// The first stated sentence of a section's prose lines (code lines skipped) of at
/// least [`MIN_ROW_SENTENCE_WORDS`] words: its opening.
fn first_stated(text: &str) -> Option<&str> {
    text.lines()
        .filter(|line| !line.starts_with(CODE_MARK))
        .find_map(|line| {
            let line = line.strip_prefix(PROSE_MARK).unwrap_or(line);
            stated_in(line, MIN_ROW_SENTENCE_WORDS).next()
        })
}

/// Runs of letters, digits and `_`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// A word's key, case folded (FNV-1a over its lowercased characters).
fn word_key(word: &str) -> u64 {
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    let step = |h: u64, c: u64| (h ^ c).wrapping_mul(0x0100_0000_01b3);
    if word.is_ascii() {
        // The same key, without decoding characters (most words of most pages).
        word.bytes()
            .fold(BASIS, |h, b| step(h, u64::from(b.to_ascii_lowercase())))
    } else {
        word.chars()
            .flat_map(char::to_lowercase)
            .fold(BASIS, |h, c| step(h, u64::from(c)))
    }
}

/// The keys of a text's words, sorted, without repeats.
fn word_set(text: &str) -> Vec<u64> {
    let mut keys: Vec<u64> = words(text).map(word_key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// True when two word sets are one sentence ([`MIN_SIMILAR`]).
fn similar(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len() - common;
    all > 0 && common as f64 >= MIN_SIMILAR * all as f64
}

/// Keys of the stated sentences of a section's prose lines (code lines skipped), in
/// order.
fn sentence_keys(text: &str) -> Vec<u64> {
    stated(text).map(|(s, _)| sentence_key(s)).collect()
}

fn sentence_key(sentence: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(sentence.as_bytes())
}

/// The stated sentences of a section's prose lines (code lines skipped), in order,
/// each with whether it is its line's only sentence (a row of a table or list).
fn stated(text: &str) -> impl Iterator<Item = (&str, bool)> {
    text.lines()
        .filter(|line| !line.starts_with(CODE_MARK))
        .flat_map(|line| {
            let line = line.strip_prefix(PROSE_MARK).unwrap_or(line);
            // The line is split once: its first two sentences tell whether it
            // has only one.
            let mut all = sentences(line);
            let (first, second) = (all.next(), all.next());
            let whole = second.is_none();
            first
                .into_iter()
                .chain(second)
                .chain(all)
                .filter(|s| is_stated(s, MIN_WORDS))
                .map(move |s| (s, whole))
        })
}

/// The stated sentences of one prose line (marks removed) of at least `min_words`
/// words.
fn stated_in(line: &str, min_words: usize) -> impl Iterator<Item = &str> {
    sentences(line).filter(move |s| is_stated(s, min_words))
}

/// Whether a sentence is stated (ends with a stop) and has at least `min_words`
/// words. Only stated sentences count: a line fragment without a stop (a
/// parameter description, a signature) recurs across overloads for a reason.
fn is_stated(sentence: &str, min_words: usize) -> bool {
    sentence.ends_with(['.', '!', '?']) && sentence.split_whitespace().nth(min_words - 1).is_some()
}

/// What the site-level rule ([`crate::site_listing`]) needs of one section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SectionKeys {
    /// Key of its first stated sentence, if it has one.
    pub opening: Option<u32>,
    /// Its distinct stated sentences, less its opening when that is a row.
    pub sentences: u32,
    /// Its distinct *rows* (stated sentences alone on their line: the items of a
    /// list, the rows of a table), when the section could be a listing: at least
    /// [`MIN_REPEATS`] rows, at least [`MIN_SHARE`] of its sentences and
    /// [`MIN_ROW_WORDS`] of its words. Empty
    /// otherwise (prose: several sentences to a paragraph). Each row is its keys:
    /// the sentence's, then the sentence's without its first one to [`MAX_LEAD`]
    /// words (a table row puts the name cell on the line: "Eq Assists in …").
    /// Its opening sentence is not a row.
    pub rows: Vec<Vec<u32>>,
    /// Every stated sentence of it (if any) stands alone on its line, and it holds
    /// no code: rows and names only, however few ([`crate::site_listing`]'s pages
    /// of a listing family).
    pub only_rows: bool,
}

/// Share of a section's words (code included) its rows must hold for it to be a
/// possible listing: a listing is rows and names, not code with a few tooltips.
pub const MIN_ROW_WORDS: f64 = 0.3;

/// Leading words (a table row's name cells) a row may have before the sentence it
/// repeats.
pub const MAX_LEAD: usize = 3;

/// The [`SectionKeys`] of a section text (cleaned, with its line marks).
pub fn section_keys(text: &str) -> SectionKeys {
    let mut all: Vec<u32> = Vec::new();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let mut opening = None;
    let mut row_words = 0usize;
    let mut opening_row = false;
    let mut all_whole = true;
    for (sentence, whole) in stated(text) {
        all_whole &= whole;
        let key = sentence_key(sentence) as u32;
        let first = opening.is_none();
        opening.get_or_insert(key);
        all.push(key);
        if whole {
            row_words += sentence.split_whitespace().count();
            // A section's own opening is no row: a section opening as others do
            // (an overload, a sibling page from one template) is not a listing.
            if first {
                opening_row = true;
                continue;
            }
            let mut keys = vec![key];
            let mut rest = sentence;
            for _ in 0..MAX_LEAD {
                let Some((_, tail)) = rest.split_once(' ') else {
                    break;
                };
                rest = tail.trim_start();
                if rest.split_whitespace().nth(MIN_WORDS - 1).is_none() {
                    break;
                }
                keys.push(sentence_key(rest) as u32);
            }
            rows.push(keys);
        }
    }
    all.sort_unstable();
    all.dedup();
    // Nor is it counted among the sentences the rows are a share of.
    let sentences = all.len() - usize::from(opening_row && all.len() > rows.len());
    rows.sort_unstable();
    rows.dedup_by_key(|keys| keys[0]);
    // (The words are counted only for a section that could still be a listing.)
    let only_rows = all_whole && !text.lines().any(|line| line.starts_with(CODE_MARK));
    if rows.len() < MIN_REPEATS
        || (rows.len() as f64) < MIN_SHARE * sentences as f64
        || (row_words as f64) < MIN_ROW_WORDS * text.split_whitespace().count() as f64
    {
        rows.clear();
    }
    SectionKeys {
        opening,
        sentences: sentences as u32,
        rows,
        only_rows,
    }
}

/// The sentences of a line: split after `.`, `!` or `?` followed by a space (not
/// after an ellipsis).
fn sentences(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line.trim();
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let end = memchr::memchr3_iter(b'.', b'!', b'?', bytes)
            .find(|&k| {
                bytes.get(k + 1).is_none_or(|&b| b == b' ')
                    // An ellipsis (`char...`, "and so on...") ends no sentence.
                    && !(k > 0 && bytes[k - 1] == b'.')
            })
            .map_or(rest.len(), |k| k + 1);
        let (sentence, tail) = rest.split_at(end);
        rest = tail.trim_start();
        Some(sentence)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_after_stops() {
        let got: Vec<&str> =
            sentences("Gets the cause. Walks the chain! Why? Object.toString() is kept").collect();
        assert_eq!(
            got,
            [
                "Gets the cause.",
                "Walks the chain!",
                "Why?",
                "Object.toString() is kept"
            ]
        );
        let got: Vec<&str> = sentences("f(char... chars) Makes a string. Done").collect();
        assert_eq!(got, ["f(char... chars) Makes a string.", "Done"]);
    }

    const DETAILS: [&str; 4] = [
        "Gets the root cause of a throwable. It walks the chain of causes to the end.",
        "Gets the message of a throwable. The class name is put in front of it.",
        "Rethrows a throwable without declaring it. Use it in lambdas.",
        "Prints the stack trace of the root cause first. Then the wrapping ones.",
    ];

    #[test]
    fn a_summary_of_many_details_is_a_listing_and_the_details_stay() {
        let summary = "static Throwable getRootCause(Throwable t)\nGets the root cause of a throwable.\n\
            static String getMessage(Throwable t)\nGets the message of a throwable.\n\
            static void rethrow(Throwable t)\nRethrows a throwable without declaring it.\n\
            static void printRootCauseStackTrace(Throwable t)\nPrints the stack trace of the root cause first.";
        let mut texts = vec![summary];
        texts.extend(DETAILS);
        assert_eq!(summaries(&texts), [true, false, false, false, false]);
    }

    #[test]
    fn sections_sharing_text_with_one_other_are_not_summaries() {
        // A section repeated whole elsewhere (a mirror, a quoted passage) repeats
        // every sentence, but all from one section.
        let whole = "Gets the root cause of a throwable. It walks the chain of causes to the end. And more. Then some more words here.";
        let texts = [whole, whole, DETAILS[1]];
        assert_eq!(summaries(&texts), [false, false, false]);
    }

    #[test]
    fn a_section_with_its_own_prose_around_a_few_repeats_is_content() {
        let own = "Gets the root cause of a throwable.\nGets the message of a throwable.\n\
            Rethrows a throwable without declaring it.\nThis section explains error handling at length. \
            Errors are values here, and every layer adds context. Callers decide what to print.";
        let mut texts = vec![own];
        texts.extend(DETAILS);
        assert!(!summaries(&texts)[0]);
    }

    #[test]
    fn code_lines_are_not_sentences() {
        let code = |s: &str| format!("{CODE_MARK}{s}");
        let lines: Vec<String> = DETAILS
            .iter()
            .map(|d| code(d.split(". ").next().unwrap()))
            .collect();
        let summary = lines.join("\n");
        let mut texts = vec![summary.as_str()];
        texts.extend(DETAILS);
        assert!(!summaries(&texts)[0]);
    }

    #[test]
    fn a_detail_sharing_notes_with_its_overloads_stays() {
        // Overloads repeat the same notes further in; only their openings differ.
        let note =
            "Null will be converted to null. This method may throw if it is unboxed to a boolean.";
        let overloads: Vec<String> = ["an Integer", "a Long", "a Short", "a Byte"]
            .iter()
            .map(|t| {
                format!(
                    "Converts {t} to a Boolean using zero as false. {note} Beware of it, please."
                )
            })
            .collect();
        let texts: Vec<&str> = overloads.iter().map(String::as_str).collect();
        assert_eq!(summaries(&texts), [false; 4]);
    }
    fn member<'a>(headings: &[&'a str]) -> Vec<Option<&'a str>> {
        headings.iter().map(|&h| Some(h)).collect()
    }

    #[test]
    fn member_names_are_the_first_word_of_the_heading() {
        assert_eq!(
            member_name("#expects(method_name) ⇒ Expectation"),
            Some(word_key("expects"))
        );
        assert_eq!(member_name("EqualsBuilder"), member_name("equalsBuilder()"));
        assert_eq!(member_name("⇒ —"), None);
    }

    #[test]
    fn a_one_row_summary_of_a_detail_is_a_member_summary() {
        let texts = [
            "Constructors\nConstructor\nDescription\nEqualsBuilder()\nConstructor for the EqualsBuilder class.",
            "public EqualsBuilder()\nConstructor for the EqualsBuilder class.\nStarts off assuming that equals is true.",
        ];
        let names = member(&["Constructor Summary", "EqualsBuilder"]);
        assert_eq!(member_summaries(&texts, &names), [true, false]);
        // Without its name line the same sentence is no row.
        let texts = ["Constructor for the EqualsBuilder class.", texts[1]];
        assert_eq!(member_summaries(&texts, &names), [false, false]);
    }

    #[test]
    fn rows_match_openings_rendered_with_other_link_text() {
        let texts = [
            "- #responds_like(responder) ⇒ Mock (also: #quacks_like)\n\
             Constrains the Mock instance so that it can only stub methods the responder has.\n\
             - .allow(action) { ... } ⇒ Object deprecated Deprecated.\n\
             If a block is supplied, call Configuration.override with the action. Otherwise call the writer.",
            "Constrains the Mocha::Mock instance so that it can only stub methods the responder has. \
             The constraint is only applied at invocation time.",
            "Deprecated.\nIf a block is supplied, call override with the action. Otherwise call the writer. \
             The writer is one of the following.",
        ];
        let names = member(&[
            "Instance Method Summary",
            "#responds_like(responder) ⇒ Mock",
            ".allow(action) { ... } ⇒ Object",
        ]);
        assert_eq!(member_summaries(&texts, &names), [true, false, false]);
    }

    #[test]
    fn sections_with_sentences_of_their_own_or_their_own_signature_stay() {
        let detail = "public static int[] removeAll(int[] array, int element)\n\
            Removes the occurrences of the element from the array.\nThe other elements shift left.";
        // A deprecated twin: its own signature first, then a pointer to the
        // successor and the successor's text.
        let twin = "public static int[] removeAllOld(int[] array, int element)\nDeprecated.\n\
            Use removeAll(int[], int)\nRemoves the occurrences of the element from the array.\n\
            The other elements shift left.";
        // A section naming a member before quoting its opening, with more to say.
        let prose = "See removeAll(int[], int)\nRemoves the occurrences of the element from the array.\n\
            Arrays are copied on every call. Keep them small in hot loops. Or use a list.";
        let texts = [detail, twin, prose];
        let names = member(&["removeAll", "removeAllOld", "Performance"]);
        assert_eq!(member_summaries(&texts, &names), [false, false, false]);
    }

    #[test]
    fn overloads_do_not_summarise_each_other() {
        let overload = |params: &str| {
            format!(
                "public static boolean reflectionEquals({params})\n\
                 This method uses reflection to determine if the two objects are equal.\n\
                 Static fields will not be tested at all. Superclass fields will be included."
            )
        };
        let (a, b) = (
            overload("Object lhs, Object rhs"),
            overload("Object lhs, Object rhs, boolean t"),
        );
        let names = member(&["reflectionEquals", "reflectionEquals"]);
        assert_eq!(member_summaries(&[&a, &b], &names), [false, false]);
    }
}
