//! Real-world site shapes (issue 10, issue 17's link pages): small hand-made pages
//! in the shape of mdBook and rustdoc output and of plain-text leaflets, run
//! through the real binary.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{edit_meta, ingest, ingest_with, json, query_human, query_with, temp_corpus, write};
use serde_json::Value;
use tempfile::TempDir;

/// An mdBook chapter: keyboard-help pop-up, theme picker, the book's name in an
/// `<h1 class="menu-title">`, the chapter in `<main>`, titled by `<title>`.
fn mdbook_page(title: &str, id: &str, body: &str) -> String {
    format!(
        r##"<!DOCTYPE HTML>
<html lang="en" class="light"><head><meta charset="UTF-8">
<title>{title} - The Hand Book</title></head>
<body>
<div id="mdbook-help-container"><div id="mdbook-help-popup">
<h2 class="mdbook-help-title">Keyboard shortcuts</h2>
<div><p>Press <kbd>←</kbd> or <kbd>→</kbd> to navigate between chapters</p>
<p>Press <kbd>S</kbd> to search in the book</p></div></div></div>
<nav id="sidebar" class="sidebar" aria-label="Table of contents"><ol><li><a href="a.html">Chapter A</a></li></ol></nav>
<div id="menu-bar" class="menu-bar">
<button id="theme-toggle" type="button" title="Change theme">theme</button>
<ul id="theme-list" class="theme-popup" role="menu">
<li role="none"><button role="menuitem">Light</button></li>
<li role="none"><button role="menuitem">Rust</button></li></ul>
<h1 class="menu-title">The Hand Book</h1></div>
<div id="search-wrapper" class="hidden"><form><input type="search" placeholder="Search this book ..."></form></div>
<div id="content" class="content"><main>
<h2 id="{id}"><a class="header" href="#{id}">{title}</a></h2>
{body}
</main>
<nav class="nav-wrapper" aria-label="Page navigation"><a rel="prev" href="x.html">Previous</a></nav>
</div></body></html>
"##
    )
}

/// A rustdoc item page: top bar `<h2>`, sidebar, a copy button in the `<h1>`, a
/// version badge, "Expand description", `§` permalinks, method headings as `<h4>`
/// inside `<section id="method.…">`.
fn rustdoc_page(name: &str, method: &str, doc: &str) -> String {
    format!(
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{name} in kit::things - Rust</title></head>
<body class="rustdoc struct"><a class="skip-main-content" href="#main-content">Skip to main content</a>
<rustdoc-topbar><h2><a href="#">{name}</a></h2></rustdoc-topbar>
<nav class="sidebar"><h2><a href="../index.html">kit</a></h2><ul><li><a href="#method.{method}">{method}</a></li></ul></nav>
<main><section id="main-content" class="content">
<div class="main-heading"><div class="rustdoc-breadcrumbs"><a href="../index.html">kit</a>::<a href="index.html">things</a></div>
<h1>Struct <span class="struct">{name}</span>&nbsp;<button id="copy-path" title="Copy item path to clipboard">Copy item path</button></h1>
<span class="sub-heading"><span class="since">1.0.0</span> · <a class="src" href="../src/x.rs.html">Source</a></span></div>
<pre class="rust item-decl"><code>pub struct {name} {{ /* private fields */ }}</code></pre>
<details class="toggle top-doc" open><summary class="hideme"><span>Expand description</span></summary>
<div class="docblock"><p>{doc}</p></div></details>
<h2 id="implementations" class="section-header">Implementations<a href="#implementations" class="anchor">§</a></h2>
<div id="implementations-list"><details class="toggle implementors-toggle" open><summary>
<section id="impl-{name}" class="impl"><a class="src rightside" href="../src/x.rs.html">Source</a><a href="#impl-{name}" class="anchor">§</a>
<h3 class="code-header">impl {name}</h3></section></summary>
<div class="impl-items"><details class="toggle method-toggle" open><summary>
<section id="method.{method}" class="method"><span class="rightside"><span class="since">1.0.0</span> · <a class="src" href="../src/x.rs.html">Source</a></span>
<h4 class="code-header">pub fn <a href="#method.{method}" class="fn">{method}</a>(capacity: usize) -&gt; {name}</h4></section></summary>
<div class="docblock"><p>Makes a {name} that holds {method} items without reallocating.</p>
<h5 id="examples"><a class="doc-anchor" href="#examples">§</a>Examples</h5>
<div class="example-wrap"><pre class="rust rust-example-rendered"><code><span class="kw">let </span>x = {name}::{method}(<span class="number">10</span>);
<span class="macro">assert!</span>(x.is_empty());
</code></pre></div></div></details></div></details></div>
</section></main></body></html>
"##
    )
}

/// A corpus with two sites (`book/`, `api/`) and some extra pages.
fn site_corpus() -> (TempDir, PathBuf, PathBuf) {
    let (dir, corpus, index) = temp_corpus();
    let chapters = [
        (
            "References and Borrowing",
            "references-and-borrowing",
            "borrowing",
        ),
        ("Slices", "slices", "slicing"),
        ("Structs", "structs", "structuring"),
        ("Enums", "enums", "enumerating"),
        ("Modules", "modules", "modularity"),
        ("Errors", "errors", "recovering"),
    ];
    for (i, (title, id, word)) in chapters.iter().enumerate() {
        let body = format!(
            "<p>This chapter is about {word} in the hand book.</p>\n\
             <pre><code class=\"language-rust\"><span class=\"boring\">#![allow(unused)]\n</span>fn main() {{\n    let s = String::from(\"{word}\");\n    change(&amp;s); // {word} here\n}}\n</code></pre>\n\
             <h3 id=\"more-{id}\"><a class=\"header\" href=\"#more-{id}\">More {title}</a></h3>\n\
             <p>Further words on {word}.</p>"
        );
        write(
            &corpus,
            &format!("book/ch{i:02}.html"),
            mdbook_page(title, id, &body),
        );
    }
    // The whole book on one page, not for indexing; a redirect stub; a robots
    // "none" page with odd case.
    write(
        &corpus,
        "book/print.html",
        "<html><head><meta name=\"robots\" content=\"NOINDEX, follow\"><title>The Hand Book</title></head>\
         <body><main><h1>All chapters</h1><p>This chapter is about borrowing in the hand book.</p></main></body></html>",
    );
    write(
        &corpus,
        "book/old.html",
        "<html><head><meta http-equiv=\"refresh\" content=\"0; URL=ch00.html\"><title>Redirection</title></head>\
         <body><p>Redirecting to <a href=\"ch00.html\">ch00.html</a>…</p></body></html>",
    );
    write(
        &corpus,
        "book/hidden.html",
        "<html><head><META NAME=\"Robots\" CONTENT=\"none\"></head><body><p>borrowing secrets</p></body></html>",
    );
    let items = [
        ("Vec", "with_capacity", "A contiguous growable array type."),
        ("Deque", "with_room", "A double-ended queue."),
        ("Heap", "with_size", "A priority queue."),
        ("Map", "with_buckets", "An ordered map."),
        ("Set", "with_slots", "An ordered set."),
    ];
    for (name, method, doc) in items {
        write(
            &corpus,
            &format!("api/struct.{name}.html"),
            rustdoc_page(name, method, doc),
        );
    }
    (dir, corpus, index)
}

/// Exit code and JSON answer (Null if none) of a query for up to 50 hits.
fn query(index: &Path, args: &[&str]) -> (i32, Value) {
    let r = query_with(index, &[&["-n", "50"], args].concat());
    let value = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, value)
}

