#!/usr/bin/env python3
"""Generate high-precision golden reference data for github.com/gmmkit/cramer.

Run from the repository root:

    python3 testdata/golden/gen_golden.py

Writes, next to this script:
    elementwise64.json  erf, exp(-x^2) and the pair term h(d, sqrt(v)) at float64 inputs
    elementwise32.json  the same at float32-representable inputs
    distances.json      Cramer 2-distance cases between univariate Gaussian mixtures

All references are computed with mpmath at mp.dps = 80 (266 bits) and written as
double-double pairs [hi, lo], hi = nearest double to the value v, lo = nearest
double to v - hi.  Inputs are exact binary values written with repr(), so they
round-trip exactly.  The output is deterministic (fixed seeds, no libm calls in
input generation other than correctly rounded IEEE operations).

See README.md in this directory for the file formats and conventions.
"""

import json
import math
import os
import random
import struct
import sys
import time

import mpmath
from mpmath import mp, mpf

mp.dps = 80

OUTDIR = os.path.dirname(os.path.abspath(__file__))

SQ2PI = mpmath.sqrt(2 / mp.pi)  # sqrt(2/pi)
# Tails smaller than exp(-CUT) (relative to the scale of the term) are dropped:
# exp(-5000) ~ 1e-2172, far below the smallest subnormal for every input range used.
CUT = 5000

ZERO = mpf(0)


# ----------------------------------------------------------------------------
# exact helpers
# ----------------------------------------------------------------------------

def xadd(a, b):
    return mpmath.fadd(a, b, exact=True)


def xsub(a, b):
    return mpmath.fsub(a, b, exact=True)


def xmul(a, b):
    return mpmath.fmul(a, b, exact=True)


def xsum(terms):
    acc = ZERO
    for t in terms:
        acc = xadd(acc, t)
    return acc


def to_double(x):
    """Correctly rounded (nearest, ties to even) conversion of an mpf to a double."""
    sign, man, exp, bc = x._mpf_
    if man == 0:
        if x._mpf_ != mpmath.libmp.fzero:
            raise ValueError("non-finite value %r" % (x,))
        return 0.0
    if exp >= 0:
        f = float(man << exp)  # int -> float is correctly rounded (OverflowError if too big)
    elif bc + exp < -1100:
        f = 0.0
    else:
        f = man / (1 << -exp)  # int / int true division is correctly rounded in CPython
    if math.isinf(f):
        raise OverflowError("value overflows double: %r" % (x,))
    return -f if sign else f


def dd(x):
    """Double-double pair [hi, lo] of an (exact or high-precision) mpf value."""
    hi = to_double(x)
    lo = to_double(xsub(x, mpf(hi)))
    if lo == 0.0:
        lo = 0.0  # normalise -0.0
    return [hi, lo]


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def sgn(x):
    return (x > 0) - (x < 0)


# ----------------------------------------------------------------------------
# the special functions as sums of "parts"
#
# Each function returns a list of mpf parts whose exact sum is the value.  Parts
# that are exact (|d|, +-1) are kept separate from small approximate tails
# (exp, erfc terms, each accurate to ~80 significant digits relative to itself),
# so exact accumulation keeps the accuracy relative to the tails, not to the
# leading exact parts.  This matters for lo words near erf -> 1 and for gradient
# sums whose +-1 parts cancel exactly.
# ----------------------------------------------------------------------------

def erf_parts(x):
    """erf(x) for an mpf x."""
    s = sgn(x)
    if s == 0:
        return []
    ax = abs(x)
    if ax < 1:
        return [s * mpmath.erf(ax)]
    if ax * ax > CUT:
        return [mpf(s)]
    return [mpf(s), -s * mpmath.erfc(ax)]


def erf_dv_parts(d, v):
    """dh/dd = erf(d / sqrt(2 v)); for v == 0 it is sign(d) (0 when d == 0)."""
    s = sgn(d)
    if s == 0:
        return []
    if v == 0:
        return [mpf(s)]
    z2 = d * d / (2 * v)
    if z2 > CUT:
        return [mpf(s)]
    z = mpmath.sqrt(z2)
    if z < 1:
        return [s * mpmath.erf(z)]
    return [mpf(s), -s * mpmath.erfc(z)]


def expnegsq_parts(x):
    x2 = xmul(x, x)
    if x2 > CUT:
        return []
    return [mpmath.exp(-x2)]


