//! End-to-end tests: the real `lectern` binary on real files written to temp dirs.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{
    current_generation, hit_ids, ids, ingest, ingest_with, json, lectern, passages, query_human,
    run, temp_corpus, write,
};
use serde_json::Value;
use tempfile::TempDir;

fn sample_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

const HTML: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Gout</title></head>
<body><nav><a href="/">Home</a> Menu</nav><main><article><h1>Gout</h1>
<section><h2 id="overview">Overview</h2><p>Gout is a form of arthritis caused by uric acid crystals.</p></section>
<section><h2 id="treatment">Treatment</h2><p>Colchicine and allopurinol lower uric acid (UA) levels.</p></section>
</article></main><footer>Was this article helpful? Copyright Health Library</footer></body></html>"#;

const MARKDOWN: &str = "# Asthma\n\nAsthma narrows the airways.\n\n## Symptoms\n\nWheezing and coughing at night.\n\n## Treatment\n\nInhalers with corticosteroids.\n";

const TEXT: &str = "Kidney stones\n\nHard deposits of minerals.\n\nPrevention of kidney stones\n\nDrink plenty of water every day.\n";

/// A corpus of good and bad files; returns (tempdir, corpus path, index path).
fn mixed_corpus() -> (TempDir, PathBuf, PathBuf) {
    let (dir, corpus, index) = temp_corpus();
    fs::write(corpus.join("gout.html"), HTML).unwrap();
    write(&corpus, "sub/asthma.md", MARKDOWN);
    fs::write(corpus.join("stones.txt"), TEXT).unwrap();
    fs::write(corpus.join("binary.txt"), b"\x7fELF\x00\x01\x02garbage\x00").unwrap();
    fs::write(
        corpus.join("latin.txt"),
        b"Caf\xe9 notes\n\nCr\xe8me br\xfbl\xe9e recipe text.\n",
    )
    .unwrap();
    fs::write(corpus.join("empty.md"), b"").unwrap();
    fs::write(corpus.join("picture.png"), b"\x89PNG").unwrap();
    (dir, corpus, index)
}

/// A query answer as JSON; the query must succeed (exit 0 or 1).
fn query_json(index: &Path, q: &str) -> Value {
    let r = common::query(index, q);
    assert!(r.code == 0 || r.code == 1, "query failed: {}", r.stderr);
    json(&r.stdout)
}

#[test]
fn a_word_of_the_articles_title_still_picks_its_section_in_a_one_article_corpus() {
    // Every passage of the sample holds the title's "Treatment": counted by the
    // title, the word would say nothing, and "metastases" (in the causes) decided.
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    assert_eq!(ingest(&sample_corpus(), &index).code, 0);
    let got = ids(&index, "what is the treatment for liver metastases");
    assert_eq!(
        got[0],
        "metastatic-liver-cancer.txt#metastatic-liver-cancer-treatment"
    );
}

