#!/usr/bin/env python3
"""Batch workloads against the 1024×1024 cross kernel and the libmvec C loop.

Builds the bench test binary twice (default tags, and -tags libmvec, which
needs cgo and glibc's libmvec), then runs ROUNDS rounds; each round runs, for
float64 and float32, BenchmarkBatchLanes (impl=avx2: the cross kernel, the
batch shapes, value and value + gradients) and BenchmarkBatch/impl=libmvec
(value). Prints a Markdown table of median Mpair/s and the median of each
round's ratio (range in parentheses), so that a slow or fast round moves
both sides of a ratio together.

    python3 bench/batch_ratios.py [ROUNDS]      # from the repository root; default 10

Wall-clock time per benchmark (-test.benchtime 0.3s); run it on an otherwise
idle machine (as root it runs the binaries under nice -n -20).
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile

SHAPES = ["batch-4096x1", "batch-4096x4", "batch-4096x8", "batch-4096x16", "mdn-65536x5"]
PRECS = ["float64", "float32"]


def run(binary, pattern):
    cmd = [binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", "0.3s"]
    if os.geteuid() == 0:
        cmd = ["nice", "-n", "-20"] + cmd
    out = subprocess.run(cmd, cwd="bench", capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"Benchmark\S*?(?:shape|workload)=(\S+?)(?:-\d+)?\s.*?([\d.]+) Mpair/s", line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    tmp = tempfile.mkdtemp()
    simd, mvec = os.path.join(tmp, "bench.test"), os.path.join(tmp, "mvec.test")
    subprocess.run(["go", "test", "-c", "-o", simd, "./bench"], check=True)
    subprocess.run(["go", "test", "-tags", "libmvec", "-c", "-o", mvec, "./bench"], check=True)
    speed, ratio = {}, {}
    for r in range(rounds):
        for prec in PRECS:
            a = run(simd, f"BatchLanes/impl=avx2/prec={prec}/shape=(cross-1024x1024|batch-4096x[0-9]+|mdn-65536x5)(-grad)?$")
            c = run(mvec, f"Batch$/impl=libmvec/prec={prec}/workload=")
            for k, v in a.items():
                speed.setdefault((prec, k), []).append(v)
            for s in SHAPES:
                speed.setdefault((prec, "libmvec-" + s), []).append(c[s])
                ratio.setdefault((prec, s, "libmvec"), []).append(a[s] / c[s])
                for g in ("", "-grad"):
                    ratio.setdefault((prec, s + g, "cross"), []).append(a[s + g] / a["cross-1024x1024" + g])
        print(f"round {r + 1} of {rounds}", file=sys.stderr)

    med = statistics.median

    def rr(x):
        return f"{med(x):.2f} ({min(x):.2f}–{max(x):.2f})"

    print("| prec | shape | value Mpair/s | / cross | / libmvec (libmvec Mpair/s) | grad Mpair/s | / cross grad |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for prec in PRECS:
        p = prec.replace("float", "f")
        print(f"| {p} | cross-1024x1024 | {med(speed[(prec, 'cross-1024x1024')]):.0f} | 1 | | "
              f"{med(speed[(prec, 'cross-1024x1024-grad')]):.0f} | 1 |")
        for s in SHAPES:
            print(f"| {p} | {s} | {med(speed[(prec, s)]):.0f} | {rr(ratio[(prec, s, 'cross')])} | "
                  f"{rr(ratio[(prec, s, 'libmvec')])} ({med(speed[(prec, 'libmvec-' + s)]):.0f}) | "
                  f"{med(speed[(prec, s + '-grad')]):.0f} | {rr(ratio[(prec, s + '-grad', 'cross')])} |")


if __name__ == "__main__":
    main()
