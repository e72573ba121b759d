package cramer

import (
	"math"
	"unsafe"
)

// batchScan is what one pass over one side of a batch (weights, means and
// stds of nb mixtures of c components) found. It is a fast, conservative
// summary: ok means validateBatchValues would accept the side's values (it
// is false for anything the pass cannot decide, such as a −0 std or a
// weight sum near the tolerance, and the caller then runs
// validateBatchValues); the other fields are meaningful only when ok.
type batchScan struct {
	ok bool
	// big: every mixture has a |mean| or std ≥ minUnscaled (so no pair of
	// the batch needs a scale, whatever the other side holds).
	big bool
	// noLossy: every nonzero std is ≥ lossyStd.
	noLossy bool
}

// scanBatch returns the batchScan of one side of a batch whose lengths are
// already checked (nb·c elements each), in one pass over the inputs, from
// bit patterns (a NaN, ±Inf, negative number or −0 has a larger pattern, sign
// bit included, than any accepted std or weight) and a plain float64 sum of
// each mixture's weights. That sum is accepted only with a margin, c·2⁻⁵⁰,
// above its rounding error bound ((c−1)·2⁻⁵³ of a sum below 2 of
// non-negative terms) plus that of the compensated sum validateBatchValues
// computes, so that whenever the scan accepts a mixture, validateBatchValues
// does. A float32 side goes first through scanWords32, which decides the
// common case with fewer instructions and returns what scanBits would.
func scanBatch[F Float](p Mixture[F], nb, c int) batchScan {
	tol := WeightTolerance[F]() - float64(c)*0x1p-50
	if tol <= 0 {
		return batchScan{}
	}
	if !is64[F]() {
		if r, decided := scanWords32(as32(p.Weights), as32(p.Means), as32(p.Stds), nb, c, tol); decided {
			return r
		}
	} else if c == 1 {
		if r, decided := scanWords64(as64(p.Weights), as64(p.Means), as64(p.Stds), tol); decided {
			return r
		}
	}
	return scanBatchBits(p, nb, c, tol)
}

