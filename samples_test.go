package cramer

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// The sample-set code is checked against brute-force O(N²) pair sums in
// exact (300-bit math/big) arithmetic, against central differences, and for
// the properties of ℓ₂²: symmetry to the bit, ℓ₂²(X, X) = 0 exactly,
// translation invariance, ℓ₂²(cX, cY) = |c|·ℓ₂²(X, Y), no loss to a large
// common offset. Weights are dyadic (k/2²⁰, summing to exactly 1 and exact in
// float32) or implied (1/N), so the energy form used by the reference and the
// ∫(F−G)² form used by the code are the same number.

// dyadicWeights returns n weights k/2²⁰ summing to exactly 1, one of them 0.
func dyadicWeights(r *rand.Rand, n int) []float64 {
	const unit = 1 << 20
	cuts := make([]int, n+1)
	cuts[n] = unit
	for i := 1; i < n; i++ {
		cuts[i] = r.IntN(unit + 1)
	}
	slices.Sort(cuts[1:n])
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(cuts[i+1]-cuts[i]) / unit
	}
	if n > 3 {
		z := r.IntN(n)
		w[(z+1)%n] += w[z]
		w[z] = 0
	}
	return w
}

// floatWeights returns n random weights normalised in float64: their sum is
// 1 only within rounding, and cumulative sums of them round.
func floatWeights(r *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	s := 0.0
	for i := range w {
		w[i] = r.Float64()
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// genSamples returns n values — on a coarse grid with many ties (within and
// across sets) when ties is set, else continuous — with dyadic weights when
// weighted, else nil weights.
func genSamples(r *rand.Rand, n int, ties, weighted bool) Samples[float64] {
	v := make([]float64, n)
	for i := range v {
		if ties {
			v[i] = float64(r.IntN(n/2+3)-n/4) / 8
		} else {
			v[i] = 0.3 + 2*r.NormFloat64()
		}
	}
	s := Samples[float64]{Values: v}
	if weighted {
		s.Weights = dyadicWeights(r, n)
	}
	return s
}

// samplesAs converts s to precision To (samplesAs[F](s) from float64,
// samplesAs[float64](s) back); nil weights stay nil.
func samplesAs[To, From Float](s Samples[From]) Samples[To] {
	out := Samples[To]{Values: make([]To, len(s.Values))}
	for i, v := range s.Values {
		out.Values[i] = To(v)
	}
	if s.Weights != nil {
		out.Weights = make([]To, len(s.Weights))
		for i, w := range s.Weights {
			out.Weights[i] = To(w)
		}
	}
	return out
}

// effWeights returns the weights of s, 1/N when nil (as the code uses them).
func effWeights(s Samples[float64]) []float64 {
	if s.Weights != nil {
		return s.Weights
	}
	w := make([]float64, len(s.Values))
	for i := range w {
		w[i] = 1 / float64(len(w))
	}
	return w
}

const refPrec = 300

// refSet is a set of points zₖ with (signed) weights cₖ, in exact arithmetic.
type refSet struct {
	z, c   []float64
	bz, bc []*big.Float
}

func newRefSet(z, c []float64) *refSet {
	r := &refSet{z: z, c: c}
	for i := range z {
		r.bz = append(r.bz, new(big.Float).SetPrec(refPrec).SetFloat64(z[i]))
		r.bc = append(r.bc, new(big.Float).SetPrec(refPrec).SetFloat64(c[i]))
	}
	return r
}

// refSelfSet is x with its weights; refPairSet is x ∪ y with +w and −v.
func refSelfSet(x Samples[float64]) *refSet { return newRefSet(x.Values, effWeights(x)) }

func refPairSet(x, y Samples[float64]) *refSet {
	z := append(slices.Clone(x.Values), y.Values...)
	c := slices.Clone(effWeights(x))
	for _, v := range effWeights(y) {
		c = append(c, -v)
	}
	return newRefSet(z, c)
}

// pairSum returns Σ_{k<l} cₖcₗ|zₖ − zₗ| exactly (then rounded).
func (r *refSet) pairSum() float64 {
	sum := new(big.Float).SetPrec(refPrec)
	t := new(big.Float).SetPrec(refPrec)
	for k := range r.bz {
		for l := k + 1; l < len(r.bz); l++ {
			t.Sub(r.bz[k], r.bz[l])
			t.Abs(t)
			t.Mul(t, r.bc[k])
			t.Mul(t, r.bc[l])
			sum.Add(sum, t)
		}
	}
	f, _ := sum.Float64()
	return f
}

// absSum returns Σₗ cₗ|at − zₗ| and its scale Σₗ |cₗ||at − zₗ|.
func (r *refSet) absSum(at float64) (float64, float64) {
	a := new(big.Float).SetPrec(refPrec).SetFloat64(at)
	sum := new(big.Float).SetPrec(refPrec)
	scale := new(big.Float).SetPrec(refPrec)
	t := new(big.Float).SetPrec(refPrec)
	for l := range r.bz {
		t.Sub(a, r.bz[l])
		t.Abs(t)
		t.Mul(t, r.bc[l])
		sum.Add(sum, t)
		scale.Add(scale, t.Abs(t))
	}
	f, _ := sum.Float64()
	s, _ := scale.Float64()
	return f, s
}

// signSum returns Σₗ cₗ·sign(at − zₗ), sign(0) = 0.
func (r *refSet) signSum(at float64) float64 {
	sum := new(big.Float).SetPrec(refPrec)
	for l, z := range r.z {
		switch {
		case at > z:
			sum.Add(sum, r.bc[l])
		case at < z:
			sum.Sub(sum, r.bc[l])
		}
	}
	f, _ := sum.Float64()
	return f
}

// tolOf is the relative tolerance of results in F against the exact value.
func tolOf[F Float]() float64 {
	if is64[F]() {
		return 1e-13
	}
	return 4e-7
}

func closeTo(got, want, scale, tol float64) bool {
	return math.Abs(got-want) <= tol*scale+1e-300
}

// checkPair compares SquaredSamplesGrad(x, y) (and the value without
// gradients) with the exact brute-force reference.
func checkPair[F Float](t *testing.T, name string, ws *Workspace[F], x, y Samples[F]) {
	t.Helper()
	tol := tolOf[F]()
	var gx, gy SamplesGrad[F]
	got, err := ws.SquaredSamplesGrad(x, y, &gx, &gy)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	plain, err := ws.SquaredSamples(x, y)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if plain != got {
		t.Errorf("%s: value with gradients %v, without %v", name, got, plain)
	}
	x64, y64 := samplesAs[float64](x), samplesAs[float64](y)
	ref := refPairSet(x64, y64)
	want := -ref.pairSum()
	if !closeTo(float64(got), want, math.Abs(want), tol) || got < 0 {
		t.Errorf("%s: ℓ₂² = %v, want %v (rel err %.3g)", name, got, want, math.Abs(float64(got)-want)/want)
	}
	for side, s := range []struct {
		x    Samples[float64]
		g    SamplesGrad[F]
		sign float64
	}{{x64, gx, 1}, {y64, gy, -1}} {
		w := effWeights(s.x)
		if len(s.g.Values) != len(w) || len(s.g.Weights) != len(w) {
			t.Fatalf("%s: side %d: gradient lengths %d, %d, want %d", name, side, len(s.g.Values), len(s.g.Weights), len(w))
		}
		for j, z := range s.x.Values {
			// c = sign·w: ∂/∂zⱼ = −cⱼ·S(zⱼ), ∂/∂wⱼ = −sign·B(zⱼ).
			wantV := -s.sign * w[j] * ref.signSum(z)
			if !closeTo(float64(s.g.Values[j]), wantV, 2*w[j], tol) {
				t.Errorf("%s: side %d: ∂/∂value[%d] = %v, want %v", name, side, j, s.g.Values[j], wantV)
			}
			b, scale := ref.absSum(z)
			if !closeTo(float64(s.g.Weights[j]), -s.sign*b, scale, tol) {
				t.Errorf("%s: side %d: ∂/∂weight[%d] = %v, want %v (scale %v)", name, side, j, s.g.Weights[j], -s.sign*b, scale)
			}
		}
	}
}

// checkSelf compares sampleSelf and sampleSelfGrad with the brute force.
func checkSelf[F Float](t *testing.T, name string, ws *Workspace[F], x Samples[F]) {
	t.Helper()
	n := len(x.Values)
	wf := x.Weights
	if wf == nil {
		wf = make([]F, n)
		for i := range wf {
			wf[i] = F(1 / float64(n))
		}
	}
	xe := Samples[F]{x.Values, wf}
	dv, dw := make([]float64, n), make([]float64, n)
	got := ws.sampleSelfGrad(xe, dv, dw)
	if plain := ws.sampleSelf(xe); plain != got {
		t.Errorf("%s: self sum with gradients %v, without %v", name, got, plain)
	}
	ref := refSelfSet(samplesAs[float64](xe))
	want := 2 * ref.pairSum()
	// The computation is in float64 whatever F: tolerance of float64.
	if !closeTo(got, want, want, 1e-13) {
		t.Errorf("%s: self sum %v, want %v", name, got, want)
	}
	for j, z := range ref.z {
		wantV := 2 * ref.c[j] * ref.signSum(z)
		if !closeTo(dv[j], wantV, 2*ref.c[j], 1e-13) {
			t.Errorf("%s: dValues[%d] = %v, want %v", name, j, dv[j], wantV)
		}
		b, _ := ref.absSum(z)
		if !closeTo(dw[j], 2*b, 2*b, 1e-13) {
			t.Errorf("%s: dWeights[%d] = %v, want %v", name, j, dw[j], 2*b)
		}
	}
}

type pairCase struct {
	name string
	x, y Samples[float64]
}

func randomPairCases() []pairCase {
	r := rand.New(rand.NewPCG(7, 8))
	var cases []pairCase
	sizes := [][2]int{{1, 1}, {1, 2}, {2, 3}, {5, 5}, {7, 7}, {31, 100}, {100, 31}, {64, 64}, {300, 300}, {300, 17}, {150, 290}}
	for i, sz := range sizes {
		ties := i%2 == 0
		x := genSamples(r, sz[0], ties, i%3 != 0)
		y := genSamples(r, sz[1], ties || i%5 == 0, i%4 != 1)
		cases = append(cases, pairCase{"random", x, y})
	}
	// Weights that are not dyadic (sums round).
	for i, sz := range [][2]int{{3, 3}, {40, 41}, {250, 300}} {
		x := genSamples(r, sz[0], i != 1, false)
		y := genSamples(r, sz[1], i != 1, false)
		x.Weights, y.Weights = floatWeights(r, sz[0]), floatWeights(r, sz[1])
		cases = append(cases, pairCase{"float weights", x, y})
	}
	// Nearly identical sets: one value moved, or two weights exchanging 2⁻²⁰.
	x := genSamples(r, 120, true, true)
	y := Samples[float64]{slices.Clone(x.Values), slices.Clone(x.Weights)}
	y.Values[17] += 1.0 / 64
	cases = append(cases, pairCase{"near/value", x, y})
	y = Samples[float64]{slices.Clone(x.Values), slices.Clone(x.Weights)}
	k := 80
	for y.Weights[k] < 1.0/(1<<20) {
		k++
	}
	y.Weights[3] += 1.0 / (1 << 20)
	y.Weights[k] -= 1.0 / (1 << 20)
	cases = append(cases, pairCase{"near/weight", x, y})
	// Far apart, and overlapping at one tied point.
	cases = append(cases, pairCase{"far", Samples[float64]{Values: []float64{-1e6, -1e6 + 1}}, Samples[float64]{Values: []float64{1e6, 1e6, 2e6}}})
	cases = append(cases, pairCase{"tied", Samples[float64]{Values: []float64{0, 1, 1, 1, 2}}, Samples[float64]{Values: []float64{1, 1, 1}, Weights: []float64{0.25, 0.5, 0.25}}})
	return cases
}

func testSquaredSamplesBruteForce[F Float](t *testing.T) {
	var ws Workspace[F]
	for i, c := range randomPairCases() {
		checkPair(t, c.name+"/"+string(rune('a'+i)), &ws, samplesAs[F](c.x), samplesAs[F](c.y))
	}
}

func TestSquaredSamplesBruteForce(t *testing.T) {
	t.Run("float64", testSquaredSamplesBruteForce[float64])
	t.Run("float32", testSquaredSamplesBruteForce[float32])
}

func testSampleSelfBruteForce[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ws Workspace[F]
	for i, n := range []int{1, 2, 3, 8, 50, 300, 299} {
		x := samplesAs[F](genSamples(r, n, i%2 == 0, i%3 != 2))
		checkSelf(t, "self", &ws, x)
	}
	// All points tied: the sum and every gradient are 0.
	checkSelf(t, "all tied", &ws, Samples[F]{Values: []F{2, 2, 2, 2}})
}

func TestSampleSelfBruteForce(t *testing.T) {
	t.Run("float64", testSampleSelfBruteForce[float64])
	t.Run("float32", testSampleSelfBruteForce[float32])
}

// TestSquaredSamplesScipy checks the examples of scipy.stats.energy_distance's
// documentation. SciPy's energy distance is √(2·ℓ₂²): scipy computes
// √2·(∫(U−V)²)^{1/2}, normalising the weights to sum to 1, so
// energy_distance(u, v, wu, wv) = √(2·SquaredSamples(u, v)).
func TestSquaredSamplesScipy(t *testing.T) {
	norm := func(w []float64) []float64 {
		s := 0.0
		for _, v := range w {
			s += v
		}
		out := make([]float64, len(w))
		for i, v := range w {
			out[i] = v / s
		}
		return out
	}
	cases := []struct {
		u, v, wu, wv []float64
		scipy        float64
	}{
		{[]float64{0}, []float64{2}, nil, nil, 2.0000000000000004},
		{[]float64{0, 8}, []float64{0, 8}, []float64{3, 1}, []float64{2, 2}, 1.0000000000000002},
		{[]float64{0.7, 7.4, 2.4, 6.8}, []float64{1.4, 8.}, []float64{2.1, 4.2, 7.4, 8.}, []float64{7.6, 8.8}, 0.88003340976158217},
	}
	for i, c := range cases {
		x, y := Samples[float64]{Values: c.u}, Samples[float64]{Values: c.v}
		if c.wu != nil {
			x.Weights, y.Weights = norm(c.wu), norm(c.wv)
		}
		sq, err := SquaredSamples(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if e := math.Sqrt(2 * sq); math.Abs(e-c.scipy) > 4e-16*c.scipy {
			t.Errorf("case %d: √(2ℓ₂²) = %.17g, scipy %.17g", i, e, c.scipy)
		}
		d, _ := DistanceSamples(x, y)
		if d != math.Sqrt(sq) {
			t.Errorf("case %d: DistanceSamples %v, √SquaredSamples %v", i, d, math.Sqrt(sq))
		}
	}
}

func testSquaredSamplesSymmetric[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cases := randomPairCases()
	// Same length and same first values, different later values; one set a
	// permutation of the other with one weight changed.
	x := genSamples(r, 40, true, true)
	y := Samples[float64]{slices.Clone(x.Values), slices.Clone(x.Weights)}
	y.Values[39] += 0.125
	cases = append(cases, pairCase{"same prefix", x, y})
	p := r.Perm(40)
	z := Samples[float64]{make([]float64, 40), make([]float64, 40)}
	for i, j := range p {
		z.Values[i], z.Weights[i] = x.Values[j], x.Weights[j]
	}
	z.Weights[0], z.Weights[1] = z.Weights[1], z.Weights[0]
	cases = append(cases, pairCase{"permuted", x, z})
	cases = append(cases, pairCase{"nil vs explicit", Samples[float64]{Values: x.Values}, Samples[float64]{Values: x.Values, Weights: x.Weights}})
	var ws Workspace[F]
	for _, c := range cases {
		xf, yf := samplesAs[F](c.x), samplesAs[F](c.y)
		var gx, gy, hx, hy SamplesGrad[F]
		a, _ := ws.SquaredSamplesGrad(xf, yf, &gx, &gy)
		b, _ := ws.SquaredSamplesGrad(yf, xf, &hy, &hx)
		if math.Float64bits(float64(a)) != math.Float64bits(float64(b)) {
			t.Errorf("%s: ℓ₂²(x,y) = %v, ℓ₂²(y,x) = %v", c.name, a, b)
		}
		if !slices.Equal(gx.Values, hx.Values) || !slices.Equal(gx.Weights, hx.Weights) ||
			!slices.Equal(gy.Values, hy.Values) || !slices.Equal(gy.Weights, hy.Weights) {
			t.Errorf("%s: gradients differ when the arguments are swapped", c.name)
		}
		a2, _ := SquaredSamples(xf, yf)
		b2, _ := SquaredSamples(yf, xf)
		if a2 != a || b2 != a {
			t.Errorf("%s: package functions %v %v, workspace %v", c.name, a2, b2, a)
		}
	}
}

func TestSquaredSamplesSymmetric(t *testing.T) {
	t.Run("float64", testSquaredSamplesSymmetric[float64])
	t.Run("float32", testSquaredSamplesSymmetric[float32])
}

func testSquaredSamplesIdentical[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var ws Workspace[F]
	for i, n := range []int{1, 2, 13, 300, 3, 7, 299, 5, 77, 300} {
		x := genSamples(r, n, i%2 == 0, i < 4 && i != 1)
		if i >= 7 {
			x.Weights = floatWeights(r, n)
		}
		perm := Samples[float64]{Values: make([]float64, n)}
		if x.Weights != nil {
			perm.Weights = make([]float64, n)
		}
		for k, j := range r.Perm(n) {
			perm.Values[k] = x.Values[j]
			if x.Weights != nil {
				perm.Weights[k] = x.Weights[j]
			}
		}
		xf := samplesAs[F](x)
		for name, y := range map[string]Samples[F]{"same": xf, "copy": samplesAs[F](x), "permuted": samplesAs[F](perm)} {
			var gx, gy SamplesGrad[F]
			d, err := ws.SquaredSamplesGrad(xf, y, &gx, &gy)
			if err != nil {
				t.Fatal(err)
			}
			if d != 0 {
				t.Errorf("n=%d %s: ℓ₂²(x, x) = %v, want exactly 0", n, name, d)
			}
			for j := range gx.Values {
				if gx.Values[j] != 0 || gx.Weights[j] != 0 || gy.Values[j] != 0 || gy.Weights[j] != 0 {
					t.Errorf("n=%d %s: gradient %d not exactly 0: %v %v %v %v", n, name, j, gx.Values[j], gx.Weights[j], gy.Values[j], gy.Weights[j])
					break
				}
			}
		}
	}
	// -0 and +0 are the same point.
	if d, _ := SquaredSamples(Samples[F]{Values: []F{F(math.Copysign(0, -1)), 1}}, Samples[F]{Values: []F{0, 1}}); d != 0 {
		t.Errorf("ℓ₂²({-0, 1}, {0, 1}) = %v", d)
	}
}

func TestSquaredSamplesIdentical(t *testing.T) {
	t.Run("float64", testSquaredSamplesIdentical[float64])
	t.Run("float32", testSquaredSamplesIdentical[float32])
}

// sampleRelDiff returns |a − b| / |b| (0 when both are 0).
func sampleRelDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Abs(b)
}

func affineSamples(s Samples[float64], c, shift float64) Samples[float64] {
	out := Samples[float64]{Values: make([]float64, len(s.Values)), Weights: s.Weights}
	for i, v := range s.Values {
		out.Values[i] = c*v + shift
	}
	return out
}

func TestSquaredSamplesTranslationScaling(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 6; i++ {
		ties := i%2 == 0
		x, y := genSamples(r, 50+30*i, ties, i%3 != 0), genSamples(r, 80, ties, i%3 != 1)
		base, _ := SquaredSamples(x, y)
		var gx, gy SamplesGrad[float64]
		SquaredSamplesGrad(x, y, &gx, &gy)
		// Grid values shifted by an exact offset: the same gaps, the same bits.
		if ties {
			for _, shift := range []float64{1e6, -3e9, 1e12} {
				var hx, hy SamplesGrad[float64]
				d, _ := SquaredSamplesGrad(affineSamples(x, 1, shift), affineSamples(y, 1, shift), &hx, &hy)
				if d != base || !slices.Equal(gx.Values, hx.Values) || !slices.Equal(gx.Weights, hx.Weights) ||
					!slices.Equal(gy.Values, hy.Values) || !slices.Equal(gy.Weights, hy.Weights) {
					t.Errorf("case %d: exact shift %g changed the result: %v vs %v", i, shift, d, base)
				}
			}
		}
		// Any shift: the values round, so about ε·|shift| / gap relative.
		if d, _ := SquaredSamples(affineSamples(x, 1, 3.7), affineSamples(y, 1, 3.7)); sampleRelDiff(d, base) > 1e-12 {
			t.Errorf("case %d: shift 3.7: %v vs %v", i, d, base)
		}
		// Scaling by a power of two is exact; by any c, ε-close.
		for _, c := range []float64{4, 0x1p-600, 0x1p+400} {
			if d, _ := SquaredSamples(affineSamples(x, c, 0), affineSamples(y, c, 0)); d != c*base {
				t.Errorf("case %d: ℓ₂²(%gX, %gY) = %v, want %v", i, c, c, d, c*base)
			}
		}
		for _, c := range []float64{-1, -2.5, 0.3, 1e-100, -7e100} {
			if d, _ := SquaredSamples(affineSamples(x, c, 0), affineSamples(y, c, 0)); sampleRelDiff(d, math.Abs(c)*base) > 1e-13 {
				t.Errorf("case %d: ℓ₂²(%gX, %gY) = %v, want %v", i, c, c, d, math.Abs(c)*base)
			}
		}
	}
	// float32: exact shift by 2²³ of integer grid values.
	x32 := Samples[float32]{Values: []float32{-3, 0, 0, 5, 17, 900}}
	y32 := Samples[float32]{Values: []float32{-1000, 0, 5, 6}, Weights: []float32{0.125, 0.5, 0.25, 0.125}}
	base, _ := SquaredSamples(x32, y32)
	sh := func(s Samples[float32]) Samples[float32] {
		out := Samples[float32]{Values: slices.Clone(s.Values), Weights: s.Weights}
		for i := range out.Values {
			out.Values[i] += 1 << 23
		}
		return out
	}
	if d, _ := SquaredSamples(sh(x32), sh(y32)); d != base {
		t.Errorf("float32: shift 2²³: %v vs %v", d, base)
	}
}

// TestSquaredSamplesUnequalSizes checks unweighted sets of N and N + 1
// points, whose CDFs nearly cancel everywhere: x = {0, 1, …, N−1} and
// y = {0, 1, …, N} (shuffled) have C = k/(N(N+1)) after the value k − 1, so
// ℓ₂² = Σₖ (k/(N(N+1)))² = (2N+1)/(6N(N+1)), and the derivatives have closed
// forms too. With the weights 1/N and 1/(N+1) rounded (k·u − k·v instead of
// k/N − k/(N+1)) the value was off by 2e-10 relative at N = 10⁶; the walks
// now add k/N as k·u + k·ulo (sortedSet.setUnit), which leaves one rounding
// of each C.
func TestSquaredSamplesUnequalSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1000, 1000003} {
		xv, yv := make([]float64, n), make([]float64, n+1)
		for i := range yv {
			yv[i] = float64(i)
			if i < n {
				xv[i] = float64(i)
			}
		}
		r.Shuffle(n, func(i, j int) { xv[i], xv[j] = xv[j], xv[i] })
		r.Shuffle(n+1, func(i, j int) { yv[i], yv[j] = yv[j], yv[i] })
		var ws Workspace[float64]
		var gx, gy SamplesGrad[float64]
		got, err := ws.SquaredSamplesGrad(Samples[float64]{Values: xv}, Samples[float64]{Values: yv}, &gx, &gy)
		if err != nil {
			t.Fatal(err)
		}
		rat := func(a, b int64) *big.Rat { return big.NewRat(a, b) }
		nn := int64(n)
		want, _ := rat(2*nn+1, 6*nn*(nn+1)).Float64()
		if rel := math.Abs(got-want) / want; rel > 1e-15 {
			t.Errorf("N = %d: ℓ₂² = %.17g, want %.17g (rel. error %.3g)", n, got, want, rel)
		}
		// At the point of value k (k ≤ N−1 in x, k ≤ N in y): C< = k/N −
		// k/(N+1), C> = (N−1−k)/N − (N−k)/(N+1) (0 for y's k = N), S = C< − C>;
		// B = Σₗ cₗ|k − zₗ| = (Σ_{x} |k − i|)/N − (Σ_{y} |k − i|)/(N+1).
		absSum := func(k, top int64) int64 { return k*(k+1)/2 + (top-k)*(top-k+1)/2 } // Σ_{i=0}^{top} |k − i|
		for _, k := range []int64{0, 1, nn / 3, nn / 2, nn - 2, nn - 1} {
			less := new(big.Rat).Sub(rat(k, nn), rat(k, nn+1))
			more := new(big.Rat).Sub(rat(nn-1-k, nn), rat(nn-k, nn+1))
			s := new(big.Rat).Sub(less, more)
			b := new(big.Rat).Sub(rat(absSum(k, nn-1), nn), rat(absSum(k, nn), nn+1))
			// x: −S/N, −B; y: S/(N+1), B.
			for side, g := range []SamplesGrad[float64]{gx, gy} {
				vals := [2][]float64{xv, yv}[side]
				p := slices.Index(vals, float64(k))
				wv := new(big.Rat).Mul(s, rat(1, nn+int64(side)))
				wb := new(big.Rat).Set(b)
				if side == 0 {
					wv.Neg(wv)
					wb.Neg(wb)
				}
				wantV, _ := wv.Float64()
				wantB, _ := wb.Float64()
				if math.Abs(g.Values[p]-wantV) > 1e-14*math.Abs(wantV) {
					t.Errorf("N = %d, side %d, value %d: ∂/∂value = %.17g, want %.17g", n, side, k, g.Values[p], wantV)
				}
				if math.Abs(g.Weights[p]-wantB) > 1e-14*math.Abs(wantB) {
					t.Errorf("N = %d, side %d, value %d: ∂/∂weight = %.17g, want %.17g", n, side, k, g.Weights[p], wantB)
				}
			}
		}
	}
}

