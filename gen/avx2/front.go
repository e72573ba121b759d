package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The front end of a batch chunk (see purego.BatchFront64): the checks of a
// side's values and its layout in lanes, in three loops over the chunk.
//
//  1. The checks, over the n·c contiguous values of w, m and s, two vectors
//     at a time, then one (the last vector overlaps the one before it when
//     n·c is not a multiple of the vector: ORs and ANDs do not mind seeing
//     a value twice); for c = 1 the same loop stores the variances s² and
//     checks the weights, which are the sums.
//  2. For c > 1, the transposition: tiles of one vector of lanes (4
//     mixtures in float64, 8 in float32) by 4 components, or 2 when c < 4.
//     Rows of 4 components are loaded 128 bits at a time, two rows per
//     register (the first by VBROADCASTF128, which writes the whole
//     register, so that the register allocator sees it defined), float64
//     ones as two halves of 2 components; rows of 2 float32 components 64
//     bits at a time (VPBROADCASTQ, blended into place). Unpack or shuffle
//     instructions then give one vector per component; the stds are
//     squared on the way. The last tile of a row of tiles overlaps the one before it when c is not a multiple of the
//     tile, and the last block of lanes the one before it when n is not a
//     multiple of the vector: both store the same values again.
//  3. For c > 1, the weight sums, per block of lanes, from the
//     lane-interleaved weights in ascending order of component, in float64
//     (float32 weights converted), each compared with the tolerance. For
//     c = 1 the sums are the weights, compared in loop 1.
//
// The checked function (asm/front.go) calls the assembly only when it has
// at least one full vector of lanes, and purego otherwise, so the overlaps
// above always stay inside the slices.

// frontOne and frontAbs are float64 1 and the float64 magnitude mask, which
// the weight sums use in both precisions.
var frontOne, frontAbs Mem

// declareFront declares the constants of the front-end kernels.
func declareFront(precs []*prec) {
	frontOne = GLOBL("frontOne", RODATA|NOPTR)
	for off := 0; off < 32; off += 8 {
		DATA(off, U64(math.Float64bits(1)))
	}
	frontAbs = GLOBL("frontAbs", RODATA|NOPTR)
	for off := 0; off < 32; off += 8 {
		DATA(off, U64(1<<63-1))
	}
	for _, p := range precs {
		p.kint("frontOneInt", 1)
	}
}

// frontAcc holds the accumulators of the FrontScan words.
type frontAcc struct {
	or, gt, big, noLossy, sums VecVirtual
	gtLim, geSmall, geLossy    Mem // the limits, one per lane
	tol                        Mem // float64 lanes
}

// genFront emits BatchFront64 or BatchFront32.
func (p *prec) genFront() {
	name := "BatchFront" + p.name
	TEXT(spec.Stub(name), NOSPLIT, fmt.Sprintf("func(dw, dm, dv, w, m, s []%s, c, n int, lim *[4]uint64, r *[5]uint64)", p.ty()))
	Doc(spec.Wrap(fmt.Sprintf("%s is the assembly of %s (front.go; see purego.%s), with lim the purego.FrontLimits and r the purego.FrontScan it fills. It trusts the lengths and integers it is given: only %s, which cuts every slice to the length used here and calls it only with c ≥ 1 and n ≥ %d, calls it.",
		spec.Stub(name), name, name, name, p.lanes), 76-len("// "))...)
	Pragma("noescape")
	a := p.frontLimits()
	a.init()

	c := p.intParam("c")
	CMPQ(c, Imm(1))
	JNE(LabelRef("front_many"))
	p.frontChecks(&a, true)
	JMP(LabelRef("front_done"))
	Label("front_many")
	p.frontChecks(&a, false)
	if p.f64 { // tiles of 4 components when there are 4, else of 2
		CMPQ(p.intParam("c"), Imm(4))
		JL(LabelRef("front_tile2"))
		p.frontTranspose(4, "_4")
		JMP(LabelRef("front_transposed"))
		Label("front_tile2")
		p.frontTranspose(2, "_2")
	} else { // tiles of 4 components when there are 4, else of 2
		CMPQ(p.intParam("c"), Imm(4))
		JL(LabelRef("front_tile2"))
		p.frontTranspose(4, "_4")
		JMP(LabelRef("front_transposed"))
		Label("front_tile2")
		p.frontTranspose(2, "_2")
	}
	Label("front_transposed")
	p.frontSums(&a)
	Label("front_done")

	p.frontResult(&a, Mem{Base: Load(Param("r"), GP64())})
	VZEROUPPER()
	RET()
}

