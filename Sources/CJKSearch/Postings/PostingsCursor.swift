import CKernels

/// Iterates one term's postings in one segment: documents in increasing order, with frequencies
/// and (for positional terms) positions, decoding a 128-document block at a time and using the
/// skip entries to jump in ``advance(to:)``.
///
/// Every value read from disk is checked: documents must increase and stay below the segment's
/// document count, frequencies must be positive, positions must increase; a violation throws
/// ``SearchError/Code-swift.struct/corrupt``.
///
/// Not thread-safe; one cursor per search.
final class PostingsCursor {
    static let noMoreDocs: Int32 = .max

    let documentFrequency: Int
    private let postingsData: ByteReader
    private let positionsData: ByteReader
    private let documentCount: Int
    private let hasPositions: Bool
    private let decompressor: ZstdDecompressor

    private let blockCount: Int
    private var skipTable: ByteReader   // empty for short lists
    private var blocksStart = 0         // offset of the first DocBlock in postingsData
    private var impactsStart = 0        // offset of the first Impacts in postingsData
    private var blockIndex = -1
    private var blockLength = 0
    private var indexInBlock = 0
    private var docs: UnsafeMutablePointer<UInt32>
    private var freqs: UnsafeMutablePointer<UInt32>

    /// The block whose bound was computed last, and that bound (see ``cachedMaxScore(ofBlock:_:)``).
    private var boundBlock = -1
    private var boundScore = 0.0

    /// The current document, or ``noMoreDocs``; -1 before the first ``next()``.
    private(set) var doc: Int32 = -1

