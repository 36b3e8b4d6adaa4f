import XCTest
@testable import CJKSearch

/// Explanations add up to the scores the search gives, for every kind of query and match.
final class ExplanationTests: XCTestCase {
    func testExplanationsAddUpToTheSearchScores() throws {
        let docs = try TestCorpus.corpusDocuments() + TestCorpus.mixedDocuments(count: 150, seed: 31)
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 70).searcher()
        let queries = ["重慶", "慶", "重慶經開區", "經開區調研活動", "重慶 經開區", "重慶 OR 成都", "重慶 -廣告",
                       "東京", "東京都の天気", "iPhone買", "\"new york\"", "hello world", "重慶經開區推動經濟高質量發展",
                       "經濟 發展", "高質量 發展 重慶", "調研 強調", "東京 首都",
                       // An AND whose one positive is an AND, and ANDs inside ORs that fail in part.
                       "(重慶 經開區) -京都", "(重慶 經開區) OR 成都", "(重慶 -經開區) OR 成都", "(經濟 發展 重慶) OR 東京"]
        var explained: [MatchKind: Int] = [:]
        var withProximity = 0
        for q in queries {
            let r = try searcher.search(q, limit: 8, options: SearchOptions(snippets: false))
            for hit in r.allHits {
                let e = try XCTUnwrap(try searcher.explain(q, id: hit.id), "\(q) \(hit.id)")
                XCTAssertEqual(e.match, hit.match, "\(q) \(hit.id)")
                XCTAssertEqual(e.score, hit.score, accuracy: 1e-9 * max(1, hit.score), "\(q) \(hit.id)")
                let sum = e.parts.reduce(0) { $0 + $1.score } + e.proximity.reduce(0) { $0 + $1.score }
                XCTAssertEqual(sum, e.score, accuracy: 1e-9 * max(1, e.score))
                for p in e.proximity {
                    XCTAssertEqual(p.score, p.maximum * min(1, Double(p.spans) / Double(p.window)), accuracy: 1e-12)
                    XCTAssertGreaterThanOrEqual(p.texts.count, 2)
                    withProximity += 1
                }
                for p in e.parts {
                    XCTAssertGreaterThan(p.termFrequency, 0)
                    XCTAssertGreaterThan(p.fieldLength, 0)
                    // Each part is the BM25 formula of its own numbers.
                    let bm25 = BM25().score(termFrequency: Double(p.termFrequency), fieldLength: Double(p.fieldLength),
                                            averageFieldLength: p.averageFieldLength, idf: p.idf * p.boost)
                    XCTAssertEqual(p.score, bm25, accuracy: 1e-9 * max(1, bm25))
                }
                XCTAssertTrue(e.description.contains(hit.id))
                explained[e.match, default: 0] += 1
            }
        }
        XCTAssertGreaterThan(explained[.exact] ?? 0, 20)
        XCTAssertGreaterThan((explained[.allTerms] ?? 0) + (explained[.someTerms] ?? 0), 5)
        XCTAssertGreaterThan(withProximity, 5)
        // A document that does not match, and one that does not exist.
        XCTAssertNil(try searcher.explain("重慶經開區", id: docs.last!.id == "x" ? "y" : "no-such-id"))
        let nonMatching = try XCTUnwrap(docs.first { !$0.body.contains("慶") && !$0.title.contains("慶") && !$0.body.contains("庆") && !$0.title.contains("庆") })
        XCTAssertNil(try searcher.explain("重慶", id: nonMatching.id, options: SearchOptions(relaxation: false)))
    }

    func testTermFrequencyAndLengths() throws {
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, [
            Document(id: "a", title: "重慶", body: "重慶經開區在重慶，重慶經開區"),
            Document(id: "b", title: "成都", body: "成都"),
        ]).searcher()
        let e = try XCTUnwrap(try searcher.explain("重慶經開區", id: "a"))
        XCTAssertEqual(e.match, .exact)
        XCTAssertEqual(e.parts.count, 1)
        XCTAssertEqual(e.parts[0].field, "body")
        XCTAssertEqual(e.parts[0].termFrequency, 2)
        XCTAssertEqual(e.parts[0].fieldLength, 13)
        XCTAssertEqual(e.parts[0].averageFieldLength, 7.5)
        let t = try XCTUnwrap(try searcher.explain("重慶", id: "a"))
        XCTAssertEqual(t.parts.map(\.field), ["title", "body"])
        XCTAssertEqual(t.parts.map(\.termFrequency), [1, 3])
        XCTAssertEqual(t.parts[0].boost, 2)
    }

    /// Of two pages with the same terms as often, the one where they stand together ranks first,
    /// by the proximity bonus alone; without proximity they tie.
    func testProximity() throws {
        let dir = makeTemporaryDirectory(self)
        let filler = String(repeating: "甲乙丙丁戊己庚辛", count: 4)
        let searcher = try TestCorpus.buildIndex(at: dir, [
            Document(id: "apart", title: "", body: "重慶" + filler + "經開區" + filler),
            Document(id: "near", title: "", body: filler + "重慶經開區" + filler),
            Document(id: "other", title: "", body: "成都" + filler),
        ]).searcher()
        let r = try searcher.search("重慶 經開區", options: SearchOptions(relaxation: false))
        XCTAssertEqual(r.hits.map(\.id), ["near", "apart"])
        let plain = try searcher.search("重慶 經開區", options: SearchOptions(relaxation: false, proximity: 0))
        XCTAssertEqual(plain.hits[0].score, plain.hits[1].score, accuracy: 1e-12)
        let near = try XCTUnwrap(try searcher.explain("重慶 經開區", id: "near"))
        XCTAssertEqual(near.proximity.count, 1)
        XCTAssertEqual(near.proximity[0].window, 5)   // 重慶 at p, 經開區 at p + 2, longest span 3
        XCTAssertEqual(near.proximity[0].spans, 5)
        XCTAssertEqual(near.proximity[0].score, near.proximity[0].maximum, accuracy: 1e-12)
        XCTAssertEqual(r.hits[0].score - plain.hits[0].score, near.proximity[0].maximum, accuracy: 1e-9)
        let apart = try XCTUnwrap(try searcher.explain("重慶 經開區", id: "apart"))
        XCTAssertEqual(apart.proximity[0].window, 2 + 32 + 3)
        XCTAssertEqual(apart.proximity[0].score, apart.proximity[0].maximum * 5 / 37, accuracy: 1e-12)
        XCTAssertTrue(near.description.contains("proximity of 重慶, 經開區 in body: window 5"), near.description)
        // A single character has no body positions of its own: no bonus.
        XCTAssertTrue(try XCTUnwrap(try searcher.explain("重慶 區", id: "near")).proximity.isEmpty)
    }
}
