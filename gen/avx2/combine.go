package main

import (
	"fmt"
	"math"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

// The batch combination kernels (see purego.BatchPairValues64 and
// purego.BatchSideGrad64): loops over the n lanes of a chunk. BatchPairValues
// (both precisions) and BatchSideGrad64 compute in float64, four lanes per
// YMM register (float32 inputs are converted on load, as purego converts
// them; BatchPairValues takes two such blocks per pass), then one lane at a
// time in the low element of an XMM register for the last n mod 4 lanes,
// with the scalar forms of the same instructions, so that every lane runs
// purego's operations in purego's order (no fused multiply-add except
// purego's math.FMA). The lane-interleaved inputs (component i of lane l at
// i*n+l) are read a vector at a time; the contiguous stds and weights of a
// side (component i of lane l at l*c+i) are read, and the derivatives
// written, with four scalar accesses per vector at a stride of c elements,
// or (BatchSideGrad, groups of four components) as 4×4 tiles transposed in
// registers; with one component they are contiguous like the sums.
// BatchSideGrad32 computes in float32, as purego.BatchSideGrad32 does, with
// eight lanes per YMM register (sideGradOne32, sideGradSelf32): no
// conversions, and tiles of eight lanes by four components.

// combineConsts are the float64 constants of the combination kernels, in
// both precisions (their sums are float64).
var combineConsts = []struct {
	name string
	x    float64
}{
	{"combineDiag", 2 / math.SqrtPi},
	{"combineInvSqrtPi", 1 / math.SqrtPi},
	{"combineHalf", 0.5},
	{"combineTwo", 2},
	{"combineUnder", 0x1p-50},
	{"combineZero", 0},
}

// combineConsts32 are the float32 constants of BatchSideGrad32
// (purego's diagFactor32 and invSqrtPi32).
var combineConsts32 = []struct {
	name string
	x    float32
}{
	{"combineDiag32", 2 / math.SqrtPi},
	{"combineInvSqrtPi32", 1 / math.SqrtPi},
}

var combineMem = map[string]Mem{}

// declareCombine emits the constants (before any function uses them).
func declareCombine() {
	for _, c := range combineConsts {
		m := GLOBL(c.name, RODATA|NOPTR)
		for off := 0; off < 32; off += 8 {
			DATA(off, U64(math.Float64bits(c.x)))
		}
		combineMem[c.name] = m
	}
	for _, c := range combineConsts32 {
		m := GLOBL(c.name, RODATA|NOPTR)
		for off := 0; off < 32; off += 4 {
			DATA(off, U32(math.Float32bits(c.x)))
		}
		combineMem[c.name] = m
	}
}

func combineConst(name string) Mem {
	m, ok := combineMem[name]
	if !ok {
		panic("undeclared constant " + name)
	}
	return m
}

// lanes is the width of one pass of a combination loop: four float64 lanes
// in a YMM register (vec) or one in the low element of an XMM register.
type lanes struct {
	p   *prec
	vec bool
	nb  int // blocks of four lanes handled together (vec; 0 means 1)
}

// blocks returns the number of blocks of lanes of a pass.
func (w lanes) blocks() int { return max(w.nb, 1) }

// n returns the number of lanes of a pass.
func (w lanes) n() int {
	if w.vec {
		return 4 * w.blocks()
	}
	return 1
}

// disp returns the byte offset of block b of elements of the given size.
func (w lanes) disp(b, size int) int { return b * 4 * size }

func (w lanes) reg() VecVirtual {
	if w.vec {
		return YMM()
	}
	return XMM()
}

// Float64 arithmetic in Go operand order: add d = b + a, sub d = b − a,
// mul d = b·a, fmsub231 d = b·a − d (one rounding).
func (w lanes) add(a, b, d Op) { pickW(w, VADDPD, VADDSD)(a, b, d) }
func (w lanes) sub(a, b, d Op) { pickW(w, VSUBPD, VSUBSD)(a, b, d) }
func (w lanes) mul(a, b, d Op) { pickW(w, VMULPD, VMULSD)(a, b, d) }
func (w lanes) fmsub231(a, b, d Op) {
	pickW(w, VFMSUB231PD, VFMSUB231SD)(a, b, d)
}

func pickW[F any](w lanes, v, s F) F {
	if w.vec {
		return v
	}
	return s
}

// zero returns a register of +0.
func (w lanes) zero() VecVirtual {
	z := w.reg()
	w.setZero(z)
	return z
}

// setZero sets r to +0 by a load (which the register allocator sees as a
// plain write, where the xor idiom would read r and keep it live from the
// function's start).
func (w lanes) setZero(r VecVirtual) {
	if w.vec {
		VMOVUPD(combineConst("combineZero"), r)
	} else {
		VMOVSD(combineConst("combineZero"), r)
	}
}

func (w lanes) mov(a, d VecVirtual) { VMOVAPD(a, d) }

// slicePtr is the base address of a slice argument: in a register
// (hoisted out of a loop) or, when reg is nil, loaded from the argument
// frame where it is used.
type slicePtr struct {
	name string
	reg  GPVirtual
}

// arg returns the slice argument's address, loaded where it is used.
func arg(name string) slicePtr { return slicePtr{name: name} }

// hoist returns the slice argument's address in a register.
func (p *prec) hoist(name string) slicePtr { return slicePtr{name, p.ptr(name)} }

func (b slicePtr) get(p *prec) GPVirtual {
	if b.reg != nil {
		return b.reg
	}
	return p.ptr(b.name)
}

// load returns the float64 values of the lanes at element index idx of the
// slice b of the kernel's precision (consecutive lanes).
func (w lanes) load(b slicePtr, idx GPVirtual) VecVirtual { return w.loadB(b, idx, 0) }

// loadB is load for block blk of the pass.
func (w lanes) loadB(b slicePtr, idx GPVirtual, blk int) VecVirtual {
	p := w.p
	m := Mem{Base: b.get(p), Index: idx, Scale: uint8(p.size), Disp: w.disp(blk, p.size)}
	r := w.reg()
	switch {
	case p.f64 && w.vec:
		VMOVUPD(m, r)
	case p.f64:
		VMOVSD(m, r)
	case w.vec:
		VCVTPS2PD(m, r)
	default:
		VMOVSS(m, r)
		VCVTSS2SD(r, r, r)
	}
	return r
}

// store64 stores float64 lanes at element index idx of the float64 slice b.
func (w lanes) store64(r VecVirtual, b slicePtr, idx GPVirtual) { w.store64B(r, b, idx, 0) }

// load64B loads float64 lanes of block blk at element index idx of the
// float64 slice b.
func (w lanes) load64B(b slicePtr, idx GPVirtual, blk int) VecVirtual {
	m := Mem{Base: b.get(w.p), Index: idx, Scale: 8, Disp: w.disp(blk, 8)}
	r := w.reg()
	if w.vec {
		VMOVUPD(m, r)
	} else {
		VMOVSD(m, r)
	}
	return r
}

func (w lanes) store64B(r VecVirtual, b slicePtr, idx GPVirtual, blk int) {
	m := Mem{Base: b.get(w.p), Index: idx, Scale: 8, Disp: w.disp(blk, 8)}
	if w.vec {
		VMOVUPD(r, m)
	} else {
		VMOVSD(r, m)
	}
}

// storeOut stores float64 lanes rounded to the kernel's precision at
// element index idx of the slice b (consecutive lanes).
func (w lanes) storeOut(r VecVirtual, b slicePtr, idx GPVirtual) { w.storeOutB(r, b, idx, 0) }

func (w lanes) storeOutB(r VecVirtual, b slicePtr, idx GPVirtual, blk int) {
	p := w.p
	m := Mem{Base: b.get(p), Index: idx, Scale: uint8(p.size), Disp: w.disp(blk, p.size)}
	switch {
	case p.f64:
		w.store64B(r, b, idx, blk)
	case w.vec:
		x := XMM()
		VCVTPD2PSY(r, x)
		VMOVUPS(x, m)
	default:
		x := XMM()
		VCVTSD2SS(r, x, x)
		VMOVSS(x, m)
	}
}

// strided returns the addresses of the lanes of a strided access: element
// idx of slice b for the first lane, stride bytes apart.
func (w lanes) strided(b slicePtr, idx, stride, stride3 GPVirtual) [4]Mem {
	return w.stridedB(b, idx, stride, stride3, 0)
}

// stridedB is strided for block blk of the pass (four lanes further per
// block).
func (w lanes) stridedB(b slicePtr, idx, stride, stride3 GPVirtual, blk int) [4]Mem {
	a := GP64()
	LEAQ(Mem{Base: b.get(w.p), Index: idx, Scale: uint8(w.p.size)}, a)
	for range blk {
		LEAQ(Mem{Base: a, Index: stride, Scale: 4}, a)
	}
	return [4]Mem{{Base: a}, {Base: a, Index: stride, Scale: 1}, {Base: a, Index: stride, Scale: 2}, {Base: a, Index: stride3, Scale: 1}}
}

// gather returns the float64 values of the lanes of a strided read (see
// strided).
func (w lanes) gather(b slicePtr, idx, stride, stride3 GPVirtual) VecVirtual {
	return w.gatherB(b, idx, stride, stride3, 0)
}

func (w lanes) gatherB(b slicePtr, idx, stride, stride3 GPVirtual, blk int) VecVirtual {
	p := w.p
	m := w.stridedB(b, idx, stride, stride3, blk)
	r := w.reg()
	switch {
	case !w.vec && p.f64:
		VMOVSD(m[0], r)
	case !w.vec:
		VMOVSS(m[0], r)
		VCVTSS2SD(r, r, r)
	case p.f64:
		hi := XMM()
		VMOVSD(m[0], r.AsX())
		VMOVHPD(m[1], r.AsX(), r.AsX())
		VMOVSD(m[2], hi)
		VMOVHPD(m[3], hi, hi)
		VINSERTF128(Imm(1), hi, r, r)
	default:
		x := XMM()
		VMOVSS(m[0], x)
		VINSERTPS(Imm(0x10), m[1], x, x)
		VINSERTPS(Imm(0x20), m[2], x, x)
		VINSERTPS(Imm(0x30), m[3], x, x)
		VCVTPS2PD(x, r)
	}
	return r
}

// scatter stores the float64 lanes of r as a strided write to a float64
// slice (see strided; BatchSideGrad64).
func (w lanes) scatter(r VecVirtual, b slicePtr, idx, stride, stride3 GPVirtual) {
	m := w.strided(b, idx, stride, stride3)
	if !w.vec {
		VMOVSD(r, m[0])
		return
	}
	hi := XMM()
	VMOVSD(r.AsX(), m[0])
	VMOVHPD(r.AsX(), m[1])
	VEXTRACTF128(Imm(1), r, hi)
	VMOVSD(hi, m[2])
	VMOVHPD(hi, m[3])
}

// laneLoop emits `for l := 0; l < n; l += width` over blocks of four lanes,
// then single lanes, calling body with the width and the first lane; with
// wide, over pairs of blocks of four lanes first, unless narrow (may be
// nil) jumps to the label it is given.
func laneLoop(p *prec, label string, n GPVirtual, wide bool, narrow func(vec string), body func(w lanes, l GPVirtual)) {
	l := GP64()
	XORQ(l, l)
	rem := GP64()
	if wide {
		if narrow != nil {
			narrow(label + "_vec")
		}
		Label(label + "_wide")
		MOVQ(n, rem)
		SUBQ(l, rem)
		CMPQ(rem, Imm(8))
		JL(LabelRef(label + "_vec"))
		body(lanes{p, true, 2}, l)
		ADDQ(Imm(8), l)
		JMP(LabelRef(label + "_wide"))
	}
	Label(label + "_vec")
	MOVQ(n, rem)
	SUBQ(l, rem)
	CMPQ(rem, Imm(4))
	JL(LabelRef(label + "_one"))
	body(lanes{p, true, 1}, l)
	ADDQ(Imm(4), l)
	JMP(LabelRef(label + "_vec"))
	Label(label + "_one")
	CMPQ(l, n)
	JGE(LabelRef(label + "_done"))
	body(lanes{p, false, 1}, l)
	INCQ(l)
	JMP(LabelRef(label + "_one"))
	Label(label + "_done")
}

// twoSum adds f to the compensated sum (s, c) as purego's ksum step:
// t = s + f, b = t − s, c += (s − (t − b)) + (f − b), s = t.
func (w lanes) twoSum(s, c, f VecVirtual) {
	t, b, u, v := w.reg(), w.reg(), w.reg(), w.reg()
	w.add(f, s, t)
	w.sub(s, t, b)
	w.sub(b, t, u)
	w.sub(u, s, u)
	w.sub(b, f, v)
	w.add(v, u, u)
	w.add(u, c, c)
	w.mov(t, s)
}

// genCombine emits the combination kernels of the precision.
func (p *prec) genCombine() {
	for _, k := range spec.Combine() {
		slices := k.CombineSlices()
		decl := fmt.Sprintf("%s []%s", strings.Join(slices, ", "), p.ty())
		if k.Name == "BatchPairValues" {
			decl = fmt.Sprintf("out []%s, under []int, %s []float64, %s []%s", p.ty(), strings.Join(slices[2:4], ", "), strings.Join(slices[4:], ", "), p.ty())
		}
		p.stub(k.Name, fmt.Sprintf("func(%s, %s int)", decl, strings.Join(k.CombineInts(), ", ")), NOSPLIT)
		switch k.Name {
		case "BatchPairValues":
			p.genPairValues()
		case "BatchSideGrad":
			p.genSideGrad()
		default:
			panic("no generator for " + k.Name)
		}
	}
}

// genPairValues emits BatchPairValues: per block of lanes, the cross sum
// over the k components, then the self sums of both sides, then the value.
func (p *prec) genPairValues() {
	fn := "pairValues" + p.name
	n := p.intParam("n")
	first := GP64() // the first lane whose value underflows, or −1
	MOVQ(I64(-1), first)
	// One component on each side: every sum has one term (see
	// pairValuesOne).
	CMPQ(p.intParam("k"), Imm(1))
	JNE(LabelRef(fn + "_general"))
	CMPQ(p.intParam("m"), Imm(1))
	JNE(LabelRef(fn + "_general"))
	laneLoop(p, fn+"_one", n, true, nil, func(w lanes, l GPVirtual) {
		w.pairValuesOne(l, first, fmt.Sprintf("%s_one_%d", fn, w.n()))
	})
	JMP(LabelRef(fn + "_end"))
	Label(fn + "_general")
	// Two blocks at a time: their compensated chains overlap.
	laneLoop(p, fn, n, true, nil, func(w lanes, l GPVirtual) {
		sfx := fmt.Sprintf("%s_%d", fn, w.n())
		nb := w.blocks()
		// Each sum is folded (s + c) as soon as it is complete; with two
		// blocks the folded sums are kept in memory until the value is
		// computed (the cross sum in cross, its output; the self sum of P
		// in vals, overwritten by the value), so that the two blocks' sums
		// in flight fit in the registers.
		c, self, pself := make([]VecVirtual, nb), make([]VecVirtual, nb), make([]VecVirtual, nb)
		keep := func(r VecVirtual, name string, b int) VecVirtual {
			if nb == 1 {
				return r
			}
			w.store64B(r, arg(name), l, b)
			return nil
		}
		back := func(r VecVirtual, name string, b int) VecVirtual {
			if r != nil {
				return r
			}
			return w.load64B(arg(name), l, b)
		}
		if p.f64 {
			cs, cc := w.crossSum64(l, sfx)
			for b := range nb {
				w.add(cc[b], cs[b], cs[b])
				c[b] = keep(cs[b], "cross", b)
			}
			ps, pc := w.selfSum64(l, "wa", "sa", "sp", "k", sfx+"_p")
			for b := range nb {
				w.add(pc[b], ps[b], ps[b])
				pself[b] = keep(ps[b], "vals", b)
			}
			qs, qc := w.selfSum64(l, "wb", "sb", "sq", "m", sfx+"_q")
			for b := range nb {
				w.add(qc[b], qs[b], qs[b])
				self[b] = w.reg()
				w.add(qs[b], back(pself[b], "vals", b), self[b])
			}
		} else {
			cs := w.crossSum32(l, sfx)
			for b := range nb {
				c[b] = keep(cs[b], "cross", b)
			}
			ps := w.selfSum32(l, "wa", "sa", "sp", "k", sfx+"_p")
			for b := range nb {
				pself[b] = keep(ps[b], "vals", b)
			}
			qs := w.selfSum32(l, "wb", "sb", "sq", "m", sfx+"_q")
			for b := range nb {
				self[b] = w.reg()
				w.add(qs[b], back(pself[b], "vals", b), self[b])
			}
		}
		for b := range nb {
			if c[b] == nil {
				c[b] = w.load64B(arg("cross"), l, b)
			} else {
				w.store64B(c[b], arg("cross"), l, b)
			}
		}
		for b := range nb {
			w.finishValues(c[b], self[b], l, b, first, fmt.Sprintf("%s_b%d", sfx, b))
		}
	})
	Label(fn + "_end")
	MOVQ(first, Mem{Base: p.ptr("under")})
	VZEROUPPER()
	RET()
}

// pairValuesOne is the value of the blocks of lanes from l for one
// component on each side, where every sum has one term: cross = 0 + a·x,
// self = (0 + a²·(σ·2/√π)) + (0 + b²·(τ·2/√π)). The compensations of the
// float64 sums are +0 and adding them changes no bit (none of these sums is
// −0), so they are left out.
func (w lanes) pairValuesOne(l, first GPVirtual, sfx string) {
	for b := range w.blocks() {
		a, x := w.loadB(arg("wa"), l, b), w.loadB(arg("cr"), l, b)
		c := w.zero()
		w.mul(a, x, x)
		w.add(x, c, c)
		w.store64B(c, arg("cross"), l, b)
		self := w.zero()
		w.add(w.selfTerm(a, w.loadB(arg("sa"), l, b)), self, self)
		q := w.zero()
		w.add(w.selfTerm(w.loadB(arg("wb"), l, b), w.loadB(arg("sb"), l, b)), q, q)
		w.add(q, self, self)
		w.finishValues(c, self, l, b, first, fmt.Sprintf("%s_b%d", sfx, b))
	}
}

// finishValues stores the clamped value of the cross sum c and self sum
// self (c − ½·self) and its rounding of block b of the lanes from l, and sets first to the first lane whose
// value underflows if it is not set yet.
func (w lanes) finishValues(c, self VecVirtual, l GPVirtual, b int, first GPVirtual, sfx string) {
	p := w.p
	cross := w.reg()
	w.mov(c, cross)
	w.mul(combineConst("combineHalf"), self, self)
	w.sub(self, c, c)
	// max(v, 0): lanes with v ≤ 0 (−0 included, NaN not) become +0.
	le := w.zero()
	if w.vec {
		VCMPPD(Imm(0x12), le, c, le) // v ≤ 0, ordered
	} else {
		VCMPSD(Imm(0x12), le, c, le)
	}
	VANDNPD(c, le, c)
	w.store64B(c, arg("vals"), l, b)
	w.storeOutB(c, arg("out"), l, b)
	// Underflow: the stored value is 0 and v > 2⁻⁵⁰·cross.
	r := c
	if !p.f64 { // the float32 value, back in float64 (exact)
		r = w.reg()
		if w.vec {
			x := XMM()
			VCVTPD2PSY(c, x)
			VCVTPS2PD(x, r)
		} else {
			VCVTSD2SS(c, r, r)
			VCVTSS2SD(r, r, r)
		}
	}
	z, t := w.zero(), w.reg()
	w.mul(combineConst("combineUnder"), cross, t)
	if w.vec {
		VCMPPD(Imm(0), z, r, z)    // r == 0
		VCMPPD(Imm(0x1e), t, c, t) // v > 2⁻⁵⁰·cross
	} else {
		VCMPSD(Imm(0), z, r, z)
		VCMPSD(Imm(0x1e), t, c, t)
	}
	VANDPD(t, z, z)
	bits := GP64()
	if w.vec {
		VMOVMSKPD(z, bits.As32())
	} else {
		VMOVMSKPD(z.AsX(), bits.As32())
		ANDQ(Imm(1), bits)
	}
	TESTQ(bits, bits)
	JZ(LabelRef(sfx + "_noflag"))
	TESTQ(first, first)
	JNS(LabelRef(sfx + "_noflag"))
	BSFQ(bits, bits)
	LEAQ(Mem{Base: l, Index: bits, Scale: 1, Disp: 4 * b}, first)
	Label(sfx + "_noflag")
}

// componentLoop emits `for i, idx := 0, l; i < count; i, idx = i+1, idx+n`
// around body (idx: the lane-interleaved element index of component i),
// with count and n in registers.
func componentLoop(label string, l, count, n GPVirtual, body func(i, idx GPVirtual)) {
	i, idx := GP64(), GP64()
	XORQ(i, i)
	MOVQ(l, idx)
	Label(label)
	CMPQ(i, count)
	JGE(LabelRef(label + "_end"))
	body(i, idx)
	INCQ(i)
	ADDQ(n, idx)
	JMP(LabelRef(label))
	Label(label + "_end")
}

// crossSum64 returns the compensated cross sums (s, c) of the blocks of
// lanes from l: for one component 0 + a·x (c = +0), else a TwoSum of every
// product plus its rounding error fma(a, x, −a·x).
func (w lanes) crossSum64(l GPVirtual, sfx string) (s, c []VecVirtual) {
	nb := w.blocks()
	for range nb {
		s, c = append(s, w.reg()), append(c, w.zero())
	}
	CMPQ(Load(Param("k"), GP64()), Imm(1))
	JNE(LabelRef(sfx + "_cross_many"))
	for b := range nb {
		x := w.loadB(arg("cr"), l, b)
		w.mul(w.loadB(arg("wa"), l, b), x, x)
		w.setZero(s[b])
		w.add(x, s[b], s[b])
	}
	JMP(LabelRef(sfx + "_cross_done"))
	Label(sfx + "_cross_many")
	for b := range nb {
		w.setZero(s[b])
	}
	wa, cr := w.p.hoist("wa"), w.p.hoist("cr")
	componentLoop(sfx+"_cross", l, w.p.intParam("k"), w.p.intParam("n"), func(_, idx GPVirtual) {
		for b := range nb {
			a, x := w.loadB(wa, idx, b), w.loadB(cr, idx, b)
			pr := w.reg()
			w.mul(a, x, pr)
			e := w.reg()
			w.mov(pr, e)
			w.fmsub231(a, x, e) // a·x − p, one rounding
			w.twoSum(s[b], c[b], pr)
			w.add(e, c[b], c[b])
		}
	})
	Label(sfx + "_cross_done")
	return s, c
}

// selfTerm returns a²·(σ·2/√π) of the lanes from l for component i of the
// side (weights w at idx, stds sd at l·c + i).
func (w lanes) selfTerm(a, sd VecVirtual) VecVirtual {
	f, aa := w.reg(), w.reg()
	w.mul(combineConst("combineDiag"), sd, f)
	w.mul(a, a, aa)
	w.mul(f, aa, f)
	return f
}

// sideStride returns c·size and 3·c·size of the side with c components,
// and the element index l·c of the first lane's first std.
func (w lanes) sideStride(l, c GPVirtual) (base, stride, stride3 GPVirtual) {
	base, stride, stride3 = GP64(), GP64(), GP64()
	MOVQ(l, base)
	IMULQ(c, base)
	MOVQ(c, stride)
	SHLQ(Imm(uint64(map[int]int{8: 3, 4: 2}[w.p.size])), stride)
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, stride3)
	return base, stride, stride3
}

