import Foundation

/// One search result.
public struct Hit: Sendable, Hashable {
    /// The document's id.
    public let id: String
    /// Its BM25 score (higher is better).
    public let score: Double
    /// Its title, as stored.
    public let title: String
    /// The whole title with the query's matches marked (crawl artifacts removed, white space
    /// collapsed), if snippets were asked for.
    public let titleSnippet: Snippet?
    /// Its stored fields.
    public let fields: [String: String]
    /// The best-matching passage of its body, if snippets were asked for.
    public let snippet: Snippet?
    /// How it matched: ``MatchKind/exact`` in ``SearchResults/hits``, a relaxed form in
    /// ``SearchResults/relaxedHits``.
    public var match: MatchKind = .exact
}

/// The results of a search: the best hits and the number of matching documents.
public struct SearchResults: Sendable {
    /// The number of live documents that match: exact when ``isTotalCountExact``, otherwise a
    /// lower bound (at least ``SearchOptions/totalCountThreshold``), because the search skipped
    /// documents that could not enter the top hits. ``Searcher/count(_:)`` is always exact.
    public let totalCount: Int
    /// Whether ``totalCount`` is exact.
    public let isTotalCountExact: Bool
    /// The best `limit` hits, best first; ties in score are ordered by id.
    public let hits: [Hit]
    /// When ``hits`` has fewer than `limit` hits and ``SearchOptions/relaxation`` is on: more
    /// documents, matching a relaxed form of the query (every term of each phrase, then some of
    /// them), ranked below every exact hit and never repeating one; `hits.count +
    /// relaxedHits.count ≤ limit`.
    public var relaxedHits: [Hit] = []
    /// Time spent in the engine, in microseconds.
    public internal(set) var micros: Int

    /// The exact hits, then the relaxed ones.
    public var allHits: [Hit] { hits + relaxedHits }
}

/// Sizes and counts of an index, as ``Searcher/stats()`` reports them.
public struct IndexStats: Sendable, Hashable {
    /// Live documents.
    public var documents: Int
    /// Deleted documents still in segments (dropped by the next merge).
    public var deletedDocuments: Int
    public var segments: Int
    /// Terms summed over segments (a term in two segments counts twice).
    public var terms: Int
    /// Bytes of all index files.
    public var bytes: Int
    /// Bytes per kind of data: termDictionary, postings, positions, norms, storedDocuments, ids,
    /// deletions, manifest, other.
    public var bytesByKind: [String: Int]
    /// The commit generation.
    public var generation: UInt64
    /// How the index analyzes text.
    public var analysis: AnalysisOptions
}

/// Searches one commit of an index.
///
/// A searcher is an immutable snapshot: it keeps seeing the commit it was opened on, whatever a
/// writer commits later; open a new one (``SearchIndex/searcher()``) to see newer commits. It is
/// `Sendable`: any number of threads can search it at once.
///
/// ```swift
/// let results = try searcher.search("重慶 經開區", limit: 10)
/// for hit in results.hits { print(hit.id, hit.score, hit.snippet?.marked() ?? "") }
/// ```
public final class Searcher: Sendable {
    let snapshot: IndexSnapshot

    init(snapshot: IndexSnapshot) { self.snapshot = snapshot }

    /// Live documents in this snapshot.
    public var documentCount: Int { snapshot.documentCount }

    /// The commit generation this searcher sees (of the first index, when it searches several).
    public var generation: UInt64 { snapshot.manifest.generation }

    /// The index directories this searcher searches, in order.
    public var directories: [String] { snapshot.parts.isEmpty ? [snapshot.directory] : snapshot.parts.map(\.directory) }

