import Foundation
import Testing
@testable import ScaleSim

/// Regression fingerprints: a hash of each bundled scenario's JSON report at a fixed seed and
/// a short run. A change that alters any simulated number changes a fingerprint, so results
/// change only on purpose: when a change is meant to alter results (or the report's form),
/// run this suite, check the new figures, and paste the fingerprints it prints here.
@Suite struct FingerprintTests {
    static let expected: [String: String] = [
        // scenarios/validation/
        "closed": "fe464a2221f1097",
        "mm1": "11376c6ed91bb601",
        "mmc": "3465734c00c8e966",
        "three-tier": "bba004f92aac00c7",
        "ttl-cache": "a697634e48b34dc8",
        // scenarios/examples/
        "examples/network-tandem": "8b921eb111e4e3c9",
        "examples/architecture-minimal": "159b922ee9e0b246",
        // scenarios/
        "1": "a302abafd62d30f7",
        "10": "c052874222836329",
        "100": "72e68086b3d49b1d",
        "1k": "e2abd3fda68006c8",
        "10k": "e98cd0a1ab31f11c",
        "100k": "419c9b9c022b63",
        "superbowl": "302c8a5d43d2e128",
        "instance-failure": "d6c74ae031ccdf2a",
        "celebrity": "ddf40eba42ec4048",
        "beyond-1m": "9eb6c68c3cedd761",
    ]

    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// FNV-1a, 64 bits: stable across runs, processes and platforms.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }

    /// The report without `run.version`: the version is not a result, so a release does not
    /// change fingerprints.
    static func withoutVersion(_ json: JSONValue) -> JSONValue {
        guard case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "run" }),
              case .object(var run) = members[i].value else { return json }
        run.removeAll { $0.key == "version" }
        members[i].value = .object(run)
        return .object(members)
    }

    static func check(_ name: String, seed: UInt64, _ json: JSONValue) {
        let print = Self.fingerprint(Self.withoutVersion(json).serialized())
        #expect(print == Self.expected[name],
                "\(name) (seed \(seed)): fingerprint \(print), expected \(Self.expected[name] ?? "none"). If this change is meant to alter results, update FingerprintTests.expected.")
    }

    static func load(_ relative: String) throws -> Scenario {
        try Scenario.load(bytes: [UInt8](Data(contentsOf: root.appendingPathComponent(relative))))
    }

    /// Every scenario file bundled in `scenarios/`, `scenarios/validation/` and
    /// `scenarios/examples/` has a fingerprint: a new file must get one.
    @Test func everyBundledScenarioHasAFingerprint() throws {
        var names: [String] = []
        for (folder, prefix) in [("scenarios", ""), ("scenarios/validation", ""), ("scenarios/examples", "examples/")] {
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent(folder).path)
            names += files.filter { $0.hasSuffix(".json") }.map { prefix + ($0 as NSString).deletingPathExtension }
        }
        #expect(Set(names) == Set(Self.expected.keys),
                "bundled scenarios without a fingerprint: \(Set(names).subtracting(Self.expected.keys).sorted()); fingerprints without a file: \(Set(Self.expected.keys).subtracting(names).sorted())")
    }

    @Test(arguments: ["closed", "mm1", "mmc", "three-tier", "ttl-cache", "examples/network-tandem"])
    func networkScenarioFingerprint(name: String) throws {
        let path = name.hasPrefix("examples/") ? "scenarios/\(name).json" : "scenarios/validation/\(name).json"
        guard case .network(var scenario) = try Self.load(path) else {
            Issue.record("\(name) is not a network scenario")
            return
        }
        // Short: two replications of a tenth of the file's duration.
        scenario.run.duration /= 10
        scenario.run.warmup /= 10
        scenario.run.replications = 2
        Self.check(name, seed: scenario.seed, NetworkReport.run(scenario, jobs: 2).json)
    }

    /// Architecture scenarios run two replications with every time of the file (duration,
    /// warm-up, series window, and when the faults, spikes and hot keys of the changing scenarios begin and
    /// end) divided by one factor, so that the shortened run of `duration` simulated seconds
    /// still sees instance-failure's fault, celebrity's hot key and superbowl's spike; with
    /// no capacity search.
    @Test(arguments: [
        ("examples/architecture-minimal", 120.0), ("1", 120), ("10", 120), ("100", 120),
        ("1k", 60), ("10k", 20), ("100k", 4),
        ("instance-failure", 24), ("celebrity", 30), ("superbowl", 40), ("beyond-1m", 2),
    ])
    func architectureScenarioFingerprint(name: String, duration: Double) throws {
        guard case .architecture(var scenario) = try Self.load("scenarios/\(name).json") else {
            Issue.record("\(name) is not an architecture scenario")
            return
        }
        Self.compressTime(of: &scenario, by: scenario.run.duration / duration)
        scenario.run.replications = 2
        Self.check(name, seed: scenario.seed, ArchitectureReport.run(scenario, jobs: 2, capacity: .none).json)
    }

    /// Divides the run's duration and warm-up, and the times of the load profiles, hot keys
    /// and faults, by `factor`.
    static func compressTime(of scenario: inout ArchitectureScenario, by factor: Double) {
        func compress(_ profile: inout ArchitectureScenario.Profile?) {
            guard var changed = profile else { return }
            switch changed.shape {
            case .points(let points):
                changed.shape = .points(points.map { var p = $0; p.at /= factor; return p })
            case .spike(let at, let height, let length, let ramp):
                changed.shape = .spike(at: at / factor, factor: height, length: length / factor, ramp: ramp / factor)
            case .daily(let peak, let trough, let peakAt, let period):
                changed.shape = .daily(peak: peak, trough: trough, peakAt: peakAt / factor, period: period / factor)
            }
            profile = changed
        }
        scenario.run.duration /= factor
        scenario.run.warmup /= factor
        scenario.run.window? /= factor
        compress(&scenario.workload.profile)
        for i in scenario.workload.hotKeys.indices { 
            scenario.workload.hotKeys[i].from? /= factor
            scenario.workload.hotKeys[i].until? /= factor
        }
        for i in scenario.stages.indices {
            compress(&scenario.stages[i].profile)
            for j in scenario.stages[i].faults.indices {
                scenario.stages[i].faults[j].at /= factor
                scenario.stages[i].faults[j].duration /= factor
            }
        }
    }
}
