#!/usr/bin/env python3
"""Reference spectra and analytic signals for Tests/AnalysesTests/Fixtures, from scipy.

welch.json: scipy.signal.welch with its defaults (Hann window, nperseg 256 or the whole series,
noverlap nperseg // 2, constant detrend, one-sided, density scaling, mean over segments) and with
non-default segment lengths, on a 12.5 Hz sinusoid plus Gaussian noise (numpy's default_rng, seed
14). The cases cover a power-of-two segment (radix-2 FFT), other even and odd segment lengths
(Bluestein) and a series shorter than the default segment.

hilbert.json: scipy.signal.hilbert (the analytic signal) of an odd and an even length series.

Usage: python3 scripts/make-analysis-fixtures.py [output-directory]
       (default Tests/AnalysesTests/Fixtures)
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import signal

FS = 100.0
SEED = 14


def series(n, rng):
    t = np.arange(n) / FS
    return np.sin(2 * np.pi * 12.5 * t) + 0.5 * rng.standard_normal(n)


def welch_case(name, x, nperseg=None, noverlap=None):
    with warnings.catch_warnings():
        # scipy warns when nperseg exceeds the series and then uses the whole series, as intended here.
        warnings.simplefilter("ignore", UserWarning)
        f, p = signal.welch(x, fs=FS, nperseg=nperseg, noverlap=noverlap)
    return {"name": name, "signal": x.tolist(), "sampling_rate": FS, "segment_length": nperseg,
            "overlap": noverlap, "frequencies": f.tolist(), "density": p.tolist()}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/AnalysesTests/Fixtures"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    long, short = series(1000, rng), series(200, rng)
    library = f"scipy {scipy.__version__}, numpy {np.__version__}"
    welch = {"library": library, "cases": [
        welch_case("defaults", long),
        welch_case("segment 100, overlap 25", long, nperseg=100, noverlap=25),
        welch_case("odd segment 75", long, nperseg=75),
        welch_case("shorter than 256", short),
    ]}
    odd, even = rng.standard_normal(101), rng.standard_normal(64)
    hilbert = {"library": library, "cases": [
        {"signal": x.tolist(), "real": signal.hilbert(x).real.tolist(), "imaginary": signal.hilbert(x).imag.tolist()}
        for x in (odd, even)]}
    for name, data in (("welch.json", welch), ("hilbert.json", hilbert)):
        with open(os.path.join(out, name), "w") as handle:
            json.dump(data, handle, indent=1)
            handle.write("\n")
        print(f"{os.path.join(out, name)}: {len(data['cases'])} cases")


if __name__ == "__main__":
    main()
