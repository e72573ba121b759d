package cramer

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gmmkit/cramer/kernels"
)

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

// Workspace holds the scratch memory of the distance computations so that
// repeated calls allocate nothing once the buffers have grown to the largest
// problem seen. A Workspace is not safe for concurrent use; use one per
// goroutine. The zero value is ready to use.
type Workspace[F Float] struct {
	// Threads caps the goroutines used for large problems: 0 means
	// runtime.GOMAXPROCS(0), 1 keeps everything on the calling goroutine.
	// Results do not depend on it. The parallel path allocates a few small
	// objects per call for its goroutines; the serial path allocates nothing.
	Threads int

	va, vb  []F // variances of the two sides
	rowPart []F // row partial sums: one block of rows per column tile (×3 for gradients)
	colPart []F // column partial sums: one block of columns per row tile (×3 for gradients)
	rowTot  []float64
	colTot  []float64
	selfCol []float64
	selfA   []float64 // self-sum totals of side A (×3 for gradients)
	selfB   []float64
	job     job[F]
	xw      []F // implied uniform weights of samples
	dv, dw  []float64

	samples sampleScratch
}

func (ws *Workspace[F]) threads() int {
	if ws.Threads > 0 {
		return ws.Threads
	}
	return runtime.GOMAXPROCS(0)
}

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
	rowPart, colPart []F

	// batch jobs (rt is the number of mixture pairs; rowPart holds perF
	// elements of scratch per worker)
	batch  bool
	sa, sb []F
	out    []F
	gp, gq *MixtureGrad[F]
	perF   int
}

// workers returns the number of goroutines run uses for n tasks of a
// problem of the given number of pairs: 1 below parallelMinPairs.
func (ws *Workspace[F]) workers(n, pairs int) int {
	t := ws.threads()
	if t > n {
		t = n
	}
	if t <= 1 || pairs < parallelMinPairs {
		return 1
	}
	return t
}

// run executes tasks 0 … n−1 of ws.job, in parallel when the problem is large
// enough (on ws.workers(n, pairs) goroutines, numbered from 0, so that a task
// may use its goroutine's scratch). Tasks write disjoint memory, so the result
// does not depend on the schedule.
func (ws *Workspace[F]) run(n, pairs int) {
	t := ws.workers(n, pairs)
	if t == 1 {
		for i := 0; i < n; i++ {
			ws.job.doTask(i, 0)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	j := &ws.job
	worker := func(w int) {
		defer wg.Done()
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			j.doTask(i, w)
		}
	}
	wg.Add(t)
	for g := 1; g < t; g++ {
		go worker(g)
	}
	worker(0)
	wg.Wait()
}

func variances[F Float](dst, stds []F) []F {
	dst = grow(dst, len(stds))
	for i, s := range stds {
		dst[i] = s * s
	}
	return dst
}

func tiles(n, size int) int { return (n + size - 1) / size }

// doTask runs task on worker (see run).
func (j *job[F]) doTask(task, worker int) {
	if j.batch {
		j.batchTask(task, worker)
		return
	}
	if j.self {
		j.selfTask(task)
		return
	}
	k, m, rt, ct := j.k, j.m, j.rt, j.ct
	r, c := task/ct, task%ct
	r0, r1 := r*crossTileRows, min((r+1)*crossTileRows, k)
	c0, c1 := c*crossTileCols, min((c+1)*crossTileCols, m)
	rowsAt := func(p int) []F { return j.rowPart[(p*ct+c)*k+r0 : (p*ct+c)*k+r1] }
	colsAt := func(p int) []F { return j.colPart[(p*rt+r)*m+c0 : (p*rt+r)*m+c1] }
	wa, ma, va := j.wa[r0:r1], j.ma[r0:r1], j.va[r0:r1]
	wb, mb := j.wb[c0:c1], j.mb[c0:c1]
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
	// Tasks are the tiles (r, c) with c ≥ r, numbered row by row.
	r, c := 0, task
	for c >= nt-r {
		c -= nt - r
		r++
	}
	c += r
	r0, r1 := r*selfTile, min((r+1)*selfTile, k)
	c0, c1 := c*selfTile, min((c+1)*selfTile, k)
	rowsAt := func(p int) []F { return j.rowPart[(p*nt+c)*k+r0 : (p*nt+c)*k+r1] }
	colsAt := func(p int) []F { return j.colPart[(p*nt+r)*k+c0 : (p*nt+r)*k+c1] }
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
// likewise (R absent for point masses).
func (ws *Workspace[F]) crossSums(im *kernels.Impl, wa, ma, va, wb, mb, vb []F, dirac, grad bool) {
	k, m := len(ma), len(mb)
	rt, ct := tiles(k, crossTileRows), tiles(m, crossTileCols)
	parts := 1
	if grad {
		parts = 3
	}
	ws.rowPart = grow(ws.rowPart, parts*ct*k)
	if grad {
		ws.colPart = grow(ws.colPart, parts*rt*m)
		clear(ws.colPart)
	}
	ws.job = job[F]{im: im, dirac: dirac, grad: grad, wa: wa, ma: ma, va: va, wb: wb, mb: mb, vb: vb,
		k: k, m: m, rt: rt, ct: ct, rowPart: ws.rowPart, colPart: ws.colPart}
	ws.run(rt*ct, k*m)
	ws.job = job[F]{}
	ws.rowTot = combine(ws.rowTot, ws.rowPart, parts, ct, k)
	if grad {
		ws.colTot = combine(ws.colTot, ws.colPart, parts, rt, m)
	}
}

// combine sums, for each of parts blocks, the tiles partial arrays of length n
// in tile order into a float64 total.
func combine[F Float](dst []float64, part []F, parts, tiles, n int) []float64 {
	dst = grow(dst, parts*n)
	for p := 0; p < parts; p++ {
		out := dst[p*n : (p+1)*n]
		for i := range out {
			var s float64
			for t := 0; t < tiles; t++ {
				s += float64(part[(p*tiles+t)*n+i])
			}
			out[i] = s
		}
	}
	return dst
}

// selfSums computes the upper-triangle sums of one mixture (w, m, v): into dst
// the row totals Σ_{j>i} w[j]·hᵢⱼ, and with grad the full off-diagonal
// GradSums Σ_{j≠i} (H, D, R in dst[0:K], [K:2K], [2K:3K]) followed by the
// upper-triangle row totals in dst[3K:4K] (so the value is the same bits with
// and without gradients).
func (ws *Workspace[F]) selfSums(im *kernels.Impl, dst []float64, w, m, v []F, grad bool) []float64 {
	k := len(m)
	nt := tiles(k, selfTile)
	parts := 1
	if grad {
		parts = 3
	}
	ws.rowPart = grow(ws.rowPart, parts*nt*k)
	clear(ws.rowPart)
	if grad {
		ws.colPart = grow(ws.colPart, parts*nt*k)
		clear(ws.colPart)
	}
	ws.job = job[F]{im: im, self: true, grad: grad, wa: w, ma: m, va: v, k: k, rt: nt,
		rowPart: ws.rowPart, colPart: ws.colPart}
	ws.run(nt*(nt+1)/2, k*k/2)
	ws.job = job[F]{}
	dst = combine(dst, ws.rowPart, parts, nt, k)
	if grad {
		dst = append(dst[:3*k], dst[:k]...)
		ws.selfCol = combine(ws.selfCol, ws.colPart, parts, nt, k)
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
