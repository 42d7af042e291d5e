//! Safe index storage (issue 12): lectern never deletes a file it did not write,
//! heals after Ctrl-C, kills and a full disk, never duplicates passages, never mixes
//! two commits, and answers queries on a read-only index.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use common::{
    Rng, Run, article_path, binary, copy_dir, edit_meta, ids_with, ingest, ingest_with, lectern,
    passages, query_with, run, spawn_ingest, temp_corpus, write_articles,
};

/// A query for up to 1000 hits (JSON).
fn query(index: &Path, q: &str) -> Run {
    query_with(index, &["-n", "1000", q])
}

/// Ids of the hits of `q`, up to 1000 (the query must not fail).
fn ids(index: &Path, q: &str) -> Vec<String> {
    ids_with(index, &["-n", "1000", q])
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The generation folders of an index.
fn generations(index: &Path) -> Vec<PathBuf> {
    let mut gens: Vec<PathBuf> = fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    gens.sort();
    gens
}

/// Asserts that the index holds exactly one generation, and in it only the files of
/// its last commit: no orphan segment, delete or side file.
fn assert_clean(index: &Path) {
    let gens = generations(index);
    assert_eq!(gens.len(), 1, "{:?}", names(index));
    for name in names(index) {
        assert!(
            name == "lectern-index.json" || name.starts_with('.') || name.starts_with("gen-"),
            "{name} in {}",
            index.display()
        );
    }
    let generation = &gens[0];
    let meta: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(generation.join("meta.json")).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    let mut living: Vec<String> = Vec::new();
    for segment in meta["segments"].as_array().unwrap() {
        let id = segment["segment_id"].as_str().unwrap().replace('-', "");
        living.push(id.clone());
        if let Some(deletes) = segment["deletes"].as_object() {
            living.push(format!("{id}.{}.del", deletes["opstamp"]));
        }
    }
    for name in names(generation) {
        let ok = name == ".managed.json"
            || name.starts_with(".tantivy-")
            || name == "meta.json"
            || name == payload["manifest"].as_str().unwrap()
            || name == payload["lexicon"].as_str().unwrap()
            || Some(name.as_str()) == payload["sketches"].as_str()
            || (name.ends_with(".del") && living.contains(&name))
            || (!name.ends_with(".del") && living.iter().any(|id| name.starts_with(id)));
        assert!(ok, "left over: {name} in {}", generation.display());
    }
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .is_some_and(|l| l.split_whitespace().nth(1) == Some("0"))
    })
}

/// A small tmpfs of `size` mounted at `at`, unmounted on drop; None (with a message)
/// when not root or mounting fails.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        if !is_root() {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        fs::create_dir_all(at).unwrap();
        let ok = Process::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: cannot mount a tmpfs here");
            return None;
        }
        Some(Tmpfs(at.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let ok = Process::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg(&self.0).status();
    }
}

fn signal(child: &Child, name: &str) {
    let _ = Process::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status();
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---------------------------------------------------------------- 1. user files

#[test]
fn a_folder_holding_user_files_is_refused_and_left_intact() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_articles(&corpus, 0..3, 0);
    // Not a tantivy index, but a meta.json and the user's own files.
    let proj = dir.path().join("proj");
    fs::create_dir_all(proj.join("sub")).unwrap();
    fs::write(proj.join("meta.json"), "{\"my\": \"settings\"}").unwrap();
    fs::write(proj.join("thesis.docx"), "chapter one").unwrap();
    fs::write(proj.join("sub/data.csv"), "a,b\n1,2\n").unwrap();
    let before = names(&proj);
    for extra in [&[][..], &["--rebuild"][..]] {
        let r = ingest_with(&corpus, &proj, extra);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(r.stderr.contains("not a lectern index"), "{}", r.stderr);
        assert!(
            r.stderr.contains("proj/meta.json") || r.stderr.contains("proj/thesis.docx"),
            "names a foreign file: {}",
            r.stderr
        );
        assert!(
            !r.stderr.contains("--rebuild"),
            "never advises --rebuild: {}",
            r.stderr
        );
    }
    let r = query(&proj, "word1");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(names(&proj), before);
    assert_eq!(
        fs::read_to_string(proj.join("thesis.docx")).unwrap(),
        "chapter one"
    );
    assert_eq!(
        fs::read_to_string(proj.join("sub/data.csv")).unwrap(),
        "a,b\n1,2\n"
    );
}

