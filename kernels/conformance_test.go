package kernels_test

// Conformance suite: every registered implementation (a subtest per name in
// kernels.Names()) is run by the same tests and compared with the portable
// reference, package purego, and with independent references (package math,
// compensated float64 sums).
//
//   - Element-wise forms (Erf, ExpNegSquare, PairTerms) must equal purego bit
//     for bit (-0 and +0 distinguished), for every length 0…cfMaxLen, at slice
//     offsets 0…3, on ordinary and extreme inputs, and each output must also be
//     close to an independent reference.
//   - Row-sum and gradient kernels must match a naive double loop over the
//     reference pair terms within a summation tolerance (the summation order
//     is implementation-defined; the pair terms themselves are not).
//   - Writes outside the output slices and writes to inputs are detected with
//     sentinel NaNs around every slice; reads past the end are the subject of
//     guard_test.go.
//
// Helpers in this file are prefixed cf so they cannot collide with the other
// test files of the package.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmmkit/cramer/internal/approx"
	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// cfMaxLen is the longest vector of the length sweeps: lanes·unroll·2+1 for
// the widest planned implementation (AVX2 float32: 8 lanes, unrolled ×4), so
// every split into unrolled body, single-vector loop and scalar/masked tail
// occurs for every implementation.
const cfMaxLen = 2*8*4 + 1

// Slices start at offsets 0…cfMaxOff inside a larger buffer, so element 0 is
// at every alignment modulo 16 and 32 bytes.
const cfMaxOff = 3

// cfTail sentinel elements follow every slice (and up to cfMaxOff precede it).
const cfTail = 8

// cfMaxErrors bounds the errors reported by one subtest.
const cfMaxErrors = 20

// cfRef holds the reference: the purego functions themselves.
var cfRef = &kernels.Impl{
	Name: "reference (package purego)",

	Erf64:          purego.Erf64,
	ExpNegSquare64: purego.ExpNegSquare64,
	PairTerms64:    purego.PairTerms64,
	CrossRowSums64: purego.CrossRowSums64,
	CrossGrad64:    purego.CrossGrad64,
	SelfRowSums64:  purego.SelfRowSums64,
	SelfGrad64:     purego.SelfGrad64,
	DiracRowSums64: purego.DiracRowSums64,
	DiracGrad64:    purego.DiracGrad64,

	Erf32:          purego.Erf32,
	ExpNegSquare32: purego.ExpNegSquare32,
	PairTerms32:    purego.PairTerms32,
	CrossRowSums32: purego.CrossRowSums32,
	CrossGrad32:    purego.CrossGrad32,
	SelfRowSums32:  purego.SelfRowSums32,
	SelfGrad32:     purego.SelfGrad32,
	DiracRowSums32: purego.DiracRowSums32,
	DiracGrad32:    purego.DiracGrad32,
}

func cfLookup(t *testing.T, name string) *kernels.Impl {
	t.Helper()
	im, err := kernels.Lookup(name)
	if err != nil {
		t.Fatalf("Names() lists %q but Lookup fails: %v", name, err)
	}
	if im.Name != name {
		t.Fatalf("Lookup(%q).Name = %q", name, im.Name)
	}
	return im
}

// ---------------------------------------------------------------------------
// Precision-generic plumbing.

type cfFloat interface{ float32 | float64 }

func cfIs32[T cfFloat]() bool { _, ok := any(T(0)).(float32); return ok }

func cfBits[T cfFloat](x T) uint64 {
	switch v := any(x).(type) {
	case float32:
		return uint64(math.Float32bits(v))
	case float64:
		return math.Float64bits(v)
	}
	panic("unreachable")
}

func cfIsNaN[T cfFloat](x T) bool { return x != x }

// cfEps is the machine epsilon of T (2⁻⁵² or 2⁻²³).
func cfEps[T cfFloat]() float64 {
	if cfIs32[T]() {
		return 0x1p-23
	}
	return 0x1p-52
}

// cfTiny is the smallest positive subnormal of T.
func cfTiny[T cfFloat]() float64 {
	if cfIs32[T]() {
		return 0x1p-149
	}
	return 0x1p-1074
}

// cfSentinel is a quiet NaN with a payload no kernel produces.
func cfSentinel[T cfFloat]() T {
	var x T
	switch p := any(&x).(type) {
	case *float32:
		*p = math.Float32frombits(0x7fc5e471)
	case *float64:
		*p = math.Float64frombits(0x7ff85e471e1a0001)
	}
	return x
}

// cfUlp returns the unit in the last place of x in precision T (the spacing
// of T values at |x|; 2⁻¹⁰⁷⁴ or 2⁻¹⁴⁹ in the subnormal range).
func cfUlp[T cfFloat](x float64) float64 {
	x = math.Abs(x)
	if cfIs32[T]() {
		if x < 0x1p-126 {
			return 0x1p-149
		}
		_, e := math.Frexp(x)
		return math.Ldexp(1, e-24)
	}
	if x < 0x1p-1022 {
		return 0x1p-1074
	}
	_, e := math.Frexp(x)
	return math.Ldexp(1, e-53)
}

// cfRZeroBeyond is the |z| beyond which the kernels' R terms are 0
// (approx.ErfZero64 or approx.ErfZero32, where exp(−z²) < 6e-22 or
// < 2e-9), less a relative margin for the rounding of z.
func cfRZeroBeyond[T cfFloat]() float64 {
	if cfIs32[T]() {
		return approx.ErfZero32 * (1 - 1e-6)
	}
	return approx.ErfZero64 * (1 - 1e-9)
}

// cfSqrt2v is q = √(2v) rounded to T, as the kernels compute it.
func cfSqrt2v[T cfFloat](v T) T { return T(math.Sqrt(float64(2 * v))) }

// cfSet is one implementation's kernels in one precision.
type cfSet[T cfFloat] struct {
	Erf          func(dst, x []T)
	ExpNegSquare func(dst, x []T)
	PairTerms    func(h, erf, ex, d, v []T)
	CrossRowSums func(out, ma, va, wb, mb, vb []T)
	CrossGrad    func(rows, cols [3][]T, wa, ma, va, wb, mb, vb []T)
	SelfRowSums  func(out, m, v, w []T)
	SelfGrad     func(rows, cols [3][]T, m, v, w []T)
	DiracRowSums func(out, ma, va, wx, x []T)
	DiracGrad    func(rows, cols [3][]T, wa, ma, va, wx, x []T)
}

func cfSet64(im *kernels.Impl) cfSet[float64] {
	g := func(s [3][]float64) kernels.GradSums64 { return kernels.GradSums64{H: s[0], D: s[1], R: s[2]} }
	return cfSet[float64]{
		Erf: im.Erf64, ExpNegSquare: im.ExpNegSquare64, PairTerms: im.PairTerms64,
		CrossRowSums: im.CrossRowSums64, SelfRowSums: im.SelfRowSums64, DiracRowSums: im.DiracRowSums64,
		CrossGrad: func(r, c [3][]float64, wa, ma, va, wb, mb, vb []float64) {
			im.CrossGrad64(g(r), g(c), wa, ma, va, wb, mb, vb)
		},
		SelfGrad: func(r, c [3][]float64, m, v, w []float64) { im.SelfGrad64(g(r), g(c), m, v, w) },
		DiracGrad: func(r, c [3][]float64, wa, ma, va, wx, x []float64) {
			im.DiracGrad64(g(r), g(c), wa, ma, va, wx, x)
		},
	}
}

func cfSet32(im *kernels.Impl) cfSet[float32] {
	g := func(s [3][]float32) kernels.GradSums32 { return kernels.GradSums32{H: s[0], D: s[1], R: s[2]} }
	return cfSet[float32]{
		Erf: im.Erf32, ExpNegSquare: im.ExpNegSquare32, PairTerms: im.PairTerms32,
		CrossRowSums: im.CrossRowSums32, SelfRowSums: im.SelfRowSums32, DiracRowSums: im.DiracRowSums32,
		CrossGrad: func(r, c [3][]float32, wa, ma, va, wb, mb, vb []float32) {
			im.CrossGrad32(g(r), g(c), wa, ma, va, wb, mb, vb)
		},
		SelfGrad: func(r, c [3][]float32, m, v, w []float32) { im.SelfGrad32(g(r), g(c), m, v, w) },
		DiracGrad: func(r, c [3][]float32, wa, ma, va, wx, x []float32) {
			im.DiracGrad32(g(r), g(c), wa, ma, va, wx, x)
		},
	}
}

