package cramer

import (
	"cmp"
	"math"
)

// maxSamples is the largest number of points of a sample set (the sorts
// carry 32-bit indices and counters).
const maxSamples = 1<<32 - 1

// checkSampleCount returns an *InputError when a set of n points is too
// large to sort.
func checkSampleCount(arg string, n int) error {
	if uint64(n) > maxSamples {
		return &InputError{arg, "values", -1, "more than 2³² − 1 points"}
	}
	return nil
}

// compareSamples orders sample sets by length, then values, then effective
// weights (1/N when nil); 0 means the same points with the same weights.
func compareSamples[F Float](x, y Samples[F]) int {
	if c := len(x.Values) - len(y.Values); c != 0 {
		return c
	}
	for i := range x.Values {
		if c := cmp.Compare(float64(x.Values[i]), float64(y.Values[i])); c != 0 {
			return c
		}
	}
	if x.Weights == nil && y.Weights == nil {
		return 0
	}
	u := 1 / float64(len(x.Values))
	for i := range x.Values {
		wx, wy := u, u
		if x.Weights != nil {
			wx = float64(x.Weights[i])
		}
		if y.Weights != nil {
			wy = float64(y.Weights[i])
		}
		if c := cmp.Compare(wx, wy); c != 0 {
			return c
		}
	}
	return 0
}

// SquaredSamples returns the exact ℓ₂² = ∫(F−G)² between two sample sets
// (weighted, or 1/N each when Weights is nil), in O((N+M) log(N+M)): the CDF
// difference C is constant between consecutive points of the merged sorted
// sets, so ℓ₂² = Σ gap·C², a sum of positive terms computed in float64 with
// compensated cumulative weights. For two unweighted sets C is exact (the
// points are counted: i/N − j/M = (i·M − j·N)/(N·M)), so even nearly equal
// CDFs of sets of different sizes keep every digit; with weights, C
// carries the roundings of the weights' sums, a few units in the last place
// of the cumulative weight. The result is ≥ 0 by construction, exactly 0
// for identical arguments, and symmetric to the last bit. Only differences
// of values enter, so a large common offset costs no accuracy.
// SciPy's scipy.stats.energy_distance(x, y) is √(2·ℓ₂²).
//
// Arguments are validated (an *InputError names "x" or "y", the field and
// the index). It allocates a fresh Workspace; use
// Workspace.SquaredSamples in loops.
func SquaredSamples[F Float](x, y Samples[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredSamplesGrad(x, y, nil, nil)
}

// DistanceSamples returns √SquaredSamples(x, y).
func DistanceSamples[F Float](x, y Samples[F]) (F, error) {
	d, err := SquaredSamples(x, y)
	return F(math.Sqrt(float64(d))), err
}

// SquaredSamplesGrad returns ℓ₂²(x, y) like SquaredSamples and fills gx and gy
// (either may be nil; their slices are grown as needed) with the partial
// derivatives with respect to every value and weight. With the energy form
// ℓ₂² = E|X−Y| − ½E|X−X′| − ½E|Y−Y′| and the weights as free variables,
//
//	∂/∂xⱼ = −wⱼ·S(xⱼ),  ∂/∂yⱼ = vⱼ·S(yⱼ),  ∂/∂wⱼ = −B(xⱼ),  ∂/∂vⱼ = B(yⱼ),
//
// where S(z) = Σₗ cₗ·sign(z − zₗ) and B(z) = Σₗ cₗ|z − zₗ| over the merged
// points zₗ with signed weights cₗ (+w for x, −v for y). A value derivative at
// a tie takes sign(0) = 0. For unweighted sets the weight derivatives are
// those at the implied weights 1/N.
//
// gx and gy may share memory with x and y (the gradients are written after
// the inputs are last read), but not with each other. Otherwise their memory
// serves as scratch of the sort before it receives the gradients, which
// keeps the scratch of a call within about 1.75× the input in float64 (see
// the README). When an error is returned, gx's and gy's slices keep their
// lengths, but their contents are unspecified.
func SquaredSamplesGrad[F Float](x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredSamplesGrad(x, y, gx, gy)
}

// SquaredSamples is SquaredSamples using the workspace's buffers: no
// allocation once warm.
func (ws *Workspace[F]) SquaredSamples(x, y Samples[F]) (F, error) {
	return ws.SquaredSamplesGrad(x, y, nil, nil)
}

// DistanceSamples is DistanceSamples using the workspace's buffers.
func (ws *Workspace[F]) DistanceSamples(x, y Samples[F]) (F, error) {
	d, err := ws.SquaredSamples(x, y)
	return F(math.Sqrt(float64(d))), err
}

// SquaredSamplesGrad is SquaredSamplesGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredSamplesGrad(x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	if x.sortable() && y.sortable() {
		// The values are checked, and their largest magnitude found, by the
		// sorts (the ends of the sorted keys), without a sweep of their
		// own. Invalid values (reported below) and sets of tiny magnitude
		// (rescaled below) are not computed further, and the gradients'
		// slices get their lengths back.
		var g [4][]F
		if gx != nil {
			g[0], g[1] = gx.Values, gx.Weights
		}
		if gy != nil {
			g[2], g[3] = gy.Values, gy.Weights
		}
		v := ws.squaredSamplesChecking(x, y, gx, gy, true)
		if m := ws.samples.maxAbs; m <= MaxMagnitude[F]() && scaleExponent(m, minUnscaled[F]()) == 0 {
			ws.scale.exp = 0
			return scaleBack[F]("x, y", v, 0, 0)
		}
		if gx != nil {
			gx.Values, gx.Weights = g[0], g[1]
		}
		if gy != nil {
			gy.Values, gy.Weights = g[2], g[3]
		}
	}
	mx, err := x.validateMax("x")
	if err != nil {
		return 0, err
	}
	my, err := y.validateMax("y")
	if err != nil {
		return 0, err
	}
	if err := checkSampleCount("x", len(x.Values)); err != nil {
		return 0, err
	}
	if err := checkSampleCount("y", len(y.Values)); err != nil {
		return 0, err
	}
	return ws.squaredSamplesScaled(x, y, max(mx, my), gx, gy)
}

