/// The segment file: an immutable, self-contained index of a batch of documents (format version 3).
///
/// A segment is one file `<name>.seg` in the ``FileFormat`` envelope (kind 1; the header's
/// Identity is the segment's random 64-bit id, which the manifest records too). Sections, in the
/// order a flush writes them (a merge writes Stored first on one thread, right after Postings on two; readers find them by kind; kind 4 was
/// version 1's separate positions):
///
/// ```
/// Postings  (3) --> <TermPostings, TermPositions>^TermCount   in dictionary order, see PostingsFormat
/// Meta      (1) --> DocCount:u32, TitleLengthSum:u64, BodyLengthSum:u64, TermCount:u64
/// TermDict  (2) --> see TermDictionaryWriter
/// Norms     (5) --> <TitleLength:u32, BodyLength:u32>^DocCount        (positions used per field)
/// Stored    (6) --> see StoredDocumentsWriter
/// Ids       (7) --> IdOffset:u32^(DocCount+1), IdBytes               (id of d = IdBytes[IdOffset[d] ..< IdOffset[d+1]])
/// IdHash    (8) --> <Hash:u64, Doc:u32>^DocCount                      sorted by (Hash, Doc); Hash = FNV-1a 64 of the id
/// ```
/// Documents are numbered 0 ..< DocCount in the order they were added. Deleted documents are not
/// marked in the segment (it never changes) but in a deletions file (``LiveDocuments``).
///
/// Worked example: one document `{id "a", title "重慶", body "重慶經開區"}` gives the terms
/// (tag, text): (0 重慶) (0 慶) (1 重) (1 慶) (2 重慶) (2 慶經) (2 經開) (2 開區) (2 區) (3 重) (3 慶) (3 經)
/// (3 開) (3 區) — 14 terms, each a ShortList of one document (`01`, DocCode 0<<1|1), with one
/// positions frame (`00` then the position) right after it; Norms holds `02 00 00 00 05 00 00 00`.
/// The Postings section is written first and streamed to the file, so that a flush never holds
/// the encoded postings in memory.
enum SegmentFormat {
    static let meta: UInt32 = 1
    static let termDict: UInt32 = 2
    static let postings: UInt32 = 3
    static let norms: UInt32 = 5
    static let stored: UInt32 = 6
    static let ids: UInt32 = 7
    static let idHash: UInt32 = 8

    /// Sections checked at every open. The large ones (postings, stored) are checked at
    /// open for files up to ``eagerVerifyLimit`` bytes; in larger files, before their first use
    /// (the first search or document fetch of that segment in the process), so that opening stays
    /// fast and no result is ever computed from unverified bytes.
    static let smallSections: Set<UInt32> = [meta, termDict, norms, ids, idHash]
    static let eagerVerifyLimit = 64 << 20
}
