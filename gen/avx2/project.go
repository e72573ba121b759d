package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/gmmkit/cramer/gen/internal/spec"
)

// Projection kernels of the sliced distance (see purego.ProjectMeans64 and
// its neighbours for the definitions). The directions are passed transposed,
// thetaT[j*l+k] = θₖ[j], so that for a fixed coordinate j the directions are
// contiguous: the kernels vectorise over directions (lanes = directions k,
// k+1, …) with the row's coordinate broadcast, and every lane performs
// exactly the scalar loop of purego (sum over j ascending, one FMA per term,
// from +0), so the results are bit-identical.
//
// Register blocking: a tile is R rows × V vectors of directions, whose R·V
// accumulators stay in registers while j runs over the coordinates; each
// θ vector loaded for a j serves the R rows, each broadcast coordinate the V
// vectors. The rows are processed in blocks (see projTiles), the directions
// of a row block in tiles of V vectors, then single vectors, then one masked
// vector for the last l mod lanes directions (masked loads and stores touch
// no element past the end).

// Tile shapes (rows × vectors of directions), largest first: the rows are
// processed in blocks of the first shape while enough are left, then of the
// next. Means and diagonal variances: 6×2 needs 12 accumulators, 2 θ vectors
// and a broadcast register (15 of the 16 YMM); the remainder rows use 2×4
// and 1×4, which keep at least four independent accumulation chains.
// Cholesky: 3×2 needs 6 inner sums u, 6 outer sums v, 2 θ vectors and a
// broadcast (15); the remainder rows use 1×4 (13).
var (
	projTiles = [][2]int{{6, 2}, {2, 4}, {1, 4}}
	cholTiles = [][2]int{{3, 2}, {1, 4}}
)

// projCtx holds the registers shared by the parts of one projection kernel.
type projCtx struct {
	kind         spec.Proj
	dst, src, th GPVirtual // dst row, source row (x, s2 or the factor) of the current row block; thetaT
	dsz, lsz     GPVirtual // d·size and l·size in bytes (x row stride; thetaT and dst row stride)
	ddsz         GPVirtual // d·d·size (Cholesky factor stride)
	kb           GPVirtual // byte offset of the current direction tile
	maskMem      Mem       // lane mask of the last l mod lanes directions
	shift        uint64    // log2(size)
	rowStride    GPVirtual // dsz, or ddsz for the Cholesky factors
	vecs         int       // vectors per full tile of the current row block
}

