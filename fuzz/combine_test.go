package fuzz

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// FuzzCombine64 and FuzzCombine32 compare the batch combination kernels
// (BatchPairValues, BatchSideGrad) of every implementation with purego, bit
// for bit (NaN as NaN), on inputs whose every element is a fuzzed bit
// pattern (data read 8 or 4 bytes at a time, cycled: any value, NaN,
// infinities, subnormals and negative weights and stds included), with
// k, m = 1…6 components, n = 0…39 lanes and sign ±1 from shape.
func FuzzCombine64(f *testing.F) {
	combineSeeds(f)
	list := others(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint16) { fuzzCombine[float64](t, data, shape, list) })
}

func FuzzCombine32(f *testing.F) {
	combineSeeds(f)
	list := others(f)
	f.Fuzz(func(t *testing.T, data []byte, shape uint16) { fuzzCombine[float32](t, data, shape, list) })
}

func combineSeeds(f *testing.F) {
	var b []byte
	for _, x := range []float64{0.25, 1, 3.5, 0, -2, 1e-300, math.Inf(1), 7, 0.5, 1e300} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	for i, sh := range []uint16{0, 7, 36*4 + 3, 36*9 + 14, 36*17 + 35, 36*39 + 20} {
		f.Add(b[:8+i*8], sh)
		f.Add(b, sh|1<<15)
	}
}

func fuzzCombine[T float](t *testing.T, data []byte, shape uint16, list []*kernels.Impl) {
	k, m, n := 1+int(shape%6), 1+int(shape/6%6), int(shape/36%40)
	sign := 1 - 2*int(shape>>15)
	size := 8
	if is32[T]() {
		size = 4
	}
	pos := 0
	next := func() T {
		if len(data) < size {
			return T(float64(pos%7) - 2)
		}
		b := data[pos%(len(data)/size*size):]
		pos += size
		if size == 8 {
			return T(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
		return T(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	}
	mk := func(c int) []T {
		x := make([]T, c)
		for i := range x {
			x[i] = next()
		}
		return x
	}
	self := purego.SelfLanes
	wa, cr, sa, sp := mk(k*n), mk(k*n), mk(k*n), mk(self(k, n))
	wb, sb, sq := mk(m*n), mk(m*n), mk(self(m, n))
	xs := [3][]T{mk(k * n), mk(k * n), mk(k * n)}
	rs := [3][]T{mk(self(k, n)), mk(self(k, n)), mk(self(k, n))}
	cs := [3][]T{mk(self(k, n)), mk(self(k, n)), mk(self(k, n))}
	run := func(im *kernels.Impl) (vals, cross []float64, out []T, under int, g [3][]T) {
		vals, cross, out = make([]float64, n), make([]float64, n), make([]T, n)
		u := []int{-7}
		g = [3][]T{make([]T, k*n), make([]T, k*n), make([]T, k*n)}
		switch any(wa).(type) {
		case []float64:
			c := func(x []T) []float64 { return any(x).([]float64) }
			gs := func(x [3][]T) kernels.GradSums64 { return kernels.GradSums64{H: c(x[0]), D: c(x[1]), R: c(x[2])} }
			im.BatchPairValues64(c(out), u, vals, cross, c(wa), c(cr), c(sa), c(sp), c(wb), c(sb), c(sq), n)
			im.BatchSideGrad64(c(g[0]), c(g[1]), c(g[2]), c(wa), c(sa), gs(xs), gs(rs), gs(cs), sign, n)
		case []float32:
			c := func(x []T) []float32 { return any(x).([]float32) }
			gs := func(x [3][]T) kernels.GradSums32 { return kernels.GradSums32{H: c(x[0]), D: c(x[1]), R: c(x[2])} }
			im.BatchPairValues32(c(out), u, vals, cross, c(wa), c(cr), c(sa), c(sp), c(wb), c(sb), c(sq), n)
			im.BatchSideGrad32(c(g[0]), c(g[1]), c(g[2]), c(wa), c(sa), gs(xs), gs(rs), gs(cs), sign, n)
		}
		return vals, cross, out, u[0], g
	}
	wv, wc, wo, wu, wg := run(combineRef)
	for _, im := range list {
		v, c, o, u, g := run(im)
		if u != wu {
			t.Fatalf("%s k=%d m=%d n=%d: first lane that underflows %d, purego %d", im.Name, k, m, n, u, wu)
		}
		for l := 0; l < n; l++ {
			if !same(v[l], wv[l]) || !same(c[l], wc[l]) || !same(o[l], wo[l]) {
				t.Fatalf("%s k=%d m=%d n=%d lane %d: out, vals, cross %v, %v, %v; purego %v, %v, %v", im.Name, k, m, n, l, o[l], v[l], c[l], wo[l], wv[l], wc[l])
			}
		}
		for o := range g {
			for i := range g[o] {
				if !same(g[o][i], wg[o][i]) {
					t.Fatalf("%s k=%d n=%d sign=%d gradient %d element %d: %v, purego %v", im.Name, k, n, sign, o, i, g[o][i], wg[o][i])
				}
			}
		}
	}
}

var combineRef = &kernels.Impl{
	Name:              "purego",
	BatchPairValues64: purego.BatchPairValues64, BatchSideGrad64: purego.BatchSideGrad64,
	BatchPairValues32: purego.BatchPairValues32, BatchSideGrad32: purego.BatchSideGrad32,
}
