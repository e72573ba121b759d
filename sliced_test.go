package cramer

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randMixtureND(r *rand.Rand, k, d int, kind covKind) MixtureND[float64] {
	p := MixtureND[float64]{Dim: d, Weights: make([]float64, k), Means: make([]float64, k*d)}
	var s float64
	for i := range p.Weights {
		p.Weights[i] = 0.2 + r.Float64()
		s += p.Weights[i]
	}
	for i := range p.Weights {
		p.Weights[i] /= s
	}
	for i := range p.Means {
		p.Means[i] = 2 * r.NormFloat64()
	}
	switch kind {
	case covIso:
		p.IsoStds = make([]float64, k)
		for i := range p.IsoStds {
			p.IsoStds[i] = 0.3 + r.Float64()
		}
	case covDiag:
		p.DiagStds = make([]float64, k*d)
		for i := range p.DiagStds {
			p.DiagStds[i] = 0.2 + r.Float64()
		}
	case covChol:
		p.Chol = make([]float64, k*d*d)
		for i := 0; i < k; i++ {
			for rr := 0; rr < d; rr++ {
				for c := 0; c <= rr; c++ {
					v := 0.3 * r.NormFloat64()
					if c == rr {
						v = 0.3 + r.Float64()
					}
					p.Chol[(i*d+rr)*d+c] = v
				}
			}
		}
	}
	return p
}

// In one dimension the only directions are ±1 and the sliced distance is
// the univariate one.
func TestSlicedOneDimension(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 20; trial++ {
		p := randMixtureND(r, 1+r.IntN(5), 1, covKind(trial%3))
		q := randMixtureND(r, 1+r.IntN(5), 1, covKind((trial+1)%3))
		dirs, err := NewDirections(1, []float64{1, -1, 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := SlicedSquared(p, q, dirs)
		if err != nil {
			t.Fatal(err)
		}
		p1 := Mixture[float64]{p.Weights, p.Means, stds1D(p)}
		q1 := Mixture[float64]{q.Weights, q.Means, stds1D(q)}
		want, _ := Squared(p1, q1)
		if math.Abs(got-want) > 1e-14*math.Max(want, 1) {
			t.Fatalf("trial %d: sliced %v, univariate %v", trial, got, want)
		}
	}
}

// stdErr is the standard error of mean, the average of the per-direction
// values vals: their sample standard deviation over √len(vals).
func stdErr(vals []float64, mean float64) float64 {
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	l := float64(len(vals))
	return math.Sqrt(ss/(l-1)) / math.Sqrt(l)
}

func stds1D(p MixtureND[float64]) []float64 {
	switch p.kind() {
	case covIso:
		return p.IsoStds
	case covDiag:
		return p.DiagStds
	}
	return p.Chol
}

func slicedNumericGrad(t *testing.T, f func() float64, x []float64, i int) float64 {
	const h = 1e-6
	old := x[i]
	x[i] = old + h
	fp := f()
	x[i] = old - h
	fm := f()
	x[i] = old
	return (fp - fm) / (2 * h)
}

func TestSlicedGradCentralDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	for _, kind := range []covKind{covIso, covDiag, covChol} {
		d := 3
		p := randMixtureND(r, 3, d, kind)
		q := randMixtureND(r, 2, d, (kind+1)%3)
		dirs := RandomDirections[float64](d, 17, 5)
		var gp, gq MixtureNDGrad[float64]
		var sw SlicedWorkspace[float64]
		if _, err := sw.SquaredGrad(p, q, dirs, &gp, &gq); err != nil {
			t.Fatal(err)
		}
		f := func() float64 {
			var w SlicedWorkspace[float64]
			w.kind, w.p, w.q, w.dirs = sliceMix, p, q, dirs
			return w.run()
		}
		check := func(name string, x, g []float64) {
			for i := range x {
				if name == "chol" && i%(d*d)/d < i%d {
					continue // above the diagonal
				}
				num := slicedNumericGrad(t, f, x, i)
				if math.Abs(num-g[i]) > 1e-7 {
					t.Errorf("kind %d %s[%d]: analytic %.10g numeric %.10g", kind, name, i, g[i], num)
				}
			}
		}
		// Weights must keep summing to 1: move mass from component 0 to i.
		for i := 1; i < len(p.Weights); i++ {
			const h = 1e-6
			p.Weights[i] += h
			p.Weights[0] -= h
			fp := f()
			p.Weights[i] -= 2 * h
			p.Weights[0] += 2 * h
			fm := f()
			p.Weights[i] += h
			p.Weights[0] -= h
			num := (fp - fm) / (2 * h)
			if want := gp.Weights[i] - gp.Weights[0]; math.Abs(num-want) > 1e-7 {
				t.Errorf("kind %d weights[%d]−weights[0]: analytic %.10g numeric %.10g", kind, i, want, num)
			}
		}
		check("means", p.Means, gp.Means)
		check("q.means", q.Means, gq.Means)
		switch kind {
		case covIso:
			check("std", p.IsoStds, gp.IsoStds)
		case covDiag:
			check("stds", p.DiagStds, gp.DiagStds)
		case covChol:
			check("chol", p.Chol, gp.Chol)
		}
	}
}

func TestSlicedSymmetricAndDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	p := randMixtureND(r, 6, 4, covChol)
	q := randMixtureND(r, 5, 4, covDiag)
	dirs := OrthogonalDirections[float64](4, 64, 9)
	a, _ := SlicedSquared(p, q, dirs)
	b, _ := SlicedSquared(q, p, dirs)
	if a != b {
		t.Fatalf("not symmetric: %v vs %v", a, b)
	}
	var gp1, gp2 MixtureNDGrad[float64]
	for _, th := range []int{1, 2, 3, 8} {
		sw := SlicedWorkspace[float64]{Threads: th}
		v, _ := sw.SquaredGrad(p, q, dirs, &gp2, nil)
		if th == 1 {
			gp1 = MixtureNDGrad[float64]{Weights: append([]float64(nil), gp2.Weights...), Means: append([]float64(nil), gp2.Means...), Chol: append([]float64(nil), gp2.Chol...)}
		}
		if v != a {
			t.Fatalf("threads %d: %v vs %v", th, v, a)
		}
		for i := range gp1.Chol {
			if gp1.Chol[i] != gp2.Chol[i] {
				t.Fatalf("threads %d: gradient differs", th)
			}
		}
	}
}

