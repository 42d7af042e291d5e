//! Extraction: bytes of one source file → an [`Article`] (title + sections).
//!
//! One sub-module per format ([`html`], [`markdown`], [`text`]), each turning decoded
//! text into a title and raw sections. This module owns what they share: decoding
//! bytes to text, anchors (slugs and de-duplication), page-furniture removal and the
//! passage size limit.

/// HTML pages (sections by headings).
pub mod html;
/// Summary listings: sections repeating sentences of other sections.
pub mod listing;
/// Markdown (sections by headings).
pub mod markdown;
/// reStructuredText saved as text, read as its rendering.
pub mod rest;
/// Plain text (sections by heading-like lines).
pub mod text;

use std::borrow::Cow;

/// Bump when extraction output changes, so existing indexes are rebuilt.
pub const EXTRACTOR_VERSION: u32 = 15;

/// Marks the start of a line of preformatted text (`<pre>`, a Markdown code block)
/// between a format extractor and [`finish`]: such a line keeps its indentation, is
/// never page furniture and never boilerplate. Removed before text is stored.
pub const CODE_MARK: char = '\u{E000}';

/// Marks the start of a line of authored prose in HTML (text of a paragraph, list
/// item, table cell…): such a line is content, never site boilerplate (a recurring
/// "Outlook" paragraph or "- Drug Therapy" list item repeats for a reason; template
/// widgets are badges, links, spans and summaries). Removed before text is stored.
pub const PROSE_MARK: char = '\u{E001}';

/// A section whose text is at least this share link text (letters and digits inside
/// links / all letters and digits) is navigation (a table of contents, an index, a
/// "see also" list), not an answer, and is dropped. So is an HTML list or table
/// (`ul`, `ol`, `table`: an alphabetical index) of that density inside a section, whose other text stays (the introduction of
/// an index page above its table of contents). A definition list (`dl`) is judged by its
/// definitions: terms defined only by links are a word index; so is a list whose every
/// item is links beside a term of a few words (a member index), whatever its density.
pub const MAX_LINK_DENSITY: f64 = 0.7;

/// Sections with fewer letters and digits than this are too short to judge by their
/// link density (a one-line reference to another page is content), unless the
/// page as a whole is that dense in links: then a section with links and less text
/// than this besides them is navigation (an entry of an index page).
const MIN_LINK_DENSITY_CHARS: usize = 40;

/// A section longer than this (bytes of text) is split into several passages.
pub const MAX_PASSAGE_BYTES: usize = 64 * 1024;

/// Source formats lectern reads, chosen by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.html`, `.htm`, `.xhtml`.
    Html,
    /// `.md`, `.markdown`.
    Markdown,
    /// `.txt`, `.text`.
    Text,
}

impl Format {
    /// The format of a file extension (any case), if lectern reads it.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" | "text" => Some(Format::Text),
            _ => None,
        }
    }

    /// The format of a file, by its extension; a text copy of a Markdown source
    /// (Sphinx ships `page.md.txt` beside `page.html`) is read as Markdown.
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        fn ext(p: &std::path::Path) -> Option<Format> {
            Format::from_extension(p.extension()?.to_str()?)
        }
        match ext(path)? {
            Format::Text
                if path.file_stem().and_then(|s| ext(std::path::Path::new(s)))
                    == Some(Format::Markdown) =>
            {
                Some(Format::Markdown)
            }
            format => Some(format),
        }
    }
}

/// One source article split into sections.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    /// The article's title (from its source, else the file stem).
    pub title: String,
    /// Language: primary subtag, lower-case (`en`, `zh`), from `<html lang>` or
    /// Markdown front matter, else guessed from the script ([`detect_language`]);
    /// `und` when unknown.
    pub lang: String,
    /// Its passages, in source order.
    pub sections: Vec<Section>,
}

/// One searchable passage of an article.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Unique within the article; the part after `#` in a passage id.
    pub anchor: String,
    /// Heading path from the outermost heading below the title to this section's own
    /// heading. Empty for the introduction (text before the first heading).
    pub heading: Vec<String>,
    /// The passage text (paragraphs separated by blank lines).
    pub text: String,
    /// First and last line (1-based, inclusive) of the section in the source.
    pub lines: (u32, u32),
    /// Other anchors that lead to this passage: ids of headings that have no passage
    /// of their own (the title heading, a heading directly followed by a
    /// sub-heading) and of an enclosing `<section>`.
    pub aliases: Vec<String>,
    /// The lines of `text` that could be site boilerplate ([`crate::boilerplate`]):
    /// (line number from 0, key). Short lines only, not code, not authored prose.
    pub line_keys: Vec<(u32, u32)>,
    /// Its opening sentence and rows, for the site's listings
    /// ([`crate::site_listing`]).
    pub listing: listing::SectionKeys,
}

/// A section as a format extractor produces it, before anchors are made unique.
#[derive(Clone, Debug, Default)]
pub struct RawSection {
    /// The anchor the source gives (an `id` attribute), if any.
    pub anchor: Option<String>,
    /// Heading path, as in [`Section::heading`].
    pub heading: Vec<String>,
    /// The section's text.
    pub text: String,
    /// First and last source line, as in [`Section::lines`].
    pub lines: (u32, u32),
    /// Further anchors of this section (see [`Section::aliases`]).
    pub aliases: Vec<String>,
    /// Letters and digits of `text` that are link text.
    pub link_chars: usize,
    /// True when lists of links were dropped from this section: left empty, it was
    /// navigation, and its anchors do not lead to the next passage.
    pub dropped_links: bool,
    /// Letters and digits of the link lists dropped from this section (or from
    /// sections before it that they left empty): they count as navigation
    /// towards the page's link density.
    pub dropped_chars: usize,
    /// Links from its preformatted text (code) to other pages of the site.
    pub code_links: usize,
}

