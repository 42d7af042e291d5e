//! Compare the cost of a full html5ever DOM parse (what lectern does today via
//! `scraper::Html::parse_document`) with tokenizer-level passes over the same
//! HTML: html5ever's tokenizer alone, html5gum and lol_html.
//!
//! Usage: html-parsers-bench DIR [--rounds N] [--only NAME[,NAME...]]
//!
//! All `*.html` / `*.htm` files under DIR are read into memory first; each
//! parser then processes every file once per round, single-threaded. The
//! median wall time per round is reported together with a checksum (text
//! bytes seen, start tags seen) so that the work cannot be optimised away.
//! `--only none` just loads the files (a baseline for instruction counts).

use std::cell::Cell;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
struct Sum {
    text_bytes: u64,
    start_tags: u64,
}

impl Sum {
    fn add(&mut self, o: Sum) {
        self.text_bytes += o.text_bytes;
        self.start_tags += o.start_tags;
    }
}

/// Full DOM parse with scraper (html5ever tree builder + ego_tree), then a
/// walk over every node summing text lengths and counting elements.
#[inline(never)]
fn run_scraper(src: &str) -> Sum {
    let doc = scraper::Html::parse_document(src);
    let mut s = Sum::default();
    for node in doc.tree.values() {
        match node {
            scraper::Node::Text(t) => s.text_bytes += t.len() as u64,
            scraper::Node::Element(_) => s.start_tags += 1,
            _ => {}
        }
    }
    s
}

mod h5e {
    use super::Sum;
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::states::RawKind;
    use html5ever::tokenizer::{
        BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use html5ever::TokenizerResult;
    use std::cell::Cell;

    #[derive(Default)]
    struct CountSink {
        text_bytes: Cell<u64>,
        start_tags: Cell<u64>,
    }

    impl TokenSink for CountSink {
        type Handle = ();

        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(t) => {
                    self.text_bytes.set(self.text_bytes.get() + t.len() as u64);
                }
                Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                    self.start_tags.set(self.start_tags.get() + 1);
                    // Without a tree builder nobody switches the tokenizer into
                    // raw-text states; do the same naive switch html5gum offers.
                    return match &*tag.name {
                        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                        "plaintext" => TokenSinkResult::Plaintext,
                        _ => TokenSinkResult::Continue,
                    };
                }
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }

    /// html5ever's tokenizer with a sink that only counts.
    #[inline(never)]
    pub fn run(src: &str) -> Sum {
        let tok = Tokenizer::new(CountSink::default(), TokenizerOpts::default());
        let input = BufferQueue::default();
        input.push_back(StrTendril::from_slice(src));
        while let TokenizerResult::Script(()) = tok.feed(&input) {}
        tok.end();
        Sum {
            text_bytes: tok.sink.text_bytes.get(),
            start_tags: tok.sink.start_tags.get(),
        }
    }
}

/// html5gum's default emitter (owned `Token`s via the iterator API), with
/// naive raw-text state switching for script/style/etc.
#[inline(never)]
fn run_html5gum(src: &str) -> Sum {
    let mut emitter = html5gum::DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut s = Sum::default();
    for tok in html5gum::Tokenizer::new_with_emitter(src, emitter) {
        match tok {
            Ok(html5gum::Token::String(t)) => s.text_bytes += t.len() as u64,
            Ok(html5gum::Token::StartTag(_)) => s.start_tags += 1,
            _ => {}
        }
    }
    s
}

/// html5gum's callback emitter: strings are borrowed, nothing is allocated
/// per token.
#[inline(never)]
fn run_html5gum_cb(src: &str) -> Sum {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    let mut s = Sum::default();
    {
        let mut emitter = CallbackEmitter::new(
            |ev: CallbackEvent<'_>, _span: html5gum::Span<()>| -> Option<()> {
                match ev {
                    CallbackEvent::String { value } => s.text_bytes += value.len() as u64,
                    CallbackEvent::OpenStartTag { .. } => s.start_tags += 1,
                    _ => {}
                }
                None
            },
        );
        emitter.naively_switch_states(true);
        for _ in html5gum::Tokenizer::new_with_emitter(src, emitter) {}
    }
    s
}