// cfSlab is a slice of length n at offset off in a buffer whose other
// elements hold the sentinel. The slice's capacity equals its length.
type cfSlab[T cfFloat] struct {
	buf    []T
	off, n int
}

func cfNewSlab[T cfFloat](off, n int) cfSlab[T] {
	buf := make([]T, off+n+cfTail)
	s := cfSentinel[T]()
	for i := range buf {
		buf[i] = s
	}
	return cfSlab[T]{buf, off, n}
}

// cfPlace copies src into a new slab at offset off.
func cfPlace[T cfFloat](off int, src []T) cfSlab[T] {
	s := cfNewSlab[T](off, len(src))
	copy(s.get(), src)
	return s
}

func (s cfSlab[T]) get() []T { return s.buf[s.off : s.off+s.n : s.off+s.n] }

// damaged returns a description of the first overwritten sentinel, or "".
func (s cfSlab[T]) damaged() string {
	want := cfBits(cfSentinel[T]())
	for i, x := range s.buf {
		if i >= s.off && i < s.off+s.n {
			continue
		}
		if cfBits(x) != want {
			return fmt.Sprintf("element %d relative to the slice start (len %d) was overwritten with %v", i-s.off, s.n, x)
		}
	}
	return ""
}

// cfSame reports whether two results are the same: identical bits, or both NaN.
func cfSame[T cfFloat](a, b T) bool { return cfBits(a) == cfBits(b) || (cfIsNaN(a) && cfIsNaN(b)) }

// cfWorst records the largest error seen per label, for the log.
type cfWorst map[string]*struct {
	err float64
	at  string
}

func (w cfWorst) note(label string, err float64, at func() string) {
	e, ok := w[label]
	if !ok {
		e = &struct {
			err float64
			at  string
		}{-1, ""}
		w[label] = e
	}
	if err > e.err {
		e.err, e.at = err, at()
	}
}

func (w cfWorst) log(t *testing.T) {
	t.Helper()
	labels := make([]string, 0, len(w))
	for l := range w {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		t.Logf("max error %-22s %.3g at %s", l, w[l].err, w[l].at)
	}
}

// cfFailer stops a subtest after cfMaxErrors errors. Errors of a recurring
// class (see class) are counted and reported once, by flush, so that they do
// not hide other errors.
type cfFailer struct {
	t       *testing.T
	n       int
	classes []string
	first   map[string]string
	count   map[string]int
}

// class records an error of a recurring kind; flush reports the first
// instance and the number of occurrences.
func (f *cfFailer) class(kind, format string, args ...any) {
	if f.count == nil {
		f.first, f.count = map[string]string{}, map[string]int{}
	}
	if f.count[kind] == 0 {
		f.classes = append(f.classes, kind)
		f.first[kind] = fmt.Sprintf(format, args...)
	}
	f.count[kind]++
}

func (f *cfFailer) flush() {
	f.t.Helper()
	for _, k := range f.classes {
		f.t.Errorf("%s: %d cases, the first: %s", k, f.count[k], f.first[k])
	}
	f.classes = nil
}

func (f *cfFailer) errorf(format string, args ...any) {
	f.t.Helper()
	f.t.Errorf(format, args...)
	if f.n++; f.n >= cfMaxErrors {
		f.t.Fatalf("stopping after %d errors", f.n)
	}
}

// ---------------------------------------------------------------------------
// Element-wise forms.

// cfElem describes one element-wise kernel with nIn inputs and nOut outputs.
type cfElem[T cfFloat] struct {
	nIn, nOut int
	run, ref  func(out, in [][]T)
	// check tests one element's outputs against independent references and
	// invariants; it returns a description of the violation or "".
	check func(in, out []T) string
}

