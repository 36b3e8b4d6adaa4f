import XCTest
@testable import CJKSearch

/// A CJK query must return exactly the documents whose normalized title or body contains it as a
/// substring. The oracle is a brute-force scan of the normalized text: folded (traditional to
/// simplified Chinese, katakana to hiragana) as the index is by default, so a query in either
/// script finds what the folded substring scan finds.
final class SubstringOracleTests: XCTestCase {
    struct NormalizedDoc {
        let id: String
        let fields: [[UInt32]]   // title, body (normalized scalars)
    }

    func normalize(_ docs: [Document], _ analysis: AnalysisOptions = AnalysisOptions()) throws -> [NormalizedDoc] {
        let n = Normalizer(analysis)
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
        // Splices of two CJK pieces from different places: every bigram but the joining one is
        // usually in the index, often in one document, but rarely next to each other, so these
        // exercise the rejection of candidates by their positions.
        var spliced = 0
        attempts = 0
        while spliced < count / 2 && attempts < count * 200 {
            attempts += 1
            var pieces: [[UInt32]] = []
            for _ in 0 ..< 2 {
                let f = docs[Int(rng.next() % UInt64(docs.count))].fields[Int(rng.next() % 2)]
                guard f.count >= 2 else { break }
                let start = Int(rng.next() % UInt64(f.count - 1))
                let piece = Array(f[start ..< min(f.count, start + 2 + Int(rng.next() % 3))])
                guard piece.allSatisfy(Script.isCJK) else { break }
                pieces.append(piece)
            }
            guard pieces.count == 2 else { continue }
            out.append(pieces[0] + pieces[1])
            spliced += 1
        }
        return out
    }

    /// Queries are drawn from the text in its own script (unfolded). With folding on, each is run
    /// as drawn and folded to simplified, and both must find the documents whose folded text
    /// holds the folded query; with folding off, as drawn, against the unfolded text.
    func checkOracle(_ docs: [Document], queries: Int, seed: UInt64, commitEvery: Int = .max,
                     analysis: AnalysisOptions = AnalysisOptions()) throws {
        let dir = makeTemporaryDirectory(self)
        let index = try TestCorpus.buildIndex(at: dir, docs, commitEvery: commitEvery, analysis: analysis)
        let searcher = try index.searcher()
        let normalized = try normalize(docs, analysis)
        let unfolded = try normalize(docs, .version1)   // no folding: queries in the pages' own scripts
        let sample = sampleQueries(unfolded, count: queries, seed: seed)
        XCTAssertGreaterThan(sample.count, queries / 2)
        var cjkQueries = 0, folds = 0
        for q in sample {
            if q.allSatisfy(Script.isCJK) { cjkQueries += 1 }
            var t = NormalizedText()
            var qs = String(String.UnicodeScalarView(q.compactMap(Unicode.Scalar.init)))
            try qs.withUTF8 { try Normalizer(analysis).normalize($0, into: &t) }
            let folded = t.scalars
            let expected = Set(normalized.filter { Self.contains($0.fields[0], folded) || Self.contains($0.fields[1], folded) }.map(\.id))
            if folded != q { folds += 1 }
            // Folding never loses a match: every page holding the query as written is found.
            let asWritten = Set(unfolded.filter { Self.contains($0.fields[0], q) || Self.contains($0.fields[1], q) }.map(\.id))
            XCTAssertTrue(asWritten.isSubset(of: expected), "folding loses pages for \(q)")
            for form in folded == q ? [q] : [q, folded] {
                let text = String(String.UnicodeScalarView(form.compactMap(Unicode.Scalar.init)))
                let results = try searcher.search(.text(text), limit: docs.count + 1, options: SearchOptions(snippets: false))
                let got = Set(results.hits.map(\.id))
                XCTAssertEqual(results.totalCount, expected.count, "count for \(text)")
                XCTAssertEqual(got, expected, "documents for \(text)")
            }
        }
        XCTAssertGreaterThan(cjkQueries, sample.count / 3)
        if analysis.foldsTraditionalToSimplified && docs.count == (try? TestCorpus.corpusDocuments().count) {
            // The bundled pages are traditional: most of their CJK queries change when folded.
            XCTAssertGreaterThan(folds, cjkQueries / 3)
        }
    }

    func testBundledCorpus() throws {
        try checkOracle(try TestCorpus.corpusDocuments(), queries: 400, seed: 1)
    }

    /// An index created with folding off matches the characters as written.
    func testBundledCorpusWithoutFolding() throws {
        try checkOracle(try TestCorpus.corpusDocuments(), queries: 200, seed: 4,
                        analysis: AnalysisOptions(foldsTraditionalToSimplified: false, foldsKana: false))
    }

