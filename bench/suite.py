#!/usr/bin/env python3
"""lectern development suite (issue 11): ranking quality on collections of several
shapes, plain BM25 beside the default ranking (and optionally a candidate), one table.

Usage: bench/suite.sh [options] [--param NAME=VALUE ...]

Rows (skipped with a note on stderr when their collection is missing):
  medquad-dev questions, medquad-dev keywords   sectioned articles, passage qrels
  medquad-dev flattened (questions, keywords)   the same, one section per article
                                                (bench/flatten.py), article level
  nfcorpus                                      abstracts, graded article qrels,
                                                article level (eval --level article)
  rust books                                    the Rust mdBook books, bench/rust-books
                                                (passage qrels written by hand)

Columns: plain BM25 (`--ranking bm25` when the binary has it, else the `--param`
approximation printed under the table), the default ranking, and "candidate" = the
default plus the `--param` arguments given to this script (omitted when none).
Every figure is `lectern eval --queries … --qrels … --index …` (top 100, trec_eval
definitions), so any cell can be re-run by hand; `--show-commands` prints them.

Indexes live in the work dir (default target/suite), one per collection, and are
brought up to date with `lectern ingest` on each run: unchanged corpora are not
re-read (lectern's manifest), a binary with another extractor rebuilds by itself.
The Rust books corpus is WORK/rust-books: a tree of symlinks to the `.html` files of
the mdBook books under RUST_DOCS (see bench/rust-books/README.md).
Standard library only.
"""

import argparse
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

# The mdBook books of the Rust documentation (folders of RUST_DOCS with mdBook's
# book*.js); those missing from an installation are skipped (and reported).
RUST_BOOKS = ["book", "cargo", "clippy", "edition-guide", "embedded-book", "error_codes",
              "nomicon", "reference", "rust-by-example", "rustc", "rustdoc", "style-guide",
              "unstable-book"]

# Plain BM25 through --param, for binaries without `--ranking bm25`: BM25F with equal
# field weights (one k1 saturation over title+heading+body; length normalised per
# field), over the top 100 of the first stage; no title bonus, lead bonus, heading
# association, abbreviation expansion or did-you-mean replacement.
BM25_APPROX = ["candidates=100", "title=1", "heading=1", "body=1", "sep_title=0",
               "sep_heading=0", "sep_body=0", "lead=0", "assoc=0", "expansion=0", "fuzzy=0"]


def shared_default(name):
    """../shared/eval/NAME beside the repository; for a git worktree, also beside
    the main checkout (worktrees share its siblings)."""
    candidates = [ROOT.parent / "shared" / "eval" / name]
    try:
        common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append((ROOT / common).resolve().parent.parent / "shared" / "eval" / name)
    except (OSError, subprocess.CalledProcessError):
        pass
    return next((c for c in candidates if c.exists()), candidates[0])


def rust_docs_default():
    try:
        sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        return Path(sysroot) / "share" / "doc" / "rust" / "html"
    except (OSError, subprocess.CalledProcessError):
        return Path("rust-docs-not-found")


def note(msg):
    print(msg, file=sys.stderr, flush=True)


def run(args, **kw):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    return proc


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest(binary, corpus, index, keep, embed=(), follow=False):
    """Brings index up to date with corpus (lectern's incremental ingest). An index
    built by another binary is rebuilt unless keep: an extractor change that does
    not bump lectern's extractor version would otherwise leave stale passages."""
    start = time.perf_counter()
    stamp = index.parent / f"{index.name}.built-by"
    binary_hash = file_sha256(binary)
    args = [binary, "ingest", corpus, "--index", index, *embed]
    # The rust-books corpus is a tree of links into the toolchain's docs: a lectern
    # that follows only links staying inside the corpus needs --follow for it.
    if follow and "--follow" in run([binary, "ingest", "--help"]).stdout:
        args.append("--follow")
    if not keep and index.exists() and not (stamp.exists() and stamp.read_text() == binary_hash):
        args.append("--rebuild")
    proc = run(args)
    if proc.returncode == 2:
        sys.exit(f"ingest of {corpus} failed:\n{proc.stderr}")
    index.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(binary_hash)
    summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    note(f"  ingest {corpus} -> {index} ({time.perf_counter() - start:.1f} s): {summary}")


