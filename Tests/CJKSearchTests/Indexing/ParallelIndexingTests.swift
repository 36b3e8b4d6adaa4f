import XCTest
@testable import CJKSearch

/// The writer with indexing threads must build an index that searches exactly like one built on
/// the caller's thread: same documents, same replacements and deletions, same scores.
final class ParallelIndexingTests: XCTestCase {
    /// A random stream of adds (with repeated ids, so replacements cross flushes and threads) and
    /// deletes, applied with `threads` threads and a small budget; committed every `commitEvery`.
    private func build(threads: Int, budget: Int, seed: UInt64) throws -> (Searcher, [String: Document]) {
        let dir = makeTemporaryDirectory(self)
        let pool = TestCorpus.mixedDocuments(count: 300, seed: 21)
        var rng = SeededRandom(seed: seed)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer(options: IndexWriterOptions(memoryBudget: budget, maxSegments: 1000, threads: threads))
        var live: [String: Document] = [:]
        for step in 0 ..< 700 {
            let id = "doc-\(rng.next() % 220)"
            if rng.next() % 6 == 0 {
                try writer.delete(id: id)
                live[id] = nil
            } else {
                var d = pool[Int(rng.next() % UInt64(pool.count))]
                d.id = id
                d.fields = ["step": String(step)]
                try writer.add(d)
                live[id] = d
            }
            if step % 250 == 249 { try writer.commit() }
        }
        try writer.commit()
        writer.close()
        XCTAssertNoThrow(try index.check())
        return (try index.searcher(), live)
    }

    func testThreadsGiveTheSameIndexAsOneThread() throws {
        let (one, live) = try build(threads: 1, budget: 3 << 20, seed: 4)
        let (three, live3) = try build(threads: 3, budget: 9 << 20, seed: 4)
        XCTAssertEqual(live.count, live3.count)
        XCTAssertEqual(one.documentCount, live.count)
        XCTAssertEqual(three.documentCount, live.count)
        XCTAssertGreaterThan(three.snapshot.segments.count, 3, "several flushes on several threads")
        for (id, d) in live {
            XCTAssertEqual(try three.document(id: id), d, id)
        }
        let queries = ["東京", "重庆", "的", "한국어", "search", "发展 经济", "京都 OR 大阪", "文書 -東京", "\"人工智能\"", "x"]
        for q in queries {
            let a = try one.search(q, limit: 50), b = try three.search(q, limit: 50)
            XCTAssertEqual(a.totalCount, b.totalCount, q)
            XCTAssertEqual(a.hits.map(\.id), b.hits.map(\.id), q)
            for (x, y) in zip(a.hits, b.hits) { XCTAssertEqual(x.score, y.score, accuracy: 1e-9, q) }
        }
    }

    func testPendingCountAndDiscardOnClose() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer(options: IndexWriterOptions(threads: 2))
        for i in 0 ..< 50 { try writer.add(Document(id: "d\(i % 40)", body: "東京\(i)")) }
        try writer.delete(id: "d0")
        XCTAssertEqual(writer.pendingDocumentCount, 39)
        writer.close()   // uncommitted: discarded
        XCTAssertEqual(try index.searcher().documentCount, 0)
        assertThrowsSearchError(.writerClosed) { try writer.add(Document(id: "x", body: "y")) }
    }

    func testAnIndexingThreadErrorReachesTheCallerAndClosesTheWriter() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer(options: IndexWriterOptions(memoryBudget: 1, threads: 2))
        try writer.add(Document(id: "a", body: "東京"))
        try writer.commit()
        // The directory disappears: the next segment cannot be created.
        try FileManager.default.removeItem(atPath: dir)
        var thrown: SearchError?
        do {
            for i in 0 ..< 2000 { try writer.add(Document(id: "d\(i)", body: String(repeating: "東京都", count: 100))) }
            try writer.commit()
        } catch let e as SearchError {
            thrown = e
        }
        XCTAssertEqual(thrown?.code, .io, "\(String(describing: thrown))")
        assertThrowsSearchError(.writerClosed) { try writer.commit() }
    }
}
