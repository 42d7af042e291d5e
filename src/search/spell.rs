//! "Did you mean": the indexed term closest to a query term found nowhere.

use tantivy::columnar::StrColumn;
use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// The indexed term of `field` closest to `term` (edit distance 1, or 2 for terms
/// of 6+ characters), preferring the most frequent; None for short or numeric terms.
pub fn suggest(searcher: &Searcher, field: Field, term: &str) -> tantivy::Result<Option<String>> {
    let len = term.chars().count();
    if len < 4 || term.chars().any(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let max = if len >= 6 { 2 } else { 1 };
    // Typos rarely hit the first letter: only terms sharing it are considered.
    let first = term.chars().next().unwrap_or('a');
    let mut buf = [0u8; 4];
    let from = first.encode_utf8(&mut buf).as_bytes().to_vec();
    let mut to = from.clone();
    // The last byte of a UTF-8 character is below 0xFF: the successor exists.
    *to.last_mut().expect("a character has a byte") += 1;
    let automaton = Within::new(term, max);
    // Each candidate's frequency over the whole index: a term's postings are
    // split across segments, and which one wins must not depend on that split.
    let mut found: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    // The automaton prunes the dictionary walk to the terms within `max` edits:
    // the same terms, in the same order, as scanning every term with the first
    // letter and keeping those within `max`, at a fraction of the cost.
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .search(&automaton)
            .ge(&from)
            .lt(&to)
            .into_stream()?;
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let df = u64::from(stream.value().doc_freq);
            if let Some(entry) = found.get_mut(candidate) {
                entry.1 += df;
            } else if let Some(d) = bounded_distance(term, candidate, max) {
                found.insert(candidate.to_string(), (d, df));
            }
        }
    }
    // Nearest first, then the most frequent, then the first in dictionary order.
    let mut best: Option<(&String, usize, u64)> = None;
    for (candidate, &(d, df)) in &found {
        if best.is_none_or(|(_, bd, bdf)| d < bd || (d == bd && df > bdf)) {
            best = Some((candidate, d, df));
        }
    }
    Ok(best.map(|(t, _, _)| t.clone()))
}

/// A byte automaton accepting the strings within `max` edits (Levenshtein, over
/// characters) of a word: the state is the dynamic-programming row of the
/// characters read so far, plus the bytes of a character not yet complete.
struct Within {
    word: Vec<char>,
    max: u32,
}

/// A [`Within`] state; `None` once no continuation can come within `max`: the
/// row, the bytes of a character not yet complete and their count, and how many
/// characters were read. The stream clones a state per byte it follows: the row
/// is kept inline (no allocation) for words of up to [`INLINE`] - 1 characters.
#[derive(Clone)]
struct Row(Option<(Distances, [u8; 4], u8, u32)>);

/// Longest row kept inline.
const INLINE: usize = 32;

/// One dynamic-programming row, each entry capped at `max + 1` (a cap that
/// changes no decision: only whether an entry is within `max` matters).
#[derive(Clone)]
enum Distances {
    Inline(u8, [u8; INLINE]),
    Heap(Vec<u8>),
}

impl Distances {
    fn from_fn(len: usize, f: impl FnMut(usize) -> u8) -> Distances {
        if len <= INLINE {
            let mut row = [0u8; INLINE];
            row[..len].iter_mut().enumerate().for_each({
                let mut f = f;
                move |(j, d)| *d = f(j)
            });
            Distances::Inline(len as u8, row)
        } else {
            Distances::Heap((0..len).map(f).collect())
        }
    }

    /// A row of `len` entries, all `value`.
    fn filled(len: usize, value: u8) -> Distances {
        if len <= INLINE {
            Distances::Inline(len as u8, [value; INLINE])
        } else {
            Distances::Heap(vec![value; len])
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Distances::Inline(len, row) => &row[..usize::from(*len)],
            Distances::Heap(row) => row,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Distances::Inline(len, row) => &mut row[..usize::from(*len)],
            Distances::Heap(row) => row,
        }
    }
}