// TestSquaredSamplesHugeOffset: values 1e12 + a spread of order 1. Formulas
// in the values themselves (2Σᵢ wᵢxᵢ(W<ᵢ − W>ᵢ), or the mean of |x − y| over
// pairs minus the self terms) cancel terms of size 1e12 and keep few digits;
// the gap formula only sees differences, which are exact here.
func TestSquaredSamplesHugeOffset(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, offset := range []float64{1e12, -4.2e15} {
		x, y := genSamples(r, 200, false, true), genSamples(r, 150, false, false)
		x, y = affineSamples(x, 1, offset), affineSamples(y, 1.5, offset)
		var ws Workspace[float64]
		checkPair(t, "huge offset", &ws, x, y)
		checkSelf(t, "huge offset", &ws, x)

		// What the naive self sum loses (logged for illustration).
		got := ws.sampleSelf(Samples[float64]{x.Values, x.Weights})
		idx := make([]int, len(x.Values))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if x.Values[a] < x.Values[b] {
				return -1
			}
			if x.Values[a] > x.Values[b] {
				return 1
			}
			return 0
		})
		naive, below := 0.0, 0.0
		for _, i := range idx {
			w := x.Weights[i]
			naive += 2 * w * x.Values[i] * (below - (1 - below - w))
			below += w
		}
		t.Logf("offset %g: gap formula %.17g, naive Σ wᵢxᵢ(W<−W>) formula %.17g (rel. diff %.2g)", offset, got, naive, sampleRelDiff(naive, got))
	}
}

func TestSquaredSamplesGradCentralDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for i := 0; i < 4; i++ {
		x, y := genSamples(r, 7+11*i, false, i%2 == 0), genSamples(r, 9+5*i, false, true)
		var gx, gy SamplesGrad[float64]
		f0, err := SquaredSamplesGrad(x, y, &gx, &gy)
		if err != nil {
			t.Fatal(err)
		}
		all := append(slices.Clone(x.Values), y.Values...)
		for side, s := range []struct {
			s Samples[float64]
			g SamplesGrad[float64]
		}{{x, gx}, {y, gy}} {
			eval := func(v Samples[float64]) float64 {
				var d float64
				if side == 0 {
					d, err = SquaredSamples(v, y)
				} else {
					d, err = SquaredSamples(x, v)
				}
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			// Values: ℓ₂² is piecewise linear in each value, so the central
			// difference over an interval free of other points is exact up to rounding.
			for j, v := range s.s.Values {
				h := 1e-3
				for k, z := range all {
					if k != j+side*len(x.Values) {
						h = min(h, math.Abs(z-v)/4)
					}
				}
				if h < 1e-9 {
					continue
				}
				p := Samples[float64]{slices.Clone(s.s.Values), s.s.Weights}
				p.Values[j] = v + h
				fp := eval(p)
				p.Values[j] = v - h
				fm := eval(p)
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-s.g.Values[j]) > 1e-9+4e-16*f0/h {
					t.Errorf("case %d side %d: ∂/∂value[%d] = %v, central difference %v", i, side, j, s.g.Values[j], fd)
				}
			}
			// Weights: move h from weight k to weight j (the sum stays 1); ℓ₂²
			// is quadratic in the weights, so the difference is exact up to rounding.
			w := effWeights(s.s)
			for j := range w {
				k := (j + 1) % len(w)
				h := min(1e-4, w[k]/2)
				if h == 0 || j == k {
					continue
				}
				p := Samples[float64]{s.s.Values, slices.Clone(w)}
				p.Weights[j], p.Weights[k] = w[j]+h, w[k]-h
				fp := eval(p)
				p.Weights[j], p.Weights[k] = w[j]-h, w[k]+h
				if p.Weights[j] < 0 {
					continue
				}
				fm := eval(p)
				fd := (fp - fm) / (2 * h)
				if want := s.g.Weights[j] - s.g.Weights[k]; math.Abs(fd-want) > 1e-8 {
					t.Errorf("case %d side %d: ∂/∂w[%d] − ∂/∂w[%d] = %v, central difference %v", i, side, j, k, want, fd)
				}
			}
		}
		// Free weights: the gradient is that of the energy form
		// −½Σₖₗ cₖcₗ|zₖ − zₗ| (a quadratic: central differences are exact).
		if i == 0 {
			ref := func(w, v []float64) float64 {
				return -refPairSet(Samples[float64]{x.Values, w}, Samples[float64]{y.Values, v}).pairSum()
			}
			wx, wy := effWeights(x), effWeights(y)
			for j := range wx {
				const h = 1e-3
				p := slices.Clone(wx)
				p[j] += h
				fp := ref(p, wy)
				p[j] -= 2 * h
				fd := (fp - ref(p, wy)) / (2 * h)
				if math.Abs(fd-gx.Weights[j]) > 1e-11 {
					t.Errorf("free weight x[%d]: %v, central difference %v", j, gx.Weights[j], fd)
				}
			}
			for j := range wy {
				const h = 1e-3
				p := slices.Clone(wy)
				p[j] += h
				fp := ref(wx, p)
				p[j] -= 2 * h
				fd := (fp - ref(wx, p)) / (2 * h)
				if math.Abs(fd-gy.Weights[j]) > 1e-11 {
					t.Errorf("free weight y[%d]: %v, central difference %v", j, gy.Weights[j], fd)
				}
			}
		}
	}
}

func TestSampleSelfGradCentralDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	var ws Workspace[float64]
	for i := 0; i < 3; i++ {
		x := genSamples(r, 6+20*i, false, true)
		n := len(x.Values)
		dv, dw := make([]float64, n), make([]float64, n)
		f0 := ws.sampleSelfGrad(x, dv, dw)
		for j, v := range x.Values {
			h := 1e-3
			for k, z := range x.Values {
				if k != j {
					h = min(h, math.Abs(z-v)/4)
				}
			}
			p := Samples[float64]{slices.Clone(x.Values), x.Weights}
			p.Values[j] = v + h
			fp := ws.sampleSelf(p)
			p.Values[j] = v - h
			fd := (fp - ws.sampleSelf(p)) / (2 * h)
			if math.Abs(fd-dv[j]) > 1e-9+4e-16*f0/h {
				t.Errorf("case %d: dValues[%d] = %v, central difference %v", i, j, dv[j], fd)
			}
			// The weights are free here (sampleSelf does not validate).
			const hw = 1e-3
			q := Samples[float64]{x.Values, slices.Clone(x.Weights)}
			q.Weights[j] += hw
			fp = ws.sampleSelf(q)
			q.Weights[j] -= 2 * hw
			fd = (fp - ws.sampleSelf(q)) / (2 * hw)
			if math.Abs(fd-dw[j]) > 1e-10 {
				t.Errorf("case %d: dWeights[%d] = %v, central difference %v", i, j, dw[j], fd)
			}
		}
	}
}

