// Package arm64 emits Go assembler source for arm64 with the NEON
// floating-point instructions that the Go assembler does not know.
//
// Every instruction is a typed method of Prog. Instructions the Go assembler
// accepts are written with their Go mnemonic (VFMLA, VADD, VLD1.P, MOVD, …);
// the others (vector FADD, FMUL, FDIV, FSQRT, FMINNM, FCMGT, FCVTZS, SCVTF,
// FMLA by element, …) are encoded here bit field by bit field and written as
//
//	WORD $0x4e62d420 // fadd v0.2d, v1.2d, v2.2d
//
// with the instruction in the comment in the GNU syntax that
// golang.org/x/arch/arm64/arm64asm prints, so a test can decode every WORD
// and compare. Registers, lane indices and immediates are range-checked: an
// out-of-range operand is a generator bug and panics.
package arm64

import (
	"fmt"
	"strings"
)

// V is a SIMD&FP register V0 … V31.
type V uint8

// R is a general-purpose register R0 … R30 (Go's names).
type R uint8

// Arr is a vector arrangement of a 128-bit register.
type Arr uint8

const (
	D2  Arr = iota // two float64 (or uint64) lanes
	S4             // four float32 (or uint32) lanes
	B16            // sixteen bytes (bitwise operations)
)

func (a Arr) check() {
	if a > B16 {
		panic(fmt.Sprintf("arm64: invalid arrangement %d", a))
	}
}

// Lanes is the number of lanes of the arrangement.
func (a Arr) Lanes() int { return [...]int{2, 4, 16}[a] }

// gnu is the arrangement as the GNU syntax writes it (v0.2d).
func (a Arr) gnu() string { return [...]string{"2d", "4s", "16b"}[a] }

// goName is the arrangement as the Go assembler writes it (V0.D2).
func (a Arr) goName() string { return [...]string{"D2", "S4", "B16"}[a] }

// elem is the element letter of a lane (d, s, b).
func (a Arr) elem() string { return [...]string{"d", "s", "b"}[a] }

// fp returns the sz bit of a floating-point arrangement.
func (a Arr) fp() uint32 {
	switch a {
	case D2:
		return 1
	case S4:
		return 0
	}
	panic("arm64: floating-point instruction needs D2 or S4, not " + a.goName())
}

func (v V) check() uint32 {
	if v > 31 {
		panic(fmt.Sprintf("arm64: no vector register V%d", v))
	}
	return uint32(v)
}

func (r R) check() {
	// R18 is the platform register, R27 the assembler's temporary, R28 g,
	// R29 the frame pointer, R30 the link register.
	if r > 26 || r == 18 {
		panic(fmt.Sprintf("arm64: R%d may not be used by generated code", r))
	}
}

func (v V) gnu(a Arr) string { v.check(); return fmt.Sprintf("v%d.%s", v, a.gnu()) }

// Go returns the operand in Go syntax (V3.D2).
func (v V) Go(a Arr) string { v.check(); a.check(); return fmt.Sprintf("V%d.%s", v, a.goName()) }

// String returns the scalar FP name in Go syntax (F3).
func (v V) String() string { v.check(); return fmt.Sprintf("F%d", v) }

func (r R) String() string { r.check(); return fmt.Sprintf("R%d", r) }

// Inst is one encoded instruction and its GNU syntax.
type Inst struct {
	Word uint32
	GNU  string
}

func checkLane(a Arr, lane int) uint32 {
	if lane < 0 || lane >= a.Lanes() {
		panic(fmt.Sprintf("arm64: lane %d out of range for %s", lane, a.goName()))
	}
	return uint32(lane)
}

// fpSame encodes "Advanced SIMD three same" floating-point instructions:
// 0 Q U 01110 a sz 1 Rm opcode 1 Rn Rd, with Q = 1.
func fpSame(name string, u, a, opcode uint32, arr Arr, d, n, m V) Inst {
	w := 1<<30 | u<<29 | 0b01110<<24 | a<<23 | arr.fp()<<22 | 1<<21 | m.check()<<16 | opcode<<11 | 1<<10 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("%s %s, %s, %s", name, d.gnu(arr), n.gnu(arr), m.gnu(arr))}
}

