//go:build linux || darwin

package kernels_test

import "syscall"

// guardMap maps size bytes of anonymous read-write memory.
func guardMap(size int) ([]byte, error) {
	return syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
}

// guardProtectNone makes b (whole pages) inaccessible.
func guardProtectNone(b []byte) error { return syscall.Mprotect(b, syscall.PROT_NONE) }

func guardUnmap(b []byte) error { return syscall.Munmap(b) }
