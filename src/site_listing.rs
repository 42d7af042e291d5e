//! Site listings: sections whose rows are the openings of other pages of the site.
//!
//! An API site lists its members on pages of their own besides the members' pages:
//! a package summary, a "uses of" page, a module index, each row a name and the
//! first sentence of the member's description. Such a page is a listing, not an
//! answer, and outranks the member's page on any query whose words are spread over
//! several members. [`crate::extract::listing`] finds the summaries that repeat
//! the openings of sections of the *same* article; this is the same rule over a
//! site (the first folder under the corpus, as for [`crate::boilerplate`]). A
//! section is a **site listing** when
//!
//! * it could be a listing ([`SectionKeys::rows`]): at least [`MIN_REPEATS`] of its
//!   distinct stated sentences stand alone on their line (rows), and these are at
//!   least [`MIN_SHARE`] of its sentences;
//! * at least [`MIN_REPEATS`] of its rows are each the opening sentence of a
//!   section of another page of the site that is not itself a possible listing
//!   (of at most [`MAX_OPENED`] sections: a phrase that opens more is a
//!   template's), of at least [`MIN_REPEATS`] sections in all;
//! * and these rows are at least [`MIN_SHARE`] of its sentences.
//!
//! The same rule over a whole page makes every section of it a listing: a "uses
//! of" page has a section per package, some with one or two rows only, too few to
//! judge alone.
//!
//! A listing of one or two rows is too short to judge alone, and a site makes
//! many: a "uses of" page for a class used once. Such pages share their title's
//! pattern with the listings the rule above does judge (the site's *title family*:
//! the words of a page's title found in the titles of at least [`MIN_FAMILY_TITLES`]
//! pages and a [`FAMILY_WORD_SHARE`] of the site's titles, the names taken out; a
//! title with none of them is in no family). A
//! family at least [`MIN_REPEATS`] of whose pages are listings, these being at least
//! half of its pages with rows enough to be judged, is a **listing family**: its pages
//! made only of rows and names (every stated sentence alone on its line,
//! [`SectionKeys::only_rows`]) are listings however few their rows.
//!
//! Prose states several sentences to a paragraph and shares at most its opening
//! with a listing: it stays.
//!
//! A **template page** is a page with nothing of its own but its title: its text
//! (headings aside) is short, at most [`MAX_TEMPLATE_WORDS`] words, and word for
//! word the text of pages of at least [`MIN_TEMPLATE_TITLES`] different titles of
//! the site, its own among them ("The first edition of the book is no longer distributed with Rust's
//! documentation…" on each of 74 pages that once held a chapter; a "moved" or
//! "redirecting" notice, an empty generated page). Its title promises what its text
//! does not hold: every section of it goes. The same text under one title on many
//! pages (exact copies) is the near-duplicate rule's ([`crate::dedup`]: one stays).
//!
//! The judgement reads only the keys kept per file in the manifest
//! ([`FileRecord::openings`], [`FileRecord::rows`], [`FileRecord::shape`],
//! [`FileRecord::body`]), so an incremental ingest judges as a full one would: when
//! the keys of a site change, its unchanged pages whose judgement changes are read
//! again (see [`crate::ingest`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use crate::boilerplate::site_records;
use crate::extract::Article;
pub use crate::extract::listing::{MIN_REPEATS, MIN_SHARE, SectionKeys};
use crate::store::FileRecord;

/// The openings of an article's sections, as stored in [`FileRecord::openings`]:
/// `position:key` (hex) for each section that has one, space-separated. Only
/// sections that could not be listings open anything: a listing's first row is
/// no member's description (and listings open with the same popular members).
pub fn encode_openings(article: &Article) -> String {
    let mut out = String::new();
    for (i, section) in article.sections.iter().enumerate() {
        if !section.listing.rows.is_empty() {
            continue;
        }
        if let Some(key) = section.listing.opening {
            if !out.is_empty() {
                out.push(' ');
            }
            let _ = write!(out, "{i:x}:{key:08x}");
        }
    }
    out
}

