package fuzz

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

func nextUp[T float](x T) T {
	if is32[T]() {
		return T(math.Nextafter32(float32(x), float32(math.Inf(1))))
	}
	return T(math.Nextafter(float64(x), math.Inf(1)))
}

func nextDown[T float](x T) T {
	if is32[T]() {
		return T(math.Nextafter32(float32(x), float32(math.Inf(-1))))
	}
	return T(math.Nextafter(float64(x), math.Inf(-1)))
}

// xLane returns the values placed around the fuzzed x in a vector.
func xLane[T float](x T) (func(k int) T, int) {
	return func(k int) T {
		switch k {
		case 0:
			return x
		case 1:
			return -x
		case 2:
			return nextUp(x)
		case 3:
			return nextDown(x)
		case 4:
			return x / 2
		case 5:
			return x * 2
		case 6:
			return 0
		default:
			return -x * 0.75
		}
	}, 8
}

// xSeeds are the seed inputs of the unary targets (both precisions).
var xSeeds = []float64{
	0, math.Copysign(0, -1), 0x1p-1074, -0x1p-1074, 0x1p-149, 0x1p-1022, 0x1p-126, 1e-300, -1e-150, 1e-30,
	1e-8, 1.0 / 256, 1.0 / 64, 0.5, 1, -1.25, 2, 3.999, 4, 4.0000005, 5.99609375, 6, -6.000000000000001,
	9.3, 10.5, 10.500001, 26.6, 27.3, 27.999999999999996, 28, 28.000000000000004, 100, 1e18, 1e36,
	1e150, -1e300, math.MaxFloat32, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(),
}

// fuzzUnary runs a unary element-wise kernel on a vector built around x:
// purego's results are checked by check (and for oddness/evenness against the
// negated vector), every other implementation must equal purego bit for bit.
func fuzzUnary[T float](t *testing.T, x T, sh uint16, ref func(dst, x []T), list []func(dst, x []T), names []string,
	check func(x, y T) string, odd bool) {
	lane, nv := xLane(x)
	xs := vector(sh, lane, nv)
	n := len(xs)
	want := make([]T, n)
	ref(want, xs)
	neg := make([]T, n)
	for i := range xs {
		neg[i] = -xs[i]
	}
	wantNeg := make([]T, n)
	ref(wantNeg, neg)
	for i := range xs {
		if msg := check(xs[i], want[i]); msg != "" {
			t.Errorf("purego at x=%v (element %d of %d): %v: %s", xs[i], i, n, want[i], msg)
		}
		if isNaN(xs[i]) {
			continue
		}
		w := want[i]
		if odd {
			w = -w
		}
		if !same(wantNeg[i], w) {
			t.Errorf("purego at x=%v: f(−x) = %v, f(x) = %v: not %s", xs[i], wantNeg[i], want[i], map[bool]string{true: "odd", false: "even"}[odd])
		}
	}
	for k, f := range list {
		got := make([]T, n)
		f(got, xs)
		for i := range xs {
			if !same(got[i], want[i]) {
				t.Errorf("%s at x=%v (element %d of %d): %v (%#x), purego %v (%#x)",
					names[k], xs[i], i, n, got[i], bits(got[i]), want[i], bits(want[i]))
			}
		}
	}
}

func addXSeeds(f *testing.F, as32 bool) {
	for i, x := range xSeeds {
		sh := uint16(i*131 + 7)
		if as32 {
			f.Add(float32(x), sh)
		} else {
			f.Add(x, sh)
		}
	}
	if as32 {
		f.Add(float32(4), uint16(maxLen-1))
	} else {
		f.Add(6.0, uint16(maxLen-1))
	}
}

func FuzzErf64(f *testing.F) {
	addXSeeds(f, false)
	list, names := othersPick(f, func(im *kernels.Impl) func(dst, x []float64) { return im.Erf64 })
	f.Fuzz(func(t *testing.T, x float64, sh uint16) {
		fuzzUnary(t, x, sh, purego.Erf64, list, names, checkErf[float64], true)
	})
}

func FuzzErf32(f *testing.F) {
	addXSeeds(f, true)
	list, names := othersPick(f, func(im *kernels.Impl) func(dst, x []float32) { return im.Erf32 })
	f.Fuzz(func(t *testing.T, x float32, sh uint16) {
		fuzzUnary(t, x, sh, purego.Erf32, list, names, checkErf[float32], true)
	})
}

func FuzzExpNegSquare64(f *testing.F) {
	addXSeeds(f, false)
	list, names := othersPick(f, func(im *kernels.Impl) func(dst, x []float64) { return im.ExpNegSquare64 })
	f.Fuzz(func(t *testing.T, x float64, sh uint16) {
		fuzzUnary(t, x, sh, purego.ExpNegSquare64, list, names, checkExp[float64], false)
	})
}

