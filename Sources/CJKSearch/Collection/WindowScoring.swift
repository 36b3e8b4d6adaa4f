/// Top-k collection for the commonest queries, a single term or a term in several fields (one
/// or two characters, a word): the postings are scored a window of documents at a time into an
/// array, a decoded block per loop, instead of one virtual `advance`/`score` per document.
///
/// The scores are the same as ``DisjunctionScorer``'s (each document's field scores added in the
/// same order, from 0) and so are the hits. A window whose bound (the sum of the best block bounds
/// that overlap it, per term) is below the k-th score is skipped unread once pruning is on, as in
/// the generic loop of ``Searcher``.
struct WindowScoring {
    static let windowSize: Int32 = 1024

    /// The term scorers of `scorer` when it is one term or a disjunction of terms only.
    static func terms(of scorer: Scorer) -> [TermScorer]? {
        if let t = scorer as? TermScorer { return [t] }
        guard let d = scorer as? DisjunctionScorer else { return nil }
        let terms = d.children.owned.compactMap { $0 as? TermScorer }
        return terms.count == d.children.count ? terms : nil
    }

    private var scores = [Double](repeating: 0, count: Int(windowSize))
    private var matched = [UInt64](repeating: 0, count: Int(windowSize) / 64)

    /// Collects segment `segment`'s matches of `terms` into `collector`, counting them in `total`;
    /// clears `exact` when a window is skipped.
    mutating func collect(_ terms: [TermScorer], segment: Int, live: LiveDocuments, options: SearchOptions,
                          collector: inout TopKCollector, total: inout Int, exact: inout Bool) throws {
        let scoring = collector.k > 0
        for t in terms { _ = try t.advance(to: 0) }
        // Reused for every window (no allocation per window).
        var probed: [TermScorer] = []
        var iterated: [TermScorer] = []
        var bounds: [(Double, Int)] = []
        probed.reserveCapacity(terms.count)
        iterated.reserveCapacity(terms.count)
        bounds.reserveCapacity(terms.count)
        while true {
            var start = PostingsCursor.noMoreDocs
            for t in terms { start = min(start, t.cursor.doc) }
            if start == PostingsCursor.noMoreDocs { return }
            let end = start &+ min(WindowScoring.windowSize, PostingsCursor.noMoreDocs - start)
            // With pruning on, a term whose bound over the window cannot lift a document into the
            // top k alone (with the terms bounded lower) is not iterated: it is only probed, by
            // skipping, for the documents of the others (MaxScore).
            probed.removeAll(keepingCapacity: true)
            iterated.removeAll(keepingCapacity: true)
            iterated.append(contentsOf: terms)
            if scoring && total >= options.totalCountThreshold && collector.isFull {
                bounds.removeAll(keepingCapacity: true)
                var bound = 0.0
                for (i, t) in terms.enumerated() {
                    let b = try t.cursor.maxScore(in: start, end, t.scoring)
                    bounds.append((b, i))
                    bound += b
                }
                let worst = collector.worstScore
                if bound * Searcher.boundSlack < worst {
                    exact = false
                    for t in terms { _ = try t.advance(to: end) }
                    continue
                }
                // Two terms at most (one per field), so the sum's order cannot change a score.
                if terms.count == 2 {
                    bounds.sort { $0.0 < $1.0 }
                    if bounds[0].0 * Searcher.boundSlack < worst {
                        probed.append(terms[bounds[0].1])
                        iterated.removeAll(keepingCapacity: true)
                        iterated.append(terms[bounds[1].1])
                        exact = false
                    }
                }
            }
            try scores.withUnsafeMutableBufferPointer { scores in
                try matched.withUnsafeMutableBufferPointer { matched in
                    for t in iterated {
                        let fs = t.scoring
                        try t.cursor.forEachDocument(below: end) { d, freq in
                            let o = Int(d &- start)
                            scores[o] += try fs.score(Int(freq), d)
                            matched[o >> 6] |= 1 << UInt64(o & 63)
                        }
                        t.doc = t.cursor.doc
                    }
                    for w in 0 ..< matched.count where matched[w] != 0 {
                        var bits = matched[w]
                        matched[w] = 0
                        while bits != 0 {
                            let o = w << 6 | bits.trailingZeroBitCount
                            bits &= bits &- 1
                            var score = scores[o]
                            scores[o] = 0
                            let d = Int(start) + o
                            for t in probed {
                                if try t.advance(to: Int32(d)) == Int32(d) { score += try t.score() }
                            }
                            if live.isDeleted(d) { continue }
                            total += 1
                            if scoring { try collector.collect(ScoredDocument(score: score, segment: segment, doc: d)) }
                        }
                    }
                }
            }
            for t in probed { _ = try t.advance(to: end) }
        }
    }
}
