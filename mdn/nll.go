package mdn

import (
	"fmt"
	"math"

	"github.com/gmmkit/cramer"
)

// NLL is Workspace.NLL with a temporary workspace.
func NLL[F cramer.Float](h Head, raw, y []F, loss, grad []F) (float64, error) {
	var ws Workspace[F]
	return ws.NLL(h, raw, y, loss, grad)
}

// NLL computes, for each example b of the batch raw (B × Width), the
// negative log-likelihood of the target y_b (y is B×D) under the head's
// mixture,
//
//	loss[b] = −log Σᵢ aᵢ Π_d N(y_d; μᵢ,d, σᵢ,d²)
//	        = −logsumexp_i(ℓᵢ − logsumexp(ℓ) − Σ_d (log σᵢ,d + ½ log 2π + ½ zᵢ,d²)),
//
// zᵢ,d = (y_d − μᵢ,d)/σᵢ,d, evaluated by log-softmax and log-sum-exp in
// float64 (no underflow of the softmax or of the densities). It returns the
// batch mean and, when grad is not nil, sets grad to the gradient of the mean
// w.r.t. raw: with rᵢ the posterior responsibilities,
// ∂/∂ℓᵢ = aᵢ − rᵢ, ∂/∂μᵢ,d = −rᵢ zᵢ,d/σᵢ,d, ∂/∂σᵢ,d = rᵢ (1 − zᵢ,d²)/σᵢ,d.
// The μ and σ gradients grow without bound as σ → 0 (the reason for the
// Cramér losses); to keep them finite σ is floored at 1e-18 (float32) or
// 1e-150 (float64) and |z| capped at 1e18 or 1e150 (gradient 0 beyond). It
// allocates nothing once the workspace has grown.
func (ws *Workspace[F]) NLL(h Head, raw, y []F, loss, grad []F) (float64, error) {
	nb, err := ws.checkCall(h, raw, loss, grad)
	if err != nil {
		return 0, err
	}
	d := h.Dim()
	if len(y) != nb*d {
		return 0, &cramer.InputError{Arg: "y", Field: "values", Index: -1,
			Reason: fmt.Sprintf("length %d, want %d (%d examples × %d dimensions)", len(y), nb*d, nb, d)}
	}
	if err := checkTarget("y", "values", y, cramer.MaxMagnitude[F](), false); err != nil {
		return 0, err
	}
	lim := limitsOf[F]()
	inv := 1 / float64(nb)
	var total float64
	for b0 := 0; b0 < nb; b0 += chunkLen {
		n := min(chunkLen, nb-b0)
		decodeChunk(&ws.hd, h, raw, b0, n, &lim, !is64[F]())
		total += ws.nllChunk(h, raw, y, b0, n, &lim, inv, loss, grad)
	}
	return total * inv, nil
}

