import XCTest
@testable import CJKSearch

final class MergePolicyTests: XCTestCase {
    func testTiers() {
        let p = TieredMergePolicy(segmentsPerTier: 3, floorBytes: 10, maxMergedBytes: 1000)
        for (bytes, tier) in [(0, 0), (1, 0), (29, 0), (30, 1), (89, 1), (90, 2), (269, 2), (270, 3), (Int.max, 37)] {
            XCTAssertEqual(p.tier(bytes), tier, "\(bytes)")
        }
    }

    func testPicks() {
        let p = TieredMergePolicy(segmentsPerTier: 3, floorBytes: 10, maxMergedBytes: 100)
        let cases: [(sizes: [Int], busy: Set<Int>, pick: [Int]?, why: String)] = [
            ([], [], nil, "no segments"),
            ([5, 5], [], nil, "a tier not full"),
            ([1, 1, 1], [], [0, 1, 2], "a full tier"),
            ([20, 1, 25, 2, 3], [], [1, 3, 4], "the smallest of a tier"),
            ([100, 5, 5, 5], [], [1, 2, 3], "a big segment stays out"),
            ([40, 50, 60, 1, 2], [], [0, 1], "tier 1 over maxMergedBytes: as many as fit"),
            ([40, 70, 65, 1, 2], [], nil, "tier 1: no two fit"),
            ([40, 30, 31, 1, 2, 3], [], [3, 4, 5], "the lowest full tier first"),
            ([35, 30, 31, 1, 2], [], [0, 1, 2], "tier 1 when tier 0 is not full"),
            ([5, 5, 5, 5], [0], [1, 2, 3], "busy segments are left out"),
            ([5, 5, 5], [1], nil, "too few once busy ones are left out"),
        ]
        for c in cases {
            XCTAssertEqual(p.pick(sizes: c.sizes, busy: c.busy), c.pick, c.why)
        }
    }

    /// Adding segments of one size one at a time and merging what the policy picks keeps at most
    /// segmentsPerTier - 1 segments a tier, and every document is rewritten about once a tier.
    func testSimulatedGrowthStaysLogarithmic() {
        let p = TieredMergePolicy(segmentsPerTier: 4, floorBytes: 1, maxMergedBytes: .max)
        var sizes: [Int] = []
        var written = 0
        for _ in 0 ..< 1000 {
            sizes.append(1)
            written += 1
            while let chosen = p.pick(sizes: sizes) {
                let merged = chosen.reduce(0) { $0 + sizes[$1] }
                written += merged
                sizes = sizes.enumerated().filter { !chosen.contains($0.offset) }.map(\.element) + [merged]
            }
            var perTier: [Int: Int] = [:]
            for s in sizes { perTier[p.tier(s), default: 0] += 1 }
            XCTAssertTrue(perTier.values.allSatisfy { $0 < 4 }, "\(sizes)")
        }
        XCTAssertEqual(sizes.reduce(0, +), 1000)
        // log4(1000) ≈ 5 tiers: each unit written once when flushed and once per merge above it.
        XCTAssertLessThanOrEqual(written, 1000 * 6)
    }
}
