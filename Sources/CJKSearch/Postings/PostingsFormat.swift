/// The postings and positions encoding of one term (format version 6).
///
/// A term's postings are in the Postings section at `TermInfo.postingsOffset`, and its positions
/// follow them directly (`positionsOffset = postingsOffset + postingsLength`); the next term in
/// dictionary order starts after its positions. Documents are segment-local numbers, strictly
/// increasing. `df` is the term's document frequency.
///
/// ```
/// Postings    --> ShortList                          if df < 128
///               | BlockCount:varint, SkipEntry^BlockCount, Impacts^BlockCount, DocBlock^BlockCount
///                                                                                  otherwise
/// ShortList   --> <DocCode:varint, [Freq:varint]>^df
///                 DocCode = (doc − previous − 1) << 1 | (freq == 1 ? 1 : 0); previous = −1 at first;
///                 Freq follows only when freq > 1
/// SkipEntry   --> LastDoc:u32, BlockEnd:u32, PositionsEnd:u32, ImpactsEnd:u32
///                 (ends are byte offsets relative to the first DocBlock / the term's positions /
///                 the first Impacts)
/// Impacts     --> ImpactCount:varint, <FreqGap:varint, LengthGap:varint>^ImpactCount
///                 the block's (freq, field length) pairs that no other document of the block
///                 dominates (freq ≥ and length ≤), freq and length both increasing;
///                 FreqGap = freq − previous freq − 1, LengthGap = length − previous length − 1,
///                 the first pair's previous freq 0 and previous length −1
/// DocBlock    --> DeltaBits:u8, FreqBits:u8, Deltas:packed(n × DeltaBits), Freqs:packed(n × FreqBits)
///                 n = 128, except the last block: df − 128 × (BlockCount − 1);
///                 delta = doc − previous − 1, stored freq = freq − 1, packed low bits first
/// Positions   --> PositionFrame^BlockCount            (a ShortList is one block)
/// PositionFrame --> Mode:u8 = 0, RawBytes                               (raw)
///                 | Mode:u8 = 1, RawLength:varint, ZstdFrame            (zstd)
/// RawBytes    --> Chunk^⌈P/128⌉                       P = the sum of the block's frequencies
/// Chunk       --> Bits:u8, Values:packed(m × Bits)    m = 128, except the last chunk: P − 128 × (⌈P/128⌉ − 1)
///                 the values are, document after document, each document's first position
///                 and then the gaps to its next ones (> 0), packed low bits first
/// ```
///
/// Presence terms (a CJK character with no positions) have no Positions bytes: every frame is empty.
///
/// Impacts are what dynamic pruning reads instead of a block: BM25 grows with the frequency and
/// shrinks with the field length, so the best score any document of a block can have, whatever
/// the idf, k1, b and average length of the search, is the best score of its impacts. They are
/// exact (not quantized) and usually 1–4 pairs; a short list has none (its few documents are
/// scored rather than bounded).
///
/// A frame is zstd-compressed only when its raw bytes are at least ``zstdMinimumBytes`` long and
/// compression saves at least an eighth: a zstd frame costs about 12 bytes of header and checksum
/// and a context setup on read, which short frames do not repay. Position gaps are close to
/// random bytes: on the 100 MB generated corpus in format 5 (varints), frames of 128 B to 1 KiB
/// (85,000 frames, 35 MB) saved 40 KB together, frames of 1 KiB and more 163 KB of 12 MB, and
/// trying them all cost about a tenth of the build time; hence 1 KiB. Bit-packed chunks (format 6)
/// are denser still. Frames that do compress are boilerplate repeated in a document.
///
/// Positions are bit-packed by chunks of 128 values (version 6; varints before): a document's
/// positions are found by adding the frequencies of the documents before it in the block, so
/// skipping costs no decoding, and a chunk unpacks in one loop of constant shifts. On the
/// generated corpus the chunks are about a tenth smaller than the varints were.
///
/// ## Worked example
/// A term in documents 3, 4 and 10 with frequencies 1, 2 and 1 and positions [7], [1, 9], [0]:
/// ```
/// ShortList : DocCode(3) = 3<<1|1 = 0x07; DocCode(4) = 0<<1|0 = 0x00, Freq 0x02; DocCode(10) = 5<<1|1 = 0x0B
///             -> 07 00 02 0B                        (4 bytes)
/// Positions : Mode 00; one chunk of the values 7 | 1, 8 | 0, 4 bits each (the largest, 8, needs 4):
///             Bits 04, packed 7 | 1<<4 = 0x17, 8 | 0<<4 = 0x08
///             -> 00 04 17 08                       (4 bytes)
/// Section   : 07 00 02 0B 00 04 17 08               (postingsLength 4, positionsLength 4)
/// ```
/// A term in 300 documents has 3 blocks (128 + 128 + 44), 3 skip entries of 16 bytes, 3 Impacts
/// and 3 position frames. A block whose documents have (freq, length) (1, 40), (3, 200), (2, 90)
/// and (1, 35) has the impacts (1, 35), (2, 90), (3, 200): ImpactCount 03, then 00 23, 00 36,
/// 00 6D (the pair (1, 40) is dominated by (1, 35)).
enum PostingsFormat {
    static let blockSize = 128
    static let skipEntrySize = 16
    static let zstdMinimumBytes = 1024
    /// Position values per packed chunk (a power of two), and its log.
    static let positionChunkSize = 128
    static let positionChunkShift = 7
}
