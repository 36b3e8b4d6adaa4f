import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads documents from files, standard input and directories: plain text, JSON Lines, WARC and
/// WET, plain or compressed with gzip or zstd. Everything but `.txt` files is streamed: memory
/// does not grow with the input.
///
/// - `.txt`: id = the path as given, title = the first line that reads like a headline (not
///   navigation nor a contact header, ``PageTitle``), body = the rest.
/// - `.jsonl` (also `.jsonl.gz`, `.jsonl.zst`): each line an object with `"id"` (string or number),
///   `"text"` (string) and optional `"title"` (string); every other key is kept as a stored field
///   (strings as they are, other JSON values as their JSON text). Blank lines are skipped silently.
/// - `.warc`, `.warc.gz`, `.wet`, `.wet.gz`, `.warc.wet.gz`, and any input whose (decompressed)
///   bytes start with `WARC/`: one document per WET `conversion` record and per HTML `response`
///   record, id = `WARC-Target-URI` (see ``read(path:onDocument:onSkip:onIgnore:onProgress:)``).
/// - `-`: standard input, JSONL or WARC, told by its first bytes.
///
/// Compression is told by the first bytes, not the name: gzip (`1f 8b`, all members of a
/// multi-member file) and zstd (`28 b5 2f fd`, all frames).
///
/// A bad record is reported through `onSkip` as a ``SearchError`` with the file and the line (JSONL)
/// or byte offset, and reading goes on; ``SkipReason`` classifies it for summaries. Offsets count
/// bytes of the decompressed stream.
public enum InputReader {
    /// The file name endings that ``expand(_:)`` picks up in directories.
    public static let recognizedExtensions = [".txt", ".jsonl", ".jsonl.gz", ".jsonl.zst", ".warc", ".warc.gz",
                                              ".wet", ".wet.gz", ".warc.wet.gz"]

    /// Expands inputs into files: a file stays as given, `-` (standard input) is passed through
    /// unchecked, and a directory contributes its files ending in one of ``recognizedExtensions``,
    /// recursively, in sorted path order.
    ///
    /// - Throws: ``SearchError`` if an input does not exist.
    public static func expand(_ inputs: [String]) throws -> [String] {
        var out: [String] = []
        for input in inputs {
            if input == "-" {
                out.append(input)
            } else if FileIO.isDirectory(input) {
                out.append(contentsOf: try walk(input))
            } else if FileIO.exists(input) {
                out.append(input)
            } else {
                throw SearchError(.indexNotFound, "no such file or directory", path: input)
            }
        }
        return out
    }

    private static func walk(_ dir: String) throws -> [String] {
        var out: [String] = []
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        for name in try FileIO.listDirectory(base) where !name.hasPrefix(".") {
            let path = base + "/" + name
            if FileIO.isDirectory(path) {
                out.append(contentsOf: try walk(path))
            } else if recognizedExtensions.contains(where: { name.hasSuffix($0) }) {
                out.append(path)
            }
        }
        return out.sorted()
    }

    /// Reads the documents of one file (or of standard input, for `-`).
    ///
    /// The same as ``read(path:onDocument:onSkip:onIgnore:onProgress:)`` without ignored-record
    /// and progress reports.
    ///
    /// - Parameters:
    ///   - onDocument: called with each good document, in file order.
    ///   - onSkip: called with each bad record's error (path and line or offset set).
    /// - Throws: when the file cannot be read at all, or when `onDocument` throws.
    public static func read(path: String, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        try read(path: path, onDocument: onDocument, onSkip: onSkip, onProgress: { _ in })
    }

