/// What one position of a text leaf must hold.
enum SlotPattern: Hashable {
    /// The bigram of these two CJK characters.
    case bigram(UInt32, UInt32)
    /// This word (normalized scalars).
    case word([UInt32])
    /// Any term starting with this CJK character (a bigram or a run end); for a one-character
    /// leaf, the character's presence postings.
    case char(UInt32)
    /// This CJK character as the last of its run (followed by a separator, a word or the end).
    case runEnd(UInt32)
}

/// A ``Query/text(_:)`` leaf after analysis: patterns at relative positions.
struct LeafPlan {
    var slots: [(offset: UInt32, pattern: SlotPattern)]
    /// Positions the leaf covers (its length as a phrase).
    var span: Int
    var text: String

    /// Analyzes `text`; nil if it has no tokens.
    static func make(_ text: String, analyzer: Analyzer) throws -> LeafPlan? {
        var field = AnalyzedField()
        try analyzer.analyze(text, into: &field)
        guard let firstPosition = field.tokens.first?.position else { return nil }
        var slots: [(UInt32, SlotPattern)] = []
        var previous: Token?
        for (i, t) in field.tokens.enumerated() {
            let offset = t.position - firstPosition
            let isLast = i == field.tokens.count - 1
            switch t.kind {
            case .bigram:
                slots.append((offset, .bigram(t.first, t.second)))
            case .runEnd:
                // A CJK run that punctuation or a word follows must end where the query's run
                // ends (`東、京` must not match `東京`). A run that ends the text, or that only white
                // space separates from the next CJK run (`"重慶 經開區"`, spaces between words), may
                // continue in the document: a lone character then matches any term starting with
                // it, and a longer run's last character is covered by its last bigram.
                let afterBigram = previous.map { $0.kind == .bigram && $0.position + 1 == t.position } ?? false
                var boundary = false
                if !isLast {
                    let next = field.tokens[i + 1]
                    let between = field.text.scalars[Int(t.end) ..< Int(next.start)]
                    boundary = next.kind == .word || !between.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
                }
                if boundary {
                    slots.append((offset, .runEnd(t.first)))
                } else if !afterBigram {
                    slots.append((offset, .char(t.first)))
                }
            case .word:
                slots.append((offset, .word(Array(field.text.scalars[Int(t.start) ..< Int(t.end)]))))
            }
            previous = t
        }
        let span = Int(field.tokens.last!.position - firstPosition) + 1
        return LeafPlan(slots: slots.map { (offset: $0.0, pattern: $0.1) }, span: span, text: text)
    }

    var isSingleCharacter: Bool {
        if slots.count == 1, case .char = slots[0].pattern { return true }
        return false
    }

    /// The dictionary key of an exact pattern in `field`.
    static func key(_ pattern: SlotPattern, _ field: Field) -> [UInt8] {
        switch pattern {
        case .bigram(let a, let b): return TermKey.positional(field, a, b)
        case .word(let w): return TermKey.word(field, w[...])
        case .char(let c): return TermKey.presence(field, c)
        case .runEnd(let c): return TermKey.positional(field, c)
        }
    }
}

/// A query bound to one snapshot's statistics.
indirect enum WeightNode {
    /// Per field: summed idf × boost, nil if it cannot match; and the slots' dictionary entries
    /// found for the statistics, [field][slot][segment] (nil: absent or not looked up).
    case leaf(LeafPlan, weights: [Double?], infos: [[[TermInfo?]]])
    case and([WeightNode], negatives: [WeightNode])
    case or([WeightNode])
    /// At least `n` of the children (those that cannot match are left out; n is not lowered).
    case atLeast(Int, [WeightNode])
}

struct QueryWeight {
    /// The most positions (CJK characters and words) the text of one query may hold, all its
    /// terms and phrases together: each position is a dictionary lookup per field and segment and
    /// a list to open, so a pasted chapter is refused rather than searched for seconds (1,024
    /// repetitions of the commonest bigram take 0.4 s on the 1 GB corpus, 4,000 took 1 s; a
    /// 1,000-character passage of a page, 2 ms).
    static let maxPositions = 1024
    /// A text leaf longer than this (UTF-8 bytes) is refused before it is analyzed.
    static let maxTextBytes = 64 << 10

