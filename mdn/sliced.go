package mdn

import (
	"math"
	"math/rand/v2"

	"github.com/gmmkit/cramer"
)

// directions sets ws.theta to the directions of this call (L×D) and returns L.
func (ws *Workspace[F]) directions(d int) (int, error) {
	if t := ws.Directions; len(t.Theta) > 0 || t.Dim != 0 {
		if t.Dim != d || len(t.Theta) == 0 || len(t.Theta)%d != 0 {
			return 0, &cramer.InputError{Arg: "directions", Field: "theta", Index: -1,
				Reason: "Workspace.Directions must hold L·D values with Dim = D (the head's dimension)"}
		}
		l := len(t.Theta) / d
		ws.theta = grow(ws.theta, l*d)
		for i := 0; i < l; i++ {
			var s float64
			for j := 0; j < d; j++ {
				x := float64(t.Theta[i*d+j])
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return 0, &cramer.InputError{Arg: "directions", Field: "theta", Index: i*d + j, Reason: "not finite"}
				}
				s += x * x
			}
			if s == 0 || math.IsInf(s, 0) {
				return 0, &cramer.InputError{Arg: "directions", Field: "theta", Index: i * d, Reason: "zero or overflowing direction"}
			}
			inv := 1 / math.Sqrt(s)
			for j := 0; j < d; j++ {
				ws.theta[i*d+j] = float64(t.Theta[i*d+j]) * inv
			}
		}
		return l, nil
	}
	l := ws.Slices
	if l <= 0 {
		l = DefaultSlices
	}
	if ws.rng == nil {
		ws.rng = rand.New(rand.NewPCG(ws.Seed, 0x6d646e5f736c6963))
	}
	ws.theta = grow(ws.theta, l*d)
	if err := cramer.FillRandomDirections(ws.theta, d, ws.rng); err != nil {
		return 0, err
	}
	return l, nil
}

// project writes the projections of nb mixtures of c components (means and
// diagonal stds nb×c×D) on the L directions into means and stds of nb·L
// univariate mixtures (pair index b·L + l), and the weights repeated L times.
func project[F cramer.Float](theta []float64, l, d, nb, c int, w, mu, s []F, pw, pm, ps []F) {
	for b := 0; b < nb; b++ {
		for t := 0; t < l; t++ {
			th := theta[t*d : (t+1)*d]
			o := (b*l + t) * c
			copy(pw[o:o+c], w[b*c:(b+1)*c])
			for i := 0; i < c; i++ {
				src := (b*c + i) * d
				var m, v float64
				for j, x := range th {
					m += x * float64(mu[src+j])
					sd := x * float64(s[src+j])
					v += sd * sd
				}
				pm[o+i], ps[o+i] = F(m), F(math.Sqrt(v))
			}
		}
	}
}

// sliced is the Cramér loss for D > 1: the mean over directions θ of the
// univariate ℓ₂² of the projected mixtures, with gradients by the chain rule
// through θᵀμ and √(Σ_d θ_d² σ_d²).
func (ws *Workspace[F]) sliced(h Head, nb, m int, qw, qm, qs []F, samples bool, loss, grad []F) (float64, error) {
	k, d := h.K, h.Dim()
	l, err := ws.directions(d)
	if err != nil {
		return 0, err
	}
	n := nb * l
	ws.p.Weights, ws.p.Means, ws.p.Stds = grow(ws.p.Weights, n*k), grow(ws.p.Means, n*k), grow(ws.p.Stds, n*k)
	ws.q.Weights, ws.q.Means, ws.q.Stds = grow(ws.q.Weights, n*m), grow(ws.q.Means, n*m), grow(ws.q.Stds, n*m)
	project(ws.theta, l, d, nb, k, ws.w, ws.mu, ws.s, ws.p.Weights, ws.p.Means, ws.p.Stds)
	project(ws.theta, l, d, nb, m, qw, qm, qs, ws.q.Weights, ws.q.Means, ws.q.Stds)
	ws.out = grow(ws.out, n)
	var qself []float64
	if samples {
		ws.qself = grow(ws.qself, n)
		qself = ws.qself
		ws.sampleSelf(qself, ws.q.Means, m)
	}
	if grad == nil {
		ws.core(n, k, m, ws.p.Weights, ws.p.Means, ws.p.Stds, ws.q.Weights, ws.q.Means, ws.q.Stds, qself, ws.out, nil, nil, nil)
	} else {
		ws.gp.Weights, ws.gp.Means, ws.gp.Stds = grow(ws.gp.Weights, n*k), grow(ws.gp.Means, n*k), grow(ws.gp.Stds, n*k)
		ws.core(n, k, m, ws.p.Weights, ws.p.Means, ws.p.Stds, ws.q.Weights, ws.q.Means, ws.q.Stds, qself, ws.out, ws.gp.Weights, ws.gp.Means, ws.gp.Stds)
	}
	invL := 1 / float64(l)
	for b := 0; b < nb; b++ {
		var s float64
		for _, v := range ws.out[b*l : (b+1)*l] {
			s += float64(v)
		}
		loss[b] = F(s * invL)
	}
	if grad == nil {
		return mean(loss), nil
	}
	// Reduce the per-direction gradients to the head's weights, means and
	// stds (float64 accumulation in ws.f64: K + 2·K·D per example).
	kd := k * d
	ws.f64 = grow(ws.f64, k+2*kd)
	gw, gm, gs := ws.f64[:k], ws.f64[k:k+kd], ws.f64[k+kd:]
	ws.rw, ws.rm, ws.rs = grow(ws.rw, nb*k), grow(ws.rm, nb*kd), grow(ws.rs, nb*kd)
	rw, rm, rs := ws.rw, ws.rm, ws.rs
	for b := 0; b < nb; b++ {
		clear(ws.f64)
		for t := 0; t < l; t++ {
			th := ws.theta[t*d : (t+1)*d]
			o := (b*l + t) * k
			for i := 0; i < k; i++ {
				gw[i] += float64(ws.gp.Weights[o+i])
				dm, dsd, ps := float64(ws.gp.Means[o+i]), float64(ws.gp.Stds[o+i]), float64(ws.p.Stds[o+i])
				for j, x := range th {
					gm[i*d+j] += x * dm
					if ps > 0 {
						gs[i*d+j] += dsd * x * x * float64(ws.s[(b*k+i)*d+j]) / ps
					}
				}
			}
		}
		for i := 0; i < k; i++ {
			rw[b*k+i] = F(gw[i] * invL)
		}
		for i := 0; i < kd; i++ {
			rm[b*kd+i] = F(gm[i] * invL)
			rs[b*kd+i] = F(gs[i] * invL)
		}
	}
	ws.chain(h, nb, rw, rm, rs, grad)
	return mean(loss), nil
}
