/// "Did you mean" suggestions for misspelled keys, names and choices.
enum Suggestion {
    /// The candidate closest to `word`, when it is close enough to be a likely typo.
    ///
    /// Close enough means an edit distance (Levenshtein with adjacent transpositions, ignoring
    /// case) of at most 2, or at most 1 for words of up to 3 characters, and less than the
    /// length of `word` (so `x` does not suggest `p`). Ties go to the earlier candidate.
    ///
    /// - Complexity: O(k · n · m) for k candidates of length m and a word of length n.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty, typed.count <= 64 else { return nil }
        let allowed = min(typed.count <= 3 ? 1 : 2, typed.count - 1)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let known = Array(candidate.lowercased())
            guard abs(known.count - typed.count) <= allowed else { continue }
            let distance = editDistance(typed, known)
            if distance <= allowed, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// ` (did you mean "X"?)` when a candidate is close to `word`, otherwise an empty string.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        guard let match = closest(to: word, among: candidates) else { return "" }
        return " (did you mean \(JSONValue.string(match).serialized(pretty: false))?)"
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost 1.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, beforePrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }

    /// `"a", "b", "c"`: names quoted as JSON strings, for messages.
    static func quotedList(_ names: [String]) -> String {
        names.map { JSONValue.string($0).serialized(pretty: false) }.joined(separator: ", ")
    }
}
