package cramer

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
)

// batchChunk is the number of mixture pairs per task of a batch of larger
// mixtures (K·M > 16). A task transposes its pairs into lane-interleaved
// scratch (component c of pair l at x[c*n+l]) and runs the batch-lane kernels
// on them, one pair per SIMD lane. Every pair is computed alone in its lane,
// in the same order whatever the implementation, the chunk or the thread
// count, so results are bit-identical for every Threads value and every
// chunk size.
const batchChunk = 64

// batchChunkSmall and batchChunkOne are the numbers of mixture pairs per
// task of batches of small mixtures (K·M ≤ 16) and of one component on both
// sides. A chunk of such pairs is little work (one pair term per pair for
// K = M = 1), so with 64 pairs the fixed cost of a task (the kernel calls and
// their checks, the scratch cuts) would be a large share of it; larger
// mixtures gain nothing from larger chunks, whose scratch no longer fits
// the caches.
const (
	batchChunkSmall = 128
	batchChunkOne   = 1024
)

// batchChunkFor returns the number of mixture pairs per task of a batch of
// k against m components. It depends on the shape only, never on the thread
// count.
func batchChunkFor(k, m int) int {
	switch {
	case k == 1 && m == 1:
		return batchChunkOne
	case k*m <= 16:
		return batchChunkSmall
	}
	return batchChunk
}

// SquaredBatch sets out[b] = ℓ₂²(P_b, Q_b) for b < len(out), where P_b is the
// mixture made of components [b·k, (b+1)·k) of p and Q_b components
// [b·m, (b+1)·m) of q, laid out contiguously (structure of arrays, as a
// network's output layer produces them). Each block's weights must sum to 1.
// Every out[b] equals Squared(P_b, Q_b) up to the summation order. This is the
// loss of a Gaussian-mixture distributional DQN or a mixture density network
// against mixture targets; with m = 1 and std 0 against scalar targets (when
// every std of q is 0 the point-mass form of the kernels is used).
//
// The pairs are evaluated by the batch-lane kernels, one mixture pair per
// SIMD lane, on blocks of pairs transposed into scratch, so the speed per
// pair term hardly depends on k and m; pairs of single Gaussians (k = m = 1)
// by one kernel that checks, computes and combines them in one pass.
// Results are bit-identical for every thread count; the Workspace form
// allocates nothing once warm (serial path).
// Inputs are checked a chunk of pairs at a time, just before the chunk is
// computed; an error names the first bad element as Validate would (every
// element of p before q), and out, gp and gq then hold unspecified values.
func SquaredBatch[F Float](out []F, k, m int, p, q Mixture[F]) error {
	var ws Workspace[F]
	return ws.SquaredBatchGrad(out, k, m, p, q, nil, nil)
}

// SquaredBatchGrad is SquaredBatch that also fills gp and gq (either may be
// nil) with the derivatives of each out[b] with respect to the components of
// P_b and Q_b, laid out like p and q.
func SquaredBatchGrad[F Float](out []F, k, m int, p, q Mixture[F], gp, gq *MixtureGrad[F]) error {
	var ws Workspace[F]
	return ws.SquaredBatchGrad(out, k, m, p, q, gp, gq)
}

// SquaredBatch is SquaredBatch using the workspace's buffers.
func (ws *Workspace[F]) SquaredBatch(out []F, k, m int, p, q Mixture[F]) error {
	return ws.SquaredBatchGrad(out, k, m, p, q, nil, nil)
}