impl Within {
    fn new(word: &str, max: usize) -> Within {
        // Row entries are u8, capped at max + 1.
        assert!(max < 100, "edit distance {max} out of range");
        Within {
            word: word.chars().collect(),
            max: max as u32,
        }
    }

    /// `d` capped at `max + 1`.
    fn cap(&self, d: u32) -> u8 {
        d.min(self.max + 1) as u8
    }
}

impl tantivy_fst::Automaton for &Within {
    type State = Row;

    fn start(&self) -> Row {
        let row = Distances::from_fn(self.word.len() + 1, |j| self.cap(j as u32));
        Row(Some((row, [0; 4], 0, 0)))
    }

    fn is_match(&self, state: &Row) -> bool {
        matches!(&state.0, Some((row, _, 0, _)) if row.as_slice().last().is_some_and(|&d| u32::from(d) <= self.max))
    }

    fn can_match(&self, state: &Row) -> bool {
        state.0.is_some()
    }

    fn accept(&self, state: &Row, byte: u8) -> Row {
        let Some((row, pending, n, read)) = &state.0 else {
            return Row(None);
        };
        let n = usize::from(*n);
        let c = if n == 0 && byte.is_ascii() {
            // A whole character (the usual case): no decoding.
            char::from(byte)
        } else {
            let mut bytes = *pending;
            bytes[n] = byte;
            match std::str::from_utf8(&bytes[..=n]) {
                Ok(s) => s.chars().next().expect("one character"),
                // An incomplete character: wait for its next byte.
                Err(e) if e.error_len().is_none() && n < 3 => {
                    return Row(Some((row.clone(), bytes, n as u8 + 1, *read)));
                }
                Err(_) => return Row(None),
            }
        };
        // Performance: after i characters, only the entries j with |i - j| <= max
        // can be within reach (a prefix of j characters is at least |i - j| edits
        // from one of i); the others stay at the cap, so only that band of the
        // row is computed.
        let prev = row.as_slice();
        let max = self.max as usize;
        let i = *read as usize + 1;
        let (lo, hi) = (i.saturating_sub(max), (i + max).min(prev.len() - 1));
        if lo > hi {
            return Row(None);
        }
        // Entries are at most max + 1 (max is below 100: see `new`), so u8 sums do
        // not overflow.
        let cap = self.cap(u32::MAX);
        let mut next = Distances::filled(prev.len(), cap);
        let cells = next.as_mut_slice();
        let mut best = cap;
        for j in lo..=hi {
            let d = if j == 0 {
                prev[0] + 1
            } else {
                let cost = u8::from(self.word[j - 1] != c);
                (prev[j] + 1).min(cells[j - 1] + 1).min(prev[j - 1] + cost)
            };
            cells[j] = d.min(cap);
            best = best.min(cells[j]);
        }
        if u32::from(best) > self.max {
            return Row(None);
        }
        Row(Some((next, [0; 4], 0, read.saturating_add(1))))
    }
}

/// How `stem` is written in the text: the first word whose analysis is `stem`
/// in the live passage with the smallest id among those containing it
/// ([`first_by_id`]), lower-cased (so a suggestion reads "diabetes", not the stem
/// "diabet"). Falls back to the stem. Words are found as snippets find them
/// ([`crate::snippet::Highlighter`]: only words whose first letters could lead to
/// the stem are analyzed).
pub fn surface(searcher: &Searcher, field: Field, stem: &str) -> tantivy::Result<String> {
    let term = Term::from_field_text(field, stem);
    if let Some(&address) = first_by_id(searcher, &term, 1)?.first() {
        let stored: TantivyDocument = searcher.doc(address)?;
        let text = crate::schema::text_of(&stored, field);
        let mut words = crate::snippet::Highlighter::new([(stem.to_string(), 1.0)]);
        if let Some(range) = words.first_match(text) {
            return Ok(text[range].to_lowercase());
        }
    }
    Ok(stem.to_string())
}

