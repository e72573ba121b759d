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

// nextGroup returns the smallest key at the heads of ak[i:] and bk[j:] (not
// both empty) and the positions past its points in each. The common case of
// a group of one point, or one point from each set, takes no data-dependent
// branch (the comparisons become conditional moves); longer runs of ties are
// counted in a loop.
func nextGroup[K radixKey](ak, bk []K, i, j int) (K, int, int) {
	ka, kb := ^K(0), ^K(0) // no valid value has this key
	if i < len(ak) {
		ka = ak[i]
	}
	if j < len(bk) {
		kb = bk[j]
	}
	k := min(ka, kb)
	i += b2i(ka == k)
	j += b2i(kb == k)
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

// b2i is 1 for true and 0 for false (a flag move, no branch).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// forwardWalk walks the groups of a ∪ b in increasing order with the signed
// weights (+ for a, − for b) and returns Σ gap·C² over the gaps between
// consecutive groups (C the signed weight below the gap). With checkpoints
// it also carries L, the distance sum to the points below, and records the
// walk's state at the start of every block of walkBlock groups into sc.cps.
//
// Below the first group C is 0, so its terms (gap·0) add nothing: the loop
// needs no special case for it.
func forwardWalk[K radixKey](sc *sampleScratch, a, b *sortedSet[K], checkpoints bool) float64 {
	ak, bk := a.k, b.k
	na, nb := len(ak), len(bk)
	if checkpoints {
		sc.cps = sc.cps[:0]
	}
	var cum, left, total ksum
	prev, toBlock := 0.0, 0
	for i, j := 0, 0; i < na || j < nb; {
		if checkpoints {
			if toBlock == 0 {
				sc.cps = append(sc.cps, walkCheckpoint{i, j, cum, left, prev})
				toBlock = walkBlock
			}
			toBlock--
		}
		i0, j0 := i, j
		var k K
		k, i, j = nextGroup(ak, bk, i, j)
		v := valueOf(k)
		gap, c := v-prev, cum.val()
		total.add(gap * c * c)
		if checkpoints {
			left.add(gap * c)
		}
		cum.add(a.groupSum(i0, i) - b.groupSum(j0, j))
		prev = v
	}
	return total.val()
}

// redoBlock walks the groups from checkpoint cp up to (not including) the
// points endI of a and endJ of b forward again, into rec: for each group its
// value, signed weight, C<, C≤, L and its first points. It returns the
// number of groups.
func redoBlock[K radixKey](rec []groupRec, a, b *sortedSet[K], cp *walkCheckpoint, endI, endJ int) int {
	ak, bk := a.k[:endI], b.k[:endJ]
	cum, left, prev := cp.cum, cp.left, cp.prev
	nr := 0
	for i, j := cp.i, cp.j; i < endI || j < endJ; nr++ {
		i0, j0 := i, j
		var k K
		k, i, j = nextGroup(ak, bk, i, j)
		v := valueOf(k)
		left.add((v - prev) * cum.val())
		less := cum.val()
		d := a.groupSum(i0, i) - b.groupSum(j0, j)
		cum.add(d)
		rec[nr] = groupRec{v, d, less, cum.val(), left.val(), i0, j0}
		prev = v
	}
	return nr
}

// backwardWalk redoes the blocks recorded by forwardWalk(…, true) from the
// last to the first, each forward into sc.rec and then backward with C> (the
// signed weight above a group) and R (the distance sum to the points above),
// and writes the outputs of out for every group, from the top down:
//
//	two sets: S = C< − C>, B = L + R;  x: −w·S, −B;  y: v·S, B
//	one set:  2w·(C< − C>), 2·(L + R)
//
// For one set it returns the self sum 2·Σ gap·C≤·C> over the gaps. Above the
// top group C> is 0, so its terms add nothing there either.
func backwardWalk[K radixKey, F Float](sc *sampleScratch, a, b *sortedSet[K], out *walkOut[F]) float64 {
	if cap(sc.rec) < walkBlock {
		sc.rec = make([]groupRec, walkBlock)
	}
	rec := sc.rec[:walkBlock]
	if !out.self {
		backwardPair(sc.cps, rec, a, b, out.xv, out.xw, out.yv, out.yw)
		return 0
	}
	var above, right, self ksum
	nextV := 0.0
	endI, endJ := len(a.k), len(b.k)
	for bi := len(sc.cps) - 1; bi >= 0; bi-- {
		cp := &sc.cps[bi]
		nr := redoBlock(rec, a, b, cp, endI, endJ)
		for r := nr - 1; r >= 0; r-- {
			g := &rec[r]
			ie := endI
			if r+1 < nr {
				ie = rec[r+1].i
			}
			gap := nextV - g.v
			self.add(gap * g.le * above.val())
			right.add(gap * above.val())
			up, rgt := above.val(), right.val()
			if out.dv != nil {
				writeSelf(out.dv, out.dw, a, g.i, ie, g.less-up, 2*(g.left+rgt))
			} else if out.fv != nil {
				writeSelf(out.fv, out.fw, a, g.i, ie, g.less-up, 2*(g.left+rgt))
			}
			above.add(g.d)
			nextV = g.v
		}
		endI, endJ = cp.i, cp.j
	}
	return 2 * self.val()
}

// backwardPair is backwardWalk for two sets: it writes the gradients of x
// (xv, xw) and of y (yv, yw), either pair nil when not wanted.
func backwardPair[K radixKey, F Float](cps []walkCheckpoint, rec []groupRec, a, b *sortedSet[K], xv, xw, yv, yw []F) {
	var above, right ksum
	nextV := 0.0
	endI, endJ := len(a.k), len(b.k)
	ua, ub := a.u, b.u
	ia, ib := a.idx, b.idx
	plainA, plainB := a.w == nil && xv != nil, b.w == nil && yv != nil
	for bi := len(cps) - 1; bi >= 0; bi-- {
		cp := &cps[bi]
		nr := redoBlock(rec, a, b, cp, endI, endJ)
		ie, je := endI, endJ
		for r := nr - 1; r >= 0; r-- {
			g := &rec[r]
			gap := nextV - g.v
			right.add(gap * above.val())
			sgn, bz := g.less-above.val(), g.left+right.val()
			// One point of an unweighted set: the common case, written
			// here; the others through writePair.
			if n := ie - g.i; n == 1 && plainA {
				p := ia[g.i]
				xv[p], xw[p] = F(ua*-sgn), F(-bz)
			} else if n > 0 && xv != nil {
				writePair(xv, xw, a, g.i, ie, -sgn, -bz)
			}
			if n := je - g.j; n == 1 && plainB {
				p := ib[g.j]
				yv[p], yw[p] = F(ub*sgn), F(bz)
			} else if n > 0 && yv != nil {
				writePair(yv, yw, b, g.j, je, sgn, bz)
			}
			above.add(g.d)
			nextV, ie, je = g.v, g.i, g.j
		}
		endI, endJ = cp.i, cp.j
	}
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
