package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The batch-lane kernels (see purego.BatchCrossRowSums64): the inputs are
// lane-interleaved, component c of mixture pair l at c*n+l, and one vector
// holds the same component of p.lanes consecutive pairs. Both the value and
// the gradient kernels loop over the rows and columns with scalar loops and,
// inside, over blocks (groups) of up to 16 full vectors of consecutive lanes
// in two passes (genBatchRowSums, genBatchGrad); the last lanes that do not
// fill a vector take one masked vector per pair. Both use the pair
// computation of the row kernels (scale, pairCore) and accumulate every
// lane's sums in column (or row) order with one FMA per term, as purego
// does.

// batchText declares a batch-lane kernel: the slices, then the integers.
func (p *prec) batchText(name string, params []string, ints []string) {
	p.stub(name, fmt.Sprintf("func(%s []%s, %s int)", strings.Join(params, ", "), p.ty(), strings.Join(ints, ", ")), NOSPLIT)
}

func (p *prec) intParam(name string) GPVirtual {
	return Load(Param(name), GP64()).(GPVirtual)
}

// batchLanes emits the loop over the blocks of lanes of a batch-lane kernel:
// body is called twice, for full blocks (mask nil) and for the last partial
// block (lane mask on the stack), with the first lane l of the block and a
// suffix that makes its labels unique.
func (p *prec) batchLanes(body func(l GPVirtual, mask Op, sfx string)) {
	n := p.intParam("n")
	zero := GP64()
	XORQ(zero, zero)
	block := 0
	p.vectorLoop("lanes", zero, n, 1, nil, func(l GPVirtual, mask Op, _ int) {
		block++
		body(l, mask, fmt.Sprintf("_%d", block))
	})
}

// batchRange emits `for idx := first; count < limit; count++, idx += n`
// around body: count runs over the components, idx is the element index
// count*n + l of the current lane block.
func (p *prec) batchRange(label string, count, idx GPVirtual, limit string, body func()) {
	Label(label)
	CMPQ(count, p.intParam(limit))
	JGE(LabelRef(label + "_end"))
	body()
	INCQ(count)
	ADDQ(p.intParam("n"), idx)
	JMP(LabelRef(label))
	Label(label + "_end")
}

// batchCols sets j and jj to the first column of row i: 0 and l, or for the
// self kind i+1 and ii+n.
func (p *prec) batchCols(kind spec.Rows, i, ii, l GPVirtual) (j, jj GPVirtual) {
	j, jj = GP64(), GP64()
	if kind == spec.Self {
		LEAQ(Mem{Base: i, Disp: 1}, j)
		MOVQ(ii, jj)
		ADDQ(p.intParam("n"), jj)
	} else {
		XORQ(j, j)
		MOVQ(l, jj)
	}
	return j, jj
}

func (p *prec) colsParam(kind spec.Rows) string {
	if kind == spec.Self {
		return "k"
	}
	return "m"
}

// batchColBlock is the number of columns whose scales the gradient kernels'
// one-vector path for the last lanes (batchGradBlock) computes in a first
// pass before their pair terms.
const batchColBlock = 4

// batchValueVectors is the number of vectors of lanes per block of the value
// kernels (genBatchRowSums).
const batchValueVectors = 16

