//! The index folder: tantivy indexes plus lectern's own state, kept consistent, and
//! the only module that creates or deletes anything in it.
//!
//! Layout of an index folder `index/`:
//!
//! ```text
//! index/lectern-index.json   marker and pointer: {"lectern_index":1,"current":"gen-…"}
//! index/.lectern-writer.lock  the writers' lock (an OS lock; holds the writer's pid)
//! index/gen-<stamp>-<pid>/    a tantivy index plus its side files (manifest, lexicon)
//! ```
//!
//! **Commits.** An ingest writes into the current generation, in place. lectern's
//! state lives in side files written *before* each commit under fresh names
//! (`manifest-<stamp>.json`, `lexicon-<stamp>.tsv`, `sketches-<stamp>.bin`, and with
//! `ingest --embed` `vectors-<stamp>.bin`); the commit's payload (stored
//! by tantivy inside `meta.json`, which it replaces atomically) names them. So
//! whatever moment an ingest dies at, `meta.json` names the segments *and* the
//! manifest of the same last good commit. [`commit`] carries this out.
//!
//! **Rebuilds** (another schema, a damaged index, `--rebuild`) write a new
//! generation beside the current one; its commit ends by replacing the pointer file
//! atomically (write, fsync, rename inside the folder). At every instant the
//! pointer names a complete generation, so the old or the new index answers; the
//! folder itself is never renamed, so it may be a mount point or a symlink.
//!
//! **Healing.** Each writer, holding the lock, removes what dead writers left:
//! generations the pointer does not name, pointer temp files, uncommitted segment
//! files (tantivy's garbage collection of its managed list) and stale side files.
//!
//! **Deleting.** lectern deletes only files it can prove it wrote: files listed in
//! tantivy's managed list, tantivy's own files, side files, pointer temp files, in
//! folders marked as lectern's. A folder holding anything else is refused
//! ([`StoreError::Foreign`], naming one such file) and left untouched.
//!
//! **Readers** take no lock they cannot take: on a read-only folder the index is
//! opened without tantivy's meta lock. They read the pointer, the segments and the
//! side files of one commit, and retry when a writer replaced them meanwhile.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};

use crate::extract::EXTRACTOR_VERSION;
use crate::lexicon::Lexicon;
use crate::schema::{self, SCHEMA_VERSION};

/// Format of the payload itself (2: near-duplicate sketches in their own side file,
/// not in the manifest).
const PAYLOAD_FORMAT: u32 = 2;
/// The marker and pointer file of an index folder.
pub const POINTER: &str = "lectern-index.json";
/// The writers' lock file.
pub const LOCK: &str = ".lectern-writer.lock";
const GENERATION_PREFIX: &str = "gen-";
const POINTER_FORMAT: u32 = 1;

/// What lectern records with every commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Version of this record's layout.
    pub format: u32,
    /// Version of the lectern that wrote the commit.
    pub lectern_version: String,
    /// [`schema::SCHEMA_VERSION`] of that lectern.
    pub schema_version: u32,
    /// [`crate::extract::EXTRACTOR_VERSION`] of that lectern.
    pub extractor_version: u32,
    /// Corpus folder the index was built from: absolute (older indexes: as given).
    pub corpus: String,
    /// Unix seconds of the commit.
    pub ingested_at: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Passages indexed.
    pub passages: u64,
    /// File name of the manifest, inside the generation folder.
    pub manifest: String,
    /// File name of the lexicon (synonym groups), inside the generation folder.
    pub lexicon: String,
    /// File name of the passage vectors (`ingest --embed`), if the index has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vectors: Option<String>,
    /// File name of the near-duplicate sketches ([`SketchWriter`]), if any file has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketches: Option<String>,
    /// Sizes of the heading classes of the commit's live passages ([`ClassSizes`]);
    /// None in an index written before they were recorded (a reader counts them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_sizes: Option<ClassSizes>,
}

/// How many passages share each section heading (its [`schema::heading_class`]),
/// counted over the live passages when the commit is made, so that the first query
/// of a process need not count them ([`crate::rank::Stats::templated`] reads them).
/// Counted from the passages, not from tantivy's per-segment statistics (which
/// count deleted passages until a merge): the same figures whatever the ingest's
/// history or segment layout, an incremental ingest's equal to a rebuild's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassSizes {
    /// Live passages.
    pub passages: u64,
    /// `(size, classes of that size)`, by size, for the passages with a heading.
    pub sizes: Vec<(u64, u64)>,
}

impl ClassSizes {
    /// Counts the heading classes of the live passages of `searcher`.
    pub fn count(searcher: &tantivy::Searcher) -> tantivy::Result<ClassSizes> {
        let mut classes: std::collections::HashMap<u64, u64> = Default::default();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64(schema::HEADING_CLASS)?;
            for doc in segment.doc_ids_alive() {
                if let Some(class) = column.first(doc)
                    && class != 0
                {
                    *classes.entry(class).or_default() += 1;
                }
            }
        }
        let mut sizes: BTreeMap<u64, u64> = BTreeMap::new();
        for size in classes.into_values() {
            *sizes.entry(size).or_default() += 1;
        }
        Ok(ClassSizes {
            passages: searcher.num_docs(),
            sizes: sizes.into_iter().collect(),
        })
    }
}

impl Payload {
    /// Why an index with this payload must be rebuilt by this lectern, if it must.
    pub fn rebuild_reason(&self) -> Option<String> {
        if self.schema_version != SCHEMA_VERSION {
            return Some(format!(
                "the index has schema version {}, this lectern writes version {SCHEMA_VERSION}",
                self.schema_version
            ));
        }
        // Said apart: one message for both read "schema version 5 … version 5".
        if self.format != PAYLOAD_FORMAT {
            return Some(format!(
                "the index's commit record has format {}, this lectern writes format {PAYLOAD_FORMAT}",
                self.format
            ));
        }
        if self.extractor_version != EXTRACTOR_VERSION {
            return Some(format!(
                "the index was extracted by extractor version {}, this lectern has {EXTRACTOR_VERSION}",
                self.extractor_version
            ));
        }
        None
    }
}

