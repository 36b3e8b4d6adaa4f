import Foundation
import XCTest
@testable import CJKSearch
#if canImport(Glibc)
import Glibc
#endif

/// WARC and WET files: record types, charsets, HTML, malformed and truncated records.
final class IngestWARCTests: XCTestCase {
    typealias F = IngestFixtures

    func testWET() throws {
        let dir = makeTemporaryDirectory(self)
        var wet = F.WARC()
        wet.record("warcinfo", headers: ["Content-Type: application/warc-fields"],
                   content: Array("software: test\r\nformat: WARC File Format 1.0\r\n".utf8))
        wet.record("conversion", uri: "https://example.com/zh", headers: ["Content-Type: text/plain"],
                   content: Array("\n  重庆新闻 \n重庆市政府今天召开新闻发布会，介绍经济发展情况。\n第二段。".utf8))
        wet.record("conversion", uri: "https://example.com/en", content: Array("Hello world\nSecond line".utf8))
        wet.record("conversion", uri: "https://example.com/empty", content: [])
        wet.record("conversion", uri: "https://example.com/bad", content: [0x41, 0xFF, 0x42])
        wet.record("conversion", uri: "https://example.com/ja", content: Array("東京\r\n東京都は日本の首都です。".utf8))
        let expected: [(id: String, title: String, body: String)] = [
            ("https://example.com/zh", "重庆新闻", "\n  重庆新闻 \n重庆市政府今天召开新闻发布会，介绍经济发展情况。\n第二段。"),
            ("https://example.com/en", "Hello world", "Hello world\nSecond line"),
            ("https://example.com/empty", "", ""),
            ("https://example.com/ja", "東京", "東京\r\n東京都は日本の首都です。"),
        ]
        let cases: [(String, [UInt8])] = [
            ("crawl.warc.wet.gz", wet.multiMemberGzip),
            ("crawl.wet", wet.bytes),
            ("crawl.wet.gz", F.gzip(wet.bytes)),
            ("no-extension", wet.bytes),                 // sniffed by "WARC/"
            ("crawl.wet.zst-inside.jsonl", F.zstd(wet.bytes)),   // the bytes win over the name
        ]
        for (name, bytes) in cases {
            let path = dir + "/" + name
            F.write(path, bytes)
            let r = try F.read(path)
            XCTAssertEqual(r.documents.map(\.id), expected.map(\.id), name)
            for e in expected {
                XCTAssertEqual(r.document(e.id)?.title, e.title, "\(name) \(e.id)")
                XCTAssertEqual(r.document(e.id)?.body, e.body, "\(name) \(e.id)")
            }
            XCTAssertEqual(r.skipReasons, [.invalidUTF8], name)
            XCTAssertEqual(r.skips.first?.offset, wet.offsets[4], name)
            XCTAssertEqual(r.skips.first?.path, path, name)
            XCTAssertEqual(r.ignored, [], name)
            XCTAssertEqual(r.progress.last, bytes.count, name)
        }
    }

