package kernels_test

// Conformance of the batch combination kernels (BatchPairValues,
// BatchSideGrad): every implementation must return purego's results bit for
// bit (−0 and +0 distinguished; NaN as NaN), element by element, for sides
// of K, M ∈ {1, 2, 3, 5, 8} components, every number of lanes of
// bLaneCounts (every full vector of four lanes and every tail of one to
// three lanes, past two vectors and far beyond), at slice offsets
// 0…cfMaxOff, with sentinels around every slice (nothing written outside
// the outputs, no input changed) and outputs pre-filled with a sentinel
// (every output element written). The inputs mix ordinary values with the
// element-wise tests' specials (±0, subnormals, huge values, infinities and
// NaN), weights and stds ≥ 0 with zeros; the sign of BatchSideGrad is 1 and
// −1. TestGuardCombine places every slice at guard pages.

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// cKernel is one combination kernel in one precision, called uniformly:
// ins are the inputs of the precision (roles one letter each: w weight, v
// std, m any value), outs the outputs (of the precision, or float64 for
// the values, held in out64).
type cKernel[T cfFloat] struct {
	name  string
	roles string
	// sizes returns the lengths of the inputs and of the outputs for sides
	// of k and m components (m unused by the gradients) and n lanes.
	sizes func(k, m, n int) (in, out []int)
	out64 bool
	run   func(im *kernels.Impl, out []T, out64 [][]float64, outT [][]T, in [][]T, k, m, n, sign int)
}

func cKernels[T cfFloat]() []cKernel[T] {
	self := purego.SelfLanes
	values := cKernel[T]{
		name: "BatchPairValues", roles: "wmvmwvm", out64: true,
		sizes: func(k, m, n int) ([]int, []int) {
			return []int{k * n, k * n, k * n, self(k, n), m * n, m * n, self(m, n)}, []int{n, n}
		},
		run: func(im *kernels.Impl, _ []T, o64 [][]float64, _ [][]T, in [][]T, k, m, n, _ int) {
			switch in := any(in).(type) {
			case [][]float64:
				im.BatchPairValues64(o64[0], o64[1], in[0], in[1], in[2], in[3], in[4], in[5], in[6], n)
			case [][]float32:
				im.BatchPairValues32(o64[0], o64[1], in[0], in[1], in[2], in[3], in[4], in[5], in[6], n)
			}
		},
	}
	grad := cKernel[T]{
		name: "BatchSideGrad", roles: "wvmmmmmmmmm",
		sizes: func(k, _, n int) ([]int, []int) {
			cn, sn := k*n, self(k, n)
			return []int{cn, cn, cn, cn, cn, sn, sn, sn, sn, sn, sn}, []int{cn, cn, cn}
		},
		run: func(im *kernels.Impl, _ []T, _ [][]float64, out [][]T, in [][]T, k, _, n, sign int) {
			switch in := any(in).(type) {
			case [][]float64:
				o := any(out).([][]float64)
				g := func(i int) kernels.GradSums64 { return kernels.GradSums64{H: in[i], D: in[i+1], R: in[i+2]} }
				im.BatchSideGrad64(o[0], o[1], o[2], in[0], in[1], g(2), g(5), g(8), sign, n)
			case [][]float32:
				o := any(out).([][]float32)
				g := func(i int) kernels.GradSums32 { return kernels.GradSums32{H: in[i], D: in[i+1], R: in[i+2]} }
				im.BatchSideGrad32(o[0], o[1], o[2], in[0], in[1], g(2), g(5), g(8), sign, n)
			}
		},
	}
	return []cKernel[T]{values, grad}
}

// cFill fills an input of the given role (w weight ≥ 0, v std ≥ 0, m any):
// bFill's values, with stds as bFill's variances (≥ 0, zeros, subnormals,
// huge) and the sums as its means (specials included).
func cFill[T cfFloat](rng *rand.Rand, s []T, role byte) {
	switch role {
	case 'w':
		bFill(rng, s, 'w')
	case 'v':
		bFill(rng, s, 'v')
	default:
		bFill(rng, s, 'm')
	}
}

func TestConformCombine(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { cConform(t, im, cKernels[float64]()) })
			t.Run("float32", func(t *testing.T) { cConform(t, im, cKernels[float32]()) })
		})
	}
}

