package cramer

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// The tiled pair sums. Every mixture-against-mixture computation of a
// Workspace reduces to row and column sums of pair terms over a cross
// (or Dirac) matrix and a self triangle; this file cuts those matrices into
// fixed tiles, runs the tiles as tasks (runner.go) in waves, and combines
// the partial sums in tile order.

// Tiling of the pair matrices. Large problems are cut into tiles of fixed
// size, whatever the number of threads, and partial sums are combined in tile
// order, so results are bit-identical for every GOMAXPROCS and Threads value.
const (
	crossTileRows = 256  // rows of a cross or Dirac tile
	crossTileCols = 4096 // columns of a cross or Dirac tile
	selfTile      = 512  // side of a (square) self-sum tile

	// parallelMinPairs is the problem size below which work stays on the
	// calling goroutine (tile results do not depend on this choice).
	parallelMinPairs = 1 << 17
)

// The tiles are computed in waves of crossWaveStrips row strips (cross and
// Dirac sums) or selfWaveStrips row tiles (self sums): the partial sums of
// one wave are folded into the totals, in tile order, before the next wave
// starts, so the scratch memory is O(K + M) (about 3·8·M + 3·K numbers for
// a gradient) instead of one block of partial sums per tile row, which grew
// as K·M. The additions happen in the same order whatever the wave size, so
// the results do not depend on it; they are variables only so that tests
// can shrink the waves.
var (
	crossWaveStrips = 8
	selfWaveStrips  = 4
)

// job describes the tiled pair-sum computation in progress; doTask runs one
// tile. (A struct rather than a closure, so that the serial path allocates
// nothing.)
type job[F Float] struct {
	im               *kernels.Impl
	self, dirac      bool
	grad             bool
	wa, ma, va       []F
	wb, mb, vb       []F
	k, m, rt, ct     int
	rowPart, colPart []F // the partial sums of the current wave

	// The current wave: tile rows wave0 … wave0+waveN−1, holding waveRows rows.
	wave0, waveN, waveRows int

	// batch jobs (rt is the number of mixture pairs; rowPart holds perF
	// elements of scratch per worker)
	batch  bool
	sa, sb []F
	out    []F
	gp, gq *MixtureGrad[F]
	perF   int
	chunk  int       // mixture pairs per task (batchChunkFor)
	vals   []float64 // per worker: 2·chunk values and cross sums
	under  []int     // per worker: the first lane whose value underflows
	exps   []int     // per pair: the scale exponent (nil: all 0)
	fail   []int     // per task: the first pair with an error, or −1
	// unscaled: no pair needs a scale and no std is lossy (batchUnscaled)
	unscaled bool
	// screen: check each chunk's values first and defer the chunks not
	// cleared (batchTask); list (when not nil): the chunks to run, task i
	// running chunk list[i]
	screen bool
	list   []int
	// lims: the limits the chunks' values of p and q are checked against
	// (frontLimits)
	lims [2]kernels.FrontLimits
}

// workers returns the number of goroutines run uses for n tasks of a
// problem of the given number of pairs: 1 below parallelMinPairs, otherwise
// at most the thread limit (runTasks numbers them from 0, so that a task may
// use its goroutine's scratch).
func (ws *Workspace[F]) workers(n, pairs int) int {
	t := ws.threads()
	if t <= 1 || pairs < parallelMinPairs {
		return 1
	}
	return min(t, n)
}

// run executes tasks 0 … n−1 of ws.job (see runTasks), in parallel when the
// problem is large enough.
func (ws *Workspace[F]) run(n, pairs int) {
	runTasks(n, ws.workers(n, pairs), &ws.job)
}

func tiles(n, size int) int { return (n + size - 1) / size }

// task runs task i of the job on the given worker (a runTasks tasker).
func (j *job[F]) task(worker, i int) { j.doTask(i, worker) }

// doTask runs task on worker (see run).
func (j *job[F]) doTask(task, worker int) {
	if j.batch {
		if j.list != nil {
			task = j.list[task]
		}
		j.batchTask(task, worker)
		return
	}
	if j.self {
		j.selfTask(task)
		return
	}
	k, m, ct := j.k, j.m, j.ct
	// The wave's tiles: row strips wave0 … wave0+waveN−1, whose rows start
	// at row0 and number wr.
	w, c := task/ct, task%ct
	r := j.wave0 + w
	r0, r1 := r*crossTileRows, min((r+1)*crossTileRows, k)
	c0, c1 := c*crossTileCols, min((c+1)*crossTileCols, m)
	row0, wr := j.wave0*crossTileRows, j.waveRows
	rowsAt := func(p int) []F { return j.rowPart[(p*ct+c)*wr+r0-row0 : (p*ct+c)*wr+r1-row0] }
	colsAt := func(p int) []F { return j.colPart[(p*j.waveN+w)*m+c0 : (p*j.waveN+w)*m+c1] }
	wa, ma, va := j.wa[r0:r1], j.ma[r0:r1], j.va[r0:r1]
	mb := j.mb[c0:c1]
	var wb []F
	if len(j.wb) < j.m {
		wb = j.wb[:c1-c0] // a tile of uniform weights (see crossSums)
	} else {
		wb = j.wb[c0:c1]
	}
	switch {
	case !j.grad && j.dirac:
		diracRows(j.im, rowsAt(0), ma, va, wb, mb)
	case !j.grad:
		crossRows(j.im, rowsAt(0), ma, va, wb, mb, j.vb[c0:c1])
	case j.dirac:
		diracGrad(j.im, gradSums[F]{rowsAt(0), rowsAt(1), rowsAt(2)}, gradSums[F]{colsAt(0), colsAt(1), nil}, wa, ma, va, wb, mb)
	default:
		crossGrad(j.im, gradSums[F]{rowsAt(0), rowsAt(1), rowsAt(2)}, gradSums[F]{colsAt(0), colsAt(1), colsAt(2)}, wa, ma, va, wb, mb, j.vb[c0:c1])
	}
}

