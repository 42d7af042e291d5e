#!/usr/bin/env bash
# Whether rankings depend on how ingest split the documents into segments: four ingests
# of one collection with different splits (1 thread; 2 threads; two sites first, then all;
# growing subsets, then all), every query of both query sets at depth 1000 as TREC runs,
# each run compared with the first ingest's (bench/layout_diff.py).
# Usage: bench/layouts.sh BIN OUTDIR [COLLECTION]   (medquad-dev layout: corpus/, queries*.tsv)
# The -g subsets name medquad-dev's sites; other collections get the thread splits only
# (ingests 3 and 4 then equal a plain ingest). OUTDIR takes ~4 GB of runs.
set -euo pipefail
BIN=$1; OUT=$2; Q=${3:-../shared/eval/medquad-dev}; C=$Q/corpus
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"; rm -rf "$OUT"/ix*
"$BIN" ingest -q --threads 1 --index "$OUT/ix1" "$C"
"$BIN" ingest -q --threads 2 --index "$OUT/ix2" "$C"
"$BIN" ingest -q --index "$OUT/ix3" -g 'mplus/**' -g 'ghr/**' "$C" || true
"$BIN" ingest -q --index "$OUT/ix3" "$C"
"$BIN" ingest -q --index "$OUT/ix4" -g 'nhlbi/**' -g 'ninds/**' -g 'cdc/**' "$C" || true
"$BIN" ingest -q --index "$OUT/ix4" -g 'niddk/**' -g 'nhlbi/**' -g 'ninds/**' -g 'cdc/**' "$C" || true
"$BIN" ingest -q --threads 1 --index "$OUT/ix4" "$C"
for i in 1 2 3 4; do
  echo "ix$i: $(ls "$OUT"/ix$i/gen-*/ | grep -c '\.idx$') segments"
  for qs in queries queries-keyword; do
    "$BIN" query --index "$OUT/ix$i" --batch "$Q/$qs.tsv" --format trec -n 1000 > "$OUT/run$i.$qs.trec"
  done
done
for qs in queries queries-keyword; do
  for i in 2 3 4; do
    echo "$qs, ingest $i against ingest 1:"
    python3 "$HERE/layout_diff.py" "$OUT/run1.$qs.trec" "$OUT/run$i.$qs.trec" 3
  done
done
