import XCTest
@testable import CJKSearch

/// QueryParser: the grammar (implicit AND, OR binding tighter, exclusions, phrases, groups) and
/// the malformed queries it refuses with .invalidQuery and a character offset.
final class QueryParserTests: XCTestCase {

    private static func t(_ s: String) -> Query { .text(s) }

    func testValidQueries() throws {
        let a = Self.t("a"), b = Self.t("b"), c = Self.t("c"), d = Self.t("d")
        let table: [(input: String, expected: Query, note: String)] = [
            ("a", a, "a single term"),
            ("  a  ", a, "surrounding spaces"),
            ("a b", .and([a, b]), "implicit AND"),
            ("a OR b", .or([a, b]), "OR"),
            ("a OR b OR c", .or([a, b, c]), "OR chains into one node"),
            ("a b OR c d", .and([a, .or([b, c]), d]), "OR binds tighter than the implicit AND"),
            ("-x a", .and([.not(Self.t("x")), a]), "exclusion first"),
            ("a -b", .and([a, .not(b)]), "exclusion after"),
            ("a -(b c)", .and([a, .not(.and([b, c]))]), "excluded group"),
            ("a -\"b c\"", .and([a, .not(Self.t("b c"))]), "excluded phrase"),
            ("\"new york\" city", .and([Self.t("new york"), Self.t("city")]), "phrase then term"),
            ("\"new, york!\"", Self.t("new, york!"), "phrase keeps its punctuation"),
            ("(a OR b) c", .and([.or([a, b]), c]), "group"),
            ("(a b) OR c", .or([.and([a, b]), c]), "group as an OR operand"),
            ("((a))", a, "redundant parentheses"),
            ("a (b)", .and([a, b]), "single-term group"),
            ("重慶經開區", Self.t("重慶經開區"), "a CJK string is one text query"),
            ("重慶\u{3000}經開區", .and([Self.t("重慶"), Self.t("經開區")]), "ideographic space separates"),
            ("重慶 OR 成都", .or([Self.t("重慶"), Self.t("成都")]), "CJK OR"),
            ("a or b", .and([a, Self.t("or"), b]), "lowercase or is a term"),
            ("a Or b", .and([a, Self.t("Or"), b]), "mixed-case Or is a term"),
            ("aOR b", .and([Self.t("aOR"), b]), "OR inside a word is not an operator"),
            ("a ORb", .and([a, Self.t("ORb")]), "OR as a word prefix is not an operator"),
            ("!!! 重慶", Self.t("重慶"), "a punctuation-only term is dropped"),
            ("a !!! b", .and([a, b]), "punctuation between terms is dropped"),
            ("a - b", .and([a, b]), "a lone - is punctuation, dropped"),
            ("a -", a, "trailing - dropped"),
            ("a-b", Self.t("a-b"), "hyphen inside a term"),
            ("\ta\n b\r", .and([a, b]), "tabs and newlines are whitespace"),
            ("\"a\"b", .and([a, b]), "phrase immediately followed by a term"),
            ("iPhone買った", Self.t("iPhone買った"), "mixed Latin and CJK stay one term"),
            ("(a OR b) -c d", .and([.or([a, b]), .not(c), d]), "group, exclusion, term"),
            ("a --b", .and([a, .not(Self.t("-b"))]), "-- excludes the term \"-b\""),
        ]
        for row in table {
            // A thrown error fails the assertion too.
            XCTAssertEqual(try QueryParser.parse(row.input), row.expected, "\(row.note): \(row.input)")
        }
    }