    /// A searcher over the index's latest commit, sharing this one's open segments where they
    /// are unchanged (cheaper than ``SearchIndex/searcher()``, which maps and verifies every
    /// segment). Returns `self` when nothing was committed since.
    public func refreshed() throws -> Searcher {
        if !snapshot.parts.isEmpty {
            let parts = try snapshot.parts.map { try Searcher(snapshot: $0).refreshed().snapshot }
            if zip(parts, snapshot.parts).allSatisfy({ $0 === $1 }) { return self }
            return Searcher(snapshot: try IndexSnapshot(combining: parts))
        }
        let latest = try Manifest.read(directory: snapshot.directory)
        if latest == snapshot.manifest { return self }
        var reuse: [String: SegmentReader] = [:]
        for s in snapshot.segments { reuse[s.reader.name] = s.reader }
        return Searcher(snapshot: try IndexSnapshot.open(directory: snapshot.directory, reuse: reuse))
    }

    /// Parses `query` (see ``QueryParser``) and searches.
    public func search(_ query: String, limit: Int = 10, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        try search(try QueryParser.parse(query), limit: limit, options: options)
    }

    /// Searches with a query built in code.
    ///
    /// - Parameters:
    ///   - limit: how many hits to return (a limit above the number of matches returns them all).
    public func search(_ query: Query, limit: Int = 10, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        guard limit >= 0 else { throw SearchError(.invalidQuery, "limit \(limit) is negative") }
        let started = DispatchTime.now().uptimeNanoseconds
        let analyzer = Analyzer(snapshot.manifest.analysis)
        var results = try searchExact(query, limit: limit, options: options, analyzer: analyzer, started: started)
        guard options.relaxation, results.hits.count < limit else { return results }
        // Fewer exact matches than asked for: fill up from the relaxed forms, in order, skipping
        // documents already shown. Their counts are not needed (pruning starts at once).
        var seen = Set(results.hits.map(\.id))
        var relaxedOptions = options
        relaxedOptions.relaxation = false
        relaxedOptions.totalCountThreshold = 0
        for kind in [MatchKind.allTerms, .someTerms] {
            let room = limit - results.hits.count - results.relaxedHits.count
            guard room > 0, let relaxed = try Relaxation.relax(query, to: kind, analyzer: analyzer) else { continue }
            let more: SearchResults
            do {
                more = try searchExact(relaxed, limit: room + seen.count, options: relaxedOptions, analyzer: analyzer, started: started)
            } catch let e as SearchError where e.code == .invalidQuery {
                // A relaxed form past the query limits (a pasted passage's bigrams, each a term of
                // its own, count twice the positions): not tried; the exact results stand.
                continue
            }
            for var h in more.hits where !seen.contains(h.id) && results.relaxedHits.count < limit - results.hits.count {
                h.match = kind
                seen.insert(h.id)
                results.relaxedHits.append(h)
            }
        }
        results.micros = Int((DispatchTime.now().uptimeNanoseconds - started) / 1000)
        return results
    }

