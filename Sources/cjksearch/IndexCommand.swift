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
        INPUT is a .txt file (one document: id = the path as given, title = its first line), a .jsonl \
        file (one JSON object per line with "id", "title" and "text"; other keys are stored fields), \
        or a directory (its .txt and .jsonl files, recursively). A document whose id is already in the \
        index replaces the old one. Bad records are reported as FILE:LINE: reason and skipped.
        """
    )

    @Option(name: .long, help: "The index directory (created if missing).")
    var index: String

    @Option(name: .long, help: "Memory for buffered documents in MiB, shared by the indexing threads; each flushes a segment when it holds its share.")
    var memory: Int = 1024

    @Option(name: .long, help: "Indexing threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Merge the index into one segment after indexing.")
    var optimize = false

    @Option(name: .long, help: "Commit every N documents, so that an interrupted build keeps what it committed.")
    var commitEvery: Int?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: "Files or directories to index.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT") }
        if memory < 1 { throw ValidationError("--memory must be at least 1 (MiB)") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        if let n = commitEvery, n < 1 { throw ValidationError("--commit-every must be at least 1") }
    }

    func run() throws {
        try runReportingErrors {
            let started = Date()
            let files = try InputReader.expand(inputs)
            let idx = try SearchIndex.openOrCreate(at: index)
            let writer = try idx.writer(options: IndexWriterOptions(memoryBudget: memory << 20, threads: threads))
            var documents = 0
            var bytes = 0
            var skipped = 0
            // Ctrl-C (SIGINT) or SIGTERM: stop reading, commit what was added, exit 130.
            Interruption.install()
            var wasInterrupted = false
            var lastCommit: (documents: Int, info: CommitInfo)?
            func commit() throws -> CommitInfo {
                if let lastCommit, lastCommit.documents == documents { return lastCommit.info }   // nothing new
                let info = try writer.commit()
                printError("committed \(info.documentCount) documents")   // printed once the commit is durable
                lastCommit = (documents, info)
                return info
            }
            do {
                for file in files {
                    try InputReader.read(path: file, onDocument: { doc in
                        if Interruption.requested { throw Interruption() }
                        try writer.add(doc)
                        documents += 1
                        bytes += doc.title.utf8.count + doc.body.utf8.count
                        if let n = commitEvery, documents % n == 0 { _ = try commit() }
                    }, onSkip: { error in
                        skipped += 1
                        var location = error.path ?? file
                        if let line = error.line { location += ":\(line)" }
                        printError("\(location): \(error.message)")
                    })
                }
            } catch is Interruption {
                wasInterrupted = true
            }
            var info = try commit()
            if optimize && !wasInterrupted {
                info = try writer.merge(maxSegments: 1)
                printError("committed \(info.documentCount) documents")
            }
            writer.close()
            let seconds = Date().timeIntervalSince(started)
            let mb = Double(bytes) / 1_048_576
            if !quiet {
                print((wasInterrupted ? "interrupted: " : "") + String(format: "indexed %d documents (%.2f MB) in %.2f s, %.2f MB/s; skipped %d; index now holds %d documents in %d segments",
                             documents, mb, seconds, seconds > 0 ? mb / seconds : 0, skipped, info.documentCount, info.segmentCount))
            }
            if wasInterrupted { throw ExitCode(130) }
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show document, segment, term and size counts.")

    @Option(name: .long, help: "The index directory.")
    var index: String

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let stats = try SearchIndex.open(at: index).searcher().stats()
            if json {
                let object: [String: Any] = [
                    "documents": stats.documents, "deleted_documents": stats.deletedDocuments,
                    "segments": stats.segments, "terms": stats.terms, "bytes": stats.bytes,
                    "bytes_by_kind": stats.bytesByKind, "generation": stats.generation,
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
