//! The index schema: field names, field options and the text analyzer, defined once.
//!
//! Every other module refers to fields through [`Fields`], never by string, so a
//! renamed or added field is a change to this file alone. Bump [`SCHEMA_VERSION`]
//! whenever the schema or the analyzer changes: an index written by another version
//! is then rebuilt on the next ingest instead of being read with the wrong analyzer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{Index, TantivyDocument};

/// Version of the schema and analyzer. Part of the index payload.
pub const SCHEMA_VERSION: u32 = 5;

/// Name under which [`analyzer`] is registered in every opened index.
pub const ANALYZER: &str = "lectern_en";

pub const ID: &str = "id";
pub const PATH: &str = "path";
pub const TITLE: &str = "title";
pub const HEADING: &str = "heading";
pub const BODY: &str = "body";
pub const ORDINAL: &str = "ordinal";
pub const HEADING_CLASS: &str = "heading_class";
pub const LINE_START: &str = "line_start";
pub const LINE_END: &str = "line_end";
pub const LANG: &str = "lang";

/// Separator between the parts of a heading path, as stored and displayed.
pub const HEADING_SEPARATOR: &str = " › ";

/// Handles to the fields of a lectern index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `relative/path#anchor`, raw (untokenized), unique per passage.
    pub id: Field,
    /// Path of the source article relative to the corpus root; raw, used to delete an
    /// article's passages on re-ingest.
    pub path: Field,
    pub title: Field,
    /// The heading path, parts joined by [`HEADING_SEPARATOR`].
    pub heading: Field,
    pub body: Field,
    /// Position of the section within its article, from 0 (stored and fast).
    pub ordinal: Field,
    /// Hash of the section's own heading, normalised ([`heading_class`]); fast and
    /// indexed (its document frequency is the size of the class).
    pub heading_class: Field,
    /// First and last line (1-based, inclusive) of the section in the source file.
    pub line_start: Field,
    pub line_end: Field,
    /// The article's language (`en`, `zh`, `und`…), raw: `query --lang` filters on it.
    pub lang: Field,
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field(ID)?,
            path: schema.get_field(PATH)?,
            title: schema.get_field(TITLE)?,
            heading: schema.get_field(HEADING)?,
            body: schema.get_field(BODY)?,
            ordinal: schema.get_field(ORDINAL)?,
            heading_class: schema.get_field(HEADING_CLASS)?,
            line_start: schema.get_field(LINE_START)?,
            line_end: schema.get_field(LINE_END)?,
            lang: schema.get_field(LANG)?,
        })
    }

    /// The searchable text fields, in display order.
    pub fn text_fields(&self) -> [Field; 3] {
        [self.title, self.heading, self.body]
    }
}

pub fn build_schema() -> Schema {
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let number = NumericOptions::default().set_stored();
    let mut builder = Schema::builder();
    builder.add_text_field(ID, STRING | STORED);
    builder.add_text_field(PATH, STRING | STORED);
    builder.add_text_field(TITLE, text.clone());
    builder.add_text_field(HEADING, text.clone());
    builder.add_text_field(BODY, text);
    builder.add_u64_field(ORDINAL, number.clone().set_fast());
    builder.add_u64_field(
        HEADING_CLASS,
        NumericOptions::default().set_fast().set_indexed(),
    );
    builder.add_u64_field(LINE_START, number.clone());
    builder.add_u64_field(LINE_END, number);
    builder.add_text_field(LANG, STRING | STORED);
    builder.build()
}

/// English analyzer used on index and query side alike: split on non-alphanumerics
/// (runs of CJK characters into bigrams, [`WordTokenizer`]), drop tokens over 40
/// bytes, lower-case, fold accents to ASCII, Porter-stem.
/// Stop words are kept in the index (phrases need them) and dropped at query time.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// Characters of scripts written without spaces between words (Han, kana) and
/// Hangul: a run of them is indexed as overlapping bigrams, the usual dictionary-free
/// segmentation (Lucene's CJK analyzer does the same). As one token, a sentence of
/// Chinese was a single term (or dropped as too long), so its passage looked short
/// to BM25 and matched nothing.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF
        | 0x3040..=0x30FF
        | 0x3130..=0x318F
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FFFF)
}

/// tantivy's `SimpleTokenizer` (tokens are runs of alphanumeric characters), except
/// that a run of CJK characters ([`is_cjk`]) yields its bigrams (a lone character
/// yields itself).
#[derive(Clone, Copy, Default)]
pub struct WordTokenizer;

pub struct WordStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// The previous character was CJK (so a run's last character is already in
    /// the previous bigram).
    after_cjk: bool,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            text,
            chars: text.char_indices().peekable(),
            after_cjk: false,
            token: Token::default(),
        }
    }
}

impl WordStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, c)) = self.chars.next() {
            if is_cjk(c) {
                let after = std::mem::replace(&mut self.after_cjk, true);
                match self.chars.peek() {
                    Some(&(next, n)) if is_cjk(n) => {
                        return self.emit(start, next + n.len_utf8());
                    }
                    _ if after => continue,
                    _ => return self.emit(start, start + c.len_utf8()),
                }
            }
            self.after_cjk = false;
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(at, n)) = self.chars.peek() {
                if !n.is_alphanumeric() || is_cjk(n) {
                    break;
                }
                end = at + n.len_utf8();
                self.chars.next();
            }
            return self.emit(start, end);
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Words remembered by one [`CachedStemmer`] before it starts over.
const STEM_CACHE_WORDS: usize = 50_000;