// cfRunElem runs e on windows of cases (case i = the inputs of element i):
// every length 0…cfMaxLen at every start offset 0…cfMaxOff (different for
// every slice), then the whole case list at 32 rotations, so that every case
// lands in every lane of an unrolled ×4 loop of up to 8 lanes.
func cfRunElem[T cfFloat](t *testing.T, e cfElem[T], cases [][]T, seed uint64) {
	t.Helper()
	f := &cfFailer{t: t}
	try := func(win [][]T, off int) {
		n := len(win)
		ins := make([]cfSlab[T], e.nIn)
		in := make([][]T, e.nIn)
		for k := range ins {
			ins[k] = cfNewSlab[T]((off+k)%(cfMaxOff+1), n)
			in[k] = ins[k].get()
			for i := range win {
				in[k][i] = win[i][k]
			}
		}
		outs := make([]cfSlab[T], e.nOut)
		out := make([][]T, e.nOut)
		ref := make([][]T, e.nOut)
		for k := range outs {
			outs[k] = cfNewSlab[T]((off+e.nIn+k)%(cfMaxOff+1), n)
			out[k] = outs[k].get()
			ref[k] = make([]T, n)
		}
		e.run(out, in)
		for k := range ins {
			if msg := ins[k].damaged(); msg != "" {
				f.errorf("n=%d off=%d: around input %d: %s", n, off, k, msg)
			}
			for i := range win {
				if cfBits(in[k][i]) != cfBits(win[i][k]) {
					f.errorf("n=%d off=%d: input %d element %d modified: %v → %v", n, off, k, i, win[i][k], in[k][i])
				}
			}
		}
		for k := range outs {
			if msg := outs[k].damaged(); msg != "" {
				f.errorf("n=%d off=%d: around output %d: %s", n, off, k, msg)
			}
		}
		e.ref(ref, in)
		x := make([]T, e.nIn)
		y := make([]T, e.nOut)
		for i := 0; i < n; i++ {
			for k := range x {
				x[k] = in[k][i]
			}
			for k := range y {
				y[k] = out[k][i]
				if !cfSame(out[k][i], ref[k][i]) {
					f.errorf("n=%d off=%d element %d, inputs %v: output %d = %v (%#x), reference (purego) %v (%#x)",
						n, off, i, x, k, out[k][i], cfBits(out[k][i]), ref[k][i], cfBits(ref[k][i]))
				}
			}
			if e.check != nil {
				if msg := e.check(x, y); msg != "" {
					f.errorf("n=%d off=%d element %d, inputs %v, outputs %v: %s", n, off, i, x, y, msg)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0xc0f0))
	win := make([][]T, 0, len(cases))
	for n := 0; n <= cfMaxLen; n++ {
		for off := 0; off <= cfMaxOff; off++ {
			base := rng.IntN(len(cases))
			win = win[:0]
			for i := 0; i < n; i++ {
				win = append(win, cases[(base+i)%len(cases)])
			}
			try(win, off)
		}
	}
	for r := 0; r < 32; r++ {
		rr := r % len(cases)
		win = append(win[:0], cases[rr:]...)
		win = append(win, cases[:rr]...)
		try(win, r%(cfMaxOff+1))
	}
}

// cfSpecials returns the extreme and boundary magnitudes of the element-wise
// inputs of precision T, both signs, in a fixed order.
func cfSpecials[T cfFloat]() []T {
	var pos []float64
	if cfIs32[T]() {
		f := func(x float32, dir float32) float64 { return float64(math.Nextafter32(x, dir)) }
		pos = []float64{
			0, 0x1p-149, 3 * 0x1p-149, 0x1p-126, 1e-30, 1e-20, 1e-10, 1e-4, 1.0 / approx.ErfStep32, 0.1, 0.5, 1, 1.25, 2, 3.5,
			f(approx.ErfLast32, 0), approx.ErfLast32, f(approx.ErfLast32, 10),
			f(approx.ErfZero32, 0), approx.ErfZero32, f(approx.ErfZero32, 10),
			f(approx.ErfClamp32, 0), approx.ErfClamp32, f(approx.ErfClamp32, 10), 9.3, 9.5,
			f(approx.ExpClamp32, 0), approx.ExpClamp32, f(approx.ExpClamp32, 100), 11, 30, 100,
			1e10, 1e18, 1e36, math.MaxFloat32,
		}
	} else {
		f := math.Nextafter
		pos = []float64{
			0, 0x1p-1074, 3 * 0x1p-1074, 0x1p-1022, 1e-300, 1e-150, 1e-20, 1e-8, 1.0 / approx.ErfStep64, 0.1, 0.5, 1, 1.25, 2, 3.5,
			f(approx.ErfLast64, 0), approx.ErfLast64, f(approx.ErfLast64, 10),
			f(approx.ErfZero64, 0), approx.ErfZero64, f(approx.ErfZero64, 10),
			f(approx.ErfClamp64, 0), approx.ErfClamp64, f(approx.ErfClamp64, 10), 6.5, 10.5, 26.6, 27.3,
			f(approx.ExpClamp64, 0), approx.ExpClamp64, f(approx.ExpClamp64, 100), 28.5, 30, 100,
			1e10, 1e150, 1e300, math.MaxFloat64,
		}
	}
	out := make([]T, 0, 2*len(pos))
	for _, p := range pos {
		out = append(out, T(p), -T(p))
	}
	return out
}

// cfVars returns the special variances of precision T (v ≥ 0, 2v finite).
func cfVars[T cfFloat]() []T {
	vs := []float64{0, 0x1p-1074, 1e-300, 1e-150, 1e-20, 0.25, 0.5, 1, 2, 1e10, 1e150, 1e300, math.MaxFloat64 / 2}
	if cfIs32[T]() {
		vs = []float64{0, 0x1p-149, 1e-38, 1e-20, 0.25, 0.5, 1, 2, 1e10, 1e18, 1e36, math.MaxFloat32 / 2}
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// cfXCases returns the inputs for Erf and ExpNegSquare: the specials, ±Inf,
// every erf table row (its grid point and a random point inside), a sweep of
// the exp range and random values of every scale.
func cfXCases[T cfFloat](rng *rand.Rand) [][]T {
	xs := cfSpecials[T]()
	inf := T(math.Inf(1))
	xs = append(xs, inf, -inf)
	step, rows, clamp := float64(approx.ErfStep64), approx.ErfRows64, float64(approx.ExpClamp64)
	if cfIs32[T]() {
		step, rows, clamp = approx.ErfStep32, approx.ErfRows32, approx.ExpClamp32
	}
	sign := func() T {
		if rng.IntN(2) == 0 {
			return -1
		}
		return 1
	}
	for j := 0; j < rows+4; j++ {
		xs = append(xs, sign()*T(float64(j)/step), sign()*T((float64(j)+rng.Float64())/step))
	}
	for i := 0; i < 1000; i++ {
		xs = append(xs, sign()*T(rng.Float64()*(clamp+1)))
	}
	for i := 0; i < 300; i++ {
		xs = append(xs, T(rng.NormFloat64()*math.Exp(rng.NormFloat64()*4)))
	}
	cases := make([][]T, len(xs))
	for i, x := range xs {
		cases[i] = []T{x}
	}
	return cases
}

// cfPairCases returns (d, v) inputs for PairTerms: every special d with every
// special v (so v = 0 with d = 0 and d ≠ 0, and d = 0 with every v), d over
// the whole erf/exp range at v = 0.5 (there q = 1 and t = |d| exactly, which
// reaches the clamps precisely), and random pairs.
func cfPairCases[T cfFloat](rng *rand.Rand) [][]T {
	var cases [][]T
	for _, d := range cfSpecials[T]() {
		for _, v := range cfVars[T]() {
			cases = append(cases, []T{d, v})
		}
	}
	clamp := float64(approx.ExpClamp64)
	if cfIs32[T]() {
		clamp = approx.ExpClamp32
	}
	for i := 0; i < 400; i++ {
		d := T(rng.Float64() * (clamp + 1))
		if i%2 == 1 {
			d = -d
		}
		cases = append(cases, []T{d, 0.5})
	}
	for i := 0; i < 400; i++ {
		s := math.Exp(rng.NormFloat64() * 3)
		d := T(rng.NormFloat64() * s * math.Exp(rng.NormFloat64()))
		v := T(s * s * rng.Float64())
		cases = append(cases, []T{d, v})
	}
	rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	return cases
}

// Independent references.
//
// erf: math.Erf (< 1 ULP). exp(−x²): math.Exp of the exactly split square,
// exp(−hi)·(1 − lo) with hi + lo = x² (float32 squares are exact in float64).
// h: the float64 formula s·√(2/π)·exp(−z²) + d·erf(z). The kernels promise 4
// ULP; the float64 references get 1 ULP of slack, the float32 ones none (they
// are far more accurate than a float32 ULP).

func cfExpRef(x float64) float64 {
	hi := x * x
	lo := math.FMA(x, x, -hi)
	return math.Exp(-hi) * (1 - lo)
}

func cfCheckErf[T cfFloat](w cfWorst) func(in, out []T) string {
	tol := 5.0
	if cfIs32[T]() {
		tol = 4
	}
	return func(in, out []T) string {
		x, y := float64(in[0]), float64(out[0])
		switch {
		case math.IsNaN(x):
			return ""
		case math.IsNaN(y):
			return "NaN"
		case math.Abs(y) > 1:
			return "|erf| > 1"
		case math.Signbit(x) != math.Signbit(y):
			return "sign of erf differs from the sign of x"
		}
		ref := math.Erf(x)
		e := math.Abs(y-ref) / cfUlp[T](ref)
		w.note("erf (ULP)", e, func() string { return fmt.Sprint(in[0]) })
		if !(e <= tol) {
			return fmt.Sprintf("%.2f ULP from math.Erf = %v", e, ref)
		}
		return ""
	}
}

func cfCheckExp[T cfFloat](w cfWorst) func(in, out []T) string {
	tol, floor := 5.0, 1e-300
	if cfIs32[T]() {
		tol, floor = 4, 0
	}
	return func(in, out []T) string {
		x, y := float64(in[0]), float64(out[0])
		switch {
		case math.IsNaN(x):
			return ""
		case math.IsNaN(y):
			return "NaN"
		case !(y >= 0 && y <= 1):
			return "exp(−x²) outside [0, 1]"
		}
		ref := cfExpRef(x)
		if math.IsNaN(ref) { // x² overflows: exp(−x²) = 0
			ref = 0
		}
		if ref <= floor {
			if y > floor*(1+1e-14) {
				return fmt.Sprintf("reference %g ≤ %g but result is larger", ref, floor)
			}
			return ""
		}
		e := math.Abs(y-ref) / cfUlp[T](ref)
		w.note("exp(-x²) (ULP)", e, func() string { return fmt.Sprint(in[0]) })
		if !(e <= tol) {
			return fmt.Sprintf("%.2f ULP from the reference %v", e, ref)
		}
		return ""
	}
}

// cfCheckPair checks h, erf and ex of one pair (d, v).
//
// Always: no NaN; h ≥ 0, |erf| ≤ 1, 0 ≤ ex ≤ 1; erf has the sign of d;
// h(d, 0) = |d| and h(0, 0) = 0 exactly; max(|d|, s√(2/π))·(1−4ε) ≤ h ≤
// (|d| + s√(2/π))·(1+4ε).
//
// For moderate arguments (float64: v and |d| in [1e-200, 1e200] or d = 0;
// float32: [1e-30, 1e30]): h within 1e-14 relative (float64) or 4 float32 ULP
// of the float64 formula; erf and ex within 5 (float64) or 4 (float32) ULP of
// math.Erf(z) and math.Exp(−z²), plus the effect of the rounding of z itself
// (the kernels compute z from rounded √(2v) and 1/q: ≤ 4ε relative), whose
// condition numbers are z·erf′(z)/erf(z) ≤ 1 and 2z².
func cfCheckPair[T cfFloat](w cfWorst) func(in, out []T) string {
	eps := cfEps[T]()
	is32 := cfIs32[T]()
	lo, hi := 1e-200, 1e200
	ulps := 5.0
	if is32 {
		lo, hi = 1e-30, 1e30
		ulps = 4
	}
	return func(in, out []T) string {
		d, v := float64(in[0]), float64(in[1])
		h, erf, ex := float64(out[0]), float64(out[1]), float64(out[2])
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return ""
		}
		switch {
		case math.IsNaN(h) || math.IsNaN(erf) || math.IsNaN(ex):
			return "NaN output for valid input"
		case !(h >= 0):
			return "h < 0"
		case !(math.Abs(erf) <= 1):
			return "|erf| > 1"
		case !(ex >= 0 && ex <= 1):
			return "ex outside [0, 1]"
		case math.Signbit(erf) != math.Signbit(d):
			return "sign of erf differs from the sign of d"
		}
		ad := math.Abs(d)
		if v == 0 && math.Float64bits(h) != math.Float64bits(ad) {
			return fmt.Sprintf("h(d, 0) = %v, want |d| exactly", h)
		}
		s := math.Sqrt(v)
		sk := s * math.Sqrt(2/math.Pi)
		if low := math.Max(ad, sk) * (1 - 4*eps); !(h >= low) {
			return fmt.Sprintf("h below max(|d|, s√(2/π))·(1−4ε) = %v", low)
		}
		if up := (ad + sk) * (1 + 4*eps); !(h <= up) {
			return fmt.Sprintf("h above (|d| + s√(2/π))·(1+4ε) = %v", up)
		}
		moderate := v >= lo && v <= hi && (d == 0 || (ad >= lo && ad <= hi))
		if !moderate {
			return ""
		}
		z := d / (s * math.Sqrt2)
		zerr := 4 * eps // relative error of the kernel's z
		refH := sk*math.Exp(-z*z) + d*math.Erf(z)
		rel := math.Abs(h-refH) / refH
		w.note("h (relative)", rel, func() string { return fmt.Sprintf("d=%v v=%v", in[0], in[1]) })
		if is32 {
			e := math.Abs(h-refH) / cfUlp[T](refH)
			w.note("h (ULP)", e, func() string { return fmt.Sprintf("d=%v v=%v", in[0], in[1]) })
			if !(e <= 4) {
				return fmt.Sprintf("h %.2f float32 ULP from the float64 formula %v", e, refH)
			}
		} else if !(rel <= 1e-14) {
			return fmt.Sprintf("h relative error %.3g from the float64 formula %v", rel, refH)
		}
		refE := math.Erf(z)
		tolE := ulps*cfUlp[T](refE) + math.Abs(refE)*zerr
		w.note("erf output (tol units)", math.Abs(erf-refE)/tolE, func() string { return fmt.Sprintf("d=%v v=%v", in[0], in[1]) })
		if !(math.Abs(erf-refE) <= tolE) {
			return fmt.Sprintf("erf differs from math.Erf(z) = %v by %.3g > %.3g", refE, math.Abs(erf-refE), tolE)
		}
		refX := math.Exp(-z * z)
		if refX > 1e-300 && (!is32 || refX > 0x1p-126) {
			tolX := ulps*cfUlp[T](refX) + refX*(2*z*z+1)*zerr
			w.note("ex output (tol units)", math.Abs(ex-refX)/tolX, func() string { return fmt.Sprintf("d=%v v=%v", in[0], in[1]) })
			if !(math.Abs(ex-refX) <= tolX) {
				return fmt.Sprintf("ex differs from math.Exp(−z²) = %v by %.3g > %.3g", refX, math.Abs(ex-refX), tolX)
			}
		}
		return ""
	}
}

func cfErfElem[T cfFloat](im, ref cfSet[T], w cfWorst) cfElem[T] {
	return cfElem[T]{nIn: 1, nOut: 1,
		run:   func(out, in [][]T) { im.Erf(out[0], in[0]) },
		ref:   func(out, in [][]T) { ref.Erf(out[0], in[0]) },
		check: cfCheckErf[T](w),
	}
}

func cfExpElem[T cfFloat](im, ref cfSet[T], w cfWorst) cfElem[T] {
	return cfElem[T]{nIn: 1, nOut: 1,
		run:   func(out, in [][]T) { im.ExpNegSquare(out[0], in[0]) },
		ref:   func(out, in [][]T) { ref.ExpNegSquare(out[0], in[0]) },
		check: cfCheckExp[T](w),
	}
}

func cfPairElem[T cfFloat](im, ref cfSet[T], w cfWorst) cfElem[T] {
	return cfElem[T]{nIn: 2, nOut: 3,
		run:   func(out, in [][]T) { im.PairTerms(out[0], out[1], out[2], in[0], in[1]) },
		ref:   func(out, in [][]T) { ref.PairTerms(out[0], out[1], out[2], in[0], in[1]) },
		check: cfCheckPair[T](w),
	}
}

// cfNonFinite returns inputs outside the numerical contract that still have
// a defined result under the algorithm of package approx (the clamps are
// min(x, limit), so NaN becomes the limit): they are compared with purego
// bitwise only (a NaN result need only be a NaN).
func cfNonFiniteX[T cfFloat]() [][]T {
	nan := T(math.NaN())
	return [][]T{{nan}, {-nan}, {T(math.Inf(1))}, {T(math.Inf(-1))}, {1}, {nan}, {0}, {nan}}
}

func cfNonFinitePairs[T cfFloat]() [][]T {
	var cases [][]T
	for _, d := range []T{T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN())} {
		for _, v := range cfVars[T]() {
			cases = append(cases, []T{d, v})
		}
	}
	return cases
}

func cfElementwise[T cfFloat](t *testing.T, name string, set func(*kernels.Impl) cfSet[T],
	mk func(im, ref cfSet[T], w cfWorst) cfElem[T], cases func(*rand.Rand) [][]T, nonFinite [][]T) {
	for _, kname := range kernels.Names() {
		im := cfLookup(t, kname)
		t.Run(kname, func(t *testing.T) {
			w := cfWorst{}
			e := mk(set(im), set(cfRef), w)
			cfRunElem(t, e, cases(rand.New(rand.NewPCG(1, uint64(len(name))))), 7)
			w.log(t)
			if nonFinite != nil {
				t.Run("nonfinite", func(t *testing.T) {
					e.check = nil
					cfRunElem(t, e, nonFinite, 8)
				})
			}
		})
	}
}

func TestConformErf64(t *testing.T) {
	cfElementwise(t, "erf64", cfSet64, cfErfElem[float64], cfXCases[float64], cfNonFiniteX[float64]())
}

func TestConformErf32(t *testing.T) {
	cfElementwise(t, "erf32", cfSet32, cfErfElem[float32], cfXCases[float32], cfNonFiniteX[float32]())
}

func TestConformExpNegSquare64(t *testing.T) {
	cfElementwise(t, "exp64", cfSet64, cfExpElem[float64], cfXCases[float64], cfNonFiniteX[float64]())
}

func TestConformExpNegSquare32(t *testing.T) {
	cfElementwise(t, "exp32", cfSet32, cfExpElem[float32], cfXCases[float32], cfNonFiniteX[float32]())
}

func TestConformPairTerms64(t *testing.T) {
	cfElementwise(t, "pair64", cfSet64, cfPairElem[float64], cfPairCases[float64], cfNonFinitePairs[float64]())
}

func TestConformPairTerms32(t *testing.T) {
	cfElementwise(t, "pair32", cfSet32, cfPairElem[float32], cfPairCases[float32], cfNonFinitePairs[float32]())
}

// TestConformAliasing: the element-wise outputs may alias their inputs
// (documented in purego); in-place results must equal out-of-place ones.
func TestConformAliasing(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { cfAliasing(t, cfSet64(im)) })
			t.Run("float32", func(t *testing.T) { cfAliasing(t, cfSet32(im)) })
		})
	}
}

