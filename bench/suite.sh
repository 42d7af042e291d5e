#!/usr/bin/env bash
# Development suite (issue 11): one table of ranking quality on every dev collection,
# plain BM25 beside the default (and a candidate given as --param NAME=VALUE ...).
# Usage: bench/suite.sh [--bin PATH] [--work DIR] [--medquad DIR] [--nfcorpus DIR]
#                       [--rust-docs DIR] [--rows LIST] [--param NAME=VALUE ...]
# Without --bin it builds and uses target/release/lectern. See bench/suite.py.
set -euo pipefail
cd "$(dirname "$0")/.."
case " $* " in
  *" --bin "*|*" --bin="*|*" -h "*|*" --help "*) ;;
  *) cargo build --release --locked --quiet ;;
esac
exec python3 bench/suite.py "$@"
