//! The walk (ignore files, globs, hidden files, symbolic links) and near-duplicate
//! articles, through the real `lectern` binary on hand-made folders.

use std::fs;
use std::path::Path;

mod common;

use common::{Case, Run, json, query_with, show};
use serde_json::Value;

/// A small article whose body holds `word` and the word "shared".
fn article(word: &str) -> String {
    format!("# About {word}\n\nThe shared text mentions {word} once.\n")
}

/// `n` words of deterministic filler prose, distinct per `seed`.
fn prose(seed: u64, n: usize) -> String {
    let mut x = seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("w{}", x % 5000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Case {
    /// Paths of the indexed passages matching `q` (query-time folding of identical
    /// passages off: this is about which articles ingest indexed).
    fn paths(&self, q: &str) -> Vec<String> {
        let r = query_with(&self.index, &["--keep-duplicates", "-n", "100", q]);
        assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
        let v = json(&r.stdout);
        let mut paths: Vec<String> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    fn show(&self, id: &str) -> Run {
        show(&self.index, id)
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[test]
fn ignore_files_apply_inside_the_corpus_like_ripgrep() {
    let c = Case::new();
    for name in [
        "keep.md",
        "build/out.md",
        "notes/n.md",
        "draft.draft.md",
        "private.md",
        "sub/private.md",
        "sub/again.md",
    ] {
        c.write(name, article(&name.replace(['/', '.'], "x")));
    }
    // No .git folder: .gitignore applies all the same.
    c.write(".gitignore", "build/\n*.draft.md\n");
    c.write(".ignore", "notes/\n");
    c.write(".lecternignore", "private.md\n");
    // A deeper file wins: re-include one file below sub/.
    c.write("sub/.lecternignore", "!private.md\n");
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        c.paths("shared"),
        ["keep.md", "sub/again.md", "sub/private.md"]
    );
}

#[test]
fn globs_include_exclude_and_override_ignore_files() {
    let c = Case::new();
    for name in [
        "a.md",
        "b.txt",
        "f.md",
        "sub/c.md",
        "sub/d.html",
        "skip/e.md",
    ] {
        c.write(name, article(&name.replace(['/', '.'], "x")));
    }
    c.write(".lecternignore", "skip/\nf.md\n");
    let r = c.ingest(&["-g", "*.md"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // As `rg -g`: a glob matching a file overrides the ignore files (f.md), but
    // the walk does not enter an ignored folder (skip/).
    assert_eq!(c.paths("shared"), ["a.md", "f.md", "sub/c.md"]);

    let r = c.ingest(&["--exclude", "sub/**", "--glob", "!*.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Files the globs no longer let through are removed from the index.
    assert!(r.stderr.contains("2 removed"), "{}", r.stderr);
    assert_eq!(c.paths("shared"), ["a.md"]);

    let r = c.ingest(&["-g", "a{.md"]);
    assert_eq!(r.code, 2, "a bad glob is an error: {}", r.stderr);
    assert!(r.stderr.contains("glob"), "{}", r.stderr);
}

#[test]
fn hidden_files_only_with_hidden_and_never_dot_git() {
    let c = Case::new();
    c.write("seen.md", article("seen"));
    c.write(".secret.md", article("secret"));
    c.write(".config/inner.md", article("inner"));
    c.write(".git/description.md", article("gitfile"));
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(c.paths("shared"), ["seen.md"]);
    let r = c.ingest(&["--hidden"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        c.paths("shared"),
        [".config/inner.md", ".secret.md", "seen.md"]
    );
}

#[cfg(unix)]
#[test]
fn links_leaving_the_corpus_are_not_followed_unless_follow() {
    let c = Case::new();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("passwd.txt"), article("rootpassword")).unwrap();
    fs::create_dir_all(elsewhere.path().join("keys")).unwrap();
    fs::write(elsewhere.path().join("keys/id.md"), article("privatekey")).unwrap();
    c.write("home.md", article("home"));
    symlink(
        elsewhere.path().join("passwd.txt"),
        c.corpus.join("passwd.txt"),
    );
    symlink(elsewhere.path().join("keys"), c.corpus.join("keys"));
    // A relative link that climbs out is outside too.
    fs::create_dir_all(c.dir.path().join("beside")).unwrap();
    fs::write(c.dir.path().join("beside/b.md"), article("beside")).unwrap();
    symlink("../beside", c.corpus.join("up"));

    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("3 links outside the corpus not followed"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("passwd"),
        "named only with -v: {}",
        r.stderr
    );
    assert_eq!(c.paths("shared"), ["home.md"]);

    let r = c.ingest(&["-v"]);
    for name in ["passwd.txt", "keys", "up"] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(&format!(": {name}: ")))
            .unwrap_or_else(|| panic!("{name} named with -v: {}", r.stderr));
        assert!(line.contains("outside the corpus"), "{line}");
    }

    let r = c.ingest(&["--follow"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(c.paths("shared").contains(&"passwd.txt".to_string()));
    assert!(c.paths("shared").contains(&"keys/id.md".to_string()));
    assert!(c.paths("rootpassword").contains(&"passwd.txt".to_string()));
    assert_eq!(c.paths("beside"), ["up/b.md"]);
    // And dropped again when the option is gone.
    c.ingest(&[]);
    assert!(c.paths("rootpassword").is_empty());
}

#[cfg(unix)]
#[test]
fn links_inside_the_corpus_are_followed_and_dangling_links_are_unsupported() {
    let c = Case::new();
    // The targets sit in an ignored folder, so only the links index them.
    c.write(".lecternignore", "store/\n");
    c.write("store/page.md", article("linkedfile"));
    c.write("store/dir/deep.md", article("linkeddir"));
    symlink("store/page.md", c.corpus.join("page.md"));
    symlink(c.corpus.join("store/dir"), c.corpus.join("dir"));
    // A loop and dangling links, as a docs build leaves them.
    symlink(".", c.corpus.join("store/dir/self"));
    fs::create_dir_all(c.corpus.join("_static")).unwrap();
    symlink("/nonexistent/jquery.js", c.corpus.join("_static/jquery.js"));
    symlink("missing.md", c.corpus.join("gone.md"));

    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "a clean build exits 0: {}", r.stderr);
    assert_eq!(c.paths("shared"), ["dir/deep.md", "page.md"]);
    assert!(r.stderr.contains("3 skipped (unsupported)"), "{}", r.stderr);
    for (name, why) in [
        ("_static/jquery.js", "dangling link"),
        ("gone.md", "dangling link"),
        ("dir/self", "link loop"),
    ] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(&format!(": {name}: ")))
            .unwrap_or_else(|| panic!("{name} named: {}", r.stderr));
        assert!(line.contains(why), "{line}");
    }
}

const PAGE_HTML: &str = r#"<!doctype html><html><head><title>Config</title></head><body>
<nav><a href="/">Home</a></nav><main><h1>Configuration</h1>
<section id="overview"><h2>Overview</h2><p>The quokka option: {A}</p></section>
<section id="details"><h2>Details</h2><p>{B}</p></section>
</main></body></html>"#;

/// A markup source copy, as some generators ship beside each page.
const PAGE_SOURCE: &str = "Configuration\n=============\n\n.. _overview:\n\nOverview\n--------\n\nThe quokka option: {A}\n\n.. _details:\n\nDetails\n-------\n\n{B}\n";

fn chapter(title: &str, id: &str, body: &str) -> String {
    format!(
        "<html><body><main><h1>{title}</h1><section id=\"{id}\"><h2>{title} part</h2><p>{body}</p></section></main></body></html>"
    )
}

/// A page, its source copy, two chapters and a print page combining them.
fn duplicates_case() -> Case {
    let c = Case::new();
    let (a, b) = (prose(1, 150), prose(2, 150));
    c.write("page.html", PAGE_HTML.replace("{A}", &a).replace("{B}", &b));
    c.write(
        "_sources/page.txt",
        PAGE_SOURCE.replace("{A}", &a).replace("{B}", &b),
    );
    let (one, two) = (
        format!("wombat {}", prose(3, 200)),
        format!("wombat {}", prose(4, 200)),
    );
    c.write("ch1.html", chapter("Chapter one", "one", &one));
    c.write("ch2.html", chapter("Chapter two", "two", &two));
    c.write(
        "print.html",
        format!(
            "<html><body><main><h1>Whole book</h1><h2 id=\"one\">Chapter one part</h2><p>{one}</p><h2 id=\"two\">Chapter two part</h2><p>{two}</p></main></body></html>"
        ),
    );
    c
}

#[test]
fn source_copies_and_print_pages_are_aliases_not_results() {
    let c = duplicates_case();
    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("2 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("_sources/page.txt") && l.contains("near-duplicate of page.html")),
        "{}",
        r.stderr
    );
    assert_eq!(c.paths("quokka"), ["page.html"]);
    assert_eq!(c.paths("wombat"), ["ch1.html", "ch2.html"]);

    // show names the aliases of a kept article, and leads from an alias to it.
    let shown = c.show("page.html#overview");
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let v: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(v["aliases"], serde_json::json!(["_sources/page.txt"]));
    // The print page is an alias of one of its chapters; its anchors lead there.
    let kept = if c.show("print.html#one").code == 0 {
        ("ch1.html", "one")
    } else {
        ("ch2.html", "two")
    };
    let shown = c.show(&format!("print.html#{}", kept.1));
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stderr
            .contains(&format!("print.html is a near-duplicate of {}", kept.0)),
        "{}",
        shown.stderr
    );
    let v: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(v["id"], format!("{}#{}", kept.0, kept.1));

    // Opting out indexes every copy.
    let r = c.ingest(&["--keep-duplicates"]);
    assert!(
        r.stderr.contains("0 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert_eq!(c.paths("quokka"), ["_sources/page.txt", "page.html"]);
    assert_eq!(c.paths("wombat"), ["ch1.html", "ch2.html", "print.html"]);
    // And back.
    c.ingest(&[]);
    assert_eq!(c.paths("wombat"), ["ch1.html", "ch2.html"]);
}

#[test]
fn an_alias_is_promoted_when_its_kept_copy_goes() {
    let c = duplicates_case();
    c.ingest(&[]);
    assert_eq!(c.paths("quokka"), ["page.html"]);
    // Nothing changed: the same aliases (the plan is not recomputed).
    let r = c.ingest(&[]);
    assert!(
        r.stderr
            .contains("0 added, 0 updated, 0 removed, 5 unchanged; 2 near-duplicates"),
        "{}",
        r.stderr
    );
    assert_eq!(c.paths("quokka"), ["page.html"]);
    // The kept copy is deleted: its source copy is indexed by the next ingest.
    fs::remove_file(c.corpus.join("page.html")).unwrap();
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(c.paths("quokka"), ["_sources/page.txt"]);
    // A chapter changes completely: the print page holds text found nowhere else.
    c.write("ch2.html", chapter("Chapter two", "two", &prose(9, 200)));
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert_eq!(c.paths("wombat"), ["ch1.html", "print.html"]);
}

#[test]
fn the_sketches_file_is_kept_copied_or_healed_as_the_corpus_changes() {
    let c = duplicates_case();
    c.ingest(&[]);
    let sketches = || -> Vec<String> {
        let generation = common::current_generation(&c.index);
        let mut names: Vec<String> = fs::read_dir(&generation)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("sketches-"))
            .collect();
        names.sort();
        names
    };
    let first = sketches();
    assert_eq!(first.len(), 1, "{first:?}");
    // Only an mtime moves: the commit keeps the same sketches file.
    let page = fs::read(c.corpus.join("ch1.html")).unwrap();
    c.write("ch1.html", &page);
    let r = c.ingest(&[]);
    assert!(r.stderr.contains("2 near-duplicates"), "{}", r.stderr);
    assert_eq!(sketches(), first);
    // A new article: a new file holding its sketch and the others' (copied), so
    // the aliases are found again.
    c.write("other.md", format!("# Other\n\n{}\n", prose(20, 100)));
    let r = c.ingest(&["-v"]);
    assert!(r.stderr.contains("2 near-duplicates"), "{}", r.stderr);
    assert_aliases(&r.stderr, &[("_sources/page.txt", "page.html")]);
    let second = sketches();
    assert!(second.len() == 1 && second != first, "{second:?}");
    // Lost: every file is read again for its sketch, and the aliases stay.
    fs::remove_file(common::current_generation(&c.index).join(&second[0])).unwrap();
    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("0 added, 6 updated"), "{}", r.stderr);
    assert_aliases(&r.stderr, &[("_sources/page.txt", "page.html")]);
    assert_eq!(c.paths("quokka"), ["page.html"]);
    assert_eq!(sketches().len(), 1);
    let r = c.ingest(&[]);
    assert!(r.stderr.contains("6 unchanged"), "{}", r.stderr);
}

#[test]
fn a_promoted_alias_is_written_without_its_site_boilerplate() {
    let c = Case::new();
    let widget = "Rate this page: Yes No";
    let text = prose(30, 150);
    c.write(
        "site/page.md",
        format!("# Quokka\n\nquokka {text}\n\n{widget}\n"),
    );
    c.write(
        "site/page.txt",
        format!("Quokka\n\nquokka {text}\n\n{widget}\n"),
    );
    for i in 0..6 {
        c.write(
            &format!("site/p{i}.txt"),
            format!("Page {i}\n\n{}\n\n{widget}\n", prose(40 + i, 60)),
        );
    }
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("1 near-duplicates"), "{}", r.stderr);
    assert_eq!(c.paths("quokka"), ["site/page.md"]);
    assert!(c.paths("\"rate this page\"").is_empty());
    // The kept copy goes: the alias is read and indexed, without the widget line.
    fs::remove_file(c.corpus.join("site/page.md")).unwrap();
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(c.paths("quokka"), ["site/page.txt"]);
    assert!(
        c.paths("\"rate this page\"").is_empty(),
        "{:?}",
        c.paths("\"rate this page\"")
    );
}

/// A Sphinx-like build: pages, the reST source of each in `_sources/` (directives,
/// roles, options, comments, a table of contents), an index page, an orphan source.
fn sphinx_case() -> Case {
    let c = Case::new();
    let (a, b, d) = (prose(50, 40), prose(51, 30), prose(52, 25));
    c.write(
        "library/tty.html",
        format!(
            r##"<html><head><title>tty — Terminal control functions</title></head><body>
<div class="body"><section id="module-tty"><h1>tty — Terminal control functions<a class="headerlink" href="#module-tty">¶</a></h1>
<p>The <a href="#module-tty"><code>tty</code></a> module defines functions for putting the terminal into raw modes; see <a href="os.html#os.path.join"><code>join()</code></a> {a}</p>
<section id="functions"><h2>Functions</h2>
<dl><dt id="tty.setraw">tty.setraw(fd, when=termios.TCSAFLUSH)</dt><dd><p>Change the mode of the file descriptor to raw. {b}</p>
<div class="admonition note"><p class="admonition-title">Note</p><p>Only on Unix platforms. {d}</p></div></dd></dl>
</section></section></div></body></html>"##
        ),
    );
    c.write(
        "_sources/library/tty.rst.txt",
        format!(
            r#":mod:`tty` --- Terminal control functions
==========================================

.. module:: tty
   :platform: Unix
   :synopsis: Utility functions that perform common terminal control operations.

.. moduleauthor:: Steen Lumholt
.. sectionauthor:: Moshe Zadka <moshez@example.org>

**Source code:** :source:`Lib/tty.py`

.. index:: single: terminal; raw mode

The :mod:`tty` module defines functions for putting the terminal into raw modes;
see :func:`~os.path.join` {a}

.. XXX a comment the build drops
   on two lines

Functions
---------

.. function:: setraw(fd, when=termios.TCSAFLUSH)

   Change the mode of the file descriptor to raw. {b}

   .. note::

      Only on Unix platforms. {d}
"#
        ),
    );
    let intro = format!(
        "The modules described in this chapter serve the gannet. {}",
        prose(53, 30)
    );
    c.write(
        "library/allos.html",
        format!(
            r##"<html><head><title>Generic Operating System Services</title></head><body>
<div class="body"><h1>Generic Operating System Services</h1><p>{intro}</p>
<div class="toctree-wrapper"><ul>
<li><a href="os.html">os — Miscellaneous operating system interfaces</a><ul><li><a href="os.html#files">Files and directories</a></li></ul></li>
<li><a href="io.html">io — Core tools for working with streams</a></li>
<li><a href="time.html">time — Time access and conversions</a></li></ul></div></div></body></html>"##
        ),
    );
    c.write(
        "_sources/library/allos.rst.txt",
        format!(
            ".. _allos:\n\n*********************************\nGeneric Operating System Services\n*********************************\n\n{intro}\n\n.. toctree::\n   :maxdepth: 2\n\n   os.rst\n   io.rst\n   time.rst\n"
        ),
    );
    // A page that is a list of cross-references, and its source.
    let modules = ["pickle", "shelve", "tempfile", "zipfile", "subprocess"];
    let items: String = modules
        .iter()
        .map(|m| format!("<li><a href=\"{m}.html\">{m}</a>: <a href=\"{m}.html#security\">{m} security considerations</a></li>"))
        .collect();
    c.write(
        "library/security.html",
        format!("<html><body><h1>Security Considerations</h1><ul>{items}</ul></body></html>"),
    );
    let bullets: String = modules
        .iter()
        .map(|m| format!("* :mod:`{m}`: :ref:`{m} security considerations <{m}-security>`\n"))
        .collect();
    c.write(
        "_sources/library/security.rst.txt",
        format!(".. _security:\n\nSecurity Considerations\n=======================\n\n{bullets}"),
    );
    c.write(
        "_sources/whatsnew/changelog.rst.txt",
        ".. _changelog:\n\n+++++++++\nChangelog\n+++++++++\n\n.. miscnews:: ../build/NEWS\n",
    );
    c
}

#[test]
fn restructured_text_source_copies_are_aliases_of_their_pages() {
    let c = sphinx_case();
    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_aliases(
        &r.stderr,
        &[
            ("_sources/library/tty.rst.txt", "library/tty.html"),
            ("_sources/library/allos.rst.txt", "library/allos.html"),
        ],
    );
    assert_eq!(c.paths("terminal"), ["library/tty.html"]);
    assert_eq!(c.paths("setraw"), ["library/tty.html"]);
    // The index page keeps its introduction, not its table of contents.
    assert_eq!(c.paths("gannet"), ["library/allos.html"]);
    assert!(c.paths("conversions").is_empty());
    // Markup no reader sees is not indexed, not even in an orphan source.
    for word in [
        "pickle",
        "synopsis",
        "moduleauthor",
        "changelog",
        "miscnews",
        "maxdepth",
        "comment",
    ] {
        assert!(c.paths(word).is_empty(), "{word}: {:?}", c.paths(word));
    }
    // With every copy kept, the source copy reads as its rendering.
    c.ingest(&["--keep-duplicates"]);
    assert_eq!(
        c.paths("setraw"),
        ["_sources/library/tty.rst.txt", "library/tty.html"]
    );
    assert!(c.paths("synopsis").is_empty());
    let shown = c.show("_sources/library/tty.rst.txt#functions");
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let v: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(v["title"], "tty --- Terminal control functions");
}

/// Two source copies the shingles alone miss: a page that prefixes every constant
/// with its module (`errno.EPERM` for the source's `EPERM`), and a one-sentence stub
/// marked as reST only by its metadata field and a role.
#[test]
fn copies_with_prefixed_names_and_role_only_stubs_are_aliases() {
    let c = Case::new();
    let names: Vec<String> = (0..40).map(|i| format!("ECODE{i}")).collect();
    let descriptions: Vec<String> = (0..40).map(|i| prose(60 + i, 4)).collect();
    let entries: String = names
        .iter()
        .zip(&descriptions)
        .map(|(n, d)| {
            format!(
                "<dt id=\"errno.{n}\"><span class=\"sig-prename\">errno.</span><span class=\"sig-name\">{n}</span></dt><dd><p>{d}</p></dd>\n"
            )
        })
        .collect();
    c.write(
        "library/errno.html",
        format!(
            "<html><head><title>errno — Standard errno system symbols</title></head><body>\n<h1>errno — Standard errno system symbols</h1>\n<dl>\n{entries}</dl></body></html>"
        ),
    );
    let directives: String = names
        .iter()
        .zip(&descriptions)
        .map(|(n, d)| format!(".. data:: {n}\n\n   {d}\n\n"))
        .collect();
    c.write(
        "_sources/library/errno.rst.txt",
        format!(
            ":mod:`errno` --- Standard errno system symbols\n==============================================\n\n.. module:: errno\n\n{directives}"
        ),
    );
    c.write(
        "distutils/uploading.html",
        "<html><head><title>Uploading Packages to the Package Index</title></head><body>\n<h1>Uploading Packages to the Package Index</h1>\n<p>References to up to date PyPI documentation can be found at <a href=\"guide.html\">the Python Packaging User Guide</a>.</p></body></html>",
    );
    c.write(
        "_sources/distutils/uploading.rst.txt",
        ":orphan:\n\n***************************************\nUploading Packages to the Package Index\n***************************************\n\nReferences to up to date PyPI documentation can be found at\n:ref:`publishing-python-packages`.\n",
    );
    c.write(
        "other.html",
        format!("<h1>Other</h1><p>{}</p>", prose(99, 200)),
    );
    // The source of a Markdown page (MyST), saved as `.md.txt`: read as Markdown,
    // its link targets are no text.
    let credits = prose(70, 12);
    c.write(
        "license.html",
        format!(
            "<html><head><title>License and Credits</title></head><body><h1>License and Credits</h1>\
             <p>attrs is licensed under the <a href=\"https://example.org/mit/\">MIT</a> license. {credits} \
             The development is supported by <a href=\"https://example.org/variomedia\">Variomedia AG</a> \
             and all my amazing <a href=\"https://example.org/sponsors/hynek\">GitHub Sponsors</a>.</p></body></html>"
        ),
    );
    c.write(
        "_sources/license.md.txt",
        format!(
            "# License and Credits\n\n*attrs* is licensed under the [MIT](https://example.org/mit/) license. {credits}\n\
             The development is supported by [Variomedia AG](https://example.org/variomedia)\n\
             and all my amazing [GitHub Sponsors](https://example.org/sponsors/hynek).\n"
        ),
    );
    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_aliases(
        &r.stderr,
        &[
            ("_sources/library/errno.rst.txt", "library/errno.html"),
            (
                "_sources/distutils/uploading.rst.txt",
                "distutils/uploading.html",
            ),
            ("_sources/license.md.txt", "license.html"),
        ],
    );
    assert_eq!(c.paths("ECODE7"), ["library/errno.html"]);
    assert_eq!(c.paths("PyPI"), ["distutils/uploading.html"]);
    // Read with every copy kept, the stub's metadata and role are no text.
    c.ingest(&["--keep-duplicates"]);
    assert!(c.paths("orphan").is_empty(), "{:?}", c.paths("orphan"));
    assert!(c.paths("hynek").is_empty(), "{:?}", c.paths("hynek"));
    let r = query_with(&c.index, &["--keep-duplicates", "PyPI"]);
    let v = json(&r.stdout);
    let copy = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"] == "_sources/distutils/uploading.rst.txt")
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert_eq!(copy["title"], "Uploading Packages to the Package Index");
    assert!(!copy["text"].as_str().unwrap().contains('*'), "{copy}");
}

/// Asserts that `-v` output names each (copy, page) pair as a near-duplicate alias.
fn assert_aliases(stderr: &str, pairs: &[(&str, &str)]) {
    for (copy, page) in pairs {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(copy) && l.contains(&format!("near-duplicate of {page}"))),
            "{copy}: {stderr}"
        );
    }
}

/// A Sphinx-like API page whose text autodoc generated, so its source copy holds
/// only the title and a directive.
fn api_page(title: &str, body: &str) -> String {
    format!(
        "<html><head><title>{title} &mdash; docs</title></head><body><main><section id=\"mod\"><h1>{title}</h1>{body}</section></main></body></html>"
    )
}

fn automodule_source(module: &str) -> String {
    let underline = "=".repeat(module.len() + 7);
    format!(
        "{module} module\n{underline}\n\n.. automodule:: {module}\n   :members:\n   :undoc-members:\n"
    )
}

#[test]
fn a_skeleton_source_copy_of_a_generated_page_is_an_alias() {
    let c = Case::new();
    let generated = format!(
        "<dl><dt id=\"quokkalib.widgets.Widget\">class quokkalib.widgets.Widget</dt><dd><p>A widget: {}</p></dd></dl>",
        prose(40, 120)
    );
    c.write(
        "api/quokkalib.widgets.html",
        api_page("quokkalib.widgets module", &generated),
    );
    c.write(
        "api/_sources/quokkalib.widgets.rst.txt",
        automodule_source("quokkalib.widgets"),
    );
    // A page whose autodoc produced nothing: its copy is no answer either.
    c.write(
        "api/quokkalib.empty.html",
        api_page("quokkalib.empty module", ""),
    );
    c.write(
        "api/_sources/quokkalib.empty.rst.txt",
        automodule_source("quokkalib.empty"),
    );
    // A text with the title of a page and text of its own is no copy of it.
    c.write(
        "notes/quokkalib.widgets.txt",
        format!(
            "quokkalib.widgets module\n========================\n\nHow we use quokkalib here: {}\n",
            prose(41, 30)
        ),
    );
    let r = c.ingest(&["-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("2 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("api/_sources/quokkalib.widgets.rst.txt")
                && l.contains("near-duplicate of api/quokkalib.widgets.html")),
        "{}",
        r.stderr
    );
    assert_eq!(
        c.paths("quokkalib"),
        ["api/quokkalib.widgets.html", "notes/quokkalib.widgets.txt"]
    );
    let shown = c.show("api/quokkalib.widgets.html#mod");
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let v: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(
        v["aliases"],
        serde_json::json!(["api/_sources/quokkalib.widgets.rst.txt"])
    );

    // The page is renamed: the copy is no longer its skeleton and is indexed again.
    c.write(
        "api/quokkalib.widgets.html",
        api_page("quokkalib.gadgets module", &generated),
    );
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert_eq!(
        c.paths("quokkalib"),
        [
            "api/_sources/quokkalib.widgets.rst.txt",
            "api/quokkalib.widgets.html",
            "notes/quokkalib.widgets.txt"
        ]
    );
    // Opting out indexes every copy.
    let r = c.ingest(&["--keep-duplicates"]);
    assert!(
        r.stderr.contains("0 near-duplicates as aliases"),
        "{}",
        r.stderr
    );
    assert!(
        c.paths("quokkalib")
            .contains(&"api/_sources/quokkalib.empty.rst.txt".to_string())
    );
}