func (j *job[F]) selfTask(task int) {
	k, nt := j.k, j.rt
	// Tasks are the tiles (r, c) with c ≥ r of the wave's row tiles
	// wave0 … wave0+waveN−1, numbered row by row.
	r, c := j.wave0, task
	for c >= nt-r {
		c -= nt - r
		r++
	}
	c += r
	r0, r1 := r*selfTile, min((r+1)*selfTile, k)
	c0, c1 := c*selfTile, min((c+1)*selfTile, k)
	row0, wr, wi := j.wave0*selfTile, j.waveRows, r-j.wave0
	rowsAt := func(p int) []F { return j.rowPart[(p*nt+c)*wr+r0-row0 : (p*nt+c)*wr+r1-row0] }
	colsAt := func(p int) []F { return j.colPart[(p*j.waveN+wi)*k+c0 : (p*j.waveN+wi)*k+c1] }
	w, m, v := j.wa, j.ma, j.va
	switch {
	case !j.grad && r == c:
		selfRows(j.im, rowsAt(0), m[r0:r1], v[r0:r1], w[r0:r1])
	case !j.grad:
		crossRows(j.im, rowsAt(0), m[r0:r1], v[r0:r1], w[c0:c1], m[c0:c1], v[c0:c1])
	case r == c:
		selfGrad(j.im, gradSums[F]{rowsAt(0), rowsAt(1), rowsAt(2)}, gradSums[F]{colsAt(0), colsAt(1), colsAt(2)}, m[r0:r1], v[r0:r1], w[r0:r1])
	default:
		crossGrad(j.im, gradSums[F]{rowsAt(0), rowsAt(1), rowsAt(2)}, gradSums[F]{colsAt(0), colsAt(1), colsAt(2)},
			w[r0:r1], m[r0:r1], v[r0:r1], w[c0:c1], m[c0:c1], v[c0:c1])
	}
}

// crossSums computes, for the pair matrix of rows (wa, ma, va) against columns
// (wb, mb, vb) — point masses when dirac is set (vb unused) — the row totals
// Σⱼ wb[j]·hᵢⱼ into ws.rowTot and, with grad, the GradSums of the rows into
// ws.rowTot[0:K], [K:2K], [2K:3K] (H, D, R) and of the columns into ws.colTot
// likewise (R absent for point masses). A wb shorter than mb is the weight
// of every column, repeated over at least crossTileCols entries (uniform
// weights without an array of M).
//
// The tiles run in waves of crossWaveStrips row strips. A row's total is the
// sum of its partial sums over the column tiles in order; a column's total
// the sum over the row strips in order, accumulated wave after wave.
func (ws *Workspace[F]) crossSums(im *kernels.Impl, wa, ma, va, wb, mb, vb []F, dirac, grad bool) {
	ws.crossSumsAcc(im, wa, ma, va, wb, mb, vb, dirac, grad, false)
}

