/// A per-segment iterator over matching documents, in increasing order, in two phases:
/// ``advance(to:)`` moves to the next candidate (document numbers only), ``matches()`` confirms
/// it (a phrase reads positions there), ``score()`` scores a confirmed one. ``maxScore(from:)``
/// bounds the scores ahead without moving, so that a search can skip what cannot enter its top
/// hits (block-max pruning: see ``Searcher``).
///
/// `doc` is -1 before the first move and ``PostingsCursor/noMoreDocs`` at the end. A parent calls
/// a child's ``matches()`` (when ``isApproximate``) before its ``score()``, once per candidate.
class Scorer {
    var doc: Int32 = -1
    /// An estimate of how many documents it will visit (for ordering conjunctions).
    var cost: Int { 0 }
    /// Whether a candidate can fail ``matches()``.
    var isApproximate: Bool { false }
    /// Moves to the first candidate ≥ `target` (staying put if already there); returns it or
    /// ``PostingsCursor/noMoreDocs``.
    func advance(to target: Int32) throws -> Int32 { fatalError("abstract") }
    /// Whether the current candidate matches.
    func matches() throws -> Bool { true }
    func score() throws -> Double { fatalError("abstract") }
    /// An upper bound of ``score()`` over the documents `target ... upTo`, where the scorer
    /// chooses `upTo ≥ target` (a block boundary, or the end).
    ///
    /// - Precondition: `target ≥ doc`.
    func maxScore(from target: Int32) throws -> ScoreBound { fatalError("abstract") }
    /// An upper bound of ``score()`` for the current candidate, cheaper than confirming and
    /// scoring it (a block's bound, a phrase's rarest term frequency).
    func maxScoreOfCurrent() throws -> Double { fatalError("abstract") }
    /// The current document's term or phrase frequency, for a single term or a phrase in one
    /// field (after ``matches()``); 0 for composites. Read by explanations only.
    var matchFrequency: Int { 0 }
    /// The proximity scorer whose score this one's is (itself, or the positive part of an
    /// exclusion), so that a search can leave out the bonus of a document that cannot make the
    /// top hits even with the largest bonus.
    var proximityRoot: ProximityScorer? { nil }
}

/// The best score possible for documents up to `upTo` (inclusive).
struct ScoreBound {
    var upTo: Int32
    var score: Double

    /// `upTo` when the bound holds to the end of the segment.
    static let end: Int32 = PostingsCursor.noMoreDocs - 1

    /// No document below `doc` (the next candidate of a scorer beyond the target) can score.
    @inline(__always)
    static func nothing(before doc: Int32) -> ScoreBound {
        ScoreBound(upTo: doc == PostingsCursor.noMoreDocs ? end : doc - 1, score: 0)
    }
}

/// Field-level scoring context shared by a leaf's scorers in one segment.
struct FieldScoring {
    /// Unowned: the searcher keeps its segments open for the whole search (and copies of this
    /// value, made per scored document, then cost no reference counting).
    unowned(unsafe) let segment: SegmentReader
    let field: Field
    let bm25: BM25
    let averageLength: Double
    /// idf (summed over a phrase's terms) times the field's boost.
    let weight: Double
    /// The segment's Norms section: two little-endian u32 lengths per document.
    private let norms: UnsafeRawPointer
    private let documentCount: Int

    init(segment: SegmentReader, field: Field, bm25: BM25, averageLength: Double, weight: Double) {
        self.segment = segment
        self.field = field
        self.bm25 = bm25
        self.averageLength = averageLength
        self.weight = weight
        norms = segment.norms.base + Int(field.rawValue) * 4
        documentCount = segment.documentCount   // the Norms section holds 8 bytes for each (checked at open)
    }

    @inline(__always)
    func score(_ tf: Int, _ doc: Int32) throws -> Double {
        guard doc >= 0 && Int(doc) < documentCount else { return try score(tf, length: segment.fieldLength(Int(doc), field)) }
        let length = UInt32(littleEndian: norms.loadUnaligned(fromByteOffset: Int(doc) &* 8, as: UInt32.self))
        return score(tf, length: Int(length))
    }

