#!/usr/bin/env bash
# Kill tests: builds an index with --commit-every, kills it with SIGKILL at a random moment (while
# it adds, flushes, merges or commits), and checks that the index opens, `check` passes, and it
# holds exactly the documents of the last commit `index` reported durable ("committed N
# documents" on stderr), or of the commit that was in flight, if it became durable before it could
# be reported. Every other trial resumes the killed index instead of starting afresh.
#
#   Benchmarks/scripts/crash-test.sh [TRIALS=50] [SIZE=20MB] [SEED=1]
#
# Needs: swift build -c release. Prints one line per trial and a summary; exit 1 on any failure.
set -uo pipefail
trials=${1:-50}
size=${2:-20MB}
seed=${3:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CJKSEARCH_BIN:-$root/.build/release/cjksearch}
work=${CRASH_DIR:-/tmp/cjksearch-crash}
every=500
mkdir -p "$work"
corpus=$work/corpus-$size-$seed.jsonl
[ -f "$corpus" ] || "$bin" corpus --size "$size" --seed "$seed" --out "$corpus" || exit 1
# How long an uninterrupted build takes, to spread the kills over it, and what it holds at the
# end (duplicate ids replace each other; a bad record is skipped).
rm -rf "$work/idx"
start=$(date +%s.%N)
"$bin" index --index "$work/idx" --commit-every $every --memory 64 --threads 2 --quiet "$corpus" 2>/dev/null
full=$(echo "$(date +%s.%N) - $start" | bc)
total=$("$bin" stats --index "$work/idx" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')
echo "corpus: $(wc -l < "$corpus") lines, $total documents; an uninterrupted build takes ${full}s"
RANDOM=$seed
failed=0
for t in $(seq "$trials"); do
  if [ $((t % 2)) -eq 1 ]; then rm -rf "$work/idx"; fi   # odd trials start afresh, even ones resume
  before=$("$bin" stats --index "$work/idx" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])' 2>/dev/null || echo 0)
  delay=$(echo "scale=3; $full * $RANDOM / 32767" | bc)
  "$bin" index --index "$work/idx" --commit-every $every --memory 64 --threads 2 --quiet "$corpus" 2> "$work/err" &
  pid=$!
  sleep "$delay"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  reported=$(grep -o '^committed [0-9]*' "$work/err" | tail -1 | cut -d' ' -f2)
  if ! "$bin" check --index "$work/idx" > "$work/check" 2>&1; then
    if [ -z "$reported" ] && [ "$before" = 0 ] && grep -q "no index here\|no such directory" "$work/check"; then
      echo "trial $t: killed at ${delay}s before the index existed: ok"; continue
    fi
    echo "trial $t: killed at ${delay}s: check FAILED: $(cat "$work/check")"; failed=$((failed + 1)); continue
  fi
  docs=$("$bin" stats --index "$work/idx" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')
  last=${reported:-$before}
  # The commit in flight: the next multiple of --commit-every over the documents read, or all of them.
  next=$(( last + every > total ? total : last + every ))
  if [ "$docs" = "$last" ] || [ "$docs" = "$next" ] || { [ -z "$reported" ] && [ "$docs" -le "$every" ]; }; then
    echo "trial $t: killed at ${delay}s: reported $last, holds $docs: ok"
  else
    echo "trial $t: killed at ${delay}s: reported $last, holds $docs: FAILED"; failed=$((failed + 1))
  fi
done
echo "$((trials - failed)) of $trials trials survived"
[ $failed -eq 0 ]
