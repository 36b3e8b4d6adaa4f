#!/usr/bin/env bash
# Kill tests: builds an index with --commit-every, kills it with SIGKILL at a random moment (while
# it adds, flushes, merges or commits), and checks that the index opens, `check` passes, and it
# holds exactly the documents of the last commit `index` reported durable ("committed N
# documents" on stderr), or of the commit that was in flight, if it became durable before it could
# be reported. Every other trial resumes the killed index instead of starting afresh.
# Then MERGE_TRIALS (default TRIALS/4) kills of foreground merges: `cjksearch merge` of two
# shards into a copy of the first (the copy must hold its own documents or all of them), and
# `index --optimize` of a many-segment index (it must hold the same documents), alternately.
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
# The documents an index holds, or $2 (default "none") when it does not open.
docs_of() { "$bin" stats --index "$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])' 2>/dev/null || echo "${2:-none}"; }
mkdir -p "$work"
corpus=$work/corpus-$size-$seed.jsonl
[ -f "$corpus" ] || "$bin" corpus --size "$size" --seed "$seed" --out "$corpus" || exit 1
# How long an uninterrupted build takes, to spread the kills over it, and what it holds at the
# end (duplicate ids replace each other; a bad record is skipped).
rm -rf "$work/idx"
start=$(date +%s.%N)
"$bin" index --index "$work/idx" --commit-every $every --memory 64 --threads 2 --quiet "$corpus" 2>/dev/null
full=$(echo "$(date +%s.%N) - $start" | bc)
total=$(docs_of "$work/idx")
echo "corpus: $(wc -l < "$corpus") lines, $total documents; an uninterrupted build takes ${full}s"
RANDOM=$seed
failed=0
for t in $(seq "$trials"); do
  if [ $((t % 2)) -eq 1 ]; then rm -rf "$work/idx"; fi   # odd trials start afresh, even ones resume
  before=$(docs_of "$work/idx" 0)
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
  docs=$(docs_of "$work/idx")
  last=${reported:-$before}
  # The commit in flight: the next multiple of --commit-every over the documents read, or all of them.
  next=$(( last + every > total ? total : last + every ))
  if [ "$docs" = "$last" ] || [ "$docs" = "$next" ] || { [ -z "$reported" ] && [ "$docs" -le "$every" ]; }; then
    echo "trial $t: killed at ${delay}s: reported $last, holds $docs: ok"
  else
    echo "trial $t: killed at ${delay}s: reported $last, holds $docs: FAILED"; failed=$((failed + 1))
  fi
done
echo "$((trials - failed)) of $trials build trials survived"

# Kills during foreground merges.
merge_trials=${MERGE_TRIALS:-$((trials / 4))}
mfailed=0
if [ "$merge_trials" -gt 0 ]; then
  rm -rf "$work/shard0" "$work/shard1" "$work/merged"
  for k in 0 1; do
    "$bin" index --index "$work/shard$k" --shard $k/2 --memory 16 --threads 2 --no-background-merge --quiet "$corpus" 2>/dev/null
  done
  : > "$work/empty.jsonl"
  own=$(docs_of "$work/shard0")
  cp -r "$work/shard0" "$work/merged"
  start=$(date +%s.%N)
  "$bin" merge --index "$work/merged" "$work/shard1" > /dev/null 2>&1
  merge_time=$(echo "$(date +%s.%N) - $start" | bc)
  all=$(docs_of "$work/merged")
  rm -rf "$work/opt"; cp -r "$work/shard0" "$work/opt"
  start=$(date +%s.%N)
  "$bin" index --index "$work/opt" --optimize --quiet "$work/empty.jsonl" > /dev/null 2>&1
  optimize_time=$(echo "$(date +%s.%N) - $start" | bc)
  echo "merges: shard 0 holds $own documents in $(ls "$work/shard0" | grep -c '\.seg$') segments, merged $all; merge takes ${merge_time}s, --optimize ${optimize_time}s"
  for t in $(seq "$merge_trials"); do
    rm -rf "$work/m"; cp -r "$work/shard0" "$work/m"
    if [ $((t % 2)) -eq 1 ]; then
      what=merge; full=$merge_time; ok="$own $all"
      delay=$(echo "scale=3; $full * $RANDOM / 32767" | bc)
      "$bin" merge --index "$work/m" "$work/shard1" > /dev/null 2>&1 &
    else
      what=optimize; full=$optimize_time; ok="$own"
      delay=$(echo "scale=3; $full * $RANDOM / 32767" | bc)
      "$bin" index --index "$work/m" --optimize --quiet "$work/empty.jsonl" > /dev/null 2>&1 &
    fi
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if ! "$bin" check --index "$work/m" > "$work/check" 2>&1; then
      echo "merge trial $t ($what): killed at ${delay}s: check FAILED: $(cat "$work/check")"; mfailed=$((mfailed + 1)); continue
    fi
    docs=$(docs_of "$work/m")
    if [[ " $ok " == *" $docs "* ]]; then
      echo "merge trial $t ($what): killed at ${delay}s: holds $docs: ok"
    else
      echo "merge trial $t ($what): killed at ${delay}s: holds $docs, expected one of: $ok: FAILED"; mfailed=$((mfailed + 1))
    fi
  done
  echo "$((merge_trials - mfailed)) of $merge_trials merge trials survived"
fi
echo "$((trials + merge_trials - failed - mfailed)) of $((trials + merge_trials)) trials survived"
[ $failed -eq 0 ] && [ $mfailed -eq 0 ]
