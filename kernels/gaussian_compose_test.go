package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGaussianComposition checks the definition of the batches of single
// Gaussians (BatchGaussianValues, BatchGaussianGrad): for every
// implementation that has them, both precisions, every lane count of
// bLaneCounts and inputs from the ordinary to the extreme (bFill, with
// weights near 1 or anything, point-mass targets), they must return what
// the same implementation's general kernels give for K = M = 1 —
// BatchFront on each side, BatchCrossRowSums / BatchCrossGrad (the Dirac
// forms when every target std is 0), BatchPairValues and BatchSideGrad —
// bit for bit: the scans, the values, the lane that underflows and the six
// derivatives.
func TestGaussianComposition(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		if im.BatchGaussianGrad64 == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			gaussComposition[float64](t, im)
			gaussComposition[float32](t, im)
		})
	}
}

// gaussCall runs the fused kernels of precision T.
func gaussCall[T cfFloat](im *kernels.Impl, grad bool, out []T, under []int, gp, gq, p, q [3][]T, n int, lim *kernels.FrontLimits) (sp, sq kernels.FrontScan) {
	switch out := any(out).(type) {
	case []float64:
		g := func(s [3][]T) kernels.Gaussians64 {
			return kernels.Gaussians64{W: any(s[0]).([]float64), M: any(s[1]).([]float64), S: any(s[2]).([]float64)}
		}
		if grad {
			return im.BatchGaussianGrad64(out, under, g(gp), g(gq), g(p), g(q), n, lim)
		}
		return im.BatchGaussianValues64(out, under, g(p), g(q), n, lim)
	case []float32:
		g := func(s [3][]T) kernels.Gaussians32 {
			return kernels.Gaussians32{W: any(s[0]).([]float32), M: any(s[1]).([]float32), S: any(s[2]).([]float32)}
		}
		if grad {
			return im.BatchGaussianGrad32(out, under, g(gp), g(gq), g(p), g(q), n, lim)
		}
		return im.BatchGaussianValues32(out, under, g(p), g(q), n, lim)
	}
	panic("unreachable")
}

// gaussCompose computes the same with the general kernels of im.
func gaussCompose[T cfFloat](im *kernels.Impl, grad bool, out []T, under []int, gp, gq, p, q [3][]T, n int, lim *kernels.FrontLimits) (sp, sq kernels.FrontScan) {
	va, vb := make([]T, n), make([]T, n)
	front := frontOf[T](im)
	sp = front(nil, nil, va, p[0], p[1], p[2], 1, n, lim)
	sq = front(nil, nil, vb, q[0], q[1], q[2], 1, n, lim)
	dirac := true
	for _, s := range q[2] {
		dirac = dirac && s == 0
	}
	vals, cross := make([]float64, n), make([]float64, n)
	g3 := func() [3][]T { return [3][]T{make([]T, n), make([]T, n), make([]T, n)} }
	rows, cols := g3(), g3()
	switch any(out).(type) {
	case []float64:
		f := func(x []T) []float64 { return any(x).([]float64) }
		gs := func(s [3][]T) kernels.GradSums64 { return kernels.GradSums64{H: f(s[0]), D: f(s[1]), R: f(s[2])} }
		switch {
		case !grad && dirac:
			im.BatchDiracRowSums64(f(rows[0]), f(p[1]), f(va), f(q[0]), f(q[1]), n)
		case !grad:
			im.BatchCrossRowSums64(f(rows[0]), f(p[1]), f(va), f(q[0]), f(q[1]), f(vb), n)
		case dirac:
			im.BatchDiracGrad64(gs(rows), kernels.GradSums64{H: f(cols[0]), D: f(cols[1])}, f(p[0]), f(p[1]), f(va), f(q[0]), f(q[1]), n)
		default:
			im.BatchCrossGrad64(gs(rows), gs(cols), f(p[0]), f(p[1]), f(va), f(q[0]), f(q[1]), f(vb), n)
		}
		im.BatchPairValues64(f(out), under, vals, cross, f(p[0]), f(rows[0]), f(p[2]), nil, f(q[0]), f(q[2]), nil, n)
		if grad {
			var none kernels.GradSums64
			im.BatchSideGrad64(f(gp[0]), f(gp[1]), f(gp[2]), f(p[0]), f(p[2]), gs(rows), none, none, 1, n)
			im.BatchSideGrad64(f(gq[0]), f(gq[1]), f(gq[2]), f(q[0]), f(q[2]), gs(cols), none, none, -1, n)
		}
	case []float32:
		f := func(x []T) []float32 { return any(x).([]float32) }
		gs := func(s [3][]T) kernels.GradSums32 { return kernels.GradSums32{H: f(s[0]), D: f(s[1]), R: f(s[2])} }
		switch {
		case !grad && dirac:
			im.BatchDiracRowSums32(f(rows[0]), f(p[1]), f(va), f(q[0]), f(q[1]), n)
		case !grad:
			im.BatchCrossRowSums32(f(rows[0]), f(p[1]), f(va), f(q[0]), f(q[1]), f(vb), n)
		case dirac:
			im.BatchDiracGrad32(gs(rows), kernels.GradSums32{H: f(cols[0]), D: f(cols[1])}, f(p[0]), f(p[1]), f(va), f(q[0]), f(q[1]), n)
		default:
			im.BatchCrossGrad32(gs(rows), gs(cols), f(p[0]), f(p[1]), f(va), f(q[0]), f(q[1]), f(vb), n)
		}
		im.BatchPairValues32(f(out), under, vals, cross, f(p[0]), f(rows[0]), f(p[2]), nil, f(q[0]), f(q[2]), nil, n)
		if grad {
			var none kernels.GradSums32
			im.BatchSideGrad32(f(gp[0]), f(gp[1]), f(gp[2]), f(p[0]), f(p[2]), gs(rows), none, none, 1, n)
			im.BatchSideGrad32(f(gq[0]), f(gq[1]), f(gq[2]), f(q[0]), f(q[2]), gs(cols), none, none, -1, n)
		}
	}
	return sp, sq
}

