package mdn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nllRef is −log p(y) summed naively from the densities (fine for moderate
// inputs).
func nllRef(h Head, raw, y []float64, b int) float64 {
	w, mu, s := decodeRef(h, raw, b)
	d := h.Dim()
	var p float64
	for i := range w {
		dens := w[i]
		for j := 0; j < d; j++ {
			z := (y[b*d+j] - mu[i*d+j]) / s[i*d+j]
			dens *= math.Exp(-0.5*z*z) / (s[i*d+j] * math.Sqrt(2*math.Pi))
		}
		p += dens
	}
	return -math.Log(p)
}

func randomY(rng *rand.Rand, nb, d int) []float64 {
	y := make([]float64, nb*d)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	return y
}

func TestNLLValueAndGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			const nb = 4
			raw := randomRaw(rng, h, nb)
			y := randomY(rng, nb, d)
			loss := make([]float64, nb)
			grad := make([]float64, len(raw))
			got, err := NLL(h, raw, y, loss, grad)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for b := 0; b < nb; b++ {
				want := nllRef(h, raw, y, b)
				if math.Abs(loss[b]-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("%+v example %d: NLL %.17g, want %.17g", h, b, loss[b], want)
				}
				sum += want
			}
			if math.Abs(got-sum/nb) > 1e-12*(1+math.Abs(got)) {
				t.Fatalf("%+v: mean %g, want %g", h, got, sum/nb)
			}
			checkGrad(t, raw, grad, func(r []float64) float64 {
				v, _ := NLL(h, r, y, nil, nil)
				return v
			})
		}
	}
}

func TestNLLFloat32AgreesWithFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			const nb = 16
			raw := randomRaw(rng, h, nb)
			y := randomY(rng, nb, d)
			g64 := make([]float64, len(raw))
			v64, err := NLL(h, raw, y, nil, g64)
			if err != nil {
				t.Fatal(err)
			}
			g32 := make([]float32, len(raw))
			v32, err := NLL(h, to32(raw), to32(y), nil, g32)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(v32-v64) > 1e-5*(1+math.Abs(v64)) {
				t.Fatalf("%+v: float32 %g, float64 %g", h, v32, v64)
			}
			var gmax float64
			for _, g := range g64 {
				gmax = max(gmax, math.Abs(g))
			}
			for i := range g64 {
				if math.Abs(float64(g32[i])-g64[i]) > 1e-4*gmax {
					t.Fatalf("%+v: gradient %d: float32 %g, float64 %g", h, i, g32[i], g64[i])
				}
			}
		}
	}
}

func TestNLLAllocatesNothingWhenWarm(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	h := Head{K: 5, D: 2, Scale: Softplus, MinStd: 1e-3}
	raw := randomRaw(rng, h, 32)
	y := randomY(rng, 32, 2)
	var ws Workspace[float32]
	r32, y32 := to32(raw), to32(y)
	grad := make([]float32, len(raw))
	call := func() {
		if _, err := ws.NLL(h, r32, y32, nil, grad); err != nil {
			t.Fatal(err)
		}
	}
	call()
	if n := testing.AllocsPerRun(20, call); n != 0 {
		t.Fatalf("%v allocations per warm call", n)
	}
}