func TestNewMixtureND(t *testing.T) {
	means := mat.NewDense(2, 2, []float64{0, 0, 1, 2})
	c0 := mat.NewSymDense(2, []float64{2, 0.5, 0.5, 1})
	c1 := mat.NewDense(2, 2, []float64{1, 0, 0, 3})
	p, err := NewMixtureND([]float64{0.5, 0.5}, means, []mat.Matrix{c0, c1})
	if err != nil {
		t.Fatal(err)
	}
	// L·Lᵀ reproduces the covariance.
	l := p.Chol[:4]
	if got := l[2]*l[2] + l[3]*l[3]; math.Abs(got-1) > 1e-15 || math.Abs(l[0]*l[0]-2) > 1e-15 || math.Abs(l[2]*l[0]-0.5) > 1e-15 {
		t.Fatalf("bad factor %v", l)
	}
	bad := []struct {
		cov   mat.Matrix
		index int
		want  string
	}{
		{mat.NewDense(2, 2, []float64{1, 0.3, 0.2, 1}), 1, "not symmetric"},
		{mat.NewSymDense(2, []float64{1, 2, 2, 1}), 1, "not positive definite"},
		{mat.NewSymDense(2, []float64{1, 0, 0, math.NaN()}), 1, "not finite"},
	}
	for _, b := range bad {
		_, err := NewMixtureND([]float64{0.5, 0.5}, means, []mat.Matrix{c0, b.cov})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "covs" || ie.Index != b.index || !strings.Contains(ie.Reason, b.want) {
			t.Errorf("got %v, want covs[%d]: %s", err, b.index, b.want)
		}
	}
}

func TestSlicedValidation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	p := randMixtureND(r, 2, 3, covDiag)
	q := randMixtureND(r, 2, 2, covDiag)
	dirs := RandomDirections[float64](3, 4, 1)
	if _, err := SlicedSquared(p, q, dirs); err == nil || !strings.Contains(err.Error(), "dim") {
		t.Errorf("dimension mismatch: %v", err)
	}
	p.DiagStds[4] = -1
	if _, err := SlicedSquared(p, p, dirs); err == nil || !strings.Contains(err.Error(), "diagStds[4]") {
		t.Errorf("negative std: %v", err)
	}
	p.DiagStds[4] = 1
	p.IsoStds = []float64{1, 1}
	if _, err := SlicedSquared(p, p, dirs); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("two covariance forms: %v", err)
	}
	if _, err := NewDirections(3, []float64{0, 0, 0}); err == nil {
		t.Error("zero direction accepted")
	}
	p.IsoStds = nil
	for _, bad := range []Directions[float64]{RandomDirections[float64](3, 0, 1), RandomDirections[float64](3, -5, 1), OrthogonalDirections[float64](-1, 4, 1)} {
		var ie *InputError
		if _, err := SlicedSquared(p, p, bad); !errors.As(err, &ie) || ie.Arg != "directions" {
			t.Errorf("invalid directions %+v: %v", bad, err)
		}
	}
}

