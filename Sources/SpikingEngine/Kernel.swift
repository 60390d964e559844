// The neuron update: eight neurons per SIMD lane group, `minDelay` steps per call with the state in
// registers (no spike emitted in a window can arrive within it), all random numbers counter-based.

/// The number of channels stored per neuron, as a type so the update loop specialises on it.
protocol ChannelStride { static var count: Int { get } }
enum TwoChannels: ChannelStride { static var count: Int { 2 } }
enum FourChannels: ChannelStride { static var count: Int { 4 } }

/// A population's parameters in the update loop's terms (single precision, per step).
struct NeuronConstants: Sendable {
    var dtOverC: Float = 0
    var gL: Float = 0
    var vL: Float = 0
    var vTh: Float = 0
    var vReset: Float = 0
    var refractorySteps: Int32 = 0
    /// g_u, g_u·E_u and exp(−dt/τ_u) per channel (zero beyond the model's channels).
    var g = SIMD4<Float>()
    var gE = SIMD4<Float>()
    var decay = SIMD4<Float>()
    var hasBackground = false
    /// OU: I ← a·I + (1 − a)μ + σ√(1 − a²)·ξ.
    var ouA: Float = 0
    var ouDrift: Float = 0
    var ouKick: Float = 0
    var hasPoisson = false
    var poissonChannel = 0
    var poissonWeight: Float = 0
    /// Poisson counts by inverse CDF: count = #{i : u ≥ thresholds[i]} for a 32-bit uniform u.
    var poissonThresholds: [UInt32] = []
    var externalConstant: Float = 0
    var timeCourse: [Float] = []
    var timeCourseSteps = 1
    var hasNeuronExternal = false

    init(_ p: Population, dt: Double) {
        let m = p.model
        dtOverC = Float(dt / m.capacitance)
        gL = Float(m.leakConductance)
        vL = Float(m.leakReversal)
        vTh = Float(m.threshold)
        vReset = Float(m.reset)
        refractorySteps = Int32((m.refractoryPeriod / dt).rounded())
        precondition(refractorySteps <= Refractory.maxSteps, "refractory period of at most \(Refractory.maxSteps) steps")
        for (u, c) in m.channels.enumerated() {
            g[u] = Float(m.conductances[u])
            gE[u] = Float(m.conductances[u] * c.reversal)
            decay[u] = Float(Math.exp(-dt / c.tau))
        }
        if let ou = p.background {
            let a = Math.exp(-dt / ou.tau)
            hasBackground = true
            ouA = Float(a)
            ouDrift = Float((1 - a) * ou.mean)
            ouKick = Float(ou.sigma * (1 - a * a).squareRoot())
        }
        if let drive = p.poisson {
            hasPoisson = true
            poissonChannel = drive.channel
            poissonWeight = Float(drive.weight)
            poissonThresholds = Self.poissonThresholds(mean: drive.rate * dt / 1000)
        }
        switch p.external {
        case .none, .gamma: break
        case .constant(let i): externalConstant = Float(i)
        case .timeCourse(let values, let interval):
            timeCourse = values.map(Float.init)
            timeCourseSteps = max(1, Int((interval / dt).rounded()))
        }
        if case .gamma = p.external { hasNeuronExternal = true }
        if let stimulus = p.stimulus { addTimeCourse(stimulus, dt: dt) }
    }

    /// Adds a stimulus to the time course, both on the finer of the two grids (the coarser is
    /// a whole multiple of it when both are whole numbers of steps, which callers check).
    mutating func addTimeCourse(_ stimulus: Stimulus, dt: Double) {
        let steps = max(1, Int((stimulus.interval / dt).rounded()))
        guard !timeCourse.isEmpty else {
            timeCourse = stimulus.samples.map(Float.init)
            timeCourseSteps = steps
            return
        }
        let fine = min(steps, timeCourseSteps)
        let length = max(timeCourse.count * timeCourseSteps, stimulus.samples.count * steps) / fine
        timeCourse = (0..<length).map { i in
            let t = i * fine
            let own = t / timeCourseSteps < timeCourse.count ? timeCourse[t / timeCourseSteps] : 0
            let added = t / steps < stimulus.samples.count ? Float(stimulus.samples[t / steps]) : 0
            return own + added
        }
        timeCourseSteps = fine
    }

