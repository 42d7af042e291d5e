//! Retrieval evaluation with trec_eval's definitions.
//!
//! * MRR@10: 1 / rank of the first relevant passage in the top 10, else 0.
//! * nDCG@10: DCG of the top 10 with gain = relevance grade and discount
//!   log2(rank + 1), over the DCG of the ideal ordering of all judged passages
//!   (trec_eval's `ndcg_cut.10`; binary qrels are the grade-1 case).
//! * Recall@100: relevant passages in the top 100 / relevant passages judged.
//! * P@1: 1 if the first hit is relevant.
//!
//! A passage is relevant when its grade is > 0. Queries whose qrels hold no relevant
//! passage are excluded (and counted). A run is ordered by score, not by its rank
//! column, ties by passage id ascending: this is what ir-measures (pytrec_eval)
//! does, checked on a 10,305-query run where it changed 18 queries' figures, and
//! it is also the order `lectern query --format trec` writes ties in.
//!
//! [`Level::Article`] scores at article level, for collections judged per document
//! (NFCorpus, most BEIR sets): each passage id `path#anchor` stands for its article
//! `path`, an article ranks where its best-scoring passage ranks (its later passages
//! are dropped), and passage-level judgements, if any, count for their article with
//! the highest grade among its passages.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::output::decode_id;

/// qrels: query id → passage id → grade.
pub type Qrels = BTreeMap<String, HashMap<String, i32>>;

/// A run: query id → passage ids in rank order.
pub type Run = BTreeMap<String, Vec<String>>;

/// A line of a qrels or run file that cannot be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// A qrels line (its number) without four columns.
    #[error("qrels line {0}: expected 4 columns (QID 0 DOC GRADE)")]
    QrelsColumns(usize),
    /// A qrels grade that is not an integer.
    #[error("qrels line {line}: grade {grade:?} is not an integer")]
    Grade {
        /// The line number.
        line: usize,
        /// The grade as written.
        grade: String,
    },
    /// A run line (its number) without six columns.
    #[error("run line {0}: expected 6 columns (QID Q0 DOC RANK SCORE TAG)")]
    RunColumns(usize),
    /// A run score that is not a number.
    #[error("run line {line}: score {score:?} is not a number")]
    Score {
        /// The line number.
        line: usize,
        /// The score as written.
        score: String,
    },
}

/// The lines of a qrels or run file, without a UTF-8 byte order mark.
fn lines(text: &str) -> std::str::Lines<'_> {
    text.strip_prefix('\u{feff}').unwrap_or(text).lines()
}

/// Parses TREC qrels (`QID 0 DOC GRADE`). Passage ids are percent-decoded, as
/// lectern writes them in TREC output ([`crate::output::encode_id`]).
pub fn parse_qrels(text: &str) -> Result<Qrels, ParseError> {
    let mut qrels = Qrels::new();
    for (n, line) in lines(text).enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [qid, _, doc, grade] = fields[..] else {
            return Err(ParseError::QrelsColumns(n + 1));
        };
        let grade: i32 = grade.parse().map_err(|_| ParseError::Grade {
            line: n + 1,
            grade: grade.to_string(),
        })?;
        qrels
            .entry(qid.to_string())
            .or_default()
            .insert(decode_id(doc).into_owned(), grade);
    }
    Ok(qrels)
}

/// Parses a TREC run (`QID Q0 DOC RANK SCORE TAG`); passage ids are percent-decoded.
pub fn parse_run(text: &str) -> Result<Run, ParseError> {
    let mut scored: BTreeMap<String, Vec<(f64, String)>> = BTreeMap::new();
    for (n, line) in lines(text).enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [qid, _, doc, _, score, ..] = fields[..] else {
            return Err(ParseError::RunColumns(n + 1));
        };
        let score: f64 = score.parse().map_err(|_| ParseError::Score {
            line: n + 1,
            score: score.to_string(),
        })?;
        scored
            .entry(qid.to_string())
            .or_default()
            .push((score, decode_id(doc).into_owned()));
    }
    Ok(scored
        .into_iter()
        .map(|(qid, mut docs)| {
            docs.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            (qid, docs.into_iter().map(|(_, d)| d).collect())
        })
        .collect())
}

/// The metrics of one query, or their mean over a run.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Metrics {
    /// Reciprocal rank of the first relevant passage in the top 10 (0 if none).
    pub mrr_at_10: f64,
    /// Normalised discounted cumulative gain of the top 10 (graded judgements).
    pub ndcg_at_10: f64,
    /// Share of the relevant passages found in the top 100.
    pub recall_at_100: f64,
    /// 1 if the first result is relevant, else 0.
    pub p_at_1: f64,
}

/// The metrics of one query (`eval --per-query`).
#[derive(Clone, Debug, Serialize)]
pub struct QueryMetrics {
    /// The query id.
    pub qid: String,
    #[serde(flatten)]
    /// Its metrics.
    pub metrics: Metrics,
}

