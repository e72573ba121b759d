//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGuardGaussian places every slice of BatchGaussianValues and
// BatchGaussianGrad (the thirteen of the gradient: out, gp, gq, p, q) so
// that it ends exactly at a PROT_NONE page (then starts exactly after one),
// for every lane count of gaussLaneCounts, both precisions, value and
// gradient: a last vector that reached past the slices (or before them)
// would fault.
func TestGuardGaussian(t *testing.T) {
	ns := gaussLaneCounts()
	a := newGuardArena(t, 13, 8*ns[len(ns)-1])
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if !gaussHas(im) || name == "purego" { // purego is the reference (and bounds-checked Go)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { gaussGuard[float64](t, a, im) })
			t.Run("float32", func(t *testing.T) { gaussGuard[float32](t, a, im) })
		})
	}
}

func gaussGuard[T cfFloat](t *testing.T, a *guardArena, im *kernels.Impl) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(43, 44))
	fl := &cfFailer{t: t}
	for _, atEnd := range []bool{true, false} {
		for _, n := range gaussLaneCounts() {
			for _, grad := range []bool{false, true} {
				var s [13][]T
				for i := range s {
					s[i] = guardSlice[T](a, i, n, atEnd)
				}
				three := func(i int) [3][]T { return [3][]T{s[i], s[i+1], s[i+2]} }
				p, q := three(0), three(3)
				gaussFill(rng, p, q, n, rng.IntN(5))
				lim := gaussLimits(rng, p, q, n)
				what := fmt.Sprintf("%T n=%d grad=%v (slices %s)", T(0), n, grad, map[bool]string{true: "ending at a guard page", false: "starting after a guard page"}[atEnd])
				guardCall(fl, what, func() { gaussCall(im, grad, s[6], []int{0}, three(7), three(10), p, q, n, lim) })
			}
		}
	}
}
