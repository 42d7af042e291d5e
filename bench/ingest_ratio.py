#!/usr/bin/env python3
"""Ingest cost of one or more lectern binaries as a ratio to bare tantivy, interleaved.

Usage: bench/ingest_ratio.py ROUNDS CORPUS LECTERN [LECTERN...]

Each round ingests CORPUS into a fresh index with every LECTERN given, then runs the
bare tantivy reference (target/release/examples/bare_index, or $BARE_BIN) on the
`lectern export` of the first binary's index. Prints, per binary, the median wall and
CPU (user+sys of the process) and their ratios to the bare reference's wall and
indexing CPU. Interleaving keeps binaries comparable on a machine whose load moves.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = os.environ.get("BARE_BIN", str(ROOT / "target" / "release" / "examples" / "bare_index"))


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, corpus, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    work = Path(tempfile.mkdtemp(prefix="ingest-ratio-"))
    try:
        index = work / "index"
        run([bins[0], "ingest", corpus, "--index", index, "--follow"])
        exported = work / "export.jsonl"
        with open(exported, "w") as out:
            subprocess.run([bins[0], "export", "--index", index], stdout=out,
                           stderr=subprocess.DEVNULL, check=True)
        times = {b: [] for b in bins}
        bare = []
        for _ in range(rounds):
            for b in bins:
                shutil.rmtree(index, ignore_errors=True)
                times[b].append(run([b, "ingest", corpus, "--index", index, "--follow"])[:2])
            shutil.rmtree(work / "bare", ignore_errors=True)
            _, _, proc = run([BARE, exported, work / "bare"])
            seconds = float(proc.stdout.split()[-1])
            cpu = next(float(line.split()[-1]) for line in proc.stderr.splitlines()
                       if line.startswith("bare_index_cpu_seconds "))
            bare.append((seconds, cpu))
        bare_wall = statistics.median(w for w, _ in bare)
        bare_cpu = statistics.median(c for _, c in bare)
        print(f"load average at the end {os.getloadavg()}")
        print(f"bare tantivy: wall {bare_wall:.3f} s, indexing CPU {bare_cpu:.3f} s")
        for b, runs in times.items():
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{b}: wall {wall:.3f} s ({wall / bare_wall:.2f}x bare), "
                  f"CPU {cpu:.3f} s ({cpu / bare_cpu:.2f}x bare)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
