import XCTest
@testable import CJKSearch

/// Checks the worked example of docs/FORMAT.md byte for byte, so the document stays true.
final class FormatExampleTests: XCTestCase {
    func testWorkedExample() throws {
        let dir = makeTemporaryDirectory(self)
        let w = SegmentWriter(analysis: .version1)   // FORMAT.md's example shows the characters unfolded
        try w.add(Document(id: "a", title: "東京", body: "東京都"))
        try FileIO.writeNewFile(dir + "/x.seg", [w.finish(segmentID: 1)])
        let r = try SegmentReader(directory: dir, name: "x", expectedID: 1)
        var terms: [String] = []
        var infos: [TermInfo] = []
        try r.terms.forEach { key, info in
            terms.append("\(key[0]) " + String(decoding: key.dropFirst(), as: UTF8.self))
            infos.append(info)
        }
        XCTAssertEqual(terms, ["0 京", "0 東京", "1 京", "1 東", "2 京都", "2 東京", "2 都", "3 京", "3 東", "3 都"])
        // One Postings section: each term's postings, then its positions, in dictionary order.
        let section = Array(r.postings.buffer)
        func bytes(_ i: Int) -> ([UInt8], [UInt8]) {
            let info = infos[i]
            XCTAssertEqual(info.positionsOffset, info.postingsOffset + info.postingsLength)
            if i > 0 { XCTAssertEqual(info.postingsOffset, infos[i - 1].positionsOffset + infos[i - 1].positionsLength) }
            return (Array(section[info.postingsOffset ..< info.postingsOffset + info.postingsLength]),
                    Array(section[info.positionsOffset ..< info.positionsOffset + info.positionsLength]))
        }
        XCTAssertEqual(bytes(5).0, [0x01]); XCTAssertEqual(bytes(5).1, [0x00, 0x00])   // body 東京
        XCTAssertEqual(bytes(6).0, [0x01]); XCTAssertEqual(bytes(6).1, [0x00, 0x02, 0x02])   // body 都 (run end)
        XCTAssertEqual(bytes(8).0, [0x01]); XCTAssertEqual(bytes(8).1, [])             // body presence 東
        XCTAssertEqual(Array(section[0 ..< 7]), [0x01, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00])   // (0 京), (0 東京)
        let dict = Array(r.terms.data.buffer)
        let blockStart = 12 + 4
        XCTAssertEqual(dict[blockStart], 10)       // EntryCount
        XCTAssertEqual(dict[blockStart + 1], 0)    // FirstOffset
        // First entry: Shared 0, SuffixLength 4 (tag + 京), 00 E4 BA AC, DocFreq 1, PostingsLength 1, PositionsLength 3.
        XCTAssertEqual(Array(dict[blockStart + 2 ..< blockStart + 11]), [0, 4, 0, 0xE4, 0xBA, 0xAC, 1, 1, 3])
        // Second entry: Shared 1, SuffixLength 6, 東京, DocFreq 1, PostingsLength 1, PositionsLength 2.
        XCTAssertEqual(Array(dict[blockStart + 11 ..< blockStart + 22]),
                       [1, 6, 0xE6, 0x9D, 0xB1, 0xE4, 0xBA, 0xAC, 1, 1, 2])
        XCTAssertEqual(Array(r.norms.buffer), [2, 0, 0, 0, 3, 0, 0, 0])
        XCTAssertEqual(IdHash.hash("a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(r.lengthSums, [2, 3])
        XCTAssertEqual(r.termCount, 10)
        // Stored: one frame, no dictionary, the block index, DictionaryLength 0, BlockCount 1.
        let stored = Array(r.stored.data.buffer)
        let frameLength = stored.count - 24 - 8
        XCTAssertNil(r.stored.dictionary)
        XCTAssertEqual(Array(stored[frameLength...]),
                       [0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + withUnsafeBytes(of: UInt64(frameLength).littleEndian, Array.init)
                       + [0, 0, 0, 0, 1, 0, 0, 0])
        var raw: [UInt8] = []
        try stored.withUnsafeBytes {
            try ZstdDecompressor().decompress(UnsafeRawBufferPointer(rebasing: $0[0 ..< frameLength]), expectedSize: 20,
                                              into: &raw, path: "x", offset: 0)
        }
        XCTAssertEqual(raw, [0x01, 0x61, 0x06, 0xE6, 0x9D, 0xB1, 0xE4, 0xBA, 0xAC, 0x09,
                             0xE6, 0x9D, 0xB1, 0xE4, 0xBA, 0xAC, 0xE9, 0x83, 0xBD, 0x00])
    }

    /// FORMAT.md's manifest example: the Info section of a new index with the default analysis.
    func testManifestExample() throws {
        let dir = makeTemporaryDirectory(self)
        _ = try SearchIndex.create(at: dir)
        let bytes = try FileIO.readFile(dir + "/" + Manifest.fileName)
        let info: [UInt8] = try bytes.withUnsafeBytes { raw in
            let parsed = try FileFormat.parse(ByteReader(raw, path: "MANIFEST"), expecting: .manifest)
            let r = try parsed.section(1)
            return Array(UnsafeRawBufferPointer(rebasing: raw[r.fileOffset ..< r.fileOffset + r.count]))
        }
        XCTAssertEqual(info, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0])
    }
}
