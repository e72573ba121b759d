package kernels_test

// Conformance of the batch-lane kernels (Batch*): every implementation must
// return purego's results bit for bit (-0 and +0 distinguished), element by
// element, for K, M ∈ {0…3, 5} and every number of lanes of bLaneCounts
// (every full vector and every partial last vector of every lane count up
// to 8, and one, two and more blocks of 16 vectors of the value kernels and
// groups of 16 vectors of the gradient kernels, with and without a partial
// last block), at slice offsets 0…cfMaxOff, with sentinels around every
// slice (no write outside the outputs, no write to the inputs) and outputs
// pre-filled with a sentinel (every output element is overwritten). The
// inputs mix ordinary values with the special means and variances of the
// element-wise tests (zero and equal means, zero, subnormal and huge
// variances). batch_guard_test.go places every slice at guard pages.

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// bKernel is one batch-lane kernel in one precision, called uniformly: in
// holds the row-side inputs (rowIn of them, k·n elements each) then the
// column-side inputs (m·n each); out the row outputs (rowOut, k·n each) then
// the column outputs (m·n each; k·n for the self kernels, whose columns are
// their rows).
type bKernel[T cfFloat] struct {
	name           string
	self           bool
	rowIn, colIn   string // input roles, one letter each: w weight, m mean, v variance
	rowOut, colOut int
	run            func(im *kernels.Impl, out, in [][]T, n int)
}

func bG64(s [][]float64) kernels.GradSums64 {
	g := kernels.GradSums64{H: s[0], D: s[1]}
	if len(s) > 2 {
		g.R = s[2]
	}
	return g
}

func bG32(s [][]float32) kernels.GradSums32 {
	g := kernels.GradSums32{H: s[0], D: s[1]}
	if len(s) > 2 {
		g.R = s[2]
	}
	return g
}

func bKernels64() []bKernel[float64] {
	return []bKernel[float64]{
		{"BatchCrossRowSums64", false, "mv", "wmv", 1, 0, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchCrossRowSums64(o[0], i[0], i[1], i[2], i[3], i[4], n)
		}},
		{"BatchCrossGrad64", false, "wmv", "wmv", 3, 3, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchCrossGrad64(bG64(o[:3]), bG64(o[3:]), i[0], i[1], i[2], i[3], i[4], i[5], n)
		}},
		{"BatchSelfRowSums64", true, "mvw", "", 1, 0, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchSelfRowSums64(o[0], i[0], i[1], i[2], n)
		}},
		{"BatchSelfGrad64", true, "mvw", "", 3, 3, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchSelfGrad64(bG64(o[:3]), bG64(o[3:]), i[0], i[1], i[2], n)
		}},
		{"BatchDiracRowSums64", false, "mv", "wm", 1, 0, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchDiracRowSums64(o[0], i[0], i[1], i[2], i[3], n)
		}},
		{"BatchDiracGrad64", false, "wmv", "wm", 3, 2, func(im *kernels.Impl, o, i [][]float64, n int) {
			im.BatchDiracGrad64(bG64(o[:3]), bG64(o[3:]), i[0], i[1], i[2], i[3], i[4], n)
		}},
	}
}

func bKernels32() []bKernel[float32] {
	return []bKernel[float32]{
		{"BatchCrossRowSums32", false, "mv", "wmv", 1, 0, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchCrossRowSums32(o[0], i[0], i[1], i[2], i[3], i[4], n)
		}},
		{"BatchCrossGrad32", false, "wmv", "wmv", 3, 3, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchCrossGrad32(bG32(o[:3]), bG32(o[3:]), i[0], i[1], i[2], i[3], i[4], i[5], n)
		}},
		{"BatchSelfRowSums32", true, "mvw", "", 1, 0, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchSelfRowSums32(o[0], i[0], i[1], i[2], n)
		}},
		{"BatchSelfGrad32", true, "mvw", "", 3, 3, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchSelfGrad32(bG32(o[:3]), bG32(o[3:]), i[0], i[1], i[2], n)
		}},
		{"BatchDiracRowSums32", false, "mv", "wm", 1, 0, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchDiracRowSums32(o[0], i[0], i[1], i[2], i[3], n)
		}},
		{"BatchDiracGrad32", false, "wmv", "wm", 3, 2, func(im *kernels.Impl, o, i [][]float32, n int) {
			im.BatchDiracGrad32(bG32(o[:3]), bG32(o[3:]), i[0], i[1], i[2], i[3], i[4], n)
		}},
	}
}

// bRef is the reference implementation: package purego.
var bRef = &kernels.Impl{
	Name:                "purego",
	BatchCrossRowSums64: purego.BatchCrossRowSums64, BatchCrossGrad64: purego.BatchCrossGrad64,
	BatchSelfRowSums64: purego.BatchSelfRowSums64, BatchSelfGrad64: purego.BatchSelfGrad64,
	BatchDiracRowSums64: purego.BatchDiracRowSums64, BatchDiracGrad64: purego.BatchDiracGrad64,
	BatchCrossRowSums32: purego.BatchCrossRowSums32, BatchCrossGrad32: purego.BatchCrossGrad32,
	BatchSelfRowSums32: purego.BatchSelfRowSums32, BatchSelfGrad32: purego.BatchSelfGrad32,
	BatchDiracRowSums32: purego.BatchDiracRowSums32, BatchDiracGrad32: purego.BatchDiracGrad32,
}

