#!/usr/bin/env python3
"""Cost of depth: `query --batch Q --format trec -n 10` against `-n 1000`, for one or
more lectern binaries on one index, run interleaved (every binary and depth once per
round, ROUNDS rounds after a warm-up round), medians of wall and user seconds.

    python3 bench/depth.py --index IX --queries q1000.tsv [--queries k1000.tsv] BIN [BIN ...]

Prints a Markdown table: set, binary, -n 10 and -n 1000 wall and user medians, ratios.
"""
import argparse
import resource
import statistics
import subprocess
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--index", required=True)
ap.add_argument("--queries", action="append", required=True, help="batch query file (repeatable)")
ap.add_argument("--rounds", type=int, default=9)
ap.add_argument("bins", nargs="+")
a = ap.parse_args()

print("| queries | binary | -n 10 wall | -n 1000 wall | ratio | -n 10 user | -n 1000 user | ratio |")
print("|---|---|---|---|---|---|---|---|")
for queries in a.queries:
    res = {}
    for rnd in range(a.rounds + 1):
        for b in a.bins:
            for n in ("10", "1000"):
                cmd = [b, "query", "--index", a.index, "--batch", queries, "--format", "trec", "-n", n]
                u0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - t0
                user = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - u0
                if rnd:  # round 0 warms the page cache
                    res.setdefault((b, n), []).append((wall, user))
    for b in a.bins:
        med = lambda n, i: statistics.median(x[i] for x in res[(b, n)])
        w10, w1k, u10, u1k = med("10", 0), med("1000", 0), med("10", 1), med("1000", 1)
        print(f"| {queries} | {b} | {w10:.3f} | {w1k:.3f} | {w1k / w10:.2f}x | {u10:.3f} | {u1k:.3f} | {u1k / u10:.2f}x |")
