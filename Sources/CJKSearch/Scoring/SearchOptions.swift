/// How a search ranks and presents its hits.
public struct SearchOptions: Sendable, Hashable {
    /// BM25 parameters.
    public var bm25: BM25
    /// Multiplier of title scores against body scores (default 2).
    public var titleBoost: Double
    /// Whether hits carry a snippet (costs decompressing and analyzing each hit's body).
    public var snippets: Bool
    /// Longest snippet, in characters.
    public var snippetLength: Int
    /// Whether hits carry their stored title and fields. Without, a hit has its id and score only
    /// (read from the ids, without decompressing stored documents), and no snippets: what a
    /// benchmark of ranking alone, or a caller that fetches documents itself, wants.
    public var storedFields: Bool
    /// Matches are counted exactly up to this many (default 1,000). Past it, and once the top
    /// hits are full, a search skips the blocks of documents whose best possible score cannot
    /// enter them (block-max pruning): the hits are the same, but
    /// ``SearchResults/totalCount`` is then a lower bound. `Int.max` always counts exactly, at
    /// the cost of reading every match (for a phrase, the positions of every candidate).
    public var totalCountThreshold: Int
    /// How much the closeness of an AND's text leaves in the body counts: a document gets up to
    /// this × the sum of the leaves' body idfs on top of their BM25 scores, all of it when the
    /// leaves stand side by side (``ProximityScorer``). Default 0.25; 0 turns it off.
    public var proximity: Double
    /// Whether a search that finds fewer exact matches than its limit fills the rest of its hits
    /// with relaxed matches (``SearchResults/relaxedHits``: every term of each phrase, then some of
    /// them; ``Relaxation``). Default on. Relaxed hits never change ``SearchResults/hits`` or the
    /// count, which stay those of the exact query.
    public var relaxation: Bool
    /// Whether single-term queries are scored a window at a time (``WindowScoring``); off only
    /// in tests, which compare it with the generic scorers.
    var windowScoring = true

    public init(bm25: BM25 = BM25(), titleBoost: Double = 2.0, snippets: Bool = true, snippetLength: Int = 120,
                storedFields: Bool = true, totalCountThreshold: Int = 1000, relaxation: Bool = true,
                proximity: Double = 0.25) {
        precondition(proximity >= 0 && proximity.isFinite, "proximity must be a finite number ≥ 0")
        self.relaxation = relaxation
        self.proximity = proximity
        self.bm25 = bm25
        self.titleBoost = titleBoost
        self.snippets = snippets
        self.snippetLength = snippetLength
        self.storedFields = storedFields
        self.totalCountThreshold = totalCountThreshold
    }
}
