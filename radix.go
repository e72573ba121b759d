package cramer

import (
	"math"
	"unsafe"
)

// The sample-set computations sort values as unsigned integer keys in the
// same order (sortKey, sortKey32): float64 values as 64-bit keys, float32
// values as 32-bit keys, by a stable least-significant-digit radix sort over
// 8-bit digits: the 4 digits of a 32-bit key; the 4 high digits of a 64-bit
// key, each run of equal high bits then finished by insertion or by the 4
// low digits (see sortedKeys). The counts of every digit are taken in the
// one sweep that builds the keys (from radixBucketMin keys the sweep only
// counts, and the first pass that moves keys computes them from the values
// again), and a pass whose digit is the same in every key is skipped (the
// low digits of widened or coarse data, the exponent digits of data within
// one binade). The sorted keys' ends give the values' largest magnitude
// (the check of values not validated before). The keys move alone, or with
// a 32-bit index when the caller needs the permutation (gradients,
// weights): the entry points reject sets of 2³² points or more
// (checkSampleCount).
//
// Digits of 8 bits rather than 11 take one pass more (4 instead of 3) but
// each pass writes to 256 streams (512 with the indices) instead of 2048
// (4096), few enough for the caches and the TLB: on an AMD EPYC (Zen 5) with
// 4 KiB pages one pass over 2·10⁶ keys with indices took 2.5× less time with
// 8-bit digits than with 11-bit ones, and whole sorts of 10⁶ points
// 20–25% less.
//
// Sorts of radixWideMin keys or more count the top 16 bits of the 32 they
// order (sign, exponent and the first mantissa bits) as one digit as well,
// and when at most radixWideMaxValues of its values occur, as for data
// spread over a few binades, sort them in one pass instead of two: the
// pass writes to no more streams than it has values, and most of them are
// thin. For the two sets of 10⁶ points of BenchmarkSamples (about 550
// values each, 170 of them holding more than 0.1% of the points) the one
// pass took 4.8 ms against 7.1 ms for the two (AMD EPYC, Zen 5). From
// radixBucketMin keys that pass comes first (radixBuckets): it puts the
// keys into buckets of equal top bits, and each bucket is then sorted by
// the two low digits (and its runs of equal high bits finished) while it
// is in the caches, instead of two more passes over the whole set, which
// no longer fits in them. For the sets of BenchmarkSamples the gradient
// call took 0.84× the time it took with the top digits' pass last, the
// value 0.92× (Intel Xeon, KVM; medians of five alternating runs).

// radixKey is the type of a sort key.
type radixKey interface{ ~uint32 | ~uint64 }

const (
	radixBits   = 8
	radixSize   = 1 << radixBits
	radixMask   = radixSize - 1
	radixDigits = 4 // the passes of a sort (of the high or the low half of a 64-bit key)
	// radixCounters is the number of digit counters of a sort.
	radixCounters = radixDigits * radixSize
	// radixCountersWide is radixCounters and the counters of one 16-bit
	// digit (radixWideMin).
	radixCountersWide = radixCounters + radixWideSize
	radixWideBits     = 16
	radixWideSize     = 1 << radixWideBits
	radixWideMask     = radixWideSize - 1
	// radixWideMin is the length from which the top 16 bits of a sort's 32
	// take one pass when radixWideMaxValues or fewer of their values occur
	// (below it, clearing and scanning 2¹⁶ counters costs more than a pass
	// saves). The bound of 1024 streams is a choice: only sets with about
	// 550 values (BenchmarkSamples) were measured.
	radixWideMin       = 1 << 16
	radixWideMaxValues = 1024
	// radixMinN is the length below which an insertion sort is used (the
	// counters cost a few microseconds to clear and scan).
	radixMinN = 64
)

// radixBucketMin is the length from which a sort whose top 16 bits take
// few values sorts by them first (radixBuckets) rather than last (a
// variable so that tests can exercise both ways). Smaller sets stay in the
// caches through the passes over the whole set, and the buckets' counters
// cost more than they save: with N = M normal points (as in
// BenchmarkSamples) the bucket sorts took the value call 1.12× the time at
// 10⁵ and 3·10⁵ points, 1.03× at 5·10⁵ and 0.92× at 10⁶, the gradient call
// 1.07×, 1.02×, 0.93× and 0.87× (Intel Xeon, KVM; medians of five).
var radixBucketMin = 1 << 19