    /// Reads the documents of one file (or of standard input, for `-`), reporting progress.
    ///
    /// Records that are not documents (WARC `warcinfo`, `request`, `metadata`… records) are
    /// skipped silently. WARC `response` records that are not HTML pages are not errors either:
    /// they are reported through `onIgnore` with ``SkipReason/notHTML``, or ``SkipReason/httpStatus``
    /// when the HTTP status is not 2xx (redirects, errors), so that a summary can count them.
    ///
    /// A WARC record is held in memory one at a time; a `conversion` or HTML `response` record
    /// over 64 MiB is skipped unread (``SkipReason/limitExceeded``), other records are never held.
    /// JSONL lines over 256 MiB are skipped the same way.
    ///
    /// Reading stops normally, after one report through `onSkip`, at a truncated record or
    /// compressed stream at the end of the file and at damaged compressed data (which cannot be
    /// resynchronized).
    ///
    /// - Parameters:
    ///   - onDocument: called with each good document, in file order.
    ///   - onSkip: called with each bad record's error: ``SearchError/Code/invalidInput`` or
    ///     ``SearchError/Code/limitExceeded``, with ``SearchError/path`` set and either
    ///     ``SearchError/line`` and ``SearchError/offset`` (JSONL) or ``SearchError/offset`` (WARC:
    ///     the offset of the record's `WARC/` line). Offsets count bytes of the decompressed stream.
    ///     ``SearchError/skipReason`` classifies the error.
    ///   - onIgnore: called for each response record that is not indexed because it is not an HTML
    ///     page or not a success.
    ///   - onProgress: called with the number of bytes read so far from the file itself (compressed
    ///     bytes for a compressed file), about every MiB and once at the end.
    /// - Throws: when the file cannot be opened or read (``SearchError/Code/io``,
    ///   ``SearchError/Code/indexNotFound``), or when `onDocument` throws.
    ///   - parseThreads: with 0, JSONL lines are parsed (UTF-8 checked, JSON decoded, documents
    ///     built) and WARC records converted (HTTP decoding, charsets, HTML to text) on the calling
    ///     thread; with N ≥ 1, on up to N other threads, a chunk of about 1 MiB each, while the
    ///     calling thread reads ahead and consumes documents (so parsing overlaps with what
    ///     `onDocument` does even with 1). Documents and errors reach `onDocument` and `onSkip`
    ///     on the calling thread, in file order, either way.
    public static func read(path: String, parseThreads: Int = 0, onDocument: (Document) throws -> Void,
                            onSkip: (SearchError) -> Void, onIgnore: (SkipReason) -> Void = { _ in },
                            onProgress: (Int) -> Void) throws {
        var limits = Limits()
        limits.parseThreads = max(0, parseThreads)
        try read(path: path, limits: limits, onDocument: onDocument, onSkip: onSkip, onIgnore: onIgnore, onProgress: onProgress)
    }

    /// Size limits of the streaming readers (smaller in tests).
    struct Limits {
        /// The longest JSONL line.
        var maxLineLength = LineReader.defaultMaxLineLength
        /// The largest WARC `conversion` or `response` content held in memory (64 MiB, the
        /// largest body); a bigger record is skipped as ``SkipReason/limitExceeded`` without being held.
        var maxRecordBytes = Document.Limits.maxFieldBytes
        /// Threads that parse JSONL lines besides the reading thread (0: on the reading thread).
        var parseThreads = 0
        /// Lines are handed to the parsing threads in chunks of about this many bytes.
        var parseChunkBytes = 1 << 20
        /// A line longer than this (16 MiB) is parsed on the reading thread, in place, after the
        /// chunks before it: parsing threads hold copies of many lines, and copies of lines near
        /// ``maxLineLength`` would hold gigabytes.
        var inlineLineBytes = 16 << 20
    }

    /// What kind of input a name suggests.
    enum NameHint { case jsonl, warc, other }

    static func nameHint(_ path: String) -> NameHint {
        if path.hasSuffix(".jsonl") || path.hasSuffix(".jsonl.gz") || path.hasSuffix(".jsonl.zst") { return .jsonl }
        if path.hasSuffix(".warc") || path.hasSuffix(".warc.gz") || path.hasSuffix(".wet") || path.hasSuffix(".wet.gz") {
            return .warc
        }
        return .other
    }

    static func read(path: String, limits: Limits, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void,
                     onIgnore: (SkipReason) -> Void, onProgress: (Int) -> Void) throws {
        if path == "-" {
            let file = FileSource(fileDescriptor: 0, path: path, owns: false)
            try readStream(file, hint: .other, limits: limits, onDocument: onDocument, onSkip: onSkip,
                           onIgnore: onIgnore, onProgress: onProgress)
            return
        }
        if path.hasSuffix(".txt") {
            try readText(path: path, onDocument: onDocument, onSkip: onSkip)
            onProgress(FileIO.fileSize(path) ?? 0)
            return
        }
        let file = try FileSource(path: path)
        let handled = try readStream(file, hint: nameHint(path), limits: limits, onDocument: onDocument, onSkip: onSkip,
                                     onIgnore: onIgnore, onProgress: onProgress)
        if !handled {   // a plain file of another name: one text document, as always
            try readText(path: path, onDocument: onDocument, onSkip: onSkip)
            onProgress(FileIO.fileSize(path) ?? 0)
        }
    }