def h_parts(d, v):
    """h(d, sqrt(v)) = s sqrt(2/pi) exp(-d^2/(2 s^2)) + d erf(d/(s sqrt 2)), s = sqrt(v)."""
    ad = abs(d)
    if v == 0:
        return [ad] if ad != 0 else []
    s = mpmath.sqrt(v)
    if ad == 0:
        return [s * SQ2PI]
    z2 = d * d / (2 * v)
    if z2 > CUT:
        return [ad]
    z = mpmath.sqrt(z2)
    e = s * SQ2PI * mpmath.exp(-z2)
    if z < 1:
        return [e, ad * mpmath.erf(z)]
    # d erf(z) = |d| - |d| erfc(|z|)
    return [ad, e, -ad * mpmath.erfc(z)]


def dexp_parts(sig, d, v):
    """d h(d, sqrt(sig^2 + t^2)) / d sig = sqrt(2/pi) exp(-z^2) * sig / s.

    Convention: 0 when sig == 0 (then also when s == 0)."""
    if sig == 0 or v == 0:
        return []
    z2 = d * d / (2 * v)
    if z2 > CUT:
        return []
    return [SQ2PI * mpmath.exp(-z2) * sig / mpmath.sqrt(v)]


# ----------------------------------------------------------------------------
# mixtures
# ----------------------------------------------------------------------------

class Mix:
    def __init__(self, weights, means, stds):
        assert len(weights) == len(means) == len(stds) > 0
        self.w = [mpf(x) for x in weights]
        self.m = [mpf(x) for x in means]
        self.s = [mpf(x) for x in stds]
        self.var = [xmul(x, x) for x in self.s]

    def __len__(self):
        return len(self.w)


def pair_sum(X, Y):
    """Exact accumulation of sum_ij x_i y_j h(mu_i - nu_j, sqrt(s_i^2 + t_j^2))."""
    terms = []
    for i in range(len(X)):
        for j in range(len(Y)):
            c = xmul(X.w[i], Y.w[j])
            d = xsub(X.m[i], Y.m[j])
            v = xadd(X.var[i], Y.var[j])
            for p in h_parts(d, v):
                terms.append(xmul(c, p))
    return xsum(terms)


def distance(P, Q):
    cross = pair_sum(P, Q)
    sp = pair_sum(P, P)
    sq = pair_sum(Q, Q)
    squared = xsub(xsub(cross, mpmath.ldexp(sp, -1)), mpmath.ldexp(sq, -1))
    return squared, cross, sp, sq


def grads(X, Y):
    """Gradient of squared(X, Y) (= squared(Y, X)) w.r.t. X's weights, means, stds."""
    gw, gm, gs = [], [], []
    n, k = len(X), len(Y)
    for i in range(n):
        tw, tm, ts = [], [], []
        for other, sign in ((Y, 1), (X, -1)):
            for j in range(len(other)):
                d = xsub(X.m[i], other.m[j])
                v = xadd(X.var[i], other.var[j])
                c = other.w[j] if sign > 0 else -other.w[j]
                for p in h_parts(d, v):
                    tw.append(xmul(c, p))
                for p in erf_dv_parts(d, v):
                    tm.append(xmul(c, p))
                for p in dexp_parts(X.s[i], d, v):
                    ts.append(xmul(c, p))
        gw.append(xsum(tw))
        gm.append(xmul(X.w[i], xsum(tm)))
        gs.append(xmul(X.w[i], xsum(ts)))
    return gw, gm, gs


# ----------------------------------------------------------------------------
# self-checks of the mathematics
# ----------------------------------------------------------------------------