func (p *prec) genProject(kind spec.Proj) {
	name, in := kind.Name(), kind.In()
	p.stub(name, fmt.Sprintf("func(dst, %s, thetaT []%s, n, d, l int)", in, p.ty()), NOSPLIT)

	c := &projCtx{kind: kind}
	tiles := projTiles
	if kind == spec.CholVars {
		tiles = cholTiles
	}
	c.shift = 3
	if !p.f64 {
		c.shift = 2
	}
	c.dst, c.src, c.th = p.ptr("dst"), p.ptr(in), p.ptr("thetaT")
	nMem := AllocLocal(8) // rows left
	n := Load(Param("n"), GP64())
	MOVQ(n, nMem)
	d := Load(Param("d"), GP64()).(GPVirtual)
	l := Load(Param("l"), GP64()).(GPVirtual)

	rem := GP64()
	MOVQ(l, rem)
	ANDQ(U32(p.lanes-1), rem)
	c.maskMem = AllocLocal(32)
	p.MOVU(p.tailMask(rem), c.maskMem)

	c.dsz = GP64()
	MOVQ(d, c.dsz)
	SHLQ(U8(c.shift), c.dsz)
	c.rowStride = c.dsz
	if kind == spec.CholVars {
		c.ddsz = GP64()
		MOVQ(c.dsz, c.ddsz)
		IMULQ(d, c.ddsz)
		c.rowStride = c.ddsz
	}
	c.lsz = l
	SHLQ(U8(c.shift), c.lsz)

	for bi, tile := range tiles {
		r := tile[0]
		c.vecs = tile[1]
		lbl := fmt.Sprintf("rows%d", r)
		next := "done"
		if bi+1 < len(tiles) {
			next = fmt.Sprintf("rows%d", tiles[bi+1][0])
		}
		Label(lbl)
		CMPQ(nMem, U32(r))
		JL(LabelRef(next))
		p.projRowBlock(c, r)
		step := GP64()
		IMUL3Q(U32(r), c.rowStride, step)
		ADDQ(step, c.src)
		IMUL3Q(U32(r), c.lsz, step)
		ADDQ(step, c.dst)
		SUBQ(U32(r), nMem)
		JMP(LabelRef(lbl))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// projRowBlock emits the loop over the directions for R rows: tiles of
// c.vecs vectors, then single vectors, then the masked tail.
func (p *prec) projRowBlock(c *projCtx, R int) {
	pfx := fmt.Sprintf("r%d", R)
	c.kb = GP64()
	XORQ(c.kb, c.kb)
	vecBytes := 32
	remaining := func() GPVirtual {
		rem := GP64()
		MOVQ(c.lsz, rem)
		SUBQ(c.kb, rem)
		return rem
	}
	Label(pfx + "_kv")
	CMPQ(remaining(), U32(c.vecs*vecBytes))
	JL(LabelRef(pfx + "_k1"))
	p.projTile(c, pfx+"_v", R, c.vecs, false)
	ADDQ(U32(c.vecs*vecBytes), c.kb)
	JMP(LabelRef(pfx + "_kv"))

	Label(pfx + "_k1")
	if c.vecs == 1 {
		panic("projRowBlock: tiles of one vector are the single-vector loop")
	}
	CMPQ(remaining(), U32(vecBytes))
	JL(LabelRef(pfx + "_km"))
	p.projTile(c, pfx+"_1", R, 1, false)
	ADDQ(U32(vecBytes), c.kb)
	JMP(LabelRef(pfx + "_k1"))

	Label(pfx + "_km")
	CMPQ(remaining(), U32(0))
	JE(LabelRef(pfx + "_kend"))
	p.projTile(c, pfx+"_m", R, 1, true)
	Label(pfx + "_kend")
}

// rowMem returns the address of row r (0 ≤ r < 6) of a block whose row 0 is
// at p0 and row 3 at p3, rows stride bytes apart.
func rowMem(r int, p0, p3, stride GPVirtual) Mem {
	switch r {
	case 0:
		return Mem{Base: p0}
	case 1, 2:
		return Mem{Base: p0, Index: stride, Scale: uint8(r)}
	case 3:
		return Mem{Base: p3}
	case 4, 5:
		return Mem{Base: p3, Index: stride, Scale: uint8(r - 3)}
	}
	panic("rowMem: row out of range")
}

// projTile emits one tile: R rows × V vectors of directions starting at
// direction byte offset kb (V = 1 when masked).
func (p *prec) projTile(c *projCtx, pfx string, R, V int, masked bool) {
	if R > 6 || (c.kind == spec.CholVars && R > 3) {
		panic("projTile: too many rows")
	}
	var mk VecVirtual
	if masked {
		mk = YMM()
		p.MOVU(c.maskMem, mk)
	}
	// loadTheta loads the V vectors of directions at pth.
	loadTheta := func(pth GPVirtual) []VecVirtual {
		t := make([]VecVirtual, V)
		for v := range t {
			t[v] = YMM()
			if masked {
				p.MASKLOAD(Mem{Base: pth}, mk, t[v])
			} else {
				p.MOVU(Mem{Base: pth, Disp: 32 * v}, t[v])
			}
		}
		return t
	}
	zeros := func() [][]VecVirtual {
		a := make([][]VecVirtual, R)
		for r := range a {
			a[r] = make([]VecVirtual, V)
			for v := range a[r] {
				a[r][v] = YMM()
				p.XOR(a[r][v], a[r][v], a[r][v])
			}
		}
		return a
	}

	var acc [][]VecVirtual
	if c.kind != spec.CholVars {
		acc = zeros()
		pth := GP64()
		LEAQ(Mem{Base: c.th, Index: c.kb, Scale: 1}, pth)
		px := GP64()
		MOVQ(c.src, px)
		pend := GP64()
		LEAQ(Mem{Base: c.src, Index: c.dsz, Scale: 1}, pend)
		var px3 GPVirtual
		if R > 3 {
			px3 = GP64()
			LEAQ(Mem{Base: c.src, Index: c.dsz, Scale: 2}, px3)
			ADDQ(c.dsz, px3)
		}
		Label(pfx + "_j")
		CMPQ(px, pend)
		JAE(LabelRef(pfx + "_store"))
		t := loadTheta(pth)
		if c.kind == spec.DiagVars {
			for _, tv := range t {
				p.MUL(tv, tv, tv) // θ², rounded
			}
		}
		for r := 0; r < R; r++ {
			b := YMM()
			p.BROADCAST(rowMem(r, px, px3, c.dsz), b)
			for v := 0; v < V; v++ {
				p.FMADD231(t[v], b, acc[r][v]) // acc = x·θ + acc
			}
		}
		ADDQ(U32(p.size), px)
		if R > 3 {
			ADDQ(U32(p.size), px3)
		}
		ADDQ(c.lsz, pth)
		JMP(LabelRef(pfx + "_j"))
	} else {
		acc = zeros() // v: Σ_c u²
		// pdg: &Lᵢ[c][c] of the block's first factor; pthc: θ row c.
		pdg := GP64()
		MOVQ(c.src, pdg)
		pthc := GP64()
		LEAQ(Mem{Base: c.th, Index: c.kb, Scale: 1}, pthc)
		ccnt := GP64() // d − c
		MOVQ(c.dsz, ccnt)
		SHRQ(U8(c.shift), ccnt)
		Label(pfx + "_c")
		TESTQ(ccnt, ccnt)
		JE(LabelRef(pfx + "_store"))
		u := zeros()
		q, pt, cnt := GP64(), GP64(), GP64()
		MOVQ(pdg, q)
		MOVQ(pthc, pt)
		MOVQ(ccnt, cnt)
		Label(pfx + "_r")
		t := loadTheta(pt)
		for r := 0; r < R; r++ {
			b := YMM()
			p.BROADCAST(rowMem(r, q, nil, c.ddsz), b)
			for v := 0; v < V; v++ {
				p.FMADD231(t[v], b, u[r][v]) // u = L[r][c]·θ[r] + u
			}
		}
		ADDQ(c.dsz, q)
		ADDQ(c.lsz, pt)
		DECQ(cnt)
		JNE(LabelRef(pfx + "_r"))
		for r := 0; r < R; r++ {
			for v := 0; v < V; v++ {
				p.FMADD231(u[r][v], u[r][v], acc[r][v]) // v = u·u + v
			}
		}
		ADDQ(c.dsz, pdg)
		ADDQ(U32(p.size), pdg)
		ADDQ(c.lsz, pthc)
		DECQ(ccnt)
		JMP(LabelRef(pfx + "_c"))
	}

	Label(pfx + "_store")
	pd := GP64()
	LEAQ(Mem{Base: c.dst, Index: c.kb, Scale: 1}, pd)
	var pd3 GPVirtual
	if R > 3 {
		pd3 = GP64()
		LEAQ(Mem{Base: pd, Index: c.lsz, Scale: 2}, pd3)
		ADDQ(c.lsz, pd3)
	}
	for r := 0; r < R; r++ {
		for v := 0; v < V; v++ {
			m := rowMem(r, pd, pd3, c.lsz).Offset(32 * v)
			if masked {
				p.MASKSTORE(acc[r][v], mk, m)
			} else {
				p.MOVU(acc[r][v], m)
			}
		}
	}
}
