"""Compares two TREC runs of the same queries (bench/layouts.sh): how many queries differ,
in scores only or in the ranked ids, and the first rank where the ids differ.
Usage: layout_diff.py RUN_A RUN_B [EXAMPLES]"""
import collections
import itertools
import sys


def groups(path):
    with open(path) as f:
        for qid, lines in itertools.groupby(f, key=lambda l: l.split(" ", 1)[0]):
            yield qid, [l.split() for l in lines]


def main():
    a, b = dict(groups(sys.argv[1])), dict(groups(sys.argv[2]))
    shown = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    one_only = sorted(set(a) ^ set(b))
    if one_only:
        print("  queries answered by one run only:", one_only[:10])
    differ = scores_only = 0
    first_rank = collections.Counter()
    max_rel = 0.0
    examples = []
    for qid, la in a.items():
        lb = b.get(qid)
        if lb is None or la == lb:
            continue
        differ += 1
        ids_a, ids_b = [x[2] for x in la], [x[2] for x in lb]
        if ids_a == ids_b:
            scores_only += 1
            for x, y in zip(la, lb):
                fa, fb = float(x[4]), float(y[4])
                max_rel = max(max_rel, abs(fa - fb) / max(abs(fa), 1e-9))
            continue
        r = next(i for i, (x, y) in enumerate(zip(ids_a + ["<end>"], ids_b + ["<end>"])) if x != y) + 1
        first_rank[1 if r == 1 else 10 if r <= 10 else 100 if r <= 100 else 1000] += 1
        if len(examples) < shown:
            examples.append((qid, r, la[r - 1][2:5] if r <= len(la) else None,
                             lb[r - 1][2:5] if r <= len(lb) else None))
    print(f"  queries {len(a)}, differ {differ}: scores only {scores_only} (max relative "
          f"difference {max_rel:.2e}), ranked ids {differ - scores_only}; first differing "
          f"id at rank 1 / 2-10 / 11-100 / 101-1000: "
          f"{[first_rank[k] for k in (1, 10, 100, 1000)]}")
    for e in examples:
        print("   ", e)


if __name__ == "__main__":
    main()