def check_gradients_numerically():
    """Central differences at 80 digits against the analytic gradients."""
    step = mpf(10) ** -25

    def sq_of(params):
        (pw, pm, ps), (qw, qm, qs) = params
        return distance(Mix(pw, pm, ps), Mix(qw, qm, qs))[0]

    cases = [
        # smooth: all stds > 0
        (([0.3, 0.5, 0.2], [-1.25, 0.5, 2.0], [0.75, 1.5, 0.3]),
         ([0.6, 0.4], [0.25, -0.5], [1.25, 0.5])),
        # mixed zero / non-zero stds (no coincident point masses); at sigma = 0 the
        # function is even in sigma, so the central difference is exactly the
        # convention value 0
        (([0.25, 0.25, 0.5], [-1.0, 0.5, 1.75], [0.0, 0.8, 0.0]),
         ([0.5, 0.3, 0.2], [0.125, -2.0, 1.0], [0.0, 0.4, 1.1])),
    ]
    for (pp, qq) in cases:
        P, Q = Mix(*pp), Mix(*qq)
        ana = (grads(P, Q), grads(Q, P))
        base = [[[mpf(x) for x in arr] for arr in pp], [[mpf(x) for x in arr] for arr in qq]]
        for side in range(2):
            for a in range(3):
                for i in range(len(base[side][a])):
                    plus = [[list(arr) for arr in m] for m in base]
                    minus = [[list(arr) for arr in m] for m in base]
                    plus[side][a][i] += step
                    minus[side][a][i] -= step
                    num = (sq_of(plus) - sq_of(minus)) / (2 * step)
                    an = ana[side][a][i]
                    err = abs(num - an)
                    assert err <= mpf(10) ** -35 * (1 + abs(an)), (side, a, i, num, an)


def check_quadrature():
    """squared == integral (F - G)^2 dx for a smooth and a mixed case."""
    cases = [
        (([0.3, 0.5, 0.2], [-1.25, 0.5, 2.0], [0.75, 1.5, 0.3]),
         ([0.6, 0.4], [0.25, -0.5], [1.25, 0.5])),
        (([0.25, 0.25, 0.5], [-1.0, 0.5, 1.75], [0.0, 0.8, 0.0]),
         ([0.5, 0.3, 0.2], [0.125, -2.0, 1.0], [0.0, 0.4, 1.1])),
    ]
    for pp, qq in cases:
        sq = distance(Mix(*pp), Mix(*qq))[0]
        with mp.workdps(30):
            def cdf(mix, x):
                r = mpf(0)
                for w, m, s in zip(*mix):
                    if s == 0:
                        r += w if x >= m else 0
                    else:
                        r += w * mpmath.ncdf(x, m, s)
                return r
            pts = sorted(set(pp[1] + qq[1]))
            f = lambda x: (cdf(pp, x) - cdf(qq, x)) ** 2
            q = mpmath.quad(f, [-mpmath.inf] + pts + [mpmath.inf])
            assert abs(q - sq) < mpf(10) ** -20 * abs(sq), (q, sq)


def check_closed_forms():
    # N(0,1) vs delta_0: h(0,1) - h(0, sqrt 2)/2 = sqrt(2/pi) - 1/sqrt(pi)
    sq = distance(Mix([1.0], [0.0], [1.0]), Mix([1.0], [0.0], [0.0]))[0]
    assert abs(sq - (SQ2PI - 1 / mpmath.sqrt(mp.pi))) < mpf(10) ** -75
    # two point masses at distance 3: squared = 3
    sq = distance(Mix([1.0], [1.0], [0.0]), Mix([1.0], [-2.0], [0.0]))[0]
    assert sq == 3
    # erfc path vs erf path at higher precision
    for x in ['1.5', '7.25', '25.0', '60.0']:
        x = mpf(x)
        v = xsum(erf_parts(x))
        with mp.workdps(3000):
            ref = mpmath.erf(x)
            assert abs(v - ref) <= mpf(10) ** -78 * mpmath.erfc(x) + mpf(10) ** -2990
        hv = xsum(h_parts(x, mpf(0.5)))
        with mp.workdps(3000):
            s = mpmath.sqrt(mpf(0.5))
            ref = s * mpmath.sqrt(2 / mp.pi) * mpmath.exp(-x * x / (2 * mpf(0.5))) \
                + x * mpmath.erf(x / (s * mpmath.sqrt(2)))
            assert abs(hv - ref) <= mpf(10) ** -75 * (ref - x) + mpf(10) ** -2990


# ----------------------------------------------------------------------------
# input generation (only exact IEEE operations: +, *, /, sqrt, ldexp)
# ----------------------------------------------------------------------------

def loguniform(rng, lo, hi):
    """Roughly log-uniform double in [lo, hi]: uniform binary exponent, uniform mantissa."""
    elo = math.frexp(lo)[1] - 1
    ehi = math.frexp(hi)[1] - 1
    while True:
        x = math.ldexp(1.0 + rng.random(), rng.randint(elo, ehi))
        if lo <= x <= hi and x != 0.0:
            return x


def rsign(rng, x):
    return -x if rng.random() < 0.5 else x


