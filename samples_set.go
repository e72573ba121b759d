package cramer

import "unsafe"

// Memory: the sorted keys of both sets (8 bytes per key in float64, 4 in
// float32) and a ping-pong half as long as the larger set that has no
// gradient output (a gradient output, written last, serves as its set's
// ping-pong half); indices (4 bytes) for the sets that need the permutation
// (gradients, weights) and the weights in sorted order (8 bytes) for
// weighted sets. Float64 gradients of two sets then reuse the keys' memory
// (at least 16 bytes per point of the larger set) and 2-byte offsets per
// point of one set to move the gradients into place (permuteToPositions).
// Besides, the radix sorts' digit counters: 4 KiB, and 256 KiB more when a
// set has radixWideMin points or more (radixCountersFor).

// sortedSet is one sample set sorted by value.
type sortedSet[K radixKey] struct {
	k   []K       // keys, increasing
	kx  []K       // k with the key 0 before it and ^0 after it
	w   []float64 // weights in sorted order (ties by weight); nil: every weight is u
	idx []uint32  // idx[r] is the position in the set of the r-th point; nil when not needed
	u   float64   // the weight the walks give every point when w is nil
	// gu is the weight of every point in the derivatives with respect to
	// the values when w is nil, and scale the factor from the walks' CDF
	// differences to the true ones: u and 1 but for two unweighted sets
	// (countWeights).
	gu, scale float64
}

// countWeights makes the walks of two unweighted sets of n and m points
// count points instead of adding rounded weights: every point of a weighs
// m and every point of b weighs n, so that the CDF difference is the
// integer i·m − j·n (exact in float64 up to 2⁵³, and in the compensated
// sums beyond), and the true one is that times scale = 1/(n·m), rounded
// once where it is used. With the weights 1/n and 1/m rounded, the
// difference i·fl(1/n) − j·fl(1/m) of nearly equal CDFs kept few of the
// digits of i/n − j/m: for two sets of 10⁶ and 10⁶ + 1 points that differ
// by one point ℓ₂² was off by 2e-10 relative, and is now within 3.4e-16.
// The derivatives with respect to the values take the weights
// (1/n)·scale and (1/m)·scale (gu), which apply the scale once.
func countWeights[K radixKey](a, b *sortedSet[K], n, m int) {
	nf, mf := float64(n), float64(m)
	a.scale = 1 / (nf * mf)
	b.scale = a.scale
	a.u, b.u = mf, nf
	a.gu, b.gu = 1/(nf*nf*mf), 1/(nf*mf*mf)
}

// sumRange returns the compensated sum of w[i:e] (w[i] itself when e = i+1).
func sumRange(w []float64, i, e int) float64 {
	if e == i+1 {
		return w[i]
	}
	var g ksum
	for _, x := range w[i:e] {
		g.add(x)
	}
	return g.val()
}

// sampleScratch holds the buffers of the sample-set computations; they grow
// to the largest problem seen and are reused.
type sampleScratch struct {
	r64 radixScratch[uint64]
	r32 radixScratch[uint32]
	w   []float64 // weights of weighted sets in sorted order
	cps []walkState
	rec []groupRec
	run runSorter
	// The largest |value| of the sets last sorted (sortSets); NaN when one
	// is NaN.
	maxAbs float64
	// The two-pass writes of gradients (gradScatter, permuteToPositions):
	// low position bits of the points of both sets, bucket counters and the
	// buffers of a bucket (two for permuteToPositions).
	low  []uint16
	fill []uint32
	stmp []float64
}

// radixOf returns the radix scratch for keys K.
func radixOf[K radixKey](sc *sampleScratch) *radixScratch[K] {
	var k K
	if unsafe.Sizeof(k) == 8 {
		return any(&sc.r64).(*radixScratch[K])
	}
	return any(&sc.r32).(*radixScratch[K])
}

// scratchBytes returns the capacity of the buffers in bytes.
func (sc *sampleScratch) scratchBytes() int {
	return 8*cap(sc.r64.keys) + 4*cap(sc.r64.idx) + 4*cap(sc.r64.cnt) +
		4*cap(sc.r32.keys) + 4*cap(sc.r32.idx) + 4*cap(sc.r32.cnt) +
		8*cap(sc.w) + int(unsafe.Sizeof(walkState{}))*cap(sc.cps) + int(unsafe.Sizeof(groupRec{}))*cap(sc.rec) +
		2*cap(sc.low) + 4*cap(sc.fill) + 8*cap(sc.stmp)
}

// tmpBuf is memory that a sort may use as its ping-pong half: keys and
// indices of at least the set's length, or nil.
type tmpBuf[K radixKey] struct {
	k []K
	i []uint32
}

// outputTmp returns the memory of the gradient outputs g as the ping-pong
// half of the sort of a set of n points (g.Values holds n keys, g.Weights n
// indices: every element is written with the gradient afterwards), or a
// zero tmpBuf when g is nil or shares memory with one of the inputs.
func outputTmp[F Float, K radixKey](g *SamplesGrad[F], n int, inputs ...[]F) tmpBuf[K] {
	if g == nil || len(g.Values) < n || len(g.Weights) < n {
		return tmpBuf[K]{}
	}
	for _, in := range inputs {
		if overlaps(g.Values, in) || overlaps(g.Weights, in) {
			return tmpBuf[K]{}
		}
	}
	return tmpBuf[K]{asWords[K](g.Values[:n]), asWords[uint32](g.Weights[:n])}
}

// asWords returns the memory of v as a slice of T (whose size divides F's).
func asWords[T radixKey, F Float](v []F) []T {
	var t T
	var f F
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(f)/unsafe.Sizeof(t)))
}

// overlaps reports whether a and b share memory.
func overlaps[A, B Float](a []A, b []B) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	ea, eb := pa+uintptr(len(a))*unsafe.Sizeof(a[0]), pb+uintptr(len(b))*unsafe.Sizeof(b[0])
	return pa < eb && pb < ea
}