/// tantivy's English [`Stemmer`] with a cache of the words it has stemmed.
///
/// Stemming was a fifth of ingest CPU, and the same few thousand words make up most
/// of any text. The stems are tantivy's own (a miss runs its stemmer on the word),
/// so the terms are exactly those of `Stemmer::new(Language::English)`. Each clone
/// of the analyzer (tantivy takes one per field and indexing thread) has its own
/// cache, starting empty; it is dropped when it reaches [`STEM_CACHE_WORDS`].
#[derive(Clone, Copy)]
pub struct CachedStemmer;

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            cache: StemCache::default(),
        }
    }
}

type StemCache = HashMap<String, String, BuildHasherDefault<WordHasher>>;

/// A fast hash for short words (FxHash's mixing; the std SipHash and xxh3's
/// streaming hasher cost more than the lookups they serve here).
#[derive(Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0 ^ word).wrapping_mul(K);
        }
        let mut tail = 0u64;
        for (i, &b) in chunks.remainder().iter().enumerate() {
            tail |= u64::from(b) << (8 * i);
        }
        self.0 = (self.0 ^ tail ^ bytes.len() as u64).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

pub struct CachedStemmerFilter<T> {
    inner: T,
    /// A raw (whole-input) tokenizer followed by tantivy's stemmer: stems one word.
    stemmer: TextAnalyzer,
    cache: StemCache,
}

impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        CachedStemmerFilter {
            inner: self.inner.clone(),
            stemmer: self.stemmer.clone(),
            cache: StemCache::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            cache: &mut self.cache,
        }
    }
}

pub struct CachedStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a mut TextAnalyzer,
    cache: &'a mut StemCache,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(token.text.as_str()) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let mut stream = self.stemmer.token_stream(&token.text);
        let stem = if stream.advance() {
            stream.token().text.clone()
        } else {
            token.text.clone()
        };
        drop(stream);
        if self.cache.len() >= STEM_CACHE_WORDS {
            self.cache.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.cache.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Analyzers are not persisted by tantivy: register ours on every opened index.
pub fn register_analyzer(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
}

/// The class of a section heading: sections whose own headings read the same once
/// lower-cased and stripped of digits and punctuation ("Treatment", "treatment (2)")
/// share a class. 0 for no heading.
pub fn heading_class(heading: &str) -> u64 {
    let key: String = heading
        .chars()
        .filter(|c| c.is_alphabetic() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
    if key.is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64(key.as_bytes()).max(1)
    }
}

/// Reads a stored text field of a document, or "" if absent.
pub fn text_of(doc: &TantivyDocument, field: Field) -> &str {
    use tantivy::schema::document::Value;
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
}

/// Reads a stored u64 field of a document, or 0 if absent.
pub fn u64_of(doc: &TantivyDocument, field: Field) -> u64 {
    use tantivy::schema::document::Value;
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Tokenizes `text` with [`analyzer`] and returns the terms in order.
pub fn analyze(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::SimpleTokenizer;

    #[test]
    fn analyzer_stems_lowercases_and_folds() {
        assert_eq!(
            analyze("Ménière's Treatments, CEA"),
            vec!["menier", "s", "treatment", "cea"]
        );
    }

    #[test]
    fn cached_stemmer_gives_tantivys_stems() {
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = analyzer();
        let text = "Running runners ran; the generalizations generalized, \
                    running again: Ménière's ÉTUDES études 1990s x-rays running runs";
        let tokens = |analyzer: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while let Some(token) = stream.next() {
                out.push((token.text.clone(), token.position, token.offset_from));
            }
            out
        };
        let expected = tokens(&mut plain);
        // Twice through the same analyzer: the second pass is served from the cache.
        assert_eq!(tokens(&mut cached), expected);
        assert_eq!(tokens(&mut cached), expected);
    }

    #[test]
    fn cjk_runs_become_bigrams_and_words_stay_words() {
        assert_eq!(
            analyze("读取文件 line-by-line 行"),
            vec!["读取", "取文", "文件", "line", "by", "line", "行"]
        );
        assert_eq!(analyze("Rust语言"), vec!["rust", "语言"]);
        // Positions count tokens, offsets point at the source.
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream("ab 中文字");
        let mut got = Vec::new();
        while let Some(t) = stream.next() {
            got.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        assert_eq!(
            got,
            [
                ("ab".to_string(), 0, 0, 2),
                ("中文".to_string(), 1, 3, 9),
                ("文字".to_string(), 2, 6, 12)
            ]
        );
    }

    #[test]
    fn heading_classes_ignore_case_digits_and_punctuation() {
        assert_eq!(heading_class("Treatment"), heading_class("treatment (2)"));
        assert_ne!(heading_class("Treatment"), heading_class("Causes"));
        assert_eq!(heading_class(""), 0);
        assert_eq!(heading_class("(2)"), 0);
    }

    #[test]
    fn schema_has_every_field() {
        let schema = build_schema();
        assert!(Fields::from_schema(&schema).is_ok());
    }
}
