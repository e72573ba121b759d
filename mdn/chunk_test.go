package mdn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

// TestLossesDoNotDependOnBatchPosition: the losses run a chunk of examples
// at a time, with the examples in the lanes of the batch kernels; an
// example's loss must be the same bits wherever it sits in a batch (first
// chunk, a middle lane, the short last chunk) and whatever else is in the
// batch, and its gradient row the same up to the 1/B scale.
func TestLossesDoNotDependOnBatchPosition(t *testing.T) {
	t.Run("float32", batchPosition[float32])
	t.Run("float64", batchPosition[float64])
}

func batchPosition[F cramer.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 71))
	const nb, m = 2*chunkLen + 13, 3
	for _, sm := range scaleMaps {
		h := Head{K: 5, Scale: sm, MinStd: 0.01}
		raw := randomRaw(rng, h, nb)
		y := randomY(rng, nb*m, 1)
		tg := randomTarget(rng, h, nb, m)
		r32, y32 := convertSlice[F](raw), convertSlice[F](y)
		tg32 := cramer.Mixture[F]{Weights: convertSlice[F](tg.Weights), Means: convertSlice[F](tg.Means), Stds: convertSlice[F](tg.Stds)}
		losses := map[string]func(ws *Workspace[F], lo, hi int, loss, grad []F) error{
			"NLL": func(ws *Workspace[F], lo, hi int, loss, grad []F) error {
				_, err := ws.NLL(h, r32[lo*h.Width():hi*h.Width()], y32[lo:hi], loss, grad)
				return err
			},
			"CramerToPoints": func(ws *Workspace[F], lo, hi int, loss, grad []F) error {
				_, err := ws.CramerToPoints(h, r32[lo*h.Width():hi*h.Width()], y32[lo:hi], loss, grad)
				return err
			},
			"CramerToSamples": func(ws *Workspace[F], lo, hi int, loss, grad []F) error {
				_, err := ws.CramerToSamples(h, r32[lo*h.Width():hi*h.Width()], y32[lo*m:hi*m], loss, grad)
				return err
			},
			"CramerToMixture": func(ws *Workspace[F], lo, hi int, loss, grad []F) error {
				q := cramer.Mixture[F]{Weights: tg32.Weights[lo*m : hi*m], Means: tg32.Means[lo*m : hi*m], Stds: tg32.Stds[lo*m : hi*m]}
				_, err := ws.CramerToMixture(h, r32[lo*h.Width():hi*h.Width()], q, loss, grad)
				return err
			},
		}
		for name, f := range losses {
			var ws Workspace[F]
			loss, grad := make([]F, nb), make([]F, len(raw))
			if err := f(&ws, 0, nb, loss, grad); err != nil {
				t.Fatal(err)
			}
			for _, b := range []int{0, 7, chunkLen - 1, chunkLen, chunkLen + 9, nb - 1} {
				// Example b alone, and b as lane 3 of a batch of 11.
				for _, lo := range []int{b, max(0, b-3)} {
					hi := min(nb, lo+11)
					if lo == b {
						hi = b + 1
					}
					l1, g1 := make([]F, hi-lo), make([]F, (hi-lo)*h.Width())
					if err := f(&ws, lo, hi, l1, g1); err != nil {
						t.Fatal(err)
					}
					where := fmt.Sprintf("%s %v example %d in [%d, %d)", name, sm, b, lo, hi)
					if l1[b-lo] != loss[b] {
						t.Fatalf("%s: loss %v, in the whole batch %v", where, l1[b-lo], loss[b])
					}
					scale := float64(hi-lo) / nb
					for i := 0; i < h.Width(); i++ {
						got, want := float64(g1[(b-lo)*h.Width()+i])*scale, float64(grad[b*h.Width()+i])
						if math.Abs(got-want) > 1e-5*math.Abs(want)+1e-30 {
							t.Fatalf("%s: gradient %d: %g, in the whole batch %g", where, i, got, want)
						}
					}
				}
			}
		}
	}
}

func convertSlice[F cramer.Float](x []float64) []F {
	y := make([]F, len(x))
	for i, v := range x {
		y[i] = F(v)
	}
	return y
}
