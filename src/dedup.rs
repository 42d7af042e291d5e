//! Near-duplicate articles: one copy indexed, the others recorded as its aliases.
//!
//! Documentation folders hold the same text more than once: the markup source of
//! each page beside the page (`_sources/page.txt`), a print page combining every
//! chapter, mirrors (`core/` and `std/` re-exports). Indexing each copy fills the
//! results with the same answer several times, once under an id without real anchors.
//!
//! **Sketch.** Each article's text (section headings and bodies) is lower-cased into
//! alphanumeric words; every run of [`SHINGLE`] words is hashed and the hashes whose
//! low bits are zero (one in [`SAMPLE`]) are kept: a consistent sample, so the share
//! of one article's sampled shingles found in another's estimates how much of its
//! text the other contains (*containment*), whatever their sizes. An article too
//! short for a sample of [`MIN_SAMPLES`] keeps all its shingles instead (*full*):
//! two such articles are compared on all of them, so a short page and its source
//! copy, which differ by a word or two of markup, are still judged. A hash of the
//! whole word sequence catches exact copies. A sample of the distinct words (one in
//! [`WORD_SAMPLE`], all of them for a short article) is kept beside the shingles,
//! for copies in another format whose markup breaks word order. The sketches are stored
//! in a side file of the commit, apart from the manifest (which records each one's id):
//! an unchanged file is never read again to compare it, and an ingest holds them in
//! memory only while it computes the plan. Its title words are hashed too: see the
//! decision below.
//!
//! **Coverage.** Article A is *covered* by B when A is an exact copy of B, or when at
//! least [`COVER`] of A's sampled shingles are in B, both among all of them and
//! among its *rare* ones (found in at most [`MAX_DF`] articles). The second test
//! keeps apart pages that share mostly boilerplate (rustdoc pages of small types
//! listing the same blanket impls) and differ in the few sentences that matter.
//!
//! **Decision** (recomputed from all sketches at every ingest, so it never depends on
//! the order files arrived in):
//! 1. Articles are ranked: HTML, then Markdown, then text (the formats with real
//!    anchors first); then shallower path, shorter path, path order.
//! 2. In that order, an article is an alias of an earlier kept article that covers
//!    it, when that one has a better format (a source copy; [`COPY_COVER`] of its
//!    shingles, or [`COPY_ORDER`] of them and [`WORD_COVER`] of its words), or has the same title
//!    and the two cover each other (a mirror). Otherwise it is kept. Pages of one
//!    format with different titles are different items however alike their text
//!    (rustdoc pages of sibling functions share every sentence).
//!    A copy too short to judge by its shingles may be a *skeleton* (fewer than
//!    [`SKELETON_OWN`] distinct words outside its title and headings: a Sphinx
//!    source holding a title and `.. automodule::`, whose page autodoc wrote): it
//!    is an alias of the one article of a better format with its title and all of
//!    its headings (a page without text counts: it keeps its title).
//! 3. A kept article mostly made of two or more other, much smaller kept articles
//!    (at least [`COVER`] of its shingles are in their union, none alone covers it,
//!    each under `PART_SHARE` of its size: a print page combining the chapters) becomes an alias of the one it shares most
//!    with; the chapters, which have their own anchors, are kept.
//!
//! Incremental ingest: since the plan is recomputed each time, when a kept copy is
//! deleted, or changes so that it no longer covers its aliases, the best alias is
//! promoted (read, extracted and indexed) by the same ingest that sees the change.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::extract::{Article, Format};

/// Words per shingle (3: a copy in a markup format keeps more of them whole).
pub const SHINGLE: usize = 3;
/// One shingle hash in `SAMPLE` is kept (a power of two).
pub const SAMPLE: u64 = 8;
/// Share of an article's sampled shingles another must contain to cover it.
pub const COVER: f64 = 0.8;
/// The same for a copy in a format with fewer anchors (a source copy): every word
/// of markup its rendering drops or adds (`errno.EPERM` for `EPERM`) breaks
/// [`SHINGLE`] shingles. On python3-doc (Sphinx), `_sources` copies were 0.66–1.0
/// contained in their pages, and at most 0.57 in any other page (leaving aside
/// included snippets, which are copies).
pub const COPY_COVER: f64 = 0.7;
/// A copy in another format is also found by its words when a word of markup
/// breaks many shingles (a page that prefixes each name with its module,
/// `errno.EPERM` for the source's `EPERM`): it holds at least `COPY_ORDER` of its
/// shingles (half its word order) and `WORD_COVER` of its distinct words and of its
/// rare words. On python3-doc, a source copy and its page: words 0.72–1.0 (errno:
/// 1.0 of 85 sampled at one word in 4, rare 34 of 34, shingles 0.64); a copy and another page: never
/// above 0.9 of the words with three rare words or more, unless it was also a
/// shingle cover (two stub pages of one sentence).
pub const WORD_COVER: f64 = 0.9;
/// See [`WORD_COVER`].
pub const COPY_ORDER: f64 = 0.5;
/// A shingle found in more articles than this is boilerplate, not evidence.
pub const MAX_DF: u32 = 16;
/// A part of a compilation is smaller than this share of it: a print page is much
/// bigger than each chapter, while sibling pages alike enough to cover one another
/// (`floor` and `trunc`, `ceil`) are not parts of each other.
const PART_SHARE: f64 = 0.6;

/// One distinct word in `WORD_SAMPLE` is kept in a sketch's word sample (a power of two).
pub const WORD_SAMPLE: u64 = 8;

/// Version of the sketches (what is hashed, sampled and how it is stored): the
/// sketches file of a commit records it, and a file of another version is not
/// used (every article is then read again).
pub const SKETCH_VERSION: u32 = 6;

