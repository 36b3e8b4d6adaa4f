/// A growable little-endian byte buffer: the one way files are assembled before they are written.
///
/// ```
/// | written bytes ...................... | spare capacity |
/// 0                                    count          capacity
/// ```
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func reserve(_ n: Int) { bytes.reserveCapacity(bytes.count + n) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    /// LEB128: 7 bits a byte, low bits first, high bit set on all but the last byte.
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func varint(_ v: Int) {
        precondition(v >= 0, "varint of a negative value")
        varint(UInt64(v))
    }

    mutating func varint(_ v: UInt32) { varint(UInt64(v)) }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func append(_ other: UnsafeRawBufferPointer) { bytes.append(contentsOf: other) }

    mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }

    /// A varint length followed by the bytes.
    mutating func lengthPrefixed(_ b: [UInt8]) {
        varint(b.count)
        bytes.append(contentsOf: b)
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            varint(buf.count)
            bytes.append(contentsOf: buf)
        }
    }

    /// Pads with zero bytes up to a multiple of `alignment`.
    mutating func align(_ alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func patchU32(at offset: Int, _ v: UInt32) {
        let le = v.littleEndian
        withUnsafeBytes(of: le) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }

    mutating func removeAll(keepingCapacity: Bool = true) { bytes.removeAll(keepingCapacity: keepingCapacity) }
}

extension ByteWriter {
    /// Overwrites bytes starting at `offset` (which must already be written).
    mutating func replace(at offset: Int, with newBytes: [UInt8]) {
        precondition(offset >= 0 && offset + newBytes.count <= bytes.count, "replace out of range")
        bytes.replaceSubrange(offset ..< offset + newBytes.count, with: newBytes)
    }
}