func TestSquaredSamplesGradPartial(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	x, y := genSamples(r, 30, true, true), genSamples(r, 20, true, false)
	var gx, gy SamplesGrad[float64]
	want, _ := SquaredSamplesGrad(x, y, &gx, &gy)
	// Buffers of the wrong length are resized; a nil side is skipped.
	hx := SamplesGrad[float64]{Values: make([]float64, 3), Weights: make([]float64, 100)}
	d1, _ := SquaredSamplesGrad(x, y, &hx, nil)
	var hy SamplesGrad[float64]
	d2, _ := SquaredSamplesGrad(x, y, nil, &hy)
	if d1 != want || d2 != want {
		t.Errorf("values %v %v, want %v", d1, d2, want)
	}
	if !slices.Equal(hx.Values, gx.Values) || !slices.Equal(hx.Weights, gx.Weights) ||
		!slices.Equal(hy.Values, gy.Values) || !slices.Equal(hy.Weights, gy.Weights) {
		t.Error("a one-sided gradient differs from the two-sided one")
	}
}

func testSamplesValidation[F Float](t *testing.T) {
	good := Samples[F]{Values: []F{0, 1, 2}}
	nan, inf := F(math.NaN()), F(math.Inf(1))
	huge := F(MaxMagnitude[F]() * 10)
	cases := []struct {
		x, y       Samples[F]
		arg, field string
		index      int
	}{
		{Samples[F]{}, good, "x", "values", -1},
		{good, Samples[F]{Values: []F{}}, "y", "values", -1},
		{Samples[F]{Values: []F{0, nan}}, good, "x", "values", 1},
		{good, Samples[F]{Values: []F{0, 1, inf}}, "y", "values", 2},
		{good, Samples[F]{Values: []F{-inf, 1}}, "y", "values", 0},
		{Samples[F]{Values: []F{huge}}, good, "x", "values", 0},
		{Samples[F]{Values: []F{0, 1}, Weights: []F{1.5, -0.5}}, good, "x", "weights", 1},
		{good, Samples[F]{Values: []F{0, 1}, Weights: []F{0.5, 0.25}}, "y", "weights", -1},
		{good, Samples[F]{Values: []F{0, 1}, Weights: []F{0.5, nan}}, "y", "weights", 1},
		{good, Samples[F]{Values: []F{0, 1}, Weights: []F{inf, 0.5}}, "y", "weights", 0},
		{Samples[F]{Values: []F{0, 1}, Weights: []F{1}}, good, "x", "weights", -1},
		// Both invalid: x is reported.
		{Samples[F]{Values: []F{nan}}, Samples[F]{}, "x", "values", 0},
	}
	var ws Workspace[F]
	for i, c := range cases {
		var gx, gy SamplesGrad[F]
		for k, call := range []func() (F, error){
			func() (F, error) { return SquaredSamples(c.x, c.y) },
			func() (F, error) { return ws.SquaredSamples(c.x, c.y) },
			func() (F, error) { return ws.SquaredSamplesGrad(c.x, c.y, &gx, &gy) },
			func() (F, error) { return SquaredSamplesGrad(c.x, c.y, nil, &gy) },
			func() (F, error) { return DistanceSamples(c.x, c.y) },
		} {
			d, err := call()
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("case %d call %d: error %v, want an *InputError", i, k, err)
				continue
			}
			if ie.Arg != c.arg || ie.Field != c.field || ie.Index != c.index {
				t.Errorf("case %d call %d: %q: got (%s, %s, %d), want (%s, %s, %d)", i, k, err, ie.Arg, ie.Field, ie.Index, c.arg, c.field, c.index)
			}
			if d != 0 {
				t.Errorf("case %d call %d: value %v with an error", i, k, d)
			}
		}
	}
	// Weights within the tolerance are accepted.
	eps := F(WeightTolerance[F]() / 4)
	if _, err := SquaredSamples(good, Samples[F]{Values: []F{0, 1}, Weights: []F{0.5 + eps, 0.5}}); err != nil {
		t.Errorf("weights within tolerance rejected: %v", err)
	}
}

func TestSamplesValidation(t *testing.T) {
	t.Run("float64", testSamplesValidation[float64])
	t.Run("float32", testSamplesValidation[float32])
}

func testSamplesAllocations[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	x, y := samplesAs[F](genSamples(r, 300, true, true)), samplesAs[F](genSamples(r, 200, false, false))
	small := samplesAs[F](genSamples(r, 10, true, false))
	xe := Samples[F]{x.Values, x.Weights}
	var ws Workspace[F]
	var gx, gy SamplesGrad[F]
	dv, dw := make([]float64, len(x.Values)), make([]float64, len(x.Values))
	for name, f := range map[string]func(){
		"SquaredSamples":       func() { ws.SquaredSamples(x, y) },
		"SquaredSamplesGrad":   func() { ws.SquaredSamplesGrad(x, y, &gx, &gy) },
		"SquaredSamples/small": func() { ws.SquaredSamples(small, y) },
		"sampleSelf":           func() { ws.sampleSelf(xe) },
		"sampleSelfGrad":       func() { ws.sampleSelfGrad(xe, dv, dw) },
	} {
		f()
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

func TestSamplesWorkspaceAllocatesNothing(t *testing.T) {
	t.Run("float64", testSamplesAllocations[float64])
	t.Run("float32", testSamplesAllocations[float32])
}

func BenchmarkSquaredSamples(b *testing.B) {
	r := rand.New(rand.NewPCG(23, 24))
	x, y := genSamples(r, 10000, false, false), genSamples(r, 10000, false, true)
	var ws Workspace[float64]
	var gx, gy SamplesGrad[float64]
	b.Run("value", func(b *testing.B) {
		for b.Loop() {
			ws.SquaredSamples(x, y)
		}
	})
	b.Run("grad", func(b *testing.B) {
		for b.Loop() {
			ws.SquaredSamplesGrad(x, y, &gx, &gy)
		}
	})
}

// sortValue draws a value of one of the kinds that stress the radix sort.
func sortValue(r *rand.Rand, kinds int) float64 {
	ties := []float64{-2.5, -1, math.Copysign(0, -1), 0, 0.75, 3}
	sign := float64(1 - 2*r.IntN(2))
	switch r.IntN(kinds) {
	case 0: // few distinct values, ±0 among them
		return ties[r.IntN(len(ties))]
	case 1:
		return math.Copysign(0, sign)
	case 2: // subnormals, and the smallest normals
		if r.IntN(2) == 0 {
			return sign * math.SmallestNonzeroFloat64 * float64(1+r.IntN(5))
		}
		return sign * 0x1p-1022 * (1 + r.Float64())
	case 3: // huge magnitudes, up to ±MaxFloat64 and ±Inf
		switch r.IntN(4) {
		case 0:
			return sign * math.MaxFloat64
		case 1:
			return math.Inf(int(sign))
		}
		return sign * 1e153 * r.Float64() * math.Pow(10, float64(r.IntN(150)))
	case 4: // widened float32 (low 29 mantissa bits zero)
		return float64(float32(sign * r.ExpFloat64()))
	}
	return r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-20))
}

