package main

import (
	"fmt"
	"strings"

	"github.com/mmcloughlin/avo/attr"
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

func (p *prec) ty() string {
	if p.f64 {
		return "float64"
	}
	return "float32"
}

// at returns the vector at element index i of the slice whose base is ptr.
func (p *prec) at(ptr GPVirtual, i GPVirtual) Mem {
	return Mem{Base: ptr, Index: i, Scale: uint8(p.size)}
}

// vectorLoop emits a loop over n elements (a GP register), calling body with
// the element index and, in the final partial vector, a lane mask (nil for
// full vectors). unroll full vectors are processed per iteration first.
//
// afterUnrolled (may be nil) runs once when the unrolled part is done, to fold
// its extra accumulators. In the partial vector the mask is kept on the stack
// (maskMem) and reloaded for each masked access, to save a register.
func (p *prec) vectorLoop(label string, start, n GPVirtual, unroll int, afterUnrolled func(), body func(i GPVirtual, mask Op, u int)) {
	i := GP64()
	MOVQ(start, i)
	rem := GP64()
	if unroll > 1 {
		Label(label + "_unrolled")
		MOVQ(n, rem)
		SUBQ(i, rem)
		CMPQ(rem, U32(p.lanes*unroll))
		JL(LabelRef(label + "_fold"))
		for u := 0; u < unroll; u++ {
			iu := GP64()
			LEAQ(Mem{Base: i, Disp: u * p.lanes}, iu)
			body(iu, nil, u)
		}
		ADDQ(U32(p.lanes*unroll), i)
		JMP(LabelRef(label + "_unrolled"))
		Label(label + "_fold")
		if afterUnrolled != nil {
			afterUnrolled()
		}
	}
	Label(label + "_single")
	MOVQ(n, rem)
	SUBQ(i, rem)
	CMPQ(rem, U32(p.lanes))
	JL(LabelRef(label + "_tail"))
	body(i, nil, 0)
	ADDQ(U32(p.lanes), i)
	JMP(LabelRef(label + "_single"))
	Label(label + "_tail")
	MOVQ(n, rem)
	SUBQ(i, rem)
	JE(LabelRef(label + "_done"))
	maskMem := AllocLocal(32)
	p.MOVU(p.tailMask(rem), maskMem)
	body(i, maskMem, 0)
	Label(label + "_done")
}

// load reads a vector, or with a mask (in memory) only its selected lanes.
func (p *prec) load(m Mem, mask Op) VecVirtual {
	r := YMM()
	if mask == nil {
		p.MOVU(m, r)
	} else {
		p.MOVU(mask, r)
		p.MASKLOAD(m, r, r)
	}
	return r
}

// store writes a vector, or with a mask (in memory) only its selected lanes.
func (p *prec) store(r VecVirtual, m Mem, mask Op) {
	if mask == nil {
		p.MOVU(r, m)
	} else {
		k := YMM()
		p.MOVU(mask, k)
		p.MASKSTORE(r, k, m)
	}
}

func (p *prec) ptr(name string) GPVirtual {
	return Load(Param(name).Base(), GP64()).(GPVirtual)
}

func (p *prec) length(name string) GPVirtual {
	return Load(Param(name).Len(), GP64()).(GPVirtual)
}

func (p *prec) text(name string, params []string) {
	p.textFlags(name, params, NOSPLIT)
}

// textFlags is text with explicit TEXT flags: kernels whose frame exceeds
// the no-split limit (the block buffers of blockPasses) let the assembler
// insert the stack check instead of NOSPLIT.
func (p *prec) textFlags(name string, params []string, flags attr.Attribute) {
	p.stub(name, fmt.Sprintf("func(%s []%s)", strings.Join(params, ", "), p.ty()), flags)
}

// stub starts the assembly function of the kernel name (without precision
// suffix) with the Go signature sig: the unexported stub spec.Stub names,
// documented by spec.StubDoc, that only the checked function of package asm
// (gen/checked) calls. The assembly keeps no pointer: every stub is
// //go:noescape.
func (p *prec) stub(name, sig string, flags attr.Attribute) {
	TEXT(spec.Stub(name+p.name), flags, sig)
	Doc(spec.StubDoc(name + p.name)...)
	Pragma("noescape")
}

func (p *prec) genElementwise() {
	p.text(spec.Erf.Name(), spec.Erf.Params())
	{
		dst, x, n := p.ptr("dst"), p.ptr("x"), p.length("x")
		zero := GP64()
		XORQ(zero, zero)
		p.vectorLoop("erf", zero, n, 1, nil, func(i GPVirtual, mask Op, _ int) {
			v := p.load(p.at(x, i), mask)
			t := p.abs(v)
			p.MIN(p.c("expClamp"), t, t)
			r, _ := p.erfExpPos(t)
			p.copysign(r, v)
			p.store(r, p.at(dst, i), mask)
		})
		VZEROUPPER()
		RET()
	}

	p.text(spec.ExpNegSquare.Name(), spec.ExpNegSquare.Params())
	{
		dst, x, n := p.ptr("dst"), p.ptr("x"), p.length("x")
		zero := GP64()
		XORQ(zero, zero)
		p.vectorLoop("exp", zero, n, 1, nil, func(i GPVirtual, mask Op, _ int) {
			v := p.load(p.at(x, i), mask)
			t := p.abs(v)
			p.MIN(p.c("expClamp"), t, t)
			e := p.expNegSquare(t, "expTab")
			p.store(e, p.at(dst, i), mask)
		})
		VZEROUPPER()
		RET()
	}

	p.text(spec.PairTerms.Name(), spec.PairTerms.Params())
	{
		h, erf, ex, d, v, n := p.ptr("h"), p.ptr("erf"), p.ptr("ex"), p.ptr("d"), p.ptr("v"), p.length("d")
		zero := GP64()
		XORQ(zero, zero)
		p.vectorLoop("pair", zero, n, 1, nil, func(i GPVirtual, mask Op, _ int) {
			dv := p.load(p.at(d, i), mask)
			vv := p.load(p.at(v, i), mask)
			q, rq := p.scale(vv)
			ad := p.abs(dv)
			hv, r, _, t := p.pairCore(ad, q, rq)
			p.store(hv, p.at(h, i), mask)
			p.copysign(r, dv)
			p.store(r, p.at(erf, i), mask)
			e := p.expNegSquare(t, "expTab")
			p.store(e, p.at(ex, i), mask)
		})
		VZEROUPPER()
		RET()
	}
}

func (p *prec) genRowSums(kind spec.Rows) {
	name, params := kind.Sums()
	p.textFlags(name, params, 0)
	r := kind.Roles()
	var out, rm, rv, cw, cm, cv, rows, cols GPVirtual
	out = p.ptr("out")
	rows = p.length("out")
	rm, rv, cw = p.ptr(r.RM), p.ptr(r.RV), p.ptr(r.CW)
	switch kind {
	case spec.Cross:
		cm, cv = p.ptr(r.CM), p.ptr(r.CV)
	case spec.Self:
		cm, cv = rm, rv
	case spec.Dirac:
		cm = p.ptr(r.CM)
	}
	cols = p.length(r.Cols)
	// Per-row values and per-pair intermediates live on the stack so that the
	// pair computation fits in the sixteen YMM registers.
	miMem, viMem, qMem, rqMem := AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32)
	adMem := AllocLocal(32)
	i := GP64()
	XORQ(i, i)
	Label("row")
	CMPQ(i, rows)
	JGE(LabelRef("done"))
	{
		mi, vi := YMM(), YMM()
		p.BROADCAST(p.at(rm, i), mi)
		p.BROADCAST(p.at(rv, i), vi)
		p.MOVU(mi, miMem)
		p.MOVU(vi, viMem)
		if kind == spec.Dirac {
			qi, rqi := p.scale(vi)
			p.MOVU(qi, qMem)
			p.MOVU(rqi, rqMem)
		}
	}
	// One accumulator, updated in column order: the same order as the
	// gradient kernels, so their H rows equal these sums bit for bit. (The
	// pair computation is long enough that the FMA chain is not the limit.)
	const unroll = 2
	acc := YMM()
	p.XOR(acc, acc, acc)
	start := GP64()
	XORQ(start, start)
	if kind == spec.Self {
		LEAQ(Mem{Base: i, Disp: 1}, start)
	}
	// Whole blocks of columns first, in two passes (blockPasses), then the
	// remaining columns one or two vectors at a time.
	blk := p.blockPasses(start, cols, func(j GPVirtual, sl blockSlots) {
		ad := p.diff(miMem, p.load(p.at(cm, j), nil))
		p.AND(p.c("absMask"), ad, ad)
		p.MOVU(ad, sl.ad)
		rq := Op(rqMem)
		if kind != spec.Dirac {
			s := p.load(p.at(cv, j), nil)
			p.ADD(viMem, s, s)
			var q VecVirtual
			q, rq = p.scale(s)
			p.MOVU(q, sl.q)
		}
		t := p.reduce(ad, rq)
		p.MOVU(t, sl.t)
	}, func(j GPVirtual, sl blockSlots) {
		q := sl.q
		if kind == spec.Dirac {
			q = qMem
		}
		h, _, _ := p.pairCoreReduced(sl.ad, q, sl.t)
		p.FMADD231(p.at(cw, j), h, acc) // acc += h·w
	})
	p.vectorLoop("col", blk, cols, unroll, nil, func(j GPVirtual, mask Op, _ int) {
		ad := p.diff(miMem, p.load(p.at(cm, j), mask))
		p.AND(p.c("absMask"), ad, ad)
		p.MOVU(ad, adMem)
		if kind != spec.Dirac {
			s := p.load(p.at(cv, j), mask)
			p.ADD(viMem, s, s)
			q, rq := p.scale(s)
			p.MOVU(q, qMem)
			p.MOVU(rq, rqMem)
		}
		h, _, _, _ := p.pairCore(adMem, qMem, rqMem)
		if mask == nil {
			p.FMADD231(p.at(cw, j), h, acc) // acc += h·w
		} else {
			w := p.load(p.at(cw, j), mask)
			p.FMADD231(w, h, acc)
		}
	})
	p.hsum(acc)
	p.storeScalar(acc, p.at(out, i))
	INCQ(i)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

func (p *prec) genGrad(kind spec.Rows) {
	name, params := kind.Grad()
	p.textFlags(name, params, 0)
	// Slice pointers are loaded from the argument frame where they are used:
	// there are more of them than general-purpose registers.
	rh, rd, rr, ch, cd, cr := "rh", "rd", "rr", "ch", "cd", "cr"
	if kind == spec.Dirac {
		cr = ""
	}
	roles := kind.Roles()
	rw, rm, rv, cw, cm, cv, colsName := roles.RW, roles.RM, roles.RV, roles.CW, roles.CM, roles.CV, roles.Cols
	rows, cols := p.length("rh"), p.length(colsName)
	// Per-row values live in memory (broadcast copies on the stack) to leave
	// the sixteen YMM registers to the pair computation and the accumulators.
	miMem, viMem, wiMem, rqmMem := AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32)
	qMem, rqMem, adMem := AllocLocal(32), AllocLocal(32), AllocLocal(32)
	i := GP64()
	XORQ(i, i)
	Label("row")
	CMPQ(i, rows)
	JGE(LabelRef("done"))
	for _, c := range []struct {
		ptr string
		mem Mem
	}{{rm, miMem}, {rv, viMem}, {rw, wiMem}} {
		r := YMM()
		p.BROADCAST(p.at(p.ptr(c.ptr), i), r)
		p.MOVU(r, c.mem)
	}
	if kind == spec.Dirac {
		p.rowScale(viMem, qMem, rqMem, rqmMem)
	}
	sh, sd, sr := p.zeroSums()
	start := GP64()
	XORQ(start, start)
	if kind == spec.Self {
		LEAQ(Mem{Base: i, Disp: 1}, start)
	}
	// finish completes the pair terms of column vector j from h, erf, e2
	// and accumulates them (rqm: rq with 0 where q == 0).
	finish := func(j GPVirtual, mask Op, h, erf, e2 VecVirtual, rqm Op) {
		// Sign of d = mi − m, recomputed rather than kept in a register.
		sg := p.diff(miMem, p.load(p.at(p.ptr(cm), j), mask))
		p.copysign(erf, sg)
		p.MUL(rqm, e2, e2) // e2·rq, 0 where q == 0
		w := p.load(p.at(p.ptr(cw), j), mask)
		p.FMADD231(w, h, sh)
		p.FMADD231(w, erf, sd)
		p.FMADD231(w, e2, sr)
		for _, c := range []struct {
			ptr string
			val VecVirtual
		}{{ch, h}, {cd, erf}, {cr, e2}} {
			if c.ptr == "" {
				continue
			}
			ptr := p.ptr(c.ptr)
			acc := p.load(p.at(ptr, j), mask)
			p.FMADD231(wiMem, c.val, acc)
			p.store(acc, p.at(ptr, j), mask)
		}
	}
	// Whole blocks of columns first, in two passes (blockPasses; the
	// column sums are updated in column order as in the one-pass loop).
	blk := p.blockPasses(start, cols, func(j GPVirtual, sl blockSlots) {
		ad := p.diff(miMem, p.load(p.at(p.ptr(cm), j), nil))
		p.AND(p.c("absMask"), ad, ad)
		p.MOVU(ad, sl.ad)
		rq := Op(rqMem)
		if kind != spec.Dirac {
			s := p.load(p.at(p.ptr(cv), j), nil)
			p.ADD(viMem, s, s)
			var q VecVirtual
			q, rq = p.scale(s)
			p.MOVU(q, sl.q)
			p.storeMaskedRq(q, rq.(VecVirtual), sl.rqm)
		}
		t := p.reduce(ad, rq)
		p.MOVU(t, sl.t)
	}, func(j GPVirtual, sl blockSlots) {
		q, rqm := sl.q, sl.rqm
		if kind == spec.Dirac {
			q, rqm = qMem, rqmMem
		}
		h, erf, e2 := p.pairCoreReduced(sl.ad, q, sl.t)
		finish(j, nil, h, erf, e2, rqm)
	})
	p.vectorLoop("col", blk, cols, 1, nil, func(j GPVirtual, mask Op, _ int) {
		ad := p.diff(miMem, p.load(p.at(p.ptr(cm), j), mask))
		p.AND(p.c("absMask"), ad, ad)
		p.MOVU(ad, adMem)
		if kind != spec.Dirac {
			s := p.load(p.at(p.ptr(cv), j), mask)
			p.ADD(viMem, s, s)
			q, rq := p.scale(s)
			p.MOVU(q, qMem)
			p.MOVU(rq, rqMem)
			p.storeMaskedRq(q, rq, rqmMem)
		}
		h, erf, e2, _ := p.pairCore(adMem, qMem, rqMem)
		finish(j, mask, h, erf, e2, rqmMem)
	})
	for _, r := range []struct {
		acc VecVirtual
		ptr string
	}{{sh, rh}, {sd, rd}, {sr, rr}} {
		p.hsum(r.acc)
		p.storeScalar(r.acc, p.at(p.ptr(r.ptr), i))
	}
	INCQ(i)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// diff returns mi − m with mi a broadcast vector in memory.
func (p *prec) diff(miMem Mem, m VecVirtual) VecVirtual {
	d := YMM()
	p.MOVU(miMem, d)
	p.SUB(m, d, d)
	return d
}

// rowScale computes, for the row variances at viMem, the Dirac kernels'
// per-row scale q = √(2v) and 1/q once, and parks q, 1/q and the masked 1/q
// (storeMaskedRq) in their stack slots.
func (p *prec) rowScale(viMem, qMem, rqMem, rqmMem Mem) {
	vi := YMM()
	p.MOVU(viMem, vi)
	q, rq := p.scale(vi)
	p.MOVU(q, qMem)
	p.MOVU(rq, rqMem)
	p.storeMaskedRq(q, rq, rqmMem)
}

// zeroSums returns the three zeroed accumulators H, D, R of a gradient row.
func (p *prec) zeroSums() (sh, sd, sr VecVirtual) {
	sh, sd, sr = YMM(), YMM(), YMM()
	for _, a := range []VecVirtual{sh, sd, sr} {
		p.XOR(a, a, a)
	}
	return sh, sd, sr
}

// storeMaskedRq stores rq with the lanes where q == 0 set to 0.
func (p *prec) storeMaskedRq(q, rq VecVirtual, mem Mem) {
	z := YMM()
	p.CMPEQ(p.c("zero"), q, z)
	p.ANDN(rq, z, z)
	p.MOVU(z, mem)
}

// blockVectors is the number of vectors of columns per block of blockPasses.
const blockVectors = 16

// blockSlots are the stack slots of one column vector in a block of
// blockPasses: |d|, q, t and (gradients) rq with 0 where q == 0.
type blockSlots struct{ ad, q, t, rqm Mem }

// blockPasses emits a loop over whole blocks of blockVectors·lanes columns
// from start while they fit below n, and returns the register holding the
// first column it did not process. Each block takes two passes over its
// vectors: prepare(j, slots) computes the per-pair inputs of column vector
// j (|d|, q, t = reduce(|d|, 1/q)) and stores them to its slots; then
// finish(j, slots) reads them back and completes the pair terms in column
// order. The per-element operations and the order of the accumulation are
// those of the one-pass loop, so the results are the same bits; the split
// only shortens the dependency chain of each pass (the square root and the
// division of the first pass no longer delay the exponential and erf of the
// second), so that more vectors are in flight.
func (p *prec) blockPasses(start, n GPVirtual, prepare, finish func(j GPVirtual, sl blockSlots)) GPVirtual {
	bc := blockVectors * p.lanes
	var bufs [4]Mem
	for i := range bufs {
		bufs[i] = AllocLocal(bc * p.size)
	}
	j := GP64()
	MOVQ(start, j)
	Label("blk")
	rem := GP64()
	MOVQ(n, rem)
	SUBQ(j, rem)
	CMPQ(rem, U32(bc))
	JL(LabelRef("blk_done"))
	for pass, body := range []func(j GPVirtual, sl blockSlots){prepare, finish} {
		label := fmt.Sprintf("blk_pass%d", pass)
		k := GP64()
		XORQ(k, k)
		Label(label)
		jk := GP64()
		LEAQ(Mem{Base: j, Index: k, Scale: 1}, jk)
		var sl [4]Mem
		for i, b := range bufs {
			b.Index, b.Scale = k, uint8(p.size)
			sl[i] = b
		}
		body(jk, blockSlots{ad: sl[0], q: sl[1], t: sl[2], rqm: sl[3]})
		ADDQ(U32(p.lanes), k)
		CMPQ(k, U32(bc))
		JL(LabelRef(label))
	}
	ADDQ(U32(bc), j)
	JMP(LabelRef("blk"))
	Label("blk_done")
	return j
}