#[test]
fn cea_on_the_sample_article_ranks_the_examination_section_first() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    // No index yet: the first query builds it from the corpus.
    let r = run(lectern()
        .args(["query", "--format", "json", "--index"])
        .arg(&index)
        .arg("--corpus")
        .arg(sample_corpus())
        .arg("CEA"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("building it from"), "{}", r.stderr);
    let v = json(&r.stdout);
    let first = &v["hits"][0];
    assert_eq!(first["heading"], "Examination of metastatic liver cancer");
    assert_eq!(
        first["id"],
        "metastatic-liver-cancer.txt#examination-of-metastatic-liver-cancer"
    );
    let snippet = first["snippet"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| first["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&snippet[start..end], "CEA");

    // Human output says the same, without colour when NO_COLOR is set.
    let r = query_human(&index, &["CEA"]);
    assert_eq!(r.code, 0);
    let first_line = r.stdout.lines().next().unwrap();
    assert!(
        first_line.contains("Examination of metastatic liver cancer"),
        "{first_line}"
    );
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn mixed_corpus_ingest_query_and_exit_codes() {
    let (_dir, corpus, index) = mixed_corpus();
    let r = ingest(&corpus, &index);
    // The binary file is skipped for an error: exit 1, named on stderr.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("binary.txt"), "{}", r.stderr);
    assert!(
        r.stderr.contains("latin.txt") && r.stderr.contains("UTF-8"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("empty.md"), "{}", r.stderr);
    assert!(r.stderr.contains("1 skipped (unsupported)"), "{}", r.stderr);

    let v = query_json(&index, "uric acid treatment");
    assert_eq!(hit_ids(&v)[0], "gout.html#treatment");
    assert_eq!(v["hits"][0]["title"], "Gout");
    let v = query_json(&index, "wheezing");
    assert_eq!(hit_ids(&v), ["sub/asthma.md#symptoms"]);
    assert_eq!(v["hits"][0]["heading"], "Symptoms");
    assert_eq!(
        ids(&index, "water"),
        ["stones.txt#prevention-of-kidney-stones"]
    );
    // Not UTF-8, no charset: read in the encoding guessed from its bytes.
    assert_eq!(ids(&index, "recipe"), ["latin.txt#introduction"]);
    assert_eq!(ids(&index, "brûlée"), ["latin.txt#introduction"]);
    // Boilerplate is not searchable.
    for noise in ["menu", "copyright", "helpful"] {
        assert!(ids(&index, noise).is_empty(), "{noise} was indexed");
    }

    // Exit codes: 1 for no match, 2 for a missing index.
    let r = query_human(&index, &["zzzzqqq"]);
    assert_eq!(r.code, 1);
    let missing = index.with_file_name("nowhere");
    let r = query_human(&missing, &["--corpus", "/nonexistent", "gout"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("lectern ingest"), "{}", r.stderr);
    let r = run(lectern().args(["query", "--format", "nope", "x"]));
    assert_eq!(r.code, 2);
}

#[test]
fn reingest_does_not_duplicate_and_is_incremental() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let before = query_json(&index, "treatment");
    let r = ingest(&corpus, &index);
    assert!(
        r.stderr.contains("0 added, 0 updated, 0 removed"),
        "{}",
        r.stderr
    );
    assert_eq!(query_json(&index, "treatment"), before);

    fs::write(corpus.join("stones.txt"), TEXT.replace("water", "lemonade")).unwrap();
    fs::remove_file(corpus.join("sub/asthma.md")).unwrap();
    let r = ingest(&corpus, &index);
    assert!(
        r.stderr.contains("0 added, 1 updated, 1 removed"),
        "{}",
        r.stderr
    );
    assert!(ids(&index, "water").is_empty());
    assert_eq!(ids(&index, "lemonade").len(), 1);
    assert!(ids(&index, "wheezing").is_empty());

    // gout (2) + stones (2) + latin (1)
    assert_eq!(passages(&index), 5);
    let r = run(lectern()
        .args(["ingest", "--rebuild", "--index"])
        .arg(&index)
        .arg(&corpus));
    assert!(r.stderr.contains("rebuilding"), "{}", r.stderr);
    assert_eq!(passages(&index), 5);
}

#[test]
fn show_prints_one_passage() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let r = run(lectern()
        .args(["show", "--index"])
        .arg(&index)
        .arg("gout.html#treatment"));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Colchicine and allopurinol"));
    let r = run(lectern()
        .args(["show", "--index"])
        .arg(&index)
        .arg("gout.html#nope"));
    assert_eq!(r.code, 1);
}

#[test]
fn batch_exit_status_run_tag_and_undecodable_lines() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let batch = |input: &[u8], extra: &[&str]| {
        run(lectern()
            .args(["query", "--batch", "-", "--format", "trec", "--index"])
            .arg(&index)
            .args(extra)
            .write_stdin(input.to_vec()))
    };
    // As for one query: 1 when no query of the batch matched anything.
    assert_eq!(batch(b"q1\tzzyzx\n", &[]).code, 1);
    assert_eq!(batch(b"", &[]).code, 1);
    assert_eq!(batch(b"q1\tzzyzx\nq2\twheezing\n", &[]).code, 0);
    // A line that is not UTF-8 is said, by its number, and still runs.
    let r = batch(b"q1\twheezing\nq2\twheez\xffing\n", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("-:2: not UTF-8"), "{}", r.stderr);
    // A run tag is the last of six columns: one word.
    for tag in ["", "my run"] {
        let r = batch(b"q1\twheezing\n", &["--run-tag", tag]);
        assert_eq!(r.code, 2, "{tag:?}: {}", r.stdout);
        assert!(r.stderr.contains("run tag"), "{}", r.stderr);
    }
}

#[test]
fn batch_formats_order_and_broken_lines() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let input = "q1\turic acid\nq2\twheezing\n\nwater\nq4\t\nq5\tinhalers\n";
    let batch = |format: &str| {
        run(lectern()
            .args([
                "query",
                "--threads",
                "2",
                "--batch",
                "-",
                "--format",
                format,
                "--index",
            ])
            .arg(&index)
            .write_stdin(input))
    };
    let r = batch("jsonl");
    assert_eq!(r.code, 2, "a broken line makes the status 2");
    assert!(
        r.stderr.contains(":5:"),
        "line number of the broken line: {}",
        r.stderr
    );
    let lines: Vec<Value> = r.stdout.lines().map(json).collect();
    let qids: Vec<_> = lines.iter().map(|l| l["qid"].as_str().unwrap()).collect();
    assert_eq!(qids, ["q1", "q2", "4", "q5"]);
    assert_eq!(lines[1]["hits"][0]["id"], "sub/asthma.md#symptoms");

    // TREC: every line has six columns, ranks run 1, 2, … per query, every query
    // that ran has its lines, and the broken line still makes the status 2.
    let r = batch("trec");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let mut last: Option<(String, u64)> = None;
    let mut seen = Vec::new();
    for line in r.stdout.lines() {
        let cols: Vec<&str> = line.split(' ').collect();
        assert_eq!(cols.len(), 6, "{line}");
        assert_eq!(cols[1], "Q0");
        assert_eq!(cols[5], "lectern");
        cols[4].parse::<f64>().unwrap();
        let rank: u64 = cols[3].parse().unwrap();
        if let Some((qid, prev)) = &last
            && qid == cols[0]
        {
            assert_eq!(rank, prev + 1, "ranks must increase by one");
        } else {
            assert_eq!(rank, 1, "{line}");
            seen.push(cols[0].to_string());
        }
        last = Some((cols[0].to_string(), rank));
    }
    assert_eq!(seen, ["q1", "q2", "4", "q5"], "{}", r.stdout);
    assert!(
        r.stdout.contains("q2 Q0 sub/asthma.md#symptoms 1 "),
        "{}",
        r.stdout
    );

    let r = batch("tsv");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.lines().count() >= 4, "{}", r.stdout);
    assert!(r.stdout.lines().all(|l| l.split('\t').count() == 6));
    assert!(r.stdout.starts_with("q1\t1\tgout.html#"));

    // The same batch saved as UTF-16 (with its byte order mark) gives the same run.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in input.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let r16 = run(lectern()
        .args(["query", "--batch", "-", "--format", "tsv", "--index"])
        .arg(&index)
        .write_stdin(utf16));
    assert_eq!(r16.stdout, r.stdout, "{}", r16.stderr);
}

