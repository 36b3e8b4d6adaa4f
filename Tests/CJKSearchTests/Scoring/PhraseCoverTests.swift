import XCTest
@testable import CJKSearch

/// Which components of a phrase are intersected and which only verify (``PhraseCover``). The
/// results never depend on it (the substring oracles check that, with every component either
/// way); these cases pin down the cost choices.
final class PhraseCoverTests: XCTestCase {
    typealias Slot = PhraseCover.Slot

    /// Bigrams at offsets 0, 1, 2, … with these document frequencies.
    static func bigrams(_ costs: [Int]) -> [Slot] {
        costs.enumerated().map { Slot(offset: $0.offset, width: 2, cost: $0.element, isTerm: true) }
    }

    func testChoices() {
        let n = 10_000
        let cases: [(slots: [Slot], parts: [Bool], why: String)] = [
            (Self.bigrams([50]), [true], "one term"),
            (Self.bigrams([100, n, 100]), [true, false, true],
             "ABCD: BC in every document filters nothing; AB and CD cover every character"),
            (Self.bigrams([100, n]), [true, true], "ABC: both bigrams are needed to cover the characters"),
            (Self.bigrams([n, 10, n]), [true, true, true], "ABCD with a rare BC: AB and CD alone cover A and D"),
            (Self.bigrams([300, 9_000, 200, 9_500, 400]), [true, false, true, false, true],
             "ABCDEF: the frequent bigrams between selective ones only verify"),
            (Self.bigrams([9_000, 300, 9_500, 200]), [true, true, false, true],
             "ABCDE: AB is the only cover of A, however frequent"),
            (Self.bigrams([3_000, 2_000, 2_500]), [true, true, true],
             "ABCD with selective bigrams: leaving one out adds more candidates than it saves"),
            ([Slot(offset: 0, width: 2, cost: 100, isTerm: true), Slot(offset: 1, width: 1, cost: 5_000, isTerm: false),
              Slot(offset: 2, width: 2, cost: 100, isTerm: true)], [true, false, true],
             "a lone character's union verifies"),
            ([Slot(offset: 0, width: 1, cost: 5_000, isTerm: false), Slot(offset: 1, width: 1, cost: 7_000, isTerm: false)],
             [true, true], "no single term: every component is intersected"),
            ([Slot(offset: 0, width: 1, cost: 40, isTerm: true), Slot(offset: 1, width: 1, cost: n, isTerm: true)],
             [true, true], "words cover only their own position"),
        ]
        for c in cases {
            XCTAssertEqual(PhraseCover.parts(slots: c.slots, documentCount: n), c.parts, c.why)
        }
    }

    /// Random plans: the parts are never empty, always include the least frequent term, cover
    /// every character some term covers, and hold every term when the alternative is none.
    func testInvariantsOnRandomPlans() {
        var rng = SeededRandom(seed: 5)
        for _ in 0 ..< 2_000 {
            let count = 1 + Int(rng.next() % 9)
            var slots: [Slot] = []
            for i in 0 ..< count {
                let isTerm = rng.next() % 6 != 0
                let width = isTerm && rng.next() % 5 != 0 ? 2 : 1
                slots.append(Slot(offset: i, width: width, cost: 1 + Int(rng.next() % 20_000), isTerm: isTerm))
            }
            let parts = PhraseCover.parts(slots: slots, documentCount: 20_000)
            XCTAssertEqual(parts.count, slots.count)
            XCTAssertTrue(parts.contains(true))
            let terms = slots.indices.filter { slots[$0].isTerm }
            if terms.isEmpty { XCTAssertEqual(parts, Array(repeating: true, count: count)); continue }
            let lead = terms.min { slots[$0].cost < slots[$1].cost }!
            XCTAssertTrue(terms.contains { parts[$0] && slots[$0].cost == slots[lead].cost }, "the rarest term is a part")
            for i in slots.indices where !slots[i].isTerm { XCTAssertFalse(parts[i], "a union verifies") }
            for t in terms {
                for c in slots[t].offset ..< slots[t].offset + slots[t].width {
                    XCTAssertTrue(terms.contains { parts[$0] && (slots[$0].offset ..< slots[$0].offset + slots[$0].width).contains(c) },
                                  "character \(c) is covered by a part")
                }
            }
        }
    }
}
