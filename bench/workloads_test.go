package bench

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// The end-to-end workloads: the calls the CLI makes, through a reused
// Workspace (so the timed calls allocate nothing once warm), with the pair
// terms counted as the closed form states them.
//
//	mixtures-1024        Squared(p, q), K = M = 1024             K·M + K² + M² pairs
//	mixtures-1024-grad   SquaredGrad, both gradients             K·M + K² + M²
//	batch-4096x16        SquaredBatch, 4096 pairs of K = M = 16   4096·(16·16 + 16² + 16²)
//	batch-4096x16-grad   SquaredBatchGrad, both gradients        4096·(16·16 + 16² + 16²)
//	samples-32x100000    SquaredToSamples, K = 32, N = 100000    32·100000 + 32²
//
// (The self sums evaluate only the upper triangle, about half the counted
// pairs, and the samples' self sum is by sorting; the counts are the
// problem's size, identical for every implementation, so Mpair/s compares
// implementations and precisions on equal terms.)
type workload[F cramer.Float] struct {
	name  string
	pairs float64
	// prepare builds the inputs and returns the call to time; the call
	// returns a value that identifies the result (for the bit-identity check).
	prepare func() func(ws *cramer.Workspace[F]) (F, error)
}

const (
	mixK              = 1024
	batchN, batchK    = 4096, 16
	samplesK, samples = 32, 100000
)

func workloads[F cramer.Float]() []workload[F] {
	mixtures := func(grad bool) func() func(ws *cramer.Workspace[F]) (F, error) {
		return func() func(ws *cramer.Workspace[F]) (F, error) {
			p, q := mixture[F](newSide(seedA, mixK)), mixture[F](newSide(seedB, mixK))
			if !grad {
				return func(ws *cramer.Workspace[F]) (F, error) { return ws.Squared(p, q) }
			}
			var gp, gq cramer.MixtureGrad[F]
			return func(ws *cramer.Workspace[F]) (F, error) { return ws.SquaredGrad(p, q, &gp, &gq) }
		}
	}
	batch := func(grad bool) func() func(ws *cramer.Workspace[F]) (F, error) {
		return func() func(ws *cramer.Workspace[F]) (F, error) {
			p, q := mixture[F](newBatchSide(seedA, batchN, batchK)), mixture[F](newBatchSide(seedB, batchN, batchK))
			out := make([]F, batchN)
			var gp, gq cramer.MixtureGrad[F]
			return func(ws *cramer.Workspace[F]) (F, error) {
				var err error
				if grad {
					err = ws.SquaredBatchGrad(out, batchK, batchK, p, q, &gp, &gq)
				} else {
					err = ws.SquaredBatch(out, batchK, batchK, p, q)
				}
				return out[batchN-1], err
			}
		}
	}
	pairsMix := float64(mixK*mixK + mixK*mixK + mixK*mixK)
	pairsBatch := float64(batchN * (batchK*batchK + batchK*batchK + batchK*batchK))
	return []workload[F]{
		{"mixtures-1024", pairsMix, mixtures(false)},
		{"mixtures-1024-grad", pairsMix, mixtures(true)},
		{"batch-4096x16", pairsBatch, batch(false)},
		{"batch-4096x16-grad", pairsBatch, batch(true)},
		{"samples-32x100000", float64(samplesK*samples + samplesK*samplesK), func() func(ws *cramer.Workspace[F]) (F, error) {
			p := mixture[F](newSide(seedA, samplesK))
			x64, _ := newPoints(seedX, samples)
			x := cramer.Samples[F]{Values: conv[F](x64)} // unweighted, as the CLI reads them
			return func(ws *cramer.Workspace[F]) (F, error) { return ws.SquaredToSamples(p, x) }
		}},
	}
}

// BenchmarkWorkloads runs the end-to-end workloads for every implementation
// (selected with kernels.Use) and both precisions, single-threaded
// (Workspace.Threads = 1), plus mixtures-1024 with Threads = 0 (all of
// GOMAXPROCS) to show the parallel scaling. The tiling does not depend on the
// thread count and partial sums are combined in a fixed order, so the
// parallel result is bit-identical to the serial one; the benchmark checks
// this before timing. The parallel path allocates a few small objects per
// call for its goroutines.
func BenchmarkWorkloads(b *testing.B) {
	for _, name := range kernels.Names() {
		b.Run("impl="+name, func(b *testing.B) {
			prev, err := kernels.Use(name)
			if err != nil {
				b.Fatal(err)
			}
			defer kernels.Use(prev)
			b.Run("prec=float64", runWorkloads[float64])
			b.Run("prec=float32", runWorkloads[float32])
		})
	}
}

func runWorkloads[F cramer.Float](b *testing.B) {
	for _, wl := range workloads[F]() {
		b.Run("workload="+wl.name, func(b *testing.B) {
			b.Run("threads=1", func(b *testing.B) {
				call := wl.prepare()
				ws := &cramer.Workspace[F]{Threads: 1}
				if _, err := call(ws); err != nil { // warm: grow the workspace buffers
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					call(ws)
				}
				reportPairs(b, wl.pairs)
			})
			if wl.name != "mixtures-1024" {
				return
			}
			b.Run("threads=all", func(b *testing.B) {
				call := wl.prepare()
				serial, err := call(&cramer.Workspace[F]{Threads: 1})
				if err != nil {
					b.Fatal(err)
				}
				ws := &cramer.Workspace[F]{Threads: 0}
				par, err := call(ws)
				if err != nil {
					b.Fatal(err)
				}
				if math.Float64bits(float64(par)) != math.Float64bits(float64(serial)) {
					b.Fatalf("parallel result %v differs from serial %v", par, serial)
				}
				b.ReportAllocs()
				for b.Loop() {
					call(ws)
				}
				reportPairs(b, wl.pairs)
			})
		})
	}
}
