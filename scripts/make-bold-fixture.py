#!/usr/bin/env python3
"""Reference step responses of the Balloon–Windkessel model, for Tests/HemodynamicsTests/Fixtures.

An integrator independent of the Swift module: scipy's solve_ivp (DOP853, rtol 1e-10, atol 1e-12)
on the full nonlinear ODE of docs `science.md` section 3. The parameter values are transcribed here
from that note (not read from the Swift code), and written into each fixture so the Swift test can
check that both sides used the same numbers.

Input: z = 0 for `onset` s, then `amplitude` until `offset` s, then 0 until `end` s, sampled every
0.1 s. Every 0.1 s interval is integrated by its own solve_ivp call (see `step_response`). The
result is cross-checked against scipy's Radau (rtol 1e-12, atol 1e-14); the largest differences are
stored in each fixture under integrator.crossCheck.

Usage: python3 scripts/make-bold-fixture.py [output-directory]
       (default Tests/HemodynamicsTests/Fixtures)
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy.integrate import solve_ivp

METHOD = "DOP853"
RTOL = 1e-10
ATOL = 1e-12
SAMPLES_PER_SECOND = 10
CHECK_METHOD, CHECK_RTOL, CHECK_ATOL = "Radau", 1e-12, 1e-14
ONSET, OFFSET, END = 1.0, 11.0, 31.0


def friston_k(E0):
    return {"k1": 7 * E0, "k2": 2.0, "k3": 2 * E0 - 0.2}


def tvb_k(E0):
    theta0, r0, TE, eps_h = 40.3, 25.0, 0.04, 0.5
    return {"k1": 4.3 * theta0 * E0 * TE, "k2": eps_h * r0 * E0 * TE, "k3": 1 - eps_h}


# Amplitudes give a physiological flow increase (steady f - 1 = epsilon * z * tauF of 24-49 %);
# for dtb, z is a firing fraction per ms (~3 Hz), the way DTB drives it.
PRESETS = [
    dict(name="dtb", epsilon=200.0, tauS=0.8, tauF=0.4, tau0=1.0, alpha=0.2, E0=0.8, V0=0.02,
         **friston_k(0.8), amplitude=0.003),
    dict(name="friston2003", epsilon=1.0, tauS=1 / 0.65, tauF=1 / 0.41, tau0=0.98, alpha=0.32,
         E0=0.34, V0=0.02, **friston_k(0.34), amplitude=0.2),
    dict(name="tvb-balloon", epsilon=1.0, tauS=1.54, tauF=1.44, tau0=0.98, alpha=0.32, E0=0.4,
         V0=4.0, **tvb_k(0.4), amplitude=0.3),
]


def derivatives(p, z):
    def rhs(_t, y):
        s, f, v, q = y
        ds = p["epsilon"] * z - s / p["tauS"] - (f - 1) / p["tauF"]
        dv = (f - v ** (1 / p["alpha"])) / p["tau0"]
        extraction = (1 - (1 - p["E0"]) ** (1 / f)) / p["E0"]
        dq = (f * extraction - q * v ** (1 / p["alpha"] - 1)) / p["tau0"]
        return [ds, s, dv, dq]
    return rhs


def bold(p, v, q):
    return p["V0"] * (p["k1"] * (1 - q) + p["k2"] * (1 - q / v) + p["k3"] * (1 - v))


def input_at(p, i):
    """Drive over the sample interval [t_i, t_i+1): the step edges fall on sample times."""
    return p["amplitude"] if ONSET <= i / SAMPLES_PER_SECOND < OFFSET else 0.0


def step_response(p, method=METHOD, rtol=RTOL, atol=ATOL):
    """Rows [t, z, s, f, v, q, bold]; z is the drive applied from t on.

    Each sample interval is its own solve_ivp call, so every sample is an integrator end point (the
    dense-output interpolant of DOP853 is only good to ~1e-8 at these tolerances) and no call
    straddles a step edge."""
    y = np.array([0.0, 1.0, 1.0, 1.0])
    rows = []
    count = round(END * SAMPLES_PER_SECOND)
    for i in range(count + 1):
        z = input_at(p, i)
        rows.append([i / SAMPLES_PER_SECOND, z, *y, bold(p, y[2], y[3])])
        if i == count:
            break
        sol = solve_ivp(derivatives(p, z), (i / SAMPLES_PER_SECOND, (i + 1) / SAMPLES_PER_SECOND), y,
                        method=method, rtol=rtol, atol=atol)
        if not sol.success:
            sys.exit(f"{p['name']}: {sol.message}")
        y = sol.y[:, -1]
    return rows


def cross_check(p, rows):
    """Largest state and BOLD difference from an unrelated implicit method at tighter tolerances."""
    other = np.array(step_response(p, method=CHECK_METHOD, rtol=CHECK_RTOL, atol=CHECK_ATOL))
    rows = np.array(rows)
    return {"method": CHECK_METHOD, "rtol": CHECK_RTOL, "atol": CHECK_ATOL,
            "maxStateDifference": float(np.abs(rows[:, 2:6] - other[:, 2:6]).max()),
            "maxBoldDifference": float(np.abs(rows[:, 6] - other[:, 6]).max())}


def fixture(p):
    parameters = {k: p[k] for k in
                  ("name", "epsilon", "tauS", "tauF", "tau0", "alpha", "E0", "V0", "k1", "k2", "k3")}
    rows = step_response(p)
    return {
        "parameters": parameters,
        "input": {"amplitude": p["amplitude"], "onset": ONSET, "offset": OFFSET, "end": END},
        "initialState": {"s": 0.0, "f": 1.0, "v": 1.0, "q": 1.0},
        "integrator": {"library": f"scipy {scipy.__version__}, numpy {np.__version__}",
                       "method": METHOD, "rtol": RTOL, "atol": ATOL,
                       "crossCheck": cross_check(p, rows)},
        "columns": ["t", "z", "s", "f", "v", "q", "bold"],
        "rows": rows,
    }


def to_json(data):
    """JSON with one sample row per line; floats as Python's repr (shortest exact round trip)."""
    head = {k: v for k, v in data.items() if k != "rows"}
    rows = ",\n  ".join(json.dumps(r) for r in data["rows"])
    return json.dumps(head, indent=1)[:-2] + ',\n "rows": [\n  ' + rows + "\n ]\n}\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/HemodynamicsTests/Fixtures"
    for p in PRESETS:
        data = fixture(p)
        path = os.path.join(out, f"step-response-{p['name']}.json")
        with open(path, "w") as handle:
            handle.write(to_json(data))
        peak = max(abs(r[6]) for r in data["rows"])
        assert all(math.isfinite(x) for r in data["rows"] for x in r)
        print(f"{path}: {len(data['rows'])} samples, peak |BOLD| {peak:.6g}")


if __name__ == "__main__":
    main()
