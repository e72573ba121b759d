// Package kernels is the registry of pair-kernel implementations and the
// run-time choice among them.
//
// Every implementation computes the same functions (see package purego for
// their exact definitions, and package approx for the algorithm): the
// element-wise forms used to test kernels element by element, and the row-sum
// kernels of the cross, symmetric self and Dirac pair sums with their gradient
// variants, their batch-lane forms (many small mixture pairs at once, one
// pair per SIMD lane) with the front end that checks a batch's values and
// lays them into lanes (BatchFront) and the combination of their sums per
// pair, and the projection kernels of the sliced distance, in float64 and
// float32, and the exponential of the float32 mixture-density losses
// (Exp64, float64 only). The portable implementation "purego" is always
// registered; assembly implementations register themselves from files
// excluded by the purego build tag and are preferred when the CPU has the
// features they need.
//
// The active implementation is chosen once, on the first call of Active or
// InitError (safe from several goroutines at once): the environment variable
// CRAMER_KERNEL names one (an unknown or unusable name is reported by
// InitError, and the default is used); otherwise the registered
// implementation with the highest priority whose CPU check passes. Use sets
// it explicitly (for tests and benchmarks). Kernels are
// single-threaded and allocate nothing.
package kernels

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gmmkit/cramer/purego"
)

// GradSums64 and GradSums32 are the per-component gradient sums written by the
// gradient kernels (see purego.GradSums64).
type (
	GradSums64 = purego.GradSums64
	GradSums32 = purego.GradSums32
)

