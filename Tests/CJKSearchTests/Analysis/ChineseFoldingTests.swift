import XCTest
@testable import CJKSearch

/// Traditional → simplified folding: the table, the normalizer with it on and off, the manifest
/// that records it, and search across scripts with snippets on the page's own characters.
final class ChineseFoldingTests: XCTestCase {
    func testTable() throws {
        let cases: [(String, String)] = [
            ("重慶", "重庆"), ("經開區", "经开区"), ("當前位置", "当前位置"),
            ("發", "发"), ("髮", "发"),            // many to one
            ("乾", "干"), ("幹", "干"),
            ("後", "后"), ("裡", "里"), ("裏", "里"), ("臺", "台"),
            ("著", "著"),                          // first candidate is itself: simplified text uses it
            ("重庆", "重庆"), ("学习", "学习"),     // simplified stays
            ("ひらがな", "ひらがな"), ("한국어", "한국어"), ("abc", "abc"),
            // Japanese new forms fold where their old forms do, unless they are Chinese characters too.
            ("広", "广"), ("廣", "广"), ("駅", "驿"), ("気", "气"), ("図", "图"),
            ("予", "予"), ("芸", "芸"), ("国", "国"), ("學", "学"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(text(try normalized(input, AnalysisOptions(foldsKana: false))), expected, input)
        }
        XCTAssertEqual(ChineseFolding.parsedPairs.count, 3417)
    }

    /// Folding is idempotent and never maps outside the ideographs.
    func testIdempotentOverTheWholeTable() {
        for (from, to) in ChineseFolding.parsedPairs {
            XCTAssertNotEqual(from, to)
            XCTAssertEqual(ChineseFolding.fold(from), to)
            XCTAssertEqual(ChineseFolding.fold(to), to, "\(String(from, radix: 16)) → \(String(to, radix: 16)) folds again")
            XCTAssertTrue(Script.isHan(from) && Script.isHan(to), String(from, radix: 16))
        }
        // Supplementary-plane keys go through the dictionary.
        let supplementary = ChineseFolding.parsedPairs.filter { $0.0 >= 0x20000 }
        XCTAssertGreaterThan(supplementary.count, 10)
        for (from, to) in supplementary { XCTAssertEqual(ChineseFolding.fold(from), to) }
    }

    func testOffFoldsNothing() throws {
        XCTAssertEqual(text(try normalized("重慶經開區", .version1)), "重慶經開區")
    }

    /// Folded characters keep their original byte ranges, also through the slow NFKC path (a
    /// compatibility ideograph) and the pinyin artifact removal.
    func testOffsetsStayOnTheOriginal() throws {
        let s = "當(dāng)前重慶\u{F907}"   // U+F907 is a compatibility form of 龜
        let n = try normalized(s)
        XCTAssertEqual(text(n), "当前重庆龟")
        let bytes = Array(s.utf8)
        func original(_ i: Int) -> String { String(decoding: bytes[Int(n.starts[i]) ..< Int(n.ends[i])], as: UTF8.self) }
        XCTAssertEqual((0 ..< n.count).map(original), ["當", "前", "重", "慶", "\u{F907}"])
        XCTAssertEqual(n.artifacts.count, 1)
    }

    func testSearchAcrossScriptsWithSnippetsOnTheOriginal() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = [
            Document(id: "t", title: "重慶新聞", body: "胡衡華在重慶經開區調研"),
            Document(id: "s", title: "重庆新闻", body: "胡衡华在重庆经开区调研"),
            Document(id: "x", title: "東京", body: "無關的頁面"),
        ]
        let index = try TestCorpus.buildIndex(at: dir, docs)
        let searcher = try index.searcher()
        for q in ["重慶經開區", "重庆经开区", "重慶经开區"] {
            let r = try searcher.search(q, limit: 10)
            XCTAssertEqual(Set(r.hits.map(\.id)), ["t", "s"], q)
        }
        let r = try searcher.search("重庆", limit: 10)
        let marked = r.hits.first { $0.id == "t" }?.snippet?.marked(open: "[", close: "]")
        XCTAssertEqual(marked, "胡衡華在[重慶]經開區調研")
        XCTAssertEqual(try index.analysis(), AnalysisOptions())
        XCTAssertTrue(try searcher.stats().analysis.foldsTraditionalToSimplified)

        // Folding off: each script finds only itself.
        let offDir = makeTemporaryDirectory(self)
        let off = try TestCorpus.buildIndex(at: offDir, docs, analysis: AnalysisOptions(foldsTraditionalToSimplified: false, foldsKana: false))
        XCTAssertEqual(try off.searcher().search("重慶經開區", limit: 10).hits.map(\.id), ["t"])
        XCTAssertEqual(try off.searcher().search("重庆经开区", limit: 10).hits.map(\.id), ["s"])

        // Indexes analyzed differently are neither searched nor merged together, and an existing
        // index keeps its analysis.
        assertThrowsSearchError(.invalidInput) { _ = try SearchIndex.searcher(over: [index, off]) }
        assertThrowsSearchError(.invalidInput) {
            let w = try index.writer()
            defer { w.close() }
            _ = try w.merge(adding: [off])
        }
        assertThrowsSearchError(.invalidInput) {
            _ = try SearchIndex.openOrCreate(at: offDir, analysis: AnalysisOptions())
        }
        XCTAssertNoThrow(try SearchIndex.openOrCreate(at: offDir))
    }

