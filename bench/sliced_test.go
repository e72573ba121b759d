package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

func slicedMixture(r *rand.Rand, k, d int) cramer.MixtureND[float64] {
	p := cramer.MixtureND[float64]{Dim: d, Weights: make([]float64, k), Means: make([]float64, k*d), Chol: make([]float64, k*d*d)}
	for i := range p.Weights {
		p.Weights[i] = 1 / float64(k)
	}
	for i := range p.Means {
		p.Means[i] = 2 * r.NormFloat64()
	}
	for i := 0; i < k; i++ {
		for a := 0; a < d; a++ {
			for c := 0; c <= a; c++ {
				v := 0.2 * r.NormFloat64()
				if a == c {
					v = 0.5 + r.Float64()
				}
				p.Chol[(i*d+a)*d+c] = v
			}
		}
	}
	return p
}

// BenchmarkSliced runs the sliced workloads of the sliced-distance issue on
// one core: mixtures D=8, K=M=64, full covariances, L=512 (pairs counted as
// L·(K·M+K²+M²), as for the univariate workloads), compared with the same
// number of univariate pair sums alone (the projection overhead); and two
// sample sets N=M=100000, D=8, L=256 (seconds per call).
func BenchmarkSliced(b *testing.B) {
	r := rand.New(rand.NewPCG(61, 62))
	const d, k, l = 8, 64, 512
	p, q := slicedMixture(r, k, d), slicedMixture(r, k, d)
	dirs := cramer.RandomDirections[float64](d, l, 1)
	b.Run("mixtures-d8-k64-l512", func(b *testing.B) {
		sw := &cramer.SlicedWorkspace[float64]{Threads: 1}
		sw.SquaredGrad(p, q, dirs, nil, nil)
		b.ReportAllocs()
		for b.Loop() {
			sw.SquaredGrad(p, q, dirs, nil, nil)
		}
		reportPairs(b, l*(k*k+k*k+k*k))
	})
	b.Run("pairsums-only-k64-x512", func(b *testing.B) {
		p1 := cramer.Mixture[float64]{Weights: p.Weights, Means: p.Means[:k], Stds: p.Chol[:k]}
		for i := range p1.Stds {
			p1.Stds[i] = 0.5 + float64(i%7)*0.1
		}
		q1 := cramer.Mixture[float64]{Weights: q.Weights, Means: q.Means[:k], Stds: p1.Stds}
		ws := &cramer.Workspace[float64]{Threads: 1}
		ws.Squared(p1, q1)
		b.ReportAllocs()
		for b.Loop() {
			for range l {
				ws.Squared(p1, q1)
			}
		}
		reportPairs(b, l*(k*k+k*k+k*k))
	})
	b.Run("samples-d8-n100000-l256", func(b *testing.B) {
		const n = 100000
		x := cramer.SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
		y := cramer.SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
		for i := range x.Values {
			x.Values[i], y.Values[i] = r.NormFloat64(), 0.5+r.NormFloat64()
		}
		dirs := cramer.RandomDirections[float64](d, 256, 2)
		sw := &cramer.SlicedWorkspace[float64]{Threads: 1}
		sw.SquaredSamples(x, y, dirs)
		b.ReportAllocs()
		for b.Loop() {
			sw.SquaredSamples(x, y, dirs)
		}
	})
}
