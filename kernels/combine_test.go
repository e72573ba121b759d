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
// std, m any value), outT the outputs of the precision and out64 the
// float64 outputs.
type cKernel[T cfFloat] struct {
	name  string
	roles string
	// sizes returns the lengths of the inputs and of the outputs for sides
	// of k and m components (m unused by the gradients) and n lanes.
	sizes func(k, m, n int) (in, outT, out64 []int)
	// out64: the kernel takes a second side (m) and has float64 outputs.
	out64 bool
	run   func(im *kernels.Impl, out64 [][]float64, outT [][]T, in [][]T, n, sign int)
}

func cKernels[T cfFloat]() []cKernel[T] {
	self := purego.SelfLanes
	values := cKernel[T]{
		name: "BatchPairValues", roles: "wmvmwvm", out64: true,
		sizes: func(k, m, n int) ([]int, []int, []int) {
			return []int{k * n, k * n, k * n, self(k, n), m * n, m * n, self(m, n)}, []int{n}, []int{n, n, min(n, 1)}
		},
		run: func(im *kernels.Impl, o64 [][]float64, oT [][]T, in [][]T, n, _ int) {
			under := []int{-7}
			switch in := any(in).(type) {
			case [][]float64:
				im.BatchPairValues64(any(oT[0]).([]float64), under, o64[0], o64[1], in[0], in[1], in[2], in[3], in[4], in[5], in[6], n)
			case [][]float32:
				im.BatchPairValues32(any(oT[0]).([]float32), under, o64[0], o64[1], in[0], in[1], in[2], in[3], in[4], in[5], in[6], n)
			}
			// The lane that underflows, as a float64 output.
			if n > 0 {
				o64[2][0] = float64(under[0])
			}
		},
	}
	grad := cKernel[T]{
		name: "BatchSideGrad", roles: "wvmmmmmmmmm",
		sizes: func(k, _, n int) ([]int, []int, []int) {
			cn, sn := k*n, self(k, n)
			return []int{cn, cn, cn, cn, cn, sn, sn, sn, sn, sn, sn}, []int{cn, cn, cn}, nil
		},
		run: func(im *kernels.Impl, _ [][]float64, out [][]T, in [][]T, n, sign int) {
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
						inN, outT, out64 := ck.sizes(k, m, n)
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
						want64, got64, slabs64 := cOutputs[float64](out64, n+m)
						wantT, gotT, slabsT := cOutputs[T](outT, n+m+len(out64))
						ck.run(cRef, want64, wantT, ins, n, sign)
						ck.run(im, got64, gotT, gotIn, n, sign)
						cCompare(f, what, "float64 output", want64, got64, slabs64, n, k)
						cCompare(f, what, "output", wantT, gotT, slabsT, n, k)
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

// cOutputs returns the outputs of the given lengths for purego (want) and
// for the implementation under test (got, pre-filled with the sentinel in
// slabs at offsets from off).
func cOutputs[U cfFloat](lens []int, off int) (want, got [][]U, slabs []cfSlab[U]) {
	for i, c := range lens {
		want = append(want, make([]U, c))
		s := cfNewSlab[U]((off+i)%(cfMaxOff+1), c)
		slabs = append(slabs, s)
		g := s.get()
		for j := range g {
			g[j] = cfSentinel[U]()
		}
		got = append(got, g)
	}
	return want, got, slabs
}

// cCompare reports every output element that differs from purego's and any
// write outside the outputs.
func cCompare[U cfFloat](f *cfFailer, what, kind string, want, got [][]U, slabs []cfSlab[U], n, k int) {
	for i := range got {
		if d := slabs[i].damaged(); d != "" {
			f.errorf("%s: %s %d: %s", what, kind, i, d)
		}
		for j := range got[i] {
			if !cfSame(got[i][j], want[i][j]) {
				f.class(fmt.Sprintf("%s %d differs from purego", kind, i), "%s element %d (lane %d, component %d of a strided output): got %v, purego %v",
					what, j, j/k, j%k, got[i][j], want[i][j])
			}
		}
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
			im.BatchPairValues64(nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, n)
			im.BatchPairValues32(nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, n)
			im.BatchSideGrad64(nil, nil, nil, nil, nil, kernels.GradSums64{}, kernels.GradSums64{}, kernels.GradSums64{}, 1, n)
			im.BatchSideGrad32(nil, nil, nil, nil, nil, kernels.GradSums32{}, kernels.GradSums32{}, kernels.GradSums32{}, 1, n)
		}
	}
}

// TestCombineUnder checks BatchPairValues' underflow lane against purego
// where it is known: one-component sides with weights 1 and stds 0 give
// cross = vals = cr (clamped at 0), so a lane with cr = −1 (float64: the
// value 0 is below 2⁻⁵⁰·cross) or weight and cr 1e−30 (float32: the value
// 1e−60 rounds to 0) underflows; the first such lane is reported, in a full vector or in
// the tail.
func TestCombineUnder(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		for _, n := range []int{1, 4, 5, 8, 11} {
			for first := -1; first < n; first++ {
				for _, second := range []int{first + 1, first + 4} {
					ones, zeros := make([]float64, n), make([]float64, n)
					for i := range ones {
						ones[i] = 1
					}
					cr64, cr32, w32 := make([]float64, n), make([]float32, n), make([]float32, n)
					for l := range cr64 {
						cr64[l], cr32[l], w32[l] = 1, 1, 1
						if l == first || (first >= 0 && l == second) {
							cr64[l], cr32[l], w32[l] = -1, 1e-30, 1e-30
						}
					}
					vals, cross, out64, out32 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float32, n)
					under := []int{-7}
					im.BatchPairValues64(out64, under, vals, cross, ones, cr64, zeros, nil, ones, zeros, nil, n)
					if under[0] != first {
						t.Errorf("%s float64 n=%d: first lane that underflows %d, want %d", name, n, under[0], first)
					}
					o32, z32 := make([]float32, n), make([]float32, n)
					for i := range o32 {
						o32[i] = 1
					}
					under[0] = -7
					im.BatchPairValues32(out32, under, vals, cross, w32, cr32, z32, nil, o32, z32, nil, n)
					if under[0] != first {
						t.Errorf("%s float32 n=%d: first lane that underflows %d, want %d", name, n, under[0], first)
					}
				}
			}
		}
	}
}