/// The rows of an article's sections that could be listings, as stored in
/// [`FileRecord::rows`]: `position/sentences:row,row,…` for each, a row its keys
/// (hex, 8 digits each, concatenated), space-separated, after
/// `*sections/sentences:` for the whole page; empty when no section could be a
/// listing.
pub fn encode_rows(article: &Article) -> String {
    if article.sections.iter().all(|s| s.listing.rows.is_empty()) {
        return String::new();
    }
    let sentences: u32 = article.sections.iter().map(|s| s.listing.sentences).sum();
    let mut out = format!("*{:x}/{sentences:x}:", article.sections.len());
    for (i, section) in article.sections.iter().enumerate() {
        let keys = &section.listing;
        if keys.rows.is_empty() {
            continue;
        }
        let _ = write!(out, " {i:x}/{:x}:", keys.sentences);
        for (n, row) in keys.rows.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            for key in row {
                let _ = write!(out, "{key:08x}");
            }
        }
    }
    out
}

/// A page's text longer than this many words is content, whatever repeats it.
pub const MAX_TEMPLATE_WORDS: usize = 100;
/// A text is a template's when pages of at least this many distinct titles hold it.
pub const MIN_TEMPLATE_TITLES: usize = 5;

/// The body of an article as stored in [`FileRecord::body`]: `sections:` (hex),
/// then the key of its sections' texts (headings and title aside, words
/// lowercased) and the key of its title, 8 hex digits each; empty when the text
/// has no word or more than [`MAX_TEMPLATE_WORDS`].
pub fn encode_body(article: &Article) -> String {
    let mut body = xxhash_rust::xxh3::Xxh3::new();
    let mut words = 0usize;
    for word in article
        .sections
        .iter()
        .flat_map(|s| s.text.split_whitespace())
    {
        words += 1;
        if words > MAX_TEMPLATE_WORDS {
            return String::new();
        }
        body.update(word.to_lowercase().as_bytes());
        body.update(b" ");
    }
    if words == 0 {
        return String::new();
    }
    let title = xxhash_rust::xxh3::xxh3_64(article.title.trim().to_lowercase().as_bytes());
    format!(
        "{:x}:{:08x}{:08x}",
        article.sections.len(),
        body.digest() as u32,
        title as u32
    )
}

/// The (sections, body key, title key) of [`encode_body`].
fn decode_body(text: &str) -> Option<(u32, u32, u32)> {
    let (sections, keys) = text.split_once(':')?;
    Some((hex(sections)?, hex(keys.get(..8)?)?, hex(keys.get(8..16)?)?))
}

/// The shape of an article, as stored in [`FileRecord::shape`]: `r` when it is
/// only rows and names and states a sentence, `n` when it states none (names
/// only), `p` otherwise, then its number of sections (hex), `:`, and the keys of
/// its title's words (lowercase, 8 hex digits each). Empty for an untitled article.
pub fn encode_shape(article: &Article) -> String {
    let words: Vec<&str> = article.title.split_whitespace().collect();
    if words.is_empty() {
        return String::new();
    }
    let kind = if !article.sections.iter().all(|s| s.listing.only_rows) {
        'p'
    } else if article.sections.iter().any(|s| s.listing.opening.is_some()) {
        'r'
    } else {
        'n'
    };
    let mut out = format!("{kind}{:x}:", article.sections.len());
    for word in words {
        let _ = write!(out, "{:08x}", word_key(word));
    }
    out
}

fn word_key(word: &str) -> u32 {
    xxhash_rust::xxh3::xxh3_64(word.to_lowercase().as_bytes()) as u32
}

/// The (kind, sections, title word keys) of [`encode_shape`].
fn decode_shape(text: &str) -> Option<(u8, u32, Vec<u32>)> {
    let (head, keys) = text.split_once(':')?;
    let kind = *head.as_bytes().first()?;
    let sections = hex(head.get(1..)?)?;
    let keys = keys
        .as_bytes()
        .chunks_exact(8)
        .filter_map(|c| hex(std::str::from_utf8(c).ok()?))
        .collect();
    Some((kind, sections, keys))
}

