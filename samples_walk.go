package cramer

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
// Gradients need the weight above
// and the distance sum to the points above every group, a backward
// recurrence: instead of an array over all groups, a forward walk records
// its state every walkBlock groups, and the blocks are then redone in
// reverse order, each forward into a buffer of walkBlock groups and back.

// walkBlock is the number of groups a backward walk holds at a time (a
// variable so that tests can exercise block boundaries with small sets).
var walkBlock = 2048

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
