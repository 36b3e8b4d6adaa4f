import XCTest
@testable import CJKSearch

/// A full disk (ENOSPC) or a failing device (EIO) at any write of a flush, a commit or a merge:
/// the last commit stays intact and readable, `check` passes, and the writer either goes on
/// working once the fault is gone or refuses work with a clear error. Faults are injected at the
/// file layer (every engine write goes through FileIO.writeAll).
final class DiskFullTests: XCTestCase {
    override func tearDown() {
        FileIO.injectWriteFault(nil)
        super.tearDown()
    }

    private func documents(_ n: Int, prefix: String, seed: UInt64) -> [Document] {
        TestCorpus.mixedDocuments(count: n, seed: seed).enumerated().map { i, d in
            var d = d
            d.id = "\(prefix)-\(i)"
            return d
        }
    }

    /// Faults at growing byte budgets land in the flush, in the segment's sections, in the
    /// manifest and past it; each time the index holds the first commit or the second, whole.
    func testFaultAtEveryStageOfACommit() throws {
        let first = documents(60, prefix: "a", seed: 41), second = documents(60, prefix: "b", seed: 42)
        var outcomes: [String: Int] = [:]
        // How many bytes the commit writes, so that faults also land in its last writes (the
        // manifest, a few dozen bytes after the segment).
        let used: Int = try {
            let index = try TestCorpus.buildIndex(at: makeTemporaryDirectory(self), first)
            let writer = try index.writer()
            defer { writer.close() }
            for d in second { try writer.add(d) }
            FileIO.injectWriteFault(.init(budget: 1 << 40, errno: ENOSPC))
            defer { FileIO.injectWriteFault(nil) }
            _ = try writer.commit()
            return (1 << 40) - FileIO.remainingWriteBudget()!
        }()
        XCTAssertGreaterThan(used, 1000)
        let budgets = [0, 1, 64, 512, used / 4, used / 2, used - 200, used - 60, used - 20, used - 1, used]
        for (k, budget) in budgets.enumerated() {
            let dir = makeTemporaryDirectory(self)
            let index = try TestCorpus.buildIndex(at: dir, first)
            let writer = try index.writer()
            for d in second { try writer.add(d) }
            FileIO.injectWriteFault(.init(budget: budget, errno: k % 2 == 0 ? ENOSPC : EIO))
            var failed: SearchError?
            do { _ = try writer.commit() } catch let e as SearchError { failed = e }
            FileIO.injectWriteFault(nil)
            let live = try index.searcher().documentCount
            if let failed {
                XCTAssertEqual(failed.code, .io, "\(budget): \(failed)")
                XCTAssertTrue(failed.message.contains(k % 2 == 0 ? "No space left" : "Input/output error"), failed.message)
                XCTAssertNotNil(failed.path, "the error names the file")
                XCTAssertEqual(live, first.count, "budget \(budget): a failed commit changes nothing")
                // The writer goes on (and commits) or refuses cleanly.
                do {
                    _ = try writer.commit()
                    XCTAssertEqual(try index.searcher().documentCount, first.count + second.count)
                    outcomes["failed, then committed", default: 0] += 1
                } catch let e as SearchError {
                    XCTAssertEqual(try index.searcher().documentCount, first.count, "\(e)")
                    outcomes["failed, writer closed", default: 0] += 1
                }
            } else {
                XCTAssertEqual(live, first.count + second.count)
                outcomes["committed", default: 0] += 1
            }
            writer.close()
            XCTAssertNoThrow(try index.check(), "budget \(budget)")
            // No temporary or orphan file is left for a new writer to trip on.
            let reopened = try index.writer()
            try reopened.add(Document(id: "z", title: "", body: "重慶"))
            _ = try reopened.commit()
            reopened.close()
            XCTAssertNoThrow(try index.check())
        }
        print("disk-full outcomes: \(outcomes)")
        XCTAssertGreaterThan(outcomes["committed", default: 0], 0, "\(outcomes)")
        XCTAssertGreaterThan(outcomes.filter { $0.key.hasPrefix("failed") }.values.reduce(0, +), 6, "\(outcomes)")
    }

    /// A merge that runs out of space leaves the segments it was merging, and the commit.
    func testFaultDuringAMerge() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try TestCorpus.buildIndex(at: dir, documents(150, prefix: "m", seed: 43), commitEvery: 30)
        let before = try index.searcher()
        let segments = try before.stats().segments
        XCTAssertGreaterThan(segments, 2)
        let writer = try index.writer()
        FileIO.injectWriteFault(.init(budget: 10_000, errno: ENOSPC))
        XCTAssertThrowsError(try writer.merge(maxSegments: 1))
        FileIO.injectWriteFault(nil)
        writer.close()
        let after = try index.searcher()
        XCTAssertEqual(after.documentCount, before.documentCount)
        XCTAssertEqual(try after.stats().segments, segments)
        XCTAssertEqual(try after.search("重慶", limit: 200).hits.map(\.id), try before.search("重慶", limit: 200).hits.map(\.id))
        XCTAssertNoThrow(try index.check())
        let again = try index.writer()
        _ = try again.merge(maxSegments: 1)
        again.close()
        XCTAssertEqual(try index.searcher().stats().segments, 1)
    }
}
