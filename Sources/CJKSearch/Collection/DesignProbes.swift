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

/// Sizes of the postings under alternative encodings, for the postings-format decision.
package struct EncodingSizes {
    /// Documents and frequencies as written (bit-packed blocks, varint short lists).
    package var postingsAsWritten = 0
    /// The same bytes, each term's list compressed as one zstd frame (level 3).
    package var postingsZstd = 0
    /// Positions as written (raw or zstd per frame, whichever is smaller).
    package var positionsAsWritten = 0
    /// Positions with every frame raw (varint deltas, no zstd).
    package var positionsRaw = 0
    /// Positions with every frame zstd-compressed.
    package var positionsAllZstd = 0
    /// All raw position frames of the index as one zstd frame: the upper bound of what grouping
    /// frames could gain.
    package var positionsOneFrame = 0
    /// All postings of the index as one zstd frame.
    package var postingsOneFrame = 0
    /// Positions with every frame's deltas bit-packed at the frame's widest delta (mode byte,
    /// width byte, packed bits).
    package var positionsBitPacked = 0
    /// The same with each document's first position and the gaps after it packed apart, each at
    /// its own width (first positions are large, gaps mostly small).
    package var positionsBitPackedSplit = 0
}

extension Searcher {
    package func encodingSizes() throws -> EncodingSizes {
        var sizes = EncodingSizes()
        let zstd = ZstdCompressor(level: 3)
        let dz = ZstdDecompressor()
        var out: [UInt8] = []
        var allPositions: [UInt8] = []
        var allPostings: [UInt8] = []
        for s in snapshot.segments {
            let r = s.reader
            try r.terms.forEach { key, info in
                sizes.postingsAsWritten += info.postingsLength
                let p = try r.postings.slice(info.postingsOffset, info.postingsLength)
                out.removeAll(keepingCapacity: true)
                sizes.postingsZstd += min(zstd.compress(p.buffer, appendingTo: &out), info.postingsLength)
                allPostings.append(contentsOf: p.buffer)
                guard key[0] % 2 == 0 else { return }
                sizes.positionsAsWritten += info.positionsLength
                // Re-read every frame's raw bytes through a cursor.
                let c = try r.cursor(info, positional: true, decompressor: dz)
                var raw = ByteWriter()
                var frames: [[UInt8]] = []
                var docsInFrame = 0
                var firsts: [UInt32] = [], gaps: [UInt32] = []
                func packFrame() {
                    let all = firsts + gaps
                    let wAll = BitPacking.bitsNeeded(all.reduce(0, |)), wFirst = BitPacking.bitsNeeded(firsts.reduce(0, |))
                    let wGap = BitPacking.bitsNeeded(gaps.reduce(0, |))
                    sizes.positionsBitPacked += 2 + BitPacking.byteCount(count: all.count, bits: wAll)
                    sizes.positionsBitPackedSplit += 3 + BitPacking.byteCount(count: firsts.count, bits: wFirst)
                        + BitPacking.byteCount(count: gaps.count, bits: wGap)
                    firsts.removeAll(); gaps.removeAll()
                }
                while try c.next() != PostingsCursor.noMoreDocs {
                    var previous: UInt32 = 0
                    for (k, pos) in try c.positions().enumerated() {
                        raw.varint(k == 0 ? pos : pos - previous)
                        if k == 0 { firsts.append(pos) } else { gaps.append(pos - previous - 1) }
                        previous = pos
                    }
                    docsInFrame += 1
                    if docsInFrame == PostingsFormat.blockSize { frames.append(raw.bytes); raw.removeAll(); docsInFrame = 0; packFrame() }
                }
                if docsInFrame > 0 { frames.append(raw.bytes); packFrame() }
                for f in frames {
                    allPositions.append(contentsOf: f)
                    sizes.positionsRaw += 1 + f.count
                    out.removeAll(keepingCapacity: true)
                    sizes.positionsAllZstd += 1 + 4 + zstd.compress(f, appendingTo: &out)
                }
            }
        }
        out.removeAll()
        sizes.positionsOneFrame = zstd.compress(allPositions, appendingTo: &out)
        out.removeAll()
        sizes.postingsOneFrame = zstd.compress(allPostings, appendingTo: &out)
        return sizes
    }
}
