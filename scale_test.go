package cramer

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The issue examples: tiny scales used to give 0 (the pair terms saw
// underflowed variances, the diagonal self terms did not) and O(1)-wrong std
// derivatives.
func TestTinyScaleRegressions(t *testing.T) {
	const sigma = 1e-163
	unit := func(s float64) (Mixture[float64], Mixture[float64]) {
		return Mixture[float64]{[]float64{1}, []float64{0}, []float64{s}}, Mixture[float64]{[]float64{1}, []float64{s}, []float64{s}}
	}
	// ℓ₂²(N(0,σ²), N(σ,σ²)) = σ·ℓ₂²(N(0,1), N(1,1)).
	p1, q1 := unit(1)
	var g1p MixtureGrad[float64]
	ref, err := SquaredGrad(p1, q1, &g1p, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, q := unit(sigma)
	var gp MixtureGrad[float64]
	got, err := SquaredGrad(p, q, &gp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := ref * sigma; math.Abs(got-want) > 1e-14*want {
		t.Errorf("Squared at σ = %g: %g, want %g", sigma, got, want)
	}
	if math.Abs(got-2.71e-164) > 0.01e-164 {
		t.Errorf("Squared at σ = %g: %g, want 2.71e-164", sigma, got)
	}
	// The mean and std derivatives are scale-free: ∂/∂σ = −0.125 (to 3 digits).
	if math.Abs(gp.Stds[0]-g1p.Stds[0]) > 1e-14 || math.Abs(gp.Means[0]-g1p.Means[0]) > 1e-14 {
		t.Errorf("SquaredGrad at σ = %g: ∂/∂μ %v ∂/∂σ %v, want %v %v", sigma, gp.Means[0], gp.Stds[0], g1p.Means[0], g1p.Stds[0])
	}
	if math.Abs(gp.Stds[0]+0.125) > 0.001 {
		t.Errorf("SquaredGrad at σ = %g: ∂/∂σ = %v, want −0.125", sigma, gp.Stds[0])
	}
	if math.Abs(gp.Weights[0]-g1p.Weights[0]*sigma) > 1e-14*math.Abs(g1p.Weights[0]*sigma) {
		t.Errorf("SquaredGrad at σ = %g: ∂/∂a = %v, want %v", sigma, gp.Weights[0], g1p.Weights[0]*sigma)
	}
	// ℓ₂²(N(0,σ²), δ₀) = σ·(√(2/π) − 1/√π).
	v, err := SquaredToSamples(p, Samples[float64]{Values: []float64{0}})
	if want := sigma * (math.Sqrt(2/math.Pi) - 1/math.SqrtPi); err != nil || math.Abs(v-want) > 1e-14*want {
		t.Errorf("SquaredToSamples(N(0,σ²), {0}) at σ = %g: %v, %v; want %g", sigma, v, err, want)
	}
	// The same in float32 at σ = 1e-30 (σ² underflows float32 below ~1e-23).
	p32 := Mixture[float32]{[]float32{1}, []float32{0}, []float32{1e-30}}
	q32 := Mixture[float32]{[]float32{1}, []float32{1e-30}, []float32{1e-30}}
	v32, err := Squared(p32, q32)
	if want := ref * 1e-30; err != nil || math.Abs(float64(v32)-want) > 1e-6*want {
		t.Errorf("float32 Squared at σ = 1e-30: %v, %v; want %g", v32, err, want)
	}
	// Sliced, exact: isotropic N(0, σ²I) against N((σ, 0), σ²I) in R².
	iso := func(s float64) (MixtureND[float64], MixtureND[float64]) {
		return MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{0, 0}, IsoStds: []float64{s}},
			MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{s, 0}, IsoStds: []float64{s}}
	}
	a1, b1 := iso(1)
	sref, err := SlicedSquaredExact(a1, b1)
	if err != nil {
		t.Fatal(err)
	}
	a, b := iso(sigma)
	sv, err := SlicedSquaredExact(a, b)
	if want := sref * sigma; err != nil || math.Abs(sv-want) > 1e-14*want {
		t.Errorf("SlicedSquaredExact at σ = %g: %v, %v; want %g", sigma, sv, err, want)
	}
}

// dyadicMixture returns a random mixture whose means and stds are multiples
// of 1/16 of magnitude ≤ 4, so that x·2^s is exact for every s down to the
// smallest subnormal exponent + 4.
func dyadicMixture[F Float](r *rand.Rand, k int, points bool) Mixture[F] {
	p := Mixture[F]{Weights: make([]F, k), Means: make([]F, k), Stds: make([]F, k)}
	for i := range p.Means {
		p.Weights[i] = F(1 / float64(k))
		p.Means[i] = F(float64(r.IntN(129)-64) / 16)
		if !points && r.IntN(4) != 0 {
			p.Stds[i] = F(float64(1+r.IntN(32)) / 16)
		}
	}
	if k == 3 || k == 5 { // weights 1/k are not exact: make them sum to 1
		var s float64
		for _, w := range p.Weights[:k-1] {
			s += float64(w)
		}
		p.Weights[k-1] = F(1 - s)
	}
	return p
}

func ldexpAll[F Float](x []F, s int) []F {
	out := make([]F, len(x))
	for i, v := range x {
		out[i] = F(math.Ldexp(float64(v), s))
	}
	return out
}

func scaledMix[F Float](p Mixture[F], s int) Mixture[F] {
	return Mixture[F]{p.Weights, ldexpAll(p.Means, s), ldexpAll(p.Stds, s)}
}

// scaleCheck compares a value computed at scale 2^s with the value ref at
// scale 1: they must agree to tol relative, up to the rounding of the scaled
// value (subnormal results carry fewer bits). When the scaled reference
// rounds to 0, an *InputError is required instead.
func scaleCheck[F Float](t *testing.T, name string, s int, got F, err error, ref F, tol float64) {
	t.Helper()
	want := F(math.Ldexp(float64(ref), s))
	if want == 0 && ref > 0 {
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s at 2^%d: got %v, %v; want an *InputError (the value %v·2^%d underflows)", name, s, got, err, ref, s)
		}
		return
	}
	if err != nil {
		t.Errorf("%s at 2^%d: %v", name, s, err)
		return
	}
	if !scaleClose(float64(got), float64(want), tol) {
		t.Errorf("%s at 2^%d: %v, want %v (= %v·2^%d)", name, s, got, want, ref, s)
	}
}

