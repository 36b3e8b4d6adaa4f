/// The one error type of CJKSearch.
///
/// Every failure the engine reports, from a malformed query to a corrupt segment file, is a
/// `SearchError` with a ``Code`` you can match on, a human-readable ``message`` and, where it
/// applies, the ``path`` of the file and the byte ``offset`` (or line) where the problem was found.
///
/// ```swift
/// do {
///     let index = try SearchIndex.open(at: url)
/// } catch let error as SearchError where error.code == .corrupt {
///     print("index damaged:", error)
/// }
/// ```
public struct SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A system call failed (open, read, write, fsync, rename, mmap…); `errno` is in the message.
        public static let io = Code(rawValue: "io")
        /// A file's bytes are not what the format says: bad checksum, out-of-range offset, truncation.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file does not start with this engine's magic number: not an index file at all.
        public static let notAnIndex = Code(rawValue: "notAnIndex")
        /// The file was written by an older, no longer readable format version.
        public static let formatTooOld = Code(rawValue: "formatTooOld")
        /// The file was written by a newer format version than this build understands.
        public static let formatTooNew = Code(rawValue: "formatTooNew")
        /// There is no index at the given directory.
        public static let indexNotFound = Code(rawValue: "indexNotFound")
        /// Another writer holds the index's lock.
        public static let locked = Code(rawValue: "locked")
        /// The query text or the query built in code is malformed.
        public static let invalidQuery = Code(rawValue: "invalidQuery")
        /// Input text or a document is malformed (invalid UTF-8, bad JSON, missing field).
        public static let invalidInput = Code(rawValue: "invalidInput")
        /// A document, field or query exceeds a documented limit.
        public static let limitExceeded = Code(rawValue: "limitExceeded")
        /// The writer was closed or failed earlier and cannot be used.
        public static let writerClosed = Code(rawValue: "writerClosed")
    }

    /// What kind of failure this is; match on it.
    public var code: Code
    /// A sentence saying what went wrong.
    public var message: String
    /// The file involved, if any.
    public var path: String?
    /// The byte offset in ``path`` (or in the query text), if known.
    public var offset: Int?
    /// The 1-based line in ``path`` (for line-oriented input), if known.
    public var line: Int?

    public init(_ code: Code, _ message: String, path: String? = nil, offset: Int? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
        self.line = line
    }

    public var description: String {
        var where_ = ""
        if let path {
            where_ = path
            if let line { where_ += ":\(line)" }
            if let offset { where_ += "@\(offset)" }
            where_ += ": "
        } else if let offset {
            // Without a file, the offset is a query's (counted in characters from 0): say it as
            // a person counts, from 1, as the REPL does.
            where_ = code == .invalidQuery ? "at character \(offset + 1): " : "at \(offset): "
        }
        return "\(where_)\(message) [\(code)]"
    }

    /// Returns a copy that names `path` (if none is set yet).
    func at(path newPath: String) -> SearchError {
        var copy = self
        if copy.path == nil { copy.path = newPath }
        return copy
    }

    static func corrupt(_ message: String, path: String? = nil, offset: Int? = nil) -> SearchError {
        SearchError(.corrupt, message, path: path, offset: offset)
    }
}
