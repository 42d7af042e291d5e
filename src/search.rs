//! Search: query text → ranked passages with snippets.
//!
//! Two ways in, chosen by the query's shape:
//!
//! * **Plain text** (the usual case, and whole sentences with hyphens, colons and
//!   parentheses): analyzed like the index, stop words dropped (unless nothing else
//!   is left), each remaining term searched in title, heading and body with per-field
//!   weights; lexicon phrases found in the query add their synonyms at a lower
//!   weight; terms that occur nowhere in the index are replaced by the closest
//!   indexed term (edit distance 1–2), reported as "did you mean".
//! * **Query syntax** (`"phrases"`, `+must`, `-not`, `field:term`, `AND`/`OR`/`NOT`):
//!   tantivy's lenient query parser over the same fields and weights. Parts it cannot
//!   read are reported and the rest still runs.
//!
//! Scores are summed per-field BM25 (tantivy's k1 = 1.2, b = 0.75).

use std::collections::HashSet;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, QueryParser, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, IndexReader, Searcher, TantivyDocument, Term};

use crate::lexicon::Lexicon;
use crate::rank::{self, QueryTerm};
use crate::schema::{self, Fields};
use crate::snippet::Highlighter;
use crate::store::{self, Store, StoreError};

/// Ranking weights. The defaults come from the benchmark (see BENCHMARKS.md).
#[derive(Clone, Debug)]
pub struct RankParams {
    /// Field weights (first-stage boosts and BM25F weights).
    pub title: f32,
    pub heading: f32,
    pub body: f32,
    /// BM25F saturation and per-field length normalisation.
    pub k1: f32,
    pub b_title: f32,
    pub b_heading: f32,
    pub b_body: f32,
    /// Weights of each field's own BM25 added to BM25F (see [`rank::Bm25f`]).
    pub sep_title: f32,
    pub sep_heading: f32,
    pub sep_body: f32,
    /// Lead-section bonus for topic-only queries (see [`rank::Bm25f`]).
    pub lead: f32,
    /// Heading-class association weight (see [`rank::Bm25f`]).
    pub assoc: f32,
    /// First-stage candidates rescored by BM25F (0 = no second stage).
    pub candidates: f32,
    /// Weight of a synonym/abbreviation expansion relative to the literal term.
    pub expansion: f32,
    /// Weight of a "did you mean" replacement relative to a literal term.
    pub fuzzy: f32,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            title: 8.0,
            heading: 5.0,
            body: 1.0,
            k1: 1.2,
            b_title: 0.75,
            b_heading: 0.75,
            b_body: 0.75,
            sep_title: 0.5,
            sep_heading: 0.0,
            sep_body: 0.0,
            lead: 0.3,
            assoc: 3.0,
            candidates: 50.0,
            expansion: 0.5,
            fuzzy: 0.8,
        }
    }
}

impl RankParams {
    /// Sets one parameter from `name=value` (for tuning from the command line).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected NAME=VALUE, got {assignment:?}"))?;
        let value: f32 = value
            .parse()
            .map_err(|_| format!("{value:?} is not a number"))?;
        let slot = match name {
            "title" => &mut self.title,
            "heading" => &mut self.heading,
            "body" => &mut self.body,
            "k1" => &mut self.k1,
            "b_title" => &mut self.b_title,
            "b_heading" => &mut self.b_heading,
            "b_body" => &mut self.b_body,
            "candidates" => &mut self.candidates,
            "sep_title" => &mut self.sep_title,
            "lead" => &mut self.lead,
            "assoc" => &mut self.assoc,
            "sep_heading" => &mut self.sep_heading,
            "sep_body" => &mut self.sep_body,
            "expansion" => &mut self.expansion,
            "fuzzy" => &mut self.fuzzy,
            _ => return Err(format!("unknown ranking parameter {name:?}")),
        };
        *slot = value;
        Ok(())
    }

    fn bm25f(&self) -> rank::Bm25f {
        rank::Bm25f {
            k1: self.k1,
            weights: [self.title, self.heading, self.body],
            b: [self.b_title, self.b_heading, self.b_body],
            separate: [self.sep_title, self.sep_heading, self.sep_body],
            lead: self.lead,
            assoc: self.assoc,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SearchOptions {
    pub limit: usize,
    pub snippets: bool,
    pub explain: bool,
    pub snippet_chars: usize,
    /// Only passages of articles in this language (`query --lang`).
    pub lang: Option<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippets: true,
            explain: false,
            snippet_chars: 200,
            lang: None,
        }
    }
}