    /// What the first bytes of an input tell.
    struct Sniffed {
        /// The decompressed bytes, buffered; nothing consumed yet.
        let reader: LineReader
        /// The input's compression.
        let compression: Compression
        /// The decompressed bytes start with `WARC/`.
        let isWARC: Bool
    }

    /// Looks at the first bytes of `file`: its compression (by magic number), then whether the
    /// decompressed bytes start with `WARC/`.
    ///
    /// - Throws: ``SearchError/Code/io`` if reading fails; ``SearchError/Code/invalidInput`` if
    ///   the start of the compressed data is damaged or truncated.
    static func sniff(_ file: FileSource, maxLineLength: Int = LineReader.defaultMaxLineLength) throws -> Sniffed {
        let opened = try OpenedInput(file: file)
        let reader = LineReader(source: opened.source, maxLineLength: maxLineLength)
        let isWARC = bytesHavePrefix(try reader.peek(5), "WARC/")
        return Sniffed(reader: reader, compression: opened.compression, isWARC: isWARC)
    }

    /// Reads `file` (a file or standard input) as WARC or JSONL; returns false, having read
    /// nothing, for a plain file that is neither by its name nor by its first bytes (`hint` other).
    @discardableResult
    static func readStream(_ file: FileSource, hint: NameHint, limits: Limits, onDocument: (Document) throws -> Void,
                           onSkip: (SearchError) -> Void, onIgnore: (SkipReason) -> Void,
                           onProgress: (Int) -> Void) throws -> Bool {
        let path = file.path
        let sniffed: Sniffed
        do {
            sniffed = try sniff(file, maxLineLength: limits.maxLineLength)
        } catch var error as SearchError where error.code == .invalidInput {
            error.path = path
            error.offset = 0
            onSkip(error)
            onProgress(file.bytesRead)
            return true
        }
        var reported = 0
        let tick = {
            let n = file.bytesRead
            if n - reported >= (1 << 20) {
                reported = n
                onProgress(n)
            }
        }
        if sniffed.isWARC || hint == .warc {
            let warc = WARCReader(reader: sniffed.reader, path: path, maxContentBytes: limits.maxRecordBytes)
            try warc.run(parseThreads: limits.parseThreads, chunkBytes: limits.parseChunkBytes, onDocument: onDocument,
                         onSkip: onSkip, onIgnore: onIgnore, tick: tick)
        } else if hint == .jsonl || sniffed.compression != .none || path == "-" {
            if limits.parseThreads > 0 {
                try readJSONLInParallel(sniffed.reader, path: path, limits: limits, onDocument: onDocument,
                                        onSkip: onSkip, tick: tick)
            } else {
                try readJSONL(sniffed.reader, path: path, onDocument: onDocument, onSkip: onSkip, tick: tick)
            }
        } else {
            return false
        }
        onProgress(file.bytesRead)
        return true
    }

    static func readText(path: String, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        let bytes = try FileIO.readFile(path)
        if let bad = bytes.withUnsafeBufferPointer({ UTF8Decoder.firstInvalidOffset($0) }) {
            let line = bytes[..<bad].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            onSkip(SearchError(.invalidInput, "invalid UTF-8", path: path, offset: bad, line: line))
            return
        }
        let (title, body) = PageTitle.split(String(decoding: bytes, as: UTF8.self))
        try onDocument(Document(id: path, title: title.trimmingCharacters(in: .whitespacesAndNewlines), body: body))
    }

