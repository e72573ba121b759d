package fit

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gmmkit/cramer"
)

// Report describes how a fit went.
type Report struct {
	// Squared is the final loss in data units: ℓ₂² (1-D) or the sliced SC₂²
	// over the fixed directions (or exact, with Options.Exact) between the
	// fitted mixture and the target. Distance is its square root.
	Squared, Distance float64
	// Iterations and Evaluations (of the loss and gradient) of the returned
	// restart.
	Iterations, Evaluations int
	// History is the loss after each iteration of the returned restart, in
	// data units (Adam: the minibatch losses). Sets of more than 20000
	// samples fitted with LBFGS are first fitted to nested random subsamples
	// (8192 samples, then 4× more while at most half the set): the first
	// CoarseIterations iterations and entries of History are those stages'
	// (their evaluations are not counted in Evaluations).
	History          []float64
	CoarseIterations int
	// Stop is why the returned restart ended, Reason the same in words.
	Stop   Stop
	Reason string
	// Restart is the index of the returned restart.
	Restart int
}

// Result is a fitted univariate mixture.
type Result[F cramer.Float] struct {
	Mixture cramer.Mixture[F]
	Report
}

// ResultND is a fitted mixture in R^D, with the covariance form of
// Options.Covariance (Chol for Full, DiagStds for Diagonal, IsoStds for Isotropic).
type ResultND[F cramer.Float] struct {
	Mixture cramer.MixtureND[F]
	Report
}

// problem is a validated, normalised fitting problem.
type problem struct {
	d      int
	form   Covariance
	centre []float64 // the data's weighted mean
	scale  float64   // root-mean-square spread per coordinate
	cl     *cloud
	noise  float64 // the sampling noise level ν (normalised units; 0 for mixtures)
	init   *gmm    // the given initial mixture, normalised; nil for k-means++
}

// Samples fits a univariate mixture of opt.K components to the (optionally
// weighted) sample set x by minimising the exact ℓ₂²(P, x).
func Samples[F cramer.Float](ctx context.Context, x cramer.Samples[F], opt Options) (*Result[F], error) {
	if err := x.Validate(); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	xs := cramer.SamplesND[F]{Dim: 1, Values: x.Values, Weights: x.Weights}
	pr, opt, err := samplesProblem(xs, opt, true)
	if err != nil {
		return nil, err
	}
	obj := &samples1D[F]{x: cramer.Samples[F]{Values: normalised[F](pr.cl.x), Weights: x.Weights}}
	obj.ws.Threads = opt.Threads
	obj.mb = minibatch{seed: opt.Seed, size: batchSize(opt)}
	var coarse []stage
	for _, sub := range subsamples(len(x.Values), x.Weights, opt) {
		c := &samples1D[F]{x: cramer.Samples[F]{Values: make([]F, len(sub.idx)), Weights: sub.w}}
		for i, j := range sub.idx {
			c.x.Values[i] = obj.x.Values[j]
		}
		c.ws.Threads = opt.Threads
		coarse = append(coarse, stage{c, len(sub.idx)})
	}
	g, rep, err := solve(ctx, pr, obj, coarse, opt)
	if err != nil {
		return nil, err
	}
	m := cramer.Mixture[F]{Weights: convertInto[F](nil, g.w), Means: convertInto[F](nil, g.mu), Stds: convertInto[F](nil, g.cov)}
	return &Result[F]{Mixture: m, Report: rep}, nil
}

// Large sample sets are fitted in stages with LBFGS: first to a random
// subsample of coarseSize samples, then to 4× larger ones (nested) while
// they are at most half the set, then from there to all of them, which then
// needs fewer full-cost iterations.
const (
	coarseAbove = 20000
	coarseSize  = 8192
)

// stage is a subsample objective fitted before the full one.
type stage struct {
	obj objective
	n   int
}

// sub is a subsample: indices and weights (nil when the set is unweighted).
type sub[F cramer.Float] struct {
	idx []int
	w   []F
}

// subsamples returns the nested random subsamples (without replacement,
// deterministic from the seed) of the stages of a fit to n samples with
// weights w, or nil when no coarse stage is used.
func subsamples[F cramer.Float](n int, w []F, opt Options) []sub[F] {
	if opt.Method != LBFGS || n <= coarseAbove {
		return nil
	}
	r := rand.New(rand.NewPCG(opt.Seed, streamSubsample))
	perm := r.Perm(n)
	var out []sub[F]
	for size := coarseSize; size == coarseSize || 2*size <= n; size *= 4 {
		idx := slices.Clone(perm[:size])
		slices.Sort(idx)
		s := sub[F]{idx: idx}
		if w != nil {
			s.w = make([]F, size)
			var total float64
			for _, j := range idx {
				total += float64(w[j])
			}
			if !(total > 0) {
				return out
			}
			for i, j := range idx {
				s.w[i] = F(float64(w[j]) / total)
			}
		}
		out = append(out, s)
	}
	return out
}