/// Fewer sampled shingles than this: too short to judge on a sample; the article
/// keeps all its shingles, and fewer shingles than this in all: only exact copies count.
const MIN_SAMPLES: usize = 8;
/// A copy in a format with fewer anchors with fewer distinct words of its own than
/// this (words in neither its title nor its headings) is a *skeleton*: the title and
/// headings of a page whose text is generated (a Sphinx source holding only
/// `.. automodule::`). Too short for its shingles to be judged, it is a copy of the
/// one better-format page with its title and every one of its headings.
const SKELETON_OWN: u32 = 8;
/// Fewer rare sampled shingles than this: only boilerplate, only exact copies count.
const MIN_RARE: usize = 3;

/// The sampled shingles of one article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    /// Hash of the whole word sequence (0 for an article without words).
    pub exact: u64,
    /// Hash of the title's words: two pages of one format with different titles are
    /// different items, however alike their text (rustdoc pages of sibling functions).
    pub title: u64,
    /// Sorted, distinct: the sampled shingle hashes, or all of them when `full`.
    pub hashes: Vec<u32>,
    /// True when `hashes` holds every shingle (a short article).
    pub full: bool,
    /// Sorted: the sampled distinct word hashes, or all of them when `words_full`.
    pub words: Vec<u32>,
    /// True when `words` holds every distinct word (a short article).
    pub words_full: bool,
    /// Sorted, distinct: the hashes of the section headings' words (one per heading).
    pub headings: Vec<u32>,
    /// How many distinct words of the section bodies are neither title nor heading
    /// words, counted up to [`SKELETON_OWN`]: the text of its own a skeleton copy lacks.
    pub own: u32,
}

impl Sketch {
    /// The sketch of an article's title, headings and text.
    pub fn of_article(article: &Article) -> Sketch {
        // Performance: one word buffer for the whole article, sized from its text.
        let bytes: usize = article.sections.iter().map(|s| s.text.len()).sum();
        let mut words: Vec<u64> = Vec::with_capacity(bytes / 5 + 16);
        let mut named: FxHashSet<u64> = FxHashSet::default();
        let mut headings: Vec<u32> = Vec::new();
        let mut bodies: Vec<(usize, usize)> = Vec::with_capacity(article.sections.len());
        for section in &article.sections {
            if let Some(heading) = section.heading.last() {
                let start = words.len();
                push_word_hashes(heading, &mut words);
                if words.len() > start {
                    named.extend(&words[start..]);
                    headings.push(phrase_hash(&words[start..]));
                }
            }
            let start = words.len();
            push_word_hashes(&section.text, &mut words);
            bodies.push((start, words.len()));
        }
        let mut title: Vec<u64> = Vec::new();
        push_word_hashes(&article.title, &mut title);
        named.extend(&title);
        let mut sketch = Sketch::of_words(&title, &words);
        if sketch.is_empty() {
            // A page without text keeps its title: its skeleton copy is still a copy.
            sketch.title = title.iter().fold(0, |h, &w| mix(h, w));
        } else {
            headings.sort_unstable();
            headings.dedup();
            sketch.headings = headings;
            sketch.own = count_own(bodies.iter().flat_map(|&(s, e)| &words[s..e]), &named);
        }
        sketch
    }

    fn of_words(title: &[u64], words: &[u64]) -> Sketch {
        if words.is_empty() {
            return Sketch::default();
        }
        let mut exact = 0x9E37_79B9_7F4A_7C15u64;
        for &w in words {
            exact = mix(exact, w);
        }
        let all: Vec<u32> = words
            .windows(SHINGLE.min(words.len()))
            .map(|window| (window.iter().fold(0u64, |h, &w| mix(h, w)) >> 32) as u32)
            .collect();
        let (hashes, full) = sample_or_all(all, is_sampled);
        let distinct: Vec<u32> = words.iter().map(|&w| (w >> 32) as u32).collect();
        let (distinct, words_full) = sample_or_all(distinct, is_word_sampled);
        Sketch {
            exact: exact.max(1),
            title: title.iter().fold(0, |h, &w| mix(h, w)),
            hashes,
            full,
            words: distinct,
            words_full,
            headings: Vec::new(),
            own: count_own(words, &title.iter().copied().collect()),
        }
    }

    /// True for an article without words (nothing to compare).
    pub fn is_empty(&self) -> bool {
        self.exact == 0
    }

    /// The sampled hashes (all of them unless `full`).
    fn sample(&self) -> impl Iterator<Item = &u32> {
        let full = self.full;
        self.hashes.iter().filter(move |&&h| !full || is_sampled(h))
    }

    /// Compact binary form, stored in the commit's sketches file (see
    /// [`crate::store::SketchWriter`]): `exact` and `title` (8 bytes each, little
    /// endian), a flags byte (1: `full`, 2: `words_full`), the number of shingle
    /// hashes, `own` and the number of heading hashes (4 bytes each), then 4 bytes
    /// per shingle hash, per heading hash and per word hash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.hashes.len() + self.headings.len() + self.words.len();
        let mut out = Vec::with_capacity(29 + 4 * n);
        out.extend_from_slice(&self.exact.to_le_bytes());
        out.extend_from_slice(&self.title.to_le_bytes());
        out.push(u8::from(self.full) | (u8::from(self.words_full) << 1));
        out.extend_from_slice(&(self.hashes.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.own.to_le_bytes());
        out.extend_from_slice(&(self.headings.len() as u32).to_le_bytes());
        for h in self.hashes.iter().chain(&self.headings).chain(&self.words) {
            out.extend_from_slice(&h.to_le_bytes());
        }
        out
    }

