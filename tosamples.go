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
	if err := checkSampleCount("x", len(x.Values)); err != nil {
		return 0, err
	}
	ws.toSamples(p, nil, x, gp, gx)
	sc := &ws.scale
	if err := lossyCheck("p", p.Means, p.Stds, x.Values, nil, sc.exp, gp != nil || gx != nil, sc.cross); err != nil {
		return 0, err
	}
	return scaleBack[F]("p, x", sc.sq, sc.exp, 0x1p-50*sc.cross)
}

// toSamplesChunkTiles is the smallest number of column tiles whose
// cross-sum gradients are computed at a time (two per thread when there are
// more threads).
const toSamplesChunkTiles = 4

// toSamples is SquaredToSamplesGrad for inputs known to be valid. Problems
// of tiny magnitude are solved at a larger scale (see scaleState); ws.scale
// records the scale, the cross sum and ℓ₂² at that scale. Scratch: the sort
// of the samples (keys and indices; the gradient outputs serve as the
// ping-pong half) and, with gradients, the column sums of one chunk of
// max(4, 2·threads) column tiles.
//
// pv, when not nil, holds the variances of p's components (see variancesOf).
func (ws *Workspace[F]) toSamples(p Mixture[F], pv []F, x Samples[F], gp *MixtureGrad[F], gx *SamplesGrad[F]) float64 {
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
		// Uniform weights: one tile of them serves every column tile.
		ws.xw = grow(ws.xw, min(n, crossTileCols))
		for j := range ws.xw {
			ws.xw[j] = F(1 / float64(n))
		}
		wx = ws.xw
	}
	grad := gp != nil || gx != nil
	ws.va = variancesOf(ws.va, p.Stds, pv, 2*sc.exp)
	// (Unweighted samples weigh float64(F(1/N)) each in the self sum too.)
	var selfX float64
	if !grad {
		ws.crossSums(im, p.Weights, p.Means, ws.va, wx, x.Values, nil, true, false)
		selfX = ws.sampleSelf(x)
	} else {
		// The samples' self-sum derivatives first, into gx; then the cross
		// sums in chunks of columns, each finishing its part of gx, so that
		// the column scratch is one chunk's.
		alias := false
		if gx != nil {
			gx.Values, gx.Weights = grow(gx.Values, n), grow(gx.Weights, n)
			alias = overlaps(gx.Values, x.Values) || overlaps(gx.Values, x.Weights) ||
				overlaps(gx.Weights, x.Values) || overlaps(gx.Weights, x.Weights)
		}
		switch {
		case alias:
			// gx shares memory with x, which the cross sums still read:
			// the self-sum derivatives go to scratch.
			ws.dv, ws.dw = grow(ws.dv, n), grow(ws.dw, n)
			selfX = ws.sampleSelfGrad(x, ws.dv, ws.dw)
		case gx != nil:
			selfX = ws.sampleSelfGradTo(x, gx.Values, gx.Weights)
		default:
			selfX = ws.sampleSelf(x)
		}
		ws.rowTot = zeroed(ws.rowTot, 3*k)
		chunk := max(toSamplesChunkTiles, 2*ws.threads()) * crossTileCols
		for c0 := 0; c0 < n; c0 += chunk {
			c1 := min(n, c0+chunk)
			wc := wx
			if x.Weights != nil {
				wc = wx[c0:c1]
			}
			ws.crossSumsAcc(im, p.Weights, p.Means, ws.va, wc, x.Values[c0:c1], nil, true, true, true)
			if gx == nil {
				continue
			}
			colH, colD := ws.colTot[:c1-c0], ws.colTot[c1-c0:2*(c1-c0)]
			for j := c0; j < c1; j++ {
				// cross: ∂/∂xⱼ Σᵢ aᵢ wⱼ h(μᵢ − xⱼ, σᵢ) = −wⱼ·colD; self: −½ of
				// what gx holds.
				w := float64(wx[0]) // uniform weights (a tile of them)
				if x.Weights != nil {
					w = float64(x.Weights[j])
				}
				sv, sw := float64(gx.Values[j]), float64(gx.Weights[j])
				if alias {
					sv, sw = ws.dv[j], ws.dw[j]
				}
				gx.Values[j] = F(-w*colD[j-c0] - 0.5*sv)
				gx.Weights[j] = F(math.Ldexp(colH[j-c0]-0.5*sw, -sc.exp))
			}
		}
	}
	cross := dot(p.Weights, ws.rowTot[:k])
	sc.cross = cross
	ws.selfA = ws.selfSums(im, ws.selfA, p.Weights, p.Means, ws.va, grad)
	selfP := selfOf(p.Weights, p.Stds, ws.selfA)
	sc.sq = max(cross-0.5*(selfP+selfX), 0)
	if gp != nil {
		mixtureGrad(gp, p, ws.rowTot, ws.selfA, 1, sc.exp)
	}
	return math.Ldexp(sc.sq, -sc.exp)
}

// DistanceToSamples returns √SquaredToSamples(p, x).
func DistanceToSamples[F Float](p Mixture[F], x Samples[F]) (F, error) {
	d, err := SquaredToSamples(p, x)
	return F(math.Sqrt(float64(d))), err
}

// DistanceToSamples is DistanceToSamples using the workspace's buffers.
func (ws *Workspace[F]) DistanceToSamples(p Mixture[F], x Samples[F]) (F, error) {
	d, err := ws.SquaredToSamples(p, x)
	return F(math.Sqrt(float64(d))), err
}
