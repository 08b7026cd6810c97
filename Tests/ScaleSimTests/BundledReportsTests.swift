import Foundation
import Testing

/// The reports under `reports/` are what the current code writes: one network and one
/// architecture scenario are run again with the bundled command line and every file of their
/// report folder must come out byte-identical (determinism and freshness at once; run
/// `make reports` after a change that alters results).
@Suite struct BundledReportsTests {
    @Test(arguments: ["validation/mm1", "10"])
    func bundledReportRegeneratesByteIdentical(name: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let out = sandbox.url("out")
        let scenario = CLI.packageRoot.appendingPathComponent("scenarios/\(name).json").path
        let run = try CLI.run(["run", scenario, "--quiet", "--out", out.path])
        #expect(run.status == 0, "exit \(run.status)\n\(run.stderr)")
        let committed = CLI.packageRoot.appendingPathComponent("reports/\(name)")
        let files = try FileManager.default.contentsOfDirectory(atPath: committed.path).filter { !$0.hasPrefix(".") }.sorted()
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(files == written, "reports/\(name) holds \(files), the run wrote \(written): run `make reports`")
        for file in files where written.contains(file) {
            let old = try Data(contentsOf: committed.appendingPathComponent(file))
            let new = try Data(contentsOf: out.appendingPathComponent(file))
            #expect(old == new, "reports/\(name)/\(file) differs from a fresh run: run `make reports` (or find the nondeterminism)")
        }
    }
}