// genBatchRowSums emits a batch-lane value kernel. Its loops run over the
// rows i, then over blocks of up to batchValueVectors full vectors of
// consecutive lanes, then over the columns j, and innermost over the vectors
// of the block: component i (or j) of consecutive lanes is contiguous, so for
// one (i, j) the vectors of a block are independent pair terms read like the
// columns of the row kernels, however few components the mixtures have (one
// row and one column still give a block of independent vectors). Each (i, j)
// takes two passes over its block, as blockPasses does: first |d|, the scale
// and t = reduce(|d|, 1/q) of every vector to the stack, then the pair terms,
// each added with one FMA to its lane's row sum, which lives in out: the
// first column's pass adds its terms to +0 and stores them, the next ones
// load, add and store, so every sum takes its terms in column order from +0
// as in purego (a row without columns stores +0); out is only read where
// this call wrote it. For the point-mass kind the scales depend on the row
// only and are computed once per block. The last lanes that do not fill a
// vector are done one pair at a time with masked loads and stores.
func (p *prec) genBatchRowSums(kind spec.Rows) {
	name, params := kind.BatchSums()
	// The block buffers exceed the no-split frame limit: no NOSPLIT.
	p.stub(name, fmt.Sprintf("func(%s []%s, %s int)", strings.Join(params, ", "), p.ty(), strings.Join(kind.BatchInts(), ", ")), 0)
	r := kind.Roles()
	cm, cv := r.CM, r.CV
	if kind == spec.Self {
		cm, cv = r.RM, r.RV
	}
	bc := batchValueVectors * p.lanes
	adBuf, qBuf, tBuf := AllocLocal(bc*p.size), AllocLocal(bc*p.size), AllocLocal(bc*p.size)
	var rqBuf Mem
	if kind == spec.Dirac {
		rqBuf = AllocLocal(bc * p.size)
	}
	miMem, viMem, qMem, rqMem, adMem := AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32)
	maskMem := AllocLocal(32)
	// at returns the vector at element index kk of buffer b.
	at := func(b Mem, kk GPVirtual) Mem {
		b.Index, b.Scale = kk, uint8(p.size)
		return b
	}
	// elemPtr returns the address of element idx of the slice name.
	elemPtr := func(name string, idx GPVirtual) GPVirtual {
		a := GP64()
		LEAQ(p.at(p.ptr(name), idx), a)
		return a
	}
	// index returns c·n + lb, the element index of component c at lane lb.
	index := func(c, lb GPVirtual) GPVirtual {
		x := GP64()
		MOVQ(c, x)
		IMULQ(p.intParam("n"), x)
		ADDQ(lb, x)
		return x
	}
	// blockLoop runs body for kk = 0, lanes, … while kk < cnt (cnt ≥ lanes).
	blockLoop := func(label string, cnt GPVirtual, body func(kk GPVirtual)) {
		kk := GP64()
		XORQ(kk, kk)
		Label(label)
		body(kk)
		ADDQ(U32(p.lanes), kk)
		CMPQ(kk, cnt)
		JL(LabelRef(label))
	}
	// firstCol returns the first column of row i.
	firstCol := func(i GPVirtual) GPVirtual {
		j := GP64()
		if kind == spec.Self {
			LEAQ(Mem{Base: i, Disp: 1}, j)
		} else {
			XORQ(j, j)
		}
		return j
	}
	cols := p.colsParam(kind)

	i := GP64()
	XORQ(i, i)
	Label("vrow")
	CMPQ(i, p.intParam("k"))
	JGE(LabelRef("vdone"))
	lb := GP64()
	XORQ(lb, lb)

	// Blocks of full vectors of lanes.
	Label("vblk")
	cnt := GP64()
	MOVQ(p.intParam("n"), cnt)
	SUBQ(lb, cnt)
	CMPQ(cnt, U32(p.lanes))
	JL(LabelRef("vtail"))
	{
		lim := GP64()
		MOVQ(U32(bc), lim)
		CMPQ(cnt, lim)
		CMOVQGT(lim, cnt)
		ANDQ(I32(-p.lanes), cnt) // cnt = min(n − lb, bc) in whole vectors
		if kind == spec.Dirac {
			rv := elemPtr(r.RV, index(i, lb))
			blockLoop("vscale", cnt, func(kk GPVirtual) {
				q, rq := p.scale(p.load(p.at(rv, kk), nil))
				p.MOVU(q, at(qBuf, kk))
				p.MOVU(rq, at(rqBuf, kk))
			})
		}
		// pass0 stores |d|, q and t of every vector of the block at column j.
		pass0 := func(label string, i, j GPVirtual) {
			ri, ci := index(i, lb), index(j, lb)
			rm, cmp := elemPtr(r.RM, ri), elemPtr(cm, ci)
			var rv, cvp GPVirtual
			if kind != spec.Dirac {
				rv, cvp = elemPtr(r.RV, ri), elemPtr(cv, ci)
			}
			blockLoop(label, cnt, func(kk GPVirtual) {
				ad := p.load(p.at(rm, kk), nil)
				p.SUB(p.at(cmp, kk), ad, ad) // d = mi − mj
				p.AND(p.c("absMask"), ad, ad)
				p.MOVU(ad, at(adBuf, kk))
				rq := Op(at(rqBuf, kk))
				if kind != spec.Dirac {
					s := p.load(p.at(cvp, kk), nil)
					p.ADD(p.at(rv, kk), s, s) // vj + vi
					var q VecVirtual
					q, rq = p.scale(s)
					p.MOVU(q, at(qBuf, kk))
				}
				p.MOVU(p.reduce(ad, rq), at(tBuf, kk))
			})
		}
		// pass1 adds the pair terms at column j to the row sums in out; at
		// the first column (first) the sums start at +0 instead.
		pass1 := func(label string, i, j GPVirtual, first bool) {
			out, cw := elemPtr("out", index(i, lb)), elemPtr(r.CW, index(j, lb))
			blockLoop(label, cnt, func(kk GPVirtual) {
				h, _, _ := p.pairCoreReduced(at(adBuf, kk), at(qBuf, kk), at(tBuf, kk))
				acc := YMM()
				if first {
					p.XOR(acc, acc, acc)
				} else {
					p.MOVU(p.at(out, kk), acc)
				}
				p.FMADD231(p.at(cw, kk), h, acc) // acc += h·w
				p.MOVU(acc, p.at(out, kk))
			})
		}
		j := firstCol(i)
		CMPQ(j, p.intParam(cols))
		JL(LabelRef("vfirst"))
		// No column: the row sums are +0.
		{
			out := elemPtr("out", index(i, lb))
			blockLoop("vzero", cnt, func(kk GPVirtual) {
				z := YMM()
				p.XOR(z, z, z)
				p.MOVU(z, p.at(out, kk))
			})
			JMP(LabelRef("vcol_end"))
		}
		Label("vfirst")
		pass0("vfirst0", i, j)
		pass1("vfirst1", i, j, true)
		INCQ(j)
		Label("vcol")
		CMPQ(j, p.intParam(cols))
		JGE(LabelRef("vcol_end"))
		pass0("vblk_pass0", i, j)
		pass1("vblk_pass1", i, j, false)
		INCQ(j)
		JMP(LabelRef("vcol"))
		Label("vcol_end")
		ADDQ(cnt, lb)
		JMP(LabelRef("vblk"))
	}

	// The last n − lb < lanes lanes, one masked vector per pair.
	Label("vtail")
	TESTQ(cnt, cnt)
	JE(LabelRef("vnext"))
	{
		p.MOVU(p.tailMask(cnt), maskMem)
		mask := maskMem
		ri := index(i, lb)
		p.MOVU(p.load(p.at(p.ptr(r.RM), ri), mask), miMem)
		vi := p.load(p.at(p.ptr(r.RV), ri), mask)
		p.MOVU(vi, viMem)
		if kind == spec.Dirac {
			q, rq := p.scale(vi)
			p.MOVU(q, qMem)
			p.MOVU(rq, rqMem)
		}
		acc := YMM()
		p.XOR(acc, acc, acc)
		j := firstCol(i)
		jj := index(j, lb)
		p.batchRange("vtcol", j, jj, cols, func() {
			ad := p.diff(miMem, p.load(p.at(p.ptr(cm), jj), mask))
			p.AND(p.c("absMask"), ad, ad)
			p.MOVU(ad, adMem)
			if kind != spec.Dirac {
				s := p.load(p.at(p.ptr(cv), jj), mask)
				p.ADD(viMem, s, s)
				q, rq := p.scale(s)
				p.MOVU(q, qMem)
				p.MOVU(rq, rqMem)
			}
			h, _, _, _ := p.pairCore(adMem, qMem, rqMem)
			p.FMADD231(p.load(p.at(p.ptr(r.CW), jj), mask), h, acc)
		})
		p.store(acc, p.at(p.ptr("out"), index(i, lb)), mask)
	}
	Label("vnext")
	INCQ(i)
	JMP(LabelRef("vrow"))
	Label("vdone")
	VZEROUPPER()
	RET()
}