    /// Cumulative Poisson probabilities as 32-bit thresholds, until the tail is below 2⁻³².
    static func poissonThresholds(mean λ: Double) -> [UInt32] {
        precondition(λ >= 0 && λ <= 64, "Poisson drive of at most 64 expected inputs per step")
        var thresholds: [UInt32] = []
        var p = Math.exp(-λ), cumulative = p, k = 0.0
        while 1 - cumulative > 0x1p-32 {
            thresholds.append(UInt32(min(cumulative * 0x1p32, 0xFFFF_FFFF)))
            k += 1
            p *= λ / k
            cumulative += p
        }
        return thresholds
    }

    /// The population-wide external current at step t.
    @inline(__always)
    func external(step t: Int) -> Float {
        guard !timeCourse.isEmpty else { return externalConstant }
        let i = t / timeCourseSteps
        return externalConstant + (i < timeCourse.count ? timeCourse[i] : 0)
    }
}

/// A population's per-step constants broadcast to the lanes once per `update` call, so the block
/// loop takes them as memory operands instead of broadcasting (and spilling) them block by block.
struct LaneConstants {
    var negativeG: (Lanes, Lanes, Lanes, Lanes)
    var gE: (Lanes, Lanes, Lanes, Lanes)
    var decay: (Lanes, Lanes, Lanes, Lanes)
    var negativeGL: Lanes
    var vTh: Lanes
    var dtOverC: Lanes
    var ouA: Lanes
    var ouDrift: Lanes
    var ouKick: Lanes
    var resetBits: LaneInts
    var firedBits: LaneInts

    init(_ c: NeuronConstants) {
        negativeG = (Lanes(repeating: -c.g[0]), Lanes(repeating: -c.g[1]), Lanes(repeating: -c.g[2]), Lanes(repeating: -c.g[3]))
        gE = (Lanes(repeating: c.gE[0]), Lanes(repeating: c.gE[1]), Lanes(repeating: c.gE[2]), Lanes(repeating: c.gE[3]))
        decay = (Lanes(repeating: c.decay[0]), Lanes(repeating: c.decay[1]), Lanes(repeating: c.decay[2]),
                 Lanes(repeating: c.decay[3]))
        negativeGL = Lanes(repeating: -c.gL)
        vTh = Lanes(repeating: c.vTh)
        dtOverC = Lanes(repeating: c.dtOverC)
        ouA = Lanes(repeating: c.ouA)
        ouDrift = Lanes(repeating: c.ouDrift)
        ouKick = Lanes(repeating: c.ouKick)
        resetBits = LaneInts(repeating: Int32(bitPattern: c.vReset.bitPattern))
        firedBits = LaneInts(repeating: Int32(bitPattern: Refractory.boxed(c.refractorySteps, reset: c.vReset).bitPattern))
    }
}

/// A refractory neuron's V is held at V_reset, so its slot in `v` holds the remaining refractory
/// steps instead, boxed in a signalling NaN (which arithmetic never produces): no separate counter
/// array is read and written every step. The threshold test is false on NaN, so a held neuron does
/// not fire.
enum Refractory {
    /// Bits 31…16 of a boxed count (exponent all ones, quiet bit clear); the count is bits 15…0.
    static let tag: Int32 = 0x7FA0_0000
    static let tagMask = Int32(bitPattern: 0xFFFF_0000)
    static let maxSteps: Int32 = 0xFFFF

    /// V as stored for a neuron that just fired: boxed `steps`, or V_reset when there are none.
    @inline(__always)
    static func boxed(_ steps: Int32, reset: Float) -> Float {
        steps > 0 ? Float(bitPattern: UInt32(bitPattern: tag | steps)) : reset
    }

    /// The membrane potential a stored V stands for.
    static func potential(_ stored: Float, reset: Float) -> Float {
        Int32(bitPattern: stored.bitPattern) & tagMask == tag ? reset : stored
    }
}

/// Raw views of the simulation state for the update and delivery loops (no reference counting).
struct StatePointers: @unchecked Sendable {
    /// Membrane potentials, or for refractory neurons their boxed remaining steps (``Refractory``).
    var v: UnsafeMutablePointer<Float>
    /// Gating variables, per 8-neuron block `stride` vectors of 8 (channel-major inside the block).
    var j: UnsafeMutablePointer<Float>
    var background: UnsafeMutablePointer<Float>
    var external: UnsafeMutablePointer<Float>
    /// `arrivalSlots` (one window's steps) copies of the gating layout collecting the arrivals of the
    /// window being updated after its first step, slot = step mod slots.
    var arrivals: UnsafeMutablePointer<Float>
    var arrivalSlots: Int
    /// Floats per slot (= neurons × stride).
    var slotSize: Int
}