    @inline(__always)
    func score(_ tf: Int, length: Int) -> Double {
        bm25.score(termFrequency: Double(tf), fieldLength: Double(length), averageFieldLength: averageLength, idf: weight)
    }

    /// A bound of every score, whatever the frequency and length: the weight × (k1 + 1) that
    /// BM25 approaches as the frequency grows (infinite for parameters outside k1 ≥ 0, 0 ≤ b ≤ 1).
    var maxScore: Double {
        bm25.k1 >= 0 && bm25.b >= 0 && bm25.b <= 1 ? weight * (bm25.k1 + 1) : .infinity
    }
}

/// One term in one field: the postings list, scored by BM25.
final class TermScorer: Scorer {
    let cursor: PostingsCursor
    let scoring: FieldScoring

    init(_ cursor: PostingsCursor, _ scoring: FieldScoring) {
        self.cursor = cursor
        self.scoring = scoring
    }

    override var cost: Int { cursor.documentFrequency }
    override func advance(to target: Int32) throws -> Int32 { doc = try cursor.advance(to: target); return doc }
    override func score() throws -> Double { try scoring.score(cursor.frequency, doc) }
    override var matchFrequency: Int { cursor.frequency }
    override func maxScore(from target: Int32) throws -> ScoreBound {
        if doc > target { return .nothing(before: doc) }
        return try cursor.maxScore(from: target, scoring)
    }
    override func maxScoreOfCurrent() throws -> Double {
        cursor.hasImpacts ? try cursor.maxScoreOfCurrentBlock(scoring) : try score()
    }
}

/// A source of documents with positions: one term's cursor, or the union of several (all terms
/// that start with one CJK character).
protocol PositionSource: AnyObject {
    var doc: Int32 { get }
    var cost: Int { get }
    func next() throws -> Int32
    func advance(to target: Int32) throws -> Int32
    /// Replaces `out`'s contents with the current document's positions, increasing (keeping
    /// its capacity, so a phrase allocates nothing per candidate).
    func currentPositions(into out: inout [UInt32]) throws
}

extension PostingsCursor: PositionSource {
    var cost: Int { documentFrequency }
    func currentPositions(into out: inout [UInt32]) throws {
        out.removeAll(keepingCapacity: true)
        try appendPositions(to: &out)
    }
}

/// The union of several terms' positions (a single query character inside a phrase matches any
/// term starting with it at that position).
final class UnionPositionSource: PositionSource {
    let cursors: [PostingsCursor]
    private(set) var doc: Int32 = -1
    let cost: Int

    init(_ cursors: [PostingsCursor]) {
        self.cursors = cursors
        cost = cursors.reduce(0) { $0 + $1.documentFrequency }
    }

    private func settle() -> Int32 {
        doc = cursors.reduce(PostingsCursor.noMoreDocs) { min($0, $1.doc) }
        return doc
    }

    func next() throws -> Int32 {
        if doc == -1 {
            for c in cursors { try c.next() }
            return settle()
        }
        let current = doc
        for c in cursors where c.doc == current { try c.next() }
        return settle()
    }

    func advance(to target: Int32) throws -> Int32 {
        for c in cursors where c.doc < target { try c.advance(to: target) }
        return settle()
    }

    func currentPositions(into out: inout [UInt32]) throws {
        out.removeAll(keepingCapacity: true)
        var sources = 0
        for c in cursors where c.doc == doc {
            try c.appendPositions(to: &out)
            sources += 1
        }
        if sources > 1 { out.sort() }
    }
}

