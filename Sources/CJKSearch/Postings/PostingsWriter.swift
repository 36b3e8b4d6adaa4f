/// Encodes one term's postings and positions at a time (see ``PostingsFormat``).
///
/// Call order: for each term in increasing term order, ``write(docs:freqs:positions:hasPositions:)``
/// or ``writeShortList(documentFrequency:documentBytes:positionBytes:hasPositions:)`` once; each
/// appends the term's postings and then its positions to ``out`` and returns the term's
/// ``TermInfo`` (offsets in the Postings section). The owner may move ``out``'s bytes to the file
/// at any time with ``drain(_:)``. A value type, so that its buffers are accessed without runtime
/// exclusivity checks in the per-posting loops. Reuses one zstd context and scratch buffers across terms.
struct PostingsWriter {
    private(set) var out = ByteWriter(capacity: 1 << 16)
    /// Bytes already handed out by ``drain()``.
    private(set) var drained = 0
    private let zstd = ZstdCompressor(level: 3)
    private var scratch: [UInt32] = []
    private var frame = ByteWriter(capacity: 4096)
    private var positions = ByteWriter(capacity: 4096)
    private var compressed: [UInt8] = []
    /// A frame's position values (per document, its first position and then the gaps), and a
    /// chunk packed.
    private var frameValues: [UInt32] = []
    private var packed: [UInt8] = []
    // Impacts scratch: least length per frequency below `smallFrequencies` (kept at .max between
    // blocks), pairs of larger frequencies, and the front found.
    private static let smallFrequencies = 64
    private var leastLength: [UInt32] = []
    private var largeFrequencies: [(UInt32, UInt32)] = []
    private var front: [(UInt32, UInt32)] = []

    init() {}

    /// The section offset of the next byte.
    var offset: Int { drained + out.count }

    /// Hands the buffered bytes to `sink` and clears the buffer.
    mutating func drain(_ sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try out.bytes.withUnsafeBytes { try sink($0) }
        drained += out.count
        out.removeAll()
    }

    /// A term of fewer than ``PostingsFormat/blockSize`` documents whose short list and raw
    /// position deltas are already encoded (as the ``Inverter`` keeps them).
    mutating func writeShortList(documentFrequency df: Int, documentBytes: UnsafeRawBufferPointer,
                        positionBytes: UnsafeRawBufferPointer, hasPositions: Bool) -> TermInfo {
        precondition(df > 0 && df < PostingsFormat.blockSize, "short list: 1..<128 documents")
        let start = offset
        out.append(documentBytes)
        let positionsStart = offset
        if hasPositions {
            frameValues.removeAll(keepingCapacity: true)
            var at = 0
            PostingsWriter.appendVarints(positionBytes, from: &at, count: .max, to: &frameValues)
            packFrame(toPositions: false)
        }
        return TermInfo(documentFrequency: df, postingsOffset: start, postingsLength: positionsStart - start,
                        positionsOffset: positionsStart, positionsLength: offset - positionsStart)
    }

    /// - Parameters:
    ///   - docs: strictly increasing document numbers.
    ///   - freqs: the term's frequency in each document (≥ 1).
    ///   - positions: for each document, `freq` strictly increasing positions, concatenated
    ///     (ignored when `hasPositions` is false).
    /// - Precondition: `docs.count == freqs.count > 0`.
    ///   - lengths: the term's field length in every document, for the blocks' impacts.
    /// - Precondition: `docs.count == freqs.count > 0`.
    mutating func write(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                        positions pos: UnsafeBufferPointer<UInt32>, hasPositions: Bool, lengths: FieldLengths) -> TermInfo {
        write(docs: docs, freqs: freqs, positions: .decoded(pos), hasPositions: hasPositions, lengths: lengths)
    }

    /// The same, with the positions already encoded as RawBytes (see ``PostingsFormat``): per
    /// document, its first position and then the gaps, as varints, as the ``Inverter`` keeps
    /// them. Each block's frame is then a slice of `rawPositions`, found by counting varints,
    /// instead of positions decoded and encoded again.
    mutating func write(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                        rawPositions: UnsafeRawBufferPointer, hasPositions: Bool, lengths: FieldLengths) -> TermInfo {
        write(docs: docs, freqs: freqs, positions: .raw(rawPositions), hasPositions: hasPositions, lengths: lengths)
    }

    private enum Positions {
        case decoded(UnsafeBufferPointer<UInt32>)
        case raw(UnsafeRawBufferPointer)
    }