// scanBatchBits is scanBatch by scanBits alone, with the weight tolerance
// tol less the margin (> 0).
func scanBatchBits[F Float](p Mixture[F], nb, c int, tol float64) batchScan {
	if is64[F]() {
		u := func(x []F) []uint64 { return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
		return scanBits(as64(p.Weights), u(p.Weights), u(p.Means), u(p.Stds), nb, c, tol,
			math.Float64bits(MaxMagnitude[float64]()), math.Float64bits(math.MaxFloat64),
			math.Float64bits(lossyStd[float64]()), math.Float64bits(minUnscaled[float64]()), 1<<63)
	}
	u := func(x []F) []uint32 { return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
	return scanBits(as32(p.Weights), u(p.Weights), u(p.Means), u(p.Stds), nb, c, tol,
		math.Float32bits(maxMagnitude32()), math.Float32bits(math.MaxFloat32),
		math.Float32bits(float32(lossyStd[float32]())), math.Float32bits(float32(minUnscaled[float32]())), 1<<31)
}

// maxMagnitude32 is the largest float32 ≤ MaxMagnitude[float32] (the limit
// inRange applies).
func maxMagnitude32() float32 {
	lim := float32(MaxMagnitude[float32]())
	if float64(lim) > MaxMagnitude[float32]() {
		lim = math.Nextafter32(lim, 0)
	}
	return lim
}

// scanBits is scanBatch on the weights w (values and bit patterns wu), the
// patterns of the means mu and stds su, with the weight tolerance tol less
// the margin, the patterns of the largest accepted magnitude, of the largest
// finite weight, of lossyStd and of minUnscaled, and the sign bit. It
// decides big per component (every component has a |mean| or std ≥
// minUnscaled), which implies it for every mixture.
func scanBits[W float32 | float64, U uint32 | uint64](w []W, wu, mu, su []U, nb, c int, tol float64, limit, maxW, lossy, small, sign U) batchScan {
	n := nb * c
	w, wu, mu, su = w[:n], wu[:n], mu[:n], su[:n]
	// Means, stds and weights: the largest pattern (|mean|, std and weight
	// with its sign), the smallest component magnitude and the smallest
	// nonzero std ((x − 1) maps 0 to the largest pattern), in two loops with
	// few live values each, so that none goes through memory. With one
	// component the weight check below also bounds every weight (|w − 1| ≤
	// tol < 1), so the largest weight is not needed.
	var mx, mxW U
	mnC, mnS := ^U(0), ^U(0)
	for i, sv := range su {
		t := max(mu[i]&^sign, sv)
		mx = max(mx, t)
		mnC = min(mnC, t)
	}
	if c == 1 {
		for _, sv := range su {
			mnS = min(mnS, sv-1)
		}
	} else {
		for i, sv := range su {
			mnS = min(mnS, sv-1)
			mxW = max(mxW, wu[i])
		}
	}
	sumsOK := true
	if c == 1 {
		for _, v := range w {
			if !(math.Abs(float64(v)-1) <= tol) { // NaN fails too
				sumsOK = false
			}
		}
	} else {
		sumsOK = weightSums(w, nb, c, tol)
	}
	return batchScan{
		ok:      mx <= limit && mxW <= maxW && sumsOK,
		big:     mnC >= small,
		noLossy: mnS >= lossy-1,
	}
}

// scanWords32 decides scanBatch for float32 weights w, means m and stds sd
// in the common case with fewer instructions per value than scanBits: it
// reads the bit patterns a uint64 word at a time (two values per word, each
// in its own 32-bit lane) and only ORs, ANDs and adds them into a few
// accumulators per array, no comparison per value (scanWords64 is the
// float64 form, one value per word, for one component). It decides (decided true, with the batchScan scanBits would
// return) when every |mean| is ≤ the magnitude limit, every weight's sign
// bit is clear and the weights pass scanBits' sum test (with one component,
// a range of patterns around 1 that implies it), and either every std lies
// in [minUnscaled, limit] or every std is +0 and every |mean| is ≥
// minUnscaled. Anything else (a NaN, an infinity, a −0, a std between 0
// and minUnscaled, a large weight error) is left undecided for scanBits.
//
// A lane's pattern x (sign bit clear) is compared with a bound L by adding a
// constant to the whole word: x + (2ᴴ − 1 − L) has the lane's top bit set iff
// x > L, and x + (2ᴴ − L) iff x ≥ L, where 2ᴴ is the lane's top bit; neither
// sum carries out of its lane. A lane whose sign bit is set may carry into
// the next lane, but then the OR of the patterns has a sign bit set and the
// scan decides nothing.
func scanWords32(w, m, sd []float32, nb, c int, tol float64) (batchScan, bool) {
	rep := func(x uint32) uint64 { return uint64(x) | uint64(x)<<32 }
	lim, small := maxMagnitude32Bits, math.Float32bits(float32(minUnscaled[float32]()))
	var wlo, whi uint32
	if c == 1 {
		wlo, whi = weightRange32c.lo, weightRange32c.hi
		if tol != weightRange32c.tol {
			lo, hi := weightRange32(tol)
			wlo, whi = math.Float32bits(lo), math.Float32bits(hi)
		}
	}
	wu, wEnds := words32(w)
	mu, mEnds := words32(m)
	su, sEnds := words32(sd)
	return scanWords(w, wu, mu, su, wEnds, mEnds, sEnds, nb, c, tol, rep(1<<31),
		rep((1<<31)-1-lim), rep((1<<31)-small), rep((1<<31)-1-whi), rep((1<<31)-wlo))
}

// scanWords64 is scanWords32 for float64 sides of one component, one value
// per word (with more components, where scanBits sums the weights anyway,
// the word scan was not faster).
func scanWords64(w, m, sd []float64, tol float64) (batchScan, bool) {
	u := func(x []float64) []uint64 {
		return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
	}
	lim, small := math.Float64bits(MaxMagnitude[float64]()), math.Float64bits(minUnscaled[float64]())
	wlo, whi := weightRange64.lo, weightRange64.hi
	if tol != weightRange64.tol {
		lo, hi := weightRange(tol)
		wlo, whi = math.Float64bits(lo), math.Float64bits(hi)
	}
	wu, mu, su := u(w), u(m), u(sd)
	ends := func(x []uint64) [2]uint64 { return [2]uint64{x[0], x[len(x)-1]} }
	return scanWords(nil, wu, mu, su, ends(wu), ends(mu), ends(su), len(w), 1, tol, 1<<63,
		(1<<63)-1-lim, (1<<63)-small, (1<<63)-1-whi, (1<<63)-wlo)
}

// words32 returns the 8-byte aligned whole words of the float32 slice x
// (two values each) and its first and last values, each repeated in both
// lanes of a word, which cover the values the words leave out (x is not
// empty).
func words32(x []float32) ([]uint64, [2]uint64) {
	u := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
	ends := [2]uint64{uint64(u[0]) * (1<<32 + 1), uint64(u[len(u)-1]) * (1<<32 + 1)}
	skip := int(uintptr(unsafe.Pointer(&u[0])) & 7 / 4)
	nw := (len(u) - skip) / 2
	if nw <= 0 {
		return nil, ends
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&u[skip])), nw), ends
}

