//go:build gc && !purego

package kernels

import (
	"github.com/klauspost/cpuid/v2"

	"github.com/gmmkit/cramer/asm"
)

// The AVX2+FMA kernels (gen/avx2): chosen when the CPU reports AVX2 and FMA3.
func init() {
	im := asmImpl("avx2", 10, func() bool { return cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) })
	im.BatchFront64, im.BatchFront32 = asm.BatchFront64, asm.BatchFront32
	im.BatchGaussianValues64, im.BatchGaussianGrad64 = asm.BatchGaussianValues64, asm.BatchGaussianGrad64
	im.BatchGaussianValues32, im.BatchGaussianGrad32 = asm.BatchGaussianValues32, asm.BatchGaussianGrad32
	Register(im)
}
