//go:build unix

package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestExp64GuardPages: x and dst end at (or start after) a PROT_NONE page,
// for every length 0…cfMaxLen.
func TestExp64GuardPages(t *testing.T) {
	a := newGuardArena(t, 2, 8*cfMaxLen)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			rng := rand.New(rand.NewPCG(5, 64))
			f := &cfFailer{t: t}
			for _, atEnd := range []bool{true, false} {
				for n := 0; n <= cfMaxLen; n++ {
					x, dst := guardSlice[float64](a, 0, n, atEnd), guardSlice[float64](a, 1, n, atEnd)
					for i := range x {
						x[i] = -110 + 120*rng.Float64()
					}
					guardCall(f, fmt.Sprintf("Exp64 n=%d atEnd=%t", n, atEnd), func() { im.Exp64(dst, x) })
				}
			}
			f.flush()
		})
	}
}
