/// Parses query text into a ``Query``.
///
/// Grammar (whitespace, including the ideographic space U+3000, separates items):
/// ```
/// query   := and
/// and     := or+                         implicit AND of adjacent items
/// or      := unary ("OR" unary)*         OR binds tighter than the implicit AND
/// unary   := "-" primary | primary       "-" right before a term, phrase or group excludes it
/// primary := "(" and ")" | '"' text '"' | term
/// term    := any run of characters other than whitespace, '(', ')' and '"'
/// ```
/// - A term or a phrase matches its tokens as one contiguous sequence (``Query/text(_:)``); for CJK
///   that is an exact substring match, so `重慶經開區` finds exactly the documents containing it.
/// - `a b OR c d` means a AND (b OR c) AND d. `OR` is an operator only in upper case and standing
///   alone; `or` and `Or` are ordinary terms.
/// - A term with nothing searchable in it (only punctuation or symbols) is ignored.
///
/// Errors (``SearchError/Code-swift.struct/invalidQuery``, with the character offset): an unclosed
/// quote or parenthesis, a stray `)`, an `OR` without an operand on each side, an empty phrase or
/// group, a query (or group) of exclusions only, an empty query.
public enum QueryParser {
    /// Deepest nesting of parentheses accepted; deeper input is refused rather than risking the stack.
    public static let maxDepth = 64
    /// Most items (terms, phrases, groups) in one query.
    public static let maxItems = 1024
    /// The longest query text, in UTF-8 bytes (256 KiB); longer text is refused before it is looked at.
    public static let maxQueryBytes = 256 << 10

    public static func parse(_ text: String) throws -> Query {
        if text.utf8.count > maxQueryBytes {
            throw SearchError(.invalidQuery, "query of \(text.utf8.count) bytes is longer than \(maxQueryBytes): search a shorter passage")
        }
        var p = Parser(chars: Array(text.unicodeScalars))
        let q = try p.parseAnd(depth: 0, closing: nil)
        guard let query = q else {
            throw SearchError(.invalidQuery, "empty query: type a word, a phrase in quotes, or a CJK string")
        }
        try query.validate()
        return query
    }

    /// Whether `s` analyzes to at least one token.
    static func hasSearchableContent(_ s: String) -> Bool {
        var field = AnalyzedField()
        guard (try? Analyzer().analyze(s, into: &field)) != nil else { return false }
        return !field.tokens.isEmpty
    }

    private struct Parser {
        let chars: [Unicode.Scalar]
        var i = 0
        var items = 0

        init(chars: [Unicode.Scalar]) { self.chars = chars }

        static func isSpace(_ c: Unicode.Scalar) -> Bool {
            c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{3000}" || c.properties.isWhitespace
        }

        mutating func skipSpace() {
            while i < chars.count && Parser.isSpace(chars[i]) { i += 1 }
        }

        func error(_ message: String, at offset: Int) -> SearchError {
            SearchError(.invalidQuery, message, offset: offset)
        }

        /// Reads a bare word at i (not consuming it).
        func peekWord() -> (String, Int)? {
            var j = i
            var s = String.UnicodeScalarView()
            while j < chars.count && !Parser.isSpace(chars[j]) && chars[j] != "(" && chars[j] != ")" && chars[j] != "\"" {
                s.append(chars[j]); j += 1
            }
            return s.isEmpty ? nil : (String(s), j)
        }

        func peekIsOR() -> Bool {
            guard let (w, _) = peekWord() else { return false }
            return w == "OR"
        }

        mutating func parseAnd(depth: Int, closing: Int?) throws -> Query? {
            if depth > QueryParser.maxDepth { throw error("parentheses nested deeper than \(QueryParser.maxDepth)", at: i) }
            var operands: [Query] = []
            while true {
                skipSpace()
                if i >= chars.count {
                    if let closing { throw error("unclosed parenthesis", at: closing) }
                    break
                }
                if chars[i] == ")" {
                    if closing == nil { throw error("unexpected \")\" with no matching \"(\"", at: i) }
                    break
                }
                if peekIsOR() { throw error("OR needs a term on its left", at: i) }
                if let q = try parseOr(depth: depth) { operands.append(q) }
            }
            if operands.isEmpty { return nil }
            var positives = 0
            for q in operands { if case .not = q {} else { positives += 1 } }
            if positives == 0 {
                throw error("a query of exclusions only matches nothing: add a term to search for", at: closing ?? 0)
            }
            return operands.count == 1 ? operands[0] : .and(operands)
        }

        /// unary ("OR" unary)*; nil if the first unary had nothing searchable and no OR follows.
        mutating func parseOr(depth: Int) throws -> Query? {
            let firstStart = i
            var operands: [(Query?, Int)] = [(try parseUnary(depth: depth), firstStart)]
            while true {
                let save = i
                skipSpace()
                guard i < chars.count, peekIsOR() else { i = save; break }
                let orAt = i
                i += 2
                skipSpace()
                if i >= chars.count || chars[i] == ")" { throw error("OR needs a term on its right", at: orAt) }
                if peekIsOR() { throw error("OR needs a term on its right", at: orAt) }
                let s = i
                operands.append((try parseUnary(depth: depth), s))
            }
            if operands.count == 1 { return operands[0].0 }
            var qs: [Query] = []
            for (q, at) in operands {
                guard let q else { throw error("OR operand has nothing searchable", at: at) }
                if case .not = q { throw error("an exclusion cannot be an operand of OR", at: at) }
                qs.append(q)
            }
            return .or(qs)
        }

        mutating func parseUnary(depth: Int) throws -> Query? {
            items += 1
            if items > QueryParser.maxItems { throw error("more than \(QueryParser.maxItems) terms", at: i) }
            if chars[i] == "-" && i + 1 < chars.count && !Parser.isSpace(chars[i + 1]) && chars[i + 1] != ")" {
                let at = i
                i += 1
                if peekIsOR() { throw error("\"-\" must be followed by a term, a phrase or a group", at: at) }
                guard let inner = try parsePrimary(depth: depth) else { return nil }
                if case .not = inner { throw error("double exclusion", at: at) }
                return .not(inner)
            }
            return try parsePrimary(depth: depth)
        }

        mutating func parsePrimary(depth: Int) throws -> Query? {
            let c = chars[i]
            if c == "(" {
                let open = i
                i += 1
                let inner = try parseAnd(depth: depth + 1, closing: open)
                // parseAnd stopped at ")".
                i += 1
                guard let inner else { throw error("empty group \"()\"", at: open) }
                return inner
            }
            if c == "\"" {
                let open = i
                i += 1
                var s = String.UnicodeScalarView()
                while i < chars.count && chars[i] != "\"" { s.append(chars[i]); i += 1 }
                guard i < chars.count else { throw error("unclosed quote", at: open) }
                i += 1
                let text = String(s)
                if !QueryParser.hasSearchableContent(text) {
                    throw error(text.isEmpty ? "empty phrase \"\"" : "phrase has nothing searchable", at: open)
                }
                return .text(text)
            }
            guard let (w, end) = peekWord() else { throw error("unexpected character", at: i) }
            i = end
            return QueryParser.hasSearchableContent(w) ? .text(w) : nil
        }
    }
}
