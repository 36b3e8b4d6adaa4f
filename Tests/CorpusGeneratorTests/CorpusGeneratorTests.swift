import Foundation
import XCTest
@testable import CorpusGenerator

final class CorpusGeneratorTests: XCTestCase {
    func generate(_ size: Int, seed: UInt64, statistics: Bool = false) throws -> ([UInt8], CorpusGenerator.Report) {
        let path = NSTemporaryDirectory() + "corpus-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let f = try XCTUnwrap(fopen(path, "wb"))
        let report = try CorpusGenerator(seed: seed).write(size: size, to: f, statistics: statistics)
        fclose(f)
        return ([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), report)
    }

    func testDeterministicAndSized() throws {
        let (a, ra) = try generate(2 << 20, seed: 7)
        let (b, _) = try generate(2 << 20, seed: 7)
        let (c, _) = try generate(2 << 20, seed: 8)
        XCTAssertEqual(a, b, "same seed, same bytes")
        XCTAssertNotEqual(a, c, "another seed, other bytes")
        XCTAssertEqual(a.count, ra.bytes)
        XCTAssertGreaterThanOrEqual(a.count, 2 << 20)
        XCTAssertLessThan(a.count, (2 << 20) + 1_000_000, "stops after the line that reaches the size")
    }

    func testPagesAreValidJSONWithTheExpectedMix() throws {
        let (bytes, report) = try generate(4 << 20, seed: 1, statistics: true)
        let lines = bytes.split(separator: 0x0A)
        XCTAssertEqual(lines.count, report.documents)
        var languages: [String: Int] = [:]
        var lengths: [Int] = []
        var pinyin = 0, urls = 0, ids = Set<String>()
        for line in lines {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            XCTAssertEqual(Set(o.keys), ["id", "title", "text", "url", "date", "site", "lang"])
            XCTAssertTrue(ids.insert(o["id"]!).inserted, "ids are unique")
            languages[o["lang"]!, default: 0] += 1
            let text = o["text"]!
            lengths.append(text.utf8.count)
            if text.range(of: #"[\u4E00-\u9FFF]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+\)"#, options: .regularExpression) != nil { pinyin += 1 }
            if text.contains("https://") { urls += 1 }
            XCTAssertFalse(o["title"]!.isEmpty)
        }
        XCTAssertEqual(Set(languages.keys), ["zh-Hans", "zh-Hant", "ja", "ko"])
        XCTAssertGreaterThan(languages["zh-Hans"]!, languages["ja"]!)
        XCTAssertGreaterThan(pinyin, 0, "some pages carry the pinyin artifact")
        XCTAssertGreaterThan(urls, lines.count / 10)
        lengths.sort()
        let median = lengths[lengths.count / 2]
        XCTAssertTrue((1500 ... 5000).contains(median), "median body \(median) bytes")
        XCTAssertGreaterThan(lengths.last!, 8 * median, "a heavy tail")
        XCTAssertGreaterThan(report.distinctBigrams, 20_000)
        XCTAssertGreaterThan(report.bigramPostings, report.distinctBigrams)
    }

    func testSiteBoilerplateRepeats() throws {
        let (bytes, _) = try generate(2 << 20, seed: 3)
        var firstLineBySite: [String: Set<String>] = [:]
        for line in bytes.split(separator: 0x0A) {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            let header = String(o["text"]!.split(separator: "\n").first ?? "")
            firstLineBySite[o["site"]!, default: []].insert(header)
        }
        let repeated = firstLineBySite.values.filter { $0.count == 1 }
        XCTAssertEqual(repeated.count, firstLineBySite.count, "every page of a site starts with the site's header")
    }
}
