package bench

import (
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// BenchmarkBatchCombine times the batch combination kernels alone
// (BatchPairValues: the per-pair values from the batch-lane kernels' row
// sums; BatchSideGrad: the derivatives of both sides from their gradient
// sums) for every implementation, both precisions and the batchShapes, in
// chunks of 64 pairs as SquaredBatch calls them: the weights and stds of the
// whole batch and the outputs are streamed, the sums and weights that
// SquaredBatch keeps lane-interleaved in per-worker scratch are one chunk's
// worth, reused (fixed random data; the time does not depend on the
// values):
//
//	BenchmarkBatchCombine/impl=I/prec=P/shape=S(-grad)
//
// Mpair/s counts the shape's pairs, B·(K·M + K² + M²), as BenchmarkBatchLanes
// does, so that the figures compare with the whole batch's: a combination
// at X Mpair/s costs 1/X of the time per pair.
func BenchmarkBatchCombine(b *testing.B) {
	for _, name := range kernels.Names() {
		if name == "matherf" {
			continue
		}
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("impl="+name, func(b *testing.B) {
			b.Run("prec=float64", func(b *testing.B) { runBatchCombine[float64](b, im) })
			b.Run("prec=float32", func(b *testing.B) { runBatchCombine[float32](b, im) })
		})
	}
}

func runBatchCombine[F cramer.Float](b *testing.B, im *kernels.Impl) {
	const chunk = 64
	for _, sh := range batchShapes {
		nb, k, m := sh.nb, sh.k, sh.m
		p, q := batchInputs[F](sh)
		sums := func(seed uint64, c int) []F { return conv[F](newSide(seed, chunk*c).m) }
		wa, wb := sums(seedA, k), sums(seedB, m) // lane-interleaved stand-ins
		cr := sums(seedX, k)
		var sp, sq []F
		if k > 1 {
			sp = sums(seedA+10, k)
		}
		if m > 1 {
			sq = sums(seedB+10, m)
		}
		out, under := make([]F, nb), make([]int, 1)
		vals, cross := make([]float64, chunk), make([]float64, chunk)
		g3 := func(seed uint64, c int) [3][]F { return [3][]F{sums(seed, c), sums(seed+1, c), sums(seed+2, c)} }
		xP, xQ := g3(20, k), g3(30, m)
		var rP, cP, rQ, cQ [3][]F
		if k > 1 {
			rP, cP = g3(40, k), g3(50, k)
		}
		if m > 1 {
			rQ, cQ = g3(60, m), g3(70, m)
		}
		gp := [3][]F{make([]F, nb*k), make([]F, nb*k), make([]F, nb*k)}
		gq := [3][]F{make([]F, nb*m), make([]F, nb*m), make([]F, nb*m)}
		// cut returns chunk c0 of a streamed slice; the scratch stand-ins
		// (chunk·c elements) are passed whole.
		cut := func(x []F, c, c0 int) []F {
			if len(x) <= chunk*c {
				return x
			}
			return x[c0*c : (c0+chunk)*c]
		}
		values := func(c0 int) {
			switch any(out).(type) {
			case []float64:
				f := func(x []F, c int) []float64 { return any(cut(x, c, c0)).([]float64) }
				im.BatchPairValues64(f(out, 1), under, vals, cross, f(wa, k), f(cr, k), f(p.Stds, k), f(sp, k), f(wb, m), f(q.Stds, m), f(sq, m), chunk)
			case []float32:
				f := func(x []F, c int) []float32 { return any(cut(x, c, c0)).([]float32) }
				im.BatchPairValues32(f(out, 1), under, vals, cross, f(wa, k), f(cr, k), f(p.Stds, k), f(sp, k), f(wb, m), f(q.Stds, m), f(sq, m), chunk)
			}
		}
		grad := func(c0 int) {
			switch any(out).(type) {
			case []float64:
				f := func(x []F, c int) []float64 { return any(cut(x, c, c0)).([]float64) }
				g := func(s [3][]F, c int) kernels.GradSums64 {
					return kernels.GradSums64{H: f(s[0], c), D: f(s[1], c), R: f(s[2], c)}
				}
				im.BatchSideGrad64(f(gp[0], k), f(gp[1], k), f(gp[2], k), f(p.Weights, k), f(p.Stds, k), g(xP, k), g(rP, k), g(cP, k), 1, chunk)
				im.BatchSideGrad64(f(gq[0], m), f(gq[1], m), f(gq[2], m), f(q.Weights, m), f(q.Stds, m), g(xQ, m), g(rQ, m), g(cQ, m), -1, chunk)
			case []float32:
				f := func(x []F, c int) []float32 { return any(cut(x, c, c0)).([]float32) }
				g := func(s [3][]F, c int) kernels.GradSums32 {
					return kernels.GradSums32{H: f(s[0], c), D: f(s[1], c), R: f(s[2], c)}
				}
				im.BatchSideGrad32(f(gp[0], k), f(gp[1], k), f(gp[2], k), f(p.Weights, k), f(p.Stds, k), g(xP, k), g(rP, k), g(cP, k), 1, chunk)
				im.BatchSideGrad32(f(gq[0], m), f(gq[1], m), f(gq[2], m), f(q.Weights, m), f(q.Stds, m), g(xQ, m), g(rQ, m), g(cQ, m), -1, chunk)
			}
		}
		for _, c := range []struct {
			suffix string
			call   func(int)
		}{{"", values}, {"-grad", grad}} {
			b.Run("shape="+sh.name+c.suffix, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for c0 := 0; c0+chunk <= nb; c0 += chunk {
						c.call(c0)
					}
				}
				reportPairs(b, sh.pairs())
			})
		}
	}
}
