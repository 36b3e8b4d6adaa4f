import Foundation
import XCTest
@testable import CJKSearch

/// Background merges: the index they leave holds exactly the documents added, replaced and
/// deleted, including changes made to a merge's sources while it ran.
final class BackgroundMergeTests: XCTestCase {
    func testMergesWhileIndexingKeepEveryChange() throws {
        for threads in [1, 3] {
            let dir = makeTemporaryDirectory(self)
            let index = try SearchIndex.create(at: dir)
            var options = IndexWriterOptions(memoryBudget: 128 << 20, maxSegments: 1000, threads: threads,
                                             mergePolicy: TieredMergePolicy(segmentsPerTier: 3, floorBytes: 1 << 10))
            options.inlineLimit = 0
            let writer = try index.writer(options: options)
            // Small commits make many small segments, for the policy to merge.
            let live = try TestCorpus.applyRandomChanges(writer, pool: TestCorpus.mixedDocuments(count: 200, seed: 5), seed: 9,
                                                         steps: 900, ids: 300, deleteOneIn: 7, commitEvery: 30)
            let commits = 900 / 30
            try writer.waitForMerges()
            let info = try writer.commit()
            writer.close()
            XCTAssertLessThan(info.segmentCount, commits / 3, "threads \(threads): background merges ran")
            XCTAssertNoThrow(try index.check())
            let s = try index.searcher()
            XCTAssertEqual(s.documentCount, live.count)
            for i in 0 ..< 300 {
                XCTAssertEqual(try s.document(id: "doc-\(i)"), live["doc-\(i)"], "threads \(threads) doc-\(i)")
            }
        }
    }

