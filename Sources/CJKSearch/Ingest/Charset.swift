#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Character sets of web pages: finding the declared one and converting to UTF-8 with iconv.
enum Charset {
    /// The iconv name for a charset label as found in HTTP headers and `<meta>` tags, or nil for
    /// UTF-8 (no conversion). Labels follow the WHATWG Encoding Standard's choices of supersets:
    /// GB2312 and GBK read as GB18030, Big5 as Big5-HKSCS, Shift_JIS as Windows-31J (CP932), EUC-KR
    /// as CP949, ISO-8859-1 and US-ASCII as windows-1252. Other labels go to iconv uppercased.
    static func iconvName(forLabel label: String) -> String? {
        let l = unquotedLabel(label).lowercased()
        switch l {
        case "", "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8":
            return nil
        case "gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312", "gb_2312-80", "chinese",
             "csgb2312", "iso-ir-58", "euc-cn", "x-euc-cn", "gb18030", "csiso58gb231280":
            return "GB18030"
        case "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", "x-big5":
            return "BIG5-HKSCS"
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "ms932", "cp932":
            return "CP932"
        case "euc-jp", "x-euc-jp", "cseucpkdfmtjapanese", "eucjp":
            return "EUC-JP"
        case "iso-2022-jp", "csiso2022jp":
            return "ISO-2022-JP"
        case "euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "korean", "windows-949",
             "cp949", "csksc56011987", "iso-ir-149", "cseuckr", "uhc":
            return "CP949"
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "iso-ir-100",
             "csisolatin1", "us-ascii", "ascii", "ansi_x3.4-1968", "windows-1252", "cp1252", "x-cp1252":
            return "WINDOWS-1252"
        case "utf-16", "utf-16le", "unicode", "ucs-2", "csunicode":
            return "UTF-16LE"
        case "utf-16be", "unicodefffe":
            return "UTF-16BE"
        default:
            // Keep only characters a charset name can have: a label is no place for a path or options.
            guard l.utf8.count <= 40, l.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E || $0 == 0x3A }) else {
                return "?" + l   // iconv knows no such name: reported as unsupported
            }
            return l.uppercased()
        }
    }

    /// The `charset` parameter of a `Content-Type` value such as `text/html; charset="gbk"`.
    static func parameter(fromContentType value: String) -> String? {
        for part in value.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            if asciiTrimmed(kv[0]).lowercased() == "charset" {
                let v = unquotedLabel(kv[1])
                return v.isEmpty ? nil : v
            }
        }
        return nil
    }

    /// The charset a `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">`
    /// tag declares within the first 2 KB of `html`.
    static func sniffMeta(_ html: UnsafeBufferPointer<UInt8>) -> String? {
        guard let p = html.baseAddress else { return nil }
        let n = min(html.count, 2048)
        var i = 0
        while i + 5 < n {
            // "<meta" followed by whitespace or "/"
            if p[i] == 0x3C && lower(p[i + 1]) == 0x6D && lower(p[i + 2]) == 0x65 && lower(p[i + 3]) == 0x74
                && lower(p[i + 4]) == 0x61 && (isSpace(p[i + 5]) || p[i + 5] == 0x2F) {
                var j = i + 5
                let tagEnd = (j ..< n).first(where: { p[$0] == 0x3E }) ?? n
                // look for "charset" then optional spaces, "=", optional spaces and quotes
                while j + 7 <= tagEnd {
                    if lower(p[j]) == 0x63 && lower(p[j + 1]) == 0x68 && lower(p[j + 2]) == 0x61 && lower(p[j + 3]) == 0x72
                        && lower(p[j + 4]) == 0x73 && lower(p[j + 5]) == 0x65 && lower(p[j + 6]) == 0x74 {
                        var k = j + 7
                        while k < tagEnd && isSpace(p[k]) { k += 1 }
                        if k < tagEnd && p[k] == 0x3D {
                            k += 1
                            while k < tagEnd && (isSpace(p[k]) || p[k] == 0x22 || p[k] == 0x27) { k += 1 }
                            let valueStart = k
                            while k < tagEnd && isLabelByte(p[k]) { k += 1 }
                            if k > valueStart {
                                return String(decoding: UnsafeBufferPointer(start: p + valueStart, count: k - valueStart), as: UTF8.self)
                            }
                        }
                    }
                    j += 1
                }
                i = tagEnd
            }
            i += 1
        }
        return nil
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
    @inline(__always) static func isLabelByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x3A
    }
}

