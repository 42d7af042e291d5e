#!/usr/bin/env python3
"""Flattens a sectioned collection (medquad-dev layout) into one-section articles.

Usage: bench/flatten.py COLLECTION_DIR OUT_DIR

Each article of COLLECTION_DIR/passages.jsonl becomes one HTML page whose body is
all its sections' texts without headings (one passage, `#introduction`); qrels are
mapped to those pages. It checks that ranking mechanisms which help sectioned
articles do not hurt collections of single-section articles (abstracts).
Standard library only.
"""
import collections
import html
import json
import shutil
import sys
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])
articles = collections.OrderedDict()
for line in open(src / "passages.jsonl"):
    p = json.loads(line)
    path = p["id"].split("#")[0]
    articles.setdefault(path, {"title": p["title"], "texts": []})["texts"].append(p["text"])
shutil.rmtree(out, ignore_errors=True)
(out / "corpus").mkdir(parents=True)
for path, a in articles.items():
    name = path.replace("/", "_")
    body = "".join(f"<p>{html.escape(t)}</p>" for t in a["texts"])
    title = html.escape(a["title"])
    (out / "corpus" / name).write_text(
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>")
for queries, qrels in [("queries.tsv", "qrels.txt"), ("queries-keyword.tsv", "qrels-keyword.txt")]:
    if not (src / queries).exists():
        continue
    shutil.copy(src / queries, out / queries)
    seen, lines = set(), []
    for line in open(src / qrels):
        qid, _, doc, grade = line.split()
        doc = doc.split("#")[0].replace("/", "_") + "#introduction"
        if (qid, doc) not in seen:
            seen.add((qid, doc))
            lines.append(f"{qid} 0 {doc} {grade}")
    (out / qrels).write_text("\n".join(lines) + "\n")
print(f"{len(articles)} articles written to {out}")
