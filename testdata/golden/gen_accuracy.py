#!/usr/bin/env python3
"""Generate the random accuracy set accuracy.json for github.com/gmmkit/cramer.

Run from the repository root:

    python3 testdata/golden/gen_accuracy.py

Writes accuracy.json next to this script: 420 random pairs of univariate
Gaussian mixtures in the record format of distances.json (written by
gen_golden.py, whose mpmath reference code this script imports), with
references at mp.dps = 80 as double-double pairs.

The cases are chosen to measure the accuracy contract of the distance where it
is hardest: ℓ₂² is the difference cross − ½self_p − ½self_q of three sums, so
its relative error grows like ε·cross/ℓ₂² as the ratio ℓ₂²/cross shrinks.
  * 100 "wide" cases: independent random mixtures (ratio typically 1e-2 … 1);
  * 240 "band" cases: Q is P with every parameter perturbed by a common
    relative amount δ, δ tuned (by a float64 estimate, then measured exactly)
    so that ℓ₂²/cross is log-uniform in [1e-5, 1e-1]: the band on both sides
    of the 1e-3 threshold of the contract;
  * 60 "tight" cases: the same with ℓ₂²/cross log-uniform in [1e-12, 1e-5].
  * 20 "scale" cases: random mixtures with every mean and std multiplied by
    2^e, e from -1060 (ℓ₂² subnormal) to 500 (magnitudes near 1e151).
Sizes K, M are drawn from 1 … 12; some stds are 0 (point masses) and some
means and stds are scaled by a random power of two in [2^-200, 2^200]
(exact), which the distance must not notice.

Deterministic: fixed seed; inputs built from correctly rounded IEEE
operations only, so every run writes a byte-identical file (about 30 s).
"""

import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_golden as G  # noqa: E402


def h64(d, v):
    """Quick float64 h(d, sqrt(v)), only for tuning δ."""
    if v == 0:
        return abs(d)
    s = math.sqrt(v)
    z = d / (s * math.sqrt(2))
    return s * math.sqrt(2 / math.pi) * math.exp(-z * z) + d * math.erf(z)


def quick(p, q):
    """float64 estimate of (ℓ₂², cross) for tuning."""
    def ps(a, b):
        t = 0.0
        for wa, ma, sa in zip(a["weights"], a["means"], a["stds"]):
            for wb, mb, sb in zip(b["weights"], b["means"], b["stds"]):
                t += wa * wb * h64(ma - mb, sa * sa + sb * sb)
        return t
    c = ps(p, q)
    return c - 0.5 * (ps(p, p) + ps(q, q)), c


def rand_mix(rng, n):
    w = G.rand_weights(rng, n)
    m = [rng.uniform(-4.0, 4.0) for _ in range(n)]
    pz = rng.choice([0.0, 0.0, 0.3, 1.0])
    s = [0.0 if rng.random() < pz else rng.uniform(0.05, 2.5) for _ in range(n)]
    return G.mixture(w, m, s)


def perturb(rng, p, delta, dirs):
    """P with weights, means and stds moved by delta along fixed random dirs."""
    dw, dm, ds = dirs
    w = [max(x * (1 + delta * e), 1e-3) for x, e in zip(p["weights"], dw)]
    w = G.norm_weights(w)
    m = [x + delta * e for x, e in zip(p["means"], dm)]
    s = [x * (1 + delta * e) if x > 0 else 0.0 for x, e in zip(p["stds"], ds)]
    return G.mixture(w, m, s)


def band_case(rng, lo, hi):
    n = rng.randint(1, 12)
    p = rand_mix(rng, n)
    dirs = tuple([rng.uniform(-1, 1) for _ in range(n)] for _ in range(3))
    if n == 1:
        dirs = ([0.0], dirs[1], dirs[2])  # a single weight cannot move
    target = 10 ** rng.uniform(math.log10(lo), math.log10(hi))
    delta = 0.1
    q = perturb(rng, p, delta, dirs)
    for _ in range(40):
        sq, cross = quick(p, q)
        r = sq / cross if cross > 0 else 0.0
        if r <= 0:
            delta *= 2
        else:
            # smooth mixtures: ℓ₂² ∝ δ²; point masses: ∝ δ
            delta *= (target / r) ** 0.5
        delta = min(delta, 0.9)
        q = perturb(rng, p, delta, dirs)
        if r > 0 and abs(math.log(r / target)) < 0.05:
            break
    return p, q


def scale2(rng, p, q):
    e = rng.randint(-200, 200)
    for r in (p, q):
        r["means"] = [math.ldexp(x, e) for x in r["means"]]
        r["stds"] = [math.ldexp(x, e) for x in r["stds"]]
    return p, q


def cases(rng):
    C = []
    for i in range(100):
        p = rand_mix(rng, rng.randint(1, 12))
        q = rand_mix(rng, rng.randint(1, 12))
        if rng.random() < 0.25:
            p, q = scale2(rng, p, q)
        C.append(("wide_%03d" % i, p, q))
    for i in range(240):
        p, q = band_case(rng, 1e-5, 1e-1)
        if rng.random() < 0.25:
            p, q = scale2(rng, p, q)
        C.append(("band_%03d" % i, p, q))
    for i in range(60):
        p, q = band_case(rng, 1e-12, 1e-5)
        C.append(("tight_%03d" % i, p, q))
    # Extreme scales, exact powers of two applied to random mixtures (and to
    # band cases): the smallest leave ℓ₂² subnormal, the largest put
    # magnitudes near 1e151.
    for i, e in enumerate([-1060, -1050, -1040, -1022, -1000, -900, -800, -700, -600, -540,
                           -520, -511, -500, -400, 300, 400, 450, 480, 490, 500]):
        if i % 2 == 0:
            p = rand_mix(rng, rng.randint(1, 6))
            q = rand_mix(rng, rng.randint(1, 6))
        else:
            p, q = band_case(rng, 1e-3, 1e-1)
        for r in (p, q):
            r["means"] = [math.ldexp(x, e) for x in r["means"]]
            r["stds"] = [math.ldexp(x, e) for x in r["stds"]]
        C.append(("scale_2^%d" % e, p, q))
    return C


def main():
    t0 = time.time()
    rng = random.Random(20261201)
    recs = [G.distance_record(*c) for c in cases(rng)]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "accuracy.json")
    G.write_distances(out, recs)
    print("accuracy.json: %d cases (%.1fs)" % (len(recs), time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
