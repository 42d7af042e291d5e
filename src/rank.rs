//! Ranking: every ranking parameter ([`RankParams`]), the BM25 idf, and the second
//! stage, BM25F over the best candidates of the first stage.
//!
//! tantivy scores a multi-field query as a *sum* of per-field BM25 scores, each
//! saturating on its own. For passages that share their article's title this is a
//! poor fit: a condition named in the question matches the title and the body of
//! every section of its article, and the body part of that match varies from
//! section to section with length and repetition, drowning the one or two words
//! that say which section is wanted ("symptoms", "inherited"). BM25F (Robertson,
//! Zaragoza & Taylor, 2004) first adds a term's length-normalised frequencies over
//! the fields, with field weights, and saturates once: a term already matched in
//! the title gains little from the body, so the distinguishing words decide.
//!
//! The second stage runs in four steps, each a function of its own:
//! [`term_idfs`] (collection statistics of each query term), [`features`]
//! (postings and field norms of each candidate), [`associate`] (heading-class
//! association) and [`score`] (the final formula, with its explanation).
//!
//! The statistics come straight from the index: term frequencies from the postings,
//! field lengths from the field norms, document frequencies and average lengths
//! from the segment readers. No stored document is read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use tantivy::InvertedIndexReader;
use tantivy::collector::Count;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

use crate::schema::Fields;

/// Declares [`RankParams`]: one field per parameter, its default, its
/// documentation (shown by `lectern query --help`), and `--param NAME=VALUE`.
macro_rules! rank_params {
    ($( #[doc = $doc:literal] $name:ident : $ty:ty = $default:expr, )*) => {
        /// Every ranking parameter, in one place. Each is settable with
        /// `--param NAME=VALUE`; the defaults are chosen on the benchmark (see
        /// BENCHMARKS.md).
        #[derive(Clone, Debug, PartialEq)]
        pub struct RankParams {
            /// Which scorer the second stage runs.
            pub ranking: Ranking,
            $( #[doc = $doc] pub $name: $ty, )*
        }

        impl Default for RankParams {
            fn default() -> Self {
                RankParams { ranking: Ranking::Default, $( $name: $default, )* }
            }
        }

        impl RankParams {
            /// Every parameter: (name, default as text, description).
            pub fn describe() -> Vec<(&'static str, String, &'static str)> {
                let d = RankParams::default();
                vec![$( (stringify!($name), d.$name.to_string(), $doc.trim()), )*]
            }

            /// Sets one parameter from `name=value`.
            pub fn set(&mut self, assignment: &str) -> Result<(), ParamError> {
                let (name, value) = assignment
                    .split_once('=')
                    .ok_or_else(|| ParamError::Syntax(assignment.to_string()))?;
                let bad = || ParamError::Value { name: name.to_string(), value: value.to_string() };
                match name.trim() {
                    $( stringify!($name) => {
                        let parsed = value.trim().parse::<$ty>().map_err(|_| bad())?;
                        if !ParamValue::in_range(&parsed) {
                            return Err(bad());
                        }
                        let before = std::mem::replace(&mut self.$name, parsed);
                        // k1 saturates (0 would divide 0 by 0); b is a share.
                        if !(self.k1 > 0.0
                            && [self.b_title, self.b_heading, self.b_body].iter().all(|&b| b <= 1.0))
                        {
                            self.$name = before;
                            return Err(bad());
                        }
                    } )*
                    _ => return Err(ParamError::Unknown(name.to_string())),
                }
                Ok(())
            }
        }
    };
}

rank_params! {
    /// First stage: boost of a title match (tantivy's BM25 summed over fields).
    first_title: f32 = 1.0,
    /// First stage: boost of a heading match.
    first_heading: f32 = 2.0,
    /// First stage: boost of a body match.
    first_body: f32 = 1.0,
    /// Candidates of the first stage rescored by the second (0 = first stage only).
    candidates: usize = 50,
    /// BM25F weight of the title field in a collection where every heading recurs (see title_plain).
    title: f32 = 8.0,
    /// BM25F weight of the heading field.
    heading: f32 = 5.0,
    /// BM25F weight of the body field.
    body: f32 = 1.0,
    /// BM25F term-frequency saturation.
    k1: f32 = 1.2,
    /// Length normalisation of the title (0 = none, 1 = full).
    b_title: f32 = 0.75,
    /// Length normalisation of the heading.
    b_heading: f32 = 0.75,
    /// Length normalisation of the body (and of the one field of --ranking bm25).
    b_body: f32 = 0.75,
    /// Weight of the title's own BM25 added to BM25F (the article's name keeps its strength).
    sep_title: f32 = 0.5,
    /// Non-zero: the title's document frequency counts in a term's BM25F idf (0: only where no heading or body holds the term).
    title_df: u8 = 0,
    /// Weight of the heading's own BM25 added to BM25F.
    sep_heading: f32 = 0.0,
    /// Weight of the body's own BM25 added to BM25F.
    sep_body: f32 = 0.0,
    /// Lead-section bonus (fraction of the score) when every literal query word is in the title, times the share of passages after their article's first.
    lead: f32 = 0.3,
    /// Heading-class association weight (a body word typical of a recurring heading).
    assoc: f32 = 3.0,
    /// Smallest heading class (passages sharing a heading) association learns from.
    min_class: u32 = 5,
    /// A word is typical of a heading class when its rate there is this many times its overall rate.
    assoc_ratio: f32 = 2.0,
    /// Weight of a synonym or abbreviation expansion, relative to a literal word.
    expansion: f32 = 0.5,
    /// Weight of a "did you mean" correction, relative to a literal word.
    fuzzy: f32 = 0.8,
    /// 1: the lead bonus yields to another candidate's heading that holds more query words (0: off).
    lead_yields: u8 = 1,
    /// 1: no heading association for a term some candidate has in its heading (0: off).
    assoc_yields: u8 = 1,
    /// Weight of a word of the same derivational family found in the index (treated → treatment).
    derived: f32 = 0.25,
    /// 1: an abbreviation or synonym group counts as its best form, not the sum of its forms (0: sum).
    best_form: u8 = 1,
    /// BM25F title weight in a collection without recurring headings; the weight moves to `title` with the share of passages under a heading shared by min_class passages or more.
    title_plain: f32 = 1.5,
}

/// The values a parameter of each type may take: weights and rates are finite
/// and not negative, switches are 0 or 1, counts at most a million (a pool is
/// allocated per query).
trait ParamValue {
    fn in_range(&self) -> bool;
}

impl ParamValue for f32 {
    fn in_range(&self) -> bool {
        self.is_finite() && *self >= 0.0
    }
}

impl ParamValue for u8 {
    fn in_range(&self) -> bool {
        *self <= 1
    }
}

impl ParamValue for u32 {
    fn in_range(&self) -> bool {
        *self <= 1_000_000
    }
}

impl ParamValue for usize {
    fn in_range(&self) -> bool {
        *self <= 1_000_000
    }
}

/// The second-stage scorer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ranking {
    /// BM25F over title, heading and body, with the lead bonus and heading association.
    #[default]
    Default,
    /// Plain BM25 over title, heading and body as one field (the baseline): literal
    /// words only, first-stage boosts 1/1/1, `k1` and `b_body`.
    Bm25,
}

impl RankParams {
    /// Parameters of a named preset: `default` or `bm25`.
    pub fn preset(name: &str) -> Result<RankParams, ParamError> {
        match name {
            "default" => Ok(RankParams::default()),
            "bm25" => Ok(RankParams {
                ranking: Ranking::Bm25,
                first_title: 1.0,
                first_heading: 1.0,
                first_body: 1.0,
                candidates: 100,
                expansion: 0.0,
                fuzzy: 0.0,
                derived: 0.0,
                ..RankParams::default()
            }),
            _ => Err(ParamError::Preset(name.to_string())),
        }
    }

    /// First-stage boosts of title, heading and body.
    pub fn first_stage(&self) -> [f32; 3] {
        [self.first_title, self.first_heading, self.first_body]
    }
}

/// A `--param` or `--ranking` that cannot be applied.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParamError {
    /// Not of the form `NAME=VALUE`.
    #[error("expected NAME=VALUE, got {0:?}")]
    Syntax(String),
    /// No parameter has this name.
    #[error("unknown ranking parameter {0:?} (see `lectern query --help`)")]
    Unknown(String),
    /// The value does not parse as the parameter's type.
    #[error(
        "ranking parameter {name}: {value:?} is not a valid value (numbers are finite and not negative, k1 above 0, b_* at most 1, switches 0 or 1, counts at most 1000000)"
    )]
    Value {
        /// The parameter.
        name: String,
        /// The value as given.
        value: String,
    },
    /// No preset has this name.
    #[error("unknown ranking {0:?} (known: default, bm25)")]
    Preset(String),
}

