import XCTest
@testable import CJKSearch

/// Which components of a phrase are intersected and which only verify (``PhraseCover``). The
/// results never depend on it (the substring oracles check that, with every component either
/// way); these cases pin down the choice.
final class PhraseCoverTests: XCTestCase {
    typealias Slot = PhraseCover.Slot

    static func terms(_ costs: [Int]) -> [Slot] { costs.map { Slot(cost: $0, isTerm: true) } }

    func testChoices() {
        let cases: [(slots: [Slot], parts: [Bool], why: String)] = [
            (Self.terms([50]), [true], "one term"),
            (Self.terms([100, 90_000]), [true, true], "two terms: both"),
            (Self.terms([100, 90_000, 80_000]), [true, true, true], "three terms: all"),
            (Self.terms([5_700, 168_000, 100_000, 23_000, 24_500, 13_700, 66_000, 105_000]),
             [true, false, false, true, false, true, false, false],
             "过使用户组成为一个: the three rarest; 使用, 用户, 一个 only verify"),
            (Self.terms([156_000, 71_000, 52_000, 35_000, 39_000]), [false, false, true, true, true],
             "如果一個變數: the three rarest; 果一 is just over twice 個變's frequency"),
            (Self.terms([10_000, 12_000, 15_000, 18_000, 20_000, 21_000]), [true, true, true, true, true, false],
             "beyond the three rarest, those within twice the least frequency"),
            (Self.terms([10, 10, 10, 10, 21]), [true, true, true, true, false], "ties with the rarest are parts"),
            ([Slot(cost: 100, isTerm: true), Slot(cost: 5, isTerm: false), Slot(cost: 100, isTerm: true)],
             [true, false, true], "a lone character's union verifies, however rare"),
            ([Slot(cost: 5_000, isTerm: false), Slot(cost: 7_000, isTerm: false)], [true, true],
             "no single term: every component is intersected"),
            (Self.terms([Int.max / 2 + 1, Int.max, Int.max, Int.max]), [true, true, true, true], "no overflow"),
        ]
        for c in cases {
            XCTAssertEqual(PhraseCover.parts(slots: c.slots), c.parts, c.why)
        }
    }
}