// batchGradGroup is the largest number of full lane vectors the gradient
// kernels process together (genBatchGrad).
const batchGradGroup = 16

// genBatchGrad emits a batch-lane gradient kernel. The full lane vectors go
// in groups of up to batchGradGroup vectors (batchGradGroups), each column
// of a row in two passes over the group's vectors, so that the
// independent pairs of different lanes are adjacent in the instruction
// stream whatever K and M are; the last partial vector of lanes, if any,
// takes the one-vector path (batchGradBlock) with a lane mask. Both follow
// purego's per-lane operations and accumulation order exactly.
func (p *prec) genBatchGrad(kind spec.Rows) {
	name, params := kind.BatchGrad()
	// The group buffers exceed the no-split frame limit: the assembler
	// inserts the stack check.
	p.stub(name, fmt.Sprintf("func(%s []%s, %s int)", strings.Join(params, ", "), p.ty(), strings.Join(kind.BatchInts(), ", ")), 0)
	l := p.batchGradGroups(kind)
	rem := GP64()
	MOVQ(p.intParam("n"), rem)
	SUBQ(l, rem)
	JE(LabelRef("gtail_done"))
	maskMem := AllocLocal(32)
	p.MOVU(p.tailMask(rem), maskMem)
	p.batchGradBlock(kind, l, maskMem, "_tail")
	Label("gtail_done")
	VZEROUPPER()
	RET()
}