    let root: WeightNode
    /// The positive leaves, for snippets, with their weights (body idf, else title idf).
    let leaves: [LeafPlan]
    let leafWeights: [Double]
    let options: SearchOptions
    let averageLengths: [Double]

    init(_ query: Query, snapshot: IndexSnapshot, options: SearchOptions, analyzer: Analyzer) throws {
        try query.validate()
        self.options = options
        let n = max(snapshot.documentCount, 1)
        averageLengths = snapshot.lengthSums.map { $0 / Double(n) }
        var leaves: [LeafPlan] = []
        var leafWeights: [Double] = []
        var positions = 0
        func build(_ q: Query, positive: Bool) throws -> WeightNode? {
            switch q {
            case .text(let text):
                if text.utf8.count > QueryWeight.maxTextBytes {
                    throw SearchError(.invalidQuery, "query text of \(text.utf8.count) bytes is longer than \(QueryWeight.maxTextBytes): search a shorter passage")
                }
                guard let plan = try LeafPlan.make(text, analyzer: analyzer) else { return nil }
                positions += plan.span
                if positions > QueryWeight.maxPositions {
                    throw SearchError(.invalidQuery, "query holds more than \(QueryWeight.maxPositions) characters and words: search a shorter passage")
                }
                var weights: [Double?] = []
                // Kept so that the scorers do not search the dictionaries a second time.
                var infos = [[[TermInfo?]]](repeating: [[TermInfo?]](repeating: [TermInfo?](repeating: nil, count: snapshot.segments.count),
                                                                       count: plan.slots.count), count: Field.allCases.count)
                for f in Field.allCases {
                    var idf = 0.0
                    var possible = true
                    for (slotIndex, slot) in plan.slots.enumerated() {
                        let key = LeafPlan.key(slot.pattern, f)
                        let keyForStats: [UInt8]
                        if case .char(let c) = slot.pattern { keyForStats = TermKey.presence(f, c) } else { keyForStats = key }
                        var df = 0
                        for (segmentIndex, s) in snapshot.segments.enumerated() {
                            guard let info = try s.reader.terms.lookup(keyForStats) else { continue }
                            infos[Int(f.rawValue)][slotIndex][segmentIndex] = info
                            df += info.documentFrequency
                        }
                        if df == 0 { possible = false; break }
                        idf += BM25.idf(documentFrequency: df, documentCount: snapshot.documentCount)
                    }
                    let boost = f == .title ? options.titleBoost : 1.0
                    weights.append(possible ? idf * boost : nil)
                }
                if positive {
                    leaves.append(plan)
                    leafWeights.append(weights[Int(Field.body.rawValue)] ?? weights[Int(Field.title.rawValue)] ?? 0)
                }
                return .leaf(plan, weights: weights, infos: infos)
            case .and(let qs):
                var pos: [WeightNode] = [], neg: [WeightNode] = []
                for sub in qs {
                    if case .not(let inner) = sub {
                        if let w = try build(inner, positive: false) { neg.append(w) }
                    } else if let w = try build(sub, positive: positive) {
                        pos.append(w)
                    }
                }
                if pos.isEmpty { return nil }
                return .and(pos, negatives: neg)
            case .or(let qs):
                var ws: [WeightNode] = []
                for sub in qs { if let w = try build(sub, positive: positive) { ws.append(w) } }
                return ws.isEmpty ? nil : .or(ws)
            case .not:
                throw SearchError(.invalidQuery, "a query of exclusions only matches nothing")
            case .atLeast(let n, let qs):
                var ws: [WeightNode] = []
                for sub in qs { if let w = try build(sub, positive: positive) { ws.append(w) } }
                return ws.count < n ? nil : .atLeast(n, ws)
            }
        }
        guard let root = try build(query, positive: true) else {
            throw SearchError(.invalidQuery, "query has nothing searchable")
        }
        self.root = root
        self.leaves = leaves
        self.leafWeights = leafWeights
    }

    /// The scorer of this query over segment `index` of the snapshot the weight was made for.
    func scorer(_ segment: SegmentReader, index: Int, decompressor: ZstdDecompressor) throws -> Scorer {
        try scorer(root, segment, index, decompressor) ?? EmptyScorer()
    }

