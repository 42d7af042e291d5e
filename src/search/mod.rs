//! Search: query text → ranked passages with snippets.
//!
//! [`plan`] reads the query (plain text or query syntax) into a [`QueryPlan`]:
//! the first-stage tantivy query and the weighted terms of the second stage.
//! tantivy's BM25 summed over title, heading and body (boosted) finds the
//! candidates; [`crate::rank`] rescores them with BM25F; [`crate::snippet`] cuts the
//! snippets. [`spell`] suggests a correction for a word found nowhere, and
//! [`stopwords`] holds the stop list of plain queries.

/// Which mined short forms the collection writes as ordinary words.
pub mod abbrev;
/// Derivational families of a query word.
pub mod family;
/// The first stage's BM25 statistics.
mod first;
/// Query text → [`QueryPlan`].
pub mod plan;
/// Did-you-mean suggestions.
pub mod spell;
/// The stop list.
pub mod stopwords;
/// A set of text hashes, for counting different texts.
mod texts;
/// The first stage's collector: the top k and the run of ties at the k-th.
mod ties;

use std::path::Path;

use rustc_hash::FxHashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, IndexReader, Searcher, TantivyDocument, Term};

use crate::lexicon::Lexicon;
use crate::rank;
use crate::schema::{self, Fields};
use crate::snippet::Highlighter;
use crate::store::{self, Store, StoreError};

pub use crate::rank::RankParams;
pub use crate::snippet::Snippet;
pub use plan::{QueryPlan, uses_syntax};
pub use stopwords::is_stop_word;

/// A passage as [`Engine::ranked`] returns it: score, address, and how the
/// second stage scored it (boxed, as in [`Key`]).
type Ranked = (f32, DocAddress, Option<Box<rank::Explanation>>);

/// A ranked passage before its stored document is loaded.
struct Key {
    score: f32,
    address: DocAddress,
    /// Boxed: a key is moved and sorted a thousand times at `-n 1000`, and is
    /// explained only with `--explain`.
    explanation: Option<Box<rank::Explanation>>,
    id: String,
    /// [`schema::text_hash`] of its body.
    hash: u64,
    duplicates: Vec<String>,
}

/// Entries [`Seen::ids`] (and [`Seen::by_ord`]) hold at most (about 100 bytes each).
const SEEN_IDS: usize = 200_000;

/// Bytes of passage text [`Seen::texts`] holds at most.
const SEEN_TEXT_BYTES: usize = 32 << 20;

/// Ids decoded together around one that is asked for: the aligned run of this
/// many dictionary ordinals. Decoding a block of the (compressed) id dictionary is
/// the cost, reading more ids from a decoded block is almost free, and a batch
/// asks for most of them sooner or later.
const ID_WINDOW: u64 = 64;

/// The id and text-hash columns of a segment.
type IdColumns = (tantivy::columnar::StrColumn, tantivy::columnar::Column<u64>);

/// What the queries of a batch meet again, kept for the life of an [`Engine`]
/// (an index snapshot does not change under it): the ids and text hashes read
/// from the fast columns (a deep query decodes most blocks of the id dictionary),
/// and the passage texts loaded to confirm a duplicate (the same duplicates rank
/// for many queries). Bounded: when full, nothing more is kept.
#[derive(Default)]
struct Seen {
    /// Read-locked by every query of a batch (written only for ids not seen
    /// before): a mutex made the threads of a deep batch take turns.
    ids: std::sync::RwLock<FxHashMap<DocAddress, (String, u64)>>,
    /// Ids decoded beside one asked for ([`ID_WINDOW`]), by segment and ordinal.
    by_ord: std::sync::Mutex<FxHashMap<(u32, u64), String>>,
    /// The id and hash columns of each segment, opened on first use.
    columns: std::sync::Mutex<FxHashMap<u32, IdColumns>>,
    texts: std::sync::RwLock<(FxHashMap<DocAddress, std::sync::Arc<str>>, usize)>,
    /// Whether the engine answered a query before: until then (a one-off
    /// query) only the ids asked for are decoded, no [`ID_WINDOW`] around them
    /// (a sixth of a fresh query on a million-passage index).
    answered: std::sync::atomic::AtomicBool,
}

/// Words [`Memo`] holds at most.
const MEMO_WORDS: usize = 100_000;

/// A function of one query word, remembered for the life of an [`Engine`] (its
/// index snapshot does not change): batches ask about the same words again.
pub(crate) struct Memo<V>(std::sync::Mutex<FxHashMap<String, V>>);

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo(Default::default())
    }
}

impl<V: Clone> Memo<V> {
    /// What `get` gave for `word` before, if it was kept.
    pub(crate) fn cached(&self, word: &str) -> Option<V> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(word)
            .cloned()
    }

    /// `compute(word)`, or what it gave before.
    pub(crate) fn get<E>(
        &self,
        word: &str,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(v) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(word) {
            return Ok(v.clone());
        }
        let v = compute()?;
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if memo.len() < MEMO_WORDS {
            memo.insert(word.to_string(), v.clone());
        }
        Ok(v)
    }
}

/// The fast columns of a passage's id and text hash.
struct Columns<'a> {
    searcher: &'a Searcher,
    seen: &'a Seen,
}