// Impl is one implementation of every kernel. All fields are required
// except the BatchGaussian kernels. The
// kernel fields are the kernels of gen/internal/spec, each with the signature
// of the purego function of the same name; the implementations of purego
// (kernels/purego.go) and of the assembly (kernels/asm.go, the checked
// functions of package asm) are generated from that list by gen/checked.
type Impl struct {
	// Name identifies the implementation ("purego", "avx2", "neon").
	Name string
	// Priority orders the candidates for the default: the highest usable wins.
	Priority int
	// Usable reports whether this CPU can run the implementation.
	Usable func() bool

	Erf64          func(dst, x []float64)
	ExpNegSquare64 func(dst, x []float64)
	PairTerms64    func(h, erf, ex, d, v []float64)
	CrossRowSums64 func(out, ma, va, wb, mb, vb []float64)
	CrossGrad64    func(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64)
	SelfRowSums64  func(out, m, v, w []float64)
	SelfGrad64     func(rows, cols GradSums64, m, v, w []float64)
	DiracRowSums64 func(out, ma, va, wx, x []float64)
	DiracGrad64    func(rows, cols GradSums64, wa, ma, va, wx, x []float64)

	// Batch-lane kernels (see purego.BatchCrossRowSums64): the sums of n
	// mixture pairs at once, lane-interleaved (component c of pair l at
	// x[c*n+l]), results bit-identical across implementations.
	BatchCrossRowSums64 func(out, ma, va, wb, mb, vb []float64, n int)
	BatchCrossGrad64    func(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64, n int)
	BatchSelfRowSums64  func(out, m, v, w []float64, n int)
	BatchSelfGrad64     func(rows, cols GradSums64, m, v, w []float64, n int)
	BatchDiracRowSums64 func(out, ma, va, wx, x []float64, n int)
	BatchDiracGrad64    func(rows, cols GradSums64, wa, ma, va, wx, x []float64, n int)

	// Batch combination kernels (see purego.BatchPairValues64): the
	// per-lane combination of the batch-lane kernels' sums into each mixture
	// pair's value and derivatives.
	BatchPairValues64 func(out []float64, under []int, vals, cross, wa, cr, sa, sp, wb, sb, sq []float64, n int)
	BatchSideGrad64   func(gw, gm, gs, w, s []float64, cross, rows, cols GradSums64, sign, n int)

	// Projection kernels of the sliced distance (see purego.ProjectMeans64):
	// n rows of dimension d onto l directions given transposed, thetaT d×l.
	ProjectMeans64    func(dst, x, thetaT []float64, n, d, l int)
	ProjectDiagVars64 func(dst, s2, thetaT []float64, n, d, l int)
	ProjectCholVars64 func(dst, chol, thetaT []float64, n, d, l int)

	Erf32          func(dst, x []float32)
	ExpNegSquare32 func(dst, x []float32)
	PairTerms32    func(h, erf, ex, d, v []float32)
	CrossRowSums32 func(out, ma, va, wb, mb, vb []float32)
	CrossGrad32    func(rows, cols GradSums32, wa, ma, va, wb, mb, vb []float32)
	SelfRowSums32  func(out, m, v, w []float32)
	SelfGrad32     func(rows, cols GradSums32, m, v, w []float32)
	DiracRowSums32 func(out, ma, va, wx, x []float32)
	DiracGrad32    func(rows, cols GradSums32, wa, ma, va, wx, x []float32)

	BatchCrossRowSums32 func(out, ma, va, wb, mb, vb []float32, n int)
	BatchCrossGrad32    func(rows, cols GradSums32, wa, ma, va, wb, mb, vb []float32, n int)
	BatchSelfRowSums32  func(out, m, v, w []float32, n int)
	BatchSelfGrad32     func(rows, cols GradSums32, m, v, w []float32, n int)
	BatchDiracRowSums32 func(out, ma, va, wx, x []float32, n int)
	BatchDiracGrad32    func(rows, cols GradSums32, wa, ma, va, wx, x []float32, n int)

	BatchPairValues32 func(out []float32, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []float32, n int)
	BatchSideGrad32   func(gw, gm, gs, w, s []float32, cross, rows, cols GradSums32, sign, n int)

	ProjectMeans32    func(dst, x, thetaT []float32, n, d, l int)
	ProjectDiagVars32 func(dst, s2, thetaT []float32, n, d, l int)
	ProjectCholVars32 func(dst, chol, thetaT []float32, n, d, l int)

	// Exp64 is the exponential of the float32 mixture-density losses (see
	// purego.Exp64): dst[i] = exp(x[i]) with a relative error below 4e-9,
	// in float64 only.
	Exp64 func(dst, x []float64)

	// The front end of a batch chunk (see purego.BatchFront64): one side's
	// values checked against lim and laid out in lanes, variances squared,
	// in one pass. Not in the generated kernel list (its limits and result
	// are structs): set by each implementation's registration below and in
	// avx2_amd64.go and neon_arm64.go.
	BatchFront64 func(dw, dm, dv, w, m, s []float64, c, n int, lim *FrontLimits) FrontScan
	BatchFront32 func(dw, dm, dv, w, m, s []float32, c, n int, lim *FrontLimits) FrontScan

	// Batches of single Gaussians (see purego.BatchGaussianGrad64): the
	// whole K = M = 1 chunk — both sides' checks, the pair term, the values
	// and the derivatives — in one pass, bit for bit what the general
	// kernels above give. Optional, unlike every other field: nil where an
	// implementation has no version of its own, and the batch path then
	// runs the general kernels. Set by hand like BatchFront (avx2_amd64.go,
	// neon_arm64.go).
	BatchGaussianValues64 func(out []float64, under []int, p, q Gaussians64, n int, lim *FrontLimits) (sp, sq FrontScan)
	BatchGaussianGrad64   func(out []float64, under []int, gp, gq, p, q Gaussians64, n int, lim *FrontLimits) (sp, sq FrontScan)
	BatchGaussianValues32 func(out []float32, under []int, p, q Gaussians32, n int, lim *FrontLimits) (sp, sq FrontScan)
	BatchGaussianGrad32   func(out []float32, under []int, gp, gq, p, q Gaussians32, n int, lim *FrontLimits) (sp, sq FrontScan)
}