// The Monte-Carlo estimate converges to the exact value: with L directions
// the per-direction values are independent (RandomDirections), so the mean
// is within 5 standard errors of the exact value with probability
// 1 − 6e-7 (normal approximation); the standard error is estimated from the
// per-direction values.
func TestSlicedConvergesToExact(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 48))
	for _, d := range []int{2, 3, 8} {
		p := randMixtureND(r, 4, d, covIso)
		q := randMixtureND(r, 3, d, covIso)
		exact, err := SlicedSquaredExact(p, q)
		if err != nil {
			t.Fatal(err)
		}
		const l = 4000
		dirs := RandomDirections[float64](d, l, uint64(d))
		var sw SlicedWorkspace[float64]
		mc, err := sw.SquaredGrad(p, q, dirs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		se := stdErr(sw.vals, mc)
		t.Logf("D=%d: exact %.6g, Monte-Carlo (L=%d) %.6g ± %.2g", d, exact, l, mc, se)
		if math.Abs(mc-exact) > 5*se {
			t.Errorf("D=%d: Monte-Carlo %v, exact %v, standard error %v", d, mc, exact, se)
		}
		// Orthogonal blocks: same expectation, lower variance.
		mo, _ := SlicedSquared(p, q, OrthogonalDirections[float64](d, l, 7))
		if math.Abs(mo-exact) > 5*se {
			t.Errorf("D=%d: orthogonal Monte-Carlo %v, exact %v", d, mo, exact)
		}
	}
}

// For sample sets the limit is κ_D/2 times the energy distance, computed here
// by brute force independently of SlicedSquaredSamplesExact.
func TestSlicedSamplesConvergeToEnergy(t *testing.T) {
	r := rand.New(rand.NewPCG(49, 50))
	const d, n, m = 3, 40, 30
	x := SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
	y := SamplesND[float64]{Dim: d, Values: make([]float64, m*d)}
	for i := range x.Values {
		x.Values[i] = r.NormFloat64()
	}
	for i := range y.Values {
		y.Values[i] = 0.7 + 1.3*r.NormFloat64()
	}
	mean := func(a, b []float64, na, nb int) float64 {
		var s float64
		for i := 0; i < na; i++ {
			for j := 0; j < nb; j++ {
				var z2 float64
				for c := 0; c < d; c++ {
					z := a[i*d+c] - b[j*d+c]
					z2 += z * z
				}
				s += math.Sqrt(z2)
			}
		}
		return s / float64(na*nb)
	}
	energy := 2*mean(x.Values, y.Values, n, m) - mean(x.Values, x.Values, n, n) - mean(y.Values, y.Values, m, m)
	want := kappa(d) / 2 * energy
	exact, err := SlicedSquaredSamplesExact(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(exact-want) > 1e-13*want {
		t.Fatalf("exact %v, brute-force energy form %v", exact, want)
	}
	const l = 20000
	var sw SlicedWorkspace[float64]
	mc, _ := sw.SquaredSamples(x, y, RandomDirections[float64](d, l, 3))
	se := stdErr(sw.vals, mc)
	t.Logf("samples D=%d: κ/2·energy %.6g, Monte-Carlo (L=%d) %.6g ± %.2g", d, want, l, mc, se)
	if math.Abs(mc-want) > 5*se {
		t.Errorf("Monte-Carlo %v, exact %v, standard error %v", mc, want, se)
	}
}

// Rotating or translating both arguments leaves the exact value unchanged.
func TestSlicedExactInvariance(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	const d = 4
	p := randMixtureND(r, 3, d, covIso)
	q := randMixtureND(r, 5, d, covIso)
	want, _ := SlicedSquaredExact(p, q)
	rot := make([]float64, d*d)
	orthonormalBlock(r, rot, d)
	shift := []float64{3, -1, 0.5, 2}
	move := func(m MixtureND[float64]) MixtureND[float64] {
		out := m
		out.Means = make([]float64, len(m.Means))
		for i := 0; i < len(m.Weights); i++ {
			for a := 0; a < d; a++ {
				var s float64
				for b := 0; b < d; b++ {
					s += rot[a*d+b] * m.Means[i*d+b]
				}
				out.Means[i*d+a] = s + shift[a]
			}
		}
		return out
	}
	got, _ := SlicedSquaredExact(move(p), move(q))
	if math.Abs(got-want) > 1e-12*want {
		t.Fatalf("rotated and translated: %v, original %v", got, want)
	}
	if z, _ := SlicedSquaredExact(p, p); z != 0 {
		t.Fatalf("identical: %v", z)
	}
	pd := randMixtureND(r, 2, d, covDiag)
	if _, err := SlicedSquaredExact(pd, q); err == nil || !strings.Contains(err.Error(), "isotropic") {
		t.Fatalf("diagonal covariances accepted by the exact form: %v", err)
	}
}

func TestSlicedExactGradCentralDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	for _, d := range []int{1, 2, 5} {
		p := randMixtureND(r, 3, d, covIso)
		q := randMixtureND(r, 2, d, covIso)
		var gp, gq MixtureNDGrad[float64]
		if _, err := SlicedSquaredExactGrad(p, q, &gp, &gq); err != nil {
			t.Fatal(err)
		}
		// Raw value without weight validation, for the weight derivatives.
		f := func() float64 { return isoPairSum(p, q, 0) - 0.5*(isoPairSum(p, p, 0)+isoPairSum(q, q, 0)) }
		for _, c := range []struct {
			name string
			x, g []float64
		}{{"p.weights", p.Weights, gp.Weights}, {"p.means", p.Means, gp.Means}, {"p.std", p.IsoStds, gp.IsoStds},
			{"q.weights", q.Weights, gq.Weights}, {"q.means", q.Means, gq.Means}, {"q.std", q.IsoStds, gq.IsoStds}} {
			for i := range c.x {
				num := slicedNumericGrad(t, f, c.x, i)
				if math.Abs(num-c.g[i]) > 1e-7 {
					t.Errorf("D=%d %s[%d]: analytic %.10g numeric %.10g", d, c.name, i, c.g[i], num)
				}
			}
		}
	}
}

