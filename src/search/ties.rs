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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::TIE_TOLERANCE;

/// Below every score [`super::tie`] can make one with `score` (a run's head is
/// within the tolerance above it, its members within the tolerance below the
/// head): twice the tolerance, far more than the float rounding of the test.
fn floor(score: Score) -> Score {
    score - 2.0 * TIE_TOLERANCE * score.abs()
}

/// Descending score, then ascending address: tantivy's order of a top-k.
fn best_first<D: Ord>(a: &(Score, D), b: &(Score, D)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
}

/// Keeps of `scored` the best `k` and those scoring above [`floor`] of the k-th;
/// returns that floor (`Score::MIN` while there are `k` or fewer).
fn prune<D: Ord + Copy>(scored: &mut Vec<(Score, D)>, k: usize) -> Score {
    if k == 0 || scored.len() <= k {
        return Score::MIN;
    }
    scored.select_nth_unstable_by(k - 1, best_first);
    let below = floor(scored[k - 1].0);
    scored.retain(|&(score, _)| score > below);
    below
}

/// The best `k` passages of a query and every one within the tie tolerance of
/// the k-th (a superset of the run at the k-th: [`super::tie`] decides the run),
/// best first; fewer when fewer match.
pub struct TopWithTies {
    /// Passages wanted (the cut).
    pub k: usize,
}

/// What one segment keeps: the candidates above the floor of the best `k` seen.
pub struct Segment {
    k: usize,
    ord: SegmentOrdinal,
    scored: Vec<(Score, DocId)>,
    /// Prune when `scored` reaches this (twice what was kept, at least `2k`), so
    /// a long run of ties is not re-selected at every passage.
    room: usize,
    floor: Score,
}

impl Segment {
    fn new(k: usize, ord: SegmentOrdinal) -> Segment {
        let room = (2 * k).max(64);
        Segment {
            k,
            ord,
            scored: Vec::with_capacity(room),
            room,
            floor: Score::MIN,
        }
    }

    /// Takes a passage; returns the floor a passage must score above to be kept.
    fn push(&mut self, doc: DocId, score: Score) -> Score {
        if score > self.floor {
            self.scored.push((score, doc));
            if self.scored.len() >= self.room {
                self.floor = prune(&mut self.scored, self.k);
                self.room = (2 * self.scored.len()).max(2 * self.k).max(64);
            }
        }
        self.floor
    }
}

impl SegmentCollector for Segment {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(mut self) -> Self::Fruit {
        prune(&mut self.scored, self.k);
        let ord = self.ord;
        self.scored
            .into_iter()
            .map(|(score, doc)| (score, DocAddress::new(ord, doc)))
            .collect()
    }
}

impl Collector for TopWithTies {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = Segment;

    fn for_segment(&self, ord: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<Segment> {
        Ok(Segment::new(self.k, ord))
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        prune(&mut all, self.k);
        // By integer key (score bits in total order, then address): the same order
        // as `best_first`, compared without float handling.
        all.sort_unstable_by_key(|&(score, address)| {
            let bits = score.to_bits() as i32;
            let total = bits ^ (((bits >> 31) as u32) >> 1) as i32;
            (std::cmp::Reverse(total), address)
        });
        Ok(all)
    }

    /// The floor fed back to the scorer lets block-WAND skip what cannot make it.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Fruit> {
        let mut segment = Segment::new(self.k, ord);
        match reader.alive_bitset() {
            Some(alive) => weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                if alive.is_alive(doc) {
                    segment.push(doc, score)
                } else {
                    segment.floor
                }
            })?,
            None => weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                segment.push(doc, score)
            })?,
        }
        Ok(segment.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_keeps_the_best_k_and_the_tie_band_of_the_kth() {
        let near = f32::from_bits(3.0_f32.to_bits() - 3);
        let mut scored = vec![(1.0, 0), (3.0, 1), (5.0, 2), (near, 3), (3.0, 4), (2.9, 5)];
        let below = prune(&mut scored, 2);
        assert!(below < near && below > 2.9);
        scored.sort_unstable_by(best_first);
        assert_eq!(scored, [(5.0, 2), (3.0, 1), (3.0, 4), (near, 3)]);
        // k or fewer: all kept, no floor.
        let mut few = vec![(1.0, 0), (2.0, 1)];
        assert_eq!(prune(&mut few, 2), Score::MIN);
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
            let got = searcher.search(&query, &TopWithTies { k }).unwrap();
            let top = searcher
                .search(&query, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
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
}
