package main

import (
	"fmt"
	"log"
	"math"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
	"github.com/gmmkit/cramer/internal/approx"
)

// Pair kernels: the element-wise Erf, ExpNegSquare and PairTerms, and the
// row-sum and gradient kernels of the cross, self and Dirac pair matrices
// (see the purego functions of the same names for their definitions).
//
// Every pair term runs the steps of package approx operation for operation:
// the same fused multiply-adds (VFMLA, FMLA by element), the same products
// and the same table entries, so the pair terms equal purego's bit for bit.
// The clamps min(x, L) are FMINNM (a quiet NaN gives L, as purego's clamp)
// where x is the result of an arithmetic operation, and a compare and select
// where x comes straight from memory (a signalling NaN). Tables: the erf
// grid (rows of two elements, erf(r) and 2/√π·exp(−r²)) is read lane by lane
// through general-purpose registers, one pair load per lane (NEON has no
// gather); the float64 exp table of ExpNegSquare likewise, and the 8-row
// float32 exp table sits in two registers and is read with one TBL.
//
// Registers: the constants of package approx occupy V18–V31 (loaded at the
// start of a kernel from one data block: the "Grid" set for the kernels on
// the erf grid, the "Exp" set for ExpNegSquare; PairTerms swaps to the Exp
// set for its ex output and back within its loop); values that are
// multiplied are packed as lanes and used by the "by element" forms of FMLA
// and FMUL, the addends of the Horner steps are broadcast from their lane
// with DUP, which costs nothing extra because FMLA overwrites its
// accumulator anyway. V0–V17 are allocated by a small allocator that fails
// generation when they run out.

// constant vectors of the data block, in register order from V18.
const constBase arm64.V = 18

type constSet struct {
	full   map[string]arm64.V // broadcast constants
	packed map[string][2]int  // name → register, lane
	tables map[string]arm64.V // float32: first of two table registers
	bits   []uint64           // the data block, element by element
	regs   int                // vectors
}

// Constant sets: "grid" for the kernels built on the erf grid (erf, pair
// terms, row sums, gradients), "exp" for exp(−t²) by its table
// (ExpNegSquare, and PairTerms' ex, which switches sets within its loop).
const (
	setGrid = "Grid"
	setExp  = "Exp"
)

func (p *prec) constants(set string) *constSet {
	c := &constSet{full: map[string]arm64.V{}, packed: map[string][2]int{}, tables: map[string]arm64.V{}}
	reg := constBase
	addFull := func(name string, bits uint64) {
		c.full[name] = reg
		for i := 0; i < p.lanes; i++ {
			c.bits = append(c.bits, bits)
		}
		reg++
	}
	fb := func(v float64) uint64 { return p.floatBits(v)[0] }
	var packed []struct {
		name string
		v    float64
	}
	add := func(name string, v float64) {
		packed = append(packed, struct {
			name string
			v    float64
		}{name, v})
	}
	expClamp, erfClamp, shift := approx.ExpClamp64, approx.ErfClamp64, approx.ExpShift64
	invLn2N, ln2Hi, ln2Lo := approx.ExpInvLn2N64, approx.ExpLn2NHi64, approx.ExpLn2NLo64
	step, erfShift := float64(approx.ErfStep64), float64(approx.ErfShift64)
	expPoly, hermite, gridPoly := approx.ExpPoly64[:], approx.HermiteCoeffs64[:], approx.GridExpPoly64[:]
	if !p.f64 {
		widen := func(x []float32) []float64 {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = float64(v)
			}
			return y
		}
		expClamp, erfClamp, shift = approx.ExpClamp32, approx.ErfClamp32, approx.ExpShift32
		invLn2N, ln2Hi, ln2Lo = float64(approx.ExpInvLn2N32), float64(approx.ExpLn2NHi32), float64(approx.ExpLn2NLo32)
		step, erfShift = approx.ErfStep32, approx.ErfShift32
		expPoly, hermite, gridPoly = widen(approx.ExpPoly32[:]), widen(approx.HermiteCoeffs32[:]), widen(approx.GridExpPoly32[:])
	}
	addFull("one", fb(1))
	addFull("expClamp", fb(expClamp))
	if set == setGrid {
		addFull("erfClamp", fb(erfClamp))
		add("half", approx.Half)
		add("step", step)
		add("invStep", 1.0/step)
		add("negInvStep", -1.0/step)
		add("erfShift", erfShift)
		for i, v := range hermite {
			add(fmt.Sprintf("A%d", i), v)
		}
		for i, v := range gridPoly {
			add(fmt.Sprintf("G%d", i), v)
		}
	} else {
		addFull("shift", fb(shift))
		if !p.f64 {
			addFull("tblMul", 0x01010101)
			addFull("tblAdd", 0x03020100)
			if len(approx.Exp32Table) != 8 {
				log.Fatalf("float32 exp table has %d rows; the TBL lookup needs 8", len(approx.Exp32Table))
			}
			c.tables["exp"] = reg
			for _, v := range approx.Exp32Table {
				c.bits = append(c.bits, uint64(math.Float32bits(v)))
			}
			reg += 2
		}
		add("invLn2N", invLn2N)
		add("ln2Hi", ln2Hi)
		add("ln2Lo", ln2Lo)
		for i, v := range expPoly {
			add(fmt.Sprintf("P%d", i), v)
		}
	}
	for i, e := range packed {
		c.packed[e.name] = [2]int{int(reg) + i/p.lanes, i % p.lanes}
		c.bits = append(c.bits, fb(e.v))
	}
	for len(c.bits)%p.lanes != 0 {
		c.bits = append(c.bits, 0)
	}
	c.regs = len(c.bits) / p.lanes
	if int(constBase)+c.regs > 32 {
		log.Fatalf("float%s %s constants fill %d registers from V%d; there are only V%d–V31", p.name, set, c.regs, constBase, constBase)
	}
	return c
}

// pair holds the state of the generation of one precision's pair kernels.
type pair struct {
	*gen
	p    *prec
	c    *constSet // the set in V18–V31
	sets map[string]*constSet
	free [32]bool
	// extra marks registers above the constant set that a kernel lets
	// get hand out too (only where the constants leave some: gaussian.go).
	extra [32]bool
	used  int // registers in use
	peak  int

	laneSeq int // numbers the labels of partial-vector lane sequences
}

// get allocates a working register (V0–V17, then any extra one).
func (k *pair) get() arm64.V {
	for v := arm64.V(0); v < 32; v++ {
		if (v < constBase || k.extra[v]) && k.free[v] {
			k.free[v] = false
			k.used++
			if k.used > k.peak {
				k.peak = k.used
			}
			return v
		}
	}
	log.Fatalf("%s: out of vector registers", k.fn)
	return 0
}

