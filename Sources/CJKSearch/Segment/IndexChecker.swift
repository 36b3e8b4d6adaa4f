/// What `check` found in a sound index.
public struct CheckReport: Sendable, Hashable {
    public var segments: Int
    public var documents: Int
    public var terms: Int
    public var postings: Int
    public var bytesVerified: Int
}

extension SearchIndex {
    /// Verifies the whole index: every file's checksums, and the structure of every section
    /// (terms sorted, every postings list and positions frame decodes with increasing documents
    /// and positions inside the field's length, every stored block decodes, the id table agrees
    /// with the ids).
    ///
    /// - Returns: what was checked.
    /// - Throws: ``SearchError`` naming the file and offset of the first problem found.
    public func check() throws -> CheckReport {
        let snapshot = try IndexSnapshot.open(directory: directory)
        var report = CheckReport(segments: snapshot.segments.count, documents: snapshot.documentCount, terms: 0, postings: 0, bytesVerified: 0)
        let dz = ZstdDecompressor()
        for s in snapshot.segments {
            let r = try SearchIndex.checkSegment(s.reader, decompressor: dz)
            report.terms += r.terms
            report.postings += r.postings
            report.bytesVerified += r.bytesVerified
            if let del = s.entry.deletionsFile, let n = FileIO.fileSize(directory + "/" + del) { report.bytesVerified += n }
        }
        return report
    }

    /// Verifies one segment file: checksums, terms, postings, stored blocks and the id table.
    static func checkSegment(_ r: SegmentReader, decompressor dz: ZstdDecompressor = ZstdDecompressor()) throws -> CheckReport {
        var report = CheckReport(segments: 1, documents: r.documentCount, terms: 0, postings: 0, bytesVerified: 0)
        try r.parsed.verify()
        report.bytesVerified += r.sizeInBytes
        var previous: [UInt8] = []
        var first = true
        try r.terms.forEach { term, info in
            let key = Array(term)
            if !first && !previous.lexicographicallyPrecedes(key) {
                throw SearchError.corrupt("terms out of order", path: r.path)
            }
            first = false
            previous = key
            guard let tag = key.first, tag <= 3 else { throw SearchError.corrupt("term with unknown tag", path: r.path) }
            let positional = tag % 2 == 0
            let field: Field = tag / 2 == 0 ? .title : .body
            if !positional && info.positionsLength != 0 {
                throw SearchError.corrupt("presence term has positions", path: r.path)
            }
            let c = try r.cursor(info, positional: positional, decompressor: dz)
            var count = 0
            while try c.next() != PostingsCursor.noMoreDocs {
                count += 1
                if positional {
                    let length = try r.fieldLength(Int(c.doc), field)
                    let ps = try c.positions()
                    if let last = ps.last, Int(last) >= length {
                        throw SearchError.corrupt("position \(last) beyond field length \(length) in document \(c.doc)", path: r.path)
                    }
                }
            }
            guard count == info.documentFrequency else {
                throw SearchError.corrupt("postings hold \(count) documents, dictionary says \(info.documentFrequency)", path: r.path)
            }
            report.terms += 1
            report.postings += count
        }
        try r.stored.verify(decompressor: dz)
        for d in 0 ..< r.documentCount {
            let id = try r.id(d)
            guard try r.documents(withID: id).contains(d) else {
                throw SearchError.corrupt("id table does not find document \(d) (\(id))", path: r.path)
            }
        }
        return report
    }
}
