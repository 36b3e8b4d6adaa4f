import Foundation

/// One segment file, memory-mapped and read in place.
///
/// Opening validates the envelope (magic, version, kind, identity, section table checksum), the
/// checksums of the small sections and the structure of the metadata; nothing but a few offsets is
/// copied to the heap.
///
/// `@unchecked Sendable`: every stored property is immutable after `init` except the
/// verification state, which is guarded by `verifyLock`; the mapped bytes are read-only;
/// per-search state (cursors, zstd contexts) lives elsewhere.
final class SegmentReader: @unchecked Sendable {
    private let verifyLock = NSLock()
    /// Whether the large sections were verified (see `verificationError` for the outcome).
    private var largeSectionsVerified: Bool
    private var verificationError: Error?
    let name: String
    let path: String
    let segmentID: UInt64
    let documentCount: Int
    let lengthSums: [UInt64]
    let termCount: Int
    let file: MappedFile
    let parsed: FileFormat.Parsed
    let terms: TermDictionary
    let postings: ByteReader
    /// The Postings section again: each term's positions follow its postings there.
    var positions: ByteReader { postings }
    let norms: ByteReader
    let stored: StoredDocumentsReader
    let ids: ByteReader
    let idHash: ByteReader

    init(directory: String, name: String, expectedID: UInt64?, eagerVerifyLimit: Int = SegmentFormat.eagerVerifyLimit) throws {
        self.name = name
        path = directory + "/" + name + ".seg"
        file = try MappedFile(path: path)
        parsed = try FileFormat.parse(file.reader(), expecting: .segment)
        segmentID = parsed.identity
        if let expectedID, expectedID != segmentID {
            throw SearchError.corrupt("segment id \(String(segmentID, radix: 16)) does not match the manifest's \(String(expectedID, radix: 16)): file from another segment or index", path: path, offset: 16)
        }
        if file.count <= eagerVerifyLimit {
            try parsed.verify()
            largeSectionsVerified = true
        } else {
            try parsed.verify { SegmentFormat.smallSections.contains($0) }
            largeSectionsVerified = false
        }
        var m = try parsed.section(SegmentFormat.meta)
        documentCount = Int(try m.u32())
        lengthSums = [try m.u64(), try m.u64()]
        let terms64 = try m.u64()
        guard terms64 <= UInt64(Int32.max) else { throw m.error("term count \(terms64) is implausible", at: 20) }
        termCount = Int(terms64)
        terms = try TermDictionary(try parsed.section(SegmentFormat.termDict))
        guard terms.termCount == termCount else {
            throw SearchError.corrupt("term count \(terms.termCount) disagrees with the segment's \(termCount)", path: path)
        }
        postings = try parsed.section(SegmentFormat.postings)
        norms = try parsed.section(SegmentFormat.norms)
        guard norms.count == documentCount * 8 else {
            throw norms.error("norms section is \(norms.count) bytes for \(documentCount) documents", at: 0)
        }
        stored = try StoredDocumentsReader(try parsed.section(SegmentFormat.stored), documentCount: documentCount)
        ids = try parsed.section(SegmentFormat.ids)
        guard ids.count >= (documentCount + 1) * 4 else { throw ids.error("ids section too short", at: 0) }
        idHash = try parsed.section(SegmentFormat.idHash)
        guard idHash.count == documentCount * 12 else { throw idHash.error("id hash section is \(idHash.count) bytes for \(documentCount) documents", at: 0) }
    }

    /// The length (positions used) of `field` in document `doc`.
    @inline(__always)
    func fieldLength(_ doc: Int, _ field: Field) throws -> Int {
        Int(try norms.u32(at: doc * 8 + Int(field.rawValue) * 4))
    }

