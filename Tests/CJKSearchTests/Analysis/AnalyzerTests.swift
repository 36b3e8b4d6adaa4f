import XCTest
@testable import CJKSearch

/// Analyzer: the tokens (kind, term, position), the CJK presence characters and the field length.
final class AnalyzerTests: XCTestCase {

    // MARK: Helpers

    /// Folding off by default here, as in the table of the Analyzer's documentation (folding has
    /// its own tests, ChineseFoldingTests).
    private func analyze(_ s: String, _ analysis: AnalysisOptions = .version1) throws -> AnalyzedField {
        var field = AnalyzedField()
        try Analyzer(analysis).analyze(s, into: &field)
        return field
    }

    private static func string(_ scalars: [UInt32]) -> String {
        var v = String.UnicodeScalarView()
        for s in scalars { v.append(Unicode.Scalar(s)!) }
        return String(v)
    }

    /// Renders tokens as "東京@0 京都@1 都$@2 iphone@3": a bigram is its two characters, a run end
    /// its character followed by "$", a word its normalized text; then "@" and the position.
    private static func render(_ field: AnalyzedField) -> String {
        field.tokens.map { t -> String in
            switch t.kind {
            case .bigram: return string([t.first, t.second]) + "@\(t.position)"
            case .runEnd: return string([t.first]) + "$@\(t.position)"
            case .word: return string(Array(field.text.scalars[Int(t.start) ..< Int(t.end)])) + "@\(t.position)"
            }
        }.joined(separator: " ")
    }

    // MARK: Token tables

    func testTokenTable() throws {
        let table: [(input: String, tokens: String, cjk: String, length: Int, note: String)] = [
            // Chinese
            ("东京都", "东京@0 京都@1 都$@2", "东京都", 3, "simplified: overlapping bigrams, run end"),
            ("中华人民共和国", "中华@0 华人@1 人民@2 民共@3 共和@4 和国@5 国$@6", "中华人民共和国", 7, "simplified, longer run"),
            ("重慶經開區", "重慶@0 慶經@1 經開@2 開區@3 區$@4", "重慶經開區", 5, "traditional"),
            ("重庆，经开区。", "重庆@0 庆$@1 经开@2 开区@3 区$@4", "重庆经开区", 5, "full-width comma and 。 split runs and take no position"),
            ("當(dāng)前", "當前@0 前$@1", "當前", 2, "pinyin artifact removed before tokenizing"),
            // Japanese
            ("東京都は、日本の首都", "東京@0 京都@1 都は@2 は$@3 日本@4 本の@5 の首@6 首都@7 都$@8",
             "東京都は日本の首都", 9, "kana and kanji form one run; 、 separates"),
            ("コーヒー", "コー@0 ーヒ@1 ヒー@2 ー$@3", "コーヒー", 4, "prolonged sound mark ー is CJK"),
            ("ジョン・スミス", "ジョ@0 ョン@1 ン$@2 スミ@3 ミス@4 ス$@5", "ジョンスミス", 6, "katakana middle dot ・ separates"),
            ("人々", "人々@0 々$@1", "人々", 2, "iteration mark 々 is CJK"),
            ("iPhone買った", "iphone@0 買っ@1 った@2 た$@3", "買った", 4, "Latin word then CJK run"),
            ("4月4日", "4@0 月$@1 4@2 日$@3", "月日", 4, "digits between CJK characters"),
            ("東京 tower", "東京@0 京$@1 tower@2", "東京", 3, "CJK then a word after a space"),
            ("東京Tower2", "東京@0 京$@1 tower2@2", "東京", 3, "word adjacent to CJK, letters and digits together"),
            // Korean
            ("한국어", "한국@0 국어@1 어$@2", "한국어", 3, "Hangul syllables are bigrammed"),
            ("한국어 공부", "한국@0 국어@1 어$@2 공부@3 부$@4", "한국어공부", 5, "space splits Hangul runs"),
            // Full-width and half-width forms
            ("ｉＰｈｏｎｅ１５", "iphone15@0", "", 1, "full-width Latin and digits become one ASCII word"),
            ("ｶﾞｷﾞ", "ガギ@0 ギ$@1", "ガギ", 2, "half-width katakana with voiced marks"),
            ("４月", "4@0 月$@1", "月", 2, "full-width digit"),
            ("㈱東芝", "株$@0 東芝@1 芝$@2", "株東芝", 3, "㈱ → (株): parentheses separate"),
            // Latin, digits, other scripts
            ("Hello, World!", "hello@0 world@1", "", 2, "punctuation separates words"),
            ("a,b", "a@0 b@1", "", 2, "comma between words"),
            ("3.14", "3@0 14@1", "", 2, "period splits numbers"),
            ("foo_bar", "foo@0 bar@1", "", 2, "underscore is a separator"),
            ("café", "café@0", "", 1, "Latin with accent is one word"),
            ("cafe\u{0301}", "café@0", "", 1, "decomposed accent composes"),
            ("Привет мир", "привет@0 мир@1", "", 2, "Cyrillic words"),
            ("co\u{00AD}operate", "cooperate@0", "", 1, "soft hyphen does not split a word"),
            ("東\u{200B}京", "東京@0 京$@1", "東京", 2, "zero-width space does not split a CJK run"),
            // Emoji, symbols, edge cases
            ("🎉!", "", "", 0, "emoji and punctuation give no tokens"),
            ("東🎉京", "東$@0 京$@1", "東京", 2, "emoji splits a CJK run"),
            ("★☆→", "", "", 0, "symbols only"),
            ("日", "日$@0", "日", 1, "a lone CJK character is a run end"),
            ("", "", "", 0, "empty text"),
            ("   ", "", "", 0, "spaces only"),
            ("a", "a@0", "", 1, "single letter"),
        ]
        for row in table {
            let f = try analyze(row.input)
            XCTAssertEqual(Self.render(f), row.tokens, "\(row.note): \(row.input)")
            XCTAssertEqual(Self.string(f.cjkCharacters), row.cjk, "presence characters — \(row.note): \(row.input)")
            XCTAssertEqual(f.length, row.length, "length — \(row.note): \(row.input)")
        }
    }

