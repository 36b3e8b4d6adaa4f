/// Inverts a batch of documents in memory and serializes them as one segment file.
///
/// Call order: ``add(_:)`` any number of times, then ``finish(segmentID:)`` once.
///
/// Postings are accumulated per term as a flat stream of `UInt32`:
/// `doc, freq, position^freq` for positional terms and `doc, freq` for presence terms.
final class SegmentWriter {
    private let analyzer = Analyzer()
    private var field = AnalyzedField()

    // Term table: CJK terms by a packed 64-bit key, words by their key bytes.
    private var cjkTerms: [UInt64: Int32] = [:]
    private var wordTerms: [[UInt8]: Int32] = [:]
    private var termKeys: [[UInt8]] = []
    private var termIsPresence: [Bool] = []
    private var streams: [[UInt32]] = []
    private var streamWords = 0

    private var norms: [UInt32] = []
    private var lengthSums: [UInt64] = [0, 0]
    private var ids: [String] = []
    private let stored = StoredDocumentsWriter()
    /// Per term: the last document whose postings it has, and where that document's frequency is.
    private var lastDoc: [UInt32] = []
    private var freqSlot: [Int32] = []

    private(set) var documentCount = 0

    init() {}

    /// A rough count of the heap bytes held, for flushing on a memory budget.
    var estimatedMemory: Int {
        streamWords * 4 + termKeys.count * 96 + stored.estimatedBytes + ids.count * 64 + norms.count * 4
    }

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
            invert(docNumber, f)
            norms.append(UInt32(truncatingIfNeeded: field.length))
            lengthSums[Int(f.rawValue)] += UInt64(field.length)
        }
        ids.append(doc.id)
        stored.add(doc)
        documentCount += 1
    }

    private func ordinal(cjk key: UInt64, _ makeKey: () -> [UInt8], presence: Bool) -> Int32 {
        if let o = cjkTerms[key] { return o }
        let o = Int32(termKeys.count)
        cjkTerms[key] = o
        termKeys.append(makeKey())
        termIsPresence.append(presence)
        streams.append([])
        lastDoc.append(.max)
        freqSlot.append(0)
        return o
    }

    private func ordinal(word key: [UInt8]) -> Int32 {
        if let o = wordTerms[key] { return o }
        let o = Int32(termKeys.count)
        wordTerms[key] = o
        termKeys.append(key)
        termIsPresence.append(false)
        streams.append([])
        lastDoc.append(.max)
        freqSlot.append(0)
        return o
    }

    /// The bytes of a word of 1–7 ASCII characters packed into 56 bits, or nil.
    @inline(__always)
    static func packShortASCII(_ scalars: [UInt32], _ start: Int, _ end: Int) -> UInt64? {
        guard end - start <= 7 else { return nil }
        var packed: UInt64 = 0
        for k in start ..< end {
            let c = scalars[k]
            guard c < 0x80 else { return nil }
            packed = packed << 8 | UInt64(c)
        }
        return packed
    }

    private func invert(_ doc: UInt32, _ f: Field) {
        let fieldBits = UInt64(f.rawValue) << 62
        for t in field.tokens {
            let o: Int32
            switch t.kind {
            case .bigram:
                let key = fieldBits | 0 << 60 | UInt64(t.first) << 21 | UInt64(t.second)
                o = ordinal(cjk: key, { TermKey.positional(f, t.first, t.second) }, presence: false)
            case .runEnd:
                let key = fieldBits | 1 << 60 | UInt64(t.first) << 21
                o = ordinal(cjk: key, { TermKey.positional(f, t.first) }, presence: false)
            case .word:
                if let packed = SegmentWriter.packShortASCII(field.text.scalars, Int(t.start), Int(t.end)) {
                    // Words of up to 7 ASCII bytes (numbers, most English words): a 64-bit key,
                    // no allocation.
                    let start = Int(t.start), end = Int(t.end)
                    o = ordinal(cjk: fieldBits | 3 << 60 | packed,
                                { TermKey.word(f, field.text.scalars[start ..< end]) }, presence: false)
                } else {
                    o = ordinal(word: TermKey.word(f, field.text.scalars[Int(t.start) ..< Int(t.end)]))
                }
            }
            append(o, doc, position: t.position)
        }
        // Character presence: frequency of each distinct CJK character.
        for c in field.cjkCharacters {
            let key = fieldBits | 2 << 60 | UInt64(c) << 21
            append(ordinal(cjk: key, { TermKey.presence(f, c) }, presence: true), doc, position: nil)
        }
    }

    /// Appends one occurrence to a term's stream: a new `doc, freq` header the first time the term
    /// is seen in `doc`, then the frequency is counted up and the position appended. Each term has
    /// its own stream, so tokens of different terms can interleave without sorting.
    @inline(__always)
    private func append(_ o: Int32, _ doc: UInt32, position: UInt32?) {
        let o = Int(o)
        if lastDoc[o] != doc {
            lastDoc[o] = doc
            freqSlot[o] = Int32(streams[o].count + 1)
            streams[o].append(doc)
            streams[o].append(0)
            streamWords += 2
        }
        streams[o][Int(freqSlot[o])] += 1
        if let position {
            streams[o].append(position)
            streamWords += 1
        }
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
        let order = termKeys.indices.sorted { termKeys[$0].lexicographicallyPrecedes(termKeys[$1]) }
        let postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = []
        for o in order {
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            let s = streams[o]
            streams[o] = []
            let presence = termIsPresence[o]
            var i = 0
            while i < s.count {
                docs.append(s[i])
                let f = s[i + 1]
                freqs.append(f)
                i += 2
                if !presence {
                    positions.append(contentsOf: s[i ..< i + Int(f)])
                    i += Int(f)
                }
            }
            let info = docs.withUnsafeBufferPointer { d in
                freqs.withUnsafeBufferPointer { fr in
                    positions.withUnsafeBufferPointer { p in
                        postings.write(docs: d, freqs: fr, positions: p, hasPositions: !presence)
                    }
                }
            }
            dictionary.add(termKeys[o], info)
        }
        var meta = ByteWriter()
        meta.u32(UInt32(documentCount))
        meta.u64(lengthSums[0])
        meta.u64(lengthSums[1])
        meta.u64(UInt64(termKeys.count))

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
