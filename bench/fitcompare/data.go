package main

import (
	"math"
	"math/rand/v2"
)

// dataset is a generated training and held-out set.
type dataset struct {
	name, label string
	d, k        int
	train, test []float64
}

// truth1D is the generating mixture of the 1-D sets: five modes of
// different widths, two of them overlapping.
var truth1D = gauss{d: 1,
	w:   []float64{0.2, 0.25, 0.15, 0.25, 0.15},
	mu:  [][]float64{{-5}, {-2}, {0.5}, {3}, {7}},
	cov: [][]float64{{0.49}, {0.25}, {1.44}, {0.16}, {2.25}},
}

// truth2D is the generating mixture of the 2-D sets: seven elongated
// clusters on a circle of radius 5, rotated by multiples of π/7, and a round
// one in the middle, with unequal weights.
func truth2D() gauss {
	g := gauss{d: 2}
	var total float64
	for k := 0; k < 8; k++ {
		w := 1 + 0.3*float64(k)
		var mu []float64
		var cov []float64
		if k < 7 {
			a := 2 * math.Pi * float64(k) / 7
			mu = []float64{5 * math.Cos(a), 5 * math.Sin(a)}
			r := math.Pi * float64(k) / 7
			s1, s2 := 1.0*(0.6+0.1*float64(k)), 0.3*(0.6+0.1*float64(k))
			c, s := math.Cos(r), math.Sin(r)
			// R diag(s1², s2²) Rᵀ
			cov = []float64{
				c*c*s1*s1 + s*s*s2*s2, c * s * (s1*s1 - s2*s2),
				c * s * (s1*s1 - s2*s2), s*s*s1*s1 + c*c*s2*s2,
			}
		} else {
			mu = []float64{0, 0}
			cov = []float64{0.8, 0, 0, 0.8}
		}
		g.w = append(g.w, w)
		g.mu = append(g.mu, mu)
		g.cov = append(g.cov, cov)
		total += w
	}
	for i := range g.w {
		g.w[i] /= total
	}
	return g
}

// draw draws n points from g.
func (g gauss) draw(r *rand.Rand, n int) []float64 {
	d := g.d
	ls := make([][]float64, len(g.w))
	for i := range g.w {
		ls[i], _ = chol(g.cov[i], d)
	}
	x := make([]float64, n*d)
	z := make([]float64, d)
	for j := 0; j < n; j++ {
		u, i := r.Float64(), 0
		for i < len(g.w)-1 && u >= g.w[i] {
			u -= g.w[i]
			i++
		}
		for c := range z {
			z[c] = r.NormFloat64()
		}
		for a := 0; a < d; a++ {
			v := g.mu[i][a]
			for c := 0; c <= a; c++ {
				v += ls[i][a*d+c] * z[c]
			}
			x[j*d+a] = v
		}
	}
	return x
}

const testSize = 20000

func datasets() []dataset {
	t2 := truth2D()
	mk := func(name, label string, g gauss, k, n int, seed uint64) dataset {
		return dataset{name: name, label: label, d: g.d, k: k,
			train: g.draw(rand.New(rand.NewPCG(seed, 1)), n),
			test:  g.draw(rand.New(rand.NewPCG(seed, 2)), testSize)}
	}
	return []dataset{
		mk("1d-3000", "1-D, 5 modes, N = 3000", truth1D, 5, 3000, 11),
		mk("1d-100000", "1-D, 5 modes, N = 100000", truth1D, 8, 100000, 12),
		mk("2d-1000", "2-D, 8 clusters, N = 1000", t2, 10, 1000, 21),
		mk("2d-4000", "2-D, 8 clusters, N = 4000", t2, 10, 4000, 22),
	}
}

// reduction is a mixture to reduce.
type reduction struct {
	label  string
	target gauss
}

// reductionTargets are 200-component mixtures: components scattered around
// six cluster centres, with random widths (2-D: random full covariances)
// and weights.
func reductionTargets() []reduction {
	r := rand.New(rand.NewPCG(31, 1))
	one := gauss{d: 1}
	centres1 := []float64{-8, -4, -1, 2, 5, 9}
	var total float64
	for i := 0; i < 200; i++ {
		w := 0.5 + r.Float64()
		s := 0.2 + 0.8*r.Float64()
		one.w = append(one.w, w)
		one.mu = append(one.mu, []float64{centres1[i%6] + 0.8*r.NormFloat64()})
		one.cov = append(one.cov, []float64{s * s})
		total += w
	}
	for i := range one.w {
		one.w[i] /= total
	}
	r = rand.New(rand.NewPCG(32, 1))
	two := gauss{d: 2}
	centres2 := [][]float64{{-6, 0}, {-3, 4}, {2, 5}, {6, 1}, {3, -4}, {-2, -4}}
	total = 0
	for i := 0; i < 200; i++ {
		w := 0.5 + r.Float64()
		a, c, b := 0.2+0.6*r.Float64(), 0.2+0.6*r.Float64(), 0.2*r.NormFloat64()
		ctr := centres2[i%6]
		two.w = append(two.w, w)
		two.mu = append(two.mu, []float64{ctr[0] + 0.8*r.NormFloat64(), ctr[1] + 0.8*r.NormFloat64()})
		two.cov = append(two.cov, []float64{a * a, a * b, a * b, b*b + c*c})
		total += w
	}
	for i := range two.w {
		two.w[i] /= total
	}
	return []reduction{{"1-D, 200 components", one}, {"2-D, 200 components (full covariances)", two}}
}
