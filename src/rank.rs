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
use std::sync::{Arc, Mutex};

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
    /// Document frequencies in title, heading and body, if already looked up.
    pub doc_freqs: Option<[u64; 3]>,
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
    /// Bonus (as a fraction of its score) for an article's first section when
    /// every literal query term is in the article's title: a query that only
    /// names the topic is best answered by the article's lead. In a collection of
    /// one-section articles every passage is a lead, so the bonus changes nothing.
    pub lead: f32,
    /// Weight of heading-class association: sections whose heading recurs across
    /// the collection ("Treatment", "How common is it") form a class; a query term
    /// over-represented in that class's bodies ("prevalence" in "How common is
    /// it") counts, for every section of the class, as a partial heading match of
    /// strength P(term | class). Learned from the index at query time; collections
    /// without recurring headings (abstracts) have no classes and are unaffected.
    pub assoc: f32,
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

/// Collection statistics the scorer needs, computed once per opened index.
#[derive(Debug)]
pub struct Stats {
    /// Passages, deleted ones included (see [`total_docs`]).
    pub num_docs: u64,
    pub avg_len: [f32; 3],
    /// Per body term, passages containing it per heading class; filled on demand
    /// (batches ask for the same common words again and again).
    class_counts: Mutex<HashMap<String, Arc<HashMap<u64, u32>>>>,
}

/// Heading classes smaller than this say too little to learn from.
const MIN_CLASS: u32 = 5;

impl Stats {
    pub fn new(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Stats> {
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
            class_counts: Mutex::default(),
        })
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
    let idf_of = |df: u64| idf(df, stats.num_docs);
    // idf per term (from the field where the term is most frequent) and per field.
    let mut idf = Vec::with_capacity(terms.len());
    let mut field_idf = Vec::with_capacity(terms.len());
    for term in terms {
        let dfs = match term.doc_freqs {
            Some(dfs) => dfs,
            None => {
                let mut dfs = [0u64; 3];
                for (f, field) in text_fields.into_iter().enumerate() {
                    dfs[f] = searcher.doc_freq(&Term::from_field_text(field, &term.text))?;
                }
                dfs
            }
        };
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
    // Literal terms found in the title, and whether the passage is a lead section.
    let mut in_title = vec![0usize; candidates.len()];
    let mut is_lead = vec![false; candidates.len()];
    let mut class = vec![0u64; candidates.len()];
    let use_classes = params.assoc > 0.0;
    let literal = terms.iter().filter(|t| t.weight >= 1.0).count();
    for (segment_ord, mut docs) in by_segment {
        docs.sort_unstable();
        let segment = searcher.segment_reader(segment_ord);
        if use_classes {
            let column = segment.fast_fields().u64(crate::schema::HEADING_CLASS)?;
            for &(doc, i) in &docs {
                class[i] = column.first(doc).unwrap_or(0);
            }
        }
        if params.lead > 0.0 {
            let ordinal = segment.fast_fields().u64(crate::schema::ORDINAL)?;
            for &(doc, i) in &docs {
                is_lead[i] = ordinal.first(doc) == Some(0);
            }
        }
        for (f, field) in text_fields.into_iter().enumerate() {
            if params.weights[f] == 0.0 && params.separate[f] == 0.0 {
                continue;
            }
            let norms = segment.get_fieldnorms_reader(field)?;
            let inverted = segment.inverted_index(field)?;
            for (t, term) in terms.iter().enumerate() {
                if term.doc_freqs.is_some_and(|d| d[f] == 0) {
                    continue;
                }
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
                    if f == 0 && term.weight >= 1.0 {
                        in_title[i] += 1;
                    }
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

    if use_classes {
        // Passages per heading class, from the indexed class field (one lookup each).
        let mut class_sizes: HashMap<u64, u32> = HashMap::new();
        for &c in &class {
            if c != 0 && !class_sizes.contains_key(&c) {
                let size = searcher.doc_freq(&Term::from_field_u64(fields.heading_class, c))?;
                class_sizes.insert(c, size as u32);
            }
        }
        class_sizes.retain(|_, size| *size >= MIN_CLASS);
        for (t, term) in terms.iter().enumerate() {
            if class_sizes.is_empty() {
                break;
            }
            let by_class = stats.class_frequencies(searcher, fields, &term.text)?;
            let df: u32 = by_class.values().sum();
            let p_t = df as f32 / n.max(1.0);
            for i in 0..candidates.len() {
                let (Some(&size), Some(&count)) =
                    (class_sizes.get(&class[i]), by_class.get(&class[i]))
                else {
                    continue;
                };
                let p_tc = count as f32 / size as f32;
                if p_tc >= 2.0 * p_t {
                    tf[i][t] += params.assoc * p_tc;
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
            let mut score = score + own[i];
            if is_lead[i] && literal > 0 && in_title[i] == literal {
                score *= 1.0 + params.lead;
            }
            (score, address)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(scored)
}

impl Stats {
    /// For each heading class, how many passages contain `term` in their body.
    fn class_frequencies(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        term: &str,
    ) -> tantivy::Result<Arc<HashMap<u64, u32>>> {
        let cached = self
            .class_counts
            .lock()
            .ok()
            .and_then(|c| c.get(term).cloned());
        if let Some(counts) = cached {
            return Ok(counts);
        }
        let counts = Arc::new(count_classes(searcher, fields, term)?);
        if let Ok(mut cache) = self.class_counts.lock() {
            cache.insert(term.to_string(), counts.clone());
        }
        Ok(counts)
    }
}

fn count_classes(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
) -> tantivy::Result<HashMap<u64, u32>> {
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let term = Term::from_field_text(fields.body, term);
    for segment in searcher.segment_readers() {
        let Some(mut postings) = segment
            .inverted_index(fields.body)?
            .read_postings(&term, IndexRecordOption::Basic)?
        else {
            continue;
        };
        let column = segment.fast_fields().u64(crate::schema::HEADING_CLASS)?;
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if !segment.is_deleted(doc) {
                *counts.entry(column.first(doc).unwrap_or(0)).or_default() += 1;
            }
            doc = postings.advance();
        }
    }
    Ok(counts)
}
