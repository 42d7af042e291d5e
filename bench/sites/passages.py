#!/usr/bin/env python3
"""Passage identity check for extraction changes: ingest the dev corpora with BIN and
write, per corpus, WORK/<name>.hashes: every passage's id and md5(heading|body), sorted.
Diff two runs' files (before/after binaries) to see which passages changed.

Corpora: medquad-dev and NFCorpus (/work/shared/eval), the suite's 13 Rust books
(a tree of links, as bench/suite.py builds it) and the Rust API docs std+core+alloc
(a folder of symlinks, ingested with --follow).

    python3 bench/sites/passages.py --bin BIN --work DIR [--corpora medquad,nfcorpus,books,api]
"""
import argparse, hashlib, json, os, shutil, subprocess, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import suite  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--work", required=True, type=Path)
ap.add_argument("--corpora", default="medquad,nfcorpus,books,api")
a = ap.parse_args()
a.work.mkdir(parents=True, exist_ok=True)
docs = suite.rust_docs_default()
corpora = {
    "medquad": (suite.shared_default("medquad-dev") / "corpus", False),
    "nfcorpus": (suite.shared_default("nfcorpus") / "corpus", False),
    "books": (a.work / "rust-books", True),
    "api": (a.work / "api", True),
}
for name in a.corpora.split(","):
    corpus, follow = corpora[name]
    if name == "books":
        books = [b for b in suite.RUST_BOOKS if any((docs / b).glob("book*.js"))]
        suite.link_tree(docs, books, corpus)
    if name == "api" and not corpus.exists():
        corpus.mkdir()
        for crate in ("std", "core", "alloc"):
            os.symlink(docs / crate, corpus / crate)
    ix = a.work / f"ix-{name}"
    shutil.rmtree(ix, ignore_errors=True)
    args = [a.bin, "ingest", str(corpus), "--index", str(ix), "-q"] + (["--follow"] if follow else [])
    subprocess.run(args, check=False)
    out = subprocess.run([a.bin, "export", "--index", str(ix)], capture_output=True, text=True).stdout
    lines = []
    for l in out.splitlines():
        d = json.loads(l)
        h = hashlib.md5((d.get("heading", "") + "|" + d.get("body", "")).encode()).hexdigest()
        lines.append(f"{d['id']}\t{h}")
    lines.sort()
    (a.work / f"{name}.hashes").write_text("\n".join(lines) + "\n")
    print(f"{name}: {len(lines)} passages", file=sys.stderr)
    shutil.rmtree(ix, ignore_errors=True)
