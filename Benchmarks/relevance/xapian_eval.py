#!/usr/bin/python3
"""Xapian side of eval.py (Debian's python3-xapian, for the system Python).

    xapian_eval.py DOCS.jsonl INDEX_DIR QUERIES.json > RESULTS.json

Indexes each document's title and text with TermGenerator in CJK n-gram mode (unigrams and
bigrams, Xapian's CJK support), the title also with the prefix S as Xapian's examples do and its
terms weighted twice; searches each query with QueryParser in the same mode, with its default
flags and operator (piece by piece when it cannot parse a query), over both; prints the top 10 ids of every query as one JSON list.
"""
import json, shutil, sys
import xapian

docs_path, index_path, queries_path = sys.argv[1:4]
shutil.rmtree(index_path, ignore_errors=True)
db = xapian.WritableDatabase(index_path, xapian.DB_CREATE_OR_OVERWRITE)
tg = xapian.TermGenerator()
tg.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
for line in open(docs_path, encoding='utf-8'):
    d = json.loads(line)
    doc = xapian.Document()
    tg.set_document(doc)
    tg.index_text(d['title'], 1, 'S')
    tg.index_text(d['title'], 2)
    tg.increase_termpos()
    tg.index_text(d['text'])
    doc.set_data(d['id'])
    doc.add_boolean_term('Q' + d['id'])
    db.replace_document('Q' + d['id'], doc)
db.commit()

qp = xapian.QueryParser()
qp.set_database(db)
qp.add_prefix('title', 'S')
enquire = xapian.Enquire(db)
out = []
for q in json.load(open(queries_path, encoding='utf-8')):
    try:
        query = qp.parse_query(q, xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM)
    except xapian.QueryParserError:
        # Xapian 1.4.22 fails on some mixed CJK and Latin texts ('groff 文件排版系統的 troff 處理器'):
        # each white-space-separated piece parsed alone, ORed as its default operator does.
        pieces = []
        for piece in q.split():
            try:
                pieces.append(qp.parse_query(piece, xapian.QueryParser.FLAG_CJK_NGRAM))
            except xapian.QueryParserError:
                pass
        query = xapian.Query(xapian.Query.OP_OR, pieces)
    enquire.set_query(query)
    out.append([m.document.get_data().decode('utf-8') for m in enquire.get_mset(0, 10)])
print(json.dumps(out, ensure_ascii=False))
