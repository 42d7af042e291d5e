//! Semantic passages (cargo feature `semantic`): a local sentence-embedding model
//! gives every passage a vector at ingest (`ingest --embed`), and queries fuse the
//! passages nearest the query's vector with lectern's own ranking.
//!
//! * [`model`]: loads a sentence-transformers BERT folder and encodes texts.
//! * [`vectors`]: the vectors of one commit, a side file of the generation.
//! * here: which passages an ingest must encode ([`update`]), and the fused query
//!   ([`Dense::search`]): the candidates are lectern's top 100 and the dense top
//!   100; each candidate is scored by lectern (0 beyond its top 100) and by its
//!   cosine with the query (every candidate has one: the vectors of all passages
//!   are at hand), each side min-max normalised over the candidates, the dense
//!   share 0.35 (see BENCHMARKS.md "Semantic passages"). How far the dense side
//!   moves a query's ranking is read from that query's own cosines: candidates
//!   about as close to the query as each other, next to the spread of all the
//!   candidates, are barely separated by it and lectern's order stands; a lexical
//!   candidate just outside the dense top 100 keeps its cosine instead of a 0, and
//!   one below the 200th best cosine counts as that (the floor of the range).

/// The embedding model.
pub mod model;
/// The passage vectors of a commit.
pub mod vectors;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tantivy::TantivyDocument;
use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;

pub use model::{EncodeOptions, Model};
pub use vectors::Vectors;

use crate::ingest::{Embed, Event};
use crate::schema::{self, Fields};
use crate::search::{Contribution, Engine, Results, SearchOptions};
use crate::store::{Manifest, Target};

/// Why embedding or a dense query failed.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error(
        "no embedding model at {dir} (missing: {missing}); put a sentence-transformers BERT folder there (config.json, tokenizer.json, model.safetensors, 1_Pooling/config.json), e.g. all-MiniLM-L6-v2 (see README \"Semantic passages\"), and pass it with --model DIR"
    )]
    /// The model folder lacks a file the model needs.
    MissingModel {
        /// The model folder.
        dir: String,
        /// The files it lacks.
        missing: String,
    },
    /// The model cannot be loaded or run.
    #[error("embedding model at {dir}: {reason}")]
    Model {
        /// The model folder.
        dir: String,
        /// What failed.
        reason: String,
    },
    #[error(
        "the index's vectors were made by another model ({stored}) than the one at {dir} ({found}); run `lectern ingest --embed --model DIR` with the model you want"
    )]
    /// The index's vectors come from another model than the one given.
    OtherModel {
        /// The model folder given.
        dir: String,
        /// The id of the model of the vectors.
        stored: String,
        /// The id of the model given.
        found: String,
    },
    #[error(
        "the index's vectors file {0} is damaged; run `lectern ingest --embed` to write it again"
    )]
    /// The vectors file cannot be read.
    Damaged(String),
    #[error("{0}")]
    /// tantivy cannot read the index.
    Index(#[from] tantivy::TantivyError),
    #[error(transparent)]
    /// The lexical search failed.
    Search(#[from] crate::search::SearchError),
    #[error("embedding interrupted")]
    /// Stopped because the progress callback asked to (an interrupted ingest).
    Cancelled,
}

/// How `query` uses the vectors of an index that has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// lectern's ranking alone.
    Off,
    /// Fusion of lectern's ranking and the dense ranking (the default).
    #[default]
    Fuse,
    /// The dense ranking alone.
    Only,
}

/// How the two rankings are combined (`--param fusion=cosine|linear|rrf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `(1 - mix) * lexical + mix * cosine` over the union of both top `depth`
    /// lists: lectern's scores min-max normalised over its list (0 beyond it), the
    /// cosines of all candidates min-max normalised over the candidates.
    Cosine,
    /// `(1 - mix) * lexical + mix * dense`, each min-max normalised over its top
    /// `depth` (a passage missing from a list scores 0 there): lectern's scores,
    /// and the dense ranks as 1 / (k + rank) (the default before `cosine`).
    Linear,
    /// Reciprocal rank fusion: a hit at rank r scores weight / (k + r).
    Rrf,
}