    /// The id of document `doc`.
    func id(_ doc: Int) throws -> String {
        let bytes = try idBytes(doc)
        guard let s = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw ids.error("invalid UTF-8 in the id of document \(doc)", at: doc * 4)
        }
        return s
    }

    /// The stored UTF-8 bytes of document `doc`'s id (in the mapped file).
    func idBytes(_ doc: Int) throws -> UnsafeRawBufferPointer {
        let start = Int(try ids.u32(at: doc * 4))
        let end = Int(try ids.u32(at: doc * 4 + 4))
        let base = (documentCount + 1) * 4
        guard start <= end, end <= ids.count - base else { throw ids.error("id \(doc) range \(start)..<\(end) out of bounds", at: doc * 4) }
        return UnsafeRawBufferPointer(start: ids.base + base + start, count: end - start)
    }

    /// Whether the id of document `a` of segment `sa` sorts after that of `b` of `sb`, as Swift
    /// orders the ids as Strings: by their bytes when both are ASCII (the same order, and no
    /// String is made: score ties in a top-k compare ids often), as Strings otherwise.
    static func idSortsAfter(_ sa: SegmentReader, _ a: Int, _ sb: SegmentReader, _ b: Int) throws -> Bool {
        if let after = asciiSortsAfter(try sa.idBytes(a), try sb.idBytes(b)) { return after }
        return try sa.id(a) > sb.id(b)
    }

    /// Whether ASCII bytes `x` sort after ASCII bytes `y` (String order is byte order there);
    /// nil when either holds a byte ≥ 0x80.
    static func asciiSortsAfter(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool? {
        for b in x where b >= 0x80 { return nil }
        for b in y where b >= 0x80 { return nil }
        return TermDictionary.compare(x, y) > 0
    }

    /// The documents (normally at most one) whose id is `id`.
    func documents(withID id: String) throws -> [Int] {
        let h = IdHash.hash(id)
        var lo = 0, hi = documentCount
        while lo < hi {
            let mid = (lo + hi) / 2
            var r = idHash
            try r.seek(mid * 12)
            if try r.u64() < h { lo = mid + 1 } else { hi = mid }
        }
        var found: [Int] = []
        var i = lo
        while i < documentCount {
            var r = idHash
            try r.seek(i * 12)
            guard try r.u64() == h else { break }
            let d = Int(try r.u32())
            guard d < documentCount else { throw idHash.error("document \(d) out of range", at: i * 12 + 8) }
            if try self.id(d) == id { found.append(d) }
            i += 1
        }
        return found
    }

    func document(_ doc: Int, decompressor: ZstdDecompressor, body: Bool = true) throws -> Document {
        try ensureVerified()
        return try stored.document(doc, decompressor: decompressor, body: body)
    }

    func cursor(_ info: TermInfo, positional: Bool, decompressor: ZstdDecompressor) throws -> PostingsCursor {
        try ensureVerified()
        return try PostingsCursor(info: info, postings: postings, positions: positions, documentCount: documentCount,
                           hasPositions: positional, decompressor: decompressor)
    }

    var sizeInBytes: Int { file.count }

    /// Verifies the checksums of the large sections once per reader (see
    /// ``SegmentFormat/smallSections``); every later call returns at once or rethrows.
    func ensureVerified() throws {
        verifyLock.lock()
        defer { verifyLock.unlock() }
        if largeSectionsVerified {
            if let verificationError { throw verificationError }
            return
        }
        largeSectionsVerified = true
        do {
            try parsed.verify { !SegmentFormat.smallSections.contains($0) }
        } catch {
            verificationError = error
            throw error
        }
    }

    func sectionSizes() -> [UInt32: Int] {
        var out: [UInt32: Int] = [:]
        for s in parsed.sections { out[s.kind, default: 0] += s.length }
        return out
    }
}

extension ByteReader {
    /// Exactly `length` bytes of UTF-8 as a String.
    mutating func string(length: Int) throws -> String {
        let start = position
        let b = try bytes(length)
        guard let s = String(validating: b.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw error("invalid UTF-8 in stored string", at: start)
        }
        return s
    }
}