func cConform[T cfFloat](t *testing.T, im *kernels.Impl, list []cKernel[T]) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, ck := range list {
		t.Run(ck.name, func(t *testing.T) {
			f := &cfFailer{t: t}
			defer f.flush()
			for _, k := range []int{1, 2, 3, 5, 8} {
				for _, m := range []int{1, 2, 3, 5, 8} {
					if !ck.out64 && m != k {
						continue
					}
					for _, n := range bLaneCounts() {
						sign := 1 - 2*((n+k)&1)
						inN, outN := ck.sizes(k, m, n)
						ins := make([][]T, len(inN))
						slabs := make([]cfSlab[T], len(inN))
						gotIn := make([][]T, len(inN))
						for i, c := range inN {
							ins[i] = make([]T, c)
							cFill(rng, ins[i], ck.roles[i])
							slabs[i] = cfPlace((n+k+i)%(cfMaxOff+1), ins[i])
							gotIn[i] = slabs[i].get()
							if c == 0 && (n+i)%2 == 0 {
								ins[i], gotIn[i] = nil, nil // the self sums of one component may be nil
							}
						}
						what := fmt.Sprintf("K=%d M=%d n=%d sign=%d", k, m, n, sign)
						if ck.out64 {
							want := [][]float64{make([]float64, n), make([]float64, n)}
							got := make([][]float64, len(outN))
							gotSlabs := make([]cfSlab[float64], len(outN))
							for i, c := range outN {
								gotSlabs[i] = cfNewSlab[float64]((n+m+i)%(cfMaxOff+1), c)
								got[i] = gotSlabs[i].get()
								for j := range got[i] {
									got[i][j] = cfSentinel[float64]()
								}
							}
							ck.run(cRef, nil, want, nil, ins, k, m, n, sign)
							ck.run(im, nil, got, nil, gotIn, k, m, n, sign)
							for i := range got {
								if d := gotSlabs[i].damaged(); d != "" {
									f.errorf("%s: output %d: %s", what, i, d)
								}
								for j := range got[i] {
									if !cfSame(got[i][j], want[i][j]) {
										f.class(fmt.Sprintf("output %d differs from purego", i), "%s lane %d: got %v, purego %v", what, j, got[i][j], want[i][j])
									}
								}
							}
						} else {
							want := make([][]T, len(outN))
							got := make([][]T, len(outN))
							gotSlabs := make([]cfSlab[T], len(outN))
							for i, c := range outN {
								want[i] = make([]T, c)
								gotSlabs[i] = cfNewSlab[T]((n+m+i)%(cfMaxOff+1), c)
								got[i] = gotSlabs[i].get()
								for j := range got[i] {
									got[i][j] = cfSentinel[T]()
								}
							}
							ck.run(cRef, nil, nil, want, ins, k, m, n, sign)
							ck.run(im, nil, nil, got, gotIn, k, m, n, sign)
							for i := range got {
								if d := gotSlabs[i].damaged(); d != "" {
									f.errorf("%s: output %d: %s", what, i, d)
								}
								for j := range got[i] {
									if !cfSame(got[i][j], want[i][j]) {
										f.class(fmt.Sprintf("output %d differs from purego", i), "%s element %d (lane %d, component %d): got %v, purego %v",
											what, j, j/k, j%k, got[i][j], want[i][j])
									}
								}
							}
						}
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
					}
				}
			}
		})
	}
}

// cRef is the reference implementation of the combination kernels.
var cRef = func() *kernels.Impl {
	im, err := kernels.Lookup("purego")
	if err != nil {
		panic(err)
	}
	return im
}()

// TestCombineZeroLanes checks that n ≤ 0 does nothing (every slice may be
// nil).
func TestCombineZeroLanes(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		for _, n := range []int{0, -1} {
			im.BatchPairValues64(nil, nil, nil, nil, nil, nil, nil, nil, nil, n)
			im.BatchPairValues32(nil, nil, nil, nil, nil, nil, nil, nil, nil, n)
			im.BatchSideGrad64(nil, nil, nil, nil, nil, kernels.GradSums64{}, kernels.GradSums64{}, kernels.GradSums64{}, 1, n)
			im.BatchSideGrad32(nil, nil, nil, nil, nil, kernels.GradSums32{}, kernels.GradSums32{}, kernels.GradSums32{}, 1, n)
		}
	}
}
