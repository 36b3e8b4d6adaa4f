#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered reading of a ``ByteSource``: lines of any length (with their 1-based numbers and the
/// byte offsets where they start), and runs of raw bytes (for WARC record contents).
///
/// Offsets count the bytes of the source, that is the decompressed stream of a compressed file.
/// A line is returned in place (no copy) when it lies within the 1 MiB buffer; a longer one is
/// gathered in a side buffer, up to ``maxLineLength`` bytes: past that the line is skipped without
/// being held and reported as too long.
final class LineReader {
    /// One line, without its `\n` (a `\r` before it is kept).
    struct Line {
        /// The line's bytes; valid until the next call on the reader. Empty when ``isTooLong``.
        var bytes: UnsafeBufferPointer<UInt8>
        /// The 1-based line number (lines read with ``nextLine(maxLength:)`` only).
        var number: Int
        /// The offset of the line's first byte in the source.
        var offset: Int
        /// The line's full length in bytes, without the `\n`.
        var length: Int
        /// The line was longer than the limit; ``bytes`` is empty.
        var isTooLong: Bool
    }

    /// The longest line ``nextLine()`` returns: 256 MiB.
    static let defaultMaxLineLength = 256 << 20

    let source: ByteSource
    let maxLineLength: Int
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    /// The source offset of `buffer[start]`: the number of bytes consumed so far.
    private(set) var offset = 0
    private(set) var lineNumber = 0
    /// Gathers a line longer than what is left in the buffer (manually managed, so that a returned
    /// line can point into it).
    private var spill: UnsafeMutablePointer<UInt8>?
    private var spillCapacity = 0
    private var spillCount = 0

    init(source: ByteSource, maxLineLength: Int = LineReader.defaultMaxLineLength, bufferSize: Int = ingestChunkSize) {
        self.source = source
        self.maxLineLength = maxLineLength
        capacity = max(bufferSize, 64)
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        spill?.deallocate()
    }

    private func releaseSpill() {
        spill?.deallocate()
        spill = nil
        spillCapacity = 0
        spillCount = 0
    }

    private func appendToSpill(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if spillCount + n > spillCapacity {
            var newCapacity = max(spillCapacity * 2, 1 << 16)
            while newCapacity < spillCount + n { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            if let old = spill {
                grown.update(from: old, count: spillCount)
                old.deallocate()
            }
            spill = grown
            spillCapacity = newCapacity
        }
        (spill! + spillCount).update(from: p, count: n)
        spillCount += n
    }

    /// Reads more bytes after the ones held (moving those to the front); false at the end.
    private func fill() throws -> Bool {
        if sourceEnded { return false }
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        if end == capacity { return true }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 {
            sourceEnded = true
            return false
        }
        end += n
        return true
    }

    @inline(__always)
    private func consume(_ n: Int) {
        start += n
        offset += n
    }

    /// Up to `count` (at most the buffer size) bytes ahead, without consuming them; fewer only at
    /// the end of the source. Valid until the next call on the reader.
    func peek(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        let want = min(count, capacity)
        while end - start < want {
            if try !fill() { break }
        }
        return UnsafeBufferPointer(start: buffer + start, count: min(want, end - start))
    }

    /// True at the end of the source.
    func atEnd() throws -> Bool {
        if start < end { return false }
        return try !fill()
    }

    /// Skips `n` bytes if they are next.
    func skip(ifNext bytes: StaticString) throws -> Bool {
        let n = bytes.utf8CodeUnitCount
        let ahead = try peek(n)
        guard ahead.count == n, memcmp(ahead.baseAddress!, bytes.utf8Start, n) == 0 else { return false }
        consume(n)
        return true
    }

    /// The next line, or nil at the end of the source. A last line without `\n` is a line.
    func nextLine(maxLength: Int? = nil) throws -> Line? {
        let limit = maxLength ?? maxLineLength
        if spillCapacity > (16 << 20) { releaseSpill() }   // do not keep a huge buffer after a huge line
        if start == end {
            if try !fill() { return nil }
        }
        lineNumber += 1
        let lineOffset = offset
        // Fast path: the whole line is in the buffer.
        if let nl = memchr(buffer + start, 0x0A, end - start) {
            let p = nl.assumingMemoryBound(to: UInt8.self)
            let length = p - (buffer + start)
            let lineStart = buffer + start
            consume(length + 1)
            if length > limit {
                return Line(bytes: UnsafeBufferPointer(start: lineStart, count: 0), number: lineNumber, offset: lineOffset, length: length, isTooLong: true)
            }
            return Line(bytes: UnsafeBufferPointer(start: lineStart, count: length), number: lineNumber, offset: lineOffset, length: length, isTooLong: false)
        }
        // Slow path: gather the line across refills.
        spillCount = 0
        var total = 0
        var tooLong = false
        while true {
            let available = end - start
            let nl = memchr(buffer + start, 0x0A, available)
            let take = nl.map { $0.assumingMemoryBound(to: UInt8.self) - (buffer + start) } ?? available
            total += take
            if !tooLong {
                if total > limit {
                    tooLong = true
                    releaseSpill()
                } else if take > 0 {
                    appendToSpill(buffer + start, take)
                }
            }
            if nl != nil {
                consume(take + 1)
                break
            }
            consume(take)
            if try !fill() { break }
        }
        if tooLong {
            return Line(bytes: UnsafeBufferPointer(start: buffer, count: 0), number: lineNumber, offset: lineOffset, length: total, isTooLong: true)
        }
        return Line(bytes: UnsafeBufferPointer(start: spill ?? buffer, count: spillCount), number: lineNumber, offset: lineOffset, length: total, isTooLong: false)
    }

    /// Appends the next `count` bytes to `output`; returns how many were appended (fewer only at
    /// the end of the source).
    func read(_ count: Int, appendingTo output: inout [UInt8]) throws -> Int {
        var done = 0
        while done < count {
            if start == end {
                if try !fill() { break }
            }
            let n = min(count - done, end - start)
            output.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: n))
            consume(n)
            done += n
        }
        return done
    }

    /// Skips the next `count` bytes; returns how many were skipped (fewer only at the end).
    func skip(_ count: Int) throws -> Int {
        var done = 0
        while done < count {
            if start == end {
                if try !fill() { break }
            }
            let n = min(count - done, end - start)
            consume(n)
            done += n
        }
        return done
    }
}
