package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmmkit/cramer/kernels"
)

// Projection kernels of the sliced distance (kernels.Impl.ProjectMeans64 and
// its neighbours), and the same product with gonum for comparison.
//
//	BenchmarkProject/impl=I/kernel=ProjectMeans64/size=NxDxL
//
// The sample-set shape is N = 100000 points in D = 2, 8, 32 dimensions
// projected onto L = 256 directions: the product X (N×D) · Θᵀ (D×L). Impl
// "gonum" is mat.Dense.Mul on the same matrices (gonum's Dgemm, float64
// only) on one thread (GOMAXPROCS = 1, like the kernels); "gonum-threads=all"
// is the same with every thread, for reference. The mixture shapes (K = 64
// components, D = 8, L = 512, the sliced workload) time the variance
// projections too. Reported: GFLOP/s = 2·(multiply-adds)/time, where a
// projected mean or diagonal variance counts D multiply-adds per element and
// a Cholesky variance D(D+1)/2 + D, and Mterm/s = multiply-adds/time/1e6.
// The output of the sample shapes is N×L (205 MB in float64), so the small
// D are bound by the memory bandwidth, not by arithmetic.

// projShape is one benchmark shape: n rows of dimension d, l directions.
type projShape struct{ n, d, l int }

var (
	projSampleShapes  = []projShape{{100000, 2, 256}, {100000, 8, 256}, {100000, 32, 256}}
	projMixtureShapes = []projShape{{64, 8, 512}, {5, 8, 512}}
)

func (s projShape) String() string { return fmt.Sprintf("size=%dx%dx%d", s.n, s.d, s.l) }

// projInputs returns the rows (points, variances or Cholesky factors) and
// the directions, transposed (d×l), in float64 from fixed seeds.
func projInputs(kind string, s projShape) (src, thetaT []float64) {
	r := rand.New(rand.NewPCG(seedA, uint64(s.n*s.d*s.l)))
	thetaT = make([]float64, s.d*s.l)
	for k := 0; k < s.l; k++ {
		var norm float64
		for j := 0; j < s.d; j++ {
			v := r.NormFloat64()
			thetaT[j*s.l+k] = v
			norm += v * v
		}
		for j := 0; j < s.d; j++ {
			thetaT[j*s.l+k] /= math.Sqrt(norm)
		}
	}
	w := s.d
	if kind == "ProjectCholVars" {
		w = s.d * s.d
	}
	src = make([]float64, s.n*w)
	for i := range src {
		switch kind {
		case "ProjectMeans":
			src[i] = 0.3 + 2*r.NormFloat64()
		case "ProjectDiagVars":
			src[i] = 0.01 + r.Float64()
		case "ProjectCholVars":
			if c, rr := i%s.d, (i/s.d)%s.d; c <= rr {
				src[i] = r.NormFloat64()
				if c == rr {
					src[i] = 0.1 + r.Float64()
				}
			}
		}
	}
	return src, thetaT
}

// projTerms is the number of multiply-adds of one call.
func projTerms(kind string, s projShape) float64 {
	per := float64(s.d)
	if kind == "ProjectCholVars" {
		per = float64(s.d*(s.d+1)/2 + s.d)
	}
	return float64(s.n) * float64(s.l) * per
}

func reportTerms(b *testing.B, terms float64) {
	if el := b.Elapsed(); el > 0 {
		rate := terms * float64(b.N) / el.Seconds()
		b.ReportMetric(rate/1e6, "Mterm/s")
		b.ReportMetric(2*rate/1e9, "GFLOP/s")
	}
}

type projKernelCase struct {
	kind   string // ProjectMeans, ProjectDiagVars, ProjectCholVars
	f32    bool
	shapes []projShape
	fn64   func(im *kernels.Impl) func(dst, src, thetaT []float64, n, d, l int)
	fn32   func(im *kernels.Impl) func(dst, src, thetaT []float32, n, d, l int)
}

func (c projKernelCase) name() string {
	if c.f32 {
		return c.kind + "32"
	}
	return c.kind + "64"
}

