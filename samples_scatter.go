package cramer

// The gradients of a set are found in sorted order and belong at the
// points' original positions: a permutation. Written directly, every write
// lands on a random cache line of two arrays far larger than the caches (two
// misses per point). A set of at least scatterMin points is written in two
// passes instead: the first puts each pair of values, with the offset of
// its position in its bucket, at the next free slot of the bucket (the
// bucket of position p is p / scatterSize, and the slots of bucket b are
// the positions [b·scatterSize, (b+1)·scatterSize) of the outputs
// themselves, which it fills exactly), so that the writes follow a few
// hundred sequential streams; the second moves each bucket's values into
// place through a buffer of one bucket, within the cache.
//
// scatterSize is not a power of two: the heads of the streams advance at
// about the same pace, and with a power-of-two stride they would all fall
// in the same few cache sets. scatterSize/8 (the stride in 64-byte lines of
// float64 outputs) is the prime 503.

const scatterSize = 4024

// scatterMin is the number of points from which the gradients are written
// in two passes (a variable so that tests can exercise both ways).
var scatterMin = 1 << 16

// gradScatter writes the gradient pairs (value, weight derivatives) of one
// set at the original positions of its points.
type gradScatter[F Float] struct {
	v, w []F
	low  []uint16 // the offset in its bucket of the position of each slot's pair
	fill []uint32 // the next slot of each bucket; nil: direct writes
}

// newGradScatter returns the scatter into v and w (length n): direct
// writes when n < scatterMin, else two passes with the n low bits of low
// and the buckets of fill (⌈n / scatterSize⌉).
func newGradScatter[F Float](v, w []F, n int, low []uint16, fill []uint32) gradScatter[F] {
	s := gradScatter[F]{v: v[:n], w: w[:n]}
	if n < scatterMin {
		return s
	}
	s.low, s.fill = low[:n], fill[:(n+scatterSize-1)/scatterSize]
	for b := range s.fill {
		s.fill[b] = uint32(b * scatterSize)
	}
	return s
}

// put writes the pair (gv, gw) of the point at position p.
func (s *gradScatter[F]) put(p uint32, gv, gw F) {
	if s.fill == nil {
		s.v[p], s.w[p] = gv, gw
		return
	}
	b := p / scatterSize
	q := s.fill[b]
	s.fill[b] = q + 1
	s.v[q], s.w[q], s.low[q] = gv, gw, uint16(p-b*scatterSize)
}

// finish moves every bucket's pairs to their positions, through tmp (2 ×
// scatterSize values).
func (s *gradScatter[F]) finish(tmp []float64) {
	if s.fill == nil {
		return
	}
	n := len(s.v)
	tv, tw := tmp[:scatterSize], tmp[scatterSize:2*scatterSize]
	for lo := 0; lo < n; lo += scatterSize {
		hi := min(lo+scatterSize, n)
		v, w, low := s.v[lo:hi], s.w[lo:hi], s.low[lo:hi]
		for t, x := range v {
			tv[t] = float64(x)
		}
		for t, x := range w {
			tw[t] = float64(x)
		}
		for t, l := range low {
			v[l], w[l] = F(tv[t]), F(tw[t])
		}
	}
}