    private mutating func write(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                                positions pos: Positions, hasPositions: Bool, lengths: FieldLengths) -> TermInfo {
        let df = docs.count
        precondition(df > 0 && freqs.count == df, "postings: docs and freqs must match and be non-empty")
        let postingsStart = offset
        positions.removeAll()
        var posIndex = 0
        if df < PostingsFormat.blockSize {
            var previous: Int64 = -1
            for i in 0 ..< df {
                let d = Int64(docs[i])
                precondition(d > previous, "postings: documents must increase")
                let code = UInt64(d - previous - 1) << 1 | (freqs[i] == 1 ? 1 : 0)
                out.varint(code)
                if freqs[i] != 1 { out.varint(freqs[i]) }
                previous = d
            }
            if hasPositions { writeFrame(freqs, 0 ..< df, pos, &posIndex) }
        } else {
            let blockCount = (df + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
            out.varint(blockCount)
            let skipStart = out.count
            out.append(contentsOf: repeatElement(0, count: blockCount * PostingsFormat.skipEntrySize))
            let impactsStart = out.count
            var impactEnds: [UInt32] = []
            impactEnds.reserveCapacity(blockCount)
            for b in 0 ..< blockCount {
                let lo = b * PostingsFormat.blockSize
                writeImpacts(docs, freqs, lo ..< min(df, lo + PostingsFormat.blockSize), lengths)
                impactEnds.append(UInt32(out.count - impactsStart))
            }
            let blocksStart = out.count
            var previous: Int64 = -1
            var skips = ByteWriter(capacity: blockCount * PostingsFormat.skipEntrySize)
            for b in 0 ..< blockCount {
                let lo = b * PostingsFormat.blockSize
                let hi = min(df, lo + PostingsFormat.blockSize)
                scratch.removeAll(keepingCapacity: true)
                var maxDelta: UInt32 = 0
                for i in lo ..< hi {
                    let d = Int64(docs[i])
                    precondition(d > previous, "postings: documents must increase")
                    let delta = UInt32(d - previous - 1)
                    maxDelta |= delta
                    scratch.append(delta)
                    previous = d
                }
                var maxFreq: UInt32 = 0
                for i in lo ..< hi {
                    precondition(freqs[i] >= 1, "postings: frequency must be at least 1")
                    maxFreq |= freqs[i] - 1
                    scratch.append(freqs[i] - 1)
                }
                let n = hi - lo
                let deltaBits = BitPacking.bitsNeeded(maxDelta)
                let freqBits = BitPacking.bitsNeeded(maxFreq)
                out.u8(UInt8(deltaBits))
                out.u8(UInt8(freqBits))
                packed.removeAll(keepingCapacity: true)
                scratch.withUnsafeBufferPointer { s in
                    BitPacking.pack(UnsafeBufferPointer(rebasing: s[0 ..< n]), bits: deltaBits, into: &packed)
                    BitPacking.pack(UnsafeBufferPointer(rebasing: s[n ..< 2 * n]), bits: freqBits, into: &packed)
                }
                out.append(packed)
                if hasPositions { writeFrame(freqs, lo ..< hi, pos, &posIndex) }
                skips.u32(docs[hi - 1])
                skips.u32(UInt32(out.count - blocksStart))
                skips.u32(UInt32(positions.count))
                skips.u32(impactEnds[b])
            }
            // Patch the skip table in place.
            out.replace(at: skipStart, with: skips.bytes)
        }
        let positionsStart = offset
        out.append(positions.bytes)
        return TermInfo(documentFrequency: df,
                        postingsOffset: postingsStart, postingsLength: positionsStart - postingsStart,
                        positionsOffset: positionsStart, positionsLength: positions.count)
    }

    /// Appends the Impacts of the documents `range` (see ``PostingsFormat``): the Pareto front of
    /// their (freq, length) pairs, found in one pass with the least length per small frequency.
    private mutating func writeImpacts(_ docs: UnsafeBufferPointer<UInt32>, _ freqs: UnsafeBufferPointer<UInt32>,
                                       _ range: Range<Int>, _ lengths: FieldLengths) {
        let small = PostingsWriter.smallFrequencies
        if leastLength.count < small { leastLength = Array(repeating: .max, count: small) }
        largeFrequencies.removeAll(keepingCapacity: true)
        var top = 0
        leastLength.withUnsafeMutableBufferPointer { least in
            for i in range {
                let f = Int(freqs[i]), l = lengths[docs[i]]
                if f < small {
                    if l < least[f] { least[f] = l }
                    if f > top { top = f }
                } else {
                    largeFrequencies.append((UInt32(f), l))
                }
            }
        }
        // Walk the frequencies down; a pair is on the front when its length is below every
        // length of a higher frequency.
        largeFrequencies.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        front.removeAll(keepingCapacity: true)
        var bound = UInt32.max
        for (f, l) in largeFrequencies where l < bound {
            front.append((f, l))
            bound = l
        }
        if top > 0 {
            for f in stride(from: top, through: 1, by: -1) {
                let l = leastLength[f]
                leastLength[f] = .max
                if l < bound {
                    front.append((UInt32(f), l))
                    bound = l
                }
            }
        }
        out.varint(front.count)
        var previousFreq: UInt32 = 0, previousLength: Int64 = -1
        for (f, l) in front.reversed() {
            out.varint(f - previousFreq - 1)
            out.varint(UInt64(Int64(l) - previousLength - 1))
            previousFreq = f
            previousLength = Int64(l)
        }
    }

    private mutating func writeFrame(_ freqs: UnsafeBufferPointer<UInt32>, _ range: Range<Int>,
                            _ positions: Positions, _ posIndex: inout Int) {
        frameValues.removeAll(keepingCapacity: true)
        var count = 0
        for i in range { count += Int(freqs[i]) }
        switch positions {
        case .raw(let raw):
            // posIndex is a byte offset here; the varints are already first positions and gaps.
            PostingsWriter.appendVarints(raw, from: &posIndex, count: count, to: &frameValues)
        case .decoded(let pos):
            for i in range {
                var previous: UInt32 = 0
                for k in 0 ..< Int(freqs[i]) {
                    let p = pos[posIndex]
                    posIndex += 1
                    if k == 0 {
                        frameValues.append(p)
                    } else {
                        precondition(p > previous, "positions must increase within a document")
                        frameValues.append(p - previous)
                    }
                    previous = p
                }
            }
        }
        packFrame(toPositions: true)
    }

    /// Decodes `count` varints (or all, to the end) of `raw` from byte `at` onto `values`.
    private static func appendVarints(_ raw: UnsafeRawBufferPointer, from at: inout Int, count: Int, to values: inout [UInt32]) {
        var n = count
        if n == .max {
            n = 0
            for i in at ..< raw.count where raw[i] < 0x80 { n += 1 }
        }
        let start = values.count
        values.append(contentsOf: repeatElement(0, count: n))
        var r = at
        values.withUnsafeMutableBufferPointer { out in
            for k in 0 ..< n {
                var v: UInt32 = 0, shift: UInt32 = 0
                while true {
                    precondition(r < raw.count && shift < 35, "positions: fewer varints than the frequencies say, or an overlong one")
                    let b = raw[r]
                    r &+= 1
                    v |= UInt32(b & 0x7F) &<< shift
                    if b < 0x80 { break }
                    shift &+= 7
                }
                out[start &+ k] = v
            }
        }
        at = r
    }

    /// Encodes ``frameValues`` as a frame's RawBytes: chunks of ``PostingsFormat/positionChunkSize``
    /// values, each a bit width and the values packed in it; then emits the frame.
    private mutating func packFrame(toPositions: Bool) {
        frame.removeAll()
        let size = PostingsFormat.positionChunkSize
        frameValues.withUnsafeBufferPointer { v in
            var lo = 0
            while lo < v.count {
                let hi = min(v.count, lo + size)
                var m: UInt32 = 0
                for i in lo ..< hi { m |= v[i] }
                let bits = BitPacking.bitsNeeded(m)
                frame.u8(UInt8(bits))
                packed.removeAll(keepingCapacity: true)
                BitPacking.pack(UnsafeBufferPointer(rebasing: v[lo ..< hi]), bits: bits, into: &packed)
                frame.append(packed)
                lo = hi
            }
        }
        emitFrame(toPositions: toPositions)
    }

    /// Appends ``frame`` as a PositionFrame, zstd when that pays and raw otherwise, to the term's
    /// positions (blocked terms) or straight to ``out`` (short lists).
    private mutating func emitFrame(toPositions: Bool) {
        var mode: UInt8 = 0
        if frame.count >= PostingsFormat.zstdMinimumBytes {
            compressed.removeAll(keepingCapacity: true)
            let n = frame.bytes.withUnsafeBytes { zstd.compress($0, appendingTo: &compressed) }
            if n < frame.count - frame.count / 8 { mode = 1 }
        }
        if toPositions {
            PostingsWriter.appendFrame(mode, frame, compressed, to: &positions)
        } else {
            PostingsWriter.appendFrame(mode, frame, compressed, to: &out)
        }
    }

    private static func appendFrame(_ mode: UInt8, _ frame: ByteWriter, _ compressed: [UInt8], to target: inout ByteWriter) {
        target.u8(mode)
        if mode == 1 {
            target.varint(frame.count)
            target.append(compressed)
        } else {
            target.append(frame.bytes)
        }
    }
}

/// A field's length in every document of a segment, as the norms hold them (two per document:
/// title, body), for the impacts of that field's terms; or, for tests, a function of the document.
struct FieldLengths {
    private let norms: UnsafeBufferPointer<UInt32>
    private let field: Int
    private let function: ((UInt32) -> UInt32)?

    init(norms: UnsafeBufferPointer<UInt32>, field: Field) {
        self.norms = norms
        self.field = Int(field.rawValue)
        function = nil
    }

    init(_ function: @escaping (UInt32) -> UInt32) {
        norms = UnsafeBufferPointer(start: nil, count: 0)
        field = 0
        self.function = function
    }

    @inline(__always)
    subscript(doc: UInt32) -> UInt32 {
        if let function { return function(doc) }
        return norms[Int(doc) &* 2 &+ field]
    }
}