/// The ids of the hits, best first.
fn hit_ids(value: &Value) -> Vec<String> {
    hits(value)
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn hits(value: &Value) -> Vec<Value> {
    value["hits"].as_array().cloned().unwrap_or_default()
}

/// The passage `id` as JSON, if the index has it.
fn show(index: &Path, id: &str) -> Option<Value> {
    let r = common::show(index, id);
    (r.code == 0).then(|| json(&r.stdout))
}

#[test]
fn noindex_and_redirect_pages_are_skipped_and_counted() {
    let (_dir, corpus, index) = site_corpus();
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 noindex, 1 redirects"), "{}", r.stderr);
    for id in [
        "book/print.html#introduction",
        "book/old.html#introduction",
        "book/hidden.html#introduction",
    ] {
        assert!(show(&index, id).is_none(), "{id} was indexed");
    }
    let (_, found) = query(&index, &["borrowing"]);
    for hit in hits(&found) {
        let path = hit["path"].as_str().unwrap();
        assert!(path.starts_with("book/ch"), "{path} answered");
    }
    let (code, _) = query(&index, &["secrets"]);
    assert_eq!(code, 1);
}

#[test]
fn mdbook_chrome_is_not_text_and_chapters_have_their_titles() {
    let (_dir, corpus, index) = site_corpus();
    assert_eq!(ingest(&corpus, &index).code, 0);
    for chrome in [
        "navigate between chapters",
        "keyboard shortcuts",
        "Change theme",
        "Search this book",
        "Previous",
    ] {
        let (code, found) = query(&index, &[&format!("\"{chrome}\"")]);
        assert_eq!(code, 1, "{chrome:?} is searchable: {found}");
    }
    let (_, found) = query(&index, &["slicing"]);
    let top = &hits(&found)[0];
    assert_eq!(top["title"], "Slices", "{found}");
    // The chapter's own heading names it: it is no section, its id leads to the
    // passage under it.
    let intro = show(&index, "book/ch01.html#slices").expect("the title heading's id names it");
    assert_eq!(intro["id"], "book/ch01.html#slices");
    assert!(intro["text"].as_str().unwrap().contains("about slicing"));
    let all: Vec<String> = hits(&query(&index, &["hand book"]).1)
        .iter()
        .map(|h| h["text"].as_str().unwrap().to_string())
        .collect();
    assert!(
        all.iter()
            .all(|t| !t.contains("Light") && !t.contains("\n-\n")),
        "{all:?}"
    );
}

#[test]
fn code_keeps_its_lines_and_hides_boring_ones() {
    let (_dir, corpus, index) = site_corpus();
    assert_eq!(ingest(&corpus, &index).code, 0);
    let intro = show(&index, "book/ch02.html#structs").unwrap();
    let text = intro["text"].as_str().unwrap();
    assert!(
        text.contains("fn main() {\n    let s = String::from(\"structuring\");\n    change(&s); // structuring here\n}"),
        "{text}"
    );
    assert!(!text.contains("allow(unused)"), "{text}");
    // Snippets keep the line breaks too.
    let (_, found) = query(&index, &["structuring"]);
    let snippets: Vec<String> = hits(&found)
        .iter()
        .filter_map(|h| h["snippet"].as_str().map(String::from))
        .collect();
    assert!(snippets.iter().any(|s| s.contains("{\n")), "{snippets:?}");
}

#[test]
fn rustdoc_titles_headings_and_anchors() {
    let (_dir, corpus, index) = site_corpus();
    assert_eq!(ingest(&corpus, &index).code, 0);
    let method = show(&index, "api/struct.Vec.html#method.with_capacity")
        .expect("the method's section id is its anchor");
    assert_eq!(method["title"], "Struct Vec");
    assert!(
        method["text"]
            .as_str()
            .unwrap()
            .contains("holds with_capacity items"),
        "{method}"
    );
    assert!(
        !method["text"].as_str().unwrap().contains("Source"),
        "{method}"
    );
    // Headings without permalink signs; the impl heading's id leads to its passage.
    let examples = show(&index, "api/struct.Vec.html#examples").unwrap();
    assert!(!examples["heading"].as_str().unwrap().contains('§'));
    assert!(
        examples["text"]
            .as_str()
            .unwrap()
            .contains("let x = Vec::with_capacity(10);\nassert!")
    );
    assert!(show(&index, "api/struct.Vec.html#implementations").is_some());
    assert!(show(&index, "api/struct.Vec.html#impl-Vec").is_some());
    let intro = show(&index, "api/struct.Vec.html#introduction").unwrap();
    let text = intro["text"].as_str().unwrap();
    assert!(text.contains("A contiguous growable array type."), "{text}");
    // Button text, badges and "Expand description" (on every page of the site)
    // are not text.
    for chrome in [
        "Copy item path",
        "Expand description",
        "1.0.0",
        "Skip to main content",
    ] {
        assert!(!text.contains(chrome), "{chrome:?} in {text}");
        let (code, found) = query(&index, &[&format!("\"{chrome}\"")]);
        assert_eq!(code, 1, "{chrome:?} is searchable: {found}");
    }
    // The top bar's `<h2>` and the sidebar are no passages.
    let (_, found) = query(&index, &["Vec"]);
    for hit in hits(&found) {
        assert_ne!(hit["id"], "api/struct.Vec.html#vec", "{hit}");
    }
}

#[test]
fn reference_rule_markers_tables_and_link_pages() {
    let (_dir, corpus, index) = temp_corpus();
    write(
        &corpus,
        "fn.html",
        r##"<html><head><title>Functions - The Reference</title></head><body><main>
<h1 id="functions"><a class="header" href="#functions">Functions</a></h1>
<div class="rule" id="r-items.fn.intro"><a class="rule-link" href="#r-items.fn.intro">[items<wbr>.fn<wbr>.intro]</a></div>
<p>A function consists of a block and a name.</p>
<div class="rule" id="r-items.fn.params"><a class="rule-link" href="#r-items.fn.params">[items<wbr>.fn<wbr>.params]</a></div>
<h2 id="parameters"><a class="header" href="#parameters">Parameters</a></h2>
<h3 id="patterns"><a class="header" href="#patterns">Patterns</a></h3>
<p>Parameters are irrefutable patterns.</p>
<table><thead><tr><th>Target</th><th>Tier</th></tr></thead>
<tbody><tr><td><a href="https://example.com/a"><code>aarch64-apple-darwin</code></a></td><td>1 <sup><a href="#note">1</a></sup></td></tr></tbody></table>
<h2 id="see-also">See also</h2>
<ul><li><a href="a.html">Closures and their capture modes</a></li><li><a href="b.html">Function pointer types and coercions</a></li>
<li><a href="c.html">Const functions and const contexts</a></li><li><a href="d.html">Async functions and futures</a></li></ul>
<h2 id="calls">Calls</h2>
<p>A call evaluates its operands first; see <a href="e.html">call expressions</a> and <a href="f.html">operand order</a> for the rules that apply to every call.</p>
</main></body></html>"##,
    );
    let mut index_page =
        String::from("<html><head><title>Index</title></head><body><main><h1>Index</h1><ul>");
    for word in [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa",
    ] {
        index_page.push_str(&format!(
            "<li><a href=\"{word}.html\">{word} functions reference</a></li>"
        ));
    }
    index_page.push_str("</ul></main></body></html>");
    write(&corpus, "genindex.html", &index_page);
    assert_eq!(ingest(&corpus, &index).code, 0);

    let intro = show(&index, "fn.html#functions").unwrap();
    let text = intro["text"].as_str().unwrap();
    assert_eq!(text, "A function consists of a block and a name.");
    // A heading directly followed by a sub-heading resolves to the passage under it.
    let params = show(&index, "fn.html#parameters").expect("every heading id resolves");
    assert_eq!(params["id"], "fn.html#patterns");
    let text = params["text"].as_str().unwrap();
    assert!(!text.contains("items.fn"), "{text}");
    assert!(text.contains("aarch64-apple-darwin"), "{text}");
    assert!(
        !text.contains("][") && !text.contains("^{["),
        "link soup: {text}"
    );
    // The link list is navigation; the section with links in its prose is content.
    assert!(show(&index, "fn.html#see-also").is_none());
    assert!(show(&index, "fn.html#calls").is_some());
    let (code, found) = query(&index, &["epsilon"]);
    assert_eq!(code, 1, "the index page answered: {found}");
}

#[test]
fn index_pages_of_short_link_sections_are_navigation() {
    let (_dir, corpus, index) = temp_corpus();
    // An API index (libxslt `APIfunctions.html`): each section a link or two, too
    // short to judge alone, the page as a whole almost only links.
    let mut page = String::from(
        "<html><head><title>API by type</title></head><body><h1>API by type</h1>\
         <p>Jump to: <a href=\"#a\">A</a> <a href=\"#b\">B</a></p>",
    );
    for (kind, function) in [
        ("xmlDocPtr", "xsltApplyStylesheet"),
        ("xmlNodePtr", "xsltCopyTextString"),
        ("xsltStylesheetPtr", "xsltFreeStylesheet"),
        ("xsltTransformContextPtr", "xsltRegisterExtension"),
        ("xmlChar", "xsltGetNsProp"),
        ("xsltKeyDefPtr", "xsltInitCtxtKey"),
    ] {
        page.push_str(&format!(
            "<h2>Type {kind}:</h2><a href=\"f.html#{function}\">{function}</a><br/>"
        ));
    }
    page.push_str("</body></html>");
    write(&corpus, "APIfunctions.html", &page);
    // A content page whose short "See also" section is the same kind of link.
    write(
        &corpus,
        "transform.html",
        "<html><head><title>Transforming</title></head><body><h1>Transforming</h1>\
         <p>To transform a document, parse the stylesheet once and apply it to each input \
         document; the result is a new tree the caller frees.</p>\
         <h2>See also</h2><a href=\"f.html#xsltInitCtxtKey\">xsltInitCtxtKey</a></body></html>",
    );
    assert_eq!(ingest(&corpus, &index).code, 0);
    let (code, found) = query(&index, &["xsltApplyStylesheet"]);
    assert_eq!(code, 1, "the index page answered: {found}");
    let (code, found) = query(&index, &["xsltInitCtxtKey"]);
    assert_eq!(code, 0);
    let ids: Vec<Value> = hits(&found).iter().map(|h| h["id"].clone()).collect();
    assert_eq!(ids, ["transform.html#see-also"], "{found}");
    let (code, found) = query(&index, &["caller frees"]);
    assert_eq!(code, 0, "the content section is kept: {found}");
}

#[test]
fn word_index_pages_are_navigation_and_lists_of_prose_are_not() {
    let (_dir, corpus, index) = temp_corpus();
    // A word index (libxslt `APIchunk11.html`): each term, often an identifier,
    // defined only by links to the pages using it; the terms alone are a third of
    // the text, so the list as a whole is not link-dense.
    let mut entries = String::new();
    for (term, uses) in [
        (
            "xmlDocPtr",
            ["xsltGetProfileInformation", "xsltSaveResultTo"],
        ),
        (
            "xsl:apply-templates",
            ["xsltTransformFunction", "xsltApplyOneTemplate"],
        ),
        (
            "xmlParserOption",
            ["xsltDocLoaderFunc", "xsltSetCtxtParseOptions"],
        ),
        (
            "xmlXPathCompiledEvalToBoolean",
            ["xsltFastIf", "xsltEvalPredicate"],
        ),
        (
            "xsl:namespace-alias",
            ["xsltCompilerCtxt", "xsltNamespaceAlias"],
        ),
    ] {
        let links: String = uses
            .iter()
            .map(|u| format!("<a href=\"html/f.html#{u}\">{u}</a><br/>"))
            .collect();
        entries.push_str(&format!("<dt>{term}</dt><dd>{links}</dd>"));
    }
    write(
        &corpus,
        "APIchunk11.html",
        format!(
            "<html><head><title>API Alphabetic Index x</title></head><body>\
             <h2>Letter x:</h2><dl>{entries}</dl></body></html>"
        ),
    );
    // An API page: a definition list of functions described in prose, with links.
    write(
        &corpus,
        "transform.html",
        "<html><head><title>Transforming</title></head><body><h1>Transforming</h1><dl>\
         <dt>xsltApplyStylesheet(style, doc)</dt><dd><p>Apply the stylesheet to the \
         document, returning a new <a href=\"tree.html\">xmlDocPtr</a> tree the caller frees.</p></dd>\
         <dt>Return type</dt><dd><a href=\"tree.html\">xmlDocPtr</a></dd></dl></body></html>",
    );
    // Doxygen's member index: each item a member's name beside a link to its class.
    let items: String = [
        "isArray()",
        "isBool()",
        "isMember()",
        "isNull()",
        "isObject()",
        "isString()",
    ]
    .iter()
    .map(|m| format!("<li>{m} : <a href=\"class_value.html#{m}\">Json::Value</a></li>"))
    .collect();
    write(
        &corpus,
        "functions_i.html",
        format!(
            "<html><body><h3>- i -</h3><ul>{items}</ul><hr/><address class=\"footer\"><small>\
             Generated on Wed Mar 30 2022 07:20:36 for JsonCpp by doxygen 1.9.1</small></address></body></html>"
        ),
    );
    // YARD's method list: each item a method's link (`#&` a symbol alone) beside
    // its owner's qualified name, four words long when split at `::`.
    let owners = [
        ("#&", "Quokkamock::Matchers::Base"),
        ("#stubs", "Quokkamock::Integration::MiniTest::Adapter"),
        ("#expects", "Quokkamock::Mock"),
        ("#never", "Quokkamock::Expectation"),
        ("#once", "Quokkamock::Expectation"),
        ("#with", "Quokkamock::Expectation"),
    ];
    let items: String = owners
        .iter()
        .map(|(m, o)| {
            format!("<li><div class=\"item\"><span><a href=\"m.html#{m}\">{m}</a></span> <small>{o}</small></div></li>")
        })
        .collect();
    write(
        &corpus,
        "method_list.html",
        format!(
            "<html><head><title>Method List</title></head><body><ul id=\"full_list\">{items}</ul></body></html>"
        ),
    );
    // javadoc's class tree: nested lists of qualified names, `(implements ...)`.
    let leaf = |c: &str| {
        format!(
            "<li>org.numbat.conc.<a href=\"{c}.html\">{c}</a>&lt;T&gt; (implements org.numbat.conc.<a href=\"Init.html\">Init</a>&lt;T&gt;)</li>"
        )
    };
    let (a, b) = (leaf("AtomicWombatInit"), leaf("LazyWombatInit"));
    write(
        &corpus,
        "conc/package-tree.html",
        format!(
            "<html><head><title>Hierarchy</title></head><body><main><h1>Hierarchy For Package org.numbat.conc</h1>\
             <h2>Class Hierarchy</h2><ul><li>java.lang.<a href=\"o.html\">Object</a><ul>{a}{b}\
             <li>org.numbat.conc.<a href=\"B.html\">BackgroundWombatInit</a>&lt;T&gt;<ul>{}{}</ul></li>\
             </ul></li></ul></main></body></html>",
            leaf("CallableWombatInit"),
            leaf("MultiWombatInit")
        ),
    );
    // Constants, each beside a few words of description: content.
    write(
        &corpus,
        "round.html",
        "<html><head><title>round</title></head><body><h1>round</h1><p>Rounding is one of:</p><ul>\
         <li><a href=\"n.html\">FROUND_NEAREST</a> : round to nearest</li>\
         <li><a href=\"d.html\">FROUND_NEG_INF</a> : round down</li>\
         <li><a href=\"u.html\">FROUND_POS_INF</a> : round up</li>\
         <li><a href=\"z.html\">FROUND_ZERO</a> : truncate</li>\
         <li><a href=\"c.html\">FROUND_CUR</a> : use MXCSR.RC - see <a href=\"s.html\">SET_MODE</a></li>\
         </ul></body></html>",
    );
    // Three one-word links listed by a sentence: too short to judge, content.
    write(
        &corpus,
        "mpsc.html",
        "<html><head><title>mpsc</title></head><body><h1>mpsc</h1><p>Channels are defined \
         among three types:</p><ul><li><a href=\"s.html\">Sender</a></li><li><a href=\"y.html\">\
         SyncSender</a></li><li><a href=\"r.html\">Receiver</a></li></ul></body></html>",
    );
    // A content list: items with a sentence beside their link.
    write(
        &corpus,
        "members.html",
        "<html><head><title>Members</title></head><body><h1>Members</h1><ul>\
         <li><a href=\"v.html#isNull\">isNull()</a> tells whether the value holds nothing.</li>\
         <li><a href=\"v.html#isObject\">isObject()</a> tells whether the value is a map.</li>\
         <li><a href=\"v.html#isString\">isString()</a> tells whether the value is text.</li>\
         </ul></body></html>",
    );
    // Sphinx's general index: letters of one entry each, too short to judge by density.
    write(
        &corpus,
        "genindex.html",
        "<html><body><h1>Index</h1><h2 id=\"H\">H</h2><table class=\"indextable\"><tr><td><ul>\
         <li><a href=\"api.html#has\">hasattribute() (in module attrs)</a></li></ul></td></tr></table>\
         <h2 id=\"R\">R</h2><table class=\"indextable\"><tr><td><ul>\
         <li><a href=\"api.html#resolve\">resolve() (in module attrs)</a></li></ul></td></tr></table>\
         </body></html>",
    );
    assert_eq!(ingest(&corpus, &index).code, 0);
    let (code, found) = query(&index, &["hasattribute"]);
    assert_eq!(code, 1, "the general index answered: {found}");
    let (code, found) = query(&index, &["isMember"]);
    assert_eq!(code, 1, "the member index answered: {found}");
    let (code, found) = query(&index, &["Quokkamock"]);
    assert_eq!(code, 1, "the method list answered: {found}");
    let (code, found) = query(&index, &["numbat"]);
    assert_eq!(code, 1, "the class tree answered: {found}");
    let (code, found) = query(&index, &["truncate"]);
    assert_eq!(code, 0, "the list of constants is content: {found}");
    let (code, found) = query(&index, &["JsonCpp"]);
    assert_eq!(code, 1, "the page's address footer answered: {found}");
    let (code, found) = query(&index, &["SyncSender"]);
    assert_eq!(code, 0, "the short list is content: {found}");
    let (code, found) = query(&index, &["isObject"]);
    let ids: Vec<Value> = hits(&found).iter().map(|h| h["id"].clone()).collect();
    assert_eq!(ids, ["members.html#introduction"], "{found}");
    assert_eq!(code, 0);
    let (code, found) = query(&index, &["xmlParserOption"]);
    assert_eq!(code, 1, "the word index answered: {found}");
    let (code, found) = query(&index, &["xmlDocPtr"]);
    assert_eq!(code, 0);
    let ids: Vec<Value> = hits(&found).iter().map(|h| h["id"].clone()).collect();
    assert_eq!(ids, ["transform.html#introduction"], "{found}");
}

#[test]
fn repeated_leaflet_lines_are_boilerplate_and_stay_consistent_incrementally() {
    let (_dir, corpus, index) = temp_corpus();
    let conditions = ["Gout", "Asthma", "Eczema", "Anemia", "Migraine", "Rosacea"];
    for name in conditions {
        write(
            &corpus,
            &format!("leaflets/{}.txt", name.to_lowercase()),
            format!(
                "{name}\n\n{name} is a common condition treated by doctors.\n\nTreatment\n\n\
                 {name} treatment depends on the cause.\nRest helps with {name}.\n\nWas this helpful? Yes No\n"
            ),
        );
    }
    assert_eq!(ingest(&corpus, &index).code, 0);
    let (code, found) = query(&index, &["\"was this helpful\""]);
    assert_eq!(code, 1, "{found}");
    // A recurring heading is content: every leaflet keeps its "Treatment" section,
    // and a line that is not on a fifth of the pages stays.
    // (Introductions saying "treated" may follow: derivational families.)
    let (_, found) = query(&index, &["treatment"]);
    let sections = hits(&found)
        .iter()
        .filter(|h| h["id"].as_str().unwrap().ends_with("#treatment"))
        .count();
    assert_eq!(sections, 6, "{found}");
    let gout = show(&index, "leaflets/gout.txt#treatment").unwrap();
    assert_eq!(
        gout["text"],
        "Gout treatment depends on the cause.\nRest helps with Gout."
    );

    // Remove three leaflets: the line is on 3 pages now, under the 5-page minimum,
    // so it is text again in the unchanged ones, exactly as a rebuild would have it.
    for name in &conditions[3..] {
        fs::remove_file(corpus.join(format!("leaflets/{}.txt", name.to_lowercase()))).unwrap();
    }
    assert_eq!(ingest(&corpus, &index).code, 0);
    let incremental = show(&index, "leaflets/gout.txt#treatment").unwrap();
    assert!(
        incremental["text"]
            .as_str()
            .unwrap()
            .contains("Was this helpful? Yes No"),
        "{incremental}"
    );
    let (_, found_incremental) = query(&index, &["\"was this helpful\""]);
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0);
    let (_, found_rebuilt) = query(&index, &["\"was this helpful\""]);
    let ids = |v: &Value| {
        hits(v)
            .iter()
            .map(|h| (h["id"].to_string(), h["text"].to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&found_incremental), ids(&found_rebuilt));
    assert_eq!(ids(&found_rebuilt).len(), 3);
}

#[test]
fn languages_are_recorded_filtered_and_cjk_is_tokenized() {
    let (_dir, corpus, index) = temp_corpus();
    write(
        &corpus,
        "en/read.html",
        "<html lang=\"en\"><head><title>Read lines - Examples</title></head><body><main>\
         <h1>Read lines</h1><p>How to read a file line by line with a buffered reader.</p></main></body></html>",
    );
    write(
        &corpus,
        "zh/read.html",
        "<html lang=\"zh-CN\"><head><title>读取行</title></head><body><main>\
         <h1>读取行</h1><p>如何逐行读取文件，使用带缓冲的读取器 file line。</p></main></body></html>",
    );
    write(
        &corpus,
        "notes.md",
        "---\ntitle: Notas\nlang: es\n---\n\n# Notas\n\nLeer un archivo línea por línea.\n\n```rust\nlet f = File::open(path)?;\nfor line in reader.lines() {\n    println!(\"{line}\");\n}\n```\n",
    );
    write(
        &corpus,
        "ja.txt",
        "ファイルを読む\n\nファイルを一行ずつ読み込む方法を説明します。\n",
    );
    assert_eq!(ingest(&corpus, &index).code, 0);
    let (_, found) = query(&index, &["read a file line by line"]);
    let top = &hits(&found)[0];
    assert_eq!(top["path"], "en/read.html", "{found}");
    assert_eq!(top["lang"], "en");
    // A Chinese query finds the Chinese page: its text is indexed as bigrams.
    let (code, found) = query(&index, &["逐行读取"]);
    assert_eq!(code, 0);
    assert_eq!(hits(&found)[0]["path"], "zh/read.html");
    assert_eq!(hits(&found)[0]["lang"], "zh");
    let (_, found) = query(&index, &["--lang", "zh", "file line"]);
    let paths: Vec<String> = hits(&found)
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["zh/read.html"]);
    let (code, _) = query(&index, &["--lang", "en", "逐行读取"]);
    assert_eq!(code, 1);
    // A language no passage is in is said, with the ones there are.
    let (code, found) = query(&index, &["--lang", "xx", "file"]);
    assert_eq!(code, 1);
    let notes = found["notes"].to_string();
    assert!(
        notes.contains("language \\\"xx\\\"") && notes.contains("zh (1)"),
        "{notes}"
    );
    let (_, found) = query(&index, &["archivo"]);
    assert_eq!(hits(&found)[0]["lang"], "es");
    assert_eq!(hits(&found)[0]["title"], "Notas");
    let text = hits(&found)[0]["text"].as_str().unwrap().to_string();
    assert!(
        text.contains("for line in reader.lines() {\n    println!(\"{line}\");\n}"),
        "{text}"
    );
    let (_, found) = query(&index, &["一行ずつ"]);
    assert_eq!(hits(&found)[0]["lang"], "ja");
}

