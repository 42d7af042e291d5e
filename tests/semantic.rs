//! `ingest --embed` and fused queries (feature `semantic`), with a tiny BERT of
//! random weights that the test writes itself: the real loading, tokenizing,
//! windowing, pooling, storage and fusion code, never real weights.
#![cfg(feature = "semantic")]

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config};
use common::{
    Run, current_generation, eval, hit_ids, ingest_with, lectern, query_human, run, temp_corpus,
};
use lectern::semantic::Vectors;
use serde_json::{Value, json};

const WORDS: &str = "gout is a form of arthritis caused by uric acid crystals treatment colchicine \
and allopurinol lower levels asthma narrows the airways symptoms wheezing coughing at night \
inhalers with corticosteroids kidney stones hard deposits minerals prevention drink plenty water \
every day overview outlook will my come back can it be cured introduction";

/// Writes a sentence-transformers folder: config, WordPiece tokenizer, pooling
/// config and random weights (max 32 positions, so long passages need windows).
fn write_model(dir: &Path) {
    fs::create_dir_all(dir.join("1_Pooling")).unwrap();
    let mut vocab = serde_json::Map::new();
    for (i, t) in ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].iter().enumerate() {
        vocab.insert(t.to_string(), json!(i));
    }
    for w in WORDS.split_whitespace() {
        let n = vocab.len();
        vocab.entry(w.to_string()).or_insert(json!(n));
    }
    let special = |id: usize, content: &str| {
        json!({"id": id, "content": content, "single_word": false, "lstrip": false,
               "rstrip": false, "normalized": false, "special": true})
    };
    let tokenizer = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]")],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab.clone()}
    });
    let config = json!({
        "vocab_size": vocab.len(), "hidden_size": 16, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 32, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "max_position_embeddings": 32, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "model_type": "bert"
    });
    fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    fs::write(dir.join("config.json"), config.to_string()).unwrap();
    fs::write(
        dir.join("1_Pooling/config.json"),
        r#"{"word_embedding_dimension": 16, "pooling_mode_mean_tokens": true}"#,
    )
    .unwrap();
    let config: Config = serde_json::from_value(config).unwrap();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    BertModel::load(vb, &config).unwrap();
    varmap.save(dir.join("model.safetensors")).unwrap();
}

const GOUT: &str = "# Gout\n\nGout is a form of arthritis caused by uric acid crystals.\n\n## Treatment\n\nColchicine and allopurinol lower uric acid levels.\n\n## Outlook\n\nWill my gout come back? It can be cured.\n";
const ASTHMA: &str =
    "# Asthma\n\nAsthma narrows the airways.\n\n## Symptoms\n\nWheezing and coughing at night.\n";

struct Setup {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
    index: PathBuf,
    model: PathBuf,
}

fn setup() -> Setup {
    let (dir, corpus, index) = temp_corpus();
    fs::write(corpus.join("gout.md"), GOUT).unwrap();
    fs::write(corpus.join("asthma.md"), ASTHMA).unwrap();
    // A section far longer than the model's 32 positions: read in windows.
    let long = "kidney stones are hard deposits of minerals ".repeat(40);
    fs::write(
        corpus.join("stones.md"),
        format!("# Kidney stones\n\n{long}\n\n## Prevention\n\nDrink plenty of water every day.\n"),
    )
    .unwrap();
    let model = dir.path().join("model");
    write_model(&model);
    Setup {
        _dir: dir,
        corpus,
        index,
        model,
    }
}

fn ingest(s: &Setup, extra: &[&str]) -> Run {
    ingest_with(&s.corpus, &s.index, extra)
}

fn query(s: &Setup, extra: &[&str]) -> Run {
    query_human(&s.index, extra)
}

