package cramer

import (
	"fmt"
	"math"
	"math/bits"
)

// Scaling.
//
// ℓ₂² is positively homogeneous of degree 1: multiplying every mean, std and
// sample by c > 0 multiplies ℓ₂² and its weight derivatives by c and leaves
// the mean, std and sample derivatives unchanged. The kernels work with
// variances σ², which underflow long before σ does (float64: σ < 2⁻⁵¹¹ ≈
// 1.5e-154; float32: σ < 2⁻⁶³ ≈ 1.1e-19), and the sorted sample sums form
// gap × weight products that lose bits when the gap is subnormal. So when
// the largest magnitude M of a problem is below minUnscaled, the inputs are
// copied multiplied by 2^e with M·2^e ∈ [1, 2) — exact, since scaling up by a
// power of two never rounds — the problem is solved at that scale, and the
// value and the weight derivatives are multiplied back by 2^−e (one
// rounding, to a subnormal when they are that small). Problems of ordinary
// magnitude are not copied.
//
// When a std σ is so small that σ² would not be a normal number (below
// lossyStd) the mixtures are instead scaled as far up as MaxMagnitude
// allows (M·2^e just below 2^topExp), which leaves only stds below 2⁻¹⁰¹⁸
// (float32: 2⁻¹²²) × M too small.
//
// Such a std ("lossy": σ·2^e still below lossyStd) cannot be represented at
// any common scale. Its pair
// terms with components of normal std are unaffected (the variance sum is
// normal), and so are those with components far from its mean (the tails
// vanish); the others see a variance with few or no bits, an error of at
// most about σ per pair term. lossyCheck reports such a std for gradients
// (its derivative would be O(1) wrong), and for values where the bound is
// not negligible against the cross sum.

// topExp returns T such that magnitudes below 2^T are within MaxMagnitude:
// 507 in float64 (2⁵⁰⁷ ≈ 4.5e152), 59 in float32 (2⁵⁹ ≈ 5.8e17).
func topExp[F Float]() int {
	if is64[F]() {
		return 507
	}
	return 59
}

// minPositive returns the smallest nonzero element of the slices (all ≥ 0),
// or 0 when there is none.
func minPositive[F Float](xs ...[]F) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		for _, v := range x {
			if f := float64(v); f > 0 && f < m {
				m = f
			}
		}
	}
	if math.IsInf(m, 1) {
		return 0
	}
	return m
}

// mixtureExponent returns the scale exponent of a problem with largest
// magnitude m and smallest nonzero std sigmaMin (0: none): when a std would
// be lossy at scale 1, the largest scale (m·2^e ∈ [2^(T−1), 2^T), T =
// topExp), which keeps as many stds as possible above lossyStd; otherwise
// scaleExponent's.
func mixtureExponent[F Float](m, sigmaMin float64) int {
	if m == 0 {
		return 0
	}
	if sigmaMin > 0 && sigmaMin < lossyStd[F]() {
		_, e := math.Frexp(m) // m = f·2^e, f ∈ [½, 1)
		return topExp[F]() - e
	}
	return scaleExponent(m, minUnscaled[F]())
}

// minUnscaled returns the largest magnitude below which a problem is
// rescaled: 2⁻²⁵⁶ in float64, 2⁻³¹ in float32.
func minUnscaled[F Float]() float64 {
	if is64[F]() {
		return 0x1p-256
	}
	return 0x1p-31
}

// lossyStd returns the smallest std (at the working scale) whose variance is
// a normal number: 2⁻⁵¹¹ in float64, 2⁻⁶³ in float32.
func lossyStd[F Float]() float64 {
	if is64[F]() {
		return 0x1p-511
	}
	return 0x1p-63
}

// maxAbs returns the largest |x| over the slices (inputs are validated: no
// NaN).
func maxAbs[F Float](xs ...[]F) float64 {
	var m float64
	for _, x := range xs {
		for _, v := range x {
			if a := math.Abs(float64(v)); a > m {
				m = a
			}
		}
	}
	return m
}

// scaleExponent returns e ≥ 0 with m·2^e ∈ [1, 2) when 0 < m < limit, and 0
// otherwise.
func scaleExponent(m, limit float64) int {
	if m == 0 || m >= limit {
		return 0
	}
	_, e := math.Frexp(m) // m = f·2^e, f ∈ [½, 1)
	return 1 - e
}

// scaledInto returns x·2^e in dst (grown as needed). Exact for e ≥ 0.
func scaledInto[F Float](dst, x []F, e int) []F {
	dst = grow(dst, len(x))
	for i, v := range x {
		dst[i] = F(math.Ldexp(float64(v), e))
	}
	return dst
}

// scaleState holds the scaled copies of the arguments of a univariate call
// and what the call learnt about its scale.
type scaleState[F Float] struct {
	pm, ps, qm, qs []F
	x, y           []F
	exps, fail     []int   // per pair and per task of a batch
	deferred       []int   // the chunks of a batch left for its second pass
	exp            int     // the problem was solved at scale 2^exp
	cross          float64 // the cross sum at that scale
	sq             float64 // ℓ₂² at that scale (before clamping the scaled-back value)
}