// keyBits returns the number of bits of K.
func keyBits[K radixKey]() int {
	var k K
	return 8 * int(unsafe.Sizeof(k))
}

// sortKey maps a float64 to a uint64 in the same order, with −0 and +0 (equal
// as values) on the same key: the bits of a non-negative value with the sign
// bit set, the negated bits (two's complement, 2⁶³ − |v|'s bits) of a negative
// one.
func sortKey(v float64) uint64 {
	b := math.Float64bits(v)
	m := uint64(int64(b) >> 63) // all ones when negative
	return (b ^ m - m) | (^m & (1 << 63))
}

// keyValue inverts sortKey (−0 comes back as +0).
func keyValue(k uint64) float64 {
	if k&(1<<63) != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(-k)
}

// sortKey32 is sortKey for float32.
func sortKey32(v float32) uint32 {
	b := math.Float32bits(v)
	m := uint32(int32(b) >> 31)
	return (b ^ m - m) | (^m & (1 << 31))
}

// keyValue32 inverts sortKey32 (−0 comes back as +0).
func keyValue32(k uint32) float32 {
	if k&(1<<31) != 0 {
		return math.Float32frombits(k &^ (1 << 31))
	}
	return math.Float32frombits(-k)
}

// keyOf returns the sort key of v: sortKey for float64 (K = uint64),
// sortKey32 for float32 (K = uint32).
func keyOf[F Float, K radixKey](v F) K {
	if unsafe.Sizeof(v) == 8 {
		return K(sortKey(float64(v)))
	}
	return K(sortKey32(float32(v)))
}

// valueOf inverts keyOf, as a float64.
func valueOf[K radixKey](k K) float64 {
	if unsafe.Sizeof(k) == 8 {
		return keyValue(uint64(k))
	}
	return float64(keyValue32(uint32(k)))
}

// radixScratch is the memory of the radix sorts of one or two sets of keys:
// one buffer of keys (and one of indices) holding both sorted sets and the
// ping-pong half of the larger one, and the digit counters.
type radixScratch[K radixKey] struct {
	keys []K
	idx  []uint32
	cnt  []uint32 // radixCounters digit counters
}