/// Something about how the query was read, for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Part of the query could not be parsed and was ignored.
    Parse(String),
    DidYouMean {
        term: String,
        suggestion: String,
    },
    Expanded {
        phrase: String,
        with: Vec<String>,
    },
    /// The query had only stop words; they were searched for anyway.
    OnlyStopWords,
    /// The query has no word at all (only punctuation or symbols): nothing was searched.
    NoWords,
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
                "the query has no words (letters or digits) to search for; nothing was searched"
            ),
        }
    }
}

pub use crate::snippet::Snippet;

/// One clause's share of a hit's score.
#[derive(Clone, Debug)]
pub struct Contribution {
    pub what: String,
    pub score: f32,
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub path: String,
    pub title: String,
    pub heading: String,
    pub text: String,
    pub lines: (u64, u64),
    /// The article's language (`en`, `zh`, `und`…).
    pub lang: String,
    pub snippet: Option<Snippet>,
    pub explain: Vec<Contribution>,
}

#[derive(Clone, Debug)]
pub struct Results {
    pub query: String,
    pub hits: Vec<Hit>,
    pub notes: Vec<Note>,
}

/// An open index ready to answer queries; cheap to share between threads.
pub struct Engine {
    pub store: Store,
    _reader: IndexReader,
    searcher: Searcher,
    fields: Fields,
    /// The lexicon file's text; parsed on first use by a query it can match, so
    /// a one-off query whose words it does not contain never pays for parsing it.
    lexicon_text: String,
    lexicon: std::sync::OnceLock<Lexicon>,
    params: RankParams,
    stats: rank::Stats,
}

/// A built query plus the labelled clauses used for `--explain`.
struct Built {
    query: Box<dyn Query>,
    clauses: Vec<(String, Box<dyn Query>)>,
    notes: Vec<Note>,
    /// Weighted terms for the BM25F second stage (empty: first stage only).
    terms: Vec<QueryTerm>,
}

