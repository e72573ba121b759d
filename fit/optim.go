package fit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/optimize"
)

// Stop says why a fit ended.
type Stop int

const (
	// StopGradient: the largest gradient entry fell below Options.GradTol.
	StopGradient Stop = iota + 1
	// StopRelativeChange: the loss changed by less than Options.RelTol
	// (relative) over Options.Window iterations.
	StopRelativeChange
	// StopMaxIter: Options.MaxIter iterations were done.
	StopMaxIter
	// StopCanceled: the context was cancelled (or its deadline passed); the
	// result is the best point reached so far.
	StopCanceled
	// StopNoProgress: the optimiser could not decrease the loss any further
	// (a line search failed, or a loss was not finite); Result.Reason says
	// what happened. The result is the best point reached.
	StopNoProgress
)

func (s Stop) String() string {
	switch s {
	case StopGradient:
		return "gradient"
	case StopRelativeChange:
		return "relative-change"
	case StopMaxIter:
		return "max-iterations"
	case StopCanceled:
		return "canceled"
	case StopNoProgress:
		return "no-progress"
	}
	return fmt.Sprintf("Stop(%d)", int(s))
}

// run is one restart of a fit: the objective, the parametrisation, and the
// record of what happened.
type run struct {
	ctx     context.Context
	obj     objective
	pz      *params
	opt     Options
	scale   float64 // data units per normalised unit (losses scale linearly)
	absTol  float64 // NoiseTol × the sampling noise level, data units
	restart int
	start   time.Time

	g             *gmm // scratch mixture
	gw, gmu, gcov []float64

	best    []float64 // θ with the lowest full-batch loss evaluated
	bestF   float64
	history []float64
	stage   int // the first entry of history of this run's own objective
	iters   int
	evals   int
	stop    Stop
	reason  string
}

func newRun(ctx context.Context, obj objective, pz *params, opt Options, scale float64, restart int, start time.Time) *run {
	return &run{
		ctx: ctx, obj: obj, pz: pz, opt: opt, scale: scale, restart: restart, start: start,
		g:  newGMM(pz.k, pz.d, pz.form),
		gw: make([]float64, pz.k), gmu: make([]float64, pz.k*pz.d), gcov: make([]float64, covSize(pz.k, pz.d, pz.form)),
		best: make([]float64, pz.size()), bestF: math.Inf(1),
	}
}

// eval returns the loss at θ (normalised units) and, when grad is not nil,
// its gradient with respect to θ; step < 0 is the full objective (whose
// lowest value is remembered), step ≥ 0 an Adam step's stochastic one. A
// failed or non-finite evaluation returns +Inf and an error.
func (r *run) eval(theta []float64, step int, grad []float64) (float64, error) {
	r.pz.unpack(theta, r.g)
	f, err := r.obj.eval(r.g, step, r.gw, r.gmu, r.gcov)
	r.evals++
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = fmt.Errorf("loss %v", f)
	}
	if err != nil {
		if grad != nil {
			clear(grad)
		}
		return math.Inf(1), err
	}
	if grad != nil {
		r.pz.chain(theta, r.g, r.gw, r.gmu, r.gcov, grad)
	}
	if step < 0 && f < r.bestF {
		r.bestF = f
		copy(r.best, theta)
	}
	return f, nil
}

