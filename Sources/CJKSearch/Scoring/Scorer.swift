/// A per-segment iterator over matching documents, in increasing order, that can score the current
/// one. `doc` is -1 before the first move and ``PostingsCursor/noMoreDocs`` at the end.
class Scorer {
    var doc: Int32 = -1
    /// An estimate of how many documents it will visit (for ordering conjunctions).
    var cost: Int { 0 }
    func next() throws -> Int32 { fatalError("abstract") }
    func advance(to target: Int32) throws -> Int32 { fatalError("abstract") }
    func score() throws -> Double { fatalError("abstract") }
}

/// Field-level scoring context shared by a leaf's scorers in one segment.
struct FieldScoring {
    let segment: SegmentReader
    let field: Field
    let bm25: BM25
    let averageLength: Double
    /// idf (summed over a phrase's terms) times the field's boost.
    let weight: Double

    @inline(__always)
    func score(_ tf: Int, _ doc: Int32) throws -> Double {
        let dl = Double(try segment.fieldLength(Int(doc), field))
        return bm25.score(termFrequency: Double(tf), fieldLength: dl, averageFieldLength: averageLength, idf: weight)
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
    override func next() throws -> Int32 { doc = try cursor.next(); return doc }
    override func advance(to target: Int32) throws -> Int32 { doc = try cursor.advance(to: target); return doc }
    override func score() throws -> Double { try scoring.score(cursor.frequency, doc) }
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
/// of start positions where all components line up.
final class PhraseScorer: Scorer {
    /// Components in increasing cost, each with its position relative to the phrase start.
    private let parts: [(offset: UInt32, source: PositionSource)]
    let scoring: FieldScoring
    private var frequency = 0
    /// One positions buffer per part, reused for every candidate.
    private var buffers: [[UInt32]]

    init(_ parts: [(UInt32, PositionSource)], _ scoring: FieldScoring) {
        self.parts = parts.sorted { $0.1.cost < $1.1.cost }.map { (offset: $0.0, source: $0.1) }
        self.scoring = scoring
        buffers = Array(repeating: [], count: parts.count)
    }

    override var cost: Int { parts.first?.source.cost ?? 0 }

    override func next() throws -> Int32 {
        let first = parts[0].source
        return try search(from: try first.next())
    }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        return try search(from: try parts[0].source.advance(to: target))
    }

    /// Leapfrogs the parts to a common document starting at `candidate`, then checks positions.
    private func search(from start: Int32) throws -> Int32 {
        var candidate = start
        outer: while candidate != PostingsCursor.noMoreDocs {
            for i in 1 ..< parts.count {
                let d = try parts[i].source.advance(to: candidate)
                if d != candidate {
                    candidate = try parts[0].source.advance(to: d)
                    continue outer
                }
            }
            frequency = try countMatches()
            if frequency > 0 { doc = candidate; return doc }
            candidate = try parts[0].source.next()
        }
        doc = PostingsCursor.noMoreDocs
        return doc
    }

    /// The number of phrase starts in the current document. Parts are read one at a time, rarest
    /// first, and the candidate starts narrowed after each (a sorted merge), so a document that
    /// fails early costs only the positions read so far.
    private func countMatches() throws -> Int {
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
            let offset = parts[i].offset
            var kept = 0, j = 0
            let others = b[i]
            for k in 0 ..< n {
                let want = b[0][k] &+ offset
                while j < others.count && others[j] < want { j += 1 }
                if j == others.count { break }
                if others[j] == want {
                    b[0][kept] = b[0][k]
                    kept += 1
                }
            }
            n = kept
        }
        return n
    }

    override func score() throws -> Double { try scoring.score(frequency, doc) }
}

/// All children must match; scores add up.
final class ConjunctionScorer: Scorer {
    private let children: [Scorer]

    init(_ children: [Scorer]) { self.children = children.sorted { $0.cost < $1.cost } }

    override var cost: Int { children.first?.cost ?? 0 }

    override func next() throws -> Int32 { try search(from: try children[0].next()) }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        return try search(from: try children[0].advance(to: target))
    }

    private func search(from start: Int32) throws -> Int32 {
        var candidate = start
        outer: while candidate != PostingsCursor.noMoreDocs {
            for i in 1 ..< children.count {
                let d = try children[i].advance(to: candidate)
                if d != candidate {
                    candidate = try children[0].advance(to: d)
                    continue outer
                }
            }
            doc = candidate
            return doc
        }
        doc = PostingsCursor.noMoreDocs
        return doc
    }

    override func score() throws -> Double {
        var s = 0.0
        for c in children { s += try c.score() }
        return s
    }
}

/// At least one child must match; the scores of the children on the document add up.
final class DisjunctionScorer: Scorer {
    private let children: [Scorer]

    init(_ children: [Scorer]) { self.children = children }

    override var cost: Int { children.reduce(0) { $0 + $1.cost } }

    private func settle() -> Int32 {
        doc = children.reduce(PostingsCursor.noMoreDocs) { min($0, $1.doc) }
        return doc
    }

    override func next() throws -> Int32 {
        if doc == -1 {
            for c in children { _ = try c.next() }
            return settle()
        }
        let current = doc
        for c in children where c.doc == current { _ = try c.next() }
        return settle()
    }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        for c in children where c.doc < target { _ = try c.advance(to: target) }
        return settle()
    }

    override func score() throws -> Double {
        var s = 0.0
        for c in children where c.doc == doc { s += try c.score() }
        return s
    }
}

/// Documents of `positive` that no `negative` matches.
final class ExclusionScorer: Scorer {
    private let positive: Scorer
    private let negatives: [Scorer]

    init(_ positive: Scorer, _ negatives: [Scorer]) {
        self.positive = positive
        self.negatives = negatives
    }

    override var cost: Int { positive.cost }

    override func next() throws -> Int32 { try filter(try positive.next()) }

    override func advance(to target: Int32) throws -> Int32 {
        if doc >= target { return doc }
        return try filter(try positive.advance(to: target))
    }

    private func filter(_ start: Int32) throws -> Int32 {
        var d = start
        outer: while d != PostingsCursor.noMoreDocs {
            for n in negatives {
                if n.doc < d { _ = try n.advance(to: d) }
                if n.doc == d {
                    d = try positive.next()
                    continue outer
                }
            }
            break
        }
        doc = d
        return doc
    }

    override func score() throws -> Double { try positive.score() }
}

/// Matches nothing.
final class EmptyScorer: Scorer {
    override func next() throws -> Int32 { doc = PostingsCursor.noMoreDocs; return doc }
    override func advance(to target: Int32) throws -> Int32 { doc = PostingsCursor.noMoreDocs; return doc }
    override func score() throws -> Double { 0 }
}