// put releases working registers.
func (k *pair) put(vs ...arm64.V) {
	for _, v := range vs {
		if (v >= constBase && !k.extra[v]) || k.free[v] {
			log.Fatalf("%s: releasing V%d twice or a constant", k.fn, v)
		}
		k.free[v] = true
		k.used--
	}
}

// Spill slots: 16-byte locals of the frame, numbered from 1.
const maxSlots = 16

func slotRef(n int) string {
	if n < 1 || n > maxSlots {
		log.Fatalf("spill slot %d out of range", n)
	}
	return fmt.Sprintf("s%d-%d(SP)", n, 16*n)
}

// spill stores v in slot n (v stays allocated).
// parkRowScale computes, for the row variances v of a Dirac kernel, the
// scale q and 1/q once per row (k.scale), and parks 1/q, 1/q with 0 where
// v == 0, and q·½ in the stack slots rqSlot, rqmSlot and qhSlot. It puts v back.
func (k *pair) parkRowScale(v arm64.V, rqSlot, rqmSlot, qhSlot int) {
	ss := []*stream{{}}
	k.scale(ss, func(*stream) arm64.V { return v })
	rq := ss[0].rq
	z := k.get()
	k.Word(arm64.FCMEQZ(k.p.arr, z, v))
	k.spill(rq, rqSlot)
	k.Word(arm64.BIC(z, rq, z))
	k.spill(z, rqmSlot)
	k.fmulE(v, v, "half")
	k.spill(v, qhSlot)
	k.put(v, rq, z)
}

// zeroSums returns three zeroed accumulators (H, D, R of a gradient row).
func (k *pair) zeroSums() (sh, sd, sr arm64.V) {
	sh, sd, sr = k.get(), k.get(), k.get()
	for _, a := range []arm64.V{sh, sd, sr} {
		k.VZero(a)
	}
	return sh, sd, sr
}

func (k *pair) spill(v arm64.V, n int) { k.Go("FMOVQ %s, %s", v, slotRef(n)) }

// reload allocates a register and loads slot n into it.
func (k *pair) reload(n int) arm64.V {
	v := k.get()
	k.Go("FMOVQ %s, %s", slotRef(n), v)
	return v
}

func (k *pair) reset() {
	for v := arm64.V(0); v < 32; v++ {
		k.free[v] = v < constBase || k.extra[v]
	}
	k.used, k.peak = 0, 0
}

// full and elem return constants.
func (k *pair) full(name string) arm64.V {
	v, ok := k.c.full[name]
	if !ok {
		log.Fatalf("no constant %s", name)
	}
	return v
}

func (k *pair) elem(name string) (arm64.V, int) {
	e, ok := k.c.packed[name]
	if !ok {
		log.Fatalf("no packed constant %s", name)
	}
	return arm64.V(e[0]), e[1]
}

// Instruction shorthands in the precision's arrangement.
func (k *pair) fadd(d, n, m arm64.V)   { k.Word(arm64.FADD(k.p.arr, d, n, m)) }
func (k *pair) fsub(d, n, m arm64.V)   { k.Word(arm64.FSUB(k.p.arr, d, n, m)) }
func (k *pair) fmul(d, n, m arm64.V)   { k.Word(arm64.FMUL(k.p.arr, d, n, m)) }
func (k *pair) fmla(d, n, m arm64.V)   { k.VFMLA(k.p.arr, d, n, m) }
func (k *pair) fabs(d, n arm64.V)      { k.Word(arm64.FABS(k.p.arr, d, n)) }
func (k *pair) vsub(d, n, m arm64.V)   { k.VSUB(k.p.arr, d, n, m) }
func (k *pair) fminnm(d, n, m arm64.V) { k.Word(arm64.FMINNM(k.p.arr, d, n, m)) }

func (k *pair) fmlaE(d, n arm64.V, name string) {
	m, lane := k.elem(name)
	k.Word(arm64.FMLAE(k.p.arr, d, n, m, lane))
}

func (k *pair) fmulE(d, n arm64.V, name string) {
	m, lane := k.elem(name)
	k.Word(arm64.FMULE(k.p.arr, d, n, m, lane))
}

func (k *pair) dup(d arm64.V, name string) {
	m, lane := k.elem(name)
	k.VDUPLane(k.p.arr, d, m, lane)
}

// stream is the register state of one vector of pairs.
type stream struct {
	d, ad, q, rq, t, e2, erf arm64.V
	e2Slot                   int // > 0: e2 is kept in this spill slot, not in a register
}

func each(ss []*stream, f func(s *stream)) {
	for _, s := range ss {
		f(s)
	}
}

// General-purpose registers shared by all pair kernels.
const (
	rConst arm64.R = 15 // the constant block while loading, then scratch
	rExp   arm64.R = 13 // float64 2^(−j/N) table
	rGrid  arm64.R = 14 // erf grid table: rows erf(r), 2/√π·exp(−r²)
	rG0    arm64.R = 19 // lane scratch of the table lookups
	rG1    arm64.R = 20
	rG2    arm64.R = 21
	rG3    arm64.R = 22
	rT0    arm64.R = 23 // scratch of the partial vectors
	rT1    arm64.R = 24
	rT2    arm64.R = 25
)

// prologue loads the constant set into V18–V31 and the table addresses.
func (k *pair) prologue(set string) {
	k.useSet(set)
	if k.p.f64 {
		k.Go("MOVD $exp64<>(SB), %s", rExp)
	}
	k.Go("MOVD $erfExp%s<>(SB), %s", k.p.name, rGrid)
}

// useSet loads constant set into V18–V31 (rConst is scratch).
func (k *pair) useSet(set string) {
	c := k.sets[set]
	k.Go("MOVD $const%s%s<>(SB), %s", set, k.p.name, rConst)
	for v := 0; v < c.regs; v += 4 {
		var list []arm64.V
		for i := v; i < v+4 && i < c.regs; i++ {
			list = append(list, constBase+arm64.V(i))
		}
		k.VLD1P(k.p.arr, rConst, list...)
	}
	k.c = c
}

// scale: q = √(2v), rq = 1/q (v is overwritten by q).
func (k *pair) scale(ss []*stream, v func(s *stream) arm64.V) {
	each(ss, func(s *stream) { x := v(s); k.fadd(x, x, x) })
	each(ss, func(s *stream) { x := v(s); k.Word(arm64.FSQRT(k.p.arr, x, x)); s.q = x })
	each(ss, func(s *stream) { s.rq = k.get(); k.Word(arm64.FDIV(k.p.arr, s.rq, k.full("one"), s.q)) })
}

