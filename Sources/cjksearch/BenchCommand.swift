import ArgumentParser
import CJKSearch
import CorpusGenerator
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        subcommands: [BenchBuildCommand.self, BenchQueryCommand.self]
    )
}

struct BenchBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Measure index build speed and memory; print a Markdown table row.",
        discussion: """
        With --size, first writes a generated crawl-like corpus of that size (as `cjksearch corpus`, \\
        in a separate process, so its memory does not count) to a temporary file; with --input, \\
        indexes your own files (any input `index` takes). The index goes to a temporary directory \\
        (removed afterwards) unless --index is given. Reported: documents, input MB (10^6 bytes), \\
        seconds, MB/s, documents/s, peak RSS of the process, index size and its share of the input.
        """
    )

    @Option(name: .long, help: "Generate a corpus of this size (e.g. 100MB, 1GB).")
    var size: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Index these files instead of a generated corpus.")
    var input: [String] = []

    @Option(name: .long, help: "Corpus seed (with --size).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Indexing threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Memory budget in MiB.")
    var memory: Int = 1024

    @Option(name: .long, help: "Keep the index in this directory (must not exist).")
    var index: String?

    @Flag(name: .long, help: "Print only the table row, without the header.")
    var rowOnly = false

    func validate() throws {
        if (size == nil) == input.isEmpty { throw ValidationError("give either --size or --input") }
        if let size, CorpusCommand.parseSize(size) == nil { throw ValidationError("--size: expected a size like 100MB or 1GB") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        if memory < 1 { throw ValidationError("--memory must be at least 1 (MiB)") }
        if let index, FileManager.default.fileExists(atPath: index) { throw ValidationError("--index \(index) exists already") }
    }

    func run() throws {
        try runReportingErrors {
            let tmp = NSTemporaryDirectory() + "cjksearch-bench-\(getpid())"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            var inputs = input
            var label = input.count == 1 ? (input[0] as NSString).lastPathComponent : "\(input.count) inputs"
            if let size {
                let corpus = tmp + "/corpus.jsonl"
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                p.arguments = ["corpus", "--size", size, "--seed", String(seed), "--out", corpus]
                p.standardError = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else { throw SearchError(.io, "generating the corpus failed (status \(p.terminationStatus))", path: corpus) }
                inputs = [corpus]
                label = "generated \(size) (seed \(seed))"
            }
            var o = BuildOptions(inputs: inputs, index: index ?? tmp + "/index")
            o.threads = threads
            o.memoryMiB = memory
            o.progress = isatty(2) != 0
            o.reportCommits = false
            let s = try Build.run(o)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let header = """
            | input | cores | threads | memory MiB | documents | input MB | seconds | MB/s | documents/s | peak RSS MiB | index MB | index / input |
            |---|---|---|---|---|---|---|---|---|---|---|---|
            """
            let row = String(format: "| %@ | %d | %d | %d | %d | %.1f | %.2f | %.1f | %.0f | %.0f | %.1f | %.0f%% |",
                             label, cores, threads, memory, s.documents, Double(s.inputBytes) / 1e6, s.seconds,
                             s.megabytesPerSecond, s.seconds > 0 ? Double(s.documents) / s.seconds : 0,
                             Double(s.peakRSS) / 1_048_576, Double(s.indexBytes) / 1e6,
                             s.inputBytes > 0 ? 100 * Double(s.indexBytes) / Double(s.inputBytes) : 0)
            if !rowOnly { print(header) }
            print(row)
        }
    }
}

