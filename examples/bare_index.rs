//! "Bare tantivy" floor for ingest benchmarks: indexes ready-made passages with
//! lectern's schema, analyzer and memory per writer thread, a writer thread per
//! core (up to four), and nothing else (no walking, reading, parsing or
//! extraction of source files).
//!
//! ```sh
//! cargo run --release --example bare_index -- passages.jsonl /tmp/idx
//! # e.g. cargo run --release --example bare_index -- \
//! #     /work/shared/eval/medquad-dev/passages.jsonl /tmp/bare-idx
//! ```
//!
//! PASSAGES is a JSON Lines file of passages: the output of `lectern export` (the
//! passages lectern extracted, as the benchmark uses it), or `{"id", "title",
//! "section", "text"}` objects (`id` is `relative/path#anchor`). INDEX_DIR must not
//! exist or be empty. The file is read and parsed, and the passages grouped back
//! into articles, first; then the index is created, every article's documents
//! built by lectern's own [`lectern::ingest::documents`] (the same fields,
//! analyzers and values as `lectern ingest`) and added, and one commit made,
//! waiting for merges like `lectern ingest` does. It prints the wall seconds of
//! that second part only, as `bare_index_seconds <s>` on stdout; a benchmark
//! reports `lectern ingest` time as a ratio to it. What lectern does beyond it is
//! everything else: walking, reading, extraction, boilerplate and near-duplicate
//! detection, the manifest and lexicon. (`lectern export` writes a passage's first
//! id only, so the few alias ids of a passage are not indexed here.)
//!
//! Two query references for the same index (made by this program or by lectern):
//!
//! ```sh
//! bare_index query INDEX_DIR N QUERY...       # one fresh-process query
//! bare_index batch INDEX_DIR N THREADS FILE   # `ID<TAB>QUERY` lines, in parallel
//! ```
//!
//! Both open the index with plain tantivy (lectern's analyzer registered, nothing
//! else read), parse each query with tantivy's `QueryParser` over title, heading
//! and body (lenient, OR), take the top N by BM25 and print one TREC line per hit
//! with the stored id: what a script gets from `lectern query --format trec
//! --no-snippets`, without lectern's query building, second stage or side files.
//! `batch` prints `bare_batch_seconds <s>` (search and output only) on stderr.

use std::collections::HashMap;
use std::time::Instant;

use lectern::extract::{Article, Section};
use lectern::ingest::{WRITER_BYTES_PER_THREAD, documents};
use lectern::schema::{self, Fields};
use serde::Deserialize;
use tantivy::TantivyDocument;
use tantivy::schema::Field;

/// One line of PASSAGES: `lectern export` names (`heading`, `body`) or the older
/// ones (`section`, `text`).
#[derive(Deserialize)]
struct Passage {
    id: String,
    title: String,
    #[serde(default, alias = "heading")]
    section: String,
    #[serde(alias = "body")]
    text: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    ordinal: u64,
    #[serde(default)]
    line_start: u32,
    #[serde(default)]
    line_end: u32,
}

/// The passages grouped back into articles (by path, in first-seen order, sections
/// in ordinal order).
fn articles(passages: Vec<Passage>) -> Vec<(String, Article)> {
    let mut order: Vec<(String, Article)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut ordinals: Vec<Vec<u64>> = Vec::new();
    for p in passages {
        let (path, anchor) = p.id.split_once('#').unwrap_or((&p.id, ""));
        let i = *at.entry(path.to_string()).or_insert_with(|| {
            order.push((
                path.to_string(),
                Article {
                    title: p.title.clone(),
                    lang: p.lang.clone().unwrap_or_else(|| "und".into()),
                    sections: Vec::new(),
                },
            ));
            ordinals.push(Vec::new());
            order.len() - 1
        });
        let heading = if p.section.is_empty() {
            Vec::new()
        } else {
            p.section
                .split(schema::HEADING_SEPARATOR)
                .map(String::from)
                .collect()
        };
        order[i].1.sections.push(Section {
            anchor: anchor.to_string(),
            heading,
            text: p.text,
            lines: (p.line_start, p.line_end),
            aliases: Vec::new(),
            line_keys: Vec::new(),
            listing: Default::default(),
        });
        ordinals[i].push(p.ordinal);
    }
    for ((_, article), ordinals) in order.iter_mut().zip(ordinals) {
        let mut sections: Vec<(u64, Section)> = ordinals
            .into_iter()
            .zip(article.sections.drain(..))
            .collect();
        sections.sort_by_key(|(o, _)| *o);
        article.sections = sections.into_iter().map(|(_, s)| s).collect();
    }
    order
}

