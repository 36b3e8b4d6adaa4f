/// Reads a segment's term dictionary in place (see ``TermDictionaryWriter`` for the format).
///
/// Lookup is a binary search over the blocks' first terms followed by a scan of one block of at
/// most 32 entries. The only copy on the heap is each block's first 8 bytes (built at open: a
/// quarter of a byte per term, 640 KB for the 2.6 million terms of a 1 GB crawl), which the
/// binary search reads instead of one block header per step.
struct TermDictionary {
    let data: ByteReader
    let termCount: Int
    let blockCount: Int
    private let offsetsStart = 12
    private let blocksStart: Int
    /// Each block's first term as ``prefixKey(_:_:)`` (8 bytes a block; set once, at open, by a
    /// walk that needs the other fields).
    private var firstKeys: [UInt64]

    init(_ data: ByteReader) throws {
        self.data = data
        var r = data
        let count = try r.u64()
        guard count <= UInt64(Int32.max) else { throw data.error("term count \(count) is implausible", at: 0) }
        termCount = Int(count)
        blockCount = Int(try r.u32())
        blocksStart = 12 + blockCount * 4
        try r.need(blockCount * 4)
        let expectedBlocks = (termCount + TermDictionaryWriter.blockSize - 1) / TermDictionaryWriter.blockSize
        guard blockCount == expectedBlocks else {
            throw data.error("term dictionary has \(blockCount) blocks for \(termCount) terms", at: 0)
        }
        firstKeys = []
        var keys: [UInt64] = []
        keys.reserveCapacity(blockCount)
        for b in 0 ..< blockCount {
            let (start, length) = try firstTerm(b)
            keys.append(TermDictionary.prefixKey(data.base + start, length))
        }
        firstKeys = keys
        // Lookups touch a few pages each: the walk above need not keep the whole section resident.
        data.releaseResidentPages(data.buffer)
    }

    private func blockOffset(_ b: Int) throws -> Int {
        let o = Int(try data.u32(at: offsetsStart + b * 4))
        guard o < data.count - blocksStart else { throw data.error("block offset \(o) out of range", at: offsetsStart + b * 4) }
        return blocksStart + o
    }

    /// The varint at `p` (moved past it), at most `limit`: raw reads on the mapped bytes, for the
    /// lookup path (a copied ``ByteReader`` would retain and release its path string each time).
    /// One-byte values, the common case, are read inline.
    @inline(__always)
    private func varint(_ p: inout Int, max limit: Int) throws(SearchError) -> Int {
        if p < data.count {
            let b = Int(data.base.load(fromByteOffset: p, as: UInt8.self))
            if b < 0x80 && b <= limit {
                p += 1
                return b
            }
        }
        return try longVarint(&p, max: limit)
    }

    @inline(never)
    private func longVarint(_ p: inout Int, max limit: Int) throws(SearchError) -> Int {
        let start = p
        guard let v = ByteReader.varint32(data.base, data.count, &p), v <= UInt64(limit) else {
            // Past 32 bits, out of range, or truncated: the checked reader says which.
            var r = data
            try r.seek(start)
            let v = try r.varint(max: limit)
            p = r.position
            return v
        }
        return Int(v)
    }

    /// The first term of block `b`: where its bytes start and how many.
    private func firstTerm(_ b: Int) throws -> (start: Int, length: Int) {
        var p = try blockOffset(b)
        _ = try varint(&p, max: TermDictionaryWriter.blockSize)   // entry count
        _ = try varint(&p, max: Int(Int64.max / 4))                // first offset
        guard try varint(&p, max: 0) == 0 else { throw data.error("first entry of a block shares a prefix", at: p) }
        let length = try varint(&p, max: 1 << 16)
        guard length <= data.count - p else { throw data.error("truncated term", at: p) }
        return (p, length)
    }

    /// A term's first 8 bytes as a big-endian number, zero-padded: a smaller number means a
    /// smaller term, and equal numbers need the whole terms compared.
    @inline(__always)
    static func prefixKey(_ bytes: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var k: UInt64 = 0
        for i in 0 ..< 8 {
            k <<= 8
            if i < count { k |= UInt64(bytes.load(fromByteOffset: i, as: UInt8.self)) }
        }
        return k
    }

