//! The query side of ranking (issue 11) through the real binary, on small
//! articles written here: which mined abbreviations are trusted, and how an
//! abbreviation reaches the sections that use only its other form.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{ids, ingest, json, query, query_with};

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
    let r = ingest(&corpus, &index);
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

/// Three articles on cholesterol: one defines "low-density lipoprotein (LDL)" in
/// its introduction and then says only "LDL"; another says only the long form;
/// a third defines it the other way round.
const LIPIDS: &[(&str, &str)] = &[
    (
        "cholesterol.md",
        "# Cholesterol\n\nCholesterol is a waxy fat carried in the blood by low-density \
         lipoprotein (LDL) and high-density lipoprotein (HDL).\n\n## What raises it\n\n\
         Saturated fat, smoking and too little exercise raise LDL. Some families inherit \
         high LDL, and LDL often climbs after menopause.\n\n## Testing\n\nA blood test \
         after fasting measures the total and the fractions.\n",
    ),
    (
        "heart.md",
        "# Heart disease\n\nThe heart pumps blood through the arteries; disease narrows \
         them.\n\n## Plaque\n\nPlaque builds up in artery walls when low-density \
         lipoprotein particles are trapped there; the more low-density lipoprotein, the \
         faster plaque forms.\n\n## Exercise\n\nWalking every day keeps the heart strong.\n",
    ),
    (
        "statins.md",
        "# Statins\n\nStatins are medicines that lower cholesterol (a blood fat) by \
         blocking its production in the liver; they lower LDL (low-density lipoprotein) \
         the most.\n\n## Side effects\n\nMuscle aches are the most common side effect of \
         statins.\n",
    ),
];

#[test]
fn abbreviations_reach_sections_using_only_the_other_form() {
    let (_dir, index) = indexed(LIPIDS);
    // Each form finds the sections that discuss it in the other form, in its own
    // article and in others, ahead of the introduction that merely defines it.
    for (q, want) in [
        ("low-density lipoprotein", "heart.md#plaque"),
        (
            "what raises low-density lipoprotein",
            "cholesterol.md#what-raises-it",
        ),
        ("LDL", "cholesterol.md#what-raises-it"),
        ("how does LDL build up in arteries", "heart.md#plaque"),
    ] {
        assert_eq!(ids(&index, q)[0], want, "{q}");
    }
    // The group counting as its best form is part of the explanation, which
    // still adds up to the score.
    let r = query_with(
        &index,
        &["--explain", "-n", "3", "--", "low-density lipoprotein"],
    );
    let v = json(&r.stdout);
    let hit = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "cholesterol.md#introduction")
        .expect("the defining section is among the first three");
    let parts = hit["explain"].as_array().unwrap();
    assert!(
        parts.iter().any(|p| p["clause"]
            .as_str()
            .unwrap()
            .contains("counts as its best form")),
        "{hit}"
    );
    // Top-level parts (indented once) add up to the score.
    let sum: f64 = parts
        .iter()
        .filter(|p| {
            let c = p["clause"].as_str().unwrap();
            c.starts_with("  ") && !c.starts_with("    ")
        })
        .map(|p| p["score"].as_f64().unwrap())
        .sum();
    let score = hit["score"].as_f64().unwrap();
    assert!(
        (sum - score).abs() < 1e-3 * score.max(1.0),
        "{sum} vs {score}"
    );
}
