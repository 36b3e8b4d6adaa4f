/// The passage of a hit's body that best matches the query, with the matched spans.
public struct Snippet: Sendable, Hashable {
    /// The passage (original text, with crawl artifacts removed and white space collapsed).
    /// "…" marks a cut at either end.
    public let text: String
    /// The matched spans in ``text``, in order, not overlapping.
    public let highlights: [Range<String.Index>]

    /// The text with every highlight wrapped in `open` and `close`.
    public func marked(open: String = "<mark>", close: String = "</mark>") -> String {
        var out = ""
        var last = text.startIndex
        for h in highlights {
            out += text[last ..< h.lowerBound]
            out += open
            out += text[h]
            out += close
            last = h.upperBound
        }
        out += text[last...]
        return out
    }
}

/// Chooses and renders snippets.
///
/// Each positive leaf of the query is located in the analyzed body (the same analysis as at index
/// time, so what is highlighted is exactly what matched); each occurrence becomes one span of the
/// original text, so adjacent separate matches stay separate spans. The window of
/// `snippetLength` characters that covers the most distinct leaves (weighted by idf), then the most
/// occurrences, wins; ties go to the earliest.
struct SnippetBuilder {
    let leaves: [LeafPlan]
    let weights: [Double]
    let length: Int
    /// The index's analyzer, so that the body is analyzed as the page was.
    let analyzer: Analyzer

    func snippet(for body: String) -> Snippet { snippet(for: body, length: length) }

    /// The most of a body that is analyzed for its snippet (UTF-8 bytes, cut at a character):
    /// 256 KiB, a long article; a match only further in a bigger body is not shown (the snippet
    /// is then the body's start). This bounds a snippet's time and memory whatever the document's
    /// size, as Elasticsearch's `max_analyzed_offset` does.
    static let maxAnalyzedBytes = 256 << 10

    /// The first `limit` bytes of `body`, cut back to a character boundary.
    static func analyzedPrefix(_ body: String, limit: Int = maxAnalyzedBytes) -> Substring {
        let u = body.utf8
        guard u.count > limit else { return body[...] }
        var end = u.index(u.startIndex, offsetBy: limit)
        while end > u.startIndex && UTF8.isContinuation(u[end]) { end = u.index(before: end) }
        return body[..<end]
    }