// frontLimits returns the accumulators of a scan with the limits of the
// argument lim (a *[4]uint64: purego.FrontLimits) broadcast to their stack
// slots; init sets the accumulators.
func (p *prec) frontLimits() frontAcc {
	var a frontAcc
	a.gtLim, a.geSmall, a.geLossy, a.tol = AllocLocal(32), AllocLocal(32), AllocLocal(32), AllocLocal(32)
	limP := Load(Param("lim"), GP64())
	for i, m := range []Mem{a.gtLim, a.geSmall, a.geLossy} {
		t := YMM()
		if p.f64 {
			VPBROADCASTQ(Mem{Base: limP, Disp: 8 * i}, t)
		} else {
			VPBROADCASTD(Mem{Base: limP, Disp: 8 * i}, t)
		}
		VMOVDQU(t, m)
	}
	t := YMM()
	VBROADCASTSD(Mem{Base: limP, Disp: 24}, t)
	VMOVUPD(t, a.tol)
	return a
}

// init sets the accumulators of a scan of no values (new registers).
func (a *frontAcc) init() {
	a.or, a.gt, a.big, a.noLossy, a.sums = YMM(), YMM(), YMM(), YMM(), YMM()
	VPXOR(a.or, a.or, a.or)
	VPXOR(a.gt, a.gt, a.gt)
	VPCMPEQD(a.big, a.big, a.big)
	VPCMPEQD(a.noLossy, a.noLossy, a.noLossy)
	VPCMPEQD(a.sums, a.sums, a.sums)
}

// frontResult stores the FrontScan of the accumulators to the five uint64
// at r.
func (p *prec) frontResult(a *frontAcc, r Mem) {
	p.frontStore(a.or, VPOR, p.f64, r)
	p.frontStore(a.gt, VPOR, p.f64, Mem{Base: r.Base, Disp: r.Disp + 8})
	p.frontStore(a.big, VPAND, p.f64, Mem{Base: r.Base, Disp: r.Disp + 16})
	p.frontStore(a.noLossy, VPAND, p.f64, Mem{Base: r.Base, Disp: r.Disp + 24})
	p.frontStore(a.sums, VPAND, true, Mem{Base: r.Base, Disp: r.Disp + 32})
}

// iadd is the integer lane addition of the element width: d = a + b.
func (p *prec) iadd(a, b, d Op) { pick(p, VPADDQ, VPADDD)(a, b, d) }

// frontChecks emits loop 1: the FrontScan words of every value (and for
// one component, dv = s² and the weight checks, which then are the sums).
// The pointers and the three limits stay in registers.
func (p *prec) frontChecks(a *frontAcc, one bool) {
	sfx := "_many"
	if one {
		sfx = "_one"
	}
	nc := GP64()
	MOVQ(p.intParam("c"), nc)
	IMULQ(p.intParam("n"), nc)
	SUBQ(Imm(uint64(p.lanes)), nc) // the start of the last vector
	sp, mp, wp := p.ptr("s"), p.ptr("m"), p.ptr("w")
	var dvp GPVirtual
	if one {
		dvp = p.ptr("dv")
	}
	p.frontCheckLoop(a, one, sfx, nc, sp, mp, wp, dvp)
}

