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
		decodeChunk(&ws.hd, h, raw, b0, n, &lim, !is64[F](), false)
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
	ws.f64 = grow(ws.f64, 2*nkd+n*k+5*n)
	ls, is := ws.f64[:nkd], ws.f64[nkd:2*nkd] // log σ and 1/σ
	lc := ws.f64[2*nkd : 2*nkd+n*k]
	mx, logs := ws.f64[2*nkd+n*k:2*nkd+n*k+n], ws.f64[2*nkd+n*k+n:2*nkd+n*k+5*n]
	minStd, maxZ := lim.nllMinStd, lim.maxZ
	for o, s := range hd.sd[:nkd] {
		if s < minStd {
			s = minStd
		}
		ls[o], is[o] = s, 1/s
	}
	if h.Scale == Exp && h.MinStd == 0 {
		// log σ = x, clamped as σ is.
		for l := 0; l < n; l++ {
			xs := raw[(b0+l)*wd+k+kd : (b0+l+1)*wd]
			lsl := ls[l*kd : (l+1)*kd]
			for i, x := range xs[:len(lsl)] {
				lsl[i] = max(min(float64(x), lim.logMaxStd), lim.logNLLMinStd)
			}
		}
	} else {
		logAll(ls, fast)
	}
	for l := 0; l < n; l++ {
		b := b0 + l
		row := raw[b*wd : (b+1)*wd]
		lcl := lc[l*k : (l+1)*k]
		lg, mu := row[:len(lcl)], row[k:k+kd]
		lsl, isl := ls[l*kd:(l+1)*kd], is[l*kd:(l+1)*kd]
		shift := hd.shift[l]
		if d == 1 {
			yb := float64(y[b])
			mu, lsl, isl = mu[:len(lcl)], lsl[:len(lcl)], isl[:len(lcl)]
			for i := range lcl {
				z := (yb - float64(mu[i])) * isl[i]
				if z > maxZ {
					z = maxZ
				} else if z < -maxZ {
					z = -maxZ
				}
				lcl[i] = lsl[i] + 0.5*z*z - (float64(lg[i]) - shift)
			}
		} else {
			yb := y[b*d : (b+1)*d]
			for i := range lcl {
				v := shift - float64(lg[i])
				for j, yj := range yb {
					o := i*d + j
					z := (float64(yj) - float64(mu[o])) * isl[o]
					if z > maxZ {
						z = maxZ
					} else if z < -maxZ {
						z = -maxZ
					}
					v += lsl[o] + 0.5*z*z
				}
				lcl[i] = v
			}
		}
		// lc holds −lcᵢ here: M = −min.
		nm := minOf(lcl)
		mx[l] = -nm
		for i, v := range lcl {
			lcl[i] = nm - v
		}
	}
	expAll(lc, fast) // unnormalised responsibilities
	// Per example R = Σ rᵢ and S = Σ exp(ℓᵢ − max ℓ) (decoded unnormalised),
	// their inverses and their logarithms.
	invR, logR, logS, invS := logs[:n], logs[n:2*n], logs[2*n:3*n], logs[3*n:4*n]
	for l := range logR {
		rl := lc[l*k : (l+1)*k]
		el := hd.a[l*k : (l+1)*k]
		el = el[:len(rl)]
		var r, s float64
		for i, e := range rl {
			r += e
			s += el[i]
		}
		logR[l], logS[l] = r, s
	}
	for l, r := range logR {
		invR[l], invS[l] = 1/r, 1/logS[l]
	}
	logAll(logs[n:3*n], fast)
	var total float64
	for l := 0; l < n; l++ {
		b := b0 + l
		v := -(mx[l] + logR[l] - logS[l] - float64(d)*halfLog2Pi)
		total += v
		if loss != nil {
			loss[b] = F(v)
		}
		if grad == nil {
			continue
		}
		row, g := raw[b*wd:(b+1)*wd], grad[b*wd:(b+1)*wd]
		rb := lc[l*k : (l+1)*k]
		a := hd.a[l*k : (l+1)*k]
		gl, gm, gs := g[:len(rb)], g[k:k+kd], g[k+kd:k+2*kd]
		sd, ds := hd.sd[l*kd:(l+1)*kd], hd.dsd[l*kd:(l+1)*kd]
		mu, isl := row[k:k+kd], is[l*kd:(l+1)*kd]
		// Responsibilities rᵢ = rb[i]/R and weights aᵢ = a[i]/S, times 1/B.
		scale, wscale := inv*invR[l], inv*invS[l]
		for i, ai := range a[:len(rb)] {
			gl[i] = F(wscale*ai - scale*rb[i])
		}
		if d == 1 {
			yb := float64(y[b])
			sd, ds, mu, isl, gm, gs = sd[:len(rb)], ds[:len(rb)], mu[:len(rb)], isl[:len(rb)], gm[:len(rb)], gs[:len(rb)]
			for i, r := range rb {
				ri := scale * r
				dsdx := ds[i]
				if sd[i] < minStd {
					dsdx = 0 // floored σ
				}
				z := (yb - float64(mu[i])) * isl[i]
				zg := z
				if z > maxZ || z < -maxZ {
					z, zg = math.Copysign(maxZ, z), 0 // capped z
				}
				gm[i] = F(-ri * zg * isl[i])
				gs[i] = F(ri * (1 - zg*z) * (dsdx * isl[i])) // dσ/dx ≤ σ: no overflow
			}
			continue
		}
		yb := y[b*d : (b+1)*d]
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
