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
	nb, err := ws.decode(h, raw, grad)
	if err != nil {
		return 0, err
	}
	if err := checkLoss(loss, nb); err != nil {
		return 0, err
	}
	k, d := h.K, h.Dim()
	kd, wd := k*d, h.Width()
	if len(y) != nb*d {
		return 0, &cramer.InputError{Arg: "y", Field: "values", Index: -1,
			Reason: fmt.Sprintf("length %d, want %d (%d examples × %d dimensions)", len(y), nb*d, nb, d)}
	}
	if err := checkTarget("y", "values", y, cramer.MaxMagnitude[F](), false); err != nil {
		return 0, err
	}
	lim := limitsOf[F]()
	fast := !is64[F]()
	// Phases over the whole batch, so that logarithms and exponentials run
	// in long independent loops: log σ; the component log-likelihoods lc
	// (B×K) and their per-example maximum; exp(lc − max) = unnormalised
	// responsibilities; the per-example sums and logs; value and gradient.
	n := nb * kd
	ws.f64 = grow(ws.f64, 2*n+nb*k+2*nb)
	ls, is := ws.f64[:n], ws.f64[n:2*n] // log σ and 1/σ
	lc := ws.f64[2*n : 2*n+nb*k]
	mxs, sums := ws.f64[2*n+nb*k:2*n+nb*k+nb], ws.f64[2*n+nb*k+nb:]
	for o, s := range ws.s[:n] {
		f := float64(s)
		if f < lim.nllMinStd {
			f = lim.nllMinStd
		}
		ls[o], is[o] = f, 1/f
	}
	logAll(ls, fast)
	const halfLog2Pi = 0.9189385332046728
	for b := 0; b < nb; b++ {
		logits := raw[b*wd : b*wd+k]
		lcb := lc[b*k : (b+1)*k]
		mu := ws.mu[b*kd : (b+1)*kd]
		lsb, isb := ls[b*kd:(b+1)*kd], is[b*kd:(b+1)*kd]
		logZ := ws.logZ[b]
		mx := math.Inf(-1)
		if d == 1 {
			yb := float64(y[b])
			mu, lsb, isb = mu[:k], lsb[:k], isb[:k]
			for i, lg := range logits {
				z := (yb - float64(mu[i])) * isb[i]
				if z > lim.maxZ {
					z = lim.maxZ
				} else if z < -lim.maxZ {
					z = -lim.maxZ
				}
				l := float64(lg) - logZ - lsb[i] - halfLog2Pi - 0.5*z*z
				lcb[i] = l
				if l > mx {
					mx = l
				}
			}
		} else {
			yb := y[b*d : (b+1)*d]
			for i, lg := range logits {
				l := float64(lg) - logZ
				for j := 0; j < d; j++ {
					o := i*d + j
					z := (float64(yb[j]) - float64(mu[o])) * isb[o]
					if z > lim.maxZ {
						z = lim.maxZ
					} else if z < -lim.maxZ {
						z = -lim.maxZ
					}
					l -= lsb[o] + halfLog2Pi + 0.5*z*z
				}
				lcb[i] = l
				if l > mx {
					mx = l
				}
			}
		}
		mxs[b] = mx
		for i := range lcb {
			lcb[i] -= mx
		}
	}
	expAll(lc, fast) // unnormalised responsibilities
	for b := 0; b < nb; b++ {
		var sum float64
		for _, e := range lc[b*k : (b+1)*k] {
			sum += e
		}
		sums[b] = sum
	}
	copy(ls[:nb], sums) // log σ is no longer needed
	logAll(ls[:nb], fast)
	inv := 1 / float64(nb)
	var total float64
	for b := 0; b < nb; b++ {
		v := -(mxs[b] + ls[b])
		total += v
		if loss != nil {
			loss[b] = F(v)
		}
		if grad == nil {
			continue
		}
		g := grad[b*wd : (b+1)*wd]
		a := ws.w[b*k : (b+1)*k]
		mu, sg, ds := ws.mu[b*kd:(b+1)*kd], ws.s[b*kd:(b+1)*kd], ws.ds[b*kd:(b+1)*kd]
		isb := is[b*kd : (b+1)*kd]
		rb := lc[b*k : (b+1)*k]
		scale := inv / sums[b] // responsibilities rᵢ = rb[i]/sums[b], times 1/B
		gl, gm, gs := g[:k], g[k:k+kd], g[k+kd:]
		for i, ai := range a {
			gl[i] = F(inv*float64(ai) - scale*rb[i])
		}
		if d == 1 {
			yb := float64(y[b])
			mu, sg, ds, isb, gm, gs := mu[:k], sg[:k], ds[:k], isb[:k], gm[:k], gs[:k]
			for i, r := range rb {
				ri := scale * r
				dsdx := float64(ds[i])
				if float64(sg[i]) < lim.nllMinStd {
					dsdx = 0 // floored σ
				}
				z := (yb - float64(mu[i])) * isb[i]
				zg := z
				if z > lim.maxZ || z < -lim.maxZ {
					z, zg = math.Copysign(lim.maxZ, z), 0 // capped z
				}
				gm[i] = F(-ri * zg * isb[i])
				gs[i] = F(ri * (1 - zg*z) * (dsdx * isb[i])) // dσ/dx ≤ σ: no overflow
			}
			continue
		}
		yb := y[b*d : (b+1)*d]
		o := 0
		for _, r := range rb {
			ri := scale * r
			for _, yj := range yb {
				dsdx := float64(ds[o])
				if float64(sg[o]) < lim.nllMinStd {
					dsdx = 0 // floored σ
				}
				z := (float64(yj) - float64(mu[o])) * isb[o]
				zg := z
				if z > lim.maxZ || z < -lim.maxZ {
					z, zg = math.Copysign(lim.maxZ, z), 0 // capped z
				}
				gm[o] = F(-ri * zg * isb[o])
				gs[o] = F(ri * (1 - zg*z) * (dsdx * isb[o])) // dσ/dx ≤ σ: no overflow
				o++
			}
		}
	}
	return total * inv, nil
}