/// One ingested source file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    /// Size in bytes when read.
    pub size: u64,
    /// Modification time when read (as [`crate::walk::SourceFile::mtime`]).
    pub mtime: u64,
    /// xxh3-128 of the content, hex.
    pub hash: String,
    /// Passages it gave.
    pub passages: u64,
    /// Abbreviation pairs (short, long) mined from this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub abbreviations: Vec<(String, String)>,
    /// Id of its near-duplicate sketch ([`crate::dedup::Sketch::id_of`]), stored in
    /// the commit's sketches file ([`SketchWriter`]); 0 for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sketch: u64,
    /// Not indexed: a near-duplicate of this article (relative path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
    /// Keys of the page's short prose lines, before boilerplate removal
    /// ([`crate::boilerplate::encode`]): the site's boilerplate is computed from them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lines: String,
    /// Opening sentence keys of its sections ([`crate::site_listing::encode_openings`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub openings: String,
    /// Rows of its sections that could be listings
    /// ([`crate::site_listing::encode_rows`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rows: String,
    /// Its text's key, if short enough to be a template's
    /// ([`crate::site_listing::encode_body`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// Its title's words and whether it is rows and names only
    /// ([`crate::site_listing::encode_shape`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shape: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Every ingested file, by relative path.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// The files, by path relative to the corpus.
    pub files: BTreeMap<String, FileRecord>,
    /// Synonym groups from the user's `--synonyms` file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<Vec<String>>,
    /// The `alias_of` fields are the near-duplicate plan of these sketches (false
    /// after `--keep-duplicates`): an ingest that changes no sketch need not redo it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicates_resolved: bool,
}

/// Why an index folder cannot be opened, written or committed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no index at {0}: run `lectern ingest [CORPUS] --index {0}` first")]
    /// No index in the folder (it is missing or empty).
    Missing(String),
    #[error("{0} is not a folder: point --index at a folder")]
    /// The index path is not a folder.
    NotAFolder(String),
    #[error(
        "{dir} is not a lectern index: it holds {file}, which lectern did not write; point --index at another folder (lectern never deletes files it did not write)"
    )]
    /// The folder holds files lectern did not write.
    Foreign {
        /// The index folder.
        dir: String,
        /// The file lectern did not write.
        file: String,
    },
    #[error(
        "index at {dir} is damaged ({reason}); rebuild it with `lectern ingest CORPUS --rebuild --index {dir}`"
    )]
    /// The index cannot be read.
    Corrupt {
        /// The index folder.
        dir: String,
        /// What is wrong.
        reason: String,
    },
    #[error(
        "index at {dir} was written by another lectern version ({reason}); run `lectern ingest {corpus} --index {dir}` to rebuild it"
    )]
    /// The index was written by a lectern with another schema or extractor.
    Outdated {
        /// The index folder.
        dir: String,
        /// What differs.
        reason: String,
        /// The corpus it was built from (to rebuild it).
        corpus: String,
    },
    #[error(
        "index at {dir} was built from {old}, not {new}; to replace it, run `lectern ingest {new} --index {dir} --rebuild`"
    )]
    /// The index was built from another corpus folder.
    OtherCorpus {
        /// The index folder.
        dir: String,
        /// The corpus it was built from.
        old: String,
        /// The corpus given now.
        new: String,
    },
    #[error("index at {dir} is being written by another ingest{holder}; wait for it to finish")]
    /// Another ingest holds the writers' lock.
    Locked {
        /// The index folder.
        dir: String,
        /// ` (process N)` when the holder is known, else empty.
        holder: String,
    },
    /// (The cause is part of the message, not a `source`: printed once.)
    #[error("cannot write to the index at {dir}: {cause}")]
    Unwritable {
        /// The index folder.
        dir: String,
        /// The cause.
        cause: io::Error,
    },
    #[error(
        "no space left on device while writing {dir} (needs about {needed_mb} MB); the index keeps its last commit"
    )]
    /// The disk filled up.
    NoSpace {
        /// The index folder.
        dir: String,
        /// About how many MB the ingest needs.
        needed_mb: u64,
    },
    #[error("cannot write the index at {dir}: {reason}")]
    /// Writing the index failed for another reason.
    Write {
        /// The index folder.
        dir: String,
        /// What failed.
        reason: String,
    },
}

fn display(dir: &Path) -> String {
    dir.display().to_string()
}

// ---------------------------------------------------------------- the folder

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Pointer {
    lectern_index: u32,
    /// The generation folder holding the committed index; None before the first commit.
    current: Option<String>,
}

/// What an index folder holds.
enum Layout {
    /// Missing, or holding only dotfiles.
    Empty,
    /// lectern's layout, with the pointer file.
    Pointer(Option<String>),
    /// An index of an older lectern: a tantivy index directly in the folder.
    Legacy,
}

fn read_pointer(dir: &Path) -> Result<Option<Pointer>, StoreError> {
    match fs::read(dir.join(POINTER)) {
        Ok(bytes) => serde_json::from_slice::<Pointer>(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                dir: display(dir),
                reason: format!("{POINTER}: {e}"),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            Err(StoreError::NotAFolder(display(dir)))
        }
        Err(e) => Err(StoreError::Corrupt {
            dir: display(dir),
            reason: format!("{POINTER}: {e}"),
        }),
    }
}

