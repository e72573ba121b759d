package cramer

import (
	"math"
	"slices"

	"github.com/gmmkit/cramer/kernels"
)

// Squared returns the squared Cramér 2-distance ℓ₂²(p, q) = ∫(F_p − F_q)² dx
// between two Gaussian mixtures, by the closed form
//
//	ℓ₂² = Σᵢⱼ aᵢbⱼ hᵢⱼ − ½ Σᵢⱼ aᵢaⱼ h′ᵢⱼ − ½ Σᵢⱼ bᵢbⱼ h″ᵢⱼ,   h(d, s) = E|N(d, s²)|,
//
// in O(K·M + K² + M²) pair terms. Parameters are validated first (an
// *InputError names the argument, field and index). The three sums nearly
// cancel when p ≈ q, so the accuracy is absolute: about 1e-15 × the cross
// sum in float64 (see the README's Accuracy section for the measured
// contract). The result is clamped at 0, is exactly 0 for identical
// arguments, and is symmetric to the last bit. ℓ₂² is homogeneous: inputs of
// tiny magnitude are solved at a power-of-two larger scale and the value and
// weight derivatives scaled back (see Mixture for the two cases that remain
// errors).
//
// It allocates a fresh Workspace; use Workspace.Squared in loops.
func Squared[F Float](p, q Mixture[F]) (F, error) {
	var ws Workspace[F]
	return ws.Squared(p, q)
}

// Distance returns the Cramér 2-distance ℓ₂ = √ℓ₂² (see Squared). SciPy's
// energy distance between the same distributions is √2·ℓ₂.
func Distance[F Float](p, q Mixture[F]) (F, error) {
	d, err := Squared(p, q)
	return F(math.Sqrt(float64(d))), err
}

// SquaredGrad returns ℓ₂²(p, q) like Squared and fills gp and gq (either may
// be nil) with its partial derivatives with respect to every weight, mean and
// std (see MixtureGrad). The derivatives are bounded: |∂/∂μᵢ| ≤ 2aᵢ,
// |∂/∂σᵢ| ≤ 2aᵢ·√(2/π). Slices of gp and gq are grown as needed.
func SquaredGrad[F Float](p, q Mixture[F], gp, gq *MixtureGrad[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredGrad(p, q, gp, gq)
}

// Squared is Squared using the workspace's buffers: no allocation once warm.
func (ws *Workspace[F]) Squared(p, q Mixture[F]) (F, error) {
	return ws.SquaredGrad(p, q, nil, nil)
}

// Distance is Distance using the workspace's buffers.
func (ws *Workspace[F]) Distance(p, q Mixture[F]) (F, error) {
	d, err := ws.Squared(p, q)
	return F(math.Sqrt(float64(d))), err
}

// SquaredGrad is SquaredGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredGrad(p, q Mixture[F], gp, gq *MixtureGrad[F]) (F, error) {
	if err := p.validate("p"); err != nil {
		return 0, err
	}
	if err := q.validate("q"); err != nil {
		return 0, err
	}
	ws.squaredMixtures(p, q, nil, nil, gp, gq)
	sc := &ws.scale
	grad := gp != nil || gq != nil
	if err := lossyCheck("p", p.Means, p.Stds, q.Means, q.Stds, sc.exp, grad, sc.cross); err != nil {
		return 0, err
	}
	if err := lossyCheck("q", q.Means, q.Stds, p.Means, p.Stds, sc.exp, grad, sc.cross); err != nil {
		return 0, err
	}
	return scaleBack[F]("p, q", sc.sq, sc.exp, 0x1p-50*sc.cross)
}

// squaredMixtures is SquaredGrad for inputs known to be valid. Problems of
// tiny magnitude are solved at a larger scale (see scaleState); ws.scale
// records the scale, the cross sum and ℓ₂² at that scale. pv and qv, when
// not nil, are the variances of p's and q's components (see variancesOf).
func (ws *Workspace[F]) squaredMixtures(p, q Mixture[F], pv, qv []F, gp, gq *MixtureGrad[F]) float64 {
	// Compute in a canonical argument order so that swapping p and q gives
	// the same bits.
	c := compareMixtures(p, q)
	if c == 0 {
		c = slices.Compare(pv, qv)
	}
	if c > 0 {
		p, q, pv, qv, gp, gq = q, p, qv, pv, gq, gp
	}
	sc := &ws.scale
	sc.exp = mixtureExponent[F](maxAbs(p.Means, p.Stds, q.Means, q.Stds), minPositive(p.Stds, q.Stds))
	if sc.exp != 0 {
		sc.pm, sc.ps = scaledInto(sc.pm, p.Means, sc.exp), scaledInto(sc.ps, p.Stds, sc.exp)
		sc.qm, sc.qs = scaledInto(sc.qm, q.Means, sc.exp), scaledInto(sc.qs, q.Stds, sc.exp)
		p = Mixture[F]{p.Weights, sc.pm, sc.ps}
		q = Mixture[F]{q.Weights, sc.qm, sc.qs}
	}
	sq := ws.mixtures(kernels.Active(), p, q, pv, qv, gp, gq)
	if c == 0 {
		sq = 0 // the cancellation is exact for identical arguments
	}
	sc.sq = sq
	return math.Ldexp(sq, -sc.exp)
}

