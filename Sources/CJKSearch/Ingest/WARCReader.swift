import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the documents of a WARC or WET file (ISO 28500; Common Crawl's `.warc.gz` and
/// `.warc.wet.gz`), record by record, holding one record at a time.
///
/// A record is a version line (`WARC/1.0`), header lines (`Name: value`, CRLF or LF, continuation
/// lines folded), a blank line, `Content-Length` bytes of content and the separator (two line ends).
///
/// - `WARC-Type: conversion` (WET): the content is UTF-8 plain text; title = its first non-empty
///   line, trimmed; body = the whole text.
/// - `WARC-Type: response` with an HTTP response whose `Content-Type` is HTML (`text/html`,
///   `application/xhtml+xml`, or none and the body looks like HTML) and whose status is 2xx: the
///   body is de-chunked (`Transfer-Encoding: chunked`), decompressed (`Content-Encoding: gzip` or
///   `deflate`), converted to UTF-8 from its charset (the HTTP `charset=`, else a `<meta>`
///   declaration in the first 2 KB, else UTF-8; a BOM wins) and reduced to text by ``HTMLText``.
/// - The document id is `WARC-Target-URI`.
/// - Other records (`warcinfo`, `request`, `metadata`, `revisit`, `resource`…) are skipped
///   silently; responses that are not HTML or not 2xx are reported through `onIgnore`.
///
/// Problems are reported through `onSkip` with the record's offset, which counts bytes of the
/// decompressed stream (the offset of the record's version line). After a malformed header the
/// reader resynchronizes at the next line starting with `WARC/1.`.
final class WARCReader {
    /// The longest header line.
    static let maxHeaderLine = 64 << 10
    /// The most header bytes of one record.
    static let maxHeaderBytes = 1 << 20
    /// The most header lines of one record.
    static let maxHeaders = 1024
    /// How much of a response is read before deciding whether it is an HTML page.
    static let httpHeadWindow = 64 << 10

    private let reader: LineReader
    private let path: String
    /// The largest record content kept in memory (a bigger page or text is skipped).
    private let maxContentBytes: Int
    private var content: [UInt8] = []
    /// Converts records on the reading thread (with ``run(parseThreads:onDocument:onSkip:onIgnore:tick:)``'s 0).
    private var converter: RecordConverter

    init(reader: LineReader, path: String, maxContentBytes: Int = Document.Limits.maxFieldBytes) {
        self.reader = reader
        self.path = path
        self.maxContentBytes = maxContentBytes
        converter = RecordConverter(path: path, maxContentBytes: maxContentBytes)
    }

    /// What became of one record.
    fileprivate enum Outcome {
        case document(Document, offset: Int)
        /// A record to turn into a document (or a skip): its content, read and held.
        case convert(Conversion)
        case skip(SearchError)
        case ignore(InputReader.SkipReason)
        case nothing
        /// A malformed record: reported, then the reader looks for the next `WARC/1.` line.
        case malformed(SearchError)
        /// Reported, and reading stops (the end of a truncated file).
        case stop(SearchError)
        case end
    }

    /// Reads every record. `tick` is called after each record (for progress reports). With
    /// `parseThreads` ≥ 1, records are converted (HTTP decoding, charsets, HTML to text) on up to
    /// that many other threads, in chunks of about 1 MiB of content, and their documents and errors
    /// are delivered on this thread in file order, as with 0 (all on this thread).
    func run(parseThreads: Int = 0, chunkBytes: Int = WARCReader.chunkBytes, onDocument: (Document) throws -> Void,
             onSkip: (SearchError) -> Void, onIgnore: (InputReader.SkipReason) -> Void, tick: () -> Void) throws {
        // Delivers one outcome; false when reading must stop.
        func deliver(_ outcome: Outcome) throws -> Bool {
            switch outcome {
            case .end:
                return false
            case .stop(let error):
                onSkip(error)
                return false
            case .malformed(let error), .skip(let error):
                onSkip(error)
            case .ignore(let reason):
                onIgnore(reason)
            case .nothing:
                break
            case .convert(let c):
                return try deliver(converter.convert(c))
            case .document(let doc, let offset):
                do {
                    try doc.validate()
                } catch var error as SearchError {
                    error.path = path
                    error.offset = offset
                    onSkip(error)
                    return true
                }
                do {
                    try onDocument(doc)
                } catch var error as SearchError where error.code == .invalidInput || error.code == .limitExceeded {
                    // As for JSONL: a document the caller rejects is a skipped record.
                    if error.path == nil { error.path = path }
                    if error.offset == nil { error.offset = offset }
                    onSkip(error)
                }
            }
            return true
        }
        var pipeline = OrderedChunks<ConversionChunk>(depth: max(1, 2 * parseThreads)) { $0.convert() }
        func take(_ c: ConversionChunk) throws -> Bool {
            for o in c.outcomes where try !deliver(o) { return false }
            return true
        }
        var chunk = ConversionChunk(path: path, maxContentBytes: maxContentBytes)
        func submit() throws -> Bool {
            guard !chunk.outcomes.isEmpty else { return true }
            defer { chunk = ConversionChunk(path: path, maxContentBytes: maxContentBytes) }
            return try pipeline.hand(chunk, take: take)
        }
        func drain() throws -> Bool {
            try submit() && pipeline.drain(take: take)
        }
        var resyncing = false
        while true {
            let outcome: Outcome
            do {
                outcome = try nextRecord(resyncing: &resyncing)
            } catch var error as SearchError where error.code == .invalidInput {
                // The decompressor failed: damaged or truncated compressed data.
                error.path = path
                error.offset = reader.offset
                if parseThreads > 0, try !drain() { return }
                onSkip(error)
                return
            }
            if case .malformed = outcome { resyncing = true }
            if parseThreads == 0 {
                if try !deliver(outcome) { return }
            } else {
                switch outcome {
                case .end, .stop:
                    if try !drain() { return }
                    _ = try deliver(outcome)
                    return
                default:
                    chunk.add(outcome)
                    if chunk.contentBytes >= chunkBytes, try !submit() { return }
                }
            }
            tick()
        }
    }

    /// Records are handed to the converting threads in chunks of about this much content.
    static let chunkBytes = 1 << 20

    private func error(_ message: String, _ offset: Int) -> SearchError {
        SearchError(.invalidInput, message, path: path, offset: offset)
    }

    // MARK: - Records

    private func nextRecord(resyncing: inout Bool) throws -> Outcome {
        // The version line (blank lines between records are tolerated).
        var recordOffset = 0
        while true {
            guard let line = try reader.nextLine(maxLength: Self.maxHeaderLine) else { return .end }
            if line.isTooLong {
                if !resyncing {
                    resyncing = true
                    return .malformed(error("malformed WARC record: a line of \(line.length) bytes where a record should start", line.offset))
                }
                continue
            }
            let bytes = trimmingTrailingCR(line.bytes)
            if bytes.isEmpty { continue }
            if bytesHavePrefix(bytes, resyncing ? "WARC/1." : "WARC/") {
                resyncing = false
                recordOffset = line.offset
                break
            }
            if !resyncing {
                resyncing = true
                return .malformed(error("malformed WARC record: expected a WARC/ version line", line.offset))
            }
        }
        // Header lines.
        var headers: [(name: String, value: String)] = []
        var headerBytes = 0
        while true {
            guard let line = try reader.nextLine(maxLength: Self.maxHeaderLine) else {
                return .stop(error("truncated input: the file ends inside a WARC record header", recordOffset))
            }
            if line.isTooLong {
                return .malformed(error("malformed WARC record: a header line of \(line.length) bytes", recordOffset))
            }
            let bytes = trimmingTrailingCR(line.bytes)
            if bytes.isEmpty { break }
            headerBytes += line.length
            if headerBytes > Self.maxHeaderBytes || headers.count >= Self.maxHeaders {
                return .malformed(error("malformed WARC record: header too large", recordOffset))
            }
            if (bytes[0] == 0x20 || bytes[0] == 0x09), !headers.isEmpty {   // a folded continuation
                headers[headers.count - 1].value += " " + asciiTrimmed(String(decoding: bytes, as: UTF8.self))
                continue
            }
            guard let colon = bytes.firstIndex(of: 0x3A), colon > 0 else {
                return .malformed(error("malformed WARC record: a header line without a colon", recordOffset))
            }
            let name = asciiTrimmed(String(decoding: UnsafeBufferPointer(rebasing: bytes[..<colon]), as: UTF8.self)).lowercased()
            let value = asciiTrimmed(String(decoding: UnsafeBufferPointer(rebasing: bytes[(colon + 1)...]), as: UTF8.self))
            headers.append((name, value))
        }
        func header(_ name: String) -> String? { headers.first(where: { $0.name == name })?.value }
        guard let lengthText = header("content-length") else {
            return .malformed(error("malformed WARC record: no Content-Length", recordOffset))
        }
        guard let length = Int(lengthText), length >= 0 else {
            return .malformed(error("malformed WARC record: invalid Content-Length \"\(lengthText.prefix(40))\"", recordOffset))
        }
        let type = header("warc-type")?.lowercased() ?? ""
        var uri = header("warc-target-uri") ?? ""
        if uri.hasPrefix("<") && uri.hasSuffix(">") && uri.count >= 2 { uri = String(uri.dropFirst().dropLast()) }

        // The content.
        var outcome: Outcome
        // The content of the last record was handed over with its outcome.
        content = []
        if type != "conversion" && type != "response" {
            outcome = .nothing
            let n = try reader.skip(length)
            if n < length { return truncated(n, length, recordOffset) }
        } else if uri.isEmpty {
            outcome = .malformed(error("malformed WARC record: no WARC-Target-URI", recordOffset))
            let n = try reader.skip(length)
            if n < length { return truncated(n, length, recordOffset) }
        } else if length > maxContentBytes {
            outcome = .skip(SearchError(.limitExceeded, "WARC record content is \(length) bytes; the limit is \(maxContentBytes)",
                                        path: path, offset: recordOffset))
            let n = try reader.skip(length)
            if n < length { return truncated(n, length, recordOffset) }
        } else if type == "conversion" {
            let n = try reader.read(length, appendingTo: &content)
            if n < length { return truncated(n, length, recordOffset) }
            outcome = .convert(Conversion(kind: .text, content: content, uri: uri, offset: recordOffset))
        } else {
            let head = min(length, Self.httpHeadWindow)
            let n = try reader.read(head, appendingTo: &content)
            if n < head { return truncated(n, length, recordOffset) }
            switch parseHTTPHead(complete: head == length, recordOffset: recordOffset) {
            case .failure(let o):
                outcome = o
                let m = try reader.skip(length - head)
                if m < length - head { return truncated(head + m, length, recordOffset) }
            case .success(let http):
                let m = try reader.read(length - head, appendingTo: &content)
                if m < length - head { return truncated(head + m, length, recordOffset) }
                outcome = .convert(Conversion(kind: .html(http), content: content, uri: uri, offset: recordOffset))
            }
        }

        // The separator: two line ends (one, or none at the very end, is tolerated).
        var ends = 0
        while ends < 2, try reader.skip(ifNext: "\r\n") || reader.skip(ifNext: "\n") { ends += 1 }
        if ends == 0, try !reader.atEnd() {
            return .malformed(error("malformed WARC record: the content is not followed by a blank line (wrong Content-Length?)", recordOffset))
        }
        return outcome
    }

    private func truncated(_ got: Int, _ length: Int, _ offset: Int) -> Outcome {
        .stop(error("truncated input: the file ends inside a WARC record (\(got) of \(length) content bytes)", offset))
    }

    // MARK: - HTTP responses

    fileprivate struct HTTPHead {
        var headers: [(name: String, value: String)]
        var bodyStart: Int
        func header(_ name: String) -> String? { headers.first(where: { $0.name == name })?.value }
    }

    private enum HeadResult {
        case success(HTTPHead)
        case failure(Outcome)
    }

    /// Parses the status line and headers at the start of `content`; `complete` tells whether
    /// `content` holds the whole record content. Decides whether the response is an HTML page.
    private func parseHTTPHead(complete: Bool, recordOffset: Int) -> HeadResult {
        content.withUnsafeBufferPointer { c -> HeadResult in
            guard bytesHavePrefix(c, "HTTP/") else { return .failure(.ignore(.notHTML)) }
            var headers: [(name: String, value: String)] = []
            var pos = 0
            var status = 0
            var bodyStart: Int?
            var first = true
            while pos < c.count {
                guard let nl = UnsafeBufferPointer(rebasing: c[pos...]).firstIndex(of: 0x0A).map({ $0 + pos }) else {
                    if complete { bodyStart = c.count }   // headers up to the end, no body
                    break
                }
                let line = trimmingTrailingCR(UnsafeBufferPointer(rebasing: c[pos ..< nl]))
                pos = nl + 1
                if first {
                    first = false
                    // "HTTP/1.1 200 OK"
                    let parts = String(decoding: line, as: UTF8.self).split(separator: " ", maxSplits: 2)
                    status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
                    continue
                }
                if line.isEmpty { bodyStart = pos; break }
                guard let colon = line.firstIndex(of: 0x3A) else { continue }   // tolerate junk lines
                let name = asciiTrimmed(String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self)).lowercased()
                let value = asciiTrimmed(String(decoding: UnsafeBufferPointer(rebasing: line[(colon + 1)...]), as: UTF8.self))
                headers.append((name, value))
            }
            guard let bodyStart else {
                return .failure(.skip(error("malformed WARC record: the HTTP response header does not end", recordOffset)))
            }
            if status < 200 || status > 299 { return .failure(.ignore(.httpStatus)) }
            let head = HTTPHead(headers: headers, bodyStart: bodyStart)
            let media = asciiTrimmed(head.header("content-type")?.split(separator: ";", maxSplits: 1).first ?? "").lowercased()
            if media == "text/html" || media == "application/xhtml+xml" {
                return .success(head)
            }
            if media.isEmpty && looksLikeHTML(UnsafeBufferPointer(rebasing: c[bodyStart...])) {
                return .success(head)
            }
            return .failure(.ignore(.notHTML))
        }
    }

    /// True if `body`, after whitespace, starts with `<!doctype html` or `<html` (any case).
    private func looksLikeHTML(_ body: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < body.count && Charset.isSpace(body[i]) { i += 1 }
        func matches(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard body.count - i >= n else { return false }
            for k in 0 ..< n where Charset.lower(body[i + k]) != s.utf8Start[k] { return false }
            return true
        }
        return matches("<!doctype html") || matches("<html")
    }

    /// Decodes `Transfer-Encoding: chunked`; nil if malformed. A missing last chunk is tolerated.
    fileprivate static func dechunk(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var pos = 0
        while pos < b.count {
            guard let nl = UnsafeBufferPointer(rebasing: b[pos...]).firstIndex(of: 0x0A).map({ $0 + pos }) else { return nil }
            var size = 0
            var digits = 0
            var k = pos
            while k < nl {
                let c = Charset.lower(b[k])
                let d: Int
                if c >= 0x30 && c <= 0x39 { d = Int(c - 0x30) } else if c >= 0x61 && c <= 0x66 { d = Int(c - 0x61 + 10) } else { break }
                if digits >= 15 { return nil }
                size = size * 16 + d
                digits += 1
                k += 1
            }
            if digits == 0 { return nil }
            pos = nl + 1
            if size == 0 { break }
            guard size <= b.count - pos else { return nil }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[pos ..< pos + size]))
            pos += size
            if pos < b.count && b[pos] == 0x0D { pos += 1 }
            if pos < b.count && b[pos] == 0x0A { pos += 1 }
        }
        return out
    }
}

