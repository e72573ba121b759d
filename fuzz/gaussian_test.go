package fuzz

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// gaussKernels are BatchGaussianValues and BatchGaussianGrad of one
// precision, with the sides as [3][]T (weights, means, stds).
type gaussKernels[T float] struct {
	values func(out []T, under []int, p, q [3][]T, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan)
	grad   func(out []T, under []int, gp, gq, p, q [3][]T, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan)
}

func gauss64(values func(out []float64, under []int, p, q kernels.Gaussians64, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan),
	grad func(out []float64, under []int, gp, gq, p, q kernels.Gaussians64, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan)) gaussKernels[float64] {
	g := func(s [3][]float64) kernels.Gaussians64 { return kernels.Gaussians64{W: s[0], M: s[1], S: s[2]} }
	return gaussKernels[float64]{
		values: func(out []float64, under []int, p, q [3][]float64, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan) {
			return values(out, under, g(p), g(q), n, lim)
		},
		grad: func(out []float64, under []int, gp, gq, p, q [3][]float64, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan) {
			return grad(out, under, g(gp), g(gq), g(p), g(q), n, lim)
		},
	}
}

func gauss32(values func(out []float32, under []int, p, q kernels.Gaussians32, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan),
	grad func(out []float32, under []int, gp, gq, p, q kernels.Gaussians32, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan)) gaussKernels[float32] {
	g := func(s [3][]float32) kernels.Gaussians32 { return kernels.Gaussians32{W: s[0], M: s[1], S: s[2]} }
	return gaussKernels[float32]{
		values: func(out []float32, under []int, p, q [3][]float32, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan) {
			return values(out, under, g(p), g(q), n, lim)
		},
		grad: func(out []float32, under []int, gp, gq, p, q [3][]float32, n int, lim *kernels.FrontLimits) (kernels.FrontScan, kernels.FrontScan) {
			return grad(out, under, g(gp), g(gq), g(p), g(q), n, lim)
		},
	}
}

// gaussOthers returns the fused kernels of every implementation other than
// purego that has them (avx2, neon).
func gaussOthers[T float](tb testing.TB) (list []gaussKernels[T], names []string) {
	for _, im := range others(tb) {
		if is32[T]() {
			if im.BatchGaussianValues32 == nil || im.BatchGaussianGrad32 == nil {
				continue
			}
			list = append(list, any(gauss32(im.BatchGaussianValues32, im.BatchGaussianGrad32)).(gaussKernels[T]))
		} else {
			if im.BatchGaussianValues64 == nil || im.BatchGaussianGrad64 == nil {
				continue
			}
			list = append(list, any(gauss64(im.BatchGaussianValues64, im.BatchGaussianGrad64)).(gaussKernels[T]))
		}
		names = append(names, im.Name)
	}
	return list, names
}

