package kernels_test

// Projection kernels (ProjectMeans, ProjectDiagVars, ProjectCholVars; see
// purego.ProjectMeans64): every registered implementation must equal purego
// bit for bit (their summation order is specified), for every shape n in
// 0…pjMaxN, d in 0…pjMaxD, l in 0…cfMaxLen (every split of the directions
// into register tiles, single vectors and a masked tail, and of the rows
// into row blocks and remainder rows), at unaligned slice offsets, on
// ordinary and extreme inputs; nothing outside dst may be written and the
// inputs must not change. purego itself is checked against a naive float64
// reference within an error bound. Short slices and invalid sizes must panic.
// Reads past the end are the subject of projection_guard_test.go.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// Shapes of the sweeps: rows 0…pjMaxN cover a block of six rows (the AVX2
// tiles) plus every remainder; dimensions 0…pjMaxD.
const (
	pjMaxN = 9
	pjMaxD = 10
)

type pjFunc[T cfFloat] func(dst, src, thetaT []T, n, d, l int)

// pjKernel is one projection kernel of one implementation and precision.
type pjKernel[T cfFloat] struct {
	name string
	kind int // pjMeans, pjDiag, pjChol
	fn   pjFunc[T]
}

const (
	pjMeans = iota
	pjDiag
	pjChol
)

func pjKernels64(im *kernels.Impl) [3]pjKernel[float64] {
	return [3]pjKernel[float64]{
		{"ProjectMeans64", pjMeans, im.ProjectMeans64},
		{"ProjectDiagVars64", pjDiag, im.ProjectDiagVars64},
		{"ProjectCholVars64", pjChol, im.ProjectCholVars64},
	}
}

func pjKernels32(im *kernels.Impl) [3]pjKernel[float32] {
	return [3]pjKernel[float32]{
		{"ProjectMeans32", pjMeans, im.ProjectMeans32},
		{"ProjectDiagVars32", pjDiag, im.ProjectDiagVars32},
		{"ProjectCholVars32", pjChol, im.ProjectCholVars32},
	}
}

var pjRef64 = pjKernels64(&kernels.Impl{
	ProjectMeans64: purego.ProjectMeans64, ProjectDiagVars64: purego.ProjectDiagVars64, ProjectCholVars64: purego.ProjectCholVars64,
})

var pjRef32 = pjKernels32(&kernels.Impl{
	ProjectMeans32: purego.ProjectMeans32, ProjectDiagVars32: purego.ProjectDiagVars32, ProjectCholVars32: purego.ProjectCholVars32,
})

// pjSrcLen is the length of the source rows: n·d, or n·d·d for the factors.
func pjSrcLen(kind, n, d int) int {
	if kind == pjChol {
		return n * d * d
	}
	return n * d
}

// pjValue draws one input. Style 0: ordinary values (normal, a few exact
// zeros); style 1: extreme values as well (±0, subnormals, values whose
// products overflow or underflow, ±Inf, NaN). nonNeg makes it a variance.
func pjValue[T cfFloat](rng *rand.Rand, style int, nonNeg bool) T {
	x := rng.NormFloat64()
	if style == 1 {
		huge := 1e300
		if cfIs32[T]() {
			huge = 1e37
		}
		switch rng.IntN(12) {
		case 0:
			x = 0
		case 1:
			x = math.Copysign(0, -1)
		case 2:
			x = cfTiny[T]() * float64(1+rng.IntN(5))
		case 3:
			x *= huge
		case 4:
			x = math.Sqrt(cfTiny[T]()) * x // products underflow to subnormals
		case 5:
			x = math.Inf(1 - 2*rng.IntN(2))
		case 6:
			x = math.NaN()
		}
	} else if rng.IntN(16) == 0 {
		x = 0
	}
	if nonNeg {
		x = math.Abs(x)
	}
	return T(x)
}

// pjTheta returns l directions in R^d, transposed (d×l): unit vectors
// (style 0) or arbitrary values (style 1).
func pjTheta[T cfFloat](rng *rand.Rand, style, d, l int) []T {
	th := make([]T, d*l)
	for k := 0; k < l; k++ {
		var norm float64
		col := make([]float64, d)
		for j := range col {
			col[j] = rng.NormFloat64()
			norm += col[j] * col[j]
		}
		for j := range col {
			if style == 0 {
				th[j*l+k] = T(col[j] / math.Sqrt(norm))
			} else {
				th[j*l+k] = pjValue[T](rng, style, false)
			}
		}
	}
	return th
}