/// The vectors file of the current commit.
fn vectors(index: &Path) -> Vectors {
    let generation = current_generation(index);
    let files: Vec<PathBuf> = fs::read_dir(&generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("vectors-")
        })
        .collect();
    assert_eq!(files.len(), 1, "one vectors file: {files:?}");
    Vectors::from_bytes(&fs::read(&files[0]).unwrap()).unwrap()
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let s = setup();
    let empty = s.model.with_file_name("nothing");
    fs::create_dir_all(&empty).unwrap();
    let r = ingest(&s, &["--embed", "--model", empty.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{r:?}");
    for word in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "--model",
    ] {
        assert!(r.stderr.contains(word), "{word}: {}", r.stderr);
    }
    let r = ingest(&s, &["--embed"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--model DIR"), "{}", r.stderr);
    // Nothing was committed by the failed ingests.
    assert!(query(&s, &["gout"]).code != 0);
}

#[test]
fn embedded_index_fuses_and_explains_both_ranks() {
    let s = setup();
    let r = ingest(
        &s,
        &[
            "--embed",
            "--model",
            s.model.to_str().unwrap(),
            "--progress=always",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("embedded 7 passages"), "{}", r.stderr);
    // Off a terminal, --progress=always logs the encoding as plain lines too.
    assert!(
        r.stderr.contains("lectern: embedding: 7/7 windows"),
        "{}",
        r.stderr
    );
    let v = vectors(&s.index);
    assert_eq!((v.len(), v.dims), (7, 16));
    for i in 0..v.len() {
        let norm: f32 = v.vector(i).iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-2, "unit vectors: {norm}");
    }

    // The exact text of a passage is nearest its own vector: dense rank 1.
    let text = "Gout\nOutlook\nWill my gout come back? It can be cured.";
    let r = query(&s, &["--semantic", "only", "--format", "json", text]);
    assert_eq!(r.code, 0, "{r:?}");
    let only: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(hit_ids(&only)[0], "gout.md#outlook");
    // Dense alone ranks every passage, even those sharing no word with the query.
    assert_eq!(hit_ids(&only).len(), 7);

    // Fusion is the default; --explain names both ranks.
    let r = query(&s, &["--format", "json", "--explain", "uric acid"]);
    assert_eq!(r.code, 0, "{r:?}");
    let fused: Value = serde_json::from_str(&r.stdout).unwrap();
    let first = &fused["hits"][0];
    let explain = first["explain"].to_string();
    assert!(explain.contains("lexical rank"), "{explain}");
    assert!(explain.contains("dense rank"), "{explain}");
    assert!(
        hit_ids(&fused).len() > 2,
        "dense hits join the lexical ones"
    );

    // Off: lectern's own ranking, only passages with the words.
    let r = query(&s, &["--semantic", "off", "--format", "json", "uric acid"]);
    let off: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        hit_ids(&off).iter().all(|id| id.starts_with("gout.md#")),
        "{off}"
    );
    assert!(!off["hits"][0]["explain"].is_array());

    // Batch mode fuses too.
    let batch = s.index.with_file_name("queries.tsv");
    fs::write(&batch, "q1\turic acid\nq2\twheezing at night\n").unwrap();
    let r = query(
        &s,
        &[
            "--batch",
            batch.to_str().unwrap(),
            "--format",
            "trec",
            "-n",
            "3",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout.lines().count(), 6, "{}", r.stdout);

    // eval --queries runs the fused ranking as well.
    let qrels = s.index.with_file_name("qrels.txt");
    fs::write(
        &qrels,
        "q1 0 gout.md#introduction 1\nq2 0 asthma.md#symptoms 1\n",
    )
    .unwrap();
    let r = eval(&s.index, &batch, &qrels, &[]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn vectors_follow_the_corpus_incrementally() {
    let s = setup();
    let model = s.model.to_str().unwrap();
    assert_eq!(ingest(&s, &["--embed", "--model", model]).code, 0);
    let before = vectors(&s.index);
    // Change one file, add one, delete one; ingest without --embed keeps vectors
    // up to date with the model they record.
    fs::write(
        s.corpus.join("asthma.md"),
        format!("{ASTHMA}\n## Treatment\n\nInhalers with corticosteroids.\n"),
    )
    .unwrap();
    fs::write(
        s.corpus.join("water.md"),
        "# Water\n\nDrink plenty of water.\n",
    )
    .unwrap();
    fs::remove_file(s.corpus.join("stones.md")).unwrap();
    let r = ingest(&s, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    // Only the 3 passages of asthma.md and the 1 of water.md were encoded.
    assert!(r.stderr.contains("embedded 4 passages"), "{}", r.stderr);
    let after = vectors(&s.index);
    let mut ids: Vec<&str> = after.ids().collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "asthma.md#introduction",
            "asthma.md#symptoms",
            "asthma.md#treatment",
            "gout.md#introduction",
            "gout.md#outlook",
            "gout.md#treatment",
            "water.md#introduction"
        ]
    );
    // Unchanged passages keep their vectors exactly.
    let old = before.positions();
    let new = after.positions();
    let i = new["gout.md#outlook"];
    assert_eq!(after.vector(i), before.vector(old["gout.md#outlook"]));

    // Nothing changed: no commit, same vectors.
    let r = ingest(&s, &[]);
    assert!(!r.stderr.contains("embedded"), "{}", r.stderr);
    assert_eq!(vectors(&s.index), after);

    // --embed on an index without vectors encodes every passage of the files it
    // did not re-read (taken from the index).
    let r = ingest(&s, &["--rebuild"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = ingest(&s, &["--embed", "--model", model]);
    assert!(r.stderr.contains("embedded 7 passages"), "{}", r.stderr);
    assert_eq!(vectors(&s.index).len(), 7);

    // Another model: every passage encoded again.
    let other = s.model.with_file_name("other");
    write_model(&other);
    let r = ingest(&s, &["--embed", "--model", other.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("not from the model"), "{}", r.stderr);
    assert!(r.stderr.contains("embedded 7 passages"), "{}", r.stderr);
    // Queries then need that model (recorded in the vectors file).
    let r = query(&s, &["--format", "json", "water"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = query(&s, &["--model", model, "water"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("another model"), "{}", r.stderr);
}

#[test]
fn an_index_without_vectors_answers_lexically_unless_asked() {
    let s = setup();
    assert_eq!(ingest(&s, &[]).code, 0);
    let r = query(&s, &["gout"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = query(&s, &["--semantic", "fuse", "gout"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("ingest --embed"), "{}", r.stderr);
}

#[test]
fn batching_and_parallel_batches_leave_the_vectors_alone() {
    // One batch of every window (padded to the longest) against batches of one
    // window run two at a time: the same vectors up to rounding, in the same order.
    let s = setup();
    let model = s.model.to_str().unwrap();
    assert_eq!(ingest(&s, &["--embed", "--model", model]).code, 0);
    let whole = vectors(&s.index);
    let index = s.index.with_file_name("index-small-batches");
    let r = run(lectern()
        .env("LECTERN_EMBED_BATCH", "1")
        .env("LECTERN_EMBED_PARALLEL", "2")
        .arg("ingest")
        .arg(&s.corpus)
        .arg("--index")
        .arg(&index)
        .args(["--embed", "--model", model]));
    assert_eq!(r.code, 0, "{r:?}");
    let small = vectors(&index);
    assert_eq!(small.len(), whole.len());
    let positions = whole.positions();
    for i in 0..small.len() {
        let a = small.vector(i);
        let b = whole.vector(positions[small.id(i)]);
        let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        assert!(cosine > 0.999, "{}: cosine {cosine}", small.id(i));
    }
    // Every window of the long section (LECTERN_EMBED_WINDOWS=0) instead of the
    // first (the default): its vector changes, those of short passages do not.
    let all = s.index.with_file_name("index-all-windows");
    let r = run(lectern()
        .env("LECTERN_EMBED_WINDOWS", "0")
        .arg("ingest")
        .arg(&s.corpus)
        .arg("--index")
        .arg(&all)
        .args(["--embed", "--model", model]));
    assert_eq!(r.code, 0, "{r:?}");
    let all = vectors(&all);
    let cosine = |id: &str| -> f32 {
        let a = all.vector(all.positions()[id]);
        let b = whole.vector(positions[id]);
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    };
    assert!(cosine("gout.md#outlook") > 0.999);
    // The weights are random on every run: the mean of the windows can lie close
    // to the first one; what must hold is that it is another vector.
    let long = cosine("stones.md#introduction");
    assert!(long < 0.99999, "cosine {long}");
}

#[test]
fn near_duplicate_aliases_get_no_vectors_and_help_lists_fusion() {
    let s = setup();
    // An exact copy becomes an alias of gout.md: it has no passages, so it must
    // have no vectors either (they would take dense ranks no hit can show).
    fs::write(s.corpus.join("gout-copy.md"), GOUT).unwrap();
    let model = s.model.to_str().unwrap();
    let r = ingest(&s, &["--embed", "--model", model]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("1 near-duplicate"), "{}", r.stderr);
    let v = vectors(&s.index);
    let gout: Vec<&str> = v.ids().filter(|id| id.starts_with("gout")).collect();
    assert!(!gout.is_empty());
    let paths: std::collections::BTreeSet<&str> = gout
        .iter()
        .map(|id| id.split('#').next().unwrap())
        .collect();
    assert_eq!(paths.len(), 1, "one copy's vectors: {gout:?}");
    // `query --help` lists the fusion settings beside the ranking parameters.
    let r = run(lectern().args(["query", "--help"]));
    for (name, default, _) in lectern::semantic::Fusion::describe() {
        let listed = r.stdout.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.next() == Some(name) && words.next() == Some(default.as_str())
        });
        assert!(listed, "--help lacks {name} (default {default})");
    }
}

#[test]
fn cosine_fusion_scores_every_candidate_by_its_cosine() {
    let s = setup();
    let model = s.model.to_str().unwrap();
    assert_eq!(ingest(&s, &["--embed", "--model", model]).code, 0);
    let ids = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "-n", "7"];
        args.extend_from_slice(extra);
        args.push("uric acid");
        let r = query(&s, &args);
        assert_eq!(r.code, 0, "{r:?}");
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        (hit_ids(&v), v)
    };
    // All of the dense side: every candidate in the order of its cosine, which
    // is the dense ranking itself.
    let (only, _) = ids(&["--semantic", "only"]);
    let (all_dense, _) = ids(&["--param", "mix=1"]);
    assert_eq!(all_dense, only);
    // None of it: lectern's best passage first.
    let (off, _) = ids(&["--semantic", "off"]);
    let (no_dense, _) = ids(&["--param", "mix=0"]);
    assert_eq!(no_dense[0], off[0]);
    // --explain shows the cosine and the candidates' range it is placed in.
    let (_, fused) = ids(&["--explain"]);
    let explain = fused["hits"][0]["explain"].to_string();
    assert!(explain.contains("the candidates' cosines"), "{explain}");
    // Snippets come from lectern's reading of the query, dense-only hits too.
    for hit in fused["hits"].as_array().unwrap() {
        assert!(hit["snippet"].is_string(), "{hit}");
        let lexical = off.contains(&hit["id"].as_str().unwrap().to_string());
        let highlighted = !hit["highlights"].as_array().unwrap().is_empty();
        assert_eq!(lexical, highlighted, "{hit}");
    }
}
