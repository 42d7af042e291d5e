//! Ingest: corpus folder → walk → extract (in parallel) → tantivy index.
//!
//! Incremental by default: the manifest of the last commit says which files were
//! indexed with which size, mtime and content hash; only new or changed files are
//! read and extracted, the passages of changed and vanished files are deleted, the
//! rest is left alone. One commit at the end makes the whole ingest visible at once
//! (see [`crate::store`] for why an interrupted ingest loses nothing).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use tantivy::schema::Field;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::dedup::{self, Sketch};
use crate::extract::{self, Article, ExtractError};
use crate::lexicon::{self, Lexicon};
use crate::schema::{self, Fields};
use crate::store::{self, FileRecord, Manifest, Store, StoreError};
use crate::walk::{self, SourceFile};

/// Files over this size are skipped with a message (see README, "Limits").
pub const DEFAULT_MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Writer memory budget per indexing thread.
pub const WRITER_BYTES_PER_THREAD: usize = 48 * 1024 * 1024;

/// Files extracted per parallel batch between hand-offs to the writer.
const BATCH: usize = 128;

pub struct IngestOptions<'a> {
    pub corpus: &'a Path,
    pub index_dir: &'a Path,
    /// Ignore the manifest and index every file again.
    pub rebuild: bool,
    /// A synonyms file: replaces the groups given at an earlier ingest.
    pub synonyms: Option<&'a Path>,
    pub max_file_bytes: u64,
    /// Threads for extraction and indexing (0 = all cores).
    pub threads: usize,
    /// Which files the walk visits (ignore files, globs, hidden, links).
    pub walk: walk::WalkOptions,
    /// Index near-duplicate articles too, instead of recording them as aliases.
    pub keep_duplicates: bool,
}

/// Something ingest wants the user to know, as it happens.
pub enum Event<'a> {
    Progress {
        done: usize,
        total: usize,
    },
    /// The file was indexed, with a caveat.
    Warning {
        path: &'a str,
        message: &'a str,
    },
    /// The file was not indexed.
    Skipped {
        path: &'a str,
        message: &'a str,
    },
    Notice(&'a str),
    /// A detail shown only when asked for (`-v`): a link not followed, a dangling link.
    Detail {
        path: &'a str,
        message: &'a str,
    },
}

#[derive(Debug, Default, Clone)]
pub struct IngestReport {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Files that could not be indexed (read errors, binary, too large).
    pub failed: usize,
    /// Files lectern does not read (other extensions, dangling links).
    pub unsupported: usize,
    /// Symbolic links not followed because they leave the corpus folder.
    pub outside_links: usize,
    /// Near-duplicate articles recorded as aliases of the copy that is indexed.
    pub aliases: usize,
    /// Articles and passages in the index after this ingest.
    pub articles: u64,
    pub passages: u64,
    pub bytes_read: u64,
    pub seconds: f64,
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Walk(#[from] walk::WalkError),
    #[error(
        "index at {0} is locked by another ingest; wait for it to finish (or remove {0}/.tantivy-writer.lock if no ingest is running)"
    )]
    Locked(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot write to the index folder: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read synonyms file {path}: {source}")]
    Synonyms {
        path: String,
        source: std::io::Error,
    },
}

/// The result of reading and extracting one file.
enum Outcome {
    Article {
        article: Article,
        record: FileRecord,
        warning: Option<String>,
    },
    /// Content unchanged (same hash): only the mtime moved.
    Same(FileRecord),
    /// Could not be read: the previous passages, if any, are kept.
    Unreadable(String),
    /// Read but unusable: the previous passages, if any, are removed.
    Rejected(ExtractError),
}

/// Where the new index is written: in place, or in a fresh folder swapped in at the end
/// (when the old one cannot be reused: other schema, damaged).
enum Target {
    /// `committed`: the index already holds a lectern commit (with its payload).
    InPlace {
        committed: bool,
    },
    Swap {
        fresh: PathBuf,
    },
}

impl Target {
    /// False when a commit is needed even if no file changed (new or unfinished index).
    fn has_lectern_commit(&self) -> bool {
        matches!(self, Target::InPlace { committed: true })
    }
}

