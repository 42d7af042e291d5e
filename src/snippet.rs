//! Snippets: the best window of about N characters of a passage, with the query
//! terms in it marked.
//!
//! tantivy's `SnippetGenerator` runs the full analyzer (and so the stemmer) over
//! every word of every hit, which was most of the cost of a query with snippets.
//! Here a word is stemmed only if its first letters could lead to a query term's
//! stem ([`lead`]: an English stem keeps the first three letters of its word, `y`,
//! `i` and a third `e` taken as one; words with non-ASCII letters are always
//! analyzed), so most words cost a comparison.

use std::collections::HashMap;
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use crate::schema;

/// The best window of a passage for a query, with the query terms marked.
#[derive(Clone, Debug, PartialEq)]
pub struct Snippet {
    /// The window's text.
    pub text: String,
    /// Byte ranges of `text` to highlight.
    pub highlights: Vec<Range<usize>>,
}

/// Finds the query's words in passages, for snippets and highlights.
pub struct Highlighter {
    /// Query stems with their weights (idf-like: rarer terms decide the window).
    terms: HashMap<String, f32>,
    /// The [`lead`] of each ASCII stem, and which bytes start one.
    prefixes: Vec<Lead>,
    first_bytes: [bool; 128],
    analyzer: TextAnalyzer,
}

/// At most this many matches of a passage are considered for the window.
const MAX_MATCHES: usize = 256;

impl Highlighter {
    /// A highlighter of these query stems and their weights.
    pub fn new(terms: impl IntoIterator<Item = (String, f32)>) -> Highlighter {
        let terms: HashMap<String, f32> = terms.into_iter().collect();
        let mut prefixes: Vec<Lead> = Vec::new();
        let mut first_bytes = [false; 128];
        for stem in terms.keys() {
            let bytes = stem.as_bytes();
            if bytes.is_empty() || !bytes[..bytes.len().min(LEAD)].is_ascii() {
                // No ASCII word stems to it (words with non-ASCII letters are
                // always analyzed).
                continue;
            }
            let lead = lead(bytes);
            first_bytes[lead.0[0] as usize] = true;
            prefixes.push(lead);
        }
        prefixes.sort();
        prefixes.dedup();
        Highlighter {
            terms,
            prefixes,
            first_bytes,
            analyzer: schema::analyzer(),
        }
    }

    /// The first word of `text` that is one of the query terms, as a byte range.
    pub fn first_match(&mut self, text: &str) -> Option<Range<usize>> {
        self.matches(text, 1).pop().map(|(range, _)| range)
    }

