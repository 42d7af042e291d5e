//! Markdown articles, parsed with pulldown-cmark (CommonMark: ATX and setext
//! headings, and no false headings inside code blocks).
//!
//! The first heading is the article title; every later heading starts a section
//! whose heading path is the stack of enclosing headings below the title. An
//! explicit `{#id}` heading attribute is used as the anchor.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Lines, RawSection};

pub fn extract(source: &str) -> (Option<String>, Vec<RawSection>) {
    let options = Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_TABLES;
    let mut title: Option<String> = None;
    let mut sections = Vec::new();
    let mut current = RawSection::default();
    // Enclosing headings: (level, text).
    let mut stack: Vec<(HeadingLevel, String)> = Vec::new();
    // Set while inside a heading: (level, id, text so far, start offset).
    let mut heading: Option<(HeadingLevel, Option<String>, String, usize)> = None;
    let lines = Lines::new(source);

    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id.map(|s| s.to_string()), String::new(), range.start));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, id, text, start)) = heading.take() else {
                    continue;
                };
                let text = super::normalize_space(&text);
                if title.is_none() {
                    title = Some(text);
                    continue;
                }
                if !current.text.trim().is_empty() {
                    sections.push(std::mem::take(&mut current));
                }
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                stack.push((level, text));
                let line = lines.line_of(start);
                current = RawSection {
                    anchor: id,
                    heading: stack.iter().map(|(_, t)| t.clone()).collect(),
                    text: String::new(),
                    lines: (line, line),
                };
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text, _)) = heading.as_mut() {
                    text.push_str(&t);
                } else {
                    if current.text.is_empty() && current.heading.is_empty() {
                        current.lines.0 = lines.line_of(range.start);
                    }
                    current.text.push_str(&t);
                    current.lines.1 = lines.line_of(range.end.saturating_sub(1));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, text, _)) = heading.as_mut() {
                    text.push(' ');
                } else {
                    current.text.push('\n');
                }
            }
            Event::Start(Tag::Item) => current.text.push_str("- "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => current.text.push('\n'),
            Event::End(TagEnd::TableCell) => current.text.push_str(" | "),
            _ => {}
        }
    }
    if !current.text.trim().is_empty() {
        sections.push(current);
    }
    (title, sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atx_and_setext_headings_with_paths() {
        let md = "# Guide\n\nIntro words.\n\nSetup\n-----\n\nInstall it.\n\n### Linux {#on-linux}\n\n- apt\n- dnf\n\n```\n# not a heading\n```\n\n## Usage\n\nRun it.\n";
        let (title, sections) = extract(md);
        assert_eq!(title.as_deref(), Some("Guide"));
        let got: Vec<_> = sections
            .iter()
            .map(|s| (s.heading.join(" > "), s.anchor.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (String::new(), None),
                ("Setup".to_string(), None),
                ("Setup > Linux".to_string(), Some("on-linux".to_string())),
                ("Usage".to_string(), None),
            ]
        );
        assert!(sections[2].text.contains("- apt\n- dnf"));
        assert!(sections[2].text.contains("# not a heading"));
        assert_eq!(sections[3].lines.0, 19);
    }

    #[test]
    fn many_paragraphs_take_linear_time() {
        // 100,000 paragraphs (1.6 MB): line numbers were counted from the start for
        // every text event, which took minutes.
        let md = format!("# T\n\n{}", "para word here\n\n".repeat(100_000));
        let started = std::time::Instant::now();
        let (_, sections) = extract(&md);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(sections[0].lines, (3, 200_001));
    }
}
