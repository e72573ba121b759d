package cramer

import "math"

// The sliced entry points: package functions that allocate a fresh
// SlicedWorkspace, and the workspace's methods, which check the arguments
// (pairArgs), scale tiny problems (scale.go), run the directions
// (sliced_workspace.go) and assemble the gradients (sliced_chainrule.go).

// SlicedSquared returns the sliced squared Cramér 2-distance between two
// mixtures in R^D over the given directions: (1/L) Σₗ ℓ₂²(θₗ#P, θₗ#Q), where
// θ#P is the univariate mixture of projected means θᵀmᵢ and projected
// variances θᵀΣᵢθ. Each term is computed by the univariate closed form (see
// Squared). It allocates a fresh workspace; see SlicedWorkspace.
func SlicedSquared[F Float](p, q MixtureND[F], dirs Directions[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredGrad(p, q, dirs, nil, nil)
}

// SlicedDistance returns √SlicedSquared.
func SlicedDistance[F Float](p, q MixtureND[F], dirs Directions[F]) (F, error) {
	d, err := SlicedSquared(p, q, dirs)
	return F(math.Sqrt(float64(d))), err
}

// SlicedSquaredGrad is SlicedSquared with the derivatives with respect to
// every parameter of p and q (gp, gq may be nil; their slices are grown).
func SlicedSquaredGrad[F Float](p, q MixtureND[F], dirs Directions[F], gp, gq *MixtureNDGrad[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredGrad(p, q, dirs, gp, gq)
}

// SlicedSquaredToSamples returns the sliced ℓ₂² between a mixture and a
// sample set over the given directions: (1/L) Σₗ ℓ₂²(θₗ#P, θₗ#X), each term
// by the univariate SquaredToSamples. It allocates a fresh workspace; see
// SlicedWorkspace.
func SlicedSquaredToSamples[F Float](p MixtureND[F], x SamplesND[F], dirs Directions[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredToSamplesGrad(p, x, dirs, nil, nil)
}

// SlicedSquaredToSamplesGrad is SlicedSquaredToSamples with the derivatives
// with respect to the mixture's parameters (gp) and the samples' values and
// weights (gx); either may be nil, their slices are grown.
func SlicedSquaredToSamplesGrad[F Float](p MixtureND[F], x SamplesND[F], dirs Directions[F], gp *MixtureNDGrad[F], gx *SamplesNDGrad[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredToSamplesGrad(p, x, dirs, gp, gx)
}

// SlicedSquaredSamples returns the sliced ℓ₂² between two sample sets over
// the given directions, exact per direction by sorting (O(L·N log N)). It
// allocates a fresh workspace; see SlicedWorkspace.
func SlicedSquaredSamples[F Float](x, y SamplesND[F], dirs Directions[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredSamplesGrad(x, y, dirs, nil, nil)
}

// SlicedSquaredSamplesGrad is SlicedSquaredSamples with the derivatives with
// respect to the values and weights of both sets (gx, gy may be nil; their
// slices are grown).
func SlicedSquaredSamplesGrad[F Float](x, y SamplesND[F], dirs Directions[F], gx, gy *SamplesNDGrad[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredSamplesGrad(x, y, dirs, gx, gy)
}

// Squared is SlicedSquared using the workspace's buffers.
func (sw *SlicedWorkspace[F]) Squared(p, q MixtureND[F], dirs Directions[F]) (F, error) {
	return sw.SquaredGrad(p, q, dirs, nil, nil)
}

// Distance is SlicedDistance using the workspace's buffers.
func (sw *SlicedWorkspace[F]) Distance(p, q MixtureND[F], dirs Directions[F]) (F, error) {
	d, err := sw.SquaredGrad(p, q, dirs, nil, nil)
	return F(math.Sqrt(float64(d))), err
}

// SquaredToSamples is SlicedSquaredToSamples using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredToSamples(p MixtureND[F], x SamplesND[F], dirs Directions[F]) (F, error) {
	return sw.SquaredToSamplesGrad(p, x, dirs, nil, nil)
}

// SquaredSamples is SlicedSquaredSamples using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredSamples(x, y SamplesND[F], dirs Directions[F]) (F, error) {
	return sw.SquaredSamplesGrad(x, y, dirs, nil, nil)
}

// SquaredGrad is SlicedSquaredGrad using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredGrad(p, q MixtureND[F], dirs Directions[F], gp, gq *MixtureNDGrad[F]) (F, error) {
	if err := pairArgs[F]("p", p.Dim, p.validate("p"), "q", q.Dim, q.validate("q"), &dirs); err != nil {
		return 0, err
	}
	sw.kind, sw.dirs = sliceMix, dirs
	if err := sw.scaleMixtures(p, q, true); err != nil {
		return 0, err
	}
	sw.gradP, sw.gradQ = gp != nil, gq != nil
	v := sw.run()
	if gp != nil {
		sw.finishMixtureGrad(gp, p, func(g *slicedGroup[F]) *ndAcc { return &g.accP })
		ldexpTo(gp.Weights, sw.scale.exp)
	}
	if gq != nil {
		sw.finishMixtureGrad(gq, q, func(g *slicedGroup[F]) *ndAcc { return &g.accQ })
		ldexpTo(gq.Weights, sw.scale.exp)
	}
	return scaleBack[F]("p, q", v, sw.scale.exp, 0)
}

// SquaredToSamplesGrad is SlicedSquaredToSamplesGrad using the workspace's
// buffers.
func (sw *SlicedWorkspace[F]) SquaredToSamplesGrad(p MixtureND[F], x SamplesND[F], dirs Directions[F], gp *MixtureNDGrad[F], gx *SamplesNDGrad[F]) (F, error) {
	if err := pairArgs[F]("p", p.Dim, p.validate("p"), "x", x.Dim, x.validate("x"), &dirs); err != nil {
		return 0, err
	}
	if err := checkSampleCount("x", len(x.Values)/x.Dim); err != nil {
		return 0, err
	}
	sw.kind, sw.x, sw.dirs = sliceToSamples, x, dirs
	if err := sw.scaleMixtures(p, MixtureND[F]{}, false); err != nil {
		return 0, err
	}
	sw.gradP, sw.gradX = gp != nil, gx != nil
	sw.outX = outputAcc(gx, x, x.Values, x.Weights, dirs.Theta, p.Weights, p.Means, p.IsoStds, p.DiagStds, p.Chol)
	defer sw.releaseOutputs()
	v := sw.run()
	if gp != nil {
		sw.finishMixtureGrad(gp, p, func(g *slicedGroup[F]) *ndAcc { return &g.accP })
		ldexpTo(gp.Weights, sw.scale.exp)
	}
	if gx != nil {
		sw.finishSamplesGrad(gx, x, func(g *slicedGroup[F]) ([]float64, []float64) { return g.accX, g.accXw })
		ldexpTo(gx.Weights, sw.scale.exp)
	}
	return scaleBack[F]("p, x", v, sw.scale.exp, 0)
}

// SquaredSamplesGrad is SlicedSquaredSamplesGrad using the workspace's
// buffers.
func (sw *SlicedWorkspace[F]) SquaredSamplesGrad(x, y SamplesND[F], dirs Directions[F], gx, gy *SamplesNDGrad[F]) (F, error) {
	if err := pairArgs[F]("x", x.Dim, x.validate("x"), "y", y.Dim, y.validate("y"), &dirs); err != nil {
		return 0, err
	}
	if err := checkSampleCount("x", len(x.Values)/x.Dim); err != nil {
		return 0, err
	}
	if err := checkSampleCount("y", len(y.Values)/y.Dim); err != nil {
		return 0, err
	}
	sw.kind, sw.dirs = sliceSampleSets, dirs
	sw.scaleSampleSets(x, y)
	sw.gradX, sw.gradY = gx != nil, gy != nil
	sw.outX = outputAcc(gx, x, x.Values, x.Weights, y.Values, y.Weights, dirs.Theta)
	sw.outY = outputAcc(gy, y, x.Values, x.Weights, y.Values, y.Weights, dirs.Theta)
	if sw.outX != nil && sw.outY != nil && (overlaps(sw.outX.Values, sw.outY.Values) || overlaps(sw.outX.Values, sw.outY.Weights) ||
		overlaps(sw.outX.Weights, sw.outY.Values) || overlaps(sw.outX.Weights, sw.outY.Weights)) {
		sw.outY = nil
	}
	defer sw.releaseOutputs()
	v := sw.run()
	if gx != nil {
		sw.finishSamplesGrad(gx, x, func(g *slicedGroup[F]) ([]float64, []float64) { return g.accX, g.accXw })
		ldexpTo(gx.Weights, sw.scale.exp)
	}
	if gy != nil {
		sw.finishSamplesGrad(gy, y, func(g *slicedGroup[F]) ([]float64, []float64) { return g.accY, g.accYw })
		ldexpTo(gy.Weights, sw.scale.exp)
	}
	return scaleBack[F]("x, y", v, sw.scale.exp, 0)
}
