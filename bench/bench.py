#!/usr/bin/env python3
"""lectern benchmark: ingest, batch and single-query speed, and ranking quality.

Usage: bench/run.sh [COLLECTION_DIR] [--scale N[,M...]] [--api-docs]

--scale N also builds an N-times larger corpus (N copies of every article with new
file names and lightly perturbed text) and reports ingest time, MB/s, peak memory,
index size, fresh-process query latency and batch throughput on it next to the 1x
figures (`--scale 10,100`: both; at 100, medquad-dev is about a million passages).
--api-docs ingests the Rust API docs ($(rustc --print sysroot)/share/doc/rust/html/
{std,core,alloc}, through a tree of symlinks to their files) and reports time, peak
RSS and passages, then the cost of an incremental ingest of one changed file.

The reference for every ratio is bare tantivy in the same run
(examples/bare_index.rs): indexing the passages lectern extracted (`lectern export`
of the index, through lectern's own document builder), answering the
same queries in a batch (same threads, top N, stored ids) and one query in a fresh
process. The last table lists the issue-14 targets as ratios.
LECTERN_BIN=path runs another lectern binary (e.g. an older build, for "before").

COLLECTION_DIR holds corpus/, queries.tsv, qrels.txt and optionally
queries-keyword.tsv and qrels-keyword.txt (the layout of medquad-dev). Without it,
a synthetic collection is generated under target/bench-synthetic.

Everything runs in one process tree on this machine, so the figures of one run
are comparable with each other (ratios), less so with another run's.
Standard library only.
"""

import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("LECTERN_BIN", ROOT / "target" / "release" / "lectern"))
BARE = Path(os.environ.get("BARE_BIN", ROOT / "target" / "release" / "examples" / "bare_index"))
# Depth rows (trec -n 10/100/1000) and the batches on scaled corpora run on the
# first DEPTH_QUERIES queries of each set, so that the whole run stays within
# about half an hour on a loaded 2-core machine.
DEPTH_QUERIES = int(os.environ.get("DEPTH_QUERIES", "1000"))


def sh(args, **kw):
    return subprocess.run(args, check=False, **kw)


def timed(args, stdin=None, repeat=1, ok=(0, 1)):
    """Median wall seconds of running args (stdout discarded); exits when a run
    ends with a code not in `ok` (lectern exits 1 when nothing matched)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with open(os.devnull, "wb") as devnull:
            proc = subprocess.run([str(a) for a in args], stdin=stdin and open(stdin, "rb"),
                                  stdout=devnull,
                                  stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            sys.exit(f"failed: {' '.join(map(str, args))}\n{proc.stderr.decode()}")
    return statistics.median(times)


def timed_interleaved(commands, rounds=5, ok=(0, 1)):
    """Median wall seconds of each command, run in turn (one of each per round,
    after a warm-up round): a ratio of two of them is measured under the same
    load, which moves by ±20 % between minutes on a shared machine."""
    times = [[] for _ in commands]
    for r in range(rounds + 1):
        for args, t in zip(commands, times):
            took = timed(args, ok=ok)
            if r:
                t.append(took)
    return [statistics.median(t) for t in times]


def children_cpu():
    """User plus system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb(args):
    """Peak resident memory (MB) of one run of args, via GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + [str(a) for a in args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(proc.stderr.decode().strip().splitlines()[-1]) / 1024


def timed_rss(args):
    """(wall seconds, peak RSS MB) of one run of args, via GNU time."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + [str(a) for a in args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall, rss = proc.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), int(rss) / 1024


