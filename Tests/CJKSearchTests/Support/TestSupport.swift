import Foundation
import XCTest
@testable import CJKSearch

/// A deterministic random number generator (SplitMix64) so that random tests repeat exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh temporary directory, removed at the end of the test.
func makeTemporaryDirectory(_ test: XCTestCase, file: StaticString = #filePath) -> String {
    let dir = NSTemporaryDirectory() + "cjksearch-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

enum TestCorpus {
    /// The repository's Corpus/ directory.
    static var corpusDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus").path
    }

    /// The bundled sample pages as documents (id = "Corpus/<file>").
    static func corpusDocuments() throws -> [Document] {
        var docs: [Document] = []
        for f in try InputReader.expand([corpusDirectory]) {
            try InputReader.read(path: f, onDocument: { d in
                var d = d
                d.id = "Corpus/" + (f as NSString).lastPathComponent
                docs.append(d)
            }, onSkip: { XCTFail("skipped \($0)") })
        }
        return docs
    }

    static let chineseSimplified = [
        "重庆市政府今天召开新闻发布会，介绍经济发展情况。", "人工智能技术正在改变我们的生活方式。",
        "北京大学和清华大学都是中国著名的高等学府。", "今年第一季度，全市地区生产总值同比增长百分之六。",
        "长江经济带建设要坚持生态优先、绿色发展。", "中国信息通信研究院发布了最新的研究报告。",
        "他在会上强调，要加快推进高质量发展。", "这家公司的新产品在市场上很受欢迎。",
        "上海浦东新区的金融中心吸引了大量外资。", "成渝地区双城经济圈建设取得新进展。",
    ]
    static let chineseTraditional = [
        "重慶市政府今天召開新聞發布會，介紹經濟發展情況。", "人工智慧技術正在改變我們的生活方式。",
        "臺北市的捷運系統非常方便。", "香港貿發局香港辦事處舉辦了展覽。",
        "他在會上強調，要加快推進高質量發展。", "成渝地區雙城經濟圈建設取得新進展。",
    ]
    static let japanese = [
        "東京都は、日本の首都であり、世界有数の大都市です。", "昨日、新しいiPhoneを買った。とても便利です。",
        "京都の寺院は秋の紅葉がとても美しい。", "日本語の形態素解析は難しい問題です。",
        "カタカナとひらがなが混ざった文章を検索する。", "大阪の食べ物はおいしいと言われている。",
        "ｶﾀｶﾅの半角文字も全角に正規化されます。", "２０２４年の東京オリンピックではなく、パリ大会でした。",
        "ユーザーのリストをコンピューターで表示する。", "こんぴゅーたとゆーざーとサーバの違い。",
        "駅の広場で氣になる學生に会った。",
    ]
    static let korean = [
        "한국어는 한글로 표기하는 언어입니다.", "서울특별시는 대한민국의 수도이다.",
        "부산은 한국에서 두 번째로 큰 도시입니다.", "인공지능 기술이 빠르게 발전하고 있다.",
        "김치는 한국의 전통 음식이다.", "서울 지하철은 매우 편리하다.",
    ]
    static let latin = [
        "The quick brown fox jumps over the lazy dog.", "Search engines rank documents with BM25.",
        "Ｆｕｌｌ－ｗｉｄｔｈ letters and ① circled digits.", "Version 2.0 released on 2024-02-20.",
    ]

    /// Deterministic mixed-language documents built from the sentence pools above.
    static func mixedDocuments(count: Int, seed: UInt64) -> [Document] {
        var rng = SeededRandom(seed: seed)
        let pools = [chineseSimplified, chineseTraditional, japanese, korean, latin]
        var docs: [Document] = []
        for i in 0 ..< count {
            let main = pools[Int(rng.next() % UInt64(pools.count - 1))]
            var body = ""
            let sentences = 2 + Int(rng.next() % 8)
            for _ in 0 ..< sentences {
                let pool = rng.next() % 5 == 0 ? pools[Int(rng.next() % UInt64(pools.count))] : main
                body += pool[Int(rng.next() % UInt64(pool.count))]
                if rng.next() % 4 == 0 { body += "\n" }
            }
            let title = main[Int(rng.next() % UInt64(main.count))]
            docs.append(Document(id: String(format: "mixed-%04d", i), title: String(title.prefix(12)), body: body))
        }
        return docs
    }

    /// Applies a random stream of `steps` changes to `writer`: adds of documents from `pool` under
    /// ids `doc-0…doc-(ids-1)` (so ids repeat and replace) and, one time in `deleteOneIn`, deletes;
    /// commits every `commitEvery` steps. Returns the documents that should be live.
    static func applyRandomChanges(_ writer: IndexWriter, pool: [Document], seed: UInt64, steps: Int, ids: UInt64,
                                   deleteOneIn: UInt64, commitEvery: Int) throws -> [String: Document] {
        var rng = SeededRandom(seed: seed)
        var live: [String: Document] = [:]
        for step in 0 ..< steps {
            let id = "doc-\(rng.next() % ids)"
            if rng.next() % deleteOneIn == 0 {
                try writer.delete(id: id)
                live[id] = nil
            } else {
                var d = pool[Int(rng.next() % UInt64(pool.count))]
                d.id = id
                d.fields = ["step": String(step)]
                try writer.add(d)
                live[id] = d
            }
            if step % commitEvery == commitEvery - 1 { try writer.commit() }
        }
        return live
    }

    /// Builds an index at `directory` from `documents`, committing every `commitEvery` documents.
    @discardableResult
    static func buildIndex(at directory: String, _ documents: [Document], commitEvery: Int = .max,
                           options: IndexWriterOptions = IndexWriterOptions(),
                           analysis: AnalysisOptions = AnalysisOptions()) throws -> SearchIndex {
        let index = try SearchIndex.openOrCreate(at: directory, analysis: analysis)
        let writer = try index.writer(options: options)
        for (i, d) in documents.enumerated() {
            try writer.add(d)
            if (i + 1) % commitEvery == 0 { try writer.commit() }
        }
        try writer.commit()
        writer.close()
        return index
    }
}

/// Asserts that `body` throws a SearchError with `code`.
func assertThrowsSearchError(_ code: SearchError.Code, file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected SearchError \(code), nothing thrown", file: file, line: line)
    } catch let e as SearchError {
        XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
    } catch {
        XCTFail("expected SearchError \(code), got \(error)", file: file, line: line)
    }
}

/// `s` normalized as an index with `analysis` normalizes it.
func normalized(_ s: String, _ analysis: AnalysisOptions = AnalysisOptions()) throws -> NormalizedText {
    var out = NormalizedText()
    var s = s
    try s.withUTF8 { try Normalizer(analysis).normalize($0, into: &out) }
    return out
}

/// The normalized text as a String.
func text(_ n: NormalizedText) -> String {
    String(String.UnicodeScalarView(n.scalars.compactMap(Unicode.Scalar.init)))
}
