//! A set of text hashes, for counting the different texts down a hit list.
//!
//! A deep cut (`-n 1000`) counts a thousand hashes at every prune of the first
//! stage's collector, again where its segments merge, at the cut of the ranked
//! list and where duplicates fold. The hashes are already uniform
//! ([`crate::schema::text_hash`] is xxh3), so a plain open-addressing table
//! indexed by their low bits does what a general hash set does without hashing
//! again, in a few instructions an insert.

/// Different non-zero `u64`s (0 marks an empty slot; a text hash of 0, an empty
/// text, is never folded, and callers count it without the set).
#[derive(Debug, Default)]
pub struct TextSet {
    /// A power of two long (or empty), never more than half full.
    slots: Vec<u64>,
    /// The slots in use, so that clearing a set much larger than what it
    /// holds writes those, not the whole table.
    used: Vec<usize>,
}

/// A table kept for the next set whatever it is asked to hold, unless larger
/// than this many slots (half a megabyte) and four times what is wanted.
const KEEP_SLOTS: usize = 1 << 16;

impl TextSet {
    /// An empty set with room for `n` hashes before it grows: the table the
    /// thread's last set left when it was dropped, when there is one (a query
    /// counts with a set per segment, then at the merge, the cut and the fold,
    /// and a batch runs thousands of queries).
    pub fn with_capacity(n: usize) -> TextSet {
        let (slots, used) = SPARE
            .try_with(|spare| spare.take())
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut set = TextSet { slots, used };
        set.clear(n);
        set
    }

    /// Empties the set, keeping room for `n` hashes before it grows.
    pub fn clear(&mut self, n: usize) {
        let want = (2 * n).next_power_of_two().max(16);
        // A big table far larger than wanted (left by a much deeper query) is
        // not kept for a short one. Otherwise only the slots in use are zeroed:
        // at most half of the table.
        if self.slots.len() < want || (self.slots.len() > 4 * want.max(KEEP_SLOTS)) {
            self.slots = vec![0; want];
            self.used = Vec::with_capacity(n);
        } else {
            for &i in &self.used {
                self.slots[i] = 0;
            }
            self.used.clear();
            self.used.reserve(n);
        }
    }

    /// Adds `hash` (not 0); true when it was not in the set.
    #[inline]
    pub fn insert(&mut self, hash: u64) -> bool {
        debug_assert_ne!(hash, 0, "0 marks an empty slot");
        if 2 * (self.used.len() + 1) > self.slots.len() {
            self.grow();
        }
        let (i, found) = self.probe(hash);
        if !found {
            self.slots[i] = hash;
            self.used.push(i);
        }
        !found
    }

    /// Whether `hash` is in the set.
    pub fn contains(&self, hash: u64) -> bool {
        !self.slots.is_empty() && self.probe(hash).1
    }

    /// The slot holding `hash`, or the empty slot where it would go, and which
    /// of the two it is. The table is not empty, and never full.
    #[inline]
    fn probe(&self, hash: u64) -> (usize, bool) {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            match self.slots[i] {
                0 => return (i, false),
                slot if slot == hash => return (i, true),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Hashes in the set.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.used.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.used.is_empty()
    }

    #[cold]
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.used.clear();
        self.clear(old.len().max(8));
        for hash in old.into_iter().filter(|&h| h != 0) {
            self.insert(hash);
        }
    }
}

thread_local! {
    /// The table (slots, slots in use) of the last [`TextSet`] dropped on this
    /// thread.
    static SPARE: std::cell::Cell<Option<(Vec<u64>, Vec<usize>)>> =
        const { std::cell::Cell::new(None) };
}

impl Drop for TextSet {
    /// Leaves the table for the thread's next set, unless a larger one is there.
    fn drop(&mut self) {
        if self.slots.is_empty() {
            return;
        }
        let mine = (
            std::mem::take(&mut self.slots),
            std::mem::take(&mut self.used),
        );
        // `try_with`: a set dropped while the thread's storage is torn down
        // frees its table.
        let _ = SPARE.try_with(|spare| {
            let kept = spare.take();
            spare.set(match kept {
                Some(kept) if kept.0.len() >= mine.0.len() => Some(kept),
                _ => Some(mine),
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet;

    /// The same answers as a general hash set, through growth and clearing, on
    /// hashes with colliding low bits as well as spread ones.
    #[test]
    fn inserts_answer_as_a_hash_set_does() {
        let mut set = TextSet::with_capacity(4);
        for round in 0..3u64 {
            let mut reference = FxHashSet::default();
            for i in 0..5_000u64 {
                // A third share their low bits (97 hashes told apart by their
                // high bits only), the rest spread.
                let hash = if i % 3 == 0 {
                    (i % 97 + 1) << 40 | 5
                } else {
                    i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ round
                };
                let hash = hash.max(1);
                assert_eq!(set.contains(hash), reference.contains(&hash));
                assert_eq!(set.insert(hash), reference.insert(hash), "{hash:x}");
                assert!(set.contains(hash));
                assert_eq!(set.len(), reference.len());
            }
            assert!(!set.is_empty());
            set.clear(10);
            assert!(set.is_empty());
            assert!(set.insert(7));
            assert!(!set.insert(7));
            // Cleared by its used slots: one, then twenty (the table grew for them).
            set.clear(10);
            assert!(set.insert(7));
            for h in 8..27 {
                assert!(set.insert(h));
            }
            set.clear(10);
            assert!((7..27).all(|h| set.insert(h)));
            set.clear(10);
        }
    }

    /// A big table far larger than wanted is given up at a clear, a small one
    /// kept whatever is wanted; either way the set starts empty.
    #[test]
    fn a_big_table_is_not_kept_for_a_few_hashes() {
        let mut set = TextSet::with_capacity(10);
        for h in 1..=200_000u64 {
            set.insert(h.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        assert!(set.slots.len() > 4 * KEEP_SLOTS);
        set.clear(10);
        assert_eq!(set.slots.len(), 32);
        assert!(set.insert(0x9E37_79B9_7F4A_7C15));
        for h in 1..=1_000u64 {
            set.insert(h);
        }
        let kept = set.slots.len();
        set.clear(1);
        assert_eq!(set.slots.len(), kept);
        assert!((1..=1_000u64).all(|h| set.insert(h)));
    }

    /// A set made from the table a dropped one left holds nothing of it.
    #[test]
    fn a_reused_table_starts_empty() {
        for n in [3, 100, 1000] {
            let mut first = TextSet::with_capacity(n);
            for h in 1..=n as u64 {
                assert!(first.insert(h * 0x9E37_79B9));
            }
            drop(first);
            let mut second = TextSet::with_capacity(n / 2);
            assert!(second.is_empty());
            for h in 1..=n as u64 {
                assert!(second.insert(h * 0x9E37_79B9), "{n} {h}");
            }
        }
    }
}