// scaleClose reports whether got is within tol relative of want, or within
// one unit of the smallest subnormal of F's precision plus that.
func scaleClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Abs(want)+0x1p-1074 || (float64(float32(want)) == want && math.Abs(got-want) <= tol*math.Abs(want)+0x1p-149)
}

// scaleGradCheck compares gradient slices: weight derivatives scale with 2^s,
// the others are scale-free.
func scaleGradCheck[F Float](t *testing.T, name string, s int, got, ref []F, weights bool, tol float64) {
	t.Helper()
	for i := range ref {
		want := float64(ref[i])
		if weights {
			want = float64(F(math.Ldexp(want, s)))
		}
		ok := scaleClose(float64(got[i]), want, tol)
		if !weights { // bounded by 2: absolute error against 1
			ok = ok || math.Abs(float64(got[i])-want) <= tol
		}
		if !ok {
			t.Errorf("%s[%d] at 2^%d: %v, want %v", name, i, s, got[i], want)
			return
		}
	}
}

func sweepScales[F Float]() []int {
	if is64[F]() {
		var s []int
		for e := -1070; e <= 500; e += 13 {
			s = append(s, e)
		}
		return append(s, -1074+4, -1022, -511, -257, -256, 500)
	}
	var s []int
	for e := -145; e <= 57; e += 3 {
		s = append(s, e)
	}
	return append(s, -126, -63, -31, 57)
}

// TestScaleSweep checks every univariate entry point, the batch and the
// sliced functions at scales 2^-1070 … 2^500 (float64) and 2^-145 … 2^57
// (float32) against the same problem at scale 1: the value and the weight
// derivatives scale with 2^s, the other derivatives do not change.
func TestScaleSweep(t *testing.T) {
	t.Run("float64", testScaleSweep[float64])
	t.Run("float32", testScaleSweep[float32])
}

