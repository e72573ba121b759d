package mdn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
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

// TestNLLLogitShiftInvariance: equal logits give equal weights whatever
// their value, so the loss and gradient with every logit c must be those
// with every logit 0, also for c far beyond the other terms (±1e30, which
// must not swamp the densities' terms).
func TestNLLLogitShiftInvariance(t *testing.T) {
	t.Run("float32", nllLogitShift[float32])
	t.Run("float64", nllLogitShift[float64])
}

func nllLogitShift[F cramer.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 24))
	for _, d := range []int{1, 2} {
		for _, h := range heads(d) {
			const nb = 3
			raw := randomRaw(rng, h, nb)
			for b := 0; b < nb; b++ {
				for i := 0; i < h.K; i++ {
					raw[b*h.Width()+i] = 0
				}
			}
			y := randomY(rng, nb, d)
			r, yy := convertSlice[F](raw), convertSlice[F](y)
			loss0, grad0 := make([]F, nb), make([]F, len(raw))
			var ws Workspace[F]
			if _, err := ws.NLL(h, r, yy, loss0, grad0); err != nil {
				t.Fatal(err)
			}
			for _, c := range []float64{1e30, -1e30, 1e6, -3} {
				rc := append([]F(nil), r...)
				for b := 0; b < nb; b++ {
					for i := 0; i < h.K; i++ {
						rc[b*h.Width()+i] += F(c)
					}
				}
				loss, grad := make([]F, nb), make([]F, len(raw))
				if _, err := ws.NLL(h, rc, yy, loss, grad); err != nil {
					t.Fatal(err)
				}
				tol := 1e-12
				if !is64[F]() {
					tol = 1e-5
				}
				for b := range loss {
					if math.Abs(float64(loss[b]-loss0[b])) > tol*(1+math.Abs(float64(loss0[b]))) {
						t.Fatalf("%+v shift %g: loss %d = %g, unshifted %g", h, c, b, loss[b], loss0[b])
					}
				}
				for i := range grad {
					if math.Abs(float64(grad[i]-grad0[i])) > tol*(1+math.Abs(float64(grad0[i]))) {
						t.Fatalf("%+v shift %g: gradient %d = %g, unshifted %g", h, c, i, grad[i], grad0[i])
					}
				}
			}
		}
	}
}

// TestNLLFlooredAndCappedComponent: a component whose σ is floored (raw
// scale −1e30 with elu+1: e^x = 0) and whose |z| is capped (y two units
// from its mean) has responsibility 0, so the loss is that of the other
// component alone with its softmax weight, and the gradient w.r.t. the
// floored component's mean and scale is 0.
func TestNLLFlooredAndCappedComponent(t *testing.T) {
	t.Run("float32", nllFlooredCapped[float32])
	t.Run("float64", nllFlooredCapped[float64])
}

func nllFlooredCapped[F cramer.Float](t *testing.T) {
	h := Head{K: 2, Scale: ELUPlusOne}
	// logits 0.5, −0.25; means 2, 0.5; raw scales −1e30, 0.3 (σ = 1.3).
	raw := []F{0.5, -0.25, 2, 0.5, -1e30, 0.3}
	y := []F{0}
	loss, grad := make([]F, 1), make([]F, len(raw))
	if _, err := NLL(h, raw, y, loss, grad); err != nil {
		t.Fatal(err)
	}
	a2 := 1 / (1 + math.Exp(float64(raw[0])-float64(raw[1])))
	s2 := 1 + float64(raw[5])
	z2 := (float64(y[0]) - float64(raw[3])) / s2
	want := -(math.Log(a2) - math.Log(s2) - 0.5*math.Log(2*math.Pi) - 0.5*z2*z2)
	tol := 1e-12
	if !is64[F]() {
		tol = 1e-6
	}
	if math.Abs(float64(loss[0])-want) > tol*(1+math.Abs(want)) {
		t.Fatalf("loss %g, want %g", loss[0], want)
	}
	if grad[2] != 0 || grad[4] != 0 {
		t.Fatalf("floored component: mean gradient %g, scale gradient %g, want 0", grad[2], grad[4])
	}
	// ∂/∂ℓ₁ = a₁ − 0, ∂/∂ℓ₂ = a₂ − 1, ∂/∂μ₂ = −z/σ, ∂/∂x₂ = (1 − z²)/σ.
	for i, w := range map[int]float64{0: 1 - a2, 1: a2 - 1, 3: -z2 / s2, 5: (1 - z2*z2) / s2} {
		if math.Abs(float64(grad[i])-w) > tol*(1+math.Abs(w)) {
			t.Fatalf("gradient %d: %g, want %g", i, grad[i], w)
		}
	}
}
