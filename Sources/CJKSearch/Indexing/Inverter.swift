#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels

/// The in-memory inverted index of the segment being built: a term table and, per term, its
/// postings as byte streams in one arena. No allocation per token or per term beyond amortized
/// growth of flat buffers, and every byte it holds is counted in ``memoryBytes``.
///
/// ## Layout
/// - **Arena**: pages of 1 MiB; an address is `page << 20 | offset` (`UInt32`, so at most 4 GiB,
///   see ``isFull``). Address 0 is never handed out and means "no stream yet".
/// - **Streams**: each term has a document stream and, for positional terms, a position stream. A
///   stream is a chain of slices of growing size (16, 32, … 32 768 bytes); the last 4 bytes of a
///   slice hold the address of the next one. Small terms (most of them) use one small slice.
/// - **Document stream**: per document `DocCode:varint, [Freq:varint]` exactly as a
///   ``PostingsFormat`` short list (`DocCode = (doc − previous − 1) << 1 | (freq == 1)`). A term's
///   current document is written when the term is next seen in a later document (or at
///   ``closeDocuments()``), once its frequency is known.
/// - **Position stream**: per occurrence `delta:varint`, the position minus the previous position
///   of the term in the same document (so the first is the position itself), exactly the raw
///   ``PostingsFormat`` positions frame.
/// - **Term table**: open addressing over 64-bit keys for CJK terms and ASCII words of up to 7
///   bytes (the key is the term, so no comparison of bytes); words that do not pack are found by a
///   hash of their bytes and compared with the key bytes kept in ``keyBytes``. CJK character
///   presence terms are found by a direct table indexed by the character.
///
/// Not thread-safe; one per segment writer. Call ``release()`` once when done.
struct Inverter {
    struct Stream {
        var head: UInt32 = 0
        var tail: UInt32 = 0
        var end: UInt32 = 0
        var level: UInt8 = 0
    }

    struct TermState {
        /// The document whose entry is not written yet (`.max`: none yet).
        var lastDoc: UInt32 = .max
        var freq: UInt32 = 0
        /// `lastDoc − (previous document) − 1`.
        var pendingDelta: UInt32 = 0
        var lastPosition: UInt32 = 0
        var documentFrequency: UInt32 = 0
        var keyOffset: UInt32 = 0
        var keyLength: UInt16 = 0
        var hasPositions: Bool = true
        var docs = Stream()
        var positions = Stream()
    }

    private struct Slot {
        var key: UInt64
        var ordinal: Int32
    }

