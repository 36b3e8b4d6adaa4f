/// Plain text from HTML, for indexing crawled pages: fast and forgiving rather than a full parser.
///
/// - The contents of `<script>`, `<style>`, `<noscript>` and `<template>`, comments, `<!…>` and
///   `<?…>` declarations are dropped.
/// - Tags are stripped; block-level tags (`p`, `div`, `br`, `li`, `h1`–`h6`, `tr`, `td`, `title`,
///   `table`, `section`…) end the current line.
/// - Character references are decoded: `&#NNN;`, `&#xHH;` and the common named ones (`&amp;`,
///   `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`, `&copy;`, `&mdash;`, typographic quotes…);
///   an unknown one is kept as written.
/// - Runs of whitespace become one space; lines are trimmed and blank lines dropped.
///
/// The title is the text of the first `<title>` element; it is also the first line of the text
/// (as in Common Crawl's WET extraction).
enum HTMLText {
    /// Extracts the title and the text of `html`, which must be valid UTF-8.
    static func extract(_ html: UnsafeBufferPointer<UInt8>) -> (title: String, text: String) {
        guard let p = html.baseAddress, html.count > 0 else { return ("", "") }
        var sink = Sink(capacity: html.count / 2)
        let n = html.count
        var titleStart: Int?
        var title: String?
        var i = 0
        while i < n {
            let c = p[i]
            if c == 0x3C {   // '<'
                i = markup(p, n, i, &sink, &titleStart, &title)
            } else if c == 0x26 {   // '&'
                i = reference(p, n, i, &sink)
            } else if isSpace(c) {
                sink.space()
                i += 1
            } else {
                // A run of ordinary bytes.
                var j = i + 1
                while j < n {
                    let d = p[j]
                    if d == 0x3C || d == 0x26 || isSpace(d) { break }
                    j += 1
                }
                sink.append(p + i, j - i)
                i = j
            }
        }
        if let titleStart, title == nil {   // <title> never closed
            title = sink.text(from: titleStart)
        }
        return (title ?? "", sink.finish())
    }

    // MARK: - Output

    private struct Sink {
        var out: [UInt8] = []
        var pendingSpace = false
        var atLineStart = true

        init(capacity: Int) { out.reserveCapacity(capacity) }

        mutating func space() {
            if !atLineStart { pendingSpace = true }
        }

        mutating func newline() {
            if !atLineStart { out.append(0x0A) }
            atLineStart = true
            pendingSpace = false
        }

        mutating func append(_ p: UnsafePointer<UInt8>, _ count: Int) {
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
            atLineStart = false
        }

        mutating func append(scalar: UInt32) {
            if scalar == 0x20 || scalar == 0x09 || scalar == 0x0A || scalar == 0x0D || scalar == 0x0C || scalar == 0xA0 {
                space()
                return
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            UTF8Decoder.encode(scalar, into: &out)
            atLineStart = false
        }

        /// The text written since `start`, trimmed, lines joined by spaces.
        func text(from start: Int) -> String {
            let slice = out[min(start, out.count)...].map { $0 == 0x0A ? 0x20 : $0 }
            return asciiTrimmed(String(decoding: slice, as: UTF8.self))
        }

        mutating func finish() -> String {
            while let last = out.last, last == 0x0A || last == 0x20 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }

    // MARK: - Markup

    private enum Kind { case block, title, rawText }

    /// An ASCII name of up to 16 bytes, packed little-endian.
    private struct Name: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        init() {}

        init(_ s: String) {
            for (k, b) in s.utf8.enumerated() { add(b, at: k) }
        }

        @inline(__always) mutating func add(_ b: UInt8, at k: Int) {
            if k < 8 { low |= UInt64(b) << (8 * UInt64(k)) } else { high |= UInt64(b) << (8 * UInt64(k - 8)) }
        }
    }

    private static func pack(_ name: String) -> Name { Name(name) }

    private static let kinds: [Name: Kind] = {
        var d: [Name: Kind] = [:]
        let blocks = ["address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
                      "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
                      "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
                      "html", "legend", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section",
                      "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "select",
                      "textarea", "iframe", "button", "label", "dialog", "address"]
        for b in blocks { d[pack(b)] = .block }
        d[pack("title")] = .title
        for r in ["script", "style", "noscript", "template"] { d[pack(r)] = .rawText }
        return d
    }()

