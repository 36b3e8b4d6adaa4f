/// The analysis chain, the same at index time and at query time: ``Normalizer`` (crawl artifacts,
/// NFKC, lower case, ignorables, traditional → simplified folding as the index's
/// ``AnalysisOptions`` say), then classification by ``Script``, then tokens.
///
/// ## Tokens
///
/// Positions count characters in CJK runs and words elsewhere: every CJK character and every word
/// takes one position; separators take none. (The table shows the characters unfolded; with
/// traditional → simplified folding on, the default, `東京` is indexed as `东京` and `買っ` as `买っ`.)
///
/// | input (normalized) | class run | positional tokens (term @ position) | presence |
/// |---|---|---|---|
/// | `東京都` | CJK ×3 | 東京@0, 京都@1, 都@2 (run end) | 東, 京, 都 |
/// | `日` | CJK ×1 | 日@0 (run end) | 日 |
/// | `iphone買った` | word, CJK ×3 | iphone@0, 買っ@1, った@2, た@3 | 買, っ, た |
/// | `東京 tower` | CJK ×2, word | 東京@0, 京@1, tower@2 | 東, 京 |
/// | `한국어` | CJK ×3 | 한국@0, 국어@1, 어@2 | 한, 국, 어 |
/// | `a,b` | word, word | a@0, b@1 | |
/// | `🎉!` | separators | (none) | |
///
/// So every position inside a CJK run holds exactly one term that *starts* with that position's
/// character: a bigram, or the run-end character. That makes a CJK query of n ≥ 2 characters a
/// phrase of its n − 1 bigrams (an exact substring match), and lets a single query character in a
/// longer phrase match "any term starting with it" at its position (a prefix range of the sorted
/// term dictionary).
///
/// The presence postings (one per distinct CJK character in a field, with its frequency, no
/// positions) answer a one-character query with a single posting list.
///
/// ## Limits
/// - A word longer than ``maxWordBytes`` UTF-8 bytes is not indexed (it still takes a position),
///   like Lucene's maximum token length: such "words" are base64 blobs and minified code.
final class Analyzer {
    static let maxWordBytes = 255

    let normalizer: Normalizer
    let options: AnalysisOptions

    init(_ options: AnalysisOptions = AnalysisOptions()) {
        self.options = options
        normalizer = Normalizer(options)
    }

    /// Analyzes UTF-8 `bytes` into `out` (cleared first).
    func analyze(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout AnalyzedField) throws {
        out.removeAll()
        try normalizer.normalize(bytes, into: &out.text)
        Analyzer.tokenize(&out)
    }

    func analyze(_ string: String, into out: inout AnalyzedField) throws {
        var s = string
        try s.withUTF8 { (buf: UnsafeBufferPointer<UInt8>) throws in
            try analyze(buf, into: &out)
        }
    }

    static func tokenize(_ out: inout AnalyzedField) {
        let n = out.text.count
        var position: UInt32 = 0
        var i = 0
        out.text.scalars.withUnsafeBufferPointer { sc in
            while i < n {
                let s = sc[i]
                switch Script.classify(s) {
                case .separator:
                    i += 1
                case .cjk:
                    var j = i
                    while j < n && Script.isCJK(sc[j]) { j += 1 }
                    for k in i ..< j {
                        if k + 1 < j {
                            out.tokens.append(Token(kind: .bigram, first: sc[k], second: sc[k + 1],
                                                    start: Int32(k), end: Int32(k + 1), position: position))
                        } else {
                            out.tokens.append(Token(kind: .runEnd, first: sc[k], second: 0,
                                                    start: Int32(k), end: Int32(k + 1), position: position))
                        }
                        position &+= 1
                    }
                    i = j
                case .word:
                    var j = i
                    var utf8Length = 0
                    while j < n {
                        let c = sc[j]
                        if Script.isCJK(c) || Script.classify(c) != .word { break }
                        utf8Length += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4
                        j += 1
                    }
                    if utf8Length <= maxWordBytes {
                        out.tokens.append(Token(kind: .word, first: 0, second: 0,
                                                start: Int32(i), end: Int32(j), position: position))
                    }
                    position &+= 1
                    i = j
                }
            }
        }
        out.length = Int(position)
    }
}