// sortedKeys sorts the keys of values (keyOf) into dst, stably, and with
// withIdx also the indices 0 … n−1 along with them into idx (so that idx[r]
// is the position in values of the r-th smallest): dst and idx have length
// n = len(values), tmpK and tmpI (when withIdx) at least n; their contents
// are destroyed. cnt holds radixCountersFor(n) counters. It returns the
// largest |value| as a float64 (maxAbs(values); NaN when values holds a
// NaN), from the smallest and the largest key. It does not allocate.
//
// 32-bit keys take the 4 passes of their digits. 64-bit keys take the 4
// passes of their high digits (bits 32 to 63: sign, exponent and 20 bits of
// mantissa, so that continuous data of up to millions of points rarely puts
// two points on the same high bits); each run of keys with equal high bits
// is then finished by an insertion sort when short, by the 4 passes of the
// low digits over the run otherwise. From radixWideMin keys the top two
// digits of the 4 may take one pass (radixWideMaxValues), from
// radixBucketMin keys first (radixBuckets).
func sortedKeys[F Float, K radixKey](values []F, dst, tmpK []K, idx, tmpI []uint32, withIdx bool, cnt []uint32) float64 {
	n := len(values)
	if n < radixMinN {
		for i, v := range values {
			k := keyOf[F, K](v)
			j := i
			for ; j > 0 && dst[j-1] > k; j-- {
				dst[j] = dst[j-1]
				if withIdx {
					idx[j] = idx[j-1]
				}
			}
			dst[j] = k
			if withIdx {
				idx[j] = uint32(i)
			}
		}
		return extremeMagnitude(dst[:n])
	}
	c := (*[radixCounters]uint32)(cnt)
	clear(c[:])
	shift0 := uint(0)
	if keyBits[K]() == 64 {
		shift0 = radixHigh
	}
	// The counts of every digit, in one sweep over the values. Below
	// radixBucketMin the sweep also writes the keys where the expected
	// passes leave them in dst: into dst for 4 passes, into tmpK for 3 (the
	// top 16 bits in one pass; otherwise they are copied into dst at the
	// end). From radixBucketMin it stores nothing, and the first pass that
	// moves keys computes them from the values again.
	store := n < radixBucketMin
	ks, kt, ksI, ktI := dst[:n], tmpK[:n], idx, tmpI
	if n >= radixWideMin {
		ks, kt, ksI, ktI = kt, ks, ktI, ksI
	}
	var cw *[radixWideSize]uint32
	if n >= radixWideMin {
		// The top 16 bits of the high half counted as one digit: one pass
		// for them when few of their values occur, else their two 8-bit
		// digits' counts derived from it.
		cw = (*[radixWideSize]uint32)(cnt[radixCounters:radixCountersWide])
		clear(cw[:])
		if store {
			for i, v := range values {
				k := keyOf[F, K](v)
				ks[i] = k
				h := uint64(k) >> shift0
				c[h&radixMask]++
				c[radixSize+h>>8&radixMask]++
				cw[h>>16&radixWideMask]++
			}
		} else {
			for _, v := range values {
				k := keyOf[F, K](v)
				h := uint64(k) >> shift0
				c[h&radixMask]++
				c[radixSize+h>>8&radixMask]++
				cw[h>>16&radixWideMask]++
			}
		}
		if !fewValues(cw) {
			for t, m := range cw {
				c[2*radixSize+t&radixMask] += m
				c[3*radixSize+t>>8] += m
			}
			cw = nil
		}
	} else {
		for i, v := range values {
			k := keyOf[F, K](v)
			ks[i] = k
			h := uint64(k) >> shift0
			c[h&radixMask]++
			c[radixSize+h>>8&radixMask]++
			c[2*radixSize+h>>16&radixMask]++
			c[3*radixSize+h>>24&radixMask]++
		}
	}
	if store {
		if radixPassesKeys(ks, kt, ksI, ktI, withIdx, true, c, cw, shift0) {
			ks, ksI = kt, ktI
		}
		if &ks[0] != &dst[0] {
			copy(dst[:n], ks)
			if withIdx {
				copy(idx[:n], ksI[:n])
			}
		}
	} else {
		digits := radixDigits
		if cw != nil {
			if cw[uint64(keyOf[F, K](values[0]))>>(shift0+16)&radixWideMask] != uint32(n) {
				radixBuckets(values, dst[:n], tmpK[:n], idx, tmpI, withIdx, c, cw, shift0)
				return extremeMagnitude(dst[:n])
			}
			digits = 2 // the top two digits are the same in every key
		}
		radixPassesValues(values, dst[:n], tmpK[:n], idx, tmpI, withIdx, c, digits, shift0)
	}
	if keyBits[K]() == 64 {
		var ri, rt []uint32
		if withIdx {
			ri, rt = idx[:n], tmpI[:n]
		}
		finishRuns(dst[:n], tmpK[:n], ri, rt, withIdx, c)
	}
	return extremeMagnitude(dst[:n])
}

// radixHigh is the first bit of the high digits of a 64-bit key.
const radixHigh = 32

// finishRuns sorts the runs of equal high bits of the 64-bit keys (with
// their indices), which are in order of their high bits, by their low bits
// where they are out of order: a key larger than the next one starts or
// lies in such a run, and a run without one is already in order (equal keys
// in the order of their indices). tmpK and tmpI are scratch of the keys'
// length; c, counters.
func finishRuns[K radixKey](keys, tmpK []K, idx, tmpI []uint32, withIdx bool, c *[radixCounters]uint32) {
	n := len(keys)
	for s := 0; s < n-1; s++ {
		if keys[s] <= keys[s+1] {
			continue
		}
		h := uint64(keys[s]) >> radixHigh
		b, e := s, s+2
		for b > 0 && uint64(keys[b-1])>>radixHigh == h {
			b--
		}
		for e < n && uint64(keys[e])>>radixHigh == h {
			e++
		}
		var ri, rt []uint32
		if withIdx {
			ri, rt = idx[b:e], tmpI[b:e]
		}
		sortRun(keys[b:e], tmpK[b:e], ri, rt, withIdx, c)
		s = e - 1
	}
}

