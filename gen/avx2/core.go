package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The emitters below follow the steps of package approx (and of purego's
// core64.go / core32.go) one instruction per operation, so the assembly's
// element-wise results equal purego's bit for bit.

// reduce returns t = |z| from ad = |d| and rq = 1/q: the clamp maps NaN and
// +Inf to the clamp value, then lanes with d == 0 get 0.
// ad and rq may be registers or memory.
func (p *prec) reduce(ad, rq Op) VecVirtual {
	t := YMM()
	p.MOVU(ad, t)
	p.MUL(rq, t, t)              // t = ad·rq
	p.MIN(p.c("expClamp"), t, t) // t < clamp ? t : clamp (NaN → clamp)
	zero := YMM()
	p.XOR(zero, zero, zero)
	p.CMPEQ(ad, zero, zero) // lanes where ad == 0
	p.ANDN(t, zero, t)
	return t
}

// gather loads table[idx] into a new register. idx holds int64 lanes
// (float64 mode, qword) or int32 lanes; dwordIdx selects a XMM of four int32
// indices for float64 tables.
func (p *prec) gather(table Mem, idx Register, dwordIdx bool) VecVirtual {
	base := GP64()
	LEAQ(table, base)
	mask := YMM()
	p.ONES(mask)
	// The gather merges into dst (lanes whose mask bit is clear keep their
	// value), so dst is an input: zeroing it first tells the register
	// allocator that it is not live before, and the CPU that it does not
	// depend on the register's previous contents.
	dst := YMM()
	p.XOR(dst, dst, dst)
	m := Mem{Base: base, Index: idx, Scale: uint8(p.size)}
	switch {
	case p.f64 && dwordIdx:
		VGATHERDPD(mask, m, dst)
	case p.f64:
		VGATHERQPD(mask, m, dst)
	default:
		VGATHERDPS(mask, m, dst)
	}
	return dst
}

// expNegSquare returns exp(−t²) for 0 ≤ t ≤ clamp, with table "expTab".
func (p *prec) expNegSquare(t VecVirtual, table string) VecVirtual {
	hi := YMM()
	p.MUL(t, t, hi)
	lo := YMM()
	p.MOVU(hi, lo)
	p.FMSUB231(t, t, lo) // lo = t·t − hi
	kd := YMM()
	p.MOVU(p.c("expShift"), kd)
	p.FMADD231(p.c("expInvLn2N"), hi, kd) // kd = hi·N/ln2 + shift
	k := YMM()
	p.ISUB(p.c("expShift"), kd, k) // integer k = bits(kd) − bits(shift)
	p.SUB(p.c("expShift"), kd, kd)
	y := YMM()
	p.MOVU(hi, y)
	p.FMSUB231(p.c("ln2Hi"), kd, y) // y = kd·Hi − hi
	p.FMADD231(p.c("ln2Lo"), kd, y) // y = kd·Lo + y
	p.SUB(lo, y, y)
	n := len(p.expPoly)
	poly := YMM()
	p.MOVU(p.poly(n-1), poly)
	for i := n - 2; i >= 0; i-- {
		p.FMADD213(p.poly(i), y, poly) // poly = y·poly + c
	}
	p.FMADD213(p.c("one"), y, poly)
	p.MUL(y, poly, poly)
	var tab VecVirtual
	if p.f64 {
		idx := YMM()
		VPAND(p.c("expIndexMask"), k, idx)
		tab = p.gather(p.c(table), idx, false)
	} else {
		// Eight rows: one permutation by the low three bits of k.
		tab = YMM()
		VPERMPS(p.c(table), k, tab)
	}
	p.FMADD213(tab, poly, tab) // m = fma(T, p, T)
	e := YMM()
	p.ISHR(p.expBits, k, e)
	e1 := YMM()
	p.ISHR(1, e, e1)
	p.ISUB(e1, e, e) // e2 = e − e1
	expShiftBits := 52
	if !p.f64 {
		expShiftBits = 23
	}
	for _, part := range []VecVirtual{e1, e} {
		s := YMM()
		p.MOVU(p.c("expBias"), s)
		p.ISUB(part, s, s)
		p.ISHL(expShiftBits, s, s)
		p.MUL(s, tab, tab)
	}
	return tab
}

// gridPairs32 is gridPairs for the eight float32 lanes of j (rows of 8
// bytes: erf, exp): one 8-byte load per lane into the halves of four XMMs,
// two inserts and two shuffles to put the lanes back in order.
func (p *prec) gridPairs32(j VecVirtual) (terf, te2 VecVirtual) {
	base := GP64()
	LEAQ(p.c("erfExpGridTab"), base)
	upper := XMM()
	VEXTRACTI128(Imm(1), j, upper)
	var xs [2][2]VecVirtual // [half of j][rows 0,1 or 2,3 of that half]
	for h, src := range []Op{j.AsX(), upper} {
		for pair := 0; pair < 2; pair++ {
			hi := GP64()
			if pair == 0 {
				VMOVQ(src, hi)
			} else {
				VPEXTRQ(Imm(1), src, hi)
			}
			lo := GP64()
			MOVL(hi.As32(), lo.As32())
			SHRQ(Imm(32), hi)
			x := XMM()
			p.XOR(x.AsY(), x.AsY(), x.AsY())
			VMOVSD(Mem{Base: base, Index: lo, Scale: 8}, x)
			VMOVHPS(Mem{Base: base, Index: hi, Scale: 8}, x, x)
			xs[h][pair] = x
		}
	}
	a, b := YMM(), YMM()
	VINSERTF128(Imm(1), xs[1][0], xs[0][0].AsY(), a) // rows 0, 1 | 4, 5
	VINSERTF128(Imm(1), xs[1][1], xs[0][1].AsY(), b) // rows 2, 3 | 6, 7
	terf, te2 = YMM(), YMM()
	VSHUFPS(Imm(0x88), b, a, terf) // erf of rows 0–3 | 4–7
	VSHUFPS(Imm(0xdd), b, a, te2)  // exp of rows 0–3 | 4–7
	return terf, te2
}

// erfExpPos returns erf(t) and e2 = 2/√π·exp(−t²) for t ≥ 0, both from one
// row of the erf grid (purego erfExpPos64 / erfExpPos32).
func (p *prec) erfExpPos(t VecVirtual) (erf, e2 VecVirtual) {
	tc, j, rj, dl := p.erfRow(t)
	u := YMM()
	p.MOVU(tc, u)
	p.FMADD231(p.c("invErfStep"), rj, u) // tc + r = rj/step + tc
	p.MUL(dl, u, u)                      // u = dl·(tc + r)
	var terf, te2 VecVirtual
	if p.f64 {
		terf, te2 = p.gridPairs(j.(VecVirtual))
	} else {
		terf, te2 = p.gridPairs32(j.(VecVirtual))
	}
	n := len(p.gridPoly)
	poly := YMM()
	p.MOVU(p.gridPolyC(n-1), poly)
	for k := n - 2; k >= 0; k-- {
		p.FMADD213(p.gridPolyC(k), u, poly) // poly = u·poly + c
	}
	p.MUL(u, poly, poly)       // e^(−u) − 1
	p.FMADD213(te2, poly, te2) // e2 = T·poly + T
	return p.erfFromRow(tc, dl, terf, te2), te2
}

// gridPairs reads erf(r) and 2/√π·exp(−r²) of the four float64 rows j
// (int32 lanes of an XMM) from the interleaved table "erfExpGridTab" (row j
// = the 16 bytes erf, exp): one 16-byte load per lane, and two unpacks put
// the lanes back in order (a gather per table costs more on current CPUs).
func (p *prec) gridPairs(j VecVirtual) (terf, te2 VecVirtual) {
	j2 := XMM()
	VPADDD(j, j, j2) // row offsets in units of 8 bytes
	base := GP64()
	LEAQ(p.c("erfExpGridTab"), base)
	a, b := YMM(), YMM()
	// (Zeroed first so that the register allocator does not take the XMM
	// loads below for partial writes of live registers.)
	p.XOR(a, a, a)
	p.XOR(b, b, b)
	// Lanes 0 and 1, then 2 and 3 (inserted in the upper halves), so that
	// only two row offsets are live at a time.
	for half := 0; half < 2; half++ {
		hi := GP64()
		if half == 0 {
			VMOVQ(j2, hi)
		} else {
			VPEXTRQ(Imm(1), j2, hi)
		}
		lo := GP64()
		MOVL(hi.As32(), lo.As32())
		SHRQ(Imm(32), hi)
		even, odd := Mem{Base: base, Index: lo, Scale: 8}, Mem{Base: base, Index: hi, Scale: 8}
		if half == 0 {
			VMOVUPD(even, a.AsX())
			VMOVUPD(odd, b.AsX())
		} else {
			VINSERTF128(Imm(1), even, a, a) // rows 0 | 2
			VINSERTF128(Imm(1), odd, b, b)  // rows 1 | 3
		}
	}
	terf, te2 = YMM(), YMM()
	VUNPCKLPD(b, a, terf) // erf of rows 0, 1 | 2, 3
	VUNPCKHPD(b, a, te2)  // exp of rows 0, 1 | 2, 3
	return terf, te2
}

// erfRow returns tc = min(t, ErfClamp), the nearest grid row j (int32
// lanes; an XMM in float64 mode), rj = j as a float and dl = tc − j/ErfStep,
// with j read from the bits of x = fma(tc, ErfStep, ErfShift).
func (p *prec) erfRow(t VecVirtual) (tc VecVirtual, j Register, rj, dl VecVirtual) {
	tc = YMM()
	p.MIN(p.c("erfClamp"), t, tc)
	x := YMM()
	p.MOVU(p.c("erfShift"), x)
	p.FMADD231(p.c("erfStep"), tc, x) // x = tc·step + shift
	rj = YMM()
	p.SUB(p.c("erfShift"), x, rj) // rj = x − shift = j
	dl = YMM()
	p.MOVU(tc, dl)
	p.FMADD231(p.c("negInvErfStep"), rj, dl) // dl = −rj/step + tc
	if p.f64 {
		perm, jy := YMM(), YMM()
		VMOVDQU(p.c("dwordEven"), perm)
		VPERMD(x, perm, jy) // the low dwords of the four lanes
		j = jy.AsX()
	} else {
		jy := YMM()
		VPAND(p.c("erfIndexMask"), x, jy)
		j = jy
	}
	return tc, j, rj, dl
}

// erfFromRow is erfPos from erfRow's tc and dl and the erf table row terf
// (a register it overwrites with the result).
func (p *prec) erfFromRow(tc, dl, terf VecVirtual, e2 Op) VecVirtual {
	t2 := YMM()
	p.MUL(tc, tc, t2)

	// Hermite coefficients c₂ … c_N: cₙ is a polynomial in t2 with ⌊n/2⌋+1
	// coefficients (times tc when n is odd), taken in order from the table.
	nTerms := 1
	for used := 0; used < len(p.hermite); nTerms++ {
		used += (nTerms+1)/2 + 1
	}
	offsets := make([]int, nTerms+2)
	for n, off := 2, 0; n <= nTerms; n++ {
		offsets[n] = off
		off += n/2 + 1
	}
	coef := func(n int) VecVirtual {
		v := YMM()
		off := offsets[n]
		p.MOVU(p.hermiteC(off), v)
		for i := 1; i <= n/2; i++ {
			p.FMADD213(p.hermiteC(off+i), t2, v) // v = t2·v + A
		}
		if n%2 == 1 {
			p.MUL(tc, v, v)
		}
		return v
	}
	q := coef(nTerms)
	for n := nTerms - 1; n >= 2; n-- {
		c := coef(n)
		p.FMADD213(c, dl, q) // q = dl·q + cₙ
	}
	p.FMADD213(tc, dl, q) // q = dl·q + tc
	u := YMM()
	p.MUL(q, dl, u)         // dl·q
	p.FMADD213(dl, dl, u)   // dp = dl·u + dl
	p.FMADD231(e2, u, terf) // erf = dp·e2 + T
	return terf
}

// pairCore returns h = fma(ad, erf, (q·½)·e2), erf and e2 for one vector.
// ad, q and rq may be registers or memory (the kernels keep them on the
// stack so that the sixteen YMM registers suffice).
func (p *prec) pairCore(ad, q, rq Op) (h, erf, e2, t VecVirtual) {
	t = p.reduce(ad, rq)
	h, erf, e2 = p.pairCoreReduced(ad, q, t)
	return h, erf, e2, t
}

// pairCoreReduced is pairCore from t = reduce(ad, rq) computed earlier (t,
// ad and q may be registers or memory).
func (p *prec) pairCoreReduced(ad, q, tOp Op) (h, erf, e2 VecVirtual) {
	t, ok := tOp.(VecVirtual)
	if !ok {
		t = YMM()
		p.MOVU(tOp, t)
	}
	erf, e2 = p.erfExpPos(t)
	h = YMM()
	p.MOVU(q, h)
	p.MUL(p.c("half"), h, h)
	p.MUL(e2, h, h)
	p.FMADD231(ad, erf, h) // h = erf·ad + h
	return h, erf, e2
}

// scale returns q = √(2v) and rq = 1/q.
func (p *prec) scale(v VecVirtual) (q, rq VecVirtual) {
	q = YMM()
	p.ADD(v, v, q)
	p.SQRT(q, q)
	rq = YMM()
	p.MOVU(p.c("one"), rq)
	p.DIV(q, rq, rq)
	return q, rq
}

// abs returns |x| and copysign returns |mag| with the sign of sgn.
func (p *prec) abs(x Op) VecVirtual {
	a := YMM()
	p.AND(p.c("absMask"), x, a)
	return a
}

func (p *prec) copysign(mag, sgn VecVirtual) {
	s := YMM()
	p.AND(p.c("signMask"), sgn, s)
	p.OR(s, mag, mag)
}
