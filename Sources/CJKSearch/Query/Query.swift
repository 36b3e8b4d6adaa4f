/// A query, parsed from text by ``QueryParser`` or built in code.
///
/// ```swift
/// // 重慶 AND (經開區 OR 開發區) AND NOT 廣告
/// let q: Query = .and([.text("重慶"), .or([.text("經開區"), .text("開發區")]), .not(.text("廣告"))])
/// ```
///
/// - ``text(_:)`` matches documents whose title or body contains the text's tokens as one
///   contiguous sequence: for CJK text that is an exact substring match of the normalized text
///   (a phrase over its bigrams); for Latin text, the words in order.
/// - ``and(_:)`` requires every positive operand and none of the ``not(_:)`` operands.
/// - ``or(_:)`` requires at least one operand.
/// - ``not(_:)`` is allowed only as an operand of ``and(_:)``, next to at least one positive operand.
/// - ``atLeast(_:_:)`` requires at least `n` of its operands (1 ≤ n ≤ their number; no
///   exclusions among them): "most of these terms". Scores add up over the operands that match.
public indirect enum Query: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case and([Query])
    case or([Query])
    case not(Query)
    case atLeast(Int, [Query])

    public var description: String {
        switch self {
        case .text(let s): return "\"\(s)\""
        case .and(let qs): return "(" + qs.map(\.description).joined(separator: " AND ") + ")"
        case .or(let qs): return "(" + qs.map(\.description).joined(separator: " OR ") + ")"
        case .not(let q): return "-" + q.description
        case .atLeast(let n, let qs): return "(\(n) of " + qs.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// Checks the structural rules; throws ``SearchError/Code-swift.struct/invalidQuery``.
    public func validate() throws {
        switch self {
        case .text(let s):
            if s.isEmpty { throw SearchError(.invalidQuery, "empty text in query") }
        case .and(let qs):
            if qs.isEmpty { throw SearchError(.invalidQuery, "empty AND") }
            var positives = 0
            for q in qs {
                if case .not(let inner) = q {
                    if case .not = inner { throw SearchError(.invalidQuery, "double exclusion") }
                    try inner.validate()
                } else {
                    positives += 1
                    try q.validate()
                }
            }
            if positives == 0 { throw SearchError(.invalidQuery, "a query of exclusions only matches nothing: add a term to search for") }
        case .or(let qs):
            if qs.isEmpty { throw SearchError(.invalidQuery, "empty OR") }
            for q in qs {
                if case .not = q { throw SearchError(.invalidQuery, "an exclusion cannot be an operand of OR") }
                try q.validate()
            }
        case .not:
            throw SearchError(.invalidQuery, "a query of exclusions only matches nothing: add a term to search for")
        case .atLeast(let n, let qs):
            if n < 1 || n > qs.count { throw SearchError(.invalidQuery, "at least \(n) of \(qs.count) operands: n must be between 1 and their number") }
            for q in qs {
                if case .not = q { throw SearchError(.invalidQuery, "an exclusion cannot be an operand of at-least") }
                try q.validate()
            }
        }
    }
}
