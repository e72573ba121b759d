#!/usr/bin/env python3
"""Golden values for the exact sliced pair term of isotropic components.

Run from the repository root:

    python3 testdata/golden/gen_sliced.py

Writes testdata/golden/sliced_exact.json (next to this script):

    {"kappa": [[D, kappa_D], ...],
     "h":     [[D, dist, s, H, dH/ddist, dH/ds], ...]}

where, for theta uniform on the unit sphere S^(D-1), z in R^D with |z| = dist
and an isotropic pair of components whose projected std is s in every direction,

    kappa_D = Gamma(D/2) / (sqrt(pi) Gamma((D+1)/2)) = E|theta_1|
    H       = E_theta h(theta.z, s) = s sqrt(2/pi) 1F1(-1/2; D/2; -x),  x = dist^2/(2 s^2)
    h(d, s) = s sqrt(2/pi) exp(-d^2/(2 s^2)) + d erf(d/(s sqrt 2)),  h(d, 0) = |d|

    dH/ddist = sqrt(2/pi) (dist/s)/D 1F1(1/2; D/2+1; -x)
    dH/ds    = sqrt(2/pi) 1F1(1/2; D/2; -x)
             = sqrt(2/pi) [1F1(-1/2; D/2; -x) - (x/b) 1F1(1/2; D/2+1; -x)]   (b = D/2)

with the limits H(dist, 0) = kappa_D dist, dH/ddist = kappa_D (0 at dist = 0),
dH/ds = 0 (sqrt(2/pi) at dist = 0), and H(0, s) = s sqrt(2/pi).

References: mpmath at mp.dps = 50 (hyp1f1 directly), written as the nearest
double (rounded exactly, subnormals included).  Inputs are exact doubles
written with repr().  The output is deterministic: fixed seeds, inputs built
only with mpmath (correctly rounded conversions), no libm.

Rows, for each D in DIMS (1, 2, 3, 4, 5, 8, 16, 32, 100, 1000, 10000), 272 each:
  * dist/s = 10^(k/8), k = -64..64 (1e-8 .. 1e8), s = m 10^e with e uniform in
    [-100, 100] (so scales 1e-100 .. 1e108);
  * 100 rows with x = dist^2/(2 s^2) log-spaced and random over
    [1e-3, 20 max(40, D/2)], and rows at x = 40, D/2, D/2 + 1 times
    0.9 .. 1.1 (the Go code switches between series at x = 40 and x = D/2);
  * dist = 0, s = 0, both 0, and extreme pairs such as (1e300, 1e-300).
kappa: D = 1..100 and selected D up to 2e9.

Before writing, the script checks itself and fails if any check fails:
  * every value again at mp.dps = 70, to 1e-45 relative (for D = 1, dH/ds =
    sqrt(2/pi) e^(-x) to (1 + x) 1e-45: x itself is good to 1e-50 only);
  * dH/ds by the 1F1 identity above (the difference form at raised precision);
  * both derivatives against mpmath.diff (numerical differentiation) on a subset;
  * D = 2 (average over angles), D = 3 (cos(theta) uniform on [-1, 1]) and
    D = 4, 5, 8 (the density of t = theta_1 proportional to (1-t^2)^((D-3)/2))
    by mpmath.quad on the sphere, for H and both derivatives, to 1e-30;
  * D = 1 against the closed form h, erf, exp;
  * kappa_D against the recurrence kappa_{D+2} = kappa_D D/(D+1) (exact rationals
    times 1/pi for even D) for D <= 200.
"""

import json
import math
import os
import random
import sys
from fractions import Fraction

import mpmath
from mpmath import mp, mpf

mp.dps = 50

OUTDIR = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(OUTDIR, "sliced_exact.json")

DIMS = [1, 2, 3, 4, 5, 8, 16, 32, 100, 1000, 10000]
KAPPA_DIMS = (list(range(1, 101)) + [127, 128, 129, 255, 256, 999, 1000, 1001,
              4095, 4096, 9999, 10000, 10001, 65536, 100000, 1000001,
              123456789, 2000000000])


