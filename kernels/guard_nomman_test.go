//go:build unix && !linux && !darwin

package kernels_test

import (
	"errors"
	"runtime"
)

// The syscall package has no Mprotect on this system: TestGuardPages skips.

var errNoMprotect = errors.New("syscall.Mprotect is not available on " + runtime.GOOS)

func guardMap(int) ([]byte, error)  { return nil, errNoMprotect }
func guardProtectNone([]byte) error { return errNoMprotect }
func guardUnmap([]byte) error       { return nil }
