import Foundation
import XCTest
@testable import CJKSearch
#if canImport(Glibc)
import Glibc
#endif

/// JSONL in every container (plain, gzip, multi-member gzip, zstd), sniffing, expand, progress.
final class IngestJSONLTests: XCTestCase {
    typealias F = IngestFixtures

    /// Three good records and a malformed one on line 3.
    static let lines = [
        #"{"id":"a","title":"标题","text":"重庆市政府今天召开新闻发布会","url":"https://example.com/a"}"#,
        #"{"id":2,"text":"東京都は日本の首都です"}"#,
        #"{"id":"broken","text":"#,
        "",
        #"{"id":"c","text":"한국어는 한글로 표기하는 언어입니다.","n":[1,2]}"#,
    ]

    func checkDocuments(_ r: F.Result, _ label: String, line: Int = 3) {
        XCTAssertEqual(r.documents.map(\.id), ["a", "2", "c"], label)
        XCTAssertEqual(r.document("a")?.title, "标题", label)
        XCTAssertEqual(r.document("a")?.body, "重庆市政府今天召开新闻发布会", label)
        XCTAssertEqual(r.document("a")?.fields, ["url": "https://example.com/a"], label)
        XCTAssertEqual(r.document("c")?.fields, ["n": "[1,2]"], label)
        XCTAssertEqual(r.skips.count, 1, "\(label): \(r.skips)")
        XCTAssertEqual(r.skips.first?.line, line, label)
        XCTAssertEqual(r.skipReasons, [.malformedJSON], label)
        XCTAssertEqual(r.skips.first?.path?.hasSuffix(label), true, label)
    }

    func testContainersAndNames() throws {
        let dir = makeTemporaryDirectory(self)
        let lf = Array((Self.lines.joined(separator: "\n") + "\n").utf8)
        let crlf = Array(Self.lines.joined(separator: "\r\n").utf8)   // no final line end
        let half = Self.lines.count / 2
        let first = Array((Self.lines[..<half].joined(separator: "\n") + "\n").utf8)
        let second = Array((Self.lines[half...].joined(separator: "\n") + "\n").utf8)
        let cases: [(name: String, bytes: [UInt8], compression: Compression)] = [
            ("plain.jsonl", lf, .none),
            ("crlf.jsonl", crlf, .none),
            ("one.jsonl.gz", F.gzip(lf), .gzip),
            ("members.jsonl.gz", F.gzip(first) + F.gzip(second), .gzip),
            ("members-padded.jsonl.gz", F.gzip(first) + F.gzip(second) + [0, 0, 0, 0], .gzip),
            ("frames.jsonl.zst", F.zstd(first) + F.zstd(second), .zstd),
            ("gzip-named-plain.jsonl", F.gzip(lf), .gzip),              // the magic number wins
            ("plain-named-gzip.jsonl.gz", lf, .none),
            ("zstd-named-gzip.jsonl.gz", F.zstd(lf), .zstd),
            ("compressed-other-name.data", F.gzip(lf), .gzip),          // compressed: JSONL
        ]
        for c in cases {
            let path = dir + "/" + c.name
            F.write(path, c.bytes)
            let r = try F.read(path)
            checkDocuments(r, c.name)
            XCTAssertEqual(r.progress.last, c.bytes.count, c.name)
            // The sniffing on a file descriptor.
            let fd = open(path, O_RDONLY)
            XCTAssertGreaterThanOrEqual(fd, 0)
            let sniffed = try InputReader.sniff(FileSource(fileDescriptor: fd, path: path, owns: false))
            XCTAssertEqual(sniffed.compression, c.compression, c.name)
            XCTAssertFalse(sniffed.isWARC, c.name)
            close(fd)
            // The old entry point.
            var ids: [String] = []
            try InputReader.read(path: path, onDocument: { ids.append($0.id) }, onSkip: { _ in })
            XCTAssertEqual(ids, ["a", "2", "c"], c.name)
        }
    }

