//! The passage vectors of one commit: a side file of the generation (named by the
//! commit's payload, written before the commit like the manifest), read whole by
//! queries and searched exhaustively (a dot product per passage).
//!
//! File layout, little-endian:
//!
//! ```text
//! b"LECTVEC1"  u32 header length  header (JSON: model id and folder, dims, count)
//! count × (u32 length, path bytes, u32 length, id bytes)
//! count × dims × f16                      unit vectors, in the order of the ids
//! ```
//!
//! F16 halves the file (768 bytes per passage for 384 dimensions) and changes
//! cosines by less than 1e-3.

use std::collections::HashMap;

use half::f16;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"LECTVEC1";

/// The header of a vectors file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`super::Model::id`] of the model that wrote the vectors.
    pub model_id: String,
    /// The model folder used, so queries and later ingests find it by themselves.
    pub model_dir: String,
    /// Dimensions of each vector.
    pub dims: usize,
    /// Vectors in the file.
    pub count: usize,
}

/// Passage vectors: for each passage its file's path, its id and a unit vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Vectors {
    /// [`super::Model::id`] of the model that wrote the vectors.
    pub model_id: String,
    /// The model folder used.
    pub model_dir: String,
    /// Dimensions of each vector.
    pub dims: usize,
    paths: Vec<String>,
    ids: Vec<String>,
    data: Vec<f32>,
}

impl Vectors {
    /// No vectors yet, for this model.
    pub fn new(model_id: &str, model_dir: &str, dims: usize) -> Vectors {
        Vectors {
            model_id: model_id.to_string(),
            model_dir: model_dir.to_string(),
            dims,
            paths: Vec::new(),
            ids: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there is no passage.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of passage `i`.
    pub fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    /// The vector of passage `i`.
    pub fn vector(&self, i: usize) -> &[f32] {
        &self.data[i * self.dims..(i + 1) * self.dims]
    }

    /// Adds a passage (the vector must have `dims` values).
    pub fn push(&mut self, path: &str, id: &str, vector: &[f32]) {
        assert_eq!(vector.len(), self.dims, "vector of the wrong size");
        self.paths.push(path.to_string());
        self.ids.push(id.to_string());
        self.data.extend_from_slice(vector);
    }

    /// Keeps the passages whose file path `keep` accepts.
    pub fn retain_paths(&mut self, keep: impl Fn(&str) -> bool) {
        let mut kept = Vectors::new(&self.model_id, &self.model_dir, self.dims);
        for i in 0..self.len() {
            if keep(&self.paths[i]) {
                kept.push(&self.paths[i], &self.ids[i], self.vector(i));
            }
        }
        *self = kept;
    }

    /// The file paths of the passages held (a path once per passage).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }

    /// Ids held, for finding which passages still need a vector.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// The cosine of every passage with the unit vector `query`, in passage order.
    pub fn cosines(&self, query: &[f32]) -> Vec<f32> {
        self.data
            .chunks_exact(self.dims.max(1))
            .map(|v| v.iter().zip(query).map(|(a, b)| a * b).sum::<f32>())
            .collect()
    }

    /// The `k` passages most similar to the unit vector `query`: (index, cosine),
    /// best first, ties by id.
    pub fn top(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        self.best(&self.cosines(query), k)
    }

    /// The `k` best of `cosines` (as from [`Vectors::cosines`]): (index, cosine),
    /// best first, ties by id.
    pub fn best(&self, cosines: &[f32], k: usize) -> Vec<(usize, f32)> {
        let mut scored: Vec<(usize, f32)> = cosines.iter().copied().enumerate().collect();
        let order = |a: &(usize, f32), b: &(usize, f32)| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.ids[a.0].cmp(&self.ids[b.0]))
        };
        if scored.len() > k && k > 0 {
            scored.select_nth_unstable_by(k - 1, order);
            scored.truncate(k);
        }
        scored.sort_by(order);
        scored.truncate(k);
        scored
    }

