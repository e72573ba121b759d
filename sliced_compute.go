package cramer

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
)

// slicedGroups is the number of contiguous groups the directions are split
// into: each group has its own scratch and gradient accumulators, and groups
// are combined in order, so results do not depend on the thread count.
const slicedGroups = 8

// SlicedWorkspace holds the scratch memory of the sliced computations; reuse
// it to avoid allocating per call (the buffers grow to the largest problem
// seen). Mixture problems keep scratch and gradient accumulators per group of
// directions; problems with sample sets keep scratch per thread (at most
// slicedGroups) and one set of gradient accumulators, so their memory grows
// with the thread count, not with the directions. Not safe for concurrent
// use. The zero value is ready.
type SlicedWorkspace[F Float] struct {
	// Threads caps the goroutines (0: GOMAXPROCS, 1: none). Results are
	// bit-identical for every value.
	Threads int

	groups [slicedGroups]slicedGroup[F]
	vals   []float64

	// Projections computed once per call by the projection kernels:
	// directions transposed (D×L), and per mixture the projected means and
	// variances, one row of K per direction; sample sets transposed (D×N)
	// so that a chunk of directions projects into contiguous rows.
	thetaT, tmp []F
	tmp2        []F
	pm, pv      []F
	qm, qv      []F
	xT, yT      []F

	// the problem in progress
	kind    int // sliceMix, sliceSamples, sliceSampleSets
	p, q    MixtureND[F]
	x, y    SamplesND[F]
	dirs    Directions[F]
	gradP   bool
	gradQ   bool
	gradX   bool
	gradY   bool
	ngroups int

	// float64 gradient outputs that serve as the accumulators of the sample
	// gradients during a call (nil otherwise)
	outX, outY *SamplesNDGrad[F]
	scale      ndScaleState[F]
}

const (
	sliceMix = iota
	sliceToSamples
	sliceSampleSets
)

// chunkDirections is how many directions a group projects sample sets onto
// at a time (its buffer holds chunkDirections·N projections).
const chunkDirections = 8

// slicedGroup is the scratch of one group of directions (mixture problems)
// or of one thread (problems with sample sets; slot 0 then also holds the
// gradient accumulators).
type slicedGroup[F Float] struct {
	ws           Workspace[F]
	p1, q1       Mixture[F]
	x1, y1       Samples[F]
	gp1, gq1     MixtureGrad[F]
	gx1, gy1     SamplesGrad[F]
	u            []float64 // Lᵢᵀθ for one component
	xs, ys       []F       // sample projections of a chunk of directions (one row of N each)
	accP, accQ   ndAcc
	accX, accY   []float64 // sample value derivatives (N·Dim)
	accXw, accYw []float64 // sample weight derivatives (N)
}