/// What `eval` reports: mean metrics, counts and, if asked, each query's.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// Mean over the evaluated queries: every query of the qrels with a relevant
    /// passage; one the run has no line for counts as retrieving nothing.
    #[serde(flatten)]
    pub mean: Metrics,
    /// Queries evaluated (judged, with a relevant passage).
    pub queries: usize,
    /// Queries of the qrels with no relevant passage (excluded).
    pub without_relevant: usize,
    /// Queries of the run absent from the qrels (ignored).
    pub not_judged: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// Each evaluated query's metrics, when asked for.
    pub per_query: Vec<QueryMetrics>,
}

/// Metrics of one ranked list against one query's judgements.
pub fn score_query(ranked: &[String], judged: &HashMap<String, i32>) -> Metrics {
    let grade = |doc: &String| judged.get(doc).copied().unwrap_or(0).max(0);
    let relevant = judged.values().filter(|&&g| g > 0).count();
    let mrr = ranked
        .iter()
        .take(10)
        .position(|d| grade(d) > 0)
        .map_or(0.0, |i| 1.0 / (i as f64 + 1.0));
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, d)| f64::from(grade(d)) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<i32> = judged.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| f64::from(g) / (i as f64 + 2.0).log2())
        .sum();
    let found = ranked.iter().take(100).filter(|d| grade(d) > 0).count();
    Metrics {
        mrr_at_10: mrr,
        ndcg_at_10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        recall_at_100: if relevant > 0 {
            found as f64 / relevant as f64
        } else {
            0.0
        },
        p_at_1: ranked
            .first()
            .map_or(0.0, |d| f64::from(u8::from(grade(d) > 0))),
    }
}

/// Evaluates `run` against every judged query; `per_query` keeps each query's figures.
pub fn evaluate(run: &Run, qrels: &Qrels, per_query: bool) -> Evaluation {
    let mut sum = Metrics::default();
    let mut evaluation = Evaluation {
        mean: Metrics::default(),
        queries: 0,
        without_relevant: 0,
        not_judged: 0,
        per_query: Vec::new(),
    };
    evaluation.not_judged = run.keys().filter(|q| !qrels.contains_key(*q)).count();
    let empty = Vec::new();
    for (qid, judged) in qrels {
        if !judged.values().any(|&g| g > 0) {
            evaluation.without_relevant += 1;
            continue;
        }
        // A judged query the run has no line for scores zero (as ir-measures does).
        let ranked = run.get(qid).unwrap_or(&empty);
        let m = score_query(ranked, judged);
        sum.mrr_at_10 += m.mrr_at_10;
        sum.ndcg_at_10 += m.ndcg_at_10;
        sum.recall_at_100 += m.recall_at_100;
        sum.p_at_1 += m.p_at_1;
        evaluation.queries += 1;
        if per_query {
            evaluation.per_query.push(QueryMetrics {
                qid: qid.clone(),
                metrics: m,
            });
        }
    }
    let n = evaluation.queries.max(1) as f64;
    evaluation.mean = Metrics {
        mrr_at_10: sum.mrr_at_10 / n,
        ndcg_at_10: sum.ndcg_at_10 / n,
        recall_at_100: sum.recall_at_100 / n,
        p_at_1: sum.p_at_1 / n,
    };
    evaluation
}

/// What a run's ids and the judgements are compared as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Level {
    /// Passage ids as they are (`path#anchor`).
    #[default]
    Passage,
    /// Articles: the part of each id before the first `#`.
    Article,
}

/// The article of a passage id: everything before the first `#` (the whole id if none).
pub fn article_of(id: &str) -> &str {
    id.split_once('#').map_or(id, |(article, _)| article)
}

/// Maps a run to articles: each article at the rank of its first (best-scoring)
/// passage, later passages of the same article dropped.
pub fn run_to_articles(run: &Run) -> Run {
    run.iter()
        .map(|(qid, ids)| {
            let mut seen = std::collections::HashSet::new();
            let articles = ids
                .iter()
                .map(|id| article_of(id))
                .filter(|article| seen.insert(*article))
                .map(str::to_string)
                .collect();
            (qid.clone(), articles)
        })
        .collect()
}

/// Maps judgements to articles: an article's grade is the highest of its passages'.
pub fn qrels_to_articles(qrels: &Qrels) -> Qrels {
    qrels
        .iter()
        .map(|(qid, judged)| {
            let mut articles: HashMap<String, i32> = HashMap::new();
            for (id, &grade) in judged {
                articles
                    .entry(article_of(id).to_string())
                    .and_modify(|g| *g = (*g).max(grade))
                    .or_insert(grade);
            }
            (qid.clone(), articles)
        })
        .collect()
}

