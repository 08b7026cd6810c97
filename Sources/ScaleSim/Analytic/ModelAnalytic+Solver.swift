/// Solves `ModelAnalytic` (see its documentation for the method and the sources).
struct ModelAnalyticSolver {
    let model: Model
    let paths: [ProgramPath]
    /// Per cache: the probability of each key, neighbours of nearly equal popularity grouped.
    let keyProbabilities: [CacheFormulas.KeyGroups]
    /// Per sampler: mean, variance, and whether it always gives the same value.
    let means: [Double], variances: [Double], fixed: [Bool]
    /// Per cache and router that routes by the cache's keys: how many keys of each of the
    /// cache's popularity groups (`keyProbabilities`) each instance holds.
    let keyTables: [KeyTableID: [[Double]]]

    struct KeyTableID: Hashable { var cache: Int, router: Int }

    init(model: Model, paths: [ProgramPath]) {
        self.model = model
        self.paths = paths
        let groups = model.caches.map { $0.keyGroups(tolerance: 5e-3) }
        keyProbabilities = groups
        var tables: [KeyTableID: [[Double]]] = [:]
        for choice in paths.lazy.flatMap(\.keyChoices) {
            let id = KeyTableID(cache: choice.cache, router: choice.router)
            guard tables[id] == nil, let placement = model.routers[id.router].keyPlacement else { continue }
            tables[id] = Self.keyTable(groups[id.cache], placement: placement, instances: model.routers[id.router].instances)
        }
        keyTables = tables
        means = model.samplers.map(\.distribution.mean)
        variances = model.samplers.map(\.distribution.variance)
        fixed = model.samplers.map { $0.distribution.variance == 0 }
    }

    /// One evaluation at given source rates.
    struct Evaluation {
        var result: ModelAnalytic
        /// Mean latency of each source's requests (nil when overloaded or without requests).
        var sourceLatency: [Double?]
    }

    // MARK: Closed workloads

    func solve(findLimit: Bool) -> ModelAnalytic {
        var rates = model.sources.map { source -> Double in
            if case .open(_, let rate, _, _) = source { return rate }
            return 0
        }
        let closed: [(index: Int, users: Double, think: Double)] = model.sources.enumerated().compactMap { index, source in
            switch source {
            case .open: return nil
            case let .closed(_, size, think, _), let .sessions(size, think, _, _):
                return (index, Double(size), means[think])
            }
        }
        // Each closed source's rate solves X (Z + R(X)) = N; with several, sweep until they settle.
        for _ in 0..<(closed.count > 1 ? 20 : 1) {
            for population in closed {
                // X (Z + R) <= N bounds X by N / Z. (Not by N / (Z + R at no load): a cache
                // hits more as the rate grows, so R need not grow with X.)
                var lo = 0.0, hi = population.users / max(population.think, 1e-9)
                for _ in 0..<100 {
                    let mid = (lo + hi) / 2
                    rates[population.index] = mid
                    let response = evaluate(rates).sourceLatency[population.index] ?? .infinity
                    if mid * (population.think + response) > population.users { hi = mid } else { lo = mid }
                }
                rates[population.index] = lo
            }
        }
        var result = evaluate(rates).result
        if findLimit {
            (result.maxThroughput, result.bottleneck) = stabilityLimit(rates, boundFromDemand: result.maxThroughput)
        }
        if !result.stable, result.throughput > 0 {
            // At least the requests beyond the limit fail.
            result.errorRate = max(0, 1 - result.maxThroughput / result.throughput)
        }
        return result
    }

    /// The largest total rate, with the mix of `rates`, at which every resource is stable, and
    /// the resource that saturates there. Held resources make it lower than the bottleneck
    /// law's `c_k / D_k` (`boundFromDemand`): a pool saturates when queueing downstream
    /// lengthens its holds.
    func stabilityLimit(_ rates: [Double], boundFromDemand: Double) -> (Double, ModelAnalytic.Resource?) {
        let total = rates.reduce(0, +)
        guard total > 0 else { return (.infinity, nil) }
        let unit = rates.map { $0 / total }
        var lo = 0.0, hi = boundFromDemand.isFinite ? boundFromDemand * 1.000001 : total
        while hi < 1e15, evaluate(unit.map { $0 * hi }, full: false).result.stable { lo = hi; hi *= 2 }
        for _ in 0..<50 where hi - lo > 1e-9 * hi {
            let mid = (lo + hi) / 2
            if evaluate(unit.map { $0 * mid }, full: false).result.stable { lo = mid } else { hi = mid }
        }
        return (lo, evaluate(unit.map { $0 * hi }, full: false).result.binding(in: model))
    }

