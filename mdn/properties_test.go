package mdn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

// extremeRaw fills raw outputs with values from the extremes the package
// promises to survive: logits in ±1e30, raw scales in [−1e30, 1e30], means
// in ±1e15, mixed with ordinary values.
func extremeRaw[F cramer.Float](rng *rand.Rand, h Head, nb int) []F {
	logits := []float64{-1e30, 1e30, -1e3, 1e3, 0, 1, -80, 80}
	scales := []float64{-1e30, -1e15, -1e3, -104, -50, -1, 0, 1e-3, 1, 50, 1e3, 1e15, 1e30}
	means := []float64{-1e15, 1e15, 0, 1e-20, 1, -1, 1e8}
	k, kd := h.K, h.K*h.Dim()
	raw := make([]F, nb*h.Width())
	pick := func(set []float64) F {
		if rng.IntN(4) == 0 {
			return F(rng.NormFloat64())
		}
		return F(set[rng.IntN(len(set))])
	}
	for b := 0; b < nb; b++ {
		row := raw[b*h.Width() : (b+1)*h.Width()]
		for i := range row {
			switch {
			case i < k:
				row[i] = pick(logits)
			case i < k+kd:
				row[i] = pick(means)
			default:
				row[i] = pick(scales)
			}
		}
	}
	return raw
}

func extremeTargets[F cramer.Float](rng *rand.Rand, n int) []F {
	vals := []float64{-1e15, 1e15, 0, 1, -1, 3e-30}
	y := make([]F, n)
	for i := range y {
		if rng.IntN(2) == 0 {
			y[i] = F(rng.NormFloat64())
		} else {
			y[i] = F(vals[rng.IntN(len(vals))])
		}
	}
	return y
}

func allFinite[F cramer.Float](x []F) int {
	for i, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return i
		}
	}
	return -1
}

func neverNaN[F cramer.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	for _, d := range []int{1, 3} {
		for _, sm := range scaleMaps {
			for _, minStd := range []float64{0, 1e-3} {
				h := Head{K: 4, D: d, Scale: sm, MinStd: minStd}
				for trial := 0; trial < 20; trial++ {
					const nb, m, n = 8, 3, 5
					raw := extremeRaw[F](rng, h, nb)
					y := extremeTargets[F](rng, nb*d)
					ys := extremeTargets[F](rng, nb*n*d)
					tg := cramer.Mixture[F]{Weights: make([]F, nb*m), Means: extremeTargets[F](rng, nb*m*d), Stds: make([]F, nb*m*d)}
					for i := range tg.Weights {
						tg.Weights[i] = F(1.0 / m)
					}
					for i, v := range extremeTargets[F](rng, nb*m*d) {
						tg.Stds[i] = F(math.Abs(float64(v)))
					}
					ws := Workspace[F]{Slices: 4, Seed: uint64(trial)}
					losses := map[string]func(loss, grad []F) (float64, error){
						"NLL":             func(l, g []F) (float64, error) { return ws.NLL(h, raw, y, l, g) },
						"CramerToPoints":  func(l, g []F) (float64, error) { return ws.CramerToPoints(h, raw, y, l, g) },
						"CramerToSamples": func(l, g []F) (float64, error) { return ws.CramerToSamples(h, raw, ys, l, g) },
						"CramerToMixture": func(l, g []F) (float64, error) { return ws.CramerToMixture(h, raw, tg, l, g) },
					}
					for name, f := range losses {
						loss := make([]F, nb)
						grad := make([]F, len(raw))
						v, err := f(loss, grad)
						where := fmt.Sprintf("%s %+v trial %d", name, h, trial)
						if err != nil {
							t.Fatalf("%s: %v", where, err)
						}
						if math.IsNaN(v) || math.IsInf(v, 0) {
							t.Fatalf("%s: mean loss %v", where, v)
						}
						if i := allFinite(loss); i >= 0 {
							t.Fatalf("%s: loss[%d] = %v (raw %v)", where, i, loss[i], raw[i*h.Width():(i+1)*h.Width()])
						}
						if i := allFinite(grad); i >= 0 {
							b := i / h.Width()
							t.Fatalf("%s: grad[%d] = %v (raw %v)", where, i, grad[i], raw[b*h.Width():(b+1)*h.Width()])
						}
					}
				}
			}
		}
	}
}

func TestNeverNaN(t *testing.T) {
	t.Run("float64", neverNaN[float64])
	t.Run("float32", neverNaN[float32])
}
