#!/usr/bin/env bash
# Hostile input: huge documents, a million-character line, a line past the reader's limit,
# queries with thousands of terms or deep nesting, a million-character query, a one-character
# query on the commonest character of a generated corpus, and snippets over million-character
# bodies. Each case runs under `/usr/bin/time` (wall seconds, peak RSS) and `timeout`, and must
# either be accepted or be refused with a clear error (a skipped record naming FILE:LINE; an
# invalid query its reason), as the documented limits say (README, "Query syntax" and "The Swift
# API"). Inputs are generated with python3 once and kept in the work directory.
#
#   Benchmarks/scripts/hostile-input.sh [WORKDIR=/tmp/cjksearch-hostile]
#
# Needs: swift build -c release (or CJKSEARCH_BIN), python3, GNU time (apt-get install -y time),
# about 3 GB of disk and 2 GB of memory; takes about 4 minutes on 2 cores. Prints one table row
# per case (Markdown) and a summary; exit 1 if any case crashes (a signal or a status >= 128),
# times out, or is accepted where it must be refused or refused where it must be accepted. A case
# over 10 s or 1 GiB is marked, not failed. CASE_TIMEOUT (seconds, default 300) bounds each case;
# BIG=0 leaves out the 60 MB document indexed with an 8 GiB budget and the searches in it.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CJKSEARCH_BIN:-$root/.build/release/cjksearch}
work=${1:-/tmp/cjksearch-hostile}
limit=${CASE_TIMEOUT:-300}
big=${BIG:-1}
[ -x "$bin" ] || { echo "no binary at $bin: swift build -c release" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 1; }
mkdir -p "$work/in" "$work/q" "$work/out"
cd "$work" || exit 1

# ---- inputs -------------------------------------------------------------------------------------
corpus=$work/c200.jsonl
[ -f "$corpus" ] || "$bin" corpus --size 200MB --seed 1 --out "$corpus" > /dev/null || exit 1
python3 - "$corpus" "$work" <<'EOF' || exit 1
import json, os, random, re, sys
corpus, work = sys.argv[1], sys.argv[2]
inp, qd = os.path.join(work, "in"), os.path.join(work, "q")
rng = random.Random(1)
def cjk(c): return "\u4e00" <= c <= "\u9fff"
def write(path, text):
    if not os.path.exists(path):
        with open(path + ".tmp", "w", encoding="utf-8") as f: f.write(text)
        os.rename(path + ".tmp", path)
def doc(i, title, body): return json.dumps({"id": i, "title": title, "text": body}, ensure_ascii=False) + "\n"
def jsonl(name, *docs): write(os.path.join(inp, name + ".jsonl"), "".join(docs))
def query(name, text): write(os.path.join(qd, name), text)
# Texts of the corpus, in order, and character and bigram counts over its first ~5 MB.
texts, chars, bigrams, size = [], {}, {}, 0
with open(corpus, encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)["text"]; texts.append(t); size += len(line)
        if size < 5_000_000:
            for c in t: chars[c] = chars.get(c, 0) + 1
            for run in re.findall(r"[\u4e00-\u9fff]{2,}", t):
                for k in range(len(run) - 1): bigrams[run[k:k+2]] = bigrams.get(run[k:k+2], 0) + 1
        if size > 75_000_000: break
top = [c for c, _ in sorted(chars.items(), key=lambda kv: -kv[1]) if cjk(c)]
bigram = max(bigrams.items(), key=lambda kv: kv[1])[0]
write(os.path.join(work, "commonest"), f"{top[0]} {bigram}\n")
natural = "".join(texts)                               # crawl-like text with punctuation and newlines
run = "".join(c for c in natural[:3_000_000] if cjk(c))   # one CJK run, no punctuation or space
marker = "龘靐齉爩"                                        # in none of those texts
assert marker[0] not in natural and len(run) >= 1_000_000
def by_bytes(text, n):                                 # a prefix of about n UTF-8 bytes
    while len(text.encode()) < n: text += text
    return text.encode()[:n].decode(errors="ignore")
