package mdn

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer"
)

// TestExceedsBound compares exceedsBound with a plain loop for every
// length up to 19, every offset into the backing array (so every alignment
// of the float32 pairs), and one special value at every position: values
// just below, at and just above the bound, ±Inf, NaN, ±0 and ±MaxFloat.
func TestExceedsBound(t *testing.T) {
	t.Run("float32", exceedsBoundCase[float32])
	t.Run("float64", exceedsBoundCase[float64])
}

func exceedsBoundCase[F cramer.Float](t *testing.T) {
	for _, bound := range []float64{1e18, 1e18 / math.Sqrt(3), 1e153, 0, 1} {
		b := F(bound)
		if float64(b) > bound { // the largest F ≤ bound
			if is64[F]() {
				b = F(math.Nextafter(float64(b), 0))
			} else {
				b = F(math.Nextafter32(float32(b), 0))
			}
		}
		up := func(v F) F {
			if is64[F]() {
				return F(math.Nextafter(float64(v), math.Inf(1)))
			}
			return F(math.Nextafter32(float32(v), float32(math.Inf(1))))
		}
		specials := []F{b, -b, up(b), -up(b), F(math.Inf(1)), F(math.Inf(-1)), F(math.NaN()), 0, F(math.Copysign(0, -1)), F(cramer.MaxMagnitude[F]()), 1}
		top := math.MaxFloat64
		if !is64[F]() {
			top = math.MaxFloat32
		}
		specials = append(specials, F(top), F(-top))
		backing := make([]F, 24)
		for n := 0; n <= 19; n++ {
			for off := 0; off < 3; off++ {
				x := backing[off : off+n]
				for pos := -1; pos < n; pos++ {
					for _, sp := range specials {
						for i := range x {
							x[i] = F(0.5 * bound * float64(i%3) / 3)
							if i%2 == 1 {
								x[i] = -x[i]
							}
						}
						if pos >= 0 {
							x[pos] = sp
						}
						want := false
						for _, v := range x {
							if f := math.Abs(float64(v)); !(f <= bound) {
								want = true
							}
						}
						if got := exceedsBound(x, bound); got != want {
							t.Fatalf("bound %g, n %d, offset %d, %v at %d: %v, want %v", bound, n, off, sp, pos, got, want)
						}
					}
				}
			}
		}
	}
}
