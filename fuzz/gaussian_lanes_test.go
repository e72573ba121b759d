package fuzz

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// fuzzGaussianLanes builds a batch of n single Gaussians on both sides
// (from shape: n 0 … 70 lanes at element offset 0 … 3, values or
// gradients) from the bit patterns of data cycled through p's and q's
// weights, means and stds, and checks that every implementation with the
// batches of single Gaussians (kernels.Impl.BatchGaussianGrad64 …) returns
// purego's scans and under and writes purego's bits (a NaN for a NaN),
// against limits and a tolerance that are fuzzed too.
func fuzzGaussianLanes[T float](t *testing.T, data []byte, shape uint16, gt, small, lossy uint64, tol float64) {
	size := 8
	if is32[T]() {
		size = 4
	}
	if len(data) < size {
		return
	}
	n, off, grad := int(shape)%71, int(shape>>7)%4, shape>>9&1 == 1
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
	mk := func() []T { return make([]T, off+n+4)[off : off+n : off+n] }
	var in [6][]T
	for i := range in {
		in[i] = mk()
	}
	for l := range n {
		for i := range in {
			in[i][l] = pattern(6*l + i)
		}
	}
	if size == 4 {
		gt, small, lossy = gt&(1<<32-1), small&(1<<32-1), lossy&(1<<32-1)
	}
	lim := &kernels.FrontLimits{GtLim: gt, GeSmall: small, GeLossy: lossy, Tol: tol}
	type result struct {
		out    [7][]T
		under  int
		sp, sq kernels.FrontScan
	}
	run := func(im *kernels.Impl) (r result) {
		for i := range r.out {
			r.out[i] = mk()
			for l := range r.out[i] {
				r.out[i][l] = 7
			}
		}
		under := []int{-9}
		switch any(T(0)).(type) {
		case float64:
			f := func(x []T) []float64 { return any(x).([]float64) }
			g := func(w, m, s []T) kernels.Gaussians64 { return kernels.Gaussians64{W: f(w), M: f(m), S: f(s)} }
			p, q := g(in[0], in[1], in[2]), g(in[3], in[4], in[5])
			if grad {
				r.sp, r.sq = im.BatchGaussianGrad64(f(r.out[0]), under, g(r.out[1], r.out[2], r.out[3]), g(r.out[4], r.out[5], r.out[6]), p, q, n, lim)
			} else {
				r.sp, r.sq = im.BatchGaussianValues64(f(r.out[0]), under, p, q, n, lim)
			}
		case float32:
			f := func(x []T) []float32 { return any(x).([]float32) }
			g := func(w, m, s []T) kernels.Gaussians32 { return kernels.Gaussians32{W: f(w), M: f(m), S: f(s)} }
			p, q := g(in[0], in[1], in[2]), g(in[3], in[4], in[5])
			if grad {
				r.sp, r.sq = im.BatchGaussianGrad32(f(r.out[0]), under, g(r.out[1], r.out[2], r.out[3]), g(r.out[4], r.out[5], r.out[6]), p, q, n, lim)
			} else {
				r.sp, r.sq = im.BatchGaussianValues32(f(r.out[0]), under, p, q, n, lim)
			}
		}
		r.under = under[0]
		return r
	}
	ref, err := kernels.Lookup("purego")
	if err != nil {
		t.Fatal(err)
	}
	want := run(ref)
	for _, im := range others(t) {
		if im.BatchGaussianGrad64 == nil || im.BatchGaussianValues32 == nil {
			continue
		}
		got := run(im)
		if got.sp != want.sp || got.sq != want.sq || got.under != want.under {
			t.Fatalf("%s: n=%d grad=%v: scans %+v %+v under %d, purego %+v %+v under %d", im.Name, n, grad, got.sp, got.sq, got.under, want.sp, want.sq, want.under)
		}
		for o := range got.out {
			for l := range got.out[o] {
				if !same(got.out[o][l], want.out[o][l]) {
					t.Fatalf("%s: n=%d grad=%v: output %d lane %d: %v, purego %v (inputs %v %v %v, %v %v %v)", im.Name, n, grad, o, l,
						got.out[o][l], want.out[o][l], in[0][l], in[1][l], in[2][l], in[3][l], in[4][l], in[5][l])
				}
			}
		}
	}
}

// gaussianLaneSeeds returns ordinary pairs (weights 1, means and stds of a
// few sizes, a point-mass target, a negative weight) as bytes, with shapes
// of both kinds.
func gaussianLaneSeeds[T float]() (seeds [][]byte, shapes []uint16) {
	for _, pair := range [][6]float64{{1, 0.5, 1.25, 1, -2, 0.75}, {1, 3, 1e-3, 1, 3, 0}, {-1, 0, 2, 1, 0.1, 1}} {
		var b []byte
		for _, x := range pair {
			if is32[T]() {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(x)))
			} else {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
			}
		}
		seeds = append(seeds, b)
		shapes = append(shapes, 13, 13|1<<9, 70|3<<7|1<<9)
	}
	return seeds, shapes
}

func FuzzGaussianLanes64(f *testing.F) {
	seeds, shapes := gaussianLaneSeeds[float64]()
	for i, b := range seeds {
		for _, sh := range shapes[3*i : 3*i+3] {
			f.Add(b, sh, uint64(1<<63-1-math.Float64bits(1e6)), uint64(1<<63-math.Float64bits(1e-3)), uint64(1<<63-math.Float64bits(1e-20)), 1e-6)
		}
	}
	f.Fuzz(fuzzGaussianLanes[float64])
}

func FuzzGaussianLanes32(f *testing.F) {
	seeds, shapes := gaussianLaneSeeds[float32]()
	for i, b := range seeds {
		for _, sh := range shapes[3*i : 3*i+3] {
			f.Add(b, sh, uint64(1<<31-1-math.Float32bits(1e6)), uint64(1<<31-math.Float32bits(1e-3)), uint64(1<<31-math.Float32bits(1e-20)), 1e-6)
		}
	}
	f.Fuzz(fuzzGaussianLanes[float32])
}
