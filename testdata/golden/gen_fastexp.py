#!/usr/bin/env python3
"""Generate the mpmath reference for the Exp64 kernel (the exponential of the
float32 mixture-density losses, relative error below 4e-9 on [-104, 700]).

Run from the repository root:

    python3 testdata/golden/gen_fastexp.py

Writes fastexp64.json next to this script: {"exp": [[x, hi, lo], ...]}, x an
exact binary double written with repr() (round-trips exactly), hi + lo the
double-double of exp(x) computed with mpmath at mp.dps = 50 (hi the nearest
double to exp(x), lo the nearest double to exp(x) - hi; every value here is a
normal double, so mpmath's float() rounds correctly). The inputs: the ends of
the range and their neighbours, points on and next to the reduction's
boundaries (odd multiples of ln2/256) and the table rows (multiples of
ln2/128) across the range, and random arguments (fixed seed): deterministic,
byte-identical on every run.
"""

import json
import math
import os
import random

import mpmath
from mpmath import mp, mpf

mp.dps = 50

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fastexp64.json")
LO, HI = -104.0, 700.0


def dd(v):
    hi = float(v)
    lo = float(v - mpf(hi))
    return hi, (lo if lo != 0 else 0.0)


def main():
    rng = random.Random(20261202)
    xs = [LO, math.nextafter(LO, 0), HI, math.nextafter(HI, 0), 0.0, -0.0, 5e-324, -5e-324,
          2.2250738585072014e-308, 1e-300, -1e-20, 1e-8, 0.5, -0.5, 1.0, -1.0, 2.0, 10.0, -10.0]
    step = math.log(2) / 256
    for k in range(int(LO / step), int(HI / step) + 1, 397):
        x = k * step
        if LO <= x <= HI:
            xs += [x, math.nextafter(x, -math.inf), math.nextafter(x, math.inf)]
    for _ in range(1000):
        xs.append(rng.uniform(LO, HI))
        xs.append(rng.uniform(-20, 20))
    xs = [x for x in xs if LO <= x <= HI]
    rows = []
    for x in xs:
        hi, lo = dd(mpmath.exp(mpf(x)))
        rows.append([x, hi, lo])
    with open(OUT, "w") as f:
        f.write('{"exp": [\n')
        f.write(",\n".join("[%r, %r, %r]" % tuple(r) for r in rows))
        f.write("\n]}\n")
    print("wrote %d cases to %s" % (len(rows), OUT))


if __name__ == "__main__":
    main()
