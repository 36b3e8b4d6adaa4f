import ArgumentParser
import CJKSearch
import Foundation

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

    @Option(name: .long, help: "Flush a segment when buffered documents use about this many MiB.")
    var memory: Int = 256

    @Flag(name: .long, help: "Merge the index into one segment after indexing.")
    var optimize = false

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: "Files or directories to index.")
    var inputs: [String]

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT") }
        if memory < 1 { throw ValidationError("--memory must be at least 1 (MiB)") }
    }

    func run() throws {
        try runReportingErrors {
            let started = Date()
            let files = try InputReader.expand(inputs)
            let idx = try SearchIndex.openOrCreate(at: index)
            let writer = try idx.writer(options: IndexWriterOptions(memoryBudget: memory << 20))
            var documents = 0
            var bytes = 0
            var skipped = 0
            for file in files {
                try InputReader.read(path: file, onDocument: { doc in
                    try writer.add(doc)
                    documents += 1
                    bytes += doc.title.utf8.count + doc.body.utf8.count
                }, onSkip: { error in
                    skipped += 1
                    var location = error.path ?? file
                    if let line = error.line { location += ":\(line)" }
                    printError("\(location): \(error.message)")
                })
            }
            let info = optimize ? try writer.merge(maxSegments: 1) : try writer.commit()
            writer.close()
            let seconds = Date().timeIntervalSince(started)
            let mb = Double(bytes) / 1_048_576
            if !quiet {
                printError("committed \(info.documentCount) documents")
                print(String(format: "indexed %d documents (%.2f MB) in %.2f s, %.2f MB/s; skipped %d; index now holds %d documents in %d segments",
                             documents, mb, seconds, seconds > 0 ? mb / seconds : 0, skipped, info.documentCount, info.segmentCount))
            }
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