    /// An index written before analysis options were recorded (analyzer version 1: no flags)
    /// still opens, with folding off, as it was built; the next commit records that.
    func testVersion1ManifestReadsAsFoldingOff() throws {
        let dir = makeTemporaryDirectory(self)
        let index = try TestCorpus.buildIndex(at: dir, [Document(id: "t", title: "", body: "重慶經開區")],
                                              analysis: .version1)
        // Rewrite the manifest as version 1: AnalyzerVersion 1 and no AnalysisFlags.
        let m = try Manifest.read(directory: dir)
        var w = ByteWriter()
        w.u64(m.generation)
        w.u64(m.nextSegmentNumber)
        w.u32(1)
        w.u32(UInt32(m.segments.count))
        for s in m.segments {
            w.string(s.name)
            w.u64(s.segmentID)
            w.u32(UInt32(s.documentCount))
            w.u32(UInt32(s.deletedCount))
            w.u32(UInt32(s.deletionsGeneration))
        }
        try FileIO.atomicReplace(dir + "/" + Manifest.fileName,
                                 FileFormat.build(kind: .manifest, identity: m.generation, sections: [(1, w.bytes)]), directory: dir)
        XCTAssertEqual(try index.analysis(), .version1)
        XCTAssertEqual(try index.searcher().search("重慶經開區").hits.map(\.id), ["t"])
        XCTAssertEqual(try index.searcher().search("重庆经开区").totalCount, 0)
        let writer = try index.writer()
        try writer.add(Document(id: "u", title: "", body: "重慶"))
        try writer.commit()
        writer.close()
        XCTAssertEqual(try index.analysis(), .version1)
        XCTAssertEqual(try index.searcher().search("重慶").totalCount, 2)
    }

    func testUnknownAnalysisFlagsAreRefused() throws {
        let dir = makeTemporaryDirectory(self)
        _ = try SearchIndex.create(at: dir)
        for (version, flags, code) in [(UInt32(2), UInt32(4), SearchError.Code.formatTooNew), (2, 0x8000_0003, .formatTooNew),
                                       (3, 1, .formatTooNew), (0, 1, .formatTooOld)] {
            var w = ByteWriter()
            w.u64(1)
            w.u64(1)
            w.u32(version)
            w.u32(flags)
            w.u32(0)
            try FileIO.atomicReplace(dir + "/" + Manifest.fileName,
                                     FileFormat.build(kind: .manifest, identity: 1, sections: [(1, w.bytes)]), directory: dir)
            assertThrowsSearchError(code) { _ = try Manifest.read(directory: dir) }
        }
    }
}
