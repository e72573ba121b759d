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
// holds the same component of p.lanes consecutive pairs. The gradient
// kernels loop, for each vector of lanes (the last one masked when n is not
// a multiple of the lane count), over the rows and columns with scalar loops
// and compute one full vector of pair terms per (row, column); the value
// kernels loop over the rows and columns outside and over blocks of vectors
// of lanes inside (genBatchRowSums). Both use the pair computation of the row
// kernels (scale, pairCore) and accumulate every lane's sums in column (or
// row) order with one FMA per term, as purego does.

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

// batchColBlock is the number of columns whose scales the gradient kernels
// compute in a first pass before their pair terms.
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

func (p *prec) genBatchGrad(kind spec.Rows) {
	name, params := kind.BatchGrad()
	p.batchText(name, params, kind.BatchInts())
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
	p.batchLanes(func(l GPVirtual, mask Op, sfx string) {
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
				// first), as in the value kernels.
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
	})
	VZEROUPPER()
	RET()
}
