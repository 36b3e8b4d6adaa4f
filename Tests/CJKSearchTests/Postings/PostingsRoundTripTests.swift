import XCTest
@testable import CJKSearch

/// PostingsWriter → PostingsCursor round trips (short lists, block lists, raw and zstd position
/// frames, presence terms), BitPacking round trips, and decoding of corrupted bytes.
final class PostingsRoundTripTests: XCTestCase {

    // MARK: Helpers

    typealias SplitMix64 = SeededRandom

    enum PositionStyle: CustomStringConvertible {
        case none            // presence term: hasPositions false
        case compressible    // long, regular position lists: frames go through zstd
        case random          // large random gaps: frames stay raw
        var description: String {
            switch self { case .none: "presence"; case .compressible: "compressible"; case .random: "random" }
        }
    }

    /// One term's postings as plain arrays (the oracle).
    struct TermData {
        var docs: [UInt32] = []
        var freqs: [UInt32] = []
        var positions: [[UInt32]] = []
        var hasPositions: Bool
        var documentCount: Int = 0
        var label: String

        var flatPositions: [UInt32] { positions.flatMap { $0 } }

        /// The field length of a document, for impacts: a deterministic spread.
        static func length(_ d: UInt32) -> UInt32 {
            let h = (d &* 2_654_435_761) >> 7
            return h % 997 + d % 3
        }

        /// The Pareto front of (freq, length) over the documents `range`, by brute force.
        func front(_ range: Range<Int>) -> [[Int]] {
            let pairs = range.map { (Int(freqs[$0]), Int(TermData.length(docs[$0]))) }
            var out = Set<[Int]>()
            for p in pairs where !pairs.contains(where: { q in q.0 >= p.0 && q.1 <= p.1 && (q.0, q.1) != (p.0, p.1) }) {
                out.insert([p.0, p.1])
            }
            return out.sorted { $0[0] < $1[0] }
        }

