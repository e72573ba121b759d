package cramer

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func scaled(p Mixture[float64], c, shift float64) Mixture[float64] {
	q := Mixture[float64]{append([]float64(nil), p.Weights...), make([]float64, len(p.Means)), make([]float64, len(p.Stds))}
	for i := range p.Means {
		q.Means[i] = c*p.Means[i] + shift
		q.Stds[i] = math.Abs(c) * p.Stds[i]
	}
	return q
}

// crossSum returns Σᵢⱼ aᵢbⱼ hᵢⱼ, the scale of the attainable absolute accuracy.
func crossSum(p, q Mixture[float64]) float64 {
	if compareMixtures(p, q) > 0 {
		p, q = q, p
	}
	var ws Workspace[float64]
	ws.Squared(p, q)
	return math.Ldexp(ws.scale.cross, -ws.scale.exp) // the cross sum at the working scale, scaled back
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 200; trial++ {
		p := randMixture(r, 1+r.IntN(12), trial%2 == 0)
		q := randMixture(r, 1+r.IntN(12), trial%3 == 0)
		d, err := Squared(p, q)
		if err != nil {
			t.Fatal(err)
		}
		if d < 0 || math.IsNaN(d) {
			t.Fatalf("ℓ₂² = %v", d)
		}
		if d2, _ := Squared(q, p); d2 != d {
			t.Fatalf("not symmetric to the bit: %v vs %v", d, d2)
		}
		if z, _ := Squared(p, p); z != 0 {
			t.Fatalf("ℓ₂²(p, p) = %v", z)
		}
		// The absolute accuracy is relative to the cross sum, which is O(spread).
		cross := crossSum(p, q)
		for _, c := range []float64{-3, 0.5, 1e-100, 1e100} {
			shift := 1e-3 * r.NormFloat64()
			ds, _ := Squared(scaled(p, c, c*shift), scaled(q, c, c*shift))
			want := math.Abs(c) * d
			if tol := 4e-15 * math.Abs(c) * cross; math.Abs(ds-want) > tol {
				t.Fatalf("scale %v: %v want %v (tol %v)", c, ds, want, tol)
			}
		}
		// Translation by a large shift costs absolute accuracy in the means
		// (their rounding), so compare against the cancellation bound.
		shift := 1000 * r.NormFloat64()
		dt, _ := Squared(scaled(p, 1, shift), scaled(q, 1, shift))
		if tol := 1e-12 * (cross + math.Abs(shift)); math.Abs(dt-d) > tol {
			t.Fatalf("translation: %v vs %v", dt, d)
		}
	}
}

