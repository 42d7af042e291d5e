//! Arbitrary UTF-8 as a query against a small index built once: searching must not
//! panic (errors are fine).
#![no_main]

use std::sync::OnceLock;

use lectern::ingest::{DEFAULT_MAX_FILE_BYTES, IngestOptions, ingest};
use lectern::search::{Engine, RankParams, SearchOptions};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).expect("corpus dir");
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus");
        for entry in std::fs::read_dir(sample).expect("sample corpus").flatten() {
            std::fs::copy(entry.path(), corpus.join(entry.file_name())).expect("copy");
        }
        std::fs::write(
            corpus.join("gout.html"),
            "<h1>Gout</h1><h2 id=\"t\">Treatment</h2><p>Colchicine lowers uric acid (UA).</p>",
        )
        .expect("write");
        std::fs::write(
            corpus.join("asthma.md"),
            "# Asthma\n\n## Symptoms\n\nWheezing, coughing and \"tight\" chest.\n",
        )
        .expect("write");
        let index = dir.path().join("index");
        let options = IngestOptions {
            corpus: &corpus,
            index_dir: &index,
            rebuild: false,
            synonyms: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            threads: 1,
            wait: false,
            cancel: None,
            embed: Default::default(),
        };
        ingest(&options, &mut |_| {}).expect("ingest");
        let engine = Engine::open(&index, RankParams::default()).expect("open");
        Fixture { _dir: dir, engine }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = fixture().engine.search(text, &SearchOptions::default());
});
