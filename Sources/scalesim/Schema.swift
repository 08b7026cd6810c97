import ArgumentParser
import ScaleSim

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of architecture scenario files.",
        discussion: "The same schema is committed as schema/architecture.schema.json; a scenario names it in \"$schema\" so that editors check and complete its keys.")

    func run() throws {
        try writeStandardOutput(ArchitectureScenario.jsonSchema.serialized() + "\n")
    }
}
