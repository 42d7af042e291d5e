//! Helpers shared by the integration tests: run the real `lectern` binary on
//! corpora written to temp dirs, and read what it answers.
#![allow(dead_code)] // each test crate uses its own subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// Path of the `lectern` binary under test (for commands that must be spawned).
pub fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("lectern")
}

/// The `lectern` binary, without colours.
pub fn lectern() -> Command {
    let mut cmd = Command::cargo_bin("lectern").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Exit code and output of one run.
#[derive(Debug)]
pub struct Run {
    /// -1 when killed by a signal (a crash).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion and captures its output.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// [`run`], failing the test if lectern panicked or died by a signal.
pub fn run_checked(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    assert_ne!(r.code, -1, "killed by a signal: {}", r.stderr);
    r
}

/// Parses `text` as JSON or fails the test showing it.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

// ---------------------------------------------------------------- corpora

/// A temp dir holding an empty `corpus/` folder and the path of an index beside it
/// (not created); returns (tempdir, corpus, index).
pub fn temp_corpus() -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    let index = dir.path().join("index");
    (dir, corpus, index)
}

/// [`temp_corpus`] as a value with methods; the folder is removed on drop.
pub struct Case {
    pub dir: TempDir,
    pub corpus: PathBuf,
    pub index: PathBuf,
}

impl Case {
    /// An empty corpus and a fresh index path.
    pub fn new() -> Case {
        let (dir, corpus, index) = temp_corpus();
        Case { dir, corpus, index }
    }

    /// Writes `bytes` to `rel` in the corpus (creating folders); returns its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        write(&self.corpus, rel, bytes)
    }

    /// `lectern ingest CORPUS --index INDEX EXTRA…`.
    pub fn ingest(&self, extra: &[&str]) -> Run {
        ingest_with(&self.corpus, &self.index, extra)
    }
}

/// Writes `bytes` to `dir/rel`, creating its folders; returns the path.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, bytes).unwrap();
    path
}

/// Copies the folder tree `from` to `to` (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        } else if kind.is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        }
    }
}

/// Article `i` of a synthetic corpus: two passages (`introduction`, `treatment-notes`),
/// `word{i}` unique to it, `edition{version}` telling its versions apart.
pub fn article(i: usize, version: usize) -> String {
    const WORDS: &[&str] = &[
        "liver", "kidney", "heart", "lung", "blood", "cell", "tumor", "virus", "dose", "pain",
    ];
    let w = |k: usize| WORDS[(i * 7 + k * 3 + version) % WORDS.len()];
    format!(
        "Article {i}\n\nAbout {} and {} in word{i} edition{version}.\n\nTreatment notes\n\nUse {} for {} daily.\n",
        w(0),
        w(1),
        w(2),
        w(3)
    )
}

/// Where [`write_articles`] puts article `i`: `d{i % 20}/a{i}.txt`.
pub fn article_path(corpus: &Path, i: usize) -> PathBuf {
    corpus
        .join(format!("d{:02}", i % 20))
        .join(format!("a{i:05}.txt"))
}

/// Writes articles `range` (see [`article`]) into `corpus`.
pub fn write_articles(corpus: &Path, range: std::ops::Range<usize>, version: usize) {
    for i in range {
        let path = article_path(corpus, i);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, article(i, version)).unwrap();
    }
}

/// xorshift64*: a tiny seeded generator, so a failing round reproduces.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------- commands

/// `lectern ingest CORPUS --index INDEX`.
pub fn ingest(corpus: &Path, index: &Path) -> Run {
    ingest_with(corpus, index, &[])
}

/// `lectern ingest CORPUS --index INDEX EXTRA…`, failing the test on a panic.
pub fn ingest_with(corpus: &Path, index: &Path, extra: &[&str]) -> Run {
    run_checked(
        lectern()
            .arg("ingest")
            .arg(corpus)
            .arg("--index")
            .arg(index)
            .args(extra),
    )
}

/// `lectern ingest CORPUS --index INDEX` as a child (stdout discarded, stderr piped).
pub fn spawn_ingest(corpus: &Path, index: &Path) -> Child {
    Process::new(binary())
        .arg("ingest")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `lectern query --format json` on `index` (the query after `--`, so it may start
/// with `-`).
pub fn query(index: &Path, q: &str) -> Run {
    query_with(index, &["--", q])
}

/// `lectern query --format json --index INDEX ARGS…`.
pub fn query_with(index: &Path, args: &[&str]) -> Run {
    run_checked(
        lectern()
            .args(["query", "--format", "json", "--index"])
            .arg(index)
            .args(args),
    )
}

/// `lectern query --index INDEX ARGS…` in the default (human) format.
pub fn query_human(index: &Path, args: &[&str]) -> Run {
    run_checked(lectern().args(["query", "--index"]).arg(index).args(args))
}

/// The ids of the hits of a JSON query answer.
pub fn hit_ids(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Ids of the hits for `q`; the query must succeed (exit 0 or 1).
pub fn ids(index: &Path, q: &str) -> Vec<String> {
    ids_with(index, &["--", q])
}

/// Ids of the hits of `lectern query --format json --index INDEX ARGS…`; the query
/// must succeed (exit 0 or 1).
pub fn ids_with(index: &Path, args: &[&str]) -> Vec<String> {
    let r = query_with(index, args);
    assert!(r.code == 0 || r.code == 1, "query {args:?}: {}", r.stderr);
    hit_ids(&json(&r.stdout))
}

/// `lectern show --format json --index INDEX ID`.
pub fn show(index: &Path, id: &str) -> Run {
    run_checked(
        lectern()
            .args(["show", "--format", "json", "--index"])
            .arg(index)
            .arg(id),
    )
}

/// `lectern eval --format json --index INDEX --queries Q --qrels R EXTRA…`.
pub fn eval(index: &Path, queries: &Path, qrels: &Path, extra: &[&str]) -> Run {
    run_checked(
        lectern()
            .args(["eval", "--format", "json", "--index"])
            .arg(index)
            .arg("--queries")
            .arg(queries)
            .arg("--qrels")
            .arg(qrels)
            .args(extra),
    )
}

/// Passages in the index, from `lectern stats --format json`.
pub fn passages(index: &Path) -> u64 {
    let r = run_checked(
        lectern()
            .args(["stats", "--format", "json", "--index"])
            .arg(index),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r.stdout)["passages"].as_u64().unwrap()
}

// ---------------------------------------------------------------- index folder

/// The generation folder the index's pointer names as current.
pub fn current_generation(index: &Path) -> PathBuf {
    let pointer = json(&fs::read_to_string(index.join("lectern-index.json")).unwrap());
    index.join(pointer["current"].as_str().unwrap())
}

/// Rewrites the current commit's `meta.json` as `edit` changes it and its lectern
/// payload (for example to fake an index written by another version).
pub fn edit_meta(index: &Path, edit: impl FnOnce(&mut Value, &mut Value)) {
    let path = current_generation(index).join("meta.json");
    let mut meta = json(&fs::read_to_string(&path).unwrap());
    let mut payload = json(meta["payload"].as_str().unwrap());
    edit(&mut meta, &mut payload);
    meta["payload"] = Value::from(payload.to_string());
    fs::write(&path, meta.to_string()).unwrap();
}