    private func scorer(_ node: WeightNode, _ segment: SegmentReader, _ index: Int, _ dz: ZstdDecompressor) throws -> Scorer? {
        switch node {
        case .leaf:
            return try leafScorers(node, segment, index, dz)?.scorer
        case .and(let pos, let neg):
            guard let positive = try positiveScorer(pos, segment, index, dz) else { return nil }
            var ns: [Scorer] = []
            for n in neg { if let s = try scorer(n, segment, index, dz) { ns.append(s) } }
            return ns.isEmpty ? positive : ExclusionScorer(positive, ns)
        case .or(let children):
            // Flattened: a leaf's fields and the alternatives are one disjunction (scores add up
            // alike), so that an OR of terms is scored by windows as one term is.
            var cs: [Scorer] = []
            for c in children {
                guard let s = try scorer(c, segment, index, dz) else { continue }
                if let d = s as? DisjunctionScorer { cs.append(contentsOf: d.children.owned) } else { cs.append(s) }
            }
            if cs.isEmpty { return nil }
            return cs.count == 1 ? cs[0] : DisjunctionScorer(cs)
        case .atLeast(let n, let children):
            // Not flattened: n counts operands, and one operand (a leaf) may be two fields.
            var cs: [Scorer] = []
            for c in children { if let s = try scorer(c, segment, index, dz) { cs.append(s) } }
            if cs.count < n { return nil }
            if n == 1 { return cs.count == 1 ? cs[0] : DisjunctionScorer(cs) }
            return AtLeastScorer(cs, minimum: n)
        }
    }

    /// The positive part of an AND: the conjunction of `pos`, scored with the proximity of its
    /// text leaves when ``SearchOptions/proximity`` is on and two or more of them have body
    /// positions (``ProximityScorer``); nil when a positive cannot match.
    func positiveScorer(_ pos: [WeightNode], _ segment: SegmentReader, _ index: Int, _ dz: ZstdDecompressor) throws -> Scorer? {
        var ps: [Scorer] = []
        var near: [(ProximityScorer.Occurrences, Int, Double)] = []
        for p in pos {
            if options.proximity > 0, pos.count > 1, case .leaf(let plan, let weights, let infos) = p {
                guard let (s, body) = try leafScorers(p, segment, index, dz) else { return nil }
                ps.append(s)
                // The leaf's body occurrences: a phrase's from its own scorer, a term's from
                // a positional cursor of its own; a single character has none.
                let occurrences: ProximityScorer.Occurrences?
                if let phrase = body as? PhraseScorer {
                    occurrences = .phrase(phrase)
                } else if body != nil, plan.slots.count == 1, !plan.isSingleCharacter,
                          let info = infos[Int(Field.body.rawValue)][0][index] {
                    occurrences = .term(try segment.cursor(info, positional: true, decompressor: dz))
                } else {
                    occurrences = nil
                }
                if let occurrences, let w = weights[Int(Field.body.rawValue)] {
                    near.append((occurrences, plan.span, w))
                }
                continue
            }
            guard let s = try scorer(p, segment, index, dz) else { return nil }
            ps.append(s)
        }
        let positive = ps.count == 1 ? ps[0] : ConjunctionScorer(ps)
        return near.count >= 2 ? ProximityScorer(positive, leaves: near, proximity: options.proximity) : positive
    }

    /// A leaf's scorer over its fields, and its body field's scorer (nil when the body cannot match).
    func leafScorers(_ node: WeightNode, _ segment: SegmentReader, _ index: Int, _ dz: ZstdDecompressor) throws -> (scorer: Scorer, body: Scorer?)? {
        guard case .leaf(let plan, let weights, let infos) = node else { preconditionFailure("not a leaf") }
        var perField: [Scorer] = []
        var body: Scorer?
        for f in Field.allCases {
            guard let w = weights[Int(f.rawValue)] else { continue }
            let scoring = FieldScoring(segment: segment, field: f, bm25: options.bm25,
                                       averageLength: averageLengths[Int(f.rawValue)], weight: w)
            if let s = try leafScorer(plan, infos[Int(f.rawValue)], f, scoring, segment, index, dz) {
                perField.append(s)
                if f == .body { body = s }
            }
        }
        if perField.isEmpty { return nil }
        return (perField.count == 1 ? perField[0] : DisjunctionScorer(perField), body)
    }

