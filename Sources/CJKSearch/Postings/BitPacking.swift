/// Fixed-width bit packing of small unsigned integers, low bits first (a little-endian bit stream).
///
/// A block of `count` values of `bits` bits takes `(count * bits + 7) / 8` bytes.
enum BitPacking {
    @inline(__always)
    static func bitsNeeded(_ v: UInt32) -> Int { v == 0 ? 0 : 32 - v.leadingZeroBitCount }

    static func byteCount(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    static func pack(_ values: UnsafeBufferPointer<UInt32>, bits: Int, into out: inout [UInt8]) {
        guard bits > 0 else { return }
        var acc: UInt64 = 0
        var filled = 0
        for v in values {
            acc |= UInt64(v) << UInt64(filled)
            filled += bits
            while filled >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                filled -= 8
            }
        }
        if filled > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }

    /// Unpacks `count` values of `bits` bits from `src`, which must hold `byteCount(count:bits:)`
    /// bytes (the caller checks the bound).
    @inline(__always)
    static func unpack(_ src: UnsafeRawPointer, count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt32>) {
        if bits == 0 {
            dst.update(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bits)) - 1
        let total = byteCount(count: count, bits: bits)
        var acc: UInt64 = 0
        var have = 0
        var byte = 0
        for i in 0 ..< count {
            while have < bits {
                acc |= UInt64(src.load(fromByteOffset: byte, as: UInt8.self)) << UInt64(have)
                byte += 1
                have += 8
                if byte >= total { break }
            }
            dst[i] = UInt32(truncatingIfNeeded: acc & mask)
            acc >>= UInt64(bits)
            have -= bits
        }
    }
}