pub fn ingest(
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let mut report = IngestReport::default();
    let walked = walk::walk(options.corpus, &options.walk)?;
    report.unsupported = walked.unsupported;
    report.outside_links = walked.outside_links.len();
    for (path, target) in &walked.outside_links {
        let message = format!(
            "link to {target}, outside the corpus folder; not followed (--follow follows it)"
        );
        on_event(Event::Detail {
            path,
            message: &message,
        });
    }
    for (path, message) in &walked.unsupported_notes {
        on_event(Event::Detail { path, message });
    }
    for (path, message) in &walked.problems {
        on_event(Event::Skipped { path, message });
        report.failed += 1;
    }
    for (path, message) in &walked.warnings {
        on_event(Event::Warning { path, message });
    }

    let dir = options.index_dir;
    fs::create_dir_all(dir)?;
    let (index, previous, target) = open_target(dir, options.rebuild, &mut report)?;
    if let Some(reason) = &report.rebuilt {
        on_event(Event::Notice(&format!("rebuilding the index: {reason}")));
    }
    let fields = Fields::from_schema(&index.schema())?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| std::io::Error::other(e.to_string()))?;

    // Unchanged by size and mtime: not even read.
    let mut manifest = Manifest {
        files: BTreeMap::new(),
        synonyms: previous.synonyms.clone(),
    };
    let mut todo: Vec<&SourceFile> = Vec::new();
    for file in &walked.files {
        match previous.files.get(&file.rel) {
            Some(old)
                if old.size == file.size
                    && old.mtime == file.mtime
                    && dedup::is_current(old.sketch.as_deref()) =>
            {
                manifest.files.insert(file.rel.clone(), old.clone());
                report.unchanged += 1;
            }
            _ => todo.push(file),
        }
    }
    let mut seen: HashSet<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();

    let mut writer = open_writer(&index, dir, writer_threads(threads, todo.len()))?;
    let mut changed = report.rebuilt.is_some();
    if matches!(target, Target::InPlace { .. }) && report.rebuilt.is_some() {
        writer.delete_all_documents()?;
    }

    let total = todo.len();
    let mut done = 0;
    for batch in todo.chunks(BATCH) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .par_iter()
                .map(|file| process(file, previous.files.get(&file.rel), options.max_file_bytes))
                .collect()
        });
        for (file, outcome) in batch.iter().zip(outcomes) {
            let old = previous.files.get(&file.rel);
            match outcome {
                Outcome::Same(record) => {
                    report.unchanged += 1;
                    report.bytes_read += file.size;
                    manifest.files.insert(file.rel.clone(), record);
                }
                Outcome::Article {
                    article,
                    mut record,
                    warning,
                } => {
                    if let Some(message) = &warning {
                        on_event(Event::Warning {
                            path: &file.rel,
                            message,
                        });
                    }
                    report.bytes_read += file.size;
                    if old.is_some() {
                        delete_article(&writer, fields.path, &file.rel);
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                    record.passages = article.sections.len() as u64;
                    for doc in documents(&fields, &file.rel, &article) {
                        writer.add_document(doc)?;
                    }
                    manifest.files.insert(file.rel.clone(), record);
                    changed = true;
                }
                Outcome::Unreadable(message) => {
                    report.failed += 1;
                    let message = match old {
                        Some(_) => {
                            format!("{message} (its passages from the last ingest are kept)")
                        }
                        None => message,
                    };
                    on_event(Event::Skipped {
                        path: &file.rel,
                        message: &message,
                    });
                    if let Some(old) = old {
                        manifest.files.insert(file.rel.clone(), old.clone());
                    }
                }
                Outcome::Rejected(error) => {
                    report.failed += 1;
                    on_event(Event::Skipped {
                        path: &file.rel,
                        message: &error.to_string(),
                    });
                    if old.is_some() {
                        delete_article(&writer, fields.path, &file.rel);
                        changed = true;
                    }
                }
            }
        }
        done += batch.len();
        on_event(Event::Progress { done, total });
    }

    // Vanished files; not those under a folder the walk could not read.
    let unreadable_dirs: Vec<&str> = walked.problems.iter().map(|(p, _)| p.as_str()).collect();
    for (rel, record) in &previous.files {
        if seen.contains(rel.as_str()) {
            continue;
        }
        let abs = options.corpus.join(rel);
        if unreadable_dirs.iter().any(|d| abs.starts_with(d)) {
            manifest.files.insert(rel.clone(), record.clone());
            continue;
        }
        delete_article(&writer, fields.path, rel);
        report.removed += 1;
        changed = true;
    }
    seen.clear();
    changed |= resolve_duplicates(
        &mut manifest,
        &walked.files,
        &writer,
        &fields,
        options,
        &pool,
        &mut report,
        on_event,
    )?;

    if let Some(path) = options.synonyms {
        let text = fs::read_to_string(path).map_err(|source| IngestError::Synonyms {
            path: path.display().to_string(),
            source,
        })?;
        manifest.synonyms = lexicon::parse_synonyms(&text);
        changed = true;
    }

    report.articles = manifest.files.values().filter(|r| r.passages > 0).count() as u64;
    report.passages = manifest.files.values().map(|r| r.passages).sum();
    let metadata_changed = manifest.files != previous.files;
    if changed || metadata_changed || !target.has_lectern_commit() {
        let lexicon = build_lexicon(&manifest);
        let target_dir = match &target {
            Target::InPlace { .. } => dir.to_path_buf(),
            Target::Swap { fresh } => fresh.clone(),
        };
        let names = store::write_side_files(&target_dir, &manifest, &lexicon)?;
        let payload = store::new_payload(
            &options.corpus.display().to_string(),
            report.articles,
            report.passages,
            names,
        );
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&payload).map_err(std::io::Error::other)?);
        prepared.commit()?;
        writer.wait_merging_threads()?;
        store::remove_stale_side_files(&target_dir, &payload);
        if let Target::Swap { fresh } = &target {
            swap_in(fresh, dir)?;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Applies the near-duplicate plan ([`dedup::plan`]) to the manifest: articles that
/// became aliases lose their passages, aliases whose kept copy is gone or no longer
/// covers them are read and indexed again. True when the index changed.
#[allow(clippy::too_many_arguments)]
fn resolve_duplicates(
    manifest: &mut Manifest,
    files: &[SourceFile],
    writer: &IndexWriter,
    fields: &Fields,
    options: &IngestOptions,
    pool: &rayon::ThreadPool,
    report: &mut IngestReport,
    on_event: &mut dyn FnMut(Event),
) -> Result<bool, IngestError> {
    let plan = if options.keep_duplicates {
        BTreeMap::new()
    } else {
        let sketches: Vec<(&str, Sketch)> = manifest
            .files
            .iter()
            .filter_map(|(rel, r)| Some((rel.as_str(), Sketch::decode(r.sketch.as_deref()?)?)))
            .collect();
        dedup::plan(sketches.iter().map(|(rel, s)| (*rel, s)))
    };
    let mut changed = false;
    let mut promote: Vec<String> = Vec::new();
    for (rel, record) in manifest.files.iter_mut() {
        match plan.get(rel) {
            Some(kept) => {
                if record.passages > 0 {
                    delete_article(writer, fields.path, rel);
                    record.passages = 0;
                    changed = true;
                }
                record.alias_of = Some(kept.clone());
                report.aliases += 1;
                let message =
                    format!("near-duplicate of {kept}; recorded as its alias, not indexed");
                on_event(Event::Detail {
                    path: rel,
                    message: &message,
                });
            }
            None if record.alias_of.is_some() => promote.push(rel.clone()),
            None => {}
        }
    }
    let by_rel: BTreeMap<&str, &SourceFile> = files.iter().map(|f| (f.rel.as_str(), f)).collect();
    // An alias under a folder the walk could not read stays an alias until it can be.
    promote.retain(|rel| by_rel.contains_key(rel.as_str()));
    let outcomes: Vec<Outcome> = pool.install(|| {
        promote
            .par_iter()
            .map(|rel| process(by_rel[rel.as_str()], None, options.max_file_bytes))
            .collect()
    });
    for (rel, outcome) in promote.iter().zip(outcomes) {
        match outcome {
            Outcome::Article {
                article,
                mut record,
                warning,
            } => {
                if let Some(message) = &warning {
                    on_event(Event::Warning { path: rel, message });
                }
                record.passages = article.sections.len() as u64;
                for doc in documents(fields, rel, &article) {
                    writer.add_document(doc)?;
                }
                manifest.files.insert(rel.clone(), record);
                changed = true;
            }
            Outcome::Unreadable(message) => {
                report.failed += 1;
                on_event(Event::Skipped {
                    path: rel,
                    message: &message,
                });
                // Forgotten, so that the next ingest reads it as a new file.
                manifest.files.remove(rel);
            }
            Outcome::Rejected(error) => {
                report.failed += 1;
                on_event(Event::Skipped {
                    path: rel,
                    message: &error.to_string(),
                });
                manifest.files.remove(rel);
            }
            // Not produced without a previous record; kept for completeness.
            Outcome::Same(record) => {
                manifest.files.insert(rel.clone(), record);
            }
        }
    }
    Ok(changed)
}

/// Opens (or creates) the index to write, with the manifest to diff against.
fn open_target(
    dir: &Path,
    rebuild: bool,
    report: &mut IngestReport,
) -> Result<(Index, Manifest, Target), IngestError> {
    if !store::exists(dir) {
        if let Ok(mut entries) = fs::read_dir(dir)
            && entries.any(|e| e.is_ok_and(|e| !e.file_name().as_encoded_bytes().starts_with(b".")))
        {
            return Err(StoreError::Foreign(dir.display().to_string()).into());
        }
        let index = Index::create_in_dir(dir, schema::build_schema())?;
        schema::register_analyzer(&index);
        return Ok((
            index,
            Manifest::default(),
            Target::InPlace { committed: false },
        ));
    }
    match Store::open(dir) {
        Ok(store) => {
            let reason = match &store.payload {
                _ if rebuild => Some("--rebuild was given".to_string()),
                Some(payload) => payload.rebuild_reason(),
                None => None,
            };
            let schema_ok = store
                .payload
                .as_ref()
                .is_none_or(|p| p.schema_version == schema::SCHEMA_VERSION);
            match reason {
                None => {
                    let manifest = store.manifest()?;
                    let committed = store.payload.is_some();
                    Ok((store.index, manifest, Target::InPlace { committed }))
                }
                Some(reason) if schema_ok => {
                    report.rebuilt = Some(reason);
                    let committed = store.payload.is_some();
                    Ok((
                        store.index,
                        Manifest::default(),
                        Target::InPlace { committed },
                    ))
                }
                Some(reason) => {
                    report.rebuilt = Some(reason);
                    fresh_index(dir)
                }
            }
        }
        Err(StoreError::Corrupt { reason, .. }) if rebuild => {
            report.rebuilt = Some(format!("the index was damaged ({reason})"));
            fresh_index(dir)
        }
        Err(e) => Err(e.into()),
    }
}

/// A new, empty index in a sibling folder, to be swapped in after its commit.
fn fresh_index(dir: &Path) -> Result<(Index, Manifest, Target), IngestError> {
    let fresh = sibling(dir, "new");
    let _ = fs::remove_dir_all(&fresh);
    fs::create_dir_all(&fresh)?;
    let index = Index::create_in_dir(&fresh, schema::build_schema())?;
    schema::register_analyzer(&index);
    Ok((index, Manifest::default(), Target::Swap { fresh }))
}

fn sibling(dir: &Path, what: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Replaces `dir` by `fresh`, keeping dotfiles such as `.gitkeep`.
fn swap_in(fresh: &Path, dir: &Path) -> std::io::Result<()> {
    let old = sibling(dir, "old");
    fs::rename(dir, &old)?;
    fs::rename(fresh, dir)?;
    if let Ok(entries) = fs::read_dir(&old) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            if name.as_encoded_bytes().starts_with(b".")
                && !name.as_encoded_bytes().starts_with(b".tantivy")
            {
                let _ = fs::rename(entry.path(), dir.join(&name));
            }
        }
    }
    fs::remove_dir_all(&old)
}

