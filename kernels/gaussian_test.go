package kernels_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians (BatchGaussianValues, BatchGaussianGrad):
// every implementation that has them must return purego's scans, its
// underflow lane and write purego's bits, element by element, in both
// precisions, value and gradient, for every number of lanes up to past two
// groups of the widest kernel (16 vectors of 8 lanes) and a vector, and
// more, slices at offsets 0 … 3, inputs from the
// ordinary to the extreme (bFill, the element-wise specials, NaN, ±Inf, ±0
// and subnormals in every field, point-mass targets), limits at the values'
// own edges, and values that underflow (in float32 only, tiny weights) or
// are clamped (negative weights) at chosen lanes — the first of them is the
// one reported; nothing outside the outputs may be written, every output
// must be, and the inputs must not change.

// gaussRef is purego's implementation of the four kernels.
var gaussRef = &kernels.Impl{
	Name:                  "purego",
	BatchGaussianValues64: purego.BatchGaussianValues64, BatchGaussianGrad64: purego.BatchGaussianGrad64,
	BatchGaussianValues32: purego.BatchGaussianValues32, BatchGaussianGrad32: purego.BatchGaussianGrad32,
}

// gaussHas reports whether im has the four kernels.
func gaussHas(im *kernels.Impl) bool {
	return im.BatchGaussianValues64 != nil && im.BatchGaussianGrad64 != nil &&
		im.BatchGaussianValues32 != nil && im.BatchGaussianGrad32 != nil
}

// gaussLaneCounts are the numbers of lanes of the conformance tests: every
// count to past two groups of 16 vectors of 8 lanes (the float32 kernels'
// unit of work; float64 groups have 64 lanes) and one more vector, then
// 300 and a chunk of 1024 and a bit.
func gaussLaneCounts() []int {
	var ns []int
	for n := 0; n <= 2*16*8+3+8; n++ {
		ns = append(ns, n)
	}
	return append(ns, 300, 1024+13)
}

// gaussSpecials are bit patterns of every class, in float64 and float32:
// ±0, the smallest and a larger subnormal, the smallest normal, the
// largest finite, ±Inf, quiet and signalling NaNs of either sign.
func gaussSpecials[T cfFloat]() []T {
	var pats []uint64
	if cfIs32[T]() {
		pats = []uint64{0, 1 << 31, 1, 0x00012345, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345}
	} else {
		pats = []uint64{0, 1 << 63, 1, 0x000123456789abcd, 0x0010000000000000, 0x7fefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
			0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001, 0xfff0123456789abc}
	}
	out := make([]T, 0, 2*len(pats))
	for _, b := range pats {
		x := frontFromBits[T](b)
		out = append(out, x)
		if !cfIsNaN(x) {
			out = append(out, -x)
		}
	}
	return out
}

// gaussFill fills the six inputs (p's and q's weights, means, stds) of n
// lanes for input kind kind and returns the lanes made to underflow or to
// be clamped (kind 4), in ascending order.
func gaussFill[T cfFloat](rng *rand.Rand, p, q [3][]T, n, kind int) []int {
	for _, s := range [][3][]T{p, q} {
		for i, role := range []byte{'w', 'm', 'v'} {
			bFill(rng, s[i], role)
		}
	}
	specials := append(cfSpecials[T](), gaussSpecials[T]()...)
	switch kind {
	case 1: // ordinary valid sides: weights near 1, moderate means and stds
		for l := range n {
			for _, s := range [][3][]T{p, q} {
				s[0][l] = T(1 + 1e-7*rng.NormFloat64())
				s[1][l] = T(3 * rng.NormFloat64())
				s[2][l] = T(0.1 + rng.Float64())
			}
		}
	case 2: // point-mass targets
		clear(q[2])
	case 3: // specials in every field, about one element in three
		for _, s := range [][3][]T{p, q} {
			for i := range s {
				for l := range n {
					if rng.IntN(3) == 0 {
						s[i][l] = specials[rng.IntN(len(specials))]
					}
				}
			}
		}
	case 4: // ordinary lanes, some made to underflow or to be clamped
		for l := range n {
			for _, s := range [][3][]T{p, q} {
				s[0][l] = T(0.05 + rng.Float64())
				s[1][l] = T(2 * rng.NormFloat64())
				s[2][l] = T(0.1 + rng.Float64())
			}
		}
		var lanes []int
		if n == 0 {
			return nil
		}
		for range 1 + rng.IntN(3) {
			switch rng.IntN(4) {
			case 0:
				lanes = append(lanes, n-1)
			case 1:
				lanes = append(lanes, max(0, n-1-rng.IntN(8)))
			default:
				lanes = append(lanes, rng.IntN(n))
			}
		}
		for _, l := range lanes {
			switch {
			case cfIs32[T]() && rng.IntN(2) == 0:
				// Tiny weights: the value (∝ a²) is far below float32's
				// smallest subnormal, the cross sum not 2⁵⁰ times larger.
				a := T(math.Ldexp(1+rng.Float64(), -80-rng.IntN(10)))
				p[0][l], q[0][l] = a, a*T(1+0.5*rng.Float64())
			case rng.IntN(2) == 0:
				p[0][l] = -p[0][l] // cross < 0: clamped, 0 > 2⁻⁵⁰·cross
			default:
				q[0][l] = -q[0][l]
				p[1][l] = q[1][l]
			}
		}
		return lanes
	}
	return nil
}