#[test]
fn an_index_of_an_older_schema_is_rebuilt_not_called_foreign() {
    let (_dir, corpus, index) = temp_corpus();
    write(
        &corpus,
        "a.md",
        "# Alpha\n\nThis is the text of the alpha page.\n",
    );
    assert_eq!(ingest(&corpus, &index).code, 0);
    // Make it look like an index written before the `lang` field existed.
    edit_meta(&index, |meta, payload| {
        meta["schema"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["name"] != "lang");
        payload["schema_version"] = Value::from(4);
    });
    let r = query_human(&index, &["alpha"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("another lectern version"), "{}", r.stderr);
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("rebuilding"), "{}", r.stderr);
    let (code, found) = query(&index, &["alpha"]);
    assert_eq!(code, 0);
    assert_eq!(hits(&found)[0]["lang"], "en");
}

/// Lines of code holding `word`, some blank, as a generator numbers them.
fn code_lines(word: &str) -> Vec<String> {
    let mut lines = vec![format!("// {word} the widgets")];
    for i in 0..14 {
        lines.push(match i % 4 {
            0 => String::new(),
            1 => format!("fn {word}_{i}(x: u32) -> u32 {{"),
            2 => format!("    x + {i};"),
            _ => "}".to_string(),
        });
    }
    lines
}

