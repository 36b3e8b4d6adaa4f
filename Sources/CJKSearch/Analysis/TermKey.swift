/// The indexed fields of a document.
enum Field: UInt8, CaseIterable {
    case title = 0
    case body = 1
}

/// Builds the byte keys of the term dictionary: a tag byte (field and kind) then UTF-8.
///
/// | tag | meaning |
/// |---|---|
/// | 0 | title, positional term (bigram, run-end character or word) |
/// | 1 | title, CJK character presence (no positions) |
/// | 2 | body, positional term |
/// | 3 | body, CJK character presence |
///
/// Positional bigram keys and run-end keys share their first character's bytes, so "every term
/// that starts with 京" is the key range with prefix `tag + UTF-8(京)`.
enum TermKey {
    @inline(__always)
    static func tag(_ field: Field, presence: Bool) -> UInt8 { field.rawValue &* 2 &+ (presence ? 1 : 0) }

    static func positional(_ field: Field, _ chars: UInt32...) -> [UInt8] {
        var k: [UInt8] = [tag(field, presence: false)]
        for c in chars { UTF8Decoder.encode(c, into: &k) }
        return k
    }

    static func presence(_ field: Field, _ char: UInt32) -> [UInt8] {
        var k: [UInt8] = [tag(field, presence: true)]
        UTF8Decoder.encode(char, into: &k)
        return k
    }

    static func word(_ field: Field, _ scalars: ArraySlice<UInt32>) -> [UInt8] {
        var k: [UInt8] = [tag(field, presence: false)]
        k.reserveCapacity(scalars.count + 1)
        for c in scalars { UTF8Decoder.encode(c, into: &k) }
        return k
    }

    /// A readable rendering of a key, for stats and debugging.
    static func describe(_ key: UnsafeRawBufferPointer) -> String {
        guard let t = key.first else { return "" }
        let field = t / 2 == 0 ? "title" : "body"
        let kind = t % 2 == 1 ? "char" : "term"
        let text = String(decoding: key.dropFirst(), as: UTF8.self)
        return "\(field):\(kind):\(text)"
    }
}
