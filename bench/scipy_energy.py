#!/usr/bin/python3
"""Compare cramer's SquaredSamples with scipy.stats.energy_distance on the
same data, in one run.

Generates two sample sets of N points each (N(0, 1) and N(0.5, 1.5^2), numpy
seed 20261201), writes them to a raw little-endian float64 file (x then y),
times scipy.stats.energy_distance(x, y) (the median of --repeat calls, CPU and
wall time), then runs

    go test -run '^$' -bench 'BenchmarkSamples$' -count C ./bench

with CRAMER_SAMPLES_FILE pointing at that file, so that the Go benchmark reads
the same points, and prints the medians and ratios. SciPy's energy distance is
sqrt(2 * l2sq); the script checks that both report the same distance.

Run from the repository root with Debian's Python (python3-scipy):

    /usr/bin/python3 bench/scipy_energy.py            # N = 10^6, 5 rounds
    /usr/bin/python3 bench/scipy_energy.py --n 100000 --repeat 9 --count 9
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import scipy
    import scipy.stats
except ImportError as err:
    sys.exit(f"{err}: this script needs Debian's python3-scipy (apt-get install -y python3-scipy)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="points per set")
    ap.add_argument("--repeat", type=int, default=5, help="timed SciPy calls")
    ap.add_argument("--count", type=int, default=5, help="go test -count")
    args = ap.parse_args()

    rng = np.random.default_rng(20261201)
    x = rng.standard_normal(args.n)
    y = 0.5 + 1.5 * rng.standard_normal(args.n)

    fd, path = tempfile.mkstemp(suffix=".f64")
    os.close(fd)
    try:
        np.concatenate([x, y]).astype("<f8").tofile(path)

        wall, cpu = [], []
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            e = scipy.stats.energy_distance(x, y)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        scipy_wall, scipy_cpu = statistics.median(wall), statistics.median(cpu)
        print(f"scipy {scipy.__version__} numpy {np.__version__}: energy_distance = {e:.17g}")
        print(f"scipy: median wall {scipy_wall * 1e3:.1f} ms, median CPU {scipy_cpu * 1e3:.1f} ms over {args.repeat} calls")

        env = dict(os.environ, CRAMER_SAMPLES_FILE=path, GOMAXPROCS="1")
        cmd = ["go", "test", "-run", "^$", "-bench", "BenchmarkSamples$", "-count", str(args.count), "./bench"]
        print("$ CRAMER_SAMPLES_FILE=" + path + " GOMAXPROCS=1 " + " ".join(cmd), flush=True)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(res.stdout + res.stderr)
        out = res.stdout
    finally:
        os.unlink(path)

    rows = {}
    for line in out.splitlines():
        m = re.match(r"BenchmarkSamples/impl=(\S+?)/call=(\w+)(?:-\d+)?\s+\d+\s+(.*)", line)
        if not m:
            continue
        fields = m.group(3).split()
        metrics = {fields[i + 1]: float(fields[i]) for i in range(0, len(fields) - 1, 2)}
        rows.setdefault(f"{m.group(1)}/{m.group(2)}", []).append(metrics)
        if "energy-e15" in metrics and abs(metrics["energy-e15"] / 1e15 - e) > 1e-12 * e:
            sys.exit(f"energy distance differs: cramer {metrics['energy-e15'] / 1e15!r}, scipy {e!r}")
    if not rows:
        sys.exit("no benchmark output:\n" + out)
    sort = rows.get("slices.Sort/sort")
    print(f"{'call':24} {'wall ms':>9} {'CPU ms':>9} {'SciPy/this':>11} {'this/slices.Sort':>17}   (medians)")
    print(f"{'scipy energy_distance':24} {scipy_wall * 1e3:9.1f} {scipy_cpu * 1e3:9.1f}")
    for name, ms in rows.items():
        w = statistics.median(m["ns/op"] for m in ms) / 1e6
        c = statistics.median(m["cpu-ns/op"] for m in ms) / 1e6
        ratio = ""
        if sort:
            sw = statistics.median(m["ns/op"] for m in sort) / 1e6
            sc = statistics.median(m["cpu-ns/op"] for m in sort) / 1e6
            ratio = f"{w / sw:.2f} ({c / sc:.2f} CPU)"
        print(f"{name:24} {w:9.1f} {c:9.1f} {scipy_wall * 1e3 / w:5.1f} ({scipy_cpu * 1e3 / c:4.1f}) {ratio:>17}")


if __name__ == "__main__":
    main()