// fuzzGaussian builds n lanes (from shape: n 0 … 300, element offset 0 …
// 3, value or gradient, and how the bytes become values) of both sides of
// a batch of single Gaussians from data — either the bit patterns of data
// cycled through the six inputs, or moderate values (weights in [0, 2),
// means in [−8, 8), stds in [0, 4), one byte each, a zero byte now and then
// making the std 0) — and checks that every other implementation returns
// purego's scans and underflow lane and writes purego's bits, and nothing
// outside the outputs, and that purego gives what the composition of its
// general batch kernels gives (gaussComposed), bit for bit.
func fuzzGaussian[T float](t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64, ref gaussKernels[T], list []gaussKernels[T], names []string) {
	size := 8
	if is32[T]() {
		size = 4
	}
	if len(data) < size {
		return
	}
	n, off := int(shape)%301, int(shape>>9)%4
	grad, raw := shape&(1<<11) != 0, shape&(1<<12) != 0
	pattern := func(k int) T {
		b := make([]byte, 8)
		for i := range size {
			b[i] = data[(k*size+i)%len(data)]
		}
		v := binary.LittleEndian.Uint64(b)
		if is32[T]() {
			return T(math.Float32frombits(uint32(v)))
		}
		return T(math.Float64frombits(v))
	}
	moderate := func(k int) T {
		x := float64(data[k%len(data)])
		switch k % 3 {
		case 0:
			return T(x / 128)
		case 1:
			return T((x - 128) / 16)
		}
		return T(x / 64)
	}
	mk := func() []T { return make([]T, off+n+4)[off : off+n : off+n] }
	var p, q [3][]T
	for i := range 3 {
		p[i], q[i] = mk(), mk()
	}
	for l := range n {
		for i := range 3 {
			if raw {
				p[i][l], q[i][l] = pattern(6*l+i), pattern(6*l+3+i)
			} else {
				p[i][l], q[i][l] = moderate(6*l+i), moderate(6*l+3+i)
			}
		}
	}
	if size == 4 {
		gt, small, lossy = gt&(1<<32-1), small&(1<<32-1), lossy&(1<<32-1)
	}
	lim := &kernels.FrontLimits{GtLim: gt, GeSmall: small, GeLossy: lossy, Tol: tol}
	run := func(f gaussKernels[T]) (o [7][]T, u int, sp, sq kernels.FrontScan) {
		for i := range o {
			o[i] = make([]T, off+n+4)
			for j := range o[i] {
				o[i][j] = 7
			}
		}
		v := func(i int) []T { return o[i][off : off+n] }
		under := []int{-3}
		if grad {
			sp, sq = f.grad(v(0), under, [3][]T{v(1), v(2), v(3)}, [3][]T{v(4), v(5), v(6)}, p, q, n, lim)
		} else {
			sp, sq = f.values(v(0), under, p, q, n, lim)
		}
		return o, under[0], sp, sq
	}
	want, wu, wp, wq := run(ref)
	// purego against the composition of its general batch kernels, which
	// defines it.
	if n > 0 {
		var comp [7][]T
		for i := range comp {
			comp[i] = make([]T, n)
		}
		cu := []int{-3}
		cp, cq := gaussComposed(grad, comp, cu, p, q, n, lim)
		if cp != wp || cq != wq || cu[0] != wu {
			t.Fatalf("purego: n=%d grad=%v: scans %+v %+v under %d, composition %+v %+v %d", n, grad, wp, wq, wu, cp, cq, cu[0])
		}
		for o := range comp {
			if o > 0 && !grad {
				break
			}
			for l := range n {
				if g, c := want[o][off+l], comp[o][l]; bits(g) != bits(c) && !(isNaN(g) && isNaN(c)) {
					t.Fatalf("purego: n=%d grad=%v: output %d element %d: %v, composition %v", n, grad, o, l, g, c)
				}
			}
		}
	}
	for k, f := range list {
		got, gu, gp, gq := run(f)
		if gp != wp || gq != wq {
			t.Fatalf("%s: n=%d grad=%v: scans %+v %+v, purego %+v %+v", names[k], n, grad, gp, gq, wp, wq)
		}
		if gu != wu {
			t.Fatalf("%s: n=%d grad=%v: under %d, purego %d", names[k], n, grad, gu, wu)
		}
		for o := range got {
			for i := range got[o] {
				if bits(got[o][i]) != bits(want[o][i]) && !(isNaN(got[o][i]) && isNaN(want[o][i])) {
					t.Fatalf("%s: n=%d grad=%v: output %d element %d: %v, purego %v", names[k], n, grad, o, i-off, got[o][i], want[o][i])
				}
			}
		}
	}
}

// gaussSeeds returns moderate and special inputs, with the shapes they are
// meant for (both kinds of bytes, value and gradient, lane counts around
// one and two vectors and groups).
func gaussSeeds() (seeds [][]byte, shapes []uint16) {
	seeds = [][]byte{
		{128, 140, 64, 128, 120, 80, 0, 128, 0, 255, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8},
		{0, 0, 0, 0, 0, 0, 0x80, 0x7f, 0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f, 1, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0, 0, 0x80, 0x3f},
	}
	for _, n := range []int{3, 8, 13, 64, 131, 263} {
		for _, flags := range []uint16{0, 1 << 11, 1 << 12, 3 << 11} {
			shapes = append(shapes, uint16(n)+uint16(n%4)<<9+flags)
		}
	}
	return seeds, shapes
}

func FuzzGaussian64(f *testing.F) {
	seeds, shapes := gaussSeeds()
	for _, b := range seeds {
		for _, sh := range shapes {
			f.Add(b, sh, uint64(1<<63-1-math.Float64bits(1e6)), uint64(1<<63-math.Float64bits(1e-3)), uint64(1<<63-math.Float64bits(1e-20)), 1e-6)
		}
	}
	ref := gauss64(purego.BatchGaussianValues64, purego.BatchGaussianGrad64)
	list, names := gaussOthers[float64](f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64) {
		fuzzGaussian(t, data, shape, gt, small, lossy, tol, ref, list, names)
	})
}