    static func readJSONL(_ reader: LineReader, path: String, onDocument: (Document) throws -> Void,
                          onSkip: (SearchError) -> Void, tick: () -> Void) throws {
        while true {
            let next: LineReader.Line?
            do {
                next = try reader.nextLine()
            } catch var error as SearchError where error.code == .invalidInput {
                // The decompressor failed: damaged or truncated compressed data.
                error.path = path
                error.offset = reader.offset
                error.line = reader.lineNumber
                onSkip(error)
                return
            }
            guard let line = next else { return }
            tick()
            if line.isTooLong {
                onSkip(SearchError(.limitExceeded, "line is \(line.length) bytes; the limit is \(reader.maxLineLength)",
                                   path: path, offset: line.offset, line: line.number))
                continue
            }
            let buffer = trimmingTrailingCR(line.bytes)
            if buffer.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            try parseLine(buffer, number: line.number, offset: line.offset, path: path, onDocument: onDocument, onSkip: onSkip)
        }
    }

    /// Parses one line in place and hands its document to `onDocument`, or its error to `onSkip`.
    static func parseLine(_ buffer: UnsafeBufferPointer<UInt8>, number: Int, offset: Int, path: String,
                          onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        try reportingSkips(number: number, offset: offset, path: path, onSkip: onSkip) {
            try onDocument(try parseJSONLine(buffer))
        }
    }

    /// Runs `body`; a record refused by the parser or by the consumer (a bad or oversized
    /// document) goes to `onSkip` with its file, line and offset, any other error is thrown.
    static func reportingSkips(number: Int, offset: Int, path: String, onSkip: (SearchError) -> Void,
                               _ body: () throws -> Void) throws {
        do {
            try body()
        } catch var error as SearchError where error.code == .invalidInput || error.code == .limitExceeded {
            error.path = path
            error.line = number
            if let o = error.offset { error.offset = offset + o }
            onSkip(error)
        }
    }

