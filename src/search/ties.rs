//! The first stage's collector: the best `k` passages and, in the same pass,
//! every passage whose score lies within the tie tolerance below the k-th.
//!
//! A cut through a run of equal scores is split by passage id ([`super::tie`]),
//! so the whole run is needed. Collected with tantivy's top-k, a run that went
//! on past the depth fetched cost another search from scratch at twice the
//! depth (and again while it went on): at `-n 1000` on medquad-dev, 60 % of the
//! queries searched twice. Here one pass keeps what is above a floor just below
//! the tie band of the current k-th score and tells block-WAND that floor, so the
//! rest of the run comes with the first pass at a little less pruning; the merge
//! of the segments selects, and sorts, once.
//!
//! With `distinct`, the cut goes on past the k-th until the passages above it
//! hold `distinct` different texts (text hashes from their fast field, read for
//! the passages that reach a cut), so folding duplicates
//! ([`super::Engine::search`]) does not need a deeper second search.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::TIE_TOLERANCE;
use super::texts::TextSet;
use crate::schema;

/// Below every score [`super::tie`] can make one with `score` (a run's head is
/// within the tolerance above it, its members within the tolerance below the
/// head): twice the tolerance, far more than the float rounding of the test.
fn floor(score: Score) -> Score {
    score - 2.0 * TIE_TOLERANCE * score.abs()
}

/// A segment's order as one integer: descending score (in the total order of
/// floats), then ascending doc; the score comes back with [`score_of`].
fn key(score: Score, doc: DocId) -> u64 {
    let bits = score.to_bits();
    let ascending = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    };
    (u64::from(!ascending) << 32) | u64::from(doc)
}

fn score_of(key: u64) -> Score {
    let ascending = !((key >> 32) as u32);
    f32::from_bits(if ascending >> 31 == 1 {
        ascending & 0x7fff_ffff
    } else {
        !ascending
    })
}

/// A text hash not read yet (read only for passages that reach a cut; a text
/// whose hash is this is read again each time, which costs but changes nothing).
const UNREAD: u64 = u64::MAX;

/// Reads the text hashes of `scored` not read yet.
fn read_hashes(scored: &mut [(u64, u64)], hashes: Option<&Column<u64>>) {
    if let Some(column) = hashes {
        for e in scored.iter_mut().filter(|e| e.1 == UNREAD) {
            e.1 = column.first(e.0 as u32).unwrap_or(0);
        }
    }
}

/// Counts the different texts among `scored` not in `seen` (a hash of 0, a
/// text never folded, is different from every other).
fn count_new(scored: &[(u64, u64)], seen: &mut TextSet) -> usize {
    scored
        .iter()
        .filter(|&&(_, h)| h == 0 || seen.insert(h))
        .count()
}

/// Rearranges `scored` (key, text hash) so that its first `c` are its best `c`,
/// the c-th best at `c - 1`, where `c` is at least `k` and reaches `distinct`
/// different texts; returns `c`, or None when `scored` holds no more than that.
/// The `c` found may pass the fewest that reach `distinct` (the caller keeps a
/// little more than needed, never less).
fn cut_at(
    scored: &mut [(u64, u64)],
    k: usize,
    distinct: usize,
    hashes: Option<&Column<u64>>,
    seen: &mut TextSet,
) -> Option<usize> {
    let mut c = k.max(distinct);
    if c == 0 || scored.len() <= c {
        return None;
    }
    scored.select_nth_unstable_by_key(c - 1, |e| e.0);
    if distinct == 0 {
        return Some(c);
    }
    seen.clear(c);
    read_hashes(&mut scored[..c], hashes);
    let mut count = count_new(&scored[..c], seen);
    let mut steps = 0;
    while count < distinct {
        let rest = scored.len() - c;
        if rest == 0 {
            return None;
        }
        // Each missing text costs a passage at least; a quarter more for the
        // copies among them, rarely needing another step. Each further step is
        // twice as long: a run of thousands of copies of one text takes a few
        // steps, not one per handful of passages (each selects over the rest).
        let missing = distinct - count;
        let step = ((missing + missing / 4 + 8) << steps.min(40)).min(rest);
        steps += 1;
        scored[c..].select_nth_unstable_by_key(step - 1, |e| e.0);
        read_hashes(&mut scored[c..c + step], hashes);
        count += count_new(&scored[c..c + step], seen);
        c += step;
    }
    Some(c)
}

