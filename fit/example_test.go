package fit_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/fit"
)

// Fit two components to 2000 samples of a bimodal distribution.
func ExampleSamples() {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 2000)
	for i := range x {
		if i%4 == 0 {
			x[i] = -2 + 0.5*r.NormFloat64()
		} else {
			x[i] = 3 + r.NormFloat64()
		}
	}
	res, err := fit.Samples(context.Background(), cramer.Samples[float64]{Values: x}, fit.Options{K: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	m := res.Mixture
	if m.Means[0] > m.Means[1] {
		m.Weights[0], m.Weights[1] = m.Weights[1], m.Weights[0]
		m.Means[0], m.Means[1] = m.Means[1], m.Means[0]
		m.Stds[0], m.Stds[1] = m.Stds[1], m.Stds[0]
	}
	fmt.Printf("weights %.2f %.2f, means %.1f %.1f, stds %.1f %.1f\n", m.Weights[0], m.Weights[1], m.Means[0], m.Means[1], m.Stds[0], m.Stds[1])
	// Output: weights 0.25 0.75, means -2.0 3.0, stds 0.5 1.0
}

// Reduce a mixture of 50 isotropic components in R³ to 3 with the exact
// (direction-free) sliced distance.
func ExampleMixtureND() {
	r := rand.New(rand.NewPCG(3, 4))
	t := cramer.MixtureND[float64]{Dim: 3}
	for i := 0; i < 50; i++ {
		t.Weights = append(t.Weights, 1.0/50)
		c := float64(i%3) * 5
		t.Means = append(t.Means, c+0.3*r.NormFloat64(), 0.3*r.NormFloat64(), 0.3*r.NormFloat64())
		t.IsoStds = append(t.IsoStds, 0.5+0.2*r.Float64())
	}
	res, err := fit.MixtureND(context.Background(), t, fit.Options{K: 3, Covariance: fit.Isotropic, Exact: true})
	if err != nil {
		panic(err)
	}
	fmt.Printf("SC₂ to the 50 components: %.3f (%d components)\n", res.Distance, len(res.Mixture.Weights))
	// Output: SC₂ to the 50 components: 0.005 (3 components)
}