/// Why a page asks not to be indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// `<meta name="robots" content="noindex">` (or `none`).
    NoIndex,
    /// `<meta http-equiv="refresh" content="0; url=…">`: a redirect stub.
    Redirect,
    /// A source listing: the page is one code listing (a number on every line, or
    /// code alone linking to its documentation).
    SourceListing,
}

/// What went wrong with one file. The file is skipped; ingest goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExtractError {
    /// NUL bytes or other binary content in a file with a text extension.
    #[error("binary content (NUL bytes or control characters) in a text file")]
    Binary,
    /// Over the size limit, in bytes. MB as `--max-file-size` counts them (2^20
    /// bytes), so the default limit reads "32 MB" as the README says, not "34 MB".
    #[error("file is {:.1} MB, over the {:.0} MB limit", mib(*.size), mib(*.limit))]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit it is over.
        limit: u64,
    },
    /// The page asks not to be indexed; not a failure (ingest counts these apart).
    #[error("skipped: {}", match .0 {
        Skip::NoIndex => "the page asks not to be indexed (robots noindex)",
        Skip::Redirect => "the page is a redirect (meta refresh)",
        Skip::SourceListing => "a source listing (numbered code lines)",
    })]
    Skipped(Skip),
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB
}

const MIB: f64 = (1u64 << 20) as f64;

/// Text decoded from a file's bytes, with a note if decoding was not clean. Valid
/// UTF-8 (the usual case) is borrowed, not copied.
pub struct Decoded<'a> {
    /// The decoded text.
    pub text: Cow<'a, str>,
    /// Why decoding was not clean (lossy UTF-8, a guessed encoding), if it was not.
    pub warning: Option<String>,
}

/// Extracts an article from raw bytes. `fallback_title` (the file stem) is used when
/// the source names no title. Warnings (lossy or guessed decoding) are returned beside the article.
pub fn extract(
    bytes: &[u8],
    format: Format,
    fallback_title: &str,
) -> Result<(Article, Option<String>), ExtractError> {
    let decoded = decode(bytes, format)?;
    let mut warning = decoded.warning;
    let (title, raw, lang) = match format {
        Format::Html => {
            let page = html::extract(&decoded.text).map_err(ExtractError::Skipped)?;
            warning = warning.or(page.warning);
            (page.title, page.sections, page.lang)
        }
        Format::Markdown => {
            // Old Mac line ends (CR alone), which CommonMark reads as one line.
            if decoded.text.contains('\r') && !decoded.text.contains('\n') {
                markdown::extract(&decoded.text.replace('\r', "\n"))
            } else {
                markdown::extract(&decoded.text)
            }
        }
        Format::Text => {
            let (title, raw) = text::extract(&decoded.text);
            (title, raw, None)
        }
    };
    // A text or Markdown file of one line (a sentence, a heading) is its own
    // text: the line that named it is all there is to search. (Not a page of
    // markup whose text went, a title over a directive: that is a stub.)
    let mut raw = raw;
    if format != Format::Html
        && let Some(t) = title.as_deref().map(str::trim).filter(|t| !t.is_empty())
        && raw.iter().all(|s| s.text.trim().is_empty())
        && decoded
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
            == 1
    {
        raw.retain(|s| !s.text.trim().is_empty());
        let last = decoded.text.lines().count().max(1) as u32;
        raw.push(RawSection {
            text: t.to_string(),
            lines: (1, last),
            ..RawSection::default()
        });
    }
    let title = match title.map(|t| normalize_space(&t)) {
        Some(t) if !t.is_empty() => t,
        _ => fallback_title.to_string(),
    };
    let mut article = finish(title, raw);
    article.lang = lang
        .as_deref()
        .and_then(language_tag)
        .unwrap_or_else(|| detect_language(&article));
    Ok((article, warning))
}

