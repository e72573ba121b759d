//go:build gc && !purego && (amd64 || arm64)

package asm

import (
	"unsafe"

	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians in assembly (AVX2 from
// gen/avx2/gaussian.go, NEON from gen/neon/gaussian.go). Each function has
// purego's contract, returns purego's scans and writes purego's bits. For
// n ≥ 1 every slice is first cut to the n elements the assembly reads or
// writes (under to its first) and lim is dereferenced, so a short slice, an
// empty under or a nil lim panics as in purego, but before anything is
// written. Where the assembly would have no whole vector of lanes (n below
// gaussLanes64 or gaussLanes32: 4 / 8 on amd64, 2 / 4 on arm64) they run
// purego (n ≤ 0: purego, which writes nothing); otherwise under[0] = −1 is
// set and the assembly runs. The lanes past the last whole vector are
// computed again as part of a last vector that overlaps the one before it
// (the same bits written twice), which is why no output may overlap an
// input. Nothing is allocated.

// BatchGaussianValues64 is purego.BatchGaussianValues64 in assembly.
func BatchGaussianValues64(out []float64, under []int, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n <= 0 {
		return purego.BatchGaussianValues64(out, under, p, q, n, lim)
	}
	out, u, p, q := out[:n:len(out)], &under[0], cut64(p, n), cut64(q, n)
	_ = *lim
	if n < gaussLanes64 {
		return purego.BatchGaussianValues64(out, under, p, q, n, lim)
	}
	var r [2]purego.FrontScan
	*u = -1
	batchGaussianValues64(out, u, p.W, p.M, p.S, q.W, q.M, q.S, n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianGrad64 is purego.BatchGaussianGrad64 in assembly.
func BatchGaussianGrad64(out []float64, under []int, gp, gq, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n <= 0 {
		return purego.BatchGaussianGrad64(out, under, gp, gq, p, q, n, lim)
	}
	out, u, gp, gq := out[:n:len(out)], &under[0], cut64(gp, n), cut64(gq, n)
	p, q = cut64(p, n), cut64(q, n)
	_ = *lim
	if n < gaussLanes64 {
		return purego.BatchGaussianGrad64(out, under, gp, gq, p, q, n, lim)
	}
	var r [2]purego.FrontScan
	*u = -1
	batchGaussianGrad64(out, u, gp.W, gp.M, gp.S, gq.W, gq.M, gq.S, p.W, p.M, p.S, q.W, q.M, q.S, n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianValues32 is purego.BatchGaussianValues32 in assembly.
func BatchGaussianValues32(out []float32, under []int, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n <= 0 {
		return purego.BatchGaussianValues32(out, under, p, q, n, lim)
	}
	out, u, p, q := out[:n:len(out)], &under[0], cut32(p, n), cut32(q, n)
	_ = *lim
	if n < gaussLanes32 {
		return purego.BatchGaussianValues32(out, under, p, q, n, lim)
	}
	var r [2]purego.FrontScan
	*u = -1
	batchGaussianValues32(out, u, p.W, p.M, p.S, q.W, q.M, q.S, n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianGrad32 is purego.BatchGaussianGrad32 in assembly.
func BatchGaussianGrad32(out []float32, under []int, gp, gq, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n <= 0 {
		return purego.BatchGaussianGrad32(out, under, gp, gq, p, q, n, lim)
	}
	out, u, gp, gq := out[:n:len(out)], &under[0], cut32(gp, n), cut32(gq, n)
	p, q = cut32(p, n), cut32(q, n)
	_ = *lim
	if n < gaussLanes32 {
		return purego.BatchGaussianGrad32(out, under, gp, gq, p, q, n, lim)
	}
	var r [2]purego.FrontScan
	*u = -1
	batchGaussianGrad32(out, u, gp.W, gp.M, gp.S, gq.W, gq.M, gq.S, p.W, p.M, p.S, q.W, q.M, q.S, n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// cut64 and cut32 return the side with every slice cut to n elements (n
// ≥ 1; a shorter one panics).
func cut64(g purego.Gaussians64, n int) purego.Gaussians64 {
	return purego.Gaussians64{W: g.W[:n:len(g.W)], M: g.M[:n:len(g.M)], S: g.S[:n:len(g.S)]}
}

func cut32(g purego.Gaussians32, n int) purego.Gaussians32 {
	return purego.Gaussians32{W: g.W[:n:len(g.W)], M: g.M[:n:len(g.M)], S: g.S[:n:len(g.S)]}
}

// limWords and scanWords are the views of the limits and of two scans the
// assembly reads and fills (their layouts are checked in front.go).
func limWords(lim *purego.FrontLimits) *[4]uint64 { return (*[4]uint64)(unsafe.Pointer(lim)) }

func scanWords(r *[2]purego.FrontScan) *[10]uint64 { return (*[10]uint64)(unsafe.Pointer(r)) }
