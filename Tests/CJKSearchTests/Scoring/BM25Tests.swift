import Foundation
import XCTest
@testable import CJKSearch

final class BM25Tests: XCTestCase {
    /// Three documents, scores computed by hand from the formula in BM25.swift.
    func testScoresEqualHandComputedValues() throws {
        let dir = makeTemporaryDirectory(self)
        // Body lengths in positions: "東京東京" = 4 chars; "東京大阪京都" = 6; "大阪" = 2. Titles empty.
        let s = try TestCorpus.buildIndex(at: dir, [
            Document(id: "d1", body: "東京東京"),
            Document(id: "d2", body: "東京大阪京都"),
            Document(id: "d3", body: "大阪"),
        ]).searcher()
        let N = 3.0, avgdl = (4.0 + 6.0 + 2.0) / 3.0, k1 = 1.2, b = 0.75
        func bm25(tf: Double, dl: Double, n: Double) -> Double {
            let idf = log(1 + (N - n + 0.5) / (n + 0.5))
            return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        }
        // 東京 is one bigram term: d1 has it twice (positions 0 and 2), d2 once; n = 2.
        let r = try s.search("東京", limit: 10)
        XCTAssertEqual(r.hits.map(\.id), ["d1", "d2"])
        XCTAssertEqual(r.hits[0].score, bm25(tf: 2, dl: 4, n: 2), accuracy: 1e-12)
        XCTAssertEqual(r.hits[1].score, bm25(tf: 1, dl: 6, n: 2), accuracy: 1e-12)
        // 東京大: a phrase of 東京 (n = 2) and 京大 (n = 1): idf adds up, tf = 1 occurrence.
        let p = try s.search("東京大", limit: 10)
        XCTAssertEqual(p.hits.map(\.id), ["d2"])
        let idfSum = log(1 + (N - 2 + 0.5) / (2 + 0.5)) + log(1 + (N - 1 + 0.5) / (1 + 0.5))
        let expected = idfSum * 1 * (k1 + 1) / (1 + k1 * (1 - b + b * 6 / avgdl))
        XCTAssertEqual(p.hits[0].score, expected, accuracy: 1e-12)
        // One character: presence postings, tf = occurrences of 京 (d1: 2, d2: 2); n = 2.
        let c = try s.search("京", limit: 10)
        XCTAssertEqual(c.hits.map(\.id), ["d1", "d2"])
        XCTAssertEqual(c.hits[0].score, bm25(tf: 2, dl: 4, n: 2), accuracy: 1e-12)
        XCTAssertEqual(c.hits[1].score, bm25(tf: 2, dl: 6, n: 2), accuracy: 1e-12)
        // Configurable k1 and b.
        let flat = try s.search(.text("東京"), options: SearchOptions(bm25: BM25(k1: 2.0, b: 0)))
        let idf = log(1 + (N - 2 + 0.5) / (2 + 0.5))
        XCTAssertEqual(flat.hits[0].score, idf * 2 * 3.0 / (2 + 2.0), accuracy: 1e-12)
    }

    func testScoresDoNotDependOnSegmentation() throws {
        let docs = TestCorpus.mixedDocuments(count: 90, seed: 21)
        let one = try TestCorpus.buildIndex(at: makeTemporaryDirectory(self), docs).searcher()
        let many = try TestCorpus.buildIndex(at: makeTemporaryDirectory(self), docs, commitEvery: 7,
                                             options: IndexWriterOptions(maxSegments: 1000)).searcher()
        XCTAssertEqual(try one.stats().segments, 1)
        XCTAssertGreaterThan(try many.stats().segments, 10)
        for q in ["東京", "発展", "한국어", "the fox", "重庆 OR 重慶", "经济 -发展", "京", "서울특별시", "\"高質量 發展\""] {
            let a = try one.search(q, limit: 50).hits
            let b = try many.search(q, limit: 50).hits
            XCTAssertEqual(a.map(\.id), b.map(\.id), q)
            XCTAssertEqual(a.map(\.score), b.map(\.score), q)
        }
    }
}
