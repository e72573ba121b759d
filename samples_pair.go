package cramer

// samplePair computes ℓ₂²(x, y) and its gradients (see SquaredSamplesGrad)
// for sets whose weights are valid, and whose values are when check is not
// set. With check, the values are checked as they are sorted: when one is
// NaN, infinite or beyond MaxMagnitude, or when the sets are of so small a
// magnitude that they must be computed at a larger scale
// (squaredSamplesScaled; ws.samples.maxAbs then tells), it returns 0 before
// it writes a gradient, which may share memory with the values that the
// caller then reads again, and leaves the gradients' contents unspecified.
func (ws *Workspace[F]) samplePair(x, y Samples[F], gx, gy *SamplesGrad[F], check bool) float64 {
	if is64[F]() {
		return samplePairK[F, uint64](&ws.samples, x, y, gx, gy, check)
	}
	return samplePairK[F, uint32](&ws.samples, x, y, gx, gy, check)
}

func samplePairK[F Float, K radixKey](sc *sampleScratch, x, y Samples[F], gx, gy *SamplesGrad[F], check bool) float64 {
	grad := gx != nil || gy != nil
	// The gradient outputs are written last: the sorts' ping-pong halves.
	tx := outputTmp[F, K](gx, len(x.Values), x.Values, x.Weights, y.Values, y.Weights)
	ty := outputTmp[F, K](gy, len(y.Values), x.Values, x.Weights, y.Values, y.Weights)
	a, b := sortSets(sc, x, y, gx != nil, gy != nil, 1/float64(len(x.Values)), 1/float64(len(y.Values)), tx, ty)
	if check && !(sc.maxAbs <= MaxMagnitude[F]() && scaleExponent(sc.maxAbs, minUnscaled[F]()) == 0) {
		// A NaN, an infinity or a value too large, which the caller
		// reports, or sets the caller computes at a larger scale.
		return 0
	}
	if x.Weights == nil && y.Weights == nil {
		countWeights(&a, &b, len(x.Values), len(y.Values))
	}
	// The walks' Σ gap·C² in units of scale².
	s2 := a.scale * a.scale
	if grad && is64[F]() {
		// float64 gradients hold each point's C< and L between the walks.
		var xv, xw, yv, yw []float64
		if gx != nil {
			xv, xw = asFloat64(gx.Values), asFloat64(gx.Weights)
		}
		if gy != nil {
			yv, yw = asFloat64(gy.Values), asFloat64(gy.Weights)
		}
		return pairGradSlots(sc, &a, &b, xv, xw, yv, yw) * s2
	}
	// The value: Σ gap·C², C the CDF difference below the gap.
	v := forwardWalk(sc, &a, &b, grad) * s2
	if !grad {
		return v
	}
	// The gradients, with S(z) = C< − C> and B(z) = L(z) + R(z).
	var xv, xw, yv, yw []F
	if gx != nil {
		xv, xw = gx.Values, gx.Weights
	}
	if gy != nil {
		yv, yw = gy.Values, gy.Weights
	}
	backwardPair(sc, &a, &b, xv, xw, yv, yw)
	return v
}
