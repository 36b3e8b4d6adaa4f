#!/usr/bin/env bash
# Fuzzes the engine with libFuzzer and AddressSanitizer: the normalizer and tokenizer, the query
# parser (and the search of every query that parses), the JSONL and WARC readers, HTML to text,
# and the readers of segment, manifest and deletions files (checksums recomputed after each
# mutation so that the decoders behind them are reached). See Sources/cjksearch-fuzz.
#
#   scripts/fuzz.sh [SECONDS=60] [TARGET...]        every target when none is named
#
# Each target starts from its seeds (Tests/FuzzTests/Seeds/TARGET) and from the corpus that earlier
# runs grew in $FUZZ_DIR (default /tmp/cjksearch-fuzz); two targets run at a time (FUZZ_JOBS).
# An input that crashes, leaks, times out (10 s) or takes over 2 GiB is written to
# $FUZZ_DIR/crashes/TARGET/, with the report in $FUZZ_DIR/logs/TARGET.log. Replay one with
#   swift run cjksearch-fuzz replay TARGET FILE
# and, once fixed, keep it in the seeds. Exit status 1 if any target failed.
set -uo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_DIR:-/tmp/cjksearch-fuzz}
jobs=${FUZZ_JOBS:-2}
cd "$root"
echo "building the fuzz targets (.build-fuzz)…"
mkdir -p "$work"
if ! swift build -c release --product cjksearch-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCJKSEARCH_LIBFUZZER -Xswiftc -enable-testing \
  -Xswiftc -use-ld=lld > "$work/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$work/build.log" | tail -20; echo "build failed"; exit 1
fi
bin=$root/.build-fuzz/release/cjksearch-fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(analyzer query jsonl warc html segment manifest)

max_len() {
  case $1 in
    analyzer|html) echo 8192 ;; query) echo 2048 ;; jsonl) echo 16384 ;; warc) echo 32768 ;;
    segment) echo 16384 ;; manifest) echo 1024 ;; *) echo 4096 ;;
  esac
}

run() {
  local t=$1
  mkdir -p "$work/corpus/$t" "$work/crashes/$t" "$work/logs"
  SWIFT_BACKTRACE=enable=no CJKSEARCH_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$work/crashes/$t/" \
    "$work/corpus/$t" "$root/Tests/FuzzTests/Seeds/$t" > "$work/logs/$t.log" 2>&1
  local status=$?
  local runs cov
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/logs/$t.log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$work/logs/$t.log" | tail -1 | cut -d' ' -f2)
  if [ $status -eq 0 ]; then
    echo "$t: ${seconds}s, ${runs:-?} inputs, coverage ${cov:-?} edges, corpus $(ls "$work/corpus/$t" | wc -l): ok"
  else
    echo "$t: FAILED after ${runs:-?} inputs (exit $status): $(grep -m1 -E 'ERROR|Fatal error|fuzz invariant|deadly signal' "$work/logs/$t.log")"
    echo "    input: $(ls -t "$work/crashes/$t" | head -1 | sed "s|^|$work/crashes/$t/|"); log: $work/logs/$t.log"
    return 1
  fi
}

failed=0
pids=()
for t in "${targets[@]}"; do
  run "$t" & pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ $failed -eq 0 ] && echo "no failure" || echo "failures: see above"
exit $failed
