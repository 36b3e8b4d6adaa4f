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

    @Flag(name: .long, help: "Print one JSON object per hit per line (keys id, score, title, snippet with <mark> spans).")
    var json = false

    @Flag(name: .long, help: "Print only the exact number of matching documents.")
    var count = false

    @Argument(help: "The query.")
    var query: [String]

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must not be negative") }
        if query.isEmpty { throw ValidationError("give a QUERY") }
        if index.isEmpty { throw ValidationError("give --index DIR") }
    }

    func run() throws {
        try runReportingErrors {
            let searcher = try SearchIndex.searcher(over: index.map { try SearchIndex.open(at: $0) })
            let text = query.joined(separator: " ")
            if count {
                print(try searcher.count(text))
                return
            }
            let results = try searcher.search(text, limit: limit)
            if json {
                for hit in results.hits { print(Output.json(hit)) }
            } else {
                print(Output.results(results, colour: Output.useColour(fileDescriptor: 1)), terminator: "")
            }
        }
    }
}
