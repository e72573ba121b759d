package purego

import (
	"math"

	"github.com/gmmkit/cramer/internal/approx"
)

// fma32 returns a·b + c rounded once to float32, as a fused multiply-add
// instruction does. The product is exact in float64, so s = p + c is rounded
// once; converting s to float32 rounds correctly unless that first rounding
// landed exactly on a float32 midpoint (or s is in float32's subnormal
// range), which fma32Exact resolves.
func fma32(a, b, c float32) float32 {
	s := float64(a)*float64(b) + float64(c)
	if bits := math.Float64bits(s); bits&(1<<29-1) != 1<<28 && bits&(0x7ff<<52) >= (1023-126)<<52 {
		return float32(s)
	}
	return fma32Exact(a, b, c)
}

// fma32Exact rounds the float64 sum to odd (53 ≥ 24+2 bits), so the final
// conversion rounds correctly in every case.
func fma32Exact(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	fc := float64(c)
	s := p + fc
	bb := s - p
	err := (p - (s - bb)) + (fc - bb)
	if bits := math.Float64bits(s); err != 0 && bits&1 == 0 && !math.IsInf(s, 0) {
		if (err > 0) == (s > 0) {
			bits++
		} else {
			bits--
		}
		s = math.Float64frombits(bits)
	}
	return float32(s)
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func copysign32(x, y float32) float32 {
	return math.Float32frombits(math.Float32bits(x)&^(1<<31) | math.Float32bits(y)&(1<<31))
}

func clamp32(x, limit float32) float32 {
	if x < limit {
		return x
	}
	return limit
}

// expNegSquare32 is expNegSquare64 in float32 arithmetic (package approx).
func expNegSquare32(t float32, table []float32) float32 {
	hi := t * t
	lo := fma32(t, t, -hi)
	kd := fma32(hi, approx.ExpInvLn2N32, approx.ExpShift32)
	k := math.Float32bits(kd) - math.Float32bits(approx.ExpShift32)
	kd -= approx.ExpShift32
	y := fma32(kd, approx.ExpLn2NHi32, -hi)
	y = fma32(kd, approx.ExpLn2NLo32, y)
	y -= lo
	c := &approx.ExpPoly32
	p := fma32(y, c[2], c[1])
	p = fma32(y, p, c[0])
	p = fma32(y, p, 1)
	p = y * p
	tab := table[k&(approx.ExpN32-1)]
	m := fma32(tab, p, tab)
	e := k >> approx.ExpTableBits32
	e1 := e >> 1
	e2 := e - e1
	m *= math.Float32frombits((127 - e1) << 23)
	return m * math.Float32frombits((127-e2)<<23)
}

// erfPosRow32 is erfPosRow64 in float32 arithmetic, with three Hermite terms.
func erfPosRow32(tc float32, j uint32, dl, e2 float32) float32 {
	t2 := tc * tc
	a := &approx.HermiteCoeffs32
	c2 := fma32(t2, a[0], a[1])
	c3 := tc * fma32(t2, a[2], a[3])
	q := fma32(c3, dl, c2)
	q = fma32(q, dl, tc)
	dp := fma32(dl*q, dl, dl)
	return fma32(e2, dp, approx.Erf32Table[j])
}

// erfExpPos32 is erfExpPos64 in float32 arithmetic (five coefficients of
// e^(−u) − 1, three Hermite terms; j is the low 16 bits of x).
func erfExpPos32(t float32) (erf, e2 float32) {
	tc := clamp32(t, approx.ErfClamp32)
	x := fma32(tc, approx.ErfStep32, approx.ErfShift32)
	j := math.Float32bits(x) & 0xffff
	rj := x - approx.ErfShift32
	dl := fma32(rj, -1.0/approx.ErfStep32, tc)
	u := dl * fma32(rj, 1.0/approx.ErfStep32, tc)
	c := &approx.GridExpPoly32
	p := fma32(c[4], u, c[3])
	p = fma32(p, u, c[2])
	p = fma32(p, u, c[1])
	p = fma32(p, u, c[0])
	tab := approx.Exp32GridTable[j]
	e2 = fma32(tab, p*u, tab)
	return erfPosRow32(tc, j, dl, e2), e2
}

func reduce32(ad, rq float32) float32 {
	t := clamp32(ad*rq, approx.ExpClamp32)
	if ad == 0 {
		t = 0
	}
	return t
}

func pairTerm32(ad, q, rq float32) float32 {
	erf, e2 := erfExpPos32(reduce32(ad, rq))
	return fma32(ad, erf, (q*approx.Half)*e2)
}

func pairGrad32(d, q, rq float32) (h, serf, e2rq float32) {
	ad := abs32(d)
	erf, e2 := erfExpPos32(reduce32(ad, rq))
	h = fma32(ad, erf, (q*approx.Half)*e2)
	serf = copysign32(erf, d)
	if q == 0 {
		rq = 0
	}
	return h, serf, e2 * rq
}

func scale32(v float32) (q, rq float32) {
	q = float32(math.Sqrt(float64(2 * v)))
	return q, 1 / q
}
