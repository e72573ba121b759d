package fit

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmmkit/cramer"
)

// draw1D draws n samples from a univariate mixture.
func draw1D(r *rand.Rand, n int, m cramer.Mixture[float64]) []float64 {
	x := make([]float64, n)
	for i := range x {
		u, c := r.Float64(), 0
		for c < len(m.Weights)-1 && u >= m.Weights[c] {
			u -= m.Weights[c]
			c++
		}
		x[i] = m.Means[c] + m.Stds[c]*r.NormFloat64()
	}
	return x
}

// draw2D draws n points from well-separated 2-D clusters with full
// covariances.
func draw2D(r *rand.Rand, n int) []float64 {
	centres := [][2]float64{{-4, 0}, {0, 3}, {4, -1}}
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		c := centres[i%3]
		a, b := r.NormFloat64(), r.NormFloat64()
		x[2*i] = c[0] + 0.8*a
		x[2*i+1] = c[1] + 0.4*a + 0.5*b
	}
	return x
}

func TestSamples1DRecoversComponents(t *testing.T) {
	truth := cramer.Mixture[float64]{Weights: []float64{0.3, 0.7}, Means: []float64{-3, 2}, Stds: []float64{0.5, 1}}
	x := draw1D(rand.New(rand.NewPCG(1, 1)), 4000, truth)
	res, err := Samples(context.Background(), cramer.Samples[float64]{Values: x}, Options{K: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Mixture
	lo, hi := 0, 1
	if m.Means[0] > m.Means[1] {
		lo, hi = 1, 0
	}
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"weight", m.Weights[lo], 0.3, 0.03}, {"mean", m.Means[lo], -3, 0.1}, {"std", m.Stds[lo], 0.5, 0.1},
		{"weight", m.Weights[hi], 0.7, 0.03}, {"mean", m.Means[hi], 2, 0.1}, {"std", m.Stds[hi], 1, 0.1},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %v, want %v ± %v (fit %+v)", c.name, c.got, c.want, c.tol, m)
		}
	}
	direct, err := cramer.SquaredToSamples(m, cramer.Samples[float64]{Values: x})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(direct-res.Squared) > 1e-9*direct+1e-15 {
		t.Errorf("reported loss %v, direct ℓ₂² %v", res.Squared, direct)
	}
	if res.History[0] <= res.Squared || len(res.History) != res.Iterations {
		t.Errorf("history %d entries (iterations %d), first %v, final %v", len(res.History), res.Iterations, res.History[0], res.Squared)
	}
	if res.Stop == 0 || res.Reason == "" {
		t.Errorf("no stop reason: %v %q", res.Stop, res.Reason)
	}
}

