package cramer

import "math"

// The chain rule of the sliced sums: each direction's univariate gradient
// (with respect to the projected weights, means and stds) is accumulated in
// float64 into the gradient of the D-dimensional parameters, per group of
// directions, and the groups are combined in order at the end.

// ndAcc accumulates the gradient of a MixtureND in float64.
type ndAcc struct{ w, m, cov []float64 }

// part returns the weight (0), mean (1) or covariance (2) accumulator.
func (a *ndAcc) part(i int) []float64 {
	switch i {
	case 0:
		return a.w
	case 1:
		return a.m
	}
	return a.cov
}

func (a *ndAcc) reset(k, d, ncov int) {
	a.w, a.m, a.cov = grow(a.w, k), grow(a.m, k*d), grow(a.cov, ncov)
	clear(a.w)
	clear(a.m)
	clear(a.cov)
}

func covLen[F Float](p MixtureND[F]) int {
	switch p.kind() {
	case covChol:
		return len(p.Chol)
	case covDiag:
		return len(p.DiagStds)
	}
	return len(p.IsoStds)
}

// accumulateDirection adds the univariate gradients that slot gr computed
// for direction l to the accumulators of acc.
func (sw *SlicedWorkspace[F]) accumulateDirection(acc, gr *slicedGroup[F], l int) {
	d := sw.dirs.Dim
	theta := sw.dirs.Theta[l*d : (l+1)*d]
	if sw.gradP {
		accumulateMixture(&acc.accP, &acc.u, sw.p, gr.p1.Stds, &gr.gp1, theta)
	}
	if sw.gradX {
		accumulateSamples(acc.accX, acc.accXw, &gr.gx1, theta)
	}
	if sw.gradY {
		accumulateSamples(acc.accY, acc.accYw, &gr.gy1, theta)
	}
}

// accumulateMixture adds one direction's univariate gradient g (with respect
// to the projected weights, means and stds) to the mixture's accumulators by
// the chain rule: ∂/∂mᵢ = g.Means[i]·θ, and for the covariance parameters
// ∂sᵢ/∂(·) of the projected std sᵢ = √(θᵀΣᵢθ) (0 when sᵢ = 0).
func accumulateMixture[F Float](a *ndAcc, u *[]float64, p MixtureND[F], stds []F, g *MixtureGrad[F], theta []F) {
	k, d := len(p.Weights), p.Dim
	kind := p.kind()
	var norm float64 // ‖θ‖, for isotropic components
	switch kind {
	case covIso:
		norm = math.Sqrt(sqNorm(theta))
	case covChol:
		*u = grow(*u, d)
	}
	for i := 0; i < k; i++ {
		a.w[i] += float64(g.Weights[i])
		gm := float64(g.Means[i])
		for j, t := range theta {
			a.m[i*d+j] += gm * float64(t)
		}
		s := float64(stds[i])
		gs := float64(g.Stds[i])
		if s == 0 || gs == 0 {
			continue
		}
		switch kind {
		case covIso:
			// s = σ·‖θ‖
			a.cov[i] += gs * norm
		case covDiag:
			for j, t := range theta {
				sd := float64(p.DiagStds[i*d+j])
				a.cov[i*d+j] += gs * sd * float64(t) * float64(t) / s
			}
		case covChol:
			l := p.Chol[i*d*d : (i+1)*d*d]
			for c := 0; c < d; c++ {
				var uc float64
				for r := c; r < d; r++ {
					uc = math.FMA(float64(l[r*d+c]), float64(theta[r]), uc)
				}
				(*u)[c] = uc
			}
			for r := 0; r < d; r++ {
				for c := 0; c <= r; c++ {
					a.cov[i*d*d+r*d+c] += gs * float64(theta[r]) * (*u)[c] / s
				}
			}
		}
	}
}

func accumulateSamples[F Float](acc, accw []float64, g *SamplesGrad[F], theta []F) {
	d := len(theta)
	for i, gv := range g.Values {
		for j, t := range theta {
			acc[i*d+j] += float64(gv) * float64(t)
		}
		accw[i] += float64(g.Weights[i])
	}
}

// finishMixtureGrad combines the groups' accumulators in order and divides by L.
func (sw *SlicedWorkspace[F]) finishMixtureGrad(g *MixtureNDGrad[F], p MixtureND[F], acc func(*slicedGroup[F]) *ndAcc) {
	k, d := len(p.Weights), p.Dim
	inv := 1 / float64(sw.dirs.Len())
	g.Weights, g.Means = grow(g.Weights, k), grow(g.Means, k*d)
	// Keep the storage of the form p uses; the other two are not set.
	var cov *[]F
	switch p.kind() {
	case covChol:
		cov, g.DiagStds, g.IsoStds = &g.Chol, nil, nil
	case covDiag:
		cov, g.Chol, g.IsoStds = &g.DiagStds, nil, nil
	default:
		cov, g.Chol, g.DiagStds = &g.IsoStds, nil, nil
	}
	*cov = grow(*cov, covLen(p))
	for part, dst := range [3][]F{g.Weights, g.Means, *cov} {
		for i := range dst {
			var s float64
			for gi := 0; gi < sw.ngroups; gi++ {
				s += acc(&sw.groups[gi]).part(part)[i]
			}
			dst[i] = F(s * inv)
		}
	}
}

func (sw *SlicedWorkspace[F]) finishSamplesGrad(g *SamplesNDGrad[F], x SamplesND[F], acc func(*slicedGroup[F]) ([]float64, []float64)) {
	inv := 1 / float64(sw.dirs.Len())
	n := len(x.Values) / x.Dim
	g.Values, g.Weights = grow(g.Values, len(x.Values)), grow(g.Weights, n)
	for i := range g.Values {
		var s float64
		for gi := 0; gi < sw.ngroups; gi++ {
			v, _ := acc(&sw.groups[gi])
			s += v[i]
		}
		g.Values[i] = F(s * inv)
	}
	for i := range g.Weights {
		var s float64
		for gi := 0; gi < sw.ngroups; gi++ {
			_, w := acc(&sw.groups[gi])
			s += w[i]
		}
		g.Weights[i] = F(s * inv)
	}
}
