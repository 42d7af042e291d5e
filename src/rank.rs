//! Second-stage ranking: BM25F over the best candidates of the first stage.
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
//! The statistics come straight from the index: term frequencies from the postings,
//! field lengths from the field norms, document frequencies and average lengths
//! from the segment readers. No stored document is read.

use std::collections::HashMap;

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

use crate::schema::Fields;

/// One analyzed query term with its weight (1 for a literal term, less for an
/// expansion or a spelling correction).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryTerm {
    pub text: String,
    pub weight: f32,
}

/// BM25F parameters, per field in the order title, heading, body.
#[derive(Clone, Debug)]
pub struct Bm25f {
    pub k1: f32,
    pub weights: [f32; 3],
    pub b: [f32; 3],
    /// Weight of each field's own BM25 score, added to the BM25F score: a field
    /// whose match is evidence of its own (the article title) keeps its full
    /// strength instead of only feeding the shared saturation.
    pub separate: [f32; 3],
}

/// Collection statistics the scorer needs, computed once per opened index.
#[derive(Clone, Debug)]
pub struct Stats {
    pub num_docs: u64,
    pub avg_len: [f32; 3],
}

impl Stats {
    pub fn new(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Stats> {
        let num_docs = searcher.num_docs();
        let mut avg_len = [0f32; 3];
        for (i, field) in fields.text_fields().into_iter().enumerate() {
            let mut tokens = 0u64;
            for segment in searcher.segment_readers() {
                tokens += segment.inverted_index(field)?.total_num_tokens();
            }
            avg_len[i] = (tokens as f32 / num_docs.max(1) as f32).max(1.0);
        }
        Ok(Stats { num_docs, avg_len })
    }
}

/// Rescores `candidates` with BM25F and returns them best first (ties by address).
pub fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    stats: &Stats,
    params: &Bm25f,
    terms: &[QueryTerm],
    candidates: &[(f32, DocAddress)],
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let text_fields = fields.text_fields();
    let n = stats.num_docs as f32;
    let idf_of = |df: u64| (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
    // idf per term (from the field where the term is most frequent) and per field.
    let mut idf = Vec::with_capacity(terms.len());
    let mut field_idf = Vec::with_capacity(terms.len());
    for term in terms {
        let mut dfs = [0u64; 3];
        for (f, field) in text_fields.into_iter().enumerate() {
            dfs[f] = searcher.doc_freq(&Term::from_field_text(field, &term.text))?;
        }
        idf.push(idf_of(dfs.into_iter().max().unwrap_or(0)));
        field_idf.push(dfs.map(idf_of));
    }

    // Candidates grouped by segment, doc ids ascending for the postings seeks.
    let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for (i, (_, address)) in candidates.iter().enumerate() {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push((address.doc_id, i));
    }
    // Normalised, weighted term frequency summed over fields: tf[candidate][term].
    let mut tf = vec![vec![0f32; terms.len()]; candidates.len()];
    // Each field's own BM25, weighted by `separate`, summed over terms.
    let mut own = vec![0f32; candidates.len()];
    for (segment_ord, mut docs) in by_segment {
        docs.sort_unstable();
        let segment = searcher.segment_reader(segment_ord);
        for (f, field) in text_fields.into_iter().enumerate() {
            if params.weights[f] == 0.0 && params.separate[f] == 0.0 {
                continue;
            }
            let norms = segment.get_fieldnorms_reader(field)?;
            let inverted = segment.inverted_index(field)?;
            for (t, term) in terms.iter().enumerate() {
                let Some(mut postings) = inverted.read_postings(
                    &Term::from_field_text(field, &term.text),
                    IndexRecordOption::WithFreqs,
                )?
                else {
                    continue;
                };
                for &(doc, i) in &docs {
                    if postings.doc() > doc {
                        continue;
                    }
                    if postings.seek(doc) != doc {
                        continue;
                    }
                    let len = norms.fieldnorm(doc) as f32;
                    let b = params.b[f];
                    let norm = 1.0 - b + b * len / stats.avg_len[f];
                    let x = postings.term_freq() as f32 / norm;
                    tf[i][t] += params.weights[f] * x;
                    if params.separate[f] != 0.0 {
                        own[i] += params.separate[f]
                            * term.weight
                            * field_idf[t][f]
                            * x
                            * (params.k1 + 1.0)
                            / (params.k1 + x);
                    }
                }
            }
        }
    }

    let mut scored: Vec<(f32, DocAddress)> = candidates
        .iter()
        .enumerate()
        .map(|(i, &(_, address))| {
            let score: f32 = terms
                .iter()
                .enumerate()
                .map(|(t, term)| {
                    let x = tf[i][t];
                    term.weight * idf[t] * x * (params.k1 + 1.0) / (params.k1 + x)
                })
                .sum();
            let score = score + own[i];
            (score, address)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(scored)
}
