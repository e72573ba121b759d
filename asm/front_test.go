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

// TestCheckedFront is TestCheckedLengths for BatchFront64/32 (whose limits
// and result the generic test does not handle): for lane counts on both
// sides of a vector and component counts on both sides of a tile, a
// consistent call returns purego's FrontScan and leaves every slice, up to
// its capacity, as purego does; each slice one element too short (dw and dm
// only for c > 1, where they are used) panics in both.
func TestCheckedFront(t *testing.T) {
	requireCPU(t)
	testCheckedFront(t, asm.BatchFront64, purego.BatchFront64)
	testCheckedFront(t, asm.BatchFront32, purego.BatchFront32)
}

func testCheckedFront[F float32 | float64](t *testing.T, f, ref func(dw, dm, dv, w, m, s []F, c, n int, lim *purego.FrontLimits) purego.FrontScan) {
	lim := &purego.FrontLimits{GtLim: 1 << 20, GeSmall: 1 << 20, GeLossy: 1 << 20, Tol: 0.5}
	for _, c := range []int{1, 2, 3, 4, 5} {
		for _, n := range []int{0, 1, 3, 4, 7, 8, 9} {
			args := func(short int) [6][]F {
				rng := rand.New(rand.NewPCG(uint64(c), uint64(n)))
				var a [6][]F
				for i := range a {
					l := c * n
					if i == short {
						l--
					}
					back := make([]F, max(l, 0)+guard)
					for j := range back {
						back[j] = F(3 * rng.Float64())
					}
					a[i] = back[:max(l, 0)]
				}
				return a
			}
			for short := -1; short < 6; short++ {
				if short >= 0 && (c*n == 0 || (c == 1 && short < 2)) {
					continue
				}
				what := fmt.Sprintf("%T c=%d n=%d short=%d", F(0), c, n, short)
				got, want := args(short), args(short)
				var rg, rw purego.FrontScan
				pg := run(func() { rg = f(got[0], got[1], got[2], got[3], got[4], got[5], c, n, lim) }, nil)
				pw := run(func() { rw = ref(want[0], want[1], want[2], want[3], want[4], want[5], c, n, lim) }, nil)
				if (pg == nil) != (pw == nil) || (short >= 0 && pw == nil) {
					t.Fatalf("%s: asm panicked %v, purego %v", what, pg, pw)
				}
				if pg != nil {
					continue
				}
				if rg != rw {
					t.Fatalf("%s: %+v, purego %+v", what, rg, rw)
				}
				for i := range got {
					g, w := got[i][:cap(got[i])], want[i][:cap(want[i])]
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