def link_tree(docs, books, out):
    """out/<book>/… : symlinks to every .html file of the books (stale links removed)."""
    wanted = {}
    for book in books:
        for src in sorted((docs / book).rglob("*.html")):
            wanted[out / src.relative_to(docs)] = src
    for dst, src in wanted.items():
        if dst.is_symlink() and Path(os.readlink(dst)) == src:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink():
            dst.unlink()
        dst.symlink_to(src)
    if out.exists():
        for path in list(out.rglob("*")):
            if path.is_symlink() and path not in wanted:
                path.unlink()
    return len(wanted)


def flattened(collection, out):
    """bench/flatten.py's copy of collection in out, rebuilt only when older than its
    source (so that the index over it is reused)."""
    stamp = out / ".source-mtime"
    source_mtime = str((collection / "passages.jsonl").stat().st_mtime_ns)
    if not (stamp.exists() and stamp.read_text() == source_mtime):
        proc = run([sys.executable, BENCH / "flatten.py", collection, out])
        if proc.returncode != 0:
            sys.exit(f"flatten.py failed:\n{proc.stderr}")
        stamp.write_text(source_mtime)
    return out


def evaluate(binary, index, queries, qrels, level, extra, show, per_query=False):
    args = [binary, "eval", "--queries", queries, "--qrels", qrels, "--index", index,
            "--format", "json"] + (["--per-query"] if per_query else [])
    if level != "passage":
        args += ["--level", level]
    args += extra
    if show:
        note("  $ " + " ".join(shlex.quote(str(a)) for a in args))
    proc = run(args)
    if proc.returncode != 0:
        sys.exit(f"eval failed ({proc.returncode}): {' '.join(map(str, args))}\n{proc.stderr}")
    return json.loads(proc.stdout)


def missing_judged(binary, index, qrels):
    """Judged passage ids that are not in the index (the docs changed since the
    judgements were written, or the extractor names sections differently)."""
    ids = sorted({line.split()[2] for line in open(qrels) if line.strip()})
    return [i for i in ids
            if run([binary, "show", i, "--index", index, "--format", "json"]).returncode != 0]


