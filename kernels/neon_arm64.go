//go:build gc && !purego

package kernels

import "github.com/gmmkit/cramer/asm"

// The NEON kernels (gen/neon): Advanced SIMD is part of the arm64 baseline,
// so they are always usable and the default.
func init() {
	im := asmImpl("neon", 10, func() bool { return true })
	im.BatchFront64, im.BatchFront32 = asm.BatchFront64, asm.BatchFront32
	im.BatchGaussianValues64, im.BatchGaussianGrad64 = asm.BatchGaussianValues64, asm.BatchGaussianGrad64
	im.BatchGaussianValues32, im.BatchGaussianGrad32 = asm.BatchGaussianValues32, asm.BatchGaussianGrad32
	Register(im)
}
