package kernels

import (
	"strings"
	"sync"
	"testing"
)

// resetChoice forgets the choice made from CRAMER_KERNEL, as in a fresh
// process. No other goroutine may use the package meanwhile.
func resetChoice() {
	active.Store(nil)
	envOnce = sync.Once{}
	envErr = nil
}

// TestKernelChoiceParallel makes the first call from several goroutines at
// once with CRAMER_KERNEL naming an unknown implementation, as a program's
// first parallel computation does: every goroutine must see the default
// implementation and the same configuration error, and the race detector
// (make test-race) must find nothing.
func TestKernelChoiceParallel(t *testing.T) {
	prev := Active()
	defer func() { resetChoice(); active.Store(prev) }()
	t.Setenv("CRAMER_KERNEL", "no-such-kernel")
	def := Default()
	const goroutines, rounds = 8, 50
	for round := 0; round < rounds; round++ {
		resetChoice()
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			impls [goroutines]*Impl
			errs  [goroutines]error
		)
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if g%2 == 0 {
					impls[g], errs[g] = Active(), InitError()
				} else {
					errs[g], impls[g] = InitError(), Active()
				}
			}()
		}
		close(start)
		wg.Wait()
		for g := 0; g < goroutines; g++ {
			if impls[g] != def {
				t.Fatalf("round %d goroutine %d: active %q, want the default %q", round, g, impls[g].Name, def.Name)
			}
			if errs[g] == nil || !strings.Contains(errs[g].Error(), "no-such-kernel") {
				t.Fatalf("round %d goroutine %d: InitError %v, want one naming no-such-kernel", round, g, errs[g])
			}
		}
	}
}
