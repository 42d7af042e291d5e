//! "Did you mean": the indexed term closest to a query term found nowhere.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term};

/// The indexed term of `field` closest to `term` (edit distance 1, or 2 for terms
/// of 6+ characters), preferring the most frequent; None for short or numeric terms.
pub fn suggest(searcher: &Searcher, field: Field, term: &str) -> tantivy::Result<Option<String>> {
    let len = term.chars().count();
    if len < 4 || term.chars().any(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let max = if len >= 6 { 2 } else { 1 };
    // Typos rarely hit the first letter: only terms sharing it are scanned.
    let first = term.chars().next().unwrap_or('a');
    let mut buf = [0u8; 4];
    let mut best: Option<(usize, u64, String)> = None;
    super::terms_with_prefix(
        searcher,
        field,
        first.encode_utf8(&mut buf),
        |candidate, df| {
            let clen = candidate.chars().count();
            if clen.abs_diff(len) > max {
                return;
            }
            let Some(d) = bounded_distance(term, candidate, max) else {
                return;
            };
            let better = match &best {
                None => true,
                Some((bd, bdf, _)) => d < *bd || (d == *bd && df > *bdf),
            };
            if better {
                best = Some((d, df, candidate.to_string()));
            }
        },
    )?;
    Ok(best.map(|(_, _, t)| t))
}

/// How `stem` is written in the text: the first word of a passage containing it
/// whose analysis is `stem`, lower-cased (so a suggestion reads "diabetes", not
/// the stem "diabet"). Falls back to the stem.
pub fn surface(searcher: &Searcher, field: Field, stem: &str) -> tantivy::Result<String> {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
    let term = Term::from_field_text(field, stem);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let Some(postings) = segment
            .inverted_index(field)?
            .read_postings(&term, IndexRecordOption::Basic)?
        else {
            continue;
        };
        let doc = postings.doc();
        if doc == tantivy::TERMINATED {
            continue;
        }
        let stored: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc))?;
        let text = crate::schema::text_of(&stored, field);
        let mut tokenizer = SimpleTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            let word = stream.token().text.to_lowercase();
            if crate::analyzer::analyze(&word).first().map(String::as_str) == Some(stem) {
                return Ok(word);
            }
        }
    }
    Ok(stem.to_string())
}

/// Whether `suggestion` is close enough to what the user typed to be a plausible
/// typo of it: edit distance 1 for words under 6 letters, 2 from 6 on.
pub fn plausible(typed: &str, suggestion: &str) -> bool {
    let max = if typed.chars().count() >= 6 { 2 } else { 1 };
    bounded_distance(&typed.to_lowercase(), suggestion, max).is_some()
}

/// Levenshtein distance if it is at most `max`, else None.
pub fn bounded_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_typos() {
        assert!(plausible("diabetis", "diabetes"));
        assert!(plausible("Navy", "nave"));
        assert!(!plausible("navy", "navigation"));
        assert!(!plausible("diabetis", "diameter"));
    }

    #[test]
    fn edit_distance() {
        assert_eq!(bounded_distance("diabetis", "diabetes", 2), Some(1));
        assert_eq!(bounded_distance("cancer", "canker", 1), Some(1));
        assert_eq!(bounded_distance("abc", "xyz", 2), None);
    }
}
