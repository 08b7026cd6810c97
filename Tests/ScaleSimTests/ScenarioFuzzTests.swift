import Foundation
import Testing
@testable import ScaleSim

/// Broken variants of every bundled scenario and of the seed corpus in `Tests/FuzzCorpus`:
/// loading never crashes, every problem names a JSON path, and a variant that loads compiles,
/// solves, runs a short simulation and renders every report without crashing. The generator is
/// seeded; a failure prints the seed and the variant.
///
/// The corpus holds what the mutations would rarely produce by chance: cycles and forward
/// references in stage inheritance, names that do not exist, empty files, invalid UTF-8,
/// `NaN`, numbers out of range, nesting past the parser's limit. A crash found by this suite
/// belongs there once fixed.
@Suite struct ScenarioFuzzTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One input: its name, its bytes and, if it is JSON, its tree.
    struct Seed {
        var name: String
        var bytes: [UInt8]
        var tree: JSONValue?
        /// The scenario, if the seed is a valid one.
        var scenario: Scenario?
    }

    /// Every scenario under `scenarios/` (the architecture ones, the validation networks and
    /// the examples) and every file of the seed corpus.
    static func corpus() throws -> [Seed] {
        var seeds: [Seed] = []
        for folder in ["scenarios", "scenarios/validation", "scenarios/examples", "Tests/FuzzCorpus"] {
            let url = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).filter({ $0.hasSuffix(".json") }).sorted() {
                let bytes = [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
                seeds.append(Seed(name: "\(folder)/\(name)", bytes: bytes, tree: try? JSONParser.parse(bytes),
                                  scenario: try? Scenario.load(bytes: bytes)))
            }
        }
        return seeds
    }

    /// The kinds of change the generator made, named, so a run can show that it made every
    /// one of them (`MutationLog.all`) rather than trusting the probabilities.
    final class MutationLog {
        var kinds: Set<String> = []
        func note(_ kind: String) { kinds.insert(kind) }
        static let all: Set<String> = [
            "variant: resized numbers", "variant: tree changes", "variant: bytes",
            "object: key removed", "object: unknown close key", "object: value replaced", "object: key twice",
            "object: member changed", "stages: extends relinked", "stages: cycle of two",
            "array: item removed", "array: item duplicated", "array: item replaced", "array: items swapped",
            "array: item changed", "number: resized", "quantity: resized", "value: replaced",
            "replacement: a name", "replacement: a bad value",
            "bytes: bad number", "bytes: cut", "bytes: not UTF-8", "bytes: byte lost", "bytes: nested too deep",
            "bytes: broken escape",
        ]
    }

    /// Values that break a field in every way a person or a tool might.
    static let replacements: [JSONValue] = [
        .null, .bool(true), .number(0), .number(-1), .number(-0.5), .number(1e308), .number(-1e308),
        .number(2.5), .number(.leastNonzeroMagnitude * 2), .number(0x1p53 + 2), .number(1e9), .string(""),
        .string("abc"), .string("10 parsecs"), .string("-5s"), .string("1e400s"), .string("0s"), .string("1e-300ms"),
        .string("NaNms"), .string("infs"), .array([]), .object([]), .array([.number(1)]), .string("🙂"),
    ]

    /// Factors for a number of the right type but another size: none, a fraction, or far more.
    static let factors = [0, 0.001, 0.5, 2, 10, 1_000, 1e6]

    /// Number tokens JSON forbids or that do not fit a double, put in place of a number in the text.
    static let badNumbers = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "-0", "1e-400", "00", "1.", "-", "0x10", "+1"]

    /// Every string value in a tree: the names a mutation can point at wrongly.
    static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let s): [s]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let members): members.flatMap { strings(in: $0.value) }
        default: []
        }
    }

    /// One random change somewhere in the tree. `names` are the document's own strings, so a
    /// reference can be pointed at a name of the wrong kind.
    static func mutate(_ value: JSONValue, _ stream: RandomStream, names: [String], depth: Int = 0,
                       log: MutationLog? = nil) -> JSONValue {
        func replacement() -> JSONValue {
            if !names.isEmpty && stream.uniform() < 0.25 {
                let name = names[stream.uniformInt(names.count)]
                log?.note("replacement: a name")
                return .string(stream.uniform() < 0.5 ? name : name + "x")  // another name, or one that does not exist
            }
            log?.note("replacement: a bad value")
            return replacements[stream.uniformInt(replacements.count)]
        }
        switch value {
        case .object(var members) where !members.isEmpty && stream.uniform() < 0.75:
            if depth == 0, stream.uniform() < 0.15, let i = members.firstIndex(where: { $0.key == "stages" }),
               case .array(let stages) = members[i].value, !stages.isEmpty {
                members[i].value = .array(relink(stages, stream, log: log))
                return .object(members)
            }
            let i = stream.uniformInt(members.count)
            switch stream.uniformInt(7) {
            case 0: members.remove(at: i); log?.note("object: key removed")
            case 1: members.append(.init(members[i].key + "x", members[i].value)); log?.note("object: unknown close key")
            case 2: members[i].value = replacement(); log?.note("object: value replaced")
            case 3: members.append(members[i]); log?.note("object: key twice")
            default:
                log?.note("object: member changed")
                members[i].value = mutate(members[i].value, stream, names: names, depth: depth + 1, log: log)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty && stream.uniform() < 0.75:
            let i = stream.uniformInt(items.count)
            switch stream.uniformInt(6) {
            case 0: items.remove(at: i); log?.note("array: item removed")
            case 1: items.append(items[i]); log?.note("array: item duplicated")  // e.g. two stations of one name
            case 2: items[i] = replacement(); log?.note("array: item replaced")
            case 3: items.swapAt(i, stream.uniformInt(items.count)); log?.note("array: items swapped")  // a stage before the one it extends
            default:
                log?.note("array: item changed")
                items[i] = mutate(items[i], stream, names: names, depth: depth + 1, log: log)
            }
            return .array(items)
        case .number where stream.uniform() < 0.5:
            log?.note("number: resized")
            return resize(value, stream)  // the right type but another size
        case .string(let text) where stream.uniform() < 0.5 && text.first?.isNumber == true:
            log?.note("quantity: resized")
            return resize(value, stream)  // the same for a quantity with its unit ("10ms", "2MB")
        default:
            log?.note("value: replaced")
            return replacement()
        }
    }

    /// Points one stage's `extends` at another stage (itself, a later one, or one that closes a
    /// cycle) or at a name that does not exist.
    static func relink(_ stages: [JSONValue], _ stream: RandomStream, log: MutationLog? = nil) -> [JSONValue] {
        var stages = stages
        let names = stages.map { stage -> String? in
            guard case .object(let members) = stage, case .string(let name)? = members.first(where: { $0.key == "name" })?.value
            else { return nil }
            return name
        }
        let from = stream.uniformInt(stages.count), to = stream.uniformInt(stages.count)
        guard case .object(var members) = stages[from] else { return stages }
        let target: JSONValue = names[to].map { .string(stream.uniform() < 0.9 ? $0 : $0 + " (old)") } ?? .null
        members.removeAll { $0.key == "extends" }
        members.append(.init("extends", target))
        stages[from] = .object(members)
        log?.note("stages: extends relinked")
        // Half the time the target extends the source back: a cycle of two.
        if from != to, stream.uniform() < 0.5, let back = names[from], case .object(var other) = stages[to] {
            other.removeAll { $0.key == "extends" }
            other.append(.init("extends", .string(back)))
            stages[to] = .object(other)
            log?.note("stages: cycle of two")
        }
        return stages
    }

    /// One random change to the bytes themselves: a number JSON forbids, a cut, a byte that is
    /// not UTF-8, a lost byte, or the document wrapped deeper than the parser allows.
    static func mutateBytes(_ bytes: [UInt8], _ stream: RandomStream, log: MutationLog? = nil) -> [UInt8] {
        var bytes = bytes
        let at = bytes.isEmpty ? 0 : stream.uniformInt(bytes.count)
        switch stream.uniformInt(6) {
        case 0:
            // Replace the digits at or after `at` with a bad number token.
            guard let start = bytes[at...].firstIndex(where: { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { break }
            var end = start
            while end < bytes.count, "0123456789.eE+-".utf8.contains(bytes[end]) { end += 1 }
            bytes.replaceSubrange(start..<end, with: Array(badNumbers[stream.uniformInt(badNumbers.count)].utf8))
            log?.note("bytes: bad number")
        case 1: bytes.removeSubrange(at...); log?.note("bytes: cut")
        case 2:
            bytes.insert(contentsOf: [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00]][stream.uniformInt(5)], at: at)
            log?.note("bytes: not UTF-8")
        case 3: if !bytes.isEmpty { bytes.remove(at: at); log?.note("bytes: byte lost") }
        case 4:
            let depth = JSONParser.maximumDepth - 2 + stream.uniformInt(5)
            bytes = Array(repeating: UInt8(ascii: "["), count: depth) + bytes + Array(repeating: UInt8(ascii: "]"), count: depth)
            log?.note("bytes: nested too deep")
        default: bytes.insert(contentsOf: Array("\"\\u12\"".utf8), at: at); log?.note("bytes: broken escape")
        }
        return bytes
    }

    /// One number (or quantity with a unit) somewhere in the tree, resized: a variant that
    /// mostly still loads, so the engine and reports meet odd but valid values.
    static func resize(_ value: JSONValue, _ stream: RandomStream) -> JSONValue {
        switch value {
        case .object(var members) where !members.isEmpty:
            let i = stream.uniformInt(members.count)
            members[i].value = resize(members[i].value, stream)
            return .object(members)
        case .array(var items) where !items.isEmpty:
            let i = stream.uniformInt(items.count)
            items[i] = resize(items[i], stream)
            return .array(items)
        case .number(let x):
            return .number(x * factors[stream.uniformInt(factors.count)])
        case .string(let text) where text.first?.isNumber == true:
            let digits = text.prefix { $0.isNumber || $0 == "." }
            guard let x = Double(digits) else { return value }
            let scaled = x * factors[stream.uniformInt(factors.count)]
            return .string((scaled == scaled.rounded() && scaled < 1e15 ? String(Int(scaled)) : String(scaled)) + text.dropFirst(digits.count))
        default:
            return value
        }
    }

    /// The variant of `seed` number `n`: resized numbers (40%), other changes to the tree
    /// (45%), or changes to the bytes (15%).
    static func variant(of seed: Seed, _ stream: RandomStream, log: MutationLog? = nil) -> [UInt8] {
        let kind = stream.uniform()
        guard let tree = seed.tree, kind < 0.85 else {
            log?.note("variant: bytes")
            return mutateBytes(seed.bytes, stream, log: log)
        }
        if kind < 0.4 {
            log?.note("variant: resized numbers")
            var variant = tree
            for _ in 0..<(1 + stream.uniformInt(3)) { variant = resize(variant, stream) }
            return Array(variant.serialized().utf8)
        }
        log?.note("variant: tree changes")
        let names = strings(in: tree).filter { $0.count < 60 }
        var variant = tree
        let changes = stream.uniform() < 0.6 ? 1 : 2 + stream.uniformInt(2)
        for _ in 0..<changes { variant = mutate(variant, stream, names: names, log: log) }
        return Array(variant.serialized().utf8)
    }

    /// What the tool does with a scenario that loaded: compile, solve, simulate briefly (a
    /// few simulated seconds, at most 5,000 events a replication, one replication or two) and
    /// render every report. Of an architecture variant, the stages that differ from the
    /// `original`'s run (each stage costs a fifth of a second in a debug build), or two at
    /// random when none does (a change to the workload or the run).
    static func exercise(_ scenario: Scenario, variant number: UInt64, original: Scenario? = nil) {
        let limits = EngineLimits(maxInFlight: 10_000, maxEvents: 5_000)
        let replications = 1 + Int(number % 2)  // one: the intervals are unavailable
        switch scenario {
        case .network(var network):
            network.run.duration = min(network.run.duration, 20)
            network.run.warmup = min(network.run.warmup, network.run.duration / 2)
            network.run.replications = replications
            // At most 1,000 users in a closed network: the analytic recursion is O(population),
            // minutes for the 10^8 a file may give in a debug build (a second in release).
            if let population = network.population { network.population?.size = min(population.size, 1_000) }
            let report = NetworkReport.run(network, jobs: 1, limits: limits)
            _ = (report.json.serialized(), report.table, report.markdown, report.html, report.timeSeriesCSV)
        case .architecture(var architecture):
            if case .architecture(let before)? = original {
                var changed = architecture.stages.enumerated()
                    .filter { i, stage in i >= before.stages.count || stage != before.stages[i] }.map(\.element)
                if changed.isEmpty || architecture.workload != before.workload || architecture.run != before.run {
                    let stream = RandomStream(seed: number, name: "fuzz:stages", replication: 0)
                    changed += (0..<2).map { _ in architecture.stages[stream.uniformInt(architecture.stages.count)] }
                }
                architecture.stages = Array(changed.prefix(3))
            }
            let factor = architecture.run.duration / 4
            if factor > 1 { FingerprintTests.compressTime(of: &architecture, by: factor) }
            architecture.run.replications = replications
            // At most 200 users: the per-key set-up of the caches and CDN edges of a large
            // population takes seconds in a debug build. Loading has seen the variant's own
            // numbers, and a billion users have a test of their own.
            architecture.workload.users = min(architecture.workload.users, 200)
            for i in architecture.stages.indices { architecture.stages[i].users = min(architecture.stages[i].users, 200) }
            let capacity: StageCapacity.Search = number % 4 == 0 ? .analytic : .none
            let report = ArchitectureReport.run(architecture, jobs: 1, limits: limits, capacity: capacity)
            _ = (report.json.serialized(), report.table, report.markdown, report.html, report.timeSeriesCSV)
        }
    }

    @Test func brokenVariantsNeverCrashAndNameTheirPaths() throws {
        let seeds = try Self.corpus()
        #expect(seeds.count >= 30, "\(seeds.count) seeds")
        // SCALESIM_FUZZ_VARIANTS=100000 swift test --filter brokenVariants fuzzes longer. The
        // default 800 (about 20 a seed) still makes every kind of change and loads and runs
        // variants of every bundled scenario, which the end of this test checks.
        let count = ProcessInfo.processInfo.environment["SCALESIM_FUZZ_VARIANTS"].flatMap { UInt64($0) } ?? 800
        let log = MutationLog()
        var perSeed: [String: Int] = [:]
        let clock = ContinuousClock(), start = clock.now
        var loaded: [String: Int] = [:], rejected = 0
        for n in 0..<count {
            let stream = RandomStream(seed: n, name: "fuzz", replication: 0)
            let seed = seeds[Int(n) % seeds.count]
            let bytes = Self.variant(of: seed, stream, log: log)
            do {
                let scenario = try Scenario.load(bytes: bytes)
                if case .network = scenario { loaded["network", default: 0] += 1 } else { loaded["architecture", default: 0] += 1 }
                perSeed[seed.name, default: 0] += 1
                Self.exercise(scenario, variant: n, original: seed.scenario)
            } catch {
                rejected += 1
                let shown = String(decoding: bytes.prefix(4_000), as: UTF8.self)
                #expect(!error.issues.isEmpty, "variant \(n) of \(seed.name): an error without problems\n\(shown)")
                for issue in error.issues {
                    #expect(!issue.path.isEmpty && !issue.message.isEmpty,
                            "variant \(n) of \(seed.name): a problem without a path: \(issue)\n\(shown)")
                }
            }
        }
        print("fuzz: loaded per seed: \(perSeed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        print("fuzz: \(clock.now - start) for \(count) variants of \(seeds.count) seeds: \(loaded["network", default: 0]) network and \(loaded["architecture", default: 0]) architecture variants loaded and ran, \(rejected) rejected")
        // The generator must produce both kinds, for both kinds of scenario, or it tests nothing.
        #expect(Double(loaded["network", default: 0]) > 0.05 * Double(count) && Double(loaded["architecture", default: 0]) > 0.1 * Double(count)
                    && Double(rejected) > 0.3 * Double(count),
                "loaded \(loaded), rejected \(rejected)")
        // Every kind of change was made, and every bundled scenario gave variants that loaded
        // and ran (a run much shorter than the default may miss some).
        if count >= 800 {
            #expect(log.kinds == MutationLog.all, "kinds of change never made: \(MutationLog.all.subtracting(log.kinds).sorted())")
            let bundled = seeds.map(\.name).filter { $0.hasPrefix("scenarios/") }
            #expect(bundled.count >= 16 && bundled.allSatisfy { perSeed[$0, default: 0] > 0 },
                    "bundled scenarios none of whose variants loaded: \(bundled.filter { perSeed[$0, default: 0] == 0 })")
        }
    }

    /// The seed corpus as it is: each file loads or gives problems that all name a path.
    @Test func everyCorpusFileLoadsOrNamesItsProblems() throws {
        for seed in try Self.corpus() where seed.name.hasPrefix("Tests/") {
            do {
                Self.exercise(try Scenario.load(bytes: seed.bytes), variant: 0)
            } catch {
                #expect(!error.issues.isEmpty && error.issues.allSatisfy { !$0.path.isEmpty && !$0.message.isEmpty },
                        "\(seed.name): \(error)")
            }
        }
    }

    /// The corpus's inheritance cases give the error a person needs: the cycle spelled out,
    /// the missing or later name named.
    @Test func stageInheritanceCyclesAndMissingNamesAreExplained() throws {
        func problems(_ file: String) throws -> [ScenarioIssue] {
            let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("Tests/FuzzCorpus/\(file)")))
            do {
                _ = try Scenario.load(bytes: bytes)
                return []
            } catch {
                return error.issues
            }
        }
        let cycle = try problems("inheritance-cycle.json")
        #expect(cycle.contains { $0.path.hasPrefix("stages[0].extends") && $0.message.contains("cycle") }, "\(cycle)")
        let selfish = try problems("inheritance-self.json")
        #expect(selfish.contains { $0.path.hasPrefix("stages[0].extends") }, "\(selfish)")
        let missing = try problems("inheritance-missing.json")
        #expect(missing.contains { $0.path.hasPrefix("stages[1].extends") && $0.message.contains("one machine") }, "\(missing)")
        #expect(try problems("inheritance-chain.json").isEmpty, "a chain of 40 stages each extending the one before is valid")
    }

    /// What the command line must do with any file: exit 0 or 65 (never by a signal), and on
    /// 65 list the problems one a line as `  path: message`.
    static func expectCleanOutcome(_ outcome: CLI.Outcome, _ what: String) {
        #expect(!outcome.signalled && [0, 65].contains(outcome.status),
                "\(what): \(outcome.signalled ? "killed by signal" : "exit") \(outcome.status)\n\(outcome.stderr.prefix(2_000))")
        guard outcome.status == 65 else { return }
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.first?.contains("is not a valid scenario") == true, "\(what): \(outcome.stderr.prefix(500))")
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            #expect(line.hasPrefix("  ") && parts.count == 2 && !parts[0].trimmingCharacters(in: .whitespaces).isEmpty,
                    "\(what): a problem without a JSON path: \(line.prefix(300))")
        }
    }

    /// A sample of the variants through the binary: `validate` on 60 of them, `run` (one
    /// replication, at most 20,000 events, no capacity search) on the 12 from the smallest
    /// scenarios.
    @Test func theCommandLineExitsCleanlyOnBrokenVariants() throws {
        let seeds = try Self.corpus()
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        var runs = 0
        for n in stride(from: UInt64(7), to: 2_000, by: 33) {
            let stream = RandomStream(seed: n, name: "fuzz", replication: 0)
            let seed = seeds[Int(n) % seeds.count]
            let bytes = Self.variant(of: seed, stream)
            let file = sandbox.url("variant-\(n).json")
            try Data(bytes).write(to: file)
            Self.expectCleanOutcome(try CLI.run(["validate", file.path]), "validate variant \(n) of \(seed.name)")
            let small = ["examples/", "validation/", "/1.json", "/10.json", "/100.json", "FuzzCorpus/"].contains { seed.name.contains($0) }
            if small && runs < 12 {
                runs += 1
                Self.expectCleanOutcome(try CLI.run(["run", file.path, "--replications", "1", "--max-events", "20000",
                                                     "--capacity", "none", "--no-reports", "--quiet"]),
                                        "run variant \(n) of \(seed.name)")
            }
        }
        #expect(runs >= 8, "only \(runs) variants run")
    }

    /// Files of 50 MB: a valid scenario whose notes are 50 MB long loads; 50 MB of one array
    /// (past `JSONParser.maximumArrayLength`), of random bytes, and of nesting are rejected
    /// with one problem each, in bounded time.
    @Test func fiftyMegabyteFilesLoadOrFailCleanly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let size = 50 << 20
        let minimal = try String(contentsOf: Self.root.appendingPathComponent("scenarios/examples/architecture-minimal.json"), encoding: .utf8)
        let notes = String(repeating: "Graminsta ", count: size / 10)
        let valid = minimal.replacingOccurrences(of: "\"notes\": \"The first two stages", with: "\"notes\": \"\(notes)The first two stages")
        #expect(valid.utf8.count > size)
        let stream = RandomStream(seed: 50, name: "fuzz:50MB", replication: 0)
        var words = [UInt64](repeating: 0, count: size / 8)
        for i in words.indices { words[i] = stream.next() }
        let random = words.withUnsafeBytes { [UInt8]($0) }
        let cases: [(String, [UInt8], Int32)] = [
            ("long notes", Array(valid.utf8), 0),
            ("one long array", Array(("{\"kind\": \"network\", \"name\": \"big\", \"stations\": [" + String(repeating: "1,", count: size / 2) + "1]}").utf8), 65),
            ("random bytes", random, 65),
            ("nesting", Array(repeating: UInt8(ascii: "["), count: size), 65),
        ]
        for (name, bytes, expected) in cases {
            let file = sandbox.url("\(name).json")
            try Data(bytes).write(to: file)
            let outcome = try CLI.run(["validate", file.path])
            Self.expectCleanOutcome(outcome, "50 MB of \(name)")
            #expect(outcome.status == expected, "50 MB of \(name): exit \(outcome.status)\n\(outcome.stderr.prefix(500))")
        }
    }

    /// A billion users, the most a file may give, with a cache: the compiled cache tracks at
    /// most `StageCompiler.maximumUserKeys` keys, so a replication fits in memory
    /// (before, the key table alone needed tens of gigabytes).
    @Test func aBillionUsersWithACacheStayWithinMemory() throws {
        guard case .architecture(var scenario) = try FingerprintTests.load("scenarios/100k.json") else {
            Issue.record("100k is not an architecture scenario")
            return
        }
        let index = try #require(scenario.stages.firstIndex { $0.cache != nil })
        scenario.stages = [scenario.stages[index]]
        scenario.workload.users = 1_000_000_000
        scenario.stages[0].users = 1_000_000_000
        let model = scenario.compile(stage: 0, users: 1_000_000_000).model
        #expect(!model.caches.isEmpty && model.caches.allSatisfy { $0.keys <= StageCompiler.maximumUserKeys + scenario.workload.hotKeys.count },
                "\(model.caches.map(\.keys))")
        scenario.run.duration = 2
        scenario.run.warmup = 0.5
        scenario.run.replications = 1
        let report = ArchitectureReport.run(scenario, jobs: 1, limits: EngineLimits(maxInFlight: 100_000, maxEvents: 5_000), capacity: .none)
        #expect(report.json.serialized().contains("\"stages\""), "seed \(scenario.seed)")
    }

    /// A file with thousands of wrong values lists the first hundred problems and counts the
    /// rest; an array past `JSONParser.maximumArrayLength` is refused while it is read.
    @Test func thousandsOfProblemsAreCountedNotListed() throws {
        let stations = Array(repeating: "1", count: 5_000).joined(separator: ",")
        let text = #"{"kind": "network", "name": "many", "seed": 1, "arrivals": [], "stations": [\#(stations)]}"#
        do {
            _ = try Scenario.load(bytes: Array(text.utf8))
            Issue.record("accepted 5,000 stations that are numbers")
        } catch {
            #expect(error.issues.count == IssueLog.maximumIssues + 1 && error.problemCount > 5_000, "\(error.issues.count) listed, \(error.problemCount) in all")
            #expect(error.issues.last?.path == "$" && error.issues.last?.message.contains("more problems") == true, "\(error.issues.last.map(\.description) ?? "")")
        }
        let long = "[" + Array(repeating: "0", count: JSONParser.maximumArrayLength + 1).joined(separator: ",") + "]"
        do {
            _ = try Scenario.load(bytes: Array(long.utf8))
            Issue.record("accepted an array of \(JSONParser.maximumArrayLength + 1) elements")
        } catch {
            #expect(error.issues.count == 1 && error.issues[0].message.contains("more than 1000000 elements"), "\(error)")
        }
    }

    @Test func bytesThatAreNotAScenarioGiveOneClearProblem() {
        let inputs: [[UInt8]] = [[], [0xFF, 0xFE, 0x00], Array("{".utf8), Array("[]".utf8), Array("null".utf8),
                                 Array(repeating: UInt8(ascii: "["), count: 100_000),
                                 Array("{\"kind\": \"network\"} trailing".utf8)]
        for bytes in inputs {
            do {
                _ = try Scenario.load(bytes: bytes)
                Issue.record("accepted \(bytes.prefix(20))")
            } catch {
                #expect(!error.issues.isEmpty && error.issues.allSatisfy { !$0.path.isEmpty }, "\(error)")
            }
        }
    }
}
