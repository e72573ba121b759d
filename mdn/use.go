package mdn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gmmkit/cramer"
)

// Decode returns the mixture of example b of raw (B × Width) for a head with
// D = 1: weights softmax(logits), means, and stds from the scale map, exactly
// as the losses see them. It allocates the result.
func Decode[F cramer.Float](h Head, raw []F, b int) (cramer.Mixture[F], error) {
	if h.Dim() != 1 {
		return cramer.Mixture[F]{}, &cramer.InputError{Arg: "head", Field: "D", Index: -1, Reason: fmt.Sprintf("dimension %d: use DecodeND", h.D)}
	}
	w, mu, s, err := decodeOne(h, raw, b)
	return cramer.Mixture[F]{Weights: w, Means: mu, Stds: s}, err
}

// DecodeND returns the mixture of example b as a cramer.MixtureND with
// diagonal covariances (DiagStds, K×D).
func DecodeND[F cramer.Float](h Head, raw []F, b int) (cramer.MixtureND[F], error) {
	w, mu, s, err := decodeOne(h, raw, b)
	return cramer.MixtureND[F]{Dim: h.Dim(), Weights: w, Means: mu, DiagStds: s}, err
}

func decodeOne[F cramer.Float](h Head, raw []F, b int) (w, mu, s []F, err error) {
	if err := h.Validate(); err != nil {
		return nil, nil, nil, err
	}
	wd := h.Width()
	if b < 0 || (b+1)*wd > len(raw) {
		return nil, nil, nil, &cramer.InputError{Arg: "b", Field: "index", Index: b, Reason: fmt.Sprintf("example %d out of range (batch of %d)", b, len(raw)/wd)}
	}
	var ws Workspace[F]
	if _, err := ws.decode(h, raw[b*wd:(b+1)*wd], nil); err != nil {
		e := err.(*cramer.InputError)
		if e.Index >= 0 {
			e.Index += b * wd
		}
		return nil, nil, nil, e
	}
	return ws.w, ws.mu, ws.s, nil
}

// Mean returns Σᵢ aᵢ μᵢ.
func Mean[F cramer.Float](p cramer.Mixture[F]) float64 {
	var m float64
	for i, a := range p.Weights {
		m += float64(a) * float64(p.Means[i])
	}
	return m
}

// Variance returns Σᵢ aᵢ (σᵢ² + (μᵢ − m)²), m the mean.
func Variance[F cramer.Float](p cramer.Mixture[F]) float64 {
	m := Mean(p)
	var v float64
	for i, a := range p.Weights {
		d := float64(p.Means[i]) - m
		s := float64(p.Stds[i])
		v += float64(a) * (s*s + d*d)
	}
	return v
}

// CDF returns P(X ≤ x) = Σᵢ aᵢ Φ((x − μᵢ)/σᵢ) (a point mass contributes aᵢ
// when x ≥ μᵢ).
func CDF[F cramer.Float](p cramer.Mixture[F], x float64) float64 {
	var c float64
	for i, a := range p.Weights {
		mu, s := float64(p.Means[i]), float64(p.Stds[i])
		switch {
		case s > 0:
			c += float64(a) * 0.5 * math.Erfc(-(x-mu)/(s*math.Sqrt2))
		case x >= mu:
			c += float64(a)
		}
	}
	return c
}

// Quantile returns the u-quantile inf{x : CDF(x) ≥ u} for 0 < u < 1, by
// bisection on the CDF to full precision (the bracket is every component's
// mean ± 40σ). It returns an *cramer.InputError for u outside (0, 1) or an
// invalid mixture.
func Quantile[F cramer.Float](p cramer.Mixture[F], u float64) (float64, error) {
	if !(u > 0 && u < 1) {
		return 0, &cramer.InputError{Arg: "u", Field: "value", Index: -1, Reason: fmt.Sprintf("%v, want in (0, 1)", u)}
	}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range p.Means {
		mu, s := float64(p.Means[i]), float64(p.Stds[i])
		lo, hi = min(lo, mu-40*s), max(hi, mu+40*s)
	}
	// Invariant: CDF(lo) < u ≤ CDF(hi) (up to the tails beyond 40σ).
	lo = math.Nextafter(lo, math.Inf(-1))
	for i := 0; i < 2000; i++ {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if CDF(p, mid) >= u {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// LogDensity sets dst[i] = log p(x[i]) for the grid x (len(dst) ≥ len(x)),
// by log-sum-exp over the components (accurate far in the tails). Point
// masses (σ = 0) have no density and are left out; a mixture of point masses
// only has log density −∞ everywhere.
func LogDensity[F cramer.Float](p cramer.Mixture[F], x, dst []float64) {
	const halfLog2Pi = 0.9189385332046728
	for n, xv := range x {
		mx := math.Inf(-1)
		for i, a := range p.Weights {
			if s := float64(p.Stds[i]); s > 0 && a > 0 {
				z := (xv - float64(p.Means[i])) / s
				mx = max(mx, math.Log(float64(a))-math.Log(s)-halfLog2Pi-0.5*z*z)
			}
		}
		if math.IsInf(mx, -1) {
			dst[n] = mx
			continue
		}
		var sum float64
		for i, a := range p.Weights {
			if s := float64(p.Stds[i]); s > 0 && a > 0 {
				z := (xv - float64(p.Means[i])) / s
				sum += math.Exp(math.Log(float64(a)) - math.Log(s) - halfLog2Pi - 0.5*z*z - mx)
			}
		}
		dst[n] = mx + math.Log(sum)
	}
}

// Sample fills dst with independent draws from p using rng: a component i
// with probability aᵢ, then μᵢ + σᵢ·N(0, 1).
func Sample[F cramer.Float](p cramer.Mixture[F], rng *rand.Rand, dst []F) {
	for n := range dst {
		i := pick(p.Weights, rng.Float64())
		dst[n] = F(float64(p.Means[i]) + float64(p.Stds[i])*rng.NormFloat64())
	}
}

// SampleND fills dst (n×Dim) with draws from a mixture with diagonal
// covariances (DiagStds) such as DecodeND returns.
func SampleND[F cramer.Float](p cramer.MixtureND[F], rng *rand.Rand, dst []F) {
	d := p.Dim
	for n := 0; n+d <= len(dst); n += d {
		i := pick(p.Weights, rng.Float64())
		for j := 0; j < d; j++ {
			dst[n+j] = F(float64(p.Means[i*d+j]) + float64(p.DiagStds[i*d+j])*rng.NormFloat64())
		}
	}
}

// pick returns the index whose cumulative weight first exceeds u·Σw.
func pick[F cramer.Float](w []F, u float64) int {
	var tot float64
	for _, a := range w {
		tot += float64(a)
	}
	u *= tot
	var c float64
	for i, a := range w {
		c += float64(a)
		if u < c {
			return i
		}
	}
	for i := len(w) - 1; i > 0; i-- { // rounding: the last non-zero weight
		if w[i] > 0 {
			return i
		}
	}
	return 0
}