/// Indexing threads of the writer for `files` files to (re)index with `threads`
/// threads available: one for a small update, else up to four.
pub fn writer_threads(threads: usize, files: usize) -> usize {
    if files < 64 { 1 } else { threads.clamp(1, 4) }
}

fn open_writer(index: &Index, dir: &Path, threads: usize) -> Result<IndexWriter, IngestError> {
    let threads = threads.max(1);
    index
        .writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => {
                IngestError::Locked(dir.display().to_string())
            }
            other => other.into(),
        })
}

fn delete_article(writer: &IndexWriter, path_field: Field, rel: &str) {
    writer.delete_term(Term::from_field_text(path_field, rel));
}

fn process(file: &SourceFile, old: Option<&FileRecord>, max_bytes: u64) -> Outcome {
    if file.size > max_bytes {
        return Outcome::Rejected(ExtractError::TooLarge {
            size: file.size,
            limit: max_bytes,
        });
    }
    let bytes = match fs::read(&file.abs) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::Unreadable("file vanished while ingesting".into());
        }
        Err(e) => return Outcome::Unreadable(format!("cannot read: {e}")),
    };
    if bytes.len() as u64 > max_bytes {
        return Outcome::Rejected(ExtractError::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
    let mut record = FileRecord {
        size: bytes.len() as u64,
        mtime: file.mtime,
        hash,
        ..FileRecord::default()
    };
    if let Some(old) = old
        && old.hash == record.hash
        && dedup::is_current(old.sketch.as_deref())
    {
        record.passages = old.passages;
        record.abbreviations = old.abbreviations.clone();
        record.sketch = old.sketch.clone();
        record.alias_of = old.alias_of.clone();
        return Outcome::Same(record);
    }
    let stem = Path::new(&file.rel)
        .file_stem()
        .map_or_else(|| file.rel.clone(), |s| s.to_string_lossy().into_owned());
    match extract::extract(&bytes, file.format, &stem) {
        Ok((article, warning)) => {
            let mut pairs: Vec<(String, String)> = article
                .sections
                .iter()
                .flat_map(|s| lexicon::mine_abbreviations(&s.text))
                .chain(lexicon::mine_abbreviations(&article.title))
                .collect();
            pairs.sort();
            pairs.dedup();
            record.abbreviations = pairs;
            record.sketch = Some(Sketch::of_article(&article).encode());
            let warning = match (warning, article.sections.is_empty()) {
                (None, true) => Some("no text to index (empty or only boilerplate)".to_string()),
                (w, _) => w,
            };
            Outcome::Article {
                article,
                record,
                warning,
            }
        }
        Err(e) => Outcome::Rejected(e),
    }
}

fn documents<'a>(
    fields: &'a Fields,
    rel: &'a str,
    article: &'a Article,
) -> impl Iterator<Item = TantivyDocument> + 'a {
    article
        .sections
        .iter()
        .enumerate()
        .map(move |(i, section)| {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.id, format!("{rel}#{}", section.anchor));
            doc.add_text(fields.path, rel);
            doc.add_text(fields.title, &article.title);
            doc.add_text(
                fields.heading,
                section.heading.join(schema::HEADING_SEPARATOR),
            );
            doc.add_text(fields.body, &section.text);
            doc.add_u64(fields.ordinal, i as u64);
            let own_heading = section.heading.last().map_or("", String::as_str);
            doc.add_u64(fields.heading_class, schema::heading_class(own_heading));
            doc.add_u64(fields.line_start, u64::from(section.lines.0));
            doc.add_u64(fields.line_end, u64::from(section.lines.1));
            doc
        })
}

