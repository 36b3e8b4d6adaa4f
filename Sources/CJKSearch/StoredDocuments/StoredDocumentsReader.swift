/// Reads stored documents from a segment's Stored section (format in ``StoredDocumentsWriter``).
struct StoredDocumentsReader {
    /// ``forEachDocument(decompressor:_:)`` lets go of the pages it has passed every this many bytes.
    static let releaseStep = 4 << 20
    let data: ByteReader
    let blockCount: Int
    let documentCount: Int
    /// Where the block index starts (it follows the frames and the dictionary).
    private let indexStart: Int
    /// Where the dictionary starts; frames lie before it.
    private let framesEnd: Int
    let dictionary: ZstdDecompressionDictionary?

    init(_ data: ByteReader, documentCount: Int) throws {
        self.data = data
        self.documentCount = documentCount
        guard data.count >= 8 else { throw data.error("stored section is \(data.count) bytes, too short for its counts", at: 0) }
        var r = data
        try r.seek(data.count - 8)
        let dictionaryLength = Int(try r.u32())
        let count = Int(try r.u32())
        guard count <= (data.count - 8) / 24 else {
            throw data.error("stored block count \(count) does not fit the section", at: data.count - 4)
        }
        blockCount = count
        indexStart = data.count - 8 - count * 24
        guard dictionaryLength <= indexStart else {
            throw data.error("stored dictionary of \(dictionaryLength) bytes does not fit the section", at: data.count - 8)
        }
        framesEnd = indexStart - dictionaryLength
        if dictionaryLength > 0 {
            let d = try data.slice(framesEnd, dictionaryLength)
            dictionary = try ZstdDecompressionDictionary(d.buffer, path: data.path, offset: d.fileOffset)
        } else {
            dictionary = nil
        }
        if documentCount > 0 && blockCount == 0 { throw data.error("no stored blocks for \(documentCount) documents", at: data.count - 4) }
    }

    /// The offset of block `b`'s index entry in the section.
    func entryOffset(_ b: Int) -> Int { indexStart + b * 24 }

    func entry(_ b: Int) throws -> (first: Int, raw: Int, offset: Int, length: Int) {
        var r = data
        try r.seek(entryOffset(b))
        let first = Int(try r.u32())
        let raw = Int(try r.u32())
        let offset = try r.u64()
        let length = try r.u64()
        guard offset <= UInt64(framesEnd), length <= UInt64(framesEnd) - offset else {
            throw data.error("stored block \(b) at \(offset)+\(length) lies outside the frames", at: entryOffset(b))
        }
        return (first, raw, Int(offset), Int(length))
    }

    /// Decodes document `doc` (0-based) using `decompressor`; without `body`, its body is skipped
    /// (left empty) rather than decoded.
    func document(_ doc: Int, decompressor: ZstdDecompressor, body includeBody: Bool = true) throws -> Document {
        guard doc >= 0 && doc < documentCount else { throw data.error("stored document \(doc) out of range", at: 0) }
        // The last block whose first document is ≤ doc.
        var lo = 0, hi = blockCount - 1, found = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if try entry(mid).first <= doc { found = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        guard found >= 0 else { throw data.error("no stored block holds document \(doc)", at: 0) }
        let e = try entry(found)
        guard e.offset >= 0, e.length >= 0, e.raw <= 1 << 30 else { throw data.error("stored block \(found) entry out of range", at: entryOffset(found)) }
        let frame = try data.slice(e.offset, e.length)
        try ZstdDecompressor.checkContentSize(frame.buffer, e.raw, path: data.path, offset: frame.fileOffset)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(e.raw, 1), alignment: 8)
        defer { raw.deallocate() }
        let out = UnsafeMutableRawBufferPointer(rebasing: raw[0 ..< e.raw])
        try decompressor.decompress(frame.buffer, into: out, dictionary: dictionary, path: data.path, offset: frame.fileOffset)
        var r = ByteReader(UnsafeRawBufferPointer(out), fileOffset: frame.fileOffset, path: data.path)
        var current = e.first
        // Skip the documents before `doc` without decoding their strings.
        while current < doc {
            for _ in 0 ..< 3 { try r.skip(try r.varint(max: 1 << 30)) }
            let fieldCount = try r.varint(max: 1 << 20)
            for _ in 0 ..< fieldCount * 2 { try r.skip(try r.varint(max: 1 << 30)) }
            current += 1
            if r.isAtEnd { throw data.error("stored block \(found) ends before document \(doc)", at: e.offset) }
        }
        let id = try r.string()
        let title = try r.string()
        let body: String
        if includeBody { body = try r.string() } else { try r.skip(try r.varint(max: 1 << 30)); body = "" }
        let fieldCount = try r.varint(max: 1 << 20)
        var fields: [String: String] = [:]
        for _ in 0 ..< fieldCount {
            let k = try r.string()
            fields[k] = try r.string()
        }
        return Document(id: id, title: title, body: body, fields: fields)
    }

    /// Checks that every block decodes and that the blocks hold exactly `documentCount` documents.
    func verify(decompressor: ZstdDecompressor) throws {
        try forEachDocument(decompressor: decompressor) { _, _ in }
    }
}

extension StoredDocumentsReader {
    /// Calls `body` with every document in order, decompressing each block once (for merges).
    func forEachDocument(decompressor: ZstdDecompressor, _ body: (Int, Document) throws -> Void) throws {
        var doc = 0
        var buffer = [UInt8]()
        // A pass over every document (a merge) lets go of the pages behind it every few MiB.
        // (Not frame by frame: a fault maps a whole window of pages around it, so the pages of
        // frames already done would be mapped again by the next frame's fault and stay.)
        var releasedTo = 0
        defer { data.releaseResidentPages(data.buffer) }
        for b in 0 ..< blockCount {
            let e = try entry(b)
            guard e.first == doc else { throw data.error("stored block \(b) starts at document \(e.first), expected \(doc)", at: entryOffset(b)) }
            guard e.raw <= 1 << 30 else { throw data.error("stored block \(b) too large", at: entryOffset(b)) }
            let frame = try data.slice(e.offset, e.length)
            try decompressor.decompress(frame.buffer, expectedSize: e.raw, into: &buffer, dictionary: dictionary,
                                        path: data.path, offset: frame.fileOffset)
            if e.offset - releasedTo >= StoredDocumentsReader.releaseStep {
                data.releaseResidentPages(UnsafeRawBufferPointer(rebasing: data.buffer[releasedTo ..< e.offset]))
                releasedTo = e.offset
            }
            try buffer.withUnsafeBytes { raw in
                var r = ByteReader(raw, fileOffset: frame.fileOffset, path: data.path)
                while !r.isAtEnd {
                    let id = try r.string()
                    let title = try r.string()
                    let text = try r.string()
                    let n = try r.varint(max: 1 << 20)
                    var fields: [String: String] = [:]
                    for _ in 0 ..< n {
                        let k = try r.string()
                        fields[k] = try r.string()
                    }
                    guard doc < documentCount else { throw data.error("more stored documents than the segment holds", at: e.offset) }
                    try body(doc, Document(id: id, title: title, body: text, fields: fields))
                    doc += 1
                }
            }
        }
        guard doc == documentCount else { throw data.error("stored blocks hold \(doc) documents, expected \(documentCount)", at: 0) }
    }
}
