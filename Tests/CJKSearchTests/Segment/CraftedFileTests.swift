import XCTest
@testable import CJKSearch

/// Files whose checksums are right but whose values are absurd (crafted, or damaged before the
/// checksum was computed) must still give errors, never traps.
final class CraftedFileTests: XCTestCase {
    /// Rebuilds a segment with one section's bytes changed; checksums are recomputed.
    func rebuild(_ bytes: [UInt8], section kind: UInt32, _ change: (inout [UInt8]) -> Void) throws -> [UInt8] {
        let parsed = try bytes.withUnsafeBytes { try FileFormat.parse(ByteReader($0, path: "x"), expecting: .segment) }
        var sections: [(UInt32, [UInt8])] = []
        for s in parsed.sections {
            var b = Array(bytes[s.offset ..< s.offset + s.length])
            if s.kind == kind { change(&b) }
            sections.append((s.kind, b))
        }
        return FileFormat.build(kind: .segment, identity: parsed.identity, sections: sections)
    }

    /// Where the Stored section's first block index entry starts (the index precedes the two counts).
    static func storedEntry0(_ s: [UInt8]) -> Int {
        let blocks = Int(s[s.count - 4]) | Int(s[s.count - 3]) << 8 | Int(s[s.count - 2]) << 16
        return s.count - 8 - blocks * 24
    }

    func testStoredDictionaryLengthOutsideTheSection() throws {
        let bytes = try rebuild(try segmentBytes(), section: SegmentFormat.stored) { s in
            s[s.count - 8 + 3] = 0x7F
        }
        XCTAssertThrowsError(try open(bytes)) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
    }

    func segmentBytes() throws -> [UInt8] {
        let w = SegmentWriter()
        for d in try TestCorpus.corpusDocuments() { try w.add(d) }
        return w.finish(segmentID: 5)
    }

    func open(_ bytes: [UInt8]) throws -> (SegmentReader, String) {
        let dir = makeTemporaryDirectory(self)
        try FileIO.writeNewFile(dir + "/c.seg", [bytes])
        return (try SegmentReader(directory: dir, name: "c", expectedID: 5), dir)
    }

    func testHugeTermCountInMeta() throws {
        let bytes = try rebuild(try segmentBytes(), section: SegmentFormat.meta) { m in
            for i in 20 ..< 28 { m[i] = 0xFF }
        }
        XCTAssertThrowsError(try open(bytes)) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
    }

    func testStoredBlockOffsetOutsideTheSection() throws {
        let bytes = try rebuild(try segmentBytes(), section: SegmentFormat.stored) { s in
            s[CraftedFileTests.storedEntry0(s) + 8 + 7] = 0x80     // entry 0 Offset, top byte
        }
        let (r, _) = try open(bytes)
        XCTAssertThrowsError(try r.document(0, decompressor: ZstdDecompressor())) {
            XCTAssertEqual(($0 as? SearchError)?.code, .corrupt)
        }
    }

    func testStoredBlockRawLengthDisagreesWithFrame() throws {
        let bytes = try rebuild(try segmentBytes(), section: SegmentFormat.stored) { s in
            s[CraftedFileTests.storedEntry0(s) + 4 + 3] = 0x3F     // entry 0 RawLength near 1 GiB
        }
        let (r, _) = try open(bytes)
        XCTAssertThrowsError(try r.document(0, decompressor: ZstdDecompressor())) {
            XCTAssertEqual(($0 as? SearchError)?.code, .corrupt)
        }
    }

    func testImplausibleManifestCounters() throws {
        let dir = makeTemporaryDirectory(self)
        try TestCorpus.buildIndex(at: dir, [Document(id: "a", body: "東京")])
        var m = try Manifest.read(directory: dir)
        for change in [{ (m: inout Manifest) in m.generation = .max },
                       { (m: inout Manifest) in m.nextSegmentNumber = .max },
                       { (m: inout Manifest) in m.segments[0].deletionsGeneration = Int(UInt32.max) }] {
            var bad = m
            change(&bad)
            try bad.write(directory: dir)
            assertThrowsSearchError(.corrupt) { _ = try SearchIndex.open(at: dir).writer() }
        }
        m.generation += 0
        try m.write(directory: dir)
        XCTAssertNoThrow(try SearchIndex.open(at: dir).writer().close())
    }
}