/// Why a term is in the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    /// A word of the query itself.
    Literal,
    /// Another form of a phrase of the query (abbreviation, synonym).
    Expansion,
    /// A "did you mean" replacement for a word found nowhere in the index.
    Correction,
    /// A word of the same derivational family as a query word (treat → treatment).
    Derived,
}

impl TermKind {
    /// Name used in explanations.
    pub fn label(self) -> &'static str {
        match self {
            TermKind::Literal => "word",
            TermKind::Expansion => "expansion",
            TermKind::Correction => "correction",
            TermKind::Derived => "related form",
        }
    }
}

/// One analyzed query term with its kind and weight (1 for a literal term, less
/// for an expansion or a correction).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryTerm {
    /// The analyzed term (a stem).
    pub text: String,
    /// Literal, expansion or correction.
    pub kind: TermKind,
    /// Its weight in the second stage.
    pub weight: f32,
    /// Document frequencies in title, heading and body, if already looked up.
    pub doc_freqs: Option<[u64; 3]>,
    /// What an expansion or correction stands for, as the user wrote it.
    pub origin: Option<String>,
    /// The term's form in an abbreviation or synonym group matched by the query
    /// (see [`Form`]); None for a term of no group.
    pub form: Option<Form>,
}

/// One form of a group of equivalent phrases matched by the query ("LDL",
/// "low-density lipoprotein"): form 0 is the query's own words, the others its
/// expansions. A group counts as its best form, not as the sum of its forms: a
/// passage that writes both (the one that merely defines the abbreviation) gains
/// nothing over one that uses either, and a form of other length counts as much
/// as the query's own form would (its score is rescaled by the ratio of their
/// idf sums), times its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Form {
    /// The group, numbered in the order the query matched them.
    pub group: u32,
    /// The form within the group: 0 for the query's own words.
    pub form: u32,
}

impl QueryTerm {
    /// How explanations name the term: `word "gout"`, `expansion "uric" (for UA)`.
    pub fn label(&self) -> String {
        match &self.origin {
            Some(origin) => format!("{} {:?} (for {origin})", self.kind.label(), self.text),
            None => format!("{} {:?}", self.kind.label(), self.text),
        }
    }
}

/// BM25's idf of a term found in `df` of `n` passages. Every scorer uses this one
/// formula with tantivy's statistics ([`total_docs`], `Searcher::doc_freq`): both
/// count deleted passages until their segment is merged, so `df <= n` and the idf
/// is never negative, however many passages an update has deleted.
pub fn idf(df: u64, n: u64) -> f32 {
    let (df, n) = (df as f32, n.max(df) as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Passages counted by the collection statistics, deleted ones included, as in
/// tantivy's own BM25 (`total_num_docs`): the same population as `doc_freq` and
/// the fields' token totals.
pub fn total_docs(searcher: &Searcher) -> u64 {
    searcher
        .segment_readers()
        .iter()
        .map(|s| u64::from(s.max_doc()))
        .sum()
}

/// Passages containing `term` in title, heading and body: the one per-field
/// document-frequency lookup.
pub fn doc_freqs(searcher: &Searcher, fields: &Fields, term: &str) -> tantivy::Result<[u64; 3]> {
    let mut dfs = [0; 3];
    for (f, field) in fields.text_fields().into_iter().enumerate() {
        dfs[f] = searcher.doc_freq(&Term::from_field_text(field, term))?;
    }
    Ok(dfs)
}

/// Collection statistics the scorer needs, computed once per opened index.
#[derive(Debug)]
pub struct Stats {
    /// Passages, deleted ones included (see [`total_docs`]).
    pub num_docs: u64,
    /// Average length in tokens of title, heading and body (at least 1).
    pub avg_len: [f32; 3],
    /// Share of the live passages that are not their article's first (0: every
    /// article is one passage, as abstracts are): the strength of the lead-section
    /// bonus, which picks an article's first section among its others.
    pub sectioned: f32,
    /// Share of the passages under a recurring heading (see [`Stats::templated`]),
    /// computed on first use.
    templated: std::sync::OnceLock<f32>,
    /// The heading-class sizes the commit recorded, if it did.
    class_sizes_recorded: Option<crate::store::ClassSizes>,
    /// Per body term, passages containing it per heading class; filled on demand
    /// (batches ask for the same common words again and again).
    class_counts: Mutex<FxHashMap<String, ClassCounts>>,
    /// Passages per heading class, looked up on demand.
    class_sizes: Mutex<FxHashMap<u64, u32>>,
    /// Per segment, its heading-class and ordinal columns, opened on first use
    /// (opening a column reads the segment's column directory: once per
    /// segment, not once per query).
    columns: Mutex<HashMap<u32, SegmentColumns>>,
    /// Per segment and term (of title, heading or body), where its postings
    /// are, looked up on demand: query after query, the second stage reads the
    /// postings of the same terms, and each read began with a term dictionary
    /// lookup (for a few postings of the candidates). Keyed by the segment's id, not its
    /// ordinal: a segment's files never change, so an entry is right for any
    /// searcher holding that segment. At most [`TERM_INFOS`] entries.
    term_infos: Mutex<FxHashMap<(SegmentId, Term), Option<TermInfo>>>,
}

/// Most term dictionary entries [`Stats`] remembers (each a term's bytes and
/// its [`TermInfo`]); past it, further terms are looked up every time.
const TERM_INFOS: usize = 500_000;

/// Passages containing a body term, in all and per heading class.
type ClassCounts = (u32, Arc<FxHashMap<u64, u32>>);

/// The fast columns the second stage reads for every candidate of a segment.
#[derive(Clone)]
struct SegmentColumns {
    class: tantivy::columnar::Column<u64>,
    ordinal: tantivy::columnar::Column<u64>,
}

impl std::fmt::Debug for SegmentColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SegmentColumns")
    }
}

