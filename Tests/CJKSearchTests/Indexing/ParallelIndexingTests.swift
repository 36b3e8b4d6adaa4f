import XCTest
@testable import CJKSearch

/// The writer with indexing threads must build an index that searches exactly like one built on
/// the caller's thread: same documents, same replacements and deletions, same scores.
final class ParallelIndexingTests: XCTestCase {
    /// A random stream of adds (with repeated ids, so replacements cross flushes and threads) and
    /// deletes, applied with `threads` threads and a small budget; committed every `commitEvery`.
    private func build(threads: Int, budget: Int, seed: UInt64) throws -> (SearchIndex, [String: Document]) {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        var options = IndexWriterOptions(memoryBudget: budget, maxSegments: 1000, threads: threads)
        options.inlineLimit = 0   // threads from the first document
        let writer = try index.writer(options: options)
        let live = try TestCorpus.applyRandomChanges(writer, pool: TestCorpus.mixedDocuments(count: 300, seed: 21), seed: seed,
                                                     steps: 700, ids: 220, deleteOneIn: 6, commitEvery: 250)
        try writer.commit()
        writer.close()
        XCTAssertNoThrow(try index.check())
        return (index, live)
    }

    func testThreadsGiveTheSameIndexAsOneThread() throws {
        let (oneIndex, live) = try build(threads: 1, budget: 3 << 20, seed: 4)
        let (threeIndex, live3) = try build(threads: 3, budget: 24 << 20, seed: 4)
        let one = try oneIndex.searcher(), three = try threeIndex.searcher()
        XCTAssertEqual(live.count, live3.count)
        XCTAssertEqual(one.documentCount, live.count)
        XCTAssertEqual(three.documentCount, live.count)
        XCTAssertGreaterThan(three.snapshot.segments.count, 3, "several flushes on several threads")
        for (id, d) in live {
            XCTAssertEqual(try three.document(id: id), d, id)
        }
        let queries = ["東京", "重庆", "的", "한국어", "search", "发展 经济", "京都 OR 大阪", "文書 -東京", "\"人工智能\"", "x"]
        // The same matches. (Scores may differ here: replaced and deleted documents count in the
        // statistics until a merge, and which of them are still in segments depends on flushes.)
        for q in queries {
            let a = try one.search(q, limit: 500), b = try three.search(q, limit: 500)
            XCTAssertEqual(a.totalCount, b.totalCount, q)
            XCTAssertEqual(Set(a.hits.map(\.id)), Set(b.hits.map(\.id)), q)
        }
        // Merged (deletions expunged), the same ranking and scores.
        for index in [oneIndex, threeIndex] {
            let w = try index.writer()
            try w.merge(maxSegments: 1)
            w.close()
        }
        let m1 = try oneIndex.searcher(), m3 = try threeIndex.searcher()
        for q in queries {
            let a = try m1.search(q, limit: 50), b = try m3.search(q, limit: 50)
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
        var options = IndexWriterOptions(memoryBudget: 16 << 20, threads: 2)
        options.inlineLimit = 0
        let writer = try index.writer(options: options)
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

    /// A writer dropped without close() while its threads work: no crash, no hang, the lock is
    /// released and nothing uncommitted appears.
    func testDroppingABusyWriterIsSafe() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        for round in 0 ..< 3 {
            var options = IndexWriterOptions(memoryBudget: 16 << 20, threads: 2)
            options.inlineLimit = 0
            var writer: IndexWriter? = try index.writer(options: options)
            for i in 0 ..< 3000 { try writer!.add(Document(id: "r\(round)-\(i)", body: String(repeating: "東京都大阪府", count: 40))) }
            writer = nil
            XCTAssertNil(writer)
        }
        let w = try index.writer()   // the lock was released
        w.close()
        XCTAssertEqual(try index.searcher().documentCount, 0)
    }

    func testSmallBudgetsRunFewerThreads() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        var options = IndexWriterOptions(memoryBudget: 16 << 20, maxSegments: 1000, threads: 64)
        options.inlineLimit = 0
        let writer = try index.writer(options: options)
        for i in 0 ..< 200 { try writer.add(Document(id: "d\(i)", body: "東京\(i)")) }
        try writer.commit()
        writer.close()
        // 16 MiB allow 2 threads of 8 MiB (plus the first document's inline segment), not 64
        // threads flushing a segment per document.
        XCTAssertLessThanOrEqual(try index.searcher().stats().segments, 3)
    }
}
