import Foundation
import Testing
@testable import ScaleSim

/// Regression fingerprints: a hash of each bundled scenario's JSON report at a fixed seed and
/// a short run. A change that alters any simulated number changes a fingerprint, so results
/// change only on purpose: when a change is meant to alter results (or the report's form),
/// run this suite, check the new figures, and paste the fingerprints it prints here.
@Suite struct FingerprintTests {
    static let expected: [String: String] = [
        "closed": "fe464a2221f1097",
        "mm1": "11376c6ed91bb601",
        "mmc": "3465734c00c8e966",
        "three-tier": "bba004f92aac00c7",
        "ttl-cache": "a697634e48b34dc8",
    ]

    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// FNV-1a, 64 bits: stable across runs, processes and platforms.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }

    @Test(arguments: ["closed", "mm1", "mmc", "three-tier", "ttl-cache"])
    func bundledScenarioFingerprint(name: String) throws {
        let url = Self.root.appendingPathComponent("scenarios/validation/\(name).json")
        guard case .network(var scenario) = try Scenario.load(bytes: [UInt8](Data(contentsOf: url))) else {
            Issue.record("\(name) is not a network scenario")
            return
        }
        // Short: two replications of a tenth of the file's duration.
        scenario.run.duration /= 10
        scenario.run.warmup /= 10
        scenario.run.replications = 2
        var json = NetworkReport.run(scenario, jobs: 2).json
        // The version is not a result: leave it out so a release does not change fingerprints.
        if case .object(var members) = json, let i = members.firstIndex(where: { $0.key == "run" }),
           case .object(var run) = members[i].value {
            run.removeAll { $0.key == "version" }
            members[i].value = .object(run)
            json = .object(members)
        }
        let print = Self.fingerprint(json.serialized())
        #expect(print == Self.expected[name],
                "\(name) (seed \(scenario.seed)): fingerprint \(print), expected \(Self.expected[name] ?? "none"). If this change is meant to alter results, update FingerprintTests.expected.")
    }
}
