//! Everything lectern prints: one [`Format`] enum with one renderer per format for
//! search results, and the renderers of `eval`, `stats`, `show` and the ingest
//! summary. Renderers write to any `io::Write`; the caller decides where (stdout, a
//! file, a test buffer) and whether colour is wanted.
//!
//! Two rules hold for every renderer:
//! * Human-readable output never carries a control character from a document, a
//!   file name or a query to the terminal ([`printable`]): titles, bodies and names
//!   can hold ESC sequences (an OSC 52 clipboard write, a screen clear) that would
//!   otherwise be executed by the terminal.
//! * Passage ids in line-based machine formats (TREC, TSV) are percent-encoded
//!   where they hold whitespace, control characters or `%` ([`encode_id`]), so a
//!   line always has its columns; `eval` decodes them ([`decode_id`]).
//!
//! Machine formats are stable and documented in README.md ("Output formats").

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style as Paint};
use serde::Serialize;

use crate::eval::Evaluation;
use crate::ingest::IngestReport;
use crate::schema::HEADING_SEPARATOR;
use crate::search::{Hit, Results};
use crate::stats::IndexStats;

/// Output format of search results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Readable text for a terminal.
    Human,
    /// One JSON document per query (pretty for one query).
    Json,
    /// One JSON object per line, one line per query.
    Jsonl,
    /// TREC run lines: `QID Q0 PASSAGE_ID RANK SCORE TAG`.
    Trec,
    /// Tab-separated: qid, rank, id, score, title, heading.
    Tsv,
}

/// How to render: colours, the TREC run tag.
#[derive(Clone, Debug)]
pub struct Style {
    /// Colour and bold on (a terminal, `--color always`).
    pub color: bool,
    /// The last column of TREC lines.
    pub run_tag: String,
}

const BOLD: Paint = Paint::new().bold();
const DIM: Paint = Paint::new().dimmed();
const GREEN: Paint = AnsiColor::Green.on_default();
const HIGHLIGHT: Paint = AnsiColor::Red.on_default().bold();

impl Style {
    /// `text` in `paint` when colours are on, else as is.
    fn paint<T: Display>(&self, paint: Paint, text: T) -> String {
        if self.color {
            format!("{paint}{text}{paint:#}")
        } else {
            text.to_string()
        }
    }
}

// ---------------------------------------------------------------- safe text

