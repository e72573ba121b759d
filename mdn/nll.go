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
// example (nllTerms); rᵢ = exp(lcᵢ − M), the unnormalised
// responsibilities; R = Σᵢ rᵢ and the softmax sum S; then
// loss = −(M + log(R/S) − D·½ log 2π) and the gradient (nllGrad).
// Each phase is a function of its own: small loops keep their values in
// registers.
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
	mx, logs := ws.f64[2*nkd+n*k:2*nkd+n*k+n], ws.f64[2*nkd+n*k+n:2*nkd+n*k+4*n]
	rows, yc := raw[b0*wd:(b0+n)*wd], y[b0*d:(b0+n)*d]
	floorStds(ls, is, hd.sd[:nkd], lim.nllMinStd)
	if h.Scale == Exp && h.MinStd == 0 {
		// log σ = x, clamped as σ is.
		for o, x := range hd.x[:len(ls)] {
			ls[o] = max(min(x, lim.logMaxStd), lim.logNLLMinStd)
		}
	} else {
		logAll(ls, fast)
	}
	nllTerms(lc, mx, ls, is, hd.shift, rows, yc, k, d, lim.maxZ)
	expAll(lc, fast) // unnormalised responsibilities
	// Per example R = Σ rᵢ and S = Σ exp(ℓᵢ − max ℓ) (decoded unnormalised),
	// their inverses and log(R/S).
	invR, logRS, invS := logs[:n], logs[n:2*n], logs[2*n:3*n]
	sumPairs(invR, invS, lc, hd.a[:n*k], k)
	for l, r := range invR {
		s := invS[l]
		logRS[l] = r / s
		invR[l], invS[l] = 1/r, 1/s
	}
	logAll(logRS, fast)
	var total float64
	for l, m := range mx {
		v := -(m + logRS[l] - float64(d)*halfLog2Pi)
		total += v
		if loss != nil {
			loss[b0+l] = F(v)
		}
	}
	if grad != nil {
		nllGrad(grad[b0*wd:(b0+n)*wd], rows, yc, lc, hd.a, hd.sd, hd.dsd, is, invR, invS, k, d, inv, lim)
	}
	return total
}

// floorStds sets s = max(sd[o], minStd), ls[o] = s (its log to be taken)
// and is[o] = 1/s.
func floorStds(ls, is, sd []float64, minStd float64) {
	ls, is = ls[:len(sd)], is[:len(sd)]
	for o, s := range sd {
		if s < minStd {
			s = minStd
		}
		ls[o], is[o] = s, 1/s
	}
}

// sumPairs sets r[l] and s[l] to the sums of the l-th blocks of k elements
// of x and y.
func sumPairs(r, s, x, y []float64, k int) {
	for l := range r {
		xl := x[l*k : (l+1)*k]
		yl := y[l*k : (l+1)*k]
		yl = yl[:len(xl)]
		var a, b float64
		for i, v := range xl {
			a += v
			b += yl[i]
		}
		r[l], s[l] = a, b
	}
}

// nllTerms sets lc (n×k) to lcᵢ − M of each example of the chunk (rows
// of raw outputs, targets y n×d, log σ ls and 1/σ is n×k×d, shift the
// largest logit) and mx[l] to M, with |z| capped at maxZ.
func nllTerms[F cramer.Float](lc, mx, ls, is, shift []float64, rows, y []F, k, d int, maxZ float64) {
	kd, wd := k*d, k+2*k*d
	for l := range mx {
		row := rows[l*wd : (l+1)*wd]
		lcl := lc[l*k : (l+1)*k]
		lg, mu := row[:len(lcl)], row[k:k+kd]
		lsl, isl := ls[l*kd:(l+1)*kd], is[l*kd:(l+1)*kd]
		sh := shift[l]
		// lc holds −lcᵢ first: M = −min.
		if d == 1 {
			yb := float64(y[l])
			mu, lsl, isl = mu[:len(lcl)], lsl[:len(lcl)], isl[:len(lcl)]
			for i := range lcl {
				z := (yb - float64(mu[i])) * isl[i]
				if z > maxZ {
					z = maxZ
				} else if z < -maxZ {
					z = -maxZ
				}
				lcl[i] = lsl[i] + 0.5*z*z - (float64(lg[i]) - sh)
			}
		} else {
			yb := y[l*d : (l+1)*d]
			for i := range lcl {
				v := sh - float64(lg[i])
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
		nm := minOf(lcl)
		mx[l] = -nm
		for i, v := range lcl {
			lcl[i] = nm - v
		}
	}
}

// nllGrad writes the gradient rows g (scaled by inv) of the examples of a
// chunk from the unnormalised responsibilities r (n×k) and softmax
// exponentials e, 1/R and 1/S per example, the decoded stds sd and dσ/dx
// ds, and 1/σ floored (is): ∂/∂ℓᵢ = aᵢ − rᵢ/R, ∂/∂μ = −(rᵢ/R) z/σ,
// ∂/∂x = (rᵢ/R)(1 − z²)/σ · dσ/dx (0 where σ is floored; z capped as in
// nllTerms, with gradient 0 beyond the cap).
func nllGrad[F cramer.Float](g, rows, y []F, r, e, sd, ds, is, invR, invS []float64, k, d int, inv float64, lim *limits) {
	kd, wd := k*d, k+2*k*d
	minStd, maxZ := lim.nllMinStd, lim.maxZ
	for l := range invR {
		gr, row := g[l*wd:(l+1)*wd], rows[l*wd:(l+1)*wd]
		rb := r[l*k : (l+1)*k]
		el := e[l*k : (l+1)*k]
		gl, gm, gs := gr[:len(rb)], gr[k:k+kd], gr[k+kd:k+2*kd]
		sdl, dsl := sd[l*kd:(l+1)*kd], ds[l*kd:(l+1)*kd]
		mu, isl := row[k:k+kd], is[l*kd:(l+1)*kd]
		// Responsibilities rᵢ = rb[i]/R and weights aᵢ = el[i]/S, times 1/B.
		scale, wscale := inv*invR[l], inv*invS[l]
		for i, ei := range el[:len(rb)] {
			gl[i] = F(wscale*ei - scale*rb[i])
		}
		if d == 1 {
			yb := float64(y[l])
			n := len(rb)
			sdl, dsl, mu, isl, gm, gs = sdl[:n], dsl[:n], mu[:n], isl[:n], gm[:n], gs[:n]
			for i, ri := range rb {
				ri *= scale
				dsdx := dsl[i]
				if sdl[i] < minStd {
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
		yb := y[l*d : (l+1)*d]
		for i, ri := range rb {
			ri *= scale
			for j, yj := range yb {
				o := i*d + j
				dsdx := dsl[o]
				if sdl[o] < minStd {
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
}