    // MARK: Keys on instances

    /// How many keys of each popularity group each of `n` instances holds: one pass over the
    /// keys (groups are runs of consecutive keys, hot keys first).
    static func keyTable(_ groups: CacheFormulas.KeyGroups, placement: Model.KeyPlacement, instances n: Int) -> [[Double]] {
        var table = groups.groups.map { _ in [Double](repeating: 0, count: n) }
        var key = 0
        for (g, group) in groups.groups.enumerated() {
            for _ in 0..<Int(group.count.rounded()) {
                table[g][placement.instance(key: key, of: n)] += 1
                key += 1
            }
        }
        return table
    }

    /// Per key table, the share of each instance: of the keys drawn, and jointly with a miss
    /// of the cache that drew them (at its lookup rate and hit probabilities); jointly with a
    /// hit is the difference.
    func keyShares(lookupRates: [Double]) -> [KeyTableID: (drawn: [Double], missed: [Double])] {
        var shares: [KeyTableID: (drawn: [Double], missed: [Double])] = [:]
        for (id, table) in keyTables {
            let groups = keyProbabilities[id.cache].groups
            let hit = keyHitProbability(cache: id.cache, lookupRate: lookupRates[id.cache])
            var drawn = [Double](repeating: 0, count: table.first?.count ?? 0), missed = drawn
            for (g, counts) in table.enumerated() {
                let p = groups[g].value, miss = 1 - hit(p)
                for i in counts.indices where counts[i] > 0 {
                    drawn[i] += counts[i] * p
                    missed[i] += counts[i] * p * miss
                }
            }
            shares[id] = (drawn, missed)
        }
        return shares
    }

    // MARK: One evaluation

    /// Calls `body` with each instance offset a visit on `span` may use and the number of
    /// them, which divides the visit's rate (each is as likely).
    @inline(__always)
    func spread(_ span: ProgramPath.Span?, _ body: (Int, Double) -> Void) {
        guard let span else { return body(0, 1) }
        let n = Double(span.count)
        for i in span.first..<span.first + span.count { body(i, n) }
    }

    /// The mean of `values[base + i]` over the instances of `span`.
    func average(_ values: [Double], from base: Int, _ span: ProgramPath.Span?) -> Double {
        let first = span?.first ?? 0, n = span?.count ?? 1
        return values[base + first..<base + first + n].reduce(0, +) / Double(n)
    }