#[test]
fn source_listings_are_skipped_counted_and_named() {
    let (_dir, corpus, index) = temp_corpus();
    // Doxygen: one div per line, the number in a span.
    let dox: String = code_lines("frobnicate")
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<div class=\"line\"><a name=\"l{n:05}\"></a><span class=\"lineno\">{n:5}</span>&#160;{l}</div>\n",
                n = i + 1
            )
        })
        .collect();
    write(
        &corpus,
        "dox/widget_8h_source.html",
        format!(
            "<html><head><title>widget.h Source</title></head><body><div class=\"header\">widget.h</div>\
         <a href=\"widget_8h.html\">Go to the documentation of this file.</a><div class=\"fragment\">{dox}</div></body></html>"
        ),
    );
    // javadoc src-html: one `pre`, numbers glued to the code.
    let java: String = code_lines("frobnicate")
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<span class=\"source-line-no\">{:03}</span><span id=\"line-{}\">{l}</span>\n",
                i + 1,
                i + 1
            )
        })
        .collect();
    write(
        &corpus,
        "api/src-html/Widget.html",
        format!(
            "<html><head><title>Source code</title></head><body><main><pre>{java}</pre></main></body></html>"
        ),
    );
    // rustdoc `src/`: a self-link per line.
    let rust: String = code_lines("frobnicate")
        .iter()
        .enumerate()
        .map(|(i, l)| format!("<a href=#{n} id={n}>{n}</a>{l}\n", n = i + 1))
        .collect();
    write(
        &corpus,
        "src/widget.rs.html",
        format!(
            "<html><head><title>widget.rs - source</title></head><body><main><h1>widget/</h1><pre class=\"rust\"><code>{rust}</code></pre></main></body></html>"
        ),
    );
    // Kept: the page documenting it (with a short numbered example), a table whose
    // first column numbers its rows, a timeline of years, a numbered list.
    write(
        &corpus,
        "doc/widget.html",
        "<html><head><title>Widgets</title></head><body><main>\
        <h1>Widgets</h1><p>Call frobnicate to frobnicate the widgets of a window.</p>\
        <pre>1 let w = frobnicate(3);\n2 w.show();</pre></main></body></html>",
    );
    let rows: String = (1..=15)
        .map(|n| {
            format!(
                "<tr><td>{n}</td><td>Runner number {n} (club)</td><td>{}:{n:02}</td></tr>",
                30 + n
            )
        })
        .collect();
    write(
        &corpus,
        "doc/results.html",
        format!(
            "<html><head><title>Results</title></head><body><main><h1>Race results</h1><table>{rows}</table></main></body></html>"
        ),
    );
    let years: String = (0..15)
        .map(|i| format!("<p>{} the gadget got a new lid;</p>\n", 1990 + 2 * i))
        .collect();
    write(
        &corpus,
        "doc/history.html",
        format!(
            "<html><head><title>History</title></head><body><main><h1>History</h1>{years}</main></body></html>"
        ),
    );
    let steps: String = (1..=15)
        .map(|n| format!("{n}. Turn the knob {n} times;\n"))
        .collect();
    write(&corpus, "doc/steps.md", format!("# Steps\n\n{steps}"));

    if let Ok(dir) = std::env::var("KEEP_FIXTURE") {
        common::copy_dir(&corpus, Path::new(&dir));
    }
    let r = ingest_with(&corpus, &index, &["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 source listings, "), "{}", r.stderr);
    for path in [
        "dox/widget_8h_source.html",
        "api/src-html/Widget.html",
        "src/widget.rs.html",
    ] {
        assert!(
            r.stderr.contains(&format!(
                "{path}: a source listing (numbered code lines), not indexed"
            )),
            "{path}: {}",
            r.stderr
        );
    }
    let (code, found) = query(&index, &["frobnicate"]);
    assert_eq!(code, 0);
    let paths: Vec<String> = hits(&found)
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["doc/widget.html"]);
    for (words, path) in [
        ("runner club", "doc/results.html"),
        ("gadget lid", "doc/history.html"),
        ("knob times", "doc/steps.md"),
    ] {
        let (code, found) = query(&index, &[words]);
        assert_eq!(code, 0, "{words}");
        assert_eq!(hits(&found)[0]["path"], path, "{words}");
    }
    // Without listings, the summary line does not mention them.
    let r = ingest(&corpus, &index);
    assert!(!r.stderr.contains("source listings"), "{}", r.stderr);
}

