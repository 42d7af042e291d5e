//! Derivational families from the index's own vocabulary: treat / treated /
//! treatment, surgery / surgical, cure / curable. Porter stemming conflates
//! inflections (treated → treat) but not derivations (treatment, surgical); here a
//! stem is reduced to a root by removing one derivational suffix, and the indexed
//! terms with the same root (found by a prefix scan of the term dictionary) are its
//! family. Searched at a reduced weight ([`crate::rank::RankParams::derived`]).

use tantivy::Searcher;
use tantivy::schema::Field;

/// Derivational suffixes as they appear on Porter stems, longest first.
const STRONG: &[&str] = &[
    "ational", "ation", "ition", "ement", "ment", "ical", "ness", "able", "ible", "abl", "ibl",
    "ive", "iti", "ity", "eri", "ery", "ion", "ic", "al",
];

/// A stem's root, and whether a derivational suffix was removed (a final `e` or
/// `i` is dropped too, without counting: care and car are not one family).
fn root(stem: &str) -> (&str, bool) {
    for suffix in STRONG {
        if let Some(root) = stem.strip_suffix(suffix)
            && root.chars().count() >= 3
        {
            return (root, true);
        }
    }
    let weak = stem
        .strip_suffix('e')
        .or_else(|| stem.strip_suffix('i'))
        .filter(|r| r.chars().count() >= 3);
    (weak.unwrap_or(stem), false)
}

/// Indexed terms of `field` in the family of `term` (not `term` itself), most
/// frequent first, at most `max`.
pub fn family(
    searcher: &Searcher,
    field: Field,
    term: &str,
    max: usize,
) -> tantivy::Result<Vec<String>> {
    let (base, strong) = root(term);
    if base.chars().count() < 3 || term.chars().any(|c| c.is_ascii_digit()) {
        return Ok(Vec::new());
    }
    let mut found: Vec<(u64, String)> = Vec::new();
    super::terms_with_prefix(searcher, field, base, |candidate, df| {
        if candidate == term || candidate.len() > base.len() + 7 {
            return;
        }
        let (other, other_strong) = root(candidate);
        if other != base || !(strong || other_strong) {
            return;
        }
        match found.iter_mut().find(|(_, t)| t == candidate) {
            Some(entry) => entry.0 += df,
            None => found.push((df, candidate.to_string())),
        }
    })?;
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(found.into_iter().take(max).map(|(_, t)| t).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(word: &str) -> String {
        crate::analyzer::analyze(word).pop().unwrap()
    }

    #[test]
    fn derivations_share_a_root_and_lookalikes_do_not() {
        let same = |a: &str, b: &str| {
            let (sa, sb) = (stem(a), stem(b));
            let ((ra, xa), (rb, xb)) = (root(&sa), root(&sb));
            ra == rb && (xa || xb)
        };
        assert!(same("treated", "treatment"));
        assert!(same("surgery", "surgical"));
        assert!(same("cure", "curable"));
        assert!(!same("care", "car"));
        assert!(!same("liver", "live"));
        assert!(!same("cancer", "cancel"));
    }
}
