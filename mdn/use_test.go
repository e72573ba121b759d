package mdn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
	"gonum.org/v1/gonum/integrate/quad"
)

func TestDecodeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 51))
	for _, h := range heads(1) {
		raw := randomRaw(rng, h, 3)
		p, err := Decode(h, raw, 2)
		if err != nil {
			t.Fatal(err)
		}
		w, mu, s := decodeRef(h, raw, 2)
		for i := range w {
			if math.Abs(p.Weights[i]-w[i]) > 1e-15 || p.Means[i] != mu[i] || math.Abs(p.Stds[i]-s[i]) > 1e-15*s[i] {
				t.Fatalf("%+v: decoded %v, want %v %v %v", h, p, w, mu, s)
			}
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Decode(Head{K: 2}, make([]float64, 10), 2); err == nil {
		t.Fatal("example out of range accepted")
	}
	if _, err := Decode(Head{K: 2}, []float64{0, 0, 1, 1, 0, math.NaN()}, 0); err == nil {
		t.Fatal("NaN accepted")
	}
	nd, err := DecodeND(Head{K: 2, D: 2}, make([]float64, 10), 0)
	if err != nil || nd.Dim != 2 || len(nd.DiagStds) != 4 {
		t.Fatalf("DecodeND: %+v, %v", nd, err)
	}
}

func testMixture() cramer.Mixture[float64] {
	return cramer.Mixture[float64]{Weights: []float64{0.2, 0.5, 0.3}, Means: []float64{-1, 0.5, 3}, Stds: []float64{0.3, 1, 0.5}}
}

func TestMomentsAndDensityAgainstQuadrature(t *testing.T) {
	p := testMixture()
	dens := func(x float64) float64 {
		var d [1]float64
		LogDensity(p, []float64{x}, d[:])
		return math.Exp(d[0])
	}
	mass := quad.Fixed(dens, -20, 20, 2000, nil, 0)
	m1 := quad.Fixed(func(x float64) float64 { return x * dens(x) }, -20, 20, 2000, nil, 0)
	m2 := quad.Fixed(func(x float64) float64 { return x * x * dens(x) }, -20, 20, 2000, nil, 0)
	if math.Abs(mass-1) > 1e-10 {
		t.Fatalf("density integrates to %g", mass)
	}
	if math.Abs(Mean(p)-m1) > 1e-10 || math.Abs(Variance(p)-(m2-m1*m1)) > 1e-9 {
		t.Fatalf("mean %g variance %g, quadrature %g %g", Mean(p), Variance(p), m1, m2-m1*m1)
	}
	cdf := quad.Fixed(dens, -20, 1.2, 2000, nil, 0)
	if math.Abs(CDF(p, 1.2)-cdf) > 1e-10 {
		t.Fatalf("CDF %g, quadrature %g", CDF(p, 1.2), cdf)
	}
}

func TestQuantileInvertsCDF(t *testing.T) {
	p := testMixture()
	for _, u := range []float64{1e-9, 0.01, 0.2, 0.5, 0.77, 0.999999} {
		x, err := Quantile(p, u)
		if err != nil {
			t.Fatal(err)
		}
		if c := CDF(p, x); math.Abs(c-u) > 1e-12 {
			t.Fatalf("CDF(Quantile(%g)) = %g", u, c)
		}
	}
	// Point masses: the quantile is the jump location.
	pm := cramer.Mixture[float64]{Weights: []float64{0.25, 0.75}, Means: []float64{1, 2}, Stds: []float64{0, 0}}
	for _, c := range []struct{ u, want float64 }{{0.1, 1}, {0.25, 1}, {0.26, 2}, {0.9, 2}} {
		if x, _ := Quantile(pm, c.u); x != c.want {
			t.Fatalf("point masses: Quantile(%g) = %g, want %g", c.u, x, c.want)
		}
	}
	for _, u := range []float64{0, 1, math.NaN(), -1} {
		if _, err := Quantile(p, u); err == nil {
			t.Fatalf("Quantile(%g) accepted", u)
		}
	}
}

func TestSampleMoments(t *testing.T) {
	p := testMixture()
	rng := rand.New(rand.NewPCG(52, 52))
	x := make([]float64, 200000)
	Sample(p, rng, x)
	var s, s2 float64
	for _, v := range x {
		s += v
		s2 += v * v
	}
	n := float64(len(x))
	m, v := s/n, s2/n-(s/n)*(s/n)
	se := math.Sqrt(Variance(p) / n)
	if math.Abs(m-Mean(p)) > 5*se || math.Abs(v-Variance(p)) > 0.05*Variance(p) {
		t.Fatalf("sample mean %g variance %g, want %g %g", m, v, Mean(p), Variance(p))
	}
	// The samples follow the CDF: Kolmogorov distance small.
	below := 0
	for _, v := range x {
		if v <= 0.7 {
			below++
		}
	}
	if d := math.Abs(float64(below)/n - CDF(p, 0.7)); d > 0.005 {
		t.Fatalf("empirical CDF at 0.7 off by %g", d)
	}
	nd := cramer.MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, -1}, DiagStds: []float64{0, 2}}
	y := make([]float64, 2000)
	SampleND(nd, rng, y)
	for i := 0; i < len(y); i += 2 {
		if y[i] != 1 {
			t.Fatalf("degenerate coordinate sampled %g", y[i])
		}
	}
}
