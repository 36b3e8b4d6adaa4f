#!/usr/bin/env python3
"""Learns the compact character model behind the crawl-like corpus generator.

Run once, offline; the output (cjk-model.bin) is committed, the sources are not:

    apt-get download manpages-zh fortunes-zh manpages-ja
    for d in *.deb; do dpkg-deb -x "$d" ex; done
    python3 Corpus/model/learn_model.py ex Corpus Corpus/model/cjk-model.bin

Sources per language:
  zh-Hans  Debian manpages-zh (zh_CN) and fortunes-zh (chinese, tang300, song100)
  zh-Hant  Debian manpages-zh (zh_TW) and the bundled sample pages (pinyin annotations removed)
  ja       Debian manpages-ja
  ko       ko-sample.sentences (sentences written for this project)

For each language: the N most frequent characters (CJK, kana, Hangul and CJK punctuation), their
frequencies, and for each character its K most frequent successors with their counts. Troff markup,
Latin text and digits are stripped; runs of the kept characters are learned as they stand.

Format (little-endian): "CJKM", version u32 = 1, language count u32, then per language:
  code 8 bytes (ASCII, zero-padded), N u32, then N × (scalar u32, weight u32), then
  N × (successor count u8, count × (index u16, weight u16)).
"""
import gzip, os, re, struct, sys
from collections import Counter

N = {"zh-Hans": 3500, "zh-Hant": 3500, "ja": 2500, "ko": 800}
K = 16
PUNCT = set("，。、！？；：「」『』（）《》")

def keep(c):
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3041 <= o <= 0x3096 or
            0x30A1 <= o <= 0x30FA or o == 0x30FC or 0xAC00 <= o <= 0xD7A3 or c in PUNCT)

def runs(text):
    cur = []
    for c in text:
        if keep(c):
            cur.append(c)
        elif cur:
            yield "".join(cur); cur = []
    if cur:
        yield "".join(cur)

def troff_text(raw):
    out = []
    for line in raw.splitlines():
        if line.startswith(".") or line.startswith("'"):
            continue
        out.append(re.sub(r"\\f[A-Z]|\\[-&(][a-z]*|\\.", " ", line))
    return "\n".join(out)

def man_texts(root):
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith(".gz"):
                try:
                    yield troff_text(gzip.open(os.path.join(dirpath, f)).read().decode("utf-8", "replace"))
                except OSError:
                    pass

PINYIN = re.compile(r"\([a-zü\u0100-\u01ff\u1e3f]{1,7}\)")

def learn(texts):
    uni, bi = Counter(), Counter()
    for t in texts:
        for r in runs(t):
            uni.update(r)
            bi.update(zip(r, r[1:]))
    return uni, bi

def main(ex, corpus, out):
    sources = {
        "zh-Hans": list(man_texts(os.path.join(ex, "usr/share/man/zh_CN"))) +
                   [open(os.path.join(ex, "usr/share/games/fortunes", f), encoding="utf-8", errors="replace").read()
                    for f in ("chinese.u8", "tang300.u8", "song100.u8")],
        "zh-Hant": list(man_texts(os.path.join(ex, "usr/share/man/zh_TW"))) +
                   [PINYIN.sub("", open(os.path.join(corpus, f), encoding="utf-8").read())
                    for f in sorted(os.listdir(corpus)) if f.endswith(".txt")],
        "ja": list(man_texts(os.path.join(ex, "usr/share/man/ja"))),
        "ko": [open(os.path.join(os.path.dirname(__file__), "ko-sample.sentences"), encoding="utf-8").read()],
    }
    blob = [b"CJKM", struct.pack("<II", 1, len(sources))]
    for code, texts in sources.items():
        uni, bi = learn(texts)
        chars = [c for c, _ in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0]))[:N[code]]]
        index = {c: i for i, c in enumerate(chars)}
        succ = {c: [] for c in chars}
        for (a, b), n in sorted(bi.items(), key=lambda kv: (-kv[1], kv[0])):
            if a in index and b in index and len(succ[a]) < K:
                succ[a].append((index[b], n))
        total = sum(uni[c] for c in chars)
        blob.append(code.encode().ljust(8, b"\0"))
        blob.append(struct.pack("<I", len(chars)))
        scale = max(1, max(uni[c] for c in chars) // 0xFFFFFFFF + 1)
        for c in chars:
            blob.append(struct.pack("<II", ord(c), max(1, uni[c] // scale)))
        for c in chars:
            s = succ[c]
            top = max([n for _, n in s], default=1)
            blob.append(struct.pack("<B", len(s)))
            for i, n in s:
                blob.append(struct.pack("<HH", i, max(1, n * 65535 // top)))
        print(f"{code}: {sum(len(t) for t in texts)} chars of text, {len(uni)} distinct, kept {len(chars)} "
              f"covering {100 * total / sum(uni.values()):.1f}% of occurrences, {len(bi)} distinct bigrams", file=sys.stderr)
    data = b"".join(blob)
    open(out, "wb").write(data)
    print(f"wrote {out}: {len(data)} bytes", file=sys.stderr)

if __name__ == "__main__":
    main(*sys.argv[1:4])
