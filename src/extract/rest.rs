//! reStructuredText saved as plain text.
//!
//! Documentation generators ship the markup source of each page beside it (Sphinx:
//! `_sources/page.rst.txt`), and projects keep reST notes as `.txt`. Read as prose,
//! such a file takes its first label (`.. _about:`) for its title and its directives
//! for headings, and indexes markup no reader sees. When a text file holds reST
//! explicit markup (a directive `.. name::` or a target `.. _label:`) or a role
//! (``:ref:`label` ``), this module turns it into the text a reader of its
//! rendering sees, line for line (the line count is kept, so passages still point
//! at source lines):
//!
//! * section titles are the lines over- or underlined with punctuation; the
//!   adornment lines go;
//! * a field list before any other text (`:orphan:`, `:tocdepth: 2`) is the
//!   document's metadata, not shown (Sphinx moves it out of the page);
//! * comments, targets and substitution definitions go with their indented block;
//! * a directive keeps its argument (a signature, a caption) and its content; its
//!   name and its options (`:maxdepth: 2`) go, and so does a content made only of
//!   document names (a table of contents: navigation, not text), as does an
//!   argument that is a file path (`.. include:: ../x.rst`);
//! * roles and references keep their text: ``:func:`~os.path.join` `` → `join`,
//!   `` `Sphinx <https://…>`_ `` → `Sphinx`, ``` ``code`` ``` → `code`.

/// A reST document as the text its rendering shows.
pub struct Plain {
    /// Same number of lines as the source.
    pub text: String,
    /// Line numbers (1-based) of the section titles.
    pub headings: Vec<u32>,
    /// Letters and digits of each line (from 0) that are cross-references (roles,
    /// hyperlink references): links in the rendering.
    pub link_chars: Vec<usize>,
}

/// The [`Plain`] form of a reST document; None when `text` holds no explicit markup.
pub fn to_plain(text: &str) -> Option<Plain> {
    let lines: Vec<&str> = text.split('\n').collect();
    if !lines
        .iter()
        .any(|l| is_explicit_markup(l.trim_start()) || has_role(l))
    {
        return None;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    // The document's metadata: a field list before any other text.
    let mut i = 0;
    while i < lines.len()
        && (lines[i].trim().is_empty() || (lines[i].starts_with(':') && is_field(lines[i])))
    {
        out[i].clear();
        i += 1;
    }
    let mut links = vec![0usize; lines.len()];
    let mut inline = |i: usize, line: &str| {
        let (text, n) = inline(line);
        links[i] = n;
        text
    };
    let mut headings = Vec::new();
    let mut joined_links = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix("..")
            && (rest.is_empty() || rest.starts_with([' ', '\t']))
        {
            let rest = rest.trim();
            let end = block_end(&lines, i, indent);
            if let Some((_, argument)) = directive(rest) {
                // Options: the field lines right below the directive line.
                let mut j = i + 1;
                while j < end && lines[j].trim_start().starts_with(':') && is_field(lines[j]) {
                    out[j].clear();
                    j += 1;
                }
                let content: Vec<&str> = lines[j..end]
                    .iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty())
                    .collect();
                out[i] = if is_path(argument) {
                    String::new()
                } else {
                    format!("{}{}", " ".repeat(indent), inline(i, argument))
                };
                i = j;
                if !content.is_empty() && content.iter().all(|l| is_document_name(l)) {
                    for line in &mut out[j..end] {
                        line.clear();
                    }
                    i = end;
                }
                continue;
            }
            if let Some(note) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
                // A footnote or citation: its text stays.
                out[i] = format!("{}{}", " ".repeat(indent), note.1.trim());
                i += 1;
                continue;
            }
            // A comment, a target or a substitution definition, with its block.
            for line in &mut out[i..end] {
                line.clear();
            }
            i = end;
            continue;
        }
        if is_adornment(trimmed) {
            out[i].clear();
            // The titled line: under an overline, or above an underline.
            let below = lines.get(i + 1).map(|l| l.trim());
            let above = i.checked_sub(1).map(|k| lines[k].trim());
            if below.is_some_and(|t| !t.is_empty() && !is_adornment(t))
                && lines.get(i + 2).is_some_and(|l| is_adornment(l.trim()))
            {
                out[i + 1] = inline(i + 1, lines[i + 1]);
                headings.push(i as u32 + 2);
                out[i + 2].clear();
                i += 3;
                continue;
            }
            if above.is_some_and(|t| !t.is_empty() && !is_adornment(t))
                && headings.last() != Some(&(i as u32))
            {
                headings.push(i as u32);
            }
            i += 1;
            continue;
        }
        // A reference or literal left open at the end of the line goes on below
        // (`:ref:`text` here, `<target>`` on the next line): read the lines together.
        let mut last = i;
        let (mut text, mut n, mut open) = inline_open(line);
        let mut joined = line.to_string();
        while open
            && last + 1 < lines.len()
            && last < i + MAX_JOINED_LINES
            && !lines[last + 1].trim().is_empty()
        {
            last += 1;
            joined.push('\n');
            joined.push_str(lines[last]);
            (text, n, open) = inline_open(&joined);
        }
        if open {
            last = i;
            (text, n, _) = inline_open(line);
        }
        joined_links.push((i, n));
        for line in &mut out[i..=last] {
            line.clear();
        }
        for (k, part) in text.split('\n').enumerate() {
            out[i + k] = part.to_string();
        }
        i = last + 1;
    }
    for (i, n) in joined_links {
        links[i] = n;
    }
    Some(Plain {
        text: out.join("\n"),
        headings,
        link_chars: links,
    })
}

