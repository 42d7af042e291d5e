//! HTML articles.
//!
//! The page is parsed once with html5ever (through scraper, whose arena tree has no
//! recursion limits) and walked in document order:
//!
//! * boilerplate elements (`nav`, `header`, `footer`, `aside`, `script`, …) are dropped
//!   with everything inside them;
//! * an `h1`–`h6` starts a new section; its anchor is its `id`, else the `id` of the
//!   `<section>` it opens, else (later) a slug of its text;
//! * an element that *contains* a heading (`main`, `article`, `section`, `div`…) is
//!   descended into, so headings nested at any depth split the text;
//! * any other element goes whole into the current section as text.
//!
//! Text comes from a DOM walk (block elements break lines, list items get `- `),
//! which is several times faster than a full html2text layout and yields the same
//! words; tables are laid out by html2text, whose rendering reads better there.
//! Every walk is iterative, so deeply nested input cannot overflow the stack.
//!
//! The title is the first `h1`, else `<title>`. HTML has no reliable source
//! positions after parsing, so a section's line range is found by locating its
//! heading in the source: exact for ordinary pages, approximate for odd ones.

use std::collections::HashSet;

use ego_tree::{NodeId, NodeRef};
use html2text::render::TrivialDecorator;
use scraper::{CaseSensitivity, ElementRef, Html, Node};

use super::{RawSection, Skip};

/// Elements dropped with their content: navigation, page chrome, code, embeds.
/// (A `match`, not a list scan: it is asked for every element of every page.)
fn is_boilerplate(name: &str) -> bool {
    matches!(
        name,
        "nav"
            | "header"
            | "footer"
            | "aside"
            | "script"
            | "style"
            | "noscript"
            | "form"
            | "template"
            | "svg"
            | "iframe"
            | "head"
            | "button"
            | "select"
            | "object"
            | "canvas"
            | "dialog"
            | "address"
    )
}

/// Elements after which text continues on a new line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "table"
            | "blockquote"
            | "pre"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "br"
            | "hr"
            | "figure"
            | "figcaption"
            | "address"
            | "details"
            | "summary"
            | "body"
            | "center"
    )
}

/// Elements whose text is authored prose (see [`super::PROSE_MARK`]).
fn is_prose(name: &str) -> bool {
    matches!(
        name,
        "p" | "li" | "dd" | "dt" | "td" | "th" | "blockquote" | "figcaption" | "caption"
    )
}

/// Tables nested deeper than this are not given to html2text (which recurses).
const MAX_TABLE_DEPTH: usize = 64;

/// Elements and texts in a table laid out by html2text (whose layout takes a few
/// hundred bytes of memory per byte of table); a larger one is walked as text.
const MAX_TABLE_NODES: usize = 20_000;

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|e| e.name())
}

/// html5ever's tree builder scans the stack of open elements for many tags, which
/// is quadratic in the nesting depth: 100,000 nested `<div>`s take minutes. Pages
/// nested deeper than this are parsed flattened (see [`flatten`]).
const MAX_NESTING: usize = 512;

/// What an HTML page yields.
#[derive(Debug, Default)]
pub struct Page {
    /// The main content's first `<h1>`, else `<title>` without its site suffix, if any.
    pub title: Option<String>,
    /// The sections in page order.
    pub sections: Vec<RawSection>,
    /// `<html lang>`, as written.
    pub lang: Option<String>,
    /// Set when the page had to be flattened.
    pub warning: Option<String>,
}

/// Extracts a page, or says why it is not to be indexed.
pub fn extract(source: &str) -> Result<Page, Skip> {
    // Every element the depth estimate opens starts with a `<`: a page with few of
    // them (nearly all pages) cannot be too deep, and skips the estimate.
    let tags: usize = source.bytes().map(|b| usize::from(b == b'<')).sum();
    if let Some(trimmed) = without_attribute_floods(source) {
        let mut page = extract(&trimmed)?;
        let note = format!(
            "a tag with over {MAX_ATTRIBUTES} attributes (or repeated <html>, <body> tags with as many); their attributes were ignored"
        );
        page.warning = Some(match page.warning {
            Some(warning) => format!("{warning}; {note}"),
            None => note,
        });
        return Ok(page);
    }
    if tags <= MAX_NESTING || nesting_depth(source) <= MAX_NESTING {
        return extract_parsed(source);
    }
    let mut page = extract_parsed(&flatten(source))?;
    locate_lines(source, &mut page.sections);
    page.warning = Some(format!(
        "HTML nested more than {MAX_NESTING} levels deep; layout elements were ignored"
    ));
    Ok(page)
}

/// html5ever checks each attribute of a tag against the ones before it, which is
/// quadratic in their number: one tag of 200,000 attributes took 11 s, of 400,000
/// over 40 s; and the attributes of a repeated `<html>` or `<body>` are merged into
/// the first one's sorted list, one insertion at a time. A start tag with more
/// attributes than this, and repeated `<html>`/`<body>` tags holding more between
/// them, lose their attributes.
const MAX_ATTRIBUTES: usize = 1_000;

/// `source` with the attributes of the tags [`MAX_ATTRIBUTES`] speaks of dropped
/// (the tag's name and line breaks kept, so line numbers stay); None when there is
/// no such tag. Tags are read as html5ever's tokenizer reads them, quotes and all;
/// a `</` outside quotes ends the scan of a tag unchanged (a script's `a<b` is no tag).
fn without_attribute_floods(source: &str) -> Option<String> {
    let bytes = source.as_bytes();
    // Start tags to strip: (end of the name, `>`).
    let mut strip: Vec<(usize, usize)> = Vec::new();
    let mut repeated: Vec<(usize, usize)> = Vec::new();
    let mut repeated_attributes = 0;
    let (mut seen_html, mut seen_body) = (false, false);
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'<', &bytes[at..]).map(|p| at + p) {
        at = open + 1;
        if !bytes.get(open + 1).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = bytes[open + 1..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b"/><".contains(&b))
            .map_or(bytes.len(), |p| open + 1 + p);
        let (attributes, close) = match count_attributes(bytes, name_end) {
            Ok(found) => found,
            Err(resume) => {
                at = resume.max(open + 1);
                continue;
            }
        };
        at = close + 1;
        let name = &bytes[open + 1..name_end];
        let seen = if name.eq_ignore_ascii_case(b"html") {
            Some(&mut seen_html)
        } else if name.eq_ignore_ascii_case(b"body") {
            Some(&mut seen_body)
        } else {
            None
        };
        if attributes > MAX_ATTRIBUTES {
            strip.push((name_end, close));
        } else if let Some(seen) = seen
            && std::mem::replace(seen, true)
            && attributes > 0
        {
            repeated.push((name_end, close));
            repeated_attributes += attributes;
        }
    }
    if repeated_attributes > MAX_ATTRIBUTES {
        strip.append(&mut repeated);
        strip.sort_unstable();
    }
    if strip.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut copied = 0;
    for (name_end, close) in strip {
        // `>`, ASCII whitespace, `/` and `<` are whole characters: the cuts are boundaries.
        out.push_str(&source[copied..name_end]);
        let lines = memchr::memchr_iter(b'\n', &bytes[name_end..close]).count();
        out.extend(std::iter::repeat_n('\n', lines));
        copied = close;
    }
    out.push_str(&source[copied..]);
    Some(out)
}

/// The attributes of a start tag whose name ends at `at`, and the position of its
/// `>`; or, if a `</` comes first outside quotes or the tag does not end, where to
/// go on looking for tags (no tag starting before it ends before it: each byte of
/// the page is scanned about once).
fn count_attributes(bytes: &[u8], mut at: usize) -> Result<(usize, usize), usize> {
    let closing = |at: usize| bytes[at] == b'<' && bytes.get(at + 1) == Some(&b'/');
    let end = bytes.len();
    let mut count = 0;
    loop {
        while bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            at += 1;
        }
        match bytes.get(at) {
            None => return Err(end),
            Some(b'>') => return Ok((count, at)),
            Some(_) if closing(at) => return Err(at),
            Some(_) => {}
        }
        count += 1;
        // The name: up to whitespace, `/`, `>` or `=` (its first byte may be `=`).
        at += 1;
        while let Some(b) = bytes.get(at) {
            if b.is_ascii_whitespace() || b"/>=".contains(b) {
                break;
            }
            if closing(at) {
                return Err(at);
            }
            at += 1;
        }
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        match bytes.get(at) {
            None => return Err(end),
            Some(&quote @ (b'"' | b'\'')) => match memchr::memchr(quote, &bytes[at + 1..]) {
                Some(p) => at += p + 2,
                None => return Err(end),
            },
            Some(_) => {
                while let Some(b) = bytes.get(at) {
                    if b.is_ascii_whitespace() || *b == b'>' {
                        break;
                    }
                    if closing(at) {
                        return Err(at);
                    }
                    at += 1;
                }
            }
        }
    }
}

/// Elements without end tags.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "basefont", "bgsound", "frame",
];

/// Elements whose content is raw text: tags inside them are not tags.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// html5ever's "special" elements: an end tag of any other element is ignored when
/// one of these is open above the element it names.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "keygen",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

/// Elements an end tag of a special element does not close past (scope boundaries).
const SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template", "button",
    "ol", "ul", "svg", "math",
];

/// Start tags that close an open `p` element.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "hr",
    "xmp",
];

/// How far down the open elements an end tag looks for its element; beyond that it
/// is assumed not to close anything (which can only over-estimate the depth).
const END_TAG_REACH: usize = 64;

/// Tag name at the start of `rest` (just after `<` or `</`), lower-cased.
fn tag_name(rest: &[u8]) -> String {
    rest.iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'!')
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