// reduce: t = min(ad·rq, ExpClamp), 0 where ad == 0.
func (k *pair) reduce(ss []*stream, rq func(s *stream) arm64.V) {
	each(ss, func(s *stream) { s.t = k.get(); k.fmul(s.t, s.ad, rq(s)) })
	each(ss, func(s *stream) { k.fminnm(s.t, s.t, k.full("expClamp")) })
	each(ss, func(s *stream) {
		z := k.get()
		k.Word(arm64.FCMEQZ(k.p.arr, z, s.ad))
		k.Word(arm64.BIC(s.t, s.t, z))
		k.put(z)
	})
}

// clampLoaded: t = |x| if |x| < ExpClamp else ExpClamp, for x straight from
// memory (a signalling NaN gives ExpClamp, like purego's clamp).
func (k *pair) clampLoaded(ss []*stream, x func(s *stream) arm64.V) {
	each(ss, func(s *stream) { s.t = k.get(); k.fabs(s.t, x(s)) })
	each(ss, func(s *stream) {
		m := k.get()
		k.Word(arm64.FCMGT(k.p.arr, m, k.full("expClamp"), s.t))
		k.VBIF(s.t, k.full("expClamp"), m)
		k.put(m)
	})
}

// expNeg returns exp(−t²) per stream (table "exp", constant set "exp"); t is kept.
func (k *pair) expNeg(ss []*stream, table string) []arm64.V {
	n := len(ss)
	hi, nhi, lo, kd, kk, pr := make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n)
	out := make([]arm64.V, n)
	for i, s := range ss {
		hi[i] = k.get()
		k.fmul(hi[i], s.t, s.t)
	}
	for i := range ss {
		nhi[i] = k.get()
		k.Word(arm64.FNEG(k.p.arr, nhi[i], hi[i]))
	}
	for i, s := range ss { // lo = fma(t, t, −hi)
		lo[i] = k.get()
		k.VMov(lo[i], nhi[i])
		k.fmla(lo[i], s.t, s.t)
	}
	for i := range ss { // kd = fma(hi, N/ln2, shift)
		kd[i] = k.get()
		k.VMov(kd[i], k.full("shift"))
		k.fmlaE(kd[i], hi[i], "invLn2N")
		k.put(hi[i])
	}
	for i := range ss { // k = bits(kd) − bits(shift); kd −= shift
		kk[i] = k.get()
		k.vsub(kk[i], kd[i], k.full("shift"))
		k.fsub(kd[i], kd[i], k.full("shift"))
	}
	for i := range ss { // y = fma(kd, hi, −hi); y = fma(kd, lo, y); y −= lo
		k.fmlaE(nhi[i], kd[i], "ln2Hi")
	}
	for i := range ss {
		k.fmlaE(nhi[i], kd[i], "ln2Lo")
		k.put(kd[i])
	}
	for i := range ss {
		k.fsub(nhi[i], nhi[i], lo[i])
		k.put(lo[i])
	}
	y := nhi
	// Horner: p = fma(y, C[last], C[last−1]), …, p = fma(y, p, 1), p = y·p.
	nc := len(approx.ExpPoly64)
	if !k.p.f64 {
		nc = len(approx.ExpPoly32)
	}
	for i := range ss {
		pr[i] = k.get()
		k.dup(pr[i], fmt.Sprintf("P%d", nc-2))
		k.fmlaE(pr[i], y[i], fmt.Sprintf("P%d", nc-1))
	}
	for c := nc - 3; c >= -1; c-- {
		for i := range ss {
			q := k.get()
			if c >= 0 {
				k.dup(q, fmt.Sprintf("P%d", c))
			} else {
				k.VMov(q, k.full("one"))
			}
			k.fmla(q, y[i], pr[i])
			k.put(pr[i])
			pr[i] = q
		}
	}
	for i := range ss {
		k.fmul(pr[i], y[i], pr[i])
		k.put(y[i])
	}
	// T = table[k mod N]; m = fma(T, p, T)
	for i := range ss {
		out[i] = k.get()
		k.lookupExp(out[i], kk[i], table)
	}
	for i := range ss {
		k.fmla(out[i], out[i], pr[i])
		k.put(pr[i])
	}
	// e = k div N; m ·= 2^(−e1); m ·= 2^(−e2) with e1 = e >> 1, e2 = e − e1.
	bits, mant := approx.ExpTableBits64, 52
	if !k.p.f64 {
		bits, mant = approx.ExpTableBits32, 23
	}
	e1 := make([]arm64.V, n)
	for i := range ss {
		k.VUSHR(k.p.arr, kk[i], kk[i], bits)
	}
	for i := range ss {
		e1[i] = k.get()
		k.VUSHR(k.p.arr, e1[i], kk[i], 1)
	}
	for i := range ss {
		k.vsub(kk[i], kk[i], e1[i])
		k.VSHL(k.p.arr, e1[i], e1[i], mant)
	}
	for i := range ss { // 2^(−e1) = bits(1) − e1<<mant
		k.vsub(e1[i], k.full("one"), e1[i])
		k.VSHL(k.p.arr, kk[i], kk[i], mant)
	}
	for i := range ss {
		k.fmul(out[i], out[i], e1[i])
		k.vsub(kk[i], k.full("one"), kk[i])
		k.put(e1[i])
	}
	for i := range ss {
		k.fmul(out[i], out[i], kk[i])
		k.put(kk[i])
	}
	return out
}

// lookupExp sets dst to the exp table rows k mod N.
func (k *pair) lookupExp(dst, kk arm64.V, table string) {
	if !k.p.f64 {
		// byte index of lane i: 4·(k mod 8) + {0,1,2,3}, then one TBL.
		k.VSHL(arm64.S4, dst, kk, 32-approx.ExpTableBits32)
		k.VUSHR(arm64.S4, dst, dst, 32-approx.ExpTableBits32-2)
		k.Word(arm64.MUL(dst, dst, k.full("tblMul")))
		k.VADD(arm64.S4, dst, dst, k.full("tblAdd"))
		t, ok := k.c.tables[table]
		if !ok {
			log.Fatalf("no float32 table %s", table)
		}
		k.VTBL2(dst, t, dst)
		return
	}
	base := rExp
	k.ToGPR(arm64.D2, rG0, kk, 0)
	k.ToGPR(arm64.D2, rG1, kk, 1)
	k.Go("AND $%d, %s", approx.ExpN64-1, rG0)
	k.Go("AND $%d, %s", approx.ExpN64-1, rG1)
	k.gather(dst, base, rG0, rG1)
}