    /// The first `limit` query terms found in `text`: (byte range, weight), in order.
    fn matches(&mut self, text: &str, limit: usize) -> Vec<(Range<usize>, f32)> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some((word, ascii)) = next_word(text, at) {
            at = word.end;
            if !self.could_match(&text[word.clone()], ascii) {
                continue;
            }
            let mut stream = self.analyzer.token_stream(&text[word.clone()]);
            while let Some(token) = stream.next() {
                if let Some(&weight) = self.terms.get(token.text.as_str()) {
                    out.push((word, weight));
                    break;
                }
            }
            if out.len() >= limit {
                break;
            }
        }
        out
    }

    /// Whether `word` could be one of the query's stems (`ascii`: it is all ASCII).
    fn could_match(&self, word: &str, ascii: bool) -> bool {
        if !ascii {
            return true;
        }
        let (letters, len) = lead(word.as_bytes());
        if !self.first_bytes[letters[0] as usize] {
            return false;
        }
        self.prefixes.iter().any(|(p, plen)| {
            let n = len.min(*plen);
            letters[..n] == p[..n]
        })
    }

    /// The best window of about `max_chars` bytes; the passage's start when no
    /// query term occurs in it.
    pub fn snippet(&mut self, text: &str, max_chars: usize) -> Snippet {
        let matches = self.matches(text, MAX_MATCHES);
        if matches.is_empty() {
            let end = cut_after(text, max_chars.min(text.len()));
            return Snippet {
                text: text[..end].trim_end().to_string(),
                highlights: Vec::new(),
            };
        }
        // Window starting at each match: sum of the weights of distinct terms.
        let mut best = (f32::MIN, 0usize);
        for (i, (range, _)) in matches.iter().enumerate() {
            let limit = range.start + max_chars;
            let mut seen: Vec<&str> = Vec::new();
            let mut score = 0.0;
            for (r, weight) in &matches[i..] {
                if r.end > limit {
                    break;
                }
                let word = text[r.clone()].as_ref();
                if !seen.iter().any(|w: &&str| w.eq_ignore_ascii_case(word)) {
                    seen.push(word);
                    score += weight;
                }
                score += 0.01; // repeated terms break ties
            }
            if score > best.0 {
                best = (score, i);
            }
        }
        let first = &matches[best.1].0;
        // Some context before the first match, from a word start.
        let lead = (max_chars / 5).min(first.start);
        let start = word_start(text, first.start - lead);
        let end = cut_after(text, (start + max_chars).min(text.len()));
        let end = end.max(first.end);
        let highlights = matches
            .iter()
            .filter(|(r, _)| r.start >= start && r.end <= end)
            .map(|(r, _)| r.start - start..r.end - start)
            .collect();
        Snippet {
            text: text[start..end].to_string(),
            highlights,
        }
    }
}

/// The next word of `text` at or after byte `at` (a run of alphanumeric
/// characters) and whether it is all ASCII.
fn next_word(text: &str, mut at: usize) -> Option<(Range<usize>, bool)> {
    loop {
        let (len, letter) = char_at(text, at)?;
        if letter {
            break;
        }
        at += len;
    }
    let start = at;
    let mut ascii = true;
    while let Some((len, true)) = char_at(text, at) {
        ascii &= len == 1;
        at += len;
    }
    Some((start..at, ascii))
}