#[test]
fn a_user_file_put_into_an_index_is_never_deleted() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..3, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);

    // Beside the generations: the folder is refused, even with --rebuild.
    fs::write(index.join("notes.txt"), "mine").unwrap();
    for extra in [&[][..], &["--rebuild"][..]] {
        let r = ingest_with(&corpus, &index, extra);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("notes.txt"), "{}", r.stderr);
    }
    assert_eq!(fs::read_to_string(index.join("notes.txt")).unwrap(), "mine");
    assert_eq!(ids(&index, "word1"), ["d01/a00001.txt#introduction"]);
    fs::remove_file(index.join("notes.txt")).unwrap();

    // Inside a generation: a rebuild replaces it and keeps the user's file.
    let generation = generations(&index).remove(0);
    fs::write(generation.join("keep.txt"), "mine too").unwrap();
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(generation.join("keep.txt")).unwrap(),
        "mine too"
    );
    assert_eq!(ids(&index, "word1"), ["d01/a00001.txt#introduction"]);
}

#[test]
fn an_index_path_that_is_a_file_or_another_programs_index_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_articles(&corpus, 0..3, 0);
    let file = dir.path().join("file.txt");
    fs::write(&file, "mine").unwrap();
    let r = ingest(&corpus, &file);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");

    // A tantivy index of another schema, not lectern's.
    let other = dir.path().join("other");
    fs::create_dir_all(&other).unwrap();
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("x", tantivy::schema::TEXT);
    let index = tantivy::Index::create_in_dir(&other, schema.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer.commit().unwrap();
    drop(writer);
    let before = names(&other);
    for extra in [&[][..], &["--rebuild"][..]] {
        let r = ingest_with(&corpus, &other, extra);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("not a lectern index"), "{}", r.stderr);
    }
    assert_eq!(names(&other), before);
}

// ---------------------------------------------------------------- 2, 13. interruptions