impl Stats {
    /// Reads the statistics from the segments of `searcher`; `articles` is the
    /// number of articles of the same commit (its payload's count: counting paths
    /// in the segments would count an article whose passages went to two segments
    /// twice); `class_sizes`, the heading-class sizes it recorded, if it did.
    pub fn new(
        searcher: &Searcher,
        fields: &Fields,
        articles: u64,
        class_sizes: Option<crate::store::ClassSizes>,
    ) -> tantivy::Result<Stats> {
        let num_docs = total_docs(searcher);
        let mut avg_len = [0f32; 3];
        for (i, field) in fields.text_fields().into_iter().enumerate() {
            let mut tokens = 0u64;
            for segment in searcher.segment_readers() {
                tokens += segment.inverted_index(field)?.total_num_tokens();
            }
            avg_len[i] = (tokens as f32 / num_docs.max(1) as f32).max(1.0);
        }
        Ok(Stats {
            num_docs,
            avg_len,
            // Live articles among live passages.
            sectioned: sectioned(articles, searcher.num_docs()),
            templated: std::sync::OnceLock::new(),
            class_sizes_recorded: class_sizes,
            class_counts: Mutex::default(),
            class_sizes: Mutex::default(),
            columns: Mutex::default(),
            term_infos: Mutex::default(),
        })
    }

    /// The heading-class and ordinal columns of segment `segment_ord`.
    fn columns(&self, searcher: &Searcher, segment_ord: u32) -> tantivy::Result<SegmentColumns> {
        if let Some(c) = self
            .columns
            .lock()
            .ok()
            .and_then(|m| m.get(&segment_ord).cloned())
        {
            return Ok(c);
        }
        let fast = searcher.segment_reader(segment_ord).fast_fields();
        let c = SegmentColumns {
            class: fast.u64(crate::schema::HEADING_CLASS)?,
            ordinal: fast.u64(crate::schema::ORDINAL)?,
        };
        if let Ok(mut m) = self.columns.lock() {
            m.insert(segment_ord, c.clone());
        }
        Ok(c)
    }

    /// The postings of `term` in segment `segment` (`inverted`: its index of
    /// the term's field), as [`InvertedIndexReader::read_postings`] reads them,
    /// with the dictionary entry remembered.
    fn postings(
        &self,
        segment: SegmentId,
        inverted: &InvertedIndexReader,
        term: Term,
        option: IndexRecordOption,
    ) -> tantivy::Result<Option<SegmentPostings>> {
        let key = (segment, term);
        let known = self
            .term_infos
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        let info = match known {
            Some(info) => info,
            None => {
                let info = inverted.get_term_info(&key.1)?;
                if let Ok(mut m) = self.term_infos.lock()
                    && m.len() < TERM_INFOS
                {
                    m.insert(key, info.clone());
                }
                info
            }
        };
        Ok(match info {
            Some(info) => Some(inverted.read_postings_from_terminfo(&info, option)?),
            None => None,
        })
    }

    /// Passages of heading class `class`.
    fn class_size(&self, searcher: &Searcher, fields: &Fields, class: u64) -> tantivy::Result<u32> {
        if let Some(&size) = self
            .class_sizes
            .lock()
            .ok()
            .and_then(|m| m.get(&class).copied())
            .as_ref()
        {
            return Ok(size);
        }
        let size = searcher.doc_freq(&Term::from_field_u64(fields.heading_class, class))? as u32;
        if let Ok(mut m) = self.class_sizes.lock() {
            m.insert(class, size);
        }
        Ok(size)
    }

    /// Share of the passages whose heading class holds at least `min_class`
    /// passages: near 1 for templated articles (every article has its "Symptoms"
    /// and "Treatment"), 0 for abstracts and pages with headings of their own.
    /// Read from the sizes the commit recorded; for an index written before they
    /// were, from the heading-class term dictionary, once per opened index.
    pub fn templated(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        min_class: u32,
    ) -> tantivy::Result<f32> {
        if let Some(&share) = self.templated.get() {
            return Ok(share);
        }
        if let Some(recorded) = &self.class_sizes_recorded {
            let share =
                templated_share(recorded.sizes.iter().copied(), min_class, recorded.passages);
            return Ok(*self.templated.get_or_init(|| share));
        }
        let none = Term::from_field_u64(fields.heading_class, 0);
        let mut sizes: HashMap<Vec<u8>, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(fields.heading_class)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if stream.key() != none.serialized_value_bytes() {
                    *sizes.entry(stream.key().to_vec()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let share = templated_share(
            sizes.into_values().map(|n| (n, 1)),
            min_class,
            self.num_docs,
        );
        Ok(*self.templated.get_or_init(|| share))
    }

    /// For each heading class, how many passages contain `term` in their body,
    /// and their sum.
    fn class_frequencies(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        term: &str,
    ) -> tantivy::Result<ClassCounts> {
        let cached = self
            .class_counts
            .lock()
            .ok()
            .and_then(|c| c.get(term).cloned());
        if let Some(counts) = cached {
            return Ok(counts);
        }
        let counts = Arc::new(count_classes(searcher, fields, term)?);
        let total = counts.values().sum();
        if let Ok(mut cache) = self.class_counts.lock() {
            cache.insert(term.to_string(), (total, counts.clone()));
        }
        Ok((total, counts))
    }
}

/// Share of `passages` that are not the first of one of `articles` articles.
pub fn sectioned(articles: u64, passages: u64) -> f32 {
    if passages == 0 {
        return 0.0;
    }
    1.0 - articles.min(passages) as f32 / passages as f32
}

/// Share of `passages` in heading classes of at least `min_class` passages;
/// `classes` gives `(size, classes of that size)`.
pub fn templated_share(
    classes: impl IntoIterator<Item = (u64, u64)>,
    min_class: u32,
    passages: u64,
) -> f32 {
    let recurring: u64 = classes
        .into_iter()
        .filter(|&(n, _)| n >= u64::from(min_class))
        .map(|(n, k)| n * k)
        .sum();
    (recurring as f32 / passages.max(1) as f32).min(1.0)
}

/// Collection weight of one query term.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TermIdf {
    /// idf of the BM25F sum (from the larger of the term's heading and body
    /// document frequencies; the title's only when neither holds it, or with
    /// `title_df` non-zero from the field where it is most frequent), or of the
    /// joined field for [`Ranking::Bm25`].
    pub joint: f32,
    /// idf in title, heading and body, for each field's own BM25.
    pub field: [f32; 3],
}

/// Step 1: the idf of every query term.
pub fn term_idfs(
    searcher: &Searcher,
    fields: &Fields,
    stats: &Stats,
    params: &RankParams,
    terms: &[QueryTerm],
) -> tantivy::Result<Vec<TermIdf>> {
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        let dfs = match term.doc_freqs {
            Some(dfs) => dfs,
            None => doc_freqs(searcher, fields, &term.text)?,
        };
        let joint_df = match params.ranking {
            // A title is copied to every passage of its article: its passage count
            // says how long the article is, not how common the word is. It counts
            // only for a word that no heading or body holds.
            Ranking::Default => match dfs[1].max(dfs[2]) {
                heading_or_body if heading_or_body > 0 && params.title_df == 0 => heading_or_body,
                heading_or_body => heading_or_body.max(dfs[0]),
            },
            // Passages with the term in any field: the df of the joined field.
            Ranking::Bm25 => {
                let clauses: Vec<(Occur, Box<dyn Query>)> = fields
                    .text_fields()
                    .into_iter()
                    .zip(dfs)
                    .filter(|&(_, df)| df > 0)
                    .map(|(field, _)| {
                        let q: Box<dyn Query> = Box::new(TermQuery::new(
                            Term::from_field_text(field, &term.text),
                            IndexRecordOption::Basic,
                        ));
                        (Occur::Should, q)
                    })
                    .collect();
                if clauses.is_empty() {
                    0
                } else {
                    searcher.search(&BooleanQuery::new(clauses), &Count)? as u64
                }
            }
        };
        out.push(TermIdf {
            joint: idf(joint_df, stats.num_docs),
            field: dfs.map(|df| idf(df, stats.num_docs)),
        });
    }
    Ok(out)
}

