package mdn

import "math"

// exp32 returns eˣ with a relative error below 1e-8 (far below float32's
// 6e-8 rounding), for the float32 losses: x is split as k·ln2 + r with
// |r| ≤ ln2/2 and e^r is the degree-7 Taylor polynomial (remainder
// ≤ r⁸/8! < 6e-9). Results below 1e-45 (x < −104) are 0; x must be at most
// 700.
func exp32(x float64) float64 {
	if x < -104 {
		return 0
	}
	const log2e = 1.4426950408889634
	const ln2 = 0.6931471805599453
	k := math.Floor(x*log2e + 0.5)
	r := math.FMA(-k, ln2, x)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}
