@testable import CJKSearch

/// Recomputes the checksums of a file in CJKSearch's envelope (docs/FORMAT.md), so that a fuzzer's
/// mutations reach the decoders behind the checksums instead of stopping at the first one.
/// Bytes whose footer does not parse are returned unchanged (they test the envelope itself).
enum Reseal {
    static func reseal(_ input: [UInt8]) -> [UInt8] {
        var b = input
        let n = b.count
        guard n >= FileFormat.headerSize + 16 else { return b }
        let tableLength = Int(u32(b, n - 8))
        let tableStart = n - 12 - tableLength
        guard tableLength >= 4, tableLength < n, tableStart >= FileFormat.headerSize else { return b }
        let count = Int(u32(b, tableStart))
        guard tableLength == 4 + count * 24 else { return b }
        for i in 0 ..< count {
            let entry = tableStart + 4 + i * 24
            let offset = u64(b, entry + 8), length = u64(b, entry + 16)
            guard offset <= UInt64(tableStart), length <= UInt64(tableStart) - offset else { continue }
            let crc = b.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[Int(offset) ..< Int(offset + length)])) }
            put32(&b, entry + 4, crc)
        }
        var crc = b.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0 ..< FileFormat.headerSize])) }
        crc = b.withUnsafeBytes { CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: $0[tableStart ..< tableStart + tableLength])) }
        put32(&b, n - 12, crc)
        return b
    }

    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) }
    }

    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 {
        (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0 ..< 4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }
}