// gaussLimits returns limits at the values' edges now and then (edgeLimits,
// as frontFill does): a mean or std of either side, either side's weight.
func gaussLimits[T cfFloat](rng *rand.Rand, p, q [3][]T, n int) *kernels.FrontLimits {
	side := func() *[3][]T { return []*[3][]T{&p, &q}[rng.IntN(2)] }
	return edgeLimits(rng, n > 0, func() T { s := side(); return s[1+rng.IntN(2)][rng.IntN(n)] },
		n > 0, func() float64 { return float64(side()[0][rng.IntN(n)]) })
}

// gaussSentinel is the value around (and, before the call, in) the outputs.
func gaussSentinel[T cfFloat]() T { return T(-12345.5) }

func TestConformGaussian(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if !gaussHas(im) || name == "purego" { // purego is the reference (and bounds-checked Go)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { gaussConform[float64](t, im) })
			t.Run("float32", func(t *testing.T) { gaussConform[float32](t, im) })
		})
	}
}

func gaussConform[T cfFloat](t *testing.T, im *kernels.Impl) {
	rng := rand.New(rand.NewPCG(41, uint64(len(im.Name))))
	fl := &cfFailer{t: t}
	// Cases whose values underflow: any, in the last 8 lanes (the last,
	// overlapping vector), past the first group, with positive weights.
	var seen, tail, far, positive int
	for _, n := range gaussLaneCounts() {
		for kind := range 5 {
			for _, grad := range []bool{false, true} {
				offs := []int{0, 1, 2, 3}
				if n > 40 {
					offs = []int{rng.IntN(cfMaxOff + 1)}
				}
				for _, off := range offs {
					u, pos := gaussCase[T](rng, fl, im, n, off, kind, grad)
					if u < 0 {
						continue
					}
					seen++
					if u >= n-8 {
						tail++
					}
					if u >= 128 {
						far++
					}
					if pos {
						positive++
					}
				}
			}
		}
	}
	fl.flush()
	// The cases must meet underflowing lanes in every place (a test that
	// never does could not tell a wrong lane), and in float32 values that
	// underflow with positive weights.
	if seen < 100 || tail < 20 || far < 10 || cfIs32[T]() && positive < 20 {
		t.Errorf("cases with a lane that underflows: %d, in the last 8 lanes %d, past lane 128 %d, with positive weights %d", seen, tail, far, positive)
	}
	t.Logf("cases with a lane that underflows: %d, in the last 8 lanes %d, past lane 128 %d, with positive weights %d", seen, tail, far, positive)
}

