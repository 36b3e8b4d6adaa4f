import XCTest
@testable import CJKSearch

/// Block-max pruning must not change a single hit: for random queries of every class, a search
/// that prunes (``SearchOptions/totalCountThreshold`` 0) returns the same ids with the same scores,
/// in the same order, as one that reads every match with the generic scorers (threshold `Int.max`,
/// no window scoring), and its count is a lower bound flagged as such.
final class PruningTests: XCTestCase {
    /// A Zipf-like alphabet of CJK characters, so that bigrams repeat with varied frequencies.
    static let alphabet: [Character] = Array("的一是了不在有人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也")

    /// Documents of heavy-tailed length (a few characters to a few thousand), with some ASCII
    /// words, and some titles; ids in random order so that ties are broken by id, not by number.
    static func documents(count: Int, seed: UInt64) -> [Document] {
        var rng = SeededRandom(seed: seed)
        var weights: [Double] = []
        for i in 0 ..< alphabet.count { weights.append(1 / Double(i + 2)) }
        let total = weights.reduce(0, +)
        func char() -> Character {
            var x = Double(rng.next() % 1_000_000) / 1_000_000 * total
            for (i, w) in weights.enumerated() {
                x -= w
                if x <= 0 { return alphabet[i] }
            }
            return alphabet[alphabet.count - 1]
        }
        func text(_ n: Int) -> String {
            var s = ""
            for i in 0 ..< n {
                if i % 37 == 36 { s += rng.next() % 3 == 0 ? " news " : "，" } else { s.append(char()) }
            }
            return s
        }
        var docs: [Document] = []
        for i in 0 ..< count {
            let r = rng.next() % 100
            let length = r < 60 ? 5 + Int(rng.next() % 60) : r < 95 ? 60 + Int(rng.next() % 600) : 600 + Int(rng.next() % 4000)
            let title = rng.next() % 3 == 0 ? text(2 + Int(rng.next() % 10)) : ""
            let id = String(rng.next() % 1_000_000, radix: 36) + "-\(i)"
            docs.append(Document(id: id, title: title, body: text(length)))
        }
        return docs
    }

    /// Queries of every class, drawn from the documents.
    static func queries(_ docs: [Document], count: Int, seed: UInt64) -> [String] {
        var rng = SeededRandom(seed: seed)
        func piece(_ length: Int) -> String {
            while true {
                let body = Array(docs[Int(rng.next() % UInt64(docs.count))].body)
                guard body.count > length else { continue }
                let start = Int(rng.next() % UInt64(body.count - length))
                let s = body[start ..< start + length]
                if s.allSatisfy({ alphabet.contains($0) }) { return String(s) }
            }
        }
        var out: [String] = []
        for i in 0 ..< count {
            switch i % 8 {
            case 0: out.append(String(alphabet[Int(rng.next() % 12)]))
            case 1: out.append(piece(2))
            case 2: out.append(piece(4))
            case 3: out.append(piece(6 + Int(rng.next() % 5)))
            case 4: out.append((0 ..< 2 + Int(rng.next() % 2)).map { _ in piece(2 + Int(rng.next() % 2)) }.joined(separator: " "))
            // Terms only (scored by windows as one disjunction) or with a phrase (the generic scorers).
            case 5: out.append(piece(2) + " OR " + piece(2 + Int(rng.next() % 2)) + (rng.next() % 2 == 0 ? " OR news" : ""))
            case 6: out.append(piece(2) + " -" + piece(2))
            default: out.append("\"" + piece(3) + "\" (" + piece(2) + " OR " + String(alphabet[Int(rng.next() % UInt64(alphabet.count))]) + ")")
            }
        }
        return out
    }

    func testPrunedSearchEqualsExhaustive() throws {
        let dir = makeTemporaryDirectory(self)
        let docs = Self.documents(count: 6000, seed: 41)
        // Several segments, and deletions in some of them.
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 2500,
                                               options: IndexWriterOptions(mergePolicy: nil))
        let writer = try index.writer()
        for d in docs.enumerated() where d.offset % 11 == 3 { try writer.delete(id: d.element.id) }
        try writer.commit()
        writer.close()
        let searcher = try index.searcher()
        XCTAssertGreaterThan(searcher.snapshot.segments.count, 1)

        var pruned = 0
        for (i, q) in Self.queries(docs, count: 400, seed: 7).enumerated() {
            let limit = [1, 10, 10, 37][i % 4]
            var generic = SearchOptions(snippets: false, storedFields: false, totalCountThreshold: .max)
            generic.windowScoring = false
            let exhaustive = try searcher.search(q, limit: limit, options: generic)
            let fast = try searcher.search(q, limit: limit, options: SearchOptions(snippets: false, storedFields: false, totalCountThreshold: 0))
            XCTAssertTrue(exhaustive.isTotalCountExact)
            XCTAssertEqual(fast.hits.map(\.id), exhaustive.hits.map(\.id), q)
            XCTAssertEqual(fast.hits.map(\.score), exhaustive.hits.map(\.score), q)
            XCTAssertLessThanOrEqual(fast.totalCount, exhaustive.totalCount, q)
            if fast.isTotalCountExact { XCTAssertEqual(fast.totalCount, exhaustive.totalCount, q) } else { pruned += 1 }
            // The default threshold: exact below it.
            let normal = try searcher.search(q, limit: limit, options: SearchOptions(snippets: false, storedFields: false))
            XCTAssertEqual(normal.hits.map(\.id), exhaustive.hits.map(\.id), q)
            if exhaustive.totalCount < 1000 {
                XCTAssertTrue(normal.isTotalCountExact, q)
                XCTAssertEqual(normal.totalCount, exhaustive.totalCount, q)
            } else {
                XCTAssertGreaterThanOrEqual(normal.totalCount, 1000, q)
            }
            XCTAssertEqual(try searcher.count(q), exhaustive.totalCount, q)
            // The generic scorers, pruning: the same hits.
            generic.totalCountThreshold = 0
            let genericPruned = try searcher.search(q, limit: limit, options: generic)
            XCTAssertEqual(genericPruned.hits.map(\.id), exhaustive.hits.map(\.id), q)
            XCTAssertEqual(genericPruned.hits.map(\.score), exhaustive.hits.map(\.score), q)
        }
        // Pruning did skip documents in most queries (otherwise this test proves nothing).
        XCTAssertGreaterThan(pruned, 200)
    }
}
