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

// accumulateMixtureDirection adds the mixture gradient that slot gr
// computed for direction l to the accumulators of acc.
func (sw *SlicedWorkspace[F]) accumulateMixtureDirection(acc, gr *slicedGroup[F], l int) {
	if sw.gradP {
		d := sw.dirs.Dim
		accumulateMixture(&acc.accP, &acc.u, sw.p, gr.p1.Stds, &gr.gp1, sw.dirs.Theta[l*d:(l+1)*d])
	}
}

// accumulateSampleDirections adds the univariate sample gradients gx, gy of
// direction l and, when gx2 or gy2 is not nil, those of direction l+1 to
// the accumulators of acc, both in one pass over them (the same additions
// in the same order as two passes).
func (sw *SlicedWorkspace[F]) accumulateSampleDirections(acc *slicedGroup[F], gx, gy *SamplesGrad[F], l int, gx2, gy2 *SamplesGrad[F]) {
	d := sw.dirs.Dim
	theta := sw.dirs.Theta[l*d : (l+1)*d]
	var theta2 []F
	if gx2 != nil || gy2 != nil {
		theta2 = sw.dirs.Theta[(l+1)*d : (l+2)*d]
	}
	if sw.gradX {
		accumulateSamplesPair(acc.accX, acc.accXw, gx, theta, gx2, theta2)
	}
	if sw.gradY {
		accumulateSamplesPair(acc.accY, acc.accYw, gy, theta, gy2, theta2)
	}
}

// pairDims reports whether accumulateSamplesPair takes two directions in
// one pass in dimension d.
func pairDims(d int) bool { return d == 4 || d == 8 }

// accumulateSamplesPair is accumulateSamples for g (direction θ) and then,
// when g2 is not nil, for g2 (direction θ2), in one pass over acc for
// D = 8 and 4: acc is read and written once for both.
func accumulateSamplesPair[F Float](acc, accw []float64, g *SamplesGrad[F], theta []F, g2 *SamplesGrad[F], theta2 []F) {
	d := len(theta)
	if g2 == nil || !pairDims(d) {
		accumulateSamples(acc, accw, g, theta)
		if g2 != nil {
			accumulateSamples(acc, accw, g2, theta2)
		}
		return
	}
	n := len(g.Values)
	acc, accw = acc[:n*d], accw[:n]
	v1, w1 := g.Values[:n], g.Weights[:n]
	v2, w2 := g2.Values[:n], g2.Weights[:n]
	for i := range accw {
		a := accw[i] + float64(w1[i])
		accw[i] = a + float64(w2[i])
	}
	var t1, t2 [8]float64
	for j := range d {
		t1[j], t2[j] = float64(theta[j]), float64(theta2[j])
	}
	if d == 8 {
		for i := range v1 {
			x, y := float64(v1[i]), float64(v2[i])
			a := (*[8]float64)(acc[i*8 : i*8+8])
			for j := range 8 {
				s := a[j] + x*t1[j]
				a[j] = s + y*t2[j]
			}
		}
		return
	}
	for i := range v1 {
		x, y := float64(v1[i]), float64(v2[i])
		a := (*[4]float64)(acc[i*4 : i*4+4])
		for j := range 4 {
			s := a[j] + x*t1[j]
			a[j] = s + y*t2[j]
		}
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

// accumulateSamples adds one direction's univariate sample gradient g to
// the accumulators by the chain rule: acc[i·D + j] += g.Values[i]·θⱼ and
// accw[i] += g.Weights[i] (each element one multiplication and one addition,
// in direction order, whatever the loop's shape). acc is N·D values read and
// written once per direction, so the loop is kept free of bounds checks and
// unrolled for the common small dimensions.
func accumulateSamples[F Float](acc, accw []float64, g *SamplesGrad[F], theta []F) {
	d := len(theta)
	n := len(g.Values)
	acc, accw = acc[:n*d], accw[:n]
	for i, gw := range g.Weights[:n] {
		accw[i] += float64(gw)
	}
	if d > 64 {
		for i, gv := range g.Values {
			for j, t := range theta {
				acc[i*d+j] += float64(gv) * float64(t)
			}
		}
		return
	}
	var buf [64]float64
	th := buf[:d]
	for j, t := range theta {
		th[j] = float64(t)
	}
	switch d {
	case 8:
		t0, t1, t2, t3, t4, t5, t6, t7 := th[0], th[1], th[2], th[3], th[4], th[5], th[6], th[7]
		for i, gv := range g.Values {
			x := float64(gv)
			a := (*[8]float64)(acc[i*8 : i*8+8])
			a[0] += x * t0
			a[1] += x * t1
			a[2] += x * t2
			a[3] += x * t3
			a[4] += x * t4
			a[5] += x * t5
			a[6] += x * t6
			a[7] += x * t7
		}
	case 4:
		t0, t1, t2, t3 := th[0], th[1], th[2], th[3]
		for i, gv := range g.Values {
			x := float64(gv)
			a := (*[4]float64)(acc[i*4 : i*4+4])
			a[0] += x * t0
			a[1] += x * t1
			a[2] += x * t2
			a[3] += x * t3
		}
	case 2:
		t0, t1 := th[0], th[1]
		for i, gv := range g.Values {
			x := float64(gv)
			a := (*[2]float64)(acc[i*2 : i*2+2])
			a[0] += x * t0
			a[1] += x * t1
		}
	default:
		for i, gv := range g.Values {
			x := float64(gv)
			a := acc[i*d : i*d+d]
			t := th[:len(a)]
			j := 0
			for ; j+4 <= len(a); j += 4 {
				a[j] += x * t[j]
				a[j+1] += x * t[j+1]
				a[j+2] += x * t[j+2]
				a[j+3] += x * t[j+3]
			}
			for ; j < len(a); j++ {
				a[j] += x * t[j]
			}
		}
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
