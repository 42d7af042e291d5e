//! The query side of ranking (issue 11) through the real binary, on small
//! articles written here: which mined abbreviations are trusted, and how an
//! abbreviation reaches the sections that use only its other form.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{ids, json, lectern, query, run};

/// Writes `files` (relative path, text) into a fresh corpus and ingests it.
fn indexed(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    for (rel, text) in files {
        let path = corpus.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let index = dir.path().join("index");
    let r = run(lectern()
        .arg("ingest")
        .arg(&corpus)
        .arg("--index")
        .arg(&index));
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, index)
}

/// The notes of a query.
fn notes(index: &Path, q: &str) -> Vec<String> {
    let r = query(index, q);
    assert!(r.code == 0 || r.code == 1, "query {q:?}: {}", r.stderr);
    // No "notes" member when there are none.
    json(&r.stdout)["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The "also searched as" notes of a query.
fn expansions(index: &Path, q: &str) -> Vec<String> {
    notes(index, q)
        .into_iter()
        .filter(|l| l.contains("also searched as"))
        .collect()
}

const LINKER: &[(&str, &str)] = &[
    (
        "linking.md",
        "# Linking\n\n## Position-independent code\n\nShared libraries call functions \
         through the Global Offset Table (GOT). The GOT holds the addresses the dynamic \
         loader fills in.\n\n## Errors\n\nWe got an error from the linker. Then we got \
         another one, and what we got next was worse.\n",
    ),
    (
        "loader.md",
        "# Loader\n\n## Relocations\n\nEach entry of the Global Offset Table (GOT) is \
         patched at load time.\n\n## Troubleshooting\n\nIf you got a crash, check what you \
         got in the log; everybody got one once. I got it too, and they got it as well.\n",
    ),
    (
        "options.md",
        "# Options\n\n## Values\n\nAn option is Some(T) or None (not currently slated for \
         stabilization). Coming from C# (coming from ECMA-334) you may expect null. A \
         result is Ok or Err (emergency failure). Take a reader: R (Read>) and wrap it. \
         Values are kept in a Binary Search Tree (BST), and the BST is balanced.\n",
    ),
];

#[test]
fn spurious_abbreviations_are_not_expanded() {
    let (_dir, index) = indexed(LINKER);
    // Code and capitalised words are never mined; "GOT" is defined twice with
    // matching initials, but the collection mostly writes "got" as a word.
    for q in [
        "None",
        "C#",
        "Err",
        "Read>",
        "GOT",
        "got an error",
        "global offset table",
    ] {
        assert_eq!(expansions(&index, q), Vec::<String>::new(), "{q}");
    }
    assert_eq!(ids(&index, "got an error")[0], "linking.md#errors");
    // A short form the collection writes as defined is still expanded.
    let notes = expansions(&index, "BST");
    assert!(
        notes.len() == 1 && notes[0].contains("Binary Search Tree"),
        "{notes:?}"
    );
}

#[test]
fn symbol_only_words_are_reported() {
    let (_dir, index) = indexed(LINKER);
    let notes = notes(&index, "? operator");
    assert!(
        notes.contains(&"not searched (only punctuation or symbols): \"?\"".to_string()),
        "{notes:?}"
    );
}