// gather loads dst[i] = table[index in lane i] for float64 (indices in r0,
// r1) or float32 (indices extracted from idx).
func (k *pair) gather(dst arm64.V, base, r0, r1 arm64.R) {
	k.Go("FMOVD (%s)(%s<<3), %s", base, r0, dst)
	k.Go("MOVD (%s)(%s<<3), %s", base, r1, r1)
	k.FromGPR(arm64.D2, dst, 1, r1)
}

// erfExpPos returns erf(t) and E2 = 2/√π·exp(−t²) of every stream, both
// from one row of the erf grid (purego erfExpPos64/32); t is consumed (its
// register becomes tc and is released). onE2 (may be nil) runs as soon as E2
// of stream i is ready; when it returns true it has parked E2 in s.e2Slot,
// the register is released and the returned e2[i] is 0.
func (k *pair) erfExpPos(ss []*stream, onE2 func(i int, s *stream, e2 arm64.V) bool) (erf, e2 []arm64.V) {
	n := len(ss)
	tc, j, dl, u, t2 := make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n)
	g, te := make([]arm64.V, n), make([]arm64.V, n)
	for i, s := range ss {
		tc[i] = s.t
		k.fminnm(tc[i], tc[i], k.full("erfClamp"))
	}
	for i := range ss { // x = fma(tc, step, shift): j in the low bits
		j[i] = k.get()
		k.dup(j[i], "erfShift")
		k.fmlaE(j[i], tc[i], "step")
	}
	for i := range ss { // rj = x − shift; dl = fma(rj, −1/step, tc); u = dl·fma(rj, 1/step, tc)
		rj := k.get()
		k.dup(rj, "erfShift")
		k.fsub(rj, j[i], rj)
		dl[i] = k.get()
		k.VMov(dl[i], tc[i])
		k.fmlaE(dl[i], rj, "negInvStep")
		u[i] = k.get()
		k.VMov(u[i], tc[i])
		k.fmlaE(u[i], rj, "invStep")
		k.fmul(u[i], dl[i], u[i])
		k.put(rj)
	}
	for i := range ss {
		g[i], te[i] = k.get(), k.get()
		k.lookupGrid(g[i], te[i], j[i])
		k.put(j[i])
	}
	// e^(−u) − 1 by Horner: p = fma(G[last], u, G[last−1]), …, then p·u.
	nc := len(approx.GridExpPoly64)
	if !k.p.f64 {
		nc = len(approx.GridExpPoly32)
	}
	pr := make([]arm64.V, n)
	for i := range ss {
		pr[i] = k.get()
		k.dup(pr[i], fmt.Sprintf("G%d", nc-2))
		k.fmlaE(pr[i], u[i], fmt.Sprintf("G%d", nc-1))
	}
	for c := nc - 3; c >= 0; c-- {
		for i := range ss {
			q := k.get()
			k.dup(q, fmt.Sprintf("G%d", c))
			k.fmla(q, u[i], pr[i])
			k.put(pr[i])
			pr[i] = q
		}
	}
	for i := range ss {
		k.fmul(pr[i], pr[i], u[i])
		k.put(u[i])
	}
	e2 = make([]arm64.V, n)
	for i, s := range ss { // E2 = fma(T, p, T)
		k.fmla(te[i], te[i], pr[i])
		k.put(pr[i])
		e2[i], s.e2 = te[i], te[i]
		if onE2 != nil && onE2(i, s, te[i]) {
			k.put(te[i])
			e2[i], s.e2 = 0, 0
		}
	}
	for i := range ss {
		t2[i] = k.get()
		k.fmul(t2[i], tc[i], tc[i])
	}
	q := make([]arm64.V, n)
	if k.p.f64 {
		a := make([]arm64.V, n)
		for i := range ss { // c5 = tc·fma(t2, fma(t2, A7, A8), A9)
			a[i] = k.get()
			k.dup(a[i], "A8")
			k.fmlaE(a[i], t2[i], "A7")
		}
		for i := range ss {
			q[i] = k.get()
			k.dup(q[i], "A9")
			k.fmla(q[i], t2[i], a[i])
			k.fmul(q[i], q[i], tc[i])
		}
		for i := range ss { // c4 = fma(t2, fma(t2, A4, A5), A6); q = fma(q, dl, c4)
			k.dup(a[i], "A5")
			k.fmlaE(a[i], t2[i], "A4")
			c := k.get()
			k.dup(c, "A6")
			k.fmla(c, t2[i], a[i])
			k.fmla(c, q[i], dl[i])
			k.put(q[i])
			q[i] = c
		}
		for i := range ss {
			k.put(a[i])
		}
	}
	// c3 = tc·fma(t2, A2, A3); q = fma(q, dl, c3) (float32: the first term, q = c3)
	for i := range ss {
		c := k.get()
		k.dup(c, "A3")
		k.fmlaE(c, t2[i], "A2")
		k.fmul(c, c, tc[i])
		if k.p.f64 {
			k.fmla(c, q[i], dl[i])
			k.put(q[i])
		}
		q[i] = c
	}
	for i := range ss { // c2 = fma(t2, A0, A1); q = fma(q, dl, c2)
		c := k.get()
		k.dup(c, "A1")
		k.fmlaE(c, t2[i], "A0")
		k.fmla(c, q[i], dl[i])
		k.put(q[i], t2[i])
		q[i] = c
	}
	for i := range ss { // q = fma(q, dl, tc)
		k.fmla(tc[i], q[i], dl[i])
		k.put(q[i])
		q[i] = tc[i]
	}
	for i := range ss { // dp = fma(dl·q, dl, dl)
		tmp := k.get()
		k.fmul(tmp, dl[i], q[i])
		k.fmla(dl[i], tmp, dl[i])
		k.put(tmp, q[i])
	}
	for i, s := range ss { // erf = fma(e2, dp, table[j])
		if s.e2Slot > 0 {
			e2 := k.reload(s.e2Slot)
			k.fmla(g[i], e2, dl[i])
			k.put(e2)
		} else {
			k.fmla(g[i], s.e2, dl[i])
		}
		k.put(dl[i])
		s.t = 0
	}
	return g, e2
}