// batchGradSlots are the per-vector stack buffers of a group of
// batchGradGroup lane vectors, indexed by the element offset of the vector
// in the group: d = mi − m, |d|, q, t = reduce(|d|, 1/q) and 1/q with 0
// where q == 0; for the Dirac kind also the row scale q, 1/q and the masked
// 1/q of the current row; and the row sums H, D, R of the current row
// between its first and last columns.
type batchGradSlots struct {
	d, ad, q, t, rqm  Mem
	rowQ, rowRq, rowM Mem
	rows              [3]Mem
}

// slotAt returns the slot of the vector at element offset k of the group.
func slotAt(buf Mem, k GPVirtual, size int) Mem {
	buf.Index, buf.Scale = k, uint8(size)
	return buf
}

// batchGradGroups emits the loop over the groups of full lane vectors of a
// gradient kernel and returns the register holding the first lane it did
// not process (n rounded down to whole vectors). For each group of cnt ≤
// batchGradGroup vectors from lane g0 it zeroes the column sums, then for
// every row i and every column j of the row runs a first pass over the
// group's vectors that computes each pair's difference, scale and reduced
// argument t (the square root and the division) into the slots, and a
// second pass that completes the pair terms and adds them to the row sums
// (from +0 at the first column, on the stack until the last one, which
// stores them to rh, rd, rr; rows without columns get +0) and to the column
// sums in memory; in float64 the second pass of a column also does the
// first pass of the next one. Every lane's row sums thus get their terms in
// column order and its column sums in row order, one FMA per term from +0,
// as in purego; the passes only reorder independent work of different lanes
// (or of different columns of a lane, between their sums).
func (p *prec) batchGradGroups(kind spec.Rows) GPVirtual {
	roles := kind.Roles()
	rw, rm, rv, cw, cm, cv := roles.RW, roles.RM, roles.RV, roles.CW, roles.CM, roles.CV
	colSums := []string{"ch", "cd", "cr"}
	if kind == spec.Dirac {
		colSums = colSums[:2]
	}
	rowSums := []string{"rh", "rd", "rr"}
	buf := func() Mem { return AllocLocal(batchGradGroup * 32) }
	sl := batchGradSlots{d: buf(), ad: buf(), q: buf(), t: buf(), rqm: buf()}
	for u := range sl.rows {
		sl.rows[u] = buf()
	}
	if kind == spec.Dirac {
		sl.rowQ, sl.rowRq, sl.rowM = buf(), buf(), buf()
	}
	// vecPass emits `for k := 0; k < cnt; k += lanes { body(k) }`.
	vecPass := func(label string, cnt GPVirtual, body func(k GPVirtual)) {
		k := GP64()
		XORQ(k, k)
		Label(label)
		body(k)
		ADDQ(U32(p.lanes), k)
		CMPQ(k, cnt)
		JL(LabelRef(label))
	}
	idx := func(base, k GPVirtual) GPVirtual {
		r := GP64()
		LEAQ(Mem{Base: base, Index: k, Scale: 1}, r)
		return r
	}
	g0 := GP64()
	XORQ(g0, g0)
	Label("grp")
	// cnt = min(batchGradGroup·lanes, lanes of the full vectors left).
	cnt := GP64()
	MOVQ(p.intParam("n"), cnt)
	SUBQ(g0, cnt)
	ANDQ(I32(-p.lanes), cnt)
	JE(LabelRef("grp_end"))
	CMPQ(cnt, U32(batchGradGroup*p.lanes))
	JLE(LabelRef("grp_cnt"))
	MOVQ(U32(batchGradGroup*p.lanes), cnt)
	Label("grp_cnt")
	zero := func(label string, ptrs []string, first GPVirtual) {
		vecPass(label, cnt, func(k GPVirtual) {
			z := YMM()
			p.XOR(z, z, z)
			x := idx(first, k)
			for _, c := range ptrs {
				p.MOVU(z, p.at(p.ptr(c), x))
			}
		})
	}
	{
		j, jj := GP64(), GP64()
		XORQ(j, j)
		MOVQ(g0, jj)
		p.batchRange("gzero", j, jj, p.colsParam(kind), func() {
			zero("gzero_v", colSums, jj)
		})
	}
	i, ii := GP64(), GP64()
	XORQ(i, i)
	MOVQ(g0, ii)
	p.batchRange("grow", i, ii, "k", func() {
		if kind == spec.Dirac {
			vecPass("grow_scale", cnt, func(k GPVirtual) {
				vi := p.load(p.at(p.ptr(rv), idx(ii, k)), nil)
				q, rq := p.scale(vi)
				p.MOVU(q, slotAt(sl.rowQ, k, p.size))
				p.MOVU(rq, slotAt(sl.rowRq, k, p.size))
				p.storeMaskedRq(q, rq, slotAt(sl.rowM, k, p.size))
			})
		}
		j, jj := p.batchCols(kind, i, ii, g0)
		// colIdx returns the element index of vector k of column j+u.
		colIdx := func(u int, k GPVirtual) GPVirtual {
			x := idx(jj, k)
			if u > 0 {
				ADDQ(p.intParam("n"), x)
			}
			return x
		}
		// prepare is the first pass's work on vector k of column j+u: the
		// difference, the scale and the reduced argument, into the slots.
		prepare := func(u int, k GPVirtual) {
			xi, xj := idx(ii, k), colIdx(u, k)
			d := p.load(p.at(p.ptr(rm), xi), nil)
			p.SUB(p.at(p.ptr(cm), xj), d, d) // d = mi − m
			p.MOVU(d, slotAt(sl.d, k, p.size))
			ad := YMM()
			p.AND(p.c("absMask"), d, ad)
			p.MOVU(ad, slotAt(sl.ad, k, p.size))
			var rq Op
			if kind == spec.Dirac {
				rq = slotAt(sl.rowRq, k, p.size)
			} else {
				s := p.load(p.at(p.ptr(cv), xj), nil)
				p.ADD(p.at(p.ptr(rv), xi), s, s)
				q, rqv := p.scale(s)
				p.MOVU(q, slotAt(sl.q, k, p.size))
				p.storeMaskedRq(q, rqv, slotAt(sl.rqm, k, p.size))
				rq = rqv
			}
			t := p.reduce(ad, rq)
			p.MOVU(t, slotAt(sl.t, k, p.size))
		}
		// finish is the second pass's work on vector k of column j: the
		// pair terms from the slots, added to the row sums (from +0 at the
		// first column of the row, in a register; to rh, rd, rr at the
		// last; on the stack in between) and to the column sums. It reads
		// every slot of vector k before a prepare of the next column in
		// the same pass overwrites them.
		finish := func(k GPVirtual, first, last bool) {
			q, rqm := slotAt(sl.q, k, p.size), slotAt(sl.rqm, k, p.size)
			if kind == spec.Dirac {
				q, rqm = slotAt(sl.rowQ, k, p.size), slotAt(sl.rowM, k, p.size)
			}
			h, erf, e2 := p.pairCoreReduced(slotAt(sl.ad, k, p.size), q, slotAt(sl.t, k, p.size))
			sg := YMM()
			p.MOVU(slotAt(sl.d, k, p.size), sg)
			p.copysign(erf, sg)
			p.MUL(rqm, e2, e2) // e2·rq, 0 where q == 0
			vals := []VecVirtual{h, erf, e2}
			xj := idx(jj, k)
			w := p.load(p.at(p.ptr(cw), xj), nil)
			var xi GPVirtual
			if last {
				xi = idx(ii, k)
			}
			for u, c := range rowSums {
				acc := YMM()
				if first {
					p.XOR(acc, acc, acc)
				} else {
					p.MOVU(slotAt(sl.rows[u], k, p.size), acc)
				}
				p.FMADD231(w, vals[u], acc) // acc += w·val
				if last {
					p.MOVU(acc, p.at(p.ptr(c), xi))
				} else {
					p.MOVU(acc, slotAt(sl.rows[u], k, p.size))
				}
			}
			wi := p.load(p.at(p.ptr(rw), idx(ii, k)), nil)
			for u, c := range colSums {
				ptr := p.ptr(c)
				acc := p.load(p.at(ptr, xj), nil)
				p.FMADD231(wi, vals[u], acc) // acc += wi·val
				p.MOVU(acc, p.at(ptr, xj))
			}
		}
		cols := p.colsParam(kind)
		next := func() {
			INCQ(j)
			ADDQ(p.intParam("n"), jj)
		}
		// No column (the last row of a self kernel, or m = 0): the row sums
		// are +0.
		CMPQ(j, p.intParam(cols))
		JL(LabelRef("grow_cols"))
		vecPass("grow_none", cnt, func(k GPVirtual) {
			z := YMM()
			p.XOR(z, z, z)
			x := idx(ii, k)
			for _, c := range rowSums {
				p.MOVU(z, p.at(p.ptr(c), x))
			}
		})
		JMP(LabelRef("grow_done"))
		Label("grow_cols")
		if p.f64 {
			// The passes are software-pipelined over the columns of the
			// row: the first pass of the first column, then per column one
			// pass that finishes its pairs and prepares those of the next
			// column (so that the square roots and divisions of one column
			// overlap the pair terms of the other), and the second pass of
			// the last. (Measured a few per cent faster in float64 and as
			// much slower in float32, whose groups have half the vectors.)
			vecPass("gfirst_pass0", cnt, func(k GPVirtual) { prepare(0, k) })
			t := GP64()
			LEAQ(Mem{Base: j, Disp: 1}, t)
			CMPQ(t, p.intParam(cols))
			JL(LabelRef("grow_more"))
			vecPass("gonly_pass1", cnt, func(k GPVirtual) { finish(k, true, true) })
			JMP(LabelRef("grow_done"))
			Label("grow_more")
			vecPass("gfirst_pass1", cnt, func(k GPVirtual) {
				finish(k, true, false)
				prepare(1, k)
			})
			next()
			Label("gmid")
			t = GP64()
			LEAQ(Mem{Base: j, Disp: 1}, t)
			CMPQ(t, p.intParam(cols))
			JGE(LabelRef("gmid_end"))
			vecPass("gmid_pass0", cnt, func(k GPVirtual) {
				finish(k, false, false)
				prepare(1, k)
			})
			next()
			JMP(LabelRef("gmid"))
			Label("gmid_end")
			vecPass("glast_pass1", cnt, func(k GPVirtual) { finish(k, false, true) })
		} else {
			// Per column its two passes, the first and the last column of
			// the row with their own second pass.
			passes := func(label string, first, last bool) {
				vecPass(label+"_pass0", cnt, func(k GPVirtual) { prepare(0, k) })
				vecPass(label+"_pass1", cnt, func(k GPVirtual) { finish(k, first, last) })
			}
			t := GP64()
			LEAQ(Mem{Base: j, Disp: 1}, t)
			CMPQ(t, p.intParam(cols))
			JL(LabelRef("grow_more"))
			passes("gonly", true, true)
			JMP(LabelRef("grow_done"))
			Label("grow_more")
			passes("gfirst", true, false)
			next()
			Label("gmid")
			t = GP64()
			LEAQ(Mem{Base: j, Disp: 1}, t)
			CMPQ(t, p.intParam(cols))
			JGE(LabelRef("gmid_end"))
			passes("gmid", false, false)
			next()
			JMP(LabelRef("gmid"))
			Label("gmid_end")
			passes("glast", false, true)
		}
		Label("grow_done")
	})
	ADDQ(cnt, g0)
	JMP(LabelRef("grp"))
	Label("grp_end")
	return g0
}

