#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
///
/// Segment files are immutable once written, so the mapping never changes under a reader; and on
/// POSIX systems a mapping stays valid after the file is unlinked, so a merge can delete a segment
/// that an older snapshot still searches.
///
/// `@unchecked Sendable`: the mapped bytes are read-only (PROT_READ) and the object's stored
/// properties are immutable, so sharing it between threads cannot race.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw SearchError(.indexNotFound, "file not found", path: path) }
            throw FileIO.errnoError("open", path: path, errno: e)
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw FileIO.errnoError("fstat", path: path, errno: errno) }
        let size = Int(st.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mappedLength = 0
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw FileIO.errnoError("mmap", path: path, errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: p, count: size)
        mappedLength = size
    }

    var count: Int { bytes.count }

    /// Lets go of the pages this process has read (they stay in the page cache and are read
    /// again on the next access). A writer calls it on segments it only consults now and then,
    /// so that its resident memory does not grow with the index it builds.
    func releaseResidentPages() {
        MappedFile.releaseResidentPages(bytes)
    }

    /// Lets go of the resident pages that hold `range`, a part of some mapping of a file
    /// (page-aligned outwards; harmless for readers, who fault the pages in again). Never call it
    /// on heap memory: MADV_DONTNEED zeroes private anonymous pages. Code that reads through a
    /// ``ByteReader`` calls ``ByteReader/releaseResidentPages(_:)``, which checks.
    static func releaseResidentPages(_ range: UnsafeRawBufferPointer) {
        guard range.count > 0, let start = range.baseAddress else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let lo = UInt(bitPattern: start) & ~(page - 1)
        let hi = (UInt(bitPattern: start) + UInt(range.count) + page - 1) & ~(page - 1)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: lo), Int(hi - lo), Int32(MADV_DONTNEED))
    }

    func reader() -> ByteReader { ByteReader.mapped(bytes, path: path) }

    deinit {
        if mappedLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        }
    }
}