/// What the second stage knows about one candidate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Features {
    /// Per query term, what the candidate holds of it (one list, not one per
    /// feature: a batch allocates one per candidate).
    pub terms: Vec<TermFeatures>,
    /// Tokens in title + heading + body (for [`Ranking::Bm25`]).
    pub len: f32,
    /// The passage is its article's first section (and no other candidate's
    /// heading matches more literal query words than its own: see [`rerank`]).
    pub lead: bool,
    /// Its heading class (0: none).
    pub class: u64,
}

/// What a candidate holds of one query term.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TermFeatures {
    /// Per field, the length-normalised frequency tf / (1 - b + b·len/avg).
    pub tf: [f32; 3],
    /// The raw frequency over all fields (for [`Ranking::Bm25`]).
    pub raw_tf: f32,
    /// The heading-association pseudo-frequency ([`associate`]).
    pub assoc: f32,
}

impl Features {
    fn new(terms: usize) -> Features {
        Features {
            terms: vec![TermFeatures::default(); terms],
            ..Features::default()
        }
    }
}

/// Step 2: term frequencies, field lengths, lead flag and heading class of every
/// candidate, from postings, field norms and fast fields (no stored document).
pub fn features(
    searcher: &Searcher,
    fields: &Fields,
    stats: &Stats,
    params: &RankParams,
    terms: &[QueryTerm],
    candidates: &[DocAddress],
) -> tantivy::Result<Vec<Features>> {
    let b = [params.b_title, params.b_heading, params.b_body];
    let mut out = vec![Features::new(terms.len()); candidates.len()];
    // Candidates grouped by segment, doc ids ascending for the postings seeks.
    let mut by_segment: FxHashMap<u32, Vec<(u32, usize)>> = FxHashMap::default();
    for (i, address) in candidates.iter().enumerate() {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push((address.doc_id, i));
    }
    for (segment_ord, mut docs) in by_segment {
        docs.sort_unstable();
        let segment = searcher.segment_reader(segment_ord);
        let columns = stats.columns(searcher, segment_ord)?;
        for &(doc, i) in &docs {
            out[i].class = columns.class.first(doc).unwrap_or(0);
            out[i].lead = columns.ordinal.first(doc) == Some(0);
        }
        for (f, field) in fields.text_fields().into_iter().enumerate() {
            let norms = segment.get_fieldnorms_reader(field)?;
            if params.ranking == Ranking::Bm25 {
                for &(doc, i) in &docs {
                    out[i].len += norms.fieldnorm(doc) as f32;
                }
            }
            let inverted = segment.inverted_index(field)?;
            for (t, term) in terms.iter().enumerate() {
                if term.doc_freqs.is_some_and(|d| d[f] == 0) {
                    continue;
                }
                let Some(mut postings) = stats.postings(
                    segment.segment_id(),
                    &inverted,
                    Term::from_field_text(field, &term.text),
                    IndexRecordOption::WithFreqs,
                )?
                else {
                    continue;
                };
                for &(doc, i) in &docs {
                    if postings.doc() > doc || postings.seek(doc) != doc {
                        continue;
                    }
                    let len = norms.fieldnorm(doc) as f32;
                    let norm = 1.0 - b[f] + b[f] * len / stats.avg_len[f];
                    let freq = postings.term_freq() as f32;
                    out[i].terms[t].tf[f] = freq / norm;
                    out[i].terms[t].raw_tf += freq;
                }
            }
        }
    }
    Ok(out)
}

/// Step 3, the collection side of heading association: for the heading classes of
/// the candidates, their sizes, and for each term its body frequency per class
/// (empty for a term that [`associate`] passes over).
pub fn class_table(
    searcher: &Searcher,
    fields: &Fields,
    stats: &Stats,
    params: &RankParams,
    terms: &[QueryTerm],
    features: &[Features],
) -> tantivy::Result<ClassTable> {
    let mut sizes: FxHashMap<u64, u32> = FxHashMap::default();
    for c in features.iter().map(|f| f.class) {
        if c != 0 && !sizes.contains_key(&c) {
            sizes.insert(c, stats.class_size(searcher, fields, c)?);
        }
    }
    sizes.retain(|_, size| *size >= params.min_class);
    // The postings of a term the association passes over are not walked.
    let passed_over = passed_over(params, terms, features);
    let mut counts = Vec::with_capacity(terms.len());
    let mut totals = Vec::with_capacity(terms.len());
    for (term, &passed_over) in terms.iter().zip(&passed_over) {
        let (total, by_class) = if sizes.is_empty() || passed_over {
            (0, Arc::default())
        } else {
            stats.class_frequencies(searcher, fields, &term.text)?
        };
        counts.push(by_class);
        totals.push(total);
    }
    Ok(ClassTable {
        num_docs: stats.num_docs,
        sizes,
        counts,
        totals,
    })
}

