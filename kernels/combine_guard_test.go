//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGuardCombine places every slice of the combination kernels so that it
// ends exactly at a PROT_NONE page (then starts exactly after one), for
// every number of lanes of bLaneCounts at K, M ∈ {1, 3, 5, 8} (one
// component; strided; a group of four components as 4×4 tiles and one
// more; two groups): an access past the last lane (a vector load or store
// where only a tail of one to three lanes is left, a strided access one
// component too far, a tile row past the side's components) faults and is
// reported.
func TestGuardCombine(t *testing.T) {
	const maxComp = 8
	a := newGuardArena(t, guardSlots, 8*maxComp*bMaxLanes)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { cGuard(t, a, im, cKernels[float64]()) })
			t.Run("float32", func(t *testing.T) { cGuard(t, a, im, cKernels[float32]()) })
		})
	}
}

func cGuard[T cfFloat](t *testing.T, a *guardArena, im *kernels.Impl, list []cKernel[T]) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(9, 10))
	f := &cfFailer{t: t}
	defer f.flush()
	for _, atEnd := range []bool{true, false} {
		for _, ck := range list {
			for _, k := range []int{1, 3, 5, 8} {
				for _, m := range []int{1, 3, 5, 8} {
					if !ck.out64 && m != k {
						continue
					}
					for _, n := range bLaneCounts() {
						inN, outT, out64 := ck.sizes(k, m, n)
						slot := 0
						ins := make([][]T, len(inN))
						for i, c := range inN {
							ins[i] = guardSlice[T](a, slot, c, atEnd)
							slot++
							cFill(rng, ins[i], ck.roles[i])
						}
						var o64 [][]float64
						var oT [][]T
						for _, c := range out64 {
							o64 = append(o64, guardSlice[float64](a, slot, c, atEnd))
							slot++
						}
						for _, c := range outT {
							oT = append(oT, guardSlice[T](a, slot, c, atEnd))
							slot++
						}
						what := fmt.Sprintf("%s K=%d M=%d n=%d (slices %s)", ck.name, k, m, n, map[bool]string{true: "ending at a guard page", false: "starting after a guard page"}[atEnd])
						guardCall(f, what, func() { ck.run(im, o64, oT, ins, n, 1) })
					}
				}
			}
		}
	}
}