/// Replaces the pointer atomically: a reader sees the old or the new one, whole.
fn write_pointer(dir: &Path, current: Option<&str>) -> io::Result<()> {
    let pointer = Pointer {
        lectern_index: POINTER_FORMAT,
        current: current.map(str::to_string),
    };
    let tmp = dir.join(format!("{POINTER}.tmp-{}", std::process::id()));
    write_durably(&tmp, &serde_json::to_vec(&pointer)?)?;
    fs::rename(&tmp, dir.join(POINTER))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Gives tantivy's `meta.json` and `.managed.json` the permissions of the commit's
/// lexicon (created as the umask says): tantivy writes them through temp files,
/// which are private to their owner, and another user who can read the rest of
/// the index could not open it.
fn share_like_side_files(data: &Path, payload: &Payload) {
    let Ok(meta) = fs::metadata(data.join(&payload.lexicon)) else {
        return;
    };
    for name in ["meta.json", ".managed.json"] {
        let _ = fs::set_permissions(data.join(name), meta.permissions());
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn is_dotfile(name: &str) -> bool {
    name.starts_with('.')
}

/// A side file of a commit: `KIND-STAMP.EXT` as [`write_side_files`] and the
/// sketches name them, the stamp being `NANOS-PID` ([`stamp`]).
fn is_side_file(name: &str) -> bool {
    let stamped = |rest: &str, ext: &str| {
        rest.strip_suffix(ext).is_some_and(|stamp| {
            stamp
                .split_once('-')
                .is_some_and(|(nanos, pid)| is_number(nanos) && is_number(pid))
        })
    };
    [
        ("manifest-", ".json"),
        ("lexicon-", ".tsv"),
        ("vectors-", ".bin"),
        ("sketches-", ".bin"),
    ]
    .iter()
    .any(|(kind, ext)| {
        name.strip_prefix(kind)
            .is_some_and(|rest| stamped(rest, ext))
    })
}

/// A file tantivy names after a segment: 32 hex digits, a dot, one of its
/// extensions (a deletion file has its opstamp before `.del`).
fn is_segment_file(name: &str) -> bool {
    let Some((id, ext)) = name.split_at_checked(32) else {
        return false;
    };
    let Some(ext) = ext.strip_prefix('.') else {
        return false;
    };
    let known = |ext: &str| {
        matches!(
            ext,
            "idx" | "pos" | "term" | "store" | "store.temp" | "fast" | "fieldnorm" | "del"
        )
    };
    id.bytes().all(|b| b.is_ascii_hexdigit())
        && (known(ext)
            || ext
                .split_once('.')
                .is_some_and(|(opstamp, ext)| ext == "del" && is_number(opstamp)))
}

/// Decimal digits, at least one.
fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Files tantivy manages in `dir`, by its list (empty if there is none).
fn managed_files(dir: &Path) -> HashSet<String> {
    fs::read(dir.join(".managed.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<HashSet<String>>(&bytes).ok())
        .unwrap_or_default()
}

/// A temp file of tantivy's atomic writes (the `tempfile` crate's `.tmpXXXXXX`),
/// left when a process dies in the middle of one.
fn is_atomic_write_temp(name: &str) -> bool {
    name.strip_prefix(".tmp")
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// True when lectern (or tantivy on its behalf) wrote `name` in a tantivy index folder.
fn ours_in_index(name: &str, managed: &HashSet<String>) -> bool {
    managed.contains(name)
        || is_side_file(name)
        || is_segment_file(name)
        || is_atomic_write_temp(name)
        || matches!(
            name,
            "meta.json" | ".managed.json" | ".tantivy-writer.lock" | ".tantivy-meta.lock"
        )
}

/// Classifies `dir`, refusing a folder that holds anything lectern did not write.
fn layout(dir: &Path) -> Result<Layout, StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Layout::Empty),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(StoreError::NotAFolder(display(dir)));
        }
        Err(e) => {
            return Err(StoreError::Corrupt {
                dir: display(dir),
                reason: e.to_string(),
            });
        }
    };
    let mut names = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        names.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    // Files first: the one named is the likeliest to be recognised.
    names.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let foreign = |file: &str| StoreError::Foreign {
        dir: display(dir),
        file: display(&dir.join(file)),
    };
    if let Some(pointer) = read_pointer(dir)? {
        for (name, is_dir) in &names {
            let ours = is_dotfile(name)
                || name == POINTER
                || name.starts_with(&format!("{POINTER}.tmp-"))
                || (*is_dir && name.starts_with(GENERATION_PREFIX));
            if !ours {
                return Err(foreign(name));
            }
        }
        return Ok(Layout::Pointer(pointer.current));
    }
    // (A pointer temp file: a first ingest is writing its pointer right now.)
    if names
        .iter()
        .all(|(name, _)| is_dotfile(name) || name.starts_with(&format!("{POINTER}.tmp-")))
    {
        return Ok(Layout::Empty);
    }
    if !dir.join("meta.json").is_file() {
        let (name, _) = names.iter().find(|(n, _)| !is_dotfile(n)).expect("one");
        return Err(foreign(name));
    }
    // An older lectern's index: a lectern tantivy index in the folder itself.
    let managed = managed_files(dir);
    // Generations of an interrupted migration to this layout may sit beside it.
    if let Some((name, _)) = names.iter().find(|(name, is_dir)| {
        if *is_dir {
            !name.starts_with(GENERATION_PREFIX)
        } else {
            !(is_dotfile(name) || ours_in_index(name, &managed))
        }
    }) {
        return Err(foreign(name));
    }
    match Index::open_in_dir(dir) {
        Ok(index) if schema::Fields::from_schema(&index.schema()).is_ok() => Ok(Layout::Legacy),
        Ok(_) => Err(foreign("meta.json")),
        Err(e) => Err(StoreError::Corrupt {
            dir: display(dir),
            reason: e.to_string(),
        }),
    }
}

/// Deletes the files of a tantivy index folder that lectern can prove it wrote, then
/// the folder if that emptied it (else it is left, with the user's files).
fn remove_index_files(dir: &Path, keep_folder: bool) {
    let managed = managed_files(dir);
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_file()) && ours_in_index(&name, &managed) {
                // `.managed.json` last: it is what proves the segment files ours.
                if name != ".managed.json" {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }
    let _ = fs::remove_file(dir.join(".managed.json"));
    if !keep_folder {
        let _ = fs::remove_dir(dir);
    }
}

/// Removes what dead writers left in a pointer-layout folder: generations other than
/// `current` and `keep`, and pointer temp files.
fn remove_leftovers(dir: &Path, current: Option<&str>, keep: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(GENERATION_PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && Some(name.as_str()) != current
            && Some(name.as_str()) != keep
        {
            remove_index_files(&entry.path(), false);
        } else if name.starts_with(&format!("{POINTER}.tmp-")) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the swap folders (`.NAME.new-PID`, `.NAME.old-PID`) that lectern 0.1 left
/// beside the index folder when it died during a swap; only those of dead processes,
/// and only the files it can prove it wrote.
fn remove_old_swap_folders(dir: &Path) {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = entry_name.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix("new-")
            .or_else(|| rest.strip_prefix("old-"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        let path = entry.path();
        let an_index = path.join("meta.json").is_file() && path.join(".managed.json").is_file();
        if an_index && pid != std::process::id() && !alive && Path::new("/proc/self").exists() {
            remove_index_files(&path, false);
        }
    }
}

/// Creates an empty lectern index (schema and analyzer) in the folder `dir`.
pub fn create_index(dir: &Path) -> tantivy::Result<Index> {
    let index = Index::create_in_dir(dir, schema::build_schema())?;
    schema::register_analyzer(&index);
    Ok(index)
}

// ---------------------------------------------------------------- reading

/// An opened index with its payload.
pub struct Store {
    /// The index folder, as given.
    pub dir: PathBuf,
    /// The folder of the tantivy index (a generation inside `dir`, or `dir` itself
    /// for an older lectern's index).
    pub data: PathBuf,
    /// The tantivy index.
    pub index: Index,
    /// None for an index that was created but never committed by lectern.
    pub payload: Option<Payload>,
    /// The segments of the commit the payload comes from.
    segments: HashSet<tantivy::index::SegmentId>,
}

/// A directory for readers: tantivy's own, except that a lock it cannot take on a
/// read-only folder (read-only mount, no write permission) is not needed: no writer
/// can remove files there while segments are opened.
#[derive(Clone, Debug)]
struct ReaderDirectory(MmapDirectory);

fn read_only(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for ReaderDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        self.0.sync_directory()
    }
    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e)) if read_only(&e) => Ok(DirectoryLock::from(Box::new(()))),
            other => other,
        }
    }
}

