import CJKSearch
import CorpusGenerator
import Foundation
import XCTest

/// Shared set-up of the benchmark suite. Benchmarks run only when `CJKSEARCH_BENCH=1` (and should
/// run in release): `CJKSEARCH_BENCH=1 swift test -c release --filter CJKSearchBenchmarks`.
/// `CJKSEARCH_BENCH_MB` sets the generated corpus size (default 20).
enum Bench {
    static var enabled: Bool { ProcessInfo.processInfo.environment["CJKSEARCH_BENCH"] == "1" }
    static var megabytes: Int { Int(ProcessInfo.processInfo.environment["CJKSEARCH_BENCH_MB"] ?? "") ?? 20 }

    static func skipUnlessEnabled() throws {
        try XCTSkipUnless(enabled, "benchmarks run only with CJKSEARCH_BENCH=1")
    }

    static var corpusDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Corpus").path
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Peak resident set size of this process (VmHWM), in bytes.
    static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let i = min(sorted.count - 1, Int((p / 100) * Double(sorted.count - 1) + 0.5))
        return sorted[i]
    }

    /// The crawl-like corpus of `cjksearch corpus --size N MB --seed 1`, as documents.
    static func generateDocuments(megabytes: Int, seed: UInt64 = 1) throws -> [Document] {
        let path = temporaryDirectory() + "/corpus.jsonl"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        guard let f = fopen(path, "wb") else { throw SearchError(.io, "cannot create", path: path) }
        _ = try CorpusGenerator(seed: seed).write(size: megabytes << 20, to: f)
        fclose(f)
        var docs: [Document] = []
        try InputReader.read(path: path, onDocument: { docs.append($0) }, onSkip: { XCTFail("generated line skipped: \($0)") })
        return docs
    }

    /// Builds an index of `docs` in a new temporary directory, in one commit.
    static func buildIndex(_ docs: [Document]) throws -> (SearchIndex, String) {
        let dir = temporaryDirectory()
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        for d in docs { try writer.add(d) }
        try writer.commit()
        writer.close()
        return (index, dir)
    }

    static func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "cjksearch-bench-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// The generator's SplitMix64.
typealias SplitMix = CorpusGenerator.Random

/// Keeps a value alive so the optimizer cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