def neighbours(x, n, conv=lambda t: t):
    """x and n representable neighbours on each side (in the given precision)."""
    out = [x]
    up = dn = x
    for _ in range(n):
        if conv is f32:
            up = f32_next(up, 1)
            dn = f32_next(dn, -1)
        else:
            up = math.nextafter(up, math.inf)
            dn = math.nextafter(dn, -math.inf)
        out += [up, dn]
    return out


def f32_next(x, direction):
    b = struct.unpack('<I', struct.pack('<f', x))[0]
    if x == 0.0:
        b = 1 if direction > 0 else 0x80000001
    elif (x > 0) == (direction > 0):
        b += 1
    else:
        b -= 1
    return struct.unpack('<f', struct.pack('<I', b))[0]


# ----------------------------------------------------------------------------
# element-wise files
# ----------------------------------------------------------------------------

def erf_row(x):
    v = xsum(erf_parts(mpf(x)))
    hi, lo = dd(v)
    if x == 0.0:
        hi = x  # erf(+-0) = +-0
    return [x, hi, lo]


def expnegsq_row(x):
    return [x] + dd(xsum(expnegsq_parts(mpf(x))))


def h_row(d, v):
    return [d, v] + dd(xsum(h_parts(mpf(d), mpf(v))))


def elementwise64(rng):
    E = []
    specials = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308,
                1e-300, -1e-300, 1e-20, -1e-20, 1e-8, -1e-8, 1.0, -1.0, 6.0, -6.0,
                1.7976931348623157e308, -1.7976931348623157e308]
    E += specials
    # branch points of common erf implementations (fdlibm 0.84375, 1.25, 1/0.35, 6; ~5.92 erf -> 1)
    for b in [2.0 ** -28, 0.5, 0.84375, 1.25, 1 / 0.35, 3.0, 4.0, 5.0, 5.921875, 6.0]:
        for t in neighbours(b, 2):
            E += [t, -t]
    E += [rng.uniform(0.0, 6.0) for _ in range(1000)]
    E += [rng.uniform(-6.0, 0.0) for _ in range(500)]
    E += [rsign(rng, rng.uniform(0.0, 0.1)) for _ in range(600)]
    E += [rsign(rng, rng.uniform(0.9, 1.1)) for _ in range(300)]
    E += [rsign(rng, rng.uniform(5.9, 6.0)) for _ in range(300)]
    E += [rsign(rng, loguniform(rng, 1e-310, 1e300)) for _ in range(1000)]
    E += [rsign(rng, loguniform(rng, 1e-8, 6.0)) for _ in range(4000 - len(E))]

    X = [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e-20, 1e-8, 1.0]
    X += [rng.uniform(0.0, 27.3) for _ in range(2400)]
    X += [rng.uniform(26.5, 27.3) for _ in range(800)]
    X += [rng.uniform(0.0, 1.0) for _ in range(300)]
    X += [loguniform(rng, 1e-310, 1.0) for _ in range(200)]
    X += [rng.uniform(27.3, 28.0) for _ in range(40)]
    X += [-rng.uniform(0.0, 27.3) for _ in range(40)]
    # exp(-x^2) underflow boundaries: smallest normal result near 26.6, zero beyond ~27.2977
    for b in [26.0, 26.5, 26.6, 27.0, 27.29, 27.3]:
        X += neighbours(b, 1)
    X += [29.0, 30.0, 38.6, 100.0, 1e3, 1e10, 1e150, 1e300, 1.7976931348623157e308]
    X += [rng.uniform(0.0, 27.3) for _ in range(4000 - len(X))]

    H = [(0.0, 0.0), (-0.0, 0.0), (0.0, 1.0), (-0.0, 1.0), (1.0, 0.0), (-1.0, 0.0),
         (1.0, 1.0), (-1.0, 1.0), (5e-324, 0.0), (0.0, 5e-324)]
    for _ in range(2500):
        d = rsign(rng, loguniform(rng, 1e-150, 1e150))
        v = 0.0 if rng.random() < 0.1 else loguniform(rng, 1e-300, 1e300)
        H.append((d, v))
    sqrt2 = math.sqrt(2.0)
    for _ in range(3000):
        s = loguniform(rng, 1e-100, 1e100)
        z = rng.uniform(0.0, 30.0)
        H.append((rsign(rng, z * s * sqrt2), s * s))
    for _ in range(200):
        H.append((rsign(rng, 0.0), loguniform(rng, 1e-300, 1e300)))
    for _ in range(200):
        H.append((rsign(rng, loguniform(rng, 1e-150, 1e150)), 0.0))
    while len(H) < 6000:
        H.append((rng.uniform(-10.0, 10.0), rng.uniform(0.0, 10.0)))

    return {"erf": [erf_row(x) for x in E],
            "expnegsq": [expnegsq_row(x) for x in X],
            "h": [h_row(d, v) for d, v in H]}


