package mdn

import (
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

// benchBatch is the benchmark batch: B = 4096 examples, K = 8 components,
// scalar targets, raw outputs and targets standard normal.
func benchBatch[F cramer.Float](h Head, nb int) (raw, y []F) {
	rng := rand.New(rand.NewPCG(7, 7))
	raw = make([]F, nb*h.Width())
	for i := range raw {
		raw[i] = F(rng.NormFloat64())
	}
	y = make([]F, nb*h.Dim())
	for i := range y {
		y[i] = F(rng.NormFloat64())
	}
	return raw, y
}

func benchLoss[F cramer.Float](b *testing.B, loss string) {
	benchLossMap[F](b, loss, ELUPlusOne)
}

func benchLossMap[F cramer.Float](b *testing.B, loss string, sm ScaleMap) {
	const nb = 4096
	h := Head{K: 8, Scale: sm}
	raw, y := benchBatch[F](h, nb)
	grad := make([]F, len(raw))
	out := make([]F, nb)
	ws := Workspace[F]{Threads: 1}
	root := cramer.Workspace[F]{Threads: 1}
	op := func() error {
		var err error
		switch loss {
		case "cramer":
			_, err = ws.CramerToPoints(h, raw, y, out, grad)
		case "nll":
			_, err = ws.NLL(h, raw, y, out, grad)
		case "cramer-rootbatch":
			// The same loss through the root package's batch API
			// (decode, validation and lane transposition by the root
			// package, then the chain rule) instead of the fused path.
			var nb int
			if nb, err = ws.decode(h, raw, grad); err != nil {
				return err
			}
			ws.tw = grow(ws.tw, nb)
			ws.ts = grow(ws.ts, nb)
			for i := range ws.tw {
				ws.tw[i], ws.ts[i] = 1, 0
			}
			p := cramer.Mixture[F]{Weights: ws.w, Means: ws.mu, Stds: ws.s}
			if err = root.SquaredBatchGrad(out, h.K, 1, p, cramer.Mixture[F]{Weights: ws.tw, Means: y, Stds: ws.ts}, &ws.gp, nil); err != nil {
				return err
			}
			ws.chain(h, nb, ws.gp.Weights, ws.gp.Means, ws.gp.Stds, grad)
		}
		return err
	}
	if err := op(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/nb, "ns/example")
	if loss != "nll" {
		// Pair terms as counted by cramer bench: K·M + K² + M² per example.
		b.ReportMetric(float64(b.N)*nb*float64(h.K+h.K*h.K+1)/b.Elapsed().Seconds()/1e6, "Mpair/s")
	}
}

// BenchmarkLoss measures loss + gradient on B = 4096 examples, K = 8, scalar
// targets, elu+1 scales, one thread; cramer-rootbatch is the Cramér loss
// computed through cramer.Workspace.SquaredBatchGrad instead, for
// comparison.
func BenchmarkLoss(b *testing.B) {
	b.Run("cramer/f32", func(b *testing.B) { benchLoss[float32](b, "cramer") })
	b.Run("cramer/f64", func(b *testing.B) { benchLoss[float64](b, "cramer") })
	b.Run("cramer-rootbatch/f32", func(b *testing.B) { benchLoss[float32](b, "cramer-rootbatch") })
	b.Run("nll/f32", func(b *testing.B) { benchLoss[float32](b, "nll") })
	b.Run("nll/f64", func(b *testing.B) { benchLoss[float64](b, "nll") })
}

// BenchmarkLossScaleMaps is BenchmarkLoss's float32 Cramér loss and NLL for
// each scale map.
func BenchmarkLossScaleMaps(b *testing.B) {
	for _, sm := range scaleMaps {
		b.Run("cramer/f32/"+sm.String(), func(b *testing.B) { benchLossMap[float32](b, "cramer", sm) })
		b.Run("nll/f32/"+sm.String(), func(b *testing.B) { benchLossMap[float32](b, "nll", sm) })
	}
}
