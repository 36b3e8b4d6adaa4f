import XCTest
@testable import CJKSearch

/// Kana folding (katakana → hiragana) and Korean compatibility jamo, in the normalizer and in
/// search.
final class KanaFoldingTests: XCTestCase {
    func testTable() throws {
        let cases: [(String, String, String)] = [
            ("リンゴ", "りんご", "katakana to hiragana"),
            ("りんご", "りんご", "hiragana stays"),
            ("コンピューター", "こんぴゅーたー", "the prolonged sound mark stays"),
            ("ーザーのリス", "ーざーのりす", "also in a piece of a word: one character for one"),
            ("ラーメン屋", "らーめん屋", "kanji stay"),
            ("ｺﾝﾋﾟｭｰﾀｰ", "こんぴゅーたー", "half-width katakana (NFKC first)"),
            ("ヴァイオリン", "ゔぁいおりん", "ヴ has a hiragana form"),
            ("ヷ", "ヷ", "ヷ has none"),
            ("サ-バ-", "さーばー", "hyphen-minus typed for the prolonged sound mark"),
            ("サ－バ－", "さーばー", "full-width hyphen-minus (NFKC: -)"),
            ("コンピュ−タ", "こんぴゅーた", "minus sign"),
            ("ラ—メン", "らーめん", "em dash"),
            ("さ-ば", "さ-ば", "after hiragana: a dash stays"),
            ("abc-def", "abc-def", "after Latin: a dash stays"),
            ("タワー-東京", "たわーー东京", "after ー too"),
            ("ヽヾ", "ゝゞ", "iteration marks"),
            ("東京タワー", "东京たわー", "kanji fold to simplified, katakana to hiragana"),
            ("ㅋㅋ", "\u{110F}\u{110F}", "Korean compatibility jamo become conjoining jamo (NFKC)"),
            ("\u{110F}\u{110F}", "\u{110F}\u{110F}", "which conjoining jamo stay"),
            ("한국어", "한국어", "syllables stay precomposed"),
        ]
        for (input, expected, note) in cases {
            XCTAssertEqual(text(try normalized(input)), expected, note)
        }
        XCTAssertEqual(text(try normalized("コンピューター", AnalysisOptions(foldsKana: false))), "コンピューター")
    }

    /// Every character keeps its original range.
    func testOffsets() throws {
        let s = "データー処理"
        let n = try normalized(s)
        XCTAssertEqual(text(n), "でーたー处理")   // 処 is a new form (of 處): 处
        let bytes = Array(s.utf8)
        let originals = (0 ..< n.count).map { String(decoding: bytes[Int(n.starts[$0]) ..< Int(n.ends[$0])], as: UTF8.self) }
        XCTAssertEqual(originals, ["デ", "ー", "タ", "ー", "処", "理"])
        XCTAssertEqual(n.starts.count, n.count)
        XCTAssertEqual(n.ends.count, n.count)
    }

    func testSearch() throws {
        let docs = [
            Document(id: "k", title: "", body: "新しいコンピューターを買った。リンゴも"),
            Document(id: "h", title: "", body: "こんぴゅーたとりんご"),
            Document(id: "x", title: "", body: "関係のないページ"),
        ]
        let on = try TestCorpus.buildIndex(at: makeTemporaryDirectory(self), docs).searcher()
        let exact = SearchOptions(relaxation: false)
        for (q, ids) in [("コンピュータ", ["h", "k"]), ("コンピューター", ["k"]), ("りんご", ["h", "k"]), ("リンゴ", ["h", "k"])] {
            XCTAssertEqual(Set(try on.search(q, options: exact).hits.map(\.id)), Set(ids), q)
        }
        // The snippet marks the page's katakana.
        let hit = try XCTUnwrap(try on.search("りんご", options: exact).hits.first { $0.id == "k" })
        XCTAssertEqual(hit.snippet?.marked(open: "[", close: "]"), "新しいコンピューターを買った。[リンゴ]も")
        let off = try TestCorpus.buildIndex(at: makeTemporaryDirectory(self), docs, analysis: AnalysisOptions(foldsKana: false)).searcher()
        XCTAssertEqual(try off.search("リンゴ", options: exact).hits.map(\.id), ["k"])
        XCTAssertEqual(try off.search("コンピュータ", options: exact).hits.map(\.id), ["k"])
        XCTAssertEqual(try off.search("コンピューター", options: exact).hits.map(\.id), ["k"])
    }
}
