#!/usr/bin/env bash
# Build throughput, index size and peak RSS of cjksearch and tantivy on the same generated corpus,
# one engine after the other in the same run (the machine is shared: compare within a run).
#
#   Benchmarks/scripts/build-vs-tantivy.sh [SIZE=1GB] [THREADS="1 2"]
#
# Needs: swift build -c release; pip install tantivy==0.27.0 orjson (for ../shared/peers/tantivy_peer.py).
set -euo pipefail
size=${1:-1GB}
threads=${2:-"1 2"}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/cjksearch
peer=${TANTIVY_PEER:-$root/../shared/peers/tantivy_peer.py}
work=${BENCH_DIR:-/tmp/cjksearch-build-bench}
mkdir -p "$work"
corpus=$work/corpus-$size.jsonl
[ -f "$corpus" ] || "$bin" corpus --size "$size" --seed 1 --out "$corpus"
echo "corpus: $corpus ($(stat -c %s "$corpus") bytes); zstd -3: $(zstd -3 -T1 -c < "$corpus" | wc -c) bytes"
for t in $threads; do
  rm -rf "$work/cj"
  "$bin" bench build --input "$corpus" --threads "$t" --index "$work/cj" --row-only
  "$bin" stats --index "$work/cj" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); b=s["bytes_by_kind"]; print("  cjksearch index without stored text:", s["bytes"]-b.get("storedDocuments",0), "bytes; positions", b.get("positions",0), "postings", b.get("postings",0), "dictionary", b.get("termDictionary",0))'
  rm -rf "$work/tv"
  /usr/bin/time -f "  tantivy peak RSS %M KB" python3 "$peer" build "$corpus" "$work/tv" --threads "$t"
done
rm -rf "$work/cj" "$work/tv"