def has_option(binary, command, option):
    return option in run([binary, command, "--help"]).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "lectern",
                    help="lectern binary (default target/release/lectern)")
    ap.add_argument("--work", type=Path, default=ROOT / "target" / "suite",
                    help="indexes and derived corpora (default target/suite)")
    ap.add_argument("--medquad", type=Path, default=shared_default("medquad-dev"),
                    help="medquad-dev collection (default ../shared/eval/medquad-dev)")
    ap.add_argument("--nfcorpus", type=Path, default=shared_default("nfcorpus"),
                    help="NFCorpus collection (default ../shared/eval/nfcorpus)")
    ap.add_argument("--rust-docs", type=Path, default=rust_docs_default(),
                    help="the Rust html docs (default $(rustc --print sysroot)/share/doc/rust/html)")
    ap.add_argument("--rows", default="all",
                    help="comma-separated subset: questions,keywords,flat,nfcorpus,rust")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="candidate configuration: the default plus these --param values")
    ap.add_argument("--candidate-args", default="",
                    help="candidate as raw lectern arguments instead, e.g. '--ranking x'")
    ap.add_argument("--no-default", action="store_true", help="skip the default column")
    ap.add_argument("--keep-index", action="store_true",
                    help="update indexes built by another binary incrementally instead of rebuilding them")
    ap.add_argument("--semantic", type=Path, metavar="MODEL_DIR",
                    help="binary built with --features semantic: ingest with --embed --model "
                    "MODEL_DIR (indexes in WORK/index-embed) and add the columns dense "
                    "(--semantic only) and fused (--semantic fuse); the lexical columns run "
                    "with --semantic off, and the candidate is fused + its --params")
    ap.add_argument("--show-commands", action="store_true",
                    help="print every lectern eval command on stderr")
    opts = ap.parse_args()

    binary = opts.bin.resolve()
    if not binary.exists():
        sys.exit(f"no binary at {binary} (build it: cargo build --release)")
    work = opts.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    rows_wanted = set(opts.rows.split(",")) if opts.rows != "all" else None
    known = {"questions", "keywords", "flat", "nfcorpus", "rust"}
    if rows_wanted and not rows_wanted <= known:
        sys.exit(f"unknown rows {sorted(rows_wanted - known)}; known: {', '.join(sorted(known))}")
    want = lambda name: rows_wanted is None or name in rows_wanted

    if has_option(binary, "eval", "--ranking"):
        baseline, baseline_args = "--ranking bm25", ["--ranking", "bm25"]
    else:
        baseline = "--param " + " --param ".join(BM25_APPROX) + " (approximation: this binary has no --ranking)"
        baseline_args = [a for p in BM25_APPROX for a in ("--param", p)]
    semantic = opts.semantic is not None
    if semantic and not has_option(binary, "eval", "--semantic"):
        sys.exit(f"{binary} has no --semantic: build it with --features semantic")
    off = ["--semantic", "off"] if semantic else []
    columns = [("plain BM25", baseline_args + off)]
    if not opts.no_default:
        columns.append(("default", off))
    if semantic:
        columns.append(("dense", ["--semantic", "only"]))
        columns.append(("fused", ["--semantic", "fuse"]))
    candidate = [a for p in opts.param for a in ("--param", p)] + shlex.split(opts.candidate_args)
    if candidate:
        columns.append(("candidate", candidate + (["--semantic", "fuse"] if semantic else [])))
    embed = ["--embed", "--model", opts.semantic.resolve()] if semantic else []

    # (label, index name, corpus, queries, qrels, level, metrics)
    rows = []
    mq = opts.medquad
    if (mq / "corpus").is_dir():
        if want("questions"):
            rows.append(("medquad-dev questions", "medquad", mq / "corpus", mq / "queries.tsv",
                         mq / "qrels.txt", "passage", ["mrr_at_10", "ndcg_at_10"]))
        if want("keywords"):
            rows.append(("medquad-dev keywords", "medquad", mq / "corpus", mq / "queries-keyword.tsv",
                         mq / "qrels-keyword.txt", "passage", ["mrr_at_10", "ndcg_at_10"]))
        if want("flat"):
            flat = flattened(mq, work / "medquad-flat")
            rows.append(("medquad-dev flattened, questions", "medquad-flat", flat / "corpus",
                         flat / "queries.tsv", flat / "qrels.txt", "article",
                         ["mrr_at_10", "ndcg_at_10"]))
            rows.append(("medquad-dev flattened, keywords", "medquad-flat", flat / "corpus",
                         flat / "queries-keyword.tsv", flat / "qrels-keyword.txt", "article",
                         ["mrr_at_10", "ndcg_at_10"]))
    else:
        note(f"skipped medquad-dev rows: no {mq}/corpus")
    nf = opts.nfcorpus
    if want("nfcorpus"):
        if (nf / "corpus").is_dir():
            rows.append(("nfcorpus (article level)", "nfcorpus", nf / "corpus", nf / "queries.tsv",
                         nf / "qrels-article.txt", "article", ["ndcg_at_10"]))
        else:
            note(f"skipped nfcorpus: no {nf}/corpus")
    if want("rust"):
        books = [b for b in RUST_BOOKS if any((opts.rust_docs / b).glob("book*.js"))]
        missing = sorted(set(RUST_BOOKS) - set(books))
        if not (BENCH / "rust-books" / "qrels.txt").exists():
            note("skipped rust books: no bench/rust-books/qrels.txt")
        elif books:
            if missing:
                note(f"rust books missing from {opts.rust_docs}: {', '.join(missing)}")
            n = link_tree(opts.rust_docs, books, work / "rust-books")
            note(f"  rust-books: {n} html files of {len(books)} books linked under {work / 'rust-books'}")
            rb = BENCH / "rust-books"
            rows.append(("rust books", "rust-books", work / "rust-books", rb / "queries.tsv",
                         rb / "qrels.txt", "passage", ["mrr_at_10", "p_at_1"]))
        else:
            note(f"skipped rust books: no mdBook books under {opts.rust_docs}")

    version = run([binary, "--version"]).stdout.strip()
    note(f"suite: {version} ({binary}); work dir {work}")
    ingested = set()
    results = []
    warnings = []
    for label, name, corpus, queries, qrels, level, metrics in rows:
        index = work / ("index-embed" if semantic else "index") / name
        if name not in ingested:
            ingest(binary, corpus, index, opts.keep_index, embed, follow=name == "rust-books")
            ingested.add(name)
        if name == "rust-books":
            gone = missing_judged(binary, index, qrels)
            if gone:
                warnings.append(f"{label}: {len(gone)} judged ids not in the index, e.g. {gone[0]}")
        cells = []
        count = None
        by_category = name == "rust-books"
        for _, extra in columns:
            e = evaluate(binary, index, queries, qrels, level, extra, opts.show_commands,
                         per_query=by_category)
            count = e["queries"]
            cells.append(e)
        results.append((label, count, metrics, cells))
        if by_category:
            # Sub-rows by query kind: the id's prefix (ident-, quest-, kw-).
            kinds = {"ident": "identifiers", "quest": "questions", "kw": "keywords"}
            for prefix, kind in kinds.items():
                sub = []
                for e in cells:
                    qs = [q for q in e["per_query"] if q["qid"].split("-")[0] == prefix]
                    sub.append({m: sum(q[m] for q in qs) / max(len(qs), 1) for m in metrics})
                results.append((f"↳ {kind}", len(qs), metrics[:1], sub))
        note(f"  {label}: done")

    names = {"mrr_at_10": "MRR@10", "ndcg_at_10": "nDCG@10", "p_at_1": "P@1",
             "recall_at_100": "R@100"}
    header = ["collection", "queries", "metric"] + [c[0] for c in columns]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    lifts = {c[0]: [] for c in columns[1:]}
    for label, count, metrics, cells in results:
        for k, metric in enumerate(metrics):
            base = cells[0][metric]
            row = [label if k == 0 else "", str(count) if k == 0 else "", names[metric],
                   f"{base:.4f}"]
            for (cname, _), e in zip(columns[1:], cells[1:]):
                row.append(f"{e[metric]:.4f} ({e[metric] - base:+.4f})")
                if k == 0 and not label.startswith("↳"):
                    lifts[cname].append(e[metric] - base)
            print("| " + " | ".join(row) + " |")
    if lifts and results:
        row = ["**minimum lift over plain BM25** (first metric of each row)", "", "", ""]
        row += [f"{min(v):+.4f}" for v in lifts.values()]
        print("| " + " | ".join(row) + " |")
    if semantic and not opts.no_default:
        # The semantic columns against lectern's own ranking (the default column).
        row = ["**minimum lift over default** (first metric of each row)", "", "", "", ""]
        for c in range(2, len(columns)):
            row.append(f"{min(cells[c][m[0]] - cells[1][m[0]] for l, _, m, cells in results if not l.startswith('↳')):+.4f}")
        print("| " + " | ".join(row) + " |")
    print()
    print(f"binary: {version}; plain BM25 = {baseline}")
    if semantic:
        print(f"semantic: indexes ingested with --embed --model {opts.semantic}")
    if candidate:
        print(f"candidate = default + {' '.join(candidate)}")
    for w in warnings:
        print(f"warning: {w}")


if __name__ == "__main__":
    main()