    /// Handles the markup at `p[i] == '<'`; returns the index after it.
    private static func markup(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ sink: inout Sink,
                               _ titleStart: inout Int?, _ title: inout String?) -> Int {
        var j = i + 1
        guard j < n else { sink.append(p + i, 1); return n }
        let c = p[j]
        if c == 0x21 {   // "<!"
            if j + 2 < n && p[j + 1] == 0x2D && p[j + 2] == 0x2D {   // "<!--" … "-->"
                var k = j + 3
                while k + 2 < n {
                    if p[k] == 0x2D && p[k + 1] == 0x2D && p[k + 2] == 0x3E { return k + 3 }
                    k += 1
                }
                return n
            }
            return skipPast(p, n, j, 0x3E)
        }
        if c == 0x3F { return skipPast(p, n, j, 0x3E) }   // "<?" … ">"
        var closing = false
        if c == 0x2F {   // "</"
            closing = true
            j += 1
            guard j < n else { return n }
            if !isLetter(p[j]) { return skipPast(p, n, j, 0x3E) }   // "</ …>": a bogus comment
        } else if !isLetter(c) {
            sink.append(p + i, 1)   // a '<' that starts no tag, as in "a < b"
            return i + 1
        }
        // The tag name.
        let nameStart = j
        while j < n && !isSpace(p[j]) && p[j] != 0x2F && p[j] != 0x3E { j += 1 }
        let nameLength = j - nameStart
        var key = Name()
        if nameLength <= 16 {
            for k in 0 ..< nameLength { key.add(Charset.lower(p[nameStart + k]), at: k) }
        }
        let end = tagEnd(p, n, j)
        guard nameLength <= 16, let kind = kinds[key] else { return end }
        switch kind {
        case .block:
            sink.newline()
        case .title:
            sink.newline()
            if closing {
                if let start = titleStart, title == nil { title = sink.text(from: start) }
            } else if titleStart == nil {
                titleStart = sink.out.count
            }
        case .rawText:
            if !closing && !(end >= 2 && p[end - 2] == 0x2F) {   // not self-closing: skip to "</name"
                return skipRawText(p, n, end, name: p + nameStart, nameLength)
            }
        }
        return end
    }

    /// The index after the `>` that ends a tag whose name ends before `from`, skipping quoted
    /// attribute values.
    private static func tagEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ from: Int) -> Int {
        var k = from
        while k < n {
            let c = p[k]
            if c == 0x3E { return k + 1 }
            if c == 0x3D {   // '=': a value follows, maybe quoted
                k += 1
                while k < n && isSpace(p[k]) { k += 1 }
                if k < n && (p[k] == 0x22 || p[k] == 0x27) {
                    let quote = p[k]
                    k += 1
                    while k < n && p[k] != quote { k += 1 }
                }
            }
            k += 1
        }
        return n
    }

    /// The index after the element's closing tag (`</name…>`, any case), or the end.
    private static func skipRawText(_ p: UnsafePointer<UInt8>, _ n: Int, _ from: Int,
                                    name: UnsafePointer<UInt8>, _ length: Int) -> Int {
        var k = from
        while k + 1 + length < n {
            if p[k] == 0x3C && p[k + 1] == 0x2F {
                var same = true
                for m in 0 ..< length where Charset.lower(p[k + 2 + m]) != Charset.lower(name[m]) {
                    same = false
                    break
                }
                if same {
                    let after = k + 2 + length
                    if after >= n || isSpace(p[after]) || p[after] == 0x3E || p[after] == 0x2F {
                        return skipPast(p, n, after, 0x3E)
                    }
                }
            }
            k += 1
        }
        return n
    }

    private static func skipPast(_ p: UnsafePointer<UInt8>, _ n: Int, _ from: Int, _ byte: UInt8) -> Int {
        var k = from
        while k < n && p[k] != byte { k += 1 }
        return min(k + 1, n)
    }

    // MARK: - Character references

