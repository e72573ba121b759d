package mdn

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExp32Accuracy(t *testing.T) {
	// The whole argument range −104 ≤ x ≤ 700: a grid, the ends, and
	// random arguments.
	xs := []float64{-104, 700, 0, math.Nextafter(-104, 0), -1e-300, 1e-300, math.Ln2 / 256, -math.Ln2 / 256}
	for x := -104.0; x <= 700; x += 0.00731 {
		xs = append(xs, x)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		xs = append(xs, -104+804*rng.Float64())
	}
	var worst, at float64
	for _, x := range xs {
		want := math.Exp(x)
		if e := math.Abs(exp32(x)-want) / want; e > worst {
			worst, at = e, x
		}
	}
	t.Logf("worst relative error %.3g at %g", worst, at)
	if worst > 4e-9 {
		t.Fatalf("exp32 relative error %g at %g, want ≤ 4e-9", worst, at)
	}
	for _, x := range []float64{math.Nextafter(-104, math.Inf(-1)), -105, -745, -1e30, math.Inf(-1)} {
		if exp32(x) != 0 {
			t.Fatalf("exp32(%g) = %g, want 0", x, exp32(x))
		}
	}
}

// logArgs returns arguments covering every binade of the normal float64
// range log-uniformly and randomly, the extremes, and a fine grid around
// the reduction's boundaries √½ and √2 and around 1.
func logArgs() []float64 {
	xs := []float64{0x1p-1022, math.MaxFloat64, 1, 2, 0.5, math.Sqrt2, math.Sqrt2 / 2,
		math.Nextafter(math.Sqrt2, 0), math.Nextafter(math.Sqrt2, 2), math.Nextafter(math.Sqrt2/2, 0), math.Nextafter(math.Sqrt2/2, 1),
		math.Nextafter(1, 0), math.Nextafter(1, 2), 1e-18, 1e-150, 1e15, 1e150}
	for e := -1022; e <= 1023; e++ {
		for _, m := range []float64{1, 1.2, math.Sqrt2, 1.5, 1.9999999} {
			xs = append(xs, math.Ldexp(m, e))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		xs = append(xs, math.Ldexp(1+rng.Float64(), rng.IntN(2046)-1022))
	}
	for x := 0.5; x < 2; x += 1e-5 {
		xs = append(xs, x)
	}
	return xs
}

func TestLog32Accuracy(t *testing.T) {
	var worst, at float64
	for _, x := range logArgs() {
		if x > math.MaxFloat64 {
			continue
		}
		if e := math.Abs(log32(x) - math.Log(x)); e > worst {
			worst, at = e, x
		}
	}
	t.Logf("worst absolute error %.3g at %g", worst, at)
	if worst > 1e-11 {
		t.Fatalf("log32 absolute error %g at %g, want ≤ 1e-11", worst, at)
	}
}

func TestLog1p32Accuracy(t *testing.T) {
	var xs []float64
	for x := 0.0; x <= 1; x += 1e-5 {
		xs = append(xs, x)
	}
	for e := -1074; e <= 0; e++ {
		xs = append(xs, math.Ldexp(1, e), math.Ldexp(1.7, e-1))
	}
	xs = append(xs, 1, math.Nextafter(1, 0), math.SmallestNonzeroFloat64, 0x1p-1022)
	var worst, at float64
	for _, x := range xs {
		want := math.Log1p(x)
		got := log1p32(x)
		if x == 0 {
			if got != 0 {
				t.Fatalf("log1p32(0) = %g", got)
			}
			continue
		}
		if e := math.Abs(got-want) / want; e > worst {
			worst, at = e, x
		}
	}
	t.Logf("worst relative error %.3g at %g", worst, at)
	if worst > 2e-10 {
		t.Fatalf("log1p32 relative error %g at %g, want ≤ 2e-10", worst, at)
	}
}
