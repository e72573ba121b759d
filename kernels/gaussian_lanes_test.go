package kernels_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGaussianLanePositions checks the batches of single Gaussians of every
// implementation that has them against purego, bit for bit (scans, values,
// under, derivatives), on ordinary inputs with one special value placed in
// each lane in turn: a weight that fails its sum check, a negative weight
// (a value clamped to 0 with a negative cross sum: under, in float64 too),
// two such lanes (under must name the first), a mean or std past the
// limit, a NaN mean, a lossy std, a component below the small bound, a zero
// std. The vector kernels check their lanes a vector at a time and
// recompute the last vector's lanes when n is not a multiple of it, so a
// lane-dependent slip (a half of a vector left out of a scan, the wrong
// lane of a mask, a later under lane overwriting an earlier one) shows up
// here even where random inputs would hide it.
func TestGaussianLanePositions(t *testing.T) {
	ref := cfLookup(t, "purego")
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if im.BatchGaussianGrad64 == nil || im.BatchGaussianValues32 == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			gaussLaneLanes[float64](t, im, ref)
			gaussLaneLanes[float32](t, im, ref)
		})
	}
}

// gaussLaneSpecials are the changes of gaussLaneLanes, each applied at lane l of
// the sides p and q (weights, means, stds).
var gaussLaneSpecials = []struct {
	name string
	set  func(p, q *[3][]float64, l, n int)
	// under is the lane purego must find (−1: none); the test checks it,
	// so that the inputs do what the name says.
	under func(l, n int) int
}{
	{"p weight sum fails", func(p, q *[3][]float64, l, n int) { p[0][l] = 1.5 }, func(l, n int) int { return -1 }},
	{"q weight sum fails", func(p, q *[3][]float64, l, n int) { q[0][l] = 0.5 }, func(l, n int) int { return -1 }},
	{"negative p weight", func(p, q *[3][]float64, l, n int) { p[0][l] = -1 }, func(l, n int) int { return l }},
	{"two negative q weights", func(p, q *[3][]float64, l, n int) { q[0][l] = -1; q[0][(l+3)%n] = -2 }, func(l, n int) int { return min(l, (l+3)%n) }},
	{"p mean past the limit", func(p, q *[3][]float64, l, n int) { p[1][l] = -3e6 }, func(l, n int) int { return -1 }},
	{"q std past the limit", func(p, q *[3][]float64, l, n int) { q[2][l] = 2e6 }, func(l, n int) int { return -1 }},
	{"NaN p mean", func(p, q *[3][]float64, l, n int) { p[1][l] = math.NaN() }, func(l, n int) int { return -1 }},
	{"lossy q std", func(p, q *[3][]float64, l, n int) { q[2][l] = 1e-30 }, func(l, n int) int { return -1 }},
	{"small p component", func(p, q *[3][]float64, l, n int) { p[1][l], p[2][l] = 1e-4, 1e-4 }, func(l, n int) int { return -1 }},
	{"zero p std", func(p, q *[3][]float64, l, n int) { p[2][l] = 0 }, func(l, n int) int { return -1 }},
	{"zero q std, equal means", func(p, q *[3][]float64, l, n int) { q[2][l] = 0; q[1][l] = p[1][l] }, func(l, n int) int { return -1 }},
}

func gaussLaneLanes[T cfFloat](t *testing.T, im, ref *kernels.Impl) {
	rng := rand.New(rand.NewPCG(11, 12))
	sign := uint64(1) << 63
	if cfIs32[T]() {
		sign = 1 << 31
	}
	bits := func(x T) uint64 { b, _ := frontBits(x); return b }
	lim := &kernels.FrontLimits{GtLim: sign - 1 - bits(T(1e6)), GeSmall: sign - bits(T(1e-3)), GeLossy: sign - bits(T(1e-20)), Tol: 1e-6}
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 16, 17} {
		for _, sp := range gaussLaneSpecials {
			for l := range n {
				var p64, q64 [3][]float64
				for _, s := range []*[3][]float64{&p64, &q64} {
					for i := range s {
						s[i] = make([]float64, n)
					}
					for j := range n {
						s[0][j], s[1][j], s[2][j] = 1, rng.NormFloat64(), 0.5+rng.Float64()
					}
				}
				sp.set(&p64, &q64, l, n)
				var p, q [3][]T
				for i := range 3 {
					p[i], q[i] = make([]T, n), make([]T, n)
					for j := range n {
						p[i][j], q[i][j] = T(p64[i][j]), T(q64[i][j])
					}
				}
				for _, grad := range []bool{false, true} {
					what := fmt.Sprintf("%T n=%d %s at lane %d grad=%v", T(0), n, sp.name, l, grad)
					want := gaussRun(n, func(out []T, under []int, gp, gq [3][]T) (kernels.FrontScan, kernels.FrontScan) {
						return gaussCall(ref, grad, out, under, gp, gq, p, q, n, lim)
					})
					if u := sp.under(l, n); want.under != u {
						t.Fatalf("%s: purego's under is %d, not %d: the inputs do not test what they say", what, want.under, u)
					}
					got := gaussRun(n, func(out []T, under []int, gp, gq [3][]T) (kernels.FrontScan, kernels.FrontScan) {
						return gaussCall(im, grad, out, under, gp, gq, p, q, n, lim)
					})
					gaussCompare(t, what, "purego", grad, got, want, func(int) string { return "" })
				}
			}
		}
	}
}
