package cramer

import "math"

// Exact direction averages for the sliced Cramér distance.
//
// For a unit direction θ uniform on S^{D−1} and a fixed z ∈ R^D with ‖z‖ = r,
// the projection t = θᵀz/r has density ∝ (1−t²)^{(D−3)/2} on [−1, 1], and
//
//	E_θ |θᵀz|          = κ_D·r,                 κ_D = Γ(D/2)/(√π·Γ((D+1)/2)),
//	E_θ h(θᵀz, s)      = s·√(2/π)·M(−½; D/2; −x),   x = r²/(2s²),
//
// where h is the folded-normal pair term and M = ₁F₁ is Kummer's function.
// With b = D/2, A = M(½; b; −x) and B = M(½; b+1; −x) the derivatives are
//
//	∂H/∂r = √(2/π)·(r/s)·B/D,     ∂H/∂s = √(2/π)·A,
//
// (from M′(a; b; z) = (a/b)·M(a+1; b+1; z) and the contiguous relation
// z·M′ + a·M = a·M(a+1; b; z)), and, H being homogeneous of degree one in
// (r, s), H = r·∂H/∂r + s·∂H/∂s = s·√(2/π)·(A + (x/b)·B): a sum of two
// positive terms. Everything is therefore computed from M(½; c; −x) for
// c ∈ {b, b+1}, in one of three regimes:
//
//   - x ≥ max(sxAsymX, b): the large-x expansion
//     M(½; c; −x) ≈ Γ(c)/Γ(c−½)·x^{−½}·Σₙ (½)ₙ(3/2−c)ₙ/n!·x^{−n}.
//     The series terminates for odd D; otherwise it is summed until the terms
//     fall below 2⁻⁶⁰ of the sum, which happens long before the smallest
//     term (about e^{−x−b}) is reached. The neglected exponentially small part
//     is below e^{−40} relative. The Γ ratios reduce to κ_D, so this branch
//     needs neither x nor r/s and cannot overflow.
//   - x ≤ b and b ≥ sxDirectB: the power series Σₙ (½)ₙ/(c)ₙ·(−x)ⁿ/n!. Its
//     terms decrease from the first, and the sum of their magnitudes is at most
//     a few times the result; it serves large D, where the other two would
//     need O(x) terms.
//   - otherwise (x < max(sxAsymX, b)): Kummer's transformation
//     M(½; c; −x) = e^{−x}·M(c−½; c; x), a series of positive terms (at most
//     about 100 of them, as then x < sxAsymX). The same rounded x is used in
//     e^{−x} and in the series, so that the rounding of x does not enter
//     through the exponential.
//
// The number of terms is O(√D) near x ≈ D/2 for large D and bounded
// elsewhere.
const (
	sxSqrt2OverPi = 0.79788456080286535587989211986876373695 // √(2/π)
	sxInvPi       = 0.31830988618379067153776752674502872407 // 1/π

	sxAsymX   = 40 // the large-x expansion is used for x ≥ max(sxAsymX, D/2)
	sxDirectB = 20 // the direct power series is used for x ≤ D/2 when D/2 ≥ sxDirectB

	sxKappaExact = 20      // κ_D from exact central binomial coefficients for D/2 < sxKappaExact
	sxTol        = 0x1p-60 // series are summed until a term is below sxTol of the sum
)