func FuzzGaussian32(f *testing.F) {
	seeds, shapes := gaussSeeds()
	for _, b := range seeds {
		for _, sh := range shapes {
			f.Add(b, sh, uint64(1<<31-1-math.Float32bits(1e6)), uint64(1<<31-math.Float32bits(1e-3)), uint64(1<<31-math.Float32bits(1e-20)), 1e-6)
		}
	}
	ref := gauss32(purego.BatchGaussianValues32, purego.BatchGaussianGrad32)
	list, names := gaussOthers[float32](f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64) {
		fuzzGaussian(t, data, shape, gt, small, lossy, tol, ref, list, names)
	})
}

// gaussComposed computes the fused kernels' results with purego's general
// batch kernels for K = M = 1: BatchFront of each side, BatchCrossRowSums
// or BatchCrossGrad, BatchPairValues and BatchSideGrad of each side (n ≥
// 1); o holds out, gp.W, gp.M, gp.S, gq.W, gq.M, gq.S.
func gaussComposed[T float](grad bool, o [7][]T, under []int, p, q [3][]T, n int, lim *kernels.FrontLimits) (sp, sq kernels.FrontScan) {
	switch o0 := any(o[0]).(type) {
	case []float64:
		f := func(x []T) []float64 { return any(x).([]float64) }
		va, vb := make([]float64, n), make([]float64, n)
		sp = purego.BatchFront64(nil, nil, va, f(p[0]), f(p[1]), f(p[2]), 1, n, lim)
		sq = purego.BatchFront64(nil, nil, vb, f(q[0]), f(q[1]), f(q[2]), 1, n, lim)
		rows := purego.GradSums64{H: make([]float64, n), D: make([]float64, n), R: make([]float64, n)}
		cols := purego.GradSums64{H: make([]float64, n), D: make([]float64, n), R: make([]float64, n)}
		if grad {
			purego.BatchCrossGrad64(rows, cols, f(p[0]), f(p[1]), va, f(q[0]), f(q[1]), vb, n)
		} else {
			purego.BatchCrossRowSums64(rows.H, f(p[1]), va, f(q[0]), f(q[1]), vb, n)
		}
		purego.BatchPairValues64(o0, under, make([]float64, n), make([]float64, n), f(p[0]), rows.H, f(p[2]), nil, f(q[0]), f(q[2]), nil, n)
		if grad {
			var none purego.GradSums64
			purego.BatchSideGrad64(f(o[1]), f(o[2]), f(o[3]), f(p[0]), f(p[2]), rows, none, none, 1, n)
			purego.BatchSideGrad64(f(o[4]), f(o[5]), f(o[6]), f(q[0]), f(q[2]), cols, none, none, -1, n)
		}
	case []float32:
		f := func(x []T) []float32 { return any(x).([]float32) }
		va, vb := make([]float32, n), make([]float32, n)
		sp = purego.BatchFront32(nil, nil, va, f(p[0]), f(p[1]), f(p[2]), 1, n, lim)
		sq = purego.BatchFront32(nil, nil, vb, f(q[0]), f(q[1]), f(q[2]), 1, n, lim)
		rows := purego.GradSums32{H: make([]float32, n), D: make([]float32, n), R: make([]float32, n)}
		cols := purego.GradSums32{H: make([]float32, n), D: make([]float32, n), R: make([]float32, n)}
		if grad {
			purego.BatchCrossGrad32(rows, cols, f(p[0]), f(p[1]), va, f(q[0]), f(q[1]), vb, n)
		} else {
			purego.BatchCrossRowSums32(rows.H, f(p[1]), va, f(q[0]), f(q[1]), vb, n)
		}
		purego.BatchPairValues32(o0, under, make([]float64, n), make([]float64, n), f(p[0]), rows.H, f(p[2]), nil, f(q[0]), f(q[2]), nil, n)
		if grad {
			var none purego.GradSums32
			purego.BatchSideGrad32(f(o[1]), f(o[2]), f(o[3]), f(p[0]), f(p[2]), rows, none, none, 1, n)
			purego.BatchSideGrad32(f(o[4]), f(o[5]), f(o[6]), f(q[0]), f(q[2]), cols, none, none, -1, n)
		}
	}
	return sp, sq
}
