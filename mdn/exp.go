package mdn

import "math"

// exp32 returns eˣ with a relative error below 1e-8 (far below float32's
// 6e-8 rounding), for the float32 losses: x is split as k·ln2 + r with
// |r| ≤ ln2/2 and e^r is the degree-7 Taylor polynomial (remainder
// ≤ r⁸/8! < 6e-9). Results below 1e-45 (x < −104) are 0; x must be at most
// 700. expAll is the same on a slice (and faster: no call per element).
func exp32(x float64) float64 {
	a := [1]float64{x}
	expAll(a[:], true)
	return a[0]
}

// expAll sets x[i] = exp(x[i]): by exp32's algorithm when fast, else
// math.Exp.
func expAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Exp(v)
		}
		return
	}
	const log2e = 1.4426950408889634
	const ln2 = 0.6931471805599453
	const round = 0x1.8p52 // adding it rounds to an integer, held in the low bits
	for i, v := range x {
		if v < -104 {
			x[i] = 0
			continue
		}
		t := v*log2e + round
		k := t - round
		r := v - k*ln2 // |k| ≤ 151: the rounding of ln2 costs < 2e-15 relative
		p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
		x[i] = p * math.Float64frombits((math.Float64bits(t)-math.Float64bits(round)+1023)<<52)
	}
}

// log32 returns log x for normal positive x with an absolute error below
// 1e-9 (for the float32 NLL): x = 2ᵉ·m with m ∈ [√½, √2), and
// log m = 2·atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.172, by its series to f⁹
// (remainder < 1e-9). logAll is the same on a slice.
func log32(x float64) float64 {
	a := [1]float64{x}
	logAll(a[:], true)
	return a[0]
}

// logAll sets x[i] = log(x[i]) (x[i] positive and normal): by log32's
// algorithm when fast, else math.Log.
func logAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Log(v)
		}
		return
	}
	const ln2 = 0.6931471805599453
	for i, v := range x {
		bits := math.Float64bits(v)
		e := int64(bits>>52) - 1023
		m := math.Float64frombits(bits&(1<<52-1) | 1023<<52) // in [1, 2)
		if m > math.Sqrt2 {
			m *= 0.5
			e++
		}
		f := (m - 1) / (m + 1)
		f2 := f * f
		x[i] = float64(e)*ln2 + 2*f*(1+f2*(1.0/3+f2*(1.0/5+f2*(1.0/7+f2*(1.0/9)))))
	}
}