    /// Token kinds and start/end indices, not just the rendering.
    func testTokenFields() throws {
        let f = try analyze("ab東京c")
        // normalized: a b 東 京 c
        let got = f.tokens.map { ($0.kind, $0.start, $0.end, $0.position) }
        let expected: [(TokenKind, Int32, Int32, UInt32)] = [
            (.word, 0, 2, 0),      // "ab": normalized scalars 0..<2
            (.bigram, 2, 3, 1),    // 東京: first character's index, end is index + 1
            (.runEnd, 3, 4, 2),    // 京
            (.word, 4, 5, 3),      // "c"
        ]
        XCTAssertEqual(got.count, expected.count)
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g.0, e.0); XCTAssertEqual(g.1, e.1); XCTAssertEqual(g.2, e.2); XCTAssertEqual(g.3, e.3)
        }
    }

    /// originalRange maps tokens back to the original UTF-8.
    func testOriginalRange() throws {
        let input = "Ｔｏｋｙｏ 東京"
        let bytes = Array(input.utf8)
        let f = try analyze(input)
        XCTAssertEqual(Self.render(f), "tokyo@0 東京@1 京$@2")
        // Folded, the tokens change and their original ranges do not.
        let folded = try analyze(input, AnalysisOptions())
        XCTAssertEqual(Self.render(folded), "tokyo@0 东京@1 京$@2")
        XCTAssertEqual(folded.text.starts, f.text.starts)
        XCTAssertEqual(folded.text.ends, f.text.ends)
        let table: [(token: Int, expected: String, note: String)] = [
            (0, "Ｔｏｋｙｏ", "word maps to its full-width source"),
            (1, "東", "bigram's first character"),
            (2, "京", "run end"),
        ]
        for row in table {
            let t = f.tokens[row.token]
            let r = f.originalRange(normalizedStart: Int(t.start), normalizedEnd: Int(t.end))
            XCTAssertEqual(String(decoding: bytes[r], as: UTF8.self), row.expected, row.note)
        }
    }

    // MARK: Long words

    func testWordLongerThanMaxWordBytesIsSkippedButTakesAPosition() throws {
        let max = Analyzer.maxWordBytes
        let table: [(input: String, tokens: String, length: Int, note: String)] = [
            (String(repeating: "a", count: max) + " b", String(repeating: "a", count: max) + "@0 b@1", 2,
             "exactly maxWordBytes: indexed"),
            (String(repeating: "a", count: max + 1) + " b", "b@1", 2, "one byte over: skipped, b keeps position 1"),
            (String(repeating: "é", count: 127) + " b", String(repeating: "é", count: 127) + "@0 b@1", 2,
             "127 two-byte letters = 254 bytes: indexed"),
            (String(repeating: "é", count: 128) + " b", "b@1", 2, "128 two-byte letters = 256 bytes: skipped"),
            ("東" + String(repeating: "x", count: 300) + "京", "東$@0 京$@2", 3, "long word between CJK characters"),
            (String(repeating: "x", count: 1000), "", 1, "only a long word: no tokens, length 1"),
        ]
        for row in table {
            let f = try analyze(row.input)
            XCTAssertEqual(Self.render(f), row.tokens, row.note)
            XCTAssertEqual(f.length, row.length, row.note)
        }
    }

    // MARK: Reuse and invalid input

    func testAnalyzerReuseClearsOutput() throws {
        let analyzer = Analyzer()
        var f = AnalyzedField()
        try analyzer.analyze("東京都 tower", into: &f)
        try analyzer.analyze("日", into: &f)
        XCTAssertEqual(Self.render(f), "日$@0")
        XCTAssertEqual(Self.string(f.cjkCharacters), "日")
        XCTAssertEqual(f.length, 1)
    }

    func testAnalyzeInvalidUTF8Throws() {
        let bytes: [UInt8] = [0x61, 0x20, 0xE6, 0x9D]
        var f = AnalyzedField()
        do {
            try bytes.withUnsafeBufferPointer { try Analyzer().analyze($0, into: &f) }
            XCTFail("invalid UTF-8 accepted")
        } catch let e as SearchError {
            XCTAssertEqual(e.code, .invalidInput)
            XCTAssertEqual(e.offset, 2)
        } catch {
            XCTFail("unexpected error \(error)")
        }
    }

    // MARK: Script classes

    func testScriptClassification() {
        let table: [(scalar: UInt32, expected: CharClass, note: String)] = [
            (0x61, .word, "a"), (0x30, .word, "0"), (0x20, .separator, "space"), (0x2D, .separator, "-"),
            (0x4E00, .cjk, "一"), (0x9FFF, .cjk, "last unified ideograph"), (0x3400, .cjk, "Ext A"),
            (0x20000, .cjk, "Ext B"), (0x3041, .cjk, "ぁ"), (0x30A1, .cjk, "ァ"), (0x30FC, .cjk, "ー"),
            (0x30FB, .separator, "・ katakana middle dot"), (0x30A0, .separator, "゠"),
            (0xAC00, .cjk, "가"), (0xD7A3, .cjk, "힣"), (0x1100, .cjk, "Hangul jamo"),
            (0x3005, .cjk, "々"), (0x3007, .cjk, "〇"), (0xF900, .cjk, "compatibility ideograph"),
            (0x3001, .separator, "、"), (0x3002, .separator, "。"), (0x300C, .separator, "「"),
            (0x1F389, .separator, "🎉"), (0x00E9, .word, "é"), (0x0430, .word, "Cyrillic а"),
            (0x0E01, .word, "Thai ก"), (0x0301, .word, "combining acute"), (0x2460, .word, "① (other number)"),
        ]
        for row in table {
            XCTAssertEqual(Script.classify(row.scalar), row.expected, row.note)
        }
    }
}
