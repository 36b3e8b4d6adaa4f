import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads documents from files: `.txt` (one document) and `.jsonl` (one JSON object per line),
/// and directories of them.
///
/// - `.txt`: id = the path as given, title = the first line, body = the rest.
/// - `.jsonl`: each line an object with `"id"` (string or number), `"text"` (string) and optional
///   `"title"` (string); every other key is kept as a stored field (strings as they are, other
///   JSON values as their JSON text). Blank lines are skipped silently.
///
/// A bad record (invalid UTF-8, malformed JSON, a missing or mistyped `"id"` or `"text"`) is
/// reported through `onSkip` as a ``SearchError`` with the file and line, and reading goes on.
/// Files are streamed line by line: memory does not grow with the file.
public enum InputReader {
    /// Expands inputs into files: a file stays as given; a directory contributes its `.txt` and
    /// `.jsonl` files, recursively, in sorted path order.
    ///
    /// - Throws: ``SearchError`` if an input does not exist.
    public static func expand(_ inputs: [String]) throws -> [String] {
        var out: [String] = []
        for input in inputs {
            if FileIO.isDirectory(input) {
                out.append(contentsOf: try walk(input))
            } else if FileIO.exists(input) {
                out.append(input)
            } else {
                throw SearchError(.indexNotFound, "no such file or directory", path: input)
            }
        }
        return out
    }

    private static func walk(_ dir: String) throws -> [String] {
        var out: [String] = []
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        for name in try FileIO.listDirectory(base) where !name.hasPrefix(".") {
            let path = base + "/" + name
            if FileIO.isDirectory(path) {
                out.append(contentsOf: try walk(path))
            } else if name.hasSuffix(".txt") || name.hasSuffix(".jsonl") {
                out.append(path)
            }
        }
        return out.sorted()
    }

    /// Reads the documents of one file.
    ///
    /// - Parameters:
    ///   - onDocument: called with each good document, in file order.
    ///   - onSkip: called with each bad record's error (path and line set).
    /// - Throws: when the file cannot be read at all, or when `onDocument` throws.
    public static func read(path: String, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        if path.hasSuffix(".jsonl") {
            try readJSONL(path: path, onDocument: onDocument, onSkip: onSkip)
        } else {
            try readText(path: path, onDocument: onDocument, onSkip: onSkip)
        }
    }

    static func readText(path: String, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        let bytes = try FileIO.readFile(path)
        if let bad = bytes.withUnsafeBufferPointer({ UTF8Decoder.firstInvalidOffset($0) }) {
            let line = bytes[..<bad].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            onSkip(SearchError(.invalidInput, "invalid UTF-8", path: path, offset: bad, line: line))
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let title: Substring, body: Substring
        if let nl = text.firstIndex(of: "\n") {
            title = text[..<nl]
            body = text[text.index(after: nl)...]
        } else {
            title = text[...]
            body = ""
        }
        try onDocument(Document(id: path, title: title.trimmingCharacters(in: .whitespacesAndNewlines), body: String(body)))
    }

    static func readJSONL(path: String, onDocument: (Document) throws -> Void, onSkip: (SearchError) -> Void) throws {
        guard let file = fopen(path, "rb") else {
            throw FileIO.errnoError("open", path: path, errno: errno)
        }
        defer { fclose(file) }
        var linePointer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(linePointer) }
        var lineNumber = 0
        var offset = 0
        while true {
            let n = getline(&linePointer, &capacity, file)
            if n < 0 {
                if ferror(file) != 0 { throw FileIO.errnoError("read", path: path, errno: errno) }
                break
            }
            lineNumber += 1
            let lineOffset = offset
            offset += n
            let raw = UnsafeRawPointer(linePointer!).assumingMemoryBound(to: UInt8.self)
            var length = n
            while length > 0 && (raw[length - 1] == 0x0A || raw[length - 1] == 0x0D) { length -= 1 }
            let buffer = UnsafeBufferPointer(start: raw, count: length)
            if buffer.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let doc = try parseJSONLine(buffer)
                try onDocument(doc)
            } catch var error as SearchError where error.code == .invalidInput || error.code == .limitExceeded {
                error.path = path
                error.line = lineNumber
                if let o = error.offset { error.offset = lineOffset + o }
                onSkip(error)
            }
        }
    }

    /// Parses one JSONL record.
    public static func parseJSONLine(_ bytes: UnsafeBufferPointer<UInt8>) throws -> Document {
        if let bad = UTF8Decoder.firstInvalidOffset(bytes) {
            throw SearchError(.invalidInput, "invalid UTF-8 at byte \(bad) of the line", offset: bad)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(buffer: bytes), options: [.fragmentsAllowed])
        } catch {
            throw SearchError(.invalidInput, "malformed JSON")
        }
        guard let dict = object as? [String: Any] else {
            throw SearchError(.invalidInput, "line is not a JSON object")
        }
        let id: String
        switch dict["id"] {
        case let s as String: id = s
        case let n as NSNumber where !(n is Bool): id = n.stringValue
        case nil: throw SearchError(.invalidInput, "no \"id\"")
        default: throw SearchError(.invalidInput, "\"id\" is not a string or number")
        }
        if id.isEmpty { throw SearchError(.invalidInput, "\"id\" is empty") }
        guard let textValue = dict["text"] else { throw SearchError(.invalidInput, "no \"text\"") }
        guard let text = textValue as? String else { throw SearchError(.invalidInput, "\"text\" is not a string") }
        var title = ""
        if let t = dict["title"] {
            if let s = t as? String { title = s } else if !(t is NSNull) {
                throw SearchError(.invalidInput, "\"title\" is not a string")
            }
        }
        var fields: [String: String] = [:]
        for (k, v) in dict where k != "id" && k != "text" && k != "title" {
            if let s = v as? String {
                fields[k] = s
            } else if let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .sortedKeys]) {
                fields[k] = String(decoding: data, as: UTF8.self)
            }
        }
        let doc = Document(id: id, title: title, body: text, fields: fields)
        try doc.validate()
        return doc
    }
}