    /// `-` reads standard input; here the same code on another descriptor, as the CLI would see a pipe.
    func testStandardInputStyleDescriptor() throws {
        let dir = makeTemporaryDirectory(self)
        let lf = Array((Self.lines.joined(separator: "\n") + "\n").utf8)
        var warc = F.WARC()
        warc.record("conversion", uri: "https://example.com/wet", content: Array("WET 标题\n正文".utf8))
        let cases: [(String, [UInt8], Int)] = [
            ("plain", lf, 3), ("gzip", F.gzip(lf), 3), ("zstd", F.zstd(lf), 3),
            ("warc", warc.bytes, 1), ("warc.gz", warc.multiMemberGzip, 1), ("warc.zst", F.zstd(warc.bytes), 1),
        ]
        for (name, bytes, count) in cases {
            let path = dir + "/stdin-" + name
            F.write(path, bytes)
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var docs: [Document] = []
            var progress: [Int] = []
            let handled = try InputReader.readStream(FileSource(fileDescriptor: fd, path: "-", owns: false), hint: .other,
                                                     limits: InputReader.Limits(), onDocument: { docs.append($0) },
                                                     onSkip: { _ in }, onIgnore: { _ in }, onProgress: { progress.append($0) })
            XCTAssertTrue(handled, name)
            XCTAssertEqual(docs.count, count, name)
            XCTAssertEqual(progress.last, bytes.count, name)
        }
        // A file of another name that is plain and not WARC stays a text document.
        let other = dir + "/notes.md"
        F.write(other, Array("Title line\nbody".utf8))
        let r = try F.read(other)
        XCTAssertEqual(r.documents, [Document(id: other, title: "Title line", body: "body")])
    }