// selfSum64 returns the compensated self sums (s, c) of the blocks of lanes
// from l of the side with weights wn, stds sn, row sums spn and count
// components: for one component 0 + a²·(σ·2/√π) (c = +0), else a TwoSum of
// each component's diagonal term and then of 2a·sp.
func (w lanes) selfSum64(l GPVirtual, wn, sn, spn, count, sfx string) (s, c []VecVirtual) {
	nb := w.blocks()
	for range nb {
		s, c = append(s, w.reg()), append(c, w.zero())
	}
	CMPQ(Load(Param(count), GP64()), Imm(1))
	JNE(LabelRef(sfx + "_many"))
	for b := range nb {
		f := w.selfTerm(w.loadB(arg(wn), l, b), w.loadB(arg(sn), l, b))
		w.setZero(s[b])
		w.add(f, s[b], s[b])
	}
	JMP(LabelRef(sfx + "_done"))
	Label(sfx + "_many")
	for b := range nb {
		w.setZero(s[b])
	}
	cnt := w.p.intParam(count)
	so, stride, stride3 := w.sideStride(l, cnt)
	wp, sp, spp := w.p.hoist(wn), w.p.hoist(sn), w.p.hoist(spn)
	componentLoop(sfx+"_loop", l, cnt, w.p.intParam("n"), func(i, idx GPVirtual) {
		for b := range nb {
			a := w.loadB(wp, idx, b)
			f := w.selfTerm(a, w.gatherB(sp, so, stride, stride3, b))
			w.twoSum(s[b], c[b], f)
			a2 := w.reg()
			w.mul(combineConst("combineTwo"), a, a2)
			x := w.loadB(spp, idx, b)
			w.mul(a2, x, x)
			w.twoSum(s[b], c[b], x)
		}
		INCQ(so)
	})
	Label(sfx + "_done")
	return s, c
}