// iteration records a finished iteration and reports it.
func (r *run) iteration(f float64, grad []float64) {
	r.iters++
	r.history = append(r.history, f*r.scale)
	if r.opt.Progress != nil {
		r.opt.Progress(Progress{Restart: r.restart, Iteration: r.iters, MaxIter: r.opt.MaxIter,
			Loss: f * r.scale, GradNorm: norm2(grad), Elapsed: time.Since(r.start)})
	}
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func normInf(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// relativeStall reports whether the loss decreased by at most RelTol·|loss|
// over the last Window entries of h.
func (r *run) relativeStall(h []float64) bool {
	w := r.opt.Window
	if len(h) <= w {
		return false
	}
	now, then := h[len(h)-1], h[len(h)-1-w]
	return then-now <= max(r.opt.RelTol*math.Abs(now), r.absTol)
}

// converger is the optimize.Converger of an L-BFGS run: it sees every major
// iteration, records it, and applies the stopping rules (gonum's own
// gradient threshold is off).
type converger struct{ r *run }

func (c converger) Init(int) {}

func (c converger) Converged(loc *optimize.Location) optimize.Status {
	r := c.r
	r.iteration(loc.F, loc.Gradient)
	switch {
	case r.ctx.Err() != nil:
		r.stop, r.reason = StopCanceled, fmt.Sprintf("canceled after %d iterations: %v", r.iters, context.Cause(r.ctx))
		return optimize.Failure
	case normInf(loc.Gradient) < r.opt.GradTol:
		r.stop, r.reason = StopGradient, fmt.Sprintf("largest gradient entry %.3g below %.3g", normInf(loc.Gradient), r.opt.GradTol)
		return optimize.GradientThreshold
	case r.relativeStall(r.history[r.stage:]):
		r.stop, r.reason = StopRelativeChange, fmt.Sprintf("the loss decreased by less than max(%.3g × loss, %.3g) over %d iterations", r.opt.RelTol, r.absTol, r.opt.Window)
		return optimize.FunctionConvergence
	case r.iters >= r.opt.MaxIter:
		r.stop, r.reason = StopMaxIter, fmt.Sprintf("reached %d iterations", r.opt.MaxIter)
		return optimize.IterationLimit
	}
	return optimize.NotTerminated
}

// lbfgs minimises the full objective from θ₀ and returns the best θ found.
func (r *run) lbfgs(theta0 []float64) []float64 {
	n := len(theta0)
	cacheX, cacheG := make([]float64, n), make([]float64, n)
	var cacheF float64
	var cacheErr error
	cached := false
	compute := func(x []float64) {
		if cached && slices.Equal(x, cacheX) {
			return
		}
		copy(cacheX, x)
		cacheF, cacheErr = r.eval(x, -1, cacheG)
		cached = true
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { compute(x); return cacheF },
		Grad: func(g, x []float64) { compute(x); copy(g, cacheG) },
	}
	if _, err := r.eval(theta0, -1, nil); err != nil {
		r.stop, r.reason = StopNoProgress, fmt.Sprintf("the initial mixture cannot be evaluated: %v", err)
		copy(r.best, theta0)
		return r.best
	}
	settings := &optimize.Settings{Converger: converger{r}}
	_, err := optimize.Minimize(prob, theta0, settings, &optimize.LBFGS{Store: 20})
	if r.stop == 0 {
		switch {
		case err != nil && cacheErr != nil:
			r.stop, r.reason = StopNoProgress, fmt.Sprintf("after %d iterations: %v (last evaluation: %v)", r.iters, err, cacheErr)
		case err != nil:
			r.stop, r.reason = StopNoProgress, fmt.Sprintf("the line search cannot decrease the loss further after %d iterations (%v)", r.iters, err)
		default:
			r.stop, r.reason = StopNoProgress, fmt.Sprintf("the optimiser stopped after %d iterations without meeting a criterion", r.iters)
		}
	}
	return r.best
}

// adam runs Adam steps from θ₀ on the stochastic objective and returns the
// final θ.
func (r *run) adam(theta0 []float64) []float64 {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	n := len(theta0)
	theta := slices.Clone(theta0)
	last := slices.Clone(theta0)
	m, v, g := make([]float64, n), make([]float64, n), make([]float64, n)
	maxIter := r.opt.MaxIter
	w := r.opt.Window
	var winSum, prevMean float64
	havePrev := false
	for t := 1; ; t++ {
		if r.ctx.Err() != nil {
			r.stop, r.reason = StopCanceled, fmt.Sprintf("canceled after %d steps: %v", r.iters, context.Cause(r.ctx))
			return theta
		}
		f, err := r.eval(theta, t, g)
		if err != nil {
			r.stop, r.reason = StopNoProgress, fmt.Sprintf("step %d cannot be evaluated (%v); keeping the previous step", t, err)
			return last
		}
		r.iteration(f, g)
		if gi := normInf(g); gi < r.opt.GradTol {
			r.stop, r.reason = StopGradient, fmt.Sprintf("largest gradient entry %.3g below %.3g", gi, r.opt.GradTol)
			return theta
		}
		winSum += f
		if t%w == 0 {
			mean := winSum / float64(w)
			if havePrev && prevMean-mean <= max(r.opt.RelTol*math.Abs(mean), r.absTol/r.scale) {
				r.stop, r.reason = StopRelativeChange, fmt.Sprintf("the mean loss of %d steps changed by less than %.3g (relative)", w, r.opt.RelTol)
				return theta
			}
			prevMean, havePrev, winSum = mean, true, 0
		}
		if t >= maxIter {
			r.stop, r.reason = StopMaxIter, fmt.Sprintf("reached %d steps", maxIter)
			return theta
		}
		copy(last, theta)
		lr := r.opt.LearningRate * (1 - 0.9*float64(t-1)/float64(maxIter))
		c1, c2 := 1-math.Pow(beta1, float64(t)), 1-math.Pow(beta2, float64(t))
		for i := range theta {
			m[i] = beta1*m[i] + (1-beta1)*g[i]
			v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
			theta[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
		}
	}
}

// errCanceled is returned for a context cancelled before the first restart.
var errCanceled = errors.New("fit: canceled before the first iteration")