// scratchBytes returns the capacity of the workspace's buffers in bytes.
func (sw *SlicedWorkspace[F]) scratchBytes() int {
	var f F
	fs := int(unsafe.Sizeof(f))
	b := 8*cap(sw.vals) + fs*(cap(sw.thetaT)+cap(sw.tmp)+cap(sw.tmp2)+cap(sw.pm)+cap(sw.pv)+cap(sw.qm)+cap(sw.qv)+cap(sw.xT)+cap(sw.yT)+
		cap(sw.scale.x)+cap(sw.scale.y))
	for i := range sw.groups {
		g := &sw.groups[i]
		b += g.ws.scratchBytes() + fs*(cap(g.p1.Stds)+cap(g.q1.Stds)+cap(g.xs)+cap(g.ys)+
			cap(g.gp1.Weights)+cap(g.gp1.Means)+cap(g.gp1.Stds)+cap(g.gq1.Weights)+cap(g.gq1.Means)+cap(g.gq1.Stds)+
			cap(g.gx1.Values)+cap(g.gx1.Weights)+cap(g.gy1.Values)+cap(g.gy1.Weights))
		b += 8 * (cap(g.u) + cap(g.accX) + cap(g.accY) + cap(g.accXw) + cap(g.accYw) +
			cap(g.accP.w) + cap(g.accP.m) + cap(g.accP.cov) + cap(g.accQ.w) + cap(g.accQ.m) + cap(g.accQ.cov))
	}
	return b
}

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
		return len(p.Stds)
	}
	return len(p.Std)
}

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
// sample set; gp and gx (either may be nil) receive the derivatives.
func SlicedSquaredToSamples[F Float](p MixtureND[F], x SamplesND[F], dirs Directions[F], gp *MixtureNDGrad[F], gx *SamplesNDGrad[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredToSamples(p, x, dirs, gp, gx)
}

// SlicedSquaredSamples returns the sliced ℓ₂² between two sample sets, exact
// per direction by sorting (O(L·N log N)); gx and gy may be nil.
func SlicedSquaredSamples[F Float](x, y SamplesND[F], dirs Directions[F], gx, gy *SamplesNDGrad[F]) (F, error) {
	var sw SlicedWorkspace[F]
	return sw.SquaredSamples(x, y, dirs, gx, gy)
}

// SquaredGrad is SlicedSquaredGrad using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredGrad(p, q MixtureND[F], dirs Directions[F], gp, gq *MixtureNDGrad[F]) (F, error) {
	if err := p.validate("p"); err != nil {
		return 0, err
	}
	if err := q.validate("q"); err != nil {
		return 0, err
	}
	if q.Dim != p.Dim {
		return 0, &InputError{"q", "dim", -1, "dimension differs from p's"}
	}
	if err := dirs.validate(p.Dim); err != nil {
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

// SquaredToSamples is SlicedSquaredToSamples using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredToSamples(p MixtureND[F], x SamplesND[F], dirs Directions[F], gp *MixtureNDGrad[F], gx *SamplesNDGrad[F]) (F, error) {
	if err := p.validate("p"); err != nil {
		return 0, err
	}
	if err := x.validate("x"); err != nil {
		return 0, err
	}
	if x.Dim != p.Dim {
		return 0, &InputError{"x", "dim", -1, "dimension differs from p's"}
	}
	if err := dirs.validate(p.Dim); err != nil {
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
	sw.outX = outputAcc(gx, x, x.Values, x.Weights, dirs.Theta, p.Weights, p.Means, p.Std, p.Stds, p.Chol)
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

// SquaredSamples is SlicedSquaredSamples using the workspace's buffers.
func (sw *SlicedWorkspace[F]) SquaredSamples(x, y SamplesND[F], dirs Directions[F], gx, gy *SamplesNDGrad[F]) (F, error) {
	if err := x.validate("x"); err != nil {
		return 0, err
	}
	if err := y.validate("y"); err != nil {
		return 0, err
	}
	if y.Dim != x.Dim {
		return 0, &InputError{"y", "dim", -1, "dimension differs from x's"}
	}
	if err := dirs.validate(x.Dim); err != nil {
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

// run evaluates every direction (groups in parallel) and returns the mean.
func (sw *SlicedWorkspace[F]) run() float64 {
	im := kernels.Active()
	d, l := sw.dirs.Dim, sw.dirs.Len()
	sw.thetaT = transpose(sw.thetaT, sw.dirs.Theta, l, d)
	switch sw.kind {
	case sliceMix:
		sw.pm, sw.pv = sw.projectAll(im, sw.pm, sw.pv, sw.p)
		sw.qm, sw.qv = sw.projectAll(im, sw.qm, sw.qv, sw.q)
	case sliceToSamples:
		sw.pm, sw.pv = sw.projectAll(im, sw.pm, sw.pv, sw.p)
		sw.xT = transpose(sw.xT, sw.x.Values, len(sw.x.Values)/d, d)
	default:
		sw.xT = transpose(sw.xT, sw.x.Values, len(sw.x.Values)/d, d)
		sw.yT = transpose(sw.yT, sw.y.Values, len(sw.y.Values)/d, d)
	}
	sw.vals = grow(sw.vals, l)
	threads := sw.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	if sw.kind != sliceMix {
		sw.runSamples(im, threads)
		var s ksum
		for _, v := range sw.vals {
			s.add(v)
		}
		return s.val() / float64(l)
	}
	sw.ngroups = min(slicedGroups, l)
	threads = min(threads, sw.ngroups)
	if threads <= 1 {
		for g := 0; g < sw.ngroups; g++ {
			sw.group(im, g)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int, sw.ngroups)
		for g := 0; g < sw.ngroups; g++ {
			next <- g
		}
		close(next)
		wg.Add(threads)
		for t := 0; t < threads; t++ {
			go func() {
				defer wg.Done()
				for g := range next {
					sw.group(im, g)
				}
			}()
		}
		wg.Wait()
	}
	var s ksum
	for _, v := range sw.vals {
		s.add(v)
	}
	return s.val() / float64(l)
}

// runSamples evaluates every direction of a problem with a sample set
// (sliceToSamples, sliceSampleSets) on up to min(threads, slicedGroups)
// goroutines, each with the scratch of one slot of sw.groups: the scratch
// grows with the number of threads, not with the number of directions.
// Without gradients the slots take chunks of chunkDirections directions as
// they come. With gradients they take one direction each per round, and the
// calling goroutine then adds the round's gradients to the accumulators of
// slot 0 in direction order, so that every accumulator receives the
// directions in the order 0 … L−1 whatever the number of threads.
func (sw *SlicedWorkspace[F]) runSamples(im *kernels.Impl, threads int) {
	l := sw.dirs.Len()
	slots := min(threads, slicedGroups, l)
	for t := range slots {
		sw.groups[t].ws.Threads = 1
	}
	sw.ngroups = 1 // the gradients are in slot 0's accumulators
	if !sw.gradP && !sw.gradX && !sw.gradY {
		// Chunks of at most D/threads directions: the projections of all
		// threads are no larger than the input.
		cd := max(1, min(chunkDirections, sw.dirs.Dim/slots))
		chunks := (l + cd - 1) / cd
		if slots <= 1 {
			for c := range chunks {
				sw.sampleChunk(im, &sw.groups[0], c*cd, min(cd, l-c*cd))
			}
			return
		}
		var next atomic.Int64
		parallel(slots, func(t int) {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				sw.sampleChunk(im, &sw.groups[t], c*cd, min(cd, l-c*cd))
			}
		})
		return
	}
	d := sw.dirs.Dim
	acc := &sw.groups[0]
	if sw.gradP {
		acc.accP.reset(len(sw.p.Weights), d, covLen(sw.p))
	}
	if sw.gradX {
		if sw.outX != nil {
			acc.accX, acc.accXw = asFloat64(sw.outX.Values), asFloat64(sw.outX.Weights)
		}
		acc.accX, acc.accXw = zeroed(acc.accX, len(sw.x.Values)), zeroed(acc.accXw, len(sw.x.Values)/d)
	}
	if sw.gradY {
		if sw.outY != nil {
			acc.accY, acc.accYw = asFloat64(sw.outY.Values), asFloat64(sw.outY.Weights)
		}
		acc.accY, acc.accYw = zeroed(acc.accY, len(sw.y.Values)), zeroed(acc.accYw, len(sw.y.Values)/d)
	}
	for l0 := 0; l0 < l; l0 += slots {
		n := min(slots, l-l0)
		if n == 1 {
			sw.sampleChunk(im, &sw.groups[0], l0, 1)
		} else {
			parallel(n, func(t int) { sw.sampleChunk(im, &sw.groups[t], l0+t, 1) })
		}
		for t := range n {
			sw.accumulateDirection(acc, &sw.groups[t], l0+t)
		}
	}
}

// outputAcc returns g, grown to the size of x's gradient, when F is float64
// and g shares no memory with the inputs: its slices then accumulate the
// gradient during the call (in float64, as scratch accumulators would), and
// finishSamplesGrad scales them in place. Otherwise nil.
func outputAcc[F Float](g *SamplesNDGrad[F], x SamplesND[F], inputs ...[]F) *SamplesNDGrad[F] {
	if g == nil || !is64[F]() {
		return nil
	}
	for _, in := range inputs {
		if overlaps(g.Values, in) || overlaps(g.Weights, in) {
			return nil
		}
	}
	g.Values, g.Weights = grow(g.Values, len(x.Values)), grow(g.Weights, len(x.Values)/x.Dim)
	return g
}

// releaseOutputs forgets the outputs used as accumulators.
func (sw *SlicedWorkspace[F]) releaseOutputs() {
	acc := &sw.groups[0]
	if sw.outX != nil {
		acc.accX, acc.accXw = nil, nil
	}
	if sw.outY != nil {
		acc.accY, acc.accYw = nil, nil
	}
	sw.outX, sw.outY = nil, nil
}

// asFloat64 returns v as a []float64 (F is float64).
func asFloat64[F Float](v []F) []float64 { return any(v).([]float64) }

// parallel runs f(0) … f(n−1) on n goroutines (the calling one among them).
func parallel(n int, f func(t int)) {
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for t := 1; t < n; t++ {
		go func() {
			defer wg.Done()
			f(t)
		}()
	}
	f(0)
	wg.Wait()
}

// sampleChunk computes the directions [l0, l0+cl) of a problem with a
// sample set in slot gr: projects the sample sets on all of them at once
// (one contiguous row of N per direction), then evaluates each into sw.vals,
// leaving the univariate gradients of the last one in gr.
func (sw *SlicedWorkspace[F]) sampleChunk(im *kernels.Impl, gr *slicedGroup[F], l0, cl int) {
	d := sw.dirs.Dim
	thetas := sw.dirs.Theta[l0*d : (l0+cl)*d]
	n := len(sw.x.Values) / d
	gr.xs = grow(gr.xs, cl*n)
	projectMeans(im, gr.xs, thetas, sw.xT, cl, d, n)
	if sw.kind == sliceSampleSets {
		m := len(sw.y.Values) / d
		gr.ys = grow(gr.ys, cl*m)
		projectMeans(im, gr.ys, thetas, sw.yT, cl, d, m)
	}
	for c := range cl {
		sw.vals[l0+c] = sw.sampleDirection(gr, l0+c, c)
	}
}

// sampleDirection computes ℓ₂² of the projections on direction l (the c-th
// of gr's chunk) and its univariate gradients into gr.
func (sw *SlicedWorkspace[F]) sampleDirection(gr *slicedGroup[F], l, c int) float64 {
	d := sw.dirs.Dim
	n := len(sw.x.Values) / d
	gr.x1 = Samples[F]{Values: gr.xs[c*n : (c+1)*n], Weights: sw.x.Weights}
	var gx *SamplesGrad[F]
	if sw.gradX {
		gx = &gr.gx1
	}
	if sw.kind == sliceToSamples {
		mixtureAt(&gr.p1, sw.p, sw.pm, sw.pv, l)
		var gp *MixtureGrad[F]
		if sw.gradP {
			gp = &gr.gp1
		}
		return gr.ws.toSamples(gr.p1, gr.x1, gp, gx)
	}
	m := len(sw.y.Values) / d
	gr.y1 = Samples[F]{Values: gr.ys[c*m : (c+1)*m], Weights: sw.y.Weights}
	var gy *SamplesGrad[F]
	if sw.gradY {
		gy = &gr.gy1
	}
	return gr.ws.squaredSamples(gr.x1, gr.y1, gx, gy)
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

// transpose returns the c×r transpose of the r×c row-major matrix a.
func transpose[F Float](dst, a []F, r, c int) []F {
	dst = grow(dst, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j*r+i] = a[i*c+j]
		}
	}
	return dst
}

// projectAll returns in pm and pv (grown as needed), computed with the
// projection kernels, the projected means (rows of K per direction: θₗᵀmᵢ)
// and variances (θₗᵀΣᵢθₗ) of p on every direction.
func (sw *SlicedWorkspace[F]) projectAll(im *kernels.Impl, pm, pv []F, p MixtureND[F]) ([]F, []F) {
	k, d, l := len(p.Weights), p.Dim, sw.dirs.Len()
	pm, pv = grow(pm, l*k), grow(pv, l*k)
	// Means: directions as rows against the transposed means, so that each
	// direction's K projections are contiguous.
	sw.tmp = transpose(sw.tmp, p.Means, k, d)
	projectMeans(im, pm, sw.dirs.Theta, sw.tmp, l, d, k)
	switch p.kind() {
	case covIso:
		for r := 0; r < l; r++ {
			t2 := sqNorm(sw.dirs.Theta[r*d : (r+1)*d])
			for i, s := range p.Std {
				pv[r*k+i] = F(float64(s) * float64(s) * t2)
			}
		}
		return pm, pv
	case covDiag:
		sw.tmp = grow(sw.tmp, k*d)
		for i, s := range p.Stds {
			sw.tmp[i] = s * s
		}
		sw.tmp2 = grow(sw.tmp2, k*l)
		projectDiagVars(im, sw.tmp2, sw.tmp, sw.thetaT, k, d, l)
	case covChol:
		sw.tmp2 = grow(sw.tmp2, k*l)
		projectCholVars(im, sw.tmp2, p.Chol, sw.thetaT, k, d, l)
	}
	for i := 0; i < k; i++ { // K×L → L×K
		for r := 0; r < l; r++ {
			pv[r*k+i] = sw.tmp2[i*l+r]
		}
	}
	return pm, pv
}

// group evaluates the directions [g·L/G, (g+1)·L/G) of group g (G groups)
// of a mixture problem with its own scratch and accumulators.
func (sw *SlicedWorkspace[F]) group(im *kernels.Impl, g int) {
	gr := &sw.groups[g]
	gr.ws.Threads = 1
	d := sw.dirs.Dim
	if sw.gradP {
		gr.accP.reset(len(sw.p.Weights), d, covLen(sw.p))
	}
	if sw.gradQ {
		gr.accQ.reset(len(sw.q.Weights), d, covLen(sw.q))
	}
	l := sw.dirs.Len()
	for dir := g * l / sw.ngroups; dir < (g+1)*l/sw.ngroups; dir++ {
		sw.vals[dir] = sw.direction(gr, dir)
	}
}

func zeroed(x []float64, n int) []float64 {
	x = grow(x, n)
	clear(x)
	return x
}

// mixtureAt sets dst to θₗ#p from the precomputed projections.
func mixtureAt[F Float](dst *Mixture[F], p MixtureND[F], pm, pv []F, l int) {
	k := len(p.Weights)
	dst.Weights = p.Weights
	dst.Means = pm[l*k : (l+1)*k]
	dst.Stds = grow(dst.Stds, k)
	for i, v := range pv[l*k : (l+1)*k] {
		dst.Stds[i] = F(math.Sqrt(float64(v)))
	}
}

// direction computes ℓ₂² of the projected mixtures on direction l and
// accumulates the gradients of this direction.
func (sw *SlicedWorkspace[F]) direction(gr *slicedGroup[F], l int) float64 {
	d := sw.dirs.Dim
	theta := sw.dirs.Theta[l*d : (l+1)*d]
	mixtureAt(&gr.p1, sw.p, sw.pm, sw.pv, l)
	mixtureAt(&gr.q1, sw.q, sw.qm, sw.qv, l)
	var gp, gq *MixtureGrad[F]
	if sw.gradP {
		gp = &gr.gp1
	}
	if sw.gradQ {
		gq = &gr.gq1
	}
	v := gr.ws.squaredMixtures(gr.p1, gr.q1, gp, gq)
	if gp != nil {
		accumulateMixture(&gr.accP, &gr.u, sw.p, gr.p1.Stds, gp, theta)
	}
	if gq != nil {
		accumulateMixture(&gr.accQ, &gr.u, sw.q, gr.q1.Stds, gq, theta)
	}
	return v
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
				sd := float64(p.Stds[i*d+j])
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

// sqNorm returns ‖θ‖² (FMA-accumulated in float64).
func sqNorm[F Float](theta []F) float64 {
	var t2 float64
	for _, t := range theta {
		t2 = math.FMA(float64(t), float64(t), t2)
	}
	return t2
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
		cov, g.Stds, g.Std = &g.Chol, nil, nil
	case covDiag:
		cov, g.Chol, g.Std = &g.Stds, nil, nil
	default:
		cov, g.Chol, g.Stds = &g.Std, nil, nil
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