// sortCase returns n values of a random mix of kinds and, sometimes, weights
// from a small set (equal values with different weights, ±0 weights).
func sortCase(r *rand.Rand, n int) Samples[float64] {
	x := Samples[float64]{Values: make([]float64, n)}
	kinds := 1 + r.IntN(6)
	single := r.IntN(8) == 0 // all values equal: one run of n
	for i := range x.Values {
		x.Values[i] = sortValue(r, kinds)
		if single {
			x.Values[i] = x.Values[0]
		}
	}
	if r.IntN(2) == 0 {
		ws := []float64{0, math.Copysign(0, -1), 0.25, 0.5, 1e-3, 1 / float64(n+1)}
		x.Weights = make([]float64, n)
		for i := range x.Weights {
			x.Weights[i] = ws[r.IntN(len(ws))]
		}
	}
	return x
}

// checkSortedKeys checks that sortedKeys orders the keys of values (and,
// with withIdx, their positions) as a stable sort by key does, element by
// element.
func checkSortedKeys[F Float, K radixKey](t *testing.T, name string, values []F, withIdx bool, rs *radixScratch[K]) {
	t.Helper()
	n := len(values)
	type kp struct {
		k K
		i uint32
	}
	want := make([]kp, n)
	for i, v := range values {
		want[i] = kp{keyOf[F, K](v), uint32(i)}
	}
	slices.SortStableFunc(want, func(a, b kp) int { return cmp.Compare(a.k, b.k) })
	rs.keys, rs.idx = grow(rs.keys, 2*n), grow(rs.idx, 2*n)
	rs.cnt = grow(rs.cnt, radixCountersFor(n))
	var idx, tmpI []uint32
	if withIdx {
		idx, tmpI = rs.idx[:n], rs.idx[n:]
	}
	m := sortedKeys(values, rs.keys[:n], rs.keys[n:], idx, tmpI, withIdx, rs.cnt)
	if want := maxAbs(values); math.Float64bits(m) != math.Float64bits(want) {
		t.Fatalf("%s: largest magnitude %v, want %v", name, m, want)
	}
	for r := range want {
		if rs.keys[r] != want[r].k || withIdx && idx[r] != want[r].i {
			got := -1 // no indices
			if withIdx {
				got = int(idx[r])
			}
			t.Fatalf("%s: item %d is key %#x index %d, want %#x %d", name, r, rs.keys[r], got, want[r].k, want[r].i)
		}
		if v := valueOf(rs.keys[r]); v != float64(values[want[r].i]) {
			t.Fatalf("%s: item %d: valueOf(key) = %v, value %v", name, r, v, values[want[r].i])
		}
	}
}

func testRadixSorted[F Float, K radixKey](t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	var rs radixScratch[K]
	var ns []int
	for n := range 300 {
		ns = append(ns, n)
	}
	for range 60 {
		ns = append(ns, 300+r.IntN(4700))
	}
	ns = append(ns, 5000, 300000, 300000)
	for _, n := range ns {
		x := samplesAs[F](sortCase(r, n))
		// Buffers reused, growing and shrinking.
		checkSortedKeys(t, fmt.Sprintf("N=%d", n), x.Values, r.IntN(2) == 0, &rs)
	}
	// From radixWideMin keys, the top 16 bits of the sort take one pass
	// when few of their values occur (values in [1, 2)), two otherwise
	// (values over hundreds of binades); both with and without indices.
	for _, spread := range []bool{false, true} {
		v := make([]F, radixWideMin+r.IntN(3000))
		top := map[uint64]bool{}
		for i := range v {
			v[i] = F(1 + r.Float64())
			if spread {
				v[i] = F(r.NormFloat64() * math.Pow(2, float64(r.IntN(200)-100)))
			}
			k := uint64(keyOf[F, K](v[i]))
			top[k>>(keyBits[K]()-radixWideBits)] = true
		}
		if few := len(top) <= radixWideMaxValues; few == spread {
			t.Fatalf("spread=%v: %d values of the top 16 bits", spread, len(top))
		}
		for _, withIdx := range []bool{false, true} {
			checkSortedKeys(t, fmt.Sprintf("N=%d spread=%v withIdx=%v", len(v), spread, withIdx), v, withIdx, &rs)
		}
	}
}

// testRadixBuckets checks sortedKeys on sets of radixWideMin points or more
// whose top 16 bits take few values (the first pass by them, then bucket by
// bucket): buckets of sizes around the insertion sort's bound, empty
// buckets between them, both signs, ties, runs of keys with equal high bits
// inside buckets (64-bit keys), and one bucket only (no pass by the top
// bits).
func testRadixBuckets[F Float, K radixKey](t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	var rs radixScratch[K]
	mant := radixWideBits - 1 - 11 // mantissa bits among the top 16 of a float64 key
	if keyBits[K]() == 32 {
		mant = radixWideBits - 1 - 8
	}
	for _, sizes := range [][]int{
		{1, 2, 31, 32, 33, 34, 64, 100, radixWideMin},
		{radixWideMin + 7},
		{3, radixWideMin - 3, 40000, 1},
		{radixWideMin / 2, 0, 0, radixWideMin / 2},
	} {
		var v []F
		for b, m := range sizes {
			// Bucket b: its sign, binade and top mantissa bits.
			sign := float64(1 - 2*(b%2))
			e, top := b/2-3, b%(1<<mant)
			for range m {
				u := r.Float64()
				switch r.IntN(4) {
				case 0: // ties
					u = float64(r.IntN(3)) / 1024
				case 1: // equal high bits, different low bits
					u = float64(r.IntN(3))/1024 + float64(r.IntN(50))*0x1p-46
				}
				v = append(v, F(sign*math.Ldexp(1+(float64(top)+u)/float64(int(1)<<mant), e)))
			}
		}
		r.Shuffle(len(v), func(i, j int) { v[i], v[j] = v[j], v[i] })
		for _, withIdx := range []bool{false, true} {
			checkSortedKeys(t, fmt.Sprintf("buckets %v withIdx=%v", sizes, withIdx), v, withIdx, &rs)
		}
	}
}

// TestRadixBuckets checks the sorts that take a first pass by the top 16
// bits of the keys against a stable comparison sort, and those that take
// it last (below radixBucketMin) on the same sets.
func TestRadixBuckets(t *testing.T) {
	defer func(m int) { radixBucketMin = m }(radixBucketMin)
	for _, m := range []int{radixWideMin, 1 << 40} {
		radixBucketMin = m
		t.Run(fmt.Sprintf("float64/bucketMin=%d", m), testRadixBuckets[float64, uint64])
		t.Run(fmt.Sprintf("float32/bucketMin=%d", m), testRadixBuckets[float32, uint32])
	}
}

// TestRadixSorted checks that the radix sort gives exactly the order of a
// stable comparison sort of the keys, for every length up to 300 and for
// data that skips passes (ties, ±0, widened float32, one value repeated).
func TestRadixSorted(t *testing.T) {
	t.Run("float64", testRadixSorted[float64, uint64])
	t.Run("float32", testRadixSorted[float32, uint32])
}

// TestSortKey32Order checks that sortKey32 preserves the order of float32
// and that keyValue32 inverts it.
func TestSortKey32Order(t *testing.T) {
	inf := float32(math.Inf(1))
	vs := []float32{-inf, -math.MaxFloat32, -1e18, -1, -0x1p-126, -2 * math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32, 0,
		math.SmallestNonzeroFloat32, 0x1p-126, 1, 1e18, math.MaxFloat32, inf}
	for k := 1; k < len(vs); k++ {
		if a, b := sortKey32(vs[k-1]), sortKey32(vs[k]); a >= b {
			t.Errorf("sortKey32(%g) = %#x ≥ sortKey32(%g) = %#x", vs[k-1], a, vs[k], b)
		}
	}
	if a, b := sortKey32(float32(math.Copysign(0, -1))), sortKey32(0); a != b {
		t.Errorf("sortKey32(-0) = %#x, sortKey32(+0) = %#x", a, b)
	}
	r := rand.New(rand.NewPCG(37, 38))
	for range 100000 {
		a, b := float32(sortValue(r, 6)), float32(sortValue(r, 6))
		ka, kb := sortKey32(a), sortKey32(b)
		if cmp.Compare(ka, kb) != cmp.Compare(a+0, b+0) {
			t.Fatalf("sortKey32(%g) = %#x, sortKey32(%g) = %#x", a, ka, b, kb)
		}
		if keyValue32(ka) != a || keyValue(sortKey(float64(a))) != float64(a) {
			t.Fatalf("keyValue32(sortKey32(%g)) = %g", a, keyValue32(ka))
		}
	}
}

