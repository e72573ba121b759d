package cramer_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gmmkit/cramer"
)

// TestKernelError checks, in a child process (the choice is made once per
// process), that an unknown CRAMER_KERNEL is reported by KernelError and the
// default kernel computes; and that KernelError is nil here (the variable is
// unset or valid in the parent, as the CI legs set it).
func TestKernelError(t *testing.T) {
	if os.Getenv("CRAMER_KERNELERROR_CHILD") == "1" {
		sq, err := cramer.Squared(cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{0}, Stds: []float64{1}}, cramer.Mixture[float64]{Weights: []float64{1}, Means: []float64{1}, Stds: []float64{1}})
		fmt.Printf("CHILD kernel=%s err=%v squared=%v computeErr=%v\n", cramer.Kernel(), cramer.KernelError(), sq, err)
		return
	}
	if v := os.Getenv("CRAMER_KERNEL"); v == "" {
		if err := cramer.KernelError(); err != nil {
			t.Errorf("CRAMER_KERNEL unset: KernelError() = %v, want nil", err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^TestKernelError$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CRAMER_KERNELERROR_CHILD=1", "CRAMER_KERNEL=no-such-kernel", "CRAMER_REQUIRE=")
	out, err := cmd.CombinedOutput()
	if err != nil && len(out) == 0 {
		t.Skipf("cannot run the test binary (%v)", err)
	}
	s := string(out)
	if !strings.Contains(s, "CHILD ") || !strings.Contains(s, "err=CRAMER_KERNEL") || !strings.Contains(s, "no-such-kernel") || !strings.Contains(s, "computeErr=<nil>") {
		t.Errorf("child with CRAMER_KERNEL=no-such-kernel printed:\n%s\nwant KernelError naming the variable and the value, and a computation without error", s)
	}
}
