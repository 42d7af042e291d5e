//! The `lectern` command: parses arguments, calls the library, prints, and maps
//! outcomes to exit codes (0 = success / something matched, 1 = nothing matched or
//! some files skipped, 2 = error).

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rayon::prelude::*;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

use lectern::ingest::{self, Event, IngestOptions, IngestReport};
use lectern::output::{self, Format, Style};
use lectern::search::{Engine, RankParams, Results, SearchOptions};
use lectern::store::{self, StoreError};
use lectern::{batch, eval, schema};

// Messages on stderr never panic: with stderr closed (`lectern ingest 2>&1 | head -2`)
// a message is lost, not the ingest. These shadow the standard macros in this file.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr(), $($arg)*);
    }};
}
macro_rules! eprint {
    ($($arg:tt)*) => {{
        let _ = write!(io::stderr(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "lectern",
    version,
    about = "Full-text passage search over a folder of articles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index a folder of articles (.html/.htm, .md/.markdown, .txt) as passages.
    Ingest(IngestArgs),
    /// Search the index; one query from the arguments or many with --batch.
    Query(QueryArgs),
    /// Score a run (or the index on a query file) against TREC qrels.
    Eval(EvalArgs),
    /// Show what the index holds.
    Stats(StatsArgs),
    /// Print one passage in full.
    Show(ShowArgs),
}

#[derive(clap::Args)]
struct IngestArgs {
    /// Folder of articles.
    #[arg(default_value = "corpus")]
    corpus: PathBuf,
    /// Index folder.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Re-index every file, ignoring what the last ingest recorded.
    #[arg(long)]
    rebuild: bool,
    /// Synonyms file: one group of equivalent terms per line, comma-separated.
    #[arg(long, value_name = "FILE")]
    synonyms: Option<PathBuf>,
    /// Skip files larger than this many MB.
    #[arg(long, default_value_t = ingest::DEFAULT_MAX_FILE_BYTES >> 20, value_name = "MB")]
    max_file_size: u64,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    embed: EmbedArgs,
}

/// `ingest --embed` (feature `semantic`).
#[cfg(feature = "semantic")]
#[derive(clap::Args)]
struct EmbedArgs {
    /// Give every passage a vector from a local embedding model (see --model).
    #[arg(long)]
    embed: bool,
    /// Embedding model folder (sentence-transformers BERT: config.json,
    /// tokenizer.json, model.safetensors); default: the one the index's vectors record.
    #[arg(long, value_name = "DIR", requires = "embed")]
    model: Option<PathBuf>,
}

/// How queries use an index's vectors (feature `semantic`).
#[cfg(feature = "semantic")]
#[derive(clap::Args)]
struct SemanticArgs {
    /// With an index that has vectors: fuse them with lectern's ranking (default),
    /// use them alone, or ignore them.
    #[arg(long, value_enum, value_name = "MODE")]
    semantic: Option<lectern::semantic::Mode>,
    /// Embedding model folder (default: the one the index's vectors record).
    #[arg(long = "model", value_name = "DIR")]
    model: Option<PathBuf>,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The query (words, "phrases", +must, -not, field:term).
    query: Vec<String>,
    /// Index folder.
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Corpus to build the index from when it does not exist yet.
    #[arg(long, default_value = "corpus")]
    corpus: PathBuf,
    /// Hits per query.
    #[arg(short = 'n', long, default_value_t = 10)]
    limit: usize,
    /// Output format (default: human for one query, jsonl for --batch).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Read queries from FILE (`-` for stdin), one per line, `ID<TAB>QUERY` or `QUERY`.
    #[arg(long, value_name = "FILE")]
    batch: Option<PathBuf>,
    /// Threads for --batch (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Run tag of TREC output.
    #[arg(long, default_value = "lectern")]
    run_tag: String,
    /// Skip snippets (faster).
    #[arg(long)]
    no_snippets: bool,
    /// Show which fields and terms contributed to each hit's score.
    #[arg(long)]
    explain: bool,
    /// Override a ranking weight, NAME=VALUE (title, heading, body, expansion, fuzzy).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    semantic: SemanticArgs,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// TREC qrels file (`QID 0 PASSAGE_ID GRADE`).
    #[arg(long)]
    qrels: PathBuf,
    /// Score passages, or articles (an article ranks at its best passage; for
    /// document-level qrels such as BEIR's).
    #[arg(long, value_enum, default_value_t = eval::Level::Passage)]
    level: eval::Level,
    /// TREC run file to score.
    #[arg(long, conflicts_with = "queries", required_unless_present = "queries")]
    run: Option<PathBuf>,
    /// Queries file (`ID<TAB>QUERY`) to run against the index, then score.
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Index folder (with --queries).
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Hits retrieved per query (with --queries).
    #[arg(short = 'n', long, default_value_t = 100)]
    limit: usize,
    /// Output: table or json.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
    /// Also print each query's figures.
    #[arg(long)]
    per_query: bool,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Override a ranking weight, NAME=VALUE.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    semantic: SemanticArgs,
}

#[derive(clap::Args)]
struct StatsArgs {
    #[arg(long, default_value = "index")]
    index: PathBuf,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

#[derive(clap::Args)]
struct ShowArgs {
    /// Passage id, `relative/path#anchor`.
    id: String,
    #[arg(long, default_value = "index")]
    index: PathBuf,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TableOrJson {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Ingest(args) => run_ingest(&args),
        Command::Query(args) => run_query(&args),
        Command::Eval(args) => run_eval(&args),
        Command::Stats(args) => run_stats(&args),
        Command::Show(args) => run_show(&args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<Interrupted>().is_some() => {
            eprintln!("lectern: {e:#}");
            let signal = e.downcast_ref::<Interrupted>().map_or(2, |i| i.0);
            ExitCode::from(128 + signal as u8)
        }
        Err(e) => {
            eprintln!("lectern: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn use_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

// ---------------------------------------------------------------- ingest

fn run_ingest(args: &IngestArgs) -> Result<u8> {
    let options = IngestOptions {
        corpus: &args.corpus,
        index_dir: &args.index,
        rebuild: args.rebuild,
        synonyms: args.synonyms.as_deref(),
        max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
        threads: args.threads,
        wait: false,
        cancel: None,
        #[cfg(feature = "semantic")]
        embed: match &args.embed {
            EmbedArgs { embed: true, model } => ingest::Embed::With(model.as_deref()),
            _ => ingest::Embed::Keep,
        },
        #[cfg(not(feature = "semantic"))]
        embed: ingest::Embed::Keep,
    };
    let report = ingest_with_messages(&options)?;
    Ok(if report.failed > 0 { 1 } else { 0 })
}

/// Runs ingest, printing warnings, progress (on a terminal) and the summary on stderr.
fn ingest_with_messages(options: &IngestOptions) -> Result<IngestReport> {
    let progress = io::stderr().is_terminal();
    let mut last_draw = Instant::now();
    let mut embedding_since: Option<Instant> = None;
    let mut on_event = |event: Event| match event {
        Event::Progress { done, total } => {
            if progress && (last_draw.elapsed().as_millis() > 100 || done == total) {
                eprint!("\r\x1b[2Kingesting: {done}/{total} files");
                last_draw = Instant::now();
            }
        }
        Event::Embedding { done, total } => {
            let since = *embedding_since.get_or_insert_with(Instant::now);
            if progress && (last_draw.elapsed().as_millis() > 250 || done == total) {
                let seconds = since.elapsed().as_secs_f64();
                let eta = seconds / done.max(1) as f64 * (total - done) as f64;
                eprint!(
                    "\r\x1b[2Kembedding: {done}/{total} windows, {:.0}/s, {:.0} s left",
                    done as f64 / seconds.max(1e-3),
                    eta
                );
                last_draw = Instant::now();
            }
        }
        Event::Warning { path, message } => {
            clear_line(progress);
            eprintln!("lectern: warning: {path}: {message}");
        }
        Event::Skipped { path, message } => {
            clear_line(progress);
            eprintln!("lectern: skipped {path}: {message}");
        }
        Event::Notice(message) => {
            clear_line(progress);
            eprintln!("lectern: {message}");
        }
    };
    // SIGINT or SIGTERM stops the ingest cleanly (its work is rolled back, the index
    // keeps its last commit); a second one ends the process at once.
    let signal = Arc::new(AtomicUsize::new(0));
    let stopping = Arc::new(AtomicBool::new(false));
    let mut handlers = Vec::new();
    for sig in [SIGINT, SIGTERM] {
        handlers.push(flag::register_conditional_shutdown(
            sig,
            128 + sig,
            Arc::clone(&stopping),
        )?);
        handlers.push(flag::register(sig, Arc::clone(&stopping))?);
        handlers.push(flag::register_usize(
            sig,
            Arc::clone(&signal),
            sig as usize,
        )?);
    }
    let cancel = || stopping.load(Ordering::Relaxed);
    let options = IngestOptions {
        cancel: Some(&cancel),
        ..*options
    };
    let result = ingest::ingest(&options, &mut on_event);
    for handler in handlers {
        signal_hook::low_level::unregister(handler);
    }
    let report = match result {
        Err(ingest::IngestError::Cancelled) => {
            clear_line(progress);
            return Err(Interrupted(signal.load(Ordering::Relaxed) as i32).into());
        }
        other => other?,
    };
    clear_line(progress);
    let r = &report;
    eprintln!(
        "lectern: {} articles, {} passages in {}; {} added, {} updated, {} removed, {} unchanged; {} skipped (unsupported), {} failed; {:.1} MB read in {:.2} s",
        r.articles,
        r.passages,
        options.index_dir.display(),
        r.added,
        r.updated,
        r.removed,
        r.unchanged,
        r.unsupported,
        r.failed,
        r.bytes_read as f64 / 1e6,
        r.seconds
    );
    Ok(report)
}

/// An ingest stopped by a signal: the exit status is 128 + its number.
#[derive(Debug)]
struct Interrupted(i32);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let name = match self.0 {
            SIGINT => "SIGINT",
            SIGTERM => "SIGTERM",
            _ => "a signal",
        };
        write!(f, "interrupted by {name}; the index keeps its last commit")
    }
}

impl std::error::Error for Interrupted {}

fn clear_line(progress: bool) {
    if progress {
        eprint!("\r\x1b[2K");
    }
}

// ---------------------------------------------------------------- query

fn rank_params(assignments: &[String]) -> Result<RankParams> {
    let mut params = RankParams::default();
    for a in assignments {
        // The fusion's own settings are read by `searcher`.
        #[cfg(feature = "semantic")]
        if lectern::semantic::Fusion::default()
            .set(a)
            .map_err(anyhow::Error::msg)?
        {
            continue;
        }
        params.set(a).map_err(anyhow::Error::msg)?;
    }
    Ok(params)
}

/// lectern's engine, with the dense side when the index has vectors (feature
/// `semantic`).
struct Searcher {
    engine: Engine,
    #[cfg(feature = "semantic")]
    dense: Option<(lectern::semantic::Dense, lectern::semantic::Mode)>,
}

impl Searcher {
    fn search(&self, text: &str, options: &SearchOptions) -> Result<Results> {
        #[cfg(feature = "semantic")]
        if let Some((dense, mode)) = &self.dense {
            return Ok(dense.search(&self.engine, text, options, *mode)?);
        }
        Ok(self.engine.search(text, options)?)
    }
}

#[cfg(not(feature = "semantic"))]
fn searcher(engine: Engine) -> Result<Searcher> {
    Ok(Searcher { engine })
}

/// Loads the index's vectors and their model unless `--semantic off`; without
/// vectors, `--semantic fuse|only` is an error and no option means lectern alone.
#[cfg(feature = "semantic")]
fn searcher(engine: Engine, args: &SemanticArgs, params: &[String]) -> Result<Searcher> {
    use lectern::semantic::{Dense, Fusion, Mode};
    let mut fusion = Fusion::default();
    for a in params {
        fusion.set(a).map_err(anyhow::Error::msg)?;
    }
    let mode = args.semantic.unwrap_or_default();
    if mode == Mode::Off {
        return Ok(Searcher {
            engine,
            dense: None,
        });
    }
    let Some((name, bytes)) = engine.store.vectors_bytes()? else {
        if args.semantic.is_some() {
            bail!(
                "the index at {} has no passage vectors: run `lectern ingest --embed --model DIR` first",
                engine.store.dir.display()
            );
        }
        return Ok(Searcher {
            engine,
            dense: None,
        });
    };
    let dense = Dense::open(&bytes, &name, args.model.as_deref(), fusion)?;
    Ok(Searcher {
        engine,
        dense: Some((dense, mode)),
    })
}

/// Opens the index; if there is none yet and the corpus folder exists, builds it.
fn open_or_build(index: &Path, corpus: &Path, params: RankParams) -> Result<Engine> {
    match Engine::open(index, params.clone()) {
        Err(StoreError::Missing(_)) if corpus.is_dir() => {
            eprintln!(
                "lectern: no index at {}; building it from {} first",
                index.display(),
                corpus.display()
            );
            ingest_with_messages(&IngestOptions {
                corpus,
                index_dir: index,
                rebuild: false,
                synonyms: None,
                max_file_bytes: ingest::DEFAULT_MAX_FILE_BYTES,
                threads: 0,
                // Another query may be building it too: wait for it, then use it.
                wait: true,
                cancel: None,
                embed: ingest::Embed::Keep,
            })?;
            Ok(Engine::open(index, params)?)
        }
        other => Ok(other?),
    }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?)
}

fn run_query(args: &QueryArgs) -> Result<u8> {
    let engine = open_or_build(&args.index, &args.corpus, rank_params(&args.params)?)?;
    #[cfg(feature = "semantic")]
    let engine = searcher(engine, &args.semantic, &args.params)?;
    #[cfg(not(feature = "semantic"))]
    let engine = searcher(engine)?;
    let options = SearchOptions {
        limit: args.limit,
        snippets: !args.no_snippets,
        explain: args.explain,
        ..SearchOptions::default()
    };
    let style = Style {
        color: use_color(),
        run_tag: args.run_tag.clone(),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());

    let Some(batch_path) = &args.batch else {
        let text = args.query.join(" ");
        if text.trim().is_empty() {
            bail!("no query given: try `lectern query CEA` or `lectern query --batch FILE`");
        }
        let results = engine.search(&text, &options)?;
        if !matches!(args.format, Some(Format::Json | Format::Jsonl)) {
            for note in &results.notes {
                eprintln!("lectern: {note}");
            }
        }
        output::render(
            args.format.unwrap_or(Format::Human),
            &mut out,
            None,
            &results,
            &style,
        )?;
        out.flush()?;
        return Ok(if results.hits.is_empty() { 1 } else { 0 });
    };

    if !args.query.is_empty() {
        bail!("give either a query or --batch, not both");
    }
    let input = read_input(batch_path)?;
    let (queries, problems) = batch::parse(&input);
    for (line, problem) in &problems {
        eprintln!("lectern: {}:{line}: {problem}", batch_path.display());
    }
    let format = args.format.unwrap_or(Format::Jsonl);
    let progress = io::stderr().is_terminal();
    let started = Instant::now();
    let mut failed = problems.len();
    let pool = pool(args.threads)?;
    for chunk in queries.chunks(256) {
        let results: Vec<Result<Results>> = pool.install(|| {
            chunk
                .par_iter()
                .map(|q| engine.search(&q.text, &options))
                .collect()
        });
        for (query, result) in chunk.iter().zip(results) {
            match result {
                Ok(results) => output::render(format, &mut out, Some(&query.id), &results, &style)?,
                Err(e) => {
                    failed += 1;
                    eprintln!(
                        "lectern: {}:{}: query {}: {e}",
                        batch_path.display(),
                        query.line,
                        query.id
                    );
                }
            }
        }
        if progress {
            let done = (chunk.as_ptr() as usize - queries.as_ptr() as usize)
                / std::mem::size_of::<batch::BatchQuery>()
                + chunk.len();
            eprint!(
                "\r\x1b[2K{done}/{} queries, {:.0} queries/s",
                queries.len(),
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    clear_line(progress);
    out.flush()?;
    Ok(if failed > 0 { 2 } else { 0 })
}

fn read_input(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

// ---------------------------------------------------------------- eval

fn run_eval(args: &EvalArgs) -> Result<u8> {
    let qrels_text = read_input(&args.qrels)?;
    let qrels = eval::parse_qrels(&qrels_text).map_err(anyhow::Error::msg)?;
    let run = if let Some(run_path) = &args.run {
        eval::parse_run(&read_input(run_path)?).map_err(anyhow::Error::msg)?
    } else {
        let queries_path = args
            .queries
            .as_ref()
            .expect("clap requires --run or --queries");
        let engine = Engine::open(&args.index, rank_params(&args.params)?)?;
        #[cfg(feature = "semantic")]
        let engine = searcher(engine, &args.semantic, &args.params)?;
        #[cfg(not(feature = "semantic"))]
        let engine = searcher(engine)?;
        let (queries, problems) = batch::parse(&read_input(queries_path)?);
        for (line, problem) in &problems {
            eprintln!("lectern: {}:{line}: {problem}", queries_path.display());
        }
        let options = SearchOptions {
            limit: args.limit,
            snippets: false,
            ..SearchOptions::default()
        };
        let ranked: Vec<(String, Vec<String>)> = pool(args.threads)?.install(|| {
            queries
                .par_iter()
                .map(|q| {
                    let ids = engine
                        .search(&q.text, &options)
                        .map(|r| r.hits.into_iter().map(|h| h.id).collect())
                        .unwrap_or_default();
                    (q.id.clone(), ids)
                })
                .collect()
        });
        ranked.into_iter().collect()
    };
    let evaluation = eval::evaluate_at(&run, &qrels, args.level, args.per_query);
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        TableOrJson::Json => {
            serde_json::to_writer_pretty(&mut out, &evaluation)?;
            writeln!(out)?;
        }
        TableOrJson::Table => {
            if args.per_query {
                writeln!(out, "qid\tMRR@10\tnDCG@10\tR@100\tP@1")?;
                for q in &evaluation.per_query {
                    let m = &q.metrics;
                    writeln!(
                        out,
                        "{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
                        q.qid, m.mrr_at_10, m.ndcg_at_10, m.recall_at_100, m.p_at_1
                    )?;
                }
                writeln!(out)?;
            }
            let m = &evaluation.mean;
            writeln!(out, "queries     {}", evaluation.queries)?;
            writeln!(out, "MRR@10      {:.4}", m.mrr_at_10)?;
            writeln!(out, "nDCG@10     {:.4}", m.ndcg_at_10)?;
            writeln!(out, "Recall@100  {:.4}", m.recall_at_100)?;
            writeln!(out, "P@1         {:.4}", m.p_at_1)?;
        }
    }
    out.flush()?;
    if evaluation.without_relevant > 0 || evaluation.not_judged > 0 {
        eprintln!(
            "lectern: excluded {} judged queries without relevant passages; ignored {} run queries without judgements",
            evaluation.without_relevant, evaluation.not_judged
        );
    }
    Ok(0)
}

// ---------------------------------------------------------------- stats, show

fn run_stats(args: &StatsArgs) -> Result<u8> {
    // Payload, segments and lexicon of one commit.
    let snapshot = store::snapshot(&args.index)?;
    let store = &snapshot.store;
    let payload = store.payload.clone().expect("a snapshot has a payload");
    let searcher = snapshot.reader.searcher();
    let fields = schema::Fields::from_schema(&store.index.schema())?;
    let mut terms = 0u64;
    for segment in searcher.segment_readers() {
        for field in fields.text_fields() {
            terms += segment.inverted_index(field)?.terms().num_terms() as u64;
        }
    }
    let size = store.disk_bytes();
    let stats = serde_json::json!({
        "index": args.index.display().to_string(),
        "corpus": payload.corpus,
        "articles": payload.articles,
        "passages": searcher.num_docs(),
        "terms": terms,
        "segments": searcher.segment_readers().len(),
        "lexicon_groups": lectern::lexicon::Lexicon::parse(&snapshot.lexicon_text).len(),
        "index_bytes": size,
        "ingested_at": payload.ingested_at,
        "lectern_version": env!("CARGO_PKG_VERSION"),
        "built_by": payload.lectern_version,
    });
    let mut out = io::stdout().lock();
    match args.format {
        TableOrJson::Json => writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)?,
        TableOrJson::Table => {
            for (key, value) in stats.as_object().expect("an object") {
                let value = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                writeln!(out, "{key:<16}{value}")?;
            }
        }
    }
    Ok(0)
}

fn run_show(args: &ShowArgs) -> Result<u8> {
    let engine = Engine::open(&args.index, RankParams::default())?;
    let Some(hit) = engine.passage(&args.id)? else {
        eprintln!(
            "lectern: no passage with id {:?} in {}",
            args.id,
            args.index.display()
        );
        return Ok(1);
    };
    let mut out = io::stdout().lock();
    match args.format {
        TableOrJson::Json => {
            let v = serde_json::json!({
                "id": hit.id, "path": hit.path, "title": hit.title, "heading": hit.heading,
                "lines": [hit.lines.0, hit.lines.1], "text": hit.text,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        TableOrJson::Table => {
            writeln!(out, "{}", hit.title)?;
            if !hit.heading.is_empty() {
                writeln!(out, "{}", hit.heading)?;
            }
            writeln!(out, "{} (lines {}-{})\n", hit.id, hit.lines.0, hit.lines.1)?;
            writeln!(out, "{}", hit.text)?;
        }
    }
    Ok(0)
}
