//! Ingest: corpus folder → walk → extract (in parallel) → tantivy index.
//!
//! Incremental by default: the manifest of the last commit says which files were
//! indexed with which size, mtime and content hash; only new or changed files are
//! read and extracted, the passages of changed and vanished files are deleted, the
//! rest is left alone. One commit at the end makes the whole ingest visible at once
//! (see [`crate::store`] for why an interrupted ingest loses nothing).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use tantivy::query::TermSetQuery;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::boilerplate;
use crate::dedup::{self, Sketch};
use crate::extract::{self, Article, ExtractError, Skip};
use crate::lexicon::{self, Lexicon};
use crate::schema::{self, Fields};
use crate::site_listing::{self, Openings};
use crate::store::{self, FileRecord, Manifest, StoreError};
use crate::walk::{self, SourceFile};

/// Files over this size are skipped with a message (see README, "Limits").
pub const DEFAULT_MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Writer memory budget per indexing thread.
pub const WRITER_BYTES_PER_THREAD: usize = 48 * 1024 * 1024;

/// Article text (bytes) of one site held before its boilerplate is final; beyond
/// it the held articles are written with the boilerplate of the pages read so far
/// and re-read at the end of the site only if a line they hold changed status.
const HOLD_BYTES: usize = 32 << 20;

/// Files extracted per parallel batch between hand-offs to the writer.
const BATCH: usize = 128;

/// What an ingest reads and how.
pub struct IngestOptions<'a> {
    /// The corpus folder.
    pub corpus: &'a Path,
    /// The index folder (created if missing).
    pub index_dir: &'a Path,
    /// Ignore the manifest and index every file again.
    pub rebuild: bool,
    /// A synonyms file: replaces the groups given at an earlier ingest.
    pub synonyms: Option<&'a Path>,
    /// Files larger than this are skipped as too large.
    pub max_file_bytes: u64,
    /// Threads for extraction and indexing (0 = all cores).
    pub threads: usize,
    /// Which files the walk visits (ignore files, globs, hidden, links).
    pub walk: walk::WalkOptions,
    /// Index near-duplicate articles too, instead of recording them as aliases.
    pub keep_duplicates: bool,
    /// Wait for another ingest of the same index to finish instead of failing.
    pub wait: bool,
    /// Asked between steps; true stops the ingest, which keeps the last commit
    /// (see [`IngestError::Cancelled`]).
    pub cancel: Option<&'a (dyn Fn() -> bool + Sync)>,
    /// Passage vectors (feature `semantic`).
    pub embed: Embed<'a>,
}

/// What an ingest does about passage vectors (`ingest --embed`, feature `semantic`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Embed<'a> {
    /// An index with vectors keeps them up to date with the model they record
    /// (a lectern built without the feature drops them at its next commit).
    #[default]
    Keep,
    /// Give every passage a vector, with this model folder (None: the one the
    /// index's vectors record).
    With(Option<&'a Path>),
}

/// Something ingest wants the user to know, as it happens.
pub enum Event<'a> {
    /// Files (and their bytes) read so far out of those this ingest reads; sent
    /// once before the first file and after every batch.
    Progress {
        /// Files read.
        done: usize,
        /// Files to read.
        total: usize,
        /// Bytes read.
        bytes_done: u64,
        /// Bytes to read.
        bytes_total: u64,
    },
    /// The file was indexed, with a caveat.
    Warning {
        /// The file, relative to the corpus.
        path: &'a str,
        /// The caveat.
        message: &'a str,
    },
    /// The file was not indexed.
    Skipped {
        /// The file, relative to the corpus.
        path: &'a str,
        /// Why.
        message: &'a str,
    },
    /// Something about the ingest as a whole (the index is rebuilt, and why).
    Notice(&'a str),
    /// Passage windows encoded so far by the embedding model.
    Embedding {
        /// Windows encoded.
        done: usize,
        /// Windows to encode.
        total: usize,
    },
    /// A detail shown only when asked for (`-v`): a link not followed, a dangling link.
    Detail {
        /// The entry, relative to the corpus.
        path: &'a str,
        /// What about it.
        message: &'a str,
    },
}

/// What an ingest did, for its summary line.
#[derive(Debug, Default, Clone)]
pub struct IngestReport {
    /// Files indexed for the first time.
    pub added: usize,
    /// Files whose content changed, indexed again.
    pub updated: usize,
    /// Files gone from the corpus, their passages removed.
    pub removed: usize,
    /// Files left as they were (same content).
    pub unchanged: usize,
    /// Files that could not be indexed (read errors, binary, too large).
    pub failed: usize,
    /// Files lectern does not read (other extensions, dangling links).
    pub unsupported: usize,
    /// Symbolic links not followed because they leave the corpus folder.
    pub outside_links: usize,
    /// Near-duplicate articles recorded as aliases of the copy that is indexed.
    pub aliases: usize,
    /// Pages that ask not to be indexed (robots `noindex`) and redirect stubs,
    /// among the files read by this ingest.
    pub noindex: usize,
    /// Redirect stubs (meta refresh) among them.
    pub redirects: usize,
    /// Source listings (a page of numbered code lines) among the files read by this
    /// ingest: not indexed.
    pub source_listings: usize,
    /// Articles and passages in the index after this ingest.
    pub articles: u64,
    /// Passages in the index after this ingest.
    pub passages: u64,
    /// Bytes of source files read.
    pub bytes_read: u64,
    /// Wall time of the ingest.
    pub seconds: f64,
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
}