/// The tantivy folder of `dir` now: the pointer's generation, or `dir` itself
/// for an older lectern's index.
fn current_data(dir: &Path) -> Result<PathBuf, StoreError> {
    match read_pointer(dir)? {
        Some(Pointer {
            current: Some(generation),
            ..
        }) => Ok(dir.join(generation)),
        Some(Pointer { current: None, .. }) => Err(StoreError::Missing(display(dir))),
        None if dir.join("meta.json").is_file() => Ok(dir.to_path_buf()),
        None => match layout(dir) {
            Ok(_) => Err(StoreError::Missing(display(dir))),
            Err(e) => Err(e),
        },
    }
}

impl Store {
    /// Opens the committed index in `dir`, for reading.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let data = current_data(dir)?;
        Store::open_data(dir, &data, true)
    }

    fn open_data(dir: &Path, data: &Path, reader: bool) -> Result<Store, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            dir: display(dir),
            reason,
        };
        let index = if reader {
            let mmap = MmapDirectory::open(data).map_err(|e| corrupt(e.to_string()))?;
            Index::open(ReaderDirectory(mmap))
        } else {
            Index::open_in_dir(data)
        }
        .map_err(|e| corrupt(e.to_string()))?;
        schema::register_analyzer(&index);
        let metas = index.load_metas().map_err(|e| corrupt(e.to_string()))?;
        let not_lectern = || StoreError::Foreign {
            dir: display(dir),
            file: display(&data.join("meta.json")),
        };
        let payload = match metas.payload {
            None if metas.segments.is_empty() => None,
            None => return Err(not_lectern()),
            Some(text) => Some(serde_json::from_str::<Payload>(&text).map_err(|_| not_lectern())?),
        };
        // Fields differ: an index of another schema version is lectern's own (and
        // is rebuilt by ingest, refused with "outdated" by query); anything else is not.
        let other_version = payload
            .as_ref()
            .is_some_and(|p| p.schema_version != SCHEMA_VERSION);
        if !other_version && schema::Fields::from_schema(&index.schema()).is_err() {
            return Err(not_lectern());
        }
        let segments = metas.segments.iter().map(|s| s.id()).collect();
        Ok(Store {
            dir: dir.to_path_buf(),
            data: data.to_path_buf(),
            index,
            payload,
            segments,
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
                    corpus: p.corpus.clone(),
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

    fn side_file(&self, name: impl Fn(&Payload) -> &String) -> Result<String, StoreError> {
        let Some(payload) = &self.payload else {
            return Ok(String::new());
        };
        let path = self.data.join(name(payload));
        fs::read_to_string(&path).map_err(|e| StoreError::Corrupt {
            dir: display(&self.dir),
            reason: format!("{}: {e}", path.display()),
        })
    }

    /// The manifest of the commit; a missing or unreadable one is an error.
    pub fn manifest(&self) -> Result<Manifest, StoreError> {
        let text = self.side_file(|p| &p.manifest)?;
        if self.payload.is_none() {
            return Ok(Manifest::default());
        }
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            dir: display(&self.dir),
            reason: format!("{}: {e}", self.data.display()),
        })
    }

    /// The lexicon file as stored (see [`Lexicon::to_tsv`]); a missing or unreadable
    /// one is an error, never an empty lexicon.
    pub fn lexicon_text(&self) -> Result<String, StoreError> {
        self.side_file(|p| &p.lexicon)
    }

    /// The passage vectors file of the commit (see `semantic::vectors`), if it
    /// names one: (file name, bytes). A named but missing file is an error.
    pub fn vectors_bytes(&self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let Some(name) = self.payload.as_ref().and_then(|p| p.vectors.clone()) else {
            return Ok(None);
        };
        let path = self.data.join(&name);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some((name, bytes))),
            Err(e) => Err(StoreError::Corrupt {
                dir: display(&self.dir),
                reason: format!("{}: {e}", path.display()),
            }),
        }
    }

    /// The lexicon of the commit.
    pub fn lexicon(&self) -> Result<Lexicon, StoreError> {
        Ok(Lexicon::parse(&self.lexicon_text()?))
    }

    /// Bytes of the index on disk (the current generation).
    pub fn disk_bytes(&self) -> u64 {
        folder_bytes(&self.data)
    }
}

fn folder_bytes(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// An index opened for searching with everything read from one commit: the
/// payload, the segments of the reader and the lexicon it names.
pub struct Snapshot {
    /// The opened index.
    pub store: Store,
    /// A reader of the commit's segments.
    pub reader: IndexReader,
    /// The text of the commit's lexicon file.
    pub lexicon_text: String,
}

/// How often a reader starts again when a writer replaced the commit it was reading.
const OPEN_ATTEMPTS: usize = 20;

/// Opens `dir` for searching as one consistent snapshot. When a writer commits or
/// swaps generations while it is being read, it starts again (never mixes two
/// commits, never reads a vanished side file as empty).
pub fn snapshot(dir: &Path) -> Result<Snapshot, StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let data = current_data(dir)?;
        let before = fs::read(data.join("meta.json")).ok();
        match snapshot_of(dir, &data) {
            Ok(snapshot) => return Ok(snapshot),
            Err(e) if attempt < OPEN_ATTEMPTS && changed_since(dir, &data, before) => {
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt as u64));
                let _ = e;
            }
            Err(e) => return Err(e),
        }
    }
}

/// True when the commit of `dir` is no longer the one (generation, `meta.json`)
/// that failed to open.
fn changed_since(dir: &Path, data: &Path, meta: Option<Vec<u8>>) -> bool {
    match current_data(dir) {
        Ok(now) => now != data || fs::read(data.join("meta.json")).ok() != meta,
        Err(_) => false,
    }
}

fn snapshot_of(dir: &Path, data: &Path) -> Result<Snapshot, StoreError> {
    let store = Store::open_data(dir, data, true)?;
    let Some(payload) = &store.payload else {
        return Err(StoreError::Missing(display(dir)));
    };
    if let Some(reason) = payload.rebuild_reason()
        && payload.schema_version != SCHEMA_VERSION
    {
        return Err(StoreError::Outdated {
            dir: display(dir),
            reason,
            corpus: payload.corpus.clone(),
        });
    }
    let corrupt = |e: tantivy::TantivyError| StoreError::Corrupt {
        dir: display(dir),
        reason: e.to_string(),
    };
    let reader = store.reader().map_err(corrupt)?;
    // The reader loaded `meta.json` again: it must be the commit whose payload we hold.
    let read: HashSet<_> = reader
        .searcher()
        .segment_readers()
        .iter()
        .map(|s| s.segment_id())
        .collect();
    if store.segments != read {
        return Err(StoreError::Corrupt {
            dir: display(dir),
            reason: "the index changed while it was opened".into(),
        });
    }
    let lexicon_text = store.lexicon_text()?;
    Ok(Snapshot {
        store,
        reader,
        lexicon_text,
    })
}

// ---------------------------------------------------------------- writing