// lookupGrid sets terf and te2 to the two elements of the erf grid rows j
// (x = fma(tc, step, shift) in the lanes of j: the row index is the low 32
// bits of a float64 lane, the low 16 bits of a float32 lane): one pair load
// per lane.
func (k *pair) lookupGrid(terf, te2, j arm64.V) {
	if k.p.f64 {
		k.ToGPR(arm64.S4, rG0, j, 0) // the low words of the two lanes
		k.ToGPR(arm64.S4, rG1, j, 2)
		k.Go("ADD %s<<4, %s, %s", rG0, rGrid, rG0)
		k.Go("ADD %s<<4, %s, %s", rG1, rGrid, rG1)
		k.Go("FLDPD (%s), (F%d, F%d)", rG0, terf, te2)
		k.Go("LDP (%s), (%s, %s)", rG1, rG1, rG2)
		k.FromGPR(arm64.D2, terf, 1, rG1)
		k.FromGPR(arm64.D2, te2, 1, rG2)
		return
	}
	rs := []arm64.R{rG0, rG1, rG2, rG3}
	for lane, r := range rs {
		k.ToGPR(arm64.S4, r, j, lane)
		k.Go("ADD %s.UXTH<<3, %s, %s", r, rGrid, r) // the low 16 bits, zero-extended
	}
	k.Go("FLDPS (%s), (F%d, F%d)", rG0, terf, te2)
	for lane := 1; lane < 4; lane++ {
		k.Go("LDPW (%s), (%s, %s)", rs[lane], rs[lane], rT2)
		k.FromGPR(arm64.S4, terf, lane, rs[lane])
		k.FromGPR(arm64.S4, te2, lane, rT2)
	}
}

// copysign sets r (≥ 0, sign bit clear) to |r| with the sign of x:
// r |= x AND NOT |x|.
func (k *pair) copysign(ss []*stream, r func(s *stream) arm64.V, x func(s *stream) arm64.V) {
	each(ss, func(s *stream) {
		tmp := k.get()
		k.fabs(tmp, x(s))
		k.Word(arm64.BIC(tmp, x(s), tmp))
		k.VORR(r(s), r(s), tmp)
		k.put(tmp)
	})
}

// ---- loops and partial vectors ----

// load reads the next vector of ptr into v (post-increment), or in a partial
// vector the first cnt (< lanes) elements with the other lanes zero, reading
// through scratch (ptr is not advanced).
func (k *pair) load(v arm64.V, ptr arm64.R, partial bool, cnt arm64.R) {
	if !partial {
		k.VLD1P(k.p.arr, ptr, v)
		return
	}
	k.Go("MOVD %s, %s", ptr, rT0)
	k.VZero(v)
	k.lanes(cnt, func(lane int) {
		if k.p.f64 {
			k.Go("MOVD.P 8(%s), %s", rT0, rT1)
		} else {
			k.Go("MOVWU.P 4(%s), %s", rT0, rT1)
		}
		k.FromGPR(k.p.arr, v, lane, rT1)
	})
}

// store writes v to ptr (post-increment), or in a partial vector only its
// first cnt lanes.
func (k *pair) store(v arm64.V, ptr arm64.R, partial bool, cnt arm64.R) {
	if !partial {
		k.VST1P(k.p.arr, ptr, v)
		return
	}
	k.Go("MOVD %s, %s", ptr, rT0)
	k.lanes(cnt, func(lane int) {
		k.ToGPR(k.p.arr, rT1, v, lane)
		if k.p.f64 {
			k.Go("MOVD.P %s, 8(%s)", rT1, rT0)
		} else {
			k.Go("MOVW.P %s, 4(%s)", rT1, rT0)
		}
	})
}

// lanes emits f for lanes 0 … cnt−1 of a partial vector (cnt < lanes).
func (k *pair) lanes(cnt arm64.R, f func(lane int)) {
	k.laneSeq++
	done := fmt.Sprintf("lanes%d", k.laneSeq)
	for lane := 0; lane < k.p.lanes-1; lane++ {
		if lane > 0 {
			k.Go("CMP $%d, %s", lane, cnt)
			k.Go("BLE %s", k.ref(done))
		}
		f(lane)
	}
	k.Label(k.label(done))
}

// colLoop runs body over the cnt elements at the column pointers: unroll
// vectors per pass while enough are left, then single vectors, then one
// partial vector. cnt is consumed.
func (k *pair) colLoop(name string, cnt arm64.R, unroll int, what string, body func(n int, partial bool)) {
	l := k.p.lanes
	if unroll > 1 {
		k.Label(k.label(name + "_unrolled"))
		start := k.Count()
		k.Go("CMP $%d, %s", l*unroll, cnt)
		k.Go("BLT %s", k.ref(name+"_single"))
		body(unroll, false)
		k.Go("SUB $%d, %s", l*unroll, cnt)
		k.Go("B %s", k.ref(name+"_unrolled"))
		k.loop(what, start, l*unroll)
	}
	k.Label(k.label(name + "_single"))
	start := k.Count()
	k.Go("CMP $%d, %s", l, cnt)
	k.Go("BLT %s", k.ref(name+"_tail"))
	body(1, false)
	k.Go("SUB $%d, %s", l, cnt)
	k.Go("B %s", k.ref(name+"_single"))
	if unroll == 1 {
		k.loop(what, start, l)
	}
	k.Label(k.label(name + "_tail"))
	k.Go("CBZ %s, %s", cnt, k.ref(name+"_done"))
	body(1, true)
	k.Label(k.label(name + "_done"))
}

func streams(n int) []*stream {
	ss := make([]*stream, n)
	for i := range ss {
		ss[i] = &stream{}
	}
	return ss
}

// hsum leaves the sum of acc's lanes in its lane 0 (float32: (a0+a1)+(a2+a3)).
func (k *pair) hsum(acc arm64.V) {
	if !k.p.f64 {
		k.Word(arm64.FADDP(arm64.S4, acc, acc, acc))
	}
	k.Word(arm64.FADDPScalar(k.p.f64, acc, acc))
}

// storeScalar stores lane 0 of v at ptr and advances ptr.
func (k *pair) storeScalar(v arm64.V, ptr arm64.R) {
	if k.p.f64 {
		k.Go("FMOVD.P %s, 8(%s)", v, ptr)
	} else {
		k.Go("FMOVS.P %s, 4(%s)", v, ptr)
	}
}

// loadBroadcast loads the next element at ptr into every lane of v.
func (k *pair) loadBroadcast(v arm64.V, ptr arm64.R) { k.VLD1RP(k.p.arr, ptr, v) }

