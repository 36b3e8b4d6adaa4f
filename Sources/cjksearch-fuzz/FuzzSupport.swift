import Foundation
@testable import CJKSearch

/// Scratch files of the fuzz targets: one directory per process, in memory where `/dev/shm`
/// exists, removed at exit.
enum FuzzFiles {
    static let base: String = {
        let root = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = "\(root)/cjksearch-fuzz-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzFiles.base) }
        return dir
    }()

    /// A subdirectory of ``base``, created if needed.
    static func directory(_ name: String) -> String {
        let dir = base + "/" + name
        if !FileManager.default.fileExists(atPath: dir) {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        return dir
    }

    /// Writes `bytes` to `name` under ``base`` (replacing it) and returns the path.
    @discardableResult
    static func write<C: Collection>(_ bytes: C, name: String) -> String where C.Element == UInt8 {
        let path = base + "/" + name
        if let slash = name.lastIndex(of: "/") { _ = directory(String(name[..<slash])) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { fatalError("cannot write \(path): errno \(errno)") }
        defer { close(fd) }
        do {
            try Array(bytes).withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
        } catch {
            fatalError("cannot write \(path): \(error)")
        }
        return path
    }
}

/// Fixed material for the targets and the seeds.
enum FuzzSeeds {
    /// Short documents in the scripts the engine handles (and the crawl's pinyin artifact).
    static let documents: [String] = [
        "重慶經開區召開調研活動，當(dāng)前位置：首頁 > 新聞",
        "重庆经开区 召开 调研活动 2024年3月 涪陵",
        "東京タワーは東京都港区にある電波塔です。カタカナ と ひらがな",
        "서울 특별시는 대한민국의 수도이다. 한국어 검색",
        "The quick brown fox jumps over the lazy dog; café naïve ＡＢＣ１２３",
        "成都 天府 新區 OR 重慶 AND 經開區 \"引號\" (括號)",
        "ｻｰﾊﾞｰ サ-バ- サーバー 広島 廣島 广岛",
        "經開區經開區經開區 重慶 重慶 重慶 調研",
    ]

    /// Queries run against every fuzzed segment.
    static let queries: [String] = [
        "重慶", "經開區", "\"重慶 經開區\"", "重慶 -調研", "(涪陵 OR 經開區) 重慶", "東京", "サーバー",
        "서울", "fox", "\"quick brown\"", "q", "重", "重慶經開區調研活動",
    ]

    /// Writes the seeds that depend on the format (segment, manifest and deletions files) under
    /// `directory/segment` and `directory/manifest`, from an index of ``documents``.
    static func writeIndexSeeds(to directory: String) throws {
        let dir = FuzzFiles.directory("make-seeds")
        let index = try SearchIndex.create(at: dir)
        let writer = try index.writer()
        for (i, text) in documents.enumerated() {
            try writer.add(Document(id: "d\(i)", title: String(text.prefix(10)), body: text, fields: ["url": "https://example.com/\(i)"]))
        }
        try writer.commit()
        for (i, text) in documents.prefix(3).enumerated() {
            try writer.add(Document(id: "e\(i)", body: text + " 追加"))
        }
        try writer.delete(id: "d1")
        try writer.commit()
        writer.close()
        let fm = FileManager.default
        for sub in ["segment", "manifest"] {
            let d = directory + "/" + sub
            try? fm.removeItem(atPath: d)   // seeds of an earlier format
            try fm.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        for name in try fm.contentsOfDirectory(atPath: dir).sorted() {
            let target: String
            if name.hasSuffix(".seg") { target = "segment/" + name }
            else if name.hasSuffix(".del") || name == Manifest.fileName { target = "manifest/" + name }
            else { continue }
            let out = directory + "/" + target
            try? fm.removeItem(atPath: out)
            try fm.copyItem(atPath: dir + "/" + name, toPath: out)
        }
    }
}