// extremeMagnitude returns the largest |value| of the sorted keys as a
// float64 (0 when there is none): that of the first or of the last key, the
// most negative and the most positive value (NaN when one of them is NaN:
// negative NaNs' keys come first, positive ones' last).
func extremeMagnitude[K radixKey](keys []K) float64 {
	if len(keys) == 0 {
		return 0
	}
	return max(math.Abs(valueOf(keys[0])), math.Abs(valueOf(keys[len(keys)-1])))
}

// radixPassesValues sorts the keys of values into dst stably by their
// lowest digits digits from shift0 up (the others being the same in every
// key), with their indices 0 … n−1 into idx when withIdx, through tmp and
// tmpI; c holds the counts of the digits. A pass whose digit is the same in
// every key is skipped; the first pass that moves keys computes them from
// the values, into dst or tmp so that the last one ends in dst.
func radixPassesValues[F Float, K radixKey](values []F, dst, tmp []K, idx, tmpI []uint32, withIdx bool, c *[radixCounters]uint32, digits int, shift0 uint) {
	n := len(values)
	k0 := uint64(keyOf[F, K](values[0]))
	var moves [radixDigits]bool
	nm := 0
	for p := range digits {
		shift := (shift0 + uint(p)*radixBits) & 63
		moves[p] = c[p*radixSize+int(k0>>shift&radixMask)] != uint32(n)
		nm += b2i(moves[p])
	}
	if nm == 0 { // every key the same in these digits
		for i, v := range values {
			dst[i] = keyOf[F, K](v)
		}
		if withIdx {
			for i := range idx[:n] {
				idx[i] = uint32(i)
			}
		}
		return
	}
	out, other := dst[:n], tmp[:n]
	var outI, otherI, srcI []uint32
	if withIdx {
		outI, otherI = idx[:n], tmpI[:n]
	}
	if nm%2 == 0 {
		out, other, outI, otherI = other, out, otherI, outI
	}
	var src []K
	for p := range digits {
		if !moves[p] {
			continue
		}
		shift := (shift0 + uint(p)*radixBits) & 63
		cp := (*[radixSize]uint32)(c[p*radixSize:])
		var sum uint32
		for d, m := range cp {
			cp[d] = sum
			sum += m
		}
		switch {
		case src == nil && withIdx:
			radixPassValuesIdentity(out, outI, values, cp, shift)
		case src == nil:
			radixPassValues(out, values, cp, shift)
		case withIdx:
			radixPassIdx(out, outI, src, srcI, cp, shift)
		default:
			radixPass(out, src, cp, shift)
		}
		src, srcI = out, outI
		out, other, outI, otherI = other, out, otherI, outI
	}
}

// radixBuckets sorts the keys of values into dst (with their indices
// 0 … n−1 into idx when withIdx) when the top 16 bits of the digits from
// shift0 up take few values and not one only (cw holds their counts): one
// pass puts the keys into dst by those bits, and each bucket of equal top
// bits, mostly small enough for the caches, is then sorted by its two low
// digits in place through the start of tmp and tmpI (sortBucket). The order is that of
// the least-significant-digit passes: by the digits, ties in the order of
// the indices. c serves as the buckets' counters.
func radixBuckets[F Float, K radixKey](values []F, dst, tmp []K, idx, tmpI []uint32, withIdx bool, c *[radixCounters]uint32, cw *[radixWideSize]uint32, shift0 uint) {
	n := len(values)
	shift := shift0 + 2*radixBits
	var sum uint32
	for d, m := range cw {
		cw[d] = sum
		sum += m
	}
	var dI []uint32
	if withIdx {
		dI = idx[:n]
		radixPassValuesWideIdentity(dst, dI, values, cw, shift)
	} else {
		radixPassValuesWide(dst, values, cw, shift)
	}
	// cw[d] is now the end of bucket d, where the next one starts.
	lo := 0
	for _, e := range cw {
		hi := int(e)
		if m := hi - lo; m > 1 {
			// Every bucket through the start of tmp and tmpI, which then
			// stays in the caches.
			var bi, bt []uint32
			if withIdx {
				bi, bt = dI[lo:hi], tmpI[:m]
			}
			sortBucket(dst[lo:hi], tmp[:m], bi, bt, withIdx, c, shift0)
		}
		lo = hi
		if lo == n {
			break
		}
	}
}

