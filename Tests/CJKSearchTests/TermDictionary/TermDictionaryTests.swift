import XCTest
@testable import CJKSearch

/// TermDictionaryWriter → TermDictionary: lookup, prefix iteration, full iteration, block
/// boundaries, and corrupted bytes.
final class TermDictionaryTests: XCTestCase {

    // MARK: Helpers

    typealias SplitMix64 = SeededRandom

    /// `n` distinct terms in increasing byte order, shaped like real keys: a tag byte 0...3, then
    /// 1–6 characters from a small alphabet (so neighbours share prefixes), with their TermInfo.
    static func makeTerms(_ n: Int, seed: UInt64) -> [([UInt8], TermInfo)] {
        var rng = SplitMix64(seed: seed)
        let alphabet = ["a", "b", "z", "東", "京", "重", "慶", "𠀋", "é"].map { Array($0.utf8) }
        var set = Set<[UInt8]>()
        while set.count < n {
            var t: [UInt8] = [UInt8.random(in: 0 ... 3, using: &rng)]
            for _ in 0 ..< Int.random(in: 1 ... 6, using: &rng) { t += alphabet.randomElement(using: &rng)! }
            set.insert(t)
        }
        let sorted = set.sorted { $0.lexicographicallyPrecedes($1) }
        var offset = n > 500 ? 5_000_000_000 : 0     // large lists: offsets beyond 32 bits
        return sorted.map { t in
            let pl = Int.random(in: 1 ... 5000, using: &rng)
            let ql = Bool.random(using: &rng) ? 0 : Int.random(in: 1 ... 100_000, using: &rng)
            // Each term's positions follow its postings, and the next term follows them.
            let info = TermInfo(documentFrequency: Int.random(in: 1 ... 2_000_000, using: &rng),
                                postingsOffset: offset, postingsLength: pl,
                                positionsOffset: offset + pl, positionsLength: ql)
            offset += pl + ql
            return (t, info)
        }
    }

    static func build(_ terms: [([UInt8], TermInfo)]) -> [UInt8] {
        var w = TermDictionaryWriter()
        for (t, info) in terms { w.add(t, info) }
        XCTAssertEqual(w.termCount, terms.count)
        return w.finish()
    }

    /// Opens the dictionary over `bytes` for the duration of `body`.
    static func withDictionary<R>(_ bytes: [UInt8], _ body: (TermDictionary) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { try body(TermDictionary(ByteReader($0, path: "terms"))) }
    }

    static func collect(_ d: TermDictionary, prefix: [UInt8]? = nil) throws -> [([UInt8], TermInfo)] {
        var out: [([UInt8], TermInfo)] = []
        if let prefix {
            try d.forEach(prefix: prefix) { t, info in out.append((Array(t), info)) }
        } else {
            try d.forEach { t, info in out.append((Array(t), info)) }
        }
        return out
    }

    private func assertSame(_ got: [([UInt8], TermInfo)], _ expected: [([UInt8], TermInfo)], _ note: String,
                            line: UInt = #line) {
        XCTAssertEqual(got.map(\.0), expected.map(\.0), note, line: line)
        XCTAssertEqual(got.map(\.1), expected.map(\.1), note, line: line)
    }

    // MARK: Round trips

    func testRoundTripForEveryTermCount() throws {
        // Row: term count (blocks of 32: around and at the boundaries).
        let table: [(n: Int, blocks: Int, note: String)] = [
            (0, 0, "no terms at all"),
            (1, 1, "one term"),
            (31, 1, "one short of a full block"),
            (32, 1, "exactly one full block"),
            (33, 2, "one term into the second block"),
            (100, 4, "several blocks, last partial"),
            (1000, 32, "many blocks, offsets beyond 32 bits"),
        ]
        for row in table {
            let terms = Self.makeTerms(row.n, seed: UInt64(row.n) + 1)
            let bytes = Self.build(terms)
            try Self.withDictionary(bytes) { d in
                XCTAssertEqual(d.termCount, row.n, row.note)
                XCTAssertEqual(d.blockCount, row.blocks, row.note)
                // Every term is found with its TermInfo.
                for (t, info) in terms {
                    XCTAssertEqual(try d.lookup(t), info, "\(row.note): lookup \(t)")
                }
                // forEach returns everything, in order.
                assertSame(try Self.collect(d), terms, "\(row.note): forEach")
                assertSame(try Self.collect(d, prefix: []), terms, "\(row.note): empty prefix")
            }
        }
    }

