//! What an index holds (`lectern stats`): counts from the index itself plus what
//! the last ingest recorded in its payload.

use std::path::Path;

use serde::Serialize;

use crate::lexicon::Lexicon;
use crate::schema::{self, SCHEMA_VERSION};
use crate::store::{self, StoreError};

/// Figures of one index. Times and paths come in the recorded form (Unix seconds,
/// the corpus as recorded) and in the form people read (local ISO-8601 time, the
/// absolute corpus path).
#[derive(Clone, Debug, Serialize)]
pub struct IndexStats {
    /// The index folder, as given.
    pub index: String,
    /// The corpus folder as the ingest recorded it.
    pub corpus: String,
    /// The corpus folder as an absolute path (indexes built by lectern 0.1.0
    /// recorded the path as given; a relative one is shown as recorded).
    pub corpus_path: String,
    /// Articles indexed.
    pub articles: u64,
    /// Passages indexed.
    pub passages: u64,
    /// Terms of the title, heading and body fields, summed over fields and segments.
    pub terms: u64,
    /// tantivy segments of the commit.
    pub segments: usize,
    /// Synonym and abbreviation groups.
    pub lexicon_groups: usize,
    /// Bytes of the index on disk.
    pub index_bytes: u64,
    /// Unix seconds of the last ingest's commit.
    pub ingested_at: u64,
    /// The same moment in local time, ISO-8601 with the UTC offset.
    pub ingested_at_local: String,
    /// The schema version of the index.
    pub schema_version: u32,
    /// The version of this lectern.
    pub lectern_version: String,
    /// Version of the lectern that wrote the last commit.
    pub built_by: String,
}

/// Collects the figures of the index in `dir`.
/// A segment tantivy cannot read is [`StoreError::Corrupt`], as when a query
/// opens the index ([`crate::search::Engine::open`]).
pub fn collect(dir: &Path) -> Result<IndexStats, StoreError> {
    let shown = dir.display().to_string();
    let index_err = |e: tantivy::TantivyError| StoreError::Corrupt {
        dir: shown.clone(),
        reason: e.to_string(),
    };
    // Payload, segments and lexicon of one commit.
    let snapshot = store::snapshot(dir)?;
    let store = &snapshot.store;
    let payload = store
        .payload
        .clone()
        .ok_or_else(|| StoreError::Missing(shown.clone()))?;
    let searcher = snapshot.reader.searcher();
    let fields = schema::Fields::from_schema(&store.index.schema()).map_err(index_err)?;
    let mut terms = 0u64;
    for segment in searcher.segment_readers() {
        for field in fields.text_fields() {
            terms += segment
                .inverted_index(field)
                .map_err(index_err)?
                .terms()
                .num_terms() as u64;
        }
    }
    Ok(IndexStats {
        index: shown.clone(),
        corpus_path: absolute_corpus(&payload.corpus),
        corpus: payload.corpus,
        articles: payload.articles,
        passages: searcher.num_docs(),
        terms,
        segments: searcher.segment_readers().len(),
        lexicon_groups: Lexicon::parse(&snapshot.lexicon_text).len(),
        index_bytes: store.disk_bytes(),
        ingested_at: payload.ingested_at,
        ingested_at_local: local_time(payload.ingested_at),
        schema_version: SCHEMA_VERSION,
        lectern_version: env!("CARGO_PKG_VERSION").to_string(),
        built_by: payload.lectern_version,
    })
}

/// The recorded corpus as an absolute path; a relative one (recorded by an older
/// lectern, relative to a working folder nobody knows any more) is said to be so.
fn absolute_corpus(recorded: &str) -> String {
    if Path::new(recorded).is_absolute() {
        recorded.to_string()
    } else {
        format!("{recorded} (relative to the folder the ingest ran in)")
    }
}

/// Unix seconds as local ISO-8601 time with its offset, e.g. `2026-11-30T10:02:03+01:00`.
pub fn local_time(seconds: u64) -> String {
    let Ok(at) = jiff::Timestamp::from_second(seconds.min(i64::MAX as u64) as i64) else {
        return seconds.to_string();
    };
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_iso_8601() {
        let t = local_time(1_796_026_986);
        // 2026-11-30 (UTC 09:43:06) in any time zone within a day of UTC.
        assert!(t.starts_with("2026-1"), "{t}");
        let (date, rest) = t.split_once('T').unwrap();
        assert_eq!(date.len(), 10, "{t}");
        assert!(
            rest.len() == 8 + 6 && rest[8..].starts_with(['+', '-']),
            "{t}"
        );
    }

    #[test]
    fn relative_corpus_is_not_passed_off_as_absolute() {
        assert_eq!(absolute_corpus("/data/books"), "/data/books");
        assert!(absolute_corpus("books").contains("relative"));
    }
}