// SquaredBatchGrad is SquaredBatchGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredBatchGrad(out []F, k, m int, p, q Mixture[F], gp, gq *MixtureGrad[F]) error {
	nb := len(out)
	if err := validateBatchShape("p", p, nb, k); err != nil {
		return err
	}
	if err := validateBatchShape("q", q, nb, m); err != nil {
		return err
	}
	grad := gp != nil || gq != nil
	if gp != nil {
		gp.Weights, gp.Means, gp.Stds = grow(gp.Weights, nb*k), grow(gp.Means, nb*k), grow(gp.Stds, nb*k)
	}
	if gq != nil {
		gq.Weights, gq.Means, gq.Stds = grow(gq.Weights, nb*m), grow(gq.Means, nb*m), grow(gq.Stds, nb*m)
	}
	// The targets are point masses (a mixture density network's scalar
	// targets) when every std of q is 0: the Dirac kernels then compute each
	// row's scale once instead of once per pair. (Scaling by a power of two
	// keeps zeros zero and nonzero stds nonzero.)
	dirac := true
	for _, s := range q.Stds {
		if s != 0 {
			dirac = false
			break
		}
	}
	chunk := batchChunkFor(k, m)
	ntasks := tiles(nb, chunk)
	sc := &ws.scale
	sc.fail = grow(sc.fail, ntasks)
	pairs := nb * (k*m + k*k + m*m)
	nw := ws.workers(ntasks, pairs)
	// Per worker: the interleaved inputs (weights, means, variances of both
	// sides), then the kernels' outputs: row sums of cross, self P and self Q,
	// or with gradients H, D, R of the cross rows and columns and of the rows
	// and columns of both self triangles.
	perF := 3*(k+m) + 2*k + m
	if grad {
		perF = 3*(k+m) + 9*(k+m)
	}
	perF *= chunk
	ws.rowPart = grow(ws.rowPart, nw*perF)
	ws.batchVals = grow(ws.batchVals, nw*2*chunk)
	ws.batchUnder = grow(ws.batchUnder, nw)
	// First pass: every chunk whose inputs its own check clears (valid, no
	// pair to scale, no lossy std: the common case; see batchTask) is
	// computed; the others are left for the second pass.
	ws.job = job[F]{im: kernels.Active(), batch: true, dirac: dirac, grad: grad, k: k, m: m, rt: nb,
		wa: p.Weights, ma: p.Means, sa: p.Stds, wb: q.Weights, mb: q.Means, sb: q.Stds,
		out: out, gp: gp, gq: gq, rowPart: ws.rowPart, perF: perF, chunk: chunk, vals: ws.batchVals, under: ws.batchUnder, fail: sc.fail, unscaled: true, screen: true,
		lims: [2]kernels.FrontLimits{frontLimits[F](k), frontLimits[F](m)}}
	ws.run(ntasks, pairs)
	sc.deferred = sc.deferred[:0]
	for t, f := range sc.fail {
		if f == deferredChunk {
			sc.deferred = append(sc.deferred, t)
		}
	}
	if len(sc.deferred) > 0 {
		if err := ws.batchDeferred(k, m, p, q, pairs); err != nil {
			ws.job = job[F]{}
			return err
		}
	}
	ws.job = job[F]{}
	for _, b := range sc.fail {
		if b >= 0 {
			return batchPairError(b, k, m, p, q, grad)
		}
	}
	return nil
}

// deferredChunk marks in job.fail a chunk that the first pass did not clear.
const deferredChunk = -2

// batchDeferred is the second pass of SquaredBatchGrad over the chunks the
// first left (ws.scale.deferred): it checks every value of p and q element
// by element (returning the error that names the first bad one), then
// decides for the whole batch which pairs need a scale, scales them (see
// scaleState) and computes the deferred chunks with those exponents.
func (ws *Workspace[F]) batchDeferred(k, m int, p, q Mixture[F], pairs int) error {
	nb := ws.job.rt
	if err := validateBatchValues("p", p, nb, k); err != nil {
		return err
	}
	if err := validateBatchValues("q", q, nb, m); err != nil {
		return err
	}
	sc := &ws.scale
	// Pairs of tiny magnitude are solved at a larger scale, each its own.
	unscaled := batchUnscaled(nb, k, m, p, q)
	var exps []int
	if !unscaled {
		exps = sc.batchExponents(nb, k, m, p, q)
	}
	if exps != nil {
		sc.pm, sc.ps = grow(sc.pm, nb*k), grow(sc.ps, nb*k)
		sc.qm, sc.qs = grow(sc.qm, nb*m), grow(sc.qs, nb*m)
		for b, e := range exps {
			scaledInto(sc.pm[b*k:(b+1)*k], p.Means[b*k:(b+1)*k], e)
			scaledInto(sc.ps[b*k:(b+1)*k], p.Stds[b*k:(b+1)*k], e)
			scaledInto(sc.qm[b*m:(b+1)*m], q.Means[b*m:(b+1)*m], e)
			scaledInto(sc.qs[b*m:(b+1)*m], q.Stds[b*m:(b+1)*m], e)
		}
		p = Mixture[F]{p.Weights, sc.pm, sc.ps}
		q = Mixture[F]{q.Weights, sc.qm, sc.qs}
	}
	j := &ws.job
	j.ma, j.sa, j.mb, j.sb = p.Means, p.Stds, q.Means, q.Stds
	j.unscaled, j.exps, j.screen, j.list = unscaled, exps, false, sc.deferred
	runTasks(len(sc.deferred), ws.workers(len(sc.deferred), pairs), j)
	return nil
}