// Mixture reduces the univariate mixture target to opt.K components by
// minimising the exact ℓ₂²(P, target).
func Mixture[F cramer.Float](ctx context.Context, target cramer.Mixture[F], opt Options) (*Result[F], error) {
	if err := target.Validate(); err != nil {
		return nil, fmt.Errorf("fit: target %w", err)
	}
	t := cramer.MixtureND[F]{Dim: 1, Weights: target.Weights, Means: target.Means, DiagStds: target.Stds}
	pr, opt, err := mixtureProblem(t, opt, true)
	if err != nil {
		return nil, err
	}
	q := normaliseMixture(t, pr)
	obj := &mixtureTarget1D[F]{q: cramer.Mixture[F]{Weights: q.Weights, Means: q.Means, Stds: q.DiagStds}}
	obj.ws.Threads = opt.Threads
	g, rep, err := solve(ctx, pr, obj, nil, opt)
	if err != nil {
		return nil, err
	}
	m := cramer.Mixture[F]{Weights: convertInto[F](nil, g.w), Means: convertInto[F](nil, g.mu), Stds: convertInto[F](nil, g.cov)}
	return &Result[F]{Mixture: m, Report: rep}, nil
}

// SamplesND fits a mixture of opt.K components with opt.Covariance
// covariances to the (optionally weighted) sample set x in R^D by minimising
// the sliced ℓ₂² over opt.Directions fixed directions (or fresh ones per
// Adam step, or exactly with opt.Exact).
func SamplesND[F cramer.Float](ctx context.Context, x cramer.SamplesND[F], opt Options) (*ResultND[F], error) {
	if err := x.Validate(); err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	pr, opt, err := samplesProblem(x, opt, false)
	if err != nil {
		return nil, err
	}
	if opt.Exact && opt.Covariance != Isotropic {
		return nil, fmt.Errorf("fit: Exact needs Isotropic covariances (the exact sliced distance has a closed form only for isotropic components), not %v", opt.Covariance)
	}
	obj := &samplesND[F]{x: cramer.SamplesND[F]{Dim: x.Dim, Values: normalised[F](pr.cl.x), Weights: x.Weights}}
	obj.sliced = newSliced[F](x.Dim, opt)
	obj.mb = minibatch{seed: opt.Seed, size: batchSize(opt)}
	var coarse []stage
	for _, sub := range subsamples(len(x.Values)/x.Dim, x.Weights, opt) {
		if opt.Exact {
			break
		}
		d := x.Dim
		c := &samplesND[F]{x: cramer.SamplesND[F]{Dim: d, Values: make([]F, len(sub.idx)*d), Weights: sub.w}}
		for i, j := range sub.idx {
			copy(c.x.Values[i*d:(i+1)*d], obj.x.Values[j*d:(j+1)*d])
		}
		c.sliced = newSliced[F](d, opt)
		coarse = append(coarse, stage{c, len(sub.idx)})
	}
	if opt.Exact {
		n := len(x.Values) / x.Dim
		w := x.Weights
		if w == nil {
			w = make([]F, n)
			for i := range w {
				w[i] = F(1 / float64(n))
			}
		}
		obj.xIso = cramer.MixtureND[F]{Dim: x.Dim, Weights: w, Means: obj.x.Values, IsoStds: make([]F, n)}
	}
	g, rep, err := solve(ctx, pr, obj, coarse, opt)
	if err != nil {
		return nil, err
	}
	return &ResultND[F]{Mixture: toMixtureND[F](g), Report: rep}, nil
}

// MixtureND reduces the mixture target in R^D (any covariance form) to
// opt.K components with opt.Covariance covariances by minimising the sliced
// ℓ₂² over opt.Directions fixed directions, or exactly with opt.Exact
// (isotropic components and an isotropic target).
func MixtureND[F cramer.Float](ctx context.Context, target cramer.MixtureND[F], opt Options) (*ResultND[F], error) {
	if err := target.Validate(); err != nil {
		return nil, fmt.Errorf("fit: target %w", err)
	}
	pr, opt, err := mixtureProblem(target, opt, false)
	if err != nil {
		return nil, err
	}
	if opt.Exact && (opt.Covariance != Isotropic || target.IsoStds == nil) {
		return nil, fmt.Errorf("fit: Exact needs Isotropic covariances and an isotropic target (IsoStds): the exact sliced distance has a closed form only for isotropic components")
	}
	obj := &mixtureTargetND[F]{q: normaliseMixture(target, pr)}
	obj.sliced = newSliced[F](target.Dim, opt)
	g, rep, err := solve(ctx, pr, obj, nil, opt)
	if err != nil {
		return nil, err
	}
	return &ResultND[F]{Mixture: toMixtureND[F](g), Report: rep}, nil
}

