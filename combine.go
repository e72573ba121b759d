package cramer

import "github.com/gmmkit/cramer/kernels"

// batchGaussian calls BatchGaussianGrad (grad) or BatchGaussianValues of
// the precision F (see purego.BatchGaussianGrad64) on the sides p and q
// (weights, means, stds) with the derivatives gp, gq.
func batchGaussian[F Float](im *kernels.Impl, grad bool, out []F, under []int, gp, gq, p, q [3][]F, n int, lim *kernels.FrontLimits) (sp, sq kernels.FrontScan) {
	if is64[F]() {
		g := func(s [3][]F) kernels.Gaussians64 {
			return kernels.Gaussians64{W: as64(s[0]), M: as64(s[1]), S: as64(s[2])}
		}
		if grad {
			return im.BatchGaussianGrad64(as64(out), under, g(gp), g(gq), g(p), g(q), n, lim)
		}
		return im.BatchGaussianValues64(as64(out), under, g(p), g(q), n, lim)
	}
	g := func(s [3][]F) kernels.Gaussians32 {
		return kernels.Gaussians32{W: as32(s[0]), M: as32(s[1]), S: as32(s[2])}
	}
	if grad {
		return im.BatchGaussianGrad32(as32(out), under, g(gp), g(gq), g(p), g(q), n, lim)
	}
	return im.BatchGaussianValues32(as32(out), under, g(p), g(q), n, lim)
}

// batchPairValues and batchSideGrad call the batch combination kernels of
// the precision F (see purego.BatchPairValues64, purego.BatchSideGrad64).

func batchPairValues[F Float](im *kernels.Impl, out []F, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []F, n int) {
	if is64[F]() {
		im.BatchPairValues64(as64(out), under, vals, cross, as64(wa), as64(cr), as64(sa), as64(sp), as64(wb), as64(sb), as64(sq), n)
	} else {
		im.BatchPairValues32(as32(out), under, vals, cross, as32(wa), as32(cr), as32(sa), as32(sp), as32(wb), as32(sb), as32(sq), n)
	}
}

func batchSideGrad[F Float](im *kernels.Impl, gw, gm, gs, w, s []F, cross, rows, cols gradSums[F], sign, n int) {
	if is64[F]() {
		im.BatchSideGrad64(as64(gw), as64(gm), as64(gs), as64(w), as64(s), cross.k64(), rows.k64(), cols.k64(), sign, n)
	} else {
		im.BatchSideGrad32(as32(gw), as32(gm), as32(gs), as32(w), as32(s), cross.k32(), rows.k32(), cols.k32(), sign, n)
	}
}
