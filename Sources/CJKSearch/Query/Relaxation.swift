/// How a hit matched its query: exactly, or in one of the relaxed forms a search falls back to
/// when fewer exact matches than asked for exist.
public enum MatchKind: String, Sendable, Hashable, CaseIterable {
    /// The query as written: every CJK string as one contiguous phrase.
    case exact
    /// Every term of each phrase (its bigrams, words, characters), anywhere in the document.
    case allTerms
    /// At least half of each phrase's terms: more matched terms, and rarer ones, score higher.
    case someTerms
}

/// The relaxed forms of a query, for long queries that do not occur verbatim.
///
/// A text leaf whose analysis has two or more terms (a CJK string of three or more characters
/// gives its bigrams; `iPhone買` gives `iphone` and `買`) is replaced by the AND of its terms
/// (``MatchKind/allTerms``), then by at least half of them (``MatchKind/someTerms``,
/// ``someTerms(of:)``); leaves of one term, and
/// exclusions, stay as they are, so an excluded phrase is still excluded exactly. A search shows
/// the exact matches first, then fills the rest of its hits from the first relaxed form, then from
/// the second, never showing a document twice: an exact match always ranks above a relaxed one.
/// Within a form, BM25 ranks as usual (in the second, a document holding more of the terms, and
/// rarer ones, scores higher).
enum Relaxation {
    /// The query relaxed to `kind`, or nil when relaxing changes nothing (no leaf has two terms).
    static func relax(_ query: Query, to kind: MatchKind, analyzer: Analyzer) throws -> Query? {
        precondition(kind != .exact, "the exact form is the query itself")
        switch query {
        case .text(let text):
            guard text.utf8.count <= QueryWeight.maxTextBytes, let plan = try LeafPlan.make(text, analyzer: analyzer) else { return nil }
            var terms: [String] = []
            for slot in plan.slots {
                let t = term(slot.pattern)
                if !terms.contains(t) { terms.append(t) }
            }
            guard terms.count >= 2 else { return nil }
            let leaves = terms.map { Query.text($0) }
            return kind == .allTerms ? .and(leaves) : .atLeast(someTerms(of: leaves.count), leaves)
        case .and(let qs):
            var changed = false
            let out = try qs.map { q -> Query in
                if case .not = q { return q }
                guard let r = try relax(q, to: kind, analyzer: analyzer) else { return q }
                changed = true
                return r
            }
            return changed ? .and(out) : nil
        case .or(let qs):
            var changed = false
            let out = try qs.map { q -> Query in
                guard let r = try relax(q, to: kind, analyzer: analyzer) else { return q }
                changed = true
                return r
            }
            return changed ? .or(out) : nil
        case .not:
            return nil
        case .atLeast(let n, let qs):
            var changed = false
            let out = try qs.map { q -> Query in
                guard let r = try relax(q, to: kind, analyzer: analyzer) else { return q }
                changed = true
                return r
            }
            return changed ? .atLeast(n, out) : nil
        }
    }

    /// How many of a phrase's `n` terms a ``MatchKind/someTerms`` match needs: half, rounded up
    /// (2 of 4 bigrams, 4 of 8), so that a page sharing one common bigram with a long query is not
    /// offered as a match for it.
    static func someTerms(of n: Int) -> Int { max(1, (n + 1) / 2) }

    /// The text of one term, which analyzes back to that term alone.
    private static func term(_ pattern: SlotPattern) -> String {
        func string(_ scalars: [UInt32]) -> String {
            String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
        }
        switch pattern {
        case .bigram(let a, let b): return string([a, b])
        case .word(let w): return string(w)
        case .char(let c), .runEnd(let c): return string([c])
        }
    }
}
