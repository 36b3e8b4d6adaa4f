import XCTest
@testable import CJKSearch

/// A CJK query must return exactly the documents whose normalized title or body contains it as a
/// substring. The oracle is a brute-force scan of the normalized text.
final class SubstringOracleTests: XCTestCase {
    struct NormalizedDoc {
        let id: String
        let fields: [[UInt32]]   // title, body (normalized scalars)
    }

    func normalize(_ docs: [Document]) throws -> [NormalizedDoc] {
        let n = Normalizer()
        var out: [NormalizedDoc] = []
        for d in docs {
            var fields: [[UInt32]] = []
            for text in [d.title, d.body] {
                var t = NormalizedText()
                var s = text
                try s.withUTF8 { try n.normalize($0, into: &t) }
                fields.append(t.scalars)
            }
            out.append(NormalizedDoc(id: d.id, fields: fields))
        }
        return out
    }

    static func contains(_ hay: [UInt32], _ needle: [UInt32]) -> Bool {
        guard needle.count <= hay.count else { return false }
        if needle.isEmpty { return true }
        outer: for i in 0 ... (hay.count - needle.count) {
            for j in 0 ..< needle.count where hay[i + j] != needle[j] { continue outer }
            return true
        }
        return false
    }

    /// Random substrings of 1–8 scalars. CJK-only ones are always taken; mixed ones only when they
    /// hold no separator and do not cut a word, where token matching and substring matching agree.
    func sampleQueries(_ docs: [NormalizedDoc], count: Int, seed: UInt64) -> [[UInt32]] {
        var rng = SeededRandom(seed: seed)
        var out: [[UInt32]] = []
        var attempts = 0
        while out.count < count && attempts < count * 200 {
            attempts += 1
            let d = docs[Int(rng.next() % UInt64(docs.count))]
            let f = d.fields[Int(rng.next() % 2)]
            guard !f.isEmpty else { continue }
            let length = 1 + Int(rng.next() % 8)
            let start = Int(rng.next() % UInt64(f.count))
            let end = min(f.count, start + length)
            let sub = Array(f[start ..< end])
            let classes = sub.map(Script.classify)
            if classes.contains(.separator) { continue }
            if classes.allSatisfy({ $0 == .cjk }) { out.append(sub); continue }
            // Mixed or word-only: boundaries must not cut a word.
            if classes.first == .word, start > 0, Script.classify(f[start - 1]) == .word { continue }
            if classes.last == .word, end < f.count, Script.classify(f[end]) == .word { continue }
            out.append(sub)
        }
        return out
    }

    func checkOracle(_ docs: [Document], queries: Int, seed: UInt64, commitEvery: Int = .max) throws {
        let dir = makeTemporaryDirectory(self)
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: commitEvery)
        let searcher = try index.searcher()
        let normalized = try normalize(docs)
        let sample = sampleQueries(normalized, count: queries, seed: seed)
        XCTAssertGreaterThan(sample.count, queries / 2)
        var cjkQueries = 0
        for q in sample {
            let text = String(String.UnicodeScalarView(q.compactMap(Unicode.Scalar.init)))
            if q.allSatisfy(Script.isCJK) { cjkQueries += 1 }
            let expected = Set(normalized.filter { Self.contains($0.fields[0], q) || Self.contains($0.fields[1], q) }.map(\.id))
            let results = try searcher.search(.text(text), limit: docs.count + 1, options: SearchOptions(snippets: false))
            let got = Set(results.hits.map(\.id))
            XCTAssertEqual(results.totalCount, expected.count, "count for \(text)")
            XCTAssertEqual(got, expected, "documents for \(text)")
        }
        XCTAssertGreaterThan(cjkQueries, sample.count / 3)
    }

    func testBundledCorpus() throws {
        try checkOracle(try TestCorpus.corpusDocuments(), queries: 400, seed: 1)
    }

    func testMixedLanguages() throws {
        try checkOracle(TestCorpus.mixedDocuments(count: 150, seed: 7), queries: 400, seed: 2)
    }

    func testMixedLanguagesAcrossSegments() throws {
        try checkOracle(TestCorpus.mixedDocuments(count: 150, seed: 8), queries: 200, seed: 3, commitEvery: 40)
    }

    /// Every single character of the corpus finds exactly the documents that contain it.
    func testEverySingleCharacterOfTheCorpus() throws {
        let docs = try TestCorpus.corpusDocuments()
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, docs).searcher()
        let normalized = try normalize(docs)
        var chars = Set<UInt32>()
        for d in normalized { for f in d.fields { for c in f where Script.isCJK(c) { chars.insert(c) } } }
        XCTAssertGreaterThan(chars.count, 500)
        for c in chars.sorted() {
            let expected = normalized.filter { $0.fields.contains { $0.contains(c) } }.count
            let text = String(Character(Unicode.Scalar(c)!))
            XCTAssertEqual(try searcher.search(.text(text), limit: 0).totalCount, expected, text)
        }
    }
}
