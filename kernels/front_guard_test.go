//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGuardFront places every slice of BatchFront64/32 so that it ends
// exactly at a PROT_NONE page (then starts exactly after one), for every
// lane count of frontLaneCounts and component count of frontComps: an
// overlapping last vector or tile that reached past its slice would fault.
func TestGuardFront(t *testing.T) {
	a := newGuardArena(t, 6, 8*17*65)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { frontGuard(t, a, frontOf[float64](im)) })
			t.Run("float32", func(t *testing.T) { frontGuard(t, a, frontOf[float32](im)) })
		})
	}
}

func frontGuard[T cfFloat](t *testing.T, a *guardArena, f frontKernel[T]) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(33, 34))
	fl := &cfFailer{t: t}
	for _, atEnd := range []bool{true, false} {
		for _, c := range frontComps {
			for _, n := range frontLaneCounts() {
				var v [6][]T
				for i := range v {
					v[i] = guardSlice[T](a, i, n*c, atEnd)
				}
				lim := frontFill(rng, v[3], v[4], v[5], c, n, false)
				what := fmt.Sprintf("c=%d n=%d (slices %s)", c, n, map[bool]string{true: "ending at a guard page", false: "starting after a guard page"}[atEnd])
				guardCall(fl, what, func() { f(v[0], v[1], v[2], v[3], v[4], v[5], c, n, lim) })
			}
		}
	}
}