// sortBucket sorts keys (and their indices) stably, all of whose top two
// digits from shift0 up are the same: by insertion when short, else by the
// passes of the two low digits through tmpK and tmpI, followed for 64-bit
// keys by finishRuns.
func sortBucket[K radixKey](keys, tmpK []K, idx, tmpI []uint32, withIdx bool, c *[radixCounters]uint32, shift0 uint) {
	n := len(keys)
	if n <= 32 {
		// By the whole key: the order finishRuns would leave.
		insertionSort(keys, idx, withIdx)
		return
	}
	clear(c[:2*radixSize])
	for _, k := range keys {
		h := uint64(k) >> shift0
		c[h&radixMask]++
		c[radixSize+h>>8&radixMask]++
	}
	if radixPasses(keys, tmpK, idx, tmpI, withIdx, c, 2, shift0) {
		copy(keys, tmpK)
		if withIdx {
			copy(idx, tmpI)
		}
	}
	if keyBits[K]() == 64 {
		finishRuns(keys, tmpK, idx, tmpI, withIdx, c)
	}
}

// radixPassValues is radixPass over the keys of values (keyOf).
//
//go:noinline
func radixPassValues[F Float, K radixKey](dst []K, values []F, c *[radixSize]uint32, shift uint) {
	dst = dst[:len(values)]
	for _, v := range values {
		k := keyOf[F, K](v)
		d := uint64(k) >> shift & radixMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
	}
}

// radixPassValuesIdentity is radixPassValues that also moves the indices
// 0 … n−1 along with the keys into dstI.
//
//go:noinline
func radixPassValuesIdentity[F Float, K radixKey](dst []K, dstI []uint32, values []F, c *[radixSize]uint32, shift uint) {
	dst, dstI = dst[:len(values)], dstI[:len(values)]
	for i, v := range values {
		k := keyOf[F, K](v)
		d := uint64(k) >> shift & radixMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = uint32(i)
	}
}

// radixPassValuesWide is radixPassValues for a 16-bit digit.
//
//go:noinline
func radixPassValuesWide[F Float, K radixKey](dst []K, values []F, c *[radixWideSize]uint32, shift uint) {
	dst = dst[:len(values)]
	for _, v := range values {
		k := keyOf[F, K](v)
		d := uint64(k) >> shift & radixWideMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
	}
}

// radixPassValuesWideIdentity is radixPassValuesIdentity for a 16-bit
// digit.
//
//go:noinline
func radixPassValuesWideIdentity[F Float, K radixKey](dst []K, dstI []uint32, values []F, c *[radixWideSize]uint32, shift uint) {
	dst, dstI = dst[:len(values)], dstI[:len(values)]
	for i, v := range values {
		k := keyOf[F, K](v)
		d := uint64(k) >> shift & radixWideMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = uint32(i)
	}
}

// sortRun sorts keys (and their indices) stably by their low 32 bits:
// insertion sort when short or in order, else the 4 low-digit passes
// through tmpK and tmpI.
func sortRun[K radixKey](keys, tmpK []K, idx, tmpI []uint32, withIdx bool, c *[radixCounters]uint32) {
	n := len(keys)
	if n <= 32 {
		insertionSort(keys, idx, withIdx)
		return
	}
	clear(c[:])
	for _, k := range keys {
		k := uint64(k)
		c[k&radixMask]++
		c[radixSize+k>>8&radixMask]++
		c[2*radixSize+k>>16&radixMask]++
		c[3*radixSize+k>>24&radixMask]++
	}
	if radixPasses(keys, tmpK, idx, tmpI, withIdx, c, radixDigits, 0) {
		copy(keys, tmpK)
		if withIdx {
			copy(idx, tmpI)
		}
	}
}

