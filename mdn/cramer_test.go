package mdn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

var scaleMaps = []ScaleMap{Exp, ELUPlusOne, Softplus}

// randomRaw returns nb random raw head outputs.
func randomRaw(rng *rand.Rand, h Head, nb int) []float64 {
	raw := make([]float64, nb*h.Width())
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	return raw
}

// randomTarget returns nb target mixtures of m components in h.Dim()
// dimensions; zeroStd makes every other component a point mass.
func randomTarget(rng *rand.Rand, h Head, nb, m int) cramer.Mixture[float64] {
	d := h.Dim()
	t := cramer.Mixture[float64]{Weights: make([]float64, nb*m), Means: make([]float64, nb*m*d), Stds: make([]float64, nb*m*d)}
	for b := 0; b < nb; b++ {
		var s float64
		for i := 0; i < m; i++ {
			w := 0.1 + rng.Float64()
			t.Weights[b*m+i] = w
			s += w
		}
		for i := 0; i < m; i++ {
			t.Weights[b*m+i] /= s
		}
	}
	for i := range t.Means {
		t.Means[i] = 2 * rng.NormFloat64()
		if (i/d)%2 == 0 {
			t.Stds[i] = 0.2 + rng.Float64()
		}
	}
	return t
}

// decodeRef decodes example b of raw by the formulas of the package
// documentation, independently of the package's own decoding.
func decodeRef(h Head, raw []float64, b int) (w, mu, s []float64) {
	k, d := h.K, h.Dim()
	row := raw[b*h.Width() : (b+1)*h.Width()]
	mx := math.Inf(-1)
	for _, l := range row[:k] {
		mx = max(mx, l)
	}
	var z float64
	for _, l := range row[:k] {
		z += math.Exp(l - mx)
	}
	for _, l := range row[:k] {
		w = append(w, math.Exp(l-mx)/z)
	}
	mu = append(mu, row[k:k+k*d]...)
	for _, x := range row[k+k*d:] {
		var sg float64
		switch h.Scale {
		case Exp:
			sg = math.Exp(x)
		case ELUPlusOne:
			if x > 0 {
				sg = x + 1
			} else {
				sg = math.Exp(x)
			}
		case Softplus:
			sg = math.Log(1 + math.Exp(x))
		}
		s = append(s, h.MinStd+sg)
	}
	return w, mu, s
}

func heads(d int) []Head {
	var hs []Head
	for _, sm := range scaleMaps {
		hs = append(hs, Head{K: 3, D: d, Scale: sm}, Head{K: 4, D: d, Scale: sm, MinStd: 0.05})
	}
	return hs
}

func fixedDirections(d, l int) cramer.Directions[float64] {
	return cramer.RandomDirections[float64](d, l, 11)
}

// checkGrad compares grad with central differences of f at raw.
func checkGrad(t *testing.T, raw, grad []float64, f func([]float64) float64) {
	t.Helper()
	for i := range raw {
		old := raw[i]
		step := 1e-6 * max(1, math.Abs(old))
		raw[i] = old + step
		lp := f(raw)
		raw[i] = old - step
		lm := f(raw)
		raw[i] = old
		fd := (lp - lm) / (2 * step)
		if math.Abs(fd-grad[i]) > 1e-6*(1e-3+math.Abs(fd)) && math.Abs(fd-grad[i]) > 1e-8 {
			t.Fatalf("raw[%d]: gradient %.10g, central difference %.10g", i, grad[i], fd)
		}
	}
}

func TestCramerToMixtureValue(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			const nb, m = 5, 3
			raw := randomRaw(rng, h, nb)
			tg := randomTarget(rng, h, nb, m)
			var ws Workspace[float64]
			dirs := fixedDirections(d, 16)
			if d > 1 {
				ws.Directions = dirs
			}
			loss := make([]float64, nb)
			got, err := ws.CramerToMixture(h, raw, tg, loss, nil)
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for b := 0; b < nb; b++ {
				w, mu, s := decodeRef(h, raw, b)
				var want float64
				if d == 1 {
					want, err = cramer.Squared(cramer.Mixture[float64]{Weights: w, Means: mu, Stds: s},
						cramer.Mixture[float64]{Weights: tg.Weights[b*m : (b+1)*m], Means: tg.Means[b*m : (b+1)*m], Stds: tg.Stds[b*m : (b+1)*m]})
				} else {
					want, err = cramer.SlicedSquared(cramer.MixtureND[float64]{Dim: d, Weights: w, Means: mu, DiagStds: s},
						cramer.MixtureND[float64]{Dim: d, Weights: tg.Weights[b*m : (b+1)*m], Means: tg.Means[b*m*d : (b+1)*m*d], DiagStds: tg.Stds[b*m*d : (b+1)*m*d]}, dirs)
				}
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(loss[b]-want) > 1e-12*(1+want) {
					t.Fatalf("%+v example %d: loss %.17g, want %.17g", h, b, loss[b], want)
				}
				sum += want
			}
			if math.Abs(got-sum/nb) > 1e-12 {
				t.Fatalf("%+v: mean %g, want %g", h, got, sum/nb)
			}
		}
	}
}

func TestCramerToMixtureGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			t.Run(h.Scale.String(), func(t *testing.T) {
				const nb, m = 3, 2
				raw := randomRaw(rng, h, nb)
				tg := randomTarget(rng, h, nb, m)
				var ws Workspace[float64]
				ws.Directions = fixedDirections(d, 8)
				if d == 1 {
					ws.Directions = cramer.Directions[float64]{}
				}
				grad := make([]float64, len(raw))
				if _, err := ws.CramerToMixture(h, raw, tg, nil, grad); err != nil {
					t.Fatal(err)
				}
				checkGrad(t, raw, grad, func(r []float64) float64 {
					v, err := ws.CramerToMixture(h, r, tg, nil, nil)
					if err != nil {
						t.Fatal(err)
					}
					return v
				})
			})
		}
	}
}

func TestCramerToPointsMatchesMixtureOfPointMasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, d := range []int{1, 3} {
		h := Head{K: 4, D: d, Scale: Softplus}
		const nb = 6
		raw := randomRaw(rng, h, nb)
		y := make([]float64, nb*d)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		tg := cramer.Mixture[float64]{Weights: make([]float64, nb), Means: y, Stds: make([]float64, nb*d)}
		for i := range tg.Weights {
			tg.Weights[i] = 1
		}
		var ws Workspace[float64]
		if d > 1 {
			ws.Directions = fixedDirections(d, 8)
		}
		g1, g2 := make([]float64, len(raw)), make([]float64, len(raw))
		l1, l2 := make([]float64, nb), make([]float64, nb)
		v1, err := ws.CramerToPoints(h, raw, y, l1, g1)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := ws.CramerToMixture(h, raw, tg, l2, g2)
		if err != nil {
			t.Fatal(err)
		}
		if v1 != v2 {
			t.Fatalf("D=%d: points %g, mixture of point masses %g", d, v1, v2)
		}
		for i := range g1 {
			if g1[i] != g2[i] {
				t.Fatalf("D=%d: gradient %d: %g vs %g", d, i, g1[i], g2[i])
			}
		}
		checkGrad(t, raw, g1, func(r []float64) float64 {
			v, _ := ws.CramerToPoints(h, r, y, nil, nil)
			return v
		})
	}
}

