import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The envelope shared by every file of an index (segments, deletions, the manifest): a header,
/// sections, and a footer with a checksummed section table.
///
/// ```
/// File         --> Header, <Section, Padding>^SectionCount, Footer       (little-endian)
/// Header       --> Magic:u32 = 0x534B4A43 ("CJKS"), FormatVersion:u32, FileKind:u32,
///                  Reserved:u32 = 0, Identity:u64                      (24 bytes)
/// Padding      --> zero bytes up to a multiple of 8
/// Footer       --> SectionCount:u32, <SectionKind:u32, Checksum:u32, Offset:u64, Length:u64>^SectionCount,
///                  TableChecksum:u32, TableLength:u32, EndMagic:u32 = 0x444E454B ("KEND")
/// ```
/// `Checksum` is the CRC-32C of a section's bytes; `TableChecksum` covers the header and the
/// section table (SectionCount through the last entry). `TableLength` is the byte length of the
/// section table, so a reader finds it from the end of the file. `Identity` ties a file to its
/// place: a segment's random 64-bit id (also recorded in the manifest), or a manifest's
/// generation, so a file copied from another segment or index is detected.
///
/// A reader tells apart: not an index file (bad magic), a format too old or too new (version),
/// and damage (bad checksum, offsets outside the file, truncation).
enum FileFormat {
    static let magic: UInt32 = 0x534B_4A43
    static let endMagic: UInt32 = 0x444E_454B
    static let version: UInt32 = 6
    static let oldestReadableVersion: UInt32 = 6
    static let headerSize = 24

    enum Kind: UInt32 {
        case segment = 1
        case deletions = 2
        case manifest = 3
    }

    struct Section {
        var kind: UInt32
        var checksum: UInt32
        var offset: Int
        var length: Int
    }

    /// Assembles a complete file in memory.
    static func build(kind: Kind, identity: UInt64, sections: [(UInt32, [UInt8])]) -> [UInt8] {
        let w = SectionWriter(kind: kind, identity: identity)
        for (k, bytes) in sections {
            w.beginSection(k)
            bytes.withUnsafeBytes { try! w.append($0) }   // in memory: cannot fail
            w.endSection()
        }
        return try! w.finish()
    }

    static let verifyChunk = 16 << 20

    /// A validated view of a file: header checked, section table checked, sections in bounds.
    struct Parsed {
        let identity: UInt64
        let sections: [Section]
        let reader: ByteReader

        func section(_ kind: UInt32) throws -> ByteReader {
            guard let s = sections.first(where: { $0.kind == kind }) else {
                throw reader.error("missing section \(kind)", at: 0)
            }
            return try reader.slice(s.offset, s.length)
        }

        /// Verifies the checksum of every section whose kind passes `filter`.
        ///
        /// The bytes are read in chunks of ``FileFormat/verifyChunk``, and each chunk's pages are let go once
        /// checksummed (they stay in the page cache), so that verifying a file of any size does not
        /// grow the process's resident memory by its size, and an index just opened holds none
        /// of its sections resident (searches fault in what they read).
        func verify(_ filter: (UInt32) -> Bool = { _ in true }) throws {
            for s in sections where filter(s.kind) {
                let r = try reader.slice(s.offset, s.length)
                var crc: UInt32 = 0
                var done = 0
                while done < r.buffer.count {
                    let n = min(FileFormat.verifyChunk, r.buffer.count - done)
                    let chunk = UnsafeRawBufferPointer(rebasing: r.buffer[done ..< done + n])
                    crc = CRC32C.update(crc, chunk)
                    r.releaseResidentPages(chunk)
                    done += n
                }
                if crc != s.checksum {
                    throw SearchError.corrupt(
                        "checksum mismatch in section \(s.kind) (stored \(String(s.checksum, radix: 16)), computed \(String(crc, radix: 16)))",
                        path: reader.path, offset: s.offset)
                }
            }
        }
    }