/// The addresses of the (at most) `n` live passages containing `term` whose ids
/// come first, in id order. The choice is made over the whole index, not by
/// segment order: which passages a query-time decision reads (how a word is
/// written, whether a short form is an abbreviation) must not change with how
/// ingest split the documents into segments ("cavd" read "card" on some ingests
/// of one corpus and not on others when the first posting decided).
///
/// Every posting of the term is read (a block of 128 at a time, their id
/// ordinals looked up together); the ids themselves are decoded only when more
/// than one segment offers candidates, in one pass over each such segment's
/// dictionary: within a segment, the id column's ordinals follow the ids' order.
pub fn first_by_id(searcher: &Searcher, term: &Term, n: usize) -> tantivy::Result<Vec<DocAddress>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut candidates: Vec<Candidates> = Vec::new();
    let mut ords_buf: Vec<Option<u64>> = Vec::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let ids = segment
            .fast_fields()
            .str(crate::schema::PASSAGE)?
            .ok_or_else(|| {
                tantivy::TantivyError::SchemaError(format!(
                    "no fast column {}",
                    crate::schema::PASSAGE
                ))
            })?;
        let mut least: std::collections::BinaryHeap<(u64, u32)> = Default::default();
        crate::schema::for_each_live_block(segment, term, |docs| {
            ords_buf.clear();
            ords_buf.resize(docs.len(), None);
            ids.ords().first_vals(docs, &mut ords_buf);
            for (&doc, id_ord) in docs.iter().zip(&ords_buf) {
                let Some(id_ord) = *id_ord else { continue };
                if least.len() == n && least.peek().is_some_and(|&(top, _)| id_ord >= top) {
                    continue;
                }
                if least.len() == n {
                    least.pop();
                }
                least.push((id_ord, doc));
            }
        })?;
        if !least.is_empty() {
            candidates.push((ord as u32, ids, least.into_sorted_vec()));
        }
    }
    if let [(segment, _, least)] = candidates.as_slice() {
        return Ok(least
            .iter()
            .map(|&(_, doc)| DocAddress::new(*segment, doc))
            .collect());
    }
    let mut chosen: Vec<(String, DocAddress)> = Vec::new();
    for (segment, ids, least) in candidates {
        let ords: Vec<u64> = least.iter().map(|&(id_ord, _)| id_ord).collect();
        let mut docs = least.iter().map(|&(_, doc)| doc);
        ids.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            if let Some(doc) = docs.next() {
                let id = String::from_utf8_lossy(bytes).into_owned();
                chosen.push((id, DocAddress::new(segment, doc)));
            }
        })?;
    }
    chosen.sort_unstable();
    chosen.truncate(n);
    Ok(chosen.into_iter().map(|(_, address)| address).collect())
}

/// A segment with live postings of a term: its ord, its id column, and its `n`
/// smallest (id ordinal, doc), in ordinal order ([`first_by_id`]).
type Candidates = (u32, StrColumn, Vec<(u64, u32)>);

/// Whether `suggestion` is close enough to what the user typed to be a plausible
/// typo of it: edit distance 1 for words under 6 letters, 2 from 6 on.
pub fn plausible(typed: &str, suggestion: &str) -> bool {
    let max = if typed.chars().count() >= 6 { 2 } else { 1 };
    bounded_distance(&typed.to_lowercase(), suggestion, max).is_some()
}

