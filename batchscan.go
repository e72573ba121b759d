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
// does.
func scanBatch[F Float](p Mixture[F], nb, c int) batchScan {
	tol := WeightTolerance[F]() - float64(c)*0x1p-50
	if tol <= 0 {
		return batchScan{}
	}
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
	// Each mixture's weight sum, in two halves when long (any order of
	// summation has the same error bound).
	sumsOK := true
	switch {
	case c == 1:
		for _, v := range w {
			if !(math.Abs(float64(v)-1) <= tol) { // NaN fails too
				sumsOK = false
			}
		}
	case c < 8:
		for b := 0; b < n; b += c {
			var s float64
			for _, v := range w[b : b+c] {
				s += float64(v)
			}
			if !(math.Abs(s-1) <= tol) {
				sumsOK = false
			}
		}
	default:
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
	}
	return batchScan{
		ok:      mx <= limit && mxW <= maxW && sumsOK,
		big:     mnC >= small,
		noLossy: mnS >= lossy-1,
	}
}