/// Estimated maximum element nesting depth, from a linear scan of the tags.
///
/// It imitates html5ever's stack of open elements closely enough to be an upper
/// bound: an end tag closes only an element that is open, near the top, and not
/// hidden behind a special element or scope boundary (html5ever ignores the end tag
/// then too). Stray end tags (`<div></x>` a thousand times) used to be counted as
/// closing something, which let deep trees through to the quadratic tree builder.
fn nesting_depth(source: &str) -> usize {
    let bytes = source.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut max = 0usize;
    let mut i = 0;
    while let Some(at) = memchr(b'<', &bytes[i..]) {
        i += at + 1;
        let rest = &bytes[i..];
        if rest.starts_with(b"!--") {
            // A comment: skip to its end.
            i += find(&rest[3..], b"-->").map_or(rest.len(), |e| e + 6);
            continue;
        }
        if rest.starts_with(b"!") || rest.starts_with(b"?") {
            continue; // doctype, processing instruction
        }
        if let Some(end_tag) = rest.strip_prefix(b"/") {
            let name = tag_name(end_tag);
            let special = SPECIAL.contains(&name.as_str());
            for (k, element) in open.iter().rev().take(END_TAG_REACH).enumerate() {
                if *element == name {
                    open.truncate(open.len() - k - 1);
                    break;
                }
                let element = element.as_str();
                if (special && SCOPE.contains(&element)) || (!special && SPECIAL.contains(&element))
                {
                    break;
                }
            }
            continue;
        }
        let name = tag_name(rest);
        if name.is_empty() || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "plaintext" {
            break; // everything after it is text
        }
        let end = memchr(b'>', rest).map(|p| i + p);
        if end.is_some_and(|e| bytes[e - 1] == b'/') {
            continue;
        }
        if RAW_TEXT.contains(&name.as_str()) {
            // Skip the raw text to the matching end tag.
            let close = format!("</{name}");
            let from = end.map_or(bytes.len(), |e| e + 1);
            i = find_ignore_case(&bytes[from..], close.as_bytes())
                .map_or(bytes.len(), |p| from + p);
            max = max.max(open.len() + 1);
            continue;
        }
        // Start tags that close an open `p`, `li`… right above them (the usual
        // unclosed paragraphs and list items), as html5ever does.
        let closes = |top: &str| match name.as_str() {
            "li" => top == "li" || top == "p",
            "dt" | "dd" => matches!(top, "dt" | "dd" | "p"),
            "td" | "th" => matches!(top, "td" | "th"),
            "tr" => matches!(top, "tr" | "td" | "th"),
            "option" => top == "option",
            other => top == "p" && CLOSES_P.contains(&other),
        };
        while open.last().is_some_and(|top| closes(top)) {
            open.pop();
        }
        open.push(name);
        max = max.max(open.len());
    }
    max
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Removes every tag except the few that carry structure lectern reads (headings,
/// paragraphs, list items, line breaks, title, and the boilerplate containers, so
/// their content is still dropped). None of the kept ones nest deeply when parsed.
fn flatten(source: &str) -> String {
    const KEEP: &[&str] = &[
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "br", "title", "script", "style", "nav",
        "header", "footer", "aside", "meta", "pre",
    ];
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let name_start = if rest[1..].starts_with('/') { 2 } else { 1 };
        let name = tag_name(&rest.as_bytes()[name_start..]);
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        if name.is_empty() {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        if KEEP.contains(&name.as_str()) {
            out.push_str(&rest[..end]);
        } else {
            out.push(' ');
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn extract_parsed(source: &str) -> Result<Page, Skip> {
    let document = Html::parse_document(source);
    let root = document.tree.root();

    // Page signals (robots, refresh, language, `<title>`) and the main content.
    let mut page = Page::default();
    let mut title_tag: Option<String> = None;
    let mut main: Option<NodeRef<Node>> = None;
    let mut articles: Vec<NodeRef<Node>> = Vec::new();
    let mut body: Option<NodeRef<Node>> = None;
    for node in root.descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        match element.name() {
            "html" if page.lang.is_none() => {
                page.lang = element
                    .attr("lang")
                    .or_else(|| element.attr("xml:lang"))
                    .map(str::to_string);
            }
            "meta" => {
                if let Some(skip) = meta_skip(element) {
                    return Err(skip);
                }
            }
            "title" if title_tag.is_none() => title_tag = Some(text_of(node)),
            "body" if body.is_none() => body = Some(node),
            "main" if main.is_none() && !in_chrome(node) => main = Some(node),
            "article" if !in_chrome(node) => articles.push(node),
            _ if main.is_none()
                && element
                    .attr("role")
                    .is_some_and(|r| r.eq_ignore_ascii_case("main"))
                && !in_chrome(node) =>
            {
                main = Some(node)
            }
            _ => {}
        }
    }
    // The main content: `<main>` (or `role=main`), else the page's only `<article>`,
    // else the body. Site chrome around it (banners, menus, pop-ups) is not read.
    let marked = main.or_else(|| (articles.len() == 1).then(|| articles[0]));
    let content = marked.or(body).unwrap_or(root);
    let content_id = content.id();

    // Which nodes contain a heading (outside chrome)? Marking ancestors stops at
    // the first one already marked, so this is linear in the size of the tree.
    let mut contains_heading: HashSet<NodeId> = HashSet::new();
    let mut first_h1: Option<(NodeId, String)> = None;
    let mut first_heading: Option<(NodeId, String)> = None;
    let mut chrome_depth: Vec<NodeId> = Vec::new();
    for edge in content.traverse() {
        let node = match edge {
            ego_tree::iter::Edge::Open(node) => node,
            ego_tree::iter::Edge::Close(node) => {
                if chrome_depth.last() == Some(&node.id()) {
                    chrome_depth.pop();
                }
                continue;
            }
        };
        let Some(element) = node.value().as_element() else {
            continue;
        };
        if !chrome_depth.is_empty() {
            continue;
        }
        if is_chrome(element) {
            chrome_depth.push(node.id());
            continue;
        }
        let Some(level) = heading_level(element.name()) else {
            continue;
        };
        let text = super::normalize_space(&split_heading(node).0);
        if first_heading.is_none() && !text.is_empty() {
            first_heading = Some((node.id(), text.clone()));
        }
        if level == 1 && first_h1.is_none() && !text.is_empty() {
            first_h1 = Some((node.id(), text));
        }
        let mut up = node.parent();
        while let Some(ancestor) = up {
            if !contains_heading.insert(ancestor.id()) {
                break;
            }
            up = ancestor.parent();
        }
    }
    // A page without that markup (written by hand, or by an old template) names
    // its chrome the conventional way instead: `<div id="menu">`, `<div
    // class="footer">`, around the block that holds its headings (the deepest
    // holding all of them). Inside that block a name says less (YARD's
    // `full_list_nav` beside its list's heading): it is left to the rules below.
    let mut region = content;
    loop {
        let mut holding = region.children().filter(|c| {
            contains_heading.contains(&c.id()) || element_name(c).and_then(heading_level).is_some()
        });
        match (holding.next(), holding.next()) {
            (Some(only), None) if contains_heading.contains(&only.id()) => region = only,
            _ => break,
        }
    }
    let region_id = region.id();
    let named_chrome = |node: NodeRef<Node>| {
        marked.is_none() && is_named_chrome(node) && !node.ancestors().any(|a| a.id() == region_id)
    };
    // The title: the main content's first `h1`; else `<title>` without its site
    // suffix ("Chapter - Book" → "Chapter"), whose heading, if the content starts
    // with it, names the page and is no section.
    let bare_title = title_tag
        .as_deref()
        .map(super::normalize_space)
        .map(|t| strip_site_suffix(&t).to_string())
        .filter(|t| !t.is_empty());
    let title_heading = match (&first_h1, &first_heading, &bare_title) {
        (Some(h1), _, _) => Some(h1.clone()),
        (None, Some(first), Some(bare)) if first.1 == *bare => Some(first.clone()),
        _ => None,
    };
    page.title = title_heading
        .as_ref()
        .map(|(_, t)| t.clone())
        .or(bare_title);
    let title_node = title_heading.map(|(id, _)| id);

    let mut sections: Vec<RawSection> = Vec::new();
    let mut current = RawSection::default();
    let mut path: Vec<(u8, String)> = Vec::new();
    // Set on entering a `<section>` whose text before its first heading goes to
    // that heading's section.
    let mut carry = false;
    let mut stack: Vec<NodeRef<Node>> = content.children().rev().collect();
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(text) => push_inline(&mut current.text, text),
            Node::Element(element) => {
                let name = element.name();
                if is_chrome(element) || is_self_marker(node) {
                    continue;
                }
                if named_chrome(node) {
                    continue;
                }
                if let Some(level) = heading_level(name) {
                    let (text, content) = split_heading(node);
                    let text = super::normalize_space(&text);
                    // Blocks inside an unclosed heading are the section's text.
                    stack.extend(content.into_iter().rev());
                    let own_id = heading_id(node).map(str::to_string);
                    let section_id = enclosing_section_id(node, content_id);
                    // The heading that names the article is the title, not a section;
                    // what came before it (breadcrumbs) opens the introduction.
                    // Its id names the passage under it (mdBook's chapter heading).
                    if Some(node.id()) == title_node {
                        path.clear();
                        current.heading.clear();
                        match (&current.anchor, own_id) {
                            (None, Some(id)) => current.anchor = Some(id),
                            (_, id) => current.aliases.extend(id),
                        }
                        current.aliases.extend(section_id);
                        carry = false;
                        continue;
                    }
                    // Text of this heading's `<section>` before the heading is its own.
                    let prefix = if std::mem::take(&mut carry) {
                        std::mem::take(&mut current.text)
                    } else {
                        String::new()
                    };
                    let mut aliases = Vec::new();
                    let mut dropped = 0;
                    if !current.text.trim().is_empty() {
                        sections.push(std::mem::take(&mut current));
                    } else if current.dropped_links {
                        // Only lists of links: navigation, its ids lead nowhere; what
                        // it dropped still counts towards the page's link density.
                        dropped = current.dropped_chars;
                    } else {
                        // No text since the last heading: its ids lead to the next passage.
                        aliases.extend(current.anchor.take());
                        aliases.append(&mut current.aliases);
                    }
                    current = RawSection {
                        text: prefix,
                        dropped_chars: dropped,
                        ..RawSection::default()
                    };
                    while path.last().is_some_and(|(l, _)| *l >= level) {
                        path.pop();
                    }
                    path.push((level, text));
                    current.heading = path.iter().map(|(_, t)| t.clone()).collect();
                    current.aliases = aliases;
                    match own_id {
                        Some(id) => {
                            current.anchor = Some(id);
                            current.aliases.extend(section_id);
                        }
                        None => current.anchor = section_id,
                    }
                } else if contains_heading.contains(&node.id()) {
                    if matches!(name, "section" | "article") && !current.text.trim().is_empty() {
                        // A new sectioning element: what precedes its first heading
                        // (a rule marker, a version badge) belongs to that heading.
                        let heading = current.heading.clone();
                        sections.push(std::mem::take(&mut current));
                        current.heading = heading;
                        carry = true;
                    }
                    if is_block(name) {
                        current.text.push('\n');
                    }
                    stack.extend(node.children().rev());
                } else {
                    append_text(node, &mut current);
                }
            }
            _ => {}
        }
    }
    if !current.text.trim().is_empty() {
        sections.push(current);
    } else if let Some(last) = sections.last_mut() {
        last.dropped_chars += current.dropped_chars;
    }
    if is_source_listing(&sections) || is_code_page(&sections) {
        return Err(Skip::SourceListing);
    }
    locate_lines(source, &mut sections);
    page.sections = sections;
    Ok(page)
}

/// A source listing: a page whose text is essentially one code listing with a line
/// number per line (Doxygen `*_source.html`, javadoc `src-html/`, rustdoc `src/`).
/// It repeats the code that the documentation pages describe, and answers no
/// query better than they do. The signal, read from the text and not from any
/// generator's markup: at least [`MIN_LISTING_LINES`] lines start with a number
/// (not `1.` or `1)`, which are list items) greater than the previous such line's,
/// these are at least half of the page's non-blank lines, at least half of them
/// follow their predecessor by exactly one (hidden lines may leave gaps), and at
/// least a quarter look like code (nothing after the number, or text ending in one
/// of `{ } ; ( ) , :` or starting with `//`, `#`, `*`, `@`): a table with a numbered
/// first column or a timeline of years is not a listing.
fn is_source_listing(sections: &[RawSection]) -> bool {
    let (mut lines, mut numbered, mut steps, mut code) = (0usize, 0usize, 0usize, 0usize);
    let mut prev: Option<u64> = None;
    for line in sections.iter().flat_map(|s| s.text.lines()) {
        let line = line
            .trim()
            .trim_start_matches([super::CODE_MARK, super::PROSE_MARK])
            .trim();
        if line.is_empty() {
            continue;
        }
        lines += 1;
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &line[digits..];
        let Ok(n) = line[..digits].parse::<u64>() else {
            continue;
        };
        if rest.starts_with(['.', ')', ':']) || prev.is_some_and(|p| n <= p || n > p + 1000) {
            continue;
        }
        steps += usize::from(prev == Some(n.saturating_sub(1)));
        prev = Some(n);
        numbered += 1;
        let rest = rest.trim();
        code += usize::from(rest.is_empty() || looks_like_code(rest));
    }
    numbered >= MIN_LISTING_LINES
        && numbered * 2 >= lines
        && steps * 2 >= numbered
        && code * 4 >= numbered
}

/// See [`is_source_listing`].
const MIN_LISTING_LINES: usize = 10;

/// A line of code, by its ends: one of `{ } ; ( ) , :` last, or a comment or
/// annotation first (`//`, `#`, `*`, `@`).
fn looks_like_code(line: &str) -> bool {
    line.ends_with(['{', '}', ';', '(', ')', ',', ':'])
        || line.starts_with(['#', '*', '@'])
        || line.starts_with("//")
}

/// A source copy without line numbers: a page whose text is code alone (no line
/// of other text; headings aside), at least [`MIN_LISTING_LINES`] preformatted
/// lines, a quarter of them [`looks_like_code`] or holding a `=`, whose code
/// links to other pages of the site: the documentation of what it defines
/// (Sphinx's highlighted `_modules/` pages, a `[docs]` link beside each
/// documented definition, the docstrings repeating the API pages). The Rust
/// books' "final code" pages (code alone, documented by the chapters before
/// them, no links) stay; so do RDoc's class pages (each method's source under
/// its name) and a licence in a `<pre>`.
fn is_code_page(sections: &[RawSection]) -> bool {
    let (mut pre, mut code) = (0usize, 0usize);
    for line in sections.iter().flat_map(|s| s.text.lines()) {
        if let Some(line) = line.strip_prefix(super::CODE_MARK) {
            pre += 1;
            let line = line.trim();
            code += usize::from(looks_like_code(line) || line.contains('='));
        } else if line.trim().chars().any(char::is_alphanumeric) {
            return false;
        }
    }
    pre >= MIN_LISTING_LINES && code * 4 >= pre && sections.iter().any(|s| s.code_links > 0)
}

/// A link to another page of the same site: a relative address, not a fragment
/// of this page (`#x`), not another site (`https://…`, `mailto:`).
fn is_page_link(href: &str) -> bool {
    let href = href.trim();
    let scheme = href.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    !href.is_empty() && !href.starts_with('#') && !href.starts_with("//") && !scheme
}

/// A `<meta>` that keeps the page out of the index: robots `noindex`/`none`, or a
/// refresh that sends the reader elsewhere (a redirect stub).
fn meta_skip(element: &scraper::node::Element) -> Option<Skip> {
    let content = element.attr("content").unwrap_or("");
    if element
        .attr("name")
        .is_some_and(|n| n.eq_ignore_ascii_case("robots"))
        && content
            .split([',', ' ', '\t'])
            .any(|t| t.eq_ignore_ascii_case("noindex") || t.eq_ignore_ascii_case("none"))
    {
        return Some(Skip::NoIndex);
    }
    if element
        .attr("http-equiv")
        .is_some_and(|n| n.eq_ignore_ascii_case("refresh"))
        && content.to_ascii_lowercase().contains("url=")
    {
        return Some(Skip::Redirect);
    }
    None
}

/// Separators between a page's own title and the site's name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[" - ", " | ", " – ", " — ", " · ", " :: "];

/// `<title>` without the site name after its last separator.
fn strip_site_suffix(title: &str) -> &str {
    TITLE_SEPARATORS
        .iter()
        .filter_map(|sep| title.rfind(sep))
        .max()
        .map(|at| title[..at].trim())
        .filter(|t| !t.is_empty())
        .unwrap_or(title)
}

/// Page chrome, dropped with its content: boilerplate elements, form controls,
/// elements hidden from readers (`hidden`, `aria-hidden="true"`, inline
/// `display:none`/`visibility:hidden`), landmark roles that are not content
/// (navigation, search, banner, dialogs, menus), and mdBook's hidden "boring" code
/// lines.
fn is_chrome(element: &scraper::node::Element) -> bool {
    let name = element.name();
    if is_boilerplate(name)
        || matches!(
            name,
            "input" | "textarea" | "label" | "option" | "datalist" | "output" | "menu"
        )
    {
        return true;
    }
    // Most elements have no attributes: nothing more to look at.
    if element.attrs.is_empty() {
        return false;
    }
    if element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return true;
    }
    if let Some(role) = element.attr("role")
        && role.split_ascii_whitespace().any(|r| {
            matches!(
                r.to_ascii_lowercase().as_str(),
                "dialog"
                    | "alertdialog"
                    | "navigation"
                    | "search"
                    | "banner"
                    | "contentinfo"
                    | "complementary"
                    | "menu"
                    | "menubar"
                    | "toolbar"
                    | "tooltip"
                    | "button"
                    | "tablist"
            )
        })
    {
        return true;
    }
    if let Some(style) = element.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    name == "span" && element.has_class("boring", CaseSensitivity::CaseSensitive)
}

/// A block named as site chrome by its `id` or a class (`footer`, `menu`,
/// `site-nav`, `left_sidebar`), holding no heading: the conventional names of
/// the parts around a page's content (the candidates Readability and boilerpipe
/// pass over), for pages without `<main>`, `<nav>` or `<footer>`.
fn is_named_chrome(node: NodeRef<Node>) -> bool {
    const NAMES: [&str; 11] = [
        "footer",
        "header",
        "menu",
        "nav",
        "navbar",
        "navigation",
        "sidebar",
        "breadcrumb",
        "breadcrumbs",
        "masthead",
        "topnav",
    ];
    let Some(element) = node.value().as_element() else {
        return false;
    };
    if !matches!(
        element.name(),
        "div" | "section" | "ul" | "ol" | "p" | "table"
    ) {
        return false;
    }
    // A compound name counts by its last part ("left_sidebar", "site-nav"), but
    // a header or footer only of the whole site or page: a card's or a table's
    // header is content.
    let chrome = |token: &str| {
        let token = token.to_ascii_lowercase();
        let mut parts = token.rsplitn(2, ['-', '_']);
        let last = parts.next().unwrap_or("");
        match parts.next() {
            None => NAMES.contains(&last),
            Some(_) if matches!(last, "header" | "footer") => {
                matches!(
                    token.split(['-', '_']).next(),
                    Some("site" | "page" | "global")
                )
            }
            Some(_) => NAMES.contains(&last),
        }
    };
    let named = element.id().is_some_and(chrome) || element.classes().any(chrome);
    named
        && !node
            .descendants()
            .any(|d| element_name(&d).and_then(heading_level).is_some())
}

fn in_chrome(node: NodeRef<Node>) -> bool {
    node.ancestors()
        .any(|a| a.value().as_element().is_some_and(is_chrome))
}

/// A permalink marker: an element whose only content is a link to itself
/// (`<div id="r-x"><a href="#r-x">[x]</a></div>`, the Rust reference's rule
/// markers). Not text.
fn is_self_marker(node: NodeRef<Node>) -> bool {
    let Some(element) = node.value().as_element() else {
        return false;
    };
    // A heading that is its own link (mdBook) is a heading, and a definition
    // term that is (Cargo's `<dt id="option-…"><a href="#option-…">--release`)
    // is the term its description defines.
    let Some(id) = element
        .id()
        .filter(|_| heading_level(element.name()).is_none() && element.name() != "dt")
    else {
        return false;
    };
    let mut link = None;
    for child in node.children() {
        match child.value() {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Element(e) if link.is_none() && e.name() == "a" => link = Some(e),
            _ => return false,
        }
    }
    link.and_then(|a| a.attr("href"))
        .and_then(|href| href.strip_prefix('#'))
        .is_some_and(|target| target == id)
}

/// The fragment that leads to a heading: its own `id`; else the `id` of a
/// span or anchor inside it or the `name` of an anchor inside it (MediaWiki's
/// `<h2><span id="History">`, DocBook's `<h3><a name="mc-manual.leaks"></a>`);
/// else those of an empty anchor just before it (`<a name="x"></a><h2>`).
fn heading_id<'a>(heading: NodeRef<'a, Node>) -> Option<&'a str> {
    // An anchor's id or name, or a span's id (not a button's or an icon's).
    fn target<'a>(node: NodeRef<'a, Node>) -> Option<&'a str> {
        let element = node.value().as_element()?;
        match element.name() {
            "a" => element.id().or_else(|| element.attr("name")),
            "span" => element.id(),
            _ => None,
        }
        .filter(|id| !id.trim().is_empty())
    }
    if let Some(id) = heading.value().as_element().and_then(|e| e.id()) {
        return Some(id);
    }
    if let Some(id) = heading.descendants().skip(1).find_map(target) {
        return Some(id);
    }
    let before = heading
        .prev_siblings()
        .find(|n| !matches!(n.value(), Node::Text(t) if t.trim().is_empty()))?;
    let empty = !before.descendants().any(|d| match d.value() {
        Node::Text(t) => !t.trim().is_empty(),
        _ => false,
    });
    (element_name(&before) == Some("a") && empty)
        .then(|| target(before))
        .flatten()
}

