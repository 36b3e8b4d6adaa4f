import Foundation

/// The learned character model (see `Corpus/model/learn_model.py` for how it is made and its format).
///
/// Per language: the most frequent characters with their frequencies, and each character's most
/// frequent successors. Generation walks this first-order chain; now and then it jumps to a
/// character drawn from the unigram distribution instead, which keeps creating bigrams the chain
/// does not hold, so the vocabulary keeps growing with the corpus like real text's does.
struct CharacterModel {
    struct Language {
        let code: String
        /// Characters as UTF-8, packed: bytes in the low bits, `utf8Length` gives the count.
        let utf8: [UInt32]
        let utf8Length: [UInt8]
        let scalars: [UInt32]
        /// Cumulative unigram weights, for sampling by binary search.
        let cumulative: [UInt64]
        /// For each character, 256 successor indices (a quantized distribution); empty if none.
        let successorTable: [UInt16]
        let hasSuccessors: [Bool]
        /// Indices of Han characters (for the pinyin artifact).
        let isHan: [Bool]

        var count: Int { scalars.count }

        @inline(__always)
        func sampleUnigram(_ r: UInt64) -> Int {
            let target = r % cumulative[cumulative.count - 1]
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }

        @inline(__always)
        func sampleSuccessor(of c: Int, _ r: UInt8) -> Int? {
            guard hasSuccessors[c] else { return nil }
            return Int(successorTable[c * 256 + Int(r)])
        }
    }

    let languages: [String: Language]

    static func load() throws -> CharacterModel {
        guard let url = Bundle.module.url(forResource: "cjk-model", withExtension: "bin") else {
            throw GeneratorError("the character model cjk-model.bin is missing from the bundle")
        }
        return try CharacterModel(data: [UInt8](try Data(contentsOf: url)))
    }

    init(data: [UInt8]) throws {
        var p = 0
        func need(_ n: Int) throws { if p + n > data.count { throw GeneratorError("character model truncated at byte \(p)") } }
        func u8() throws -> UInt8 { try need(1); defer { p += 1 }; return data[p] }
        func u16() throws -> UInt16 { try need(2); defer { p += 2 }; return UInt16(data[p]) | UInt16(data[p + 1]) << 8 }
        func u32() throws -> UInt32 {
            try need(4); defer { p += 4 }
            return UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
        }
        try need(4)
        guard data[0 ..< 4].elementsEqual("CJKM".utf8) else { throw GeneratorError("not a character model (bad magic)") }
        p = 4
        guard try u32() == 1 else { throw GeneratorError("character model version is not 1") }
        let languageCount = Int(try u32())
        var languages: [String: Language] = [:]
        for _ in 0 ..< languageCount {
            try need(8)
            let code = String(decoding: data[p ..< p + 8].prefix { $0 != 0 }, as: UTF8.self)
            p += 8
            let n = Int(try u32())
            guard n > 0 && n < 65_536 else { throw GeneratorError("character model: bad size \(n) for \(code)") }
            var scalars: [UInt32] = [], cumulative: [UInt64] = [], utf8: [UInt32] = [], lengths: [UInt8] = [], han: [Bool] = []
            var total: UInt64 = 0
            for _ in 0 ..< n {
                let s = try u32()
                let w = try u32()
                total += UInt64(w)
                scalars.append(s)
                cumulative.append(total)
                var bytes: [UInt8] = []
                guard let u = Unicode.Scalar(s) else { throw GeneratorError("character model: bad scalar \(s)") }
                bytes.append(contentsOf: String(u).utf8)
                var packed: UInt32 = 0
                for (i, b) in bytes.enumerated() { packed |= UInt32(b) << (8 * UInt32(i)) }
                utf8.append(packed)
                lengths.append(UInt8(bytes.count))
                han.append((s >= 0x4E00 && s <= 0x9FFF) || (s >= 0x3400 && s <= 0x4DBF))
            }
            var table = [UInt16](repeating: 0, count: n * 256)
            var has = [Bool](repeating: false, count: n)
            for c in 0 ..< n {
                let k = Int(try u8())
                var succ: [(Int, Int)] = []
                for _ in 0 ..< k {
                    let i = Int(try u16())
                    let w = Int(try u16())
                    guard i < n else { throw GeneratorError("character model: successor out of range") }
                    succ.append((i, w))
                }
                guard !succ.isEmpty else { continue }
                has[c] = true
                // Quantize the successor distribution into 256 slots (every successor gets one at least).
                let sum = succ.reduce(0) { $0 + $1.1 }
                var slot = 0
                for (j, (i, w)) in succ.enumerated() {
                    var slots = max(1, w * 256 / max(sum, 1))
                    if j == succ.count - 1 { slots = 256 - slot }
                    for _ in 0 ..< slots where slot < 256 { table[c * 256 + slot] = UInt16(i); slot += 1 }
                }
                while slot < 256 { table[c * 256 + slot] = UInt16(succ[0].0); slot += 1 }
            }
            languages[code] = Language(code: code, utf8: utf8, utf8Length: lengths, scalars: scalars,
                                       cumulative: cumulative, successorTable: table, hasSuccessors: has, isHan: han)
        }
        self.languages = languages
    }
}

public struct GeneratorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
