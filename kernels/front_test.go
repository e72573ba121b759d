package kernels_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// The front end of a batch chunk (BatchFront64/32): every implementation
// must return purego's FrontScan and write purego's bits, element by
// element, for every number of lanes up to past two of the widest vector
// (and a whole chunk of 64 and around it), component counts that cover
// every tile split (1 … 9, 16, 17), slices at offsets 0 … 3, values that
// mix the ordinary with ±0, subnormals, ±Inf, quiet and signalling NaNs of
// either sign, and limits and tolerances at the values' own edges; nothing
// outside the outputs may be written and the inputs must not change.

// frontLaneCounts are the numbers of lanes of the front-end tests.
func frontLaneCounts() []int {
	var ns []int
	for n := 0; n <= 2*8+3; n++ {
		ns = append(ns, n)
	}
	return append(ns, 31, 32, 33, 63, 64, 65)
}

var frontComps = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17}

// frontKernel is BatchFront of one precision.
type frontKernel[T cfFloat] func(dw, dm, dv, w, m, s []T, c, n int, lim *kernels.FrontLimits) kernels.FrontScan

func frontOf[T cfFloat](im *kernels.Impl) frontKernel[T] {
	var f any = im.BatchFront64
	if cfIs32[T]() {
		f = im.BatchFront32
	}
	return f.(func(dw, dm, dv, w, m, s []T, c, n int, lim *kernels.FrontLimits) kernels.FrontScan)
}

// frontBits returns the pattern of x and the sign bit of T.
func frontBits[T cfFloat](x T) (bits, sign uint64) {
	if cfIs32[T]() {
		return uint64(math.Float32bits(float32(x))), 1 << 31
	}
	return math.Float64bits(float64(x)), 1 << 63
}

// frontFromBits returns the T with pattern b.
func frontFromBits[T cfFloat](b uint64) T {
	var x T
	if cfIs32[T]() {
		*(*uint32)(unsafe.Pointer(&x)) = uint32(b)
	} else {
		*(*uint64)(unsafe.Pointer(&x)) = b
	}
	return x
}

// frontFill fills one side of n mixtures of c components: normalised
// weights, normal means, positive stds, then (unless plain) a few special
// values; it returns limits at the values' edges.
func frontFill[T cfFloat](rng *rand.Rand, w, m, s []T, c, n int, plain bool) *kernels.FrontLimits {
	for l := 0; l < n; l++ {
		var sum T
		for i := 0; i < c; i++ {
			w[l*c+i] = T(0.05 + rng.Float64())
			sum += w[l*c+i]
		}
		for i := 0; i < c; i++ {
			w[l*c+i] /= sum
		}
	}
	for i := range m[:n*c] {
		m[i], s[i] = T(3*rng.NormFloat64()), T(0.1+rng.Float64())
	}
	if rng.IntN(6) == 0 {
		clear(s[:n*c])
	}
	_, sign := frontBits(T(0))
	specials := []uint64{0, sign, 1, sign | 1, sign - 1, // ±0, ±min subnormal, NaN with every bit
		sign >> 1, (sign >> 1) - 1, sign | (sign >> 1)} // a NaN-exponent pattern, its neighbour, its negative
	if cfIs32[T]() {
		specials = append(specials, 0x7f800000, 0xff800000, 0x7f800001, 0x7fc00000, 0xffc00000, 0x7f7fffff, 0x00800000)
	} else {
		specials = append(specials, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff0000000000001, 0x7ff8000000000000,
			0xfff8000000000000, 0x7fefffffffffffff, 0x0010000000000000)
	}
	if !plain && n*c > 0 {
		for e := rng.IntN(4); e > 0; e-- {
			i := rng.IntN(n * c)
			v := frontFromBits[T](specials[rng.IntN(len(specials))])
			if rng.IntN(3) == 0 {
				v = T(math.Ldexp(rng.Float64(), rng.IntN(600)-300))
			}
			switch rng.IntN(4) {
			case 0:
				w[i] = v
			case 1:
				m[i] = v
			default:
				s[i] = v
			}
		}
	}
	return edgeLimits(rng, n*c > 0, func() T { return []T{m[rng.IntN(n*c)], s[rng.IntN(n*c)]}[rng.IntN(2)] },
		n > 0, func() float64 {
			l := rng.IntN(n)
			sum := float64(w[l*c])
			for i := 1; i < c; i++ {
				sum += float64(w[l*c+i])
			}
			return sum
		})
}

