package fuzz

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// frontKernel is BatchFront of one precision.
type frontKernel[T float] func(dw, dm, dv, w, m, s []T, c, n int, lim *kernels.FrontLimits) kernels.FrontScan

// fuzzFront lays a side of n mixtures of c components (from shape: c 1 … 17,
// n 0 … 70 lanes, at element offset 0 … 3) out with the bit patterns of
// data cycled through the weights, means and stds, and checks that every
// implementation returns purego's FrontScan and writes purego's bits (dw
// and dm untouched for c = 1), against limits and a tolerance that are
// fuzzed too.
func fuzzFront[T float](t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64, ref frontKernel[T], list []frontKernel[T], names []string) {
	size := 8
	if is32[T]() {
		size = 4
	}
	if len(data) < size {
		return
	}
	c, n, off := 1+int(shape)%17, int(shape>>5)%71, int(shape>>12)%4
	nc := c * n
	pattern := func(k int) T {
		b := make([]byte, 8)
		for i := range size {
			b[i] = data[(k*size+i)%len(data)]
		}
		v := binary.LittleEndian.Uint64(b)
		var x T
		if is32[T]() {
			x = T(math.Float32frombits(uint32(v)))
		} else {
			x = T(math.Float64frombits(v))
		}
		return x
	}
	mk := func() []T { return make([]T, off+nc+4)[off : off+nc : off+nc] }
	w, m, s := mk(), mk(), mk()
	for i := range nc {
		w[i], m[i], s[i] = pattern(3*i), pattern(3*i+1), pattern(3*i+2)
	}
	if size == 4 {
		gt, small, lossy = gt&(1<<32-1), small&(1<<32-1), lossy&(1<<32-1)
	}
	lim := &kernels.FrontLimits{GtLim: gt, GeSmall: small, GeLossy: lossy, Tol: tol}
	run := func(f frontKernel[T]) ([3][]T, kernels.FrontScan) {
		out := [3][]T{mk(), mk(), mk()}
		for _, o := range out {
			for i := range o {
				o[i] = 7
			}
		}
		return out, f(out[0], out[1], out[2], w, m, s, c, n, lim)
	}
	want, wr := run(ref)
	for k, f := range list {
		got, gr := run(f)
		if gr != wr {
			t.Fatalf("%s: c=%d n=%d: FrontScan %+v, purego %+v", names[k], c, n, gr, wr)
		}
		for o := range got {
			for i := range got[o] {
				if bits(got[o][i]) != bits(want[o][i]) {
					t.Fatalf("%s: c=%d n=%d: output %d element %d: %v, purego %v", names[k], c, n, o, i, got[o][i], want[o][i])
				}
			}
		}
	}
}

// frontSeeds returns ordinary sides (normalised weights, means, stds) as
// bytes, with the shapes they are meant for.
func frontSeeds[T float]() (seeds [][]byte, shapes []uint16) {
	for _, c := range []int{1, 2, 4, 5, 8, 16} {
		var b []byte
		put := func(x float64) {
			if is32[T]() {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
			} else {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
			}
		}
		for i := range c {
			put(1 / float64(c))
			put(float64(i) - 1.5)
			put(0.5 + 0.25*float64(i))
		}
		seeds = append(seeds, b)
		shapes = append(shapes, uint16(c-1+(64<<5)+(c%4)<<12), uint16(c-1+((9+c)<<5)))
	}
	return seeds, shapes
}

func FuzzFront64(f *testing.F) {
	seeds, shapes := frontSeeds[float64]()
	for i, b := range seeds {
		for _, sh := range shapes[2*i : 2*i+2] {
			f.Add(b, sh, uint64(1<<63-1-math.Float64bits(1e6)), uint64(1<<63-math.Float64bits(1e-3)), uint64(1<<63-math.Float64bits(1e-20)), 1e-6)
		}
	}
	list, names := othersPick(f, func(im *kernels.Impl) frontKernel[float64] { return im.BatchFront64 })
	f.Fuzz(func(t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64) {
		fuzzFront(t, data, shape, gt, small, lossy, tol, purego.BatchFront64, list, names)
	})
}

func FuzzFront32(f *testing.F) {
	seeds, shapes := frontSeeds[float32]()
	for i, b := range seeds {
		for _, sh := range shapes[2*i : 2*i+2] {
			f.Add(b, sh, uint64(1<<31-1-math.Float32bits(1e6)), uint64(1<<31-math.Float32bits(1e-3)), uint64(1<<31-math.Float32bits(1e-20)), 1e-6)
		}
	}
	list, names := othersPick(f, func(im *kernels.Impl) frontKernel[float32] { return im.BatchFront32 })
	f.Fuzz(func(t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64) {
		fuzzFront(t, data, shape, gt, small, lossy, tol, purego.BatchFront32, list, names)
	})
}