struct BenchQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Measure query latency per query class; print a Markdown table.",
        discussion: """
        Queries come from --queries (lines CLASS<TAB>QUERY, or QUERY) or are drawn from the first \\
        --sample documents of --corpus (a JSONL file, e.g. the one the index was built from): \\
        --per-class queries of each class (1char, 2char, phrase4, phrase6-10, and2-3, or, not), \\
        deterministic for a --seed; --write-queries saves them (for another engine). Each query \\
        runs --runs times, warm; its best time counts (top --limit ids, no stored fields). \\
        Reported per class: p50, p95, p99 and mean in microseconds, queries per second on one \\
        thread and on --threads threads; and the index's open time and the process RSS after opening.
        """
    )

    @Option(name: .long, help: "The index directory.")
    var index: String

    @Option(name: .long, help: "A query file (- for standard input): one query a line, optionally CLASS<TAB>QUERY.")
    var queries: String?

    @Option(name: .long, help: "Draw queries from this JSONL corpus.")
    var corpus: String?

    @Option(name: .long, help: "Queries per class (with --corpus).")
    var perClass: Int = 200

    @Option(name: .long, help: "Documents of the corpus to draw from (with --corpus).")
    var sample: Int = 5000

    @Option(name: .long, help: "Seed of the drawing (with --corpus).")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Write the queries used to this file (CLASS<TAB>QUERY).")
    var writeQueries: String?

    @Option(name: .long, help: "Hits per query.")
    var limit: Int = 10

    @Option(name: .long, help: "Runs per query; the best counts.")
    var runs: Int = 3

    @Option(name: .long, help: "Threads for the all-cores QPS (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if (queries == nil) == (corpus == nil) { throw ValidationError("give either --queries or --corpus") }
        if perClass < 1 || sample < 1 || runs < 1 || limit < 1 { throw ValidationError("--per-class, --sample, --runs and --limit must be at least 1") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
    }

    func run() throws {
        try runReportingErrors {
            let rssBefore = BenchQueryCommand.residentBytes()
            let opening = DispatchTime.now().uptimeNanoseconds
            let searcher = try SearchIndex.open(at: index).searcher()
            let openMillis = Double(DispatchTime.now().uptimeNanoseconds - opening) / 1e6
            let rssAfter = BenchQueryCommand.residentBytes()
            let workload = try loadQueries()
            if let writeQueries {
                let text = workload.map { "\($0.queryClass)\t\($0.text)\n" }.joined()
                try Data(text.utf8).write(to: URL(fileURLWithPath: writeQueries))
            }
            guard !workload.isEmpty else { throw SearchError(.invalidInput, "no queries") }
            // Exact matching only: the peers' queries are exact, and relaxation is a fallback.
            let options = SearchOptions(snippets: false, storedFields: false, relaxation: false)
            // Latency: each query's best of `runs`, warm (a first pass is not timed).
            var best = [Double](repeating: .infinity, count: workload.count)
            for pass in 0 ... runs {
                for (i, q) in workload.enumerated() {
                    let t = DispatchTime.now().uptimeNanoseconds
                    _ = try searcher.search(q.text, limit: limit, options: options)
                    let micros = Double(DispatchTime.now().uptimeNanoseconds - t) / 1000
                    if pass > 0 { best[i] = min(best[i], micros) }
                }
            }
            // Throughput on `threads` threads: every thread runs the whole workload of its class.
            func qps(_ indices: [Int], threads n: Int) throws -> Double {
                let failure = NSLock()
                nonisolated(unsafe) var error: Error?
                let started = DispatchTime.now().uptimeNanoseconds
                DispatchQueue.concurrentPerform(iterations: n) { _ in
                    for i in indices {
                        do { _ = try searcher.search(workload[i].text, limit: limit, options: options) } catch let e {
                            failure.withLock { error = e }
                        }
                    }
                }
                if let error { throw error }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                return Double(indices.count * n) / max(seconds, 1e-9)
            }
            print(String(format: "index open: %.1f ms; process RSS %.1f MiB before opening, %.1f MiB after; %d documents",
                         openMillis, Double(rssBefore) / 1_048_576, Double(rssAfter) / 1_048_576, searcher.documentCount))
            print("| class | queries | p50 µs | p95 µs | p99 µs | mean µs | QPS 1 thread | QPS \(threads) threads |")
            print("|---|---|---|---|---|---|---|---|")
            var order: [String] = []
            for q in workload where !order.contains(q.queryClass) { order.append(q.queryClass) }
            for c in order {
                let indices = workload.indices.filter { workload[$0].queryClass == c }
                let xs = indices.map { best[$0] }.sorted()
                func p(_ f: Double) -> Double { xs[min(xs.count - 1, Int(f * Double(xs.count - 1) + 0.5))] }
                let mean = xs.reduce(0, +) / Double(xs.count)
                print(String(format: "| %@ | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |", c, xs.count, p(0.5), p(0.95), p(0.99),
                             mean, try qps(indices, threads: 1), try qps(indices, threads: threads)))
            }
        }
    }

    func loadQueries() throws -> [QueryWorkload.Query] {
        if let queries {
            return try SearchCommand.queryFileLines(queries).enumerated().compactMap { n, line in
                guard let line else { throw SearchError(.invalidInput, "line \(n + 1) is not UTF-8", path: queries) }
                if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
                let (label, query) = SearchCommand.splitLabel(line[...])
                return QueryWorkload.Query(queryClass: label ?? "all", text: query)
            }
        }
        var bodies: [String] = []
        struct Enough: Error {}
        do {
            try InputReader.read(path: corpus!, onDocument: { d in
                bodies.append(d.title + "\n" + d.body)
                if bodies.count >= sample { throw Enough() }
            }, onSkip: { _ in }, onProgress: { _ in })
        } catch is Enough {}
        return QueryWorkload.generate(bodies: bodies, perClass: perClass, seed: seed)
    }

    /// The process's resident set size now (VmRSS), in bytes; 0 where /proc is missing.
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }
}
