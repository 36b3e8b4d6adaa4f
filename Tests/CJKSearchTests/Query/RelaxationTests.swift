import XCTest
@testable import CJKSearch

/// Relaxed forms of long queries (Relaxation), the at-least query they use, and search results
/// that show exact matches first, then documents with every term, then with half of them.
final class RelaxationTests: XCTestCase {
    private let analyzer = Analyzer()

    func testRewriting() throws {
        let table: [(Query, MatchKind, Query?)] = [
            (.text("重慶經開區"), .allTerms, .and([.text("重庆"), .text("庆经"), .text("经开"), .text("开区")])),
            (.text("重慶經開區"), .someTerms, .atLeast(2, [.text("重庆"), .text("庆经"), .text("经开"), .text("开区")])),
            (.text("重慶區"), .someTerms, .atLeast(1, [.text("重庆"), .text("庆区")])),
            (.text("iPhone買"), .allTerms, .and([.text("iphone"), .text("买")])),
            (.text("new york city"), .someTerms, .atLeast(2, [.text("new"), .text("york"), .text("city")])),
            (.text("重慶"), .allTerms, nil),                     // one bigram: nothing to relax
            (.text("慶"), .someTerms, nil),
            (.text("東東東"), .allTerms, nil),                   // one distinct term
            (.and([.text("重慶經開"), .not(.text("廣告標語"))]), .allTerms,
             .and([.and([.text("重庆"), .text("庆经"), .text("经开")]), .not(.text("廣告標語"))])),   // exclusions stay exact
            (.or([.text("成都"), .text("重慶經開")]), .someTerms,
             .or([.text("成都"), .atLeast(2, [.text("重庆"), .text("庆经"), .text("经开")])])),
            (.and([.text("成都"), .text("重慶")]), .allTerms, nil),
        ]
        for (query, kind, expected) in table {
            XCTAssertEqual(try Relaxation.relax(query, to: kind, analyzer: analyzer), expected, "\(query) → \(kind)")
        }
        XCTAssertEqual((1 ... 9).map(Relaxation.someTerms(of:)), [1, 1, 2, 2, 3, 3, 4, 4, 5])
    }

    func testAtLeastValidation() {
        assertThrowsSearchError(.invalidQuery) { try Query.atLeast(0, [.text("a")]).validate() }
        assertThrowsSearchError(.invalidQuery) { try Query.atLeast(3, [.text("a"), .text("b")]).validate() }
        assertThrowsSearchError(.invalidQuery) { try Query.atLeast(1, [.text("a"), .not(.text("b"))]).validate() }
        XCTAssertNoThrow(try Query.atLeast(2, [.text("a"), .text("b")]).validate())
    }

