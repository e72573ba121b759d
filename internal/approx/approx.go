// Package approx is the single description of the numerical algorithm that
// every kernel implementation of this module runs: the portable Go kernels in
// purego/ follow it step by step, and the assembly generators in gen/ read the
// same constants and tables when they emit code. Changing a constant here
// changes every implementation at once; `make check-generate` then shows the
// regenerated assembly.
//
// # The pair term
//
// For a difference of means d and a variance sum v (v = σᵢ² + τⱼ²) the kernels
// compute, per pair,
//
//	q   = sqrt(2·v)                       (q = s·√2, s = √v)
//	rq  = 1/q
//	t   = min(|d|·rq, ExpClamp)           (t = |z|, z = d/(s√2));
//	                                      t := ExpClamp when |d|·rq is NaN or +Inf,
//	                                      then t := 0 when d == 0
//	erf, E2 = ErfExpPos(t)                (erf(t) and (2/√π)·exp(−t²), below)
//	h   = fma(|d|, erf, (q·Half)·E2)      (= |d|·erf(|z|) + s·√(2/π)·exp(−z²))
//
// and the gradient kernels also use sign(d)·erf (∂h/∂d) and E2·rq
// (= √(2/π)·exp(−z²)/s, so that ∂h/∂σᵢ = σᵢ·E2·rq). Dirac pair terms (one
// side a point mass) take q and rq per component instead of per pair.
//
// h does not depend on t to first order at t = |d|/q (∂h/∂t = (2/√π)·e^(−t²)·
// (|d| − q·t) = 0), so the roundings of rq and t cost almost nothing as long
// as erf and E2 are evaluated at the same t.
//
// # erf(t) and E2 = (2/√π)·exp(−t²) on one grid   (ErfExpPos, 0 ≤ t)
//
//	tc  = min(t, ErfClamp)                          (NaN → ErfClamp)
//	x   = fma(tc, ErfStep, ErfShift)                (low bits of x hold j = round(tc·ErfStep))
//	rj  = x − ErfShift                              (= j, exact)
//	δ   = fma(rj, −1/ErfStep, tc)                   (= tc − r, r = j/ErfStep; exact, |δ| ≤ 1/(2·ErfStep))
//	u   = δ·fma(rj, 1/ErfStep, tc)                  (= δ·(tc + r) = tc² − r², |u| ≤ (ErfClamp + ½/ErfStep)/ErfStep)
//	T   = ExpGridTable[j]                           (= 2/√π·e^(−r²); 0 in the last row)
//	p   = fma(G[n], u, G[n−1]);  p = fma(p, u, G[k]) … down to G[0]   (GridExpPoly)
//	E2  = fma(T, p·u, T)                            (= T·e^(−u))
//	erf(tc) = erf(r) + E2 · Σₙ Hₙ(tc)·δⁿ⁺¹/(n+1)!
//
// where Hₙ are the physicists' Hermite polynomials (the generating function
// e^(2tw−w²) = Σ Hₙ(t)wⁿ/n! integrated over w ∈ [0, δ]). The row is the
// nearest one, so δ and u take either sign and are half as large as from
// the row below; the correction has the sign of δ, and where it is negative
// it is at most half of erf(r) (in row 1, δ ≥ −1/(2·ErfStep)), so at most one
// bit cancels. With the scaled coefficients cₙ = Hₙ(tc)/(n+1)!
// (c₁ = tc, c₂ = (2tc²−1)/3, c₃ = tc(2tc²−3)/6, c₄ = (4tc⁴−12tc²+3)/30,
// c₅ = tc(4tc⁴−20tc²+15)/90), evaluated from t2 = tc·tc as listed in
// HermiteCoeffs, the order of operations is
//
//	q   = c_N;  q = fma(q, δ, c_{N−1}) … down to c₁     (Horner)
//	dp  = fma(δ·q, δ, δ)                                 (= δ·Σ cₙδⁿ)
//	erf = fma(E2, dp, ErfTable[j])
//
// One grid row j gives both table values (the SIMD kernels store them side by
// side and read each row with one load), so a pair needs no exp table, no
// range reduction of t² and no scaling by 2^k; the row index comes from the
// bits of x, with no conversion to an integer. The grid's last row sits one
// step beyond its last true row (ErfClamp = Last + 1/ErfStep) and holds
// erf(ErfClamp) (= 1 rounded) and E = 0, so every t > ErfZero = Last +
// 1/(2·ErfStep) (and a NaN t) gives erf = 1 and E2 = 0 without a comparison: there exp(−t²)
// is below 6e-22 (float64) or 2e-9 (float32) and its term of h is far below
// the last place of |d|; gradient sums treat those pairs' E2·rq as 0. Between
// Last and Last + 1/(2·ErfStep) the row below gives E2 as everywhere else.
// The float32 kernels run the same steps in float32 arithmetic with the
// float32 parameters (fewer Hermite terms and polynomial coefficients, a
// coarser grid, smaller clamps); their j is the low 16 bits of x.
//
// # exp(−t²)   (ExpNegSquare, t ≥ 0; the element-wise kernel and PairTerms' ex)
//
//	t   = min(t, ExpClamp)
//	hi  = t·t;  lo = fma(t, t, −hi)                 (t² = hi + lo exactly)
//	kd  = fma(hi, ExpInvLn2N, ExpShift)             (low bits of kd hold k = round(hi·N/ln 2))
//	k   = bits(kd) − bits(ExpShift)                 (an integer, 0 ≤ k < 2^18)
//	kd  = kd − ExpShift
//	y   = fma(kd, ExpLn2NHi, −hi)
//	y   = fma(kd, ExpLn2NLo, y)
//	y   = y − lo                                    (y = k·ln2/N − t², |y| ≤ ln2/(2N)+ε)
//	p   = y·(1 + y·(C2 + y·(C3 + …)))               (Horner: p = e^y − 1, ExpPoly)
//	T   = ExpTable[k mod N]                         (2^(−j/N))
//	m   = fma(T, p, T)                              (= T·e^y)
//	e   = k div N;  e1 = e >> 1;  e2 = e − e1
//	E   = (m · 2^(−e1)) · 2^(−e2)                   (two steps: only the last may round, into subnormals)
//
// The tables and the split constants ExpLn2NHi/Lo are computed at 320-bit
// precision by gen/tables (tables_gen.go); ln2/N is split so that kd·Hi is
// exact for every k a kernel can produce.
//
// # exp(x) of the float32 mixture-density losses   (Exp, float64 only)
//
// A cheaper exponential (relative error below 4e-9, no fused operations, a
// 128-row table of 2^(j/128) and a quadratic) for package mdn's float32
// losses: its steps are listed with the FastExp constants (fastexp.go).
package approx

