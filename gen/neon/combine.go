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
// of the pairs are independent. BatchPairValues takes them two float64
// lanes per vector (float32 inputs widened with FCVTL, float32 results
// narrowed with FCVTN, one rounding), in blocks of two vectors (four lanes,
// the two vectors' instructions interleaved so that their compensated sums
// overlap), then one of two lanes, then one lane. BatchSideGrad computes in
// its precision (purego.BatchSideGrad32 combines in float32), a vector at a
// time: two float64 or four float32 lanes, then the lane tail (float32: a
// block of two lanes, then one). Both run purego's operations in purego's
// order, unfused: the only fused instruction is the FMLA of the product
// error fma(a, x, −p) that purego computes with math.FMA. No operation of
// purego is left out (0 + x, x − 0 with a self sum of +0 and sign·D, a
// multiplication by sign in the precision, are all kept), so the results
// are purego's bit for bit. The elements of a lane's mixture (stds,
// weights and derivatives at l·c+i) are loaded and stored lane by lane
// with a post-index by c elements, which is the transposition (float32
// with c = 1, where they are consecutive: as whole vectors, like the row
// sums); the row sums (at i·n+l) are loaded as one vector. A tail block
// runs the same instructions with only its lanes loaded and stored (the
// other lanes hold +0 and are never stored), so nothing past the slices is
// touched and n may be any number ≥ 1. The checked functions call the
// assembly for every n ≥ 1 and any component counts (0 included:
// BatchSideGrad returns, BatchPairValues sums nothing); BatchPairValues
// sets under[0] = −1 itself. Nothing is allocated; the frame is empty.

// diagFactor and invSqrtPi are purego's 2/√π and 1/√π, rounded to float64;
// diagFactor32 and invSqrtPi32 the same rounded to float32 (purego's
// diagFactor32, invSqrtPi32).
const (
	diagFactor           = 2 / math.SqrtPi
	invSqrtPi            = 1 / math.SqrtPi
	diagFactor32 float32 = 2 / math.SqrtPi
	invSqrtPi32  float32 = 1 / math.SqrtPi
)

// Vector constants of the combination kernels (every lane; float64, or
// BatchSideGrad32 float32).
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

// sideLoad loads lanes lanes (the kernel's vector, or fewer in the lane
// tail) of consecutive elements at (r) into v in the kernel's precision
// and advances r past them. Fewer lanes than a vector are one scalar load
// (two float32 lanes: 64 bits), which zeroes the other lanes.
func (g *gen) sideLoad(p *prec, v arm64.V, r arm64.R, lanes int) {
	switch {
	case lanes == p.lanes:
		g.VLD1P(p.arr, r, v)
	case lanes*p.size == 8:
		g.Go("FMOVD.P 8(%s), %s", r, v)
	default:
		g.Go("FMOVS.P 4(%s), %s", r, v)
	}
}

// sideStore stores lanes lanes of v to consecutive elements at (r) and
// advances r past them.
func (g *gen) sideStore(p *prec, v arm64.V, r arm64.R, lanes int) {
	switch {
	case lanes == p.lanes:
		g.VST1P(p.arr, r, v)
	case lanes == 2:
		g.VST1LaneP(arm64.D2, r, v, 0)
	default:
		g.VST1LaneP(p.arr, r, v, 0)
	}
}

// combineLoadMix loads one element per lane into v, lane j from the
// mixture of lane j (r advanced by inc after each), in the kernel's
// precision. With fewer lanes than a vector, v is zeroed first.
func (g *gen) combineLoadMix(p *prec, v arm64.V, r, inc arm64.R, lanes int) {
	if lanes < p.lanes {
		g.VZero(v)
	}
	for j := 0; j < lanes; j++ {
		g.VLD1LanePR(p.arr, r, inc, v, j)
	}
}

