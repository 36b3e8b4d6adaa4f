import Foundation
import XCTest
@testable import CJKSearch

/// JSONL parsed on several threads reports exactly what one thread reports, in the same order:
/// documents, skips with their lines and offsets, progress, a damaged stream's last error.
final class IngestParallelParseTests: XCTestCase {
    typealias F = IngestFixtures

    func assertSameAsOneThread(_ path: String, maxLineLength: Int = LineReader.defaultMaxLineLength,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let one = try F.read(path, limits: InputReader.Limits(maxLineLength: maxLineLength))
        // The last two: lines over 100 bytes (over 2: all but empty ones, blank ones too) are
        // parsed in place on the reading thread, between chunks.
        for (threads, chunk, inline) in [(1, 1, 16 << 20), (2, 64, 16 << 20), (4, 4096, 16 << 20), (2, 64, 100), (1, 64, 2)] {
            var limits = InputReader.Limits(maxLineLength: maxLineLength)
            limits.parseThreads = threads
            limits.parseChunkBytes = chunk
            limits.inlineLineBytes = inline
            let many = try F.read(path, limits: limits)
            let label = "\(path) threads \(threads) chunk \(chunk) inline \(inline)"
            XCTAssertEqual(many.documents, one.documents, label, file: file, line: line)
            XCTAssertEqual(many.skips.map(\.message), one.skips.map(\.message), label, file: file, line: line)
            XCTAssertEqual(many.skips.map(\.line), one.skips.map(\.line), label, file: file, line: line)
            XCTAssertEqual(many.skips.map(\.offset), one.skips.map(\.offset), label, file: file, line: line)
            XCTAssertEqual(many.skips.map(\.path), one.skips.map(\.path), label, file: file, line: line)
            XCTAssertEqual(many.progress.last, one.progress.last, label, file: file, line: line)
        }
    }

    func testParallelParsingMatchesOneThread() throws {
        let dir = makeTemporaryDirectory(self)
        var text: [UInt8] = []
        for i in 0 ..< 3000 {
            switch i % 11 {
            case 3: text += Array(#"{"id":"broken-\#(i)","text":"#.utf8)                                    // malformed
            case 5: text += Array(#"{"id":"u\#(i)","text":"ab"#.utf8) + [0xFF] + Array(#""}"#.utf8)           // invalid UTF-8
            case 7: text += Array(#"{"text":"no id"}"#.utf8)                                                 // no id
            case 8: text += Array("   ".utf8)                                                                 // blank
            case 9: text += Array(#"{"id":"long\#(i)","text":""#.utf8) + Array(String(repeating: "长", count: 200).utf8) + Array(#""}"#.utf8)
            case 10: text += Array(#"{"id":"crlf\#(i)","text":"行尾"}"#.utf8) + [0x0D]
            default: text += Array(#"{"id":"d\#(i % 500)","title":"第\#(i)号","text":"重庆市政府今天召开新闻发布会 \#(i)","k":"v"}"#.utf8)
            }
            text.append(0x0A)
        }
        for (name, bytes) in [("p.jsonl", text), ("p.jsonl.gz", F.gzip(text)), ("p.jsonl.zst", F.zstd(text))] {
            F.write(dir + "/" + name, bytes)
            try assertSameAsOneThread(dir + "/" + name)
            try assertSameAsOneThread(dir + "/" + name, maxLineLength: 300)   // the long lines become skips
        }
        let gz = F.gzip(text)
        F.write(dir + "/cut.jsonl.gz", Array(gz[..<(gz.count * 2 / 3)]))
        try assertSameAsOneThread(dir + "/cut.jsonl.gz")
    }

    /// A document the consumer refuses (over a limit) is a skip with its line, as on one thread;
    /// an error the consumer throws for another reason stops the read.
    func testConsumerErrors() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/c.jsonl"
        F.write(path, Array((0 ..< 50).map { #"{"id":"x\#($0)","text":"文本\#($0)"}"# }.joined(separator: "\n").utf8))
        var limits = InputReader.Limits()
        limits.parseThreads = 3
        limits.parseChunkBytes = 100
        var seen: [String] = [], skips: [SearchError] = []
        try InputReader.read(path: path, limits: limits, onDocument: { d in
            if d.id == "x7" { throw SearchError(.limitExceeded, "too big for this consumer") }
            seen.append(d.id)
        }, onSkip: { skips.append($0) }, onIgnore: { _ in }, onProgress: { _ in })
        XCTAssertEqual(seen.count, 49)
        XCTAssertEqual(skips.map(\.line), [8])
        XCTAssertEqual(skips.first?.path, path)
        var count = 0
        XCTAssertThrowsError(try InputReader.read(path: path, limits: limits, onDocument: { _ in
            count += 1
            if count == 20 { throw SearchError(.io, "disk full") }
        }, onSkip: { _ in }, onIgnore: { _ in }, onProgress: { _ in })) { XCTAssertEqual(($0 as? SearchError)?.code, .io) }
        XCTAssertEqual(count, 20)
    }
}