/// A phrase in one field: every component at its relative position. Its frequency is the number
/// of start positions where all components line up. Candidates are the documents holding every
/// *part*; ``matches()`` reads the parts' positions, then confirms the *verifiers*: the
/// components left out of the candidate conjunction (see ``PhraseCover``: the common bigrams of a
/// long phrase). A verifier is moved to a candidate only after the parts' positions agree there,
/// so it is read for a few documents instead of intersected with every candidate.
final class PhraseScorer: Scorer {
    /// Components in increasing cost, each with its position relative to the phrase start.
    private let parts: [(offset: UInt32, source: PositionSource)]
    /// Components checked only where the parts match, in increasing cost.
    private let verifiers: [(offset: UInt32, source: PositionSource)]
    /// The components that bound their scores by block (single terms with impacts).
    private let bounded: [Unmanaged<PostingsCursor>]
    /// The single-term components (with or without impacts): each one's frequency bounds the
    /// phrase's in a document. (Unmanaged: kept alive by `parts`, walked without reference counting.)
    private let terms: [Unmanaged<PostingsCursor>]
    let scoring: FieldScoring
    private var frequency = 0
    /// One positions buffer per part, reused for every candidate.
    private var buffers: [[UInt32]]
    /// The parts' cursors, in part order, when every part is a single term (kept alive by `parts`).
    private let direct: [Unmanaged<PostingsCursor>]?
    /// The parts' offsets, in part order.
    private let offsets: [UInt32]
    /// The candidate starts of the current document (direct parts), grown to the first part's
    /// largest frequency.
    private var starts = UnsafeMutablePointer<UInt32>.allocate(capacity: 16)
    private var startsCapacity = 16

    /// - Precondition: when there are verifiers, every part is a single term.
    init(_ parts: [(UInt32, PositionSource)], verifiers: [(UInt32, PositionSource)] = [], _ scoring: FieldScoring) {
        self.parts = parts.sorted { $0.1.cost < $1.1.cost }.map { (offset: $0.0, source: $0.1) }
        self.verifiers = verifiers.sorted { $0.1.cost < $1.1.cost }.map { (offset: $0.0, source: $0.1) }
        let termCursors = self.parts.compactMap { $0.source as? PostingsCursor }
        terms = termCursors.map { Unmanaged.passUnretained($0) }
        bounded = termCursors.filter(\.hasImpacts).map { Unmanaged.passUnretained($0) }
        self.scoring = scoring
        buffers = Array(repeating: [], count: parts.count)
        direct = terms.count == self.parts.count ? terms : nil
        precondition(verifiers.isEmpty || direct != nil, "verifiers need single-term parts")
        offsets = self.parts.map(\.offset)
    }

    deinit { starts.deallocate() }

