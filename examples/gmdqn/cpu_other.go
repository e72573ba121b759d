//go:build !unix

package main

// cpuSeconds is unavailable here: −1.
func cpuSeconds() float64 { return -1 }
