import XCTest
@testable import CJKSearch

final class SearchTests: XCTestCase {
    func corpusSearcher() throws -> Searcher {
        let dir = makeTemporaryDirectory(self)
        return try TestCorpus.buildIndex(at: dir, try TestCorpus.corpusDocuments()).searcher()
    }

    /// The acceptance case: 重慶經開區 (which the page writes as 重慶經(jīng)開區) finds the right page first,
    /// with the phrase marked in its snippet.
    func testFindsChongqingEconomicZoneFirstWithMarkedSnippet() throws {
        let results = try corpusSearcher().search("重慶經開區")
        XCTAssertEqual(results.hits.first?.id, "Corpus/000_e5b6ae4aa6c02ba4.txt")
        let marked = try XCTUnwrap(results.hits.first?.snippet).marked()
        XCTAssertTrue(marked.contains("<mark>重慶經開區</mark>"), marked)
    }

    func testQueryClasses() throws {
        let s = try corpusSearcher()
        // Table: query → expected number of matching documents, from a scan of the pages.
        let table: [(String, Int)] = [
            ("重慶", 4),                    // pages 000, 001, 003, 004
            ("經開區", 1),                  // only page 000 (through the pinyin artifact)
            ("當前位置", 1),                // 當(dāng)前位置 in page 000
            ("重慶 胡衡華", 2),              // AND
            ("涪陵 OR 經開區", 2),          // OR
            ("重慶 -涪陵", 3),              // exclusion
            ("\"重慶 經開區\"", 1),          // phrase over two CJK runs
            ("(涪陵 OR 經開區) 重慶", 2),    // group
            ("zzzz", 0),
            ("023", 1),                     // digits as a word
        ]
        for (q, n) in table {
            XCTAssertEqual(try s.count(q), n, q)
        }
    }

    /// A query's text is bounded: at most QueryWeight.maxPositions characters and words over all
    /// its terms (parsed or built in code), and a text leaf of at most maxTextBytes is analyzed at
    /// all; past that a clear invalidQuery error, not seconds of lookups.
    func testQueryLengthLimits() throws {
        let s = try corpusSearcher()
        let limit = QueryWeight.maxPositions
        func refused(_ q: Query, _ needle: String, _ note: String) {
            do {
                _ = try s.search(q)
                XCTFail("\(note): accepted")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .invalidQuery, note)
                XCTAssertTrue(e.message.contains(needle), "\(note): \(e.message)")
            } catch { XCTFail("\(note): \(error)") }
        }
        let exactly = String(repeating: "重", count: limit)
        XCTAssertEqual(try s.search(.text(exactly)).totalCount, 0, "exactly the limit is searched")
        refused(.text(exactly + "慶"), "more than \(limit)", "one character over")
        // Over several terms, with words counting one position each.
        let half = String(repeating: "慶", count: limit / 2)
        XCTAssertNoThrow(try s.search(.and([.text(half), .text(half)])))
        refused(.and([.text(half), .text(half), .text("news")]), "more than \(limit)", "terms together over")
        refused(.or([.text(half), .text(half + "重")]), "more than \(limit)", "across OR")
        XCTAssertThrowsError(try s.search("\(half) \(half) 023"), "parsed the same")
        refused(.text(String(repeating: "a", count: QueryWeight.maxTextBytes + 1)), "bytes", "a text over the byte cap")
    }

    func testMalformedQueriesAreErrors() throws {
        let s = try corpusSearcher()
        for q in ["\"unclosed", "(重慶", "重慶)", "OR 重慶", "重慶 OR", "\"\"", "-重慶", ""] {
            assertThrowsSearchError(.invalidQuery) { _ = try s.search(q) }
        }
    }

    func testLargeLimitReturnsEveryMatch() throws {
        let s = try corpusSearcher()
        let r = try s.search("重慶", limit: 1_000_000)
        XCTAssertEqual(r.hits.count, 4)
        XCTAssertEqual(r.totalCount, 4)
        XCTAssertEqual(r.hits.map(\.score), r.hits.map(\.score).sorted(by: >))
    }

    /// Adjacent separate matches are separate spans (the ES#27638 problem).
    func testAdjacentMatchesAreSeparateSpans() throws {
        let dir = makeTemporaryDirectory(self)
        let s = try TestCorpus.buildIndex(at: dir, [Document(id: "hk", body: "香港貿發局香港辦事處")]).searcher()
        let snippet = try XCTUnwrap(s.search("香港").hits.first?.snippet)
        XCTAssertEqual(snippet.marked(), "<mark>香港</mark>貿發局<mark>香港</mark>辦事處")
    }

    func testNormalizedQueriesMatchOriginalForms() throws {
        let dir = makeTemporaryDirectory(self)
        let s = try TestCorpus.buildIndex(at: dir, [
            Document(id: "a", body: "ｶﾀｶﾅの半角文字とＡＢＣ１２３"),
            Document(id: "b", body: "カタカナの全角文字とabc123"),
        ]).searcher()
        XCTAssertEqual(Set(try s.search("カタカナ").hits.map(\.id)), ["a", "b"])
        XCTAssertEqual(Set(try s.search("ABC123").hits.map(\.id)), ["a", "b"])
        let snippet = try XCTUnwrap(s.search("カタカナ", limit: 10).hits.first { $0.id == "a" }?.snippet)
        XCTAssertEqual(snippet.marked(), "<mark>ｶﾀｶﾅ</mark>の半角文字とＡＢＣ１２３")
    }

    func testTieBreakIsById() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = ["c", "a", "b"].map { Document(id: $0, body: "同じ本文") }
        let s = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 1).searcher()
        XCTAssertEqual(try s.search("本文").hits.map(\.id), ["a", "b", "c"])
    }

    func testQueryBuiltInCode() throws {
        let s = try corpusSearcher()
        let q: Query = .and([.text("重慶"), .or([.text("涪陵"), .text("經開區")]), .not(.text("雙城"))])
        XCTAssertEqual(try s.search(q).hits.map(\.id), ["Corpus/000_e5b6ae4aa6c02ba4.txt"])
        assertThrowsSearchError(.invalidQuery) { _ = try s.search(.and([.not(.text("重慶"))])) }
        assertThrowsSearchError(.invalidQuery) { _ = try s.search(.or([.text("a"), .not(.text("b"))])) }
    }

    func testTitleMatchesAndBoost() throws {
        let dir = makeTemporaryDirectory(self)
        let s = try TestCorpus.buildIndex(at: dir, [
            Document(id: "body", title: "其他", body: "東京の話。東京の話。"),
            Document(id: "title", title: "東京", body: "ほかの話。ほかの話。"),
        ]).searcher()
        XCTAssertEqual(try s.search("東京").hits.map(\.id).count, 2)
        let boosted = try s.search(.text("東京"), options: SearchOptions(titleBoost: 10))
        XCTAssertEqual(boosted.hits.first?.id, "title")
        let unboosted = try s.search(.text("東京"), options: SearchOptions(titleBoost: 0.01))
        XCTAssertEqual(unboosted.hits.first?.id, "body")
    }
}