/// The length of the character at byte `at` of `text` (a character boundary) and
/// whether it is a letter or digit; an ASCII byte is tested without decoding.
fn char_at(text: &str, at: usize) -> Option<(usize, bool)> {
    let b = *text.as_bytes().get(at)?;
    if b.is_ascii() {
        return Some((1, b.is_ascii_alphanumeric()));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((c.len_utf8(), c.is_alphanumeric()))
}

/// Leading letters compared by [`Highlighter::could_match`].
const LEAD: usize = 3;

/// The first [`LEAD`] letters of a word (or stem) and how many there are.
type Lead = ([u8; LEAD], usize);

/// The first letters of an ASCII word as its stem begins, so far as they can be
/// known without stemming: lower-cased, with `y` read as `i` (Porter's stemmer
/// turns a final `y` after a consonant into `i`: "try" → "tri", "crying" → "cri",
/// and "skies" → "sky"), and a third `e` as `i` too (it ends a short stem where the
/// word goes on: "using" → "use", "dying" → "die"). A word whose lead differs from
/// a stem's is not that stem's word. `word` is not empty.
fn lead(word: &[u8]) -> Lead {
    let len = word.len().min(LEAD);
    let mut letters = [0u8; LEAD];
    for (i, (out, &b)) in letters.iter_mut().zip(&word[..len]).enumerate() {
        *out = match b.to_ascii_lowercase() {
            b'y' => b'i',
            b'e' if i == 2 => b'i',
            b => b,
        };
    }
    (letters, len)
}

/// A byte offset at or after `at` that ends a word (or the text).
fn cut_after(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    if at == text.len() {
        return at;
    }
    match text[..at].rfind(char::is_whitespace) {
        Some(space) if space > 0 => space,
        _ => at,
    }
}

/// The start of the word containing byte `at` (or `at` itself on a boundary).
fn word_start(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    match text[..at].rfind(char::is_whitespace) {
        Some(space) => space + 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(words: &[&str]) -> Highlighter {
        Highlighter::new(
            words
                .iter()
                .flat_map(|w| schema::analyze(w))
                .map(|t| (t, 1.0)),
        )
    }

    fn marked(s: &Snippet) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in &s.highlights {
            out.push_str(&s.text[at..r.start]);
            out.push('[');
            out.push_str(&s.text[r.clone()]);
            out.push(']');
            at = r.end;
        }
        out.push_str(&s.text[at..]);
        out
    }

    #[test]
    fn stems_match_inflected_words() {
        let mut h = highlighter(&["treatments", "diabetes"]);
        let s = h.snippet(
            "Treating Diabetes: the treatment of diabetic patients.",
            200,
        );
        assert_eq!(
            marked(&s),
            "Treating [Diabetes]: the [treatment] of [diabetic] patients."
        );
    }

    #[test]
    fn words_whose_stem_changes_their_first_letters_are_found() {
        // The stemmer writes "try" as "tri", "dying" as "die", "skies" as "sky".
        let mut h = highlighter(&["trying", "flying", "dying", "sky"]);
        let s = h.snippet("We try; flying, dying stars fly in skies.", 200);
        assert_eq!(
            marked(&s),
            "We [try]; [flying], [dying] stars [fly] in [skies]."
        );
    }

    /// Every word built from a two- or three-letter base and a common ending is
    /// let through by the prefix test when its stem is a query term: the test
    /// only skips analysis, it must never skip a match.
    #[test]
    fn the_prefix_test_never_skips_a_word_of_a_query_stem() {
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let endings = [
            "", "s", "es", "ies", "ied", "ing", "ings", "ed", "y", "ly", "ying", "er", "est",
            "ness", "ity", "ation", "ational", "ize", "ible", "bly", "bli", "ful", "ous", "ment",
            "e", "ee", "eed", "ieing", "edly", "ingly", "eedly", "yed",
        ];
        let mut bases: Vec<String> = Vec::new();
        for &a in letters {
            bases.push(String::from_utf8(vec![a]).unwrap());
            for &b in letters {
                bases.push(String::from_utf8(vec![a, b]).unwrap());
                for &c in letters {
                    bases.push(String::from_utf8(vec![a, b, c]).unwrap());
                }
            }
        }
        let mut checked = 0;
        for base in &bases {
            for ending in endings {
                let word = format!("{base}{ending}");
                let Some(stem) = schema::analyze(&word).pop() else {
                    continue;
                };
                let h = Highlighter::new([(stem.clone(), 1.0)]);
                assert!(h.could_match(&word, true), "{word} → {stem}");
                let upper = word.to_ascii_uppercase();
                assert!(h.could_match(&upper, true), "{upper} → {stem}");
                checked += 1;
            }
        }
        assert!(checked > 500_000, "{checked}");
    }

    #[test]
    fn window_goes_where_the_rare_terms_are() {
        let mut h = Highlighter::new([("cea".to_string(), 5.0), ("liver".to_string(), 1.0)]);
        let text = format!("liver {} the CEA level and liver", "filler ".repeat(60));
        let s = h.snippet(&text, 60);
        assert!(marked(&s).contains("[CEA]"), "{}", marked(&s));
        assert!(s.text.len() <= 80);
    }

    #[test]
    fn no_match_gives_the_start_and_non_ascii_is_safe() {
        let mut h = highlighter(&["meniere"]);
        let s = h.snippet(
            "Ménière's disease affects the ear. ".repeat(20).as_str(),
            50,
        );
        assert!(marked(&s).starts_with("[Ménière]"), "{}", marked(&s));
        let s = highlighter(&["zzz"]).snippet("é".repeat(100).as_str(), 7);
        assert!(s.highlights.is_empty() && s.text.len() <= 10);
    }
}
