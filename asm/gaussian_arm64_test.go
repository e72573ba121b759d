//go:build gc && !purego

package asm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/asm"
	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians have a NEON version on arm64 only: their
// cases join checked here (TestExportedAreChecked), and TestCheckedGaussian
// tests their lengths (their limits, under and results are not of the
// shapes TestCheckedLengths handles).
func init() {
	checked["BatchGaussianValues64"] = struct{ asm, ref any }{asm.BatchGaussianValues64, purego.BatchGaussianValues64}
	checked["BatchGaussianGrad64"] = struct{ asm, ref any }{asm.BatchGaussianGrad64, purego.BatchGaussianGrad64}
	checked["BatchGaussianValues32"] = struct{ asm, ref any }{asm.BatchGaussianValues32, purego.BatchGaussianValues32}
	checked["BatchGaussianGrad32"] = struct{ asm, ref any }{asm.BatchGaussianGrad32, purego.BatchGaussianGrad32}
}

// TestCheckedGaussian is TestCheckedLengths for the batches of single
// Gaussians: for lane counts on both sides of a vector, a consistent call
// returns purego's scans and under and leaves every slice, up to its
// capacity, as purego does; each slice one element too short (under:
// empty) panics in both, and with n = 0 nothing is read or written.
func TestCheckedGaussian(t *testing.T) {
	requireCPU(t)
	g64 := func(s [][]float64) purego.Gaussians64 { return purego.Gaussians64{W: s[0], M: s[1], S: s[2]} }
	g32 := func(s [][]float32) purego.Gaussians32 { return purego.Gaussians32{W: s[0], M: s[1], S: s[2]} }
	testCheckedGaussian(t, func(out []float64, under []int, s [][]float64, n int, lim *purego.FrontLimits, grad bool, ref bool) (sp, sq purego.FrontScan) {
		switch {
		case grad && ref:
			return purego.BatchGaussianGrad64(out, under, g64(s[6:9]), g64(s[9:12]), g64(s[0:3]), g64(s[3:6]), n, lim)
		case grad:
			return asm.BatchGaussianGrad64(out, under, g64(s[6:9]), g64(s[9:12]), g64(s[0:3]), g64(s[3:6]), n, lim)
		case ref:
			return purego.BatchGaussianValues64(out, under, g64(s[0:3]), g64(s[3:6]), n, lim)
		}
		return asm.BatchGaussianValues64(out, under, g64(s[0:3]), g64(s[3:6]), n, lim)
	})
	testCheckedGaussian(t, func(out []float32, under []int, s [][]float32, n int, lim *purego.FrontLimits, grad bool, ref bool) (sp, sq purego.FrontScan) {
		switch {
		case grad && ref:
			return purego.BatchGaussianGrad32(out, under, g32(s[6:9]), g32(s[9:12]), g32(s[0:3]), g32(s[3:6]), n, lim)
		case grad:
			return asm.BatchGaussianGrad32(out, under, g32(s[6:9]), g32(s[9:12]), g32(s[0:3]), g32(s[3:6]), n, lim)
		case ref:
			return purego.BatchGaussianValues32(out, under, g32(s[0:3]), g32(s[3:6]), n, lim)
		}
		return asm.BatchGaussianValues32(out, under, g32(s[0:3]), g32(s[3:6]), n, lim)
	})
}

// testCheckedGaussian runs f (asm, or with ref purego) on out, under and the
// slices p (0–2), q (3–5) and, with grad, gp (6–8) and gq (9–11); short is
// the slice one element too short (−1: none, 12: out, 13: under empty).
func testCheckedGaussian[F float32 | float64](t *testing.T, f func(out []F, under []int, s [][]F, n int, lim *purego.FrontLimits, grad, ref bool) (sp, sq purego.FrontScan)) {
	lim := &purego.FrontLimits{GtLim: 1 << 20, GeSmall: 1 << 20, GeLossy: 1 << 20, Tol: 0.5}
	for _, grad := range []bool{false, true} {
		slices := 6
		if grad {
			slices = 12
		}
		for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
			type args struct {
				out   []F
				under []int
				s     [][]F
			}
			mk := func(short int) args {
				rng := rand.New(rand.NewPCG(uint64(n), 5))
				var a args
				slice := func(l int) []F {
					back := make([]F, max(l, 0)+guard)
					for j := range back {
						back[j] = F(3 * rng.Float64())
					}
					return back[:max(l, 0)]
				}
				for i := range slices {
					l := n
					if i == short {
						l--
					}
					a.s = append(a.s, slice(l))
				}
				l := n
				if short == 12 {
					l--
				}
				a.out = slice(l)
				a.under = []int{-7, -8}
				if short == 13 {
					a.under = a.under[:0]
				}
				return a
			}
			for short := -1; short < 14; short++ {
				if short >= slices && short < 12 || short >= 0 && n == 0 {
					continue
				}
				what := fmt.Sprintf("%T grad=%v n=%d short=%d", F(0), grad, n, short)
				got, want := mk(short), mk(short)
				var gp, gq, wp, wq purego.FrontScan
				pg := run(func() { gp, gq = f(got.out, got.under, got.s, n, lim, grad, false) }, nil)
				pw := run(func() { wp, wq = f(want.out, want.under, want.s, n, lim, grad, true) }, nil)
				if (pg == nil) != (pw == nil) || (short >= 0 && pw == nil) {
					t.Fatalf("%s: asm panicked %v, purego %v", what, pg, pw)
				}
				if pg != nil {
					continue
				}
				if gp != wp || gq != wq {
					t.Fatalf("%s: scans %+v %+v, purego %+v %+v", what, gp, gq, wp, wq)
				}
				if got.under[0] != want.under[0] || got.under[1] != want.under[1] {
					t.Fatalf("%s: under %v, purego %v", what, got.under, want.under)
				}
				all := func(a args) [][]F { return append([][]F{a.out}, a.s...) }
				for i, g := range all(got) {
					w := all(want)[i]
					g, w = g[:cap(g)], w[:cap(w)]
					for j := range g {
						if math.Float64bits(float64(g[j])) != math.Float64bits(float64(w[j])) {
							t.Fatalf("%s: slice %d element %d = %v, purego %v", what, i, j, g[j], w[j])
						}
					}
				}
			}
		}
	}
}