    override var cost: Int { parts.first?.source.cost ?? 0 }
    override var isApproximate: Bool { true }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        if let direct {
            doc = try leapfrog(direct.count, target) { i, t in try direct[i]._withUnsafeGuaranteedRef { try $0.advance(to: t) } }
        } else {
            doc = try leapfrog(parts.count, target) { i, t in try parts[i].source.advance(to: t) }
        }
        return doc
    }

    override func matches() throws -> Bool {
        frequency = try countMatches()
        return frequency > 0
    }

    /// The phrase occurs at most as often as each of its terms, so each term's block bound,
    /// taken with the phrase's weight, bounds the phrase; the least of them is kept.
    override func maxScore(from target: Int32) throws -> ScoreBound {
        var empty: Int32 = -1
        if let direct {
            for c in direct {
                let d = c._withUnsafeGuaranteedRef { $0.doc }
                if d > target { empty = max(empty, ScoreBound.nothing(before: d).upTo) }
            }
        } else {
            for p in parts where p.source.doc > target {
                empty = max(empty, ScoreBound.nothing(before: p.source.doc).upTo)
            }
        }
        if empty >= target { return ScoreBound(upTo: empty, score: 0) }
        var bound = ScoreBound(upTo: ScoreBound.end, score: scoring.maxScore)
        for c in bounded {
            let b = try c._withUnsafeGuaranteedRef { try $0.maxScore(from: target, scoring) }
            bound.upTo = min(bound.upTo, b.upTo)
            bound.score = min(bound.score, b.score)
        }
        return bound
    }

    /// The phrase occurs at most as often as its least frequent term in the document.
    override func maxScoreOfCurrent() throws -> Double {
        guard !terms.isEmpty else { return scoring.maxScore }
        var least = Int.max
        for c in terms { least = min(least, c._withUnsafeGuaranteedRef { $0.frequency }) }
        return try scoring.score(least, doc)
    }

    /// The number of phrase starts in the current document. Parts are read one at a time, rarest
    /// first, and the candidate starts narrowed after each (a sorted merge), so a document that
    /// fails early costs only the positions read so far.
    private func countMatches() throws -> Int {
        guard let direct else { return try countMatchesOfSources() }
        // Single terms: positions stream from each cursor straight into the starts, unmaterialized.
        let first = direct[0]
        let f = first._withUnsafeGuaranteedRef { $0.frequency }
        if f > startsCapacity {
            starts.deallocate()
            startsCapacity = max(f, startsCapacity * 2)
            starts = .allocate(capacity: startsCapacity)
        }
        let s = starts
        var n = try first._withUnsafeGuaranteedRef { try $0.phraseStarts(minus: offsets[0], into: s) }
        var i = 1
        while i < direct.count && n > 0 {
            let offset = offsets[i]
            n = try direct[i]._withUnsafeGuaranteedRef { try $0.keepStarts(s, n, at: offset) }
            i += 1
        }
        var v = 0
        while v < verifiers.count && n > 0 {
            let (offset, source) = verifiers[v]
            guard try source.advance(to: doc) == doc else { return 0 }
            if let cursor = source as? PostingsCursor {
                n = try cursor.keepStarts(s, n, at: offset)
            } else {
                try source.currentPositions(into: &buffers[0])
                n = PhraseScorer.keep(s, n, at: offset, positions: buffers[0])
            }
            v += 1
        }
        return n
    }

    /// Keeps those of the starts `starts[0 ..< n]` (increasing) for which `start + offset` is in
    /// `positions` (increasing), in place; returns how many are kept.
    static func keep(_ starts: UnsafeMutablePointer<UInt32>, _ n: Int, at offset: UInt32, positions: [UInt32]) -> Int {
        var kept = 0, j = 0
        for k in 0 ..< n {
            let want = starts[k] &+ offset
            while j < positions.count && positions[j] < want { j += 1 }
            if j == positions.count { break }
            if positions[j] == want {
                starts[kept] = starts[k]
                kept += 1
            }
        }
        return kept
    }

    /// ``countMatches()`` for parts that are not all single terms (a lone character matches the
    /// union of its terms): positions are collected into buffers and merged.
    private func countMatchesOfSources() throws -> Int {
        // The buffers are moved out while filled, so that each is uniquely referenced.
        var b = buffers
        buffers = []
        defer { buffers = b }
        try parts[0].source.currentPositions(into: &b[0])
        // b[0] becomes the candidate starts.
        let lead = parts[0].offset
        var n = 0
        for p in b[0] where p >= lead {
            b[0][n] = p - lead
            n += 1
        }
        for i in 1 ..< parts.count where n > 0 {
            try parts[i].source.currentPositions(into: &b[i])
            let offset = parts[i].offset, others = b[i], count = n
            n = b[0].withUnsafeMutableBufferPointer { PhraseScorer.keep($0.baseAddress!, count, at: offset, positions: others) }
        }
        return n
    }

    override func score() throws -> Double { try scoring.score(frequency, doc) }
    override var matchFrequency: Int { frequency }

    /// Appends the current document's phrase starts (after ``matches()``), increasing.
    func appendStarts(to out: inout [UInt32]) {
        if direct != nil {
            out.append(contentsOf: UnsafeBufferPointer(start: starts, count: frequency))
        } else if let first = buffers.first {
            out.append(contentsOf: first.prefix(frequency))
        }
    }
}

/// A conjunction of text leaves that also scores how close together their occurrences lie in the
/// body: the document's score is the conjunction's plus
///
///     bonus = proximity · Σ leaf weights · min(1, Σ spans / window)
///
/// over the leaves that occur in the document's body, where the leaf weights are their body idfs,
/// the spans their lengths in positions, and the window the fewest positions from the first to
/// the last start of an occurrence of each, plus the longest span (leaves side by side give 1;
/// far apart, little). Leaves that cannot give body positions (a single character, read from its
/// presence postings) take no part; with fewer than two in the body there is no bonus. Bounds add
/// the largest bonus (every leaf taking part), so pruning stays exact.
final class ProximityScorer: Scorer {
    /// How a leaf's body occurrences are read for the current document.
    enum Occurrences {
        case term(PostingsCursor)
        case phrase(PhraseScorer)
    }

