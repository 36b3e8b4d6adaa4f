import CZstd

/// The only file that talks to libzstd: reusable compression and decompression contexts.
///
/// Frames are written with the content size and a content checksum (XXH64, 4 bytes), so damage to
/// a compressed block is detected when it is decoded.
///
/// A context is not thread-safe; each writer or search owns its own.
final class ZstdCompressor {
    private let cctx: OpaquePointer
    let level: Int32

    init(level: Int32 = 3) {
        guard let c = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        cctx = c
        self.level = level
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)
    }

    deinit { ZSTD_freeCCtx(cctx) }

    /// Compresses `input` into one frame appended to `output`; returns the frame's length.
    @discardableResult
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> Int {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out -> Int in
            ZSTD_compress2(cctx, out.baseAddress! + start, bound, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            // Only a programming error (bad parameters) can get here: the bound is always enough.
            fatalError("ZSTD_compress2: \(String(cString: ZSTD_getErrorName(written)))")
        }
        output.removeLast(bound - written)
        return written
    }

    func compress(_ input: [UInt8], appendingTo output: inout [UInt8]) -> Int {
        input.withUnsafeBytes { compress($0, appendingTo: &output) }
    }
}

/// Decompresses frames written by ``ZstdCompressor``; every failure is a corrupt-data error.
final class ZstdDecompressor {
    private let dctx: OpaquePointer

    init() {
        guard let d = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        dctx = d
    }

    deinit { ZSTD_freeDCtx(dctx) }

    /// Throws unless `frame` declares exactly `expectedSize` bytes of content: checked before a
    /// buffer of that size is allocated, so a damaged length cannot request gigabytes.
    static func checkContentSize(_ frame: UnsafeRawBufferPointer, _ expectedSize: Int, path: String, offset: Int) throws {
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard declared == UInt64(expectedSize) else {
            throw SearchError.corrupt("zstd frame declares \(declared) bytes, expected \(expectedSize)", path: path, offset: offset)
        }
    }

    /// Decompresses one frame that must expand to exactly `output.count` bytes.
    func decompress(_ frame: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                    path: String, offset: Int) throws {
        if output.count == 0 && frame.count == 0 { return }
        let n = ZSTD_decompressDCtx(dctx, output.baseAddress, output.count, frame.baseAddress, frame.count)
        if ZSTD_isError(n) != 0 {
            let name = String(cString: ZSTD_getErrorName(n))
            throw SearchError.corrupt("zstd frame does not decode: \(name)", path: path, offset: offset)
        }
        if n != output.count {
            throw SearchError.corrupt("zstd frame decodes to \(n) bytes, expected \(output.count)", path: path, offset: offset)
        }
    }

    /// Decompresses one frame that must expand to exactly `expectedSize` bytes into `output`
    /// (replacing its contents).
    func decompress(_ frame: UnsafeRawBufferPointer, expectedSize: Int, into output: inout [UInt8],
                    path: String, offset: Int) throws {
        try ZstdDecompressor.checkContentSize(frame, expectedSize, path: path, offset: offset)
        if output.count != expectedSize {
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: repeatElement(0, count: expectedSize))
        }
        if expectedSize == 0 && frame.count == 0 { return }
        let n = output.withUnsafeMutableBytes { out -> Int in
            ZSTD_decompressDCtx(dctx, out.baseAddress, expectedSize, frame.baseAddress, frame.count)
        }
        if ZSTD_isError(n) != 0 {
            let name = String(cString: ZSTD_getErrorName(n))
            throw SearchError.corrupt("zstd frame does not decode: \(name)", path: path, offset: offset)
        }
        if n != expectedSize {
            throw SearchError.corrupt("zstd frame decodes to \(n) bytes, expected \(expectedSize)", path: path, offset: offset)
        }
    }
}
