package purego

import (
	"math"

	"github.com/gmmkit/cramer/internal/approx"
)

// clamp64 returns x when x < limit and limit otherwise, so a NaN becomes
// limit: the semantics of the assembly's min with the limit as second operand.
func clamp64(x, limit float64) float64 {
	if x < limit {
		return x
	}
	return limit
}

// expNegSquare64 returns exp(−t²) for 0 ≤ t ≤ approx.ExpClamp64 by the
// steps documented in package approx, with table approx.Exp64Table.
func expNegSquare64(t float64, table []float64) float64 {
	hi := t * t
	lo := math.FMA(t, t, -hi)
	kd := math.FMA(hi, approx.ExpInvLn2N64, approx.ExpShift64)
	k := math.Float64bits(kd) - math.Float64bits(approx.ExpShift64)
	kd -= approx.ExpShift64
	y := math.FMA(kd, approx.ExpLn2NHi64, -hi)
	y = math.FMA(kd, approx.ExpLn2NLo64, y)
	y -= lo
	c := &approx.ExpPoly64
	p := math.FMA(y, c[3], c[2])
	p = math.FMA(y, p, c[1])
	p = math.FMA(y, p, c[0])
	p = math.FMA(y, p, 1)
	p = y * p
	tab := table[k&(approx.ExpN64-1)]
	m := math.FMA(tab, p, tab)
	e := k >> approx.ExpTableBits64
	e1 := e >> 1
	e2 := e - e1
	m *= math.Float64frombits((1023 - e1) << 52)
	return m * math.Float64frombits((1023-e2)<<52)
}

// erfPosRow64 returns erf(tc) from the clamped argument tc, its grid row j,
// dl = tc − j/ErfStep64 and e2 = 2/√π·exp(−tc²) (package approx: the Hermite
// correction of the row value).
func erfPosRow64(tc float64, j uint32, dl, e2 float64) float64 {
	t2 := tc * tc
	a := &approx.HermiteCoeffs64
	c2 := math.FMA(t2, a[0], a[1])
	c3 := tc * math.FMA(t2, a[2], a[3])
	c4 := math.FMA(t2, math.FMA(t2, a[4], a[5]), a[6])
	c5 := tc * math.FMA(t2, math.FMA(t2, a[7], a[8]), a[9])
	q := math.FMA(c5, dl, c4)
	q = math.FMA(q, dl, c3)
	q = math.FMA(q, dl, c2)
	q = math.FMA(q, dl, tc)
	dp := math.FMA(dl*q, dl, dl)
	return math.FMA(e2, dp, approx.Erf64Table[j])
}

// erfExpPos64 returns erf(t) and e2 = 2/√π·exp(−t²) for t ≥ 0, both from the
// row j of the erf grid nearest to tc = min(t, approx.ErfClamp64): x =
// fma(tc, ErfStep64, ErfShift64) holds j in its low bits and rj = x −
// ErfShift64 = j exactly; δ = fma(rj, −1/ErfStep64, tc) = tc − r and u =
// δ·fma(rj, 1/ErfStep64, tc) = tc² − r² (|δ| ≤ 1/(2·ErfStep64)); e2 =
// E[j]·e^(−u), then erf = erf(r) + e2·(Hermite correction) (package approx).
// The last row, at ErfClamp64, has E = 0, so e2 = 0 and erf = 1 for
// t > approx.ErfZero64 and for NaN t.
func erfExpPos64(t float64) (erf, e2 float64) {
	tc := clamp64(t, approx.ErfClamp64)
	x := math.FMA(tc, approx.ErfStep64, approx.ErfShift64)
	j := uint32(math.Float64bits(x))
	rj := x - approx.ErfShift64
	dl := math.FMA(rj, -1.0/approx.ErfStep64, tc)
	u := dl * math.FMA(rj, 1.0/approx.ErfStep64, tc)
	c := &approx.GridExpPoly64
	p := math.FMA(c[6], u, c[5])
	p = math.FMA(p, u, c[4])
	p = math.FMA(p, u, c[3])
	p = math.FMA(p, u, c[2])
	p = math.FMA(p, u, c[1])
	p = math.FMA(p, u, c[0])
	tab := approx.Exp64GridTable[j]
	e2 = math.FMA(tab, p*u, tab)
	return erfPosRow64(tc, j, dl, e2), e2
}

// reduce64 returns t = |z| from ad = |d| and rq = 1/(s√2): the clamp maps
// NaN (d = 0, s = 0) and +Inf (s = 0) to approx.ExpClamp64, then d = 0 gives 0.
func reduce64(ad, rq float64) float64 {
	t := clamp64(ad*rq, approx.ExpClamp64)
	if ad == 0 {
		t = 0
	}
	return t
}

// pairTerm64 returns h(d, s) from ad = |d|, q = s√2 and rq = 1/q.
func pairTerm64(ad, q, rq float64) float64 {
	erf, e2 := erfExpPos64(reduce64(ad, rq))
	return math.FMA(ad, erf, (q*approx.Half)*e2)
}

// pairGrad64 returns h(d, s), sign(d)·erf(|z|) = ∂h/∂d and
// e2rq = √(2/π)·exp(−z²)/s (so that ∂h/∂σ = σ·e2rq; 0 when s = 0 or
// |z| > approx.ErfZero64, where exp(−z²) < 6e-22).
func pairGrad64(d, q, rq float64) (h, serf, e2rq float64) {
	ad := math.Abs(d)
	erf, e2 := erfExpPos64(reduce64(ad, rq))
	h = math.FMA(ad, erf, (q*approx.Half)*e2)
	serf = math.Copysign(erf, d)
	if q == 0 {
		rq = 0
	}
	return h, serf, e2 * rq
}

// scale64 returns q = √(2v) and rq = 1/q for a variance sum v.
func scale64(v float64) (q, rq float64) {
	q = math.Sqrt(2 * v)
	return q, 1 / q
}