// crossSum32 returns the plain float64 cross sums Σ a·x of the blocks of
// lanes from l (float32 inputs).
func (w lanes) crossSum32(l GPVirtual, sfx string) []VecVirtual {
	nb := w.blocks()
	var c []VecVirtual
	for range nb {
		c = append(c, w.zero())
	}
	wa, cr := w.p.hoist("wa"), w.p.hoist("cr")
	componentLoop(sfx+"_cross", l, w.p.intParam("k"), w.p.intParam("n"), func(_, idx GPVirtual) {
		for b := range nb {
			x := w.loadB(cr, idx, b)
			w.mul(w.loadB(wa, idx, b), x, x)
			w.add(x, c[b], c[b])
		}
	})
	return c
}

// selfSum32 returns the plain float64 self sums of the blocks of lanes from
// l (float32 inputs): Σ a²·(σ·2/√π), plus 2a·sp added to each component's
// term when the side has more than one component.
func (w lanes) selfSum32(l GPVirtual, wn, sn, spn, count, sfx string) []VecVirtual {
	nb := w.blocks()
	var s []VecVirtual
	for range nb {
		s = append(s, w.zero())
	}
	CMPQ(Load(Param(count), GP64()), Imm(1))
	JNE(LabelRef(sfx + "_many"))
	for b := range nb {
		f := w.selfTerm(w.loadB(arg(wn), l, b), w.loadB(arg(sn), l, b))
		w.add(f, s[b], s[b])
	}
	JMP(LabelRef(sfx + "_done"))
	Label(sfx + "_many")
	cnt := w.p.intParam(count)
	so, stride, stride3 := w.sideStride(l, cnt)
	wp, sp, spp := w.p.hoist(wn), w.p.hoist(sn), w.p.hoist(spn)
	componentLoop(sfx+"_loop", l, cnt, w.p.intParam("n"), func(i, idx GPVirtual) {
		for b := range nb {
			a := w.loadB(wp, idx, b)
			f := w.selfTerm(a, w.gatherB(sp, so, stride, stride3, b))
			a2 := w.reg()
			w.mul(combineConst("combineTwo"), a, a2)
			x := w.loadB(spp, idx, b)
			w.mul(a2, x, x)
			w.add(x, f, f)
			w.add(f, s[b], s[b])
		}
		INCQ(so)
	})
	Label(sfx + "_done")
	return s
}