/// User plus system CPU seconds of this process so far (all threads); 0 where unknown.
fn cpu_seconds() -> f64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return secs(usage.ru_utime) + secs(usage.ru_stime);
        }
    }
    0.0
}

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Opens `dir` (a lectern index folder with generations, or a plain tantivy folder).
fn open(dir: &str) -> Res<tantivy::Index> {
    let dir = std::path::Path::new(dir);
    let data = match std::fs::read_to_string(dir.join("lectern-index.json")) {
        Ok(text) => {
            let pointer: serde_json::Value = serde_json::from_str(&text)?;
            let generation = pointer["current"].as_str().ok_or("no current generation")?;
            dir.join(generation)
        }
        Err(_) => dir.to_path_buf(),
    };
    let index = tantivy::Index::open_in_dir(data)?;
    schema::register_analyzer(&index);
    Ok(index)
}

/// Top `n` of `text` as TREC lines appended to `out`.
fn answer(
    searcher: &tantivy::Searcher,
    parser: &tantivy::query::QueryParser,
    id: tantivy::schema::Field,
    qid: &str,
    text: &str,
    n: usize,
    out: &mut String,
) -> Res<()> {
    use std::fmt::Write;
    use tantivy::collector::TopDocs;
    use tantivy::schema::Value;
    let (query, _) = parser.parse_query_lenient(text);
    let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
    for (rank, (score, address)) in top.into_iter().enumerate() {
        let doc: TantivyDocument = searcher.doc(address)?;
        let pid = doc.get_first(id).and_then(|v| v.as_str()).unwrap_or("");
        writeln!(out, "{qid} Q0 {pid} {} {score:.4} bare", rank + 1)?;
    }
    Ok(())
}

fn queries(index: &tantivy::Index) -> Res<(tantivy::Searcher, tantivy::query::QueryParser, Field)> {
    let fields = Fields::from_schema(&index.schema())?;
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = tantivy::IndexReader::searcher(&reader);
    let parser = tantivy::query::QueryParser::for_index(
        index,
        vec![fields.title, fields.heading, fields.body],
    );
    Ok((searcher, parser, fields.id))
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("query") if args.len() >= 4 => {
            let index = open(&args[1])?;
            let n: usize = args[2].parse()?;
            let (searcher, parser, id) = queries(&index)?;
            let mut out = String::new();
            answer(
                &searcher,
                &parser,
                id,
                "q",
                &args[3..].join(" "),
                n,
                &mut out,
            )?;
            print!("{out}");
            return Ok(());
        }
        Some("batch") if args.len() == 5 => {
            use rayon::prelude::*;
            use std::io::Write;
            let index = open(&args[1])?;
            let n: usize = args[2].parse()?;
            let threads: usize = args[3].parse()?;
            let text = std::fs::read_to_string(&args[4])?;
            let lines: Vec<(&str, &str)> = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.split_once('\t').unwrap_or(("q", l)))
                .collect();
            let started = Instant::now();
            let (searcher, parser, id) = queries(&index)?;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            let stdout = std::io::stdout();
            let mut stdout = std::io::BufWriter::new(stdout.lock());
            for chunk in lines.chunks(256) {
                let outs: Vec<String> = pool.install(|| {
                    chunk
                        .par_iter()
                        .map(|(qid, q)| {
                            let mut out = String::new();
                            answer(&searcher, &parser, id, qid, q, n, &mut out)
                                .map_err(|e| e.to_string())?;
                            Ok::<_, String>(out)
                        })
                        .collect::<std::result::Result<_, _>>()
                })?;
                for out in outs {
                    stdout.write_all(out.as_bytes())?;
                }
            }
            stdout.flush()?;
            eprintln!("bare_batch_seconds {:.3}", started.elapsed().as_secs_f64());
            return Ok(());
        }
        _ => {}
    }
    let [passages, index_dir] = args.as_slice() else {
        eprintln!(
            "usage: bare_index PASSAGES.jsonl INDEX_DIR\n       bare_index query INDEX_DIR N QUERY...\n       bare_index batch INDEX_DIR N THREADS FILE"
        );
        std::process::exit(2);
    };

    let text = std::fs::read_to_string(passages)?;
    let passages: Vec<Passage> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    drop(text);
    let count = passages.len();
    let articles = articles(passages);

    let started = Instant::now();
    let cpu_started = cpu_seconds();
    std::fs::create_dir_all(index_dir)?;
    let index = lectern::store::create_index(std::path::Path::new(index_dir))?;
    let fields = Fields::from_schema(&index.schema())?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Every core indexes: this program has nothing else to do (lectern's ingest
    // gives the writer half of them, the other half extracting beside it).
    let threads = cores.clamp(1, 4);
    let mut writer = index.writer_with_num_threads(threads, threads * WRITER_BYTES_PER_THREAD)?;
    for (rel, article) in &articles {
        for doc in documents(&fields, rel, article) {
            writer.add_document(doc)?;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "bare_index: {count} passages of {} articles, {threads} writer threads, into {index_dir}",
        articles.len()
    );
    // CPU time of the same part (every thread), for comparisons on a loaded machine.
    eprintln!("bare_index_cpu_seconds {:.3}", cpu_seconds() - cpu_started);
    println!("bare_index_seconds {seconds:.3}");
    Ok(())
}