    func testAbsentTermsReturnNil() throws {
        for n in [1, 31, 32, 33, 100, 1000] {
            let terms = Self.makeTerms(n, seed: UInt64(n) * 7)
            let keys = Set(terms.map(\.0))
            let first = terms.first!.0, last = terms.last!.0
            // Row: absent key, where it falls.
            var table: [(key: [UInt8], note: String)] = [
                ([], "the empty key (before everything)"),
                (Array(first.dropLast()), "a proper prefix of the first term (before first)"),
                ([0xFF], "after every tag"),
                (last + [0x00], "the last term extended (after last)"),
                ([4] + Array("a".utf8), "an unused tag after the last"),
            ]
            for i in 0 ..< terms.count - 1 {
                // The term extended by a zero byte sorts between it and the next term.
                table.append((terms[i].0 + [0x00], "between term \(i) and \(i + 1)"))
                // A prefix of the next term longer than the shared part is between the two too.
                let a = terms[i].0, b = terms[i + 1].0
                var shared = 0
                while shared < min(a.count, b.count) && a[shared] == b[shared] { shared += 1 }
                if shared + 1 < b.count { table.append((Array(b[0 ... shared]), "partial prefix of term \(i + 1)")) }
            }
            try Self.withDictionary(Self.build(terms)) { d in
                for row in table where !keys.contains(row.key) {
                    XCTAssertNil(try d.lookup(row.key), "n=\(n): \(row.note): \(row.key)")
                }
            }
        }
    }

    /// Lookup scans a block in place, comparing each entry's shared prefix with how far the
    /// previous term followed the key; a brute-force oracle over random keys close to the terms
    /// (terms cut, extended, and with one byte changed) checks every branch of that comparison.
    func testLookupAgreesWithAMapForRandomKeys() throws {
        for n in [1, 33, 1000] {
            let terms = Self.makeTerms(n, seed: UInt64(n) &* 31 &+ 5)
            var map: [[UInt8]: TermInfo] = [:]
            for (t, info) in terms { map[t] = info }
            var rng = SplitMix64(seed: UInt64(n))
            try Self.withDictionary(Self.build(terms)) { d in
                for _ in 0 ..< 3000 {
                    var key = terms.randomElement(using: &rng)!.0
                    switch Int.random(in: 0 ..< 4, using: &rng) {
                    case 0: key = Array(key.prefix(Int.random(in: 0 ... key.count, using: &rng)))
                    case 1: key += [UInt8.random(in: 0 ... 255, using: &rng)]
                    case 2: key[Int.random(in: 0 ..< key.count, using: &rng)] &+= UInt8.random(in: 1 ... 2, using: &rng)
                    default: break
                    }
                    XCTAssertEqual(try d.lookup(key), map[key], "n=\(n): \(key)")
                }
            }
        }
    }

    func testForEachPrefix() throws {
        for n in [1, 31, 32, 33, 100, 1000] {
            let terms = Self.makeTerms(n, seed: UInt64(n) * 13)
            var rng = SplitMix64(seed: UInt64(n))
            var prefixes: [[UInt8]] = [[], [0], [1], [2], [3], [4], [0xFF], [0x00, 0x00]]
            for _ in 0 ..< 40 {
                let t = terms.randomElement(using: &rng)!.0
                prefixes.append(Array(t.prefix(Int.random(in: 1 ... t.count, using: &rng))))  // may cut inside a UTF-8 sequence
                prefixes.append(t)                                                        // a whole term
                prefixes.append(t + [0x00])                                               // just past a term
            }
            // Prefixes that straddle a block boundary: the last term of a block and the first of the next.
            for b in stride(from: 31, to: terms.count - 1, by: 32) {
                prefixes.append(Array(terms[b].0.prefix(2)))
                prefixes.append(Array(terms[b + 1].0.prefix(2)))
            }
            try Self.withDictionary(Self.build(terms)) { d in
                for p in prefixes {
                    let expected = terms.filter { $0.0.starts(with: p) }
                    assertSame(try Self.collect(d, prefix: p), expected, "n=\(n) prefix \(p)")
                }
            }
        }
    }

