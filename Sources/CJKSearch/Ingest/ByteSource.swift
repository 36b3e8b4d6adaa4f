import CZlib
import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of bytes read in chunks: a file or standard input, possibly through a decompressor.
///
/// Errors: a failed system call is a ``SearchError/Code/io`` error; damaged or truncated
/// compressed data is an ``SearchError/Code/invalidInput`` error whose message starts with
/// "corrupt compressed data" or "truncated input" (see ``InputReader/SkipReason``). After an error
/// the source must not be read again.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` (> 0) bytes into `buffer`; returns how many, 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// How an input is compressed, told by its first bytes.
enum Compression: Equatable, Sendable {
    case none
    /// gzip (`1f 8b`), possibly several members concatenated.
    case gzip
    /// zstd (`28 b5 2f fd`), possibly several frames concatenated.
    case zstd

    /// The compression whose magic number `prefix` starts with (`prefix` may be short).
    static func sniff(_ prefix: UnsafeRawBufferPointer) -> Compression {
        if prefix.count >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B { return .gzip }
        if prefix.count >= 4 && prefix[0] == 0x28 && prefix[1] == 0xB5 && prefix[2] == 0x2F && prefix[3] == 0xFD {
            return .zstd
        }
        return .none
    }
}

/// read(2), named apart from the `read(into:)` methods.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buffer, count)
    #else
    return Darwin.read(fd, buffer, count)
    #endif
}

/// The size of the chunks read from files and fed to decompressors.
let ingestChunkSize = 1 << 20

/// Bytes of a file descriptor, read with read(2); counts the bytes read (the on-disk, compressed
/// size) for progress reports. Bytes looked at with ``peek(_:)`` are returned again by ``read(into:)``.
final class FileSource: ByteSource {
    let fd: Int32
    let path: String
    private let ownsDescriptor: Bool
    /// Bytes read from the descriptor so far.
    private(set) var bytesRead = 0
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// Opens `path` for reading.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw SearchError(.indexNotFound, "file not found", path: path) }
            throw FileIO.errnoError("open", path: path, errno: e)
        }
        self.fd = fd
        self.path = path
        ownsDescriptor = true
    }

    /// Reads from an open descriptor, closing it at deinit only if `owns`.
    init(fileDescriptor fd: Int32, path: String, owns: Bool) {
        self.fd = fd
        self.path = path
        ownsDescriptor = owns
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    private func readSystem(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += n
                return n
            }
            if errno == EINTR { continue }
            throw FileIO.errnoError("read", path: path, errno: errno)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingStart < pending.count {
            let n = min(buffer.count, pending.count - pendingStart)
            pending.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + pendingStart, byteCount: n)
            }
            pendingStart += n
            if pendingStart == pending.count { pending = []; pendingStart = 0 }
            return n
        }
        return try readSystem(buffer)
    }

    /// The first `count` bytes not yet read (fewer at the end of the input), without consuming them.
    func peek(_ count: Int) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: count)
        while pending.count - pendingStart < count {
            let want = count - (pending.count - pendingStart)
            let n = try chunk.withUnsafeMutableBytes { try readSystem(UnsafeMutableRawBufferPointer(rebasing: $0[..<want])) }
            if n == 0 { break }
            pending.append(contentsOf: chunk[..<n])
        }
        return Array(pending[pendingStart ..< min(pending.count, pendingStart + count)])
    }
}

/// Decompresses gzip (or zlib) data, all members of a multi-member file (as WARC `.gz` files are:
/// one member per record). Trailing zero bytes after the last member are ignored.
final class GzipSource: ByteSource {
    private let input: ByteSource
    private let path: String
    private var stream = z_stream()
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberEnded = false
    private var compressedOffset = 0   // input bytes of the members before the current one
    private var failed = false
    private var pendingError: SearchError?

    init(input: ByteSource, path: String) throws {
        self.input = input
        self.path = path
        inputBuffer = .allocate(byteCount: ingestChunkSize, alignment: 16)
        // 15 + 32: the largest window, gzip or zlib header detected automatically.
        let rc = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK {
            inputBuffer.deallocate()
            throw SearchError(.io, "inflateInit2 failed (zlib error \(rc))", path: path)
        }
    }

    deinit {
        inflateEnd(&stream)
        inputBuffer.deallocate()
    }

    private func refill() throws {
        let n = try input.read(into: inputBuffer)
        if n == 0 { inputEnded = true; return }
        stream.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(n)
    }

    private func consumedInput() -> Int { Int(stream.total_in) + compressedOffset }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let error = pendingError {
            pendingError = nil
            failed = true
            throw error
        }
        if failed { return 0 }
        while true {
            if stream.avail_in == 0 && !inputEnded { try refill() }
            if memberEnded {
                while stream.avail_in > 0 && stream.next_in.pointee == 0 {   // zero padding
                    stream.next_in += 1
                    stream.avail_in -= 1
                    compressedOffset += 1
                }
                if stream.avail_in == 0 {
                    if inputEnded { return 0 }
                    continue
                }
                compressedOffset += Int(stream.total_in)
                inflateReset(&stream)
                memberEnded = false
            }
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.avail_out)
            var error: SearchError?
            switch rc {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK, Z_BUF_ERROR:
                if produced == 0 && stream.avail_in == 0 && inputEnded {
                    error = SearchError(.invalidInput, "truncated input: the gzip stream ends in the middle of a member (compressed byte \(consumedInput()))", path: path)
                } else if produced == 0 && stream.avail_in > 0 && rc == Z_BUF_ERROR {
                    error = SearchError(.invalidInput, "corrupt compressed data: gzip stream makes no progress (compressed byte \(consumedInput()))", path: path)
                }
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                error = SearchError(.invalidInput, "corrupt compressed data: gzip: \(detail) (compressed byte \(consumedInput()))", path: path)
            }
            if let error {
                // Hand out what was decoded before the damage; the error comes with the next read.
                if produced > 0 { pendingError = error; return produced }
                failed = true
                throw error
            }
            if produced > 0 { return produced }
        }
    }
}