/// Heading classes of the candidates: sizes (classes under `min_class` left out)
/// and, per query term, passages of each class whose body contains it.
#[derive(Clone, Debug, Default)]
pub struct ClassTable {
    /// Passages in the index (as [`Stats::num_docs`]).
    pub num_docs: u64,
    /// Passages of each heading class of the candidates, at least `min_class`.
    pub sizes: FxHashMap<u64, u32>,
    /// Per query term: passages of each class whose body contains it.
    pub counts: Vec<Arc<FxHashMap<u64, u32>>>,
    /// Per query term: passages whose body contains it (the sum of its `counts`,
    /// computed once per term, not once per query).
    pub totals: Vec<u32>,
}

/// The lead-section bonus must not fire against a heading that matches the query
/// better: when some candidate's heading holds every literal query word, a lead
/// whose heading does not is not treated as a lead.
pub fn demote_leads(terms: &[QueryTerm], features: &mut [Features]) {
    let literal = terms.iter().filter(|t| t.kind == TermKind::Literal).count();
    let (in_heading, _) = heading_matches(terms, features);
    if literal == 0 || !in_heading.contains(&literal) {
        return;
    }
    for (f, n) in features.iter_mut().zip(in_heading) {
        if n < literal {
            f.lead = false;
        }
    }
}

/// The terms [`associate`] leaves alone: those some candidate holds in its heading
/// (unless `assoc_yields` is 0).
fn passed_over(params: &RankParams, terms: &[QueryTerm], features: &[Features]) -> Vec<bool> {
    let (_, mut in_some_heading) = heading_matches(terms, features);
    if params.assoc_yields == 0 {
        in_some_heading.fill(false);
    }
    in_some_heading
}

/// Literal query words in each candidate's heading, and whether each term is in
/// some candidate's heading.
fn heading_matches(terms: &[QueryTerm], features: &[Features]) -> (Vec<usize>, Vec<bool>) {
    let per_candidate = features
        .iter()
        .map(|f| {
            terms
                .iter()
                .enumerate()
                .filter(|(t, term)| term.kind == TermKind::Literal && f.terms[*t].tf[1] > 0.0)
                .count()
        })
        .collect();
    let per_term = (0..terms.len())
        .map(|t| features.iter().any(|f| f.terms[t].tf[1] > 0.0))
        .collect();
    (per_candidate, per_term)
}

/// Step 3: heading-class association. Sections whose heading recurs across the
/// collection ("Treatment", "How common is it") form a class; a query term
/// over-represented in that class's bodies (rate P(t|class) at least `assoc_ratio`
/// times its overall rate P(t)) counts, for every section of the class, as a
/// partial heading match of strength `assoc` · P(t|class). Collections without
/// recurring headings (abstracts) have no classes and are unaffected.
///
/// A term found literally in some candidate's heading is left alone: that heading
/// answers it better than any association can.
pub fn associate(
    params: &RankParams,
    terms: &[QueryTerm],
    table: &ClassTable,
    features: &mut [Features],
) {
    if params.assoc <= 0.0 || table.sizes.is_empty() {
        return;
    }
    let passed_over = passed_over(params, terms, features);
    for (t, by_class) in table.counts.iter().enumerate() {
        if passed_over[t] {
            continue;
        }
        let df = table.totals[t];
        let p_t = df as f32 / (table.num_docs as f32).max(1.0);
        for f in features.iter_mut() {
            let (Some(&size), Some(&count)) = (table.sizes.get(&f.class), by_class.get(&f.class))
            else {
                continue;
            };
            let p_tc = count as f32 / size as f32;
            if p_tc >= params.assoc_ratio * p_t {
                f.terms[t].assoc = params.assoc * p_tc;
            }
        }
    }
}

/// A score and where it comes from: the parts add up to the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// What this part is.
    pub what: String,
    /// Its value.
    pub value: f32,
    /// The parts it adds up from (empty for a leaf).
    pub parts: Vec<Explanation>,
}

impl Explanation {
    fn leaf(what: String, value: f32) -> Explanation {
        Explanation {
            what,
            value,
            parts: Vec::new(),
        }
    }
}

const FIELD_NAMES: [&str; 3] = ["title", "heading", "body"];

