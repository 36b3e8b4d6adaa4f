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

    public init(bm25: BM25 = BM25(), titleBoost: Double = 2.0, snippets: Bool = true, snippetLength: Int = 120,
                storedFields: Bool = true) {
        self.bm25 = bm25
        self.titleBoost = titleBoost
        self.snippets = snippets
        self.snippetLength = snippetLength
        self.storedFields = storedFields
    }
}