// gaussCase runs one case and returns purego's underflow lane and whether
// both weights of that lane are positive (a value that underflows, not one
// clamped from below 0).
func gaussCase[T cfFloat](rng *rand.Rand, fl *cfFailer, im *kernels.Impl, n, off, kind int, grad bool) (under int, positive bool) {
	fl.t.Helper()
	buf := func() []T { return make([]T, off+n+cfTail) }
	// Inputs p (0…2) and q (3…5), outputs out (6), gp (7…9), gq (10…12).
	var bufs [13][]T
	for i := range bufs {
		bufs[i] = buf()
		if i >= 6 {
			for j := range bufs[i] {
				bufs[i][j] = gaussSentinel[T]()
			}
		}
	}
	view := func(i int) []T { return bufs[i][off : off+n] }
	three := func(i int) [3][]T { return [3][]T{view(i), view(i + 1), view(i + 2)} }
	p, q := three(0), three(3)
	lanes := gaussFill(rng, p, q, n, kind)
	lim := gaussLimits(rng, p, q, n)
	in := make([][]T, 6)
	for i := range in {
		in[i] = append([]T(nil), bufs[i]...)
	}
	want := [7][]T{}
	for i := range want {
		want[i] = make([]T, n)
	}
	g3 := func(o [7][]T, i int) [3][]T { return [3][]T{o[i], o[i+1], o[i+2]} }
	wu := []int{-7, -8, -9}
	wp, wq := gaussCall(gaussRef, grad, want[0], wu, g3(want, 1), g3(want, 4), p, q, n, lim)
	gu := []int{-7, -8, -9}
	gp, gq := gaussCall(im, grad, view(6), gu, three(7), three(10), p, q, n, lim)
	what := fmt.Sprintf("%T n=%d off=%d kind=%d grad=%v", T(0), n, off, kind, grad)
	if gp != wp || gq != wq {
		fl.errorf("%s: scans %+v %+v, purego %+v %+v (limits %+v)", what, gp, gq, wp, wq, *lim)
	}
	if gu[0] != wu[0] || gu[1] != -8 || gu[2] != -9 {
		fl.errorf("%s: under %v, purego %v (lanes made to underflow %v)", what, gu, wu, lanes)
	}
	names := [...]string{"out", "gp.W", "gp.M", "gp.S", "gq.W", "gq.M", "gq.S"}
	sentinel := gaussSentinel[T]()
	same := func(a, b T) bool { x, _ := frontBits(a); y, _ := frontBits(b); return x == y }
	for o := range 7 {
		b := bufs[6+o]
		written := o == 0 || grad
		for j, x := range b {
			l := j - off
			switch {
			case written && l >= 0 && l < n:
				if !cfSame(x, want[o][l]) {
					fl.errorf("%s: %s[%d] = %v, purego %v (p %v %v %v, q %v %v %v)", what, names[o], l, x, want[o][l],
						p[0][l], p[1][l], p[2][l], q[0][l], q[1][l], q[2][l])
				}
			case !same(x, sentinel):
				fl.errorf("%s: %s written outside its elements, at %d", what, names[o], l)
			}
		}
	}
	for i := range in {
		for j := range in[i] {
			if !same(bufs[i][j], in[i][j]) {
				fl.errorf("%s: input %d changed at %d", what, i, j-off)
				break
			}
		}
	}
	if wu[0] < 0 {
		return wu[0], false
	}
	return wu[0], p[0][wu[0]] > 0 && q[0][wu[0]] > 0
}

// TestGaussianShortSlices checks the documented panics: with n lanes, every
// implementation panics when any one slice is shorter than n, when under is
// empty or lim is nil (for n ≥ 1), on both sides of the assembly's smallest
// count; and it does not panic when every slice has exactly n elements.
func TestGaussianShortSlices(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if !gaussHas(im) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			gaussShort[float64](t, im)
			gaussShort[float32](t, im)
		})
	}
}

func gaussShort[T cfFloat](t *testing.T, im *kernels.Impl) {
	lim := &kernels.FrontLimits{Tol: 1}
	for _, n := range []int{1, 3, 7, 8, 9, 40} {
		for _, grad := range []bool{false, true} {
			// call runs the kernel with slice short one element shorter
			// (−1: none), under of length nu, lim or nil.
			call := func(short, nu int, lim *kernels.FrontLimits) (panicked bool) {
				defer func() { panicked = recover() != nil }()
				var s [13][]T
				for i := range s {
					s[i] = make([]T, n)
					if i == short {
						s[i] = s[i][:n-1]
					}
				}
				three := func(i int) [3][]T { return [3][]T{s[i], s[i+1], s[i+2]} }
				gaussCall(im, grad, s[6], make([]int, nu), three(7), three(10), three(0), three(3), n, lim)
				return false
			}
			what := fmt.Sprintf("%T n=%d grad=%v", T(0), n, grad)
			if call(-1, 1, lim) {
				t.Errorf("%s: panic with every slice long enough", what)
			}
			last := 6
			if grad {
				last = 12
			}
			for short := 0; short <= last; short++ {
				if !call(short, 1, lim) {
					t.Errorf("%s: no panic with slice %d short", what, short)
				}
			}
			if !call(-1, 0, lim) {
				t.Errorf("%s: no panic with under empty", what)
			}
			if !call(-1, 1, nil) {
				t.Errorf("%s: no panic with lim nil", what)
			}
		}
	}
}