/// Why an ingest stopped; the index keeps its last commit.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    /// The corpus folder cannot be walked.
    Walk(#[from] walk::WalkError),
    #[error("cannot read corpus folder {path}: {source}")]
    /// The corpus folder cannot be read.
    Corpus {
        /// The corpus folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    #[error(transparent)]
    /// The index folder cannot be opened, locked or committed.
    Store(#[from] StoreError),
    #[error("cannot start the worker threads: {0}")]
    /// The worker threads cannot be started (the thread pool's error).
    Threads(String),
    #[error("cannot read synonyms file {path}: {source}")]
    /// The `--synonyms` file cannot be read.
    Synonyms {
        /// The synonyms file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Stopped by [`IngestOptions::cancel`]; the index keeps its last commit.
    #[error("ingest interrupted; the index keeps its last commit")]
    Cancelled,
    #[cfg(feature = "semantic")]
    #[error(transparent)]
    /// Embedding the passages failed (`--embed`).
    Semantic(crate::semantic::SemanticError),
}

/// The result of reading and extracting one file.
enum Outcome {
    Article {
        article: Article,
        record: FileRecord,
        /// Its near-duplicate sketch ([`Sketch::to_bytes`]; `record.sketch` is its id).
        sketch: Vec<u8>,
        warning: Option<String>,
    },
    /// Content unchanged (same hash): only the mtime moved.
    Same(FileRecord),
    /// Could not be read: the previous passages, if any, are kept.
    Unreadable(String),
    /// Read but unusable: the previous passages, if any, are removed.
    Rejected(ExtractError),
    /// A page not meant for indexing: recorded with no passages (and an empty
    /// sketch), not a failure.
    Excluded(Skip, FileRecord, Vec<u8>),
}

/// Bytes of index written per byte of source read, for the estimate of a disk-full
/// message: measured 0.68 on medquad-dev (HTML, 16.9 MB → 11.4 MB) and 1.08 on
/// nfcorpus (text, 6.2 MB → 6.7 MB); 2 leaves room for segments before merging.
const INDEX_BYTES_PER_SOURCE_BYTE: u64 = 2;

/// Brings the index in `options.index_dir` up to date with the corpus: walks it,
/// indexes new and changed files, removes vanished ones and commits once, reporting
/// progress to `on_event`.
pub fn ingest(
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<IngestReport, IngestError> {
    ingest_holding(options, on_event, HOLD_BYTES)
}

/// [`ingest`] holding at most `hold_bytes` of a site's article text at a time.
///
/// The steps: walk; skip the files unchanged since the last commit
/// ([`skip_unchanged`]); remove the vanished ones ([`Work::remove_vanished`]);
/// extract the others and apply the outcomes, site by site ([`Work::update_sites`]);
/// resolve near-duplicates; embed (feature `semantic`); commit ([`commit_if_changed`]).
fn ingest_holding(
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
    hold_bytes: usize,
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let mut report = IngestReport::default();
    let walked = walk::walk(options.corpus, &options.walk)?;
    let corpus = fs::canonicalize(options.corpus).map_err(|source| IngestError::Corpus {
        path: options.corpus.display().to_string(),
        source,
    })?;
    report_walk(&walked, &mut report, on_event);
    check_cancel(options)?;

    // The lock before the manifest: the manifest read is the one this ingest updates.
    let lock = store::WriteLock::acquire(options.index_dir, options.wait)?;
    let target = store::open_for_writing(&lock, options.rebuild, &corpus.display().to_string())?;
    report.rebuilt = target.rebuilt.clone();
    if let Some(reason) = &report.rebuilt {
        on_event(Event::Notice(&format!("rebuilding the index: {reason}")));
    }
    let fields = Fields::from_schema(&target.index.schema()).map_err(|e| target.error(e, 0))?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| IngestError::Threads(e.to_string()))?;

    let sketches_current = target.previous_sketches.is_some();
    let (manifest, todo) = skip_unchanged(
        &walked.files,
        &target.previous,
        sketches_current,
        &mut report,
    );
    let needed = todo.iter().map(|f| f.size).sum::<u64>() * INDEX_BYTES_PER_SOURCE_BYTE;
    let writer = target.writer(writer_threads(threads, todo.len()), WRITER_BYTES_PER_THREAD)?;
    let mut work = Work {
        writer: &writer,
        fields: &fields,
        previous: &target.previous,
        manifest,
        changed: target.rebuilt.is_some() || !target.committed,
        report: &mut report,
        touched: HashSet::new(),
        #[cfg(feature = "semantic")]
        fresh: Vec::new(),
        #[cfg(feature = "semantic")]
        embedding: crate::semantic::embedding(options.embed, &target),
        #[cfg(feature = "semantic")]
        embedded: HashSet::new(),
        pending: Vec::new(),
        pending_bytes: 0,
        provisional: Vec::new(),
        sketches: Sketches::new(target.previous_sketches.clone()),
        deletes: Vec::new(),
        new_index: !target.committed,
    };
    let write_err = |e: tantivy::TantivyError| IngestError::from(target.error(e, needed));
    let failure = |e: Failure| match e {
        Failure::Store(e) => IngestError::from(e),
        Failure::Write(e) => IngestError::from(target.error(e, needed)),
    };
    let applied = (|| {
        work.remove_vanished(&walked, options.corpus);
        work.update_sites(
            &walked, &todo, &target, options, &pool, hold_bytes, &write_err, on_event,
        )?;
        work.sketches
            .seal(&target, &work.manifest)
            .map_err(&failure)?;
        work.resolve_duplicates(&walked.files, &target, options, &pool, on_event)
            .map_err(&failure)?;
        work.flush_deletes().map_err(write_err)?;
        if let Some(path) = options.synonyms {
            let text = fs::read_to_string(path).map_err(|source| IngestError::Synonyms {
                path: path.display().to_string(),
                source,
            })?;
            let groups = lexicon::parse_synonyms(&text);
            let shown = path.display().to_string();
            for group in groups
                .iter()
                .filter(|g| g.len() > lexicon::MAX_ALTERNATIVES + 1)
            {
                on_event(Event::Warning {
                    path: &shown,
                    message: &format!(
                        "the group of \"{}\" has {} forms: a query with one of them \
                         is searched with the first {} of the others (in file order)",
                        group[0],
                        group.len(),
                        lexicon::MAX_ALTERNATIVES
                    ),
                });
            }
            work.manifest.synonyms = groups;
            work.changed = true;
        }
        check_cancel(options)
    })();
    let Work {
        manifest,
        mut changed,
        touched,
        sketches,
        #[cfg(feature = "semantic")]
        fresh,
        ..
    } = work;
    if let Err(e) = applied {
        target.abort(writer);
        return Err(e);
    }
    let sketches = match sketches.finish() {
        Ok(sketches) => sketches,
        Err(e) => {
            let e = failure(e);
            target.abort(writer);
            return Err(e);
        }
    };
    // A new sketches file needs a commit, even with the same manifest.
    changed |= sketches.1;
    #[cfg(feature = "semantic")]
    let vectors = {
        let cancel = || options.cancel.is_some_and(|c| c());
        match crate::semantic::ingest_vectors(
            options.embed,
            &target,
            &fields,
            &manifest,
            &touched,
            fresh,
            &cancel,
            on_event,
        ) {
            Ok(v) => v,
            Err(e) => {
                target.abort(writer);
                return Err(match e {
                    crate::semantic::SemanticError::Cancelled => IngestError::Cancelled,
                    e => IngestError::Semantic(e),
                });
            }
        }
    };
    #[cfg(not(feature = "semantic"))]
    let vectors: Option<(bool, Vec<u8>)> = {
        let _ = &touched;
        None
    };
    // New vectors for an index whose passages did not change need a commit too.
    changed |= vectors.as_ref().is_some_and(|(new, _)| *new);

    report.articles = manifest.files.values().filter(|r| r.passages > 0).count() as u64;
    report.passages = manifest.files.values().map(|r| r.passages).sum();
    commit_if_changed(
        target,
        writer,
        &manifest,
        changed,
        &corpus.display().to_string(),
        &report,
        needed,
        vectors.as_ref().map(|(_, bytes)| bytes.as_slice()),
        sketches.0,
    )?;
    drop(lock);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Counts and reports what the walk found besides the files to read.
fn report_walk(walked: &walk::Walk, report: &mut IngestReport, on_event: &mut dyn FnMut(Event)) {
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
}

/// Commits the writer with the manifest and its lexicon when anything differs from
/// the last commit; else leaves the index as it is (the writer is dropped unused).
#[allow(clippy::too_many_arguments)]
fn commit_if_changed(
    target: store::Target,
    writer: IndexWriter,
    manifest: &Manifest,
    changed: bool,
    corpus: &str,
    report: &IngestReport,
    needed: u64,
    vectors: Option<&[u8]>,
    sketches: Option<String>,
) -> Result<(), IngestError> {
    let resolved_changed = manifest.duplicates_resolved != target.previous.duplicates_resolved;
    if changed || manifest.files != target.previous.files || resolved_changed || !target.committed {
        let lexicon = build_lexicon(manifest);
        store::commit(
            target,
            writer,
            store::CommitData {
                manifest,
                lexicon: &lexicon,
                corpus,
                articles: report.articles,
                passages: report.passages,
                needed,
                vectors,
                sketches,
            },
        )?;
    }
    Ok(())
}

fn check_cancel(options: &IngestOptions) -> Result<(), IngestError> {
    match options.cancel {
        Some(cancel) if cancel() => Err(IngestError::Cancelled),
        _ => Ok(()),
    }
}

/// Files unchanged by size and mtime since the last commit (not even read) go
/// straight into the new manifest; the others are returned, to be read.
/// (Without a current sketches file, every file is read again for its sketch.)
fn skip_unchanged<'w>(
    files: &'w [SourceFile],
    previous: &Manifest,
    sketches_current: bool,
    report: &mut IngestReport,
) -> (Manifest, Vec<&'w SourceFile>) {
    let mut manifest = Manifest {
        files: BTreeMap::new(),
        synonyms: previous.synonyms.clone(),
        duplicates_resolved: false,
    };
    let mut todo = Vec::new();
    for file in files {
        match previous.files.get(&file.rel) {
            Some(old)
                if old.size == file.size
                    && old.mtime == file.mtime
                    && sketches_current
                    && old.sketch != 0 =>
            {
                manifest.files.insert(file.rel.clone(), old.clone());
                report.unchanged += 1;
            }
            _ => todo.push(file),
        }
    }
    (manifest, todo)
}

/// A file written by [`Work::write_pending`], with the positions of the sections
/// it lost as site listings.
type Written = (String, Vec<u32>);

/// The writing half of an ingest: applies outcomes to the writer and the manifest.
struct Work<'a> {
    writer: &'a IndexWriter,
    fields: &'a Fields,
    previous: &'a Manifest,
    manifest: Manifest,
    /// True when the index differs from its last commit.
    changed: bool,
    report: &'a mut IngestReport,
    /// Files whose passages were deleted (their vectors go with them).
    touched: HashSet<String>,
    /// Passages to encode (`--embed`).
    #[cfg(feature = "semantic")]
    fresh: Vec<crate::semantic::Passage>,
    #[cfg(feature = "semantic")]
    embedding: bool,
    /// Files whose passages are in `fresh`.
    #[cfg(feature = "semantic")]
    embedded: HashSet<String>,
    /// Articles of the current site read by this ingest, written once the site's
    /// boilerplate is known ([`Work::write_site`]).
    pending: Vec<(String, Article)>,
    /// Text bytes of `pending`.
    pending_bytes: usize,
    /// Files of the current site written before its boilerplate was final, with
    /// the boilerplate keys they were written without and the sections they were
    /// written without as site listings ([`crate::site_listing`]).
    provisional: Vec<(HashSet<u32>, Vec<Written>)>,
    /// The sketches file of the commit.
    sketches: Sketches,
    /// Passages to delete, by path ([`Work::flush_deletes`]).
    deletes: Vec<Term>,
    /// The index is new (a first ingest or a rebuild): it holds no passage yet.
    new_index: bool,
}

impl Work<'_> {
    /// Extracts the files of `todo` and applies the outcomes, site by site: the
    /// changed files of one site are extracted before any of them is written, since
    /// site boilerplate (see [`boilerplate`]) depends on every page of the site. A
    /// site whose boilerplate changed (pages added, changed or removed) also re-reads
    /// its unchanged pages that hold a line whose status flipped: the index is the
    /// one a full rebuild of the same files would make.
    #[allow(clippy::too_many_arguments)]
    fn update_sites(
        &mut self,
        walked: &walk::Walk,
        todo: &[&SourceFile],
        target: &store::Target,
        options: &IngestOptions,
        pool: &rayon::ThreadPool,
        hold_bytes: usize,
        write_err: &dyn Fn(tantivy::TantivyError) -> IngestError,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<(), IngestError> {
        let seen: HashSet<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
        let previous = self.previous;
        // An unchanged file is recognised by its hash only if its sketch can be kept.
        let current = target.previous_sketches.is_some();
        let mut by_site: BTreeMap<&str, Vec<&SourceFile>> = previous
            .files
            .keys()
            .filter(|rel| !seen.contains(rel.as_str()))
            .map(|rel| (boilerplate::site_of(rel), Vec::new()))
            .collect();
        for file in todo {
            by_site
                .entry(boilerplate::site_of(&file.rel))
                .or_default()
                .push(*file);
        }
        let files_by_rel: HashMap<&str, &SourceFile> =
            walked.files.iter().map(|f| (f.rel.as_str(), f)).collect();
        let total = todo.len();
        let bytes_total = todo.iter().map(|f| f.size).sum::<u64>();
        let (mut done, mut bytes_done) = (0, 0);
        on_event(Event::Progress {
            done,
            total,
            bytes_done,
            bytes_total,
        });
        for (site, site_todo) in by_site {
            for batch in site_todo.chunks(BATCH) {
                check_cancel(options)?;
                let outcomes: Vec<Outcome> = pool.install(|| {
                    batch
                        .par_iter()
                        .map(|file| {
                            let old = previous.files.get(&file.rel).filter(|_| current);
                            process(file, old, options.max_file_bytes)
                        })
                        .collect()
                });
                for (file, outcome) in batch.iter().zip(outcomes) {
                    self.apply(target, file, outcome, on_event);
                }
                if self.pending_bytes > hold_bytes {
                    self.flush_provisional(site).map_err(write_err)?;
                }
                done += batch.len();
                bytes_done += batch.iter().map(|f| f.size).sum::<u64>();
                on_event(Event::Progress {
                    done,
                    total,
                    bytes_done,
                    bytes_total,
                });
            }
            self.write_site(site, &files_by_rel, options.max_file_bytes, on_event)
                .map_err(write_err)?;
        }
        Ok(())
    }

    fn apply(
        &mut self,
        target: &store::Target,
        file: &SourceFile,
        outcome: Outcome,
        on_event: &mut dyn FnMut(Event),
    ) {
        let old = self.previous.files.get(&file.rel);
        let old_sketch = old.map(|o| o.sketch);
        match outcome {
            Outcome::Same(record) => {
                self.report.unchanged += 1;
                self.report.bytes_read += file.size;
                self.manifest.files.insert(file.rel.clone(), record);
            }
            Outcome::Article {
                article,
                mut record,
                sketch,
                warning,
            } => {
                self.add_sketch(target, &file.rel, &record, &sketch, old_sketch);
                if let Some(message) = &warning {
                    on_event(Event::Warning {
                        path: &file.rel,
                        message,
                    });
                }
                self.report.bytes_read += file.size;
                if old.is_some() {
                    self.report.updated += 1;
                } else {
                    self.report.added += 1;
                }
                // Always (a lost or stale manifest must never duplicate passages),
                // unless the index is new: nothing of it is there to delete.
                if !self.new_index {
                    self.delete_article(&file.rel);
                }
                // Before boilerplate removal; set again when written.
                record.passages = article.sections.len() as u64;
                self.manifest.files.insert(file.rel.clone(), record);
                self.pending_bytes += article.sections.iter().map(|s| s.text.len()).sum::<usize>();
                self.pending.push((file.rel.clone(), article));
                self.changed = true;
            }
            Outcome::Excluded(skip, record, sketch) => {
                self.add_sketch(target, &file.rel, &record, &sketch, old_sketch);
                match skip {
                    Skip::NoIndex => self.report.noindex += 1,
                    Skip::Redirect => self.report.redirects += 1,
                    Skip::SourceListing => {
                        self.report.source_listings += 1;
                        on_event(Event::Detail {
                            path: &file.rel,
                            message: "a source listing (numbered code lines), not indexed",
                        });
                    }
                }
                self.report.bytes_read += file.size;
                if old.is_some_and(|o| o.passages > 0) {
                    self.delete_article(&file.rel);
                    self.changed = true;
                }
                self.manifest.files.insert(file.rel.clone(), record);
            }
            Outcome::Unreadable(message) => {
                self.report.failed += 1;
                let message = match old {
                    Some(_) => format!("{message} (its passages from the last ingest are kept)"),
                    None => message,
                };
                on_event(Event::Skipped {
                    path: &file.rel,
                    message: &message,
                });
                if let Some(old) = old {
                    self.manifest.files.insert(file.rel.clone(), old.clone());
                }
            }
            Outcome::Rejected(error) => {
                self.report.failed += 1;
                on_event(Event::Skipped {
                    path: &file.rel,
                    message: &error.to_string(),
                });
                if old.is_some() {
                    self.delete_article(&file.rel);
                    self.changed = true;
                }
            }
        }
    }

    /// Records the sketch (`bytes`) of `rel`, read as `record`, in the commit's
    /// sketches file; `old` is the sketch id its previous record had.
    fn add_sketch(
        &mut self,
        target: &store::Target,
        rel: &str,
        record: &FileRecord,
        bytes: &[u8],
        old: Option<u64>,
    ) {
        self.sketches
            .add(target, &self.manifest, rel, record.sketch, bytes, old);
    }

    /// Writes the pending articles with the boilerplate and openings of the site's
    /// pages read so far, remembering which keys and sections they were written
    /// without.
    fn flush_provisional(&mut self, site: &str) -> tantivy::Result<()> {
        let lines = boilerplate::of_site(&self.manifest.files, site);
        let openings = Openings::of_site(&self.manifest.files, site);
        let rels = self.write_pending(&lines, &openings)?;
        self.provisional.push((lines, rels));
        Ok(())
    }

    /// Writes the pending articles without their site listings (judged with
    /// `openings`) and without the lines whose keys are in `lines`; returns the
    /// files written, each with the positions of the sections it lost as listings.
    fn write_pending(
        &mut self,
        lines: &HashSet<u32>,
        openings: &Openings,
    ) -> tantivy::Result<Vec<Written>> {
        self.flush_deletes()?;
        let mut written = Vec::with_capacity(self.pending.len());
        for (rel, mut article) in std::mem::take(&mut self.pending) {
            let listed = self
                .manifest
                .files
                .get(&rel)
                .map_or_else(Vec::new, |r| openings.listed(&rel, r));
            article.drop_sections(&listed);
            article.remove_lines(lines);
            if let Some(record) = self.manifest.files.get_mut(&rel) {
                record.passages = article.sections.len() as u64;
            }
            #[cfg(feature = "semantic")]
            if self.embedding {
                // Written again (its site's boilerplate changed): the last one counts.
                if !self.embedded.insert(rel.clone()) {
                    self.fresh.retain(|p| p.path != rel);
                }
                for section in &article.sections {
                    self.fresh.push(crate::semantic::Passage::new(
                        &rel,
                        format!("{rel}#{}", section.anchor),
                        &article.title,
                        &section.heading.join(schema::HEADING_SEPARATOR),
                        &section.text,
                    ));
                }
            }
            for doc in documents(self.fields, &rel, &article) {
                self.writer.add_document(doc)?;
            }
            written.push((rel, listed));
        }
        self.pending_bytes = 0;
        Ok(written)
    }

    /// Writes the pending articles of `site` without its boilerplate lines, after
    /// re-reading the site's pages written under another boilerplate (unchanged
    /// pages, written by an earlier ingest; pages flushed early by this one) that
    /// hold a line whose status differs.
    fn write_site(
        &mut self,
        site: &str,
        files_by_rel: &HashMap<&str, &SourceFile>,
        max_bytes: u64,
        on_event: &mut dyn FnMut(Event),
    ) -> tantivy::Result<()> {
        let new_lines = boilerplate::of_site(&self.manifest.files, site);
        let new_openings = Openings::of_site(&self.manifest.files, site);
        let holds = |record: Option<&FileRecord>, flipped: &HashSet<u32>| {
            record.is_some_and(|r| boilerplate::decode(&r.lines).any(|k| flipped.contains(&k)))
        };
        let mut redo: Vec<String> = Vec::new();
        let provisional = std::mem::take(&mut self.provisional);
        let mut written_now: HashSet<&str> =
            self.pending.iter().map(|(rel, _)| rel.as_str()).collect();
        for (used, rels) in &provisional {
            let flipped: HashSet<u32> = used.symmetric_difference(&new_lines).copied().collect();
            for (rel, listed) in rels {
                written_now.insert(rel);
                let record = self.manifest.files.get(rel);
                if (!flipped.is_empty() && holds(record, &flipped))
                    || record.is_some_and(|r| new_openings.listed(rel, r) != *listed)
                {
                    redo.push(rel.clone());
                }
            }
        }
        let old_lines = boilerplate::of_site(&self.previous.files, site);
        let flipped: HashSet<u32> = new_lines
            .symmetric_difference(&old_lines)
            .copied()
            .collect();
        // Unchanged pages whose listings differ under the site's new openings.
        let old_openings = Openings::of_site(&self.previous.files, site);
        let changed = old_openings != new_openings;
        let relisted = |rel: &str, record: &FileRecord| {
            changed
                && (!record.rows.is_empty()
                    || !record.body.is_empty()
                    || site_listing::rows_only(record))
                && old_openings.listed(rel, record) != new_openings.listed(rel, record)
        };
        redo.extend(
            boilerplate::site_records(&self.manifest.files, site)
                .filter(|(rel, record)| {
                    !written_now.contains(rel.as_str())
                        && ((!flipped.is_empty() && holds(Some(record), &flipped))
                            || relisted(rel, record))
                })
                .map(|(rel, _)| rel.clone()),
        );
        for rel in redo {
            let Some(file) = files_by_rel.get(rel.as_str()) else {
                continue;
            };
            match process(file, None, max_bytes) {
                Outcome::Article { article, .. } => {
                    self.delete_article(&rel);
                    self.pending.push((rel, article));
                    self.changed = true;
                }
                _ => on_event(Event::Warning {
                    path: &rel,
                    message: "could not be read again to apply the site's new boilerplate; its passages are kept",
                }),
            }
        }
        self.write_pending(&new_lines, &new_openings)?;
        Ok(())
    }

    /// Deletes the passages of files gone from the corpus; not those under a folder
    /// the walk could not read.
    fn remove_vanished(&mut self, walked: &walk::Walk, corpus: &Path) {
        let seen: HashSet<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
        let unreadable_dirs: Vec<&str> = walked.problems.iter().map(|(p, _)| p.as_str()).collect();
        let previous = self.previous;
        for (rel, record) in &previous.files {
            if seen.contains(rel.as_str()) {
                continue;
            }
            let abs = corpus.join(rel);
            if unreadable_dirs.iter().any(|d| abs.starts_with(d)) {
                self.manifest.files.insert(rel.clone(), record.clone());
                continue;
            }
            self.delete_article(rel);
            self.report.removed += 1;
            self.changed = true;
        }
    }

    /// Applies the near-duplicate plan ([`dedup::plan`]) to the manifest: articles
    /// that became aliases lose their passages; aliases whose kept copy is gone, or
    /// no longer covers them, are read and indexed again (promoted).
    fn resolve_duplicates(
        &mut self,
        files: &[SourceFile],
        target: &store::Target,
        options: &IngestOptions,
        pool: &rayon::ThreadPool,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<(), Failure> {
        // Same articles, sketches and aliases as at the last commit, whose aliases
        // were the plan: the plan is the same (it is a function of the sketches).
        let same =
            |a: &FileRecord, b: &FileRecord| a.sketch == b.sketch && a.alias_of == b.alias_of;
        let unchanged = !options.keep_duplicates
            && self.previous.duplicates_resolved
            && self.manifest.files.len() == self.previous.files.len()
            && self
                .manifest
                .files
                .iter()
                .zip(&self.previous.files)
                .all(|((p, a), (q, b))| p == q && same(a, b));
        self.manifest.duplicates_resolved = !options.keep_duplicates;
        let plan = if options.keep_duplicates {
            BTreeMap::new()
        } else if unchanged {
            self.manifest
                .files
                .iter()
                .filter_map(|(rel, r)| Some((rel.clone(), r.alias_of.clone()?)))
                .collect()
        } else {
            let sketches = self.sketches.of_manifest(target, &self.manifest)?;
            dedup::plan(sketches.iter().map(|(rel, s)| (rel.as_str(), s)))
        };
        let mut promote: Vec<String> = Vec::new();
        let mut aliases: Vec<(String, String)> = Vec::new();
        for (rel, record) in self.manifest.files.iter_mut() {
            match plan.get(rel) {
                Some(kept) => {
                    if record.passages > 0 {
                        self.deletes
                            .push(Term::from_field_text(self.fields.path, rel));
                        record.passages = 0;
                        self.changed = true;
                    }
                    record.alias_of = Some(kept.clone());
                    aliases.push((rel.clone(), kept.clone()));
                }
                None if record.alias_of.is_some() => promote.push(rel.clone()),
                None => {}
            }
        }
        self.report.aliases = aliases.len();
        for (rel, kept) in &aliases {
            let message = format!("near-duplicate of {kept}; recorded as its alias, not indexed");
            on_event(Event::Detail {
                path: rel,
                message: &message,
            });
        }
        let by_rel: BTreeMap<&str, &SourceFile> =
            files.iter().map(|f| (f.rel.as_str(), f)).collect();
        // An alias under a folder the walk could not read stays one until it can be read.
        promote.retain(|rel| by_rel.contains_key(rel.as_str()));
        let outcomes: Vec<Outcome> = pool.install(|| {
            promote
                .par_iter()
                .map(|rel| process(by_rel[rel.as_str()], None, options.max_file_bytes))
                .collect()
        });
        // Promoted articles are written as the others are: per site, without the
        // site's boilerplate lines.
        let mut promoted: BTreeMap<&str, Vec<(String, Article)>> = BTreeMap::new();
        for (rel, outcome) in promote.iter().zip(outcomes) {
            match outcome {
                Outcome::Article {
                    article,
                    record,
                    sketch,
                    warning,
                } => {
                    if let Some(message) = &warning {
                        on_event(Event::Warning { path: rel, message });
                    }
                    let old_id = self.manifest.files.get(rel).map(|r| r.sketch);
                    self.add_sketch(target, rel, &record, &sketch, old_id);
                    self.delete_article(rel);
                    self.manifest.files.insert(rel.clone(), record);
                    promoted
                        .entry(boilerplate::site_of(rel))
                        .or_default()
                        .push((rel.clone(), article));
                    self.changed = true;
                }
                Outcome::Unreadable(message) => {
                    self.report.failed += 1;
                    on_event(Event::Skipped {
                        path: rel,
                        message: &message,
                    });
                    // Forgotten, so that the next ingest reads it as a new file.
                    self.manifest.files.remove(rel);
                }
                Outcome::Rejected(error) => {
                    self.report.failed += 1;
                    on_event(Event::Skipped {
                        path: rel,
                        message: &error.to_string(),
                    });
                    self.manifest.files.remove(rel);
                }
                // A page not meant for indexing any more: recorded without passages.
                Outcome::Excluded(_, record, sketch) => {
                    let old_id = self.manifest.files.get(rel).map(|r| r.sketch);
                    self.add_sketch(target, rel, &record, &sketch, old_id);
                    self.manifest.files.insert(rel.clone(), record);
                }
                // Not produced without a previous record.
                Outcome::Same(record) => {
                    self.manifest.files.insert(rel.clone(), record);
                }
            }
        }
        for (site, articles) in promoted {
            self.pending = articles;
            let lines = boilerplate::of_site(&self.manifest.files, site);
            let openings = Openings::of_site(&self.manifest.files, site);
            self.write_pending(&lines, &openings)
                .map_err(|e| Failure::Write(e.to_string()))?;
        }
        self.sketches.error()
    }

    fn delete_article(&mut self, rel: &str) {
        #[cfg(feature = "semantic")]
        self.touched.insert(rel.to_string());
        self.deletes
            .push(Term::from_field_text(self.fields.path, rel));
    }

    /// Hands the pending deletions to the writer as one operation; before any
    /// passage is added (a deletion removes the passages added before it).
    ///
    /// Performance: tantivy keeps every delete operation of an uncommitted
    /// ingest, and one `delete_term` costs about 1.2 KB (its weight holds a
    /// 256-float BM25 cache): 330 MB for the 270,000 files of 100x medquad-dev.
    /// A set of terms is one operation (`delete_query` is public but hidden from
    /// tantivy's docs; `delete_term` is the same call with a one-term query).
    fn flush_deletes(&mut self) -> tantivy::Result<()> {
        if !self.deletes.is_empty() {
            let terms = std::mem::take(&mut self.deletes);
            self.writer
                .delete_query(Box::new(TermSetQuery::new(terms)))?;
        }
        Ok(())
    }
}

/// Why [`Work::resolve_duplicates`] failed.
enum Failure {
    /// The sketches file could not be read.
    Store(StoreError),
    /// Writing the index or the sketches file failed.
    Write(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Store(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Write(e.to_string())
    }
}

/// The sketches file of the commit an ingest makes (see [`store::SketchWriter`]):
/// the sketches this ingest computes are written as they come, so that no ingest
/// holds every sketch in memory; those of the files left as they were are copied
/// from the last commit's file once extraction is done ([`Sketches::seal`]). When
/// no sketch changed, the last commit's file is kept as it is (a new file would
/// be a copy).
struct Sketches {
    /// The last commit's file, when it is of this lectern's sketch version.
    previous: Option<PathBuf>,
    writer: Option<store::SketchWriter>,
    /// Extraction is done: the kept records are (or will be) copied over.
    sealed: bool,
    /// The first write error (reported by the next fallible step).
    failed: Option<Failure>,
}

impl Sketches {
    fn new(previous: Option<PathBuf>) -> Sketches {
        Sketches {
            previous,
            writer: None,
            sealed: false,
            failed: None,
        }
    }

    /// Records the sketch (`id`, `bytes`) of the file `rel`, whose previous sketch
    /// id in `manifest` (the manifest before this record) is `old`.
    fn add(
        &mut self,
        target: &store::Target,
        manifest: &Manifest,
        rel: &str,
        id: u64,
        bytes: &[u8],
        old: Option<u64>,
    ) {
        // Already in the last commit's file.
        if self.previous.is_some() && old == Some(id) {
            return;
        }
        let added = self
            .open(target, manifest)
            .and_then(|w| Ok(w.add(rel, id, bytes)?));
        if let Err(e) = added {
            self.failed.get_or_insert(e);
        }
    }

    /// The writer, started on first use (once sealed, with the kept records).
    fn open(
        &mut self,
        target: &store::Target,
        manifest: &Manifest,
    ) -> Result<&mut store::SketchWriter, Failure> {
        if self.writer.is_none() {
            self.writer = Some(target.sketch_writer()?);
            if self.sealed {
                self.copy_kept(target, manifest)?;
            }
        }
        Ok(self.writer.as_mut().expect("opened"))
    }

    /// Extraction is done: when this ingest wrote sketches, the records of the last
    /// commit's file that `manifest` still names are copied into the new file.
    fn seal(&mut self, target: &store::Target, manifest: &Manifest) -> Result<(), Failure> {
        self.error()?;
        self.sealed = true;
        if self.writer.is_some() {
            self.copy_kept(target, manifest)?;
        }
        Ok(())
    }

    fn copy_kept(&mut self, target: &store::Target, manifest: &Manifest) -> Result<(), Failure> {
        let (Some(previous), Some(writer)) = (&self.previous, &mut self.writer) else {
            return Ok(());
        };
        let mut result = Ok(());
        target.read_sketches(previous, |rel, id, bytes| {
            if result.is_ok() && manifest.files.get(rel).is_some_and(|r| r.sketch == id) {
                result = writer.add(rel, id, bytes);
            }
        })?;
        Ok(result?)
    }

    /// The sketches of the files of `manifest`, by path (a file whose sketch is
    /// missing or unreadable is left out: it is not compared).
    fn of_manifest(
        &mut self,
        target: &store::Target,
        manifest: &Manifest,
    ) -> Result<Vec<(String, Sketch)>, Failure> {
        self.error()?;
        let path = match &mut self.writer {
            Some(writer) => {
                writer.flush()?;
                writer.path().to_path_buf()
            }
            None => match &self.previous {
                Some(path) => path.clone(),
                None => return Ok(Vec::new()),
            },
        };
        let mut out: Vec<(String, Sketch)> = Vec::new();
        target.read_sketches(&path, |rel, id, bytes| {
            if manifest.files.get(rel).is_some_and(|r| r.sketch == id)
                && let Some(sketch) = Sketch::from_bytes(bytes)
            {
                out.push((rel.to_string(), sketch));
            }
        })?;
        // A file is compared once, however many records it has.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }

    /// The first write error, if any.
    fn error(&mut self) -> Result<(), Failure> {
        self.failed.take().map_or(Ok(()), Err)
    }

    /// Completes the file: its name for the commit, and whether it is a new one.
    fn finish(mut self) -> Result<(Option<String>, bool), Failure> {
        self.error()?;
        match self.writer {
            Some(writer) => Ok((Some(writer.finish()?), true)),
            None => {
                let name = self.previous.as_ref().and_then(|p| p.file_name());
                Ok((name.map(|n| n.to_string_lossy().into_owned()), false))
            }
        }
    }
}

/// Indexing threads of the writer for `files` files to (re)index with `threads`
/// threads available: one for a small update, else half of them (up to four).
/// Reading and extracting the files runs on all `threads` beside the writer and
/// takes more CPU than indexing does, so a writer thread per core only made the
/// two contend, and each writer thread makes its own segments, which every
/// query then searches one by one. On 2 cores, medquad-dev (10,305 passages),
/// one writer thread against two: ingest wall 1.12 / 1.19 s, CPU 1.88 / 2.13 s,
/// one segment instead of two; at 10x, wall 8.9 / 9.0 s, CPU 15.8 / 16.7 s.
pub fn writer_threads(threads: usize, files: usize) -> usize {
    if files < 64 {
        1
    } else {
        (threads / 2).clamp(1, 4)
    }
}

/// The bytes of a corpus file, at most `max_bytes` + 1 of them (one more tells
/// that it is too large). The walk saw a regular file; one swapped for a FIFO or a
/// device since is refused, not waited on or read without end.
fn read_source(path: &Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO waits for a writer, unless non-blocking (which changes
        // nothing for a regular file).
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "not a regular file any more (replaced while ingesting)",
        ));
    }
    let most = max_bytes.saturating_add(1);
    let mut bytes = Vec::new();
    // A failed allocation is an error for this file, not an abort of the ingest.
    bytes
        .try_reserve_exact(usize::try_from(meta.len().min(most)).unwrap_or(usize::MAX))
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
    file.take(most).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn process(file: &SourceFile, old: Option<&FileRecord>, max_bytes: u64) -> Outcome {
    if file.size > max_bytes {
        return Outcome::Rejected(ExtractError::TooLarge {
            size: file.size,
            limit: max_bytes,
        });
    }
    let bytes = match read_source(&file.abs, max_bytes) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::Unreadable("file vanished while ingesting".into());
        }
        Err(e) => return Outcome::Unreadable(format!("cannot read: {e}")),
    };
    if bytes.len() as u64 > max_bytes {
        return Outcome::Rejected(ExtractError::TooLarge {
            size: file.size.max(bytes.len() as u64),
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
        && old.sketch != 0
    {
        record.passages = old.passages;
        record.abbreviations = old.abbreviations.clone();
        record.sketch = old.sketch;
        record.alias_of = old.alias_of.clone();
        record.lines = old.lines.clone();
        record.openings = old.openings.clone();
        record.rows = old.rows.clone();
        record.body = old.body.clone();
        record.shape = old.shape.clone();
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
            record.lines = boilerplate::encode(&article.line_keys());
            record.openings = site_listing::encode_openings(&article);
            record.rows = site_listing::encode_rows(&article);
            record.body = site_listing::encode_body(&article);
            record.shape = site_listing::encode_shape(&article);
            let sketch = Sketch::of_article(&article).to_bytes();
            record.sketch = Sketch::id_of(&sketch);
            let warning = match (warning, article.sections.is_empty()) {
                (None, true) => Some("no text to index (empty or only boilerplate)".to_string()),
                (w, _) => w,
            };
            Outcome::Article {
                article,
                record,
                sketch,
                warning,
            }
        }
        Err(ExtractError::Skipped(skip)) => {
            // No text to compare: an empty sketch, so it is not read again.
            let sketch = Sketch::default().to_bytes();
            record.sketch = Sketch::id_of(&sketch);
            Outcome::Excluded(skip, record, sketch)
        }
        Err(e) => Outcome::Rejected(e),
    }
}

/// The tantivy documents of an article's passages, as ingest writes them (the
/// bare tantivy benchmark reference, `examples/bare_index.rs`, writes the same).
pub fn documents<'a>(
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
            schema::add_id_and_body(
                &mut doc,
                fields,
                &format!("{rel}#{}", section.anchor),
                &section.text,
            );
            // Further ids that lead here (`show` finds the passage by any of them).
            for alias in &section.aliases {
                doc.add_text(fields.id, format!("{rel}#{alias}"));
            }
            doc.add_text(fields.lang, &article.lang);
            doc.add_text(fields.path, rel);
            doc.add_text(fields.title, &article.title);
            doc.add_text(
                fields.heading,
                section.heading.join(schema::HEADING_SEPARATOR),
            );
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

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_in_place_of_a_file_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("swapped.txt");
        let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        assert!(read_source(&fifo, 1 << 20).is_err());
        assert!(read_source(Path::new("/dev/zero"), 1 << 20).is_err());
        let text = dir.path().join("a.txt");
        fs::write(&text, "0123456789").unwrap();
        assert_eq!(read_source(&text, 100).unwrap(), b"0123456789");
        // One byte past the limit is read, no more.
        assert_eq!(read_source(&text, 4).unwrap(), b"01234");
    }

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

    #[test]
    fn a_site_flushed_early_ends_as_a_full_hold_would() {
        // 140 pages of one site; the last 30 end with a widget line: 21 % of the
        // site, boilerplate. The first batch (128 pages) holds it only 18 times
        // (14 %), so pages flushed early are written with it and must be redone.
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        fs::create_dir_all(corpus.join("site")).unwrap();
        for i in 0..140 {
            let widget = if i >= 110 {
                "\n\nRate this page: Yes No\n"
            } else {
                "\n"
            };
            fs::write(
                corpus.join(format!("site/p{i:03}.txt")),
                format!("Page {i}\n\nText of page number {i} here.{widget}"),
            )
            .unwrap();
        }
        let run = |hold: usize, index: &Path| {
            let options = IngestOptions {
                corpus: &corpus,
                index_dir: index,
                rebuild: false,
                synonyms: None,
                max_file_bytes: DEFAULT_MAX_FILE_BYTES,
                threads: 1,
                walk: walk::WalkOptions::default(),
                keep_duplicates: false,
                wait: false,
                cancel: None,
                embed: Embed::Keep,
            };
            ingest_holding(&options, &mut |_| {}, hold).unwrap();
            let engine =
                crate::search::Engine::open(index, crate::search::RankParams::default()).unwrap();
            (110..140)
                .map(|i| {
                    let id = format!("site/p{i:03}.txt#introduction");
                    engine.passage(&id).unwrap().expect("a passage").text
                })
                .collect::<Vec<_>>()
        };
        let early = run(0, &dir.path().join("early"));
        let held = run(usize::MAX, &dir.path().join("held"));
        assert_eq!(early, held);
        assert!(
            held.iter().all(|t| !t.contains("Rate this page")),
            "{held:?}"
        );
    }
}