    /// None for bytes that are not a sketch (the article is then not compared).
    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        let u64_at = |i: usize| Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?));
        let exact = u64_at(0)?;
        let title = u64_at(8)?;
        let flags = *bytes.get(16)?;
        let u32_at = |i: usize| Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
        let n = u32_at(17)? as usize;
        let own = u32_at(21)?;
        let m = u32_at(25)? as usize;
        let rest = bytes.get(29..)?;
        if flags > 3 || !rest.len().is_multiple_of(4) || rest.len() / 4 < n.saturating_add(m) {
            return None;
        }
        let mut all = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")));
        let hashes: Vec<u32> = all.by_ref().take(n).collect();
        let headings: Vec<u32> = all.by_ref().take(m).collect();
        Some(Sketch {
            exact,
            title,
            hashes,
            full: flags & 1 != 0,
            words: all.collect(),
            words_full: flags & 2 != 0,
            headings,
            own,
        })
    }

    /// The id of a sketch's bytes ([`Sketch::to_bytes`]) recorded in the manifest:
    /// a hash of them, never 0 (no sketch).
    pub fn id_of(bytes: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64(bytes).max(1)
    }
}

/// The distinct values of `all` that `sampled` keeps, sorted, and false; or, when
/// fewer than [`MIN_SAMPLES`] distinct values are sampled, every distinct value,
/// sorted, and true (the article is too short to judge on a sample).
///
/// Performance: the sample (one value in eight) is sorted first; the whole set only
/// for a short article. The same result as sorting every value and sampling after.
fn sample_or_all(mut all: Vec<u32>, sampled: impl Fn(u32) -> bool) -> (Vec<u32>, bool) {
    let mut sample: Vec<u32> = all.iter().copied().filter(|&h| sampled(h)).collect();
    sample.sort_unstable();
    sample.dedup();
    if sample.len() >= MIN_SAMPLES {
        return (sample, false);
    }
    all.sort_unstable();
    all.dedup();
    (all, true)
}

/// Hashes of the lower-cased alphanumeric words of `text`, without the names of
/// markup constructs a source copy carries and its rendering does not: reStructuredText
/// roles and fields (`:func:`, `:platform:`) and directives (`.. note::`).
#[cfg(test)]
fn word_hashes(text: &str) -> impl Iterator<Item = u64> + '_ {
    let mut out = Vec::new();
    push_word_hashes(text, &mut out);
    out.into_iter()
}

/// Appends the hashes of [`word_hashes`] to `out`.
///
/// Performance: a byte scan (a word is a run of characters for which
/// `char::is_alphanumeric` holds; ASCII bytes are classified without decoding);
/// ASCII words (nearly all) are lower-cased in a stack buffer.
fn push_word_hashes(text: &str, out: &mut Vec<u64>) {
    let bytes = text.as_bytes();
    let class = |i: usize| class_at(text, i);
    let mut lower = [0u8; 64];
    let mut i = 0;
    while i < bytes.len() {
        let (alnum, len) = class(i);
        if !alnum {
            i += len;
            continue;
        }
        let s = i;
        let mut ascii = len == 1;
        i += len;
        while i < bytes.len() {
            let (alnum, len) = class(i);
            if !alnum {
                break;
            }
            ascii &= len == 1;
            i += len;
        }
        let before = &bytes[..s];
        let after = &bytes[i..];
        let role = before.ends_with(b":") && after.starts_with(b":");
        let directive = before.ends_with(b".. ") && after.starts_with(b"::");
        if role || directive {
            continue;
        }
        let word = &text[s..i];
        let hash = if ascii && word.len() <= lower.len() {
            let lower = &mut lower[..word.len()];
            for (l, b) in lower.iter_mut().zip(word.bytes()) {
                *l = b.to_ascii_lowercase();
            }
            xxhash_rust::xxh3::xxh3_64(lower)
        } else if ascii {
            xxhash_rust::xxh3::xxh3_64(word.to_ascii_lowercase().as_bytes())
        } else {
            xxhash_rust::xxh3::xxh3_64(word.to_lowercase().as_bytes())
        };
        out.push(hash);
    }
}

/// Whether the character at byte `i` of `text` (a char boundary) is alphanumeric,
/// and its length in bytes.
#[inline(always)]
fn class_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (b.is_ascii_alphanumeric(), 1)
    } else {
        let c = text[i..].chars().next().expect("a char boundary");
        (c.is_alphanumeric(), c.len_utf8())
    }
}

/// True for the shingle hashes of the consistent sample (one in [`SAMPLE`]).
fn is_sampled(h: u32) -> bool {
    u64::from(h).is_multiple_of(SAMPLE)
}

/// True for the word hashes of the consistent sample (one in [`WORD_SAMPLE`]).
fn is_word_sampled(w: u32) -> bool {
    u64::from(w).is_multiple_of(WORD_SAMPLE)
}

/// How many distinct `words` are not `named`, counted up to [`SKELETON_OWN`] (all
/// that is compared; a long article stops early).
fn count_own<'w>(words: impl IntoIterator<Item = &'w u64>, named: &FxHashSet<u64>) -> u32 {
    let mut own: Vec<u64> = Vec::new();
    for w in words {
        if own.len() >= SKELETON_OWN as usize {
            break;
        }
        if !named.contains(w) && !own.contains(w) {
            own.push(*w);
        }
    }
    own.len() as u32
}

/// The hash of a phrase's words (a heading).
fn phrase_hash(words: &[u64]) -> u32 {
    (words.iter().fold(0u64, |h, &w| mix(h, w)) >> 32) as u32
}

fn mix(h: u64, w: u64) -> u64 {
    (h ^ w)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(29)
        .wrapping_add(0x632B_E59B_D9B4_E019)
}

