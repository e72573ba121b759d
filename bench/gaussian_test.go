package bench

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// BenchmarkGaussian times the batches of single Gaussians (K = M = 1) on
// 4096 pairs in chunks of 1024 lanes, as SquaredBatch cuts such a batch,
// for every implementation that has the fused kernels and both precisions:
// the fused kernel (BatchGaussianValues, BatchGaussianGrad) against, in the
// same run, the composition of the general kernels it replaces on the same
// chunks (BatchFront of both sides, BatchCrossRowSums or BatchCrossGrad,
// BatchPairValues, and BatchSideGrad of both sides for the gradient), with
// their intermediate arrays allocated once:
//
//	BenchmarkGaussian/impl=I/prec=P/kind=(fused|composed)/(value|grad)
//
// Mpair/s counts one pair per lane. The inputs are newSide's means and stds
// with weights 1 (every value valid); the time does not depend on them
// beyond the pair term's regimes.
func BenchmarkGaussian(b *testing.B) {
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		if im.BatchGaussianGrad32 == nil || im.BatchGaussianGrad64 == nil {
			continue
		}
		b.Run("impl="+name, func(b *testing.B) {
			b.Run("prec=float64", func(b *testing.B) { runGaussian[float64](b, im) })
			b.Run("prec=float32", func(b *testing.B) { runGaussian[float32](b, im) })
		})
	}
}

