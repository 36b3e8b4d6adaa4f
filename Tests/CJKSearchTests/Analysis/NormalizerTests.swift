import XCTest
@testable import CJKSearch

/// Normalizer: crawl-artifact removal, NFKC, case folding, ignorables, the offset map back to the
/// original UTF-8, and strict UTF-8 validation (with traditional → simplified folding off, so the
/// expected text reads as written; ChineseFoldingTests covers folding).
final class NormalizerTests: XCTestCase {

    // MARK: Helpers

    /// Normalizes `bytes` with a fresh normalizer (or `normalizer` if given).
    private func normalize(_ bytes: [UInt8], with normalizer: Normalizer = Normalizer(.version1)) throws -> NormalizedText {
        var out = NormalizedText()
        try bytes.withUnsafeBufferPointer { try normalizer.normalize($0, into: &out) }
        return out
    }

    private func normalize(_ s: String, with normalizer: Normalizer = Normalizer(.version1)) throws -> NormalizedText {
        try normalize(Array(s.utf8), with: normalizer)
    }

    /// The normalized text as a String.
    private func text(_ n: NormalizedText) -> String {
        var s = String.UnicodeScalarView()
        for v in n.scalars { s.append(Unicode.Scalar(v)!) }
        return String(s)
    }

    private func hex(_ scalars: [UInt32]) -> String {
        scalars.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    }

    // MARK: NFKC and case folding

    func testNFKCAndCaseFolding() throws {
        let table: [(input: String, expected: String, note: String)] = [
            ("ＡＢＣ１２３", "abc123", "full-width ASCII letters and digits become ASCII, lower case"),
            ("ｶﾞｷﾞ", "ガギ", "half-width katakana with ﾞ composes to full-width voiced kana"),
            ("ﾊﾟﾝ", "パン", "half-width ﾟ (semi-voiced mark) composes too"),
            ("ｱｲｳ", "アイウ", "plain half-width katakana"),
            ("①", "1", "circled digit"),
            ("⑳", "20", "circled number twenty expands to two digits"),
            ("㈱", "(株)", "parenthesized ideograph expands to three scalars"),
            ("\u{F900}", "\u{8C48}", "compatibility ideograph U+F900 becomes unified U+8C48"),
            ("Hello WORLD", "hello world", "ASCII fast path lower-cases"),
            ("ÀÉÎ", "àéî", "Latin-1 upper case folds"),
            ("e\u{0301}", "é", "combining acute composes (NFC part of NFKC)"),
            ("か\u{3099}", "が", "kana + combining voiced mark composes"),
            ("\u{1100}\u{1161}", "가", "conjoining Hangul jamo L+V compose to a syllable"),
            ("가\u{11A8}", "각", "Hangul syllable + final jamo composes"),
            ("ﬁ", "fi", "ligature decomposes"),
            ("\u{212A}", "k", "Kelvin sign becomes k"),
            ("Ⅻ", "xii", "Roman numeral twelve becomes xii"),
            ("ΣΑ", "σα", "Greek upper case folds (no final-sigma context across characters)"),
            ("東京", "東京", "CJK fast path unchanged"),
            ("한국어", "한국어", "Hangul syllables unchanged"),
            ("ひらがなカタカナー", "ひらがなカタカナー", "kana and prolonged sound mark unchanged"),
            ("\u{3000}", " ", "ideographic space becomes an ASCII space"),
            ("①①①", "111", "repeated character (second time from the cache)"),
            ("", "", "empty input"),
        ]
        for row in table {
            let n = try normalize(row.input)
            XCTAssertEqual(text(n), row.expected, "\(row.note): \(row.input)")
            XCTAssertEqual(n.scalars.count, n.starts.count, row.note)
            XCTAssertEqual(n.scalars.count, n.ends.count, row.note)
            XCTAssertEqual(n.artifacts, [], row.note)
        }
    }

    func testIgnorablesAreDropped() throws {
        let table: [(input: String, expected: String, note: String)] = [
            ("a\u{200B}b", "ab", "zero-width space between ASCII"),
            ("東\u{200B}京", "東京", "zero-width space inside a CJK run"),
            ("co\u{00AD}operate", "cooperate", "soft hyphen"),
            ("葛\u{E0100}城", "葛城", "ideographic variation selector (supplementary) after a Han character"),
            ("☃\u{FE0F}", "☃", "emoji variation selector VS16"),
            ("神\u{FE00}", "神", "standardized variation selector VS1"),
            ("a\u{200D}b", "ab", "zero-width joiner after ASCII"),
            ("\u{FEFF}abc", "abc", "byte order mark"),
            ("a\u{2060}b", "ab", "word joiner"),
            ("\u{200B}\u{200B}", "", "only ignorables"),
        ]
        for row in table {
            let n = try normalize(row.input)
            XCTAssertEqual(text(n), row.expected, "\(row.note): \(hex(row.input.unicodeScalars.map(\.value)))")
        }
    }