func cfAliasing[T cfFloat](t *testing.T, im cfSet[T]) {
	rng := rand.New(rand.NewPCG(3, 4))
	pairs := cfPairCases[T](rng)
	f := &cfFailer{t: t}
	for n := 0; n <= cfMaxLen; n++ {
		base := rng.IntN(len(pairs))
		d, v := make([]T, n), make([]T, n)
		for i := range d {
			d[i], v[i] = pairs[(base+i)%len(pairs)][0], pairs[(base+i)%len(pairs)][1]
		}
		for _, fn := range []struct {
			name string
			f    func(dst, x []T)
		}{{"Erf", im.Erf}, {"ExpNegSquare", im.ExpNegSquare}} {
			want := make([]T, n)
			fn.f(want, d)
			got := append([]T(nil), d...)
			fn.f(got, got)
			for i := range want {
				if !cfSame(got[i], want[i]) {
					f.errorf("%s in place, n=%d, element %d (x=%v): %v, out of place %v", fn.name, n, i, d[i], got[i], want[i])
				}
			}
		}
		h, e, x := make([]T, n), make([]T, n), make([]T, n)
		im.PairTerms(h, e, x, d, v)
		want := [3][]T{h, e, x}
		// Each layout names, for outputs h, erf, ex, which buffer they use:
		// 0 = d, 1 = v, 2 = a fresh one.
		for _, lay := range [][3]int{{0, 1, 2}, {1, 0, 2}, {2, 0, 1}, {1, 2, 0}, {0, 2, 1}, {2, 1, 0}} {
			bd, bv := append([]T(nil), d...), append([]T(nil), v...)
			buf := [3][]T{bd, bv, make([]T, n)}
			im.PairTerms(buf[lay[0]], buf[lay[1]], buf[lay[2]], bd, bv)
			for k := 0; k < 3; k++ {
				for i := 0; i < n; i++ {
					if !cfSame(buf[lay[k]][i], want[k][i]) {
						f.errorf("PairTerms aliased %v, n=%d: output %d element %d (d=%v v=%v) = %v, unaliased %v",
							lay, n, k, i, d[i], v[i], buf[lay[k]][i], want[k][i])
					}
				}
			}
		}
	}
}