    /// The model at source rates `rates`; `full: false` stops after the resources (no latency
    /// distribution), which is all a stability check needs.
    func evaluate(_ rates: [Double], full: Bool = true) -> Evaluation {
        let (hitRatios, lookupRates) = solveHitRatios(rates)
        let shares = keyShares(lookupRates: lookupRates)
        let pathRates = paths.map { path in
            rates[path.source] * path.probability(hitRatios: hitRatios) { choice in
                let s = shares[KeyTableID(cache: choice.cache, router: choice.router)]!
                guard let j = choice.lookup else { return s.drawn[choice.instance] }
                return path.lookups[j].hit ? s.drawn[choice.instance] - s.missed[choice.instance] : s.missed[choice.instance]
            }
        }
        let totalRate = rates.reduce(0, +)

        // Loads: visits and work per resource instance.
        var cpuRate = [Double](repeating: 0, count: model.cpus.count), cpuWork = cpuRate, cpuSecond = cpuRate
        var delayRate = [Double](repeating: 0, count: model.delays.count), delayWork = delayRate
        var poolRate = [Double](repeating: 0, count: model.pools.count)
        func load(_ visits: [ProgramPath.Visit], rate: Double) {
            for visit in visits {
                switch visit {
                case let .use(.cpu(base), sampler, on):
                    spread(on) { i, n in
                        let share = rate / n
                        cpuRate[base + i] += share
                        cpuWork[base + i] += share * means[sampler]
                        cpuSecond[base + i] += share * (variances[sampler] + means[sampler] * means[sampler])
                    }
                case let .use(.delay(base), sampler, on):
                    spread(on) { i, n in
                        let share = rate / n
                        delayRate[base + i] += share
                        delayWork[base + i] += share * means[sampler]
                    }
                case let .acquire(base, on):
                    spread(on) { i, n in poolRate[base + i] += rate / n }
                case .release:
                    break
                case let .forkJoin(bodies, copies):
                    for body in bodies { load(body, rate: rate * Double(copies)) }
                }
            }
        }
        for (path, rate) in zip(paths, pathRates) where rate > 0 { load(path.visits, rate: rate) }

        let cpuQueues = model.cpus.indices.map { i in
            CPUQueue(model.cpus[i], rate: cpuRate[i], work: cpuWork[i], secondMoment: cpuSecond[i])
        }
        let sojourns = Sojourns(model: model, cpus: cpuQueues, means: means, variances: variances, fixed: fixed)

        // Held resources: holds from the sojourns between acquire and release, waits from
        // Erlang C with those holds, until the waits settle (inner pools' waits lengthen the
        // outer pools' holds).
        let serviceOnly = holds(pathRates, poolRate, sojourns, waits: nil)
        var waits = [Double](repeating: 0, count: model.pools.count)
        var held = serviceOnly
        for _ in 0..<100 {
            held = holds(pathRates, poolRate, sojourns, waits: waits)
            var next = waits
            for i in model.pools.indices {
                next[i] = poolRate[i] > 0
                    ? QueueingFormulas.mmcMeanWait(arrivalRate: poolRate[i], meanService: held[i],
                                                   servers: model.pools[i].capacity) ?? .infinity
                    : 0
            }
            let settled = zip(next, waits).allSatisfy { a, b in a == b || abs(a - b) <= 1e-12 * (1 + abs(b)) }
            waits = next
            if settled { break }
        }

        // Latency of each path: fixed delays plus a variable part with its mean and variance.
        let waitProbabilities = self.waitProbabilities(held, poolRate)
        var latency: [LatencyMixture.Component?] = []
        for (path, rate) in zip(paths, pathRates) {
            latency.append(rate > 0 ? pathLatency(path, sojourns, waits, waitProbabilities) : nil)
        }

        let stable = cpuQueues.allSatisfy(\.stable) && waits.allSatisfy(\.isFinite)
        // What saturates, the most loaded first: CPUs over capacity, then pools whose wait is unbounded.
        let saturated = (model.cpus.indices.filter { !cpuQueues[$0].stable }
                            .sorted { cpuQueues[$0].utilization > cpuQueues[$1].utilization }
                            .map(ModelAnalytic.Resource.cpu))
            + model.pools.indices.filter { !waits[$0].isFinite }
                .sorted { poolRate[$0] * held[$0] / Double(model.pools[$0].capacity) > poolRate[$1] * held[$1] / Double(model.pools[$1].capacity) }
                .map(ModelAnalytic.Resource.pool)
        var result = ModelAnalytic(
            cpus: cpuQueues.map(\.station),
            delays: model.delays.indices.map { i in
                .init(arrivalRate: delayRate[i], utilization: nil,
                      meanResponse: delayRate[i] > 0 ? delayWork[i] / delayRate[i] : nil, meanQueueLength: 0)
            },
            pools: model.pools.indices.map { i in
                let units = poolRate[i] * held[i] / Double(model.pools[i].capacity)
                return .init(arrivalRate: poolRate[i], utilization: units.isFinite ? units : nil,
                             meanResponse: waits[i].isFinite ? waits[i] : nil,
                             meanQueueLength: waits[i].isFinite ? poolRate[i] * waits[i] : nil)
            },
            hitRatios: hitRatios, classes: [], throughput: totalRate, stable: stable,
            errorRate: 0, maxThroughput: .infinity, bottleneck: nil, saturated: saturated)
        guard full else { return Evaluation(result: result, sourceLatency: []) }

        // Bottleneck law at this mix: resource k saturates at totalRate × capacity / load.
        if totalRate > 0 {
            for (i, cpu) in model.cpus.enumerated() where cpuWork[i] > 0 {
                let bound = totalRate * Double(cpu.cores) / cpuWork[i]
                if bound < result.maxThroughput { result.maxThroughput = bound; result.bottleneck = .cpu(i) }
            }
            for (i, pool) in model.pools.enumerated() where poolRate[i] * serviceOnly[i] > 0 {
                let bound = totalRate * Double(pool.capacity) / (poolRate[i] * serviceOnly[i])
                if bound < result.maxThroughput { result.maxThroughput = bound; result.bottleneck = .pool(i) }
            }
        }

        // Per class and overall.
        func mixture(_ include: (ProgramPath) -> Bool) -> LatencyMixture {
            var m = LatencyMixture()
            for (index, path) in paths.enumerated() where include(path) {
                if let component = latency[index] { m.add(component, weight: pathRates[index]) }
            }
            return m
        }
        var failing = 0.0
        for (c, requestClass) in model.classes.enumerated() {
            let rate = zip(paths, pathRates).reduce(0) { $0 + ($1.0.classIndex == c ? $1.1 : 0) }
            let m = mixture { $0.classIndex == c }
            let errors = stable ? (requestClass.timeout.map { 1 - m.cdf($0) } ?? 0) : 1
            failing += rate * errors
            result.classes.append(.init(throughput: rate, meanLatency: stable ? m.mean : nil,
                                        p99: stable ? m.quantile(0.99) : nil, errorRate: errors))
        }
        if stable {
            let all = mixture { _ in true }
            result.meanLatency = all.mean
            result.p50 = all.quantile(0.50)
            result.p95 = all.quantile(0.95)
            result.p99 = all.quantile(0.99)
            result.errorRate = totalRate > 0 ? failing / totalRate : 0
        }

        var sourceLatency = [Double?](repeating: nil, count: model.sources.count)
        if stable {
            for s in model.sources.indices {
                sourceLatency[s] = mixture { $0.source == s }.mean
            }
        }
        return Evaluation(result: result, sourceLatency: sourceLatency)
    }