// nllChunk computes the NLL of examples b0 … b0+n−1 (decoded in ws.hd) into
// loss (may be nil) and, when grad is not nil, their gradient rows scaled by
// inv; it returns the sum of the losses. Phases over the chunk, so that the
// logarithms and exponentials run in loops of independent elements: log σ
// and 1/σ; the component log-likelihoods up to constants,
// lcᵢ = (ℓᵢ − max ℓ) − Σ_d (log σᵢ,d + ½ zᵢ,d²), and their maximum M per
// example; rᵢ = exp(lcᵢ − M), the unnormalised responsibilities; the logs
// of R = Σᵢ rᵢ and of the softmax sum S; then
// loss = −(M + log R − log S − D·½ log 2π) and the gradient.
func (ws *Workspace[F]) nllChunk(h Head, raw, y []F, b0, n int, lim *limits, inv float64, loss, grad []F) float64 {
	const halfLog2Pi = 0.9189385332046728
	k, d := h.K, h.Dim()
	kd, wd := k*d, h.Width()
	hd := &ws.hd
	fast := !is64[F]()
	nkd := n * kd
	ws.f64 = grow(ws.f64, 2*nkd+n*k+4*n)
	ls, is := ws.f64[:nkd], ws.f64[nkd:2*nkd] // log σ and 1/σ
	lc := ws.f64[2*nkd : 2*nkd+n*k]
	mx, logs := ws.f64[2*nkd+n*k:2*nkd+n*k+n], ws.f64[2*nkd+n*k+n:]
	minStd, maxZ := lim.nllMinStd, lim.maxZ
	for o, s := range hd.sd[:nkd] {
		s = max(s, minStd)
		ls[o], is[o] = s, 1/s
	}
	if h.Scale == Exp && h.MinStd == 0 {
		// log σ = x, clamped as σ is.
		for l := 0; l < n; l++ {
			xs := raw[(b0+l)*wd+k+kd : (b0+l+1)*wd]
			for i, x := range xs {
				ls[l*kd+i] = max(min(float64(x), lim.logMaxStd), lim.logNLLMinStd)
			}
		}
	} else {
		logAll(ls, fast)
	}
	for l := 0; l < n; l++ {
		b := b0 + l
		row, yb := raw[b*wd:(b+1)*wd], y[b*d:(b+1)*d]
		lg, mu := row[:k], row[k:k+kd]
		shift := hd.shift[l]
		lcl, lsl, isl := lc[l*k:(l+1)*k], ls[l*kd:(l+1)*kd], is[l*kd:(l+1)*kd]
		m := math.Inf(-1)
		for i := range lcl {
			v := float64(lg[i]) - shift
			for j, yj := range yb {
				o := i*d + j
				z := (float64(yj) - float64(mu[o])) * isl[o]
				z = max(min(z, maxZ), -maxZ)
				v -= lsl[o] + 0.5*z*z
			}
			lcl[i] = v
			m = max(m, v)
		}
		mx[l] = m
		for i := range lcl {
			lcl[i] -= m
		}
	}
	expAll(lc, fast) // unnormalised responsibilities
	for l := 0; l < n; l++ {
		var r float64
		for _, e := range lc[l*k : (l+1)*k] {
			r += e
		}
		logs[n+l] = r
		logs[l] = r
		logs[2*n+l] = hd.sum[l]
	}
	logAll(logs[:n], fast)
	logAll(logs[2*n:], fast)
	var total float64
	for l := 0; l < n; l++ {
		b := b0 + l
		v := -(mx[l] + logs[l] - logs[2*n+l] - float64(d)*halfLog2Pi)
		total += v
		if loss != nil {
			loss[b] = F(v)
		}
		if grad == nil {
			continue
		}
		row, yb := raw[b*wd:(b+1)*wd], y[b*d:(b+1)*d]
		g := grad[b*wd : (b+1)*wd]
		a, rb := hd.a[l*k:(l+1)*k], lc[l*k:(l+1)*k]
		sd, ds := hd.sd[l*kd:(l+1)*kd], hd.dsd[l*kd:(l+1)*kd]
		mu, isl := row[k:k+kd], is[l*kd:(l+1)*kd]
		gl, gm, gs := g[:k], g[k:k+kd], g[k+kd:]
		scale := inv / logs[n+l] // responsibilities rᵢ = rb[i]/R, times 1/B
		for i, ai := range a {
			gl[i] = F(inv*ai - scale*rb[i])
		}
		for i, r := range rb {
			ri := scale * r
			for j, yj := range yb {
				o := i*d + j
				dsdx := ds[o]
				if sd[o] < minStd {
					dsdx = 0 // floored σ
				}
				z := (float64(yj) - float64(mu[o])) * isl[o]
				zg := z
				if z > maxZ || z < -maxZ {
					z, zg = math.Copysign(maxZ, z), 0 // capped z
				}
				gm[o] = F(-ri * zg * isl[o])
				gs[o] = F(ri * (1 - zg*z) * (dsdx * isl[o])) // dσ/dx ≤ σ: no overflow
			}
		}
	}
	return total
}
