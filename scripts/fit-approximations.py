"""Fits the polynomial coefficients used by src/protocol/pond/smooth/.

Near-minimax fits by least squares on Chebyshev nodes, in a variable scaled to
[-1, 1] so that no coefficient is lost to 16-bit fixed point. Prints the
coefficients (lowest degree first) and the max error of the float64 polynomial
on a dense grid; the tests measure the error of the secure versions.

Run: python3 scripts/fit-approximations.py   (needs numpy; a dev tool only)
"""
import numpy as np

GRID = np.linspace(-1, 1, 200001)


def fit(f, degree, odd=False):
    k = np.arange(4096)
    nodes = np.cos(np.pi * (k + 0.5) / len(k))
    powers = [p for p in range(degree + 1) if (not odd or p % 2 == 1)]
    A = np.stack([nodes ** p for p in powers], axis=1)
    c, *_ = np.linalg.lstsq(A, f(nodes), rcond=None)
    full = np.zeros(degree + 1)
    full[powers] = c
    err = np.max(np.abs(np.polyval(full[::-1], GRID) - f(GRID)))
    return full, err


def show(name, coeffs, err):
    print(f"{name}: max error {err:.3e}")
    print("  [" + ", ".join(f"{c:.12g}" for c in coeffs) + "]")


sigmoid = lambda x: 1 / (1 + np.exp(-x))

# Fast sigmoid: 0.5 + odd polynomial of degree 9 in u = x / 8 for x in [-6, 6]
# (x is clamped to that interval first; outside, 1 - sigmoid(6) = 2.5e-3).
# Fitted in v = x / 6 in [-1, 1], then rewritten for u = x / 8 (c_k (8/6)^k),
# since dividing by 8 is a free change of fixed-point scale.
c, e = fit(lambda v: sigmoid(6 * v) - 0.5, 9, odd=True)
show("sigmoid fast (u = x/8, x in [-6, 6], degree 9)", c * (8 / 6) ** np.arange(10), e)

# Accurate sigmoid for t = |x| in pieces [lo, hi], u = (t - mid) / half.
for lo, hi in [(0, 1), (1, 2), (2, 4), (4, 8), (8, 16)]:
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    c, e = fit(lambda u: sigmoid(mid + half * u), 4)
    show(f"sigmoid piece [{lo}, {hi}] (degree 4)", c, e)

# Approximate ReLU: polynomial in u = x / 4 on [-4, 4], times 4.
c, e = fit(lambda u: np.maximum(u, 0), 4)
show("relu approx (u = x/4 on [-4, 4], degree 4; error times 4)", c, e)

# log(m) for m in [1, 2], u = 2 (m - 1.5).
c, e = fit(lambda u: np.log(1.5 + u / 2), 8)
show("log on [1, 2] (u = 2 (m - 1.5), degree 8)", c, e)