// pjSource returns the source rows: points, variances, or lower-triangular
// factors (entries above the diagonal hold the sentinel NaN, which the
// kernels must never read).
func pjSource[T cfFloat](rng *rand.Rand, style, kind, n, d int) []T {
	src := make([]T, pjSrcLen(kind, n, d))
	for i := range src {
		src[i] = pjValue[T](rng, style, kind == pjDiag)
		if kind == pjChol {
			if r, c := (i/d)%d, i%d; c > r {
				src[i] = cfSentinel[T]()
			} else if r == c && style == 0 {
				src[i] = T(math.Abs(float64(src[i])) + 0.1)
			}
		}
	}
	return src
}

// pjNaive is the reference in float64 arithmetic from the T inputs (the
// squares of the directions of the diagonal form rounded to T, as the
// definition rounds them), with a bound on |kernel − reference| (the
// rounding of both, at most d+2 roundings per term and the squares of the
// Cholesky form, 4ε per rounding to be generous, plus subnormal steps).
func pjNaive[T cfFloat](kind int, src, th []T, n, d, l int) (ref, tol []float64) {
	ref, tol = make([]float64, n*l), make([]float64, n*l)
	e, tn := cfEps[T](), cfTiny[T]()
	for i := 0; i < n; i++ {
		for k := 0; k < l; k++ {
			var sum, abs float64
			switch kind {
			case pjMeans, pjDiag:
				for j := 0; j < d; j++ {
					t := float64(th[j*l+k])
					if v := th[j*l+k]; kind == pjDiag {
						t = float64(T(v * v)) // the square rounded to T, as defined
					}
					p := float64(src[i*d+j]) * t
					sum += p
					abs += math.Abs(p)
				}
			case pjChol:
				for c := 0; c < d; c++ {
					var u, ua float64
					for r := c; r < d; r++ {
						p := float64(src[i*d*d+r*d+c]) * float64(th[r*l+k])
						u += p
						ua += math.Abs(p)
					}
					sum += u * u
					abs += ua * ua
				}
			}
			ref[i*l+k] = sum
			tol[i*l+k] = 4*float64(d+2)*e*abs + 4*float64(d*d+1)*tn
		}
	}
	return ref, tol
}

func TestConformProject64(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for kind, k := range pjKernels64(im) {
				t.Run(k.name, func(t *testing.T) { pjConform(t, k, pjRef64[kind], name == "purego") })
			}
		})
	}
}

func TestConformProject32(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for kind, k := range pjKernels32(im) {
				t.Run(k.name, func(t *testing.T) { pjConform(t, k, pjRef32[kind], name == "purego") })
			}
		})
	}
}

// pjConform runs the sweep of one kernel against the reference kernel
// (purego; skipped when k is purego itself) and, for ordinary inputs,
// against the naive reference. Extreme inputs (style 1, compared with purego
// only) run on every third shape, which still covers every n, d and l.
func pjConform[T cfFloat](t *testing.T, k, ref pjKernel[T], isRef bool) {
	if k.fn == nil {
		t.Fatalf("%s is not set", k.name)
	}
	f := &cfFailer{t: t}
	defer f.flush()
	rng := rand.New(rand.NewPCG(uint64(k.kind)+11, 7))
	w := cfWorst{}
	for style := 0; style < 2; style++ {
		for n := 0; n <= pjMaxN; n++ {
			for d := 0; d <= pjMaxD; d++ {
				for l := 0; l <= cfMaxLen; l++ {
					if style == 1 && (isRef || (n+d+l)%3 != 0) {
						continue
					}
					// Offsets differ between the slices and over the shapes.
					off := func(s int) int { return (n + 2*d + 3*l + s) % (cfMaxOff + 1) }
					src := pjSource[T](rng, style, k.kind, n, d)
					th := pjTheta[T](rng, style, d, l)
					srcS, thS := cfPlace(off(0), src), cfPlace(off(1), th)
					dst := cfNewSlab[T](off(2), n*l)
					k.fn(dst.get(), srcS.get(), thS.get(), n, d, l)
					want := dst.get()
					if !isRef {
						want = make([]T, n*l)
						ref.fn(want, src, th, n, d, l)
					}
					what := fmt.Sprintf("%s n=%d d=%d l=%d style %d", k.name, n, d, l, style)
					for s, sl := range []cfSlab[T]{srcS, dst} {
						if msg := sl.damaged(); msg != "" {
							f.errorf("%s: %s: %s", what, [...]string{"source", "dst"}[s], msg)
						}
					}
					if msg := thS.damaged(); msg != "" {
						f.errorf("%s: thetaT: %s", what, msg)
					}
					for i, x := range srcS.get() {
						if !cfSame(x, src[i]) {
							f.errorf("%s: input element %d changed from %v to %v", what, i, src[i], x)
							break
						}
					}
					for i, x := range thS.get() {
						if !cfSame(x, th[i]) {
							f.errorf("%s: thetaT element %d changed from %v to %v", what, i, th[i], x)
							break
						}
					}
					got := dst.get()
					for i := range got {
						if !cfSame(got[i], want[i]) {
							f.class(k.name+": differs from purego", "%s: element (%d, %d) = %v (%#x), purego %v (%#x)",
								what, i/l, i%l, got[i], cfBits(got[i]), want[i], cfBits(want[i]))
						}
					}
					if style != 0 {
						continue
					}
					nv, tol := pjNaive(k.kind, src, th, n, d, l)
					for i := range got {
						err := math.Abs(float64(got[i]) - nv[i])
						w.note(k.name, err/math.Max(tol[i], cfTiny[T]()), func() string { return what })
						if !(err <= tol[i]) {
							f.class(k.name+": far from the naive reference", "%s: element (%d, %d) = %v, reference %v (tolerance %.3g)",
								what, i/l, i%l, got[i], nv[i], tol[i])
						}
						if k.kind != pjMeans && !(got[i] >= 0) {
							f.class(k.name+": negative variance", "%s: element (%d, %d) = %v", what, i/l, i%l, got[i])
						}
					}
				}
			}
		}
	}
	w.log(t)
}

