package main

import (
	"fmt"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// Projection kernels of the sliced distance (see purego.ProjectMeans64 and
// its neighbours for the definitions). The directions are passed transposed,
// thetaT[j*l+k] = θₖ[j], so that for a fixed coordinate j the directions are
// contiguous: the kernels vectorise over directions (lanes = directions k,
// k+1, …) with the row's coordinate broadcast (VLD1R), and every lane
// performs exactly the scalar loop of purego (sum over j ascending, one
// fused multiply-add per term, from +0; the diagonal form squares θ with a
// rounded multiplication first), so the results are bit-identical.
//
// Register blocking: a tile is R rows × V vectors of directions whose R·V
// accumulators stay in registers while j runs over the coordinates; the V
// θ vectors of a coordinate are loaded once (one VLD1 of V registers that
// also steps to the next coordinate's row of thetaT) and serve the R rows,
// each broadcast coordinate serves the V vectors. The rows are processed in
// blocks (projRows, cholRows), the directions of a row block in tiles of
// projVecs vectors, then single vectors, then the last l mod lanes
// directions in one vector whose lanes are loaded and stored one by one, so
// that no element past the end of a slice is read or written.

// projVecs is the number of direction vectors of a full tile.
const projVecs = 4

// Row blocks, largest first: the rows are processed in blocks of the first
// size while enough are left, then of the next. Means and diagonal
// variances: 6×4 tiles use 24 accumulators (V0–V23), 4 θ vectors (V24–V27)
// and 4 broadcast registers (V28–V31, rows 4 and 5 reuse those of rows 0 and
// 1); a remainder of 1 to 5 rows takes at most two blocks. Cholesky factors:
// 3×4 tiles use 12 outer sums v (V0–V11), 12 inner sums u (V12–V23), 4 θ
// vectors and 3 broadcasts.
var (
	projRows = []int{6, 4, 2, 1}
	cholRows = []int{3, 2, 1}
)

// General-purpose registers of the projection kernels.
const (
	pjDst   arm64.R = 0  // dst row of the current row block
	pjSrc   arm64.R = 1  // first source row (x, s2 or factor) of the current row block
	pjTh    arm64.R = 2  // thetaT
	pjN     arm64.R = 3  // rows left
	pjD     arm64.R = 4  // d
	pjDsz   arm64.R = 5  // d·size: x row stride, factor row stride
	pjLsz   arm64.R = 6  // l·size: thetaT and dst row stride
	pjDdsz  arm64.R = 7  // d·d·size: factor stride
	pjNv4   arm64.R = 8  // full tiles per row block: l / (projVecs·lanes)
	pjNv1   arm64.R = 9  // single vectors after them: (l / lanes) mod projVecs
	pjTail  arm64.R = 10 // l mod lanes
	pjTmp   arm64.R = 11 // scratch
	pjKc    arm64.R = 12 // direction tiles left
	pjThk   arm64.R = 13 // thetaT + byte offset of the current direction tile
	pjDstk  arm64.R = 14 // dst row block + byte offset of the current direction tile
	pjCnt   arm64.R = 15 // coordinates left (inner loop)
	pjPd    arm64.R = 16 // store pointer
	pjStep  arm64.R = 17 // tail: lsz − (t−1)·size, the step after the last lane
	pjRow0  arm64.R = 19 // R19 … R24: row pointers of the means and diagonal tiles
	pjQ0    arm64.R = 19 // R19 … R21: &L[r][c] of the factors of a Cholesky tile
	pjPt    arm64.R = 22 // Cholesky: θ row r
	pjPdg   arm64.R = 23 // Cholesky: &L[c][c] of the first factor
	pjPthc  arm64.R = 24 // Cholesky: θ row c
	pjCcnt  arm64.R = 25 // Cholesky: columns left (d − c)
	pjTheta arm64.R = 26 // means and diagonal: θ row j
)

// Vector registers: accumulators from V0 (row-major, so a row's V vectors
// are consecutive for one VST1), Cholesky inner sums from V12, θ from V24,
// broadcasts V28–V31.
const (
	pjU     arm64.V = 12
	pjTVec  arm64.V = 24
	pjBcast arm64.V = 28
)

// genProjections emits ProjectMeans, ProjectDiagVars and ProjectCholVars of
// the precision.
func (g *gen) genProjections(p *prec) {
	for _, k := range spec.AllProj {
		g.genProject(p, k)
	}
}

func (g *gen) genProject(p *prec, kind spec.Proj) {
	name, in := kind.Name(), kind.In()
	name += p.name
	off := g.text(name, p,
		param{"dst", true}, param{in, true}, param{"thetaT", true},
		param{"n", false}, param{"d", false}, param{"l", false})

	g.arg(off, "dst", pjDst)
	g.arg(off, in, pjSrc)
	g.arg(off, "thetaT", pjTh)
	g.argInt(off, "n", pjN)
	g.argInt(off, "d", pjD)
	g.argInt(off, "l", pjTmp)
	g.Go("CBZ %s, %s", pjTmp, g.ref("done")) // no directions: nothing to write
	g.Go("LSL $%d, %s, %s", p.shift, pjD, pjDsz)
	g.Go("LSL $%d, %s, %s", p.shift, pjTmp, pjLsz)
	rowStride := pjDsz
	if kind == spec.CholVars {
		g.Go("MUL %s, %s, %s", pjD, pjDsz, pjDdsz)
		rowStride = pjDdsz
	}
	g.Go("LSR $%d, %s, %s", pjLog2(projVecs*p.lanes), pjTmp, pjNv4)
	g.Go("LSR $%d, %s, %s", pjLog2(p.lanes), pjTmp, pjNv1)
	g.Go("AND $%d, %s, %s", projVecs-1, pjNv1, pjNv1)
	g.Go("AND $%d, %s, %s", p.lanes-1, pjTmp, pjTail)

	rows := projRows
	if kind == spec.CholVars {
		rows = cholRows
	}
	for bi, R := range rows {
		next := "done"
		if bi+1 < len(rows) {
			next = fmt.Sprintf("rows%d", rows[bi+1])
		}
		lbl := fmt.Sprintf("rows%d", R)
		g.Label(g.label(lbl))
		g.Go("CMP $%d, %s", R, pjN)
		g.Go("BLT %s", g.ref(next))
		g.projRowBlock(p, kind, R, bi == 0)
		g.Go("MOVD $%d, %s", R, pjTmp)
		g.Go("MUL %s, %s, %s", rowStride, pjTmp, pjTmp)
		g.Go("ADD %s, %s, %s", pjTmp, pjSrc, pjSrc)
		g.Go("MOVD $%d, %s", R, pjTmp)
		g.Go("MUL %s, %s, %s", pjLsz, pjTmp, pjTmp)
		g.Go("ADD %s, %s, %s", pjTmp, pjDst, pjDst)
		g.Go("SUB $%d, %s, %s", R, pjN, pjN)
		g.Go("B %s", g.ref(lbl))
	}
	g.Label(g.label("done"))
	g.Go("RET")
}

func pjLog2(n int) int {
	s := 0
	for 1<<s < n {
		s++
	}
	if 1<<s != n {
		panic(fmt.Sprintf("log2: %d is not a power of two", n))
	}
	return s
}

// projRowBlock emits the loop over the directions for R rows: full tiles,
// then single vectors, then the tail of l mod lanes directions (one tile
// per possible tail length, chosen at run time). record reports the inner
// loops of every tile in the file header (else only the full tile's).
func (g *gen) projRowBlock(p *prec, kind spec.Proj, R int, record bool) {
	pfx := fmt.Sprintf("r%d", R)
	vecBytes := 16
	g.Go("MOVD %s, %s", pjTh, pjThk)
	g.Go("MOVD %s, %s", pjDst, pjDstk)

	// Full tiles.
	g.Go("MOVD %s, %s", pjNv4, pjKc)
	g.Go("CBZ %s, %s", pjKc, g.ref(pfx+"_v1"))
	g.Label(g.label(pfx + "_v4"))
	g.projTile(p, kind, pfx+"_v4", R, projVecs, 0, true)
	g.Go("ADD $%d, %s, %s", projVecs*vecBytes, pjThk, pjThk)
	g.Go("ADD $%d, %s, %s", projVecs*vecBytes, pjDstk, pjDstk)
	g.Go("SUBS $1, %s, %s", pjKc, pjKc)
	g.Go("BNE %s", g.ref(pfx+"_v4"))

	// Single vectors.
	g.Label(g.label(pfx + "_v1"))
	g.Go("MOVD %s, %s", pjNv1, pjKc)
	g.Go("CBZ %s, %s", pjKc, g.ref(pfx+"_tail"))
	g.Label(g.label(pfx + "_v1loop"))
	g.projTile(p, kind, pfx+"_v1", R, 1, 0, record)
	g.Go("ADD $%d, %s, %s", vecBytes, pjThk, pjThk)
	g.Go("ADD $%d, %s, %s", vecBytes, pjDstk, pjDstk)
	g.Go("SUBS $1, %s, %s", pjKc, pjKc)
	g.Go("BNE %s", g.ref(pfx+"_v1loop"))

	// Tail: t = l mod lanes directions, 1 ≤ t < lanes, lane by lane. The
	// tiles are emitted for t = lanes−1 down to 1; the dispatch branches
	// to the one of the run-time t.
	g.Label(g.label(pfx + "_tail"))
	end := pfx + "_end"
	g.Go("CBZ %s, %s", pjTail, g.ref(end))
	for t := p.lanes - 1; t >= 1; t-- {
		if t > 1 {
			g.Go("CMP $%d, %s", t, pjTail)
			g.Go("BNE %s", g.ref(fmt.Sprintf("%s_t%d", pfx, t-1)))
		}
		g.projTile(p, kind, fmt.Sprintf("%s_t%d", pfx, t), R, 1, t, record)
		if t > 1 {
			g.Go("B %s", g.ref(end))
			g.Label(g.label(fmt.Sprintf("%s_t%d", pfx, t-1)))
		}
	}
	g.Label(g.label(end))
}

// pjAcc is the accumulator (Cholesky: outer sum v) of row r, vector v of a
// tile of V vectors.
func pjAcc(r, v, V int) arm64.V { return arm64.V(r*V + v) }

// pjBroadcast is the broadcast register of row r.
func pjBroadcast(r int) arm64.V { return pjBcast + arm64.V(r%4) }

// pjThetaRegs are the θ registers of a tile of V vectors.
func pjThetaRegs(V int) []arm64.V {
	t := make([]arm64.V, V)
	for v := range t {
		t[v] = pjTVec + arm64.V(v)
	}
	return t
}

// projTile emits one tile of R rows starting at direction byte offset
// pjThk / pjDstk: V full vectors of directions (t = 0), or the t < lanes
// directions of the tail in one vector (V = 1), whose lanes are loaded and
// stored one by one. It writes the R·V results into dst.
func (g *gen) projTile(p *prec, kind spec.Proj, pfx string, R, V, t int, record bool) {
	if (t > 0 && V != 1) || t >= p.lanes || V > projVecs || R > projRows[0] || (kind == spec.CholVars && R > cholRows[0]) {
		panic(fmt.Sprintf("projTile: no tile of %d rows × %d vectors (tail %d)", R, V, t))
	}
	a := p.arr
	th := pjThetaRegs(V)
	if t > 1 {
		g.Go("SUB $%d, %s, %s", (t-1)*p.size, pjLsz, pjStep)
	}
	step := pjStep
	if t == 1 {
		step = pjLsz
	}
	// loadTheta loads the θ vectors of one coordinate from (ptr) and advances
	// ptr to the next coordinate's row of thetaT.
	loadTheta := func(ptr arm64.R) {
		if t == 0 {
			g.VLD1PR(a, ptr, pjLsz, th...)
			return
		}
		for lane := 0; lane < t-1; lane++ {
			g.VLD1LaneP(a, ptr, th[0], lane)
		}
		g.VLD1LanePR(a, ptr, step, th[0], t-1)
	}
	for r := 0; r < R; r++ {
		for v := 0; v < V; v++ {
			g.VZero(pjAcc(r, v, V))
		}
	}
	if t > 0 {
		g.VZero(th[0]) // lanes ≥ t stay zero: they are never stored
	}
	what := func(loop string) string {
		if t > 0 {
			return fmt.Sprintf("%s loop %d×%d-lane tail (terms)", loop, R, t)
		}
		vectors := "vectors"
		if V == 1 {
			vectors = "vector"
		}
		return fmt.Sprintf("%s loop %d×%d %s (terms)", loop, R, V, vectors)
	}
	terms := R * V * p.lanes
	if t > 0 {
		terms = R * t
	}

	if kind != spec.CholVars {
		// Row pointers, advanced by one coordinate per pass.
		g.Go("MOVD %s, %s", pjThk, pjTheta)
		for r := 0; r < R; r++ {
			if r == 0 {
				g.Go("MOVD %s, %s", pjSrc, pjRow0)
			} else {
				g.Go("ADD %s, %s, %s", pjDsz, pjRow0+arm64.R(r-1), pjRow0+arm64.R(r))
			}
		}
		g.Go("MOVD %s, %s", pjD, pjCnt)
		g.Go("CBZ %s, %s", pjCnt, g.ref(pfx+"_store"))
		g.Label(g.label(pfx + "_j"))
		start := g.Count()
		loadTheta(pjTheta)
		for r := 0; r < min(R, 4); r++ {
			g.VLD1RP(a, pjRow0+arm64.R(r), pjBroadcast(r))
		}
		if kind == spec.DiagVars {
			for _, tv := range th {
				g.Word(arm64.FMUL(a, tv, tv, tv)) // θ², rounded
			}
		}
		for r := 0; r < R; r++ {
			for v := 0; v < V; v++ {
				g.VFMLA(a, pjAcc(r, v, V), th[v], pjBroadcast(r)) // acc = x·θ + acc
			}
			if r+4 < R {
				g.VLD1RP(a, pjRow0+arm64.R(r+4), pjBroadcast(r+4))
			}
		}
		g.Go("SUBS $1, %s, %s", pjCnt, pjCnt)
		g.Go("BNE %s", g.ref(pfx+"_j"))
		if record || (t == 0 && V == projVecs) {
			g.loop(what("j"), start, terms)
		}
	} else {
		u := func(r, v int) arm64.V { return pjU + pjAcc(r, v, V) }
		g.Go("MOVD %s, %s", pjSrc, pjPdg)
		g.Go("MOVD %s, %s", pjThk, pjPthc)
		g.Go("MOVD %s, %s", pjD, pjCcnt)
		g.Go("CBZ %s, %s", pjCcnt, g.ref(pfx+"_store"))
		g.Label(g.label(pfx + "_c"))
		for r := 0; r < R; r++ {
			for v := 0; v < V; v++ {
				g.VZero(u(r, v))
			}
		}
		for r := 0; r < R; r++ {
			if r == 0 {
				g.Go("MOVD %s, %s", pjPdg, pjQ0)
			} else {
				g.Go("ADD %s, %s, %s", pjDdsz, pjQ0+arm64.R(r-1), pjQ0+arm64.R(r))
			}
		}
		g.Go("MOVD %s, %s", pjPthc, pjPt)
		g.Go("MOVD %s, %s", pjCcnt, pjCnt)
		g.Label(g.label(pfx + "_r"))
		start := g.Count()
		loadTheta(pjPt)
		for r := 0; r < R; r++ {
			g.VLD1RPR(a, pjQ0+arm64.R(r), pjDsz, pjBroadcast(r)) // L[r][c], then L[r+1][c]
		}
		for r := 0; r < R; r++ {
			for v := 0; v < V; v++ {
				g.VFMLA(a, u(r, v), th[v], pjBroadcast(r)) // u = L[r][c]·θ[r] + u
			}
		}
		g.Go("SUBS $1, %s, %s", pjCnt, pjCnt)
		g.Go("BNE %s", g.ref(pfx+"_r"))
		if record || (t == 0 && V == projVecs) {
			g.loop(what("r"), start, terms)
		}
		for r := 0; r < R; r++ {
			for v := 0; v < V; v++ {
				g.VFMLA(a, pjAcc(r, v, V), u(r, v), u(r, v)) // v = u·u + v
			}
		}
		g.Go("ADD %s, %s, %s", pjDsz, pjPdg, pjPdg) // next column: &L[c+1][c+1]
		g.Go("ADD $%d, %s, %s", p.size, pjPdg, pjPdg)
		g.Go("ADD %s, %s, %s", pjLsz, pjPthc, pjPthc)
		g.Go("SUBS $1, %s, %s", pjCcnt, pjCcnt)
		g.Go("BNE %s", g.ref(pfx+"_c"))
	}

	g.Label(g.label(pfx + "_store"))
	g.Go("MOVD %s, %s", pjDstk, pjPd)
	for r := 0; r < R; r++ {
		if t == 0 {
			regs := make([]arm64.V, V)
			for v := range regs {
				regs[v] = pjAcc(r, v, V)
			}
			g.VST1PR(a, pjPd, pjLsz, regs...)
			continue
		}
		for lane := 0; lane < t-1; lane++ {
			g.VST1LaneP(a, pjPd, pjAcc(r, 0, V), lane)
		}
		g.VST1LanePR(a, pjPd, step, pjAcc(r, 0, V), t-1)
	}
}
