//! The `lectern` command: parses arguments, calls the library, hands results to
//! the renderers of `lectern::output`, and maps outcomes to exit codes (0 = success /
//! something matched, 1 = nothing matched or some files skipped, 2 = error).

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// mimalloc: a query allocates many small short-lived values (terms, postings
/// readers, candidates' features) on several threads, an ingest far more (parse
/// trees, documents); glibc's allocator spent about a tenth of a keyword batch.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum, ValueHint};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

use lectern::export::{self, ExportFormat};
use lectern::extract::EXTRACTOR_VERSION;
use lectern::ingest::{self, Event, IngestOptions, IngestReport};
use lectern::output::{self, Format, Style, printable};
use lectern::schema::SCHEMA_VERSION;
use lectern::search::{Engine, RankParams, Results, SearchOptions};
use lectern::store::StoreError;
use lectern::{batch, eval, stats};

#[derive(Parser)]
#[command(
    name = "lectern",
    about = "Full-text passage search over a folder of articles",
    after_help = "Exit status: 0 success (query: something matched), 1 nothing matched \
                  (ingest: some files skipped), 2 error."
)]
struct Cli {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set;
    /// CLICOLOR_FORCE=1 forces colour), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
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
    /// Write every passage with all its fields as JSON lines (for Quickwit,
    /// Elasticsearch, OpenSearch; see docs/scale-out.md).
    Export(ExportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a folder.
    Man(ManArgs),
}

#[derive(clap::Args)]
struct IngestArgs {
    /// Folder of articles.
    #[arg(default_value = "corpus", value_hint = ValueHint::DirPath)]
    corpus: PathBuf,
    /// Index folder.
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// Re-index every file, ignoring what the last ingest recorded.
    #[arg(long)]
    rebuild: bool,
    /// Synonyms file: one group of equivalent terms per line, comma-separated.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    synonyms: Option<PathBuf>,
    /// Skip files larger than this many MB.
    #[arg(long, default_value_t = ingest::DEFAULT_MAX_FILE_BYTES >> 20, value_name = "MB")]
    max_file_size: u64,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0, value_parser = threads_arg)]
    threads: usize,
    /// Only files matching GLOB (ripgrep's -g: relative to the corpus, `!GLOB` excludes; repeatable; overrides ignore files).
    #[arg(short = 'g', long = "glob", value_name = "GLOB")]
    globs: Vec<String>,
    /// Skip files and folders matching GLOB (same as `--glob '!GLOB'`; repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    excludes: Vec<String>,
    /// Also read hidden files and folders (names starting with `.`; `.git` stays out).
    #[arg(long)]
    hidden: bool,
    /// Follow symbolic links that lead outside the corpus folder too (links inside it are always followed).
    #[arg(short = 'L', long)]
    follow: bool,
    /// Index near-duplicate articles (source copies, print pages, mirrors) too, instead of recording them as aliases of the best copy.
    #[arg(long)]
    keep_duplicates: bool,
    /// Name every file not read and why (links not followed, dangling links, duplicates).
    #[arg(short = 'v', long)]
    verbose: bool,
    /// Progress (files, MB, rate, elapsed, ETA) on stderr: auto = on a terminal.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    progress: ProgressArg,
    /// Print nothing but errors (no progress, warnings or summary).
    #[arg(short, long)]
    quiet: bool,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    embed: EmbedArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProgressArg {
    Never,
    Auto,
    Always,
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

/// The command line's names for [`lectern::semantic::Mode`] (the library does not
/// depend on clap).
#[cfg(feature = "semantic")]
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    /// lectern's ranking alone.
    Off,
    /// Fusion of lectern's ranking and the dense ranking (the default).
    Fuse,
    /// The dense ranking alone.
    Only,
}

#[cfg(feature = "semantic")]
impl From<ModeArg> for lectern::semantic::Mode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Off => Self::Off,
            ModeArg::Fuse => Self::Fuse,
            ModeArg::Only => Self::Only,
        }
    }
}

