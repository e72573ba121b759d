//go:build gc && !purego

package asm

import (
	"unsafe"

	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians in AVX2 (gen/avx2/gaussian.go; NEON has
// none). Each function has purego's contract and returns purego's scans and
// writes purego's bits: every slice is first cut to the n elements the
// assembly reads or writes (under to its first), so a short one panics as
// in purego, and lim is dereferenced here, so a nil one panics too. Where
// the assembly would have no whole vector of lanes (n below 4 in float64,
// 8 in float32) they run purego. The lanes past the last whole vector are
// computed again as part of a last vector that overlaps the one before it
// (the same bits written twice), which is why no output may overlap an
// input. Nothing is allocated.

// BatchGaussianValues64 is purego.BatchGaussianValues64 in assembly.
func BatchGaussianValues64(out []float64, under []int, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < 4 {
		return purego.BatchGaussianValues64(out, under, p, q, n, lim)
	}
	_ = *lim
	var r [2]purego.FrontScan
	batchGaussianValues64(out[:n:len(out)], &under[0], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)], n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianGrad64 is purego.BatchGaussianGrad64 in assembly.
func BatchGaussianGrad64(out []float64, under []int, gp, gq, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < 4 {
		return purego.BatchGaussianGrad64(out, under, gp, gq, p, q, n, lim)
	}
	_ = *lim
	var r [2]purego.FrontScan
	batchGaussianGrad64(out[:n:len(out)], &under[0],
		gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)], gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)],
		p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)], q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)],
		n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianValues32 is purego.BatchGaussianValues32 in assembly.
func BatchGaussianValues32(out []float32, under []int, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < 8 {
		return purego.BatchGaussianValues32(out, under, p, q, n, lim)
	}
	_ = *lim
	var r [2]purego.FrontScan
	batchGaussianValues32(out[:n:len(out)], &under[0], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)], n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// BatchGaussianGrad32 is purego.BatchGaussianGrad32 in assembly.
func BatchGaussianGrad32(out []float32, under []int, gp, gq, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < 8 {
		return purego.BatchGaussianGrad32(out, under, gp, gq, p, q, n, lim)
	}
	_ = *lim
	var r [2]purego.FrontScan
	batchGaussianGrad32(out[:n:len(out)], &under[0],
		gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)], gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)],
		p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)], q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)],
		n, limWords(lim), scanWords(&r))
	return r[0], r[1]
}

// limWords and scanWords are the views of the limits and of two scans the
// assembly reads and fills (their layouts are checked in front.go).
func limWords(lim *purego.FrontLimits) *[4]uint64 { return (*[4]uint64)(unsafe.Pointer(lim)) }

func scanWords(r *[2]purego.FrontScan) *[10]uint64 { return (*[10]uint64)(unsafe.Pointer(r)) }
