#!/usr/bin/env bash
# Builds the release binary and runs the benchmark (see bench/bench.py).
# Usage: bench/run.sh [COLLECTION_DIR]   e.g. bench/run.sh ../shared/eval/medquad-dev
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet --bin lectern --example bare_index
exec python3 bench/bench.py "$@"
