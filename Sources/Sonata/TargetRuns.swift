// The per-target synapse ranges behind SONATA's target index, written by SonataWriter and checked
// by SonataReader.

/// The synapses onto each target in turn, walking the twin's target column once (synapses are
/// sorted by target neuron).
struct TargetRuns {
    let post: [UInt32]
    private var at = 0

    init(post: [UInt32]) { self.post = post }

    /// The synapses onto `neuron`, for neurons asked in ascending order: a gallop over the run of
    /// `neuron` and a bisection of its last step, O(log in-degree) rather than a step per synapse.
    mutating func synapses(onto neuron: Int) -> Range<Int> {
        let first = at
        var lo = at, step = 1
        while lo + step <= post.count && Int(post[lo + step - 1]) == neuron { lo += step; step *= 2 }
        var hi = min(lo + step - 1, post.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(post[mid]) == neuron { lo = mid + 1 } else { hi = mid }
        }
        at = lo
        return first..<at
    }

    /// The synapses onto the next neuron that has any.
    mutating func next() -> Range<Int> {
        at < post.count ? synapses(onto: Int(post[at])) : at..<at
    }
}
