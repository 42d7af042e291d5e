//! The command line as a Unix citizen: completions, man pages, `--version`,
//! colour control, messages, output integrity (odd file names, byte order marks,
//! terminal escapes from documents, a closed stderr) and `export`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;

use common::{Run, binary, json, lectern, passages, query_human, run_checked as run, temp_corpus};
use serde_json::Value;
use tempfile::TempDir;

/// A small corpus of two articles; returns (tempdir, corpus, index).
fn small_corpus() -> (TempDir, PathBuf, PathBuf) {
    let (dir, corpus, index) = temp_corpus();
    fs::write(
        corpus.join("gout.md"),
        "# Gout\n\nGout is arthritis from uric acid.\n\n## Treatment\n\nColchicine lowers uric acid.\n",
    )
    .unwrap();
    fs::write(
        corpus.join("asthma.txt"),
        "Asthma\n\nAsthma narrows the airways; wheezing at night.\n",
    )
    .unwrap();
    (dir, corpus, index)
}

/// [`common::ingest`], which must index the corpus (exit 0 or 1).
fn ingest(corpus: &Path, index: &Path) -> Run {
    let r = common::ingest(corpus, index);
    assert!(r.code <= 1, "{}", r.stderr);
    r
}

fn has_program(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

// ---------------------------------------------------------------- completions, man, version

#[test]
fn completion_scripts_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run(lectern().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("lectern"), "{shell}");
        assert!(r.stdout.contains("--batch"), "{shell}: options of query");
    }
    let bash = run(lectern().args(["completions", "bash"])).stdout;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("lectern.bash"), bash).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(dir.path().join("lectern.bash"))
        .status()
        .expect("bash is needed to check the bash completion script");
    assert!(status.success(), "bash -n rejects the completion script");
}