/// Whether the record's page is made only of rows and names ([`encode_shape`]).
pub fn rows_only(record: &FileRecord) -> bool {
    matches!(record.shape.as_bytes().first(), Some(b'r' | b'n'))
}

/// A title word is part of the site's title pattern when at least this many
/// titles hold it…
pub const MIN_FAMILY_TITLES: usize = 8;
/// … and at least this share of the site's titles: a package's name in the
/// titles of its few pages is a name, not the pattern.
pub const FAMILY_WORD_SHARE: f64 = 0.01;

/// The positions of all `sections` of a page. The count comes from the manifest:
/// capped, so that a damaged record cannot ask for billions of positions (no
/// article has a million sections; positions past its last are ignored).
fn all_sections(sections: u32) -> Vec<u32> {
    (0..sections.min(1 << 20)).collect()
}

fn hex(text: &str) -> Option<u32> {
    u32::from_str_radix(text, 16).ok()
}

/// The (position, key) pairs of [`encode_openings`]; malformed parts are skipped.
fn decode_openings(text: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    text.split(' ').filter_map(|part| {
        let (position, key) = part.split_once(':')?;
        Some((hex(position)?, hex(key)?))
    })
}

/// The (position, sentences, rows) of [`encode_rows`]; malformed parts are skipped.
fn decode_rows(text: &str) -> impl Iterator<Item = (u32, u32, Vec<Vec<u32>>)> + '_ {
    text.split(' ').filter_map(|part| {
        let (head, rows) = part.split_once(':')?;
        let (position, sentences) = head.split_once('/')?;
        let rows = rows
            .split(',')
            .map(|row| {
                row.as_bytes()
                    .chunks_exact(8)
                    .filter_map(|c| hex(std::str::from_utf8(c).ok()?))
                    .collect::<Vec<u32>>()
            })
            .filter(|row| !row.is_empty())
            .collect();
        Some((hex(position)?, hex(sentences)?, rows))
    })
}

/// Which sections of a site open with which sentence.
#[derive(Debug, Default, PartialEq)]
pub struct Openings {
    /// Opening key → the sections it opens: (file, position).
    opens: HashMap<u32, Vec<(u64, u32)>>,
    /// Body keys of the site's template pages ([`encode_body`]).
    templates: HashSet<u32>,
    /// Title words of the site's title pattern ([`MIN_FAMILY_TITLES`]).
    pattern: HashSet<u32>,
    /// Title families that are listing families (module header).
    families: HashSet<u64>,
}

/// A row repeats a member's opening only if at most this many sections open with
/// it: a sentence that opens more is a template's phrase.
pub const MAX_OPENED: usize = 64;

/// The rule: enough repeated rows, from enough sections, making most sentences.
fn is_listing(repeats: usize, sentences: u32, sources: usize) -> bool {
    repeats >= MIN_REPEATS
        && repeats as f64 >= MIN_SHARE * sentences as f64
        && sources >= MIN_REPEATS
}

/// The (sections, sentences) of the page, from [`encode_rows`].
fn page_totals(rows: &str) -> Option<(u32, u32)> {
    let head = rows
        .strip_prefix('*')?
        .split(' ')
        .next()?
        .strip_suffix(':')?;
    let (sections, sentences) = head.split_once('/')?;
    Some((hex(sections)?, hex(sentences)?))
}

fn file_id(rel: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(rel.as_bytes())
}

impl Openings {
    /// The openings of a site's files, from their records.
    pub fn of_site(files: &BTreeMap<String, FileRecord>, site: &str) -> Self {
        Self::of(site_records(files, site).map(|(rel, r)| (rel.as_str(), r)))
    }

