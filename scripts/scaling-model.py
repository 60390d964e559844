#!/usr/bin/env python3
"""The spike exchange of dtb past one machine, on paper (docs/scaling.md prints its output).

Per exchange window (the minimum delay d) every rank must learn the spikes that reach its neurons.
dtb's MPISpikeExchange all-gathers every spike (8 bytes: neuron, step) to every rank; a sparse
all-to-all (NEST 5g, Jordan et al. 2018) sends a spike only to the ranks holding one of its targets.
The model: a window costs an all-gather alpha*log2(R) + B_all/beta, an all-to-all alpha*(R-1) +
B_sparse/beta (one message per rank pair, as MPI_Alltoall over a flat network), where B is what
one rank receives. A neuron of in/out-degree K spreads its targets uniformly over R ranks (random
connectivity, the worst case) or, for the DTB's layout, keeps a share `local` of them on its own
rank (units assigned to ranks whole) and spreads the rest.

No arguments; change the constants below to explore. Python 3, standard library only.
"""
import math

RATE_HZ = 3.0          # mean firing rate (DTB resting state)
MIN_DELAY_MS = 1.0     # exchange window
BYTES_PER_SPIKE = 8    # dtb's Spike: UInt32 neuron + UInt32 step
ALPHA_S = 2e-6         # per-message latency (InfiniBand HDR class, MPI small message)
BETA_BPS = 25e9        # per-rank injection bandwidth (200 Gb/s)
NEURONS = [1e8, 1e9, 1e10]
RANKS = [64, 256, 1024, 4096]
WINDOWS_PER_S = 1000.0 / MIN_DELAY_MS


def spikes_per_window(n):
    return n * RATE_HZ * MIN_DELAY_MS / 1000.0


def share_receiving(k, ranks, local=0.0):
    """Probability that a given remote neuron has at least one target on a given rank."""
    remote = k * (1.0 - local)
    return 1.0 - math.exp(-remote / ranks)


def all_gather_s(n, ranks):
    return ALPHA_S * math.log2(ranks) + spikes_per_window(n) * BYTES_PER_SPIKE / BETA_BPS


def all_to_all_s(n, ranks, k, local=0.0):
    received = spikes_per_window(n) * share_receiving(k, ranks, local) * BYTES_PER_SPIKE
    return ALPHA_S * (ranks - 1) + received / BETA_BPS


def two_level_s(n, ranks, k, local=0.0):
    """All-to-all routed through sqrt(R) groups (rows, then columns: the two-level routing of the
    Fudan DTB): 2 (sqrt(R) - 1) messages per rank, each spike carried twice."""
    received = spikes_per_window(n) * share_receiving(k, ranks, local) * BYTES_PER_SPIKE
    return ALPHA_S * 2 * (math.sqrt(ranks) - 1) + 2 * received / BETA_BPS


def main():
    print(f"rate {RATE_HZ} Hz, window {MIN_DELAY_MS} ms ({WINDOWS_PER_S:.0f} exchanges per biological second), "
          f"{BYTES_PER_SPIKE} B/spike, alpha {ALPHA_S * 1e6:.0f} us, beta {BETA_BPS / 1e9:.0f} GB/s per rank")
    print()
    print("All-gather: what every rank receives, whatever R")
    print(f"{'N':>8} {'spikes/window':>14} {'MB/window/rank':>15} {'GB/s per rank at RTF 1':>23}")
    for n in NEURONS:
        mb = spikes_per_window(n) * BYTES_PER_SPIKE / 1e6
        print(f"{n:8.0e} {spikes_per_window(n):14.3g} {mb:15.3g} {mb * WINDOWS_PER_S / 1e3:23.3g}")
    print()
    print("Seconds of exchange per biological second: all-gather | flat sparse all-to-all, random K=100 | K=1e4 |"
          " DTB K=100 with 90% local | two-level all-to-all for the DTB")
    print(f"{'N':>8} {'R':>6} {'all-gather':>11} {'a2a K=100':>10} {'a2a K=1e4':>10} {'a2a DTB':>10} {'2-level DTB':>12}  cheapest for the DTB")
    for n in NEURONS:
        for r in RANKS:
            ag = all_gather_s(n, r) * WINDOWS_PER_S
            a100 = all_to_all_s(n, r, 100) * WINDOWS_PER_S
            a10k = all_to_all_s(n, r, 1e4) * WINDOWS_PER_S
            dtb = all_to_all_s(n, r, 100, local=0.9) * WINDOWS_PER_S
            two = two_level_s(n, r, 100, local=0.9) * WINDOWS_PER_S
            best = min([(ag, "all-gather"), (dtb, "flat all-to-all"), (two, "two-level all-to-all")])[1]
            print(f"{n:8.0e} {r:6d} {ag:11.3g} {a100:10.3g} {a10k:10.3g} {dtb:10.3g} {two:12.3g}  {best}")
    print()
    print("Latency floor per biological second (alpha terms only): all-gather "
          + ", ".join(f"R={r}: {ALPHA_S * math.log2(r) * WINDOWS_PER_S * 1e3:.0f} ms" for r in RANKS)
          + "; flat all-to-all "
          + ", ".join(f"R={r}: {ALPHA_S * (r - 1) * WINDOWS_PER_S:.2f} s" for r in RANKS))
    print()
    print("Share of remote neurons a rank must hear from (random, K=100 | K=1e4 | DTB 90% local):")
    for r in RANKS:
        print(f"  R={r:5d}: {share_receiving(100, r):.3f} | {share_receiving(1e4, r):.3f} | {share_receiving(100, r, 0.9):.4f}")


if __name__ == "__main__":
    main()
