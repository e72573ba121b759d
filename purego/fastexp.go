package purego

import (
	"math"

	"github.com/gmmkit/cramer/internal/approx"
)

// Exp64 sets dst[i] = exp(x[i]) for i < len(x) with a relative error below
// 4e-9, by the table-and-quadratic algorithm of package approx (FastExp…):
// the exponentials of the float32 mixture-density losses, computed in
// float64. Arguments below approx.FastExpMin (−104) give 0; the result is
// specified for x[i] ≤ approx.FastExpMax (700) — larger arguments, +Inf and
// NaN give unspecified values (the same in every implementation, up to a
// NaN's payload). Every product and sum is rounded separately (the explicit
// float64 conversions keep the compiler from fusing them), so the results
// are the same bits on every CPU. dst may be x itself (not a partial
// overlap); it panics if len(dst) < len(x); nothing is allocated.
//
//	for i, v := range x { dst[i] = math.Exp(v) }
func Exp64(dst, x []float64) {
	dst = dst[:len(x):len(dst)]
	tab := &approx.FastExp2Table
	shiftBits := math.Float64bits(approx.FastExpShift)
	for i, v := range x {
		if v < approx.FastExpMin {
			dst[i] = 0
			continue
		}
		t := float64(v*approx.FastExpScale) + approx.FastExpShift
		n := math.Float64bits(t) - shiftBits
		r := v - float64((t-approx.FastExpShift)*approx.FastExpStep)
		p := float64(float64(r*r)*approx.Half) + r + 1
		dst[i] = p * math.Float64frombits(math.Float64bits(tab[n&(approx.FastExpN-1)])+uint64(int64(n)>>approx.FastExpBits)<<52)
	}
}
