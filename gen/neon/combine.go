package main

import (
	"fmt"
	"math"

	"github.com/gmmkit/cramer/gen/arm64"
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
	g.Go("CMP $2, %s", sgL)
	g.Go("BLT %s", g.ref(tag+"_tail"))
	start := g.Count()
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