/// Rank of a format: formats with real anchors first.
fn format_rank(path: &str) -> u8 {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match Format::from_extension(ext) {
        Some(Format::Html) => 0,
        Some(Format::Markdown) => 1,
        _ => 2,
    }
}

struct Doc<'a> {
    path: &'a str,
    rank: u8,
    sketch: &'a Sketch,
    /// The sampled hashes (`sketch.hashes` itself unless it is full).
    sample: Cow<'a, [u32]>,
    /// The sampled words (`sketch.words` itself unless it is `words_full`).
    word_sample: Cow<'a, [u32]>,
    /// How many of `sketch.hashes` are rare (see [`MAX_DF`]).
    hashes_rare: usize,
    /// How many of `sample` are rare.
    sample_rare: usize,
}

/// The hashes of `doc`'s sketch found in at most [`MAX_DF`] articles.
fn rare_hashes<'d>(doc: &'d Doc, df: &'d FxHashMap<u32, u32>) -> impl Iterator<Item = &'d u32> {
    doc.sketch
        .hashes
        .iter()
        .filter(|h| df.get(h).is_some_and(|&n| n <= MAX_DF))
}

/// The decision for a set of articles: `alias → kept article` for every article
/// that should not be indexed. `articles` are (path, sketch) pairs.
pub fn plan<'a>(
    articles: impl IntoIterator<Item = (&'a str, &'a Sketch)>,
) -> BTreeMap<String, String> {
    let mut docs: Vec<Doc> = articles
        .into_iter()
        .filter(|(_, s)| !s.is_empty() || s.title != 0)
        .map(|(path, sketch)| Doc {
            path,
            rank: format_rank(path),
            sketch,
            // Performance: a sample that is the whole list borrows it (at 100x
            // medquad-dev, copying every sketch and sample cost hundreds of MB).
            sample: if sketch.full {
                Cow::Owned(sketch.sample().copied().collect())
            } else {
                Cow::Borrowed(&sketch.hashes)
            },
            word_sample: if sketch.words_full {
                Cow::Owned(
                    sketch
                        .words
                        .iter()
                        .copied()
                        .filter(|&w| is_word_sampled(w))
                        .collect(),
                )
            } else {
                Cow::Borrowed(&sketch.words)
            },
            hashes_rare: 0,
            sample_rare: 0,
        })
        .collect();
    docs.sort_by(|a, b| {
        let key = |d: &Doc| (d.rank, d.path.matches('/').count(), d.path.len());
        key(a).cmp(&key(b)).then_with(|| a.path.cmp(b.path))
    });

    // Performance: FxHash maps, rare counts computed once per article (a hash is
    // looked up only when found in the other article), candidates deduplicated
    // with a mark per article (same sets, same order).
    let mut df: FxHashMap<u32, u32> = FxHashMap::default();
    for doc in &docs {
        for &h in &doc.sketch.hashes {
            *df.entry(h).or_default() += 1;
        }
    }
    let is_rare = |h: &u32| df.get(h).is_some_and(|&n| n <= MAX_DF);
    let mut word_df: FxHashMap<u32, u32> = FxHashMap::default();
    for doc in docs.iter().filter(|d| d.rank > 0) {
        // Only the words of copies in a format with fewer anchors are compared.
        for &w in &doc.sketch.words {
            word_df.entry(w).or_default();
        }
    }
    for doc in &docs {
        for w in &doc.sketch.words {
            if let Some(n) = word_df.get_mut(w) {
                *n += 1;
            }
        }
    }
    let is_rare_word = |w: &u32| word_df.get(w).is_some_and(|&n| n <= MAX_DF);
    for doc in &mut docs {
        doc.hashes_rare = doc.sketch.hashes.iter().filter(|h| is_rare(h)).count();
        doc.sample_rare = doc.sample.iter().filter(|h| is_rare(h)).count();
    }
    let mut postings: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    let mut exact: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (i, doc) in docs.iter().enumerate() {
        for h in rare_hashes(doc, &df) {
            postings.entry(*h).or_default().push(i);
        }
        if !doc.sketch.is_empty() {
            exact.entry(doc.sketch.exact).or_default().push(i);
        }
    }
    // `seen[j] == i` marks j as a candidate of i already (each pushed once).
    let mut seen: Vec<usize> = vec![usize::MAX; docs.len()];
    let mut candidates = |i: usize| -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        seen[i] = i;
        let found = rare_hashes(&docs[i], &df)
            .flat_map(|h| &postings[h])
            .chain(exact.get(&docs[i].sketch.exact).into_iter().flatten());
        for &j in found {
            if seen[j] != i {
                seen[j] = i;
                out.push(j);
            }
        }
        out.sort_unstable();
        out
    };
    // Share of `a`'s hashes (all, rare) found in `b`, and how many hashes (all,
    // rare) that share is of.
    let containment = |a: &Doc, b: &Doc| -> (f64, f64, usize, usize) {
        let (ha, rare_total, hb) = compared(a, b);
        let (all, rare) = shared(ha, hb, 0, &is_rare).expect("no minimum");
        (
            all as f64 / ha.len().max(1) as f64,
            rare as f64 / rare_total.max(1) as f64,
            ha.len(),
            rare_total,
        )
    };
    // Performance: the counts that decide are checked before any hash is compared,
    // and the comparison stops once `cover` of `a`'s hashes can no longer be found
    // (nearly every candidate pair shares a few rare shingles and no more).
    let covers_at = |b: &Doc, a: &Doc, cover: f64| -> bool {
        if a.sketch.exact == b.sketch.exact {
            return !a.sketch.is_empty();
        }
        let (ha, n_rare, hb) = compared(a, b);
        let n = ha.len();
        if n < MIN_SAMPLES || n_rare < MIN_RARE {
            return false;
        }
        match shared(ha, hb, least_share(n, cover), &is_rare) {
            Some((all, rare)) => {
                all as f64 / n as f64 >= cover && rare as f64 / n_rare as f64 >= cover
            }
            None => false,
        }
    };
    let covers = |b: &Doc, a: &Doc| covers_at(b, a, COVER);
    // The same on words (each counted once, in any order): `b` holds at least
    // WORD_COVER of `a`'s distinct words and of its rare ones.
    let covers_words = |b: &Doc, a: &Doc| -> bool {
        let (wa, wb): (&[u32], &[u32]) = if a.sketch.words_full && b.sketch.words_full {
            (&a.sketch.words, &b.sketch.words)
        } else {
            (&a.word_sample, &b.word_sample)
        };
        let (mut all, mut rare, mut rare_total) = (0usize, 0usize, 0usize);
        for w in wa {
            let r = usize::from(is_rare_word(w));
            rare_total += r;
            if wb.binary_search(w).is_ok() {
                all += 1;
                rare += r;
            }
        }
        wa.len() >= MIN_SAMPLES
            && rare_total >= MIN_RARE
            && all as f64 >= WORD_COVER * wa.len() as f64
            && rare as f64 >= WORD_COVER * rare_total as f64
    };

    // A skeleton copy's page: the one article of a better format with its title
    // whose headings include all of its headings (none when two or more have them).
    let mut by_title: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (i, doc) in docs.iter().enumerate() {
        if doc.sketch.title != 0 {
            by_title.entry(doc.sketch.title).or_default().push(i);
        }
    }
    let skeleton_of = |i: usize| -> Option<usize> {
        let a = &docs[i];
        if a.rank == 0 || a.sketch.own >= SKELETON_OWN || a.sketch.title == 0 {
            return None;
        }
        let mut pages = by_title.get(&a.sketch.title)?.iter().copied().filter(|&j| {
            let b = &docs[j];
            b.rank < a.rank
                && a.sketch
                    .headings
                    .iter()
                    .all(|h| b.sketch.headings.binary_search(h).is_ok())
        });
        let page = pages.next()?;
        pages.next().is_none().then_some(page)
    };

    // Step 2: aliases of better or mutual copies, in rank order.
    let mut alias: Vec<Option<usize>> = vec![None; docs.len()];
    let mut cands: Vec<Vec<usize>> = Vec::with_capacity(docs.len());
    for i in 0..docs.len() {
        let c = candidates(i);
        let mut best: Option<(f64, usize)> = None;
        for &j in c.iter().filter(|&&j| j < i && alias[j].is_none()) {
            let (a, b) = (&docs[i], &docs[j]);
            let mirror = a.sketch.title == b.sketch.title && covers(a, b);
            let copy = b.rank < a.rank
                && (covers_at(b, a, COPY_COVER)
                    || (covers_at(b, a, COPY_ORDER) && covers_words(b, a)));
            if copy || (mirror && covers(b, a)) {
                let score = containment(a, b).0;
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, j));
                }
            }
        }
        alias[i] = best.map(|(_, j)| j).or_else(|| skeleton_of(i));
        cands.push(c);
    }

    // Step 3: compilations of smaller kept articles, smallest first.
    let mut by_size: Vec<usize> = (0..docs.len()).filter(|&i| alias[i].is_none()).collect();
    by_size.sort_by_key(|&i| (docs[i].sample.len(), i));
    for &b in &by_size {
        let parts: Vec<usize> = cands[b]
            .iter()
            .copied()
            .filter(|&a| {
                alias[a].is_none()
                    && (docs[a].sample.len() as f64) < PART_SHARE * docs[b].sample.len() as f64
                    && docs[a].rank <= docs[b].rank
                    && covers(&docs[b], &docs[a])
            })
            .collect();
        // One part covering the whole would make the two near-duplicates: with
        // different titles they are different items (step 2), not a compilation.
        if parts.len() < 2 || parts.iter().any(|&a| covers(&docs[a], &docs[b])) {
            continue;
        }
        let union: HashSet<u32> = parts
            .iter()
            .flat_map(|&a| docs[a].sample.iter().copied())
            .collect();
        let whole = &docs[b];
        let (mut all, mut rare) = (0usize, 0usize);
        for h in whole.sample.iter().filter(|h| union.contains(h)) {
            all += 1;
            rare += usize::from(is_rare(h));
        }
        let rare_total = whole.sample_rare;
        let all = all as f64 / whole.sample.len().max(1) as f64;
        let rare = rare as f64 / rare_total.max(1) as f64;
        if all >= COVER && rare >= COVER {
            let shared = |a: usize| {
                docs[a]
                    .sample
                    .iter()
                    .filter(|h| whole.sample.binary_search(h).is_ok())
                    .count()
            };
            let best = parts
                .iter()
                .copied()
                .max_by_key(|&a| (shared(a), std::cmp::Reverse(a)));
            alias[b] = best;
        }
    }

    // Aliases of an article that became an alias follow it to the kept one.
    let mut out = BTreeMap::new();
    for i in 0..docs.len() {
        let mut target = alias[i];
        let mut steps = 0;
        while let Some(t) = target {
            match alias[t] {
                Some(next) if steps < docs.len() => {
                    target = Some(next);
                    steps += 1;
                }
                _ => break,
            }
        }
        if let Some(t) = target
            && alias[t].is_none()
        {
            out.insert(docs[i].path.to_string(), docs[t].path.to_string());
        }
    }
    out
}