impl<'a> Columns<'a> {
    fn new(searcher: &'a Searcher, seen: &'a Seen) -> Columns<'a> {
        Columns { searcher, seen }
    }

    /// The id and text hash of the passage at each of `addresses`, in order. The
    /// ids of one segment are read in one pass over its (compressed) dictionary,
    /// ordinals sorted: one block decoded per block touched, not per id; the
    /// other ids of the same [`ID_WINDOW`] are kept for later queries. Ids read
    /// before (by this engine) come from [`Seen`].
    fn keys(&mut self, addresses: &[DocAddress]) -> tantivy::Result<Vec<(String, u64)>> {
        let mut out = vec![(String::new(), 0u64); addresses.len()];
        let mut missing = Vec::new();
        {
            let seen = self.seen.ids.read().unwrap_or_else(|e| e.into_inner());
            for (i, address) in addresses.iter().enumerate() {
                match seen.get(address) {
                    Some(key) => out[i].clone_from(key),
                    None => missing.push(i),
                }
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let window = self
            .seen
            .answered
            .load(std::sync::atomic::Ordering::Relaxed);
        // Segment → (id ordinal, index in `out`).
        let mut wanted: std::collections::BTreeMap<u32, Vec<(u64, usize)>> =
            std::collections::BTreeMap::new();
        {
            let mut by_ord = self.seen.by_ord.lock().unwrap_or_else(|e| e.into_inner());
            for &i in &missing {
                let address = &addresses[i];
                let (ids, hashes) = self.open(address.segment_ord)?;
                out[i].1 = hashes.first(address.doc_id).unwrap_or(0);
                if let Some(ord) = ids.ords().first(address.doc_id) {
                    match by_ord.remove(&(address.segment_ord, ord)) {
                        Some(id) => out[i].0 = id,
                        None => wanted
                            .entry(address.segment_ord)
                            .or_default()
                            .push((ord, i)),
                    }
                }
            }
        }
        for (segment, mut ords) in wanted {
            ords.sort_unstable();
            let (ids, _) = self.open(segment)?;
            let room = window && {
                let by_ord = self.seen.by_ord.lock().unwrap_or_else(|e| e.into_inner());
                by_ord.len() + ords.len() * ID_WINDOW as usize <= SEEN_IDS
            };
            let mut sorted: Vec<u64> = Vec::with_capacity(ords.len());
            if room {
                let terms = ids.dictionary().num_terms() as u64;
                for &(ord, _) in &ords {
                    let start = ord / ID_WINDOW * ID_WINDOW;
                    let from = start.max(sorted.last().map_or(0, |&last| last + 1));
                    sorted.extend(from..(start + ID_WINDOW).min(terms));
                }
            } else {
                sorted.extend(ords.iter().map(|&(ord, _)| ord));
                sorted.dedup();
            }
            let mut next = ords.iter().peekable();
            let mut extra = Vec::new();
            let mut at = sorted.iter();
            ids.dictionary().sorted_ords_to_term_cb(&sorted, |bytes| {
                let Some(&ord) = at.next() else {
                    return;
                };
                let mut asked = false;
                while let Some(&&(o, i)) = next.peek() {
                    if o != ord {
                        break;
                    }
                    out[i].0 = String::from_utf8_lossy(bytes).into_owned();
                    asked = true;
                    next.next();
                }
                if !asked {
                    extra.push((ord, String::from_utf8_lossy(bytes).into_owned()));
                }
            })?;
            let mut by_ord = self.seen.by_ord.lock().unwrap_or_else(|e| e.into_inner());
            for (ord, id) in extra {
                if by_ord.len() >= SEEN_IDS {
                    break;
                }
                by_ord.insert((segment, ord), id);
            }
        }
        // A full cache is left alone without waiting for the write lock.
        if self
            .seen
            .ids
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .len()
            >= SEEN_IDS
        {
            return Ok(out);
        }
        let mut seen = self.seen.ids.write().unwrap_or_else(|e| e.into_inner());
        for i in missing {
            if seen.len() >= SEEN_IDS {
                break;
            }
            seen.insert(addresses[i], out[i].clone());
        }
        Ok(out)
    }

    /// The text hash of the passage at `address`.
    fn hash(&self, address: DocAddress) -> tantivy::Result<u64> {
        let (_, hashes) = self.open(address.segment_ord)?;
        Ok(hashes.first(address.doc_id).unwrap_or(0))
    }

    /// The id and hash columns of a segment, opened on first use by this engine.
    fn open(&self, segment_ord: u32) -> tantivy::Result<IdColumns> {
        if let Some(c) = self
            .seen
            .columns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&segment_ord)
        {
            return Ok(c.clone());
        }
        let fast = self.searcher.segment_reader(segment_ord).fast_fields();
        let ids = fast.str(schema::PASSAGE)?.ok_or_else(|| {
            tantivy::TantivyError::SchemaError(format!("no fast column {}", schema::PASSAGE))
        })?;
        let hashes = fast.u64(schema::TEXT_HASH)?;
        let c = (ids, hashes);
        self.seen
            .columns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(segment_ord, c.clone());
        Ok(c)
    }
}

/// Writes an explanation tree as a list, each part indented under its parent; the
/// parts of every line add up to it.
fn flatten(e: &rank::Explanation, depth: usize, out: &mut Vec<Contribution>) {
    out.push(Contribution {
        what: format!("{}{}", "  ".repeat(depth), e.what),
        score: e.value,
    });
    for part in &e.parts {
        flatten(part, depth + 1, out);
    }
}

