package mdn

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// exp32 returns eˣ with a relative error below 4e-9 (far below float32's
// 6e-8 rounding), for the float32 losses: x = (128k + j)·ln2/128 + r with
// |r| ≤ ln2/256, eˣ = 2ᵏ · 2^(j/128) · e^r, the 128 values 2^(j/128) from a
// table to whose exponent field k is added, and e^r from 1 + r + r²/2
// (remainder ≤ |r|³/6·e^|r| < 3.4e-9; the reduction adds below 1e-13), every
// operation rounded separately, so the results are the same bits on every
// CPU. Results below 1e-45 (x < −104) are 0; x must be at most 700. The
// algorithm is approx.FastExp…, run by the Exp64 kernel of package kernels
// (AVX2, NEON or portable Go); expAll is the same on a slice.
func exp32(x float64) float64 {
	a := [1]float64{x}
	expAll(a[:], true)
	return a[0]
}

// expAll sets x[i] = exp(x[i]): by exp32's algorithm (the active Exp64
// kernel, one call for the whole slice) when fast, else math.Exp.
func expAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Exp(v)
		}
		return
	}
	kernels.Active().Exp64(x, x)
}

// expInto sets dst[i] = exp(x[i]) (len(dst) ≥ len(x); dst is x or does not
// overlap it), as expAll.
func expInto(dst, x []float64, fast bool) {
	if !fast {
		dst = dst[:len(x)]
		for i, v := range x {
			dst[i] = math.Exp(v)
		}
		return
	}
	kernels.Active().Exp64(dst, x)
}

// log32 returns log x for normal positive x (2.2e-308 ≤ x ≤ 1.8e308) with an
// absolute error below 1e-11 (for the float32 NLL): x = 2ᵉ·m with
// m ∈ [1, 2), cⱼ = 1 + (j + ½)/64 the centre of the 64th of [1, 2) holding m
// (j the top 6 bits of m's fraction), log x = e·ln2 + log cⱼ + log1p(r) with
// r = m·(1/cⱼ) − 1, |r| ≤ 1/128, and log1p(r) from its series to r⁴
// (remainder ≤ |r|⁵/5 < 6e-12); 1/cⱼ and −log(1/cⱼ) (of the rounded 1/cⱼ,
// so the identity is exact) come from a table (logTable). logAll is the same on a
// slice.
func log32(x float64) float64 {
	a := [1]float64{x}
	logAll(a[:], true)
	return a[0]
}

// logTable holds 1/cⱼ and −log(1/cⱼ) for cⱼ = 1 + (j + ½)/64.
var logTable = func() (t [64][2]float64) {
	for j := range t {
		inv := 1 / (1 + (float64(j)+0.5)/64)
		t[j] = [2]float64{inv, -math.Log(inv)}
	}
	return t
}()

// logConsts are logAll's constants: ln 2, 1, ½, ⅓, ¼.
var logConsts = [5]float64{math.Ln2, 1, 0.5, 1.0 / 3, 0.25}

// logAll sets x[i] = log(x[i]) (x[i] positive and normal): by log32's
// algorithm when fast, else math.Log.
func logAll(x []float64, fast bool) {
	if !fast {
		for i, v := range x {
			x[i] = math.Log(v)
		}
		return
	}
	// The constants as variables held in registers through the loop
	// (constants would be reloaded from memory at every use).
	c := &logConsts
	ln2, one, half, third, quarter := c[0], c[1], c[2], c[3], c[4]
	fraction, oneBits := uint64(1<<52-1), math.Float64bits(one)
	for i, v := range x {
		b := math.Float64bits(v)
		e := int64(b>>52) - 1023
		tj := &logTable[b>>46&63]
		m := math.Float64frombits(b&fraction | oneBits)
		r := m*tj[0] - one
		p := r - (r*r)*(half-r*(third-r*quarter))
		x[i] = float64(e)*ln2 + tj[1] + p
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
