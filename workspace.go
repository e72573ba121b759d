package cramer

import (
	"runtime"
	"unsafe"
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
	// batchVals: per worker of a batch, the values and cross sums of a
	// chunk's pairs (2·chunk, see batchChunkFor)
	batchVals []float64
	// batchUnder: per worker of a batch, BatchPairValues' underflow lane
	batchUnder []int

	samples sampleScratch
	scale   scaleState[F]
}

// scratchBytes returns the capacity of the workspace's buffers in bytes.
func (ws *Workspace[F]) scratchBytes() int {
	var f F
	fs := int(unsafe.Sizeof(f))
	return fs*(cap(ws.va)+cap(ws.vb)+cap(ws.rowPart)+cap(ws.colPart)+cap(ws.xw)) +
		8*(cap(ws.rowTot)+cap(ws.colTot)+cap(ws.selfCol)+cap(ws.selfA)+cap(ws.selfB)+cap(ws.dv)+cap(ws.dw)+cap(ws.batchVals)+cap(ws.batchUnder)) +
		fs*(cap(ws.scale.pm)+cap(ws.scale.ps)+cap(ws.scale.qm)+cap(ws.scale.qs)+cap(ws.scale.x)+cap(ws.scale.y)) +
		ws.samples.scratchBytes()
}

func (ws *Workspace[F]) threads() int {
	if ws.Threads > 0 {
		return ws.Threads
	}
	return runtime.GOMAXPROCS(0)
}

// variances returns in dst (grown as needed) the variances stds[i]².
func variances[F Float](dst, stds []F) []F {
	dst = grow(dst, len(stds))
	for i, s := range stds {
		dst[i] = s * s
	}
	return dst
}

// variancesOf returns in dst the variances of components with the given
// stds at scale 2^(e/2): vars[i]·2^e when the caller has the variances
// (vars not nil; the sliced sums, whose projected variances θᵀΣθ would not
// come back bit for bit from their rounded square roots), stds[i]² otherwise.
func variancesOf[F Float](dst, stds, vars []F, e int) []F {
	if vars == nil {
		return variances(dst, stds)
	}
	if e == 0 {
		dst = grow(dst, len(vars))
		copy(dst, vars)
		return dst
	}
	return scaledInto(dst, vars, e)
}