var projCases = []projKernelCase{
	{kind: "ProjectMeans", shapes: append(projSampleShapes, projMixtureShapes...),
		fn64: func(im *kernels.Impl) func(dst, src, thetaT []float64, n, d, l int) { return im.ProjectMeans64 }},
	{kind: "ProjectMeans", f32: true, shapes: append(projSampleShapes, projMixtureShapes...),
		fn32: func(im *kernels.Impl) func(dst, src, thetaT []float32, n, d, l int) { return im.ProjectMeans32 }},
	{kind: "ProjectDiagVars", shapes: projMixtureShapes,
		fn64: func(im *kernels.Impl) func(dst, src, thetaT []float64, n, d, l int) { return im.ProjectDiagVars64 }},
	{kind: "ProjectDiagVars", f32: true, shapes: projMixtureShapes,
		fn32: func(im *kernels.Impl) func(dst, src, thetaT []float32, n, d, l int) { return im.ProjectDiagVars32 }},
	{kind: "ProjectCholVars", shapes: projMixtureShapes,
		fn64: func(im *kernels.Impl) func(dst, src, thetaT []float64, n, d, l int) { return im.ProjectCholVars64 }},
	{kind: "ProjectCholVars", f32: true, shapes: projMixtureShapes,
		fn32: func(im *kernels.Impl) func(dst, src, thetaT []float32, n, d, l int) { return im.ProjectCholVars32 }},
}

// BenchmarkProject times the projection kernels of every implementation
// usable on this CPU (one core), then gonum's matrix product on the shapes
// of ProjectMeans64. Implementations without projection kernels (the matherf
// baseline of the pair kernels) are skipped.
func BenchmarkProject(b *testing.B) {
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		if im.ProjectMeans64 == nil {
			continue
		}
		b.Run("impl="+name, func(b *testing.B) {
			for _, c := range projCases {
				b.Run("kernel="+c.name(), func(b *testing.B) {
					for _, s := range c.shapes {
						b.Run(s.String(), func(b *testing.B) {
							src, thetaT := projInputs(c.kind, s)
							var run func()
							if c.f32 {
								f, dst := c.fn32(im), make([]float32, s.n*s.l)
								src, thetaT := conv[float32](src), conv[float32](thetaT)
								run = func() { f(dst, src, thetaT, s.n, s.d, s.l) }
							} else {
								f, dst := c.fn64(im), make([]float64, s.n*s.l)
								run = func() { f(dst, src, thetaT, s.n, s.d, s.l) }
							}
							run()
							b.ReportAllocs()
							for b.Loop() {
								run()
							}
							reportTerms(b, projTerms(c.kind, s))
						})
					}
				})
			}
		})
	}
	for _, threads := range []int{1, 0} {
		name := "impl=gonum"
		if threads == 0 {
			name = "impl=gonum-allthreads"
		}
		b.Run(name, func(b *testing.B) {
			b.Run("kernel=ProjectMeans64", func(b *testing.B) {
				for _, s := range append(projSampleShapes, projMixtureShapes...) {
					b.Run(s.String(), func(b *testing.B) {
						if threads > 0 {
							defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
						}
						src, thetaT := projInputs("ProjectMeans", s)
						x := mat.NewDense(s.n, s.d, src)
						th := mat.NewDense(s.d, s.l, thetaT)
						dst := mat.NewDense(s.n, s.l, nil)
						dst.Mul(x, th)
						b.ReportAllocs()
						for b.Loop() {
							dst.Mul(x, th)
						}
						reportTerms(b, projTerms("ProjectMeans", s))
					})
				}
			})
		})
	}
}

// TestProjectGonumAgrees checks that the benchmarked products agree: every
// implementation's ProjectMeans64 against gonum's mat.Dense.Mul (a different
// summation, so within a rounding bound), on a reduced sample shape.
func TestProjectGonumAgrees(t *testing.T) {
	s := projShape{1000, 32, 256}
	src, thetaT := projInputs("ProjectMeans", s)
	var want mat.Dense
	want.Mul(mat.NewDense(s.n, s.d, src), mat.NewDense(s.d, s.l, thetaT))
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if im.ProjectMeans64 == nil {
			continue
		}
		dst := make([]float64, s.n*s.l)
		im.ProjectMeans64(dst, src, thetaT, s.n, s.d, s.l)
		for i := 0; i < s.n; i++ {
			for k := 0; k < s.l; k++ {
				var abs float64
				for j := 0; j < s.d; j++ {
					abs += math.Abs(src[i*s.d+j] * thetaT[j*s.l+k])
				}
				if g, w := dst[i*s.l+k], want.At(i, k); !(math.Abs(g-w) <= 2*float64(s.d)*0x1p-52*abs) {
					t.Fatalf("%s: element (%d, %d) = %v, gonum %v", name, i, k, g, w)
				}
			}
		}
	}
}