impl Engine {
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
        let stats = rank::Stats::new(&searcher, &fields).map_err(corrupt)?;
        Ok(Engine {
            store,
            _reader: reader,
            searcher,
            fields,
            lexicon_text,
            lexicon: std::sync::OnceLock::new(),
            params,
            stats,
        })
    }

    pub fn search(&self, text: &str, options: &SearchOptions) -> tantivy::Result<Results> {
        let mut built = if uses_syntax(text) {
            self.build_parsed(text)
        } else {
            self.build_plain(text)?
        };
        if let Some(lang) = &options.lang {
            built.query = self.language_filter(built.query, lang);
        }
        let limit = options.limit.max(1);
        let rerank = !built.terms.is_empty() && self.params.candidates >= 1.0;
        let depth = if rerank {
            limit.max(self.params.candidates as usize)
        } else {
            limit
        };
        let mut top = self
            .searcher
            .search(&*built.query, &TopDocs::with_limit(depth).order_by_score())?;
        if rerank {
            top = rank::rerank(
                &self.searcher,
                &self.fields,
                &self.stats,
                &self.params.bm25f(),
                &built.terms,
                &top,
            )?;
            // Keep every candidate tied with the last one kept: which of them make
            // the cut is decided below by passage id, not by where the index
            // happened to store them.
            if top.len() > limit {
                let cut = top[limit - 1].0;
                let keep = top.iter().take_while(|(score, _)| *score >= cut).count();
                top.truncate(keep);
            }
        }
        let mut highlighter = if options.snippets {
            Some(self.highlighter(&built)?)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = self.searcher.doc(address)?;
            hits.push(self.hit(score, address, &doc, highlighter.as_mut(), options, &built)?);
        }
        // Deterministic order: score, then id.
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits.truncate(limit);
        for (i, hit) in hits.iter_mut().enumerate() {
            hit.rank = i + 1;
        }
        Ok(Results {
            query: text.to_string(),
            hits,
            notes: built.notes,
        })
    }

    /// Highlights the body terms of the query, weighted by their idf.
    fn highlighter(&self, built: &Built) -> tantivy::Result<Highlighter> {
        let mut terms: Vec<(String, f32)> = built
            .terms
            .iter()
            .map(|t| (t.text.clone(), t.weight))
            .collect();
        let known_df: std::collections::HashMap<&str, u64> = built
            .terms
            .iter()
            .filter_map(|t| t.doc_freqs.map(|d| (t.text.as_str(), d[2])))
            .collect();
        if terms.is_empty() {
            built.query.query_terms(&mut |term, _| {
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
        highlighter: Option<&mut Highlighter>,
        options: &SearchOptions,
        built: &Built,
    ) -> tantivy::Result<Hit> {
        let f = &self.fields;
        let text = schema::text_of(doc, f.body).to_string();
        let snippet = highlighter.map(|h| h.snippet(&text, options.snippet_chars));
        let mut explain = Vec::new();
        if options.explain {
            for (what, clause) in &built.clauses {
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
            if built.clauses.is_empty()
                && let Ok(e) = built.query.explain(&self.searcher, address)
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
            snippet,
            explain,
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
    pub fn passage(&self, id: &str) -> tantivy::Result<Option<Hit>> {
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
        let built = Built {
            query: Box::new(query),
            clauses: Vec::new(),
            notes: Vec::new(),
            terms: Vec::new(),
        };
        let options = SearchOptions {
            snippets: false,
            ..SearchOptions::default()
        };
        self.hit(score, address, &doc, None, &options, &built)
            .map(Some)
    }

    /// Field boosts of the first stage (and of queries with syntax, which have no
    /// second stage): the best plain sum-of-fields BM25 weights on the benchmark.
    fn field_weights(&self) -> [(Field, &'static str, f32); 3] {
        let f = &self.fields;
        [
            (f.title, schema::TITLE, 2.0),
            (f.heading, schema::HEADING, 2.0),
            (f.body, schema::BODY, 1.0),
        ]
    }

    /// Query syntax: tantivy's lenient parser with our field weights.
    fn build_parsed(&self, text: &str) -> Built {
        // tantivy's grammar recurses per parenthesis: ~1,000 nested groups
        // overflow the stack. Deeper nesting than anyone writes is flattened.
        let (text, flattened) = limit_nesting(text, MAX_GROUP_DEPTH);
        let mut parser =
            QueryParser::for_index(&self.store.index, self.fields.text_fields().to_vec());
        for (field, _, weight) in self.field_weights() {
            parser.set_field_boost(field, weight);
        }
        let (query, errors) = parser.parse_query_lenient(&text);
        let mut notes: Vec<Note> = errors
            .into_iter()
            .map(|e| Note::Parse(e.to_string()))
            .collect();
        if flattened {
            notes.push(Note::Parse(format!(
                "parentheses nested deeper than {MAX_GROUP_DEPTH} levels were ignored"
            )));
        }
        Built {
            query,
            clauses: Vec::new(),
            notes,
            terms: Vec::new(),
        }
    }

    /// Plain text: bag of analyzed terms, weighted per field, plus expansions.
    fn build_plain(&self, text: &str) -> tantivy::Result<Built> {
        let mut notes = Vec::new();
        let words = query_words(text);
        if words.is_empty() {
            notes.push(Note::NoWords);
        }
        let mut content: Vec<String> = words
            .iter()
            .filter(|w| !w.stop)
            .map(|w| w.term.clone())
            .collect();
        if content.is_empty() {
            content = words.iter().map(|w| w.term.clone()).collect();
            if !content.is_empty() {
                notes.push(Note::OnlyStopWords);
            }
        }
        let mut seen = HashSet::new();
        content.retain(|t| seen.insert(t.clone()));

        let mut clauses: Vec<(String, Box<dyn Query>)> = Vec::new();
        let mut terms: Vec<QueryTerm> = Vec::new();
        for term in &content {
            let dfs = self.doc_freqs(term)?;
            let (term, weight, dfs) = if dfs.iter().any(|&df| df > 0) {
                (term.clone(), 1.0, dfs)
            } else if let Some(suggestion) = self.suggest(term)? {
                notes.push(Note::DidYouMean {
                    term: term.clone(),
                    suggestion: suggestion.clone(),
                });
                let dfs = self.doc_freqs(&suggestion)?;
                (suggestion, self.params.fuzzy, dfs)
            } else {
                continue;
            };
            terms.push(QueryTerm {
                text: term.clone(),
                weight,
                doc_freqs: Some(dfs),
            });
            for (f, (field, name, w)) in self.field_weights().into_iter().enumerate() {
                if dfs[f] == 0 {
                    continue; // nothing to find there
                }
                let q = TermQuery::new(
                    Term::from_field_text(field, &term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((format!("{name}:{term}"), boosted(Box::new(q), w * weight)));
            }
        }

        let all_terms: Vec<String> = words.iter().map(|w| w.term.clone()).collect();
        let expansions = if all_terms
            .iter()
            .any(|t| self.lexicon_text.contains(t.as_str()))
        {
            self.lexicon
                .get_or_init(|| Lexicon::parse(&self.lexicon_text))
                .expansions(&all_terms)
        } else {
            Vec::new()
        };
        for (matched, others) in expansions {
            notes.push(Note::Expanded {
                phrase: matched.surface.clone(),
                with: others.iter().map(|p| p.surface.clone()).collect(),
            });
            for other in others {
                for t in &other.terms {
                    if !terms.iter().any(|q| &q.text == t) && !is_stop_word(t) {
                        terms.push(QueryTerm {
                            text: t.clone(),
                            weight: self.params.expansion,
                            doc_freqs: None,
                        });
                    }
                }
                for (field, name, w) in self.field_weights() {
                    let q: Box<dyn Query> = if other.terms.len() == 1 {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &other.terms[0]),
                            IndexRecordOption::WithFreqs,
                        ))
                    } else {
                        Box::new(PhraseQuery::new(
                            other
                                .terms
                                .iter()
                                .map(|t| Term::from_field_text(field, t))
                                .collect(),
                        ))
                    };
                    clauses.push((
                        format!("{name}:\"{}\" (for {})", other.surface, matched.surface),
                        boosted(q, w * self.params.expansion),
                    ));
                }
            }
        }

        let query: Box<dyn Query> = Box::new(BooleanQuery::new(
            clauses
                .iter()
                .map(|(_, q)| (Occur::Should, q.box_clone()))
                .collect(),
        ));
        Ok(Built {
            query,
            clauses,
            notes,
            terms,
        })
    }

    /// Passages containing `term` in title, heading and body.
    fn doc_freqs(&self, term: &str) -> tantivy::Result<[u64; 3]> {
        let mut dfs = [0; 3];
        for (f, field) in self.fields.text_fields().into_iter().enumerate() {
            dfs[f] = self
                .searcher
                .doc_freq(&Term::from_field_text(field, term))?;
        }
        Ok(dfs)
    }

    /// The indexed body term closest to `term` (edit distance 1, or 2 for terms of
    /// 6+ characters), preferring the most frequent; None for short or numeric terms.
    fn suggest(&self, term: &str) -> tantivy::Result<Option<String>> {
        let len = term.chars().count();
        if len < 4 || term.chars().any(|c| c.is_ascii_digit()) {
            return Ok(None);
        }
        let max = if len >= 6 { 2 } else { 1 };
        // Typos rarely hit the first letter: only terms sharing it are scanned.
        let first = term.chars().next().unwrap_or('a');
        let mut buf = [0u8; 4];
        let from = first.encode_utf8(&mut buf).as_bytes().to_vec();
        let mut to = from.clone();
        // The last byte of a UTF-8 character is below 0xF5: no overflow.
        *to.last_mut().expect("a char has bytes") += 1;
        let mut best: Option<(usize, u64, String)> = None;
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.body)?;
            let mut stream = inverted.terms().range().ge(&from).lt(&to).into_stream()?;
            while stream.advance() {
                let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let clen = candidate.chars().count();
                if clen.abs_diff(len) > max {
                    continue;
                }
                let Some(d) = bounded_distance(term, candidate, max) else {
                    continue;
                };
                let df = u64::from(stream.value().doc_freq);
                let better = match &best {
                    None => true,
                    Some((bd, bdf, _)) => d < *bd || (d == *bd && df > *bdf),
                };
                if better {
                    best = Some((d, df, candidate.to_string()));
                }
            }
        }
        Ok(best.map(|(_, _, t)| t))
    }
}

/// Deepest parenthesis nesting passed to the query parser.
const MAX_GROUP_DEPTH: usize = 32;

/// Drops parentheses nested deeper than `max` (and unmatched closing ones beyond
/// it); returns the text and whether anything was dropped.
fn limit_nesting(text: &str, max: usize) -> (String, bool) {
    let mut depth = 0usize;
    let mut dropped = false;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth > max {
                    dropped = true;
                    out.push(' ');
                    continue;
                }
            }
            ')' => {
                let inner = depth > max;
                depth = depth.saturating_sub(1);
                if inner {
                    out.push(' ');
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    (out, dropped)
}

fn boosted(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if (weight - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, weight))
    }
}

struct Word {
    term: String,
    stop: bool,
}

/// Analyzed query words in order, each marked as stop word or not (the stop list is
/// checked on the lower-cased surface word, before stemming).
fn query_words(text: &str) -> Vec<Word> {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let surface = stream.token().text.to_lowercase();
        let stop = is_stop_word(&surface);
        for term in schema::analyze(&surface) {
            out.push(Word { term, stop });
        }
    }
    out
}

/// English stop words (NLTK's list plus question words): dropped from plain-text
/// queries, kept in the index so phrases still match them.
pub fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "s",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ];
    STOP.binary_search(&word).is_ok()
}

