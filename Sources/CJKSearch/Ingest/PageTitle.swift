/// The title of a plain-text page (`.txt` input): its first line that reads like a headline.
///
/// Crawled pages saved as text often open with the site's navigation or contact header, as the
/// bundled sample pages do: a breadcrumb (`當前位置:首頁 > 首頁推薦 > 重慶 > 正文`,
/// `首頁 > cdxw > 中新網四川`), a hotline (`新聞熱線:023-61520695 舉報電話:023-61520697`), a
/// section label (`中新社四川分社正文`). Taken as the title, such a line gets the title's boost
/// (×2) for words that say nothing of the page, and the real headline gets none; every page of the
/// site shows the same title in results. So the title is the first of the first 8 lines that is
/// none of these (nor shorter than 4 characters), and the first line when all are. The lines
/// stay in the body either way: `當前位置` still finds the page.
///
/// JSONL and WARC inputs carry their own titles and are not touched.
enum PageTitle {
    /// How many leading lines are considered.
    static let linesConsidered = 8

    /// Splits `text` into (title, body): the title line, and the text without it.
    static func split(_ text: String) -> (title: Substring, body: String) {
        var lines: [Range<String.Index>] = []
        var start = text.startIndex
        while lines.count < linesConsidered, start < text.endIndex {
            // Any line break: "\r\n" is one Character in Swift, not a "\n".
            let end = text[start...].firstIndex(where: \.isNewline) ?? text.endIndex
            if !text[start ..< end].allSatisfy(\.isWhitespace) { lines.append(start ..< end) }
            start = end < text.endIndex ? text.index(after: end) : end
        }
        guard let first = lines.first else { return (text[...], "") }
        let chosen = lines.first { !isNavigation(text[$0]) } ?? first
        let lineEnd = chosen.upperBound < text.endIndex ? text.index(after: chosen.upperBound) : chosen.upperBound
        return (text[chosen], String(text[..<chosen.lowerBound] + text[lineEnd...]))
    }

    /// Whether `line` is navigation or a contact header rather than a headline.
    static func isNavigation(_ line: Substring) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        if t.unicodeScalars.filter({ $0.properties.isAlphabetic || $0.properties.numericType != nil }).count < 4 { return true }
        // Breadcrumbs: two or more separators, or one after a "you are here" label.
        let separators = [" > ", "＞", " » ", "›", " / ", "->", "→"]
        let count = separators.reduce(0) { $0 + t.components(separatedBy: $1).count - 1 }
        let labels = ["當前位置", "当前位置", "您的位置", "你的位置", "您現在的位置", "您现在的位置", "所在位置", "現在位置", "現在地"]
        if count >= 2 || (count >= 1 && labels.contains { t.contains($0) }) { return true }
        if labels.contains(where: { t.hasPrefix($0) }) { return true }
        // Hotlines and tip-off numbers.
        let contact = ["熱線", "热线", "電話", "电话", "舉報", "举报", "傳真", "传真", "電話番号", "전화"]
        if contact.contains(where: { t.contains($0) }) && t.filter(\.isNumber).count >= 6 { return true }
        // A short section label that ends in "main text".
        if (t.hasSuffix("正文") || t.hasSuffix("正文頁") || t.hasSuffix("正文页")) && t.count <= 16 { return true }
        return false
    }
}