    private let conjunction: Scorer
    private let leaves: [(occurrences: Occurrences, span: Int, weight: Double)]
    /// proximity × every leaf's weight: the largest bonus.
    private let weight: Double
    private let proximity: Double
    /// Reused per document: each leaf's starts, then the merged (start, leaf) events.
    private var starts: [[UInt32]]
    private var events: [(position: UInt32, leaf: Int)] = []
    private var counts: [Int]

    /// - Parameters:
    ///   - leaves: each leaf's occurrences, span and body weight (idf).
    ///   - proximity: ``SearchOptions/proximity``.
    init(_ conjunction: Scorer, leaves: [(Occurrences, Int, Double)], proximity: Double) {
        self.conjunction = conjunction
        self.leaves = leaves.map { (occurrences: $0.0, span: $0.1, weight: $0.2) }
        self.proximity = proximity
        weight = proximity * leaves.reduce(0) { $0 + $1.2 }
        starts = Array(repeating: [], count: leaves.count)
        counts = Array(repeating: 0, count: leaves.count)
    }

    /// The largest bonus.
    var maximumBonus: Double { weight }
    override var proximityRoot: ProximityScorer? { self }
    /// The score without the bonus (after ``matches()``).
    func baseScore() throws -> Double { try conjunction.score() }

    override var cost: Int { conjunction.cost }
    override var isApproximate: Bool { conjunction.isApproximate }
    override func advance(to target: Int32) throws -> Int32 {
        doc = try conjunction.advance(to: target)
        return doc
    }
    override func matches() throws -> Bool { try conjunction.matches() }
    override func score() throws -> Double { try conjunction.score() + (try bonus()) }
    override func maxScore(from target: Int32) throws -> ScoreBound {
        var b = try conjunction.maxScore(from: target)
        if b.score > 0 { b.score += weight }
        return b
    }
    override func maxScoreOfCurrent() throws -> Double { try conjunction.maxScoreOfCurrent() + weight }

    /// The current document's proximity bonus (after ``matches()``); also the window, for explanations.
    func bonus() throws -> Double {
        guard let (w, spans, weights) = try window() else { return 0 }
        return proximity * weights * min(1, Double(spans) / Double(w))
    }

    /// The smallest window holding a start of every leaf that has body positions, with the sums
    /// of those leaves' spans and weights (nil: fewer than two leaves have them in this document).
    func window() throws -> (window: Int, spans: Int, weights: Double)? {
        events.removeAll(keepingCapacity: true)
        var present = 0, longest = 0, spans = 0, weights = 0.0
        for (i, leaf) in leaves.enumerated() {
            starts[i].removeAll(keepingCapacity: true)
            switch leaf.occurrences {
            case .term(let c):
                if c.doc < doc { _ = try c.advance(to: doc) }
                if c.doc == doc { starts[i].append(contentsOf: try c.positions()) }
            case .phrase(let p):
                // The conjunction confirmed it for this document (its body matched, or not).
                if p.doc == doc { p.appendStarts(to: &starts[i]) }
            }
            if !starts[i].isEmpty {
                present += 1
                spans += leaf.span
                weights += leaf.weight
                longest = max(longest, leaf.span)
                for s in starts[i] { events.append((s, i)) }
            }
        }
        guard present >= 2 else { return nil }
        events.sort { $0.position < $1.position }
        for i in counts.indices { counts[i] = 0 }
        var covered = 0, left = 0, best = Int.max
        for right in events.indices {
            let r = events[right].leaf
            if counts[r] == 0 { covered += 1 }
            counts[r] += 1
            while covered == present {
                best = min(best, Int(events[right].position - events[left].position) + longest)
                let l = events[left].leaf
                counts[l] -= 1
                if counts[l] == 0 { covered -= 1 }
                left += 1
            }
        }
        return (best, spans, weights)
    }
}

/// Children of a composite scorer, walked in per-document loops without reference counting
/// (the composite keeps them alive in `owned`).
struct ScorerList {
    let owned: [Scorer]
    private let refs: [Unmanaged<Scorer>]

    init(_ scorers: [Scorer]) {
        owned = scorers
        refs = scorers.map { Unmanaged.passUnretained($0) }
    }

    var count: Int { refs.count }

    @inline(__always)
    func with<R>(_ i: Int, _ body: (Scorer) throws -> R) rethrows -> R {
        try refs[i]._withUnsafeGuaranteedRef(body)
    }
}