/// The writers' lock on an index folder, held while it lives (an OS lock on
/// [`LOCK`]: it ends with the process, however it ends).
pub struct WriteLock {
    _file: File,
    dir: PathBuf,
}

impl WriteLock {
    /// Takes the lock of `dir` (creating the folder); with `wait`, waits for another
    /// writer to finish, else fails with [`StoreError::Locked`].
    pub fn acquire(dir: &Path, wait: bool) -> Result<WriteLock, StoreError> {
        use fs4::fs_std::FileExt;
        let unwritable = |cause| StoreError::Unwritable {
            dir: display(dir),
            cause,
        };
        // Nothing is written into a folder that is not lectern's, not even the lock.
        layout(dir)?;
        fs::create_dir_all(dir).map_err(unwritable)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK))
            .map_err(unwritable)?;
        if !file.try_lock_exclusive().map_err(unwritable)? {
            if !wait {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let holder = match pid.trim().parse::<u32>() {
                    Ok(pid) => format!(" (process {pid})"),
                    Err(_) => String::new(),
                };
                return Err(StoreError::Locked {
                    dir: display(dir),
                    holder,
                });
            }
            file.lock_exclusive().map_err(unwritable)?;
        }
        // Who holds it, for the message of the next one.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        Ok(WriteLock {
            _file: file,
            dir: dir.to_path_buf(),
        })
    }
}

/// The index an ingest writes to, opened under the lock.
pub struct Target {
    /// The index folder.
    pub dir: PathBuf,
    /// Folder of the tantivy index written.
    pub data: PathBuf,
    /// The tantivy index written.
    pub index: Index,
    /// The manifest to compare the corpus with (empty for a rebuild).
    pub previous: Manifest,
    /// Why the index is rebuilt from scratch, if it is.
    pub rebuilt: Option<String>,
    /// True when the index already holds a lectern commit (a commit is needed
    /// otherwise, even if no file changed).
    pub committed: bool,
    /// The sketches file of the commit this ingest updates, when it is of this
    /// lectern's [`crate::dedup::SKETCH_VERSION`] (else every file is read again).
    pub previous_sketches: Option<PathBuf>,
    /// A new generation, pointed at by the commit.
    fresh: bool,
    /// The generation (or legacy folder) the commit replaces.
    replaces: Option<PathBuf>,
}

/// Opens the index of `dir` for writing, under `lock`, after removing what dead
/// writers left. `corpus` is the absolute corpus path: an index built from another
/// corpus is only replaced with `rebuild`.
pub fn open_for_writing(
    lock: &WriteLock,
    rebuild: bool,
    corpus: &str,
) -> Result<Target, StoreError> {
    let dir = lock.dir.as_path();
    let layout = layout(dir)?;
    remove_old_swap_folders(dir);
    let unwritable = |cause| StoreError::Unwritable {
        dir: display(dir),
        cause,
    };
    let (current, replaces) = match layout {
        Layout::Empty => {
            write_pointer(dir, None).map_err(unwritable)?;
            (None, None)
        }
        Layout::Legacy => {
            remove_leftovers(dir, None, None);
            (None, Some(dir.to_path_buf()))
        }
        Layout::Pointer(ref current) => {
            let current = current.clone();
            remove_leftovers(dir, current.as_deref(), None);
            let replaces = current.as_ref().map(|c| dir.join(c));
            (current, replaces)
        }
    };
    let opened = match (&current, &layout) {
        (Some(generation), _) => Some(Store::open_data(dir, &dir.join(generation), false)),
        (None, Layout::Legacy) => Some(Store::open_data(dir, dir, false)),
        (None, _) => None,
    };
    let reason = match opened {
        None => None,
        Some(Ok(store)) => {
            let payload = store.payload.clone();
            let reason = match &payload {
                _ if matches!(layout, Layout::Legacy) => {
                    Some("the index was written by an older lectern".to_string())
                }
                _ if rebuild => Some("--rebuild was given".to_string()),
                None => Some("the index was never committed".to_string()),
                Some(payload) => payload.rebuild_reason(),
            };
            if let Some(payload) = &payload
                && !rebuild
                && other_corpus(&payload.corpus, corpus)
            {
                return Err(StoreError::OtherCorpus {
                    dir: display(dir),
                    old: payload.corpus.clone(),
                    new: corpus.to_string(),
                });
            }
            if reason.is_none() {
                let previous = store.manifest()?;
                // Side files and tantivy's temp files of ingests that died.
                remove_side_files_except(&store.data, payload.as_ref());
                let previous_sketches = payload
                    .as_ref()
                    .and_then(|p| p.sketches.as_ref())
                    .map(|name| store.data.join(name))
                    .filter(|path| sketches_version(path) == Some(crate::dedup::SKETCH_VERSION));
                return Ok(Target {
                    dir: dir.to_path_buf(),
                    data: store.data,
                    index: store.index,
                    previous,
                    previous_sketches,
                    rebuilt: None,
                    committed: true,
                    fresh: false,
                    replaces: None,
                });
            }
            reason
        }
        Some(Err(StoreError::Corrupt { reason, .. })) if rebuild => {
            Some(format!("the index was damaged ({reason})"))
        }
        Some(Err(e)) => return Err(e),
    };
    // A new generation beside the current one.
    let name = format!(
        "{GENERATION_PREFIX}{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let data = dir.join(&name);
    fs::create_dir(&data).map_err(unwritable)?;
    let index = create_index(&data).map_err(|e| {
        let error = write_error(dir, &data, e.to_string(), 0);
        remove_index_files(&data, false);
        error
    })?;
    crash_point("generation-created");
    Ok(Target {
        dir: dir.to_path_buf(),
        data,
        index,
        previous: Manifest::default(),
        previous_sketches: None,
        rebuilt: reason,
        committed: false,
        fresh: true,
        replaces,
    })
}

/// True when `old` (as recorded) names another folder than `new` (absolute).
fn other_corpus(old: &str, new: &str) -> bool {
    let old = Path::new(old);
    // Older indexes recorded the path as given, relative to a working directory
    // lectern does not know: nothing to compare.
    old.is_absolute() && old != Path::new(new)
}

impl Target {
    /// Opens the writer and removes the files of uncommitted work of dead writers
    /// (tantivy's garbage collection of its managed list).
    pub fn writer(
        &self,
        threads: usize,
        bytes_per_thread: usize,
    ) -> Result<IndexWriter, StoreError> {
        let threads = threads.max(1);
        let writer = self
            .index
            .writer_with_num_threads(threads, threads * bytes_per_thread)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => StoreError::Locked {
                    dir: display(&self.dir),
                    holder: " (another program holds tantivy's writer lock)".into(),
                },
                other => write_error(&self.dir, &self.data, other.to_string(), 0),
            })?;
        writer
            .garbage_collect_files()
            .wait()
            .map_err(|e| write_error(&self.dir, &self.data, e.to_string(), 0))?;
        Ok(writer)
    }

    /// The passage vectors file of the commit this ingest updates (none for a
    /// rebuild, or when the commit has none or it cannot be read).
    pub fn previous_vectors(&self) -> Option<Vec<u8>> {
        if self.fresh {
            return None;
        }
        let payload: Payload =
            serde_json::from_str(&self.index.load_metas().ok()?.payload?).ok()?;
        fs::read(self.data.join(payload.vectors?)).ok()
    }

    /// Abandons the uncommitted work: the index keeps its last commit, and the files
    /// written since are removed.
    pub fn abort(self, writer: IndexWriter) {
        // Dropping the writer stops its indexing threads and discards their work.
        drop(writer);
        if self.fresh {
            remove_index_files(&self.data, false);
            return;
        }
        // A new writer sees only the last commit: its garbage collection removes the
        // segment files written since (the side files are lectern's to remove).
        if let Ok(writer) = self
            .index
            .writer_with_num_threads::<tantivy::TantivyDocument>(1, 15 << 20)
        {
            let _ = writer.garbage_collect_files().wait();
        }
        let payload = Store::open_data(&self.dir, &self.data, false)
            .ok()
            .and_then(|s| s.payload);
        if let Some(payload) = &payload {
            // The collection rewrote `.managed.json` (private to its owner).
            share_like_side_files(&self.data, payload);
        }
        remove_side_files_except(&self.data, payload.as_ref());
    }

    /// Starts the sketches file of the commit to come, under a fresh name (removed
    /// with the other side files if the ingest ends without committing).
    pub fn sketch_writer(&self) -> io::Result<SketchWriter> {
        let name = format!("sketches-{}.bin", stamp());
        let path = self.data.join(&name);
        let mut file = io::BufWriter::with_capacity(1 << 16, File::create(&path)?);
        file.write_all(SKETCHES_MAGIC)?;
        file.write_all(&crate::dedup::SKETCH_VERSION.to_le_bytes())?;
        Ok(SketchWriter { file, path, name })
    }

    /// Calls `each(path, id, sketch bytes)` for every record of the sketches file
    /// `path` (one of this index's, written by [`SketchWriter`]), in file order.
    pub fn read_sketches(
        &self,
        path: &Path,
        each: impl FnMut(&str, u64, &[u8]),
    ) -> Result<(), StoreError> {
        read_sketches(path, each).map_err(|e| StoreError::Corrupt {
            dir: display(&self.dir),
            reason: format!("{}: {e}", path.display()),
        })
    }

    /// Turns an error met while writing into a [`StoreError`] (naming a full disk
    /// as such, with `needed` bytes as the estimate of what the ingest needs).
    pub fn error(&self, error: impl ToString, needed: u64) -> StoreError {
        write_error(&self.dir, &self.data, error.to_string(), needed)
    }
}

