package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/mdn"
)

func TestBellmanTargetShiftScale(t *testing.T) {
	b := []float64{0.2, 0.5, 0.3}
	mu := []float64{10, -4, 50}
	sd := []float64{1, 0, 2.5}
	w, m, s := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	bellmanTarget(w, m, s, 1, 0.9, false, b, mu, sd)
	wantM := []float64{1 + 9, 1 - 3.6, 1 + 45}
	wantS := []float64{0.9, 0, 2.25}
	for j := range w {
		if w[j] != b[j] {
			t.Errorf("weight %d = %v, want %v (weights are unchanged)", j, w[j], b[j])
		}
		if math.Abs(m[j]-wantM[j]) > 1e-12 || math.Abs(s[j]-wantS[j]) > 1e-12 {
			t.Errorf("component %d: N(%v, %v²), want N(%v, %v²)", j, m[j], s[j], wantM[j], wantS[j])
		}
	}
	// The mean of the target is r + γ·E[Z(s′)].
	if got, want := mixtureMean(w, m), 1+0.9*mixtureMean(b, mu); math.Abs(got-want) > 1e-12 {
		t.Errorf("target mean %v, want %v", got, want)
	}
}

func TestBellmanTargetTerminal(t *testing.T) {
	b := []float64{0.2, 0.5, 0.3}
	mu := []float64{10, -4, 50}
	sd := []float64{1, 0, 2.5}
	w, m, s := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	bellmanTarget(w, m, s, 1, 0.9, true, b, mu, sd)
	sum := 0.0
	for j := range w {
		sum += w[j]
		if m[j] != 1 || s[j] != 0 {
			t.Errorf("terminal component %d = N(%v, %v²), want the point mass at r = 1", j, m[j], s[j])
		}
	}
	if math.Abs(sum-1) > 1e-15 {
		t.Errorf("terminal weights sum to %v", sum)
	}
}

// The agent's allocation-free decode is the mdn head's decode.
func TestDecodeMatchesMDN(t *testing.T) {
	cfg := defaultConfig()
	cfg.MinStd = 0.01
	g := newGM(cfg)
	rng := rand.New(rand.NewPCG(1, 2))
	k := g.k
	raw := make([]float64, 3*k)
	w, mu, sd := make([]float64, k), make([]float64, k), make([]float64, k)
	for trial := 0; trial < 200; trial++ {
		for i := range raw {
			raw[i] = (rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(4)))
		}
		g.decode(w, mu, sd, raw)
		m, err := mdn.Decode(g.loss.head, raw, 0)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < k; j++ {
			if math.Abs(w[j]-m.Weights[j]) > 1e-15 || mu[j] != m.Means[j] || math.Abs(sd[j]-m.Stds[j]) > 1e-15*math.Max(1, sd[j]) {
				t.Fatalf("raw %v, component %d: decode (%v, %v, %v), mdn (%v, %v, %v)", raw, j, w[j], mu[j], sd[j], m.Weights[j], m.Means[j], m.Stds[j])
			}
		}
	}
}