// TestConformProjectShortSlices: a slice shorter than the shape needs (also
// with spare capacity), a negative size or a size whose products overflow
// must panic.
func TestConformProjectShortSlices(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for _, k := range pjKernels64(im) {
				pjShort(t, k)
			}
			for _, k := range pjKernels32(im) {
				pjShort(t, k)
			}
		})
	}
}

func pjShort[T cfFloat](t *testing.T, k pjKernel[T]) {
	const n, d, l = 7, 3, 11
	for _, spare := range []int{0, 4} {
		mk := func(size int) []T {
			s := make([]T, size+spare)
			for i := range s {
				s[i] = T(i%5) * 0.25
			}
			return s[:size]
		}
		sl := pjSrcLen(k.kind, n, d)
		cases := []struct {
			what           string
			dst, src, th   int
			nn, dd, ll     int
			wantPanic      bool
			skipUnlessChol bool
		}{
			{"exact lengths", n * l, sl, d * l, n, d, l, false, false},
			{"dst short", n*l - 1, sl, d * l, n, d, l, true, false},
			{"source short", n * l, sl - 1, d * l, n, d, l, true, false},
			{"thetaT short", n * l, sl, d*l - 1, n, d, l, true, false},
			{"negative n", 0, 0, d * l, -1, d, l, true, false},
			{"negative d", 0, 0, 0, 0, -1, l, true, false},
			{"negative l", 0, 0, 0, n, d, -1, true, false},
			{"n·l overflows", 0, 0, 0, bigInt, 0, bigInt, true, false},
			{"d·d overflows", 0, 0, 0, 0, bigInt, 0, true, true},
		}
		for _, c := range cases {
			if c.skipUnlessChol && k.kind != pjChol {
				continue
			}
			func() {
				defer func() {
					if r := recover(); (r != nil) != c.wantPanic {
						t.Errorf("%s %s (len<cap by %d): panic %v, want a panic: %v", k.name, c.what, spare, r, c.wantPanic)
					}
				}()
				k.fn(mk(c.dst), mk(c.src), mk(c.th), c.nn, c.dd, c.ll)
			}()
		}
	}
}

// TestConformProjectLarge: longer rows and more directions than the sweep
// (every tile of a few row blocks, d large enough that a factor spans
// several cache lines), bit for bit against purego.
func TestConformProjectLarge(t *testing.T) {
	shapes := [][3]int{{13, 32, 256}, {20, 7, 100}, {64, 8, 513}, {5, 33, 37}}
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for kind := range 3 {
				for _, sh := range shapes {
					pjLarge(t, pjKernels64(im)[kind], pjRef64[kind], sh)
					pjLarge(t, pjKernels32(im)[kind], pjRef32[kind], sh)
				}
			}
		})
	}
}

func pjLarge[T cfFloat](t *testing.T, k, ref pjKernel[T], sh [3]int) {
	n, d, l := sh[0], sh[1], sh[2]
	rng := rand.New(rand.NewPCG(uint64(n*d*l), 3))
	src := pjSource[T](rng, 0, k.kind, n, d)
	th := pjTheta[T](rng, 0, d, l)
	want, got := make([]T, n*l), make([]T, n*l)
	ref.fn(want, src, th, n, d, l)
	k.fn(got, src, th, n, d, l)
	for i := range got {
		if !cfSame(got[i], want[i]) {
			t.Errorf("%s n=%d d=%d l=%d: element (%d, %d) = %v, purego %v", k.name, n, d, l, i/l, i%l, got[i], want[i])
			return
		}
	}
}

// bigInt is a size whose square overflows int on every platform.
const bigInt = math.MaxInt/2 + 1