/// The first document ≥ `target` that all `count` iterators reach together: the first one leads,
/// each other one is advanced to its candidate, and a miss moves the lead past it. `advance(i, t)`
/// moves iterator `i` to its first document ≥ `t` and returns it. (Callers pass how they reach
/// their iterators, so that the hot loop has no protocol dispatch or reference counting.)
@inline(__always)
func leapfrog(_ count: Int, _ target: Int32, _ advance: (Int, Int32) throws -> Int32) rethrows -> Int32 {
    var candidate = try advance(0, target)
    outer: while candidate != PostingsCursor.noMoreDocs {
        for i in 1 ..< count {
            let d = try advance(i, candidate)
            if d != candidate {
                candidate = try advance(0, d)
                continue outer
            }
        }
        break
    }
    return candidate
}

/// All children must match; scores add up.
final class ConjunctionScorer: Scorer {
    /// Cheapest first.
    private let children: ScorerList
    /// The children that confirm candidates, cheapest first.
    private let approximate: ScorerList
    private let anyApproximate: Bool

    init(_ children: [Scorer]) {
        let sorted = children.sorted { $0.cost < $1.cost }
        self.children = ScorerList(sorted)
        approximate = ScorerList(sorted.filter(\.isApproximate))
        anyApproximate = approximate.count > 0
    }

    override var cost: Int { children.owned.first?.cost ?? 0 }
    override var isApproximate: Bool { anyApproximate }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        doc = try leapfrog(children.count, target) { i, t in try children.with(i) { try $0.advance(to: t) } }
        return doc
    }

    override func matches() throws -> Bool {
        for i in 0 ..< approximate.count where !(try approximate.with(i) { try $0.matches() }) { return false }
        return true
    }

    override func score() throws -> Double {
        var s = 0.0
        for i in 0 ..< children.count { s += try children.with(i) { try $0.score() } }
        return s
    }

    override func maxScore(from target: Int32) throws -> ScoreBound {
        var empty: Int32 = -1
        for i in 0 ..< children.count {
            let d = children.with(i) { $0.doc }
            if d > target { empty = max(empty, ScoreBound.nothing(before: d).upTo) }
        }
        if empty >= target { return ScoreBound(upTo: empty, score: 0) }
        var bound = ScoreBound(upTo: ScoreBound.end, score: 0)
        for i in 0 ..< children.count {
            let b = try children.with(i) { try $0.maxScore(from: target) }
            bound.upTo = min(bound.upTo, b.upTo)
            bound.score += b.score
        }
        return bound
    }

    override func maxScoreOfCurrent() throws -> Double {
        var s = 0.0
        for i in 0 ..< children.count { s += try children.with(i) { try $0.maxScoreOfCurrent() } }
        return s
    }
}

/// At least one child must match; the scores of the children that match the document add up.
final class DisjunctionScorer: Scorer {
    let children: ScorerList
    private let anyApproximate: Bool
    /// For an approximate disjunction: which children matched the current candidate.
    private let matched: UnsafeMutablePointer<Bool>

    init(_ children: [Scorer]) {
        self.children = ScorerList(children)
        anyApproximate = children.contains { $0.isApproximate }
        matched = .allocate(capacity: max(children.count, 1))
        matched.initialize(repeating: false, count: max(children.count, 1))
    }

    deinit { matched.deallocate() }

