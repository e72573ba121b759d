package bench

import (
	"slices"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// An external implementation is code outside this module's kernel registry
// that computes some of the same pair sums — the libmvec C loop of
// libmvec_test.go, built only with `-tags libmvec`. BenchmarkKernels runs the
// kernels it lists (its Impl holds only those functions) next to the
// registered implementations, and BenchmarkBatch runs its batch functions
// next to Workspace.SquaredBatch, under the same benchmark names, so one run
// prints both and benchstat can put them side by side.
type external struct {
	name    string
	impl    *kernels.Impl // only the functions named in kernels are set
	kernels []string      // kernel names as in kernelCases
	// batch64/32 set out[b] = ℓ₂²(P_b, Q_b) for the stacked mixtures p (k
	// components per block) and q (m per block), value only.
	batch64 func(out []float64, k, m int, p, q cramer.Mixture[float64])
	batch32 func(out []float32, k, m int, p, q cramer.Mixture[float32])
}

// externals is filled by the init functions of tagged files.
var externals []external

func (e *external) has(kernel string) bool { return slices.Contains(e.kernels, kernel) }