/// Passages beyond the second stage's pool score at most this fraction of the
/// pool's lowest score.
const TAIL_FRACTION: f32 = 0.999;

/// First-stage scores this close (relative to the higher) are one score ([`tie`]).
const TIE_TOLERANCE: f32 = 1.0 / 65536.0;

/// Gives the first-stage scores `ranked` (best first) that lie within
/// [`TIE_TOLERANCE`] of the best of their run the same score, that one. tantivy
/// sums a passage's term scores in an order that depends on what else its
/// segment holds: passages whose scores are equal (the same words, the same
/// lengths) come out a few units in the last place apart, in an order that
/// changes with how ingest split the documents into segments. Made equal, they
/// are ordered by passage id like any tie.
fn tie(ranked: &mut [(f32, DocAddress)]) {
    let mut head = f32::NAN;
    for (score, _) in ranked.iter_mut() {
        if head - *score <= TIE_TOLERANCE * head.abs() {
            *score = head;
        } else {
            head = *score;
        }
    }
}

/// Sorts `keys` by score, best first, then by id: a total order (ids are
/// unique), so the layout of the index does not show. [`Engine::ranked`] gives
/// them in score order already (the rescored pool, then the first stage's tail
/// below it): then only the runs of equal scores are sorted, by id.
fn order_by_score_then_id(keys: &mut [Key]) {
    if !keys.is_sorted_by(|a, b| a.score.total_cmp(&b.score).is_ge()) {
        keys.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        return;
    }
    for run in keys.chunk_by_mut(|a, b| a.score.total_cmp(&b.score).is_eq()) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        }
    }
}

/// A query that could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot read the index: {0}")]
    /// tantivy cannot read the index.
    Index(#[from] tantivy::TantivyError),
}

/// How to answer one query.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// Hits returned at most (`-n`).
    pub limit: usize,
    /// Cut a snippet for every hit.
    pub snippets: bool,
    /// Load each hit's stored passage (title, heading, text, path, lines,
    /// language). Without (and without snippets), hits carry only their id,
    /// score and duplicates: all that TREC output prints.
    pub documents: bool,
    /// Say how each score was made (`--explain`).
    pub explain: bool,
    /// Snippet length in characters, about.
    pub snippet_chars: usize,
    /// Fold passages whose text equals a better-ranked one's into it (`duplicates`).
    pub collapse: bool,
    /// Only passages of articles in this language (`query --lang`).
    pub lang: Option<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippets: true,
            documents: true,
            explain: false,
            snippet_chars: 200,
            collapse: true,
            lang: None,
        }
    }
}

/// Something about how the query was read, for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Part of the query could not be parsed and was ignored.
    Parse(String),
    /// A word not in the index, and the indexed word closest to it.
    DidYouMean {
        /// The word as written.
        term: String,
        /// The suggested word.
        suggestion: String,
    },
    /// A phrase also searched as its synonyms or abbreviation forms.
    Expanded {
        /// The phrase as written.
        phrase: String,
        /// What it was also searched as.
        with: Vec<String>,
    },
    /// The query had only stop words; they were searched for anyway.
    OnlyStopWords,
    /// The query has no word at all (only punctuation or symbols): nothing was searched.
    NoWords,
    /// A word found nowhere in the index, with no indexed word close to it.
    NotFound(String),
    /// Query words that are only punctuation or symbols (`?`, `&`): not searched.
    Symbols(Vec<String>),
    /// `--lang` names a language no passage of the index is in; the languages
    /// it holds, with their passage counts (`en (120)`).
    NoLanguage(String, Vec<String>),
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::Parse(msg) => write!(f, "ignored part of the query: {msg}"),
            Note::DidYouMean { term, suggestion } => {
                write!(
                    f,
                    "\"{term}\" is not in the index; did you mean \"{suggestion}\"?"
                )
            }
            Note::Expanded { phrase, with } => {
                write!(f, "\"{phrase}\" also searched as: {}", with.join(", "))
            }
            Note::OnlyStopWords => {
                write!(f, "the query has only common words; results may be poor")
            }
            Note::NoWords => write!(
                f,
                "the query has no words to search for (letters or digits; a word longer than 40 bytes is not indexed); nothing was searched"
            ),
            Note::NotFound(word) => write!(
                f,
                "\"{word}\" is not in the index, and no indexed word is close to it"
            ),
            Note::NoLanguage(lang, held) => write!(
                f,
                "no passage of the index is in language \"{lang}\"; it holds: {}",
                held.join(", ")
            ),
            Note::Symbols(words) => {
                // Each once, and not thousands of them.
                let mut distinct: Vec<&String> = Vec::new();
                for w in words {
                    if !distinct.contains(&w) {
                        distinct.push(w);
                    }
                }
                let shown: Vec<String> = distinct
                    .iter()
                    .take(10)
                    .map(|w| format!("\"{w}\""))
                    .collect();
                write!(
                    f,
                    "not searched (only punctuation or symbols): {}",
                    shown.join(", ")
                )?;
                if distinct.len() > shown.len() {
                    write!(f, " and {} more", distinct.len() - shown.len())?;
                }
                Ok(())
            }
        }
    }
}

