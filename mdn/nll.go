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
	ws.f64 = grow(ws.f64, 2*k)
	lc, r := ws.f64[:k], ws.f64[k:]
	const halfLog2Pi = 0.9189385332046728
	inv := 1 / float64(nb)
	var total float64
	for b := 0; b < nb; b++ {
		row := raw[b*wd : (b+1)*wd]
		yb := y[b*d : (b+1)*d]
		mu, sg := ws.mu[b*kd:(b+1)*kd], ws.s[b*kd:(b+1)*kd]
		logZ := ws.logZ[b]
		mx := math.Inf(-1)
		for i := 0; i < k; i++ {
			l := float64(row[i]) - logZ
			for j := 0; j < d; j++ {
				s := max(float64(sg[i*d+j]), lim.nllMinStd)
				z := (float64(yb[j]) - float64(mu[i*d+j])) / s
				z = max(min(z, lim.maxZ), -lim.maxZ)
				l -= math.Log(s) + halfLog2Pi + 0.5*z*z
			}
			lc[i] = l
			mx = max(mx, l)
		}
		var sum float64
		for i := range lc {
			e := math.Exp(lc[i] - mx)
			if fast {
				e = exp32(lc[i] - mx)
			}
			r[i] = e
			sum += e
		}
		v := -(mx + math.Log(sum))
		total += v
		if loss != nil {
			loss[b] = F(v)
		}
		if grad == nil {
			continue
		}
		g := grad[b*wd : (b+1)*wd]
		a, ds := ws.w[b*k:(b+1)*k], ws.ds[b*kd:(b+1)*kd]
		invSum := 1 / sum
		for i := 0; i < k; i++ {
			ri := r[i] * invSum
			g[i] = F(inv * (float64(a[i]) - ri))
			for j := 0; j < d; j++ {
				o := i*d + j
				s := float64(sg[o])
				dsdx := float64(ds[o])
				if s < lim.nllMinStd {
					s, dsdx = lim.nllMinStd, 0
				}
				z := (float64(yb[j]) - float64(mu[o])) / s
				zg := z
				if math.Abs(z) > lim.maxZ {
					zg = 0
				}
				g[k+o] = F(-inv * ri * zg / s)
				g[k+kd+o] = F(inv * ri * (1 - zg*z) * (dsdx / s)) // dσ/dx ≤ σ: no overflow
			}
		}
	}
	return total * inv, nil
}