/// A corpus of `n` articles, then an update of it: 10% deleted, 10% changed, 3% added.
fn incremental_case(n: usize) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, u64) {
    let (dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..n, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    let snapshot = dir.path().join("snapshot");
    copy_dir(&index, &snapshot);
    for i in 0..n / 10 {
        fs::remove_file(article_path(&corpus, i)).unwrap();
    }
    write_articles(&corpus, n / 10..n / 5, 1);
    write_articles(&corpus, n..n + n * 3 / 100, 0);
    let clean = dir.path().join("clean");
    assert_eq!(ingest(&corpus, &clean).code, 0);
    let expected = passages(&clean);
    assert_eq!(expected, 2 * (n - n / 10 + n * 3 / 100) as u64);
    (dir, corpus, index, snapshot, expected)
}

#[test]
fn sigint_at_random_moments_of_an_incremental_ingest_never_wedges_the_index() {
    let (_dir, corpus, index, snapshot, expected) = incremental_case(3000);
    // How long the update takes here.
    let started = Instant::now();
    assert_eq!(ingest(&corpus, &index).code, 0);
    let full = started.elapsed();

    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let mut interrupted = 0;
    for round in 0..10 {
        fs::remove_dir_all(&index).unwrap();
        copy_dir(&snapshot, &index);
        let child = spawn_ingest(&corpus, &index);
        let wait = full.mul_f64(rng.unit() * 1.1);
        std::thread::sleep(wait);
        signal(&child, if round == 9 { "TERM" } else { "INT" });
        let r = finish(child);
        match r.code {
            0 => {}
            130 | 143 => {
                interrupted += 1;
                let lines: Vec<&str> = r.stderr.lines().collect();
                assert!(
                    lines.last().unwrap().contains("interrupted by SIG")
                        && lines.last().unwrap().contains("keeps its last commit"),
                    "{}",
                    r.stderr
                );
                assert_eq!(r.code, if round == 9 { 143 } else { 130 }, "{}", r.stderr);
                // The last commit still answers.
                assert_eq!(passages(&index), 2 * 3000);
            }
            other => panic!("round {round}: exit {other} after {wait:?}: {}", r.stderr),
        }
        eprintln!(
            "round {round}: signal after {wait:?} of {full:?}: exit {}",
            r.code
        );
        let r = ingest(&corpus, &index);
        assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        assert_eq!(passages(&index), expected, "round {round}");
        assert_eq!(ids(&index, "word3050"), ["d10/a03050.txt#introduction"]);
        assert!(ids(&index, "word5").is_empty(), "round {round}");
        assert_eq!(ids(&index, "edition1").len(), 300, "round {round}");
        assert_clean(&index);
    }
    assert!(
        interrupted > 0,
        "no round was interrupted before its commit"
    );
}

#[test]
fn a_killed_ingest_leaves_no_orphan_files_after_the_next_one() {
    let (_dir, corpus, index, _snapshot, expected) = incremental_case(2000);
    let mut killed = 0;
    for delay in [150usize, 300, 600] {
        let mut child = spawn_ingest(&corpus, &index);
        std::thread::sleep(Duration::from_millis(delay as u64));
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed += 1;
        }
        let r = ingest(&corpus, &index);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(passages(&index), expected);
        assert_clean(&index);
        // Start the next round from a changed corpus again.
        write_articles(&corpus, 1000..1100, delay);
    }
    // A no-change ingest after a kill also removes the orphans.
    write_articles(&corpus, 1000..1100, 7);
    let mut child = spawn_ingest(&corpus, &index);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    if child.wait().unwrap().code().is_none() {
        killed += 1;
    }
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert_clean(&index);
    assert!(killed > 0, "no ingest was killed");
}

// ---------------------------------------------------------------- 3. disk full