// bShape returns the element counts of the inputs and outputs of kernel b
// for k rows, m columns and n lanes.
func (b bKernel[T]) shape(k, m, n int) (in, out []int) {
	if b.self {
		m = k
	}
	for range b.rowIn {
		in = append(in, k*n)
	}
	for range b.colIn {
		in = append(in, m*n)
	}
	for range b.rowOut {
		out = append(out, k*n)
	}
	for range b.colOut {
		out = append(out, m*n)
	}
	return in, out
}

// bValueBlock is the largest number of lanes the value kernels take in one
// block (16 vectors of 8 float32 lanes; see gen/avx2/batch.go).
const bValueBlock = 16 * 8

// bLaneCounts returns the numbers of lanes n the batch tests run: 0 … 2·8+1
// (one or two full vectors of up to 8 lanes and every partial last vector),
// and longer batches around one and two blocks of 16 vectors of 4 and of 8
// lanes (the value kernels' blocks and the gradient kernels' groups: a full
// block, one vector less or more, a partial block with a masked tail, and
// past two blocks; for the float64 groups also a group and a few vectors,
// and two groups, some vectors and a partial one).
func bLaneCounts() []int {
	var ns []int
	for n := 0; n <= 2*8+1; n++ {
		ns = append(ns, n)
	}
	return append(ns, 31, 63, 64, cfMaxLen, 70, 75, 100, 149, bValueBlock-1, bValueBlock, bValueBlock+1,
		bValueBlock+7, 2*bValueBlock-8, 2*bValueBlock, 2*bValueBlock+1, 2*bValueBlock+13)
}

// bMaxLanes is the largest of bLaneCounts.
const bMaxLanes = 2*bValueBlock + 13

func (b bKernel[T]) roles() string { return b.rowIn + b.colIn }

// bFill fills an input of the given role: weights ≥ 0, means with repeats,
// zeros and large values, variances ≥ 0 with zeros; specials (the
// element-wise tests' extreme magnitudes and variances) in about one element
// of eight.
func bFill[T cfFloat](rng *rand.Rand, s []T, role byte) {
	specials, vars := cfSpecials[T](), cfVars[T]()
	for i := range s {
		x := rng.NormFloat64() * 3
		switch rng.IntN(8) {
		case 0:
			x = 0
		case 1:
			x *= 1e3
		case 2:
			x = float64(int(x)) // repeats: equal means, d = 0
		case 3:
			if role == 'v' {
				s[i] = vars[rng.IntN(len(vars))]
			} else {
				s[i] = specials[rng.IntN(len(specials))]
			}
			if role == 'w' && s[i] < 0 {
				s[i] = -s[i]
			}
			continue
		}
		if role != 'm' {
			x *= x
		}
		s[i] = T(x)
	}
}

func TestConformBatch(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { bConform(t, im, bKernels64()) })
			t.Run("float32", func(t *testing.T) { bConform(t, im, bKernels32()) })
		})
	}
}

func bConform[T cfFloat](t *testing.T, im *kernels.Impl, list []bKernel[T]) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, b := range list {
		t.Run(b.name, func(t *testing.T) {
			f := &cfFailer{t: t}
			sent := cfSentinel[T]()
			for _, k := range []int{0, 1, 2, 3, 5} {
				for _, m := range []int{0, 1, 2, 3, 5} {
					if b.self && m > 0 {
						continue
					}
					for _, n := range bLaneCounts() {
						inN, outN := b.shape(k, m, n)
						roles := b.roles()
						ins := make([][]T, len(inN))
						slabs := make([]cfSlab[T], len(inN))
						for i, c := range inN {
							ins[i] = make([]T, c)
							bFill(rng, ins[i], roles[i])
							slabs[i] = cfPlace((n+k+i)%(cfMaxOff+1), ins[i])
						}
						want := make([][]T, len(outN))
						gotSlabs := make([]cfSlab[T], len(outN))
						got := make([][]T, len(outN))
						for i, c := range outN {
							want[i] = make([]T, c)
							for j := range want[i] {
								want[i][j] = 3 // overwritten by purego
							}
							gotSlabs[i] = cfNewSlab[T]((n+m+i)%(cfMaxOff+1), c)
							got[i] = gotSlabs[i].get()
							for j := range got[i] {
								got[i][j] = sent
							}
						}
						b.run(bRef, want, ins, n)
						gotIn := make([][]T, len(inN))
						for i := range slabs {
							gotIn[i] = slabs[i].get()
						}
						b.run(im, got, gotIn, n)
						what := fmt.Sprintf("K=%d M=%d n=%d", k, m, n)
						for i := range ins {
							if d := slabs[i].damaged(); d != "" {
								f.errorf("%s: input %d: %s", what, i, d)
							}
							for j, x := range gotIn[i] {
								if cfBits(x) != cfBits(ins[i][j]) {
									f.errorf("%s: input %d element %d changed from %v to %v", what, i, j, ins[i][j], x)
									break
								}
							}
						}
						for i := range got {
							if d := gotSlabs[i].damaged(); d != "" {
								f.errorf("%s: output %d: %s", what, i, d)
							}
							for j := range got[i] {
								if !cfSame(got[i][j], want[i][j]) {
									f.class(fmt.Sprintf("output %d differs from purego", i), "%s element %d (component %d, lane %d): got %v, purego %v",
										what, j, j/max(n, 1), j%max(n, 1), got[i][j], want[i][j])
								}
							}
						}
					}
				}
			}
			f.flush()
		})
	}
}