/// Decodes bytes: a BOM wins, then (HTML only) a declared `charset`, then UTF-8.
/// Bytes that are not UTF-8 are read as UTF-8 with replacement characters when
/// the page declares UTF-8 or they are mostly UTF-8, else in the encoding chardetng
/// guesses (valid UTF-8 among 8-bit bytes kept as it is); either way with a
/// warning. NUL bytes mean binary, except a
/// few in an HTML page of valid UTF-8 (javadoc writes the NUL character it documents,
/// `CharUtils.NUL`, as itself; HTML parsing drops it, as browsers do).
pub fn decode(bytes: &[u8], format: Format) -> Result<Decoded<'_>, ExtractError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        // A UTF-32 file begins with the UTF-16LE mark and decodes to NULs.
        if text.chars().filter(|&c| c == '\0').count() > text.len() / MAX_NUL_SHARE {
            return Err(ExtractError::Binary);
        }
        return Ok(Decoded {
            text,
            warning: had_errors.then(|| format!("invalid {} sequences replaced", encoding.name())),
        });
    }
    let head = &bytes[..bytes.len().min(8192)];
    let stray_nuls = || {
        format == Format::Html
            && bytes.iter().filter(|&&b| b == 0).count() * MAX_NUL_SHARE <= bytes.len()
            && std::str::from_utf8(bytes).is_ok()
    };
    if head.contains(&0) && !stray_nuls() {
        return Err(ExtractError::Binary);
    }
    let declared = if format == Format::Html {
        declared_charset(head)
    } else {
        None
    };
    if let Some(encoding) = declared
        && encoding != encoding_rs::UTF_8
    {
        let (text, _, had_errors) = encoding.decode(bytes);
        return Ok(Decoded {
            text,
            warning: had_errors.then(|| format!("invalid {} sequences replaced", encoding.name())),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if text.contains('\0') && !stray_nuls() {
                return Err(ExtractError::Binary);
            }
            Ok(Decoded {
                text: Cow::Borrowed(text),
                warning: None,
            })
        }
        Err(_) => {
            // (A declared charset here is UTF-8: any other was decoded above.)
            let (wide, invalid) = utf8_counts(bytes);
            if declared.is_some() || wide > invalid {
                let text = String::from_utf8_lossy(bytes);
                if text.contains('\0') {
                    return Err(ExtractError::Binary);
                }
                return Ok(Decoded {
                    text,
                    warning: Some("not valid UTF-8; invalid bytes replaced with U+FFFD".into()),
                });
            }
            // A legacy 8-bit or CJK encoding, undeclared: guessed from the bytes by
            // the detector Firefox uses for such pages.
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
            let (text, had_errors) = if wide > 0 && encoding.is_single_byte() {
                // UTF-8 with bytes of an 8-bit encoding among it (Word's quotes
                // pasted into UTF-8 notes): the UTF-8 stays UTF-8.
                (Cow::Owned(mixed(bytes, encoding)), false)
            } else {
                let (text, _, had_errors) = encoding.decode(bytes);
                (text, had_errors)
            };
            // Bytes that no encoding makes text of (NUL-free binary) decode to
            // control characters.
            let controls = text
                .chars()
                .filter(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
                .count();
            if text.contains('\0') || controls * 100 > text.chars().count() {
                return Err(ExtractError::Binary);
            }
            Ok(Decoded {
                text,
                warning: Some(format!(
                    "not valid UTF-8 and no charset declared; read as {} (guessed){}",
                    encoding.name(),
                    if had_errors {
                        ", invalid sequences replaced"
                    } else {
                        ""
                    }
                )),
            })
        }
    }
}

/// Valid multi-byte UTF-8 characters of `bytes` and its invalid sequences. UTF-8
/// text with a few damaged bytes has more of the first, and is read as UTF-8 with
/// replacement characters rather than as another encoding; legacy text has few
/// of them, by accident (none in Cyrillic or Western 8-bit text).
fn utf8_counts(bytes: &[u8]) -> (usize, usize) {
    let (mut wide, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        wide += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    (wide, invalid)
}

/// `bytes` with its valid UTF-8 kept and each invalid byte read in the 8-bit
/// `encoding`.
fn mixed(bytes: &[u8], encoding: &'static encoding_rs::Encoding) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.push_str(&encoding.decode_without_bom_handling(chunk.invalid()).0);
    }
    out
}

/// An HTML page may hold one NUL byte in this many bytes and still be text.
const MAX_NUL_SHARE: usize = 1024;

/// Finds `charset=NAME` in a `<meta>` tag among the first bytes of an HTML file
/// (`<meta charset>` or the `http-equiv` form). As the HTML standard's prescan
/// says, a page that declares UTF-16 this way is read as UTF-8 (its bytes are
/// ASCII-compatible, or the declaration could not have been read).
fn declared_charset(head: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(start) = memchr::memmem::find(&lower[at..], b"<meta").map(|p| at + p) {
        let tag_end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |p| start + p);
        let tag = &lower[start..tag_end];
        at = tag_end;
        // `<meta` itself, not `<metadata`.
        if !tag
            .get(5)
            .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            continue;
        }
        let Some(pos) = memchr::memmem::find(tag, b"charset=") else {
            continue;
        };
        let rest = &tag[pos + 8..];
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"-_:.".contains(b)))
            .unwrap_or(rest.len());
        // An unknown label is passed over, as the prescan does.
        let Some(encoding) = encoding_rs::Encoding::for_label(&rest[..end]) else {
            continue;
        };
        return Some(if encoding == encoding_rs::X_USER_DEFINED {
            encoding_rs::WINDOWS_1252
        } else {
            encoding.output_encoding()
        });
    }
    None
}

/// Turns raw sections into final ones: furniture lines dropped, empty sections and
/// link lists dropped, huge sections split, anchors made unique within the article.
/// The anchors of a section left empty lead to the next passage (as aliases).
fn finish(title: String, raw: Vec<RawSection>) -> Article {
    let index_page = is_index_page(&raw);
    let texts: Vec<String> = raw.iter().map(|s| clean_text(&s.text)).collect();
    let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let headings: Vec<Option<&str>> = raw
        .iter()
        .map(|s| s.heading.last().map(String::as_str))
        .collect();
    let summaries: Vec<bool> = listing::summaries(&text_refs)
        .into_iter()
        .zip(listing::member_summaries(&text_refs, &headings))
        .map(|(a, b)| a || b)
        .collect();
    let mut used = Anchors::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut carried: Vec<String> = Vec::new();
    for ((section, text), summary) in raw.into_iter().zip(texts).zip(summaries) {
        if text.is_empty() && section.dropped_links {
            continue;
        }
        if text.is_empty() {
            carried.extend(section.anchor);
            carried.extend(section.aliases);
            continue;
        }
        if summary
            || section.heading.last().is_some_and(|h| is_furniture(h))
            || is_link_list(&text, section.link_chars)
            || (index_page && is_link_only(&text, section.link_chars))
        {
            continue;
        }
        let base = section
            .anchor
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| match section.heading.last() {
                Some(h) => slug(h),
                None => "introduction".to_string(),
            });
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut aliases = std::mem::take(&mut carried);
        aliases.extend(section.aliases);
        for (part, chunk) in split_bounded(&text, MAX_PASSAGE_BYTES)
            .into_iter()
            .enumerate()
        {
            let wanted = if part == 0 {
                base.clone()
            } else {
                format!("{base}-part{}", part + 1)
            };
            let anchor = unique(&mut used, wanted);
            let listing = listing::section_keys(chunk);
            let (text, line_keys) = keyed_lines(chunk);
            sections.push(Section {
                anchor,
                heading: section.heading.clone(),
                text,
                lines: section.lines,
                aliases: std::mem::take(&mut aliases),
                line_keys,
                listing,
            });
        }
    }
    // An alias never shadows a passage's own anchor, and leads to one passage only.
    let anchors: std::collections::HashSet<String> =
        sections.iter().map(|s| s.anchor.clone()).collect();
    let mut claimed = std::collections::HashSet::new();
    for section in &mut sections {
        section
            .aliases
            .retain(|a| !a.trim().is_empty() && !anchors.contains(a) && claimed.insert(a.clone()));
    }
    Article {
        title,
        lang: String::new(),
        sections,
    }
}

