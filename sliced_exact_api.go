package cramer

import (
	"fmt"
	"math"
	"slices"
)

// SlicedSquaredExact returns the exact (direction-free) sliced squared Cramér
// 2-distance E_θ ℓ₂²(θ#P, θ#Q), θ uniform on the sphere, between two
// mixtures of isotropic components (MixtureND.IsoStds). For isotropic components
// the projected std is the same in every direction and
//
//	E_θ h(θᵀz, s) = s·√(2/π)·₁F₁(−½; D/2; −‖z‖²/(2s²))   (κ_D·‖z‖ when s = 0),
//
// so the closed form needs K·M + K² + M² such terms, no random directions and
// no estimation variance: the oracle for the Monte-Carlo SlicedSquared, and a
// zero-variance loss. Other covariance forms are an error (the projected
// variance then depends on θ and no closed form is known). The result is
// clamped at 0 and is exactly 0 for identical arguments.
func SlicedSquaredExact[F Float](p, q MixtureND[F]) (F, error) {
	return SlicedSquaredExactGrad(p, q, nil, nil)
}

// SlicedSquaredToSamplesExact is SlicedSquaredExact between a mixture of
// isotropic components and a sample set: O(K·N + K² + N²).
func SlicedSquaredToSamplesExact[F Float](p MixtureND[F], x SamplesND[F]) (F, error) {
	if err := pairArgs[F]("p", p.Dim, exactArgs(p, "p"), "x", x.Dim, x.validate("x"), nil); err != nil {
		return 0, err
	}
	e := isoExponent(p, samplesAsIso(x))
	return scaleBack[F]("p, x", isoSquared(p, samplesAsIso(x), e), e, 0)
}

// SlicedSquaredSamplesExact returns the exact sliced ℓ₂² between two sample
// sets, κ_D·(E‖X−Y‖ − ½E‖X−X′‖ − ½E‖Y−Y′‖) with κ_D = E_θ|θ₁| (half the
// energy distance in R^D scaled by κ_D), by O(N²) double sums.
func SlicedSquaredSamplesExact[F Float](x, y SamplesND[F]) (F, error) {
	if err := pairArgs[F]("x", x.Dim, x.validate("x"), "y", y.Dim, y.validate("y"), nil); err != nil {
		return 0, err
	}
	px, py := samplesAsIso(x), samplesAsIso(y)
	if sameND(px, py) {
		return 0, nil
	}
	e := isoExponent(px, py)
	return scaleBack[F]("x, y", isoSquared(px, py, e), e, 0)
}

func exactArgs[F Float](p MixtureND[F], arg string) error {
	if err := p.validate(arg); err != nil {
		return err
	}
	if p.IsoStds == nil {
		return &InputError{arg, "covariance", -1, fmt.Sprintf("the exact sliced distance needs isotropic components (isoStds); this mixture has %s covariances", map[covKind]string{covChol: "full", covDiag: "diagonal"}[p.kind()])}
	}
	return nil
}

// samplesAsIso views a sample set as a mixture of point masses.
func samplesAsIso[F Float](x SamplesND[F]) MixtureND[F] {
	n := len(x.Values) / x.Dim
	w := x.Weights
	if w == nil {
		w = make([]F, n)
		for i := range w {
			w[i] = F(1 / float64(n))
		}
	}
	return MixtureND[F]{Dim: x.Dim, Weights: w, Means: x.Values, IsoStds: make([]F, n)}
}

func sameND[F Float](p, q MixtureND[F]) bool {
	return slices.Equal(p.Weights, q.Weights) && slices.Equal(p.Means, q.Means) && slices.Equal(p.IsoStds, q.IsoStds)
}

// isoExponent returns the exponent e of the scale 2^e at which the closed
// form is evaluated: distances and stds are multiplied by 2^e in float64
// (exact) when the problem's magnitude is so small that squared distances
// would underflow (see scaleState), and the value is 2^−e times the value at
// that scale.
func isoExponent[F Float](p, q MixtureND[F]) int {
	return scaleExponent(maxAbs(p.Means, p.IsoStds, q.Means, q.IsoStds), 0x1p-256)
}

// scaler returns x ↦ x·2^e (the identity for e = 0). Exact for e ≥ 0.
func scaler(e int) func(float64) float64 {
	if e == 0 {
		return func(x float64) float64 { return x }
	}
	return func(x float64) float64 { return math.Ldexp(x, e) }
}

// isoSquared returns cross(p, q) − ½self(p) − ½self(q), clamped at 0, at
// scale 2^e.
func isoSquared[F Float](p, q MixtureND[F], e int) float64 {
	return max(isoPairSum(p, q, e)-0.5*(isoPairSum(p, p, e)+isoPairSum(q, q, e)), 0)
}