// TestConformShortSlices: an output or input slice shorter than the length
// the kernel processes must panic (an index check in the Go code), not be
// read or written past its end. Subtest "cap=len" uses slices without spare
// capacity; "len<cap" gives every slice spare capacity, so that a kernel
// which reslices with s[:n] (a check against the capacity, not the length)
// reads and writes past len(s) instead of panicking.
func TestConformShortSlices(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("cap=len/float64", func(t *testing.T) { cfShort(t, cfSet64(im), 0) })
			t.Run("cap=len/float32", func(t *testing.T) { cfShort(t, cfSet32(im), 0) })
			t.Run("len<cap", func(t *testing.T) {
				t.Run("float64", func(t *testing.T) { cfShort(t, cfSet64(im), 4) })
				t.Run("float32", func(t *testing.T) { cfShort(t, cfSet32(im), 4) })
			})
		})
	}
}

func cfShort[T cfFloat](t *testing.T, im cfSet[T], spare int) {
	const n = 13
	mk := func(k int) []T {
		s := make([]T, k+spare)
		for i := range s {
			s[i] = T(i%5) * 0.25
		}
		return s[:k]
	}
	ok, sh := mk(n), mk(n-1)
	full := [3][]T{mk(n), mk(n), mk(n)}
	short := [3][]T{mk(n - 1), mk(n - 1), mk(n - 1)}
	cases := []struct {
		name string
		f    func()
	}{
		{"Erf dst", func() { im.Erf(sh, ok) }},
		{"ExpNegSquare dst", func() { im.ExpNegSquare(sh, ok) }},
		{"PairTerms h", func() { im.PairTerms(sh, mk(n), mk(n), ok, mk(n)) }},
		{"PairTerms erf", func() { im.PairTerms(mk(n), sh, mk(n), ok, mk(n)) }},
		{"PairTerms ex", func() { im.PairTerms(mk(n), mk(n), sh, ok, mk(n)) }},
		{"PairTerms v", func() { im.PairTerms(mk(n), mk(n), mk(n), ok, sh) }},
		{"CrossRowSums out", func() { im.CrossRowSums(sh, ok, ok, ok, ok, ok) }},
		{"CrossRowSums va", func() { im.CrossRowSums(mk(n), ok, sh, ok, ok, ok) }},
		{"CrossRowSums wb", func() { im.CrossRowSums(mk(n), ok, ok, sh, ok, ok) }},
		{"CrossRowSums vb", func() { im.CrossRowSums(mk(n), ok, ok, ok, ok, sh) }},
		{"CrossGrad rows", func() { im.CrossGrad(short, full, ok, ok, ok, ok, ok, ok) }},
		{"CrossGrad cols", func() { im.CrossGrad(full, short, ok, ok, ok, ok, ok, ok) }},
		{"CrossGrad wa", func() { im.CrossGrad(full, full, sh, ok, ok, ok, ok, ok) }},
		{"SelfRowSums v", func() { im.SelfRowSums(mk(n), ok, sh, ok) }},
		{"SelfRowSums w", func() { im.SelfRowSums(mk(n), ok, ok, sh) }},
		{"SelfRowSums out > m", func() { im.SelfRowSums(mk(n), sh, sh, sh) }},
		{"SelfGrad cols", func() { im.SelfGrad(full, short, ok, ok, ok) }},
		{"DiracRowSums out", func() { im.DiracRowSums(sh, ok, ok, ok, ok) }},
		{"DiracRowSums va", func() { im.DiracRowSums(mk(n), ok, sh, ok, ok) }},
		{"DiracRowSums wx", func() { im.DiracRowSums(mk(n), ok, ok, sh, ok) }},
		{"DiracGrad rows", func() { im.DiracGrad(short, full, ok, ok, ok, ok, ok) }},
		{"DiracGrad cols", func() { im.DiracGrad(full, [3][]T{sh, sh, nil}, ok, ok, ok, ok, ok) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: a short slice did not panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// ---------------------------------------------------------------------------
// Row sums and gradients.
//
// The reference is a naive double loop over the pair terms of the reference
// PairTerms (d and v formed in T exactly as the kernels form them, so h and
// erf are bit-identical to the kernels' terms), summed in float64 with
// Neumaier compensation. The kernels' summation order is
// implementation-defined, so a sum of n terms t_k must satisfy
//
//	|got − ref| ≤ 8·n·ε·Σ|t_k|      (ε: machine epsilon of T)
//
// The R terms (√(2/π)·exp(−z²)/s) are formed from PairTerms' ex as
// (2/√π)·ex/q, which is not bit-identical to the kernels' e2·rq: for them the
// bound is 8·(n+1)·ε·Σ|t_k| plus 4 subnormal steps of ex per term scaled by
// w/q (the absolute error of exp(−z²) in the subnormal range), plus the
// whole term where |z| is beyond the erf grid (approx.ErfZero64/32: the
// kernels take exp(−z²) as 0 there). Every bound
// also allows one subnormal step per term (products w·t that underflow).
// Column sums start from a pre-filled value p, which counts as one more term.

type cfAcc struct{ s, c, abs, slack float64 }

func (a *cfAcc) add(x float64) {
	t := a.s + x
	if math.Abs(a.s) >= math.Abs(x) {
		a.c += (a.s - t) + x
	} else {
		a.c += (x - t) + a.s
	}
	a.s = t
	a.abs += math.Abs(x)
}

func (a *cfAcc) sum() float64 { return a.s + a.c }

// cfTerms are the reference pair terms: h, signed erf, R, and R's absolute slack.
type cfTerms struct{ h, e, r, slack []float64 }

func cfPairTerms[T cfFloat](ref cfSet[T], d, v []T) cfTerms {
	n := len(d)
	h, e, ex := make([]T, n), make([]T, n), make([]T, n)
	ref.PairTerms(h, e, ex, d, v)
	p := cfTerms{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	tiny := cfTiny[T]()
	for i := range d {
		p.h[i], p.e[i] = float64(h[i]), float64(e[i])
		if q := float64(cfSqrt2v(v[i])); q != 0 {
			p.r[i] = approx.TwoOverSqrtPi * float64(ex[i]) / q
			p.slack[i] = 4 * tiny / q
			if math.Abs(float64(d[i]))/q > cfRZeroBeyond[T]() {
				p.slack[i] += p.r[i] // the kernels' R term is 0 there
			}
		}
	}
	return p
}

// cfClose checks got against the accumulated reference of n terms.
func cfClose[T cfFloat](got T, a *cfAcc, n int, rterm bool) (ok bool, tol float64) {
	k := float64(n)
	if rterm {
		k++
	}
	tol = 8*k*cfEps[T]()*a.abs + k*cfTiny[T]() + a.slack
	return math.Abs(float64(got)-a.sum()) <= tol, tol
}

// addTo adds w times pair term k to the accumulators of H, D and (when acc
// has three) R, with R's slack.
func (p cfTerms) addTo(acc []cfAcc, w float64, k int) {
	terms := [3][]float64{p.h, p.e, p.r}
	for g := range acc {
		acc[g].add(w * terms[g][k])
	}
	if len(acc) > 2 {
		acc[2].slack += math.Abs(w) * p.slack[k]
	}
}

// cfColAcc returns n accumulators (H, D[, R]) of column j holding the value
// the column sums start from.
func cfColAcc[T cfFloat](j, n int) []cfAcc {
	acc := make([]cfAcc, n)
	for g := range acc {
		acc[g].add(float64(cfPrefill[T](g, j)))
	}
	return acc
}

// cfCheckRowSum checks row i of the row-sum kernel <family>RowSums against
// the reference sum of n terms.
func cfCheckRowSum[T cfFloat](f *cfFailer, family, what string, i int, out T, acc *cfAcc, n int) {
	f.t.Helper()
	if ok, tol := cfClose(out, acc, n, false); !ok {
		f.errorf("%sRowSums %s row %d: %v, reference %v (tolerance %.3g)", family, what, i, out, acc.sum(), tol)
	}
}

// cfCheckGradRow checks row i of the gradient kernel <family>Grad: rows.H
// must equal the row sum out bit for bit, and rows.H, D, R must match the
// reference sums of n terms.
func cfCheckGradRow[T cfFloat](f *cfFailer, family, what string, i int, out T, rows [3][]T, acc *[3]cfAcc, n int) {
	f.t.Helper()
	if cfBits(rows[0][i]) != cfBits(out) {
		f.class(family+"Grad rows.H differs from "+family+"RowSums (must be bit-identical)", "%s: rows.H[%d] = %v, "+family+"RowSums %v", what, i, rows[0][i], out)
	}
	for g := range acc {
		if ok, tol := cfClose(rows[g][i], &acc[g], n, g == 2); !ok {
			f.errorf("%sGrad %s rows.%s[%d]: %v, reference %v (tolerance %.3g)", family, what, cfGradNames[g], i, rows[g][i], acc[g].sum(), tol)
		}
	}
}

// cfCheckGradCol checks column j of the gradient kernel <family>Grad (cols.H,
// D and, when acc has three, R) against the reference sums of n terms, the
// pre-filled value included.
func cfCheckGradCol[T cfFloat](f *cfFailer, family, what string, j int, cols [3][]T, acc []cfAcc, n int) {
	f.t.Helper()
	for g := range acc {
		if ok, tol := cfClose(cols[g][j], &acc[g], n, g == 2); !ok {
			f.errorf("%sGrad %s cols.%s[%d] (pre-filled with %v): %v, reference %v (tolerance %.3g)",
				family, what, cfGradNames[g], j, cfPrefill[T](g, j), cols[g][j], acc[g].sum(), tol)
		}
	}
}

// cfMixture draws K weights, means and variances. Style 0: random values of
// one random scale, a quarter of the variances 0 and a quarter of the means
// repeated (from pool, which collects every mean drawn). Style 1: extremes.
func cfMixture[T cfFloat](rng *rand.Rand, k, style int, pool *[]T) (w, m, v []T) {
	w, m, v = make([]T, k), make([]T, k), make([]T, k)
	is32 := cfIs32[T]()
	tinyM, smallM, bigM, tinyV, bigV := 1e-300, 1e-150, 1e150, 1e-300, 1e300
	if is32 {
		tinyM, smallM, bigM, tinyV, bigV = 1e-30, 1e-15, 1e15, 1e-30, 1e30
	}
	scale := math.Exp(rng.NormFloat64() * 2)
	for i := 0; i < k; i++ {
		switch style {
		case 0:
			w[i] = T(rng.Float64())
			if rng.IntN(10) == 0 {
				w[i] = 0
			}
			m[i] = T(rng.NormFloat64() * scale)
			if len(*pool) > 0 && rng.IntN(4) == 0 {
				m[i] = (*pool)[rng.IntN(len(*pool))]
			}
			if rng.IntN(4) != 0 {
				s := rng.NormFloat64() * scale
				v[i] = T(s * s * rng.Float64())
			}
		default:
			ws := []float64{0, 1, 0.5, 1e-3, rng.Float64()}
			ms := []float64{0, tinyM, -tinyM, smallM, 1, -1, 2.5, bigM, -bigM, rng.NormFloat64()}
			vs := []float64{0, 0, tinyV, 1e-6, 1, bigV, rng.Float64()}
			w[i] = T(ws[rng.IntN(len(ws))])
			m[i] = T(ms[rng.IntN(len(ms))])
			if len(*pool) > 0 && rng.IntN(4) == 0 {
				m[i] = (*pool)[rng.IntN(len(*pool))]
			}
			v[i] = T(vs[rng.IntN(len(vs))])
		}
		*pool = append(*pool, m[i])
	}
	return w, m, v
}

// cfGradSlabs allocates three slabs of length n at random offsets, filled
// with fill(j) (nil: left as sentinels — outputs that are overwritten).
func cfGradSlabs[T cfFloat](rng *rand.Rand, n int, fill func(k, j int) T) (sl [3]cfSlab[T], s [3][]T) {
	for k := range sl {
		sl[k] = cfNewSlab[T](rng.IntN(cfMaxOff+1), n)
		s[k] = sl[k].get()
		if fill != nil {
			for j := range s[k] {
				s[k][j] = fill(k, j)
			}
		}
	}
	return sl, s
}

// cfPrefill is the value the column sums start from.
func cfPrefill[T cfFloat](k, j int) T { return T(0.5+float64(j)/64) * T(k+1) }

// cfInputs places copies of the inputs at random offsets and can verify
// afterwards that neither they nor their surroundings changed.
type cfInputs[T cfFloat] struct {
	orig  [][]T
	slabs []cfSlab[T]
}

func (c *cfInputs[T]) place(rng *rand.Rand, src []T) []T {
	s := cfPlace(rng.IntN(cfMaxOff+1), src)
	c.orig = append(c.orig, src)
	c.slabs = append(c.slabs, s)
	return s.get()
}

func (c *cfInputs[T]) verify(f *cfFailer, what string) {
	f.t.Helper()
	for k, s := range c.slabs {
		if msg := s.damaged(); msg != "" {
			f.errorf("%s: around input %d: %s", what, k, msg)
		}
		for i, x := range s.get() {
			if cfBits(x) != cfBits(c.orig[k][i]) {
				f.errorf("%s: input %d element %d modified: %v → %v", what, k, i, c.orig[k][i], x)
			}
		}
	}
}

func cfVerifyOut[T cfFloat](f *cfFailer, what string, slabs ...cfSlab[T]) {
	f.t.Helper()
	for k, s := range slabs {
		if msg := s.damaged(); msg != "" {
			f.errorf("%s: around output %d: %s", what, k, msg)
		}
	}
}

var cfGradNames = [3]string{"H", "D", "R"}

// cfSums runs the cross, self and Dirac kernels of im for every (K, M) with
// K ≤ 9 and M ≤ cfMaxLen in both data styles.
// cfLongCols are column counts past two blocks of the AVX2 row kernels'
// two-pass loop (16 vectors: 64 float64 or 128 float32 columns), around
// the block edges, tested with a few rows.
var cfLongCols = []int{127, 128, 129, 191, 192, 255, 256, 257, 300, 385}

func cfSums[T cfFloat](t *testing.T, im, ref cfSet[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	t.Run("Cross", func(t *testing.T) {
		f := &cfFailer{t: t}
		defer f.flush()
		for k := 0; k <= 9; k++ {
			for m := 0; m <= cfMaxLen; m++ {
				for style := 0; style < 2; style++ {
					cfCross(f, rng, im, ref, k, m, style)
				}
			}
		}
		for _, m := range cfLongCols {
			for style := 0; style < 2; style++ {
				cfCross(f, rng, im, ref, 3, m, style)
			}
		}
	})
	t.Run("Self", func(t *testing.T) {
		f := &cfFailer{t: t}
		defer f.flush()
		for k := 0; k <= 9; k++ {
			for m := k; m <= cfMaxLen; m++ {
				for style := 0; style < 2; style++ {
					cfSelf(f, rng, im, ref, k, m, style)
				}
			}
		}
		for _, m := range cfLongCols {
			for style := 0; style < 2; style++ {
				cfSelf(f, rng, im, ref, 5, m, style) // rows start at columns 1 … 5
			}
		}
	})
	t.Run("Dirac", func(t *testing.T) {
		f := &cfFailer{t: t}
		defer f.flush()
		for k := 0; k <= 9; k++ {
			for m := 0; m <= cfMaxLen; m++ {
				for style := 0; style < 2; style++ {
					cfDirac(f, rng, im, ref, k, m, style)
				}
			}
		}
		for _, m := range cfLongCols {
			for style := 0; style < 2; style++ {
				cfDirac(f, rng, im, ref, 3, m, style)
			}
		}
	})
}

func cfCross[T cfFloat](f *cfFailer, rng *rand.Rand, im, ref cfSet[T], K, M, style int) {
	var pool []T
	wa0, ma0, va0 := cfMixture(rng, K, style, &pool)
	wb0, mb0, vb0 := cfMixture(rng, M, style, &pool)
	var in cfInputs[T]
	wa, ma, va := in.place(rng, wa0), in.place(rng, ma0), in.place(rng, va0)
	wb, mb, vb := in.place(rng, wb0), in.place(rng, mb0), in.place(rng, vb0)
	what := fmt.Sprintf("K=%d M=%d style=%d", K, M, style)

	outS := cfNewSlab[T](rng.IntN(cfMaxOff+1), K)
	out := outS.get()
	im.CrossRowSums(out, ma, va, wb, mb, vb)
	rowS, rows := cfGradSlabs[T](rng, K, nil)
	colS, cols := cfGradSlabs(rng, M, cfPrefill[T])
	im.CrossGrad(rows, cols, wa, ma, va, wb, mb, vb)
	in.verify(f, "CrossRowSums/CrossGrad "+what)
	cfVerifyOut(f, "CrossRowSums "+what, outS)
	cfVerifyOut(f, "CrossGrad rows "+what, rowS[:]...)
	cfVerifyOut(f, "CrossGrad cols "+what, colS[:]...)

	d, v := make([]T, K*M), make([]T, K*M)
	for i := 0; i < K; i++ {
		for j := 0; j < M; j++ {
			d[i*M+j], v[i*M+j] = ma0[i]-mb0[j], va0[i]+vb0[j]
		}
	}
	p := cfPairTerms(ref, d, v)
	for i := 0; i < K; i++ {
		var acc [3]cfAcc
		for j := 0; j < M; j++ {
			p.addTo(acc[:], float64(wb0[j]), i*M+j)
		}
		cfCheckRowSum(f, "Cross", what, i, out[i], &acc[0], M)
		cfCheckGradRow(f, "Cross", what, i, out[i], rows, &acc, M)
	}
	for j := 0; j < M; j++ {
		acc := cfColAcc[T](j, 3)
		for i := 0; i < K; i++ {
			p.addTo(acc, float64(wa0[i]), i*M+j)
		}
		cfCheckGradCol(f, "Cross", what, j, cols, acc, K+1)
	}
}

func cfSelf[T cfFloat](f *cfFailer, rng *rand.Rand, im, ref cfSet[T], K, M, style int) {
	var pool []T
	w0, m0, v0 := cfMixture(rng, M, style, &pool)
	var in cfInputs[T]
	w, m, v := in.place(rng, w0), in.place(rng, m0), in.place(rng, v0)
	what := fmt.Sprintf("rows=%d len(m)=%d style=%d", K, M, style)

	outS := cfNewSlab[T](rng.IntN(cfMaxOff+1), K)
	out := outS.get()
	im.SelfRowSums(out, m, v, w)
	rowS, rows := cfGradSlabs[T](rng, K, nil)
	colS, cols := cfGradSlabs(rng, M, cfPrefill[T])
	im.SelfGrad(rows, cols, m, v, w)
	in.verify(f, "SelfRowSums/SelfGrad "+what)
	cfVerifyOut(f, "SelfRowSums "+what, outS)
	cfVerifyOut(f, "SelfGrad rows "+what, rowS[:]...)
	cfVerifyOut(f, "SelfGrad cols "+what, colS[:]...)

	d, vv := make([]T, K*M), make([]T, K*M)
	for i := 0; i < K; i++ {
		for j := i + 1; j < M; j++ {
			d[i*M+j], vv[i*M+j] = m0[i]-m0[j], v0[i]+v0[j]
		}
	}
	p := cfPairTerms(ref, d, vv)
	for i := 0; i < K; i++ {
		var acc [3]cfAcc
		for j := i + 1; j < M; j++ {
			p.addTo(acc[:], float64(w0[j]), i*M+j)
		}
		n := M - i - 1
		cfCheckRowSum(f, "Self", what, i, out[i], &acc[0], n)
		cfCheckGradRow(f, "Self", what, i, out[i], rows, &acc, n)
	}
	for j := 0; j < M; j++ {
		acc := cfColAcc[T](j, 3)
		n := 0
		for i := 0; i < K && i < j; i++ {
			p.addTo(acc, float64(w0[i]), i*M+j)
			n++
		}
		cfCheckGradCol(f, "Self", what, j, cols, acc, n+1)
	}
}

func cfDirac[T cfFloat](f *cfFailer, rng *rand.Rand, im, ref cfSet[T], K, M, style int) {
	var pool []T
	wa0, ma0, va0 := cfMixture(rng, K, style, &pool)
	wx0, x0, _ := cfMixture(rng, M, style, &pool)
	var in cfInputs[T]
	wa, ma, va := in.place(rng, wa0), in.place(rng, ma0), in.place(rng, va0)
	wx, x := in.place(rng, wx0), in.place(rng, x0)
	zeros := in.place(rng, make([]T, M))
	what := fmt.Sprintf("K=%d M=%d style=%d", K, M, style)

	outS := cfNewSlab[T](rng.IntN(cfMaxOff+1), K)
	out := outS.get()
	im.DiracRowSums(out, ma, va, wx, x)
	crossS := cfNewSlab[T](rng.IntN(cfMaxOff+1), K)
	cross := crossS.get()
	im.CrossRowSums(cross, ma, va, wx, x, zeros)
	rowS, rows := cfGradSlabs[T](rng, K, nil)
	colS, cols := cfGradSlabs(rng, M, cfPrefill[T])
	colsR := cols[2]
	cols[2] = nil // DiracGrad does not use cols.R
	im.DiracGrad(rows, cols, wa, ma, va, wx, x)
	in.verify(f, "DiracRowSums/DiracGrad "+what)
	cfVerifyOut(f, "DiracRowSums "+what, outS)
	cfVerifyOut(f, "CrossRowSums (vb = 0) "+what, crossS)
	cfVerifyOut(f, "DiracGrad rows "+what, rowS[:]...)
	cfVerifyOut(f, "DiracGrad cols "+what, colS[:2]...)
	for j := range colsR {
		if cfBits(colsR[j]) != cfBits(cfPrefill[T](2, j)) {
			f.errorf("DiracGrad %s: wrote to a cols.R it was not given", what)
			break
		}
	}

	d, v := make([]T, K*M), make([]T, K*M)
	for i := 0; i < K; i++ {
		for j := 0; j < M; j++ {
			d[i*M+j], v[i*M+j] = ma0[i]-x0[j], va0[i]+0
		}
	}
	p := cfPairTerms(ref, d, v)
	for i := 0; i < K; i++ {
		var acc [3]cfAcc
		for j := 0; j < M; j++ {
			p.addTo(acc[:], float64(wx0[j]), i*M+j)
		}
		cfCheckRowSum(f, "Dirac", what, i, out[i], &acc[0], M)
		if ok, tol := cfClose(cross[i], &acc[0], M, false); !ok || math.Abs(float64(out[i])-float64(cross[i])) > tol {
			f.errorf("DiracRowSums %s row %d: %v, CrossRowSums with vb = 0: %v (tolerance %.3g)", what, i, out[i], cross[i], tol)
		}
		cfCheckGradRow(f, "Dirac", what, i, out[i], rows, &acc, M)
	}
	for j := 0; j < M; j++ {
		acc := cfColAcc[T](j, 2) // DiracGrad has no cols.R
		for i := 0; i < K; i++ {
			p.addTo(acc, float64(wa0[i]), i*M+j)
		}
		cfCheckGradCol(f, "Dirac", what, j, cols, acc, K+1)
	}
}

func TestConformRowSums64(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) { cfSums(t, cfSet64(im), cfSet64(cfRef)) })
	}
}

func TestConformRowSums32(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) { cfSums(t, cfSet32(im), cfSet32(cfRef)) })
	}
}