func TestExtremeScales(t *testing.T) {
	cases := []struct {
		name string
		p, q Mixture[float64]
		want float64
		rel  float64
	}{
		// Two point masses at distance L: ℓ₂² = L.
		{"points 1e150 apart", Mixture[float64]{[]float64{1}, []float64{-5e149}, []float64{0}}, Mixture[float64]{[]float64{1}, []float64{5e149}, []float64{0}}, 1e150, 1e-15},
		{"points 1e-300 apart", Mixture[float64]{[]float64{1}, []float64{0}, []float64{0}}, Mixture[float64]{[]float64{1}, []float64{1e-300}, []float64{0}}, 1e-300, 1e-15},
		// Same-point masses: coincident points, h(0, 0) = 0.
		{"coincident", Mixture[float64]{[]float64{0.5, 0.5}, []float64{1, 1}, []float64{0, 0}}, Mixture[float64]{[]float64{1}, []float64{1}, []float64{0}}, 0, 0},
		// Two Gaussians with equal std far apart compared to the std: ℓ₂² → L − 2σ/√π·(1 − …) ≈ L − σ·2/√π + …
		{"tiny stds far apart", Mixture[float64]{[]float64{1}, []float64{0}, []float64{1e-150}}, Mixture[float64]{[]float64{1}, []float64{1e150}, []float64{1e-150}}, 1e150, 1e-15},
	}
	for _, c := range cases {
		got, err := Squared(c.p, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if math.IsNaN(got) || math.Abs(got-c.want) > c.rel*c.want {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
		var gp, gq MixtureGrad[float64]
		if _, err := SquaredGrad(c.p, c.q, &gp, &gq); err != nil {
			t.Fatal(err)
		}
		for _, g := range [][]float64{gp.Weights, gp.Means, gp.Stds, gq.Weights, gq.Means, gq.Stds} {
			for _, v := range g {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: non-finite gradient %v", c.name, g)
				}
			}
		}
	}
	// One Gaussian against itself shifted by a tiny fraction of its std:
	// ℓ₂² = 2σ/√π·(…) ≈ d²/(2σ√π)… check against the exact two-component form.
	s := 1e-150
	p := Mixture[float64]{[]float64{1}, []float64{0}, []float64{s}}
	q := Mixture[float64]{[]float64{1}, []float64{s}, []float64{s}}
	got, _ := Squared(p, q)
	// h(s, s√2) − h(0, s√2) with h(d, t) = t√(2/π)e^{−d²/2t²} + d·erf(d/(t√2)).
	tt := s * math.Sqrt2
	want := tt*math.Sqrt(2/math.Pi)*math.Exp(-0.25) + s*math.Erf(0.5) - tt*math.Sqrt(2/math.Pi)
	if math.Abs(got-want) > 1e-14*s {
		t.Errorf("tiny scale: got %v want %v", got, want)
	}
}

func bigMixtures(k int) (Mixture[float64], Mixture[float64]) {
	r := rand.New(rand.NewPCG(11, 12))
	return randMixture(r, k, true), randMixture(r, k+37, false)
}

func TestParallelDeterministic(t *testing.T) {
	p, q := bigMixtures(1100)
	x := Samples[float64]{Values: make([]float64, 9000)}
	r := rand.New(rand.NewPCG(1, 1))
	for i := range x.Values {
		x.Values[i] = 4 * r.NormFloat64()
	}
	type result struct {
		v, vs  float64
		gp, gq MixtureGrad[float64]
	}
	run := func(threads int) result {
		ws := Workspace[float64]{Threads: threads}
		var res result
		var err error
		res.v, err = ws.SquaredGrad(p, q, &res.gp, &res.gq)
		if err != nil {
			t.Fatal(err)
		}
		res.vs, err = ws.SquaredToSamples(p, x)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ref := run(1)
	for _, th := range []int{2, 3, 8} {
		got := run(th)
		if got.v != ref.v || got.vs != ref.vs {
			t.Fatalf("threads=%d: %v %v vs %v %v", th, got.v, got.vs, ref.v, ref.vs)
		}
		for i := range ref.gp.Means {
			if got.gp.Means[i] != ref.gp.Means[i] || got.gp.Stds[i] != ref.gp.Stds[i] || got.gp.Weights[i] != ref.gp.Weights[i] {
				t.Fatalf("threads=%d: gradient %d differs", th, i)
			}
		}
		for i := range ref.gq.Means {
			if got.gq.Means[i] != ref.gq.Means[i] || got.gq.Weights[i] != ref.gq.Weights[i] {
				t.Fatalf("threads=%d: q gradient %d differs", th, i)
			}
		}
	}
}

func TestWorkspaceAllocatesNothing(t *testing.T) {
	p, q := bigMixtures(300)
	ws := Workspace[float64]{Threads: 1}
	var gp, gq MixtureGrad[float64]
	out := make([]float64, 10)
	var bp, bq Mixture[float64]
	for b := 0; b < 10; b++ {
		bp.Weights, bp.Means, bp.Stds = append(bp.Weights, p.Weights[:4]...), append(bp.Means, p.Means[:4]...), append(bp.Stds, p.Stds[:4]...)
		bq.Weights, bq.Means, bq.Stds = append(bq.Weights, 1), append(bq.Means, 0), append(bq.Stds, 1)
	}
	s := 0.0
	for _, w := range p.Weights[:4] {
		s += w
	}
	for i := range bp.Weights {
		bp.Weights[i] /= s
	}
	for name, f := range map[string]func(){
		"Squared":     func() { ws.Squared(p, q) },
		"SquaredGrad": func() { ws.SquaredGrad(p, q, &gp, &gq) },
		"Batch":       func() { ws.SquaredBatch(out, 4, 1, bp, bq) },
		"BatchGrad":   func() { ws.SquaredBatchGrad(out, 4, 1, bp, bq, &gp, &gq) },
	} {
		f()
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	good := Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1}, []float64{1, 0}}
	cases := []struct {
		p     Mixture[float64]
		field string
		index int
	}{
		{Mixture[float64]{}, "weights", -1},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{0}, []float64{1, 1}}, "means", -1},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1}, []float64{1}}, "stds", -1},
		{Mixture[float64]{[]float64{0.5, 0.6}, []float64{0, 1}, []float64{1, 1}}, "weights", -1},
		{Mixture[float64]{[]float64{1.5, -0.5}, []float64{0, 1}, []float64{1, 1}}, "weights", 1},
		{Mixture[float64]{[]float64{0.5, math.NaN()}, []float64{0, 1}, []float64{1, 1}}, "weights", 1},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, math.Inf(1)}, []float64{1, 1}}, "means", 1},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{math.NaN(), 1}, []float64{1, 1}}, "means", 0},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1}, []float64{1, -1}}, "stds", 1},
		{Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1e200}, []float64{1, 1}}, "means", 1},
	}
	for i, c := range cases {
		for _, order := range []bool{false, true} {
			var err error
			arg := "q"
			if order {
				_, err = Squared(c.p, good)
				arg = "p"
			} else {
				_, err = Squared(good, c.p)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("case %d: error %v is not an *InputError", i, err)
			}
			if ie.Arg != arg || ie.Field != c.field || ie.Index != c.index {
				t.Errorf("case %d: got %q (arg %s field %s index %d), want %s %s %d", i, err, ie.Arg, ie.Field, ie.Index, arg, c.field, c.index)
			}
		}
	}
}