    /// Compares the first term of block `b` with `key` (negative: less).
    private func compareFirstTerm(_ b: Int, _ key: UnsafeRawBufferPointer) throws -> Int {
        let (start, length) = try firstTerm(b)
        return TermDictionary.compare(UnsafeRawBufferPointer(start: data.base + start, count: length), key)
    }

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmpBytes(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return c }
        }
        return a.count - b.count
    }

    @inline(__always)
    private static func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int {
        for i in 0 ..< n {
            let x = a.load(fromByteOffset: i, as: UInt8.self), y = b.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return Int(x) - Int(y) }
        }
        return 0
    }

    /// The last block whose first term is ≤ key, or -1: a binary search over ``firstKeys`` (one
    /// small array, instead of a block header per step), then whole-term comparisons only with
    /// the blocks whose first 8 bytes equal the key's (usually none: a bigram key is 7 bytes).
    private func findBlock(_ key: UnsafeRawBufferPointer) throws -> Int {
        let k = key.baseAddress.map { TermDictionary.prefixKey($0, key.count) } ?? 0
        let first = firstKeys.withUnsafeBufferPointer { keys -> Int in
            // The first block whose prefix is ≥ k.
            var base = 0, length = keys.count
            while length > 0 {
                let half = length >> 1
                if keys[base + half] < k {
                    base += half + 1
                    length -= half + 1
                } else {
                    length = half
                }
            }
            return base
        }
        var found = first - 1
        var b = first
        while b < blockCount && firstKeys[b] == k {
            guard try compareFirstTerm(b, key) <= 0 else { break }
            found = b
            b += 1
        }
        return found
    }

    /// Looks up a term; nil if absent.
    ///
    /// The block is scanned in place, without rebuilding its terms: `matched` is how many leading
    /// bytes the previous term shares with `key` (which it precedes), and an entry's `Shared`
    /// against it decides most comparisons before any byte is read. Only the entry found decodes
    /// its numbers fully; the others are skipped over.
    func lookup(_ key: [UInt8]) throws -> TermInfo? {
        try key.withUnsafeBytes { k in
            let b = try findBlock(k)
            if b < 0 { return nil }
            let entries: Int, firstOffset: Int
            var p = try blockOffset(b)
            (entries, firstOffset) = (try varint(&p, max: TermDictionaryWriter.blockSize), try varint(&p, max: Int(Int64.max / 4)))
            let expected = b == blockCount - 1 ? termCount - b * TermDictionaryWriter.blockSize : TermDictionaryWriter.blockSize
            guard entries == expected else { throw data.error("block \(b) has \(entries) entries, expected \(expected)", at: p) }
            var offset = firstOffset
            var matched = 0          // bytes the previous term shares with the key (previous < key)
            var previousLength = 0
            for e in 0 ..< entries {
                let shared = try varint(&p, max: previousLength)
                if e == 0 && shared != 0 { throw data.error("first entry of a block shares a prefix", at: p) }
                let suffixLength = try varint(&p, max: 1 << 16)
                guard suffixLength <= data.count - p else { throw data.error("truncated term", at: p) }
                if e == 0 && suffixLength == 0 { throw data.error("empty term in block \(b)", at: p) }
                let suffix = data.base + p
                p += suffixLength
                var found = false
                if shared < matched {
                    // This term leaves the key's prefix where the previous one still followed it,
                    // with a larger byte (terms increase): it is past the key.
                    return nil
                } else if shared == matched {
                    var c = 0
                    let n = min(suffixLength, k.count - matched)
                    while c < n && suffix.load(fromByteOffset: c, as: UInt8.self) == k[matched + c] { c += 1 }
                    if c == suffixLength && matched + c == k.count {
                        found = true
                    } else if c < suffixLength && (matched + c == k.count || suffix.load(fromByteOffset: c, as: UInt8.self) > k[matched + c]) {
                        return nil   // the key is a prefix of this term, or this term is larger
                    }
                    matched += c
                }
                // shared > matched: the term agrees with the previous one past where that one left
                // the key, so it is still below it.
                previousLength = shared + suffixLength
                let df = try varint(&p, max: Int(Int32.max))
                let postingsLength = try varint(&p, max: Int(Int64.max / 256))
                let positionsLength = try varint(&p, max: Int(Int64.max / 256))
                if found {
                    return TermInfo(documentFrequency: df, postingsOffset: offset, postingsLength: postingsLength,
                                    positionsOffset: offset + postingsLength, positionsLength: positionsLength)
                }
                offset += postingsLength + positionsLength
            }
            return nil
        }
    }

    /// Calls `body` with every term that starts with `prefix`, in order.
    func forEach(prefix: [UInt8], _ body: (UnsafeRawBufferPointer, TermInfo) throws -> Void) throws {
        try prefix.withUnsafeBytes { p in
            var b = max(try findBlock(p), 0)
            var done = false
            while !done && b < blockCount {
                try scanBlock(b) { term, info in
                    if term.count >= p.count && TermDictionary.compare(UnsafeRawBufferPointer(rebasing: term[0 ..< p.count]), p) == 0 {
                        try body(term, info)
                        return true
                    }
                    if TermDictionary.compare(term, p) > 0 { done = true; return false }
                    return true
                }
                b += 1
            }
        }
    }

    /// Calls `body` with every term in order (for checks, stats and merges).
    func forEach(_ body: (UnsafeRawBufferPointer, TermInfo) throws -> Void) throws {
        var seen = 0
        for b in 0 ..< blockCount {
            try scanBlock(b) { term, info in
                seen += 1
                try body(term, info)
                return true
            }
        }
        guard seen == termCount else { throw data.error("term dictionary holds \(seen) terms, header says \(termCount)", at: 0) }
    }

    /// Decodes block `b`'s entries in order, calling `visit` until it returns false.
    private func scanBlock(_ b: Int, _ visit: (UnsafeRawBufferPointer, TermInfo) throws -> Bool) throws {
        var r = data
        var term: [UInt8] = []
        term.reserveCapacity(64)
        let (entries, firstOffset) = try openBlock(b, &r)
        var offset = firstOffset
        for e in 0 ..< entries {
            let info = try decodeEntry(&r, &term, &offset, first: e == 0, block: b)
            let keep = try term.withUnsafeBytes { try visit($0, info) }
            if !keep { return }
        }
    }

    /// Positions `r` after block `b`'s header; returns its entry count and first offset.
    fileprivate func openBlock(_ b: Int, _ r: inout ByteReader) throws -> (entries: Int, firstOffset: Int) {
        let start = try blockOffset(b)
        try r.seek(start)
        let entries = try r.varint(max: TermDictionaryWriter.blockSize)
        let expected = b == blockCount - 1 ? termCount - b * TermDictionaryWriter.blockSize : TermDictionaryWriter.blockSize
        guard entries == expected else { throw r.error("block \(b) has \(entries) entries, expected \(expected)", at: start) }
        return (entries, try r.varint(max: Int(Int64.max / 4)))
    }

    /// Decodes the next entry into `term` (which holds the previous term of the block) and returns
    /// its TermInfo; `offset` is where its postings start and moves past its positions.
    fileprivate func decodeEntry(_ r: inout ByteReader, _ term: inout [UInt8], _ offset: inout Int,
                                 first: Bool, block b: Int) throws -> TermInfo {
        let shared = try r.varint(max: term.count)
        if first && shared != 0 { throw r.error("first entry of a block shares a prefix") }
        if first { term.removeAll(keepingCapacity: true) }
        let suffixLength = try r.varint(max: 1 << 16)
        if first && suffixLength == 0 { throw r.error("empty term in block \(b)") }   // a term has at least its tag
        let suffix = try r.bytes(suffixLength)
        let previousCount = term.count
        let previousLast = previousCount > shared ? term[shared] : nil
        term.removeSubrange(shared...)
        term.append(contentsOf: suffix)
        // Strictly increasing: the first differing byte grows, or the term extends the previous one.
        if !first {
            let increasing: Bool
            if let pl = previousLast {
                increasing = suffixLength > 0 && suffix[0] > pl
            } else {
                increasing = suffixLength > 0
            }
            if !increasing { throw r.error("terms out of order in block \(b)") }
        }
        var info = TermInfo(documentFrequency: 0, postingsOffset: 0, postingsLength: 0, positionsOffset: 0, positionsLength: 0)
        info.documentFrequency = try r.varint(max: Int(Int32.max))
        // Lengths are capped so that sums cannot overflow; out-of-range offsets fail at slice().
        info.postingsOffset = offset
        info.postingsLength = try r.varint(max: Int(Int64.max / 256))
        info.positionsOffset = offset + info.postingsLength
        info.positionsLength = try r.varint(max: Int(Int64.max / 256))
        offset = info.positionsOffset + info.positionsLength
        return info
    }

    /// Every term in order, one at a time, with no callback (merges walk several at once).
    struct Iterator {
        private let dictionary: TermDictionary
        private var reader: ByteReader
        private var block = -1
        private var entry = 0
        private var entries = 0
        private var offset = 0
        /// The current term's key bytes (valid after ``next()`` returned true).
        private(set) var term: [UInt8] = []
        private(set) var info = TermInfo(documentFrequency: 0, postingsOffset: 0, postingsLength: 0, positionsOffset: 0, positionsLength: 0)

        init(_ dictionary: TermDictionary) {
            self.dictionary = dictionary
            reader = dictionary.data
            term.reserveCapacity(64)
        }

        /// The last term of the previous block, to check order across blocks.
        private var previousBlockLast: [UInt8] = []

        /// Moves to the next term; false at the end.
        /// - Throws: ``SearchError`` (corrupt) when terms are out of order, within a block or
        ///   across blocks, so that consumers (merges) can rely on strictly increasing keys.
        mutating func next() throws -> Bool {
            while entry == entries {
                block += 1
                guard block < dictionary.blockCount else { return false }
                if entries > 0 { previousBlockLast = term }
                (entries, offset) = try dictionary.openBlock(block, &reader)
                entry = 0
            }
            info = try dictionary.decodeEntry(&reader, &term, &offset, first: entry == 0, block: block)
            if entry == 0 && block > 0 && !previousBlockLast.lexicographicallyPrecedes(term) {
                throw dictionary.data.error("terms out of order between blocks \(block - 1) and \(block)", at: 0)
            }
            entry += 1
            return true
        }
    }
}