    override var cost: Int { children.owned.reduce(0) { $0 + $1.cost } }
    override var isApproximate: Bool { anyApproximate }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        var least = PostingsCursor.noMoreDocs
        for i in 0 ..< children.count {
            let d = try children.with(i) { c in c.doc < target ? try c.advance(to: target) : c.doc }
            if d < least { least = d }
        }
        doc = least
        return doc
    }

    override func matches() throws -> Bool {
        guard anyApproximate else { return true }
        return try matchCount() > 0
    }

    /// How many children match the current candidate (confirming the approximate ones, and
    /// noting which for ``score()``).
    func matchCount() throws -> Int {
        var count = 0
        for i in 0 ..< children.count {
            let m = try children.with(i) { c in try c.doc == doc && (!c.isApproximate || c.matches()) }
            if anyApproximate { matched[i] = m }
            if m { count += 1 }
        }
        return count
    }

    override func score() throws -> Double {
        var s = 0.0
        for i in 0 ..< children.count {
            s += try children.with(i) { c in
                (anyApproximate ? matched[i] : c.doc == doc) ? try c.score() : 0
            }
        }
        return s
    }

    override func maxScore(from target: Int32) throws -> ScoreBound {
        var bound = ScoreBound(upTo: ScoreBound.end, score: 0)
        for i in 0 ..< children.count {
            let b = try children.with(i) { c in c.doc > target ? ScoreBound.nothing(before: c.doc) : try c.maxScore(from: target) }
            bound.upTo = min(bound.upTo, b.upTo)
            bound.score += b.score
        }
        return bound
    }

    override func maxScoreOfCurrent() throws -> Double {
        var s = 0.0
        for i in 0 ..< children.count {
            s += try children.with(i) { c in c.doc == doc ? try c.maxScoreOfCurrent() : 0 }
        }
        return s
    }
}

/// Documents that at least `minimum` of the children match (2 ≤ minimum ≤ children); the score
/// adds up the children that match. A candidate is any document one of them is on; it is
/// confirmed by counting, so the bounds are the disjunction's.
final class AtLeastScorer: Scorer {
    private let any: DisjunctionScorer
    private let children: ScorerList
    private let minimum: Int

    init(_ children: [Scorer], minimum: Int) {
        precondition(minimum >= 2 && minimum <= children.count, "at-least needs 2 ≤ minimum ≤ children")
        any = DisjunctionScorer(children)
        self.children = any.children
        self.minimum = minimum
    }

    override var cost: Int { any.cost }
    override var isApproximate: Bool { true }

    override func advance(to target: Int32) throws -> Int32 {
        doc = try any.advance(to: target)
        return doc
    }

    override func matches() throws -> Bool {
        // A candidate that too few children are on stops before any positions are read.
        var on = 0
        for i in 0 ..< children.count where children.with(i, { $0.doc == doc }) { on += 1 }
        if on < minimum { return false }
        return try any.matchCount() >= minimum
    }

    override func score() throws -> Double { try any.score() }
    override func maxScore(from target: Int32) throws -> ScoreBound { try any.maxScore(from: target) }
    override func maxScoreOfCurrent() throws -> Double { try any.maxScoreOfCurrent() }
}

/// Documents of `positive` that no `negative` matches.
final class ExclusionScorer: Scorer {
    private let positive: Scorer
    private let negatives: [Scorer]

    init(_ positive: Scorer, _ negatives: [Scorer]) {
        self.positive = positive
        self.negatives = negatives
    }

    override var proximityRoot: ProximityScorer? { positive.proximityRoot }

    override var cost: Int { positive.cost }
    override var isApproximate: Bool { true }

    override func advance(to target: Int32) throws -> Int32 {
        doc = try positive.advance(to: target)
        return doc
    }

    /// Exclusions that need no confirming (terms) are checked first, so that a document they
    /// rule out costs the positive no positions; exclusions that do (phrases) come last.
    override func matches() throws -> Bool {
        for n in negatives where !n.isApproximate {
            if n.doc < doc { _ = try n.advance(to: doc) }
            if n.doc == doc { return false }
        }
        if positive.isApproximate, !(try positive.matches()) { return false }
        for n in negatives where n.isApproximate {
            if n.doc < doc { _ = try n.advance(to: doc) }
            if n.doc == doc, try n.matches() { return false }
        }
        return true
    }

    override func score() throws -> Double { try positive.score() }

    override func maxScore(from target: Int32) throws -> ScoreBound { try positive.maxScore(from: target) }
    override func maxScoreOfCurrent() throws -> Double { try positive.maxScoreOfCurrent() }
}

/// Matches nothing.
final class EmptyScorer: Scorer {
    override func advance(to target: Int32) throws -> Int32 { doc = PostingsCursor.noMoreDocs; return doc }
    override func score() throws -> Double { 0 }
    override func maxScore(from target: Int32) throws -> ScoreBound { ScoreBound(upTo: ScoreBound.end, score: 0) }
    override func maxScoreOfCurrent() throws -> Double { 0 }
}
