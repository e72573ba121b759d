package cramer

import (
	"cmp"
	"math"
	"unsafe"
)

// Sample sets are mixtures of point masses, and between point masses every
// pair term is h(d, 0) = |d|. Sums of |xₖ − xₗ| are therefore computed exactly
// (in float64, up to the rounding of a few sums of positive terms) by sorting:
// between consecutive sorted points the CDFs are constant, so every quantity
// is a sum over the gaps between distinct values of gap × (cumulative
// weights). Only gaps and weights enter, never the values themselves, so an
// offset common to all points (1e12 + a small spread) costs no accuracy.
//
// Each set is sorted on its own (radix.go); the two sorted sets are then
// walked together group by group, a group being all the points of one value
// (−0 and +0 are one value). A group's weight is the sum of its weights in
// sorted order, ties ordered by weight, so that two sets holding the same
// points with the same weights, in any order, give the same bits and the
// running difference of their CDFs stays exactly 0.
//
// Memory: the sorted keys of both sets (8 bytes per key in float64, 4 in
// float32) and a ping-pong half as long as the larger set that has no
// gradient output (a gradient output, written last, serves as its set's
// ping-pong half); indices (4 bytes) for the sets that need the permutation
// (gradients, weights) and the weights in sorted order (8 bytes) for
// weighted sets. Gradients need the weight above
// and the distance sum to the points above every group, a backward
// recurrence: instead of an array over all groups, a forward walk records
// its state every walkBlock groups, and the blocks are then redone in
// reverse order, each forward into a buffer of walkBlock groups and back.

// walkBlock is the number of groups a backward walk holds at a time (a
// variable so that tests can exercise block boundaries with small sets).
var walkBlock = 2048

// sortedSet is one sample set sorted by value.
type sortedSet[K radixKey] struct {
	k   []K       // keys, increasing
	w   []float64 // weights in sorted order (ties by weight); nil: every weight is u
	idx []uint32  // idx[r] is the position in the set of the r-th point; nil when not needed
	u   float64
}

// groupSum returns the weight of the points [i, e) (one group): (e−i)·u, or
// the compensated sum of the weights in sorted order.
func (s *sortedSet[K]) groupSum(i, e int) float64 {
	if s.w == nil {
		return float64(e-i) * s.u
	}
	if e == i+1 {
		return s.w[i]
	}
	var g ksum
	for _, w := range s.w[i:e] {
		g.add(w)
	}
	return g.val()
}

// weight returns the weight of the r-th point.
func (s *sortedSet[K]) weight(r int) float64 {
	if s.w == nil {
		return s.u
	}
	return s.w[r]
}

// walkCheckpoint is the state of a forward walk at the start of a block:
// the positions in both sets, C≤ of the group below, L at that group, and its
// value.
type walkCheckpoint struct {
	i, j      int
	cum, left ksum
	prev      float64
}

// groupRec is one group of a block being walked backward: its value and
// weight (signed: x − y), C< and C≤ (the signed weight below it, and up to
// and including it), L (the distance sum to the points below), and where its
// points start in each set.
type groupRec struct {
	v, d, less, le, left float64
	i, j                 int
}

// walkOut says what a backward walk writes: for two sets the gradients of
// x and y (each pair of slices nil when not wanted), for one set (self) the
// derivatives of its self sum.
type walkOut[F Float] struct {
	self           bool
	xv, xw, yv, yw []F
	dv, dw         []float64 // self-sum derivatives in float64
	fv, fw         []F       // or in F
}

// sampleScratch holds the buffers of the sample-set computations; they grow
// to the largest problem seen and are reused.
type sampleScratch struct {
	r64 radixScratch[uint64]
	r32 radixScratch[uint32]
	w   []float64 // weights of weighted sets in sorted order
	cps []walkCheckpoint
	rec []groupRec
	run runSorter
}

// radixOf returns the radix scratch for keys K.
func radixOf[K radixKey](sc *sampleScratch) *radixScratch[K] {
	var k K
	if unsafe.Sizeof(k) == 8 {
		return any(&sc.r64).(*radixScratch[K])
	}
	return any(&sc.r32).(*radixScratch[K])
}

// scratchBytes returns the capacity of the buffers in bytes.
func (sc *sampleScratch) scratchBytes() int {
	return 8*cap(sc.r64.keys) + 4*cap(sc.r64.idx) + 4*cap(sc.r64.cnt) +
		4*cap(sc.r32.keys) + 4*cap(sc.r32.idx) + 4*cap(sc.r32.cnt) +
		8*cap(sc.w) + int(unsafe.Sizeof(walkCheckpoint{}))*cap(sc.cps) + int(unsafe.Sizeof(groupRec{}))*cap(sc.rec)
}

