/// Inverts a batch of documents in memory and serializes them as one segment file.
///
/// Call order: ``add(_:)`` any number of times, then ``finish(segmentID:)`` (or
/// ``finishChunks(segmentID:)``) once. The postings live in an ``Inverter`` arena.
final class SegmentWriter {
    private let analyzer: Analyzer
    private var field: AnalyzedField = {
        var f = AnalyzedField()
        f.text.tracksOffsets = false   // the offset map is for snippets, not for indexing
        return f
    }()
    private var inverter = Inverter()
    private var keyScratch: [UInt8] = []

    private var norms: [UInt32] = []
    private var lengthSums: [UInt64] = [0, 0]
    private var ids: [String] = []
    private var idBytes = 0
    private let stored = StoredDocumentsWriter()

    private(set) var documentCount = 0

    init(analysis: AnalysisOptions = AnalysisOptions()) {
        analyzer = Analyzer(analysis)
    }

    private var released = false

    deinit { if !released { inverter.release() } }

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
        try stored.add(doc)
        documentCount += 1
    }

    /// Serializes the segment in memory. The same documents added in the same order with the
    /// same `segmentID` always give the same bytes. Call once (or ``write(to:segmentID:)`` once).
    func finish(segmentID: UInt64) -> [UInt8] {
        let w = SectionWriter(kind: .segment, identity: segmentID)
        try! writeSections(w)   // in memory: cannot fail
        return try! w.finish()
    }

    /// Writes the segment to a new file at `path` and fsyncs it, streaming the postings so that
    /// the peak memory is the in-memory index plus a few MiB, not plus the encoded segment. The
    /// inverter's arena is freed as soon as the postings are written. Call once.
    func write(to path: String, segmentID: UInt64) throws {
        let w = try SectionWriter(path: path, kind: .segment, identity: segmentID)
        try writeSections(w)
        try w.finish()
    }

    /// Writes the segment like ``write(to:segmentID:)`` but leaves its fsync to the caller (see
    /// ``SectionWriter/finishUnsynced()``).
    func writeUnsynced(to path: String, segmentID: UInt64) throws -> UnsyncedFile {
        let w = try SectionWriter(path: path, kind: .segment, identity: segmentID)
        try writeSections(w)
        return try w.finishUnsynced()
    }

    private func writeSections(_ w: SectionWriter) throws {
        precondition(!released, "segment writer: finished already")
        inverter.closeDocuments()
        let order = inverter.sortedOrdinals()
        var postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        var docs: [UInt32] = [], freqs: [UInt32] = []
        var docBytes: [UInt8] = [], positionBytes: [UInt8] = []
        w.beginSection(SegmentFormat.postings)
        for o32 in order {
            let o = Int(o32)
            let t = inverter.terms[o]
            let df = Int(t.documentFrequency)
            let info: TermInfo = inverter.withBytes(t.docs, scratch: &docBytes) { db in
                inverter.withBytes(t.positions, scratch: &positionBytes) { pb in
                    if df < PostingsFormat.blockSize {
                        // The inverter's streams are already a short list and a raw positions frame.
                        return postings.writeShortList(documentFrequency: df, documentBytes: UnsafeRawBufferPointer(db),
                                                       positionBytes: UnsafeRawBufferPointer(pb), hasPositions: t.hasPositions)
                    }
                    docs.removeAll(keepingCapacity: true)
                    freqs.removeAll(keepingCapacity: true)
                    var i = 0, previous: Int64 = -1
                    while i < db.count {
                        let code = Inverter.varint(db, &i)
                        let freq = code & 1 == 1 ? 1 : Inverter.varint(db, &i)
                        previous += Int64(code >> 1) + 1
                        docs.append(UInt32(previous))
                        freqs.append(freq)
                    }
                    // The positions are already frames' RawBytes, cut into blocks by the writer.
                    let field: Field = inverter.key(o).first! / 2 == 0 ? .title : .body   // see TermKey
                    return docs.withUnsafeBufferPointer { d in
                        freqs.withUnsafeBufferPointer { fr in
                            norms.withUnsafeBufferPointer { n in
                                postings.write(docs: d, freqs: fr, rawPositions: UnsafeRawBufferPointer(pb),
                                               hasPositions: t.hasPositions, lengths: FieldLengths(norms: n, field: field))
                            }
                        }
                    }
                }
            }
            dictionary.add(Array(inverter.key(o)), info)
            if postings.out.count >= SectionWriter.chunkSize { try postings.drain { try w.append($0) } }
        }
        try postings.drain { try w.append($0) }
        w.endSection()
        let termCount = inverter.termCount
        inverter.release()
        released = true

        var meta = ByteWriter()
        meta.u32(UInt32(documentCount))
        meta.u64(lengthSums[0])
        meta.u64(lengthSums[1])
        meta.u64(UInt64(termCount))


        let (idOffsets, hashBytes) = SegmentWriter.idSections(ids)
        for (kind, bytes) in [(SegmentFormat.meta, meta.bytes), (SegmentFormat.termDict, dictionary.finish()),
                              (SegmentFormat.norms, SegmentWriter.normsBytes(norms))] {
            w.beginSection(kind)
            try w.append(bytes)
            w.endSection()
        }
        w.beginSection(SegmentFormat.stored)
        try stored.finish { try w.append($0) }
        w.endSection()
        for (kind, bytes) in [(SegmentFormat.ids, idOffsets), (SegmentFormat.idHash, hashBytes)] {
            w.beginSection(kind)
            try w.append(bytes)
            w.endSection()
        }
    }

    /// The Norms section: the field lengths, two per document (title, body), as u32.
    static func normsBytes(_ norms: [UInt32]) -> [UInt8] {
        var out = ByteWriter(capacity: norms.count * 4)
        for n in norms { out.u32(n) }
        return out.bytes
    }

    /// The Ids and IdHash sections for documents with these ids, in order.
    static func idSections(_ ids: [String]) -> (ids: [UInt8], idHash: [UInt8]) {
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
        return (idOffsets.bytes, hashBytes.bytes)
    }
}
