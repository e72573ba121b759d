//go:build gc && !purego

package kernels

import "github.com/gmmkit/cramer/purego"

// The NEON kernels (gen/neon): Advanced SIMD is part of the arm64 baseline,
// so they are always usable and the default. The batch front end
// (BatchFront64/32) has no NEON form yet: the portable Go one is used.
func init() {
	im := asmImpl("neon", 10, func() bool { return true })
	im.BatchFront64, im.BatchFront32 = purego.BatchFront64, purego.BatchFront32
	Register(im)
}
