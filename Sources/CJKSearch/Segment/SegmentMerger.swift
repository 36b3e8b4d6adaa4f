/// Merges segments into one new segment by their postings, without analyzing the text again.
///
/// Documents keep their order (the sources in the order given, each in its own order) and lose
/// the deleted ones; documents are renumbered densely. The output is streamed: stored documents
/// are recompressed into the file block by block, then the term dictionaries are walked together
/// (a k-way merge of sorted keys) and each term's postings are rewritten with the new numbers.
/// Memory stays at one term's postings plus the new dictionary, ids and norms, whatever the
/// sizes of the segments; the pages read from the sources are let go as the merge goes.
///
/// The result is the same segment as indexing the surviving documents afresh, except that a
/// merge never re-analyzes, so it stays right for segments written by an older analyzer version
/// only if the analyzer did not change (the manifest records the analyzer version).
struct SegmentMerger {
    struct Source {
        let reader: SegmentReader
        /// Deleted documents of the source (nil: none).
        let live: LiveDocuments?
    }

    /// Release the sources' resident pages after this many bytes of postings are read.
    static let releaseEvery = 8 << 20
    static let stopCheckInterval = 4096

    private static func stopped(_ path: String) -> SearchError {
        SearchError(.writerClosed, "merge stopped: the writer is closing", path: path)
    }

    /// Writes the merge of `sources` to a new file at `path`; returns the number of documents.
    /// `shouldStop` is asked every ``stopCheckInterval`` documents and terms; when it says yes the
    /// merge throws ``SearchError/Code-swift.struct/writerClosed`` and its unfinished file is removed.
    static func merge(_ sources: [Source], to path: String, segmentID: UInt64,
                      shouldStop: () -> Bool = { false }) throws -> Int {
        let decompressor = ZstdDecompressor()
        for s in sources {
            try s.reader.ensureVerified()
            s.reader.file.releaseResidentPages()
        }
        // New numbers: -1 for deleted documents.
        var docMaps: [[Int32]] = []
        var next: Int32 = 0
        for s in sources {
            var map = [Int32](repeating: -1, count: s.reader.documentCount)
            for d in 0 ..< s.reader.documentCount where !(s.live?.isDeleted(d) ?? false) {
                map[d] = next
                next += 1
            }
            docMaps.append(map)
        }
        let documentCount = Int(next)

        let w = try SectionWriter(path: path, kind: .segment, identity: segmentID)

        // Stored documents, ids and norms, in the new order.
        var ids: [String] = []
        ids.reserveCapacity(documentCount)
        var norms: [UInt32] = []
        norms.reserveCapacity(documentCount * 2)
        var lengthSums: [UInt64] = [0, 0]
        w.beginSection(SegmentFormat.stored)
        let stored = StoredDocumentsWriter(streamingTo: w)
        for (k, s) in sources.enumerated() {
            try s.reader.stored.forEachDocument(decompressor: decompressor) { d, doc in
                guard docMaps[k][d] >= 0 else { return }
                if ids.count % stopCheckInterval == 0 && shouldStop() { throw stopped(path) }
                try stored.add(doc)
                ids.append(doc.id)
                for f in Field.allCases {
                    let n = try s.reader.fieldLength(d, f)
                    norms.append(UInt32(n))
                    lengthSums[Int(f.rawValue)] += UInt64(n)
                }
            }
            s.reader.file.releaseResidentPages()
        }
        try stored.finish { try w.append($0) }
        w.endSection()

        // Postings: the sources' dictionaries walked together.
        w.beginSection(SegmentFormat.postings)
        var postings = PostingsWriter()
        var dictionary = TermDictionaryWriter()
        var iterators = sources.map { TermDictionary.Iterator($0.reader.terms) }
        var live = [Bool](repeating: false, count: sources.count)
        for k in iterators.indices { live[k] = try iterators[k].next() }
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = []
        var key: [UInt8] = []
        var termCount = 0
        var readSinceRelease = 0
        while true {
            // The smallest current key.
            var smallest = -1
            for k in iterators.indices where live[k] {
                if smallest < 0 || iterators[k].term.lexicographicallyPrecedes(iterators[smallest].term) { smallest = k }
            }
            if smallest < 0 { break }
            // Each source's keys strictly increase (its iterator checks), so the merged keys do.
            key.removeAll(keepingCapacity: true)
            key.append(contentsOf: iterators[smallest].term)
            let positional = key[0] % 2 == 0   // tags 0 and 2 (see TermKey)
            docs.removeAll(keepingCapacity: true)
            freqs.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
            for k in iterators.indices where live[k] && iterators[k].term == key {
                let info = iterators[k].info
                readSinceRelease += info.postingsLength + info.positionsLength
                let c = try sources[k].reader.cursor(info, positional: positional, decompressor: decompressor)
                let map = docMaps[k]
                while true {
                    let d = try c.next()
                    if d == PostingsCursor.noMoreDocs { break }
                    let n = map[Int(d)]
                    guard n >= 0 else { continue }
                    docs.append(UInt32(n))
                    freqs.append(UInt32(c.frequency))
                    if positional { positions.append(contentsOf: try c.positions()) }
                }
                live[k] = try iterators[k].next()
            }
            guard !docs.isEmpty else { continue }   // only in deleted documents
            let info = docs.withUnsafeBufferPointer { d in
                freqs.withUnsafeBufferPointer { f in
                    positions.withUnsafeBufferPointer { p in
                        norms.withUnsafeBufferPointer { n in
                            postings.write(docs: d, freqs: f, positions: p, hasPositions: positional,
                                           lengths: FieldLengths(norms: n, field: key[0] / 2 == 0 ? .title : .body))
                        }
                    }
                }
            }
            dictionary.add(key, info)
            termCount += 1
            if termCount % stopCheckInterval == 0 && shouldStop() { throw stopped(path) }
            if postings.out.count >= SectionWriter.chunkSize { try postings.drain { try w.append($0) } }
            if readSinceRelease >= releaseEvery {
                for s in sources { s.reader.file.releaseResidentPages() }
                readSinceRelease = 0
            }
        }
        try postings.drain { try w.append($0) }
        w.endSection()
        for s in sources { s.reader.file.releaseResidentPages() }

        var meta = ByteWriter()
        meta.u32(UInt32(documentCount))
        meta.u64(lengthSums[0])
        meta.u64(lengthSums[1])
        meta.u64(UInt64(termCount))
        let (idOffsets, hashBytes) = SegmentWriter.idSections(ids)
        for (kind, bytes) in [(SegmentFormat.meta, meta.bytes), (SegmentFormat.termDict, dictionary.finish()),
                              (SegmentFormat.norms, SegmentWriter.normsBytes(norms)), (SegmentFormat.ids, idOffsets),
                              (SegmentFormat.idHash, hashBytes)] {
            w.beginSection(kind)
            try w.append(bytes)
            w.endSection()
        }
        try w.finish()
        return documentCount
    }
}
