/// Writes the sorted term dictionary of a segment.
///
/// ```
/// TermDict   --> TermCount:u64, BlockCount:u32, BlockOffset:u32^BlockCount, Block^BlockCount
/// Block      --> EntryCount:varint, FirstOffset:varint, Entry^EntryCount      (at most 32 entries)
/// Entry      --> Shared:varint, SuffixLength:varint, Suffix:byte^SuffixLength,
///                DocFreq:varint, PostingsLength:varint, PositionsLength:varint
/// ```
/// Terms are byte strings in strictly increasing (unsigned, lexicographic) order. `Shared` is the
/// length of the prefix shared with the previous term of the same block (0 for a block's first
/// term, which is therefore stored whole and can be binary-searched). Each term's postings and
/// then its positions lie back to back in the Postings section, and the terms follow one another
/// in dictionary order, so only the block's first offset is stored: a term's postings start at
/// `FirstOffset` plus the postings and positions lengths of the entries before it in the block,
/// and its positions start right after its postings. BlockOffset is relative to the start of the
/// first Block.
///
/// A term is a field tag byte followed by the term's UTF-8:
/// tag 0 = title, positional; 1 = title, CJK character presence; 2 = body, positional;
/// 3 = body, CJK character presence.
///
/// Worked example: the body terms 重慶 (E9 87 8D E6 85 B6) and 重要 (E9 87 8D E8 A6 81) after one
/// another in a block share 4 bytes (tag 02 plus 重's three bytes), so the second is stored as
/// `Shared 4, SuffixLength 3, E8 A6 81` followed by its three numbers.
struct TermDictionaryWriter {
    static let blockSize = 32

    private var blocks = ByteWriter(capacity: 1 << 16)
    private var blockOffsets: [UInt32] = []
    private var entriesInBlock = 0
    private var blockCountOffset = 0
    private var pending = ByteWriter(capacity: 4096)
    private var previous: [UInt8] = []
    private var blockFirstOffset = 0
    /// Where the next term's postings must start.
    private var nextOffset: Int?
    private(set) var termCount = 0

    init() {}

    /// Adds the next term. - Precondition: `term` is greater than the previous term.
    mutating func add(_ term: [UInt8], _ info: TermInfo) {
        precondition(termCount == 0 || term.lexicographicallyPrecedes(previous) == false && term != previous,
                     "term dictionary: terms must be strictly increasing")
        if entriesInBlock == TermDictionaryWriter.blockSize { finishBlock() }
        var shared = 0
        if entriesInBlock > 0 {
            let limit = min(term.count, previous.count)
            while shared < limit && term[shared] == previous[shared] { shared += 1 }
        }
        pending.varint(shared)
        pending.varint(term.count - shared)
        pending.append(contentsOf: term[shared...])
        pending.varint(info.documentFrequency)
        pending.varint(info.postingsLength)
        pending.varint(info.positionsLength)
        precondition(nextOffset == nil || info.postingsOffset == nextOffset!,
                     "term dictionary: a term's postings must follow the previous term's positions")
        precondition(info.positionsOffset == info.postingsOffset + info.postingsLength,
                     "term dictionary: positions must follow the postings")
        if entriesInBlock == 0 { blockFirstOffset = info.postingsOffset }
        nextOffset = info.positionsOffset + info.positionsLength
        entriesInBlock += 1
        termCount += 1
        previous = term
    }

    private mutating func finishBlock() {
        guard entriesInBlock > 0 else { return }
        blockOffsets.append(UInt32(blocks.count))
        blocks.varint(entriesInBlock)
        blocks.varint(blockFirstOffset)
        blocks.append(pending.bytes)
        pending.removeAll()
        entriesInBlock = 0
    }

    /// The finished section's bytes.
    mutating func finish() -> [UInt8] {
        finishBlock()
        var out = ByteWriter(capacity: 12 + blockOffsets.count * 4 + blocks.count)
        out.u64(UInt64(termCount))
        out.u32(UInt32(blockOffsets.count))
        for o in blockOffsets { out.u32(o) }
        out.append(blocks.bytes)
        return out.bytes
    }
}