// lossyCheck reports the first std of mixture arg (means pm, stds ps) that
// is nonzero but below lossyStd at scale 2^e ("lossy") where it matters: a
// lossy σᵢ changes only the pair terms with components j whose std is lossy
// or 0 too (the others have a normal variance sum) and whose mean is within
// 64·lossyStd of μᵢ (beyond that the exp and erf tails vanish, whatever the
// variance), over the other components of the same mixture and those of the
// other side (means qm, stds qs; nil stds mean point masses). When such a
// pair exists it is an error for gradients (the std derivative would be
// O(1) wrong), and for values when the error it can cause (≤ 4σᵢ, at scale
// 2^e) is not negligible against the cross sum (below 2⁻⁶⁰ of it).
func lossyCheck[F Float](arg string, pm, ps, qm, qs []F, e int, grad bool, cross float64) error {
	lim := lossyStd[F]()
	limAt1 := math.Ldexp(lim, -e) // exact (a power of two, or 0 when no std can be below it)
	near := 64 * limAt1
	for i, s := range ps {
		if s == 0 || float64(s) >= limAt1 {
			continue
		}
		mu := float64(pm[i])
		if !lossyNeighbour(mu, i, pm, ps, limAt1, near) && !lossyNeighbour(mu, -1, qm, qs, limAt1, near) {
			continue
		}
		if v := math.Ldexp(float64(s), e); !grad && 4*v <= 0x1p-60*cross {
			continue
		}
		what := "the value"
		if grad {
			what = "the derivatives"
		}
		return &InputError{arg, "stds", i, fmt.Sprintf(
			"std %v is nonzero but below %v × the largest magnitude of the problem (%v), as are the stds of components within %v of its mean, so their variances underflow %s and %s cannot be computed accurately; use 0 for a point mass",
			float64(s), lim, math.Ldexp(1, -e), near, precisionName[F](), what)}
	}
	return nil
}

// lossyNeighbour reports whether a component j ≠ skip of (means, stds) has a
// std below limAt1 (stds nil: all 0) and a mean within near of mu.
func lossyNeighbour[F Float](mu float64, skip int, means, stds []F, limAt1, near float64) bool {
	for j, m := range means {
		if j == skip || math.Abs(float64(m)-mu) >= near {
			continue
		}
		if stds == nil || float64(stds[j]) < limAt1 {
			return true
		}
	}
	return false
}

func precisionName[F Float]() string {
	if is64[F]() {
		return "float64"
	}
	return "float32"
}

// scaleBack returns the value v computed at scale 2^e, in F at scale 1, or
// an *InputError when it is not negligible (above noise, the absolute error
// bound at that scale: 0 for sums without cancellation) but rounds to 0.
func scaleBack[F Float](arg string, v float64, e int, noise float64) (F, error) {
	r := F(math.Ldexp(v, -e))
	if r == 0 && v > noise {
		return 0, &InputError{arg, "values", -1, fmt.Sprintf(
			"the distance %v × 2^%d is below the smallest positive %s: the inputs' scale is too small for the result to be represented",
			v, -e, precisionName[F]())}
	}
	return r, nil
}

// ldexpTo sets x[i] = F(x[i]·2^−e) for the weight derivatives of a problem
// solved at scale 2^e.
func ldexpTo[F Float](x []F, e int) {
	if e == 0 {
		return
	}
	for i, v := range x {
		x[i] = F(math.Ldexp(float64(v), -e))
	}
}

// squaredSamplesScaled is squaredSamples for valid sets of any magnitude (m,
// the largest |value| of both): sets of tiny magnitude are solved at a
// larger scale, where no gap × weight product underflows. Its sums have no
// cancellation, so a positive value that rounds to 0 at scale 1 is an
// *InputError.
func (ws *Workspace[F]) squaredSamplesScaled(x, y Samples[F], m float64, gx, gy *SamplesGrad[F]) (F, error) {
	sc := &ws.scale
	sc.exp = scaleExponent(m, minUnscaled[F]())
	if sc.exp != 0 {
		sc.x, sc.y = scaledInto(sc.x, x.Values, sc.exp), scaledInto(sc.y, y.Values, sc.exp)
		x, y = Samples[F]{sc.x, x.Weights}, Samples[F]{sc.y, y.Weights}
	}
	v := ws.squaredSamples(x, y, gx, gy)
	if gx != nil {
		ldexpTo(gx.Weights, sc.exp)
	}
	if gy != nil {
		ldexpTo(gy.Weights, sc.exp)
	}
	return scaleBack[F]("x, y", v, sc.exp, 0)
}

// ndScaleState holds the scaled copies of the arguments of a sliced call.
type ndScaleState[F Float] struct {
	p, q MixtureND[F]
	x, y []F
	exp  int
}

// covParams returns the covariance parameters of p, whichever form it uses.
func covParams[F Float](p MixtureND[F]) []F {
	switch p.kind() {
	case covChol:
		return p.Chol
	case covDiag:
		return p.DiagStds
	}
	return p.IsoStds
}

