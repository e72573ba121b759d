package cramer_test

import (
	"fmt"

	"github.com/gmmkit/cramer"
)

func ExampleSquared() {
	p := cramer.Mixture[float64]{
		Weights: []float64{0.3, 0.7},
		Means:   []float64{-1, 2},
		Stds:    []float64{0.5, 1.5},
	}
	q := cramer.Mixture[float64]{
		Weights: []float64{0.5, 0.5},
		Means:   []float64{0, 2.5},
		Stds:    []float64{1, 1},
	}
	d2, err := cramer.Squared(p, q)
	if err != nil {
		panic(err)
	}
	fmt.Printf("ℓ₂² = %.12f\n", d2)
	// Output: ℓ₂² = 0.021293467501
}

func ExampleSquaredGrad() {
	// The mean derivative is −erf(3/2): a step against it moves p towards q.
	// The std derivative is negative: widening p lowers ℓ₂² here.
	p := cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{0}, Stds: []float64{1}}
	q := cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{3}, Stds: []float64{1}}
	var g cramer.MixtureGrad[float64]
	d2, _ := cramer.SquaredGrad(p, q, &g, nil)
	fmt.Printf("ℓ₂² = %.6f, ∂/∂μ = %.6f, ∂/∂σ = %.6f\n", d2, g.Means[0], g.Stds[0])
	// Output: ℓ₂² = 1.888867, ∂/∂μ = -0.966105, ∂/∂σ = -0.504724
}

func ExampleSquaredToSamples() {
	p := cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{0}, Stds: []float64{1}}
	x := cramer.Samples[float64]{Values: []float64{-1.2, -0.3, 0.1, 0.4, 1.5}}
	d2, err := cramer.SquaredToSamples(p, x)
	if err != nil {
		panic(err)
	}
	fmt.Printf("ℓ₂² = %.6f\n", d2)
	// Output: ℓ₂² = 0.021228
}

func ExampleWorkspace() {
	// A Workspace reuses its buffers: repeated calls allocate nothing.
	var ws cramer.Workspace[float32]
	p := cramer.Mixture[float32]{Weights: []float32{0.5, 0.5}, Means: []float32{-1, 1}, Stds: []float32{1, 1}}
	q := cramer.Mixture[float32]{Weights: []float32{1}, Means: []float32{0}, Stds: []float32{1.2}}
	for step := 0; step < 3; step++ {
		d, _ := ws.Distance(p, q)
		fmt.Printf("%.4f\n", d) // float32: ℓ₂² cancels, so expect ~5 digits
		q.Stds[0] += 0.2
	}
	// Output:
	// 0.0954
	// 0.0348
	// 0.0463
}

func ExampleSquaredBatch() {
	// Two mixture pairs in one call, components laid out contiguously.
	p := cramer.Mixture[float64]{
		Weights: []float64{0.5, 0.5, 0.5, 0.5},
		Means:   []float64{0, 1, 0, 4},
		Stds:    []float64{1, 1, 1, 1},
	}
	q := cramer.Mixture[float64]{Weights: []float64{1, 1}, Means: []float64{0.5, 2}, Stds: []float64{1, 1}}
	out := make([]float64, 2)
	if err := cramer.SquaredBatch(out, 2, 1, p, q); err != nil {
		panic(err)
	}
	fmt.Printf("%.6f %.6f\n", out[0], out[1])
	// Output: 0.002072 0.253736
}

func ExampleSlicedSquaredExact() {
	p := cramer.MixtureND[float64]{Dim: 2,
		Weights: []float64{0.5, 0.5},
		Means:   []float64{0, 0, 2, 1}, // K×D, row-major
		IsoStds: []float64{1, 0.5}}
	q := cramer.MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, 0}, IsoStds: []float64{1.2}}
	exact, _ := cramer.SlicedSquaredExact(p, q)
	mc, _ := cramer.SlicedSquared(p, q, cramer.OrthogonalDirections[float64](2, 20000, 1))
	fmt.Printf("exact %.6f, 20000 directions %.3f\n", exact, mc)
	// Output: exact 0.054227, 20000 directions 0.054
}
