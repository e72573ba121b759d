package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The batches of single Gaussians (see purego.BatchGaussianGrad64): n
// mixture pairs of one component on both sides, lane l of every slice
// holding pair l. Each kernel first scans both sides as BatchFront does for
// one component (frontCheckLoop, without the variances: the pair terms
// square the stds themselves), then runs over groups of up to gaussGroup
// vectors of consecutive lanes in three passes, each over the group's
// vectors, with stack slots between them:
//
//  1. the variances, the scale q = √(2(σa² + σb²)), 1/q, d = μa − μb, |d| and
//     the reduced argument t (the square root and the division);
//  2. the pair term (pairCoreReduced; for the gradient also sign(d)·erf and
//     e2·rq) and its one-FMA row and column sums fma(b, ·, +0) and
//     fma(a, ·, +0), in the kernel's precision;
//  3. the combination in float64 (float32 inputs and sums converted, four
//     lanes per block, two blocks per float32 vector): the value of
//     valuesOne (BatchPairValues for one component per side), its rounding
//     and the first lane that underflows (finishValuesKeep), and the six
//     derivatives of gradTerms (BatchSideGrad for one component, signs +1
//     for p and −1 for q).
//
// Every lane thus runs purego's operations in purego's order, the passes
// only reorder the independent work of different lanes. The lanes past the
// last whole vector take one more vector that ends at lane n − 1 and
// overlaps the one before it: its lanes get the same bits again, and since
// the lanes are done in ascending order the first lane that underflows is
// still the first. The checked functions (asm/gaussian_amd64.go) call the
// assembly only with at least one whole vector of lanes (purego otherwise),
// so no access leaves the slices.

// gaussGroup is the largest number of vectors of lanes per group.
const gaussGroup = 16

// gaussSign holds float64 +1 and −1 in every lane: the signs of the mean
// derivatives of p and q.
var gaussSign [2]Mem

// declareGaussian declares the constants of the Gaussian kernels.
func declareGaussian() {
	for i, c := range []struct {
		name string
		x    float64
	}{{"gaussPlusOne", 1}, {"gaussMinusOne", -1}} {
		m := GLOBL(c.name, RODATA|NOPTR)
		for off := 0; off < 32; off += 8 {
			DATA(off, U64(math.Float64bits(c.x)))
		}
		gaussSign[i] = m
	}
}

// gaussSlots are the stack slots of a group, indexed by the element offset
// of a vector in the group: d, |d|, q, t and 1/q with 0 where q = 0 (pass
// 1 to 2), the row sums H, D, R of p (from q's weights) and the column sums
// H, D, R of q (from p's weights) (pass 2 to 3; the values need H of p
// only).
type gaussSlots struct {
	d, ad, q, t, rqm Mem
	sums             [2][3]Mem
}