// squaredSamples is SquaredSamplesGrad for inputs known to be valid.
func (ws *Workspace[F]) squaredSamples(x, y Samples[F], gx, gy *SamplesGrad[F]) float64 {
	return ws.squaredSamplesChecking(x, y, gx, gy, false)
}

// squaredSamplesChecking is squaredSamples for sets whose values have not
// been checked when check is set: see samplePair.
func (ws *Workspace[F]) squaredSamplesChecking(x, y Samples[F], gx, gy *SamplesGrad[F], check bool) float64 {
	if gx != nil {
		gx.Values, gx.Weights = grow(gx.Values, len(x.Values)), grow(gx.Weights, len(x.Values))
	}
	if gy != nil {
		gy.Values, gy.Weights = grow(gy.Values, len(y.Values)), grow(gy.Weights, len(y.Values))
	}
	// Canonical order: ℓ₂²(x, y) and ℓ₂²(y, x) run the same computation.
	if compareSamples(x, y) > 0 {
		x, y, gx, gy = y, x, gy, gx
	}
	return ws.samplePair(x, y, gx, gy, check)
}

// sortable reports whether s passes the checks of validate other than those
// of its values and has at most maxSamples points.
func (s Samples[F]) sortable() bool {
	n := len(s.Values)
	if n == 0 || uint64(n) > maxSamples {
		return false
	}
	return s.Weights == nil || len(s.Weights) == n && checkWeights("", s.Weights) == nil
}

// cmpFloat orders two numbers known not to be NaN (cheaper than cmp.Compare).
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
