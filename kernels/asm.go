//go:build gc && !purego && (amd64 || arm64)

package kernels

import (
	"github.com/gmmkit/cramer/asm"
	"github.com/gmmkit/cramer/purego"
)

// asmImpl returns the implementation that runs the assembly of package asm
// of this architecture (AVX2+FMA on amd64 from gen/avx2, NEON on arm64 from
// gen/neon). Both run the purego algorithm operation for operation, several
// lanes at a time. The wrappers check the slice lengths the assembly relies
// on, so a short slice panics exactly as it would in purego. The projection
// kernels read and write exactly the n·l, n·d (n·d·d) and d·l elements that
// purego.ProjectSizes returns; the wrappers slice to those lengths, which
// panics when a slice is shorter. The batch-lane kernels likewise receive
// their slices cut to the k·n and m·n elements they use, and k, m, n.
func asmImpl(name string, priority int, usable func() bool) *Impl {
	return &Impl{
		Name:     name,
		Priority: priority,
		Usable:   usable,

		Erf64: func(dst, x []float64) { asm.Erf64(dst[:len(x):len(dst)], x) },
		ExpNegSquare64: func(dst, x []float64) {
			asm.ExpNegSquare64(dst[:len(x):len(dst)], x)
		},
		PairTerms64: func(h, erf, ex, d, v []float64) {
			n := len(d)
			asm.PairTerms64(h[:n:len(h)], erf[:n:len(erf)], ex[:n:len(ex)], d, v[:n:len(v)])
		},
		CrossRowSums64: func(out, ma, va, wb, mb, vb []float64) {
			k, m := len(ma), len(mb)
			asm.CrossRowSums64(out[:k:len(out)], ma, va[:k:len(va)], wb[:m:len(wb)], mb, vb[:m:len(vb)])
		},
		CrossGrad64: func(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64) {
			k, m := len(ma), len(mb)
			asm.CrossGrad64(rows.H[:k:len(rows.H)], rows.D[:k:len(rows.D)], rows.R[:k:len(rows.R)], cols.H[:m:len(cols.H)], cols.D[:m:len(cols.D)], cols.R[:m:len(cols.R)],
				wa[:k:len(wa)], ma, va[:k:len(va)], wb[:m:len(wb)], mb, vb[:m:len(vb)])
		},
		SelfRowSums64: func(out, m, v, w []float64) {
			n := len(m)
			_ = m[:len(out):len(m)]
			asm.SelfRowSums64(out, m, v[:n:len(v)], w[:n:len(w)])
		},
		SelfGrad64: func(rows, cols GradSums64, m, v, w []float64) {
			n, r := len(m), len(rows.H)
			_ = m[:r:len(m)]
			asm.SelfGrad64(rows.H, rows.D[:r:len(rows.D)], rows.R[:r:len(rows.R)], cols.H[:n:len(cols.H)], cols.D[:n:len(cols.D)], cols.R[:n:len(cols.R)], m, v[:n:len(v)], w[:n:len(w)])
		},
		DiracRowSums64: func(out, ma, va, wx, x []float64) {
			k := len(ma)
			asm.DiracRowSums64(out[:k:len(out)], ma, va[:k:len(va)], wx[:len(x):len(wx)], x)
		},
		DiracGrad64: func(rows, cols GradSums64, wa, ma, va, wx, x []float64) {
			k, n := len(ma), len(x)
			asm.DiracGrad64(rows.H[:k:len(rows.H)], rows.D[:k:len(rows.D)], rows.R[:k:len(rows.R)], cols.H[:n:len(cols.H)], cols.D[:n:len(cols.D)], wa[:k:len(wa)], ma, va[:k:len(va)], wx[:n:len(wx)], x)
		},

		BatchCrossRowSums64: func(out, ma, va, wb, mb, vb []float64, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(mb)/n
				r, c := k*n, m*n
				asm.BatchCrossRowSums64(fit(out, r), ma, fit(va, r), fit(wb, c), mb, fit(vb, c), k, m, n)
			}
		},
		BatchCrossGrad64: func(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(mb)/n
				r, c := k*n, m*n
				asm.BatchCrossGrad64(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, c), fit(cols.D, c), fit(cols.R, c),
					fit(wa, r), ma, fit(va, r), fit(wb, c), mb, fit(vb, c), k, m, n)
			}
		},
		BatchSelfRowSums64: func(out, m, v, w []float64, n int) {
			if n > 0 {
				k := len(m) / n
				r := k * n
				asm.BatchSelfRowSums64(fit(out, r), m, fit(v, r), fit(w, r), k, n)
			}
		},
		BatchSelfGrad64: func(rows, cols GradSums64, m, v, w []float64, n int) {
			if n > 0 {
				k := len(m) / n
				r := k * n
				asm.BatchSelfGrad64(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, r), fit(cols.D, r), fit(cols.R, r), m, fit(v, r), fit(w, r), k, n)
			}
		},
		BatchDiracRowSums64: func(out, ma, va, wx, x []float64, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(x)/n
				r, c := k*n, m*n
				asm.BatchDiracRowSums64(fit(out, r), ma, fit(va, r), fit(wx, c), x, k, m, n)
			}
		},
		BatchDiracGrad64: func(rows, cols GradSums64, wa, ma, va, wx, x []float64, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(x)/n
				r, c := k*n, m*n
				asm.BatchDiracGrad64(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, c), fit(cols.D, c), fit(wa, r), ma, fit(va, r), fit(wx, c), x, k, m, n)
			}
		},

		ProjectMeans64: func(dst, x, thetaT []float64, n, d, l int) {
			nl, nd, dl := purego.ProjectSizes(n, d, l, false)
			asm.ProjectMeans64(dst[:nl:len(dst)], x[:nd:len(x)], thetaT[:dl:len(thetaT)], n, d, l)
		},
		ProjectDiagVars64: func(dst, s2, thetaT []float64, n, d, l int) {
			nl, nd, dl := purego.ProjectSizes(n, d, l, false)
			asm.ProjectDiagVars64(dst[:nl:len(dst)], s2[:nd:len(s2)], thetaT[:dl:len(thetaT)], n, d, l)
		},
		ProjectCholVars64: func(dst, chol, thetaT []float64, n, d, l int) {
			nl, ndd, dl := purego.ProjectSizes(n, d, l, true)
			asm.ProjectCholVars64(dst[:nl:len(dst)], chol[:ndd:len(chol)], thetaT[:dl:len(thetaT)], n, d, l)
		},

		Erf32: func(dst, x []float32) { asm.Erf32(dst[:len(x):len(dst)], x) },
		ExpNegSquare32: func(dst, x []float32) {
			asm.ExpNegSquare32(dst[:len(x):len(dst)], x)
		},
		PairTerms32: func(h, erf, ex, d, v []float32) {
			n := len(d)
			asm.PairTerms32(h[:n:len(h)], erf[:n:len(erf)], ex[:n:len(ex)], d, v[:n:len(v)])
		},
		CrossRowSums32: func(out, ma, va, wb, mb, vb []float32) {
			k, m := len(ma), len(mb)
			asm.CrossRowSums32(out[:k:len(out)], ma, va[:k:len(va)], wb[:m:len(wb)], mb, vb[:m:len(vb)])
		},
		CrossGrad32: func(rows, cols GradSums32, wa, ma, va, wb, mb, vb []float32) {
			k, m := len(ma), len(mb)
			asm.CrossGrad32(rows.H[:k:len(rows.H)], rows.D[:k:len(rows.D)], rows.R[:k:len(rows.R)], cols.H[:m:len(cols.H)], cols.D[:m:len(cols.D)], cols.R[:m:len(cols.R)],
				wa[:k:len(wa)], ma, va[:k:len(va)], wb[:m:len(wb)], mb, vb[:m:len(vb)])
		},
		SelfRowSums32: func(out, m, v, w []float32) {
			n := len(m)
			_ = m[:len(out):len(m)]
			asm.SelfRowSums32(out, m, v[:n:len(v)], w[:n:len(w)])
		},
		SelfGrad32: func(rows, cols GradSums32, m, v, w []float32) {
			n, r := len(m), len(rows.H)
			_ = m[:r:len(m)]
			asm.SelfGrad32(rows.H, rows.D[:r:len(rows.D)], rows.R[:r:len(rows.R)], cols.H[:n:len(cols.H)], cols.D[:n:len(cols.D)], cols.R[:n:len(cols.R)], m, v[:n:len(v)], w[:n:len(w)])
		},
		DiracRowSums32: func(out, ma, va, wx, x []float32) {
			k := len(ma)
			asm.DiracRowSums32(out[:k:len(out)], ma, va[:k:len(va)], wx[:len(x):len(wx)], x)
		},
		DiracGrad32: func(rows, cols GradSums32, wa, ma, va, wx, x []float32) {
			k, n := len(ma), len(x)
			asm.DiracGrad32(rows.H[:k:len(rows.H)], rows.D[:k:len(rows.D)], rows.R[:k:len(rows.R)], cols.H[:n:len(cols.H)], cols.D[:n:len(cols.D)], wa[:k:len(wa)], ma, va[:k:len(va)], wx[:n:len(wx)], x)
		},

		BatchCrossRowSums32: func(out, ma, va, wb, mb, vb []float32, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(mb)/n
				r, c := k*n, m*n
				asm.BatchCrossRowSums32(fit(out, r), ma, fit(va, r), fit(wb, c), mb, fit(vb, c), k, m, n)
			}
		},
		BatchCrossGrad32: func(rows, cols GradSums32, wa, ma, va, wb, mb, vb []float32, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(mb)/n
				r, c := k*n, m*n
				asm.BatchCrossGrad32(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, c), fit(cols.D, c), fit(cols.R, c),
					fit(wa, r), ma, fit(va, r), fit(wb, c), mb, fit(vb, c), k, m, n)
			}
		},
		BatchSelfRowSums32: func(out, m, v, w []float32, n int) {
			if n > 0 {
				k := len(m) / n
				r := k * n
				asm.BatchSelfRowSums32(fit(out, r), m, fit(v, r), fit(w, r), k, n)
			}
		},
		BatchSelfGrad32: func(rows, cols GradSums32, m, v, w []float32, n int) {
			if n > 0 {
				k := len(m) / n
				r := k * n
				asm.BatchSelfGrad32(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, r), fit(cols.D, r), fit(cols.R, r), m, fit(v, r), fit(w, r), k, n)
			}
		},
		BatchDiracRowSums32: func(out, ma, va, wx, x []float32, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(x)/n
				r, c := k*n, m*n
				asm.BatchDiracRowSums32(fit(out, r), ma, fit(va, r), fit(wx, c), x, k, m, n)
			}
		},
		BatchDiracGrad32: func(rows, cols GradSums32, wa, ma, va, wx, x []float32, n int) {
			if n > 0 {
				k, m := len(ma)/n, len(x)/n
				r, c := k*n, m*n
				asm.BatchDiracGrad32(fit(rows.H, r), fit(rows.D, r), fit(rows.R, r), fit(cols.H, c), fit(cols.D, c), fit(wa, r), ma, fit(va, r), fit(wx, c), x, k, m, n)
			}
		},

		ProjectMeans32: func(dst, x, thetaT []float32, n, d, l int) {
			nl, nd, dl := purego.ProjectSizes(n, d, l, false)
			asm.ProjectMeans32(dst[:nl:len(dst)], x[:nd:len(x)], thetaT[:dl:len(thetaT)], n, d, l)
		},
		ProjectDiagVars32: func(dst, s2, thetaT []float32, n, d, l int) {
			nl, nd, dl := purego.ProjectSizes(n, d, l, false)
			asm.ProjectDiagVars32(dst[:nl:len(dst)], s2[:nd:len(s2)], thetaT[:dl:len(thetaT)], n, d, l)
		},
		ProjectCholVars32: func(dst, chol, thetaT []float32, n, d, l int) {
			nl, ndd, dl := purego.ProjectSizes(n, d, l, true)
			asm.ProjectCholVars32(dst[:nl:len(dst)], chol[:ndd:len(chol)], thetaT[:dl:len(thetaT)], n, d, l)
		},
	}
}

// fit returns x[:n], panicking when x is shorter (as purego would).
func fit[T any](x []T, n int) []T { return x[:n:len(x)] }