/// True when the query uses query-language syntax rather than being plain text.
/// Hyphens inside words, colons after unknown words and parentheses are plain text.
pub fn uses_syntax(text: &str) -> bool {
    if text.contains('"') {
        return true;
    }
    const FIELDS: &[&str] = &["title:", "heading:", "body:", "id:", "path:"];
    text.split_whitespace().any(|word| {
        let signed = (word.starts_with('+') || word.starts_with('-'))
            && word[1..].chars().next().is_some_and(char::is_alphanumeric);
        let fielded = FIELDS
            .iter()
            .any(|f| word.trim_start_matches(['+', '-', '(']).starts_with(f));
        signed || fielded || matches!(word, "AND" | "OR" | "NOT")
    })
}

/// Levenshtein distance if it is at most `max`, else None.
fn bounded_distance(a: &str, b: &str, max: usize) -> Option<usize> {
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
    fn stop_list_is_sorted_for_binary_search() {
        assert!(is_stop_word("what") && is_stop_word("the") && !is_stop_word("cancer"));
    }

    #[test]
    fn syntax_detection() {
        assert!(uses_syntax("\"liver cancer\""));
        assert!(uses_syntax("+liver -cancer"));
        assert!(uses_syntax("title:liver"));
        assert!(uses_syntax("liver AND cancer"));
        assert!(!uses_syntax(
            "Acanthamoeba - Granulomatous Amebic Encephalitis (GAE); Keratitis"
        ));
        assert!(!uses_syntax(
            "COVID-19: a review (2020) of non-small-cell cancer"
        ));
        assert!(!uses_syntax("what causes it?"));
    }

    #[test]
    fn stop_words_are_marked_before_stemming() {
        let words = query_words("What are the symptoms of X-linked disease?");
        let content: Vec<_> = words
            .iter()
            .filter(|w| !w.stop)
            .map(|w| w.term.as_str())
            .collect();
        assert_eq!(content, ["symptom", "x", "link", "diseas"]);
    }

    #[test]
    fn deep_parentheses_are_flattened() {
        let (text, dropped) = limit_nesting("((a)) b", 1);
        assert_eq!((text.as_str(), dropped), ("( a ) b", true));
        let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        let (text, dropped) = limit_nesting(&deep, MAX_GROUP_DEPTH);
        assert!(dropped && text.matches('(').count() == MAX_GROUP_DEPTH);
    }

    #[test]
    fn edit_distance() {
        assert_eq!(bounded_distance("diabetis", "diabetes", 2), Some(1));
        assert_eq!(bounded_distance("cancer", "canker", 1), Some(1));
        assert_eq!(bounded_distance("abc", "xyz", 2), None);
    }
}