/// `.. name:: argument` → (name, argument).
fn directive(rest: &str) -> Option<(&str, &str)> {
    let (name, argument) = rest.split_once("::")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '+'));
    valid.then(|| (name, argument.trim()))
}

/// A directive (`.. name::`) or a target (`.. _label:`, `.. _name: https://…`).
fn is_explicit_markup(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(".. ") else {
        return false;
    };
    directive(rest.trim()).is_some() || (rest.starts_with('_') && rest.contains(':'))
}

/// A line holding interpreted text with a role (``:ref:`label` ``): reST, not prose.
fn has_role(line: &str) -> bool {
    line.match_indices('`').any(|(tick, _)| {
        let before = &line[..tick];
        role_prefix(before) < before.len()
    })
}

/// The end (exclusive) of the block that starts at line `start` with indentation
/// `indent`: the following lines that are blank or indented more.
fn block_end(lines: &[&str], start: usize, indent: usize) -> usize {
    let mut end = start + 1;
    let mut last = start + 1;
    while end < lines.len() {
        let line = lines[end];
        let trimmed = line.trim_start();
        if !trimmed.is_empty() {
            if line.len() - trimmed.len() <= indent {
                break;
            }
            last = end + 1;
        }
        end += 1;
    }
    last
}

/// A field line, `:name: value` (a directive option).
fn is_field(line: &str) -> bool {
    let line = line.trim();
    line.strip_prefix(':')
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(name, value)| {
            !name.is_empty() && !name.contains('`') && (value.is_empty() || value.starts_with(' '))
        })
}

/// A line of one repeated punctuation character (at least three): a title adornment
/// or a table border (`+----+`, `====  ====`).
fn is_adornment(line: &str) -> bool {
    let line = line.trim_end();
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    line.len() >= 3
        && first.is_ascii_punctuation()
        && line.chars().all(|c| {
            c == first
                || (c == ' ' && first == '=')
                || matches!((first, c), ('+', '-' | '=') | ('-' | '=', '+'))
        })
}

/// An entry of a table of contents: a document name (`os.rst`, `library/index`,
/// `glossary`) or `Title <name>`; never a sentence.
fn is_document_name(line: &str) -> bool {
    if line.ends_with('>') && line.contains(" <") {
        return true;
    }
    !line.contains(char::is_whitespace)
        && line
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '*'))
}

/// A file path argument (`../includes/x.rst`, `images/a.png`).
fn is_path(argument: &str) -> bool {
    !argument.is_empty()
        && !argument.contains(char::is_whitespace)
        && (argument.contains('/')
            || argument.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && (2..=4).contains(&ext.len())
                    && ext.chars().all(|c| c.is_ascii_lowercase())
            }))
}

/// At most this many lines are read together for one reference or literal.
const MAX_JOINED_LINES: usize = 4;

/// One line with inline markup reduced to its text, and the letters and digits of
/// that text that are cross-references.
fn inline(line: &str) -> (String, usize) {
    let (text, link_chars, _) = inline_open(line);
    (text, link_chars)
}

/// [`inline`], and whether the line ends inside interpreted text or a literal
/// (its closing backquote is on a later line). Newlines in `line` are kept.
fn inline_open(line: &str) -> (String, usize, bool) {
    let mut open = false;
    let mut out = String::with_capacity(line.len());
    let mut link_chars = 0;
    let mut rest = line;
    while let Some(tick) = rest.find('`') {
        let (before, after) = rest.split_at(tick);
        // A role before the backquote: `:name:` or `:domain:name:`.
        let role_start = role_prefix(before);
        out.push_str(&before[..role_start]);
        if let Some(literal) = after.strip_prefix("``") {
            match literal.find("``") {
                Some(close) => {
                    out.push_str(&literal[..close]);
                    rest = &literal[close + 2..];
                }
                None => {
                    out.push_str(after);
                    rest = "";
                    open = true;
                }
            }
            continue;
        }
        let Some(close) = after[1..].find('`') else {
            out.push_str(after);
            rest = "";
            open = true;
            break;
        };
        let mut text = &after[1..1 + close];
        rest = &after[close + 2..];
        let reference = rest.starts_with('_') || role_start < before.len();
        rest = rest
            .strip_prefix("__")
            .or_else(|| rest.strip_prefix('_'))
            .unwrap_or(rest);
        // `text <target>` shows its text (the target may be on a line of its own).
        let mut newlines = 0;
        if let Some((shown, _)) = text.strip_suffix('>').and_then(|t| t.rsplit_once('<'))
            && shown.ends_with(char::is_whitespace)
        {
            text = shown.trim_end();
            newlines = shown[text.len()..].matches('\n').count();
        }
        if role_start < before.len() {
            text = text.trim_start_matches('!');
            if let Some(last) = text.strip_prefix('~') {
                text = last.rsplit('.').next().unwrap_or(last);
            }
        }
        if reference {
            link_chars += text.chars().filter(|c| c.is_alphanumeric()).count();
        }
        out.push_str(text);
        out.extend(std::iter::repeat_n('\n', newlines));
    }
    out.push_str(rest);
    if let Some(head) = out.strip_suffix("::") {
        let head = head.trim_end();
        out = if head.is_empty() {
            String::new()
        } else {
            format!("{head}:")
        };
    }
    (out, link_chars, open)
}