// genSideGrad emits BatchSideGrad64 or BatchSideGrad32: for one component
// (c = 1: the self sums are +0, every slice read and written a vector at a
// time) one loop over the lanes (sideGradOne, sideGradOne32); for more,
// groups of four components in tiles of lanes transposed in registers, the
// rest strided (sideGradSelf, sideGradSelf32, both through sideGradGroups).
// Every element runs purego's operations in its order and precision (no
// fused multiply-add): float64 four lanes per YMM register, float32 eight
// (gw32, gm32, gs32).
func (p *prec) genSideGrad() {
	self, one := p.sideGradSelf, p.sideGradOne
	if !p.f64 {
		self, one = p.sideGradSelf32, p.sideGradOne32
	}
	fn := "sideGrad" + p.name
	CMPQ(p.intParam("c"), Imm(1))
	JE(LabelRef(fn + "_one"))
	self(fn + "_self")
	VZEROUPPER()
	RET()
	Label(fn + "_one")
	one(fn + "_one")
	VZEROUPPER()
	RET()
}

// signVector returns float64(sign) in every lane (vec) or the low one.
func signVector() (VecVirtual, VecVirtual) {
	x, y := XMM(), YMM()
	VMOVSD(combineConst("combineZero"), x)
	VCVTSI2SDQ(Load(Param("sign"), GP64()), x, x)
	VBROADCASTSD(x, y)
	return y, x
}

