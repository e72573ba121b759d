package cramer

import (
	"runtime"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
)

// The scheduler of the sliced sums. A call projects both arguments on every
// direction (sliced_project.go), then evaluates the directions with the
// univariate core as tasks of runTasks: mixture problems in slicedGroups
// contiguous groups with scratch and gradient accumulators of their own;
// problems with a sample set in chunks of directions (values) or rounds of
// one direction per slot (gradients, accumulated in direction order). Each
// direction's value lands in its own entry of vals, summed in order at the
// end, so no result depends on the thread count.

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

	job sliceJob[F] // the tasks of the call in progress
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
	gx2, gy2     SamplesGrad[F] // spare outputs (one slot: the previous direction's gradients)
	u            []float64      // Lᵢᵀθ for one component
	xs, ys       []F            // sample projections of a chunk of directions (one row of N each)
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
			cap(g.gx1.Values)+cap(g.gx1.Weights)+cap(g.gy1.Values)+cap(g.gy1.Weights)+
			cap(g.gx2.Values)+cap(g.gx2.Weights)+cap(g.gy2.Values)+cap(g.gy2.Weights))
		b += 8 * (cap(g.u) + cap(g.accX) + cap(g.accY) + cap(g.accXw) + cap(g.accYw) +
			cap(g.accP.w) + cap(g.accP.m) + cap(g.accP.cov) + cap(g.accQ.w) + cap(g.accQ.m) + cap(g.accQ.cov))
	}
	return b
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
	sw.job = sliceJob[F]{sw: sw, im: im, phase: jobGroups}
	runTasks(sw.ngroups, threads, &sw.job)
	sw.job = sliceJob[F]{}
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
		sw.job = sliceJob[F]{sw: sw, im: im, phase: jobChunks, cd: cd}
		runTasks((l+cd-1)/cd, slots, &sw.job)
		sw.job = sliceJob[F]{}
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
		sw.job = sliceJob[F]{sw: sw, im: im, phase: jobRound, l0: l0}
		runTasks(n, n, &sw.job)
		sw.job = sliceJob[F]{}
		// The sample gradients of two directions are added in one pass
		// over the accumulators (N·D values, read and written once per
		// pass; D = 4 and 8): the slots' in pairs, and with one slot, every
		// even direction's kept in its spare outputs until the next one is
		// done.
		for t := range n {
			sw.accumulateMixtureDirection(acc, &sw.groups[t], l0+t)
		}
		if slots == 1 && !pairDims(d) {
			sw.accumulateSampleDirections(acc, &sw.groups[0].gx1, &sw.groups[0].gy1, l0, nil, nil)
			continue
		}
		if slots == 1 {
			g := &sw.groups[0]
			switch {
			case l0%2 == 0 && l0+1 < l:
				g.gx1, g.gx2 = g.gx2, g.gx1
				g.gy1, g.gy2 = g.gy2, g.gy1
			case l0%2 == 1:
				sw.accumulateSampleDirections(acc, &g.gx2, &g.gy2, l0-1, &g.gx1, &g.gy1)
			default:
				sw.accumulateSampleDirections(acc, &g.gx1, &g.gy1, l0, nil, nil)
			}
			continue
		}
		for t := 0; t < n; t += 2 {
			g := &sw.groups[t]
			if t+1 < n {
				g2 := &sw.groups[t+1]
				sw.accumulateSampleDirections(acc, &g.gx1, &g.gy1, l0+t, &g2.gx1, &g2.gy1)
			} else {
				sw.accumulateSampleDirections(acc, &g.gx1, &g.gy1, l0+t, nil, nil)
			}
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

// sliceJob is the set of tasks of the sliced computation in progress, a
// runTasks tasker (a struct rather than closures, so that the serial path
// allocates nothing).
type sliceJob[F Float] struct {
	sw    *SlicedWorkspace[F]
	im    *kernels.Impl
	phase int // jobGroups, jobChunks or jobRound
	cd    int // directions per chunk (jobChunks)
	l0    int // the round's first direction (jobRound)
}

const (
	jobGroups = iota // task i: group i of a mixture problem
	jobChunks        // task i: directions [i·cd, (i+1)·cd) in the worker's slot
	jobRound         // task i: direction l0+i in slot i (gradients)
)

func (j *sliceJob[F]) task(worker, i int) {
	sw := j.sw
	switch j.phase {
	case jobGroups:
		sw.group(j.im, i)
	case jobChunks:
		sw.sampleChunk(j.im, &sw.groups[worker], i*j.cd, min(j.cd, sw.dirs.Len()-i*j.cd))
	default:
		sw.sampleChunk(j.im, &sw.groups[i], j.l0+i, 1)
	}
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
		pv := mixtureAt(&gr.p1, sw.p, sw.pm, sw.pv, l)
		var gp *MixtureGrad[F]
		if sw.gradP {
			gp = &gr.gp1
		}
		return gr.ws.toSamples(gr.p1, pv, gr.x1, gp, gx)
	}
	m := len(sw.y.Values) / d
	gr.y1 = Samples[F]{Values: gr.ys[c*m : (c+1)*m], Weights: sw.y.Weights}
	var gy *SamplesGrad[F]
	if sw.gradY {
		gy = &gr.gy1
	}
	return gr.ws.squaredSamples(gr.x1, gr.y1, gx, gy)
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

// direction computes ℓ₂² of the projected mixtures on direction l and
// accumulates the gradients of this direction.
func (sw *SlicedWorkspace[F]) direction(gr *slicedGroup[F], l int) float64 {
	d := sw.dirs.Dim
	theta := sw.dirs.Theta[l*d : (l+1)*d]
	pv := mixtureAt(&gr.p1, sw.p, sw.pm, sw.pv, l)
	qv := mixtureAt(&gr.q1, sw.q, sw.qm, sw.qv, l)
	var gp, gq *MixtureGrad[F]
	if sw.gradP {
		gp = &gr.gp1
	}
	if sw.gradQ {
		gq = &gr.gq1
	}
	v := gr.ws.squaredMixtures(gr.p1, gr.q1, pv, qv, gp, gq)
	if gp != nil {
		accumulateMixture(&gr.accP, &gr.u, sw.p, gr.p1.Stds, gp, theta)
	}
	if gq != nil {
		accumulateMixture(&gr.accQ, &gr.u, sw.q, gr.q1.Stds, gq, theta)
	}
	return v
}