//go:generate sh -c "cd ../../gen && go run ./tables -o ../internal/approx/tables_gen.go"

import "math"

// Constants shared by both precisions.
const (
	// TwoOverSqrtPi is 2/√π, rounded to float64.
	TwoOverSqrtPi = 2 / math.SqrtPi
	// Half scales q = s·√2 so that (q·Half)·E2 = s·√(2/π)·exp(−z²).
	Half = 0.5
)

// Float64 parameters.
const (
	// ExpClamp64 bounds t in exp(−t²): exp(−28²) is below the smallest subnormal.
	ExpClamp64 = 28.0
	// ExpTableBits64 is log2 of the exp table size N.
	ExpTableBits64 = 7
	// ExpN64 is the number of rows of Exp64Table.
	ExpN64 = 1 << ExpTableBits64
	// ExpShift64 = 1.5·2^52: adding it rounds to an integer held in the low mantissa bits.
	ExpShift64 = 0x1.8p52
	// ExpInvLn2N64 = N/ln 2.
	ExpInvLn2N64 = ExpN64 / math.Ln2

	// ErfLast64 is the last true row of the erf grid: erf rounds to 1 from
	// about 5.9, and beyond 7 the exp(−t²) term of a pair is below 1e-22 of
	// the pair term.
	ErfLast64 = 7.0
	// ErfStep64 is the number of table rows per unit of t.
	ErfStep64 = 256
	// ErfClamp64 = ErfLast64 + 1/ErfStep64 bounds the erf grid: its row has E = 0.
	ErfClamp64 = ErfLast64 + 1.0/ErfStep64
	// ErfZero64 = ErfLast64 + 1/(2·ErfStep64): from t > ErfZero64 on (and
	// for NaN t) the grid gives E2 = 0 and erf = 1.
	ErfZero64 = ErfLast64 + 0.5/ErfStep64
	// ErfShift64 = 1.5·2^52: fma(tc, ErfStep64, ErfShift64) rounds tc·ErfStep64
	// to the nearest integer j and holds it in the low 32 bits.
	ErfShift64 = 0x1.8p52
	// ErfRows64 is the number of rows of Erf64Table: erf(j/ErfStep64), j = 0 … ErfClamp64·ErfStep64.
	ErfRows64 = int(ErfClamp64*ErfStep64) + 1
)

