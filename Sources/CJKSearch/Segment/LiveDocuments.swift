/// Which documents of a segment are deleted: a bitset, one bit per document (1 = deleted).
///
/// Stored in a deletions file `<segment>_<generation>.del` (``FileFormat`` kind 2; Identity = the
/// segment's id):
/// ```
/// Deletions (1) --> DocCount:u32, DeletedCount:u32, Bits:u8^ceil(DocCount / 8)     (bit d%8 of byte d/8)
/// ```
/// A segment's deletions change only by writing a new file with the next generation, named in the
/// next manifest, so a snapshot never sees its deletions change.
struct LiveDocuments: Sendable, Equatable {
    private(set) var bits: [UInt8]
    let documentCount: Int
    private(set) var deletedCount: Int

    init(documentCount: Int) {
        self.documentCount = documentCount
        bits = [UInt8](repeating: 0, count: (documentCount + 7) / 8)
        deletedCount = 0
    }

    @inline(__always)
    func isDeleted(_ doc: Int) -> Bool {
        deletedCount > 0 && bits[doc >> 3] & (1 << UInt8(doc & 7)) != 0
    }

    /// Marks `doc` deleted; returns false if it already was.
    @discardableResult
    mutating func delete(_ doc: Int) -> Bool {
        precondition(doc >= 0 && doc < documentCount, "delete of a document outside the segment")
        let mask: UInt8 = 1 << UInt8(doc & 7)
        if bits[doc >> 3] & mask != 0 { return false }
        bits[doc >> 3] |= mask
        deletedCount += 1
        return true
    }

    var liveCount: Int { documentCount - deletedCount }

    func fileBytes(segmentID: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 8 + bits.count)
        w.u32(UInt32(documentCount))
        w.u32(UInt32(deletedCount))
        w.append(bits)
        return FileFormat.build(kind: .deletions, identity: segmentID, sections: [(1, w.bytes)])
    }

    static func read(path: String, segmentID: UInt64, documentCount: Int) throws -> LiveDocuments {
        let file = try MappedFile(path: path)
        let parsed = try FileFormat.parse(file.reader(), expecting: .deletions)
        guard parsed.identity == segmentID else {
            throw SearchError.corrupt("deletions file belongs to another segment", path: path, offset: 16)
        }
        try parsed.verify()
        var r = try parsed.section(1)
        let n = Int(try r.u32())
        let deleted = Int(try r.u32())
        guard n == documentCount else { throw r.error("deletions file is for \(n) documents, segment has \(documentCount)", at: 0) }
        let raw = try r.array((n + 7) / 8)
        var live = LiveDocuments(documentCount: n)
        live.bits = raw
        var counted = 0
        for b in raw { counted += b.nonzeroBitCount }
        if n % 8 != 0, let last = raw.last, last >> UInt8(n % 8) != 0 {
            throw r.error("deletion bits set past the last document", at: 8 + raw.count - 1)
        }
        guard counted == deleted else { throw r.error("deletions file counts \(deleted) deleted, bits say \(counted)", at: 4) }
        live.deletedCount = deleted
        return live
    }
}