    func testMixedLanguages() throws {
        try checkOracle(TestCorpus.mixedDocuments(count: 150, seed: 7), queries: 400, seed: 2)
    }

    func testMixedLanguagesAcrossSegments() throws {
        try checkOracle(TestCorpus.mixedDocuments(count: 150, seed: 8), queries: 200, seed: 3, commitEvery: 40)
    }

    /// Documents and queries over four characters: nearly every document holds every bigram of
    /// every query, so the positions alone decide, and near misses (a part one or two positions
    /// off, a run broken by punctuation) are everywhere. Natural text rarely has them.
    func testFourCharacterAlphabet() throws {
        var rng = SeededRandom(seed: 11)
        let alphabet: [Character] = ["一", "二", "三", "四"]
        var docs: [Document] = []
        for i in 0 ..< 160 {
            var body = ""
            for _ in 0 ..< 20 + Int(rng.next() % 200) {
                body.append(alphabet[Int(rng.next() % 4)])
                if rng.next() % 25 == 0 { body.append(rng.next() % 2 == 0 ? "，" : " ") }
            }
            var title = ""
            for _ in 0 ..< Int(rng.next() % 8) { title.append(alphabet[Int(rng.next() % 4)]) }
            docs.append(Document(id: "d\(i)", title: title, body: body))
        }
        let dir = makeTemporaryDirectory(self)
        let searcher = try TestCorpus.buildIndex(at: dir, docs, commitEvery: 50).searcher()
        let normalized = try normalize(docs)
        func random(_ length: Int) -> [Character] { (0 ..< length).map { _ in alphabet[Int(rng.next() % 4)] } }
        func holding(_ q: [Character]) -> Set<String> {
            let scalars = q.map { $0.unicodeScalars.first!.value }
            return Set(normalized.filter { Self.contains($0.fields[0], scalars) || Self.contains($0.fields[1], scalars) }.map(\.id))
        }
        for _ in 0 ..< 300 {
            let q = random(2 + Int(rng.next() % 7))
            let expected = holding(q)
            let results = try searcher.search(.text(String(q)), limit: docs.count + 1, options: SearchOptions(snippets: false))
            XCTAssertEqual(results.totalCount, expected.count, "count for \(String(q))")
            XCTAssertEqual(Set(results.hits.map(\.id)), expected, "documents for \(String(q))")
        }
        // Runs separated by white space in the query (`一二 三 四一`): each run contiguous, the runs
        // next to each other in the document's CJK characters with anything or nothing between.
        // A lone character in the middle matches the union of the terms starting with it, which
        // only confirms candidates.
        func holdingRuns(_ runs: [[Character]]) -> Set<String> {
            let q = runs.flatMap { $0 }.map { $0.unicodeScalars.first!.value }
            var joined = Set<Int>()   // query indices j where q[j], q[j+1] must be adjacent
            var at = 0
            for r in runs {
                for j in 0 ..< r.count - 1 { joined.insert(at + j) }
                at += r.count
            }
            func matches(_ field: [UInt32]) -> Bool {
                let cjk = field.indices.filter { Script.isCJK(field[$0]) }
                guard cjk.count >= q.count else { return false }
                outer: for i in 0 ... (cjk.count - q.count) {
                    for j in 0 ..< q.count where field[cjk[i + j]] != q[j] { continue outer }
                    for j in joined where cjk[i + j + 1] != cjk[i + j] + 1 { continue outer }
                    return true
                }
                return false
            }
            return Set(normalized.filter { matches($0.fields[0]) || matches($0.fields[1]) }.map(\.id))
        }
        for _ in 0 ..< 120 {
            let runs = (0 ..< 2 + Int(rng.next() % 2)).map { _ in random(1 + Int(rng.next() % 3)) }
            let text = runs.map { String($0) }.joined(separator: " ")
            let expected = holdingRuns(runs)
            let results = try searcher.search(.text(text), limit: docs.count + 1, options: SearchOptions(snippets: false))
            XCTAssertEqual(results.totalCount, expected.count, "count for \(text)")
            XCTAssertEqual(Set(results.hits.map(\.id)), expected, "documents for \(text)")
        }
        // Exclusions: a phrase minus a term (ruled out before any positions are read) or minus a
        // phrase (confirmed by its positions).
        for _ in 0 ..< 150 {
            let positive = random(3 + Int(rng.next() % 3)), negative = random(2 + Int(rng.next() % 3))
            let expected = holding(positive).subtracting(holding(negative))
            let text = String(positive) + " -" + String(negative)
            let results = try searcher.search(text, limit: docs.count + 1, options: SearchOptions(snippets: false))
            XCTAssertEqual(results.totalCount, expected.count, "count for \(text)")
            XCTAssertEqual(Set(results.hits.map(\.id)), expected, "documents for \(text)")
        }
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