/// Step 4: the final score of one candidate, with its explanation when asked.
/// `avg_len` is the collection's average length of title, heading and body.
pub fn score(
    params: &RankParams,
    terms: &[QueryTerm],
    idfs: &[TermIdf],
    avg_len: [f32; 3],
    f: &Features,
    explain: bool,
) -> (f32, Option<Explanation>) {
    let k1 = params.k1;
    let saturate = |x: f32| x * (k1 + 1.0) / (k1 + x);
    let mut parts = Vec::new();
    if params.ranking == Ranking::Bm25 {
        let b = params.b_body;
        let norm = 1.0 - b + b * f.len / avg_len.iter().sum::<f32>().max(1.0);
        let mut total = 0.0;
        for (t, (term, held)) in terms.iter().zip(&f.terms).enumerate() {
            if term.kind != TermKind::Literal || held.raw_tf == 0.0 {
                continue;
            }
            let v = idfs[t].joint * saturate(held.raw_tf / norm);
            total += v;
            if explain {
                parts.push(Explanation::leaf(
                    format!(
                        "{}: BM25 over title+heading+body, tf {}, idf {:.3}",
                        term.label(),
                        held.raw_tf,
                        idfs[t].joint
                    ),
                    v,
                ));
            }
        }
        return (
            total,
            explain.then(|| tree("BM25, one field", total, parts)),
        );
    }
    let weights = [params.title, params.heading, params.body];
    let separate = [params.sep_title, params.sep_heading, params.sep_body];
    let literal = terms.iter().filter(|t| t.kind == TermKind::Literal).count();
    let mut literal_in_title = 0;
    let mut bm25f = 0.0;
    let mut values = Vec::with_capacity(terms.len());
    for (t, (term, held)) in terms.iter().zip(&f.terms).enumerate() {
        if term.kind == TermKind::Literal && held.tf[0] > 0.0 {
            literal_in_title += 1;
        }
        // BM25F: weighted, normalised frequencies summed over fields (and the
        // association pseudo-frequency), saturated once.
        let x: f32 = (0..3).map(|i| weights[i] * held.tf[i]).sum::<f32>() + held.assoc;
        // (Written out in this order so that scores stay bit-identical to before.)
        let v = term.weight * idfs[t].joint * x * (k1 + 1.0) / (k1 + x);
        bm25f += v;
        values.push(v);
        if explain && x > 0.0 {
            // Each field's share of the saturated value, in proportion to its share
            // of x: the parts add up to the term's score.
            let mut shares = Vec::new();
            for i in 0..3 {
                let xi = weights[i] * held.tf[i];
                if xi > 0.0 {
                    shares.push(Explanation::leaf(
                        format!(
                            "{} (weight {:.3}, normalised tf {:.3})",
                            FIELD_NAMES[i], weights[i], held.tf[i]
                        ),
                        v * xi / x,
                    ));
                }
            }
            if held.assoc > 0.0 {
                shares.push(Explanation::leaf(
                    format!("heading association (pseudo-tf {:.3})", held.assoc),
                    v * held.assoc / x,
                ));
            }
            parts.push(tree(
                &format!(
                    "{}: BM25F, weight {} × idf {:.3} × saturation",
                    term.label(),
                    term.weight,
                    idfs[t].joint
                ),
                v,
                shares,
            ));
        }
    }
    // Each field's own BM25, for fields whose match is evidence of its own.
    let mut own = 0.0;
    for i in 0..3 {
        if separate[i] == 0.0 {
            continue;
        }
        for (t, (term, held)) in terms.iter().zip(&f.terms).enumerate() {
            if held.tf[i] > 0.0 {
                let x = held.tf[i];
                let v = separate[i] * term.weight * idfs[t].field[i] * x * (k1 + 1.0) / (k1 + x);
                own += v;
                if explain {
                    parts.push(Explanation::leaf(
                        format!(
                            "{}: {}'s own BM25 × {}",
                            term.label(),
                            FIELD_NAMES[i],
                            separate[i]
                        ),
                        v,
                    ));
                }
            }
        }
    }
    if params.best_form != 0 {
        let adjust = best_form_adjustment(terms, idfs, &values);
        if adjust != 0.0 {
            bm25f += adjust;
            if explain {
                parts.push(Explanation::leaf(
                    "abbreviations and synonyms: each group counts as its best form, \
                     rescaled to the query's form"
                        .to_string(),
                    adjust,
                ));
            }
        }
    }
    let mut total = bm25f + own;
    if f.lead && literal > 0 && literal_in_title == literal && params.lead != 0.0 {
        let before = total;
        total *= 1.0 + params.lead;
        if explain {
            parts.push(Explanation::leaf(
                format!(
                    "lead-section bonus: every query word is in the title (× {:.3})",
                    1.0 + params.lead
                ),
                total - before,
            ));
        }
    }
    (total, explain.then(|| tree("BM25F", total, parts)))
}

/// What turns the sum of the BM25F `values` of the terms into, for each group of
/// [`Form`]s, the best of its forms: form 0 (the query's own words) as it is, every
/// other form rescaled by idf sum of form 0 / its own idf sum.
fn best_form_adjustment(terms: &[QueryTerm], idfs: &[TermIdf], values: &[f32]) -> f32 {
    // (group, form) → (sum of values, sum of idfs)
    let mut forms: Vec<(Form, f32, f32)> = Vec::new();
    for (t, term) in terms.iter().enumerate() {
        let Some(form) = term.form else { continue };
        match forms.iter_mut().find(|(f, ..)| *f == form) {
            Some(entry) => {
                entry.1 += values[t];
                entry.2 += idfs[t].joint;
            }
            None => forms.push((form, values[t], idfs[t].joint)),
        }
    }
    let mut adjust = 0.0;
    let mut groups: Vec<u32> = forms.iter().map(|(f, ..)| f.group).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let of_group = || forms.iter().filter(move |(f, ..)| f.group == group);
        let own = of_group()
            .find(|(f, ..)| f.form == 0)
            .map(|&(_, _, idf)| idf);
        let summed: f32 = of_group().map(|&(_, v, _)| v).sum();
        let best = of_group()
            .map(|&(f, v, idf)| match own {
                Some(own) if f.form != 0 && idf > 0.0 => v * own / idf,
                _ => v,
            })
            .fold(0.0f32, f32::max);
        adjust += best - summed;
    }
    adjust
}

fn tree(what: &str, value: f32, parts: Vec<Explanation>) -> Explanation {
    Explanation {
        what: what.to_string(),
        value,
        parts,
    }
}

/// A rescored candidate.
#[derive(Clone, Debug)]
pub struct Rescored {
    /// The second-stage score.
    pub score: f32,
    /// The passage.
    pub address: DocAddress,
    /// How the score was made, when asked for.
    pub explanation: Option<Explanation>,
}

/// Rescores `candidates` and returns them best first (ties by address).
#[allow(clippy::too_many_arguments)]
pub fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    stats: &Stats,
    params: &RankParams,
    terms: &[QueryTerm],
    candidates: &[DocAddress],
    explain: bool,
) -> tantivy::Result<Vec<Rescored>> {
    // Strengths read from the collection's shape. The title names the topic of
    // templated sections (recurring headings: "Symptoms", "Treatment"); elsewhere it
    // is one more description of the passage: its weight goes from `title_plain`
    // to `title` with the share of passages under a recurring heading. The lead
    // bonus picks an article's first section among its others: as strong as the
    // collection has sections after the first (none for abstracts).
    let templated = if params.ranking == Ranking::Default {
        stats.templated(searcher, fields, params.min_class)?
    } else {
        0.0
    };
    let params = &RankParams {
        title: params.title_plain + (params.title - params.title_plain) * templated,
        lead: params.lead * stats.sectioned,
        ..params.clone()
    };
    let idfs = term_idfs(searcher, fields, stats, params, terms)?;
    let mut features = features(searcher, fields, stats, params, terms, candidates)?;
    if params.ranking == Ranking::Default && params.assoc > 0.0 {
        let table = class_table(searcher, fields, stats, params, terms, &features)?;
        associate(params, terms, &table, &mut features);
    }
    if params.lead_yields != 0 {
        demote_leads(terms, &mut features);
    }
    let mut scored: Vec<Rescored> = candidates
        .iter()
        .zip(&features)
        .map(|(&address, f)| {
            let (score, explanation) = score(params, terms, &idfs, stats.avg_len, f, explain);
            Rescored {
                score,
                address,
                explanation,
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.address.cmp(&b.address))
    });
    Ok(scored)
}