    // MARK: Pinyin crawl artifacts

    func testPinyinArtifacts() throws {
        let table: [(input: String, expected: String, artifacts: [Range<Int>], note: String)] = [
            ("當(dāng)前位置", "當前位置", [3 ..< 10], "toned syllable after a Han character is removed"),
            ("当(dāng)前", "当前", [3 ..< 10], "simplified Han works the same"),
            ("重(zhòng)慶(qìng)", "重慶", [3 ..< 11, 14 ..< 21], "two annotations, both recorded in order"),
            ("綠(lǜ)色", "綠色", [3 ..< 8], "ǜ is a toned vowel"),
            ("嗯(ń)", "嗯", [3 ..< 7], "a one-letter syllable (ń) qualifies"),
            ("中(zhuāngg)", "中", [3 ..< 13], "seven letters is the maximum that qualifies"),
            ("中(zhuānggg)", "中(zhuānggg)", [], "eight letters is not a syllable"),
            ("\u{F900}(qì)", "\u{8C48}", [3 ..< 8], "compatibility ideograph counts as Han"),
            ("𠀋(dā)", "𠀋", [4 ..< 9], "supplementary-plane Han counts"),
            ("重慶(Chongqing)", "重慶(chongqing)", [], "upper case and no tone mark: kept"),
            ("重慶(chongqing)", "重慶(chongqing)", [], "no tone mark: kept"),
            ("文(2016)", "文(2016)", [], "digits: kept"),
            ("(dāng)", "(dāng)", [], "no preceding Han character: kept"),
            ("a(dāng)", "a(dāng)", [], "preceded by Latin: kept"),
            ("當 (dāng)", "當 (dāng)", [], "space between Han and parenthesis: kept"),
            ("あ(dā)", "あ(dā)", [], "kana is not Han: kept"),
            ("當(lü)", "當(lü)", [], "ü alone is not a tone mark: kept"),
            ("當(dāng", "當(dāng", [], "unclosed: kept"),
            ("當()", "當()", [], "empty parentheses: kept"),
            ("當(dāng)(dāng)", "當(dāng)", [3 ..< 10], "only the annotation adjacent to the Han character goes"),
            ("當(dā ng)", "當(dā ng)", [], "space inside: kept"),
            ("當(da\u{0304}ng)前", "當前", [3 ..< 11], "decomposed tone mark is removed like the composed one"),
        ]
        for row in table {
            let n = try normalize(row.input)
            XCTAssertEqual(text(n), row.expected, "\(row.note): \(row.input)")
            XCTAssertEqual(n.artifacts, row.artifacts, "\(row.note): \(row.input)")
        }
    }

    func testPinyinArtifactOffsetMap() throws {
        // 當 is bytes 0..<3, "(dāng)" 3..<10, 前 10..<13, 位 13..<16, 置 16..<19.
        let n = try normalize("當(dāng)前位置")
        XCTAssertEqual(n.starts, [0, 10, 13, 16])
        XCTAssertEqual(n.ends, [3, 13, 16, 19])
    }

    func testNormalizerReuseClearsState() throws {
        let normalizer = Normalizer(.version1)
        let first = try normalize("當(dāng)前", with: normalizer)
        XCTAssertEqual(first.artifacts, [3 ..< 10])
        var out = first
        try Array("①b".utf8).withUnsafeBufferPointer { try normalizer.normalize($0, into: &out) }
        XCTAssertEqual(text(out), "1b")
        XCTAssertEqual(out.artifacts, [], "artifacts from the previous call are cleared")
        XCTAssertEqual(out.starts, [0, 3])
        XCTAssertEqual(out.ends, [3, 4])
    }

    // MARK: Offset map