    func testDamagedCompressedInput() throws {
        let dir = makeTemporaryDirectory(self)
        let lf = Array((Self.lines.joined(separator: "\n") + "\n").utf8)
        var big: [UInt8] = []
        for i in 0 ..< 10000 { big += Array(#"{"id":"d\#(i)","text":"第\#(i)个文件的内容，重复一些文字以便压缩。"}"#.utf8) + [0x0A] }
        let gz = F.gzip(big)
        var corrupt = gz
        for i in stride(from: gz.count / 2, to: gz.count / 2 + 64, by: 1) { corrupt[i] ^= 0x5A }
        let zst = F.zstd(big)
        let cases: [(name: String, bytes: [UInt8], reason: InputReader.SkipReason, someDocuments: Bool)] = [
            ("truncated.jsonl.gz", Array(gz[..<(gz.count * 2 / 3)]), .truncatedInput, true),
            ("truncated-second-member.jsonl.gz", F.gzip(lf) + Array(gz[..<(gz.count / 2)]), .truncatedInput, true),
            ("corrupt.jsonl.gz", corrupt, .corruptCompressedData, true),
            ("truncated.jsonl.zst", Array(zst[..<(zst.count * 2 / 3)]), .truncatedInput, true),
            ("header-only.jsonl.gz", [0x1F, 0x8B], .truncatedInput, false),
            ("garbage-after-magic.jsonl.zst", [0x28, 0xB5, 0x2F, 0xFD, 0x08] + [UInt8](repeating: 0xFF, count: 64), .corruptCompressedData, false),
        ]
        for c in cases {
            let path = dir + "/" + c.name
            F.write(path, c.bytes)
            let r = try F.read(path)
            XCTAssertEqual(r.skipReasons.filter { $0 != .malformedJSON && $0 != .invalidUTF8 }, [c.reason], "\(c.name): \(r.skips)")
            XCTAssertEqual(r.skips.last?.path, path)
            XCTAssertNotNil(r.skips.last?.offset)
            XCTAssertEqual(!r.documents.isEmpty, c.someDocuments, c.name)
            XCTAssertEqual(r.progress.last, c.bytes.count, c.name)
        }
    }

    /// Line numbers and offsets of skips count lines and bytes of the decompressed stream.
    func testSkipLocations() throws {
        let dir = makeTemporaryDirectory(self)
        let bad: [UInt8] = Array(#"{"id":"u","text":"ab"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        let bytes = Array((Self.lines[0] + "\n").utf8) + bad + [0x0A] + Array(#"{"text":"no id"}"#.utf8) + [0x0A]
        for (name, data) in [("plain.jsonl", bytes), ("z.jsonl.gz", F.gzip(bytes)), ("z.jsonl.zst", F.zstd(bytes))] {
            let path = dir + "/" + name
            F.write(path, data)
            let r = try F.read(path)
            XCTAssertEqual(r.documents.map(\.id), ["a"], name)
            XCTAssertEqual(r.skips.map(\.line), [2, 3], name)
            XCTAssertEqual(r.skips.first?.offset, Self.lines[0].utf8.count + 1 + 20, name)
            XCTAssertEqual(r.skipReasons, [.invalidUTF8, .invalidDocument], name)
        }
    }

    func testLongLinesAreSkippedNotHeld() throws {
        let dir = makeTemporaryDirectory(self)
        let long = #"{"id":"long","text":""# + String(repeating: "长", count: 400) + #""}"#
        let text = Self.lines[0] + "\n" + long + "\n" + Self.lines[1] + "\n"
        let path = dir + "/long.jsonl.gz"
        F.write(path, F.gzip(Array(text.utf8)))
        let r = try F.read(path, limits: InputReader.Limits(maxLineLength: 300))
        XCTAssertEqual(r.documents.map(\.id), ["a", "2"])
        XCTAssertEqual(r.skips.map(\.line), [2])
        XCTAssertEqual(r.skips.first?.offset, Self.lines[0].utf8.count + 1)
        XCTAssertEqual(r.skipReasons, [.limitExceeded])
    }

    func testProgressCountsCompressedBytes() throws {
        let dir = makeTemporaryDirectory(self)
        var rng = SeededRandom(seed: 7)
        var text: [UInt8] = []
        var n = 0
        while text.count < 6 << 20 {   // random hex: about 2:1 under gzip, so > 2 MiB compressed
            var hex = ""
            for _ in 0 ..< 16 { hex += String(rng.next(), radix: 16) }
            text += Array(#"{"id":"r\#(n)","text":"\#(hex)"}"#.utf8) + [0x0A]
            n += 1
        }
        let gz = F.gzip(text)
        XCTAssertGreaterThan(gz.count, 2 << 20)
        let path = dir + "/big.jsonl.gz"
        F.write(path, gz)
        let r = try F.read(path)
        XCTAssertEqual(r.documents.count, n)
        XCTAssertGreaterThanOrEqual(r.progress.count, 3)
        XCTAssertEqual(r.progress, r.progress.sorted())
        XCTAssertEqual(r.progress.last, gz.count)
        XCTAssertLessThanOrEqual(r.progress.max()!, gz.count)
    }

    func testExpand() throws {
        let dir = makeTemporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/sub/deeper", withIntermediateDirectories: true)
        let wanted = ["a.txt", "b.jsonl", "c.jsonl.gz", "d.jsonl.zst", "e.warc", "f.warc.gz", "g.wet", "h.wet.gz",
                      "i.warc.wet.gz", "sub/j.jsonl", "sub/deeper/k.warc.gz"]
        let unwanted = ["x.json", "y.gz", "z.zst", ".hidden.jsonl", "sub/model.bin", "w.warc.zst"]
        for f in wanted + unwanted { F.write(dir + "/" + f, [0x7B, 0x7D]) }
        let files = try InputReader.expand([dir, "-", dir + "/x.json"])
        XCTAssertEqual(files, wanted.map { dir + "/" + $0 }.sorted() + ["-", dir + "/x.json"])
        assertThrowsSearchError(.indexNotFound) { _ = try InputReader.expand([dir + "/missing.jsonl"]) }
    }

    /// Both public entry points, with trailing closures as callers write them.
    func testEntryPointsWithTrailingClosures() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/t.jsonl"
        F.write(path, Array((Self.lines.joined(separator: "\n") + "\n").utf8))
        var ids: [String] = []
        var skipped = 0
        try InputReader.read(path: path, onDocument: { ids.append($0.id) }) { _ in skipped += 1 }
        var progress: [Int] = []
        try InputReader.read(path: path, onDocument: { ids.append($0.id) }, onSkip: { _ in skipped += 1 }) { progress.append($0) }
        var ignored: [InputReader.SkipReason] = []
        try InputReader.read(path: path, onDocument: { ids.append($0.id) }, onSkip: { _ in skipped += 1 },
                             onIgnore: { ignored.append($0) }, onProgress: { progress.append($0) })
        XCTAssertEqual(ids, ["a", "2", "c", "a", "2", "c", "a", "2", "c"])
        XCTAssertEqual(skipped, 3)
        XCTAssertEqual(progress, [FileIO.fileSize(path)!, FileIO.fileSize(path)!])
        XCTAssertEqual(ignored, [])
        // .txt files: one document, as before.
        let txt = dir + "/page.txt"
        F.write(txt, Array("  标题 \n正文\n第二行".utf8))
        var docs: [Document] = []
        try InputReader.read(path: txt, onDocument: { docs.append($0) }, onSkip: { XCTFail("\($0)") })
        XCTAssertEqual(docs, [Document(id: txt, title: "标题", body: "正文\n第二行")])
    }

    func testSkipReasonMapping() {
        let cases: [(SearchError, InputReader.SkipReason)] = [
            (SearchError(.invalidInput, "malformed JSON"), .malformedJSON),
            (SearchError(.invalidInput, "line is not a JSON object"), .malformedJSON),
            (SearchError(.invalidInput, "invalid UTF-8 at byte 3 of the line"), .invalidUTF8),
            (SearchError(.invalidInput, "no \"id\""), .invalidDocument),
            (SearchError(.invalidInput, "\"text\" is not a string"), .invalidDocument),
            (SearchError(.invalidInput, "document id is empty"), .invalidDocument),
            (SearchError(.limitExceeded, "line is 9 bytes; the limit is 8"), .limitExceeded),
            (SearchError(.invalidInput, "malformed WARC record: no Content-Length"), .malformedWARC),
            (SearchError(.invalidInput, "truncated input: the file ends inside a WARC record"), .truncatedInput),
            (SearchError(.invalidInput, "corrupt compressed data: gzip: invalid block type"), .corruptCompressedData),
            (SearchError(.invalidInput, "unsupported charset: x-klingon"), .unsupportedCharset),
            (SearchError(.invalidInput, "invalid encoding: the HTML body is not valid GB18030 at byte 4"), .invalidEncoding),
            (SearchError(.invalidInput, "unsupported content encoding: br"), .unsupportedContentEncoding),
        ]
        for (error, reason) in cases {
            XCTAssertEqual(error.skipReason, reason, error.message)
            XCTAssertEqual(InputReader.skipReason(of: error), reason.rawValue)
        }
    }

    func testLineReader() throws {
        // Lines around and across a tiny buffer, with a limit.
        let text = ["", "a", String(repeating: "x", count: 63), String(repeating: "y", count: 64), String(repeating: "z", count: 65),
                    String(repeating: "長", count: 40), String(repeating: "w", count: 150), "\r", "end"]
        let joined = Array(text.joined(separator: "\n").utf8)
        for bufferSize in [64, 100, 4096] {
            final class Bytes: ByteSource {
                var data: [UInt8]
                var pos = 0
                let step: Int
                init(_ d: [UInt8], step: Int) { data = d; self.step = step }
                func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                    let n = min(buffer.count, data.count - pos, step)
                    data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + pos, byteCount: n) }
                    pos += n
                    return n
                }
            }
            for step in [1, 7, 1000] {
                let reader = LineReader(source: Bytes(joined, step: step), maxLineLength: 130, bufferSize: bufferSize)
                var offset = 0
                for (i, expected) in text.enumerated() {
                    let label = "buffer \(bufferSize), step \(step), line \(i + 1)"
                    guard let line = try reader.nextLine() else { XCTFail(label); break }
                    XCTAssertEqual(line.number, i + 1, label)
                    XCTAssertEqual(line.offset, offset, label)
                    XCTAssertEqual(line.length, expected.utf8.count, label)
                    XCTAssertEqual(line.isTooLong, expected.utf8.count > 130, label)
                    if !line.isTooLong { XCTAssertEqual(String(decoding: line.bytes, as: UTF8.self), expected, label) }
                    offset += expected.utf8.count + 1
                }
                XCTAssertNil(try reader.nextLine())
            }
        }
    }
}
