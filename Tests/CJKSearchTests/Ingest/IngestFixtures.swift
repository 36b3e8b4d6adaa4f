import CZlib
import Foundation
import XCTest
@testable import CJKSearch
#if canImport(Glibc)
import Glibc
#endif

/// Fixture builders for the ingest tests: compression, charsets, WARC records.
enum IngestFixtures {
    /// One gzip member holding `bytes`.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let rc = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK)
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 64
        var out = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob -> Int in
                stream.next_in = ib.baseAddress
                stream.avail_in = uInt(ib.count)
                stream.next_out = ob.baseAddress
                stream.avail_out = uInt(ob.count)
                let rc = deflate(&stream, Z_FINISH)
                precondition(rc == Z_STREAM_END)
                return ob.count - Int(stream.avail_out)
            }
        }
        return Array(out[..<produced])
    }

    /// One zstd frame holding `bytes`.
    static func zstd(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        _ = ZstdCompressor().compress(bytes, appendingTo: &out)
        return out
    }

    /// `text` in `charset`, by iconv.
    static func encode(_ text: String, _ charset: String) -> [UInt8] {
        let cd = iconv_open(charset, "UTF-8")
        precondition(cd != nil && Int(bitPattern: cd) != -1, "iconv does not know \(charset)")
        defer { iconv_close(cd) }
        var input = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let produced = input.withUnsafeMutableBytes { ib in
            out.withUnsafeMutableBytes { ob -> Int in
                var ip = ib.baseAddress?.assumingMemoryBound(to: CChar.self)
                var il = ib.count
                var op = ob.baseAddress?.assumingMemoryBound(to: CChar.self)
                var ol = ob.count
                let rc = iconv(cd, &ip, &il, &op, &ol)
                precondition(rc != -1, "cannot encode in \(charset)")
                return ob.count - ol
            }
        }
        return Array(out[..<produced])
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    /// An HTTP response message.
    static func http(status: String = "200 OK", headers: [String], body: [UInt8]) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\n"
        for h in headers { head += h + "\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// Builds a WARC file record by record, remembering where each record starts.
    struct WARC {
        /// The whole file, uncompressed.
        var bytes: [UInt8] = []
        /// Each record's bytes, for one gzip member per record.
        var records: [[UInt8]] = []
        /// The offset of each record in `bytes`.
        var offsets: [Int] = []

        /// Appends a record; `headers` come after WARC-Type and WARC-Target-URI; returns its offset.
        @discardableResult
        mutating func record(_ type: String, uri: String? = nil, headers: [String] = [], content: [UInt8],
                             contentLength: String? = nil) -> Int {
            var head = "WARC/1.0\r\nWARC-Type: \(type)\r\n"
            if let uri { head += "WARC-Target-URI: \(uri)\r\n" }
            head += "WARC-Date: 2024-03-01T12:00:00Z\r\nWARC-Record-ID: <urn:uuid:\(UUID().uuidString)>\r\n"
            for h in headers { head += h + "\r\n" }
            head += "Content-Length: \(contentLength ?? String(content.count))\r\n\r\n"
            return raw(Array(head.utf8) + content + Array("\r\n\r\n".utf8))
        }

        /// Appends any bytes as a "record"; returns their offset.
        @discardableResult
        mutating func raw(_ b: [UInt8]) -> Int {
            offsets.append(bytes.count)
            records.append(b)
            bytes += b
            return offsets.last!
        }

        /// One gzip member per record, as Common Crawl writes them.
        var multiMemberGzip: [UInt8] { records.flatMap { gzip($0) } }
    }

    /// Everything `InputReader.read` reported for one input.
    struct Result {
        var documents: [Document] = []
        var skips: [SearchError] = []
        var ignored: [InputReader.SkipReason] = []
        var progress: [Int] = []

        func document(_ id: String) -> Document? { documents.first(where: { $0.id == id }) }
        var skipReasons: [InputReader.SkipReason] { skips.map(\.skipReason) }
    }

    static func read(_ path: String, limits: InputReader.Limits = InputReader.Limits()) throws -> Result {
        var r = Result()
        try InputReader.read(path: path, limits: limits, onDocument: { r.documents.append($0) },
                             onSkip: { r.skips.append($0) }, onIgnore: { r.ignored.append($0) },
                             onProgress: { r.progress.append($0) })
        return r
    }
}
