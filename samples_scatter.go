package cramer

import (
	"math/bits"
	"unsafe"
)

// The gradients of a set are found in sorted order and belong at the
// points' original positions: a permutation. Written directly, every write
// lands on a random cache line of two arrays far larger than the caches (two
// misses per point). A set of at least scatterMin points is written in two
// passes instead, either as its gradients are found (gradScatter, below) or
// from sorted order once they all are (permuteToPositions, at the end). The positions are cut into buckets of B consecutive ones
// (about scatterBuckets buckets); the first pass puts each pair of values,
// with the offset of its position in its bucket, at the next free slot of
// the bucket (the slots of bucket b are the positions [b·B, (b+1)·B) of the
// outputs themselves, which it fills exactly), so that the writes follow a
// few hundred sequential streams; the second moves each bucket's values
// into place through a buffer of one bucket, within the cache.
//
// B is not a power of two: the heads of the streams advance at about the
// same pace, and with a power-of-two stride they would all fall in the same
// few cache sets. B ≡ 8 (mod 16), so that the stride of float64 outputs is an
// odd number of 64-byte lines.

const (
	// scatterBuckets is about the number of buckets: 3 streams each (two
	// outputs and the offsets), well below the write streams that the caches
	// and the TLB sustain (see radix.go).
	scatterBuckets = 128
	// scatterMaxBucket is the largest bucket, whose offsets fit in 16 bits.
	scatterMaxBucket = 1<<16 - 8
)

// scatterMin is the number of points from which the gradients are written
// in two passes (a variable so that tests can exercise both ways). Two
// float64 outputs of 2¹⁶ points fit in the L2 cache of current CPUs. With
// gradScatter, for SquaredSamplesGrad of two sets of 10⁵ points the two ways
// took about the same time, for 3·10⁵ the two passes 1.6× less and for 10⁶
// 2.3× less; with sorted slots and permuteToPositions (float64, two sets)
// 10⁵ points took about half the time of direct writes, and from 4000 to
// 40000 points the two ways about the same (AMD EPYC, Zen 5).
var scatterMin = 1 << 16

// scatterBucket returns the bucket size B for a set of n points.
func scatterBucket(n int) int {
	b := (n + scatterBuckets - 1) / scatterBuckets
	return min(b&^15|8, scatterMaxBucket)
}

// scatterFill returns the number of buckets of a set of n points.
func scatterFill(n int) int {
	b := scatterBucket(n)
	return (n + b - 1) / b
}

// gradScatter writes the gradient pairs (value, weight derivatives) of one
// set at the original positions of its points.
type gradScatter[F Float] struct {
	v, w []F
	low  []uint16 // the offset in its bucket of the position of each slot's pair
	fill []uint32 // the next slot of each bucket; nil: direct writes
	size uint32   // B
	inv  uint64   // ⌊2⁶⁴ / B⌋ + 1: p / B is the high word of p·inv (p < 2³², B < 2¹⁶)
}

// newGradScatter returns the scatter into v and w (length n): direct
// writes when n < scatterMin, else two passes with the n offsets of low
// and the scatterFill(n) buckets of fill.
func newGradScatter[F Float](v, w []F, n int, low []uint16, fill []uint32) gradScatter[F] {
	s := gradScatter[F]{v: v[:n], w: w[:n]}
	if n < scatterMin || n == 0 {
		return s
	}
	b := scatterBucket(n)
	s.size, s.inv = uint32(b), ^uint64(0)/uint64(b)+1
	s.low, s.fill = low[:n], fill[:scatterFill(n)]
	for k := range s.fill {
		s.fill[k] = uint32(k * b)
	}
	return s
}

// put writes the pair (gv, gw) of the point at position p.
func (s *gradScatter[F]) put(p uint32, gv, gw F) {
	if s.fill == nil {
		s.v[p], s.w[p] = gv, gw
		return
	}
	hi, _ := bits.Mul64(uint64(p), s.inv)
	b := uint32(hi)
	q := s.fill[b]
	s.fill[b] = q + 1
	s.v[q], s.w[q], s.low[q] = gv, gw, uint16(p-b*s.size)
}

// pop returns the slot of the last put of position p not yet popped: the
// puts of a bucket popped in the reverse order find their slots again.
func (s *gradScatter[F]) pop(p uint32) uint32 {
	if s.fill == nil {
		return p
	}
	hi, _ := bits.Mul64(uint64(p), s.inv)
	b := uint32(hi)
	q := s.fill[b] - 1
	s.fill[b] = q
	return q
}

// finish moves every bucket's pairs to their positions, through tmp (at
// least B values).
func (s *gradScatter[F]) finish(tmp []float64) {
	if s.fill == nil {
		return
	}
	n, b := len(s.v), int(s.size)
	tmp = tmp[:b]
	for lo := 0; lo < n; lo += b {
		hi := min(lo+b, n)
		low := s.low[lo:hi]
		for _, out := range [2][]F{s.v[lo:hi], s.w[lo:hi]} {
			for t, x := range out {
				tmp[t] = float64(x)
			}
			for t, l := range low {
				out[l] = F(tmp[t])
			}
		}
	}
}

