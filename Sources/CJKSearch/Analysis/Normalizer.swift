import Foundation

/// Normalized text with a map back to the original UTF-8.
///
/// `scalars[i]` came from the original bytes `starts[i] ..< ends[i]`. Several normalized scalars
/// can share one original range (NFKC of ㈱ is "(株)") and original bytes can vanish (ignorable
/// characters, crawl artifacts), so the map goes one way: from normalized text to the original.
struct NormalizedText {
    var scalars: [UInt32] = []
    var starts: [UInt32] = []
    var ends: [UInt32] = []
    /// Original byte ranges removed as crawl artifacts (the pinyin annotations), in order.
    var artifacts: [Range<Int>] = []
    /// Whether `starts`, `ends` and `artifacts` are filled. Indexing does not need the map back to
    /// the original (only snippets do) and turns it off.
    var tracksOffsets = true
    /// The original end offset of the last scalar appended (kept even without the map).
    var lastEnd: UInt32 = 0

    mutating func removeAll() {
        scalars.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        artifacts.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func append(_ s: UInt32, _ start: Int, _ end: Int) {
        scalars.append(s)
        lastEnd = UInt32(truncatingIfNeeded: end)
        if tracksOffsets {
            starts.append(UInt32(truncatingIfNeeded: start))
            ends.append(UInt32(truncatingIfNeeded: end))
        }
    }

    var count: Int { scalars.count }
}

/// Normalization applied to every text before tokenizing, at index time and at query time alike.
///
/// Steps, per character (a base scalar with the combining marks that follow it):
/// 1. **Crawl artifact removal**: a parenthesized pinyin syllable with a tone mark right after a Han
///    character, as in `當(dāng)前`, is dropped, so the text reads `當前`. Only syllables of 1–7
///    pinyin letters with at least one tone-marked vowel qualify, so `重慶(Chongqing)` and `(2016)`
///    stay.
/// 2. **NFKC**: full-width ASCII becomes ASCII, half-width katakana becomes full-width (with ﾞ/ﾟ
///    combined into the kana), circled digits become digits, compatibility ideographs become the
///    unified ones, ㈱ becomes (株).
/// 3. **Lower case** (Unicode full lower-case mapping), then NFKC again.
/// 4. **Default-ignorable code points are dropped** (soft hyphen, zero-width space and joiners,
///    BOM, variation selectors), so they cannot split a word or a CJK run.
/// 5. **Traditional → simplified folding** (``ChineseFolding``), when the index has it on
///    (``AnalysisOptions/foldsTraditionalToSimplified``): 慶 becomes 庆, and the Japanese 広 becomes
///    广 as its old form 廣 does. A folded character keeps its original byte range, so snippets
///    mark the page's own characters.
/// 6. **Kana folding** (``AnalysisOptions/foldsKana``): katakana become hiragana (``foldKana(_:)``).
///
/// Korean needs no folding of its own: NFKC already turns the compatibility jamo that people type
/// alone (ㅋㅋ, U+314B) into the conjoining jamo (U+110F), whichever of the two a page holds, and
/// keeps syllables precomposed; jamo and syllables are CJK characters for the tokenizer.
///
/// ASCII and the common CJK blocks (unified ideographs, kana, Hangul syllables) are already in
/// normal form; they take a fast path with no allocation. Other characters go through Foundation's
/// NFKC, with a per-normalizer cache for single-scalar characters.
///
/// Not thread-safe (the cache); make one per thread.
final class Normalizer {
    private var cache: [UInt32: [UInt32]] = [:]
    /// ``ChineseFolding/table`` when folding is on.
    private let foldTable: UnsafePointer<UInt32>?
    private let foldsKana: Bool
    /// Whether the text being normalized holds katakana (then kana folding makes a second pass).
    private var sawKatakana = false

    init(_ options: AnalysisOptions = AnalysisOptions()) {
        foldTable = options.foldsTraditionalToSimplified ? ChineseFolding.table : nil
        foldsKana = options.foldsKana
    }

    /// `s` folded when folding is on (and katakana noted).
    @inline(__always)
    private func folded(_ s: UInt32) -> UInt32 {
        if s &- 0x30A1 <= 0x30FE - 0x30A1 { sawKatakana = true }
        guard let foldTable else { return s }
        return ChineseFolding.fold(s, foldTable)
    }

