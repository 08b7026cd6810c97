import Foundation

/// The solution of the traffic equations of an open network (see `TrafficEquations.solve`).
public struct TrafficSolution: Sendable, Hashable {
    /// Total arrival rate into each station, external plus routed; `+infinity` for a trapped
    /// station.
    public var rates: [Double]
    /// Stations on a cycle that requests enter and never leave (the routing probabilities sum
    /// to 1 around it), in increasing order. Their rates grow without bound, so no steady state
    /// exists; empty when the solution is finite.
    public var trapped: [Int]
}

/// Jackson's traffic equations `lambda = gamma + lambda P` for an open network.
public enum TrafficEquations {
    /// Solves `lambda_j = gamma_j + sum_i lambda_i P_ij` for the total arrival rate of each station.
    ///
    /// Jackson, "Jobshop-like queueing systems", *Management Science* 10 (1963); Kleinrock,
    /// *Queueing Systems* vol. 1 (1975), sec. 4.8. With `gamma` a unit vector on a reference
    /// station, the solution is the visit ratio of every station per request, which is how the
    /// closed model uses it.
    ///
    /// The system `(I - P)^T lambda = gamma` is singular exactly when some set of stations keeps
    /// every request it receives (probability 1 on a cycle, nothing leaves). That is detected on
    /// the routing graph, not left to a pivot: the stations that cannot reach an exit keep every
    /// request, so `P` restricted to them is stochastic, and its closed communicating classes
    /// (recurrent classes; Kemeny & Snell, *Finite Markov Chains*, 1960, ch. 2) that some
    /// request reaches are *trapped*: a request visits them infinitely often, their rate is
    /// `+infinity`, and they are listed in `trapped`. Every other reachable station is transient
    /// (visited finitely often; a station that only feeds a trap included), nothing flows back
    /// from a closed class, so the system restricted to them is non-singular and is solved by
    /// Gaussian elimination with partial pivoting (Golub & Van Loan, *Matrix Computations*, 4th
    /// ed., 2013, sec. 3.4).
    /// Stations that no request reaches get rate 0.
    ///
    /// - Parameters:
    ///   - gamma: external arrival rate into each station (>= 0).
    ///   - routing: `routing[i][j]` is the probability of going to `j` after `i`; each row sums
    ///     to at most 1, and what is left of 1 leaves the network.
    ///   - leaks: stations that lose some requests although their row sums to 1 (for example,
    ///     blocking at a finite capacity); nil when there are none.
    /// - Complexity: O(n^3) for n stations.
    public static func solve(external gamma: [Double], routing: [[Double]], leaks: [Bool]? = nil) -> TrafficSolution {
        let n = gamma.count
        precondition(routing.count == n && routing.allSatisfy { $0.count == n })
        let tolerance = 1e-12

        // Reachable from a positive external rate.
        var reachable = [Bool](repeating: false, count: n)
        var stack = (0..<n).filter { gamma[$0] > 0 }
        for i in stack { reachable[i] = true }
        while let i = stack.popLast() {
            for j in 0..<n where routing[i][j] > 0 && !reachable[j] {
                reachable[j] = true
                stack.append(j)
            }
        }
        // Can reach an exit: search backwards from the stations that lose requests.
        var exits = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let stay = routing[i].reduce(0, +)
            exits[i] = 1 - stay > tolerance || (leaks?[i] ?? false)
        }
        var canLeave = exits
        stack = (0..<n).filter { exits[$0] }
        while let j = stack.popLast() {
            for i in 0..<n where routing[i][j] > 0 && !canLeave[i] {
                canLeave[i] = true
                stack.append(i)
            }
        }
        // Among the reachable stations that cannot leave, those in a closed class: every station
        // they reach reaches them back.
        func successors(of i: Int) -> [Bool] {
            var seen = [Bool](repeating: false, count: n)
            var pending = [i]
            while let u = pending.popLast() {
                for v in 0..<n where routing[u][v] > 0 && !seen[v] {
                    seen[v] = true
                    pending.append(v)
                }
            }
            return seen
        }
        let stuck = (0..<n).filter { reachable[$0] && !canLeave[$0] }
        let reach = Dictionary(uniqueKeysWithValues: stuck.map { ($0, successors(of: $0)) })
        let trapped = stuck.filter { i in
            let forward = reach[i]!
            return forward[i] && (0..<n).allSatisfy { j in !forward[j] || reach[j]![i] }
        }
        let trappedSet = Set(trapped)
        let active = (0..<n).filter { reachable[$0] && !trappedSet.contains($0) }

        var rates = [Double](repeating: 0, count: n)
        for i in trapped { rates[i] = .infinity }
        guard !active.isEmpty else { return TrafficSolution(rates: rates, trapped: trapped) }

        // (I - P)^T restricted to the active stations: row r is the balance of station active[r].
        let m = active.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        var b = [Double](repeating: 0, count: m)
        for (r, j) in active.enumerated() {
            b[r] = gamma[j]
            for (col, i) in active.enumerated() {
                a[r][col] = (r == col ? 1 : 0) - routing[i][j]
            }
        }
        guard let x = gaussianElimination(&a, &b) else {
            // Numerically singular although every station can leave (leaks of ~1e-16):
            // as good as trapped.
            for i in active { rates[i] = .infinity }
            return TrafficSolution(rates: rates, trapped: (trapped + active).sorted())
        }
        for (r, i) in active.enumerated() { rates[i] = max(0, x[r]) }
        return TrafficSolution(rates: rates, trapped: trapped)
    }

    /// Solves `a x = b` in place by Gaussian elimination with partial pivoting
    /// (Golub & Van Loan 2013, sec. 3.4).
    ///
    /// - Returns: nil when a pivot is below `1e-13` times the largest entry of its column
    ///   (numerically singular) or the solution is not finite.
    static func gaussianElimination(_ a: inout [[Double]], _ b: inout [Double]) -> [Double]? {
        let m = b.count
        for k in 0..<m {
            var pivotRow = k
            var scale = 0.0
            for r in k..<m {
                scale = max(scale, abs(a[r][k]))
                if abs(a[r][k]) > abs(a[pivotRow][k]) { pivotRow = r }
            }
            guard scale > 0, abs(a[pivotRow][k]) > 1e-13 * max(1, scale) else { return nil }
            if pivotRow != k {
                a.swapAt(pivotRow, k)
                b.swapAt(pivotRow, k)
            }
            for r in (k + 1)..<m {
                let factor = a[r][k] / a[k][k]
                if factor == 0 { continue }
                for col in k..<m { a[r][col] -= factor * a[k][col] }
                b[r] -= factor * b[k]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for k in stride(from: m - 1, through: 0, by: -1) {
            var s = b[k]
            for col in (k + 1)..<m { s -= a[k][col] * x[col] }
            x[k] = s / a[k][k]
            guard x[k].isFinite else { return nil }
        }
        return x
    }
}
