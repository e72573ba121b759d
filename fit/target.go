package fit

import (
	"math/rand/v2"

	"github.com/gmmkit/cramer"
)

// objective evaluates the loss at a mixture (normalised units) and its
// gradient with respect to the mixture's weights (as free variables), means
// and covariance parameters, laid out like gmm.
type objective interface {
	// eval computes the full objective when step < 0, or the stochastic one
	// of that Adam step (its minibatch and, with fresh directions, its
	// directions).
	eval(g *gmm, step int, gw, gmu, gcov []float64) (float64, error)
}

// mixture1D converts g (1-D) into a cramer.Mixture reusing m's storage.
func mixture1D[F cramer.Float](g *gmm, m *cramer.Mixture[F]) {
	m.Weights = convertInto(m.Weights, g.w)
	m.Means = convertInto(m.Means, g.mu)
	m.Stds = convertInto(m.Stds, g.cov)
}

// mixtureND converts g into a cramer.MixtureND reusing m's storage.
func mixtureND[F cramer.Float](g *gmm, m *cramer.MixtureND[F]) {
	m.Dim = g.d
	m.Weights = convertInto(m.Weights, g.w)
	m.Means = convertInto(m.Means, g.mu)
	switch g.form {
	case Full:
		m.Chol, m.DiagStds, m.IsoStds = convertInto(m.Chol, g.cov), nil, nil
	case Diagonal:
		m.Chol, m.DiagStds, m.IsoStds = nil, convertInto(m.DiagStds, g.cov), nil
	default:
		m.Chol, m.DiagStds, m.IsoStds = nil, nil, convertInto(m.IsoStds, g.cov)
	}
}

func convertInto[F cramer.Float](dst []F, src []float64) []F {
	if cap(dst) < len(src) {
		dst = make([]F, len(src))
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = F(v)
	}
	return dst
}

func widen[F cramer.Float](dst []float64, src []F) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// minibatch draws the samples of one Adam step: b indices uniformly with
// replacement from n, from a generator seeded by (seed, step).
type minibatch struct {
	seed uint64
	size int
	idx  []int
	pcg  rand.PCG
	r    *rand.Rand
}

func (mb *minibatch) draw(n, step int) []int {
	if mb.r == nil {
		mb.r = rand.New(&mb.pcg)
	}
	mb.pcg.Seed(mb.seed, uint64(step))
	r := mb.r
	mb.idx = grow(mb.idx, mb.size)
	for i := range mb.idx {
		mb.idx[i] = r.IntN(n)
	}
	return mb.idx
}

func grow[T any](x []T, n int) []T {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]T, n)
}

// samples1D is ℓ₂²(P, x) against a 1-D sample set, exact.
type samples1D[F cramer.Float] struct {
	ws    cramer.Workspace[F]
	x     cramer.Samples[F]
	p     cramer.Mixture[F]
	gp    cramer.MixtureGrad[F]
	mb    minibatch
	bx    cramer.Samples[F] // the minibatch
	bsize int
}

func (o *samples1D[F]) eval(g *gmm, step int, gw, gmu, gcov []float64) (float64, error) {
	mixture1D(g, &o.p)
	x := o.x
	if step >= 0 && o.mb.size > 0 && o.mb.size < len(x.Values) {
		idx := o.mb.draw(len(x.Values), step)
		o.bx.Values = grow(o.bx.Values, len(idx))
		for i, j := range idx {
			o.bx.Values[i] = x.Values[j]
		}
		o.bx.Weights = nil
		if x.Weights != nil {
			o.bx.Weights = grow(o.bx.Weights, len(idx))
			var s float64
			for _, j := range idx {
				s += float64(x.Weights[j])
			}
			for i, j := range idx {
				o.bx.Weights[i] = F(float64(x.Weights[j]) / s)
			}
		}
		x = o.bx
	}
	v, err := o.ws.SquaredToSamplesGrad(o.p, x, &o.gp, nil)
	if err != nil {
		return 0, err
	}
	widen(gw, o.gp.Weights)
	widen(gmu, o.gp.Means)
	widen(gcov, o.gp.Stds)
	return float64(v), nil
}

// mixtureTarget1D is ℓ₂²(P, Q) against a 1-D mixture, exact.
type mixtureTarget1D[F cramer.Float] struct {
	ws cramer.Workspace[F]
	q  cramer.Mixture[F]
	p  cramer.Mixture[F]
	gp cramer.MixtureGrad[F]
}

