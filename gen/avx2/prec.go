package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/internal/approx"
)

// prec selects the instructions and the algorithm parameters of one
// precision. Every method emits one instruction with Go's operand order
// (sources first, destination last), so the call sites read like the purego
// code they mirror.
type prec struct {
	f64   bool
	lanes int // elements per YMM register
	size  int // bytes per element
	name  string

	// Algorithm parameters, from package approx.
	expClamp, erfClamp, erfStep float64
	expShift, erfShift          float64
	expInvLn2N                  float64
	ln2Hi, ln2Lo                float64
	expBits                     int
	expPoly, hermite            []float64
	expTab                      []float64
	erfTab                      []float64
	// exp(−tc²) on the erf grid.
	gridPoly, expGridTab []float64

	consts map[string]Mem
}

func newPrec64() *prec {
	return &prec{
		f64: true, lanes: 4, size: 8, name: "64",
		expClamp: approx.ExpClamp64, erfClamp: approx.ErfClamp64, erfStep: approx.ErfStep64,
		expShift: approx.ExpShift64, erfShift: approx.ErfShift64, expInvLn2N: approx.ExpInvLn2N64,
		ln2Hi: approx.ExpLn2NHi64, ln2Lo: approx.ExpLn2NLo64, expBits: approx.ExpTableBits64,
		expPoly: approx.ExpPoly64[:], hermite: approx.HermiteCoeffs64[:],
		expTab: approx.Exp64Table, erfTab: approx.Erf64Table,
		gridPoly: approx.GridExpPoly64[:], expGridTab: approx.Exp64GridTable,
		consts: map[string]Mem{},
	}
}

func newPrec32() *prec {
	widen := func(x []float32) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(v)
		}
		return y
	}
	return &prec{
		f64: false, lanes: 8, size: 4, name: "32",
		expClamp: approx.ExpClamp32, erfClamp: approx.ErfClamp32, erfStep: approx.ErfStep32,
		expShift: approx.ExpShift32, erfShift: approx.ErfShift32, expInvLn2N: float64(approx.ExpInvLn2N32),
		ln2Hi: float64(approx.ExpLn2NHi32), ln2Lo: float64(approx.ExpLn2NLo32), expBits: approx.ExpTableBits32,
		expPoly: widen(approx.ExpPoly32[:]), hermite: widen(approx.HermiteCoeffs32[:]),
		expTab: widen(approx.Exp32Table), erfTab: widen(approx.Erf32Table),
		gridPoly: widen(approx.GridExpPoly32[:]), expGridTab: widen(approx.Exp32GridTable),
		consts: map[string]Mem{},
	}
}

// elem returns the constant's bit pattern as one element of this precision.
func (p *prec) elem(x float64) Constant {
	if p.f64 {
		return U64(math.Float64bits(x))
	}
	return U32(math.Float32bits(float32(x)))
}

// k returns a 32-byte read-only vector with every lane equal to x (a float
// value), declared on first use.
func (p *prec) k(name string, x float64) Mem {
	return p.kbits(name, func() Constant { return p.elem(x) })
}

// kint returns a vector of integer lanes (int64 lanes in float64 mode,
// int32 in float32 mode).
func (p *prec) kint(name string, x uint64) Mem {
	return p.kbits(name, func() Constant {
		if p.f64 {
			return U64(x)
		}
		return U32(uint32(x))
	})
}

func (p *prec) kbits(name string, c func() Constant) Mem {
	key := fmt.Sprintf("%s%s", name, p.name)
	if m, ok := p.consts[key]; ok {
		return m
	}
	m := GLOBL(key, RODATA|NOPTR)
	for off := 0; off < 32; off += p.size {
		DATA(off, c())
	}
	p.consts[key] = m
	return m
}

// table declares a lookup table.
func (p *prec) table(name string, vals []float64) Mem {
	key := name + p.name
	if m, ok := p.consts[key]; ok {
		return m
	}
	m := GLOBL(key, RODATA|NOPTR)
	for i, v := range vals {
		DATA(i*p.size, p.elem(v))
	}
	p.consts[key] = m
	return m
}

