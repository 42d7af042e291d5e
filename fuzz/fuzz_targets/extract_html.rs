//! Arbitrary bytes as a Html article: extraction must not panic, and every passage
//! must be within the size limit.
#![no_main]

use lectern::extract::{Format, MAX_PASSAGE_BYTES, extract};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((article, _warning)) = extract(data, Format::Html, "x") {
        for section in &article.sections {
            assert!(section.text.len() <= MAX_PASSAGE_BYTES);
            assert!(!section.anchor.is_empty());
        }
    }
});