func TestSamplesNDFull(t *testing.T) {
	x := draw2D(rand.New(rand.NewPCG(2, 2)), 600)
	res, err := SamplesND(context.Background(), cramer.SamplesND[float64]{Dim: 2, Values: x}, Options{K: 3, Seed: 1, Directions: 32})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Mixture
	if m.Chol == nil || len(m.Chol) != 3*4 || m.Validate() != nil {
		t.Fatalf("fitted mixture %+v: %v", m, m.Validate())
	}
	// Each true centre has a fitted mean within 0.3.
	for _, c := range [][2]float64{{-4, 0}, {0, 3}, {4, -1}} {
		best := math.Inf(1)
		for i := 0; i < 3; i++ {
			best = min(best, math.Hypot(m.Means[2*i]-c[0], m.Means[2*i+1]-c[1]))
		}
		if best > 0.3 {
			t.Errorf("no fitted mean near %v: %v", c, m.Means)
		}
	}
	// The covariance of the first cluster: var x = 0.64, cov = 0.32, var y = 0.41.
	for i := 0; i < 3; i++ {
		if math.Abs(m.Means[2*i]+4) < 0.3 {
			l := m.Chol[4*i : 4*i+4]
			vx, cxy, vy := l[0]*l[0], l[0]*l[2], l[2]*l[2]+l[3]*l[3]
			if math.Abs(vx-0.64) > 0.15 || math.Abs(cxy-0.32) > 0.1 || math.Abs(vy-0.41) > 0.1 {
				t.Errorf("covariance of the cluster at (−4, 0): %v %v %v, want 0.64 0.32 0.41", vx, cxy, vy)
			}
		}
	}
	dirs := cramer.OrthogonalDirections[float64](2, 32, 1)
	direct, err := cramer.SlicedSquaredToSamples(m, cramer.SamplesND[float64]{Dim: 2, Values: x}, dirs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(direct-res.Squared) > 1e-9*direct {
		t.Errorf("reported loss %v, direct sliced ℓ₂² over the same directions %v", res.Squared, direct)
	}
}

// TestGradientChain checks the gradient with respect to θ against central
// differences for every covariance form, with and without a σ floor and
// fixed weights.
func TestGradientChain(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	target := cramer.MixtureND[float64]{Dim: 3, Weights: []float64{0.2, 0.5, 0.3},
		Means: []float64{0, 0, 0, 2, 1, 0, -1, 2, 1}, DiagStds: []float64{1, 0.5, 0.7, 0.3, 0.9, 1.1, 0.6, 0.6, 0.6}}
	for _, form := range []Covariance{Full, Diagonal, Isotropic} {
		for _, variant := range []struct {
			floor float64
			fixed bool
		}{{0, false}, {0.05, false}, {0, true}} {
			opt, _ := Options{K: 2, Covariance: form, Directions: 16}.withDefaults()
			pr, opt, err := mixtureProblem(target, opt, false)
			if err != nil {
				t.Fatal(err)
			}
			obj := &mixtureTargetND[float64]{q: normaliseMixture(target, pr)}
			obj.sliced = newSliced[float64](3, opt)
			pz := &params{k: 2, d: 3, form: form, floor: variant.floor}
			if variant.fixed {
				pz.fixedW = []float64{0.4, 0.6}
			}
			rn := newRun(context.Background(), obj, pz, opt, 1, 0, timeZero)
			theta := make([]float64, pz.size())
			for i := range theta {
				theta[i] = 0.5 * r.NormFloat64()
			}
			grad := make([]float64, len(theta))
			if _, err := rn.eval(theta, -1, grad); err != nil {
				t.Fatal(err)
			}
			for i := range theta {
				const h = 1e-6
				tp, tm := slices.Clone(theta), slices.Clone(theta)
				tp[i] += h
				tm[i] -= h
				fp, _ := rn.eval(tp, -1, nil)
				fm, _ := rn.eval(tm, -1, nil)
				num := (fp - fm) / (2 * h)
				if math.Abs(num-grad[i]) > 1e-6*math.Max(1, math.Abs(num)) {
					t.Errorf("%v floor %v fixed %v: ∂/∂θ[%d] = %v, central difference %v", form, variant.floor, variant.fixed, i, grad[i], num)
				}
			}
		}
	}
}

// TestDeterministic: the same seed gives the same bits for any thread count.
func TestDeterministic(t *testing.T) {
	x := draw2D(rand.New(rand.NewPCG(3, 3)), 500)
	xs := cramer.SamplesND[float64]{Dim: 2, Values: x}
	var ref *ResultND[float64]
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, threads int }{{1, 1}, {4, 0}, {4, 3}, {2, 8}} {
		runtime.GOMAXPROCS(c.procs)
		res, err := SamplesND(context.Background(), xs, Options{K: 4, Seed: 9, Directions: 24, MaxIter: 6, Restarts: 2, Threads: c.threads})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = res
			continue
		}
		if !slices.Equal(res.Mixture.Means, ref.Mixture.Means) || !slices.Equal(res.Mixture.Chol, ref.Mixture.Chol) ||
			!slices.Equal(res.Mixture.Weights, ref.Mixture.Weights) || !slices.Equal(res.History, ref.History) ||
			math.Float64bits(res.Squared) != math.Float64bits(ref.Squared) {
			t.Errorf("GOMAXPROCS %d, Threads %d: result differs from GOMAXPROCS 1, Threads 1", c.procs, c.threads)
		}
	}
	// A different seed gives a different initialisation.
	other, err := SamplesND(context.Background(), xs, Options{K: 4, Seed: 10, Directions: 24, MaxIter: 6})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.Mixture.Means, ref.Mixture.Means) {
		t.Error("seeds 9 and 10 gave the same fit")
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	good := []float64{1, 2, 3, 4, 5}
	for _, c := range []struct {
		name string
		run  func() error
		want string
	}{
		{"K=0", func() error { _, err := Samples(ctx, cramer.Samples[float64]{Values: good}, Options{}); return err }, "K = 0"},
		{"K<0", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: good}, Options{K: -2})
			return err
		}, "K = -2"},
		{"K>N", func() error { _, err := Samples(ctx, cramer.Samples[float64]{Values: good}, Options{K: 6}); return err }, "exceeds the number of samples N = 5"},
		{"NaN", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: []float64{1, math.NaN(), 2}}, Options{K: 1})
			return err
		}, "values[1]: NaN"},
		{"NaN ND", func() error {
			_, err := SamplesND(ctx, cramer.SamplesND[float64]{Dim: 2, Values: []float64{1, 2, 3, math.NaN()}}, Options{K: 1})
			return err
		}, "values[3]: NaN"},
		{"identical", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: []float64{2, 2, 2, 2}}, Options{K: 2})
			return err
		}, "all 4 samples are identical"},
		{"identical ND", func() error {
			_, err := SamplesND(ctx, cramer.SamplesND[float64]{Dim: 2, Values: []float64{1, 2, 1, 2, 1, 2}}, Options{K: 1})
			return err
		}, "all 3 samples are identical"},
		{"too few distinct", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: []float64{1, 1, 2, 2, 2}}, Options{K: 3})
			return err
		}, "only 2 distinct points"},
		{"zero weights", func() error {
			_, err := Mixture(ctx, cramer.Mixture[float64]{Weights: []float64{0, 0}, Means: []float64{0, 1}, Stds: []float64{1, 1}}, Options{K: 1})
			return err
		}, "weights: sum to 0"},
		{"K > positive target components", func() error {
			_, err := Mixture(ctx, cramer.Mixture[float64]{Weights: []float64{0, 1, 0}, Means: []float64{0, 1, 2}, Stds: []float64{1, 1, 1}}, Options{K: 2})
			return err
		}, "positive weight (1 of 3)"},
		{"K > target components ND", func() error {
			_, err := MixtureND(ctx, cramer.MixtureND[float64]{Dim: 2, Weights: []float64{1}, Means: []float64{0, 1}, IsoStds: []float64{1}}, Options{K: 2})
			return err
		}, "number of target components (1)"},
		{"point-mass target", func() error {
			_, err := Mixture(ctx, cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{1, 1}, Stds: []float64{0, 0}}, Options{K: 1})
			return err
		}, "single point mass"},
		{"exact needs iso", func() error {
			_, err := SamplesND(ctx, cramer.SamplesND[float64]{Dim: 2, Values: []float64{1, 2, 3, 4}}, Options{K: 1, Exact: true})
			return err
		}, "Exact needs Isotropic"},
		{"init size", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: good}, Options{K: 2, Init: &cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{0}, Stds: []float64{1}}})
			return err
		}, "1 components, K = 2"},
		{"negative MinStd", func() error {
			_, err := Samples(ctx, cramer.Samples[float64]{Values: good}, Options{K: 1, MinStd: -1})
			return err
		}, "MinStd"},
	} {
		err := c.run()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestCancel(t *testing.T) {
	x := draw1D(rand.New(rand.NewPCG(4, 4)), 2000, cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{0, 5}, Stds: []float64{1, 1}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	res, err := Samples(ctx, cramer.Samples[float64]{Values: x}, Options{K: 4, Restarts: 3, Progress: func(p Progress) {
		calls++
		if p.Iteration != calls || p.Restart != 0 || p.MaxIter != 1000 || math.IsNaN(p.Loss) || p.GradNorm < 0 {
			t.Errorf("progress %+v after %d calls", p, calls)
		}
		if calls == 3 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopCanceled || res.Iterations != 3 || res.Mixture.Validate() != nil {
		t.Errorf("stop %v after %d iterations (%s), mixture %v", res.Stop, res.Iterations, res.Reason, res.Mixture.Validate())
	}
	if _, err := Samples(ctx, cramer.Samples[float64]{Values: x}, Options{K: 2}); !errors.Is(err, errCanceled) {
		t.Errorf("a cancelled context: error %v", err)
	}
}

func TestRestartsKeepBest(t *testing.T) {
	x := draw2D(rand.New(rand.NewPCG(6, 6)), 400)
	xs := cramer.SamplesND[float64]{Dim: 2, Values: x}
	opt := Options{K: 5, Seed: 2, Directions: 24, MaxIter: 30, Covariance: Diagonal}
	one, err := SamplesND(context.Background(), xs, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Restarts = 4
	four, err := SamplesND(context.Background(), xs, opt)
	if err != nil {
		t.Fatal(err)
	}
	if four.Squared > one.Squared || (four.Restart == 0 && four.Squared != one.Squared) {
		t.Errorf("4 restarts: %v (restart %d); restart 0 alone: %v", four.Squared, four.Restart, one.Squared)
	}
}

func TestReduction1D(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	m := 40
	target := cramer.Mixture[float64]{Weights: make([]float64, m), Means: make([]float64, m), Stds: make([]float64, m)}
	for i := 0; i < m; i++ {
		target.Weights[i] = 1 / float64(m)
		target.Means[i] = float64(i%3)*4 + 0.5*r.NormFloat64()
		target.Stds[i] = 0.3 + 0.2*r.Float64()
	}
	target.Weights[5] = 0 // zero-weight components are allowed
	target.Weights[6] = 2 / float64(m)
	res, err := Mixture(context.Background(), target, Options{K: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := cramer.Squared(res.Mixture, target)
	if math.Abs(direct-res.Squared) > 1e-12 || res.Squared > 1e-3 || res.Squared >= res.History[0] {
		t.Errorf("ℓ₂² %v (direct %v), first iteration %v; %s", res.Squared, direct, res.History[0], res.Reason)
	}
}

func TestReductionNDExact(t *testing.T) {
	target := cramer.MixtureND[float64]{Dim: 2, Weights: []float64{0.25, 0.25, 0.25, 0.25},
		Means: []float64{0, 0, 0.3, 0.1, 5, 5, 5.2, 4.9}, IsoStds: []float64{1, 1, 0.5, 0.7}}
	res, err := MixtureND(context.Background(), target, Options{K: 2, Covariance: Isotropic, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	exact, _ := cramer.SlicedSquaredExact(res.Mixture, target)
	if math.Abs(exact-res.Squared) > 1e-12 || res.Squared > 1e-3 {
		t.Errorf("exact SC₂² %v, reported %v (%s)", exact, res.Squared, res.Reason)
	}
	// Full covariances against the same target over directions.
	full, err := MixtureND(context.Background(), target, Options{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if full.Squared > 1e-3 || full.Mixture.Chol == nil {
		t.Errorf("full reduction: %v (%s)", full.Squared, full.Reason)
	}
}

func TestAdam(t *testing.T) {
	x := draw2D(rand.New(rand.NewPCG(8, 8)), 2000)
	xs := cramer.SamplesND[float64]{Dim: 2, Values: x}
	// From a poor start (means 1.5 to 2 away, wide components) Adam must travel.
	poor := cramer.MixtureND[float64]{Dim: 2, Weights: []float64{0.2, 0.3, 0.5}, Means: []float64{-2.5, 1, 1, 1.5, 2.5, 0.5}, IsoStds: []float64{2, 2, 2}}
	res, err := SamplesND(context.Background(), xs, Options{K: 3, Method: Adam, BatchSize: 256, FreshDirections: true, Directions: 16, MaxIter: 600, LearningRate: 0.05, InitND: &poor})
	if err != nil {
		t.Fatal(err)
	}
	start, err := SamplesND(context.Background(), xs, Options{K: 3, MaxIter: 1, Directions: 16, InitND: &poor})
	if err != nil {
		t.Fatal(err)
	}
	best, err := SamplesND(context.Background(), xs, Options{K: 3, Directions: 16})
	if err != nil {
		t.Fatal(err)
	}
	if res.Iterations < 100 || res.Squared > 5*best.Squared || res.Squared > start.History[0]/100 || len(res.History) != res.Iterations {
		t.Errorf("Adam: %d steps (%s), loss %v; initial %v, L-BFGS %v", res.Iterations, res.Reason, res.Squared, start.History[0], best.Squared)
	}
	// 1-D minibatches.
	x1 := draw1D(rand.New(rand.NewPCG(8, 9)), 5000, cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{-2, 2}, Stds: []float64{1, 0.5}})
	r1, err := Samples(context.Background(), cramer.Samples[float64]{Values: x1}, Options{K: 2, Method: Adam, BatchSize: 500, MaxIter: 400, LearningRate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Squared > 5e-4 {
		t.Errorf("Adam 1-D: loss %v (%s), mixture %+v", r1.Squared, r1.Reason, r1.Mixture)
	}
}

func TestFloat32(t *testing.T) {
	x := draw1D(rand.New(rand.NewPCG(9, 9)), 3000, cramer.Mixture[float64]{Weights: []float64{0.4, 0.6}, Means: []float64{-2, 3}, Stds: []float64{1, 0.5}})
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	res, err := Samples(context.Background(), cramer.Samples[float32]{Values: x32}, Options{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Mixture.Validate(); err != nil || res.Squared > 1e-3 || res.Stop == 0 {
		t.Errorf("float32: %v, loss %v, %s", err, res.Squared, res.Reason)
	}
}

func TestInitFixedWeightsAndFloor(t *testing.T) {
	x := draw1D(rand.New(rand.NewPCG(10, 10)), 2000, cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{-2, 2}, Stds: []float64{0.05, 1}})
	init := cramer.Mixture[float64]{Weights: []float64{0.3, 0.7}, Means: []float64{-1, 1}, Stds: []float64{1, 1}}
	res, err := Samples(context.Background(), cramer.Samples[float64]{Values: x}, Options{K: 2, Init: &init, FixedWeights: true, MinStd: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Mixture.Weights, init.Weights) {
		t.Errorf("fixed weights changed: %v", res.Mixture.Weights)
	}
	for _, s := range res.Mixture.Stds {
		if s < 0.2 {
			t.Errorf("std %v below the floor 0.2", s)
		}
	}
	if res.Squared >= res.History[0] {
		t.Errorf("no progress from the given mixture: %v", res.History)
	}
}

func TestCannotImprove(t *testing.T) {
	// The target itself as the initial mixture: the gradient is 0 at once.
	target := cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{-1, 1}, Stds: []float64{1, 1}}
	res, err := Mixture(context.Background(), target, Options{K: 2, Init: &target})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopGradient && res.Stop != StopNoProgress {
		t.Errorf("stop %v (%s)", res.Stop, res.Reason)
	}
	if res.Squared > 1e-20 || res.Reason == "" {
		t.Errorf("loss %v, reason %q", res.Squared, res.Reason)
	}
	// An iteration cap.
	res, err = Mixture(context.Background(), target, Options{K: 1, MaxIter: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != StopMaxIter || res.Iterations != 2 || !strings.Contains(res.Reason, "2 iterations") {
		t.Errorf("stop %v after %d iterations (%s)", res.Stop, res.Iterations, res.Reason)
	}
}

var timeZero = time.Time{}

// TestWeightedSamples: weights count like repeated samples.
func TestWeightedSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	n := 1000
	x := make([]float64, 2*n)
	w := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		x[i], w[i] = -3+0.5*r.NormFloat64(), 0.8/float64(n)
		x[n+i], w[n+i] = 3+0.5*r.NormFloat64(), 0.2/float64(n)
	}
	res, err := Samples(context.Background(), cramer.Samples[float64]{Values: x, Weights: w}, Options{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Mixture
	lo := 0
	if m.Means[1] < m.Means[0] {
		lo = 1
	}
	if math.Abs(m.Weights[lo]-0.8) > 0.02 || math.Abs(m.Means[lo]+3) > 0.1 || math.Abs(m.Means[1-lo]-3) > 0.1 {
		t.Errorf("weighted fit %+v, want weights 0.8/0.2 at −3/3", m)
	}
	direct, _ := cramer.SquaredToSamples(m, cramer.Samples[float64]{Values: x, Weights: w})
	if math.Abs(direct-res.Squared) > 1e-12 {
		t.Errorf("loss %v, direct %v", res.Squared, direct)
	}
}

// TestCoarseStages: a large set is fitted to subsamples first, and the
// result is the fit to the whole set (its loss is the full ℓ₂²).
func TestCoarseStages(t *testing.T) {
	truth := cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{-2, 2}, Stds: []float64{1, 0.5}}
	x := draw1D(rand.New(rand.NewPCG(12, 12)), 40000, truth)
	res, err := Samples(context.Background(), cramer.Samples[float64]{Values: x}, Options{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.CoarseIterations == 0 || res.CoarseIterations >= res.Iterations || len(res.History) != res.Iterations {
		t.Errorf("iterations %d, on subsamples %d, history %d", res.Iterations, res.CoarseIterations, len(res.History))
	}
	direct, _ := cramer.SquaredToSamples(res.Mixture, cramer.Samples[float64]{Values: x})
	truthLoss, _ := cramer.SquaredToSamples(truth, cramer.Samples[float64]{Values: x})
	if math.Abs(direct-res.Squared) > 1e-12 || res.Squared > truthLoss {
		t.Errorf("loss %v (direct %v), the generating mixture's %v", res.Squared, direct, truthLoss)
	}
}

// TestEvaluationAllocs: an evaluation of any objective allocates nothing
// once its buffers have grown (serial path), minibatches and fresh
// directions included.
func TestEvaluationAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	x1 := draw1D(r, 3000, cramer.Mixture[float64]{Weights: []float64{0.5, 0.5}, Means: []float64{-2, 2}, Stds: []float64{1, 1}})
	x2 := draw2D(r, 600)
	target := cramer.MixtureND[float64]{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 0, 3, 1}, IsoStds: []float64{1, 0.5}}
	s1 := &samples1D[float64]{x: cramer.Samples[float64]{Values: x1}, mb: minibatch{seed: 1, size: 256}}
	s1.ws.Threads = 1
	opt, _ := Options{K: 3, Directions: 16, FreshDirections: true, Method: Adam}.withDefaults()
	s2 := &samplesND[float64]{x: cramer.SamplesND[float64]{Dim: 2, Values: x2}, mb: minibatch{seed: 1, size: 128}}
	s2.sliced = newSliced[float64](2, opt)
	s2.sw.Threads = 1
	m2 := &mixtureTargetND[float64]{q: target}
	m2.sliced = newSliced[float64](2, opt)
	m2.sw.Threads = 1
	for _, c := range []struct {
		name string
		obj  objective
		d    int
		form Covariance
	}{{"samples1D", s1, 1, Diagonal}, {"samplesND", s2, 2, Full}, {"mixtureND", m2, 2, Diagonal}} {
		pz := &params{k: 3, d: c.d, form: c.form}
		rn := newRun(context.Background(), c.obj, pz, opt, 1, 0, timeZero)
		theta := make([]float64, pz.size())
		for i := range theta {
			theta[i] = 0.3 * r.NormFloat64()
		}
		grad := make([]float64, len(theta))
		for _, step := range []int{-1, 5} {
			rn.eval(theta, step, grad)
			if a := testing.AllocsPerRun(10, func() { rn.eval(theta, step, grad) }); a != 0 {
				t.Errorf("%s step %d: %v allocations per evaluation", c.name, step, a)
			}
		}
	}
}

// TestSamplesNDExact: isotropic components fitted with the exact sliced
// distance; the reported loss is the exact one.
func TestSamplesNDExact(t *testing.T) {
	x := draw2D(rand.New(rand.NewPCG(14, 14)), 150)
	xs := cramer.SamplesND[float64]{Dim: 2, Values: x}
	res, err := SamplesND(context.Background(), xs, Options{K: 3, Covariance: Isotropic, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	exact, err := cramer.SlicedSquaredToSamplesExact(res.Mixture, xs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(exact-res.Squared) > 1e-9*exact || res.Squared >= res.History[0] || res.Mixture.IsoStds == nil {
		t.Errorf("loss %v, exact SC₂² of the result %v, first iteration %v (%s)", res.Squared, exact, res.History[0], res.Reason)
	}
}
