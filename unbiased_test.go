package cramer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleMixture draws n points from q.
func sampleMixture(r *rand.Rand, q Mixture[float64], n int) []float64 {
	x := make([]float64, n)
	for j := range x {
		u, i := r.Float64(), 0
		for ; i < len(q.Weights)-1 && u > q.Weights[i]; i++ {
			u -= q.Weights[i]
		}
		x[j] = q.Means[i] + q.Stds[i]*r.NormFloat64()
	}
	return x
}

// TestSampleGradientUnbiased checks that the gradient of ℓ₂²(p, x) with
// respect to p, x drawn from q, is an unbiased estimate of the gradient of
// ℓ₂²(p, q): over R = 4000 independent sample sets of N = 8 points (fixed
// seed), the mean of every gradient entry lies within 5 standard errors of
// the exact value. Under unbiasedness each entry fails with probability
// about 6e-7 (normal approximation), so a failure means bias.
func TestSampleGradientUnbiased(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	p := Mixture[float64]{[]float64{0.2, 0.5, 0.3}, []float64{-2, 0, 1.5}, []float64{0.7, 1, 0}}
	q := Mixture[float64]{[]float64{0.6, 0.4}, []float64{-1, 2}, []float64{1, 0.5}}
	var exact MixtureGrad[float64]
	if _, err := SquaredGrad(p, q, &exact, nil); err != nil {
		t.Fatal(err)
	}
	const reps, n = 4000, 8
	k := len(p.Means)
	sum := make([]float64, 3*k)
	sumSq := make([]float64, 3*k)
	var ws Workspace[float64]
	var g MixtureGrad[float64]
	for rep := 0; rep < reps; rep++ {
		x := Samples[float64]{Values: sampleMixture(r, q, n)}
		if _, err := ws.SquaredToSamplesGrad(p, x, &g, nil); err != nil {
			t.Fatal(err)
		}
		for i, v := range [][]float64{g.Weights, g.Means, g.Stds} {
			for c := 0; c < k; c++ {
				sum[i*k+c] += v[c]
				sumSq[i*k+c] += v[c] * v[c]
			}
		}
	}
	for i, ex := range [][]float64{exact.Weights, exact.Means, exact.Stds} {
		for c := 0; c < k; c++ {
			mean := sum[i*k+c] / reps
			sd := math.Sqrt(math.Max(sumSq[i*k+c]/reps-mean*mean, 0))
			se := sd / math.Sqrt(reps)
			if math.Abs(mean-ex[c]) > 5*se+1e-12 {
				t.Errorf("field %d component %d: sample mean %.6g ± %.2g, exact %.6g", i, c, mean, se, ex[c])
			}
		}
	}
}
