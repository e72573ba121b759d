package purego

import (
	"math"
	"math/bits"
	"unsafe"
)

// FrontLimits are the bounds BatchFront64 and BatchFront32 test a chunk of
// a batch side against. The first three are constants of the add-to-compare
// trick on bit patterns of the element width (float32: the low 32 bits of
// each field, the rest zero): for a pattern x whose sign bit 2ᴴ is clear,
// x + GtLim has its sign bit set iff x > L for the largest accepted
// magnitude L when GtLim = 2ᴴ − 1 − pattern(L), and x + GeSmall (x +
// GeLossy) iff x ≥ S when GeSmall = 2ᴴ − pattern(S); no such sum carries out
// of its element. Tol bounds each mixture's weight sum: |Σ − 1| ≤ Tol.
type FrontLimits struct {
	GtLim, GeSmall, GeLossy uint64
	Tol                     float64
}

// FrontScan is what BatchFront64 and BatchFront32 found in a chunk, as bit
// patterns of the element width (float32: zero-extended 32-bit words), with
// m, s and w the patterns of a mean, std and weight, |m| = m with its sign
// bit cleared, and the ORs (ANDs) over every component of every mixture:
//
//	Or      = OR of s | w                              (sign bit: a negative std or weight, −0, or a NaN with its sign bit)
//	Gt      = OR of (|m| + GtLim) | (s + GtLim)        (sign bit: a mean or std above the limit, infinite or NaN)
//	Big     = AND of (|m| + GeSmall) | (s + GeSmall)   (sign bit: every component has |m| or s ≥ the small bound)
//	NoLossy = AND of (s − 1) | (s + GeLossy)           (sign bit: every std is 0 or ≥ the lossy bound)
//	Sums    = ^0 when every mixture's weight sum Σ passes |Σ − 1| ≤ Tol (NaN fails), else 0
//
// Gt, Big and NoLossy mean what they say only when the sign bits of Or are
// clear. Σ is the float64 sum of the mixture's weights (float32 ones
// converted exactly) in ascending order of component, starting from the
// first weight.
type FrontScan struct {
	Or, Gt, Big, NoLossy, Sums uint64
}

// BatchFront64 lays one side of a chunk of n mixtures of c components
// (weights w, means m, stds s, contiguous, n·c elements each, mixture l at
// [l·c, (l+1)·c)) out in lanes as the batch-lane kernels read them and
// checks its values in the same pass: for c > 1 it sets dw[i·n+l] =
// w[l·c+i], dm[i·n+l] = m[l·c+i] and dv[i·n+l] = s[l·c+i]² (the variance,
// rounded once); for c = 1 the inputs already are in lane order and only
// dv[l] = s[l]² is written (dw and dm are not used and may be nil). It
// returns the FrontScan of the chunk's values against lim (with n or c ≤ 0:
// that of no values, Or = Gt = 0 and the rest all ones, nothing read or
// written). The outputs are exact copies and the variances rounded once;
// they must not overlap the inputs. It panics if a slice is shorter than
// c·n; it allocates nothing.
func BatchFront64(dw, dm, dv, w, m, s []float64, c, n int, lim *FrontLimits) FrontScan {
	return batchFront[float64, uint64](dw, dm, dv, w, m, s, c, n, lim, 1<<63)
}

// BatchFront32 is BatchFront64 for float32 values: 32-bit patterns, the
// weight sums in float64.
func BatchFront32(dw, dm, dv, w, m, s []float32, c, n int, lim *FrontLimits) FrontScan {
	return batchFront[float32, uint32](dw, dm, dv, w, m, s, c, n, lim, 1<<31)
}

