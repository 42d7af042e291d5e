//! Synonym groups used to expand queries: abbreviations mined from the corpus at
//! ingest time plus the user's own synonyms file.
//!
//! Abbreviations are found with the Schwartz–Hearst algorithm ("A simple algorithm
//! for identifying abbreviation definitions in biomedical text", PSB 2003): in
//! `long form (SF)` or `SF (long form)`, the long form is the shortest run of words
//! before the parenthesis whose letters contain the short form's characters in order,
//! the first one starting a word. Each pair becomes a group {SF, long form}; a query
//! naming one member also searches for the others, at a lower weight.
//!
//! Every phrase is kept both as written (for `--explain`) and analyzed (stemmed,
//! lower-cased terms joined by spaces), which is what queries are matched against.

use std::collections::{BTreeMap, HashMap};

use crate::output::tsv_field;
use crate::schema::analyze;

/// A phrase as written and as analyzed terms.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Phrase {
    /// As written.
    pub surface: String,
    /// As the analyzer reads it (lower-cased stems).
    pub terms: Vec<String>,
}

impl Phrase {
    /// A phrase and its analyzed terms.
    pub fn new(surface: &str) -> Phrase {
        Phrase {
            surface: surface.to_string(),
            terms: analyze(surface),
        }
    }
}

/// Groups of equivalent phrases, indexed by analyzed phrase for lookup.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    groups: Vec<Vec<Phrase>>,
    by_terms: HashMap<String, Vec<usize>>,
}

/// Longest phrase, in terms, that queries are matched against.
pub const MAX_PHRASE_TERMS: usize = 8;

/// Alternatives a matched phrase is searched with at most (its groups' members in
/// file order): a query stays a query when a synonyms file holds a group of
/// thousands of words.
pub const MAX_ALTERNATIVES: usize = 32;

