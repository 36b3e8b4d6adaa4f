/// How an index analyzes text: fixed when the index is created, recorded in its manifest, and
/// applied to its queries, so that a query is always analyzed as the pages were.
///
/// ```swift
/// let index = try SearchIndex.create(at: dir, analysis: AnalysisOptions(foldsTraditionalToSimplified: false))
/// ```
public struct AnalysisOptions: Sendable, Hashable, CustomStringConvertible {
    /// Fold traditional Chinese characters to simplified ones (``ChineseFolding``), so that
    /// 重慶 and 重庆 find each other. On by default. Snippets still show and mark the page's own
    /// characters. Indexes built before this option existed (analyzer version 1) have it off.
    public var foldsTraditionalToSimplified: Bool

    public init(foldsTraditionalToSimplified: Bool = true) {
        self.foldsTraditionalToSimplified = foldsTraditionalToSimplified
    }

    /// Analysis of indexes written before options were recorded (analyzer version 1).
    static let version1 = AnalysisOptions(foldsTraditionalToSimplified: false)

    /// The manifest's AnalysisFlags: bit 0, traditional → simplified folding.
    var flags: UInt32 { foldsTraditionalToSimplified ? 1 : 0 }
    static let knownFlags: UInt32 = 1

    init(flags: UInt32) {
        foldsTraditionalToSimplified = flags & 1 != 0
    }

    public var description: String {
        "traditional-to-simplified folding \(foldsTraditionalToSimplified ? "on" : "off")"
    }
}