// The value-only path for sample sets gives the same bits as the gradient
// path (the same univariate walk per direction), is symmetric and gives 0
// for identical sets.
func TestSlicedSamplesValuePath(t *testing.T) {
	r := rand.New(rand.NewPCG(55, 56))
	for trial := 0; trial < 30; trial++ {
		d := 1 + r.IntN(4)
		n, m := 1+r.IntN(700), 1+r.IntN(700)
		x := SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
		y := SamplesND[float64]{Dim: d, Values: make([]float64, m*d)}
		for i := range x.Values {
			x.Values[i] = r.NormFloat64()
			switch trial % 5 {
			case 0:
				x.Values[i] = float64(r.IntN(5)) // ties
			case 4:
				x.Values[i] = 1 + 1e-12*r.Float64() // clustered: long runs of equal high bits
			}
		}
		for i := range y.Values {
			y.Values[i] = 0.3 + r.NormFloat64()
			switch trial % 5 {
			case 0:
				y.Values[i] = float64(r.IntN(5))
			case 4:
				y.Values[i] = 1 + 1e-12*r.Float64()
			}
		}
		if trial%2 == 1 {
			x.Weights = make([]float64, n)
			for i := range x.Weights {
				x.Weights[i] = 1 / float64(n)
			}
		}
		dirs := RandomDirections[float64](d, 9, uint64(trial))
		value, err := SlicedSquaredSamples(x, y, dirs)
		if err != nil {
			t.Fatal(err)
		}
		var gx SamplesNDGrad[float64]
		withGrad, _ := SlicedSquaredSamplesGrad(x, y, dirs, &gx, nil)
		if value != withGrad {
			t.Fatalf("trial %d: value path %v, gradient path %v", trial, value, withGrad)
		}
		swapped, _ := SlicedSquaredSamples(y, x, dirs)
		if swapped != value {
			t.Fatalf("trial %d: not symmetric: %v vs %v", trial, value, swapped)
		}
		if z, _ := SlicedSquaredSamples(x, x, dirs); z != 0 {
			t.Fatalf("trial %d: identical sets give %v", trial, z)
		}
	}
}

func TestSlicedWorkspaceAllocatesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(57, 58))
	p := randMixtureND(r, 5, 3, covChol)
	q := randMixtureND(r, 4, 3, covDiag)
	x := SamplesND[float64]{Dim: 3, Values: make([]float64, 3*700)}
	for i := range x.Values {
		x.Values[i] = r.NormFloat64()
	}
	dirs := RandomDirections[float64](3, 40, 1)
	sw := SlicedWorkspace[float64]{Threads: 1}
	var gp MixtureNDGrad[float64]
	var gx, gy SamplesNDGrad[float64]
	for name, f := range map[string]func(){
		"mixtures":        func() { sw.SquaredGrad(p, q, dirs, nil, nil) },
		"mixtures-grad":   func() { sw.SquaredGrad(p, q, dirs, &gp, nil) },
		"to-samples":      func() { sw.SquaredToSamples(p, x, dirs) },
		"to-samples-grad": func() { sw.SquaredToSamplesGrad(p, x, dirs, &gp, &gx) },
		"sample-sets":     func() { sw.SquaredSamples(x, x, dirs) },
		"sample-grads":    func() { sw.SquaredSamplesGrad(x, x, dirs, &gx, &gy) },
	} {
		f()
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

// TestSlicedSampleThreads checks that the sliced sample paths give the same
// bits for every thread count (value and gradients; L not a multiple of the
// slots or of the direction chunk), and agree with the univariate functions
// applied to each projection and averaged.
func TestSlicedSampleThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(59, 60))
	const d, n, m, l = 3, 400, 300, 37
	x := SamplesND[float64]{Dim: d, Values: make([]float64, n*d), Weights: dyadicWeights(r, n)}
	y := SamplesND[float64]{Dim: d, Values: make([]float64, m*d)}
	for i := range x.Values {
		x.Values[i] = float64(r.IntN(7)) / 2 // a grid: some projections tie
	}
	for i := range y.Values {
		y.Values[i] = 0.3 + r.NormFloat64()
	}
	p := randMixtureND(r, 5, d, covChol)
	dirs := RandomDirections[float64](d, l, 3)
	type result struct {
		v, tv      float64
		gx, gy, hx SamplesNDGrad[float64]
		gp         MixtureNDGrad[float64]
	}
	run := func(threads int) result {
		sw := SlicedWorkspace[float64]{Threads: threads}
		var res result
		res.v, _ = sw.SquaredSamplesGrad(x, y, dirs, &res.gx, &res.gy)
		if v, _ := sw.SquaredSamples(x, y, dirs); v != res.v {
			t.Errorf("threads %d: value %v without gradients, %v with", threads, v, res.v)
		}
		res.tv, _ = sw.SquaredToSamplesGrad(p, x, dirs, &res.gp, &res.hx)
		return res
	}
	want := run(1)
	for _, th := range []int{2, 3, 8, 13} {
		got := run(th)
		if got.v != want.v || got.tv != want.tv ||
			!slices.Equal(got.gx.Values, want.gx.Values) || !slices.Equal(got.gx.Weights, want.gx.Weights) ||
			!slices.Equal(got.gy.Values, want.gy.Values) || !slices.Equal(got.gy.Weights, want.gy.Weights) ||
			!slices.Equal(got.hx.Values, want.hx.Values) || !slices.Equal(got.hx.Weights, want.hx.Weights) ||
			!slices.Equal(got.gp.Means, want.gp.Means) || !slices.Equal(got.gp.Chol, want.gp.Chol) {
			t.Errorf("threads %d: results differ from threads 1", th)
		}
	}
	// Reference: the univariate functions on each projection.
	var ref float64
	refGx := make([]float64, n*d)
	refGy := make([]float64, m*d)
	refWx := make([]float64, n)
	for k := 0; k < l; k++ {
		th := dirs.Theta[k*d : (k+1)*d]
		proj := func(v []float64, cnt int) []float64 {
			out := make([]float64, cnt)
			for i := range out {
				for c, tc := range th {
					out[i] += tc * v[i*d+c]
				}
			}
			return out
		}
		var g1, g2 SamplesGrad[float64]
		v, err := SquaredSamplesGrad(Samples[float64]{proj(x.Values, n), x.Weights}, Samples[float64]{Values: proj(y.Values, m)}, &g1, &g2)
		if err != nil {
			t.Fatal(err)
		}
		ref += v / l
		for i := 0; i < n; i++ {
			refWx[i] += g1.Weights[i] / l
			for c, tc := range th {
				refGx[i*d+c] += g1.Values[i] * tc / l
			}
		}
		for i := 0; i < m; i++ {
			for c, tc := range th {
				refGy[i*d+c] += g2.Values[i] * tc / l
			}
		}
	}
	if math.Abs(want.v-ref) > 1e-10*ref {
		t.Errorf("value %v, univariate reference %v", want.v, ref)
	}
	for i := range refGx {
		if math.Abs(want.gx.Values[i]-refGx[i]) > 1e-9/float64(n) {
			t.Fatalf("∂/∂x[%d] = %v, reference %v", i, want.gx.Values[i], refGx[i])
		}
	}
	for i := range refGy {
		if math.Abs(want.gy.Values[i]-refGy[i]) > 1e-9/float64(m) {
			t.Fatalf("∂/∂y[%d] = %v, reference %v", i, want.gy.Values[i], refGy[i])
		}
	}
	for i := range refWx {
		if math.Abs(want.gx.Weights[i]-refWx[i]) > 1e-9 {
			t.Fatalf("∂/∂wx[%d] = %v, reference %v", i, want.gx.Weights[i], refWx[i])
		}
	}
}

