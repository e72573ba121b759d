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
	Register(im)
}