#[test]
fn eval_scores_a_run_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("qrels"), "q1 0 a 1\nq2 0 b 1\n").unwrap();
    fs::write(
        dir.path().join("run"),
        "q1 Q0 a 1 9 t\nq2 Q0 x 1 9 t\nq2 Q0 b 2 8 t\n",
    )
    .unwrap();
    let r = run(lectern()
        .args(["eval", "--format", "json", "--qrels"])
        .arg(dir.path().join("qrels"))
        .arg("--run")
        .arg(dir.path().join("run")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["queries"], 2);
    assert_eq!(v["mrr_at_10"], 0.75);
    assert_eq!(v["p_at_1"], 0.5);
}

#[test]
fn a_typo_is_answered_with_a_suggestion() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let r = query_human(&index, &["allopurinl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("\"allopurinl\" is not in the index; did you mean"),
        "{}",
        r.stderr
    );
}

#[test]
fn abbreviations_expand_queries() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    // "uric acid (UA)" was mined at ingest: the short form finds the long form.
    let r = run(lectern()
        .args(["query", "--explain", "--format", "json", "--index"])
        .arg(&index)
        .arg("UA"));
    let v = json(&r.stdout);
    assert_eq!(v["hits"][0]["id"], "gout.html#treatment", "{v}");
    assert!(r.stdout.contains("(for UA)"), "{}", r.stdout);
}

