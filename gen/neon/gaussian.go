package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// Batches of single Gaussians (see purego.BatchGaussianValues64 and
// purego.BatchGaussianGrad64): n mixture pairs of one component on both
// sides, one lane each, inputs and outputs in lane order.
//
// The kernel first scans both sides for the front checks, each in a loop of
// its own over whole vectors (the last one overlapping the one before it
// when n is not a multiple of the vector, ORs and ANDs not minding a value
// seen twice) with the vectors and steps of the front end (front.go:
// frontInit, frontCheck, frontSumCheck, frontStore), and stores the two
// purego.FrontScan words to r. The inputs are then read again, a vector of
// lanes at a time (a chunk's inputs are in the cache by then), and each
// vector runs the pair term of the batch-lane kernels (termScale and termH,
// or gradScale and gradTerm: the same instructions), the sums fma(b, h, +0)
// … in the input precision (FMLA into a zeroed vector), and the combination
// with the operations of purego/gaussian.go in their order, unfused: the
// value in float64, the derivatives in the input precision
// (gaussianSideGrad, float32 with 2/√π and 1/√π rounded to float32). In
// float32 the derivatives of both sides run on the whole vector first,
// stored four lanes at a time without any conversion; then the value runs on
// each half of the vector in turn, its inputs widened once (FCVTL, FCVTL2)
// and the value of both halves narrowed into one vector (FCVTN, FCVTN2).
// There the float32 constant set ends at V23, V24–V31 are working registers
// too, and the combination's constants are loaded once before the loop
// (float64: once per vector). Three of purego's operations are identities on
// every value other than a NaN and are left out: 1·x, x − 0 (both give x, −0
// included) and −1·x (FNEG gives the same −x); a NaN stays a NaN. 0 + x is
// kept (it turns −0 into +0), and the clamp max(v, 0) of the value is FMAX
// with +0 (−0 and negative values give +0, a NaN stays). The last vector
// overlaps the one before it as in the scans; its lanes are recomputed and
// stored again with the same bits. under: a vector's lanes with out = 0 and
// vals > 2⁻⁵⁰·cross form a mask; only when it is nonzero does scalar code
// look at under[0] and, if no lane was found before, store the first lane of
// the mask (a lane the overlapping vector recomputes had a zero mask or set
// under[0] already, so the lane found is still the first). The checked
// function sets under[0] = −1 and calls the assembly only with n ≥ the lanes
// of a vector.

// General-purpose registers of the compute loop (the pair term uses R14,
// R19–R25; R13 and R15 are scratch here).
const (
	gsOut  arm64.R = 0
	gsL0   arm64.R = 17 // first lane of the vector
	gsLast arm64.R = 26 // first lane of the last vector: n − lanes
	gsT0   arm64.R = 15
	gsT1   arm64.R = 13
)

// gsIn and gsGrad are the pointers of the inputs (pw, pm, ps, qw, qm, qs)
// and of the derivatives (gp.W, gp.M, gp.S, gq.W, gq.M, gq.S).
var (
	gsIn   = [6]arm64.R{1, 2, 3, 4, 5, 6}
	gsGrad = [6]arm64.R{7, 8, 9, 10, 11, 16}
)

// Spill slots beyond the pair term's (slotAd, slotQh, slotE2, slotRqm).
const (
	gsSlotSA, gsSlotSB = 9, 10
	gsSlots            = 10
)

// gaussConst holds the float64 constants of the combination, used by
// element: lanes [2/√π, 0.5] and [2⁻⁵⁰, 1/√π]; gaussConst32 the float32
// ones of BatchGaussianGrad32's derivatives, 2/√π and 1/√π rounded to
// float32 (lanes 0 and 1).
var (
	gaussConst   = []float64{2 / math.SqrtPi, 0.5, 0x1p-50, 1 / math.SqrtPi}
	gaussConst32 = []float64{float64(diagFactor32), float64(invSqrtPi32)}
)

