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
	const round = 0x1.8p52 // adding it rounds to an integer, held in the low bits
	t := x*log2e + round
	k := t - round
	r := x - k*ln2 // |k| ≤ 151: the rounding of ln2 costs < 2e-15 relative
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits((math.Float64bits(t)-math.Float64bits(round)+1023)<<52)
}
