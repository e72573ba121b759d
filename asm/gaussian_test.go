//go:build gc && !purego && (amd64 || arm64)

package asm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/asm"
	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians join checked here (TestExportedAreChecked);
// TestCheckedGaussian tests their lengths (their sides, limits, under and
// results are not of the shapes TestCheckedLengths handles).
func init() {
	checked["BatchGaussianValues64"] = struct{ asm, ref any }{asm.BatchGaussianValues64, purego.BatchGaussianValues64}
	checked["BatchGaussianValues32"] = struct{ asm, ref any }{asm.BatchGaussianValues32, purego.BatchGaussianValues32}
	checked["BatchGaussianGrad64"] = struct{ asm, ref any }{asm.BatchGaussianGrad64, purego.BatchGaussianGrad64}
	checked["BatchGaussianGrad32"] = struct{ asm, ref any }{asm.BatchGaussianGrad32, purego.BatchGaussianGrad32}
}

// TestCheckedGaussian is TestCheckedLengths for the batches of single
// Gaussians (whose sides, limits and scans the generic test does not
// handle): for lane counts on both sides of a vector, a consistent call
// returns purego's scans and under and leaves every slice, up to its
// capacity, as purego does; each of the thirteen slices one element too
// short (the gradients' only for the gradient), and under empty, panics in
// both, and then the checked function has touched nothing.
func TestCheckedGaussian(t *testing.T) {
	requireCPU(t)
	testCheckedGaussian(t,
		func(out []float64, under []int, gp, gq, p, q [3][]float64, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return asm.BatchGaussianGrad64(out, under, g64(gp), g64(gq), g64(p), g64(q), n, lim)
		},
		func(out []float64, under []int, gp, gq, p, q [3][]float64, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return purego.BatchGaussianGrad64(out, under, g64(gp), g64(gq), g64(p), g64(q), n, lim)
		},
		func(out []float64, under []int, _, _, p, q [3][]float64, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return asm.BatchGaussianValues64(out, under, g64(p), g64(q), n, lim)
		},
		func(out []float64, under []int, _, _, p, q [3][]float64, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return purego.BatchGaussianValues64(out, under, g64(p), g64(q), n, lim)
		})
	testCheckedGaussian(t,
		func(out []float32, under []int, gp, gq, p, q [3][]float32, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return asm.BatchGaussianGrad32(out, under, g32(gp), g32(gq), g32(p), g32(q), n, lim)
		},
		func(out []float32, under []int, gp, gq, p, q [3][]float32, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return purego.BatchGaussianGrad32(out, under, g32(gp), g32(gq), g32(p), g32(q), n, lim)
		},
		func(out []float32, under []int, _, _, p, q [3][]float32, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return asm.BatchGaussianValues32(out, under, g32(p), g32(q), n, lim)
		},
		func(out []float32, under []int, _, _, p, q [3][]float32, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan) {
			return purego.BatchGaussianValues32(out, under, g32(p), g32(q), n, lim)
		})
}

func g64(s [3][]float64) purego.Gaussians64 { return purego.Gaussians64{W: s[0], M: s[1], S: s[2]} }
func g32(s [3][]float32) purego.Gaussians32 { return purego.Gaussians32{W: s[0], M: s[1], S: s[2]} }

type gaussFunc[F float32 | float64] func(out []F, under []int, gp, gq, p, q [3][]F, n int, lim *purego.FrontLimits) (purego.FrontScan, purego.FrontScan)

func testCheckedGaussian[F float32 | float64](t *testing.T, grad, gradRef, values, valuesRef gaussFunc[F]) {
	lim := &purego.FrontLimits{GtLim: 1 << 20, GeSmall: 1 << 20, GeLossy: 1 << 20, Tol: 0.5}
	for _, isGrad := range []bool{false, true} {
		f, ref, last := values, valuesRef, 7 // slices 0 … 6 (out, p, q) and under (7)
		if isGrad {
			f, ref, last = grad, gradRef, 13 // and gp, gq (7 … 12), under (13)
		}
		for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17} { // both sides of a vector of either architecture
			// args returns out, p, q, gp, gq (slice short one element
			// shorter) and under (empty when short is last).
			args := func(short int) ([13][]F, []int) {
				rng := rand.New(rand.NewPCG(uint64(n), 7))
				var a [13][]F
				for i := range a {
					l := n
					if i == short {
						l--
					}
					back := make([]F, max(l, 0)+guard)
					for j := range back {
						back[j] = F(0.1 + 3*rng.Float64())
					}
					a[i] = back[:max(l, 0)]
				}
				under := []int{-5, -6}
				if short == last {
					under = under[:0]
				}
				return a, under
			}
			for short := -1; short <= last; short++ {
				if short >= 0 && n == 0 {
					continue
				}
				what := fmt.Sprintf("%T grad=%v n=%d short=%d", F(0), isGrad, n, short)
				call := func(f gaussFunc[F], a [13][]F, under []int) (sp, sq purego.FrontScan) {
					three := func(i int) [3][]F { return [3][]F{a[i], a[i+1], a[i+2]} }
					return f(a[0], under, three(7), three(10), three(1), three(4), n, lim)
				}
				got, gu := args(short)
				want, wu := args(short)
				init, _ := args(short)
				var gp, gq, wp, wq purego.FrontScan
				pg := run(func() { gp, gq = call(f, got, gu) }, nil)
				pw := run(func() { wp, wq = call(ref, want, wu) }, nil)
				if (pg == nil) != (pw == nil) || (short >= 0 && pw == nil) {
					t.Fatalf("%s: asm panicked %v, purego %v", what, pg, pw)
				}
				if pg != nil {
					want, wu = init, []int{-5, -6} // a panicking call touches nothing
					if short == last {
						wu = wu[:0]
					}
				} else if gp != wp || gq != wq {
					t.Fatalf("%s: scans %+v %+v, purego %+v %+v", what, gp, gq, wp, wq)
				}
				if len(gu) != len(wu) || len(gu) > 0 && (gu[0] != wu[0] || gu[1] != wu[1]) {
					t.Fatalf("%s: under %v, want %v", what, gu, wu)
				}
				for i := range got {
					g, w := got[i][:cap(got[i])], want[i][:cap(want[i])]
					for j := range g {
						if math.Float64bits(float64(g[j])) != math.Float64bits(float64(w[j])) {
							t.Fatalf("%s: slice %d element %d = %v, want %v", what, i, j, g[j], w[j])
						}
					}
				}
			}
		}
	}
}