    func testOffsetMap() throws {
        // Each row: input, then for each normalized scalar (scalar, start, end) in original UTF-8 bytes.
        let table: [(input: String, expected: [(String, Int, Int)], note: String)] = [
            ("aB", [("a", 0, 1), ("b", 1, 2)], "ASCII: one byte each"),
            ("東京", [("東", 0, 3), ("京", 3, 6)], "CJK: three bytes each"),
            ("ab東", [("a", 0, 1), ("b", 1, 2), ("東", 2, 5)], "ASCII then CJK"),
            ("Ａ", [("a", 0, 3)], "full-width letter maps to its three bytes"),
            ("㈱", [("(", 0, 3), ("株", 0, 3), (")", 0, 3)], "NFKC expansion: every scalar maps to the whole source"),
            ("x㈱y", [("x", 0, 1), ("(", 1, 4), ("株", 1, 4), (")", 1, 4), ("y", 4, 5)], "expansion in context"),
            ("e\u{0301}x", [("é", 0, 3), ("x", 3, 4)], "composed cluster maps to base + mark"),
            ("ｶﾞ", [("ガ", 0, 6)], "half-width kana + voiced mark: six bytes"),
            ("a\u{200B}b", [("a", 0, 1), ("b", 4, 5)], "ignorable bytes vanish from the map"),
            ("𠀋x", [("𠀋", 0, 4), ("x", 4, 5)], "four-byte scalar"),
            ("ﬁ", [("f", 0, 3), ("i", 0, 3)], "ligature expansion"),
            ("İ", [("i", 0, 2), ("\u{0307}", 0, 2)], "İ lower-cases to i + combining dot above"),
        ]
        for row in table {
            let n = try normalize(row.input)
            XCTAssertEqual(n.count, row.expected.count, "\(row.note): \(row.input) → \(text(n))")
            for (i, e) in row.expected.enumerated() where i < n.count {
                XCTAssertEqual(n.scalars[i], e.0.unicodeScalars.first!.value, "\(row.note): scalar \(i)")
                XCTAssertEqual(Int(n.starts[i]), e.1, "\(row.note): start \(i)")
                XCTAssertEqual(Int(n.ends[i]), e.2, "\(row.note): end \(i)")
            }
        }
    }

    func testOffsetMapMixedInput() throws {
        // Mixed ASCII, CJK, NFKC-expanding and combining input; check the map covers the original
        // bytes monotonically and that each range decodes to something that normalizes to the scalar.
        let input = "Ｔｏｋｙｏ東京㈱ café ①号 ｶﾞｷﾞ 한국어 𠀋 ﬁx"
        let bytes = Array(input.utf8)
        let n = try normalize(bytes)
        XCTAssertEqual(text(n), "tokyo東京(株) café 1号 ガギ 한국어 𠀋 fix")
        var previousStart = 0, previousEnd = 0
        for i in 0 ..< n.count {
            let s = Int(n.starts[i]), e = Int(n.ends[i])
            XCTAssertLessThan(s, e, "scalar \(i) has an empty range")
            XCTAssertLessThanOrEqual(e, bytes.count)
            XCTAssertGreaterThanOrEqual(s, previousStart, "starts never decrease")
            XCTAssertGreaterThanOrEqual(e, previousEnd, "ends never decrease")
            previousStart = s; previousEnd = e
            // The original slice is valid UTF-8 on its own and normalizes to text containing the scalar.
            let original = String(decoding: bytes[s ..< e], as: UTF8.self)
            let again = try normalize(original)
            XCTAssertTrue(again.scalars.contains(n.scalars[i]), "scalar \(i) not produced by its source \(original)")
        }
        // Spot checks: "東" is bytes 15..<18 (five 3-byte letters first); "㈱" 21..<24.
        XCTAssertEqual(n.scalars[5], 0x6771)
        XCTAssertEqual([n.starts[5], n.ends[5]], [15, 18])
        XCTAssertEqual([n.starts[7], n.ends[7]], [21, 24])
        XCTAssertEqual([n.starts[8], n.ends[8]], [21, 24])
        XCTAssertEqual([n.starts[9], n.ends[9]], [21, 24])
    }

    // MARK: Invalid UTF-8

