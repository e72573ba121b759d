package cramer

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// quadratureSquared integrates ∫(F_p − F_q)² dx with gonum's fixed
// Gauss–Legendre rule on pieces bounded by every mean and by means ± a few
// stds (the integrand is smooth inside each piece, with jumps at point
// masses), far enough out that the tails are below 1e-30.
func quadratureSquared(p, q Mixture[float64]) float64 {
	cdf := func(m Mixture[float64], x float64) float64 {
		var s float64
		for i, mu := range m.Means {
			if sd := m.Stds[i]; sd > 0 {
				s += m.Weights[i] * 0.5 * math.Erfc(-(x-mu)/(sd*math.Sqrt2))
			} else if x >= mu {
				s += m.Weights[i]
			}
		}
		return s
	}
	var pts []float64
	for _, m := range []Mixture[float64]{p, q} {
		for i, mu := range m.Means {
			for _, k := range []float64{0, -0.5, 0.5, -1, 1, -2, 2, -4, 4, -7, 7, -12, 12} {
				pts = append(pts, mu+k*m.Stds[i])
			}
		}
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)
	f := func(x float64) float64 { d := cdf(p, x) - cdf(q, x); return d * d }
	var s float64
	for i := 0; i+1 < len(pts); i++ {
		s += quad.Fixed(f, pts[i], pts[i+1], 48, quad.Legendre{}, 0)
	}
	return s
}

func TestQuadrature(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	var worst float64
	for trial := 0; trial < 60; trial++ {
		p := randMixture(r, 1+r.IntN(5), trial%2 == 0)
		q := randMixture(r, 1+r.IntN(5), trial%3 == 0)
		got, err := Squared(p, q)
		if err != nil {
			t.Fatal(err)
		}
		want := quadratureSquared(p, q)
		e := math.Abs(got-want) / want
		worst = math.Max(worst, e)
		if e > 1e-10 {
			t.Errorf("trial %d: closed form %.17g, quadrature %.17g (rel %.3g)", trial, got, want, e)
		}
	}
	t.Logf("worst relative difference to quadrature: %.3g", worst)
}
