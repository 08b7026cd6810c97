import ArgumentParser
import ScaleSim

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario file without running it.",
        discussion: "Prints a one-line summary and exits 0 when the file is valid; otherwise lists every problem with its JSON path on standard error and exits 65.")

    @Argument(help: "The scenario file (JSON).")
    var file: String

    func run() throws {
        switch try loadScenario(file) {
        case .network(let network):
            let closed = network.population.map { "closed population of \($0.size)" }
                ?? "\(network.arrivals.count) arrival stream\(network.arrivals.count == 1 ? "" : "s")"
            try writeStandardOutput("\(file): valid network scenario \"\(network.name)\": \(network.stations.count) station\(network.stations.count == 1 ? "" : "s"), \(closed), "
                  + "\(network.run.replications) replications of \(network.run.duration) s\n")
        case .architecture(let architecture):
            let stages = architecture.stages.map { "\"\($0.name)\" (\($0.users) users)" }.joined(separator: ", ")
            try writeStandardOutput("\(file): valid architecture scenario \"\(architecture.name)\": \(architecture.stages.count) stage"
                  + "\(architecture.stages.count == 1 ? "" : "s"), \(architecture.workload.classes.count) request classes: \(stages)\n")
        }
    }
}