// gaussInputs returns the two sides of n lanes of one of several kinds:
// bFill's mix of ordinary and extreme values (weights anything ≥ 0), the
// same with weights within 1e-7 of 1, and point-mass targets (q's stds 0).
func gaussInputs[T cfFloat](rng *rand.Rand, kind, n int) (p, q [3][]T) {
	for _, s := range []*[3][]T{&p, &q} {
		for i, role := range []byte{'w', 'm', 'v'} {
			s[i] = make([]T, n)
			bFill(rng, s[i], role)
		}
	}
	if kind >= 1 {
		for l := range n {
			p[0][l] = T(1 + 1e-7*rng.NormFloat64())
			q[0][l] = T(1 + 1e-7*rng.NormFloat64())
		}
	}
	if kind == 2 {
		clear(q[2])
	}
	return p, q
}

func gaussComposition[T cfFloat](t *testing.T, im *kernels.Impl) {
	rng := rand.New(rand.NewPCG(7, uint64(len(im.Name))))
	sign := uint64(1) << 63
	if cfIs32[T]() {
		sign = 1 << 31
	}
	bits := func(x T) uint64 { b, _ := frontBits(x); return b }
	lim := &kernels.FrontLimits{GtLim: sign - 1 - bits(T(1e6)), GeSmall: sign - bits(T(1e-3)), GeLossy: sign - bits(T(1e-20)), Tol: 1e-6}
	for _, n := range bLaneCounts() {
		for kind := range 3 {
			for _, grad := range []bool{false, true} {
				p, q := gaussInputs[T](rng, kind, n)
				want := gaussRun(n, func(out []T, under []int, gp, gq [3][]T) (kernels.FrontScan, kernels.FrontScan) {
					return gaussCompose(im, grad, out, under, gp, gq, p, q, n, lim)
				})
				got := gaussRun(n, func(out []T, under []int, gp, gq [3][]T) (kernels.FrontScan, kernels.FrontScan) {
					return gaussCall(im, grad, out, under, gp, gq, p, q, n, lim)
				})
				gaussCompare(t, fmt.Sprintf("%T n=%d kind=%d grad=%v", T(0), n, kind, grad), "composition", grad, got, want,
					func(l int) string {
						return fmt.Sprintf(" (inputs p %v %v %v, q %v %v %v)", p[0][l], p[1][l], p[2][l], q[0][l], q[1][l], q[2][l])
					})
			}
		}
	}
}

// gaussResult is what one call of a batch of single Gaussians (or of its
// composition) returns: the values, the six derivatives (gp.W, gp.M, gp.S,
// gq.W, gq.M, gq.S), the lane that underflows and the two scans.
type gaussResult[T cfFloat] struct {
	out    [7][]T
	under  int
	sp, sq kernels.FrontScan
}

// gaussRun calls call with fresh outputs of n lanes (under preset to −5, so
// that a kernel that does not set it is caught) and returns them.
func gaussRun[T cfFloat](n int, call func(out []T, under []int, gp, gq [3][]T) (sp, sq kernels.FrontScan)) gaussResult[T] {
	var r gaussResult[T]
	for i := range r.out {
		r.out[i] = make([]T, n)
	}
	under := []int{-5}
	o := r.out
	r.sp, r.sq = call(o[0], under, [3][]T{o[1], o[2], o[3]}, [3][]T{o[4], o[5], o[6]})
	r.under = under[0]
	return r
}

// gaussCompare fails t unless got equals want (named ref in the message)
// bit for bit: the scans, under, the values and, with grad, the
// derivatives. detail(l) adds to the message of a difference in lane l.
func gaussCompare[T cfFloat](t *testing.T, what, ref string, grad bool, got, want gaussResult[T], detail func(l int) string) {
	t.Helper()
	names := [...]string{"out", "gp.W", "gp.M", "gp.S", "gq.W", "gq.M", "gq.S"}
	if want.sp != got.sp || want.sq != got.sq {
		t.Fatalf("%s: scans %+v %+v, %s %+v %+v", what, got.sp, got.sq, ref, want.sp, want.sq)
	}
	if want.under != got.under {
		t.Fatalf("%s: under %d, %s %d", what, got.under, ref, want.under)
	}
	for i := range want.out {
		if !grad && i > 0 {
			break
		}
		for l := range want.out[i] {
			if !cfSame(want.out[i][l], got.out[i][l]) {
				t.Fatalf("%s: %s[%d] = %v, %s %v%s", what, names[i], l, got.out[i][l], ref, want.out[i][l], detail(l))
			}
		}
	}
}
