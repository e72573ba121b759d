package main

import (
	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
	"github.com/gmmkit/cramer/internal/approx"
)

// Exp64 (purego.Exp64): the exponential of the float32 mixture-density
// losses by the steps of approx.FastExp…, one instruction per operation,
// products and sums separate (FMUL, FADD: no fused multiply-add), so the
// results equal purego's bit for bit. The table 2^(j/128) is read lane by
// lane through general-purpose registers (NEON has no gather). Its
// constants are the set "FastExp" in V18–V23.

const (
	setFastExp     = "FastExp"
	fastExpUnrollN = 2 // vectors per pass
)

// fastExpConstants is the constant set of Exp64: every constant broadcast.
func fastExpConstants(p *prec) *constSet {
	c := &constSet{full: map[string]arm64.V{}, packed: map[string][2]int{}, tables: map[string]arm64.V{}}
	reg := constBase
	for _, e := range []struct {
		name string
		v    float64
	}{
		{"min", approx.FastExpMin}, {"scale", approx.FastExpScale}, {"shift", approx.FastExpShift},
		{"step", approx.FastExpStep}, {"half", approx.Half}, {"one", 1},
	} {
		c.full[e.name] = reg
		for i := 0; i < p.lanes; i++ {
			c.bits = append(c.bits, p.floatBits(e.v)[0])
		}
		reg++
	}
	c.regs = len(c.bits) / p.lanes
	return c
}

func (g *gen) genFastExp() {
	p := prec64
	k := &pair{gen: g, p: p, sets: map[string]*constSet{setFastExp: fastExpConstants(p)}}
	g.global("const"+setFastExp+p.name, p.size, k.sets[setFastExp].bits)
	g.global("fastExp2", 8, p.floatBits(approx.FastExp2Table[:]...))
	const (
		rDst arm64.R = 0
		rX   arm64.R = 1
		rN   arm64.R = 2
	)
	k.reset()
	k.locals = 0
	off := k.text(spec.FastExp+p.name, p, sl("dst", "x")...)
	k.useSet(setFastExp)
	k.Go("MOVD $fastExp2<>(SB), %s", rExp)
	k.arg(off, "dst", rDst)
	k.arg(off, "x", rX)
	k.argLen(off, "x", rN)
	idx := [][2]arm64.R{{rG0, rG1}, {rG2, rG3}}
	k.colLoop("fastexp", rN, fastExpUnrollN, "exp (elements)", func(n int, partial bool) {
		v, lt, t, nn, pr, tab := make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n), make([]arm64.V, n)
		for i := range v {
			v[i] = k.get()
			k.load(v[i], rX, partial, rN)
		}
		for i := range v { // lanes with x < min give 0 (not NaN lanes)
			lt[i] = k.get()
			k.Word(arm64.FCMGT(p.arr, lt[i], k.full("min"), v[i]))
		}
		for i := range v { // t = x·scale + shift
			t[i] = k.get()
			k.fmul(t[i], v[i], k.full("scale"))
			k.fadd(t[i], t[i], k.full("shift"))
		}
		for i := range v { // n = bits(t) − bits(shift); t = (t − shift)·step
			nn[i] = k.get()
			k.vsub(nn[i], t[i], k.full("shift"))
			k.fsub(t[i], t[i], k.full("shift"))
			k.fmul(t[i], t[i], k.full("step"))
		}
		for i := range v { // r = x − t (into v)
			k.fsub(v[i], v[i], t[i])
			k.put(t[i])
		}
		for i := range v { // p = ((r·r)·½ + r) + 1
			pr[i] = k.get()
			k.fmul(pr[i], v[i], v[i])
			k.fmul(pr[i], pr[i], k.full("half"))
			k.fadd(pr[i], pr[i], v[i])
			k.fadd(pr[i], pr[i], k.full("one"))
			k.put(v[i])
		}
		for i := range v { // T = table[n mod 128]
			r0, r1 := idx[i][0], idx[i][1]
			k.ToGPR(arm64.D2, r0, nn[i], 0)
			k.ToGPR(arm64.D2, r1, nn[i], 1)
			k.Go("AND $%d, %s", approx.FastExpN-1, r0)
			k.Go("AND $%d, %s", approx.FastExpN-1, r1)
			tab[i] = k.get()
			k.gather(tab[i], rExp, r0, r1)
		}
		for i := range v { // T += (n >> 7)·2⁵² (logical shifts: see approx)
			k.VUSHR(arm64.D2, nn[i], nn[i], approx.FastExpBits)
			k.VSHL(arm64.D2, nn[i], nn[i], 52)
			k.VADD(arm64.D2, tab[i], tab[i], nn[i])
			k.put(nn[i])
		}
		for i := range v {
			k.fmul(pr[i], pr[i], tab[i])
			k.put(tab[i])
			k.Word(arm64.BIC(pr[i], pr[i], lt[i]))
			k.put(lt[i])
		}
		for i := range v {
			k.store(pr[i], rDst, partial, rN)
			k.put(pr[i])
		}
	})
	k.end()
}