    /// Kana folding, over the normalized text: katakana become hiragana (ア → あ, ヴ → ゔ, ヽ → ゝ;
    /// ヷ–ヺ, which have no hiragana, and the prolonged sound mark ー stay), and a dash right after
    /// katakana or ー becomes ー, as the mark is often typed (`サ-バ-`, `サ－バ－` for `サーバー`).
    /// One character for one, so a substring of a page is still a substring once both are folded.
    ///
    /// The prolonged sound mark is not dropped, although Japanese writes some words with and
    /// without a final one (コンピューター, コンピュータ) and Lucene's katakana stemming drops it
    /// from words of four or more characters: on substrings that rule is not stable (`ーザーの`,
    /// cut from `ユーザーの`, would keep a mark that the page loses, and miss the page; on the
    /// relevance evaluation 2 of 100 Japanese phrase queries found nothing), and dropping every
    /// mark would merge ビール and ビル. Without it, `コンピュータ` still finds `コンピューター`
    /// (a substring), and the other way round is a relaxed match (all bigrams but one).
    private func foldKana(_ out: inout NormalizedText) {
        out.scalars.withUnsafeMutableBufferPointer { sc in
            var afterKatakana = false
            for i in sc.indices {
                let s = sc[i]
                if afterKatakana && Normalizer.isDash(s) {
                    // A dash written for the prolonged sound mark (コンピュ-タ, サ－バ－): ー.
                    sc[i] = 0x30FC
                    continue
                }
                afterKatakana = (s >= 0x30A1 && s <= 0x30FA) || s == 0x30FC
                if (s >= 0x30A1 && s <= 0x30F6) || s == 0x30FD || s == 0x30FE { sc[i] = s - 0x60 }
            }
        }
    }

    /// Dashes that stand in for the prolonged sound mark after katakana (after NFKC, which makes
    /// ｰ into ー and － into -): hyphen-minus, the hyphens and dashes U+2010–2015, minus U+2212.
    @inline(__always)
    static func isDash(_ s: UInt32) -> Bool {
        s == 0x2D || (s >= 0x2010 && s <= 0x2015) || s == 0x2212
    }

    func normalize(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout NormalizedText) throws {
        out.removeAll()
        sawKatakana = false
        try normalizeCharacters(bytes, into: &out)
        if foldsKana && sawKatakana { foldKana(&out) }
    }

    private func normalizeCharacters(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout NormalizedText) throws {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        out.scalars.reserveCapacity(n / 2)
        out.starts.reserveCapacity(n / 2)
        out.ends.reserveCapacity(n / 2)
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 {
                // ASCII fast path, unless a combining mark follows.
                if i + 1 < n && p[i + 1] >= 0x80, let (next, _) = UTF8Decoder.decode(p, i + 1, n), Normalizer.extendsCluster(next) {
                    i = try slowCluster(p, i, n, &out)
                    continue
                }
                if b == 0x28, let skip = pinyinArtifactLength(p, i, n, &out) {   // "("
                    if out.tracksOffsets { out.artifacts.append(i ..< i + skip) }
                    i += skip
                    continue
                }
                var s = UInt32(b)
                if s >= 0x41 && s <= 0x5A { s += 0x20 }
                out.append(s, i, i + 1)
                i += 1
                continue
            }
            guard let (s, len) = UTF8Decoder.decode(p, i, n) else {
                throw SearchError(.invalidInput, "invalid UTF-8", offset: i)
            }
            let nextIsCombining: Bool
            if i + len < n && p[i + len] >= 0x80, let (next, _) = UTF8Decoder.decode(p, i + len, n) {
                nextIsCombining = Normalizer.extendsCluster(next)
            } else {
                nextIsCombining = false
            }
            if !nextIsCombining {
                if Normalizer.isStable(s) {
                    out.append(folded(s), i, i + len)
                    i += len
                    continue
                }
                if s >= 0xFF01 && s <= 0xFF5E {
                    // Full-width ASCII (，：（） and friends): NFKC is the ASCII character.
                    var a = s - 0xFEE0
                    if a >= 0x41 && a <= 0x5A { a += 0x20 }
                    out.append(a, i, i + len)
                    i += len
                    continue
                }
                if let cached = cache[s] {
                    for m in cached where !Normalizer.isIgnorable(m) { out.append(folded(m), i, i + len) }
                    i += len
                    continue
                }
            }
            i = try slowCluster(p, i, n, &out)
        }
    }

    /// Scalars already in NFKC and lower case that never combine with a preceding scalar.
    @inline(__always)
    static func isStable(_ s: UInt32) -> Bool {
        if s >= 0x4E00 && s <= 0x9FFF { return true }
        if s >= 0x3041 && s <= 0x3096 { return true }
        if s >= 0x30A1 && s <= 0x30FA { return true }
        if s == 0x30FC { return true }
        if s >= 0xAC00 && s <= 0xD7A3 { return true }
        if s >= 0x3400 && s <= 0x4DBF { return true }
        if s >= 0x3001 && s <= 0x3003 { return true }        // 、。〃
        if s >= 0x3008 && s <= 0x3011 { return true }        // 〈〉《》「」『』【】
        if s >= 0x20000 && s <= 0x2A6DF { return true }
        return false
    }

    /// Scalars that attach to the preceding character: combining marks, the half-width voiced
    /// sound marks ﾞ ﾟ, Hangul medial and final jamo, joiners and variation selectors. In the BMP
    /// (every scalar of CJK text) a bitmap answers; it is computed once from the definition.
    @inline(__always)
    static func extendsCluster(_ s: UInt32) -> Bool {
        if s < 0x300 { return false }
        if s < 0x10000 {
            return clusterExtenders.withUnsafeBufferPointer { $0[Int(s >> 6)] >> UInt64(s & 63) & 1 == 1 }
        }
        return computeExtendsCluster(s)
    }