    /// The search of `query` as written.
    private func searchExact(_ query: Query, limit: Int, options: SearchOptions, analyzer: Analyzer, started: UInt64) throws -> SearchResults {
        let weight = try QueryWeight(query, snapshot: snapshot, options: options, analyzer: analyzer)
        let decompressor = ZstdDecompressor()
        let segments = snapshot.segments
        var collector = TopKCollector(k: min(limit, max(snapshot.documentCount, 0))) { a, b in
            try SegmentReader.idSortsAfter(segments[a.segment].reader, a.doc, segments[b.segment].reader, b.doc)
        }
        var total = 0
        var exact = true
        let scoring = collector.k > 0   // a count scores nothing
        var windows: WindowScoring?
        for (si, s) in segments.enumerated() {
            let scorer = try weight.scorer(s.reader, index: si, decompressor: decompressor)
            if options.windowScoring, let terms = WindowScoring.terms(of: scorer) {
                if windows == nil { windows = WindowScoring() }
                try windows!.collect(terms, segment: si, live: s.live, options: options,
                                     collector: &collector, total: &total, exact: &exact)
                continue
            }
            let approximate = scorer.isApproximate
            let near = scorer.proximityRoot
            // Block-max pruning: once the top k are full and the count is past its threshold, a
            // run of documents whose bound is below the k-th score is skipped unread. `checked`
            // is the last document of the run whose bound was found competitive.
            var target: Int32 = 0, checked: Int32 = -1
            while true {
                let pruning = scoring && total >= options.totalCountThreshold && collector.isFull
                if pruning && target > checked {
                    let bound = try scorer.maxScore(from: target)
                    // A document that ties the k-th score may still enter on its id: skip only below.
                    if bound.score * Searcher.boundSlack < collector.worstScore {
                        exact = false
                        if bound.upTo >= ScoreBound.end { break }
                        target = max(bound.upTo, target) + 1
                        continue
                    }
                    checked = max(bound.upTo, target)
                }
                let d = try scorer.advance(to: target)
                if d == PostingsCursor.noMoreDocs { break }
                if pruning && d > checked {
                    target = d   // landed past the checked run: bound the run it landed in first
                    continue
                }
                target = d + 1
                if s.live.isDeleted(Int(d)) { continue }
                // In a competitive run, a candidate is still bounded by itself before it is confirmed and scored.
                if pruning, try scorer.maxScoreOfCurrent() * Searcher.boundSlack < collector.worstScore {
                    exact = false
                    continue
                }
                if approximate, !(try scorer.matches()) { continue }
                total += 1
                guard scoring else { continue }
                if let near {
                    // The proximity bonus reads positions: only for a document that could make
                    // the top hits with the largest bonus.
                    let base = try near.baseScore()
                    if collector.isFull && (base + near.maximumBonus) * Searcher.boundSlack < collector.worstScore { continue }
                    try collector.collect(ScoredDocument(score: base + (try near.bonus()), segment: si, doc: Int(d)))
                } else {
                    try collector.collect(ScoredDocument(score: try scorer.score(), segment: si, doc: Int(d)))
                }
            }
        }
        let top = try collector.sorted()
        let snippetBuilder = options.snippets && options.storedFields
            ? SnippetBuilder(leaves: weight.leaves, weights: weight.leafWeights, length: options.snippetLength,
                             analyzer: analyzer)
            : nil
        var hits: [Hit] = []
        hits.reserveCapacity(top.count)
        for t in top {
            guard options.storedFields else {
                hits.append(Hit(id: try segments[t.segment].reader.id(t.doc), score: t.score, title: "",
                                titleSnippet: nil, fields: [:], snippet: nil))
                continue
            }
            let doc = try segments[t.segment].reader.document(t.doc, decompressor: decompressor, body: options.snippets)
            hits.append(Hit(id: doc.id, score: t.score, title: doc.title,
                            titleSnippet: snippetBuilder?.snippet(for: doc.title, length: Int(Int32.max)),
                            fields: doc.fields, snippet: snippetBuilder?.snippet(for: doc.body)))
        }
        let micros = Int((DispatchTime.now().uptimeNanoseconds - started) / 1000)
        return SearchResults(totalCount: total, isTotalCountExact: exact, hits: hits, micros: micros)
    }

    /// Bounds are multiplied by this before they are compared with the k-th score, so that a
    /// rounding difference between a bound and a score it bounds never skips a document.
    static let boundSlack = 1 + 1e-9

    /// The exact number of live documents matching `query`.
    public func count(_ query: String) throws -> Int {
        try count(QueryParser.parse(query))
    }

    /// The exact number of live documents matching a query built in code.
    public func count(_ query: Query) throws -> Int {
        try search(query, limit: 0, options: SearchOptions(snippets: false, storedFields: false)).totalCount
    }

    /// Explains the score of the document `id` for `query`: its BM25 breakdown in the first form
    /// of the query it matches (exact, then the relaxed forms when ``SearchOptions/relaxation``
    /// is on), as ``search(_:limit:options:)`` ranks it. Nil when the document is not in this
    /// snapshot or does not match.
    public func explain(_ query: String, id: String, options: SearchOptions = SearchOptions()) throws -> Explanation? {
        try explain(try QueryParser.parse(query), id: id, options: options)
    }