// tmpBuf is memory that a sort may use as its ping-pong half: keys and
// indices of at least the set's length, or nil.
type tmpBuf[K radixKey] struct {
	k []K
	i []uint32
}

// outputTmp returns the memory of the gradient outputs g as the ping-pong
// half of the sort of a set of n points (g.Values holds n keys, g.Weights n
// indices: every element is written with the gradient afterwards), or a
// zero tmpBuf when g is nil or shares memory with one of the inputs.
func outputTmp[F Float, K radixKey](g *SamplesGrad[F], n int, inputs ...[]F) tmpBuf[K] {
	if g == nil || len(g.Values) < n || len(g.Weights) < n {
		return tmpBuf[K]{}
	}
	for _, in := range inputs {
		if overlaps(g.Values, in) || overlaps(g.Weights, in) {
			return tmpBuf[K]{}
		}
	}
	return tmpBuf[K]{asWords[K](g.Values[:n]), asWords[uint32](g.Weights[:n])}
}

// asWords returns the memory of v as a slice of T (whose size divides F's).
func asWords[T radixKey, F Float](v []F) []T {
	var t T
	var f F
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(f)/unsafe.Sizeof(t)))
}

// overlaps reports whether a and b share memory.
func overlaps[A, B Float](a []A, b []B) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	ea, eb := pa+uintptr(len(a))*unsafe.Sizeof(a[0]), pb+uintptr(len(b))*unsafe.Sizeof(b[0])
	return pa < eb && pb < ea
}

// sortSets sorts x and y (y may be empty) into sortedSets whose buffers are
// sc's: keys for both, indices for a set when its idx flag is set or it is
// weighted, weights in sorted order for weighted sets. ux and uy are the
// weights of unweighted sets. tx and ty, when not zero, are memory the sort
// of x or y uses as its ping-pong half (the gradient outputs); the others
// share one of sc's. It does not allocate once sc has grown.
func sortSets[F Float, K radixKey](sc *sampleScratch, x, y Samples[F], idxX, idxY bool, ux, uy float64, tx, ty tmpBuf[K]) (a, b sortedSet[K]) {
	n, m := len(x.Values), len(y.Values)
	idxX, idxY = idxX || x.Weights != nil, (idxY || y.Weights != nil) && m > 0
	if tx.k == nil || idxX && tx.i == nil {
		tx = tmpBuf[K]{}
	}
	if ty.k == nil || idxY && ty.i == nil {
		ty = tmpBuf[K]{}
	}
	// The shared ping-pong half: as long as the larger set without memory
	// of its own.
	bigK, bigI := 0, 0
	if tx.k == nil {
		bigK = n
		if idxX {
			bigI = n
		}
	}
	if ty.k == nil {
		bigK = max(bigK, m)
		if idxY {
			bigI = max(bigI, m)
		}
	}
	rs := radixOf[K](sc)
	rs.keys = grow(rs.keys, n+m+bigK)
	a.k, b.k = rs.keys[:n:n], rs.keys[n:n+m:n+m]
	if tx.k == nil {
		tx.k = rs.keys[n+m:]
	}
	if ty.k == nil {
		ty.k = rs.keys[n+m:]
	}
	ni, mi := 0, 0
	if idxX {
		ni = n
	}
	if idxY {
		mi = m
	}
	if ni+mi > 0 {
		rs.idx = grow(rs.idx, ni+mi+bigI)
		if idxX {
			a.idx = rs.idx[:n:n]
			if tx.i == nil {
				tx.i = rs.idx[ni+mi:]
			}
		}
		if idxY {
			b.idx = rs.idx[ni : ni+m : ni+m]
			if ty.i == nil {
				ty.i = rs.idx[ni+mi:]
			}
		}
	}
	rs.cnt = grow(rs.cnt, radixCounters)
	sortedKeys(x.Values, a.k, tx.k, a.idx, tx.i, idxX, rs.cnt)
	if m > 0 {
		sortedKeys(y.Values, b.k, ty.k, b.idx, ty.i, idxY, rs.cnt)
	}
	nw, mw := 0, 0
	if x.Weights != nil {
		nw = n
	}
	if y.Weights != nil {
		mw = m
	}
	if nw+mw > 0 {
		sc.w = grow(sc.w, nw+mw)
	}
	a.u, b.u = ux, uy
	if x.Weights != nil {
		a.w = sc.w[:n:n]
		sortedWeights(sc, &a, x.Weights)
	}
	if y.Weights != nil && m > 0 {
		b.w = sc.w[nw : nw+m : nw+m]
		sortedWeights(sc, &b, y.Weights)
	}
	return a, b
}