/// Lines of at most this many words (and [`MAX_KEYED_BYTES`] bytes) that are not
/// sentences may be site boilerplate ("Expand description", "1.0.0 · Source", "Was
/// this helpful? Yes No"); sentences repeat across pages for a reason.
pub const MAX_KEYED_WORDS: usize = 8;
const MAX_KEYED_BYTES: usize = 80;

/// A section's final text (marks removed) and the keys of its candidate lines.
fn keyed_lines(chunk: &str) -> (String, Vec<(u32, u32)>) {
    let mut text = String::with_capacity(chunk.len());
    let mut keys = Vec::new();
    for (i, line) in chunk.split('\n').enumerate() {
        if !text.is_empty() {
            text.push('\n');
        }
        if let Some(code) = line.strip_prefix(CODE_MARK) {
            text.push_str(code);
            continue;
        }
        if let Some(prose) = line.strip_prefix(PROSE_MARK) {
            text.push_str(prose);
            continue;
        }
        text.push_str(line);
        // A sentence (ending in `.`, `!` or `;`) is content, however often it
        // recurs; widget labels are not sentences.
        if line.len() <= MAX_KEYED_BYTES
            && !line.ends_with(['.', '!', ';'])
            && line.split(' ').filter(|w| !w.is_empty()).count() <= MAX_KEYED_WORDS
        {
            keys.push((i as u32, line_key(line)));
        }
    }
    (text, keys)
}

/// The boilerplate key of a (whitespace-normalised) line.
pub fn line_key(line: &str) -> u32 {
    xxhash_rust::xxh3::xxh3_64(line.as_bytes()) as u32
}

