/// What a positional token is.
enum TokenKind: UInt8 {
    /// Two adjacent CJK characters, at the position of the first.
    case bigram = 0
    /// The last character of a CJK run (a lone CJK character is a run of one), at its position.
    case runEnd = 1
    /// A run of letters and digits.
    case word = 2
}

/// One positional token of an analyzed field. Plain values: no allocation per token.
struct Token {
    var kind: TokenKind
    /// First CJK scalar (bigram, runEnd).
    var first: UInt32
    /// Second CJK scalar (bigram only).
    var second: UInt32
    /// For words: the range in the normalized scalars. For CJK tokens: the first character's index.
    var start: Int32
    var end: Int32
    var position: UInt32
}

/// A field after analysis: its normalized text, positional tokens and the CJK characters it contains.
struct AnalyzedField {
    var text = NormalizedText()
    var tokens: [Token] = []
    /// Every CJK character occurrence, in order (for the character-presence postings): the first
    /// character of each CJK token, since each CJK position holds exactly one token.
    var cjkCharacters: [UInt32] { tokens.filter { $0.kind != .word }.map(\.first) }
    /// Number of positions used: the field length for BM25.
    var length: Int = 0

    mutating func removeAll() {
        text.removeAll()
        tokens.removeAll(keepingCapacity: true)
        length = 0
    }

    /// The original byte range of the character (CJK) or word at normalized index range.
    func originalRange(normalizedStart: Int, normalizedEnd: Int) -> Range<Int> {
        Int(text.starts[normalizedStart]) ..< Int(text.ends[normalizedEnd - 1])
    }
}