#[test]
fn man_pages_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let page = run(lectern().arg("man"));
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(page.stdout.starts_with(".ie") || page.stdout.contains(".TH lectern"));
    fs::write(dir.path().join("lectern.1"), &page.stdout).unwrap();
    let r = run(lectern()
        .args(["man", "--dir"])
        .arg(dir.path().join("pages")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut pages: Vec<PathBuf> = fs::read_dir(dir.path().join("pages"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    let names: Vec<String> = pages
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"lectern-query.1".to_string()), "{names:?}");
    assert!(names.contains(&"lectern-export.1".to_string()), "{names:?}");
    pages.push(dir.path().join("lectern.1"));

    if !has_program("man") {
        eprintln!("skipped: `man` is not installed (apt-get install man-db), pages not rendered");
        return;
    }
    for page in &pages {
        let out = std::process::Command::new("man")
            .arg("--warnings")
            .arg("-l")
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {warnings}", page.display());
        assert!(warnings.trim().is_empty(), "{}: {warnings}", page.display());
        assert!(String::from_utf8_lossy(&out.stdout).contains("lectern"));
    }
}

#[test]
fn version_names_the_index_schema() {
    let r = run(lectern().arg("--version"));
    assert_eq!(r.code, 0);
    let line = r.stdout.trim();
    assert!(line.starts_with(&format!("lectern {}", env!("CARGO_PKG_VERSION"))));
    assert!(
        line.contains(&format!("index schema {}", lectern::schema::SCHEMA_VERSION)),
        "{line}"
    );
}

// ---------------------------------------------------------------- colour

#[test]
fn color_flag_and_environment() {
    let (_dir, corpus, index) = small_corpus();
    ingest(&corpus, &index);
    let query = |color: Option<&str>, env: &[(&str, &str)]| {
        let mut cmd = lectern();
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("query");
        if let Some(c) = color {
            cmd.args(["--color", c]);
        }
        let r = run(cmd.arg("--index").arg(&index).arg("gout"));
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout.contains('\x1b')
    };
    // stdout is a pipe here: no colour unless asked.
    assert!(!query(None, &[]));
    assert!(query(Some("always"), &[]));
    assert!(query(Some("always"), &[("NO_COLOR", "1")]), "the flag wins");
    assert!(!query(Some("never"), &[("CLICOLOR_FORCE", "1")]));
    assert!(query(None, &[("CLICOLOR_FORCE", "1")]));
    assert!(!query(None, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    // The flag is accepted before the subcommand too.
    let r = run(lectern()
        .args(["--color", "never", "query", "--index"])
        .arg(&index)
        .arg("gout"));
    assert_eq!(r.code, 0);
    let r = run(lectern().args(["--color", "sometimes", "stats"]));
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------- messages

#[test]
fn errors_name_each_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let r = common::ingest(&dir.path().join("nosuchdir"), &index);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("nosuchdir"), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("No such file or directory").count(),
        1,
        "{}",
        r.stderr
    );

    let file = dir.path().join("afile");
    fs::write(&file, "x").unwrap();
    let r = common::ingest(&file, &index);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.matches("is not a folder").count(),
        1,
        "{}",
        r.stderr
    );
}

#[test]
fn empty_and_wordless_queries_say_what_happened() {
    let (_dir, corpus, index) = small_corpus();
    ingest(&corpus, &index);
    let r = query_human(&index, &[""]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no query given"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("CEA"),
        "sample-corpus advice: {}",
        r.stderr
    );

    for q in ["?", "...", "!!! ---"] {
        let r = query_human(&index, &["--", q]);
        assert_eq!(r.code, 1, "{q}: {}", r.stderr);
        assert!(
            r.stderr.contains("nothing was searched"),
            "{q}: {}",
            r.stderr
        );
        let r = common::query(&index, q);
        let notes = json(&r.stdout)["notes"].to_string();
        assert!(notes.contains("nothing was searched"), "{q}: {notes}");
    }
}

#[test]
fn stats_shows_local_time_and_the_absolute_corpus() {
    let (_dir, corpus, index) = small_corpus();
    // Ingest with a relative corpus path, from the corpus's parent folder.
    let r = run(lectern()
        .current_dir(corpus.parent().unwrap())
        .args(["ingest", "corpus", "--index"])
        .arg(&index));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(lectern().args(["stats", "--index"]).arg(&index));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let row = |key: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix(key).filter(|rest| rest.starts_with(' ')))
            .unwrap_or_else(|| panic!("no {key} row: {}", r.stdout))
            .trim()
            .to_string()
    };
    let canonical = fs::canonicalize(&corpus).unwrap();
    assert_eq!(row("corpus"), canonical.display().to_string());
    let at = row("ingested_at");
    // 2026-11-30T10:02:03+01:00
    let b = at.as_bytes();
    assert!(
        at.len() == 25 && b[4] == b'-' && b[10] == b'T' && b[13] == b':' && b[22] == b':',
        "not local ISO-8601: {at}"
    );
    assert!(row("schema_version").parse::<u32>().is_ok());

    let v = json(
        &run(lectern()
            .args(["stats", "--format", "json", "--index"])
            .arg(&index))
        .stdout,
    );
    assert!(v["ingested_at"].as_u64().unwrap() > 1_700_000_000, "{v}");
    assert_eq!(v["ingested_at_local"], at);
    assert_eq!(v["corpus_path"], canonical.display().to_string());
}

// ---------------------------------------------------------------- output integrity

