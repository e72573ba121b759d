package mdn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gmmkit/cramer"
)

// DefaultSlices is the number of random directions a Workspace draws per
// call for D > 1 when neither Directions nor Slices is set.
const DefaultSlices = 32

// Workspace holds the scratch memory of the losses so that repeated calls
// with the same shapes allocate nothing. It is not safe for concurrent use;
// the zero value is ready to use.
type Workspace[F cramer.Float] struct {
	// Threads caps the goroutines of the underlying batch computation
	// (0: GOMAXPROCS, 1: the calling goroutine only). Results do not depend
	// on it.
	Threads int

	// Directions, when set, are the directions θ of the sliced losses for
	// D > 1 (Dim must equal the head's D). When empty, every call draws
	// Slices (DefaultSlices if 0) fresh directions uniformly on the sphere
	// from a generator seeded once with Seed.
	Directions cramer.Directions[F]
	Slices     int
	Seed       uint64

	cw  cramer.Workspace[F]
	rng *rand.Rand

	// Decoded heads: weights (B×K), means and stds (B×K×D), dσ/dx (B×K×D).
	w, mu, s, ds []F
	logZ         []float64 // log Σ exp(logits) per example
	// Batch inputs and outputs of the univariate pair sums.
	p, q cramer.Mixture[F]
	// Weights and stds of point and sample targets.
	tw, ts []F
	gp     cramer.MixtureGrad[F]
	out    []F
	theta  []float64 // directions of the current call (L×D)
	loss   []F
	f64    []float64
	// Gradients w.r.t. the head's weights, means and stds reduced over
	// directions (D > 1).
	rw, rm, rs []F
	// Pair-term buffers of one chunk: differences, variances, h, erf, exp.
	pd, pv, ph, pe, px []F
	sums               []float64
	qself, sorted      []float64 // sample targets: self sums, sort buffer
}

// decode validates raw (B × Width values) and fills ws.w, ws.mu, ws.s and
// ws.ds; it returns B.
func (ws *Workspace[F]) decode(h Head, raw []F, grad []F) (int, error) {
	if err := h.Validate(); err != nil {
		return 0, err
	}
	wd := h.Width()
	if len(raw) == 0 || len(raw)%wd != 0 {
		return 0, &cramer.InputError{Arg: "raw", Field: "length", Index: -1,
			Reason: fmt.Sprintf("%d values is not a positive multiple of the head width %d (K + 2·K·D)", len(raw), wd)}
	}
	nb := len(raw) / wd
	if grad != nil && len(grad) != len(raw) {
		return 0, &cramer.InputError{Arg: "grad", Field: "length", Index: -1, Reason: fmt.Sprintf("%d, want %d (len(raw))", len(grad), len(raw))}
	}
	k, d := h.K, h.Dim()
	kd := k * d
	maxMean := cramer.MaxMagnitude[F]() / math.Sqrt(float64(d))
	ws.w = grow(ws.w, nb*k)
	ws.mu = grow(ws.mu, nb*kd)
	ws.s = grow(ws.s, nb*kd)
	ws.ds = grow(ws.ds, nb*kd)
	ws.logZ = grow(ws.logZ, nb)
	lim := limitsOf[F]()
	fast := !is64[F]()
	for b := 0; b < nb; b++ {
		row := raw[b*wd : (b+1)*wd]
		for i, v := range row {
			if f := float64(v); f-f != 0 {
				return 0, h.rawError(b*wd+i, fmt.Sprintf("not finite (%v)", f))
			}
		}
		mu := row[k : k+kd]
		for i, v := range mu {
			if math.Abs(float64(v)) > maxMean {
				return 0, h.rawError(b*wd+k+i, fmt.Sprintf("mean magnitude %v exceeds %.3g", v, maxMean))
			}
		}
		ws.logZ[b] = softmax(ws.w[b*k:(b+1)*k], row[:k], fast)
		copy(ws.mu[b*kd:(b+1)*kd], mu)
		scales(h, ws.s[b*kd:(b+1)*kd], ws.ds[b*kd:(b+1)*kd], row[k+kd:], &lim, fast)
	}
	return nb, nil
}

// softmax sets w = softmax(logits), computed in float64 with the maximum
// subtracted (no overflow for any finite logits; fast uses exp32), and
// returns log Σⱼ exp ℓⱼ, so that log wᵢ = ℓᵢ − the result.
func softmax[F cramer.Float](w, logits []F, fast bool) float64 {
	mx := math.Inf(-1)
	for _, l := range logits {
		mx = max(mx, float64(l))
	}
	var s float64
	if fast {
		for i, l := range logits {
			e := exp32(float64(l) - mx)
			w[i] = F(e)
			s += e
		}
	} else {
		for i, l := range logits {
			e := math.Exp(float64(l) - mx)
			w[i] = F(e)
			s += e
		}
	}
	inv := 1 / s
	for i, e := range w {
		w[i] = F(float64(e) * inv)
	}
	return mx + math.Log(s)
}

func is64[F cramer.Float]() bool { return cramer.MaxMagnitude[F]() > 1e20 }

// chain writes the gradient of (1/B)·Σ_b loss[b] w.r.t. raw, given the
// gradients gw (B×K), gm and gs (B×K×D) of each loss[b] w.r.t. the weights,
// means and stds of its mixture: the softmax chain rule
// ∂/∂ℓᵢ = aᵢ(gᵢ − Σⱼ aⱼgⱼ) and ∂/∂xᵢ = gσᵢ·dσᵢ/dxᵢ.
func (ws *Workspace[F]) chain(h Head, nb int, gw, gm, gs []F, grad []F) {
	k, d := h.K, h.Dim()
	kd, wd := k*d, h.Width()
	inv := 1 / float64(nb)
	for b := 0; b < nb; b++ {
		a := ws.w[b*k : (b+1)*k]
		g := gw[b*k : (b+1)*k]
		row := grad[b*wd : (b+1)*wd]
		var ag float64
		for i := range a {
			ag += float64(a[i]) * float64(g[i])
		}
		for i := range a {
			row[i] = F(inv * float64(a[i]) * (float64(g[i]) - ag))
		}
		m, s, ds := gm[b*kd:(b+1)*kd], gs[b*kd:(b+1)*kd], ws.ds[b*kd:(b+1)*kd]
		for i := range m {
			row[k+i] = F(inv * float64(m[i]))
			row[k+kd+i] = F(inv * float64(s[i]) * float64(ds[i]))
		}
	}
}

func grow[T any](x []T, n int) []T {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]T, n)
}
