import XCTest
@testable import CJKSearch

/// The arena inverter against a brute-force oracle: the same analyzed fields inverted with plain
/// dictionaries of arrays must give the same terms, documents, frequencies and positions.
final class InverterTests: XCTestCase {
    private struct Posting: Equatable {
        var doc: UInt32
        var freq: UInt32
        var positions: [UInt32]
    }

    /// Decodes every term of an inverter into (key → postings).
    private func decode(_ inv: inout Inverter) -> [[UInt8]: [Posting]] {
        inv.closeDocuments()
        var out: [[UInt8]: [Posting]] = [:]
        var raw: [UInt8] = []
        for o in 0 ..< inv.termCount {
            let t = inv.terms[o]
            raw.removeAll()
            inv.read(t.docs, into: &raw)
            var postings: [Posting] = []
            raw.withUnsafeBufferPointer { b in
                var i = 0
                var previous: Int64 = -1
                while i < b.count {
                    let code = Inverter.varint(b, &i)
                    let freq = code & 1 == 1 ? 1 : Inverter.varint(b, &i)
                    previous += Int64(code >> 1) + 1
                    postings.append(Posting(doc: UInt32(previous), freq: freq, positions: []))
                }
            }
            if t.hasPositions {
                raw.removeAll()
                inv.read(t.positions, into: &raw)
                raw.withUnsafeBufferPointer { b in
                    var i = 0
                    for k in postings.indices {
                        var p: UInt32 = 0
                        for _ in 0 ..< postings[k].freq {
                            p &+= Inverter.varint(b, &i)
                            postings[k].positions.append(p)
                        }
                    }
                    XCTAssertEqual(i, b.count, "position stream has trailing bytes")
                }
            }
            XCTAssertEqual(Int(t.documentFrequency), postings.count)
            let key = Array(inv.key(o))
            XCTAssertNil(out[key], "duplicate term \(TermKey.describe(inv.key(o)))")
            out[key] = postings
        }
        return out
    }

    private func oracle(_ fields: [(AnalyzedField, Field, UInt32)]) -> [[UInt8]: [Posting]] {
        var out: [[UInt8]: [Posting]] = [:]
        func add(_ key: [UInt8], _ doc: UInt32, _ position: UInt32?) {
            var list = out[key, default: []]
            if list.last?.doc != doc { list.append(Posting(doc: doc, freq: 0, positions: [])) }
            list[list.count - 1].freq += 1
            if let position { list[list.count - 1].positions.append(position) }
            out[key] = list
        }
        for (field, f, doc) in fields {
            let sc = field.text.scalars
            for t in field.tokens {
                switch t.kind {
                case .bigram: add(TermKey.positional(f, t.first, t.second), doc, t.position)
                case .runEnd: add(TermKey.positional(f, t.first), doc, t.position)
                case .word: add(TermKey.word(f, sc[Int(t.start) ..< Int(t.end)]), doc, t.position)
                }
            }
            for c in field.cjkCharacters { add(TermKey.presence(f, c), doc, nil) }
        }
        return out
    }

    func testMatchesOracleOnRandomText() throws {
        var rng = SeededRandom(seed: 11)
        let analyzer = Analyzer()
        // A small alphabet so terms repeat a lot and streams cross many slice boundaries; long and
        // non-ASCII words exercise the byte-keyed table.
        let alphabet = Array("的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種面而方後多定行學法所民得經十三之進着等部度家電力裡如水化高自二理起小物現實加量都兩體制機當使點從業本去把性好應開它合還因由其些然前外天政四日那社義事平形相全表間樣與關各重新線內數正心反你明看原又麼利比或但質氣第向道命此變條只沒結解問意建月公無系軍很情者最立代想已通並提直題黨程展五果料象員革位入常文總次品式活設及管特件長求老頭基資邊流路級少圖山統接知較將組見計別她手角期根論運農指幾九區強放決西被幹做必戰先回則任取據處府研質ひらがなカタカナ한국어서울")
        let words = ["abc", "tower", "international", "ünïcödé", "x1", "supercalifragilistic", "2024", "ａｂｃ"]
        var fields: [(AnalyzedField, Field, UInt32)] = []
        var inv = Inverter()
        defer { inv.release() }
        var scratch: [UInt8] = []
        for doc in 0 ..< 400 {
            for f in Field.allCases {
                var text = ""
                let n = f == .title ? Int(rng.next() % 12) : Int(rng.next() % 900)
                for _ in 0 ..< n {
                    let r = rng.next() % 100
                    if r < 80 { text.append(alphabet[Int(rng.next() % UInt64(alphabet.count / (r < 40 ? 8 : 1)))]) }
                    else if r < 90 { text += " " + words[Int(rng.next() % UInt64(words.count))] + " " }
                    else if r < 95 { text += "，" }
                    else { text += "\(rng.next() % 100000) " }
                }
                var field = AnalyzedField()
                try analyzer.analyze(text, into: &field)
                inv.add(field, f, doc: UInt32(doc), scratch: &scratch)
                fields.append((field, f, UInt32(doc)))
            }
        }
        let got = decode(&inv)
        let want = oracle(fields)
        XCTAssertEqual(got.count, want.count)
        for (k, v) in want {
            XCTAssertEqual(got[k], v, "term \(k)")
        }
        // Sorted order is strictly increasing unsigned-byte order over all terms.
        let order = inv.sortedOrdinals().map { Array(inv.key(Int($0))) }
        XCTAssertEqual(order.count, want.count)
        for i in 1 ..< order.count {
            XCTAssertTrue(order[i - 1].lexicographicallyPrecedes(order[i]), "order at \(i)")
        }
    }

    func testOneTermAcrossManySlices() throws {
        // One term in 50,000 documents, 3 times each: the document stream and the position stream
        // grow through every slice size.
        var inv = Inverter()
        defer { inv.release() }
        var scratch: [UInt8] = []
        var field = AnalyzedField()
        try Analyzer().analyze("中文 中文 中文", into: &field)
        for d in 0 ..< 50_000 { inv.add(field, .body, doc: UInt32(d * 3), scratch: &scratch) }
        let got = decode(&inv)
        let list = try XCTUnwrap(got[TermKey.positional(.body, 0x4E2D, 0x6587)])
        XCTAssertEqual(list.count, 50_000)
        XCTAssertEqual(list[49_999], Posting(doc: 149_997, freq: 3, positions: [0, 2, 4]))
        XCTAssertTrue(list.enumerated().allSatisfy { $0.element.doc == UInt32($0.offset * 3) && $0.element.freq == 3 })
        XCTAssertEqual(got[TermKey.presence(.body, 0x4E2D)]?.first, Posting(doc: 0, freq: 3, positions: []))
        XCTAssertGreaterThan(inv.memoryBytes, Inverter.pageSize)
    }
}
