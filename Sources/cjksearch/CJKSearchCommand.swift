import ArgumentParser
import CJKSearch
import Foundation

@main
struct CJKSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cjksearch",
        abstract: "A full-text search engine for Chinese, Japanese and Korean text.",
        discussion: """
        With no arguments, builds (once) an index of the bundled Corpus/ and opens the REPL on it.
        """,
        subcommands: [Demo.self, IndexCommand.self, MergeCommand.self, SearchCommand.self, ReplCommand.self, StatsCommand.self, CheckCommand.self, CorpusCommand.self, BenchCommand.self],
        defaultSubcommand: Demo.self
    )
}

/// Runs `body`, printing a SearchError on stderr and exiting non-zero instead of a stack trace.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as SearchError {
        FileHandle.standardError.write(Data("cjksearch: error: \(error)\n".utf8))
        throw ExitCode(error.code == .corrupt ? 2 : 1)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Index the bundled Corpus/ (once) and open the REPL on it (the default command).",
        shouldDisplay: false
    )

    @Option(help: "The corpus directory (default: Corpus/ in the current directory or above the executable).")
    var corpus: String?

    func run() throws {
        try runReportingErrors {
            let corpusDir = try corpus ?? CorpusLocator.find()
            let indexDir = try CorpusLocator.ensureIndex(corpus: corpusDir)
            try Repl(indexes: [try SearchIndex.open(at: indexDir)], limit: 10).run()
        }
    }
}

enum CorpusLocator {
    /// Finds `Corpus/` in the current directory, its parents, or above the executable.
    static func find() throws -> String {
        func isDirectory(_ path: String) -> Bool {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
        }
        /// `dir` and its ancestors, up to the root.
        func ancestors(_ dir: URL) -> [URL] {
            var out: [URL] = []
            var d = dir.standardizedFileURL
            for _ in 0 ..< 10 {
                out.append(d)
                let parent = d.deletingLastPathComponent()
                if parent.path == d.path { break }
                d = parent
            }
            return out
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let exe = URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: cwd).resolvingSymlinksInPath().deletingLastPathComponent()
        for dir in ancestors(cwd) + ancestors(exe) {
            let candidate = dir.appendingPathComponent("Corpus").path
            if isDirectory(candidate) { return candidate }
        }
        throw SearchError(.indexNotFound, "cannot find the bundled Corpus/ directory; run from the repository or pass --corpus DIR")
    }

    /// Builds the corpus index under `<corpus>/../.cjksearch/corpus-index` unless an index of the
    /// same files (names, sizes, modification times), in this build's format, is already there.
    static func ensureIndex(corpus: String) throws -> String {
        let corpusURL = URL(fileURLWithPath: corpus).standardizedFileURL
        let root = corpusURL.deletingLastPathComponent().appendingPathComponent(".cjksearch").path
        let indexDir = root + "/corpus-index"
        let stampPath = root + "/corpus-index.stamp"
        let files = try InputReader.expand([corpus])
        // The format version too: an index an older build made is rebuilt, not refused.
        var stamp = "format \(SearchIndex.formatVersion)\n"
        for f in files {
            let attrs = try? FileManager.default.attributesOfItem(atPath: f)
            let size = (attrs?[.size] as? NSNumber)?.intValue ?? 0
            let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            stamp += "\(f)\t\(size)\t\(mtime)\n"
        }
        if SearchIndex.exists(at: indexDir), let old = try? String(contentsOfFile: stampPath, encoding: .utf8), old == stamp {
            return indexDir
        }
        try? FileManager.default.removeItem(atPath: indexDir)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let index = try SearchIndex.create(at: indexDir)
        let writer = try index.writer()
        var count = 0
        for f in files {
            try InputReader.read(path: f, onDocument: { doc in
                var doc = doc
                // Ids relative to the corpus directory's parent, e.g. "Corpus/000_….txt".
                if doc.id.hasPrefix(corpus) { doc.id = "Corpus" + doc.id.dropFirst(corpus.count) }
                try writer.add(doc)
                count += 1
            }, onSkip: { printError("cjksearch: skipped \($0)") })
        }
        try writer.commit()
        writer.close()
        try stamp.write(toFile: stampPath, atomically: true, encoding: .utf8)
        printError("Indexed \(count) documents of \(corpus) into \(indexDir).")
        return indexDir
    }
}
