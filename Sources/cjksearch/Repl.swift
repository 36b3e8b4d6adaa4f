import ArgumentParser
import CEditLine
import CJKSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Search interactively (line editing and history); reads one query per line when stdin is not a terminal."
    )

    @Option(name: .long, help: "The index directory (default: an index of the bundled Corpus/); repeat it to search several indexes together.")
    var index: [String] = []

    @Option(name: .long, help: "How many hits to show per query.")
    var limit: Int = 10

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() throws {
        try runReportingErrors {
            let dirs = index.isEmpty ? [try CorpusLocator.ensureIndex(corpus: CorpusLocator.find())] : index
            try Repl(indexes: dirs.map { try SearchIndex.open(at: $0) }, limit: limit).run()
        }
    }
}

/// The interactive loop: a line is a query or a `:command`.
final class Repl {
    let indexes: [SearchIndex]
    var limit: Int
    var searcher: Searcher
    let interactive: Bool
    let colour: Bool
    let historyPath: String
    /// The last query searched, for :explain.
    var lastQuery: String?

    init(indexes: [SearchIndex], limit: Int) throws {
        self.indexes = indexes
        self.limit = limit
        searcher = try SearchIndex.searcher(over: indexes)
        interactive = isatty(0) != 0
        colour = interactive && Output.useColour(fileDescriptor: 1)
        historyPath = (ProcessInfo.processInfo.environment["HOME"] ?? "/tmp") + "/.cjksearch_history"
    }

    static let help = """
    Type a query and press Enter. Syntax:
      重慶經開區          CJK text matches as a substring (also a single character: 慶)
      重慶 經開區         terms separated by spaces must all match
      "new york"         a phrase
      重慶 OR 成都        either
      重慶 -廣告          exclude a term
      (a OR b) c         group
    Commands:
      :help              this text
      :limit N           show N hits per query (now %d)
      :show ID           print the whole stored document
      :explain ID        why ID scores what it does for the last query (BM25, term by term)
      :count QUERY       the exact number of matches (a search counts exactly up to 1,000)
      :stats             index statistics
      :reload            see the latest commit
      :quit              leave (also Ctrl-D)
    """

    func run() throws {
        if interactive {
            setlocale(LC_ALL, "")
            _ = historyPath.withCString { read_history($0) }
            print("CJKSearch: \(searcher.documentCount) documents in \(indexes.map(\.directory).joined(separator: ", ")). Type :help for help, :quit to leave.")
        }
        while let line = readLine(prompt: "search> ") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if interactive { _ = trimmed.withCString { add_history($0) } }
            if !handle(trimmed) { break }
            // Answer by answer, also when stdout is a pipe: a program driving the REPL reads each
            // reply before it sends the next line.
            fflush(nil)   // all output streams (stdout itself is not concurrency-safe to name)
        }
        if interactive { _ = historyPath.withCString { write_history($0) } }
    }

    func readLine(prompt: String) -> String? {
        if !interactive { return Swift.readLine(strippingNewline: true) }
        guard let cLine = CEditLine.readline(prompt) else {
            print("")
            return nil
        }
        defer { free(cLine) }
        return String(cString: cLine)
    }

    /// Handles one line; false to quit.
    func handle(_ line: String) -> Bool {
        if line.hasPrefix(":") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            switch parts[0] {
            case ":quit", ":q", ":exit":
                return false
            case ":help", ":h":
                print(String(format: Repl.help, limit))
            case ":limit":
                if let n = Int(arg), n >= 0 { limit = n; print("showing \(n) hits") } else { printError("usage: :limit N (a whole number ≥ 0)") }
            case ":show":
                if arg.isEmpty { printError("usage: :show ID"); break }
                do {
                    if let doc = try searcher.document(id: arg) { print(Output.document(doc), terminator: "") } else { printError("no document with id \(arg)") }
                } catch { printError("error: \(error)") }
            case ":explain":
                if arg.isEmpty { printError("usage: :explain ID (after a query)"); break }
                guard let query = lastQuery else { printError("search for something first, then :explain ID"); break }
                do {
                    if let e = try searcher.explain(query, id: arg) {
                        print(e.description, terminator: "")
                    } else if try searcher.document(id: arg) == nil {
                        printError("no document with id \(arg)")
                    } else {
                        printError("\(arg) does not match \(query)")
                    }
                } catch let error as SearchError { printError("error: \(error.message)") } catch { printError("error: \(error)") }
            case ":count":
                if arg.isEmpty { printError("usage: :count QUERY"); break }
                do {
                    let n = try searcher.count(arg)
                    print("\(n) \(n == 1 ? "document matches" : "documents match")")
                } catch let error as SearchError { printError("error: \(error.message)") } catch { printError("error: \(error)") }
            case ":stats":
                do { print(Output.stats(try searcher.stats()), terminator: "") } catch { printError("error: \(error)") }
            case ":reload":
                do { searcher = try searcher.refreshed(); print("\(searcher.documentCount) documents") } catch { printError("error: \(error)") }
            default:
                printError("unknown command \(parts[0]); type :help")
            }
            return true
        }
        do {
            let results = try searcher.search(line, limit: limit)
            lastQuery = line
            print(Output.results(results, colour: colour), terminator: "")
        } catch let error as SearchError {
            var message = "error: \(error.message)"
            if let offset = error.offset, error.code == .invalidQuery {
                message += " (at character \(offset + 1))"
            }
            printError(message)
        } catch {
            printError("error: \(error)")
        }
        return true
    }
}