    private static let entities: [Name: UInt32] = {
        let table: [(String, UInt32)] = [
            ("amp", 0x26), ("lt", 0x3C), ("gt", 0x3E), ("quot", 0x22), ("apos", 0x27), ("nbsp", 0xA0),
            ("copy", 0xA9), ("reg", 0xAE), ("trade", 0x2122), ("hellip", 0x2026), ("mdash", 0x2014),
            ("ndash", 0x2013), ("lsquo", 0x2018), ("rsquo", 0x2019), ("ldquo", 0x201C), ("rdquo", 0x201D),
            ("sbquo", 0x201A), ("bdquo", 0x201E), ("laquo", 0xAB), ("raquo", 0xBB), ("middot", 0xB7),
            ("bull", 0x2022), ("deg", 0xB0), ("plusmn", 0xB1), ("times", 0xD7), ("divide", 0xF7),
            ("euro", 0x20AC), ("pound", 0xA3), ("yen", 0xA5), ("cent", 0xA2), ("sect", 0xA7), ("para", 0xB6),
            ("iexcl", 0xA1), ("iquest", 0xBF), ("shy", 0xAD), ("ensp", 0x2002), ("emsp", 0x2003),
            ("thinsp", 0x2009), ("zwnj", 0x200C), ("zwj", 0x200D), ("lrm", 0x200E), ("rlm", 0x200F),
            ("larr", 0x2190), ("rarr", 0x2192), ("uarr", 0x2191), ("darr", 0x2193), ("hearts", 0x2665),
            ("prime", 0x2032), ("micro", 0xB5), ("frac12", 0xBD), ("frac14", 0xBC), ("frac34", 0xBE),
            ("sup2", 0xB2), ("sup3", 0xB3), ("acute", 0xB4), ("uml", 0xA8), ("ordf", 0xAA), ("ordm", 0xBA),
        ]
        var d: [Name: UInt32] = [:]
        for (name, scalar) in table { d[pack(name)] = scalar }
        return d
    }()

    /// Handles the `&` at `p[i]`; returns the index after the reference (or after the `&`).
    private static func reference(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ sink: inout Sink) -> Int {
        var j = i + 1
        if j < n && p[j] == 0x23 {   // "&#"
            j += 1
            var hex = false
            if j < n && (p[j] == 0x78 || p[j] == 0x58) { hex = true; j += 1 }
            let digitsStart = j
            var value: UInt32 = 0
            while j < n, j - digitsStart < 8 {
                let d = p[j]
                let digit: UInt32
                if d >= 0x30 && d <= 0x39 { digit = UInt32(d - 0x30) }
                else if hex && d >= 0x61 && d <= 0x66 { digit = UInt32(d - 0x61 + 10) }
                else if hex && d >= 0x41 && d <= 0x46 { digit = UInt32(d - 0x41 + 10) }
                else { break }
                value = value * (hex ? 16 : 10) + digit
                j += 1
            }
            if j == digitsStart { sink.append(p + i, 1); return i + 1 }
            while j < n && isDigit(p[j], hex: hex) { j += 1; value = 0x110000 }   // too many digits
            if j < n && p[j] == 0x3B { j += 1 }
            if value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { value = 0xFFFD }
            sink.append(scalar: value)
            return j
        }
        let nameStart = j
        while j < n && j - nameStart < 8 && (isLetter(p[j]) || isDigit(p[j], hex: false)) { j += 1 }
        let length = j - nameStart
        if length > 0 {
            var key = Name()
            for k in 0 ..< length { key.add(p[nameStart + k], at: k) }
            if let scalar = entities[key] {
                let terminated = j < n && p[j] == 0x3B
                // Without ';' only the few that browsers accept bare.
                if terminated || (scalar == 0x26 || scalar == 0x3C || scalar == 0x3E || scalar == 0x22 || scalar == 0xA0) {
                    sink.append(scalar: scalar)
                    return terminated ? j + 1 : j
                }
            }
        }
        sink.append(p + i, 1)
        return i + 1
    }

    // MARK: - Bytes

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C
    }

    @inline(__always) private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    @inline(__always) private static func isDigit(_ b: UInt8, hex: Bool) -> Bool {
        (b >= 0x30 && b <= 0x39) || (hex && ((b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)))
    }
}