    /// ``readJSONL(_:path:onDocument:onSkip:tick:)`` with the parsing on `limits.parseThreads`
    /// threads: this thread copies lines into chunks and hands each to a parsing task; it delivers
    /// the chunks' documents and errors in order, and keeps at most two chunks a thread in flight.
    static func readJSONLInParallel(_ reader: LineReader, path: String, limits: Limits,
                                    onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void,
                                    tick: () -> Void) throws {
        var pipeline = OrderedChunks<ParseChunk>(depth: 2 * limits.parseThreads) { $0.parse() }
        func deliver(_ chunk: ParseChunk) throws -> Bool {
            for result in chunk.results {
                switch result {
                case .document(let d, let number, let offset):
                    // As on one thread: a document the consumer refuses is a skipped record.
                    try reportingSkips(number: number, offset: offset, path: path, onSkip: onSkip) { try onDocument(d) }
                case .skip(let e): onSkip(e)
                }
            }
            return true
        }
        var chunk = ParseChunk(path: path)
        func submit() throws {
            guard !chunk.isEmpty else { return }
            _ = try pipeline.hand(chunk, take: deliver)
            chunk = ParseChunk(path: path)
        }
        while true {
            let next: LineReader.Line?
            do {
                next = try reader.nextLine()
            } catch var error as SearchError where error.code == .invalidInput {
                try submit()
                _ = try pipeline.drain(take: deliver)
                error.path = path
                error.offset = reader.offset
                error.line = reader.lineNumber
                onSkip(error)
                return
            }
            guard let line = next else { break }
            tick()
            if line.isTooLong {
                chunk.add(skip: SearchError(.limitExceeded, "line is \(line.length) bytes; the limit is \(reader.maxLineLength)",
                                            path: path, offset: line.offset, line: line.number))
            } else {
                let buffer = trimmingTrailingCR(line.bytes)
                if buffer.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    // A blank line: nothing to parse.
                } else if buffer.count > limits.inlineLineBytes {
                    // A very long line is not copied: the lines before it are delivered, then it
                    // is parsed where it lies, so that at most one such line is held at a time.
                    try submit()
                    _ = try pipeline.drain(take: deliver)
                    try parseLine(buffer, number: line.number, offset: line.offset, path: path, onDocument: onDocument, onSkip: onSkip)
                } else {
                    chunk.add(line: buffer, number: line.number, offset: line.offset)
                }
            }
            if chunk.byteCount >= limits.parseChunkBytes { try submit() }
        }
        try submit()
        _ = try pipeline.drain(take: deliver)
    }

    /// Lines copied out of the reader, parsed on another thread into documents or errors.
    final class ParseChunk: @unchecked Sendable {
        enum Result {
            case document(Document, line: Int, offset: Int)
            case skip(SearchError)
        }
        let path: String
        private var bytes: [UInt8] = []
        /// Each line: where its bytes end in `bytes`, its number and offset; or an error decided
        /// while reading (a line too long).
        private var lines: [(end: Int, number: Int, offset: Int, error: SearchError?)] = []
        /// Set by ``parse()``.
        private(set) var results: [Result] = []

        init(path: String) { self.path = path }

        var isEmpty: Bool { lines.isEmpty }
        var byteCount: Int { bytes.count }

        func add(line: UnsafeBufferPointer<UInt8>, number: Int, offset: Int) {
            bytes.append(contentsOf: line)
            lines.append((bytes.count, number, offset, nil))
        }

        func add(skip error: SearchError) {
            lines.append((bytes.count, 0, 0, error))
        }

        func parse() {
            results.reserveCapacity(lines.count)
            bytes.withUnsafeBufferPointer { all in
                var start = 0
                for line in lines {
                    defer { start = line.end }
                    if let e = line.error {
                        results.append(.skip(e))
                        continue
                    }
                    do {
                        let doc = try parseJSONLine(UnsafeBufferPointer(rebasing: all[start ..< line.end]))
                        results.append(.document(doc, line: line.number, offset: line.offset))
                    } catch var error as SearchError {
                        error.path = path
                        error.line = line.number
                        if let o = error.offset { error.offset = line.offset + o }
                        results.append(.skip(error))
                    } catch {
                        results.append(.skip(SearchError(.invalidInput, "\(error)", path: path, offset: line.offset, line: line.number)))
                    }
                }
            }
        }
    }

    /// Parses one JSONL record (one line, without its line end).
    ///
    /// - Throws: ``SearchError/Code/invalidInput`` for invalid UTF-8 (with the offset in the line),
    ///   malformed JSON, a non-object, a missing or mistyped `"id"` or `"text"`;
    ///   ``SearchError/Code/limitExceeded`` for a document over ``Document/Limits``.
    public static func parseJSONLine(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Document {
        var scratch: [UInt8] = []
        // The fast path validates UTF-8 as it makes strings; the whole line is checked only when
        // it fails (invalid UTF-8, or JSON it leaves to Foundation).
        if let record = JSONLineParser.parse(bytes, scratch: &scratch) {
            // All values are strings: the same checks, without Foundation objects.
            var id: String?, text: String?, title = ""
            var fields: [String: String] = [:]
            for (k, v) in record.pairs {
                switch k {
                case "id": id = v
                case "text": text = v
                case "title": title = v
                default: fields[k] = v
                }
            }
            guard let id else { throw SearchError(.invalidInput, "no \"id\"") }
            if id.isEmpty { throw SearchError(.invalidInput, "\"id\" is empty") }
            guard let text else { throw SearchError(.invalidInput, "no \"text\"") }
            let doc = Document(id: id, title: title, body: text, fields: fields)
            try doc.validate()
            return doc
        }
        if let bad = UTF8Decoder.firstInvalidOffset(bytes) {
            throw SearchError(.invalidInput, "invalid UTF-8 at byte \(bad) of the line", offset: bad)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [.fragmentsAllowed])
        } catch {
            throw SearchError(.invalidInput, "malformed JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw SearchError(.invalidInput, "line is not a JSON object")
        }
        let id: String
        switch dict["id"] {
        case let s as String: id = s
        case let n as NSNumber where !(n is Bool): id = n.stringValue
        case nil: throw SearchError(.invalidInput, "no \"id\"")
        default: throw SearchError(.invalidInput, "\"id\" is not a string or number")
        }
        if id.isEmpty { throw SearchError(.invalidInput, "\"id\" is empty") }
        guard let textValue = dict["text"] else { throw SearchError(.invalidInput, "no \"text\"") }
        guard let text = textValue as? String else { throw SearchError(.invalidInput, "\"text\" is not a string") }
        var title = ""
        if let t = dict["title"] {
            if let s = t as? String { title = s } else if !(t is NSNull) {
                throw SearchError(.invalidInput, "\"title\" is not a string")
            }
        }
        var fields: [String: String] = [:]
        for (k, v) in dict where k != "id" && k != "text" && k != "title" {
            if let s = v as? String {
                fields[k] = s
            } else if let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .sortedKeys]) {
                fields[k] = String(decoding: data, as: UTF8.self)
            }
        }
        let doc = Document(id: id, title: title, body: text, fields: fields)
        try doc.validate()
        return doc
    }
}