// TestSlicedSampleOutputs checks that gradient outputs reused across calls,
// or sharing memory with the inputs (then not used as accumulators), give
// the results of fresh outputs.
func TestSlicedSampleOutputs(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	const d, n, m = 4, 300, 200
	x := SamplesND[float64]{Dim: d, Values: make([]float64, n*d), Weights: dyadicWeights(r, n)}
	y := SamplesND[float64]{Dim: d, Values: make([]float64, m*d)}
	for i := range x.Values {
		x.Values[i] = r.NormFloat64()
	}
	for i := range y.Values {
		y.Values[i] = 0.3 + r.NormFloat64()
	}
	p := randMixtureND(r, 3, d, covDiag)
	dirs := RandomDirections[float64](d, 21, 4)
	var sw SlicedWorkspace[float64]
	var gx, gy, hx SamplesNDGrad[float64]
	var gp MixtureNDGrad[float64]
	want, _ := sw.SquaredSamplesGrad(x, y, dirs, &gx, &gy)
	wantT, _ := sw.SquaredToSamplesGrad(p, x, dirs, &gp, &hx)
	same := func(a, b SamplesNDGrad[float64]) bool {
		return slices.Equal(a.Values, b.Values) && slices.Equal(a.Weights, b.Weights)
	}
	// Reused outputs (holding the previous results).
	for range 2 {
		if v, _ := sw.SquaredSamplesGrad(x, y, dirs, &gx, &gy); v != want {
			t.Fatalf("reused outputs: value %v, want %v", v, want)
		}
	}
	var fx, fy SamplesNDGrad[float64]
	sw.SquaredSamplesGrad(x, y, dirs, &fx, &fy)
	if !same(fx, gx) || !same(fy, gy) {
		t.Error("reused outputs give other gradients")
	}
	// Outputs sharing memory with the inputs.
	for k := range 3 {
		xc := SamplesND[float64]{Dim: d, Values: slices.Clone(x.Values), Weights: slices.Clone(x.Weights)}
		ax := SamplesNDGrad[float64]{Values: xc.Values}
		switch k {
		case 1:
			ax = SamplesNDGrad[float64]{Values: make([]float64, n*d), Weights: xc.Weights}
		case 2:
			ax = SamplesNDGrad[float64]{Values: slices.Clone(dirs.Theta)} // no overlap: a plain output
		}
		var ay SamplesNDGrad[float64]
		v, _ := sw.SquaredSamplesGrad(xc, y, dirs, &ax, &ay)
		if v != want || !same(ax, gx) || !same(ay, gy) {
			t.Errorf("case %d: outputs sharing memory with the inputs change the result", k)
		}
		xc = SamplesND[float64]{Dim: d, Values: slices.Clone(x.Values), Weights: slices.Clone(x.Weights)}
		bx := SamplesNDGrad[float64]{Values: make([]float64, n*d), Weights: xc.Weights}
		var bp MixtureNDGrad[float64]
		if v, _ := sw.SquaredToSamplesGrad(p, xc, dirs, &bp, &bx); v != wantT || !same(bx, hx) || !slices.Equal(bp.Means, gp.Means) {
			t.Errorf("case %d: SquaredToSamples outputs sharing memory with the inputs change the result", k)
		}
	}
}

// Directions literals must be unit vectors; NewDirections normalises any
// finite nonzero vector, with scaled norms.
func TestDirectionsUnitNorm(t *testing.T) {
	p := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{0, 0}, IsoStds: []float64{1}}
	q := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, 0}, IsoStds: []float64{1}}
	for _, theta := range [][]float64{{1, 0, 0, 0}, {1, 1}, {0.6, 0.8 + 1e-9}} {
		var ie *InputError
		if _, err := SlicedSquared(p, q, Directions[float64]{Dim: 2, Theta: theta}); !errors.As(err, &ie) || ie.Field != "theta" {
			t.Errorf("Directions literal %v: %v, want an *InputError for theta", theta, err)
		}
	}
	// Within the tolerance: accepted.
	if _, err := SlicedSquared(p, q, Directions[float64]{Dim: 2, Theta: []float64{0.6, 0.8 + 1e-14}}); err != nil {
		t.Error(err)
	}
	for _, theta := range [][]float64{{1e200, 0}, {1e-200, 0}, {5e-324, 0}, {1e308, 1e308}, {3e-320, 4e-320}} {
		d, err := NewDirections(2, theta)
		if err != nil {
			t.Errorf("NewDirections(%v): %v", theta, err)
			continue
		}
		n := math.Hypot(d.Theta[0], d.Theta[1])
		if math.Abs(n-1) > 1e-15 {
			t.Errorf("NewDirections(%v) = %v, norm %v", theta, d.Theta, n)
		}
		if _, err := SlicedSquared(p, q, d); err != nil {
			t.Errorf("NewDirections(%v): %v", theta, err)
		}
	}
	d32, err := NewDirections(2, []float32{1e30, 1e30})
	if err != nil || math.Abs(float64(d32.Theta[0])-math.Sqrt(0.5)) > 1e-7 {
		t.Errorf("NewDirections float32 (1e30, 1e30): %v, %v", d32, err)
	}
}

