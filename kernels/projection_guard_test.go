//go:build unix

package kernels_test

// Guard pages for the projection kernels (see guard_test.go for the method):
// dst, the source rows and thetaT each end exactly at a PROT_NONE page (and,
// in a second pass, start right after one), for every shape of the
// conformance sweep. The regions (guard_test.go's guardArena) are larger than
// those of the pair kernels: a d×l thetaT or n Cholesky factors exceed a page.

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGuardPagesProject uses three regions: dst, source and thetaT.
func TestGuardPagesProject(t *testing.T) {
	maxBytes := 8 * max(pjMaxN*cfMaxLen, pjMaxN*pjMaxD*pjMaxD, pjMaxD*cfMaxLen)
	a := newGuardArena(t, 3, maxBytes)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for kind, k := range pjKernels64(im) {
				t.Run(k.name, func(t *testing.T) { pjGuard(t, a, k, pjRef64[kind], name == "purego") })
			}
			for kind, k := range pjKernels32(im) {
				t.Run(k.name, func(t *testing.T) { pjGuard(t, a, k, pjRef32[kind], name == "purego") })
			}
		})
	}
}

// pjGuard runs k on slices at the guard pages and compares the results with
// purego. For purego itself (bounds-checked Go, and slow where FMA is
// emulated) only the first pass runs and there is nothing to compare.
func pjGuard[T cfFloat](t *testing.T, a *guardArena, k, ref pjKernel[T], isRef bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	f := &cfFailer{t: t}
	defer f.flush()
	rng := rand.New(rand.NewPCG(uint64(k.kind)+21, 9))
	for _, atEnd := range []bool{true, false} {
		where := "ending at a guard page"
		if !atEnd {
			if isRef {
				break
			}
			where = "starting after a guard page"
		}
		for n := 0; n <= pjMaxN; n++ {
			for d := 0; d <= pjMaxD; d++ {
				for l := 0; l <= cfMaxLen; l++ {
					what := fmt.Sprintf("%s n=%d d=%d l=%d, slices %s", k.name, n, d, l, where)
					dst := guardSlice[T](a, 0, n*l, atEnd)
					src := guardSlice[T](a, 1, pjSrcLen(k.kind, n, d), atEnd)
					th := guardSlice[T](a, 2, d*l, atEnd)
					copy(src, pjSource[T](rng, 0, k.kind, n, d))
					copy(th, pjTheta[T](rng, 0, d, l))
					ok := guardCall(f, what, func() { k.fn(dst, src, th, n, d, l) })
					if !ok || isRef {
						continue
					}
					want := make([]T, n*l)
					ref.fn(want, src, th, n, d, l)
					for i := range want {
						if !cfSame(dst[i], want[i]) {
							f.class(k.name+": differs from purego", "%s: element %d = %v, purego %v", what, i, dst[i], want[i])
						}
					}
				}
			}
		}
	}
}
