package fuzz

import (
	"fmt"
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// maxLen is the longest vector the targets build: lanes·unroll·2+1 for the
// widest implementation (8 float32 lanes, unrolled ×4).
const maxLen = 2*8*4 + 1

type float interface{ float32 | float64 }

func is32[T float]() bool { _, ok := any(T(0)).(float32); return ok }

func bits[T float](x T) uint64 {
	switch v := any(x).(type) {
	case float32:
		return uint64(math.Float32bits(v))
	case float64:
		return math.Float64bits(v)
	}
	panic("unreachable")
}

func isNaN[T float](x T) bool { return x != x }

// same reports identical bits, or both NaN (payloads are not compared).
func same[T float](a, b T) bool { return bits(a) == bits(b) || (isNaN(a) && isNaN(b)) }

// eps is the machine epsilon of T; tiny its smallest subnormal.
func eps[T float]() float64 {
	if is32[T]() {
		return 0x1p-23
	}
	return 0x1p-52
}

func tiny[T float]() float64 {
	if is32[T]() {
		return 0x1p-149
	}
	return 0x1p-1074
}

// ulp is the spacing of T values at |x|.
func ulp[T float](x float64) float64 {
	x = math.Abs(x)
	if is32[T]() {
		if x < 0x1p-126 {
			return 0x1p-149
		}
		_, e := math.Frexp(x)
		return math.Ldexp(1, e-24)
	}
	if x < 0x1p-1022 {
		return 0x1p-1074
	}
	_, e := math.Frexp(x)
	return math.Ldexp(1, e-53)
}

// others returns the usable implementations other than purego, which the
// targets compare with purego.
func others(tb testing.TB) []*kernels.Impl {
	var list []*kernels.Impl
	for _, name := range kernels.Names() {
		if name == "purego" {
			continue
		}
		im, err := kernels.Lookup(name)
		if err != nil {
			tb.Fatalf("Lookup(%q): %v", name, err)
		}
		list = append(list, im)
	}
	return list
}

// othersPick returns pick(im) and the name of every implementation that
// others returns, in the same order.
func othersPick[F any](tb testing.TB, pick func(*kernels.Impl) F) ([]F, []string) {
	var fs []F
	var names []string
	for _, im := range others(tb) {
		fs = append(fs, pick(im))
		names = append(names, im.Name)
	}
	return fs, names
}

// vector lays out n = 1 + sh%maxLen elements at offset sh>>14 (0…3) in a
// larger buffer (capacity = length); element pos (from sh) is lane(0) and the
// others are lane(1), lane(2), … in turn, so the fuzzed value visits every
// lane and tail position of a vector loop.
func vector[T float](sh uint16, lane func(k int) T, variants int) []T {
	n := 1 + int(sh)%maxLen
	pos := int(sh>>6) % n
	off := int(sh >> 14)
	buf := make([]T, off+n+4)
	s := buf[off : off+n : off+n]
	for i := range s {
		s[i] = lane(((i-pos)%variants + variants) % variants)
	}
	return s
}

// expRef is exp(−x²) with x² split exactly (float32 squares are exact in
// float64 anyway).
func expRef(x float64) float64 {
	hi := x * x
	lo := math.FMA(x, x, -hi)
	r := math.Exp(-hi) * (1 - lo)
	if math.IsNaN(r) { // x² overflowed
		return 0
	}
	return r
}

// checkErf checks y = erf(x) against math.Erf (4 ULP + 1 for the reference in
// float64; 4 float32 ULP) and the invariants.
func checkErf[T float](x, y T) string {
	xf, yf := float64(x), float64(y)
	switch {
	case isNaN(x):
		return ""
	case isNaN(y):
		return "NaN"
	case math.Abs(yf) > 1:
		return "|erf| > 1"
	case math.Signbit(xf) != math.Signbit(yf):
		return "sign differs from x"
	}
	ref := math.Erf(xf)
	tol := 5.0
	if is32[T]() {
		tol = 4
	}
	if e := math.Abs(yf-ref) / ulp[T](ref); !(e <= tol) {
		return fmt.Sprintf("%.2f ULP from math.Erf = %v", e, ref)
	}
	return ""
}

// checkExp checks y = exp(−x²) against expRef within 5 (float64) or 4
// (float32) ULP where the reference exceeds 1e-300 (float64), and 0 ≤ y ≤ 1.
func checkExp[T float](x, y T) string {
	xf, yf := float64(x), float64(y)
	switch {
	case isNaN(x):
		return ""
	case isNaN(y):
		return "NaN"
	case !(yf >= 0 && yf <= 1):
		return "outside [0, 1]"
	}
	ref := expRef(xf)
	tol, floor := 5.0, 1e-300
	if is32[T]() {
		tol, floor = 4, 0
	}
	if ref <= floor {
		if yf > floor*(1+1e-14) {
			return fmt.Sprintf("reference %g but result larger than %g", ref, floor)
		}
		return ""
	}
	if e := math.Abs(yf-ref) / ulp[T](ref); !(e <= tol) {
		return fmt.Sprintf("%.2f ULP from the reference %v", e, ref)
	}
	return ""
}

// checkPair checks the pair terms of a valid (d, v) (d finite, v ≥ 0, 2v
// finite): no NaN, h ≥ 0, |erf| ≤ 1 with the sign of d, 0 ≤ ex ≤ 1,
// h(d, 0) = |d| exactly, max(|d|, s√(2/π))·(1−4ε) ≤ h ≤ (|d| + s√(2/π))·(1+4ε),
// and for moderate arguments h close to the float64 formula (1e-14 relative
// in float64, 4 ULP in float32) and erf, ex close to math.Erf(z),
// math.Exp(−z²) allowing for the rounding of z (≤ 4ε relative; condition
// numbers ≤ 1 and 2z²).
func checkPair[T float](d, v, h, erf, ex T) string {
	df, vf, hf, ef, xf := float64(d), float64(v), float64(h), float64(erf), float64(ex)
	e := eps[T]()
	switch {
	case isNaN(h) || isNaN(erf) || isNaN(ex):
		return "NaN output"
	case !(hf >= 0):
		return "h < 0"
	case !(math.Abs(ef) <= 1):
		return "|erf| > 1"
	case !(xf >= 0 && xf <= 1):
		return "ex outside [0, 1]"
	case math.Signbit(ef) != math.Signbit(df):
		return "sign of erf differs from d"
	}
	ad := math.Abs(df)
	if vf == 0 && math.Float64bits(hf) != math.Float64bits(ad) {
		return "h(d, 0) ≠ |d|"
	}
	s := math.Sqrt(vf)
	sk := s * math.Sqrt(2/math.Pi)
	if low := math.Max(ad, sk) * (1 - 4*e); !(hf >= low) {
		return fmt.Sprintf("h below max(|d|, s√(2/π))·(1−4ε) = %v", low)
	}
	if up := (ad + sk) * (1 + 4*e); !(hf <= up) {
		return fmt.Sprintf("h above (|d| + s√(2/π))·(1+4ε) = %v", up)
	}
	lo, hi, ulps := 1e-200, 1e200, 5.0
	if is32[T]() {
		lo, hi, ulps = 1e-30, 1e30, 4
	}
	if !(vf >= lo && vf <= hi && (df == 0 || (ad >= lo && ad <= hi))) {
		return ""
	}
	z := df / (s * math.Sqrt2)
	zerr := 4 * e
	refH := sk*math.Exp(-z*z) + df*math.Erf(z)
	if is32[T]() {
		if u := math.Abs(hf-refH) / ulp[T](refH); !(u <= 4) {
			return fmt.Sprintf("h %.2f ULP from the float64 formula %v", u, refH)
		}
	} else if r := math.Abs(hf-refH) / refH; !(r <= 1e-14) {
		return fmt.Sprintf("h relative error %.3g from the float64 formula %v", r, refH)
	}
	refE := math.Erf(z)
	if tol := ulps*ulp[T](refE) + math.Abs(refE)*zerr; !(math.Abs(ef-refE) <= tol) {
		return fmt.Sprintf("erf differs from math.Erf(z) = %v by more than %.3g", refE, tol)
	}
	refX := math.Exp(-z * z)
	if refX > 1e-300 && (!is32[T]() || refX > 0x1p-126) {
		if tol := ulps*ulp[T](refX) + refX*(2*z*z+1)*zerr; !(math.Abs(xf-refX) <= tol) {
			return fmt.Sprintf("ex differs from math.Exp(−z²) = %v by more than %.3g", refX, tol)
		}
	}
	return ""
}

// acc is a Neumaier-compensated float64 sum that also accumulates Σ|terms|.
type acc struct{ s, c, abs float64 }

func (a *acc) add(x float64) {
	t := a.s + x
	if math.Abs(a.s) >= math.Abs(x) {
		a.c += (a.s - t) + x
	} else {
		a.c += (x - t) + a.s
	}
	a.s = t
	a.abs += math.Abs(x)
}

func (a *acc) sum() float64 { return a.s + a.c }

// tol is the summation tolerance for n terms: the order of summation is
// implementation-defined and the terms are bit-identical, so
// |got − ref| ≤ 8·n·ε·Σ|terms| + n·(smallest subnormal).
func (a *acc) tol(n int, e, tiny float64) float64 { return 8*float64(n)*e*a.abs + float64(n)*tiny }

// decodeMix turns fuzz bytes into two mixtures: data[0]%10 components on side
// a, then up to maxLen on side b, three bytes each (mean, variance, weight).
// A mean byte 0x80 repeats an earlier mean (equal means); a variance byte 0
// gives variance 0; a weight byte w gives w/255. scale sets the magnitude.
func decodeMix[T float](data []byte, scale float64) (wa, ma, va, wb, mb, vb []T) {
	lo, hi := 1e-150, 1e150
	if is32[T]() {
		lo, hi = 1e-15, 1e15
	}
	if a := math.Abs(scale); !(a >= lo && a <= hi) {
		scale = 1
	}
	k := 0
	if len(data) > 0 {
		k = int(data[0]) % 10
		data = data[1:]
	}
	var means []T
	comp := func(b []byte) (w, m, v T) {
		m = T(float64(int8(b[0])) * scale / 16)
		if b[0] == 0x80 && len(means) > 0 {
			m = means[int(b[1])%len(means)]
		}
		means = append(means, m)
		if b[1] != 0 {
			s := float64(b[1]) / 32 * scale
			v = T(s * s)
		}
		return T(float64(b[2]) / 255), m, v
	}
	for i := 0; len(data) >= 3 && i < k+maxLen; i++ {
		w, m, v := comp(data[:3])
		data = data[3:]
		if i < k {
			wa, ma, va = append(wa, w), append(ma, m), append(va, v)
		} else {
			wb, mb, vb = append(wb, w), append(mb, m), append(vb, v)
		}
	}
	return
}

// seedMix encodes components for f.Add: k components on side a first.
func seedMix(k int, comps ...[3]byte) []byte {
	b := []byte{byte(k)}
	for _, c := range comps {
		b = append(b, c[0], c[1], c[2])
	}
	return b
}
