/// Reads the `stages` list: resolves `"extends"` by deep-merging JSON, decodes each merged
/// stage, and reports each problem at the stage that wrote the offending value.
struct StageResolver {
    typealias Stage = ArchitectureScenario.Stage
    static let stageKeys = ["name", "extends", "users", "slo", "notes", "host", "api", "loadBalancer",
                            "webHosts", "database", "replicas", "cache", "objectStorage", "cdn", "profile", "faults", "websockets"]
    /// Keys a stage never inherits: they describe the stage itself.
    static let ownKeys: Set<String> = ["name", "extends", "notes"]
    /// Keys whose value a stage replaces whole, `null` included: a profile is one shape (a
    /// spike does not merge into a curve of points), and `"profile": null` means "no
    /// profile", unlike an absent key (the workload's profile).
    static let wholeKeys: Set<String> = ["profile"]

    let log: IssueLog
    let slo: ArchitectureScenario.SLO
    /// The workload (nil when it is invalid: stages are still checked, without `users` default).
    let workload: ArchitectureScenario.Workload?

    func stages(_ reader: JSONReader) -> [Stage]? {
        guard let elements = reader.array(nonEmpty: true, of: "stage") else { return nil }
        var own: [[JSONValue.Member]?] = []
        var names: [String?] = []
        for element in elements {
            if case .object(let members) = element.value {
                own.append(members)
                if case .string(let name)? = element.value["name"], !name.isEmpty { names.append(name) } else { names.append(nil) }
            } else {
                element.reportExpected("a stage object")
                own.append(nil)
                names.append(nil)
            }
        }
        var firstIndex: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard let name else { continue }
            if let earlier = firstIndex[name] {
                log.add(reader.path.appending(index).appending("name"),
                        "duplicate stage name \(JSONReader.describe(.string(name))) (also \(reader.path.appending(earlier)))")
            } else {
                firstIndex[name] = index
            }
        }

        // The stage each one extends; `resolvable` is false when its chain is broken.
        var base: [Int?] = Array(repeating: nil, count: elements.count)
        var resolvable = Array(repeating: true, count: elements.count)
        for (index, element) in elements.enumerated() {
            guard let members = own[index], let extends = members.first(where: { $0.key == "extends" }),
                  extends.value != .null else { continue }
            let extendsReader = JSONReader(extends.value, path: element.path.appending("extends"), log: log)
            guard let target = extendsReader.string() else { resolvable[index] = false; continue }
            let shown = JSONReader.describe(.string(target))
            guard let targetIndex = firstIndex[target] else {
                let earlier = names[..<index].compactMap { $0 }
                let suggestion = Suggestion.didYouMean(target, among: earlier)
                extendsReader.report("no earlier stage named \(shown)\(suggestion)"
                    + (suggestion.isEmpty && !earlier.isEmpty ? "; the earlier stages are \(Suggestion.quotedList(earlier))" : ""))
                resolvable[index] = false
                continue
            }
            if targetIndex == index {
                extendsReader.report("a stage cannot extend itself")
                resolvable[index] = false
            } else if targetIndex > index {
                extendsReader.report("stage \(shown) is \(reader.path.appending(targetIndex)), which comes later; a stage may extend only an earlier one"
                    + cycleNote(from: index, names: names, own: own, firstIndex: firstIndex))
                resolvable[index] = false
            } else {
                base[index] = targetIndex
                if !resolvable[targetIndex] { resolvable[index] = false }
            }
        }

