import XCTest
@testable import CorpusGenerator

final class QueryWorkloadTests: XCTestCase {
    let bodies = [
        "重庆市政府今天召开新闻发布会，介绍经济发展情况。Latin words 123 and more",
        "東京都は日本の首都です。人口は約千四百万人。",
        "한국어는 한글로 표기하는 언어입니다",
        "only latin text here",
        "深圳市人工智能产业发展迅速，企业数量持续增长",
    ]

    func testEveryClassHasItsShape() {
        let qs = QueryWorkload.generate(bodies: bodies, perClass: 30, seed: 7)
        let cjkText = bodies.joined(separator: "\n")
        XCTAssertEqual(Set(qs.map(\.queryClass)), Set(QueryWorkload.classes))
        for q in qs {
            let words = q.text.split(separator: " ").map(String.init)
            // Every CJK string is cut from one run of the bodies.
            let strings = words.filter { $0 != "OR" }.map { $0.hasPrefix("-") ? String($0.dropFirst()) : $0 }
            for s in strings {
                XCTAssertTrue(cjkText.contains(s), "\(q)")
                XCTAssertTrue(s.unicodeScalars.allSatisfy(QueryWorkload.isCJK), "\(q)")
            }
            switch q.queryClass {
            case "1char": XCTAssertEqual(q.text.unicodeScalars.count, 1, q.text)
            case "2char": XCTAssertEqual(q.text.unicodeScalars.count, 2, q.text)
            case "phrase4": XCTAssertEqual(q.text.unicodeScalars.count, 4, q.text)
            case "phrase6-10": XCTAssertTrue((6 ... 10).contains(q.text.unicodeScalars.count), q.text)
            case "and2-3":
                XCTAssertTrue((2 ... 3).contains(words.count), q.text)
                // From one page.
                XCTAssertTrue(bodies.contains { b in words.allSatisfy { b.contains($0) } }, q.text)
            case "or": XCTAssertTrue(words.count == 3 && words[1] == "OR", q.text)
            case "not": XCTAssertTrue(words.count == 2 && words[1].hasPrefix("-") && words[1].unicodeScalars.count == 3, q.text)
            default: XCTFail("unknown class \(q.queryClass)")
            }
        }
    }

    func testDeterministic() {
        XCTAssertEqual(QueryWorkload.generate(bodies: bodies, perClass: 20, seed: 3),
                       QueryWorkload.generate(bodies: bodies, perClass: 20, seed: 3))
        XCTAssertNotEqual(QueryWorkload.generate(bodies: bodies, perClass: 20, seed: 3),
                          QueryWorkload.generate(bodies: bodies, perClass: 20, seed: 4))
    }

    func testNoCJKGivesNoQueries() {
        XCTAssertEqual(QueryWorkload.generate(bodies: ["abc def", ""], perClass: 5, seed: 1), [])
    }

    func testRunsStopAtNonCJK() {
        XCTAssertEqual(QueryWorkload.cjkRuns("ab東京、大阪x한국ー").map { String(String.UnicodeScalarView($0)) }, ["東京", "大阪", "한국"])
    }
}