/// The error of a failed write into `data`: a full disk is named as such.
fn write_error(dir: &Path, data: &Path, reason: String, needed: u64) -> StoreError {
    let no_space = reason.contains("os error 28")
        || reason.contains("No space left")
        || reason.contains("StorageFull")
        || fs4::available_space(data).is_ok_and(|free| free < 1 << 20);
    if no_space {
        StoreError::NoSpace {
            dir: display(dir),
            needed_mb: needed.div_ceil(1 << 20).max(1),
        }
    } else {
        StoreError::Write {
            dir: display(dir),
            reason,
        }
    }
}

/// Starts a sketches file, before its version.
const SKETCHES_MAGIC: &[u8] = b"lectern-sketches\n";

/// The near-duplicate sketches of one commit, written record by record as an
/// ingest computes them, so that no ingest holds them all in memory (see
/// [`crate::dedup`]): after the header, per file, its relative path (4-byte
/// length, bytes), the sketch id the manifest records (8 bytes) and the sketch
/// (4-byte length, bytes). A record whose id is not the manifest's is stale.
pub struct SketchWriter {
    file: io::BufWriter<File>,
    path: PathBuf,
    name: String,
}

impl SketchWriter {
    /// Appends the sketch of the file `rel`.
    pub fn add(&mut self, rel: &str, id: u64, sketch: &[u8]) -> io::Result<()> {
        let len = |n: usize| u32::try_from(n).map_err(|_| io::Error::other("record too long"));
        self.file.write_all(&len(rel.len())?.to_le_bytes())?;
        self.file.write_all(rel.as_bytes())?;
        self.file.write_all(&id.to_le_bytes())?;
        self.file.write_all(&len(sketch.len())?.to_le_bytes())?;
        self.file.write_all(sketch)
    }

    /// The file, for reading back what is written (after [`SketchWriter::flush`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes out the buffered records.
    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    /// Completes the file (flushed, synced); its name, for [`CommitData::sketches`].
    pub fn finish(self) -> io::Result<String> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(self.name)
    }
}

/// The version recorded by the sketches file `path`; None when it cannot be read.
fn sketches_version(path: &Path) -> Option<u32> {
    let mut header = [0u8; SKETCHES_MAGIC.len() + 4];
    File::open(path).ok()?.read_exact(&mut header).ok()?;
    let (magic, version) = header.split_at(SKETCHES_MAGIC.len());
    (magic == SKETCHES_MAGIC).then(|| u32::from_le_bytes(version.try_into().expect("4 bytes")))
}

fn read_sketches(path: &Path, mut each: impl FnMut(&str, u64, &[u8])) -> io::Result<()> {
    let mut file = io::BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut header = [0u8; SKETCHES_MAGIC.len() + 4];
    file.read_exact(&mut header)?;
    if !header.starts_with(SKETCHES_MAGIC) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a sketches file",
        ));
    }
    let (mut rel, mut sketch) = (Vec::new(), Vec::new());
    let mut u32_buf = [0u8; 4];
    let mut id_buf = [0u8; 8];
    loop {
        // The end of the file is allowed only between records.
        match file.read_exact(&mut u32_buf) {
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            other => other?,
        }
        rel.resize(u32::from_le_bytes(u32_buf) as usize, 0);
        file.read_exact(&mut rel)?;
        file.read_exact(&mut id_buf)?;
        file.read_exact(&mut u32_buf)?;
        sketch.resize(u32::from_le_bytes(u32_buf) as usize, 0);
        file.read_exact(&mut sketch)?;
        let rel =
            std::str::from_utf8(&rel).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        each(rel, u64::from_le_bytes(id_buf), &sketch);
    }
}

