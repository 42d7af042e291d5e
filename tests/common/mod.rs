//! Helpers shared by the integration tests: run the real `lectern` binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

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

/// `lectern query --format json` on `index` (the query after `--`, so it may start
/// with `-`).
pub fn query(index: &Path, q: &str) -> Run {
    run_checked(
        lectern()
            .args(["query", "--format", "json", "--index"])
            .arg(index)
            .arg("--")
            .arg(q),
    )
}

/// Ids of the hits for `q`; the query must succeed (exit 0 or 1).
pub fn ids(index: &Path, q: &str) -> Vec<String> {
    let r = query(index, q);
    assert!(r.code == 0 || r.code == 1, "query {q:?}: {}", r.stderr);
    json(&r.stdout)["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
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