// genGaussian emits BatchGaussianValues (grad false) or BatchGaussianGrad
// of the precision.
func (g *gen) genGaussian(p *prec, grad bool) {
	k := &pair{gen: g, p: p, sets: map[string]*constSet{setGrid: p.constants(setGrid)}}
	// Registers above the constant set (float32: V24–V31) are working
	// registers too.
	for v := constBase + arm64.V(k.sets[setGrid].regs); v < 32; v++ {
		k.extra[v] = true
	}
	k.reset()
	name := "BatchGaussianValues" + p.name
	// The parameters in the order of the AVX2 stubs (gen/avx2/gaussian.go),
	// so that one checked function (asm/gaussian.go) calls either.
	slices := []string{"pw", "pm", "ps", "qw", "qm", "qs"}
	if grad {
		name = "BatchGaussianGrad" + p.name
		slices = append([]string{"gpw", "gpm", "gps", "gqw", "gqm", "gqs"}, slices...)
	}
	g.fn = name
	stub := spec.Stub(name)
	off := map[string]int{"out": 0, "under": 24}
	frame := 32
	for _, s := range slices {
		off[s] = frame
		frame += 24
	}
	for _, s := range []string{"n", "lim", "r"} {
		off[s] = frame
		frame += 8
	}
	decl := fmt.Sprintf("out []%s, under *int, %s []%s, n int, lim *[4]uint64, r *[10]uint64", p.ty, strings.Join(slices, ", "), p.ty)
	doc := spec.Wrap(fmt.Sprintf("%s is the assembly of %s (gaussian.go; see purego.%s): sides p (pw, pm, ps) and q, the derivatives gp and gq in gpw … gqs, lim the purego.FrontLimits and r the two purego.FrontScan of p and q. It trusts the lengths and integers it is given: only %s, which sets *under = −1, cuts every slice to n and calls it only with n ≥ %d, calls it.",
		stub, name, name, name, p.lanes), 76-len("// "))
	fmt.Fprintf(&g.stubs, "\n// %s\n//\n//go:noescape\nfunc %s(%s)\n", strings.Join(doc, "\n// "), stub, decl)
	g.Raw("")
	g.Raw("// func %s(%s)", stub, decl)
	g.Raw("TEXT ·%s(SB), NOSPLIT, $%d-%d", stub, 16*gsSlots, frame)

	// The scans of p and q.
	for side, x := range []struct{ w, m, s string }{{"pw", "pm", "ps"}, {"qw", "qm", "qs"}} {
		g.gaussScan(p, side, off, x.w, x.m, x.s)
	}

	// The lanes.
	k.prologue(setGrid)
	g.Go("MOVD out_base+%d(FP), %s", off["out"], gsOut)
	for i, s := range []string{"pw", "pm", "ps", "qw", "qm", "qs"} {
		g.Go("MOVD %s_base+%d(FP), %s", s, off[s], gsIn[i])
	}
	if grad {
		for i, s := range []string{"gpw", "gpm", "gps", "gqw", "gqm", "gqs"} {
			g.Go("MOVD %s_base+%d(FP), %s", s, off[s], gsGrad[i])
		}
	}
	g.Go("MOVD n+%d(FP), %s", off["n"], gsLast)
	g.Go("SUB $%d, %s", p.lanes, gsLast)
	g.Go("MOVD ZR, %s", gsL0)
	// The combination's constants stay in registers where there is room
	// (float32), else each vector loads them.
	var cs *[3]arm64.V
	if !p.f64 {
		z, c0, c1 := k.gaussConsts(nil)
		cs = &[3]arm64.V{z, c0, c1}
	}
	// The float32 derivatives' constants, 2/√π and 1/√π rounded to float32
	// (lanes 0 and 1).
	var c32 arm64.V
	if grad && !p.f64 {
		c32 = k.get()
		g.Go("MOVD $gaussConst32<>(SB), %s", gsT0)
		g.VLD1(arm64.S4, gsT0, c32)
	}
	g.Label(g.label("lane"))
	start := g.Count()
	g.Go("CMP %s, %s", gsLast, gsL0)
	g.Go("BLE %s", g.ref("body"))
	// Past the last full vector: done at n, else back to the vector that
	// ends at n (the pointers back by l0 − last lanes).
	fix := g.Count()
	g.Go("SUB %s, %s, %s", gsLast, gsL0, gsT0)
	g.Go("CMP $%d, %s", p.lanes, gsT0)
	g.Go("BEQ %s", g.ref("done"))
	g.Go("LSL $%d, %s", p.shift, gsT0)
	ptrs := append([]arm64.R{gsOut}, gsIn[:]...)
	if grad {
		ptrs = append(ptrs, gsGrad[:]...)
	}
	for _, r := range ptrs {
		g.Go("SUB %s, %s", gsT0, r)
	}
	g.Go("MOVD %s, %s", gsLast, gsL0)
	fix = g.Count() - fix
	g.Label(g.label("body"))
	mask := k.gaussBody(grad, cs, c32)
	g.Go("ADD $%d, %s", p.lanes, gsL0)
	g.Go("B %s", g.ref("lane"))
	g.loops = append(g.loops, loopSummary{fn: g.fn, what: name + " lanes", insts: g.Count() - start - fix, pairs: p.lanes})
	g.Label(g.label("done"))
	g.Go("RET")

	// A nonzero under mask: the first lane of the mask, unless under[0] is
	// set already.
	g.Label(g.label("under"))
	g.Go("MOVD under+%d(FP), %s", off["under"], gsT0)
	g.Go("MOVD (%s), %s", gsT0, gsT1)
	g.Go("TBZ $63, %s, %s", gsT1, g.ref("under_back"))
	for lane := 0; lane < p.lanes; lane++ {
		g.ToGPR(p.arr, gsT1, mask, lane)
		g.Go("CBZ %s, %s", gsT1, g.ref(fmt.Sprintf("under%d", lane)))
		g.Go("ADD $%d, %s, %s", lane, gsL0, gsT1)
		g.Go("MOVD %s, (%s)", gsT1, gsT0)
		g.Go("B %s", g.ref("under_back"))
		g.Label(g.label(fmt.Sprintf("under%d", lane)))
	}
	g.Go("B %s", g.ref("under_back"))
	if cs != nil {
		k.put(cs[:]...)
	}
	if grad && !p.f64 {
		k.put(c32)
	}
	if k.used != 0 {
		panic(fmt.Sprintf("%s: %d vector registers not released", name, k.used))
	}
	if hi := constBase + arm64.V(k.sets[setGrid].regs); hi < 32 {
		k.Comment("vector registers: %d of V0–V%d and V%d–V31 at most, constants in V%d–V%d", k.peak, constBase-1, hi, constBase, hi-1)
	} else {
		k.Comment("vector registers: %d of V0–V%d at most, constants in V%d–V31", k.peak, constBase-1, constBase)
	}
}