// mixtures computes ℓ₂²(p, q) and the gradients into gp and gq (either may
// be nil; the gradient sums are computed when one is not), with the weight
// derivatives multiplied by 2^−ws.scale.exp. It sets ws.scale.cross. p and q
// are at scale 2^ws.scale.exp; pv and qv (or nil) are their variances at
// scale 1 (see variancesOf).
func (ws *Workspace[F]) mixtures(im *kernels.Impl, p, q Mixture[F], pv, qv []F, gp, gq *MixtureGrad[F]) float64 {
	k := len(p.Means)
	grad := gp != nil || gq != nil
	ws.va = variancesOf(ws.va, p.Stds, pv, 2*ws.scale.exp)
	ws.vb = variancesOf(ws.vb, q.Stds, qv, 2*ws.scale.exp)
	ws.crossSums(im, p.Weights, p.Means, ws.va, q.Weights, q.Means, ws.vb, false, grad)
	cross := dot(p.Weights, ws.rowTot[:k])
	ws.scale.cross = cross
	ws.selfA = ws.selfSums(im, ws.selfA, p.Weights, p.Means, ws.va, grad)
	ws.selfB = ws.selfSums(im, ws.selfB, q.Weights, q.Means, ws.vb, grad)
	sq := cross - 0.5*(selfOf(p.Weights, p.Stds, ws.selfA)+selfOf(q.Weights, q.Stds, ws.selfB))
	if gp != nil {
		mixtureGrad(gp, p, ws.rowTot, ws.selfA, 1, ws.scale.exp)
	}
	if gq != nil {
		mixtureGrad(gq, q, ws.colTot, ws.selfB, -1, ws.scale.exp)
	}
	return max(sq, 0)
}

// selfOf returns Σᵢⱼ wᵢwⱼ hᵢⱼ from the upper-triangle row totals that
// selfSums leaves in the last k entries of its output.
func selfOf[F Float](w, stds []F, sums []float64) float64 {
	k := len(w)
	rows := sums[len(sums)-k:]
	var s ksum
	for i := 0; i < k; i++ {
		wi := float64(w[i])
		s.add(wi * wi * diagTerm(float64(stds[i])))
		s.add(2 * wi * rows[i])
	}
	return s.val()
}

// mixtureGrad assembles ∂ℓ₂²/∂(weights, means, stds) of mixture p from its
// cross GradSums against the other side (H, D, R blocks of length K in cross;
// sign = −1 when p is the column side, whose D has the opposite sign) and its
// own off-diagonal self GradSums, for a problem solved at scale 2^e (the
// weight derivatives are multiplied by 2^−e).
func mixtureGrad[F Float](g *MixtureGrad[F], p Mixture[F], cross, self []float64, sign float64, e int) {
	k := len(p.Means)
	g.Weights = grow(g.Weights, k)
	g.Means = grow(g.Means, k)
	g.Stds = grow(g.Stds, k)
	for i := 0; i < k; i++ {
		a, sd := float64(p.Weights[i]), float64(p.Stds[i])
		g.Weights[i] = F(math.Ldexp(cross[i]-(self[i]+a*diagTerm(sd)), -e))
		g.Means[i] = F(a * (sign*cross[k+i] - self[k+i]))
		if sd > 0 {
			g.Stds[i] = F(a * (sd*(cross[2*k+i]-self[2*k+i]) - a/math.SqrtPi))
		} else {
			g.Stds[i] = 0
		}
	}
}

// compareMixtures orders mixtures by length, then by the bits of weights,
// means and stds; 0 means identical parameters.
func compareMixtures[F Float](p, q Mixture[F]) int {
	if c := len(p.Means) - len(q.Means); c != 0 {
		return c
	}
	for _, pair := range [3][2][]F{{p.Weights, q.Weights}, {p.Means, q.Means}, {p.Stds, q.Stds}} {
		if c := slices.Compare(pair[0], pair[1]); c != 0 {
			return c
		}
	}
	return 0
}
