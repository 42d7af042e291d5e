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
        let mut tokenizer = crate::analyzer::WordTokenizer;
        let mut stream = tokenizer.token_stream(text);
        while stream.advance() {
            let word = stream.token().text.as_str();
            if word.len() == short.len() && word.to_lowercase() == lower {
                total += 1;
                as_defined += usize::from(word == short);
            }
        }
    }
    Ok(as_defined * 2 < total)
}
