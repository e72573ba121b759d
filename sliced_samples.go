package cramer

import (
	"cmp"
	"math"
	"slices"
)

// keyWeight is one projected sample in the merged sort of the sliced
// sample-set value: its sortKey and, as p, its signed weight (+ for x, − for
// y).
type keyWeight = keyed[float64]

// valueLowPasses is the number of low 11-bit digits the value path's radix
// sort leaves to the final insertion sort of runs.
const valueLowPasses = 2

// keyValue inverts sortKey (−0 comes back as +0).
func keyValue(k uint64) float64 {
	if k&(1<<63) != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(-k)
}

// sampleSetsValue returns ℓ₂² between the point sets x and y (weights wx and
// wy, nil meaning uniform) as Σ gap·C² over the merged sorted values, C the
// cumulative signed weight — the value SquaredSamples computes, without its
// gradient bookkeeping: one stable radix sort of the concatenated
// (key, signed weight) pairs instead of two sorted record sets and a merge.
// The caller canonicalises the argument order (swapping x and y gives the
// same bits). Buffers are the group's; nothing is allocated once grown.
func (g *slicedGroup[F]) sampleSetsValue(x, y Samples[F]) float64 {
	n, m := len(x.Values), len(y.Values)
	t := n + m
	g.kw, g.kwTmp = grow(g.kw, t), grow(g.kwTmp, t)
	var cnt [radixPasses]*[radixSize]int
	g.kwCnt, cnt = radixCounters(g.kwCnt)
	src, dst := g.kw[:t], g.kwTmp[:t]
	const mask = radixSize - 1
	c2, c3, c4, c5 := cnt[2], cnt[3], cnt[4], cnt[5]
	put := func(out []keyWeight, v []F, w []F, sign float64) {
		u := sign / float64(len(v))
		out = out[:len(v)]
		for i, f := range v {
			k := sortKey(float64(f))
			wt := u
			if w != nil {
				wt = sign * float64(w[i])
			}
			out[i] = keyWeight{k, wt}
			c2[k>>(2*radixBits)&mask]++ // digits 0 and 1: see valueLowPasses
			c3[k>>(3*radixBits)&mask]++
			c4[k>>(4*radixBits)&mask]++
			c5[k>>(5*radixBits)&mask]++
		}
	}
	put(src[:n], x.Values, x.Weights, 1)
	put(src[n:], y.Values, y.Weights, -1)
	// Radix passes over the high digits only; the low bits are settled by a
	// stable sort of each run of equal high bits (such runs hold values
	// within a relative 2^-30 of each other: rare and short for most data;
	// clustered data falls back to a stable O(k log k) sort per run).
	for p := valueLowPasses; p < radixPasses; p++ {
		if radixPass(dst, src, cnt[p], uint(p*radixBits)) {
			src, dst = dst, src
		}
	}
	const low = valueLowPasses * radixBits
	for s := 0; s < t; {
		hs, sorted := src[s].k>>low, true
		e := s + 1
		for ; e < t && src[e].k>>low == hs; e++ {
			sorted = sorted && src[e-1].k <= src[e].k
		}
		if r := src[s:e]; !sorted && len(r) > 32 {
			// Clustered data: avoid the quadratic insertion sort.
			slices.SortStableFunc(r, func(a, b keyWeight) int { return cmp.Compare(a.k, b.k) })
		} else if !sorted {
			for i := 1; i < len(r); i++ {
				for j := i; j > 0 && r[j].k < r[j-1].k; j-- {
					r[j], r[j-1] = r[j-1], r[j]
				}
			}
		}
		s = e
	}
	var c, total ksum
	prev := keyValue(src[0].k)
	for i := 0; i < t-1; i++ {
		c.add(src[i].p)
		next := keyValue(src[i+1].k)
		if gap := next - prev; gap != 0 {
			cv := c.val()
			total.add(gap * cv * cv)
		}
		prev = next
	}
	return total.val()
}
