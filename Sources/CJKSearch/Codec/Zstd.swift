import CZstd

/// The only file that talks to libzstd: reusable compression and decompression contexts.
///
/// Frames are written with the content size and a content checksum (XXH64, 4 bytes), so damage to
/// a compressed block is detected when it is decoded.
///
/// A context is not thread-safe; each writer or search owns its own.
final class ZstdCompressor {
    private let cctx: OpaquePointer
    private var cdict: OpaquePointer?
    let level: Int32

    init(level: Int32 = 3) {
        guard let c = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        cctx = c
        self.level = level
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        if let cdict { ZSTD_freeCDict(cdict) }
    }

    /// Compresses every later frame with `dictionary` (from ``ZstdDictionary/train(samples:sizes:capacity:)``);
    /// a reader needs the same dictionary to decode them. Call at most once.
    func use(dictionary: [UInt8]) {
        precondition(cdict == nil, "a compressor takes one dictionary")
        let d = dictionary.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, level) }
        guard let d else { fatalError("ZSTD_createCDict: out of memory or a dictionary not made by ZDICT") }
        cdict = d
        // Attach the dictionary's tables instead of copying them into the context for every frame
        // (libzstd copies for inputs over 16 KiB at this level, which cost 30 µs a block).
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_experimentalParam4 /* ZSTD_c_forceAttachDict */, 1 /* ZSTD_dictForceAttach */)
        ZSTD_CCtx_refCDict(cctx, d)
    }

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

/// Trains zstd dictionaries (libzstd's ZDICT): short blocks of similar text compress much better
/// with one, since each block no longer starts from an empty window.
enum ZstdDictionary {
    /// A dictionary of at most `capacity` bytes learned from the concatenated `samples`, whose
    /// lengths are `sizes`; nil when the samples are too few or too alike to train on.
    /// Deterministic: the same samples always give the same bytes.
    static func train(samples: UnsafeRawBufferPointer, sizes: [Int], capacity: Int) -> [UInt8]? {
        precondition(sizes.reduce(0, +) == samples.count, "sample sizes must add up to the samples")
        guard sizes.count >= 8, let base = samples.baseAddress else { return nil }
        var dict = [UInt8](repeating: 0, count: capacity)
        // FastCover with fixed parameters rather than ZDICT_trainFromBuffer's search over them:
        // on 2 MB of the generated crawl 0.03 s instead of 0.14 s, and the dictionary compresses
        // as well (k = segment size, d = dmer length, f = log2 of the frequency table).
        var params = ZDICT_fastCover_params_t()
        params.k = 200
        params.d = 8
        params.f = 20
        params.accel = 1
        params.zParams.compressionLevel = 3
        let n = dict.withUnsafeMutableBytes { d in
            sizes.withUnsafeBufferPointer { z in
                ZDICT_trainFromBuffer_fastCover(d.baseAddress, capacity, base, z.baseAddress, UInt32(sizes.count), params)
            }
        }
        if ZDICT_isError(n) != 0 { return nil }
        dict.removeLast(capacity - n)
        return dict
    }
}

/// A decoding dictionary built once per segment from its stored bytes and shared by every search
/// on it: libzstd only reads a `ZSTD_DDict` after creating it, so threads may share one.
final class ZstdDecompressionDictionary: @unchecked Sendable {
    fileprivate let ddict: OpaquePointer

    /// Throws `.corrupt` when libzstd cannot load `bytes` as a dictionary.
    init(_ bytes: UnsafeRawBufferPointer, path: String, offset: Int) throws {
        guard let d = ZSTD_createDDict(bytes.baseAddress, bytes.count) else {
            throw SearchError.corrupt("zstd dictionary of \(bytes.count) bytes does not load", path: path, offset: offset)
        }
        ddict = d
    }

    deinit { ZSTD_freeDDict(ddict) }
}

/// Decompresses frames written by ``ZstdCompressor``; every failure is a corrupt-data error.
final class ZstdDecompressor {
    /// Created at the first frame: most searches decompress nothing (positions frames are rarely
    /// compressed, and ids are not), and a context costs an allocation and its setup.
    private var context: OpaquePointer?

    init() {}

    private var dctx: OpaquePointer {
        if let context { return context }
        guard let d = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        context = d
        return d
    }

    deinit { if let context { ZSTD_freeDCtx(context) } }

    /// Throws unless `frame` declares exactly `expectedSize` bytes of content: checked before a
    /// buffer of that size is allocated, so a damaged length cannot request gigabytes.
    static func checkContentSize(_ frame: UnsafeRawBufferPointer, _ expectedSize: Int, path: String, offset: Int) throws {
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard declared == UInt64(expectedSize) else {
            throw SearchError.corrupt("zstd frame declares \(declared) bytes, expected \(expectedSize)", path: path, offset: offset)
        }
    }

    private func decode(_ frame: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
                        _ dictionary: ZstdDecompressionDictionary?) -> Int {
        if let dictionary {
            return ZSTD_decompress_usingDDict(dctx, output.baseAddress, output.count, frame.baseAddress, frame.count, dictionary.ddict)
        }
        return ZSTD_decompressDCtx(dctx, output.baseAddress, output.count, frame.baseAddress, frame.count)
    }

    /// Decompresses one frame that must expand to exactly `output.count` bytes; a frame made with
    /// a dictionary needs the same `dictionary`.
    func decompress(_ frame: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                    dictionary: ZstdDecompressionDictionary? = nil, path: String, offset: Int) throws {
        if output.count == 0 && frame.count == 0 { return }
        let n = decode(frame, output, dictionary)
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
                    dictionary: ZstdDecompressionDictionary? = nil, path: String, offset: Int) throws {
        try ZstdDecompressor.checkContentSize(frame, expectedSize, path: path, offset: offset)
        if output.count != expectedSize {
            output.removeAll(keepingCapacity: true)
            output.append(contentsOf: repeatElement(0, count: expectedSize))
        }
        if expectedSize == 0 && frame.count == 0 { return }
        let n = output.withUnsafeMutableBytes { out -> Int in decode(frame, out, dictionary) }
        if ZSTD_isError(n) != 0 {
            let name = String(cString: ZSTD_getErrorName(n))
            throw SearchError.corrupt("zstd frame does not decode: \(name)", path: path, offset: offset)
        }
        if n != expectedSize {
            throw SearchError.corrupt("zstd frame decodes to \(n) bytes, expected \(expectedSize)", path: path, offset: offset)
        }
    }
}