def to_double(x):
    """Correctly rounded (nearest, ties to even) conversion of an mpf to a double."""
    x = mpf(x)
    sign, man, exp, bc = x._mpf_
    if man == 0:
        if x._mpf_ != mpmath.libmp.fzero:
            raise ValueError("non-finite value %r" % (x,))
        return 0.0
    if exp >= 0:
        f = float(man << exp)  # int -> float is correctly rounded
    elif bc + exp < -1100:
        f = 0.0
    else:
        f = man / (1 << -exp)  # int / int true division is correctly rounded in CPython
    if math.isinf(f):
        raise OverflowError("value overflows double: %r" % (x,))
    return -f if sign else f


def kappa(D):
    with mp.workdps(mp.dps + 20):
        a, b = mpf(D) / 2, mpf(D + 1) / 2
        if D < 1000:
            v = mpmath.gamma(a) / (mpmath.sqrt(mp.pi) * mpmath.gamma(b))
        else:
            v = mpmath.exp(mpmath.loggamma(a) - mpmath.loggamma(b)) / mpmath.sqrt(mp.pi)
    return +v


def kappa_rational(D):
    """kappa_D by the recurrence kappa_{D+2} = kappa_D D/(D+1): (q, even)."""
    q = Fraction(1) if D % 2 else Fraction(2)  # kappa_1 = 1, kappa_2 = 2/pi
    d = 1 if D % 2 else 2
    while d < D:
        q *= Fraction(d, d + 1)
        d += 2
    return q, D % 2 == 0


def ref(D, dist, s):
    """(H, dH/ddist, dH/ds) at the exact inputs, as mpf at the working precision."""
    r, sd = mpf(dist), mpf(s)
    c = mpmath.sqrt(2 / mp.pi)
    if r == 0:
        return sd * c, mpf(0), c
    if sd == 0:
        k = kappa(D)
        return k * r, k, mpf(0)
    b = mpf(D) / 2
    x = r * r / (2 * sd * sd)
    h = sd * c * mpmath.hyp1f1(-0.5, b, -x, maxterms=10**6)
    dd = c * (r / sd) / D * mpmath.hyp1f1(0.5, b + 1, -x, maxterms=10**6)
    ds = c * mpmath.hyp1f1(0.5, b, -x, maxterms=10**6)
    return h, dd, ds


def h1(d, s):
    d, s = mpf(d), mpf(s)
    if s == 0:
        return abs(d)
    z = d / (s * mpmath.sqrt(2))
    return s * mpmath.sqrt(2 / mp.pi) * mpmath.exp(-z * z) + d * mpmath.erf(z)


def sphere_ref(D, dist, s):
    """(H, dH/ddist, dH/ds) by quadrature over the sphere (D >= 2, s > 0)."""
    # quad's error control is absolute: integrate at unit std and scale H back.
    scale = mpf(s)
    h, dd, ds = sphere_unit(D, mpf(dist) / scale)
    return h * scale, dd, ds


def sphere_unit(D, r):
    sd = mpf(1)
    c = mpmath.sqrt(2 / mp.pi)

    def parts(t):  # h(rt, s), t erf(rt/(s sqrt 2)), sqrt(2/pi) exp(-(rt)^2/(2 s^2))
        z = r * t / (sd * mpmath.sqrt(2))
        e = c * mpmath.exp(-z * z)
        return sd * e + r * t * mpmath.erf(z), t * mpmath.erf(z), e

    w = sd / r  # width of the smooth region around t = 0
    if D == 2:  # t = cos(phi), phi uniform on [0, pi]
        pts = [mpf(0)]
        for k in (1, 4, 16):
            if k * w < 1:
                a = mpmath.acos(k * w)
                pts += [a, mp.pi - a]
        pts = sorted(set(pts + [mp.pi / 2, mp.pi]))
        return tuple(mpmath.quad(lambda p, i=i: parts(mpmath.cos(p))[i], pts) / mp.pi
                     for i in range(3))
    pts = [mpf(-1), mpf(0), mpf(1)]
    for k in (1, 4, 16):
        if k * w < 1:
            pts += [-k * w, k * w]
    pts = sorted(set(pts))
    if D == 3:  # t uniform on [-1, 1]
        return tuple(mpmath.quad(lambda t, i=i: parts(t)[i], pts) / 2 for i in range(3))
    norm = mpmath.beta(mpf(1) / 2, mpf(D - 1) / 2)
    e = mpf(D - 3) / 2
    return tuple(mpmath.quad(lambda t, i=i: parts(t)[i] * (1 - t * t) ** e, pts) / norm
                 for i in range(3))


def rel(a, b):
    if a == b:
        return mpf(0)
    return abs(a - b) / max(abs(a), abs(b))