// gradTerms computes the three derivatives of the lanes (purego's
// operations in purego's order) and passes them to store.
func (w lanes) gradTerms(a, sd, h, d, r, sg VecVirtual, xh, xd, xr func() VecVirtual, store func(gw, gm, gs VecVirtual)) {
	// gw = H − (selfH + a·(σ·2/√π))
	f := w.reg()
	w.mul(combineConst("combineDiag"), sd, f)
	w.mul(a, f, f)
	w.add(f, h, h)
	g := xh()
	w.sub(h, g, g)
	// gm = a·(sign·D − selfD)
	e := xd()
	w.mul(sg, e, e)
	w.sub(d, e, e)
	w.mul(a, e, e)
	// gs = a·(σ·(R − selfR) − a/√π) where σ > 0, else +0
	q := xr()
	w.sub(r, q, q)
	w.mul(sd, q, q)
	u := w.reg()
	w.mul(combineConst("combineInvSqrtPi"), a, u)
	w.sub(u, q, q)
	w.mul(a, q, q)
	mask := w.zero()
	if w.vec {
		VCMPPD(Imm(0x1e), mask, sd, mask) // σ > 0 (ordered)
	} else {
		VCMPSD(Imm(0x1e), mask, sd, mask)
	}
	VANDPD(mask, q, q)
	store(g, e, q)
}

// sideGradOne is BatchSideGrad64 for one component: lane l at index l of
// every slice.
func (p *prec) sideGradOne(label string) {
	sgY, sgX := signVector()
	ptrs := map[string]slicePtr{}
	for _, name := range []string{"gw", "gm", "gs", "w", "s", "xh", "xd", "xr"} {
		ptrs[name] = p.hoist(name)
	}
	laneLoop(p, label+"_lanes", p.intParam("n"), false, nil, func(w lanes, l GPVirtual) {
		sg := sgX
		if w.vec {
			sg = sgY
		}
		ld := func(name string) func() VecVirtual { return func() VecVirtual { return w.load(ptrs[name], l) } }
		w.gradTerms(w.load(ptrs["w"], l), w.load(ptrs["s"], l), w.zero(), w.zero(), w.zero(), sg, ld("xh"), ld("xd"), ld("xr"),
			func(gw, gm, gs VecVirtual) {
				w.storeOut(gw, ptrs["gw"], l)
				w.storeOut(gm, ptrs["gm"], l)
				w.storeOut(gs, ptrs["gs"], l)
			})
	})
}

// sideGradSelf is BatchSideGrad64 for c > 1 components, with x = i·n + l
// (lane-interleaved sums) and o = l·c + i (the contiguous weights, stds
// and derivatives). Groups of four components i0 … i0+3 take blocks of four
// lanes as 4×4 tiles (sideGradTile: the weights and stds of a lane are four
// consecutive elements, read as one vector and transposed, and the
// derivatives transposed back and written a lane at a time); the lanes past
// the last block, and the components past the last group, go one
// component at a time (sideGradStrided: four scalar reads or writes per
// vector, c elements apart).
func (p *prec) sideGradSelf(label string) {
	// The sign vector lives on the stack (the tiles need every register).
	sgY, _ := signVector()
	sgMem := AllocLocal(32)
	VMOVUPD(sgY, sgMem)
	sign := func(w lanes) VecVirtual {
		r := w.reg()
		if w.vec {
			VMOVUPD(sgMem, r)
		} else {
			VMOVSD(sgMem, r)
		}
		return r
	}
	p.sideGradGroups(label, 3, []int{4},
		func(width int, x, o, stride, stride3 GPVirtual) { p.sideGradTile(x, o, stride, stride3, sgMem) },
		func(x, o, stride, stride3 GPVirtual) {
			w := lanes{p, false, 1}
			w.sideGradStrided(sign(w), x, o, stride, stride3)
		},
		func(x, o, c, stride, stride3 GPVirtual) {
			laneLoop(p, label+"_lanes", p.intParam("n"), false, nil, func(w lanes, l GPVirtual) {
				w.sideGradStrided(sign(w), x, o, stride, stride3)
				ADDQ(Imm(uint64(w.n())), x)
				if w.vec {
					LEAQ(Mem{Base: o, Index: c, Scale: 4}, o)
				} else {
					ADDQ(c, o)
				}
			})
		})
}

// sideGradGroups emits the loops BatchSideGrad64 and BatchSideGrad32 share
// for c > 1 components, with x = i·n + l (the lane-interleaved sums) and
// o = l·c + i (the contiguous weights, stds and derivatives; elements of
// 2^shift bytes): groups of four components i0 … i0+3, each taking
// tile(width, …) for blocks of widths[0] lanes while they last, then at most
// one block of each further width, then the lanes left one at a time
// (one(…) for each of the four components); then the components past the
// last group one at a time (rest(x, o, c, …) emits the loop over their
// lanes). stride and stride3 are c and 3c elements in bytes.
func (p *prec) sideGradGroups(label string, shift uint64, widths []int,
	tile func(width int, x, o, stride, stride3 GPVirtual),
	one func(x, o, stride, stride3 GPVirtual),
	rest func(x, o, c, stride, stride3 GPVirtual)) {
	strides := func() (c, stride, stride3 GPVirtual) {
		c = p.intParam("c")
		stride, stride3 = GP64(), GP64()
		MOVQ(c, stride)
		SHLQ(Imm(shift), stride)
		LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, stride3)
		return c, stride, stride3
	}
	i0 := GP64()
	XORQ(i0, i0)
	Label(label + "_group")
	{
		end := GP64()
		LEAQ(Mem{Base: i0, Disp: 4}, end)
		CMPQ(end, p.intParam("c"))
		JG(LabelRef(label + "_rest"))
		x, o, l := GP64(), GP64(), GP64()
		MOVQ(i0, x)
		IMULQ(p.intParam("n"), x)
		MOVQ(i0, o)
		XORQ(l, l)
		for k, width := range widths {
			lbl := fmt.Sprintf("%s_tiles%d", label, width)
			Label(lbl)
			rem := GP64()
			MOVQ(p.intParam("n"), rem)
			SUBQ(l, rem)
			CMPQ(rem, Imm(uint64(width)))
			JL(LabelRef(lbl + "_end"))
			c, stride, stride3 := strides()
			tile(width, x, o, stride, stride3)
			ADDQ(Imm(uint64(width)), x)
			LEAQ(Mem{Base: o, Index: c, Scale: uint8(width)}, o)
			ADDQ(Imm(uint64(width)), l)
			if k == 0 {
				JMP(LabelRef(lbl))
			}
			Label(lbl + "_end")
		}
		Label(label + "_tail")
		CMPQ(l, p.intParam("n"))
		JGE(LabelRef(label + "_next"))
		{
			c, stride, stride3 := strides()
			xi, oi := GP64(), GP64()
			MOVQ(x, xi)
			MOVQ(o, oi)
			for ii := range 4 {
				one(xi, oi, stride, stride3)
				if ii < 3 {
					ADDQ(p.intParam("n"), xi)
					INCQ(oi)
				}
			}
			INCQ(x)
			ADDQ(c, o)
			INCQ(l)
		}
		JMP(LabelRef(label + "_tail"))
		Label(label + "_next")
		ADDQ(Imm(4), i0)
		JMP(LabelRef(label + "_group"))
	}
	// The components past the last group: for i := i0; i < c; i++.
	Label(label + "_rest")
	CMPQ(i0, p.intParam("c"))
	JGE(LabelRef(label + "_done"))
	{
		x, o := GP64(), GP64()
		MOVQ(i0, x)
		IMULQ(p.intParam("n"), x)
		MOVQ(i0, o)
		c, stride, stride3 := strides()
		rest(x, o, c, stride, stride3)
	}
	INCQ(i0)
	JMP(LabelRef(label + "_rest"))
	Label(label + "_done")
}

