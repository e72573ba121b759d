package main

import (
	"math"
	"testing"
)

func approxEqual(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// TestRunnallsToOne: merging everything preserves the mixture's weight, mean
// and covariance (the merges are moment-preserving).
func TestRunnallsToOne(t *testing.T) {
	g := gauss{d: 2,
		w:   []float64{0.2, 0.5, 0.3},
		mu:  [][]float64{{0, 0}, {2, 1}, {-1, 3}},
		cov: [][]float64{{1, 0.2, 0.2, 0.5}, {0.3, 0, 0, 0.3}, {2, -0.5, -0.5, 1}},
	}
	var mean [2]float64
	for i, w := range g.w {
		mean[0] += w * g.mu[i][0]
		mean[1] += w * g.mu[i][1]
	}
	var cov [4]float64
	for i, w := range g.w {
		for a := 0; a < 2; a++ {
			for b := 0; b < 2; b++ {
				cov[a*2+b] += w * (g.cov[i][a*2+b] + (g.mu[i][a]-mean[a])*(g.mu[i][b]-mean[b]))
			}
		}
	}
	one := runnalls(g, 1)
	if len(one.w) != 1 || !approxEqual(one.w[0], 1, 1e-12) {
		t.Fatalf("weights %v", one.w)
	}
	for a := 0; a < 2; a++ {
		if !approxEqual(one.mu[0][a], mean[a], 1e-12) {
			t.Errorf("mean %v, want %v", one.mu[0], mean)
		}
	}
	for k := range cov {
		if !approxEqual(one.cov[0][k], cov[k], 1e-12) {
			t.Errorf("covariance %v, want %v", one.cov[0], cov)
		}
	}
	// The cheapest merge goes first: two identical components cost 0.
	h := gauss{d: 1, w: []float64{0.25, 0.25, 0.5}, mu: [][]float64{{0}, {0}, {5}}, cov: [][]float64{{1}, {1}, {1}}}
	two := runnalls(h, 2)
	if len(two.w) != 2 || !approxEqual(two.w[0], 0.5, 1e-12) || !approxEqual(two.cov[0][0], 1, 1e-12) || two.mu[1][0] != 5 {
		t.Errorf("runnalls to 2: %+v", two)
	}
}

// TestISEAndLikelihood checks the closed forms against direct integration.
func TestISEAndLikelihood(t *testing.T) {
	p := gauss{d: 1, w: []float64{0.4, 0.6}, mu: [][]float64{{-1}, {2}}, cov: [][]float64{{0.5}, {2}}}
	q := gauss{d: 1, w: []float64{1}, mu: [][]float64{{0.5}}, cov: [][]float64{{3}}}
	density := func(g gauss, x float64) float64 { return math.Exp(g.logLikelihood([]float64{x})) }
	var num float64
	const h = 1e-3
	for x := -30.0; x < 30; x += h {
		d := density(p, x) - density(q, x)
		num += d * d * h
	}
	if got := ise(p, q); !approxEqual(got, num, 1e-6) {
		t.Errorf("ISE %v, numerical %v", got, num)
	}
	if got := ise(p, p); math.Abs(got) > 1e-15 {
		t.Errorf("ISE(p, p) = %v", got)
	}
	std := gauss{d: 2, w: []float64{1}, mu: [][]float64{{0, 0}}, cov: [][]float64{{1, 0, 0, 1}}}
	if got := std.logLikelihood([]float64{0, 0}); !approxEqual(got, -math.Log(2*math.Pi), 1e-14) {
		t.Errorf("log N(0; 0, I₂) = %v, want %v", got, -math.Log(2*math.Pi))
	}
}