/// Keeps of `scored` the best [`cut_at`] and those scoring above [`floor`] of
/// the last of them; returns that floor (`Score::MIN` while there are no more).
fn prune(
    scored: &mut Vec<(u64, u64)>,
    k: usize,
    distinct: usize,
    hashes: Option<&Column<u64>>,
    seen: &mut TextSet,
) -> Score {
    let Some(c) = cut_at(scored, k, distinct, hashes, seen) else {
        return Score::MIN;
    };
    let below = floor(score_of(scored[c - 1].0));
    scored.retain(|&(key, _)| score_of(key) > below);
    below
}

/// The best `k` passages of a query, and further down until they hold
/// `distinct` different texts (by [`schema::TEXT_HASH`]: the passages
/// [`super::Engine::search`] folds into a better one with the same text do not
/// count), and every one within the tie tolerance of the last of those (a
/// superset of the run there: [`super::tie`] decides the run), best first;
/// fewer when fewer match.
pub struct TopWithTies {
    /// Passages wanted.
    pub k: usize,
    /// Different texts wanted (0: texts are not read).
    pub distinct: usize,
    /// The text hash column of each segment, by ordinal (with `distinct`; a
    /// segment without one here opens its own).
    pub hashes: Vec<Option<Column<u64>>>,
    /// The highest floor a segment collected so far ended with ([`Floor`]).
    floor: Floor,
    /// When a segment is scored exhaustively instead of with block-WAND; None:
    /// never.
    pub exhaustive: Option<Exhaustive>,
}

/// What decides how a segment is scored: its share of the query's postings
/// (estimated from its size) against [`EXHAUSTIVE_POSTINGS_PER_HIT`] per hit.
#[derive(Clone, Copy, Debug)]
pub struct Exhaustive {
    /// Postings of the query's terms over the whole index.
    pub postings: u64,
    /// Passages of the index, deleted ones included.
    pub passages: u64,
    /// Hits the decision is made for: the second stage's pool, the same at
    /// every depth, so that a query is searched the same way at every `-n`.
    pub hits: usize,
}

/// A segment whose share of the query's postings is at most this many per hit
/// of the second stage's pool ([`Exhaustive::hits`]) is scored exhaustively
/// (tantivy's union of the postings), not with block-WAND, whose bookkeeping
/// (the scorers sorted at every pivot, block maxima read) costs more than it
/// skips until the lists are long beside the hits wanted. The same passages
/// come out (the floor rule is the same); scores may differ in the last bit, as
/// the order of the sum does.
///
/// Chosen on copies of medquad-dev, `--batch … --format trec`, interleaved
/// runs on 2 cores, with the threshold per passage wanted: at 1x (1 segment,
/// 10,284 passages, a median keyword query's terms have 4,400 postings) 300
/// against block-WAND always: keywords 0.604 → 0.472 s, questions 1.205 →
/// 0.818 s; at 10x (3 segments) no difference beyond noise for 100, 300 or
/// 1,000; at 100x (9 segments, 1 M passages) 300 within 3 % of block-WAND
/// always (keywords 2.05 / 2.08 s), 1,000 slower (questions 1.66 → 2.07 s).
pub const EXHAUSTIVE_POSTINGS_PER_HIT: f64 = 300.0;

impl TopWithTies {
    /// The best `k` passages, down to `distinct` different texts (0: texts not
    /// read), with the text hash columns of the segments already open.
    pub fn new(k: usize, distinct: usize, hashes: Vec<Option<Column<u64>>>) -> TopWithTies {
        TopWithTies {
            k,
            distinct,
            hashes,
            floor: Floor::default(),
            exhaustive: None,
        }
    }
}

/// A floor every later segment may start from: a segment's best `c` passages
/// (at least `k`, holding `distinct` texts) are in the merged list, so the
/// merged cut scores no lower than that segment's c-th and keeps nothing at or
/// below its [`floor`]. A later segment then keeps, and tells block-WAND, that
/// floor from its first passage instead of building its own from nothing: the
/// same passages come out of the merge, for less work in every segment but
/// the first. (The order block-WAND walks in, and with it the last bits of a
/// passage's summed score, can differ: [`super::tie`] makes such scores one.)
#[derive(Default)]
struct Floor(std::sync::atomic::AtomicU32);

