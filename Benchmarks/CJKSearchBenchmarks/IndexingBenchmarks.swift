import CJKSearch
import Foundation
import XCTest

final class IndexingBenchmarks: XCTestCase {
    /// "IndexWriter add+commit (generated zh, N MB)" with 1 thread and with every core: MB/s,
    /// documents/s, index size, and the peak RSS of the test process (which also holds the
    /// generated documents in memory; `cjksearch bench build` measures a build alone).
    func testIndexBuild() throws {
        try Bench.skipUnlessEnabled()
        let docs = try Bench.generateDocuments(megabytes: Bench.megabytes)
        let bytes = docs.reduce(0) { $0 + $1.title.utf8.count + $1.body.utf8.count }
        var rows: [String] = []
        for threads in Set([1, ProcessInfo.processInfo.activeProcessorCount]).sorted() {
            var times: [Double] = []
            var lastDir = ""
            for _ in 0 ..< 3 {
                let dir = Bench.temporaryDirectory()
                let start = Bench.now()
                let index = try SearchIndex.create(at: dir)
                let writer = try index.writer(options: IndexWriterOptions(threads: threads))
                for d in docs { try writer.add(d) }
                try writer.commit()
                writer.close()
                times.append(Double(Bench.now() - start) / 1e9)
                XCTAssertEqual(try index.searcher().documentCount, docs.count)
                if !lastDir.isEmpty { try? FileManager.default.removeItem(atPath: lastDir) }
                lastDir = dir
            }
            let stats = try SearchIndex.open(at: lastDir).searcher().stats()
            let stored = stats.bytesByKind["storedDocuments"] ?? 0
            let median = times.sorted()[1]
            let mb = Double(bytes) / 1_048_576
            rows.append("| IndexWriter add+commit (generated zh) | \(threads) | \(String(format: "%.1f", mb)) | \(docs.count) | \(String(format: "%.2f", median)) | \(String(format: "%.1f", mb / median)) | \(String(format: "%.0f", Double(docs.count) / median)) | \(String(format: "%.1f", Double(stats.bytes) / 1_048_576)) | \(String(format: "%.1f", Double(stats.bytes - stored) / 1_048_576)) | \(String(format: "%.0f%%", 100 * Double(stats.bytes - stored) / Double(bytes))) | \(Bench.peakRSS() >> 20) |")
            try? FileManager.default.removeItem(atPath: lastDir)
        }
        print("""
        | benchmark | threads | corpus MB | docs | median s | MB/s | docs/s | index MB | index without stored MB | index/corpus | peak RSS MB |
        |---|---|---|---|---|---|---|---|---|---|---|
        \(rows.joined(separator: "\n"))
        """)
    }

    /// "Analyzer tokens (generated zh)": the analysis chain alone, through a segment writer with
    /// nothing written, against indexing.
    func testAnalyzerThroughput() throws {
        try Bench.skipUnlessEnabled()
        let docs = try Bench.generateDocuments(megabytes: min(Bench.megabytes, 10))
        let bytes = docs.reduce(0) { $0 + $1.title.utf8.count + $1.body.utf8.count }
        var times: [Double] = []
        for _ in 0 ..< 3 {
            let start = Bench.now()
            var tokens = 0
            for d in docs { tokens += try CJKSearchBenchmarkHooks.tokenCount(d.body) }
            times.append(Double(Bench.now() - start) / 1e9)
            blackHole(tokens)
        }
        let median = times.sorted()[1]
        print("| Analyzer tokens (generated zh) | \(String(format: "%.1f", Double(bytes) / 1_048_576)) MB | \(String(format: "%.1f", Double(bytes) / 1_048_576 / median)) MB/s |")
    }
}