    static func parse(_ reader: ByteReader, expecting kind: Kind) throws -> Parsed {
        let path = reader.path
        guard reader.count >= headerSize + 16 else {
            if reader.count >= 4 {
                var r = reader
                if try r.u32() != magic { throw SearchError(.notAnIndex, "not a CJKSearch file (bad magic)", path: path, offset: 0) }
            }
            throw SearchError.corrupt("file is truncated (\(reader.count) bytes)", path: path, offset: 0)
        }
        var h = reader
        guard try h.u32() == magic else { throw SearchError(.notAnIndex, "not a CJKSearch file (bad magic)", path: path, offset: 0) }
        let v = try h.u32()
        if v < oldestReadableVersion {
            throw SearchError(.formatTooOld, "format version \(v) is too old (this build reads \(oldestReadableVersion)...\(version))", path: path, offset: 4)
        }
        if v > version {
            throw SearchError(.formatTooNew, "format version \(v) is newer than this build reads (\(version))", path: path, offset: 4)
        }
        let k = try h.u32()
        guard k == kind.rawValue else {
            throw SearchError.corrupt("file kind \(k), expected \(kind.rawValue) (\(kind))", path: path, offset: 8)
        }
        _ = try h.u32()
        let identity = try h.u64()

        var f = reader
        try f.seek(reader.count - 12)
        let tableChecksum = try f.u32()
        let tableLength = Int(try f.u32())
        guard try f.u32() == endMagic else {
            throw SearchError.corrupt("footer magic missing: file truncated or damaged", path: path, offset: reader.count - 4)
        }
        let tableStart = reader.count - 12 - tableLength
        guard tableLength >= 4, tableStart >= headerSize else {
            throw SearchError.corrupt("section table length \(tableLength) out of range", path: path, offset: reader.count - 8)
        }
        let table = try reader.slice(tableStart, tableLength)
        var crc = CRC32C.checksum(try reader.slice(0, headerSize).buffer)
        crc = CRC32C.update(crc, table.buffer)
        guard crc == tableChecksum else {
            throw SearchError.corrupt("header or section table checksum mismatch", path: path, offset: tableStart)
        }
        var t = table
        let count = Int(try t.u32())
        guard tableLength == 4 + count * 24 else {
            throw SearchError.corrupt("section table length \(tableLength) does not fit \(count) sections", path: path, offset: tableStart)
        }
        var sections: [Section] = []
        for _ in 0 ..< count {
            let sk = try t.u32()
            let sc = try t.u32()
            let off = try t.u64()
            let len = try t.u64()
            guard off >= UInt64(headerSize), len <= UInt64(tableStart), off <= UInt64(tableStart) - len else {
                throw SearchError.corrupt("section \(sk) at \(off)+\(len) lies outside the file body", path: path, offset: t.fileOffset + t.position - 24)
            }
            sections.append(Section(kind: sk, checksum: sc, offset: Int(off), length: Int(len)))
        }
        return Parsed(identity: identity, sections: sections, reader: reader)
    }
}

/// Writes a file in the ``FileFormat`` envelope section by section, to a new file or to memory,
/// without holding a file-sized buffer: bytes are checksummed as they come and written in chunks
/// of ``chunkSize``.
///
/// Call order: ``beginSection(_:)``, ``append(_:)`` any number of times, ``endSection()``, for
/// each section; then ``finish()`` (which fsyncs a file). If anything throws, or the writer is
/// dropped before ``finish()``, the partial file is removed.
/// Where streamed bytes go (see ``StoredDocumentsWriter/init(streamingTo:)``).
protocol ByteSink: AnyObject {
    func append(_ raw: UnsafeRawBufferPointer) throws
}

final class SectionWriter: ByteSink {
    static let chunkSize = 1 << 20

    let path: String?
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    private var memory: [UInt8] = []
    private var header: [UInt8]
    /// Bytes emitted so far (written plus pending).
    private(set) var offset = 0
    private var table: [FileFormat.Section] = []
    private var current: (kind: UInt32, start: Int, crc: UInt32)?
    private var finished = false

    /// An in-memory file: ``finish()`` returns its bytes.
    init(kind: FileFormat.Kind, identity: UInt64) {
        path = nil
        header = SectionWriter.header(kind, identity)
        pending.reserveCapacity(4096)
        emitHeader()
    }

