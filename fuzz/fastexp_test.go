package fuzz

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer/internal/approx"
	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// expLane returns the values placed around the fuzzed x in a vector: x, its
// neighbours, x ± ln2/256 (the reduction's half step), −x, and 0.
func expLane(x float64) (func(k int) float64, int) {
	return func(k int) float64 {
		switch k {
		case 0:
			return x
		case 1:
			return nextUp(x)
		case 2:
			return nextDown(x)
		case 3:
			return x + math.Ln2/256
		case 4:
			return x - math.Ln2/256
		case 5:
			return -x
		default:
			return 0
		}
	}, 7
}

// FuzzExp64 compares every implementation of Exp64 (the exponential of the
// float32 mixture-density losses) with purego bit for bit on a vector built
// around x, and purego with math.Exp: 0 below approx.FastExpMin, relative
// error within 4e-9 up to approx.FastExpMax (beyond, and for NaN, only the
// agreement with purego is checked).
func FuzzExp64(f *testing.F) {
	for i, x := range append([]float64{approx.FastExpMin, approx.FastExpMax, -103.99999999999999, -104.00000000000001,
		math.Ln2 / 256, -math.Ln2 / 256, 88.72, -87.33, 709.78, -745.2}, xSeeds...) {
		f.Add(x, uint16(i*131+7))
	}
	list, names := othersPick(f, func(im *kernels.Impl) func(dst, x []float64) { return im.Exp64 })
	f.Fuzz(func(t *testing.T, x float64, sh uint16) {
		lane, nv := expLane(x)
		xs := vector(sh, lane, nv)
		want := make([]float64, len(xs))
		purego.Exp64(want, xs)
		for i, v := range xs {
			switch {
			case v < approx.FastExpMin:
				if bits(want[i]) != 0 {
					t.Errorf("purego Exp64(%v) = %v, want +0", v, want[i])
				}
			case v <= approx.FastExpMax:
				e := math.Exp(v)
				if rel := math.Abs(want[i]-e) / e; !(rel <= 4e-9) {
					t.Errorf("purego Exp64(%v) = %v, math.Exp %v: relative error %.3g > 4e-9", v, want[i], e, rel)
				}
			}
		}
		for k, fn := range list {
			got := make([]float64, len(xs))
			fn(got, xs)
			for i := range xs {
				if !same(got[i], want[i]) {
					t.Errorf("%s at x=%v (element %d of %d): %v (%#x), purego %v (%#x)",
						names[k], xs[i], i, len(xs), got[i], bits(got[i]), want[i], bits(want[i]))
				}
			}
		}
	})
}