func FuzzExpNegSquare32(f *testing.F) {
	addXSeeds(f, true)
	list, names := othersPick(f, func(im *kernels.Impl) func(dst, x []float32) { return im.ExpNegSquare32 })
	f.Fuzz(func(t *testing.T, x float32, sh uint16) {
		fuzzUnary(t, x, sh, purego.ExpNegSquare32, list, names, checkExp[float32], false)
	})
}

// validVar reports whether v is a valid variance sum for the pair terms:
// v ≥ 0 and 2v finite.
func validVar[T float](v T) bool { return v >= 0 && !math.IsInf(float64(2*v), 0) }

// fuzzPair runs PairTerms on a vector built around (d, v): purego's results
// are checked by checkPair, for symmetry (h and ex even in d, erf odd, bit for
// bit), and every other implementation must equal purego bit for bit.
func fuzzPair[T float](t *testing.T, d, v T, sh uint16, ref func(h, erf, ex, d, v []T), list []func(h, erf, ex, d, v []T), names []string) {
	if v < 0 {
		v = -v
	}
	if !validVar(v) {
		return
	}
	half := v / 2
	up := nextUp(v)
	if !validVar(up) {
		up = v
	}
	type dv struct{ d, v T }
	lanes := []dv{{d, v}, {-d, v}, {d, 0}, {0, v}, {nextUp(d), v}, {d, half}, {d / 2, v}, {d, up}, {0, 0}, {d * 4, v}}
	ds := vector(sh, func(k int) T { return lanes[k].d }, len(lanes))
	vs := vector(sh, func(k int) T { return lanes[k].v }, len(lanes))
	n := len(ds)
	run := func(f func(h, erf, ex, d, v []T), d []T) (h, e, x []T) {
		h, e, x = make([]T, n), make([]T, n), make([]T, n)
		f(h, e, x, d, vs)
		return
	}
	h, e, x := run(ref, ds)
	neg := make([]T, n)
	for i := range ds {
		neg[i] = -ds[i]
	}
	hn, en, xn := run(ref, neg)
	for i := range ds {
		if isNaN(ds[i]) {
			continue
		}
		if !same(hn[i], h[i]) || !same(en[i], -e[i]) || !same(xn[i], x[i]) {
			t.Errorf("purego not symmetric at d=%v v=%v: (h, erf, ex) = (%v, %v, %v), at −d (%v, %v, %v)",
				ds[i], vs[i], h[i], e[i], x[i], hn[i], en[i], xn[i])
		}
		if math.IsInf(float64(ds[i]), 0) {
			continue
		}
		if msg := checkPair(ds[i], vs[i], h[i], e[i], x[i]); msg != "" {
			t.Errorf("purego at d=%v v=%v (element %d of %d): (h, erf, ex) = (%v, %v, %v): %s",
				ds[i], vs[i], i, n, h[i], e[i], x[i], msg)
		}
	}
	for k, f := range list {
		gh, ge, gx := run(f, ds)
		for i := range ds {
			if !same(gh[i], h[i]) || !same(ge[i], e[i]) || !same(gx[i], x[i]) {
				t.Errorf("%s at d=%v v=%v (element %d of %d): (h, erf, ex) = (%v, %v, %v), purego (%v, %v, %v)",
					names[k], ds[i], vs[i], i, n, gh[i], ge[i], gx[i], h[i], e[i], x[i])
			}
		}
	}
}

func addPairSeeds(f *testing.F, as32 bool) {
	vs := []float64{0, 0x1p-1074, 0x1p-149, 1e-300, 1e-38, 1e-20, 0.5, 1, 2, 1e10, 1e36, 1e300, math.MaxFloat32 / 2, math.MaxFloat64 / 2}
	for i, d := range xSeeds {
		v := vs[i%len(vs)]
		sh := uint16(i*257 + 3)
		if as32 {
			f.Add(float32(d), float32(v), sh)
			f.Add(float32(d), float32(0.5), sh+1)
		} else {
			f.Add(d, v, sh)
			f.Add(d, 0.5, sh+1)
		}
	}
	if as32 {
		f.Add(float32(0), float32(0), uint16(0))
		f.Add(float32(1e18), float32(1e-30), uint16(64))
	} else {
		f.Add(0.0, 0.0, uint16(0))
		f.Add(1e150, 1e-300, uint16(64))
	}
}

func FuzzPairTerms64(f *testing.F) {
	addPairSeeds(f, false)
	list, names := othersPick(f, func(im *kernels.Impl) func(h, erf, ex, d, v []float64) { return im.PairTerms64 })
	f.Fuzz(func(t *testing.T, d, v float64, sh uint16) {
		fuzzPair(t, d, v, sh, purego.PairTerms64, list, names)
	})
}

func FuzzPairTerms32(f *testing.F) {
	addPairSeeds(f, true)
	list, names := othersPick(f, func(im *kernels.Impl) func(h, erf, ex, d, v []float32) { return im.PairTerms32 })
	f.Fuzz(func(t *testing.T, d, v float32, sh uint16) {
		fuzzPair(t, d, v, sh, purego.PairTerms32, list, names)
	})
}