impl Lexicon {
    /// A lexicon of `groups`, leaving out phrases without terms or longer than
    /// [`MAX_PHRASE_TERMS`], and groups left with fewer than two phrases.
    pub fn from_groups(groups: Vec<Vec<Phrase>>) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for group in groups {
            let group: Vec<Phrase> = group
                .into_iter()
                .filter(|p| !p.terms.is_empty() && p.terms.len() <= MAX_PHRASE_TERMS)
                .collect();
            if group.len() < 2 {
                continue;
            }
            let id = lexicon.groups.len();
            for phrase in &group {
                lexicon
                    .by_terms
                    .entry(phrase.terms.join(" "))
                    .or_default()
                    .push(id);
            }
            lexicon.groups.push(group);
        }
        lexicon
    }

    /// Builds the lexicon from mined abbreviation pairs (with how many files define
    /// each) and user synonym groups. A short form defined with several long forms
    /// keeps the most frequent three.
    pub fn build(
        pairs: &BTreeMap<(String, String), u32>,
        user_groups: Vec<Vec<String>>,
    ) -> Lexicon {
        let mut by_short: BTreeMap<String, Vec<(u32, &str, &str)>> = BTreeMap::new();
        for ((short, long), count) in pairs {
            by_short
                .entry(short.to_lowercase())
                .or_default()
                .push((*count, short, long));
        }
        let mut groups = Vec::new();
        for (_, mut longs) in by_short {
            longs.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(b.2)));
            let mut seen_long = std::collections::HashSet::new();
            // Trusted: defined in more than one file, or the long form's initials
            // spell the short form (one stray parenthesis is not a definition).
            longs.retain(|&(count, short, long)| count >= 2 || initials_match(short, long));
            for (_, short, long) in longs.into_iter().take(3) {
                let long_phrase = Phrase::new(long);
                if seen_long.insert(long_phrase.terms.clone()) {
                    groups.push(vec![Phrase::new(short), long_phrase]);
                }
            }
        }
        for group in user_groups {
            groups.push(group.iter().map(|s| Phrase::new(s)).collect());
        }
        Lexicon::from_groups(groups)
    }

    /// True when it has no group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Finds phrases of the lexicon in the analyzed query `terms`; returns, for each
    /// match, the matched phrase and the other members of its groups.
    pub fn expansions(&self, terms: &[String]) -> Vec<(Phrase, Vec<Phrase>)> {
        let mut out: Vec<(Phrase, Vec<Phrase>)> = Vec::new();
        if self.groups.is_empty() {
            return out;
        }
        for start in 0..terms.len() {
            for len in 1..=MAX_PHRASE_TERMS.min(terms.len() - start) {
                let key = terms[start..start + len].join(" ");
                let Some(ids) = self.by_terms.get(&key) else {
                    continue;
                };
                let span = &terms[start..start + len];
                let mut others: Vec<Phrase> = Vec::new();
                let mut matched = None;
                for &id in ids {
                    for phrase in &self.groups[id] {
                        if phrase.terms == span {
                            matched.get_or_insert_with(|| phrase.clone());
                        } else if others.len() < MAX_ALTERNATIVES
                            && !others.iter().any(|o| o.terms == phrase.terms)
                        {
                            others.push(phrase.clone());
                        }
                    }
                }
                if let Some(matched) = matched
                    && !others.is_empty()
                {
                    out.push((matched, others));
                }
            }
        }
        out
    }

    /// One group per line, each phrase as `surface<TAB>analyzed`, phrases separated
    /// by tabs too (so a line has an even number of fields).
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for group in &self.groups {
            let fields: Vec<String> = group
                .iter()
                .flat_map(|p| [tsv_field(&p.surface).into_owned(), p.terms.join(" ")])
                .collect();
            out.push_str(&fields.join("\t"));
            out.push('\n');
        }
        out
    }

    /// Reads the text written by [`Lexicon::to_tsv`].
    pub fn parse(text: &str) -> Lexicon {
        Lexicon::parse_lines(text.lines())
    }

    /// The part of the lexicon in `text` that [`Lexicon::expansions`] of `terms`
    /// can use: only the groups with a phrase equal to a run of `terms` are parsed,
    /// so the expansions are those of the whole lexicon. A one-off query reads a
    /// few lines instead of building every group (most of a fresh process's work
    /// on a lexicon of thousands of groups).
    pub fn parse_for(text: &str, terms: &[String]) -> Lexicon {
        let mut runs = std::collections::HashSet::new();
        for start in 0..terms.len() {
            for len in 1..=MAX_PHRASE_TERMS.min(terms.len() - start) {
                runs.insert(terms[start..start + len].join(" "));
            }
        }
        // Performance: the lines are found by a substring search for each run
        // (a tab, the run, then a tab or the line's end), then checked field by
        // field, instead of splitting every line of the lexicon.
        let bytes = text.as_bytes();
        let mut starts = std::collections::BTreeSet::new();
        for run in &runs {
            let needle = format!("\t{run}");
            for at in memchr::memmem::find_iter(bytes, needle.as_bytes()) {
                let end = at + needle.len();
                if matches!(bytes.get(end), None | Some(b'\t' | b'\n' | b'\r')) {
                    starts.insert(memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1));
                }
            }
        }
        let lines = starts
            .into_iter()
            .filter_map(|start| text[start..].lines().next());
        Lexicon::parse_lines(lines.filter(|line| {
            line.split('\t')
                .skip(1)
                .step_by(2)
                .any(|analyzed| runs.contains(analyzed))
        }))
    }

    fn parse_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Lexicon {
        let groups = lines
            .map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                fields
                    .chunks_exact(2)
                    .map(|pair| Phrase {
                        surface: pair[0].to_string(),
                        terms: pair[1]
                            .split(' ')
                            .filter(|t| !t.is_empty())
                            .map(String::from)
                            .collect(),
                    })
                    .collect()
            })
            .collect();
        Lexicon::from_groups(groups)
    }
}

/// Parses a user synonyms file: one group per line, members separated by commas;
/// blank lines and lines starting with `#` are ignored.
pub fn parse_synonyms(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() >= 2)
        .collect()
}

