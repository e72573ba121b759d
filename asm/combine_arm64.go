//go:build gc && !purego

package asm

import "github.com/gmmkit/cramer/purego"

// The batch combination kernels have no NEON version yet: on arm64 their
// checked functions (checked.go) run the portable Go code of package purego,
// which is their definition, so the results are purego's bit for bit.

// batchPairValues64 is purego.BatchPairValues64 on arm64 (portable Go, no
// NEON version), called only by BatchPairValues64 with the lengths cut.
func batchPairValues64(out []float64, under []int, vals, cross, wa, cr, sa, sp, wb, sb, sq []float64, k, m, n int) {
	purego.BatchPairValues64(out, under, vals, cross, wa, cr, sa, sp, wb, sb, sq, n)
}

// batchPairValues32 is purego.BatchPairValues32 on arm64 (portable Go).
func batchPairValues32(out []float32, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []float32, k, m, n int) {
	purego.BatchPairValues32(out, under, vals, cross, wa, cr, sa, sp, wb, sb, sq, n)
}

// batchSideGrad64 is purego.BatchSideGrad64 on arm64 (portable Go).
func batchSideGrad64(gw, gm, gs, w, s, xh, xd, xr, rh, rd, rr, kh, kd, kr []float64, sign, c, n int) {
	purego.BatchSideGrad64(gw, gm, gs, w, s, purego.GradSums64{H: xh, D: xd, R: xr},
		purego.GradSums64{H: rh, D: rd, R: rr}, purego.GradSums64{H: kh, D: kd, R: kr}, sign, n)
}

// batchSideGrad32 is purego.BatchSideGrad32 on arm64 (portable Go).
func batchSideGrad32(gw, gm, gs, w, s, xh, xd, xr, rh, rd, rr, kh, kd, kr []float32, sign, c, n int) {
	purego.BatchSideGrad32(gw, gm, gs, w, s, purego.GradSums32{H: xh, D: xd, R: xr},
		purego.GradSums32{H: rh, D: rd, R: rr}, purego.GradSums32{H: kh, D: kd, R: kr}, sign, n)
}