// declare emits every constant and table up front (GLOBL must precede use).
func (p *prec) declare() {
	p.k("expClamp", p.expClamp)
	p.k("erfClamp", p.erfClamp)
	p.k("erfStep", p.erfStep)
	p.k("invErfStep", 1/p.erfStep)
	p.k("negInvErfStep", -1/p.erfStep)
	p.k("erfShift", p.erfShift)
	p.k("expShift", p.expShift)
	p.k("expInvLn2N", p.expInvLn2N)
	p.k("ln2Hi", p.ln2Hi)
	p.k("ln2Lo", p.ln2Lo)
	p.k("one", 1)
	p.k("half", approx.Half)
	p.k("zero", 0)
	for i, c := range p.expPoly {
		p.k(fmt.Sprintf("expPoly%d_", i), c)
	}
	for i, c := range p.hermite {
		p.k(fmt.Sprintf("hermite%d_", i), c)
	}
	for i, c := range p.gridPoly {
		p.k(fmt.Sprintf("gridPoly%d_", i), c)
	}
	if p.f64 {
		p.kint("absMask", 1<<63-1)
		p.kint("signMask", 1<<63)
		p.kint("expIndexMask", approx.ExpN64-1)
		p.kint("expBias", 1023)
		p.kbitsDwordEven()
	} else {
		p.kint("absMask", 1<<31-1)
		p.kint("signMask", 1<<31)
		p.kint("expBias", 127)
		p.kint("erfIndexMask", 0xffff)
	}
	p.table("expTab", p.expTab)
	// Rows of two elements: erf(r), 2/√π·exp(−r²) (gridPairs, gridPairs32).
	pairs := make([]float64, 0, 2*len(p.erfTab))
	for j, e := range p.erfTab {
		pairs = append(pairs, e, p.expGridTab[j])
	}
	p.table("erfExpGridTab", pairs)
	// Lane indices 0, 1, … for building tail masks.
	p.kbitsLanes()
}

// kbitsDwordEven declares the VPERMD index that gathers the low dwords of
// the four qword lanes into the low half (erfRow, float64).
func (p *prec) kbitsDwordEven() {
	key := "dwordEven" + p.name
	m := GLOBL(key, RODATA|NOPTR)
	for i := 0; i < 8; i++ {
		DATA(i*4, U32(uint32(2*(i%4))))
	}
	p.consts[key] = m
}

func (p *prec) kbitsLanes() {
	key := "laneIndex" + p.name
	m := GLOBL(key, RODATA|NOPTR)
	for i := 0; i < p.lanes; i++ {
		if p.f64 {
			DATA(i*8, U64(uint64(i)))
		} else {
			DATA(i*4, U32(uint32(i)))
		}
	}
	p.consts[key] = m
}

func (p *prec) c(name string) Mem {
	m, ok := p.consts[name+p.name]
	if !ok {
		panic("undeclared constant " + name)
	}
	return m
}

func (p *prec) poly(i int) Mem      { return p.c(fmt.Sprintf("expPoly%d_", i)) }
func (p *prec) hermiteC(i int) Mem  { return p.c(fmt.Sprintf("hermite%d_", i)) }
func (p *prec) gridPolyC(i int) Mem { return p.c(fmt.Sprintf("gridPoly%d_", i)) }

// Floating-point instructions (Go operand order).
func (p *prec) ADD(a, b, d Op)  { pick(p, VADDPD, VADDPS)(a, b, d) }
func (p *prec) SUB(a, b, d Op)  { pick(p, VSUBPD, VSUBPS)(a, b, d) } // d = b − a
func (p *prec) MUL(a, b, d Op)  { pick(p, VMULPD, VMULPS)(a, b, d) }
func (p *prec) DIV(a, b, d Op)  { pick(p, VDIVPD, VDIVPS)(a, b, d) } // d = b / a
func (p *prec) MIN(a, b, d Op)  { pick(p, VMINPD, VMINPS)(a, b, d) } // d = b < a ? b : a
func (p *prec) AND(a, b, d Op)  { pick(p, VANDPD, VANDPS)(a, b, d) }
func (p *prec) ANDN(a, b, d Op) { pick(p, VANDNPD, VANDNPS)(a, b, d) } // d = ¬b ∧ a
func (p *prec) OR(a, b, d Op)   { pick(p, VORPD, VORPS)(a, b, d) }
func (p *prec) XOR(a, b, d Op)  { pick(p, VXORPD, VXORPS)(a, b, d) }
func (p *prec) SQRT(a, d Op)    { pick(p, VSQRTPD, VSQRTPS)(a, d) }
func (p *prec) MOVU(a, d Op)    { pick(p, VMOVUPD, VMOVUPS)(a, d) }

