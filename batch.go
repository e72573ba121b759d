package cramer

import (
	"fmt"
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// batchChunk is the number of mixture pairs per task of a batch: fixed, so
// results do not depend on the thread count (each pair is computed alone).
const batchChunk = 64

// SquaredBatch sets out[b] = ℓ₂²(P_b, Q_b) for b < len(out), where P_b is the
// mixture made of components [b·k, (b+1)·k) of p and Q_b components
// [b·m, (b+1)·m) of q, laid out contiguously (structure of arrays, as a
// network's output layer produces them). Each block's weights must sum to 1.
// Every out[b] equals Squared(P_b, Q_b) up to the summation order. This is the
// loss of a Gaussian-mixture distributional DQN or a mixture density network
// against mixture targets.
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
	if err := validateBatch("p", p, nb, k); err != nil {
		return err
	}
	if err := validateBatch("q", q, nb, m); err != nil {
		return err
	}
	grad := gp != nil || gq != nil
	if gp != nil {
		gp.Weights, gp.Means, gp.Stds = grow(gp.Weights, nb*k), grow(gp.Means, nb*k), grow(gp.Stds, nb*k)
	}
	if gq != nil {
		gq.Weights, gq.Means, gq.Stds = grow(gq.Weights, nb*m), grow(gq.Means, nb*m), grow(gq.Stds, nb*m)
	}
	// Pairs of tiny magnitude are solved at a larger scale, each its own
	// (see scaleState).
	sc := &ws.scale
	p0, q0 := p, q
	exps := sc.batchExponents(nb, k, m, p, q)
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
	ws.va = variances(ws.va, p.Stds)
	ws.vb = variances(ws.vb, q.Stds)
	ntasks := tiles(nb, batchChunk)
	sc.fail = grow(sc.fail, ntasks)
	perF := 2*k + m // per task: row sums of cross, self P, self Q
	if grad {
		perF = 9 * (k + m) // H, D, R of cross rows and columns and of both self triangles
	}
	ws.rowPart = grow(ws.rowPart, ntasks*perF)
	ws.rowTot = grow(ws.rowTot, ntasks*12*(k+m))
	ws.job = job[F]{im: kernels.Active(), batch: true, grad: grad, k: k, m: m, rt: nb,
		wa: p.Weights, ma: p.Means, va: ws.va, wb: q.Weights, mb: q.Means, vb: ws.vb,
		sa: p.Stds, sb: q.Stds, out: out, gp: gp, gq: gq,
		rowPart: ws.rowPart, tot: ws.rowTot, perF: perF, exps: exps, fail: sc.fail}
	ws.run(ntasks, nb*(k*m+k*k+m*m))
	ws.job = job[F]{}
	for _, b := range sc.fail {
		if b >= 0 {
			return batchPairError(b, k, m, p0, q0, grad)
		}
	}
	return nil
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

func validateBatch[F Float](arg string, p Mixture[F], nb, k int) error {
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
	if err := checkValues(arg, "means", p.Means, false); err != nil {
		return err
	}
	if err := checkValues(arg, "stds", p.Stds, true); err != nil {
		return err
	}
	for b := 0; b < nb; b++ {
		if err := checkWeights(arg, p.Weights[b*k:(b+1)*k]); err != nil {
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

// batchTask computes the mixture pairs of one chunk.
func (j *job[F]) batchTask(task int) {
	k, m := j.k, j.m
	buf := j.rowPart[task*j.perF : (task+1)*j.perF]
	tot := j.tot[task*12*(k+m) : (task+1)*12*(k+m)]
	j.fail[task] = -1
	for b := task * batchChunk; b < min((task+1)*batchChunk, j.rt); b++ {
		pa, pb := b*k, b*m
		wa, ma, va, sa := j.wa[pa:pa+k], j.ma[pa:pa+k], j.va[pa:pa+k], j.sa[pa:pa+k]
		wb, mb, vb, sb := j.wb[pb:pb+m], j.mb[pb:pb+m], j.vb[pb:pb+m], j.sb[pb:pb+m]
		if !j.grad {
			cr, sp, sq := buf[:k], buf[k:2*k], buf[2*k:2*k+m]
			crossRows(j.im, cr, ma, va, wb, mb, vb)
			selfRows(j.im, sp, ma, va, wa)
			selfRows(j.im, sq, mb, vb, wb)
			c64, sp64, sq64 := tot[:k], tot[k:2*k], tot[2*k:2*k+m]
			toF64(c64, cr)
			toF64(sp64, sp)
			toF64(sq64, sq)
			cross := dot(wa, c64)
			v := cross - 0.5*(selfOf(wa, sa, sp64)+selfOf(wb, sb, sq64))
			j.finishPair(task, b, max(v, 0), cross, ma, sa, mb, sb)
			continue
		}
		// Gradient: cross rows (3k) and columns (3m), self P rows+cols (6k),
		// self Q rows+cols (6m), each H, D, R.
		g := func(x []F, n int) gradSums[F] { return gradSums[F]{x[:n], x[n : 2*n], x[2*n : 3*n]} }
		off := 0
		take := func(n int) []F { s := buf[off : off+3*n]; off += 3 * n; clear(s); return s }
		crR, crC := take(k), take(m)
		spR, spC := take(k), take(k)
		sqR, sqC := take(m), take(m)
		crossGrad(j.im, g(crR, k), g(crC, m), wa, ma, va, wb, mb, vb)
		selfGrad(j.im, g(spR, k), g(spC, k), ma, va, wa)
		selfGrad(j.im, g(sqR, m), g(sqC, m), mb, vb, wb)
		o := 0
		take64 := func(n int) []float64 { s := tot[o : o+n]; o += n; return s }
		cross := take64(3 * k)
		crossCol := take64(3 * m)
		selfP := take64(4 * k)
		selfQ := take64(4 * m)
		toF64(cross, crR)
		toF64(crossCol, crC)
		foldSelf(selfP, spR, spC, k)
		foldSelf(selfQ, sqR, sqC, m)
		crossSum := dot(wa, cross[:k])
		v := crossSum - 0.5*(selfOf(wa, sa, selfP)+selfOf(wb, sb, selfQ))
		e := j.finishPair(task, b, max(v, 0), crossSum, ma, sa, mb, sb)
		if j.gp != nil {
			gp := MixtureGrad[F]{j.gp.Weights[pa : pa+k], j.gp.Means[pa : pa+k], j.gp.Stds[pa : pa+k]}
			mixtureGrad(&gp, Mixture[F]{wa, ma, sa}, cross, selfP, 1, e)
		}
		if j.gq != nil {
			gq := MixtureGrad[F]{j.gq.Weights[pb : pb+m], j.gq.Means[pb : pb+m], j.gq.Stds[pb : pb+m]}
			mixtureGrad(&gq, Mixture[F]{wb, mb, sb}, crossCol, selfQ, -1, e)
		}
	}
}

// finishPair stores the value v of pair b (computed at the pair's scale, with
// the given cross sum, means and stds at that scale) scaled back, flags the pair in
// j.fail[task] when it has a lossy std or its value underflows (see
// scaleState), and returns the pair's scale exponent.
func (j *job[F]) finishPair(task, b int, v, cross float64, ma, sa, mb, sb []F) int {
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

func toF64[F Float](dst []float64, x []F) {
	for i, v := range x {
		dst[i] = float64(v)
	}
}

// foldSelf turns upper-triangle row and column GradSums (3n each) into the
// layout selfSums produces: full off-diagonal H, D, R then the upper rows H.
func foldSelf[F Float](dst []float64, rows, cols []F, n int) {
	for i := 0; i < n; i++ {
		dst[i] = float64(rows[i]) + float64(cols[i])
		dst[n+i] = float64(rows[n+i]) - float64(cols[n+i])
		dst[2*n+i] = float64(rows[2*n+i]) + float64(cols[2*n+i])
		dst[3*n+i] = float64(rows[i])
	}
}
