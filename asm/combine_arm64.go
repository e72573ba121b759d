//go:build gc && !purego

package asm

import "github.com/gmmkit/cramer/purego"

// BatchPairValues64 and BatchPairValues32 have no NEON version yet: on arm64
// their checked functions (checked.go) run the portable Go code of package
// purego, which is their definition, so the results are purego's bit for
// bit. BatchSideGrad64 and BatchSideGrad32 are NEON (gen/neon/combine.go).

// batchPairValues64 is purego.BatchPairValues64 on arm64 (portable Go, no
// NEON version), called only by BatchPairValues64 with the lengths cut.
func batchPairValues64(out []float64, under []int, vals, cross, wa, cr, sa, sp, wb, sb, sq []float64, k, m, n int) {
	purego.BatchPairValues64(out, under, vals, cross, wa, cr, sa, sp, wb, sb, sq, n)
}

// batchPairValues32 is purego.BatchPairValues32 on arm64 (portable Go).
func batchPairValues32(out []float32, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []float32, k, m, n int) {
	purego.BatchPairValues32(out, under, vals, cross, wa, cr, sa, sp, wb, sb, sq, n)
}
