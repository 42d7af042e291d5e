//! lectern: full-text passage search over a folder of articles.
//!
//! Data flows one way, one module per step:
//! [`walk`] (files of the corpus) → [`extract`] (articles split into sections, less
//! the [`boilerplate`] lines of their site and its [`site_listing`] sections;
//! [`dedup`] keeps one copy of
//! near-duplicate articles) →
//! [`ingest`] (tantivy index, laid out by [`schema`], kept consistent by [`store`],
//! with the [`lexicon`] of synonyms; terms from the [`analyzer`]) → [`search`]
//! (query plans, candidates) → [`rank`] (second-stage scores; every ranking
//! parameter) and [`snippet`] →
//! [`output`] (one renderer per format). [`batch`] reads query files and [`eval`]
//! scores runs against relevance judgements;
//! [`stats`] and [`export`] read an index back (figures, every passage as JSON).
//! With the cargo feature `semantic`, `semantic` adds passage vectors and fuses
//! dense and lexical rankings.

#![warn(missing_docs)]

pub mod analyzer;
pub mod batch;
pub mod boilerplate;
pub mod dedup;
pub mod eval;
pub mod export;
pub mod extract;
pub mod ingest;
pub mod lexicon;
pub mod output;
pub mod rank;
pub mod schema;
pub mod search;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod site_listing;
pub mod snippet;
pub mod stats;
pub mod store;
pub mod walk;
