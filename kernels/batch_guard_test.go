//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGuardBatch places every slice of every batch-lane kernel so that it
// ends exactly at a PROT_NONE page (then starts exactly after one), for every
// number of lanes of bLaneCounts at K, M ∈ {0, 1, 3}: a vector access past
// a partial last lane block faults and is reported.
func TestGuardBatch(t *testing.T) {
	const maxComp = 3
	a := newGuardArena(t, guardSlots, 8*maxComp*bMaxLanes)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { bGuard(t, a, im, bKernels64()) })
			t.Run("float32", func(t *testing.T) { bGuard(t, a, im, bKernels32()) })
		})
	}
}

func bGuard[T cfFloat](t *testing.T, a *guardArena, im *kernels.Impl, list []bKernel[T]) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(7, 8))
	f := &cfFailer{t: t}
	for _, atEnd := range []bool{true, false} {
		for _, b := range list {
			for _, k := range []int{0, 1, 3} {
				for _, m := range []int{0, 1, 3} {
					for _, n := range bLaneCounts() {
						inN, outN := b.shape(k, m, n)
						roles := b.roles()
						slot := 0
						ins := make([][]T, len(inN))
						for i, c := range inN {
							ins[i] = guardSlice[T](a, slot, c, atEnd)
							slot++
							bFill(rng, ins[i], roles[i])
						}
						outs := make([][]T, len(outN))
						for i, c := range outN {
							outs[i] = guardSlice[T](a, slot, c, atEnd)
							slot++
						}
						what := fmt.Sprintf("%s K=%d M=%d n=%d (slices %s)", b.name, k, m, n, map[bool]string{true: "ending at a guard page", false: "starting after a guard page"}[atEnd])
						guardCall(f, what, func() { b.run(im, outs, ins, n) })
					}
				}
			}
		}
	}
}