func TestCramerFloat32AgreesWithFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, h := range heads(1) {
		const nb, m = 16, 3
		raw := randomRaw(rng, h, nb)
		tg := randomTarget(rng, h, nb, m)
		g64 := make([]float64, len(raw))
		v64, err := CramerToMixture(h, raw, tg, nil, g64)
		if err != nil {
			t.Fatal(err)
		}
		raw32 := to32(raw)
		tg32 := cramer.Mixture[float32]{Weights: to32(tg.Weights), Means: to32(tg.Means), Stds: to32(tg.Stds)}
		g32 := make([]float32, len(raw))
		v32, err := CramerToMixture(h, raw32, tg32, nil, g32)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(v32-v64) > 1e-5*(1+v64) {
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

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func TestCramerErrorsNameArgumentAndIndex(t *testing.T) {
	h := Head{K: 2, Scale: Exp}
	raw := []float64{0, 0, 1, 2, 0, 0 /* example 1 */, 0, 0, 1, 2, 0, 0}
	good := cramer.Mixture[float64]{Weights: []float64{1, 1}, Means: []float64{0, 1}, Stds: []float64{0, 0}}
	cases := []struct {
		name       string
		h          Head
		raw        []float64
		tg         cramer.Mixture[float64]
		grad       []float64
		arg, field string
		index      int
	}{
		{"bad K", Head{K: 0}, raw, good, nil, "head", "K", -1},
		{"bad scale map", Head{K: 2, Scale: 7}, raw, good, nil, "head", "Scale", -1},
		{"raw length", h, raw[:5], good, nil, "raw", "length", -1},
		{"NaN logit", h, with(raw, 7, math.NaN()), good, nil, "raw", "logits", 7},
		{"infinite scale", h, with(raw, 10, math.Inf(1)), good, nil, "raw", "scales", 10},
		{"huge mean", h, with(raw, 9, 1e200), good, nil, "raw", "means", 9},
		{"grad length", h, raw, good, make([]float64, 3), "grad", "length", -1},
		{"target length", h, raw, cramer.Mixture[float64]{Weights: []float64{1, 1, 1}, Means: []float64{0, 0, 0}, Stds: []float64{0, 0, 0}}, nil, "target", "weights", -1},
		{"target weights", h, raw, cramer.Mixture[float64]{Weights: []float64{1, 0.5}, Means: []float64{0, 1}, Stds: []float64{0, 0}}, nil, "target", "weights", 1},
		{"negative target std", h, raw, cramer.Mixture[float64]{Weights: []float64{1, 1}, Means: []float64{0, 1}, Stds: []float64{0, -1}}, nil, "target", "stds", 1},
		{"NaN target mean", h, raw, cramer.Mixture[float64]{Weights: []float64{1, 1}, Means: []float64{math.NaN(), 1}, Stds: []float64{0, 0}}, nil, "target", "means", 0},
	}
	for _, c := range cases {
		_, err := CramerToMixture(c.h, c.raw, c.tg, nil, c.grad)
		var ie *cramer.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%s: error %v, want *cramer.InputError", c.name, err)
		}
		if ie.Arg != c.arg || ie.Field != c.field || ie.Index != c.index {
			t.Fatalf("%s: error %q names %s.%s[%d], want %s.%s[%d]", c.name, err, ie.Arg, ie.Field, ie.Index, c.arg, c.field, c.index)
		}
	}
}

func with(x []float64, i int, v float64) []float64 {
	y := append([]float64(nil), x...)
	y[i] = v
	return y
}

func TestCramerAllocatesNothingWhenWarm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, d := range []int{1, 2} {
		h := Head{K: 8, D: d, Scale: ELUPlusOne}
		const nb, m = 64, 4
		raw := randomRaw(rng, h, nb)
		tg := randomTarget(rng, h, nb, m)
		ws := Workspace[float64]{Threads: 1, Slices: 4}
		grad := make([]float64, len(raw))
		loss := make([]float64, nb)
		call := func() {
			if _, err := ws.CramerToMixture(h, raw, tg, loss, grad); err != nil {
				t.Fatal(err)
			}
		}
		call()
		if n := testing.AllocsPerRun(20, call); n != 0 {
			t.Fatalf("D=%d: %v allocations per warm call", d, n)
		}
	}
}

func TestEveryLossAllocatesNothingWhenWarm(t *testing.T) {
	t.Run("float32", allocsEveryLoss[float32])
	t.Run("float64", allocsEveryLoss[float64])
}

func allocsEveryLoss[F cramer.Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, d := range []int{1, 3} {
		h := Head{K: 8, D: d, Scale: ELUPlusOne}
		const nb, n = 300, 5 // more than one pair chunk
		raw, y, ys := make([]F, nb*h.Width()), make([]F, nb*d), make([]F, nb*n*d)
		for _, x := range [][]F{raw, y, ys} {
			for i := range x {
				x[i] = F(rng.NormFloat64())
			}
		}
		tg := randomTarget(rng, h, nb, 3)
		tgF := cramer.Mixture[F]{Weights: convertSlice[F](tg.Weights), Means: convertSlice[F](tg.Means), Stds: convertSlice[F](tg.Stds)}
		ws := Workspace[F]{Slices: 4}
		grad := make([]F, len(raw))
		for name, f := range map[string]func() (float64, error){
			"NLL":             func() (float64, error) { return ws.NLL(h, raw, y, nil, grad) },
			"CramerToPoints":  func() (float64, error) { return ws.CramerToPoints(h, raw, y, nil, grad) },
			"CramerToSamples": func() (float64, error) { return ws.CramerToSamples(h, raw, ys, nil, grad) },
			"CramerToMixture": func() (float64, error) { return ws.CramerToMixture(h, raw, tgF, nil, grad) },
		} {
			if _, err := f(); err != nil {
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(10, func() { f() }); a != 0 {
				t.Fatalf("%s D=%d: %v allocations per warm call", name, d, a)
			}
		}
	}
}

func TestCramerToPointsGradientEveryHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, d := range []int{1, 3} {
		for _, h := range heads(d) {
			const nb = 3
			raw := randomRaw(rng, h, nb)
			y := randomY(rng, nb, d)
			ws := Workspace[float64]{Directions: fixedDirections(d, 8)}
			if d == 1 {
				ws.Directions = cramer.Directions[float64]{}
			}
			grad := make([]float64, len(raw))
			if _, err := ws.CramerToPoints(h, raw, y, nil, grad); err != nil {
				t.Fatal(err)
			}
			checkGrad(t, raw, grad, func(r []float64) float64 {
				v, _ := ws.CramerToPoints(h, r, y, nil, nil)
				return v
			})
		}
	}
}

