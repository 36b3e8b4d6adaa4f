import XCTest
@testable import CJKSearch

/// A merge by postings must give exactly the segment that indexing the surviving documents afresh
/// gives: every section byte for byte.
final class SegmentMergerTests: XCTestCase {
    private func write(_ docs: [Document], _ dir: String, _ name: String, _ id: UInt64) throws -> SegmentReader {
        let w = SegmentWriter()
        for d in docs { try w.add(d) }
        try w.write(to: dir + "/" + name + ".seg", segmentID: id)
        return try SegmentReader(directory: dir, name: name, expectedID: id)
    }

    func testMergeEqualsFreshSegmentOfSurvivors() throws {
        let dir = makeTemporaryDirectory(self)
        var docs = TestCorpus.mixedDocuments(count: 150, seed: 8) + (try TestCorpus.corpusDocuments())
        // A term only in a document that gets deleted must vanish from the merge.
        docs[3].body += " 独一无二的词"
        let parts = [Array(docs[0 ..< 60]), Array(docs[60 ..< 61]), Array(docs[61...])]
        var rng = SeededRandom(seed: 3)
        var sources: [SegmentMerger.Source] = []
        var survivors: [Document] = []
        for (k, part) in parts.enumerated() {
            let reader = try write(part, dir, "p\(k)", UInt64(k + 1))
            var live = LiveDocuments(documentCount: part.count)
            for (d, doc) in part.enumerated() {
                if d == 3 && k == 0 || rng.next() % 5 == 0 { live.delete(d) } else { survivors.append(doc) }
            }
            sources.append(SegmentMerger.Source(reader: reader, live: live))
        }
        let count = try SegmentMerger.merge(sources, to: dir + "/m.seg", segmentID: 99)
        XCTAssertEqual(count, survivors.count)
        let merged = try SegmentReader(directory: dir, name: "m", expectedID: 99)
        let fresh = try write(survivors, dir, "f", 99)
        for kind in [SegmentFormat.meta, SegmentFormat.termDict, SegmentFormat.postings, SegmentFormat.norms,
                     SegmentFormat.stored, SegmentFormat.ids, SegmentFormat.idHash] {
            XCTAssertEqual(Array(try merged.parsed.section(kind).buffer), Array(try fresh.parsed.section(kind).buffer), "section \(kind)")
        }
        XCTAssertNil(try merged.terms.lookup(TermKey.positional(.body, 0x72EC, 0x4E00)), "独一 only in a deleted document")
        XCTAssertNoThrow(try SearchIndex.checkSegment(merged))
    }

    func testMergeWithoutDeletionsAndOfNothingLive() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = TestCorpus.mixedDocuments(count: 30, seed: 2)
        let a = try write(Array(docs[..<10]), dir, "a", 1), b = try write(Array(docs[10...]), dir, "b", 2)
        let n = try SegmentMerger.merge([.init(reader: a, live: nil), .init(reader: b, live: nil)], to: dir + "/m.seg", segmentID: 3)
        XCTAssertEqual(n, 30)
        let m = try SegmentReader(directory: dir, name: "m", expectedID: 3)
        let dz = ZstdDecompressor()
        for (i, d) in docs.enumerated() { XCTAssertEqual(try m.document(i, decompressor: dz), d) }
        // On one thread (a background merge), the same sections (Stored first instead of after Postings).
        _ = try SegmentMerger.merge([.init(reader: a, live: nil), .init(reader: b, live: nil)], to: dir + "/s.seg", segmentID: 3, parallel: false)
        let one = try SegmentReader(directory: dir, name: "s", expectedID: 3)
        for kind in [SegmentFormat.meta, SegmentFormat.termDict, SegmentFormat.postings, SegmentFormat.norms,
                     SegmentFormat.stored, SegmentFormat.ids, SegmentFormat.idHash] {
            XCTAssertEqual(Array(try one.parsed.section(kind).buffer), Array(try m.parsed.section(kind).buffer), "section \(kind)")
        }
    }

    /// The stored half of a merge goes through a spill file: what is appended, in pieces smaller
    /// and larger than its chunk, comes back byte for byte, and nothing of it stays on disk.
    func testSpillFileGivesBackWhatWasAppended() throws {
        let dir = makeTemporaryDirectory(self)
        var rng = SeededRandom(seed: 12)
        let sizes = [0, 1, 17, SectionWriter.chunkSize - 1, 2, SectionWriter.chunkSize, 3 * SectionWriter.chunkSize + 5, 4096, 1]
        let spill = try SpillFile(directory: dir + "/x.seg")
        var expected: [UInt8] = []
        for n in sizes {
            let piece = (0 ..< n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try spill.append(piece)
            expected += piece
        }
        XCTAssertEqual(spill.count, expected.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "unlinked at once")
        var back: [UInt8] = []
        var chunks = 0
        try spill.copy { back += Array($0); chunks += 1 }
        XCTAssertEqual(back, expected)
        XCTAssertGreaterThan(chunks, 3)
    }

    /// A merge asked to stop (the writer closing) throws writerClosed from either of its halves,
    /// on two threads or one, and leaves no file behind; one that is never stopped completes.
    func testStoppedMergeLeavesNothing() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = TestCorpus.mixedDocuments(count: 40, seed: 4) + (try TestCorpus.corpusDocuments())
        let a = try write(Array(docs[..<20]), dir, "a", 1), b = try write(Array(docs[20...]), dir, "b", 2)
        for parallel in [true, false] {
        var stops = 0
        for stopAt in [0, 1, 2, 3, 1000] {
            let calls = ManagedCounter()
            let name = "m\(stopAt)-\(parallel)"
            do {
                let n = try SegmentMerger.merge([.init(reader: a, live: nil), .init(reader: b, live: nil)], to: dir + "/\(name).seg",
                                                segmentID: 3, parallel: parallel, shouldStop: { calls.increment() >= stopAt })
                XCTAssertEqual(n, docs.count)
                XCTAssertGreaterThan(stopAt, 0, "the first check stops")
                XCTAssertNoThrow(try SearchIndex.checkSegment(SegmentReader(directory: dir, name: name, expectedID: 3)))
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .writerClosed, e.message)
                stops += 1
                XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/\(name).seg"), "stopped at check \(stopAt)")
            }
            XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasSuffix(".tmp") })
        }
        XCTAssertEqual(stops, 2, "each half checks once here (every 4,096 documents or terms, from the first)")
        }
    }
}

/// A counter shared between threads; increment() returns the value before.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value - 1 } }
}