def elementwise32(rng):
    MINSUB32 = 1.401298464324817e-45
    MINNORM32 = 1.1754943508222875e-38
    MAX32 = 3.4028234663852886e38
    E = [0.0, -0.0, MINSUB32, -MINSUB32, MINNORM32, -MINNORM32, f32(1e-20), f32(-1e-20),
         f32(1e-8), f32(-1e-8), 1.0, -1.0, 4.0, -4.0, 10.0, -10.0, 20.0, -20.0,
         f32(1e10), f32(-1e10), MAX32, -MAX32]
    for b in [2.0 ** -14, 0.5, 0.84375, 1.25, f32(1 / 0.35), 2.0, 3.0, 3.9, 3.92, 4.0, 6.0]:
        for t in neighbours(f32(b), 2, f32):
            E += [t, -t]
    E += [f32(rng.uniform(0.0, 4.0)) for _ in range(2000)]
    E += [f32(rng.uniform(-4.0, 0.0)) for _ in range(500)]
    E += [f32(rng.uniform(-10.0, 10.0)) for _ in range(800)]
    E += [f32(rsign(rng, loguniform(rng, 1e-45, 1.0))) for _ in range(400)]
    E += [f32(rsign(rng, rng.uniform(3.8, 4.0))) for _ in range(4000 - len(E))]

    X = [0.0, -0.0, MINSUB32, MINNORM32, f32(1e-20), f32(1e-8), 1.0]
    X += [f32(rng.uniform(0.0, 10.5)) for _ in range(2400)]
    X += [f32(rng.uniform(9.3, 10.3)) for _ in range(800)]
    X += [f32(rng.uniform(0.0, 1.0)) for _ in range(300)]
    X += [f32(loguniform(rng, 1e-45, 1.0)) for _ in range(200)]
    X += [f32(rng.uniform(10.5, 11.0)) for _ in range(40)]
    X += [f32(-rng.uniform(0.0, 10.5)) for _ in range(40)]
    # float32 exp(-x^2) boundaries: subnormal below x ~ 9.34, zero beyond ~10.2
    for b in [9.0, 9.3, 9.34, 9.4, 10.0, 10.1, 10.2, 10.3]:
        X += neighbours(f32(b), 1, f32)
    X += [11.0, 12.0, 20.0, 27.0, 100.0, f32(1e10), MAX32]
    X += [f32(rng.uniform(0.0, 10.5)) for _ in range(4000 - len(X))]

    H = [(0.0, 0.0), (-0.0, 0.0), (0.0, 1.0), (-0.0, 1.0), (1.0, 0.0), (-1.0, 0.0),
         (1.0, 1.0), (-1.0, 1.0), (MINSUB32, 0.0), (0.0, MINSUB32)]
    for _ in range(2500):
        d = f32(rsign(rng, loguniform(rng, 1e-15, 1e15)))
        v = 0.0 if rng.random() < 0.1 else f32(loguniform(rng, 1e-30, 1e30))
        H.append((d, v))
    sqrt2 = math.sqrt(2.0)
    for _ in range(3000):
        s = loguniform(rng, 1e-15, 1e15)
        z = rng.uniform(0.0, 12.0)
        H.append((f32(rsign(rng, z * s * sqrt2)), f32(s * s)))
    for _ in range(200):
        H.append((rsign(rng, 0.0), f32(loguniform(rng, 1e-30, 1e30))))
    for _ in range(200):
        H.append((f32(rsign(rng, loguniform(rng, 1e-15, 1e15))), 0.0))
    while len(H) < 6000:
        H.append((f32(rng.uniform(-10.0, 10.0)), f32(rng.uniform(0.0, 10.0))))

    for x in E + X + [t for p in H for t in p]:
        assert f32(x) == x and not math.isinf(x), x
    return {"erf": [erf_row(x) for x in E],
            "expnegsq": [expnegsq_row(x) for x in X],
            "h": [h_row(d, v) for d, v in H]}