/// Evaluates `run` against `qrels` at `level` (see [`Level`]).
pub fn evaluate_at(run: &Run, qrels: &Qrels, level: Level, per_query: bool) -> Evaluation {
    match level {
        Level::Passage => evaluate(run, qrels, per_query),
        Level::Article => evaluate(&run_to_articles(run), &qrels_to_articles(qrels), per_query),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn judged(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_binary_case() {
        // Relevant: b (rank 2) and d (rank 4); c is judged non-relevant; z never retrieved.
        let m = score_query(
            &docs(&["a", "b", "c", "d"]),
            &judged(&[("b", 1), ("c", 0), ("d", 1), ("z", 1)]),
        );
        assert!(close(m.mrr_at_10, 0.5));
        assert!(close(m.p_at_1, 0.0));
        assert!(close(m.recall_at_100, 2.0 / 3.0));
        // DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3) + 1/log2(4).
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 0.5;
        assert!(close(m.ndcg_at_10, dcg / idcg));
    }

    #[test]
    fn article_level_ranks_each_article_at_its_best_passage() {
        // Passages by score: a.md#2, b.md#1, a.md#1, c.md (no anchor), b.md#3.
        let run = parse_run(
            "q Q0 a.md#1 3 1.0 t\nq Q0 b.md#1 2 2.0 t\nq Q0 a.md#2 1 3.0 t\n\
             q Q0 c.md 4 0.5 t\nq Q0 b.md#3 5 0.1 t\n",
        )
        .unwrap();
        assert_eq!(run_to_articles(&run)["q"], ["a.md", "b.md", "c.md"]);
        // Document-level qrels: c.md is the only relevant article, third at article
        // level (it would be fourth among passages).
        let qrels = parse_qrels("q 0 c.md 2\nq 0 b.md 0\n").unwrap();
        let article = evaluate_at(&run, &qrels, Level::Article, false);
        assert!(close(article.mean.mrr_at_10, 1.0 / 3.0));
        assert!(close(article.mean.ndcg_at_10, (2.0 / 4f64.log2()) / 2.0));
        let passage = evaluate_at(&run, &qrels, Level::Passage, false);
        assert!(close(passage.mean.mrr_at_10, 0.25));
    }

    #[test]
    fn passage_judgements_count_for_their_article_with_the_best_grade() {
        let qrels = parse_qrels("q 0 a.md#x 1\nq 0 a.md#y 2\nq 0 b.md#z 0\n").unwrap();
        let articles = qrels_to_articles(&qrels);
        assert_eq!(articles["q"].len(), 2);
        assert_eq!((articles["q"]["a.md"], articles["q"]["b.md"]), (2, 0));
        // One relevant article: found first, all metrics 1 (a.md#y's later passage
        // must not count twice).
        let run = parse_run("q Q0 a.md#x 1 2.0 t\nq Q0 a.md#y 2 1.0 t\n").unwrap();
        let m = evaluate_at(&run, &qrels, Level::Article, false).mean;
        assert!(close(m.ndcg_at_10, 1.0) && close(m.recall_at_100, 1.0));
        assert_eq!(article_of("x/y.html"), "x/y.html");
        assert_eq!(article_of("x/y.html#a#b"), "x/y.html");
    }

    #[test]
    fn graded_ndcg_and_perfect_run() {
        let m = score_query(&docs(&["x", "y"]), &judged(&[("x", 2), ("y", 1)]));
        assert!(close(m.ndcg_at_10, 1.0) && close(m.mrr_at_10, 1.0) && close(m.p_at_1, 1.0));
        // Swapped: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3).
        let m = score_query(&docs(&["y", "x"]), &judged(&[("x", 2), ("y", 1)]));
        assert!(close(
            m.ndcg_at_10,
            (1.0 + 2.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2())
        ));
    }

    #[test]
    fn relevant_after_rank_10_counts_for_recall_only() {
        let mut ranked: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        ranked[12] = "r".into();
        let m = score_query(&ranked, &judged(&[("r", 1)]));
        assert!(close(m.mrr_at_10, 0.0) && close(m.ndcg_at_10, 0.0) && close(m.recall_at_100, 1.0));
    }

    #[test]
    fn queries_without_relevant_or_judgements_are_excluded() {
        let qrels = parse_qrels("q1 0 a 1\nq2 0 b 0\nq4 0 d 1\n").unwrap();
        let run = parse_run("q1 Q0 a 1 2.0 t\nq2 Q0 b 1 1.0 t\nq3 Q0 c 1 1.0 t\n").unwrap();
        let e = evaluate(&run, &qrels, true);
        // q2 has no relevant passage, q3 no judgements; q4 is missing from the run.
        assert_eq!((e.queries, e.without_relevant, e.not_judged), (2, 1, 1));
        assert!(close(e.mean.mrr_at_10, 0.5));
    }

    #[test]
    fn run_is_ordered_by_score_not_rank_column() {
        let run = parse_run("q Q0 a 1 1.0 t\nq Q0 c 2 3.0 t\nq Q0 b 3 3.0 t\n").unwrap();
        assert_eq!(run["q"], ["b", "c", "a"]);
        assert!(parse_run("q Q0 a").is_err());
        assert!(parse_qrels("q 0 a x").is_err());
    }

    #[test]
    fn byte_order_mark_and_encoded_ids() {
        let qrels = parse_qrels("\u{feff}q1 0 other%20file.md#intro 1\n").unwrap();
        assert!(qrels["q1"].contains_key("other file.md#intro"));
        let run = parse_run("\u{feff}q1 Q0 other%20file.md#intro 1 1.0 t\n").unwrap();
        assert_eq!(run["q1"], ["other file.md#intro"]);
        assert!(close(evaluate(&run, &qrels, false).mean.mrr_at_10, 1.0));
    }
}
