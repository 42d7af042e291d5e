//! Batch search input: one query per line, `ID<TAB>QUERY` or just `QUERY` (the id is
//! then the line number), as in TREC topic files such as `queries.tsv`.

/// One query of a batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchQuery {
    /// 1-based line number in the input.
    pub line: usize,
    pub id: String,
    pub text: String,
}

/// Parses batch input. Blank lines are skipped; a line with an id but no query text
/// is reported as (line number, problem) and left out.
pub fn parse(input: &str) -> (Vec<BatchQuery>, Vec<(usize, String)>) {
    let mut queries = Vec::new();
    let mut problems = Vec::new();
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
        if id.is_empty() || id.contains(char::is_whitespace) {
            problems.push((line, format!("query id {id:?} is empty or has spaces")));
        } else if text.is_empty() {
            problems.push((line, format!("query {id} has no text")));
        } else {
            queries.push(BatchQuery { line, id, text });
        }
    }
    (queries, problems)
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
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [4, 5]);
    }
}
