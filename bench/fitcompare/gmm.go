package main

import (
	"math"

	"github.com/gmmkit/cramer"
)

// gauss is a mixture with full covariance matrices, the common form of the
// comparison's metrics and of Runnalls' merging.
type gauss struct {
	d   int
	w   []float64
	mu  [][]float64
	cov [][]float64 // d×d row-major per component
}

// fromND converts a cramer mixture of any covariance form.
func fromND(m cramer.MixtureND[float64]) gauss {
	d := m.Dim
	g := gauss{d: d}
	for i, w := range m.Weights {
		g.w = append(g.w, w)
		g.mu = append(g.mu, append([]float64(nil), m.Means[i*d:(i+1)*d]...))
		s := make([]float64, d*d)
		switch {
		case m.Chol != nil:
			l := m.Chol[i*d*d : (i+1)*d*d]
			for a := 0; a < d; a++ {
				for b := 0; b < d; b++ {
					for c := 0; c <= min(a, b); c++ {
						s[a*d+b] += l[a*d+c] * l[b*d+c]
					}
				}
			}
		case m.DiagStds != nil:
			for a := 0; a < d; a++ {
				s[a*d+a] = m.DiagStds[i*d+a] * m.DiagStds[i*d+a]
			}
		default:
			for a := 0; a < d; a++ {
				s[a*d+a] = m.IsoStds[i] * m.IsoStds[i]
			}
		}
		g.cov = append(g.cov, s)
	}
	return g
}

func from1D(m cramer.Mixture[float64]) gauss {
	return fromND(cramer.MixtureND[float64]{Dim: 1, Weights: m.Weights, Means: m.Means, DiagStds: m.Stds})
}

// toND converts to a cramer mixture with Cholesky factors.
func (g gauss) toND() cramer.MixtureND[float64] {
	d := g.d
	m := cramer.MixtureND[float64]{Dim: d}
	for i := range g.w {
		m.Weights = append(m.Weights, g.w[i])
		m.Means = append(m.Means, g.mu[i]...)
		l, _ := chol(g.cov[i], d)
		m.Chol = append(m.Chol, l...)
	}
	return m
}

func (g gauss) to1D() cramer.Mixture[float64] {
	m := cramer.Mixture[float64]{}
	for i := range g.w {
		m.Weights = append(m.Weights, g.w[i])
		m.Means = append(m.Means, g.mu[i][0])
		m.Stds = append(m.Stds, math.Sqrt(g.cov[i][0]))
	}
	return m
}

// chol returns the lower Cholesky factor of s and log det s.
func chol(s []float64, d int) ([]float64, float64) {
	l := make([]float64, d*d)
	var logdet float64
	for a := 0; a < d; a++ {
		for b := 0; b <= a; b++ {
			v := s[a*d+b]
			for c := 0; c < b; c++ {
				v -= l[a*d+c] * l[b*d+c]
			}
			if a == b {
				if v <= 0 {
					v = 1e-300
				}
				l[a*d+a] = math.Sqrt(v)
				logdet += math.Log(v)
			} else {
				l[a*d+b] = v / l[b*d+b]
			}
		}
	}
	return l, logdet
}

// logNormal returns log N(x; μ, Σ) given Σ's Cholesky factor and log det.
func logNormal(x, mu, l []float64, logdet float64, d int) float64 {
	z := make([]float64, d)
	var q float64
	for a := 0; a < d; a++ {
		v := x[a] - mu[a]
		for c := 0; c < a; c++ {
			v -= l[a*d+c] * z[c]
		}
		z[a] = v / l[a*d+a]
		q += z[a] * z[a]
	}
	return -0.5*(q+logdet) - 0.5*float64(d)*math.Log(2*math.Pi)
}

// logLikelihood returns the mean log-density of the points x (n×d).
func (g gauss) logLikelihood(x []float64) float64 {
	d := g.d
	ls := make([][]float64, len(g.w))
	lds := make([]float64, len(g.w))
	for i := range g.w {
		ls[i], lds[i] = chol(g.cov[i], d)
	}
	n := len(x) / d
	lp := make([]float64, len(g.w))
	var total float64
	for j := 0; j < n; j++ {
		m := math.Inf(-1)
		for i := range g.w {
			lp[i] = math.Log(g.w[i]) + logNormal(x[j*d:(j+1)*d], g.mu[i], ls[i], lds[i], d)
			m = math.Max(m, lp[i])
		}
		var s float64
		for i := range lp {
			s += math.Exp(lp[i] - m)
		}
		total += m + math.Log(s)
	}
	return total / float64(n)
}

// overlap returns ∫ p q = Σᵢⱼ aᵢ bⱼ N(μᵢ; νⱼ, Σᵢ + Tⱼ).
func overlap(p, q gauss) float64 {
	d := p.d
	s := make([]float64, d*d)
	var total float64
	for i := range p.w {
		for j := range q.w {
			for t := range s {
				s[t] = p.cov[i][t] + q.cov[j][t]
			}
			l, ld := chol(s, d)
			total += p.w[i] * q.w[j] * math.Exp(logNormal(p.mu[i], q.mu[j], l, ld, d))
		}
	}
	return total
}

// ise returns the integrated squared error ∫ (p − q)².
func ise(p, q gauss) float64 { return overlap(p, p) - 2*overlap(p, q) + overlap(q, q) }
