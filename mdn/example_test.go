package mdn_test

import (
	"fmt"

	"github.com/gmmkit/cramer/mdn"
)

// A head with K = 2 components for scalar targets: each example's raw
// outputs are [ℓ₁ ℓ₂ | μ₁ μ₂ | x₁ x₂] (Width = K + 2K = 6).
func Example() {
	h := mdn.Head{K: 2, Scale: mdn.Softplus, MinStd: 1e-3}
	raw := []float64{
		0.0, 0.5, -1.0, 1.0, 0.2, -0.3, // example 0
		1.0, -1.0, 0.5, 2.0, -2.0, 0.0, // example 1
	}
	y := []float64{0.8, 0.4} // one target per example

	var ws mdn.Workspace[float64]
	loss := make([]float64, 2)
	grad := make([]float64, len(raw)) // ∂(mean loss)/∂raw, for the network's backward pass
	cr, _ := ws.CramerToPoints(h, raw, y, loss, grad)
	fmt.Printf("Cramér: mean %.6f, per example %.6f\n", cr, loss)
	nll, _ := ws.NLL(h, raw, y, loss, grad)
	fmt.Printf("NLL:    mean %.6f, per example %.6f\n", nll, loss)

	p, _ := mdn.Decode(h, raw, 1)
	q, _ := mdn.Quantile(p, 0.5)
	fmt.Printf("example 1: weights %.4f, mean %.4f, median %.4f\n", p.Weights, mdn.Mean(p), q)
	// Output:
	// Cramér: mean 0.202019, per example [0.316605 0.087433]
	// NLL:    mean 0.063736, per example [0.834747 -0.707275]
	// example 1: weights [0.8808 0.1192], mean 0.6788, median 0.5211
}
