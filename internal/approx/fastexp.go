package approx

import "math"

// The FastExp parameters define the Exp kernel (purego.Exp64): the
// exponential with which the float32 losses of package mdn evaluate their
// exponentials in float64, with a relative error below 4e-9 (far below
// float32's 6e-8 rounding), cheaper than math.Exp:
//
//	x < FastExpMin:  0                        (eˣ < 1e-45: below float32's range)
//	t   = x·FastExpScale + FastExpShift       (rounded product, then rounded sum:
//	                                           no fused multiply-add; the low
//	                                           bits of t hold n = round(128x/ln2))
//	n   = bits(t) − bits(FastExpShift)        (two's complement, |n| < 2¹⁷)
//	r   = x − (t − FastExpShift)·FastExpStep   (|r| ≤ ln2/256 + 1e-13; no fma)
//	p   = ((r·r)·½ + r) + 1                   (e^r to 3.4e-9: remainder |r|³/6·e^|r|)
//	T   = bits(FastExp2Table[n mod 128]) + (n >> 7)·2⁵²   (2^(n/128): the table
//	                                           entry with ⌊n/128⌋ added to its
//	                                           exponent field; >> is arithmetic)
//	eˣ  = p·T
//
// Every operation is rounded separately (products and sums are not fused
// into multiply-adds), so the result is the same on every CPU and in every
// implementation. The result is normal for FastExpMin ≤ x ≤ FastExpMax; for
// larger x, ±Inf and NaN it is unspecified (but the same in every
// implementation, up to the payload of a NaN). Since only the low 12 bits
// of n >> 7 reach the exponent field, (n >> 7)·2⁵² is also the logical
// shift right by 7 followed by a shift left by 52, which the SIMD kernels
// use (AVX2 has no 64-bit arithmetic shift).
//
// Error: the remainder of e^r's series (below 3.4e-9 relative), the
// reduction (r is exact to 1e-13 absolute), the table (each entry within
// one unit in the last place of 2^(j/128)) and a few roundings (below 1e-15)
// keep the relative error below 4e-9 for FastExpMin ≤ x ≤ FastExpMax
// (3.32e-9 measured against mpmath: testdata/golden/fastexp64.json).
const (
	// FastExpMin is the smallest argument: below it the result is 0.
	FastExpMin = -104.0
	// FastExpMax is the largest argument with a specified result.
	FastExpMax = 700.0
	// FastExpScale = 128/ln 2.
	FastExpScale = FastExpN / math.Ln2
	// FastExpShift = 1.5·2⁵²: adding it rounds to an integer held in the low bits.
	FastExpShift = 0x1.8p52
	// FastExpStep = ln 2/128.
	FastExpStep = math.Ln2 / FastExpN
	// FastExpBits is log2 of the table size.
	FastExpBits = 7
	// FastExpN is the number of rows of FastExp2Table.
	FastExpN = 1 << FastExpBits
)

// FastExp2Table[j] = 2^(j/128) as math.Exp2 returns it (within one unit in
// the last place of the correctly rounded 2·Exp64Table[128−j], which
// TestFastExp2Table checks; 15 of the 128 entries differ from it with Go
// 1.26, which costs nothing against the 4e-9 bound). It is the table the
// float32 losses have always used, so their results on amd64 are unchanged.
// The generators copy it into the assembly, so a Go release whose math.Exp2
// rounded differently would show up in check-generate and in the kernels'
// bit-for-bit tests.
var FastExp2Table = func() (t [FastExpN]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / FastExpN)
	}
	return t
}()