func testScaleSweep[F Float](t *testing.T) {
	tol := 4e-16
	if !is64[F]() {
		tol = 3e-7
	}
	r := rand.New(rand.NewPCG(9, 1))
	p, q := dyadicMixture[F](r, 4, false), dyadicMixture[F](r, 3, false)
	x := Samples[F]{Values: dyadicMixture[F](r, 5, true).Means}
	y := Samples[F]{Values: dyadicMixture[F](r, 4, true).Means}

	// References at scale 1.
	var rgp, rgq MixtureGrad[F]
	rv, err := SquaredGrad(p, q, &rgp, &rgq)
	if err != nil {
		t.Fatal(err)
	}
	var tgp MixtureGrad[F]
	var tgx SamplesGrad[F]
	rt, err := SquaredToSamplesGrad(p, x, &tgp, &tgx)
	if err != nil {
		t.Fatal(err)
	}
	var sgx, sgy SamplesGrad[F]
	rs, err := SquaredSamplesGrad(x, y, &sgx, &sgy)
	if err != nil {
		t.Fatal(err)
	}
	pn := MixtureND[F]{Dim: 2, Weights: p.Weights, Means: append(append([]F{}, p.Means...), p.Means...), IsoStds: p.Stds}
	qn := MixtureND[F]{Dim: 2, Weights: q.Weights, Means: append(append([]F{}, q.Means...), q.Means...), IsoStds: q.Stds}
	pd := MixtureND[F]{Dim: 2, Weights: p.Weights, Means: pn.Means, DiagStds: append(append([]F{}, p.Stds...), p.Stds...)}
	pc := MixtureND[F]{Dim: 2, Weights: p.Weights, Means: pn.Means, Chol: make([]F, 4*len(p.Stds))}
	for i, sd := range p.Stds {
		pc.Chol[4*i], pc.Chol[4*i+2], pc.Chol[4*i+3] = sd, sd, sd
	}
	xn := SamplesND[F]{Dim: 2, Values: append(append([]F{}, x.Values...), x.Values...)}
	yn := SamplesND[F]{Dim: 2, Values: append(append([]F{}, y.Values...), y.Values...)}
	dirs := Directions[F]{Dim: 2, Theta: []F{1, 0, 0, 1, 0.6, 0.8, -0.8, 0.6}}
	var ngp, ngq MixtureNDGrad[F]
	rsl, err := SlicedSquaredGrad(pd, qn, dirs, &ngp, &ngq)
	if err != nil {
		t.Fatal(err)
	}
	var cgp MixtureNDGrad[F]
	rcl, err := SlicedSquaredGrad(pc, qn, dirs, &cgp, nil)
	if err != nil {
		t.Fatal(err)
	}
	var nx SamplesNDGrad[F]
	rslx, err := SlicedSquaredToSamplesGrad(pn, xn, dirs, nil, &nx)
	if err != nil {
		t.Fatal(err)
	}
	rsls, err := SlicedSquaredSamples(xn, yn, dirs)
	if err != nil {
		t.Fatal(err)
	}
	var egp MixtureNDGrad[F]
	rex, err := SlicedSquaredExactGrad(pn, qn, &egp, nil)
	if err != nil {
		t.Fatal(err)
	}
	rexx, err := SlicedSquaredToSamplesExact(pn, xn)
	if err != nil {
		t.Fatal(err)
	}
	rexs, err := SlicedSquaredSamplesExact(xn, yn)
	if err != nil {
		t.Fatal(err)
	}

	for _, s := range sweepScales[F]() {
		ps, qs := scaledMix(p, s), scaledMix(q, s)
		xs, ys := Samples[F]{Values: ldexpAll(x.Values, s)}, Samples[F]{Values: ldexpAll(y.Values, s)}
		var gp, gq MixtureGrad[F]
		v, err := SquaredGrad(ps, qs, &gp, &gq)
		scaleCheck(t, "SquaredGrad", s, v, err, rv, tol)
		if err == nil {
			scaleGradCheck(t, "gp.Weights", s, gp.Weights, rgp.Weights, true, tol)
			scaleGradCheck(t, "gp.Means", s, gp.Means, rgp.Means, false, tol)
			scaleGradCheck(t, "gp.Stds", s, gp.Stds, rgp.Stds, false, tol)
			scaleGradCheck(t, "gq.Weights", s, gq.Weights, rgq.Weights, true, tol)
			scaleGradCheck(t, "gq.Stds", s, gq.Stds, rgq.Stds, false, tol)
		}
		v, err = Squared(qs, ps)
		scaleCheck(t, "Squared(q, p)", s, v, err, rv, tol)

		var hp MixtureGrad[F]
		var hx SamplesGrad[F]
		v, err = SquaredToSamplesGrad(ps, xs, &hp, &hx)
		scaleCheck(t, "SquaredToSamplesGrad", s, v, err, rt, tol)
		if err == nil {
			scaleGradCheck(t, "gp.Weights", s, hp.Weights, tgp.Weights, true, tol)
			scaleGradCheck(t, "gp.Stds", s, hp.Stds, tgp.Stds, false, tol)
			scaleGradCheck(t, "gx.Values", s, hx.Values, tgx.Values, false, tol)
			scaleGradCheck(t, "gx.Weights", s, hx.Weights, tgx.Weights, true, tol)
		}
		v, err = SquaredToSamples(ps, xs)
		scaleCheck(t, "SquaredToSamples", s, v, err, rt, tol)

		var kx, ky SamplesGrad[F]
		v, err = SquaredSamplesGrad(xs, ys, &kx, &ky)
		scaleCheck(t, "SquaredSamplesGrad", s, v, err, rs, tol)
		if err == nil {
			scaleGradCheck(t, "gx.Values", s, kx.Values, sgx.Values, false, tol)
			scaleGradCheck(t, "gy.Weights", s, ky.Weights, sgy.Weights, true, tol)
		}
		v, err = SquaredSamples(xs, ys)
		scaleCheck(t, "SquaredSamples", s, v, err, rs, tol)

		// Batch: pair 0 at scale 2^s, pair 1 at scale 1, computed together;
		// pair 1 is the reference (a batch sums in another order than
		// Squared).
		bp := Mixture[F]{append(append([]F{}, ps.Weights...), p.Weights...), append(append([]F{}, ps.Means...), p.Means...), append(append([]F{}, ps.Stds...), p.Stds...)}
		bq := Mixture[F]{append(append([]F{}, qs.Weights...), q.Weights...), append(append([]F{}, qs.Means...), q.Means...), append(append([]F{}, qs.Stds...), q.Stds...)}
		out := make([]F, 2)
		var bgp, bgq MixtureGrad[F]
		k, m := len(p.Weights), len(q.Weights)
		err = SquaredBatchGrad(out, k, m, bp, bq, &bgp, &bgq)
		scaleCheck(t, "SquaredBatchGrad[0]", s, out[0], err, out[1], tol)
		if err == nil {
			scaleGradCheck(t, "batch gp.Weights", s, bgp.Weights[:k], bgp.Weights[k:], true, tol)
			scaleGradCheck(t, "batch gp.Means", s, bgp.Means[:k], bgp.Means[k:], false, tol)
			scaleGradCheck(t, "batch gp.Stds", s, bgp.Stds[:k], bgp.Stds[k:], false, tol)
			scaleGradCheck(t, "batch gq.Weights", s, bgq.Weights[:m], bgq.Weights[m:], true, tol)
			scaleGradCheck(t, "batch gq.Means", s, bgq.Means[:m], bgq.Means[m:], false, tol)
			scaleGradCheck(t, "batch gq.Stds", s, bgq.Stds[:m], bgq.Stds[m:], false, tol)
		}
		if float64(out[1]) != float64(rv) && math.Abs(float64(out[1]-rv)) > 4*tol*float64(rv) {
			t.Errorf("SquaredBatchGrad[1] = %v, Squared %v", out[1], rv)
		}
		ref1 := out[1]
		err = SquaredBatch(out, k, m, bp, bq)
		scaleCheck(t, "SquaredBatch[0]", s, out[0], err, ref1, tol)

		if s > 500-2 {
			continue // sliced coordinates are limited to MaxMagnitude/√D
		}
		nd := func(m MixtureND[F]) MixtureND[F] {
			o := MixtureND[F]{Dim: m.Dim, Weights: m.Weights, Means: ldexpAll(m.Means, s)}
			switch {
			case m.IsoStds != nil:
				o.IsoStds = ldexpAll(m.IsoStds, s)
			case m.DiagStds != nil:
				o.DiagStds = ldexpAll(m.DiagStds, s)
			default:
				o.Chol = ldexpAll(m.Chol, s)
			}
			return o
		}
		sn := func(x SamplesND[F]) SamplesND[F] { return SamplesND[F]{Dim: x.Dim, Values: ldexpAll(x.Values, s)} }
		var mgp, mgq MixtureNDGrad[F]
		v, err = SlicedSquaredGrad(nd(pd), nd(qn), dirs, &mgp, &mgq)
		scaleCheck(t, "SlicedSquaredGrad", s, v, err, rsl, 2*tol)
		if err == nil {
			scaleGradCheck(t, "sliced gp.Weights", s, mgp.Weights, ngp.Weights, true, 2*tol)
			scaleGradCheck(t, "sliced gp.Means", s, mgp.Means, ngp.Means, false, 2*tol)
			scaleGradCheck(t, "sliced gp.Stds", s, mgp.DiagStds, ngp.DiagStds, false, 2*tol)
			scaleGradCheck(t, "sliced gq.IsoStds", s, mgq.IsoStds, ngq.IsoStds, false, 2*tol)
		}
		var kgp MixtureNDGrad[F]
		v, err = SlicedSquaredGrad(nd(pc), nd(qn), dirs, &kgp, nil)
		scaleCheck(t, "SlicedSquaredGrad (chol)", s, v, err, rcl, 2*tol)
		if err == nil {
			scaleGradCheck(t, "sliced gp.Weights (chol)", s, kgp.Weights, cgp.Weights, true, 2*tol)
			scaleGradCheck(t, "sliced gp.Chol", s, kgp.Chol, cgp.Chol, false, 2*tol)
		}
		var mx SamplesNDGrad[F]
		v, err = SlicedSquaredToSamplesGrad(nd(pn), sn(xn), dirs, nil, &mx)
		scaleCheck(t, "SlicedSquaredToSamples", s, v, err, rslx, 2*tol)
		if err == nil {
			scaleGradCheck(t, "sliced gx.Values", s, mx.Values, nx.Values, false, 2*tol)
			scaleGradCheck(t, "sliced gx.Weights", s, mx.Weights, nx.Weights, true, 2*tol)
		}
		v, err = SlicedSquaredSamples(sn(xn), sn(yn), dirs)
		scaleCheck(t, "SlicedSquaredSamples", s, v, err, rsls, 2*tol)
		var fgp MixtureNDGrad[F]
		v, err = SlicedSquaredExactGrad(nd(pn), nd(qn), &fgp, nil)
		scaleCheck(t, "SlicedSquaredExactGrad", s, v, err, rex, 2*tol)
		if err == nil {
			scaleGradCheck(t, "exact gp.Weights", s, fgp.Weights, egp.Weights, true, 2*tol)
			scaleGradCheck(t, "exact gp.Means", s, fgp.Means, egp.Means, false, 2*tol)
			scaleGradCheck(t, "exact gp.IsoStds", s, fgp.IsoStds, egp.IsoStds, false, 2*tol)
		}
		v, err = SlicedSquaredToSamplesExact(nd(pn), sn(xn))
		scaleCheck(t, "SlicedSquaredToSamplesExact", s, v, err, rexx, 2*tol)
		v, err = SlicedSquaredSamplesExact(sn(xn), sn(yn))
		scaleCheck(t, "SlicedSquaredSamplesExact", s, v, err, rexs, 2*tol)
	}
}

