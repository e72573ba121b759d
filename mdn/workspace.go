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
	// Threads is reserved for a parallel implementation; the losses
	// currently run on the calling goroutine whatever its value.
	Threads int

	// Directions, when set, are the directions θ of the sliced losses for
	// D > 1 (Dim must equal the head's D). When empty, every call draws
	// Slices (DefaultSlices if 0) fresh directions uniformly on the sphere
	// from a generator seeded once with Seed.
	Directions cramer.Directions[F]
	Slices     int
	Seed       uint64

	rng *rand.Rand

	// Decoded heads: weights (B×K), means and stds (B×K×D), dσ/dx (B×K×D).
	w, mu, s, ds []F
	logZ         []float64 // log Σ exp(logits) per example
	tmp          []float64 // per-example scratch (K·D)
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
	ws.tmp = grow(ws.tmp, max(nb*k, nb*kd))
	lim := limitsOf[F]()
	fast := !is64[F]()
	// v·0 is 0 for finite v and NaN otherwise: one branch-free pass, and a
	// second one to name the first bad element only when there is one.
	var a0, a1, a2, a3 F // four chains: no add-latency bottleneck
	i := 0
	for ; i+4 <= len(raw); i += 4 {
		a0 += raw[i] * 0
		a1 += raw[i+1] * 0
		a2 += raw[i+2] * 0
		a3 += raw[i+3] * 0
	}
	for ; i < len(raw); i++ {
		a0 += raw[i] * 0
	}
	if a0+a1+a2+a3 != 0 {
		for i, v := range raw {
			if v-v != 0 {
				return 0, h.rawError(i, fmt.Sprintf("not finite (%v)", v))
			}
		}
	}
	for b := 0; b < nb; b++ {
		row := raw[b*wd : (b+1)*wd]
		mu := row[k : k+kd]
		for i, v := range mu {
			if math.Abs(float64(v)) > maxMean {
				return 0, h.rawError(b*wd+k+i, fmt.Sprintf("mean magnitude %v exceeds %.3g", v, maxMean))
			}
		}
		copy(ws.mu[b*kd:(b+1)*kd], mu)
	}
	// The softmax and the scale map a batch at a time, so that the
	// exponentials run in long independent loops.
	e := ws.tmp[:nb*k]
	for b := 0; b < nb; b++ {
		logits := raw[b*wd : b*wd+k]
		mx := math.Inf(-1)
		for _, l := range logits {
			if f := float64(l); f > mx { // plain comparisons: inputs are finite
				mx = f
			}
		}
		ws.logZ[b] = mx
		for i, l := range logits {
			e[b*k+i] = float64(l) - mx
		}
	}
	expAll(e, fast)
	for b := 0; b < nb; b++ {
		var sum float64
		for _, v := range e[b*k : (b+1)*k] {
			sum += v
		}
		inv := 1 / sum
		for i, v := range e[b*k : (b+1)*k] {
			ws.w[b*k+i] = F(v * inv)
		}
		e[b] = sum // e[b] is read: its block (b·k ≥ b) has been consumed
	}
	logAll(e[:nb], fast)
	for b := 0; b < nb; b++ {
		ws.logZ[b] += e[b]
	}
	x := ws.tmp[:nb*kd]
	for b := 0; b < nb; b++ {
		xs, row := x[b*kd:(b+1)*kd], raw[b*wd+k+kd:(b+1)*wd]
		switch h.Scale {
		case Exp:
			for i, v := range row {
				xs[i] = float64(v)
				if xs[i] > lim.logMaxStd {
					xs[i] = lim.logMaxStd
				}
			}
		case ELUPlusOne:
			for i, v := range row {
				xs[i] = float64(v)
				if xs[i] > 0 {
					xs[i] = 0
				}
			}
		default:
			for i, v := range row {
				xs[i] = -math.Abs(float64(v))
			}
		}
	}
	expAll(x, fast)
	if h.Scale == ELUPlusOne {
		// The common case inline: σ = MinStd + (x + 1 or eˣ).
		for b := 0; b < nb; b++ {
			row := raw[b*wd+k+kd : (b+1)*wd]
			xs, sg, ds := x[b*kd:b*kd+len(row)], ws.s[b*kd:b*kd+len(row)], ws.ds[b*kd:b*kd+len(row)]
			for i, v := range row {
				f := float64(v)
				sigma, deriv := xs[i], xs[i]
				if f > 0 {
					sigma, deriv = f+1, 1
				}
				sigma += h.MinStd
				if sigma > lim.maxStd {
					sigma, deriv = lim.maxStd, 0
				}
				sg[i], ds[i] = F(sigma), F(deriv)
			}
		}
	} else {
		for b := 0; b < nb; b++ {
			for i, v := range raw[b*wd+k+kd : (b+1)*wd] {
				sg, dg := h.scaleFrom(float64(v), x[b*kd+i], &lim)
				ws.s[b*kd+i], ws.ds[b*kd+i] = F(sg), F(dg)
			}
		}
	}
	return nb, nil
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
