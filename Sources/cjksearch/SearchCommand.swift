import ArgumentParser
import CJKSearch
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an index and print the best hits.",
        discussion: """
        Query syntax: terms separated by spaces are ANDed; a CJK term matches as a substring; \
        "double quotes" make a phrase; OR between terms makes a disjunction; a leading - excludes; \
        parentheses group. Example: 重慶 (經開區 OR 開發區) -廣告
        """
    )

    @Option(name: .long, help: "The index directory; repeat it to search several indexes (shards) together, with global statistics.")
    var index: [String]

    @Option(name: .long, help: "How many hits to print.")
    var limit: Int = 10

    @Flag(name: .long, help: "Print one JSON object per hit per line (keys id, score, title, snippet with <mark> spans, match: exact, allTerms or someTerms).")
    var json = false

    @Flag(name: .long, inversion: .prefixedNo, help: "When fewer documents than --limit match exactly, show documents that hold all the terms of each phrase, then half of them, below the exact ones (default on; with --batch, off unless --relax is given).")
    var relax: Bool?

    @Flag(name: .long, help: "Print only the exact number of matching documents.")
    var count = false

    @Flag(name: .long, help: "Count every match exactly. By default matches are counted exactly up to 1,000; past that the search skips documents that cannot make the top hits and reports \"at least N\".")
    var exactCount = false

    @Option(name: .long, help: "Count matches exactly up to N before skipping (default 1000; --exact-count: all).")
    var countThreshold: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Run every query of this file (- for standard input), one a line.",
        discussion: "Prints a line per query: with --json an object with \"query\", \"count\", \"count_exact\" (false when count is a lower bound, see --exact-count), \"ids\" (the top --limit, best first) and \"micros\" (the engine's time for the query, ids included, no stored fields; exact matches only, unless --relax is given: then the relaxed hits follow in \"ids\" and \"exact_hits\" says how many are exact); without, COUNT<TAB>MICROS<TAB>QUERY<TAB>IDS, COUNT with a + when it is a lower bound. A line LABEL<TAB>QUERY (a query class) adds \"class\". A bad query prints an \"error\" and the batch goes on; the exit status is then 1."))
    var batch: String?

    @Option(name: .long, help: ArgumentHelp(
        "With --batch: run the whole file this many times in this process and report each query's least time.",
        discussion: "As a peer benchmark that runs its queries in rounds in one process does: after the first round, the index pages a query reads are mapped and cached. Results are printed once, from the last round."))
    var runs: Int = 1

    @Argument(help: "The query.")
    var query: [String] = []

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative") }
        if query.isEmpty && batch == nil { throw ValidationError("give a QUERY or --batch FILE") }
        if !query.isEmpty && batch != nil { throw ValidationError("give a QUERY or --batch FILE, not both") }
        if index.isEmpty { throw ValidationError("give --index DIR") }
        if let countThreshold, countThreshold < 0 { throw ValidationError("--count-threshold must not be negative") }
        if countThreshold != nil && exactCount { throw ValidationError("give --count-threshold or --exact-count, not both") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if runs != 1 && batch == nil { throw ValidationError("--runs goes with --batch") }
    }

    func run() throws {
        try runReportingErrors {
            let searcher = try SearchIndex.searcher(over: index.map { try SearchIndex.open(at: $0) })
            if let batch {
                let failed = try runBatch(searcher, path: batch)
                if failed > 0 {
                    printError("cjksearch: \(failed) of the queries in \(batch) failed")
                    throw ExitCode(1)
                }
                return
            }
            let text = query.joined(separator: " ")
            if count {
                print(try searcher.count(text))
                return
            }
            let results = try searcher.search(text, limit: limit, options: SearchOptions(totalCountThreshold: threshold, relaxation: relax ?? true))
            if json {
                for hit in results.allHits { print(Output.json(hit)) }
            } else {
                print(Output.results(results, colour: Output.useColour(fileDescriptor: 1)), terminator: "")
            }
        }
    }
}


