/// Entry points for the benchmark suite into internals that have no public API (package access).
package enum CJKSearchBenchmarkHooks {
    /// Analyzes `text` and returns the number of positional tokens.
    package static func tokenCount(_ text: String) throws -> Int {
        var field = AnalyzedField()
        try sharedAnalyzer.analyze(text, into: &field)
        return field.tokens.count + field.cjkCharacters.count
    }

    nonisolated(unsafe) private static let sharedAnalyzer = Analyzer()
}