#[test]
fn a_full_disk_is_named_and_the_old_index_survives() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), "3m") else {
        return;
    };
    let corpus = dir.path().join("corpus");
    let index = disk.0.join("index");
    write_articles(&corpus, 0..200, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert_eq!(passages(&index), 400);
    let files_before: Vec<Vec<String>> = generations(&index).iter().map(|g| names(g)).collect();

    // The disk fills up (by other files), a few hundred KB stay free...
    let filler = disk.0.join("filler");
    {
        use std::io::Write;
        let mut file = fs::File::create(&filler).unwrap();
        while file.write_all(&[7u8; 64 * 1024]).is_ok() {}
        let _ = file.flush();
        let full = fs::metadata(&filler).unwrap().len();
        file.set_len(full.saturating_sub(300 * 1024)).unwrap();
    }
    // ... and a new part of the corpus needs more than that.
    let big = corpus.join("big");
    fs::create_dir_all(&big).unwrap();
    for i in 0..5 {
        let words: String = (0..20_000).map(|k| format!("w{i}x{k} ")).collect();
        fs::write(
            big.join(format!("b{i}.txt")),
            format!("Big {i}\n\n{words}\n"),
        )
        .unwrap();
    }
    for extra in [&[][..], &["--rebuild"][..]] {
        let r = ingest_with(&corpus, &index, extra);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("no space left on device while writing")
                && r.stderr.contains("needs about"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        // The old index answers, and the partial files are gone.
        assert_eq!(passages(&index), 400);
        assert_eq!(ids(&index, "word7"), ["d07/a00007.txt#introduction"]);
        let files_now: Vec<Vec<String>> = generations(&index).iter().map(|g| names(g)).collect();
        let strip = |f: &Vec<Vec<String>>| -> Vec<Vec<String>> {
            f.iter()
                .map(|g| {
                    g.iter()
                        .filter(|n| !n.starts_with(".tantivy"))
                        .cloned()
                        .collect()
                })
                .collect()
        };
        assert_eq!(strip(&files_now), strip(&files_before), "{extra:?}");
    }

    // A first ingest on the full disk leaves nothing behind either.
    let fresh = disk.0.join("fresh");
    let r = ingest(&corpus, &fresh);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no space left on device"), "{}", r.stderr);
    assert!(generations(&fresh).is_empty(), "{:?}", names(&fresh));

    // With room again, the next ingests succeed, a rebuild too.
    fs::remove_file(&filler).unwrap();
    fs::remove_dir_all(&big).unwrap();
    write_articles(&corpus, 200..260, 0);
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(passages(&index), 520);
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(passages(&index), 520);
    assert_clean(&index);
}

// ---------------------------------------------------------------- 4. duplicates

#[test]
fn a_lost_or_stale_manifest_never_duplicates_passages() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..20, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // The manifest forgets every file: all look new.
    let generation = generations(&index).remove(0);
    for name in names(&generation) {
        if name.starts_with("manifest-") {
            fs::write(generation.join(&name), "{\"files\":{}}").unwrap();
        }
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(passages(&index), 40);
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
}

#[test]
fn racing_ingests_never_duplicate_a_new_file() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..500, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    write_articles(&corpus, 500..600, 0);
    let children: Vec<Child> = (0..3).map(|_| spawn_ingest(&corpus, &index)).collect();
    for child in children {
        let r = finish(child);
        assert!(
            r.code == 0 || (r.code == 2 && r.stderr.contains("being written by another ingest")),
            "{}",
            r.stderr
        );
    }
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert_eq!(passages(&index), 1200);
    assert_eq!(ids(&index, "word555"), ["d15/a00555.txt#introduction"]);
}

// ---------------------------------------------------------------- 5. snapshots

fn abbreviation_corpus(corpus: &Path) {
    fs::create_dir_all(corpus).unwrap();
    fs::write(
        corpus.join("gout.md"),
        "# Gout\n\nHigh uric acid (UA) in the blood.\n\n## Treatment\n\nLower the uric acid level.\n",
    )
    .unwrap();
}

#[test]
fn a_missing_lexicon_is_an_error_not_a_silent_change() {
    let (_dir, corpus, index) = temp_corpus();
    abbreviation_corpus(&corpus);
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert!(!ids(&index, "UA").is_empty());
    let generation = generations(&index).remove(0);
    for name in names(&generation) {
        if name.starts_with("lexicon-") {
            fs::remove_file(generation.join(&name)).unwrap();
        }
    }
    let r = query(&index, "UA");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("lexicon-"), "{}", r.stderr);
    // The next ingest cannot trust the index either; --rebuild heals it.
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!ids(&index, "UA").is_empty());
}

#[test]
fn queries_during_commits_always_see_one_whole_commit() {
    let (_dir, corpus, index) = temp_corpus();
    abbreviation_corpus(&corpus);
    write_articles(&corpus, 0..50, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let writer = {
        let (corpus, index, stop, done) =
            (corpus.clone(), index.clone(), stop.clone(), done.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                write_articles(&corpus, 0..5, n);
                let extra: &[&str] = if n % 3 == 0 { &["--rebuild"] } else { &[] };
                assert_eq!(ingest_with(&corpus, &index, extra).code, 0);
                done.store(n, Ordering::Relaxed);
            }
        })
    };
    // At least 40 queries, and on until the writer has committed three times (an
    // incremental ingest and a rebuild among them), however slow the machine.
    let started = std::time::Instant::now();
    let mut queries = 0;
    while queries < 40 || (done.load(Ordering::Relaxed) < 3 && started.elapsed().as_secs() < 300) {
        // "UA" only finds the passage through the lexicon's expansion.
        let r = query(&index, "UA");
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("gout.md#"), "{}", r.stdout);
        queries += 1;
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let commits = done.load(Ordering::Relaxed);
    assert!(commits >= 3, "{commits} commits during {queries} queries");
}

