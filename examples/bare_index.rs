//! "Bare tantivy" floor for ingest benchmarks: indexes ready-made passages with
//! lectern's schema, analyzer and writer settings, and nothing else (no walking,
//! reading, parsing or extraction of source files).
//!
//! ```sh
//! cargo run --release --example bare_index -- passages.jsonl /tmp/idx
//! # e.g. cargo run --release --example bare_index -- \
//! #     /work/shared/eval/medquad-dev/passages.jsonl /tmp/bare-idx
//! ```
//!
//! PASSAGES is a JSON Lines file with one `{"id", "title", "section", "text"}` object
//! per line (`id` is `relative/path#anchor`, as lectern writes them). INDEX_DIR must
//! not exist or be empty. The file is read and parsed first; then the index is
//! created, every passage added (with the same fields lectern fills), and one
//! commit made, waiting for merges like `lectern ingest` does. It prints the wall
//! seconds of that second part only, as `bare_index_seconds <s>` on stdout; a
//! benchmark reports `lectern ingest` time as a ratio to it.

use std::collections::HashMap;
use std::time::Instant;

use lectern::ingest::{WRITER_BYTES_PER_THREAD, writer_threads};
use lectern::schema::{self, Fields};
use serde::Deserialize;
use tantivy::TantivyDocument;

#[derive(Deserialize)]
struct Passage {
    id: String,
    title: String,
    #[serde(default)]
    section: String,
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [passages, index_dir] = args.as_slice() else {
        eprintln!("usage: bare_index PASSAGES.jsonl INDEX_DIR");
        std::process::exit(2);
    };

    let text = std::fs::read_to_string(passages)?;
    let passages: Vec<Passage> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    drop(text);
    let articles = passages
        .iter()
        .map(|p| p.id.split('#').next().unwrap_or(""))
        .collect::<std::collections::HashSet<_>>()
        .len();

    let started = Instant::now();
    std::fs::create_dir_all(index_dir)?;
    let index = lectern::store::create_index(std::path::Path::new(index_dir))?;
    let fields = Fields::from_schema(&index.schema())?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = writer_threads(cores, articles);
    let mut writer = index.writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)?;
    let mut ordinals: HashMap<&str, u64> = HashMap::new();
    for passage in &passages {
        let path = passage.id.split('#').next().unwrap_or("");
        let ordinal = ordinals.entry(path).or_default();
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.id, &passage.id);
        doc.add_text(fields.path, path);
        doc.add_text(fields.title, &passage.title);
        doc.add_text(fields.heading, &passage.section);
        doc.add_text(fields.body, &passage.text);
        doc.add_u64(fields.ordinal, *ordinal);
        doc.add_u64(
            fields.heading_class,
            schema::heading_class(&passage.section),
        );
        doc.add_u64(fields.line_start, 0);
        doc.add_u64(fields.line_end, 0);
        writer.add_document(doc)?;
        *ordinal += 1;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "bare_index: {} passages of {articles} articles, {threads} writer threads, into {index_dir}",
        passages.len()
    );
    println!("bare_index_seconds {seconds:.3}");
    Ok(())
}