// TestTinyRelativeStds checks stds far smaller than the means: σ² would
// underflow at scale 1 (σ < 2⁻⁵¹¹ next to magnitudes ~1), so the problem is
// solved at the largest scale, where it does not.
func TestTinyRelativeStds(t *testing.T) {
	const tiny = 1e-170
	// N(1, σ²) against N(1, 4σ²): translation-invariant, so σ·ℓ₂²(N(0,1), N(0,4)).
	p := Mixture[float64]{[]float64{1}, []float64{1}, []float64{tiny}}
	q := Mixture[float64]{[]float64{1}, []float64{1}, []float64{2 * tiny}}
	ref, _ := Squared(Mixture[float64]{[]float64{1}, []float64{0}, []float64{1}}, Mixture[float64]{[]float64{1}, []float64{0}, []float64{2}})
	if v, err := Squared(p, q); err != nil || math.Abs(v-ref*tiny) > 1e-14*ref*tiny {
		t.Errorf("Squared(N(1, σ²), N(1, 4σ²)), σ = %g: %v, %v; want %v", tiny, v, err, ref*tiny)
	}
	// A component of std σ next to a point mass at its mean: ∂/∂σ₁ =
	// a₁(b·√(2/π) − a₁/√π) + O(σ).
	p = Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1}, []float64{1, tiny}}
	pt := Mixture[float64]{[]float64{1}, []float64{1}, []float64{0}}
	var gp MixtureGrad[float64]
	want := 0.5 * (math.Sqrt(2/math.Pi) - 0.5/math.SqrtPi)
	if _, err := SquaredGrad(p, pt, &gp, nil); err != nil || math.Abs(gp.Stds[1]-want) > 1e-15 {
		t.Errorf("SquaredGrad, std %g next to a point mass: ∂/∂σ₁ = %v, %v; want %v", tiny, gp.Stds, err, want)
	}
	if _, err := SquaredToSamplesGrad(p, Samples[float64]{Values: []float64{1}}, &gp, nil); err != nil || math.Abs(gp.Stds[1]-want) > 1e-15 {
		t.Errorf("SquaredToSamplesGrad, std %g next to a sample: ∂/∂σ₁ = %v, %v; want %v", tiny, gp.Stds, err, want)
	}
	out := make([]float64, 1)
	var bg MixtureGrad[float64]
	if err := SquaredBatchGrad(out, 2, 1, p, pt, &bg, nil); err != nil || math.Abs(bg.Stds[1]-want) > 1e-15 {
		t.Errorf("SquaredBatchGrad, std %g next to a point mass: ∂/∂σ₁ = %v, %v; want %v", tiny, bg.Stds, err, want)
	}
	// float32: σ = 1e-20 next to magnitudes ~1 (σ² underflows float32).
	p32 := Mixture[float32]{[]float32{0.5, 0.5}, []float32{0, 1}, []float32{1, 1e-20}}
	var g32 MixtureGrad[float32]
	if _, err := SquaredGrad(p32, Mixture[float32]{[]float32{1}, []float32{1}, []float32{0}}, &g32, nil); err != nil || math.Abs(float64(g32.Stds[1])-want) > 1e-6 {
		t.Errorf("float32 SquaredGrad, std 1e-20 next to a point mass: %v, %v; want %v", g32.Stds, err, want)
	}
}

