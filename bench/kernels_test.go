package bench

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// kernelSizes are the K×M shapes of every pair kernel (self kernels use a
// single side of K components, element-wise kernels K·M elements);
// the Dirac kernels also run at diracSize, the mixture-vs-samples shape.
var (
	kernelSizes = [][2]int{{16, 16}, {256, 256}, {1024, 1024}}
	diracSize   = [2]int{32, 100000}
)

// A kernelCase prepares the inputs of one kernel of one implementation at
// size K×M and returns the call to time and the pair terms it evaluates.
type kernelCase struct {
	name  string
	dirac bool
	setup func(im *kernels.Impl, k, m int) (run func(), pairs float64)
}

func gs64(h, d, r []float64) kernels.GradSums64 { return kernels.GradSums64{H: h, D: d, R: r} }
func gs32(h, d, r []float32) kernels.GradSums32 { return kernels.GradSums32{H: h, D: d, R: r} }

func grad3[F float](n int) (h, d, r []F) { return make([]F, n), make([]F, n), make([]F, n) }

func crossCase[F float](fn func(*kernels.Impl) func(out, ma, va, wb, mb, vb []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		a, b := newSide(seedA, k), newSide(seedB, m)
		out, ma, va := make([]F, k), conv[F](a.m), conv[F](a.v)
		wb, mb, vb := conv[F](b.w), conv[F](b.m), conv[F](b.v)
		f := fn(im)
		return func() { f(out, ma, va, wb, mb, vb) }, float64(k) * float64(m)
	}
}

func crossGradCase[F float, G any](mk func(h, d, r []F) G, fn func(*kernels.Impl) func(rows, cols G, wa, ma, va, wb, mb, vb []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		a, b := newSide(seedA, k), newSide(seedB, m)
		wa, ma, va := conv[F](a.w), conv[F](a.m), conv[F](a.v)
		wb, mb, vb := conv[F](b.w), conv[F](b.m), conv[F](b.v)
		rows, cols := mk(grad3[F](k)), mk(grad3[F](m))
		f := fn(im)
		// The column sums accumulate across calls; their growth is harmless.
		return func() { f(rows, cols, wa, ma, va, wb, mb, vb) }, float64(k) * float64(m)
	}
}

func selfCase[F float](fn func(*kernels.Impl) func(out, m, v, w []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, _ int) (func(), float64) {
		a := newSide(seedA, k)
		out, ma, va, wa := make([]F, k), conv[F](a.m), conv[F](a.v), conv[F](a.w)
		f := fn(im)
		return func() { f(out, ma, va, wa) }, float64(k) * float64(k-1) / 2
	}
}

func selfGradCase[F float, G any](mk func(h, d, r []F) G, fn func(*kernels.Impl) func(rows, cols G, m, v, w []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, _ int) (func(), float64) {
		a := newSide(seedA, k)
		ma, va, wa := conv[F](a.m), conv[F](a.v), conv[F](a.w)
		rows, cols := mk(grad3[F](k)), mk(grad3[F](k))
		f := fn(im)
		return func() { f(rows, cols, ma, va, wa) }, float64(k) * float64(k-1) / 2
	}
}

func diracCase[F float](fn func(*kernels.Impl) func(out, ma, va, wx, x []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		a := newSide(seedA, k)
		x64, w64 := newPoints(seedX, m)
		out, ma, va := make([]F, k), conv[F](a.m), conv[F](a.v)
		x, wx := conv[F](x64), conv[F](w64)
		f := fn(im)
		return func() { f(out, ma, va, wx, x) }, float64(k) * float64(m)
	}
}

func diracGradCase[F float, G any](mk func(h, d, r []F) G, fn func(*kernels.Impl) func(rows, cols G, wa, ma, va, wx, x []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		a := newSide(seedA, k)
		x64, w64 := newPoints(seedX, m)
		wa, ma, va := conv[F](a.w), conv[F](a.m), conv[F](a.v)
		x, wx := conv[F](x64), conv[F](w64)
		ch, cd, _ := grad3[F](m)
		rows, cols := mk(grad3[F](k)), mk(ch, cd, nil) // the Dirac kernels do not use cols.R
		f := fn(im)
		return func() { f(rows, cols, wa, ma, va, wx, x) }, float64(k) * float64(m)
	}
}

func pairTermsCase[F float](fn func(*kernels.Impl) func(h, erf, ex, d, v []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		n := k * m
		d64, v64 := newArgs(seedA, n)
		d, v := conv[F](d64), conv[F](v64)
		h, erf, ex := grad3[F](n)
		f := fn(im)
		return func() { f(h, erf, ex, d, v) }, float64(n)
	}
}

func unaryCase[F float](fn func(*kernels.Impl) func(dst, x []F)) func(*kernels.Impl, int, int) (func(), float64) {
	return func(im *kernels.Impl, k, m int) (func(), float64) {
		n := k * m
		// Arguments of erf as the pair kernels see them: z = d/(s√2) with d, s as in newArgs.
		d64, v64 := newArgs(seedA, n)
		for i := range d64 {
			d64[i] /= math.Sqrt(2 * v64[i])
		}
		x, dst := conv[F](d64), make([]F, n)
		f := fn(im)
		return func() { f(dst, x) }, float64(n)
	}
}

