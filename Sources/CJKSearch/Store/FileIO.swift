import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls the engine uses. Every error names the file.
enum FileIO {
    static func errnoError(_ op: String, path: String, errno e: Int32) -> SearchError {
        let text = String(cString: strerror(e))
        return SearchError(.io, "\(op) failed: \(text) (errno \(e))", path: path)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The canonical absolute path (symbolic links resolved), or `path` itself if it cannot be resolved.
    static func realPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        // Create parents first.
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if !parent.isEmpty && !isDirectory(parent) { try makeDirectory(parent) }
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw errnoError("mkdir", path: path, errno: errno)
        }
    }

    /// Writes `bytes` to a new file at `path` (which must not exist yet) and fsyncs it.
    static func writeNewFile(_ path: String, _ chunks: [[UInt8]]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw errnoError("create", path: path, errno: errno) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(path) }
        }
        for chunk in chunks {
            try chunk.withUnsafeBytes { raw in try writeAll(fd, raw, path: path) }
        }
        if fsync(fd) != 0 { throw errnoError("fsync", path: path, errno: errno) }
        ok = true
    }

    /// Fault injection for tests (a full disk or a failing device, at any write): armed, every
    /// write past `budget` more bytes fails with `errno`. All file writes of the engine go through
    /// ``writeAll(_:_:path:)``.
    struct WriteFault {
        var budget: Int
        var errno: Int32
    }
    nonisolated(unsafe) private static var fault: WriteFault?
    nonisolated(unsafe) private static var faultArmed = false
    private static let faultLock = NSLock()

    /// Arms (or, with nil, disarms) ``WriteFault`` for every thread.
    static func injectWriteFault(_ f: WriteFault?) {
        faultLock.lock()
        fault = f
        faultArmed = f != nil
        faultLock.unlock()
    }

    /// The armed fault's budget left (bytes that can still be written), nil when none is armed.
    static func remainingWriteBudget() -> Int? {
        faultLock.lock()
        defer { faultLock.unlock() }
        return fault?.budget
    }

    private static func chargeFault(_ count: Int) -> Int32? {
        faultLock.lock()
        defer { faultLock.unlock() }
        guard var f = fault else { return nil }
        if count > f.budget { return f.errno }
        f.budget -= count
        fault = f
        return nil
    }

    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, path: String) throws {
        if faultArmed, let e = chargeFault(raw.count) { throw errnoError("write", path: path, errno: e) }
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw errnoError("write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Replaces `path` atomically: writes a temporary file in the same directory, fsyncs it, renames
    /// it over `path` and fsyncs the directory. A crash at any moment leaves either the old or the
    /// new file, never a mix.
    static func atomicReplace(_ path: String, _ bytes: [UInt8], directory: String) throws {
        let tmp = path + ".tmp"
        unlink(tmp)
        try writeNewFile(tmp, [bytes])
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw errnoError("rename", path: path, errno: e)
        }
        try syncDirectory(directory)
    }

    static func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw errnoError("open directory", path: dir, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw errnoError("fsync directory", path: dir, errno: errno) }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw SearchError(.indexNotFound, "file not found", path: path) }
            throw errnoError("open", path: path, errno: e)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw errnoError("read", path: path, errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    static func listDirectory(_ dir: String) throws -> [String] {
        guard let d = opendir(dir) else { throw errnoError("opendir", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}

/// An exclusive advisory lock on a file (flock), held until ``release()`` or deinit.
///
/// flock locks belong to the open file description, so a second writer is refused whether it is
/// in another process or in this one.
final class FileLock {
    private var fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIO.errnoError("open lock file", path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(fd)
            fd = -1
            if e == EWOULDBLOCK {
                throw SearchError(.locked, "another writer has this index open (lock held)", path: path)
            }
            throw FileIO.errnoError("flock", path: path, errno: e)
        }
    }

    func release() {
        if fd >= 0 {
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
