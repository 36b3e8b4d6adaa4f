import XCTest
@testable import CJKSearch

/// Snippets stay exact for many query terms and bounded for huge bodies.
final class SnippetTests: XCTestCase {
    func searcher(_ docs: [Document]) throws -> Searcher {
        let dir = makeTemporaryDirectory(self)
        try TestCorpus.buildIndex(at: dir, docs)
        return try SearchIndex.open(at: dir).searcher()
    }

    /// Every term of a 300-term OR is highlighted where it occurs, each as its own span.
    func testEveryLeafOfAManyTermQueryIsHighlighted() throws {
        let words = (0 ..< 300).map { "w\($0)x" }
        let s = try searcher([Document(id: "a", body: words.joined(separator: " ") + " 重慶經開區")])
        let query = words.reversed().joined(separator: " OR ") + " OR 經開"
        let options = SearchOptions(snippetLength: 100_000)
        let snippet = try XCTUnwrap(s.search(query, limit: 1, options: options).hits.first?.snippet)
        let marked = snippet.highlights.map { String(snippet.text[$0]) }
        XCTAssertEqual(marked, words + ["經開"])
    }

    /// A phrase and a term overlapping it make one merged span; a character query marks each occurrence.
    func testOverlappingAndRepeatedMatches() throws {
        let s = try searcher([Document(id: "a", body: "重慶經開區，重慶！")])
        XCTAssertEqual(try s.search("\"重慶經\" 經開區").hits.first?.snippet?.marked(), "<mark>重慶經開區</mark>，重慶！")
        XCTAssertEqual(try s.search("慶").hits.first?.snippet?.marked(), "重<mark>慶</mark>經開區，重<mark>慶</mark>！")
    }

    /// A body is analyzed for its snippet up to ``SnippetBuilder/maxAnalyzedBytes``: a match
    /// there is marked; a match only further on still finds the page, whose snippet is then its
    /// start, cut with "…".
    func testHugeBodiesAreAnalyzedOnlyUpToTheLimit() throws {
        let filler = String(repeating: "一二三四五六七八九十", count: SnippetBuilder.maxAnalyzedBytes / 30 + 100)
        let s = try searcher([Document(id: "a", body: "重慶" + filler + "經開區")])
        let early = try XCTUnwrap(s.search("重慶").hits.first?.snippet)
        XCTAssertEqual(early.highlights.map { String(early.text[$0]) }, ["重慶"])
        XCTAssertTrue(early.text.hasSuffix("…"))
        let lateHits = try s.search("經開區").hits
        XCTAssertEqual(lateHits.map(\.id), ["a"])
        let late = try XCTUnwrap(lateHits.first?.snippet)
        XCTAssertEqual(late.highlights, [])
        XCTAssertTrue(late.text.hasPrefix("重慶一二三"))
        XCTAssertTrue(late.text.hasSuffix("…"))
    }

    /// The cut falls on a character boundary, whatever the bytes at the limit.
    func testTheAnalyzedPrefixEndsOnACharacter() {
        for shift in 0 ..< 4 {
            let body = String(repeating: "a", count: shift) + String(repeating: "重😀", count: 100)
            for limit in [1, 2, 3, 7, 50, 10_000] {
                let p = SnippetBuilder.analyzedPrefix(body, limit: limit)
                XCTAssertLessThanOrEqual(p.utf8.count, limit)
                XCTAssertGreaterThan(p.utf8.count, min(limit, body.utf8.count) - 4)
                XCTAssertTrue(body.hasPrefix(p))
            }
        }
    }
}
