package cramer

// sampleSelf returns Σₖₗ wₖwₗ|xₖ − xₗ| (the full double sum; weights
// float64(F(1/N)) when x.Weights is nil) exactly in O(N log N), as
// 2·Σ gap·W≤·W> over the gaps between consecutive distinct sorted values,
// W≤ and W> the weights below and above the gap (compensated sums of
// positive terms: nothing cancels, and the identity holds whatever the total
// weight). x must be valid.
func (ws *Workspace[F]) sampleSelf(x Samples[F]) float64 {
	return ws.sampleSelfGrad(x, nil, nil)
}

// sampleSelfGrad returns sampleSelf(x) and, when dValues and dWeights are not
// nil (both of length N), writes in the original order of x
//
//	dValues[j]  = ∂/∂xⱼ Σₖₗ wₖwₗ|xₖ−xₗ| = 2wⱼ·Σₗ wₗ·sign(xⱼ−xₗ) = 2wⱼ·(W< − W>)
//	dWeights[j] = ∂/∂wⱼ Σₖₗ wₖwₗ|xₖ−xₗ| = 2·Σₗ wₗ|xⱼ−xₗ|
//
// with W< and W> the weights strictly below and above xⱼ (tied points
// contribute 0). Σₗ wₗ|z−xₗ| is split into the parts from the points below
// and above z, each a forward or backward recurrence over the gaps with only
// positive terms, so no cancellation occurs even far from the median.
func (ws *Workspace[F]) sampleSelfGrad(x Samples[F], dValues, dWeights []float64) float64 {
	if is64[F]() {
		return sampleSelfK[F, uint64](&ws.samples, x, dValues, dWeights)
	}
	return sampleSelfK[F, uint32](&ws.samples, x, dValues, dWeights)
}

// sampleSelfGradTo is sampleSelfGrad with the derivatives written in F
// (rounded once from float64).
func (ws *Workspace[F]) sampleSelfGradTo(x Samples[F], dValues, dWeights []F) float64 {
	if is64[F]() {
		return sampleSelfK[F, uint64](&ws.samples, x, dValues, dWeights)
	}
	return sampleSelfK[F, uint32](&ws.samples, x, dValues, dWeights)
}

// sampleSelfK computes the self sum and, when dValues is not nil, its
// derivatives in O (float64, or F).
func sampleSelfK[F Float, K radixKey, O Float](sc *sampleScratch, x Samples[F], dValues, dWeights []O) float64 {
	grad := dValues != nil
	n := len(x.Values)
	u := float64(F(1 / float64(n)))
	var tx tmpBuf[K]
	if grad {
		// dValues and dWeights are written last: the sort's ping-pong half.
		tx = tmpBuf[K]{asWords[K](dValues[:n]), asWords[uint32](dWeights[:n])}
	}
	a, b := sortSets[F, K](sc, x, Samples[F]{}, grad, false, u, 0, tx, tmpBuf[K]{})
	forwardWalk(sc, &a, &b, true)
	return backwardSelf(sc, &a, &b, dValues, dWeights)
}