// TestSlicedSamplesFloat32 checks the float32 sample paths (32-bit keys,
// float64 scratch accumulators) against float64 on the same points, and for
// the same bits with one and three threads.
func TestSlicedSamplesFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	const d, n, m, l = 3, 250, 180, 19
	x := SamplesND[float32]{Dim: d, Values: make([]float32, n*d)}
	y := SamplesND[float32]{Dim: d, Values: make([]float32, m*d)}
	for i := range x.Values {
		x.Values[i] = float32(r.NormFloat64())
	}
	for i := range y.Values {
		y.Values[i] = float32(0.4 + r.NormFloat64())
	}
	dirs := RandomDirections[float32](d, l, 6)
	to64 := func(v []float32) []float64 {
		out := make([]float64, len(v))
		for i, f := range v {
			out[i] = float64(f)
		}
		return out
	}
	x64 := SamplesND[float64]{Dim: d, Values: to64(x.Values)}
	y64 := SamplesND[float64]{Dim: d, Values: to64(y.Values)}
	d64, err := NewDirections(d, to64(dirs.Theta)) // normalised in float64
	if err != nil {
		t.Fatal(err)
	}
	var g64x, g64y SamplesNDGrad[float64]
	want, err := SlicedSquaredSamplesGrad(x64, y64, d64, &g64x, &g64y)
	if err != nil {
		t.Fatal(err)
	}
	var first SamplesNDGrad[float32]
	for _, th := range []int{1, 3} {
		sw := SlicedWorkspace[float32]{Threads: th}
		var gx, gy SamplesNDGrad[float32]
		got, err := sw.SquaredSamplesGrad(x, y, dirs, &gx, &gy)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(got)-want) > 1e-5*want {
			t.Errorf("threads %d: float32 %v, float64 %v", th, got, want)
		}
		for i := range gx.Values {
			if math.Abs(float64(gx.Values[i])-g64x.Values[i]) > 1e-5/float64(n) {
				t.Fatalf("threads %d: ∂/∂x[%d] = %v, float64 %v", th, i, gx.Values[i], g64x.Values[i])
			}
		}
		if th == 1 {
			first = gx
		} else if !slices.Equal(first.Values, gx.Values) || !slices.Equal(first.Weights, gx.Weights) {
			t.Errorf("threads %d: float32 gradients differ from one thread's", th)
		}
	}
}