// sideGradStrided writes the derivatives of one component of the lanes at
// x (sums) and o (weights, stds, derivatives: c elements apart).
func (w lanes) sideGradStrided(sg VecVirtual, x, o, stride, stride3 GPVirtual) {
	a := w.gather(arg("w"), o, stride, stride3)
	sd := w.gather(arg("s"), o, stride, stride3)
	h, d, r := w.load(arg("rh"), x), w.load(arg("rd"), x), w.load(arg("rr"), x)
	w.add(w.load(arg("kh"), x), h, h)
	w.sub(w.load(arg("kd"), x), d, d)
	w.add(w.load(arg("kr"), x), r, r)
	ld := func(name string) func() VecVirtual { return func() VecVirtual { return w.load(arg(name), x) } }
	w.gradTerms(a, sd, h, d, r, sg, ld("xh"), ld("xd"), ld("xr"), func(gw, gm, gs VecVirtual) {
		w.scatter(gw, arg("gw"), o, stride, stride3)
		w.scatter(gm, arg("gm"), o, stride, stride3)
		w.scatter(gs, arg("gs"), o, stride, stride3)
	})
}

// transpose4 returns the columns of the 4×4 float64 matrix whose rows are r.
func transpose4(r [4]VecVirtual) [4]VecVirtual {
	t0, t1, t2, t3 := YMM(), YMM(), YMM(), YMM()
	VUNPCKLPD(r[1], r[0], t0) // r0[0] r1[0] r0[2] r1[2]
	VUNPCKHPD(r[1], r[0], t1) // r0[1] r1[1] r0[3] r1[3]
	VUNPCKLPD(r[3], r[2], t2)
	VUNPCKHPD(r[3], r[2], t3)
	var c [4]VecVirtual
	for i := range c {
		c[i] = YMM()
	}
	VPERM2F128(Imm(0x20), t2, t0, c[0])
	VPERM2F128(Imm(0x20), t3, t1, c[1])
	VPERM2F128(Imm(0x31), t2, t0, c[2])
	VPERM2F128(Imm(0x31), t3, t1, c[3])
	return c
}

// sideGradTile writes the derivatives of a 4×4 tile: components i0 … i0+3
// (sums at x + i·n, i < 4) of lanes l … l+3 (weights, stds and derivatives
// of lane l+j at o + j·c: four consecutive elements). The operations of
// each element are gradTerms', in the same order.
func (p *prec) sideGradTile(x, o, stride, stride3 GPVirtual, sgMem Mem) {
	w := lanes{p, true, 1}
	rows := func(name string) [4]Mem { return w.strided(arg(name), o, stride, stride3) }
	load := func(name string) [4]VecVirtual {
		var r [4]VecVirtual
		for j, m := range rows(name) {
			r[j] = YMM()
			VMOVUPD(m, r[j])
		}
		return transpose4(r)
	}
	store := func(cols [4]VecVirtual, name string) {
		r := transpose4(cols)
		for j, m := range rows(name) {
			VMOVUPD(r[j], m)
		}
	}
	// sums returns the sums of component i of the tile's lanes (element
	// x + i·n).
	var xs [4]GPVirtual
	xs[0] = x
	for i := 1; i < 4; i++ {
		xs[i] = GP64()
		MOVQ(xs[i-1], xs[i])
		ADDQ(p.intParam("n"), xs[i])
	}
	sums := func(name string, i int) VecVirtual { return w.load(arg(name), xs[i]) }
	a, sd := load("w"), load("s")
	var out [4]VecVirtual
	// gw = H − (selfH + a·(σ·2/√π))
	for i := range 4 {
		f := w.reg()
		w.mul(combineConst("combineDiag"), sd[i], f)
		w.mul(a[i], f, f)
		h := sums("rh", i)
		w.add(sums("kh", i), h, h)
		w.add(f, h, h)
		g := sums("xh", i)
		w.sub(h, g, g)
		out[i] = g
	}
	store(out, "gw")
	// gs = a·(σ·(R − selfR) − a/√π) where σ > 0, else +0
	for i := range 4 {
		r := sums("rr", i)
		w.add(sums("kr", i), r, r)
		q := sums("xr", i)
		w.sub(r, q, q)
		w.mul(sd[i], q, q)
		u := w.reg()
		w.mul(combineConst("combineInvSqrtPi"), a[i], u)
		w.sub(u, q, q)
		w.mul(a[i], q, q)
		mask := w.zero()
		VCMPPD(Imm(0x1e), mask, sd[i], mask) // σ > 0 (ordered)
		VANDPD(mask, q, q)
		out[i] = q
	}
	store(out, "gs")
	// gm = a·(sign·D − selfD)
	for i := range 4 {
		d := sums("rd", i)
		w.sub(sums("kd", i), d, d)
		e := sums("xd", i)
		w.mul(sgMem, e, e)
		w.sub(d, e, e)
		w.mul(a[i], e, e)
		out[i] = e
	}
	store(out, "gm")
}

// side32 is the width of one pass of BatchSideGrad32's float32 arithmetic:
// eight lanes in a YMM register, four in an XMM register, or one in the low
// element of an XMM register (the scalar forms of the instructions).
type side32 struct {
	p *prec
	n int
}

func (w side32) reg() VecVirtual {
	if w.n == 8 {
		return YMM()
	}
	return XMM()
}

// Float32 arithmetic in Go operand order: add d = b + a, sub d = b − a,
// mul d = b·a (a may be in memory).
func (w side32) add(a, b, d Op) { pick32(w, VADDPS, VADDSS)(a, b, d) }
func (w side32) sub(a, b, d Op) { pick32(w, VSUBPS, VSUBSS)(a, b, d) }
func (w side32) mul(a, b, d Op) { pick32(w, VMULPS, VMULSS)(a, b, d) }

func pick32[F any](w side32, v, s F) F {
	if w.n > 1 {
		return v
	}
	return s
}

// load returns the lanes at m (consecutive elements).
func (w side32) load(m Op) VecVirtual {
	r := w.reg()
	pick32(w, VMOVUPS, VMOVSS)(m, r)
	return r
}