// edgeLimits returns the default limits (|mean| and std ≤ 1e6, small
// 1e-3, lossy 1e-20, tolerance 1e-6) or, now and then, limits at the
// values' own edges, so that the comparisons meet equality: a bound at the
// pattern of value() (or one pattern either side), the tolerance at |Σ − 1|
// for a weight sum Σ from sum() (or just below it). value and sum are
// called only when hasValues, hasSums.
func edgeLimits[T cfFloat](rng *rand.Rand, hasValues bool, value func() T, hasSums bool, sum func() float64) *kernels.FrontLimits {
	_, sign := frontBits(T(0))
	pick := func(def T) uint64 {
		b, _ := frontBits(def)
		if hasValues && rng.IntN(3) == 0 {
			b, _ = frontBits(value())
			b &^= sign
			if rng.IntN(2) == 0 && b > 0 && b < sign-1 {
				b += uint64(rng.IntN(3)) - 1
			}
		}
		return b
	}
	lim := &kernels.FrontLimits{
		GtLim:   sign - 1 - pick(T(1e6)),
		GeSmall: sign - pick(T(1e-3)),
		GeLossy: sign - pick(T(1e-20)),
		Tol:     1e-6,
	}
	if hasSums && rng.IntN(2) == 0 {
		lim.Tol = math.Abs(sum() - 1)
		if rng.IntN(2) == 0 {
			lim.Tol = math.Nextafter(lim.Tol, 0)
		}
	}
	return lim
}

// frontSlices returns the six slices (dw, dm, dv, w, m, s) of one call at
// element offset off, each followed by cfTail sentinels, inside fresh
// buffers (dw and dm nil for c = 1 half the time).
func frontSlices[T cfFloat](rng *rand.Rand, c, n, off int) (bufs [6][]T, views [6][]T) {
	for i := range bufs {
		bufs[i] = make([]T, off+n*c+cfTail)
		for j := range bufs[i] {
			bufs[i][j] = frontSentinel[T]()
		}
		views[i] = bufs[i][off : off+n*c]
	}
	if c == 1 && rng.IntN(2) == 0 {
		views[0], views[1] = nil, nil
	}
	return bufs, views
}

func TestConformFront(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { frontConform(t, frontOf[float64](im)) })
			t.Run("float32", func(t *testing.T) { frontConform(t, frontOf[float32](im)) })
		})
	}
}

func frontConform[T cfFloat](t *testing.T, f frontKernel[T]) {
	rng := rand.New(rand.NewPCG(31, 32))
	ref := frontOf[T](&kernels.Impl{BatchFront64: purego.BatchFront64, BatchFront32: purego.BatchFront32})
	fl := &cfFailer{t: t}
	for _, c := range frontComps {
		for _, n := range frontLaneCounts() {
			for off := 0; off <= cfMaxOff; off++ {
				for _, plain := range []bool{true, false} {
					frontCase(rng, fl, f, ref, c, n, off, plain)
				}
			}
		}
	}
}

// frontCase runs one case of the conformance test.
func frontCase[T cfFloat](rng *rand.Rand, fl *cfFailer, f, ref frontKernel[T], c, n, off int, plain bool) {
	fl.t.Helper()
	bufs, v := frontSlices[T](rng, c, n, off)
	lim := frontFill(rng, v[3], v[4], v[5], c, n, plain)
	want := [3][]T{make([]T, n*c), make([]T, n*c), make([]T, n*c)}
	var wdw, wdm []T
	if v[0] != nil {
		wdw, wdm = want[0], want[1]
	}
	in := make([][]T, 3)
	for i := range in {
		in[i] = append([]T(nil), bufs[3+i]...)
	}
	rs := ref(wdw, wdm, want[2], v[3], v[4], v[5], c, n, lim)
	got := f(v[0], v[1], v[2], v[3], v[4], v[5], c, n, lim)
	what := fmt.Sprintf("c=%d n=%d off=%d", c, n, off)
	if got != rs {
		fl.errorf("%s: FrontScan %+v, purego %+v (limits %+v)", what, got, rs, *lim)
	}
	same := func(a, b T) bool { x, _ := frontBits(a); y, _ := frontBits(b); return x == y }
	// written reports whether output i is written (c = 1: dv only; dw and
	// dm must stay as they are).
	written := func(i int) bool { return v[i] != nil && (c > 1 || i == 2) }
	for i := range 3 {
		if !written(i) {
			continue
		}
		for j, x := range v[i] {
			if !same(x, want[i][j]) {
				fl.errorf("%s: %s[%d] = %v, purego %v", what, [...]string{"dw", "dm", "dv"}[i], j, x, want[i][j])
				break
			}
		}
	}
	sentinel := frontSentinel[T]()
	for i, b := range bufs {
		for j, x := range b {
			switch {
			case i >= 3:
				if !same(x, in[i-3][j]) {
					fl.errorf("%s: input %s changed at %d", what, [...]string{"w", "m", "s"}[i-3], j-off)
				}
			case written(i) && j >= off && j < off+n*c:
			case !same(x, sentinel):
				fl.errorf("%s: %s written outside its elements, at %d", what, [...]string{"dw", "dm", "dv"}[i], j-off)
			}
		}
	}
}

// frontSentinel is the value around the outputs.
func frontSentinel[T cfFloat]() T { return T(-12345.5) }
