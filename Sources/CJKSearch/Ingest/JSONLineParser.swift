/// A fast path for the common JSONL record: one object whose values are all strings, as crawl
/// dumps write them (`{"id": "…", "title": "…", "text": "…", "url": "…"}`).
///
/// It decodes the strings straight from the line's bytes (escapes included: `\n`, `\"`, `\uXXXX`
/// with surrogate pairs) without building Foundation objects. Anything else (a number, `true`,
/// `null`, a nested value, a repeated key, a lone surrogate, a control character in a string,
/// trailing bytes, any syntax error) returns nil, and the caller parses the line with Foundation,
/// so results and error messages are those of the general parser whatever the line holds.
///
/// Strings are validated as UTF-8 as they are made; invalid UTF-8 anywhere in the line returns
/// nil too (outside strings only ASCII structure passes), so the caller checks the whole line for
/// it only when this path fails.
enum JSONLineParser {
    struct Record {
        var pairs: [(key: String, value: String)] = []
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8]) -> Record? {
        var i = 0
        let n = bytes.count
        @inline(__always) func skipSpace() {
            while i < n {
                let b = bytes[i]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 } else { break }
            }
        }
        skipSpace()
        guard i < n, bytes[i] == 0x7B else { return nil }   // {
        i += 1
        var record = Record()
        skipSpace()
        if i < n && bytes[i] == 0x7D {   // {}
            i += 1
            skipSpace()
            return i == n ? record : nil
        }
        while true {
            skipSpace()
            guard let key = string(bytes, &i, &scratch) else { return nil }
            skipSpace()
            guard i < n, bytes[i] == 0x3A else { return nil }   // :
            i += 1
            skipSpace()
            guard let value = string(bytes, &i, &scratch) else { return nil }
            if record.pairs.contains(where: { $0.key == key }) { return nil }
            record.pairs.append((key, value))
            skipSpace()
            guard i < n else { return nil }
            if bytes[i] == 0x2C { i += 1; continue }   // ,
            if bytes[i] == 0x7D { i += 1; break }       // }
            return nil
        }
        skipSpace()
        return i == n ? record : nil
    }

    /// A JSON string starting at `i` (the opening quote); `i` moves past the closing quote.
    private static func string(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ scratch: inout [UInt8]) -> String? {
        let n = b.count
        guard i < n, b[i] == 0x22 else { return nil }
        i += 1
        let start = i
        skipPlain(b, &i)
        if i < n && b[i] == 0x22 {
            guard let s = String(validating: UnsafeBufferPointer(rebasing: b[start ..< i]), as: UTF8.self) else { return nil }
            i += 1
            return s
        }
        // With escapes: decode into scratch, copying the runs between escapes whole.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start ..< i]))
        while i < n {
            let c = b[i]
            if c == 0x22 {
                i += 1
                return String(validating: scratch, as: UTF8.self)
            }
            if c < 0x20 { return nil }
            if c != 0x5C {
                let run = i
                skipPlain(b, &i)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[run ..< i]))
                continue
            }
            i += 1
            guard i < n else { return nil }
            let e = b[i]
            i += 1
            switch e {
            case 0x22: scratch.append(0x22)
            case 0x5C: scratch.append(0x5C)
            case 0x2F: scratch.append(0x2F)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x75:
                guard var u = hex4(b, &i) else { return nil }
                if u >= 0xD800 && u <= 0xDBFF {
                    guard i + 1 < n, b[i] == 0x5C, b[i + 1] == 0x75 else { return nil }
                    i += 2
                    guard let low = hex4(b, &i), low >= 0xDC00 && low <= 0xDFFF else { return nil }
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                } else if u >= 0xDC00 && u <= 0xDFFF {
                    return nil
                }
                UTF8Decoder.encode(u, into: &scratch)
            default:
                return nil
            }
        }
        return nil
    }

    /// Advances `i` to the first quote, backslash or control character (or the end): eight bytes
    /// at a time, then byte by byte.
    @inline(__always)
    private static func skipPlain(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        let n = b.count
        if let base = b.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= n {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let q = w ^ (ones &* 0x22), s = w ^ (ones &* 0x5C)
                let special = ((q &- ones) & ~q) | ((s &- ones) & ~s) | ((w &- ones &* 0x20) & ~w)
                if special & highs != 0 { break }
                i += 8
            }
        }
        while i < n {
            let c = b[i]
            if c == 0x22 || c == 0x5C || c < 0x20 { return }
            i += 1
        }
    }

    private static func hex4(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt32? {
        guard i + 4 <= b.count else { return nil }
        var v: UInt32 = 0
        for k in 0 ..< 4 {
            let c = b[i + k]
            let d: UInt32
            switch c {
            case 0x30 ... 0x39: d = UInt32(c - 0x30)
            case 0x41 ... 0x46: d = UInt32(c - 0x41 + 10)
            case 0x61 ... 0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }
}