    /// ``explain(_:id:options:)`` for a query built in code.
    public func explain(_ query: Query, id: String, options: SearchOptions = SearchOptions()) throws -> Explanation? {
        let decompressor = ZstdDecompressor()
        var found: (segment: Int, doc: Int32)?
        for (si, s) in snapshot.segments.enumerated().reversed() where found == nil {
            for d in try s.reader.documents(withID: id) where !s.live.isDeleted(d) {
                found = (si, Int32(d))
                break
            }
        }
        guard let (si, doc) = found else { return nil }
        let analyzer = Analyzer(snapshot.manifest.analysis)
        var forms: [(MatchKind, Query)] = [(.exact, query)]
        if options.relaxation {
            for kind in [MatchKind.allTerms, .someTerms] {
                if let r = try Relaxation.relax(query, to: kind, analyzer: analyzer) { forms.append((kind, r)) }
            }
        }
        for (kind, q) in forms {
            let weight: QueryWeight
            do {
                weight = try QueryWeight(q, snapshot: snapshot, options: options, analyzer: analyzer)
            } catch let e as SearchError where e.code == .invalidQuery && kind != .exact {
                continue   // a relaxed form past the query limits, as the search skips it
            }
            if let e = try weight.explain(snapshot.segments[si].reader, index: si, doc: doc, decompressor: decompressor) {
                return Explanation(id: id, match: kind, query: q.description, score: e.score, parts: e.parts,
                                   proximity: e.proximity, k1: options.bm25.k1, b: options.bm25.b)
            }
        }
        return nil
    }

    /// The stored document with this id, if it is live in this snapshot.
    public func document(id: String) throws -> Document? {
        let decompressor = ZstdDecompressor()
        for s in snapshot.segments.reversed() {
            for d in try s.reader.documents(withID: id) where !s.live.isDeleted(d) {
                return try s.reader.document(d, decompressor: decompressor)
            }
        }
        return nil
    }

    /// Counts and sizes.
    public func stats() throws -> IndexStats {
        var byKind: [String: Int] = [:]
        var terms = 0, deleted = 0, bytes = 0
        let names: [UInt32: String] = [
            SegmentFormat.meta: "other", SegmentFormat.termDict: "termDictionary", SegmentFormat.postings: "postings",
            SegmentFormat.norms: "norms", SegmentFormat.stored: "storedDocuments",
            SegmentFormat.ids: "ids", SegmentFormat.idHash: "ids",
        ]
        for s in snapshot.segments {
            terms += s.reader.termCount
            deleted += s.live.deletedCount
            bytes += s.reader.sizeInBytes
            var accounted = 0
            for (k, n) in s.reader.sectionSizes() {
                byKind[names[k] ?? "other", default: 0] += n
                accounted += n
            }
            // Positions share the Postings section; the dictionary knows each term's share.
            var positions = 0
            try s.reader.terms.forEach { _, info in positions += info.positionsLength }
            byKind["postings", default: 0] -= positions
            byKind["positions", default: 0] += positions
            byKind["other", default: 0] += s.reader.sizeInBytes - accounted
            if let del = s.entry.deletionsFile, let n = FileIO.fileSize(s.directory + "/" + del) {
                byKind["deletions", default: 0] += n
                bytes += n
            }
        }
        for directory in directories {
            if let n = FileIO.fileSize(directory + "/" + Manifest.fileName) {
                byKind["manifest", default: 0] += n
                bytes += n
            }
        }
        return IndexStats(documents: snapshot.documentCount, deletedDocuments: deleted, segments: snapshot.segments.count,
                          terms: terms, bytes: bytes, bytesByKind: byKind, generation: snapshot.manifest.generation,
                          analysis: snapshot.manifest.analysis)
    }
}