/// A link without letters or digits (`§`, `¶`, `#`): a permalink symbol, not text.
fn is_symbol_link(node: NodeRef<Node>) -> bool {
    node.value().as_element().is_some_and(|e| e.name() == "a")
        && !node.descendants().any(|d| match d.value() {
            Node::Text(t) => t.chars().any(char::is_alphanumeric),
            _ => false,
        })
}

/// The `id` of the nearest enclosing `<section>` (or `<article>`) whose first
/// heading is this one (rustdoc: `<section id="method.len"><span>…</span><h4>`),
/// inside the content root.
fn enclosing_section_id(heading: NodeRef<Node>, content: NodeId) -> Option<String> {
    let section = heading
        .ancestors()
        .take_while(|a| a.id() != content)
        .find(|a| element_name(a).is_some_and(|n| matches!(n, "section" | "article")))?;
    let id = section.value().as_element()?.id()?;
    let first = section
        .descendants()
        .find(|d| element_name(d).and_then(heading_level).is_some())?;
    (first.id() == heading.id()).then(|| id.to_string())
}

/// A heading's own text, and the block elements inside it. An unclosed heading
/// (`<h2>Title<p>text…`) swallows the rest of the page in html5ever's tree; those
/// blocks are the section's text, not part of its heading. Chrome (a "copy" button)
/// and permalink symbols are not part of the heading.
fn split_heading(heading: NodeRef<Node>) -> (String, Vec<NodeRef<Node>>) {
    let mut text = String::new();
    let mut blocks = Vec::new();
    let mut stack: Vec<NodeRef<Node>> = heading.children().rev().collect();
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(element) if is_chrome(element) || is_symbol_link(node) => {}
            Node::Element(element) if is_block(element.name()) => {
                if element.name() == "br" {
                    text.push(' ');
                } else {
                    blocks.push(node);
                }
            }
            Node::Element(_) => stack.extend(node.children().rev()),
            _ => {}
        }
    }
    (text, blocks)
}

