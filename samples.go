package cramer

import (
	"cmp"
	"math"
	"slices"
)

// Sample sets are mixtures of point masses, and between point masses every
// pair term is h(d, 0) = |d|. Sums of |xₖ − xₗ| are therefore computed exactly
// (in float64, up to the rounding of a few sums of positive terms) by sorting:
// between consecutive sorted points the CDFs are constant, so every quantity
// is a sum over the gaps between distinct values of gap × (cumulative
// weights). Only gaps and weights enter, never the values themselves, so an
// offset common to all points (1e12 + a small spread) costs no accuracy.

// sampleRec is one point of a sorted sample set: its value, its weight (signed
// in the merged two-set order: + for x, − for y), and where it came from
// (index i of x, or −1−j for index j of y).
type sampleRec struct {
	v, w float64
	i    int
}

// sampleScratch holds the buffers of the sample-set computations; they grow
// to the largest problem seen and are reused.
type sampleScratch struct {
	a, b []sampleRec // the two sets, sorted
	m    []sampleRec // the merged order, signed weights
	up   []float64   // per group start: weight strictly above the group
	rgt  []float64   // per group start: Σ_{l above} wₗ·(xₗ − z)

	// radix sort (see radixOrder): the items and the other half of their
	// ping-pong, and the digit counters of every pass.
	items, tmp []radixItem
	cnt        []int
}

// compareRec orders points by value, then weight, then origin (a total order,
// so the sorted order does not depend on the sorting algorithm). Values and
// weights are not NaN (validated); -0 and +0 compare equal as values and form
// one group.
func compareRec(p, q sampleRec) int {
	switch {
	case p.v < q.v:
		return -1
	case p.v > q.v:
		return 1
	case p.w < q.w:
		return -1
	case p.w > q.w:
		return 1
	}
	return cmp.Compare(p.i, q.i)
}

// loadSorted copies x into dst as records (weights 1/N when nil; index i, or
// −1−i when neg) sorted in compareRec order: by slices.SortFunc below
// radixMinN points, by radixLoad from there on (the same order, compareRec
// being a total order).
func loadSorted[F Float](dst []sampleRec, x Samples[F], neg bool, sc *sampleScratch) []sampleRec {
	n := len(x.Values)
	dst = grow(dst, n)
	if n < radixMinN {
		u := 1 / float64(n)
		for i := range x.Values {
			dst[i] = loadRec(x, i, u, neg)
		}
		slices.SortFunc(dst, compareRec)
		return dst
	}
	radixLoad(dst, x, neg, sc)
	return dst
}

// radixLoad writes the records of x into rec (of length len(x.Values)) in
// compareRec order, by radix sort: no allocation once sc is warm. radixOrder
// sorts them by value, then index; the records of each run of equal values
// (v == v: a run may hold −0s and +0s) are then put in (weight, index) order.
// Runs are rare and short for continuous data, and in order already for equal
// weights (unweighted samples); the worst case, all values equal with
// different weights, sorts the one run by slices.SortFunc in O(N log N).
func radixLoad[F Float](rec []sampleRec, x Samples[F], neg bool, sc *sampleScratch) {
	n := len(x.Values)
	u := 1 / float64(n)
	for k, it := range radixOrder(x, neg, sc) {
		rec[k] = loadRec(x, it.p, u, neg)
	}
	for s := 0; s < n-1; {
		e := s + 1
		for e < n && rec[e].v == rec[s].v {
			e++
		}
		if e-s > 1 {
			sortRun(rec[s:e])
		}
		s = e
	}
}

// loadRec returns the record of point i of x (weight u = 1/N when x.Weights
// is nil; index −1−i when neg).
func loadRec[F Float](x Samples[F], i int, u float64, neg bool) sampleRec {
	w := u
	if x.Weights != nil {
		w = float64(x.Weights[i])
	}
	idx := i
	if neg {
		idx = -1 - i
	}
	return sampleRec{float64(x.Values[i]), w, idx}
}