// isoPairSum returns Σᵢⱼ aᵢbⱼ E_θ h(θᵀ(mᵢ − nⱼ), √(σᵢ² + τⱼ²)) at scale 2^e
// (distances and stds multiplied by 2^e) in float64 with compensated
// summation.
func isoPairSum[F Float](p, q MixtureND[F], e int) float64 {
	d := p.Dim
	sc := scaler(e)
	var total ksum
	for i, a := range p.Weights {
		var row ksum
		for j, b := range q.Weights {
			var dist2 float64
			for c := 0; c < d; c++ {
				z := sc(float64(p.Means[i*d+c]) - float64(q.Means[j*d+c]))
				dist2 = math.FMA(z, z, dist2)
			}
			s := math.Hypot(sc(float64(p.IsoStds[i])), sc(float64(q.IsoStds[j])))
			row.add(float64(b) * slicedH(math.Sqrt(dist2), s, d))
		}
		total.add(float64(a) * row.val())
	}
	return total.val()
}

// SlicedSquaredExactGrad is SlicedSquaredExact with its derivatives with
// respect to the weights, means and isotropic stds of p and q (gp, gq may be
// nil; their Weights, Means and IsoStds slices are grown): a zero-variance loss
// for fitting isotropic mixtures. Derivatives are taken with the weights as
// free variables; at coincident means the mean derivative of that pair is 0,
// and at std 0 the std derivative is 0 (as in the univariate case).
func SlicedSquaredExactGrad[F Float](p, q MixtureND[F], gp, gq *MixtureNDGrad[F]) (F, error) {
	if err := pairArgs[F]("p", p.Dim, exactArgs(p, "p"), "q", q.Dim, exactArgs(q, "q"), nil); err != nil {
		return 0, err
	}
	e := isoExponent(p, q)
	if gp != nil {
		isoGrad(gp, p, q, e)
	}
	if gq != nil {
		isoGrad(gq, q, p, e)
	}
	if sameND(p, q) {
		return 0, nil // the cancellation is exact for identical arguments
	}
	return scaleBack[F]("p, q", isoSquared(p, q, e), e, 0)
}

// isoGrad sets g to the derivatives of ℓ = cross(p, q) − ½self(p) − ½self(q)
// with respect to p's parameters: ∂/∂aᵢ = Σⱼ bⱼHᵢⱼ − Σⱼ aⱼH′ᵢⱼ, and for the
// means and stds the same sums of aᵢ·(∂H/∂dist·(mᵢ−nⱼ)/‖mᵢ−nⱼ‖) and
// aᵢ·(∂H/∂s·σᵢ/sᵢⱼ), evaluated at scale 2^e (see isoExponent; the weight
// derivatives are multiplied back by 2^−e).
func isoGrad[F Float](g *MixtureNDGrad[F], p, q MixtureND[F], e int) {
	d, k := p.Dim, len(p.Weights)
	sc := scaler(e)
	g.Weights, g.Means, g.IsoStds = grow(g.Weights, k), grow(g.Means, k*d), grow(g.IsoStds, k)
	g.Chol, g.DiagStds = nil, nil
	gm := make([]float64, d)
	for i := 0; i < k; i++ {
		var gw, gs ksum
		clear(gm)
		for _, side := range []struct {
			o    MixtureND[F]
			sign float64
		}{{q, 1}, {p, -1}} {
			o := side.o
			for j, b := range o.Weights {
				var dist2 float64
				for c := 0; c < d; c++ {
					z := sc(float64(p.Means[i*d+c]) - float64(o.Means[j*d+c]))
					dist2 = math.FMA(z, z, dist2)
				}
				dist := math.Sqrt(dist2)
				si := sc(float64(p.IsoStds[i]))
				s := math.Hypot(si, sc(float64(o.IsoStds[j])))
				h, dh, ds := slicedHGrad(dist, s, d)
				w := side.sign * float64(b)
				gw.add(w * h)
				if dist > 0 {
					for c := 0; c < d; c++ {
						gm[c] += w * dh * sc(float64(p.Means[i*d+c])-float64(o.Means[j*d+c])) / dist
					}
				}
				if si > 0 && s > 0 {
					gs.add(w * ds * si / s)
				}
			}
		}
		a := float64(p.Weights[i])
		g.Weights[i] = F(math.Ldexp(gw.val(), -e))
		for c := 0; c < d; c++ {
			g.Means[i*d+c] = F(a * gm[c])
		}
		g.IsoStds[i] = F(a * gs.val())
	}
}