// frontCheckLoop is loop 1 over the values up to element nc + lanes (nc:
// the start of the last vector, ≥ 0) of the stds, means and weights at sp,
// mp and wp; with one, the weights are checked as sums and the variances
// stored at dvp (unless dvp is nil). sfx makes its labels unique.
func (p *prec) frontCheckLoop(a *frontAcc, one bool, sfx string, nc, sp, mp, wp, dvp GPVirtual) {
	gtLim, geSmall, geLossy := YMM(), YMM(), YMM()
	VMOVDQU(a.gtLim, gtLim)
	VMOVDQU(a.geSmall, geSmall)
	VMOVDQU(a.geLossy, geLossy)
	// Two vectors per iteration while two remain, then one at a time, the
	// last one clamped to end at the last value.
	x := GP64()
	XORQ(x, x)
	lastPair := GP64()
	LEAQ(Mem{Base: nc, Disp: -p.lanes}, lastPair)
	Label("front_check2" + sfx)
	CMPQ(x, lastPair)
	JG(LabelRef("front_check2_done" + sfx))
	p.frontCheckVector(a, one, sp, mp, wp, dvp, x, 0, gtLim, geSmall, geLossy)
	p.frontCheckVector(a, one, sp, mp, wp, dvp, x, p.lanes, gtLim, geSmall, geLossy)
	ADDQ(Imm(uint64(2*p.lanes)), x)
	JMP(LabelRef("front_check2" + sfx))
	Label("front_check2_done" + sfx)
	end := GP64()
	LEAQ(Mem{Base: nc, Disp: p.lanes}, end)
	CMPQ(x, end)
	JGE(LabelRef("front_checked" + sfx))
	Label("front_check" + sfx)
	CMPQ(x, nc)
	CMOVQGT(nc, x)
	p.frontCheckVector(a, one, sp, mp, wp, dvp, x, 0, gtLim, geSmall, geLossy)
	CMPQ(x, nc)
	JGE(LabelRef("front_checked" + sfx))
	ADDQ(Imm(uint64(p.lanes)), x)
	JMP(LabelRef("front_check" + sfx))
	Label("front_checked" + sfx)
}

// frontCheckVector is the body of loop 1 for the vector at element x + d.
func (p *prec) frontCheckVector(a *frontAcc, one bool, sp, mp, wp, dvp, x GPVirtual, d int, gtLim, geSmall, geLossy VecVirtual) {
	at := func(ptr GPVirtual) Mem { m := p.at(ptr, x); m.Disp = d * p.size; return m }
	s, m, w := YMM(), YMM(), YMM()
	p.MOVU(at(sp), s)
	p.MOVU(at(mp), m)
	p.MOVU(at(wp), w)
	VPOR(s, a.or, a.or)
	VPOR(w, a.or, a.or)
	t, u := YMM(), YMM()
	VPAND(p.c("absMask"), m, m) // |m|
	p.iadd(gtLim, m, t)
	p.iadd(gtLim, s, u)
	VPOR(t, a.gt, a.gt)
	VPOR(u, a.gt, a.gt)
	p.iadd(geSmall, m, t)
	p.iadd(geSmall, s, u)
	VPOR(t, u, t)
	VPAND(t, a.big, a.big)
	p.ISUB(p.c("frontOneInt"), s, t) // s − 1
	p.iadd(geLossy, s, u)
	VPOR(t, u, t)
	VPAND(t, a.noLossy, a.noLossy)
	if one {
		if dvp != nil {
			p.MUL(s, s, s)
			p.MOVU(s, at(dvp))
		}
		if p.f64 {
			p.frontSumCheck(a, w)
		} else {
			VCVTPS2PD(w.AsX(), t)
			p.frontSumCheck(a, t)
			VEXTRACTF128(Imm(1), w, w.AsX())
			VCVTPS2PD(w.AsX(), t)
			p.frontSumCheck(a, t)
		}
	}
}

// frontSumCheck ANDs into the sums word the lanes of the float64 sums v
// with |v − 1| ≤ tol (ordered: NaN fails); v is overwritten.
func (p *prec) frontSumCheck(a *frontAcc, v VecVirtual) {
	VSUBPD(frontOne, v, v)
	VANDPD(frontAbs, v, v)
	VCMPPD(Imm(0x12), a.tol, v, v)
	VANDPD(v, a.sums, a.sums)
}

