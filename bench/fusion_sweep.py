#!/usr/bin/env python3
"""Query-time fusion sweep for the `semantic` feature (issue 16), without re-encoding.

Input: per row, two TREC runs of an index ingested with --embed:
    lectern query --index IX --batch Q --format trec -n 100  --no-snippets --semantic off  > TAG-off.trec
    lectern query --index IX --batch Q --format trec -n 1000 --no-snippets --semantic only > TAG-only.trec
(the `only` run's scores are cosines; binaries before fusion=cosine wrote 1/(60 + rank)
there, which the rank-based rows below accept too). The `cosine` rows need the cosine
of every lexical candidate down to the floor, the cosine of dense rank 2 x depth (200):
run `only` at least that deep (-n 200 gives exactly lectern's fusion). Every fusion
below is computed from
these two lists and scored with `lectern eval`'s definitions (MRR@10, nDCG@10,
P@1; `--level article` maps passages to articles), so a setting can be tried on a
whole collection in seconds. The `rrf` and `linear` rows are what
`--param fusion=rrf|linear ...` computes (checked: RRF k 60, w 0.5 on NFCorpus gives
0.35217 here and 0.35213 from `lectern eval --semantic fuse --param fusion=rrf`).

Usage: bench/fusion_sweep.py [--settings PREFIX] RUNS_DIR ROW=TAG:QRELS:LEVEL:METRIC[:QID_PREFIX] ...
  --settings PREFIX: only the settings whose name starts with PREFIX (e.g. "cosine")
  e.g. nfcorpus=nf:../shared/eval/nfcorpus/qrels-article.txt:article:ndcg_at_10
Standard library only.
"""
import math
import sys
from collections import defaultdict
from urllib.parse import unquote


def load_run(path):
    run = defaultdict(list)
    for line in open(path):
        q, _, d, _, s, _ = line.split()
        run[q].append((unquote(d), float(s)))
    return run


def load_qrels(path, level, prefix):
    qr = defaultdict(dict)
    for line in open(path):
        if line.strip():
            q, _, d, g = line.split()
            if level == "article":
                d = d.split("#", 1)[0]
            qr[q][d] = max(qr[q].get(d, int(g)), int(g))
    return {q: j for q, j in qr.items() if any(g > 0 for g in j.values())
            and (prefix is None or q.split("-")[0] == prefix)}


def metric(ids, judged, name):
    if name == "mrr_at_10":
        return next((1.0 / (r + 1) for r, d in enumerate(ids[:10]) if judged.get(d, 0) > 0), 0.0)
    if name == "p_at_1":
        return 1.0 if ids and judged.get(ids[0], 0) > 0 else 0.0
    dcg = sum(judged.get(d, 0) / math.log2(r + 2) for r, d in enumerate(ids[:10]) if judged.get(d, 0) > 0)
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def ranked(scores):
    return [d for d, _ in sorted(scores.items(), key=lambda x: (-x[1], x[0]))][:100]


def rrf(k, w, depth=100):
    def f(lex, den):
        s = defaultdict(float)
        for r, (d, _) in enumerate(lex[:depth]):
            s[d] += 1.0 / (k + r + 1)
        for r, (d, _) in enumerate(den[:depth]):
            s[d] += w / (k + r + 1)
        return ranked(s)
    return f


def minmax(lst):
    if not lst:
        return {}
    hi, lo = lst[0][1], lst[-1][1]
    return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in lst}


def linear(mix, depth=100, k=60.0):
    """lectern's scores and the dense ranks (1/(k + rank)), each min-max normalised."""
    def f(lex, den):
        a = minmax(lex[:depth])
        b = minmax([(d, 1.0 / (k + r + 1)) for r, (d, _) in enumerate(den[:depth])])
        return ranked({d: (1 - mix) * a.get(d, 0) + mix * b.get(d, 0) for d in set(a) | set(b)})
    return f


def cosine(mix, depth=100):
    """fusion=cosine: the union of both top `depth` lists; lectern's scores min-max
    normalised over its list (0 beyond it), every candidate's cosine, at least the
    cosine of dense rank 2 x depth, min-max normalised over the candidates."""
    def f(lex, den):
        a = minmax(lex[:depth])
        cos = dict(den)
        floor = den[min(2 * depth, len(den)) - 1][1] if den else 0.0
        cand = {d for d, _ in lex[:depth]} | {d for d, _ in den[:depth]}
        b = minmax(sorted(((d, max(floor, cos.get(d, floor))) for d in cand),
                          key=lambda x: (-x[1], x[0])))
        return ranked({d: (1 - mix) * a.get(d, 0) + mix * b.get(d, 0) for d in cand})
    return f


def main():
    args = sys.argv[1:]
    prefix_filter = ""
    if args[:1] == ["--settings"]:
        prefix_filter, args = args[1], args[2:]
    runs, specs = args[0], args[1:]
    rows = []
    for spec in specs:
        name, rest = spec.split("=", 1)
        parts = rest.split(":")
        tag, qrels, level, name_m = parts[:4]
        prefix = parts[4] if len(parts) > 4 else None
        rows.append((name, load_run(f"{runs}/{tag}-off.trec"), load_run(f"{runs}/{tag}-only.trec"),
                     load_qrels(qrels, level, prefix), level, name_m))

    def evaluate(row, fuse):
        _, lex, den, qrels, level, m = row
        total = 0.0
        for q, judged in qrels.items():
            ids = fuse(lex.get(q, []), den.get(q, []))
            if level == "article":
                seen = set()
                ids = [a for a in (i.split("#", 1)[0] for i in ids) if not (a in seen or seen.add(a))]
            total += metric(ids, judged, m)
        return total / max(len(qrels), 1)

    off = lambda lex, den: [d for d, _ in lex]
    only = lambda lex, den: [d for d, _ in den]
    base = [evaluate(r, off) for r in rows]
    print("row\tqueries\tlexical\tdense")
    for r, b in zip(rows, base):
        print(f"{r[0]}\t{len(r[3])}\t{b:.4f}\t{evaluate(r, only):.4f}")
    grid = [(f"rrf k={k} w={w}", rrf(k, w)) for k in (10, 20, 30, 60, 100, 200)
            for w in (0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0)]
    grid += [(f"rrf k=60 w=0.5 depth={d}", rrf(60, 0.5, d)) for d in (10, 20, 30, 50)]
    grid += [(f"linear mix={m} depth={d}", linear(m, d)) for m in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
             for d in (50, 100)]
    grid += [(f"cosine mix={m}", cosine(m)) for m in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)]
    grid = [(name, f) for name, f in grid if name.startswith(prefix_filter)]
    out = []
    for name, f in grid:
        lifts = [evaluate(r, f) - b for r, b in zip(rows, base)]
        out.append((min(lifts), name, lifts))
    out.sort(key=lambda x: -x[0])
    print("\nworst lift\tsetting\t" + "\t".join(r[0] for r in rows))
    for worst, name, lifts in out:
        print(f"{worst:+.4f}\t{name}\t" + "\t".join(f"{v:+.4f}" for v in lifts))


if __name__ == "__main__":
    main()
