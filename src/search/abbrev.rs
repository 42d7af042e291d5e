//! Whether a mined abbreviation can be trusted at query time, from the
//! collection's own text: a short form that the collection mostly writes as an
//! ordinary lower-case word ("GOT" beside "we got an error", "US" beside "let us")
//! is that word, not the abbreviation. Expanding it would send every query
//! containing the word to the long form, and the long form's queries to every
//! passage using the word.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::schema::Field;
use tantivy::tokenizer::{TokenStream, Tokenizer};
use tantivy::{Searcher, TantivyDocument, Term};

/// Passages read to see how the collection writes a word.
const SAMPLE: usize = 40;

/// Verdicts of [`is_common_word`], per short form, for the life of an opened index.
#[derive(Debug, Default)]
pub struct Verdicts(Mutex<HashMap<String, bool>>);

impl Verdicts {
    /// [`is_common_word`], remembered.
    pub fn common_word(
        &self,
        searcher: &Searcher,
        body: Field,
        short: &str,
    ) -> tantivy::Result<bool> {
        if let Some(&v) = self
            .0
            .lock()
            .ok()
            .and_then(|m| m.get(short).copied())
            .as_ref()
        {
            return Ok(v);
        }
        let v = is_common_word(searcher, body, short)?;
        if let Ok(mut m) = self.0.lock() {
            m.insert(short.to_string(), v);
        }
        Ok(v)
    }
}

/// True when `short` (a short form as defined, e.g. "GOT") is mostly written
/// otherwise in the bodies of the collection: of its occurrences (compared
/// case-insensitively) in up to [`SAMPLE`] passages containing it (those whose
/// ids come first, [`super::spell::first_by_id`]), fewer than half
/// are written as the short form. Phrases that are not one word of letters and
/// digits, or have no capital letter, are never common words here. User synonyms
/// are checked like mined pairs (the lexicon does not tell them apart): a synonym
/// written `MI` that the collection mostly writes `mi` is not expanded either.
pub fn is_common_word(searcher: &Searcher, body: Field, short: &str) -> tantivy::Result<bool> {
    if !short.chars().all(char::is_alphanumeric) || !short.chars().any(char::is_uppercase) {
        return Ok(false);
    }
    let lower = short.to_lowercase();
    let Some(term) = crate::analyzer::analyze(short).pop() else {
        return Ok(false);
    };
    let term = Term::from_field_text(body, &term);
    let (mut as_defined, mut total) = (0usize, 0usize);
    // The sample is the same whatever the segments: the passages whose ids come first.
    for address in super::spell::first_by_id(searcher, &term, SAMPLE)? {
        let stored: TantivyDocument = searcher.doc(address)?;
        let text = crate::schema::text_of(&stored, body);
        let (t, d) = if short.is_ascii() {
            ascii_occurrences(text, short)
        } else {
            occurrences(text, short, &lower)
        };
        total += t;
        as_defined += d;
    }
    Ok(as_defined * 2 < total)
}

/// Of the words of `text` ([`crate::analyzer::WordTokenizer`]'s tokens), how
/// many equal `short` compared case-insensitively (same length, same lower case
/// `lower`), and how many of those are written exactly as `short`.
fn occurrences(text: &str, short: &str, lower: &str) -> (usize, usize) {
    let (mut total, mut as_defined) = (0, 0);
    let mut tokenizer = crate::analyzer::WordTokenizer;
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let word = stream.token().text.as_str();
        if word.len() == short.len() && word.to_lowercase() == lower {
            total += 1;
            as_defined += usize::from(word == short);
        }
    }
    (total, as_defined)
}

/// [`occurrences`] for an ASCII `short`, without building tokens: the words that
/// can equal it are the tokenizer's runs of letters and digits (other than CJK)
/// that are all ASCII (the one non-ASCII character whose lower case is ASCII,
/// the Kelvin sign, is longer than its lower case, so no word holding it has the
/// length and lower case of an ASCII word). Such a word is `short` compared
/// case-insensitively with no letter or digit (other than CJK) on either side.
///
/// Performance: the places to check are where `short`'s first byte occurs in
/// either case, found with `memchr2`, instead of walking every word of the text.
fn ascii_occurrences(text: &str, short: &str) -> (usize, usize) {
    debug_assert!(short.is_ascii());
    let (bytes, wanted) = (text.as_bytes(), short.as_bytes());
    let Some(&first) = wanted.first() else {
        return (0, 0);
    };
    let is_word_char = |c: char| c.is_alphanumeric() && !crate::analyzer::is_cjk(c);
    let (mut total, mut as_defined) = (0, 0);
    let mut from = 0;
    while let Some(found) = memchr::memchr2(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        &bytes[from..],
    ) {
        let at = from + found;
        let end = at + wanted.len();
        from = at + 1;
        if end > bytes.len() || !bytes[at..end].eq_ignore_ascii_case(wanted) {
            continue;
        }
        // Both ends are character boundaries: `at` holds an ASCII byte, and so
        // does `end - 1`.
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
            continue;
        }
        total += 1;
        as_defined += usize::from(&bytes[at..end] == wanted);
        from = end;
    }
    (total, as_defined)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte scan counts what the tokenizer's words give, on texts with
    /// accents, CJK runs, digits, the Kelvin sign and words at both ends.
    #[test]
    fn ascii_scan_counts_the_tokenizers_words() {
        let texts = [
            "GOT it: we got an error, got. GOT",
            "got",
            "",
            "GOTé goté égot GOT中文got 中GOT文 got1 1got got_got got-GOT",
            "\u{212A}ot Kot KOT kot \u{212A}OT",
            "MI mi Mi mI MIs mi. (MI) MI\u{301} emi MI2",
            "US us, U.S. us US-US; US\nus\tUS",
            "ünited US über us ß US Ω us",
            "GOTGOT gotgot GOT aGOT GOTa _GOT_ got,GOT.got",
            "mimi MIMI mi-mi Mi\u{e9} \u{e9}MI MI\u{301}",
        ];
        let shorts = ["GOT", "KOT", "MI", "US", "G", "Got"];
        for text in texts {
            for short in shorts {
                let lower = short.to_lowercase();
                assert_eq!(
                    ascii_occurrences(text, short),
                    occurrences(text, short, &lower),
                    "{short:?} in {text:?}"
                );
            }
        }
        assert_eq!(
            ascii_occurrences("GOT it: we got an error, got. GOT", "GOT"),
            (4, 2)
        );
        // A word holding non-ASCII letters is another word.
        assert_eq!(ascii_occurrences("GOTé égot GOT中文", "GOT"), (1, 1));
    }
}