def hyperfine_ms(commands):
    """Median wall ms of each command line (hyperfine -N; without hyperfine, 30
    interleaved runs timed from Python, which adds its ~1 ms spawn cost to each)."""
    if not shutil.which("hyperfine"):
        import shlex
        argvs = [shlex.split(c) for c in commands]
        times = [[] for _ in argvs]
        for i in range(35):
            for argv, t in zip(argvs, times):
                start = time.perf_counter()
                subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if i >= 5:
                    t.append(time.perf_counter() - start)
        return [1000 * statistics.median(t) for t in times]
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    sh(["hyperfine", "-N", "--warmup", "5", "--runs", "30", "--export-json", out] + commands,
       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = json.loads(out.read_text())["results"]
    out.unlink()
    return [1000 * r["median"] for r in results]


def quote(q):
    return "'" + q.replace("'", "") + "'"


def fresh_vs_bare(index, queries):
    """Median ms of a fresh process for 5 queries: lectern json (10 hits, snippets),
    lectern trec (10 hits) and bare tantivy (10 hits), interleaved by hyperfine."""
    rows = []
    for q in queries[:5]:
        # The reference must answer (a bare_index built for another schema fails).
        check = sh([str(BARE), "query", str(index), "10", q], capture_output=True)
        if check.returncode != 0:
            sys.exit(f"bare tantivy reference failed on {index}: {check.stderr.decode()}")
        rows.append(hyperfine_ms([
            f"{BIN} query --index {index} --format json {quote(q)}",
            f"{BIN} query --index {index} --format trec {quote(q)}",
            f"{BARE} query {index} 10 {quote(q)}",
        ]))
    return [statistics.median(col) for col in zip(*rows)]


def api_docs_tree(out: Path):
    """out/{std,core,alloc}/…: symlinks to every file of the Rust API docs (lectern
    follows links to files, not to folders)."""
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True,
                             text=True).stdout.strip()
    html = Path(sysroot) / "share" / "doc" / "rust" / "html"
    count = 0
    for crate in ["std", "core", "alloc"]:
        for dirpath, _, files in os.walk(html / crate):
            dst = out / Path(dirpath).relative_to(html)
            dst.mkdir(parents=True, exist_ok=True)
            for f in files:
                (dst / f).symlink_to(Path(dirpath) / f)
                count += 1
    return html, count


def scaled_copy(corpus: Path, out: Path, times: int, seed=11):
    """times copies of every file under corpus, renamed, one word in 50 swapped
    with its neighbour so that the copies are not byte-identical."""
    rng = random.Random(seed)
    shutil.rmtree(out, ignore_errors=True)
    for src in sorted(corpus.rglob("*")):
        if not src.is_file():
            continue
        text = src.read_text(errors="replace")
        rel = src.relative_to(corpus)
        for k in range(times):
            words = text.split(" ")
            for i in range(0, len(words) - 1, 50):
                j = i + rng.randrange(1, 50) if i + 50 < len(words) else i
                if j + 1 < len(words) and "<" not in words[j] and "<" not in words[j + 1]:
                    words[j], words[j + 1] = words[j + 1], words[j]
            dst = out / f"copy{k}" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(" ".join(words))


def dir_bytes(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def generate(out: Path, articles=600, seed=7):
    """A synthetic collection: HTML articles with sections, questions, qrels."""
    rng = random.Random(seed)
    words = [w.strip() for w in """alpha beta gamma delta epsilon zeta theta iota kappa lambda
        sigma omega liver kidney heart lung bone skin blood nerve muscle gland fever pain
        swelling fatigue rash cough nausea tremor therapy surgery drug dose scan test
        marker gene protein cell tissue infection virus bacteria enzyme hormone""".split()]
    aspects = ["Symptoms", "Causes", "Treatment", "Diagnosis", "Prevention", "Outlook"]
    (out / "corpus" / "synthetic").mkdir(parents=True, exist_ok=True)
    queries, qrels = [], []
    kqueries, kqrels = [], []
    for a in range(articles):
        name = f"{rng.choice(words).title()} {rng.choice(words)} syndrome {a}"
        sections = []
        for aspect in rng.sample(aspects, 4):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(40, 160)))
            body = f"{name} {aspect.lower()}: {body}."
            anchor = aspect.lower()
            sections.append(f'<section><h2 id="{anchor}">{aspect}</h2><p>{body}</p></section>')
            qid = f"s{a}-{anchor}"
            queries.append(f"{qid}\tWhat are the {aspect.lower()} of {name} ?")
            qrels.append(f"{qid} 0 synthetic/{a:05d}.html#{anchor} 1")
            kqueries.append(f"k{qid}\t{name.split()[0]} {a} {aspect.lower()}")
            kqrels.append(f"k{qid} 0 synthetic/{a:05d}.html#{anchor} 1")
        html = (f"<!doctype html><html><head><title>{name}</title></head><body>"
                f"<nav>Home About</nav><main><article><h1>{name}</h1>{''.join(sections)}"
                f"</article></main><footer>Contact us</footer></body></html>")
        (out / "corpus" / "synthetic" / f"{a:05d}.html").write_text(html)
    (out / "queries.tsv").write_text("\n".join(queries) + "\n")
    (out / "qrels.txt").write_text("\n".join(qrels) + "\n")
    (out / "queries-keyword.tsv").write_text("\n".join(kqueries) + "\n")
    (out / "qrels-keyword.txt").write_text("\n".join(kqrels) + "\n")


