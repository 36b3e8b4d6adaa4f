import XCTest
@testable import CJKSearch

/// Titles of plain-text pages: navigation and contact headers are passed over.
final class PageTitleTests: XCTestCase {
    func testNavigationLines() {
        let table: [(String, Bool, String)] = [
            ("當(dāng)前位置:首頁 > 首頁推薦 > 重慶 > 正文", true, "breadcrumb"),
            ("首頁(yè) > cdxw > 中新網(wǎng)四川", true, "breadcrumb with pinyin"),
            ("您的位置：首页 > 新闻", true, "one separator after a location label"),
            ("当前位置", true, "a location label alone"),
            ("新聞熱線:023-61520695 舉報電話:023-61520697", true, "hotline"),
            ("中新社四川分社正文", true, "section label ending in 正文"),
            ("正文", true, "too short"),
            ("ホーム › ニュース › 国内", true, "Japanese breadcrumb"),
            ("胡衡華:推進特色優勢產業聚集 加快構建現代產業體系", false, "headline"),
            ("[經濟日報]重慶 穩進增效促高質量項目落地", false, "headline with a source"),
            ("武侯區產業園區高質量發展大會召開", false, "headline"),
            ("電話會議在京召開", false, "a headline that mentions 電話 without a number"),
            ("正文與附件的區別：如何寫好公文正文", false, "long line ending in 正文"),
            ("東京 > 大阪", false, "one separator, no label"),
        ]
        for (line, expected, note) in table {
            XCTAssertEqual(PageTitle.isNavigation(line[...]), expected, note)
        }
    }

    func testSplit() {
        let (t1, b1) = PageTitle.split("當前位置:首頁 > 重慶 > 正文\n\n真正的標題在這裡\n正文第一段\n")
        XCTAssertEqual(t1, "真正的標題在這裡")
        XCTAssertEqual(b1, "當前位置:首頁 > 重慶 > 正文\n\n正文第一段\n")
        let (t2, b2) = PageTitle.split("標題一行\n內容")
        XCTAssertEqual(t2, "標題一行")
        XCTAssertEqual(b2, "內容")
        let (t3, b3) = PageTitle.split("首頁 > 新聞 > 國內\n新聞熱線:023-61520695")   // nothing but headers: the first line
        XCTAssertEqual(t3, "首頁 > 新聞 > 國內")
        XCTAssertEqual(b3, "新聞熱線:023-61520695")
        let (t4, b4) = PageTitle.split("只有一行")
        XCTAssertEqual(t4, "只有一行")
        XCTAssertEqual(b4, "")
        XCTAssertEqual(PageTitle.split("").title, "")
        // Windows line ends ("\r\n" is one Character).
        let (t5, b5) = PageTitle.split("當前位置:首頁 > 重慶 > 正文\r\n真正的標題\r\n內容\r\n")
        XCTAssertEqual(t5, "真正的標題")
        XCTAssertEqual(b5, "當前位置:首頁 > 重慶 > 正文\r\n內容\r\n")
    }

    /// The bundled pages get their headlines as titles.
    func testBundledCorpusTitles() throws {
        let titles = Dictionary(uniqueKeysWithValues: try TestCorpus.corpusDocuments().map { ($0.id.split(separator: "/").last.map(String.init) ?? $0.id, $0.title) })
        XCTAssertEqual(titles["000_e5b6ae4aa6c02ba4.txt"]?.hasPrefix("胡衡華在重慶經(jīng)開區(qū)調(diào)研"), true, titles["000_e5b6ae4aa6c02ba4.txt"] ?? "")
        XCTAssertEqual(titles["001_7736c2862d5d12bf.txt"]?.hasPrefix("胡衡華:推進"), true, titles["001_7736c2862d5d12bf.txt"] ?? "")
        XCTAssertEqual(titles["002_6d643657cc6bd2cc.txt"]?.hasPrefix("武侯區(qū)產(chǎn)業(yè)園區(qū)"), true, titles["002_6d643657cc6bd2cc.txt"] ?? "")
        XCTAssertEqual(titles["003_6ae927c52d330647.txt"]?.hasPrefix("[經(jīng)濟(jì)日報(bào)]重慶"), true)
        XCTAssertEqual(titles["004_f1aac2ba4ab8f433.txt"]?.hasPrefix("涪陵區(qū)推動"), true)
    }
}