// combineStoreMix stores the lanes of v one per lane's mixture, r advanced
// by inc after each.
func (g *gen) combineStoreMix(p *prec, v arm64.V, r, inc arm64.R, lanes int) {
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
// component (i), a vector of lanes at a time (two float64 or four float32),
// every derivative as purego.BatchSideGrad64 or purego.BatchSideGrad32
// writes it. c = 1 (no self sums: +0 each) has a loop of its own; c = 0
// returns at once.
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
	if p.f64 {
		g.combineDup(cvZero, 0, sgTmp)
		g.combineDup(cvDiag, diagFactor, sgTmp)
		g.combineDup(cvC1, invSqrtPi, sgTmp)
		g.argInt(off, "sign", sgTmp)
		g.Go("SCVTFD %s, F%d", sgTmp, cvC2)
		g.VDUPLane(arm64.D2, cvC2, cvC2, 0)
	} else {
		g.VZero(cvZero)
		for _, x := range []struct {
			v arm64.V
			c float32
		}{{cvDiag, diagFactor32}, {cvC1, invSqrtPi32}} {
			g.Go("MOVW $0x%08x, %s", math.Float32bits(x.c), sgTmp)
			g.Go("VDUP %s, %s", sgTmp, x.v.Go(arm64.S4))
		}
		g.argInt(off, "sign", sgTmp)
		g.Go("SCVTFS %s, F%d", sgTmp, cvC2)
		g.VDUPLane(arm64.S4, cvC2, cvC2, 0)
	}
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
// the rows and columns of the self sums are read, c > 1): whole vectors of
// lanes, then the lane tail in blocks of halving size (float64: one lane;
// float32: two lanes, then one).
func (g *gen) sideGradLoop(p *prec, off map[string]int, self bool, tag string) {
	g.Label(g.label(tag + "_row"))
	g.argInt(off, "n", sgL)
	g.Label(g.label(tag + "_lanes"))
	start := g.Count()
	g.Go("CMP $%d, %s", p.lanes, sgL)
	g.Go("BLT %s", g.ref(tag+"_tail"))
	g.sideGradBody(p, self, p.lanes)
	g.Go("SUB $%d, %s", p.lanes, sgL)
	g.Go("B %s", g.ref(tag+"_lanes"))
	g.loop(fmt.Sprintf("c %s, lanes", map[bool]string{true: "> 1", false: "= 1"}[self]), start, p.lanes)
	label := tag + "_tail"
	for lanes := p.lanes / 2; lanes >= 1; lanes /= 2 {
		g.Label(g.label(label))
		label = fmt.Sprintf("%s_tail%d", tag, lanes/2)
		if lanes == 1 {
			g.Go("CBZ %s, %s", sgL, g.ref(tag+"_next"))
			g.sideGradBody(p, self, 1)
			break
		}
		g.Go("CMP $%d, %s", lanes, sgL)
		g.Go("BLT %s", g.ref(label))
		g.sideGradBody(p, self, lanes)
		g.Go("SUB $%d, %s", lanes, sgL)
	}
	g.Label(g.label(tag + "_next"))
	for _, r := range sgMix {
		g.Go("SUB %s, %s", sgRewind, r)
	}
	g.Go("SUB $1, %s", sgI)
	g.Go("CBNZ %s, %s", sgI, g.ref(tag+"_row"))
	g.Go("RET")
}

// sideGradBody emits the derivatives of lanes lanes (a vector, or fewer in
// the tail) of one component, in the kernel's precision:
//
//	gw = H − (selfH + a·(σ·2/√π))
//	gm = a·(sign·D − selfD)
//	gs = a·(σ·(R − selfR) − a·(1/√π)), +0 unless σ > 0
//
// with selfH = rows.H + cols.H, selfD = rows.D − cols.D, selfR = rows.R +
// cols.R when self, else +0 each. The weights, stds and derivatives of c =
// 1 (not self) are consecutive: float32 loads and stores them as the row
// sums, float64 lane by lane as for c > 1.
func (g *gen) sideGradBody(p *prec, self bool, lanes int) {
	arr := p.arr
	const (
		a, sd, t, u, v, tmp arm64.V = 0, 1, 2, 3, 4, 5
	)
	gw, gm, gs, w, s := sgMix[0], sgMix[1], sgMix[2], sgMix[3], sgMix[4]
	xh, xd, xr, rh, rd, rr, kh, kd, kr := sgRow[0], sgRow[1], sgRow[2], sgRow[3], sgRow[4], sgRow[5], sgRow[6], sgRow[7], sgRow[8]
	contig := !self && !p.f64
	loadMix := func(v arm64.V, r arm64.R) {
		if contig {
			g.sideLoad(p, v, r, lanes)
		} else {
			g.combineLoadMix(p, v, r, sgInc, lanes)
		}
	}
	storeMix := func(v arm64.V, r arm64.R) {
		if contig {
			g.sideStore(p, v, r, lanes)
		} else {
			g.combineStoreMix(p, v, r, sgInc, lanes)
		}
	}
	loadRow := func(v arm64.V, r arm64.R) {
		if p.f64 {
			g.combineLoadRow(p, v, r, lanes)
		} else {
			g.sideLoad(p, v, r, lanes)
		}
	}
	loadMix(a, w)
	loadMix(sd, s)
	// self: the self sums of the lanes, else +0.
	selfSum := func(dst arm64.V, r0, r1 arm64.R, sub bool) arm64.V {
		if !self {
			return cvZero
		}
		loadRow(dst, r0)
		loadRow(tmp, r1)
		if sub {
			g.Word(arm64.FSUB(arr, dst, dst, tmp))
		} else {
			g.Word(arm64.FADD(arr, dst, dst, tmp))
		}
		return dst
	}
	// gw
	g.Word(arm64.FMUL(arr, t, sd, cvDiag))
	g.Word(arm64.FMUL(arr, t, a, t))
	g.Word(arm64.FADD(arr, t, selfSum(u, rh, kh, false), t))
	loadRow(v, xh)
	g.Word(arm64.FSUB(arr, t, v, t))
	storeMix(t, gw)
	// gm
	loadRow(v, xd)
	g.Word(arm64.FMUL(arr, t, cvC2, v))
	g.Word(arm64.FSUB(arr, t, t, selfSum(u, rd, kd, true)))
	g.Word(arm64.FMUL(arr, t, a, t))
	storeMix(t, gm)
	// gs
	loadRow(v, xr)
	g.Word(arm64.FSUB(arr, t, v, selfSum(u, rr, kr, false)))
	g.Word(arm64.FMUL(arr, t, sd, t))
	g.Word(arm64.FMUL(arr, u, a, cvC1))
	g.Word(arm64.FSUB(arr, t, t, u))
	g.Word(arm64.FMUL(arr, t, a, t))
	g.Word(arm64.FCMGT(arr, u, sd, cvZero))
	g.VAND(t, t, u)
	storeMix(t, gs)
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

// genPairValues emits BatchPairValues64 or BatchPairValues32: blocks of
// four lanes (two vectors), then one of two lanes, then an odd last lane;
// in each, the cross sum and the two self
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
	// Blocks of four lanes, then one of two, then one lane.
	type under struct {
		tag  string
		mask []arm64.V
		lane []int
		arr  arm64.Arr
	}
	var unders []under
	for _, x := range []struct {
		tag   string
		lanes int
	}{{"q", 4}, {"p", 2}, {"t", 1}} {
		g.Label(g.label(x.tag))
		g.Go("SUB %s, %s, %s", pvL0, pvN, pvTmp)
		if x.lanes == 1 {
			g.Go("CBZ %s, %s", pvTmp, g.ref("done"))
		} else {
			g.Go("CMP $%d, %s", x.lanes, pvTmp)
			g.Go("BLT %s", g.ref([...]string{"", "", "t", "", "p"}[x.lanes]))
		}
		m, l, arr := g.pairValuesBody(p, x.lanes, x.tag)
		unders = append(unders, under{x.tag, m, l, arr})
		if x.lanes == 1 {
			break
		}
		for _, r := range []arm64.R{pvWa, pvCr, pvSp, pvWb, pvSq} {
			g.Go("ADD $%d, %s", x.lanes*p.size, r)
		}
		sh := map[int]int{4: 2, 2: 1}[x.lanes]
		for _, y := range []struct{ r, inc arm64.R }{{pvSa, pvKinc}, {pvSb, pvMinc}} {
			g.Go("ADD %s<<%d, %s", y.inc, sh, y.r)
		}
		g.Go("ADD $%d, %s", x.lanes, pvL0)
		if x.lanes == 4 {
			g.Go("B %s", g.ref("q"))
		}
	}
	g.Label(g.label("done"))
	g.Go("RET")
	for _, u := range unders {
		g.pairValuesUnder(u.tag, u.mask, u.lane, u.arr)
	}
}

// pvVec returns the register of role r (0 … 6: a, x, f, t, b, u, e) of
// vector j of a block (the two vectors' registers of a role consecutive).
func pvVec(r, j int) arm64.V { return arm64.V(12 + 2*r + j) }

// pvSum returns the register of sum r (0 … 5: the cross sum and its
// compensation, those of p's and q's self sums) of vector j.
func pvSum(r, j int) arm64.V { return arm64.V(2*r + j) }

// pvLoadRow loads the row sums of the block's lanes at (r) (lanes: 4 in
// two vectors, 2 or 1 in vector 0) as float64 lanes of role x (float32
// widened) and advances r by inc (post) or past the lanes (inc unused).
// With one lane, the vector is zeroed first.
func (g *gen) pvLoadRow(p *prec, x int, r, inc arm64.R, post bool, lanes int) {
	v0, v1 := pvVec(x, 0), pvVec(x, 1)
	if lanes < 4 {
		if post {
			g.combineLoadRowInc(p, v0, r, inc, lanes)
		} else {
			g.combineLoadRow(p, v0, r, lanes)
		}
		return
	}
	if p.f64 {
		if post {
			g.VLD1PR(arm64.D2, r, inc, v0, v1)
		} else {
			g.VLD1P(arm64.D2, r, v0, v1)
		}
		return
	}
	if post {
		g.VLD1PR(arm64.S4, r, inc, v1)
	} else {
		g.VLD1P(arm64.S4, r, v1)
	}
	g.Word(arm64.FCVTL(v0, v1))
	g.Word(arm64.FCVTL2(v1, v1))
}

// pvLoadMix loads one element per lane from the lanes' mixtures at (r), as
// float64 lanes of role x, and leaves r at the next element of the first
// lane's mixture (advanced by inc per lane, the last lane by back = one
// element − inc; four lanes: then back by two inc).
func (g *gen) pvLoadMix(p *prec, x int, r, inc, back arm64.R, lanes int) {
	v0, v1 := pvVec(x, 0), pvVec(x, 1)
	switch {
	case lanes == 1:
		g.VZero(v0)
		g.VLD1LaneP(p.arr, r, v0, 0)
	case lanes == 2:
		g.VLD1LanePR(p.arr, r, inc, v0, 0)
		g.VLD1LanePR(p.arr, r, back, v0, 1)
	case p.f64:
		g.VLD1LanePR(p.arr, r, inc, v0, 0)
		g.VLD1LanePR(p.arr, r, inc, v0, 1)
		g.VLD1LanePR(p.arr, r, inc, v1, 0)
		g.VLD1LanePR(p.arr, r, back, v1, 1)
	default:
		for j := 0; j < 3; j++ {
			g.VLD1LanePR(p.arr, r, inc, v1, j)
		}
		g.VLD1LanePR(p.arr, r, back, v1, 3)
	}
	if lanes == 4 {
		g.Go("SUB %s<<1, %s", inc, r)
	}
	if !p.f64 {
		if lanes == 4 {
			g.Word(arm64.FCVTL(v0, v1))
			g.Word(arm64.FCVTL2(v1, v1))
		} else {
			g.Word(arm64.FCVTL(v0, v0))
		}
	}
}

// ksum emits one compensated step per vector j < nv: (s, comp) ← (s + f,
// comp + ((s − (t − b)) + (f − b))), b = t − s, with the new sum in t (u, b
// working); the vectors' steps interleaved.
func (g *gen) ksum(nv int, s, comp, f, t, b, u func(j int) arm64.V) {
	d2 := arm64.D2
	for _, step := range []func(j int){
		func(j int) { g.Word(arm64.FADD(d2, t(j), s(j), f(j))) },
		func(j int) { g.Word(arm64.FSUB(d2, b(j), t(j), s(j))) },
		func(j int) { g.Word(arm64.FSUB(d2, u(j), t(j), b(j))) },
		func(j int) { g.Word(arm64.FSUB(d2, u(j), s(j), u(j))) },
		func(j int) { g.Word(arm64.FSUB(d2, b(j), f(j), b(j))) },
		func(j int) { g.Word(arm64.FADD(d2, u(j), u(j), b(j))) },
		func(j int) { g.Word(arm64.FADD(d2, comp(j), comp(j), u(j))) },
	} {
		for j := 0; j < nv; j++ {
			step(j)
		}
	}
}

// pairValuesBody emits the value of lanes lanes (4: two vectors; 2 or 1:
// one) at the block's pointers (labels with tag); the pointers of the
// block are left as they are, the output pointers advanced past the lanes.
// It returns the registers and lanes of the under mask, in lane order.
func (g *gen) pairValuesBody(p *prec, lanes int, tag string) (mask []arm64.V, maskLane []int, maskArr arm64.Arr) {
	d2 := arm64.D2
	nv := 1
	if lanes == 4 {
		nv = 2
	}
	role := func(r int) func(j int) arm64.V { return func(j int) arm64.V { return pvVec(r, j) } }
	sum := func(r int) func(j int) arm64.V { return func(j int) arm64.V { return pvSum(r, j) } }
	a, x, f, t, b, u, e := role(0), role(1), role(2), role(3), role(4), role(5), role(6)
	const ra, rx, ru = 0, 1, 5
	each := func(op func(j int)) {
		for j := 0; j < nv; j++ {
			op(j)
		}
	}
	word := func(ins func(arm64.Arr, arm64.V, arm64.V, arm64.V) arm64.Inst, d, n, m func(j int) arm64.V) {
		each(func(j int) { g.Word(ins(d2, d(j), n(j), m(j))) })
	}
	cnst := func(v arm64.V) func(int) arm64.V { return func(int) arm64.V { return v } }
	zero := func(v func(j int) arm64.V) { each(func(j int) { g.VZero(v(j)) }) }
	count := tag == "q" // record the component loops of the main block
	cs, cc := sum(0), sum(1)
	// The cross sum.
	g.Go("MOVD %s, %s", pvWa, pvTa)
	g.Go("MOVD %s, %s", pvCr, pvTx)
	g.Go("MOVD %s, %s", pvK, pvCnt)
	zero(cs)
	if p.f64 {
		zero(cc)
		g.Go("CMP $1, %s", pvK)
		g.Go("BEQ %s", g.ref(tag+"_cross1"))
	}
	g.Label(g.label(tag + "_cross"))
	start := g.Count()
	g.Go("CBZ %s, %s", pvCnt, g.ref(tag+"_cross_done"))
	g.pvLoadRow(p, ra, pvTa, pvNsz, true, lanes)
	g.pvLoadRow(p, rx, pvTx, pvNsz, true, lanes)
	word(arm64.FMUL, f, a, x)
	if p.f64 {
		// p = a·x; TwoSum; cc += fma(a, x, −p); cs = t.
		g.ksum(nv, cs, cc, f, t, b, u)
		each(func(j int) { g.Word(arm64.FNEG(d2, e(j), f(j))) })
		each(func(j int) { g.VFMLA(d2, e(j), a(j), x(j)) })
		word(arm64.FADD, cc, cc, e)
		each(func(j int) { g.VMov(cs(j), t(j)) })
	} else {
		word(arm64.FADD, cs, cs, f)
	}
	g.Go("SUB $1, %s", pvCnt)
	g.Go("B %s", g.ref(tag+"_cross"))
	if count {
		g.loop("cross sum, a component", start, lanes)
	}
	if p.f64 {
		// One component: cs = 0 + a·x, uncompensated.
		g.Label(g.label(tag + "_cross1"))
		g.pvLoadRow(p, ra, pvTa, 0, false, lanes)
		g.pvLoadRow(p, rx, pvTx, 0, false, lanes)
		word(arm64.FMUL, f, a, x)
		word(arm64.FADD, cs, cnst(cvZero), f)
	}
	g.Label(g.label(tag + "_cross_done"))

	// The self sums of p and q.
	for side, x0 := range []struct {
		w, sd, sp, c, inc, back arm64.R
		s, comp                 func(j int) arm64.V
	}{{pvWa, pvSa, pvSp, pvK, pvKinc, pvKback, sum(2), sum(3)}, {pvWb, pvSb, pvSq, pvM, pvMinc, pvMback, sum(4), sum(5)}} {
		sfx := fmt.Sprintf("%s_self%d", tag, side)
		g.Go("MOVD %s, %s", x0.w, pvTa)
		g.Go("MOVD %s, %s", x0.sd, pvTs)
		g.Go("MOVD %s, %s", x0.sp, pvTx)
		g.Go("MOVD %s, %s", x0.c, pvCnt)
		zero(x0.s)
		if p.f64 {
			zero(x0.comp)
		}
		g.Go("CMP $1, %s", x0.c)
		g.Go("BEQ %s", g.ref(sfx+"_one"))
		g.Label(g.label(sfx))
		start := g.Count()
		g.Go("CBZ %s, %s", pvCnt, g.ref(sfx+"_done"))
		g.pvLoadRow(p, ra, pvTa, pvNsz, true, lanes)
		g.pvLoadMix(p, ru, pvTs, x0.inc, x0.back, lanes)
		g.pvLoadRow(p, rx, pvTx, pvNsz, true, lanes)
		word(arm64.FMUL, f, a, a) // (a·a)·(σ·2/√π)
		word(arm64.FMUL, u, u, cnst(cvDiag))
		word(arm64.FMUL, f, f, u)
		word(arm64.FADD, a, a, a) // 2a
		word(arm64.FMUL, a, a, x) // 2a·x
		if p.f64 {
			g.ksum(nv, x0.s, x0.comp, f, t, b, u) // the diagonal term, the sum in t
			g.ksum(nv, t, x0.comp, a, x0.s, b, u) // the row term, the sum in s again
		} else {
			word(arm64.FADD, f, f, a)
			word(arm64.FADD, x0.s, x0.s, f)
		}
		g.Go("SUB $1, %s", pvCnt)
		g.Go("B %s", g.ref(sfx))
		if count && side == 0 {
			g.loop("self sum, a component", start, lanes)
		}
		// One component: s = 0 + (a·a)·(σ·2/√π), sp not read.
		g.Label(g.label(sfx + "_one"))
		g.pvLoadRow(p, ra, pvTa, 0, false, lanes)
		g.pvLoadMix(p, ru, pvTs, x0.inc, x0.back, lanes)
		word(arm64.FMUL, f, a, a)
		word(arm64.FMUL, u, u, cnst(cvDiag))
		word(arm64.FMUL, f, f, u)
		word(arm64.FADD, x0.s, cnst(cvZero), f)
		g.Label(g.label(sfx + "_done"))
	}

	// The value: cross = cs + cc, vals = max(cross − 0.5·((ps + pc) + (qs +
	// qc)), +0) (float32: plain sums), out, and the under mask in b.
	start = g.Count()
	c, v := cs, t
	if p.f64 {
		c = a
		word(arm64.FADD, c, cs, cc)
		word(arm64.FADD, x, sum(2), sum(3))
		word(arm64.FADD, f, sum(4), sum(5))
		word(arm64.FADD, x, x, f)
	} else {
		word(arm64.FADD, x, sum(2), sum(4))
	}
	word(arm64.FMUL, x, cnst(cvC1), x)
	word(arm64.FSUB, v, c, x)
	word(arm64.FMAX, v, v, cnst(cvZero))
	store := func(r arm64.R, v func(j int) arm64.V) {
		switch lanes {
		case 4:
			g.VST1P(d2, r, v(0), v(1))
		case 2:
			g.VST1P(d2, r, v(0))
		default:
			g.VST1LaneP(d2, r, v(0), 0)
		}
	}
	store(pvCross, c)
	store(pvVals, v)
	word(arm64.FMUL, b, cnst(cvC2), c)
	word(arm64.FCMGT, b, v, b)
	if p.f64 {
		store(pvOut, v)
		each(func(j int) { g.Word(arm64.FCMEQZ(d2, u(j), v(j))) })
		each(func(j int) { g.VAND(b(j), b(j), u(j)) })
		for j := 0; j < nv; j++ {
			for l := 0; l < min(lanes, 2); l++ {
				mask, maskLane = append(mask, b(j)), append(maskLane, l)
			}
		}
		maskArr = d2
	} else {
		u0, b0 := u(0), b(0)
		g.Word(arm64.FCVTN(u0, v(0)))
		g.Word(arm64.XTN(b0, b0))
		switch lanes {
		case 4:
			g.Word(arm64.FCVTN2(u0, v(1)))
			g.Word(arm64.XTN2(b0, b(1)))
			g.VST1P(arm64.S4, pvOut, u0)
		case 2:
			g.VST1LaneP(d2, pvOut, u0, 0) // two float32
		default:
			g.VST1LaneP(arm64.S4, pvOut, u0, 0)
		}
		g.Word(arm64.FCMEQZ(arm64.S4, u0, u0))
		g.VAND(b0, b0, u0)
		for l := 0; l < lanes; l++ {
			mask, maskLane = append(mask, b0), append(maskLane, l)
		}
		maskArr = arm64.S4
	}
	// The test: any lane of the mask (float32: as two 64-bit lanes).
	test := b(0)
	if p.f64 && nv == 2 {
		test = e(0)
		g.VORR(test, b(0), b(1))
	}
	if lanes == 1 {
		g.ToGPR(maskArr, pvTmp, test, 0)
	} else {
		g.ToGPR(d2, pvTmp, test, 0)
		g.ToGPR(d2, pvTmp2, test, 1)
		g.Go("ORR %s, %s, %s", pvTmp2, pvTmp, pvTmp)
	}
	g.Go("CBNZ %s, %s", pvTmp, g.ref(tag+"_under"))
	g.Label(g.label(tag + "_under_back"))
	if count {
		g.loop("once a block: value, under", start, lanes)
	}
	return mask, maskLane, maskArr
}

// pairValuesUnder emits the under code of a body: under[0], unless it is
// set already, = the first lane of the mask (lane i of the block in lane
// maskLane[i] of register mask[i]).
func (g *gen) pairValuesUnder(tag string, mask []arm64.V, maskLane []int, arr arm64.Arr) {
	g.Label(g.label(tag + "_under"))
	g.Go("MOVD (%s), %s", pvUnder, pvTmp)
	g.Go("TBZ $63, %s, %s", pvTmp, g.ref(tag+"_under_back"))
	for i := range mask {
		g.ToGPR(arr, pvTmp, mask[i], maskLane[i])
		g.Go("CBZ %s, %s", pvTmp, g.ref(fmt.Sprintf("%s_under%d", tag, i)))
		g.Go("ADD $%d, %s, %s", i, pvL0, pvTmp)
		g.Go("MOVD %s, (%s)", pvTmp, pvUnder)
		g.Go("B %s", g.ref(tag+"_under_back"))
		g.Label(g.label(fmt.Sprintf("%s_under%d", tag, i)))
	}
	g.Go("B %s", g.ref(tag+"_under_back"))
}