/// Levenshtein distance if it is at most `max`, else None.
pub fn bounded_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of [`first_by_id`]'s passages for a word of the body.
    fn first_ids(
        searcher: &Searcher,
        fields: &crate::schema::Fields,
        word: &str,
        n: usize,
    ) -> Vec<String> {
        first_by_id(searcher, &Term::from_field_text(fields.body, word), n)
            .unwrap()
            .into_iter()
            .map(|a| {
                let doc: TantivyDocument = searcher.doc(a).unwrap();
                crate::schema::text_of(&doc, fields.id).to_string()
            })
            .collect()
    }

    #[test]
    fn the_suggestion_reads_frequencies_over_the_whole_index() {
        use tantivy::schema::{Schema, TEXT};
        use tantivy::{Index, doc};
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Two segments: "cart" is the more frequent in the first, "card" over both.
        for text in ["cart", "cart", "card"] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        for text in ["card", "card"] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        assert_eq!(
            suggest(&searcher, body, "carx").unwrap().as_deref(),
            Some("card")
        );
    }

    #[test]
    fn the_surface_is_read_from_the_smallest_id_whatever_the_segments() {
        use crate::schema::{Fields, add_id_and_body, build_schema, register_analyzer};
        use tantivy::{Index, TantivyDocument};
        let index = Index::create_in_ram(build_schema());
        register_analyzer(&index);
        let fields = Fields::from_schema(&index.schema()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let doc = |id: &str, body: &str| {
            let mut doc = TantivyDocument::default();
            add_id_and_body(&mut doc, &fields, id, body);
            doc
        };
        // Whichever segment comes first, its first passage is not the one with
        // the smallest live id ("a.md#two", written "card"): the other is
        // written "carded", or is deleted.
        for segment in [
            [
                ("a.md#one", "Carding wool."),
                ("b.md#one", "Cards of the game."),
            ],
            [
                ("c.md#one", "Carded wool."),
                ("a.md#two", "A card of the game."),
            ],
        ] {
            for (id, body) in segment {
                writer.add_document(doc(id, body)).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(fields.id, "a.md#one"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        assert_eq!(surface(&searcher, fields.body, "card").unwrap(), "card");
        assert_eq!(
            first_ids(&searcher, &fields, "card", 2),
            ["a.md#two", "b.md#one"]
        );
        assert_eq!(
            surface(&searcher, fields.body, "nowhere").unwrap(),
            "nowhere"
        );
    }

    #[test]
    fn the_first_ids_are_found_past_the_first_block_of_postings() {
        use crate::schema::{Fields, add_id_and_body, build_schema, register_analyzer};
        use tantivy::{Index, TantivyDocument};
        let index = Index::create_in_ram(build_schema());
        register_analyzer(&index);
        let fields = Fields::from_schema(&index.schema()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // One segment, 300 passages with the word, ids falling as the documents
        // go on: the smallest ids are in the last block of postings (128 each).
        for i in (0..300).rev() {
            let mut doc = TantivyDocument::default();
            add_id_and_body(&mut doc, &fields, &format!("a{i:03}.md#x"), "A card.");
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        writer.delete_term(Term::from_field_text(fields.id, "a001.md#x"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        assert_eq!(
            first_ids(&searcher, &fields, "card", 3),
            ["a000.md#x", "a002.md#x", "a003.md#x"]
        );
    }

    #[test]
    fn plausible_typos() {
        assert!(plausible("diabetis", "diabetes"));
        assert!(plausible("Navy", "nave"));
        assert!(!plausible("navy", "navigation"));
        assert!(!plausible("diabetis", "diameter"));
    }

    #[test]
    fn automaton_accepts_exactly_the_words_within_reach() {
        use tantivy_fst::Automaton;
        let words = [
            "diabetes",
            "diabetis",
            "diabet",
            "diameter",
            "dia",
            "diabetesss",
            "cancer",
            "canker",
            "cance",
            "cancers",
            "naïve",
            "naive",
            "naïf",
            "über",
            "uber",
            "ab",
            "",
            // Longer than the inline row.
            "pneumonoultramicroscopicsilicovolcanoconiosis",
            "pneumonoultramicroscopicsilicovolcanoconioses",
            "pneumonoultramicroscopicsilicovolcanokoniosis",
        ];
        for word in words {
            for max in [1, 2] {
                let automaton = Within::new(word, max);
                let a = &automaton;
                for candidate in words {
                    let mut state = a.start();
                    for &b in candidate.as_bytes() {
                        state = a.accept(&state, b);
                    }
                    let within = bounded_distance(word, candidate, max).is_some();
                    assert_eq!(a.is_match(&state), within, "{word} / {candidate} / {max}");
                    // A dead state is only ever a word out of reach.
                    assert!(a.can_match(&state) || !within);
                }
            }
        }
    }

    #[test]
    fn edit_distance() {
        assert_eq!(bounded_distance("diabetis", "diabetes", 2), Some(1));
        assert_eq!(bounded_distance("cancer", "canker", 1), Some(1));
        assert_eq!(bounded_distance("abc", "xyz", 2), None);
    }
}