#[test]
fn member_tables_are_dropped_described_link_tables_stay() {
    let (_dir, corpus, index) = temp_corpus();
    // Doxygen's "complete list of members": member link, signature, class link.
    let members: String = ["frob", "grind", "polish", "buff", "wax", "shine"]
        .iter()
        .map(|m| {
            format!(
                "<tr><td class=\"entry\"><a class=\"el\" href=\"class_gadget.html#{m}\">{m}</a>(int count) const</td>\
                 <td class=\"entry\"><a class=\"el\" href=\"class_gadget.html\">Gadget</a></td><td>inline</td></tr>"
            )
        })
        .collect();
    write(
        &corpus,
        "class_gadget-members.html",
        format!(
            "<html><head><title>Member List</title></head><body><div class=\"contents\"><p>This is the complete list of members for Gadget.</p>\
         <table class=\"directory\">{members}</table></div></body></html>"
        ),
    );
    // Kept: rows of links with descriptions, and a cost table with one link a row.
    let described: String = ["frob", "grind", "polish", "buff", "wax", "shine"]
        .iter()
        .map(|m| format!("<tr><td><a href=\"g.html#{m}\">{m}</a>(int count)</td><td><a href=\"g.html\">Gadget</a></td><td>Makes the gadget {m} count times.</td></tr>"))
        .collect();
    let costs: String = ["Frobber", "Grinder", "Polisher", "Buffer", "Waxer"]
        .iter()
        .map(|m| {
            format!(
                "<tr><td><a href=\"{m}.html\">{m}</a></td><td>O(1)</td><td>O(n) amortized</td></tr>"
            )
        })
        .collect();
    // Kept too: a table linking within its page (classes, their bases, methods).
    let bases: String = ["Sizable", "Hashy", "Iterish", "Mappish", "Settish"]
        .iter()
        .map(|m| format!("<tr><td><a href=\"#{m}\">{m}</a></td><td><a href=\"#base\">Base</a></td><td>__len__, __iter__, __contains__, keys, items, values, get</td></tr>"))
        .collect();
    write(
        &corpus,
        "gadget.html",
        format!(
            "<html><head><title>Gadget</title></head><body><main><h1>Gadget</h1><p>What a gadget does.</p>\
         <table>{described}</table><h2 id=\"costs\">Costs</h2><table>{costs}</table><h2 id=\"bases\">Bases</h2><table>{bases}</table></main></body></html>"
        ),
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, found) = query(&index, &["shine"]);
    assert_eq!(code, 0);
    let found = hits(&found);
    let ids: Vec<&str> = found.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["gadget.html#introduction"]);
    let (code, found) = query(&index, &["amortized"]);
    assert_eq!(code, 0);
    assert_eq!(hits(&found)[0]["id"], "gadget.html#costs");
    let (code, found) = query(&index, &["Mappish"]);
    assert_eq!(code, 0);
    assert_eq!(hits(&found)[0]["id"], "gadget.html#bases");
}

