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
//     fma(a, ·, +0), in the kernel's precision, and from them the mean
//     derivatives (in the kernel's precision: see below);
//  3. the value in float64 (gaussCombine; float32 inputs and sums
//     converted, four lanes per block, two blocks per float32 vector:
//     purego's gaussianValue, BatchPairValues for one component per side),
//     its rounding and the first lane that underflows, and the weight and
//     std derivatives (gaussianSideGrad: BatchSideGrad for one component)
//     in the kernel's precision: in float64 with the value (gaussCombine),
//     in float32 on the whole vector after the values of its two blocks
//     (gaussValue32, gaussGrad32), without conversions.
//
// Every lane thus runs purego's operations in purego's order, the passes
// only reorder the independent work of different lanes. A few operations
// that cannot change a bit are left out, each named where it would be: the
// subtractions of the +0 self sums (x − (+0) is x for every x, −0 and NaN
// included: gp.M, gq.M, gp.S, gq.S), the products by +1 (gp.M; exact, and
// the sums they would multiply are FMA results, never signalling NaNs), the
// second conversion of a float32 value for its underflow test.
// The lanes past the last whole vector take one more vector that ends at
// lane n − 1 and overlaps the one before it: its lanes get the same bits
// again (no output overlaps an input), and since the lanes are done in
// ascending order the first lane that underflows is still the first. The
// checked functions (asm/gaussian_amd64.go) call the assembly only with at
// least one whole vector of lanes (purego otherwise), so no access leaves
// the slices. Every lane's inputs are read before its outputs are stored,
// and in pass 3 a block's inputs before its first store, so that no load
// closely follows a store to the same address modulo 4096 (a false
// dependency: with the slices a multiple of 4 KiB apart, as large
// allocations are, an earlier order of these loads and stores made the
// float32 gradient 1.3× slower).

// gaussGroup is the largest number of vectors of lanes per group.
const gaussGroup = 16

// gaussUnder32 holds float64 2⁻¹⁵⁰, the largest v ≥ 0 with float32(v) = 0.
var gaussUnder32 Mem

// declareGaussian declares the constants of the Gaussian kernels.
func declareGaussian(precs []*prec) {
	gaussUnder32 = GLOBL("gaussUnder32", RODATA|NOPTR)
	for off := 0; off < 32; off += 8 {
		DATA(off, U64(math.Float64bits(0x1p-150)))
	}
	for _, p := range precs {
		p.k("minusOne", -1)
	}
}