func newSliced[F cramer.Float](d int, opt Options) sliced[F] {
	s := sliced[F]{
		dirs:  cramer.OrthogonalDirections[F](d, opt.Directions, opt.Seed),
		fresh: opt.FreshDirections && opt.Method == Adam,
		seed:  opt.Seed,
		l:     opt.Directions,
		exact: opt.Exact,
	}
	s.sw.Threads = opt.Threads
	return s
}

func batchSize(opt Options) int {
	if opt.Method != Adam {
		return 0
	}
	return opt.BatchSize
}

// normalised converts normalised float64 coordinates to F.
func normalised[F cramer.Float](x []float64) []F { return convertInto[F](nil, x) }

// samplesProblem validates opt against the sample set x (already validated)
// and normalises x: centred on its weighted mean, divided by its
// root-mean-square spread per coordinate.
func samplesProblem[F cramer.Float](x cramer.SamplesND[F], opt Options, oneD bool) (*problem, Options, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, opt, err
	}
	d := x.Dim
	n := len(x.Values) / d
	w := make([]float64, n)
	positive := 0
	for i := range w {
		if x.Weights == nil {
			w[i] = 1 / float64(n)
		} else {
			w[i] = float64(x.Weights[i])
		}
		if w[i] > 0 {
			positive++
		}
	}
	if opt.K > positive {
		if positive == n {
			return nil, opt, fmt.Errorf("fit: K = %d exceeds the number of samples N = %d", opt.K, n)
		}
		return nil, opt, fmt.Errorf("fit: K = %d exceeds the number of samples of positive weight (%d of %d)", opt.K, positive, n)
	}
	xs := make([]float64, n*d)
	for i, v := range x.Values {
		xs[i] = float64(v)
	}
	centre, scale := moments(xs, w, nil, d)
	if !(scale > 0) {
		return nil, opt, fmt.Errorf("fit: all %d samples are identical: there is no spread to fit", n)
	}
	for i := 0; i < n; i++ {
		for t := 0; t < d; t++ {
			xs[i*d+t] = (xs[i*d+t] - centre[t]) / scale
		}
	}
	var sw2 float64
	for _, v := range w {
		sw2 += v * v
	}
	pr := &problem{d: d, form: opt.Covariance, centre: centre, scale: scale,
		cl: &cloud{n: n, d: d, x: xs, w: w, what: "samples"}, noise: sw2 / math.Sqrt(math.Pi)}
	if oneD {
		pr.form = Diagonal
	}
	if err := pr.setInit(opt, oneD); err != nil {
		return nil, opt, err
	}
	return pr, opt, nil
}

// mixtureProblem validates opt against the target mixture (already
// validated) and normalises it like samplesProblem. Components of zero
// weight take no part in the initialisation.
func mixtureProblem[F cramer.Float](t cramer.MixtureND[F], opt Options, oneD bool) (*problem, Options, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, opt, err
	}
	d, m := t.Dim, len(t.Weights)
	var x, w, cov []float64
	for i := 0; i < m; i++ {
		if t.Weights[i] <= 0 {
			continue
		}
		w = append(w, float64(t.Weights[i]))
		for c := 0; c < d; c++ {
			x = append(x, float64(t.Means[i*d+c]))
		}
		cov = append(cov, covMatrix(t, i)...)
	}
	positive := len(w)
	if opt.K > positive {
		if positive == m {
			return nil, opt, fmt.Errorf("fit: K = %d exceeds the number of target components (%d)", opt.K, m)
		}
		return nil, opt, fmt.Errorf("fit: K = %d exceeds the number of target components of positive weight (%d of %d)", opt.K, positive, m)
	}
	var sw float64
	for _, v := range w {
		sw += v
	}
	for i := range w {
		w[i] /= sw
	}
	centre, scale := moments(x, w, cov, d)
	if !(scale > 0) {
		return nil, opt, fmt.Errorf("fit: the target is a single point mass: there is no spread to fit")
	}
	for i := 0; i < positive; i++ {
		for c := 0; c < d; c++ {
			x[i*d+c] = (x[i*d+c] - centre[c]) / scale
		}
	}
	for i := range cov {
		cov[i] /= scale * scale
	}
	pr := &problem{d: d, form: opt.Covariance, centre: centre, scale: scale,
		cl: &cloud{n: positive, d: d, x: x, w: w, cov: cov, what: "target components"}}
	if oneD {
		pr.form = Diagonal
	}
	if err := pr.setInit(opt, oneD); err != nil {
		return nil, opt, err
	}
	return pr, opt, nil
}