/// A record read by a ``WARCReader`` and not converted yet: its content and what it is.
fileprivate struct Conversion: @unchecked Sendable {
    enum Kind {
        /// A WET conversion record (UTF-8 text).
        case text
        /// An HTML response, its HTTP head parsed.
        case html(WARCReader.HTTPHead)
    }
    let kind: Kind
    let content: [UInt8]
    let uri: String
    /// The record's offset in the decompressed stream.
    let offset: Int
}

/// Turns held records into documents: HTTP transfer and content encodings, charsets, HTML to
/// text. One per thread (it keeps iconv descriptors and a buffer).
fileprivate struct RecordConverter {
    let path: String
    let maxContentBytes: Int
    private let charsets = CharsetConverter()
    private var scratch: [UInt8] = []

    init(path: String, maxContentBytes: Int) {
        self.path = path
        self.maxContentBytes = maxContentBytes
    }

    private func error(_ message: String, _ offset: Int) -> SearchError {
        SearchError(.invalidInput, message, path: path, offset: offset)
    }

    mutating func convert(_ c: Conversion) -> WARCReader.Outcome {
        // Do not keep the buffer of a huge record for the rest of the file.
        if scratch.capacity > (16 << 20) { scratch = [] }
        switch c.kind {
        case .text: return text(c)
        case .html(let http): return html(c, http)
        }
    }

    /// A WET conversion record: UTF-8 text, titled by its first non-empty line.
    private func text(_ c: Conversion) -> WARCReader.Outcome {
        let uri = c.uri, recordOffset = c.offset
        return c.content.withUnsafeBufferPointer { all -> WARCReader.Outcome in
            var text = all
            if bytesHavePrefix(text, "\u{FEFF}") { text = UnsafeBufferPointer(rebasing: text[3...]) }
            if let bad = UTF8Decoder.firstInvalidOffset(text) {
                return .skip(error("invalid UTF-8 at byte \(bad) of the record's content", recordOffset))
            }
            let body = String(decoding: text, as: UTF8.self)
            var title = ""
            var lineStart = 0
            while lineStart < text.count && title.isEmpty {
                var lineEnd = lineStart
                while lineEnd < text.count && text[lineEnd] != 0x0A { lineEnd += 1 }
                title = asciiTrimmed(String(decoding: UnsafeBufferPointer(rebasing: text[lineStart ..< lineEnd]), as: UTF8.self))
                lineStart = lineEnd + 1
            }
            return .document(Document(id: uri, title: title, body: body), offset: recordOffset)
        }
    }


    private mutating func html(_ c: Conversion, _ http: WARCReader.HTTPHead) -> WARCReader.Outcome {
        let uri = c.uri, recordOffset = c.offset
        let content = c.content
        // Transfer and content encodings.
        var bodyBytes: [UInt8]
        if let te = http.header("transfer-encoding")?.lowercased(), te.contains("chunked") {
            guard let plain = content.withUnsafeBufferPointer({ WARCReader.dechunk(UnsafeBufferPointer(rebasing: $0[http.bodyStart...])) }) else {
                return .skip(error("malformed WARC record: bad chunked transfer encoding in the HTTP response", recordOffset))
            }
            bodyBytes = plain
        } else {
            bodyBytes = Array(content[http.bodyStart...])
        }
        let encoding = asciiTrimmed(http.header("content-encoding") ?? "").lowercased()
        switch encoding {
        case "", "identity", "none":
            break
        case "gzip", "x-gzip", "deflate":
            guard let plain = bodyBytes.withUnsafeBufferPointer({ Inflater.inflateAll($0, limit: maxContentBytes) }) else {
                return .skip(error("corrupt compressed data: the HTTP body does not decode as \(encoding)", recordOffset))
            }
            bodyBytes = plain
        default:
            return .skip(error("unsupported content encoding: \(encoding.prefix(40))", recordOffset))
        }

        return bodyBytes.withUnsafeBufferPointer { all -> WARCReader.Outcome in
            // The charset: a BOM, else the HTTP header, else a <meta> tag, else UTF-8.
            var body = all
            var label: String?
            if bytesHavePrefix(body, "\u{FEFF}") {
                body = UnsafeBufferPointer(rebasing: body[3...])
                label = "utf-8"
            } else if body.count >= 2 && body[0] == 0xFF && body[1] == 0xFE {
                body = UnsafeBufferPointer(rebasing: body[2...])
                label = "utf-16le"
            } else if body.count >= 2 && body[0] == 0xFE && body[1] == 0xFF {
                body = UnsafeBufferPointer(rebasing: body[2...])
                label = "utf-16be"
            }
            if label == nil { label = http.header("content-type").flatMap(Charset.parameter(fromContentType:)) }
            if label == nil { label = Charset.sniffMeta(body) }
            let charset = label ?? "utf-8"
            let text: UnsafeBufferPointer<UInt8>
            if let iconvName = Charset.iconvName(forLabel: charset) {
                do throws(CharsetConverter.Failure) {
                    try charsets.convert(body, from: iconvName, into: &scratch)
                } catch {
                    switch error {
                    case .unsupported(let name):
                        return .skip(self.error("unsupported charset: \(name.prefix(40))", recordOffset))
                    case .invalid(let name, let offset):
                        return .skip(self.error("invalid encoding: the HTML body is not valid \(name) at byte \(offset)", recordOffset))
                    }
                }
                return scratch.withUnsafeBufferPointer { converted in
                    let (title, text) = HTMLText.extract(converted)
                    return .document(Document(id: uri, title: title, body: text), offset: recordOffset)
                }
            }
            text = body
            if let bad = UTF8Decoder.firstInvalidOffset(text) {
                return .skip(error("invalid UTF-8 at byte \(bad) of the HTML body", recordOffset))
            }
            let (title, plain) = HTMLText.extract(text)
            return .document(Document(id: uri, title: title, body: plain), offset: recordOffset)
        }
    }
}

