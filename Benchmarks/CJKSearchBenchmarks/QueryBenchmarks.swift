import CJKSearch
import Foundation
import XCTest

final class QueryBenchmarks: XCTestCase {
    /// "Searcher top-10 (query classes)": latency percentiles per class, single thread, warm.
    func testQueryLatencyByClass() throws {
        try Bench.skipUnlessEnabled()
        let docs = try Bench.generateDocuments(megabytes: Bench.megabytes)
        let (index, dir) = try Bench.buildIndex(docs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t0 = Bench.now()
        let searcher = try index.searcher()
        let openMicros = Double(Bench.now() - t0) / 1000

        // Query classes sampled from the documents' text.
        var rng = SplitMix(seed: 5)
        func substring(_ length: Int) -> String {
            while true {
                let body = Array(docs[Int(rng.next() % UInt64(docs.count))].body)
                guard body.count > length else { continue }
                let start = Int(rng.next() % UInt64(body.count - length))
                let s = String(body[start ..< start + length])
                if s.unicodeScalars.allSatisfy({ $0.value >= 0x4E00 && $0.value <= 0x9FFF }) { return s }
            }
        }
        let classes: [(String, () -> String)] = [
            ("1 character", { substring(1) }),
            ("2 characters", { substring(2) }),
            ("4-character phrase", { substring(4) }),
            ("6–10-character phrase", { substring(6 + Int(rng.next() % 5)) }),
            ("2–3 ANDed terms", { (0 ..< 2 + Int(rng.next() % 2)).map { _ in substring(2) }.joined(separator: " ") }),
            ("OR of terms", { substring(2) + " OR " + substring(2) }),
            ("with an exclusion", { substring(2) + " -" + substring(2) }),
        ]
        var rows = ["| class | queries | p50 µs | p95 µs | p99 µs | QPS (1 thread) |", "|---|---|---|---|---|---|"]
        for (name, make) in classes {
            let queries = (0 ..< 200).map { _ in make() }
            for q in queries { _ = try searcher.search(q, limit: 10, options: SearchOptions(snippets: false, relaxation: false)) }   // warm
            var micros: [Double] = []
            let start = Bench.now()
            for q in queries {
                let t = Bench.now()
                let r = try searcher.search(q, limit: 10, options: SearchOptions(snippets: false, relaxation: false))
                micros.append(Double(Bench.now() - t) / 1000)
                XCTAssertLessThanOrEqual(r.hits.count, 10)
            }
            let total = Double(Bench.now() - start) / 1e9
            micros.sort()
            rows.append("| \(name) | \(queries.count) | \(Int(Bench.percentile(micros, 50))) | \(Int(Bench.percentile(micros, 95))) | \(Int(Bench.percentile(micros, 99))) | \(Int(Double(queries.count) / total)) |")
        }
        rows.append("")
        rows.append("index open: \(Int(openMicros)) µs for \(docs.count) documents")
        print(rows.joined(separator: "\n"))
    }

    /// The single-character design: presence postings against a character→bigram side table.
    func testSingleCharacterDesign() throws {
        try Bench.skipUnlessEnabled()
        let docs = try Bench.generateDocuments(megabytes: Bench.megabytes)
        let (index, dir) = try Bench.buildIndex(docs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let searcher = try index.searcher()
        let sizes = try searcher.presencePostingsBytes()
        let table = try searcher.bigramSideTable()
        // Characters by frequency in the corpus.
        var freq: [UInt32: Int] = [:]
        for d in docs.prefix(500) { for s in d.body.unicodeScalars where s.value >= 0x4E00 && s.value <= 0x9FFF { freq[s.value, default: 0] += 1 } }
        let ranked = freq.sorted { $0.value > $1.value }.map(\.key)
        let frequent = Array(ranked.prefix(20))
        let rare = Array(ranked.suffix(20))
        var rows = ["| characters | design | µs per query (median) | postings decoded per query |", "|---|---|---|---|"]
        for (label, chars) in [("20 most frequent", frequent), ("20 rare", rare)] {
            var presenceTimes: [Double] = [], unionTimes: [Double] = []
            var presenceDecoded = 0, unionDecoded = 0
            for c in chars {
                var t = Bench.now()
                let (a, pd) = try searcher.countThroughPresence(c)
                presenceTimes.append(Double(Bench.now() - t) / 1000)
                t = Bench.now()
                let (b, ud) = try searcher.countThroughBigramUnion(c, sideTable: table)
                unionTimes.append(Double(Bench.now() - t) / 1000)
                XCTAssertEqual(a, b, "both designs find the same documents")
                presenceDecoded += pd
                unionDecoded += ud
            }
            presenceTimes.sort(); unionTimes.sort()
            rows.append("| \(label) | presence postings | \(Int(Bench.percentile(presenceTimes, 50))) | \(presenceDecoded / chars.count) |")
            rows.append("| \(label) | bigram side table | \(Int(Bench.percentile(unionTimes, 50))) | \(unionDecoded / chars.count) |")
        }
        rows.append("")
        rows.append("presence postings: \(sizes.presence) of \(sizes.all) postings+positions bytes (\(String(format: "%.1f%%", 100 * Double(sizes.presence) / Double(sizes.all))))")
        print(rows.joined(separator: "\n"))
    }
}

final class FormatBenchmarks: XCTestCase {
    /// The postings-format decision: sizes under alternative encodings of the same index.
    func testPostingsEncodings() throws {
        try Bench.skipUnlessEnabled()
        let docs = try Bench.generateDocuments(megabytes: Bench.megabytes)
        let (index, dir) = try Bench.buildIndex(docs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = try index.searcher().encodingSizes()
        func mb(_ n: Int) -> String { String(format: "%.2f MB", Double(n) / 1_048_576) }
        print("""
        | data | encoding | size |
        |---|---|---|
        | documents+frequencies | bit-packed 128-blocks + varint short lists (written) | \(mb(s.postingsAsWritten)) |
        | documents+frequencies | the same, zstd -3 per term | \(mb(s.postingsZstd)) |
        | positions | raw varint frames | \(mb(s.positionsRaw)) |
        | positions | every frame zstd -3 | \(mb(s.positionsAllZstd)) |
        | positions | zstd where it saves ≥ 1/8 (written) | \(mb(s.positionsAsWritten)) |
        | positions | all frames as one zstd -3 frame (bound for grouping) | \(mb(s.positionsOneFrame)) |
        | positions | every frame bit-packed at its widest delta | \(mb(s.positionsBitPacked)) |
        | positions | every frame bit-packed, first positions and gaps apart | \(mb(s.positionsBitPackedSplit)) |
        | documents+frequencies | all lists as one zstd -3 frame (bound for grouping) | \(mb(s.postingsOneFrame)) |
        """)
    }
}