    static let pageShift: UInt32 = 20
    static let pageSize = 1 << 20
    static let maxPages = 4000
    static let sliceSizes: [Int] = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768]
    /// Characters below this have a direct presence slot (every CJK character, see ``Script``).
    static let presenceLimit = 0x32000

    private var pages: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    private var pageCount = 0
    private var pageUsed = 0

    private(set) var terms: UnsafeMutablePointer<TermState>
    private(set) var termCount = 0
    private var termCapacity = 0

    private var table: UnsafeMutablePointer<Slot>
    private var tableMask = 0
    private var longTable: UnsafeMutablePointer<Slot>
    private var longMask = 0
    private var longCount = 0
    private var presence: UnsafeMutablePointer<Int32>

    private(set) var keyBytes: UnsafeMutablePointer<UInt8>
    private var keyCount = 0
    private var keyCapacity = 0

    private var sliceSizeTable: UnsafeMutablePointer<UInt32>

    init() {
        pages = .allocate(capacity: Inverter.maxPages)
        termCapacity = 1 << 12
        terms = .allocate(capacity: termCapacity)
        tableMask = (1 << 13) - 1
        table = .allocate(capacity: tableMask + 1)
        table.initialize(repeating: Slot(key: 0, ordinal: 0), count: tableMask + 1)
        longMask = (1 << 10) - 1
        longTable = .allocate(capacity: longMask + 1)
        longTable.initialize(repeating: Slot(key: 0, ordinal: -1), count: longMask + 1)
        presence = .allocate(capacity: 2 * Inverter.presenceLimit)
        presence.initialize(repeating: -1, count: 2 * Inverter.presenceLimit)
        keyCapacity = 1 << 16
        keyBytes = .allocate(capacity: keyCapacity)
        sliceSizeTable = .allocate(capacity: Inverter.sliceSizes.count)
        for (i, s) in Inverter.sliceSizes.enumerated() { sliceSizeTable[i] = UInt32(s) }
        newPage()
        pageUsed = 16   // address 0 stays unused
    }

    mutating func release() {
        for p in 0 ..< pageCount { pages[p].deallocate() }
        pages.deallocate()
        terms.deallocate()
        table.deallocate()
        longTable.deallocate()
        presence.deallocate()
        keyBytes.deallocate()
        sliceSizeTable.deallocate()
        pageCount = 0
    }

    /// Bytes held: arena pages, term states, tables and keys.
    var memoryBytes: Int {
        pageCount * Inverter.pageSize + termCapacity * MemoryLayout<TermState>.stride
            + (tableMask + 1 + longMask + 1) * MemoryLayout<Slot>.stride
            + 2 * Inverter.presenceLimit * 4 + keyCapacity
    }

    /// The arena is close to its address limit: flush before adding more.
    var isFull: Bool { pageCount >= Inverter.maxPages - 8 }

    // MARK: - Arena

    private mutating func newPage() {
        precondition(pageCount < Inverter.maxPages, "inverter arena exhausted; flush earlier")
        pages[pageCount] = .allocate(capacity: Inverter.pageSize)
        pageCount += 1
        pageUsed = 0
    }

    @inline(__always)
    private func pointer(_ address: UInt32) -> UnsafeMutablePointer<UInt8> {
        pages[Int(address >> Inverter.pageShift)] + Int(address & UInt32(Inverter.pageSize - 1))
    }

    private mutating func allocate(_ size: Int) -> UInt32 {
        if pageUsed + size > Inverter.pageSize { newPage() }
        let a = UInt32(pageCount - 1) << Inverter.pageShift | UInt32(pageUsed)
        pageUsed += size
        return a
    }

    // MARK: - Streams

    @inline(__always)
    private mutating func write(_ v: UInt32, _ s: inout Stream) {
        if s.end &- s.tail >= 5 {
            var p = pointer(s.tail)
            var v = v
            let start = p
            while v >= 0x80 {
                p.pointee = UInt8(truncatingIfNeeded: v) | 0x80
                p += 1
                v >>= 7
            }
            p.pointee = UInt8(truncatingIfNeeded: v)
            s.tail &+= UInt32(p - start + 1)
            return
        }
        writeSlow(v, &s)
    }

    private mutating func writeSlow(_ v: UInt32, _ s: inout Stream) {
        var v = v
        while true {
            let byte = v >= 0x80 ? UInt8(truncatingIfNeeded: v) | 0x80 : UInt8(v)
            if s.head == 0 {
                let a = allocate(Int(sliceSizeTable[0]))
                s.head = a
                s.tail = a
                s.end = a + sliceSizeTable[0] - 4
                s.level = 0
            } else if s.tail == s.end {
                let level = min(Int(s.level) + 1, Inverter.sliceSizes.count - 1)
                let size = sliceSizeTable[level]
                let a = allocate(Int(size))
                let slot = UnsafeMutableRawPointer(pointer(s.end))
                slot.storeBytes(of: a.littleEndian, as: UInt32.self)
                s.tail = a
                s.end = a + size - 4
                s.level = UInt8(level)
            }
            pointer(s.tail).pointee = byte
            s.tail += 1
            if v < 0x80 { return }
            v >>= 7
        }
    }

    /// Calls `body` with a stream's bytes: in place when they lie in the first slice (most terms),
    /// else gathered into `scratch`.
    func withBytes<R>(_ s: Stream, scratch: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if s.head == 0 { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let capacity = UInt32(Inverter.sliceSizes[0]) - 4
        if s.tail >= s.head && s.tail <= s.head + capacity && (s.tail >> Inverter.pageShift) == (s.head >> Inverter.pageShift) {
            return try body(UnsafeBufferPointer(start: pointer(s.head), count: Int(s.tail - s.head)))
        }
        scratch.removeAll(keepingCapacity: true)
        read(s, into: &scratch)
        return try scratch.withUnsafeBufferPointer { try body($0) }
    }

    /// Copies a stream's bytes to the end of `out`.
    func read(_ s: Stream, into out: inout [UInt8]) {
        guard s.head != 0 else { return }
        var cur = s.head
        var level = 0
        while true {
            let capacity = UInt32(Inverter.sliceSizes[level]) - 4
            let p = pointer(cur)
            if s.tail >= cur && s.tail <= cur + capacity && (s.tail >> Inverter.pageShift) == (cur >> Inverter.pageShift) {
                out.append(contentsOf: UnsafeBufferPointer(start: p, count: Int(s.tail - cur)))
                return
            }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: Int(capacity)))
            cur = UInt32(littleEndian: UnsafeRawPointer(p + Int(capacity)).loadUnaligned(as: UInt32.self))
            level = min(level + 1, Inverter.sliceSizes.count - 1)
        }
    }

    // MARK: - Terms

    private mutating func newTerm(key: UnsafeRawBufferPointer, hasPositions: Bool) -> Int32 {
        if termCount == termCapacity {
            let bigger = UnsafeMutablePointer<TermState>.allocate(capacity: termCapacity * 2)
            bigger.moveInitialize(from: terms, count: termCount)
            terms.deallocate()
            terms = bigger
            termCapacity *= 2
        }
        if keyCount + key.count > keyCapacity {
            var c = keyCapacity * 2
            while keyCount + key.count > c { c *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
            bigger.update(from: keyBytes, count: keyCount)
            keyBytes.deallocate()
            keyBytes = bigger
            keyCapacity = c
        }
        (keyBytes + keyCount).update(from: key.bindMemory(to: UInt8.self).baseAddress!, count: key.count)
        var t = TermState()
        t.keyOffset = UInt32(keyCount)
        t.keyLength = UInt16(key.count)
        t.hasPositions = hasPositions
        (terms + termCount).initialize(to: t)
        keyCount += key.count
        termCount += 1
        return Int32(termCount - 1)
    }

    @inline(__always)
    private static func hash(_ key: UInt64) -> Int {
        var k = key ^ key >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        return Int(truncatingIfNeeded: k ^ k >> 33)
    }

    /// The ordinal of the term with this packed key (never 0), creating it with `makeKey` if new.
    @inline(__always)
    private mutating func ordinal(packed key: UInt64, hasPositions: Bool,
                                  _ makeKey: (inout [UInt8]) -> Void, scratch: inout [UInt8]) -> Int32 {
        var i = Inverter.hash(key) & tableMask
        while true {
            let k = table[i].key
            if k == key { return table[i].ordinal }
            if k == 0 { break }
            i = (i + 1) & tableMask
        }
        scratch.removeAll(keepingCapacity: true)
        makeKey(&scratch)
        let o = scratch.withUnsafeBytes { newTerm(key: $0, hasPositions: hasPositions) }
        table[i] = Slot(key: key, ordinal: o)
        if termCount * 2 > tableMask { growTable() }
        return o
    }

    private mutating func growTable() {
        let oldMask = tableMask, old = table
        tableMask = (oldMask + 1) * 2 - 1
        table = .allocate(capacity: tableMask + 1)
        table.initialize(repeating: Slot(key: 0, ordinal: 0), count: tableMask + 1)
        for j in 0 ... oldMask where old[j].key != 0 {
            var i = Inverter.hash(old[j].key) & tableMask
            while table[i].key != 0 { i = (i + 1) & tableMask }
            table[i] = old[j]
        }
        old.deallocate()
    }

    /// The ordinal of a term given by its key bytes (words that do not pack into 64 bits).
    private mutating func ordinal(bytes key: UnsafeRawBufferPointer) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        var i = Inverter.hash(h) & longMask
        while longTable[i].ordinal >= 0 {
            if longTable[i].key == h {
                let t = terms[Int(longTable[i].ordinal)]
                if Int(t.keyLength) == key.count && memcmp(keyBytes + Int(t.keyOffset), key.baseAddress!, key.count) == 0 {
                    return longTable[i].ordinal
                }
            }
            i = (i + 1) & longMask
        }
        let o = newTerm(key: key, hasPositions: true)
        longTable[i] = Slot(key: h, ordinal: o)
        longCount += 1
        if longCount * 2 > longMask {
            let oldMask = longMask, old = longTable
            longMask = (oldMask + 1) * 2 - 1
            longTable = .allocate(capacity: longMask + 1)
            longTable.initialize(repeating: Slot(key: 0, ordinal: -1), count: longMask + 1)
            for j in 0 ... oldMask where old[j].ordinal >= 0 {
                var k = Inverter.hash(old[j].key) & longMask
                while longTable[k].ordinal >= 0 { k = (k + 1) & longMask }
                longTable[k] = old[j]
            }
            old.deallocate()
        }
        return o
    }

    // MARK: - Occurrences

    /// Records one occurrence of term `o` in `doc` (documents arrive in increasing order).
    @inline(__always)
    private mutating func occurrence(_ o: Int32, _ doc: UInt32, position: UInt32) {
        let t = terms + Int(o)
        if t.pointee.lastDoc != doc {
            startDocument(t, doc)
        }
        t.pointee.freq &+= 1
        if t.pointee.hasPositions {
            write(position &- t.pointee.lastPosition, &t.pointee.positions)
            t.pointee.lastPosition = position
        }
    }

    private mutating func startDocument(_ t: UnsafeMutablePointer<TermState>, _ doc: UInt32) {
        let last = t.pointee.lastDoc
        if last != .max {
            writeDocument(t)
            t.pointee.pendingDelta = doc &- last &- 1
        } else {
            t.pointee.pendingDelta = doc
        }
        t.pointee.lastDoc = doc
        t.pointee.freq = 0
        t.pointee.lastPosition = 0
        t.pointee.documentFrequency &+= 1
    }

    @inline(__always)
    private mutating func writeDocument(_ t: UnsafeMutablePointer<TermState>) {
        let f = t.pointee.freq
        write(t.pointee.pendingDelta << 1 | (f == 1 ? 1 : 0), &t.pointee.docs)
        if f != 1 { write(f, &t.pointee.docs) }
    }

    /// Writes every term's pending document; call once, before reading the streams.
    mutating func closeDocuments() {
        for o in 0 ..< termCount where terms[o].lastDoc != .max {
            writeDocument(terms + o)
            terms[o].lastDoc = .max
        }
    }

    /// Tokens are resolved in groups of this many: first every group member's table slot is
    /// prefetched, then its term state, then the occurrences are recorded, so that the cache
    /// misses of a group overlap instead of following one another.
    static let group = 32

    /// The packed 64-bit key of a token, or 0 for a word that does not pack (found by its bytes).
    @inline(__always)
    private static func packedKey(_ t: Token, _ fieldBits: UInt64, _ sc: UnsafeBufferPointer<UInt32>) -> UInt64 {
        switch t.kind {
        case .bigram:
            return fieldBits | UInt64(t.first) << 21 | UInt64(t.second)
        case .runEnd:
            return fieldBits | 1 << 60 | UInt64(t.first) << 21
        case .word:
            let start = Int(t.start), end = Int(t.end)
            guard end - start <= 7 else { return 0 }
            var packed: UInt64 = 0
            for k in start ..< end {
                let c = sc[k]
                if c >= 0x80 { return 0 }
                packed = packed << 8 | UInt64(c)
            }
            // Words of up to 7 ASCII bytes (numbers, most English words).
            return fieldBits | 3 << 60 | packed
        }
    }

    /// Inverts one analyzed field of document `doc`.
    mutating func add(_ field: AnalyzedField, _ f: Field, doc: UInt32, scratch: inout [UInt8]) {
        let fieldBits = UInt64(f.rawValue) << 62
        let tag = TermKey.tag(f, presence: false)
        let presenceTag = TermKey.tag(f, presence: true)
        let presenceBase = presence + Int(f.rawValue) * Inverter.presenceLimit
        var keys = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var ords = (Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                    Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                    Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0),
                    Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0), Int32(0))
        field.text.scalars.withUnsafeBufferPointer { sc in
            field.tokens.withUnsafeBufferPointer { tokens in
                withUnsafeMutableBytes(of: &keys) { kr in
                    withUnsafeMutableBytes(of: &ords) { orr in
                        let key = kr.bindMemory(to: UInt64.self)
                        let ord = orr.bindMemory(to: Int32.self)
                        var g = 0
                        while g < tokens.count {
                            let n = min(Inverter.group, tokens.count - g)
                            for i in 0 ..< n {
                                let k = Inverter.packedKey(tokens[g + i], fieldBits, sc)
                                key[i] = k
                                if k != 0 { cjk_prefetch(table + (Inverter.hash(k) & tableMask)) }
                            }
                            for i in 0 ..< n {
                                let t = tokens[g + i]
                                let o: Int32
                                if key[i] != 0 {
                                    o = ordinal(packed: key[i], hasPositions: true, { k in
                                        k.append(tag)
                                        switch t.kind {
                                        case .bigram:
                                            UTF8Decoder.encode(t.first, into: &k); UTF8Decoder.encode(t.second, into: &k)
                                        case .runEnd:
                                            UTF8Decoder.encode(t.first, into: &k)
                                        case .word:
                                            for j in Int(t.start) ..< Int(t.end) { k.append(UInt8(sc[j])) }
                                        }
                                    }, scratch: &scratch)
                                } else {
                                    scratch.removeAll(keepingCapacity: true)
                                    scratch.append(tag)
                                    for j in Int(t.start) ..< Int(t.end) { UTF8Decoder.encode(sc[j], into: &scratch) }
                                    o = scratch.withUnsafeBytes { ordinal(bytes: $0) }
                                }
                                ord[i] = o
                                cjk_prefetch_write(terms + Int(o))
                            }
                            for i in 0 ..< n {
                                let t = tokens[g + i]
                                occurrence(ord[i], doc, position: t.position)
                                // Character presence: each CJK position's character, counted per
                                // document, no positions.
                                if t.kind != .word {
                                    let c = Int(t.first)
                                    precondition(c < Inverter.presenceLimit, "CJK character outside the presence table")
                                    var o = presenceBase[c]
                                    if o < 0 {
                                        scratch.removeAll(keepingCapacity: true)
                                        scratch.append(presenceTag)
                                        UTF8Decoder.encode(t.first, into: &scratch)
                                        o = scratch.withUnsafeBytes { newTerm(key: $0, hasPositions: false) }
                                        presenceBase[c] = o
                                    }
                                    let p = terms + Int(o)
                                    if p.pointee.lastDoc != doc { startDocument(p, doc) }
                                    p.pointee.freq &+= 1
                                }
                            }
                            g += n
                        }
                    }
                }
            }
        }
    }

    /// Decodes a varint the inverter wrote (trusted memory: no bounds checks beyond the buffer's).
    @inline(__always)
    static func varint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt32 {
        var v: UInt32 = 0, shift: UInt32 = 0
        while true {
            let byte = b[i]
            i += 1
            v |= UInt32(byte & 0x7F) << shift
            if byte < 0x80 { return v }
            shift += 7
        }
    }

    /// The key bytes of term `o`.
    func key(_ o: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: keyBytes + Int(terms[o].keyOffset), count: Int(terms[o].keyLength))
    }

    /// Term ordinals in increasing key order (unsigned bytes, lexicographic).
    func sortedOrdinals() -> [Int32] {
        var entries: [(prefix: UInt64, ordinal: Int32)] = []
        entries.reserveCapacity(termCount)
        for o in 0 ..< termCount {
            let k = key(o)
            var p: UInt64 = 0
            for j in 0 ..< 8 { p = p << 8 | UInt64(j < k.count ? k[j] : 0) }
            entries.append((p, Int32(o)))
        }
        entries.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            let ka = key(Int(a.ordinal)), kb = key(Int(b.ordinal))
            let n = min(ka.count, kb.count)
            let c = n == 0 ? 0 : memcmp(ka.baseAddress!, kb.baseAddress!, n)
            return c != 0 ? c < 0 : ka.count < kb.count
        }
        return entries.map(\.ordinal)
    }
}