/// Records handed to a converting thread, and their outcomes in order.
fileprivate final class ConversionChunk: @unchecked Sendable {
    private(set) var outcomes: [WARCReader.Outcome] = []
    private(set) var contentBytes = 0
    private let path: String
    private let maxContentBytes: Int

    init(path: String, maxContentBytes: Int) {
        self.path = path
        self.maxContentBytes = maxContentBytes
    }

    func add(_ outcome: WARCReader.Outcome) {
        if case .convert(let c) = outcome { contentBytes += c.content.count }
        outcomes.append(outcome)
    }

    /// Converts the held records (on a converting thread).
    func convert() {
        var converter = RecordConverter(path: path, maxContentBytes: maxContentBytes)
        for i in outcomes.indices {
            if case .convert(let c) = outcomes[i] { outcomes[i] = converter.convert(c) }
        }
    }
}

// MARK: - Byte helpers

@inline(__always)
func trimmingTrailingCR(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var n = b.count
    while n > 0 && b[n - 1] == 0x0D { n -= 1 }
    return UnsafeBufferPointer(rebasing: b[..<n])
}

@inline(__always)
func bytesHavePrefix(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
    let n = s.utf8CodeUnitCount
    guard b.count >= n, let base = b.baseAddress else { return n == 0 }
    return memcmp(base, s.utf8Start, n) == 0
}