    /// The leaf's scorer in field `f` of segment `index`. `infos` are the entries the statistics
    /// found per slot and segment: every slot's key was looked up there when the field can match,
    /// so nil is an absent term (a lone character inside a phrase was looked up by its presence
    /// key, and its positional terms are enumerated here instead).
    func leafScorer(_ plan: LeafPlan, _ infos: [[TermInfo?]], _ f: Field, _ scoring: FieldScoring,
                            _ segment: SegmentReader, _ index: Int, _ dz: ZstdDecompressor) throws -> Scorer? {
        if plan.slots.count == 1 {
            // One term (or one character's presence): no positions needed.
            guard let info = infos[0][index] else { return nil }
            return TermScorer(try segment.cursor(info, positional: false, decompressor: dz), scoring)
        }
        var sources: [(UInt32, PositionSource)] = []
        for (slotIndex, slot) in plan.slots.enumerated() {
            switch slot.pattern {
            case .char(let c):
                var cursors: [PostingsCursor] = []
                try segment.terms.forEach(prefix: TermKey.positional(f, c)) { _, info in
                    cursors.append(try segment.cursor(info, positional: true, decompressor: dz))
                }
                if cursors.isEmpty { return nil }
                sources.append((slot.offset, cursors.count == 1 ? cursors[0] : UnionPositionSource(cursors)))
            default:
                guard let info = infos[slotIndex][index] else { return nil }
                sources.append((slot.offset, try segment.cursor(info, positional: true, decompressor: dz)))
            }
        }
        let inParts = PhraseCover.parts(slots: sources.map { PhraseCover.Slot(cost: $0.1.cost, isTerm: $0.1 is PostingsCursor) })
        var parts: [(UInt32, PositionSource)] = [], verifiers: [(UInt32, PositionSource)] = []
        for (i, source) in sources.enumerated() {
            if inParts[i] { parts.append(source) } else { verifiers.append(source) }
        }
        return PhraseScorer(parts, verifiers: verifiers, scoring)
    }
}

/// Which components of a phrase its candidate conjunction intersects (the *parts*); the others
/// only confirm the candidates where the parts' positions line up (``PhraseScorer``'s
/// verifiers). Every component is checked either way, so the choice changes the cost, never the
/// result.
///
/// The parts are the three least frequent single terms, and any other within twice the least
/// one's frequency; the rest verify. Two or three bigrams at fixed distances rarely line up by
/// chance, so the verifiers are read for few documents, while intersecting a bigram that most
/// documents hold (`如果`, `一個`) decodes nearly all its blocks and rules out little: the pages
/// that hold a phrase's rare bigrams tend to be long and to hold its common ones too. On the 1 GB
/// corpus's 6–10-character phrases (same run) the p50 went from 0.98 to 0.82 ms and the p99 from
/// 7.0 to 6.5 ms against a cost model that left out only near-universal bigrams and kept every
/// character covered by the parts; the two rarest alone, or the four, did about as well.
/// A lone character's union of terms always verifies when a single term can lead.
enum PhraseCover {
    struct Slot {
        /// The document frequency (of a union: the sum).
        var cost: Int
        /// A single term (a cursor), which can be a part.
        var isTerm: Bool
    }

    /// The number of least frequent terms that are always parts.
    static let rarest = 3
    /// Terms within this multiple of the least frequency are parts too.
    static let closeToRarest = 2

    /// For each slot, whether it is a part. Some slot is one; if no slot is a term, all are.
    static func parts(slots: [Slot]) -> [Bool] {
        let terms = slots.indices.filter { slots[$0].isTerm }.sorted { slots[$0].cost < slots[$1].cost }
        guard let lead = terms.first else { return Array(repeating: true, count: slots.count) }
        let (limit, overflow) = slots[lead].cost.multipliedReportingOverflow(by: closeToRarest)
        var chosen = Array(repeating: false, count: slots.count)
        for (rank, i) in terms.enumerated() where rank < rarest || overflow || slots[i].cost <= limit {
            chosen[i] = true
        }
        return chosen
    }
}