// ---------------------------------------------------------------- 6. scores

#[test]
fn scores_stay_positive_after_updates_and_removals() {
    let (_dir, corpus, index) = temp_corpus();
    fs::create_dir_all(&corpus).unwrap();
    for i in 0..5 {
        fs::write(
            corpus.join(format!("f{i}.txt")),
            format!("Note {i}\n\nA common word here, and f{i}.\n"),
        )
        .unwrap();
    }
    assert_eq!(ingest(&corpus, &index).code, 0);
    let scores = |q: &str| -> Vec<f64> {
        let r = query(&index, q);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["score"].as_f64().unwrap())
            .collect()
    };
    fs::write(corpus.join("f0.txt"), "Note 0\n\nA common word, changed.\n").unwrap();
    assert_eq!(ingest(&corpus, &index).code, 0);
    let s = scores("common");
    assert_eq!(s.len(), 5);
    assert!(s.iter().all(|&x| x > 0.0), "{s:?}");
    fs::remove_file(corpus.join("f1.txt")).unwrap();
    // (Not the same text as f0: identical passages are folded into one hit.)
    fs::write(
        corpus.join("f2.txt"),
        "Note 2\n\nA common word, changed again.\n",
    )
    .unwrap();
    assert_eq!(ingest(&corpus, &index).code, 0);
    let s = scores("common word");
    assert_eq!(s.len(), 4);
    assert!(s.iter().all(|&x| x > 0.0), "{s:?}");
}

// ---------------------------------------------------------------- 7. generation swap

#[test]
fn a_rebuild_killed_at_each_step_leaves_an_answering_index() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..30, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    for step in [
        "generation-created",
        "before-commit",
        "after-commit",
        "after-pointer",
    ] {
        write_articles(&corpus, 0..30, 1);
        let r = run(lectern()
            .env("LECTERN_CRASH_AT", step)
            .arg("ingest")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .arg("--rebuild"));
        assert_eq!(r.code, -1, "{step}: must die there: {}", r.stderr);
        // The old or the new index answers, whole.
        assert_eq!(passages(&index), 60, "{step}");
        assert_eq!(
            ids(&index, "word7"),
            ["d07/a00007.txt#introduction"],
            "{step}"
        );
        let r = ingest(&corpus, &index);
        assert_eq!(r.code, 0, "{step}: {}", r.stderr);
        assert_eq!(ids(&index, "edition1").len(), 30, "{step}");
        assert_clean(&index);
        write_articles(&corpus, 0..30, 0);
        assert_eq!(ingest(&corpus, &index).code, 0);
    }
}

