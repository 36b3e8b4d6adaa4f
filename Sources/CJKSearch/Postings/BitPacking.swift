import CKernels

/// Fixed-width bit packing of small unsigned integers, low bits first (a little-endian bit stream).
///
/// A block of `count` values of `bits` bits takes `(count * bits + 7) / 8` bytes.
enum BitPacking {
    @inline(__always)
    static func bitsNeeded(_ v: UInt32) -> Int { v == 0 ? 0 : 32 - v.leadingZeroBitCount }

    static func byteCount(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    static func pack(_ values: UnsafeBufferPointer<UInt32>, bits: Int, into out: inout [UInt8]) {
        guard bits > 0, !values.isEmpty else { return }
        precondition(bits <= 32, "bit width \(bits) above 32")
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: byteCount(count: values.count, bits: bits)))
        out.withUnsafeMutableBufferPointer { buffer in
            // Four bytes stored whenever 32 bits are filled (never past the packed length), the
            // rest a byte at a time.
            let p = UnsafeMutableRawPointer(buffer.baseAddress! + start)
            var acc: UInt64 = 0
            var filled = 0, at = 0
            for v in values {
                acc |= UInt64(v) &<< UInt64(filled)
                filled &+= bits
                if filled >= 32 {
                    p.storeBytes(of: UInt32(truncatingIfNeeded: acc).littleEndian, toByteOffset: at, as: UInt32.self)
                    at &+= 4
                    acc &>>= 32
                    filled &-= 32
                }
            }
            while filled > 0 {
                p.storeBytes(of: UInt8(truncatingIfNeeded: acc), toByteOffset: at, as: UInt8.self)
                at &+= 1
                acc &>>= 8
                filled &-= 8
            }
        }
    }

    /// Unpacks `count` values of `bits` bits (0...32) from `src`, which must hold
    /// `byteCount(count:bits:)` bytes (the caller checks the bound), adding `addend` to each
    /// (wrapping). `readable` bytes from `src` may be read (by default the packed ones; when the
    /// caller knows more are there, the last groups are read in place instead of from a copy). The loop is C (``cjk_unpack_u32``), one copy per width
    /// with constant shifts, unrolled: about twice as fast as one Swift loop with the width a
    /// variable (its share of a two-character query fell from 19% to 12%, the query 420 → 352 µs).
    @inline(__always)
    static func unpack(_ src: UnsafeRawPointer, count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt32>,
                       adding addend: UInt32 = 0, readable: Int? = nil) {
        precondition(bits >= 0 && bits <= 32, "bit width \(bits) above 32")
        cjk_unpack_u32(src.assumingMemoryBound(to: UInt8.self), count, Int32(bits), dst, addend,
                       readable ?? byteCount(count: count, bits: bits))
    }

    /// Unpacks `count` document gaps of `bits` bits (0...32) from `src` (the bound checked, and
    /// `readable` meant, as for ``unpack(_:count:bits:into:adding:readable:)``) into documents: each the previous + gap + 1, from
    /// `previous`, summed in 64 bits (the output keeps the low 32). Returns the last document
    /// (`previous` when `count` is 0); the documents increase, so the caller checks only it.
    @inline(__always)
    static func unpackDocuments(_ src: UnsafeRawPointer, count: Int, bits: Int, into dst: UnsafeMutablePointer<UInt32>,
                                after previous: Int64, readable: Int? = nil) -> Int64 {
        precondition(bits >= 0 && bits <= 32, "bit width \(bits) above 32")
        return cjk_unpack_docs(src.assumingMemoryBound(to: UInt8.self), count, Int32(bits), dst, previous,
                               readable ?? byteCount(count: count, bits: bits))
    }
}