/// Fusion settings (`--param fusion=…`, `mix=…`, `rrf_k=…`, `dense_weight=…`,
/// `fusion_depth=…`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fusion {
    /// Cosine (the default), linear or reciprocal rank fusion.
    pub method: Method,
    /// Share of the dense side in the cosine and linear combinations.
    pub mix: f32,
    /// k of reciprocal rank fusion.
    pub k: f32,
    /// Weight of the dense ranking in reciprocal rank fusion (lectern's has 1).
    pub dense_weight: f32,
    /// Hits taken from each ranking.
    pub depth: usize,
}

impl Default for Fusion {
    fn default() -> Self {
        // Cosine, dense share 0.35: the best worst case over the whole development
        // collections with the Rust books and their sub-rows (BENCHMARKS.md
        // "Semantic passages"); the rank-based linear mix (0.4, the earlier default)
        // lost on the Rust books, reciprocal rank fusion (k 60, dense weight 0.5,
        // the first default) on medquad questions.
        Fusion {
            method: Method::Cosine,
            mix: 0.35,
            k: 60.0,
            dense_weight: 0.5,
            depth: 100,
        }
    }
}

impl Fusion {
    /// The fusion settings with their defaults and meaning, for `query --help`.
    pub fn describe() -> Vec<(&'static str, String, &'static str)> {
        let d = Fusion::default();
        let method = match d.method {
            Method::Cosine => "cosine",
            Method::Linear => "linear",
            Method::Rrf => "rrf",
        };
        vec![
            (
                "fusion",
                method.to_string(),
                "With vectors: cosine (lectern's scores mixed with every candidate's cosine), linear (with the dense ranks) or rrf (reciprocal rank fusion).",
            ),
            (
                "mix",
                d.mix.to_string(),
                "Cosine and linear fusion: share of the dense side.",
            ),
            (
                "rrf_k",
                d.k.to_string(),
                "k of 1 / (k + rank) for the dense ranks (and of rrf).",
            ),
            (
                "dense_weight",
                d.dense_weight.to_string(),
                "Rrf fusion: weight of the dense ranking.",
            ),
            (
                "fusion_depth",
                d.depth.to_string(),
                "Hits taken from each ranking before fusing.",
            ),
        ]
    }

    /// Sets `NAME=VALUE` if NAME is a fusion setting; Ok(false) when it is not.
    pub fn set(&mut self, assignment: &str) -> Result<bool, crate::rank::ParamError> {
        let Some((name, value)) = assignment.split_once('=') else {
            return Ok(false);
        };
        let number = || {
            value
                .trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| crate::rank::ParamError::Value {
                    name: name.trim().to_string(),
                    value: value.to_string(),
                })
        };
        match name.trim() {
            "fusion" => {
                self.method = match value.trim() {
                    "cosine" => Method::Cosine,
                    "linear" => Method::Linear,
                    "rrf" => Method::Rrf,
                    _ => {
                        return Err(crate::rank::ParamError::Value {
                            name: name.trim().to_string(),
                            value: value.to_string(),
                        });
                    }
                }
            }
            "mix" => self.mix = number()?.min(1.0),
            "rrf_k" => self.k = number()?,
            "dense_weight" => self.dense_weight = number()?,
            "fusion_depth" => self.depth = (number()? as usize).max(1),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Reciprocal rank fusion: `lists` of ids best first, each with its weight;
/// returns (id, score) best first, ties by id.
pub fn rrf<'a>(lists: &[(&[&'a str], f32)], k: f32) -> Vec<(&'a str, f32)> {
    let mut scores: HashMap<&str, f32> = HashMap::new();
    for (ids, weight) in lists {
        for (rank, id) in ids.iter().enumerate() {
            *scores.entry(id).or_default() += weight / (k + rank as f32 + 1.0);
        }
    }
    let mut fused: Vec<(&str, f32)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    fused
}

/// Convex combination of scored lists (best first): each list's scores are
/// min-max normalised (its best 1, its last 0; all 1 when they are equal) and
/// weighted; returns (id, score) best first, ties by id. Unlike rank fusion this
/// keeps how decisive each ranking is: a lexical hit far ahead of the rest stays
/// ahead of a dense ranking whose cosines are close together.
pub fn linear<'a>(lists: &[(&[(&'a str, f32)], f32)]) -> Vec<(&'a str, f32)> {
    let mut scores: HashMap<&str, f32> = HashMap::new();
    for (list, weight) in lists {
        let (Some(first), Some(last)) = (list.first(), list.last()) else {
            continue;
        };
        let (hi, lo) = (first.1, last.1);
        for (id, s) in list.iter() {
            let norm = if hi > lo { (s - lo) / (hi - lo) } else { 1.0 };
            *scores.entry(id).or_default() += weight * norm;
        }
    }
    let mut fused: Vec<(&str, f32)> = scores.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    fused
}

