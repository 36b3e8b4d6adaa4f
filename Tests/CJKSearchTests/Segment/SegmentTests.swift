import Foundation
import XCTest
@testable import CJKSearch

final class SegmentTests: XCTestCase {
    func testSameInputGivesSameBytes() throws {
        let docs = TestCorpus.mixedDocuments(count: 40, seed: 9) + (try TestCorpus.corpusDocuments())
        func build() throws -> [UInt8] {
            let w = SegmentWriter(analysis: .version1)   // terms as written
            for d in docs { try w.add(d) }
            return w.finish(segmentID: 42)
        }
        XCTAssertEqual(try build(), try build())
    }

    func testSegmentRoundTrip() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = try TestCorpus.corpusDocuments() + [Document(id: "f", title: "標題", body: "本文", fields: ["url": "https://x", "n": "1"])]
        let w = SegmentWriter(analysis: .version1)   // terms as written
        for d in docs { try w.add(d) }
        try FileIO.writeNewFile(dir + "/t.seg", [w.finish(segmentID: 7)])
        let r = try SegmentReader(directory: dir, name: "t", expectedID: 7)
        XCTAssertEqual(r.documentCount, docs.count)
        let dz = ZstdDecompressor()
        for (i, d) in docs.enumerated() {
            XCTAssertEqual(try r.document(i, decompressor: dz), d)
            XCTAssertEqual(try r.id(i), d.id)
            XCTAssertEqual(try r.documents(withID: d.id), [i])
        }
        // A known term's postings.
        let info = try XCTUnwrap(r.terms.lookup(TermKey.positional(.body, 0x91CD, 0x6176)))   // 重慶
        let c = try r.cursor(info, positional: true, decompressor: dz)
        var docsWithTerm: [Int32] = []
        while try c.next() != PostingsCursor.noMoreDocs { docsWithTerm.append(c.doc); XCTAssertFalse(try c.positions().isEmpty) }
        XCTAssertEqual(docsWithTerm, [0, 1, 3, 4])
        XCTAssertThrowsError(try SegmentReader(directory: dir, name: "t", expectedID: 8)) { e in
            XCTAssertEqual((e as? SearchError)?.code, .corrupt)
        }
    }
}

extension SegmentTests {
    /// In a large file (here: any file, with the limit at 0) the big sections are verified before
    /// their first use rather than at open; damage there is still an error, never a result.
    func testLargeSectionsAreVerifiedBeforeFirstUse() throws {
        let dir = makeTemporaryDirectory(self)
        let w = SegmentWriter(analysis: .version1)   // terms as written
        for d in try TestCorpus.corpusDocuments() { try w.add(d) }
        var bytes = w.finish(segmentID: 3)
        let parsed = try bytes.withUnsafeBytes { try FileFormat.parse(ByteReader($0, path: "x"), expecting: .segment) }
        let postings = try XCTUnwrap(parsed.sections.first { $0.kind == SegmentFormat.postings })
        bytes[postings.offset + postings.length / 2] ^= 0x10
        try FileIO.writeNewFile(dir + "/t.seg", [bytes])
        XCTAssertThrowsError(try SegmentReader(directory: dir, name: "t", expectedID: 3)) {
            XCTAssertEqual(($0 as? SearchError)?.code, .corrupt, "a small file is verified whole at open")
        }
        let r = try SegmentReader(directory: dir, name: "t", expectedID: 3, eagerVerifyLimit: 0)
        let info = try XCTUnwrap(r.terms.lookup(TermKey.positional(.body, 0x91CD, 0x6176)))
        for _ in 0 ..< 2 {
            XCTAssertThrowsError(try r.cursor(info, positional: true, decompressor: ZstdDecompressor())) {
                XCTAssertEqual(($0 as? SearchError)?.code, .corrupt)
            }
            XCTAssertThrowsError(try r.document(0, decompressor: ZstdDecompressor()))
        }
    }
    /// Score ties in a top k are broken by id, as Swift orders Strings; ASCII ids are compared
    /// by their bytes instead, which must give the same order, and other ids fall back.
    func testASCIIIdOrderIsStringOrder() {
        var rng = SeededRandom(seed: 3)
        let alphabet = Array("aAzZ09/:._-~ ".utf8)
        for _ in 0 ..< 2000 {
            let x = (0 ..< Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let y = rng.next() % 4 == 0 ? x + [alphabet[Int(rng.next() % 3)]]
                : (0 ..< Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            x.withUnsafeBytes { xb in
                y.withUnsafeBytes { yb in
                    XCTAssertEqual(SegmentReader.asciiSortsAfter(xb, yb), String(decoding: x, as: UTF8.self) > String(decoding: y, as: UTF8.self), "\(x) vs \(y)")
                }
            }
        }
        // Row: ids of which one is not ASCII: no byte answer (Strings compare canonically: é
        // precomposed equals e + combining accent, though their bytes differ).
        for (a, b) in [("é", "e\u{301}"), ("a", "é"), ("東京", "ab")] {
            Array(a.utf8).withUnsafeBytes { x in
                Array(b.utf8).withUnsafeBytes { y in XCTAssertNil(SegmentReader.asciiSortsAfter(x, y), "\(a) vs \(b)") }
            }
        }
    }
}