#[test]
fn odd_file_names_keep_trec_and_tsv_columns_and_eval_scores_them() {
    let (dir, corpus, index) = temp_corpus();
    let mut names = vec!["other file.md", "100% sure.md"];
    if cfg!(unix) {
        names.extend(["tab\tname.md", "new\nline.md"]);
    }
    // Distinct texts: identical articles would be indexed once (near-duplicates).
    for (i, name) in names.iter().enumerate() {
        fs::write(
            corpus.join(name),
            format!("# Zebra {i}\n\nZebrafish stripes, pattern {i}.\n"),
        )
        .unwrap();
    }
    ingest(&corpus, &index);

    let batch = |format: &str| {
        run(lectern()
            .args(["query", "--batch", "-", "--format", format, "--index"])
            .arg(&index)
            .write_stdin("q1\tzebrafish\n"))
    };
    let trec = batch("trec");
    assert_eq!(trec.code, 0, "{}", trec.stderr);
    assert_eq!(trec.stdout.lines().count(), names.len(), "{}", trec.stdout);
    for line in trec.stdout.lines() {
        assert_eq!(line.split(' ').count(), 6, "{line:?}");
    }
    assert!(
        trec.stdout.contains(" other%20file.md#introduction "),
        "{}",
        trec.stdout
    );
    assert!(
        trec.stdout.contains(" 100%25%20sure.md#introduction "),
        "{}",
        trec.stdout
    );
    let tsv = batch("tsv");
    assert_eq!(tsv.stdout.lines().count(), names.len(), "{}", tsv.stdout);
    for line in tsv.stdout.lines() {
        assert_eq!(line.split('\t').count(), 6, "{line:?}");
    }

    // Every name is judged relevant: eval must find them all in the run.
    let mut qrels = String::from("\u{feff}");
    for line in trec.stdout.lines() {
        qrels.push_str(&format!("q1 0 {} 1\n", line.split(' ').nth(2).unwrap()));
    }
    fs::write(dir.path().join("qrels"), &qrels).unwrap();
    fs::write(dir.path().join("run"), format!("\u{feff}{}", trec.stdout)).unwrap();
    let r = run(lectern()
        .args(["eval", "--format", "json", "--qrels"])
        .arg(dir.path().join("qrels"))
        .arg("--run")
        .arg(dir.path().join("run")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(
        (v["queries"].as_u64(), v["recall_at_100"].as_f64()),
        (Some(1), Some(1.0)),
        "{v}"
    );
    // The same through eval --queries, which ranks raw ids against decoded qrels.
    fs::write(dir.path().join("queries"), "\u{feff}q1\tzebrafish\n").unwrap();
    let r = common::eval(
        &index,
        &dir.path().join("queries"),
        &dir.path().join("qrels"),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["recall_at_100"], 1.0, "{}", r.stdout);
}

#[test]
fn a_byte_order_mark_does_not_become_part_of_the_first_id() {
    let (_dir, corpus, index) = small_corpus();
    ingest(&corpus, &index);
    let r = run(lectern()
        .args(["query", "--batch", "-", "--index"])
        .arg(&index)
        .write_stdin("\u{feff}q1\tgout\r\nq2\twheezing\r\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let qids: Vec<Value> = r.stdout.lines().map(|l| json(l)["qid"].clone()).collect();
    assert_eq!(qids, ["q1", "q2"]);
}

#[test]
fn eval_queries_with_a_malformed_line_exits_2() {
    let (dir, corpus, index) = small_corpus();
    ingest(&corpus, &index);
    fs::write(dir.path().join("qrels"), "q1 0 gout.md#treatment 1\n").unwrap();
    fs::write(dir.path().join("queries"), "q1\tcolchicine\nq2\t\n").unwrap();
    let r = run(lectern()
        .args(["eval", "--qrels"])
        .arg(dir.path().join("qrels"))
        .arg("--queries")
        .arg(dir.path().join("queries"))
        .arg("--index")
        .arg(&index));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("queries:2: query q2 has no text"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("MRR@10      1.0000"), "{}", r.stdout);
}

/// Titles, headings, bodies, entities and file names holding ESC, BEL, OSC 52
/// (clipboard write) or CSI sequences are shown escaped, never sent to the terminal.
#[test]
fn terminal_escapes_from_documents_never_reach_the_terminal() {
    let (_dir, corpus, index) = temp_corpus();
    fs::write(
        corpus.join("a.txt"),
        "T\x1b]52;c;aGVsbG8=\x07itle\n\nZebra body \x1b[31mred\x1b[0m bell\x07 \u{9b}2J.\n",
    )
    .unwrap();
    fs::write(
        corpus.join("e.html"),
        "<h1>Evil &#27;]52;c;Zm9v&#7; title</h1><h2>Head &#x1b;[2J</h2><p>zebra &#27;[2J text</p>",
    )
    .unwrap();
    if cfg!(unix) {
        fs::write(corpus.join("name\x1b[2J.md"), "# Zebra\n\nzebra\n").unwrap();
        // Skipped (binary), so its name is printed by ingest.
        fs::write(corpus.join("bin\x1b]52;c;eA==\x07.txt"), b"\x00\x01zebra").unwrap();
    }
    let r = common::ingest(&corpus, &index);
    assert!(!r.stderr.contains(['\x1b', '\x07']), "{:?}", r.stderr);
    if cfg!(unix) {
        assert!(
            r.stderr.contains("bin\\x1b]52;c;eA==\\x07.txt"),
            "{}",
            r.stderr
        );
    }
    for color in ["never", "always"] {
        let r = run(lectern()
            .args(["query", "--explain", "--color", color, "--index"])
            .arg(&index)
            .arg("zebra"));
        assert_eq!(r.code, 0, "{}", r.stderr);
        // With colour, only lectern's own SGR sequences may appear.
        let plain = r
            .stdout
            .replace("\x1b[1m", "")
            .replace("\x1b[2m", "")
            .replace("\x1b[31m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert!(!plain.contains(['\x1b', '\x07', '\u{9b}']), "{plain:?}");
        assert!(plain.contains("\\x1b]52;c;Zm9v\\x07"), "{plain}");
        assert!(plain.contains("\\x1b[2J"), "{plain}");
    }
    for id in ["a.txt#introduction", "e.html#head-2j"] {
        let r = run(lectern().args(["show", "--index"]).arg(&index).arg(id));
        assert_eq!(r.code, 0, "{id}: {}", r.stderr);
        assert!(
            !r.stdout.contains(['\x1b', '\x07', '\u{9b}']),
            "{:?}",
            r.stdout
        );
    }
    // Machine formats keep the text as it is (JSON escapes it).
    let r = common::query(&index, "zebra");
    assert!(
        r.stdout.contains("\\u001b]52;c;aGVsbG8=\\u0007"),
        "{}",
        r.stdout
    );
}

/// `lectern ingest corpus 2>&1 | head -2`: a closed stderr must not stop the
/// ingest from committing (it panicked with exit 101 and committed nothing).
#[test]
fn a_closed_stderr_is_ignored() {
    let (_dir, corpus, index) = small_corpus();
    fs::write(corpus.join("bad.txt"), b"\x00\x01\x02").unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = std::process::Command::new(binary())
        .arg("ingest")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "one file skipped; no panic (101)");
    assert_eq!(passages(&index), 3);

    // A query whose notes go to a closed stderr still answers on stdout.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(binary())
        .args(["query", "--index"])
        .arg(&index)
        .arg("the colchicine")
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("gout.md#treatment"));
}

// ---------------------------------------------------------------- export

/// Field names of `docs/quickwit-index.yaml` (`- name:` entries of field_mappings).
fn quickwit_fields() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/quickwit-index.yaml");
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- name:"))
        .map(|n| n.trim().to_string())
        .collect()
}

/// Field names of `docs/opensearch-mapping.json`.
fn opensearch_fields() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/opensearch-mapping.json");
    let v = json(&fs::read_to_string(path).unwrap());
    v["mappings"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn export_matches_the_shipped_configs() {
    let (_dir, corpus, index) = small_corpus();
    ingest(&corpus, &index);
    // An update, so the index holds a deleted passage that must not be exported.
    fs::write(corpus.join("asthma.txt"), "Asthma\n\nInhalers help.\n").unwrap();
    ingest(&corpus, &index);

    let mut schema_fields = lectern::export::field_names(&lectern::schema::build_schema());
    schema_fields.sort();
    let mut quickwit = quickwit_fields();
    quickwit.sort();
    let mut opensearch = opensearch_fields();
    opensearch.sort();
    assert_eq!(quickwit, schema_fields, "docs/quickwit-index.yaml");
    assert_eq!(opensearch, schema_fields, "docs/opensearch-mapping.json");

    let r = run(lectern().args(["export", "--index"]).arg(&index));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len() as u64, passages(&index), "{}", r.stdout);
    let mut ids = Vec::new();
    for line in &lines {
        let doc = json(line);
        let mut keys: Vec<String> = doc.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, schema_fields, "{line}");
        ids.push(doc["id"].as_str().unwrap().to_string());
    }
    ids.sort();
    assert_eq!(
        ids,
        [
            "asthma.txt#introduction",
            "gout.md#introduction",
            "gout.md#treatment"
        ]
    );
    assert!(r.stdout.contains("Inhalers help.") && !r.stdout.contains("wheezing"));

    // Bulk: an action naming the passage id as _id before each passage.
    let r = run(lectern()
        .args(["export", "--format", "bulk", "--index"])
        .arg(&index));
    let lines: Vec<Value> = r.stdout.lines().map(json).collect();
    assert_eq!(lines.len(), 2 * ids.len());
    for pair in lines.chunks(2) {
        assert_eq!(pair[0]["index"]["_id"], pair[1]["id"], "{pair:?}");
    }
}