// store writes the lanes of r to m (consecutive elements).
func (w side32) store(r VecVirtual, m Mem) { pick32(w, VMOVUPS, VMOVSS)(r, m) }

// sums returns the address of the lanes at element x of the slice argument
// name (the lane-interleaved sums).
func (w side32) sums(name string, x GPVirtual) Mem {
	return Mem{Base: w.p.ptr(name), Index: x, Scale: 4}
}

// rows returns the addresses of the first count ≤ 8 lanes of a strided
// access: element o of the slice argument name for the first lane, stride
// bytes apart.
func (w side32) rows(name string, o, stride, stride3 GPVirtual, count int) []Mem {
	a := GP64()
	LEAQ(Mem{Base: w.p.ptr(name), Index: o, Scale: 4}, a)
	m := []Mem{{Base: a}, {Base: a, Index: stride, Scale: 1}, {Base: a, Index: stride, Scale: 2}, {Base: a, Index: stride3, Scale: 1}}
	if count > 4 {
		b := GP64()
		LEAQ(Mem{Base: a, Index: stride, Scale: 4}, b)
		m = append(m, Mem{Base: b}, Mem{Base: b, Index: stride, Scale: 1}, Mem{Base: b, Index: stride, Scale: 2}, Mem{Base: b, Index: stride3, Scale: 1})
	}
	return m[:count]
}

// gather returns the lanes of a strided read (see rows).
func (w side32) gather(name string, o, stride, stride3 GPVirtual) VecVirtual {
	m := w.rows(name, o, stride, stride3, w.n)
	r := w.reg()
	four := func(x Op, m []Mem) {
		VMOVSS(m[0], x)
		VINSERTPS(Imm(0x10), m[1], x, x)
		VINSERTPS(Imm(0x20), m[2], x, x)
		VINSERTPS(Imm(0x30), m[3], x, x)
	}
	switch w.n {
	case 1:
		VMOVSS(m[0], r)
	case 4:
		four(r, m)
	default:
		// The broadcast writes all of r (the allocator then sees no
		// part of r read before it is written).
		VBROADCASTSS(m[0], r)
		for j := 1; j < 4; j++ {
			VINSERTPS(Imm(uint64(j<<4)), m[j], r.AsX(), r.AsX())
		}
		hi := XMM()
		four(hi, m[4:])
		VINSERTF128(Imm(1), hi, r, r)
	}
	return r
}

// scatter writes the lanes of r as a strided write (see rows).
func (w side32) scatter(r VecVirtual, name string, o, stride, stride3 GPVirtual) {
	m := w.rows(name, o, stride, stride3, w.n)
	four := func(x Op, m []Mem) {
		VMOVSS(x, m[0])
		VEXTRACTPS(Imm(1), x, m[1])
		VEXTRACTPS(Imm(2), x, m[2])
		VEXTRACTPS(Imm(3), x, m[3])
	}
	switch w.n {
	case 1:
		VMOVSS(r, m[0])
	case 4:
		four(r, m)
	default:
		hi := XMM()
		four(r.AsX(), m[:4])
		VEXTRACTF128(Imm(1), r, hi)
		four(hi, m[4:])
	}
}

// gw32 returns cross.H − (selfH + a·(σ·2/√π)) of the lanes, with selfH =
// rows.H + cols.H (rh, kh), or for one component (rh nil) selfH = +0,
// added as a·(σ·2/√π) + 0 (the same bits as 0 + a·(σ·2/√π): −0 becomes +0).
func (w side32) gw32(a, sd VecVirtual, xh, rh, kh Op) VecVirtual {
	f := w.reg()
	w.mul(combineConst("combineDiag32"), sd, f)
	w.mul(a, f, f)
	if rh == nil {
		w.add(combineConst("combineZero"), f, f)
	} else {
		h := w.load(rh)
		w.add(kh, h, h)
		w.add(f, h, h)
		f = h
	}
	g := w.load(xh)
	w.sub(f, g, g)
	return g
}

// gm32 returns a·(sign·cross.D − selfD) of the lanes, with selfD =
// rows.D − cols.D (rd, kd), or +0 for one component (rd nil).
func (w side32) gm32(a VecVirtual, sg, xd, rd, kd Op) VecVirtual {
	e := w.load(xd)
	w.mul(sg, e, e)
	if rd == nil {
		w.sub(combineConst("combineZero"), e, e)
	} else {
		d := w.load(rd)
		w.sub(kd, d, d)
		w.sub(d, e, e)
	}
	w.mul(a, e, e)
	return e
}

// gs32 returns a·(σ·(cross.R − selfR) − a·(1/√π)) of the lanes where σ > 0
// and +0 elsewhere, with selfR = rows.R + cols.R (rr, kr), or +0 for one
// component (rr nil).
func (w side32) gs32(a, sd VecVirtual, xr, rr, kr Op) VecVirtual {
	q := w.load(xr)
	if rr == nil {
		w.sub(combineConst("combineZero"), q, q)
	} else {
		r := w.load(rr)
		w.add(kr, r, r)
		w.sub(r, q, q)
	}
	return w.gsTail(a, sd, q)
}

// gsTail returns a·(σ·q − a·(1/√π)) of the lanes where σ > 0 and +0
// elsewhere, in q.
func (w side32) gsTail(a, sd, q VecVirtual) VecVirtual {
	w.mul(sd, q, q)
	u := w.reg()
	w.mul(combineConst("combineInvSqrtPi32"), a, u)
	w.sub(u, q, q)
	w.mul(a, q, q)
	w.positive(sd, q)
	return q
}

// positive sets the lanes of q where σ ≤ 0 (or NaN) to +0.
func (w side32) positive(sd, q VecVirtual) {
	mask := w.reg()
	pick32(w, VCMPPS, VCMPSS)(Imm(0x1e), combineConst("combineZero"), sd, mask) // σ > 0 (ordered)
	VANDPS(mask, q, q)
}

// signVector32 returns float32(sign) in every lane.
func signVector32() VecVirtual {
	x, y := XMM(), YMM()
	VMOVSS(combineConst("combineZero"), x)
	VCVTSI2SSQ(Load(Param("sign"), GP64()), x, x)
	VBROADCASTSS(x, y)
	return y
}

// laneLoop32 emits `for l := 0; l < n; l += width` over passes of eight
// lanes, then at most one of four, then single lanes, calling body with the
// width and the first lane.
func laneLoop32(p *prec, label string, n GPVirtual, body func(w side32, l GPVirtual)) {
	l, rem := GP64(), GP64()
	XORQ(l, l)
	Label(label + "_8")
	MOVQ(n, rem)
	SUBQ(l, rem)
	CMPQ(rem, Imm(8))
	JL(LabelRef(label + "_4"))
	body(side32{p, 8}, l)
	ADDQ(Imm(8), l)
	JMP(LabelRef(label + "_8"))
	Label(label + "_4")
	CMPQ(rem, Imm(4))
	JL(LabelRef(label + "_1"))
	body(side32{p, 4}, l)
	ADDQ(Imm(4), l)
	Label(label + "_1")
	CMPQ(l, n)
	JGE(LabelRef(label + "_done"))
	body(side32{p, 1}, l)
	INCQ(l)
	JMP(LabelRef(label + "_1"))
	Label(label + "_done")
}

