package bench

import (
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// batchShape is one batch workload: nb mixture pairs of k against m
// components. m = 1 with point masses is the mixture-density-network loss
// against a scalar target (q's stds all 0).
type batchShape struct {
	name     string
	nb, k, m int
	points   bool
}

// batchShapes are the small-mixture workloads of learning: B = 4096 pairs of
// K = M ∈ {1, 4, 8, 16}, and K = 5 against one point, B = 65536.
var batchShapes = []batchShape{
	{"batch-4096x1", 4096, 1, 1, false},
	{"batch-4096x4", 4096, 4, 4, false},
	{"batch-4096x8", 4096, 8, 8, false},
	{"batch-4096x16", 4096, 16, 16, false},
	{"mdn-65536x5", 65536, 5, 1, true},
}

// pairs is the problem's pair count, nb·(k·m + k² + m²), the same for every
// implementation (the library evaluates only the upper triangles of the self
// sums; the C loop evaluates every pair).
func (s batchShape) pairs() float64 { return float64(s.nb * (s.k*s.m + s.k*s.k + s.m*s.m)) }

// inputs returns the stacked mixtures of the shape (fixed seeds).
func batchInputs[F cramer.Float](s batchShape) (p, q cramer.Mixture[F]) {
	p = mixture[F](newBatchSide(seedA, s.nb, s.k))
	q = mixture[F](newBatchSide(seedB, s.nb, s.m))
	if s.points {
		clear(q.Stds)
	}
	return p, q
}

// BenchmarkBatch times SquaredBatch (value only, one reused Workspace,
// Threads = 1) for every registered implementation and both precisions on
// the batchShapes, and the batch functions of the external implementations
// (the libmvec C loop with `-tags libmvec`) on the same inputs:
//
//	BenchmarkBatch/impl=I/prec=P/workload=W    Mpair/s = pairs() per call
func BenchmarkBatch(b *testing.B) {
	for _, name := range kernels.Names() {
		b.Run("impl="+name, func(b *testing.B) {
			prev, err := kernels.Use(name)
			if err != nil {
				b.Fatal(err)
			}
			defer kernels.Use(prev)
			b.Run("prec=float64", func(b *testing.B) { runBatch[float64](b, squaredBatch[float64]) })
			b.Run("prec=float32", func(b *testing.B) { runBatch[float32](b, squaredBatch[float32]) })
		})
	}
	for _, e := range externals {
		if e.batch64 == nil {
			continue
		}
		b.Run("impl="+e.name, func(b *testing.B) {
			b.Run("prec=float64", func(b *testing.B) { runBatch(b, externalBatch(e.batch64)) })
			b.Run("prec=float32", func(b *testing.B) { runBatch(b, externalBatch(e.batch32)) })
		})
	}
}

// A batchFunc prepares the call to time for one shape.
type batchFunc[F cramer.Float] func(s batchShape) (func() error, error)

func squaredBatch[F cramer.Float](s batchShape) (func() error, error) {
	p, q := batchInputs[F](s)
	out := make([]F, s.nb)
	ws := &cramer.Workspace[F]{Threads: 1}
	call := func() error { return ws.SquaredBatch(out, s.k, s.m, p, q) }
	return call, call() // warm: grow the workspace buffers
}

func externalBatch[F cramer.Float](f func(out []F, k, m int, p, q cramer.Mixture[F])) batchFunc[F] {
	return func(s batchShape) (func() error, error) {
		p, q := batchInputs[F](s)
		out := make([]F, s.nb)
		return func() error { f(out, s.k, s.m, p, q); return nil }, nil
	}
}

func runBatch[F cramer.Float](b *testing.B, prepare batchFunc[F]) {
	for _, s := range batchShapes {
		b.Run("workload="+s.name, func(b *testing.B) {
			call, err := prepare(s)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				call()
			}
			reportPairs(b, s.pairs())
		})
	}
}

// TestBatchShapes checks the batch inputs: the Dirac shape's targets are
// point masses and every shape is accepted by SquaredBatch.
func TestBatchShapes(t *testing.T) {
	for _, s := range batchShapes {
		small := s
		small.nb = 3
		p, q := batchInputs[float64](small)
		out := make([]float64, small.nb)
		if err := cramer.SquaredBatch(out, s.k, s.m, p, q); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.points && q.Stds[0] != 0 {
			t.Errorf("%s: target std %v, want 0", s.name, q.Stds[0])
		}
		for b, v := range out {
			if !(v >= 0) {
				t.Errorf("%s: out[%d] = %v", s.name, b, v)
			}
		}
	}
}
