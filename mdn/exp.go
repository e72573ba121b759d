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
		r := v - (t-round)*step                                   // |n| < 2¹⁵: r exact to 1e-14
		p := 1 + r*(1+r*(1.0/2+r*(1.0/6)))
		x[i] = p * exp2Table[n&31] * math.Float64frombits(uint64((n>>5)+1023)<<52)
	}
}

// log32 returns log x for normal positive x (2.2e-308 ≤ x ≤ 1.8e308) with an
// absolute error below 1e-9 (for the float32 NLL): x = 2ᵉ·m with
// m ∈ [√½, √2), found without a branch by offsetting the bit pattern by that
// of √½ (the exponent field then counts from √½ instead of 1), and
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
	const sqrtHalf = 0x3fe6a09e667f3bcd // bits of √½
	for i, v := range x {
		// u's exponent field counts from √½: v = 2ᵉ·m with m ∈ [√½, √2),
		// m the pattern of √½ plus u's low 52 bits (a carry may reach the
		// exponent field, making m ≥ 1).
		u := math.Float64bits(v) - sqrtHalf
		e := int64(u) >> 52
		m := math.Float64frombits(u&(1<<52-1) + sqrtHalf)
		f := (m - 1) / (m + 1)
		f2 := f * f
		x[i] = float64(e)*ln2 + 2*f*(1+f2*(1.0/3+f2*(1.0/5+f2*(1.0/7+f2*(1.0/9)))))
	}
}

// log1p32 returns log(1 + x) for 0 ≤ x ≤ 1 with a relative error below 2e-10
// (softplus in the float32 losses, whose x = e^−|raw| may be subnormal):
// log(1 + x) = 2·atanh(s), s = x/(2 + x) ∈ [0, ⅓], by its series to s¹⁷
// (remainder below s¹⁸/19·9/8 < 1.6e-10 relative), evaluated as
// x·(q·(1 + s²/3 + …)) with q = 2/(2 + x), so that x multiplies last and
// subnormal x keeps its relative accuracy. log1pAll is the same on a slice.
func log1p32(x float64) float64 {
	a := [1]float64{x}
	log1pAll(a[:], true)
	return a[0]
}

// log1pAll sets x[i] = log(1 + x[i]) (0 ≤ x[i] ≤ 1): by log1p32's algorithm
// when fast, else math.Log1p.
func log1pAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Log1p(v)
		}
		return
	}
	for i, v := range x {
		q := 2 / (2 + v)
		s := 0.5 * v * q
		s2 := s * s
		p := 1.0 / 17
		p = p*s2 + 1.0/15
		p = p*s2 + 1.0/13
		p = p*s2 + 1.0/11
		p = p*s2 + 1.0/9
		p = p*s2 + 1.0/7
		p = p*s2 + 1.0/5
		p = p*s2 + 1.0/3
		x[i] = v * (q * (1 + s2*p))
	}
}