    func testPrefixExamples() throws {
        // Tag 2 (body, positional) terms that share a first character, as the query side uses them.
        let words = ["重", "重慶", "重要", "重慶市", "重複", "重a", "慶", "a", "ab", "abc", "b"]
        var keys = words.map { [UInt8(2)] + Array($0.utf8) }
        keys.append([3] + Array("重".utf8))     // a presence key: other tag, not a match for tag 2
        keys.sort { $0.lexicographicallyPrecedes($1) }
        let terms = keys.enumerated().map { i, k in
            (k, TermInfo(documentFrequency: i + 1, postingsOffset: i * 13, postingsLength: 10,
                         positionsOffset: i * 13 + 10, positionsLength: 3))
        }
        // Row: prefix (tag 2 + text) → the matching words, in byte order.
        let table: [(prefix: String, expected: [String], note: String)] = [
            ("重", ["重", "重a", "重慶", "重慶市", "重複", "重要"], "every term starting with 重"),
            ("重慶", ["重慶", "重慶市"], "a bigram and its extension"),
            ("重慶市", ["重慶市"], "a whole term only"),
            ("a", ["a", "ab", "abc"], "ASCII prefix"),
            ("abcd", [], "longer than every term"),
            ("c", [], "between terms"),
            ("", ["a", "ab", "abc", "b", "慶", "重", "重a", "重慶", "重慶市", "重複", "重要"], "the whole tag"),
        ]
        try Self.withDictionary(Self.build(terms)) { d in
            for row in table {
                let got = try Self.collect(d, prefix: [2] + Array(row.prefix.utf8))
                    .map { String(decoding: $0.0.dropFirst(), as: UTF8.self) }
                XCTAssertEqual(got, row.expected, row.note)
            }
        }
    }

    func testDictionaryInsideALargerFile() throws {
        // The section usually sits at some offset in a segment file: read it through a slice.
        let terms = Self.makeTerms(70, seed: 5)
        let section = Self.build(terms)
        let file = [UInt8](repeating: 0xEE, count: 123) + section + [UInt8](repeating: 0xEE, count: 9)
        try file.withUnsafeBytes { b in
            let whole = ByteReader(b, path: "seg")
            let d = try TermDictionary(whole.slice(123, section.count))
            for (t, info) in terms { XCTAssertEqual(try d.lookup(t), info) }
            assertSame(try Self.collect(d), terms, "forEach through a slice")
        }
    }

    func testEmptyDictionaryBytes() throws {
        var w = TermDictionaryWriter()
        let bytes = w.finish()
        XCTAssertEqual(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "term count 0, block count 0")
        try Self.withDictionary(bytes) { d in
            XCTAssertNil(try d.lookup([2, 0x61]))
            XCTAssertNil(try d.lookup([]))
            XCTAssertEqual(try Self.collect(d).count, 0)
            XCTAssertEqual(try Self.collect(d, prefix: [2]).count, 0)
        }
    }

    func testWorkedExampleSharedPrefix() throws {
        // 重慶 then 重要 in one block: the second shares 4 bytes (tag + 重).
        let a: [UInt8] = [0x02, 0xE9, 0x87, 0x8D, 0xE6, 0x85, 0xB6]
        let b: [UInt8] = [0x02, 0xE9, 0x87, 0x8D, 0xE8, 0xA6, 0x81]
        let ia = TermInfo(documentFrequency: 3, postingsOffset: 0, postingsLength: 4, positionsOffset: 4, positionsLength: 5)
        let ib = TermInfo(documentFrequency: 1, postingsOffset: 9, postingsLength: 2, positionsOffset: 11, positionsLength: 3)
        let bytes = Self.build([(a, ia), (b, ib)])
        // Header 12 + one block offset 4; block: count 2, first offset 0; entry 1: 0, 7, a, 3, 4, 5;
        // entry 2: 4, 3, E8 A6 81, 1, 2, 3 (its offset is 0 + 4 + 5).
        XCTAssertEqual(Array(bytes[16...]), [2, 0, 0, 7] + a + [3, 4, 5] + [4, 3, 0xE8, 0xA6, 0x81, 1, 2, 3])
        try Self.withDictionary(bytes) { d in
            XCTAssertEqual(try d.lookup(a), ia)
            XCTAssertEqual(try d.lookup(b), ib)
        }
    }