// radixPasses sorts the keys of a stably by their lowest digits digits
// from shift0 up (the others being the same in every key), ping-ponging
// between a and b, with their indices between aI and bI when withIdx, and
// reports whether the result ended in b (an odd number of passes moved
// keys) rather than in a; c holds the counts of the digits. A pass whose
// digit is the same in every key is skipped.
func radixPasses[K radixKey](a, b []K, aI, bI []uint32, withIdx bool, c *[radixCounters]uint32, digits int, shift0 uint) (inB bool) {
	n := len(a)
	src, dst := a, b[:n]
	var srcI, dstI []uint32
	if withIdx {
		srcI, dstI = aI[:n], bI[:n]
	}
	k0 := uint64(src[0])
	moved := 0
	for p := range digits {
		shift := (shift0 + uint(p)*radixBits) & 63
		cp := (*[radixSize]uint32)(c[p*radixSize:])
		if cp[k0>>shift&radixMask] == uint32(n) {
			continue
		}
		var sum uint32
		for d, m := range cp {
			cp[d] = sum
			sum += m
		}
		if withIdx {
			radixPassIdx(dst, dstI, src, srcI, cp, shift)
			srcI, dstI = dstI, srcI
		} else {
			radixPass(dst, src, cp, shift)
		}
		src, dst = dst, src
		moved++
	}
	return moved%2 == 1
}

// radixPassesKeys sorts the keys of a stably by the radixDigits digits
// from shift0 up, ping-ponging between a and b, with their indices between
// aI and bI when withIdx, and reports whether the result ended in b (an odd
// number of passes moved keys) rather than in a; c holds the counts of the
// digits, and cw, when not nil, those of the 16-bit digit of the top two,
// which then take one pass. A pass whose digit is the same in every key is
// skipped. With identity the indices are 0 … n−1: aI is not read, the
// first pass that moves writes them, and when none does they are written
// into aI.
func radixPassesKeys[K radixKey](a, b []K, aI, bI []uint32, withIdx, identity bool, c *[radixCounters]uint32, cw *[radixWideSize]uint32, shift0 uint) (inB bool) {
	n := len(a)
	src, dst := a, b[:n]
	var srcI, dstI []uint32
	if withIdx {
		srcI, dstI = aI[:n], bI[:n]
	}
	k0 := uint64(src[0])
	moved := 0
	for p := range radixDigits {
		shift := (shift0 + uint(p)*radixBits) & 63
		if cw != nil && p >= 2 {
			if p == 3 || cw[k0>>shift&radixWideMask] == uint32(n) {
				continue
			}
			var sum uint32
			for d, m := range cw {
				cw[d] = sum
				sum += m
			}
			if withIdx && identity {
				radixPassWideIdentity(dst, dstI, src, cw, shift)
				srcI, dstI = dstI, srcI
				identity = false
			} else if withIdx {
				radixPassWideIdx(dst, dstI, src, srcI, cw, shift)
				srcI, dstI = dstI, srcI
			} else {
				radixPassWide(dst, src, cw, shift)
			}
			src, dst = dst, src
			moved++
			continue
		}
		cp := (*[radixSize]uint32)(c[p*radixSize:])
		if cp[k0>>shift&radixMask] == uint32(n) {
			continue
		}
		var sum uint32
		for d, m := range cp {
			cp[d] = sum
			sum += m
		}
		if withIdx && identity {
			radixPassIdentity(dst, dstI, src, cp, shift)
			srcI, dstI = dstI, srcI
			identity = false
		} else if withIdx {
			radixPassIdx(dst, dstI, src, srcI, cp, shift)
			srcI, dstI = dstI, srcI
		} else {
			radixPass(dst, src, cp, shift)
		}
		src, dst = dst, src
		moved++
	}
	if withIdx && identity { // no pass moved anything
		for i := range aI[:n] {
			aI[i] = uint32(i)
		}
	}
	return moved%2 == 1
}

