//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGaussianLaneGuards places the thirteen slices of the batches of
// single Gaussians (out, both sides, both sides' derivatives) so that each
// ends exactly at a PROT_NONE page (then starts exactly after one), for
// every lane count of frontLaneCounts, values and gradients, both
// precisions, every implementation that has them: a vector kernel whose
// overlapping last vector reached past its slices would fault. The results
// must still equal purego's.
func TestGaussianLaneGuards(t *testing.T) {
	a := newGuardArena(t, 13, 8*65)
	ref := cfLookup(t, "purego")
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if im.BatchGaussianGrad64 == nil || im.BatchGaussianValues32 == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { neonGaussGuard[float64](t, a, im, ref) })
			t.Run("float32", func(t *testing.T) { neonGaussGuard[float32](t, a, im, ref) })
		})
	}
}

func neonGaussGuard[T cfFloat](t *testing.T, a *guardArena, im, ref *kernels.Impl) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(35, 36))
	fl := &cfFailer{t: t}
	defer fl.flush()
	sign := uint64(1) << 63
	if cfIs32[T]() {
		sign = 1 << 31
	}
	bits := func(x T) uint64 { b, _ := frontBits(x); return b }
	lim := &kernels.FrontLimits{GtLim: sign - 1 - bits(T(1e6)), GeSmall: sign - bits(T(1e-3)), GeLossy: sign - bits(T(1e-20)), Tol: 1e-6}
	for _, atEnd := range []bool{true, false} {
		for _, n := range frontLaneCounts() {
			for _, grad := range []bool{false, true} {
				var v [13][]T
				for i := range v {
					v[i] = guardSlice[T](a, i, n, atEnd)
				}
				for i := 1; i < 7; i++ {
					bFill(rng, v[i], "wmvwmv"[i-1])
				}
				p, q := [3][]T{v[1], v[2], v[3]}, [3][]T{v[4], v[5], v[6]}
				gp, gq := [3][]T{v[7], v[8], v[9]}, [3][]T{v[10], v[11], v[12]}
				under := []int{-5}
				what := fmt.Sprintf("%T n=%d grad=%v (slices %s)", T(0), n, grad, map[bool]string{true: "ending at a guard page", false: "starting after a guard page"}[atEnd])
				var sp, sq kernels.FrontScan
				if !guardCall(fl, what, func() { sp, sq = gaussCall(im, grad, v[0], under, gp, gq, p, q, n, lim) }) {
					continue
				}
				var want [7][]T
				for i := range want {
					want[i] = make([]T, n)
				}
				wu := []int{-5}
				wp, wq := gaussCall(ref, grad, want[0], wu, [3][]T{want[1], want[2], want[3]}, [3][]T{want[4], want[5], want[6]}, p, q, n, lim)
				if sp != wp || sq != wq || under[0] != wu[0] {
					fl.errorf("%s: scans %+v %+v under %d, purego %+v %+v under %d", what, sp, sq, under[0], wp, wq, wu[0])
				}
				got := [7][]T{v[0], v[7], v[8], v[9], v[10], v[11], v[12]}
				for i := range want {
					if !grad && i > 0 {
						break
					}
					for l := range n {
						if !cfSame(want[i][l], got[i][l]) {
							fl.errorf("%s: output %d lane %d = %v, purego %v", what, i, l, got[i][l], want[i][l])
							break
						}
					}
				}
			}
		}
	}
}