// batchGradBlock emits the gradient sums of the one vector of lanes from l
// (with the lane mask in memory; nil for a full vector), rows in order,
// each row's columns in blocks of batchColBlock with their scales first.
func (p *prec) batchGradBlock(kind spec.Rows, l GPVirtual, mask Op, sfx string) {
	roles := kind.Roles()
	rw, rm, rv, cw, cm, cv := roles.RW, roles.RM, roles.RV, roles.CW, roles.CM, roles.CV
	colSums := []string{"ch", "cd", "cr"}
	if kind == spec.Dirac {
		colSums = colSums[:2]
	}
	miMem, viMem, wiMem, rqmMem := AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32)
	qMem, rqMem, adMem := AllocLocal(32), AllocLocal(32), AllocLocal(32)
	var qBlk, rqBlk, rqmBlk [batchColBlock]Mem
	if kind != spec.Dirac {
		for u := range qBlk {
			qBlk[u], rqBlk[u], rqmBlk[u] = AllocLocal(32), AllocLocal(32), AllocLocal(32)
		}
	}
	{
		// The column sums of this block start at +0.
		{
			j, jj := GP64(), GP64()
			XORQ(j, j)
			MOVQ(l, jj)
			p.batchRange("zero"+sfx, j, jj, p.colsParam(kind), func() {
				z := YMM()
				p.XOR(z, z, z)
				for _, c := range colSums {
					p.store(z, p.at(p.ptr(c), jj), mask)
				}
			})
		}
		i, ii := GP64(), GP64()
		XORQ(i, i)
		MOVQ(l, ii)
		p.batchRange("row"+sfx, i, ii, "k", func() {
			for _, c := range []struct {
				ptr string
				mem Mem
			}{{rm, miMem}, {rv, viMem}, {rw, wiMem}} {
				p.MOVU(p.load(p.at(p.ptr(c.ptr), ii), mask), c.mem)
			}
			if kind == spec.Dirac {
				p.rowScale(viMem, qMem, rqMem, rqmMem)
			}
			sh, sd, sr := p.zeroSums()
			j, jj := p.batchCols(kind, i, ii, l)
			// pairRest finishes the pair at column index jc from its scale
			// (q, rq and rq masked to 0 where q == 0, in memory).
			pairRest := func(jc GPVirtual, q, rq, rqm Mem) {
				ad := p.diff(miMem, p.load(p.at(p.ptr(cm), jc), mask))
				p.AND(p.c("absMask"), ad, ad)
				p.MOVU(ad, adMem)
				h, erf, e2, _ := p.pairCore(adMem, q, rq)
				sg := p.diff(miMem, p.load(p.at(p.ptr(cm), jc), mask))
				p.copysign(erf, sg)
				p.MUL(rqm, e2, e2) // e2·rq, 0 where q == 0
				w := p.load(p.at(p.ptr(cw), jc), mask)
				p.FMADD231(w, h, sh)
				p.FMADD231(w, erf, sd)
				p.FMADD231(w, e2, sr)
				for k, c := range colSums {
					val := []VecVirtual{h, erf, e2}[k]
					acc := p.load(p.at(p.ptr(c), jc), mask)
					p.FMADD231(wiMem, val, acc)
					p.store(acc, p.at(p.ptr(c), jc), mask)
				}
			}
			// scaleAt stores the scale of the pair at column index jc.
			scaleAt := func(jc GPVirtual, q, rq, rqm Mem) {
				s := p.load(p.at(p.ptr(cv), jc), mask)
				p.ADD(viMem, s, s)
				qv, rqv := p.scale(s)
				p.MOVU(qv, q)
				p.MOVU(rqv, rq)
				p.storeMaskedRq(qv, rqv, rqm)
			}
			if kind != spec.Dirac {
				// Blocks of batchColBlock columns in two passes (scales
				// first, so they are off the pair terms' dependency chain).
				Label("colb" + sfx)
				t := GP64()
				LEAQ(Mem{Base: j, Disp: batchColBlock}, t)
				CMPQ(t, p.intParam(p.colsParam(kind)))
				JG(LabelRef("colb" + sfx + "_end"))
				jb := GP64()
				MOVQ(jj, jb)
				for u := 0; u < batchColBlock; u++ {
					scaleAt(jb, qBlk[u], rqBlk[u], rqmBlk[u])
					ADDQ(p.intParam("n"), jb)
				}
				MOVQ(jj, jb)
				for u := 0; u < batchColBlock; u++ {
					pairRest(jb, qBlk[u], rqBlk[u], rqmBlk[u])
					ADDQ(p.intParam("n"), jb)
				}
				MOVQ(jb, jj)
				ADDQ(U32(batchColBlock), j)
				JMP(LabelRef("colb" + sfx))
				Label("colb" + sfx + "_end")
			}
			p.batchRange("col"+sfx, j, jj, p.colsParam(kind), func() {
				if kind != spec.Dirac {
					scaleAt(jj, qMem, rqMem, rqmMem)
				}
				pairRest(jj, qMem, rqMem, rqmMem)
			})
			for _, s := range []struct {
				acc VecVirtual
				ptr string
			}{{sh, "rh"}, {sd, "rd"}, {sr, "rr"}} {
				p.store(s.acc, p.at(p.ptr(s.ptr), ii), mask)
			}
		})
	}
}
