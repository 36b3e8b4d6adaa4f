/// Measurements behind design choices, for the benchmark suite (package access only).
///
/// The single-character design: a one-character query reads the character's *presence* postings.
/// The alternative without them is a side table from a character to every bigram that contains it,
/// answered by the union of those bigrams' postings. These probes measure both on a real index.
extension Searcher {
    /// Postings bytes of the presence terms and of all terms, over every segment.
    package func presencePostingsBytes() throws -> (presence: Int, all: Int) {
        var presence = 0, all = 0
        for s in snapshot.segments {
            try s.reader.terms.forEach { key, info in
                let n = info.postingsLength + info.positionsLength
                all += n
                if key[0] % 2 == 1 { presence += n }
            }
        }
        return (presence, all)
    }

    /// For each body character: the positional terms that contain it (the side table of the
    /// alternative design), per segment.
    package func bigramSideTable() throws -> [[UInt32: [TermInfoHandle]]] {
        var out: [[UInt32: [TermInfoHandle]]] = []
        for s in snapshot.segments {
            var table: [UInt32: [TermInfoHandle]] = [:]
            try s.reader.terms.forEach { key, info in
                guard key[0] == TermKey.tag(.body, presence: false), key.count > 1 else { return }
                let text = String(decoding: key.dropFirst(), as: UTF8.self)
                let scalars = Array(text.unicodeScalars.map(\.value))
                guard scalars.allSatisfy(Script.isCJK) else { return }
                for c in Set(scalars) { table[c, default: []].append(TermInfoHandle(info: info)) }
            }
            out.append(table)
        }
        return out
    }

    /// Counts the live documents containing `char` in the body through the union of its bigrams'
    /// postings (the alternative design). Returns (documents, postings decoded).
    package func countThroughBigramUnion(_ char: UInt32, sideTable: [[UInt32: [TermInfoHandle]]]) throws -> (Int, Int) {
        let dz = ZstdDecompressor()
        var documents = 0, decoded = 0
        for (i, s) in snapshot.segments.enumerated() {
            guard let handles = sideTable[i][char] else { continue }
            var seen = [Bool](repeating: false, count: s.reader.documentCount)
            for h in handles {
                let c = try s.reader.cursor(h.info, positional: false, decompressor: dz)
                while try c.next() != PostingsCursor.noMoreDocs {
                    decoded += 1
                    if !seen[Int(c.doc)] && !s.live.isDeleted(Int(c.doc)) { seen[Int(c.doc)] = true; documents += 1 }
                }
            }
        }
        return (documents, decoded)
    }

    /// Counts the live documents containing `char` in the body through its presence postings.
    /// Returns (documents, postings decoded).
    package func countThroughPresence(_ char: UInt32) throws -> (Int, Int) {
        let dz = ZstdDecompressor()
        var documents = 0, decoded = 0
        for s in snapshot.segments {
            guard let info = try s.reader.terms.lookup(TermKey.presence(.body, char)) else { continue }
            let c = try s.reader.cursor(info, positional: false, decompressor: dz)
            while try c.next() != PostingsCursor.noMoreDocs {
                decoded += 1
                if !s.live.isDeleted(Int(c.doc)) { documents += 1 }
            }
        }
        return (documents, decoded)
    }
}

/// An opaque term location, for the design probes.
package struct TermInfoHandle {
    let info: TermInfo
}
