//! Walking the corpus folder like ripgrep: every file under the root that the
//! ignore rules let through, in sorted (deterministic) order, with its format, size
//! and modification time.
//!
//! The walk is the `ignore` crate's parallel walker (ripgrep's), so the rules are
//! ripgrep's:
//! * `.gitignore` (also outside a git repository), `.ignore` and `.lecternignore`
//!   files *inside the corpus* apply to their folder and below; a later, deeper
//!   file wins, `.lecternignore` over `.ignore` over `.gitignore`. Ignore files
//!   above the corpus folder and the user's global git excludes do not apply, so
//!   a folder indexes the same wherever it lives.
//! * `--glob GLOB` / `--exclude GLOB` are ripgrep's `-g GLOB` / `-g '!GLOB'`,
//!   matched against paths relative to the corpus root; they override the ignore
//!   files. With at least one `--glob`, only files matching one are walked.
//! * Hidden files and folders (names starting with `.`) are skipped unless
//!   `hidden`; `.git` folders always are.
//! * Symbolic links are followed when their target stays inside the corpus root
//!   (the files appear under the link's path); a link leaving it is not followed,
//!   but counted and named, unless `follow`. Link loops are detected either way.
//!   A dangling link is an unsupported file, not a failure.
//!
//! Problems (unreadable folders, file names that are not UTF-8) are collected,
//! never fatal.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::extract::Format;

/// The name of lectern's own ignore file (gitignore syntax).
pub const IGNORE_FILE: &str = ".lecternignore";

/// A file of the corpus that lectern reads.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Its path as the walker found it (under the corpus path given).
    pub abs: PathBuf,
    /// Path relative to the corpus root, `/`-separated; the passage id prefix.
    pub rel: String,
    /// Its format, by extension.
    pub format: Format,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if unknown).
    pub mtime: u64,
}

/// What to walk, beyond the ignore files.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Also walk hidden files and folders (`.git` stays out).
    pub hidden: bool,
    /// Follow symbolic links that leave the corpus folder too.
    pub follow: bool,
    /// ripgrep `-g` globs: `GLOB` to include, `!GLOB` to exclude.
    pub globs: Vec<String>,
    /// Globs to exclude (each is `-g '!GLOB'`).
    pub excludes: Vec<String>,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// The files to read, sorted by `rel`.
    pub files: Vec<SourceFile>,
    /// Files lectern does not read: other extensions, dangling links, special files.
    pub unsupported: usize,
    /// (path, why) of unsupported entries worth naming (links), for `-v`.
    pub unsupported_notes: Vec<(String, String)>,
    /// Links not followed because their target is outside the corpus folder
    /// (path of the link, target).
    pub outside_links: Vec<(String, String)>,
    /// (path, problem): entries that could not be visited; each is a failure.
    pub problems: Vec<(String, String)>,
    /// (path, note): indexed, or not a failure, but the user should know.
    pub warnings: Vec<(String, String)>,
}

/// Why the corpus cannot be walked.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("cannot read corpus folder {path}: {source}")]
    /// The corpus folder cannot be read.
    Root {
        /// The corpus folder.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    #[error("invalid glob {glob:?}: {message}")]
    /// A `-g`/`--exclude` glob is invalid.
    Glob {
        /// The glob as given.
        glob: String,
        /// What is wrong with it.
        message: String,
    },
}

/// One entry as the walker threads saw it, before sorting.
enum Seen {
    File(SourceFile),
    Unsupported(Option<(String, String)>),
    Problem(String, String),
    Warning(String, String),
}

