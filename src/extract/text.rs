//! Plain-text articles.
//!
//! Plain text has no markup, so headings are recognised by shape. The heuristic:
//!
//! * the first non-empty line is the article title;
//! * the rest is cut into *blocks*, runs of non-blank lines separated by blank lines;
//! * a block is a heading when it is a single line that is
//!   - short (under 80 characters),
//!   - not ending in sentence punctuation (`. ! ? : ; ,`),
//!   - not a list item (`1.`, `2)`, `-`, `*`, `•`),
//!   - made of at least one letter,
//!   - and followed by another block (a heading introduces something);
//! * text between the title and the first heading is the introduction section.
//!
//! Headings found this way are all of one level: plain text gives no nesting.
//!
//! A text file holding reStructuredText explicit markup is first turned into the
//! text its rendering shows ([`super::rest`]); its headings are then the lines the
//! markup over- or underlines, and its title the first of them.

use super::RawSection;

const MAX_HEADING_CHARS: usize = 80;

struct Block<'a> {
    lines: Vec<&'a str>,
    first_line: u32,
    last_line: u32,
}

/// Splits plain text into a title (its first non-empty line) and sections headed by
/// heading-like lines.
pub fn extract(text: &str) -> (Option<String>, Vec<RawSection>) {
    let text = &line_breaks(text);
    match super::rest::to_plain(text) {
        Some(plain) => split(&plain.text, Some(&plain.headings), &plain.link_chars),
        None => split(text, None, &[]),
    }
}

/// `text` with every line break a `\n`: a lone `\r` (classic Mac OS) and the
/// Unicode line and paragraph separators become one (`\r\n` is left to the
/// trimming of each line).
fn line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    let lone_cr = memchr::memchr_iter(b'\r', text.as_bytes())
        .any(|at| text.as_bytes().get(at + 1) != Some(&b'\n'));
    if !lone_cr && !text.contains(['\u{2028}', '\u{2029}']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Sections of `text`; `headings` (line numbers) replaces the heading heuristic;
/// `link_chars` counts link text per line (from 0).
fn split(
    text: &str,
    headings: Option<&[u32]>,
    link_chars: &[usize],
) -> (Option<String>, Vec<RawSection>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in text.split('\n').enumerate() {
        let number = i as u32 + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blocks.extend(current.take());
            continue;
        }
        let block = current.get_or_insert(Block {
            lines: Vec::new(),
            first_line: number,
            last_line: number,
        });
        block.lines.push(trimmed);
        block.last_line = number;
    }
    blocks.extend(current.take());

    let mut title = None;
    // reST: the first title is the document's, wherever it stands.
    let first_title = headings.and_then(|lines| {
        blocks
            .iter()
            .position(|b| b.lines.len() == 1 && lines.contains(&b.first_line))
    });
    if let Some(k) = first_title {
        title = Some(blocks.remove(k).lines[0].to_string());
    } else if let Some(first) = blocks.first_mut() {
        title = Some(first.lines.remove(0).to_string());
        first.first_line += 1;
        if first.lines.is_empty() {
            blocks.remove(0);
        }
    }

    // A list of links (a reST list of cross-references, as an HTML `ul` of links)
    // is navigation, dropped like its rendering's. A run of list blocks (items
    // parted by blank lines) is one list, judged whole.
    let counts: Vec<(usize, usize, bool)> = blocks
        .iter()
        .map(|b| {
            let chars = b.lines.iter().flat_map(|l| l.chars());
            let links = (0..b.lines.len())
                .map(|k| link_chars.get(b.first_line as usize + k - 1).copied())
                .map(Option::unwrap_or_default)
                .sum::<usize>();
            let chars = chars.filter(|c| c.is_alphanumeric()).count();
            (chars, links, is_list_item(b.lines[0]))
        })
        .collect();
    let mut dropped = vec![false; blocks.len()];
    let mut k = 0;
    while k < blocks.len() {
        let end = k + counts[k..].iter().take_while(|c| c.2).count().max(1);
        let (chars, links) = counts[k..end]
            .iter()
            .fold((0, 0), |(a, b), c| (a + c.0, b + c.1));
        if counts[k].2 && links > 0 && super::is_link_dense(chars, links) {
            dropped[k..end].fill(true);
        }
        k = end;
    }
    let mut sections: Vec<RawSection> = Vec::new();
    let mut current = RawSection::default();
    let last = blocks.len().saturating_sub(1);
    for (i, block) in blocks.iter().enumerate() {
        let heading = match headings {
            Some(lines) => block.lines.len() == 1 && lines.contains(&block.first_line),
            None => i < last && is_heading(&block.lines),
        };
        if heading {
            if !current.text.is_empty() || current.dropped_links {
                sections.push(std::mem::take(&mut current));
            }
            current = RawSection {
                anchor: None,
                heading: vec![block.lines[0].to_string()],
                text: String::new(),
                lines: (block.first_line, block.last_line),
                ..RawSection::default()
            };
            continue;
        }
        if dropped[i] {
            current.dropped_links = true;
            current.dropped_chars += counts[i].0;
            continue;
        }
        if current.text.is_empty() && current.heading.is_empty() {
            current.lines.0 = block.first_line;
        }
        for (k, line) in block.lines.iter().enumerate() {
            current.text.push_str(line);
            current.text.push('\n');
            let number = block.first_line as usize + k;
            current.link_chars += link_chars.get(number - 1).copied().unwrap_or(0);
        }
        current.lines.1 = block.last_line;
    }
    if !current.text.is_empty() || current.dropped_links {
        sections.push(current);
    }
    (title, sections)
}

