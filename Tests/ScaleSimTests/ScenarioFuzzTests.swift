import Foundation
import Testing
@testable import ScaleSim

/// Broken variants of every bundled scenario: loading never crashes, every problem names a
/// JSON path, and a variant that loads compiles, solves and runs a short simulation without
/// crashing. The generator is seeded; a failure prints the seed and the variant.
@Suite struct ScenarioFuzzTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func bundled() throws -> [(String, JSONValue)] {
        let folder = root.appendingPathComponent("scenarios/validation")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { name in
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
                return (name, try JSONParser.parse(bytes))
            }
    }

    /// Values that break a field in every way a person or a tool might.
    static let replacements: [JSONValue] = [
        .null, .bool(true), .number(0), .number(-1), .number(-0.5), .number(1e308), .number(-1e308),
        .number(2.5), .number(.leastNonzeroMagnitude * 2), .number(0x1p53 + 2), .string(""), .string("abc"),
        .string("10 parsecs"), .string("-5s"), .string("1e400s"), .array([]), .object([]),
        .array([.number(1)]), .string("🙂"),
    ]

    /// One random change somewhere in the tree.
    static func mutate(_ value: JSONValue, _ stream: RandomStream, depth: Int = 0) -> JSONValue {
        switch value {
        case .object(var members) where !members.isEmpty && stream.uniform() < 0.75:
            let i = stream.uniformInt(members.count)
            switch stream.uniformInt(6) {
            case 0: members.remove(at: i)
            case 1: members.append(.init(members[i].key + "x", members[i].value))  // unknown, close key
            case 2: members[i].value = replacements[stream.uniformInt(replacements.count)]
            default: members[i].value = mutate(members[i].value, stream, depth: depth + 1)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty && stream.uniform() < 0.75:
            let i = stream.uniformInt(items.count)
            switch stream.uniformInt(5) {
            case 0: items.remove(at: i)
            case 1: items.append(items[i])  // a duplicate (e.g. two stations of one name)
            case 2: items[i] = replacements[stream.uniformInt(replacements.count)]
            default: items[i] = mutate(items[i], stream, depth: depth + 1)
            }
            return .array(items)
        default:
            return replacements[stream.uniformInt(replacements.count)]
        }
    }

    @Test func brokenVariantsNeverCrashAndNameTheirPaths() throws {
        let originals = try Self.bundled()
        #expect(originals.count >= 5)
        var loaded = 0, rejected = 0
        for seed in 0..<UInt64(3_000) {
            let stream = RandomStream(seed: seed, name: "fuzz", replication: 0)
            let (name, original) = originals[Int(seed) % originals.count]
            var variant = original
            for _ in 0..<(1 + stream.uniformInt(3)) { variant = Self.mutate(variant, stream) }
            let text = variant.serialized()
            do {
                let scenario = try Scenario.load(bytes: Array(text.utf8))
                loaded += 1
                guard case .network(var network) = scenario else { continue }
                // A short run: whatever the variant asks for, a fraction of a second.
                network.run.duration = min(network.run.duration, 20)
                network.run.warmup = min(network.run.warmup, network.run.duration / 2)
                network.run.replications = 2
                let report = NetworkReport.run(network, jobs: 1, limits: EngineLimits(maxInFlight: 10_000, maxEvents: 20_000))
                _ = report.json.serialized()
            } catch {
                rejected += 1
                #expect(!error.issues.isEmpty, "seed \(seed) (\(name)): an error without problems\n\(text)")
                for issue in error.issues {
                    #expect(!issue.path.isEmpty && !issue.message.isEmpty,
                            "seed \(seed) (\(name)): a problem without a path: \(issue)\n\(text)")
                }
            }
        }
        print("fuzz: \(loaded) variants loaded and ran, \(rejected) rejected")
        // The generator must produce both kinds, or it tests nothing.
        #expect(loaded > 100 && rejected > 1_000, "loaded \(loaded), rejected \(rejected)")
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