// ---------------------------------------------------------------------------
// Selection of the implementation.

// TestRequiredKernel fails when CRAMER_REQUIRE names an implementation other
// than the active one: a CI leg sets it (CRAMER_REQUIRE=avx2, =neon, =purego)
// to prove that the expected kernel was really selected, and not silently
// the fallback. Unset, it only logs the choice.
func TestRequiredKernel(t *testing.T) {
	active := kernels.Active()
	t.Logf("active implementation %q; usable: %v; InitError: %v", active.Name, kernels.Names(), kernels.InitError())
	want := os.Getenv("CRAMER_REQUIRE")
	if want == "" {
		return
	}
	if active.Name != want {
		t.Fatalf("CRAMER_REQUIRE=%s but the active implementation is %q (usable: %v; CRAMER_KERNEL=%q, InitError: %v)",
			want, active.Name, kernels.Names(), os.Getenv("CRAMER_KERNEL"), kernels.InitError())
	}
}

func TestLookupUnknown(t *testing.T) {
	im, err := kernels.Lookup("nope")
	if err == nil {
		t.Fatalf("Lookup(\"nope\") = %v, want an error", im.Name)
	}
	msg := err.Error()
	if !strings.Contains(msg, `"nope"`) {
		t.Errorf("error %q does not quote the requested name", msg)
	}
	for _, name := range kernels.Names() {
		if !strings.Contains(msg, name) {
			t.Errorf("error %q does not list the usable implementation %q", msg, name)
		}
	}
	names := kernels.Names()
	if len(names) == 0 || names[len(names)-1] == "" {
		t.Fatalf("Names() = %v", names)
	}
	found := false
	for _, n := range names {
		found = found || n == "purego"
	}
	if !found {
		t.Errorf("Names() = %v lacks purego", names)
	}
	if d := kernels.Default(); d.Name != names[0] {
		t.Errorf("Default() = %q, Names()[0] = %q", d.Name, names[0])
	}
}

