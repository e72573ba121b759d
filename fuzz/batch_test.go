package fuzz

import (
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// batchSet is the batch-lane kernels of one implementation in one precision;
// gradient sums are passed as [3][]T (H, D, R).
type batchSet[T float] struct {
	name      string
	cross     func(out, ma, va, wb, mb, vb []T, n int)
	crossGrad func(rows, cols [3][]T, wa, ma, va, wb, mb, vb []T, n int)
	self      func(out, m, v, w []T, n int)
	selfGrad  func(rows, cols [3][]T, m, v, w []T, n int)
	dirac     func(out, ma, va, wx, x []T, n int)
	diracGrad func(rows, cols [3][]T, wa, ma, va, wx, x []T, n int)
}

func batch64(im *kernels.Impl) batchSet[float64] {
	g := func(s [3][]float64) kernels.GradSums64 { return kernels.GradSums64{H: s[0], D: s[1], R: s[2]} }
	return batchSet[float64]{im.Name, im.BatchCrossRowSums64,
		func(r, c [3][]float64, wa, ma, va, wb, mb, vb []float64, n int) {
			im.BatchCrossGrad64(g(r), g(c), wa, ma, va, wb, mb, vb, n)
		},
		im.BatchSelfRowSums64,
		func(r, c [3][]float64, m, v, w []float64, n int) { im.BatchSelfGrad64(g(r), g(c), m, v, w, n) },
		im.BatchDiracRowSums64,
		func(r, c [3][]float64, wa, ma, va, wx, x []float64, n int) {
			im.BatchDiracGrad64(g(r), g(c), wa, ma, va, wx, x, n)
		}}
}

func batch32(im *kernels.Impl) batchSet[float32] {
	g := func(s [3][]float32) kernels.GradSums32 { return kernels.GradSums32{H: s[0], D: s[1], R: s[2]} }
	return batchSet[float32]{im.Name, im.BatchCrossRowSums32,
		func(r, c [3][]float32, wa, ma, va, wb, mb, vb []float32, n int) {
			im.BatchCrossGrad32(g(r), g(c), wa, ma, va, wb, mb, vb, n)
		},
		im.BatchSelfRowSums32,
		func(r, c [3][]float32, m, v, w []float32, n int) { im.BatchSelfGrad32(g(r), g(c), m, v, w, n) },
		im.BatchDiracRowSums32,
		func(r, c [3][]float32, wa, ma, va, wx, x []float32, n int) {
			im.BatchDiracGrad32(g(r), g(c), wa, ma, va, wx, x, n)
		}}
}

var batchRef = &kernels.Impl{
	Name:                "purego",
	BatchCrossRowSums64: purego.BatchCrossRowSums64, BatchCrossGrad64: purego.BatchCrossGrad64,
	BatchSelfRowSums64: purego.BatchSelfRowSums64, BatchSelfGrad64: purego.BatchSelfGrad64,
	BatchDiracRowSums64: purego.BatchDiracRowSums64, BatchDiracGrad64: purego.BatchDiracGrad64,
	BatchCrossRowSums32: purego.BatchCrossRowSums32, BatchCrossGrad32: purego.BatchCrossGrad32,
	BatchSelfRowSums32: purego.BatchSelfRowSums32, BatchSelfGrad32: purego.BatchSelfGrad32,
	BatchDiracRowSums32: purego.BatchDiracRowSums32, BatchDiracGrad32: purego.BatchDiracGrad32,
}

// batchOutputs runs every kernel of s on the inputs and returns all outputs
// in a fixed order (columns pre-filled with 7: the gradient kernels must
// overwrite them).
func batchOutputs[T float](s batchSet[T], wa, ma, va, wb, mb, vb []T, n int) [][]T {
	kn, mn := len(ma), len(mb)
	mk := func(c int) []T { return make([]T, c) }
	g3 := func(c int) [3][]T {
		r := [3][]T{mk(c), mk(c), mk(c)}
		for _, x := range r {
			for i := range x {
				x[i] = 7
			}
		}
		return r
	}
	var outs [][]T
	add := func(xs ...[]T) { outs = append(outs, xs...) }
	o := mk(kn)
	s.cross(o, ma, va, wb, mb, vb, n)
	add(o)
	r, c := g3(kn), g3(mn)
	s.crossGrad(r, c, wa, ma, va, wb, mb, vb, n)
	add(r[:]...)
	add(c[:]...)
	o = mk(kn)
	s.self(o, ma, va, wa, n)
	add(o)
	r, c = g3(kn), g3(kn)
	s.selfGrad(r, c, ma, va, wa, n)
	add(r[:]...)
	add(c[:]...)
	o = mk(kn)
	s.dirac(o, ma, va, wb, mb, n)
	add(o)
	r, c = g3(kn), g3(mn)
	s.diracGrad(r, [3][]T{c[0], c[1], nil}, wa, ma, va, wb, mb, n)
	add(r[:]...)
	add(c[:2]...)
	return outs
}

// fuzzBatch lays the fuzzed components out as n lane-interleaved mixture
// pairs of K and M components (from shape; the decoded side-a and side-b
// components are cycled through the lanes) and checks, for every batch-lane
// kernel: every implementation equals purego bit for bit; a lane equals the
// same pair computed alone (n = 1), so lanes are independent; the value
// rows equal the H rows of the gradient kernels; the Dirac kernels equal the
// cross kernels with vb = 0.
func fuzzBatch[T float](t *testing.T, data []byte, scale float64, shape uint16, ref batchSet[T], list []batchSet[T]) {
	pwa, pma, pva, pwb, pmb, pvb := decodeMix[T](data, scale)
	if len(pma) == 0 || len(pmb) == 0 {
		return
	}
	// 1 … 17 lanes (every partial last vector), plus 0 … 4 times 64 (past
	// two blocks of the value kernels, 16 vectors of 4 or 8 lanes).
	n := 1 + int(shape)%17 + 64*(int(shape>>13)%5)
	k, m := 1+int(shape>>5)%4, 1+int(shape>>7)%4
	lay := func(pool []T, c int, rot int) []T {
		x := make([]T, c*n)
		for i := range x {
			x[i] = pool[(i+rot)%len(pool)]
		}
		return x
	}
	rot := int(shape >> 9)
	wa, ma, va := lay(pwa, k, rot), lay(pma, k, rot), lay(pva, k, rot)
	wb, mb, vb := lay(pwb, m, rot), lay(pmb, m, rot), lay(pvb, m, rot)
	want := batchOutputs(ref, wa, ma, va, wb, mb, vb, n)
	for _, s := range list {
		got := batchOutputs(s, wa, ma, va, wb, mb, vb, n)
		for o := range want {
			for i := range want[o] {
				if !same(got[o][i], want[o][i]) {
					t.Fatalf("%s: output %d element %d (K=%d M=%d n=%d): %v, purego %v", s.name, o, i, k, m, n, got[o][i], want[o][i])
				}
			}
		}
	}
	// Lane independence: two lanes (one chosen by shape, and the last, in the
	// partial block when n is not a multiple of the lane count) alone.
	for _, l := range []int{int(shape>>3) % n, n - 1} {
		lane := func(x []T, c int) []T {
			y := make([]T, c)
			for i := range y {
				y[i] = x[i*n+l]
			}
			return y
		}
		one := batchOutputs(ref, lane(wa, k), lane(ma, k), lane(va, k), lane(wb, m), lane(mb, m), lane(vb, m), 1)
		for o := range one {
			for i := range one[o] {
				if w := want[o][i*n+l]; !same(one[o][i], w) {
					t.Fatalf("output %d lane %d component %d: %v alone, %v in a batch of %d", o, l, i, one[o][i], w, n)
				}
			}
		}
	}
	// Value rows = gradient H rows; Dirac = cross with vb = 0. Output order:
	// 0 cross, 1–6 cross grad, 7 self, 8–13 self grad, 14 dirac, 15–19 dirac grad.
	for _, p := range [][2]int{{0, 1}, {7, 8}, {14, 15}} {
		for i := range want[p[0]] {
			if !same(want[p[0]][i], want[p[1]][i]) {
				t.Fatalf("outputs %d and %d (rows H) differ at %d: %v, %v", p[0], p[1], i, want[p[0]][i], want[p[1]][i])
			}
		}
	}
	zero := make([]T, len(vb))
	cz := batchOutputs(ref, wa, ma, va, wb, mb, zero, n)
	for i := range want[14] {
		if !same(want[14][i], cz[0][i]) {
			t.Fatalf("Dirac row %d: %v, cross with vb = 0: %v", i, want[14][i], cz[0][i])
		}
	}
}

func FuzzBatch64(f *testing.F) {
	for i, b := range mixSeeds() {
		for j, s := range []float64{1, 1e-150, 1e150, 0.001} {
			f.Add(b, s, uint16(i*977+j*131+(i+j)%5<<13))
		}
	}
	var list []batchSet[float64]
	for _, im := range others(f) {
		list = append(list, batch64(im))
	}
	ref := batch64(batchRef)
	f.Fuzz(func(t *testing.T, data []byte, scale float64, shape uint16) {
		fuzzBatch(t, data, scale, shape, ref, list)
	})
}

func FuzzBatch32(f *testing.F) {
	for i, b := range mixSeeds() {
		for j, s := range []float32{1, 1e-15, 1e15, 0.001} {
			f.Add(b, s, uint16(i*977+j*131+(i+j)%5<<13))
		}
	}
	var list []batchSet[float32]
	for _, im := range others(f) {
		list = append(list, batch32(im))
	}
	ref := batch32(batchRef)
	f.Fuzz(func(t *testing.T, data []byte, scale float32, shape uint16) {
		fuzzBatch(t, data, float64(scale), shape, ref, list)
	})
}