    // MARK: Caches

    /// Hit ratio per cache at these source rates: the lookup rate at a cache does not depend
    /// on its own hits, so a few rounds settle every cache of a forward program.
    /// Also gives each cache's lookup rate.
    func solveHitRatios(_ rates: [Double]) -> (hitRatios: [Double], lookupRates: [Double]) {
        var hits = [Double](repeating: 0, count: model.caches.count)
        guard !hits.isEmpty else { return (hits, hits) }
        var previousRate = [Double](repeating: -1, count: model.caches.count)
        var lookupRate = previousRate
        for _ in 0..<20 {
            lookupRate = [Double](repeating: 0, count: model.caches.count)
            for path in paths {
                let rate = rates[path.source] * path.probabilityOverInstances(hitRatios: hits) { model.routers[$0].instances }
                for lookup in path.lookups { lookupRate[lookup.cache] += rate }
            }
            let next = model.caches.indices.map { c in
                lookupRate[c] == previousRate[c] ? hits[c] : hitRatio(cache: c, lookupRate: lookupRate[c])
            }
            previousRate = lookupRate
            let settled = zip(next, hits).allSatisfy { abs($0 - $1) <= 1e-12 }
            hits = next
            if settled { break }
        }
        return (hits, lookupRate)
    }

    /// The hit probability of a key of probability p in cache `c` at `lookupRate` lookups per
    /// second (the per-key terms of `hitRatio(cache:lookupRate:)`).
    func keyHitProbability(cache c: Int, lookupRate: Double) -> (Double) -> Double {
        let cache = model.caches[c], keys = keyProbabilities[c]
        guard lookupRate > 0 else { return { _ in 0 } }
        switch (cache.ttl, cache.capacity) {
        case (nil, nil):
            return { _ in 1 }
        case (let ttl, let capacity?):
            let t = CacheFormulas.ttlLRUCharacteristicTime(keys, arrivalRate: lookupRate, ttl: ttl ?? .infinity,
                                                           capacity: capacity)
            return { p in CacheFormulas.ttlLRUKeyHitProbability(rate: lookupRate * p, ttl: ttl ?? .infinity, characteristicTime: t) }
        case (let ttl?, nil):
            return { p in CacheFormulas.ttlHitProbability(rate: lookupRate * p, ttl: ttl) }
        }
    }

    /// The steady-state hit ratio of cache `c` at `lookupRate` lookups per second (`CacheFormulas`).
    func hitRatio(cache c: Int, lookupRate: Double) -> Double {
        let cache = model.caches[c], p = keyProbabilities[c]
        guard lookupRate > 0 else { return 0 }
        switch (cache.ttl, cache.capacity) {
        case (nil, nil): return 1
        case (nil, let capacity?): return CacheFormulas.lruHitRatio(p, capacity: capacity)
        case (let ttl?, nil): return CacheFormulas.ttlHitRatio(p, arrivalRate: lookupRate, ttl: ttl)
        case let (ttl?, capacity?):
            return CacheFormulas.ttlLRUHitRatio(p, arrivalRate: lookupRate, ttl: ttl, capacity: capacity)
        }
    }