func (g *gen) genPair(p *prec) {
	k := &pair{gen: g, p: p, sets: map[string]*constSet{}}
	for _, set := range []string{setGrid, setExp} {
		k.sets[set] = p.constants(set)
		g.global("const"+set+p.name, p.size, k.sets[set].bits)
	}
	// The erf grid: rows of two elements, erf(r) and 2/√π·exp(−r²).
	var grid []float64
	if p.f64 {
		g.global("exp64", 8, p.floatBits(approx.Exp64Table...))
		for j, e := range approx.Erf64Table {
			grid = append(grid, e, approx.Exp64GridTable[j])
		}
	} else {
		for j, e := range approx.Erf32Table {
			grid = append(grid, float64(e), float64(approx.Exp32GridTable[j]))
		}
	}
	g.global("erfExp"+p.name, p.size, p.floatBits(grid...))
	k.genElementwise()
	for _, kind := range spec.AllRows {
		k.genRowSums(kind)
		k.genGrad(kind)
	}
	for _, kind := range spec.AllRows {
		k.genBatchRowSums(kind)
		k.genBatchGrad(kind)
	}
}

func sl(names ...string) []param {
	ps := make([]param, len(names))
	for i, n := range names {
		ps[i] = param{n, true}
	}
	return ps
}

func (k *pair) begin(name string, params []param, slots int) map[string]int {
	return k.beginSet(name, params, slots, setGrid)
}

func (k *pair) beginSet(name string, params []param, slots int, set string) map[string]int {
	k.reset()
	k.locals = 16 * slots
	off := k.text(name+k.p.name, k.p, params...)
	k.prologue(set)
	return off
}

func (k *pair) end() {
	k.Go("RET")
	if k.used != 0 {
		log.Fatalf("%s: %d vector registers not released", k.fn, k.used)
	}
	k.Comment("vector registers: %d of V0–V%d at most, constants in V%d–V31", k.peak, constBase-1, constBase)
}

// Unrolling of the element-wise loops (vectors per pass). PairTerms keeps
// d, |d|, q, t and the outputs of two exps per vector: one vector per pass.
const (
	elemUnroll      = 2
	pairTermsUnroll = 1
)

func (k *pair) genElementwise() {
	const (
		rDst arm64.R = 0
		rX   arm64.R = 1
		rN   arm64.R = 2
	)
	off := k.begin(spec.Erf.Name(), sl(spec.Erf.Params()...), 0)
	k.arg(off, "dst", rDst)
	k.arg(off, "x", rX)
	k.argLen(off, "x", rN)
	k.colLoop("erf", rN, elemUnroll, "erf (elements)", func(n int, partial bool) {
		ss := streams(n)
		each(ss, func(s *stream) { s.d = k.get(); k.load(s.d, rX, partial, rN) })
		k.clampLoaded(ss, func(s *stream) arm64.V { return s.d })
		r, e2 := k.erfExpPos(ss, nil)
		for i, s := range ss {
			s.erf = r[i]
			k.put(e2[i])
		}
		k.copysign(ss, func(s *stream) arm64.V { return s.erf }, func(s *stream) arm64.V { return s.d })
		each(ss, func(s *stream) { k.store(s.erf, rDst, partial, rN); k.put(s.erf, s.d) })
	})
	k.end()

	off = k.beginSet(spec.ExpNegSquare.Name(), sl(spec.ExpNegSquare.Params()...), 0, setExp)
	k.arg(off, "dst", rDst)
	k.arg(off, "x", rX)
	k.argLen(off, "x", rN)
	k.colLoop("exp", rN, elemUnroll, "exp (elements)", func(n int, partial bool) {
		ss := streams(n)
		each(ss, func(s *stream) { s.d = k.get(); k.load(s.d, rX, partial, rN) })
		k.clampLoaded(ss, func(s *stream) arm64.V { return s.d })
		each(ss, func(s *stream) { k.put(s.d) })
		k.storeExp(ss, rDst, partial, rN)
	})
	k.end()

	const (
		rH, rE, rEx, rD, rV arm64.R = 0, 1, 2, 3, 4
		rCnt                arm64.R = 5
	)
	off = k.begin(spec.PairTerms.Name(), sl(spec.PairTerms.Params()...), 0)
	for _, a := range []struct {
		n string
		r arm64.R
	}{{"h", rH}, {"erf", rE}, {"ex", rEx}, {"d", rD}, {"v", rV}} {
		k.arg(off, a.n, a.r)
	}
	k.argLen(off, "d", rCnt)
	k.colLoop("pair", rCnt, pairTermsUnroll, "pair terms (elements)", func(n int, partial bool) {
		ss := streams(n)
		vs := make([]arm64.V, n)
		for i, s := range ss {
			s.d = k.get()
			k.load(s.d, rD, partial, rCnt)
			vs[i] = k.get()
			k.load(vs[i], rV, partial, rCnt)
		}
		k.scale(ss, func(s *stream) arm64.V { return vs[indexOf(ss, s)] })
		each(ss, func(s *stream) { s.ad = k.get(); k.fabs(s.ad, s.d) })
		k.reduce(ss, func(s *stream) arm64.V { return s.rq })
		each(ss, func(s *stream) { k.put(s.rq); k.fmulE(s.q, s.q, "half") })
		// erfExpPos consumes t, which exp(−t²) still needs: give it a copy.
		ts := make([]arm64.V, n)
		for i, s := range ss {
			ts[i] = s.t
			s.t = k.get()
			k.VMov(s.t, ts[i])
		}
		r, e2 := k.erfExpPos(ss, nil)
		for i, s := range ss {
			s.erf = r[i]
			k.fmul(s.q, s.q, e2[i])
			k.put(e2[i])
			k.fmla(s.q, s.ad, s.erf) // h = fma(ad, erf, (q·½)·E2)
			k.put(s.ad)
		}
		each(ss, func(s *stream) { k.store(s.q, rH, partial, rCnt); k.put(s.q) })
		k.copysign(ss, func(s *stream) arm64.V { return s.erf }, func(s *stream) arm64.V { return s.d })
		each(ss, func(s *stream) { k.store(s.erf, rE, partial, rCnt); k.put(s.erf, s.d) })
		for i, s := range ss {
			s.t = ts[i]
		}
		// exp(−t²) by its table: the other constant set for the moment.
		k.useSet(setExp)
		k.storeExp(ss, rEx, partial, rCnt)
		k.useSet(setGrid)
	})
	k.end()
}

// storeExp stores exp(−t²) (the plain table) of every stream at ptr and
// releases t.
func (k *pair) storeExp(ss []*stream, ptr arm64.R, partial bool, cnt arm64.R) {
	e := k.expNeg(ss, "exp")
	for i, s := range ss {
		k.put(s.t)
		k.store(e[i], ptr, partial, cnt)
		k.put(e[i])
	}
}

func indexOf(ss []*stream, s *stream) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	panic("stream not found")
}