/// True for characters a terminal may act on: C0 and C1 controls, DEL, and the
/// Unicode bidirectional overrides and isolates (which reorder what is shown).
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` made safe for a terminal, on one line: whitespace controls (tab, newline,
/// carriage return, …) become spaces, every other control character is shown
/// escaped (`\x1b`, `\u{202e}`) instead of being sent to the terminal.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) {
            out.push(c);
        } else if c.is_whitespace() {
            out.push(' ');
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Like [`printable`], but keeps line breaks (for a passage's full text).
pub fn printable_lines(s: &str) -> String {
    s.lines()
        .map(|line| printable(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// True for the characters percent-encoded in ids of TREC and TSV output.
fn needs_encoding(c: char) -> bool {
    c == '%' || c.is_whitespace() || is_unsafe(c)
}

/// A passage id for a whitespace- or tab-separated line: `%`, whitespace and
/// control characters are percent-encoded (UTF-8 bytes, `%20` for a space), so
/// `other file.md#intro` is written `other%20file.md#intro`. [`decode_id`] undoes it.
pub fn encode_id(id: &str) -> Cow<'_, str> {
    if is_plain(id.as_bytes()) || !id.chars().any(needs_encoding) {
        return Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 8);
    let mut buf = [0u8; 4];
    for c in id.chars() {
        if needs_encoding(c) {
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `id` is printable ASCII other than `%` (almost every id): nothing
/// to encode. Tested 16 bytes at a time with no early exit inside a block, so
/// that a block is a few vector instructions; the bytes after the last whole
/// block are tested as the id's last 16 (overlapping the block before), and a
/// shorter id is padded to 16.
fn is_plain(id: &[u8]) -> bool {
    let plain = |block: &[u8; 16]| {
        !block.iter().fold(false, |bad, &b| {
            bad | (b <= b' ') | (b >= 0x7f) | (b == b'%')
        })
    };
    if id.len() < 16 {
        let mut padded = [b'a'; 16];
        padded[..id.len()].copy_from_slice(id);
        return plain(&padded);
    }
    let (blocks, rest) = id.as_chunks::<16>();
    blocks.iter().all(plain)
        && (rest.is_empty() || plain(id.last_chunk::<16>().expect("16 bytes or more")))
}

/// Two decimal digits of each number below 100.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

/// Appends `n` in decimal, as `{n}` writes it. A rank or a score's whole part
/// is a few digits: made two at a time, pushed one by one (not through a call
/// to copy a slice of unknown length).
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    while n >= 100 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    if n >= 10 {
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[n as usize]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    for &digit in &digits[at..] {
        out.push(digit);
    }
}

/// Appends `x` with six decimals, byte for byte as `{x:.6}` writes it (the
/// exact value rounded half to even), without the formatting machinery: a
/// finite non-negative f32 below 10^9 times 10^6 is exact in an f64 (24 bits of
/// significand times the 14 of 15625, times 2^6), so rounding that product to
/// an integer rounds the exact decimal value. Anything else goes to `{:.6}`.
fn push_fixed6(out: &mut Vec<u8>, x: f32) {
    if !(x.is_sign_positive() && x < 1e9) {
        // Negative (and -0.0), infinite, NaN or huge: rare, and the std path is right.
        out.extend_from_slice(format!("{x:.6}").as_bytes());
        return;
    }
    let millionths = (f64::from(x) * 1e6).round_ties_even() as u64;
    push_decimal(out, millionths / 1_000_000);
    out.push(b'.');
    let fraction = (millionths % 1_000_000) as usize;
    let mut digits = [0u8; 6];
    digits[..2].copy_from_slice(&DIGIT_PAIRS[fraction / 10_000]);
    digits[2..4].copy_from_slice(&DIGIT_PAIRS[fraction / 100 % 100]);
    digits[4..].copy_from_slice(&DIGIT_PAIRS[fraction % 100]);
    out.extend_from_slice(&digits);
}

/// Decodes the `%XX` sequences of an id read from a run or qrels file. A `%` not
/// followed by two hex digits is kept as it is.
pub fn decode_id(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// A title, heading or name for a TSV column: tabs and line breaks become spaces
/// (TSV output, and the lexicon's side file).
pub(crate) fn tsv_field(s: &str) -> Cow<'_, str> {
    if s.contains(['\t', '\n', '\r']) {
        Cow::Owned(s.replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------- search results

#[derive(Serialize)]
struct JsonResults<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    qid: Option<&'a str>,
    query: &'a str,
    hits: Vec<JsonHit<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f32,
    id: &'a str,
    path: &'a str,
    title: &'a str,
    heading: &'a str,
    lang: &'a str,
    lines: [u64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlights: Option<Vec<[usize; 2]>>,
    text: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explain: Vec<JsonContribution<'a>>,
    /// Passages with exactly the same text, folded into this hit.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    duplicates: &'a [String],
}

#[derive(Serialize)]
struct JsonContribution<'a> {
    clause: &'a str,
    score: f32,
}

fn json_results<'a>(qid: Option<&'a str>, results: &'a Results) -> JsonResults<'a> {
    JsonResults {
        qid,
        query: &results.query,
        hits: results.hits.iter().map(json_hit).collect(),
        notes: results.notes.iter().map(|n| n.to_string()).collect(),
    }
}

fn json_hit(hit: &Hit) -> JsonHit<'_> {
    JsonHit {
        rank: hit.rank,
        score: hit.score,
        id: &hit.id,
        path: &hit.path,
        title: &hit.title,
        heading: &hit.heading,
        lang: &hit.lang,
        lines: [hit.lines.0, hit.lines.1],
        snippet: hit.snippet.as_ref().map(|s| s.text.as_str()),
        highlights: hit
            .snippet
            .as_ref()
            .map(|s| s.highlights.iter().map(|r| [r.start, r.end]).collect()),
        text: &hit.text,
        explain: hit
            .explain
            .iter()
            .map(|c| JsonContribution {
                clause: &c.what,
                score: c.score,
            })
            .collect(),
        duplicates: &hit.duplicates,
    }
}

/// [`render`] appending to `out` (a batch renders each query to memory, in
/// parallel, before it is printed in order): the same bytes, with the TREC
/// lines written in place rather than copied in.
pub fn render_to_vec(
    format: Format,
    out: &mut Vec<u8>,
    qid: Option<&str>,
    results: &Results,
    style: &Style,
) -> io::Result<()> {
    match format {
        Format::Trec => {
            trec(out, qid, results, style);
            Ok(())
        }
        _ => render(format, out, qid, results, style),
    }
}

/// `{qid} Q0 {id} {rank} {score:.6} {tag}` lines, built by hand: at -n 1000 the
/// formatting machinery (above all the float) cost more than the search
/// ([`push_fixed6`]).
fn trec(out: &mut Vec<u8>, qid: Option<&str>, results: &Results, style: &Style) {
    let qid = qid.unwrap_or("1");
    // Room for the whole list: its ids, and 40 bytes a line for the separators,
    // rank and score (it grows for an encoded id or a huge score).
    let fixed = qid.len() + style.run_tag.len() + 40;
    let ids: usize = results.hits.iter().map(|h| h.id.len()).sum();
    out.reserve(ids + results.hits.len() * fixed);
    for hit in &results.hits {
        out.extend_from_slice(qid.as_bytes());
        out.extend_from_slice(b" Q0 ");
        out.extend_from_slice(encode_id(&hit.id).as_bytes());
        out.push(b' ');
        push_decimal(out, hit.rank as u64);
        out.push(b' ');
        push_fixed6(out, hit.score);
        out.push(b' ');
        out.extend_from_slice(style.run_tag.as_bytes());
        out.push(b'\n');
    }
}

/// Renders the results of one query. `qid` is the batch query id (None for a single
/// query given on the command line).
pub fn render(
    format: Format,
    out: &mut dyn Write,
    qid: Option<&str>,
    results: &Results,
    style: &Style,
) -> io::Result<()> {
    match format {
        Format::Human => human(out, qid, results, style),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &json_results(qid, results))?;
            writeln!(out)
        }
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, &json_results(qid, results))?;
            writeln!(out)
        }
        Format::Trec => {
            let mut lines = Vec::new();
            trec(&mut lines, qid, results, style);
            out.write_all(&lines)
        }
        Format::Tsv => {
            let qid = qid.unwrap_or("1");
            for hit in &results.hits {
                writeln!(
                    out,
                    "{qid}\t{}\t{}\t{:.6}\t{}\t{}",
                    hit.rank,
                    encode_id(&hit.id),
                    hit.score,
                    // One line a hit, and nothing a terminal would act on.
                    printable(&hit.title),
                    printable(&hit.heading)
                )?;
            }
            Ok(())
        }
    }
}