fn count_classes(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
) -> tantivy::Result<FxHashMap<u64, u32>> {
    // Every posting of the term: read a block (128) at a time, the block's
    // classes looked up together, counted in a fast map (the term may be in a
    // tenth of a million-passage index; a fresh query pays this walk).
    let mut counts: FxHashMap<u64, u32> = Default::default();
    let term = Term::from_field_text(fields.body, term);
    let mut classes: Vec<Option<u64>> = Vec::new();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64(crate::schema::HEADING_CLASS)?;
        crate::schema::for_each_live_block(segment, &term, |docs| {
            classes.clear();
            classes.resize(docs.len(), None);
            column.first_vals(docs, &mut classes);
            for class in &classes {
                *counts.entry(class.unwrap_or(0)).or_default() += 1;
            }
        })?;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(text: &str) -> QueryTerm {
        QueryTerm {
            text: text.to_string(),
            kind: TermKind::Literal,
            weight: 1.0,
            doc_freqs: None,
            origin: None,
            form: None,
        }
    }

    fn one_term(tf: [f32; 3], lead: bool) -> Features {
        Features {
            terms: vec![held(tf, tf.iter().sum(), 0.0)],
            lead,
            ..Features::default()
        }
    }

    /// What a candidate holds of one term.
    fn held(tf: [f32; 3], raw_tf: f32, assoc: f32) -> TermFeatures {
        TermFeatures { tf, raw_tf, assoc }
    }

    const AVG: [f32; 3] = [5.0, 3.0, 100.0];

    /// The score of a passage holding the query's one term with `tf` per field.
    fn one_term_score(
        params: &RankParams,
        terms: &[QueryTerm],
        idfs: &[TermIdf],
        tf: [f32; 3],
        lead: bool,
    ) -> f32 {
        score(params, terms, idfs, AVG, &one_term(tf, lead), false).0
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-4 * b.abs().max(1.0)
    }

    #[test]
    fn idf_is_bm25s_and_never_negative() {
        // ln(1 + (10 - 1 + 0.5) / (1 + 0.5)) = ln(7.3333)
        assert!(close(idf(1, 10), 1.992_43));
        assert!(idf(10, 10) > 0.0);
        // More passages counting the term than passages counted: clamped.
        assert!(idf(12, 10) > 0.0);
    }

    #[test]
    fn bm25f_adds_weighted_field_frequencies_before_saturating() {
        let params = RankParams {
            sep_title: 0.0,
            lead: 0.0,
            ..RankParams::default()
        };
        let idfs = [TermIdf {
            joint: 2.0,
            field: [3.0, 3.0, 2.0],
        }];
        // x = 8 × 1 (title) + 1 × 2 (body) = 10; 2 × 10 × 2.2 / (1.2 + 10) = 3.928571
        let s = one_term_score(&params, &[literal("gout")], &idfs, [1.0, 0.0, 2.0], false);
        assert!(close(s, 3.928_571), "{s}");
        // The title's own BM25 on top: 0.5 × 3 × (1 × 2.2 / 2.2) = 1.5
        let params = RankParams {
            lead: 0.0,
            ..RankParams::default()
        };
        let s = one_term_score(&params, &[literal("gout")], &idfs, [1.0, 0.0, 2.0], false);
        assert!(close(s, 3.928_571 + 1.5), "{s}");
    }

    #[test]
    fn share_of_passages_under_recurring_headings() {
        // Classes of 10, 6, 4 and 1 passages out of 25 (4 more without heading).
        let one_each = |sizes: &[u64]| sizes.iter().map(|&n| (n, 1)).collect::<Vec<_>>();
        assert!(close(
            templated_share(one_each(&[10, 6, 4, 1]), 5, 25),
            16.0 / 25.0
        ));
        assert_eq!(templated_share(one_each(&[1, 1, 2]), 5, 4), 0.0);
        assert_eq!(templated_share([], 5, 0), 0.0);
        // Two classes of 6 passages and three of 1.
        assert!(close(templated_share([(1, 3), (6, 2)], 5, 15), 12.0 / 15.0));
    }

    #[test]
    fn sections_after_the_first_set_the_lead_bonus_strength() {
        assert_eq!(sectioned(10, 10), 0.0); // abstracts: one passage per article
        assert!(close(sectioned(25, 100), 0.75));
        assert_eq!(sectioned(0, 0), 0.0);
        assert_eq!(sectioned(12, 10), 0.0); // clamped
    }

    #[test]
    fn lead_bonus_only_for_a_lead_section_with_every_literal_word_in_the_title() {
        let params = RankParams::default();
        let idfs = [TermIdf {
            joint: 2.0,
            field: [2.0; 3],
        }];
        let terms = [literal("gout")];
        let plain = one_term_score(&params, &terms, &idfs, [1.0, 0.0, 1.0], false);
        let lead = one_term_score(&params, &terms, &idfs, [1.0, 0.0, 1.0], true);
        assert!(close(lead, plain * 1.3), "{lead} vs {plain}");
        // Not in the title: no bonus even for the lead section.
        let a = one_term_score(&params, &terms, &idfs, [0.0, 0.0, 1.0], false);
        let b = one_term_score(&params, &terms, &idfs, [0.0, 0.0, 1.0], true);
        assert_eq!(a, b);
        // An expansion in the title does not count as the query's own word.
        let mut expansion = literal("uric");
        expansion.kind = TermKind::Expansion;
        expansion.weight = 0.5;
        let f = Features {
            terms: vec![
                held([0.0, 0.0, 1.0], 1.0, 0.0),
                held([1.0, 0.0, 0.0], 1.0, 0.0),
            ],
            lead: true,
            ..Features::default()
        };
        let mut g = f.clone();
        g.lead = false;
        let terms = [literal("gout"), expansion];
        let idfs = [idfs[0]; 2];
        assert_eq!(
            score(&params, &terms, &idfs, AVG, &f, false).0,
            score(&params, &terms, &idfs, AVG, &g, false).0
        );
    }

    #[test]
    fn class_counts_cover_every_live_posting_of_every_segment() {
        use crate::schema::{add_id_and_body, build_schema, register_analyzer};
        use tantivy::{Index, TantivyDocument};
        let index = Index::create_in_ram(build_schema());
        register_analyzer(&index);
        let fields = Fields::from_schema(&index.schema()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Two segments of 200 passages with the word (past a block of 128
        // postings): classes 7 and 9 in turn, every tenth with no class; one
        // deleted passage of class 7.
        for segment in 0..2 {
            for i in 0..200 {
                let mut doc = TantivyDocument::default();
                add_id_and_body(&mut doc, &fields, &format!("s{segment}-{i}.md#x"), "Gout.");
                if i % 10 != 0 {
                    doc.add_u64(fields.heading_class, if i % 2 == 0 { 7 } else { 9 });
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(fields.id, "s1-2.md#x"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let counts = count_classes(&searcher, &fields, "gout").unwrap();
        let expected: FxHashMap<u64, u32> = [(0, 40), (7, 159), (9, 200)].into_iter().collect();
        assert_eq!(counts, expected);
    }

    #[test]
    fn association_on_a_tiny_class_table() {
        let params = RankParams::default();
        // 100 passages; class 7 ("How common is it") has 10, class 9 has 3 (too
        // small, left out of `sizes`). "prevalence" is in 10 bodies, 5 of them in
        // class 7: P(t|c) = 0.5 ≥ 2 × P(t) = 0.2.
        let table = ClassTable {
            num_docs: 100,
            sizes: FxHashMap::from_iter([(7, 10)]),
            counts: vec![
                Arc::new(FxHashMap::from_iter([(7, 5), (0, 5)])),
                // "rare" in class 7 once out of 10, overall 10 of 100: not over-represented.
                Arc::new(FxHashMap::from_iter([(7, 1), (0, 9)])),
            ],
            totals: vec![10, 10],
        };
        let mut features = vec![Features::new(2), Features::new(2), Features::new(2)];
        features[0].class = 7;
        features[1].class = 9;
        let terms = [literal("prevalence"), literal("rare")];
        associate(&params, &terms, &table, &mut features);
        assert!(close(features[0].terms[0].assoc, 3.0 * 0.5));
        assert_eq!(features[0].terms[1].assoc, 0.0);
        for f in &features[1..] {
            assert!(f.terms.iter().all(|t| t.assoc == 0.0));
        }
        // Off with assoc = 0.
        let mut features = vec![Features::new(2)];
        features[0].class = 7;
        associate(
            &RankParams {
                assoc: 0.0,
                ..params.clone()
            },
            &terms,
            &table,
            &mut features,
        );
        assert!(features[0].terms.iter().all(|t| t.assoc == 0.0));
        // A term some candidate has in its heading gets no association.
        let mut features = vec![Features::new(2), Features::new(2)];
        features[0].class = 7;
        features[1].terms[0].tf[1] = 1.0;
        associate(&params, &terms, &table, &mut features);
        assert!(features[0].terms.iter().all(|t| t.assoc == 0.0));
    }

    #[test]
    fn a_lead_loses_its_bonus_to_a_heading_that_matches_better() {
        let terms = [literal("treatment")];
        let mut features = vec![Features::new(1), Features::new(1)];
        features[0].lead = true; // introduction: no heading
        features[1].terms[0].tf[1] = 1.0; // "Treatment" section
        demote_leads(&terms, &mut features);
        assert!(!features[0].lead);
        // Equal heading matches: the lead keeps its bonus.
        let mut features = vec![Features::new(1), Features::new(1)];
        features[0].lead = true;
        features[0].terms[0].tf[1] = 1.0;
        features[1].terms[0].tf[1] = 1.0;
        demote_leads(&terms, &mut features);
        assert!(features[0].lead);
    }

    #[test]
    fn explanation_adds_up_to_the_score() {
        let params = RankParams::default();
        let mut expansion = literal("uric");
        expansion.kind = TermKind::Expansion;
        expansion.weight = 0.5;
        let terms = [literal("gout"), expansion];
        let idfs = [
            TermIdf {
                joint: 2.0,
                field: [2.5, 2.0, 2.0],
            },
            TermIdf {
                joint: 1.0,
                field: [1.0; 3],
            },
        ];
        let f = Features {
            terms: vec![
                held([1.0, 0.5, 2.0], 3.0, 0.7),
                held([0.0, 0.0, 1.0], 1.0, 0.0),
            ],
            lead: true,
            ..Features::default()
        };
        let (s, e) = score(&params, &terms, &idfs, AVG, &f, true);
        let e = e.expect("asked for");
        assert_eq!(e.value, s);
        fn check(e: &Explanation) {
            if !e.parts.is_empty() {
                let sum: f32 = e.parts.iter().map(|p| p.value).sum();
                assert!(close(sum, e.value), "{}: {sum} vs {}", e.what, e.value);
                e.parts.iter().for_each(check);
            }
        }
        check(&e);
        let text = format!("{e:?}");
        assert!(text.contains("lead-section bonus") && text.contains("heading association"));
    }

    #[test]
    fn a_group_counts_as_its_best_form_rescaled_to_the_querys_form() {
        // Query "ldl" (idf 4) expanded to "low density lipoprotein" (idfs 1 + 3 + 4).
        let mut terms = vec![literal("ldl")];
        for text in ["low", "densiti", "lipoprotein"] {
            let mut t = literal(text);
            t.kind = TermKind::Expansion;
            t.form = Some(Form { group: 0, form: 1 });
            terms.push(t);
        }
        terms[0].form = Some(Form { group: 0, form: 0 });
        let idfs: Vec<TermIdf> = [4.0, 1.0, 3.0, 4.0]
            .iter()
            .map(|&joint| TermIdf {
                joint,
                field: [joint; 3],
            })
            .collect();
        // Both forms (the defining passage): the better of 2 and 8 × 4/8 = 4, not 2 + 8.
        assert!(close(
            best_form_adjustment(&terms, &idfs, &[2.0, 1.0, 3.0, 4.0]),
            4.0 - 10.0
        ));
        // Only the long form: rescaled to the short form's idf, 8 × 4/8 = 4.
        assert!(close(
            best_form_adjustment(&terms, &idfs, &[0.0, 1.0, 3.0, 4.0]),
            4.0 - 8.0
        ));
        // Terms of no group are left alone.
        terms.iter_mut().for_each(|t| t.form = None);
        assert_eq!(
            best_form_adjustment(&terms, &idfs, &[2.0, 1.0, 3.0, 4.0]),
            0.0
        );
    }

    #[test]
    fn bm25_preset_scores_the_joined_field() {
        let params = RankParams::preset("bm25").unwrap();
        let idfs = [TermIdf {
            joint: 2.0,
            field: [0.0; 3],
        }];
        // tf 3 over all fields, length = average: 2 × 3 × 2.2 / (1.2 + 3)
        let mut f = one_term([1.0, 0.0, 2.0], true);
        f.len = AVG.iter().sum();
        let (s, _) = score(&params, &[literal("gout")], &idfs, AVG, &f, false);
        assert!(close(s, 2.0 * 3.0 * 2.2 / 4.2), "{s}");
    }

    #[test]
    fn params_by_name() {
        let mut p = RankParams::default();
        p.set("candidates=100").unwrap();
        p.set("first_title=3").unwrap();
        p.set("min_class=2").unwrap();
        assert_eq!((p.candidates, p.first_title, p.min_class), (100, 3.0, 2));
        assert!(matches!(
            p.set("candidates=1.5"),
            Err(ParamError::Value { .. })
        ));
        assert!(matches!(p.set("nope=1"), Err(ParamError::Unknown(_))));
        for bad in [
            "k1=NaN",
            "k1=inf",
            "k1=-1",
            "b_body=-5",
            "b_title=1.5",
            "k1=0",
            "lead_yields=2",
            "candidates=18446744073709551615",
        ] {
            assert!(matches!(p.set(bad), Err(ParamError::Value { .. })), "{bad}");
        }
        assert!(matches!(p.set("title"), Err(ParamError::Syntax(_))));
        assert!(
            RankParams::describe()
                .iter()
                .any(|(n, d, _)| *n == "assoc_ratio" && d == "2")
        );
        assert!(RankParams::preset("bm42").is_err());
    }
}
