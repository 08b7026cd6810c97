import ArgumentParser
import Foundation
import ScaleSim

/// The shard to run, nil for the whole sweep or plan: `--shard I/N`, else (when the number of
/// shards is given by `--shards N` or `$SCALESIM_SHARDS`) `$JOB_COMPLETION_INDEX + 1`,
/// else `$SLURM_ARRAY_TASK_ID + 1` (both 0-based).
func selectShard(_ shard: String?, shards: Int?, environment: [String: String]) throws -> SweepShard? {
    do {
        if let shard {
            let parsed = try SweepShard.parse(shard)
            if let shards, shards != parsed.count {
                throw ValidationError("--shard \(shard) and --shards \(shards) disagree on the number of shards")
            }
            return parsed
        }
        let count: Int
        if let shards {
            count = shards
        } else if let text = environment["SCALESIM_SHARDS"], !text.isEmpty {
            guard let n = Int(text) else {
                throw ValidationError("SCALESIM_SHARDS=\"\(text)\" is not a whole number (the number of shards)")
            }
            count = n
        } else {
            return nil
        }
        guard (1...SweepShard.maximumCount).contains(count) else {
            throw ValidationError("\(shards != nil ? "--shards" : "SCALESIM_SHARDS"): the number of shards must be in "
                                  + "1...\(SweepShard.maximumCount), got \(count)")
        }
        let source = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"].first { !(environment[$0] ?? "").isEmpty }
        guard let source, let text = environment[source] else {
            throw ValidationError("\(shards != nil ? "--shards" : "SCALESIM_SHARDS") gives \(count) shards but not which one to run: "
                                  + "give --shard I/\(count), or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) "
                                  + "or a Slurm job array (SLURM_ARRAY_TASK_ID)")
        }
        guard let index = Int(text), (0..<count).contains(index) else {
            throw ValidationError("\(source)=\"\(text)\" must be a whole number in 0...\(count - 1) "
                                  + "(counted from 0; shard = \(source) + 1)"
                                  + (source == "SLURM_ARRAY_TASK_ID" ? "; run the array as --array=0-\(count - 1)" : ""))
        }
        do {
            return try SweepShard(index: index + 1, count: count)
        } catch {
            throw ValidationError("\(shards != nil ? "--shards" : "SCALESIM_SHARDS"): \(error.message)")
        }
    } catch let error as SweepShardError {
        throw ValidationError(error.message)
    }
}

/// `SweepPart.hash` of the scenario file's bytes, read again (a part names the file it came from).
func scenarioHash(_ file: String) throws -> String {
    guard let bytes = FileManager.default.contents(atPath: file) else {
        note("scalesim: cannot read \(file) again to hash it")
        throw Exit.noInput
    }
    return SweepPart.hash(of: [UInt8](bytes))
}

/// Writes a shard's partial result (a sweep's or a plan's) as `name` in `directory` (nil:
/// nowhere); prints it with --format json, else `summary` and where it was written.
func writeShardPart(_ part: JSONValue, named name: String, to directory: String?, format: OutputFormat, summary: String) throws {
    let json = part.serialized() + "\n"
    switch format {
    case .json: try writeStandardOutput(json)
    case .table, .md: try writeStandardOutput(summary + (directory.map { " written to \($0)/\(name)" } ?? "") + "\n")
    }
    fflush(nil)
    guard let directory else { return }
    do {
        try ReportWriter.write([(name, json)], to: directory)
    } catch {
        note("scalesim: \(error)")
        throw Exit.cannotCreate
    }
}