    // Positions state for the current block.
    private var frameBlock = -1
    private var frameStorage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var frame = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0), path: "")
    /// The document of the block whose positions start at value ``posValue`` of the frame.
    private var posDocIndex = 0
    private var posValue = 0
    /// The number of position values in the loaded frame (the sum of its documents' frequencies).
    private var frameValueCount = 0
    /// The chunk whose header is at ``walkOffset`` of the frame (chunks are found by walking
    /// their headers from the first).
    private var walkChunk = 0
    private var walkOffset = 0
    /// The unpacked chunk (-1: none) and its number of values.
    private var chunkIndex = -1
    private var chunkCount = 0
    /// Where the unpacked chunk's header is in the frame (for errors).
    private var chunkOffset = 0
    private let chunkValues: UnsafeMutablePointer<UInt32>
    private var positionsBuffer: [UInt32] = []

    init(info: TermInfo, postings: ByteReader, positions: ByteReader, documentCount: Int,
         hasPositions: Bool, decompressor: ZstdDecompressor) throws {
        documentFrequency = info.documentFrequency
        postingsData = try postings.slice(info.postingsOffset, info.postingsLength)
        positionsData = try positions.slice(info.positionsOffset, info.positionsLength)
        self.documentCount = documentCount
        self.hasPositions = hasPositions
        self.decompressor = decompressor
        guard documentFrequency > 0 && documentFrequency <= documentCount else {
            throw postingsData.error("document frequency \(documentFrequency) outside 1...\(documentCount)", at: 0)
        }
        if documentFrequency < PostingsFormat.blockSize {
            blockCount = 1
            skipTable = try postingsData.slice(0, 0)
        } else {
            var r = postingsData
            blockCount = try r.varint(max: documentCount)
            let expected = (documentFrequency + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
            guard blockCount == expected else {
                throw r.error("block count \(blockCount), expected \(expected) for \(documentFrequency) documents", at: 0)
            }
            skipTable = try postingsData.slice(r.position, blockCount * PostingsFormat.skipEntrySize)
            impactsStart = r.position + blockCount * PostingsFormat.skipEntrySize
            let impactsLength = Int(try skipTable.u32(at: (blockCount - 1) * PostingsFormat.skipEntrySize + 12))
            guard impactsLength <= postingsData.count - impactsStart else {
                throw skipTable.error("impacts end \(impactsLength) past the postings", at: (blockCount - 1) * PostingsFormat.skipEntrySize + 12)
            }
            blocksStart = impactsStart + impactsLength
        }
        // Allocated last: a throw above leaves nothing to free (deinit does not run for an
        // object whose initializer failed).
        let cap = min(documentFrequency, PostingsFormat.blockSize)
        docs = .allocate(capacity: cap)
        freqs = .allocate(capacity: cap)
        chunkValues = .allocate(capacity: PostingsFormat.positionChunkSize)
    }

    deinit {
        docs.deallocate()
        freqs.deallocate()
        frameStorage.deallocate()
        chunkValues.deallocate()
    }

    /// The current document's frequency.
    var frequency: Int {
        if pendingFreqs != nil { decodeFrequencies() }
        return Int(freqs[indexInBlock])
    }

    /// A loaded block's packed frequencies, decoded only when a frequency is asked for (a
    /// conjunction that skips through a block never needs them).
    private var pendingFreqs: (packed: UnsafeRawPointer, bits: Int, readable: Int)?

    private func decodeFrequencies() {
        guard let (packed, bits, readable) = pendingFreqs else { return }
        BitPacking.unpack(packed, count: blockLength, bits: bits, into: freqs, adding: 1, readable: readable)
        // Stored as freq − 1: with 32 bits, a corrupt 2^32 − 1 wraps to 0, and is read as 1
        // instead (the section checksum reports such damage).
        if bits == 32 {
            for i in 0 ..< blockLength where freqs[i] == 0 { freqs[i] = 1 }
        }
        pendingFreqs = nil
    }

    private func skipLastDoc(_ b: Int) throws -> Int32 {
        let last = try skipTable.u32(at: b * PostingsFormat.skipEntrySize)
        guard last < UInt32(documentCount) else {
            throw skipTable.error("skip entry \(b) names document \(last), segment has \(documentCount)", at: b * PostingsFormat.skipEntrySize)
        }
        return Int32(last)
    }

    private func skipEnds(_ b: Int) throws -> (block: Int, positions: Int) {
        let at = b * PostingsFormat.skipEntrySize + 4
        return (Int(try skipTable.u32(at: at)), Int(try skipTable.u32(at: at + 4)))
    }

    private func loadBlock(_ b: Int) throws {
        blockIndex = b
        indexInBlock = 0
        if documentFrequency < PostingsFormat.blockSize {
            var r = postingsData
            var previous: Int64 = -1
            for i in 0 ..< documentFrequency {
                let code = try r.varint()
                guard code >> 1 < UInt64(documentCount) else { throw r.error("document gap \(code >> 1) out of range") }
                let d = previous + 1 + Int64(code >> 1)
                guard d < Int64(documentCount) else { throw r.error("document \(d) out of range (segment has \(documentCount))") }
                docs[i] = UInt32(d)
                if code & 1 == 1 {
                    freqs[i] = 1
                } else {
                    let f = try r.varint(max: Int(UInt32.max))
                    guard f >= 2 else { throw r.error("frequency \(f) where at least 2 was implied") }
                    freqs[i] = UInt32(f)
                }
                previous = d
            }
            guard r.isAtEnd else { throw r.error("trailing bytes after postings list") }
            blockLength = documentFrequency
            pendingFreqs = nil
            return
        }
        let start = b == 0 ? 0 : try skipEnds(b - 1).block
        let end = try skipEnds(b).block
        guard end > start else { throw skipTable.error("skip entry \(b) has a non-increasing block end", at: b * PostingsFormat.skipEntrySize) }
        // Raw reads within the checked range (a sliced reader would retain its path per block).
        let at = blocksStart + start, length = end - start
        guard at >= 0, length >= 2, at <= postingsData.count - length else {
            throw postingsData.error("block \(b) range \(at)+\(length) outside the postings", at: 0)
        }
        let block = postingsData.base + at
        let n = b == blockCount - 1 ? documentFrequency - b * PostingsFormat.blockSize : PostingsFormat.blockSize
        let deltaBits = Int(block.load(as: UInt8.self))
        let freqBits = Int(block.load(fromByteOffset: 1, as: UInt8.self))
        guard deltaBits <= 32, freqBits <= 32 else { throw postingsData.error("bit width above 32", at: at) }
        let deltaBytes = BitPacking.byteCount(count: n, bits: deltaBits)
        let freqBytes = BitPacking.byteCount(count: n, bits: freqBits)
        guard length - 2 == deltaBytes + freqBytes else {
            throw postingsData.error("block is \(length - 2) bytes, expected \(deltaBytes + freqBytes)", at: at + 2)
        }
        let packed = block + 2
        // Documents increase, so only the last needs checking against the segment's count (and
        // the skip entry); the running sum is 64 bits and cannot wrap. The bytes after the block,
        // to the end of the term's postings, may be read too (the unpacking ignores them).
        let readable = postingsData.count - (at + 2)
        let last = BitPacking.unpackDocuments(packed, count: n, bits: deltaBits, into: docs,
                                              after: b == 0 ? -1 : Int64(try skipLastDoc(b - 1)), readable: readable)
        guard last < Int64(documentCount) else {
            throw postingsData.error("document \(last) out of range (segment has \(documentCount))", at: at)
        }
        blockLength = n
        pendingFreqs = (packed + deltaBytes, freqBits, readable - deltaBytes)
        guard Int64(try skipLastDoc(b)) == last else {
            throw skipTable.error("skip entry \(b) disagrees with its block's last document", at: b * PostingsFormat.skipEntrySize)
        }
    }

    /// Moves to the next document; returns it or ``noMoreDocs``.
    @discardableResult
    func next() throws -> Int32 {
        if doc == PostingsCursor.noMoreDocs { return doc }
        if blockIndex >= 0 && indexInBlock + 1 < blockLength {
            indexInBlock += 1
        } else {
            let b = blockIndex + 1
            if b >= blockCount { doc = PostingsCursor.noMoreDocs; return doc }
            try loadBlock(b)
        }
        doc = Int32(docs[indexInBlock])
        return doc
    }

    /// Moves to the first document ≥ `target`; returns it or ``noMoreDocs``.
    @discardableResult
    func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        let t = UInt32(truncatingIfNeeded: target)   // target > doc ≥ -1
        if blockIndex < 0 || docs[blockLength - 1] < t {
            let b = try block(containing: target)
            if b >= blockCount { doc = PostingsCursor.noMoreDocs; return doc }
            if b != blockIndex { try loadBlock(b) }
            // The block's last document is ≥ target (checked against the skip entry at load).
        }
        indexInBlock = PostingsCursor.firstIndex(docs, from: indexInBlock, below: blockLength, notBelow: t)
        if indexInBlock >= blockLength {
            // Only possible with a corrupt skip entry (already validated) — treat as exhausted.
            doc = PostingsCursor.noMoreDocs
            return doc
        }
        doc = Int32(truncatingIfNeeded: docs[indexInBlock])
        return doc
    }

    /// The first index in `from ..< end` whose document is ≥ `target` (`end` if none): a few steps
    /// linearly (a conjunction's next candidate is often close), then a binary search whose
    /// halving does not branch on the comparison (``cjk_lower_bound_u32``).
    @inline(__always)
    static func firstIndex(_ docs: UnsafeMutablePointer<UInt32>, from: Int, below end: Int, notBelow target: UInt32) -> Int {
        var i = from
        let linearEnd = min(end, from &+ 4)
        while i < linearEnd {
            if docs[i] >= target { return i }
            i &+= 1
        }
        return cjk_lower_bound_u32(docs, i, end, target)
    }

    /// The first block at or after the current one whose last document is ≥ `target`, or
    /// `blockCount`: a gallop over the skip entries, then a binary search.
    func block(containing target: Int32) throws -> Int {
        var lo = max(blockIndex, 0)
        if documentFrequency < PostingsFormat.blockSize { return lo }
        if try skipLastDoc(lo) >= target { return lo }
        // skipLastDoc(lo) < target: gallop until a block's last document reaches it.
        var step = 1
        var hi = lo + 1
        while hi < blockCount, try skipLastDoc(hi) < target {
            lo = hi
            step &*= 2
            hi = lo + step
        }
        hi = min(hi, blockCount)
        // skipLastDoc(lo) < target, and hi == blockCount or skipLastDoc(hi) ≥ target.
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if try skipLastDoc(mid) < target { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// Calls `body` with every document below `end` and its frequency, from the current one on
    /// (the first, before any move), a decoded block at a time; leaves the cursor on the first
    /// document ≥ `end`, or at the end. What window scoring calls instead of ``next()`` per document.
    @inline(__always)
    func forEachDocument(below end: Int32, _ body: (Int32, UInt32) throws -> Void) throws {
        if doc == -1 { try next() }
        while doc < end {   // noMoreDocs is never below
            if pendingFreqs != nil { decodeFrequencies() }
            var i = indexInBlock
            while i < blockLength {
                let d = Int32(truncatingIfNeeded: docs[i])
                if d >= end {
                    indexInBlock = i
                    doc = d
                    return
                }
                try body(d, freqs[i])
                i += 1
            }
            indexInBlock = blockLength - 1
            try next()
        }
    }

    /// The best score any document in `start ..< end` can have: the best bound of the blocks that
    /// overlap the range (``FieldScoring/maxScore`` for a short list); 0 when the cursor is
    /// already at or past `end`.
    ///
    /// - Precondition: `start ≥ doc`.
    func maxScore(in start: Int32, _ end: Int32, _ scoring: FieldScoring) throws -> Double {
        if doc >= end { return 0 }
        guard hasImpacts else { return scoring.maxScore }
        var b = try block(containing: start)
        var best = 0.0
        while b < blockCount {
            best = max(best, try cachedMaxScore(ofBlock: b, scoring))
            if try skipLastDoc(b) >= end - 1 { break }
            b += 1
        }
        return best
    }

    /// The bound of the block holding `target` (the best score of its impacts), or of the whole
    /// list for a short list (``FieldScoring/maxScore``).
    ///
    /// - Precondition: `target ≥ doc`; one `scoring` per cursor (the last block's bound is cached).
    func maxScore(from target: Int32, _ scoring: FieldScoring) throws -> ScoreBound {
        guard hasImpacts else { return ScoreBound(upTo: ScoreBound.end, score: scoring.maxScore) }
        let b = try block(containing: target)
        if b >= blockCount { return ScoreBound(upTo: ScoreBound.end, score: 0) }
        return ScoreBound(upTo: try skipLastDoc(b), score: try cachedMaxScore(ofBlock: b, scoring))
    }

    /// The bound of the block of the current document.
    ///
    /// - Precondition: ``hasImpacts``, the cursor is on a document; one `scoring` per cursor.
    @inline(__always)
    func maxScoreOfCurrentBlock(_ scoring: FieldScoring) throws -> Double {
        try cachedMaxScore(ofBlock: blockIndex, scoring)
    }

    /// ``maxScore(ofBlock:_:)``, remembered for the last block asked (pruning asks for the same
    /// block once per document of a competitive run).
    @inline(__always)
    private func cachedMaxScore(ofBlock b: Int, _ scoring: FieldScoring) throws -> Double {
        if b != boundBlock {
            boundScore = try maxScore(ofBlock: b, scoring)
            boundBlock = b
        }
        return boundScore
    }

    /// The number of blocks (1 for a short list).
    var blocks: Int { blockCount }

    /// The last document of block `b`, from its skip entry.
    ///
    /// - Precondition: ``hasImpacts`` (a blocked list).
    func lastDocument(ofBlock b: Int) throws -> Int32 {
        precondition(hasImpacts, "a short list has no skip entries")
        return try skipLastDoc(b)
    }

    /// Whether blocks have impacts (short lists have none).
    var hasImpacts: Bool { documentFrequency >= PostingsFormat.blockSize }

    /// The best score of any document of block `b` under `scoring`: the best of its impacts.
    ///
    /// - Precondition: ``hasImpacts``.
    func maxScore(ofBlock b: Int, _ scoring: FieldScoring) throws -> Double {
        var best = 0.0
        try forEachImpact(ofBlock: b) { freq, length in best = max(best, scoring.score(freq, length: length)) }
        return best
    }

    /// Calls `body` with each (frequency, field length) impact of block `b`, both increasing.
    ///
    /// - Precondition: ``hasImpacts``.
    func forEachImpact(ofBlock b: Int, _ body: (Int, Int) -> Void) throws {
        precondition(hasImpacts && b >= 0 && b < blockCount, "impacts of a block that has none")
        let entry = b * PostingsFormat.skipEntrySize + 12
        let start = b == 0 ? 0 : Int(try skipTable.u32(at: entry - PostingsFormat.skipEntrySize))
        let end = Int(try skipTable.u32(at: entry))
        guard start < end, impactsStart + end <= blocksStart else {
            throw skipTable.error("impacts \(start)..<\(end) of block \(b) out of bounds", at: entry)
        }
        var r = try postingsData.slice(impactsStart + start, end - start)
        let n = try r.varint(max: PostingsFormat.blockSize)
        guard n > 0 else { throw r.error("block \(b) has no impacts", at: 0) }
        var freq: UInt64 = 0, length: Int64 = -1
        for _ in 0 ..< n {
            // Each gap below 2^32, so the sums cannot overflow before they are checked.
            freq += 1 + UInt64(try r.varint(max: Int(UInt32.max)))
            length += 1 + Int64(try r.varint(max: Int(UInt32.max)))
            guard freq <= UInt64(UInt32.max), length <= Int64(UInt32.max) else {
                throw r.error("impact out of range in block \(b)")
            }
            body(Int(freq), Int(length))
        }
        guard r.isAtEnd else { throw r.error("trailing bytes after the impacts of block \(b)") }
    }

    /// The current document's positions, increasing.
    ///
    /// - Precondition: the cursor is on a document and the term has positions.
    func positions() throws -> ArraySlice<UInt32> {
        var out = positionsBuffer
        positionsBuffer = []   // so that `out` is unique and keeps its capacity
        defer { positionsBuffer = out }
        out.removeAll(keepingCapacity: true)
        try appendPositions(to: &out)
        return out[...]
    }

    /// Appends the current document's positions, increasing, to `out` (no allocation when it has
    /// room).
    ///
    /// - Precondition: the cursor is on a document and the term has positions.
    func appendPositions(to out: inout [UInt32]) throws {
        let f = try seekPositions()
        out.reserveCapacity(out.count + f)
        try decodePositions(f) { p in out.append(p); return true }
    }

    /// Writes the current document's positions that are ≥ `lead`, minus `lead`, to `out` (room for
    /// ``frequency`` values); returns how many: a phrase's candidate starts from its first part.
    ///
    /// - Precondition: the cursor is on a document and the term has positions.
    func phraseStarts(minus lead: UInt32, into out: UnsafeMutablePointer<UInt32>) throws -> Int {
        var n = 0
        try decodePositions(try seekPositions()) { p in
            if p >= lead {
                out[n] = p &- lead
                n &+= 1
            }
            return true
        }
        return n
    }

    /// Keeps those of the candidate starts `starts[0 ..< n]` (increasing) for which `start + offset`
    /// is a position of the current document, in place; returns how many are kept. Positions
    /// past the last candidate are not decoded, and a document that keeps none stops early.
    ///
    /// - Precondition: the cursor is on a document and the term has positions.
    func keepStarts(_ starts: UnsafeMutablePointer<UInt32>, _ n: Int, at offset: UInt32) throws -> Int {
        var kept = 0, k = 0
        try decodePositions(try seekPositions()) { p in
            // Starts whose slot is before this position cannot match any later one.
            while k < n && starts[k] &+ offset < p { k &+= 1 }
            if k == n { return false }
            if starts[k] &+ offset == p {
                starts[kept] = starts[k]
                kept &+= 1
                k &+= 1
                if k == n { return false }
            }
            return true
        }
        return kept
    }

    /// Moves the positions reader to the current document's positions; returns its frequency.
    /// The documents between the last one read and this one are skipped by adding their
    /// frequencies: nothing of theirs is decoded.
    @inline(__always)
    private func seekPositions() throws -> Int {
        precondition(hasPositions, "positions() on a term without positions")
        precondition(doc >= 0 && doc != PostingsCursor.noMoreDocs, "positions() without a current document")
        if pendingFreqs != nil { decodeFrequencies() }
        if frameBlock != blockIndex { try loadFrame(blockIndex) }
        if indexInBlock < posDocIndex {
            posDocIndex = 0
            posValue = 0
        }
        var v = posValue
        while posDocIndex < indexInBlock {
            v &+= Int(freqs[posDocIndex])
            posDocIndex &+= 1
        }
        posValue = v
        return Int(freqs[indexInBlock])
    }

    /// Decodes the `f` positions from value ``posValue`` (after ``seekPositions()``), checking
    /// that they increase and fit 32 bits, and calls `body` with each until it returns false
    /// (a phrase stops at its last candidate start).
    @inline(__always)
    private func decodePositions(_ f: Int, _ body: (UInt32) throws -> Bool) throws {
        guard f > 0 else { return }
        guard posValue <= frameValueCount - f else {
            throw frame.error("positions past the frame's \(frameValueCount) values", at: 0)
        }
        var index = posValue
        var left = f
        var p: UInt64 = 0
        var first = true
        while left > 0 {
            let c = index >> PostingsFormat.positionChunkShift
            if c != chunkIndex { try loadChunk(c) }
            let at = index & (PostingsFormat.positionChunkSize - 1)
            let n = min(left, chunkCount &- at)
            let values = chunkValues + at
            var j = 0
            if first {
                p = UInt64(values[0])
                first = false
                if !(try body(values[0])) { return }
                j = 1
            }
            while j < n {
                let gap = UInt64(values[j])
                p &+= gap
                guard gap > 0, p <= UInt64(UInt32.max) else {
                    throw frame.error(gap == 0 ? "positions do not increase" : "position out of range", at: chunkOffset)
                }
                if !(try body(UInt32(truncatingIfNeeded: p))) { return }
                j &+= 1
            }
            left &-= n
            index &+= n
        }
    }

    /// Unpacks chunk `c` of the loaded frame into ``chunkValues``.
    private func loadChunk(_ c: Int) throws {
        let size = PostingsFormat.positionChunkSize
        if c < walkChunk {
            walkChunk = 0
            walkOffset = 0
        }
        let base = frame.base, count = frame.count
        while true {
            guard walkOffset < count else { throw frame.error("truncated positions frame", at: walkOffset) }
            let bits = Int(base.load(fromByteOffset: walkOffset, as: UInt8.self))
            guard bits <= 32 else { throw frame.error("position bit width \(bits) above 32", at: walkOffset) }
            let n = min(size, frameValueCount - walkChunk * size)
            let bytes = BitPacking.byteCount(count: n, bits: bits)
            let readable = count - walkOffset - 1
            guard bytes <= readable else { throw frame.error("truncated positions chunk", at: walkOffset) }
            if walkChunk == c {
                BitPacking.unpack(base + walkOffset + 1, count: n, bits: bits, into: chunkValues, readable: readable)
                chunkIndex = c
                chunkCount = n
                chunkOffset = walkOffset
                return
            }
            walkOffset += 1 + bytes
            walkChunk += 1
        }
    }

    private func loadFrame(_ b: Int) throws {
        let start: Int, end: Int
        if documentFrequency < PostingsFormat.blockSize {
            start = 0
            end = positionsData.count
        } else {
            start = b == 0 ? 0 : try skipEnds(b - 1).positions
            end = try skipEnds(b).positions
        }
        guard end >= start else { throw positionsData.error("positions frame \(b) has a negative length", at: start) }
        var r = try positionsData.slice(start, end - start)
        let mode = try r.u8()
        switch mode {
        case 0:
            frame = try r.slice(1, r.count - 1)
        case 1:
            let rawLength = try r.varint(max: 1 << 30)
            let rest = try r.bytes(r.remaining)
            try ZstdDecompressor.checkContentSize(rest, rawLength, path: r.path, offset: r.fileOffset)
            if frameStorage.count < rawLength {
                frameStorage.deallocate()
                frameStorage = .allocate(byteCount: max(rawLength, 1024), alignment: 8)
            }
            let out = UnsafeMutableRawBufferPointer(rebasing: frameStorage[0 ..< rawLength])
            try decompressor.decompress(rest, into: out, path: r.path, offset: r.fileOffset)
            frame = ByteReader(UnsafeRawBufferPointer(out), fileOffset: r.fileOffset, path: r.path)
        default:
            throw r.error("unknown positions frame mode \(mode)", at: 0)
        }
        frameBlock = b
        posDocIndex = 0
        posValue = 0
        walkChunk = 0
        walkOffset = 0
        chunkIndex = -1
        // The frame holds every position of the block's documents (frequencies are decoded).
        var total = 0
        for i in 0 ..< blockLength { total &+= Int(freqs[i]) }
        frameValueCount = total
    }
}