/// The cosine side of [`Method::Cosine`]: the `dense` top (id, cosine) and every
/// `lexical` candidate beyond it with its own cosine (`cosine` of an id; None for a
/// passage without a vector, left out) but at least `floor`, best first, ties by
/// id. A lexical candidate the dense top missed is scored by how close it is, not
/// dropped to 0; the floor keeps one far-off candidate from setting the low end of
/// the normalisation (and so squeezing every other difference).
pub fn cosine_side<'a>(
    dense: &[(&'a str, f32)],
    lexical: &[&'a str],
    cosine: impl Fn(&str) -> Option<f32>,
    floor: f32,
) -> Vec<(&'a str, f32)> {
    let seen: HashSet<&str> = dense.iter().map(|x| x.0).collect();
    let mut side = dense.to_vec();
    side.extend(
        lexical
            .iter()
            .filter(|id| !seen.contains(*id))
            .filter_map(|&id| cosine(id).map(|c| (id, c.max(floor)))),
    );
    side.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    side
}

/// A passage to encode at ingest.
pub struct Passage {
    /// The article's path in the corpus.
    pub path: String,
    /// The passage id.
    pub id: String,
    /// Title, heading path and body, one per line.
    pub text: String,
}

impl Passage {
    /// A passage to encode: its title, heading path and body, one per line.
    pub fn new(path: &str, id: String, title: &str, heading: &str, body: &str) -> Passage {
        Passage {
            path: path.to_string(),
            id,
            text: format!("{title}\n{heading}\n{body}"),
        }
    }
}

/// The stored passages of `paths` in the last commit of `index`.
pub fn stored_passages(
    index: &tantivy::Index,
    fields: &Fields,
    paths: &HashSet<&str>,
) -> tantivy::Result<Vec<Passage>> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let searcher = index.reader()?.searcher();
    let mut addresses: Vec<_> = searcher
        .search(&AllQuery, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    let mut out = Vec::new();
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let path = schema::text_of(&doc, fields.path);
        if paths.contains(path) {
            out.push(Passage::new(
                path,
                schema::text_of(&doc, fields.id).to_string(),
                schema::text_of(&doc, fields.title),
                schema::text_of(&doc, fields.heading),
                schema::text_of(&doc, fields.body),
            ));
        }
    }
    Ok(out)
}

/// The vectors of the new commit: the `previous` ones of files kept as they were
/// (`kept` says which paths), plus a vector for each passage in `fresh`.
/// `progress(done, total)` is as in [`Model::encode`].
pub fn update(
    model: &Model,
    previous: Option<Vectors>,
    kept: impl Fn(&str) -> bool,
    fresh: &[Passage],
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Result<Vectors, SemanticError> {
    let model_dir = model.dir.display().to_string();
    let mut vectors = match previous {
        Some(v) if v.model_id == model.id && v.dims == model.dims => {
            let mut v = v;
            v.retain_paths(&kept);
            v.model_dir = model_dir;
            v
        }
        _ => Vectors::new(&model.id, &model_dir, model.dims),
    };
    let texts: Vec<&str> = fresh.iter().map(|p| p.text.as_str()).collect();
    let encoded = model.encode(&texts, progress)?;
    for (passage, vector) in fresh.iter().zip(&encoded) {
        vectors.push(&passage.path, &passage.id, vector);
    }
    Ok(vectors)
}

/// True when this ingest must collect the passages it extracts for encoding.
pub fn embedding(embed: Embed, target: &Target) -> bool {
    match embed {
        Embed::With(_) => true,
        Embed::Keep => target.previous_vectors().is_some(),
    }
}

impl EncodeOptions {
    /// The defaults, with `LECTERN_EMBED_MAX_LEN`, `LECTERN_EMBED_BATCH`,
    /// `LECTERN_EMBED_WINDOWS`, `LECTERN_EMBED_PARALLEL` and `LECTERN_EMBED_DTYPE` (`f32`, `f16`, `bf16`) for
    /// experiments (BENCHMARKS.md).
    pub fn from_env() -> EncodeOptions {
        let var = |name: &str| std::env::var(name).ok();
        let mut o = EncodeOptions::default();
        if let Some(n) = var("LECTERN_EMBED_MAX_LEN").and_then(|v| v.parse().ok()) {
            o.max_len = n;
        }
        if let Some(n) = var("LECTERN_EMBED_BATCH").and_then(|v| v.parse().ok()) {
            o.batch = n;
        }
        if let Some(n) = var("LECTERN_EMBED_WINDOWS").and_then(|v| v.parse().ok()) {
            o.windows = n;
        }
        if let Some(n) = var("LECTERN_EMBED_PARALLEL").and_then(|v| v.parse().ok()) {
            o.parallel = n;
        }
        match var("LECTERN_EMBED_DTYPE").as_deref() {
            Some("f16") => o.dtype = candle_core::DType::F16,
            Some("bf16") => o.dtype = candle_core::DType::BF16,
            _ => {}
        }
        o
    }
}

/// The vectors file of the commit an ingest is about to make: None when the index
/// has no vectors and none were asked for, else (whether it differs from the last
/// commit's, its bytes). Encodes the passages of new and changed files (`fresh`);
/// the vectors of files kept as they were are reused, those of `touched` (deleted
/// or re-extracted) files dropped. Another model than the one the vectors record
/// encodes every passage again.
#[allow(clippy::too_many_arguments)]
pub fn ingest_vectors(
    embed: Embed,
    target: &Target,
    fields: &Fields,
    manifest: &Manifest,
    touched: &HashSet<String>,
    fresh: Vec<Passage>,
    cancel: &dyn Fn() -> bool,
    on_event: &mut dyn FnMut(Event),
) -> Result<Option<(bool, Vec<u8>)>, SemanticError> {
    let previous_bytes = target.previous_vectors();
    let previous = previous_bytes.as_deref().and_then(Vectors::from_bytes);
    if previous_bytes.is_some() && previous.is_none() {
        on_event(Event::Notice(
            "the index's vectors file is damaged; encoding every passage again",
        ));
    }
    let model_dir: PathBuf = match (embed, &previous) {
        (Embed::With(Some(dir)), _) => dir.to_path_buf(),
        (_, Some(v)) => PathBuf::from(&v.model_dir),
        (Embed::With(None), None) => {
            return Err(SemanticError::MissingModel {
                dir: "(no --model given)".into(),
                missing: "--model DIR".into(),
            });
        }
        (Embed::Keep, None) => return Ok(None),
    };
    let model = Model::load(&model_dir, EncodeOptions::from_env())?;
    let reuse = previous.filter(|v| v.model_id == model.id && v.dims == model.dims);
    if previous_bytes.is_some() && reuse.is_none() {
        on_event(Event::Notice(&format!(
            "the index's vectors are not from the model at {}; encoding every passage again",
            model.dir.display()
        )));
    }
    // An article recorded as a near-duplicate alias has no passages in the index:
    // its vectors would take dense ranks that no hit can show.
    let indexed = |p: &str| manifest.files.get(p).is_some_and(|r| r.alias_of.is_none());
    let kept = |p: &str| indexed(p) && !touched.contains(p);
    let mut todo = fresh;
    todo.retain(|p| indexed(&p.path));
    if reuse.is_none() {
        let paths: HashSet<&str> = manifest
            .files
            .keys()
            .map(String::as_str)
            .filter(|p| kept(p))
            .collect();
        todo.extend(stored_passages(&target.index, fields, &paths)?);
    }
    let moved_dir = reuse
        .as_ref()
        .is_some_and(|v| v.model_dir != model.dir.display().to_string());
    if let (Some(bytes), true) = (&previous_bytes, reuse.is_some())
        && todo.is_empty()
        && touched.is_empty()
        && !moved_dir
        && reuse.as_ref().is_some_and(|v| v.paths().all(indexed))
    {
        return Ok(Some((false, bytes.clone())));
    }
    let started = std::time::Instant::now();
    let passages = todo.len();
    let mut progress = |done, total| {
        on_event(Event::Embedding { done, total });
        !cancel()
    };
    let vectors = update(&model, reuse, kept, &todo, &mut progress)?;
    if passages > 0 {
        let seconds = started.elapsed().as_secs_f64();
        let (tokens, padded) = model.tokens_run();
        on_event(Event::Notice(&format!(
            "embedded {passages} passages in {seconds:.1} s ({:.1} passages/s; {tokens} tokens, {padded} with padding)",
            passages as f64 / seconds.max(1e-9)
        )));
    }
    Ok(Some((true, vectors.to_bytes())))
}

/// An index's vectors with the model that reads queries into the same space.
pub struct Dense {
    /// The model (reads the queries).
    pub model: Model,
    /// The passage vectors of the commit.
    pub vectors: Vectors,
    /// How the two rankings are fused.
    pub fusion: Fusion,
    /// Index of each passage id in `vectors`.
    positions: HashMap<String, usize>,
}

impl Dense {
    /// Reads the vectors file `bytes` (named `name`) and loads the model (the one
    /// the vectors record, unless `model_dir` is given); they must match.
    pub fn open(
        bytes: &[u8],
        name: &str,
        model_dir: Option<&Path>,
        fusion: Fusion,
    ) -> Result<Dense, SemanticError> {
        let vectors =
            Vectors::from_bytes(bytes).ok_or_else(|| SemanticError::Damaged(name.into()))?;
        let dir = model_dir.unwrap_or(Path::new(&vectors.model_dir));
        let model = Model::load(dir, EncodeOptions::default())?;
        if model.id != vectors.model_id || model.dims != vectors.dims {
            return Err(SemanticError::OtherModel {
                dir: dir.display().to_string(),
                stored: vectors.model_id.clone(),
                found: model.id.clone(),
            });
        }
        let positions = vectors
            .ids()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i))
            .collect();
        Ok(Dense {
            model,
            vectors,
            fusion,
            positions,
        })
    }

    /// Answers `text` by `mode`: lectern's ranking, the dense one, or their fusion.
    pub fn search(
        &self,
        engine: &Engine,
        text: &str,
        options: &SearchOptions,
        mode: Mode,
    ) -> Result<Results, SemanticError> {
        if mode == Mode::Off {
            return Ok(engine.search(text, options)?);
        }
        let limit = engine.depth(options.limit);
        let depth = self.fusion.depth.max(limit);
        let query = self.model.encode(&[text], &mut |_, _| true)?;
        let cosines = self.vectors.cosines(&query[0]);
        // Twice as deep: the last is the floor of the candidates' cosines.
        let mut dense = self.vectors.best(&cosines, 2 * depth);
        let floor = dense.last().map_or(f32::MIN, |x| x.1);
        dense.truncate(depth);
        let dense_ids: Vec<&str> = dense.iter().map(|&(i, _)| self.vectors.id(i)).collect();
        let dense_rank: HashMap<&str, usize> = dense_ids
            .iter()
            .enumerate()
            .map(|(rank, &id)| (id, rank + 1))
            .collect();
        let cosine_of = |id: &str| self.positions.get(id).map(|&i| cosines[i]);
        // lectern's ranking, once: snippets are cut below for what is shown.
        let mut lexical = engine.search(
            text,
            &SearchOptions {
                limit: depth,
                snippets: false,
                documents: options.documents || options.snippets,
                ..options.clone()
            },
        )?;
        if mode == Mode::Only {
            lexical.hits.truncate(0);
        }
        let lexical_ids: Vec<&str> = lexical.hits.iter().map(|h| h.id.as_str()).collect();
        let lexical_scored: Vec<(&str, f32)> = lexical
            .hits
            .iter()
            .map(|h| (h.id.as_str(), h.score))
            .collect();
        let dense_scored: Vec<(&str, f32)> = dense
            .iter()
            .map(|&(i, c)| (self.vectors.id(i), c))
            .collect();
        let candidates = cosine_side(&dense_scored, &lexical_ids, cosine_of, floor);
        // The rank-based linear mix: the dense ranks as 1 / (k + r).
        let dense_ranked: Vec<(&str, f32)> = dense_ids
            .iter()
            .enumerate()
            .map(|(r, &id)| (id, 1.0 / (self.fusion.k + r as f32 + 1.0)))
            .collect();
        let mix = self.fusion.mix;
        let fused: Vec<(String, f32)> = match (mode, self.fusion.method) {
            (Mode::Only, _) => dense
                .iter()
                .map(|&(i, c)| (self.vectors.id(i), c))
                .collect(),
            (_, Method::Cosine) => linear(&[(&lexical_scored, 1.0 - mix), (&candidates, mix)]),
            (_, Method::Linear) => linear(&[(&lexical_scored, 1.0 - mix), (&dense_ranked, mix)]),
            (_, Method::Rrf) => rrf(
                &[(&lexical_ids, 1.0), (&dense_ids, self.fusion.dense_weight)],
                self.fusion.k,
            ),
        }
        .into_iter()
        .take(limit)
        .map(|(id, score)| (id.to_string(), score))
        .collect();
        // Each side's min-max normalisation, for --explain.
        let span = |list: &[(&str, f32)]| {
            (
                list.first().map_or(0.0, |x| x.1),
                list.last().map_or(0.0, |x| x.1),
            )
        };
        let norm =
            |(hi, lo): (f32, f32)| move |s: f32| if hi > lo { (s - lo) / (hi - lo) } else { 1.0 };
        let lexical_norm = norm(span(&lexical_scored));
        let (cos_hi, cos_lo) = span(&candidates);
        let cosine_norm = norm((cos_hi, cos_lo));
        let dense_norm = norm(span(&dense_ranked));
        let mut highlighter = if options.snippets {
            Some(engine.highlighter_for(text)?)
        } else {
            None
        };
        let mut by_id: HashMap<String, (usize, crate::search::Hit)> = lexical
            .hits
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h.id.clone(), (i + 1, h)))
            .collect();
        let mut hits = Vec::with_capacity(limit);
        for (id, score) in &fused {
            let id = id.as_str();
            let (lexical_rank, mut hit) = match by_id.remove(id) {
                Some((rank, hit)) => (Some(rank), hit),
                None => match engine.passage(id)? {
                    Some(mut hit) => {
                        hit.explain.clear();
                        (None, hit)
                    }
                    // In the vectors but not the index: cannot happen within a commit.
                    None => continue,
                },
            };
            if let Some(h) = highlighter.as_mut() {
                hit.snippet = Some(h.snippet(&hit.text, options.snippet_chars));
            }
            if options.explain {
                let rank = dense_rank.get(id).copied();
                let cosine = cosine_of(id);
                let method = self.fusion.method;
                let mut explain = vec![
                    Contribution {
                        what: match lexical_rank {
                            Some(r) => format!("lexical rank {r} (score {:.3})", hit.score),
                            None => format!("lexical rank > {depth}"),
                        },
                        score: lexical_rank.map_or(0.0, |r| match method {
                            Method::Cosine | Method::Linear => {
                                (1.0 - mix) * lexical_norm(hit.score)
                            }
                            Method::Rrf => 1.0 / (self.fusion.k + r as f32),
                        }),
                    },
                    Contribution {
                        what: match (rank, cosine, method) {
                            (_, Some(c), Method::Cosine) => format!(
                                "dense rank {} (cosine {c:.3}; the candidates' cosines {cos_lo:.3} to {cos_hi:.3})",
                                rank.map_or(format!("> {depth}"), |r| r.to_string())
                            ),
                            (Some(r), Some(c), _) => format!("dense rank {r} (cosine {c:.3})"),
                            _ => format!("dense rank > {depth}"),
                        },
                        score: match method {
                            Method::Cosine => {
                                cosine.map_or(0.0, |c| mix * cosine_norm(c.max(floor)))
                            }
                            Method::Linear => rank.map_or(0.0, |r| {
                                mix * dense_norm(1.0 / (self.fusion.k + r as f32))
                            }),
                            Method::Rrf => rank.map_or(0.0, |r| {
                                self.fusion.dense_weight / (self.fusion.k + r as f32)
                            }),
                        },
                    },
                ];
                explain.append(&mut hit.explain);
                hit.explain = explain;
            }
            hit.score = *score;
            hits.push(hit);
        }
        for (i, hit) in hits.iter_mut().enumerate() {
            hit.rank = i + 1;
        }
        Ok(Results {
            query: lexical.query,
            hits,
            notes: lexical.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrf_adds_reciprocal_ranks() {
        let a = ["x", "y", "z"];
        let b = ["z", "w"];
        let fused = rrf(&[(&a, 1.0), (&b, 1.0)], 60.0);
        let ids: Vec<&str> = fused.iter().map(|f| f.0).collect();
        // z: 1/63 + 1/61 beats x: 1/61.
        assert_eq!(ids, vec!["z", "x", "w", "y"]);
        assert!((fused[0].1 - (1.0 / 63.0 + 1.0 / 61.0)).abs() < 1e-6);
        // A zero weight leaves the first ranking alone.
        let only_a: Vec<&str> = rrf(&[(&a, 1.0), (&b, 0.0)], 60.0)
            .iter()
            .take(3)
            .map(|f| f.0)
            .collect();
        assert_eq!(only_a, vec!["x", "y", "z"]);
    }

    #[test]
    fn linear_keeps_how_decisive_each_ranking_is() {
        // Lexical: x far ahead; dense ranks y, z, x.
        let lexical = [("x", 30.0), ("y", 10.0), ("z", 9.0)];
        let dense = [("y", 1.0 / 61.0), ("z", 1.0 / 62.0), ("x", 1.0 / 63.0)];
        let fused = linear(&[(&lexical, 0.6), (&dense, 0.4)]);
        let ids: Vec<&str> = fused.iter().map(|f| f.0).collect();
        // x: 0.6 * 1 + 0; y: 0.6 * 1/21 + 0.4; z: 0 + 0.4 * (1/62 - 1/63) / (1/61 - 1/63).
        assert_eq!(ids, vec!["x", "y", "z"]);
        assert!((fused[0].1 - 0.6).abs() < 1e-6);
        assert!((fused[1].1 - (0.6 / 21.0 + 0.4)).abs() < 1e-6);
        // Close lexical scores: the dense ranking decides.
        let close = [("x", 10.2), ("y", 10.1), ("z", 10.0)];
        let ids: Vec<&str> = linear(&[(&close, 0.6), (&dense, 0.4)])
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(ids[0], "y");
        // A one-hit list counts fully; an empty one not at all.
        let one = [("w", 3.0)];
        let fused = linear(&[(&one, 0.6), (&[], 0.4)]);
        assert_eq!(fused, vec![("w", 0.6)]);
    }

    #[test]
    fn lexical_candidates_beyond_the_dense_top_keep_their_cosine() {
        let dense = [("a", 0.9), ("b", 0.5)];
        let lexical = ["c", "b", "x", "d"];
        let cosine = |id: &str| match id {
            "c" => Some(0.7),
            "d" => Some(0.1),
            "b" => Some(0.5),
            _ => None,
        };
        let side = cosine_side(&dense, &lexical, cosine, 0.0);
        // c joins between a and b by its cosine; x has no vector; b only once.
        assert_eq!(side, vec![("a", 0.9), ("c", 0.7), ("b", 0.5), ("d", 0.1)]);
        // Below the floor, a candidate counts as the floor.
        let floored = cosine_side(&dense, &lexical, cosine, 0.3);
        assert_eq!(floored.last(), Some(&("d", 0.3)));
        // Fused with lectern's list, c's cosine counts: it beats d, which lectern
        // ranks just below it.
        let lectern = [("c", 10.0), ("d", 9.9), ("b", 5.0)];
        let fused: Vec<&str> = linear(&[(&lectern, 0.6), (&side, 0.4)])
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(fused[0], "c");
        let (c, d) = (
            fused.iter().position(|&x| x == "c").unwrap(),
            fused.iter().position(|&x| x == "d").unwrap(),
        );
        assert!(c < d);
        // Cosines close together (next to the range of all candidates) barely
        // move lectern's order; far apart ones do.
        let lectern = [("c", 10.0), ("d", 9.5), ("e", 5.0)];
        let first = |c_cosine: f32| {
            let side = cosine_side(&[("d", 0.80), ("c", c_cosine)], &["e"], |_| Some(0.30), 0.0);
            linear(&[(&lectern, 0.6), (&side, 0.4)])[0].0
        };
        assert_eq!(first(0.79), "c");
        assert_eq!(first(0.31), "d");
    }

    #[test]
    fn fusion_settings_parse() {
        let mut f = Fusion::default();
        assert_eq!(f.set("rrf_k=10"), Ok(true));
        assert_eq!(f.set("dense_weight=0.5"), Ok(true));
        assert_eq!(f.set("title=3"), Ok(false));
        assert!(f.set("rrf_k=-1").is_err());
        assert_eq!((f.k, f.dense_weight), (10.0, 0.5));
        assert_eq!(f.method, Method::Cosine);
        assert_eq!(f.set("fusion=linear"), Ok(true));
        assert_eq!(f.method, Method::Linear);
        assert_eq!(f.set("fusion=rrf"), Ok(true));
        assert_eq!(f.method, Method::Rrf);
        assert!(f.set("fusion=mean").is_err());
        assert_eq!(f.set("mix=0.3"), Ok(true));
        assert_eq!(f.mix, 0.3);
    }
}
