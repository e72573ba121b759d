package cramer

import "github.com/gmmkit/cramer/kernels"

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
