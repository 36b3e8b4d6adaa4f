/// Inverts a batch of documents in memory and serializes them as one segment file.
///
/// Call order: ``add(_:)`` any number of times, then ``finish(segmentID:)`` (or
/// ``finishChunks(segmentID:)``) once. The postings live in an ``Inverter`` arena.
final class SegmentWriter {
    private let analyzer = Analyzer()
    private var field = AnalyzedField()
    private var inverter = Inverter()
    private var keyScratch: [UInt8] = []

    private var norms: [UInt32] = []
    private var lengthSums: [UInt64] = [0, 0]
    private var ids: [String] = []
    private var idBytes = 0
    private let stored = StoredDocumentsWriter()

    private(set) var documentCount = 0

    init() {}

    deinit { inverter.release() }

    /// The heap bytes held, for flushing on a memory budget: the inverter's arena and tables
    /// (exact), stored-document blocks (exact), ids and norms (their payload plus array headers).
    var estimatedMemory: Int {
        inverter.memoryBytes + stored.estimatedBytes + ids.capacity * 16 + idBytes + norms.capacity * 4
    }

    /// The arena is near its address limit and must be flushed whatever the budget.
    var isFull: Bool { inverter.isFull }

    /// Adds a document; it gets the next document number.
    func add(_ doc: Document) throws {
        try doc.validate()
        let docNumber = UInt32(documentCount)
        for f in Field.allCases {
            let text = f == .title ? doc.title : doc.body
            do {
                try analyzer.analyze(text, into: &field)
            } catch let error as SearchError {
                throw error.at(path: "document \(doc.id)")
            }
            inverter.add(field, f, doc: docNumber, scratch: &keyScratch)
            norms.append(UInt32(truncatingIfNeeded: field.length))
            lengthSums[Int(f.rawValue)] += UInt64(field.length)
        }
        ids.append(doc.id)
        idBytes += doc.id.utf8.count > 15 ? doc.id.utf8.count : 0
        stored.add(doc)
        documentCount += 1
    }

    /// Serializes the segment. The same documents added in the same order with the same
    /// `segmentID` always give the same bytes.
    func finish(segmentID: UInt64) -> [UInt8] {
        Array(finishChunks(segmentID: segmentID).joined())
    }

    /// The segment file as chunks to write in order (see ``FileFormat/buildChunks(kind:identity:sections:)``).
    /// Each term's in-memory postings are released as soon as they are encoded, so the peak is the
    /// encoded segment plus what is left to encode, not both in full. Call once.
    func finishChunks(segmentID: UInt64) -> [[UInt8]] {
        inverter.closeDocuments()
        let order = inverter.sortedOrdinals()
        let postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = []
        var raw: [UInt8] = []
        for o32 in order {
            let o = Int(o32)
            let t = inverter.terms[o]
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            raw.removeAll(keepingCapacity: true)
            inverter.read(t.docs, into: &raw)
            raw.withUnsafeBufferPointer { b in
                var i = 0, previous: Int64 = -1
                while i < b.count {
                    let code = Inverter.varint(b, &i)
                    let freq = code & 1 == 1 ? 1 : Inverter.varint(b, &i)
                    previous += Int64(code >> 1) + 1
                    docs.append(UInt32(previous))
                    freqs.append(freq)
                }
            }
            if t.hasPositions {
                raw.removeAll(keepingCapacity: true)
                inverter.read(t.positions, into: &raw)
                raw.withUnsafeBufferPointer { b in
                    var i = 0
                    for f in freqs {
                        var p: UInt32 = 0
                        for _ in 0 ..< f {
                            p &+= Inverter.varint(b, &i)
                            positions.append(p)
                        }
                    }
                }
            }
            let info = docs.withUnsafeBufferPointer { d in
                freqs.withUnsafeBufferPointer { fr in
                    positions.withUnsafeBufferPointer { p in
                        postings.write(docs: d, freqs: fr, positions: p, hasPositions: t.hasPositions)
                    }
                }
            }
            dictionary.add(Array(inverter.key(o)), info)
        }
        var meta = ByteWriter()
        meta.u32(UInt32(documentCount))
        meta.u64(lengthSums[0])
        meta.u64(lengthSums[1])
        meta.u64(UInt64(inverter.termCount))

        var normBytes = ByteWriter(capacity: norms.count * 4)
        for n in norms { normBytes.u32(n) }

        var idBytes = ByteWriter()
        var idOffsets = ByteWriter(capacity: (ids.count + 1) * 4)
        var hashes: [(UInt64, UInt32)] = []
        hashes.reserveCapacity(ids.count)
        for (d, id) in ids.enumerated() {
            idOffsets.u32(UInt32(idBytes.count))
            var s = id
            s.withUTF8 { idBytes.append(UnsafeRawBufferPointer($0)) }
            hashes.append((IdHash.hash(id), UInt32(d)))
        }
        idOffsets.u32(UInt32(idBytes.count))
        idOffsets.append(idBytes.bytes)
        hashes.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var hashBytes = ByteWriter(capacity: hashes.count * 12)
        for (h, d) in hashes { hashBytes.u64(h); hashBytes.u32(d) }

        return FileFormat.buildChunks(kind: .segment, identity: segmentID, sections: [
            (SegmentFormat.meta, meta.bytes),
            (SegmentFormat.termDict, dictionary.finish()),
            (SegmentFormat.postings, postings.postings.bytes),
            (SegmentFormat.positions, postings.positions.bytes),
            (SegmentFormat.norms, normBytes.bytes),
            (SegmentFormat.stored, stored.finish()),
            (SegmentFormat.ids, idOffsets.bytes),
            (SegmentFormat.idHash, hashBytes.bytes),
        ])
    }
}