// maxMagnitude32Bits is the pattern of maxMagnitude32.
var maxMagnitude32Bits = math.Float32bits(maxMagnitude32())

// weightRange64 holds the patterns of weightRange for one component (the
// tolerance scanBatch uses then), computed once.
var weightRange64 = func() (r struct {
	tol    float64
	lo, hi uint64
}) {
	r.tol = WeightTolerance[float64]() - 0x1p-50
	lo, hi := weightRange(r.tol)
	r.lo, r.hi = math.Float64bits(lo), math.Float64bits(hi)
	return r
}()

// weightRange returns the smallest and largest float64 v with
// |v − 1| ≤ tol (0 < tol < ½).
func weightRange(tol float64) (lo, hi float64) {
	lo, hi = 1-tol, 1+tol
	for !(math.Abs(lo-1) <= tol) {
		lo = math.Nextafter(lo, 2)
	}
	for !(math.Abs(hi-1) <= tol) {
		hi = math.Nextafter(hi, 0)
	}
	return lo, hi
}

// weightRange32c holds the patterns of weightRange32 for one component
// (the tolerance scanBatch uses then), computed once.
var weightRange32c = func() (r struct {
	tol    float64
	lo, hi uint32
}) {
	r.tol = WeightTolerance[float32]() - 0x1p-50
	lo, hi := weightRange32(r.tol)
	r.lo, r.hi = math.Float32bits(lo), math.Float32bits(hi)
	return r
}()

// weightRange32 returns the smallest and largest float32 v with
// |v − 1| ≤ tol (0 < tol < ½), compared in float64 as scanBits compares.
func weightRange32(tol float64) (lo, hi float32) {
	lo, hi = float32(1-tol), float32(1+tol)
	for !(math.Abs(float64(lo)-1) <= tol) {
		lo = math.Nextafter32(lo, 2)
	}
	for !(math.Abs(float64(hi)-1) <= tol) {
		hi = math.Nextafter32(hi, 0)
	}
	return lo, hi
}

// scanWords is scanWords32 on the words of the weights wu, means mu and stds
// su and the end words we, me, se (each word holds values of the array, so
// that the words and the end words together cover every value; an end word
// may repeat a value of the words, which changes no OR or AND), with the
// weights w for the sums, the lanes' sign bits sign, and the constants that
// compare a lane with the magnitude limit (gtLim), minUnscaled (geSmall)
// and the ends of the weight range (gtW, geW; one component only).
func scanWords(w []float32, wu, mu, su []uint64, we, me, se [2]uint64, nb, c int, tol float64, sign, gtLim, geSmall, gtW, geW uint64) (batchScan, bool) {
	orS, gtS, geS := orAboveBelow(su, gtLim, geSmall)
	gt := absAbove(mu, sign, gtLim) | gtS
	for _, v := range se {
		orS |= v
		gt |= v + gtLim
		geS &= v + geSmall
	}
	for _, v := range me {
		gt |= v&^sign + gtLim
	}
	orW := we[0] | we[1]
	if c == 1 {
		orW0, gtW0, inW := orAboveBelow(wu, gtW, geW)
		orW, gt = orW|orW0, gt|gtW0
		for _, v := range we {
			gt |= v + gtW
			inW &= v + geW
		}
		if inW&sign != sign {
			return batchScan{}, false
		}
	} else {
		orW |= orWords(wu)
	}
	if (orS|orW|gt)&sign != 0 {
		return batchScan{}, false
	}
	// Every std ≥ minUnscaled, or every std +0 and every |mean| ≥
	// minUnscaled: big and noLossy either way.
	if geS&sign != sign {
		if orS != 0 {
			return batchScan{}, false
		}
		geM := absAtLeast(mu, sign, geSmall) & (me[0]&^sign + geSmall) & (me[1]&^sign + geSmall)
		if geM&sign != sign {
			return batchScan{}, false
		}
	}
	if c > 1 && !weightSums(w, nb, c, tol) {
		return batchScan{}, false
	}
	return batchScan{ok: true, big: true, noLossy: true}, true
}

