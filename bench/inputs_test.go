package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

// Inputs are drawn from fixed seeds so that every run, implementation and
// precision sees the same numbers (float32 inputs are the float64 ones
// rounded).
const (
	seedA = 1
	seedB = 2
	seedX = 3
)

// side is one side of a pair sum in float64: weights summing to 1, means
// uniform in [−4, 4] and stds uniform in [0.1, 1.5], so |z| = |d|/(s√2)
// covers the central, mixed and tail regimes of erf (0 … ≈ 30).
type side struct{ w, m, s, v []float64 }

func newSide(seed uint64, n int) side {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	sd := side{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	var sum float64
	for i := range n {
		sd.w[i] = 0.05 + r.Float64()
		sum += sd.w[i]
		sd.m[i] = 8*r.Float64() - 4
		sd.s[i] = 0.1 + 1.4*r.Float64()
		sd.v[i] = sd.s[i] * sd.s[i]
	}
	for i := range sd.w {
		sd.w[i] /= sum
	}
	return sd
}

// newBatchSide is n blocks of k components, each block's weights summing to 1.
func newBatchSide(seed uint64, n, k int) side {
	sd := newSide(seed, n*k)
	for b := range n {
		blk := sd.w[b*k : (b+1)*k]
		var sum float64
		for _, x := range blk {
			sum += x
		}
		for i := range blk {
			blk[i] /= sum
		}
	}
	return sd
}

// newPoints returns n points from N(0.3, 2²) with weights 1/n.
func newPoints(seed uint64, n int) (x, w []float64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	x, w = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 0.3 + 2*r.NormFloat64()
		w[i] = 1 / float64(n)
	}
	return x, w
}

// newArgs returns n differences uniform in [−6, 6] and variances uniform in
// [0.01, 2.25] for the element-wise kernels.
func newArgs(seed uint64, n int) (d, v []float64) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	d, v = make([]float64, n), make([]float64, n)
	for i := range d {
		d[i] = 12*r.Float64() - 6
		s := 0.1 + 1.4*r.Float64()
		v[i] = s * s
	}
	return d, v
}

func conv[F cramer.Float](x []float64) []F {
	y := make([]F, len(x))
	for i, v := range x {
		y[i] = F(v)
	}
	return y
}

func mixture[F cramer.Float](sd side) cramer.Mixture[F] {
	return cramer.Mixture[F]{Weights: conv[F](sd.w), Means: conv[F](sd.m), Stds: conv[F](sd.s)}
}

// reportPairs reports the throughput in millions of pair terms per second;
// call it after the b.Loop loop.
func reportPairs(b *testing.B, pairs float64) {
	if el := b.Elapsed(); el > 0 {
		b.ReportMetric(pairs*float64(b.N)/el.Seconds()/1e6, "Mpair/s")
	}
}

// sizeName is the size segment of a benchmark name.
func sizeName(k, m int) string { return fmt.Sprintf("size=%dx%d", k, m) }