// sideGradOne32 is BatchSideGrad32 for one component: lane l at index l of
// every slice.
func (p *prec) sideGradOne32(label string) {
	sgY := signVector32()
	ptrs := map[string]GPVirtual{}
	for _, name := range []string{"gw", "gm", "gs", "w", "s", "xh", "xd", "xr"} {
		ptrs[name] = p.ptr(name)
	}
	laneLoop32(p, label+"_lanes", p.intParam("n"), func(w side32, l GPVirtual) {
		sg := Op(sgY)
		if w.n < 8 {
			sg = sgY.AsX()
		}
		at := func(name string) Mem { return Mem{Base: ptrs[name], Index: l, Scale: 4} }
		a, sd := w.load(at("w")), w.load(at("s"))
		gw := w.gw32(a, sd, at("xh"), nil, nil)
		gm := w.gm32(a, sg, at("xd"), nil, nil)
		gs := w.gs32(a, sd, at("xr"), nil, nil)
		w.store(gw, at("gw"))
		w.store(gm, at("gm"))
		w.store(gs, at("gs"))
	})
}

// sideGradSelf32 is BatchSideGrad32 for c > 1 components, with x = i·n + l
// (lane-interleaved sums) and o = l·c + i (the contiguous weights, stds
// and derivatives). Groups of four components i0 … i0+3 take blocks of
// eight lanes, then at most one of four, as tiles (sideGradTile32); the
// lanes past them go one at a time, and the components past the last group
// one component at a time over the lanes (sideGradStrided32: eight, then
// four, then one lane per pass).
func (p *prec) sideGradSelf32(label string) {
	// The sign vector lives on the stack (the tiles need every register).
	sgMem := AllocLocal(32)
	VMOVUPS(signVector32(), sgMem)
	p.sideGradGroups(label, 2, []int{8, 4},
		func(width int, x, o, stride, stride3 GPVirtual) {
			p.sideGradTile32(side32{p, width}, x, o, stride, stride3, sgMem)
		},
		func(x, o, stride, stride3 GPVirtual) { side32{p, 1}.sideGradStrided32(sgMem, x, o, stride, stride3) },
		func(x, o, c, stride, stride3 GPVirtual) {
			laneLoop32(p, label+"_lanes", p.intParam("n"), func(w side32, l GPVirtual) {
				w.sideGradStrided32(sgMem, x, o, stride, stride3)
				ADDQ(Imm(uint64(w.n)), x)
				if w.n > 1 {
					LEAQ(Mem{Base: o, Index: c, Scale: uint8(w.n)}, o)
				} else {
					ADDQ(c, o)
				}
			})
		})
}

// sideGradStrided32 writes the derivatives of one component of the lanes
// at x (sums) and o (weights, stds, derivatives: c elements apart).
func (w side32) sideGradStrided32(sgMem Mem, x, o, stride, stride3 GPVirtual) {
	a := w.gather("w", o, stride, stride3)
	sd := w.gather("s", o, stride, stride3)
	s := func(name string) Mem { return w.sums(name, x) }
	gw := w.gw32(a, sd, s("xh"), s("rh"), s("kh"))
	w.scatter(gw, "gw", o, stride, stride3)
	gm := w.gm32(a, sgMem, s("xd"), s("rd"), s("kd"))
	w.scatter(gm, "gm", o, stride, stride3)
	gs := w.gs32(a, sd, s("xr"), s("rr"), s("kr"))
	w.scatter(gs, "gs", o, stride, stride3)
}

// transpose4ps returns the columns of the 4×4 float32 matrices whose rows
// are r, in each 128-bit half of the registers.
func transpose4ps(w side32, r [4]VecVirtual) [4]VecVirtual {
	t0, t1, t2, t3 := w.reg(), w.reg(), w.reg(), w.reg()
	VUNPCKLPS(r[1], r[0], t0) // r0[0] r1[0] r0[1] r1[1]
	VUNPCKHPS(r[1], r[0], t1) // r0[2] r1[2] r0[3] r1[3]
	VUNPCKLPS(r[3], r[2], t2) // r2[0] r3[0] r2[1] r3[1]
	VUNPCKHPS(r[3], r[2], t3) // r2[2] r3[2] r2[3] r3[3]
	var c [4]VecVirtual
	for i := range c {
		c[i] = w.reg()
	}
	VUNPCKLPD(t2, t0, c[0]) // r0[0] r1[0] r2[0] r3[0]
	VUNPCKHPD(t2, t0, c[1])
	VUNPCKLPD(t3, t1, c[2])
	VUNPCKHPD(t3, t1, c[3])
	return c
}

// sideGradTile32 writes the derivatives of a tile of four components i0 …
// i0+3 (sums at x + i·n, i < 4) of w.n (eight or four) lanes l … (weights,
// stds and derivatives of lane l+j at o + j·c: four consecutive elements,
// one XMM register; lanes j and j+4 share a YMM register and the transposes
// work on each half). The operations of each element are those of gw32,
// gs32 and gm32, in the same order.
func (p *prec) sideGradTile32(w side32, x, o, stride, stride3 GPVirtual, sgMem Mem) {
	load := func(name string) [4]VecVirtual {
		m := w.rows(name, o, stride, stride3, w.n)
		var r [4]VecVirtual
		for j := range r {
			r[j] = w.reg()
			if w.n == 8 {
				// Lane j+4 in both halves, then lane j in the low
				// one: every write covers the whole register.
				VBROADCASTF128(m[j+4], r[j])
				VINSERTF128(Imm(0), m[j], r[j], r[j])
			} else {
				VMOVUPS(m[j], r[j])
			}
		}
		return transpose4ps(w, r)
	}
	store := func(cols [4]VecVirtual, name string) {
		r := transpose4ps(w, cols)
		m := w.rows(name, o, stride, stride3, w.n)
		for j := range r {
			VMOVUPS(r[j].AsX(), m[j])
			if w.n == 8 {
				VEXTRACTF128(Imm(1), r[j], m[j+4])
			}
		}
	}
	var xs [4]GPVirtual
	xs[0] = x
	for i := 1; i < 4; i++ {
		xs[i] = GP64()
		MOVQ(xs[i-1], xs[i])
		ADDQ(p.intParam("n"), xs[i])
	}
	// sums returns the addresses of the sums of the three slices named
	// for each component of the tile (their bases loaded once).
	sums := func(names ...string) (m [4][3]Mem) {
		for k, name := range names {
			base := w.p.ptr(name)
			for i := range m {
				m[i][k] = Mem{Base: base, Index: xs[i], Scale: 4}
			}
		}
		return m
	}
	a, sd := load("w"), load("s")
	var out [4]VecVirtual
	m := sums("xh", "rh", "kh")
	for i := range 4 {
		out[i] = w.gw32(a[i], sd[i], m[i][0], m[i][1], m[i][2])
	}
	store(out, "gw")
	m = sums("xr", "rr", "kr")
	for i := range 4 {
		out[i] = w.gs32(a[i], sd[i], m[i][0], m[i][1], m[i][2])
	}
	store(out, "gs")
	m = sums("xd", "rd", "kd")
	for i := range 4 {
		out[i] = w.gm32(a[i], sgMem, m[i][0], m[i][1], m[i][2])
	}
	store(out, "gm")
}