    func testInvalidUTF8IsRejectedWithOffset() {
        let table: [(bytes: [UInt8], offset: Int, note: String)] = [
            ([0xC0, 0xAF], 0, "overlong two-byte form of /"),
            ([0x61, 0xC1, 0xBF], 1, "overlong two-byte after ASCII"),
            ([0xE0, 0x80, 0xAF], 0, "overlong three-byte form"),
            ([0xF0, 0x80, 0x80, 0xAF], 0, "overlong four-byte form"),
            ([0x80], 0, "lone continuation byte"),
            ([0x61, 0x62, 0x80], 2, "lone continuation byte after ASCII"),
            ([0xE6, 0x9D, 0xB1, 0xBF], 3, "stray continuation after a CJK character"),
            ([0xED, 0xA0, 0x80], 0, "UTF-16 surrogate U+D800"),
            ([0x61, 0xED, 0xBF, 0xBF], 1, "UTF-16 surrogate U+DFFF"),
            ([0xE6, 0x9D], 0, "truncated three-byte sequence at the end"),
            ([0x61, 0x62, 0xE6, 0x9D], 2, "truncated sequence after ASCII"),
            ([0xF0, 0xA0, 0x80], 0, "truncated four-byte sequence"),
            ([0xC3], 0, "truncated two-byte sequence"),
            ([0xF4, 0x90, 0x80, 0x80], 0, "U+110000, above the maximum"),
            ([0xF5, 0x80, 0x80, 0x80], 0, "lead byte F5 is never valid"),
            ([0xFF], 0, "byte FF"),
            ([0xE6, 0x41, 0x41], 0, "lead byte followed by ASCII"),
            ([0xC3, 0xA9, 0x80], 2, "continuation after a non-stable (slow path) character"),
            ([0x65, 0xCC, 0x81, 0xFF], 3, "invalid byte after a combining cluster"),
            (Array("當(d".utf8) + [0xFF] + Array("ng)".utf8), 5, "invalid byte inside a would-be pinyin annotation"),
            (Array("東京".utf8) + [0xE6, 0x9D], 6, "truncated after valid CJK"),
        ]
        for row in table {
            do {
                let n = try normalize(row.bytes)
                XCTFail("\(row.note): accepted as \(hex(n.scalars))")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .invalidInput, row.note)
                XCTAssertEqual(e.offset, row.offset, "\(row.note): \(e)")
            } catch {
                XCTFail("\(row.note): unexpected error \(error)")
            }
        }
    }

    func testValidBoundaryScalarsAreAccepted() throws {
        let table: [(bytes: [UInt8], scalar: UInt32, note: String)] = [
            ([0xC2, 0x80], 0x80, "smallest two-byte scalar (a C1 control)"),
            ([0xE0, 0xA0, 0x80], 0x800, "smallest three-byte scalar"),
            ([0xED, 0x9F, 0xBF], 0xD7FF, "just below the surrogates"),
            ([0xEE, 0x80, 0x80], 0xE000, "just above the surrogates (private use)"),
            ([0xF0, 0x90, 0x80, 0x80], 0x10000, "smallest four-byte scalar"),
            ([0xF4, 0x8F, 0xBF, 0xBF], 0x10FFFF, "largest scalar"),
        ]
        for row in table {
            let n = try normalize(row.bytes)
            XCTAssertEqual(n.scalars, [row.scalar], row.note)
        }
    }

    func testFirstInvalidOffset() {
        let table: [(bytes: [UInt8], expected: Int?, note: String)] = [
            ([], nil, "empty"),
            (Array("abc東京".utf8), nil, "valid"),
            ([0x61, 0x80], 1, "lone continuation"),
            ([0x61, 0xED, 0xA0, 0x80], 1, "surrogate"),
            ([0x61, 0x62, 0x63, 0xF0, 0x9F], 3, "truncated"),
        ]
        for row in table {
            let got = row.bytes.withUnsafeBufferPointer { UTF8Decoder.firstInvalidOffset($0) }
            XCTAssertEqual(got, row.expected, row.note)
        }
    }

    func testUTF8EncodeDecodeRoundTrip() {
        for scalar: UInt32 in [0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0x4E00, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x2000B, 0x10FFFF] {
            var bytes: [UInt8] = []
            UTF8Decoder.encode(scalar, into: &bytes)
            XCTAssertEqual(bytes, Array(String(Unicode.Scalar(scalar)!).utf8), "encode U+\(String(scalar, radix: 16))")
            let decoded = bytes.withUnsafeBufferPointer { UTF8Decoder.decode($0.baseAddress!, 0, $0.count) }
            XCTAssertEqual(decoded?.0, scalar)
            XCTAssertEqual(decoded?.1, bytes.count)
        }
    }
}

extension NormalizerTests {
    /// The BMP bitmap behind `extendsCluster` agrees with its definition for every scalar.
    func testClusterExtenderBitmapMatchesDefinition() {
        for s in UInt32(0) ..< 0x10000 where !(0xD800 ... 0xDFFF).contains(s) {
            XCTAssertEqual(Normalizer.extendsCluster(s), Normalizer.computeExtendsCluster(s), String(s, radix: 16))
        }
    }

    /// Without the offset map (as indexing runs) the normalized scalars are the same.
    func testNormalizingWithoutOffsetsGivesTheSameScalars() throws {
        let n = Normalizer(.version1)
        for text in ["當(dāng)前位置", "Ｆｕｌｌ－ｗｉｄｔｈ ㈱ ｶﾞｷﾞ", "e\u{301}cole 東京(dōng)", "(2016) 重慶(Chongqing)"] {
            var a = NormalizedText(), b = NormalizedText()
            b.tracksOffsets = false
            var t = text
            try t.withUTF8 { try n.normalize($0, into: &a) }
            try t.withUTF8 { try n.normalize($0, into: &b) }
            XCTAssertEqual(a.scalars, b.scalars, text)
            XCTAssertTrue(b.starts.isEmpty && b.artifacts.isEmpty)
        }
    }
}
