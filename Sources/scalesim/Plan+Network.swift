import ArgumentParser
import Foundation
import ScaleSim

/// `scalesim plan` on a network scenario: the fewest servers per station that meet the targets.
extension Plan {
    /// `p99=500ms,wait-p99=100ms,errors=0.1%`: each target optional; `none` drops one. p99 and
    /// errors are read as for an architecture (`parseSLO`).
    static func parseNetworkSLO(_ text: String) throws -> NetworkSLO {
        var waitP99: Double?
        var shared = ArchitectureScenario.SLO(p99: nil, errorRate: nil)
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch pair.count == 2 ? pair[0] : nil {
            case "wait-p99":
                if pair[1] == "none" { waitP99 = nil; continue }
                guard let seconds = ArchitectureScenario.parseTime(pair[1]), seconds > 0 else {
                    throw ValidationError("--slo: wait-p99 must be a positive time such as 100ms or 2s, got \"\(pair[1])\"")
                }
                waitP99 = seconds
            case nil, "p99", "errors", "errorRate":                // and a part without "=": parseSLO says so
                shared = try parseSLO(String(part), base: shared)
            default:
                throw ValidationError("--slo: unknown target \"\(pair[0])\" (p99, errors, or wait-p99 for a network)")
            }
        }
        return NetworkSLO(p99: shared.p99, waitP99: waitP99, errorRate: shared.errorRate)
    }

    func planNetwork(_ scenario: NetworkScenario) throws {
        if users != nil {
            throw ValidationError("--users has no meaning for a network scenario (it has arrival rates, not users); "
                                  + "use --scale F to multiply every arrival rate by F")
        }
        if stage != nil { throw ValidationError("--stage applies to architecture scenarios; a network has no stages") }
        if let shard = try selectedShard() {
            throw ValidationError("shard \(shard): only an architecture plan's simulations can be sharded; a network plan simulates "
                                  + "one or two configurations (run it whole)")
        }
        guard let slo else {
            throw ValidationError("a network scenario has no SLO of its own: give --slo, e.g. wait-p99=100ms or p99=500ms")
        }
        let request = NetworkPlanRequest(scale: scale ?? 1, slo: try Self.parseNetworkSLO(slo), headroom: headroom)
        var result: NetworkPlanResult
        do {
            result = try NetworkPlanner.plan(scenario, request)
        } catch {
            note("scalesim: \(error)")
            throw Exit.invalidScenario
        }
        if !noVerify {
            if !quietProgress { note("scalesim: \(result.evaluations) analytic evaluations; simulating the plan...") }
            result = try interruptible { NetworkPlanner.verify(result, jobs: jobs, control: $0) }
        }
        try emit(table: result.table, markdown: result.markdown, json: result.json)
    }

    /// Prints a plan in the format asked for (the architecture branch could share it).
    func emit(table: @autoclosure () -> String, markdown: @autoclosure () -> String, json: @autoclosure () -> JSONValue) throws {
        switch format {
        case .table: try writeStandardOutput(table())
        case .md: try writeStandardOutput(markdown())
        case .json: try writeStandardOutput(json().serialized() + "\n")
        }
    }
}
