import XCTest
@testable import CJKSearch

/// HTML to text and charset handling.
final class IngestHTMLTextTests: XCTestCase {
    func extract(_ html: String) -> (title: String, text: String) {
        Array(html.utf8).withUnsafeBufferPointer { HTMLText.extract($0) }
    }

    func testExtraction() {
        let cases: [(html: String, title: String, text: String)] = [
            ("", "", ""),
            ("plain text", "", "plain text"),
            ("<p>one</p><p>two</p>", "", "one\ntwo"),
            ("<title> The  Title </title><body>x</body>", "The Title", "The Title\nx"),
            ("<TITLE>Upper</TITLE><P>Body", "Upper", "Upper\nBody"),
            ("a<b>b</b>c <i>d</i>", "", "abc d"),
            ("<script>var x = '<p>no</p>';</script>yes", "", "yes"),
            ("<SCRIPT type=x>alert(1)</SCRIPT >yes<style>p{}</style><noscript>ns</noscript>!", "", "yes!"),
            ("<script>never closed <p>text", "", ""),
            ("a<!-- comment <p> -->b<!--unterminated", "", "ab"),
            ("<!DOCTYPE html><?xml version='1.0'?>x", "", "x"),
            ("1 < 2 and 3 > 2", "", "1 < 2 and 3 > 2"),
            ("a</ weird>b", "", "ab"),
            ("<a href=\"x>y\" title='>'>link</a>", "", "link"),
            ("&amp;&lt;&gt;&quot;&#39;&apos;", "", "&<>\"''"),
            ("x&nbsp;&nbsp;y", "", "x y"),
            ("&#20013;&#x6587;&#X6587;&#0;&#xD800;&#99999999;", "", "中文文\u{FFFD}\u{FFFD}\u{FFFD}"),
            ("&copy; &mdash; &hellip; &euro; &ldquo;q&rdquo;", "", "© — … € “q”"),
            ("&unknown; & alone &amp", "", "&unknown; & alone &"),
            ("  lots   of \n\t space  ", "", "lots of space"),
            ("<ul><li>一</li><li>二</li></ul><br/><br><div>三</div>", "", "一\n二\n三"),
            ("<table><tr><td>a</td><td>b</td></tr></table>", "", "a\nb"),
            ("<h1>标题</h1>正文<h6>小</h6>", "", "标题\n正文\n小"),
            ("<title>a &amp; b</title>", "a & b", "a & b"),
            ("<title>unclosed title", "unclosed title", "unclosed title"),
            ("<svg><title>second</title></svg><title>x</title>", "second", "second\nx"),
            ("<p>text", "", "text"),
            ("<", "", "<"),
            ("<p", "", ""),
            ("&", "", "&"),
            ("&#", "", "&#"),
            ("<figcaption>cap</figcaption>after", "", "cap\nafter"),
        ]
        for c in cases {
            let (title, text) = extract(c.html)
            XCTAssertEqual(title, c.title, c.html)
            XCTAssertEqual(text, c.text, c.html)
        }
    }

    func testArbitraryBytesDoNotTrap() {
        var rng = SeededRandom(seed: 42)
        let alphabet = Array("<>&#;/!-x=\"' \npscriptitle中".utf8)
        for _ in 0 ..< 2000 {
            let n = Int(rng.next() % 64)
            let bytes = (0 ..< n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            // Not always valid UTF-8 (cut multi-byte sequences): must not trap.
            _ = bytes.withUnsafeBufferPointer { HTMLText.extract($0) }
        }
    }

    func testCharsetLabels() {
        let cases: [(String, String?)] = [
            ("utf-8", nil), ("UTF8", nil), ("\"utf-8\"", nil), ("", nil),
            ("gb2312", "GB18030"), ("GBK", "GB18030"), ("gb18030", "GB18030"),
            ("big5", "BIG5-HKSCS"), ("Shift_JIS", "CP932"), ("x-sjis", "CP932"), ("euc-jp", "EUC-JP"),
            ("EUC-KR", "CP949"), ("iso-8859-1", "WINDOWS-1252"), ("us-ascii", "WINDOWS-1252"),
            ("windows-1251", "WINDOWS-1251"), ("koi8-r", "KOI8-R"), ("utf-16", "UTF-16LE"),
            ("../../etc/passwd", "?../../etc/passwd"),
        ]
        for (label, name) in cases { XCTAssertEqual(Charset.iconvName(forLabel: label), name, label) }
    }

    func testCharsetDeclarations() {
        let headers: [(String, String?)] = [
            ("text/html; charset=GBK", "GBK"), ("text/html;charset=\"big5\"", "big5"),
            ("text/html; Charset = 'euc-jp' ; q=1", "euc-jp"), ("text/html", nil), ("text/html; charset=", nil),
        ]
        for (value, charset) in headers { XCTAssertEqual(Charset.parameter(fromContentType: value), charset, value) }
        let metas: [(String, String?)] = [
            ("<meta charset=\"gbk\">", "gbk"),
            ("<META CHARSET=shift_jis>", "shift_jis"),
            ("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=euc-kr\">", "euc-kr"),
            ("<meta name=\"x\" content=\"y\"><meta charset='big5'/>", "big5"),
            ("<metadata charset=gbk>", nil),
            ("<p>charset=gbk</p>", nil),
            (String(repeating: " ", count: 2100) + "<meta charset=gbk>", nil),   // past the first 2 KB
        ]
        for (html, charset) in metas {
            XCTAssertEqual(Array(html.utf8).withUnsafeBufferPointer { Charset.sniffMeta($0) }, charset, html)
        }
    }

    func testConverter() throws {
        let converter = CharsetConverter()
        let cases: [(String, String)] = [
            ("重庆市政府今天召开新闻发布会", "GB18030"), ("臺北市的捷運系統", "BIG5-HKSCS"),
            ("東京都は日本の首都です", "CP932"), ("東京都は日本の首都です", "EUC-JP"),
            ("서울특별시는 대한민국의 수도이다", "CP949"), ("café – “quotes”", "WINDOWS-1252"),
        ]
        var out: [UInt8] = []
        for (text, charset) in cases {
            let bytes = IngestFixtures.encode(text, charset)
            try bytes.withUnsafeBufferPointer { try converter.convert($0, from: charset, into: &out) }
            XCTAssertEqual(String(decoding: out, as: UTF8.self), text, charset)
        }
        // Large input: more than one output chunk.
        let long = String(repeating: "中文字符", count: 20000)
        try IngestFixtures.encode(long, "GB18030").withUnsafeBufferPointer { try converter.convert($0, from: "GB18030", into: &out) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), long)
        // Invalid and incomplete sequences, unknown charsets.
        XCTAssertThrowsError(try [0x41, 0xFF, 0x42].withUnsafeBufferPointer { try converter.convert($0, from: "GB18030", into: &out) }) {
            XCTAssertEqual($0 as? CharsetConverter.Failure, .invalid(charset: "GB18030", offset: 1))
        }
        XCTAssertThrowsError(try [0x41, 0xB0].withUnsafeBufferPointer { try converter.convert($0, from: "GB18030", into: &out) }) {
            XCTAssertEqual($0 as? CharsetConverter.Failure, .invalid(charset: "GB18030", offset: 1))
        }
        XCTAssertThrowsError(try [0x41].withUnsafeBufferPointer { try converter.convert($0, from: "X-KLINGON", into: &out) }) {
            XCTAssertEqual($0 as? CharsetConverter.Failure, .unsupported("X-KLINGON"))
        }
    }
}