/// Finds abbreviation definitions in `text`: (short form, long form) pairs.
pub fn mine_abbreviations(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find('(').map(|i| i + search_from) {
        search_from = open + 1;
        let Some(close) = text[open + 1..].find(')').map(|i| i + open + 1) else {
            break;
        };
        let inside = text[open + 1..close].trim();
        if inside.is_empty() || inside.len() > 200 || inside.contains('(') {
            continue;
        }
        // Text before the parenthesis, within its sentence/line.
        let before_start = text[..open]
            .rfind(['.', ';', '\n', ')', '(', ':'])
            .map_or(0, |i| i + 1);
        let before = text[before_start..open].trim_end();
        // Short form inside: "long form (SF)". Drop anything after a comma/semicolon.
        let candidate = inside.split([',', ';']).next().unwrap_or("").trim();
        if is_short_form(candidate) {
            let max_words = (candidate.chars().count() + 5).min(candidate.chars().count() * 2);
            let words: Vec<&str> = before.split_whitespace().collect();
            let window = words[words.len().saturating_sub(max_words)..].join(" ");
            if let Some(long) = best_long_form(candidate, &window) {
                out.push((candidate.to_string(), long.to_string()));
            }
            continue;
        }
        // "SF (long form)": the word before the parenthesis is the short form.
        if let Some(last) = before.split_whitespace().last()
            && is_short_form(last)
            && inside.split_whitespace().count() >= 2
            && let Some(long) = best_long_form(last, inside)
            && long == inside
        {
            out.push((last.to_string(), long.to_string()));
        }
    }
    out
}

/// A short form: one token of 2–10 characters, starting with a letter or digit,
/// with at least one letter and at least one capital letter; not code (only letters,
/// digits, `-`, `.` and `/`: `C#`, `Read>`, `&str` are not abbreviations) and not a
/// capitalised word (`None`, `Err`: one capital followed by lower-case letters).
fn is_short_form(s: &str) -> bool {
    let n = s.chars().count();
    let capitals = s.chars().filter(|c| c.is_uppercase()).count();
    let capitalised_word = capitals == 1
        && s.chars().next().is_some_and(char::is_uppercase)
        && s.chars().skip(1).all(char::is_lowercase);
    (2..=10).contains(&n)
        && s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '/'))
        && s.chars().any(char::is_alphabetic)
        && capitals > 0
        && !capitalised_word
}

/// True when each letter of `short` is the first letter of a word of `long`, in
/// order ("LDL" / "low-density lipoprotein": low, density, lipoprotein).
fn initials_match(short: &str, long: &str) -> bool {
    let initials: Vec<char> = long
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    let mut at = 0;
    for c in short
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
    {
        match initials[at..].iter().position(|&i| i == c) {
            Some(p) => at += p + 1,
            None => return false,
        }
    }
    true
}

