//! A local sentence-embedding model: a sentence-transformers BERT-family folder
//! (`config.json`, `tokenizer.json`, `model.safetensors`, optional
//! `1_Pooling/config.json`) run on the CPU by candle. Nothing is downloaded.
//!
//! Encoding: each text is tokenized whole (no truncation), cut into windows of at
//! most `max_len` tokens (`[CLS] … [SEP]`), of which the first `windows` are read
//! (by default one: the text's first 126 tokens); the windows of all texts are
//! sorted by length and run in batches (so a batch pads to similar lengths), two
//! batches at a time, each window is pooled (mean over its tokens, or `[CLS]`, as
//! the pooling config says), and a text's vector is the token-weighted mean of its
//! windows, L2-normalised. Reading every window of a long section was 2.4× the
//! tokens on medquad-dev and fused worse than its first window (BENCHMARKS.md
//! "Semantic passages"): a section's opening says what it is about.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use serde::Deserialize;
use tokenizers::Tokenizer;

use super::SemanticError;

/// Files a model folder must hold.
pub const REQUIRED_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Tokens per window, `[CLS]` and `[SEP]` included (see BENCHMARKS.md "Semantic").
pub const DEFAULT_MAX_LEN: usize = 128;
/// Windows read per text (BENCHMARKS.md "Semantic passages": the first window
/// alone fused better than all of them, at 1/2.4 of the tokens).
pub const DEFAULT_WINDOWS: usize = 1;
/// Windows per forward pass.
pub const DEFAULT_BATCH: usize = 32;

/// How token vectors become one text vector (from `1_Pooling/config.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pooling {
    /// The mean of the token vectors.
    Mean,
    /// The vector of the `[CLS]` token.
    Cls,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
}

/// How texts are encoded (speed against fidelity; chosen in BENCHMARKS.md).
#[derive(Clone, Copy, Debug)]
pub struct EncodeOptions {
    /// Tokens per window, `[CLS]` and `[SEP]` included.
    pub max_len: usize,
    /// Windows per forward pass.
    pub batch: usize,
    /// F32, or F16 weights and activations.
    pub dtype: DType,
    /// Windows read per text (0: all; 1: the text cut at `max_len` tokens).
    pub windows: usize,
    /// Batches run at once (each on its own thread: candle's element-wise
    /// operations are single-threaded, only its matrix products use every core).
    pub parallel: usize,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            max_len: DEFAULT_MAX_LEN,
            batch: DEFAULT_BATCH,
            dtype: DType::F32,
            windows: DEFAULT_WINDOWS,
            parallel: rayon::current_num_threads(),
        }
    }
}

/// A loaded sentence-embedding model.
pub struct Model {
    /// The folder, absolute when it could be made so.
    pub dir: PathBuf,
    /// Identifies the weights and tokenizer: vectors of another id are not comparable.
    pub id: String,
    /// Dimensions of its vectors.
    pub dims: usize,
    bert: BertModel,
    tokenizer: Tokenizer,
    pooling: Pooling,
    cls: u32,
    sep: u32,
    pad: u32,
    options: EncodeOptions,
    /// Tokens run through the model so far: (in windows, padding included).
    tokens: (AtomicUsize, AtomicUsize),
}

fn model_error(dir: &Path, reason: impl ToString) -> SemanticError {
    SemanticError::Model {
        dir: dir.display().to_string(),
        reason: reason.to_string(),
    }
}

