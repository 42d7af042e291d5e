//! `lectern eval --level article` end to end: document-level judgements scored
//! against a passage index.

use std::fs;

mod common;

use common::{Case, eval, json};
use serde_json::Value;

#[test]
fn eval_at_article_level_maps_passages_to_their_article() {
    let c = Case::new();
    c.write(
        "sub/asthma.md",
        "# Asthma\n\nAsthma narrows the airways.\n\n## Symptoms\n\nWheezing and coughing at night.\n",
    );
    c.write(
        "gout.md",
        "# Gout\n\nA form of arthritis.\n\n## Treatment\n\nColchicine at night.\n",
    );
    let r = c.ingest(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = &c.dir;
    // Judged per article (as BEIR collections are): the hit is the passage
    // `sub/asthma.md#symptoms`, which counts for the article `sub/asthma.md`.
    fs::write(dir.path().join("queries"), "q1\twheezing\n").unwrap();
    fs::write(
        dir.path().join("qrels"),
        "q1 0 sub/asthma.md 2\nq1 0 gout.md 0\n",
    )
    .unwrap();
    let eval = |level: &str| -> Value {
        let r = eval(
            &c.index,
            &dir.path().join("queries"),
            &dir.path().join("qrels"),
            &["--level", level],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        json(&r.stdout)
    };
    let article = eval("article");
    assert_eq!(article["mrr_at_10"], 1.0);
    assert_eq!(article["ndcg_at_10"], 1.0);
    // At passage level the article id matches no passage.
    assert_eq!(eval("passage")["mrr_at_10"], 0.0);
}