impl Floor {
    /// The highest floor given so far; `Score::MIN` before any.
    fn get(&self) -> Score {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            0 => Score::MIN,
            bits => score_of(u64::from(!bits) << 32),
        }
    }

    /// Raises the floor to `floor` if it is higher.
    fn raise(&self, floor: Score) {
        if floor > Score::MIN {
            // `key`'s order reversed: a higher score is a higher number, and
            // every score is above 0, which stands for none.
            let bits = !((key(floor, 0) >> 32) as u32);
            self.0.fetch_max(bits, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// What [`TopWithTies`] found.
pub struct Found {
    /// Best first (descending score, then address).
    pub list: Vec<(Score, DocAddress)>,
    /// How many of `list` are the fewest best passages, at least `k`, that hold
    /// `distinct` different texts (the rest is the tie band below the last of
    /// them); `list.len()` when there are no more.
    pub cut: usize,
}

/// What one segment keeps: the candidates above the floor of the best seen.
pub struct Segment {
    k: usize,
    distinct: usize,
    ord: SegmentOrdinal,
    hashes: Option<Column<u64>>,
    /// ([`key`], text hash or [`UNREAD`]) of each passage kept.
    scored: Vec<(u64, u64)>,
    /// Prune when `scored` reaches this (twice what was kept, at least twice `k`
    /// and `distinct`), so a long run of ties is not re-selected at every passage.
    room: usize,
    floor: Score,
    /// The texts counted by the last prune (kept to reuse its memory).
    seen: TextSet,
}

impl Segment {
    fn new(
        collector: &TopWithTies,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Segment> {
        let want = collector.k.max(collector.distinct);
        let room = (2 * want).max(64);
        let hashes = match collector.hashes.get(ord as usize) {
            _ if collector.distinct == 0 => None,
            Some(Some(column)) => Some(column.clone()),
            _ => Some(reader.fast_fields().u64(schema::TEXT_HASH)?),
        };
        Ok(Segment {
            k: collector.k,
            distinct: collector.distinct,
            ord,
            hashes,
            scored: Vec::with_capacity(room),
            room,
            floor: collector.floor.get(),
            seen: if collector.distinct > 0 {
                TextSet::with_capacity(want)
            } else {
                TextSet::default()
            },
        })
    }

    /// Takes a passage; returns the floor a passage must score above to be kept.
    fn push(&mut self, doc: DocId, score: Score) -> Score {
        if score > self.floor {
            self.scored.push((key(score, doc), UNREAD));
            if self.scored.len() >= self.room {
                self.floor = prune(
                    &mut self.scored,
                    self.k,
                    self.distinct,
                    self.hashes.as_ref(),
                    &mut self.seen,
                );
                self.room = (2 * self.scored.len())
                    .max(2 * self.k.max(self.distinct))
                    .max(64);
            }
        }
        self.floor
    }
}

/// A segment's passages, best first: (score, then segment and doc), text hash.
type Ordered = Vec<(u128, u64)>;

impl SegmentCollector for Segment {
    type Fruit = Ordered;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(mut self) -> Ordered {
        self.settle();
        self.ordered()
    }
}

impl Segment {
    /// Keeps only what can make the cut; returns the floor below which nothing
    /// of this segment can.
    fn settle(&mut self) -> Score {
        self.floor = self.floor.max(prune(
            &mut self.scored,
            self.k,
            self.distinct,
            self.hashes.as_ref(),
            &mut self.seen,
        ));
        self.floor
    }

    /// What is kept, best first.
    fn ordered(mut self) -> Ordered {
        read_hashes(&mut self.scored, self.hashes.as_ref());
        self.scored.sort_unstable_by_key(|e| e.0);
        let ord = u128::from(self.ord) << 32;
        self.scored
            .into_iter()
            .map(|(key, hash)| {
                let (high, doc) = (u128::from(key >> 32), u128::from(key as u32));
                ((high << 64) | ord | doc, hash)
            })
            .collect()
    }
}

/// The union of two lists in order.
fn merge(a: Ordered, b: Ordered) -> Ordered {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        if x.0 <= y.0 {
            out.extend(a.next());
        } else {
            out.extend(b.next());
        }
    }
    out.extend(a);
    out.extend(b);
    out
}

impl Collector for TopWithTies {
    type Fruit = Found;
    type Child = Segment;

    fn for_segment(&self, ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Segment> {
        Segment::new(self, ord, reader)
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// The segments' lists (each in order) merged; cut where the best `k` reach
    /// `distinct` texts, counted in order, keeping the tie band below.
    fn merge_fruits(&self, fruits: Vec<Ordered>) -> tantivy::Result<Found> {
        let mut lists: Vec<Ordered> = fruits;
        while lists.len() > 1 {
            let mut next = Vec::with_capacity(lists.len().div_ceil(2));
            let mut pairs = lists.into_iter();
            while let Some(a) = pairs.next() {
                next.push(match pairs.next() {
                    Some(b) => merge(a, b),
                    None => a,
                });
            }
            lists = next;
        }
        let all = lists.pop().unwrap_or_default();
        let score = |g: u128| score_of(((g >> 64) as u64) << 32);
        let mut cut = all.len();
        let wanted = self.k.max(self.distinct);
        if wanted > 0 && all.len() > wanted {
            if self.distinct == 0 {
                cut = wanted;
            } else {
                let mut seen = TextSet::with_capacity(wanted);
                let mut count = 0;
                for (i, &(_, hash)) in all.iter().enumerate() {
                    count += usize::from(hash == 0 || seen.insert(hash));
                    if count >= self.distinct && i + 1 >= self.k {
                        cut = i + 1;
                        break;
                    }
                }
            }
        }
        let end = if cut < all.len() {
            let below = floor(score(all[cut - 1].0));
            cut + all[cut..].partition_point(|e| score(e.0) > below)
        } else {
            all.len()
        };
        let list = all[..end]
            .iter()
            .map(|&(g, _)| {
                let address = DocAddress::new((g >> 32) as u32, g as u32);
                (score(g), address)
            })
            .collect();
        Ok(Found { list, cut })
    }

    /// The floor fed back to the scorer lets block-WAND skip what cannot make it.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Ordered> {
        let mut segment = Segment::new(self, ord, reader)?;
        let start = segment.floor;
        let exhaustive = self.exhaustive.is_some_and(|e| {
            let share = e.postings as f64 * f64::from(reader.max_doc()) / e.passages.max(1) as f64;
            share <= EXHAUSTIVE_POSTINGS_PER_HIT * e.hits as f64
        });
        // Either way `push` keeps only what scores above the floor; block-WAND
        // also skips what cannot.
        match (exhaustive, reader.alive_bitset()) {
            (true, Some(alive)) => weight.for_each(reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    segment.push(doc, score);
                }
            })?,
            (true, None) => weight.for_each(reader, &mut |doc, score| {
                segment.push(doc, score);
            })?,
            (false, Some(alive)) => weight.for_each_pruning(start, reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    segment.push(doc, score)
                } else {
                    segment.floor
                }
            })?,
            (false, None) => weight
                .for_each_pruning(start, reader, &mut |doc, score| segment.push(doc, score))?,
        }
        self.floor.raise(segment.settle());
        Ok(segment.ordered())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet;

    /// Descending score (total order), then ascending address: tantivy's order
    /// of a top-k.
    fn best_first<D: Ord>(a: &(Score, D), b: &(Score, D)) -> std::cmp::Ordering {
        b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
    }

    /// The shared floor starts at none and only ever rises, giving back the
    /// highest score it was given exactly.
    #[test]
    fn the_shared_floor_keeps_the_highest() {
        let floor = Floor::default();
        assert_eq!(floor.get(), Score::MIN);
        floor.raise(Score::MIN);
        assert_eq!(floor.get(), Score::MIN);
        for (given, highest) in [
            (0.0, 0.0),
            (2.5, 2.5),
            (1.0, 2.5),
            (-4.0, 2.5),
            (7.75, 7.75),
        ] {
            floor.raise(given);
            assert_eq!(floor.get().to_bits(), f32::to_bits(highest));
        }
        let negative = Floor::default();
        negative.raise(-3.0);
        negative.raise(-5.0);
        assert_eq!(negative.get(), -3.0);
    }

    #[test]
    fn keys_order_best_first_and_give_the_score_back() {
        let scores = [
            -f32::INFINITY,
            -3.5,
            -f32::MIN_POSITIVE,
            -0.0,
            0.0,
            f32::MIN_POSITIVE,
            1.0,
            f32::from_bits(1.0_f32.to_bits() + 1),
            7.25,
            f32::INFINITY,
        ];
        let mut pairs = Vec::new();
        for &score in &scores {
            for doc in [0, 1, 7, u32::MAX] {
                assert_eq!(score_of(key(score, doc)).to_bits(), score.to_bits());
                assert_eq!(key(score, doc) as u32, doc);
                pairs.push((score, doc));
            }
        }
        let mut by_key = pairs.clone();
        by_key.sort_unstable_by_key(|&(score, doc)| key(score, doc));
        pairs.sort_unstable_by(best_first);
        let bits = |list: &[(Score, DocId)]| {
            list.iter()
                .map(|&(s, d)| (s.to_bits(), d))
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&by_key), bits(&pairs));
    }

    #[test]
    fn prune_keeps_the_best_k_and_the_tie_band_of_the_kth() {
        let keyed = |list: &[(Score, DocId)]| -> Vec<(u64, u64)> {
            list.iter().map(|&(s, d)| (key(s, d), UNREAD)).collect()
        };
        let unkeyed = |list: &mut Vec<(u64, u64)>| -> Vec<(Score, DocId)> {
            list.sort_unstable_by_key(|e| e.0);
            list.iter().map(|&(k, _)| (score_of(k), k as u32)).collect()
        };
        let mut seen = TextSet::default();
        let near = f32::from_bits(3.0_f32.to_bits() - 3);
        let mut scored = keyed(&[(1.0, 0), (3.0, 1), (5.0, 2), (near, 3), (3.0, 4), (2.9, 5)]);
        let below = prune(&mut scored, 2, 0, None, &mut seen);
        assert!(below < near && below > 2.9);
        assert_eq!(
            unkeyed(&mut scored),
            [(5.0, 2), (3.0, 1), (3.0, 4), (near, 3)]
        );
        // k or fewer: all kept, no floor.
        let mut few = keyed(&[(1.0, 0), (2.0, 1)]);
        assert_eq!(prune(&mut few, 2, 0, None, &mut seen), Score::MIN);
        assert_eq!(few.len(), 2);
    }

    /// Against tantivy's own top-k on a two-segment index with a deleted passage
    /// and long runs of equal scores: the same best `k`, then every passage of the
    /// run at the k-th, which tantivy's top-k cuts.
    #[test]
    fn the_best_k_and_the_whole_run_at_the_cut() {
        use tantivy::collector::TopDocs;
        use tantivy::query::QueryParser;
        use tantivy::schema::{STRING, Schema, TEXT};
        use tantivy::{Index, Term, doc};
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Per segment: 30 passages that tie (the same text), and some that
        // score above and below them.
        for segment in 0..2 {
            for i in 0..30 {
                writer
                    .add_document(doc!(id => format!("t{segment}-{i}"), body => "gout pain"))
                    .unwrap();
            }
            for i in 0..5 {
                writer
                    .add_document(doc!(id => format!("h{segment}-{i}"), body => "gout gout gout"))
                    .unwrap();
                writer
                    .add_document(doc!(
                        id => format!("l{segment}-{i}"),
                        body => "gout and a great many other words besides"
                    ))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(id, "t1-7"));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let query = QueryParser::for_index(&index, vec![body])
            .parse_query("gout pain")
            .unwrap();
        let all = searcher
            .search(&query, &TopDocs::with_limit(1000).order_by_score())
            .unwrap();
        assert_eq!(all.len(), 79);
        for k in [1, 5, 10, 11, 20, 40, 45, 69, 78, 79, 200] {
            let collector = TopWithTies::new(k, 0, Vec::new());
            let found = searcher.search(&query, &collector).unwrap();
            let got = found.list;
            let top = searcher
                .search(&query, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            assert_eq!(found.cut, k.min(got.len()), "k = {k}");
            // The same scores as tantivy's top k, first; then only the run at the
            // k-th, complete.
            let scores = |list: &[(f32, DocAddress)]| list.iter().map(|x| x.0).collect::<Vec<_>>();
            assert_eq!(scores(&got[..top.len()]), scores(&top), "k = {k}");
            let kth = top.last().unwrap().0;
            let run = all
                .iter()
                .filter(|x| (x.0 - kth).abs() <= 1e-4 * kth)
                .count();
            let above = all.iter().filter(|x| x.0 > kth + 1e-4 * kth).count();
            assert_eq!(got.len(), (above + run).max(top.len()), "k = {k}");
            let mut sorted = got.clone();
            sorted.sort_unstable_by(best_first);
            assert_eq!(got, sorted);
        }
    }

    /// With `distinct`, against every match of a two-segment index ordered by
    /// hand: the list starts with the fewest best passages that are at least `k`
    /// and hold `distinct` different text hashes (0 being different from every
    /// hash), `cut` of them, and goes on with exactly the tie band below the last
    /// of them. Enough passages per segment that the segments prune while they
    /// collect; runs of equal scores; repeated hashes within and across the
    /// segments, and a segment whose best passages share two texts, so that it
    /// must give far more than `k` and `distinct` passages.
    #[test]
    fn with_distinct_the_best_until_enough_different_texts() {
        // (words after "gout", hash) of passage `i` of segment `segment`.
        check_distinct(&|segment, i| {
            let h = if i % 17 == 0 {
                0
            } else if i % 3 == 0 {
                1000 + i % 4
            } else {
                10_000 * (segment + 1) + i
            };
            (i % 23, h)
        });
        check_distinct(&|segment, i| match segment {
            0 if i % 17 == 0 => (i / 10, 0),
            0 if i < 100 => (i / 10, 1000 + i % 2),
            0 => (i / 10, 20_000 + i),
            _ => (8 + i / 10, if i % 17 == 0 { 0 } else { 30_000 + i }),
        });
    }

    fn check_distinct(layout: &dyn Fn(u64, u64) -> (u64, u64)) {
        use tantivy::collector::TopDocs;
        use tantivy::query::QueryParser;
        use tantivy::schema::{FAST, Schema, TEXT};
        use tantivy::{Index, doc};
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let hash = schema.add_u64_field(schema::TEXT_HASH, FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for segment in 0..2 {
            for i in 0..150 {
                let (words, h) = layout(segment, i);
                let text = format!("gout{}", " word".repeat(words as usize));
                writer.add_document(doc!(body => text, hash => h)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let columns: Vec<Column<u64>> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().u64(schema::TEXT_HASH).unwrap())
            .collect();
        let query = QueryParser::for_index(&index, vec![body])
            .parse_query("gout")
            .unwrap();
        let mut all = searcher
            .search(&query, &TopDocs::with_limit(1000).order_by_score())
            .unwrap();
        assert_eq!(all.len(), 300);
        all.sort_unstable_by(best_first);
        let hash_of = |a: DocAddress| columns[a.segment_ord as usize].first(a.doc_id).unwrap();
        for k in [1, 5, 40, 120] {
            for distinct in [1, 2, 10, 30, 60, 150, 190, 250] {
                let wanted = k.max(distinct);
                let mut cut = all.len();
                let mut texts = FxHashSet::default();
                let mut count = 0;
                for (i, &(_, address)) in all.iter().enumerate() {
                    let h = hash_of(address);
                    count += usize::from(h == 0 || texts.insert(h));
                    if count >= distinct && i + 1 >= k {
                        cut = i + 1;
                        break;
                    }
                }
                if all.len() <= wanted {
                    cut = all.len();
                }
                let below = floor(all[cut - 1].0);
                let end = cut + all[cut..].iter().filter(|x| x.0 > below).count();
                for hashes in [Vec::new(), columns.iter().cloned().map(Some).collect()] {
                    // Block-WAND, and the exhaustive union (no postings at all).
                    let always = Exhaustive {
                        postings: 0,
                        passages: 1,
                        hits: 1,
                    };
                    for exhaustive in [None, Some(always)] {
                        let mut collector = TopWithTies::new(k, distinct, hashes.clone());
                        collector.exhaustive = exhaustive;
                        let found = searcher.search(&query, &collector).unwrap();
                        let case = format!("k = {k}, distinct = {distinct}, {exhaustive:?}");
                        assert_eq!(found.cut, cut, "{case}");
                        assert_eq!(found.list, all[..end], "{case}");
                    }
                }
            }
        }
    }
}
