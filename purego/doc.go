// Package purego holds the portable Go kernels of cramer: the reference that
// every assembly implementation is tested against, and the fallback on CPUs
// (or builds, with the purego build tag) without one.
//
// Each kernel follows the algorithm of package internal/approx step by step
// (same tables, coefficients and order of operations, fused multiply-adds
// through math.FMA; Exp64 fuses nothing, and explicit conversions keep the
// compiler from fusing), so an assembly kernel's element-wise results equal
// these bit for bit. The float32 kernels (kernels32.go) are generated from the
// float64 ones by gen/float32; their fused multiply-add is emulated exactly
// (fma32), which makes them slower than the float64 kernels.
//
// Kernels check the lengths of their slices and panic on a short one, like
// the checked functions of package asm; nothing is allocated.
package purego