// sortRun sorts a run of records of equal values in compareRec order: nothing
// to do when it is in order already, insertion sort when short.
func sortRun(r []sampleRec) {
	k := 1
	for k < len(r) && compareRec(r[k-1], r[k]) < 0 {
		k++
	}
	switch {
	case k == len(r):
	case len(r) <= 16:
		for ; k < len(r); k++ {
			x := r[k]
			j := k
			for ; j > 0 && compareRec(x, r[j-1]) < 0; j-- {
				r[j] = r[j-1]
			}
			r[j] = x
		}
	default:
		slices.SortFunc(r, compareRec)
	}
}

// The radix sort: 11-bit digits, so 6 passes over the 64-bit keys (the last
// one over 9 bits), with 2048 counters (16 KiB) each.
const (
	radixBits   = 11
	radixSize   = 1 << radixBits
	radixPasses = (64 + radixBits - 1) / radixBits
	radixMinN   = 512 // below this, slices.SortFunc is faster (the counters cost ~5 µs)
)

// keyed is an item of a radix sort: the sortKey of a value and a payload p
// that the sort carries along.
type keyed[T int | float64] struct {
	k uint64
	p T
}

// radixItem is a point being radix sorted: the sort key of its value and, as
// p, its position in the sample set.
type radixItem = keyed[int]

// radixCounters returns buf grown to the digit counters of every pass,
// zeroed, and the counters of each pass in it.
func radixCounters(buf []int) ([]int, [radixPasses]*[radixSize]int) {
	buf = grow(buf, radixPasses*radixSize)
	clear(buf)
	var cnt [radixPasses]*[radixSize]int
	for p := range cnt {
		cnt[p] = (*[radixSize]int)(buf[p*radixSize:])
	}
	return buf, cnt
}

// radixPass moves src into dst (at least as long) in stable order of the
// keys' digit at shift, c holding the counts of that digit in src (they
// become offsets). When every key has the same digit the pass would move
// nothing: it returns false and leaves dst and c alone.
func radixPass[T int | float64](dst, src []keyed[T], c *[radixSize]int, shift uint) bool {
	const mask = radixSize - 1
	shift &= 63 // shift < 64 already: the mask lets the compiler drop its check
	if len(src) == 0 || c[src[0].k>>shift&mask] == len(src) {
		return false
	}
	sum := 0
	for d, m := range c {
		c[d] = sum
		sum += m
	}
	for _, it := range src {
		d := it.k >> shift & mask
		j := c[d]
		c[d] = j + 1
		dst[j] = it
	}
	return true
}

// sortKey maps a float64 to a uint64 in the same order, with −0 and +0 (equal
// as values) on the same key: the bits of a non-negative value with the sign
// bit set, the negated bits (two's complement, 2⁶³ − |v|'s bits) of a negative
// one. A value's trailing zero bits stay zero in its key, so a pass over
// digits that are zero in every value (the low 29 bits of widened float32s)
// is skipped whatever the signs.
func sortKey(v float64) uint64 {
	b := math.Float64bits(v)
	m := uint64(int64(b) >> 63) // all ones when negative
	return (b ^ m - m) | (^m & (1 << 63))
}

