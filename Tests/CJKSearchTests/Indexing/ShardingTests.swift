import XCTest
@testable import CJKSearch

/// A corpus split into shards, searched together or merged back, must search exactly like one
/// index over the whole corpus: same counts, same ids, same scores.
final class ShardingTests: XCTestCase {
    private let queries = ["東京", "重庆", "的", "한국어", "search", "发展 经济", "京都 OR 大阪", "文書 -東京", "\"人工智能\"", "經濟", "x"]

    private func assertSameResults(_ a: Searcher, _ b: Searcher, _ note: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(a.documentCount, b.documentCount, note, file: file, line: line)
        for q in queries {
            let x = try a.search(q, limit: 40), y = try b.search(q, limit: 40)
            XCTAssertEqual(x.totalCount, y.totalCount, "\(note): \(q)", file: file, line: line)
            XCTAssertEqual(x.hits.map(\.id), y.hits.map(\.id), "\(note): \(q)", file: file, line: line)
            for (h, k) in zip(x.hits, y.hits) {
                XCTAssertEqual(h.score, k.score, accuracy: 1e-9, "\(note): \(q)", file: file, line: line)
            }
        }
    }

    func testShardsSearchedTogetherAndMergedEqualOneIndex() throws {
        let docs = TestCorpus.mixedDocuments(count: 240, seed: 31) + (try TestCorpus.corpusDocuments())
        let root = makeTemporaryDirectory(self)
        let whole = try TestCorpus.buildIndex(at: root + "/whole", docs)
        var shards: [SearchIndex] = []
        for k in 0 ..< 3 {
            let part = docs.filter { Document.shard(forID: $0.id, of: 3) == k }
            XCTAssertGreaterThan(part.count, 40, "the hash spreads ids over shards")
            shards.append(try TestCorpus.buildIndex(at: root + "/shard\(k)", part,
                                                    options: IndexWriterOptions(memoryBudget: 4 << 20, threads: 2)))
        }
        let together = try SearchIndex.searcher(over: shards)
        XCTAssertEqual(together.directories.count, 3)
        try assertSameResults(try whole.searcher(), together, "three shards searched together")
        XCTAssertEqual(try together.stats().documents, docs.count)

        let merged = try SearchIndex.create(at: root + "/merged")
        let w = try merged.writer()
        let info = try w.merge(adding: shards)
        w.close()
        XCTAssertEqual(info.segmentCount, 1)
        XCTAssertNoThrow(try merged.check())
        try assertSameResults(try whole.searcher(), try merged.searcher(), "shards merged into one index")
    }

    func testMergeKeepsTheNewestCopyOfAnId() throws {
        let root = makeTemporaryDirectory(self)
        let a = try TestCorpus.buildIndex(at: root + "/a", [Document(id: "x", body: "舊版本"), Document(id: "y", body: "只在甲")])
        let b = try TestCorpus.buildIndex(at: root + "/b", [Document(id: "x", body: "新版本"), Document(id: "z", body: "只在乙")])
        let out = try TestCorpus.buildIndex(at: root + "/out", [Document(id: "y", body: "最舊的")])
        let w = try out.writer()
        assertThrowsSearchError(.invalidInput) { try w.merge(adding: [a, out]) }   // into itself: refused
        try w.merge(adding: [a, b])   // the writer is still usable
        let s = try out.searcher()
        XCTAssertEqual(s.documentCount, 3)
        XCTAssertEqual(try s.document(id: "x")?.body, "新版本")
        XCTAssertEqual(try s.document(id: "y")?.body, "只在甲")
        XCTAssertEqual(try s.count("版本"), 1)
        XCTAssertEqual(try a.searcher().documentCount, 2, "inputs are left as they were")
    }
}
