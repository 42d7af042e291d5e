//! Site boilerplate: short lines repeated verbatim on many pages of one site.
//!
//! Templates put the same widget lines on every page ("Expand description",
//! "1.0.0 · Source", "Was this helpful? Yes No"). Markup rules cannot name them all;
//! repetition can (the classic boilerplate signal). The rule:
//!
//! * a **site** is the first folder of a file's path under the corpus (files at the
//!   corpus root form one site);
//! * only **short lines that are not sentences** count: at most [`MAX_KEYED_WORDS`]
//!   words, not ending in `.`, `!` or `;`; never code lines, never an HTML
//!   paragraph, list item or table cell (authored prose), never headings (a
//!   recurring heading such as "Treatment" is content and is not part of the text);
//! * such a line is boilerplate when it occurs on at least [`MIN_PAGES`] pages and
//!   on at least [`MIN_SHARE`] of the site's pages; it is then removed from every
//!   page of the site (a section left empty goes, its anchor leads to the next).
//!
//! The counts come from the line keys stored per file in the manifest, so an
//! incremental ingest sees the same statistics as a full one: the pages read by this
//! ingest bring their new keys, the unchanged pages their stored keys. When a site's
//! boilerplate changes, its unchanged pages holding a line whose status flipped are
//! read again (see [`crate::ingest`]): the index is always the one a full rebuild
//! of the same files would make. Memory stays bounded: a site's articles are held
//! until its boilerplate is known, up to 32 MB of text; beyond that they are
//! written with the boilerplate of the pages read so far, and those holding a line
//! whose status differs at the end of the site are read again.

use std::collections::{BTreeMap, HashMap, HashSet};

pub use crate::extract::MAX_KEYED_WORDS;
use crate::store::FileRecord;

/// A line must repeat on at least this many pages…
pub const MIN_PAGES: usize = 5;
/// …and on at least this share of the site's pages to be boilerplate.
pub const MIN_SHARE: f64 = 0.2;

/// The site of a file: the first folder of its path, "" for files at the root.
pub fn site_of(rel: &str) -> &str {
    rel.split_once('/').map_or("", |(site, _)| site)
}

/// Line keys as stored in the manifest: 8 hex digits each, concatenated.
pub fn encode(keys: &[u32]) -> String {
    let mut out = String::with_capacity(keys.len() * 8);
    for key in keys {
        out.push_str(&format!("{key:08x}"));
    }
    out
}

/// The keys of [`encode`]; malformed parts are skipped.
pub fn decode(text: &str) -> impl Iterator<Item = u32> + '_ {
    text.as_bytes()
        .chunks_exact(8)
        .filter_map(|chunk| u32::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok())
}

/// The records of one site's files.
pub fn site_records<'a>(
    files: &'a BTreeMap<String, FileRecord>,
    site: &'a str,
) -> Box<dyn Iterator<Item = (&'a String, &'a FileRecord)> + 'a> {
    if site.is_empty() {
        Box::new(files.iter().filter(|(rel, _)| !rel.contains('/')))
    } else {
        let prefix = format!("{site}/");
        Box::new(
            files
                .range(prefix.clone()..)
                .take_while(move |(rel, _)| rel.starts_with(&prefix)),
        )
    }
}

/// The boilerplate line keys of a site, from its files' records.
pub fn of_site(files: &BTreeMap<String, FileRecord>, site: &str) -> HashSet<u32> {
    boilerplate(site_records(files, site).map(|(_, r)| r))
}

/// The boilerplate line keys among the pages of one site.
pub fn boilerplate<'a>(records: impl Iterator<Item = &'a FileRecord>) -> HashSet<u32> {
    let mut counts: HashMap<u32, usize> = HashMap::new();
    let mut pages = 0usize;
    for record in records {
        if record.passages == 0 && record.lines.is_empty() {
            continue; // not a page: skipped (noindex, redirect) or empty
        }
        pages += 1;
        for key in decode(&record.lines) {
            *counts.entry(key).or_default() += 1;
        }
    }
    let need = MIN_PAGES.max((MIN_SHARE * pages as f64).ceil() as usize);
    counts
        .into_iter()
        .filter(|&(_, n)| n >= need)
        .map(|(key, _)| key)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(keys: &[u32]) -> FileRecord {
        FileRecord {
            passages: 1,
            lines: encode(keys),
            ..FileRecord::default()
        }
    }

    #[test]
    fn keys_round_trip() {
        let keys = [0, 1, 0xdead_beef, u32::MAX];
        assert_eq!(decode(&encode(&keys)).collect::<Vec<_>>(), keys);
        assert_eq!(decode("zz").count(), 0);
    }

    #[test]
    fn sites_are_first_folders() {
        assert_eq!(site_of("book/ch01.html"), "book");
        assert_eq!(site_of("book/sub/ch01.html"), "book");
        assert_eq!(site_of("index.html"), "");
    }

    #[test]
    fn a_line_is_boilerplate_on_many_pages_and_a_large_share() {
        // Key 7 on all 10 pages, key 8 on 3 (under MIN_PAGES), key 9 on 5 of 10.
        let mut records: Vec<FileRecord> = (0..10u32)
            .map(|i| {
                let mut keys = vec![7];
                if i < 3 {
                    keys.push(8);
                }
                if i < 5 {
                    keys.push(9);
                }
                record(&keys)
            })
            .collect();
        let found = boilerplate(records.iter());
        assert_eq!(found, HashSet::from([7, 9]));
        // With 100 pages, 5 pages are under the 20 % share: key 9 is content.
        records.extend((0..90).map(|_| record(&[7])));
        assert_eq!(boilerplate(records.iter()), HashSet::from([7]));
    }

    #[test]
    fn site_records_take_only_their_site() {
        let mut files = BTreeMap::new();
        for rel in ["a.html", "b/x.html", "b/y/z.html", "bb/x.html", "c.html"] {
            files.insert(rel.to_string(), record(&[1]));
        }
        let names = |site| {
            site_records(&files, site)
                .map(|(r, _)| r.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("b"), ["b/x.html", "b/y/z.html"]);
        assert_eq!(names(""), ["a.html", "c.html"]);
    }
}