func TestUseRestores(t *testing.T) {
	orig := kernels.Active().Name
	t.Cleanup(func() {
		if _, err := kernels.Use(orig); err != nil {
			t.Errorf("restoring %q: %v", orig, err)
		}
	})
	prev := orig
	names := kernels.Names()
	for _, name := range append(names, names...) {
		got, err := kernels.Use(name)
		if err != nil {
			t.Fatalf("Use(%q): %v", name, err)
		}
		if got != prev {
			t.Errorf("Use(%q) returned previous %q, want %q", name, got, prev)
		}
		if a := kernels.Active().Name; a != name {
			t.Errorf("after Use(%q) Active() = %q", name, a)
		}
		prev = name
	}
	if _, err := kernels.Use("nope"); err == nil {
		t.Errorf("Use(\"nope\") succeeded")
	}
	if a := kernels.Active().Name; a != prev {
		t.Errorf("failed Use changed the active implementation to %q", a)
	}
	back, err := kernels.Use(orig)
	if err != nil || back != prev {
		t.Errorf("Use(%q) = %q, %v; want %q, nil", orig, back, err, prev)
	}
	if a := kernels.Active().Name; a != orig {
		t.Errorf("not restored: Active() = %q, want %q", a, orig)
	}
}

// TestKernelEnv checks CRAMER_KERNEL in child processes (the choice is made
// once per process): each usable name is honoured, "nope" falls back to the
// default and InitError names the problem and the usable names.
func TestKernelEnv(t *testing.T) {
	if os.Getenv("CRAMER_CONFORMANCE_CHILD") == "1" {
		ie := ""
		if err := kernels.InitError(); err != nil {
			ie = err.Error()
		}
		fmt.Printf("CHILD active=%q initerr=%q\n", kernels.Active().Name, ie)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	re := regexp.MustCompile(`CHILD active="([^"]*)" initerr="((?:[^"\\]|\\.)*)"`)
	run := func(val string) (active, initErr string, ok bool) {
		cmd := exec.Command(exe, "-test.run=^TestKernelEnv$", "-test.count=1")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "CRAMER_KERNEL=") && !strings.HasPrefix(kv, "CRAMER_REQUIRE=") {
				env = append(env, kv)
			}
		}
		env = append(env, "CRAMER_CONFORMANCE_CHILD=1")
		if val != "" {
			env = append(env, "CRAMER_KERNEL="+val)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil && len(out) == 0 {
			t.Skipf("cannot run the test binary (%v); skipping", err)
		}
		m := re.FindSubmatch(out)
		if m == nil {
			t.Errorf("CRAMER_KERNEL=%q: child printed no result (err %v):\n%s", val, err, out)
			return "", "", false
		}
		return string(m[1]), string(m[2]), true
	}
	def := kernels.Default().Name
	if a, ie, ok := run(""); ok && (a != def || ie != "") {
		t.Errorf("CRAMER_KERNEL unset: active %q, InitError %q; want %q, none", a, ie, def)
	}
	for _, name := range kernels.Names() {
		if a, ie, ok := run(name); ok && (a != name || ie != "") {
			t.Errorf("CRAMER_KERNEL=%s: active %q, InitError %q; want %q, none", name, a, ie, name)
		}
	}
	a, ie, ok := run("nope")
	if ok {
		if a != def {
			t.Errorf("CRAMER_KERNEL=nope: active %q, want the default %q", a, def)
		}
		if !strings.Contains(ie, "nope") || !strings.Contains(ie, "CRAMER_KERNEL") {
			t.Errorf("CRAMER_KERNEL=nope: InitError %q should name the variable and the value", ie)
		}
		for _, name := range kernels.Names() {
			if !strings.Contains(ie, name) {
				t.Errorf("CRAMER_KERNEL=nope: InitError %q does not list %q", ie, name)
			}
		}
	}
}
