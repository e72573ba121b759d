//go:build unix

package kernels_test

// Guard pages for the projection kernels (see guard_test.go for the method):
// dst, the source rows and thetaT each end exactly at a PROT_NONE page (and,
// in a second pass, start right after one), for every shape of the
// conformance sweep. The regions are larger than guard_test.go's single page
// (a d×l thetaT or n Cholesky factors exceed a page), so this file keeps its
// own arena, built with the same guardMap and guardProtectNone.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"testing"
	"unsafe"

	"github.com/gmmkit/cramer/kernels"
)

// pjGuardArena holds three regions (dst, source, thetaT), each a PROT_NONE
// page, data pages and a PROT_NONE page.
type pjGuardArena struct {
	ps, data int // page size, data bytes per region
	regions  [][]byte
}

func newPjGuardArena(t *testing.T, maxBytes int) *pjGuardArena {
	t.Helper()
	ps := os.Getpagesize()
	a := &pjGuardArena{ps: ps, data: (maxBytes + ps - 1) / ps * ps}
	t.Cleanup(func() {
		for _, r := range a.regions {
			_ = guardUnmap(r)
		}
	})
	for range 3 {
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

// slice returns n elements of T in region slot, ending at the upper guard
// page (atEnd) or starting after the lower one.
func pjGuardSlice[T cfFloat](a *pjGuardArena, slot, n int, atEnd bool) []T {
	size := int(unsafe.Sizeof(T(0)))
	start := a.ps
	if atEnd {
		start = a.ps + a.data - n*size
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&a.regions[slot][start])), n)
}

func TestGuardPagesProject(t *testing.T) {
	maxBytes := 8 * max(pjMaxN*cfMaxLen, pjMaxN*pjMaxD*pjMaxD, pjMaxD*cfMaxLen)
	a := newPjGuardArena(t, maxBytes)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			for kind, k := range pjKernels64(im) {
				t.Run(k.name, func(t *testing.T) { pjGuard(t, a, k, pjRef64[kind], name == "purego") })
			}
			for kind, k := range pjKernels32(im) {
				t.Run(k.name, func(t *testing.T) { pjGuard(t, a, k, pjRef32[kind], name == "purego") })
			}
		})
	}
}

// pjGuard runs k on slices at the guard pages and compares the results with
// purego. For purego itself (bounds-checked Go, and slow where FMA is
// emulated) only the first pass runs and there is nothing to compare.
func pjGuard[T cfFloat](t *testing.T, a *pjGuardArena, k, ref pjKernel[T], isRef bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	f := &cfFailer{t: t}
	defer f.flush()
	rng := rand.New(rand.NewPCG(uint64(k.kind)+21, 9))
	for _, atEnd := range []bool{true, false} {
		where := "ending at a guard page"
		if !atEnd {
			if isRef {
				break
			}
			where = "starting after a guard page"
		}
		for n := 0; n <= pjMaxN; n++ {
			for d := 0; d <= pjMaxD; d++ {
				for l := 0; l <= cfMaxLen; l++ {
					what := fmt.Sprintf("%s n=%d d=%d l=%d, slices %s", k.name, n, d, l, where)
					dst := pjGuardSlice[T](a, 0, n*l, atEnd)
					src := pjGuardSlice[T](a, 1, pjSrcLen(k.kind, n, d), atEnd)
					th := pjGuardSlice[T](a, 2, d*l, atEnd)
					copy(src, pjSource[T](rng, 0, k.kind, n, d))
					copy(th, pjTheta[T](rng, 0, d, l))
					ok := func() (ok bool) {
						defer func() {
							if r := recover(); r != nil {
								if e, isFault := r.(interface{ Addr() uintptr }); isFault {
									f.errorf("%s: fault at %#x (an access outside the slices)", what, e.Addr())
								} else {
									f.errorf("%s: panic: %v", what, r)
								}
							}
						}()
						k.fn(dst, src, th, n, d, l)
						return true
					}()
					if !ok || isRef {
						continue
					}
					want := make([]T, n*l)
					ref.fn(want, src, th, n, d, l)
					for i := range want {
						if !cfSame(dst[i], want[i]) {
							f.class(k.name+": differs from purego", "%s: element %d = %v, purego %v", what, i, dst[i], want[i])
						}
					}
				}
			}
		}
	}
}