// Gaussians64 and Gaussians32 are one side of a batch of single Gaussians
// (see purego.Gaussians64).
type (
	Gaussians64 = purego.Gaussians64
	Gaussians32 = purego.Gaussians32
)

// FrontLimits and FrontScan are the limits and the result of the
// BatchFront kernels (see purego.FrontScan).
type (
	FrontLimits = purego.FrontLimits
	FrontScan   = purego.FrontScan
)

var (
	registry = map[string]*Impl{}
	active   atomic.Pointer[Impl]
	// envOnce guards the choice made from CRAMER_KERNEL on first use: choose
	// runs exactly once, and envErr is written only inside it, so reading
	// envErr after envOnce.Do is race-free.
	envOnce sync.Once
	envErr  error
)

// Register adds an implementation. It is called from init functions; a
// duplicate name panics (a programming error, not an input error).
func Register(impl *Impl) {
	if _, dup := registry[impl.Name]; dup {
		panic("kernels: duplicate implementation " + impl.Name)
	}
	registry[impl.Name] = impl
}

// Names returns the registered implementations usable on this CPU, best first.
func Names() []string {
	var list []*Impl
	for _, im := range registry {
		if im.Usable() {
			list = append(list, im)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Priority != list[j].Priority {
			return list[i].Priority > list[j].Priority
		}
		return list[i].Name < list[j].Name
	})
	names := make([]string, len(list))
	for i, im := range list {
		names[i] = im.Name
	}
	return names
}

// Lookup returns the named implementation, or an error naming the usable ones
// when it is unknown or this CPU cannot run it.
func Lookup(name string) (*Impl, error) {
	im, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("kernels: unknown implementation %q (have %s)", name, strings.Join(Names(), ", "))
	}
	if !im.Usable() {
		return nil, fmt.Errorf("kernels: implementation %q is not supported by this CPU (have %s)", name, strings.Join(Names(), ", "))
	}
	return im, nil
}

// Default returns the best implementation usable on this CPU.
func Default() *Impl { return registry[Names()[0]] }

// Active returns the implementation in use. The first call (from any
// goroutine; concurrent first calls are safe) makes the choice described in
// the package comment.
func Active() *Impl {
	if im := active.Load(); im != nil {
		return im
	}
	envOnce.Do(choose)
	return active.Load()
}

// Use makes the named implementation the active one and returns the previous
// one's name, so tests can restore it.
func Use(name string) (previous string, err error) {
	im, err := Lookup(name)
	if err != nil {
		return "", err
	}
	prev := Active()
	active.Store(im)
	return prev.Name, nil
}

// InitError reports why the implementation named by CRAMER_KERNEL is not
// used: nil when the variable is unset or names a usable implementation,
// otherwise an error naming the variable, its value and the usable
// implementations (the default is then active). It is the same error on
// every call and safe to call from several goroutines.
func InitError() error {
	envOnce.Do(choose)
	return envErr
}

// choose makes the first choice; it runs once, under envOnce.
func choose() {
	im := Default()
	if name := os.Getenv("CRAMER_KERNEL"); name != "" {
		if named, err := Lookup(name); err != nil {
			envErr = fmt.Errorf("CRAMER_KERNEL: %w", err)
		} else {
			im = named
		}
	}
	active.CompareAndSwap(nil, im)
}

// The portable implementation (kernels/purego.go, generated by gen/checked
// with kernels/asm.go) is always registered.
func init() {
	im := puregoImpl()
	im.BatchFront64, im.BatchFront32 = purego.BatchFront64, purego.BatchFront32
	im.BatchGaussianValues64, im.BatchGaussianGrad64 = purego.BatchGaussianValues64, purego.BatchGaussianGrad64
	im.BatchGaussianValues32, im.BatchGaussianGrad32 = purego.BatchGaussianValues32, purego.BatchGaussianGrad32
	Register(im)
}