/// Converts text in a named charset to UTF-8 with glibc's iconv, strictly: bytes that are not
/// valid in the charset fail the conversion instead of being dropped. Descriptors are opened once
/// per charset and reused; not thread-safe.
final class CharsetConverter {
    enum Failure: Error, Equatable {
        /// iconv does not know the charset.
        case unsupported(String)
        /// The bytes are not valid in the charset; the offset of the first bad one.
        case invalid(charset: String, offset: Int)
    }

    private var descriptors: [String: iconv_t] = [:]

    init() {}

    deinit {
        for cd in descriptors.values { iconv_close(cd) }
    }

    private func descriptor(_ charset: String) throws(Failure) -> iconv_t {
        if let cd = descriptors[charset] { return cd }
        if charset.hasPrefix("?") { throw .unsupported(String(charset.dropFirst())) }
        guard let cd = iconv_open("UTF-8", charset), Int(bitPattern: cd) != -1 else { throw .unsupported(charset) }
        descriptors[charset] = cd
        return cd
    }

    /// Converts `input` from `charset` (an iconv name, see ``Charset/iconvName(forLabel:)``) to UTF-8,
    /// replacing the contents of `output`.
    func convert(_ input: UnsafeBufferPointer<UInt8>, from charset: String, into output: inout [UInt8]) throws(Failure) {
        let cd = try descriptor(charset)
        _ = iconv(cd, nil, nil, nil, nil)   // reset the shift state
        output.removeAll(keepingCapacity: true)
        guard let base = input.baseAddress, input.count > 0 else { return }
        output.reserveCapacity(input.count + input.count / 2 + 64)   // CJK: 2 bytes in, 3 out
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))
        var inLeft = input.count
        let chunk = UnsafeMutablePointer<CChar>.allocate(capacity: 1 << 16)
        defer { chunk.deallocate() }
        var failedAt: Int?
        while true {
            var outPointer: UnsafeMutablePointer<CChar>? = chunk
            var outLeft = 1 << 16
            let rc = iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
            let produced = (1 << 16) - outLeft
            chunk.withMemoryRebound(to: UInt8.self, capacity: produced) {
                output.append(contentsOf: UnsafeBufferPointer(start: $0, count: produced))
            }
            if rc != -1 {
                // Flush any shift state (stateful encodings such as ISO-2022-JP).
                var flushOut: UnsafeMutablePointer<CChar>? = chunk
                var flushLeft = 1 << 16
                if iconv(cd, nil, nil, &flushOut, &flushLeft) != -1 {
                    let n = (1 << 16) - flushLeft
                    chunk.withMemoryRebound(to: UInt8.self, capacity: n) {
                        output.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
                    }
                }
                break
            }
            let e = errno
            if e == E2BIG { continue }   // the chunk is full: go on
            failedAt = input.count - inLeft   // EILSEQ (invalid) or EINVAL (incomplete at the end)
            break
        }
        if let failedAt { throw .invalid(charset: charset, offset: failedAt) }
    }
}

/// `s` without leading and trailing spaces, tabs, CR and LF.
func asciiTrimmed<S: StringProtocol>(_ s: S) -> String {
    let u = Array(s.utf8)
    var a = 0, b = u.count
    while a < b && (u[a] == 0x20 || u[a] == 0x09 || u[a] == 0x0D || u[a] == 0x0A) { a += 1 }
    while b > a && (u[b - 1] == 0x20 || u[b - 1] == 0x09 || u[b - 1] == 0x0D || u[b - 1] == 0x0A) { b -= 1 }
    return String(decoding: u[a ..< b], as: UTF8.self)
}

/// `s` without surrounding spaces and single or double quotes.
func unquotedLabel<S: StringProtocol>(_ s: S) -> String {
    var t = Substring(s)
    while let f = t.first, f == " " || f == "\t" || f == "\"" || f == "'" { t = t.dropFirst() }
    while let l = t.last, l == " " || l == "\t" || l == "\"" || l == "'" { t = t.dropLast() }
    return String(t)
}
