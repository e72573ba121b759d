//go:build !unix

package kernels_test

import "testing"

// TestGuardPages needs mmap and mprotect; see guard_test.go.
func TestGuardPages(t *testing.T) {
	t.Skip("guard-page tests need a unix system (mmap/mprotect)")
}
