//! Rendering search results: one [`Format`] enum, one renderer per format. Renderers
//! write to any `io::Write`; the caller decides where (stdout, a file, a test buffer).
//!
//! Machine formats are stable and documented in README.md ("Output formats").

use std::io::{self, Write};

use serde::Serialize;

use crate::schema::HEADING_SEPARATOR;
use crate::search::{Hit, Results};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
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
    pub color: bool,
    pub run_tag: String,
}

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
            let qid = qid.unwrap_or("1");
            for hit in &results.hits {
                writeln!(
                    out,
                    "{qid} Q0 {} {} {:.6} {}",
                    hit.id, hit.rank, hit.score, style.run_tag
                )?;
            }
            Ok(())
        }
        Format::Tsv => {
            let qid = qid.unwrap_or("1");
            for hit in &results.hits {
                writeln!(
                    out,
                    "{qid}\t{}\t{}\t{:.6}\t{}\t{}",
                    hit.rank,
                    tsv_field(&hit.id),
                    hit.score,
                    tsv_field(&hit.title),
                    tsv_field(&hit.heading)
                )?;
            }
            Ok(())
        }
    }
}

fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const GREEN: &str = "\x1b[32m";
const HIGHLIGHT: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

fn human(
    out: &mut dyn Write,
    qid: Option<&str>,
    results: &Results,
    style: &Style,
) -> io::Result<()> {
    let paint = |code: &'static str| if style.color { code } else { "" };
    if let Some(qid) = qid {
        writeln!(
            out,
            "{}# {qid}: {}{}",
            paint(BOLD),
            results.query,
            paint(RESET)
        )?;
    }
    for hit in &results.hits {
        let place = if hit.heading.is_empty() {
            hit.title.clone()
        } else {
            format!("{}{HEADING_SEPARATOR}{}", hit.title, hit.heading)
        };
        writeln!(
            out,
            "{}{:>2}. {:>6.2}{}  {}{}{}",
            paint(DIM),
            hit.rank,
            hit.score,
            paint(RESET),
            paint(BOLD),
            place,
            paint(RESET)
        )?;
        writeln!(
            out,
            "    {}{}{}  {}lines {}-{}{}",
            paint(GREEN),
            hit.id,
            paint(RESET),
            paint(DIM),
            hit.lines.0,
            hit.lines.1,
            paint(RESET)
        )?;
        if let Some(snippet) = &hit.snippet {
            let mut line = String::new();
            let mut at = 0;
            for range in &snippet.highlights {
                if range.start < at || range.end > snippet.text.len() {
                    continue;
                }
                line.push_str(&snippet.text[at..range.start]);
                line.push_str(paint(HIGHLIGHT));
                line.push_str(&snippet.text[range.clone()]);
                line.push_str(paint(RESET));
                at = range.end;
            }
            line.push_str(&snippet.text[at..]);
            writeln!(out, "    {}", one_line(&line))?;
        }
        if !hit.duplicates.is_empty() {
            writeln!(
                out,
                "    {}same text also at: {}{}",
                paint(DIM),
                hit.duplicates.join(", "),
                paint(RESET)
            )?;
        }
        for c in &hit.explain {
            writeln!(
                out,
                "      {}{:>8.3}  {}{}",
                paint(DIM),
                c.score,
                c.what,
                paint(RESET)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn render_to_string(format: Format, color: bool) -> String {
        let mut buf = Vec::new();
        let style = Style {
            color,
            run_tag: "tag".into(),
        };
        render(format, &mut buf, Some("q1"), &results(), &style).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn trec_and_tsv_lines() {
        assert_eq!(
            render_to_string(Format::Trec, false),
            "q1 Q0 a.txt#exam 1 2.500000 tag\n"
        );
        assert_eq!(
            render_to_string(Format::Tsv, false),
            "q1\t1\ta.txt#exam\t2.500000\tT\tExam\n"
        );
    }

    #[test]
    fn json_has_highlights_and_text() {
        let v: serde_json::Value =
            serde_json::from_str(&render_to_string(Format::Jsonl, false)).unwrap();
        assert_eq!(v["hits"][0]["highlights"][0], serde_json::json!([4, 7]));
        assert_eq!(v["hits"][0]["text"], "The CEA test.");
        assert_eq!(v["qid"], "q1");
    }

    #[test]
    fn human_colours_only_when_asked() {
        assert!(!render_to_string(Format::Human, false).contains('\x1b'));
        assert!(render_to_string(Format::Human, true).contains("\x1b[1;31mCEA\x1b[0m"));
    }
}