/// The Schwartz–Hearst match: the shortest suffix of `long` (starting at a word)
/// containing the short form's letters and digits in order, the first at a word start.
fn best_long_form<'a>(short: &str, long: &'a str) -> Option<&'a str> {
    let s: Vec<char> = short.to_lowercase().chars().collect();
    let l: Vec<(usize, char)> = long
        .char_indices()
        .map(|(i, c)| (i, c.to_lowercase().next().unwrap_or(c)))
        .collect();
    let mut si = s.len() as isize - 1;
    let mut li = l.len() as isize - 1;
    while si >= 0 {
        let c = s[si as usize];
        if !c.is_alphanumeric() {
            si -= 1;
            continue;
        }
        while li >= 0
            && (l[li as usize].1 != c
                || (si == 0 && li > 0 && l[li as usize - 1].1.is_alphanumeric()))
        {
            li -= 1;
        }
        if li < 0 {
            return None;
        }
        li -= 1;
        si -= 1;
    }
    let start_char = (li + 1) as usize;
    let start_byte = l[start_char].0;
    let word_start = long[..start_byte].rfind(' ').map_or(0, |i| i + 1);
    let result = long[word_start..].trim();
    let valid = result.chars().count() > short.chars().count()
        && !result.to_lowercase().contains(&short.to_lowercase())
        && result.split_whitespace().count() >= 1;
    valid.then_some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_for_expands_like_the_whole_lexicon() {
        let lexicon = Lexicon::build(
            &BTreeMap::from([
                (("CEA".into(), "carcinoembryonic antigen".into()), 2),
                (("MI".into(), "myocardial infarction".into()), 1),
                (("MI".into(), "mitral insufficiency".into()), 1),
                (("UA".into(), "uric acid".into()), 1),
            ]),
            vec![vec!["heart attack".into(), "MI".into()]],
        );
        let text = lexicon.to_tsv();
        for query in [
            "CEA levels",
            "what is an mi",
            "heart attack and uric acid",
            "myocardial infarction",
            "infarction myocardial",
            "heart",
            "mi heart attack",
            "nothing here",
            "",
        ] {
            let terms = analyze(query);
            assert_eq!(
                Lexicon::parse_for(&text, &terms).expansions(&terms),
                Lexicon::parse(&text).expansions(&terms),
                "{query}"
            );
        }
        assert!(Lexicon::parse_for(&text, &analyze("heart attack")).len() == 1);
    }

    #[test]
    fn code_and_capitalised_words_are_not_abbreviations() {
        let text = "Some(T) or None (not currently slated for stabilization). \
                    Coming from C# (coming from ECMA-334) or Err (emergency failure). \
                    A reader: R (Read>) and the Global Offset Table (GOT).";
        let pairs = mine_abbreviations(text);
        let shorts: Vec<&str> = pairs.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(shorts, ["GOT"], "{pairs:?}");
    }

    #[test]
    fn untrusted_definitions_are_left_out() {
        let mut pairs = BTreeMap::new();
        // Once, initials do not spell it: dropped.
        pairs.insert(("NSC".to_string(), "not since critical".to_string()), 1);
        pairs.insert(("ABC".to_string(), "another bad case".to_string()), 1);
        pairs.insert(("XQ".to_string(), "extra quality".to_string()), 1);
        // Defined in two files: kept although its initials do not match.
        pairs.insert(("XR".to_string(), "extended release".to_string()), 2);
        let lexicon = Lexicon::build(&pairs, Vec::new());
        let found = |q: &str| !lexicon.expansions(&[q.to_string()]).is_empty();
        assert!(found("nsc") && found("abc") && found("xr"));
        assert!(!found("xq"));
    }

    #[test]
    fn mines_both_directions() {
        let text = "Levels of carcinoembryonic antigen (CEA) rise. Heart attack (MI). \
                    The AAS (Aarskog-Scott syndrome) is rare. A ameba (single-celled living organism) lives.";
        let pairs = mine_abbreviations(text);
        assert!(
            pairs.contains(&("CEA".into(), "carcinoembryonic antigen".into())),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&("AAS".into(), "Aarskog-Scott syndrome".into())),
            "{pairs:?}"
        );
        // "Heart attack" does not spell "MI": no pair.
        assert!(!pairs.iter().any(|(s, _)| s == "MI"), "{pairs:?}");
        assert_eq!(pairs.len(), 2, "{pairs:?}");
    }

    #[test]
    fn first_letter_must_start_a_word() {
        assert_eq!(
            best_long_form("GAE", "Granulomatous Amebic Encephalitis"),
            Some("Granulomatous Amebic Encephalitis")
        );
        assert_eq!(
            best_long_form("HIV", "human immunodeficiency virus"),
            Some("human immunodeficiency virus")
        );
        assert_eq!(best_long_form("XYZ", "nothing matches here"), None);
    }

    #[test]
    fn expansions_match_analyzed_phrases_and_survive_tsv() {
        let mut pairs = BTreeMap::new();
        pairs.insert(
            ("CEA".to_string(), "carcinoembryonic antigen".to_string()),
            2,
        );
        let lexicon = Lexicon::build(
            &pairs,
            vec![vec!["heart attack".into(), "myocardial infarction".into()]],
        );
        let lexicon = Lexicon::parse(&lexicon.to_tsv());
        assert_eq!(lexicon.len(), 2);
        let found = lexicon.expansions(&analyze("CEA levels"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1[0].surface, "carcinoembryonic antigen");
        let found = lexicon.expansions(&analyze("carcinoembryonic antigens"));
        assert_eq!(found[0].1[0].surface, "CEA");
        let found = lexicon.expansions(&analyze("after a heart attack"));
        assert_eq!(found[0].1[0].terms, ["myocardi", "infarct"]);
    }

    #[test]
    fn a_huge_group_gives_a_bounded_expansion() {
        let words: Vec<String> = (0..200_000).map(|i| format!("w{i}")).collect();
        let lexicon = Lexicon::build(&BTreeMap::new(), vec![words]);
        let got = lexicon.expansions(&["w5".to_string()]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.terms, ["w5"]);
        assert_eq!(got[0].1.len(), MAX_ALTERNATIVES);
        assert_eq!(got[0].1[0].terms, ["w0"]);
    }

    #[test]
    fn synonyms_file_format() {
        let groups = parse_synonyms("# comment\nheart attack, myocardial infarction\n\nsolo\n");
        assert_eq!(
            groups,
            vec![vec![
                "heart attack".to_string(),
                "myocardial infarction".to_string()
            ]]
        );
    }
}