// TestSortKeyOrder checks that sortKey preserves the order of float64 and
// maps −0 and +0 to one key.
func TestSortKeyOrder(t *testing.T) {
	inf, huge, tiny := math.Inf(1), math.MaxFloat64, math.SmallestNonzeroFloat64
	vs := []float64{-inf, -huge, -1e153, -1, -0x1p-1022, -2 * tiny, -tiny, 0, tiny, 2 * tiny, 0x1p-1022, 1, 1e153, huge, inf}
	for k := 1; k < len(vs); k++ {
		if a, b := sortKey(vs[k-1]), sortKey(vs[k]); a >= b {
			t.Errorf("sortKey(%g) = %#x ≥ sortKey(%g) = %#x", vs[k-1], a, vs[k], b)
		}
	}
	if a, b := sortKey(math.Copysign(0, -1)), sortKey(0); a != b {
		t.Errorf("sortKey(-0) = %#x, sortKey(+0) = %#x", a, b)
	}
	r := rand.New(rand.NewPCG(33, 34))
	for range 100000 {
		a, b := sortValue(r, 6), sortValue(r, 6)
		if ka, kb := sortKey(a), sortKey(b); cmp.Compare(ka, kb) != cmp.Compare(a+0, b+0) {
			t.Fatalf("sortKey(%g) = %#x, sortKey(%g) = %#x", a, ka, b, kb)
		}
	}
}

// BenchmarkSortSets times sorting N samples into a sortedSet (the sort of
// SquaredToSamples and of SquaredSamples): normal float64 values, the same
// values widened from float32, and values with many ties; keys alone and
// with indices.
func BenchmarkSortSets(b *testing.B) {
	r := rand.New(rand.NewPCG(25, 26))
	bench := func(name string, x Samples[float64]) {
		var sc sampleScratch
		for _, idx := range []bool{false, true} {
			sortSets[float64, uint64](&sc, x, Samples[float64]{}, idx, false, 1, 0, tmpBuf[uint64]{}, tmpBuf[uint64]{}) // warm the buffers
			b.Run(fmt.Sprintf("%s/idx=%v", name, idx), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sortSets[float64, uint64](&sc, x, Samples[float64]{}, idx, false, 1, 0, tmpBuf[uint64]{}, tmpBuf[uint64]{})
				}
			})
		}
	}
	for _, n := range []int{100, 1000, 100000} {
		bench(fmt.Sprintf("N=%d", n), genSamples(r, n, false, false))
	}
	x := genSamples(r, 100000, false, false)
	for i, v := range x.Values {
		x.Values[i] = float64(float32(v))
	}
	bench("float32/N=100000", x)
	bench("ties/N=100000", genSamples(r, 100000, true, false))
}

// walkCases returns sample sets that exercise the sort and the walks: ties
// within and across sets, −0 and +0 in both sets, one value repeated, runs
// of keys equal in their high bits (long runs go through the low-digit
// passes, short ones through insertion), weighted and unweighted.
func walkCases() []pairCase {
	r := rand.New(rand.NewPCG(81, 82))
	nz := math.Copysign(0, -1)
	cases := []pairCase{
		{"±0 across sets", Samples[float64]{Values: []float64{nz, 0, 1, 1, nz}}, Samples[float64]{Values: []float64{0, nz, 1}, Weights: []float64{0.25, 0.5, 0.25}}},
		{"one value", Samples[float64]{Values: []float64{2, 2, 2}}, Samples[float64]{Values: []float64{2, 2}}},
		{"one value weighted", Samples[float64]{Values: []float64{2, 2, 2, 2}, Weights: []float64{0.5, 0.125, 0.25, 0.125}}, Samples[float64]{Values: []float64{2}}},
	}
	// Long and short runs of equal high bits (1 + k·2⁻⁴⁰ share them).
	for _, sz := range [][2]int{{200, 120}, {90, 150}} {
		mk := func(n int, weighted bool) Samples[float64] {
			s := Samples[float64]{Values: make([]float64, n)}
			for i := range s.Values {
				switch r.IntN(3) {
				case 0:
					s.Values[i] = 1 + float64(r.IntN(400))*0x1p-40
				case 1:
					s.Values[i] = -3 + float64(r.IntN(3))*0x1p-45
				default:
					s.Values[i] = float64(r.IntN(5)) / 4
				}
			}
			if weighted {
				s.Weights = dyadicWeights(r, n)
			}
			return s
		}
		cases = append(cases, pairCase{"high-bit runs", mk(sz[0], false), mk(sz[1], true)})
		cases = append(cases, pairCase{"high-bit runs weighted", mk(sz[0], true), mk(sz[1], false)})
	}
	return cases
}

// TestSampleWalkBlocks checks values and gradients against the brute force
// with blocks of 1 and 3 groups, so that the backward walk crosses block
// boundaries everywhere, and with the default.
func TestSampleWalkBlocks(t *testing.T) {
	defer func(b int) { walkBlock = b }(walkBlock)
	for _, blk := range []int{1, 3, walkBlock} {
		cases := walkCases()
		if blk < 10 {
			cases = append(cases, randomPairCases()[:5]...)
		}
		walkBlock = blk
		var ws64 Workspace[float64]
		var ws32 Workspace[float32]
		for i, c := range cases {
			name := fmt.Sprintf("block %d %s/%d", blk, c.name, i)
			// Two sets in float64 take pairGradSlots, without blocks; in
			// float32 the checkpoints and blocks.
			checkPair(t, name, &ws64, c.x, c.y)
			checkSelf(t, name, &ws64, c.x)
			checkPair(t, name, &ws32, samplesAs[float32](c.x), samplesAs[float32](c.y))
			checkSelf(t, name, &ws32, samplesAs[float32](c.x))
		}
	}
}

// TestSamplesGradAliasing checks that gradient outputs sharing memory with
// the inputs (so that they cannot serve as sort scratch) give the same
// results as separate ones.
func TestSamplesGradAliasing(t *testing.T) {
	r := rand.New(rand.NewPCG(83, 84))
	// Sets of magnitude 2⁻¹⁰⁰⁰ are computed at a larger scale: the first
	// attempt, which finds that out from the sorted keys, must not have
	// written gradients over the values it reads again (it did).
	for _, tc := range []struct {
		weighted bool
		scale    float64
	}{{false, 1}, {true, 1}, {false, 0x1p-1000}, {true, 0x1p-1000}} {
		weighted := tc.weighted
		x, y := genSamples(r, 500, true, weighted), genSamples(r, 400, false, !weighted)
		for _, s := range []Samples[float64]{x, y} {
			for i := range s.Values {
				s.Values[i] *= tc.scale
			}
		}
		var gx, gy SamplesGrad[float64]
		want, _ := SquaredSamplesGrad(x, y, &gx, &gy)
		xc := Samples[float64]{slices.Clone(x.Values), slices.Clone(x.Weights)}
		hx := SamplesGrad[float64]{Values: xc.Values, Weights: make([]float64, len(x.Values))}
		var hy SamplesGrad[float64]
		got, _ := SquaredSamplesGrad(xc, y, &hx, &hy)
		if got != want || !slices.Equal(hx.Values, gx.Values) || !slices.Equal(hx.Weights, gx.Weights) ||
			!slices.Equal(hy.Values, gy.Values) || !slices.Equal(hy.Weights, gy.Weights) {
			t.Errorf("weighted=%v, scale %g: outputs aliasing x.Values change the result", weighted, tc.scale)
		}
		// SquaredToSamplesGrad with gx aliasing x (values, or weights).
		p := Mixture[float64]{Weights: []float64{0.25, 0.75}, Means: []float64{-0.5, 1}, Stds: []float64{0.5, 2}}
		var gp, gp2 MixtureGrad[float64]
		var tx SamplesGrad[float64]
		want, _ = SquaredToSamplesGrad(p, x, &gp, &tx)
		for k := range 2 {
			xc := Samples[float64]{slices.Clone(x.Values), slices.Clone(x.Weights)}
			ax := SamplesGrad[float64]{Values: xc.Values, Weights: make([]float64, len(x.Values))}
			if k == 1 {
				if !weighted {
					continue
				}
				ax = SamplesGrad[float64]{Values: make([]float64, len(x.Values)), Weights: xc.Weights}
			}
			got, _ := SquaredToSamplesGrad(p, xc, &gp2, &ax)
			if got != want || !slices.Equal(ax.Values, tx.Values) || !slices.Equal(ax.Weights, tx.Weights) || !slices.Equal(gp.Means, gp2.Means) {
				t.Errorf("weighted=%v, scale %g: SquaredToSamplesGrad outputs aliasing x (%d) change the result", weighted, tc.scale, k)
			}
		}
	}
}