// crossSumsAcc is crossSums; with accumulate, the row totals continue the
// sums already in ws.rowTot (of the columns before mb: the columns of a
// problem cut at multiples of crossTileCols give the bits of the whole), so
// that a wide problem can be done in column chunks with column scratch of
// one chunk.
func (ws *Workspace[F]) crossSumsAcc(im *kernels.Impl, wa, ma, va, wb, mb, vb []F, dirac, grad, accumulate bool) {
	k, m := len(ma), len(mb)
	rt, ct := tiles(k, crossTileRows), tiles(m, crossTileCols)
	parts := 1
	if grad {
		parts = 3
	}
	strips := min(rt, crossWaveStrips)
	ws.rowPart = grow(ws.rowPart, parts*ct*min(k, strips*crossTileRows))
	ws.rowTot = grow(ws.rowTot, parts*k)
	if grad {
		ws.colPart = grow(ws.colPart, parts*strips*m)
		ws.colTot = grow(ws.colTot, parts*m)
		clear(ws.colTot)
	}
	for wave0 := 0; wave0 < rt; wave0 += strips {
		n := min(strips, rt-wave0)
		row0, row1 := wave0*crossTileRows, min((wave0+n)*crossTileRows, k)
		wr := row1 - row0
		rowPart := ws.rowPart[:parts*ct*wr]
		var colPart []F
		if grad {
			colPart = ws.colPart[:parts*n*m]
			clear(colPart)
		}
		ws.job = job[F]{im: im, dirac: dirac, grad: grad, wa: wa, ma: ma, va: va, wb: wb, mb: mb, vb: vb,
			k: k, m: m, rt: rt, ct: ct, rowPart: rowPart, colPart: colPart,
			wave0: wave0, waveN: n, waveRows: wr}
		ws.run(n*ct, wr*m)
		ws.job = job[F]{}
		for p := 0; p < parts; p++ {
			if accumulate {
				addTiles(ws.rowTot[p*k+row0:p*k+row1], rowPart[p*ct*wr:(p+1)*ct*wr], ct)
			} else {
				sumTiles(ws.rowTot[p*k+row0:p*k+row1], rowPart[p*ct*wr:(p+1)*ct*wr], ct)
			}
		}
		if grad {
			for p := 0; p < parts; p++ {
				addTiles(ws.colTot[p*m:(p+1)*m], colPart[p*n*m:(p+1)*n*m], n)
			}
		}
	}
}

// sumTiles sets dst[i] to the float64 sum, in tile order, of the tiles
// partial arrays of len(dst) laid out one after another in part.
func sumTiles[F Float](dst []float64, part []F, tiles int) {
	n := len(dst)
	for i := range dst {
		var s float64
		for t := 0; t < tiles; t++ {
			s += float64(part[t*n+i])
		}
		dst[i] = s
	}
}

// addTiles adds to dst[i], in tile order, the tiles partial arrays of
// len(dst) laid out one after another in part. (Summing the waves' tiles
// into a total that starts at 0 gives exactly sumTiles over all of them.)
func addTiles[F Float](dst []float64, part []F, tiles int) {
	n := len(dst)
	for i := range dst {
		s := dst[i]
		for t := 0; t < tiles; t++ {
			s += float64(part[t*n+i])
		}
		dst[i] = s
	}
}

// selfSums computes the upper-triangle sums of one mixture (w, m, v): into dst
// the row totals Σ_{j>i} w[j]·hᵢⱼ, and with grad the full off-diagonal
// GradSums Σ_{j≠i} (H, D, R in dst[0:K], [K:2K], [2K:3K]) followed by the
// upper-triangle row totals in dst[3K:4K] (so the value is the same bits with
// and without gradients). The tiles run in waves of selfWaveStrips tile rows,
// as in crossSums.
func (ws *Workspace[F]) selfSums(im *kernels.Impl, dst []float64, w, m, v []F, grad bool) []float64 {
	k := len(m)
	nt := tiles(k, selfTile)
	parts := 1
	if grad {
		parts = 3
	}
	strips := min(nt, selfWaveStrips)
	ws.rowPart = grow(ws.rowPart, parts*nt*min(k, strips*selfTile))
	dst = grow(dst, parts*k)
	if grad {
		ws.colPart = grow(ws.colPart, parts*strips*k)
		ws.selfCol = grow(ws.selfCol, parts*k)
		clear(ws.selfCol)
	}
	for wave0 := 0; wave0 < nt; wave0 += strips {
		n := min(strips, nt-wave0)
		row0, row1 := wave0*selfTile, min((wave0+n)*selfTile, k)
		wr := row1 - row0
		rowPart := ws.rowPart[:parts*nt*wr]
		clear(rowPart) // the tiles left of the diagonal are not computed
		var colPart []F
		if grad {
			colPart = ws.colPart[:parts*n*k]
			clear(colPart)
		}
		tasks := 0
		for r := wave0; r < wave0+n; r++ {
			tasks += nt - r
		}
		ws.job = job[F]{im: im, self: true, grad: grad, wa: w, ma: m, va: v, k: k, rt: nt,
			rowPart: rowPart, colPart: colPart, wave0: wave0, waveN: n, waveRows: wr}
		ws.run(tasks, wr*(k-row0)/2)
		ws.job = job[F]{}
		for p := 0; p < parts; p++ {
			sumTiles(dst[p*k+row0:p*k+row1], rowPart[p*nt*wr:(p+1)*nt*wr], nt)
		}
		if grad {
			for p := 0; p < parts; p++ {
				addTiles(ws.selfCol[p*k:(p+1)*k], colPart[p*n*k:(p+1)*n*k], n)
			}
		}
	}
	if grad {
		dst = append(dst[:3*k], dst[:k]...)
		for i := 0; i < k; i++ {
			dst[i] += ws.selfCol[i]         // H: both triangles
			dst[k+i] -= ws.selfCol[k+i]     // D: erf is odd in d
			dst[2*k+i] += ws.selfCol[2*k+i] // R
		}
	}
	return dst
}

// diagTerm is h(0, √2·σ) = 2σ/√π, the diagonal pair term of a self sum.
func diagTerm(sigma float64) float64 { return sigma * (2 / math.SqrtPi) }
