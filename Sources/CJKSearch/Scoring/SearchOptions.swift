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

    public init(bm25: BM25 = BM25(), titleBoost: Double = 2.0, snippets: Bool = true, snippetLength: Int = 120) {
        self.bm25 = bm25
        self.titleBoost = titleBoost
        self.snippets = snippets
        self.snippetLength = snippetLength
    }
}
