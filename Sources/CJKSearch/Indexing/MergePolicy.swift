/// Chooses which segments an ``IndexWriter`` merges in the background: a tiered policy.
///
/// Segments are sorted into tiers by their live size (file size times the live fraction): tier 0
/// holds segments under `floorBytes × segmentsPerTier` (smaller ones count as `floorBytes`), tier 1
/// the next factor of `segmentsPerTier`, and so on. When a tier holds `segmentsPerTier` segments,
/// its smallest `segmentsPerTier` are merged into one, which lands about one tier up. So each
/// document is rewritten about once per tier (logarithmically often in the index size), and an
/// index holds at most `segmentsPerTier - 1` segments per tier besides the merges in progress.
/// A merge never exceeds `maxMergedBytes`: when the smallest `segmentsPerTier` of a tier would,
/// as many of them as fit are merged (at least two); very large segments stay as they are until
/// ``IndexWriter/merge(maxSegments:)`` (as Lucene's TieredMergePolicy caps merged segments at 5 GB).
public struct TieredMergePolicy: Sendable, Equatable {
    /// Segments of one tier that trigger a merge, and the number merged at once (at least 2).
    public var segmentsPerTier: Int
    /// Segments smaller than this count as this size, so that tiny flushes share tier 0.
    public var floorBytes: Int
    /// Merges whose live bytes would exceed this are not made.
    public var maxMergedBytes: Int

    public init(segmentsPerTier: Int = 10, floorBytes: Int = 4 << 20, maxMergedBytes: Int = 5 << 30) {
        precondition(segmentsPerTier >= 2, "TieredMergePolicy: segmentsPerTier must be at least 2")
        precondition(floorBytes >= 1 && maxMergedBytes >= 1, "TieredMergePolicy: sizes must be positive")
        self.segmentsPerTier = segmentsPerTier
        self.floorBytes = floorBytes
        self.maxMergedBytes = maxMergedBytes
    }

    /// The tier of a segment of `bytes` live bytes.
    func tier(_ bytes: Int) -> Int {
        var t = 0
        var limit = floorBytes.multipliedReportingOverflow(by: segmentsPerTier)
        while !limit.overflow && bytes >= limit.partialValue {
            t += 1
            limit = limit.partialValue.multipliedReportingOverflow(by: segmentsPerTier)
        }
        return t
    }

    /// One merge to make: indices into `sizes` (live bytes per segment), in increasing order;
    /// nil when no tier is full. Segments in `busy` (being merged already) are left out.
    public func pick(sizes: [Int], busy: Set<Int> = []) -> [Int]? {
        var tiers: [Int: [Int]] = [:]
        for (i, s) in sizes.enumerated() where !busy.contains(i) { tiers[tier(s), default: []].append(i) }
        for t in tiers.keys.sorted() {
            let members = tiers[t]!
            guard members.count >= segmentsPerTier else { continue }
            var chosen: [Int] = []
            var total = 0
            for i in members.sorted(by: { (sizes[$0], $0) < (sizes[$1], $1) }).prefix(segmentsPerTier) {
                if total + sizes[i] > maxMergedBytes { break }
                total += sizes[i]
                chosen.append(i)
            }
            if chosen.count >= 2 { return chosen.sorted() }
        }
        return nil
    }
}
