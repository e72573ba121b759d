package bench

import (
	"fmt"
	"math"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// BenchmarkBatchLanes times Workspace.SquaredBatch and SquaredBatchGrad
// (both gradients) at the batchShapes, single-threaded, for every assembly and
// portable implementation (not the matherf baseline) and both precisions, and
// in the same run the 1024×1024 cross kernel (CrossRowSums, CrossGrad) of the
// same implementation as the reference throughput. Mpair/s counts the pairs
// as the closed form states them, B·(K·M + K² + M²) for a batch (the self
// sums evaluate only the K(K−1)/2 and M(M−1)/2 pairs off the diagonal) and
// K·M for the cross kernel; Meval/s counts the pair terms actually evaluated,
// B·(K·M + K(K−1)/2 + M(M−1)/2).
func BenchmarkBatchLanes(b *testing.B) {
	for _, name := range kernels.Names() {
		if name == "matherf" {
			continue
		}
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("impl="+name, func(b *testing.B) {
			prev, err := kernels.Use(name)
			if err != nil {
				b.Fatal(err)
			}
			defer kernels.Use(prev)
			b.Run("prec=float64", func(b *testing.B) {
				runBatchLanes[float64](b, crossCase(func(im *kernels.Impl) func(out, ma, va, wb, mb, vb []float64) { return im.CrossRowSums64 }),
					crossGradCase(gs64, func(im *kernels.Impl) func(rows, cols kernels.GradSums64, wa, ma, va, wb, mb, vb []float64) {
						return im.CrossGrad64
					}), im)
			})
			b.Run("prec=float32", func(b *testing.B) {
				runBatchLanes[float32](b, crossCase(func(im *kernels.Impl) func(out, ma, va, wb, mb, vb []float32) { return im.CrossRowSums32 }),
					crossGradCase(gs32, func(im *kernels.Impl) func(rows, cols kernels.GradSums32, wa, ma, va, wb, mb, vb []float32) {
						return im.CrossGrad32
					}), im)
			})
		})
	}
}

// batchKernelCall returns a call of the batch-lane cross kernel (value or
// gradient) on n pairs of K = M = k components, lane-interleaved in chunks of
// 64 pairs as SquaredBatch lays them out, one kernel call per chunk: the
// kernels alone, without the transposition and the per-pair combination of
// SquaredBatch. Mpair/s counts the n·K·M pair terms.
func batchKernelCall[F cramer.Float](im *kernels.Impl, grad bool, n, k int) func() {
	const chunk = 64
	a, c := newSide(seedA, n*k), newSide(seedB, n*k)
	wa, ma, va := conv[F](a.w), conv[F](a.m), conv[F](a.v)
	wb, mb, vb := conv[F](c.w), conv[F](c.m), conv[F](c.v)
	g3 := func() [3][]F { return [3][]F{make([]F, n*k), make([]F, n*k), make([]F, n*k)} }
	out, r, cl := make([]F, n*k), g3(), g3()
	s := func(x []F, c0 int) []F { return x[c0*k : (c0+chunk)*k] }
	switch any(out).(type) {
	case []float64:
		f := func(x []F, c0 int) []float64 { return any(s(x, c0)).([]float64) }
		w := func(g [3][]F, c0 int) kernels.GradSums64 {
			return kernels.GradSums64{H: f(g[0], c0), D: f(g[1], c0), R: f(g[2], c0)}
		}
		if grad {
			return func() {
				for c0 := 0; c0 < n; c0 += chunk {
					im.BatchCrossGrad64(w(r, c0), w(cl, c0), f(wa, c0), f(ma, c0), f(va, c0), f(wb, c0), f(mb, c0), f(vb, c0), chunk)
				}
			}
		}
		return func() {
			for c0 := 0; c0 < n; c0 += chunk {
				im.BatchCrossRowSums64(f(out, c0), f(ma, c0), f(va, c0), f(wb, c0), f(mb, c0), f(vb, c0), chunk)
			}
		}
	case []float32:
		f := func(x []F, c0 int) []float32 { return any(s(x, c0)).([]float32) }
		w := func(g [3][]F, c0 int) kernels.GradSums32 {
			return kernels.GradSums32{H: f(g[0], c0), D: f(g[1], c0), R: f(g[2], c0)}
		}
		if grad {
			return func() {
				for c0 := 0; c0 < n; c0 += chunk {
					im.BatchCrossGrad32(w(r, c0), w(cl, c0), f(wa, c0), f(ma, c0), f(va, c0), f(wb, c0), f(mb, c0), f(vb, c0), chunk)
				}
			}
		}
		return func() {
			for c0 := 0; c0 < n; c0 += chunk {
				im.BatchCrossRowSums32(f(out, c0), f(ma, c0), f(va, c0), f(wb, c0), f(mb, c0), f(vb, c0), chunk)
			}
		}
	}
	panic("unreachable")
}

func runBatchLanes[F cramer.Float](b *testing.B, cross, crossGrad func(*kernels.Impl, int, int) (func(), float64), im *kernels.Impl) {
	for _, g := range []bool{false, true} {
		for _, k := range []int{1, 4, 8, 16} {
			name := fmt.Sprintf("shape=kernel-4096x%d", k)
			if g {
				name += "-grad"
			}
			b.Run(name, func(b *testing.B) {
				run := batchKernelCall[F](im, g, 4096, k)
				b.ReportAllocs()
				for b.Loop() {
					run()
				}
				reportPairs(b, float64(4096*k*k))
			})
		}
		kernel, suffix := cross, ""
		if g {
			kernel, suffix = crossGrad, "-grad"
		}
		b.Run("shape=cross-1024x1024"+suffix, func(b *testing.B) {
			run, pairs := kernel(im, 1024, 1024)
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
			reportPairs(b, pairs)
		})
		for _, sh := range batchShapes {
			b.Run("shape="+sh.name+suffix, func(b *testing.B) {
				p, q := batchInputs[F](sh)
				out := make([]F, sh.nb)
				var gp, gq cramer.MixtureGrad[F]
				ws := &cramer.Workspace[F]{Threads: 1}
				call := func() error {
					if g {
						return ws.SquaredBatchGrad(out, sh.k, sh.m, p, q, &gp, &gq)
					}
					return ws.SquaredBatch(out, sh.k, sh.m, p, q)
				}
				if err := call(); err != nil { // warm: grow the workspace buffers
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					call()
				}
				nb, k, m := float64(sh.nb), float64(sh.k), float64(sh.m)
				reportPairs(b, sh.pairs())
				if el := b.Elapsed(); el > 0 {
					b.ReportMetric(nb*(k*m+k*(k-1)/2+m*(m-1)/2)*float64(b.N)/el.Seconds()/1e6, "Meval/s")
				}
			})
		}
	}
}

// TestBaselineBatchAgrees checks that SquaredBatchGrad gives the same values
// and gradients (within rounding) with every implementation, the matherf
// baseline included, for mixture and point targets, so that BenchmarkBatch
// and BenchmarkWorkloads compare like with like.
func TestBaselineBatchAgrees(t *testing.T) {
	for _, sh := range []struct {
		b, k, m int
		points  bool
	}{{37, 3, 2, false}, {37, 5, 1, true}} {
		p := mixture[float64](newBatchSide(seedA, sh.b, sh.k))
		q := mixture[float64](newBatchSide(seedB, sh.b, sh.m))
		if sh.points {
			clear(q.Stds)
		}
		run := func(name string) (out []float64, gp, gq cramer.MixtureGrad[float64]) {
			prev, err := kernels.Use(name)
			if err != nil {
				t.Fatal(err)
			}
			defer kernels.Use(prev)
			out = make([]float64, sh.b)
			if err := cramer.SquaredBatchGrad(out, sh.k, sh.m, p, q, &gp, &gq); err != nil {
				t.Fatal(err)
			}
			return out, gp, gq
		}
		wantOut, wantP, wantQ := run("purego")
		for _, name := range kernels.Names() {
			out, gp, gq := run(name)
			for _, c := range []struct {
				what      string
				got, want []float64
			}{{"out", out, wantOut}, {"gp.Means", gp.Means, wantP.Means}, {"gp.Stds", gp.Stds, wantP.Stds}, {"gp.Weights", gp.Weights, wantP.Weights},
				{"gq.Means", gq.Means, wantQ.Means}, {"gq.Weights", gq.Weights, wantQ.Weights}} {
				for i := range c.want {
					if math.Abs(c.got[i]-c.want[i]) > 1e-12 {
						t.Fatalf("%s K=%d M=%d: %s[%d] = %v, purego %v", name, sh.k, sh.m, c.what, i, c.got[i], c.want[i])
					}
				}
			}
		}
	}
}
