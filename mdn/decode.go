package mdn

import (
	"math"

	"github.com/gmmkit/cramer"
)

// chunkLen is the number of examples the losses decode and combine at a
// time: the decoded heads of a chunk and the batch-lane kernels' inputs and
// outputs stay in the L1 and L2 caches, and the exponentials and logarithms
// run in loops of a few hundred independent elements.
const chunkLen = 64

// decodedHeads holds the decoded heads of one chunk of n examples in float64,
// example-major: the weights a (n×K), the stds sd and their derivatives dsd
// with respect to the raw scales (n×K·D), and per example the largest logit
// (shift) and sum = Σᵢ exp(ℓᵢ − shift), so that aᵢ = exp(ℓᵢ − shift)/sum
// and log aᵢ = ℓᵢ − shift − log sum.
type decodedHeads struct {
	a, sd, dsd []float64
	shift, sum []float64
	x          []float64 // the raw scales in float64 (n×K·D; max(x, 0) for elu+1)
}

// decodeChunk decodes examples b0 … b0+n−1 of the validated raw outputs into
// hd: the softmax of the logits and σ = MinStd + s(x) clamped to
// [MinStd, lim.maxStd] with dσ/dx (0 where the clamp is active). The
// exponentials (and softplus's log1p) run over the whole chunk in one loop
// each, and the scale maps are branch-free except for the clamps (with
// max(x, 0) = (x + |x|)/2 and min(x, 0) = (x − |x|)/2, both exact):
//
//	exp:      σ = e^min(x, log σmax),                  dσ/dx = σ
//	elu+1:    σ = max(x, 0) + e^min(x, 0),             dσ/dx = e^min(x, 0)
//	softplus: σ = max(x, 0) + log1p(e^−|x|),           dσ/dx = (1 or e^−|x|)/(1 + e^−|x|)
//
// (the last with 1 for x ≥ 0). fast selects the float32 approximations of
// exp.go instead of package math. Without normalise, hd.a is left holding
// exp(ℓᵢ − shift) and hd.sum is not set (the NLL sums them itself).
func decodeChunk[F cramer.Float](hd *decodedHeads, h Head, raw []F, b0, n int, lim *limits, fast, normalise bool) {
	k, kd, wd := h.K, h.K*h.Dim(), h.Width()
	hd.a, hd.sd, hd.dsd = grow(hd.a, n*k), grow(hd.sd, n*kd), grow(hd.dsd, n*kd)
	hd.shift, hd.sum = grow(hd.shift, n), grow(hd.sum, n)
	a, sd, t := hd.a, hd.sd, hd.dsd // t: the scale map's exponentials, then dσ/dx
	rows := raw[b0*wd : (b0+n)*wd]
	shiftedLogits(a, hd.shift, rows, k, wd)
	hd.x = grow(hd.x, n*kd)
	scaleArgs(t, hd.x, rows, k+kd, kd, wd, h.Scale, lim.logMaxStd)
	expAll(a, fast)
	expAll(t, fast)
	if normalise {
		for l := range hd.sum {
			al := a[l*k : (l+1)*k]
			var s float64
			for _, v := range al {
				s += v
			}
			inv := 1 / s
			for i := range al {
				al[i] *= inv
			}
			hd.sum[l] = s
		}
	}
	if h.Scale == Softplus {
		copy(sd, t)
		log1pAll(sd, fast)
	}
	scaleValues(sd, t, t, hd.x, sd, h.Scale, h.MinStd, lim.maxStd, lim.logMaxStd)
}

