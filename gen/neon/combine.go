package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The batch combination kernels (see purego.BatchSideGrad64 and
// purego.BatchPairValues64): the per-lane back end of a batch. The lanes
// of the pairs are independent, so the code takes them in blocks of two
// float64 lanes per vector (float32 inputs widened with FCVTL, float32
// results narrowed with FCVTN, one rounding), running purego's operations
// in purego's order, unfused (the only fused instruction is the FMLA of
// the product error fma(a, x, −p) that purego computes with math.FMA). The
// elements of a lane's mixture (stds, weights and derivatives at l·c+i) are
// loaded and stored lane by lane with a post-index by c elements, which is
// the transposition; the row sums (at i·n+l) are loaded as one vector. An
// odd last lane runs the same instructions with lane 0 alone loaded and
// stored (the other lane holds +0 and is never stored), so nothing past
// the slices is touched and n may be any number ≥ 1.

// diagFactor and invSqrtPi are purego's 2/√π and 1/√π, rounded to float64.
const (
	diagFactor = 2 / math.SqrtPi
	invSqrtPi  = 1 / math.SqrtPi
)

// Vector constants of the combination kernels (float64, every lane).
const (
	cvZero arm64.V = 28 // +0
	cvDiag arm64.V = 29 // 2/√π
	cvC1   arm64.V = 30 // BatchSideGrad: 1/√π; BatchPairValues: 0.5
	cvC2   arm64.V = 31 // BatchSideGrad: float64(sign); BatchPairValues: 2⁻⁵⁰
)

// combineDup sets every float64 lane of v to x.
func (g *gen) combineDup(v arm64.V, x float64, tmp arm64.R) {
	g.Go("MOVD $0x%016x, %s", math.Float64bits(x), tmp)
	g.Go("VDUP %s, %s", tmp, v.Go(arm64.D2))
}

// combineLoadRow loads lanes lanes (1 or 2) of row sums at (r) as float64
// lanes of v (float32 widened) and advances r past them. With one lane, v
// is zeroed first.
func (g *gen) combineLoadRow(p *prec, v arm64.V, r arm64.R, lanes int) {
	switch {
	case lanes == 2 && p.f64:
		g.VLD1P(arm64.D2, r, v)
	case lanes == 2:
		g.VLD1LaneP(arm64.D2, r, v, 0) // two float32
		g.Word(arm64.FCVTL(v, v))
	default:
		g.VZero(v)
		g.VLD1LaneP(p.arr, r, v, 0)
		if !p.f64 {
			g.Word(arm64.FCVTL(v, v))
		}
	}
}

// combineLoadRowInc is combineLoadRow advancing r by inc instead (the next
// component's row of the same lanes).
func (g *gen) combineLoadRowInc(p *prec, v arm64.V, r, inc arm64.R, lanes int) {
	switch {
	case lanes == 2 && p.f64:
		g.VLD1PR(arm64.D2, r, inc, v)
	case lanes == 2:
		g.VLD1LanePR(arm64.D2, r, inc, v, 0) // two float32
		g.Word(arm64.FCVTL(v, v))
	default:
		g.VZero(v)
		g.VLD1LanePR(p.arr, r, inc, v, 0)
		if !p.f64 {
			g.Word(arm64.FCVTL(v, v))
		}
	}
}

// combineLoadMix loads one element per lane, lane j from the mixture of
// lane j (r advanced by inc after each), as float64 lanes of v. With one
// lane, v is zeroed first.
func (g *gen) combineLoadMix(p *prec, v arm64.V, r, inc arm64.R, lanes int) {
	if lanes == 1 {
		g.VZero(v)
	}
	for j := 0; j < lanes; j++ {
		g.VLD1LanePR(p.arr, r, inc, v, j)
	}
	if !p.f64 {
		g.Word(arm64.FCVTL(v, v))
	}
}

// combineStoreMix stores the float64 lanes of v (float32: narrowed into
// tmp) one per lane's mixture, r advanced by inc after each.
func (g *gen) combineStoreMix(p *prec, v, tmp arm64.V, r, inc arm64.R, lanes int) {
	if !p.f64 {
		g.Word(arm64.FCVTN(tmp, v))
		v = tmp
	}
	for j := 0; j < lanes; j++ {
		g.VST1LanePR(p.arr, r, inc, v, j)
	}
}

// General-purpose registers of BatchSideGrad.
var (
	sgMix = [5]arm64.R{0, 1, 2, 3, 4}                 // gw, gm, gs, w, s: lane l of component i at l·c+i
	sgRow = [9]arm64.R{5, 6, 7, 8, 9, 10, 11, 12, 13} // xh, xd, xr, rh, rd, rr, kh, kd, kr: at i·n+l
)

const (
	sgInc    arm64.R = 14 // c elements in bytes
	sgRewind arm64.R = 15 // (c·n − 1) elements in bytes
	sgI      arm64.R = 16 // components left
	sgL      arm64.R = 17 // lanes left in the row
	sgTmp    arm64.R = 19
)

// genSideGrad emits BatchSideGrad64 or BatchSideGrad32: component by
// component (i), a block of two lanes at a time, every derivative as
// purego.BatchSideGrad64 writes it. c = 1 (no self sums: +0 each) has a
// loop of its own; c = 0 returns at once.
func (g *gen) genSideGrad(p *prec) {
	name := "BatchSideGrad" + p.name
	var params []param
	for _, s := range []string{"gw", "gm", "gs", "w", "s", "xh", "xd", "xr", "rh", "rd", "rr", "kh", "kd", "kr"} {
		params = append(params, param{s, true})
	}
	params = append(params, param{"sign", false}, param{"c", false}, param{"n", false})
	off := g.text(name, p, params...)
	for i, s := range []string{"gw", "gm", "gs", "w", "s"} {
		g.arg(off, s, sgMix[i])
	}
	for i, s := range []string{"xh", "xd", "xr", "rh", "rd", "rr", "kh", "kd", "kr"} {
		g.arg(off, s, sgRow[i])
	}
	g.combineDup(cvZero, 0, sgTmp)
	g.combineDup(cvDiag, diagFactor, sgTmp)
	g.combineDup(cvC1, invSqrtPi, sgTmp)
	g.argInt(off, "sign", sgTmp)
	g.Go("SCVTFD %s, F%d", sgTmp, cvC2)
	g.VDUPLane(arm64.D2, cvC2, cvC2, 0)
	g.argInt(off, "c", sgI)
	g.Go("CBZ %s, %s", sgI, g.ref("zero")) // no component: nothing to do
	g.Go("LSL $%d, %s, %s", p.shift, sgI, sgInc)
	g.argInt(off, "n", sgL)
	g.Go("MUL %s, %s, %s", sgL, sgI, sgRewind)
	g.Go("SUB $1, %s", sgRewind)
	g.Go("LSL $%d, %s", p.shift, sgRewind)
	g.Go("CMP $1, %s", sgI)
	g.Go("BEQ %s", g.ref("one"))
	g.sideGradLoop(p, off, true, "many")
	g.Label(g.label("one"))
	g.sideGradLoop(p, off, false, "one")
	g.Label(g.label("zero"))
	g.Go("RET")
}

// sideGradLoop emits the loop over the components and the lanes (self:
// the rows and columns of the self sums are read, c > 1).
func (g *gen) sideGradLoop(p *prec, off map[string]int, self bool, tag string) {
	g.Label(g.label(tag + "_row"))
	g.argInt(off, "n", sgL)
	g.Label(g.label(tag + "_lanes"))
	start := g.Count()
	g.Go("CMP $2, %s", sgL)
	g.Go("BLT %s", g.ref(tag+"_tail"))
	g.sideGradBody(p, self, 2)
	g.Go("SUB $2, %s", sgL)
	g.Go("B %s", g.ref(tag+"_lanes"))
	g.loop(fmt.Sprintf("c %s, lanes", map[bool]string{true: "> 1", false: "= 1"}[self]), start, 2)
	g.Label(g.label(tag + "_tail"))
	g.Go("CBZ %s, %s", sgL, g.ref(tag+"_next"))
	g.sideGradBody(p, self, 1)
	g.Label(g.label(tag + "_next"))
	for _, r := range sgMix {
		g.Go("SUB %s, %s", sgRewind, r)
	}
	g.Go("SUB $1, %s", sgI)
	g.Go("CBNZ %s, %s", sgI, g.ref(tag+"_row"))
	g.Go("RET")
}

// sideGradBody emits the derivatives of lanes lanes (1 or 2) of one
// component:
//
//	gw = H − (selfH + a·(σ·2/√π))
//	gm = a·(sign·D − selfD)
//	gs = a·(σ·(R − selfR) − a·(1/√π)), +0 unless σ > 0
//
// with selfH = rows.H + cols.H, selfD = rows.D − cols.D, selfR = rows.R +
// cols.R when self, else +0 each.
func (g *gen) sideGradBody(p *prec, self bool, lanes int) {
	d2 := arm64.D2
	const (
		a, sd, t, u, v, tmp arm64.V = 0, 1, 2, 3, 4, 5
	)
	gw, gm, gs, w, s := sgMix[0], sgMix[1], sgMix[2], sgMix[3], sgMix[4]
	xh, xd, xr, rh, rd, rr, kh, kd, kr := sgRow[0], sgRow[1], sgRow[2], sgRow[3], sgRow[4], sgRow[5], sgRow[6], sgRow[7], sgRow[8]
	g.combineLoadMix(p, a, w, sgInc, lanes)
	g.combineLoadMix(p, sd, s, sgInc, lanes)
	// self: the self sums of the lanes, else +0.
	selfSum := func(dst arm64.V, r0, r1 arm64.R, sub bool) arm64.V {
		if !self {
			return cvZero
		}
		g.combineLoadRow(p, dst, r0, lanes)
		g.combineLoadRow(p, tmp, r1, lanes)
		if sub {
			g.Word(arm64.FSUB(d2, dst, dst, tmp))
		} else {
			g.Word(arm64.FADD(d2, dst, dst, tmp))
		}
		return dst
	}
	// gw
	g.Word(arm64.FMUL(d2, t, sd, cvDiag))
	g.Word(arm64.FMUL(d2, t, a, t))
	g.Word(arm64.FADD(d2, t, selfSum(u, rh, kh, false), t))
	g.combineLoadRow(p, v, xh, lanes)
	g.Word(arm64.FSUB(d2, t, v, t))
	g.combineStoreMix(p, t, tmp, gw, sgInc, lanes)
	// gm
	g.combineLoadRow(p, v, xd, lanes)
	g.Word(arm64.FMUL(d2, t, cvC2, v))
	g.Word(arm64.FSUB(d2, t, t, selfSum(u, rd, kd, true)))
	g.Word(arm64.FMUL(d2, t, a, t))
	g.combineStoreMix(p, t, tmp, gm, sgInc, lanes)
	// gs
	g.combineLoadRow(p, v, xr, lanes)
	g.Word(arm64.FSUB(d2, t, v, selfSum(u, rr, kr, false)))
	g.Word(arm64.FMUL(d2, t, sd, t))
	g.Word(arm64.FMUL(d2, u, a, cvC1))
	g.Word(arm64.FSUB(d2, t, t, u))
	g.Word(arm64.FMUL(d2, t, a, t))
	g.Word(arm64.FCMGT(d2, u, sd, cvZero))
	g.VAND(t, t, u)
	g.combineStoreMix(p, t, tmp, gs, sgInc, lanes)
}

// General-purpose registers of BatchPairValues.
const (
	pvOut   arm64.R = 0 // out, vals, cross: the block's lanes
	pvVals  arm64.R = 1
	pvCross arm64.R = 2
	pvWa    arm64.R = 3 // wa, cr, sa, sp, wb, sb, sq: the block's first lane, component 0
	pvCr    arm64.R = 4
	pvSa    arm64.R = 5
	pvSp    arm64.R = 6
	pvWb    arm64.R = 7
	pvSb    arm64.R = 8
	pvSq    arm64.R = 9
	pvK     arm64.R = 10
	pvM     arm64.R = 11
	pvNsz   arm64.R = 12 // n elements in bytes: the next component's row
	pvKinc  arm64.R = 13 // k elements in bytes: the next lane's mixture
	pvKback arm64.R = 14 // one element less k elements, in bytes
	pvMinc  arm64.R = 15
	pvMback arm64.R = 16
	pvL0    arm64.R = 17 // first lane of the block
	pvN     arm64.R = 19
	pvTa    arm64.R = 20 // the component loop's pointers
	pvTx    arm64.R = 21
	pvTs    arm64.R = 22
	pvCnt   arm64.R = 23 // components left
	pvTmp   arm64.R = 24
	pvUnder arm64.R = 25
	pvTmp2  arm64.R = 26
)

// Vector registers of BatchPairValues: the sums (s, compensation) of the
// cross sum and the two self sums, and working registers from V6.
const (
	pvCs, pvCc, pvPs, pvPc, pvQs, pvQc arm64.V = 0, 1, 2, 3, 4, 5
)

// genPairValues emits BatchPairValues64 or BatchPairValues32: blocks of two
// lanes, then an odd last lane; in each, the cross sum and the two self
// sums over the components (loops of their own; a side of one component
// has its own code), then the value, the stores and the under mask.
func (g *gen) genPairValues(p *prec) {
	name := "BatchPairValues" + p.name
	g.fn = name
	stub := spec.Stub(name)
	off := map[string]int{}
	frame := 0
	for _, s := range []string{"out", "under", "vals", "cross", "wa", "cr", "sa", "sp", "wb", "sb", "sq"} {
		off[s] = frame
		frame += 24
	}
	for _, s := range []string{"k", "m", "n"} {
		off[s] = frame
		frame += 8
	}
	decl := fmt.Sprintf("out []%s, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []%s, k, m, n int", p.ty, p.ty)
	fmt.Fprintf(&g.stubs, "\n// %s\n//\n//go:noescape\nfunc %s(%s)\n", strings.Join(spec.StubDoc(name), "\n// "), stub, decl)
	g.Raw("")
	g.Raw("// func %s(%s)", stub, decl)
	g.Raw("TEXT ·%s(SB), NOSPLIT, $0-%d", stub, frame)
	for _, x := range []struct {
		s string
		r arm64.R
	}{{"out", pvOut}, {"vals", pvVals}, {"cross", pvCross}, {"wa", pvWa}, {"cr", pvCr}, {"sa", pvSa}, {"sp", pvSp},
		{"wb", pvWb}, {"sb", pvSb}, {"sq", pvSq}, {"under", pvUnder}} {
		g.arg(off, x.s, x.r)
	}
	g.Go("MOVD $-1, %s", pvTmp)
	g.Go("MOVD %s, (%s)", pvTmp, pvUnder)
	g.combineDup(cvZero, 0, pvTmp)
	g.combineDup(cvDiag, diagFactor, pvTmp)
	g.combineDup(cvC1, 0.5, pvTmp)
	g.combineDup(cvC2, 0x1p-50, pvTmp)
	g.argInt(off, "k", pvK)
	g.argInt(off, "m", pvM)
	g.argInt(off, "n", pvN)
	g.Go("LSL $%d, %s, %s", p.shift, pvN, pvNsz)
	for _, x := range []struct{ c, inc, back arm64.R }{{pvK, pvKinc, pvKback}, {pvM, pvMinc, pvMback}} {
		g.Go("LSL $%d, %s, %s", p.shift, x.c, x.inc)
		g.Go("MOVD $%d, %s", p.size, x.back)
		g.Go("SUB %s, %s", x.inc, x.back)
	}
	g.Go("MOVD ZR, %s", pvL0)
	g.Label(g.label("block"))
	g.Go("SUB %s, %s, %s", pvL0, pvN, pvTmp)
	g.Go("CMP $2, %s", pvTmp)
	g.Go("BLT %s", g.ref("tail"))
	g.pairValuesBody(p, 2, "b")
	for _, r := range []arm64.R{pvWa, pvCr, pvSp, pvWb, pvSq} {
		g.Go("ADD $%d, %s", 2*p.size, r)
	}
	for _, x := range []struct{ r, inc arm64.R }{{pvSa, pvKinc}, {pvSb, pvMinc}} {
		g.Go("ADD %s<<1, %s", x.inc, x.r)
	}
	g.Go("ADD $2, %s", pvL0)
	g.Go("B %s", g.ref("block"))
	g.Label(g.label("tail"))
	g.Go("CBZ %s, %s", pvTmp, g.ref("done"))
	g.pairValuesBody(p, 1, "t")
	g.Label(g.label("done"))
	g.Go("RET")
	g.pairValuesUnder(p, 2, "b")
	g.pairValuesUnder(p, 1, "t")
}

// pvLoadMix loads one element per lane from the lanes' mixtures at (r), as
// float64 lanes of v, and leaves r at the next element of lane 0's mixture
// (two lanes: advanced by inc, then by back = one element − inc).
func (g *gen) pvLoadMix(p *prec, v arm64.V, r, inc, back arm64.R, lanes int) {
	if lanes == 2 {
		g.VLD1LanePR(p.arr, r, inc, v, 0)
		g.VLD1LanePR(p.arr, r, back, v, 1)
	} else {
		g.VZero(v)
		g.VLD1LaneP(p.arr, r, v, 0)
	}
	if !p.f64 {
		g.Word(arm64.FCVTL(v, v))
	}
}

// ksum emits one compensated step (s, comp) ← (s + f, comp + ((s − (t −
// b)) + (f − b))), b = t − s, with the new sum in t (u, b working).
func (g *gen) ksum(s, comp, f, t, b, u arm64.V) {
	d2 := arm64.D2
	g.Word(arm64.FADD(d2, t, s, f))
	g.Word(arm64.FSUB(d2, b, t, s))
	g.Word(arm64.FSUB(d2, u, t, b))
	g.Word(arm64.FSUB(d2, u, s, u))
	g.Word(arm64.FSUB(d2, b, f, b))
	g.Word(arm64.FADD(d2, u, u, b))
	g.Word(arm64.FADD(d2, comp, comp, u))
}

// pairValuesBody emits the value of lanes lanes (1 or 2) at the block's
// pointers (labels with tag); the pointers of the block are left as they
// are, the output pointers advanced past the lanes.
func (g *gen) pairValuesBody(p *prec, lanes int, tag string) {
	d2 := arm64.D2
	const (
		a, x, f, t, b, u, e arm64.V = 6, 7, 8, 9, 10, 11, 12
	)
	count := tag == "b" // record the component loops
	// The cross sum.
	g.Go("MOVD %s, %s", pvWa, pvTa)
	g.Go("MOVD %s, %s", pvCr, pvTx)
	g.Go("MOVD %s, %s", pvK, pvCnt)
	g.VZero(pvCs)
	if p.f64 {
		g.VZero(pvCc)
		g.Go("CMP $1, %s", pvK)
		g.Go("BEQ %s", g.ref(tag+"_cross1"))
	}
	g.Label(g.label(tag + "_cross"))
	start := g.Count()
	g.Go("CBZ %s, %s", pvCnt, g.ref(tag+"_cross_done"))
	g.combineLoadRowInc(p, a, pvTa, pvNsz, lanes)
	g.combineLoadRowInc(p, x, pvTx, pvNsz, lanes)
	g.Word(arm64.FMUL(d2, f, a, x))
	if p.f64 {
		// p = a·x; TwoSum; cc += fma(a, x, −p); cs = t.
		g.ksum(pvCs, pvCc, f, t, b, u)
		g.Word(arm64.FNEG(d2, e, f))
		g.VFMLA(d2, e, a, x)
		g.Word(arm64.FADD(d2, pvCc, pvCc, e))
		g.VMov(pvCs, t)
	} else {
		g.Word(arm64.FADD(d2, pvCs, pvCs, f))
	}
	g.Go("SUB $1, %s", pvCnt)
	g.Go("B %s", g.ref(tag+"_cross"))
	if count {
		g.loop("cross sum, a component", start, 2)
	}
	if p.f64 {
		// One component: cs = 0 + a·x, uncompensated.
		g.Label(g.label(tag + "_cross1"))
		g.combineLoadRow(p, a, pvTa, lanes)
		g.combineLoadRow(p, x, pvTx, lanes)
		g.Word(arm64.FMUL(d2, f, a, x))
		g.Word(arm64.FADD(d2, pvCs, cvZero, f))
	}
	g.Label(g.label(tag + "_cross_done"))

	// The self sums of p and q.
	for side, x0 := range []struct {
		w, sd, sp, c, inc, back arm64.R
		s, comp                 arm64.V
	}{{pvWa, pvSa, pvSp, pvK, pvKinc, pvKback, pvPs, pvPc}, {pvWb, pvSb, pvSq, pvM, pvMinc, pvMback, pvQs, pvQc}} {
		sfx := fmt.Sprintf("%s_self%d", tag, side)
		g.Go("MOVD %s, %s", x0.w, pvTa)
		g.Go("MOVD %s, %s", x0.sd, pvTs)
		g.Go("MOVD %s, %s", x0.sp, pvTx)
		g.Go("MOVD %s, %s", x0.c, pvCnt)
		g.VZero(x0.s)
		if p.f64 {
			g.VZero(x0.comp)
		}
		g.Go("CMP $1, %s", x0.c)
		g.Go("BEQ %s", g.ref(sfx+"_one"))
		g.Label(g.label(sfx))
		start := g.Count()
		g.Go("CBZ %s, %s", pvCnt, g.ref(sfx+"_done"))
		g.combineLoadRowInc(p, a, pvTa, pvNsz, lanes)
		g.pvLoadMix(p, u, pvTs, x0.inc, x0.back, lanes)
		g.combineLoadRowInc(p, x, pvTx, pvNsz, lanes)
		g.Word(arm64.FMUL(d2, f, a, a)) // (a·a)·(σ·2/√π)
		g.Word(arm64.FMUL(d2, u, u, cvDiag))
		g.Word(arm64.FMUL(d2, f, f, u))
		g.Word(arm64.FADD(d2, a, a, a)) // 2a
		g.Word(arm64.FMUL(d2, a, a, x)) // 2a·x
		if p.f64 {
			g.ksum(x0.s, x0.comp, f, t, b, u) // the diagonal term, the sum in t
			g.ksum(t, x0.comp, a, x0.s, b, u) // the row term, the sum in s again
		} else {
			g.Word(arm64.FADD(d2, f, f, a))
			g.Word(arm64.FADD(d2, x0.s, x0.s, f))
		}
		g.Go("SUB $1, %s", pvCnt)
		g.Go("B %s", g.ref(sfx))
		if count && side == 0 {
			g.loop("self sum, a component", start, 2)
		}
		// One component: s = 0 + (a·a)·(σ·2/√π), sp not read.
		g.Label(g.label(sfx + "_one"))
		g.combineLoadRow(p, a, pvTa, lanes)
		g.pvLoadMix(p, u, pvTs, x0.inc, x0.back, lanes)
		g.Word(arm64.FMUL(d2, f, a, a))
		g.Word(arm64.FMUL(d2, u, u, cvDiag))
		g.Word(arm64.FMUL(d2, f, f, u))
		g.Word(arm64.FADD(d2, x0.s, cvZero, f))
		g.Label(g.label(sfx + "_done"))
	}

	// The value: cross = cs + cc, vals = max(cross − 0.5·((ps + pc) + (qs +
	// qc)), +0) (float32: plain sums), out, and the under mask in b.
	start = g.Count()
	c, v := pvCs, t
	if p.f64 {
		c = a
		g.Word(arm64.FADD(d2, c, pvCs, pvCc))
		g.Word(arm64.FADD(d2, x, pvPs, pvPc))
		g.Word(arm64.FADD(d2, f, pvQs, pvQc))
		g.Word(arm64.FADD(d2, x, x, f))
	} else {
		g.Word(arm64.FADD(d2, x, pvPs, pvQs))
	}
	g.Word(arm64.FMUL(d2, x, cvC1, x))
	g.Word(arm64.FSUB(d2, v, c, x))
	g.Word(arm64.FMAX(d2, v, v, cvZero))
	store := func(r arm64.R, v arm64.V) {
		if lanes == 2 {
			g.VST1P(d2, r, v)
		} else {
			g.VST1LaneP(d2, r, v, 0)
		}
	}
	store(pvCross, c)
	store(pvVals, v)
	g.Word(arm64.FMUL(d2, b, cvC2, c))
	g.Word(arm64.FCMGT(d2, b, v, b))
	arr := d2
	if p.f64 {
		store(pvOut, v)
		g.Word(arm64.FCMEQZ(d2, u, v))
	} else {
		arr = arm64.S4
		g.Word(arm64.FCVTN(u, v))
		if lanes == 2 {
			g.VST1LaneP(d2, pvOut, u, 0) // two float32
		} else {
			g.VST1LaneP(arm64.S4, pvOut, u, 0)
		}
		g.Word(arm64.XTN(b, b))
		g.Word(arm64.FCMEQZ(arm64.S4, u, u))
	}
	g.VAND(b, b, u)
	g.ToGPR(arr, pvTmp, b, 0)
	if lanes == 2 {
		g.ToGPR(arr, pvTmp2, b, 1)
		g.Go("ORR %s, %s, %s", pvTmp2, pvTmp, pvTmp)
	}
	g.Go("CBNZ %s, %s", pvTmp, g.ref(tag+"_under"))
	g.Label(g.label(tag + "_under_back"))
	if count {
		g.loop("once a block: value, under", start, 2)
	}
}

// pairValuesUnder emits the under code of a body: under[0], unless it is
// set already, = the first lane of the mask (V10).
func (g *gen) pairValuesUnder(p *prec, lanes int, tag string) {
	const mask arm64.V = 10
	arr := arm64.D2
	if !p.f64 {
		arr = arm64.S4
	}
	g.Label(g.label(tag + "_under"))
	g.Go("MOVD (%s), %s", pvUnder, pvTmp)
	g.Go("TBZ $63, %s, %s", pvTmp, g.ref(tag+"_under_back"))
	for j := 0; j < lanes; j++ {
		g.ToGPR(arr, pvTmp, mask, j)
		g.Go("CBZ %s, %s", pvTmp, g.ref(fmt.Sprintf("%s_under%d", tag, j)))
		g.Go("ADD $%d, %s, %s", j, pvL0, pvTmp)
		g.Go("MOVD %s, (%s)", pvTmp, pvUnder)
		g.Go("B %s", g.ref(tag+"_under_back"))
		g.Label(g.label(fmt.Sprintf("%s_under%d", tag, j)))
	}
	g.Go("B %s", g.ref(tag+"_under_back"))
}