// radixPass moves src into dst in stable order of the keys' digit at shift,
// c holding the offsets of the digits (advanced as keys are placed).
//
// The passes are not inlined: inlined into radixPasses, with its many live
// slices, the Go compiler kept the loop counter, the key and the slice bases
// on the stack, reloading them for every key.
//
//go:noinline
func radixPass[K radixKey](dst, src []K, c *[radixSize]uint32, shift uint) {
	dst = dst[:len(src)]
	for _, k := range src {
		d := uint64(k) >> shift & radixMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
	}
}

// radixPassIdentity is radixPassIdx with the indices 0 … n−1 in src's order.
//
//go:noinline
func radixPassIdentity[K radixKey](dst []K, dstI []uint32, src []K, c *[radixSize]uint32, shift uint) {
	dst, dstI = dst[:len(src)], dstI[:len(src)]
	for i, k := range src {
		d := uint64(k) >> shift & radixMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = uint32(i)
	}
}

// radixPassIdx is radixPass moving an index along with each key.
//
//go:noinline
func radixPassIdx[K radixKey](dst []K, dstI []uint32, src []K, srcI []uint32, c *[radixSize]uint32, shift uint) {
	dst, dstI, srcI = dst[:len(src)], dstI[:len(src)], srcI[:len(src)]
	for i, k := range src {
		d := uint64(k) >> shift & radixMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = srcI[i]
	}
}

// radixCountersFor returns the number of counters sortedKeys needs for n
// keys.
func radixCountersFor(n int) int {
	if n >= radixWideMin {
		return radixCountersWide
	}
	return radixCounters
}

// fewValues reports whether at most radixWideMaxValues counters of c are
// not zero.
func fewValues(c *[radixWideSize]uint32) bool {
	nz := 0
	for _, m := range c {
		nz += b2i(m != 0)
	}
	return nz <= radixWideMaxValues
}

// radixPassWide is radixPass for a 16-bit digit.
//
//go:noinline
func radixPassWide[K radixKey](dst, src []K, c *[radixWideSize]uint32, shift uint) {
	dst = dst[:len(src)]
	for _, k := range src {
		d := uint64(k) >> shift & radixWideMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
	}
}

// radixPassWideIdx is radixPassIdx for a 16-bit digit.
//
//go:noinline
func radixPassWideIdx[K radixKey](dst []K, dstI []uint32, src []K, srcI []uint32, c *[radixWideSize]uint32, shift uint) {
	dst, dstI, srcI = dst[:len(src)], dstI[:len(src)], srcI[:len(src)]
	for i, k := range src {
		d := uint64(k) >> shift & radixWideMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = srcI[i]
	}
}

// radixPassWideIdentity is radixPassIdentity for a 16-bit digit.
//
//go:noinline
func radixPassWideIdentity[K radixKey](dst []K, dstI []uint32, src []K, c *[radixWideSize]uint32, shift uint) {
	dst, dstI = dst[:len(src)], dstI[:len(src)]
	for i, k := range src {
		d := uint64(k) >> shift & radixWideMask
		j := c[d]
		c[d] = j + 1
		dst[j] = k
		dstI[j] = uint32(i)
	}
}

// insertionSort sorts keys (and, with withIdx, their indices alongside)
// stably by the whole key; for short sequences.
func insertionSort[K radixKey](keys []K, idx []uint32, withIdx bool) {
	for a := 1; a < len(keys); a++ {
		k := keys[a]
		if keys[a-1] <= k {
			continue
		}
		var ki uint32
		if withIdx {
			ki = idx[a]
		}
		b := a
		for ; b > 0 && keys[b-1] > k; b-- {
			keys[b] = keys[b-1]
			if withIdx {
				idx[b] = idx[b-1]
			}
		}
		keys[b] = k
		if withIdx {
			idx[b] = ki
		}
	}
}