    /// The openings of these files.
    pub fn of<'a>(records: impl Iterator<Item = (&'a str, &'a FileRecord)>) -> Self {
        let records: Vec<(&str, &FileRecord)> = records.collect();
        let mut opens: HashMap<u32, Vec<(u64, u32)>> = HashMap::new();
        // Body key → the titles holding it.
        let mut bodies: HashMap<u32, HashSet<u32>> = HashMap::new();
        let mut titles = 0usize;
        let mut title_words: HashMap<u32, usize> = HashMap::new();
        for &(rel, record) in &records {
            if let Some((_, body, title)) = decode_body(&record.body) {
                bodies.entry(body).or_default().insert(title);
            }
            if let Some((_, _, mut keys)) = decode_shape(&record.shape) {
                titles += 1;
                keys.sort_unstable();
                keys.dedup();
                for key in keys {
                    *title_words.entry(key).or_default() += 1;
                }
            }
            if record.openings.is_empty() {
                continue;
            }
            let id = file_id(rel);
            for (position, key) in decode_openings(&record.openings) {
                opens.entry(key).or_default().push((id, position));
            }
        }
        let templates = bodies
            .into_iter()
            .filter(|(_, titles)| titles.len() >= MIN_TEMPLATE_TITLES)
            .map(|(body, _)| body)
            .collect();
        let min_titles = MIN_FAMILY_TITLES.max((FAMILY_WORD_SHARE * titles as f64).ceil() as usize);
        let pattern: HashSet<u32> = title_words
            .into_iter()
            .filter(|&(_, n)| n >= min_titles)
            .map(|(key, _)| key)
            .collect();
        let mut site = Self {
            opens,
            pattern,
            families: HashSet::new(),
            templates,
        };
        if site.opens.is_empty() {
            return site;
        }
        // Per family: (pages judged listings whole, pages with rows enough to be
        // judged).
        let mut counts: HashMap<u64, (usize, usize)> = HashMap::new();
        for (rel, record) in records {
            if record.rows.is_empty() {
                continue;
            }
            let Some(family) = site.family(record) else {
                continue;
            };
            let entry = counts.entry(family).or_default();
            entry.0 += usize::from(site.judged(rel, record).1);
            entry.1 += 1;
        }
        site.families = counts
            .into_iter()
            .filter(|&(_, (whole, pages))| whole >= MIN_REPEATS && 2 * whole >= pages)
            .map(|(family, _)| family)
            .collect();
        site
    }

    /// The record's title family: its title's words of the site's pattern; None
    /// for a title without any (such titles share no pattern, so no family).
    fn family(&self, record: &FileRecord) -> Option<u64> {
        let (_, _, keys) = decode_shape(&record.shape)?;
        let mut family = xxhash_rust::xxh3::Xxh3::new();
        let mut words = 0usize;
        for key in keys.iter().filter(|k| self.pattern.contains(k)) {
            family.update(&key.to_le_bytes());
            words += 1;
        }
        (words > 0).then(|| family.digest())
    }

    /// Whether the page is a template page (module header).
    fn is_template(&self, record: &FileRecord) -> Option<u32> {
        let (sections, body, _) = decode_body(&record.body)?;
        self.templates.contains(&body).then_some(sections)
    }

    /// The positions of the file's sections that are site listings or template
    /// pages (ascending).
    pub fn listed(&self, rel: &str, record: &FileRecord) -> Vec<u32> {
        if let Some(sections) = self.is_template(record) {
            return all_sections(sections);
        }
        if self.opens.is_empty() {
            return Vec::new();
        }
        if rows_only(record)
            && let Some(family) = self.family(record)
            && self.families.contains(&family)
            && let Some((_, sections, _)) = decode_shape(&record.shape)
        {
            return all_sections(sections);
        }
        if record.rows.is_empty() {
            return Vec::new();
        }
        self.judged(rel, record).0
    }

    /// The positions of the file's sections that are site listings by their
    /// rows, and whether the whole page is one.
    fn judged(&self, rel: &str, record: &FileRecord) -> (Vec<u32>, bool) {
        let id = file_id(rel);
        let mut listed = Vec::new();
        let (mut page_repeats, mut page_sources) = (0usize, Vec::new());
        for (position, sentences, rows) in decode_rows(&record.rows) {
            let mut repeats = 0usize;
            let mut sources: Vec<(u64, u32)> = Vec::new();
            for row in &rows {
                // The first of the row's keys that opens another section.
                let others = row.iter().find_map(|key| {
                    let opened = self.opens.get(key)?;
                    // A sentence opening many sections is a template's phrase
                    // ("R - Return type."), not one member's description.
                    if opened.len() > MAX_OPENED {
                        return None;
                    }
                    // Other pages only: the openings of the page's own sections
                    // are [`crate::extract::listing`]'s (which keeps a recap
                    // with sentences of its own).
                    let mut others = opened.iter().filter(|&&(file, _)| file != id).peekable();
                    others.peek().is_some().then_some(others)
                });
                if let Some(others) = others {
                    repeats += 1;
                    // Enough sources are enough: a common opening ("Returns the
                    // argument unchanged.") opens thousands of sections.
                    for &s in others {
                        if sources.len() >= MIN_REPEATS {
                            break;
                        }
                        if !sources.contains(&s) {
                            sources.push(s);
                        }
                    }
                }
            }
            if is_listing(repeats, sentences, sources.len()) {
                listed.push(position);
            }
            page_repeats += repeats;
            for s in sources {
                if page_sources.len() < MIN_REPEATS && !page_sources.contains(&s) {
                    page_sources.push(s);
                }
            }
        }
        if let Some((sections, sentences)) = page_totals(&record.rows)
            && is_listing(page_repeats, sentences, page_sources.len())
        {
            return (all_sections(sections), true);
        }
        (listed, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Section;

    fn section(text: &str) -> Section {
        Section {
            anchor: String::new(),
            heading: vec![],
            text: text.into(),
            lines: (1, 1),
            aliases: vec![],
            line_keys: vec![],
            listing: crate::extract::listing::section_keys(text),
        }
    }

    fn record(texts: &[&str]) -> FileRecord {
        let article = Article {
            title: String::new(),
            lang: String::new(),
            sections: texts.iter().map(|t| section(t)).collect(),
        };
        FileRecord {
            passages: texts.len() as u64,
            openings: encode_openings(&article),
            rows: encode_rows(&article),
            ..FileRecord::default()
        }
    }

    const PAGES: [&str; 4] = [
        "Assists in implementing equals methods. It compares fields one by one.",
        "Assists in implementing hashCode methods. Pick two odd numbers first.",
        "Assists in implementing toString methods. The style is pluggable here.",
        "Controls the String formatting for builders. Styles are singletons.",
    ];
    const USES: &str = "EqualsBuilder\nAssists in implementing equals methods.\n\
        HashCodeBuilder\nAssists in implementing hashCode methods.\n\
        ToStringBuilder\nAssists in implementing toString methods.\n\
        ToStringStyle\nControls the String formatting for builders.";

    fn site(extra: &[(&str, &[&str])]) -> BTreeMap<String, FileRecord> {
        let mut files: BTreeMap<String, FileRecord> = PAGES
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("api/p{i}.html"), record(&[p])))
            .collect();
        for (rel, texts) in extra {
            files.insert(rel.to_string(), record(texts));
        }
        files
    }

    fn titled(title: &str, texts: &[&str]) -> FileRecord {
        let article = Article {
            title: title.into(),
            lang: String::new(),
            sections: texts.iter().map(|t| section(t)).collect(),
        };
        FileRecord {
            body: encode_body(&article),
            shape: encode_shape(&article),
            ..record(texts)
        }
    }

    #[test]
    fn shapes_round_trip() {
        let r = titled("Uses of Builder (Demo)", &["Intro", USES]);
        let (kind, sections, keys) = decode_shape(&r.shape).unwrap();
        assert_eq!((kind, sections, keys.len()), (b'r', 2, 4));
        assert_eq!(keys[0], word_key("USES"));
        assert!(rows_only(&r));
        assert!(!rows_only(&titled("Guide", &[PAGES[0]])));
        assert!(rows_only(&titled("Names", &["Eq\nHash"])));
        assert!(titled("", &[USES]).shape.is_empty());
        assert_eq!(decode_shape("r:zz"), None);
    }

    #[test]
    fn titles_without_a_pattern_word_are_no_family() {
        // Eight titles, no word in eight of them: no pattern, so the three
        // listings make no family of the short page beside them.
        let short = "EqualsBuilder\nAssists in implementing equals methods.";
        let mut files: BTreeMap<String, FileRecord> = PAGES
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("api/p{i}.html"), titled(&format!("P{i}"), &[p])))
            .collect();
        for (i, title) in ["All", "Index", "Deprecated"].iter().enumerate() {
            files.insert(format!("api/l{i}.html"), titled(title, &["Intro", USES]));
        }
        files.insert("api/faq.html".into(), titled("FAQ", &[short]));
        let openings = Openings::of_site(&files, "api");
        assert_eq!(
            openings.listed("api/l0.html", &files["api/l0.html"]),
            [0, 1]
        );
        assert!(
            openings
                .listed("api/faq.html", &files["api/faq.html"])
                .is_empty()
        );
    }

    #[test]
    fn a_short_page_of_a_listing_family_is_a_listing() {
        let short = "EqualsBuilder\nAssists in implementing equals methods.";
        let mut files: BTreeMap<String, FileRecord> = PAGES
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (
                    format!("api/p{i}.html"),
                    titled(&format!("P{i} (Demo)"), &[p]),
                )
            })
            .collect();
        let mut add = |rel: &str, r: FileRecord| files.insert(rel.to_string(), r);
        for i in 0..5 {
            add(
                &format!("api/u{i}.html"),
                titled(&format!("Uses of U{i} (Demo)"), &["Intro", USES]),
            );
        }
        for i in 0..3 {
            add(
                &format!("api/s{i}.html"),
                titled(&format!("Uses of S{i} (Demo)"), &["Intro", short]),
            );
        }
        // Rows and names only, but of the class pages' family (no listing in it).
        add("api/z.html", titled("Z (Demo)", &[short]));
        let openings = Openings::of_site(&files, "api");
        assert_eq!(
            openings.listed("api/u0.html", &files["api/u0.html"]),
            [0, 1]
        );
        assert_eq!(
            openings.listed("api/s0.html", &files["api/s0.html"]),
            [0, 1]
        );
        assert!(
            openings
                .listed("api/z.html", &files["api/z.html"])
                .is_empty()
        );
        // Prose of the same pattern stays.
        let prose = "Assists in implementing equals methods. It compares fields one by one.";
        files.insert("api/s0.html".into(), titled("Uses of S0 (Demo)", &[prose]));
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/s0.html", &files["api/s0.html"])
                .is_empty()
        );
        // Under half of the family's judged pages are listings: no listing family.
        for i in 0..3 {
            let rows = USES.replace(".", " today.");
            files.insert(
                format!("api/u{i}.html"),
                titled(&format!("Uses of U{i} (Demo)"), &["Intro", &rows]),
            );
        }
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/u0.html", &files["api/u0.html"])
                .is_empty()
        );
        assert_eq!(
            openings.listed("api/u4.html", &files["api/u4.html"]),
            [0, 1]
        );
        assert!(
            openings
                .listed("api/s1.html", &files["api/s1.html"])
                .is_empty()
        );
    }

    const MOVED: &str = "The first edition of the book is no longer distributed here.\n\
        You may want to check out the current version of the book instead.";

    #[test]
    fn a_short_text_under_many_titles_is_a_template_page() {
        let mut files = site(&[]);
        for i in 0..MIN_TEMPLATE_TITLES {
            files.insert(
                format!("api/old{i}.html"),
                titled(&format!("Chapter {i}"), &[MOVED]),
            );
        }
        // Two sections of the same words under one more title: the same text.
        let (first, second) = MOVED.split_once('\n').unwrap();
        files.insert(
            "api/two.html".into(),
            titled("Chapter two", &[first, second]),
        );
        let openings = Openings::of_site(&files, "api");
        assert_eq!(
            openings.listed("api/old0.html", &files["api/old0.html"]),
            [0]
        );
        assert_eq!(
            openings.listed("api/two.html", &files["api/two.html"]),
            [0, 1]
        );
        assert!(
            openings
                .listed("api/p0.html", &files["api/p0.html"])
                .is_empty()
        );

        // Under too few titles (copies under one title are the dedup's): content.
        let mut files = site(&[]);
        for i in 0..MIN_TEMPLATE_TITLES {
            let title = if i < 2 {
                "Chapter".to_string()
            } else {
                format!("Chapter {i}")
            };
            files.insert(format!("api/old{i}.html"), titled(&title, &[MOVED]));
        }
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/old0.html", &files["api/old0.html"])
                .is_empty()
        );

        // A long text is content, however many pages hold it.
        let long = MOVED.repeat(MAX_TEMPLATE_WORDS / 10);
        assert!(titled("Chapter", &[&long]).body.is_empty());
        assert!(titled("Chapter", &[""]).body.is_empty());
        assert_eq!(decode_body("2:zz"), None);
    }

    #[test]
    fn a_damaged_section_count_is_capped() {
        assert_eq!(all_sections(3), [0, 1, 2]);
        assert_eq!(all_sections(u32::MAX).len(), 1 << 20);
    }

    #[test]
    fn keys_round_trip() {
        let r = record(&["Intro words here, no stop", USES, PAGES[0]]);
        let openings: Vec<(u32, u32)> = decode_openings(&r.openings).collect();
        // The possible listing opens nothing; the section without sentences
        // neither.
        assert_eq!(openings.len(), 1);
        assert_eq!(openings[0].0, 2);
        let rows: Vec<(u32, u32, Vec<Vec<u32>>)> = decode_rows(&r.rows).collect();
        assert_eq!(rows.len(), 1);
        // Its opening is no row.
        assert_eq!((rows[0].0, rows[0].1, rows[0].2.len()), (1, 3, 3));
        assert_eq!(decode_rows("zz x/:").count(), 0);
    }

    #[test]
    fn a_page_of_other_pages_openings_is_a_listing() {
        const OWN: &str = "The builders share one style. They are not thread-safe. Each keeps its fields in order.";
        let files = site(&[
            ("api/uses.html", &["Intro", USES]),
            ("api/summary.html", &[OWN, USES]),
        ]);
        let openings = Openings::of_site(&files, "api");
        // Nothing but the listing: the whole page goes, its heading section too.
        assert_eq!(
            openings.listed("api/uses.html", &files["api/uses.html"]),
            [0, 1]
        );
        // A page with prose of its own keeps it.
        assert_eq!(
            openings.listed("api/summary.html", &files["api/summary.html"]),
            [1]
        );
        for i in 0..4 {
            let rel = format!("api/p{i}.html");
            assert!(openings.listed(&rel, &files[&rel]).is_empty());
        }
        // Another site's pages do not count.
        let files = site(&[("other/uses.html", &[USES])]);
        let openings = Openings::of_site(&files, "other");
        assert!(
            openings
                .listed("other/uses.html", &files["other/uses.html"])
                .is_empty()
        );
    }

    #[test]
    fn table_rows_with_a_name_cell_are_rows() {
        // A table row is one line: the name cell, then the sentence.
        let table = USES
            .replace("Builder\n", "Builder ")
            .replace("Style\n", "Style ");
        assert_eq!(table.lines().count(), 4);
        let files = site(&[("api/uses.html", &[&table])]);
        let openings = Openings::of_site(&files, "api");
        assert_eq!(
            openings.listed("api/uses.html", &files["api/uses.html"]),
            [0]
        );
    }

    #[test]
    fn code_with_tooltips_repeating_openings_is_content() {
        // Doxygen's detailed description: an example whose tooltips quote the
        // openings of the members it calls, a line each, among many code lines.
        let code = crate::extract::CODE_MARK;
        let example = format!(
            "Use the builders together.\n{code}let eq = EqualsBuilder::new().append(a, b).append(c, d);\n\
             {code}let hash = HashCodeBuilder::new(17, 37).append(a).append(c).build();\n\
             {code}let text = ToStringBuilder::new(self).append(\"a\", a).append(\"c\", c).build();\n\
             {code}let style = ToStringStyle::default(); // shared by every builder here\n\
             {code}assert_eq!(eq.build(), hash == other_hash, \"equal values hash alike\");\n\
             {code}println!(\"{{text}} in style {{style:?}} hashes to {{hash}}\");\n\
             {code}let again = EqualsBuilder::new().append(text, text).append(style, style).build();\n\
             {USES}\nDefinition: equals.rs line 120 of the builder module\n\
             Definition: hash.rs line 88 of the builder module\nDefinition: show.rs line 42 of the builder module"
        );
        let files = site(&[("api/example.html", &[&example])]);
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/example.html", &files["api/example.html"])
                .is_empty()
        );
    }

    #[test]
    fn template_phrases_opening_many_sections_are_not_repeats() {
        // Pages from one template open their sections with the same phrases.
        let detail = "Returns the value of the field.\nR - Return type of it.\n\
            E - Thrown exception type.\nT - Input type of it.";
        let files: BTreeMap<String, FileRecord> = (0..=MAX_OPENED)
            .map(|i| {
                let sections = [
                    detail,
                    "R - Return type of it. And more.",
                    "E - Thrown exception type. And more.",
                    "T - Input type of it. And more.",
                ];
                (format!("api/f{i}.html"), record(&sections))
            })
            .collect();
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/f0.html", &files["api/f0.html"])
                .is_empty()
        );
    }

    #[test]
    fn a_recap_of_its_own_page_is_left_to_the_article_rule() {
        // "Points to remember": the page's own openings as a list.
        let recap = "- Assists in implementing equals methods.\n- Assists in implementing hashCode methods.\n\
            - Assists in implementing toString methods.\n- Controls the String formatting for builders.";
        let mut sections: Vec<&str> = PAGES.to_vec();
        sections.push(recap);
        let files = BTreeMap::from([("api/all.html".to_string(), record(&sections))]);
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/all.html", &files["api/all.html"])
                .is_empty()
        );
    }

    #[test]
    fn prose_quoting_openings_is_content() {
        // The same sentences in a paragraph of prose: not rows.
        let prose = USES.replace('\n', " ");
        // Rows, but with as many sentences of its own.
        let own = format!(
            "{USES}\nThe builders share a style.\nThey are not thread-safe at all.\n\
             Each one keeps its fields in order.\nNone of them caches a result."
        );
        let files = site(&[("api/a.html", &[&prose]), ("api/b.html", &[&own])]);
        let openings = Openings::of_site(&files, "api");
        assert!(
            openings
                .listed("api/a.html", &files["api/a.html"])
                .is_empty()
        );
        assert!(
            openings
                .listed("api/b.html", &files["api/b.html"])
                .is_empty()
        );
    }

    #[test]
    fn rows_repeating_one_other_section_are_not_a_listing() {
        // A list repeated whole on another page repeats one section's opening only.
        let list = "Install the package first.\nRun the tests next time.\nRead the log files now.";
        let files = BTreeMap::from([
            ("s/a.html".to_string(), record(&[list])),
            ("s/b.html".to_string(), record(&[list])),
        ]);
        let openings = Openings::of_site(&files, "s");
        assert!(openings.listed("s/a.html", &files["s/a.html"]).is_empty());
    }
}
