package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
	"github.com/gmmkit/cramer/internal/approx"
)

// declareFastExp emits the constants and the table of Exp64 (approx.FastExp…),
// float64 only.
func (p *prec) declareFastExp() {
	p.k("fastExpMin", approx.FastExpMin)
	p.k("fastExpScale", approx.FastExpScale)
	p.k("fastExpShift", approx.FastExpShift)
	p.k("fastExpStep", approx.FastExpStep)
	p.kint("fastExpIndexMask", approx.FastExpN-1)
	p.table("fastExp2Tab", approx.FastExp2Table[:])
}

// fastExpUnroll is the number of vectors per pass of Exp64's loop.
const fastExpUnroll = 2

// genFastExp emits Exp64 (purego.Exp64): the steps of approx.FastExp… one
// instruction per operation, products and sums separate (no FMA), so the
// results equal purego's bit for bit.
func (p *prec) genFastExp() {
	if !p.f64 {
		panic("Exp is float64 only")
	}
	p.text(spec.FastExp, []string{"dst", "x"})
	dst, x, n := p.ptr("dst"), p.ptr("x"), p.length("x")
	zero := GP64()
	XORQ(zero, zero)
	p.vectorLoop("fastexp", zero, n, fastExpUnroll, nil, func(i GPVirtual, mask Op, _ int) {
		v := p.load(p.at(x, i), mask)
		// keep = !(v < FastExpMin): false only for the lanes whose result is 0
		// (NaN lanes are kept, as in purego).
		keep := YMM()
		VCMPPD(Imm(0x15), p.c("fastExpMin"), v, keep) // NLT_UQ
		t := YMM()
		VMULPD(p.c("fastExpScale"), v, t)
		VADDPD(p.c("fastExpShift"), t, t) // t = x·scale + shift
		nn := YMM()
		VPSUBQ(p.c("fastExpShift"), t, nn) // n = bits(t) − bits(shift)
		VSUBPD(p.c("fastExpShift"), t, t)
		VMULPD(p.c("fastExpStep"), t, t)
		r := YMM()
		VSUBPD(t, v, r) // r = x − (t − shift)·step
		pr := YMM()
		VMULPD(r, r, pr)
		VMULPD(p.c("half"), pr, pr)
		VADDPD(r, pr, pr)
		VADDPD(p.c("one"), pr, pr) // p = ((r·r)·½ + r) + 1
		idx := YMM()
		VPAND(p.c("fastExpIndexMask"), nn, idx)
		tab := p.lanesLookup(p.c("fastExp2Tab"), idx)
		// (n >> 7)·2⁵² by two logical shifts: only bits 7 … 18 of n reach
		// the exponent field, so an arithmetic shift would give the same.
		VPSRLQ(Imm(approx.FastExpBits), nn, nn)
		VPSLLQ(Imm(52), nn, nn)
		VPADDQ(nn, tab, tab)
		VMULPD(tab, pr, pr)
		VANDPD(keep, pr, pr)
		p.store(pr, p.at(dst, i), mask)
	})
	VZEROUPPER()
	RET()
}

// lanesLookup returns table[idx] for the four int64 lanes of idx, element
// by element: the indices are moved to general-purpose registers and the
// rows loaded into the halves of two XMMs (cheaper than VGATHERQPD, which
// is microcoded on some CPUs). idx is clobbered.
func (p *prec) lanesLookup(table Mem, idx VecVirtual) VecVirtual {
	base := GP64()
	LEAQ(table, base)
	r0, r1, r2, r3 := GP64(), GP64(), GP64(), GP64()
	VMOVQ(idx.AsX(), r0)
	VPEXTRQ(Imm(1), idx.AsX(), r1)
	hi := XMM()
	VEXTRACTI128(Imm(1), idx, hi)
	VMOVQ(hi, r2)
	VPEXTRQ(Imm(1), hi, r3)
	lo := YMM()
	VMOVSD(Mem{Base: base, Index: r0, Scale: 8}, lo.AsX())
	VMOVHPD(Mem{Base: base, Index: r1, Scale: 8}, lo.AsX(), lo.AsX())
	VMOVSD(Mem{Base: base, Index: r2, Scale: 8}, hi)
	VMOVHPD(Mem{Base: base, Index: r3, Scale: 8}, hi, hi)
	VINSERTF128(Imm(1), hi, lo, lo)
	return lo
}
