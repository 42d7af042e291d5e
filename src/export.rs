//! `lectern export`: every passage of an index, with every field of the schema, as
//! one JSON object per line, for engines that spread an index over many machines
//! (Quickwit, Elasticsearch, OpenSearch). `docs/scale-out.md` says how to use it;
//! `docs/quickwit-index.yaml` and `docs/opensearch-mapping.json` declare the same
//! fields (a test checks that they stay in step with the schema).
//!
//! Fields come from the schema itself, not from a list here: stored fields from the
//! document store, fast-only fields (`heading_class`) from their column. A field
//! added to the schema is exported without a change to this file.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value};
use tantivy::TantivyDocument;
use tantivy::schema::document::OwnedValue;
use tantivy::schema::{FieldType, Schema};

use crate::schema::ID;
use crate::store::{self, StoreError};

/// How passages are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per passage and line (Quickwit's ingest format, `jq`, …).
    Ndjson,
    /// Elasticsearch/OpenSearch `_bulk` body: an `index` action naming the passage
    /// id as `_id`, then the passage, for each passage.
    Bulk,
}

/// Why `export` failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    /// The index folder cannot be opened, or a segment cannot be read
    /// ([`StoreError::Corrupt`], as for `stats` and queries).
    Store(#[from] StoreError),
    #[error("field {field} of the index has a type export does not know ({kind})")]
    /// A field of a type this version does not export.
    FieldType {
        /// The field name.
        field: String,
        /// The field's type.
        kind: String,
    },
    #[error("cannot write the export: {0}")]
    /// The output cannot be written.
    Write(#[from] io::Error),
}

/// Names of the fields every exported passage has, in schema order.
pub fn field_names(schema: &Schema) -> Vec<String> {
    schema
        .fields()
        .map(|(_, entry)| entry.name().to_string())
        .filter(|name| !crate::schema::DERIVED.contains(&name.as_str()))
        .collect()
}

/// Writes every live passage of the index in `dir` to `out`; returns their number.
pub fn export(dir: &Path, out: &mut dyn Write, format: ExportFormat) -> Result<u64, ExportError> {
    let shown = dir.display().to_string();
    let index_err = |e: tantivy::TantivyError| StoreError::Corrupt {
        dir: shown.clone(),
        reason: e.to_string(),
    };
    // Segments of one commit, even if an ingest commits meanwhile.
    let snapshot = store::snapshot(dir)?;
    let schema = snapshot.store.index.schema();
    let searcher = snapshot.reader.searcher();
    let mut written = 0u64;
    for segment in searcher.segment_readers() {
        let docs = segment
            .get_store_reader(64)
            .map_err(|e| index_err(e.into()))?;
        let fast = segment.fast_fields();
        // Fields that are not stored are read from their column.
        let mut columns = Vec::new();
        for (field, entry) in schema.fields() {
            if entry.is_stored() || crate::schema::DERIVED.contains(&entry.name()) {
                continue;
            }
            match entry.field_type() {
                FieldType::U64(_) if entry.is_fast() => {
                    columns.push((field, fast.u64(entry.name()).map_err(index_err)?));
                }
                other => {
                    return Err(ExportError::FieldType {
                        field: entry.name().to_string(),
                        kind: format!("{:?}, not stored", other.value_type()),
                    });
                }
            }
        }
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = docs.get(doc_id).map_err(index_err)?;
            let mut object = Map::new();
            for (field, entry) in schema.fields() {
                if !entry.is_stored() {
                    continue;
                }
                let value = match doc.get_first(field) {
                    None => Value::Null,
                    Some(v) => json_value(v.into(), entry.name())?,
                };
                object.insert(entry.name().to_string(), value);
            }
            for (field, column) in &columns {
                let value = column.first(doc_id).map_or(Value::Null, Value::from);
                object.insert(schema.get_field_name(*field).to_string(), value);
            }
            if format == ExportFormat::Bulk {
                let id = object.get(ID).cloned().unwrap_or(Value::Null);
                serde_json::to_writer(&mut *out, &serde_json::json!({"index": {"_id": id}}))
                    .map_err(io::Error::from)?;
                writeln!(out)?;
            }
            serde_json::to_writer(&mut *out, &object).map_err(io::Error::from)?;
            writeln!(out)?;
            written += 1;
        }
    }
    Ok(written)
}

fn json_value(value: OwnedValue, field: &str) -> Result<Value, ExportError> {
    Ok(match value {
        OwnedValue::Str(s) => Value::from(s),
        OwnedValue::U64(n) => Value::from(n),
        OwnedValue::I64(n) => Value::from(n),
        OwnedValue::F64(n) => Value::from(n),
        OwnedValue::Bool(b) => Value::from(b),
        other => {
            return Err(ExportError::FieldType {
                field: field.to_string(),
                kind: format!("{other:?}"),
            });
        }
    })
}