/// The hashes compared for `a` in `b`: every shingle when both are full, else the
/// samples; and how many of `a`'s are rare.
fn compared<'d>(a: &'d Doc, b: &'d Doc) -> (&'d [u32], usize, &'d [u32]) {
    if a.sketch.full && b.sketch.full {
        (&a.sketch.hashes, a.hashes_rare, &b.sketch.hashes)
    } else {
        (&a.sample, a.sample_rare, &b.sample)
    }
}

/// The smallest count `k` of `n` with `k / n >= share` (as the tests compute it).
fn least_share(n: usize, share: f64) -> usize {
    let mut k = ((share * n as f64).floor() as usize).saturating_sub(1);
    while k <= n && (k as f64 / n.max(1) as f64) < share {
        k += 1;
    }
    k
}

/// How many of the sorted hashes `a` are in the sorted `b`, and how many of those
/// are rare; None as soon as fewer than `need` of them can be found.
fn shared(
    a: &[u32],
    b: &[u32],
    need: usize,
    is_rare: &impl Fn(&u32) -> bool,
) -> Option<(usize, usize)> {
    let (mut all, mut rare) = (0usize, 0usize);
    // A merge when the two are of similar size, else a binary search for each.
    let merge = b.len() <= 4 * a.len();
    let mut rest = b;
    for (k, h) in a.iter().enumerate() {
        if all + (a.len() - k) < need {
            return None;
        }
        let at = if merge {
            rest.iter().position(|x| x >= h).unwrap_or(rest.len())
        } else {
            rest.partition_point(|x| x < h)
        };
        rest = &rest[at..];
        if rest.first() == Some(h) {
            all += 1;
            rare += usize::from(is_rare(h));
            rest = &rest[1..];
        }
    }
    Some((all, rare))
}