/// Decompresses zstd data, all frames of it (skippable frames are skipped).
final class ZstdSource: ByteSource {
    private let input: ByteSource
    private let path: String
    private let dstream: OpaquePointer
    private let inputBuffer: UnsafeMutableRawBufferPointer
    private var inputCount = 0
    private var inputPosition = 0
    private var inputEnded = false
    private var compressedOffset = 0
    /// The last `ZSTD_decompressStream` hint: 0 when a frame is complete.
    private var frameRemainder = 0
    private var failed = false
    private var pendingError: SearchError?

    init(input: ByteSource, path: String) throws {
        self.input = input
        self.path = path
        guard let d = ZSTD_createDStream() else { throw SearchError(.io, "ZSTD_createDStream: out of memory", path: path) }
        dstream = d
        ZSTD_initDStream(dstream)
        inputBuffer = .allocate(byteCount: ingestChunkSize, alignment: 16)
    }

    deinit {
        ZSTD_freeDStream(dstream)
        inputBuffer.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let error = pendingError {
            pendingError = nil
            failed = true
            throw error
        }
        if failed { return 0 }
        while true {
            if inputPosition == inputCount && !inputEnded {
                compressedOffset += inputCount
                inputCount = try input.read(into: inputBuffer)
                inputPosition = 0
                if inputCount == 0 { inputEnded = true }
            }
            var inBuf = ZSTD_inBuffer(src: inputBuffer.baseAddress, size: inputCount, pos: inputPosition)
            var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let hint = ZSTD_decompressStream(dstream, &outBuf, &inBuf)
            let consumed = inBuf.pos > inputPosition
            inputPosition = inBuf.pos
            var error: SearchError?
            if ZSTD_isError(hint) != 0 {
                let name = String(cString: ZSTD_getErrorName(hint))
                error = SearchError(.invalidInput, "corrupt compressed data: zstd: \(name) (compressed byte \(compressedOffset + inputPosition))", path: path)
            } else if consumed || outBuf.pos > 0 {
                // A call with no input left asks for the next frame's header: only calls that
                // did something tell whether the last frame is complete (0).
                frameRemainder = hint
            }
            if error == nil && outBuf.pos == 0 && inputEnded && inputPosition == inputCount {
                if frameRemainder == 0 { return 0 }
                error = SearchError(.invalidInput, "truncated input: the zstd stream ends in the middle of a frame (compressed byte \(compressedOffset + inputPosition))", path: path)
            }
            if let error {
                // Hand out what was decoded before the damage; the error comes with the next read.
                if outBuf.pos > 0 { pendingError = error; return outBuf.pos }
                failed = true
                throw error
            }
            if outBuf.pos > 0 { return outBuf.pos }
        }
    }
}

/// An opened input: its decompressed bytes, the raw file under them, and how it is compressed.
struct OpenedInput {
    /// The decompressed bytes.
    let source: ByteSource
    /// The file or standard input, for the count of bytes read from it.
    let file: FileSource
    let compression: Compression

    /// Wraps `file` in the decompressor its first bytes call for.
    init(file: FileSource) throws {
        self.file = file
        let magic = try file.peek(4)
        compression = magic.withUnsafeBytes { Compression.sniff($0) }
        switch compression {
        case .none: source = file
        case .gzip: source = try GzipSource(input: file, path: file.path)
        case .zstd: source = try ZstdSource(input: file, path: file.path)
        }
    }
}

/// Whole-buffer zlib decompression, for HTTP bodies sent with `Content-Encoding: gzip` or `deflate`.
enum Inflater {
    /// Decompresses gzip or zlib data (told by its header), else raw deflate data (which some
    /// servers send as `deflate`); nil if it does not decode or expands past `limit` bytes. A body
    /// cut short (as crawlers truncate long pages) yields what decodes.
    static func inflateAll(_ input: UnsafeBufferPointer<UInt8>, limit: Int) -> [UInt8]? {
        if let out = inflate(input, windowBits: 15 + 32, limit: limit) { return out }
        return inflate(input, windowBits: -15, limit: limit)
    }

    private static func inflate(_ input: UnsafeBufferPointer<UInt8>, windowBits: Int32, limit: Int) -> [UInt8]? {
        guard let base = input.baseAddress, input.count > 0 else { return [] }
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: base)
        stream.avail_in = uInt(input.count)
        var out: [UInt8] = []
        let chunkSize = 1 << 16
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        while true {
            stream.next_out = chunk
            stream.avail_out = uInt(chunkSize)
            let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if out.count + produced > limit { return nil }
            out.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            switch rc {
            case Z_STREAM_END:
                return out
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: the input ended early. Keep what decoded, if anything.
                return out.isEmpty ? nil : out
            default:
                return nil
            }
        }
    }
}