    func testMalformedQueries() {
        let deep100 = String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)
        let deep65 = String(repeating: "(", count: 65) + "a" + String(repeating: ")", count: 65)
        let tooMany = Array(repeating: "a", count: QueryParser.maxItems + 1).joined(separator: " ")
        let tooLong = String(repeating: "重", count: QueryParser.maxQueryBytes / 3 + 1)   // refused before it is looked at
        // Row: input → offset (in Unicode scalars) of the error, nil where there is no sensible place.
        let table: [(input: String, offset: Int?, note: String)] = [
            ("\"unclosed", 0, "unclosed quote: at the quote"),
            ("a \"b", 2, "unclosed quote after a term"),
            ("(a b", 0, "unclosed parenthesis: at the parenthesis"),
            ("重慶 (a", 3, "offsets count characters, not bytes"),
            ("a)", 1, "stray closing parenthesis"),
            ("(a))", 3, "one closing parenthesis too many"),
            ("OR a", 0, "OR with nothing on its left"),
            ("a OR", 2, "OR with nothing on its right"),
            ("a OR )", 2, "OR followed by a closing parenthesis"),
            ("(a OR) b", 3, "OR at the end of a group"),
            ("a OR OR b", 2, "OR OR"),
            ("a OR !!!", 5, "OR operand with nothing searchable"),
            ("a !!! OR b", 2, "OR whose left operand has nothing searchable"),
            ("\"\"", 0, "empty phrase"),
            ("a \"!!!\"", 2, "phrase with nothing searchable"),
            ("-a", 0, "exclusions only"),
            ("-a -b", 0, "two exclusions only"),
            ("(-a)", 0, "a group of exclusions only: at the group"),
            ("a (-b)", 2, "a group of exclusions only next to a term"),
            ("a OR -b", 5, "an exclusion as an OR operand"),
            ("-a OR b", 0, "an exclusion as the left OR operand"),
            ("a -OR", 2, "- followed by OR"),
            ("()", 0, "empty group"),
            ("a ()", 2, "empty group after a term"),
            ("( )", 0, "group of whitespace"),
            ("(!!!)", 0, "group with nothing searchable"),
            ("", nil, "empty query"),
            ("   ", nil, "whitespace only"),
            ("!!!", nil, "punctuation only: nothing to search"),
            ("\u{3000}", nil, "ideographic space only"),
            (deep65, 65, "65 levels: one deeper than maxDepth"),
            (deep100, 65, "100 levels: refused at the first level beyond maxDepth"),
            (tooMany, 2 * QueryParser.maxItems, "more than maxItems terms"),
            (tooLong, nil, "more than maxQueryBytes"),
        ]
        for row in table {
            do {
                let q = try QueryParser.parse(row.input)
                XCTFail("\(row.note): \(row.input.prefix(40)) parsed as \(q)")
            } catch let e as SearchError {
                XCTAssertEqual(e.code, .invalidQuery, "\(row.note): \(e)")
                XCTAssertEqual(e.offset, row.offset, "\(row.note): \(e)")
                XCTAssertFalse(e.message.isEmpty, row.note)
            } catch {
                XCTFail("\(row.note): unexpected \(error)")
            }
        }
    }

    func testLimitsAreInclusive() throws {
        let deep64 = String(repeating: "(", count: QueryParser.maxDepth) + "a" + String(repeating: ")", count: QueryParser.maxDepth)
        XCTAssertEqual(try QueryParser.parse(deep64), .text("a"), "exactly maxDepth levels")
        let many = Array(repeating: "a", count: QueryParser.maxItems).joined(separator: " ")
        guard case .and(let operands) = try QueryParser.parse(many) else { return XCTFail("expected AND") }
        XCTAssertEqual(operands.count, QueryParser.maxItems, "exactly maxItems terms")
        let words = String(repeating: "ab ", count: (QueryParser.maxQueryBytes - 2) / 3)
        let long = "\"" + words + String(repeating: "c", count: QueryParser.maxQueryBytes - 2 - words.utf8.count) + "\""
        XCTAssertEqual(long.utf8.count, QueryParser.maxQueryBytes)
        XCTAssertNoThrow(try QueryParser.parse(long), "exactly maxQueryBytes")
    }

    func testParsedQueriesValidate() throws {
        for text in ["a b OR c d", "-x a", "(a OR b) -c", "重慶 -廣告"] {
            XCTAssertNoThrow(try QueryParser.parse(text).validate(), text)
        }
    }

    func testValidateQueriesBuiltInCode() {
        // Row: a Query built directly → whether validate() accepts it.
        let table: [(query: Query, valid: Bool, note: String)] = [
            (.text("a"), true, "a text"),
            (.text(""), false, "empty text"),
            (.and([]), false, "empty AND"),
            (.or([]), false, "empty OR"),
            (.not(.text("a")), false, "a bare exclusion"),
            (.and([.not(.text("a"))]), false, "AND of exclusions only"),
            (.and([.text("a"), .not(.text("b"))]), true, "AND with a positive operand"),
            (.and([.text("a"), .not(.not(.text("b")))]), false, "double exclusion"),
            (.or([.text("a"), .not(.text("b"))]), false, "exclusion inside OR"),
            (.or([.text("a"), .and([.text("b"), .not(.text("c"))])]), true, "nested AND with exclusion inside OR"),
        ]
        for row in table {
            if row.valid {
                XCTAssertNoThrow(try row.query.validate(), row.note)
            } else {
                XCTAssertThrowsError(try row.query.validate(), row.note) {
                    XCTAssertEqual(($0 as? SearchError)?.code, .invalidQuery, row.note)
                }
            }
        }
    }

    func testDescription() {
        let q: Query = .and([.text("重慶"), .or([.text("經開區"), .text("開發區")]), .not(.text("廣告"))])
        XCTAssertEqual(q.description, "(\"重慶\" AND (\"經開區\" OR \"開發區\") AND -\"廣告\")")
    }
}