    /// The crawl of the brief: warcinfo, request, pages in GBK, Big5, Shift_JIS (meta), EUC-KR
    /// (http-equiv), UTF-8 with chunked gzip, a PNG, a 404, a malformed record in the middle, bad
    /// charsets, and a truncated last record.
    func makeCrawl() -> (warc: F.WARC, expected: [String: (title: String, contains: [String], excludes: [String])],
                         skips: [(InputReader.SkipReason, Int)], ignored: [InputReader.SkipReason]) {
        var w = F.WARC()
        var expected: [String: (title: String, contains: [String], excludes: [String])] = [:]
        var skips: [(InputReader.SkipReason, Int)] = []
        w.record("warcinfo", headers: ["Content-Type: application/warc-fields"], content: Array("software: test\r\n".utf8))
        w.record("request", uri: "http://gbk.example.cn/", headers: ["Content-Type: application/http; msgtype=request"],
                 content: Array("GET / HTTP/1.1\r\nHost: gbk.example.cn\r\n\r\n".utf8))

        let gbkHTML = """
            <!DOCTYPE html><html><head><title>重庆 新闻</title>
            <script type="text/javascript">var secret = "脚本内容不应出现"; if (a < b) {}</script>
            <style>.x { color: red }</style><!-- 注释不应出现 --></head>
            <body><div><p>重庆市政府今天召开新闻发布会，介绍经济发展情况。</p>
            <p>A &amp; B &lt;tag&gt; &#20013;&#x6587; &quot;引号&quot;</p><noscript>请启用脚本</noscript></div></body></html>
            """
        w.record("response", uri: "http://gbk.example.cn/", headers: ["Content-Type: application/http; msgtype=response"],
                 content: F.http(headers: ["Content-Type: text/html; charset=GBK", "Server: test"], body: F.encode(gbkHTML, "GBK")))
        expected["http://gbk.example.cn/"] = ("重庆 新闻", ["重庆市政府今天召开新闻发布会，介绍经济发展情况。", "A & B <tag> 中文 \"引号\""],
                                              ["脚本内容不应出现", "color", "注释不应出现", "请启用脚本", "<p>"])

        let big5HTML = "<html><head><title>臺北捷運</title></head><body><h1>臺北市的捷運系統</h1><ul><li>非常方便</li><li>人工智慧技術</li></ul></body></html>"
        w.record("response", uri: "http://big5.example.tw/", content: F.http(headers: ["Content-Type: text/html;charset=\"big5\""], body: F.encode(big5HTML, "BIG5")))
        expected["http://big5.example.tw/"] = ("臺北捷運", ["臺北市的捷運系統\n非常方便\n人工智慧技術"], [])

        let sjisHTML = "<html><head><meta charset=\"Shift_JIS\"><title>東京</title></head><body><p>東京都は、日本の首都であり、世界有数の大都市です。</p></body></html>"
        w.record("response", uri: "http://sjis.example.jp/", content: F.http(headers: ["Content-Type: text/html"], body: F.encode(sjisHTML, "SHIFT_JIS")))
        expected["http://sjis.example.jp/"] = ("東京", ["東京都は、日本の首都であり、世界有数の大都市です。"], [])

        let krHTML = "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=euc-kr\"><title>서울</title></head><body><td>서울특별시는 대한민국의 수도이다.</td></body></html>"
        w.record("response", uri: "http://kr.example.kr/", content: F.http(headers: ["Content-Type: text/html"], body: F.encode(krHTML, "EUC-KR")))
        expected["http://kr.example.kr/"] = ("서울", ["서울특별시는 대한민국의 수도이다."], [])

        // UTF-8, gzip content encoding, chunked, no charset anywhere, angle-bracketed URI.
        let utf8HTML = Array("<html><head><title>Mixed 混合</title></head><body>Line one<br>Line&nbsp;two &copy; 2024</body></html>".utf8)
        let gz = F.gzip(utf8HTML)
        var chunked: [UInt8] = Array("a\r\n".utf8)
        chunked += gz[..<10]
        chunked += Array("\r\n".utf8)
        chunked += Array((String(gz.count - 10, radix: 16, uppercase: true) + ";ext=1\r\n").utf8)
        chunked += gz[10...]
        chunked += Array("\r\n0\r\n\r\n".utf8)
        w.record("response", uri: "<http://utf8.example.com/>",
                 content: F.http(headers: ["Content-Type: text/html", "Content-Encoding: gzip", "Transfer-Encoding: chunked"], body: chunked))
        expected["http://utf8.example.com/"] = ("Mixed 混合", ["Line one\nLine two © 2024"], [])

        w.record("metadata", uri: "http://gbk.example.cn/", content: Array("fetchTimeMs: 12\r\n".utf8))
        w.record("response", uri: "http://example.com/logo.png",
                 content: F.http(headers: ["Content-Type: image/png"], body: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        w.record("response", uri: "http://example.com/missing",
                 content: F.http(status: "404 Not Found", headers: ["Content-Type: text/html"], body: Array("<p>not found</p>".utf8)))

        // Malformed records: a header line without a colon, then an invalid Content-Length.
        let bad1 = w.raw(Array("WARC/1.0\r\nWARC-Type: response\r\nthis line has no colon\r\nContent-Length: 10\r\n\r\n0123456789\r\n\r\n".utf8))
        skips.append((.malformedWARC, bad1))
        let bad2 = w.record("response", uri: "http://bad.example/", content: Array("HTTP/1.1 200 OK\r\n\r\nx".utf8), contentLength: "12abc")
        skips.append((.malformedWARC, bad2))
        // Content-Length too short: the separator is not where it should be.
        let bad3 = w.record("conversion", uri: "http://short.example/", content: Array("0123456789".utf8), contentLength: "5")
        skips.append((.malformedWARC, bad3))

        let after = "<html><title>After</title><body>读取在错误之后继续</body></html>"
        w.record("response", uri: "http://after.example/", content: F.http(headers: ["Content-Type: text/html; charset=utf-8"], body: Array(after.utf8)))
        expected["http://after.example/"] = ("After", ["读取在错误之后继续"], [])

        let klingon = w.record("response", uri: "http://klingon.example/", content: F.http(headers: ["Content-Type: text/html; charset=x-klingon"], body: Array("<p>Qapla'</p>".utf8)))
        skips.append((.unsupportedCharset, klingon))
        let badGBK = w.record("response", uri: "http://badgbk.example/", content: F.http(headers: ["Content-Type: text/html; charset=gb2312"], body: Array("<p>".utf8) + [0xFF, 0xFE, 0x81]))
        skips.append((.invalidEncoding, badGBK))
        let badUTF8 = w.record("response", uri: "http://badutf8.example/", content: F.http(headers: ["Content-Type: text/html"], body: [0x3C, 0x70, 0x3E, 0xC3, 0x28]))
        skips.append((.invalidUTF8, badUTF8))
        let brotli = w.record("response", uri: "http://br.example/", content: F.http(headers: ["Content-Type: text/html", "Content-Encoding: br"], body: [1, 2, 3]))
        skips.append((.unsupportedContentEncoding, brotli))

        // A truncated last record.
        let full = Array("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://cut.example/\r\nContent-Length: 1000\r\n\r\nonly a few bytes".utf8)
        let cut = w.raw(full)
        skips.append((.truncatedInput, cut))
        return (w, expected, skips, [.notHTML, .httpStatus])
    }

    func testWARCResponses() throws {
        let dir = makeTemporaryDirectory(self)
        let (w, expected, skips, ignored) = makeCrawl()
        let cases: [(String, [UInt8])] = [
            ("crawl.warc", w.bytes),
            ("crawl.warc.gz", w.multiMemberGzip),
            ("one-member.warc.gz", F.gzip(w.bytes)),
            ("crawl.bin", F.zstd(w.bytes)),
        ]
        for (name, bytes) in cases {
            let path = dir + "/" + name
            F.write(path, bytes)
            let r = try F.read(path)
            XCTAssertEqual(Set(r.documents.map(\.id)), Set(expected.keys), name)
            XCTAssertEqual(r.documents.count, expected.count, name)
            for (id, e) in expected {
                guard let doc = r.document(id) else { continue }
                XCTAssertEqual(doc.title, e.title, "\(name) \(id)")
                for s in e.contains { XCTAssertTrue(doc.body.contains(s), "\(name) \(id): \(s) not in \(doc.body)") }
                for s in e.excludes { XCTAssertFalse(doc.body.contains(s), "\(name) \(id): \(s) in \(doc.body)") }
                XCTAssertTrue(doc.body.hasPrefix(e.title), "\(name) \(id): the title starts the text")
            }
            XCTAssertEqual(r.skipReasons, skips.map(\.0), "\(name): \(r.skips)")
            XCTAssertEqual(r.skips.map(\.offset), skips.map(\.1), name)
            XCTAssertTrue(r.skips.allSatisfy { $0.path == path && $0.line == nil }, name)
            XCTAssertEqual(r.ignored, ignored, name)
            XCTAssertEqual(r.progress.last, bytes.count, name)
        }
    }

    func testResynchronization() throws {
        let dir = makeTemporaryDirectory(self)
        var w = F.WARC()
        let junk = w.raw(Array("garbage before the first record\r\nmore garbage\r\n".utf8))
        w.record("conversion", uri: "u1", content: Array("one".utf8))
        let noLength = w.raw(Array("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: u-bad\r\n\r\nWARC/0.9 is not a record start\r\n".utf8))
        w.record("conversion", uri: "u2", content: Array("two".utf8))
        let noURI = w.record("conversion", content: Array("three".utf8))
        w.record("conversion", uri: "u4", content: Array("four".utf8))
        let path = dir + "/resync.warc"
        F.write(path, w.bytes)
        let r = try F.read(path)
        XCTAssertEqual(r.documents.map(\.id), ["u1", "u2", "u4"])
        XCTAssertEqual(r.skipReasons, [.malformedWARC, .malformedWARC, .malformedWARC])
        XCTAssertEqual(r.skips.map(\.offset), [junk, noLength, noURI])
        // The same records with LF line ends and no separator at the very end.
        let lf = String(decoding: w.bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let lfPath = dir + "/resync-lf.warc"
        F.write(lfPath, Array(lf.dropLast(2).utf8))
        let r2 = try F.read(lfPath)
        XCTAssertEqual(r2.documents.map(\.id), ["u1", "u2", "u4"])
        XCTAssertEqual(r2.skipReasons, [.malformedWARC, .malformedWARC, .malformedWARC])
    }

    func testRecordLimit() throws {
        let dir = makeTemporaryDirectory(self)
        var w = F.WARC()
        let big = w.record("conversion", uri: "big", content: Array(String(repeating: "大", count: 100).utf8))
        w.record("conversion", uri: "small", content: Array("小".utf8))
        let path = dir + "/limit.warc.gz"
        F.write(path, w.multiMemberGzip)
        let r = try F.read(path, limits: InputReader.Limits(maxRecordBytes: 200))
        XCTAssertEqual(r.documents.map(\.id), ["small"])
        XCTAssertEqual(r.skipReasons, [.limitExceeded])
        XCTAssertEqual(r.skips.first?.offset, big)
        XCTAssertEqual(r.skips.first?.code, .limitExceeded)
    }

    func testSniffWARCOnDescriptor() throws {
        let dir = makeTemporaryDirectory(self)
        var w = F.WARC()
        w.record("conversion", uri: "u", content: Array("text".utf8))
        for (name, bytes, compression) in [("p", w.bytes, Compression.none), ("g", w.multiMemberGzip, .gzip), ("z", F.zstd(w.bytes), .zstd)] {
            let path = dir + "/" + name
            F.write(path, bytes)
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            let sniffed = try InputReader.sniff(FileSource(fileDescriptor: fd, path: path, owns: false))
            XCTAssertEqual(sniffed.compression, compression, name)
            XCTAssertTrue(sniffed.isWARC, name)
            // Sniffing consumed nothing.
            XCTAssertEqual(String(decoding: try XCTUnwrap(sniffed.reader.nextLine()).bytes, as: UTF8.self), "WARC/1.0\r")
        }
    }
}

extension IngestWARCTests {
    /// WARC records converted on other threads give what one thread gives, in the same order:
    /// documents, skips with offsets, ignored records, progress, a truncated stream's last error.
    func testParallelConversionMatchesOneThread() throws {
        let dir = makeTemporaryDirectory(self)
        let (crawl, _, _, _) = makeCrawl()
        var w = F.WARC()
        w.raw(Array("garbage before the first record\r\n".utf8))
        for i in 0 ..< 40 {
            w.record("conversion", uri: "u\(i)", content: Array("第\(i)页\n重庆市政府今天召开新闻发布会。".utf8))
            if i % 7 == 3 { w.record("conversion", content: Array("no uri".utf8)) }
            if i % 9 == 4 { w.record("conversion", uri: "bad\(i)", content: [0x41, 0xFF]) }
        }
        let gz = crawl.multiMemberGzip
        let cases: [(String, [UInt8])] = [
            ("crawl.warc", crawl.bytes), ("crawl.warc.gz", gz), ("cut.warc.gz", Array(gz[..<(gz.count * 2 / 3)])),
            ("many.wet", w.bytes), ("many.wet.gz", w.multiMemberGzip),
        ]
        for (name, bytes) in cases {
            let path = dir + "/" + name
            F.write(path, bytes)
            let one = try F.read(path)
            XCTAssertFalse(one.documents.isEmpty, name)
            for (threads, chunk) in [(1, 1), (2, 200), (4, 1 << 20)] {
                var limits = InputReader.Limits()
                limits.parseThreads = threads
                limits.parseChunkBytes = chunk
                let many = try F.read(path, limits: limits)
                let label = "\(name) threads \(threads) chunk \(chunk)"
                XCTAssertEqual(many.documents, one.documents, label)
                XCTAssertEqual(many.skips.map(\.message), one.skips.map(\.message), label)
                XCTAssertEqual(many.skips.map(\.offset), one.skips.map(\.offset), label)
                XCTAssertEqual(many.ignored, one.ignored, label)
                XCTAssertEqual(many.progress.last, one.progress.last, label)
            }
        }
    }
}