fn human(
    out: &mut dyn Write,
    qid: Option<&str>,
    results: &Results,
    style: &Style,
) -> io::Result<()> {
    if let Some(qid) = qid {
        let head = format!("# {}: {}", printable(qid), printable(&results.query));
        writeln!(out, "{}", style.paint(BOLD, head))?;
    }
    for hit in &results.hits {
        let place = if hit.heading.is_empty() {
            printable(&hit.title).into_owned()
        } else {
            format!(
                "{}{HEADING_SEPARATOR}{}",
                printable(&hit.title),
                printable(&hit.heading)
            )
        };
        let score = format!("{:>2}. {:>6.2}", hit.rank, hit.score);
        writeln!(
            out,
            "{}  {}",
            style.paint(DIM, score),
            style.paint(BOLD, place)
        )?;
        let lines = format!("lines {}-{}", hit.lines.0, hit.lines.1);
        writeln!(
            out,
            "    {}  {}",
            style.paint(GREEN, printable(&hit.id)),
            style.paint(DIM, lines)
        )?;
        if let Some(snippet) = &hit.snippet {
            let mut line = String::new();
            let mut at = 0;
            for range in &snippet.highlights {
                if range.start < at
                    || range.end > snippet.text.len()
                    || !snippet.text.is_char_boundary(range.start)
                    || !snippet.text.is_char_boundary(range.end)
                {
                    continue;
                }
                line.push_str(&printable(&snippet.text[at..range.start]));
                let marked = printable(&snippet.text[range.clone()]);
                line.push_str(&style.paint(HIGHLIGHT, marked));
                at = range.end;
            }
            line.push_str(&printable(&snippet.text[at..]));
            writeln!(out, "    {}", one_line(&line))?;
        }
        if !hit.duplicates.is_empty() {
            // A few of them on a terminal (scripts get them all from json/jsonl).
            const SHOWN: usize = 5;
            let mut text = format!(
                "same text also at: {}",
                printable(&hit.duplicates[..hit.duplicates.len().min(SHOWN)].join(", "))
            );
            if hit.duplicates.len() > SHOWN {
                text.push_str(&format!(" and {} more", hit.duplicates.len() - SHOWN));
            }
            writeln!(out, "    {}", style.paint(DIM, text))?;
        }
        for c in &hit.explain {
            let text = format!("{:>8.3}  {}", c.score, printable(&c.what));
            writeln!(out, "      {}", style.paint(DIM, text))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- show

/// One passage in full (`lectern show`), as readable text or as JSON.
/// `aliases`: the near-duplicate articles recorded for the passage's article.
pub fn passage(out: &mut dyn Write, hit: &Hit, aliases: &[&str], json: bool) -> io::Result<()> {
    if json {
        let v = serde_json::json!({
            "id": hit.id, "path": hit.path, "title": hit.title, "heading": hit.heading,
            "lines": [hit.lines.0, hit.lines.1], "text": hit.text, "aliases": aliases,
        });
        serde_json::to_writer_pretty(&mut *out, &v)?;
        return writeln!(out);
    }
    writeln!(out, "{}", printable(&hit.title))?;
    if !hit.heading.is_empty() {
        writeln!(out, "{}", printable(&hit.heading))?;
    }
    writeln!(
        out,
        "{} (lines {}-{})",
        printable(&hit.id),
        hit.lines.0,
        hit.lines.1
    )?;
    if !aliases.is_empty() {
        let names: Vec<_> = aliases.iter().map(|a| printable(a)).collect();
        writeln!(out, "near-duplicates (not indexed): {}", names.join(", "))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", printable_lines(&hit.text))
}

// ---------------------------------------------------------------- eval

/// The figures of `lectern eval`: a table (with one row per query when the
/// evaluation kept them) or JSON.
pub fn evaluation(out: &mut dyn Write, evaluation: &Evaluation, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, evaluation)?;
        return writeln!(out);
    }
    if !evaluation.per_query.is_empty() {
        writeln!(out, "qid\tMRR@10\tnDCG@10\tR@100\tP@1")?;
        for q in &evaluation.per_query {
            let m = &q.metrics;
            writeln!(
                out,
                "{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
                printable(&q.qid),
                m.mrr_at_10,
                m.ndcg_at_10,
                m.recall_at_100,
                m.p_at_1
            )?;
        }
        writeln!(out)?;
    }
    let m = &evaluation.mean;
    writeln!(out, "queries     {}", evaluation.queries)?;
    writeln!(out, "MRR@10      {:.4}", m.mrr_at_10)?;
    writeln!(out, "nDCG@10     {:.4}", m.ndcg_at_10)?;
    writeln!(out, "Recall@100  {:.4}", m.recall_at_100)?;
    writeln!(out, "P@1         {:.4}", m.p_at_1)
}

// ---------------------------------------------------------------- stats

/// `lectern stats`: JSON keeps every recorded form (the corpus as given, Unix
/// seconds); the table shows the absolute corpus path and the local time.
pub fn stats(out: &mut dyn Write, stats: &IndexStats, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, stats)?;
        return writeln!(out);
    }
    let rows: [(&str, String); 12] = [
        ("index", stats.index.clone()),
        ("corpus", stats.corpus_path.clone()),
        ("articles", stats.articles.to_string()),
        ("passages", stats.passages.to_string()),
        ("terms", stats.terms.to_string()),
        ("segments", stats.segments.to_string()),
        ("lexicon_groups", stats.lexicon_groups.to_string()),
        ("index_bytes", stats.index_bytes.to_string()),
        ("ingested_at", stats.ingested_at_local.clone()),
        ("schema_version", stats.schema_version.to_string()),
        ("lectern_version", stats.lectern_version.clone()),
        ("built_by", stats.built_by.clone()),
    ];
    for (key, value) in rows {
        writeln!(out, "{key:<16}{}", printable(&value))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- ingest

/// The one-line summary an ingest ends with.
pub fn ingest_summary(out: &mut dyn Write, r: &IngestReport, index: &str) -> io::Result<()> {
    writeln!(
        out,
        "lectern: {} articles, {} passages in {}; {} added, {} updated, {} removed, {} unchanged; {} near-duplicates as aliases; {} skipped (unsupported), {} noindex, {} redirects, {}{}{} failed; {:.1} MB read in {:.2} s",
        r.articles,
        r.passages,
        printable(index),
        r.added,
        r.updated,
        r.removed,
        r.unchanged,
        r.aliases,
        r.unsupported,
        r.noindex,
        r.redirects,
        match r.source_listings {
            0 => String::new(),
            n => format!("{n} source listings, "),
        },
        match r.outside_links {
            0 => String::new(),
            n => format!("{n} links outside the corpus not followed, "),
        },
        r.failed,
        r.bytes_read as f64 / 1e6,
        r.seconds
    )
}

/// An ingest's progress as one line: files and MB done, rate, elapsed and the
/// time left at the rate so far (by bytes; unknown until something was read).
pub fn ingest_progress(
    done: usize,
    total: usize,
    bytes_done: u64,
    bytes_total: u64,
    elapsed: f64,
) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    let clock = |s: f64| {
        let s = s.round() as u64;
        match s {
            0..3600 => format!("{}:{:02}", s / 60, s % 60),
            _ => format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
        }
    };
    let rate = if elapsed > 0.0 {
        mb(bytes_done) / elapsed
    } else {
        0.0
    };
    let eta = if bytes_done > 0 && done < total {
        let left = elapsed * (bytes_total - bytes_done.min(bytes_total)) as f64 / bytes_done as f64;
        format!(", ETA {}", clock(left))
    } else {
        String::new()
    };
    format!(
        "ingesting: {done}/{total} files, {:.1}/{:.1} MB, {rate:.1} MB/s, {} elapsed{eta}",
        mb(bytes_done),
        mb(bytes_total),
        clock(elapsed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_has_files_bytes_rate_elapsed_and_eta() {
        let line = ingest_progress(100, 400, 5_000_000, 20_000_000, 10.0);
        assert_eq!(
            line,
            "ingesting: 100/400 files, 5.0/20.0 MB, 0.5 MB/s, 0:10 elapsed, ETA 0:30"
        );
        // Nothing read yet: no rate to project from, no ETA; done: no ETA either.
        assert!(!ingest_progress(0, 4, 0, 9, 0.0).contains("ETA"));
        assert!(!ingest_progress(4, 4, 9, 9, 2.0).contains("ETA"));
        assert!(ingest_progress(1, 2, 1, 2, 4000.0).contains("1:06:40 elapsed, ETA 1:06:40"));
    }
    use crate::search::Snippet;

    fn results() -> Results {
        Results {
            query: "cea".into(),
            hits: vec![Hit {
                rank: 1,
                score: 2.5,
                id: "a.txt#exam".into(),
                path: "a.txt".into(),
                title: "T".into(),
                heading: "Exam".into(),
                lang: "en".into(),
                text: "The CEA test.".into(),
                lines: (3, 5),
                snippet: Some(Snippet {
                    text: "The CEA test.".into(),
                    highlights: std::iter::once(4..7).collect(),
                }),
                explain: vec![],
                duplicates: vec![],
            }],
            notes: vec![],
        }
    }

    fn render_to_string(format: Format, color: bool, results: &Results) -> String {
        let mut buf = Vec::new();
        let style = Style {
            color,
            run_tag: "tag".into(),
        };
        render(format, &mut buf, Some("q1"), results, &style).unwrap();
        String::from_utf8(buf).unwrap()
    }

    /// Six decimals by hand, byte for byte what `{:.6}` writes: halfway cases
    /// (rounded to even), carries into the integer part, a spread of magnitudes
    /// and bit patterns, and what goes to the std path.
    #[test]
    fn six_decimals_as_std_writes_them() {
        let check = |x: f32| {
            let mut got = Vec::new();
            push_fixed6(&mut got, x);
            assert_eq!(String::from_utf8(got).unwrap(), format!("{x:.6}"), "{x:e}");
        };
        // 2^-7 = 0.0078125 is halfway: to even, 0.007812; 3 * 2^-7 to 0.023438.
        for k in 0..4096u32 {
            check(k as f32 / 128.0);
            check(k as f32 / 2048.0 + 7.0);
        }
        for x in [
            0.0,
            0.000_000_4,
            0.000_000_5,
            0.000_000_6,
            0.999_999_5,
            9.999_999,
            1e-30,
            f32::MIN_POSITIVE,
            999_999_999.0,
            1e9,
            3.4e38,
            -0.0,
            -1e-9,
            -2.5,
            f32::NAN,
            f32::INFINITY,
        ] {
            check(x);
        }
        // Every 9973rd bit pattern of the positive floats below 2^30.
        for bits in (0..0x4e80_0000u32).step_by(9973) {
            check(f32::from_bits(bits));
        }
        let mut decimal = Vec::new();
        let powers = (0..20).flat_map(|e| {
            let p = 10u64.pow(e);
            [p - 1, p, p + 1]
        });
        for n in (0..12_345).chain(powers).chain([u64::MAX]) {
            decimal.clear();
            push_decimal(&mut decimal, n);
            assert_eq!(decimal, n.to_string().as_bytes());
        }
    }

    /// A batch's in-memory rendering appends the same bytes as [`render`], after
    /// what the buffer held.
    #[test]
    fn render_to_vec_appends_what_render_writes() {
        let style = Style {
            color: false,
            run_tag: "tag".into(),
        };
        let mut r = results();
        r.hits.push(r.hits[0].clone());
        r.hits[1].rank = 2;
        r.hits[1].id = "b c.md#%x".into();
        for format in [
            Format::Human,
            Format::Json,
            Format::Jsonl,
            Format::Trec,
            Format::Tsv,
        ] {
            let mut direct = b"before\n".to_vec();
            render(format, &mut direct, Some("q1"), &r, &style).unwrap();
            let mut appended = b"before\n".to_vec();
            render_to_vec(format, &mut appended, Some("q1"), &r, &style).unwrap();
            assert_eq!(direct, appended, "{format:?}");
        }
    }

    #[test]
    fn trec_and_tsv_lines() {
        assert_eq!(
            render_to_string(Format::Trec, false, &results()),
            "q1 Q0 a.txt#exam 1 2.500000 tag\n"
        );
        assert_eq!(
            render_to_string(Format::Tsv, false, &results()),
            "q1\t1\ta.txt#exam\t2.500000\tT\tExam\n"
        );
    }

    #[test]
    fn ids_with_spaces_tabs_and_newlines_keep_the_columns() {
        let mut r = results();
        r.hits[0].id = "other file.md#in\ttro\n100%".into();
        r.hits[0].title = "A\ttitle\nsplit".into();
        let trec = render_to_string(Format::Trec, false, &r);
        assert_eq!(
            trec,
            "q1 Q0 other%20file.md#in%09tro%0A100%25 1 2.500000 tag\n"
        );
        let tsv = render_to_string(Format::Tsv, false, &r);
        assert_eq!(tsv.lines().count(), 1);
        r.hits[0].title = "T \u{1b}]0;pwned\u{7}".into();
        let escaped = render_to_string(Format::Tsv, false, &r);
        assert!(
            !escaped.contains('\u{1b}') && escaped.contains("\\x1b"),
            "{escaped:?}"
        );
        assert_eq!(tsv.split('\t').count(), 6, "{tsv:?}");
        assert_eq!(decode_id(trec.split(' ').nth(2).unwrap()), r.hits[0].id);
    }

    /// The block test agrees with a byte-by-byte one, whatever the length and
    /// wherever the one byte to encode is (in a block or in the rest).
    #[test]
    fn plain_ids_are_found_block_by_block() {
        for len in 0..40 {
            let plain = vec![b'a'; len];
            assert!(is_plain(&plain));
            for at in 0..len {
                for bad in [b' ', b'%', 0x7f, 0xc3, b'\t', 0] {
                    let mut id = plain.clone();
                    id[at] = bad;
                    assert!(!is_plain(&id), "{len} {at} {bad}");
                }
            }
        }
    }

    #[test]
    fn id_encoding_round_trips() {
        for id in [
            "plain/a.md#x",
            "a b.md#c",
            "100%.md#x",
            "%41.md",
            "tab\there",
            "nbsp\u{a0}and\u{2028}ls",
            "ünï côdé.md#é",
            "esc\u{1b}[31m",
        ] {
            let encoded = encode_id(id);
            assert!(!encoded.contains(char::is_whitespace), "{encoded}");
            assert_eq!(decode_id(&encoded), id);
        }
        assert_eq!(decode_id("50%"), "50%");
        assert_eq!(decode_id("50%zz"), "50%zz");
        assert_eq!(decode_id("%e2%80%a8"), "\u{2028}");
    }

    #[test]
    fn json_has_highlights_and_text() {
        let v: serde_json::Value =
            serde_json::from_str(&render_to_string(Format::Jsonl, false, &results())).unwrap();
        assert_eq!(v["hits"][0]["highlights"][0], serde_json::json!([4, 7]));
        assert_eq!(v["hits"][0]["text"], "The CEA test.");
        assert_eq!(v["qid"], "q1");
    }

    #[test]
    fn human_colours_only_when_asked() {
        assert!(!render_to_string(Format::Human, false, &results()).contains('\x1b'));
        let coloured = render_to_string(Format::Human, true, &results());
        assert!(
            coloured.contains(&format!("{HIGHLIGHT}CEA{HIGHLIGHT:#}")),
            "{coloured:?}"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut r = results();
        let evil = "x\u{1b}]52;c;aGVsbG8=\u{7}y\u{1b}[2J\u{9b}31m\u{202e}z";
        r.query = evil.into();
        r.hits[0].title = evil.into();
        r.hits[0].heading = evil.into();
        r.hits[0].id = evil.into();
        r.hits[0].snippet = Some(Snippet {
            text: format!("{evil} CEA {evil}"),
            highlights: std::iter::once(evil.len() + 1..evil.len() + 4).collect(),
        });
        r.hits[0].text = format!("{evil}\nline two");
        r.hits[0].explain = vec![crate::search::Contribution {
            what: evil.into(),
            score: 1.0,
        }];
        for color in [false, true] {
            let text = render_to_string(Format::Human, color, &r);
            let stripped = text
                .replace(&HIGHLIGHT.render().to_string(), "")
                .replace(&BOLD.render().to_string(), "")
                .replace(&DIM.render().to_string(), "")
                .replace(&GREEN.render().to_string(), "")
                .replace(&anstyle::Reset.render().to_string(), "");
            assert!(
                !stripped.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
                "{stripped:?}"
            );
            assert!(stripped.contains("\\x1b]52;c;aGVsbG8=\\x07y"), "{stripped}");
            assert!(stripped.contains("\\u{202e}"), "{stripped}");
        }
        let mut buf = Vec::new();
        passage(&mut buf, &r.hits[0], &[], false).unwrap();
        let shown = String::from_utf8(buf).unwrap();
        assert!(!shown.contains(['\u{1b}', '\u{7}']), "{shown:?}");
        assert!(shown.contains("\nline two"), "{shown:?}");
    }

    #[test]
    fn printable_keeps_ordinary_text_borrowed() {
        assert!(matches!(printable("Crème brûlée › ½"), Cow::Borrowed(_)));
        assert_eq!(printable("a\tb\nc"), "a b c");
    }
}
