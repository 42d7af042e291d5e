#!/usr/bin/env bash
# Near-duplicates and walk cost (issue 17): articles, passages and aliases per Rust
# book, and ingest time / peak RSS on the Rust API docs (std, core, alloc: ~44,000
# files), for the current release binary and, optionally, a baseline binary.
#
#   bench/duplicates.sh [BASELINE_BINARY]
#
# Needs the Rust docs (`rustup component add rust-docs`); writes under $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
# NEW=path/to/lectern skips the build and measures that binary instead.
[ -n "${NEW:-}" ] || cargo build --release --quiet
new=${NEW:-target/release/lectern}
old=${1:-}
docs=$(rustc --print sysroot)/share/doc/rust/html
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

summary() { grep -o '[0-9]* articles, [0-9]* passages\|[0-9]* near-duplicates as aliases\|[0-9]* skipped (unsupported)\|[0-9]* links outside[^,]*\|[0-9]* failed' "$1" | paste -sd ';' -; }

echo "## books"
for book in book reference rust-by-example nomicon edition-guide embedded-book cargo rustc rustdoc clippy style-guide unstable-book; do
    [ -d "$docs/$book" ] || continue
    for bin in $old $new; do
        verbose=; [ "$bin" = "$new" ] && verbose=-v
        "$bin" ingest "$docs/$book" --index "$work/$book" $verbose 2> "$work/log" || true
        echo "$book $bin: $(summary "$work/log")"
        [ "$bin" = "$new" ] && grep -c 'near-duplicate of' "$work/log" | sed 's/^/  aliases named: /'
        [ "$bin" = "$new" ] && grep 'print.html: near-duplicate' "$work/log" | sed 's/^/  /' || true
        rm -rf "$work/$book"
    done
done

echo "## API docs (std, core, alloc)"
mkdir -p "$work/api"
# Hard links (a real folder: the baseline does not follow links to folders).
for d in std core alloc; do cp -al "$docs/$d" "$work/api/$d"; done
for bin in $old $new; do
    for run in ${RUNS:-1 2}; do
        rm -rf "$work/api-index"
        /usr/bin/time -v "$bin" ingest "$work/api" --index "$work/api-index" 2> "$work/log" || true
        echo "$bin run $run: $(summary "$work/log"); $(grep -o 'Elapsed (wall clock) time.*' "$work/log"); $(grep -o 'Maximum resident set size.*' "$work/log")"
    done
    find "$work/api-index" -name "manifest*" -printf "  manifest bytes: %s\n"
done
