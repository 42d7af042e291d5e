//! Batch search: one query per line, `ID<TAB>QUERY` or just `QUERY` (the id is
//! then the line number), as in TREC topic files such as `queries.tsv`; and the
//! loop that runs such queries in parallel and hands back results in input order.

use rayon::prelude::*;

/// One query of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchQuery {
    /// 1-based line number in the input.
    pub line: usize,
    /// The query id: the text before the tab, or the line number.
    pub id: String,
    /// The query text.
    pub text: String,
}

/// A line of batch input that is not a query.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("query id {0:?} is empty or has spaces, control or invisible characters")]
    /// The id before the tab is empty or holds white space, a control character or
    /// an invisible one (it is a column of TREC and TSV output, printed as it is).
    BadId(String),
    #[error(
        "query id {0} is already the id of line {1} (a line without an id is numbered by its line)"
    )]
    /// The id was given to an earlier line: a run with two queries of one id
    /// would mix their results under it.
    Repeated(String, usize),
    #[error("query {0} has no text")]
    /// The line has an id but no query text.
    NoText(String),
}

/// Parses batch input. Blank lines are skipped; a line with an id but no query text
/// is reported as (line number, problem) and left out, as is a line whose id an
/// earlier query has. A UTF-8 byte order mark at the start is not part of the
/// first id.
pub fn parse(input: &str) -> (Vec<BatchQuery>, Vec<(usize, Problem)>) {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut queries = Vec::new();
    let mut problems = Vec::new();
    let mut first_line: std::collections::HashMap<String, usize> = Default::default();
    for (i, raw) in input.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let (id, text) = match raw.split_once('\t') {
            Some((id, text)) => (id.trim().to_string(), text.trim().to_string()),
            None => (line.to_string(), raw.trim().to_string()),
        };
        if id.is_empty() || id.contains(|c: char| c.is_whitespace() || is_hidden(c)) {
            problems.push((line, Problem::BadId(id)));
        } else if text.is_empty() {
            problems.push((line, Problem::NoText(id)));
        } else if let Some(&first) = first_line.get(&id) {
            problems.push((line, Problem::Repeated(id, first)));
        } else {
            first_line.insert(id.clone(), line);
            queries.push(BatchQuery { line, id, text });
        }
    }
    (queries, problems)
}

/// A character that prints as nothing or moves others: a control character, or a
/// zero-width, bidirectional or byte-order mark. An id holding one would look like
/// another in a run file.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Queries searched in parallel at a time; results of one chunk are handed on in
/// input order before the next chunk starts, so memory stays bounded.
const CHUNK: usize = 256;

/// Runs `search` on every query on `pool`, calling `each` with each query and
/// what `search` gave for it in input order. `search` runs in parallel, so it
/// is the place for the per-query work that can be (rendering the output too);
/// `each` runs on the calling thread. Stops at the first error `each` returns
/// (a closed output).
pub fn search_all<T: Send, E>(
    search: impl Fn(&BatchQuery) -> T + Sync,
    queries: &[BatchQuery],
    pool: &rayon::ThreadPool,
    mut each: impl FnMut(&BatchQuery, T) -> Result<(), E>,
) -> Result<(), E> {
    for chunk in queries.chunks(CHUNK) {
        let results: Vec<T> = pool.install(|| chunk.par_iter().map(&search).collect());
        for (query, result) in chunk.iter().zip(results) {
            each(query, result)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_line_numbers_and_problems() {
        let (queries, problems) = parse("q1\tliver cancer\n\nCEA levels\nq3\t\n\tno id\n");
        let got: Vec<_> = queries
            .iter()
            .map(|q| (q.line, q.id.as_str(), q.text.as_str()))
            .collect();
        assert_eq!(got, [(1, "q1", "liver cancer"), (3, "3", "CEA levels")]);
        assert_eq!(
            problems,
            [
                (4, Problem::NoText("q3".into())),
                (5, Problem::BadId(String::new()))
            ]
        );
    }

    #[test]
    fn control_characters_and_repeated_ids_are_problems() {
        let (queries, problems) =
            parse("q\x1b[2J\tgout\nq\u{200b}1\tgout\nq1\tgout\nq1\tasthma\n6\tcough\nfever\n");
        let got: Vec<_> = queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(got, ["q1", "6"]);
        assert_eq!(
            problems,
            [
                (1, Problem::BadId("q\x1b[2J".into())),
                (2, Problem::BadId("q\u{200b}1".into())),
                (4, Problem::Repeated("q1".into(), 3)),
                (6, Problem::Repeated("6".into(), 5)),
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_id() {
        let (queries, problems) = parse("\u{feff}q1\tgout\r\nq2\tasthma\r\n");
        assert!(problems.is_empty());
        assert_eq!(queries[0].id, "q1");
        assert_eq!(queries[1].text, "asthma");
    }
}