/// The articles recorded as aliases of `path` in a manifest, in path order.
pub fn aliases_of<'a>(manifest: &'a crate::store::Manifest, path: &str) -> Vec<&'a str> {
    manifest
        .files
        .iter()
        .filter(|(_, r)| r.alias_of.as_deref() == Some(path))
        .map(|(rel, _)| rel.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sketch of an article titled "Title" with this text.
    fn sketch(text: &str) -> Sketch {
        titled("Title", text)
    }

    fn titled(title: &str, text: &str) -> Sketch {
        let title: Vec<u64> = word_hashes(title).collect();
        Sketch::of_words(&title, &word_hashes(text).collect::<Vec<_>>())
    }

    /// `word_hashes` as it was before its byte scan (`char_indices`, a `String` per
    /// non-ASCII word): the sketches, and so the stored sketch version, must not change.
    fn word_hashes_by_chars(text: &str) -> Vec<u64> {
        let bytes = text.as_bytes();
        let mut start = None;
        let mut out = Vec::new();
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    start = None;
                    let (before, after) = (&bytes[..s], &bytes[i..]);
                    let role = before.ends_with(b":") && after.starts_with(b":");
                    let directive = before.ends_with(b".. ") && after.starts_with(b"::");
                    if !role && !directive {
                        out.push(xxhash_rust::xxh3::xxh3_64(
                            text[s..i].to_lowercase().as_bytes(),
                        ));
                    }
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn word_hashes_are_those_of_the_char_scan() {
        let long = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3);
        for text in [
            "",
            "word",
            "  Two  WORDS, and x2 \n",
            "Café naïve ÉCOLE straße İstanbul ΣΊΣΥΦΟΣ 東京 x²y ½ a\u{300}b",
            ".. note::\n\nThe :mod:`tty` module: see :mod:`termios`. a:b: ::c",
            &format!("{long} short {long}é end"),
            "trailing-émoji 🦀crab🦀 ends ü",
        ] {
            let fast: Vec<u64> = word_hashes(text).collect();
            assert_eq!(fast, word_hashes_by_chars(text), "{text:?}");
        }
    }

    #[test]
    fn the_sample_is_that_of_the_sorted_whole() {
        // Every length around MIN_SAMPLES sampled values, with repeats.
        for n in 0..200u32 {
            let all: Vec<u32> = (0..n)
                .map(|i| (i * 7 % 61).wrapping_mul(2_654_435_761))
                .collect();
            let mut sorted = all.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let full = sorted.iter().filter(|&&h| is_sampled(h)).count() < MIN_SAMPLES;
            if !full {
                sorted.retain(|&h| is_sampled(h));
            }
            assert_eq!(sample_or_all(all, is_sampled), (sorted, full), "{n}");
        }
    }

    #[test]
    fn least_share_is_the_smallest_count_passing_the_test() {
        for n in 1..300usize {
            for share in [COVER, COPY_COVER, COPY_ORDER, WORD_COVER, 1.0] {
                let k = least_share(n, share);
                assert!(k as f64 / n as f64 >= share, "{n} {share}");
                assert!(k == 0 || ((k - 1) as f64 / n as f64) < share, "{n} {share}");
            }
        }
    }

    #[test]
    fn shared_counts_as_binary_search_does_and_stops_only_below_need() {
        let set = |seed: u32, n: u32, step: u32| -> Vec<u32> {
            let mut v: Vec<u32> = (0..n).map(|i| (i * step + seed) % 997).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let is_rare = |h: &u32| h.is_multiple_of(3);
        for (sa, na, stepa) in [(1, 50, 7), (5, 120, 3), (2, 10, 11), (0, 300, 2)] {
            for (sb, nb, stepb) in [(1, 50, 7), (4, 900, 1), (3, 40, 5), (0, 2, 1)] {
                let (a, b) = (set(sa, na, stepa), set(sb, nb, stepb));
                let all = a.iter().filter(|h| b.binary_search(h).is_ok()).count();
                let rare = (a.iter())
                    .filter(|h| b.binary_search(h).is_ok() && is_rare(h))
                    .count();
                for need in 0..=a.len() + 1 {
                    match shared(&a, &b, need, &is_rare) {
                        Some(found) => assert_eq!(found, (all, rare)),
                        None => assert!(all < need),
                    }
                }
            }
        }
    }

    #[test]
    fn markup_names_are_not_words() {
        let plain: Vec<u64> = word_hashes("The tty module: see termios.").collect();
        let rst: Vec<u64> =
            word_hashes(".. note::\n\nThe :mod:`tty` module: see :mod:`termios`.").collect();
        assert_eq!(rst, plain);
        assert_eq!(word_hashes("Café x2").count(), 2);
    }

    /// Deterministic filler text: `n` words, distinct per `seed`.
    /// `text` with the word `extra(i)` put before every `n`th word (from the first).
    fn every_nth(text: &str, n: usize, extra: impl Fn(usize) -> String) -> String {
        let words: Vec<String> = text
            .split(' ')
            .enumerate()
            .map(|(i, w)| match i % n {
                0 => format!("{} {w}", extra(i)),
                _ => w.to_string(),
            })
            .collect();
        words.join(" ")
    }

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

    #[test]
    fn bytes_round_trip() {
        let s = sketch(&prose(1, 300));
        assert!(s.hashes.len() > 10 && !s.words.is_empty());
        assert_eq!(Sketch::from_bytes(&s.to_bytes()), Some(s.clone()));
        let short = sketch("a few words");
        assert!(short.full && short.words_full);
        assert_eq!(Sketch::from_bytes(&short.to_bytes()), Some(short));
        assert_eq!(
            Sketch::from_bytes(&Sketch::default().to_bytes()),
            Some(Sketch::default())
        );
        let bytes = s.to_bytes();
        assert_eq!(Sketch::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Sketch::from_bytes(&bytes[..30]), None);
        assert_eq!(Sketch::from_bytes(b"xyz"), None);
    }

    #[test]
    fn source_copy_is_an_alias_of_the_html_page() {
        let text = prose(2, 400);
        let html = sketch(&text);
        // The markup source: the same words with some markup words inserted.
        let source = sketch(&format!("code block {text} note"));
        let other = sketch(&prose(3, 400));
        let plan = plan([
            ("_sources/page.txt", &source),
            ("page.html", &html),
            ("other.html", &other),
        ]);
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert_eq!(plan["_sources/page.txt"], "page.html");
    }

    #[test]
    fn a_short_page_keeps_every_shingle_and_its_copy_is_still_found() {
        // 40 words: about 5 sampled shingles, too few to judge on a sample.
        let text = prose(20, 40);
        let html = sketch(&text);
        assert!(html.full, "{html:?}");
        assert_eq!(Sketch::from_bytes(&html.to_bytes()), Some(html.clone()));
        let source = sketch(&format!("{text} index"));
        assert_ne!(source.exact, html.exact);
        let other = sketch(&prose(21, 40));
        let plan = plan([
            ("_sources/page.txt", &source),
            ("page.html", &html),
            ("other.html", &other),
        ]);
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert_eq!(plan["_sources/page.txt"], "page.html");
        // A long article is sampled, not full.
        assert!(!sketch(&prose(22, 400)).full);
    }

    #[test]
    fn a_copy_in_another_format_may_differ_more_than_a_mirror() {
        // One markup word every 12 words: about 0.77 of the copy's shingles remain.
        let text = prose(23, 600);
        let marked = every_nth(&text, 12, |i| format!("m{i}"));
        let (page, copy) = (sketch(&text), sketch(&marked));
        let as_source = plan([("page.html", &page), ("_sources/page.txt", &copy)]);
        assert_eq!(as_source["_sources/page.txt"], "page.html");
        let as_mirror = plan([("page.html", &page), ("v2/page.html", &copy)]);
        assert!(as_mirror.is_empty(), "{as_mirror:?}");
    }

    #[test]
    fn a_copy_whose_page_prefixes_every_name_is_found_by_its_words() {
        // The page writes `errno.EPERM` where its source has `EPERM`: one word in
        // three is new, so about 0.6 of the copy's shingles remain, all of its words.
        let source = prose(30, 600);
        let page = every_nth(&source, 5, |_| "errno".to_string());
        let (page, copy) = (sketch(&page), sketch(&source));
        let other = sketch(&prose(31, 600));
        let plan = plan([
            ("errno.html", &page),
            ("_sources/errno.txt", &copy),
            ("other.html", &other),
        ]);
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert_eq!(plan["_sources/errno.txt"], "errno.html");
        // The same words in another order are not a copy: a page of the same
        // identifiers (an index) holds all the words and few of the shingles.
        let mut shuffled: Vec<&str> = source.split(' ').collect();
        shuffled.sort_unstable();
        let index = sketch(&shuffled.join(" "));
        let plan = super::plan([("index.html", &index), ("_sources/errno.txt", &copy)]);
        assert!(plan.is_empty(), "{plan:?}");
    }

    #[test]
    fn print_page_is_an_alias_of_its_chapters() {
        let (one, two) = (prose(4, 500), prose(5, 500));
        let print = sketch(&format!("{one} {two}"));
        let (a, b) = (sketch(&one), sketch(&two));
        let plan = plan([("print.html", &print), ("ch1.html", &a), ("ch2.html", &b)]);
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert!(plan["print.html"].starts_with("ch"), "{plan:?}");
    }

    #[test]
    fn a_page_with_unique_content_beside_a_chapter_is_kept() {
        let one = prose(6, 500);
        let bigger = sketch(&format!("{one} {}", prose(7, 500)));
        let plan = plan([("big.html", &bigger), ("ch1.html", &sketch(&one))]);
        assert!(plan.is_empty(), "{plan:?}");
    }

    #[test]
    fn mirrors_keep_the_shallower_copy_and_exact_tiny_copies_count() {
        let text = prose(8, 300);
        let (a, b) = (sketch(&text), sketch(&text));
        let tiny = sketch("Redirecting to the new page");
        let plan = plan([
            ("v1/deep/page.html", &a),
            ("page.html", &b),
            ("x/tiny.md", &tiny),
            ("tiny.md", &tiny),
        ]);
        assert_eq!(plan["v1/deep/page.html"], "page.html");
        assert_eq!(plan["x/tiny.md"], "tiny.md");
        assert_eq!(plan.len(), 2);
    }

    #[test]
    fn same_text_under_different_titles_is_not_a_duplicate() {
        // Sibling functions documented with the same sentences.
        let text = prose(10, 300);
        let (a, b) = (
            titled("Function set_epi8", &text),
            titled("Function setr_epi8", &text),
        );
        let c = titled("Function set_epi8", &text);
        let plan = plan([
            ("x86/set.html", &a),
            ("x86/setr.html", &b),
            ("x86_64/set.html", &c),
        ]);
        assert_eq!(plan.len(), 1, "{plan:?}");
        assert_eq!(plan["x86_64/set.html"], "x86/set.html");
    }

    #[test]
    fn sibling_pages_are_not_a_compilation_of_each_other() {
        // floor holds all of ceil and all of trunc, and neither alone covers it.
        let (base, e1, e2) = (prose(11, 200), prose(12, 80), prose(13, 80));
        let floor = titled("Function floor", &format!("{base} {e1} {e2}"));
        let ceil = titled("Function ceil", &format!("{base} {e1}"));
        let trunc = titled("Function trunc", &format!("{base} {e2}"));
        let plan = plan([
            ("floor.html", &floor),
            ("ceil.html", &ceil),
            ("trunc.html", &trunc),
        ]);
        assert!(plan.is_empty(), "{plan:?}");
    }

    #[test]
    fn pages_sharing_only_boilerplate_stay_apart() {
        // 40 small pages: the same long boilerplate, a short description of their own.
        let boilerplate = prose(9, 300);
        let sketches: Vec<(String, Sketch)> = (0..40)
            .map(|i| {
                (
                    format!("struct.T{i}.html"),
                    sketch(&format!("{} {boilerplate}", prose(100 + i, 40))),
                )
            })
            .collect();
        let plan = plan(sketches.iter().map(|(p, s)| (p.as_str(), s)));
        assert!(plan.is_empty(), "{plan:?}");
    }

    /// An article's sketch from its title and (heading, text) sections.
    fn article(title: &str, sections: &[(&str, &str)]) -> Sketch {
        let article = Article {
            title: title.to_string(),
            sections: sections
                .iter()
                .map(|&(h, t)| crate::extract::Section {
                    anchor: String::new(),
                    heading: if h.is_empty() {
                        vec![]
                    } else {
                        vec![h.to_string()]
                    },
                    text: t.to_string(),
                    lines: (1, 1),
                    aliases: Vec::new(),
                    line_keys: Vec::new(),
                    listing: Default::default(),
                })
                .collect(),
            lang: "und".to_string(),
        };
        Sketch::of_article(&article)
    }

    #[test]
    fn a_skeleton_copy_is_an_alias_of_the_one_page_with_its_title_and_headings() {
        let page = article(
            "lxml.builder module",
            &[("", &prose(50, 200)), ("Module contents", &prose(51, 50))],
        );
        let copy = article(
            "lxml.builder module",
            &[("Module contents", "lxml.builder")],
        );
        assert_eq!(copy.own, 0);
        assert_eq!(Sketch::from_bytes(&copy.to_bytes()), Some(copy.clone()));
        let other = article("lxml.etree module", &[("", &prose(52, 200))]);
        let p = plan([
            ("_sources/builder.txt", &copy),
            ("builder.html", &page),
            ("etree.html", &other),
        ]);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p["_sources/builder.txt"], "builder.html");
        // A heading the page lacks, text of its own, or two pages with its title: kept.
        let extra = article("lxml.builder module", &[("Examples", "lxml.builder")]);
        let own = article("lxml.builder module", &[("", &prose(53, 10))]);
        assert!(own.own >= SKELETON_OWN);
        for copy in [&extra, &own] {
            let p = plan([("_sources/builder.txt", copy), ("builder.html", &page)]);
            assert!(p.is_empty(), "{p:?}");
        }
        let twin = article(
            "lxml.builder module",
            &[("", &prose(54, 200)), ("Module contents", &prose(55, 50))],
        );
        let p = plan([
            ("_sources/builder.txt", &copy),
            ("builder.html", &page),
            ("v2/builder.html", &twin),
        ]);
        assert!(!p.contains_key("_sources/builder.txt"), "{p:?}");
        // A page of the same format is no copy of a page with the same title.
        let p = plan([("a/builder.html", &copy), ("builder.html", &page)]);
        assert!(p.is_empty(), "{p:?}");
        // A page without text keeps its title: its skeleton copy is still its copy.
        let empty = article("lxml.builder module", &[]);
        assert!(empty.is_empty() && empty.title != 0);
        let bare = article("lxml.builder module", &[("", "lxml.builder")]);
        let p = plan([("_sources/builder.txt", &bare), ("builder.html", &empty)]);
        assert_eq!(p["_sources/builder.txt"], "builder.html");
        let p = plan([("x.html", &empty), ("y.html", &empty)]);
        assert!(p.is_empty(), "{p:?}");
    }
}
