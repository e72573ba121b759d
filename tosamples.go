package cramer

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// SquaredToSamples returns ℓ₂²(p, x) between a mixture and a set of samples
// (point masses), in O(K·N + K² + N log N): the cross sum is a K×N Dirac pair
// sum (one square root and division per component, none per pair), the
// mixture's self sum is the symmetric pair sum, and the samples' self sum is
// exact by sorting. The accuracy is absolute, about 1e-15 × the cross sum in
// float64; the result is clamped at 0.
//
// ℓ₂²(p, x) is an unbiased estimate of ℓ₂²(p, q) + const when x is drawn from q,
// and its gradient with respect to p is an unbiased estimate of the gradient
// of ℓ₂²(p, q) (the cross term is linear in the samples' distribution).
func SquaredToSamples[F Float](p Mixture[F], x Samples[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredToSamplesGrad(p, x, nil, nil)
}

// SquaredToSamplesGrad returns ℓ₂²(p, x) and fills gp (the mixture's
// derivatives, see MixtureGrad) and gx (the samples' value and weight
// derivatives); either may be nil.
func SquaredToSamplesGrad[F Float](p Mixture[F], x Samples[F], gp *MixtureGrad[F], gx *SamplesGrad[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredToSamplesGrad(p, x, gp, gx)
}

// SquaredToSamples is SquaredToSamples using the workspace's buffers.
func (ws *Workspace[F]) SquaredToSamples(p Mixture[F], x Samples[F]) (F, error) {
	return ws.SquaredToSamplesGrad(p, x, nil, nil)
}

// SquaredToSamplesGrad is SquaredToSamplesGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredToSamplesGrad(p Mixture[F], x Samples[F], gp *MixtureGrad[F], gx *SamplesGrad[F]) (F, error) {
	if err := p.validate("p"); err != nil {
		return 0, err
	}
	if err := x.validate("x"); err != nil {
		return 0, err
	}
	ws.toSamples(p, x, gp, gx)
	sc := &ws.scale
	if err := lossyCheck("p", p.Means, p.Stds, x.Values, nil, sc.exp, gp != nil || gx != nil, sc.cross); err != nil {
		return 0, err
	}
	return scaleBack[F]("p, x", sc.sq, sc.exp, 0x1p-50*sc.cross)
}

// toSamples is SquaredToSamplesGrad for inputs known to be valid. Problems
// of tiny magnitude are solved at a larger scale (see scaleState); ws.scale
// records the scale, the cross sum and ℓ₂² at that scale.
func (ws *Workspace[F]) toSamples(p Mixture[F], x Samples[F], gp *MixtureGrad[F], gx *SamplesGrad[F]) float64 {
	im := kernels.Active()
	k, n := len(p.Means), len(x.Values)
	sc := &ws.scale
	sc.exp = mixtureExponent[F](maxAbs(p.Means, p.Stds, x.Values), minPositive(p.Stds))
	if sc.exp != 0 {
		sc.pm, sc.ps = scaledInto(sc.pm, p.Means, sc.exp), scaledInto(sc.ps, p.Stds, sc.exp)
		sc.x = scaledInto(sc.x, x.Values, sc.exp)
		p = Mixture[F]{p.Weights, sc.pm, sc.ps}
		x = Samples[F]{sc.x, x.Weights}
	}
	wx := x.Weights
	if wx == nil {
		ws.xw = grow(ws.xw, n)
		for j := range ws.xw {
			ws.xw[j] = F(1 / float64(n))
		}
		wx = ws.xw
	}
	grad := gp != nil || gx != nil
	ws.va = variances(ws.va, p.Stds)
	ws.crossSums(im, p.Weights, p.Means, ws.va, wx, x.Values, nil, true, grad)
	cross := dot(p.Weights, ws.rowTot[:k])
	sc.cross = cross
	ws.selfA = ws.selfSums(im, ws.selfA, p.Weights, p.Means, ws.va, grad)
	selfP := selfOf(p.Weights, p.Stds, ws.selfA)
	var selfX float64
	if gx != nil {
		ws.dv, ws.dw = grow(ws.dv, n), grow(ws.dw, n)
		selfX = ws.sampleSelfGrad(Samples[F]{x.Values, wx}, ws.dv, ws.dw)
	} else {
		selfX = ws.sampleSelf(Samples[F]{x.Values, wx})
	}
	sc.sq = max(cross-0.5*(selfP+selfX), 0)
	if gp != nil {
		mixtureGrad(gp, p, ws.rowTot, ws.selfA, 1, sc.exp)
	}
	if gx != nil {
		gx.Values, gx.Weights = grow(gx.Values, n), grow(gx.Weights, n)
		colH, colD := ws.colTot[:n], ws.colTot[n:2*n]
		for j := 0; j < n; j++ {
			// cross: ∂/∂xⱼ Σᵢ aᵢ wⱼ h(μᵢ − xⱼ, σᵢ) = −wⱼ·colD[j]; self: −½·dv.
			gx.Values[j] = F(-float64(wx[j])*colD[j] - 0.5*ws.dv[j])
			gx.Weights[j] = F(math.Ldexp(colH[j]-0.5*ws.dw[j], -sc.exp))
		}
	}
	return math.Ldexp(sc.sq, -sc.exp)
}

// DistanceToSamples returns √SquaredToSamples(p, x).
func DistanceToSamples[F Float](p Mixture[F], x Samples[F]) (F, error) {
	d, err := SquaredToSamples(p, x)
	return F(math.Sqrt(float64(d))), err
}