// sortedWeights fills s.w with the weights in the order of s.idx and puts
// every run of equal keys in order of weight (their indices along).
func sortedWeights[F Float, K radixKey](sc *sampleScratch, s *sortedSet[K], w []F) {
	for r, i := range s.idx {
		s.w[r] = float64(w[i])
	}
	n := len(s.k)
	for i := 0; i < n-1; {
		e := i + 1
		for e < n && s.k[e] == s.k[i] {
			e++
		}
		if e-i > 1 {
			sc.run.sort(s.w[i:e], s.idx[i:e])
		}
		i = e
	}
}

// runSorter sorts a run of weights (with their indices) in increasing order
// of weight: insertion sort when short or in order, heapsort otherwise (no
// allocation, O(k log k)). Equal weights are interchangeable (the order of
// −0 and +0 changes no sum), so the sort need not be stable.
type runSorter struct{}

func (runSorter) sort(w []float64, idx []uint32) {
	k := len(w)
	if k <= 16 {
		for a := 1; a < k; a++ {
			x, xi := w[a], idx[a]
			b := a
			for ; b > 0 && w[b-1] > x; b-- {
				w[b], idx[b] = w[b-1], idx[b-1]
			}
			w[b], idx[b] = x, xi
		}
		return
	}
	sorted := true
	for a := 1; a < k && sorted; a++ {
		sorted = w[a-1] <= w[a]
	}
	if sorted {
		return
	}
	sift := func(root, end int) {
		for {
			c := 2*root + 1
			if c >= end {
				return
			}
			if c+1 < end && w[c+1] > w[c] {
				c++
			}
			if w[root] >= w[c] {
				return
			}
			w[root], w[c] = w[c], w[root]
			idx[root], idx[c] = idx[c], idx[root]
			root = c
		}
	}
	for r := k/2 - 1; r >= 0; r-- {
		sift(r, k)
	}
	for end := k - 1; end > 0; end-- {
		w[0], w[end] = w[end], w[0]
		idx[0], idx[end] = idx[end], idx[0]
		sift(0, end)
	}
}

// nextGroup returns the smallest key at the heads of a and b (i, j not both
// at the end) and the positions past its points in each set. The common case
// of a group of one point, or one point from each set, takes no
// data-dependent branch (the comparisons become conditional moves); longer
// runs of ties are counted in a loop.
func nextGroup[K radixKey](a, b *sortedSet[K], i, j int) (K, int, int) {
	ak, bk := a.k, b.k
	ka, kb := ^K(0), ^K(0) // no valid value has this key
	if i < len(ak) {
		ka = ak[i]
	}
	if j < len(bk) {
		kb = bk[j]
	}
	k := min(ka, kb)
	if ka == k {
		i++
	}
	if kb == k {
		j++
	}
	if i < len(ak) && ak[i] == k || j < len(bk) && bk[j] == k {
		for i < len(ak) && ak[i] == k {
			i++
		}
		for j < len(bk) && bk[j] == k {
			j++
		}
	}
	return k, i, j
}

// forwardWalk walks the groups of a ∪ b in increasing order with the signed
// weights (+ for a, − for b) and returns Σ gap·C² over the gaps between
// consecutive groups (C the signed weight below the gap). With checkpoints
// it also carries L, the distance sum to the points below, and records the
// walk's state at the start of every block of walkBlock groups into sc.cps.
func forwardWalk[K radixKey](sc *sampleScratch, a, b *sortedSet[K], checkpoints bool) float64 {
	na, nb := len(a.k), len(b.k)
	if checkpoints {
		sc.cps = sc.cps[:0]
	}
	var cum, left, total ksum
	prev := 0.0
	for i, j, g := 0, 0, 0; i < na || j < nb; g++ {
		if checkpoints && g%walkBlock == 0 {
			sc.cps = append(sc.cps, walkCheckpoint{i, j, cum, left, prev})
		}
		i0, j0 := i, j
		var k K
		k, i, j = nextGroup(a, b, i, j)
		v := valueOf(k)
		if g > 0 {
			gap, c := v-prev, cum.val()
			total.add(gap * c * c)
			if checkpoints {
				left.add(gap * c)
			}
		}
		cum.add(a.groupSum(i0, i) - b.groupSum(j0, j))
		prev = v
	}
	return total.val()
}