// fpMisc encodes "Advanced SIMD two-register miscellaneous" floating-point
// instructions: 0 Q U 01110 a sz 10000 opcode 10 Rn Rd, with Q = 1.
func fpMisc(name string, u, a, opcode uint32, arr Arr, d, n V, suffix string) Inst {
	w := 1<<30 | u<<29 | 0b01110<<24 | a<<23 | arr.fp()<<22 | 0b10000<<17 | opcode<<12 | 0b10<<10 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("%s %s, %s%s", name, d.gnu(arr), n.gnu(arr), suffix)}
}

// fpElem encodes "Advanced SIMD vector x indexed element" floating-point
// instructions: 0 Q U 01111 1 sz L M Rm opcode H 0 Rn Rd, with Q = 1. For
// float64 the lane index is H (L = 0), for float32 it is H:L; M:Rm is the
// element's register.
func fpElem(name string, opcode uint32, arr Arr, d, n, m V, lane int) Inst {
	idx := checkLane(arr, lane)
	var h, l uint32
	if arr == D2 {
		h = idx
	} else {
		h, l = idx>>1, idx&1
	}
	mm := m.check()
	w := 1<<30 | 0b01111<<24 | 1<<23 | arr.fp()<<22 | l<<21 | (mm>>4)<<20 | (mm&15)<<16 | opcode<<12 | h<<11 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("%s %s, %s, v%d.%s[%d]", name, d.gnu(arr), n.gnu(arr), m, arr.elem(), lane)}
}

// FCMGE: d = all ones where n ≥ m (ordered: false with a NaN), else 0.
func FCMGE(a Arr, d, n, m V) Inst { return fpSame("fcmge", 1, 0, 0b11100, a, d, n, m) }

// FCVTL: d (two float64) = the low two float32 lanes of n, converted
// exactly; FCVTL2 the high two.
func FCVTL(d, n V) Inst  { return fcvtl(0, d, n) }
func FCVTL2(d, n V) Inst { return fcvtl(1, d, n) }

func fcvtl(q uint32, d, n V) Inst {
	w := q<<30 | 0b01110<<24 | 1<<22 | 0b10000<<17 | 0b10111<<12 | 0b10<<10 | n.check()<<5 | d.check()
	name, src := "fcvtl", "2s"
	if q == 1 {
		name, src = "fcvtl2", "4s"
	}
	return Inst{w, fmt.Sprintf("%s %s, v%d.%s", name, d.gnu(D2), n, src)}
}

// FCVTN: the low two float32 lanes of d = the two float64 lanes of n,
// rounded (to nearest even), the high two cleared; FCVTN2 sets the high two
// and keeps the low two.
func FCVTN(d, n V) Inst  { return narrow("fcvtn", 0, 0b10110, 1, d, n) }
func FCVTN2(d, n V) Inst { return narrow("fcvtn", 1, 0b10110, 1, d, n) }

// XTN: the low two 32-bit lanes of d = the low halves of the two 64-bit
// lanes of n, the high two cleared; XTN2 sets the high two and keeps the low
// two.
func XTN(d, n V) Inst  { return narrow("xtn", 0, 0b10010, 2, d, n) }
func XTN2(d, n V) Inst { return narrow("xtn", 1, 0b10010, 2, d, n) }

// narrow encodes the narrowing "two-register miscellaneous" forms from 2D
// to 2S (q = 0) or to the high half of 4S (q = 1): 0 Q 0 01110 size 10000
// opcode 10 Rn Rd (sz = 1 in the size field's low bit for FCVTN, size = 10
// for XTN).
func narrow(name string, q, opcode, size uint32, d, n V) Inst {
	w := q<<30 | 0b01110<<24 | size<<22 | 0b10000<<17 | opcode<<12 | 0b10<<10 | n.check()<<5 | d.check()
	dst := "2s"
	if q == 1 {
		name, dst = name+"2", "4s"
	}
	return Inst{w, fmt.Sprintf("%s v%d.%s, %s", name, d, dst, n.gnu(D2))}
}

