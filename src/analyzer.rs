//! The text analyzer shared by the index and the query side: split on
//! non-alphanumerics (CJK runs into bigrams), drop tokens over 40 bytes, lower-case, fold accents to ASCII,
//! Porter-stem (with a cache of stems, [`CachedStemmer`]). A change here changes the
//! terms in the index: bump [`crate::schema::SCHEMA_VERSION`].

use rustc_hash::FxHashMap;
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Name under which [`analyzer`] is registered in every opened index.
pub const ANALYZER: &str = "lectern_en";

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

/// The tokens of one text, from [`WordTokenizer`].
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

/// FxHash: the std SipHash and xxh3's streaming hasher cost more than the lookups
/// they serve here (short words, no untrusted keys worth a DoS-resistant hash).
type StemCache = FxHashMap<String, String>;

/// A token filter that stems each word (tantivy's stemmer), remembering the stems
/// of words already seen. Cloned with an empty cache.
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

/// The tokens of [`CachedStemmerFilter`]: the inner stream's, stemmed.
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

/// Tokenizes `text` with [`analyzer`] and returns the terms in order.
///
/// One analyzer per thread serves every call, instead of one built (its
/// filters, the stemmer) per call: the query side analyzes words one at a time
/// (query words, how a stem is written in a passage). Its stem cache holds the
/// same stems the stemmer gives ([`CachedStemmer`]).
pub fn analyze(text: &str) -> Vec<String> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(analyzer());
    }
    ANALYZER.with(|cell| {
        // A call from inside a token stream of this thread's analyzer (none
        // today) would find it borrowed: it gets an analyzer of its own.
        let mut own;
        let mut borrowed;
        let analyzer: &mut TextAnalyzer = match cell.try_borrow_mut() {
            Ok(b) => {
                borrowed = b;
                &mut borrowed
            }
            Err(_) => {
                own = analyzer();
                &mut own
            }
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::SimpleTokenizer;

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
}