/// How queries use an index's vectors (feature `semantic`).
#[cfg(feature = "semantic")]
#[derive(clap::Args)]
struct SemanticArgs {
    /// With an index that has vectors: fuse them with lectern's ranking (default),
    /// use them alone, or ignore them.
    #[arg(long, value_enum, value_name = "MODE")]
    semantic: Option<ModeArg>,
    /// Embedding model folder (default: the one the index's vectors record).
    #[arg(long = "model", value_name = "DIR")]
    model: Option<PathBuf>,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The query (words, "phrases", +must, -not, field:term).
    query: Vec<String>,
    /// Index folder.
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// Corpus to build the index from when it does not exist yet.
    #[arg(long, default_value = "corpus", value_hint = ValueHint::DirPath)]
    corpus: PathBuf,
    /// Hits per query.
    #[arg(short = 'n', long, default_value_t = 10, value_parser = limit_arg)]
    limit: usize,
    /// Output format (default: human for one query, jsonl for --batch).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Read queries from FILE (`-` for stdin), one per line, `ID<TAB>QUERY` or `QUERY`.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    batch: Option<PathBuf>,
    /// Threads for --batch (0 = all cores).
    #[arg(long, default_value_t = 0, value_parser = threads_arg)]
    threads: usize,
    /// Run tag of TREC output (one word: no spaces or control characters).
    #[arg(long, default_value = "lectern", value_parser = run_tag_arg)]
    run_tag: String,
    /// Skip snippets (faster).
    #[arg(long)]
    no_snippets: bool,
    /// Only passages of articles in this language (`en`, `zh`…; see `lang` in JSON).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Show which fields and terms contributed to each hit's score.
    #[arg(long)]
    explain: bool,
    /// List passages whose text repeats a better-ranked one as hits of their own
    /// (by default they are folded into it, as `duplicates`).
    #[arg(long)]
    keep_duplicates: bool,
    /// Ranking: default, or bm25 (plain BM25 over title+heading+body as one field).
    #[arg(long, default_value = "default", value_name = "NAME")]
    ranking: String,
    /// Override a ranking parameter, NAME=VALUE (repeatable; all listed below).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    semantic: SemanticArgs,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// TREC qrels file (`QID 0 PASSAGE_ID GRADE`).
    #[arg(long, value_hint = ValueHint::FilePath)]
    qrels: PathBuf,
    /// Score passages, or articles (an article ranks at its best passage; for
    /// document-level qrels such as BEIR's).
    #[arg(long, value_enum, default_value_t = LevelArg::Passage)]
    level: LevelArg,
    /// TREC run file to score.
    #[arg(
        long,
        conflicts_with = "queries",
        required_unless_present = "queries",
        value_hint = ValueHint::FilePath
    )]
    run: Option<PathBuf>,
    /// Queries file (`ID<TAB>QUERY`) to run against the index, then score.
    #[arg(long, value_hint = ValueHint::FilePath)]
    queries: Option<PathBuf>,
    /// Index folder (with --queries).
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// Hits retrieved per query (with --queries).
    #[arg(short = 'n', long, default_value_t = 100, value_parser = limit_arg)]
    limit: usize,
    /// Output: table or json.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
    /// Also print each query's figures.
    #[arg(long)]
    per_query: bool,
    /// Threads (0 = all cores).
    #[arg(long, default_value_t = 0, value_parser = threads_arg)]
    threads: usize,
    /// Ranking: default, or bm25 (see `lectern query --help`).
    #[arg(long, default_value = "default", value_name = "NAME")]
    ranking: String,
    /// Override a ranking parameter, NAME=VALUE (see `lectern query --help`).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    #[cfg(feature = "semantic")]
    #[command(flatten)]
    semantic: SemanticArgs,
}

#[derive(clap::Args)]
struct StatsArgs {
    /// Index folder.
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// Output: table (local time, absolute corpus path) or json (also Unix seconds).
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

#[derive(clap::Args)]
struct ShowArgs {
    /// Passage id, `relative/path#anchor`.
    id: String,
    /// Index folder.
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// Output: table or json.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// Index folder.
    #[arg(long, default_value = "index", value_hint = ValueHint::DirPath)]
    index: PathBuf,
    /// ndjson: one passage per line (Quickwit); bulk: an Elasticsearch/OpenSearch
    /// `_bulk` body, the passage id as `_id`.
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Ndjson)]
    format: ExportFormatArg,
}

