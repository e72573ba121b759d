#!/usr/bin/python3
"""EM baseline for bench/fitcompare: scikit-learn's GaussianMixture.

Usage: /usr/bin/python3 em.py TRAIN.csv K COV SEED OUT.json

Fits K components with covariance_type COV (full, diag, spherical) to the
samples of TRAIN.csv (one row per sample, comma-separated coordinates), with
scikit-learn's defaults otherwise (k-means initialisation, n_init=1,
tol=1e-3, reg_covar=1e-6, max_iter=100), on one thread. Writes the mixture
in the JSON format `cramer dist` reads and prints one JSON line with the
fitting time (process CPU seconds and wall seconds), the iterations and
whether EM converged.

Needs Debian's python3-sklearn (apt-get install -y python3-sklearn).
"""
import json
import os
import sys

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402


def main():
    train, k, cov, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    x = np.loadtxt(train, delimiter=",", ndmin=2)
    gm = GaussianMixture(n_components=k, covariance_type=cov, random_state=seed)
    c0, w0 = time.process_time(), time.perf_counter()
    gm.fit(x)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    d = x.shape[1]
    if d == 1:
        if cov == "full":
            stds = np.sqrt(gm.covariances_.reshape(k))
        elif cov == "diag":
            stds = np.sqrt(gm.covariances_.reshape(k))
        else:
            stds = np.sqrt(gm.covariances_.reshape(k))
        model = {"weights": gm.weights_.tolist(), "means": gm.means_.reshape(k).tolist(), "stds": stds.tolist()}
    else:
        model = {"weights": gm.weights_.tolist(), "means": gm.means_.tolist()}
        if cov == "full":
            model["covs"] = gm.covariances_.tolist()
        elif cov == "diag":
            model["stds"] = np.sqrt(gm.covariances_).tolist()
        else:
            model["std"] = np.sqrt(gm.covariances_).tolist()
    # The weights as cramer wants them: summing to 1 within 1e-9.
    w = np.array(model["weights"])
    model["weights"] = (w / w.sum()).tolist()
    with open(out, "w") as f:
        json.dump(model, f)
    print(json.dumps({"cpu_s": cpu, "wall_s": wall, "iterations": int(gm.n_iter_), "converged": bool(gm.converged_)}))


if __name__ == "__main__":
    main()