// scaledND returns p with means and covariance parameters multiplied by 2^e,
// stored in dst's slices.
func scaledND[F Float](dst *MixtureND[F], p MixtureND[F], e int) MixtureND[F] {
	dst.Means = scaledInto(dst.Means, p.Means, e)
	out := MixtureND[F]{Dim: p.Dim, Weights: p.Weights, Means: dst.Means}
	switch p.kind() {
	case covChol:
		dst.Chol = scaledInto(dst.Chol, p.Chol, e)
		out.Chol = dst.Chol
	case covDiag:
		dst.DiagStds = scaledInto(dst.DiagStds, p.DiagStds, e)
		out.DiagStds = dst.DiagStds
	default:
		dst.IsoStds = scaledInto(dst.IsoStds, p.IsoStds, e)
		out.IsoStds = dst.IsoStds
	}
	return out
}

// minCovScale returns the smallest nonzero covariance scale (the largest
// |covariance parameter|) of p's components, or 0 when there is none.
func minCovScale[F Float](p MixtureND[F]) float64 {
	c := covParams(p)
	n := len(c) / len(p.Weights)
	m := 0.0
	for i := range p.Weights {
		if s := maxAbs(c[i*n : (i+1)*n]); s > 0 && (m == 0 || s < m) {
			m = s
		}
	}
	return m
}

// lossyND reports the first component of p whose covariance parameters are
// not all 0 but all below lossyStd at scale 2^e: its projected variances
// underflow even at the largest scale (see scaleState). Projections do not
// keep the cross sum of every direction, so the sliced functions report it
// for values too.
func lossyND[F Float](arg string, p MixtureND[F], e int) error {
	c := covParams(p)
	n := len(c) / len(p.Weights)
	field := map[covKind]string{covChol: "chol", covDiag: "diagStds", covIso: "isoStds"}[p.kind()]
	for i := range p.Weights {
		m := math.Ldexp(maxAbs(c[i*n:(i+1)*n]), e)
		if m != 0 && m < lossyStd[F]() {
			return &InputError{arg, field, i * n, fmt.Sprintf(
				"component %d has covariance parameters of magnitude %v: nonzero but below %v × the largest magnitude of the problem (%v), so its projected variances underflow %s and the sliced distance cannot be computed accurately; use 0 for a point mass",
				i, math.Ldexp(m, -e), lossyStd[F](), math.Ldexp(1, -e), precisionName[F]())}
		}
	}
	return nil
}

// scaleMixtures sets sw.p and sw.q to p and q, scaled when their magnitude is
// tiny (see scaleState), and checks for lossy covariances.
func (sw *SlicedWorkspace[F]) scaleMixtures(p, q MixtureND[F], hasQ bool) error {
	// The projections hold L·K values per mixture.
	for _, c := range []struct {
		arg string
		k   int
	}{{"p", len(p.Weights)}, {"q", len(q.Weights)}} {
		if _, ok := mulSize(sw.dirs.Len(), c.k); !ok {
			return &InputError{"directions", "theta", -1, fmt.Sprintf("%d directions × %d components of %s overflows", sw.dirs.Len(), c.k, c.arg)}
		}
	}
	sc := &sw.scale
	m := maxAbs(p.Means, covParams(p))
	if hasQ {
		m = math.Max(m, maxAbs(q.Means, covParams(q)))
	} else {
		m = math.Max(m, maxAbs(sw.x.Values))
	}
	sc.exp = scaleExponent(m, minUnscaled[F]())
	c := minCovScale(p)
	if hasQ {
		if cq := minCovScale(q); cq > 0 && (c == 0 || cq < c) {
			c = cq
		}
	}
	if c > 0 && math.Ldexp(c, sc.exp) < lossyStd[F]() {
		// Projected variances would underflow: work at the largest scale
		// whose projections stay within MaxMagnitude (M·2^e < 2^T/Dim).
		_, e := math.Frexp(m)
		sc.exp = topExp[F]() - bits.Len(uint(p.Dim)) - e
	}
	if err := lossyND("p", p, sc.exp); err != nil {
		return err
	}
	if hasQ {
		if err := lossyND("q", q, sc.exp); err != nil {
			return err
		}
	}
	if sc.exp == 0 {
		sw.p, sw.q = p, q
		return nil
	}
	sw.p = scaledND(&sc.p, p, sc.exp)
	if hasQ {
		sw.q = scaledND(&sc.q, q, sc.exp)
	} else {
		sc.x = scaledInto(sc.x, sw.x.Values, sc.exp)
		sw.x.Values = sc.x
	}
	return nil
}

// scaleSampleSets sets sw.x and sw.y to x and y, scaled when their magnitude
// is tiny.
func (sw *SlicedWorkspace[F]) scaleSampleSets(x, y SamplesND[F]) {
	sc := &sw.scale
	sc.exp = scaleExponent(maxAbs(x.Values, y.Values), minUnscaled[F]())
	sw.x, sw.y = x, y
	if sc.exp != 0 {
		sc.x, sc.y = scaledInto(sc.x, x.Values, sc.exp), scaledInto(sc.y, y.Values, sc.exp)
		sw.x.Values, sw.y.Values = sc.x, sc.y
	}
}