extension InputReader {
    /// Why a record was skipped or ignored, for counting in a summary ("skipped 12: 9 malformed
    /// JSON, 3 invalid UTF-8").
    ///
    /// The ``rawValue`` is a short label meant for such a summary. ``init(_:)`` (and
    /// ``SearchError/skipReason``) classifies an error reported through `onSkip`: every such message
    /// starts with its reason's label, except the JSONL ones of earlier versions, which map as
    /// follows: "line is not a JSON object" → ``malformedJSON``; "no \"id\"", "\"text\" is not a
    /// string" and the like → ``invalidDocument``; a ``SearchError/Code/limitExceeded`` error →
    /// ``limitExceeded``.
    ///
    /// ``notHTML`` and ``httpStatus`` are never errors: they come through `onIgnore`.
    public struct SkipReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The label, e.g. "malformed JSON".
        public let rawValue: String
        /// A reason with the label `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The label.
        public var description: String { rawValue }

        /// A JSONL line that is not a JSON object.
        public static let malformedJSON = SkipReason(rawValue: "malformed JSON")
        /// Bytes that are not UTF-8 where UTF-8 is required (JSONL, WET text, a UTF-8 page).
        public static let invalidUTF8 = SkipReason(rawValue: "invalid UTF-8")
        /// A JSON object that is not a document: missing or mistyped `"id"` or `"text"`, empty id.
        public static let invalidDocument = SkipReason(rawValue: "invalid document")
        /// A line, record or document over a size limit (``SearchError/Code/limitExceeded``).
        public static let limitExceeded = SkipReason(rawValue: "limit exceeded")
        /// A page in a charset iconv does not know.
        public static let unsupportedCharset = SkipReason(rawValue: "unsupported charset")
        /// A page whose bytes are not valid in its (non-UTF-8) charset.
        public static let invalidEncoding = SkipReason(rawValue: "invalid encoding")
        /// An HTTP body with a `Content-Encoding` other than gzip or deflate (e.g. `br`).
        public static let unsupportedContentEncoding = SkipReason(rawValue: "unsupported content encoding")
        /// A WARC record with a bad header, a missing or invalid `Content-Length`, a bad separator,
        /// no `WARC-Target-URI`, or a response that is not a well-formed HTTP message.
        public static let malformedWARC = SkipReason(rawValue: "malformed WARC record")
        /// The input ends inside a record or a compressed stream; reading stops there.
        public static let truncatedInput = SkipReason(rawValue: "truncated input")
        /// Damaged gzip or zstd data; reading of the file stops there.
        public static let corruptCompressedData = SkipReason(rawValue: "corrupt compressed data")
        /// (Through `onIgnore`.) A WARC response that is not an HTML page.
        public static let notHTML = SkipReason(rawValue: "not HTML")
        /// (Through `onIgnore`.) A WARC response whose HTTP status is not 2xx.
        public static let httpStatus = SkipReason(rawValue: "HTTP status not 2xx")

        private static let prefixed: [SkipReason] = [
            .malformedWARC, .truncatedInput, .corruptCompressedData, .unsupportedCharset, .unsupportedContentEncoding,
            .invalidEncoding, .invalidUTF8, .malformedJSON, .notHTML, .httpStatus,
        ]

        /// The reason for an error reported through `onSkip` (see the mapping above).
        public init(_ error: SearchError) {
            if error.code == .limitExceeded {
                self = .limitExceeded
            } else if let reason = SkipReason.prefixed.first(where: { error.message.hasPrefix($0.rawValue) }) {
                self = reason
            } else if error.message == "line is not a JSON object" {
                self = .malformedJSON
            } else {
                self = .invalidDocument
            }
        }
    }
}

extension InputReader {
    /// The summary label of why the record `error` was reported for was skipped, e.g.
    /// "malformed JSON": `SkipReason(error).rawValue`.
    public static func skipReason(of error: SearchError) -> String {
        SkipReason(error).rawValue
    }
}

extension SearchError {
    /// Why ``InputReader`` skipped the record this error was reported for; see
    /// ``InputReader/SkipReason``.
    public var skipReason: InputReader.SkipReason { InputReader.SkipReason(self) }
}
