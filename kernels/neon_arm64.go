//go:build gc && !purego

package kernels

// The NEON kernels (gen/neon): Advanced SIMD is part of the arm64 baseline,
// so they are always usable and the default.
func init() {
	Register(asmImpl("neon", 10, func() bool { return true }))
}
