import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes deterministic, crawl-like JSONL at any size, for build benchmarks.
///
/// Each line is one page: `{"id": URL, "title", "text", "url", "date", "site", "lang"}`. The same
/// seed and size always give the same bytes. What the pages look like:
///
/// - **Text** from a character model learned offline from real text (``CharacterModel``): per
///   language, the frequent characters with their frequencies and successors. The walk jumps to
///   a unigram-sampled character 3% of the time, so bigrams keep being new as the corpus grows.
/// - **Languages**: sites are simplified Chinese (50%), traditional Chinese (35%), Japanese (10%)
///   and Korean (5%); a third of the traditional sites carry the pinyin crawl artifact
///   (`當(dāng)前`) after some Han characters.
/// - **Sites**: 2,000 of them with Zipf-distributed page counts; each has its own domain, a
///   navigation header and a footer, repeated on every page of the site (boilerplate).
/// - **Lengths**: log-normal body lengths (σ = 1.1), median about 3 KB, 1% above 30 KB, capped at
///   200,000 characters (about 600 KB).
/// - **Mixed content**: dates, numbers, percentages, ASCII words and URLs inside the text.
public final class CorpusGenerator {
    let model: CharacterModel
    let seed: UInt64
    let sites: [Site]

    struct Site {
        let domain: String
        let language: String
        let pinyin: Bool
        let header: [UInt8]
        let footer: [UInt8]
        let cumulativeWeight: Double
    }

    static let languageShares: [(String, Double)] = [("zh-Hans", 0.50), ("zh-Hant", 0.35), ("ja", 0.10), ("ko", 0.05)]
    static let asciiWords = ["GDP", "APP", "5G", "AI", "iPhone", "CEO", "WiFi", "USB", "PM2.5", "NBA", "IT", "Linux", "Swift", "COVID-19", "GPS"]
    static let pinyinSyllables = ["dāng", "qū", "jīng", "fā", "zhǎn", "guó", "xué", "shè", "huì", "jì", "shí", "yè", "wǎng",
                                   "chǎn", "zhì", "lián", "chuàng", "xiàn", "zé", "yōu", "qiáng", "diào", "guān", "jìn"]

    static let pinyinBytes: [[UInt8]] = pinyinSyllables.map { Array("(\($0))".utf8) }
    static let latinStop: [UInt8] = [0x2E, 0x20]
    static let ideographicStop: [UInt8] = Array("。".utf8)

    public init(seed: UInt64) throws {
        model = try CharacterModel.load()
        self.seed = seed
        var rng = Random(seed: seed ^ 0x5173_5EED)
        var sites: [Site] = []
        var cumulative = 0.0
        for i in 0 ..< 2000 {
            let r = rng.unit()
            var acc = 0.0
            var language = "zh-Hans"
            for (code, share) in CorpusGenerator.languageShares {
                acc += share
                if r < acc { language = code; break }
            }
            let pinyin = language == "zh-Hant" && rng.next() % 3 == 0
            let tld = language == "ja" ? "jp" : language == "ko" ? "kr" : language == "zh-Hant" ? "tw" : "cn"
            let domain = "www.site\(i).example.\(tld)"
            let lang = model.languages[language]!
            var header: [UInt8] = []
            for k in 0 ..< 3 + Int(rng.next() % 4) {
                if k > 0 { header.append(contentsOf: Array(" > ".utf8)) }
                CorpusGenerator.appendWalk(lang, length: 2 + Int(rng.next() % 3), into: &header, rng: &rng, punctuation: false)
            }
            header.append(0x0A)
            var footer: [UInt8] = Array("\n".utf8)
            CorpusGenerator.appendWalk(lang, length: 20 + Int(rng.next() % 30), into: &footer, rng: &rng, punctuation: false)
            footer.append(contentsOf: Array(" Copyright © 20\(10 + rng.next() % 15) \(domain) 電話:0\(rng.next() % 90 + 10)-\(rng.next() % 90_000_000 + 10_000_000)".utf8))
            cumulative += 1.0 / pow(Double(i + 1), 0.9)
            sites.append(Site(domain: domain, language: language, pinyin: pinyin, header: header, footer: footer, cumulativeWeight: cumulative))
        }
        self.sites = sites
    }

    /// What a run wrote, and optionally the index-relevant statistics of the text.
    public struct Report: Sendable {
        public var documents = 0
        public var bytes = 0
        /// Distinct CJK bigrams in titles and bodies (when statistics were asked for).
        public var distinctBigrams = 0
        /// Sum over documents of the distinct bigrams in each (the bigram postings an index holds).
        public var bigramPostings = 0
    }