// kernelCases lists every kernel of kernels.Impl, float64 then float32.
var kernelCases = []kernelCase{
	{"CrossRowSums64", false, crossCase(func(im *kernels.Impl) func(out, ma, va, wb, mb, vb []float64) { return im.CrossRowSums64 })},
	{"CrossGrad64", false, crossGradCase(gs64, func(im *kernels.Impl) func(rows, cols kernels.GradSums64, wa, ma, va, wb, mb, vb []float64) {
		return im.CrossGrad64
	})},
	{"SelfRowSums64", false, selfCase(func(im *kernels.Impl) func(out, m, v, w []float64) { return im.SelfRowSums64 })},
	{"SelfGrad64", false, selfGradCase(gs64, func(im *kernels.Impl) func(rows, cols kernels.GradSums64, m, v, w []float64) { return im.SelfGrad64 })},
	{"DiracRowSums64", true, diracCase(func(im *kernels.Impl) func(out, ma, va, wx, x []float64) { return im.DiracRowSums64 })},
	{"DiracGrad64", true, diracGradCase(gs64, func(im *kernels.Impl) func(rows, cols kernels.GradSums64, wa, ma, va, wx, x []float64) {
		return im.DiracGrad64
	})},
	{"PairTerms64", false, pairTermsCase(func(im *kernels.Impl) func(h, erf, ex, d, v []float64) { return im.PairTerms64 })},
	{"Erf64", false, unaryCase(func(im *kernels.Impl) func(dst, x []float64) { return im.Erf64 })},
	{"ExpNegSquare64", false, unaryCase(func(im *kernels.Impl) func(dst, x []float64) { return im.ExpNegSquare64 })},

	{"CrossRowSums32", false, crossCase(func(im *kernels.Impl) func(out, ma, va, wb, mb, vb []float32) { return im.CrossRowSums32 })},
	{"CrossGrad32", false, crossGradCase(gs32, func(im *kernels.Impl) func(rows, cols kernels.GradSums32, wa, ma, va, wb, mb, vb []float32) {
		return im.CrossGrad32
	})},
	{"SelfRowSums32", false, selfCase(func(im *kernels.Impl) func(out, m, v, w []float32) { return im.SelfRowSums32 })},
	{"SelfGrad32", false, selfGradCase(gs32, func(im *kernels.Impl) func(rows, cols kernels.GradSums32, m, v, w []float32) { return im.SelfGrad32 })},
	{"DiracRowSums32", true, diracCase(func(im *kernels.Impl) func(out, ma, va, wx, x []float32) { return im.DiracRowSums32 })},
	{"DiracGrad32", true, diracGradCase(gs32, func(im *kernels.Impl) func(rows, cols kernels.GradSums32, wa, ma, va, wx, x []float32) {
		return im.DiracGrad32
	})},
	{"PairTerms32", false, pairTermsCase(func(im *kernels.Impl) func(h, erf, ex, d, v []float32) { return im.PairTerms32 })},
	{"Erf32", false, unaryCase(func(im *kernels.Impl) func(dst, x []float32) { return im.Erf32 })},
	{"ExpNegSquare32", false, unaryCase(func(im *kernels.Impl) func(dst, x []float32) { return im.ExpNegSquare32 })},
}

// BenchmarkKernels times every kernel of every implementation usable on this
// CPU (kernels.Names(), plus the matherf baseline) on one core, calling the
// implementation's functions directly. Mpair/s counts K·M pairs for the cross
// and Dirac kernels, K(K−1)/2 for the self kernels (the upper triangle they
// evaluate) and one per element for the element-wise kernels (PairTerms, Erf,
// ExpNegSquare at K·M elements).
//
// External implementations (external_test.go; the libmvec C loop with
// `-tags libmvec`) run after the registered ones, with the kernels they have.
func BenchmarkKernels(b *testing.B) {
	type run struct {
		im  *kernels.Impl
		has func(string) bool
	}
	var runs []run
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, run{im, func(string) bool { return true }})
	}
	for _, e := range externals {
		runs = append(runs, run{e.impl, e.has})
	}
	for _, r := range runs {
		im := r.im
		b.Run("impl="+im.Name, func(b *testing.B) {
			for _, kc := range kernelCases {
				if !r.has(kc.name) {
					continue
				}
				b.Run("kernel="+kc.name, func(b *testing.B) {
					sizes := kernelSizes
					if kc.dirac {
						sizes = append(sizes[:len(sizes):len(sizes)], diracSize)
					}
					for _, sz := range sizes {
						b.Run(sizeName(sz[0], sz[1]), func(b *testing.B) {
							run, pairs := kc.setup(im, sz[0], sz[1])
							b.ReportAllocs()
							for b.Loop() {
								run()
							}
							reportPairs(b, pairs)
						})
					}
				})
			}
		})
	}
}
