import Foundation
import XCTest
@testable import CJKSearch

final class IndexWriterTests: XCTestCase {
    func testCommitMakesDocumentsVisibleAndDurable() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        try writer.add(Document(id: "1", title: "東京", body: "東京都の天気"))
        XCTAssertEqual(try index.searcher().documentCount, 0, "uncommitted changes are invisible")
        let info = try writer.commit()
        XCTAssertEqual(info.documentCount, 1)
        XCTAssertEqual(try index.searcher().count("天気"), 1)
        writer.close()
        // Reopen from disk.
        let reopened = try SearchIndex.open(at: dir)
        XCTAssertEqual(try reopened.searcher().search("東京").hits.first?.title, "東京")
    }

    func testReplaceAndDelete() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        try writer.add(Document(id: "a", body: "一番目の文書"))
        try writer.add(Document(id: "b", body: "二番目の文書"))
        try writer.commit()
        // Replace a committed document, and replace one twice inside the buffer.
        try writer.add(Document(id: "a", body: "差し替えた文書"))
        try writer.add(Document(id: "c", body: "三番目"))
        try writer.add(Document(id: "c", body: "三番目の改訂"))
        try writer.commit()
        var s = try index.searcher()
        XCTAssertEqual(s.documentCount, 3)
        XCTAssertEqual(try s.count("一番目"), 0)
        XCTAssertEqual(try s.count("差し替え"), 1)
        XCTAssertEqual(try s.document(id: "c")?.body, "三番目の改訂")
        XCTAssertEqual(try s.count("三番目"), 1)
        // Delete committed and buffered documents; delete then re-add.
        try writer.delete(id: "b")
        try writer.add(Document(id: "d", body: "四番目"))
        try writer.delete(id: "d")
        try writer.delete(id: "a")
        try writer.add(Document(id: "a", body: "復活した文書"))
        try writer.commit()
        s = try index.searcher()
        XCTAssertEqual(Set(try s.search("文書", limit: 10).hits.map(\.id)), ["a"])
        XCTAssertNil(try s.document(id: "b"))
        XCTAssertNil(try s.document(id: "d"))
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertNoThrow(try index.check())
    }

    func testMergeDropsDeletedDocumentsAndKeepsResults() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = TestCorpus.mixedDocuments(count: 60, seed: 3)
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 10)
        let writer = try index.writer(options: IndexWriterOptions(maxSegments: 100))
        for i in stride(from: 0, to: 60, by: 7) { try writer.delete(id: docs[i].id) }
        try writer.commit()
        let before = try index.searcher()
        XCTAssertGreaterThan(try before.stats().segments, 1)
        XCTAssertGreaterThan(try before.stats().deletedDocuments, 0)
        let queries = ["東京", "한국", "重庆", "発展", "the", "서울 OR 京都"]
        // Document frequencies count deleted documents until a merge drops them (as in Lucene),
        // so scores may move; the matching documents may not.
        let expected = try queries.map { Set(try before.search($0, limit: 100).hits.map(\.id)) }
        let info = try writer.merge(maxSegments: 1)
        XCTAssertEqual(info.segmentCount, 1)
        let after = try index.searcher()
        XCTAssertEqual(try after.stats().deletedDocuments, 0)
        XCTAssertEqual(after.documentCount, before.documentCount)
        for (q, e) in zip(queries, expected) {
            let got = Set(try after.search(q, limit: 100).hits.map(\.id))
            XCTAssertEqual(got, e, q)
        }
        // Old segment files are gone.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        XCTAssertEqual(files.count, 1)
        XCTAssertNoThrow(try index.check())
    }

    func testSecondWriterIsRefused() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        assertThrowsSearchError(.locked) { _ = try index.writer() }
        writer.close()
        XCTAssertNoThrow(try index.writer().close())
    }

    func testSecondWriterInAnotherProcessIsRefused() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        defer { writer.close() }
        // flock from another process: the `flock` utility (util-linux) with a non-blocking try.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["--nonblock", dir + "/LOCK", "true"]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else { throw XCTSkip("no flock(1)") }
        try p.run()
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 0, "another process could take the writer lock")
    }

    func testSnapshotIsolationAndSearchDuringCommits() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        let old = try index.searcher()
        let docs = TestCorpus.mixedDocuments(count: 200, seed: 11)
        let stop = ManagedAtomicFlag()
        let group = DispatchGroup()
        let failures = LockedList()
        for t in 0 ..< 3 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var lastCount = 0
                var lastGeneration: UInt64 = 0
                while !stop.isSet {
                    do {
                        let s = try index.searcher()
                        let total = try s.search("的 OR の OR 이 OR the", limit: 5).totalCount
                        let again = try s.search("的 OR の OR 이 OR the", limit: 5).totalCount
                        if total != again { failures.append("thread \(t): one snapshot gave \(total) then \(again)") }
                        if s.generation >= lastGeneration && s.documentCount < lastCount {
                            failures.append("thread \(t): count went backwards \(lastCount) → \(s.documentCount)")
                        }
                        lastCount = s.documentCount
                        lastGeneration = s.generation
                    } catch {
                        failures.append("thread \(t): \(error)")
                    }
                }
            }
        }
        for (i, d) in docs.enumerated() {
            try writer.add(d)
            if i % 25 == 24 { try writer.commit() }
        }
        try writer.merge(maxSegments: 1)
        stop.set()
        group.wait()
        XCTAssertEqual(failures.items, [])
        XCTAssertEqual(old.documentCount, 0, "an old snapshot never changes")
        XCTAssertEqual(try old.search("東京").totalCount, 0)
        XCTAssertEqual(try index.searcher().documentCount, 200)
    }

    func testDocumentLimitsAndValidation() throws {
        let dir = makeTemporaryDirectory(self)
        let writer = try SearchIndex.create(at: dir).writer()
        assertThrowsSearchError(.invalidInput) { try writer.add(Document(id: "", body: "x")) }
        assertThrowsSearchError(.limitExceeded) { try writer.add(Document(id: String(repeating: "x", count: 5000), body: "x")) }
    }

    func testClosedWriterRefusesWork() throws {
        let dir = makeTemporaryDirectory(self)
        let writer = try SearchIndex.create(at: dir).writer()
        writer.close()
        assertThrowsSearchError(.writerClosed) { try writer.add(Document(id: "a", body: "x")) }
        assertThrowsSearchError(.writerClosed) { try writer.commit() }
    }

    func testOpenMissingIndex() {
        assertThrowsSearchError(.indexNotFound) { _ = try SearchIndex.open(at: "/nonexistent/cjksearch") }
    }

    func testCrashLeftoversAreIgnoredAndRemoved() throws {
        let dir = makeTemporaryDirectory(self)
        try TestCorpus.buildIndex(at: dir, [Document(id: "a", body: "東京")])
        // A crashed writer's uncommitted segment and temporary manifest.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/s00000099-dead.seg"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/MANIFEST.tmp"))
        let index = try SearchIndex.open(at: dir)
        XCTAssertEqual(try index.searcher().documentCount, 1)
        try index.writer().close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/s00000099-dead.seg"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/MANIFEST.tmp"))
        XCTAssertNoThrow(try index.check())
    }

    /// A document whose indexing could take more than the budget gives a thread is refused with
    /// limitExceeded (saying how to get it in), and the writer goes on; with one thread more
    /// budget takes it.
    func testDocumentTooLargeForTheMemoryBudgetIsRefused() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        // 2 MiB of CJK text: a bound of 128 MiB, over the 96 MiB a thread gets of 192 MiB and two
        // threads, within 192 MiB and one.
        let big = Document(id: "big", body: String(repeating: "重慶經開區的", count: 2 << 20 / 18))
        XCTAssertGreaterThan(big.indexingMemoryBound, 96 << 20)
        XCTAssertLessThan(big.indexingMemoryBound, 192 << 20)
        let writer = try index.writer(options: IndexWriterOptions(memoryBudget: 192 << 20, threads: 2))
        do {
            try writer.add(big)
            XCTFail("accepted")
        } catch let e as SearchError {
            XCTAssertEqual(e.code, .limitExceeded)
            XCTAssertTrue(e.message.contains("\"big\"") && e.message.contains("--memory"), e.message)
        }
        try writer.add(Document(id: "small", body: "重慶經開區"))
        XCTAssertEqual(try writer.commit().documentCount, 1, "the writer goes on")
        writer.close()
        let one = try index.writer(options: IndexWriterOptions(memoryBudget: 192 << 20, threads: 1))
        try one.add(big)
        XCTAssertEqual(try one.commit().documentCount, 2)
        one.close()
        XCTAssertEqual(try index.searcher().count("經開區的重慶"), 1)
    }

    /// Flushed segments are fsynced by the commit that names them, not at the flush; more than
    /// `maxUnsynced` flushes between commits keep working (the oldest are synced early), and a
    /// writer closed after flushes without a commit leaves the last commit and no stray files.
    func testSegmentsFlushedBetweenCommits() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let docs = TestCorpus.mixedDocuments(count: 60, seed: 9)
        let writer = try index.writer(options: IndexWriterOptions(memoryBudget: 20_000, maxSegments: 1000, mergePolicy: nil))
        for d in docs { try writer.add(d) }
        let info = try writer.commit()
        XCTAssertGreaterThan(info.segmentCount, IndexWriter.maxUnsynced + 2)
        XCTAssertEqual(info.documentCount, 60)
        for d in TestCorpus.mixedDocuments(count: 30, seed: 10) { try writer.add(Document(id: "new-" + d.id, title: d.title, body: d.body)) }
        writer.close()   // flushed, not committed
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        XCTAssertGreaterThan(files.count, info.segmentCount, "the uncommitted flushes wrote segments")
        XCTAssertEqual(try index.searcher().documentCount, 60)
        try index.writer().close()   // removes what no commit names
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        XCTAssertEqual(left.count, info.segmentCount)
        XCTAssertNoThrow(try index.check())
        for d in docs.prefix(10) { XCTAssertEqual(try index.searcher().document(id: d.id), d) }
    }

    func testFlushOnMemoryBudgetMakesSeveralSegments() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = TestCorpus.mixedDocuments(count: 120, seed: 5)
        let index = try TestCorpus.buildIndex(at: dir, docs, options: IndexWriterOptions(memoryBudget: 20_000, maxSegments: 1000))
        let stats = try index.searcher().stats()
        XCTAssertGreaterThan(stats.segments, 2)
        XCTAssertEqual(stats.documents, 120)
    }
}

/// A flag shared between threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
}

extension IndexWriterTests {
    func testRefreshedSearcherSeesNewCommitsAndSharesSegments() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try TestCorpus.buildIndex(at: dir, [Document(id: "a", body: "東京")])
        let s1 = try index.searcher()
        XCTAssertTrue(try s1.refreshed() === s1, "nothing new: the same searcher")
        let w = try index.writer()
        try w.add(Document(id: "b", body: "東京タワー"))
        try w.commit()
        w.close()
        let s2 = try s1.refreshed()
        XCTAssertEqual(s2.documentCount, 2)
        XCTAssertEqual(s1.documentCount, 1)
        XCTAssertTrue(s2.snapshot.segments[0].reader === s1.snapshot.segments[0].reader, "the unchanged segment is shared")
    }
}
