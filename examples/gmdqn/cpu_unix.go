//go:build unix

package main

import "syscall"

// cpuSeconds is the process's user + system CPU time: on a loaded machine it
// is the cost of a run, while wall time also counts waiting for a core.
// It returns −1 when the time is unavailable.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