/// One clause's share of a hit's score.
#[derive(Clone, Debug)]
pub struct Contribution {
    /// The clause (`title:gout`).
    pub what: String,
    /// Its part of the score.
    pub score: f32,
}

/// One ranked passage.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    /// 1 for the best.
    pub rank: usize,
    /// The ranking score (higher is better).
    pub score: f32,
    /// `relative/path#anchor`.
    pub id: String,
    /// The article's path in the corpus.
    pub path: String,
    /// The article's title.
    pub title: String,
    /// The section's heading path.
    pub heading: String,
    /// The passage text.
    pub text: String,
    /// First and last line of the section in its source file.
    pub lines: (u64, u64),
    /// The article's language (`en`, `zh`, `und`…).
    pub lang: String,
    /// The snippet, when asked for.
    pub snippet: Option<Snippet>,
    /// How the score was made, when asked for (`--explain`).
    pub explain: Vec<Contribution>,
    /// Ids of lower-ranked passages with exactly the same text, folded into this one.
    pub duplicates: Vec<String>,
}

/// The answer to one query.
#[derive(Clone, Debug)]
pub struct Results {
    /// The query as given.
    pub query: String,
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// How the query was read (corrections, expansions, ignored parts).
    pub notes: Vec<Note>,
}

/// An open index ready to answer queries; cheap to share between threads.
pub struct Engine {
    /// The opened index.
    pub store: Store,
    _reader: IndexReader,
    searcher: Searcher,
    fields: Fields,
    /// The lexicon file's text; parsed on first use by a query it can match, so
    /// a one-off query whose words it does not contain never pays for parsing it.
    lexicon_text: String,
    lexicon: std::sync::OnceLock<Lexicon>,
    /// Queries that needed the lexicon so far: the first parses only its own
    /// groups ([`Lexicon::parse_for`]), later ones (a batch) the whole lexicon once.
    lexicon_uses: std::sync::atomic::AtomicUsize,
    params: RankParams,
    stats: rank::Stats,
    /// Which mined short forms the collection mostly writes as ordinary words.
    common_words: abbrev::Verdicts,
    /// Ids and texts read for earlier queries.
    seen: Seen,
    /// Derivational family of a term ([`family::family`]).
    families: Memo<Vec<String>>,
    /// Document frequencies of a term in title, heading and body ([`rank::doc_freqs`]).
    doc_freqs: Memo<[u64; 3]>,
    /// Spelling suggestion for a term found nowhere ([`spell::suggest`]).
    suggestions: Memo<Option<String>>,
    /// How the text writes a stem ([`spell::surface`]).
    surfaces: Memo<String>,
    /// Tokens in title, heading and body over the index (first-stage BM25).
    total_tokens: std::sync::OnceLock<[u64; 3]>,
}

impl Engine {
    /// Opens the index in `dir` for searching with these ranking parameters.
    pub fn open(dir: &Path, params: RankParams) -> Result<Engine, StoreError> {
        // Payload, segments and lexicon of one commit.
        let store::Snapshot {
            store,
            reader,
            lexicon_text,
        } = store::snapshot(dir)?;
        let corrupt = |e: tantivy::TantivyError| StoreError::Corrupt {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        };
        let searcher = reader.searcher();
        let fields = Fields::from_schema(&store.index.schema()).map_err(corrupt)?;
        let articles = store.payload.as_ref().map_or(0, |p| p.articles);
        let class_sizes = store.payload.as_ref().and_then(|p| p.class_sizes.clone());
        let stats = rank::Stats::new(&searcher, &fields, articles, class_sizes).map_err(corrupt)?;
        Ok(Engine {
            store,
            _reader: reader,
            searcher,
            fields,
            lexicon_text,
            lexicon: std::sync::OnceLock::new(),
            lexicon_uses: Default::default(),
            params,
            stats,
            common_words: abbrev::Verdicts::default(),
            seen: Seen::default(),
            families: Memo::default(),
            doc_freqs: Memo::default(),
            suggestions: Memo::default(),
            surfaces: Memo::default(),
            total_tokens: std::sync::OnceLock::new(),
        })
    }

    /// How many hits a query asking for `limit` can get: at least one, at most
    /// every passage (a deeper list holds nothing more, and the collectors size
    /// their room by it).
    pub fn depth(&self, limit: usize) -> usize {
        let passages = usize::try_from(self.searcher.num_docs()).unwrap_or(usize::MAX);
        limit.clamp(1, passages.max(1))
    }

