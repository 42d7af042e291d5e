//! The index schema: field names and field options, defined once (the text analyzer
//! they name is in [`crate::analyzer`]).
//!
//! Every other module refers to fields through [`Fields`], never by string, so a
//! renamed or added field is a change to this file alone. Bump [`SCHEMA_VERSION`]
//! whenever the schema or the analyzer changes: an index written by another version
//! is then rebuilt on the next ingest instead of being read with the wrong analyzer.

use tantivy::TantivyDocument;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

pub use crate::analyzer::{ANALYZER, analyze, analyzer, register_analyzer};

/// Version of the schema and analyzer. Part of the index payload.
pub const SCHEMA_VERSION: u32 = 6;

/// Name of the field of `relative/path#anchor` (see [`Fields`]).
pub const ID: &str = "id";
/// Name of the field of the article path (see [`Fields`]).
pub const PATH: &str = "path";
/// Name of the field of the article title (see [`Fields`]).
pub const TITLE: &str = "title";
/// Name of the field of the heading path (see [`Fields`]).
pub const HEADING: &str = "heading";
/// Name of the field of the passage text (see [`Fields`]).
pub const BODY: &str = "body";
/// Name of the field of the section position (see [`Fields`]).
pub const ORDINAL: &str = "ordinal";
/// Name of the field of the heading class (see [`Fields`]).
pub const HEADING_CLASS: &str = "heading_class";
/// Name of the field of the first source line (see [`Fields`]).
pub const LINE_START: &str = "line_start";
/// Name of the field of the last source line (see [`Fields`]).
pub const LINE_END: &str = "line_end";
/// Name of the field of the article language (see [`Fields`]).
pub const LANG: &str = "lang";
/// Name of the fast field of the passage's own id (see [`Fields`]).
pub const PASSAGE: &str = "passage";
/// Name of the fast field of the body text hash (see [`Fields`]).
pub const TEXT_HASH: &str = "text_hash";
/// Fields derived from others for speed (the id again, a hash of the body): not
/// part of the passage as exported.
pub const DERIVED: [&str; 2] = [PASSAGE, TEXT_HASH];

/// Separator between the parts of a heading path, as stored and displayed.
pub const HEADING_SEPARATOR: &str = " › ";

/// Handles to the fields of a lectern index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `relative/path#anchor`, raw (untokenized), unique per passage.
    pub id: Field,
    /// Path of the source article relative to the corpus root; raw, used to delete an
    /// article's passages on re-ingest.
    pub path: Field,
    /// The article's title.
    pub title: Field,
    /// The heading path, parts joined by [`HEADING_SEPARATOR`].
    pub heading: Field,
    /// The passage text.
    pub body: Field,
    /// Position of the section within its article, from 0 (stored and fast).
    pub ordinal: Field,
    /// Hash of the section's own heading, normalised ([`heading_class`]); fast and
    /// indexed (its document frequency is the size of the class).
    pub heading_class: Field,
    /// First and last line (1-based, inclusive) of the section in the source file.
    pub line_start: Field,
    /// (See `line_start`.)
    pub line_end: Field,
    /// The article's language (`en`, `zh`, `und`…), raw: `query --lang` filters on it.
    pub lang: Field,
    /// The passage's own id (the first `id` value, without aliases) as a fast
    /// column: a hit's id is read without loading its stored document.
    pub passage: Field,
    /// [`text_hash`] of the body, fast: duplicate passages are found without
    /// loading stored documents.
    pub text_hash: Field,
}

impl Fields {
    /// The handles of `schema`'s fields; an error if one is missing.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            id: schema.get_field(ID)?,
            path: schema.get_field(PATH)?,
            title: schema.get_field(TITLE)?,
            heading: schema.get_field(HEADING)?,
            body: schema.get_field(BODY)?,
            ordinal: schema.get_field(ORDINAL)?,
            heading_class: schema.get_field(HEADING_CLASS)?,
            line_start: schema.get_field(LINE_START)?,
            line_end: schema.get_field(LINE_END)?,
            lang: schema.get_field(LANG)?,
            passage: schema.get_field(PASSAGE)?,
            text_hash: schema.get_field(TEXT_HASH)?,
        })
    }

    /// The searchable text fields, in display order.
    pub fn text_fields(&self) -> [Field; 3] {
        [self.title, self.heading, self.body]
    }
}

