//go:build libmvec && cgo && amd64

package bench

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// The libmvec C loop (libmvec.go) as an external implementation: the cross
// row sums in both precisions and the batch of mixture pairs, value only.
func init() {
	if !libmvecUsable() {
		return
	}
	externals = append(externals, external{
		name:    "libmvec",
		impl:    &kernels.Impl{Name: "libmvec", CrossRowSums64: libmvecCross64, CrossRowSums32: libmvecCross32},
		kernels: []string{"CrossRowSums64", "CrossRowSums32"},
		batch64: libmvecBatchMixtures[float64](libmvecBatch64),
		batch32: libmvecBatchMixtures[float32](libmvecBatch32),
	})
}

// libmvecBatchMixtures adapts a C batch function to mixtures; the scratch is
// allocated once per shape and reused.
func libmvecBatchMixtures[F cramer.Float](f func(out []F, k, m int, wp, mp, sp, wq, mq, sq, buf []F)) func(out []F, k, m int, p, q cramer.Mixture[F]) {
	var buf []F
	return func(out []F, k, m int, p, q cramer.Mixture[F]) {
		if n := batchBufLen(k, m); len(buf) < n {
			buf = make([]F, n)
		}
		f(out, k, m, p.Weights, p.Means, p.Stds, q.Weights, q.Means, q.Stds, buf)
	}
}

// TestLibmvecAgrees checks that the C loop computes what the library
// computes: the cross row sums against purego on odd sizes (tails included),
// and every batch shape (small nb) against SquaredBatch, relative to the
// cross sum (ℓ₂² itself cancels).
func TestLibmvecAgrees(t *testing.T) {
	if !libmvecUsable() {
		t.Skip("no AVX2 + FMA")
	}
	ref, err := kernels.Lookup("purego")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("cross/float64", func(t *testing.T) { libmvecCrossAgrees(t, libmvecCross64, ref.CrossRowSums64, 1e-13) })
	t.Run("cross/float32", func(t *testing.T) { libmvecCrossAgrees(t, libmvecCross32, ref.CrossRowSums32, 3e-6) })
	e := externals[len(externals)-1]
	t.Run("batch/float64", func(t *testing.T) { libmvecBatchAgrees(t, e.batch64, 1e-13) })
	t.Run("batch/float32", func(t *testing.T) { libmvecBatchAgrees(t, e.batch32, 3e-6) })
}

func libmvecCrossAgrees[F cramer.Float](t *testing.T, got, want func(out, ma, va, wb, mb, vb []F), tol float64) {
	for _, sz := range [][2]int{{1, 1}, {3, 5}, {37, 53}, {8, 16}} {
		a, b := newSide(seedA, sz[0]), newSide(seedB, sz[1])
		ma, va := conv[F](a.m), conv[F](a.v)
		wb, mb, vb := conv[F](b.w), conv[F](b.m), conv[F](b.v)
		g, w := make([]F, sz[0]), make([]F, sz[0])
		got(g, ma, va, wb, mb, vb)
		want(w, ma, va, wb, mb, vb)
		for i := range w {
			if d := math.Abs(float64(g[i]) - float64(w[i])); !(d <= tol*math.Abs(float64(w[i]))) {
				t.Errorf("%dx%d: out[%d] = %v, purego %v", sz[0], sz[1], i, g[i], w[i])
			}
		}
	}
}

func libmvecBatchAgrees[F cramer.Float](t *testing.T, f func(out []F, k, m int, p, q cramer.Mixture[F]), tol float64) {
	for _, s := range batchShapes {
		s.nb = 7
		p, q := batchInputs[F](s)
		g, w := make([]F, s.nb), make([]F, s.nb)
		f(g, s.k, s.m, p, q)
		if err := cramer.SquaredBatch(w, s.k, s.m, p, q); err != nil {
			t.Fatal(err)
		}
		for b := range w {
			// The cross sum of normalised mixtures is at least the smallest
			// pair term, about 0.1 here; 1 bounds it from above.
			if d := math.Abs(float64(g[b]) - float64(w[b])); !(d <= tol) {
				t.Errorf("%s: out[%d] = %v, SquaredBatch %v", s.name, b, g[b], w[b])
			}
		}
	}
}