/// What one commit records.
pub struct CommitData<'a> {
    /// The manifest after this ingest.
    pub manifest: &'a Manifest,
    /// The lexicon after this ingest.
    pub lexicon: &'a Lexicon,
    /// Absolute corpus path.
    pub corpus: &'a str,
    /// Articles in the index after the commit.
    pub articles: u64,
    /// Passages in the index after the commit.
    pub passages: u64,
    /// Estimate of the bytes the ingest needs, for a disk-full message.
    pub needed: u64,
    /// The passage vectors file's content, when the index has vectors.
    pub vectors: Option<&'a [u8]>,
    /// The sketches file (in the generation written), if any file has a sketch.
    pub sketches: Option<String>,
}

/// Commits `writer`'s work with its side files (see the module header), then
/// points the folder at a new generation and removes the one it replaces. On
/// failure the index keeps its last commit and the partial files are removed.
pub fn commit(target: Target, mut writer: IndexWriter, data: CommitData) -> Result<(), StoreError> {
    let fail = |target: Target, writer: IndexWriter, reason: String| {
        let error = target.error(reason, data.needed);
        target.abort(writer);
        error
    };
    let names = match write_side_files(&target.data, data.manifest, data.lexicon, data.vectors) {
        Ok(names) => names,
        Err(e) => return Err(fail(target, writer, e.to_string())),
    };
    let mut payload = new_payload(data.corpus, data.articles, data.passages, names);
    payload.sketches = data.sketches;
    let text = serde_json::to_string(&payload).expect("a payload serialises");
    crash_point("before-commit");
    let committed = writer.prepare_commit().and_then(|mut prepared| {
        prepared.set_payload(&text);
        prepared.commit()
    });
    if let Err(e) = committed {
        return Err(fail(target, writer, format!("{e:?}")));
    }
    crash_point("after-commit");
    // The heading-class sizes are counted on the committed passages and recorded
    // by a second commit that changes no passage (tantivy shows no uncommitted
    // segment to count them on). Until it is made (or if it fails) the index
    // answers as one written before they were recorded.
    let counted = target
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .and_then(|reader: IndexReader| ClassSizes::count(&reader.searcher()));
    if let Ok(sizes) = counted {
        payload.class_sizes = Some(sizes);
        let text = serde_json::to_string(&payload).expect("a payload serialises");
        let _ = writer.prepare_commit().and_then(|mut prepared| {
            prepared.set_payload(&text);
            prepared.commit()
        });
    }
    // Merges finish in the background of the commit; an error there leaves the
    // committed segments as they are.
    let _ = writer.wait_merging_threads();
    share_like_side_files(&target.data, &payload);
    remove_side_files_except(&target.data, Some(&payload));
    if target.fresh {
        let name = target
            .data
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        if let Err(e) = write_pointer(&target.dir, name.as_deref()) {
            let error = target.error(e, data.needed);
            remove_index_files(&target.data, false);
            return Err(error);
        }
        crash_point("after-pointer");
        if let Some(old) = &target.replaces {
            remove_index_files(old, old == &target.dir);
        }
        remove_leftovers(&target.dir, name.as_deref(), None);
    }
    Ok(())
}

/// Writes the side files for a commit about to happen; returns their names.
fn write_side_files(
    dir: &Path,
    manifest: &Manifest,
    lexicon: &Lexicon,
    vectors: Option<&[u8]>,
) -> io::Result<SideFiles> {
    let stamp = stamp();
    let manifest_name = format!("manifest-{stamp}.json");
    let lexicon_name = format!("lexicon-{stamp}.tsv");
    // Streamed: the manifest is not held twice (as records and as text).
    let mut file = io::BufWriter::with_capacity(1 << 16, File::create(dir.join(&manifest_name))?);
    serde_json::to_writer(&mut file, manifest)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    write_durably(&dir.join(&lexicon_name), lexicon.to_tsv().as_bytes())?;
    let vectors_name = match vectors {
        Some(bytes) => {
            let name = format!("vectors-{stamp}.bin");
            write_durably(&dir.join(&name), bytes)?;
            Some(name)
        }
        None => None,
    };
    Ok((manifest_name, lexicon_name, vectors_name))
}

/// A fresh part for side file names: the time in nanoseconds and the process id.
fn stamp() -> String {
    format!(
        "{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        std::process::id()
    )
}

/// Names of the side files of one commit: manifest, lexicon, vectors.
type SideFiles = (String, String, Option<String>);

