//go:build unix

package kernels_test

// Guard pages: every input and output slice of every kernel is placed so that
// it ends exactly at a page mapped PROT_NONE (and, in a second pass, so that
// it starts exactly after one), for every length 0…cfMaxLen. A vector load
// or store that touches an element past the end (or before the start) faults;
// runtime/debug.SetPanicOnFault turns the fault into a panic, which is
// reported with the kernel and lengths instead of crashing the test binary.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
)

// guardSlots is the number of independent guarded regions (CrossGrad uses 14
// slices at once).
const guardSlots = 16

// guardArena holds independent regions, each a PROT_NONE page, data pages
// and a PROT_NONE page.
type guardArena struct {
	ps, data int // page size, data bytes per region (whole pages)
	regions  [][]byte
}

// newGuardArena maps slots regions of at least maxBytes data bytes each; it
// skips the test where guard pages are unavailable.
func newGuardArena(t *testing.T, slots, maxBytes int) *guardArena {
	t.Helper()
	ps := os.Getpagesize()
	a := &guardArena{ps: ps, data: max(1, (maxBytes+ps-1)/ps) * ps}
	t.Cleanup(func() {
		for _, r := range a.regions {
			_ = guardUnmap(r)
		}
	})
	for range slots {
		mem, err := guardMap(a.data + 2*ps)
		if err != nil {
			t.Skipf("guard pages unavailable: %v", err)
		}
		a.regions = append(a.regions, mem)
		if err := guardProtectNone(mem[:ps]); err != nil {
			t.Skipf("guard pages unavailable: %v", err)
		}
		if err := guardProtectNone(mem[ps+a.data:]); err != nil {
			t.Skipf("guard pages unavailable: %v", err)
		}
	}
	return a
}

// guardSlice returns n elements of T in region slot that end at the upper
// guard page (atEnd) or start at the lower one's end. For n = 0 the (empty)
// slice points into the guard page itself.
func guardSlice[T cfFloat](a *guardArena, slot, n int, atEnd bool) []T {
	size := int(unsafe.Sizeof(T(0)))
	if n*size > a.data {
		panic(fmt.Sprintf("guardSlice: %d bytes do not fit in a region of %d", n*size, a.data))
	}
	start := a.ps
	if atEnd {
		start = a.ps + a.data - n*size
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&a.regions[slot][start])), n)
}

// guardCall runs fn and reports a fault (an access outside the slices) or
// any other panic as an error; it returns whether fn returned normally.
func guardCall(f *cfFailer, what string, fn func()) (ok bool) {
	f.t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if e, isFault := r.(interface{ Addr() uintptr }); isFault {
				f.errorf("%s: fault at %#x (an access outside the slices)", what, e.Addr())
			} else {
				f.errorf("%s: panic: %v", what, r)
			}
		}
	}()
	fn()
	return true
}

// guardFill writes values that exercise every branch of the pair term (zero
// and non-zero variances, equal and distinct means, clamped arguments).
func guardFill[T cfFloat](rng *rand.Rand, s []T, variance bool) {
	for i := range s {
		x := rng.NormFloat64() * 3
		switch rng.IntN(5) {
		case 0:
			x = 0
		case 1:
			x *= 1e3
		}
		if variance {
			x *= x
		}
		s[i] = T(x)
	}
}

func TestGuardPages(t *testing.T) {
	a := newGuardArena(t, guardSlots, 8*cfMaxLen)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			t.Run("float64", func(t *testing.T) { guardRun(t, a, cfSet64(im)) })
			t.Run("float32", func(t *testing.T) { guardRun(t, a, cfSet32(im)) })
		})
	}
}

// guardShapes lists the (rows, columns) shapes of the row-sum kernels: every
// length 0…cfMaxLen on each side, with the other side of a few sizes.
func guardShapes() [][2]int {
	var shapes [][2]int
	for n := 0; n <= cfMaxLen; n++ {
		for _, o := range []int{0, 1, 3, 9} {
			shapes = append(shapes, [2]int{o, n})
			if n > 9 {
				shapes = append(shapes, [2]int{n, o})
			}
		}
	}
	return shapes
}

func guardRun[T cfFloat](t *testing.T, a *guardArena, im cfSet[T]) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	rng := rand.New(rand.NewPCG(5, 6))
	f := &cfFailer{t: t}
	for _, atEnd := range []bool{true, false} {
		where := "ending at a guard page"
		if !atEnd {
			where = "starting after a guard page"
		}
		s := func(slot, n int) []T { return guardSlice[T](a, slot, n, atEnd) }
		for n := 0; n <= cfMaxLen; n++ {
			x, v := s(0, n), s(1, n)
			guardFill(rng, x, false)
			guardFill(rng, v, true)
			what := fmt.Sprintf("n=%d, slices %s", n, where)
			guardCall(f, "Erf "+what, func() { im.Erf(s(2, n), x) })
			guardCall(f, "ExpNegSquare "+what, func() { im.ExpNegSquare(s(2, n), x) })
			guardCall(f, "PairTerms "+what, func() { im.PairTerms(s(2, n), s(3, n), s(4, n), x, v) })
			for i, y := range s(2, n) {
				if cfIsNaN(y) {
					f.errorf("PairTerms %s: NaN at %d (d=%v v=%v)", what, i, x[i], v[i])
				}
			}
		}
		for _, sh := range guardShapes() {
			k, m := sh[0], sh[1]
			what := fmt.Sprintf("K=%d M=%d, slices %s", k, m, where)
			wa, ma, va := s(0, k), s(1, k), s(2, k)
			wb, mb, vb := s(3, m), s(4, m), s(5, m)
			guardFill(rng, wa, true)
			guardFill(rng, ma, false)
			guardFill(rng, va, true)
			guardFill(rng, wb, true)
			guardFill(rng, mb, false)
			guardFill(rng, vb, true)
			rows := [3][]T{s(6, k), s(7, k), s(8, k)}
			cols := [3][]T{s(9, m), s(10, m), s(11, m)}
			for _, c := range cols {
				clear(c)
			}
			guardCall(f, "CrossRowSums "+what, func() { im.CrossRowSums(s(12, k), ma, va, wb, mb, vb) })
			guardCall(f, "CrossGrad "+what, func() { im.CrossGrad(rows, cols, wa, ma, va, wb, mb, vb) })
			guardCall(f, "DiracRowSums "+what, func() { im.DiracRowSums(s(12, k), ma, va, wb, mb) })
			guardCall(f, "DiracGrad "+what, func() { im.DiracGrad(rows, [3][]T{cols[0], cols[1], nil}, wa, ma, va, wb, mb) })
			if k <= m {
				guardCall(f, "SelfRowSums "+what, func() { im.SelfRowSums(s(12, k), mb, vb, wb) })
				guardCall(f, "SelfGrad "+what, func() { im.SelfGrad(rows, cols, mb, vb, wb) })
			}
		}
	}
}