// TestSlicedFloat32AgreesWithFloat64: D = 3 with the same directions in both
// precisions, for every Cramér loss.
func TestSlicedFloat32AgreesWithFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const d, nb, n = 3, 12, 4
	dirs := fixedDirections(d, 8)
	dirs32 := cramer.Directions[float32]{Dim: d, Theta: to32(dirs.Theta)}
	for _, h := range heads(d) {
		raw := randomRaw(rng, h, nb)
		y := randomY(rng, nb*n, d)
		tg := randomTarget(rng, h, nb, 2)
		tg32 := cramer.Mixture[float32]{Weights: to32(tg.Weights), Means: to32(tg.Means), Stds: to32(tg.Stds)}
		w64 := Workspace[float64]{Directions: dirs}
		w32 := Workspace[float32]{Directions: dirs32}
		type pair struct {
			name string
			f64  func(g []float64) (float64, error)
			f32  func(g []float32) (float64, error)
		}
		for _, c := range []pair{
			{"points", func(g []float64) (float64, error) { return w64.CramerToPoints(h, raw, y[:nb*d], nil, g) },
				func(g []float32) (float64, error) { return w32.CramerToPoints(h, to32(raw), to32(y[:nb*d]), nil, g) }},
			{"samples", func(g []float64) (float64, error) { return w64.CramerToSamples(h, raw, y, nil, g) },
				func(g []float32) (float64, error) { return w32.CramerToSamples(h, to32(raw), to32(y), nil, g) }},
			{"mixture", func(g []float64) (float64, error) { return w64.CramerToMixture(h, raw, tg, nil, g) },
				func(g []float32) (float64, error) { return w32.CramerToMixture(h, to32(raw), tg32, nil, g) }},
		} {
			g64, g32 := make([]float64, len(raw)), make([]float32, len(raw))
			v64, err := c.f64(g64)
			if err != nil {
				t.Fatal(err)
			}
			v32, err := c.f32(g32)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(v32-v64) > 1e-5*(1+v64) {
				t.Fatalf("%s %+v: float32 %g, float64 %g", c.name, h, v32, v64)
			}
			var gmax float64
			for _, g := range g64 {
				gmax = max(gmax, math.Abs(g))
			}
			for i := range g64 {
				if math.Abs(float64(g32[i])-g64[i]) > 1e-4*gmax {
					t.Fatalf("%s %+v: gradient %d: float32 %g, float64 %g", c.name, h, i, g32[i], g64[i])
				}
			}
		}
	}
}

// TestSingleComponentHead: K = 1 (no self pairs, softmax weight 1).
func TestSingleComponentHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, d := range []int{1, 2} {
		h := Head{K: 1, D: d, Scale: Softplus}
		const nb = 5
		raw := randomRaw(rng, h, nb)
		y := randomY(rng, nb*3, d)
		ws := Workspace[float64]{Directions: fixedDirections(d, 4)}
		if d == 1 {
			ws.Directions = cramer.Directions[float64]{}
		}
		for name, f := range map[string]func(r, g []float64) (float64, error){
			"NLL":             func(r, g []float64) (float64, error) { return ws.NLL(h, r, y[:nb*d], nil, g) },
			"CramerToPoints":  func(r, g []float64) (float64, error) { return ws.CramerToPoints(h, r, y[:nb*d], nil, g) },
			"CramerToSamples": func(r, g []float64) (float64, error) { return ws.CramerToSamples(h, r, y, nil, g) },
		} {
			grad := make([]float64, len(raw))
			v, err := f(raw, grad)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s D=%d: %v, %v", name, d, v, err)
			}
			for b := 0; b < nb; b++ {
				if grad[b*h.Width()] != 0 {
					t.Fatalf("%s D=%d: logit gradient %g with a single component", name, d, grad[b*h.Width()])
				}
			}
			checkGrad(t, raw, grad, func(r []float64) float64 { v, _ := f(r, nil); return v })
		}
	}
}
