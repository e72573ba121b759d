//go:build gc && !purego && (amd64 || arm64)

package asm

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/gmmkit/cramer/purego"
)

// BatchFront64 is purego.BatchFront64 in assembly (AVX2 from
// gen/avx2/front.go, NEON from gen/neon/front.go): it has purego's contract
// and returns the same FrontScan and writes the same bits. Every slice is
// first cut to the n·c elements the assembly reads or writes, so a short one
// panics as in purego. Where the assembly would have no full vector of lanes
// (n below 4 on amd64, 2 on arm64) it runs purego.BatchFront64. Nothing is
// allocated.
func BatchFront64(dw, dm, dv, w, m, s []float64, c, n int, lim *purego.FrontLimits) purego.FrontScan {
	if n < frontLanes64 || c < 1 {
		return purego.BatchFront64(dw, dm, dv, w, m, s, c, n, lim)
	}
	nc := frontSize(c, n)
	if c > 1 {
		dw, dm = dw[:nc:len(dw)], dm[:nc:len(dm)]
	}
	var r purego.FrontScan
	batchFront64(dw, dm, dv[:nc:len(dv)], w[:nc:len(w)], m[:nc:len(m)], s[:nc:len(s)], c, n,
		(*[4]uint64)(unsafe.Pointer(lim)), (*[5]uint64)(unsafe.Pointer(&r)))
	return r
}

// BatchFront32 is BatchFront64 for float32 (purego with n below 8 on
// amd64, 4 on arm64).
func BatchFront32(dw, dm, dv, w, m, s []float32, c, n int, lim *purego.FrontLimits) purego.FrontScan {
	if n < frontLanes32 || c < 1 {
		return purego.BatchFront32(dw, dm, dv, w, m, s, c, n, lim)
	}
	nc := frontSize(c, n)
	if c > 1 {
		dw, dm = dw[:nc:len(dw)], dm[:nc:len(dm)]
	}
	var r purego.FrontScan
	batchFront32(dw, dm, dv[:nc:len(dv)], w[:nc:len(w)], m[:nc:len(m)], s[:nc:len(s)], c, n,
		(*[4]uint64)(unsafe.Pointer(lim)), (*[5]uint64)(unsafe.Pointer(&r)))
	return r
}

// frontSize returns c·n (c, n > 0), panicking when it overflows.
func frontSize(c, n int) int {
	if hi, lo := bits.Mul64(uint64(c), uint64(n)); hi != 0 || lo > math.MaxInt {
		panic("asm: BatchFront: c·n overflows")
	}
	return c * n
}

// The layouts the assembly relies on.
var (
	_ [unsafe.Sizeof(purego.FrontLimits{}) - 32]byte
	_ [32 - unsafe.Sizeof(purego.FrontLimits{})]byte
	_ [unsafe.Sizeof(purego.FrontScan{}) - 40]byte
	_ [40 - unsafe.Sizeof(purego.FrontScan{})]byte
)
