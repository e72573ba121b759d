package mdn

import (
	"math"
	"unsafe"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// gradSums are the per-component gradient sums H, D, R of the batch-lane
// gradient kernels (see kernels.GradSums64), lane-interleaved.
type gradSums[F cramer.Float] struct{ H, D, R []F }

// lanes is the scratch of the batch-lane kernels for one chunk of n mixture
// pairs (P_l with k components against Q_l with m), every slice
// lane-interleaved: component c of pair l at c·n + l, the layout of the
// kernels (see kernels.Impl).
type lanes[F cramer.Float] struct {
	wa, ma, va []F         // P's weights, means and variances (k×n)
	wb, mb, vb []F         // Q's (m×n)
	cr, cc     gradSums[F] // cross sums over Q's components (rows, k×n) and over P's (columns, m×n)
	pr, pc     gradSums[F] // P's self sums over the components after (rows) and before (columns) each one (k×n)
	qr         []F         // Q's self row sums (m×n)
	// Example-major float64 (n×k): the gradient of each pair's ℓ₂² w.r.t.
	// P's weights, means and stds; and (n) the values.
	gw, gm, gs, val []float64
}

// lanesPerChunk is the number of mixture pairs per kernel call for k and m
// components: chunkLen, fewer (a multiple of 8, at least 8) when m is large.
func lanesPerChunk(k, m int) int {
	return max(8, min(chunkLen, 64*chunkLen/(k+m))&^7)
}

// size makes every buffer hold n pairs of k and m components.
func (ln *lanes[F]) size(n, k, m int) {
	g := func(x []F, c int) []F { return grow(x, c*n) }
	ln.wa, ln.ma, ln.va = g(ln.wa, k), g(ln.ma, k), g(ln.va, k)
	ln.wb, ln.mb, ln.vb = g(ln.wb, m), g(ln.mb, m), g(ln.vb, m)
	ln.cr = gradSums[F]{g(ln.cr.H, k), g(ln.cr.D, k), g(ln.cr.R, k)}
	ln.cc = gradSums[F]{g(ln.cc.H, m), g(ln.cc.D, m), g(ln.cc.R, m)}
	ln.pr = gradSums[F]{g(ln.pr.H, k), g(ln.pr.D, k), g(ln.pr.R, k)}
	ln.pc = gradSums[F]{g(ln.pc.H, k), g(ln.pc.D, k), g(ln.pc.R, k)}
	ln.qr = g(ln.qr, m)
	ln.gw, ln.gm, ln.gs = grow(ln.gw, n*k), grow(ln.gm, n*k), grow(ln.gs, n*k)
	ln.val = grow(ln.val, n)
}

// setP lays out P for n pairs of k components: weights a and stds sd
// example-major float64 (n×k), and the means of pair l at mu[l·stride:]
// (variances F(σ²), σ² rounded once).
func (ln *lanes[F]) setP(n, k int, a, sd []float64, mu []F, stride int) {
	for l := 0; l < n; l++ {
		al, sl, ml := a[l*k:(l+1)*k], sd[l*k:(l+1)*k], mu[l*stride:l*stride+k]
		for i := range al {
			x := i*n + l
			s := sl[i]
			ln.wa[x], ln.ma[x], ln.va[x] = F(al[i]), ml[i], F(s*s)
		}
	}
}

// setQ lays out Q for n pairs of m components from contiguous weights,
// means and stds (n×m), and reports whether every std is 0 (point masses:
// the Dirac kernels apply).
func (ln *lanes[F]) setQ(n, m int, w, mu, sd []F) (points bool) {
	var top F
	for l := 0; l < n; l++ {
		for j := 0; j < m; j++ {
			x, o := j*n+l, l*m+j
			s := float64(sd[o])
			ln.wb[x], ln.mb[x], ln.vb[x] = w[o], mu[o], F(s*s)
			top = max(top, sd[o])
		}
	}
	return top == 0
}

// run calls the batch-lane kernels of n pairs: the cross sums (the Dirac
// kernels when Q's components are points masses), P's self sums, with their
// gradient sums when grad, and Q's self row sums when selfQ (and m > 1).
func (ln *lanes[F]) run(im *kernels.Impl, n int, points, selfQ, grad bool) {
	switch {
	case grad && points:
		batchDiracGrad(im, ln.cr, ln.cc, ln.wa, ln.ma, ln.va, ln.wb, ln.mb, n)
	case grad:
		batchCrossGrad(im, ln.cr, ln.cc, ln.wa, ln.ma, ln.va, ln.wb, ln.mb, ln.vb, n)
	case points:
		batchDiracRows(im, ln.cr.H, ln.ma, ln.va, ln.wb, ln.mb, n)
	default:
		batchCrossRows(im, ln.cr.H, ln.ma, ln.va, ln.wb, ln.mb, ln.vb, n)
	}
	if grad {
		batchSelfGrad(im, ln.pr, ln.pc, ln.ma, ln.va, ln.wa, n)
	} else {
		batchSelfRows(im, ln.pr.H, ln.ma, ln.va, ln.wa, n)
	}
	if selfQ && len(ln.mb) > n {
		batchSelfRows(im, ln.qr, ln.mb, ln.vb, ln.wb, n)
	}
}

// combine sets, from the kernels' outputs, ln.val[l] to ℓ₂²(P_l, Q_l)
// clamped at 0 and, when grad, ln.gw, ln.gm, ln.gs (n×k) to its derivatives
// with respect to P_l's weights, means and stds (P's weights a and stds sd
// example-major n×k, as given to setP):
//
//	ℓ₂² = Σᵢ aᵢ Cᵢ − ½ Σᵢ aᵢ (aᵢ·2σᵢ/√π + 2·Uᵢ) − ½ S_Q,
//	∂/∂aᵢ = Cᵢ − (aᵢ·2σᵢ/√π + Hᵢ),  ∂/∂μᵢ = aᵢ (C_Dᵢ − H_Dᵢ),
//	∂/∂σᵢ = aᵢ (σᵢ (C_Rᵢ − H_Rᵢ) − aᵢ/√π)   (0 for σᵢ = 0),
//
// with C the cross row sums, U P's upper-triangle self row sums, H = rows +
// columns of P's self sums (D: rows − columns) and S_Q Q's self sum: qself[l]
// when qself is not nil, else Σⱼ bⱼ (bⱼ·2τⱼ/√π + 2·(Q's row sum j)) with Q's
// weights b = qw and stds τ = qs (n×m). The value does not depend on grad
// (the row sums H of the value and gradient kernels are the same bits).
func (ln *lanes[F]) combine(n, k, m int, a, sd []float64, qw, qs []F, qself []float64, grad bool) {
	const twoOverSqrtPi = 2 / math.SqrtPi
	cr, pr, pc := ln.cr, ln.pr, ln.pc
	for l := 0; l < n; l++ {
		al, sl := a[l*k:(l+1)*k], sd[l*k:(l+1)*k]
		var cross, selfP float64
		for i, ai := range al {
			x := i*n + l
			cross += ai * float64(cr.H[x])
			selfP += ai * (ai*twoOverSqrtPi*sl[i] + 2*float64(pr.H[x]))
		}
		var selfQ float64
		if qself != nil {
			selfQ = qself[l]
		} else {
			for j := 0; j < m; j++ {
				bj := float64(qw[l*m+j])
				u := bj * twoOverSqrtPi * float64(qs[l*m+j])
				if m > 1 {
					u += 2 * float64(ln.qr[j*n+l])
				}
				selfQ += bj * u
			}
		}
		ln.val[l] = max(cross-0.5*(selfP+selfQ), 0)
		if !grad {
			continue
		}
		gw, gm, gs := ln.gw[l*k:(l+1)*k], ln.gm[l*k:(l+1)*k], ln.gs[l*k:(l+1)*k]
		for i, ai := range al {
			x := i*n + l
			si := sl[i]
			gw[i] = float64(cr.H[x]) - (ai*twoOverSqrtPi*si + (float64(pr.H[x]) + float64(pc.H[x])))
			gm[i] = ai * (float64(cr.D[x]) - (float64(pr.D[x]) - float64(pc.D[x])))
			gs[i] = 0
			if si > 0 {
				gs[i] = ai * (si*(float64(cr.R[x])-(float64(pr.R[x])+float64(pc.R[x]))) - ai/math.SqrtPi)
			}
		}
	}
}

// core computes, for nb univariate problems, ℓ₂²(P_b, Q_b) between
// P_b = Σᵢ w[b·k+i]·N(mu[b·k+i], s[b·k+i]²) (k components) and
// Q_b = Σⱼ qw[b·m+j]·N(qm[b·m+j], qs[b·m+j]²) (m components) into out[b]
// (clamped at 0), and, when gw is not nil, the derivatives of out[b] with
// respect to P_b's weights, means and stds into gw, gm and gs (nb×k).
// When qself is nil Q's self sum is evaluated from its pairs; otherwise
// qself[b] is taken as that sum. The pairs go through the active
// implementation's batch-lane kernels a chunk at a time and are combined in
// float64 (see lanes.combine). It allocates nothing once the workspace
// buffers have grown.
func (ws *Workspace[F]) core(nb, k, m int, w, mu, s, qw, qm, qs []F, qself []float64, out, gw, gm, gs []F) {
	im := kernels.Active()
	ln := &ws.ln
	c := lanesPerChunk(k, m)
	ln.size(min(c, nb), k, m)
	ws.f64 = grow(ws.f64, 2*min(c, nb)*k)
	for b0 := 0; b0 < nb; b0 += c {
		n := min(c, nb-b0)
		if n < c {
			ln.size(n, k, m)
		}
		a, sd := ws.f64[:n*k], ws.f64[n*k:2*n*k]
		for i := range a {
			a[i], sd[i] = float64(w[b0*k+i]), float64(s[b0*k+i])
		}
		ln.setP(n, k, a, sd, mu[b0*k:], k)
		tw, tm, ts := qw[b0*m:(b0+n)*m], qm[b0*m:(b0+n)*m], qs[b0*m:(b0+n)*m]
		points := ln.setQ(n, m, tw, tm, ts)
		var qs64 []float64
		if qself != nil {
			qs64 = qself[b0 : b0+n]
		}
		ln.run(im, n, points, qself == nil, gw != nil)
		ln.combine(n, k, m, a, sd, tw, ts, qs64, gw != nil)
		convert(out[b0:b0+n], ln.val)
		if gw != nil {
			convert(gw[b0*k:(b0+n)*k], ln.gw)
			convert(gm[b0*k:(b0+n)*k], ln.gm)
			convert(gs[b0*k:(b0+n)*k], ln.gs)
		}
	}
}

// The batch-lane kernels of the active implementation in precision F.

func batchDiracGrad[F cramer.Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wx, x []F, n int) {
	if is64[F]() {
		im.BatchDiracGrad64(g64(rows), kernels.GradSums64{H: as[float64](cols.H), D: as[float64](cols.D)},
			as[float64](wa), as[float64](ma), as[float64](va), as[float64](wx), as[float64](x), n)
		return
	}
	im.BatchDiracGrad32(g32(rows), kernels.GradSums32{H: as[float32](cols.H), D: as[float32](cols.D)},
		as[float32](wa), as[float32](ma), as[float32](va), as[float32](wx), as[float32](x), n)
}

func batchCrossGrad[F cramer.Float](im *kernels.Impl, rows, cols gradSums[F], wa, ma, va, wb, mb, vb []F, n int) {
	if is64[F]() {
		im.BatchCrossGrad64(g64(rows), g64(cols), as[float64](wa), as[float64](ma), as[float64](va),
			as[float64](wb), as[float64](mb), as[float64](vb), n)
		return
	}
	im.BatchCrossGrad32(g32(rows), g32(cols), as[float32](wa), as[float32](ma), as[float32](va),
		as[float32](wb), as[float32](mb), as[float32](vb), n)
}

func batchSelfGrad[F cramer.Float](im *kernels.Impl, rows, cols gradSums[F], m, v, w []F, n int) {
	if is64[F]() {
		im.BatchSelfGrad64(g64(rows), g64(cols), as[float64](m), as[float64](v), as[float64](w), n)
		return
	}
	im.BatchSelfGrad32(g32(rows), g32(cols), as[float32](m), as[float32](v), as[float32](w), n)
}

func batchDiracRows[F cramer.Float](im *kernels.Impl, out, ma, va, wx, x []F, n int) {
	if is64[F]() {
		im.BatchDiracRowSums64(as[float64](out), as[float64](ma), as[float64](va), as[float64](wx), as[float64](x), n)
		return
	}
	im.BatchDiracRowSums32(as[float32](out), as[float32](ma), as[float32](va), as[float32](wx), as[float32](x), n)
}

func batchCrossRows[F cramer.Float](im *kernels.Impl, out, ma, va, wb, mb, vb []F, n int) {
	if is64[F]() {
		im.BatchCrossRowSums64(as[float64](out), as[float64](ma), as[float64](va), as[float64](wb), as[float64](mb), as[float64](vb), n)
		return
	}
	im.BatchCrossRowSums32(as[float32](out), as[float32](ma), as[float32](va), as[float32](wb), as[float32](mb), as[float32](vb), n)
}

func batchSelfRows[F cramer.Float](im *kernels.Impl, out, m, v, w []F, n int) {
	if is64[F]() {
		im.BatchSelfRowSums64(as[float64](out), as[float64](m), as[float64](v), as[float64](w), n)
		return
	}
	im.BatchSelfRowSums32(as[float32](out), as[float32](m), as[float32](v), as[float32](w), n)
}

func g64[F cramer.Float](g gradSums[F]) kernels.GradSums64 {
	return kernels.GradSums64{H: as[float64](g.H), D: as[float64](g.D), R: as[float64](g.R)}
}

func g32[F cramer.Float](g gradSums[F]) kernels.GradSums32 {
	return kernels.GradSums32{H: as[float32](g.H), D: as[float32](g.D), R: as[float32](g.R)}
}

// as reinterprets a []F as []T; call only when F is T.
func as[T, F cramer.Float](x []F) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}