/// lol_html streaming rewriter with a document-level text handler; the
/// rewritten output is discarded. (No element handler, so no start-tag count.)
#[inline(never)]
fn run_lol_html(src: &str) -> Sum {
    lol_html_pass(src, false)
}

/// lol_html as above plus an element handler on `*` (counts start tags), i.e.
/// what a pass that needs tag context (main/article/nav, attributes) pays.
#[inline(never)]
fn run_lol_html_el(src: &str) -> Sum {
    lol_html_pass(src, true)
}

/// One lol_html pass summing text chunk lengths, and counting start tags
/// through an element handler on `*` when `elements`.
fn lol_html_pass(src: &str, elements: bool) -> Sum {
    use lol_html::{doc_text, element, HtmlRewriter, Settings};
    let text = Cell::new(0u64);
    let tags = Cell::new(0u64);
    let mut settings = Settings::new()
        .with_strict(false)
        .append_document_content_handler(doc_text!(|t| {
            text.set(text.get() + t.as_str().len() as u64);
            Ok(())
        }));
    if elements {
        settings = settings.append_element_content_handler(element!("*", |_el| {
            tags.set(tags.get() + 1);
            Ok(())
        }));
    }
    let mut rw = HtmlRewriter::new(settings, |c: &[u8]| {
        black_box(c);
    });
    rw.write(src.as_bytes()).expect("lol_html write");
    rw.end().expect("lol_html end");
    Sum {
        text_bytes: text.get(),
        start_tags: tags.get(),
    }
}

type Parser = (&'static str, fn(&str) -> Sum);

const PARSERS: &[Parser] = &[
    ("scraper-dom", run_scraper),
    ("html5ever-tok", h5e::run),
    ("html5gum", run_html5gum),
    ("html5gum-cb", run_html5gum_cb),
    ("lol_html", run_lol_html),
    ("lol_html-el", run_lol_html_el),
];

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect(&p, out);
        } else if ft.is_file()
            && matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("html") | Some("htm")
            )
        {
            out.push(p);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut rounds = 5usize;
    let mut only: Option<Vec<String>> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--rounds N")
            }
            "--only" => {
                only = Some(
                    args.next()
                        .expect("--only NAME")
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: html-parsers-bench DIR [--rounds N] [--only NAME[,NAME..]|none]\nparsers: {}",
                    PARSERS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                );
                return;
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(a)),
            _ => panic!("unexpected argument {a}"),
        }
    }
    let dir = dir.expect("usage: html-parsers-bench DIR [--rounds N] [--only NAME]");
    assert!(rounds >= 1);

    let mut paths = Vec::new();
    collect(&dir, &mut paths);
    paths.sort();
    let mut docs = Vec::with_capacity(paths.len());
    let mut skipped = 0;
    for p in &paths {
        match std::fs::read_to_string(p) {
            Ok(s) => docs.push(s),
            Err(_) => skipped += 1,
        }
    }
    let bytes: usize = docs.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "{}: {} files ({} skipped, not UTF-8), {:.2} MB, {} round(s)",
        dir.display(),
        docs.len(),
        skipped,
        mb,
        rounds
    );
    println!(
        "{:<14} {:>10} {:>9} {:>14} {:>11}",
        "parser", "median_s", "MB/s", "text_bytes", "start_tags"
    );

    for &(name, f) in PARSERS {
        if let Some(o) = &only {
            if !o.iter().any(|n| n == name) {
                continue;
            }
        }
        let mut times = Vec::with_capacity(rounds);
        let mut sum = Sum::default();
        for r in 0..rounds {
            let t = Instant::now();
            let mut s = Sum::default();
            for d in &docs {
                s.add(f(black_box(d.as_str())));
            }
            times.push(t.elapsed().as_secs_f64());
            black_box(s);
            if r == 0 {
                sum = s;
            } else {
                assert_eq!(s, sum, "{name}: checksum changed between rounds");
            }
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let med = times[times.len() / 2];
        println!(
            "{:<14} {:>10.4} {:>9.1} {:>14} {:>11}",
            name,
            med,
            mb / med,
            sum.text_bytes,
            sum.start_tags
        );
    }
}