// TestLossyStds checks the stds too small for their variance even at the
// largest scale (below 2⁻¹⁰¹⁸ × the largest magnitude in float64, 2⁻¹²² in
// float32): accepted where no pair term they enter is affected (no component
// with a lossy or zero std nearby) or, for values, where the error they can
// cause is negligible against the cross sum; an error otherwise.
func TestLossyStds(t *testing.T) {
	tiny := 1e-310 // below 2^-1018 × the largest magnitude 1
	p := Mixture[float64]{[]float64{0.5, 0.5}, []float64{0, 1}, []float64{1, tiny}}
	q := Mixture[float64]{[]float64{1}, []float64{0.5}, []float64{0.5}}
	v, err := Squared(p, q)
	if err != nil || v <= 0 {
		t.Errorf("Squared with an isolated lossy std: %v, %v", v, err)
	}
	// Isolated: every pair term it enters has a normal variance sum or a
	// distance far beyond it, so the derivatives are those of the exact
	// function, ∂/∂σ₁ = a₁(σ₁·Σ… − a₁/√π) → −a₁²/√π.
	var gp, g0 MixtureGrad[float64]
	if _, err := SquaredGrad(p, q, &gp, nil); err != nil {
		t.Errorf("SquaredGrad with an isolated lossy std: %v", err)
	} else {
		p0 := Mixture[float64]{p.Weights, p.Means, []float64{1, 0}}
		SquaredGrad(p0, q, &g0, nil)
		if want := -0.25 / math.SqrtPi; math.Abs(gp.Stds[1]-want) > 1e-15 {
			t.Errorf("∂/∂σ₁ = %v, want %v", gp.Stds[1], want)
		}
		for i := range gp.Means {
			if gp.Means[i] != g0.Means[i] || math.Abs(gp.Weights[i]-g0.Weights[i]) > 1e-15 {
				t.Errorf("component %d: derivatives %v %v, with std 0 %v %v", i, gp.Means[i], gp.Weights[i], g0.Means[i], g0.Weights[i])
			}
		}
	}
	// Next to a point mass at its mean: the pair term sees a zero variance.
	pt := Mixture[float64]{[]float64{1}, []float64{1}, []float64{0}}
	var ie *InputError
	if _, err := SquaredGrad(p, pt, &gp, nil); !errors.As(err, &ie) || ie.Arg != "p" || ie.Field != "stds" || ie.Index != 1 {
		t.Errorf("SquaredGrad with a lossy std next to a point mass: %v, want an *InputError for p.stds[1]", err)
	}
	if _, err := SquaredToSamplesGrad(p, Samples[float64]{Values: []float64{1}}, &gp, nil); !errors.As(err, &ie) || ie.Index != 1 {
		t.Errorf("SquaredToSamplesGrad with a lossy std next to a sample: %v, want an *InputError for p.stds[1]", err)
	}
	if v, err := Squared(p, pt); err != nil || v <= 0 { // the value error (≤ 4σ) is negligible
		t.Errorf("Squared with a lossy std next to a point mass: %v, %v", v, err)
	}
	// Two nearly coincident lossy components at a large offset: the value
	// itself is at the level of the lossy std.
	p = Mixture[float64]{[]float64{1}, []float64{1}, []float64{tiny}}
	q = Mixture[float64]{[]float64{1}, []float64{1}, []float64{2 * tiny}}
	if v, err := Squared(p, q); !errors.As(err, &ie) {
		t.Errorf("Squared(N(1, σ²), N(1, 4σ²)), σ = %g: %v, %v; want an *InputError", tiny, v, err)
	}
	out := make([]float64, 1)
	if err := SquaredBatch(out, 1, 1, p, q); !errors.As(err, &ie) || ie.Arg != "p" {
		t.Errorf("SquaredBatch with a lossy pair: %v, want an *InputError for p", err)
	} else if want := "mixture pair 0"; !strings.Contains(ie.Reason, want) {
		t.Errorf("SquaredBatch error %q does not name %q", ie.Reason, want)
	}
	// float32: the threshold is 2^-122 × the largest magnitude.
	p32 := Mixture[float32]{[]float32{0.5, 0.5}, []float32{0, 1}, []float32{1, 1e-38}}
	q32 := Mixture[float32]{[]float32{0.5, 0.5}, []float32{0.5, 1}, []float32{0.5, 0}}
	if v, err := Squared(p32, q32); err != nil || v <= 0 {
		t.Errorf("float32 Squared with a negligible lossy std: %v, %v", v, err)
	}
	var g32 MixtureGrad[float32]
	if _, err := SquaredGrad(p32, q32, &g32, nil); !errors.As(err, &ie) || ie.Index != 1 {
		t.Errorf("float32 SquaredGrad with a lossy std: %v, want an *InputError for p.stds[1]", err)
	}
	p32.Stds[1] = 1e-30 // above the threshold: fine
	if _, err := SquaredGrad(p32, q32, &g32, nil); err != nil {
		t.Errorf("float32 SquaredGrad with std 1e-30 next to 1: %v", err)
	}
	// Sliced: a std of 1e-170 next to magnitudes ~1 is solved at the
	// largest scale (its projected variances would underflow at scale 1):
	// next to a point mass at its mean the result is that of std 0 plus
	// O(σ); 1e-310 is below 2^-1018 × the largest magnitude: an error.
	dirs := RandomDirections[float64](2, 4, 1)
	for _, c := range []struct {
		form string
		p    MixtureND[float64]
	}{
		{"std", MixtureND[float64]{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{1, 0, 0, 1}, IsoStds: []float64{1e-170, 1}}},
		{"stds", MixtureND[float64]{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{1, 0, 0, 1}, DiagStds: []float64{1e-170, 0, 1, 1}}},
		{"chol", MixtureND[float64]{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{1, 0, 0, 1}, Chol: []float64{1e-170, 0, 1e-170, 1e-170, 1, 0, 0, 1}}},
	} {
		qn := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, 0}, IsoStds: []float64{0}}
		v, err := SlicedSquared(c.p, qn, dirs)
		p0 := c.p
		p0.IsoStds, p0.DiagStds, p0.Chol = nil, nil, nil
		switch c.form {
		case "std":
			p0.IsoStds = []float64{0, 1}
		case "stds":
			p0.DiagStds = []float64{0, 0, 1, 1}
		default:
			p0.Chol = []float64{0, 0, 0, 0, 1, 0, 0, 1}
		}
		v0, _ := SlicedSquared(p0, qn, dirs)
		if err != nil || math.Abs(v-v0) > 1e-15*v0 {
			t.Errorf("SlicedSquared, %s 1e-170 next to a point mass: %v, %v; with 0: %v", c.form, v, err, v0)
		}
		var gp MixtureNDGrad[float64]
		if _, err := SlicedSquaredGrad(c.p, qn, dirs, &gp, nil); err != nil {
			t.Errorf("SlicedSquaredGrad, %s 1e-170 next to a point mass: %v", c.form, err)
		}
	}
	pn := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, 0}, IsoStds: []float64{1e-310}}
	qn := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{0, 1}, IsoStds: []float64{1}}
	if _, err := SlicedSquared(pn, qn, dirs); !errors.As(err, &ie) {
		t.Errorf("SlicedSquared with a lossy std: %v, want an *InputError", err)
	}
}