/// Plain text of a subtree (used for `<title>`).
fn text_of(node: NodeRef<Node>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            out.push_str(t);
        }
    }
    out
}

/// Appends text with runs of whitespace collapsed to one space.
///
/// Performance: ASCII text (nearly all) is scanned by bytes; the rest by
/// [`push_inline_unicode`], with the same result (whitespace is `char::is_whitespace`).
fn push_inline(out: &mut String, text: &str) {
    if !text.is_ascii() {
        return push_inline_unicode(out, text);
    }
    // The ASCII characters for which `char::is_whitespace` holds.
    let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    let room = |out: &String| !out.is_empty() && !out.ends_with([' ', '\n']);
    let bytes = text.as_bytes();
    let i = bytes.iter().position(|&b| !space(b)).unwrap_or(bytes.len());
    if i == bytes.len() {
        if !text.is_empty() && room(out) {
            out.push(' ');
        }
        return;
    }
    if i > 0 && room(out) {
        out.push(' ');
    }
    super::push_normalized(out, &text[i..]);
    if space(bytes[bytes.len() - 1]) {
        out.push(' ');
    }
}

/// [`push_inline`] for any text.
fn push_inline_unicode(out: &mut String, text: &str) {
    let starts_with_space = text.starts_with(char::is_whitespace);
    let ends_with_space = text.ends_with(char::is_whitespace);
    let mut words = text.split_whitespace().peekable();
    if words.peek().is_none() {
        if !text.is_empty() && !out.ends_with([' ', '\n']) && !out.is_empty() {
            out.push(' ');
        }
        return;
    }
    if starts_with_space && !out.ends_with([' ', '\n']) && !out.is_empty() {
        out.push(' ');
    }
    let mut first = true;
    for word in words {
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
    if ends_with_space {
        out.push(' ');
    }
}

/// Appends preformatted text line by line, each line marked as code.
fn push_pre(out: &mut String, text: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        if out.is_empty() || out.ends_with('\n') {
            out.push(super::CODE_MARK);
        }
        out.push_str(line);
    }
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Appends the readable text of a subtree to a section: block elements on their
/// own lines, list items prefixed with `- `, `<pre>` line by line, tables rendered
/// by html2text, chrome skipped; letters inside links are counted.
fn append_text(node: NodeRef<Node>, section: &mut RawSection) {
    enum Step<'a> {
        Open(NodeRef<'a, Node>, usize),
        Close(&'a str),
    }
    let out = &mut section.text;
    let mut pre = 0usize;
    let mut link = 0usize;
    let mut prose = 0usize;
    let mut stack = vec![Step::Open(node, 0)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Close(name) => {
                match name {
                    "pre" => pre -= 1,
                    "a" => link -= 1,
                    _ if is_prose(name) => prose -= 1,
                    _ => {}
                }
                if is_block(name) {
                    newline(out);
                }
            }
            Step::Open(node, depth) => {
                match node.value() {
                    Node::Text(t) => {
                        if pre > 0 {
                            push_pre(out, t);
                        } else {
                            if prose > 0
                                && (out.is_empty() || out.ends_with('\n'))
                                && !t.trim().is_empty()
                            {
                                out.push(super::PROSE_MARK);
                            }
                            push_inline(out, t);
                        }
                        if link > 0 {
                            section.link_chars += t.chars().filter(|c| c.is_alphanumeric()).count();
                        }
                    }
                    Node::Element(element) => {
                        let name = element.name();
                        if is_chrome(element) || is_self_marker(node) {
                            continue;
                        }
                        if matches!(name, "ul" | "ol" | "table" | "dl" | "div") && link > 0 {
                            // Inside a link: counted by the enclosing list or section.
                        } else if let Some(chars) = navigation_chars(node) {
                            // A table of contents, an alphabetical index (`genindex`).
                            section.dropped_links = true;
                            section.dropped_chars += chars;
                            continue;
                        } else if name == "p" && link == 0 && pre == 0 && is_caption(node) {
                            // The caption of the navigation list below it goes with it.
                            section.dropped_links = true;
                            section.dropped_chars += link_counts(node).0;
                            continue;
                        }
                        if name == "table" && depth < MAX_TABLE_DEPTH && render_table(node, out) {
                            continue;
                        }
                        match name {
                            "pre" => pre += 1,
                            "a" if is_symbol_link(node) => continue,
                            "a" => {
                                link += 1;
                                section.code_links += usize::from(
                                    pre > 0 && element.attr("href").is_some_and(is_page_link),
                                );
                            }
                            _ if is_prose(name) => prose += 1,
                            _ => {}
                        }
                        if is_block(name) {
                            newline(out);
                        }
                        match name {
                            "li" => {
                                out.push(super::PROSE_MARK);
                                out.push_str("- ");
                            }
                            "td" | "th" => push_inline(out, " "),
                            _ => {}
                        }
                        stack.push(Step::Close(name));
                        stack.extend(node.children().rev().map(|c| Step::Open(c, depth + 1)));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The letters and digits of a list, table or grid that is navigation (dropped
/// from the text, counted towards the page's link density), or None when it is
/// content.
fn navigation_chars(node: NodeRef<Node>) -> Option<usize> {
    let Node::Element(element) = node.value() else {
        return None;
    };
    let name = element.name();
    if name == "div" {
        return is_catalogue(node).then(|| link_counts(node).0);
    }
    if !matches!(name, "ul" | "ol" | "table" | "dl") {
        return None;
    }
    let (chars, link_chars) = link_counts(node);
    // A definition list is judged by its definitions: terms defined only by
    // links are a word index (each word → the pages using it), whatever the terms.
    let (judged, judged_links) = if name == "dl" {
        node.children()
            .filter(|c| matches!(c.value(), Node::Element(e) if e.name() == "dd"))
            .map(link_counts)
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d))
    } else {
        (chars, link_chars)
    };
    // A table only of links is navigation, however short (a letter of Sphinx's
    // general index with one entry). A short list of links stays: a "see also"
    // line is content.
    let all_links = name == "table" && link_chars > 0 && link_chars == chars;
    (super::is_link_dense(judged, judged_links)
        || all_links
        || is_term_index(node)
        || is_member_table(node)
        || is_catalogue(node))
    .then_some(chars)
}

/// A paragraph that captions the navigation list right after it: a short one
/// (at most [`MAX_GLOSS_WORDS`] words) whose links all lead to pages the list
/// links to ("This is the complete list of members for Json::Value, including
/// all inherited members." above Doxygen's member table, the class named by a
/// link to its page). It names what the list lists and goes with it. A paragraph
/// without links (a chapter's one-sentence introduction above its table of
/// contents) or linking elsewhere is content, and so is one longer than a
/// [`CAPTIONED_RATIO`]th of its list (a guide's "Check out the metadata you can
/// specify… make sure you have filled out the following fields:" above five links
/// into that page).
fn is_caption(p: NodeRef<Node>) -> bool {
    let pages = |node: NodeRef<Node>| -> Vec<String> {
        node.descendants()
            .filter_map(|d| match d.value() {
                Node::Element(e) if e.name() == "a" => e.attr("href"),
                _ => None,
            })
            .filter(|h| is_page_link(h))
            .map(|h| h.trim().split('#').next().unwrap_or("").to_string())
            .collect()
    };
    // Cheapest tests first: most paragraphs have no link.
    let links = p
        .descendants()
        .filter(|d| matches!(d.value(), Node::Element(e) if e.name() == "a"))
        .count();
    if links == 0 {
        return false;
    }
    let own = pages(p);
    if own.len() < links {
        return false;
    }
    let Some(list) = p.next_siblings().find(|n| match n.value() {
        Node::Text(t) => !t.trim().is_empty(),
        Node::Element(_) => true,
        _ => false,
    }) else {
        return false;
    };
    if !list.value().is_element() || words_of(p).len() > MAX_GLOSS_WORDS {
        return false;
    }
    match navigation_chars(list) {
        Some(listed) if listed >= CAPTIONED_RATIO * link_counts(p).0 => {}
        _ => return false,
    }
    let listed = pages(list);
    own.iter().all(|page| listed.contains(page))
}

/// A list of at least [`MIN_INDEX_ITEMS`] items, each one or more links beside a
/// term of one to [`MAX_TERM_WORDS`] words and nothing else (Doxygen's member index:
/// `isMember() : Json::Value`; YARD's method list: `#stubs Mocha::Mock`, a link
/// named by a symbol alone, `#&`, is a link; javadoc's class tree, nested lists
/// of `java.lang.Object` and `(implements p.Iface<T>)`): a word index, however long
/// its terms (or links each named by one name, with names and at most one word of
/// letters beside them:
/// `Mocha::Integration::MiniTest`, `p.`, `<T>` are names; each item by its own text,
/// nested lists' items being items); from 40 letters
/// and digits up, as for link density (three one-word links in a sentence's list stay).
/// A list of whole links is judged by its density alone; at five items, the short
/// lists of the Rust books (`strict` / `reserved` / `weak`) stay. A definition
/// list's items are its terms and definitions: gtk-doc's symbol index is terms
/// alone (`cd_window_new, cd_window_new ()`); a glossary's definitions are prose.
fn is_term_index(list: NodeRef<Node>) -> bool {
    let Node::Element(e) = list.value() else {
        return false;
    };
    let dl = match e.name() {
        "ul" | "ol" => false,
        "dl" => true,
        _ => return false,
    };
    let is =
        |n: &NodeRef<Node>, name: &str| matches!(n.value(), Node::Element(e) if e.name() == name);
    // A list's items; a definition list's terms and definitions (gtk-doc's symbol
    // index: terms only, `cd_window_new, cd_window_new ()`).
    let is_item = |n: &NodeRef<Node>| {
        if dl {
            is(n, "dt") || is(n, "dd")
        } else {
            is(n, "li")
        }
    };
    // Nested lists' items are items (a class tree); each is judged by its own text.
    let items: Vec<NodeRef<Node>> = list.descendants().filter(is_item).collect();
    let mut chars = 0usize;
    items.len() >= MIN_INDEX_ITEMS
        && items.iter().all(|&item| {
            let (mut links, mut terms, mut words, mut runs) = (0usize, 0usize, 0usize, 0usize);
            // Every link is named by one name (`#stubs`, `AtomicInitializer`), not
            // a phrase (`Boolean type` — `bool` in the Rust reference is content).
            let mut named_links = true;
            for node in item.descendants() {
                let Node::Text(t) = node.value() else {
                    continue;
                };
                let (mut in_link, mut own) = (false, true);
                for a in node.ancestors().take_while(|a| a.id() != item.id()) {
                    in_link |= is(&a, "a");
                    own &= !is_item(&a);
                }
                if !own {
                    continue;
                }
                chars += t.chars().filter(|c| c.is_alphanumeric()).count();
                if in_link {
                    // A link named by a symbol alone (YARD's `#&` method) is a link.
                    links += t.chars().filter(|c| !c.is_whitespace()).count();
                    named_links &= !t.trim().contains(char::is_whitespace);
                    continue;
                }
                runs += t
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .filter(|w| !w.is_empty())
                    .count();
                for token in t.split_whitespace() {
                    if !token.chars().any(char::is_alphanumeric) {
                        continue;
                    }
                    terms += 1;
                    // A word of prose, not a name: letters alone (`implements`, `a`),
                    // not `Mocha::Mock`, `java.lang.`, nor a type parameter `<T>`.
                    let core = token.trim_matches(|c: char| !c.is_alphanumeric());
                    let single_capital =
                        core.chars().count() == 1 && core.chars().all(char::is_uppercase);
                    words += usize::from(core.chars().all(char::is_alphabetic) && !single_capital);
                }
            }
            // A term of up to three words, or names with at most one word of prose:
            // `round to nearest` beside a constant is a term; `use MXCSR.RC - see`
            // is a description.
            links > 0
                && ((1..=MAX_TERM_WORDS).contains(&runs)
                    || (named_links && terms > 0 && words <= 1))
        })
        && chars >= super::MIN_LINK_DENSITY_CHARS
}

/// A member table: a table of at least [`MIN_INDEX_ITEMS`] rows, each starting with
/// a link to another page (a member documented there), holding a second such link
/// (to where it is defined) and no sentence (no text ending in `.`): Doxygen's "complete list of
/// members" (`parse(char const *doc)=0 | Json::CharReader | pure virtual`). It
/// repeats the signatures of the pages it links to. A table of links with
/// descriptions, with one link a row (a cost table naming `Vec`), or linking within
/// its page (Python's table of `collections.abc` classes and their bases) stays.
fn is_member_table(table: NodeRef<Node>) -> bool {
    let is =
        |n: &NodeRef<Node>, name: &str| matches!(n.value(), Node::Element(e) if e.name() == name);
    let is_link = |n: &NodeRef<Node>| matches!(n.value(), Node::Element(e) if e.name() == "a" && e.attr("href").is_some_and(|h| !h.starts_with('#')));
    // The table's own rows, not those of tables nested in it.
    let rows: Vec<NodeRef<Node>> = table
        .descendants()
        .filter(|n| is(n, "tr"))
        .filter(|n| n.ancestors().find(|a| is(a, "table")).map(|a| a.id()) == Some(table.id()))
        .filter(|row| row.children().any(|c| is(&c, "td")))
        .collect();
    rows.len() >= MIN_INDEX_ITEMS
        && rows.iter().all(|row| {
            let Some(first) = row.children().find(|c| is(c, "td")) else {
                return false;
            };
            let starts_with_link = first
                .descendants()
                .find(|n| matches!(n.value(), Node::Text(t) if !t.trim().is_empty()))
                .is_some_and(|text| {
                    text.ancestors()
                        .take_while(|a| a.id() != first.id())
                        .any(|a| is_link(&a))
                });
            let links = row.descendants().filter(is_link).count();
            let sentence = row
                .descendants()
                .any(|n| matches!(n.value(), Node::Text(t) if t.trim_end().ends_with('.')));
            starts_with_link && links >= 2 && !sentence
        })
}

/// A catalogue: at least [`MIN_INDEX_ITEMS`] rows, each named by a link to
/// another page of the site ([`is_page_link`]) standing alone in its cell, the
/// name one word (`unittest`, `EqualsBuilder`, `Builder<T>`), beside a gloss of
/// at most [`MAX_GLOSS_WORDS`] words (that page's synopsis): Sphinx's module index,
/// javadoc's class and package summaries (a grid of `div` cells), a module's
/// item table. A row of more cells (a cost table: `Vec`, `O(1)`, `O(n)`) is data;
/// so is a row described by code alone (the Rust reference's `MetaWord` | `no_std`). Rows are a table's rows (the first cell with text names the row),
/// a definition list's terms (their definitions the gloss) or a grid's cells (a
/// name cell opens a row, the cells after it are its gloss). Rows without links
/// of at most [`MAX_TERM_WORDS`] words (a letter, a column header) may separate
/// the rows. A row that names what it describes inside a sentence, a link to a
/// place in the same page (a table of the page's own classes), a name of several
/// words (a chapter title) or a longer description makes the list content.
fn is_catalogue(list: NodeRef<Node>) -> bool {
    let Node::Element(e) = list.value() else {
        return false;
    };
    let is =
        |n: &NodeRef<Node>, name: &str| matches!(n.value(), Node::Element(e) if e.name() == name);
    // The rows, each as its cells in order.
    let rows: Vec<Vec<NodeRef<Node>>> = match e.name() {
        "table" => list
            .descendants()
            .filter(|n| is(n, "tr"))
            .filter(|n| n.ancestors().find(|a| is(a, "table")).map(|a| a.id()) == Some(list.id()))
            .map(|row| {
                row.children()
                    .filter(|c| is(c, "td") || is(c, "th"))
                    .filter(|c| !words_of(*c).is_empty())
                    .collect()
            })
            .collect(),
        "dl" | "div" => {
            let cells: Vec<NodeRef<Node>> =
                list.children().filter(|c| c.value().is_element()).collect();
            // A grid holds cells only; a `div` of ten or more.
            if e.name() == "div"
                && (cells.len() < 2 * MIN_INDEX_ITEMS || !cells.iter().all(|c| is(c, "div")))
            {
                return false;
            }
            let mut rows: Vec<Vec<NodeRef<Node>>> = Vec::new();
            for cell in cells {
                if name_link(cell).is_some() || rows.is_empty() {
                    rows.push(vec![cell]);
                } else if let Some(row) = rows.last_mut() {
                    row.push(cell);
                }
            }
            rows
        }
        _ => return false,
    };
    let mut named = 0usize;
    for row in &rows {
        let Some((first, rest)) = row.split_first() else {
            continue;
        };
        let Some(extra) = name_link(*first) else {
            // A separator: no link, a few words (a letter, column headers).
            let words: usize = row.iter().map(|c| words_of(*c).len()).sum();
            let links = row.iter().any(|c| c.descendants().any(|d| is(&d, "a")));
            if links || words > MAX_TERM_WORDS * row.len().max(1) {
                return false;
            }
            continue;
        };
        let gloss: usize = extra + rest.iter().map(|c| words_of(*c).len()).sum::<usize>();
        // One description beside the name: more cells are data (a cost table);
        // a description in words, not code alone (a table of syntax examples).
        let code_only = rest.iter().any(|c| {
            c.descendants().all(|d| match d.value() {
                Node::Text(t) => {
                    !t.chars().any(char::is_alphanumeric)
                        || d.ancestors()
                            .take_while(|a| a.id() != c.id())
                            .any(|a| matches!(a.value(), Node::Element(e) if matches!(e.name(), "code" | "pre" | "kbd" | "samp" | "tt")))
                }
                _ => true,
            })
        });
        if rest.len() > 1 || code_only || gloss > MAX_GLOSS_WORDS {
            return false;
        }
        named += 1;
    }
    named >= MIN_INDEX_ITEMS
}

/// The words after the name when a cell is named by a link: its first word is
/// (mostly) the text of a link to another page of the site, a one-word name;
/// what follows it (a platform note, `(Unix)`) is gloss.
fn name_link(cell: NodeRef<Node>) -> Option<usize> {
    let words = words_of(cell);
    let first = words.first()?;
    let alnum = |w: &str| w.chars().filter(|c| c.is_alphanumeric()).count();
    let link = cell.descendants().find(|d| {
        matches!(d.value(), Node::Element(e) if e.name() == "a" && e.attr("href").is_some_and(is_page_link))
    })?;
    let name = words_of(link);
    (name.len() == 1 && first.contains(name[0].as_str()) && alnum(&name[0]) * 2 > alnum(first))
        .then(|| words.len() - 1)
}

/// The whitespace-separated words of a subtree's text (with letters or digits).
fn words_of(node: NodeRef<Node>) -> Vec<String> {
    let mut text = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            text.push_str(t);
        }
    }
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// See [`is_catalogue`].
const MAX_GLOSS_WORDS: usize = 30;

/// The list a caption captions holds at least this many times its letters and
/// digits ([`is_caption`]).
const CAPTIONED_RATIO: usize = 2;

/// See [`is_term_index`].
const MIN_INDEX_ITEMS: usize = 5;
/// See [`is_term_index`].
const MAX_TERM_WORDS: usize = 3;

/// Letters and digits of a list or table, and those of them inside links: when
/// mostly link text (a table of contents, an alphabetical index), navigation.
fn link_counts(list: NodeRef<Node>) -> (usize, usize) {
    let (mut chars, mut link_chars) = (0usize, 0usize);
    for node in list.descendants() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let n = t.chars().filter(|c| c.is_alphanumeric()).count();
        chars += n;
        let in_link = node
            .ancestors()
            .take_while(|a| a.id() != list.id())
            .any(|a| matches!(a.value(), Node::Element(e) if e.name() == "a"));
        if in_link {
            link_chars += n;
        }
    }
    (chars, link_chars)
}

/// Lays a table out with html2text, cells as plain text (no link references, no
/// emphasis marks). Returns false (caller walks it) if the table is nested too
/// deeply for html2text's recursive renderer, or too large for its layout (a
/// table of 900,000 cells, 8.7 MB, took 1.9 GB).
fn render_table(node: NodeRef<Node>, out: &mut String) -> bool {
    if node.descendants().nth(MAX_TABLE_NODES).is_some() {
        return false;
    }
    let too_deep = node
        .descendants()
        .any(|d| d.ancestors().take(MAX_TABLE_DEPTH).count() >= MAX_TABLE_DEPTH);
    if too_deep {
        return false;
    }
    let Some(element) = ElementRef::wrap(node) else {
        return false;
    };
    let html = element.html();
    match html2text::config::with_decorator(TrivialDecorator::new())
        .no_table_borders()
        .link_footnotes(false)
        .string_from_read(html.as_bytes(), 200)
    {
        Ok(text) => {
            newline(out);
            out.push_str(&text);
            newline(out);
            true
        }
        Err(_) => false,
    }
}

/// 1-based line numbers of byte offsets of a text, as [`super::Lines::line_of`] gives them.
///
/// Performance: the newlines are counted from the last offset asked for (the
/// offsets of [`locate_lines`] only grow), not indexed over the whole page first.
struct LineCounter<'a> {
    text: &'a [u8],
    /// The last offset asked for, and the newlines before it.
    at: usize,
    newlines: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            newlines: 0,
        }
    }

    fn line_of(&mut self, offset: usize) -> u32 {
        let offset = offset.min(self.text.len());
        if offset < self.at {
            (self.at, self.newlines) = (0, 0);
        }
        let ahead = &self.text[self.at..offset];
        self.newlines += ahead.iter().filter(|&&b| b == b'\n').count();
        self.at = offset;
        1 + self.newlines as u32
    }
}

/// Sets each section's line range by finding its heading in the source, in order.
///
/// A heading that is not found costs a scan of the rest of the source; after a few
/// source lengths of such scans the rest are not searched for (they keep the last
/// position), so pages with thousands of unfindable headings stay linear.
fn locate_lines(source: &str, sections: &mut [RawSection]) {
    let mut lines = LineCounter::new(source);
    let mut from = source.find("<body").unwrap_or(0);
    let mut budget = source.len().saturating_mul(8);
    let mut find = |from: usize, needle: &str| {
        if budget == 0 {
            return None;
        }
        let found = source[from..].find(needle);
        if found.is_none() {
            budget = budget.saturating_sub(source.len() - from + needle.len());
        }
        found
    };
    let mut starts = Vec::with_capacity(sections.len());
    for section in sections.iter() {
        // The anchor as an id, or as the name of an `<a name>` (DocBook), in one
        // scan; else the heading's text (which a table of contents may hold first).
        let found = section
            .anchor
            .as_ref()
            .and_then(|a| {
                let quoted = format!("\"{a}\"");
                let mut at = from;
                while let Some(i) = find(at, &quoted) {
                    let before = &source.as_bytes()[..at + i];
                    let attribute = |name: &[u8]| {
                        before.ends_with(name)
                            && before[..before.len() - name.len()]
                                .last()
                                .is_some_and(u8::is_ascii_whitespace)
                    };
                    if attribute(b"id=") || attribute(b"name=") {
                        return Some(at + i - from);
                    }
                    at += i + 1;
                }
                None
            })
            .or_else(|| section.heading.last().and_then(|h| find(from, h.as_str())));
        if let Some(at) = found {
            from += at;
        }
        starts.push(lines.line_of(from));
    }
    let last_line = lines.line_of(source.rfind("</body>").unwrap_or(source.len()));
    for i in 0..sections.len() {
        let start = starts[i];
        let end = starts
            .get(i + 1)
            .map(|&next| next.saturating_sub(1).max(start))
            .unwrap_or(last_line.max(start));
        sections[i].lines = (start, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's title, sections (their text without prose marks) and warning.
    fn ex(source: &str) -> (Option<String>, Vec<RawSection>, Option<String>) {
        let mut page = extract(source).expect("a page to index");
        for section in &mut page.sections {
            section.text = section.text.replace(super::super::PROSE_MARK, "");
        }
        (page.title, page.sections, page.warning)
    }

    fn headings(sections: &[RawSection]) -> Vec<(String, Option<String>)> {
        sections
            .iter()
            .map(|s| (s.heading.join(" > "), s.anchor.clone()))
            .collect()
    }

    #[test]
    fn headings_with_and_without_ids_and_boilerplate() {
        let html = r#"<!doctype html><html><head><title>Site | Page</title><style>p{}</style></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>Liver Cancer</h1>
<p>Intro <b>text</b>.</p>
<section id="causes-sec"><h2>Causes</h2><p>Alcohol &amp; hepatitis.</p></section>
<section><h2 id="tests">Exams and tests</h2><ul><li>CEA</li><li>AFP</li></ul>
<div><h3>Imaging</h3><p>CT scan.</p><script>var x = 1;</script></div></section>
<h2>Treatment</h2><p>Surgery.</p>
</article></main>
<footer>Was this article helpful? Contact us</footer>
<aside>Related links</aside></body></html>"#;
        let (title, sections, _) = ex(html);
        assert_eq!(title.as_deref(), Some("Liver Cancer"));
        assert_eq!(
            headings(&sections),
            [
                (String::new(), None),
                ("Causes".into(), Some("causes-sec".into())),
                ("Exams and tests".into(), Some("tests".into())),
                ("Exams and tests > Imaging".into(), None),
                ("Treatment".into(), None),
            ]
        );
        assert_eq!(sections[0].text.trim(), "Intro text.");
        assert_eq!(sections[1].text.trim(), "Alcohol & hepatitis.");
        assert!(sections[2].text.contains("- CEA\n- AFP"));
        assert_eq!(sections[3].text.trim(), "CT scan.");
        let all: String = sections.iter().map(|s| s.text.clone()).collect();
        for noise in ["Home", "helpful", "Related", "var x", "p{}"] {
            assert!(!all.contains(noise), "{noise} leaked into the text");
        }
        assert_eq!(sections[4].lines.0, 8);
    }

    #[test]
    fn title_falls_back_to_title_tag_and_text_without_headings_is_an_introduction() {
        let (title, sections, _) = ex("<title>Only title</title><p>Just a paragraph</p>");
        assert_eq!(title.as_deref(), Some("Only title"));
        assert_eq!(sections.len(), 1);
        assert!(sections[0].heading.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 100_000;
        let html = format!(
            "<h1>T</h1>{}<h2>Deep</h2><p>deep text</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let (_, sections, warning) = ex(&html);
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].heading, ["Deep"]);
        assert_eq!(sections[0].text.trim(), "deep text");
        assert!(warning.is_some());
        assert_eq!(
            nesting_depth("<div><p>a</p><br><img src=x/><div></div></div>"),
            2
        );
    }

    #[test]
    fn unclosed_tags_still_yield_text() {
        let (title, sections, _) = ex("<h1>T<h2>A</h2><p>one<p>two<li>three");
        assert_eq!(title.as_deref(), Some("T"));
        assert!(sections.iter().any(|s| s.text.contains("three")));
    }

    #[test]
    fn line_counter_agrees_with_lines() {
        let text = "a\nbb\n\nccc\n\u{e9}\nend";
        let lines = crate::extract::Lines::new(text);
        let mut counter = LineCounter::new(text);
        for offset in [0, 1, 2, 5, 5, 6, 9, 3, 12, 13, 100, 0, 14] {
            assert_eq!(counter.line_of(offset), lines.line_of(offset), "{offset}");
        }
    }

    #[test]
    fn push_inline_scans_ascii_as_the_unicode_path_does() {
        let texts = [
            "",
            " ",
            "\n\t ",
            "word",
            " word",
            "word ",
            "  two\twords\n",
            "a\x0bb\x0cc\rd",
            "\x0c",
            "x\u{a0}y",
            " caf\u{e9} \u{85}",
            "end.\r\n",
        ];
        for before in ["", "text", "text ", "line\n"] {
            for text in texts {
                let (mut fast, mut slow) = (before.to_string(), before.to_string());
                push_inline(&mut fast, text);
                push_inline_unicode(&mut slow, text);
                assert_eq!(fast, slow, "{before:?} + {text:?}");
            }
        }
    }

    #[test]
    fn tables_are_laid_out_by_html2text() {
        let (_, sections, _) = ex(
            "<h2>Doses</h2><table><tr><th>Age</th><th>Dose</th></tr><tr><td>Adult</td><td>10 mg</td></tr></table>",
        );
        let text = &sections[0].text;
        assert!(text.contains("Age") && text.contains("10 mg"), "{text}");
    }

    #[test]
    fn a_tag_flooded_with_attributes_loses_them_and_keeps_its_lines() {
        let flood = |each: &dyn Fn(usize) -> String| -> String {
            (0..MAX_ATTRIBUTES + 1).map(each).collect()
        };
        for attributes in [
            flood(&|i| format!(" a{i}=\"{i}\"\n")),
            flood(&|i| format!(" a{i}")),
            flood(&|i| format!(" a{i}='>'")),
            flood(&|i| format!(" a{i}=x<y")),
        ] {
            let html = format!("<h2>Flood</h2><x-y{attributes}>walrus tusks</x-y>\n<p>okapi</p>");
            let trimmed = without_attribute_floods(&html).expect("a flood");
            assert_eq!(trimmed.lines().count(), html.lines().count());
            assert!(
                trimmed.contains("<x-y") && !trimmed.contains("a5"),
                "{trimmed:.200}"
            );
            let (_, sections, warning) = ex(&html);
            assert!(sections[0].text.contains("walrus") && sections[0].text.contains("okapi"));
            assert!(warning.unwrap().contains("attributes"));
        }
        // Repeated <body> tags whose attributes add up.
        let bodies: String = (0..20)
            .map(|b| {
                format!(
                    "<body {}>",
                    (0..60).map(|i| format!("b{b}x{i} ")).collect::<String>()
                )
            })
            .collect();
        let trimmed = without_attribute_floods(&format!("<body id=main>{bodies}<p>x</p>")).unwrap();
        assert!(
            trimmed.starts_with("<body id=main><body>"),
            "{trimmed:.100}"
        );
        // Not floods: a few attributes, one value full of `=`, a script's `a<b`.
        assert!(without_attribute_floods("<p a=1 b=2>x</p><body class=x>").is_none());
        let urls = "?a=b&c=d".repeat(1_000);
        assert!(without_attribute_floods(&format!("<div data-props='{urls}'>x</div>")).is_none());
        let script = format!(
            "<script>if (a <b{}) {{}}</script><p>x</p>",
            " c".repeat(1_100)
        );
        assert!(without_attribute_floods(&script).is_none());
        // Pages of unclosed tags are scanned once, not once per `<` (quadratic).
        assert!(without_attribute_floods(&"<a".repeat(200_000)).is_none());
        assert!(without_attribute_floods(&"<a b".repeat(200_000)).is_none());
    }

    #[test]
    fn a_table_too_large_to_lay_out_is_read_as_text() {
        let rows: String = (0..3_000)
            .map(|r| format!("<tr><td>r{r}a</td><td>r{r}b</td><td>r{r}c</td><td>r{r}d</td></tr>"))
            .collect();
        let (_, sections, _) = ex(&format!("<h2>Data</h2><table>{rows}</table>"));
        let text = &sections[0].text;
        assert!(text.contains("r0a") && text.contains("r2999d"), "{text}");
        // html2text lays out the small table and is not given the large one
        // (each row is a tr, four td and four texts: nine nodes).
        let laid_out = |rows: usize| {
            let rows: String = (0..rows)
                .map(|r| format!("<tr><td>{r}</td><td>b</td><td>c</td><td>d</td></tr>"))
                .collect();
            let page = Html::parse_document(&format!("<table>{rows}</table>"));
            let table = page
                .tree
                .root()
                .descendants()
                .find(|n| n.value().as_element().is_some_and(|e| e.name() == "table"))
                .unwrap();
            render_table(table, &mut String::new())
        };
        assert!(laid_out(100));
        assert!(!laid_out(MAX_TABLE_NODES / 9 + 10));
    }

    #[test]
    fn unclosed_headings_keep_their_text_as_section_text() {
        // html5ever puts everything after an unclosed <h2> inside it: the words used
        // to end up in a huge heading, and the page had no text to index.
        let (title, sections, _) = ex("<h1>Unclosed<h2>Part<p>one<p>two<li>platypus<div><span><b>");
        assert_eq!(title.as_deref(), Some("Unclosed"));
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].heading, ["Part"]);
        let text = &sections[0].text;
        assert!(text.contains("one") && text.contains("platypus"), "{text}");
        // A nested heading inside the swallowed text still starts a section.
        let (_, sections, _) = ex("<h2>A<p>first<h3>B</h3><p>second");
        let headings: Vec<_> = sections.iter().map(|s| s.heading.join(" > ")).collect();
        assert_eq!(headings, ["A", "A > B"]);
        assert!(sections[1].text.contains("second"));
    }

    #[test]
    fn nesting_estimate_is_not_fooled_by_stray_end_tags() {
        // Each pair nests one level deeper in html5ever's tree; the old estimate
        // counted the stray end tag as a close and let a minute-long parse through.
        assert!(nesting_depth(&"<div></x>".repeat(1000)) >= 1000);
        assert!(nesting_depth(&"<span><div></span>".repeat(1000)) >= 1000);
        // Comments, doctype, raw text and unclosed paragraphs do not nest.
        let page = format!(
            "<!doctype html><html><body>{}{}<script>{}</script><ul>{}</ul></body></html>",
            "<!-- <div> -->".repeat(1000),
            "<p>para".repeat(1000),
            "'<div>'+".repeat(1000),
            "<li>item".repeat(1000),
        );
        assert!(nesting_depth(&page) < 10, "{}", nesting_depth(&page));
        let started = std::time::Instant::now();
        let (_, sections, warning) = ex(&format!(
            "<h1>T</h1>{}<p>narwhal</p>",
            "<div></x>".repeat(20_000)
        ));
        assert!(started.elapsed().as_secs() < 10);
        assert!(warning.is_some());
        assert!(sections[0].text.contains("narwhal"));
    }

    #[test]
    fn thousands_of_unfindable_headings_all_become_sections() {
        // Headings whose text is not found verbatim in the source (entities) once
        // made locating them quadratic; no timing here (performance belongs in the
        // benchmarks), but a quadratic pass over 20,000 headings would not finish.
        let html = format!(
            "<h1>T</h1>{}",
            "<h2>a &amp; b</h2>\n<p>x</p>\n".repeat(20_000)
        );
        let (_, sections, _) = ex(&html);
        assert_eq!(sections.len(), 20_000);
    }

    #[test]
    fn numbered_code_is_a_source_listing_numbered_rows_are_not() {
        let page = |lines: Vec<String>| format!("<main><pre>{}</pre></main>", lines.join("\n"));
        let code = ["fn f() {", "    g();", "}", ""];
        let listing: Vec<String> = (1..=12).map(|n| format!("{n:03}{}", code[n % 4])).collect();
        assert_eq!(extract(&page(listing)).err(), Some(Skip::SourceListing));
        // Hidden lines leave gaps; under 10 numbered lines is no listing.
        let gaps: Vec<String> = (1..=12)
            .map(|n| format!("{} {}", n + n / 4, code[n % 4]))
            .collect();
        assert_eq!(extract(&page(gaps)).err(), Some(Skip::SourceListing));
        let short: Vec<String> = (1..=9).map(|n| format!("{n} {}", code[n % 4])).collect();
        assert!(extract(&page(short)).is_ok());
        // Numbered rows of prose, list items, years, falling numbers: kept.
        for lines in [
            (1..=12)
                .map(|n| format!("{n} Runner number {n} of the club"))
                .collect(),
            (1..=12).map(|n| format!("{n}. Turn the knob;")).collect(),
            (0..12)
                .map(|n| format!("{} the lid changed", 1990 + 3 * n))
                .collect(),
            (1..=12)
                .rev()
                .map(|n| format!("{n} {}", code[n % 4]))
                .collect::<Vec<_>>(),
        ] {
            assert!(extract(&page(lines)).is_ok());
        }
    }

    #[test]
    fn robots_noindex_and_refresh_redirects_are_skipped() {
        for page in [
            r#"<meta name="robots" content="noindex"><p>x</p>"#,
            r#"<META NAME="ROBOTS" CONTENT="nofollow, NoIndex"><p>x</p>"#,
            r#"<meta name="robots" content="none"><p>x</p>"#,
        ] {
            assert_eq!(extract(page).err(), Some(Skip::NoIndex), "{page}");
        }
        let redirect =
            r#"<meta http-equiv="Refresh" content="0; URL=../new.html"><p>Redirecting</p>"#;
        assert_eq!(extract(redirect).err(), Some(Skip::Redirect));
        // Neither: nofollow alone, a refresh without a target.
        assert!(extract(r#"<meta name="robots" content="nofollow"><p>x</p>"#).is_ok());
        assert!(extract(r#"<meta http-equiv="refresh" content="30"><p>x</p>"#).is_ok());
    }

    #[test]
    fn only_the_main_content_is_read_and_hidden_things_are_not() {
        let html = r#"<html lang="en-GB"><title>Page</title><body>
<div id="help"><p>Press arrows to navigate</p></div>
<h1 class="menu-title">Site Name</h1>
<main><h1>Real Title</h1><p>Visible words.</p>
<div hidden>hidden one</div><p aria-hidden="true">hidden two</p>
<div role="navigation">hidden three</div><div role="dialog">hidden four</div>
<span style="display: none">hidden five</span><button>Copy</button>
<label>hidden six</label><input value="hidden seven"><p>More words.</p></main>
<p>After main.</p></body></html>"#;
        let page = extract(html).unwrap();
        assert_eq!(page.title.as_deref(), Some("Real Title"));
        assert_eq!(page.lang.as_deref(), Some("en-GB"));
        assert_eq!(page.sections.len(), 1);
        let text = &page.sections[0].text;
        assert!(text.contains("Visible words.") && text.contains("More words."));
        for noise in ["navigate", "Site Name", "hidden", "Copy", "After main"] {
            assert!(!text.contains(noise), "{noise:?} in {text:?}");
        }
        // The only <article> is the content when there is no <main>.
        let (_, sections, _) =
            ex("<p>outside</p><article><h2>A</h2><p>inside</p></article><p>footer-ish</p>");
        let all: String = sections.iter().map(|s| s.text.as_str()).collect();
        assert!(all.contains("inside") && !all.contains("outside") && !all.contains("footer"));
    }

    #[test]
    fn titles_come_from_content_or_title_without_site_suffix() {
        // mdBook: the chapter heading is an <h2>, the book's name in chrome.
        let page = extract(
            r##"<title>References and Borrowing - The Rust Book</title>
<div class="menu-bar"><h1 class="menu-title">The Rust Book</h1></div>
<main><h2 id="references-and-borrowing"><a class="header" href="#references-and-borrowing">References and Borrowing</a></h2>
<p>Intro.</p><h3 id="rules"><a class="header" href="#rules">Rules</a></h3><p>Rule text.</p></main>"##,
        )
        .unwrap();
        assert_eq!(page.title.as_deref(), Some("References and Borrowing"));
        assert_eq!(page.sections.len(), 2);
        assert_eq!(
            page.sections[0].anchor.as_deref(),
            Some("references-and-borrowing")
        );
        assert_eq!(page.sections[1].anchor.as_deref(), Some("rules"));
        // rustdoc: button text and permalink signs are not part of headings.
        let page = extract(
            r##"<title>Vec in std::vec - Rust</title><main><h1>Struct <span>Vec</span>&nbsp;<button>Copy item path</button></h1>
<p>Doc.</p><h2 id="implementations">Implementations<a href="#implementations" class="anchor">§</a></h2><p>Impl text.</p></main>"##,
        )
        .unwrap();
        assert_eq!(page.title.as_deref(), Some("Struct Vec"));
        assert_eq!(page.sections[1].heading, ["Implementations"]);
        assert_eq!(
            strip_site_suffix("Vec in std::vec - Rust"),
            "Vec in std::vec"
        );
        assert_eq!(strip_site_suffix("A | B | Site"), "A | B");
        assert_eq!(strip_site_suffix("No separator"), "No separator");
    }

    #[test]
    fn pre_keeps_lines_and_boring_lines_are_dropped() {
        let (_, sections, _) = ex(
            "<h2>Code</h2><pre><code><span class=\"boring\">use std::io;\n</span>fn main() {\n    <span class=\"kw\">let</span> x = 1; // one\n\n    go(x);\n}</code></pre><p>After   the   code.</p>",
        );
        let text = &sections[0].text;
        let mark = super::super::CODE_MARK;
        assert_eq!(
            text.trim_end(),
            format!(
                "{mark}fn main() {{\n{mark}    let x = 1; // one\n\n{mark}    go(x);\n{mark}}}\nAfter the code."
            )
        );
    }

    #[test]
    fn a_page_without_main_loses_the_blocks_named_as_chrome() {
        let html = r##"<html><head><title>Events | Garden</title></head><body>
<div id="header"><span class="sitename">Elm Street Garden</span></div>
<div id="menu"><a href="index.html">Home</a> | <a href="events.html">Events</a></div>
<div id="content"><h1>What's On</h1><p>Intro words.</p>
<h2>Seed swap</h2><div class="card-header">Saturday 18 March</div><p>Bring seeds.</p>
<div class="menu">Seed list</div></div>
<div class="left_sidebar">Related pages</div>
<div class="footer"><p>Questions? Email hello@garden.org.</p></div>
</body></html>"##;
        let (title, sections, _) = ex(html);
        assert_eq!(title.as_deref(), Some("What's On"));
        let all: String = sections.iter().map(|s| s.text.as_str()).collect();
        for gone in ["Elm Street", "Home", "Related pages", "Questions"] {
            assert!(!all.contains(gone), "{gone} kept: {all}");
        }
        // Inside the block of the headings, a name is not enough.
        for kept in [
            "Intro words.",
            "Saturday 18 March",
            "Bring seeds.",
            "Seed list",
        ] {
            assert!(all.contains(kept), "{kept} lost: {all}");
        }
        // With `<main>`, the page says where its content is: nothing goes by name.
        let marked = html
            .replace("<body>", "<body><main>")
            .replace("</body>", "</main></body>");
        let (_, sections, _) = ex(&marked);
        let all: String = sections.iter().map(|s| s.text.as_str()).collect();
        assert!(
            all.contains("Related pages") && all.contains("Home"),
            "{all}"
        );
    }

    #[test]
    fn anchors_inside_or_just_before_a_heading_name_it() {
        // A table of contents first (DocBook), then headings whose fragment is an
        // `<a name>` inside, a span's id inside (MediaWiki), an empty anchor
        // just before, and none (a slug).
        let html = r##"<html><body><h1>Manual</h1>
<dl><dt><a href="#mc.leaks">Memory leak detection</a></dt></dl>
<p>Intro.</p>
<h2 class="title">
<a name="mc.leaks"></a>Memory leak detection</h2>
<p>Leaks.</p>
<h2><span class="mw-headline" id="History">History</span></h2>
<p>Old.</p>
<a name="summary"><!-- --></a>
<h2>Summary</h2>
<p>Short.</p>
<h2>Plain heading</h2>
<p>Plain.</p>
</body></html>"##;
        let (_, sections, _) = ex(html);
        let anchors: Vec<Option<&str>> = sections.iter().map(|s| s.anchor.as_deref()).collect();
        assert_eq!(
            anchors,
            [
                None,
                Some("mc.leaks"),
                Some("History"),
                Some("summary"),
                None
            ]
        );
        // Found at its anchor, not at its entry in the table of contents.
        assert_eq!(sections[1].lines.0, 5, "{:?}", sections[1].lines);
    }

    #[test]
    fn section_ids_and_aliases_make_every_heading_id_resolve() {
        let html = r##"<main><h1>T</h1><p>Intro.</p>
<section id="method.with_capacity" class="method"><span class="rightside">1.0.0 · Source</span>
<h4 class="code-header">pub fn <a href="#method.with_capacity">with_capacity</a>(n: usize)</h4></section>
<div class="docblock"><p>Makes one.</p></div>
<h2 id="outer">Outer</h2><h3 id="inner">Inner</h3><p>Inner text.</p>
<section id="sec"><h2 id="own">Own</h2><p>Own text.</p></section>
<div class="rule" id="r-x.y"><a class="rule-link" href="#r-x.y">[x<wbr>.y]</a></div>
<h2 id="last">Last</h2><p>Last text.</p>
<dl><dt id="opt-release"><a href="#opt-release"><code>--release</code></a></dt>
<dd><p>Optimized.</p></dd></dl></main>"##;
        let (_, sections, _) = ex(html);
        let got: Vec<(Option<&str>, Vec<&str>)> = sections
            .iter()
            .map(|s| {
                (
                    s.anchor.as_deref(),
                    s.aliases.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (None, vec![]),
                (Some("method.with_capacity"), vec![]),
                (Some("inner"), vec!["outer"]),
                (Some("own"), vec!["sec"]),
                (Some("last"), vec![]),
            ]
        );
        // The version badge before the method heading is the method's, not the intro's.
        assert_eq!(sections[0].text.trim(), "Intro.");
        assert!(
            sections[1].text.contains("1.0.0 · Source") && sections[1].text.contains("Makes one.")
        );
        // A rule marker is not text; a definition term that links to itself is.
        assert!(!sections[4].text.contains("[x"), "{}", sections[4].text);
        assert!(
            sections[4].text.contains("--release"),
            "{}",
            sections[4].text
        );
        // The rule marker is not text anywhere.
        assert!(sections.iter().all(|s| !s.text.contains("x.y")));
    }

    #[test]
    fn a_table_of_contents_goes_and_the_text_above_it_stays() {
        let page = r#"<html><body><main><h1>Operating system services</h1>
<p>The modules described in this chapter provide interfaces to the system.</p>
<div class="toctree-wrapper"><ul>
<li><a href="os.html">os: miscellaneous operating system interfaces</a><ul>
<li><a href="os.html#a">File names and environment variables</a></li></ul></li>
<li><a href="io.html">io: core tools for working with streams</a></li></ul></div>
<h2>Notes</h2><ul><li>Read <a href="x.html">the guide</a> before changing any of these settings.</li></ul>
<table><tr><td><a href="a.html">abs() (built-in function)</a></td><td><a href="b.html">all() (built-in function)</a></td></tr>
<tr><td><a href="c.html">any() (built-in function)</a></td><td><a href="d.html">ascii() (built-in function)</a></td></tr></table>
</main></body></html>"#;
        let (article, _) =
            crate::extract::extract(page.as_bytes(), crate::extract::Format::Html, "x").unwrap();
        let texts: Vec<&str> = article.sections.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The modules described in this chapter provide interfaces to the system.",
                "- Read the guide before changing any of these settings."
            ]
        );
    }

    #[test]
    fn link_text_is_counted_and_tables_have_no_link_references() {
        let (_, sections, _) = ex(
            r#"<h2>See also</h2><ul><li><a href="a">First page</a></li><li><a href="b">Second page</a></li></ul>
<h2>Table</h2><table><tr><td><a href="x">cell link</a></td><td><em>plain</em></td></tr></table>"#,
        );
        assert_eq!(sections[0].link_chars, "FirstpageSecondpage".len());
        let table = &sections[1].text;
        assert!(
            table.contains("cell link") && table.contains("plain"),
            "{table}"
        );
        assert!(!table.contains('[') && !table.contains('*'), "{table}");
    }
}