// TestCheckSampleCount checks the limit of the sorts' 32-bit indices (a set
// that large cannot be allocated in a test).
func TestCheckSampleCount(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("a 32-bit int cannot count 2³² points")
	}
	limit := uint64(maxSamples)
	if err := checkSampleCount("x", int(limit)); err != nil {
		t.Errorf("%d points: %v", limit, err)
	}
	var ie *InputError
	if err := checkSampleCount("y", int(limit+1)); !errors.As(err, &ie) || ie.Arg != "y" || ie.Field != "values" {
		t.Errorf("2³² points: error %v", err)
	}
}

// TestGradScatterTwoPass checks that the gradients written in two passes
// through buckets (gradScatter) are those written directly, bit for bit
// (two sets, every set or only the larger one in two passes, and one set's
// self sum), on sets smaller than, equal to and larger than one bucket and
// not multiples of it, with ties, weights and one gradient or both.
func TestGradScatterTwoPass(t *testing.T) {
	t.Run("float64", testGradScatterTwoPass[float64])
	t.Run("float32", testGradScatterTwoPass[float32])
}

func testGradScatterTwoPass[F Float](t *testing.T) {
	defer func(m int) { scatterMin = m }(scatterMin)
	r := rand.New(rand.NewPCG(85, 86))
	// Bucket sizes 8 and 24 (one bucket, or the last one partial or not),
	// and 456 for 58000 points.
	for _, sz := range [][2]int{{1, 3}, {100, 70}, {127, 128}, {129, 3073}, {3071, 3072}, {58000, 200}} {
		for k := range 4 {
			x := samplesAs[F](genSamples(r, sz[0], k&1 == 1, k&2 == 2))
			y := samplesAs[F](genSamples(r, sz[1], k&1 == 1, k == 1))
			for _, both := range []bool{false, true} {
				var want, got [2]SamplesGrad[F]
				gyWant, gyGot := &want[1], &got[1]
				if !both {
					gyWant, gyGot = nil, nil
				}
				scatterMin = 1 << 62 // direct writes
				var ws Workspace[F]
				dw, _ := ws.SquaredSamplesGrad(x, y, &want[0], gyWant)
				// Every set through the buckets, then the smaller set
				// directly and the larger through the buckets.
				for _, sm := range []int{0, min(sz[0], sz[1]) + 1} {
					scatterMin = sm
					dg, _ := ws.SquaredSamplesGrad(x, y, &got[0], gyGot)
					same := dw == dg
					for s := range 2 {
						same = same && slices.Equal(want[s].Values, got[s].Values) && slices.Equal(want[s].Weights, got[s].Weights)
					}
					if !same {
						t.Errorf("sizes %v kind %d both %v scatterMin %d: two-pass gradients differ from direct ones", sz, k, both, sm)
					}
				}
			}
			// The self sum's derivatives (through SquaredToSamplesGrad).
			p := Mixture[F]{Weights: []F{0.25, 0.75}, Means: []F{-0.5, 1}, Stds: []F{0.5, 2}}
			var want, got SamplesGrad[F]
			scatterMin = 1 << 62
			var ws Workspace[F]
			dw, _ := ws.SquaredToSamplesGrad(p, x, nil, &want)
			scatterMin = 0
			dg, _ := ws.SquaredToSamplesGrad(p, x, nil, &got)
			if dw != dg || !slices.Equal(want.Values, got.Values) || !slices.Equal(want.Weights, got.Weights) {
				t.Errorf("sizes %v kind %d: two-pass self-sum derivatives differ from direct ones", sz, k)
			}
		}
	}
}

// TestSamplesValuesCheckedInSort checks that invalid values (NaN, ±Inf,
// beyond MaxMagnitude) in either set, of lengths sorted by insertion, by
// radix passes and by a first pass of the top bits, give the error that
// validation gives (argument, field and the first such index), with and
// without gradients; that x's invalid values are reported before y's
// invalid weights; and that the workspace then gives the results of a
// fresh one.
func TestSamplesValuesCheckedInSort(t *testing.T) {
	defer func(m int) { radixBucketMin = m }(radixBucketMin)
	for _, m := range []int{radixWideMin, 1 << 40} {
		radixBucketMin = m
		t.Run(fmt.Sprintf("float64/bucketMin=%d", m), testValuesCheckedInSort[float64])
		t.Run(fmt.Sprintf("float32/bucketMin=%d", m), testValuesCheckedInSort[float32])
	}
}

func testValuesCheckedInSort[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 4 * MaxMagnitude[F]()}
	var ws Workspace[F]
	for _, n := range []int{5, radixMinN + 3, radixWideMin + 5} {
		good := make([]F, n)
		for i := range good {
			good[i] = F(r.NormFloat64())
		}
		for k, b := range bad {
			badv := slices.Clone(good)
			badv[r.IntN(n)] = F(b)
			if k%2 == 0 {
				badv[r.IntN(n)] = F(b)
			}
			for _, grad := range []bool{false, true} {
				for _, xBad := range []bool{true, false} {
					x, y, arg := Samples[F]{Values: good}, Samples[F]{Values: badv}, "y"
					if xBad {
						x, y, arg = y, x, "x"
					}
					want := Samples[F]{Values: badv}.validate(arg)
					var err error
					if grad {
						var gx, gy SamplesGrad[F]
						_, err = ws.SquaredSamplesGrad(x, y, &gx, &gy)
					} else {
						_, err = ws.SquaredSamples(x, y)
					}
					if err == nil || err.Error() != want.Error() {
						t.Fatalf("N=%d value %v in %s, grad=%v: error %v, want %v", n, b, arg, grad, err, want)
					}
				}
			}
			// x's values before y's weights.
			w := make([]F, n)
			w[0] = 2
			_, err := ws.SquaredSamples(Samples[F]{Values: badv}, Samples[F]{Values: good, Weights: w})
			if want := (Samples[F]{Values: badv}).validate("x"); err == nil || err.Error() != want.Error() {
				t.Fatalf("N=%d value %v in x, bad weights in y: error %v, want %v", n, b, err, want)
			}
		}
		// The workspace, after the errors, against a fresh one.
		x, y := Samples[F]{Values: good}, Samples[F]{Values: slices.Clone(good)}
		for i := range y.Values {
			y.Values[i] += F(r.Float64())
		}
		var gx, gy, fx, fy SamplesGrad[F]
		v, err := ws.SquaredSamplesGrad(x, y, &gx, &gy)
		var fresh Workspace[F]
		fv, ferr := fresh.SquaredSamplesGrad(x, y, &fx, &fy)
		if err != nil || ferr != nil || v != fv || !slices.Equal(gx.Values, fx.Values) || !slices.Equal(gx.Weights, fx.Weights) ||
			!slices.Equal(gy.Values, fy.Values) || !slices.Equal(gy.Weights, fy.Weights) {
			t.Fatalf("N=%d: after the errors %v (%v), a fresh workspace %v (%v), or different gradients", n, v, err, fv, ferr)
		}
	}
}
