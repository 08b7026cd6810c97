extension Distribution {
    /// Whether the distribution is exponential (as a queueing formula needs it to be exact).
    var isExponential: Bool {
        switch self {
        case .exponential: return true
        case .erlang(let k, _): return k == 1
        case .gamma(_, let scv), .hyperexponential(_, let scv): return scv == 1
        default: return false
        }
    }
}