/// The schema of a lectern index: every field with its options.
pub fn build_schema() -> Schema {
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let number = NumericOptions::default().set_stored();
    let mut builder = Schema::builder();
    builder.add_text_field(ID, STRING | STORED);
    builder.add_text_field(PATH, STRING | STORED);
    builder.add_text_field(TITLE, text.clone());
    builder.add_text_field(HEADING, text.clone());
    builder.add_text_field(BODY, text);
    builder.add_u64_field(ORDINAL, number.clone().set_fast());
    builder.add_u64_field(
        HEADING_CLASS,
        NumericOptions::default().set_fast().set_indexed(),
    );
    builder.add_u64_field(LINE_START, number.clone());
    builder.add_u64_field(LINE_END, number);
    builder.add_text_field(LANG, STRING | STORED);
    builder.add_text_field(PASSAGE, TextOptions::default().set_fast("raw"));
    builder.add_u64_field(TEXT_HASH, NumericOptions::default().set_fast());
    builder.build()
}

/// The class of a section heading: sections whose own headings read the same once
/// lower-cased and stripped of digits and punctuation ("Treatment", "treatment (2)")
/// share a class. 0 for no heading.
pub fn heading_class(heading: &str) -> u64 {
    let key: String = heading
        .chars()
        .filter(|c| c.is_alphabetic() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
    if key.is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64(key.as_bytes()).max(1)
    }
}

/// Hash of a passage's body text for finding duplicates: equal texts have equal
/// hashes; 0 for a text that is empty or only white space (never folded).
pub fn text_hash(text: &str) -> u64 {
    if text.trim().is_empty() {
        0
    } else {
        xxhash_rust::xxh3::xxh3_64(text.as_bytes()).max(1)
    }
}

/// Adds the fields every passage has whatever wrote it: its own id (also as
/// [`PASSAGE`]) and the hash of its body text ([`TEXT_HASH`]) beside the body.
pub fn add_id_and_body(doc: &mut TantivyDocument, fields: &Fields, id: &str, body: &str) {
    doc.add_text(fields.id, id);
    doc.add_text(fields.passage, id);
    doc.add_text(fields.body, body);
    doc.add_u64(fields.text_hash, text_hash(body));
}

/// Reads a stored text field of a document, or "" if absent.
pub fn text_of(doc: &TantivyDocument, field: Field) -> &str {
    use tantivy::schema::document::Value;
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
}

/// Calls `f` with each block (up to 128, in doc order) of the live passages of
/// one segment holding `term`, so that a caller looks up a fast column's values
/// for a whole block at once (a term may be in a tenth of a big index).
pub fn for_each_live_block(
    segment: &tantivy::SegmentReader,
    term: &tantivy::Term,
    mut f: impl FnMut(&[tantivy::DocId]),
) -> tantivy::Result<()> {
    let Some(mut postings) = segment
        .inverted_index(term.field())?
        .read_block_postings(term, tantivy::schema::IndexRecordOption::Basic)?
    else {
        return Ok(());
    };
    let alive = segment.alive_bitset();
    let mut live = Vec::new();
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return Ok(());
        }
        match alive {
            None => f(docs),
            Some(alive) => {
                live.clear();
                live.extend(docs.iter().copied().filter(|&doc| alive.is_alive(doc)));
                if !live.is_empty() {
                    f(&live);
                }
            }
        }
        postings.advance();
    }
}

/// Reads a stored u64 field of a document, or 0 if absent.
pub fn u64_of(doc: &TantivyDocument, field: Field) -> u64 {
    use tantivy::schema::document::Value;
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_classes_ignore_case_digits_and_punctuation() {
        assert_eq!(heading_class("Treatment"), heading_class("treatment (2)"));
        assert_ne!(heading_class("Treatment"), heading_class("Causes"));
        assert_eq!(heading_class(""), 0);
        assert_eq!(heading_class("(2)"), 0);
    }

    #[test]
    fn schema_has_every_field() {
        let schema = build_schema();
        assert!(Fields::from_schema(&schema).is_ok());
    }
}
