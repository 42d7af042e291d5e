//! The index directory: a tantivy index plus lectern's own state, kept consistent.
//!
//! lectern's state lives in two side files written *before* each commit under fresh
//! names (`manifest-<stamp>.json`, `lexicon-<stamp>.tsv`); the commit's payload
//! (stored by tantivy inside `meta.json`, which it replaces atomically) names them.
//! So whatever moment an ingest dies at, `meta.json` names the segments *and* the
//! manifest of the same last good commit. Side files of older commits are removed
//! after a successful commit.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::extract::EXTRACTOR_VERSION;
use crate::lexicon::Lexicon;
use crate::schema::{self, SCHEMA_VERSION};

/// Format of the payload itself.
const PAYLOAD_FORMAT: u32 = 1;

/// What lectern records with every commit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Payload {
    pub format: u32,
    pub lectern_version: String,
    pub schema_version: u32,
    pub extractor_version: u32,
    /// Corpus folder the index was built from, as given.
    pub corpus: String,
    /// Unix seconds of the commit.
    pub ingested_at: u64,
    pub articles: u64,
    pub passages: u64,
    /// File name of the manifest, inside the index folder.
    pub manifest: String,
    /// File name of the lexicon (synonym groups), inside the index folder.
    pub lexicon: String,
}

impl Payload {
    /// Why an index with this payload must be rebuilt by this lectern, if it must.
    pub fn rebuild_reason(&self) -> Option<String> {
        if self.schema_version != SCHEMA_VERSION || self.format != PAYLOAD_FORMAT {
            return Some(format!(
                "index schema version {} differs from this lectern's {SCHEMA_VERSION}",
                self.schema_version
            ));
        }
        if self.extractor_version != EXTRACTOR_VERSION {
            return Some(format!(
                "index was extracted by extractor version {}, this lectern has {EXTRACTOR_VERSION}",
                self.extractor_version
            ));
        }
        None
    }
}

/// One ingested source file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    pub size: u64,
    pub mtime: u64,
    /// xxh3-128 of the content, hex.
    pub hash: String,
    pub passages: u64,
    /// Abbreviation pairs (short, long) mined from this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abbreviations: Vec<(String, String)>,
    /// Sampled shingles of the text, for near-duplicate detection ([`crate::dedup`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketch: Option<String>,
    /// Not indexed: a near-duplicate of this article (relative path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
}

/// Every ingested file, by relative path.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub files: BTreeMap<String, FileRecord>,
    /// Synonym groups from the user's `--synonyms` file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no index at {0}: run `lectern ingest [CORPUS] --index {0}` first")]
    Missing(String),
    #[error(
        "{0} is not a lectern index (it holds other files); point --index at another folder or remove it"
    )]
    Foreign(String),
    #[error(
        "index at {dir} is damaged ({reason}); rebuild it with `lectern ingest --rebuild --index {dir}`"
    )]
    Corrupt { dir: String, reason: String },
    #[error(
        "index at {dir} was written by another lectern version ({reason}); run `lectern ingest --index {dir}` to rebuild it"
    )]
    Outdated { dir: String, reason: String },
}

/// An opened index with its payload.
pub struct Store {
    pub dir: PathBuf,
    pub index: Index,
    /// None for an index that was created but never committed by lectern.
    pub payload: Option<Payload>,
}

fn display(dir: &Path) -> String {
    dir.display().to_string()
}

/// True when `dir` holds a tantivy index (committed or just created).
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").is_file()
}

impl Store {
    /// Opens the index in `dir`. A folder without `meta.json` is [`StoreError::Missing`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        if !exists(dir) {
            let foreign = fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .any(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
                })
                .unwrap_or(false);
            return Err(if foreign {
                StoreError::Foreign(display(dir))
            } else {
                StoreError::Missing(display(dir))
            });
        }
        let corrupt = |reason: String| StoreError::Corrupt {
            dir: display(dir),
            reason,
        };
        let index = Index::open_in_dir(dir).map_err(|e| corrupt(e.to_string()))?;
        schema::register_analyzer(&index);
        let metas = index.load_metas().map_err(|e| corrupt(e.to_string()))?;
        let payload = match metas.payload {
            None if metas.segments.is_empty() => None,
            None => return Err(StoreError::Foreign(display(dir))),
            Some(text) => Some(
                serde_json::from_str::<Payload>(&text)
                    .map_err(|_| StoreError::Foreign(display(dir)))?,
            ),
        };
        if schema::Fields::from_schema(&index.schema()).is_err() {
            return Err(StoreError::Foreign(display(dir)));
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            payload,
        })
    }

    /// Opens for searching: the payload must exist and match this lectern.
    pub fn open_for_search(dir: &Path) -> Result<Store, StoreError> {
        let store = Store::open(dir)?;
        match &store.payload {
            None => Err(StoreError::Missing(display(dir))),
            Some(p) => match p.rebuild_reason() {
                Some(reason) if p.schema_version != SCHEMA_VERSION => Err(StoreError::Outdated {
                    dir: display(dir),
                    reason,
                }),
                _ => Ok(store),
            },
        }
    }

    /// A reader that never reloads by itself (no watcher thread).
    pub fn reader(&self) -> tantivy::Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
    }

    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        let Some(payload) = &self.payload else {
            return Ok(Manifest::default());
        };
        let path = self.dir.join(&payload.manifest);
        let text = fs::read_to_string(&path).map_err(|e| StoreError::Corrupt {
            dir: display(&self.dir),
            reason: format!("{}: {e}", path.display()),
        })?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            dir: display(&self.dir),
            reason: format!("{}: {e}", path.display()),
        })
    }

    pub fn lexicon(&self) -> Lexicon {
        Lexicon::parse(&self.lexicon_text())
    }

    /// The lexicon file as stored (see [`Lexicon::to_tsv`]); empty if absent.
    pub fn lexicon_text(&self) -> String {
        self.payload
            .as_ref()
            .and_then(|p| fs::read_to_string(self.dir.join(&p.lexicon)).ok())
            .unwrap_or_default()
    }
}

/// Writes the side files for a commit about to happen; returns their names.
pub fn write_side_files(
    dir: &Path,
    manifest: &Manifest,
    lexicon: &Lexicon,
) -> std::io::Result<(String, String)> {
    let stamp = format!(
        "{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let manifest_name = format!("manifest-{stamp}.json");
    let lexicon_name = format!("lexicon-{stamp}.tsv");
    write_durably(
        &dir.join(&manifest_name),
        serde_json::to_string(manifest)?.as_bytes(),
    )?;
    write_durably(&dir.join(&lexicon_name), lexicon.to_tsv().as_bytes())?;
    Ok((manifest_name, lexicon_name))
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Removes side files not named by the current payload (left by older commits or
/// by interrupted ingests).
pub fn remove_stale_side_files(dir: &Path, payload: &Payload) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = (name.starts_with("manifest-") && name.ends_with(".json"))
            || (name.starts_with("lexicon-") && name.ends_with(".tsv"));
        if ours && name != payload.manifest && name != payload.lexicon {
            let _ = fs::remove_file(entry.path());
        }
    }
}

pub fn new_payload(corpus: &str, articles: u64, passages: u64, names: (String, String)) -> Payload {
    Payload {
        format: PAYLOAD_FORMAT,
        lectern_version: env!("CARGO_PKG_VERSION").to_string(),
        schema_version: SCHEMA_VERSION,
        extractor_version: EXTRACTOR_VERSION,
        corpus: corpus.to_string(),
        ingested_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        articles,
        passages,
        manifest: names.0,
        lexicon: names.1,
    }
}
