//! Search: query text → ranked passages with snippets.
//!
//! [`plan`] reads the query (plain text or query syntax) into a [`QueryPlan`]:
//! the first-stage tantivy query and the weighted terms of the second stage.
//! tantivy's BM25 summed over title, heading and body (boosted) finds the
//! candidates; [`crate::rank`] rescores them with BM25F; [`crate::snippet`] cuts the
//! snippets. [`spell`] suggests a correction for a word found nowhere, and
//! [`stopwords`] holds the stop list of plain queries.

pub mod plan;
pub mod spell;
pub mod stopwords;

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, IndexReader, Searcher, TantivyDocument, Term};

use crate::lexicon::Lexicon;
use crate::rank;
use crate::schema::{self, Fields};
use crate::snippet::Highlighter;
use crate::store::{Store, StoreError};

pub use crate::rank::RankParams;
pub use crate::snippet::Snippet;
pub use plan::{QueryPlan, uses_syntax};
pub use stopwords::is_stop_word;

/// A query that could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot read the index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

#[derive(Clone, Debug)]
pub struct SearchOptions {
    pub limit: usize,
    pub snippets: bool,
    pub explain: bool,
    pub snippet_chars: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippets: true,
            explain: false,
            snippet_chars: 200,
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
        }
    }
}

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

impl Engine {
    pub fn open(dir: &Path, params: RankParams) -> Result<Engine, StoreError> {
        let store = Store::open_for_search(dir)?;
        let corrupt = |e: tantivy::TantivyError| StoreError::Corrupt {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        };
        let reader = store.reader().map_err(corrupt)?;
        let searcher = reader.searcher();
        let fields = Fields::from_schema(&store.index.schema()).map_err(corrupt)?;
        let lexicon_text = store.lexicon_text();
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

    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<Results, SearchError> {
        let plan = self.plan(text)?;
        let limit = options.limit.max(1);
        let rerank = !plan.terms.is_empty() && self.params.candidates > 0;
        let depth = if rerank {
            limit.max(self.params.candidates)
        } else {
            limit
        };
        let mut top = self
            .searcher
            .search(&*plan.query, &TopDocs::with_limit(depth).order_by_score())?;
        if rerank {
            let addresses: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
            top = rank::rerank(
                &self.searcher,
                &self.fields,
                &self.stats,
                &self.params,
                &plan.terms,
                &addresses,
                false,
            )?
            .into_iter()
            .map(|r| (r.score, r.address))
            .collect();
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
            Some(self.highlighter(&plan)?)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = self.searcher.doc(address)?;
            hits.push(self.hit(score, address, &doc, highlighter.as_mut(), options, &plan)?);
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
            notes: plan.notes,
        })
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
        highlighter: Option<&mut Highlighter>,
        options: &SearchOptions,
        plan: &QueryPlan,
    ) -> tantivy::Result<Hit> {
        let f = &self.fields;
        let text = schema::text_of(doc, f.body).to_string();
        let snippet = highlighter.map(|h| h.snippet(&text, options.snippet_chars));
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
            lines: (
                schema::u64_of(doc, f.line_start),
                schema::u64_of(doc, f.line_end),
            ),
            text,
            snippet,
            explain,
        })
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
        self.hit(score, address, &doc, None, &options, &plan)
            .map(Some)
    }
}