// FMAX: d = max(n, m) (a NaN operand yields a NaN; max(−0, +0) = +0).
func FMAX(a Arr, d, n, m V) Inst { return fpSame("fmax", 0, 0, 0b11110, a, d, n, m) }

// FADD: d = n + m.
func FADD(a Arr, d, n, m V) Inst { return fpSame("fadd", 0, 0, 0b11010, a, d, n, m) }

// FSUB: d = n − m.
func FSUB(a Arr, d, n, m V) Inst { return fpSame("fsub", 0, 1, 0b11010, a, d, n, m) }

// FMUL: d = n · m.
func FMUL(a Arr, d, n, m V) Inst { return fpSame("fmul", 1, 0, 0b11011, a, d, n, m) }

// FDIV: d = n / m.
func FDIV(a Arr, d, n, m V) Inst { return fpSame("fdiv", 1, 0, 0b11111, a, d, n, m) }

// FMINNM: d = minNum(n, m): a quiet NaN operand yields the other operand.
func FMINNM(a Arr, d, n, m V) Inst { return fpSame("fminnm", 0, 1, 0b11000, a, d, n, m) }

// FCMGT: d = all ones where n > m, else 0 (0 when either is NaN).
func FCMGT(a Arr, d, n, m V) Inst { return fpSame("fcmgt", 1, 1, 0b11100, a, d, n, m) }

// FADDP: d = pairwise sums of the lanes of n (low half) and m (high half).
func FADDP(a Arr, d, n, m V) Inst { return fpSame("faddp", 1, 0, 0b11010, a, d, n, m) }

// FABS: d = |n|.
func FABS(a Arr, d, n V) Inst { return fpMisc("fabs", 0, 1, 0b01111, a, d, n, "") }

// FNEG: d = −n.
func FNEG(a Arr, d, n V) Inst { return fpMisc("fneg", 1, 1, 0b01111, a, d, n, "") }

// FSQRT: d = √n, correctly rounded.
func FSQRT(a Arr, d, n V) Inst { return fpMisc("fsqrt", 1, 1, 0b11111, a, d, n, "") }

// FCVTZS: d = n converted to a signed integer of the lane width, rounding
// toward zero.
func FCVTZS(a Arr, d, n V) Inst { return fpMisc("fcvtzs", 0, 1, 0b11011, a, d, n, "") }

// SCVTF: d = the signed integer n converted to floating point.
func SCVTF(a Arr, d, n V) Inst { return fpMisc("scvtf", 0, 0, 0b11101, a, d, n, "") }

// FCMEQZ: d = all ones where n == 0 (either sign), else 0.
func FCMEQZ(a Arr, d, n V) Inst { return fpMisc("fcmeq", 0, 1, 0b01101, a, d, n, ", #0") }

// FMLAE: d += n · m[lane] (fused, one rounding).
func FMLAE(a Arr, d, n, m V, lane int) Inst { return fpElem("fmla", 0b0001, a, d, n, m, lane) }

// FMULE: d = n · m[lane].
func FMULE(a Arr, d, n, m V, lane int) Inst { return fpElem("fmul", 0b1001, a, d, n, m, lane) }

// BIC: d = n AND NOT m (bitwise).
func BIC(d, n, m V) Inst {
	w := 1<<30 | 0b01110<<24 | 0b01<<22 | 1<<21 | m.check()<<16 | 0b000111<<10 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("bic %s, %s, %s", d.gnu(B16), n.gnu(B16), m.gnu(B16))}
}

// MUL: d = n · m for 32-bit integer lanes (modulo 2³²).
func MUL(d, n, m V) Inst {
	w := 1<<30 | 0b01110<<24 | 0b10<<22 | 1<<21 | m.check()<<16 | 0b100111<<10 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("mul %s, %s, %s", d.gnu(S4), n.gnu(S4), m.gnu(S4))}
}

