//go:build gc && !purego

package asm

import (
	"unsafe"

	"github.com/gmmkit/cramer/purego"
)

// The batches of single Gaussians in NEON (gen/neon/gaussian.go) need a
// full vector of lanes.
const (
	gaussLanes64 = 2
	gaussLanes32 = 4
)

// BatchGaussianValues64 is purego.BatchGaussianValues64 in NEON assembly:
// it has purego's contract (out[l] and under[0] from the pair term, the
// values and the scans of both sides, bit for bit what purego gives) and
// returns the same scans. Every slice is first cut to the n elements the
// assembly reads or writes (under to its first), so a short one panics as
// in purego; with n below a vector of lanes (2) it runs purego. The
// assembly scans each side in a loop of its own, then reads the inputs
// again for the lanes (gen/neon/gaussian.go). Nothing is allocated.
func BatchGaussianValues64(out []float64, under []int, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < gaussLanes64 {
		return purego.BatchGaussianValues64(out, under, p, q, n, lim)
	}
	under[0] = -1
	var r [2]purego.FrontScan
	batchGaussianValues64(out[:n:len(out)], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)], n, &under[0], limits(lim), scans(&r))
	return r[0], r[1]
}

// BatchGaussianGrad64 is purego.BatchGaussianGrad64 in NEON assembly (the
// value and the six derivatives of every lane, bit for bit), with the
// checks of BatchGaussianValues64.
func BatchGaussianGrad64(out []float64, under []int, gp, gq, p, q purego.Gaussians64, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < gaussLanes64 {
		return purego.BatchGaussianGrad64(out, under, gp, gq, p, q, n, lim)
	}
	under[0] = -1
	var r [2]purego.FrontScan
	batchGaussianGrad64(out[:n:len(out)], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)],
		gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)],
		gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)], n, &under[0], limits(lim), scans(&r))
	return r[0], r[1]
}

// BatchGaussianValues32 is BatchGaussianValues64 for float32 (purego with n
// below 4).
func BatchGaussianValues32(out []float32, under []int, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < gaussLanes32 {
		return purego.BatchGaussianValues32(out, under, p, q, n, lim)
	}
	under[0] = -1
	var r [2]purego.FrontScan
	batchGaussianValues32(out[:n:len(out)], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)], n, &under[0], limits(lim), scans(&r))
	return r[0], r[1]
}

// BatchGaussianGrad32 is BatchGaussianGrad64 for float32 (purego with n
// below 4).
func BatchGaussianGrad32(out []float32, under []int, gp, gq, p, q purego.Gaussians32, n int, lim *purego.FrontLimits) (sp, sq purego.FrontScan) {
	if n < gaussLanes32 {
		return purego.BatchGaussianGrad32(out, under, gp, gq, p, q, n, lim)
	}
	under[0] = -1
	var r [2]purego.FrontScan
	batchGaussianGrad32(out[:n:len(out)], p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)],
		q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)],
		gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)],
		gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)], n, &under[0], limits(lim), scans(&r))
	return r[0], r[1]
}

// limits and scans give the assembly the words of a FrontLimits and of two
// FrontScans (their layouts are checked in front.go).
func limits(lim *purego.FrontLimits) *[4]uint64 { return (*[4]uint64)(unsafe.Pointer(lim)) }

func scans(r *[2]purego.FrontScan) *[10]uint64 { return (*[10]uint64)(unsafe.Pointer(r)) }
