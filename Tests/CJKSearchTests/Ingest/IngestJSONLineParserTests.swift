import Foundation
import XCTest
@testable import CJKSearch

/// The string-only fast path of the JSONL reader must give exactly what the Foundation parser
/// gives, and step aside (nil) for anything it does not handle.
final class IngestJSONLineParserTests: XCTestCase {
    private func foundation(_ line: String) -> [String: String]? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) as? [String: Any] else { return nil }
        var out: [String: String] = [:]
        for (k, v) in o { guard let s = v as? String else { return nil }; out[k] = s }
        return out
    }

    private func fast(_ line: String) -> [String: String]? {
        var scratch: [UInt8] = []
        var l = line
        return l.withUTF8 { b in
            JSONLineParser.parse(b, scratch: &scratch).map { Dictionary(uniqueKeysWithValues: $0.pairs.map { ($0.key, $0.value) }) }
        }
    }

    func testTable() {
        // Row: line → handled by the fast path (and then equal to Foundation's result)?
        let rows: [(String, Bool)] = [
            (#"{"id":"a","text":"東京"}"#, true),
            (#"  { "id" : "a" , "title":"t", "text" : "x\ny" }  "#, true),
            (#"{}"#, true),
            (#"{"id":"a","text":"q\"uote \\ back \/ slash \b\f\n\r\t"}"#, true),
            (#"{"id":"\u6771\u4eac","text":"\ud83c\udf89 party"}"#, true),
            (#"{"id":"a","text":"\u0000"}"#, true),
            (#"{"id":1,"text":"x"}"#, false),                 // number
            (#"{"id":"a","text":"x","n":null}"#, false),      // null
            (#"{"id":"a","text":"x","o":{"k":"v"}}"#, false), // nested
            (#"{"id":"a","id":"b","text":"x"}"#, false),      // repeated key
            (#"{"id":"a","text":"\ud83c"}"#, false),          // lone surrogate
            (#"{"id":"a","text":"x"} trailing"#, false),
            (#"{"id":"a","text":"x",}"#, false),
            (#"{"id":"a" "text":"x"}"#, false),
            ("{\"id\":\"a\",\"text\":\"tab\tinside\"}", false),   // a raw tab inside a string
            (#"["id"]"#, false),
            (#"{"id":"a","text":"\x"}"#, false),
            (#"{"id":"a","text":"unterminated}"#, false),
        ]
        for (line, handled) in rows {
            let f = fast(line)
            XCTAssertEqual(f != nil, handled, line)
            if let f { XCTAssertEqual(f, foundation(line), line) }
        }
    }

    func testRandomStringsAgreeWithFoundation() throws {
        var rng = SeededRandom(seed: 17)
        let alphabet = Array("ab東京한국\"\\/\n\t\u{1F389}é ") + ["\u{7F}", "\u{2028}"]
        for _ in 0 ..< 500 {
            var object: [String: String] = [:]
            for k in 0 ..< Int(rng.next() % 5) {
                object["k\(k)"] = String((0 ..< Int(rng.next() % 20)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            }
            let line = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            XCTAssertEqual(fast(line), object, line)
        }
    }

    func testParseJSONLineUsesTheSameRulesOnBothPaths() throws {
        var a = #"{"id":"x","title":"t","text":"本文","url":"u"}"#, b = #"{"id":"x","title":"t","text":"本文","url":"u","n":1}"#
        let da = try a.withUTF8 { try InputReader.parseJSONLine($0) }
        let db = try b.withUTF8 { try InputReader.parseJSONLine($0) }
        XCTAssertEqual(da.fields, ["url": "u"])
        XCTAssertEqual(db.fields, ["url": "u", "n": "1"])
        XCTAssertEqual(Document(id: da.id, title: da.title, body: da.body), Document(id: db.id, title: db.title, body: db.body))
        for (line, message) in [(#"{"text":"x"}"#, "no \"id\""), (#"{"id":"","text":"x"}"#, "\"id\" is empty"), (#"{"id":"a"}"#, "no \"text\"")] {
            var l = line
            XCTAssertThrowsError(try l.withUTF8 { try InputReader.parseJSONLine($0) }) { e in
                XCTAssertEqual((e as? SearchError)?.message, message, line)
            }
        }
    }
}
