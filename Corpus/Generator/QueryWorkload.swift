/// Query workloads for benchmarks: queries of each class drawn from the text of documents, so
/// that every query matches something (a phrase drawn from a page occurs in it) and the terms
/// follow the corpus's own frequencies.
///
/// Classes (the labels are what `cjksearch bench query` prints and what a query file carries
/// before a tab):
///
/// | class | query |
/// |---|---|
/// | `1char` | one CJK character |
/// | `2char` | two adjacent CJK characters (one bigram) |
/// | `phrase4` | four adjacent CJK characters |
/// | `phrase6-10` | six to ten adjacent CJK characters |
/// | `and2-3` | two or three strings of 2–4 characters from one page, ANDed |
/// | `or` | `a OR b`, strings of 2–3 characters from two pages |
/// | `not` | `a -b`: 2–4 characters from one page, excluding 2 from another |
///
/// Strings are cut from runs of CJK characters only (Han, kana, Hangul), so a query never spans
/// punctuation or a script change. Deterministic: the same documents and seed give the same queries.
public enum QueryWorkload {
    public static let classes = ["1char", "2char", "phrase4", "phrase6-10", "and2-3", "or", "not"]

    public struct Query: Sendable, Hashable {
        public let queryClass: String
        public let text: String
        public init(queryClass: String, text: String) {
            self.queryClass = queryClass
            self.text = text
        }
    }

    /// `perClass` queries of every class drawn from `bodies`; fewer for a class when the bodies
    /// hold no CJK run long enough.
    public static func generate(bodies: [String], perClass: Int, seed: UInt64) -> [Query] {
        // Runs grouped by document, to draw several strings from one page.
        let byDocument: [[[Unicode.Scalar]]] = bodies.map(cjkRuns).filter { !$0.isEmpty }
        guard !byDocument.isEmpty else { return [] }
        var rng = CorpusGenerator.Random(seed: seed)
        func piece(_ length: Int, from candidates: [[Unicode.Scalar]]) -> String? {
            let long = candidates.filter { $0.count >= length }
            guard !long.isEmpty else { return nil }
            let run = long[Int(rng.next() % UInt64(long.count))]
            let start = Int(rng.next() % UInt64(run.count - length + 1))
            var s = ""
            s.unicodeScalars.append(contentsOf: run[start ..< start + length])
            return s
        }
        func length(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        func document() -> [[Unicode.Scalar]] { byDocument[Int(rng.next() % UInt64(byDocument.count))] }
        var out: [Query] = []
        for c in classes {
            var made = 0, attempts = 0
            while made < perClass && attempts < perClass * 20 {
                attempts += 1
                let text: String?
                switch c {
                case "1char": text = piece(1, from: document())
                case "2char": text = piece(2, from: document())
                case "phrase4": text = piece(4, from: document())
                case "phrase6-10": text = piece(length(6 ... 10), from: document())
                case "and2-3":
                    let d = document()
                    let parts = (0 ..< length(2 ... 3)).compactMap { _ in piece(length(2 ... 4), from: d) }
                    text = parts.count >= 2 && Set(parts).count == parts.count ? parts.joined(separator: " ") : nil
                case "or":
                    let a = piece(length(2 ... 3), from: document()), b = piece(length(2 ... 3), from: document())
                    text = a.flatMap { a in b.flatMap { b in a == b ? nil : "\(a) OR \(b)" } }
                default:   // "not"
                    let a = piece(length(2 ... 4), from: document()), b = piece(2, from: document())
                    text = a.flatMap { a in b.flatMap { b in a.contains(b) ? nil : "\(a) -\(b)" } }
                }
                if let text {
                    out.append(Query(queryClass: c, text: text))
                    made += 1
                }
            }
        }
        return out
    }

    /// The maximal runs of CJK characters in `text`.
    static func cjkRuns(_ text: String) -> [[Unicode.Scalar]] {
        var runs: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for u in text.unicodeScalars {
            if isCJK(u) {
                current.append(u)
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    static func isCJK(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x3041 ... 0x3096, 0x30A1 ... 0x30FA,   // kana (no prolonged-sound or iteration marks)
             0x3400 ... 0x4DBF, 0x4E00 ... 0x9FFF, 0xF900 ... 0xFAFF, 0x20000 ... 0x3134F,   // Han
             0xAC00 ... 0xD7A3:   // Hangul syllables
            return true
        default:
            return false
        }
    }
}
