import Testing
@testable import ScaleSim

@Test func studentTQuantileMatchesTable() {
    // t_{0.975, 9} = 2.262157 (standard tables).
    #expect(abs(GSLNumerics.studentTQuantile(0.975, degreesOfFreedom: 9) - 2.262157) < 1e-6)
    let root = GSLNumerics.findRoot(in: 0...2) { $0 * $0 - 2 }
    #expect(abs(root! - 2.0.squareRoot()) < 1e-10)
}