    /// Brute force over the bundled and mixed corpora: an at-least query finds exactly the
    /// documents holding enough of its operands (phrases among them), with and without pruning,
    /// with the same scores.
    func testAtLeastAgainstBruteForce() throws {
        let docs = try TestCorpus.corpusDocuments() + TestCorpus.mixedDocuments(count: 120, seed: 21)
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 50).searcher()
        let fields = try docs.map { d in try [d.title, d.body].map { try folded($0) } }
        var rng = SeededRandom(seed: 5)
        func piece() -> [UInt32] {
            while true {
                let f = fields[Int(rng.next() % UInt64(fields.count))][Int(rng.next() % 2)]
                guard f.count >= 3 else { continue }
                let start = Int(rng.next() % UInt64(f.count - 2))
                let p = Array(f[start ..< start + 2 + Int(rng.next() % 2)])
                if p.allSatisfy(Script.isCJK) { return p }
            }
        }
        var nonEmpty = 0
        for _ in 0 ..< 120 {
            let operands = (0 ..< 2 + Int(rng.next() % 4)).map { _ in piece() }
            let n = 1 + Int(rng.next() % UInt64(operands.count))
            let query = Query.atLeast(n, operands.map { .text(string($0)) })
            var expected = Set<String>()
            for (i, f) in fields.enumerated() {
                let held = operands.filter { contains(f[0], $0) || contains(f[1], $0) }.count
                if held >= n { expected.insert(docs[i].id) }
            }
            if !expected.isEmpty { nonEmpty += 1 }
            let exhaustive = try searcher.search(query, limit: docs.count + 1,
                                                 options: SearchOptions(snippets: false, totalCountThreshold: .max, relaxation: false))
            XCTAssertEqual(exhaustive.totalCount, expected.count, "\(query)")
            XCTAssertEqual(Set(exhaustive.hits.map(\.id)), expected, "\(query)")
            let pruned = try searcher.search(query, limit: 5, options: SearchOptions(snippets: false, totalCountThreshold: 0, relaxation: false))
            XCTAssertEqual(pruned.hits.map(\.id), Array(exhaustive.hits.prefix(5)).map(\.id), "\(query)")
            for (a, b) in zip(pruned.hits, exhaustive.hits) { XCTAssertEqual(a.score, b.score, accuracy: 1e-9 * max(1, b.score)) }
        }
        XCTAssertGreaterThan(nonEmpty, 40)
    }

    /// Long queries spliced from two places: the exact hits are the substring matches, then come
    /// the documents holding every bigram, then those holding half of them, each document once,
    /// ranked by score within its kind, and the count stays the exact one.
    func testSearchShowsExactThenAllTermsThenSomeTerms() throws {
        let docs = try TestCorpus.corpusDocuments() + TestCorpus.mixedDocuments(count: 150, seed: 22)
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 60).searcher()
        let fields = try docs.map { d in try [d.title, d.body].map { try folded($0) } }
        var rng = SeededRandom(seed: 9)
        var relaxedSeen: [MatchKind: Int] = [:]
        for round in 0 ..< 80 {
            // A query of 4–8 CJK characters: two pieces of different documents, or one piece; or
            // (every third round) two pieces of one field joined on a character they share, so
            // that the field holds every bigram but rarely the whole.
            var q: [UInt32] = []
            while round % 3 == 0 && q.isEmpty {
                let f = fields[Int(rng.next() % UInt64(fields.count))][1]
                guard f.count >= 8 else { continue }
                let start = Int(rng.next() % UInt64(f.count - 3))
                let p1 = Array(f[start ..< start + 3])
                guard p1.allSatisfy(Script.isCJK),
                      let j = f.indices.first(where: { $0 > start + 3 && f[$0] == p1[2] && $0 + 3 < f.count }) else { continue }
                let p2 = Array(f[j + 1 ..< j + 3])
                guard p2.allSatisfy(Script.isCJK) else { continue }
                q = p1 + p2
            }
            while q.count < 4 {
                let f = fields[Int(rng.next() % UInt64(fields.count))][Int(rng.next() % 2)]
                guard f.count >= 4 else { continue }
                let start = Int(rng.next() % UInt64(f.count - 3))
                let p = Array(f[start ..< min(f.count, start + 2 + Int(rng.next() % 3))])
                guard p.allSatisfy(Script.isCJK) else { continue }
                q += p
            }
            let bigrams = Array(Set((0 ..< q.count - 1).map { [q[$0], q[$0 + 1]] }))
            let need = Relaxation.someTerms(of: bigrams.count)
            var exact = Set<String>(), all = Set<String>(), some = Set<String>()
            for (i, f) in fields.enumerated() {
                let held = bigrams.filter { contains(f[0], $0) || contains(f[1], $0) }.count
                if contains(f[0], q) || contains(f[1], q) { exact.insert(docs[i].id) }
                else if held == bigrams.count { all.insert(docs[i].id) }
                else if held >= need { some.insert(docs[i].id) }
            }
            let limit = round % 2 == 0 ? docs.count + 1 : 1 + Int(rng.next() % 6)
            let r = try searcher.search(.text(string(q)), limit: limit, options: SearchOptions(snippets: false))
            XCTAssertEqual(r.totalCount, exact.count)
            XCTAssertTrue(r.hits.allSatisfy { $0.match == .exact })
            XCTAssertLessThanOrEqual(r.hits.count + r.relaxedHits.count, limit)
            let ids = r.allHits.map(\.id)
            XCTAssertEqual(ids.count, Set(ids).count, "a document shown twice")
            // Kinds in order, scores decreasing within a kind.
            let order: [MatchKind] = [.exact, .allTerms, .someTerms]
            for (a, b) in zip(r.allHits, r.allHits.dropFirst()) {
                let ka = order.firstIndex(of: a.match)!, kb = order.firstIndex(of: b.match)!
                XCTAssertLessThanOrEqual(ka, kb)
                if ka == kb { XCTAssertGreaterThanOrEqual(a.score, b.score) }
            }
            if limit > docs.count {
                XCTAssertEqual(Set(r.hits.map(\.id)), exact)
                XCTAssertEqual(Set(r.relaxedHits.filter { $0.match == .allTerms }.map(\.id)), all, string(q))
                XCTAssertEqual(Set(r.relaxedHits.filter { $0.match == .someTerms }.map(\.id)), some, string(q))
            } else {
                // A short page is the prefix of the long one.
                let full = try searcher.search(.text(string(q)), limit: docs.count + 1, options: SearchOptions(snippets: false))
                XCTAssertEqual(ids, Array(full.allHits.map(\.id).prefix(limit)), string(q))
            }
            for h in r.relaxedHits { relaxedSeen[h.match, default: 0] += 1 }
            // Off: the exact hits only.
            let off = try searcher.search(.text(string(q)), limit: limit, options: SearchOptions(snippets: false, relaxation: false))
            XCTAssertTrue(off.relaxedHits.isEmpty)
            XCTAssertEqual(off.hits.map(\.id), r.hits.map(\.id))
        }
        XCTAssertGreaterThan(relaxedSeen[.allTerms] ?? 0, 10)
        XCTAssertGreaterThan(relaxedSeen[.someTerms] ?? 0, 10)
    }

    /// A pasted passage whose relaxed form passes the query limits (each bigram a term of its
    /// own counts its two positions): the exact search stands, the relaxed one is not tried.
    func testLongPassageKeepsExactResults() throws {
        let dir = makeTemporaryDirectory(self)
        let passage = String(String.UnicodeScalarView((0 ..< 600).compactMap { Unicode.Scalar(0x4E00 + $0 * 7) }))
        let searcher = try TestCorpus.buildIndex(at: dir, [
            Document(id: "a", title: "", body: String(passage.prefix(300))),
            Document(id: "b", title: "", body: String(passage.suffix(200))),
        ]).searcher()
        let r = try searcher.search(passage, limit: 10)
        XCTAssertEqual(r.totalCount, 0)
        XCTAssertTrue(r.relaxedHits.isEmpty)
        XCTAssertNil(try searcher.explain(passage, id: "a"))
        // Shorter, it relaxes: 150 characters, 100 of them from a (99 of the 149 bigrams), 50
        // from b (49, under half).
        let chars = Array(passage)
        let shorter = String(chars[200 ..< 300]) + String(chars[400 ..< 450])
        let relaxed = try searcher.search(shorter, limit: 10)
        XCTAssertEqual(relaxed.relaxedHits.map(\.id), ["a"])
        XCTAssertEqual(relaxed.relaxedHits.first?.match, .someTerms)
    }

    // MARK: Helpers

    private func folded(_ s: String) throws -> [UInt32] {
        var t = NormalizedText()
        var s = s
        try s.withUTF8 { try Normalizer().normalize($0, into: &t) }
        return t.scalars
    }

    private func string(_ scalars: [UInt32]) -> String {
        String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
    }

    private func contains(_ hay: [UInt32], _ needle: [UInt32]) -> Bool {
        SubstringOracleTests.contains(hay, needle)
    }
}
