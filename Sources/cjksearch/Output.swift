import CJKSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Formatting of results for people and for scripts.
enum Output {
    static func useColour(fileDescriptor: Int32) -> Bool {
        if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
        if ProcessInfo.processInfo.environment["NO_COLOR"] != nil { return false }
        return isatty(fileDescriptor) != 0
    }

    static let highlightOn = "\u{1B}[1;31m", highlightOff = "\u{1B}[0m"
    static let dimOn = "\u{1B}[2m", boldOn = "\u{1B}[1m"

    static func snippetText(_ snippet: Snippet?, colour: Bool) -> String {
        guard let snippet else { return "" }
        return colour ? snippet.marked(open: highlightOn, close: highlightOff) : snippet.marked(open: "«", close: "»")
    }

    static func results(_ results: SearchResults, colour: Bool) -> String {
        var out = ""
        let ms = String(format: "%.2f ms", Double(results.micros) / 1000)
        let noun = results.totalCount == 1 ? "document matches" : "documents match"
        out += (results.isTotalCountExact ? "" : "at least ") + "\(results.totalCount) \(noun) (\(ms))\n"
        var kind = MatchKind.exact
        for (i, hit) in results.allHits.enumerated() {
            if hit.match != kind {
                kind = hit.match
                let note = kind == .allTerms ? "not as written, but every term of it" : "at least half of the terms of each phrase"
                out += (colour ? dimOn : "") + "-- \(note):" + (colour ? highlightOff : "") + "\n"
            }
            let score = String(format: "%.4f", hit.score)
            let id = colour ? boldOn + hit.id + highlightOff : hit.id
            out += "\(i + 1). \(score)  \(id)\n"
            let title = hit.titleSnippet.map { snippetText($0, colour: colour) } ?? hit.title
            if !title.isEmpty { out += "   \(title)\n" }
            let s = snippetText(hit.snippet, colour: colour)
            if !s.isEmpty { out += "   \(s)\n" }
        }
        return out
    }

    static func json(_ hit: Hit) -> String {
        let object: [String: Any] = [
            "id": hit.id,
            "score": hit.score,
            "title": hit.title,
            "snippet": hit.snippet?.marked() ?? "",
            "match": hit.match.rawValue,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func stats(_ s: IndexStats) -> String {
        var out = """
        documents: \(s.documents)
        deleted (awaiting merge): \(s.deletedDocuments)
        segments: \(s.segments)
        terms: \(s.terms)
        bytes: \(s.bytes) (\(String(format: "%.2f", Double(s.bytes) / 1_048_576)) MiB)
        generation: \(s.generation)
        analysis: \(s.analysis)

        """
        for (k, v) in s.bytesByKind.sorted(by: { $0.key < $1.key }) {
            out += "  \(k): \(v)\n"
        }
        return out
    }

    static func document(_ d: Document) -> String {
        var out = "id: \(d.id)\ntitle: \(d.title)\n"
        for (k, v) in d.fields.sorted(by: { $0.key < $1.key }) { out += "\(k): \(v)\n" }
        out += "\n\(d.body)\n"
        return out
    }
}
