/// An index directory: the entry point of the API.
///
/// ```swift
/// import CJKSearch
///
/// let index = try SearchIndex.openOrCreate(at: "/tmp/news-index")
/// let writer = try index.writer()
/// try writer.add(Document(id: "1", title: "重慶經開區", body: "胡衡華在重慶經開區調研"))
/// try writer.commit()
///
/// let searcher = try index.searcher()
/// let results = try searcher.search("經開區", limit: 10)
/// print(results.totalCount, results.hits.first?.id ?? "-")
/// ```
///
/// ## Topics
/// ### Opening
/// - ``create(at:)``
/// - ``open(at:)``
/// - ``openOrCreate(at:)``
/// ### Writing and searching
/// - ``writer(options:)``
/// - ``searcher()``
///
/// A `SearchIndex` is only a handle on the directory; it is cheap and `Sendable`. Any number of
/// searchers, in any number of threads or processes, can read the index while one writer writes.
public struct SearchIndex: Sendable {
    /// The index directory.
    public let directory: String

    private init(directory: String) {
        var d = directory
        while d.count > 1 && d.hasSuffix("/") { d.removeLast() }
        self.directory = d
    }

    /// The on-disk format version this build writes and reads (docs/FORMAT.md); an index of
    /// another version opens with ``SearchError/Code-swift.struct/formatTooOld`` or `formatTooNew`.
    public static var formatVersion: Int { Int(FileFormat.version) }

    /// Whether `directory` holds an index (a manifest).
    public static func exists(at directory: String) -> Bool {
        FileIO.exists(directory + "/" + Manifest.fileName)
    }

    /// Creates an empty index at `directory` (created if missing), analyzing text as `analysis`
    /// says for as long as the index lives.
    ///
    /// - Throws: ``SearchError`` if an index already exists there or the directory cannot be written.
    public static func create(at directory: String, analysis: AnalysisOptions = AnalysisOptions()) throws -> SearchIndex {
        let index = SearchIndex(directory: directory)
        if exists(at: index.directory) {
            throw SearchError(.io, "an index already exists here", path: index.directory)
        }
        try FileIO.makeDirectory(index.directory)
        let lock = try FileLock(path: index.directory + "/LOCK")
        defer { lock.release() }
        if exists(at: index.directory) {   // created by another process while we took the lock
            throw SearchError(.io, "an index already exists here", path: index.directory)
        }
        var manifest = Manifest()
        manifest.analysis = analysis
        try manifest.write(directory: index.directory)
        return index
    }

    /// How this index analyzes text (fixed when it was created).
    ///
    /// - Throws: ``SearchError`` if the manifest cannot be read.
    public func analysis() throws -> AnalysisOptions {
        try Manifest.read(directory: directory).analysis
    }

    /// Opens the existing index at `directory`.
    ///
    /// - Throws: ``SearchError/Code-swift.struct/indexNotFound`` if there is none.
    public static func open(at directory: String) throws -> SearchIndex {
        let index = SearchIndex(directory: directory)
        guard FileIO.isDirectory(index.directory) else {
            throw SearchError(.indexNotFound, "no such directory", path: index.directory)
        }
        guard exists(at: index.directory) else {
            throw SearchError(.indexNotFound, "no index here (no \(Manifest.fileName) file)", path: index.directory)
        }
        return index
    }

    /// Opens the index at `directory`, creating an empty one if there is none.
    ///
    /// - Parameter analysis: how a new index analyzes text (the default when nil). When the
    ///   index exists and `analysis` is given, it must be the index's own.
    /// - Throws: ``SearchError/Code-swift.struct/invalidInput`` when the existing index analyzes
    ///   text otherwise than `analysis` says (its analysis is fixed at creation).
    public static func openOrCreate(at directory: String, analysis: AnalysisOptions? = nil) throws -> SearchIndex {
        let index = SearchIndex(directory: directory)
        if !exists(at: index.directory) {
            do {
                return try create(at: index.directory, analysis: analysis ?? AnalysisOptions())
            } catch let e as SearchError where exists(at: index.directory) {
                _ = e   // another process created it meanwhile
            }
        }
        if let analysis {
            let existing = try index.analysis()
            guard existing == analysis else {
                throw SearchError(.invalidInput, "the index exists with \(existing), not \(analysis); analysis is fixed when an index is created",
                                  path: index.directory)
            }
        }
        return index
    }

    /// Opens the writer. - Throws: ``SearchError/Code-swift.struct/locked`` if another writer is open.
    public func writer(options: IndexWriterOptions = IndexWriterOptions()) throws -> IndexWriter {
        try IndexWriter(directory: directory, options: options)
    }

    /// A searcher over the latest commit. It keeps seeing that commit, whatever is committed later.
    public func searcher() throws -> Searcher {
        Searcher(snapshot: try IndexSnapshot.open(directory: directory))
    }

    /// One searcher over several indexes (for example the shards of a crawl built with
    /// `cjksearch index --shard K/N`), each at its latest commit. BM25 statistics (document
    /// count, average lengths, document frequencies) are computed over all of them together, so
    /// scores are those of one index holding all the documents. The indexes should hold distinct
    /// ids; a document in two of them is found twice.
    public static func searcher(over indexes: [SearchIndex]) throws -> Searcher {
        guard !indexes.isEmpty else { throw SearchError(.invalidInput, "no index to search") }
        if indexes.count == 1 { return try indexes[0].searcher() }
        return Searcher(snapshot: try IndexSnapshot(combining: indexes.map { try IndexSnapshot.open(directory: $0.directory) }))
    }
}
