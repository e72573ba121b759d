//go:build gc && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// The AVX2+FMA kernels (gen/avx2): chosen when the CPU reports AVX2 and FMA3.
func init() {
	Register(asmImpl("avx2", 10, func() bool { return cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) }))
}
