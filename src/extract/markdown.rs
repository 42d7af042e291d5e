//! Markdown articles, parsed with pulldown-cmark (CommonMark: ATX and setext
//! headings, and no false headings inside code blocks).
//!
//! The first heading is the article title; every later heading starts a section
//! whose heading path is the stack of enclosing headings below the title. An
//! explicit `{#id}` heading attribute is used as the anchor. Code blocks keep their
//! lines; text inside links is counted (link density, see [`super::finish`]). A YAML
//! front matter block (`---` … `---` at the very start) is not text; its `lang:`
//! key gives the article's language and its `title:` key the title.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Lines, RawSection};

/// Title, sections and the language named in the front matter.
pub fn extract(source: &str) -> (Option<String>, Vec<RawSection>, Option<String>) {
    let options = Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut title: Option<String> = None;
    let mut front_title: Option<String> = None;
    let mut lang: Option<String> = None;
    let mut in_metadata = false;
    let mut in_code = false;
    let mut in_link = 0usize;
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
                if title.is_none() && front_title.as_ref().is_none_or(|t| *t == text) {
                    title = Some(text);
                    // The title heading's id names the introduction.
                    current.anchor = current.anchor.take().or(id);
                    continue;
                }
                let mut aliases = Vec::new();
                if !current.text.trim().is_empty() {
                    sections.push(std::mem::take(&mut current));
                } else {
                    // A heading directly followed by this one: its id leads here.
                    aliases.extend(current.anchor.take());
                    aliases.append(&mut current.aliases);
                }
                while stack.last().is_some_and(|(l, _)| *l >= level) {
                    stack.pop();
                }
                stack.push((level, text));
                let line = lines.line_of(start);
                current = RawSection {
                    anchor: id,
                    heading: stack.iter().map(|(_, t)| t.clone()).collect(),
                    lines: (line, line),
                    aliases,
                    ..RawSection::default()
                };
            }
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            Event::Text(t) if in_metadata => {
                for line in t.lines() {
                    if let Some((key, value)) = line.split_once(':') {
                        let value = value.trim().trim_matches(['"', '\'']);
                        match key.trim() {
                            "lang" | "language" => lang = Some(value.to_string()),
                            "title" if !value.is_empty() => front_title = Some(value.to_string()),
                            _ => {}
                        }
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                if !current.text.is_empty() && !current.text.ends_with('\n') {
                    current.text.push('\n');
                }
            }
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Text(t) if in_code && heading.is_none() => {
                if current.text.is_empty() && current.heading.is_empty() {
                    current.lines.0 = lines.line_of(range.start);
                }
                for line in t.split_inclusive('\n') {
                    if current.text.is_empty() || current.text.ends_with('\n') {
                        current.text.push(super::CODE_MARK);
                    }
                    current.text.push_str(line);
                }
                current.lines.1 = lines.line_of(range.end.saturating_sub(1));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text, _)) = heading.as_mut() {
                    text.push_str(&t);
                } else {
                    if current.text.is_empty() && current.heading.is_empty() {
                        current.lines.0 = lines.line_of(range.start);
                    }
                    current.text.push_str(&t);
                    if in_link > 0 {
                        current.link_chars += t.chars().filter(|c| c.is_alphanumeric()).count();
                    }
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
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => current.text.push('\n'),
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                current.text.push('\n');
            }
            Event::End(TagEnd::TableCell) => current.text.push_str(" | "),
            _ => {}
        }
    }
    if !current.text.trim().is_empty() {
        sections.push(current);
    }
    (title.or(front_title), sections, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atx_and_setext_headings_with_paths() {
        let md = "# Guide\n\nIntro words.\n\nSetup\n-----\n\nInstall it.\n\n### Linux {#on-linux}\n\n- apt\n- dnf\n\n```\n# not a heading\n```\n\n## Usage\n\nRun it.\n";
        let (title, sections, _) = extract(md);
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
        let (_, sections, _) = extract(&md);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(sections[0].lines, (3, 200_001));
    }

    #[test]
    fn front_matter_code_blocks_links_and_heading_aliases() {
        let md = "---\ntitle: Guide\nlang: de\n---\n\n# Guide {#guide}\n\nIntro.\n\n## Outer {#outer}\n\n### Inner\n\n```rust\nfn main() {\n    go();\n}\n```\n\nSee [the other page](x.md).\n";
        let (title, sections, lang) = extract(md);
        assert_eq!(title.as_deref(), Some("Guide"));
        assert_eq!(lang.as_deref(), Some("de"));
        assert!(!sections[0].text.contains("lang"), "{:?}", sections[0].text);
        assert_eq!(sections[0].anchor.as_deref(), Some("guide"));
        assert_eq!(sections[1].aliases, ["outer"]);
        let mark = super::super::CODE_MARK;
        assert!(
            sections[1]
                .text
                .contains(&format!("{mark}fn main() {{\n{mark}    go();\n{mark}}}\n")),
            "{:?}",
            sections[1].text
        );
        assert_eq!(sections[1].link_chars, "theotherpage".len());
    }
}