def fail(msg):
    print("gen_sliced.py: CHECK FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def dbl(x):
    """An exact double from an mpf (nearest)."""
    return to_double(x)


def build_inputs(D):
    """Deterministic (dist, s) pairs for dimension D."""
    rng = random.Random(1000003 * D + 17)
    rows = []

    def scale():
        # s = m * 10^e with m in [1, 10), e in [-100, 100], rounded once by mpmath.
        e = rng.randint(-100, 100)
        m = 1 + 9 * rng.random()
        return dbl(mpf(m) * mpf(10) ** e)

    # dist/s log-spaced over 1e-8 .. 1e8, 8 per decade, random scale.
    for k in range(-64, 65):
        s = scale()
        rows.append((dbl(mpf(s) * mpf(10) ** (mpf(k) / 8)), s))
    # dense in x = dist^2/(2 s^2) over [1e-3, 20 max(40, D/2)], where the
    # evaluation switches between series: 60 log-spaced points and random ones.
    xmax = 20 * max(40, D / 2)
    for i in range(60):
        x = mpf(10) ** (-3 + (mpmath.log10(xmax) + 3) * mpf(i) / 59)
        s = scale()
        rows.append((dbl(mpf(s) * mpmath.sqrt(2 * x)), s))
    for i in range(40):
        x = mpf(10) ** (-3 + (mpmath.log10(xmax) + 3) * mpf(rng.random()))
        s = scale()
        rows.append((dbl(mpf(s) * mpmath.sqrt(2 * x)), s))
    # both sides of the switch points x = 40 and x = D/2 (and x = D/2 + 1).
    for xs in sorted({mpf(40), mpf(D) / 2, mpf(D) / 2 + 1}):
        for f in ("0.9", "0.999", "0.999999999", "1", "1.000000001", "1.001", "1.1"):
            s = scale()
            rows.append((dbl(mpf(s) * mpmath.sqrt(2 * xs * mpf(f))), s))
    # exact zeros, s = 0, unit scale, extreme scales.
    for s in (1.0, 1e-100, 3.5e100, 1e-300, 1e300, 5e-324):
        rows.append((0.0, s))
    for d in (1.0, 1e-100, 2.5e100, 1e-300, 1e300, 5e-324):
        rows.append((d, 0.0))
    rows.append((0.0, 0.0))
    rows += [(1e300, 1e-300), (1e-300, 1e300), (1e300, 1e300), (1e-300, 1e-300),
             (1.0, 1.0), (1.0, 1e-8), (1e-8, 1.0), (1.7e308, 1.0), (1.0, 1.7e308)]
    return rows


def main():
    # ---------------------------------------------------------------- kappa
    kap = []
    for D in KAPPA_DIMS:
        k = kappa(D)
        if D <= 200:
            q, even = kappa_rational(D)
            with mp.workdps(mp.dps + 20):
                kr = mpf(q.numerator) / q.denominator / (mp.pi if even else 1)
            if rel(k, kr) > mpf(10) ** -45:
                fail("kappa(%d) = %s, recurrence %s" % (D, k, kr))
        with mp.workdps(mp.dps + 20):  # the large-D limit sqrt(2/(pi D))
            if D > 1000 and rel(k, mpmath.sqrt(2 / (mp.pi * D))) > mpf(1) / D:
                fail("kappa(%d) = %s far from sqrt(2/(pi D))" % (D, k))
        kap.append([D, dbl(k)])
    if kap[0][1] != 1.0 or kap[2][1] != 0.5:
        fail("kappa_1 or kappa_3")

    # ---------------------------------------------------------------- rows
    rows = []
    nchk = {"identity": 0, "diff": 0, "sphere": 0}
    for D in DIMS:
        for idx, (dist, s) in enumerate(build_inputs(D)):
            h, dd, ds = ref(D, dist, s)
            # 1. the same at 70 digits
            with mp.workdps(70):
                h7, dd7, ds7 = ref(D, dist, s)
            for a, b, what in ((h, h7, "H"), (dd, dd7, "dH/ddist"), (ds, ds7, "dH/ds")):
                tol = mpf(10) ** -45
                if D == 1 and what == "dH/ds" and s != 0:
                    tol *= 1 + (mpf(dist) / mpf(s)) ** 2  # e^(-x): x is good to 1e-50 only
                if rel(a, b) > tol:
                    fail("D=%d dist=%r s=%r: %s at 50 and 70 digits: %s vs %s" % (D, dist, s, what, a, b))
            r, sd = mpf(dist), mpf(s)
            if r != 0 and sd != 0:
                x = r * r / (2 * sd * sd)
                # 2. dH/ds by the difference form (cancellation: raise the precision)
                if (D == 1 and x < 300) or (D > 1 and x < mpf(10) ** 40):
                    extra = int(x / 2.3) + 20 if D == 1 else int(mpmath.log10(x + 1)) + 20
                    with mp.workdps(mp.dps + extra):
                        b = mpf(D) / 2
                        alt = mpmath.sqrt(2 / mp.pi) * (mpmath.hyp1f1(-0.5, b, -x, maxterms=10**6)
                                                         - x / b * mpmath.hyp1f1(0.5, b + 1, -x))
                    if rel(ds, alt) > mpf(10) ** -40:
                        fail("D=%d dist=%r s=%r: dH/ds %s, difference form %s" % (D, dist, s, ds, alt))
                    nchk["identity"] += 1
                # 3. numerical derivatives on a subset of moderate rows
                if idx % 7 == 0 and mpf(10) ** -6 < x < mpf(10) ** 6:
                    with mp.workdps(90):  # central differences, relative step 1e-22
                        fr = lambda t: ref(D, t, s)[0]
                        fs = lambda t: ref(D, dist, t)[0]
                        nd = mpmath.diff(fr, r, h=r * mpf(10) ** -22)
                        ns = mpmath.diff(fs, sd, h=sd * mpf(10) ** -22)
                    # (a derivative whose share r dH/dr or s dH/ds of H is below
                    # 1e-40 is lost in H at 90 digits: skip it)
                    if (dd * r > h * mpf(10) ** -40 and rel(nd, dd) > mpf(10) ** -35) or \
                            (ds * sd > h * mpf(10) ** -40 and rel(ns, ds) > mpf(10) ** -35):
                        fail("D=%d dist=%r s=%r: derivatives %s %s, numerical %s %s" % (D, dist, s, dd, ds, nd, ns))
                    nchk["diff"] += 1
                # 4. quadrature over the sphere for a few low-dimensional rows
                if D in (2, 3, 4, 5, 8) and idx % 9 == 0 and mpf(10) ** -4 < x < mpf(10) ** 4:
                    q = sphere_ref(D, dist, s)
                    for a, b, what in zip((h, dd, ds), q, ("H", "dH/ddist", "dH/ds")):
                        if rel(a, b) > mpf(10) ** -30:
                            fail("D=%d dist=%r s=%r: %s = %s, sphere quadrature %s" % (D, dist, s, what, a, b))
                    nchk["sphere"] += 1
            # 5. D = 1 is the pair term itself
            if D == 1:
                c = mpmath.sqrt(2 / mp.pi)
                if sd == 0:
                    w = (r, mpf(1) if r else mpf(0), mpf(0) if r else c)
                else:
                    z = r / (sd * mpmath.sqrt(2))
                    w = (h1(r, sd), mpmath.erf(z), c * mpmath.exp(-z * z))
                # e^(-x) carries the relative error x 1e-50 of x itself
                tol = mpf(10) ** -45 * (1 + (r / sd) ** 2 if sd else 1)
                for a, b, what in zip((h, dd, ds), w, ("H", "dH/ddist", "dH/ds")):
                    if rel(a, b) > tol:
                        fail("D=1 dist=%r s=%r: %s = %s, closed form %s" % (dist, s, what, a, b))
            rows.append([D, dist, s, dbl(h), dbl(dd), dbl(ds)])

    with open(OUT, "w") as f:
        f.write('{"kappa": [\n')
        f.write(",\n".join("[%d, %r]" % (d, k) for d, k in kap))
        f.write('],\n"h": [\n')
        f.write(",\n".join("[%d, %r, %r, %r, %r, %r]" % tuple(r) for r in rows))
        f.write("]}\n")
    print("wrote %s: %d kappa values, %d rows; checked %d rows at 70 digits, %d by the difference form"
          " of dH/ds, %d by numerical derivatives, %d by quadrature over the sphere"
          % (OUT, len(kap), len(rows), len(rows), nchk["identity"], nchk["diff"], nchk["sphere"]))


if __name__ == "__main__":
    main()
