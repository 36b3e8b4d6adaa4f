import XCTest
@testable import CJKSearch

/// ByteReader bounds checks and error offsets, ByteWriter round trips (varints, fixed widths,
/// strings), and CRC32C.
final class ByteReaderTests: XCTestCase {

    // MARK: Helpers

    /// Runs `body` with a reader over `bytes` whose first byte is at file offset `fileOffset`.
    private func withReader<R>(_ bytes: [UInt8], fileOffset: Int = 0,
                               _ body: (inout ByteReader) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { b in
            var r = ByteReader(b, fileOffset: fileOffset, path: "test.seg")
            return try body(&r)
        }
    }

    /// Asserts that `body` throws .corrupt naming test.seg at `offset`.
    private func assertCorrupt(at offset: Int, _ note: String, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(note): nothing thrown", line: line)
        } catch let e as SearchError {
            XCTAssertEqual(e.code, .corrupt, "\(note): \(e)", line: line)
            XCTAssertEqual(e.offset, offset, "\(note): \(e)", line: line)
            XCTAssertEqual(e.path, "test.seg", note, line: line)
        } catch {
            XCTFail("\(note): unexpected \(error)", line: line)
        }
    }

    // MARK: Reads past the end

    func testEveryReadPastTheEndThrowsCorruptWithOffset() {
        // Row: bytes available, bytes consumed first, the failing read; the error offset is
        // fileOffset (1000) + the position where the read started.
        typealias Read = (inout ByteReader) throws -> Void
        let table: [(bytes: Int, skip: Int, read: Read, note: String)] = [
            (0, 0, { _ = try $0.u8() }, "u8 on empty"),
            (3, 3, { _ = try $0.u8() }, "u8 at the end"),
            (1, 0, { _ = try $0.u16() }, "u16 with 1 byte"),
            (5, 4, { _ = try $0.u16() }, "u16 with 1 byte left"),
            (3, 0, { _ = try $0.u32() }, "u32 with 3 bytes"),
            (6, 3, { _ = try $0.u32() }, "u32 with 3 bytes left"),
            (7, 0, { _ = try $0.u64() }, "u64 with 7 bytes"),
            (7, 0, { _ = try $0.f64() }, "f64 with 7 bytes"),
            (0, 0, { _ = try $0.varint() }, "varint on empty"),
            (4, 0, { _ = try $0.bytes(5) }, "bytes(5) with 4"),
            (4, 2, { _ = try $0.array(3) }, "array(3) with 2 left"),
            (4, 0, { try $0.skip(5) }, "skip past the end"),
            (4, 0, { try $0.need(5) }, "need more than available"),
            (4, 0, { try $0.need(-1) }, "need a negative count"),
            (4, 0, { _ = try $0.bytes(-1) }, "bytes with a negative count"),
            (4, 0, { try $0.seek(5) }, "seek past the end"),
            (4, 2, { try $0.seek(-1) }, "seek before the start"),
        ]
        for row in table {
            let bytes = [UInt8](repeating: 0x01, count: row.bytes)
            assertCorrupt(at: 1000 + row.skip, row.note) {
                try withReader(bytes, fileOffset: 1000) { r in
                    try r.skip(row.skip)
                    try row.read(&r)
                }
            }
        }
    }

    func testFailedReadDoesNotMovePosition() throws {
        try withReader([1, 2, 3]) { r in
            _ = try r.u8()
            XCTAssertThrowsError(try r.u32())
            XCTAssertEqual(r.position, 1, "a bounds failure leaves the position alone")
            XCTAssertEqual(try r.u16(), 0x0302)
            XCTAssertTrue(r.isAtEnd)
            XCTAssertEqual(r.remaining, 0)
        }
    }

    func testTruncatedVarintsAndStrings() {
        // Row: bytes → .corrupt at the reported offset (fileOffset 0).
        typealias Read = (inout ByteReader) throws -> Void
        let table: [(bytes: [UInt8], offset: Int, read: Read, note: String)] = [
            ([0x80], 1, { _ = try $0.varint() }, "continuation bit set on the last byte"),
            ([0xFF, 0xFF, 0xFF], 3, { _ = try $0.varint() }, "three continuation bytes, nothing after"),
            ([0x05, 0x61, 0x62], 1, { _ = try $0.string() }, "string length 5 with 2 bytes"),
            ([0x02, 0xC3, 0x28], 0, { _ = try $0.string() }, "string with invalid UTF-8 (offset of the length)"),
            ([0x0A], 0, { _ = try $0.string(maxLength: 4) }, "string longer than maxLength"),
            ([0x81, 0x01], 0, { _ = try $0.varint(max: 128) }, "varint 129 over a limit of 128"),
            ([0x00, 0xAC, 0x02], 1, { _ = try $0.u8(); _ = try $0.varint(max: 299) }, "varint 300 over 299, offset of its start"),
        ]
        for row in table {
            assertCorrupt(at: row.offset, row.note) {
                try withReader(row.bytes) { try row.read(&$0) }
            }
        }
    }

    // MARK: Varints

    func testVarintBoundaryValuesRoundTrip() throws {
        // Row: value → encoded length.
        let table: [(value: UInt64, length: Int, note: String)] = [
            (0, 1, "zero"),
            (1, 1, "one"),
            (127, 1, "largest one-byte"),
            (128, 2, "smallest two-byte"),
            (300, 2, "the classic AC 02"),
            (16383, 2, "largest two-byte"),
            (16384, 3, "smallest three-byte"),
            ((1 << 21) - 1, 3, "largest three-byte"),
            (1 << 21, 4, "smallest four-byte"),
            (UInt64(UInt32.max), 5, "UInt32.max"),
            (UInt64(UInt32.max) + 1, 5, "2^32"),
            (1 << 63 - 1, 9, "largest nine-byte (2^63 − 1)"),
            (1 << 63, 10, "2^63"),
            (UInt64.max, 10, "UInt64.max"),
        ]
        var w = ByteWriter()
        for row in table {
            let before = w.count
            w.varint(row.value)
            XCTAssertEqual(w.count - before, row.length, "encoded length of \(row.note)")
        }
        try withReader(w.bytes) { r in
            for row in table {
                XCTAssertEqual(try r.varint(), row.value, row.note)
            }
            XCTAssertTrue(r.isAtEnd)
        }
        var w300 = ByteWriter()
        w300.varint(300)
        XCTAssertEqual(w300.bytes, [0xAC, 0x02])
    }

    func testVarintOverloadsAgree() throws {
        var w = ByteWriter()
        w.varint(Int(16384))
        w.varint(UInt32.max)
        w.varint(UInt64(7))
        XCTAssertEqual(w.bytes, [0x80, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x07])
        try withReader(w.bytes) { r in
            XCTAssertEqual(try r.varint(max: 16384), 16384, "exactly at the limit is allowed")
            XCTAssertEqual(try r.varint(max: Int(UInt32.max)), Int(UInt32.max))
            XCTAssertEqual(try r.varint(max: 7), 7)
        }
    }

    func testOverlongVarintsThrow() {
        // Row: bytes → .corrupt at the offset of the offending byte.
        let table: [(bytes: [UInt8], offset: Int, note: String)] = [
            ([UInt8](repeating: 0x80, count: 10) + [0x00], 9, "11-byte varint (zero with ten continuation bytes)"),
            ([UInt8](repeating: 0xFF, count: 10) + [0x01], 9, "11-byte varint of all ones"),
            ([UInt8](repeating: 0xFF, count: 9) + [0x02], 9, "10th byte 2: overflows 64 bits"),
            ([UInt8](repeating: 0x80, count: 9) + [0x7F], 9, "10th byte 0x7F: overflows 64 bits"),
        ]
        for row in table {
            assertCorrupt(at: row.offset, row.note) {
                try withReader(row.bytes) { _ = try $0.varint() }
            }
        }
        // The largest valid 10-byte varint.
        XCTAssertEqual(try withReader([UInt8](repeating: 0xFF, count: 9) + [0x01]) { try $0.varint() }, UInt64.max)
        // A non-canonical (padded) encoding within 10 bytes is accepted.
        XCTAssertEqual(try withReader([0x80, 0x80, 0x00]) { try $0.varint() }, 0)
    }

    // MARK: Fixed widths, strings, slices

    func testFixedWidthRoundTripLittleEndian() throws {
        var w = ByteWriter()
        w.u8(0xAB)
        w.u16(0x1234)
        w.u32(0xDEAD_BEEF)
        w.u64(0x0102_0304_0506_0708)
        w.f64(-1.5)
        w.f64(.infinity)
        XCTAssertEqual(Array(w.bytes[0 ..< 7]), [0xAB, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE], "little endian")
        try withReader(w.bytes) { r in
            XCTAssertEqual(try r.u8(), 0xAB)
            XCTAssertEqual(try r.u16(), 0x1234)
            XCTAssertEqual(try r.u32(), 0xDEAD_BEEF, "unaligned u32")
            XCTAssertEqual(try r.u64(), 0x0102_0304_0506_0708, "unaligned u64")
            XCTAssertEqual(try r.f64(), -1.5)
            XCTAssertEqual(try r.f64(), .infinity)
            XCTAssertTrue(r.isAtEnd)
        }
    }

    func testStringsRoundTrip() throws {
        let table: [(String, String)] = [
            ("", "empty"), ("abc", "ASCII"), ("重慶經開區", "CJK"), ("🎉é\u{0301}", "emoji and combining"),
            (String(repeating: "長", count: 100), "length needs a two-byte varint"),
        ]
        var w = ByteWriter()
        for (s, _) in table { w.string(s) }
        w.lengthPrefixed([9, 8, 7])
        try withReader(w.bytes) { r in
            for (s, note) in table { XCTAssertEqual(try r.string(), s, note) }
            XCTAssertEqual(try r.varint(), 3)
            XCTAssertEqual(try r.array(3), [9, 8, 7])
            XCTAssertTrue(r.isAtEnd)
        }
    }

    func testSlices() throws {
        let bytes = Array(UInt8(0) ..< 32)
        try withReader(bytes, fileOffset: 100) { r in
            var s = try r.slice(8, 8)
            XCTAssertEqual(s.fileOffset, 108)
            XCTAssertEqual(s.count, 8)
            XCTAssertEqual(try s.u8(), 8)
            var inner = try s.slice(4, 4)
            XCTAssertEqual(inner.fileOffset, 112)
            XCTAssertEqual(try inner.u32(), 0x0F0E_0D0C)
            // Errors inside a slice name the absolute file offset.
            assertCorrupt(at: 116, "read past the end of a nested slice") { _ = try inner.u8() }
            assertCorrupt(at: 109, "read past the end of a slice") { _ = try s.bytes(8) }
            XCTAssertEqual(try r.slice(32, 0).count, 0, "empty slice at the end")
            XCTAssertEqual(try r.slice(0, 32).count, 32, "the whole buffer")
        }
        // Row: offset, length → out of range (offset reported is the slice base, fileOffset 100).
        let table: [(offset: Int, length: Int, note: String)] = [
            (33, 0, "offset past the end"),
            (0, 33, "length past the end"),
            (16, 17, "offset + length past the end"),
            (-1, 4, "negative offset"),
            (4, -1, "negative length"),
            (1, Int.max, "length that would overflow offset + length"),
        ]
        for row in table {
            assertCorrupt(at: 100, row.note) {
                try withReader(bytes, fileOffset: 100) { r in _ = try r.slice(row.offset, row.length) }
            }
        }
    }

    func testEmptyBufferReader() throws {
        let r = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0), path: "test.seg")
        XCTAssertEqual(r.count, 0)
        XCTAssertTrue(r.isAtEnd)
        var copy = r
        assertCorrupt(at: 0, "u8 on a nil-based empty buffer") { _ = try copy.u8() }
        XCTAssertEqual(try r.slice(0, 0).count, 0)
    }

    func testByteWriterPatchAlignReplace() {
        var w = ByteWriter()
        w.u32(0)
        w.u8(7)
        w.align(8)
        XCTAssertEqual(w.count, 8, "padded to a multiple of 8")
        w.align(8)
        XCTAssertEqual(w.count, 8, "already aligned: no padding")
        w.patchU32(at: 0, 0x0403_0201)
        w.replace(at: 5, with: [0xEE, 0xFF])
        XCTAssertEqual(w.bytes, [1, 2, 3, 4, 7, 0xEE, 0xFF, 0])
        w.removeAll()
        XCTAssertEqual(w.count, 0)
    }

    // MARK: CRC32C

    func testCRC32CKnownValues() {
        // Row: input → CRC-32C (Castagnoli). Vectors from RFC 3720 appendix B.4 and the usual check value.
        let table: [(bytes: [UInt8], crc: UInt32, note: String)] = [
            (Array("123456789".utf8), 0xE306_9283, "the standard check value"),
            ([], 0, "empty input"),
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA, "32 zero bytes (RFC 3720)"),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43, "32 0xFF bytes (RFC 3720)"),
            (Array(UInt8(0) ..< 32), 0x46DD_794E, "32 ascending bytes (RFC 3720)"),
            (Array((UInt8(0) ..< 32).reversed()), 0x113F_DB5C, "32 descending bytes (RFC 3720)"),
        ]
        for row in table {
            XCTAssertEqual(CRC32C.checksum(row.bytes), row.crc, row.note)
            XCTAssertEqual(row.bytes.withUnsafeBytes { CRC32C.updateWithTables(0, $0) }, row.crc, "tables: " + row.note)
        }
    }

    /// The processor's CRC (used when there is one) and the tables agree on every length and
    /// alignment, continued from any value.
    func testCRC32CHardwareMatchesTables() {
        var rng = SeededRandom(seed: 3)
        let data = (0 ..< 5000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.withUnsafeBytes { b in
            for _ in 0 ..< 500 {
                let start = Int(rng.next() % 64), length = Int(rng.next() % 4000)
                let seed = UInt32(truncatingIfNeeded: rng.next())
                let slice = UnsafeRawBufferPointer(rebasing: b[start ..< start + length])
                XCTAssertEqual(CRC32C.update(seed, slice), CRC32C.updateWithTables(seed, slice), "\(start)+\(length)")
            }
        }
        #if arch(x86_64)
        XCTAssertTrue(CRC32C.hardware, "SSE 4.2 is on every x86-64 machine this runs on")
        #endif
    }

    func testCRC32CIncrementalMatchesWhole() {
        let data = (0 ..< 100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(data)
        data.withUnsafeBytes { b in
            // Every split point: exercises the 8-byte loop and the byte tail on both sides.
            for split in 0 ... data.count {
                let first = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: b[0 ..< split]))
                let both = CRC32C.update(first, UnsafeRawBufferPointer(rebasing: b[split...]))
                XCTAssertEqual(both, whole, "split at \(split)")
            }
            // Unaligned starts agree with a copy.
            for start in 1 ..< 9 {
                let slice = UnsafeRawBufferPointer(rebasing: b[start...])
                XCTAssertEqual(CRC32C.checksum(slice), CRC32C.checksum(Array(data[start...])), "start \(start)")
            }
        }
    }
}