/// Removes side files not named by `payload` (left by older commits or by
/// interrupted ingests), and temp files of interrupted atomic writes.
fn remove_side_files_except(dir: &Path, payload: Option<&Payload>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let named = payload.is_some_and(|p| {
            name == p.manifest
                || name == p.lexicon
                || p.vectors.as_deref() == Some(name)
                || p.sketches.as_deref() == Some(name)
        });
        if (is_side_file(name) && !named) || is_atomic_write_temp(name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn new_payload(corpus: &str, articles: u64, passages: u64, names: SideFiles) -> Payload {
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
        vectors: names.2,
        sketches: None,
        class_sizes: None,
    }
}

/// Test hook: the process aborts here when `LECTERN_CRASH_AT` names this point, so
/// the tests can kill an ingest at each step of a commit (see tests/storage.rs).
fn crash_point(name: &str) {
    if std::env::var_os("LECTERN_CRASH_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "a.md".into(),
            FileRecord {
                size: 10,
                mtime: 20,
                hash: "ab".into(),
                passages: 2,
                abbreviations: vec![("UA".into(), "uric acid".into())],
                lines: "0000000a".into(),
                sketch: 7,
                ..FileRecord::default()
            },
        );
        manifest.synonyms = vec![vec!["heart attack".into(), "infarction".into()]];
        manifest
    }

    fn lexicon(manifest: &Manifest) -> Lexicon {
        let mut pairs = BTreeMap::new();
        pairs.insert(("UA".to_string(), "uric acid".to_string()), 1);
        Lexicon::build(&pairs, manifest.synonyms.clone())
    }

    /// Commits an empty index with `manifest` into `dir`.
    fn commit_once(dir: &Path, manifest: &Manifest) {
        let lock = WriteLock::acquire(dir, false).unwrap();
        let target = open_for_writing(&lock, false, "/corpus").unwrap();
        let writer = target.writer(1, 15 << 20).unwrap();
        let mut sketches = target.sketch_writer().unwrap();
        for (rel, record) in &manifest.files {
            sketches.add(rel, record.sketch, rel.as_bytes()).unwrap();
        }
        let sketches = Some(sketches.finish().unwrap());
        commit(
            target,
            writer,
            CommitData {
                manifest,
                lexicon: &lexicon(manifest),
                corpus: "/corpus",
                articles: 1,
                passages: 2,
                needed: 0,
                vectors: Some(b"vectors"),
                sketches,
            },
        )
        .unwrap();
    }

    #[test]
    fn payload_manifest_and_lexicon_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let manifest = manifest();
        commit_once(&index, &manifest);
        let snapshot = snapshot(&index).unwrap();
        let payload = snapshot.store.payload.clone().unwrap();
        assert_eq!(payload.corpus, "/corpus");
        assert_eq!((payload.articles, payload.passages), (1, 2));
        assert_eq!(payload.rebuild_reason(), None);
        assert_eq!(snapshot.store.manifest().unwrap(), manifest);
        assert_eq!(snapshot.lexicon_text, lexicon(&manifest).to_tsv());
        let (name, bytes) = snapshot.store.vectors_bytes().unwrap().unwrap();
        assert!(name.starts_with("vectors-") && name.ends_with(".bin"));
        assert_eq!(bytes, b"vectors");
        let text = serde_json::to_string(&payload).unwrap();
        assert_eq!(serde_json::from_str::<Payload>(&text).unwrap(), payload);
        // The sketches file: the records as written, read back by the next writer.
        let lock = WriteLock::acquire(&index, false).unwrap();
        let target = open_for_writing(&lock, false, "/corpus").unwrap();
        let path = target
            .previous_sketches
            .clone()
            .expect("a current sketches file");
        assert_eq!(
            path.file_name().unwrap().to_str(),
            payload.sketches.as_deref()
        );
        let mut read = Vec::new();
        target
            .read_sketches(&path, |rel, id, bytes| {
                read.push((rel.to_string(), id, bytes.to_vec()))
            })
            .unwrap();
        assert_eq!(read, [("a.md".to_string(), 7, b"a.md".to_vec())]);
        // Cut inside a record: an error naming the file, not fewer records.
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let e = target.read_sketches(&path, |_, _, _| {}).unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
        // Another version: not used (the ingest reads every file again).
        let mut other = bytes.clone();
        other[SKETCHES_MAGIC.len()] ^= 0xff;
        fs::write(&path, &other).unwrap();
        drop(target);
        let target = open_for_writing(&lock, false, "/corpus").unwrap();
        assert_eq!(target.previous_sketches, None);
    }

    #[test]
    fn a_rebuild_reason_names_what_differs() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        commit_once(&index, &manifest());
        let current = Store::open(&index).unwrap().payload.unwrap();
        let reason = |edit: fn(&mut Payload)| {
            let mut p = current.clone();
            edit(&mut p);
            p.rebuild_reason().unwrap()
        };
        let r = reason(|p| p.schema_version += 1);
        let named = format!("schema version {}", SCHEMA_VERSION + 1);
        assert!(r.contains(&named), "{r}");
        let r = reason(|p| p.format += 1);
        let named = format!("format {}", PAYLOAD_FORMAT + 1);
        assert!(r.contains(&named) && !r.contains("schema"), "{r}");
    }

    #[test]
    fn stale_side_files_go_the_commits_and_the_users_stay() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        commit_once(&index, &manifest());
        let data = Store::open(&index).unwrap().data;
        // Left by an ingest killed before its commit, and a user's file.
        fs::write(data.join("manifest-1-1.json"), "{}").unwrap();
        fs::write(data.join("lexicon-1-1.tsv"), "").unwrap();
        fs::write(data.join("vectors-1-1.bin"), "").unwrap();
        fs::write(data.join("sketches-1-1.bin"), "").unwrap();
        fs::write(data.join("notes.txt"), "mine").unwrap();
        commit_once(&index, &Manifest::default());
        let store = Store::open(&index).unwrap();
        let payload = store.payload.clone().unwrap();
        let mut sides: Vec<String> = fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| is_side_file(n))
            .collect();
        sides.sort();
        let mut named = vec![
            payload.lexicon.clone(),
            payload.manifest.clone(),
            payload.vectors.clone().unwrap(),
            payload.sketches.clone().unwrap(),
        ];
        named.sort();
        assert_eq!(sides, named);
        assert_eq!(store.manifest().unwrap(), Manifest::default());
        assert!(data.join("notes.txt").exists());
    }

    #[cfg(unix)]
    #[test]
    fn the_index_files_are_as_readable_as_the_side_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        commit_once(&index, &manifest());
        let store = Store::open(&index).unwrap();
        let mode = |name: &str| {
            fs::metadata(store.data.join(name))
                .unwrap()
                .permissions()
                .mode()
        };
        let lexicon = mode(&store.payload.as_ref().unwrap().lexicon);
        assert_eq!(mode("meta.json"), lexicon);
        assert_eq!(mode(".managed.json"), lexicon);
    }

    #[test]
    fn a_vanished_side_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        commit_once(&index, &manifest());
        let store = Store::open(&index).unwrap();
        fs::remove_file(store.data.join(&store.payload.as_ref().unwrap().lexicon)).unwrap();
        assert!(matches!(
            store.lexicon_text(),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(snapshot(&index), Err(StoreError::Corrupt { .. })));
    }

    #[test]
    fn only_files_lectern_wrote_count_as_its_own() {
        let managed: HashSet<String> = ["abc.store".to_string()].into();
        assert!(ours_in_index("abc.store", &managed));
        assert!(ours_in_index("meta.json", &managed));
        assert!(ours_in_index("manifest-1-2.json", &managed));
        assert!(ours_in_index(
            "0123456789abcdef0123456789abcdef.idx",
            &managed
        ));
        assert!(ours_in_index(
            "0123456789abcdef0123456789abcdef.12.del",
            &managed
        ));
        assert!(ours_in_index(
            "0123456789abcdef0123456789abcdef.store.temp",
            &managed
        ));
        assert!(ours_in_index("sketches-17962-5442.bin", &managed));
        assert!(!ours_in_index("thesis.docx", &managed));
        // A user's files with names like lectern's or tantivy's.
        for name in [
            "manifest-my-notes.json",
            "lexicon-medical.tsv",
            "vectors-.bin",
            "manifest-1-.json",
            "0123456789abcdef0123456789abcdef.docx",
            "0123456789abcdef0123456789abcdef.x.del",
            "0123456789abcdef0123456789abcdef",
            // Not a panic: byte 32 falls inside a character.
            "会议记录会议记录会议记录.txt",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé.txt",
        ] {
            assert!(!ours_in_index(name, &managed), "{name}");
        }
        assert!(!ours_in_index(
            "0123456789abcdef0123456789abcdeX.idx",
            &managed
        ));
        assert!(!ours_in_index("0123456789abcdef0123456789abcdef", &managed));
        assert!(!ours_in_index("manifest.json", &managed));
        assert!(ours_in_index(".tmpdlw0MR", &managed));
        assert!(!ours_in_index(".tmpdlw0MR.docx", &managed));
    }

    #[test]
    fn another_corpus_is_recognised_only_with_an_absolute_record() {
        assert!(other_corpus("/a/corpus", "/b/corpus"));
        assert!(!other_corpus("/a/corpus", "/a/corpus"));
        assert!(!other_corpus("corpus", "/b/corpus"));
    }
}