#[test]
fn the_index_folder_may_be_a_symlink_or_a_mount_point() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_articles(&corpus, 0..10, 0);
    let real = dir.path().join("real");
    fs::create_dir_all(&real).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(ingest(&corpus, &link).code, 0);
    let r = ingest_with(&corpus, &link, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(passages(&link), 20);
    assert_clean(&real);

    if let Some(disk) = Tmpfs::mount(&dir.path().join("mnt"), "20m") {
        assert_eq!(ingest(&corpus, &disk.0).code, 0);
        let r = ingest_with(&corpus, &disk.0, &["--rebuild"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(passages(&disk.0), 20);
        assert_clean(&disk.0);
    }
}

#[test]
fn swap_folders_of_dead_processes_are_removed_by_the_next_ingest() {
    let (dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..10, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // What lectern 0.1 left when killed during its folder swap: a copy of an index.
    let dead = dir.path().join(".index.new-3999999");
    copy_dir(&generations(&index)[0], &dead);
    // A live process's folder, and a user's look-alike holding a foreign file.
    let live = dir
        .path()
        .join(format!(".index.old-{}", std::process::id()));
    copy_dir(&generations(&index)[0], &live);
    let user = dir.path().join(".index.old-3999998");
    copy_dir(&generations(&index)[0], &user);
    fs::write(user.join("mine.txt"), "mine").unwrap();
    write_articles(&corpus, 0..2, 1);
    assert_eq!(ingest(&corpus, &index).code, 0);
    assert!(!dead.exists());
    assert!(live.join("meta.json").exists());
    assert_eq!(names(&user), ["mine.txt"]);
}

#[test]
fn an_index_of_lectern_0_1_answers_and_is_migrated_by_the_next_ingest() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..10, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // lectern 0.1's layout: the tantivy index and its side files in the folder itself.
    let generation = generations(&index).remove(0);
    for name in names(&generation) {
        fs::rename(generation.join(&name), index.join(&name)).unwrap();
    }
    fs::remove_dir(&generation).unwrap();
    fs::remove_file(index.join("lectern-index.json")).unwrap();
    fs::write(index.join(".gitkeep"), "").unwrap();
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);

    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("older lectern"), "{}", r.stderr);
    assert_eq!(passages(&index), 20);
    assert!(index.join(".gitkeep").exists());
    assert_clean(&index);
    for name in names(&index) {
        assert!(
            !name.ends_with(".json") || name == "lectern-index.json",
            "{name}"
        );
    }
}

// ---------------------------------------------------------------- 8. readers and the lock

#[test]
fn queries_work_on_a_read_only_index() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write_articles(&corpus, 0..10, 0);
    if let Some(disk) = Tmpfs::mount(&dir.path().join("ro"), "20m") {
        let index = disk.0.join("index");
        assert_eq!(ingest(&corpus, &index).code, 0);
        disk.remount("ro");
        assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
        assert_eq!(passages(&index), 20);
        write_articles(&corpus, 10..12, 0);
        let r = ingest(&corpus, &index);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(
            r.stderr.matches("Read-only file system").count(),
            1,
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("locked"), "{}", r.stderr);
        disk.remount("rw");
    }
    // Without write permission (root ignores it: then this only checks that the
    // index still answers).
    let index = dir.path().join("index");
    assert_eq!(ingest(&corpus, &index).code, 0);
    let chmod = |mode: &str| {
        assert!(
            Process::new("chmod")
                .args(["-R", mode])
                .arg(&index)
                .status()
                .unwrap()
                .success()
        );
    };
    chmod("a-w");
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
    chmod("u+w");
}

#[test]
fn two_first_queries_at_once_both_answer() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..800, 0);
    let spawn = || {
        Process::new(binary())
            .args(["query", "--format", "tsv", "--index"])
            .arg(&index)
            .arg("--corpus")
            .arg(&corpus)
            .arg("word42")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("d02/a00042.txt#introduction"));
    }
    assert_eq!(passages(&index), 1600);
}

// ---------------------------------------------------------------- 10. closed stderr

#[test]
fn a_closed_stderr_neither_panics_nor_loses_the_commit() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..50, 0);
    // Files that each cause a message.
    for i in 0..20 {
        fs::write(corpus.join(format!("bin{i}.txt")), b"\0\x01\x02binary").unwrap();
    }
    let mut child = spawn_ingest(&corpus, &index);
    drop(child.stderr.take()); // the reader is gone, as after `| head -0`
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "files were skipped: exit 1, not a panic"
    );
    assert_eq!(passages(&index), 100);
}

// ---------------------------------------------------------------- issue 15: another corpus