// absAbove returns the OR of (x &^ sign) + above over the words x, and
// absAtLeast the AND of (x &^ sign) + atLeast (see scanWords32).
//
//go:noinline
func absAbove(x []uint64, sign, above uint64) (gt uint64) {
	var gt1 uint64
	i := 0
	for ; i+1 < len(x); i += 2 {
		gt |= x[i]&^sign + above
		gt1 |= x[i+1]&^sign + above
	}
	for ; i < len(x); i++ {
		gt |= x[i]&^sign + above
	}
	return gt | gt1
}

//go:noinline
func absAtLeast(x []uint64, sign, atLeast uint64) uint64 {
	ge := ^uint64(0)
	for _, v := range x {
		ge &= v&^sign + atLeast
	}
	return ge
}

// orAboveBelow returns the OR of the words x, of x + above and the AND of
// x + below (see scanWords32).
//
//go:noinline
func orAboveBelow(x []uint64, above, below uint64) (or, gt, ge uint64) {
	ge = ^uint64(0)
	i := 0
	for ; i+1 < len(x); i += 2 {
		a, b := x[i], x[i+1]
		or |= a | b
		gt |= (a + above) | (b + above)
		ge &= (a + below) & (b + below)
	}
	for ; i < len(x); i++ {
		or |= x[i]
		gt |= x[i] + above
		ge &= x[i] + below
	}
	return or, gt, ge
}

// orWords returns the OR of the words x.
//
// These three are not inlined: inside scanWords, with its many live
// values, their accumulators would go through the stack.
//
//go:noinline
func orWords(x []uint64) uint64 {
	var or uint64
	for _, v := range x {
		or |= v
	}
	return or
}

// weightSums reports that the plain float64 sum of each of the nb mixtures
// of c > 1 weights w is within tol of 1 (NaN fails), summed in two chains
// (halves or even and odd elements) or pairwise, so that the additions of
// a mixture do not wait on each other (any order of summation of these
// non-negative terms has the same error bound).
func weightSums[W float32 | float64](w []W, nb, c int, tol float64) bool {
	n := nb * c
	w = w[:n]
	sumsOK := true
	switch c {
	case 2:
		for b := 0; b+1 < n; b += 2 {
			if !(math.Abs((float64(w[b])+float64(w[b+1]))-1) <= tol) {
				sumsOK = false
			}
		}
		return sumsOK
	case 4:
		for b := 0; b+3 < n; b += 4 {
			blk := w[b : b+4 : b+4]
			s := (float64(blk[0]) + float64(blk[1])) + (float64(blk[2]) + float64(blk[3]))
			if !(math.Abs(s-1) <= tol) {
				sumsOK = false
			}
		}
		return sumsOK
	}
	if c < 8 { // two chains: the even and the odd elements
		for b := 0; b < n; b += c {
			blk := w[b : b+c]
			var s0, s1 float64
			i := 0
			for ; i+1 < len(blk); i += 2 {
				s0 += float64(blk[i])
				s1 += float64(blk[i+1])
			}
			if i < len(blk) {
				s0 += float64(blk[i])
			}
			if !(math.Abs((s0+s1)-1) <= tol) {
				sumsOK = false
			}
		}
		return sumsOK
	}
	h := c / 2
	for b := 0; b < n; b += c {
		var s0, s1 float64
		lo, hi := w[b:b+h], w[b+h:b+2*h]
		for i, v := range lo {
			s0 += float64(v)
			s1 += float64(hi[i])
		}
		if c&1 != 0 {
			s0 += float64(w[b+c-1])
		}
		if !(math.Abs((s0+s1)-1) <= tol) {
			sumsOK = false
		}
	}
	return sumsOK
}
