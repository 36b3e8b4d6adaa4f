import ArgumentParser
import CJKSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Create an index or add documents to it, then commit.",
        discussion: """
        INPUT is a .jsonl file (one JSON object per line with "id", "title" and "text"; other keys \
        are stored fields), .jsonl.gz or .jsonl.zst, a WARC or WET file (.warc, .warc.gz, \
        .warc.wet.gz: one document per HTML response or text conversion record, id = \
        WARC-Target-URI), a .txt file (one document: id = the path, title = its first line), a \
        directory of those (recursively), or - for standard input. A document whose id is already \
        in the index replaces the old one. A bad record is reported as FILE:LINE or FILE@OFFSET and \
        skipped (with --strict, the build stops there). Documents are analyzed on --threads threads \
        and buffered in --memory MiB; Ctrl-C commits what was added and exits with status 130.
        """
    )

    @Option(name: .long, help: "The index directory (created if missing).")
    var index: String

    @Option(name: .long, help: "Memory for buffered documents, in MiB, shared by the indexing threads.")
    var memory: Int = 1024

    @Option(name: .long, help: "Indexing threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Index only shard K of N (0 <= K < N): the documents whose id hashes to K. Every machine of a batch job can read the same inputs.")
    var shard: String?

    @Flag(name: .long, help: "Stop at the first bad record instead of skipping it.")
    var strict = false

    @Flag(name: .long, help: "Merge the index into one segment after indexing.")
    var optimize = false

    @Flag(name: .long, inversion: .prefixedNo, help: "Merge segments in the background while indexing (a tiered policy).")
    var backgroundMerge = true

    @Option(name: .long, help: "Commit every N documents, so that an interrupted build keeps what it committed.")
    var commitEvery: Int?

    @Flag(name: .long, inversion: .prefixedNo, help: "Fold traditional Chinese (and Japanese new forms) to simplified, so that either script finds both (fixed when the index is created; an existing index must match).")
    var tsFolding: Bool?

    @Flag(name: .long, inversion: .prefixedNo, help: "Fold katakana to hiragana, so that either finds both (fixed when the index is created).")
    var kanaFolding: Bool?

    @Flag(name: .long, help: "Print nothing but errors (no progress line, no summary).")
    var quiet = false

    @Argument(help: "Files or directories to index (- for standard input).")
    var inputs: [String]

    static func parseShard(_ text: String) -> (k: Int, n: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 0, k < n else { return nil }
        return (k, n)
    }

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT") }
        if memory < 1 { throw ValidationError("--memory must be at least 1 (MiB)") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        if let n = commitEvery, n < 1 { throw ValidationError("--commit-every must be at least 1") }
        if let shard, IndexCommand.parseShard(shard) == nil { throw ValidationError("--shard: expected K/N with 0 <= K < N, got \(shard)") }
    }

    func run() throws {
        try runReportingErrors {
            var o = BuildOptions(inputs: inputs, index: index)
            o.memoryMiB = memory
            o.threads = threads
            o.shard = shard.flatMap(IndexCommand.parseShard)
            o.strict = strict
            o.commitEvery = commitEvery
            o.optimize = optimize
            o.backgroundMerge = backgroundMerge
            o.progress = !quiet
            // Given explicitly, the setting must match an existing index; left at its default,
            // a new index gets it and an existing one keeps its own.
            let explicit = tsFolding != nil || kanaFolding != nil
            o.analysis = explicit ? AnalysisOptions(foldsTraditionalToSimplified: tsFolding ?? true, foldsKana: kanaFolding ?? true) : nil
            let summary = try Build.run(o)
            if !quiet { for line in Build.describe(summary) { print(line) } }
            if summary.interrupted { throw ExitCode(130) }
        }
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine separately built indexes (shards) into one index.",
        discussion: """
        OUT is created if missing; its own documents (if any) are kept. Everything is merged into one \
        segment, by postings (no text is analyzed again). Where an id occurs more than once, the newest \
        copy wins: OUT's documents are the oldest, then the INPUT indexes in the order given. The \
        inputs are only read.
        """
    )

    @Option(name: .long, help: "The output index directory.")
    var index: String

    @Argument(help: "The index directories to merge into OUT.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT index") }
    }

    func run() throws {
        try runReportingErrors {
            let started = Date()
            let sources = try inputs.map { try SearchIndex.open(at: $0) }
            // A new OUT analyzes text as the inputs do (a merge never re-analyzes).
            let out = try SearchIndex.openOrCreate(at: index, analysis: SearchIndex.exists(at: index) ? nil : try sources[0].analysis())
            let writer = try out.writer()
            let info = try writer.merge(adding: sources)
            writer.close()
            printError("committed \(info.documentCount) documents")
            print(String(format: "merged %d indexes into %@: %d documents in %d segment(s), %.2f s, peak RSS %.0f MiB",
                         inputs.count, index, info.documentCount, info.segmentCount, Date().timeIntervalSince(started),
                         Double(Build.peakRSS()) / 1_048_576))
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show document, segment, term and size counts.")

    @Option(name: .long, help: "The index directory; repeat it for several indexes together.")
    var index: [String]

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard !index.isEmpty else { throw SearchError(.invalidInput, "give --index DIR") }
            let stats = try SearchIndex.searcher(over: index.map { try SearchIndex.open(at: $0) }).stats()
            if json {
                let object: [String: Any] = [
                    "documents": stats.documents, "deleted_documents": stats.deletedDocuments,
                    "segments": stats.segments, "terms": stats.terms, "bytes": stats.bytes,
                    "bytes_by_kind": stats.bytesByKind, "generation": stats.generation,
                    "ts_folding": stats.analysis.foldsTraditionalToSimplified, "kana_folding": stats.analysis.foldsKana,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(Output.stats(stats))
            }
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every checksum and the structure of the index; exit 0 only if it is sound."
    )

    @Option(name: .long, help: "The index directory.")
    var index: String

    func run() throws {
        try runReportingErrors {
            let report = try SearchIndex.open(at: index).check()
            print("index is sound: \(report.documents) documents, \(report.segments) segments, \(report.terms) terms, \(report.postings) postings, \(report.bytesVerified) bytes verified")
        }
    }
}

/// SIGINT/SIGTERM handling for long builds: the handler only sets a flag, which the indexing loop
/// polls between documents.
struct Interruption: Error {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static var requested: Bool { flag != 0 }

    static func install() {
        signal(SIGINT) { _ in Interruption.flag = 1 }
        signal(SIGTERM) { _ in Interruption.flag = 1 }
    }
}