    /// A merge held just before it is taken in, while documents of its sources are deleted and
    /// replaced, and one source loses all its documents and is dropped by a commit.
    func testChangesToSourcesDuringAMergeCarryOver() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let reached = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let first = FirstTime()
        var options = IndexWriterOptions(maxSegments: 1000, mergePolicy: TieredMergePolicy(segmentsPerTier: 3))
        options.mergeWillInstall = {
            guard first.claim() else { return }
            reached.signal()
            _ = release.wait(timeout: .now() + 60)
        }
        let writer = try index.writer(options: options)
        func doc(_ id: String, _ body: String) -> Document { Document(id: id, title: id, body: body) }
        for group in ["a", "b", "c"] {
            for i in 1 ... 5 { try writer.add(doc("\(group)\(i)", "東京 \(group) 版本一 \(i)")) }
            try writer.commit()   // one segment each; the third starts a merge of all three
        }
        XCTAssertEqual(reached.wait(timeout: .now() + 60), .success, "the merge reached its install")
        // While it waits: delete from a, replace in b, delete all of c; commit (not waiting).
        try writer.delete(id: "a2")
        try writer.add(doc("b3", "大阪 版本二"))
        for i in 1 ... 5 { try writer.delete(id: "c\(i)") }
        let during = try writer.commit()
        XCTAssertEqual(during.documentCount, 9)   // a1 a3 a4 a5, b1…b5
        release.signal()
        XCTAssertTrue(try writer.waitForMerges(), "the merge finished after the last commit")
        let info = try writer.commit()
        writer.close()
        XCTAssertEqual(info.documentCount, 9)
        XCTAssertEqual(info.segmentCount, 2, "the merged segment and the one holding the new b3")
        XCTAssertNoThrow(try index.check())
        let s = try index.searcher()
        XCTAssertNil(try s.document(id: "a2"))
        XCTAssertEqual(try s.document(id: "b3")?.body, "大阪 版本二")
        for i in 1 ... 5 { XCTAssertNil(try s.document(id: "c\(i)")) }
        XCTAssertEqual(try s.count("版本一"), 8)   // a1 a3 a4 a5 b1 b2 b4 b5
        XCTAssertEqual(try s.count("版本二"), 1)
        XCTAssertEqual(s.documentCount, 9)
        // a2, the old b3 and c1…c5 were deleted from the sources during the merge: the merged
        // segment carries them as its own deletions.
        XCTAssertEqual(try s.stats().deletedDocuments, 7)
    }

    /// mergeSmallSegments merges the segments of the policy's tier 0 into one, leaves larger ones
    /// as they are, keeps every live document and deletion, and does nothing with fewer than two
    /// small segments or no policy.
    func testMergeSmallSegments() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        // Tier 0: under 10 × 1.5 KB (the small commits make 7–10 KB segments, the first 25 KB); the
        // policy merges in the background only at 10 segments of a tier.
        let policy = TieredMergePolicy(segmentsPerTier: 10, floorBytes: 1_500)
        var options = IndexWriterOptions(maxSegments: 1000, mergePolicy: policy)
        options.mergePolicy = nil   // no background merges while the segments are made
        var writer = try index.writer(options: options)
        let pool = TestCorpus.mixedDocuments(count: 60, seed: 3)
        for d in pool.prefix(40) { try writer.add(d) }
        try writer.commit()
        for (i, d) in pool.dropFirst(40).enumerated() {
            try writer.add(d)
            if i % 5 == 4 { try writer.commit() }
        }
        try writer.delete(id: pool[42].id)
        let before = try writer.commit()
        XCTAssertNil(try writer.mergeSmallSegments(), "no policy: nothing merged")
        writer.close()
        XCTAssertEqual(before.segmentCount, 5)
        let expected = try index.searcher().search("版本 OR 東京 OR the", limit: 100).hits.map(\.id)
        let sizes = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
            .map { try FileManager.default.attributesOfItem(atPath: dir + "/" + $0)[.size] as! Int }
        XCTAssertEqual(sizes.filter { policy.tier($0) == 0 }.count, 4, "the first segment is above tier 0: \(sizes)")

        options.mergePolicy = policy
        writer = try index.writer(options: options)
        let merged = try XCTUnwrap(try writer.mergeSmallSegments())
        XCTAssertEqual(merged.segmentCount, 2, "the large segment and the small ones merged")
        XCTAssertEqual(merged.documentCount, 59)
        XCTAssertNil(try writer.mergeSmallSegments(), "no small segments left: nothing to merge")
        writer.close()
        XCTAssertNoThrow(try index.check())
        let s = try index.searcher()
        XCTAssertEqual(s.documentCount, 59)
        XCTAssertNil(try s.document(id: pool[42].id))
        for d in pool where d.id != pool[42].id { XCTAssertEqual(try s.document(id: d.id)?.body, d.body) }
        XCTAssertEqual(try s.search("版本 OR 東京 OR the", limit: 100).hits.map(\.id), expected)
    }

    /// Closing a writer stops its merge: nothing is left behind, and the index is its last commit.
    func testCloseDuringAMergeLeavesTheLastCommit() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try SearchIndex.create(at: dir)
        let reached = DispatchSemaphore(value: 0)
        var options = IndexWriterOptions(maxSegments: 1000, mergePolicy: TieredMergePolicy(segmentsPerTier: 2))
        options.mergeWillInstall = { reached.signal() }
        let writer = try index.writer(options: options)
        try writer.add(Document(id: "x", body: "東京"))
        try writer.commit()
        try writer.add(Document(id: "y", body: "大阪"))
        try writer.commit()
        XCTAssertEqual(reached.wait(timeout: .now() + 60), .success)
        writer.close()
        let s = try index.searcher()
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertEqual(s.snapshot.segments.count, 2)
        let again = try index.writer()   // removes the merged file nobody committed
        again.close()
        let files = try FileIO.listDirectory(dir).filter { $0.hasSuffix(".seg") }
        XCTAssertEqual(files.count, 2, "\(files)")
    }
}

/// True the first time only.
private final class FirstTime: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func claim() -> Bool { lock.withLock { defer { done = true }; return !done } }
}