/// Lists the files of the corpus at `root` that lectern reads, following the
/// ignore files and `options`.
pub fn walk(root: &Path, options: &WalkOptions) -> Result<Walk, WalkError> {
    let root_err = |source| WalkError::Root {
        path: root.display().to_string(),
        source,
    };
    let meta = fs::metadata(root).map_err(root_err)?;
    if !meta.is_dir() {
        return Err(root_err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", root.display()),
        )));
    }
    let real_root = fs::canonicalize(root).map_err(root_err)?;

    let mut overrides = OverrideBuilder::new(root);
    let excludes = options.excludes.iter().map(|g| format!("!{g}"));
    for glob in options.globs.iter().cloned().chain(excludes) {
        overrides.add(&glob).map_err(|e| WalkError::Glob {
            glob: glob.clone(),
            message: e.to_string(),
        })?;
    }
    let overrides = overrides.build().map_err(|e| WalkError::Glob {
        glob: options.globs.join(" "),
        message: e.to_string(),
    })?;

    let outside: Arc<Mutex<Vec<(PathBuf, PathBuf)>>> = Arc::default();
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(!options.hidden)
        .parents(false)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .overrides(overrides)
        // Links are followed, and the filter below stops those leaving the root.
        .follow_links(true);
    {
        let outside = Arc::clone(&outside);
        let follow = options.follow;
        builder.filter_entry(move |entry: &DirEntry| {
            if entry.file_name() == ".git" && entry.file_type().is_some_and(|t| t.is_dir()) {
                return false;
            }
            if follow || !entry.path_is_symlink() {
                return true;
            }
            match fs::canonicalize(entry.path()) {
                Ok(target) if target.starts_with(&real_root) => true,
                Ok(target) => {
                    let mut outside = outside.lock().unwrap_or_else(|e| e.into_inner());
                    outside.push((entry.path().to_path_buf(), target));
                    false
                }
                // Cannot happen for a followed link; leave it to the visitor.
                Err(_) => true,
            }
        });
    }

    let (sender, receiver) = std::sync::mpsc::channel::<Seen>();
    builder.build_parallel().run(|| {
        let sender = sender.clone();
        Box::new(move |result| {
            visit(root, result, &mut |seen| {
                let _ = sender.send(seen);
            });
            WalkState::Continue
        })
    });
    drop(sender);

    let mut out = Walk::default();
    for seen in receiver {
        match seen {
            Seen::File(file) => out.files.push(file),
            Seen::Unsupported(note) => {
                out.unsupported += 1;
                out.unsupported_notes.extend(note);
            }
            Seen::Problem(path, problem) => out.problems.push((path, problem)),
            Seen::Warning(path, note) => out.warnings.push((path, note)),
        }
    }
    let outside = std::mem::take(&mut *outside.lock().unwrap_or_else(|e| e.into_inner()));
    out.outside_links = outside
        .into_iter()
        .map(|(link, target)| (rel_of(root, &link), target.display().to_string()))
        .collect();
    out.outside_links.sort();
    out.unsupported_notes.sort();
    out.problems.sort();
    out.warnings.sort();
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    // Two names that differ only in bytes that are not UTF-8 can still meet (and a
    // real name can spell an escape): one id must not stand for two files, or a
    // re-ingest of one deletes the other's passages.
    let mut unique: Vec<SourceFile> = Vec::with_capacity(out.files.len());
    for file in std::mem::take(&mut out.files) {
        match unique.last() {
            Some(kept) if kept.rel == file.rel => out.problems.push((
                file.abs.display().to_string(),
                format!(
                    "file name is the same as {} once made valid UTF-8; not indexed",
                    kept.abs.display()
                ),
            )),
            _ => unique.push(file),
        }
    }
    out.files = unique;
    Ok(out)
}

/// Classifies one entry of the walk (folders are not reported).
fn visit(root: &Path, result: Result<DirEntry, ignore::Error>, emit: &mut dyn FnMut(Seen)) {
    let entry = match result {
        Ok(entry) => entry,
        Err(error) => return emit(classify_error(root, error)),
    };
    let Some(file_type) = entry.file_type() else {
        return;
    };
    if file_type.is_dir() {
        return;
    }
    let path = entry.path();
    if !file_type.is_file() {
        // A socket, a FIFO, a device: reading one could block forever.
        let note = entry.path_is_symlink().then(|| {
            (
                rel_of(root, path),
                "link to a special file; not read".to_string(),
            )
        });
        return emit(Seen::Unsupported(note));
    }
    let format = Format::of_path(path);
    let Some(format) = format else {
        return emit(Seen::Unsupported(None));
    };
    let meta = match entry.metadata() {
        Ok(meta) => meta,
        // ignore's error names the path again: the message is its cause alone.
        Err(e) => {
            let cause = e
                .io_error()
                .map_or_else(|| e.to_string(), ToString::to_string);
            return emit(Seen::Problem(path.display().to_string(), cause));
        }
    };
    let rel_path = path.strip_prefix(root).unwrap_or(path);
    let rel = relative_string(rel_path);
    if rel_path.to_str().is_none() {
        emit(Seen::Warning(
            path.display().to_string(),
            format!("file name is not valid UTF-8; indexed as {rel}"),
        ));
    }
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    emit(Seen::File(SourceFile {
        abs: path.to_path_buf(),
        rel,
        format,
        size: meta.len(),
        mtime,
    }));
}