    /// Index of each id.
    pub fn positions(&self) -> HashMap<&str, usize> {
        self.ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect()
    }

    /// The file's bytes (see the module header for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = Header {
            model_id: self.model_id.clone(),
            model_dir: self.model_dir.clone(),
            dims: self.dims,
            count: self.len(),
        };
        let header = serde_json::to_vec(&header).expect("a header serialises");
        let mut out = Vec::with_capacity(16 + header.len() + self.data.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for (path, id) in self.paths.iter().zip(&self.ids) {
            for s in [path, id] {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
        for x in &self.data {
            out.extend_from_slice(&f16::from_f32(*x).to_le_bytes());
        }
        out
    }

    /// Reads a vectors file; None when it is not one (damaged or another format).
    pub fn from_bytes(bytes: &[u8]) -> Option<Vectors> {
        let mut cursor = Cursor { bytes, at: 0 };
        if cursor.take(8)? != MAGIC {
            return None;
        }
        let header_len = cursor.u32()?;
        let header: Header = serde_json::from_slice(cursor.take(header_len)?).ok()?;
        let mut vectors = Vectors::new(&header.model_id, &header.model_dir, header.dims);
        for _ in 0..header.count {
            vectors.paths.push(cursor.string()?);
            vectors.ids.push(cursor.string()?);
        }
        let values = header.count.checked_mul(header.dims)?;
        let raw = cursor.take(values.checked_mul(2)?)?;
        vectors.data = raw
            .chunks_exact(2)
            .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect();
        (cursor.at == bytes.len()).then_some(vectors)
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()?;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vectors {
        let mut v = Vectors::new("m1", "/models/m", 3);
        v.push("a.md", "a.md#x", &[1.0, 0.0, 0.0]);
        v.push("a.md", "a.md#y", &[0.0, 1.0, 0.0]);
        v.push("b.md", "b.md#introduction", &[0.6, 0.8, 0.0]);
        v
    }

    #[test]
    fn round_trips_through_bytes() {
        let v = sample();
        let back = Vectors::from_bytes(&v.to_bytes()).unwrap();
        assert_eq!(back.ids().collect::<Vec<_>>(), v.ids().collect::<Vec<_>>());
        assert_eq!(
            (back.dims, &back.model_id, &back.model_dir),
            (3, &v.model_id, &v.model_dir)
        );
        for i in 0..v.len() {
            for (a, b) in back.vector(i).iter().zip(v.vector(i)) {
                assert!((a - b).abs() < 1e-3, "{a} {b}");
            }
        }
        // F16 values come back exactly.
        assert_eq!(Vectors::from_bytes(&back.to_bytes()).unwrap(), back);
    }

    #[test]
    fn damaged_files_are_refused() {
        let bytes = sample().to_bytes();
        assert!(Vectors::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(Vectors::from_bytes(&[bytes.clone(), vec![0]].concat()).is_none());
        assert!(Vectors::from_bytes(b"LECTVEC2").is_none());
        assert!(Vectors::from_bytes(&[]).is_none());
    }

    #[test]
    fn top_is_by_cosine_then_id() {
        let v = sample();
        let top = v.top(&[0.8, 0.6, 0.0], 2);
        assert_eq!(v.id(top[0].0), "b.md#introduction");
        assert_eq!(v.id(top[1].0), "a.md#x");
        assert!((top[0].1 - 0.96).abs() < 1e-3);
        assert_eq!(v.top(&[0.0, 0.0, 1.0], 5).len(), 3);
    }

    #[test]
    fn retain_paths_drops_a_files_passages() {
        let mut v = sample();
        v.retain_paths(|p| p != "a.md");
        assert_eq!(v.ids().collect::<Vec<_>>(), vec!["b.md#introduction"]);
        assert_eq!(v.vector(0), &[0.6, 0.8, 0.0]);
    }
}