    /// Answers one query: plan, first stage, second stage, snippets.
    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<Results, SearchError> {
        let mut plan = self.plan(text)?;
        if let Some(lang) = &options.lang {
            let query = std::mem::replace(&mut plan.query, Box::new(BooleanQuery::new(vec![])));
            plan.query = self.language_filter(query, lang);
            let term = Term::from_field_text(self.fields.lang, &lang.to_ascii_lowercase());
            if self.searcher.doc_freq(&term)? == 0 {
                let mut held: std::collections::BTreeMap<String, u64> = Default::default();
                for segment in self.searcher.segment_readers() {
                    let inverted = segment.inverted_index(self.fields.lang)?;
                    let mut stream = inverted
                        .terms()
                        .stream()
                        .map_err(tantivy::TantivyError::from)?;
                    while stream.advance() {
                        let tag = String::from_utf8_lossy(stream.key()).into_owned();
                        *held.entry(tag).or_default() += u64::from(stream.value().doc_freq);
                    }
                }
                let held = held
                    .into_iter()
                    .map(|(tag, n)| format!("{tag} ({n})"))
                    .collect();
                plan.notes.push(Note::NoLanguage(lang.clone(), held));
            }
        }
        let limit = self.depth(options.limit);
        // Passages with the same text as a better one are folded into it: the
        // first stage counts texts (by hash) and goes past `want` until it holds
        // `limit` different ones, so one pass finds them when there are. Ids and
        // text hashes come from fast fields: a stored document is loaded only for
        // a hit that is shown with its text (and to confirm a duplicate).
        let mut columns = Columns::new(&self.searcher, &self.seen);
        // A sixteenth more up front (on medquad-dev, 1% of the passages of a
        // deep ranking fold: median, 1.5% at the 90th percentile). The depth
        // sets the first stage's pruning threshold, and with it the last bits
        // of its scores: tantivy's block-WAND sums a passage's term scores in
        // the order its walk left the terms' postings in.
        let (want, distinct) = if options.collapse {
            (limit + limit / 16, limit)
        } else {
            (limit, 0)
        };
        let top = self.ranked(&plan, want, distinct, options.explain)?;
        let addresses: Vec<DocAddress> = top.iter().map(|&(_, a, _)| a).collect();
        let load = options.documents || options.snippets;
        // The first query of an engine that shows the hits' stored passages
        // anyway takes their ids from them: the id column's dictionary is read
        // a compressed block per id (a sixth of a fresh query), where a batch
        // has most ids cached. Passages cut below are loaded for nothing (the
        // ties past the limit, the folded duplicates): at most as many as are
        // shown, else the column it is (a run of hundreds of tied passages).
        let mut loaded: FxHashMap<DocAddress, TantivyDocument> = FxHashMap::default();
        let first_query = !self
            .seen
            .answered
            .load(std::sync::atomic::Ordering::Relaxed);
        let ids = if load && first_query && addresses.len() <= 2 * limit {
            let mut ids = Vec::with_capacity(addresses.len());
            for &address in &addresses {
                let doc: TantivyDocument = self.searcher.doc(address)?;
                ids.push((
                    schema::text_of(&doc, self.fields.id).to_string(),
                    columns.hash(address)?,
                ));
                loaded.insert(address, doc);
            }
            ids
        } else {
            columns.keys(&addresses)?
        };
        let mut keys = Vec::with_capacity(top.len());
        for ((score, address, explanation), (id, hash)) in top.into_iter().zip(ids) {
            keys.push(Key {
                score,
                address,
                explanation,
                id,
                hash,
                duplicates: Vec::new(),
            });
        }
        order_by_score_then_id(&mut keys);
        let mut keys = if options.collapse {
            self.collapse_duplicates(keys)?
        } else {
            keys
        };
        keys.truncate(limit);
        if !load && !options.explain {
            // Ids and scores only (TREC): each hit made in place, a thousand at
            // `-n 1000`, not built apart and moved in.
            let hits = keys
                .into_iter()
                .enumerate()
                .map(|(i, key)| Hit {
                    rank: i + 1,
                    score: key.score,
                    id: key.id,
                    duplicates: key.duplicates,
                    ..Hit::default()
                })
                .collect();
            return Ok(self.answer(text, hits, plan));
        }
        let mut hits = Vec::with_capacity(keys.len());
        let unloaded = TantivyDocument::new();
        for key in keys {
            let mut hit = if load {
                let doc: TantivyDocument = match loaded.remove(&key.address) {
                    Some(doc) => doc,
                    None => self.searcher.doc(key.address)?,
                };
                self.hit(key.score, key.address, &doc, options, &plan)?
            } else {
                self.hit(key.score, key.address, &unloaded, options, &plan)?
            };
            hit.id = key.id;
            hit.duplicates = key.duplicates;
            if let Some(e) = key.explanation {
                hit.explain.clear();
                flatten(&e, 0, &mut hit.explain);
            } else if options.explain && !plan.terms.is_empty() {
                self.explain_beyond_pool(&mut hit);
            }
            hits.push(hit);
        }
        if options.snippets {
            let mut highlighter = self.highlighter(&plan)?;
            for hit in &mut hits {
                hit.snippet = Some(highlighter.snippet(&hit.text, options.snippet_chars));
            }
        }
        for (i, hit) in hits.iter_mut().enumerate() {
            hit.rank = i + 1;
        }
        Ok(self.answer(text, hits, plan))
    }

    /// The answer to query `text`, noting that this engine has answered one.
    fn answer(&self, text: &str, hits: Vec<Hit>, plan: QueryPlan) -> Results {
        self.seen
            .answered
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Results {
            query: text.to_string(),
            hits,
            notes: plan.notes,
        }
    }

    /// The highlighter [`Engine::search`] cuts the snippets of `text` with, for
    /// hits ranked elsewhere (semantic fusion) without searching again.
    pub fn highlighter_for(&self, text: &str) -> Result<Highlighter, SearchError> {
        let plan = self.plan(text)?;
        Ok(self.highlighter(&plan)?)
    }

