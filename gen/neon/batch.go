package main

import (
	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// Batch-lane kernels (see purego.BatchCrossRowSums64): the inputs are
// lane-interleaved, component c of mixture pair l at c*n+l, and one vector
// holds the same component of two (float64) or four (float32) consecutive
// pairs. For each block of lanes (the last one partial when n is not a
// multiple of the lane count, read and written lane by lane) the kernels loop
// over the rows and columns with scalar loops and compute one full vector of
// pair terms per (row, column) with the pair computation of the row kernels
// (scale, reduce, erfExpPos with parkScaledE2), one vector per pass, so the terms
// and the fused multiply-add accumulations equal purego's bit for bit.

// General-purpose registers of the batch kernels (the pair computation uses
// R12–R15 and R19–R25).
const (
	bStride arm64.R = 0 // n·size: bytes from one component to the next
	bRem    arm64.R = 1 // lanes from the current block on
	bOff    arm64.R = 2 // byte offset of the current block's first lane
	bI      arm64.R = 3 // rows left
	bRowOff arm64.R = 4 // byte offset of (row, block)
	bJ      arm64.R = 5 // columns left
	bColOff arm64.R = 6 // byte offset of (column, block)
	bPtr    arm64.R = 7 // address scratch
	bRows   arm64.R = 8 // k
	bCols   arm64.R = 9 // m (self: k)
)

// Spill slots of the batch gradient kernels beyond the pair's (slotAd,
// slotQh, slotE2, slotRqm of stream 0): the row's values.
const (
	bSlotMi, bSlotVi, bSlotWi = 9, 10, 11
	bSlotQhRow, bSlotRqRow    = 12, 13
	bSlotRqmRow               = 14
	bSlots                    = 14
)

func (k *pair) batchBegin(name string, kind spec.Rows, slices []string, slots int) map[string]int {
	params := sl(slices...)
	for _, n := range kind.BatchInts() {
		params = append(params, param{n, false})
	}
	off := k.begin(name, params, slots)
	k.argInt(off, "n", bRem)
	k.Go("LSL $%d, %s, %s", k.p.shift, bRem, bStride)
	k.Go("MOVD ZR, %s", bOff)
	k.argInt(off, "k", bRows)
	if kind == spec.Self {
		k.Go("MOVD %s, %s", bRows, bCols)
	} else {
		k.argInt(off, "m", bCols)
	}
	return off
}

// batchBlocks emits the loop over the blocks of lanes: body for full blocks,
// then once for the partial last block (bRem lanes, 0 < bRem < lanes).
func (k *pair) batchBlocks(body func(partial bool, sfx string)) {
	k.Label(k.label("block"))
	k.Go("CMP $%d, %s", k.p.lanes, bRem)
	k.Go("BLT %s", k.ref("tail"))
	body(false, "_full")
	k.Go("SUB $%d, %s", k.p.lanes, bRem)
	k.Go("ADD $16, %s", bOff)
	k.Go("B %s", k.ref("block"))
	k.Label(k.label("tail"))
	k.Go("CBZ %s, %s", bRem, k.ref("done"))
	body(true, "_part")
	k.Label(k.label("done"))
}

// batchLoop emits `for ; cnt > 0; cnt--, offReg += stride { body }`.
func (k *pair) batchLoop(name string, cnt, offReg arm64.R, what string, body func()) {
	k.Label(k.label(name))
	start := k.Count()
	k.Go("CBZ %s, %s", cnt, k.ref(name+"_end"))
	body()
	k.Go("SUB $1, %s", cnt)
	k.Go("ADD %s, %s", bStride, offReg)
	k.Go("B %s", k.ref(name))
	if what != "" {
		k.loop(what, start, k.p.lanes)
	}
	k.Label(k.label(name + "_end"))
}

// batchRows loops over the rows of the block; batchCols over the columns of
// the row (self: the columns after it).
func (k *pair) batchRows(sfx string, body func()) {
	k.Go("MOVD %s, %s", bRows, bI)
	k.Go("MOVD %s, %s", bOff, bRowOff)
	k.batchLoop("row"+sfx, bI, bRowOff, "", body)
}

func (k *pair) batchCols(kind spec.Rows, sfx, what string, body func()) {
	if kind == spec.Self {
		k.Go("SUB $1, %s, %s", bI, bJ)
		k.Go("ADD %s, %s, %s", bStride, bRowOff, bColOff)
	} else {
		k.Go("MOVD %s, %s", bCols, bJ)
		k.Go("MOVD %s, %s", bOff, bColOff)
	}
	k.batchLoop("col"+sfx, bJ, bColOff, what, body)
}

// bload and bstore read and write the vector of slice name at byte offset
// offReg (all lanes, or the first bRem in a partial block).
func (k *pair) bload(v arm64.V, off map[string]int, name string, offReg arm64.R, partial bool) {
	k.arg(off, name, bPtr)
	k.Go("ADD %s, %s", offReg, bPtr)
	k.load(v, bPtr, partial, bRem)
}

func (k *pair) bstore(v arm64.V, off map[string]int, name string, offReg arm64.R, partial bool) {
	k.arg(off, name, bPtr)
	k.Go("ADD %s, %s", offReg, bPtr)
	k.store(v, bPtr, partial, bRem)
}

func (k *pair) genBatchRowSums(kind spec.Rows) {
	name, slices := kind.BatchSums()
	off := k.batchBegin(name, kind, slices, 3)
	r := kind.Roles()
	cm, cv := r.CM, r.CV
	if kind == spec.Self {
		cm, cv = r.RM, r.RV
	}
	k.batchBlocks(func(partial bool, sfx string) {
		k.batchRows(sfx, func() {
			mi, vi, acc := k.get(), k.get(), k.get()
			k.bload(mi, off, r.RM, bRowOff, partial)
			k.bload(vi, off, r.RV, bRowOff, partial)
			var rq arm64.V // Dirac: vi becomes q·½, rq = 1/q
			if kind == spec.Dirac {
				ss := []*stream{{}}
				k.scale(ss, func(*stream) arm64.V { return vi })
				rq = ss[0].rq
				k.fmulE(vi, vi, "half")
			}
			k.VZero(acc)
			what := ""
			if !partial {
				what = name + " pair terms"
			}
			k.batchCols(kind, sfx, what, func() {
				ss := streams(1)
				s := ss[0]
				s.ad = k.get()
				k.bload(s.ad, off, cm, bColOff, partial)
				k.fsub(s.ad, mi, s.ad)
				k.fabs(s.ad, s.ad)
				if kind != spec.Dirac {
					s.q = k.get()
					k.bload(s.q, off, cv, bColOff, partial)
					k.fadd(s.q, vi, s.q)
					k.termScale(s)
				} else {
					k.reduce(ss, func(*stream) arm64.V { return rq })
				}
				h := k.termH(s, func(s *stream) (dst, src arm64.V) {
					if kind == spec.Dirac {
						return k.get(), vi
					}
					return s.q, s.q
				})
				w := k.get()
				k.bload(w, off, r.CW, bColOff, partial)
				k.fmla(acc, w, h)
				k.put(w, h)
			})
			if kind == spec.Dirac {
				k.put(rq)
			}
			k.bstore(acc, off, "out", bRowOff, partial)
			k.put(mi, vi, acc)
		})
	})
	k.end()
}

func (k *pair) genBatchGrad(kind spec.Rows) {
	name, slices := kind.BatchGrad()
	off := k.batchBegin(name, kind, slices, bSlots)
	roles := kind.Roles()
	rw, rm, rv, cw, cm, cv := roles.RW, roles.RM, roles.RV, roles.CW, roles.CM, roles.CV
	colSums := []string{"ch", "cd", "cr"}
	if kind == spec.Dirac {
		colSums = colSums[:2]
	}
	k.batchBlocks(func(partial bool, sfx string) {
		// The column sums of this block start at +0.
		k.Go("MOVD %s, %s", bCols, bJ)
		k.Go("MOVD %s, %s", bOff, bColOff)
		k.batchLoop("zero"+sfx, bJ, bColOff, "", func() {
			z := k.get()
			k.VZero(z)
			for _, c := range colSums {
				k.bstore(z, off, c, bColOff, partial)
			}
			k.put(z)
		})
		k.batchRows(sfx, func() {
			for _, r := range []struct {
				name string
				slot int
			}{{rw, bSlotWi}, {rm, bSlotMi}, {rv, bSlotVi}} {
				v := k.get()
				k.bload(v, off, r.name, bRowOff, partial)
				if kind == spec.Dirac && r.slot == bSlotVi {
					k.parkRowScale(v, bSlotRqRow, bSlotRqmRow, bSlotQhRow)
					continue
				}
				k.spill(v, r.slot)
				k.put(v)
			}
			sh, sd, sr := k.zeroSums()
			what := ""
			if !partial {
				what = name + " pair terms"
			}
			k.batchCols(kind, sfx, what, func() {
				ss := streams(1)
				s := ss[0]
				s.d = k.get()
				k.bload(s.d, off, cm, bColOff, partial)
				mi := k.reload(bSlotMi)
				k.fsub(s.d, mi, s.d)
				k.put(mi)
				s.ad = k.get()
				k.fabs(s.ad, s.d)
				if kind != spec.Dirac {
					s.q = k.get()
					k.bload(s.q, off, cv, bColOff, partial)
					vi := k.reload(bSlotVi)
					k.fadd(s.q, vi, s.q)
					k.put(vi)
					k.gradScale(s)
				} else {
					rq := k.reload(bSlotRqRow)
					k.reduce(ss, func(*stream) arm64.V { return rq })
					k.put(rq)
				}
				rqmSlot := slotRqm
				if kind == spec.Dirac {
					rqmSlot = bSlotRqmRow
				}
				h, e, es := k.gradTerm(s, rqmSlot, func(s *stream) (dst, src arm64.V) {
					if kind == spec.Dirac {
						r := k.reload(bSlotQhRow)
						return r, r
					}
					return s.q, s.q
				})
				w := k.get()
				k.bload(w, off, cw, bColOff, partial)
				k.fmla(sh, w, h)
				k.fmla(sd, w, e)
				k.fmla(sr, w, es)
				k.put(w)
				wi := k.reload(bSlotWi)
				for i, c := range colSums {
					val := []arm64.V{h, e, es}[i]
					acc := k.get()
					k.bload(acc, off, c, bColOff, partial)
					k.fmla(acc, wi, val)
					k.bstore(acc, off, c, bColOff, partial)
					k.put(acc)
				}
				k.put(h, e, es, wi)
			})
			for _, r := range []struct {
				acc  arm64.V
				name string
			}{{sh, "rh"}, {sd, "rd"}, {sr, "rr"}} {
				k.bstore(r.acc, off, r.name, bRowOff, partial)
				k.put(r.acc)
			}
		})
	})
	k.end()
}

// The pair term of one vector of lanes, shared by the batch-lane kernels
// and the batches of single Gaussians (gaussian.go).

// termScale: for q = the vector of variance sums (s.q) and s.ad = |d|: q
// becomes √(2v)·½ and s.t the reduced argument (scale, reduce; 1/q is
// released).
func (k *pair) termScale(s *stream) {
	ss := []*stream{s}
	k.scale(ss, func(s *stream) arm64.V { return s.q })
	k.reduce(ss, func(s *stream) arm64.V { return s.rq })
	k.put(s.rq)
	k.fmulE(s.q, s.q, "half")
}

// termH finishes the pair term from s.ad and s.t: h = fma(|d|, erf,
// (q·½)·E2), with qh as in parkScaledE2. s.ad is released.
func (k *pair) termH(s *stream, qh func(s *stream) (dst, src arm64.V)) arm64.V {
	k.spill(s.ad, slotAd)
	k.put(s.ad)
	e, _ := k.erfExpPos([]*stream{s}, k.parkScaledE2(qh))
	h := k.reload(slotQh) // h = fma(|d|, erf, (q·½)·E2)
	ad := k.reload(slotAd)
	k.fmla(h, ad, e[0])
	k.put(ad, e[0])
	return h
}

// gradScale is termScale for the gradient kernels: 1/q, with 0 where
// q == 0, waits in slot slotRqm.
func (k *pair) gradScale(s *stream) {
	ss := []*stream{s}
	k.scale(ss, func(s *stream) arm64.V { return s.q })
	k.reduce(ss, func(s *stream) arm64.V { return s.rq })
	z := k.get() // rq := 0 where q == 0
	k.Word(arm64.FCMEQZ(k.p.arr, z, s.q))
	k.Word(arm64.BIC(s.rq, s.rq, z))
	k.put(z)
	k.spill(s.rq, slotRqm)
	k.put(s.rq)
	k.fmulE(s.q, s.q, "half")
}

// gradTerm finishes the pair term and its derivatives from s.d, s.ad and
// s.t (the masked 1/q in slot rqmSlot, qh as in parkScaledE2): h, the erf
// with the sign of d, and E2·rq. s.d and s.ad are released.
func (k *pair) gradTerm(s *stream, rqmSlot int, qh func(s *stream) (dst, src arm64.V)) (h, e, es arm64.V) {
	k.put(s.ad)
	k.spill(s.d, slotAd)
	k.put(s.d)
	r, _ := k.erfExpPos([]*stream{s}, k.parkScaledE2(qh))
	e = r[0]
	es = k.reload(slotE2) // E2·rq
	rqm := k.reload(rqmSlot)
	k.fmul(es, es, rqm)
	k.put(rqm)
	d := k.reload(slotAd) // h = fma(|d|, erf, (q·½)·E2); erf gets the sign of d
	ad := k.get()
	k.fabs(ad, d)
	h = k.reload(slotQh)
	k.fmla(h, ad, e)
	k.Word(arm64.BIC(ad, d, ad))
	k.VORR(e, e, ad)
	k.put(ad, d)
	return h, e, es
}
