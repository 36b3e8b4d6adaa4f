/// How an index analyzes text: fixed when the index is created, recorded in its manifest, and
/// applied to its queries, so that a query is always analyzed as the pages were.
///
/// ```swift
/// let index = try SearchIndex.create(at: dir, analysis: AnalysisOptions(foldsTraditionalToSimplified: false))
/// ```
public struct AnalysisOptions: Sendable, Hashable, CustomStringConvertible {
    /// Fold traditional Chinese characters, and the Japanese new forms (shinjitai) that are not
    /// Chinese characters, to simplified ones (``ChineseFolding``), so that 重慶 and 重庆 find each
    /// other, and 広, 廣 and 广 too. On by default. Snippets still show and mark the page's own
    /// characters. Indexes built before this option existed (analyzer version 1) have it off.
    public var foldsTraditionalToSimplified: Bool
    /// Fold katakana to hiragana, so that リンゴ and りんご find each other (one character for
    /// one: every substring of a page still matches). On by default.
    public var foldsKana: Bool

    public init(foldsTraditionalToSimplified: Bool = true, foldsKana: Bool = true) {
        self.foldsTraditionalToSimplified = foldsTraditionalToSimplified
        self.foldsKana = foldsKana
    }

    /// Analysis of indexes written before options were recorded (analyzer version 1).
    static let version1 = AnalysisOptions(foldsTraditionalToSimplified: false, foldsKana: false)

    /// The manifest's AnalysisFlags: bit 0, traditional → simplified folding; bit 1, kana folding.
    var flags: UInt32 { (foldsTraditionalToSimplified ? 1 : 0) | (foldsKana ? 2 : 0) }
    static let knownFlags: UInt32 = 3

    init(flags: UInt32) {
        foldsTraditionalToSimplified = flags & 1 != 0
        foldsKana = flags & 2 != 0
    }

    public var description: String {
        "traditional-to-simplified folding \(foldsTraditionalToSimplified ? "on" : "off"), kana folding \(foldsKana ? "on" : "off")"
    }
}