# a. one huge document: 8 MB of crawl text, 8 MB of random CJK (every bigram new: the worst
# case of the memory bound), 60 MB (past what 1 GiB gives a thread), 70 MB (past 64 MiB).
jsonl("huge8", doc("huge8", "八兆", by_bytes(natural, 8_000_000)))
jsonl("huge8r", doc("huge8r", "随机", "".join(chr(rng.randrange(0x4E00, 0xA000)) for _ in range(2_666_666))))
jsonl("huge60", doc("huge60", "六十兆", by_bytes(natural, 60_000_000)))
jsonl("huge70", doc("before", "前", "一个文件"), doc("huge70", "七十兆", by_bytes(natural, 70_000_000)), doc("after", "后", "一个选项"))
# b. one line of a million characters (and of 250,000, to see how time grows).
for n, tag in ((250_000, "250k"), (1_000_000, "1m")):
    jsonl("cjkrun" + tag, doc("cjkrun" + tag, "长行", run[:n - len(marker)] + marker))
    jsonl("de" + tag, doc("de" + tag, "的", "的" * n))
    jsonl("alpha" + tag, doc("alpha" + tag, "字母", "".join(rng.choice(top[:1000]) for _ in range(n))))
jsonl("alpha1m-x10", *(doc(f"alpha{k}", "字母", "".join(rng.choice(top[:1000]) for _ in range(1_000_000))) for k in range(10)))
jsonl("asciiword1m", doc("asciiword1m", "word", "".join(chr(rng.randrange(97, 123)) for _ in range(1_000_000))))
vocab = ["".join(chr(rng.randrange(97, 123)) for _ in range(rng.randrange(2, 10))) for _ in range(5000)]
latin, n = [], 0
while n < 1_000_000 - 20: w = rng.choice(vocab); latin.append(w); n += len(w) + 1
jsonl("latin1m", doc("latin1m", "words", " ".join(latin) + " zzhostilemarker"))
# c. a line past the reader's 256 MiB limit between two good ones.
long, chunk = os.path.join(inp, "longline.jsonl"), "x" * (1 << 20)
if not os.path.exists(long):
    with open(long + ".tmp", "w") as f:
        f.write(doc("first", "前", "一个文件"))
        f.write('{"id":"long","title":"t","text":"')
        for _ in range(257): f.write(chunk)
        f.write('"}\n'); f.write(doc("third", "后", "一个选项"))
    os.rename(long + ".tmp", long)
# ... and six lines of 250 MB (under the line limit, over the field limit), parsed on other threads.
lines6 = os.path.join(inp, "lines6x250m.jsonl")
if not os.path.exists(lines6):
    with open(lines6 + ".tmp", "w") as f:
        for k in range(6):
            f.write('{"id":"big%d","title":"t","text":"' % k)
            for _ in range(250): f.write(chunk)
            f.write('"}\n')
        f.write(doc("last", "后", "一个选项"))
    os.rename(lines6 + ".tmp", lines6)
# d. queries.
query("t1000", " ".join(top[:1000])); query("t1024", " ".join(top[:1024]))
query("t1025", " ".join(top[:1025])); query("t5000", " ".join(top[k % 1500] for k in range(5000)))
for d in (64, 65, 10_000): query(f"nest{d}", "(" * d + top[0] + ")" * d)
query("q1mcjk", run[:1_000_000]); query("q10mcjk", run[:1_000_000] * 10); query("q1mterms", (top[0] + " ") * 500_000)
query("or1000", " OR ".join(top[:1001]))
page = next(t for t in texts if len(t) > 2000)
query("phrase1000", '"' + re.sub(r'[\s"]', " ", page[:1000]) + '"'); query("phrase1100", '"' + run[:1100] + '"')
query("one", top[0]); query("bigram", bigram); query("oneminusbigram", f"{top[0]} -{bigram}")
query("bigramminusone", f"{bigram} -{top[0]}"); query("minusbigram", f"-{bigram}")
query("marker", marker); query("latinmarker", "zzhostilemarker")
EOF
read -r one bigram < "$work/commonest"

