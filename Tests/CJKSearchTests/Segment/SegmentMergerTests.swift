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
    }
}
