/// A scored document of a snapshot: segment ordinal and segment-local document number.
struct ScoredDocument {
    var score: Double
    var segment: Int
    var doc: Int
}

/// Keeps the best `k` documents by score, ties broken by document id (ascending), so the order
/// never depends on how the index is segmented.
///
/// A binary min-heap whose root is the worst kept document; a new document replaces it when it
/// ranks better. Ids are read (from the segment's id table) only to break exact score ties.
struct TopKCollector {
    let k: Int
    private(set) var heap: [ScoredDocument] = []
    /// Whether the first document's id sorts after the second's.
    private let idSortsAfter: (ScoredDocument, ScoredDocument) throws -> Bool

    init(k: Int, idSortsAfter: @escaping (ScoredDocument, ScoredDocument) throws -> Bool) {
        self.k = k
        self.idSortsAfter = idSortsAfter
    }

    /// Whether `a` ranks below `b`.
    private func worse(_ a: ScoredDocument, _ b: ScoredDocument) throws -> Bool {
        if a.score != b.score { return a.score < b.score }
        if a.segment == b.segment && a.doc == b.doc { return false }
        return try idSortsAfter(a, b)
    }

    /// Whether `k` documents are kept (a document must now beat ``worstScore`` to enter).
    var isFull: Bool { heap.count >= k }

    /// The score of the worst kept document once ``isFull`` (-∞ before): kept in a field, so the
    /// check that rejects most documents reads no array.
    private(set) var worstScore = -Double.infinity

    /// Offers a document. Inlined for its first check: below the k-th score it cannot enter (a
    /// tie may, on its id), and most documents stop there.
    @inline(__always)
    mutating func collect(_ d: ScoredDocument) throws {
        if d.score < worstScore || k == 0 { return }
        try insert(d)
        if heap.count == k { worstScore = heap[0].score }
    }

    private mutating func insert(_ d: ScoredDocument) throws {
        if heap.count < k {
            heap.append(d)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard try worse(heap[i], heap[parent]) else { break }
                heap.swapAt(i, parent)
                i = parent
            }
            return
        }
        guard try worse(heap[0], d) else { return }
        heap[0] = d
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, try worse(heap[l], heap[m]) { m = l }
            if r < heap.count, try worse(heap[r], heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
    }

    /// The kept documents, best first.
    func sorted() throws -> [ScoredDocument] {
        var out = heap
        var failure: Error?
        out.sort { a, b in
            do { return try worse(b, a) } catch { failure = error; return false }
        }
        if let failure { throw failure }
        return out
    }
}