// radixOrder returns the points of x sorted by value (sortKey), then by
// record index (i, or −1−i when neg): a stable LSD radix sort of (key,
// position) items, which enter in increasing record index order (reversed
// when neg). It moves 16-byte items rather than records; a pass is skipped
// when all keys have the same digit. The result is in sc.items or sc.tmp; it
// does not allocate once they have grown to len(x.Values).
func radixOrder[F Float](x Samples[F], neg bool, sc *sampleScratch) []radixItem {
	n := len(x.Values)
	sc.items, sc.tmp = grow(sc.items, n), grow(sc.tmp, n)
	var cnt [radixPasses]*[radixSize]int
	sc.cnt, cnt = radixCounters(sc.cnt)

	// The items and the digit counts of all passes in one sweep.
	const mask = radixSize - 1
	c0, c1, c2, c3, c4, c5 := cnt[0], cnt[1], cnt[2], cnt[3], cnt[4], cnt[5]
	src, dst := sc.items[:n], sc.tmp[:n]
	for i, v := range x.Values {
		k := sortKey(float64(v))
		p := i
		if neg {
			p = n - 1 - i
		}
		src[p] = radixItem{k, i}
		c0[k&mask]++
		c1[k>>(1*radixBits)&mask]++
		c2[k>>(2*radixBits)&mask]++
		c3[k>>(3*radixBits)&mask]++
		c4[k>>(4*radixBits)&mask]++
		c5[k>>(5*radixBits)&mask]++
	}

	for p, c := range cnt {
		if radixPass(dst, src, c, uint(p*radixBits)) {
			src, dst = dst, src
		}
	}
	return src
}

// sampleSelf returns Σₖₗ wₖwₗ|xₖ − xₗ| (the full double sum; weights 1/N when
// x.Weights is nil) exactly in O(N log N), as 2·Σ gap·W≤·W> over the gaps
// between consecutive distinct sorted values, W≤ and W> the weights below and
// above the gap (compensated sums of positive terms: nothing cancels, and the
// identity holds whatever the total weight). x must be valid.
func (ws *Workspace[F]) sampleSelf(x Samples[F]) float64 {
	return ws.sampleSelfGrad(x, nil, nil)
}

// sampleSelfGrad returns sampleSelf(x) and, when dValues and dWeights are not
// nil (both of length N), writes in the original order of x
//
//	dValues[j]  = ∂/∂xⱼ Σₖₗ wₖwₗ|xₖ−xₗ| = 2wⱼ·Σₗ wₗ·sign(xⱼ−xₗ) = 2wⱼ·(W< − W>)
//	dWeights[j] = ∂/∂wⱼ Σₖₗ wₖwₗ|xₖ−xₗ| = 2·Σₗ wₗ|xⱼ−xₗ|
//
// with W< and W> the weights strictly below and above xⱼ (tied points
// contribute 0). Σₗ wₗ|z−xₗ| is split into the parts from the points below
// and above z, each a forward or backward recurrence over the gaps with only
// positive terms, so no cancellation occurs even far from the median.
func (ws *Workspace[F]) sampleSelfGrad(x Samples[F], dValues, dWeights []float64) float64 {
	sc := &ws.samples
	n := len(x.Values)
	grad := dValues != nil
	sc.a = loadSorted(sc.a, x, false, sc)
	a := sc.a
	up, rgt := sc.sumsAbove(a)

	// Forward: the weight below, the distance sum to the points below, and
	// the value.
	var below, left, total ksum
	for s := 0; s < n; {
		e := s + 1
		for e < n && a[e].v == a[s].v {
			e++
		}
		if s > 0 {
			// gap between the previous group and this one; below holds W≤ of the previous group.
			left.add((a[s].v - a[s-1].v) * below.val())
		}
		if grad {
			lo, hi := below.val(), up[s]
			dist := 2 * (left.val() + rgt[s])
			for k := s; k < e; k++ {
				dValues[a[k].i] = 2 * a[k].w * (lo - hi)
				dWeights[a[k].i] = dist
			}
		}
		for k := s; k < e; k++ {
			below.add(a[k].w)
		}
		if e < n {
			total.add((a[e].v - a[e-1].v) * below.val() * up[s])
		}
		s = e
	}
	return 2 * total.val()
}