// FADDPScalar: scalar d = n[0] + n[1] of a two-lane vector (2D for float64, 2S for float32).
func FADDPScalar(f64 bool, d, n V) Inst {
	var sz uint32
	reg, arr := "s", "2s"
	if f64 {
		sz, reg, arr = 1, "d", "2d"
	}
	w := 0b01111110<<24 | sz<<22 | 0b11000<<17 | 0b01101<<12 | 0b10<<10 | n.check()<<5 | d.check()
	return Inst{w, fmt.Sprintf("faddp %s%d, v%d.%s", reg, d, n, arr)}
}

// Prog accumulates assembler source. Instruction counts (Go mnemonics and
// WORDs) are kept so that generators can report the length of a loop body.
type Prog struct {
	b     strings.Builder
	count int // instructions emitted so far
	words int // of which WORDs
}

// String returns the source.
func (p *Prog) String() string { return p.b.String() }

// Count returns the number of instructions emitted so far.
func (p *Prog) Count() int { return p.count }

// Words returns the number of WORD directives emitted so far.
func (p *Prog) Words() int { return p.words }

// Raw writes a line as it is (directives, comments, blank lines).
func (p *Prog) Raw(format string, a ...any) {
	fmt.Fprintf(&p.b, format, a...)
	p.b.WriteByte('\n')
}

// Label starts a label.
func (p *Prog) Label(name string) { p.Raw("%s:", name) }

// Comment writes a comment line.
func (p *Prog) Comment(format string, a ...any) { p.Raw("\t// "+format, a...) }

// Go writes one instruction in Go assembler syntax. An operand whose String
// method panicked (a register out of range) is reported by fmt inside the
// text rather than by a panic; Go turns it back into one.
func (p *Prog) Go(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	if strings.Contains(line, "%!") {
		panic("arm64: bad operand in " + line)
	}
	p.count++
	p.Raw("\t%s", line)
}

// Word writes one encoded instruction.
func (p *Prog) Word(i Inst) {
	p.count++
	p.words++
	p.Raw("\tWORD $0x%08x // %s", i.Word, i.GNU)
}

// Instructions the Go assembler knows. Operands are given in ARM order
// (destination first) and written in Go order.

// VFMLA: d += n · m (fused).
func (p *Prog) VFMLA(a Arr, d, n, m V) { a.fp(); p.Go("VFMLA %s, %s, %s", m.Go(a), n.Go(a), d.Go(a)) }

// VADD: integer d = n + m.
func (p *Prog) VADD(a Arr, d, n, m V) { p.Go("VADD %s, %s, %s", m.Go(a), n.Go(a), d.Go(a)) }

// VSUB: integer d = n − m.
func (p *Prog) VSUB(a Arr, d, n, m V) { p.Go("VSUB %s, %s, %s", m.Go(a), n.Go(a), d.Go(a)) }

// VAND: d = n AND m.
func (p *Prog) VAND(d, n, m V) { p.Go("VAND %s, %s, %s", m.Go(B16), n.Go(B16), d.Go(B16)) }

// VORR: d = n OR m.
func (p *Prog) VORR(d, n, m V) { p.Go("VORR %s, %s, %s", m.Go(B16), n.Go(B16), d.Go(B16)) }

// VEOR: d = n XOR m.
func (p *Prog) VEOR(d, n, m V) { p.Go("VEOR %s, %s, %s", m.Go(B16), n.Go(B16), d.Go(B16)) }

// VZero: d = 0.
func (p *Prog) VZero(d V) { p.VEOR(d, d, d) }

// VMov: d = n (register copy).
func (p *Prog) VMov(d, n V) { p.Go("VMOV %s, %s", n.Go(B16), d.Go(B16)) }

