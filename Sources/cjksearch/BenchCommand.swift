import ArgumentParser
import CJKSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        subcommands: [BenchBuildCommand.self]
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