// frontTranspose emits loop 2 (c > 1) for tiles of the given number of
// components (float64: 2 or 4, as two halves of 2; float32: 4); sfx makes
// its labels unique.
func (p *prec) frontTranspose(tile int, sfx string) {
	size, vl := p.size, p.lanes
	shift := uint64(math.Log2(float64(size)))
	// rs: bytes per mixture; nb: bytes per row of lanes.
	rs, nb := GP64(), GP64()
	MOVQ(p.intParam("c"), rs)
	SHLQ(Imm(shift), rs)
	MOVQ(p.intParam("n"), nb)
	SHLQ(Imm(shift), nb)
	l0 := GP64()
	XORQ(l0, l0)
	Label("front_lanes" + sfx)
	last := GP64()
	MOVQ(p.intParam("n"), last)
	SUBQ(Imm(uint64(vl)), last)
	CMPQ(l0, last)
	CMOVQGT(last, l0)
	i0 := GP64()
	XORQ(i0, i0)
	Label("front_tiles" + sfx)
	lastT := GP64()
	MOVQ(p.intParam("c"), lastT)
	SUBQ(Imm(uint64(tile)), lastT)
	CMPQ(i0, lastT)
	CMOVQGT(lastT, i0)
	// off0, off1: the bytes of the tile in mixtures l0 and l0+1 (those of
	// l0+2 and l0+3 are 2·rs further, and in float32 l0+4 … l0+7 another
	// 4·rs); d: the bytes of component i0 of lane l0 in the outputs.
	off0, off1, d := GP64(), GP64(), GP64()
	MOVQ(l0, off0)
	IMULQ(rs, off0)
	LEAQ(Mem{Base: off0, Index: i0, Scale: uint8(size)}, off0)
	LEAQ(Mem{Base: off0, Index: rs, Scale: 1}, off1)
	MOVQ(i0, d)
	IMULQ(nb, d)
	LEAQ(Mem{Base: d, Index: l0, Scale: uint8(size)}, d)
	for _, arr := range [][2]string{{"w", "dw"}, {"m", "dm"}, {"s", "dv"}} {
		xp := p.ptr(arr[0])
		x2 := GP64()
		LEAQ(Mem{Base: xp, Index: rs, Scale: 2}, x2)
		var out []VecVirtual
		if p.f64 {
			// A = [row 0 | row 2], B = [row 1 | row 3], two components
			// each, per half of the tile.
			for h := 0; h < tile/2; h++ {
				at := func(base, off GPVirtual) Mem { return Mem{Base: base, Index: off, Scale: 1, Disp: 16 * h} }
				A, B := YMM(), YMM()
				VBROADCASTF128(at(xp, off0), A)
				VINSERTF128(Imm(1), at(x2, off0), A, A)
				VBROADCASTF128(at(xp, off1), B)
				VINSERTF128(Imm(1), at(x2, off1), B, B)
				lo := YMM()
				VUNPCKLPD(B, A, lo)
				VUNPCKHPD(B, A, A)
				out = append(out, lo, A)
			}
		} else if tile == 2 {
			// Y0 = [rows 0, 1 | rows 4, 5], Y1 = [rows 2, 3 | rows 6, 7],
			// two components (8 bytes) per row, each row broadcast and
			// blended into its place; then one shuffle per component.
			x4, x6 := GP64(), GP64()
			LEAQ(Mem{Base: xp, Index: rs, Scale: 4}, x4)
			LEAQ(Mem{Base: x2, Index: rs, Scale: 4}, x6)
			var y [2]VecVirtual
			for h := range y {
				lo, hi := xp, x4
				if h == 1 {
					lo, hi = x2, x6
				}
				y[h] = YMM()
				VPBROADCASTQ(Mem{Base: lo, Index: off0, Scale: 1}, y[h])
				for q, src := range []Mem{{Base: lo, Index: off1, Scale: 1}, {Base: hi, Index: off0, Scale: 1}, {Base: hi, Index: off1, Scale: 1}} {
					t := YMM()
					VPBROADCASTQ(src, t)
					VPBLENDD(Imm(uint64(3)<<(2*(q+1))), t, y[h], y[h])
				}
			}
			a, b := YMM(), YMM()
			VSHUFPS(Imm(0x88), y[1], y[0], a)
			VSHUFPS(Imm(0xdd), y[1], y[0], b)
			out = []VecVirtual{a, b}
		} else {
			// Y0 … Y3 = [row j | row j+4], four components each.
			x4, x6 := GP64(), GP64()
			LEAQ(Mem{Base: xp, Index: rs, Scale: 4}, x4)
			LEAQ(Mem{Base: x2, Index: rs, Scale: 4}, x6)
			var y [4]VecVirtual
			for j := range y {
				lo, hi, off := xp, x4, off0
				if j >= 2 {
					lo, hi = x2, x6
				}
				if j%2 == 1 {
					off = off1
				}
				y[j] = YMM()
				VBROADCASTF128(Mem{Base: lo, Index: off, Scale: 1}, y[j])
				VINSERTF128(Imm(1), Mem{Base: hi, Index: off, Scale: 1}, y[j], y[j])
			}
			// Registers reused as soon as they are free (five live at most).
			t0, t1, t2, t3 := YMM(), y[0], y[1], y[2]
			VUNPCKLPS(y[1], y[0], t0)
			VUNPCKHPS(y[1], y[0], t1)
			VUNPCKLPS(y[3], y[2], t2)
			VUNPCKHPS(y[3], y[2], t3)
			o0, o1, o2, o3 := y[3], t0, t2, t1
			VUNPCKLPD(t2, t0, o0)
			VUNPCKHPD(t2, t0, o1)
			VUNPCKLPD(t3, t1, o2)
			VUNPCKHPD(t3, t1, o3)
			out = []VecVirtual{o0, o1, o2, o3}
		}
		// Component i0+k of lanes l0 … at byte d + k·nb: (dp)(nb·1),
		// (dp)(nb·2), then from dp + 2·nb again.
		dp := p.ptr(arr[1])
		ADDQ(d, dp)
		for k, o := range out {
			if arr[0] == "s" {
				p.MUL(o, o, o)
			}
			if k == 2 {
				LEAQ(Mem{Base: dp, Index: nb, Scale: 2}, dp)
			}
			switch k % 2 {
			case 0:
				p.MOVU(o, Mem{Base: dp})
			case 1:
				p.MOVU(o, Mem{Base: dp, Index: nb, Scale: 1})
			}
		}
	}
	CMPQ(i0, lastT)
	JGE(LabelRef("front_tiles_done" + sfx))
	ADDQ(Imm(uint64(tile)), i0)
	JMP(LabelRef("front_tiles" + sfx))
	Label("front_tiles_done" + sfx)
	CMPQ(l0, last)
	JGE(LabelRef("front_lanes_done" + sfx))
	ADDQ(Imm(uint64(vl)), l0)
	JMP(LabelRef("front_lanes" + sfx))
	Label("front_lanes_done" + sfx)
}