    // MARK: Held resources

    /// Mean hold time per pool instance: the time from acquire to release along each path,
    /// weighted by the paths' rates. With `waits` nil, only service times count (no queueing
    /// anywhere): the holds of an empty system, for the bottleneck law.
    func holds(_ pathRates: [Double], _ poolRate: [Double], _ sojourns: Sojourns, waits: [Double]?) -> [Double] {
        var sum = [Double](repeating: 0, count: model.pools.count)
        /// Adds the holds of `visits` at `rate`; returns the time they take.
        @discardableResult
        func hold(_ visits: [ProgramPath.Visit], rate: Double) -> Double {
            var open: [(pool: Int, on: ProgramPath.Span?, held: Double)] = []
            var elapsed = 0.0
            func pass(_ time: Double) {
                elapsed += time
                for j in open.indices { open[j].held += time }
            }
            for visit in visits {
                switch visit {
                case let .use(server, sampler, on):
                    pass(waits == nil ? means[sampler] : sojourns.visit(server, sampler: sampler, on: on).mean)
                case let .acquire(pool, on):
                    pass(waits.map { average($0, from: pool, on) } ?? 0)
                    open.append((pool, on, 0))
                case let .release(pool, on):
                    guard let j = open.lastIndex(where: { $0.pool == pool && $0.on == on }) else { continue }
                    spread(on) { i, n in sum[pool + i] += rate / n * open[j].held }
                    open.remove(at: j)
                case let .forkJoin(bodies, copies):
                    // The branches' own holds, then the wait for the slowest: with queueing,
                    // the expected maximum of their latencies; without, the longest service.
                    let times = bodies.map { hold($0, rate: rate * Double(copies)) }
                    if let waits {
                        // (The waits' variance is left out here: the holds need means.)
                        let none = [Double](repeating: 0, count: waits.count)
                        let branches = bodies.map { sequence($0, sojourns, waits, none) }
                        let slowest = LatencyMixture.Component.maximum(of: branches, copies: copies)
                        pass(slowest.fixed + slowest.mean)
                    } else {
                        pass(times.max() ?? 0)
                    }
                }
            }
            return elapsed
        }
        for (path, rate) in zip(paths, pathRates) where rate > 0 { hold(path.visits, rate: rate) }
        return model.pools.indices.map { poolRate[$0] > 0 ? sum[$0] / poolRate[$0] : 0 }
    }

    /// The probability that an acquisition of each pool waits (Erlang C), at these holds.
    func waitProbabilities(_ held: [Double], _ poolRate: [Double]) -> [Double] {
        model.pools.indices.map { i -> Double in
            let load = poolRate[i] * held[i], units = model.pools[i].capacity
            guard load.isFinite else { return 1 }
            return load < Double(units) ? QueueingFormulas.erlangC(servers: units, offeredLoad: load) : 1
        }
    }

    /// The latency of one path: the sum of its visits' sojourns and its waits for pool units.
    func pathLatency(_ path: ProgramPath, _ sojourns: Sojourns, _ waits: [Double],
                     _ waitProbabilities: [Double]) -> LatencyMixture.Component {
        sequence(path.visits, sojourns, waits, waitProbabilities)
    }

    /// The latency of `visits` one after the other; a fork-join takes its slowest branch.
    func sequence(_ visits: [ProgramPath.Visit], _ sojourns: Sojourns, _ waits: [Double],
                  _ waitProbabilities: [Double]) -> LatencyMixture.Component {
        var component = LatencyMixture.Component(fixed: 0, mean: 0, variance: 0)
        for visit in visits {
            switch visit {
            case let .use(server, sampler, on):
                let s = sojourns.visit(server, sampler: sampler, on: on)
                component.fixed += s.fixed
                component.mean += s.mean - s.fixed
                component.variance += s.variance
            case let .acquire(pool, on):
                let wait = average(waits, from: pool, on)
                let probability = average(waitProbabilities, from: pool, on)
                component.mean += wait
                component.variance += Sojourns.waitVariance(probability: probability, meanWait: wait)
            case .release:
                break
            case let .forkJoin(bodies, copies):
                let branches = bodies.map { sequence($0, sojourns, waits, waitProbabilities) }
                let slowest = LatencyMixture.Component.maximum(of: branches, copies: copies)
                component.fixed += slowest.fixed
                component.mean += slowest.mean
                component.variance += slowest.variance
            }
        }
        return component
    }
}