// kappa returns κ_D = Γ(D/2)/(√π·Γ((D+1)/2)) = E_θ|θ₁| for θ uniform on
// S^{D−1}: κ₁ = 1, κ₂ = 2/π, κ₃ = ½, κ_D ≈ √(2/(πD)) for large D. It is
// accurate to a few ULP for every d ≥ 1 and panics for d < 1.
func kappa(d int) float64 {
	if d < 1 {
		panic("cramer: kappa of a dimension below 1")
	}
	m := d / 2
	if m < sxKappaExact {
		// κ_{2m+1} = C(2m, m)/4^m exactly rounded; κ_{2m}·κ_{2m+1} = 1/(π·m).
		c := uint64(1)
		for k := uint64(1); k <= uint64(m); k++ {
			c = c * 2 * (2*k - 1) / k
		}
		odd := math.Ldexp(float64(c), -2*m)
		if d%2 == 1 {
			return odd
		}
		return sxInvPi / (float64(m) * odd)
	}
	// Γ(m+1)/Γ(m+½) = √m·e^{L(m)}: κ_{2m+1} = e^{−L}/√(πm), κ_{2m} = e^{L}/√(πm).
	fm := float64(m)
	l := sxLogGammaRatio(fm)
	r := math.Sqrt(math.Pi * fm)
	if d%2 == 1 {
		return math.Exp(-l) / r
	}
	return math.Exp(l) / r
}

// sxLogGammaRatio returns L(z) = ln Γ(z+1) − ln Γ(z+½) − ½·ln z for z ≥ 20 from
// its asymptotic series Σ_{k odd} B_{k+1}·(2 − 2^{−k})/(k(k+1))·z^{−k} (DLMF
// 5.11.8 for a = 1 and a = ½); the first omitted term is below 1e-22 at z = 20.
func sxLogGammaRatio(z float64) float64 {
	w := 1 / z
	w2 := w * w
	p := -929569.0 / 15728640
	p = p*w2 + 5461.0/425984
	p = p*w2 - 691.0/180224
	p = p*w2 + 31.0/18432
	p = p*w2 - 17.0/14336
	p = p*w2 + 1.0/640
	p = p*w2 - 1.0/192
	p = p*w2 + 1.0/8
	return p * w
}

// slicedH returns H = E_θ h(θᵀz, s) for ‖z‖ = dist and projected std s in
// dimension dim (see slicedHGrad).
func slicedH(dist, s float64, dim int) float64 {
	h, _, _ := slicedHGrad(dist, s, dim)
	return h
}

// slicedHGrad returns H = E_θ h(θᵀz, s) over θ uniform on S^{dim−1}, for
// ‖z‖ = dist ≥ 0 and an isotropic component pair whose projected std is s ≥ 0
// in every direction, with ∂H/∂dist and ∂H/∂s. H(dist, 0) = κ_D·dist,
// H(0, s) = s·√(2/π), and dim = 1 gives the pair term h itself.
//
// Conventions: at dist = 0 the derivative in dist is 0 (also when s = 0,
// where H = κ_D·|z| has a kink); at s = 0 and dist > 0 the derivative in s is
// 0 and at dist = s = 0 it is √(2/π). H is treated as even in both arguments,
// so a negative dist or s gives the same H and a negated derivative. The
// results are finite for all finite inputs (H overflows only when dist or s is
// within a factor of about 2 of the largest double); a NaN input, or both
// infinite, gives NaN. It panics for dim < 1.
func slicedHGrad(dist, s float64, dim int) (h, dDist, dS float64) {
	if dim < 1 {
		panic("cramer: slicedHGrad with a dimension below 1")
	}
	r, sd := math.Abs(dist), math.Abs(s)
	if dim == 1 {
		h, dDist, dS = sxPair1(r, sd)
	} else {
		h, dDist, dS = sxPairD(r, sd, dim)
	}
	if dist < 0 {
		dDist = -dDist
	}
	if s < 0 {
		dS = -dS
	}
	return h, dDist, dS
}