    private static let clusterExtenders: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for s in UInt32(0x300) ..< 0x10000 where computeExtendsCluster(s) {
            bits[Int(s >> 6)] |= 1 << UInt64(s & 63)
        }
        return bits
    }()

    static func computeExtendsCluster(_ s: UInt32) -> Bool {
        if s < 0x300 { return false }
        if s <= 0x36F { return true }                       // combining diacritical marks
        if s == 0x3099 || s == 0x309A { return true }
        if s == 0xFF9E || s == 0xFF9F { return true }
        if s >= 0x1160 && s <= 0x11FF { return true }
        if s >= 0xD7B0 && s <= 0xD7FF { return true }
        if s == 0x200C || s == 0x200D { return true }
        if s >= 0xFE00 && s <= 0xFE0F { return true }
        if s >= 0xE0100 && s <= 0xE01EF { return true }
        if s >= 0x4E00 && s <= 0x9FFF { return false }
        guard let u = Unicode.Scalar(s) else { return false }
        switch u.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Default-ignorable code points (a practical subset of the Unicode property).
    @inline(__always)
    static func isIgnorable(_ s: UInt32) -> Bool {
        switch s {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x3164, 0xFEFF, 0xFFA0: return true
        case 0x17B4...0x17B5, 0x180B...0x180F, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F: return true
        case 0xFE00...0xFE0F, 0xFFF0...0xFFF8, 0x1BCA0...0x1BCA3, 0x1D173...0x1D17A, 0xE0000...0xE0FFF: return true
        default: return false
        }
    }

    /// Normalizes one character (base plus following combining scalars) starting at `i` through
    /// Foundation; returns the offset after it.
    private func slowCluster(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ out: inout NormalizedText) throws -> Int {
        guard let (first, firstLen) = UTF8Decoder.decode(p, i, n) else {
            throw SearchError(.invalidInput, "invalid UTF-8", offset: i)
        }
        var j = i + firstLen
        var cluster: [UInt32] = [first]
        while j < n {
            guard p[j] >= 0x80 else { break }
            guard let (s, len) = UTF8Decoder.decode(p, j, n) else {
                throw SearchError(.invalidInput, "invalid UTF-8", offset: j)
            }
            guard Normalizer.extendsCluster(s) else { break }
            cluster.append(s)
            j += len
            if cluster.count > 32 { break }  // bound pathological runs of combining marks
        }
        let mapped: [UInt32]
        if cluster.count == 1, let cached = cache[first] {
            mapped = cached
        } else {
            mapped = Normalizer.nfkcLower(cluster)
            if cluster.count == 1 && cache.count < 65_536 { cache[first] = mapped }
        }
        for s in mapped where !Normalizer.isIgnorable(s) {
            out.append(folded(s), i, j)
        }
        return j
    }

    static func nfkcLower(_ cluster: [UInt32]) -> [UInt32] {
        var s = ""
        for c in cluster { if let u = Unicode.Scalar(c) { s.unicodeScalars.append(u) } }
        let folded = s.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping
        return folded.unicodeScalars.map { $0.value }
    }

    /// If the bytes at `i` (an ASCII "(") open a pinyin annotation that follows a Han character,
    /// returns the annotation's length in bytes, ")" included.
    private func pinyinArtifactLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int, _ out: inout NormalizedText) -> Int? {
        guard let last = out.scalars.last, Script.isHan(last), Int(out.lastEnd) == i else { return nil }
        var j = i + 1
        var letters = 0
        var toned = false
        while j < n && letters <= 7 {
            let b = p[j]
            if b == 0x29 {   // ")"
                return (letters >= 1 && toned) ? j + 1 - i : nil
            }
            if b >= 0x61 && b <= 0x7A { letters += 1; j += 1; continue }
            guard b >= 0x80, let (s, len) = UTF8Decoder.decode(p, j, n) else { return nil }
            switch s {
            case 0x00FC: break  // ü
            case 0x0101, 0x00E1, 0x01CE, 0x00E0, 0x0113, 0x00E9, 0x011B, 0x00E8,
                 0x012B, 0x00ED, 0x01D0, 0x00EC, 0x014D, 0x00F3, 0x01D2, 0x00F2,
                 0x016B, 0x00FA, 0x01D4, 0x00F9, 0x01D6, 0x01D8, 0x01DA, 0x01DC,
                 0x0144, 0x0148, 0x01F9, 0x1E3F:
                toned = true
            case 0x0300, 0x0301, 0x0304, 0x030C:
                // A tone written as a combining mark after its vowel (canonically equivalent to
                // the precomposed letter); it does not count as a letter of its own.
                guard letters > 0 else { return nil }
                toned = true
                j += len
                continue
            default: return nil
            }
            letters += 1
            j += len
        }
        return nil
    }
}