// gaussScan emits the front scan of one side (weights w, means m, stds s):
// the c = 1 loop of the front end without the variances, its FrontScan
// stored at r + 40·side.
func (g *gen) gaussScan(p *prec, side int, off map[string]int, w, m, s string) {
	sfx := fmt.Sprint(side)
	g.Go("MOVD lim+%d(FP), %s", off["lim"], frTmp)
	g.frontInit(p)
	g.Go("MOVD %s_base+%d(FP), %s", w, off[w], frW)
	g.Go("MOVD %s_base+%d(FP), %s", m, off[m], frM)
	g.Go("MOVD %s_base+%d(FP), %s", s, off[s], frS)
	g.Go("MOVD n+%d(FP), %s", off["n"], frN)
	g.Go("SUB $%d, %s, %s", p.lanes, frN, frLast)
	g.Go("MOVD $0, %s", frL0)
	g.Label(g.label("scan" + sfx))
	g.frontClamp()
	start := g.Count()
	g.frontLoadOne(p)
	if p.f64 {
		g.VMov(fvC0, fvW)
		g.frontSumCheck(fvC0)
	} else {
		g.Word(arm64.FCVTL(fvC0, fvW))
		g.Word(arm64.FCVTL2(fvC1, fvW))
		g.frontSumCheck(fvC0)
		g.frontSumCheck(fvC1)
	}
	g.Go("CMP %s, %s", frLast, frL0)
	g.Go("BGE %s", g.ref("scan"+sfx+"_done"))
	g.Go("ADD $%d, %s, %s", p.lanes, frL0, frL0)
	g.Go("B %s", g.ref("scan"+sfx))
	g.loop(fmt.Sprintf("scan %c, elements", "pq"[side]), start, p.lanes)
	g.Label(g.label("scan" + sfx + "_done"))
	g.Go("MOVD r+%d(FP), %s", off["r"], frTmp)
	g.frontStore(p, 40*side)
}