# ---- running a case -----------------------------------------------------------------------------
failed=0
printf '| case | expect | wall s | peak RSS MiB | exit | outcome |\n|---|---|---|---|---|---|\n'
# measure NAME CMD...: runs CMD (stdin from $stdin_file, if set), sets rc, wall, rss, err (the
# first error line on stderr, or of stdout when it has none).
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "out/$name.time" timeout -k 10 "$limit" "$@" \
    < "${stdin_file:-/dev/null}" > "out/$name.out" 2> "out/$name.err"
  rc=$?
  read -r wall rss < <(tail -1 "out/$name.time")
  rss=$((rss / 1024))
  err=$(grep -m1 -E 'error|limit|may need|:[0-9]+: ' "out/$name.err" | cut -c1-150)
}
# row NAME EXPECT VERDICT OUTCOME
row() {
  local verdict=$3
  local mark=""
  if [ "$rc" -ge 124 ]; then verdict=FAIL; fi   # 124: timeout; >= 128: a signal
  [ "$verdict" = FAIL ] && failed=$((failed + 1))
  [ "${wall%.*}" -ge 10 ] 2>/dev/null && mark=" **[over 10 s]**"
  [ "$rss" -ge 1024 ] 2>/dev/null && mark="$mark **[over 1 GiB]**"
  printf '| %s | %s | %s | %s | %s | %s%s%s |\n' "$1" "$2" "$wall" "$rss" "$rc" "$([ "$verdict" = FAIL ] && echo 'FAIL: ')" "$4" "$mark"
}
docs() { "$bin" stats --index "$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])' 2>/dev/null || echo 0; }
# index_case NAME FILE DOCS [ERROR-REGEX] [OPTIONS...]: a fresh index of FILE must hold DOCS
# documents; with ERROR-REGEX, stderr must report a skipped record matching it.
index_case() {
  local name=$1 file=$2 want=$3 pattern=${4:-} verdict=ok; shift 4
  rm -rf "idx/$name"; mkdir -p idx
  measure "$name" "$bin" index --index "idx/$name" --memory 1024 "$@" "in/$file"
  local have; have=$(docs "idx/$name")
  [ "$rc" -eq 0 ] && [ "$have" = "$want" ] || verdict=FAIL
  if [ -n "$pattern" ]; then grep -qE "$pattern" "out/$name.err" || verdict=FAIL; fi
  if [ -z "$pattern" ] && [ -n "$err" ]; then verdict=FAIL; fi
  row "index $name" "$([ -n "$pattern" ] && echo "skip, $want docs" || echo "$want docs")" $verdict \
      "$have docs${err:+; $err}"
}
# search_case NAME INDEX QFILE ok|refuse [OPTIONS...]: `search` with the query as its argument.
search_case() {
  local name=$1 index=$2 q=$3 expect=$4 verdict=ok; shift 4
  measure "$name" "$bin" search --index "$index" "$@" -- "$(cat "q/$q")"
  outcome "$name" "$expect"
}
# batch_case: the query as a line of --batch (an argument is at most 128 KiB on Linux).
batch_case() {
  local name=$1 index=$2 q=$3 expect=$4; shift 4
  measure "$name" "$bin" search --index "$index" "$@" --batch "q/$q"
  outcome "$name" "$expect"
}
# repl_case NAME INDEX QFILE ok|refuse [PREFIX]: the query piped to the REPL (PREFIX: ":count ").
repl_case() {
  local name=$1 index=$2 q=$3 expect=$4 prefix=${5:-}
  printf '%s%s\n:quit\n' "$prefix" "$(cat "q/$q")" > "out/$name.stdin"
  stdin_file=out/$name.stdin measure "$name" "$bin" repl --index "$index"
  outcome "$name" "$expect"
}
outcome() {
  local name=$1 expect=$2 verdict=ok text
  if [ -n "$err" ] || { [ "$rc" -ne 0 ] && grep -q '"error"' "out/$name.out"; }; then
    [ -n "$err" ] || err=$(grep -m1 -o '"error":"[^"]*"' "out/$name.out")
    text="refused: $err"; [ "$expect" = refuse ] || verdict=FAIL
  else
    text="ok: $(grep -m1 -E 'match|^[0-9]+$' "out/$name.out" | cut -c1-60)"
    # --batch: COUNT<TAB>MICROS<TAB>QUERY<TAB>IDS
    [ "$text" = "ok: " ] && text="ok: $(awk -F'\t' 'NR == 1 { print $1 " match (" $2 " µs in the engine)" }' "out/$name.out")"
    [ "$expect" = ok ] && [ "$rc" -eq 0 ] || verdict=FAIL
  fi
  row "$name" "$expect" $verdict "$text"
}

# ---- a-c: indexing ------------------------------------------------------------------------------
index_case huge8 huge8.jsonl 1 ""
index_case huge8r huge8r.jsonl 1 ""
index_case huge60 huge60.jsonl 0 'huge60\.jsonl:1: .*may need'
[ "$big" = 1 ] && index_case huge60-8g huge60.jsonl 1 "" --memory 8192 --threads 1
index_case huge70 huge70.jsonl 2 'huge70\.jsonl:2: .*limit'
for f in cjkrun250k cjkrun1m de250k de1m alpha250k alpha1m asciiword1m latin1m; do
  index_case "$f" "$f.jsonl" 1 ""
done
index_case alpha1m-x10 alpha1m-x10.jsonl 10 ""
index_case longline longline.jsonl 2 'longline\.jsonl:2: .*limit'
index_case lines6x250m-mem64 lines6x250m.jsonl 1 'lines6x250m\.jsonl:6: .*limit' --memory 64

# ---- d: long and deep queries, on the 200 MB corpus ---------------------------------------------
rm -rf idx/c200
measure c200 "$bin" index --index idx/c200 "$corpus"
row "index c200 (200 MB corpus)" "all docs" "$([ "$rc" = 0 ] && echo ok || echo FAIL)" "$(docs idx/c200) docs"
for c in t1000:ok t1024:ok t1025:refuse t5000:refuse nest64:ok nest65:refuse nest10000:refuse \
         or1000:ok phrase1000:ok phrase1100:refuse; do
  q=${c%%:*} expect=${c##*:}
  search_case "search $q" idx/c200 "$q" "$expect"
  repl_case "repl $q" idx/c200 "$q" "$expect"
done
for q in q1mcjk q1mterms; do
  batch_case "search --batch $q" idx/c200 "$q" refuse
  repl_case "repl $q" idx/c200 "$q" refuse
done
repl_case "repl q10mcjk" idx/c200 q10mcjk refuse
# Where the time of the long queries goes: relaxation (phrase1000), snippets (or1000).
search_case "search --no-relax phrase1000" idx/c200 phrase1000 ok --no-relax
batch_case "search --batch or1000 (no snippets)" idx/c200 or1000 ok

# ---- e: the commonest character and bigram ------------------------------------------------------
search_case "search $one" idx/c200 one ok
search_case "search --count $one" idx/c200 one ok --count
search_case "search --exact-count $one" idx/c200 one ok --exact-count
repl_case "repl $one" idx/c200 one ok
repl_case "repl :count $one" idx/c200 one ok ":count "
search_case "search $bigram" idx/c200 bigram ok
search_case "search $one -$bigram" idx/c200 oneminusbigram ok
search_case "search $bigram -$one" idx/c200 bigramminusone ok
search_case "search -$bigram" idx/c200 minusbigram refuse
repl_case "repl :count $one -$bigram" idx/c200 oneminusbigram ok ":count "

# ---- f: snippets over one long line ---------------------------------------------------------------
for n in 250k 1m; do
  search_case "snippet: marker at the end of a $n CJK line" "idx/cjkrun$n" marker ok
  search_case "snippet: $one in a line of $n $one" "idx/de$n" one ok
  search_case "snippet: t1000 on $n chars of those 1000" "idx/alpha$n" t1000 ok
done
search_case "snippet: marker at the end of 1m Latin chars" idx/latin1m latinmarker ok
search_case "snippet: $one in the 8 MB document" idx/huge8 one ok
search_case "snippet: t1000 on 10 docs of 1m chars" idx/alpha1m-x10 t1000 ok
if [ "$big" = 1 ]; then
  search_case "snippet: $one in the 60 MB document" idx/huge60-8g one ok
  search_case "snippet: t1000 in the 60 MB document" idx/huge60-8g t1000 ok --limit 1
fi

echo
echo "$failed case(s) failed; outputs in $work/out"
[ "$failed" -eq 0 ]