// gaussSlots are the stack slots of a group, indexed by the element offset
// of a vector in the group: d, |d|, q, t and 1/q with 0 where q = 0 (pass
// 1 to 2); the row sums H and R of p (from q's weights) and the column sums
// H and R of q (from p's weights) (pass 2 to 3; the D sums do not leave
// pass 2, and the values need H of p only); for the gradient, copies of
// the inputs pass 3 reads (wa, sa, wb, sb; passes 1 and 2 to 3).
type gaussSlots struct {
	d, ad, q, t, rqm Mem
	sums             [2][3]Mem
	in               map[string]Mem
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
		sl.in = map[string]Mem{}
		for _, name := range []string{"wa", "sa", "wb", "sb"} {
			sl.in[name] = buf()
		}
		nsums = 3
	}
	for side := range sl.sums {
		if side == 1 && !grad {
			break
		}
		for u := range nsums {
			if u != 1 { // the D sums stay in registers (pass 2)
				sl.sums[side][u] = buf()
			}
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
		if grad {
			p.MOVU(v, at(sl.in["sa"], k))
		}
		p.MUL(v, v, v)
		vb := p.load(in("sb", x), nil)
		if grad {
			p.MOVU(vb, at(sl.in["sb"], k))
		}
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
		var ws, ds [2]VecVirtual // the weights, and the D sums (rd, cd)
		for side, wn := range []string{"wb", "wa"} {
			if side == 1 && !grad {
				break
			}
			ws[side] = p.load(in(wn, x), nil)
			if grad {
				p.MOVU(ws[side], at(sl.in[wn], k))
			}
			for u, term := range terms {
				acc := YMM()
				p.MOVU(zero, acc)
				p.FMADD231(ws[side], term, acc) // acc = term·w + 0
				if u == 1 {
					ds[side] = acc
				} else {
					p.MOVU(acc, at(sl.sums[side][u], k))
				}
			}
		}
		if grad {
			// The mean derivatives gp.M = a·((+1·rd) − 0) and gq.M =
			// b·((−1·cd) − 0) in the kernel's precision: the product by
			// +1 and the subtraction of +0 change no bit and are left
			// out. Stored here, a pass before pass 3 reads the inputs
			// at the same lanes (see gaussCombine).
			p.MUL(ws[1], ds[0], ds[0])
			p.MOVU(ds[0], in("gpm", x))
			p.MUL(p.c("minusOne"), ds[1], ds[1]) // −1·cd
			p.MUL(ws[0], ds[1], ds[1])
			p.MOVU(ds[1], in("gqm", x))
		}
	})

	// Pass 3: the values and derivatives.
	gaussPass("gauss_pass3", p.lanes, cnt, func(k GPVirtual) {
		x := elem(g0, k)
		w := lanes{p, true, p.lanes / 4}
		var vals []VecVirtual // float32 gradient: the rounded values of the blocks
		for b := range w.blocks() {
			// sum returns the sums of block b from slot s.
			sum := func(s Mem) VecVirtual {
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
			// The gradient's pass 3 reads its inputs from the copies
			// passes 1 and 2 made: with its five outputs, nine slices
			// a multiple of 4 KiB apart (as large allocations are)
			// would share the sets of an 8-way L1 cache.
			input := func(name string) VecVirtual {
				if grad {
					return sum(sl.in[name])
				}
				return w.loadB(arg(name), x, b)
			}
			if grad && !p.f64 {
				vals = append(vals, w.gaussValue32(x, b, first, sum, sl.sums, input))
				continue
			}
			w.gaussCombine(x, b, first, grad, sum, sl.sums, input)
		}
		if vals != nil {
			p.gaussGrad32(x, func(s Mem) Mem { return at(s, k) }, sl, vals)
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

// gaussCombine emits the value of block b of the lanes from x and, with
// grad (float64 only: see gaussGrad32), its weight and std derivatives
// (sum loads the float64 lanes of block b of a slot of sums): purego's
// gaussianValue and gaussianSideGrad (BatchPairValues and BatchSideGrad64
// for one component per side, combineDiag and combineInvSqrtPi their
// constants), operation for operation, except that
// it leaves out, as changing no bit, the subtractions of the +0 self sums
// from R (x − 0 is x for every x, −0 and NaN included) and the second
// conversion to float32 of the value for its underflow test (in float32,
// float32(v) = 0 for v ≥ 0 exactly when v ≤ 2⁻¹⁵⁰, ties to even), and
// computes σ·2/√π once for the value and the weight derivative. Every
// input of the block is read before its first store (see above).
func (w lanes) gaussCombine(x GPVirtual, b int, first GPVirtual, grad bool, sum func(s Mem) VecVirtual, slots [2][3]Mem, input func(name string) VecVirtual) {
	g := w.gaussValue(sum, slots, input)
	a, sa, wb, sb, rh, zero, diag, v, under := g.a, g.sa, g.wb, g.sb, g.rh, g.zero, g.diag, g.v, g.under
	var gr [2][2]VecVirtual // the weight and std derivatives of p and q
	if grad {
		for side, in := range [][2]VecVirtual{{a, sa}, {wb, sb}} {
			h := rh
			if side == 1 {
				h = sum(slots[1][0])
			}
			// gw = H − (0 + a·(σ·2/√π))
			g := w.reg()
			w.mul(in[0], diag[side], g)
			w.add(g, zero, g)
			w.sub(g, h, g)
			// gs = a·(σ·(R − 0) − a·(1/√π)) where σ > 0, else +0
			s := sum(slots[side][2])
			w.mul(in[1], s, s)
			u := w.reg()
			w.mul(combineConst("combineInvSqrtPi"), in[0], u)
			w.sub(u, s, s)
			w.mul(in[0], s, s)
			pos := w.reg()
			VCMPPD(Imm(0x1e), zero, in[1], pos) // σ > 0 (ordered)
			VANDPD(pos, s, s)
			gr[side] = [2]VecVirtual{g, s}
		}
	}
	w.storeOutB(v, arg("out"), x, b)
	if grad {
		for side, g := range []string{"gp", "gq"} {
			w.storeOutB(gr[side][0], arg(g+"w"), x, b)
			w.storeOutB(gr[side][1], arg(g+"s"), x, b)
		}
	}
	gaussFlag(under, x, b, first)
}

// gaussVal holds the registers of a block's value (gaussValue) the weight
// and std derivatives of gaussCombine reuse: the inputs, the cross row sum
// of p, +0, σ·2/√π of both sides, the value v and its underflow mask.
type gaussVal struct {
	a, sa, wb, sb, rh, zero VecVirtual
	diag                    [2]VecVirtual
	v, under                VecVirtual
}

// gaussValue computes the value of a block (purego's gaussianValue, see
// gaussCombine) and which of its lanes underflow.
func (w lanes) gaussValue(sum func(s Mem) VecVirtual, slots [2][3]Mem, input func(name string) VecVirtual) gaussVal {
	p := w.p
	a, sa, wb, sb := input("wa"), input("sa"), input("wb"), input("sb")
	rh := sum(slots[0][0])
	zero := w.zero()
	// cross = 0 + a·rh
	cross := w.reg()
	w.mul(a, rh, cross)
	w.add(cross, zero, cross)
	// self = (0 + a²·(σa·2/√π)) + (0 + b²·(σb·2/√π)), keeping σ·2/√π.
	var diag [2]VecVirtual
	var self [2]VecVirtual
	for side, in := range [][2]VecVirtual{{a, sa}, {wb, sb}} {
		diag[side] = w.reg()
		w.mul(combineConst("combineDiag"), in[1], diag[side])
		aa := w.reg()
		w.mul(in[0], in[0], aa)
		w.mul(diag[side], aa, aa)
		self[side] = w.reg()
		w.add(aa, zero, self[side])
	}
	w.add(self[1], self[0], self[0])
	// v = max(cross − ½·self, 0) (−0 and values < 0 become +0, NaN stays).
	v := w.reg()
	w.mul(combineConst("combineHalf"), self[0], self[0])
	w.sub(self[0], cross, v)
	le := w.reg()
	VCMPPD(Imm(0x12), zero, v, le) // v ≤ 0, ordered
	VANDNPD(v, le, v)
	// Underflow: the stored value is 0 and v > 2⁻⁵⁰·cross.
	under := w.reg()
	if p.f64 {
		VCMPPD(Imm(0), zero, v, under) // v == 0
	} else {
		VCMPPD(Imm(0x12), gaussUnder32, v, under) // v ≤ 2⁻¹⁵⁰: float32(v) == 0
	}
	t := w.reg()
	w.mul(combineConst("combineUnder"), cross, t)
	VCMPPD(Imm(0x1e), t, v, t) // v > 2⁻⁵⁰·cross
	VANDPD(t, under, under)
	return gaussVal{a, sa, wb, sb, rh, zero, diag, v, under}
}

// gaussValue32 is gaussCombine for block b of a float32 gradient without
// the derivatives (gaussGrad32): it sets first as there and returns the
// block's value rounded to float32, not stored yet (the block's derivatives
// are computed from inputs read after it).
func (w lanes) gaussValue32(x GPVirtual, b int, first GPVirtual, sum func(s Mem) VecVirtual, slots [2][3]Mem, input func(name string) VecVirtual) VecVirtual {
	g := w.gaussValue(sum, slots, input)
	r := XMM()
	VCVTPD2PSY(g.v, r)
	gaussFlag(g.under, x, b, first)
	return r
}

// gaussGrad32 computes the weight and std derivatives of the eight float32
// lanes from x in float32 (purego's gaussianSideGrad with diagFactor32 and
// invSqrtPi32: gw32, and gsTail without the subtraction of the +0 self sum
// from R), from the copies of the inputs and the sums in the slots (slot
// returns the vector's element of a slot), then stores the values (vals:
// the rounded values of the two blocks of four lanes) and the derivatives.
func (p *prec) gaussGrad32(x GPVirtual, slot func(s Mem) Mem, sl gaussSlots, vals []VecVirtual) {
	w := side32{p, 8}
	var gr [2][2]VecVirtual
	for side, in := range [][2]string{{"wa", "sa"}, {"wb", "sb"}} {
		a, sd := w.load(slot(sl.in[in[0]])), w.load(slot(sl.in[in[1]]))
		// gw = H − (0 + a·(σ·2/√π))
		gr[side][0] = w.gw32(a, sd, slot(sl.sums[side][0]), nil, nil)
		// gs = a·(σ·(R − 0) − a·(1/√π)) where σ > 0, else +0
		gr[side][1] = w.gsTail(a, sd, w.load(slot(sl.sums[side][2])))
	}
	for b, v := range vals {
		VMOVUPS(v, Mem{Base: p.ptr("out"), Index: x, Scale: 4, Disp: 16 * b})
	}
	for side, g := range []string{"gp", "gq"} {
		w.store(gr[side][0], Mem{Base: p.ptr(g + "w"), Index: x, Scale: 4})
		w.store(gr[side][1], Mem{Base: p.ptr(g + "s"), Index: x, Scale: 4})
	}
}

// gaussFlag sets first to the first lane of block b of the lanes from x
// whose lane of under is set, if first is not set yet (−1).
func gaussFlag(under VecVirtual, x GPVirtual, b int, first GPVirtual) {
	bits := GP64()
	VMOVMSKPD(under, bits.As32())
	sfx := fmt.Sprintf("gauss_b%d", b)
	TESTQ(bits, bits)
	JZ(LabelRef(sfx + "_noflag"))
	TESTQ(first, first)
	JNS(LabelRef(sfx + "_noflag"))
	BSFQ(bits, bits)
	LEAQ(Mem{Base: x, Index: bits, Scale: 1, Disp: 4 * b}, first)
	Label(sfx + "_noflag")
}