func runGaussian[F cramer.Float](b *testing.B, im *kernels.Impl) {
	const nb, chunk = 4096, 1024
	a, c := newSide(seedA, nb), newSide(seedB, nb)
	ones := make([]float64, nb)
	for i := range ones {
		ones[i] = 1
	}
	p := [3][]F{conv[F](ones), conv[F](a.m), conv[F](a.s)}
	q := [3][]F{conv[F](ones), conv[F](c.m), conv[F](c.s)}
	sign := uint64(1) << 63
	bits := func(x float64) uint64 { return math.Float64bits(x) }
	if _, ok := any(F(0)).(float32); ok {
		sign = 1 << 31
		bits = func(x float64) uint64 { return uint64(math.Float32bits(float32(x))) }
	}
	lim := &kernels.FrontLimits{GtLim: sign - 1 - bits(1e18), GeSmall: sign - bits(1e-30), GeLossy: sign - bits(1e-35), Tol: 1e-6}
	g3 := func() [3][]F { return [3][]F{make([]F, nb), make([]F, nb), make([]F, nb)} }
	out, gp, gq := make([]F, nb), g3(), g3()
	under := []int{0}
	// The composition's per-chunk scratch.
	va, vb := make([]F, chunk), make([]F, chunk)
	rows, cols := [3][]F{make([]F, chunk), make([]F, chunk), make([]F, chunk)}, [3][]F{make([]F, chunk), make([]F, chunk), make([]F, chunk)}
	vals, cross := make([]float64, chunk), make([]float64, chunk)
	at := func(s [3][]F, c0 int) [3][]F {
		return [3][]F{s[0][c0 : c0+chunk], s[1][c0 : c0+chunk], s[2][c0 : c0+chunk]}
	}
	var fused, composed func(grad bool, c0 int)
	switch any(F(0)).(type) {
	case float64:
		f := func(x []F) []float64 { return any(x).([]float64) }
		g := func(s [3][]F) kernels.Gaussians64 { return kernels.Gaussians64{W: f(s[0]), M: f(s[1]), S: f(s[2])} }
		gs := func(s [3][]F) kernels.GradSums64 { return kernels.GradSums64{H: f(s[0]), D: f(s[1]), R: f(s[2])} }
		var none kernels.GradSums64
		fused = func(grad bool, c0 int) {
			o, pc, qc := f(out[c0:c0+chunk]), g(at(p, c0)), g(at(q, c0))
			if grad {
				im.BatchGaussianGrad64(o, under, g(at(gp, c0)), g(at(gq, c0)), pc, qc, chunk, lim)
			} else {
				im.BatchGaussianValues64(o, under, pc, qc, chunk, lim)
			}
		}
		composed = func(grad bool, c0 int) {
			pc, qc := g(at(p, c0)), g(at(q, c0))
			im.BatchFront64(nil, nil, f(va), pc.W, pc.M, pc.S, 1, chunk, lim)
			im.BatchFront64(nil, nil, f(vb), qc.W, qc.M, qc.S, 1, chunk, lim)
			if grad {
				im.BatchCrossGrad64(gs(rows), gs(cols), pc.W, pc.M, f(va), qc.W, qc.M, f(vb), chunk)
			} else {
				im.BatchCrossRowSums64(f(rows[0]), pc.M, f(va), qc.W, qc.M, f(vb), chunk)
			}
			im.BatchPairValues64(f(out[c0:c0+chunk]), under, vals, cross, pc.W, f(rows[0]), pc.S, nil, qc.W, qc.S, nil, chunk)
			if grad {
				gpc, gqc := g(at(gp, c0)), g(at(gq, c0))
				im.BatchSideGrad64(gpc.W, gpc.M, gpc.S, pc.W, pc.S, gs(rows), none, none, 1, chunk)
				im.BatchSideGrad64(gqc.W, gqc.M, gqc.S, qc.W, qc.S, gs(cols), none, none, -1, chunk)
			}
		}
	case float32:
		f := func(x []F) []float32 { return any(x).([]float32) }
		g := func(s [3][]F) kernels.Gaussians32 { return kernels.Gaussians32{W: f(s[0]), M: f(s[1]), S: f(s[2])} }
		gs := func(s [3][]F) kernels.GradSums32 { return kernels.GradSums32{H: f(s[0]), D: f(s[1]), R: f(s[2])} }
		var none kernels.GradSums32
		fused = func(grad bool, c0 int) {
			o, pc, qc := f(out[c0:c0+chunk]), g(at(p, c0)), g(at(q, c0))
			if grad {
				im.BatchGaussianGrad32(o, under, g(at(gp, c0)), g(at(gq, c0)), pc, qc, chunk, lim)
			} else {
				im.BatchGaussianValues32(o, under, pc, qc, chunk, lim)
			}
		}
		composed = func(grad bool, c0 int) {
			pc, qc := g(at(p, c0)), g(at(q, c0))
			im.BatchFront32(nil, nil, f(va), pc.W, pc.M, pc.S, 1, chunk, lim)
			im.BatchFront32(nil, nil, f(vb), qc.W, qc.M, qc.S, 1, chunk, lim)
			if grad {
				im.BatchCrossGrad32(gs(rows), gs(cols), pc.W, pc.M, f(va), qc.W, qc.M, f(vb), chunk)
			} else {
				im.BatchCrossRowSums32(f(rows[0]), pc.M, f(va), qc.W, qc.M, f(vb), chunk)
			}
			im.BatchPairValues32(f(out[c0:c0+chunk]), under, vals, cross, pc.W, f(rows[0]), pc.S, nil, qc.W, qc.S, nil, chunk)
			if grad {
				gpc, gqc := g(at(gp, c0)), g(at(gq, c0))
				im.BatchSideGrad32(gpc.W, gpc.M, gpc.S, pc.W, pc.S, gs(rows), none, none, 1, chunk)
				im.BatchSideGrad32(gqc.W, gqc.M, gqc.S, qc.W, qc.S, gs(cols), none, none, -1, chunk)
			}
		}
	}
	for _, k := range []struct {
		name string
		run  func(grad bool, c0 int)
	}{{"fused", fused}, {"composed", composed}} {
		for _, grad := range []bool{false, true} {
			b.Run("kind="+k.name+"/"+map[bool]string{false: "value", true: "grad"}[grad], func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for c0 := 0; c0 < nb; c0 += chunk {
						k.run(grad, c0)
					}
				}
				reportPairs(b, nb)
			})
		}
	}
}
