package cramer

import (
	"math"
	"testing"
)

// quadSquared integrates (F−G)² numerically with a fine midpoint rule on a
// wide interval, for small test cases.
func quadSquared(p, q Mixture[float64]) float64 {
	cdf := func(m Mixture[float64], x float64) float64 {
		var s float64
		for i := range m.Means {
			if m.Stds[i] == 0 {
				if x >= m.Means[i] {
					s += m.Weights[i]
				}
				continue
			}
			s += m.Weights[i] * 0.5 * math.Erfc(-(x-m.Means[i])/(m.Stds[i]*math.Sqrt2))
		}
		return s
	}
	lo, hi := -40.0, 40.0
	n := 400000
	h := (hi - lo) / float64(n)
	var s float64
	for i := 0; i < n; i++ {
		x := lo + (float64(i)+0.5)*h
		d := cdf(p, x) - cdf(q, x)
		s += d * d
	}
	return s * h
}

func TestSquaredSmoke(t *testing.T) {
	p := Mixture[float64]{Weights: []float64{0.3, 0.7}, Means: []float64{-1, 2}, Stds: []float64{0.5, 1.5}}
	q := Mixture[float64]{Weights: []float64{0.5, 0.25, 0.25}, Means: []float64{0, 1, 3}, Stds: []float64{1, 0.2, 2}}
	got, err := Squared(p, q)
	if err != nil {
		t.Fatal(err)
	}
	want := quadSquared(p, q)
	if math.Abs(got-want) > 1e-8*want {
		t.Fatalf("Squared = %.16g, quadrature %.16g", got, want)
	}
	rev, _ := Squared(q, p)
	if rev != got {
		t.Fatalf("not symmetric: %v vs %v", got, rev)
	}
	same, _ := Squared(p, p)
	if same != 0 {
		t.Fatalf("Squared(p, p) = %v", same)
	}
	p32 := Mixture[float32]{Weights: []float32{0.3, 0.7}, Means: []float32{-1, 2}, Stds: []float32{0.5, 1.5}}
	q32 := Mixture[float32]{Weights: []float32{0.5, 0.25, 0.25}, Means: []float32{0, 1, 3}, Stds: []float32{1, 0.2, 2}}
	g32, err := Squared(p32, q32)
	if err != nil || math.Abs(float64(g32)-want) > 1e-5*want {
		t.Fatalf("float32: %v %v want %v", g32, err, want)
	}
	t.Logf("squared %.17g quad %.17g f32 %v", got, want, g32)
}
