/// A document to index: an id, a title, a body and optional stored fields.
///
/// The title and the body are analyzed and searchable; all four parts are stored and returned
/// with hits. Adding a document whose id is already in the index replaces the old one.
///
/// ```swift
/// let doc = Document(id: "news/1", title: "重慶經開區", body: "胡衡華在重慶經開區調研……",
///                    fields: ["url": "https://example.com/1"])
/// ```
public struct Document: Sendable, Hashable {
    /// The document's unique key. Must not be empty.
    public var id: String
    /// Searchable title (may be empty).
    public var title: String
    /// Searchable body text.
    public var body: String
    /// Extra values stored with the document and returned with hits; not searchable.
    public var fields: [String: String]

    public init(id: String, title: String = "", body: String, fields: [String: String] = [:]) {
        self.id = id
        self.title = title
        self.body = body
        self.fields = fields
    }

    /// Documented limits, checked when a document is added.
    public enum Limits {
        /// The largest id, in UTF-8 bytes.
        public static let maxIdBytes = 4096
        /// The largest title, body or stored value, in UTF-8 bytes (64 MiB): bigger "documents" in
        /// a crawl are dumps, not pages, and analyzing one would hold the writer for seconds.
        public static let maxFieldBytes = 64 << 20
        /// The largest document, all parts together, in UTF-8 bytes (256 MiB): a stored block
        /// must stay under 1 GiB.
        public static let maxDocumentBytes = 256 << 20
        /// The most stored fields a document may have.
        public static let maxStoredFields = 10_000
    }

    /// A bound on the memory that indexing this document holds until its segment is flushed:
    /// 64 bytes per byte of title and body, the worst case of text whose every bigram is new
    /// (measured: 6 MB of random CJK characters took 365 MB, 18 MB 1,040 MB; natural text a
    /// fraction of that), and its stored fields twice.
    var indexingMemoryBound: Int {
        (title.utf8.count + body.utf8.count) * 64 + fields.reduce(0) { $0 + 2 * ($1.key.utf8.count + $1.value.utf8.count) } + 4096
    }

    func validate() throws {
        if id.isEmpty { throw SearchError(.invalidInput, "document id is empty") }
        if id.utf8.count > Limits.maxIdBytes {
            throw SearchError(.limitExceeded, "document id is \(id.utf8.count) bytes; the limit is \(Limits.maxIdBytes)")
        }
        if fields.count > Limits.maxStoredFields {
            throw SearchError(.limitExceeded, "document \"\(id)\" has \(fields.count) stored fields; the limit is \(Limits.maxStoredFields)")
        }
        for name in fields.keys where name.utf8.count > Limits.maxIdBytes {
            throw SearchError(.limitExceeded, "a stored field name of document \"\(id)\" is \(name.utf8.count) bytes; the limit is \(Limits.maxIdBytes)")
        }
        var total = id.utf8.count
        for (name, value) in [("title", title), ("body", body)] + fields.map({ ($0.key, $0.value) }) {
            if value.utf8.count > Limits.maxFieldBytes {
                throw SearchError(.limitExceeded, "field \"\(name)\" of document \"\(id)\" is \(value.utf8.count) bytes; the limit is \(Limits.maxFieldBytes)")
            }
            total += name.utf8.count + value.utf8.count
        }
        if total > Limits.maxDocumentBytes {
            throw SearchError(.limitExceeded, "document \"\(id)\" is \(total) bytes; the limit is \(Limits.maxDocumentBytes)")
        }
    }
}

extension Document {
    /// The shard (0 ..< `count`) that a document with this id belongs to when a corpus is split
    /// into `count` shards (`cjksearch index --shard K/N`): FNV-1a 64 of the id's UTF-8, modulo
    /// `count`. Stable across machines, processes and versions, so every machine of a batch job
    /// can read the same input and keep only its own documents.
    public static func shard(forID id: String, of count: Int) -> Int {
        precondition(count >= 1, "shard count must be at least 1")
        return Int(IdHash.hash(id) % UInt64(count))
    }
}

/// FNV-1a, 64 bits: the stable hash of document ids on disk (Swift's `Hasher` is seeded per process).
enum IdHash {
    /// A second, independent-looking hash of the id's hash (SplitMix64's finalizer), for routing
    /// documents to indexing threads: so that a shard (hash modulo N) still spreads over threads.
    static func mixed(_ h: UInt64) -> UInt64 {
        var z = h &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