// ExpPoly64 are the coefficients of e^y − 1 = y·(1 + y·(C[0] + y·(C[1] + …)))
// on |y| ≤ ln2/256: Taylor coefficients 1/2!, 1/3!, 1/4!, 1/5! (truncation
// below 0.01 ULP).
var ExpPoly64 = [...]float64{1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120}

// GridExpPoly64 are the coefficients of e^(−u) − 1 = u·(A[0] + u·(A[1] + … + u·A[6]))
// for |u| = |tc² − r²| ≤ (ErfLast64 + 1/512)/ErfStep64 < 0.0274 (Taylor:
// A[k] = (−1)^(k+1)/(k+1)!; the truncation u⁸/8! is below 0.08 ULP of E2).
var GridExpPoly64 = [...]float64{-1, 1.0 / 2, -1.0 / 6, 1.0 / 24, -1.0 / 120, 1.0 / 720, -1.0 / 5040}

// HermiteCoeffs64 gives c₂ … c₅ of the erf correction as polynomials in
// t2 = tc² (c₁ = tc itself):
//
//	c₂ = fma(t2, A[0], A[1])
//	c₃ = tc·fma(t2, A[2], A[3])
//	c₄ = fma(t2, fma(t2, A[4], A[5]), A[6])
//	c₅ = tc·fma(t2, fma(t2, A[7], A[8]), A[9])
var HermiteCoeffs64 = [...]float64{
	2.0 / 3, -1.0 / 3,
	1.0 / 3, -1.0 / 2,
	2.0 / 15, -2.0 / 5, 1.0 / 10,
	2.0 / 45, -2.0 / 9, 1.0 / 6,
}

// Float32 parameters.
const (
	// ExpClamp32 bounds t in exp(−t²) for float32: exp(−10.5²) rounds to 0.
	ExpClamp32 = 10.5
	// ExpTableBits32 is log2 of the float32 exp table size.
	ExpTableBits32 = 3
	// ExpN32 is the number of rows of Exp32Table.
	ExpN32 = 1 << ExpTableBits32
	// ExpShift32 = 1.5·2^23.
	ExpShift32 = 0x1.8p23
	// ExpInvLn2N32 = N/ln 2 (float32).
	ExpInvLn2N32 = float32(ExpN32 / math.Ln2)

	// ErfLast32 is the last true row of the float32 erf grid: erf rounds to
	// 1 from about 3.9, and beyond 4.5 the exp(−t²) term of a pair is below
	// 3e-10 of the pair term.
	ErfLast32 = 4.5
	// ErfStep32 is the number of float32 table rows per unit of t.
	ErfStep32 = 64
	// ErfClamp32 = ErfLast32 + 1/ErfStep32 bounds the float32 erf grid: its row has E = 0.
	ErfClamp32 = ErfLast32 + 1.0/ErfStep32
	// ErfZero32 = ErfLast32 + 1/(2·ErfStep32): from t > ErfZero32 on the
	// float32 grid gives E2 = 0 and erf = 1.
	ErfZero32 = ErfLast32 + 0.5/ErfStep32
	// ErfShift32 = 1.5·2^23: fma(tc, ErfStep32, ErfShift32) holds j in the low 16 bits.
	ErfShift32 = 0x1.8p23
	// ErfRows32 is the number of rows of Erf32Table.
	ErfRows32 = int(ErfClamp32*ErfStep32) + 1
)

// ExpPoly32 are the float32 coefficients of e^y − 1 = y·(1 + y·(C[0] + y·(C[1] + y·C[2])))
// on |y| ≤ ln2/16 (truncation about 0.02 ULP). The table has only 8 rows so
// that the SIMD kernels can look it up with one in-register permutation
// instead of a gather.
var ExpPoly32 = [...]float32{1.0 / 2, 1.0 / 6, 1.0 / 24}

// GridExpPoly32 are the float32 coefficients of e^(−u) − 1 =
// u·(A[0] + u·(A[1] + … + u·A[4])) for |u| ≤ (ErfLast32 + 1/128)/ErfStep32
// < 0.071 (Taylor; the truncation u⁶/6! is below 0.03 ULP of E2).
var GridExpPoly32 = [...]float32{-1, 1.0 / 2, -1.0 / 6, 1.0 / 24, -1.0 / 120}

// HermiteCoeffs32 gives c₂, c₃ for float32 (c₁ = tc):
//
//	c₂ = fma(t2, A[0], A[1])
//	c₃ = tc·fma(t2, A[2], A[3])
var HermiteCoeffs32 = [...]float32{2.0 / 3, -1.0 / 3, 1.0 / 3, -1.0 / 2}

// TwoOverSqrtPi32 is 2/√π rounded to float32.
const TwoOverSqrtPi32 = float32(TwoOverSqrtPi)