fn is_heading(lines: &[&str]) -> bool {
    let [line] = lines else { return false };
    line.chars().count() < MAX_HEADING_CHARS
        && !line.ends_with(['.', '!', '?', ':', ';', ','])
        && !is_list_item(line)
        && line.chars().any(char::is_alphabetic)
}

fn is_list_item(line: &str) -> bool {
    if line.starts_with(['-', '*', '•', '+', '·']) {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(['.', ')'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Format, extract as extract_article};

    const SAMPLE: &str = include_str!("../../corpus/metastatic-liver-cancer.txt");

    #[test]
    fn lone_carriage_returns_and_unicode_separators_break_lines() {
        let unix = extract("My Title\n\nFirst heading\n\nA sentence about tapirs.\n");
        for text in [
            "My Title\r\rFirst heading\r\rA sentence about tapirs.\r",
            "My Title\r\n\r\nFirst heading\r\n\r\nA sentence about tapirs.\r\n",
            "My Title\u{2029}First heading\u{2029}A sentence about tapirs.\u{2028}",
        ] {
            let (title, sections) = extract(text);
            assert_eq!(title.as_deref(), Some("My Title"), "{text:?}");
            assert_eq!(sections.len(), unix.1.len(), "{text:?}");
            assert!(
                sections.iter().any(|s| s.text.contains("tapirs")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn rest_lists_of_references_are_dropped_and_prose_stays() {
        let page = ".. _x:\n\nTitle\n=====\n\nThe following modules matter:\n\n\
* :mod:`base64`: :ref:`base64 security considerations <b>`\n\
* :mod:`hashlib`: :ref:`all constructors take a\n  keyword <h>`\n\n\
* :mod:`logging`: :ref:`eval()\n  <logging-eval>`\n\n\
Use :option:`-I` to run Python in isolated mode, away from the user's site.\n\n\
* :mod:`random` is not for security, see the notes in the module's own page\n";
        let (title, sections) = extract(page);
        assert_eq!(title.as_deref(), Some("Title"));
        let text: String = sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            text,
            "The following modules matter:\n\
Use -I to run Python in isolated mode, away from the user's site.\n\
* random is not for security, see the notes in the module's own page\n"
        );
        assert!(sections.iter().any(|s| s.dropped_links));
    }

    #[test]
    fn sample_article_headings() {
        let (article, _) = extract_article(SAMPLE.as_bytes(), Format::Text, "x").unwrap();
        assert_eq!(
            article.title,
            "What Is Involved in Metastatic Liver Cancer Treatment?"
        );
        let headings: Vec<String> = article
            .sections
            .iter()
            .map(|s| s.heading.join(" / "))
            .collect();
        assert_eq!(
            headings,
            [
                "",
                "Basic Information",
                "Causes of metastatic liver cancer",
                "Clinical manifestations of metastatic liver cancer",
                "Examination of metastatic liver cancer",
                "Diagnosis of metastatic liver cancer",
                "Differential diagnosis of metastatic liver cancer",
                "Metastatic liver cancer treatment",
            ]
        );
        let exam = &article.sections[4];
        assert_eq!(exam.anchor, "examination-of-metastatic-liver-cancer");
        assert!(
            exam.text
                .contains("The increase of CEA in carcinoembryonic antigen")
        );
        assert!(exam.text.contains("8. MRI examination"));
        // Numbered items stay in their section, never become headings.
        assert!(
            article
                .sections
                .iter()
                .all(|s| !s.heading.iter().any(|h| h.starts_with(char::is_numeric)))
        );
        // Page furniture is not a passage and not in any passage.
        for s in &article.sections {
            assert!(!s.text.contains("Was this article helpful"));
            assert!(!s.text.contains("How can we help"));
            assert!(!s.heading.iter().any(|h| h == "IN OTHER LANGUAGES"));
        }
        // Line ranges point at the source.
        let lines: Vec<&str> = SAMPLE.lines().collect();
        assert_eq!(
            lines[exam.lines.0 as usize - 1],
            "Examination of metastatic liver cancer"
        );
        assert!(lines[exam.lines.1 as usize - 1].starts_with("8. MRI"));
    }

    #[test]
    fn list_items_and_sentences_are_not_headings() {
        let text = "Title\n\nIntro text here.\n\n1. First item\n\nA short heading\n\nBody.\n\nA sentence.\n\nMore body.";
        let (title, sections) = extract(text);
        assert_eq!(title.as_deref(), Some("Title"));
        let headings: Vec<_> = sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(headings, [vec![], vec!["A short heading".to_string()]]);
        assert!(sections[0].text.contains("1. First item"));
        assert!(sections[1].text.contains("A sentence.\nMore body."));
    }

    #[test]
    fn restructured_text_headings_are_its_titles() {
        let text = ".. _intro:\n\n=====\nIntro\n=====\n\nA :func:`len` call.\n\nShort line\n\nUsage\n-----\n\n.. note::\n\n   Read this.\n";
        let (title, sections) = extract(text);
        assert_eq!(title.as_deref(), Some("Intro"));
        let headings: Vec<_> = sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(headings, [vec![], vec!["Usage".to_string()]]);
        assert_eq!(sections[0].text, "A len call.\nShort line\n");
        assert_eq!(sections[1].text, "Read this.\n");
        assert_eq!(sections[1].lines, (11, 16));
    }

    #[test]
    fn a_last_short_line_is_text_not_heading() {
        let (_, sections) = extract("Title\n\nBody text\n\nThe end");
        assert_eq!(sections.len(), 1);
        assert!(sections[0].text.contains("The end"));
    }
}