// sumsAbove returns, in sc.up and sc.rgt, for records r sorted by value
// (weights signed or not) and at the first index s of every group of tied
// values, the weight strictly above the group, up[s] = Σ_{l above} wₗ, and
// the distance sum to the points above it, rgt[s] = Σ_{l above} wₗ·(vₗ − vₛ):
// a backward recurrence over the groups with compensated sums. Entries at
// other indices are not set.
func (sc *sampleScratch) sumsAbove(r []sampleRec) (up, rgt []float64) {
	n := len(r)
	sc.up, sc.rgt = grow(sc.up, n), grow(sc.rgt, n)
	up, rgt = sc.up, sc.rgt
	var above, right ksum
	for e := n; e > 0; {
		s := e - 1
		for s > 0 && r[s-1].v == r[e-1].v {
			s--
		}
		if e < n {
			right.add((r[e].v - r[s].v) * above.val())
		}
		up[s], rgt[s] = above.val(), right.val()
		for k := s; k < e; k++ {
			above.add(r[k].w)
		}
		e = s
	}
	return up, rgt
}

// compareSamples orders sample sets by length, then values, then effective
// weights (1/N when nil); 0 means the same points with the same weights.
func compareSamples[F Float](x, y Samples[F]) int {
	if c := len(x.Values) - len(y.Values); c != 0 {
		return c
	}
	for i := range x.Values {
		if c := cmp.Compare(float64(x.Values[i]), float64(y.Values[i])); c != 0 {
			return c
		}
	}
	if x.Weights == nil && y.Weights == nil {
		return 0
	}
	u := 1 / float64(len(x.Values))
	for i := range x.Values {
		wx, wy := u, u
		if x.Weights != nil {
			wx = float64(x.Weights[i])
		}
		if y.Weights != nil {
			wy = float64(y.Weights[i])
		}
		if c := cmp.Compare(wx, wy); c != 0 {
			return c
		}
	}
	return 0
}

// SquaredSamples returns the exact ℓ₂² = ∫(F−G)² between two sample sets
// (weighted, or 1/N each when Weights is nil), in O((N+M) log(N+M)): the CDF
// difference C is constant between consecutive points of the merged sorted
// sets, so ℓ₂² = Σ gap·C², a sum of positive terms computed in float64 with
// compensated cumulative weights. The result is ≥ 0 by construction, exactly
// 0 for identical arguments, and symmetric to the last bit. Only differences
// of values enter, so a large common offset costs no accuracy.
// SciPy's scipy.stats.energy_distance(x, y) is √(2·ℓ₂²).
//
// Arguments are validated first (an *InputError names "x" or "y", the field
// and the index). It allocates a fresh Workspace; use
// Workspace.SquaredSamples in loops.
func SquaredSamples[F Float](x, y Samples[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredSamplesGrad(x, y, nil, nil)
}

// DistanceSamples returns √SquaredSamples(x, y).
func DistanceSamples[F Float](x, y Samples[F]) (F, error) {
	d, err := SquaredSamples(x, y)
	return F(math.Sqrt(float64(d))), err
}

// SquaredSamplesGrad returns ℓ₂²(x, y) like SquaredSamples and fills gx and gy
// (either may be nil; their slices are grown as needed) with the partial
// derivatives with respect to every value and weight. With the energy form
// ℓ₂² = E|X−Y| − ½E|X−X′| − ½E|Y−Y′| and the weights as free variables,
//
//	∂/∂xⱼ = −wⱼ·S(xⱼ),  ∂/∂yⱼ = vⱼ·S(yⱼ),  ∂/∂wⱼ = −B(xⱼ),  ∂/∂vⱼ = B(yⱼ),
//
// where S(z) = Σₗ cₗ·sign(z − zₗ) and B(z) = Σₗ cₗ|z − zₗ| over the merged
// points zₗ with signed weights cₗ (+w for x, −v for y). A value derivative at
// a tie takes sign(0) = 0. For unweighted sets the weight derivatives are
// those at the implied weights 1/N.
func SquaredSamplesGrad[F Float](x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredSamplesGrad(x, y, gx, gy)
}

// SquaredSamples is SquaredSamples using the workspace's buffers: no
// allocation once warm.
func (ws *Workspace[F]) SquaredSamples(x, y Samples[F]) (F, error) {
	return ws.SquaredSamplesGrad(x, y, nil, nil)
}

// SquaredSamplesGrad is SquaredSamplesGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredSamplesGrad(x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	if err := x.validate("x"); err != nil {
		return 0, err
	}
	if err := y.validate("y"); err != nil {
		return 0, err
	}
	return ws.squaredSamplesScaled(x, y, gx, gy)
}

