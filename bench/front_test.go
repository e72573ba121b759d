package bench

import (
	"fmt"
	"math"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// BenchmarkBatchFront times the front end of SquaredBatch alone: the
// BatchFront kernel (checks and layout in lanes of one side) on 4096
// mixtures of c components in chunks of 64, as SquaredBatch calls it, for
// every implementation and both precisions. Mmix/s counts mixtures (c
// components each), and Melem/s their components.
func BenchmarkBatchFront(b *testing.B) {
	const nb, chunk = 4096, 64
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []int{1, 2, 3, 4, 5, 8, 16} {
			b.Run(fmt.Sprintf("impl=%s/prec=float64/c=%d", name, c), func(b *testing.B) {
				benchFront(b, im.BatchFront64, nb, chunk, c)
			})
			b.Run(fmt.Sprintf("impl=%s/prec=float32/c=%d", name, c), func(b *testing.B) {
				benchFront(b, im.BatchFront32, nb, chunk, c)
			})
		}
	}
}

func benchFront[F cramer.Float](b *testing.B, f func(dw, dm, dv, w, m, s []F, c, n int, lim *kernels.FrontLimits) kernels.FrontScan, nb, chunk, c int) {
	sd := newSide(seedA, nb*c)
	w, m, s := conv[F](sd.w), conv[F](sd.m), conv[F](sd.s)
	dw, dm, dv := make([]F, chunk*c), make([]F, chunk*c), make([]F, chunk*c)
	sign := uint64(1) << 63
	bits := func(x float64) uint64 { return math.Float64bits(x) }
	if _, ok := any(F(0)).(float32); ok {
		sign = 1 << 31
		bits = func(x float64) uint64 { return uint64(math.Float32bits(float32(x))) }
	}
	lim := &kernels.FrontLimits{GtLim: sign - 1 - bits(1e18), GeSmall: sign - bits(1e-30), GeLossy: sign - bits(1e-35), Tol: 1e30}
	b.ReportAllocs()
	var acc uint64
	for b.Loop() {
		for b0 := 0; b0 < nb; b0 += chunk {
			r := f(dw, dm, dv, w[b0*c:(b0+chunk)*c], m[b0*c:(b0+chunk)*c], s[b0*c:(b0+chunk)*c], c, chunk, lim)
			acc += r.Or
		}
	}
	if el := b.Elapsed(); el > 0 {
		b.ReportMetric(float64(b.N)*float64(nb)/el.Seconds()/1e6, "Mmix/s")
		b.ReportMetric(float64(b.N)*float64(nb*c)/el.Seconds()/1e6, "Melem/s")
	}
	if acc == 1 {
		b.Log(acc)
	}
}