// sxPair1 is the one-dimensional pair term h(r, s) with its derivatives,
// r, s ≥ 0. The exponent z² = r²/(2s²) is formed with its rounding error
// (FMA), so that e^{−z²} is accurate to a few ULP even for large z.
func sxPair1(r, s float64) (h, dr, ds float64) {
	switch {
	case r == 0:
		return s * sxSqrt2OverPi, 0, sxSqrt2OverPi
	case s == 0:
		return r, 1, 0
	}
	q := r / s
	if q > 40 { // e^{−q²/2} < 1e-347: erf(z) = 1 and the exp term vanishes.
		return r, 1, 0
	}
	if math.IsInf(s, 1) && q == 0 {
		return s, 0, sxSqrt2OverPi
	}
	// q = qh + ql with qh·s + ql·s = r to about 2⁻¹⁰⁶ (ql·s exact by FMA).
	ql := math.FMA(-q, s, r) / s
	x := 0.5 * q * q // exact up to the rounding of q·q
	xl := 0.5*math.FMA(q, q, -q*q) + q*ql
	e := math.Exp(-x) * (1 - xl)
	dr = math.Erf(q / math.Sqrt2)
	ds = sxSqrt2OverPi * e
	return s*ds + r*dr, dr, ds
}

// sxPairD is slicedHGrad for dim ≥ 2 and r, s ≥ 0.
func sxPairD(r, s float64, dim int) (h, dr, ds float64) {
	k := kappa(dim)
	switch {
	case r == 0:
		return s * sxSqrt2OverPi, 0, sxSqrt2OverPi
	case s == 0:
		return k * r, k, 0
	}
	b := 0.5 * float64(dim)
	q := r / s
	// x is +Inf when r/s overflows (then the asymptotic branch), NaN for a
	// NaN input or when both are infinite.
	x := 0.5 * q * q
	if math.IsNaN(x) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	if x >= math.Max(sxAsymX, b) {
		v := s / r // ≤ 1/√80 here, possibly 0 by underflow
		u := 2 * v * v
		sB := sxAsymSum(0.5-b, u)
		sA := sxAsymSum(1.5-b, u)
		dr = k * sB
		ds = float64(dim-1) * k * v * sA
		return r*dr + s*ds, dr, ds
	}
	var mA, mB float64
	if x <= b && b >= sxDirectB {
		mA, mB = sxDirect(b, x), sxDirect(b+1, x)
	} else {
		e := math.Exp(-x)
		mA, mB = e*sxKummer(b, x), e*sxKummer(b+1, x)
	}
	dr = sxSqrt2OverPi * q * mB / float64(dim)
	ds = sxSqrt2OverPi * mA
	h = s * (sxSqrt2OverPi * (mA + x/b*mB))
	return h, dr, ds
}

// sxAsymSum returns Σₙ (½)ₙ(c)ₙ/n!·uⁿ, the large-x series of M(½; ·; −x) in
// u = 1/x, with c = 3/2 − (its b). It stops at a zero term (c a non-positive
// integer), when the terms fall below sxTol of the sum, or at the smallest
// term.
func sxAsymSum(c, u float64) float64 {
	sum, t := 1.0, 1.0
	for n := 0.0; ; n++ {
		next := t * (n + 0.5) * (n + c) / (n + 1) * u
		if next == 0 || math.Abs(next) >= math.Abs(t) {
			return sum
		}
		sum += next
		t = next
		if math.Abs(t) <= sxTol*sum {
			return sum
		}
	}
}

// sxDirect returns M(½; c; −x) = Σₙ (½)ₙ/(c)ₙ·(−x)ⁿ/n! for 0 ≤ x ≤ c, where
// the terms decrease in magnitude from the first.
func sxDirect(c, x float64) float64 {
	sum, t := 1.0, 1.0
	for n := 0.0; ; n++ {
		t *= -x * (n + 0.5) / ((c + n) * (n + 1))
		sum += t
		if math.Abs(t) <= sxTol*sum {
			return sum
		}
	}
}

// sxKummer returns M(c−½; c; x) = Σₙ (c−½)ₙ/(c)ₙ·xⁿ/n! for 0 ≤ x < sxAsymX
// (positive terms), so that M(½; c; −x) = e^{−x}·sxKummer(c, x).
func sxKummer(c, x float64) float64 {
	sum, t := 1.0, 1.0
	for n := 0.0; ; n++ {
		t *= x * (c - 0.5 + n) / ((c + n) * (n + 1))
		sum += t
		if n >= x && t <= sxTol*sum {
			return sum
		}
	}
}
