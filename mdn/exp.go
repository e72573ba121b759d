package mdn

import "math"

// exp32 returns eˣ with a relative error below 1e-8 (far below float32's
// 6e-8 rounding), for the float32 losses: x = (32k + j)·ln2/32 + r with
// |r| ≤ ln2/64, eˣ = 2ᵏ · 2^(j/32) · e^r, the 32 values 2^(j/32) from a table
// and e^r from its degree-3 Taylor polynomial (remainder ≤ r⁴/4! < 6e-10).
// Results below 1e-45 (x < −104) are 0; x must be at most 700. expAll is
// the same on a slice (and faster: no call per element).
func exp32(x float64) float64 {
	a := [1]float64{x}
	expAll(a[:], true)
	return a[0]
}

// exp2Table holds 2^(j/32), j < 32.
var exp2Table = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

// expAll sets x[i] = exp(x[i]): by exp32's algorithm when fast, else
// math.Exp.
func expAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Exp(v)
		}
		return
	}
	const scale = 32 / math.Ln2
	const step = math.Ln2 / 32
	const round = 0x1.8p52 // adding it rounds to an integer, held in the low bits
	for i, v := range x {
		if v < -104 {
			x[i] = 0
			continue
		}
		t := v*scale + round
		n := int64(math.Float64bits(t) - math.Float64bits(round)) // round(v·32/ln2)
		r := v - float64(n)*step                                  // |n| < 2¹³: r exact to 1e-14
		p := 1 + r*(1+r*(1.0/2+r*(1.0/6)))
		x[i] = p * exp2Table[n&31] * math.Float64frombits(uint64((n>>5)+1023)<<52)
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