// permuteToPositions moves the pair (v[r], w[r]) of the r-th smallest point
// to the point's position idx[r], in two passes through the memory of the
// keys (whose sorted keys are no longer needed). The positions are cut into
// buckets of B consecutive ones (scatterBucket): the first pass reads the
// pairs in order and appends each, interleaved, with the offset of its
// position in its bucket, to its bucket's slots in the buffer, so that the
// writes follow a few hundred sequential streams; the second puts each
// bucket's pairs at their positions in two buffers of one bucket, within
// the cache, and copies them into v and w: whole cache lines written in
// order, which the copy can write without reading them first (on an Intel
// Xeon, KVM, the gradient call of BenchmarkSamples took about 2% less time
// than with the pairs put into v and w directly). The buffer is the keys'
// memory (8(N + M) bytes for two sets), grown to 16 bytes per point when
// the set is larger than that (the larger of two sets of different sizes);
// the offsets take 2 bytes per point of one set and the bucket buffers 16
// bytes per position of a bucket. Nothing is allocated once the scratch
// has grown.
func permuteToPositions[K radixKey](sc *sampleScratch, v, w []float64, idx []uint32) {
	n := len(v)
	w, idx = w[:n], idx[:n]
	bs := scatterBucket(n)
	nbk := scatterFill(n)
	inv := ^uint64(0)/uint64(bs) + 1 // p / B is the high word of p·inv (p < 2³², B < 2¹⁶)
	sc.fill = grow(sc.fill, nbk)
	sc.low = grow(sc.low, n)
	rs := radixOf[K](sc)
	pairs := asPairs(rs, n)
	fill, low := sc.fill[:nbk], sc.low[:n]
	for k := range fill {
		fill[k] = uint32(k * bs)
	}
	distributePairs(pairs, low, fill, v, w, idx, inv, uint32(bs))
	sc.stmp = grow(sc.stmp, 2*bs)
	tv, tw := sc.stmp[:bs], sc.stmp[bs:2*bs]
	for lo := 0; lo < n; lo += bs {
		hi := min(lo+bs, n)
		placePairs(tv[:hi-lo], tw[:hi-lo], pairs[lo:hi], low[lo:hi])
		copy(v[lo:hi], tv[:hi-lo])
		copy(w[lo:hi], tw[:hi-lo])
	}
}

// distributePairs is the first pass of permuteToPositions: the pair
// (v[r], w[r]) goes to the next slot q of the bucket of idx[r], with the
// position's offset in the bucket in low[q]. (The two passes are functions
// of their own, so that the Go compiler keeps their loops in registers.)
// The slots are written through the bases of pairs, low and fill: the
// buckets' slots cover 0 … n−1 once each and idx[r] < n, so every q and
// bucket is in range; without the slices' headers and bounds checks the
// loop keeps its values in registers (the pass took about 14% less time
// on the sets of BenchmarkSamples, AMD EPYC, Zen 5).
//
//go:noinline
func distributePairs(pairs [][2]float64, low []uint16, fill []uint32, v, w []float64, idx []uint32, inv uint64, bs uint32) {
	n := len(idx)
	if n == 0 {
		return
	}
	// (The lengths the writes below rely on.)
	v, w, pairs, low = v[:n], w[:n], pairs[:n], low[:n]
	_ = fill[(n-1)/int(bs)]
	pp := unsafe.Pointer(unsafe.SliceData(pairs))
	lp := unsafe.Pointer(unsafe.SliceData(low))
	fp := unsafe.Pointer(unsafe.SliceData(fill))
	for r, p := range idx {
		hi, _ := bits.Mul64(uint64(p), inv)
		f := (*uint32)(unsafe.Add(fp, hi*4))
		q := uintptr(*f)
		*f = uint32(q) + 1
		pr := (*[2]float64)(unsafe.Add(pp, q*16))
		pr[0], pr[1] = v[r], w[r]
		*(*uint16)(unsafe.Add(lp, q*2)) = uint16(p - uint32(hi)*bs)
	}
}

// placePairs is the second pass of permuteToPositions over one bucket:
// pair t goes to position low[t] of bv and bw (the bucket's buffers).
//
//go:noinline
func placePairs(bv, bw []float64, pairs [][2]float64, low []uint16) {
	pairs = pairs[:len(low)]
	for t, l := range low {
		// Element by element: a copy of the whole pair went through the
		// stack.
		bv[l], bw[l] = pairs[t][0], pairs[t][1]
	}
}

// asPairs returns the memory of the keys of rs as n pairs of float64, grown
// as needed (the keys are not needed any more).
func asPairs[K radixKey](rs *radixScratch[K], n int) [][2]float64 {
	var k K
	words := 16 / int(unsafe.Sizeof(k)) * n
	if cap(rs.keys) < words {
		rs.keys = make([]K, words)
	}
	return unsafe.Slice((*[2]float64)(unsafe.Pointer(unsafe.SliceData(rs.keys[:1]))), n)
}