// The value-only forms, the gradient forms and the workspace methods of the
// same computation give the same bits.
func TestSlicedFormsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	p := randMixtureND(r, 3, 3, covDiag)
	q := randMixtureND(r, 2, 3, covChol)
	x := SamplesND[float64]{Dim: 3, Values: make([]float64, 3*40)}
	y := SamplesND[float64]{Dim: 3, Values: make([]float64, 3*30)}
	for i := range x.Values {
		x.Values[i] = r.NormFloat64()
	}
	for i := range y.Values {
		y.Values[i] = 1 + r.NormFloat64()
	}
	dirs := RandomDirections[float64](3, 24, 5)
	var sw SlicedWorkspace[float64]
	var gp MixtureNDGrad[float64]
	var gx, gy SamplesNDGrad[float64]
	same := func(what string, f func() (float64, error), want float64) {
		t.Helper()
		got, err := f()
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", what, got, err, want)
		}
	}
	sq, err := SlicedSquaredGrad(p, q, dirs, &gp, nil)
	if err != nil {
		t.Fatal(err)
	}
	same("SlicedSquared", func() (float64, error) { return SlicedSquared(p, q, dirs) }, sq)
	same("SlicedWorkspace.Squared", func() (float64, error) { return sw.Squared(p, q, dirs) }, sq)
	same("SlicedWorkspace.SquaredGrad", func() (float64, error) { return sw.SquaredGrad(p, q, dirs, nil, &gp) }, sq)
	same("SlicedDistance", func() (float64, error) { return SlicedDistance(p, q, dirs) }, math.Sqrt(sq))
	same("SlicedWorkspace.Distance", func() (float64, error) { return sw.Distance(p, q, dirs) }, math.Sqrt(sq))

	ts, err := SlicedSquaredToSamplesGrad(p, x, dirs, &gp, &gx)
	if err != nil {
		t.Fatal(err)
	}
	same("SlicedSquaredToSamples", func() (float64, error) { return SlicedSquaredToSamples(p, x, dirs) }, ts)
	same("SlicedWorkspace.SquaredToSamples", func() (float64, error) { return sw.SquaredToSamples(p, x, dirs) }, ts)
	same("SlicedWorkspace.SquaredToSamplesGrad", func() (float64, error) { return sw.SquaredToSamplesGrad(p, x, dirs, nil, &gx) }, ts)

	ss, err := SlicedSquaredSamplesGrad(x, y, dirs, &gx, &gy)
	if err != nil {
		t.Fatal(err)
	}
	same("SlicedSquaredSamples", func() (float64, error) { return SlicedSquaredSamples(x, y, dirs) }, ss)
	same("SlicedWorkspace.SquaredSamples", func() (float64, error) { return sw.SquaredSamples(x, y, dirs) }, ss)
	same("SlicedWorkspace.SquaredSamplesGrad", func() (float64, error) { return sw.SquaredSamplesGrad(x, y, dirs, &gx, nil) }, ss)

	// The univariate workspace's distance methods.
	var ws Workspace[float64]
	m := Mixture[float64]{Weights: []float64{0.4, 0.6}, Means: []float64{-1, 2}, Stds: []float64{0.5, 1}}
	a := Samples[float64]{Values: []float64{0.1, -0.7, 2.2, 1.5}}
	b := Samples[float64]{Values: []float64{0.3, 1.1, -2}, Weights: []float64{0.2, 0.5, 0.3}}
	d, err := DistanceToSamples(m, a)
	if err != nil {
		t.Fatal(err)
	}
	same("Workspace.DistanceToSamples", func() (float64, error) { return ws.DistanceToSamples(m, a) }, d)
	d, err = DistanceSamples(a, b)
	if err != nil {
		t.Fatal(err)
	}
	same("Workspace.DistanceSamples", func() (float64, error) { return ws.DistanceSamples(a, b) }, d)
}

// FillRandomDirections draws unit vectors in place without allocating, the
// same ones RandomDirections returns for the same generator, accepted by the
// distances in both precisions.
func TestFillRandomDirections(t *testing.T) {
	const d, l = 5, 40
	theta := make([]float64, l*d)
	r := rand.New(rand.NewPCG(7, 0x9e3779b97f4a7c15))
	if allocs := testing.AllocsPerRun(5, func() {
		if err := FillRandomDirections(theta, d, r); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("FillRandomDirections allocates %v times per call", allocs)
	}
	if err := FillRandomDirections(theta, d, rand.New(rand.NewPCG(7, 0x9e3779b97f4a7c15))); err != nil {
		t.Fatal(err)
	}
	if want := RandomDirections[float64](d, l, 7); !slices.Equal(theta, want.Theta) {
		t.Error("FillRandomDirections with RandomDirections' generator draws other directions")
	}
	theta32 := make([]float32, l*d)
	if err := FillRandomDirections(theta32, d, r); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < l; k++ {
		var n, n32 float64
		for j := 0; j < d; j++ {
			n += theta[k*d+j] * theta[k*d+j]
			n32 += float64(theta32[k*d+j]) * float64(theta32[k*d+j])
		}
		if math.Abs(math.Sqrt(n)-1) > 1e-15 || math.Abs(math.Sqrt(n32)-1) > 1e-6 {
			t.Errorf("direction %d: norms %v (float64), %v (float32)", k, math.Sqrt(n), math.Sqrt(n32))
		}
	}
	p := MixtureND[float32]{Dim: d, Weights: []float32{1}, Means: make([]float32, d), IsoStds: []float32{1}}
	if _, err := SlicedSquared(p, p, Directions[float32]{Dim: d, Theta: theta32}); err != nil {
		t.Error(err)
	}
	before := slices.Clone(theta)
	if err := FillRandomDirections(theta, 3, r); err == nil || !slices.Equal(theta, before) {
		t.Errorf("length 200 with dim 3: err %v, theta changed %v", err, !slices.Equal(theta, before))
	}
}