// Unrolling of the row-sum and gradient column loops: two vectors per pass,
// interleaved instruction by instruction, so that two independent chains of
// the pair computation are in flight. To fit both in V0–V17, the values a
// pair needs only at its end (|d| or d, (q·½)·E2, E2, the masked 1/q) wait
// in stack slots instead of registers, and so do the row's broadcast values
// in the gradient kernels.
const rowUnroll = 2

// Spill slots of the row kernels: per stream s (0, 1) slots slotAd+3s …
// slotE2+3s; per row slots from slotRow.
const (
	slotAd  = 1 // |d| (gradients: d)
	slotQh  = 2 // (q·½)·E2
	slotE2  = 3 // E2
	slotRqm = 7 // gradients: per stream s, slot slotRqm+s: rq with 0 where q == 0
	slotRow = 9 // per-row values: mi, vi, wi, (Dirac) q·½, rq, masked rq
	// rowSlots is one past the last slot the gradient kernels use
	// (slotRow+5); their frame holds rowSlots−1 slots.
	rowSlots = slotRow + 6
)

// parkScaledE2 returns the onE2 hook of erfExpPos for the row kernels: it
// computes (q·½)·E2 and leaves it and E2 in the stream's slots (slotQh,
// slotE2 of stream i) for the end of the pair computation; erfExpPos reloads
// E2 for erf. qh gives the register that receives the product and the one
// holding q·½ (the same register, or the row's q·½ for Dirac rows); the
// product's register is released.
func (k *pair) parkScaledE2(qh func(s *stream) (dst, src arm64.V)) func(i int, s *stream, e2 arm64.V) bool {
	return func(i int, s *stream, e2 arm64.V) bool {
		dst, src := qh(s)
		k.fmul(dst, src, e2)
		k.spill(dst, slotQh+3*i)
		k.spill(e2, slotE2+3*i)
		k.put(dst)
		s.e2Slot = slotE2 + 3*i
		return true
	}
}

func (k *pair) genRowSums(kind spec.Rows) {
	name, names := kind.Sums()
	params := sl(names...)
	off := k.begin(name, params, 3*rowUnroll)
	const (
		rOut, rRows, rM, rV arm64.R = 0, 1, 2, 3
		rCols               arm64.R = 4 // columns of the current row
		rWb, rMb, rVb       arm64.R = 5, 6, 7
		rW, rMc, rVc, rCnt  arm64.R = 8, 9, 10, 11
	)
	r := kind.Roles()
	k.arg(off, "out", rOut)
	k.argLen(off, "out", rRows)
	k.arg(off, r.RM, rM)
	k.arg(off, r.RV, rV)
	k.arg(off, r.CW, rWb)
	if kind != spec.Self {
		k.arg(off, r.CM, rMb)
	}
	if kind == spec.Cross {
		k.arg(off, r.CV, rVb)
	}
	k.argLen(off, r.Cols, rCols)
	k.Label(k.label("row"))
	k.Go("CBZ %s, %s", rRows, k.ref("done"))
	mi, vi, acc := k.get(), k.get(), k.get()
	k.loadBroadcast(mi, rM)
	k.loadBroadcast(vi, rV)
	var rq arm64.V // Dirac: vi becomes q·½, rq = 1/q
	if kind == spec.Dirac {
		ss := []*stream{{}}
		k.scale(ss, func(*stream) arm64.V { return vi })
		rq = ss[0].rq
		k.fmulE(vi, vi, "half")
	}
	k.VZero(acc)
	if kind == spec.Self {
		// columns j > i: the column pointers follow the row pointers.
		k.Go("SUB $1, %s", rCols)
		k.Go("MOVD %s, %s", rCols, rCnt)
		k.Go("MOVD %s, %s", rM, rMc)
		k.Go("MOVD %s, %s", rV, rVc)
		k.Go("ADD $%d, %s", k.p.size, rWb)
		k.Go("MOVD %s, %s", rWb, rW)
	} else {
		k.Go("MOVD %s, %s", rCols, rCnt)
		k.Go("MOVD %s, %s", rMb, rMc)
		k.Go("MOVD %s, %s", rWb, rW)
		if kind == spec.Cross {
			k.Go("MOVD %s, %s", rVb, rVc)
		}
	}
	k.colLoop("col", rCnt, rowUnroll, name+" pair terms", func(n int, partial bool) {
		ss := streams(n)
		each(ss, func(s *stream) {
			s.ad = k.get()
			k.load(s.ad, rMc, partial, rCnt)
		})
		each(ss, func(s *stream) { k.fsub(s.ad, mi, s.ad) })
		each(ss, func(s *stream) { k.fabs(s.ad, s.ad) })
		if kind != spec.Dirac {
			each(ss, func(s *stream) {
				s.q = k.get()
				k.load(s.q, rVc, partial, rCnt)
			})
			each(ss, func(s *stream) { k.fadd(s.q, vi, s.q) })
			k.scale(ss, func(s *stream) arm64.V { return s.q })
			k.reduce(ss, func(s *stream) arm64.V { return s.rq })
			each(ss, func(s *stream) { k.put(s.rq); k.fmulE(s.q, s.q, "half") })
		} else {
			k.reduce(ss, func(*stream) arm64.V { return rq })
		}
		for i, s := range ss {
			k.spill(s.ad, slotAd+3*i)
			k.put(s.ad)
		}
		r, _ := k.erfExpPos(ss, k.parkScaledE2(func(s *stream) (dst, src arm64.V) {
			if kind == spec.Dirac {
				return k.get(), vi
			}
			return s.q, s.q
		}))
		hs := make([]arm64.V, n)
		for i := range ss { // h = fma(|d|, erf, (q·½)·E2)
			hs[i] = k.reload(slotQh + 3*i)
			ad := k.reload(slotAd + 3*i)
			k.fmla(hs[i], ad, r[i])
			k.put(ad, r[i])
		}
		for i := range ss {
			w := k.get()
			k.load(w, rW, partial, rCnt)
			k.fmla(acc, w, hs[i])
			k.put(w, hs[i])
		}
	})
	if kind == spec.Dirac {
		k.put(rq)
	}
	k.hsum(acc)
	k.storeScalar(acc, rOut)
	k.put(mi, vi, acc)
	k.Go("SUB $1, %s", rRows)
	k.Go("B %s", k.ref("row"))
	k.Label(k.label("done"))
	k.end()
}