impl Model {
    /// Loads the model in `dir`; a missing file is named in the error.
    pub fn load(dir: &Path, options: EncodeOptions) -> Result<Model, SemanticError> {
        if !dir.is_dir() {
            return Err(SemanticError::MissingModel {
                dir: dir.display().to_string(),
                missing: "the folder itself".into(),
            });
        }
        let missing: Vec<&str> = REQUIRED_FILES
            .iter()
            .copied()
            .filter(|f| !dir.join(f).is_file())
            .collect();
        if !missing.is_empty() {
            return Err(SemanticError::MissingModel {
                dir: dir.display().to_string(),
                missing: missing.join(", "),
            });
        }
        let err = |reason: String| model_error(dir, reason);
        let read = |name: &str| fs::read(dir.join(name)).map_err(|e| err(format!("{name}: {e}")));
        let config_bytes = read("config.json")?;
        let config: Config = serde_json::from_slice(&config_bytes)
            .map_err(|e| err(format!("config.json is not a BERT config: {e}")))?;
        let tokenizer_bytes = read("tokenizer.json")?;
        let mut tokenizer = Tokenizer::from_bytes(&tokenizer_bytes)
            .map_err(|e| err(format!("tokenizer.json: {e}")))?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| err(e.to_string()))?;
        tokenizer.with_padding(None);
        let weights = read("model.safetensors")?;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in [&config_bytes, &tokenizer_bytes, &weights] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let id = format!("{:016x}", hasher.digest());
        let vb = VarBuilder::from_buffered_safetensors(weights, options.dtype, &Device::Cpu)
            .map_err(|e| err(format!("model.safetensors: {e}")))?;
        let bert =
            BertModel::load(vb, &config).map_err(|e| err(format!("model.safetensors: {e}")))?;
        let pooling = match fs::read(dir.join("1_Pooling").join("config.json")) {
            Ok(bytes) => {
                let p: PoolingConfig = serde_json::from_slice(&bytes)
                    .map_err(|e| err(format!("1_Pooling/config.json: {e}")))?;
                match (p.pooling_mode_mean_tokens, p.pooling_mode_cls_token) {
                    (true, _) => Pooling::Mean,
                    (false, true) => Pooling::Cls,
                    _ => {
                        return Err(err(
                            "1_Pooling/config.json asks for a pooling other than mean or CLS"
                                .into(),
                        ));
                    }
                }
            }
            Err(_) => Pooling::Mean,
        };
        let token = |t: &str| {
            tokenizer
                .token_to_id(t)
                .ok_or_else(|| err(format!("tokenizer.json has no {t} token")))
        };
        let (cls, sep) = (token("[CLS]")?, token("[SEP]")?);
        let pad = token("[PAD]").unwrap_or(config.pad_token_id as u32);
        let max_len = options.max_len.clamp(8, config.max_position_embeddings);
        Ok(Model {
            dir: fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
            id,
            dims: config.hidden_size,
            bert,
            tokenizer,
            pooling,
            cls,
            sep,
            pad,
            options: EncodeOptions { max_len, ..options },
            tokens: Default::default(),
        })
    }

    /// Tokens run through the model so far: (in windows, with padding).
    pub fn tokens_run(&self) -> (usize, usize) {
        (
            self.tokens.0.load(Ordering::Relaxed),
            self.tokens.1.load(Ordering::Relaxed),
        )
    }

    /// Token ids of `text` (no special tokens).
    fn tokens(&self, text: &str) -> Result<Vec<u32>, SemanticError> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| model_error(&self.dir, format!("tokenizing: {e}")))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Unit vectors of `texts`, in order. `progress(done, total)` is called after
    /// each batch with windows done and windows in all; returning false stops with
    /// [`SemanticError::Cancelled`].
    pub fn encode(
        &self,
        texts: &[&str],
        progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<Vec<Vec<f32>>, SemanticError> {
        use rayon::prelude::*;
        let _heap = (texts.len() > 1).then(HeapTensors::new);
        let tokenized: Vec<Vec<u32>> = texts
            .par_iter()
            .map(|t| self.tokens(t))
            .collect::<Result<_, _>>()?;
        // Windows: (text, tokens with [CLS]/[SEP]).
        let room = self.options.max_len - 2;
        let mut windows: Vec<(usize, Vec<u32>)> = Vec::new();
        for (i, ids) in tokenized.iter().enumerate() {
            let chunks: Vec<&[u32]> = if ids.is_empty() {
                vec![&[][..]]
            } else {
                let all = ids.chunks(room);
                match self.options.windows {
                    0 => all.collect(),
                    n => all.take(n).collect(),
                }
            };
            for chunk in chunks {
                let mut w = Vec::with_capacity(chunk.len() + 2);
                w.push(self.cls);
                w.extend_from_slice(chunk);
                w.push(self.sep);
                windows.push((i, w));
            }
        }
        // Longest first: the slow batches come early, so the ETA errs long.
        windows.sort_by_key(|(i, w)| (std::cmp::Reverse(w.len()), *i));
        let mut sums = vec![vec![0f32; self.dims]; texts.len()];
        let mut weights = vec![0f32; texts.len()];
        let total = windows.len();
        let mut done = 0;
        let batches: Vec<&[(usize, Vec<u32>)]> =
            windows.chunks(self.options.batch.max(1)).collect();
        for group in batches.chunks(self.options.parallel.max(1)) {
            let pooled: Vec<Result<Vec<Vec<f32>>, SemanticError>> = match group {
                [one] => vec![self.forward(one)],
                _ => group.par_iter().map(|b| self.forward(b)).collect(),
            };
            for (batch, pooled) in group.iter().zip(pooled) {
                for ((text, w), vector) in batch.iter().zip(pooled?) {
                    let weight = w.len() as f32;
                    for (s, v) in sums[*text].iter_mut().zip(vector) {
                        *s += weight * v;
                    }
                    weights[*text] += weight;
                }
                done += batch.len();
            }
            if !progress(done, total) {
                return Err(SemanticError::Cancelled);
            }
        }
        Ok(sums
            .into_iter()
            .map(|mut v| {
                normalize(&mut v);
                v
            })
            .collect())
    }

    /// Pooled (not normalised) vectors of one batch of windows.
    fn forward(&self, batch: &[(usize, Vec<u32>)]) -> Result<Vec<Vec<f32>>, SemanticError> {
        let err = |e: candle_core::Error| model_error(&self.dir, format!("encoding: {e}"));
        let len = batch.iter().map(|(_, w)| w.len()).max().unwrap_or(2);
        let real: usize = batch.iter().map(|(_, w)| w.len()).sum();
        self.tokens.0.fetch_add(real, Ordering::Relaxed);
        self.tokens
            .1
            .fetch_add(batch.len() * len, Ordering::Relaxed);
        let mut ids = Vec::with_capacity(batch.len() * len);
        let mut mask = Vec::with_capacity(batch.len() * len);
        for (_, w) in batch {
            ids.extend_from_slice(w);
            ids.extend(std::iter::repeat_n(self.pad, len - w.len()));
            mask.extend(std::iter::repeat_n(1u32, w.len()));
            mask.extend(std::iter::repeat_n(0u32, len - w.len()));
        }
        let shape = (batch.len(), len);
        let device = &Device::Cpu;
        let ids = Tensor::from_vec(ids, shape, device).map_err(err)?;
        let mask = Tensor::from_vec(mask, shape, device).map_err(err)?;
        let types = ids.zeros_like().map_err(err)?;
        let out = self.bert.forward(&ids, &types, Some(&mask)).map_err(err)?;
        let out = out.to_dtype(DType::F32).map_err(err)?;
        let pooled = match self.pooling {
            Pooling::Cls => out.narrow(1, 0, 1).and_then(|t| t.squeeze(1)),
            Pooling::Mean => (|| {
                let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
                let summed = out.broadcast_mul(&m)?.sum(1)?;
                summed.broadcast_div(&m.sum(1)?)
            })(),
        }
        .map_err(err)?;
        pooled.to_vec2::<f32>().map_err(err)
    }
}

/// While encoding, malloc serves blocks of up to 64 MiB from its heaps and keeps
/// them when freed. candle allocates every intermediate tensor afresh (up to tens
/// of MB a batch); under the fixed 128 KiB mmap threshold that `main` sets for
/// ingest's peak RSS, each was a fresh mapping whose pages fault in zeroed, and
/// a third of encoding CPU time was the kernel's (BENCHMARKS.md "Semantic
/// passages"). Dropping it restores the 128 KiB thresholds.
struct HeapTensors;

impl HeapTensors {
    const BIG: i32 = 64 << 20;
    const SMALL: i32 = 128 << 10;

    fn new() -> HeapTensors {
        Self::set(Self::BIG);
        HeapTensors
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn set(bytes: i32) {
        // SAFETY: mallopt only sets malloc parameters (under malloc's own lock).
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, bytes);
            libc::mallopt(libc::M_TRIM_THRESHOLD, bytes);
        }
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    fn set(_: i32) {}
}

impl Drop for HeapTensors {
    fn drop(&mut self) {
        Self::set(Self::SMALL);
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v {
            *x /= norm;
        }
    }
}