// gaussBody emits one vector of lanes and returns the register that held
// the under mask at the branch to the under code (c32: the float32
// derivatives' constants, BatchGaussianGrad32).
func (k *pair) gaussBody(grad bool, cs *[3]arm64.V, c32 arm64.V) arm64.V {
	p := k.p
	pw, pm, ps, qw, qm, qs := gsIn[0], gsIn[1], gsIn[2], gsIn[3], gsIn[4], gsIn[5]
	s := &stream{}
	// d = μa − μb, q = σa·σa + σb·σb; the pair term.
	s.d = k.get()
	k.load(s.d, pm, false, 0)
	mb := k.get()
	k.load(mb, qm, false, 0)
	k.fsub(s.d, s.d, mb)
	k.put(mb)
	s.ad = k.get()
	k.fabs(s.ad, s.d)
	sa, sb := k.get(), k.get()
	k.load(sa, ps, false, 0)
	k.load(sb, qs, false, 0)
	k.spill(sa, gsSlotSA)
	k.spill(sb, gsSlotSB)
	k.fmul(sa, sa, sa)
	k.fmul(sb, sb, sb)
	k.fadd(sa, sa, sb)
	k.put(sb)
	s.q = sa
	qh := func(s *stream) (dst, src arm64.V) { return s.q, s.q }
	var h, e, es arm64.V
	if grad {
		k.gradScale(s)
		h, e, es = k.gradTerm(s, slotRqm, qh)
	} else {
		k.put(s.d)
		k.termScale(s)
		h = k.termH(s, qh)
	}
	a, b := k.get(), k.get()
	k.load(a, pw, false, 0)
	k.load(b, qw, false, 0)
	zero, c0, c1 := k.gaussConsts(cs)
	sum := func(x, y arm64.V) arm64.V { // fma(x, y, +0) in the precision
		r := k.get()
		k.VZero(r)
		k.fmla(r, x, y)
		return r
	}
	rh := sum(b, h)
	var rd, rr, ch, cd, cr arm64.V
	sums := func() { // the other row sums of p and the column sums of q
		rd, rr = sum(b, e), sum(b, es)
		ch, cd, cr = sum(a, h), sum(a, e), sum(a, es)
		k.put(h, e, es)
	}
	if !grad {
		k.put(h)
	} else if !p.f64 {
		sums()
	}
	sa, sb = k.reload(gsSlotSA), k.reload(gsSlotSB)

	// Float64 lanes: wide returns half hf of x as float64 (float32 x:
	// converted into a new register; float64: x itself), drop releases
	// what wide allocated.
	wide := func(x arm64.V, hf int) arm64.V {
		if p.f64 {
			return x
		}
		t := k.get()
		if hf == 0 {
			k.Word(arm64.FCVTL(t, x))
		} else {
			k.Word(arm64.FCVTL2(t, x))
		}
		return t
	}
	drop := func(vs ...arm64.V) {
		if !p.f64 {
			k.put(vs...)
		}
	}
	d2 := arm64.D2
	fmul := func(d, n, m arm64.V) { k.Word(arm64.FMUL(d2, d, n, m)) }
	fadd := func(d, n, m arm64.V) { k.Word(arm64.FADD(d2, d, n, m)) }
	fsub := func(d, n, m arm64.V) { k.Word(arm64.FSUB(d2, d, n, m)) }
	byConst := func(d, n arm64.V, c arm64.V, lane int) { k.Word(arm64.FMULE(d2, d, n, c, lane)) }
	// underCheck branches to the under code when the mask has a lane set.
	underCheck := func(mask arm64.V) {
		k.ToGPR(arm64.D2, gsT0, mask, 0)
		k.ToGPR(arm64.D2, gsT1, mask, 1)
		k.Go("ORR %s, %s, %s", gsT1, gsT0, gsT0)
		k.Go("CBNZ %s, %s", gsT0, k.ref("under"))
		k.Label(k.label("under_back"))
	}
	// side emits the derivatives of one side in the kernel's precision
	// (float64: of the vector, inside the loop over the halves; float32: of
	// the whole vector, before it): weight w, std sd, sd·2/√π sdd, the
	// side's sums H, D and R, 1/√π in lane invLane of inv.
	side := func(w, sd, sdd, H, D, R, inv arm64.V, invLane int, neg bool, ptrs []arm64.R) {
		t := k.get() // gw = H − (0 + w·(σ·2/√π))
		k.fmul(t, w, sdd)
		k.fadd(t, zero, t)
		k.fsub(t, H, t)
		k.store(t, ptrs[0], false, 0)
		k.put(t)
		t = k.get() // gm = w·(±D)
		if neg {
			k.Word(arm64.FNEG(p.arr, t, D))
			k.fmul(t, w, t)
		} else {
			k.fmul(t, w, D)
		}
		k.store(t, ptrs[1], false, 0)
		k.put(t)
		t = k.get() // gs = w·(σ·R − w·(1/√π)), +0 unless σ > 0
		k.fmul(t, sd, R)
		u := k.get()
		k.Word(arm64.FMULE(p.arr, u, w, inv, invLane))
		k.fsub(t, t, u)
		k.fmul(t, w, t)
		k.Word(arm64.FCMGT(p.arr, u, sd, zero))
		k.VAND(t, t, u)
		k.put(u)
		k.store(t, ptrs[2], false, 0)
		k.put(t)
	}
	if grad && !p.f64 {
		// float32: the derivatives of both sides on the whole vector, the
		// constants 2/√π and 1/√π rounded to float32 in lanes 0 and 1 of c32.
		sdd := k.get()
		k.Word(arm64.FMULE(p.arr, sdd, sa, c32, 0))
		side(a, sa, sdd, rh, rd, rr, c32, 1, false, gsGrad[:3])
		k.Word(arm64.FMULE(p.arr, sdd, sb, c32, 0))
		side(b, sb, sdd, ch, cd, cr, c32, 1, true, gsGrad[3:])
		k.put(sdd, rd, rr, ch, cd, cr)
	}

	// Each half: the inputs widened once; the value: cross = 0 + a·rh,
	// self = 0 + (w·w)·(σ·2/√π) per side, vals = max(cross − 0.5·(selfP +
	// selfQ), +0), the under mask; then the derivatives.
	var o, mask arm64.V
	if !p.f64 {
		o, mask = k.get(), k.get()
	}
	halves := 1
	if !p.f64 {
		halves = 2
	}
	for hf := range halves {
		A, B, SA, SB := wide(a, hf), wide(b, hf), wide(sa, hf), wide(sb, hf)
		SAd, SBd := k.get(), k.get()
		byConst(SAd, SA, c0, 0)
		byConst(SBd, SB, c0, 0)
		RH := wide(rh, hf)
		cross := k.get()
		fmul(cross, A, RH)
		fadd(cross, zero, cross)
		sp, sq := k.get(), k.get()
		fmul(sp, A, A)
		fmul(sp, sp, SAd)
		fadd(sp, zero, sp)
		fmul(sq, B, B)
		fmul(sq, sq, SBd)
		fadd(sq, zero, sq)
		fadd(sp, sp, sq)
		k.put(sq)
		byConst(sp, sp, c0, 1)
		fsub(sp, cross, sp)
		k.Word(arm64.FMAX(d2, sp, sp, zero))
		byConst(cross, cross, c1, 0)
		k.Word(arm64.FCMGT(d2, cross, sp, cross))
		if p.f64 {
			k.store(sp, gsOut, false, 0)
			k.Word(arm64.FCMEQZ(d2, sp, sp))
			k.VAND(cross, cross, sp)
			k.put(sp)
			underCheck(cross)
			mask = cross
			k.put(cross)
		} else {
			if hf == 0 {
				k.Word(arm64.FCVTN(o, sp))
				k.Word(arm64.XTN(mask, cross))
			} else {
				k.Word(arm64.FCVTN2(o, sp))
				k.Word(arm64.XTN2(mask, cross))
			}
			k.put(sp, cross)
		}
		if grad && p.f64 {
			sums()
			side(A, SA, SAd, RH, rd, rr, c1, 1, false, gsGrad[:3])
			side(B, SB, SBd, ch, cd, cr, c1, 1, true, gsGrad[3:])
		}
		drop(RH)
		drop(A, B, SA, SB)
		k.put(SAd, SBd)
	}
	if !p.f64 {
		k.store(o, gsOut, false, 0)
		k.Word(arm64.FCMEQZ(p.arr, o, o))
		k.VAND(mask, mask, o)
		k.put(o)
		underCheck(mask)
		k.put(mask)
	}
	k.put(a, b, sa, sb, rh)
	if grad && p.f64 {
		k.put(rd, rr, ch, cd, cr)
	}
	if cs == nil {
		k.put(zero, c0, c1)
	}
	return mask
}

// gaussConsts returns the combination's constants: +0, [2/√π, 0.5] and
// [2⁻⁵⁰, 1/√π] (cs, loaded once before the loop, or loaded into new
// registers here when cs is nil).
func (k *pair) gaussConsts(cs *[3]arm64.V) (zero, c0, c1 arm64.V) {
	if cs != nil {
		return cs[0], cs[1], cs[2]
	}
	zero, c0, c1 = k.get(), k.get(), k.get()
	k.VZero(zero)
	k.Go("MOVD $gaussConst<>(SB), %s", gsT0)
	k.VLD1P(arm64.D2, gsT0, c0)
	k.VLD1P(arm64.D2, gsT0, c1)
	return zero, c0, c1
}