    /// Folds every passage whose text equals a better-ranked one's into that
    /// one's `duplicates`; `keys` are best first. Texts are compared by hash, and
    /// in full (stored documents) when the hashes match.
    fn collapse_duplicates(&self, keys: Vec<Key>) -> Result<Vec<Key>, SearchError> {
        // Most lists hold no two passages with one hash, and the rest few: one
        // pass over the hashes finds the hashes held twice, and only passages
        // with those go through the maps below (a thousand at `-n 1000`).
        let mut hashes = texts::TextSet::with_capacity(keys.len());
        let mut twice = texts::TextSet::default();
        for key in keys.iter().filter(|k| k.hash != 0) {
            if !hashes.insert(key.hash) {
                twice.insert(key.hash);
            }
        }
        drop(hashes);
        if twice.is_empty() {
            return Ok(keys);
        }
        let mut kept: Vec<Key> = Vec::with_capacity(keys.len());
        // Text hash held twice → index in `kept` of the first passage with it,
        // and of the later ones (texts that differ under the same hash: rare, so
        // kept apart rather than allocating a list per passage).
        let mut by_hash: FxHashMap<u64, usize> = FxHashMap::default();
        let mut more: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        let mut texts: FxHashMap<DocAddress, std::sync::Arc<str>> = FxHashMap::default();
        let mut text_of = |address: DocAddress| -> Result<std::sync::Arc<str>, SearchError> {
            if let Some(text) = texts.get(&address) {
                return Ok(text.clone());
            }
            let cached = {
                let seen = self.seen.texts.read().unwrap_or_else(|e| e.into_inner());
                seen.0.get(&address).cloned()
            };
            let text = match cached {
                Some(text) => text,
                None => {
                    let doc: TantivyDocument = self.searcher.doc(address)?;
                    let text: std::sync::Arc<str> = schema::text_of(&doc, self.fields.body).into();
                    let full = |seen: &(_, usize)| seen.1 + text.len() > SEEN_TEXT_BYTES;
                    // A full cache is left alone without waiting for the write lock.
                    if !full(&self.seen.texts.read().unwrap_or_else(|e| e.into_inner())) {
                        let mut seen = self.seen.texts.write().unwrap_or_else(|e| e.into_inner());
                        // Another thread may have loaded it meanwhile: counted once.
                        if !full(&seen) && !seen.0.contains_key(&address) {
                            seen.1 += text.len();
                            seen.0.insert(address, text.clone());
                        }
                    }
                    text
                }
            };
            texts.insert(address, text.clone());
            Ok(text)
        };
        for key in keys {
            if key.hash == 0 || !twice.contains(key.hash) {
                kept.push(key);
                continue;
            }
            let mut folded = None;
            if let Some(&first) = by_hash.get(&key.hash) {
                let text = text_of(key.address)?;
                let others = more.get(&key.hash).map_or(&[][..], Vec::as_slice);
                for &i in std::iter::once(&first).chain(others) {
                    if text_of(kept[i].address)? == text {
                        folded = Some(i);
                        break;
                    }
                }
                if folded.is_none() {
                    more.entry(key.hash).or_default().push(kept.len());
                }
            } else {
                by_hash.insert(key.hash, kept.len());
            }
            match folded {
                Some(i) => kept[i].duplicates.push(key.id),
                None => kept.push(key),
            }
        }
        Ok(kept)
    }