// frontSums emits loop 3.
func (p *prec) frontSums(a *frontAcc) {
	vl := p.lanes
	src := p.ptr("dw")
	l0 := GP64()
	XORQ(l0, l0)
	Label("front_sum_lanes")
	last := GP64()
	MOVQ(p.intParam("n"), last)
	SUBQ(Imm(uint64(vl)), last)
	CMPQ(l0, last)
	CMOVQGT(last, l0)
	// acc (float32: acc, acc2 for lanes l0+4 …) = Σᵢ src[i·n + l0 …].
	e := GP64()
	MOVQ(l0, e)
	k := GP64()
	MOVQ(p.intParam("c"), k)
	acc, acc2 := YMM(), YMM()
	at := func(d int) Mem { return Mem{Base: src, Index: e, Scale: uint8(p.size), Disp: d} }
	if p.f64 {
		VMOVUPD(at(0), acc)
	} else {
		VCVTPS2PD(at(0), acc)
		VCVTPS2PD(at(16), acc2)
	}
	Label("front_sum_comps")
	DECQ(k)
	JE(LabelRef("front_sum_done"))
	ADDQ(p.intParam("n"), e)
	if p.f64 {
		VADDPD(at(0), acc, acc)
	} else {
		t := YMM()
		VCVTPS2PD(at(0), t)
		VADDPD(t, acc, acc)
		VCVTPS2PD(at(16), t)
		VADDPD(t, acc2, acc2)
	}
	JMP(LabelRef("front_sum_comps"))
	Label("front_sum_done")
	accs := []VecVirtual{acc}
	if !p.f64 {
		accs = append(accs, acc2)
	}
	for _, v := range accs {
		p.frontSumCheck(a, v)
	}
	CMPQ(l0, last)
	JGE(LabelRef("front_sums_done"))
	ADDQ(Imm(uint64(vl)), l0)
	JMP(LabelRef("front_sum_lanes"))
	Label("front_sums_done")
}

// frontStore reduces the lanes of v with op (VPOR or VPAND) over 64-bit
// (w64) or 32-bit lanes and stores the result, zero-extended, to the uint64
// at mem.
func (p *prec) frontStore(v VecVirtual, op func(a, b, d Op), w64 bool, mem Mem) {
	hi := XMM()
	VEXTRACTI128(Imm(1), v, hi)
	op(hi, v.AsX(), v.AsX())
	VPSHUFD(Imm(0x4e), v.AsX(), hi)
	op(hi, v.AsX(), v.AsX())
	if w64 {
		VMOVQ(v.AsX(), mem)
		return
	}
	VPSHUFD(Imm(0xb1), v.AsX(), hi)
	op(hi, v.AsX(), v.AsX())
	g := GP32()
	VMOVD(v.AsX(), g)
	MOVL(g, mem)
	MOVL(U32(0), Mem{Base: mem.Base, Disp: mem.Disp + 4})
}
