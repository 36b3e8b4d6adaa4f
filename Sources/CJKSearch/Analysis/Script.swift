/// The character classes the tokenizer cares about, decided per normalized scalar.
///
/// | class | scalars | becomes |
/// |---|---|---|
/// | `.cjk` | Han: U+2E80–2FDF radicals, U+3005 々, U+3007 〇, U+3021–3029, U+3038–303B, U+3400–4DBF (Ext A), U+4E00–9FFF, U+F900–FAFF (compatibility ideographs left by NFKC), U+20000–3134F (Ext B–H, compatibility supplement); Hiragana U+3041–309F; Katakana U+30A1–30FA and U+30FC–30FF (ー and iteration marks), U+31F0–31FF; Kana supplement U+1B000–1B16F; Hangul syllables U+AC00–D7AF, jamo U+1100–11FF, U+3130–318F, U+A960–A97F, U+D7B0–D7FF | overlapping bigrams |
/// | `.word` | letters, digits and combining marks of every other script (general categories L*, N*, M*) | one token per run |
/// | `.separator` | everything else: spaces, punctuation (、。「」・…), symbols, emoji | breaks runs, emits nothing |
enum CharClass: UInt8 {
    case separator = 0
    case word = 1
    case cjk = 2
}

enum Script {
    @inline(__always)
    static func classify(_ s: UInt32) -> CharClass {
        if s < 0x80 {
            // a-z (normalized text has no A-Z), 0-9
            if (s >= 0x61 && s <= 0x7A) || (s >= 0x30 && s <= 0x39) { return .word }
            if s >= 0x41 && s <= 0x5A { return .word }
            return .separator
        }
        if isCJK(s) { return .cjk }
        // Common punctuation blocks, without a property lookup.
        if (s >= 0x2000 && s <= 0x206F) || (s >= 0x3000 && s <= 0x303F) || (s >= 0xFE30 && s <= 0xFE4F) { return .separator }
        guard let scalar = Unicode.Scalar(s) else { return .separator }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return .word
        default:
            return .separator
        }
    }

    @inline(__always)
    static func isCJK(_ s: UInt32) -> Bool {
        if s < 0x1100 { return false }
        if s >= 0x4E00 && s <= 0x9FFF { return true }          // CJK Unified Ideographs
        if s >= 0x3040 {
            if s <= 0x309F { return s >= 0x3041 }              // Hiragana
            if s <= 0x30FF { return (s >= 0x30A1 && s <= 0x30FA) || s >= 0x30FC } // Katakana (not ・ U+30FB, ゠ U+30A0)
            if s >= 0xAC00 && s <= 0xD7AF { return true }      // Hangul syllables
            if s >= 0x3400 && s <= 0x4DBF { return true }      // Ext A
            if s >= 0x3130 && s <= 0x318F { return true }      // Hangul compatibility jamo
            if s >= 0x31F0 && s <= 0x31FF { return true }      // Katakana phonetic extensions
            if s >= 0xF900 && s <= 0xFAFF { return true }      // Compatibility ideographs
            if s >= 0xA960 && s <= 0xA97F { return true }      // Hangul jamo extended A
            if s >= 0xD7B0 && s <= 0xD7FF { return true }      // Hangul jamo extended B
            if s >= 0x20000 && s <= 0x3134F { return true }    // Ext B–H, compatibility supplement
            if s >= 0x1B000 && s <= 0x1B16F { return true }    // Kana supplement / extended
            return false
        }
        if s <= 0x11FF { return true }                         // Hangul jamo
        if s >= 0x2E80 && s <= 0x2FDF { return true }          // radicals
        if s == 0x3005 || s == 0x3007 { return true }          // 々 〇
        if s >= 0x3021 && s <= 0x3029 { return true }          // Hangzhou numerals
        if s >= 0x3038 && s <= 0x303B { return true }
        return false
    }

    /// Han ideographs only (used by the pinyin-artifact rule).
    @inline(__always)
    static func isHan(_ s: UInt32) -> Bool {
        (s >= 0x4E00 && s <= 0x9FFF) || (s >= 0x3400 && s <= 0x4DBF) || (s >= 0xF900 && s <= 0xFAFF)
            || (s >= 0x20000 && s <= 0x3134F)
    }
}