    /// The best passages for `plan`, best first, at least `limit` of them when
    /// there are, and further down until they hold `distinct` different texts
    /// (by hash; 0: texts are not counted), plus every passage tied with the
    /// last (the caller orders ties by id). The second stage rescores a fixed
    /// pool of the first stage's best
    /// ([`RankParams::candidates`]); passages beyond it follow in first-stage order,
    /// scored below the pool. So the top k is the same for every limit ≥ k, and the
    /// cost of the second stage does not grow with the limit.
    fn ranked(
        &self,
        plan: &QueryPlan,
        limit: usize,
        distinct: usize,
        explain: bool,
    ) -> Result<Vec<Ranked>, SearchError> {
        let pool = if plan.terms.is_empty() {
            0
        } else {
            self.params.candidates
        };
        // The first stage's order is score, then address. Its near-equal scores
        // are made one ([`tie`]); a run of them cut by the pool or the limit is
        // split by passage id below, so the collector returns all of it.
        let mut columns = Columns::new(&self.searcher, &self.seen);
        let hashes = if distinct > 0 {
            let segments = self.searcher.segment_readers().len() as u32;
            (0..segments)
                .map(|ord| columns.open(ord).ok().map(|(_, hashes)| hashes))
                .collect()
        } else {
            Vec::new()
        };
        let mut collector = ties::TopWithTies::new(limit.max(pool), distinct, hashes);
        // A query in query syntax has no terms to estimate its postings from:
        // block-WAND, as before.
        collector.exhaustive = (!plan.terms.is_empty()).then(|| ties::Exhaustive {
            postings: plan
                .terms
                .iter()
                .filter_map(|t| t.doc_freqs)
                .map(|d| d.iter().sum::<u64>())
                .sum(),
            passages: self
                .searcher
                .segment_readers()
                .iter()
                .map(|r| u64::from(r.max_doc()))
                .sum(),
            hits: self.params.candidates,
        });
        let cached = |text: &str| self.doc_freqs.cached(text);
        let statistics = first::Statistics {
            searcher: &self.searcher,
            fields: self.fields.text_fields(),
            cached: &cached,
            totals: &self.total_tokens,
        };
        let ties::Found {
            list: mut first,
            cut,
        } = self
            .searcher
            .search_with_statistics_provider(&*plan.query, &collector, &statistics)?;
        tie(&mut first);
        // Beyond the run at the cut nothing is used.
        if first.len() > cut {
            let last = first[cut - 1].0;
            let end = first.partition_point(|&(score, _)| score >= last);
            first.truncate(end);
        }
        let pool = pool.min(first.len());
        // Which passages of a tie split by the pool's cut are rescored is decided
        // by passage id, not by where the index stored them.
        if pool > 0 && pool < first.len() && first[pool].0 == first[pool - 1].0 {
            let score = first[pool].0;
            let from = first.partition_point(|&(s, _)| s > score);
            let to = first.partition_point(|&(s, _)| s >= score);
            let addresses: Vec<DocAddress> = first[from..to].iter().map(|&(_, a)| a).collect();
            let ids = columns.keys(&addresses)?;
            let mut tied: Vec<(String, DocAddress)> =
                ids.into_iter().map(|(id, _)| id).zip(addresses).collect();
            tied.sort_unstable();
            for (slot, (_, address)) in first[from..to].iter_mut().zip(tied) {
                slot.1 = address;
            }
        }
        let mut top: Vec<Ranked> = Vec::new();
        if pool > 0 {
            let addresses: Vec<DocAddress> = first[..pool].iter().map(|&(_, a)| a).collect();
            let rescored = rank::rerank(
                &self.searcher,
                &self.fields,
                &self.stats,
                &self.params,
                &plan.terms,
                &addresses,
                explain,
            )?;
            // Beyond the pool: first-stage scores scaled to just below the pool's
            // lowest, keeping their order.
            let lowest = rescored.last().map_or(0.0, |r| r.score).max(0.0);
            let boundary = first[pool - 1].0;
            let scale = if boundary > 0.0 {
                TAIL_FRACTION * lowest / boundary
            } else {
                0.0
            };
            top.extend(
                rescored
                    .into_iter()
                    .map(|r| (r.score, r.address, r.explanation.map(Box::new))),
            );
            top.extend(first[pool..].iter().map(|&(s, a)| (s * scale, a, None)));
        } else {
            top.extend(first.into_iter().map(|(s, a)| (s, a, None)));
        }
        // Keep every passage tied with the last one kept: which of them make the
        // cut is decided by passage id, not by where the index stored them. With
        // `distinct`, the last one kept is the limit-th passage or the one that
        // brings the distinct-th different text, whichever is later; all are
        // kept when the texts never reach `distinct`.
        let last = if distinct > 0 {
            let mut different = texts::TextSet::with_capacity(distinct.min(top.len()));
            let mut count = 0;
            let mut last = None;
            for (i, &(_, address, _)) in top.iter().enumerate() {
                let hash = match collector.hashes.get(address.segment_ord as usize) {
                    Some(Some(column)) => column.first(address.doc_id).unwrap_or(0),
                    _ => columns.hash(address)?,
                };
                count += usize::from(hash == 0 || different.insert(hash));
                if count == distinct {
                    last = Some(i.max(limit - 1));
                    break;
                }
            }
            last
        } else {
            Some(limit - 1)
        };
        if let Some(last) = last
            && top.len() > last + 1
        {
            let cut = top[last].0;
            let keep = top.iter().take_while(|(score, ..)| *score >= cut).count();
            top.truncate(keep);
        }
        Ok(top)
    }

    /// Explains a hit beyond the second stage's pool: the first stage's clauses,
    /// scaled to its score.
    fn explain_beyond_pool(&self, hit: &mut Hit) {
        let first: f32 = hit.explain.iter().map(|c| c.score).sum();
        let scale = if first > 0.0 { hit.score / first } else { 0.0 };
        for c in &mut hit.explain {
            c.what = format!("  {}", c.what);
            c.score *= scale;
        }
        hit.explain.insert(
            0,
            Contribution {
                what: format!(
                    "first stage only (beyond the {} candidates rescored), scaled below them",
                    self.params.candidates
                ),
                score: hit.score,
            },
        );
    }

    /// Highlights the body terms of the query, weighted by their idf.
    fn highlighter(&self, plan: &QueryPlan) -> tantivy::Result<Highlighter> {
        let mut terms: Vec<(String, f32)> = plan
            .terms
            .iter()
            .map(|t| (t.text.clone(), t.weight))
            .collect();
        let known_df: std::collections::HashMap<&str, u64> = plan
            .terms
            .iter()
            .filter_map(|t| t.doc_freqs.map(|d| (t.text.as_str(), d[2])))
            .collect();
        if terms.is_empty() {
            plan.query.query_terms(&mut |term, _| {
                if term.field() == self.fields.body
                    && let Some(text) = term.value().as_str()
                {
                    terms.push((text.to_string(), 1.0));
                }
            });
        }
        let n = self.stats.num_docs;
        let mut weighted = Vec::with_capacity(terms.len());
        for (text, weight) in terms {
            let df = match known_df.get(text.as_str()) {
                Some(&df) => df,
                None => self
                    .searcher
                    .doc_freq(&Term::from_field_text(self.fields.body, &text))?,
            };
            weighted.push((text, weight * rank::idf(df, n)));
        }
        Ok(Highlighter::new(weighted))
    }

