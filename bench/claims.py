#!/usr/bin/env python3
"""Claim-like queries over a collection of one-section abstracts: a known-item test of
long queries (the shape of a claim checked against abstracts), for collections that
come without claims. Each query is one sentence of an abstract, words dropped at
random; the abstract it came from is its one relevant article.

    python3 bench/claims.py CORPUS OUT [--pick random|last] [--drop 0.4] [--seed 7]
    lectern eval --index IX --queries OUT/queries.tsv --qrels OUT/qrels.txt --level article

CORPUS is a folder of Markdown abstracts in subfolders (NFCorpus as
../shared/eval/nfcorpus/corpus holds them); `# ` lines (the title) are not drawn
from. `--pick random`: a sentence of 12-35 words other than the first; `--pick last`:
the last sentence of 8-40 words, without a lead-in such as "In conclusion,". Writes
400 queries. Synthetic and lexical: a query shares its words with its abstract's body
by construction, so it measures how much a ranking leans on titles and on its first
stage with long queries, not how well it reads a paraphrased claim.
"""
import argparse
import os
import random
import re

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("corpus")
ap.add_argument("out")
ap.add_argument("--pick", choices=["random", "last"], default="random")
ap.add_argument("--drop", type=float, default=0.4)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()

LEAD_IN = re.compile(
    r"^(CONCLUSIONS?|In conclusion|These (results|findings|data)( suggest| indicate| show)?"
    r"( that)?|Our (results|findings|data)( suggest| indicate| show)?( that)?|We conclude that)"
    r"[,:]?\s*", re.I)

random.seed(a.seed)
files = [f"{d}/{f}" for d in sorted(os.listdir(a.corpus))
         for f in sorted(os.listdir(os.path.join(a.corpus, d)))]
random.shuffle(files)
os.makedirs(a.out, exist_ok=True)
with open(os.path.join(a.out, "queries.tsv"), "w") as q, \
        open(os.path.join(a.out, "qrels.txt"), "w") as r:
    n = 0
    for rel in files:
        with open(os.path.join(a.corpus, rel)) as f:
            lines = [l for l in f.read().splitlines() if not l.startswith("#")]
        if a.pick == "random":
            body, low, high = "\n".join(lines), 12, 35
        else:
            body, low, high = " ".join(lines), 8, 40
        sents = [s.strip() for s in re.split(r"(?<=[.!?])\s+", body)
                 if low <= len(s.split()) <= high]
        if len(sents) < (2 if a.pick == "random" else 3):
            continue
        if a.pick == "random":
            words = [w for w in random.choice(sents[1:]).split() if random.random() > a.drop]
        else:
            words = [w for w in LEAD_IN.sub("", sents[-1]).split() if random.random() >= a.drop]
        n += 1
        q.write(f"C{n}\t{' '.join(words)}\n")
        r.write(f"C{n} 0 {rel} 1\n")
        if n == 400:
            break
