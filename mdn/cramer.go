package mdn

import (
	"fmt"
	"math"
	"slices"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// CramerToMixture is Workspace.CramerToMixture with a temporary workspace.
func CramerToMixture[F cramer.Float](h Head, raw []F, target cramer.Mixture[F], loss, grad []F) (float64, error) {
	var ws Workspace[F]
	return ws.CramerToMixture(h, raw, target, loss, grad)
}

// CramerToPoints is Workspace.CramerToPoints with a temporary workspace.
func CramerToPoints[F cramer.Float](h Head, raw, y []F, loss, grad []F) (float64, error) {
	var ws Workspace[F]
	return ws.CramerToPoints(h, raw, y, loss, grad)
}

// CramerToMixture computes, for each example b of the batch raw (B × Width),
// the Cramér ℓ₂²(P_b, Q_b) between the head's mixture P_b and the target
// mixture Q_b into loss[b] (loss may be nil), and returns the batch mean. The
// target holds M components per example: Weights B×M (each block summing to
// 1), Means and Stds B×M×D (row-major, component-major within an example);
// stds may be 0 (point masses). For D > 1 the loss is sliced (see
// Workspace). When grad is not nil (len(grad) = len(raw)) it is set to the
// gradient of the mean w.r.t. raw; the target is a constant.
//
// Cost: O(B·(K·M + K² + M²)) pair terms (times the number of directions for
// D > 1). loss and grad must not alias raw or the target. It allocates
// nothing once the workspace has grown to the shapes.
func (ws *Workspace[F]) CramerToMixture(h Head, raw []F, target cramer.Mixture[F], loss, grad []F) (float64, error) {
	nb, err := ws.checkCall(h, raw, loss, grad)
	if err != nil {
		return 0, err
	}
	d := h.Dim()
	n := len(target.Weights)
	if n == 0 || n%nb != 0 {
		return 0, &cramer.InputError{Arg: "target", Field: "weights", Index: -1,
			Reason: fmt.Sprintf("length %d is not a positive multiple of the batch size %d", n, nb)}
	}
	m := n / nb
	for _, f := range [...]struct {
		name string
		x    []F
	}{{"means", target.Means}, {"stds", target.Stds}} {
		if len(f.x) != n*d {
			return 0, &cramer.InputError{Arg: "target", Field: f.name, Index: -1,
				Reason: fmt.Sprintf("length %d, want %d (%d examples × %d components × %d dimensions)", len(f.x), n*d, nb, m, d)}
		}
	}
	if err := checkTarget("target", "weights", target.Weights, math.Inf(1), true); err != nil {
		return 0, err
	}
	lim := cramer.MaxMagnitude[F]() / math.Sqrt(float64(d))
	if err := checkTarget("target", "means", target.Means, lim, false); err != nil {
		return 0, err
	}
	if err := checkTarget("target", "stds", target.Stds, lim, true); err != nil {
		return 0, err
	}
	tol := cramer.WeightTolerance[F]()
	for b := 0; b < nb; b++ {
		var s float64
		for _, w := range target.Weights[b*m : (b+1)*m] {
			s += float64(w)
		}
		if math.Abs(s-1) > tol {
			return 0, &cramer.InputError{Arg: "target", Field: "weights", Index: b * m,
				Reason: fmt.Sprintf("example %d: weights sum to %.17g, not 1 (tolerance %g)", b, s, tol)}
		}
	}
	return ws.cramer(h, raw, nb, m, target.Weights, target.Means, target.Stds, false, loss, grad)
}

// CramerToPoints computes, for each example b, the Cramér ℓ₂²(P_b, δ(y_b))
// between the head's mixture and the point mass at the target y_b
// (y is B×D) into loss[b] (may be nil), returns the batch mean and, when
// grad is not nil, sets it to the gradient of the mean w.r.t. raw. In one
// dimension
//
//	ℓ₂²(P, δ_y) = Σᵢ aᵢ h(μᵢ − y, σᵢ) − ½ Σᵢⱼ aᵢaⱼ h(μᵢ − μⱼ, √(σᵢ² + σⱼ²)),
//
// h(d, s) = E|N(d, s²)|: finite at σ = 0, with |∂/∂μᵢ| ≤ 2aᵢ. For D > 1 it
// is sliced (see Workspace). It allocates nothing once the workspace has
// grown to the shapes.
func (ws *Workspace[F]) CramerToPoints(h Head, raw, y []F, loss, grad []F) (float64, error) {
	nb, err := ws.checkCall(h, raw, loss, grad)
	if err != nil {
		return 0, err
	}
	if err := checkPoints(y, nb, h.Dim(), false); err != nil {
		return 0, err
	}
	ws.pointMasses(nb, 1, h.Dim())
	return ws.cramer(h, raw, nb, 1, ws.tw, y, ws.ts, false, loss, grad)
}

// checkCall validates the head, raw, grad's length (check) and loss's
// length; it returns B.
func (ws *Workspace[F]) checkCall(h Head, raw, loss, grad []F) (int, error) {
	nb, err := ws.check(h, raw, grad)
	if err != nil {
		return 0, err
	}
	return nb, checkLoss(loss, nb)
}

// checkPoints validates target points y: nb×d values (with samples, a
// positive multiple of nb×d), each finite and at most
// cramer.MaxMagnitude/√d in magnitude.
func checkPoints[F cramer.Float](y []F, nb, d int, samples bool) error {
	switch {
	case samples && (len(y) == 0 || len(y)%(nb*d) != 0):
		return &cramer.InputError{Arg: "y", Field: "values", Index: -1,
			Reason: fmt.Sprintf("length %d is not a positive multiple of %d (%d examples × %d dimensions)", len(y), nb*d, nb, d)}
	case !samples && len(y) != nb*d:
		return &cramer.InputError{Arg: "y", Field: "values", Index: -1,
			Reason: fmt.Sprintf("length %d, want %d (%d examples × %d dimensions)", len(y), nb*d, nb, d)}
	}
	return checkTarget("y", "values", y, cramer.MaxMagnitude[F]()/math.Sqrt(float64(d)), false)
}

// pointMasses sets ws.tw and ws.ts to the weights 1/n and the zero stds
// (n×D each) of n point masses per example of a batch of nb.
func (ws *Workspace[F]) pointMasses(nb, n, d int) {
	ws.tw = grow(ws.tw, nb*n)
	ws.ts = grow(ws.ts, nb*n*d)
	w := F(1 / float64(n))
	for i := range ws.tw {
		ws.tw[i] = w
	}
	clear(ws.ts)
}

// CramerToSamples is Workspace.CramerToSamples with a temporary workspace.
func CramerToSamples[F cramer.Float](h Head, raw, y []F, loss, grad []F) (float64, error) {
	var ws Workspace[F]
	return ws.CramerToSamples(h, raw, y, loss, grad)
}

// CramerToSamples computes, for each example b, the Cramér ℓ₂² between the
// head's mixture and the empirical distribution of n target samples
// (1/n) Σₖ δ(y_b,k), with y holding B×n×D values (example-major, then
// sample, then coordinate; n = len(y)/(B·D)), into loss[b] (may be nil), and
// returns the batch mean; grad, when not nil, receives the gradient of the
// mean w.r.t. raw. The samples' own term −½·(1/n²)·Σₖₗ |y_k − y_l| (a
// constant for the network) is included, computed exactly by sorting, so
// the loss is the distance itself (0 only when P_b equals the samples). For
// D > 1 it is sliced (see Workspace). Cost O(B·(K·n + K² + n log n)). It
// allocates nothing once the workspace has grown.
func (ws *Workspace[F]) CramerToSamples(h Head, raw, y []F, loss, grad []F) (float64, error) {
	nb, err := ws.checkCall(h, raw, loss, grad)
	if err != nil {
		return 0, err
	}
	d := h.Dim()
	if err := checkPoints(y, nb, d, true); err != nil {
		return 0, err
	}
	n := len(y) / (nb * d)
	ws.pointMasses(nb, n, d)
	return ws.cramer(h, raw, nb, n, ws.tw, y, ws.ts, true, loss, grad)
}

// sampleSelf sets dst[b] = (1/n²) Σₖₗ |x_k − x_l| for each block of n values
// of x, by sorting a float64 copy: Σ_{k<l} (x₍ₗ₎ − x₍ₖ₎) = Σₗ x₍ₗ₎ (2l − n + 1).
func (ws *Workspace[F]) sampleSelf(dst []float64, x []F, n int) {
	ws.sorted = grow(ws.sorted, n)
	inv := 1 / (float64(n) * float64(n))
	for b := range dst {
		v := ws.sorted
		for i, xi := range x[b*n : (b+1)*n] {
			v[i] = float64(xi)
		}
		slices.Sort(v)
		var s float64
		for l, xl := range v {
			s += xl * float64(2*l-n+1)
		}
		dst[b] = 2 * s * inv
	}
}

// cramer computes the Cramér loss of the validated raw outputs against
// validated targets of m components per example (weights nb×m, means and
// stds nb×m×D). With samples, the target components are equally weighted
// point masses whose self sum is computed by sorting rather than from
// pairs. D > 1 goes to sliced, D = 1 to cramer1.
func (ws *Workspace[F]) cramer(h Head, raw []F, nb, m int, qw, qm, qs []F, samples bool, loss, grad []F) (float64, error) {
	if h.Dim() > 1 {
		if loss == nil {
			ws.loss = grow(ws.loss, nb)
			loss = ws.loss
		}
		ws.decodeAll(h, raw, nb)
		return ws.sliced(h, nb, m, qw, qm, qs, samples, loss, grad)
	}
	var qself []float64
	if samples {
		ws.qself = grow(ws.qself, nb)
		qself = ws.qself
		ws.sampleSelf(qself, qm, m)
	}
	return ws.cramer1(h, raw, nb, m, qw, qm, qs, qself, loss, grad), nil
}

// cramer1 is the Cramér loss for D = 1, fused a chunk of examples at a time:
// decode the heads (decodeChunk), lay P and Q out in the lanes of the
// batch-lane kernels, run them, combine their outputs per example
// (lanes.combine) and apply the softmax and scale-map chain rule straight
// into grad (chainRow). loss may be nil; it returns the mean of the
// (rounded) losses.
func (ws *Workspace[F]) cramer1(h Head, raw []F, nb, m int, qw, qm, qs []F, qself []float64, loss, grad []F) float64 {
	k, wd := h.K, h.Width()
	lim := limitsOf[F]()
	im := kernels.Active()
	ln, hd := &ws.ln, &ws.hd
	c := lanesPerChunk(k, m)
	ln.size(min(c, nb), k, m)
	inv := 1 / float64(nb)
	var total float64
	for b0 := 0; b0 < nb; b0 += c {
		n := min(c, nb-b0)
		if n < c {
			ln.size(n, k, m)
		}
		decodeChunk(hd, h, raw, b0, n, &lim, !is64[F](), true)
		ln.setP(n, k, hd.a, hd.sd, raw[b0*wd+k:], wd)
		tw, ts := qw[b0*m:(b0+n)*m], qs[b0*m:(b0+n)*m]
		points := ln.setQ(n, m, tw, qm[b0*m:(b0+n)*m], ts)
		var qs64 []float64
		if qself != nil {
			qs64 = qself[b0 : b0+n]
		}
		ln.run(im, n, points, qself == nil, grad != nil)
		ln.combine(n, k, m, hd.a, hd.sd, tw, ts, qs64, grad != nil)
		for l, v := range ln.val[:n] {
			r := F(v)
			total += float64(r)
			if loss != nil {
				loss[b0+l] = r
			}
		}
		if grad == nil {
			continue
		}
		for l := 0; l < n; l++ {
			b, o := b0+l, l*k
			chainRow(grad[b*wd:(b+1)*wd], hd.a[o:o+k], hd.dsd[o:o+k], ln.gw[o:o+k], ln.gm[o:o+k], ln.gs[o:o+k], inv)
		}
	}
	return total * inv
}

// mean is the float64 average of x.
func mean[F cramer.Float](x []F) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s / float64(len(x))
}

func checkLoss[F cramer.Float](loss []F, nb int) error {
	if loss != nil && len(loss) != nb {
		return &cramer.InputError{Arg: "loss", Field: "length", Index: -1, Reason: fmt.Sprintf("%d, want %d (the batch size)", len(loss), nb)}
	}
	return nil
}

// checkTarget reports the first NaN, infinite, negative (when nonNegative) or
// too large element of a target field.
func checkTarget[F cramer.Float](arg, field string, x []F, limit float64, nonNegative bool) error {
	for i, v := range x {
		f := float64(v)
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return &cramer.InputError{Arg: arg, Field: field, Index: i, Reason: fmt.Sprintf("not finite (%v)", f)}
		case nonNegative && f < 0:
			return &cramer.InputError{Arg: arg, Field: field, Index: i, Reason: fmt.Sprintf("negative (%v)", f)}
		case math.Abs(f) > limit:
			return &cramer.InputError{Arg: arg, Field: field, Index: i, Reason: fmt.Sprintf("magnitude %v exceeds %.3g", f, limit)}
		}
	}
	return nil
}
