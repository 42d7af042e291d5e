//! Snippets: the best window of about N characters of a passage, with the query
//! terms in it marked.
//!
//! tantivy's `SnippetGenerator` runs the full analyzer (and so the stemmer) over
//! every word of every hit, which was most of the cost of a query with snippets.
//! Here a word is stemmed only if its first letters could lead to a query term's
//! stem (English stems keep the first three letters of their word; words with
//! non-ASCII letters are always analyzed), so most words cost a comparison.

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
    /// Up to three leading bytes of each stem, and which ASCII bytes start one.
    prefixes: Vec<Vec<u8>>,
    first_bytes: [bool; 128],
    analyzer: TextAnalyzer,
}

/// At most this many matches of a passage are considered for the window.
const MAX_MATCHES: usize = 256;

impl Highlighter {
    /// A highlighter of these query stems and their weights.
    pub fn new(terms: impl IntoIterator<Item = (String, f32)>) -> Highlighter {
        let terms: HashMap<String, f32> = terms.into_iter().collect();
        let mut prefixes: Vec<Vec<u8>> = terms
            .keys()
            .map(|t| t.chars().take(3).collect::<String>().into_bytes())
            .collect();
        prefixes.sort();
        prefixes.dedup();
        let mut first_bytes = [false; 128];
        for p in &prefixes {
            match p.first() {
                Some(&b) if b < 128 => first_bytes[b as usize] = true,
                // A stem starting with a non-ASCII letter: let every word through.
                _ => first_bytes = [true; 128],
            }
        }
        Highlighter {
            terms,
            prefixes,
            first_bytes,
            analyzer: schema::analyzer(),
        }
    }

    /// Query terms found in `text`: (byte range, weight), in order.
    fn matches(&mut self, text: &str) -> Vec<(Range<usize>, f32)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if c.is_alphanumeric() {
                start.get_or_insert(i);
                continue;
            }
            let Some(s) = start.take() else { continue };
            let word = &text[s..i];
            if !self.could_match(word) {
                continue;
            }
            let mut stream = self.analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                if let Some(&weight) = self.terms.get(token.text.as_str()) {
                    out.push((s..i, weight));
                    break;
                }
            }
            if out.len() >= MAX_MATCHES {
                break;
            }
        }
        out
    }

    fn could_match(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if !word.is_ascii() {
            return true;
        }
        if !self.first_bytes[bytes[0].to_ascii_lowercase() as usize] {
            return false;
        }
        self.prefixes.iter().any(|p| {
            let n = p.len().min(bytes.len());
            bytes[..n].eq_ignore_ascii_case(&p[..n])
        })
    }

    /// The best window of about `max_chars` bytes; the passage's start when no
    /// query term occurs in it.
    pub fn snippet(&mut self, text: &str, max_chars: usize) -> Snippet {
        let matches = self.matches(text);
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
