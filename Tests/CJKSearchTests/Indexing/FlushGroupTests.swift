import XCTest
@testable import CJKSearch

/// When one indexing thread flushes for its budget, the others that hold at least the threshold
/// flush with it; the flushing one is not asked again, the nearly empty ones are left alone, and a
/// member that went away is skipped.
final class FlushGroupTests: XCTestCase {
    private final class Member: FlushGroup.Member {
        var lastBufferedBytes: Int
        var requests = 0
        init(_ bytes: Int) { lastBufferedBytes = bytes }
        func requestFlush() { requests += 1 }
    }

    func testOnlyMembersOverTheThresholdFlushAlong() {
        let cases: [(bytes: [Int], flusher: Int, threshold: Int, asked: [Int])] = [
            ([100, 99, 98], 0, 50, [0, 1, 1]),
            ([100, 49, 50], 0, 50, [0, 0, 1]),
            ([10, 100, 0], 1, 50, [0, 0, 0]),
            ([100, 100], 1, 0, [1, 0]),
            ([70], 0, 50, [0]),
        ]
        for (n, c) in cases.enumerated() {
            let group = FlushGroup()
            let members = c.bytes.map { Member($0) }
            for m in members { group.join(m) }
            group.flushing(members[c.flusher], threshold: c.threshold)
            XCTAssertEqual(members.map(\.requests), c.asked, "case \(n)")
        }
    }

    func testMembersThatWentAwayAreSkipped() {
        let group = FlushGroup()
        let kept = Member(100)
        group.join(kept)
        do {
            let gone = Member(100)
            group.join(gone)
            group.flushing(gone, threshold: 10)
        }
        XCTAssertEqual(kept.requests, 1)
        group.flushing(Member(0), threshold: 10)   // not a member: asks every member
        XCTAssertEqual(kept.requests, 2)
    }
}
