#!/usr/bin/env python3
"""Bad top-10 slots on Debian-packaged documentation sites (lectern issue 17).

For each site of bench/sites/sites.tsv: a fresh `lectern ingest DIR --index IX -v`
(exit status, summary line, passages), then every query of bench/sites/queries.tsv
for that site in one `lectern query --batch -n 10 --format tsv` run. Each top-10 slot
is classified *by its passage id alone* (path#anchor) as bad when the id names a page
or section that should not answer a query:

  source   a source copy or listing: `_sources/`, `src-html/`, `*_source.html`, `_modules/`
  print    a print page (`print.html`)
  index    a link index: genindex, modindex / py-modindex, index-all, package-tree,
           Doxygen `-members.html`, `APIchunk*`, gtk-doc `ixNN.html`, YARD `_index.html`,
           `class_list`, `method_list`, `file_list`
  listing  a duplicate listing: javadoc `class-use/`, `package-use`, `package-summary`,
           `*-summary` sections, Doxygen `public-*`/`protected-*` member lists and file
           pages' declaration lists (`_8h.html#functions`, `#classes`, ...), YARD
           `summary-collapse`, `methods-(included|inherited)-from`
  stub     (--rust-books) the Rust book's old editions, `book/{first,second,2018}-edition/`:
           pages that only say the edition is no longer distributed

This is a measurement of ids only: it does not judge whether a good page answered,
only how many slots the pages above hold. Sites are the installed Debian documentation
packages (see bench/sites/README.md); a site whose folder is missing is reported and
skipped.

    python3 bench/sites.py --bin target/release/lectern --work /tmp/sites/run [--sites a,b] [--rust-books]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

PATTERNS = [
    ("source", re.compile(r"(^|/)_sources/|(^|/)src-html/|_source\.html|(^|/)_modules/")),
    ("print", re.compile(r"(^|/)print\.html")),
    (
        "index",
        re.compile(
            r"(^|/)genindex|(^|/)(py-)?modindex|(^|/)index-all|(^|/)package-tree"
            r"|-members\.html|(^|/)APIchunk|(^|/)ix\d+\.html"
            r"|(^|/)_index\.html|(^|/)(class|method|file)_list\.html"
        ),
    ),
    (
        "listing",
        re.compile(
            r"(^|/)class-use/|(^|/)package-use|(^|/)package-summary"
            r"|#[^#]*-summary\b|#(static-)?(public|protected)-"
            # Doxygen's own anchors of those lists (lectern >= extractor 15 reads them):
            r"|#(pub|pro)-(static-)?(methods|attribs|types)\b"
            r"|_8h\.html#(functions|classes|typedefs|enumerations|macros|variables|namespaces)"
            r"|_8h\.html#(func|define|typedef|enum|var)-members|_8h\.html#nested-classes"
            r"|summary-collapse|methods-(included|inherited)-from"
        ),
    ),
    # The Rust book's old editions: each page a notice that the edition moved.
    ("stub", re.compile(r"^book/(first|second|2018)-edition/")),
]


def classify(pid):
    for kind, rx in PATTERNS:
        if rx.search(pid):
            return kind
    return None


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="lectern binary")
    ap.add_argument("--work", required=True, help="scratch folder (indexes, runs)")
    ap.add_argument("--sites", help="comma-separated site names (default: all)")
    ap.add_argument("--sites-file", default=os.path.join(HERE, "sites", "sites.tsv"))
    ap.add_argument("--queries", default=os.path.join(HERE, "sites", "queries.tsv"))
    ap.add_argument("--rust-books", action="store_true",
                    help="also the toolchain's Rust books with bench/rust-books/queries.tsv")
    args = ap.parse_args()

    binary = os.path.abspath(args.bin)
    os.makedirs(args.work, exist_ok=True)
    sites = read_tsv(args.sites_file)
    if args.sites:
        wanted = set(args.sites.split(","))
        unknown = wanted - {s[0] for s in sites}
        if unknown:
            sys.exit(f"unknown sites: {', '.join(sorted(unknown))}")
        sites = [s for s in sites if s[0] in wanted]
    queries = defaultdict(list)
    for site, qid, q in read_tsv(args.queries):
        queries[site].append((qid, q))

    table = []
    bad_slots = []

    def measure(name, held_out, corpus, qs, extra=()):
        ix = os.path.join(args.work, f"ix-{name}")
        shutil.rmtree(ix, ignore_errors=True)
        ing = subprocess.run(
            [binary, "ingest", corpus, "--index", ix, "-v", "--progress", "never", *extra],
            capture_output=True,
            text=True,
        )
        summary = next(
            (
                l
                for l in ing.stderr.splitlines()
                if re.match(r"lectern: \d+ articles", l)
            ),
            "(no summary line)",
        )
        with open(os.path.join(args.work, f"ingest-{name}.log"), "w") as f:
            f.write(ing.stderr)
        m = re.search(r"([\d,]+) passages", summary)
        passages = m.group(1) if m else "?"
        qfile = os.path.join(args.work, f"queries-{name}.tsv")
        with open(qfile, "w", encoding="utf-8") as f:
            for qid, q in qs:
                f.write(f"{qid}\t{q}\n")
        run = subprocess.run(
            [binary, "query", "--index", ix, "--batch", qfile, "-n", "10",
             "--format", "tsv", "--no-snippets"],
            capture_output=True,
            text=True,
        )
        with open(os.path.join(args.work, f"run-{name}.tsv"), "w") as f:
            f.write(run.stdout)
        slots = 0
        bad = defaultdict(int)
        top1 = 0
        for line in run.stdout.splitlines():
            cols = line.split("\t")
            if len(cols) < 3 or not cols[1].isdigit():
                continue
            qid, rank, pid = cols[0], int(cols[1]), urllib.parse.unquote(cols[2])
            slots += 1
            kind = classify(pid)
            if kind:
                bad[kind] += 1
                top1 += rank == 1
                bad_slots.append((name, qid, rank, kind, pid))
        table.append(
            (name, held_out, ing.returncode, passages, len(qs), slots,
             sum(bad.values()), top1, ", ".join(f"{k} {v}" for k, v in sorted(bad.items())))
        )
        print(f"{name}: exit {ing.returncode}; {summary}", file=sys.stderr)

    for name, package, doc_dir, held_out in sites:
        if not os.path.isdir(doc_dir):
            print(f"{name}: {doc_dir} missing (apt-get install {package})", file=sys.stderr)
            continue
        measure(name, held_out, doc_dir, queries.get(name, []))

    if args.rust_books:
        # The Rust books of the toolchain's documentation, as bench/suite.py links
        # them, with bench/rust-books' queries; ingested with --follow (a tree of
        # links into the toolchain).
        sys.path.insert(0, HERE)
        import suite

        docs = suite.rust_docs_default()
        books = [b for b in suite.RUST_BOOKS if any((docs / b).glob("book*.js"))]
        tree = os.path.join(args.work, "rust-books")
        suite.link_tree(docs, books, Path(tree))
        qs = [(r[0], r[1]) for r in read_tsv(os.path.join(HERE, "rust-books", "queries.tsv"))]
        measure("rust-books", "no", tree, qs, ["--follow"])

    print("| site | held out | ingest exit | passages | queries | slots | bad slots | bad top-1 | kinds |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(str(c) for c in row) + " |")
    tot = [sum(r[i] for r in table) for i in (4, 5, 6, 7)]
    print(f"| **total** | | | | {tot[0]} | {tot[1]} | **{tot[2]}** | {tot[3]} | |")
    print()
    print("bad slots (site, query, rank, kind, id):")
    for s in bad_slots:
        print("\t".join(str(c) for c in s))


if __name__ == "__main__":
    main()
