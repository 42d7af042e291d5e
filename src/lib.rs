//! lectern: full-text passage search over a folder of articles.
//!
//! Data flows one way, one module per step:
//! [`walk`] (files of the corpus) → [`extract`] (articles split into sections) →
//! [`ingest`] (tantivy index, laid out by [`schema`], kept consistent by [`store`],
//! with the [`lexicon`] of synonyms) → [`search`] (ranked passages) →
//! [`output`] (one renderer per format). [`batch`] reads query files and [`eval`]
//! scores runs against relevance judgements.

pub mod batch;
pub mod eval;
pub mod extract;
pub mod ingest;
pub mod lexicon;
pub mod output;
pub mod rank;
pub mod schema;
pub mod search;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod snippet;
pub mod store;
pub mod walk;