/// A walk error: a link that cannot be followed is an unsupported file (named for
/// `-v`); anything else is a problem with the path it happened at.
fn classify_error(root: &Path, error: ignore::Error) -> Seen {
    let mut path: Option<PathBuf> = None;
    let mut inner = &error;
    loop {
        match inner {
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err
            }
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                inner = err;
            }
            ignore::Error::Loop { child, .. } => {
                return Seen::Unsupported(Some((
                    rel_of(root, child),
                    "link loop; not followed".to_string(),
                )));
            }
            _ => break,
        }
    }
    let Some(path) = path else {
        return Seen::Problem(root.display().to_string(), error.to_string());
    };
    let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        let why = match fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "dangling link; not read".to_string()
            }
            Err(e) => format!("link cannot be followed ({e}); not read"),
            Ok(_) => format!("link cannot be followed ({inner}); not read"),
        };
        return Seen::Unsupported(Some((rel_of(root, &path), why)));
    }
    if path
        .file_name()
        .is_some_and(|n| n == ".gitignore" || n == ".ignore" || n == IGNORE_FILE)
    {
        // A bad line in an ignore file: the rest of the file still applies.
        return Seen::Warning(path.display().to_string(), inner.to_string());
    }
    Seen::Problem(path.display().to_string(), inner.to_string())
}

fn rel_of(root: &Path, path: &Path) -> String {
    relative_string(path.strip_prefix(root).unwrap_or(path))
}

/// The `/`-separated relative path; bytes that are not UTF-8 are written as `\xHH`
/// (so distinct names stay distinct, which U+FFFD replacement does not do).
fn relative_string(rel: &Path) -> String {
    rel.components()
        .map(|c| escape_name(c.as_os_str()))
        .collect::<Vec<_>>()
        .join("/")
}

fn escape_name(name: &std::ffi::OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_recursive_hidden_skipped_unsupported_counted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "z.md",
            "a.txt",
            "b/c/d.html",
            "b/x.HTM",
            "img.png",
            ".hidden.md",
            ".git/x.md",
        ] {
            fs::write(root.join(f), "x").unwrap();
        }
        let walk = walk(root, &WalkOptions::default()).unwrap();
        let rels: Vec<_> = walk.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.txt", "b/c/d.html", "b/x.HTM", "z.md"]);
        assert_eq!(walk.unsupported, 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_dangling_links_do_not_trap_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("ok.txt"), "x").unwrap();
        std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere.txt"), root.join("dangling.txt")).unwrap();
        let walk = walk(root, &WalkOptions::default()).unwrap();
        assert_eq!(walk.files.len(), 1);
        assert!(walk.problems.is_empty(), "{:?}", walk.problems);
        // The dangling link and the loop are unsupported entries, named for -v.
        assert_eq!(walk.unsupported, 2);
        let notes: Vec<_> = walk
            .unsupported_notes
            .iter()
            .map(|(p, w)| format!("{p}: {w}"))
            .collect();
        assert_eq!(
            notes,
            [
                "dangling.txt: dangling link; not read",
                "loop: link loop; not followed"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [&b"caf\xe9.txt"[..], b"caf\xe8.txt", b"caf\\xE9.txt"] {
            fs::write(root.join(OsStr::from_bytes(name)), "x").unwrap();
        }
        let walk = walk(root, &WalkOptions::default()).unwrap();
        let rels: Vec<_> = walk.files.iter().map(|f| f.rel.as_str()).collect();
        // Before, both were "caf\u{FFFD}.txt": one id for two files.
        assert_eq!(rels, [r"caf\xE8.txt", r"caf\xE9.txt"]);
        assert_eq!(walk.warnings.len(), 2);
        // The real name spelling an escape collides, and is reported, not merged.
        assert_eq!(walk.problems.len(), 1, "{:?}", walk.problems);
        assert!(walk.problems[0].1.contains("same as"));
    }
}