    fn hit(
        &self,
        score: f32,
        address: DocAddress,
        doc: &TantivyDocument,
        options: &SearchOptions,
        plan: &QueryPlan,
    ) -> tantivy::Result<Hit> {
        let f = &self.fields;
        let text = schema::text_of(doc, f.body).to_string();
        let mut explain = Vec::new();
        if options.explain {
            for (what, clause) in &plan.clauses {
                let value = clause
                    .explain(&self.searcher, address)
                    .map(|e| e.value())
                    .unwrap_or(0.0);
                if value > 0.0 {
                    explain.push(Contribution {
                        what: what.clone(),
                        score: value,
                    });
                }
            }
            if plan.clauses.is_empty()
                && let Ok(e) = plan.query.explain(&self.searcher, address)
            {
                explain.push(Contribution {
                    what: e.to_pretty_json(),
                    score: e.value(),
                });
            }
        }
        Ok(Hit {
            rank: 0,
            score,
            id: schema::text_of(doc, f.id).to_string(),
            path: schema::text_of(doc, f.path).to_string(),
            title: schema::text_of(doc, f.title).to_string(),
            heading: schema::text_of(doc, f.heading).to_string(),
            lang: schema::text_of(doc, f.lang).to_string(),
            lines: (
                schema::u64_of(doc, f.line_start),
                schema::u64_of(doc, f.line_end),
            ),
            text,
            snippet: None,
            explain,
            duplicates: Vec::new(),
        })
    }

    /// `query` restricted to passages in language `lang` (the filter adds no score).
    fn language_filter(&self, query: Box<dyn Query>, lang: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(self.fields.lang, &lang.to_ascii_lowercase());
        let filter = ConstScoreQuery::new(
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            0.0,
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(filter)),
        ]))
    }

    /// The passage with this id, if any.
    pub fn passage(&self, id: &str) -> Result<Option<Hit>, SearchError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = self
            .searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(score, address)) = top.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = self.searcher.doc(address)?;
        let plan = QueryPlan {
            query: Box::new(query) as Box<dyn Query>,
            clauses: Vec::new(),
            notes: Vec::new(),
            terms: Vec::new(),
        };
        let options = SearchOptions {
            snippets: false,
            ..SearchOptions::default()
        };
        Ok(Some(self.hit(score, address, &doc, &options, &plan)?))
    }
}
/// Calls `visit(term, doc_freq)` for each term of `field` that starts with `prefix`,
/// segment by segment (a term in several segments is visited once in each); terms
/// that are not UTF-8 are skipped. Spelling suggestions and related forms scan with it.
pub(crate) fn terms_with_prefix(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    prefix: &str,
    mut visit: impl FnMut(&str, u64),
) -> tantivy::Result<()> {
    let from = prefix.as_bytes().to_vec();
    let mut to = from.clone();
    // Bytes of a UTF-8 string are below 0xFF: the successor prefix exists.
    match to.last_mut() {
        Some(last) => *last += 1,
        None => return Ok(()),
    }
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().range().ge(&from).lt(&to).into_stream()?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                visit(term, u64::from(stream.value().doc_freq));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run-wise sort gives what a full sort by score, then id, gives: on
    /// keys in score order with ties (the usual case) and on keys out of order.
    #[test]
    fn keys_ordered_by_score_then_id() {
        let key = |score: f32, id: &str| Key {
            score,
            address: DocAddress::new(0, 0),
            explanation: None,
            id: id.to_string(),
            hash: 0,
            duplicates: Vec::new(),
        };
        let listed = |keys: &[Key]| -> Vec<(f32, String)> {
            keys.iter().map(|k| (k.score, k.id.clone())).collect()
        };
        let sorted_ties = [
            (5.0, "e"),
            (3.0, "z"),
            (3.0, "a"),
            (3.0, "m"),
            (1.0, "b"),
            (0.0, "q"),
            (-0.0, "c"),
        ];
        let unordered = [
            (1.0, "b"),
            (3.0, "z"),
            (5.0, "e"),
            (3.0, "a"),
            (-0.0, "c"),
            (0.0, "q"),
            (3.0, "m"),
        ];
        for input in [&sorted_ties[..], &unordered[..]] {
            let mut keys: Vec<Key> = input.iter().map(|&(s, id)| key(s, id)).collect();
            order_by_score_then_id(&mut keys);
            let mut full: Vec<Key> = input.iter().map(|&(s, id)| key(s, id)).collect();
            full.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
            assert_eq!(listed(&keys), listed(&full));
            let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
            assert_eq!(ids, ["e", "a", "m", "z", "b", "q", "c"]);
        }
    }

    #[test]
    fn near_equal_first_stage_scores_become_one() {
        let at = |doc| DocAddress::new(0, doc);
        // 4.342628 and the next float up: one score, summed in two orders.
        let high = 4.342_628_f32;
        let noisy = f32::from_bits(high.to_bits() - 2);
        let mut ranked = vec![
            (9.5, at(0)),
            (high, at(1)),
            (noisy, at(2)),
            (4.3, at(3)),
            (4.3, at(4)),
            (1.0, at(5)),
        ];
        tie(&mut ranked);
        let scores: Vec<f32> = ranked.iter().map(|&(s, _)| s).collect();
        assert_eq!(scores, [9.5, high, high, 4.3, 4.3, 1.0]);
    }
}