// moments returns the weighted mean of the points x (n·d) and the root of
// their mean variance per coordinate, including the points' own covariances
// (n·d·d) when cov is not nil.
func moments(x, w, cov []float64, d int) ([]float64, float64) {
	n := len(w)
	centre := make([]float64, d)
	for i := 0; i < n; i++ {
		for t := 0; t < d; t++ {
			centre[t] += w[i] * x[i*d+t]
		}
	}
	var v float64
	for i := 0; i < n; i++ {
		var s float64
		for t := 0; t < d; t++ {
			z := x[i*d+t] - centre[t]
			s += z * z
			if cov != nil {
				s += cov[(i*d+t)*d+t]
			}
		}
		v += w[i] * s
	}
	return centre, math.Sqrt(v / float64(d))
}

// covMatrix returns component i's covariance matrix (D×D) in float64.
func covMatrix[F cramer.Float](t cramer.MixtureND[F], i int) []float64 {
	d := t.Dim
	s := make([]float64, d*d)
	switch {
	case t.Chol != nil:
		l := t.Chol[i*d*d : (i+1)*d*d]
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				var v float64
				for c := 0; c <= min(a, b); c++ {
					v += float64(l[a*d+c]) * float64(l[b*d+c])
				}
				s[a*d+b] = v
			}
		}
	case t.DiagStds != nil:
		for a := 0; a < d; a++ {
			v := float64(t.DiagStds[i*d+a])
			s[a*d+a] = v * v
		}
	default:
		v := float64(t.IsoStds[i])
		for a := 0; a < d; a++ {
			s[a*d+a] = v * v
		}
	}
	return s
}

// normaliseMixture returns t centred and scaled like the problem.
func normaliseMixture[F cramer.Float](t cramer.MixtureND[F], pr *problem) cramer.MixtureND[F] {
	d := t.Dim
	q := cramer.MixtureND[F]{Dim: d, Weights: t.Weights, Means: make([]F, len(t.Means))}
	for i, v := range t.Means {
		q.Means[i] = F((float64(v) - pr.centre[i%d]) / pr.scale)
	}
	div := func(x []F) []F {
		if x == nil {
			return nil
		}
		out := make([]F, len(x))
		for i, v := range x {
			out[i] = F(float64(v) / pr.scale)
		}
		return out
	}
	q.Chol, q.DiagStds, q.IsoStds = div(t.Chol), div(t.DiagStds), div(t.IsoStds)
	return q
}

// setInit checks and normalises a given initial mixture.
func (pr *problem) setInit(opt Options, oneD bool) error {
	var init cramer.MixtureND[float64]
	switch {
	case oneD && opt.InitND != nil:
		return fmt.Errorf("fit: InitND given for a 1-D fit (use Init)")
	case !oneD && opt.Init != nil:
		return fmt.Errorf("fit: Init given for a D-dimensional fit (use InitND)")
	case opt.Init != nil:
		if err := opt.Init.Validate(); err != nil {
			return fmt.Errorf("fit: Init: %w", err)
		}
		init = cramer.MixtureND[float64]{Dim: 1, Weights: opt.Init.Weights, Means: opt.Init.Means, DiagStds: opt.Init.Stds}
	case opt.InitND != nil:
		if err := opt.InitND.Validate(); err != nil {
			return fmt.Errorf("fit: InitND: %w", err)
		}
		init = *opt.InitND
		if init.Dim != pr.d {
			return fmt.Errorf("fit: InitND has dimension %d, the target %d", init.Dim, pr.d)
		}
	default:
		return nil
	}
	if len(init.Weights) != opt.K {
		return fmt.Errorf("fit: the initial mixture has %d components, K = %d", len(init.Weights), opt.K)
	}
	d := pr.d
	g := newGMM(opt.K, d, pr.form)
	copy(g.w, init.Weights)
	for i := range g.w {
		g.w[i] = math.Max(g.w[i], 1e-12)
	}
	for i, v := range init.Means {
		g.mu[i] = (v - pr.centre[i%d]) / pr.scale
	}
	for i := 0; i < opt.K; i++ {
		s := covMatrix(init, i)
		for t := range s {
			s[t] /= pr.scale * pr.scale
		}
		setCovFloor(g, i, s, 1e-12)
	}
	pr.init = g
	return nil
}