// FMA forms: 213: d = b·d + a;  231: d = b·a + d;  FMSUB231: d = b·a − d.
func (p *prec) FMADD213(a, b, d Op) { pick(p, VFMADD213PD, VFMADD213PS)(a, b, d) }
func (p *prec) FMADD231(a, b, d Op) { pick(p, VFMADD231PD, VFMADD231PS)(a, b, d) }
func (p *prec) FMSUB231(a, b, d Op) { pick(p, VFMSUB231PD, VFMSUB231PS)(a, b, d) }

// CMPEQ sets d to all ones in the lanes where b == a (ordered, quiet).
func (p *prec) CMPEQ(a, b, d Op) { pick(p, VCMPPD, VCMPPS)(Imm(0), a, b, d) }

// CMPGT sets d to all ones in the lanes where b > a (ordered, quiet).
func (p *prec) CMPGT(a, b, d Op) { pick(p, VCMPPD, VCMPPS)(Imm(0x1e), a, b, d) }

// Integer lane instructions.
func (p *prec) ISUB(a, b, d Op)     { pick(p, VPSUBQ, VPSUBD)(a, b, d) } // d = b − a
func (p *prec) ISHR(n int, b, d Op) { pick(p, VPSRLQ, VPSRLD)(Imm(uint64(n)), b, d) }
func (p *prec) ISHL(n int, b, d Op) { pick(p, VPSLLQ, VPSLLD)(Imm(uint64(n)), b, d) }

// ONES sets every bit of r.
func (p *prec) ONES(r Op) { VPCMPEQD(r, r, r) }

// MASKLOAD loads the lanes of mem selected by mask (others 0, no fault).
func (p *prec) MASKLOAD(mem, mask, d Op) { pick(p, VMASKMOVPD, VMASKMOVPS)(mem, mask, d) }

// MASKSTORE stores the lanes of s selected by mask.
func (p *prec) MASKSTORE(s, mask, mem Op) { pick(p, VMASKMOVPD, VMASKMOVPS)(s, mask, mem) }

// BROADCAST loads one element from memory into every lane.
func (p *prec) BROADCAST(mem, d Op) { pick(p, VBROADCASTSD, VBROADCASTSS)(mem, d) }

// tailMask returns a YMM register whose first n lanes (n in a GP register,
// 0 ≤ n < lanes) are all ones and the rest zero.
func (p *prec) tailMask(n GPVirtual) VecVirtual {
	m := YMM()
	x := XMM()
	if p.f64 {
		MOVQ(n, x)
		VPBROADCASTQ(x, m)
		VPCMPGTQ(p.c("laneIndex"), m, m) // lane i: n > i
	} else {
		MOVQ(n, x)
		VPBROADCASTD(x, m)
		VPCMPGTD(p.c("laneIndex"), m, m)
	}
	return m
}

// hsum reduces the lanes of acc into the low element of acc (float64 or
// float32 sum in a fixed tree order).
func (p *prec) hsum(acc VecVirtual) {
	hi := XMM()
	VEXTRACTF128(Imm(1), acc, hi)
	if p.f64 {
		VADDPD(hi, acc.AsX(), acc.AsX())
		VHADDPD(acc.AsX(), acc.AsX(), acc.AsX())
	} else {
		VADDPS(hi, acc.AsX(), acc.AsX())
		VHADDPS(acc.AsX(), acc.AsX(), acc.AsX())
		VHADDPS(acc.AsX(), acc.AsX(), acc.AsX())
	}
}

// storeScalar stores the low element of x to mem.
func (p *prec) storeScalar(x VecVirtual, mem Mem) { pick(p, VMOVSD, VMOVSS)(x.AsX(), mem) }

// pick returns the float64 or the float32 form of an instruction.
func pick[F any](p *prec, f64, f32 F) F {
	if p.f64 {
		return f64
	}
	return f32
}
