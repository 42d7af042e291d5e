//! Walking the corpus folder: every file under the root, in sorted (deterministic)
//! order, with its format, size and modification time.
//!
//! Hidden files and folders (names starting with `.`) are skipped, as ripgrep and fd
//! do. Symbolic links to files are followed; links to folders are not, so a symlink
//! loop cannot trap the walk. Problems (unreadable folders, dangling links, file
//! names that are not UTF-8) are collected, never fatal.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::extract::Format;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub abs: PathBuf,
    /// Path relative to the corpus root, `/`-separated; the passage id prefix.
    pub rel: String,
    pub format: Format,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if unknown).
    pub mtime: u64,
}

#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<SourceFile>,
    /// Files with an extension lectern does not read.
    pub unsupported: usize,
    /// (path, problem): entries that could not be visited, or notes about them.
    pub problems: Vec<(String, String)>,
    pub warnings: Vec<(String, String)>,
}

pub fn walk(root: &Path) -> std::io::Result<Walk> {
    let meta = fs::metadata(root)?;
    if !meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", root.display()),
        ));
    }
    let mut out = Walk::default();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                out.problems
                    .push((dir.display().to_string(), e.to_string()));
                continue;
            }
        };
        let mut children: Vec<_> = entries.filter_map(Result::ok).collect();
        children.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for entry in children {
            let name = entry.file_name();
            if name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let path = entry.path();
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                subdirs.push(path);
                continue;
            }
            // Follows a symlink to its target; a dangling or looping link fails here.
            let meta = match fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) => {
                    out.problems
                        .push((path.display().to_string(), e.to_string()));
                    continue;
                }
            };
            if !meta.is_file() {
                continue;
            }
            let format = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension);
            let Some(format) = format else {
                out.unsupported += 1;
                continue;
            };
            let rel_path = path.strip_prefix(root).unwrap_or(&path);
            let rel = relative_string(rel_path);
            if rel_path.to_str().is_none() {
                out.warnings.push((
                    path.display().to_string(),
                    format!("file name is not valid UTF-8; indexed as {rel}"),
                ));
            }
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            out.files.push(SourceFile {
                abs: path,
                rel,
                format,
                size: meta.len(),
                mtime,
            });
        }
        // Depth-first, in sorted order: push in reverse so the first pops first.
        pending.extend(subdirs.into_iter().rev());
    }
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
        let walk = walk(root).unwrap();
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
        let walk = walk(root).unwrap();
        assert_eq!(walk.files.len(), 1);
        assert_eq!(walk.problems.len(), 1);
        assert!(walk.problems[0].0.ends_with("dangling.txt"));
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
        let walk = walk(root).unwrap();
        let rels: Vec<_> = walk.files.iter().map(|f| f.rel.as_str()).collect();
        // Before, both were "caf\u{FFFD}.txt": one id for two files.
        assert_eq!(rels, [r"caf\xE8.txt", r"caf\xE9.txt"]);
        assert_eq!(walk.warnings.len(), 2);
        // The real name spelling an escape collides, and is reported, not merged.
        assert_eq!(walk.problems.len(), 1, "{:?}", walk.problems);
        assert!(walk.problems[0].1.contains("same as"));
    }
}