/// Where a role (`:func:`) ends `before`, else `before.len()`.
fn role_prefix(before: &str) -> usize {
    let Some(body) = before.strip_suffix(':') else {
        return before.len();
    };
    let name_len = body
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
        .map(char::len_utf8)
        .sum::<usize>();
    let start = body.len() - name_len;
    let name = &body[start..];
    match name.strip_prefix(':') {
        Some(inner) if !inner.is_empty() && !inner.starts_with(':') => start,
        _ => before.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#".. _tty-mod:

**********************************
:mod:`tty` --- Terminal control
**********************************

.. module:: tty
   :synopsis: Utility functions.

.. moduleauthor:: Steen <steen@example.org>

The :mod:`tty` module defines functions, see :func:`~os.path.join` and
`Sphinx <https://www.sphinx-doc.org/>`_ for ``setraw``::

   tty.setraw(fd)

.. XXX a comment
   that goes on

Functions
---------

.. function:: setraw(fd, when=termios.TCSAFLUSH)

   Change the mode.

.. toctree::
   :maxdepth: 1

   os.rst
   library/io

.. include:: ../includes/x.rst
"#;

    #[test]
    fn markup_becomes_the_text_a_reader_sees() {
        let Plain {
            text: plain,
            headings,
            link_chars,
        } = to_plain(PAGE).unwrap();
        // `tty` and `join` are references on line 12, `Sphinx` on line 13.
        assert_eq!(link_chars[11..13], [7, 6]);
        assert_eq!(plain.split('\n').count(), PAGE.split('\n').count());
        let lines: Vec<&str> = plain.split('\n').collect();
        assert_eq!(lines[3], "tty --- Terminal control");
        assert_eq!(headings, [4, 20]);
        assert_eq!(lines[19], "Functions");
        let text: String = lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(
            text,
            "tty --- Terminal control|tty|Steen <steen@example.org>|The tty module defines functions, see join and|\
Sphinx for setraw:|tty.setraw(fd)|Functions|setraw(fd, when=termios.TCSAFLUSH)|Change the mode."
        );
    }

    #[test]
    fn references_spanning_lines_are_link_text() {
        let page = ".. _x:\n\n* :mod:`hashlib`: :ref:`all constructors take a\n  keyword <hashlib-usedforsecurity>`\n* :mod:`logging`: :ref:`eval()\n  <logging-eval>` in config\n* ``a literal\n  over lines`` here\n`open\n";
        let Plain {
            text, link_chars, ..
        } = to_plain(page).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), page.split('\n').count());
        assert_eq!(
            lines[2..10],
            [
                "* hashlib: all constructors take a",
                "  keyword",
                "* logging: eval()",
                " in config",
                "* a literal",
                "  over lines here",
                "`open",
                ""
            ]
        );
        let words = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count();
        assert_eq!(
            link_chars[2],
            words("hashlib all constructors take a keyword")
        );
        assert_eq!(link_chars[4], words("logging eval"));
        assert_eq!(link_chars[6..10], [0, 0, 0, 0]);
    }

    #[test]
    fn plain_text_is_left_alone() {
        assert!(to_plain("Title\n=====\n\nText: with a colon.\n").is_none());
        assert!(to_plain("Note:`x` and :: or a:b:`c`\n").is_none());
    }

    #[test]
    fn a_role_marks_rest_and_leading_fields_are_metadata() {
        // No directive, no target: the role alone tells reST from prose.
        let page = ":orphan:\n:tocdepth: 2\n\n*****\nUploading\n*****\n\nSee :ref:`pkg-index`.\n:not: metadata\n";
        let Plain { text, headings, .. } = to_plain(page).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[..2], ["", ""]);
        assert_eq!(headings, [5]);
        assert_eq!(lines[4], "Uploading");
        assert_eq!(lines[7], "See pkg-index.");
        assert_eq!(lines[8], ":not: metadata");
    }
}