        // Merge and decode, earliest first (a base always comes before the stages extending it).
        var merged: [[JSONValue.Member]?] = Array(repeating: nil, count: elements.count)
        var ownIssues: [Set<String>] = Array(repeating: [], count: elements.count)
        var stages: [Stage?] = []
        for (index, element) in elements.enumerated() {
            guard let members = own[index], resolvable[index] else { stages.append(nil); continue }
            if let baseIndex = base[index], let inherited = merged[baseIndex] {
                merged[index] = Self.merge(inherited.filter { !Self.ownKeys.contains($0.key) }, members)
            } else {
                merged[index] = members
            }
            let stageLog = IssueLog()
            let decoder = StageDecoder(log: stageLog, slo: slo, workload: workload)
            stages.append(decoder.stage(JSONReader(.object(merged[index]!), path: element.path, log: stageLog)))
            // Move each problem to the stage that wrote the value.
            let prefix = element.path.components.count
            for (path, message) in stageLog.located {
                let rest = Array(path.components.dropFirst(prefix))
                ownIssues[index].insert("\(JSONPath(components: rest))|\(message)")
                let origin = self.origin(of: rest, in: index, own: own, base: base)
                if origin == index {
                    log.add(path, message)
                } else if !ownIssues[origin].contains("\(JSONPath(components: rest))|\(message)") {
                    let name = names[index].map { " " + JSONReader.describe(.string($0)) } ?? ""
                    log.add(JSONPath(components: reader.path.appending(origin).components + rest),
                            "\(message) (in \(element.path)\(name), which inherits this value)")
                }
            }
            log.omit(stageLog.omitted)
        }
        let valid = stages.compactMap { $0 }
        return valid.count == stages.count ? valid : nil
    }

    /// ` (this would make a cycle: "a" -> "b" -> "a")` when following `extends` from stage
    /// `start` comes back to it.
    private func cycleNote(from start: Int, names: [String?], own: [[JSONValue.Member]?],
                           firstIndex: [String: Int]) -> String {
        var chain = [start]
        var current = start
        while chain.count <= own.count {
            guard case .string(let target)? = own[current]?.first(where: { $0.key == "extends" })?.value,
                  let next = firstIndex[target] else { return "" }
            chain.append(next)
            if next == start {
                let shown = chain.map { names[$0].map { JSONReader.describe(.string($0)) } ?? "?" }
                return " (this would make a cycle: \(shown.joined(separator: " -> ")))"
            }
            if chain.dropLast().contains(next) { return "" }
            current = next
        }
        return ""
    }

    /// The stage that wrote the value at `rest` (a path inside a stage) of stage `index`:
    /// the stage itself when its own JSON has the value, else the stage it extends, and so on.
    private func origin(of rest: [JSONPath.Component], in index: Int, own: [[JSONValue.Member]?],
                        base: [Int?]) -> Int {
        if case .key(let key)? = rest.first, Self.ownKeys.contains(key) { return index }
        guard !rest.isEmpty else { return index }
        var stage = index
        while true {
            if let members = own[stage], Self.writes(.object(members), rest) { return stage }
            guard let next = base[stage] else { return index }
            stage = next
        }
    }

    /// Whether `value` holds `path`: every key present and not `null`; a scalar or array met
    /// on the way counts (the stage wrote that whole value).
    private static func writes(_ value: JSONValue, _ path: [JSONPath.Component]) -> Bool {
        var current = value
        for component in path {
            switch (component, current) {
            case (.key(let key), .object(let members)):
                guard let next = members.first(where: { $0.key == key })?.value, next != .null else { return false }
                current = next
            case (.index, .array):
                return true
            default:
                return true
            }
        }
        return true
    }

    /// `override` deep-merged into `base`: objects merge key by key (recursively), arrays and
    /// scalars replace, and a `null` removes the key. New keys keep the order written.
    ///
    /// Inside `slo` a `null` is kept: there it means "no such target", which differs from an
    /// absent key (inherit the scenario's target). The stage's `wholeKeys` are replaced whole,
    /// `null` kept (`wholeKeys` applies at the top level only).
    static func merge(_ base: [JSONValue.Member], _ override: [JSONValue.Member],
                      keepingNulls: Bool = false, wholeKeys: Set<String> = wholeKeys) -> [JSONValue.Member] {
        var result = base
        for member in override {
            let whole = wholeKeys.contains(member.key)
            guard let position = result.firstIndex(where: { $0.key == member.key }) else {
                if member.value != .null || keepingNulls || whole { result.append(member) }
                continue
            }
            switch (result[position].value, member.value) {
            case _ where whole:
                result[position].value = member.value
            case (_, .null) where !keepingNulls:
                result.remove(at: position)
            case (.object(let old), .object(let new)):
                result[position].value = .object(merge(old, new, keepingNulls: keepingNulls || member.key == "slo",
                                                       wholeKeys: []))
            default:
                result[position].value = member.value
            }
        }
        return result
    }
}
