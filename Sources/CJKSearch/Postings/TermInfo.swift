/// Where a term's data lives in its segment: the term dictionary's value.
struct TermInfo: Equatable {
    var documentFrequency: Int
    var postingsOffset: Int
    var postingsLength: Int
    var positionsOffset: Int
    var positionsLength: Int
}
