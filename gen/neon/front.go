package main

import (
	"fmt"
	"strings"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The front end of a batch chunk (see purego.BatchFront64): one side's
// values checked against the limits and laid out in lanes, variances
// squared, in one pass over blocks of one vector of lanes (2 mixtures in
// float64, 4 in float32; the last block overlaps the one before it when n
// is not a multiple of the vector, and stores the same values again, ORs and
// ANDs not minding a value seen twice). For c = 1 a block is one vector of
// each input, loaded whole. For c > 1 the block's components are taken one
// at a time: every lane's element is loaded on its own from its mixture's
// row (a row pointer per lane, advanced by one element), which is the
// transposition, and the vectors of weights, means and squared stds are
// stored at i·n + l0, the store pointers advanced by a row of lanes. The
// checks run on each vector of stds, means and weights (as purego.FrontScan
// states them, with integer lane additions), and each lane's weight sum
// advances in float64 (float32 weights converted by FCVTL/FCVTL2) from the
// first component, then is compared with the tolerance. The checked
// function calls the assembly only with c ≥ 1 and n ≥ the lanes of a vector.

// General-purpose registers.
const (
	frDw   arm64.R = 0  // store pointer of dw (c > 1)
	frDm   arm64.R = 1  // store pointer of dm (c > 1)
	frDv   arm64.R = 2  // store pointer of dv
	frW    arm64.R = 3  // w
	frM    arm64.R = 4  // m
	frS    arm64.R = 5  // s
	frC    arm64.R = 6  // c
	frN    arm64.R = 7  // n
	frL0   arm64.R = 8  // first lane of the block
	frLast arm64.R = 9  // first lane of the last block: n − lanes
	frRs   arm64.R = 10 // bytes per mixture: c·size
	frNb   arm64.R = 11 // bytes per component row of lanes: n·size
	frCnt  arm64.R = 12 // components left
	frTmp  arm64.R = 13
	frRowW arm64.R = 14 // R14 … R17: row pointers of the weights (one per lane)
	frRowM arm64.R = 19 // R19 … R22: of the means
	frRowS arm64.R = 23 // R23 … R26: of the stds
)

// Vector registers.
const (
	fvOr      arm64.V = 0
	fvGt      arm64.V = 1
	fvBig     arm64.V = 2
	fvNoLossy arm64.V = 3
	fvSums    arm64.V = 4  // float64 lanes: all ones while every sum passes
	fvGtLim   arm64.V = 5  // the limits, one per lane
	fvGeSmall arm64.V = 6  //
	fvGeLossy arm64.V = 7  //
	fvOneInt  arm64.V = 8  // integer 1 per lane
	fvSign    arm64.V = 9  // the sign bit per lane
	fvOne     arm64.V = 10 // float64 1
	fvTol     arm64.V = 11 // float64 tolerance
	fvS       arm64.V = 12
	fvM       arm64.V = 13
	fvW       arm64.V = 14
	fvT       arm64.V = 15
	fvU       arm64.V = 16
	fvSum0    arm64.V = 17 // the weight sums of lanes 0, 1
	fvSum1    arm64.V = 18 // of lanes 2, 3 (float32)
	fvC0      arm64.V = 19 // converted weights
	fvC1      arm64.V = 20
)

// genFront emits BatchFront64 or BatchFront32.
func (g *gen) genFront(p *prec) {
	name := "BatchFront" + p.name
	g.fn = name
	stub := spec.Stub(name)
	doc := spec.Wrap(fmt.Sprintf("%s is the assembly of %s (front.go; see purego.%s), with lim the purego.FrontLimits and r the purego.FrontScan it fills. It trusts the lengths and integers it is given: only %s, which cuts every slice to the length used here and calls it only with c ≥ 1 and n ≥ %d, calls it.",
		stub, name, name, name, p.lanes), 76-len("// "))
	decl := fmt.Sprintf("dw, dm, dv, w, m, s []%s, c, n int, lim *[4]uint64, r *[5]uint64", p.ty)
	fmt.Fprintf(&g.stubs, "\n// %s\n//\n//go:noescape\nfunc %s(%s)\n", strings.Join(doc, "\n// "), stub, decl)
	g.Raw("")
	g.Raw("// func %s(%s)", stub, decl)
	g.Raw("TEXT ·%s(SB), NOSPLIT, $0-176", stub)
	a := p.arr

	// Limits and constants.
	g.Go("MOVD lim+160(FP), %s", frTmp)
	g.frontInit(p)

	g.Go("MOVD w_base+72(FP), %s", frW)
	g.Go("MOVD m_base+96(FP), %s", frM)
	g.Go("MOVD s_base+120(FP), %s", frS)
	g.Go("MOVD c+144(FP), %s", frC)
	g.Go("MOVD n+152(FP), %s", frN)
	g.Go("SUB $%d, %s, %s", p.lanes, frN, frLast)
	g.Go("LSL $%d, %s, %s", p.shift, frC, frRs)
	g.Go("LSL $%d, %s, %s", p.shift, frN, frNb)
	g.Go("MOVD $0, %s", frL0)
	g.Go("CMP $1, %s", frC)
	g.Go("BNE %s", g.ref("many"))

	// c = 1: whole vectors at l0.
	g.Go("MOVD dv_base+48(FP), %s", frDv)
	g.Label(g.label("one"))
	g.frontClamp()
	start := g.Count()
	g.frontLoadOne(p)
	g.Word(arm64.FMUL(a, fvT, fvS, fvS))
	g.Go("ADD %s, %s, %s", frTmp, frDv, frCnt)
	g.Go("VST1 [%s], (%s)", fvT.Go(a), frCnt)
	if p.f64 {
		g.VMov(fvC0, fvW)
		g.frontSumCheck(fvC0)
	} else {
		g.Word(arm64.FCVTL(fvC0, fvW))
		g.Word(arm64.FCVTL2(fvC1, fvW))
		g.frontSumCheck(fvC0)
		g.frontSumCheck(fvC1)
	}
	g.frontNext(p, "one")
	g.loop("c = 1, elements", start, p.lanes)
	g.Go("B %s", g.ref("done"))

	// c > 1: a component at a time, lanes loaded one by one.
	g.Label(g.label("many"))
	g.frontClamp()
	g.Go("MUL %s, %s, %s", frL0, frRs, frTmp) // l0·c·size
	for _, x := range []struct{ base, row arm64.R }{{frW, frRowW}, {frM, frRowM}, {frS, frRowS}} {
		g.Go("ADD %s, %s, %s", frTmp, x.base, x.row)
		for j := 1; j < p.lanes; j++ {
			g.Go("ADD %s, %s, %s", frRs, x.row+arm64.R(j-1), x.row+arm64.R(j))
		}
	}
	g.Go("LSL $%d, %s, %s", p.shift, frL0, frTmp)
	for _, x := range []struct {
		name string
		r    arm64.R
	}{{"dw_base+0", frDw}, {"dm_base+24", frDm}, {"dv_base+48", frDv}} {
		g.Go("MOVD %s(FP), %s", x.name, x.r)
		g.Go("ADD %s, %s, %s", frTmp, x.r, x.r)
	}
	g.frontComponent(p, true)
	g.Go("SUB $1, %s, %s", frC, frCnt)
	g.Label(g.label("comps"))
	g.Go("CBZ %s, %s", frCnt, g.ref("comps_done"))
	start = g.Count()
	g.frontComponent(p, false)
	g.Go("SUB $1, %s, %s", frCnt, frCnt)
	g.Go("B %s", g.ref("comps"))
	g.loop("c > 1, elements of a component", start, p.lanes)
	g.Label(g.label("comps_done"))
	g.frontSumCheck(fvSum0)
	if !p.f64 {
		g.frontSumCheck(fvSum1)
	}
	g.frontNext(p, "many")

	// The words, reduced over the lanes, to r.
	g.Label(g.label("done"))
	g.Go("MOVD r+168(FP), %s", frTmp)
	g.frontStore(p, 0)
	g.Go("RET")
}

// frontInit loads the limits (lim at frTmp) and the constants into their
// vectors and starts the words: Or and Gt at 0, the others all ones.
func (g *gen) frontInit(p *prec) {
	a := p.arr
	for i, v := range []arm64.V{fvGtLim, fvGeSmall, fvGeLossy} {
		g.Go("MOVD %d(%s), %s", 8*i, frTmp, frCnt)
		g.Go("VDUP %s, %s", frCnt, v.Go(a))
	}
	g.Go("MOVD 24(%s), %s", frTmp, frCnt)
	g.Go("VDUP %s, %s", frCnt, fvTol.Go(arm64.D2))
	g.Go("MOVD $1, %s", frCnt)
	g.Go("VDUP %s, %s", frCnt, fvOneInt.Go(a))
	sign := "0x8000000000000000"
	if !p.f64 {
		sign = "0x80000000"
	}
	g.Go("MOVD $%s, %s", sign, frCnt)
	g.Go("VDUP %s, %s", frCnt, fvSign.Go(a))
	g.Go("MOVD $0x3ff0000000000000, %s", frCnt)
	g.Go("VDUP %s, %s", frCnt, fvOne.Go(arm64.D2))
	g.VZero(fvOr)
	g.VZero(fvGt)
	g.Go("MOVD $-1, %s", frCnt)
	g.Go("VDUP %s, %s", frCnt, fvBig.Go(arm64.D2))
	g.VMov(fvNoLossy, fvBig)
	g.VMov(fvSums, fvBig)
}

// frontStore reduces the words over the lanes and stores them as a
// purego.FrontScan at off(frTmp).
func (g *gen) frontStore(p *prec, off int) {
	a := p.arr
	for i, x := range []struct {
		v     arm64.V
		and   bool
		arr   arm64.Arr
		lanes int
	}{{fvOr, false, a, p.lanes}, {fvGt, false, a, p.lanes}, {fvBig, true, a, p.lanes}, {fvNoLossy, true, a, p.lanes}, {fvSums, true, arm64.D2, 2}} {
		op := "ORR"
		if x.and {
			op = "AND"
		}
		g.ToGPR(x.arr, frCnt, x.v, 0)
		for lane := 1; lane < x.lanes; lane++ {
			g.ToGPR(x.arr, frRowW, x.v, lane)
			g.Go("%s %s, %s, %s", op, frRowW, frCnt, frCnt)
		}
		g.Go("MOVD %s, %d(%s)", frCnt, off+8*i, frTmp)
	}
}

// frontClamp sets l0 = min(l0, n − lanes): the last block ends at lane n.
func (g *gen) frontClamp() {
	g.Go("CMP %s, %s", frLast, frL0)
	g.Go("CSEL GT, %s, %s, %s", frLast, frL0, frL0)
}

// frontNext ends a block: done after the last one, else the next block.
func (g *gen) frontNext(p *prec, loop string) {
	g.Go("CMP %s, %s", frLast, frL0)
	g.Go("BGE %s", g.ref("done"))
	g.Go("ADD $%d, %s, %s", p.lanes, frL0, frL0)
	g.Go("B %s", g.ref(loop))
}

// frontCheck adds the vectors of stds (fvS), means (fvM) and weights (fvW)
// to the words (see purego.FrontScan); the three are left as they are.
func (g *gen) frontCheck(p *prec) {
	a := p.arr
	g.VORR(fvOr, fvOr, fvS)
	g.VORR(fvOr, fvOr, fvW)
	g.Word(arm64.BIC(fvT, fvM, fvSign)) // |m|
	g.VADD(a, fvU, fvT, fvGtLim)
	g.VORR(fvGt, fvGt, fvU)
	g.VADD(a, fvU, fvS, fvGtLim)
	g.VORR(fvGt, fvGt, fvU)
	g.VADD(a, fvU, fvT, fvGeSmall)
	g.VADD(a, fvT, fvS, fvGeSmall)
	g.VORR(fvU, fvU, fvT)
	g.VAND(fvBig, fvBig, fvU)
	g.VSUB(a, fvU, fvS, fvOneInt) // s − 1
	g.VADD(a, fvT, fvS, fvGeLossy)
	g.VORR(fvU, fvU, fvT)
	g.VAND(fvNoLossy, fvNoLossy, fvU)
}

// frontSumCheck ANDs into the sums word the lanes of the float64 sums v
// with |v − 1| ≤ tol (FCMGE: NaN fails); v is overwritten.
func (g *gen) frontSumCheck(v arm64.V) {
	g.Word(arm64.FSUB(arm64.D2, v, v, fvOne))
	g.Word(arm64.FABS(arm64.D2, v, v))
	g.Word(arm64.FCMGE(arm64.D2, v, fvTol, v))
	g.VAND(fvSums, fvSums, v)
}

// frontComponent emits one component of a block for c > 1: its lanes
// loaded from the row pointers, checked, stored (the variances squared),
// and its weights added to the lanes' sums (first: the sums start at them).
func (g *gen) frontComponent(p *prec, first bool) {
	a := p.arr
	for j := 0; j < p.lanes; j++ {
		g.VLD1LaneP(a, frRowW+arm64.R(j), fvW, j)
		g.VLD1LaneP(a, frRowM+arm64.R(j), fvM, j)
		g.VLD1LaneP(a, frRowS+arm64.R(j), fvS, j)
	}
	g.VST1PR(a, frDw, frNb, fvW)
	g.VST1PR(a, frDm, frNb, fvM)
	g.frontCheck(p)
	g.Word(arm64.FMUL(a, fvT, fvS, fvS))
	g.VST1PR(a, frDv, frNb, fvT)
	if p.f64 {
		if first {
			g.VMov(fvSum0, fvW)
		} else {
			g.Word(arm64.FADD(arm64.D2, fvSum0, fvSum0, fvW))
		}
		return
	}
	g.Word(arm64.FCVTL(fvC0, fvW))
	g.Word(arm64.FCVTL2(fvC1, fvW))
	if first {
		g.VMov(fvSum0, fvC0)
		g.VMov(fvSum1, fvC1)
	} else {
		g.Word(arm64.FADD(arm64.D2, fvSum0, fvSum0, fvC0))
		g.Word(arm64.FADD(arm64.D2, fvSum1, fvSum1, fvC1))
	}
}

// frontLoadOne loads the vectors of weights, means and stds of the lanes
// from l0 of a side of one component per mixture (already in lane order;
// frTmp keeps l0's byte offset) and checks them (frontCheck).
func (g *gen) frontLoadOne(p *prec) {
	g.Go("LSL $%d, %s, %s", p.shift, frL0, frTmp)
	for _, x := range []struct {
		base arm64.R
		v    arm64.V
	}{{frW, fvW}, {frM, fvM}, {frS, fvS}} {
		g.Go("ADD %s, %s, %s", frTmp, x.base, frCnt)
		g.VLD1(p.arr, frCnt, x.v)
	}
	g.frontCheck(p)
}