// squaredSamples is SquaredSamplesGrad for inputs known to be valid.
func (ws *Workspace[F]) squaredSamples(x, y Samples[F], gx, gy *SamplesGrad[F]) float64 {
	if gx != nil {
		gx.Values, gx.Weights = grow(gx.Values, len(x.Values)), grow(gx.Weights, len(x.Values))
	}
	if gy != nil {
		gy.Values, gy.Weights = grow(gy.Values, len(y.Values)), grow(gy.Weights, len(y.Values))
	}
	// Canonical order: ℓ₂²(x, y) and ℓ₂²(y, x) run the same computation.
	if compareSamples(x, y) > 0 {
		x, y, gx, gy = y, x, gy, gx
	}
	return ws.samplePair(x, y, gx, gy)
}

// samplePair computes ℓ₂²(x, y) and its gradients (see SquaredSamplesGrad)
// for valid sets.
func (ws *Workspace[F]) samplePair(x, y Samples[F], gx, gy *SamplesGrad[F]) float64 {
	sc := &ws.samples
	sc.a = loadSorted(sc.a, x, false, sc)
	sc.b = loadSorted(sc.b, y, true, sc)
	a, b := sc.a, sc.b
	n := len(a) + len(b)

	// Merge with y's weights negated. Equal records (same value and weight)
	// are taken in pairs, x then y, so that equal sets cancel exactly: the
	// running sum returns to exactly 0 after every pair.
	sc.m = grow(sc.m, n)
	m := sc.m
	for i, j, k := 0, 0, 0; k < n; {
		c := 0
		switch {
		case i == len(a):
			c = 1
		case j == len(b):
			c = -1
		default:
			c = cmpFloat(a[i].v, b[j].v)
			if c == 0 {
				c = cmpFloat(a[i].w, b[j].w)
			}
		}
		if c <= 0 {
			m[k] = a[i]
			i++
			k++
		}
		if c >= 0 {
			m[k] = sampleRec{b[j].v, -b[j].w, b[j].i}
			j++
			k++
		}
	}

	if gx == nil && gy == nil {
		var cum, total ksum
		for k := 0; k < n-1; k++ {
			cum.add(m[k].w)
			if gap := m[k+1].v - m[k].v; gap > 0 {
				c := cum.val()
				total.add(gap * c * c)
			}
		}
		return total.val()
	}

	// The signed weight above each group (C>) and R(z) = Σ_{l above} cₗ·(zₗ − z).
	up, rgt := sc.sumsAbove(m)

	// Forward: C≤, L(z) = Σ_{l below} cₗ·(z − zₗ), the value and the gradients.
	var cum, left, total ksum
	for s := 0; s < n; {
		e := s + 1
		for e < n && m[e].v == m[s].v {
			e++
		}
		if s > 0 {
			left.add((m[s].v - m[s-1].v) * cum.val())
		}
		sgn := cum.val() - up[s]  // S(z) = C< − C>
		bz := left.val() + rgt[s] // B(z) = L + R
		for k := s; k < e; k++ {
			r := m[k]
			if r.i >= 0 {
				if gx != nil {
					gx.Values[r.i] = F(-r.w * sgn)
					gx.Weights[r.i] = F(-bz)
				}
			} else if gy != nil {
				j := -1 - r.i
				gy.Values[j] = F(-r.w * sgn) // r.w = −vⱼ
				gy.Weights[j] = F(bz)
			}
		}
		for k := s; k < e; k++ {
			cum.add(m[k].w)
		}
		if e < n {
			c := cum.val()
			total.add((m[e].v - m[e-1].v) * c * c)
		}
		s = e
	}
	return total.val()
}

// cmpFloat orders two numbers known not to be NaN (cheaper than cmp.Compare).
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
