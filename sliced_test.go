package cramer

import (
	"errors"
	"math"
	"math/rand/v2"
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
		p.Std = make([]float64, k)
		for i := range p.Std {
			p.Std[i] = 0.3 + r.Float64()
		}
	case covDiag:
		p.Stds = make([]float64, k*d)
		for i := range p.Stds {
			p.Stds[i] = 0.2 + r.Float64()
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
		return p.Std
	case covDiag:
		return p.Stds
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
			check("std", p.Std, gp.Std)
		case covDiag:
			check("stds", p.Stds, gp.Stds)
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
	p.Stds[4] = -1
	if _, err := SlicedSquared(p, p, dirs); err == nil || !strings.Contains(err.Error(), "stds[4]") {
		t.Errorf("negative std: %v", err)
	}
	p.Stds[4] = 1
	p.Std = []float64{1, 1}
	if _, err := SlicedSquared(p, p, dirs); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Errorf("two covariance forms: %v", err)
	}
	if _, err := NewDirections(3, []float64{0, 0, 0}); err == nil {
		t.Error("zero direction accepted")
	}
	p.Std = nil
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
	mc, _ := sw.SquaredSamples(x, y, RandomDirections[float64](d, l, 3), nil, nil)
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
		}{{"p.weights", p.Weights, gp.Weights}, {"p.means", p.Means, gp.Means}, {"p.std", p.Std, gp.Std},
			{"q.weights", q.Weights, gq.Weights}, {"q.means", q.Means, gq.Means}, {"q.std", q.Std, gq.Std}} {
			for i := range c.x {
				num := slicedNumericGrad(t, f, c.x, i)
				if math.Abs(num-c.g[i]) > 1e-7 {
					t.Errorf("D=%d %s[%d]: analytic %.10g numeric %.10g", d, c.name, i, c.g[i], num)
				}
			}
		}
	}
}

// The value-only path for sample sets (one merged radix sort) agrees with the
// gradient path (two sorted sets and a merge) and with the univariate
// SquaredSamples of the same projections.
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
		value, err := SlicedSquaredSamples(x, y, dirs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var gx SamplesNDGrad[float64]
		withGrad, _ := SlicedSquaredSamples(x, y, dirs, &gx, nil)
		if math.Abs(value-withGrad) > 1e-14*math.Max(withGrad, 1e-300) {
			t.Fatalf("trial %d: value path %v, gradient path %v", trial, value, withGrad)
		}
		swapped, _ := SlicedSquaredSamples(y, x, dirs, nil, nil)
		if swapped != value {
			t.Fatalf("trial %d: not symmetric: %v vs %v", trial, value, swapped)
		}
		if z, _ := SlicedSquaredSamples(x, x, dirs, nil, nil); z != 0 {
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
	var gx SamplesNDGrad[float64]
	for name, f := range map[string]func(){
		"mixtures":      func() { sw.SquaredGrad(p, q, dirs, nil, nil) },
		"mixtures-grad": func() { sw.SquaredGrad(p, q, dirs, &gp, nil) },
		"to-samples":    func() { sw.SquaredToSamples(p, x, dirs, &gp, &gx) },
		"sample-sets":   func() { sw.SquaredSamples(x, x, dirs, nil, nil) },
	} {
		f()
		if a := testing.AllocsPerRun(5, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

// Directions literals must be unit vectors; NewDirections normalises any
// finite nonzero vector, with scaled norms.
func TestDirectionsUnitNorm(t *testing.T) {
	p := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{0, 0}, Std: []float64{1}}
	q := MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{1, 0}, Std: []float64{1}}
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
