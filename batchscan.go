package cramer

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// batchScan is what the check of one side of a chunk of a batch (weights,
// means and stds of n mixtures of c components) found. It is a fast,
// conservative summary: ok means validateBatchValues would accept the
// side's values (it is false for anything the check cannot decide, such as
// a −0 std or a weight sum near the tolerance, and the caller then runs
// validateBatchValues); the other fields are meaningful only when ok.
type batchScan struct {
	ok bool
	// big: every component has a |mean| or std ≥ minUnscaled (so no pair
	// of the chunk needs a scale, whatever the other side holds).
	big bool
	// noLossy: every nonzero std is ≥ lossyStd.
	noLossy bool
}

// frontLimits returns the limits the BatchFront kernels check a side of
// mixtures of c components against (see kernels.FrontLimits): the
// magnitude limit, minUnscaled and lossyStd as bit patterns of F, and the
// weight tolerance less a margin, c·2⁻⁵⁰ (−1, which nothing passes, when
// that leaves nothing).
//
// The margin: the kernels add each mixture's weights in float64 (float32
// ones converted exactly), one after the other in ascending order of
// component. A float64 sum of c non-negative terms, in any order, differs
// from the exact sum Σ by at most γ·Σ with γ = (c−1)·2⁻⁵³/(1 − (c−1)·2⁻⁵³);
// for a plain sum within tol < ½ of 1, Σ < 2 and that is below c·2⁻⁵¹
// (for any c this margin leaves positive). The compensated sum
// validateBatchValues computes is within 2⁻⁵³ of Σ's rounding plus a term
// of order c²·2⁻¹⁰⁶, far below the other c·2⁻⁵¹. So a plain sum within
// tol − c·2⁻⁵⁰ of 1 puts the compensated sum within tol, and whenever the
// check accepts a mixture, validateBatchValues does.
func frontLimits[F Float](c int) kernels.FrontLimits {
	tol := WeightTolerance[F]() - float64(c)*0x1p-50
	if tol <= 0 {
		tol = -1
	}
	if is64[F]() {
		const sign = 1 << 63
		return kernels.FrontLimits{
			GtLim:   sign - 1 - math.Float64bits(MaxMagnitude[float64]()),
			GeSmall: sign - math.Float64bits(minUnscaled[float64]()),
			GeLossy: sign - math.Float64bits(lossyStd[float64]()),
			Tol:     tol,
		}
	}
	const sign = 1 << 31
	return kernels.FrontLimits{
		GtLim:   sign - 1 - uint64(math.Float32bits(maxMagnitude32())),
		GeSmall: sign - uint64(math.Float32bits(float32(minUnscaled[float32]()))),
		GeLossy: sign - uint64(math.Float32bits(float32(lossyStd[float32]()))),
		Tol:     tol,
	}
}

// scanOf returns the batchScan of a BatchFront result against frontLimits:
// ok when no std or weight has its sign bit set (a NaN with the bit, −0, a
// negative), no |mean| or std is above the magnitude limit (nor a NaN or
// infinity) and every weight sum passed (which also rejects a NaN or
// infinite weight); big and noLossy when every component's sign bit of the
// corresponding AND is set.
func scanOf[F Float](r kernels.FrontScan) batchScan {
	sign := uint64(1) << 63
	if !is64[F]() {
		sign = 1 << 31
	}
	return batchScan{
		ok:      (r.Or|r.Gt)&sign == 0 && r.Sums != 0,
		big:     r.Big&sign != 0,
		noLossy: r.NoLossy&sign != 0,
	}
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