        /// Index of the first document ≥ target, or docs.count.
        func lowerBound(_ target: Int64) -> Int {
            var lo = 0, hi = docs.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int64(docs[mid]) < target { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    static func makeTerm(count: Int, maxGap: UInt32, maxFreq: UInt32, style: PositionStyle,
                         rng: inout SplitMix64) -> TermData {
        var t = TermData(hasPositions: style != .none, label: "n=\(count) gap<\(maxGap) freq≤\(maxFreq) \(style)")
        var doc: Int64 = -1
        for _ in 0 ..< count {
            doc += 1 + Int64(UInt32.random(in: 0 ..< maxGap, using: &rng))
            t.docs.append(UInt32(doc))
            let f: UInt32
            switch style {
            case .compressible: f = maxFreq   // every document alike: highly repetitive frames
            default: f = UInt32.random(in: 1 ... maxFreq, using: &rng)
            }
            t.freqs.append(f)
            var ps: [UInt32] = []
            switch style {
            case .none: break
            case .compressible:
                for k in 0 ..< f { ps.append(k * 3) }
            case .random:
                var p = UInt32.random(in: 0 ..< 1 << 20, using: &rng)
                for _ in 0 ..< f {
                    ps.append(p)
                    p += UInt32.random(in: 1 ..< 1 << 21, using: &rng)
                }
            }
            t.positions.append(ps)
        }
        t.documentCount = Int(doc) + 1 + Int.random(in: 0 ..< 3, using: &rng)
        return t
    }

    /// Writes `terms` one after another with one PostingsWriter.
    static func write(_ terms: [TermData]) -> (infos: [TermInfo], postings: [UInt8], positions: [UInt8]) {
        var w = PostingsWriter()
        var infos: [TermInfo] = []
        for t in terms {
            let flat = t.flatPositions
            let info = t.docs.withUnsafeBufferPointer { d in
                t.freqs.withUnsafeBufferPointer { f in
                    flat.withUnsafeBufferPointer { p in
                        w.write(docs: d, freqs: f, positions: p, hasPositions: t.hasPositions,
                                lengths: FieldLengths(TermData.length))
                    }
                }
            }
            infos.append(info)
        }
        // Version 2: a term's positions follow its postings in the one Postings section.
        return (infos, w.out.bytes, w.out.bytes)
    }

    /// A short list written from pre-encoded bytes (as the inverter hands them over) is the same
    /// bytes as one written from arrays.
    func testShortListFromEncodedBytesMatchesArrays() {
        for t in PostingsRoundTripTests.allTerms(seed: 5) where t.docs.count < PostingsFormat.blockSize {
            var docBytes = ByteWriter(), positionBytes = ByteWriter()
            var previous: Int64 = -1
            for (i, d) in t.docs.enumerated() {
                docBytes.varint(UInt64(Int64(d) - previous - 1) << 1 | (t.freqs[i] == 1 ? 1 : 0))
                if t.freqs[i] != 1 { docBytes.varint(t.freqs[i]) }
                previous = Int64(d)
                if t.hasPositions {
                    var last: UInt32 = 0
                    for p in t.positions[i] { positionBytes.varint(p - last); last = p }
                }
            }
            var w = PostingsWriter()
            let info = docBytes.bytes.withUnsafeBytes { d in
                positionBytes.bytes.withUnsafeBytes { p in
                    w.writeShortList(documentFrequency: t.docs.count, documentBytes: d, positionBytes: p, hasPositions: t.hasPositions)
                }
            }
            let (wantInfos, want, _) = PostingsRoundTripTests.write([t])
            XCTAssertEqual(info, wantInfos[0])
            XCTAssertEqual(w.out.bytes, want)
        }
    }

    /// Each block's impacts are exactly the Pareto front of its documents' (freq, length).
    func testImpactsAreEachBlocksParetoFront() throws {
        var blocks = 0
        for t in PostingsRoundTripTests.allTerms(seed: 9) where t.docs.count >= PostingsFormat.blockSize {
            let (infos, postings, positions) = PostingsRoundTripTests.write([t])
            try Self.withCursor(infos[0], postings, positions, documentCount: t.documentCount, hasPositions: t.hasPositions) { c in
                XCTAssertTrue(c.hasImpacts)
                XCTAssertEqual(c.blocks, (t.docs.count + 127) / 128)
                for b in 0 ..< c.blocks {
                    var got: [[Int]] = []
                    try c.forEachImpact(ofBlock: b) { got.append([$0, $1]) }
                    let range = b * 128 ..< min(t.docs.count, b * 128 + 128)
                    XCTAssertEqual(got, t.front(range), "\(t.label) block \(b)")
                    XCTAssertEqual(try c.lastDocument(ofBlock: b), Int32(t.docs[range.upperBound - 1]))
                    blocks += 1
                }
                // block(containing:) agrees with a linear scan.
                for target in stride(from: Int32(0), through: Int32(t.documentCount), by: max(1, t.documentCount / 97)) {
                    let want = (0 ..< c.blocks).first { Int32(t.docs[min(t.docs.count, $0 * 128 + 128) - 1]) >= target } ?? c.blocks
                    XCTAssertEqual(try c.block(containing: target), want, "\(t.label) target \(target)")
                }
            }
        }
        XCTAssertGreaterThan(blocks, 20)
    }

    /// The impacts of the worked example in ``PostingsFormat``.
    func testImpactsWorkedExample() throws {
        var t = TermData(hasPositions: false, label: "impacts example")
        // 128 documents: 0..<124 with (freq 1, length 500), then the example's four.
        t.documentCount = 128
        t.docs = (0 ..< 128).map { UInt32($0) }
        t.freqs = Array(repeating: 1, count: 124) + [1, 3, 2, 1]
        t.positions = Array(repeating: [], count: 128)
        var norms = [UInt32](repeating: 0, count: 256)
        for d in 0 ..< 124 { norms[2 * d + 1] = 500 }
        for (i, l) in [40, 200, 90, 35].enumerated() { norms[2 * (124 + i) + 1] = UInt32(l) }
        var w = PostingsWriter()
        _ = t.docs.withUnsafeBufferPointer { d in
            t.freqs.withUnsafeBufferPointer { f in
                norms.withUnsafeBufferPointer { n in
                    w.write(docs: d, freqs: f, positions: UnsafeBufferPointer(start: nil, count: 0), hasPositions: false,
                            lengths: FieldLengths(norms: n, field: .body))
                }
            }
        }
        // BlockCount 01, one 16-byte skip entry, then the Impacts.
        XCTAssertEqual(Array(w.out.bytes[17 ..< 24]), [0x03, 0x00, 0x23, 0x00, 0x36, 0x00, 0x6D])
    }

    /// Impacts with gaps too large for 32 bits are reported as corrupt (an earlier reader added
    /// them and trapped on the overflow).
    func testImpactsWithHugeGapsThrow() throws {
        var rng = SplitMix64(seed: 13)
        let t = Self.makeTerm(count: 128, maxGap: 3, maxFreq: 3, style: .none, rng: &rng)
        let (infos, postings, positions) = Self.write([t])
        // BlockCount 01, one 16-byte skip entry (ImpactsEnd at bytes 13–16), then ImpactCount
        // and the first FreqGap; the impacts made 10 bytes longer so the gap lies inside them.
        for at in [18, 19] {
            var p = postings
            let end = UInt32(p[13]) | UInt32(p[14]) << 8 | UInt32(p[15]) << 16 | UInt32(p[16]) << 24
            XCTAssertGreaterThanOrEqual(end, 3)
            withUnsafeBytes(of: (end + 10).littleEndian) { for k in 0 ..< 4 { p[13 + k] = $0[k] } }
            for k in 0 ..< 9 { p[at + k] = 0xFF }
            p[at + 9] = 0x01
            let error = try Self.withCursor(infos[0], p, positions, documentCount: t.documentCount, hasPositions: false) { c -> SearchError? in
                do {
                    try c.forEachImpact(ofBlock: 0) { _, _ in }
                    return nil
                } catch let e as SearchError { return e }
            }
            XCTAssertEqual(error?.code, .corrupt, "a 64-bit gap at byte \(at)")
        }
    }

    /// Opens a cursor over the given bytes for the duration of `body`.
    static func withCursor<R>(_ info: TermInfo, _ postings: [UInt8], _ positions: [UInt8], documentCount: Int,
                              hasPositions: Bool, decompressor: ZstdDecompressor = ZstdDecompressor(),
                              _ body: (PostingsCursor) throws -> R) throws -> R {
        try postings.withUnsafeBytes { pb in
            try positions.withUnsafeBytes { qb in
                let cursor = try PostingsCursor(info: info, postings: ByteReader(pb, path: "postings"),
                                                positions: ByteReader(qb, path: "positions"),
                                                documentCount: documentCount, hasPositions: hasPositions,
                                                decompressor: decompressor)
                return try body(cursor)
            }
        }
    }

    /// The mode byte of the term's first positions frame (0 raw, 1 zstd), nil for presence terms.
    static func firstFrameMode(_ info: TermInfo, _ positions: [UInt8]) -> UInt8? {
        info.positionsLength == 0 ? nil : positions[info.positionsOffset]
    }

    /// Every (count, gap, freq, style) combination the round-trip tests use.
    static func allTerms(seed: UInt64) -> [TermData] {
        var rng = SplitMix64(seed: seed)
        var terms: [TermData] = []
        let counts = [1, 2, 127, 128, 129, 255, 256, 257, 259, 1000]
        for n in counts {
            // dense (delta 0 → 0 bits), all frequencies 1 (0 bits), presence
            terms.append(makeTerm(count: n, maxGap: 1, maxFreq: 1, style: .none, rng: &rng))
            // moderate gaps, small random frequencies, presence
            terms.append(makeTerm(count: n, maxGap: 50, maxFreq: 4, style: .none, rng: &rng))
            // large gaps, random positions (raw frames)
            terms.append(makeTerm(count: n, maxGap: 100_000, maxFreq: 6, style: .random, rng: &rng))
            // small gaps, long repetitive position lists (zstd frames)
            terms.append(makeTerm(count: n, maxGap: 8, maxFreq: 40, style: .compressible, rng: &rng))
            // frequency 1 with positions
            terms.append(makeTerm(count: n, maxGap: 3, maxFreq: 1, style: .random, rng: &rng))
        }
        return terms
    }

    // MARK: Round trips

    func testNextVisitsEveryDocumentWithFrequencyAndPositions() throws {
        let terms = Self.allTerms(seed: 1)
        let (infos, postings, positions) = Self.write(terms)
        var sawRaw = false, sawZstd = false
        let decompressor = ZstdDecompressor()   // shared across cursors, as in a search
        for (t, info) in zip(terms, infos) {
            XCTAssertEqual(info.documentFrequency, t.docs.count, t.label)
            if !t.hasPositions { XCTAssertEqual(info.positionsLength, 0, "presence term has no positions: \(t.label)") }
            switch Self.firstFrameMode(info, positions) {
            case 0: sawRaw = true
            case 1: sawZstd = true
            default: break
            }
            try Self.withCursor(info, postings, positions, documentCount: t.documentCount,
                                hasPositions: t.hasPositions, decompressor: decompressor) { c in
                XCTAssertEqual(c.doc, -1, "before the first next(): \(t.label)")
                for i in 0 ..< t.docs.count {
                    let d = try c.next()
                    guard d == Int32(t.docs[i]) else {
                        XCTFail("doc \(i): got \(d), expected \(t.docs[i]) — \(t.label)"); return
                    }
                    XCTAssertEqual(c.doc, d)
                    XCTAssertEqual(c.frequency, Int(t.freqs[i]), "freq of doc \(i) — \(t.label)")
                    if t.hasPositions {
                        XCTAssertEqual(Array(try c.positions()), t.positions[i], "positions of doc \(i) — \(t.label)")
                    }
                }
                XCTAssertEqual(try c.next(), PostingsCursor.noMoreDocs, "exhausted: \(t.label)")
                XCTAssertEqual(try c.next(), PostingsCursor.noMoreDocs, "stays exhausted: \(t.label)")
                XCTAssertEqual(try c.advance(to: 0), PostingsCursor.noMoreDocs, "advance after the end: \(t.label)")
            }
        }
        XCTAssertTrue(sawRaw, "some position frames are raw")
        XCTAssertTrue(sawZstd, "some position frames are zstd-compressed")
    }

    func testFrameModes() throws {
        // Row: term shape → expected mode byte of the first positions frame.
        var rng = SplitMix64(seed: 7)
        let table: [(term: TermData, mode: UInt8, note: String)] = [
            (Self.makeTerm(count: 3, maxGap: 5, maxFreq: 2, style: .random, rng: &rng), 0, "under 128 raw bytes: raw"),
            (Self.makeTerm(count: 100, maxGap: 5, maxFreq: 40, style: .compressible, rng: &rng), 1, "long repetitive short list: zstd"),
            (Self.makeTerm(count: 300, maxGap: 5, maxFreq: 40, style: .compressible, rng: &rng), 1, "long repetitive block list: zstd"),
            (Self.makeTerm(count: 300, maxGap: 5, maxFreq: 8, style: .random, rng: &rng), 0, "random 3-byte deltas: zstd saves too little, raw"),
        ]
        let (infos, _, positions) = Self.write(table.map(\.term))
        for (row, info) in zip(table, infos) {
            XCTAssertEqual(Self.firstFrameMode(info, positions), row.mode, row.note)
        }
    }

    func testAdvanceToRandomTargets() throws {
        let terms = Self.allTerms(seed: 2)
        let (infos, postings, positions) = Self.write(terms)
        var rng = SplitMix64(seed: 99)
        for (t, info) in zip(terms, infos) {
            for round in 0 ..< 4 {
                try Self.withCursor(info, postings, positions, documentCount: t.documentCount, hasPositions: t.hasPositions) { c in
                    var current: Int64 = -1
                    var steps = 0
                    while steps < 200 {
                        steps += 1
                        let last = Int64(t.docs.last!)
                        let curIndex = current < 0 ? -1 : t.lowerBound(current)
                        let target: Int64
                        switch Int.random(in: 0 ..< 8, using: &rng) {
                        case 0:   // equal to the current document (no move)
                            target = max(current, 0)
                        case 1:   // the next document number
                            target = current + 1
                        case 2:   // inside the gap before a later document
                            let j = min(t.docs.count - 1, curIndex + 1 + Int.random(in: 0 ..< 300, using: &rng))
                            let lo = j == 0 ? 0 : Int64(t.docs[j - 1]) + 1
                            let hi = Int64(t.docs[j])
                            target = lo >= hi ? hi : Int64.random(in: lo ... hi, using: &rng)
                        case 3:   // exactly a later document
                            let j = min(t.docs.count - 1, curIndex + 1 + Int.random(in: 0 ..< 200, using: &rng))
                            target = Int64(t.docs[j])
                        case 4:   // beyond the end
                            target = round == 0 ? last + 1 : last + 1 + Int64.random(in: 0 ..< 1000, using: &rng)
                        case 5:   // below the current document
                            target = current <= 0 ? 0 : Int64.random(in: 0 ..< current, using: &rng)
                        case 6:   // a mix with next()
                            let got = try c.next()
                            let k = curIndex + 1
                            let expected = k < t.docs.count ? Int32(t.docs[k]) : PostingsCursor.noMoreDocs
                            XCTAssertEqual(got, expected, "next() after advance — \(t.label)")
                            if got == PostingsCursor.noMoreDocs { return }
                            current = Int64(got)
                            continue
                        default:  // anywhere ahead
                            target = current + 1 + Int64.random(in: 0 ..< 5000, using: &rng)
                        }
                        let got = try c.advance(to: Int32(clamping: target))
                        let expected: Int32
                        if current >= target && current >= 0 {
                            expected = Int32(current)
                        } else {
                            let k = t.lowerBound(target)
                            expected = k < t.docs.count ? Int32(t.docs[k]) : PostingsCursor.noMoreDocs
                        }
                        guard got == expected else {
                            XCTFail("advance(to: \(target)) from \(current) = \(got), expected \(expected) — \(t.label)")
                            return
                        }
                        if got == PostingsCursor.noMoreDocs { return }
                        current = Int64(got)
                        let k = t.lowerBound(current)
                        XCTAssertEqual(c.frequency, Int(t.freqs[k]), "freq after advance — \(t.label)")
                        if t.hasPositions && Bool.random(using: &rng) {
                            XCTAssertEqual(Array(try c.positions()), t.positions[k], "positions after advance — \(t.label)")
                        }
                    }
                }
            }
        }
    }

    func testAdvanceBeyondEndAndToLastDocument() throws {
        var rng = SplitMix64(seed: 5)
        let terms = [1, 127, 128, 129, 1000].map { Self.makeTerm(count: $0, maxGap: 20, maxFreq: 3, style: .random, rng: &rng) }
        let (infos, postings, positions) = Self.write(terms)
        for (t, info) in zip(terms, infos) {
            let last = Int32(t.docs.last!)
            // Row: targets applied in order → expected results.
            let table: [(targets: [Int32], expected: [Int32], note: String)] = [
                ([last], [last], "straight to the last document"),
                ([last + 1], [PostingsCursor.noMoreDocs], "one past the last document"),
                ([Int32.max - 1], [PostingsCursor.noMoreDocs], "far beyond the end"),
                ([0, 0], [Int32(t.docs[0]), Int32(t.docs[0])], "first document twice"),
                ([last, last + 1, 0], [last, PostingsCursor.noMoreDocs, PostingsCursor.noMoreDocs], "exhausted stays exhausted"),
            ]
            for row in table {
                try Self.withCursor(info, postings, positions, documentCount: t.documentCount, hasPositions: true) { c in
                    for (target, expected) in zip(row.targets, row.expected) {
                        XCTAssertEqual(try c.advance(to: target), expected, "\(row.note) — \(t.label)")
                    }
                }
            }
        }
    }

    func testPositionsForRandomDocumentsInRandomOrder() throws {
        var rng = SplitMix64(seed: 3)
        let terms = [
            Self.makeTerm(count: 100, maxGap: 4, maxFreq: 9, style: .random, rng: &rng),
            Self.makeTerm(count: 300, maxGap: 4, maxFreq: 9, style: .random, rng: &rng),
            Self.makeTerm(count: 300, maxGap: 4, maxFreq: 40, style: .compressible, rng: &rng),
            Self.makeTerm(count: 1000, maxGap: 4, maxFreq: 12, style: .random, rng: &rng),
            // Documents of up to 600 positions: one document spans up to six 128-value chunks,
            // and a frame up to hundreds (short list and blocks).
            Self.makeTerm(count: 90, maxGap: 3, maxFreq: 600, style: .random, rng: &rng),
            Self.makeTerm(count: 260, maxGap: 3, maxFreq: 600, style: .random, rng: &rng),
        ]
        let (infos, postings, positions) = Self.write(terms)
        let decompressor = ZstdDecompressor()
        for (t, info) in zip(terms, infos) {
            // A fresh cursor per document, documents in random order: each lands somewhere inside a block.
            var order = Array(0 ..< t.docs.count)
            order.shuffle(using: &rng)
            for i in order.prefix(60) {
                try Self.withCursor(info, postings, positions, documentCount: t.documentCount,
                                    hasPositions: true, decompressor: decompressor) { c in
                    XCTAssertEqual(try c.advance(to: Int32(t.docs[i])), Int32(t.docs[i]))
                    XCTAssertEqual(Array(try c.positions()), t.positions[i], "doc index \(i) — \(t.label)")
                }
            }
            // One cursor: positions() for a random subset of documents, sometimes twice in a row.
            try Self.withCursor(info, postings, positions, documentCount: t.documentCount,
                                hasPositions: true, decompressor: decompressor) { c in
                for i in 0 ..< t.docs.count {
                    XCTAssertEqual(try c.next(), Int32(t.docs[i]))
                    guard Int.random(in: 0 ..< 4, using: &rng) == 0 else { continue }
                    XCTAssertEqual(Array(try c.positions()), t.positions[i], "doc index \(i) — \(t.label)")
                    if Bool.random(using: &rng) {
                        XCTAssertEqual(Array(try c.positions()), t.positions[i], "again, doc index \(i) — \(t.label)")
                    }
                }
            }
        }
    }

    func testWorkedExampleFromTheFormatDocumentation() throws {
        // Documents 3, 4, 10 with frequencies 1, 2, 1 and positions [7], [1, 9], [0].
        let t = TermData(docs: [3, 4, 10], freqs: [1, 2, 1], positions: [[7], [1, 9], [0]], hasPositions: true,
                         documentCount: 11, label: "worked example")
        let (infos, section, _) = Self.write([t])
        // The postings, then the positions right after them.
        // Positions: a raw frame, one chunk of the values 7 | 1, 8 | 0 in 4 bits.
        XCTAssertEqual(section, [0x07, 0x00, 0x02, 0x0B] + [0x00, 0x04, 0x17, 0x08])
        XCTAssertEqual(infos[0], TermInfo(documentFrequency: 3, postingsOffset: 0, postingsLength: 4,
                                          positionsOffset: 4, positionsLength: 4))
    }

    func testBlockListLayout() throws {
        // 300 documents: 3 blocks (128 + 128 + 44), 3 skip entries of 16 bytes.
        var rng = SplitMix64(seed: 11)
        let t = Self.makeTerm(count: 300, maxGap: 10, maxFreq: 3, style: .random, rng: &rng)
        let (infos, postings, _) = Self.write([t])
        XCTAssertEqual(postings[0], 3, "block count varint")
        try postings.withUnsafeBytes { b in
            var r = ByteReader(b, path: "postings")
            _ = try r.varint()
            for (block, lastIndex) in [127, 255, 299].enumerated() {
                XCTAssertEqual(try r.u32(), t.docs[lastIndex], "skip entry \(block) last document")
                _ = try r.u32(); _ = try r.u32(); _ = try r.u32()
            }
        }
        XCTAssertEqual(infos[0].documentFrequency, 300)
    }

    // MARK: BitPacking

    func testBitPackingRoundTripEveryWidth() {
        var rng = SplitMix64(seed: 4)
        for bits in 0 ... 32 {
            for count in [1, 7, 128] {
                let maxValue: UInt32 = bits == 0 ? 0 : bits == 32 ? .max : (1 << UInt32(bits)) - 1
                var values = (0 ..< count).map { _ in UInt32.random(in: 0 ... maxValue, using: &rng) }
                values[count - 1] = maxValue      // the widest value is present
                if count > 1 { values[0] = 0 }
                XCTAssertEqual(BitPacking.bitsNeeded(values.reduce(0, |)), bits == 0 ? 0 : bits, "bitsNeeded, \(bits) bits")
                var packed: [UInt8] = []
                values.withUnsafeBufferPointer { BitPacking.pack($0, bits: bits, into: &packed) }
                XCTAssertEqual(packed.count, BitPacking.byteCount(count: count, bits: bits), "\(bits) bits × \(count)")
                var unpacked = [UInt32](repeating: 0xDEAD_BEEF, count: count)
                // Unpack from an exactly sized buffer (a copy, so nothing beyond it is readable by accident).
                let exact = UnsafeMutableRawPointer.allocate(byteCount: max(packed.count, 1), alignment: 1)
                defer { exact.deallocate() }
                packed.withUnsafeBytes { if $0.count > 0 { exact.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
                unpacked.withUnsafeMutableBufferPointer {
                    BitPacking.unpack(UnsafeRawPointer(exact), count: count, bits: bits, into: $0.baseAddress!)
                }
                XCTAssertEqual(unpacked, values, "\(bits) bits × \(count)")
                // With an addend (how frequencies get their + 1), wrapping at 32 bits.
                unpacked.withUnsafeMutableBufferPointer {
                    BitPacking.unpack(UnsafeRawPointer(exact), count: count, bits: bits, into: $0.baseAddress!, adding: 1)
                }
                XCTAssertEqual(unpacked, values.map { $0 &+ 1 }, "\(bits) bits × \(count), + 1")
            }
        }
    }

    /// Gaps unpacked straight into documents (a running total of gap + 1 in 64 bits) equal a
    /// scalar reference for every width and for counts around the groups of 8, gaps of 2^32 − 1
    /// included (their sum passes 32 bits: the output keeps the low 32, the total does not wrap).
    func testUnpackDocumentsEveryWidth() {
        var rng = SplitMix64(seed: 12)
        for bits in 0 ... 32 {
            for count in [1, 7, 8, 9, 63, 127, 128] {
                let maxValue: UInt32 = bits == 0 ? 0 : bits == 32 ? .max : (1 << UInt32(bits)) - 1
                var gaps = (0 ..< count).map { _ in UInt32.random(in: 0 ... maxValue, using: &rng) }
                gaps[count - 1] = maxValue
                var packed: [UInt8] = []
                gaps.withUnsafeBufferPointer { BitPacking.pack($0, bits: bits, into: &packed) }
                let previous = Int64(Int.random(in: -1 ... 1000, using: &rng))
                var expected: [UInt32] = []
                var total = previous
                for g in gaps {
                    total += Int64(g) + 1
                    expected.append(UInt32(truncatingIfNeeded: total))
                }
                let exact = UnsafeMutableRawPointer.allocate(byteCount: max(packed.count, 1), alignment: 1)
                defer { exact.deallocate() }
                packed.withUnsafeBytes { if $0.count > 0 { exact.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
                var docs = [UInt32](repeating: 0, count: count)
                let last = docs.withUnsafeMutableBufferPointer {
                    BitPacking.unpackDocuments(UnsafeRawPointer(exact), count: count, bits: bits, into: $0.baseAddress!, after: previous)
                }
                XCTAssertEqual(docs, expected, "\(bits) bits × \(count)")
                XCTAssertEqual(last, total, "\(bits) bits × \(count): last")
                // With readable bytes after the packed ones (set bits, which must be ignored): the
                // last groups are read in place. The output has room for whole groups.
                let padded = packed + [UInt8](repeating: 0xFF, count: 40)
                var docs2 = [UInt32](repeating: 0, count: (count + 7) / 8 * 8)
                let last2 = padded.withUnsafeBytes { raw in
                    docs2.withUnsafeMutableBufferPointer {
                        BitPacking.unpackDocuments(raw.baseAddress!, count: count, bits: bits, into: $0.baseAddress!,
                                                   after: previous, readable: padded.count)
                    }
                }
                XCTAssertEqual(Array(docs2.prefix(count)), expected, "\(bits) bits × \(count), in place")
                XCTAssertEqual(last2, total, "\(bits) bits × \(count), in place: last")
                var values2 = [UInt32](repeating: 0, count: (count + 7) / 8 * 8)
                padded.withUnsafeBytes { raw in
                    values2.withUnsafeMutableBufferPointer {
                        BitPacking.unpack(raw.baseAddress!, count: count, bits: bits, into: $0.baseAddress!, adding: 1, readable: padded.count)
                    }
                }
                XCTAssertEqual(Array(values2.prefix(count)), gaps.map { $0 &+ 1 }, "\(bits) bits × \(count), in place, + 1")
            }
        }
    }

    /// The search inside a decoded block (a linear probe, then the branch-free binary search of
    /// CKernels) against a linear scan, for every start, end and target over runs with gaps.
    func testFirstIndexInBlockAgreesWithALinearScan() {
        var rng = SplitMix64(seed: 9)
        for n in [1, 2, 5, 8, 33, 128] {
            var docs: [UInt32] = []
            var d: UInt32 = UInt32.random(in: 0 ... 3, using: &rng)
            for _ in 0 ..< n {
                docs.append(d)
                d += UInt32.random(in: 1 ... 4, using: &rng)
            }
            docs.withUnsafeMutableBufferPointer { p in
                for from in 0 ... n {
                    for end in from ... n {
                        for target in 0 ... d + 1 {
                            var expected = from
                            while expected < end && p[expected] < target { expected += 1 }
                            XCTAssertEqual(PostingsCursor.firstIndex(p.baseAddress!, from: from, below: end, notBelow: target),
                                           expected, "n=\(n) from=\(from) end=\(end) target=\(target)")
                        }
                    }
                }
            }
        }
    }

    func testBitPackingKnownBytes() {
        // Row: values, bits → packed bytes (low bits first).
        let table: [(values: [UInt32], bits: Int, bytes: [UInt8], note: String)] = [
            ([1, 0, 1, 1], 1, [0b1101], "one bit each"),
            ([3, 1], 2, [0b0111], "two bits each"),
            ([0xF, 0x1], 4, [0x1F], "nibbles, first value in the low nibble"),
            ([0x1FF], 9, [0xFF, 0x01], "nine bits span two bytes"),
            ([0xFFFF_FFFF, 1], 32, [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00], "32 bits little endian"),
            ([5, 5, 5], 0, [], "zero bits: nothing written"),
        ]
        for row in table {
            var packed: [UInt8] = []
            row.values.withUnsafeBufferPointer { BitPacking.pack($0, bits: row.bits, into: &packed) }
            XCTAssertEqual(packed, row.bytes, row.note)
        }
    }

    // MARK: Corruption

    /// Decodes a term completely (next, frequency, positions) and, with a second cursor, with advance(to:).
    /// Returns normally or throws; any SearchError is acceptable, a trap is not.
    static func decodeFully(_ info: TermInfo, _ postings: [UInt8], _ positions: [UInt8], documentCount: Int,
                            hasPositions: Bool, useAdvance: Bool, rng: inout SplitMix64) throws {
        var firstError: SearchError?
        do {
            try withCursor(info, postings, positions, documentCount: documentCount, hasPositions: hasPositions) { c in
                var n = 0
                while try c.next() != PostingsCursor.noMoreDocs {
                    n += 1
                    XCTAssertGreaterThanOrEqual(c.frequency, 1)
                    if hasPositions { _ = try c.positions() }
                }
                XCTAssertLessThanOrEqual(n, info.documentFrequency)
            }
        } catch let e as SearchError {
            firstError = e   // still try advance(to:), which takes other paths (skip entries)
        }
        if useAdvance {
            var targets: [Int32] = []
            for _ in 0 ..< 8 { targets.append(Int32.random(in: 0 ..< Int32(documentCount + 10), using: &rng)) }
            targets.sort()
            try withCursor(info, postings, positions, documentCount: documentCount, hasPositions: hasPositions) { c in
                for target in targets {
                    let d = try c.advance(to: target)
                    if d == PostingsCursor.noMoreDocs { break }
                    if hasPositions { _ = try c.positions() }
                }
            }
        }
        // The blocks' impacts and bounds, and a window walk, as pruning reads them.
        do {
            try withCursor(info, postings, positions, documentCount: documentCount, hasPositions: hasPositions) { c in
                if c.hasImpacts {
                    for b in 0 ..< c.blocks {
                        try c.forEachImpact(ofBlock: b) { f, l in XCTAssert(f >= 1 && l >= 0) }
                        _ = try c.lastDocument(ofBlock: b)
                    }
                }
                var start: Int32 = 0
                while start < Int32(documentCount) {
                    try c.forEachDocument(below: start + 100) { _, f in XCTAssertGreaterThanOrEqual(f, 1) }
                    start += 100
                }
            }
        } catch let e as SearchError {
            if firstError == nil { firstError = e }
        }
        if let firstError { throw firstError }
    }

    func testCorruptedPostingsThrowOrDecodeButNeverTrap() throws {
        var rng = SplitMix64(seed: 8)
        let terms = [
            Self.makeTerm(count: 50, maxGap: 30, maxFreq: 5, style: .random, rng: &rng),          // short list, raw frame
            Self.makeTerm(count: 100, maxGap: 3, maxFreq: 30, style: .compressible, rng: &rng),   // short list, zstd frame
            Self.makeTerm(count: 300, maxGap: 300, maxFreq: 4, style: .random, rng: &rng),        // blocks, raw frames
            Self.makeTerm(count: 259, maxGap: 3, maxFreq: 30, style: .compressible, rng: &rng),   // blocks, zstd frames
            Self.makeTerm(count: 200, maxGap: 10, maxFreq: 3, style: .none, rng: &rng),           // presence, blocks
            Self.makeTerm(count: 20, maxGap: 10, maxFreq: 3, style: .none, rng: &rng),            // presence, short
        ]
        let (infos, postings, positions) = Self.write(terms)
        var thrown = 0, completed = 0
        for (t, info) in zip(terms, infos) {
            // The intact term decodes.
            try Self.decodeFully(info, postings, positions, documentCount: t.documentCount,
                                 hasPositions: t.hasPositions, useAdvance: true, rng: &rng)
            for iteration in 0 ..< 400 {
                var p = postings, q = positions, i = info
                let what = Int.random(in: 0 ..< 4, using: &rng)
                switch what {
                case 0:   // flip one byte of the postings
                    let at = info.postingsOffset + Int.random(in: 0 ..< info.postingsLength, using: &rng)
                    p[at] ^= UInt8.random(in: 1 ... 255, using: &rng)
                case 1:   // flip one byte of the positions
                    guard info.positionsLength > 0 else { continue }
                    let at = info.positionsOffset + Int.random(in: 0 ..< info.positionsLength, using: &rng)
                    q[at] ^= UInt8.random(in: 1 ... 255, using: &rng)
                case 2:   // truncate the postings (the term info agrees with the shorter length)
                    i.postingsLength = Int.random(in: 0 ..< info.postingsLength, using: &rng)
                    p.removeSubrange((i.postingsOffset + i.postingsLength)...)
                default:  // truncate the positions
                    guard info.positionsLength > 0 else { continue }
                    i.positionsLength = Int.random(in: 0 ..< info.positionsLength, using: &rng)
                    q.removeSubrange((i.positionsOffset + i.positionsLength)...)
                }
                do {
                    try Self.decodeFully(i, p, q, documentCount: t.documentCount, hasPositions: t.hasPositions,
                                         useAdvance: true, rng: &rng)
                    completed += 1
                } catch let e as SearchError {
                    XCTAssertEqual(e.code, .corrupt, "iteration \(iteration) — \(t.label): \(e)")
                    thrown += 1
                } catch {
                    XCTFail("iteration \(iteration) — \(t.label): not a SearchError: \(error)")
                }
            }
        }
        XCTAssertGreaterThan(thrown, 0, "some corruptions are detected")
    }

    func testTruncatedTermInfoRangeThrowsAtOpen() throws {
        var rng = SplitMix64(seed: 12)
        let t = Self.makeTerm(count: 300, maxGap: 10, maxFreq: 3, style: .random, rng: &rng)
        let (infos, postings, positions) = Self.write([t])
        let info = infos[0]
        // Row: bytes passed to the cursor / term info → must throw .corrupt before any decoding.
        let table: [(postings: [UInt8], positions: [UInt8], info: TermInfo, documentCount: Int, note: String)] = [
            (Array(postings.prefix(info.postingsLength - 1)), positions, info, t.documentCount, "postings array one byte short of the range"),
            (postings, Array(positions.dropLast()), info, t.documentCount, "positions array one byte short"),
            ([], positions, info, t.documentCount, "empty postings"),
            (postings, positions, TermInfo(documentFrequency: 0, postingsOffset: 0, postingsLength: info.postingsLength,
                                           positionsOffset: 0, positionsLength: info.positionsLength), t.documentCount,
             "document frequency 0"),
            (postings, positions, info, 299, "document frequency above the segment's document count"),
            (postings, positions, TermInfo(documentFrequency: 299, postingsOffset: 0, postingsLength: info.postingsLength,
                                           positionsOffset: 0, positionsLength: info.positionsLength), t.documentCount,
             "block count disagrees with the document frequency"),
        ]
        for row in table {
            do {
                try Self.withCursor(row.info, row.postings, row.positions, documentCount: row.documentCount, hasPositions: true) { c in
                    while try c.next() != PostingsCursor.noMoreDocs { _ = try c.positions() }
                }
                XCTFail("\(row.note): no error")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .corrupt, row.note)
                XCTAssertNotNil(e.offset, row.note)
            }
        }
    }

    func testCorruptShortListDocumentOutOfRange() throws {
        // A short list whose second document code is huge: must throw, not overflow.
        // Row: postings bytes (df from the row) → .corrupt.
        let table: [(postings: [UInt8], df: Int, note: String)] = [
            ([0x01, 0xFE, 0x01], 2, "second document far beyond the document count"),
            ([0x15], 1, "first document 10 in a 10-document segment"),
            ([0x01, 0x00, 0x01], 2, "frequency 1 written explicitly (at least 2 was implied)"),
            ([0x01, 0x01, 0xFF], 2, "trailing bytes"),
            ([0x01], 2, "truncated: second document missing"),
            ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 1, "first document 2^63 − 1"),
            ([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 2, "second DocCode UInt64.max"),
        ]
        for row in table {
            let info = TermInfo(documentFrequency: row.df, postingsOffset: 0, postingsLength: row.postings.count,
                                positionsOffset: 0, positionsLength: 0)
            do {
                try Self.withCursor(info, row.postings, [], documentCount: 10, hasPositions: false) { c in
                    while try c.next() != PostingsCursor.noMoreDocs {}
                }
                XCTFail("\(row.note): no error")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .corrupt, row.note)
                XCTAssertNotNil(e.offset, row.note)
            }
        }
    }

    func testCorruptPositionsFrames() throws {
        // One document (doc 0) with frequency 2: postings DocCode 0x00, Freq 0x02.
        let postings: [UInt8] = [0x00, 0x02]
        // Its positions 5 and 6 are the values 5 and 1: one chunk, Bits 3, packed 5 | 1<<3 = 0x0D.
        var frame: [UInt8] = []
        _ = ZstdCompressor().compress([0x03, 0x0D], appendingTo: &frame)
        // Row: positions bytes → .corrupt when positions() is called.
        let table: [(positions: [UInt8], note: String)] = [
            ([], "empty frame: no mode byte"),
            ([0x00], "no chunk header"),
            ([0x00, 0x03, 0x05], "second position does not increase (gap 0)"),
            ([0x00, 0x08, 0x05], "chunk shorter than its width says (2 values of 8 bits)"),
            ([0x00, 0x21, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], "bit width 33"),
            ([0x02, 0x03, 0x0D], "unknown frame mode 2"),
            ([0x00, 0x20, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], "second position above UInt32.max"),
            ([0x01, 0x02, 0x28, 0xB5, 0x2F, 0xFD], "zstd mode with a broken frame"),
            ([0x01, 0x80, 0x80, 0x80, 0x80, 0x08], "zstd raw length above the 1 GiB limit"),
            ([0x01, 0x03] + frame, "zstd frame decodes to fewer bytes than its raw length"),
            ([0x01, 0x01] + frame, "zstd frame decodes to more bytes than its raw length"),
        ]
        for row in table {
            let info = TermInfo(documentFrequency: 1, postingsOffset: 0, postingsLength: postings.count,
                                positionsOffset: 0, positionsLength: row.positions.count)
            do {
                let got = try Self.withCursor(info, postings, row.positions, documentCount: 4, hasPositions: true) { c in
                    XCTAssertEqual(try c.next(), 0, row.note)
                    XCTAssertEqual(c.frequency, 2, row.note)
                    return Array(try c.positions())
                }
                XCTFail("\(row.note): no error, positions \(got)")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .corrupt, row.note)
                XCTAssertNotNil(e.offset, row.note)
            }
        }
        // The well-formed zstd frame decodes.
        let good: [UInt8] = [0x01, 0x02] + frame
        let info = TermInfo(documentFrequency: 1, postingsOffset: 0, postingsLength: 2, positionsOffset: 0, positionsLength: good.count)
        let positions = try Self.withCursor(info, postings, good, documentCount: 4, hasPositions: true) { c in
            _ = try c.next()
            return Array(try c.positions())
        }
        XCTAssertEqual(positions, [5, 6])
    }

    func testCorruptSkipEntryWithNegativeLastDoc() throws {
        // A skip entry whose LastDoc has bit 31 set (one flipped byte) is read as a negative Int32.
        var rng = SplitMix64(seed: 13)
        let t = Self.makeTerm(count: 300, maxGap: 10, maxFreq: 3, style: .none, rng: &rng)
        let (infos, postings, _) = Self.write([t])
        var p = postings
        p[1 + 3] |= 0x80     // skip entry 0, LastDoc high byte
        // Iterating with next() checks block 0 against its skip entry and throws.
        XCTAssertThrowsError(try Self.withCursor(infos[0], p, [], documentCount: t.documentCount, hasPositions: false) { c in
            while try c.next() != PostingsCursor.noMoreDocs {}
        }) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
        // advance(to:) past block 0 reads the bad entry too and throws.
        XCTAssertThrowsError(try Self.withCursor(infos[0], p, [], documentCount: t.documentCount, hasPositions: false) { c in
            _ = try c.advance(to: Int32(t.docs[200]))
        }) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
    }
}
