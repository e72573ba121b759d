package mdn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

func TestCramerToSamplesValueAndGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 31))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			const nb, n = 4, 7
			raw := randomRaw(rng, h, nb)
			y := randomY(rng, nb*n, d)
			y[d] = y[0] // a tie
			dirs := fixedDirections(d, 8)
			var ws Workspace[float64]
			if d > 1 {
				ws.Directions = dirs
			}
			loss := make([]float64, nb)
			grad := make([]float64, len(raw))
			if _, err := ws.CramerToSamples(h, raw, y, loss, grad); err != nil {
				t.Fatal(err)
			}
			for b := 0; b < nb; b++ {
				w, mu, s := decodeRef(h, raw, b)
				yb := y[b*n*d : (b+1)*n*d]
				var want float64
				var err error
				if d == 1 {
					want, err = cramer.SquaredToSamples(cramer.Mixture[float64]{Weights: w, Means: mu, Stds: s}, cramer.Samples[float64]{Values: yb})
				} else {
					want, err = cramer.SlicedSquaredToSamples(cramer.MixtureND[float64]{Dim: d, Weights: w, Means: mu, DiagStds: s},
						cramer.SamplesND[float64]{Dim: d, Values: yb}, dirs)
				}
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(loss[b]-want) > 1e-12*(1+want) {
					t.Fatalf("%+v example %d: loss %.17g, want %.17g", h, b, loss[b], want)
				}
			}
			checkGrad(t, raw, grad, func(r []float64) float64 {
				v, err := ws.CramerToSamples(h, r, y, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				return v
			})
		}
	}
}

// TestCramerToSamplesOfOneSampleIsToPoints: one sample per example is a
// point target.
func TestCramerToSamplesOfOneSampleIsToPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 32))
	h := Head{K: 3, Scale: Exp}
	raw := randomRaw(rng, h, 5)
	y := randomY(rng, 5, 1)
	a, _ := CramerToSamples(h, raw, y, nil, nil)
	b, _ := CramerToPoints(h, raw, y, nil, nil)
	if math.Abs(a-b) > 1e-15*b {
		t.Fatalf("one sample %g, point %g", a, b)
	}
}

// TestCramerToSamplesManySamples: with hundreds of samples per example the
// chunks hold fewer examples (lanesPerChunk); values still match the root
// package's exact SquaredToSamples.
func TestCramerToSamplesManySamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 33))
	h := Head{K: 4, Scale: ELUPlusOne}
	const nb, n = 19, 600
	if c := lanesPerChunk(h.K, n); c >= nb {
		t.Fatalf("%d examples per chunk: the test needs several chunks", c)
	}
	raw := randomRaw(rng, h, nb)
	y := randomY(rng, nb*n, 1)
	var ws Workspace[float64]
	loss := make([]float64, nb)
	grad := make([]float64, len(raw))
	if _, err := ws.CramerToSamples(h, raw, y, loss, grad); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < nb; b++ {
		w, mu, s := decodeRef(h, raw, b)
		want, err := cramer.SquaredToSamples(cramer.Mixture[float64]{Weights: w, Means: mu, Stds: s}, cramer.Samples[float64]{Values: y[b*n : (b+1)*n]})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(loss[b]-want) > 1e-12*(1+want) {
			t.Fatalf("example %d: loss %.17g, want %.17g", b, loss[b], want)
		}
	}
}