    // MARK: Corruption

    func testTruncatedDictionaryThrows() throws {
        let terms = Self.makeTerms(100, seed: 3)
        let bytes = Self.build(terms)
        for cut in [0, 4, 11, 12, 20, 27, bytes.count / 2, bytes.count - 1] {
            let short = Array(bytes[0 ..< cut])
            do {
                try Self.withDictionary(short) { d in
                    for (t, _) in terms { _ = try d.lookup(t) }
                    _ = try Self.collect(d)
                }
                XCTFail("cut at \(cut): no error")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .corrupt, "cut at \(cut)")
            }
        }
    }

    func testCorruptedDictionaryThrowsOrDecodesButNeverTraps() throws {
        let terms = Self.makeTerms(100, seed: 4)
        let bytes = Self.build(terms)
        var rng = SplitMix64(seed: 42)
        var thrown = 0
        for _ in 0 ..< 400 {
            var b = bytes
            let at = Int.random(in: 0 ..< b.count, using: &rng)
            b[at] ^= UInt8.random(in: 1 ... 255, using: &rng)
            do {
                try Self.withDictionary(b) { d in
                    for (t, _) in terms.prefix(20) { _ = try d.lookup(t) }
                    _ = try Self.collect(d, prefix: [2])
                    _ = try Self.collect(d)
                }
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .corrupt)
                thrown += 1
            }
        }
        XCTAssertGreaterThan(thrown, 0)
    }

    func testTermCountWithHighBitSet() throws {
        var w = TermDictionaryWriter()
        w.add([2, 0x61], TermInfo(documentFrequency: 1, postingsOffset: 0, postingsLength: 1, positionsOffset: 1, positionsLength: 0))
        var bytes = w.finish()
        // A term count that disagrees with the block count is detected at open.
        bytes[0] = 40
        XCTAssertThrowsError(try Self.withDictionary(bytes) { _ in }) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
        // One that agrees with the block count but not with the block's entry count, when the block is read.
        bytes[0] = 5
        XCTAssertThrowsError(try Self.withDictionary(bytes) { _ = try Self.collect($0) }) {
            XCTAssertEqual(($0 as? SearchError)?.code, .corrupt)
        }
        bytes[0] = 1
        bytes[7] = 0x7F
        XCTAssertThrowsError(try Self.withDictionary(bytes) { _ in }) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
        // With bit 63 set (one flipped byte) the count is refused, not converted.
        bytes[7] = 0x80
        XCTAssertThrowsError(try Self.withDictionary(bytes) { _ in }) { XCTAssertEqual(($0 as? SearchError)?.code, .corrupt) }
    }

    /// The iterator (what merges use) checks order across blocks too: a block whose first term is
    /// not above the previous block's last one is corrupt, not a trap later in the merge.
    func testIteratorRejectsOrderAcrossBlocks() throws {
        // 40 terms "2 k00" … "2 k39": two blocks; the second block's first term is "2 k32".
        let terms = (0 ..< 40).map { i -> ([UInt8], TermInfo) in
            ([2] + Array(String(format: "k%02d", i).utf8),
             TermInfo(documentFrequency: 1, postingsOffset: i * 2, postingsLength: 1, positionsOffset: i * 2 + 1, positionsLength: 1))
        }
        var bytes = Self.build(terms)
        try Self.withDictionary(bytes) { d in
            var it = TermDictionary.Iterator(d)
            var n = 0
            while try it.next() { n += 1 }
            XCTAssertEqual(n, 40)
        }
        // Make the second block's first term "2 k02": smaller than "2 k31".
        let k32: [UInt8] = [2] + Array("k32".utf8)
        let at = try XCTUnwrap((0 ..< bytes.count - 3).last { Array(bytes[$0 ..< $0 + 4]) == k32 })
        bytes[at + 2] = UInt8(ascii: "0")
        bytes[at + 3] = UInt8(ascii: "2")
        try Self.withDictionary(bytes) { d in
            var it = TermDictionary.Iterator(d)
            XCTAssertThrowsError(try { while try it.next() {} }()) { e in
                XCTAssertEqual((e as? SearchError)?.code, .corrupt)
            }
        }
    }
}