func (o *mixtureTarget1D[F]) eval(g *gmm, _ int, gw, gmu, gcov []float64) (float64, error) {
	mixture1D(g, &o.p)
	v, err := o.ws.SquaredGrad(o.p, o.q, &o.gp, nil)
	if err != nil {
		return 0, err
	}
	widen(gw, o.gp.Weights)
	widen(gmu, o.gp.Means)
	widen(gcov, o.gp.Stds)
	return float64(v), nil
}

// sliced holds what the D-dimensional objectives share: the fixed
// directions, fresh ones for stochastic steps, or the exact form.
type sliced[F cramer.Float] struct {
	sw    cramer.SlicedWorkspace[F]
	dirs  cramer.Directions[F] // the fixed set
	fresh bool
	seed  uint64
	l     int
	step  cramer.Directions[F] // fresh directions of the current step
	pcg   rand.PCG
	r     *rand.Rand
	exact bool
	p     cramer.MixtureND[F]
	gp    cramer.MixtureNDGrad[F]
}

// directions returns the directions of a step: the fixed set, or (for
// step ≥ 0 with fresh directions) L uniform ones seeded by (seed, step).
func (s *sliced[F]) directions(step int) cramer.Directions[F] {
	if step < 0 || !s.fresh {
		return s.dirs
	}
	d := s.dirs.Dim
	if s.r == nil {
		s.r = rand.New(&s.pcg)
	}
	s.pcg.Seed(s.seed^0x5851f42d4c957f2d, uint64(step))
	s.step.Dim = d
	s.step.Theta = grow(s.step.Theta, s.l*d)
	// Cannot fail: the target was validated (d ≥ 1), the length is l·d.
	_ = cramer.FillRandomDirections(s.step.Theta, d, s.r)
	return s.step
}

func (s *sliced[F]) widenGrad(gw, gmu, gcov []float64) {
	widen(gw, s.gp.Weights)
	widen(gmu, s.gp.Means)
	switch {
	case s.gp.Chol != nil:
		widen(gcov, s.gp.Chol)
	case s.gp.DiagStds != nil:
		widen(gcov, s.gp.DiagStds)
	default:
		widen(gcov, s.gp.IsoStds)
	}
}

// samplesND is the sliced ℓ₂² against a D-dimensional sample set.
type samplesND[F cramer.Float] struct {
	sliced[F]
	x    cramer.SamplesND[F]
	xIso cramer.MixtureND[F] // the samples as isotropic point masses (Exact)
	mb   minibatch
	bx   cramer.SamplesND[F]
}

func (o *samplesND[F]) eval(g *gmm, step int, gw, gmu, gcov []float64) (float64, error) {
	mixtureND(g, &o.p)
	if o.exact {
		v, err := cramer.SlicedSquaredExactGrad(o.p, o.xIso, &o.gp, nil)
		if err != nil {
			return 0, err
		}
		o.widenGrad(gw, gmu, gcov)
		return float64(v), nil
	}
	x := o.x
	d := x.Dim
	n := len(x.Values) / d
	if step >= 0 && o.mb.size > 0 && o.mb.size < n {
		idx := o.mb.draw(n, step)
		o.bx.Dim = d
		o.bx.Values = grow(o.bx.Values, len(idx)*d)
		for i, j := range idx {
			copy(o.bx.Values[i*d:(i+1)*d], x.Values[j*d:(j+1)*d])
		}
		o.bx.Weights = nil
		if x.Weights != nil {
			o.bx.Weights = grow(o.bx.Weights, len(idx))
			var s float64
			for _, j := range idx {
				s += float64(x.Weights[j])
			}
			for i, j := range idx {
				o.bx.Weights[i] = F(float64(x.Weights[j]) / s)
			}
		}
		x = o.bx
	}
	v, err := o.sw.SquaredToSamplesGrad(o.p, x, o.directions(step), &o.gp, nil)
	if err != nil {
		return 0, err
	}
	o.widenGrad(gw, gmu, gcov)
	return float64(v), nil
}

// mixtureTargetND is the sliced ℓ₂² against a D-dimensional mixture
// (mixture reduction).
type mixtureTargetND[F cramer.Float] struct {
	sliced[F]
	q cramer.MixtureND[F]
}

func (o *mixtureTargetND[F]) eval(g *gmm, step int, gw, gmu, gcov []float64) (float64, error) {
	mixtureND(g, &o.p)
	var v F
	var err error
	if o.exact {
		v, err = cramer.SlicedSquaredExactGrad(o.p, o.q, &o.gp, nil)
	} else {
		v, err = o.sw.SquaredGrad(o.p, o.q, o.directions(step), &o.gp, nil)
	}
	if err != nil {
		return 0, err
	}
	o.widenGrad(gw, gmu, gcov)
	return float64(v), nil
}