#[test]
fn summaries_repeating_the_openings_of_details_are_listings() {
    let (_dir, corpus, index) = temp_corpus();
    // A class page in the shape of javadoc: a summary grid (divs, not a table) of
    // each method's first sentence above the details, which open with the same
    // sentence and say more. Overloads share notes further in.
    let methods = [
        ("rootCause", "Finds the deepest cause of a failure chain."),
        ("message", "Builds a readable message for a failure."),
        ("rethrow", "Throws a checked failure without declaring it."),
        ("trace", "Prints the trace of the deepest cause first."),
    ];
    let grid: String = methods
        .iter()
        .map(|(m, s)| {
            format!("<div class=\"col-first\">static Failure</div><div class=\"col-second\"><a href=\"#{m}\">{m}</a>(Failure f)</div><div class=\"col-last\">{s}</div>")
        })
        .collect();
    let details: String = methods
        .iter()
        .map(|(m, s)| {
            format!("<section id=\"{m}\"><h3>{m}</h3><pre>static Failure {m}(Failure f)</pre><p>{s} A null failure gives null. \
                     The walk stops at a cycle, so it always ends.</p><dl><dt>Parameters:</dt><dd>f - the failure to inspect</dd></dl></section>")
        })
        .collect();
    write(
        &corpus,
        "Failures.html",
        format!(
            "<html><head><title>Failures</title></head><body><main><h1>Class Failures</h1><p>Helpers for failure chains.</p>\
             <section id=\"method-summary\"><h2>Method Summary</h2><div class=\"summary-table\">{grid}</div></section>\
             <section id=\"method-detail\"><h2>Method Details</h2>{details}</section></main></body></html>"
        ),
    );
    // A page whose closing section restates two of its sections' openings among
    // its own sentences: content, kept.
    write(
        &corpus,
        "guide.html",
        "<html><head><title>Guide</title></head><body><main><h1>Guide</h1>\
         <h2 id=\"one\">Setup</h2><p>Install the tool from the package manager. It needs a recent compiler.</p>\
         <h2 id=\"two\">Use</h2><p>Run the tool on a folder of pages. It writes an index beside them.</p>\
         <h2 id=\"recap\">Recap</h2><p>Install the tool from the package manager. Run the tool on a folder of pages. \
         Then query the index from the shell. Results come back ranked by relevance.</p></main></body></html>",
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Words spread over several members: the summary held them all, the details
    // each one; the answer is a detail.
    let (code, found) = query(&index, &["deepest cause readable message"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(
        !ids.iter().any(|id| id.ends_with("#method-summary")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"Failures.html#rootCause".to_string()),
        "{ids:?}"
    );
    assert!(show(&index, "Failures.html#method-summary").is_none());
    for (m, _) in methods {
        assert!(show(&index, &format!("Failures.html#{m}")).is_some(), "{m}");
    }
    assert!(show(&index, "guide.html#recap").is_some());
}

/// A class page of an API site: its description opens the page.
fn class_page(name: &str, opening: &str) -> String {
    format!(
        "<html><head><title>{name}</title></head><body><main><h1>Class {name}</h1>\
         <pre>public class {name}</pre><p>{opening} It keeps no state between calls. \
         See the guide for examples.</p><h2 id=\"make\">make</h2><p>Makes a {name} from its parts. \
         Parts may come in any order.</p></main></body></html>"
    )
}

/// A "uses of" page of an API site: a table of classes, each with its opening.
fn uses_page(rows: &[(&str, &str)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(n, s)| format!("<tr><td><a href=\"{n}.html\">{n}</a></td><td>{s}</td></tr>"))
        .collect();
    format!(
        "<html><head><title>Uses of Builder</title></head><body><main><h1>Uses of Builder</h1>\
         <h2 id=\"pkg\">Classes in pkg that implement Builder</h2><table>{rows}</table></main></body></html>"
    )
}

#[test]
fn pages_listing_the_openings_of_other_pages_are_listings_and_rejudged_incrementally() {
    let (_dir, corpus, index) = temp_corpus();
    let classes = [
        ("Eq", "Assists in implementing equality checks for records."),
        ("Hash", "Assists in implementing hash codes for records."),
        (
            "Show",
            "Assists in implementing readable strings for records.",
        ),
        ("Order", "Assists in implementing orderings for records."),
    ];
    for (name, opening) in &classes[..2] {
        write(
            &corpus,
            &format!("api/{name}.html"),
            class_page(name, opening),
        );
    }
    write(&corpus, "api/uses.html", uses_page(&classes));
    // Prose quoting the same sentences, several to a paragraph: content.
    let quoted: Vec<&str> = classes.iter().map(|(_, s)| *s).collect();
    write(
        &corpus,
        "api/guide.html",
        format!(
            "<html><head><title>Guide</title></head><body><main><h1>Guide</h1><h2 id=\"tour\">Tour</h2><p>{}</p></main></body></html>",
            quoted.join(" ")
        ),
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Two of the four rows open another page: not a listing yet.
    assert!(show(&index, "api/uses.html#pkg").is_some());
    // The other two classes are added; the unchanged uses page is judged again.
    for (name, opening) in &classes[2..] {
        write(
            &corpus,
            &format!("api/{name}.html"),
            class_page(name, opening),
        );
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses.html#pkg").is_none());
    let (code, found) = query(&index, &["implementing readable strings orderings"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(
        !ids.iter().any(|id| id.starts_with("api/uses.html")),
        "{ids:?}"
    );
    for id in [
        "api/Show.html#introduction",
        "api/Order.html#introduction",
        "api/guide.html#tour",
    ] {
        assert!(ids.contains(&id.to_string()), "{id}: {ids:?}");
    }
    // A rebuild agrees with the incremental ingest.
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses.html#pkg").is_none());
    assert!(show(&index, "api/Eq.html#introduction").is_some());
    // Two classes go: the uses page is an answer again.
    for (name, _) in &classes[2..] {
        fs::remove_file(corpus.join(format!("api/{name}.html"))).unwrap();
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses.html#pkg").is_some());
}

#[test]
fn code_copies_symbol_indexes_and_method_lists_are_not_indexed_content_stays() {
    let (_dir, corpus, index) = temp_corpus();
    // Sphinx `_modules/`: a title over the module's highlighted source, a `[docs]`
    // link to the API page beside each documented definition, no line numbers.
    let mut source = vec!["# widget helpers".to_string()];
    for i in 0..8 {
        source.push(format!(
            "<a class=\"viewcode-back\" href=\"../window.html#frob_{i}\">[docs]</a>def frobnicate_{i}(window, depth={i}):"
        ));
        source.push("    \"\"\"Frobnicate the widgets of a window.\"\"\"".to_string());
        source.push(format!("    return window.frob(depth + {i})"));
    }
    write(
        &corpus,
        "site/_modules/widget.html",
        format!(
            "<html><head><title>widget</title></head><body><main><h1>Source code for widget</h1>\
             <div class=\"highlight\"><pre>{}</pre></div></main></body></html>",
            source.join("\n")
        ),
    );
    // Kept: the same code without links (a book's "final code" page), a licence in a
    // `<pre>`, RDoc's class page (each method's source under its name).
    let plain: Vec<String> = source
        .iter()
        .map(|l| {
            l.replace(
                "<a class=\"viewcode-back\" href=\"../window.html#frob_",
                "<span>",
            )
            .replace("\">[docs]</a>", "</span>")
        })
        .map(|l| {
            l.replace("frobnicate", "finalize")
                .replace("Frobnicate", "Finalize")
        })
        .collect();
    write(
        &corpus,
        "site/final.html",
        format!(
            "<html><body><main><h1>The Final Code</h1><pre><code>{}</code></pre></main></body></html>",
            plain.join("\n")
        ),
    );
    let licence: String = (0..30)
        .map(|i| {
            format!(
                "Clause {i} lets everyone copy the <a href=\"frob.html\">frobnicator</a> verbatim\n"
            )
        })
        .collect();
    write(
        &corpus,
        "site/license.html",
        format!("<html><body><main><h1>Licence</h1><pre>{licence}</pre></main></body></html>"),
    );
    let methods: String = (0..3)
        .map(|m| {
            let body: String = (0..12)
                .map(|i| format!("  <a href=\"Polisher.html\">burnish_{m}</a>(x, {i});\n"))
                .collect();
            format!("<div class=\"method-heading\">burnish_{m}(x) click to toggle source</div><pre>def burnish_{m}(x)\n{body}end</pre>")
        })
        .collect();
    write(
        &corpus,
        "site/Burnisher.html",
        format!(
            "<html><body><main><h1>class Burnisher</h1><p>Burnishes.</p>{methods}</main></body></html>"
        ),
    );
    let symbols = [
        "frob_window_new",
        "frob_window_get_depth",
        "frob_window_set_depth",
        "frob_window_free",
        "FROB_WINDOW_ERROR",
        "FrobWindowError",
    ];
    let docs: String = symbols
        .iter()
        .map(|s| {
            format!(
                "<h2 id=\"{s}\">{s} ()</h2><p>The {s} call frobnicates the widgets of a window.</p>"
            )
        })
        .collect();
    write(
        &corpus,
        "site/window.html",
        format!(
            "<html><body><main><h1>FrobWindow</h1><p>Windows that frobnicate.</p>{docs}</main></body></html>"
        ),
    );
    // gtk-doc's symbol index: a definition list of terms alone, `name, <a>name ()</a>`.
    let entries: String = symbols
        .iter()
        .map(|s| {
            format!("<dt>{s}, <a class=\"indexterm\" href=\"window.html#{s}\">{s} ()</a></dt>\n")
        })
        .collect();
    write(
        &corpus,
        "site/ix01.html",
        format!(
            "<html><body><div class=\"index\"><h1>Index</h1><div class=\"indexdiv\"><h3>F</h3><dl>{entries}</dl></div></div></body></html>"
        ),
    );
    // YARD's method list: tabs and a search label over a list of `#name Class` items.
    let methods: String = ["frobnicate", "depth", "free", "window", "polish", "shine"]
        .iter()
        .map(|m| {
            format!(
                "<li><div class=\"item\"><span class=\"object_link\"><a href=\"Frob/Window.html#{m}\">#{m}</a></span> <small>Frob::Window::Frobnicator</small></div></li>"
            )
        })
        .collect();
    write(
        &corpus,
        "site/method_list.html",
        format!(
            "<html><head><title>Method List</title></head><body><div id=\"content\"><div class=\"fixed_header\">\
             <h1 id=\"full_list_header\">Method List</h1><div id=\"full_list_nav\"><span><a href=\"class_list.html\">Classes</a></span>\
             <span><a href=\"method_list.html\">Methods</a></span><span><a href=\"file_list.html\">Files</a></span></div>\
             <div id=\"search\">Search: <input type=\"text\" /></div></div><ul id=\"full_list\">{methods}</ul></div></body></html>"
        ),
    );
    // Content with links stays: a glossary whose definitions link to the symbols, a
    // list of symbols each described by a sentence.
    let glossary: String = symbols
        .iter()
        .map(|s| format!("<dt id=\"g-{s}\">{s}</dt><dd>Use <a href=\"window.html#{s}\">{s}</a> when a window must frobnicate its widgets twice.</dd>"))
        .collect();
    let described: String = symbols
        .iter()
        .map(|s| format!("<li><a href=\"window.html#{s}\">{s}</a> frobnicates the list of widgets in a window</li>"))
        .collect();
    write(
        &corpus,
        "site/guide.html",
        format!(
            "<html><body><main><h1>Guide</h1><h2 id=\"glossary\">Glossary</h2><dl>{glossary}</dl>\
             <h2 id=\"calls\">Calls</h2><ul>{described}</ul></main></body></html>"
        ),
    );
    if let Ok(dir) = std::env::var("KEEP_FIXTURE") {
        common::copy_dir(&corpus, Path::new(&dir));
    }
    let r = ingest_with(&corpus, &index, &["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 source listings, "), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("site/_modules/widget.html: a source listing"),
        "{}",
        r.stderr
    );
    for (words, path) in [
        ("finalize_3", "site/final.html"),
        ("clause verbatim", "site/license.html"),
        ("burnish_1", "site/Burnisher.html"),
    ] {
        let (code, found) = query(&index, &[words]);
        assert_eq!(code, 0, "{words}");
        assert_eq!(hits(&found)[0]["path"], path, "{words}");
    }
    let (code, found) = query(&index, &["frobnicate"]);
    assert_eq!(code, 0);
    let mut paths: Vec<String> = hits(&found)
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(
        paths,
        ["site/guide.html", "site/license.html", "site/window.html"]
    );
    for id in ["site/guide.html#glossary", "site/guide.html#calls"] {
        assert!(show(&index, id).is_some(), "{id}");
    }
    for words in [
        "frob_window_get_depth",
        "methods classes files search",
        "index",
    ] {
        let (_, found) = query(&index, &[words]);
        for hit in hits(&found) {
            let path = hit["path"].as_str().unwrap();
            assert!(
                !path.ends_with("ix01.html") && !path.ends_with("method_list.html"),
                "{words}: {path}"
            );
        }
    }
}

#[test]
fn catalogues_naming_other_pages_are_navigation_content_tables_stay() {
    let (_dir, corpus, index) = temp_corpus();
    let modules = [
        ("sprocket", "", "Sprocket wheels for the widget drive."),
        (
            "gearbox",
            "(Unix)",
            "Deprecated: Gearbox ratios of the widget drive.",
        ),
        ("flywheel", "", "Flywheel inertia of the widget drive."),
        ("ratchet", "(Windows)", "Ratchet pawls of the widget drive."),
        ("camshaft", "", "Camshaft timing of the widget drive."),
    ];
    // Sphinx's module index: a letter row, then name (platform) and synopsis rows.
    let rows: String = modules
        .iter()
        .map(|(m, note, gloss)| {
            format!(
                "<tr class=\"cap\"><td></td><td><strong>{}</strong></td><td></td></tr>\
                 <tr><td></td><td><a href=\"lib/{m}.html#module-{m}\"><code>{m}</code></a> <em>{note}</em></td><td><em>{gloss}</em></td></tr>",
                &m[..1]
            )
        })
        .collect();
    write(
        &corpus,
        "site/py-modindex.html",
        format!(
            "<html><body><main><h1>Module Index</h1><table class=\"indextable\">{rows}</table></main></body></html>"
        ),
    );
    // javadoc's package summary: a grid of div cells under the package's own text.
    let cells: String = modules
        .iter()
        .map(|(m, _, gloss)| {
            format!(
                "<div class=\"col-first\"><a href=\"{m}.html\">{m}</a>&lt;T&gt;</div><div class=\"col-last\"><div class=\"block\">{gloss}</div></div>"
            )
        })
        .collect();
    write(
        &corpus,
        "site/package-summary.html",
        format!(
            "<html><body><main><h1>Package drive</h1><section><div class=\"block\"><p>The drive package turns the widget by a chain of parts.</p></div></section>\
             <section><div class=\"summary-table\"><div class=\"table-header\">Class</div><div class=\"table-header\">Description</div>{cells}</div></section></main></body></html>"
        ),
    );
    // The parts' own pages, opening with other words than the synopses (which the
    // site listing rule would take for their openings).
    for (m, _, gloss) in modules {
        write(
            &corpus,
            &format!("site/lib/{m}.html"),
            format!(
                "<html><body><main><h1>{m}</h1><p>The {m} turns the widget. {gloss}</p></main></body></html>"
            ),
        );
    }
    // Kept: a table of links described at length, one of several data cells, one
    // of code examples.
    let long = "It is the part that a careful mechanic checks first, because a worn one makes the whole widget drive slip, rattle and overheat long before any other part shows wear, and it is cheap to replace.";
    let described: String = modules
        .iter()
        .map(|(m, _, _)| {
            format!("<tr><td><a href=\"lib/{m}.html\">{m}</a></td><td>{long}</td></tr>")
        })
        .collect();
    let data: String = modules
        .iter()
        .map(|(m, _, _)| {
            format!(
                "<tr><td><a href=\"lib/{m}.html\">{m}</a></td><td>12 mm</td><td>steel</td></tr>"
            )
        })
        .collect();
    let examples: String = modules
        .iter()
        .map(|(m, _, _)| format!("<tr><td><a href=\"lib/{m}.html\">{m}</a></td><td><code>fit({m}, torque = 4)</code></td></tr>"))
        .collect();
    write(
        &corpus,
        "site/maintenance.html",
        format!(
            "<html><body><main><h1>Maintenance</h1><h2 id=\"parts\">Parts</h2><table>{described}</table>\
             <h2 id=\"sizes\">Sizes</h2><table>{data}</table><h2 id=\"fitting\">Fitting</h2><table>{examples}</table></main></body></html>"
        ),
    );
    if let Ok(dir) = std::env::var("KEEP_FIXTURE") {
        common::copy_dir(&corpus, Path::new(&dir));
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, found) = query(&index, &["widget drive"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(ids.iter().all(|id| !id.contains("py-modindex")), "{ids:?}");
    for (words, id) in [
        ("careful mechanic", "site/maintenance.html#parts"),
        ("steel", "site/maintenance.html#sizes"),
        ("torque", "site/maintenance.html#fitting"),
        ("chain of parts", "site/package-summary.html#introduction"),
    ] {
        let (code, found) = query(&index, &[words]);
        assert_eq!(code, 0, "{words}");
        assert_eq!(hits(&found)[0]["id"], id, "{words}");
    }
    // The package's own text stays, its grid of classes goes.
    let summary = show(&index, "site/package-summary.html#introduction").unwrap();
    let body = summary["body"].as_str().unwrap_or_default().to_string();
    assert!(!body.contains("Sprocket"), "{body}");
}

#[test]
fn member_summaries_of_few_rows_and_runs_of_name_links_are_not_answers() {
    let (_dir, corpus, index) = temp_corpus();
    // A class page in the shape of YARD: a summary of two methods, each a
    // signature and the first sentence of its doc (rendered with another link
    // text than in the detail), a one-row constructor summary (javadoc's shape),
    // the methods a module brings in (a run of links to its page), then the
    // details, each opening with the summary's sentence and saying more.
    write(
        &corpus,
        "Sheep.html",
        "<html><head><title>Class: Sheep</title></head><body><main><h1>Class: Sheep</h1>\
         <h2>Overview</h2><p>A sheep that grazes in a field.</p>\
         <h2 id=\"constructor-summary\">Constructor Summary</h2><div>Constructor</div><div>Description</div>\
         <div><code><a href=\"#init\">Sheep</a>()</code></div><div>Creates a sheep standing in the default meadow.</div>\
         <h2 id=\"instance-method-summary\">Instance Method Summary</h2><ul>\
         <li><span><a href=\"#chew\">#chew(grass)</a> &rArr; Object</span><div>Chews the grass given until the <a href=\"Field.html\">Field</a> is bare.</div></li>\
         <li><span><a href=\"#bleat\">#bleat(times)</a> &rArr; String</span><div>Bleats loudly the given number of times in a row.</div></li></ul>\
         <h3 id=\"methods-included-from-herd\">Methods included from <a href=\"Herd.html\">Herd</a></h3>\
         <p><a href=\"Herd.html#follow\">#follow</a>, <a href=\"Herd.html#gather\">#gather</a>, <a href=\"Herd.html#scatter\">#scatter</a></p>\
         <h2 id=\"init\">Sheep</h2><pre>public Sheep()</pre><p>Creates a sheep standing in the default meadow. \
         The meadow is chosen by the farm configuration.</p>\
         <h3 id=\"chew\">#chew(grass) &rArr; Object</h3><p>Chews the grass given until the Mocha::Field is bare. \
         A bare field makes the sheep wander to the next one.</p>\
         <h3 id=\"bleat\">#bleat(times) &rArr; String</h3><p>Bleats loudly the given number of times in a row. \
         The neighbours complain after ten bleats.</p></main></body></html>",
    );
    // A guide whose short opening section states a sentence a later section
    // repeats at its start: a real section, kept.
    write(
        &corpus,
        "guide.html",
        "<html><head><title>Guide</title></head><body><main><h1>Guide</h1>\
         <h2 id=\"intro\">Meadows</h2><p>Every sheep grazes in exactly one meadow.</p>\
         <h2 id=\"grazing\">Grazing</h2><p>Every sheep grazes in exactly one meadow. Meadows rotate each season \
         so that the grass grows back.</p></main></body></html>",
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for gone in [
        "Sheep.html#constructor-summary",
        "Sheep.html#instance-method-summary",
        "Sheep.html#methods-included-from-herd",
    ] {
        assert!(show(&index, gone).is_none(), "{gone}");
    }
    for kept in [
        "Sheep.html#init",
        "Sheep.html#chew",
        "Sheep.html#bleat",
        "guide.html#intro",
        "guide.html#grazing",
    ] {
        assert!(show(&index, kept).is_some(), "{kept}");
    }
    // The detail answers, not the summary that held the same sentence.
    let (code, found) = query(&index, &["chews grass bleats loudly"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(
        ids[0] == "Sheep.html#chew" || ids[0] == "Sheep.html#bleat",
        "{ids:?}"
    );
    let (code, found) = query(&index, &["default meadow sheep"]);
    assert_eq!(code, 0);
    assert_eq!(hits(&found)[0]["id"], "Sheep.html#init");
    // The summary line counts what was written: 4 passages of the class page, 2
    // of the guide.
    let r = ingest(&corpus, &index);
    assert!(r.stderr.contains(" 6 passages in "), "{}", r.stderr);
}

/// A class page of a titled API site ("Name (Demo API)"), its description opening it.
fn demo_class(name: &str, opening: &str) -> String {
    format!(
        "<html><head><title>{name} (Demo API)</title></head><body><main><h1>Class {name}</h1>\
         <pre>public class {name}</pre><p>{opening} It keeps no state between calls. \
         See the guide for examples.</p></main></body></html>"
    )
}

/// A "uses of" page of that site: a table of the classes using `name`.
fn demo_uses(name: &str, rows: &[(String, String)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(n, s)| format!("<tr><td><a href=\"{n}.html\">{n}</a></td><td>{s}</td></tr>"))
        .collect();
    format!(
        "<html><head><title>Uses of {name} (Demo API)</title></head><body><main>\
         <h1>Uses of {name}</h1><h2 id=\"pkg\">Classes in pkg that use {name}</h2>\
         <table>{rows}</table></main></body></html>"
    )
}

#[test]
fn short_pages_of_a_listing_family_are_listings_and_rejudged_incrementally() {
    let (_dir, corpus, index) = temp_corpus();
    let topics = [
        "equality", "hashing", "ordering", "printing", "parsing", "cloning", "sorting", "merging",
    ];
    let classes: Vec<(String, String)> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                format!("C{i}"),
                format!("Assists in implementing the {t} protocol for records."),
            )
        })
        .collect();
    for (name, opening) in &classes {
        write(
            &corpus,
            &format!("api/{name}.html"),
            demo_class(name, opening),
        );
    }
    // Three "uses of" pages of four rows each: listings by their rows.
    for i in 0..3 {
        write(
            &corpus,
            &format!("api/uses-C{i}.html"),
            demo_uses(&format!("C{i}"), &classes[3..7]),
        );
    }
    // Five of one row each: too few rows to judge alone, the same title pattern.
    for i in 3..8 {
        let row = classes[(i + 1) % 8].clone();
        write(
            &corpus,
            &format!("api/uses-C{i}.html"),
            demo_uses(&format!("C{i}"), &[row]),
        );
    }
    // Kept: a page of that pattern stating prose, and a class page of one sentence
    // alone on its line (its family holds no listing).
    write(
        &corpus,
        "api/uses-guide.html",
        "<html><head><title>Uses of Guide (Demo API)</title></head><body><main><h1>Uses of Guide</h1>\
         <h2 id=\"pkg\">Classes in pkg that use Guide</h2><p>Assists in implementing the merging \
         protocol for records. The guide explains each protocol in turn.</p></main></body></html>",
    );
    write(
        &corpus,
        "api/Cz.html",
        "<html><head><title>Cz (Demo API)</title></head><body><main><h1>Class Cz</h1>\
         <p>Assists in implementing the cloning protocol for records.</p></main></body></html>",
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses-C0.html#pkg").is_none());
    for i in 3..8 {
        assert!(
            show(&index, &format!("api/uses-C{i}.html#pkg")).is_none(),
            "C{i}"
        );
    }
    assert!(show(&index, "api/uses-guide.html#pkg").is_some());
    assert!(show(&index, "api/Cz.html#introduction").is_some());
    let (code, found) = query(&index, &["merging protocol"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(
        !ids.iter().any(|id| id.starts_with("api/uses-C")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"api/C7.html#introduction".to_string()),
        "{ids:?}"
    );
    // Two of the three long pages go: the family holds one listing, the short
    // pages (unchanged) are answers again, as a rebuild agrees.
    for i in 0..2 {
        fs::remove_file(corpus.join(format!("api/uses-C{i}.html"))).unwrap();
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for i in 3..8 {
        assert!(
            show(&index, &format!("api/uses-C{i}.html#pkg")).is_some(),
            "C{i}"
        );
    }
    let r = ingest_with(&corpus, &index, &["--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses-C3.html#pkg").is_some());
    // They come back: listings again, without a rebuild.
    for i in 0..2 {
        write(
            &corpus,
            &format!("api/uses-C{i}.html"),
            demo_uses(&format!("C{i}"), &classes[3..7]),
        );
    }
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "api/uses-C3.html#pkg").is_none());
}

/// A page of the Rust book's old editions: its chapter's title over a notice.
fn moved_chapter(title: &str) -> String {
    format!(
        "<html><head><title>{title} - The Book</title></head><body><main><h1 id=\"c\">{title}</h1>\
         <p>The first edition of the book is no longer distributed with the documentation.</p>\
         <p>If you came here via a link or web search, you may want to check out \
         <a href=\"../index.html\">the current version of the book</a> instead.</p></main></body></html>"
    )
}

#[test]
fn template_pages_are_not_answers_and_are_rejudged_incrementally() {
    let (_dir, corpus, index) = temp_corpus();
    let chapters = [
        "Closures",
        "Iterators",
        "Deref coercions",
        "Lifetimes",
        "Macros",
    ];
    for (i, title) in chapters.iter().enumerate() {
        write(
            &corpus,
            &format!("book/old/ch{i}.html"),
            moved_chapter(title),
        );
    }
    write(
        &corpus,
        "book/ch15-02-deref.html",
        "<html><head><title>Treating smart pointers like references - The Book</title></head>\
         <body><main><h1 id=\"deref\">Deref coercions</h1><p>Deref coercion converts a reference \
         to a type that implements the Deref trait into a reference to another type.</p>\
         </main></body></html>",
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "book/old/ch2.html#c").is_none());
    let (code, found) = query(&index, &["deref coercions"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert_eq!(ids, ["book/ch15-02-deref.html#deref"], "{found}");
    // Four titles left: no template; the unchanged pages are answers again, as a
    // rebuild agrees.
    fs::remove_file(corpus.join("book/old/ch0.html")).unwrap();
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "book/old/ch2.html#c").is_some());
    write(&corpus, "book/old/ch0.html", moved_chapter("Closures"));
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(show(&index, "book/old/ch2.html#c").is_none());
}

#[test]
fn captions_of_navigation_lists_are_not_answers() {
    let (_dir, corpus, index) = temp_corpus();
    let row = |m: &str| {
        format!(
            "<tr><td class=\"entry\"><a class=\"el\" href=\"class_gadget.html#{m}\">{m}</a>(int count) const</td>\
             <td class=\"entry\"><a class=\"el\" href=\"class_gadget.html\">Gadget</a></td><td>inline</td></tr>"
        )
    };
    let members: String = [
        "frob", "grind", "polish", "buff", "wax", "shine", "rinse", "dry",
    ]
    .iter()
    .map(|m| row(m))
    .collect();
    // Doxygen's member list: the caption names the class by a link to its page,
    // which the table's rows link to. Nothing of the page is left to answer.
    write(
        &corpus,
        "class_gadget-members.html",
        format!(
            "<html><head><title>Gadget Member List</title></head><body>\
             <div id=\"nav-path\" class=\"navpath\"><ul><li class=\"navelem\"><a class=\"el\" href=\"namespace_shop.html\">Shop</a></li>\
             <li class=\"navelem\"><a class=\"el\" href=\"class_gadget.html\">Gadget</a></li></ul></div>\
             <div class=\"header\"><div class=\"headertitle\"><div class=\"title\">Shop::Gadget Member List</div></div></div>\
             <div class=\"contents\">\
             <p>This is the complete list of members for <a class=\"el\" href=\"class_gadget.html\">Gadget</a>, including all inherited members.</p>\
             <table class=\"directory\">{members}</table></div></body></html>"
        ),
    );
    // A chapter's introduction above its table of contents has no link: content.
    // So is a paragraph linking to a page the list does not list.
    let toc: String = ["json", "base64", "binascii", "quopri", "mailbox"]
        .iter()
        .map(|m| format!("<li><a href=\"{m}.html\">{m} - Encode and decode {m}</a></li>"))
        .collect();
    write(
        &corpus,
        "netdata.html",
        format!(
            "<html><head><title>Internet Data Handling</title></head><body><main><h1>Internet Data Handling</h1>\
             <p>This chapter describes modules which support handling data formats commonly used on the internet.</p>\
             <ul>{toc}</ul>\
             <h2 id=\"more\">More</h2><p>See the <a href=\"codecs.html\">codecs</a> chapter for other encodings of gadget data.</p>\
             <ul>{toc}</ul></main></body></html>"
        ),
    );
    // A guide's paragraph leading into a short list of links into the page it
    // links to is longer than a caption: content. So is a sentence of few
    // letters without links on a page of links.
    write(
        &corpus,
        "publishing.html",
        "<html><head><title>Publishing</title></head><body><main><h1>Publishing</h1>\
         <h2 id=\"before\">Before publishing</h2><p>Check out the <a href=\"manifest.html\">metadata \
         you can specify</a> in the manifest to ensure your gadget can be discovered more easily! \
         Before publishing, make sure you have filled out the following fields:</p><ul>\
         <li><a href=\"manifest.html#license\">license</a></li><li><a href=\"manifest.html#readme\">readme</a></li>\
         <li><a href=\"manifest.html#homepage\">homepage</a></li></ul></main></body></html>",
    );
    write(
        &corpus,
        "destructuring.html",
        "<html lang=\"ja\"><head><title>デストラクト</title></head><body><main><h1 id=\"d\">デストラクト</h1>\
         <p>matchは値をさまざまなやり方でデストラクトすることができます。</p><ul>\
         <li><a href=\"d/tuple.html\">タプルのデストラクト</a></li><li><a href=\"d/slice.html\">配列とスライスのデストラクト</a></li>\
         <li><a href=\"d/enum.html\">列挙型のデストラクト</a></li><li><a href=\"d/pointers.html\">ポインタのデストラクト</a></li>\
         <li><a href=\"d/structures.html\">構造体のデストラクト</a></li></ul></main></body></html>",
    );
    let r = ingest(&corpus, &index);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, found) = query(&index, &["complete list of members Gadget"]);
    assert_eq!(code, 0);
    let ids = hit_ids(&found);
    assert!(
        !ids.iter().any(|id| id.starts_with("class_gadget-members")),
        "{ids:?}"
    );
    assert!(show(&index, "netdata.html#introduction").is_some());
    assert!(show(&index, "netdata.html#more").is_some());
}