    /// A new file at `path`, which must not exist.
    init(path: String, kind: FileFormat.Kind, identity: UInt64) throws {
        self.path = path
        header = SectionWriter.header(kind, identity)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIO.errnoError("create", path: path, errno: errno) }
        pending.reserveCapacity(SectionWriter.chunkSize)
        emitHeader()
    }

    deinit {
        if fd >= 0 {
            close(fd)
            if !finished, let path { unlink(path) }
        }
    }

    private static func header(_ kind: FileFormat.Kind, _ identity: UInt64) -> [UInt8] {
        var h = ByteWriter(capacity: FileFormat.headerSize)
        h.u32(FileFormat.magic)
        h.u32(FileFormat.version)
        h.u32(kind.rawValue)
        h.u32(0)
        h.u64(identity)
        return h.bytes
    }

    private func emitHeader() {
        pending.append(contentsOf: header)
        offset = header.count
    }

    /// The offset of the next byte within the current section.
    var sectionOffset: Int { offset - (current?.start ?? offset) }

    func beginSection(_ kind: UInt32) {
        precondition(current == nil, "section writer: previous section not ended")
        let pad = (8 - offset % 8) % 8
        pending.append(contentsOf: repeatElement(0, count: pad))
        offset += pad
        current = (kind, offset, 0)
    }

    func append(_ raw: UnsafeRawBufferPointer) throws {
        precondition(current != nil, "section writer: no section begun")
        current!.crc = CRC32C.update(current!.crc, raw)
        offset += raw.count
        if fd >= 0 && pending.count + raw.count > SectionWriter.chunkSize {
            try writePending()
            if raw.count >= SectionWriter.chunkSize {
                try FileIO.writeAll(fd, raw, path: path!)
                return
            }
        }
        pending.append(contentsOf: raw)
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func endSection() {
        guard let c = current else { preconditionFailure("section writer: no section begun") }
        table.append(FileFormat.Section(kind: c.kind, checksum: c.crc, offset: c.start, length: offset - c.start))
        current = nil
    }

    private func writePending() throws {
        if fd >= 0 {
            try pending.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path!) }
        } else {
            memory.append(contentsOf: pending)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes the footer; a file is fsynced and closed. Returns the bytes of an in-memory file
    /// (empty for a file).
    @discardableResult
    func finish() throws -> [UInt8] {
        try finishBytes(sync: true)
    }

    /// Writes the footer of a file and starts its write-back without waiting for it: the returned
    /// ``UnsyncedFile`` keeps the file open until its ``UnsyncedFile/sync()``, which a commit calls
    /// before the manifest that names the file is written. An indexing thread that flushes a
    /// segment thus goes on indexing instead of waiting for the disk (about 0.5 s per 200 MB
    /// segment on this VM).
    func finishUnsynced() throws -> UnsyncedFile {
        precondition(path != nil, "section writer: an in-memory file has nothing to sync")
        _ = try finishBytes(sync: false)
        let file = UnsyncedFile(fd: fd, path: path!)
        fd = -1
        return file
    }

    private func finishBytes(sync: Bool) throws -> [UInt8] {
        precondition(current == nil, "section writer: section not ended")
        var footer = ByteWriter()
        let pad = (8 - offset % 8) % 8
        for _ in 0 ..< pad { footer.u8(0) }
        let tableStart = footer.count
        footer.u32(UInt32(table.count))
        for s in table {
            footer.u32(s.kind)
            footer.u32(s.checksum)
            footer.u64(UInt64(s.offset))
            footer.u64(UInt64(s.length))
        }
        let tableLength = footer.count - tableStart
        var crc = CRC32C.checksum(header)
        crc = footer.bytes.withUnsafeBytes { CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: $0[tableStart ..< tableStart + tableLength])) }
        footer.u32(crc)
        footer.u32(UInt32(tableLength))
        footer.u32(FileFormat.endMagic)
        pending.append(contentsOf: footer.bytes)
        offset += footer.count
        try writePending()
        if fd >= 0 {
            if !sync {
                _ = cjk_start_writeback(fd)   // a hint: errors surface at sync()
                finished = true
                return []
            }
            if fsync(fd) != 0 { throw FileIO.errnoError("fsync", path: path!, errno: errno) }
            close(fd)
            fd = -1
            finished = true
            return []
        }
        finished = true
        return memory
    }
}

/// A file written in full whose fsync is left for later (see ``SectionWriter/finishUnsynced()``).
/// It stays open until synced or released, so that a write-back error is reported to its fsync.
final class UnsyncedFile: @unchecked Sendable {
    let path: String
    private var fd: Int32

    fileprivate init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Makes the file durable (once; later calls do nothing) and closes it.
    func sync() throws {
        guard fd >= 0 else { return }
        let r = fsync(fd)
        let e = errno
        close(fd)
        fd = -1
        if r != 0 { throw FileIO.errnoError("fsync", path: path, errno: e) }
    }
}