// backwardWalk redoes the blocks recorded by forwardWalk(…, true) from the
// last to the first, each forward into sc.rec and then backward with C> (the
// signed weight above a group) and R (the distance sum to the points above),
// and writes the outputs of out for every group, from the top down:
//
//	two sets: S = C< − C>, B = L + R;  x: −w·S, −B;  y: v·S, B
//	one set:  2w·(C< − C>), 2·(L + R)
//
// For one set it returns the self sum 2·Σ gap·C≤·C> over the gaps.
func backwardWalk[K radixKey, F Float](sc *sampleScratch, a, b *sortedSet[K], out *walkOut[F]) float64 {
	na, nb := len(a.k), len(b.k)
	var above, right, self ksum
	nextV, top := 0.0, true
	endI, endJ := na, nb
	if cap(sc.rec) < walkBlock {
		sc.rec = make([]groupRec, walkBlock)
	}
	rec := sc.rec[:walkBlock]
	for bi := len(sc.cps) - 1; bi >= 0; bi-- {
		cp := sc.cps[bi]
		cum, left, prev := cp.cum, cp.left, cp.prev
		nr := 0
		for i, j, g := cp.i, cp.j, bi*walkBlock; i < endI || j < endJ; g++ {
			i0, j0 := i, j
			var k K
			k, i, j = nextGroup(a, b, i, j)
			v := valueOf(k)
			if g > 0 {
				left.add((v - prev) * cum.val())
			}
			less := cum.val()
			d := a.groupSum(i0, i) - b.groupSum(j0, j)
			cum.add(d)
			rec[nr] = groupRec{v, d, less, cum.val(), left.val(), i0, j0}
			nr++
			prev = v
		}
		for r := nr - 1; r >= 0; r-- {
			g := &rec[r]
			ie, je := endI, endJ
			if r+1 < nr {
				ie, je = rec[r+1].i, rec[r+1].j
			}
			if !top {
				gap := nextV - g.v
				if out.self {
					self.add(gap * g.le * above.val())
				}
				right.add(gap * above.val())
			}
			up, rgt := above.val(), right.val()
			if out.self {
				if out.dv != nil {
					writeSelf(out.dv, out.dw, a, g.i, ie, g.less-up, 2*(g.left+rgt))
				} else if out.fv != nil {
					writeSelf(out.fv, out.fw, a, g.i, ie, g.less-up, 2*(g.left+rgt))
				}
			} else {
				sgn, bz := g.less-up, g.left+rgt
				if out.xv != nil {
					writePair(out.xv, out.xw, a, g.i, ie, -sgn, -bz)
				}
				if out.yv != nil {
					writePair(out.yv, out.yw, b, g.j, je, sgn, bz)
				}
			}
			above.add(g.d)
			nextV, top = g.v, false
		}
		endI, endJ = cp.i, cp.j
	}
	return 2 * self.val()
}

// writePair writes, for the points [s, e) of set z (one group), the value
// derivative w·sgn and the weight derivative bz at their original indices.
func writePair[K radixKey, F Float](gv, gw []F, z *sortedSet[K], s, e int, sgn, bz float64) {
	idx := z.idx[s:e]
	if z.w == nil {
		dv, dw := F(z.u*sgn), F(bz)
		for _, i := range idx {
			gv[i], gw[i] = dv, dw
		}
		return
	}
	for r, i := range idx {
		gv[i], gw[i] = F(z.w[s+r]*sgn), F(bz)
	}
}

// writeSelf writes, for the points [s, e) of set z (one group), the self-sum
// derivatives 2w·lohi and dist at their original indices.
func writeSelf[K radixKey, O Float](dv, dw []O, z *sortedSet[K], s, e int, lohi, dist float64) {
	for r, i := range z.idx[s:e] {
		dv[i] = O(2 * z.weight(s+r) * lohi)
		dw[i] = O(dist)
	}
}

// sampleSelf returns Σₖₗ wₖwₗ|xₖ − xₗ| (the full double sum; weights
// float64(F(1/N)) when x.Weights is nil) exactly in O(N log N), as
// 2·Σ gap·W≤·W> over the gaps between consecutive distinct sorted values,
// W≤ and W> the weights below and above the gap (compensated sums of
// positive terms: nothing cancels, and the identity holds whatever the total
// weight). x must be valid.
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
	if is64[F]() {
		return sampleSelfK[F, uint64](&ws.samples, x, dValues, dWeights)
	}
	return sampleSelfK[F, uint32](&ws.samples, x, dValues, dWeights)
}