#[derive(clap::Args)]
struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
struct ManArgs {
    /// Write lectern.1 and one page per command (lectern-query.1, …) into DIR
    /// instead of printing lectern.1.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    dir: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableOrJson {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// The command line's names for [`Format`] (the library does not depend on clap).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// Readable text for a terminal.
    Human,
    /// One JSON document per query (pretty for one query).
    Json,
    /// One JSON object per line, one line per query.
    Jsonl,
    /// TREC run lines: `QID Q0 PASSAGE_ID RANK SCORE TAG` (whitespace, controls and
    /// `%` in ids percent-encoded).
    Trec,
    /// Tab-separated: qid, rank, id, score, title, heading (ids encoded as for trec).
    Tsv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Trec => Format::Trec,
            FormatArg::Tsv => Format::Tsv,
        }
    }
}

/// The command line's names for [`eval::Level`].
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LevelArg {
    /// Passage ids as they are (`path#anchor`).
    Passage,
    /// Articles: the part of each id before the first `#`.
    Article,
}

impl From<LevelArg> for eval::Level {
    fn from(level: LevelArg) -> eval::Level {
        match level {
            LevelArg::Passage => eval::Level::Passage,
            LevelArg::Article => eval::Level::Article,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormatArg {
    Ndjson,
    Bulk,
}

/// `lectern --version`: the program and the index layout it reads and writes.
fn version() -> String {
    format!(
        "{} (index schema {SCHEMA_VERSION}, extractor {EXTRACTOR_VERSION})",
        env!("CARGO_PKG_VERSION")
    )
}

/// The clap command, with the version line (also used for completions and man pages).
fn command() -> clap::Command {
    Cli::command().version(version())
}

/// glibc's malloc raises its mmap threshold each time a large block is freed (up
/// to 32 MB), so the multi-megabyte buffers of ingest (whole HTML files, parse
/// trees, tantivy's indexing arenas) end up inside the per-thread heaps, which
/// cannot shrink past the small long-lived allocations between them: the Rust API
/// docs ingest peaked at 305–321 MB RSS. A fixed threshold keeps blocks of 128 KiB
/// and more in their own mappings, returned to the system when freed (268–273 MB,
/// same user CPU; see BENCHMARKS.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets malloc parameters; it is called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Queries keep little memory but allocate a few vectors of 100 KB or more per
/// query at depth (`-n 1000`: candidates, keys, hits): under the ingest's fixed
/// 128 KiB mmap threshold each was a fresh mapping whose pages fault in zeroed
/// (a tenth of the CPU of a `-n 1000` batch). malloc keeps blocks up to 4 MiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator_for_queries() {
    // SAFETY: mallopt only sets malloc parameters (under malloc's own lock).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 4 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator_for_queries() {}

/// The `--param` names with their defaults and meaning, for `query --help`.
fn params_help() -> String {
    let mut help = String::from("Ranking parameters (--param NAME=VALUE), with their defaults:\n");
    for (name, default, doc) in RankParams::describe() {
        help.push_str(&format!("  {name:<14}{default:<6} {doc}\n"));
    }
    #[cfg(feature = "semantic")]
    for (name, default, doc) in lectern::semantic::Fusion::describe() {
        help.push_str(&format!("  {name:<14}{default:<6} {doc}\n"));
    }
    help
}

fn main() -> ExitCode {
    tune_allocator();
    let command = command().mut_subcommand("query", |c| c.after_long_help(params_help()));
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let outcome = match cli.command {
        Command::Ingest(args) => run_ingest(&args),
        Command::Query(args) => run_query(&args),
        Command::Eval(args) => run_eval(&args),
        Command::Stats(args) => run_stats(&args),
        Command::Show(args) => run_show(&args),
        Command::Export(args) => run_export(&args),
        Command::Completions(args) => run_completions(&args),
        Command::Man(args) => run_man(&args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<Interrupted>().is_some() => {
            say(format_args!("{}", message(&e)));
            let signal = e.downcast_ref::<Interrupted>().map_or(2, |i| i.0);
            ExitCode::from(128 + signal as u8)
        }
        Err(e) => {
            say(format_args!("{}", message(&e)));
            ExitCode::from(2)
        }
    }
}

/// An error and its causes on one line, each cause once: library errors often put
/// their source in their own message, which anyhow's chain would print again
/// ("No such file or directory (os error 2): No such file or directory (os error 2)").
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// One `lectern: …` line on stderr, with control characters (from file names,
/// documents, queries) made harmless. A closed or full stderr is ignored: the work
/// (an ingest's commit, a query's output) matters more than its messages.
fn say(message: std::fmt::Arguments) {
    let line = format!("lectern: {}\n", printable(&message.to_string()));
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// Progress shown in place on a terminal's stderr (`\r` + erase line); `None` clears it.
fn progress(shown: bool, text: Option<&str>) {
    if shown {
        let _ = write!(io::stderr().lock(), "\r\x1b[2K{}", text.unwrap_or(""));
    }
}

/// Whether stdout gets colours: `--color`, then `NO_COLOR` / `CLICOLOR_FORCE` and
/// whether stdout is a terminal (anstream's rules, as in ripgrep and cargo).
fn stdout_color() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
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
        walk: lectern::walk::WalkOptions {
            hidden: args.hidden,
            follow: args.follow,
            globs: args.globs.clone(),
            excludes: args.excludes.clone(),
        },
        keep_duplicates: args.keep_duplicates,
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
    let report = ingest_with_messages(&options, args.progress, args.quiet, args.verbose)?;
    Ok(if report.failed > 0 { 1 } else { 0 })
}

/// Runs ingest, printing warnings, progress and the summary on stderr (with
/// `quiet`, only the files that could not be indexed; with
/// `verbose`, also every file not read and why).
///
/// Progress on a terminal is one line redrawn in place (at most 10 times a
/// second); `--progress=always` without a terminal writes a plain line at most
/// once a second, so that a log shows a long ingest moving.
fn ingest_with_messages(
    options: &IngestOptions,
    when: ProgressArg,
    quiet: bool,
    verbose: bool,
) -> Result<IngestReport> {
    let terminal = io::stderr().is_terminal();
    let shown = terminal && !quiet && when != ProgressArg::Never;
    let logged = !terminal && !quiet && when == ProgressArg::Always;
    let started = Instant::now();
    let mut last_draw: Option<Instant> = None;
    let mut embedding_since: Option<Instant> = None;
    let mut on_event = |event: Event| match event {
        Event::Progress {
            done,
            total,
            bytes_done,
            bytes_total,
        } => {
            let every = if shown { 100 } else { 1000 };
            let due = last_draw.is_none_or(|t| t.elapsed().as_millis() >= every);
            if (shown || logged) && (due || done == total) {
                let elapsed = started.elapsed().as_secs_f64();
                let text = output::ingest_progress(done, total, bytes_done, bytes_total, elapsed);
                if shown {
                    progress(true, Some(&text));
                } else {
                    say(format_args!("{text}"));
                }
                last_draw = Some(Instant::now());
            }
        }
        Event::Embedding { done, total } => {
            let since = *embedding_since.get_or_insert_with(Instant::now);
            // A line every 5 s when logged (`--progress always` off a terminal).
            let every = if shown { 250 } else { 5000 };
            let due = last_draw.is_none_or(|t| t.elapsed().as_millis() > every);
            if (shown || logged) && (due || done == total) {
                let seconds = since.elapsed().as_secs_f64();
                let eta = seconds / done.max(1) as f64 * (total - done) as f64;
                let text = format!(
                    "embedding: {done}/{total} windows, {:.1}/s, {eta:.0} s left",
                    done as f64 / seconds.max(1e-3)
                );
                if shown {
                    progress(true, Some(&text));
                } else {
                    say(format_args!("{text}"));
                }
                last_draw = Some(Instant::now());
            }
        }
        Event::Warning { path, message } => {
            if !quiet {
                progress(shown, None);
                say(format_args!("warning: {path}: {message}"));
            }
        }
        Event::Skipped { path, message } => {
            progress(shown, None);
            say(format_args!("skipped {path}: {message}"));
        }
        Event::Notice(message) => {
            if !quiet {
                progress(shown, None);
                say(format_args!("{message}"));
            }
        }
        Event::Detail { path, message } => {
            if verbose {
                progress(shown, None);
                say(format_args!("note: {path}: {message}"));
            }
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
        walk: options.walk.clone(),
        ..*options
    };
    let result = ingest::ingest(&options, &mut on_event);
    for handler in handlers {
        signal_hook::low_level::unregister(handler);
    }
    let report = match result {
        Err(ingest::IngestError::Cancelled) => {
            progress(shown, None);
            return Err(Interrupted(signal.load(Ordering::Relaxed) as i32).into());
        }
        other => other?,
    };
    progress(shown, None);
    if quiet {
        return Ok(report);
    }
    let mut summary = Vec::new();
    output::ingest_summary(
        &mut summary,
        &report,
        &options.index_dir.display().to_string(),
    )?;
    let _ = io::stderr().lock().write_all(&summary);
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

// ---------------------------------------------------------------- query

fn rank_params(ranking: &str, assignments: &[String]) -> Result<RankParams> {
    let mut params = RankParams::preset(ranking)?;
    for a in assignments {
        // The fusion's own settings are read by `searcher`.
        #[cfg(feature = "semantic")]
        if lectern::semantic::Fusion::default().set(a)? {
            continue;
        }
        params.set(a)?;
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
        fusion.set(a)?;
    }
    let mode: Mode = args.semantic.map(Mode::from).unwrap_or_default();
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
            say(format_args!(
                "no index at {}; building it from {} first",
                index.display(),
                corpus.display()
            ));
            ingest_with_messages(
                &IngestOptions {
                    corpus,
                    index_dir: index,
                    rebuild: false,
                    synonyms: None,
                    max_file_bytes: ingest::DEFAULT_MAX_FILE_BYTES,
                    threads: 0,
                    walk: lectern::walk::WalkOptions::default(),
                    keep_duplicates: false,
                    // Another query may be building it too: wait for it, then use it.
                    wait: true,
                    cancel: None,
                    embed: ingest::Embed::Keep,
                },
                ProgressArg::Auto,
                false,
                false,
            )?;
            Ok(Engine::open(index, params)?)
        }
        other => Ok(other?),
    }
}

/// Most threads a command starts: a larger `--threads` is refused (each thread
/// is started before any work, and a hundred thousand of them took minutes).
const MAX_THREADS: usize = 1024;

/// `--run-tag`: the last column of a TREC line, so one non-empty word.
fn run_tag_arg(value: &str) -> Result<String, String> {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("a run tag is one word, without spaces or control characters".into())
    } else {
        Ok(value.to_string())
    }
}

/// `--threads`: 0 (all cores) to [`MAX_THREADS`].
fn threads_arg(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n <= MAX_THREADS => Ok(n),
        Ok(_) => Err(format!("at most {MAX_THREADS} threads (0 = all cores)")),
        Err(e) => Err(e.to_string()),
    }
}

/// `-n`: at least one hit (a list deeper than the index is all of it).
fn limit_arg(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("at least 1 hit".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the search threads")
}

fn run_query(args: &QueryArgs) -> Result<u8> {
    let text = args.query.join(" ");
    if args.batch.is_none() && text.trim().is_empty() {
        bail!(
            "no query given: `lectern query WORDS…` searches for WORDS, \
             `lectern query --batch FILE` runs a file of queries"
        );
    }
    if args.batch.is_some() && !args.query.is_empty() {
        bail!("give either a query or --batch, not both");
    }
    tune_allocator_for_queries();
    let engine = open_or_build(
        &args.index,
        &args.corpus,
        rank_params(&args.ranking, &args.params)?,
    )?;
    #[cfg(feature = "semantic")]
    let engine = searcher(engine, &args.semantic, &args.params)?;
    #[cfg(not(feature = "semantic"))]
    let engine = searcher(engine)?;
    let format = args.format.map_or(
        if args.batch.is_some() {
            Format::Jsonl
        } else {
            Format::Human
        },
        Format::from,
    );
    let options = SearchOptions {
        limit: args.limit,
        // TREC and TSV print no snippet: compute none.
        snippets: !args.no_snippets && !matches!(format, Format::Trec | Format::Tsv),
        // TREC prints ids and scores only: load no stored passage.
        documents: !matches!(format, Format::Trec),
        explain: args.explain,
        collapse: !args.keep_duplicates,
        lang: args.lang.clone(),
        ..SearchOptions::default()
    };
    let style = Style {
        color: stdout_color(),
        run_tag: args.run_tag.clone(),
    };
    let mut out = BufWriter::new(io::stdout().lock());

    let Some(batch_path) = &args.batch else {
        let results = engine.search(&text, &options)?;
        if !matches!(format, Format::Json | Format::Jsonl) {
            for note in &results.notes {
                say(format_args!("{note}"));
            }
        }
        output::render(format, &mut out, None, &results, &style)?;
        out.flush()?;
        // The process ends here: the exit returns the engine's memory and
        // mappings at once; dropping it first (its caches, every segment
        // reader) was a tenth of a fresh query on a million-passage index.
        std::mem::forget(engine);
        return Ok(if results.hits.is_empty() { 1 } else { 0 });
    };

    let (queries, problems) = batch::parse(&read_input(batch_path)?);
    for (line, problem) in &problems {
        say(format_args!("{}:{line}: {problem}", batch_path.display()));
    }
    let shown = io::stderr().is_terminal();
    let started = Instant::now();
    let mut failed = problems.len();
    let mut matched = false;
    let mut done = 0usize;
    batch::search_all(
        // Rendered beside the search, in parallel: at -n 1000 printing is a third
        // of the work.
        |query| -> anyhow::Result<(Vec<u8>, bool)> {
            let results = engine.search(&query.text, &options)?;
            let mut rendered = Vec::new();
            output::render_to_vec(format, &mut rendered, Some(&query.id), &results, &style)?;
            Ok((rendered, !results.hits.is_empty()))
        },
        &queries,
        &pool(args.threads)?,
        |query, result| -> io::Result<()> {
            match result {
                Ok((rendered, hits)) => {
                    matched |= hits;
                    out.write_all(&rendered)?
                }
                Err(e) => {
                    failed += 1;
                    progress(shown, None);
                    say(format_args!(
                        "{}:{}: query {}: {e}",
                        batch_path.display(),
                        query.line,
                        query.id
                    ));
                }
            }
            done += 1;
            if done.is_multiple_of(256) || done == queries.len() {
                let rate = done as f64 / started.elapsed().as_secs_f64();
                let text = format!("{done}/{} queries, {rate:.0} queries/s", queries.len());
                progress(shown, Some(&text));
            }
            Ok(())
        },
    )?;
    progress(shown, None);
    out.flush()?;
    // As for one query: 1 when no query of the batch matched anything.
    Ok(if failed > 0 {
        2
    } else if matched {
        0
    } else {
        1
    })
}

/// The text of FILE, or of stdin for `-` (invalid UTF-8 replaced).
fn read_input(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    // A file saved as UTF-16 (by Windows tools) says so with its byte order mark.
    if let Some((encoding, mark)) = encoding_rs::Encoding::for_bom(&bytes) {
        return Ok(encoding
            .decode_without_bom_handling(&bytes[mark..])
            .0
            .into_owned());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
            say(format_args!(
                "{}:{line}: not UTF-8; bytes that are not were replaced by \u{fffd}",
                path.display()
            ));
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

// ---------------------------------------------------------------- eval

fn run_eval(args: &EvalArgs) -> Result<u8> {
    let qrels = eval::parse_qrels(&read_input(&args.qrels)?)
        .with_context(|| format!("cannot read qrels {}", args.qrels.display()))?;
    let mut failed = 0;
    let run = if let Some(run_path) = &args.run {
        eval::parse_run(&read_input(run_path)?)
            .with_context(|| format!("cannot read run {}", run_path.display()))?
    } else {
        let queries_path = args
            .queries
            .as_ref()
            .context("give --run RUN or --queries QUERIES")?;
        let engine = Engine::open(&args.index, rank_params(&args.ranking, &args.params)?)?;
        #[cfg(feature = "semantic")]
        let engine = searcher(engine, &args.semantic, &args.params)?;
        #[cfg(not(feature = "semantic"))]
        let engine = searcher(engine)?;
        let (queries, problems) = batch::parse(&read_input(queries_path)?);
        for (line, problem) in &problems {
            say(format_args!("{}:{line}: {problem}", queries_path.display()));
        }
        failed += problems.len();
        let options = SearchOptions {
            limit: args.limit,
            snippets: false,
            documents: false,
            ..SearchOptions::default()
        };
        let mut run = eval::Run::new();
        batch::search_all(
            |query| engine.search(&query.text, &options),
            &queries,
            &pool(args.threads)?,
            |query, result| -> Result<(), std::convert::Infallible> {
                match result {
                    Ok(results) => {
                        let ids = results.hits.into_iter().map(|h| h.id).collect();
                        run.insert(query.id.clone(), ids);
                    }
                    // Scored as retrieving nothing, and said: the exit status is 2.
                    Err(e) => {
                        failed += 1;
                        say(format_args!(
                            "{}:{}: query {}: {e}",
                            queries_path.display(),
                            query.line,
                            query.id
                        ));
                    }
                }
                Ok(())
            },
        )
        .unwrap_or_else(|never| match never {});
        run
    };
    let evaluation = eval::evaluate_at(&run, &qrels, args.level.into(), args.per_query);
    let mut out = BufWriter::new(io::stdout().lock());
    output::evaluation(&mut out, &evaluation, args.format == TableOrJson::Json)?;
    out.flush()?;
    if evaluation.without_relevant > 0 || evaluation.not_judged > 0 {
        say(format_args!(
            "excluded {} judged queries without relevant passages; ignored {} run queries without judgements",
            evaluation.without_relevant, evaluation.not_judged
        ));
    }
    if failed > 0 {
        say(format_args!(
            "{failed} queries could not be read or run (see above); they count as retrieving nothing"
        ));
        return Ok(2);
    }
    Ok(0)
}

// ---------------------------------------------------------------- stats, show, export

fn run_stats(args: &StatsArgs) -> Result<u8> {
    let stats = stats::collect(&args.index)?;
    let mut out = BufWriter::new(io::stdout().lock());
    output::stats(&mut out, &stats, args.format == TableOrJson::Json)?;
    out.flush()?;
    Ok(0)
}

fn run_show(args: &ShowArgs) -> Result<u8> {
    let engine = Engine::open(&args.index, RankParams::default())?;
    let manifest = lectern::store::Store::open_for_search(&args.index)?.manifest()?;
    // An id as TREC output writes it (`new%0Aline.md#…`) is the id it encodes,
    // unless the id as given is one.
    let decoded = lectern::output::decode_id(&args.id);
    let given = if decoded != args.id.as_str() && engine.passage(&args.id)?.is_none() {
        decoded.into_owned()
    } else {
        args.id.clone()
    };
    let (path, anchor) = given.split_once('#').unwrap_or((&given, ""));
    let mut id = given.clone();
    if let Some(kept) = manifest.files.get(path).and_then(|r| r.alias_of.as_ref()) {
        say(format_args!(
            "{path} is a near-duplicate of {kept}, which is indexed instead"
        ));
        id = format!("{kept}#{anchor}");
    }
    let Some(hit) = engine.passage(&id)? else {
        say(format_args!(
            "no passage with id {:?} in {}",
            args.id,
            args.index.display()
        ));
        return Ok(1);
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let aliases = lectern::dedup::aliases_of(&manifest, &hit.path);
    output::passage(&mut out, &hit, &aliases, args.format == TableOrJson::Json)?;
    out.flush()?;
    Ok(0)
}

fn run_export(args: &ExportArgs) -> Result<u8> {
    let format = match args.format {
        ExportFormatArg::Ndjson => ExportFormat::Ndjson,
        ExportFormatArg::Bulk => ExportFormat::Bulk,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let passages = export::export(&args.index, &mut out, format)?;
    out.flush()?;
    say(format_args!(
        "exported {passages} passages from {}",
        args.index.display()
    ));
    Ok(0)
}

// ---------------------------------------------------------------- completions, man

fn run_completions(args: &CompletionsArgs) -> Result<u8> {
    let mut out = BufWriter::new(io::stdout().lock());
    clap_complete::generate(args.shell, &mut command(), "lectern", &mut out);
    out.flush()?;
    Ok(0)
}

fn run_man(args: &ManArgs) -> Result<u8> {
    let command = command();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(command, dir)
            .with_context(|| format!("cannot write manual pages into {}", dir.display()))?;
        return Ok(0);
    }
    let mut out = BufWriter::new(io::stdout().lock());
    clap_mangen::Man::new(command).render(&mut out)?;
    out.flush()?;
    Ok(0)
}