    /// Writes at least `size` bytes of JSONL (whole lines) to `out`; `statistics` also counts
    /// distinct bigrams and postings (slower).
    public func write(size: Int, to out: UnsafeMutablePointer<FILE>, statistics: Bool = false,
                      progress: ((Report) -> Void)? = nil) throws -> Report {
        var report = Report()
        var rng = Random(seed: seed)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4 << 20)
        var bigrams = Set<UInt64>()
        var docBigrams = Set<UInt64>()
        var lastProgress = 0
        var title: [UInt8] = [], body: [UInt8] = []
        while report.bytes < size {
            let n = report.documents
            let site = pickSite(&rng)
            let lang = model.languages[site.language]!
            title.removeAll(keepingCapacity: true)
            body.removeAll(keepingCapacity: true)
            CorpusGenerator.appendWalk(lang, length: 10 + Int(rng.next() % 20), into: &title, rng: &rng, punctuation: false)
            body.append(contentsOf: site.header)
            body.append(contentsOf: title)
            body.append(0x0A)
            let target = min(200_000, Int(exp(log(850.0) + 1.1 * rng.gaussian())))
            var chars = 0
            while chars < target {
                let sentence = 8 + Int(rng.next() % 50)
                chars += appendSentence(lang, site: site, length: sentence, into: &body, rng: &rng)
                if rng.next() % 6 == 0 { body.append(0x0A) }
            }
            body.append(contentsOf: site.footer)
            let year = 2015 + Int(rng.next() % 10), month = 1 + Int(rng.next() % 12), day = 1 + Int(rng.next() % 28)
            let date = String(format: "%04d-%02d-%02d", year, month, day)
            let url = "https://\(site.domain)/\(year)/\(String(format: "%02d", month))/\(n).html"
            let start = buffer.count
            buffer.append(contentsOf: Array("{\"id\":\"\(url)\",\"title\":\"".utf8))
            CorpusGenerator.appendJSONEscaped(title, to: &buffer)
            buffer.append(contentsOf: Array("\",\"text\":\"".utf8))
            CorpusGenerator.appendJSONEscaped(body, to: &buffer)
            buffer.append(contentsOf: Array("\",\"url\":\"\(url)\",\"date\":\"\(date)\",\"site\":\"\(site.domain)\",\"lang\":\"\(site.language)\"}\n".utf8))
            report.bytes += buffer.count - start
            report.documents += 1
            if statistics {
                docBigrams.removeAll(keepingCapacity: true)
                CorpusGenerator.collectBigrams(title, into: &docBigrams)
                CorpusGenerator.collectBigrams(body, into: &docBigrams)
                report.bigramPostings += docBigrams.count
                bigrams.formUnion(docBigrams)
                report.distinctBigrams = bigrams.count
            }
            if buffer.count >= 4 << 20 {
                try flush(&buffer, out)
                if let progress, report.bytes - lastProgress >= 64 << 20 { progress(report); lastProgress = report.bytes }
            }
        }
        try flush(&buffer, out)
        return report
    }

    private func flush(_ buffer: inout [UInt8], _ out: UnsafeMutablePointer<FILE>) throws {
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, out) }
        if written != buffer.count { throw GeneratorError("write failed: \(String(cString: strerror(errno)))") }
        buffer.removeAll(keepingCapacity: true)
    }

    private func pickSite(_ rng: inout Random) -> Site {
        let target = rng.unit() * sites[sites.count - 1].cumulativeWeight
        var lo = 0, hi = sites.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if sites[mid].cumulativeWeight > target { hi = mid } else { lo = mid + 1 }
        }
        return sites[lo]
    }

    /// Appends a walk of `length` characters of the chain.
    static func appendWalk(_ lang: CharacterModel.Language, length: Int, into out: inout [UInt8], rng: inout Random, punctuation: Bool) {
        var c = lang.sampleUnigram(rng.next())
        var emitted = 0
        var guardSteps = 0
        while emitted < length && guardSteps < length * 8 {
            guardSteps += 1
            let s = lang.scalars[c]
            let isPunctuation = s < 0x3040 || (s >= 0xFF00 && s <= 0xFFEF)
            if punctuation || !isPunctuation {
                appendCharacter(lang, c, &out)
                emitted += 1
            }
            let r = rng.next()
            if r & 0xFF < 8 {                 // 3%: jump anywhere (new bigrams)
                c = lang.sampleUnigram(r >> 8)
            } else if let next = lang.sampleSuccessor(of: c, UInt8(truncatingIfNeeded: r >> 8)) {
                c = next
            } else {
                c = lang.sampleUnigram(r >> 8)
            }
        }
    }

    @inline(__always)
    static func appendCharacter(_ lang: CharacterModel.Language, _ c: Int, _ out: inout [UInt8]) {
        let packed = lang.utf8[c]
        for i in 0 ..< Int(lang.utf8Length[c]) { out.append(UInt8(truncatingIfNeeded: packed >> (8 * UInt32(i)))) }
    }

    /// A sentence: a walk with punctuation, sometimes with a number, a date, an ASCII word or a
    /// URL in it, ended by a full stop. Returns the characters written (roughly).
    private func appendSentence(_ lang: CharacterModel.Language, site: Site, length: Int, into out: inout [UInt8], rng: inout Random) -> Int {
        var c = lang.sampleUnigram(rng.next())
        var emitted = 0
        let insertAt = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(length)) : -1
        while emitted < length {
            if emitted == insertAt { appendInsert(&out, &rng, site: site) }
            CorpusGenerator.appendCharacter(lang, c, &out)
            emitted += 1
            if site.pinyin && lang.isHan[c] && rng.next() % 16 == 0 {
                out.append(contentsOf: CorpusGenerator.pinyinBytes[Int(rng.next() % UInt64(CorpusGenerator.pinyinBytes.count))])
            }
            let r = rng.next()
            if r & 0xFF < 8 {
                c = lang.sampleUnigram(r >> 8)
            } else if let next = lang.sampleSuccessor(of: c, UInt8(truncatingIfNeeded: r >> 8)) {
                c = next
            } else {
                c = lang.sampleUnigram(r >> 8)
            }
        }
        out.append(contentsOf: site.language == "ko" ? CorpusGenerator.latinStop : CorpusGenerator.ideographicStop)
        return emitted
    }

    private func appendInsert(_ out: inout [UInt8], _ rng: inout Random, site: Site) {
        let s: String
        switch rng.next() % 5 {
        case 0: s = "\(2000 + rng.next() % 25)年\(1 + rng.next() % 12)月\(1 + rng.next() % 28)日"
        case 1: s = "\(rng.next() % 1000).\(rng.next() % 10)%"
        case 2: s = CorpusGenerator.asciiWords[Int(rng.next() % UInt64(CorpusGenerator.asciiWords.count))]
        case 3: s = " https://\(site.domain)/news/\(rng.next() % 100_000) "
        default: s = "\(rng.next() % 100_000)"
        }
        out.append(contentsOf: Array(s.utf8))
    }

    static func appendJSONEscaped(_ bytes: [UInt8], to out: inout [UInt8]) {
        for b in bytes {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x00 ..< 0x20: out.append(contentsOf: Array(String(format: "\\u%04x", b).utf8))
            default: out.append(b)
            }
        }
    }

    /// Adds the CJK bigrams of UTF-8 `text` (pairs of adjacent CJK scalars) to `set`.
    static func collectBigrams(_ text: [UInt8], into set: inout Set<UInt64>) {
        var previous: UInt32 = 0
        var i = 0
        while i < text.count {
            let b = text[i]
            var s: UInt32
            var len: Int
            if b < 0x80 { s = UInt32(b); len = 1 }
            else if b < 0xE0 { s = UInt32(b & 0x1F); len = 2 }
            else if b < 0xF0 { s = UInt32(b & 0x0F); len = 3 }
            else { s = UInt32(b & 0x07); len = 4 }
            for k in 1 ..< len where i + k < text.count { s = s << 6 | UInt32(text[i + k] & 0x3F) }
            i += len
            let cjk = (s >= 0x3041 && s <= 0x30FF) || (s >= 0x3400 && s <= 0x9FFF) || (s >= 0xAC00 && s <= 0xD7A3)
            if cjk {
                if previous != 0 { set.insert(UInt64(previous) << 32 | UInt64(s)) }
                previous = s
            } else {
                previous = 0
            }
        }
    }
}

extension CorpusGenerator {
    /// SplitMix64, with helpers for uniform and normal variates.
    public struct Random: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        @inline(__always)
        public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func gaussian() -> Double {
            let u1 = max(unit(), 1e-12), u2 = unit()
            return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
        }
    }
}
