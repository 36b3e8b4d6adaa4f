import Foundation
import XCTest

/// The crawl-build features of `cjksearch index`: shards, merge, several indexes searched together,
/// standard input, --strict and the summary.
extension CLITests {
    private func writeCorpus(_ dir: String, count: Int) throws -> String {
        let path = dir + "/c.jsonl"
        var text = ""
        let words = ["東京都", "大阪府", "重慶市", "經開區", "한국어", "人工智能", "天気", "新聞"]
        for i in 0 ..< count {
            let body = (0 ..< 6).map { words[($0 * 7 + i * 3) % words.count] }.joined(separator: "、")
            text += #"{"id":"doc-\#(i)","title":"\#(words[i % words.count])","text":"\#(body)"}"# + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testShardsMergeAndSearchTogether() throws {
        let dir = temporaryDirectory()
        let corpus = try writeCorpus(dir, count: 90)
        for k in 0 ..< 3 {
            let r = try run(["index", "--index", dir + "/s\(k)", "--shard", "\(k)/3", corpus])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("documents of other shards"), r.stdout)
        }
        let whole = try run(["index", "--index", dir + "/whole", "--threads", "1", corpus])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stdout.contains("indexed 90 documents"), whole.stdout)
        XCTAssertTrue(whole.stdout.contains("peak RSS"), whole.stdout)
        let shards = (0 ..< 3).flatMap { ["--index", dir + "/s\($0)"] }
        for q in ["東京", "重慶 經開區", "天気 OR 新聞"] {
            let a = try run(["search", "--index", dir + "/whole", "--json", "--limit", "50", q])
            let b = try run(["search"] + shards + ["--json", "--limit", "50", q])
            XCTAssertEqual(a.status, 0, a.stderr)
            XCTAssertEqual(a.stdout, b.stdout, "three shards searched together score like one index: \(q)")
        }
        let m = try run(["merge", "--index", dir + "/merged"] + (0 ..< 3).map { dir + "/s\($0)" })
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertTrue(m.stderr.contains("committed 90 documents"), m.stderr)
        let a = try run(["search", "--index", dir + "/whole", "--json", "--limit", "50", "東京"])
        let c = try run(["search", "--index", dir + "/merged", "--json", "--limit", "50", "東京"])
        XCTAssertEqual(a.stdout, c.stdout)
        XCTAssertEqual(try run(["check", "--index", dir + "/merged"]).status, 0)
        let bad = try run(["index", "--index", dir + "/x", "--shard", "3/3", corpus])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--shard"), bad.stderr)
    }

    func testStandardInputStrictAndSummary() throws {
        let dir = temporaryDirectory()
        let lines = #"{"id":"a","text":"東京都の天気"}"# + "\n" + #"{"id":"b","text":"#  + "\n" + #"{"id":"c","text":"大阪"}"# + "\n"
        let r = try run(["index", "--index", dir + "/idx", "-"], stdin: lines)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("-:2: malformed JSON"), r.stderr)
        XCTAssertTrue(r.stdout.contains("indexed 2 documents"), r.stdout)
        XCTAssertTrue(r.stdout.contains("skipped 1 records: 1 malformed JSON"), r.stdout)
        let strict = try run(["index", "--index", dir + "/strict", "--strict", "-"], stdin: lines)
        XCTAssertEqual(strict.status, 1, strict.stdout)
        XCTAssertTrue(strict.stderr.contains("--strict"), strict.stderr)
        XCTAssertEqual(try run(["search", "--index", dir + "/strict", "--count", "東京"]).stdout, "0\n", "a strict build that fails commits nothing")
    }
}
