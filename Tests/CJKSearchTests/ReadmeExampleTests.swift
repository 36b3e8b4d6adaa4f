import XCTest
import CJKSearch   // public API only, as an app would use it

/// The README's API example, verbatim but for the directory.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExample() throws {
        let directory = makeTemporaryDirectory(self) + "/example-index"
        // --- README ---
        let index = try SearchIndex.openOrCreate(at: directory)
        let writer = try index.writer()
        try writer.add(Document(id: "cq-1", title: "重慶經開區", body: "胡衡華在重慶經開區調研時強調……",
                                fields: ["url": "https://example.com/cq-1"]))
        try writer.add(Document(id: "tokyo", title: "東京", body: "東京都は日本の首都です。"))
        try writer.delete(id: "old-page")
        try writer.commit()                        // durable and visible, atomically
        writer.close()

        let searcher = try index.searcher()        // a snapshot: Sendable, safe from many threads
        let results = try searcher.search("經開區", limit: 10)
        print(results.totalCount)                  // matches: exact up to 1,000 (see isTotalCountExact)
        for hit in results.hits {
            print(hit.id, hit.score, hit.snippet?.marked(open: "[", close: "]") ?? "")
        }
        // A query built in code: 重慶 AND (經開區 OR 開發區) AND NOT 廣告
        let q: Query = .and([.text("重慶"), .or([.text("經開區"), .text("開發區")]), .not(.text("廣告"))])
        let custom = try searcher.search(q, limit: 5, options: SearchOptions(bm25: BM25(k1: 1.5, b: 0.6), titleBoost: 3))
        print(custom.hits.map(\.id), try searcher.stats().documents)
        // Fewer exact matches than the limit: relaxed ones follow, each marked with how it matched.
        let loose = try searcher.search("重慶經開區調研活動", limit: 5)
        for hit in loose.allHits { print(hit.match, hit.id) }
        if let first = loose.allHits.first { print(try searcher.explain("重慶經開區調研活動", id: first.id)?.description ?? "") }
        // --- end ---
        XCTAssertEqual(loose.hits.count, 0)
        XCTAssertEqual(loose.relaxedHits.map(\.id), ["cq-1"])
        XCTAssertEqual(loose.relaxedHits.first?.match, .someTerms)
        XCTAssertEqual(results.totalCount, 1)
        XCTAssertEqual(results.hits.first?.snippet?.marked(open: "[", close: "]"), "胡衡華在重慶[經開區]調研時強調……")
        XCTAssertEqual(custom.hits.map(\.id), ["cq-1"])
        XCTAssertEqual(try searcher.document(id: "cq-1")?.fields["url"], "https://example.com/cq-1")
    }
}