    func snippet(for body: String, length requested: Int) -> Snippet {
        let length = max(1, requested)
        let prefix = SnippetBuilder.analyzedPrefix(body)
        let cut = prefix.endIndex != body.endIndex
        let body = cut ? String(prefix) : body
        var field = AnalyzedField()
        guard (try? analyzer.analyze(body, into: &field)) != nil, field.text.count > 0 else {
            return Snippet(text: "", highlights: [])
        }
        // Token at each position.
        var tokenAt = [Int32](repeating: -1, count: field.length)
        for (i, t) in field.tokens.enumerated() where Int(t.position) < field.length { tokenAt[Int(t.position)] = Int32(i) }

        // Occurrences as normalized-index ranges. Leaves are found through their first slot's
        // pattern, so the body is scanned once however many leaves the query has.
        var byFirstSlot: [SlotPattern: [Int]] = [:]
        // The lengths of the words leaves start with: only a word of one of them is looked up
        // (making its key allocates).
        var wordLengths = Set<Int>()
        for (li, leaf) in leaves.enumerated() where leaf.span <= field.length {
            guard let first = leaf.slots.first else { continue }
            byFirstSlot[first.pattern, default: []].append(li)
            if case .word(let w) = first.pattern { wordLengths.insert(w.count) }
        }
        var occurrences: [(start: Int, end: Int, leaf: Int)] = []
        func tryLeaves(_ pattern: SlotPattern, at q: Int) {
            guard let candidates = byFirstSlot[pattern] else { return }
            for li in candidates {
                let leaf = leaves[li]
                let offset = Int(leaf.slots[0].offset)
                guard q >= offset else { continue }
                let p = q - offset
                guard p + leaf.span <= field.length else { continue }
                var ok = true
                for slot in leaf.slots.dropFirst() {
                    let ti = tokenAt[p + Int(slot.offset)]
                    if ti < 0 || !SnippetBuilder.matches(field.tokens[Int(ti)], slot.pattern, field) { ok = false; break }
                }
                guard ok else { continue }
                guard let s = SnippetBuilder.unit(field, tokenAt[p]), let e = SnippetBuilder.unit(field, tokenAt[p + leaf.span - 1]) else { continue }
                occurrences.append((s.lowerBound, e.upperBound, li))
            }
        }
        if !byFirstSlot.isEmpty {
            for t in field.tokens where Int(t.position) < field.length {
                let q = Int(t.position)
                switch t.kind {
                case .bigram:
                    tryLeaves(.bigram(t.first, t.second), at: q)
                    tryLeaves(.char(t.first), at: q)
                case .runEnd:
                    tryLeaves(.runEnd(t.first), at: q)
                    tryLeaves(.char(t.first), at: q)
                case .word:
                    if wordLengths.contains(Int(t.end - t.start)) {
                        tryLeaves(.word(Array(field.text.scalars[Int(t.start) ..< Int(t.end)])), at: q)
                    }
                }
            }
        }
        occurrences.sort { $0.start != $1.start ? $0.start < $1.start : ($0.end != $1.end ? $0.end > $1.end : $0.leaf < $1.leaf) }

        // Best window over normalized scalars: only the occurrences starting inside a candidate
        // window are looked at (they are sorted by start).
        let n = field.text.count
        let context = max(length / 6, 0)
        var windowStart = 0
        if !occurrences.isEmpty {
            var bestScore = -1.0
            var seen = Set<Int>()
            for o in occurrences.prefix(256) {
                let ws = max(0, min(o.start - context, n - length))
                let we = ws + length
                seen.removeAll(keepingCapacity: true)
                var score = 0.0
                var count = 0
                var lo = 0, hi = occurrences.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if occurrences[mid].start < ws { lo = mid + 1 } else { hi = mid }
                }
                var k = lo
                while k < occurrences.count && occurrences[k].start < we {
                    let x = occurrences[k]
                    k += 1
                    guard x.end <= we else { continue }
                    count += 1
                    if seen.insert(x.leaf).inserted { score += weights[x.leaf] * 1000 }
                }
                score += Double(count)
                if score > bestScore { bestScore = score; windowStart = ws }
            }
        }
        let windowEnd = min(n, windowStart + length)
        return render(body, field, windowStart, windowEnd, occurrences.filter { $0.start >= windowStart && $0.end <= windowEnd },
                      cut: cut)
    }

    static func matches(_ t: Token, _ pattern: SlotPattern, _ field: AnalyzedField) -> Bool {
        switch pattern {
        case .bigram(let a, let b): return t.kind == .bigram && t.first == a && t.second == b
        case .char(let c): return t.kind != .word && t.first == c
        case .runEnd(let c): return t.kind == .runEnd && t.first == c
        case .word(let w):
            guard t.kind == .word, Int(t.end - t.start) == w.count else { return false }
            return field.text.scalars[Int(t.start) ..< Int(t.end)].elementsEqual(w)
        }
    }

    /// The normalized range of a position's own unit: one character for CJK, the word otherwise.
    static func unit(_ field: AnalyzedField, _ ti: Int32) -> Range<Int>? {
        guard ti >= 0 else { return nil }
        let t = field.tokens[Int(ti)]
        return t.kind == .word ? Int(t.start) ..< Int(t.end) : Int(t.start) ..< Int(t.start) + 1
    }

    private func render(_ body: String, _ field: AnalyzedField, _ ws: Int, _ we: Int,
                        _ occ: [(start: Int, end: Int, leaf: Int)], cut: Bool) -> Snippet {
        let utf8 = Array(body.utf8)
        let originalStart = Int(field.text.starts[ws])
        let originalEnd = Int(field.text.ends[we - 1])
        // Highlight ranges in original bytes, merged when overlapping.
        var marks: [Range<Int>] = []
        for o in occ {
            let r = Int(field.text.starts[o.start]) ..< Int(field.text.ends[o.end - 1])
            if let last = marks.last, r.lowerBound < last.upperBound {
                marks[marks.count - 1] = last.lowerBound ..< max(last.upperBound, r.upperBound)
            } else {
                marks.append(r)
            }
        }
        var out: [UInt8] = []
        var spans: [Range<Int>] = []
        if ws > 0 { out.append(contentsOf: Array("…".utf8)) }
        var artifacts = field.text.artifacts.makeIterator()
        var nextArtifact = artifacts.next()
        var markIndex = 0
        var openAt: Int?
        var i = originalStart
        var lastWasSpace = false
        while i < originalEnd {
            while let a = nextArtifact, a.upperBound <= i { nextArtifact = artifacts.next() }
            if markIndex < marks.count && openAt == nil && i >= marks[markIndex].lowerBound { openAt = out.count }
            if let a = nextArtifact, a.lowerBound <= i {
                i = a.upperBound
            } else {
                let b = utf8[i]
                if b == 0x0A || b == 0x0D || b == 0x09 || b == 0x20 {
                    if !lastWasSpace && !out.isEmpty { out.append(0x20) }
                    lastWasSpace = true
                } else {
                    out.append(b)
                    lastWasSpace = false
                }
                i += 1
            }
            if let o = openAt, markIndex < marks.count, i >= marks[markIndex].upperBound {
                spans.append(o ..< out.count)
                openAt = nil
                markIndex += 1
            }
        }
        if let o = openAt { spans.append(o ..< out.count) }
        while out.last == 0x20 { out.removeLast() }
        if we < field.text.count || cut { out.append(contentsOf: Array("…".utf8)) }
        let text = String(decoding: out, as: UTF8.self)
        let u = text.utf8
        let highlights = spans.compactMap { r -> Range<String.Index>? in
            guard r.upperBound <= u.count, r.lowerBound < r.upperBound else { return nil }
            return u.index(u.startIndex, offsetBy: r.lowerBound) ..< u.index(u.startIndex, offsetBy: r.upperBound)
        }
        return Snippet(text: text, highlights: highlights)
    }
}