/// What one partition's update of one window needs besides the state.
///
/// Random numbers come in tiles of 64 neurons (eight blocks), drawn into `noise` before the
/// tile's blocks are updated, so a partition boundary inside a tile changes nothing. Background
/// normals: one Philox call per tile and step, each word giving two deviates (lane i of word w:
/// neurons 64·tile + 16w + i and + 8 more). Poisson inputs: one word per neuron, one call per 32
/// neurons (lane i of word w of call h: neuron 32·(2·tile + h) + 8w + i).
struct WindowUpdate {
    /// Blocks per random-number tile.
    static let tileBlocks = 8
    /// Lanes of `noise` per step: the tile's background normals, then its Poisson inputs.
    static let noisePerStep = 2 * tileBlocks

    let state: StatePointers
    let philox: Philox4x32
    /// First step of the window and its length.
    let start: Int
    let length: Int
    /// Per step of the window: its arrival slot when it holds arrivals (read and cleared), else nil.
    /// Addresses worked out once per window: a remainder per block and step cost more than
    /// adding the block's arrivals.
    let arrivalSlots: UnsafeBufferPointer<UnsafeMutableRawPointer?>
    let spikes: SpikeBuffer
    /// Scratch for one tile: per step `noisePerStep` lanes.
    let noise: UnsafeMutablePointer<Lanes>
    /// Scratch for the current population's external current at each step of the window.
    let external: UnsafeMutablePointer<Float>
    /// The tile whose background normals `noise` holds now (−1: none yet); through a pointer so
    /// that the update stays non-mutating (an inout self keeps the block loop from hoisting loads).
    let drawnBackgroundTile: UnsafeMutablePointer<Int>

