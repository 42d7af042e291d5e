#!/usr/bin/env python3
"""A fresh process per query: one or more lectern binaries (`query --format json`, 10
hits with snippets, as bench/bench.py times it) and the bare tantivy reference on one
index, run interleaved (each command once per query per round, ROUNDS rounds after
three warm-up rounds) on the first five queries of a file; medians over the rounds of
each query, then over the queries.

    python3 bench/fresh.py --index IX --queries k1000.tsv [--rounds 20] \\
        --bare target/release/examples/bare_index BIN [BIN ...]

Prints a Markdown table: binary, median ms, ratio to bare tantivy.
"""
import argparse
import statistics
import subprocess
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--index", required=True)
ap.add_argument("--queries", required=True, help="query file (id TAB text per line)")
ap.add_argument("--rounds", type=int, default=20)
ap.add_argument("--bare", required=True, help="bench reference: examples/bare_index")
ap.add_argument("bins", nargs="+")
a = ap.parse_args()

with open(a.queries, encoding="utf-8") as f:
    queries = [line.rstrip("\n").split("\t", 1)[-1] for line in f if line.strip()][:5]
commands = {b: [b, "query", "--index", a.index, "--format", "json"] for b in a.bins}
commands["bare tantivy"] = [a.bare, "query", a.index, "10"]
times = {name: {q: [] for q in queries} for name in commands}
for rnd in range(a.rounds + 3):
    for q in queries:
        for name, cmd in commands.items():
            t0 = time.perf_counter()
            subprocess.run(cmd + [q], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if rnd >= 3:  # the first rounds warm the page cache
                times[name][q].append(time.perf_counter() - t0)
ms = {name: 1000 * statistics.median(statistics.median(t) for t in by_q.values())
      for name, by_q in times.items()}
print("| binary | fresh query (ms) | / bare tantivy |")
print("|---|---|---|")
for name, m in ms.items():
    print(f"| {name} | {m:.2f} | {m / ms['bare tantivy']:.2f}x |")