extension SearchCommand {
    /// ``SearchOptions/totalCountThreshold`` as `--exact-count` asks.
    var threshold: Int { exactCount ? .max : countThreshold ?? SearchOptions().totalCountThreshold }

    /// Runs the queries of `path` (see `--batch`); returns how many failed.
    func runBatch(_ searcher: Searcher, path: String) throws -> Int {
        // Exact matching unless --relax is given: a batch is a benchmark first, against peers whose
        // queries are exact. With --relax, "ids" lists the exact hits, then the relaxed ones.
        let relaxing = relax ?? false
        let options = SearchOptions(snippets: false, storedFields: false, totalCountThreshold: threshold, relaxation: relaxing)
        func search(_ text: String) throws -> SearchResults {
            try searcher.search(text, limit: count ? 0 : limit, options: options)
        }
        func isBlank(_ line: String) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }
        let lines = try SearchCommand.queryFileLines(path)
        // Earlier rounds only time the queries (a query that fails fails in every round).
        var best = [Int](repeating: .max, count: lines.count)
        for _ in 1 ..< runs {
            for (n, line) in lines.enumerated() {
                guard let line, !isBlank(line), let r = try? search(SearchCommand.splitLabel(line[...]).1) else { continue }
                best[n] = min(best[n], r.micros)
            }
        }
        var failed = 0
        for (n, line) in lines.enumerated() {
            guard let line else {
                failed += 1
                report(["line": n + 1, "error": "invalid UTF-8", "code": SearchError.Code.invalidQuery.rawValue],
                       text: "\(path):\(n + 1): invalid UTF-8", isError: true)
                continue
            }
            if isBlank(line) { continue }
            var object: [String: Any] = [:]
            let (label, text) = SearchCommand.splitLabel(line[...])
            if let label { object["class"] = label }
            object["query"] = text
            do {
                let r = try search(text)
                object["count"] = r.totalCount
                object["count_exact"] = r.isTotalCountExact
                object["ids"] = r.allHits.map(\.id)
                if relaxing { object["exact_hits"] = r.hits.count }
                let micros = min(best[n], r.micros)
                object["micros"] = micros
                let count = "\(r.totalCount)" + (r.isTotalCountExact ? "" : "+")
                report(object, text: "\(count)\t\(micros)\t\(text)\t" + r.allHits.map(\.id).joined(separator: " "))
            } catch let e as SearchError where e.code == .invalidQuery {
                failed += 1
                object["line"] = n + 1
                object["error"] = e.message
                object["code"] = e.code.rawValue
                report(object, text: "\(path):\(n + 1): \(e.message)", isError: true)
            }
        }
        return failed
    }

    /// The lines of a query file (`-`: standard input), without line ends; nil for a line that
    /// is not UTF-8.
    static func queryFileLines(_ path: String) throws -> [String?] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw SearchError(.invalidInput, "query file not found", path: path)
            }
            guard let d = FileManager.default.contents(atPath: path) else {
                throw SearchError(.io, "cannot read the query file", path: path)
            }
            data = d
        }
        return data.split(separator: 0x0A, omittingEmptySubsequences: false).map { raw in
            var bytes = Array(raw)
            if bytes.last == 0x0D { bytes.removeLast() }
            return String(validating: bytes, as: UTF8.self)
        }
    }

    /// A query-file line: `LABEL<TAB>QUERY` (a query class, as `bench query --write-queries`
    /// writes them) or just `QUERY`.
    static func splitLabel(_ line: Substring) -> (label: String?, query: String) {
        guard let tab = line.firstIndex(of: "\t") else { return (nil, String(line)) }
        return (String(line[..<tab]), String(line[line.index(after: tab)...]))
    }

    private func report(_ object: [String: Any], text: String, isError: Bool = false) {
        if json {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        } else if isError {
            printError(text)
        } else {
            print(text)
        }
    }
}