    /// Updates blocks `blocks` of one population for the whole window. The constants come by
    /// pointer, prepared once per population (not per call): a twin has thousands of small
    /// populations, and per-call copies and broadcasts cost more than updating their neurons.
    /// `counts` receives the population's spikes per step of the window; it is a parameter, not a
    /// field, so that the caller passes the same update to every population instead of a copy.
    func update<S: ChannelStride>(_: S.Type, _ c: UnsafePointer<NeuronConstants>, _ k: UnsafePointer<LaneConstants>,
                                  blocks: Range<Int>, lastMask: SIMDMask<LaneInts>, counts: UnsafeMutablePointer<Int32>) {
        for s in 0..<length { external[s] = c.pointee.external(step: start + s) }
        // Only a Poisson-driven population reads its thresholds: taking the array's buffer
        // retains and releases it, which for a twin's thousands of small populations cost
        // about a tenth of the update.
        if c.pointee.hasPoisson {
            c.pointee.poissonThresholds.withUnsafeBufferPointer { update(S.self, c, k, blocks: blocks, lastMask: lastMask, counts, $0) }
        } else {
            update(S.self, c, k, blocks: blocks, lastMask: lastMask, counts, UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    /// The update proper, with the population's Poisson thresholds in hand (empty without a drive).
    @inline(__always)
    func update<S: ChannelStride>(_: S.Type, _ c: UnsafePointer<NeuronConstants>, _ k: UnsafePointer<LaneConstants>,
                                  blocks: Range<Int>, lastMask: SIMDMask<LaneInts>, _ counts: UnsafeMutablePointer<Int32>,
                                  _ thresholds: UnsafeBufferPointer<UInt32>) {
        let fullMask = SIMDMask<LaneInts>(repeating: true)
        let ext = UnsafeBufferPointer(start: external, count: length)
        let tileBlocks = Self.tileBlocks
        for tile in (blocks.lowerBound / tileBlocks)...((blocks.upperBound - 1) / tileBlocks) {
            draw(c, tile: tile, thresholds)
            let range = max(tile * tileBlocks, blocks.lowerBound)..<min((tile + 1) * tileBlocks, blocks.upperBound)
            // A one-step window (the DTB operating point) as straight-line code: without
            // the step loop the block's state stays in registers instead of on the stack.
            if length == 1 {
                for b in range { block(S.self, c, k, b, b == blocks.upperBound - 1 ? lastMask : fullMask, ext, counts, steps: 1) }
            } else {
                for b in range { block(S.self, c, k, b, b == blocks.upperBound - 1 ? lastMask : fullMask, ext, counts, steps: length) }
            }
        }
    }

    /// Background normals and Poisson inputs of one tile for every step of the window. The
    /// normals depend on the tile and step only, so a tile shared by several small populations
    /// (a twin's units have a few neurons each) draws them once, not once per population.
    @inline(__always)
    func draw(_ c: UnsafePointer<NeuronConstants>, tile: Int, _ thresholds: UnsafeBufferPointer<UInt32>) {
        let lane = LaneWords(0, 1, 2, 3, 4, 5, 6, 7)
        let background = c.pointee.hasBackground && tile != drawnBackgroundTile.pointee
        if background { drawnBackgroundTile.pointee = tile }
        for s in 0..<length {
            let t = start + s
            let out = noise + s * Self.noisePerStep
            if background {
                let w = philox.random8(LaneWords(repeating: UInt32(truncatingIfNeeded: tile * 8)) &+ lane,
                                       UInt32(truncatingIfNeeded: t), RandomStream.background.rawValue,
                                       UInt32(truncatingIfNeeded: t >> 32))
                (out[0], out[1]) = vectorNormalPair(w.0)
                (out[2], out[3]) = vectorNormalPair(w.1)
                (out[4], out[5]) = vectorNormalPair(w.2)
                (out[6], out[7]) = vectorNormalPair(w.3)
            }
            if c.pointee.hasPoisson {
                for half in 0..<2 {
                    let w = philox.random8(LaneWords(repeating: UInt32(truncatingIfNeeded: (2 * tile + half) * 8)) &+ lane,
                                           UInt32(truncatingIfNeeded: t), RandomStream.poissonDrive.rawValue,
                                           UInt32(truncatingIfNeeded: t >> 32))
                    let poisson = out + Self.tileBlocks + 4 * half
                    poisson[0] = poissonInput(w.0, thresholds, c.pointee.poissonWeight)
                    poisson[1] = poissonInput(w.1, thresholds, c.pointee.poissonWeight)
                    poisson[2] = poissonInput(w.2, thresholds, c.pointee.poissonWeight)
                    poisson[3] = poissonInput(w.3, thresholds, c.pointee.poissonWeight)
                }
            }
        }
    }

    /// weight × (Poisson count by inverse CDF of the uniform word u).
    @inline(__always)
    func poissonInput(_ u: LaneWords, _ thresholds: UnsafeBufferPointer<UInt32>, _ weight: Float) -> Lanes {
        var k = LaneInts()
        for threshold in thresholds {
            let m = u .>= LaneWords(repeating: threshold)  // vector operand: the scalar overload goes lane by lane
            if !any(m) { break }
            k &-= unsafeBitCast(m, to: LaneInts.self)
        }
        return Lanes(k) * weight
    }

    /// The new V per lane: `integrated`, or for a refractory lane (V a boxed count) the count less
    /// one step, V_reset once none are left. Integer mask arithmetic only: vector comparisons and
    /// `replacing` here compile to lane-by-lane code.
    @inline(__always)
    func held(_ v: Lanes, integrated: Lanes, _ resetBits: LaneInts) -> Lanes {
        let bits = unsafeBitCast(v, to: LaneInts.self)
        let held = equalMask(bits & LaneInts(repeating: Refractory.tagMask), LaneInts(repeating: Refractory.tag))
        let remaining = bits &- 1
        let done = equalMask(remaining & LaneInts(repeating: 0xFFFF), LaneInts())
        let heldBits = (remaining & ~done) | (resetBits & done)
        return unsafeBitCast((unsafeBitCast(integrated, to: LaneInts.self) & ~held) | (heldBits & held), to: Lanes.self)
    }

    /// Whether any lane of `m` is set, as one vector test: `any` reduces the lanes by shuffles.
    @inline(__always)
    func anyLane(_ m: SIMDMask<LaneInts>) -> Bool {
        let words = unsafeBitCast(m, to: SIMD4<UInt64>.self)
        return words[0] | words[1] | words[2] | words[3] != 0
    }

    /// All ones in the lanes where a == b, zero elsewhere: d | −d has its sign bit set iff d ≠ 0.
    @inline(__always)
    func equalMask(_ a: LaneInts, _ b: LaneInts) -> LaneInts {
        let d = a ^ b
        return ~((d | (LaneInts() &- d)) &>> LaneInts(repeating: 31))
    }

    @inline(__always)
    func block<S: ChannelStride>(_: S.Type, _ c: UnsafePointer<NeuronConstants>, _ k: UnsafePointer<LaneConstants>, _ b: Int,
                                 _ active: SIMDMask<LaneInts>, _ ext: UnsafeBufferPointer<Float>,
                                 _ counts: UnsafeMutablePointer<Int32>, steps: Int) {
        let n = S.count
        let raw = UnsafeMutableRawPointer(state.v)
        var v = raw.load(fromByteOffset: b * 32, as: Lanes.self)
        let jRaw = UnsafeMutableRawPointer(state.j) + b * 32 * n
        var j0 = jRaw.load(fromByteOffset: 0, as: Lanes.self)
        var j1 = jRaw.load(fromByteOffset: 32, as: Lanes.self)
        var j2 = n > 2 ? jRaw.load(fromByteOffset: 64, as: Lanes.self) : Lanes()
        var j3 = n > 2 ? jRaw.load(fromByteOffset: 96, as: Lanes.self) : Lanes()
        let bgRaw = UnsafeMutableRawPointer(state.background)
        var background = bgRaw.load(fromByteOffset: b * 32, as: Lanes.self)
        let neuronExternal = c.pointee.hasNeuronExternal
            ? UnsafeMutableRawPointer(state.external).load(fromByteOffset: b * 32, as: Lanes.self) : Lanes()
        let inTile = b % Self.tileBlocks
        let leak = c.pointee.gL * c.pointee.vL
        for s in 0..<steps {
            if let slot = arrivalSlots[s].map({ $0 + b * 32 * n }) {
                j0 += slot.load(fromByteOffset: 0, as: Lanes.self)
                j1 += slot.load(fromByteOffset: 32, as: Lanes.self)
                if n > 2 {
                    j2 += slot.load(fromByteOffset: 64, as: Lanes.self)
                    j3 += slot.load(fromByteOffset: 96, as: Lanes.self)
                }
                slot.initializeMemory(as: Float.self, repeating: 0, count: 8 * n)
            }
            if c.pointee.hasPoisson {
                let add = noise[s * Self.noisePerStep + Self.tileBlocks + inTile]
                switch c.pointee.poissonChannel {
                case 0: j0 += add
                case 1: j1 += add
                case 2: j2 += add
                default: j3 += add
                }
            }
            // C dV/dt = g_L V_L + Σ g_u E_u J_u + I − (g_L + Σ g_u J_u)·V, in fused multiply-adds.
            var negativeConductance = k.pointee.negativeGL.addingProduct(j0, k.pointee.negativeG.0)
                .addingProduct(j1, k.pointee.negativeG.1)
            var driven = (neuronExternal + (leak + ext[s])).addingProduct(j0, k.pointee.gE.0).addingProduct(j1, k.pointee.gE.1)
            if n > 2 {
                negativeConductance = negativeConductance.addingProduct(j2, k.pointee.negativeG.2)
                    .addingProduct(j3, k.pointee.negativeG.3)
                driven = driven.addingProduct(j2, k.pointee.gE.2).addingProduct(j3, k.pointee.gE.3)
            }
            let current = (driven + background).addingProduct(negativeConductance, v)
            v = held(v, integrated: v.addingProduct(current, k.pointee.dtOverC), k.pointee.resetBits)
            let fired = (v .>= k.pointee.vTh) .& active
            if anyLane(fired) {
                let mask = unsafeBitCast(fired, to: LaneInts.self)
                v = unsafeBitCast((unsafeBitCast(v, to: LaneInts.self) & ~mask) | (k.pointee.firedBits & mask), to: Lanes.self)
                emit(fired, block: b, step: s, counts)
            }
            j0 *= k.pointee.decay.0
            j1 *= k.pointee.decay.1
            if n > 2 { j2 *= k.pointee.decay.2; j3 *= k.pointee.decay.3 }
            if c.pointee.hasBackground {
                background = k.pointee.ouDrift.addingProduct(background, k.pointee.ouA)
                    .addingProduct(noise[s * Self.noisePerStep + inTile], k.pointee.ouKick)
            }
        }
        raw.storeBytes(of: v, toByteOffset: b * 32, as: Lanes.self)
        jRaw.storeBytes(of: j0, toByteOffset: 0, as: Lanes.self)
        jRaw.storeBytes(of: j1, toByteOffset: 32, as: Lanes.self)
        if n > 2 {
            jRaw.storeBytes(of: j2, toByteOffset: 64, as: Lanes.self)
            jRaw.storeBytes(of: j3, toByteOffset: 96, as: Lanes.self)
        }
        if c.pointee.hasBackground { bgRaw.storeBytes(of: background, toByteOffset: b * 32, as: Lanes.self) }
    }

    /// Records the spikes of the lanes in `fired` (rare: kept out of line so the block stays in registers).
    @inline(never)
    func emit(_ fired: SIMDMask<LaneInts>, block b: Int, step s: Int, _ counts: UnsafeMutablePointer<Int32>) {
        var emitted: Int32 = 0
        for lane in 0..<8 where fired[lane] {
            spikes.append(Spike(neuron: UInt32(b * 8 + lane), step: UInt32(s)))
            emitted += 1
        }
        counts[s] += emitted
    }
}