// genGaussian emits BatchGaussianValues (grad false) or BatchGaussianGrad of
// the precision.
func (p *prec) genGaussian(grad bool) {
	name := "BatchGaussianValues" + p.name
	outs := ""
	if grad {
		name = "BatchGaussianGrad" + p.name
		outs = fmt.Sprintf("gpw, gpm, gps, gqw, gqm, gqs []%s, ", p.ty())
	}
	// The group slots exceed the no-split frame limit: no NOSPLIT.
	TEXT(spec.Stub(name), 0, fmt.Sprintf("func(out []%s, under *int, %swa, ma, sa, wb, mb, sb []%s, n int, lim *[4]uint64, r *[10]uint64)", p.ty(), outs, p.ty()))
	Doc(spec.Wrap(fmt.Sprintf("%s is the assembly of %s (gaussian.go; see purego.%s), with under the first element of purego's under, lim the purego.FrontLimits and r the two purego.FrontScan it fills (p's, q's). It trusts the lengths and integers it is given: only %s, which cuts every slice to the length used here and calls it only with n ≥ %d, calls it.",
		spec.Stub(name), name, name, name, p.lanes), 76-len("// "))...)
	Pragma("noescape")

	// The scans of p and q (BatchFront for one component).
	a := p.frontLimits()
	for side, s := range []string{"a", "b"} {
		a.init()
		nc := GP64()
		MOVQ(p.intParam("n"), nc)
		SUBQ(Imm(uint64(p.lanes)), nc) // the start of the last vector
		p.frontCheckLoop(&a, true, "_"+s, nc, p.ptr("s"+s), p.ptr("m"+s), p.ptr("w"+s), nil)
		p.frontResult(&a, Mem{Base: Load(Param("r"), GP64()), Disp: 40 * side})
	}

	buf := func() Mem { return AllocLocal(gaussGroup * 32) }
	var sl gaussSlots
	sl.ad, sl.q, sl.t = buf(), buf(), buf()
	nsums := 1
	if grad {
		sl.d, sl.rqm = buf(), buf()
		nsums = 3
	}
	for side := range sl.sums {
		if side == 1 && !grad {
			break
		}
		for u := range nsums {
			sl.sums[side][u] = buf()
		}
	}
	at := func(b Mem, k GPVirtual) Mem { return slotAt(b, k, p.size) }
	// elem returns the element index g0 + k of vector k of the group.
	elem := func(g0, k GPVirtual) GPVirtual {
		x := GP64()
		LEAQ(Mem{Base: g0, Index: k, Scale: 1}, x)
		return x
	}
	in := func(name string, x GPVirtual) Mem { return p.at(p.ptr(name), x) }

	first := GP64() // the first lane whose value underflows, or −1
	MOVQ(I64(-1), first)
	g0 := GP64()
	XORQ(g0, g0)
	Label("gauss_grp")
	// cnt = min(gaussGroup·lanes, the lanes of the whole vectors left); with
	// less than a vector left, the last vector (from n − lanes).
	cnt := GP64()
	MOVQ(p.intParam("n"), cnt)
	SUBQ(g0, cnt)
	JE(LabelRef("gauss_done"))
	CMPQ(cnt, U32(p.lanes))
	JGE(LabelRef("gauss_whole"))
	MOVQ(p.intParam("n"), g0)
	SUBQ(U32(p.lanes), g0)
	MOVQ(U32(p.lanes), cnt)
	Label("gauss_whole")
	ANDQ(I32(-p.lanes), cnt)
	CMPQ(cnt, U32(gaussGroup*p.lanes))
	JLE(LabelRef("gauss_cnt"))
	MOVQ(U32(gaussGroup*p.lanes), cnt)
	Label("gauss_cnt")

	// Pass 1: the scales and reduced arguments.
	gaussPass("gauss_pass1", p.lanes, cnt, func(k GPVirtual) {
		x := elem(g0, k)
		v := p.load(in("sa", x), nil)
		p.MUL(v, v, v)
		vb := p.load(in("sb", x), nil)
		p.MUL(vb, vb, vb)
		p.ADD(vb, v, v) // σa² + σb²
		q, rq := p.scale(v)
		p.MOVU(q, at(sl.q, k))
		if grad {
			p.storeMaskedRq(q, rq, at(sl.rqm, k))
		}
		d := p.load(in("ma", x), nil)
		p.SUB(in("mb", x), d, d) // d = μa − μb
		if grad {
			p.MOVU(d, at(sl.d, k))
		}
		ad := YMM()
		p.AND(p.c("absMask"), d, ad)
		p.MOVU(ad, at(sl.ad, k))
		t := p.reduce(ad, rq)
		p.MOVU(t, at(sl.t, k))
	})

	// Pass 2: the pair terms and their sums fma(weight, term, +0).
	gaussPass("gauss_pass2", p.lanes, cnt, func(k GPVirtual) {
		h, erf, e2 := p.pairCoreReduced(at(sl.ad, k), at(sl.q, k), at(sl.t, k))
		terms := []VecVirtual{h}
		if grad {
			sg := YMM()
			p.MOVU(at(sl.d, k), sg)
			p.copysign(erf, sg)
			p.MUL(at(sl.rqm, k), e2, e2) // e2·rq, 0 where q == 0
			terms = append(terms, erf, e2)
		}
		x := elem(g0, k)
		zero := YMM()
		p.MOVU(p.c("zero"), zero)
		for side, wn := range []string{"wb", "wa"} {
			if side == 1 && !grad {
				break
			}
			w := p.load(in(wn, x), nil)
			for u, term := range terms {
				acc := YMM()
				p.MOVU(zero, acc)
				p.FMADD231(w, term, acc) // acc = term·w + 0
				p.MOVU(acc, at(sl.sums[side][u], k))
			}
		}
	})

	// Pass 3: the values and derivatives in float64.
	gaussPass("gauss_pass3", p.lanes, cnt, func(k GPVirtual) {
		w := lanes{p, true, p.lanes / 4}
		x := elem(g0, k)
		// sum returns the sums of block b from slot s.
		sum := func(s Mem, b int) VecVirtual {
			m := at(s, k)
			m.Disp += w.disp(b, p.size)
			r := w.reg()
			if p.f64 {
				VMOVUPD(m, r)
			} else {
				VCVTPS2PD(m, r)
			}
			return r
		}
		w.valuesOne(x, first, "gauss", func(b int) VecVirtual { return sum(sl.sums[0][0], b) }, false)
		if !grad {
			return
		}
		for b := range w.blocks() {
			for side, s := range []string{"a", "b"} {
				sums := sl.sums[side]
				ld := func(u int) func() VecVirtual { return func() VecVirtual { return sum(sums[u], b) } }
				sg := w.reg()
				VMOVUPD(gaussSign[side], sg)
				w.gradTerms(w.loadB(arg("w"+s), x, b), w.loadB(arg("s"+s), x, b), w.zero(), w.zero(), w.zero(), sg, ld(0), ld(1), ld(2),
					func(gw, gm, gs VecVirtual) {
						g := "gp"
						if side == 1 {
							g = "gq"
						}
						w.storeOutB(gw, arg(g+"w"), x, b)
						w.storeOutB(gm, arg(g+"m"), x, b)
						w.storeOutB(gs, arg(g+"s"), x, b)
					})
			}
		}
	})
	ADDQ(cnt, g0)
	JMP(LabelRef("gauss_grp"))
	Label("gauss_done")
	MOVQ(first, Mem{Base: Load(Param("under"), GP64())})
	VZEROUPPER()
	RET()
}

// gaussPass emits `for k := 0; k < cnt; k += lanes { body(k) }` (cnt > 0).
func gaussPass(label string, lanes int, cnt GPVirtual, body func(k GPVirtual)) {
	k := GP64()
	XORQ(k, k)
	Label(label)
	body(k)
	ADDQ(U32(lanes), k)
	CMPQ(k, cnt)
	JL(LabelRef(label))
}