func (k *pair) genGrad(kind spec.Rows) {
	name, names := kind.Grad()
	params := sl(names...)
	off := k.begin(name, params, rowSlots-1)
	const (
		rRh, rRd, rRr, rWa, rMa, rVa arm64.R = 0, 1, 2, 3, 4, 5
		rRows                        arm64.R = 6
		rCh, rCd, rCr, rW, rM, rV    arm64.R = 7, 8, 9, 10, 11, 16
		rCnt, rOff                   arm64.R = 17, 26
	)
	// Row values in slots.
	const (
		slotMi, slotVi, slotWi = slotRow, slotRow + 1, slotRow + 2
		slotQhRow, slotRqRow   = slotRow + 3, slotRow + 4
		slotRqmRow             = slotRow + 5
	)
	roles := kind.Roles()
	rw, rm, rv, cw, cm, cv, cols := roles.RW, roles.RM, roles.RV, roles.CW, roles.CM, roles.CV, roles.Cols
	k.arg(off, "rh", rRh)
	k.arg(off, "rd", rRd)
	k.arg(off, "rr", rRr)
	k.arg(off, rw, rWa)
	k.arg(off, rm, rMa)
	k.arg(off, rv, rVa)
	k.argLen(off, "rh", rRows)
	// rOff: byte offset of the first column of the row (self: (i+1)·size).
	if kind == spec.Self {
		k.Go("MOVD $%d, %s", k.p.size, rOff)
	} else {
		k.Go("MOVD ZR, %s", rOff)
	}
	k.Label(k.label("row"))
	k.Go("CBZ %s, %s", rRows, k.ref("done"))
	for _, r := range []struct {
		ptr  arm64.R
		slot int
	}{{rWa, slotWi}, {rMa, slotMi}, {rVa, slotVi}} {
		v := k.get()
		k.loadBroadcast(v, r.ptr)
		if kind == spec.Dirac && r.slot == slotVi {
			k.parkRowScale(v, slotRqRow, slotRqmRow, slotQhRow)
			continue
		}
		k.spill(v, r.slot)
		k.put(v)
	}
	sh, sd, sr := k.zeroSums()
	// Column pointers of this row: frame base + rOff.
	for _, c := range []struct {
		name string
		r    arm64.R
	}{{"ch", rCh}, {"cd", rCd}, {"cr", rCr}, {cw, rW}, {cm, rM}, {cv, rV}} {
		if c.name == "" || (kind == spec.Dirac && c.name == "cr") {
			continue
		}
		k.arg(off, c.name, c.r)
		k.Go("ADD %s, %s", rOff, c.r)
	}
	k.argLen(off, cols, rCnt)
	if kind == spec.Self {
		k.Go("SUB %s>>%d, %s", rOff, k.p.shift, rCnt)
	}
	k.colLoop("col", rCnt, rowUnroll, name+" pair terms", func(n int, partial bool) {
		ss := streams(n)
		each(ss, func(s *stream) {
			s.d = k.get()
			k.load(s.d, rM, partial, rCnt)
		})
		mi := k.reload(slotMi)
		each(ss, func(s *stream) { k.fsub(s.d, mi, s.d) })
		k.put(mi)
		each(ss, func(s *stream) { s.ad = k.get(); k.fabs(s.ad, s.d) })
		if kind != spec.Dirac {
			each(ss, func(s *stream) {
				s.q = k.get()
				k.load(s.q, rV, partial, rCnt)
			})
			vi := k.reload(slotVi)
			each(ss, func(s *stream) { k.fadd(s.q, vi, s.q) })
			k.put(vi)
			k.scale(ss, func(s *stream) arm64.V { return s.q })
			k.reduce(ss, func(s *stream) arm64.V { return s.rq })
			for i, s := range ss { // rq := 0 where q == 0
				z := k.get()
				k.Word(arm64.FCMEQZ(k.p.arr, z, s.q))
				k.Word(arm64.BIC(s.rq, s.rq, z))
				k.put(z)
				k.spill(s.rq, slotRqm+i)
				k.put(s.rq)
				k.fmulE(s.q, s.q, "half")
			}
		} else {
			rq := k.reload(slotRqRow)
			k.reduce(ss, func(*stream) arm64.V { return rq })
			k.put(rq)
		}
		for i, s := range ss {
			k.put(s.ad)
			k.spill(s.d, slotAd+3*i)
			k.put(s.d)
		}
		r, _ := k.erfExpPos(ss, k.parkScaledE2(func(s *stream) (dst, src arm64.V) {
			if kind == spec.Dirac {
				r := k.reload(slotQhRow)
				return r, r
			}
			return s.q, s.q
		}))
		hs, es := make([]arm64.V, n), make([]arm64.V, n)
		for i := range ss {
			es[i] = k.reload(slotE2 + 3*i) // E2·rq
			var rqm arm64.V
			if kind == spec.Dirac {
				rqm = k.reload(slotRqmRow)
			} else {
				rqm = k.reload(slotRqm + i)
			}
			k.fmul(es[i], es[i], rqm)
			k.put(rqm)
		}
		for i := range ss { // h = fma(|d|, erf, (q·½)·E2); erf gets the sign of d
			d := k.reload(slotAd + 3*i)
			ad := k.get()
			k.fabs(ad, d)
			hs[i] = k.reload(slotQh + 3*i)
			k.fmla(hs[i], ad, r[i])
			k.Word(arm64.BIC(ad, d, ad))
			k.VORR(r[i], r[i], ad)
			k.put(ad, d)
		}
		for i := range ss {
			w := k.get()
			k.load(w, rW, partial, rCnt)
			k.fmla(sh, w, hs[i])
			k.fmla(sd, w, r[i])
			k.fmla(sr, w, es[i])
			k.put(w)
		}
		wi := k.reload(slotWi)
		for i := range ss {
			for _, c := range []struct {
				r   arm64.R
				val arm64.V
			}{{rCh, hs[i]}, {rCd, r[i]}, {rCr, es[i]}} {
				if kind == spec.Dirac && c.r == rCr {
					continue
				}
				acc := k.get()
				if partial {
					k.load(acc, c.r, true, rCnt)
				} else {
					k.VLD1(k.p.arr, c.r, acc)
				}
				k.fmla(acc, wi, c.val)
				k.store(acc, c.r, partial, rCnt)
				k.put(acc)
			}
			k.put(hs[i], r[i], es[i])
		}
		k.put(wi)
	})
	for _, r := range []struct {
		acc arm64.V
		ptr arm64.R
	}{{sh, rRh}, {sd, rRd}, {sr, rRr}} {
		k.hsum(r.acc)
		k.storeScalar(r.acc, r.ptr)
		k.put(r.acc)
	}
	if kind == spec.Self {
		k.Go("ADD $%d, %s", k.p.size, rOff)
	}
	k.Go("SUB $1, %s", rRows)
	k.Go("B %s", k.ref("row"))
	k.Label(k.label("done"))
	k.end()
}