// sampleSelfGradTo is sampleSelfGrad with the derivatives written in F
// (rounded once from float64).
func (ws *Workspace[F]) sampleSelfGradTo(x Samples[F], dValues, dWeights []F) float64 {
	if is64[F]() {
		return sampleSelfK[F, uint64](&ws.samples, x, dValues, dWeights)
	}
	return sampleSelfK[F, uint32](&ws.samples, x, dValues, dWeights)
}

// sampleSelfK computes the self sum and, when dValues is not nil, its
// derivatives in O (float64, or F).
func sampleSelfK[F Float, K radixKey, O Float](sc *sampleScratch, x Samples[F], dValues, dWeights []O) float64 {
	grad := dValues != nil
	n := len(x.Values)
	u := float64(F(1 / float64(n)))
	var tx tmpBuf[K]
	out := walkOut[F]{self: true}
	if grad {
		// dValues and dWeights are written last: the sort's ping-pong half.
		tx = tmpBuf[K]{asWords[K](dValues[:n]), asWords[uint32](dWeights[:n])}
		switch v := any(dValues).(type) {
		case []float64:
			out.dv, out.dw = v, any(dWeights).([]float64)
		case []F:
			out.fv, out.fw = v, any(dWeights).([]F)
		}
	}
	a, b := sortSets[F, K](sc, x, Samples[F]{}, grad, false, u, 0, tx, tmpBuf[K]{})
	forwardWalk(sc, &a, &b, true)
	return backwardWalk(sc, &a, &b, &out)
}

// maxSamples is the largest number of points of a sample set (the sorts
// carry 32-bit indices and counters).
const maxSamples = 1<<32 - 1

// checkSampleCount returns an *InputError when a set of n points is too
// large to sort.
func checkSampleCount(arg string, n int) error {
	if uint64(n) > maxSamples {
		return &InputError{arg, "values", -1, "more than 2³² − 1 points"}
	}
	return nil
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
//
// gx and gy may share memory with x and y (the gradients are written after
// the inputs are last read). Otherwise their memory serves as scratch of the
// sort before it receives the gradients, which keeps the scratch of a call
// within about 1.5× the input in float64 (see the README).
func SquaredSamplesGrad[F Float](x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	var ws Workspace[F]
	return ws.SquaredSamplesGrad(x, y, gx, gy)
}

// SquaredSamples is SquaredSamples using the workspace's buffers: no
// allocation once warm.
func (ws *Workspace[F]) SquaredSamples(x, y Samples[F]) (F, error) {
	return ws.SquaredSamplesGrad(x, y, nil, nil)
}

// DistanceSamples is DistanceSamples using the workspace's buffers.
func (ws *Workspace[F]) DistanceSamples(x, y Samples[F]) (F, error) {
	d, err := ws.SquaredSamples(x, y)
	return F(math.Sqrt(float64(d))), err
}

// SquaredSamplesGrad is SquaredSamplesGrad using the workspace's buffers.
func (ws *Workspace[F]) SquaredSamplesGrad(x, y Samples[F], gx, gy *SamplesGrad[F]) (F, error) {
	if err := x.validate("x"); err != nil {
		return 0, err
	}
	if err := y.validate("y"); err != nil {
		return 0, err
	}
	if err := checkSampleCount("x", len(x.Values)); err != nil {
		return 0, err
	}
	if err := checkSampleCount("y", len(y.Values)); err != nil {
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
	if is64[F]() {
		return samplePairK[F, uint64](&ws.samples, x, y, gx, gy)
	}
	return samplePairK[F, uint32](&ws.samples, x, y, gx, gy)
}

func samplePairK[F Float, K radixKey](sc *sampleScratch, x, y Samples[F], gx, gy *SamplesGrad[F]) float64 {
	grad := gx != nil || gy != nil
	// The gradient outputs are written last: the sorts' ping-pong halves.
	tx := outputTmp[F, K](gx, len(x.Values), x.Values, x.Weights, y.Values, y.Weights)
	ty := outputTmp[F, K](gy, len(y.Values), x.Values, x.Weights, y.Values, y.Weights)
	a, b := sortSets(sc, x, y, gx != nil, gy != nil, 1/float64(len(x.Values)), 1/float64(len(y.Values)), tx, ty)
	// The value: Σ gap·C², C the CDF difference below the gap.
	v := forwardWalk(sc, &a, &b, grad)
	if !grad {
		return v
	}
	// The gradients, with S(z) = C< − C> and B(z) = L(z) + R(z).
	var out walkOut[F]
	if gx != nil {
		out.xv, out.xw = gx.Values, gx.Weights
	}
	if gy != nil {
		out.yv, out.yw = gy.Values, gy.Weights
	}
	backwardWalk(sc, &a, &b, &out)
	return v
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