// VBIT: where m has a one bit, d takes n's bit.
func (p *Prog) VBIT(d, n, m V) { p.Go("VBIT %s, %s, %s", m.Go(B16), n.Go(B16), d.Go(B16)) }

// VBIF: where m has a zero bit, d takes n's bit.
func (p *Prog) VBIF(d, n, m V) { p.Go("VBIF %s, %s, %s", m.Go(B16), n.Go(B16), d.Go(B16)) }

func shiftCheck(a Arr, sh int, lo int) {
	bits := 64
	if a == S4 {
		bits = 32
	}
	if a == B16 || sh < lo || sh > bits-1+lo {
		panic(fmt.Sprintf("arm64: shift %d out of range for %s", sh, a.goName()))
	}
}

// VUSHR: d = n >> sh (logical, per lane; 1 ≤ sh ≤ lane width).
func (p *Prog) VUSHR(a Arr, d, n V, sh int) {
	shiftCheck(a, sh, 1)
	p.Go("VUSHR $%d, %s, %s", sh, n.Go(a), d.Go(a))
}

// VSHL: d = n << sh (per lane; 0 ≤ sh < lane width).
func (p *Prog) VSHL(a Arr, d, n V, sh int) {
	shiftCheck(a, sh, 0)
	p.Go("VSHL $%d, %s, %s", sh, n.Go(a), d.Go(a))
}

// VDUPLane: every lane of d = n[lane].
func (p *Prog) VDUPLane(a Arr, d, n V, lane int) {
	checkLane(a, lane)
	p.Go("VDUP V%d.%s[%d], %s", n.check(), strings.ToUpper(a.elem()), lane, d.Go(a))
}

// ToGPR: r = v[lane] (zero-extended).
func (p *Prog) ToGPR(a Arr, r R, v V, lane int) {
	checkLane(a, lane)
	p.Go("VMOV V%d.%s[%d], %s", v.check(), strings.ToUpper(a.elem()), lane, r)
}

// FromGPR: v[lane] = r (low bits), other lanes unchanged.
func (p *Prog) FromGPR(a Arr, v V, lane int, r R) {
	checkLane(a, lane)
	p.Go("VMOV %s, V%d.%s[%d]", r, v.check(), strings.ToUpper(a.elem()), lane)
}

func regList(a Arr, vs []V) string {
	if len(vs) < 1 || len(vs) > 4 {
		panic("arm64: a register list has 1 to 4 registers")
	}
	s := make([]string, len(vs))
	for i, v := range vs {
		if i > 0 && v != (vs[i-1]+1)%32 {
			panic("arm64: registers of a list must be consecutive")
		}
		s[i] = v.Go(a)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// VLD1P loads len(vs) consecutive registers from (r) and advances r by 16·len(vs).
func (p *Prog) VLD1P(a Arr, r R, vs ...V) {
	p.Go("VLD1.P %d(%s), %s", 16*len(vs), r, regList(a, vs))
}

// VLD1 loads len(vs) consecutive registers from (r).
func (p *Prog) VLD1(a Arr, r R, vs ...V) { p.Go("VLD1 (%s), %s", r, regList(a, vs)) }

// VST1P stores len(vs) consecutive registers to (r) and advances r by 16·len(vs).
func (p *Prog) VST1P(a Arr, r R, vs ...V) {
	p.Go("VST1.P %s, %d(%s)", regList(a, vs), 16*len(vs), r)
}

// VLD1RP loads one element from (r) into every lane of v and advances r by the element size.
func (p *Prog) VLD1RP(a Arr, r R, v V) {
	size := 8
	if a == S4 {
		size = 4
	}
	p.Go("VLD1R.P %d(%s), [%s]", size, r, v.Go(a))
}

// VTBL2: d[i] = byte idx[i] of the 32-byte table t, t+1 (0 when out of range).
func (p *Prog) VTBL2(d, t, idx V) {
	p.Go("VTBL %s, [%s, %s], %s", idx.Go(B16), t.Go(B16), (t + 1).Go(B16), d.Go(B16))
}