impl Article {
    /// Keys of the short prose lines of this article, sorted, each once.
    pub fn line_keys(&self) -> Vec<u32> {
        let mut keys: Vec<u32> = self
            .sections
            .iter()
            .flat_map(|s| s.line_keys.iter().map(|&(_, key)| key))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Removes the lines whose key is in `boilerplate`; a section left empty is
    /// dropped and its anchors lead to the next passage.
    pub fn remove_lines(&mut self, boilerplate: &std::collections::HashSet<u32>) {
        if boilerplate.is_empty() {
            return;
        }
        self.retain_sections(|_, section| {
            let drop: std::collections::HashSet<u32> = section
                .line_keys
                .iter()
                .filter(|(_, key)| boilerplate.contains(key))
                .map(|&(line, _)| line)
                .collect();
            if !drop.is_empty() {
                let mut text = String::with_capacity(section.text.len());
                let mut keys = Vec::new();
                let mut number = 0u32;
                // Keys are in line order: walk them alongside the lines.
                let mut next_key = section.line_keys.iter().peekable();
                for (i, line) in section.text.split('\n').enumerate() {
                    let key = next_key.next_if(|(l, _)| *l == i as u32).map(|&(_, k)| k);
                    if drop.contains(&(i as u32)) {
                        continue;
                    }
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(line);
                    if let Some(key) = key {
                        keys.push((number, key));
                    }
                    number += 1;
                }
                section.text = text;
                section.line_keys = keys;
            }
            !section.text.trim().is_empty()
        });
    }

    /// Drops the sections at these positions (site listings,
    /// [`crate::site_listing`]); their anchors lead to the next passage.
    pub fn drop_sections(&mut self, positions: &[u32]) {
        if positions.is_empty() {
            return;
        }
        self.retain_sections(|i, _| !positions.contains(&(i as u32)));
    }

    /// Keeps the sections for which `keep(position, section)` holds (it may edit
    /// them); a dropped section's anchor and aliases lead to the next kept one.
    fn retain_sections(&mut self, mut keep: impl FnMut(usize, &mut Section) -> bool) {
        let mut carried: Vec<String> = Vec::new();
        let mut kept = Vec::with_capacity(self.sections.len());
        for (i, mut section) in std::mem::take(&mut self.sections).into_iter().enumerate() {
            if !keep(i, &mut section) {
                carried.push(section.anchor);
                carried.append(&mut section.aliases);
                continue;
            }
            carried.append(&mut section.aliases);
            section.aliases = std::mem::take(&mut carried);
            kept.push(section);
        }
        self.sections = kept;
    }
}

/// True when a section is mostly link text: navigation, not content.
fn is_link_list(text: &str, link_chars: usize) -> bool {
    let chars = text.chars().filter(|c| c.is_alphanumeric()).count();
    is_link_dense(chars, link_chars) || is_link_run(text, chars, link_chars)
}

/// True when a section is only a run of links, too short to judge by density:
/// all its letters and digits are link text, in at least [`listing::MIN_REPEATS`]
/// items (separated by commas or lines: "#mock, #sequence, #stub", the members a
/// class takes from another page). One link alone is a reference, and stays.
fn is_link_run(text: &str, chars: usize, link_chars: usize) -> bool {
    chars > 0
        && link_chars >= chars
        && text
            .split([',', '\n'])
            .filter(|item| item.chars().any(char::is_alphanumeric))
            .nth(listing::MIN_REPEATS - 1)
            .is_some()
}

/// True when the page's text as a whole (with the link lists dropped from it) is
/// mostly link text: an index page whose sections may each be too short to judge
/// (a letter of an alphabetical index, an entry of an API index). The lists
/// dropped as navigation count whole, whatever their own density (a member
/// index of short links beside longer class names): what is left beside them,
/// the tabs and search label of YARD's method list, is their furniture.
fn is_index_page(raw: &[RawSection]) -> bool {
    let (chars, link_chars) = raw.iter().fold((0, 0), |(chars, links), s| {
        let own = s.text.chars().filter(|c| c.is_alphanumeric()).count();
        (
            chars + own + s.dropped_chars,
            links + s.link_chars.min(own) + s.dropped_chars,
        )
    });
    is_link_dense(chars, link_chars)
}

/// True when a section of an index page is navigation: it has links and, besides
/// them, too little text to judge ([`MIN_LINK_DENSITY_CHARS`]). A section with
/// that much text of its own is content, links or not, and so is one without
/// links, however short ("Works on Linux, macOS and Windows" below a page's lists).
fn is_link_only(text: &str, link_chars: usize) -> bool {
    let chars = text.chars().filter(|c| c.is_alphanumeric()).count();
    link_chars > 0 && chars.saturating_sub(link_chars) < MIN_LINK_DENSITY_CHARS
}

/// True when `link_chars` of `chars` letters and digits make navigation.
fn is_link_dense(chars: usize, link_chars: usize) -> bool {
    chars >= MIN_LINK_DENSITY_CHARS && link_chars as f64 >= MAX_LINK_DENSITY * chars as f64
}

/// The primary subtag of a language tag (`zh-CN` → `zh`), if it looks like one.
pub fn language_tag(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

/// English function words: a Latin-script text where they are frequent is English.
const ENGLISH_MARKERS: &[&str] = &[
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "with", "as", "are", "this", "be",
    "or", "by", "on", "not", "you", "can",
];

/// A cheap language guess from the script of the first few thousand letters: Han
/// with kana is `ja`, Han alone `zh`, Hangul `ko`, a few scripts used by one
/// language each; Latin script is `en` when English function words are frequent.
/// Anything else is `und` (undetermined).
pub fn detect_language(article: &Article) -> String {
    let (mut han, mut kana, mut hangul, mut latin, mut letters) = (0usize, 0, 0, 0, 0);
    let mut other: Option<&str> = None;
    let text = std::iter::once(article.title.as_str())
        .chain(article.sections.iter().map(|s| s.text.as_str()));
    let mut english = 0usize;
    let mut words = 0usize;
    'outer: for part in text {
        for word in part.split(|c: char| !c.is_alphanumeric()) {
            if word.is_empty() {
                continue;
            }
            words += 1;
            if ENGLISH_MARKERS.iter().any(|m| word.eq_ignore_ascii_case(m)) {
                english += 1;
            }
            for c in word.chars() {
                letters += 1;
                match c as u32 {
                    0x3040..=0x30FF => kana += 1,
                    0x3400..=0x9FFF | 0xF900..=0xFAFF => han += 1,
                    0xAC00..=0xD7AF | 0x1100..=0x11FF => hangul += 1,
                    0x0370..=0x03FF => other = other.or(Some("el")),
                    0x0E00..=0x0E7F => other = other.or(Some("th")),
                    0x0590..=0x05FF => other = other.or(Some("he")),
                    _ if c.is_ascii_alphabetic() || ('\u{C0}'..='\u{24F}').contains(&c) => {
                        latin += 1
                    }
                    _ => {}
                }
            }
            if letters > 4000 {
                break 'outer;
            }
        }
    }
    let cjk = han + kana + hangul;
    let lang = if letters == 0 {
        "und"
    } else if cjk * 10 >= letters * 3 {
        if kana > 0 && kana * 20 >= cjk {
            "ja"
        } else if hangul >= han {
            "ko"
        } else {
            "zh"
        }
    } else if latin * 2 >= letters {
        if english * 100 >= words * 8 {
            "en"
        } else {
            "und"
        }
    } else {
        other.unwrap_or("und")
    };
    lang.to_string()
}

/// Anchors used so far in one article, and the next suffix to try for each base,
/// so that many equal headings take linear, not quadratic, time.
#[derive(Default)]
struct Anchors {
    used: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, u32>,
}

fn unique(anchors: &mut Anchors, wanted: String) -> String {
    if anchors.used.insert(wanted.clone()) {
        return wanted;
    }
    let next = anchors.next.entry(wanted.clone()).or_insert(2);
    loop {
        let candidate = format!("{wanted}-{next}");
        *next += 1;
        if anchors.used.insert(candidate.clone()) {
            return candidate;
        }
    }
}

/// URL-friendly slug: lower-case alphanumerics, runs of anything else become `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Collapses runs of spaces and tabs, trims lines, drops blank lines and page
/// furniture lines. Lines marked with [`CODE_MARK`] keep their indentation.
fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        // The line is written normalized straight into `out`, and taken back if
        // it is blank or furniture: no allocation per line.
        let mark = out.len();
        if mark > 0 {
            out.push('\n');
        }
        let start = out.len();
        if let Some(code) = line.strip_prefix(CODE_MARK) {
            // Preformatted: indentation kept, never furniture.
            // The mark stays until [`keyed_lines`]: code is never boilerplate.
            let code = code.trim_end();
            if code.trim_start().is_empty() {
                out.truncate(mark);
            } else {
                out.push(CODE_MARK);
                out.push_str(code);
            }
            continue;
        }
        // Prose keeps its mark (for [`keyed_lines`]) ahead of the normalized text.
        let (line, start) = match line.trim_start().strip_prefix(PROSE_MARK) {
            Some(rest) => {
                out.push(PROSE_MARK);
                (rest, out.len())
            }
            None => (line, start),
        };
        push_normalized(&mut out, line);
        if out.len() == start || is_furniture(&out[start..]) {
            out.truncate(mark);
        }
    }
    out
}