def fresh_ms(index, queries):
    """Median wall ms of a fresh `lectern query` process (10 hits, snippets, JSON),
    with hyperfine (-N, no shell) when installed, else timed from Python."""
    if shutil.which("hyperfine"):
        medians = []
        for q in queries[:5]:
            out = Path(tempfile.mkstemp(suffix=".json")[1])
            cmd = " ".join([str(BIN), "query", "--index", str(index), "--format", "json",
                            "'" + q.replace("'", "") + "'"])
            sh(["hyperfine", "-N", "--warmup", "5", "--runs", "40", "--export-json", out, cmd],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            medians.append(json.loads(out.read_text())["results"][0]["median"])
            out.unlink()
        return 1000 * statistics.median(medians), f"hyperfine, 5 queries x 40 runs"
    times = [timed([BIN, "query", "--index", index, "--format", "json", q]) for q in queries * 2]
    return 1000 * statistics.median(times), f"python timer, {len(times)} runs"


def first_queries(path, n):
    lines = [l for l in Path(path).read_text().splitlines() if l.strip()]
    return [l.split("\t", 1)[-1] for l in lines[:n]]


def main():
    args = sys.argv[1:]
    scales = []
    if "--scale" in args:
        i = args.index("--scale")
        scales = [int(x) for x in args[i + 1].split(",")]
        del args[i:i + 2]
    api_docs = "--api-docs" in args
    if api_docs:
        args.remove("--api-docs")
    targets = []  # (target, measured ratio, limit, "<=" or ">=")

    def target(name, ratio, limit, op):
        targets.append((name, ratio, limit, op))
    if args:
        coll = Path(args[0]).resolve()
    else:
        coll = ROOT / "target" / "bench-synthetic"
        if not (coll / "corpus").exists():
            generate(coll)
    corpus = coll / "corpus"
    work = Path(tempfile.mkdtemp(prefix="lectern-bench-"))
    index = work / "index"
    rows = []

    def row(name, value, unit=""):
        rows.append((name, value, unit))
        print(f"  {name}: {value} {unit}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    load_start = os.getloadavg()
    nproc = os.cpu_count()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    corpus_mb = dir_bytes(corpus) / 1e6

    # Ingest: full (fresh index each time), then unchanged re-ingest.
    full, full_cpu = [], []
    for _ in range(3):
        shutil.rmtree(index, ignore_errors=True)
        cpu = children_cpu()
        full.append(timed([BIN, "ingest", corpus, "--index", index]))
        full_cpu.append(children_cpu() - cpu)
    t_full = statistics.median(full)
    cpu_full = statistics.median(full_cpu)
    stats = json.loads(sh([BIN, "stats", "--format", "json", "--index", index],
                          capture_output=True).stdout)
    passages = stats["passages"]
    t_re = timed([BIN, "ingest", corpus, "--index", index], repeat=5)
    row("ingest wall (median of 3)", f"{t_full:.2f}", "s")
    bare = BARE
    if bare.exists():
        # The same passages: lectern's own, exported from the index just built.
        exported = work / "exported-passages.jsonl"
        with open(exported, "wb") as f:
            subprocess.run([BIN, "export", "--index", index], stdout=f,
                           stderr=subprocess.DEVNULL, check=True)
        bare_times, bare_cpu = [], []
        for _ in range(3):
            shutil.rmtree(work / "bare", ignore_errors=True)
            out = sh([bare, exported, work / "bare"], capture_output=True)
            bare_times.append(float(out.stdout.decode().split()[-1]))
            for line in out.stderr.decode().splitlines():
                if line.startswith("bare_index_cpu_seconds "):
                    bare_cpu.append(float(line.split()[-1]))
        t_bare_ix = statistics.median(bare_times)
        row("bare tantivy indexing of the same passages (lectern export; median of 3)",
            f"{t_bare_ix:.2f}",
            f"s (lectern ingest = {t_full / t_bare_ix:.2f}x)")
        target("ingest time / bare tantivy indexing", t_full / t_bare_ix, 1.2, "<=")
        if bare_cpu:
            # CPU seconds (all threads): the ratio to read on a loaded machine.
            cpu_bare = statistics.median(bare_cpu)
            row("ingest CPU user+sys / bare tantivy indexing CPU (medians of 3)",
                f"{cpu_full:.2f} / {cpu_bare:.2f}", f"s ({cpu_full / cpu_bare:.2f}x)")
    shutil.rmtree(index, ignore_errors=True)
    row("ingest peak RSS", f"{peak_rss_mb([BIN, 'ingest', corpus, '--index', index]):.0f}", "MB")
    row("ingest throughput", f"{corpus_mb / t_full:.1f}", "MB/s")
    row("ingest passages/s", f"{passages / t_full:,.0f}", "passages/s")
    row("re-ingest unchanged (median of 5)", f"{t_re:.3f}", f"s ({100 * t_re / t_full:.0f}% of full)")
    row("index size", f"{stats['index_bytes'] / 1e6:.1f}",
        f"MB ({stats['index_bytes'] / 1e6 / corpus_mb:.2f} per MB of input; {passages} passages)")

    sets = [("questions", "queries.tsv", "qrels.txt"),
            ("keywords", "queries-keyword.tsv", "qrels-keyword.txt")]
    for name, qfile, qrels in sets:
        qpath = coll / qfile
        if not qpath.exists():
            continue
        nq = sum(1 for l in qpath.read_text().splitlines() if l.strip())
        base = [BIN, "query", "--index", index, "--batch", qpath]
        t_snip = timed(base + ["--format", "jsonl"], repeat=3)
        t_bare, t_ref = timed_interleaved(
            [base + ["--format", "trec", "--no-snippets"],
             [BARE, "batch", index, "10", str(nproc), qpath]], ok=(0,))
        row(f"batch {name}, snippets ({nq} queries)", f"{nq / t_snip:,.0f}", "queries/s")
        row(f"batch {name}, --no-snippets", f"{nq / t_bare:,.0f}", "queries/s")
        subset = work / f"{name}-first{DEPTH_QUERIES}.tsv"
        subset_lines = [l for l in qpath.read_text().splitlines() if l.strip()][:DEPTH_QUERIES]
        subset.write_text("\n".join(subset_lines) + "\n")
        ns = len(subset_lines)
        trec = [BIN, "query", "--index", index, "--batch", subset, "--format", "trec"]
        row(f"batch {name}, bare tantivy (top 10, {nproc} threads; interleaved with the row above)",
            f"{nq / t_ref:,.0f}",
            f"queries/s (lectern trec --no-snippets = {t_ref / t_bare:.2f}x its throughput)")
        target(f"batch {name} without snippets, throughput / bare tantivy", t_ref / t_bare,
               1.0, ">=")
        t100, t100_ns = timed_interleaved([trec + ["-n", "100"],
                                           trec + ["-n", "100", "--no-snippets"]])
        row(f"batch {name} (first {ns}), trec -n 100", f"{ns / t100:,.0f}",
            f"queries/s ({t100 / t100_ns:.2f}x the time of --no-snippets: {ns / t100_ns:,.0f} q/s)")
        target(f"{name}: trec -n 100 time / --no-snippets", t100 / t100_ns, 1.15, "<=")
        t10, t1000 = timed_interleaved([trec + ["-n", "10"], trec + ["-n", "1000"]], rounds=9)
        row(f"batch {name} (first {ns}), trec -n 1000", f"{ns / t1000:,.0f}",
            f"queries/s ({t1000 / t10:.2f}x the time of -n 10: {ns / t10:,.0f} q/s; "
            "medians of 9 interleaved runs)")
        target(f"{name}: trec -n 1000 time / -n 10", t1000 / t10, 3.0, "<=")
        run = work / f"{name}.run"
        with open(run, "wb") as f:
            sh(base + ["--format", "trec", "--no-snippets", "-n", "100"], stdout=f)
        ev = json.loads(sh([BIN, "eval", "--format", "json", "--qrels", coll / qrels, "--run", run],
                           capture_output=True).stdout)
        row(f"{name} MRR@10", f"{ev['mrr_at_10']:.4f}")
        row(f"{name} nDCG@10", f"{ev['ndcg_at_10']:.4f}")
        row(f"{name} Recall@100", f"{ev['recall_at_100']:.4f}")
        row(f"{name} P@1", f"{ev['p_at_1']:.4f}")

        # Fresh process, one query, 10 hits with snippets.
        if bare.exists():
            json_ms, trec_ms, bare_ms = fresh_vs_bare(index, first_queries(qpath, 40))
            how = ("hyperfine -N" if shutil.which("hyperfine") else "python timer") + \
                ", 5 queries x 30 runs, interleaved"
            row(f"single {name} query, fresh process, json (median; {how})", f"{json_ms:.1f}",
                f"ms ({json_ms / bare_ms:.2f}x bare tantivy)")
            row(f"single {name} query, fresh process, trec", f"{trec_ms:.1f}",
                f"ms ({trec_ms / bare_ms:.2f}x bare tantivy)")
            row(f"single {name} query, fresh bare tantivy process", f"{bare_ms:.1f}", "ms")
            target(f"fresh {name} (json, snippets) / bare tantivy process", json_ms / bare_ms,
                   1.6, "<=")
        else:
            ms, how = fresh_ms(index, first_queries(qpath, 40))
            row(f"single {name} query, fresh process (median; {how})", f"{ms:.1f}", "ms")

    for scale in scales:
        big = work / f"corpus-x{scale}"
        scaled_copy(corpus, big, scale)
        big_mb = dir_bytes(big) / 1e6
        big_index = work / f"index-x{scale}"
        # --keep-duplicates: the copies are near-duplicates that ingest would
        # otherwise fold into aliases (10x gave 61,332 passages, not ~103,000).
        t_big, rss_big = timed_rss([BIN, "ingest", big, "--index", big_index,
                                    "--keep-duplicates"])
        big_stats = json.loads(sh([BIN, "stats", "--format", "json", "--index", big_index],
                                  capture_output=True).stdout)
        row(f"{scale}x corpus ingest wall", f"{t_big:.2f}",
            f"s ({big_mb:.0f} MB, {big_stats['passages']:,} passages, {big_mb / t_big:.1f} MB/s, "
            f"{t_big / t_full:.1f}x the 1x time)")
        row(f"{scale}x ingest peak RSS", f"{rss_big:.0f}", "MB")
        row(f"{scale}x index size", f"{big_stats['index_bytes'] / 1e6:.0f}",
            f"MB ({big_stats['index_bytes'] / 1e6 / big_mb:.2f} per MB of input)")
        if scale == 10:
            target("10x ingest time / 1x", t_big / t_full, 11.0, "<=")
            target("10x ingest peak RSS (MB)", rss_big, 300, "<=")
        if big_stats["passages"] >= 900_000:
            target(f"{scale}x ({big_stats['passages']:,} passages) ingest peak RSS (MB)", rss_big,
                   1024, "<=")
        shutil.rmtree(big, ignore_errors=True)
        for name, qfile, _ in sets:
            qpath = coll / qfile
            if not qpath.exists():
                continue
            subset = work / f"{name}-first{DEPTH_QUERIES}.tsv"
            nq = sum(1 for l in subset.read_text().splitlines() if l.strip())
            if bare.exists():
                json_ms, trec_ms, bare_ms = fresh_vs_bare(big_index, first_queries(qpath, 40))
                row(f"{scale}x single {name} query, fresh process, json", f"{json_ms:.1f}",
                    f"ms ({json_ms / bare_ms:.2f}x bare tantivy: {bare_ms:.1f} ms)")
            t_b = timed([BIN, "query", "--index", big_index, "--batch", subset, "--format",
                         "trec", "--no-snippets"])
            t_r = timed([BARE, "batch", big_index, "10", str(nproc), subset], ok=(0,))
            row(f"{scale}x batch {name} (first {nq}), trec --no-snippets", f"{nq / t_b:,.0f}",
                f"queries/s (bare tantivy {nq / t_r:,.0f} q/s; {t_r / t_b:.2f}x)")
        shutil.rmtree(big_index, ignore_errors=True)

    if api_docs:
        # The tree is symlinks to the installed docs: --follow reads through them.
        tree = work / "api-docs"
        html, files = api_docs_tree(tree)
        docs_mb = sum(f.stat().st_size for f in tree.rglob("*") if f.is_file()) / 1e6
        docs_index = work / "index-api-docs"
        t_docs, rss_docs = timed_rss([BIN, "ingest", tree, "--index", docs_index, "--follow"])
        docs_stats = json.loads(sh([BIN, "stats", "--format", "json", "--index", docs_index],
                                   capture_output=True).stdout)
        row("API docs std+core+alloc ingest", f"{t_docs:.1f}",
            f"s ({files:,} files, {docs_mb:.0f} MB, {docs_stats['passages']:,} passages, "
            f"{rss_docs:.0f} MB peak RSS)")
        t_same = timed([BIN, "ingest", tree, "--index", docs_index, "--follow"])
        # One changed file: a copy in place of its symlink (new size and mtime).
        victim = next(p for p in sorted((tree / "std").glob("*.html")))
        content = victim.read_bytes()
        victim.unlink()
        victim.write_bytes(content + b"\n<p>changed</p>\n")
        t_one, rss_one = timed_rss([BIN, "ingest", tree, "--index", docs_index, "--follow"])
        manifest = max((f.stat().st_size for f in docs_index.rglob("manifest*")), default=0)
        row("API docs incremental ingest, nothing changed / one file changed",
            f"{t_same:.2f} / {t_one:.2f}",
            f"s ({rss_one:.0f} MB peak RSS; manifest {manifest / 1e6:.1f} MB)")
        if bare.exists():
            ms = hyperfine_ms([f"{BIN} query --index {docs_index} --format json 'HashMap entry'",
                               f"{BARE} query {docs_index} 10 'HashMap entry'"])
            row("API docs fresh query 'HashMap entry', json / bare tantivy",
                f"{ms[0]:.1f} / {ms[1]:.1f}", f"ms ({ms[0] / ms[1]:.2f}x)")
        shutil.rmtree(docs_index, ignore_errors=True)
        shutil.rmtree(tree, ignore_errors=True)

    print()
    print(f"collection: {coll} ({corpus_mb:.1f} MB)")
    print(f"benchmark wall time: {time.perf_counter() - started:.0f} s; load average "
          f"at start {load_start}, at end {os.getloadavg()}")
    print(f"machine: {nproc} cores, {mem_gb:.0f} GB RAM; lectern {BIN}")
    print()
    print("| measure | value | unit |")
    print("|---|---|---|")
    for name, value, unit in rows:
        print(f"| {name} | {value} | {unit} |")
    if targets:
        print()
        print("| target (issue 14) | measured | limit | met |")
        print("|---|---|---|---|")
        for name, value, limit, op in targets:
            met = value <= limit if op == "<=" else value >= limit
            print(f"| {name} | {value:.2f} | {op} {limit:g} | {'yes' if met else 'no'} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