def write_elementwise(path, data):
    with open(path, "w") as f:
        f.write("{\n")
        keys = ["erf", "expnegsq", "h"]
        for ki, k in enumerate(keys):
            f.write('"%s":[\n' % k)
            rows = data[k]
            for ri, r in enumerate(rows):
                for t in r:
                    assert isinstance(t, float) and math.isfinite(t)
                f.write(json.dumps(r, separators=(",", ":"), allow_nan=False))
                f.write(",\n" if ri + 1 < len(rows) else "\n")
            f.write("]" + (",\n" if ki + 1 < len(keys) else "\n"))
        f.write("}\n")


# ----------------------------------------------------------------------------
# distances
# ----------------------------------------------------------------------------

def norm_weights(raw):
    s = sum(raw)
    w = [x / s for x in raw]
    w[-1] = 1.0 - sum(w[:-1])
    assert w[-1] > 0
    assert abs(sum(w) - 1.0) <= 1e-15 and abs(math.fsum(w) - 1.0) <= 1e-15, w
    return w


def rand_weights(rng, n):
    return norm_weights([0.05 + rng.random() for _ in range(n)])


def equal_weights(n):
    return norm_weights([1.0] * n)


def mixture(w, m, s):
    assert len(w) == len(m) == len(s)
    for x in list(w) + list(m) + list(s):
        assert isinstance(x, float) and math.isfinite(x)
    assert all(x >= 0 for x in s) and all(x > 0 for x in w)
    return {"weights": list(w), "means": list(m), "stds": list(s)}


def rand_gmm(rng, n, mlo=-5.0, mhi=5.0, slo=0.1, shi=3.0, mscale=1.0, sscale=1.0):
    return mixture(rand_weights(rng, n),
                   [rng.uniform(mlo, mhi) * mscale for _ in range(n)],
                   [rng.uniform(slo, shi) * sscale for _ in range(n)])


def rand_dirac(rng, n, equal=True, lo=-5.0, hi=5.0):
    w = equal_weights(n) if equal else rand_weights(rng, n)
    return mixture(w, [rng.uniform(lo, hi) for _ in range(n)], [0.0] * n)


def rand_mixed(rng, n, pzero=0.5):
    w = rand_weights(rng, n)
    m = [rng.uniform(-5.0, 5.0) for _ in range(n)]
    s = [0.0 if rng.random() < pzero else rng.uniform(0.1, 3.0) for _ in range(n)]
    if n > 1 and all(x == 0 for x in s):
        s[0] = rng.uniform(0.1, 3.0)
    if n > 1 and all(x > 0 for x in s):
        s[-1] = 0.0
    return mixture(w, m, s)


def copy_mix(p):
    return {k: list(v) for k, v in p.items()}


