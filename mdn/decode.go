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
	for l := 0; l < n; l++ {
		row := rows[l*wd : (l+1)*wd]
		// ℓᵢ − max ℓ as (−max ℓ) − (−ℓᵢ): the minimum is cheaper than the
		// maximum.
		al := a[l*k : (l+1)*k]
		for i, v := range row[:len(al)] {
			al[i] = -float64(v)
		}
		nm := minOf(al)
		hd.shift[l] = -nm
		for i, v := range al {
			al[i] = nm - v
		}
		xs, tl := row[k+kd:], t[l*kd:(l+1)*kd]
		switch h.Scale {
		case Exp:
			for i, v := range xs {
				x := float64(v)
				if x > lim.logMaxStd {
					x = lim.logMaxStd
				}
				tl[i] = x
			}
		case ELUPlusOne:
			for i, v := range xs {
				x := float64(v)
				tl[i] = 0.5 * (x - math.Abs(x)) // min(x, 0) exactly
			}
		default:
			for i, v := range xs {
				tl[i] = -math.Abs(float64(v))
			}
		}
	}
	expAll(a, fast)
	expAll(t, fast)
	for l := 0; normalise && l < n; l++ {
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
	if h.Scale == Softplus {
		copy(sd, t)
		log1pAll(sd, fast)
	}
	minStd, maxStd := h.MinStd, lim.maxStd
	for l := 0; l < n; l++ {
		sl, tl := sd[l*kd:(l+1)*kd], t[l*kd:(l+1)*kd]
		xs := rows[l*wd+k+kd : (l+1)*wd]
		xs, tl = xs[:len(sl)], tl[:len(sl)]
		switch h.Scale {
		case Exp:
			for i, v := range xs {
				sigma, deriv := tl[i]+minStd, tl[i]
				if float64(v) > lim.logMaxStd || sigma >= maxStd {
					sigma, deriv = maxStd, 0
				}
				sl[i], tl[i] = sigma, deriv
			}
		case ELUPlusOne:
			for i, v := range xs {
				x := float64(v)
				// σ = max(x, 0) + e; σ ≥ σmax also when x ≥ σmax.
				sigma, deriv := 0.5*(x+math.Abs(x))+tl[i]+minStd, tl[i]
				if sigma >= maxStd {
					sigma, deriv = maxStd, 0
				}
				sl[i], tl[i] = sigma, deriv
			}
		default:
			for i, v := range xs {
				// dσ/dx = (1 for x ≥ 0, else e)/(1 + e), selected by the sign bit.
				const one = 0x3ff0000000000000
				x, e := float64(v), tl[i]
				neg := uint64(int64(math.Float64bits(x)) >> 63)
				num := math.Float64frombits(one ^ (one^math.Float64bits(e))&neg)
				sigma, deriv := 0.5*(x+math.Abs(x))+sl[i]+minStd, num/(1+e)
				if sigma >= maxStd { // also when x ≥ σmax (σ ≥ x)
					sigma, deriv = maxStd, 0
				}
				sl[i], tl[i] = sigma, deriv
			}
		}
	}
}

// minOf returns the smallest element of x (len(x) ≥ 1, no NaN): len(x) − 1
// comparisons in two independent chains.
func minOf(x []float64) float64 {
	m0, m1 := x[0], x[len(x)-1]
	for i := 1; i+1 < len(x); i += 2 {
		m0, m1 = min(m0, x[i]), min(m1, x[i+1])
	}
	return min(m0, m1)
}