// TestBatchScalesParallel runs a batch large enough for the parallel path
// whose pairs have different scales (each is solved at its own): results
// are bit-identical for every thread count and agree with each pair alone.
func TestBatchScalesParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	const nb, k, m = 1500, 8, 8
	var p, q Mixture[float64]
	scales := []int{0, -600, -1000, 300, -260}
	for b := 0; b < nb; b++ {
		s := scales[b%len(scales)]
		pb, qb := scaledMix(dyadicMixture[float64](r, k, false), s), scaledMix(dyadicMixture[float64](r, m, false), s)
		p.Weights, p.Means, p.Stds = append(p.Weights, pb.Weights...), append(p.Means, pb.Means...), append(p.Stds, pb.Stds...)
		q.Weights, q.Means, q.Stds = append(q.Weights, qb.Weights...), append(q.Means, qb.Means...), append(q.Stds, qb.Stds...)
	}
	var outs [2][]float64
	var grads [2]MixtureGrad[float64]
	for i, threads := range []int{1, 4} {
		ws := Workspace[float64]{Threads: threads}
		outs[i] = make([]float64, nb)
		if err := ws.SquaredBatchGrad(outs[i], k, m, p, q, &grads[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	for b := 0; b < nb; b++ {
		if outs[0][b] != outs[1][b] {
			t.Fatalf("pair %d: %v with 1 thread, %v with 4", b, outs[0][b], outs[1][b])
		}
		pb := Mixture[float64]{p.Weights[b*k : (b+1)*k], p.Means[b*k : (b+1)*k], p.Stds[b*k : (b+1)*k]}
		qb := Mixture[float64]{q.Weights[b*m : (b+1)*m], q.Means[b*m : (b+1)*m], q.Stds[b*m : (b+1)*m]}
		v, err := Squared(pb, qb)
		if err != nil || math.Abs(outs[0][b]-v) > 2e-15*crossSum(pb, qb)+0x1p-1074 {
			t.Fatalf("pair %d: batch %v, alone %v, %v", b, outs[0][b], v, err)
		}
	}
	for i := range grads[0].Weights {
		if grads[0].Weights[i] != grads[1].Weights[i] || grads[0].Stds[i] != grads[1].Stds[i] {
			t.Fatalf("gradient %d differs between thread counts", i)
		}
	}
}

// TestFloat32LargestScale compares float32 problems that are solved at the
// largest scale (a std whose variance would underflow float32) with the same
// problems in float64, where nothing underflows.
func TestFloat32LargestScale(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for it := 0; it < 50; it++ {
		p, q := dyadicMixture[float32](r, 1+r.IntN(6), false), dyadicMixture[float32](r, 1+r.IntN(6), false)
		i := r.IntN(len(p.Stds))
		p.Stds[i] = float32(math.Ldexp(1, -64-r.IntN(40))) // σ² below the smallest normal float32
		if r.IntN(2) == 0 {
			q.Means[0] = p.Means[i] // a neighbour at its mean
		}
		p64, q64 := Mixture[float64](mixAs64(p)), Mixture[float64](mixAs64(q))
		var g32 MixtureGrad[float32]
		var g64 MixtureGrad[float64]
		v32, err := SquaredGrad(p, q, &g32, nil)
		if err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		v64, err := SquaredGrad(p64, q64, &g64, nil)
		if err != nil {
			t.Fatalf("case %d: float64: %v", it, err)
		}
		cross := crossSum(p64, q64)
		if math.Abs(float64(v32)-v64) > 1e-6*cross {
			t.Errorf("case %d: float32 %v, float64 %v (cross %v)", it, v32, v64, cross)
		}
		for j := range g64.Stds {
			if math.Abs(float64(g32.Stds[j])-g64.Stds[j]) > 1e-6 || math.Abs(float64(g32.Means[j])-g64.Means[j]) > 1e-6 || math.Abs(float64(g32.Weights[j])-g64.Weights[j]) > 1e-6*cross {
				t.Errorf("case %d: gradient %d: float32 %v %v %v, float64 %v %v %v", it, j, g32.Weights[j], g32.Means[j], g32.Stds[j], g64.Weights[j], g64.Means[j], g64.Stds[j])
			}
		}
	}
}

func mixAs64(p Mixture[float32]) Mixture[float64] {
	c := func(x []float32) []float64 {
		o := make([]float64, len(x))
		for i, v := range x {
			o[i] = float64(v)
		}
		return o
	}
	w := c(p.Weights)
	var s float64
	for _, x := range w[:len(w)-1] {
		s += x
	}
	w[len(w)-1] = 1 - s // within the float64 weight tolerance
	return Mixture[float64]{w, c(p.Means), c(p.Stds)}
}