// scaleValues sets sd[o] = σ and ds[o] = dσ/dx from the raw scales x (for
// elu+1 max(x, 0), as scaleMapArgs leaves them), the scale map's
// exponentials t (see scaleArgs) and, for softplus, lp =
// log1p(t), by the formulas of decodeChunk, clamped to [minStd, maxStd]
// (dσ/dx = 0 where the clamp is active). sd may alias lp and ds may alias t
// (each element is read before it is written).
func scaleValues(sd, ds, t, x, lp []float64, sm ScaleMap, minStd, maxStd, logMaxStd float64) {
	n := len(t)
	sd, ds, x = sd[:n], ds[:n], x[:n]
	switch sm {
	case Exp:
		// σ = MinStd + e, dσ/dx = e; clamped also where x > log σmax.
		for o, e := range t {
			sigma, deriv := e+minStd, e
			if x[o] > logMaxStd || sigma >= maxStd {
				sigma, deriv = maxStd, 0
			}
			sd[o], ds[o] = sigma, deriv
		}
	case ELUPlusOne:
		// σ = MinStd + max(x, 0) + e, dσ/dx = e (x holds max(x, 0));
		// x ≥ σmax reaches the clamp.
		for o, e := range t {
			sigma, deriv := x[o]+e+minStd, e
			if sigma >= maxStd {
				sigma, deriv = maxStd, 0
			}
			sd[o], ds[o] = sigma, deriv
		}
	default:
		// σ = MinStd + max(x, 0) + log1p(e), dσ/dx = (1 for x ≥ 0, else
		// e)/(1 + e), the numerator selected by x's sign bit; x ≥ σmax
		// reaches the clamp.
		lp = lp[:n]
		const one = 0x3ff0000000000000
		for o, e := range t {
			xo := x[o]
			neg := uint64(int64(math.Float64bits(xo)) >> 63)
			num := math.Float64frombits(one ^ (one^math.Float64bits(e))&neg)
			sigma, deriv := 0.5*(xo+math.Abs(xo))+lp[o]+minStd, num/(1+e)
			if sigma >= maxStd {
				sigma, deriv = maxStd, 0
			}
			sd[o], ds[o] = sigma, deriv
		}
	}
}

// shiftedLogits sets a (n×k) to the logits of the rows of raw outputs
// (stride wd) minus each row's largest, and shift to that largest, taken as
// −min(−ℓ) (the minimum is cheaper than the maximum).
func shiftedLogits[F cramer.Float](a, shift []float64, rows []F, k, wd int) {
	for l := range shift {
		al, lg := a[l*k:(l+1)*k], rows[l*wd:l*wd+k]
		lg = lg[:len(al)]
		for i, v := range lg {
			al[i] = -float64(v)
		}
		nm := minOf(al)
		shift[l] = -nm
		for i, v := range al {
			al[i] = nm - v
		}
	}
}

// scaleArgs sets x (n×kd) to the raw scales at rows[l·wd+off:][:kd] in
// float64 and t to the arguments of the scale map's exponential
// (scaleMapArgs).
func scaleArgs[F cramer.Float](t, x []float64, rows []F, off, kd, wd int, sm ScaleMap, logMaxStd float64) {
	for o := 0; o < len(t); o += kd {
		xl, xs := x[o:o+kd], rows[off:off+kd]
		rows = rows[min(wd, len(rows)):]
		for i, v := range xs[:len(xl)] {
			xl[i] = float64(v)
		}
	}
	scaleMapArgs(t, x, sm, logMaxStd)
}

// scaleMapArgs sets t to the arguments of the scale map's exponential at
// the raw scales x: min(x, log σmax) for exp, min(x, 0) = (x − |x|)/2 for
// elu+1, −|x| for softplus; for elu+1 it also replaces x by max(x, 0) =
// x − min(x, 0) (exact), the form scaleValues takes.
func scaleMapArgs(t, x []float64, sm ScaleMap, logMaxStd float64) {
	x = x[:len(t)]
	switch sm {
	case Exp:
		for o, v := range x {
			t[o] = min(v, logMaxStd)
		}
	case ELUPlusOne:
		for o, v := range x {
			m := 0.5 * (v - math.Abs(v))
			t[o], x[o] = m, v-m // exactly max(x, 0)
		}
	default:
		for o, v := range x {
			t[o] = -math.Abs(v)
		}
	}
}

// minOf returns the smallest element of x (len(x) ≥ 1, no NaN): len(x) − 1
// comparisons in two independent chains.
func minOf(x []float64) float64 {
	m0, m1 := x[0], x[len(x)-1]
	for i := 2; i < len(x); i += 2 { // x[i] without a bounds check
		m0, m1 = min(m0, x[i-1]), min(m1, x[i])
	}
	return min(m0, m1)
}
