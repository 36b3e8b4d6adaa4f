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
    /// bytes (the caller checks the bound), adding `addend` to each (wrapping). Each value is cut
    /// from one unaligned 8-byte load while those stay inside the bytes; the last few values are
    /// assembled a byte at a time.
    @inline(__always)
    static func unpack(_ src: UnsafeRawPointer, count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt32>,
                       adding addend: UInt32 = 0) {
        if bits == 0 {
            dst.update(repeating: addend, count: count)
            return
        }
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (UInt64(1) << UInt64(bits)) - 1
        let total = byteCount(count: count, bits: bits)
        var i = 0
        while i < count {
            let bit = i &* bits
            let byte = bit >> 3
            if byte &+ 8 > total { break }
            let word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            dst[i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask) &+ addend
            i &+= 1
        }
        while i < count {
            var bit = i &* bits
            var value: UInt64 = 0
            var got = 0
            while got < bits {
                let b = UInt64(src.load(fromByteOffset: bit >> 3, as: UInt8.self))
                let offset = bit & 7
                let take = min(8 - offset, bits - got)
                value |= ((b >> UInt64(offset)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
                got += take
                bit += take
            }
            dst[i] = UInt32(truncatingIfNeeded: value) &+ addend
            i &+= 1
        }
    }
}