extension SearchTests {
    func testTitleSnippetMarksMatchesAndDropsArtifacts() throws {
        let results = try corpusSearcher().search("經開區調研")
        let title = try XCTUnwrap(results.hits.first?.titleSnippet)
        XCTAssertEqual(title.marked(), "胡衡華在重慶<mark>經開區調研</mark>時強調 以強烈的緊迫感責任感使命感 推動重慶經開區迭代升級高質量發展")
        XCTAssertEqual(results.hits.first?.title, "胡衡華在重慶經(jīng)開區(qū)調(diào)研時(shí)強(qiáng)調(diào) 以強(qiáng)烈的緊迫感責(zé)任感使命感 推動重慶經(jīng)開區(qū)迭代升級高質(zhì)量發(fā)展",
                       "the stored title is the original")
        // The breadcrumb above the headline is body text now, still found.
        let nav = try corpusSearcher().search("當前位置")
        XCTAssertEqual(nav.hits.first?.snippet?.marked().hasPrefix("<mark>當前位置</mark>:首頁 > 首頁推薦 > 重慶 > 正文 4月4日"), true)
    }
}

extension SearchTests {
    /// Punctuation inside a query term is a boundary: `東、京` matches `東、京` and `東 京`, not `東京`.
    func testSeparatorInsideATermIsABoundary() throws {
        let dir = makeTemporaryDirectory(self)
        let s = try TestCorpus.buildIndex(at: dir, [
            Document(id: "joined", body: "東京"),
            Document(id: "comma", body: "東、京"),
            Document(id: "space", body: "東 京"),
            Document(id: "longer", body: "大東、京都"),
        ]).searcher()
        XCTAssertEqual(Set(try s.search("東、京").hits.map(\.id)), ["comma", "space", "longer"])
        XCTAssertEqual(Set(try s.search("東京").hits.map(\.id)), ["joined"])
        XCTAssertEqual(Set(try s.search("大東、京都").hits.map(\.id)), ["longer"])
        // White space between CJK runs in a phrase is not a boundary (people type spaces between words).
        XCTAssertEqual(Set(try s.search("\"東 京\"").hits.map(\.id)), ["joined", "comma", "space", "longer"])
        XCTAssertEqual(Set(try s.search("\"大東 京都\"").hits.map(\.id)), ["longer"])
        XCTAssertEqual(try s.search("東、京", limit: 10).hits.first { $0.id == "comma" }?.snippet?.marked(), "<mark>東、京</mark>")
    }

    func testOddSnippetLengthsAndLimits() throws {
        let s = try corpusSearcher()
        for length in [-5, 0, 1, 2] {
            XCTAssertNoThrow(try s.search(.text("重慶"), options: SearchOptions(snippetLength: length)))
        }
        assertThrowsSearchError(.invalidQuery) { _ = try s.search(.text("重慶"), limit: -1) }
    }

    func testTitleSnippetIsWholeEvenWhenNFKCExpands() throws {
        let dir = makeTemporaryDirectory(self)
        let s = try TestCorpus.buildIndex(at: dir, [Document(id: "t", title: "ﷺﷺ 東京 ﷺ", body: "x")]).searcher()
        XCTAssertEqual(try s.search("東京").hits.first?.titleSnippet?.marked(), "ﷺﷺ <mark>東京</mark> ﷺ")
    }
}