def distance_cases(rng):
    C = []

    def add(name, p, q):
        C.append((name, p, q))

    # random GMMs
    sizes = [(1, 1), (2, 2), (3, 3), (5, 5), (8, 8), (17, 17),
             (1, 2), (2, 1), (1, 17), (17, 1), (2, 3), (3, 5), (5, 8), (8, 17),
             (17, 3), (3, 8), (5, 17), (2, 8), (1, 5), (8, 1)]
    for k, m in sizes:
        add("gmm_%dx%d" % (k, m), rand_gmm(rng, k), rand_gmm(rng, m))
    # overlapping means, very different widths
    add("gmm_narrow_vs_wide_3x3", rand_gmm(rng, 3, -0.5, 0.5, 1e-3, 1e-2),
        rand_gmm(rng, 3, -0.5, 0.5, 10.0, 100.0))

    # pure point masses (sample sets)
    for k, m in [(1, 1), (2, 3), (5, 5), (8, 17), (17, 17)]:
        add("dirac_equal_%dx%d" % (k, m), rand_dirac(rng, k), rand_dirac(rng, m))
    for k, m in [(1, 2), (3, 5), (8, 8), (17, 5)]:
        add("dirac_unequal_%dx%d" % (k, m), rand_dirac(rng, k, False), rand_dirac(rng, m, False))
    # samples on a grid: many exact ties between P and Q points (d == 0, s == 0)
    add("dirac_grid_ties_8x8",
        mixture(equal_weights(8), [float(rng.randint(-3, 3)) for _ in range(8)], [0.0] * 8),
        mixture(equal_weights(8), [float(rng.randint(-3, 3)) for _ in range(8)], [0.0] * 8))

    # mixed zero / non-zero stds
    for k, m in [(1, 1), (2, 3), (5, 5), (8, 17), (17, 8)]:
        add("mixed_%dx%d" % (k, m), rand_mixed(rng, k), rand_mixed(rng, m))
    # mixture density network loss: GMM vs a single observation
    for k in [1, 3, 5, 17]:
        add("mdn_gmm%d_vs_point" % k, rand_gmm(rng, k), rand_dirac(rng, 1))
    add("gmm5_vs_samples17", rand_gmm(rng, 5), rand_dirac(rng, 17))
    add("samples8_vs_gmm3", rand_dirac(rng, 8), rand_gmm(rng, 3))
    add("gaussian_vs_point_1x1", mixture([1.0], [0.0], [1.0]), mixture([1.0], [0.0], [0.0]))
    add("point_vs_gaussian_1x1", mixture([1.0], [2.5], [0.0]), mixture([1.0], [-0.75], [1.5]))
    add("same_mean_diff_std_1x1", mixture([1.0], [0.5], [0.25]), mixture([1.0], [0.5], [2.0]))

    # identical P and Q: squared is exactly 0
    p = rand_gmm(rng, 3)
    add("identical_gmm_3", p, copy_mix(p))
    p = rand_gmm(rng, 17)
    add("identical_gmm_17", p, copy_mix(p))
    p = rand_dirac(rng, 5)
    add("identical_dirac_5", p, copy_mix(p))
    p = rand_mixed(rng, 8)
    add("identical_mixed_8", p, copy_mix(p))
    add("identical_point_1x1", mixture([1.0], [0.25], [0.0]), mixture([1.0], [0.25], [0.0]))

    # near-identical
    def moved(p, idx, f):
        q = copy_mix(p)
        q["means"][idx] = f(q["means"][idx])
        assert q["means"][idx] != p["means"][idx]
        return q

    for name, p in [("gmm_5", rand_gmm(rng, 5)), ("dirac_5", rand_dirac(rng, 5)),
                    ("mixed_5", rand_mixed(rng, 5)), ("gmm_1x1", rand_gmm(rng, 1))]:
        add("near_abs1e-6_" + name, p, moved(p, 0, lambda x: x + 1e-6))
        add("near_rel1e-9_" + name, p, moved(p, len(p["means"]) - 1, lambda x: x * (1 + 1e-9)))
    p = rand_gmm(rng, 3)
    q = copy_mix(p)
    q["stds"][1] = q["stds"][1] * (1 + 1e-9)
    add("near_std_rel1e-9_gmm_3", p, q)

    # far apart: means ~1e100 apart, stds ~1
    for k, m in [(1, 1), (3, 2), (5, 5)]:
        add("far_1e100_%dx%d" % (k, m), rand_gmm(rng, k, -3.0, 3.0, 0.5, 2.0),
            rand_gmm(rng, m, 1.0, 1.001, 0.5, 2.0, mscale=1e100))
    add("far_1e100_mixed_3x3", rand_mixed(rng, 3),
        mixture(rand_weights(rng, 3), [-1e100 * rng.uniform(1.0, 2.0) for _ in range(3)],
                [0.0, 1.0, rng.uniform(0.5, 2.0)]))

    # tiny scale ~1e-150
    for k, m in [(1, 1), (3, 5), (8, 8)]:
        add("tiny_1e-150_%dx%d" % (k, m), rand_gmm(rng, k, mscale=1e-150, sscale=1e-150),
            rand_gmm(rng, m, mscale=1e-150, sscale=1e-150))
    p = rand_mixed(rng, 5)
    q = rand_mixed(rng, 4)
    for r in (p, q):
        r["means"] = [x * 1e-150 for x in r["means"]]
        r["stds"] = [x * 1e-150 for x in r["stds"]]
    add("tiny_1e-150_mixed_5x4", p, q)

    # huge scale ~1e150
    for k, m in [(1, 1), (3, 5), (8, 8)]:
        add("huge_1e150_%dx%d" % (k, m), rand_gmm(rng, k, mscale=1e150, sscale=1e150),
            rand_gmm(rng, m, mscale=1e150, sscale=1e150))
    p = rand_dirac(rng, 5)
    p["means"] = [x * 1e150 for x in p["means"]]
    add("huge_1e150_dirac_vs_gmm_5x3", p, rand_gmm(rng, 3, mscale=1e150, sscale=1e150))

    # separations up to 1e150 with stds ~1e-150
    def sep_mix(n):
        return mixture(rand_weights(rng, n),
                       [rsign(rng, loguniform(rng, 1e-150, 1e150)) for _ in range(n)],
                       [rng.uniform(0.1, 3.0) * 1e-150 for _ in range(n)])
    add("sep_1e150_std_1e-150_1x1", mixture([1.0], [0.0], [1e-150]),
        mixture([1.0], [1e150], [1e-150]))
    for k, m in [(3, 3), (5, 8), (17, 17)]:
        add("sep_1e150_std_1e-150_%dx%d" % (k, m), sep_mix(k), sep_mix(m))
    add("sep_cluster_1e-150_vs_1e150_4x4",
        rand_gmm(rng, 4, mscale=1e-150, sscale=1e-150),
        rand_gmm(rng, 4, 1.0, 2.0, mscale=1e150, sscale=1e-150))

    # coincident points
    add("coincident_dirac_3x3",
        mixture(norm_weights([0.25, 0.25, 0.5]), [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
        mixture(norm_weights([0.5, 0.25, 0.25]), [0.0, 1.0, 1.0], [0.0, 0.0, 0.0]))
    add("coincident_mixed_4x3",
        mixture(norm_weights([0.1, 0.2, 0.3, 0.4]), [0.5, 0.5, 0.5, -1.0], [0.0, 0.0, 1.0, 0.0]),
        mixture(norm_weights([0.3, 0.3, 0.4]), [0.5, -1.0, -1.0], [0.0, 0.0, 2.0]))
    add("coincident_all_same_point_5x1",
        mixture(equal_weights(5), [1.5] * 5, [0.0] * 5), mixture([1.0], [1.5], [0.0]))
    add("coincident_gaussians_same_mean_3x2",
        mixture(norm_weights([0.2, 0.3, 0.5]), [0.0, 0.0, 0.0], [0.5, 1.0, 0.5]),
        mixture(norm_weights([0.5, 0.5]), [0.0, 0.0], [0.0, 1.0]))

    names = [c[0] for c in C]
    assert len(set(names)) == len(names)
    return C


def distance_record(name, p, q):
    P = Mix(p["weights"], p["means"], p["stds"])
    Q = Mix(q["weights"], q["means"], q["stds"])
    squared, cross, sp, sq = distance(P, Q)
    assert squared >= 0, name
    if name.startswith("identical"):
        assert squared == 0, name
    gp = grads(P, Q)
    gq = grads(Q, P)
    # sanity: the mean-gradient bound |dsq/dmu_i| <= 2 a_i
    for g, M in ((gp, P), (gq, Q)):
        for i in range(len(M)):
            assert abs(g[1][i]) <= 2 * M.w[i], name

    def gd(g):
        return {"weights": [to_double(x) for x in g[0]],
                "means": [to_double(x) for x in g[1]],
                "stds": [to_double(x) for x in g[2]]}
    return {"name": name, "p": p, "q": q,
            "squared": dd(squared), "cross": dd(cross), "self_p": dd(sp), "self_q": dd(sq),
            "grad_p": gd(gp), "grad_q": gd(gq)}


def write_distances(path, recs):
    with open(path, "w") as f:
        f.write("[\n")
        for i, r in enumerate(recs):
            f.write(json.dumps(r, separators=(",", ":"), allow_nan=False))
            f.write(",\n" if i + 1 < len(recs) else "\n")
        f.write("]\n")


def main():
    t0 = time.time()
    check_closed_forms()
    check_gradients_numerically()
    check_quadrature()
    t1 = time.time()
    print("self-checks passed (%.1fs)" % (t1 - t0), file=sys.stderr)

    write_elementwise(os.path.join(OUTDIR, "elementwise64.json"),
                      elementwise64(random.Random(20240601)))
    write_elementwise(os.path.join(OUTDIR, "elementwise32.json"),
                      elementwise32(random.Random(20240602)))
    t2 = time.time()
    print("element-wise files written (%.1fs)" % (t2 - t1), file=sys.stderr)

    rng = random.Random(20240603)
    recs = [distance_record(*c) for c in distance_cases(rng)]
    write_distances(os.path.join(OUTDIR, "distances.json"), recs)
    print("distances.json: %d cases (%.1fs)" % (len(recs), time.time() - t2), file=sys.stderr)


if __name__ == "__main__":
    main()