// toMixtureND converts a fitted mixture (data units) to the library's type.
func toMixtureND[F cramer.Float](g *gmm) cramer.MixtureND[F] {
	m := cramer.MixtureND[F]{}
	mixtureND(g, &m)
	return m
}

// Random streams derived from the seed.
const (
	streamInit      = 0x243f6a8885a308d3
	streamSubsample = 0x13198a2e03707344
)

// solve runs the restarts and returns the best mixture in data units. With
// coarse stages (subsamples), each restart minimises them in order and then
// the full objective from there.
func solve(ctx context.Context, pr *problem, obj objective, coarse []stage, opt Options) (*gmm, Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, Report{}, fmt.Errorf("%w: %v", errCanceled, context.Cause(ctx))
	}
	start := time.Now()
	var bestG *gmm
	var best Report
	bestF := math.Inf(1)
	for restart := 0; restart < opt.Restarts; restart++ {
		if restart > 0 && ctx.Err() != nil {
			break
		}
		var g0 *gmm
		if restart == 0 && pr.init != nil {
			g0 = pr.init
		} else {
			r := rand.New(rand.NewPCG(opt.Seed, streamInit+uint64(restart)))
			var err error
			tries := kmeansTries
			if restart > 0 {
				tries = 1
			}
			if g0, err = kmeansPP(pr.cl, opt.K, pr.form, r, tries); err != nil {
				return nil, Report{}, err
			}
		}
		pz := &params{k: opt.K, d: pr.d, form: pr.form, floor: opt.MinStd / pr.scale}
		if opt.FixedWeights {
			pz.fixedW = slices.Clone(g0.w)
		}
		// The σ floor: an initial std below it is raised just above it.
		for i := range g0.cov {
			if pr.form != Full || isDiagonalEntry(i, pr.d) {
				g0.cov[i] = math.Max(g0.cov[i], pz.floor*1.01+1e-12)
			}
		}
		theta := make([]float64, pz.size())
		pz.pack(g0, theta)
		var pre *run
		for _, st := range coarse {
			rs := newRun(ctx, st.obj, pz, opt, pr.scale, restart, start)
			rs.absTol = math.Max(opt.NoiseTol, 0) * pr.scale / (math.Sqrt(math.Pi) * float64(st.n))
			if pre != nil {
				rs.iters, rs.history, rs.stage = pre.iters, pre.history, len(pre.history)
			}
			theta = rs.lbfgs(theta)
			pre = rs
		}
		rn := newRun(ctx, obj, pz, opt, pr.scale, restart, start)
		rn.absTol = math.Max(opt.NoiseTol, 0) * pr.noise * pr.scale
		if pre != nil {
			rn.iters, rn.history, rn.stage = pre.iters, pre.history, len(pre.history)
		}
		if opt.Method == Adam {
			theta = rn.adam(theta)
		} else {
			theta = rn.lbfgs(theta)
		}
		f, err := rn.eval(theta, -1, nil)
		if err != nil {
			f = math.Inf(1)
		}
		if bestG == nil || f < bestF {
			bestF = f
			bestG = newGMM(opt.K, pr.d, pr.form)
			pz.unpack(theta, bestG)
			best = Report{Squared: f * pr.scale, Distance: math.Sqrt(f * pr.scale),
				Iterations: rn.iters, Evaluations: rn.evals, History: rn.history,
				CoarseIterations: coarseIters(pre),
				Stop:             rn.stop, Reason: rn.reason, Restart: restart}
		}
	}
	if math.IsInf(bestF, 1) {
		return nil, best, fmt.Errorf("fit: no restart produced a mixture with a finite loss (%s)", best.Reason)
	}
	pr.denormalise(bestG)
	return bestG, best, nil
}

func coarseIters(pre *run) int {
	if pre == nil {
		return 0
	}
	return pre.iters
}

func isDiagonalEntry(i, d int) bool {
	j := i % (d * d)
	return j/d == j%d
}

// denormalise maps g from normalised to data units.
func (pr *problem) denormalise(g *gmm) {
	d := pr.d
	for i := range g.mu {
		g.mu[i] = g.mu[i]*pr.scale + pr.centre[i%d]
	}
	for i := range g.cov {
		g.cov[i] *= pr.scale
	}
}
