import Foundation

/// Merges segments into one new segment by their postings, without analyzing the text again.
///
/// Documents keep their order (the sources in the order given, each in its own order) and lose
/// the deleted ones; documents are renumbered densely. The output is streamed: the term
/// dictionaries are walked together (a k-way merge of sorted keys) and each term's postings are
/// rewritten with the new numbers, while a second thread recompresses the stored documents block
/// by block into an unlinked spill file, copied into the segment after the postings (on one
/// thread, the stored documents go straight into the file first).
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

    fileprivate static func stopped(_ path: String) -> SearchError {
        SearchError(.writerClosed, "merge stopped: the writer is closing", path: path)
    }

    /// Writes the merge of `sources` to a new file at `path`; returns the number of documents.
    /// With `parallel`, the stored documents are merged on a second thread.
    /// `shouldStop` is asked every ``stopCheckInterval`` documents and terms; when it says yes the
    /// merge throws ``SearchError/Code-swift.struct/writerClosed`` and its unfinished file is removed.
    static func merge(_ sources: [Source], to path: String, segmentID: UInt64,
                      parallel: Bool = true, shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Int {
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

        // Norms from the sources' norms sections (the postings' impacts need them).
        var norms: [UInt32] = []
        norms.reserveCapacity(documentCount * 2)
        var lengthSums: [UInt64] = [0, 0]
        for (k, s) in sources.enumerated() {
            for d in 0 ..< s.reader.documentCount where docMaps[k][d] >= 0 {
                for f in Field.allCases {
                    let n = try s.reader.fieldLength(d, f)
                    norms.append(UInt32(n))
                    lengthSums[Int(f.rawValue)] += UInt64(n)
                }
            }
        }

        let w = try SectionWriter(path: path, kind: .segment, identity: segmentID)

        // Stored documents (and ids), in the new order. With `parallel`, on a second thread into a
        // spill file while this thread merges the postings (the two are independent, and one
        // thread left a merge the work of one core: a 5 GB build waited 48 s on its last merge
        // with the other core idle); the spilled section is copied in after the postings. A merge
        // in the background of indexing threads (`parallel` false) writes them straight into the
        // file first: the cores are busy anyway, and two threads' transient memory at the moment
        // of a flush took a 5 GB build's peak RSS to 1,141 and 1,180 MiB under a 1 GiB budget.
        let spill = parallel ? try SpillFile(directory: path) : nil
        let storedJob = StoredMerge(sources: sources, docMaps: docMaps, documentCount: documentCount,
                                    sink: spill ?? w, path: path, shouldStop: shouldStop)
        if spill != nil {
            let storedThread = Thread { storedJob.run() }
            storedThread.name = "cjksearch-merge-stored"
            storedThread.stackSize = 8 << 20
            storedThread.start()
        } else {
            w.beginSection(SegmentFormat.stored)
            storedJob.run()
            _ = try storedJob.wait()   // (its error now, before the postings)
            w.endSection()
        }
        defer { storedJob.cancelAndWait() }

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

        let ids = try storedJob.wait()
        if let spill {
            w.beginSection(SegmentFormat.stored)
            try spill.copy { try w.append($0) }
            w.endSection()
        }

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

/// The stored-documents half of a merge, run on its own thread: every live document of the
/// sources, in the new order, into a sink (a spill file, or the segment's stored section begun);
/// the ids in that order for the caller.
private final class StoredMerge: @unchecked Sendable {
    let sources: [SegmentMerger.Source]
    let docMaps: [[Int32]]
    let documentCount: Int
    let sink: any ByteSink
    let path: String
    let shouldStop: @Sendable () -> Bool
    private let condition = NSCondition()
    private var done = false
    private var cancelled = false
    private var result: Result<[String], Error> = .success([])

    init(sources: [SegmentMerger.Source], docMaps: [[Int32]], documentCount: Int, sink: any ByteSink, path: String, shouldStop: @escaping @Sendable () -> Bool) {
        self.sources = sources
        self.docMaps = docMaps
        self.documentCount = documentCount
        self.sink = sink
        self.path = path
        self.shouldStop = shouldStop
    }

    private var isCancelled: Bool { condition.withLock { cancelled } }

    func run() {
        let outcome: Result<[String], Error>
        do {
            outcome = .success(try merge())
        } catch {
            outcome = .failure(error)
        }
        condition.withLock {
            result = outcome
            done = true
            condition.broadcast()
        }
    }

    private func merge() throws -> [String] {
        let decompressor = ZstdDecompressor()
        var ids: [String] = []
        ids.reserveCapacity(documentCount)
        let stored = StoredDocumentsWriter(streamingTo: sink)
        for (k, s) in sources.enumerated() {
            try s.reader.stored.forEachDocument(decompressor: decompressor) { d, doc in
                guard docMaps[k][d] >= 0 else { return }
                if ids.count % SegmentMerger.stopCheckInterval == 0 && (isCancelled || shouldStop()) {
                    throw SegmentMerger.stopped(path)
                }
                try stored.add(doc)
                ids.append(doc.id)
            }
            s.reader.file.releaseResidentPages()
        }
        try stored.finish { try sink.append($0) }
        return ids
    }

    /// The ids, once the thread is done; its error if it failed.
    func wait() throws -> [String] {
        condition.lock()
        while !done { condition.wait() }
        let r = result
        condition.unlock()
        return try r.get()
    }

    /// Stops the thread early (when the postings half failed) and waits for it.
    func cancelAndWait() {
        condition.lock()
        cancelled = true
        while !done { condition.wait() }
        condition.unlock()
    }
}

/// Bytes spilled to an unlinked temporary file (nothing is left behind by a crash) and read back
/// in chunks.
final class SpillFile: ByteSink {
    private let fd: Int32
    private let path: String
    private var pending: [UInt8] = []
    private(set) var count = 0

    /// A spill file next to `path` (in its directory, so on the same disk as the result).
    init(directory path: String) throws {
        self.path = path + ".spill.tmp"
        fd = open(self.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw FileIO.errnoError("create", path: self.path, errno: errno) }
        unlink(self.path)
        pending.reserveCapacity(SectionWriter.chunkSize)
    }

    deinit { close(fd) }

    func append(_ raw: UnsafeRawBufferPointer) throws {
        count += raw.count
        if pending.count + raw.count > SectionWriter.chunkSize { try writePending() }
        if raw.count >= SectionWriter.chunkSize {
            try FileIO.writeAll(fd, raw, path: path)
        } else {
            pending.append(contentsOf: raw)
        }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    private func writePending() throws {
        try pending.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with every byte appended, in order, a chunk at a time.
    func copy(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try writePending()
        var buffer = [UInt8](repeating: 0, count: SectionWriter.chunkSize)
        var offset = 0
        while offset < count {
            let n = try buffer.withUnsafeMutableBytes { b -> Int in
                let r = pread(fd, b.baseAddress, min(b.count, count - offset), off_t(offset))
                if r < 0 { throw FileIO.errnoError("read", path: path, errno: errno) }
                if r == 0 { throw SearchError(.io, "spill file ended at \(offset) of \(count) bytes", path: path) }
                return r
            }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
            offset += n
        }
        // The spilled pages are not needed again.
        _ = ftruncate(fd, 0)
    }
}