#[test]
fn another_corpus_folder_does_not_silently_replace_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let other = dir.path().join("other");
    let index = dir.path().join("index");
    write_articles(&corpus, 0..10, 0);
    write_articles(&other, 100..103, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    let r = ingest(&other, &index);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let built_from = fs::canonicalize(&corpus).unwrap();
    assert!(
        r.stderr.contains(&built_from.display().to_string()) && r.stderr.contains("--rebuild"),
        "{}",
        r.stderr
    );
    assert_eq!(passages(&index), 20);
    // The same folder by another path is the same corpus.
    let r = ingest(&dir.path().join("corpus/../corpus"), &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ingest_with(&other, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(passages(&index), 6);
}

#[test]
fn an_index_with_sketches_in_its_manifest_answers_and_is_rebuilt_by_the_next_ingest() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..10, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // As written by the lectern before the sketches file (commit record format 1).
    edit_meta(&index, |_, payload| {
        payload["format"] = 1.into();
        payload.as_object_mut().unwrap().remove("sketches");
    });
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("has format 1"), "{}", r.stderr);
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
    assert_clean(&index);
    let r = ingest(&corpus, &index);
    assert!(r.stderr.contains("10 unchanged"), "{}", r.stderr);
}

#[test]
fn an_outdated_index_names_its_corpus_and_is_rebuilt_by_the_next_ingest() {
    let (_dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..10, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // As if written by a lectern with another schema.
    edit_meta(&index, |_, payload| payload["schema_version"] = 999.into());

    let r = query(&index, "word3");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let named = format!(
        "lectern ingest {}",
        fs::canonicalize(&corpus).unwrap().display()
    );
    assert!(r.stderr.contains(&named), "{}", r.stderr);
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("schema version 999"), "{}", r.stderr);
    assert_eq!(ids(&index, "word3"), ["d03/a00003.txt#introduction"]);
    assert_clean(&index);
}

/// The heading-class sizes the current commit of `index` recorded.
fn class_sizes(index: &Path) -> serde_json::Value {
    let meta = common::json(
        &fs::read_to_string(common::current_generation(index).join("meta.json")).unwrap(),
    );
    common::json(meta["payload"].as_str().unwrap())["class_sizes"].clone()
}

#[test]
fn heading_class_sizes_are_recorded_and_an_update_records_a_rebuilds() {
    let (dir, corpus, index) = temp_corpus();
    write_articles(&corpus, 0..12, 0);
    assert_eq!(ingest(&corpus, &index).code, 0);
    // One article changed, one gone, one new: passages deleted and added.
    write_articles(&corpus, 3..4, 1);
    fs::remove_file(article_path(&corpus, 7)).unwrap();
    common::write(
        &corpus,
        "new.md",
        "# New\n\nIntro.\n\n## Treatment notes\n\nRest.\n",
    );
    assert_eq!(ingest(&corpus, &index).code, 0);
    let rebuilt = dir.path().join("rebuilt");
    assert_eq!(ingest(&corpus, &rebuilt).code, 0);
    let sizes = class_sizes(&index);
    assert_eq!(sizes, class_sizes(&rebuilt));
    // The twelve articles' "Treatment notes", one gone, one in new.md: counted
    // over live passages, not the deleted ones the segments still hold.
    assert!(
        sizes["sizes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!([12, 1])),
        "{sizes}"
    );
    assert_eq!(sizes["passages"], passages(&rebuilt));
    // An index written before the sizes were recorded answers as one with them.
    let ranked = |index: &Path| {
        let r = query_with(index, &["-n", "30", "treatment daily"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let hits = common::json(&r.stdout)["hits"].clone();
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| (h["id"].to_string(), h["score"].to_string()))
            .collect::<Vec<_>>()
    };
    let recorded = ranked(&rebuilt);
    edit_meta(&rebuilt, |_, payload| {
        payload.as_object_mut().unwrap().remove("class_sizes");
    });
    assert_eq!(class_sizes(&rebuilt), serde_json::Value::Null);
    assert_eq!(ranked(&rebuilt), recorded);
}