#[test]
fn a_locked_index_fails_fast() {
    let (_dir, corpus, index) = mixed_corpus();
    ingest(&corpus, &index);
    let _held = lectern::store::WriteLock::acquire(&index, false).unwrap();
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 2);
    let pid = format!(
        "being written by another ingest (process {})",
        std::process::id()
    );
    assert!(r.stderr.contains(&pid), "{}", r.stderr);
    // The lock is the operating system's: removing its file is never advised.
    assert!(!r.stderr.contains("remove"), "{}", r.stderr);
    // Queries still work while the writer is held.
    assert_eq!(ids(&index, "wheezing").len(), 1);
}

#[test]
fn foreign_or_damaged_index_folders_give_clear_errors() {
    let (_dir, corpus, index) = mixed_corpus();
    fs::create_dir_all(&index).unwrap();
    fs::write(index.join("notes.txt"), "my files").unwrap();
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a lectern index"), "{}", r.stderr);
    assert!(r.stderr.contains("notes.txt"), "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(index.join("notes.txt")).unwrap(),
        "my files"
    );

    let index2 = index.with_file_name("index2");
    ingest(&corpus, &index2);
    let generation = current_generation(&index2);
    fs::write(generation.join("meta.json"), "{ not json").unwrap();
    let r = query_human(&index2, &["gout"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("damaged") && r.stderr.contains("--rebuild"),
        "{}",
        r.stderr
    );
    let r = run(lectern()
        .args(["ingest", "--rebuild", "--index"])
        .arg(&index2)
        .arg(&corpus));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(ids(&index2, "wheezing").len(), 1);
}

#[test]
fn ingest_progress_always_never_and_quiet() {
    let (_dir, corpus, index) = mixed_corpus();
    let with = |args: &[&str]| {
        let args = [&["--rebuild"], args].concat();
        let r = ingest_with(&corpus, &index, &args);
        assert_eq!(r.code, 1, "binary.txt cannot be indexed: {}", r.stderr);
        r.stderr
    };
    // Not a terminal: progress only when asked for, as plain lines (no escapes).
    let always = with(&["--progress=always"]);
    let line = always
        .lines()
        .find(|l| l.starts_with("lectern: ingesting: "))
        .unwrap_or_else(|| panic!("no progress line: {always}"));
    assert!(
        line.contains(" files, ") && line.contains(" MB/s, "),
        "{line}"
    );
    assert!(line.contains(" elapsed"), "{line}");
    assert!(
        !always.contains('\x1b') && !always.contains('\r'),
        "{always:?}"
    );
    assert!(always.contains(" passages in "), "summary kept: {always}");
    for quiet_enough in [with(&[]), with(&["--progress=never"])] {
        assert!(!quiet_enough.contains("ingesting:"), "{quiet_enough}");
        assert!(quiet_enough.contains(" passages in "), "{quiet_enough}");
    }
    // --quiet: the file that failed, nothing else (no progress, even when asked).
    let quiet = with(&["--quiet", "--progress=always"]);
    assert!(
        quiet.contains("binary.txt"),
        "errors still reported: {quiet}"
    );
    assert!(
        quiet.lines().all(|l| l.contains("binary.txt")),
        "only errors: {quiet}"
    );
    let q = run(lectern()
        .args(["query", "--format", "trec", "--index"])
        .arg(&index)
        .arg("uric acid"));
    assert_eq!(q.code, 0, "the quiet ingest indexed: {}", q.stderr);
}
