import Foundation

/// Why a document scores what it scores for a query: its BM25 breakdown, term by term and field
/// by field (``Searcher/explain(_:id:options:)``, `:explain ID` in the REPL).
public struct Explanation: Sendable, CustomStringConvertible {
    /// One matching text leaf of the query in one field of the document.
    public struct Part: Sendable, Hashable {
        /// The query text (a term or a phrase).
        public let text: String
        public let field: String
        /// Occurrences of the text in the field (a phrase counts where all its terms line up).
        public let termFrequency: Int
        /// The idf: of the term, or summed over a phrase's terms.
        public let idf: Double
        /// The field's boost (``SearchOptions/titleBoost`` for titles, 1 for bodies).
        public let boost: Double
        /// The field's length in positions, and its average over the index.
        public let fieldLength: Int
        public let averageFieldLength: Double
        /// `boost · idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / average))`.
        public let score: Double
    }

    /// The closeness bonus of an AND's text leaves in the body (``SearchOptions/proximity``).
    public struct Proximity: Sendable, Hashable {
        /// The leaves that have body occurrences in the document.
        public let texts: [String]
        /// Positions from the first start to the last of the closest set of occurrences, plus the
        /// longest leaf; and the leaves' spans added up (the window when they stand side by side).
        public let window: Int
        public let spans: Int
        /// The bonus of these leaves side by side: proximity × their body idfs added up.
        public let maximum: Double
        /// `maximum · min(1, spans / window)`.
        public let score: Double
    }

    public let id: String
    /// The form of the query the document matches (the first of exact, all terms, some terms).
    public let match: MatchKind
    /// The query in that form.
    public let query: String
    /// The document's score: the sum of its parts, as the search computes it.
    public let score: Double
    public let parts: [Part]
    /// Proximity bonuses (one per AND with two or more text leaves in the body).
    public let proximity: [Proximity]
    public let k1: Double
    public let b: Double

    public var description: String {
        var out = String(format: "%@: score %.4f, %@ match of %@\n", id, score, match.rawValue, query)
        out += String(format: "  BM25 (k1 %.2f, b %.2f): boost · idf · tf · (k1 + 1) / (tf + k1 · (1 − b + b · length / average length))\n", k1, b)
        for p in parts {
            out += String(format: "  %@ in %@: tf %d, idf %.4f, boost %.1f, length %d (average %.1f) → %.4f\n",
                          p.text, p.field, p.termFrequency, p.idf, p.boost, p.fieldLength, p.averageFieldLength, p.score)
        }
        for p in proximity {
            out += String(format: "  proximity of %@ in body: window %d for %d positions, up to %.4f → %.4f\n",
                          p.texts.joined(separator: ", "), p.window, p.spans, p.maximum, p.score)
        }
        return out
    }
}

extension QueryWeight {
    /// Scores document `doc` of segment `index` as the search does, keeping each leaf's share;
    /// nil when the document does not match.
    func explain(_ segment: SegmentReader, index: Int, doc: Int32, decompressor dz: ZstdDecompressor)
        throws -> (score: Double, parts: [Explanation.Part], proximity: [Explanation.Proximity])? {
        var parts: [Explanation.Part] = []
        var proximity: [Explanation.Proximity] = []
        func visit(_ node: WeightNode) throws -> Double? {
            switch node {
            case .leaf(let plan, let weights, let infos):
                var total: Double?
                for f in Field.allCases {
                    guard let w = weights[Int(f.rawValue)] else { continue }
                    let average = averageLengths[Int(f.rawValue)]
                    let scoring = FieldScoring(segment: segment, field: f, bm25: options.bm25, averageLength: average, weight: w)
                    guard let s = try leafScorer(plan, infos[Int(f.rawValue)], f, scoring, segment, index, dz),
                          try s.advance(to: doc) == doc, try s.matches() else { continue }
                    let score = try s.score()
                    let boost = f == .title ? options.titleBoost : 1.0
                    parts.append(Explanation.Part(text: plan.text, field: f == .title ? "title" : "body", termFrequency: s.matchFrequency,
                                                  idf: w / boost, boost: boost, fieldLength: try segment.fieldLength(Int(doc), f),
                                                  averageFieldLength: average, score: score))
                    total = (total ?? 0) + score
                }
                return total
            case .and(let positives, let negatives):
                var total = 0.0
                let before = parts.count, beforeProximity = proximity.count
                func fail() -> Double? {
                    parts.removeLast(parts.count - before)
                    proximity.removeLast(proximity.count - beforeProximity)
                    return nil
                }
                for p in positives {
                    guard let s = try visit(p) else { return fail() }
                    total += s
                }
                let kept = parts, keptProximity = proximity
                for n in negatives where try visit(n) != nil { return fail() }
                parts = kept
                proximity = keptProximity
                // The same scorer as the search's, for the closeness bonus (an AND of one positive
                // has none of its own: its positive's bonus is counted there).
                if positives.count > 1, let near = try positiveScorer(positives, segment, index, dz) as? ProximityScorer,
                   try near.advance(to: doc) == doc, try near.matches(), let (window, spans, weights) = try near.window() {
                    let bonus = try near.bonus()
                    let texts = parts[before...].filter { $0.field == "body" }.map(\.text)
                    proximity.append(Explanation.Proximity(texts: texts, window: window, spans: spans,
                                                           maximum: options.proximity * weights, score: bonus))
                    total += bonus
                }
                return total
            case .or(let children):
                var total: Double?
                for c in children { if let s = try visit(c) { total = (total ?? 0) + s } }
                return total
            case .atLeast(let n, let children):
                let kept = parts, keptProximity = proximity
                var total = 0.0, count = 0
                for c in children { if let s = try visit(c) { total += s; count += 1 } }
                if count < n {
                    parts = kept
                    proximity = keptProximity
                    return nil
                }
                return total
            }
        }
        guard let score = try visit(root) else { return nil }
        return (score, parts, proximity)
    }
}