func batchFront[F float32 | float64, U uint32 | uint64](dw, dm, dv, w, m, s []F, c, n int, lim *FrontLimits, sign U) FrontScan {
	r := FrontScan{Sums: ^uint64(0)}
	if n <= 0 || c <= 0 {
		r.Big, r.NoLossy = uint64(^U(0)), uint64(^U(0))
		return r
	}
	if hi, lo := bits.Mul64(uint64(c), uint64(n)); hi != 0 || lo > math.MaxInt {
		panic("purego: BatchFront: c·n overflows")
	}
	nc := n * c
	// x[:nc:len(x)] panics when len(x) < nc (x[:nc] would not, within
	// the capacity).
	w, m, s, dv = w[:nc:len(w)], m[:nc:len(m)], s[:nc:len(s)], dv[:nc:len(dv)]
	if c > 1 {
		dw, dm = dw[:nc:len(dw)], dm[:nc:len(dm)]
	}
	pat := func(x []F) []U { return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
	wu, mu, su := pat(w), pat(m), pat(s)
	gtLim, geSmall, geLossy := U(lim.GtLim), U(lim.GeSmall), U(lim.GeLossy)
	var or, gt U
	big, noLossy := ^U(0), ^U(0)
	sums := true
	// For each component (std sv, mean mv, weight wv), in one pass that also
	// writes the outputs (written out twice, so that the words stay in
	// registers):
	//
	//	am := mv &^ sign
	//	or |= sv | wv
	//	gt |= (am + gtLim) | (sv + gtLim)
	//	big &= (am + geSmall) | (sv + geSmall)
	//	noLossy &= (sv - 1) | (sv + geLossy)
	if c == 1 { // in lane order already: dv only, and each sum is its weight
		return scanOne(dv, w, m, s, lim, sign)
	}
	dwu, dmu := pat(dw), pat(dm)
	for l := 0; l < n; l++ {
		o := l * c
		ws, wv, mv, sv, sd := w[o:o+c], wu[o:o+c], mu[o:o+c], su[o:o+c], s[o:o+c]
		sum := float64(ws[0])
		for i := range sv {
			am := mv[i] &^ sign
			or |= sv[i] | wv[i]
			gt |= (am + gtLim) | (sv[i] + gtLim)
			big &= (am + geSmall) | (sv[i] + geSmall)
			noLossy &= (sv[i] - 1) | (sv[i] + geLossy)
			dwu[i*n+l] = wv[i]
			dmu[i*n+l] = mv[i]
			dv[i*n+l] = sd[i] * sd[i]
			if i > 0 {
				sum += float64(ws[i])
			}
		}
		if !(math.Abs(sum-1) <= lim.Tol) {
			sums = false
		}
	}
	if !sums {
		r.Sums = 0
	}
	r.Or, r.Gt, r.Big, r.NoLossy = uint64(or), uint64(gt), uint64(big), uint64(noLossy)
	return r
}

// scanOne is batchFront for one component per mixture (c = 1, len(s)
// components): the inputs already are in lane order, so only the variances
// dv are written (not at all when dv is nil: the scan of
// BatchGaussianValues64 and BatchGaussianGrad64), and each mixture's weight
// sum is its weight.
func scanOne[F float32 | float64, U uint32 | uint64](dv, w, m, s []F, lim *FrontLimits, sign U) FrontScan {
	r := FrontScan{Sums: ^uint64(0)}
	pat := func(x []F) []U { return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(x))), len(x)) }
	su := pat(s)
	mu, wu, s, w := pat(m)[:len(su)], pat(w)[:len(su)], s[:len(su)], w[:len(su)]
	if dv != nil {
		dv = dv[:len(su)]
	}
	gtLim, geSmall, geLossy := U(lim.GtLim), U(lim.GeSmall), U(lim.GeLossy)
	var or, gt U
	big, noLossy := ^U(0), ^U(0)
	sums := true
	for x, sv := range su {
		am := mu[x] &^ sign
		or |= sv | wu[x]
		gt |= (am + gtLim) | (sv + gtLim)
		big &= (am + geSmall) | (sv + geSmall)
		noLossy &= (sv - 1) | (sv + geLossy)
		if dv != nil {
			dv[x] = s[x] * s[x]
		}
		if !(math.Abs(float64(w[x])-1) <= lim.Tol) {
			sums = false
		}
	}
	if !sums {
		r.Sums = 0
	}
	r.Or, r.Gt, r.Big, r.NoLossy = uint64(or), uint64(gt), uint64(big), uint64(noLossy)
	return r
}