// batchUnscaled reports, from bit patterns and without a branch per element,
// that no mixture pair of the batch needs a scale and none has a lossy std
// (see scaleState): every nonzero std is at least lossyStd, and every pair's
// largest |mean| or std is 0 or at least minUnscaled. Then batchExponents
// would return nil and lossyCheck (at scale 1) report nothing. False means
// "look closer".
func batchUnscaled[F Float](nb, k, m int, p, q Mixture[F]) bool {
	if is64[F]() {
		u := func(x []F) []uint64 { return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
		lossy, small := math.Float64bits(lossyStd[float64]()), math.Float64bits(minUnscaled[float64]())
		return unscaledBits(nb, k, m, u(p.Means), u(p.Stds), u(q.Means), u(q.Stds), lossy, small, 1<<63)
	}
	u := func(x []F) []uint32 { return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
	lossy, small := math.Float32bits(float32(lossyStd[float32]())), math.Float32bits(float32(minUnscaled[float32]()))
	return unscaledBits(nb, k, m, u(p.Means), u(p.Stds), u(q.Means), u(q.Stds), lossy, small, 1<<31)
}

// unscaledBits is batchUnscaled on the bit patterns (sign bit sign) of the
// means and stds, with the patterns of lossyStd and minUnscaled.
func unscaledBits[U uint32 | uint64](nb, k, m int, pm, ps, qm, qs []U, lossy, small, sign U) bool {
	// (x − 1) maps 0 to the largest pattern: the minimum over nonzero stds.
	mn := ^U(0)
	for _, v := range ps {
		mn = min(mn, (v&^sign)-1)
	}
	for _, v := range qs {
		mn = min(mn, (v&^sign)-1)
	}
	if mn < lossy-1 {
		return false
	}
	pm, ps, qm, qs = pm[:nb*k], ps[:nb*k], qm[:nb*m], qs[:nb*m]
	for b := 0; b < nb; b++ {
		var mx U
		for i := b * k; i < (b+1)*k; i++ {
			mx = max(mx, pm[i]&^sign, ps[i]&^sign)
		}
		for i := b * m; i < (b+1)*m; i++ {
			mx = max(mx, qm[i]&^sign, qs[i]&^sign)
		}
		if mx-1 < small-1 { // 0 < mx < small
			return false
		}
	}
	return true
}

// batchExponents returns the scale exponent of every mixture pair of a batch
// (see scaleState), or nil when no pair needs scaling.
func (sc *scaleState[F]) batchExponents(nb, k, m int, p, q Mixture[F]) []int {
	sc.exps = grow(sc.exps, nb)
	any := false
	for b := range sc.exps {
		ps, qs := p.Stds[b*k:(b+1)*k], q.Stds[b*m:(b+1)*m]
		sc.exps[b] = mixtureExponent[F](maxAbs(p.Means[b*k:(b+1)*k], ps, q.Means[b*m:(b+1)*m], qs), minPositive(ps, qs))
		any = any || sc.exps[b] != 0
	}
	if !any {
		return nil
	}
	return sc.exps
}

// batchPairError returns the error of mixture pair b of a batch that
// batchTask flagged (a lossy std, or a value that underflows), as the pair
// computed alone reports it.
func batchPairError[F Float](b, k, m int, p, q Mixture[F], grad bool) error {
	pb := Mixture[F]{p.Weights[b*k : (b+1)*k], p.Means[b*k : (b+1)*k], p.Stds[b*k : (b+1)*k]}
	qb := Mixture[F]{q.Weights[b*m : (b+1)*m], q.Means[b*m : (b+1)*m], q.Stds[b*m : (b+1)*m]}
	var ws Workspace[F]
	ws.Threads = 1
	var g MixtureGrad[F]
	gp := &g
	if !grad {
		gp = nil
	}
	_, err := ws.SquaredGrad(pb, qb, gp, nil)
	ie, ok := err.(*InputError)
	if !ok { // not expected: the pair alone runs the same computation
		return &InputError{"p, q", "values", -1, fmt.Sprintf("mixture pair %d cannot be computed accurately", b)}
	}
	switch ie.Arg {
	case "p":
		ie.Index = shiftIndex(ie.Index, b*k)
	case "q":
		ie.Index = shiftIndex(ie.Index, b*m)
	}
	ie.Reason = fmt.Sprintf("mixture pair %d: %s", b, ie.Reason)
	return ie
}

func shiftIndex(i, off int) int {
	if i < 0 {
		return i
	}
	return i + off
}

// validateBatchShape checks the sizes of one side of a batch (arg "p" or
// "q": nb mixtures of k components) and the lengths of its slices; the
// values are checked chunk by chunk (batchTask) and, when that is not
// conclusive, by validateBatchValues.
func validateBatchShape[F Float](arg string, p Mixture[F], nb, k int) error {
	if nb == 0 {
		return &InputError{"out", "values", -1, "empty batch (len(out) = 0)"}
	}
	if k <= 0 {
		return &InputError{arg, "weights", -1, fmt.Sprintf("components per mixture %d, want > 0", k)}
	}
	n, ok := mulSize(nb, k)
	if !ok {
		return &InputError{arg, "weights", -1, fmt.Sprintf("%d mixtures × %d components overflows", nb, k)}
	}
	for _, f := range [...]struct {
		name string
		x    []F
	}{{"weights", p.Weights}, {"means", p.Means}, {"stds", p.Stds}} {
		if len(f.x) != n {
			return &InputError{arg, f.name, -1, fmt.Sprintf("length %d, want %d (%d mixtures × %d components)", len(f.x), n, nb, k)}
		}
	}
	return nil
}

// validateBatchValues checks the values of one side of a batch whose lengths
// are right, element by element where needed: means, stds, weights, then
// each mixture's weight sum.
func validateBatchValues[F Float](arg string, p Mixture[F], nb, k int) error {
	if err := checkValues(arg, "means", p.Means, false); err != nil {
		return err
	}
	if err := checkValues(arg, "stds", p.Stds, true); err != nil {
		return err
	}
	// Every weight finite and ≥ 0, then each mixture's sum (compensated, as
	// checkWeights sums); checkWeights describes a failing mixture.
	if err := checkRange(arg, "weights", p.Weights, math.Inf(1), true); err != nil {
		return err
	}
	tol := WeightTolerance[F]()
	for b := 0; b < nb; b++ {
		blk := p.Weights[b*k : (b+1)*k]
		var s ksum
		for _, w := range blk {
			s.add(float64(w))
		}
		if math.Abs(s.val()-1) <= tol {
			continue
		}
		if err := checkWeights(arg, blk); err != nil {
			e := err.(*InputError)
			if e.Index >= 0 {
				e.Index += b * k
			} else {
				e.Reason = fmt.Sprintf("mixture %d (elements %d…%d): %s", b, b*k, (b+1)*k-1, e.Reason)
			}
			return e
		}
	}
	return nil
}

// batchTask computes the mixture pairs of one chunk with the batch-lane
// kernels, in the scratch of the given worker. A side of one component per
// mixture is already laid out as the kernels read it (component 0 of pair l
// at l): its weights and means are passed in place, and its self sums, which
// have no pair off the diagonal, are neither computed nor added (adding
// their +0 would not change a bit).
func (j *job[F]) batchTask(task, worker int) {
	k, m := j.k, j.m
	b0 := task * j.chunk
	n := min(j.chunk, j.rt-b0)
	buf := j.rowPart[worker*j.perF : (worker+1)*j.perF]
	j.fail[task] = -1
	take := func(c int) []F { s := buf[:c*n]; buf = buf[c*n:]; return s }
	if k == 1 && m == 1 && j.screen && j.hasGaussian() {
		j.gaussianTask(take, task, worker, b0, n)
		return
	}
	wa, ma, va, ps := j.lanes(take, j.wa, j.ma, j.sa, b0, n, k, &j.lims[0])
	wb, mb, vb, qs := j.lanes(take, j.wb, j.mb, j.sb, b0, n, m, &j.lims[1])
	// The first pass computes the chunk only when its values are valid
	// (validateBatchValues would accept them), no pair needs a scale and
	// none has a lossy std (see scaleState); any other chunk goes to the
	// second pass.
	if j.screen && !(ps.ok && ps.noLossy && qs.ok && qs.noLossy && (ps.big || qs.big)) {
		j.fail[task] = deferredChunk
		return
	}
	if !j.grad {
		cr := take(k)
		var sp, sq []F
		if j.dirac {
			batchDiracRows(j.im, cr, ma, va, wb, mb, n)
		} else {
			batchCrossRows(j.im, cr, ma, va, wb, mb, vb, n)
		}
		if k > 1 {
			sp = take(k)
			batchSelfRows(j.im, sp, ma, va, wa, n)
		}
		if m > 1 {
			sq = take(m)
			batchSelfRows(j.im, sq, mb, vb, wb, n)
		}
		j.chunkValues(task, worker, b0, n, wa, wb, cr, sp, sq)
		return
	}
	g3 := func(c int) gradSums[F] { return gradSums[F]{take(c), take(c), take(c)} }
	crR, crC := g3(k), g3(m)
	var spR, spC, sqR, sqC gradSums[F]
	if j.dirac {
		batchDiracGrad(j.im, crR, gradSums[F]{crC.H, crC.D, nil}, wa, ma, va, wb, mb, n)
		clear(crC.R) // point masses have no std derivative
	} else {
		batchCrossGrad(j.im, crR, crC, wa, ma, va, wb, mb, vb, n)
	}
	if k > 1 {
		spR, spC = g3(k), g3(k)
		batchSelfGrad(j.im, spR, spC, ma, va, wa, n)
	}
	if m > 1 {
		sqR, sqC = g3(m), g3(m)
		batchSelfGrad(j.im, sqR, sqC, mb, vb, wb, n)
	}
	j.chunkValues(task, worker, b0, n, wa, wb, crR.H, spR.H, sqR.H)
	var exps []int
	if j.exps != nil {
		exps = j.exps[b0 : b0+n]
	}
	wpa, spa := j.wa[b0*k:(b0+n)*k], j.sa[b0*k:(b0+n)*k]
	wpb, spb := j.wb[b0*m:(b0+n)*m], j.sb[b0*m:(b0+n)*m]
	if j.gp != nil {
		chunkGrad(j.im, j.gp.Weights[b0*k:(b0+n)*k], j.gp.Means[b0*k:(b0+n)*k], j.gp.Stds[b0*k:(b0+n)*k], wpa, spa, crR, spR, spC, 1, exps, n)
	}
	if j.gq != nil {
		chunkGrad(j.im, j.gq.Weights[b0*m:(b0+n)*m], j.gq.Means[b0*m:(b0+n)*m], j.gq.Stds[b0*m:(b0+n)*m], wpb, spb, crC, sqR, sqC, -1, exps, n)
	}
}

// hasGaussian reports whether the implementation has the one-pass kernels
// of batches of single Gaussians (kernels.Impl.BatchGaussianGrad64 …) of
// precision F.
func (j *job[F]) hasGaussian() bool {
	if is64[F]() {
		return j.im.BatchGaussianValues64 != nil && j.im.BatchGaussianGrad64 != nil
	}
	return j.im.BatchGaussianValues32 != nil && j.im.BatchGaussianGrad32 != nil
}

// gaussianTask is batchTask's first pass over a chunk of pairs of single
// Gaussians (k = m = 1) by the one-pass kernels BatchGaussianValues and
// BatchGaussianGrad, which check both sides, compute the values and
// derivatives and find the first value that underflows at once, with the
// operations of the general path for k = m = 1 bit for bit. A chunk the
// check does not clear goes to the second pass, as in batchTask (its
// values and derivatives, already written, are then written again). A nil
// gp or gq gets scratch.
func (j *job[F]) gaussianTask(take func(int) []F, task, worker, b0, n int) {
	cut := func(x []F) []F { return x[b0 : b0+n] }
	side := func(w, mu, s []F) [3][]F { return [3][]F{cut(w), cut(mu), cut(s)} }
	grads := func(g *MixtureGrad[F]) [3][]F {
		if g == nil {
			return [3][]F{take(1), take(1), take(1)}
		}
		return side(g.Weights, g.Means, g.Stds)
	}
	p, q := side(j.wa, j.ma, j.sa), side(j.wb, j.mb, j.sb)
	var gp, gq [3][]F
	if j.grad {
		gp, gq = grads(j.gp), grads(j.gq)
	}
	under := j.under[worker : worker+1]
	// Both sides have one component: one set of limits (lims[0] = lims[1]).
	sp, sq := batchGaussian(j.im, j.grad, cut(j.out), under, gp, gq, p, q, n, &j.lims[0])
	ps, qs := scanOf[F](sp), scanOf[F](sq)
	if !(ps.ok && ps.noLossy && qs.ok && qs.noLossy && (ps.big || qs.big)) {
		j.fail[task] = deferredChunk
		return
	}
	if under[0] >= 0 {
		j.fail[task] = b0 + under[0]
	}
}

// lanes lays one side of the chunk of n pairs from b0 (c components each)
// out in lanes and checks its values, in one pass (the BatchFront kernel):
// it returns the lane-interleaved weights, means and variances (for c > 1
// all three in scratch from take; for c = 1 the weights and means in place,
// which already are in lane order, and the variances in scratch) and the
// batchScan of the values against lim.
func (j *job[F]) lanes(take func(int) []F, w, mu, s []F, b0, n, c int, lim *kernels.FrontLimits) (dw, dm, dv []F, sc batchScan) {
	w, mu, s = w[b0*c:(b0+n)*c], mu[b0*c:(b0+n)*c], s[b0*c:(b0+n)*c]
	dv = take(c)
	if c > 1 {
		dw, dm = take(c), take(c)
	}
	var r kernels.FrontScan
	if is64[F]() {
		r = j.im.BatchFront64(as64(dw), as64(dm), as64(dv), as64(w), as64(mu), as64(s), c, n, lim)
	} else {
		r = j.im.BatchFront32(as32(dw), as32(dm), as32(dv), as32(w), as32(mu), as32(s), c, n, lim)
	}
	if c == 1 {
		dw, dm = w, mu
	}
	return dw, dm, dv, scanOf[F](r)
}

// chunkGrad writes ∂ℓ₂²/∂(weights, means, stds) of one side of the n mixture
// pairs of a chunk (gw, gm, gs, weights w and stds s contiguous, c = len(w)/n
// components each) from the lane-interleaved GradSums of its cross sums
// (cross: rows for p, sign 1; columns for q, sign −1, whose D has the
// opposite sign) and of the upper-triangle rows and columns of its own self
// sums (nil when c = 1: there are none, and zeros are used instead): the
// formulas of mixtureGrad, by the batch combination kernel BatchSideGrad
// (see purego.BatchSideGrad64). exps (nil: all 0) are the pairs' scale
// exponents: the weight derivatives are scaled back by 2^−e.
func chunkGrad[F Float](im *kernels.Impl, gw, gm, gs, w, s []F, cross, rows, cols gradSums[F], sign int, exps []int, n int) {
	if exps != nil {
		chunkGradScaled(gw, gm, gs, w, s, cross, rows, cols, F(sign), exps, n)
		return
	}
	batchSideGrad(im, gw, gm, gs, w, s, cross, rows, cols, sign, n)
}

// invSqrtPi is 1/√π rounded to float64.
const invSqrtPi = 1 / math.SqrtPi

// chunkGradScaled is chunkGrad for pairs with scale exponents exps: the
// operations of BatchSideGrad in its order and precision (float32 in
// float32, with 2/√π and 1/√π rounded to float32), every product rounded
// before it is added (the explicit conversions keep the compiler from fusing
// them on any architecture), then the weight derivative scaled back.
func chunkGradScaled[F Float](gw, gm, gs, w, s []F, cross, rows, cols gradSums[F], sign F, exps []int, n int) {
	c := len(w) / n
	self := rows.H != nil
	diag, inv := F(2/math.SqrtPi), F(invSqrtPi)
	for l := 0; l < n; l++ {
		e := exps[l]
		for i := 0; i < c; i++ {
			x, o := i*n+l, l*c+i
			a, sd := w[o], s[o]
			var selfH, selfD, selfR F
			if self {
				selfH = F(rows.H[x] + cols.H[x])
				selfD = F(rows.D[x] - cols.D[x])
				selfR = F(rows.R[x] + cols.R[x])
			}
			gw[o] = F(math.Ldexp(float64(cross.H[x]-F(selfH+F(a*F(sd*diag)))), -e))
			gm[o] = a * F(F(sign*cross.D[x])-selfD)
			if sd > 0 {
				gs[o] = a * F(F(sd*F(cross.R[x]-selfR))-F(a*inv))
			} else {
				gs[o] = 0
			}
		}
	}
}

// chunkValues stores (with finishPair) ℓ₂², clamped at 0, of the n mixture
// pairs b0 … b0+n−1 from their lane-interleaved weights (wa, wb), their stds
// and the lane-interleaved row sums of the cross (cr), self P (sp) and self
// Q (sq) kernels (sp, sq nil for one component: no pair off the diagonal):
// Σᵢ aᵢ·crᵢ − ½(self P + self Q) with self = Σᵢ aᵢ²·2σᵢ/√π + 2aᵢ·spᵢ, by the
// batch combination kernel BatchPairValues (compensated sums in float64,
// plain float64 sums of the float32 terms in float32; see
// purego.BatchPairValues64), which also stores the unscaled values in out
// and finds the first that underflows.
// The value and gradient paths both use it, so their values are the same
// bits.
func (j *job[F]) chunkValues(task, worker, b0, n int, wa, wb, cr, sp, sq []F) {
	k, m := j.k, j.m
	sa, sb := j.sa[b0*k:(b0+n)*k], j.sb[b0*m:(b0+n)*m]
	vals := j.vals[2*worker*j.chunk : (2*worker+1)*j.chunk][:n]
	cross := j.vals[(2*worker+1)*j.chunk : (2*worker+2)*j.chunk][:n]
	under := j.under[worker : worker+1]
	batchPairValues(j.im, j.out[b0:b0+n], under, vals, cross, wa, cr, sa, sp, wb, sb, sq, n)
	if j.unscaled { // no scale, no lossy std (batchUnscaled): finishPair inlined
		// The kernel stored every value and found the first that underflows.
		if under[0] >= 0 && j.fail[task] < 0 {
			j.fail[task] = b0 + under[0]
		}
		return
	}
	for l := 0; l < n; l++ {
		b := b0 + l
		j.finishPair(task, b, vals[l], cross[l], j.ma[b*k:(b+1)*k], j.sa[b*k:(b+1)*k], j.mb[b*m:(b+1)*m], j.sb[b*m:(b+1)*m])
	}
}

// finishPair stores the value v of pair b (computed at the pair's scale, with
// the given cross sum, means and stds at that scale) scaled back, flags the pair in
// j.fail[task] when it has a lossy std or its value underflows (see
// scaleState), and returns the pair's scale exponent.
func (j *job[F]) finishPair(task, b int, v, cross float64, ma, sa, mb, sb []F) int {
	if j.unscaled { // no scale, no lossy std (batchUnscaled)
		r := F(v)
		j.out[b] = r
		if r == 0 && v > 0x1p-50*cross && j.fail[task] < 0 {
			j.fail[task] = b
		}
		return 0
	}
	e := 0
	if j.exps != nil {
		e = j.exps[b]
	}
	r := F(math.Ldexp(v, -e))
	j.out[b] = r
	if j.fail[task] >= 0 {
		return e
	}
	if (r == 0 && v > 0x1p-50*cross) ||
		lossyCheck("p", ma, sa, mb, sb, 0, j.grad, cross) != nil ||
		lossyCheck("q", mb, sb, ma, sa, 0, j.grad, cross) != nil {
		j.fail[task] = b
	}
	return e
}