/// The words of `s` separated by single spaces (runs of white space collapsed,
/// the ends trimmed).
pub fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_normalized(&mut out, s);
    out
}

/// Appends the words of `s` (split at Unicode whitespace) joined by single spaces.
///
/// Performance: ASCII text (nearly all) is scanned by bytes and copied in runs of
/// words already separated by one space (most text is normalized already).
pub(super) fn push_normalized(out: &mut String, s: &str) {
    if s.is_ascii() {
        // The ASCII characters for which `char::is_whitespace` holds.
        let space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
        let bytes = s.as_bytes();
        let mut i = bytes.iter().position(|&b| !space(b)).unwrap_or(bytes.len());
        let mut run = i;
        while i < bytes.len() {
            while i < bytes.len() && !space(bytes[i]) {
                i += 1;
            }
            let (end, gap) = (i, i);
            while i < bytes.len() && space(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() {
                out.push_str(&s[run..end]);
            } else if i - gap > 1 || bytes[gap] != b' ' {
                out.push_str(&s[run..end]);
                out.push(' ');
                run = i;
            }
        }
        return;
    }
    let mut first = true;
    for word in s.split_whitespace() {
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
}

/// Page furniture: widget and navigation lines that site templates put on every
/// page and that say nothing about the article ("Was this article helpful?",
/// "Share this page", "IN OTHER LANGUAGES"). Matched case-insensitively at the start
/// of a short line, so article prose that merely contains the words is kept.
pub fn is_furniture(line: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "was this article helpful",
        "was this page helpful",
        "was this information helpful",
        "did you find this helpful",
        "thanks for the feedback",
        "thank you for your feedback",
        "how can we help",
        "in other languages",
        "share this page",
        "share this article",
        "print this page",
        "back to top",
        "skip to main content",
        "skip to content",
        "cookie settings",
        "accept cookies",
    ];
    if line.len() > 120 {
        return false;
    }
    if line.is_ascii() {
        // ASCII lower-cases byte for byte: compare in place, without allocating.
        let line = line.as_bytes();
        return PREFIXES
            .iter()
            .any(|p| line.len() >= p.len() && line[..p.len()].eq_ignore_ascii_case(p.as_bytes()));
    }
    let lower = line.to_lowercase();
    PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Splits text into chunks of at most `limit` bytes, preferring line breaks, then
/// spaces, never splitting a UTF-8 character.
fn split_bounded(text: &str, limit: usize) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut rest = text;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let window = &rest[..cut];
        let at = window
            .rfind('\n')
            .filter(|&i| i > limit / 2)
            .or_else(|| window.rfind(' ').filter(|&i| i > limit / 2))
            .unwrap_or(cut);
        chunks.push(rest[..at].trim());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() {
        chunks.push(rest);
    }
    chunks
}

/// Line starts of a text, for many offset → line look-ups (counting from the start
/// for each would be quadratic when called per section or event). The one line
/// index of every format extractor.
pub struct Lines {
    /// Byte offsets of every `\n`.
    newlines: Vec<usize>,
}

impl Lines {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// 1-based line number of a byte offset (past the end: the last line).
    pub fn line_of(&self, offset: usize) -> u32 {
        1 + self.newlines.partition_point(|&n| n < offset) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charset_is_read_from_a_meta_tag_and_utf16_there_means_utf8() {
        let charset = |html: &str| declared_charset(html.as_bytes()).map(|e| e.name());
        assert_eq!(charset(r#"<meta charset="utf-16">"#), Some("UTF-8"));
        assert_eq!(charset("<META CHARSET=ISO-8859-1>"), Some("windows-1252"));
        assert_eq!(
            charset(r#"<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">"#),
            Some("Shift_JIS")
        );
        assert_eq!(
            charset("<script>var s = 'charset=utf-16';</script><p>x</p>"),
            None
        );
        assert_eq!(charset("<meta name=x><p>charset=koi8-r</p>"), None);
        assert_eq!(
            charset("<metadata charset=koi8-r><meta charset=utf-8>"),
            Some("UTF-8")
        );
        assert_eq!(
            charset("<meta charset=nonsense><meta charset=koi8-r>"),
            Some("KOI8-R")
        );
        assert_eq!(
            charset("<meta charset=x-user-defined>"),
            Some("windows-1252")
        );
        let page = b"<html><head><meta charset=\"utf-16\"></head><body><h1>Meta</h1><p>walrus</p>";
        let decoded = decode(page, Format::Html).unwrap();
        assert!(decoded.text.contains("walrus") && decoded.warning.is_none());
        // UTF-32LE: its mark starts as UTF-16LE's, and the text decodes to NULs.
        let mut utf32 = vec![0xFF, 0xFE, 0, 0];
        for c in "<p>hello</p>".chars() {
            utf32.extend((c as u32).to_le_bytes());
        }
        assert!(matches!(
            decode(&utf32, Format::Html),
            Err(ExtractError::Binary)
        ));
    }

    #[test]
    fn only_a_few_letters_beside_links_are_navigation() {
        assert!(is_link_only("See also: Vec", 3));
        assert!(!is_link_only("Works on Linux, macOS and Windows", 0));
        assert!(!is_link_only("Package Hierarchies:", 0));
        assert!(!is_link_only(
            "matchは値をさまざまなやり方でデストラクトすることができます。",
            0
        ));
        assert!(!is_link_only(&format!("{CODE_MARK}#define XSLTCALL"), 0));
        assert!(!is_link_only(
            "Hierarchy of every package of the library, each class under its parent",
            4
        ));
    }

    #[test]
    fn normalized_ascii_is_split_whitespace_joined() {
        for text in [
            "",
            " ",
            "a",
            " a ",
            "a b",
            "a  b",
            "a\tb\nc",
            "one two three  four\x0bfive\x0c",
            "  lead",
            "trail  ",
            "x \r\n y",
            "caf\u{e9}  au\u{a0}lait",
            "a \u{85}b",
        ] {
            for before in ["", "x"] {
                let mut out = before.to_string();
                push_normalized(&mut out, text);
                let words: Vec<&str> = text.split_whitespace().collect();
                assert_eq!(out, format!("{before}{}", words.join(" ")), "{text:?}");
            }
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Causes of metastatic liver cancer"),
            "causes-of-metastatic-liver-cancer"
        );
        assert_eq!(slug("  What's new? (2024) "), "what-s-new-2024");
        assert_eq!(slug("???"), "");
    }

    #[test]
    fn duplicate_anchors_get_suffixes() {
        let raw = |h: &str| RawSection {
            heading: vec![h.to_string()],
            text: "words".into(),
            ..Default::default()
        };
        let article = finish("T".into(), vec![raw("Notes"), raw("Notes"), raw("Notes")]);
        let anchors: Vec<_> = article.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["notes", "notes-2", "notes-3"]);
    }

    #[test]
    fn many_equal_headings_take_linear_time() {
        let raw = |h: &str| RawSection {
            heading: vec![h.to_string()],
            text: "words".into(),
            ..Default::default()
        };
        // "notes-3" given explicitly first, then 50,000 "Notes": was quadratic (minutes).
        let mut sections = vec![RawSection {
            anchor: Some("notes-3".into()),
            ..raw("Other")
        }];
        sections.extend((0..50_000).map(|_| raw("Notes")));
        let started = std::time::Instant::now();
        let article = finish("T".into(), sections);
        assert!(started.elapsed().as_secs() < 10);
        let anchors: Vec<_> = article.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(
            anchors[..5],
            ["notes-3", "notes", "notes-2", "notes-4", "notes-5"]
        );
        let unique: std::collections::HashSet<_> = anchors.iter().collect();
        assert_eq!(unique.len(), anchors.len());
    }

    #[test]
    fn line_index_agrees_with_line_of() {
        let text = "a\nbb\n\nccc\n";
        let lines = Lines::new(text);
        for offset in 0..=text.len() + 2 {
            let naive = 1 + text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            assert_eq!(lines.line_of(offset), naive, "{offset}");
        }
    }

    #[test]
    fn huge_sections_are_split_not_dropped() {
        let text = "word ".repeat(40_000);
        let raw = RawSection {
            text,
            ..Default::default()
        };
        let article = finish("T".into(), vec![raw]);
        assert!(article.sections.len() >= 3);
        assert!(
            article
                .sections
                .iter()
                .all(|s| s.text.len() <= MAX_PASSAGE_BYTES)
        );
        assert_eq!(article.sections[1].anchor, "introduction-part2");
        let words: usize = article
            .sections
            .iter()
            .map(|s| s.text.split(' ').count())
            .sum();
        assert_eq!(words, 40_000);
    }

    #[test]
    fn split_never_breaks_a_character() {
        let text = "é".repeat(100);
        for chunk in split_bounded(&text, 7) {
            assert!(chunk.len() <= 7 && !chunk.is_empty());
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode(b"a\0b", Format::Text).err(),
            Some(ExtractError::Binary)
        );
        // Undeclared: guessed; UTF-8 with a damaged byte stays UTF-8.
        let text = b"Cr\xe8me br\xfbl\xe9e: a French dessert of custard, caramel and vanilla.\n";
        let decoded = decode(text, Format::Text).unwrap();
        assert!(decoded.text.contains("Crème brûlée"), "{}", decoded.text);
        assert!(decoded.warning.unwrap().contains("windows-1252"));
        let damaged = "Crème brûlée, café au lait \u{2014} déjà vu "
            .as_bytes()
            .to_vec();
        let damaged = [damaged, b"\xff".to_vec()].concat();
        let decoded = decode(&damaged, Format::Markdown).unwrap();
        assert!(decoded.text.starts_with("Crème brûlée"));
        assert!(decoded.text.ends_with('\u{fffd}'));
        // Declared UTF-8 is not guessed over; UTF-8 with Word's quotes keeps its é.
        let page = b"<meta charset=\"utf-8\"><p>The caf\xc3\xa9 serves stew. Broken \xff bytes \xfe here.</p>";
        let decoded = decode(page, Format::Html).unwrap();
        assert!(decoded.text.contains("café") && decoded.text.contains('\u{fffd}'));
        let quotes = b"Caf\xc3\xa9 notes: \x93smart quotes\x94 and \x93more\x94.";
        let decoded = decode(quotes, Format::Text).unwrap();
        assert!(decoded.text.contains("Café"), "{}", decoded.text);
        assert!(
            decoded.text.contains("\u{201c}smart quotes\u{201d}"),
            "{}",
            decoded.text
        );
        // NUL-free binary is still binary.
        let junk: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8 | 1).collect();
        assert!(matches!(
            decode(&junk, Format::Text),
            Err(ExtractError::Binary)
        ));
        let latin1 = b"<meta charset=\"iso-8859-1\"><p>caf\xe9</p>";
        assert!(decode(latin1, Format::Html).unwrap().text.contains("café"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hé".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16, Format::Text).unwrap().text, "hé");
        let bad = decode(b"ok \xff\xfe bad", Format::Text).unwrap();
        assert!(bad.warning.is_some() && bad.text.starts_with("ok "));
    }

    #[test]
    fn furniture_lines_are_dropped() {
        assert_eq!(
            clean_text("Real text.\nWas this article helpful? Yes No\n  more   text "),
            "Real text.\nmore text"
        );
    }

    #[test]
    fn link_lists_are_dropped_and_prose_with_links_is_kept() {
        let raw = |h: &str, text: &str, link_chars: usize| RawSection {
            heading: vec![h.to_string()],
            text: text.into(),
            link_chars,
            ..Default::default()
        };
        let list =
            "- Closures and captures\n- Function pointers\n- Const functions\n- Async functions";
        let links = list.chars().filter(|c| c.is_alphanumeric()).count();
        let prose = "A call evaluates its operands first; see call expressions for the rules.";
        let article = finish(
            "T".into(),
            vec![
                raw("See also", list, links),
                raw("Calls", prose, 15),
                raw("Short", "- One link", 7),
            ],
        );
        let headings: Vec<_> = article
            .sections
            .iter()
            .map(|s| s.heading[0].as_str())
            .collect();
        assert_eq!(headings, ["Calls", "Short"]);
    }

    #[test]
    fn runs_of_name_links_are_dropped_and_a_single_link_stays() {
        let alnum = |t: &str| t.chars().filter(|c| c.is_alphanumeric()).count();
        let run = "#mock, #sequence, #stub";
        assert!(is_link_list(run, alnum(run)));
        assert!(is_link_list("- mock\n- stub\n- spy", 11));
        // Two links, or text besides the links, are not a run.
        assert!(!is_link_list("#mock, #stub", 8));
        assert!(!is_link_list("See #mock, #sequence, #stub", alnum(run)));
        assert!(!is_link_list("", 0));
    }

    #[test]
    fn short_link_sections_are_dropped_on_index_pages_only() {
        let raw = |h: &str, text: &str, link_chars: usize| RawSection {
            heading: vec![h.to_string()],
            text: text.into(),
            link_chars,
            ..Default::default()
        };
        let entry = |name: &str| raw(name, name, name.len());
        let prose = "Each entry below links to the page of one function; read it there.";
        let headings = |article: Article| -> Vec<String> {
            article
                .sections
                .iter()
                .map(|s| s.heading[0].clone())
                .collect()
        };
        // An API index: each section a link or two, too short to judge alone.
        let mut index: Vec<_> = (0..16)
            .map(|i| entry(&format!("xsltFunction{i}")))
            .collect();
        index.push(raw("About", prose, 0));
        index.push(raw("Jump", "Jump to: A B C", 3));
        assert_eq!(headings(finish("T".into(), index.clone())), ["About"]);
        // The same page with fewer entries is no index page: its sections stay.
        index.drain(..14);
        assert_eq!(headings(finish("T".into(), index)).len(), 4);
        // The same short link sections on a content page stay (a short "See also").
        let page = vec![
            raw("Intro", &prose.repeat(3), 0),
            entry("xsltApplyOne"),
            raw("Jump", "Jump to: A B C", 3),
        ];
        assert_eq!(
            headings(finish("T".into(), page)),
            ["Intro", "xsltApplyOne", "Jump"]
        );
        // Link lists dropped by the extractor count towards the page's density.
        let mut dropped = raw("Jump", "Jump to: A B C", 3);
        dropped.dropped_chars = 400;
        let page = vec![raw("Intro", prose, 10), dropped];
        assert_eq!(headings(finish("T".into(), page)), ["Intro"]);
    }

    #[test]
    fn boilerplate_lines_are_removed_and_empty_sections_pass_their_anchors_on() {
        let raw = |h: &str, text: &str| RawSection {
            anchor: Some(h.to_lowercase()),
            heading: vec![h.to_string()],
            text: text.into(),
            ..Default::default()
        };
        let mut article = finish(
            "T".into(),
            vec![
                raw("A", "Real text here.\nSource"),
                raw("B", "Source"),
                raw("C", &format!("{CODE_MARK}Source\nMore text")),
            ],
        );
        assert_eq!(article.sections[2].line_keys, [(1, line_key("More text"))]);
        // Authored prose (an HTML paragraph or list item) is never boilerplate.
        let prose = finish(
            "T".into(),
            vec![raw(
                "P",
                &format!("{PROSE_MARK}Outlook\n{PROSE_MARK}- Drug Therapy\nSource"),
            )],
        );
        assert_eq!(prose.sections[0].text, "Outlook\n- Drug Therapy\nSource");
        assert_eq!(prose.sections[0].line_keys, [(2, line_key("Source"))]);
        let keys = article.line_keys();
        assert!(keys.contains(&line_key("Source")));
        // "Real text here." is a sentence: never a candidate.
        assert!(!keys.contains(&line_key("Real text here.")));
        article.remove_lines(&[line_key("Source")].into_iter().collect());
        let got: Vec<_> = article
            .sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.text.as_str(), s.aliases.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "Real text here.", vec![]),
                // Code is never boilerplate; B's anchor leads here.
                ("c", "Source\nMore text", vec!["b".to_string()]),
            ]
        );
    }

    #[test]
    fn languages_from_tags_and_scripts() {
        assert_eq!(language_tag("zh-CN").as_deref(), Some("zh"));
        assert_eq!(language_tag("EN_us").as_deref(), Some("en"));
        assert_eq!(language_tag("x"), None);
        let article = |text: &str| Article {
            title: String::new(),
            lang: String::new(),
            sections: vec![Section {
                anchor: "a".into(),
                heading: vec![],
                text: text.into(),
                lines: (1, 1),
                aliases: vec![],
                line_keys: vec![],
                listing: Default::default(),
            }],
        };
        assert_eq!(detect_language(&article("如何逐行读取文件")), "zh");
        assert_eq!(
            detect_language(&article("ファイルを一行ずつ読み込む")),
            "ja"
        );
        assert_eq!(detect_language(&article("파일을 한 줄씩 읽기")), "ko");
        assert_eq!(
            detect_language(&article(
                "This is how you read a file, line by line, with the reader."
            )),
            "en"
        );
        assert_eq!(
            detect_language(&article("Leer un archivo línea por línea")),
            "und"
        );
        assert_eq!(detect_language(&article("")), "und");
    }
}
