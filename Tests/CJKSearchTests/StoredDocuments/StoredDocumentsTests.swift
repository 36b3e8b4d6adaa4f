import XCTest
@testable import CJKSearch

/// The Stored section: round trips with and without a trained dictionary, in memory and streamed,
/// and damage to the dictionary.
final class StoredDocumentsTests: XCTestCase {
    /// About `bytes` of mixed-language documents, with fields on some.
    func documents(bytes: Int) -> [Document] {
        var docs: [Document] = []
        var total = 0
        var i = 0
        while total < bytes {
            for var d in TestCorpus.mixedDocuments(count: 200, seed: UInt64(i)) {
                d.id = "doc-\(docs.count)"
                if docs.count % 7 == 0 { d.fields = ["url": "https://example.com/\(docs.count)", "lang": "zh"] }
                total += d.body.utf8.count + d.title.utf8.count
                docs.append(d)
            }
            i += 1
        }
        return docs
    }

    /// The section written in memory (as a flush does).
    func section(_ docs: [Document]) throws -> [UInt8] {
        let w = StoredDocumentsWriter()
        for d in docs { try w.add(d) }
        var out: [UInt8] = []
        try w.finish { out.append(contentsOf: $0) }
        return out
    }

    /// The section streamed into a file (as a merge does), read back from the file.
    func streamedSection(_ docs: [Document]) throws -> [UInt8] {
        let file = SectionWriter(kind: .segment, identity: 9)
        file.beginSection(SegmentFormat.stored)
        let w = StoredDocumentsWriter(streamingTo: file)
        for d in docs { try w.add(d) }
        try w.finish { try file.append($0) }
        file.endSection()
        let bytes = try file.finish()
        return try bytes.withUnsafeBytes { raw in
            let parsed = try FileFormat.parse(ByteReader(raw, path: "s"), expecting: .segment)
            return Array(try parsed.section(SegmentFormat.stored).buffer)
        }
    }

    func readAll(_ section: [UInt8], count: Int, check docs: [Document]) throws {
        try section.withUnsafeBytes { raw in
            let r = try StoredDocumentsReader(ByteReader(raw, path: "s"), documentCount: count)
            let z = ZstdDecompressor()
            var seen = 0
            try r.forEachDocument(decompressor: z) { i, d in
                XCTAssertEqual(d, docs[i])
                seen += 1
            }
            XCTAssertEqual(seen, docs.count)
            for i in [0, 1, count / 2, count - 1] {
                XCTAssertEqual(try r.document(i, decompressor: z), docs[i])
                XCTAssertEqual(try r.document(i, decompressor: z, body: false).title, docs[i].title)
            }
        }
    }

    func dictionaryLength(_ section: [UInt8]) -> Int {
        section[section.count - 8 ..< section.count - 4].reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    func testSmallSectionHasNoDictionary() throws {
        let docs = documents(bytes: 100_000)
        let s = try section(docs)
        XCTAssertEqual(dictionaryLength(s), 0)
        XCTAssertEqual(try streamedSection(docs), s)
        try readAll(s, count: docs.count, check: docs)
    }

    func testLargeSectionTrainsADictionaryAndRoundTrips() throws {
        let docs = documents(bytes: StoredDocumentsWriter.trainingBytes * 3 / 2)
        let s = try section(docs)
        let dict = dictionaryLength(s)
        XCTAssertGreaterThan(dict, 1000)
        XCTAssertLessThanOrEqual(dict, StoredDocumentsWriter.dictionaryCapacity)
        XCTAssertEqual(try streamedSection(docs), s, "a merge must write the bytes a flush writes")
        try readAll(s, count: docs.count, check: docs)
        try s.withUnsafeBytes { raw in
            XCTAssertNotNil(try StoredDocumentsReader(ByteReader(raw, path: "s"), documentCount: docs.count).dictionary)
        }
        // Smaller than the same blocks compressed without a dictionary.
        var plainBytes = 0
        var block = ByteWriter(capacity: 1 << 16)
        let z = ZstdCompressor(level: 3)
        var scratch: [UInt8] = []
        for (i, d) in docs.enumerated() {
            block.string(d.id); block.string(d.title); block.string(d.body)
            block.varint(d.fields.count)
            for k in d.fields.keys.sorted() { block.string(k); block.string(d.fields[k]!) }
            if block.count >= StoredDocumentsWriter.blockTarget || i == docs.count - 1 {
                scratch.removeAll()
                plainBytes += z.compress(block.bytes, appendingTo: &scratch)
                block.removeAll()
            }
        }
        XCTAssertLessThan(s.count, plainBytes, "dictionary section \(s.count) bytes vs \(plainBytes) without")
    }

    func testDamagedDictionaryIsAnErrorNotATrap() throws {
        let docs = documents(bytes: StoredDocumentsWriter.trainingBytes * 3 / 2)
        let s = try section(docs)
        let dict = dictionaryLength(s)
        let blocks = s[s.count - 4 ..< s.count].reversed().reduce(0) { $0 << 8 | Int($1) }
        let dictStart = s.count - 8 - blocks * 24 - dict
        var rng = SeededRandom(seed: 7)
        for trial in 0 ..< 24 {
            var bad = s
            let at = dictStart + Int(rng.next() % UInt64(dict))
            bad[at] ^= UInt8(1 << (trial % 8))
            bad.withUnsafeBytes { raw in
                do {
                    let r = try StoredDocumentsReader(ByteReader(raw, path: "s"), documentCount: docs.count)
                    try r.verify(decompressor: ZstdDecompressor())
                    // A flip in bytes the dictionary never uses may decode correctly; then it must be right.
                    try r.forEachDocument(decompressor: ZstdDecompressor()) { i, d in XCTAssertEqual(d, docs[i]) }
                } catch let e as SearchError {
                    XCTAssertEqual(e.code, .corrupt)
                } catch {
                    XCTFail("unexpected \(error)")
                }
            }
        }
        // A reader that ignores the dictionary cannot decode the frames.
        var noDict = s
        noDict.replaceSubrange(s.count - 8 ..< s.count - 4, with: [0, 0, 0, 0])
        try noDict.withUnsafeBytes { raw in
            XCTAssertThrowsError(try StoredDocumentsReader(ByteReader(raw, path: "s"), documentCount: docs.count)
                .document(0, decompressor: ZstdDecompressor())) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
        }
    }
}
