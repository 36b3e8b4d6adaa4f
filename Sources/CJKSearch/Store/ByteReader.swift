import CKernels

/// A bounds-checked cursor over bytes read from disk (usually mapped memory).
///
/// This is the only code that reads raw file bytes. Every read past ``end`` throws
/// ``SearchError/Code-swift.struct/corrupt`` naming the file and the offset, so a truncated or
/// damaged file can never make the engine read out of bounds.
///
/// The reader does not own its memory: the ``MappedFile`` (or array) it points into must outlive it.
struct ByteReader {
    let base: UnsafeRawPointer
    /// Absolute offset of `base` within the file, for error messages.
    let fileOffset: Int
    let count: Int
    var position: Int = 0
    let path: String
    /// Whether the bytes are a read-only file mapping (``MappedFile/reader()``), whose resident
    /// pages may be let go; never true for heap memory, where that would zero live data.
    private(set) var isMapped = false

    init(_ buffer: UnsafeRawBufferPointer, fileOffset: Int = 0, path: String) {
        // An empty buffer may have a nil base address; point at a static byte instead.
        self.base = buffer.baseAddress.map { UnsafeRawPointer($0) } ?? ByteReader.emptyBase
        self.count = buffer.count
        self.fileOffset = fileOffset
        self.path = path
    }

    nonisolated(unsafe) private static let emptyBase: UnsafeRawPointer = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8))

    var remaining: Int { count - position }
    var isAtEnd: Bool { position >= count }

    func error(_ message: String, at offset: Int? = nil) -> SearchError {
        .corrupt(message, path: path, offset: fileOffset + (offset ?? position))
    }

    @inline(__always)
    func need(_ n: Int) throws(SearchError) {
        if n < 0 || n > count - position {
            throw error("truncated data: need \(n) bytes, \(count - position) left")
        }
    }

    mutating func seek(_ offset: Int) throws(SearchError) {
        guard offset >= 0, offset <= count else { throw error("offset \(offset) out of range 0...\(count)") }
        position = offset
    }

    mutating func skip(_ n: Int) throws(SearchError) {
        try need(n)
        position += n
    }

    @inline(__always)
    mutating func u8() throws(SearchError) -> UInt8 {
        try need(1)
        let v = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return v
    }

    mutating func u16() throws(SearchError) -> UInt16 {
        try need(2)
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt16.self)
        position += 2
        return UInt16(littleEndian: v)
    }

    mutating func u32() throws(SearchError) -> UInt32 {
        try need(4)
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: v)
    }

    mutating func u64() throws(SearchError) -> UInt64 {
        try need(8)
        let v = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: v)
    }

    mutating func f64() throws(SearchError) -> Double { Double(bitPattern: try u64()) }

    /// Reads a LEB128 varint of at most 10 bytes.
    @inline(__always)
    mutating func varint() throws(SearchError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < count else { throw error("truncated varint") }
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63 && b > 1 { throw error("varint overflows 64 bits", at: position - 1) }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw error("varint longer than 10 bytes", at: position - 1) }
        }
    }

    /// The little-endian `u32` at `offset`, without moving (and without copying the reader, whose
    /// path string would be retained and released on every call: this is on the per-document path).
    @inline(__always)
    func u32(at offset: Int) throws(SearchError) -> UInt32 {
        guard offset >= 0, offset <= count - 4 else { throw error("truncated data: need 4 bytes at \(offset) of \(count)", at: 0) }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The varint at `p` in the `count` bytes at `base`, moving `p` past it; nil if it runs past
    /// the end or is longer than 5 bytes (more than 32 bits are never valid where this is used).
    @inline(__always)
    static func varint32(_ base: UnsafeRawPointer, _ count: Int, _ p: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while p < count {
            let b = base.load(fromByteOffset: p, as: UInt8.self)
            p += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 28 { return nil }
        }
        return nil
    }

    /// A varint that must fit `limit` (inclusive); returned as Int.
    @inline(__always)
    mutating func varint(max limit: Int) throws(SearchError) -> Int {
        let start = position
        let v = try varint()
        guard v <= UInt64(limit) else { throw error("value \(v) exceeds limit \(limit)", at: start) }
        return Int(v)
    }

    mutating func bytes(_ n: Int) throws(SearchError) -> UnsafeRawBufferPointer {
        try need(n)
        let b = UnsafeRawBufferPointer(start: base + position, count: n)
        position += n
        return b
    }

    mutating func array(_ n: Int) throws(SearchError) -> [UInt8] {
        Array(try bytes(n))
    }

    /// A varint length (at most `maxLength`) followed by that many bytes of UTF-8.
    mutating func string(maxLength: Int = 1 << 30) throws(SearchError) -> String {
        let start = position
        let n = try varint(max: maxLength)
        let b = try bytes(n)
        guard let s = String(validating: b.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw error("invalid UTF-8 in stored string", at: start)
        }
        return s
    }

    /// A sub-reader over `[offset, offset + length)` of this reader's bytes.
    func slice(_ offset: Int, _ length: Int) throws(SearchError) -> ByteReader {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw error("range \(offset)+\(length) outside 0..<\(count)", at: 0)
        }
        var r = ByteReader(UnsafeRawBufferPointer(start: base + offset, count: length),
                           fileOffset: fileOffset + offset, path: path)
        r.isMapped = isMapped
        return r
    }

    /// A reader over a file mapping.
    static func mapped(_ buffer: UnsafeRawBufferPointer, path: String) -> ByteReader {
        var r = ByteReader(buffer, path: path)
        r.isMapped = true
        return r
    }

    /// Lets go of the resident pages under `range` of this reader's bytes (see
    /// ``MappedFile/releaseResidentPages(_:)``) when they are a file mapping; does nothing otherwise.
    func releaseResidentPages(_ range: UnsafeRawBufferPointer) {
        if isMapped { MappedFile.releaseResidentPages(range) }
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