/// The lexicon of a manifest: abbreviation pairs counted by how many files define
/// them, plus the user's synonym groups.
pub fn build_lexicon(manifest: &Manifest) -> Lexicon {
    let mut pairs: BTreeMap<(String, String), u32> = BTreeMap::new();
    for record in manifest.files.values().filter(|r| r.alias_of.is_none()) {
        for pair in &record.abbreviations {
            *pairs.entry(pair.clone()).or_default() += 1;
        }
    }
    Lexicon::build(&pairs, manifest.synonyms.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Format;

    fn source(path: &Path) -> SourceFile {
        SourceFile {
            abs: path.to_path_buf(),
            rel: "a.txt".into(),
            format: Format::Text,
            size: 10,
            mtime: 0,
        }
    }

    #[test]
    fn a_file_deleted_between_walk_and_read_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "Title\n\nBody text.\n").unwrap();
        let file = source(&path);
        fs::remove_file(&path).unwrap();
        match process(&file, None, DEFAULT_MAX_FILE_BYTES) {
            Outcome::Unreadable(message) => assert!(message.contains("vanished"), "{message}"),
            _ => panic!("a vanished file must be reported as unreadable"),
        }
    }

    #[test]
    fn unchanged_content_is_recognised_by_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "Title\n\nBody text.\n").unwrap();
        let Outcome::Article { record, .. } = process(&source(&path), None, 1 << 20) else {
            panic!("a text file is an article");
        };
        assert!(matches!(
            process(&source(&path), Some(&record), 1 << 20),
            Outcome::Same(_)
        ));
        fs::write(&path, "Title\n\nOther text.\n").unwrap();
        assert!(matches!(
            process(&source(&path), Some(&record), 1 << 20),
            Outcome::Article { .. }
        ));
    }
}
