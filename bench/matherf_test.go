package bench

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// The "matherf" implementation is the naive scalar baseline:
// every pair term is h(d, s) = s·√(2/π)·exp(−z²) + d·erf(z) evaluated with
// math.Sqrt, a division, math.Exp and math.Erf, one pair at a time, summed in
// a single accumulator. The float32 kernels convert to float64 and back, as
// naive Go code would (the math package has no float32 erf). It is registered
// in this test binary only, with the lowest priority, so it never becomes the
// default; it runs through the same benchmarks as the real implementations.
func init() {
	b64, b32 := naiveBatchImpl()
	kernels.Register(&kernels.Impl{
		Name:     "matherf",
		Priority: -1000,
		Usable:   func() bool { return true },

		Erf64:          naiveErf[float64],
		ExpNegSquare64: naiveExpNegSquare[float64],
		PairTerms64:    naivePairTerms[float64],
		CrossRowSums64: naiveCrossRowSums[float64],
		CrossGrad64: func(rows, cols kernels.GradSums64, wa, ma, va, wb, mb, vb []float64) {
			naiveCrossGrad(rows.H, rows.D, rows.R, cols.H, cols.D, cols.R, wa, ma, va, wb, mb, vb)
		},
		SelfRowSums64: naiveSelfRowSums[float64],
		SelfGrad64: func(rows, cols kernels.GradSums64, m, v, w []float64) {
			naiveSelfGrad(rows.H, rows.D, rows.R, cols.H, cols.D, cols.R, m, v, w)
		},
		DiracRowSums64: naiveDiracRowSums[float64],
		DiracGrad64: func(rows, cols kernels.GradSums64, wa, ma, va, wx, x []float64) {
			naiveDiracGrad(rows.H, rows.D, rows.R, cols.H, cols.D, wa, ma, va, wx, x)
		},
		BatchCrossRowSums64: b64.cross, BatchCrossGrad64: b64.crossGrad,
		BatchSelfRowSums64: b64.self, BatchSelfGrad64: b64.selfGrad,
		BatchDiracRowSums64: b64.dirac, BatchDiracGrad64: b64.diracGrad,
		// The per-pair combination has no naive form of its own: the
		// portable one (no pair terms in it).
		BatchPairValues64: purego.BatchPairValues64, BatchSideGrad64: purego.BatchSideGrad64,

		Erf32:          naiveErf[float32],
		ExpNegSquare32: naiveExpNegSquare[float32],
		PairTerms32:    naivePairTerms[float32],
		CrossRowSums32: naiveCrossRowSums[float32],
		CrossGrad32: func(rows, cols kernels.GradSums32, wa, ma, va, wb, mb, vb []float32) {
			naiveCrossGrad(rows.H, rows.D, rows.R, cols.H, cols.D, cols.R, wa, ma, va, wb, mb, vb)
		},
		SelfRowSums32: naiveSelfRowSums[float32],
		SelfGrad32: func(rows, cols kernels.GradSums32, m, v, w []float32) {
			naiveSelfGrad(rows.H, rows.D, rows.R, cols.H, cols.D, cols.R, m, v, w)
		},
		DiracRowSums32: naiveDiracRowSums[float32],
		DiracGrad32: func(rows, cols kernels.GradSums32, wa, ma, va, wx, x []float32) {
			naiveDiracGrad(rows.H, rows.D, rows.R, cols.H, cols.D, wa, ma, va, wx, x)
		},
		BatchCrossRowSums32: b32.cross, BatchCrossGrad32: b32.crossGrad,
		BatchSelfRowSums32: b32.self, BatchSelfGrad32: b32.selfGrad,
		BatchDiracRowSums32: b32.dirac, BatchDiracGrad32: b32.diracGrad,
		BatchPairValues32: purego.BatchPairValues32, BatchSideGrad32: purego.BatchSideGrad32,
		// The batch front end (checks and layout, no pair terms): the
		// portable one.
		BatchFront64: purego.BatchFront64, BatchFront32: purego.BatchFront32,
	})
}

type float interface{ float32 | float64 }

const sqrt2OverPi = 0.79788456080286535587989211986876373695 // √(2/π)

// naiveH returns h(d, s) for s ≥ 0.
func naiveH(d, s float64) float64 {
	if s == 0 {
		return math.Abs(d)
	}
	z := d / (s * math.Sqrt2)
	return s*sqrt2OverPi*math.Exp(-z*z) + d*math.Erf(z)
}

// naiveGrad returns h(d, s), ∂h/∂d = erf(z) and √(2/π)·exp(−z²)/s (0 when s = 0).
func naiveGrad(d, s float64) (h, erf, r float64) {
	if s == 0 {
		switch {
		case d > 0:
			erf = 1
		case d < 0:
			erf = -1
		}
		return math.Abs(d), erf, 0
	}
	z := d / (s * math.Sqrt2)
	e := sqrt2OverPi * math.Exp(-z*z)
	erf = math.Erf(z)
	return s*e + d*erf, erf, e / s
}

func naiveErf[F float](dst, x []F) {
	for i, v := range x {
		dst[i] = F(math.Erf(float64(v)))
	}
}

func naiveExpNegSquare[F float](dst, x []F) {
	for i, v := range x {
		f := float64(v)
		dst[i] = F(math.Exp(-f * f))
	}
}

func naivePairTerms[F float](h, erf, ex, d, v []F) {
	for i, di := range d {
		f, s := float64(di), math.Sqrt(float64(v[i]))
		h[i] = F(naiveH(f, s))
		if s == 0 {
			erf[i], ex[i] = F(math.Copysign(1, f)), 0
			if f == 0 {
				erf[i], ex[i] = 0, 1
			}
			continue
		}
		z := f / (s * math.Sqrt2)
		erf[i], ex[i] = F(math.Erf(z)), F(math.Exp(-z*z))
	}
}

// naiveCrossRowSums is the baseline cross row sum:
// out[i] = Σⱼ wb[j]·h(ma[i] − mb[j], √(va[i] + vb[j])).
func naiveCrossRowSums[F float](out, ma, va, wb, mb, vb []F) {
	for i, mi := range ma {
		var acc float64
		for j, mj := range mb {
			acc += float64(wb[j]) * naiveH(float64(mi-mj), math.Sqrt(float64(va[i]+vb[j])))
		}
		out[i] = F(acc)
	}
}

func naiveCrossGrad[F float](rh, rd, rr, ch, cd, cr, wa, ma, va, wb, mb, vb []F) {
	for i, mi := range ma {
		var sh, sd, sr float64
		wi := float64(wa[i])
		for j, mj := range mb {
			h, erf, r := naiveGrad(float64(mi-mj), math.Sqrt(float64(va[i]+vb[j])))
			w := float64(wb[j])
			sh += w * h
			sd += w * erf
			sr += w * r
			ch[j] += F(wi * h)
			cd[j] += F(wi * erf)
			cr[j] += F(wi * r)
		}
		rh[i], rd[i], rr[i] = F(sh), F(sd), F(sr)
	}
}

func naiveSelfRowSums[F float](out, m, v, w []F) {
	for i := range out {
		var acc float64
		for j := i + 1; j < len(m); j++ {
			acc += float64(w[j]) * naiveH(float64(m[i]-m[j]), math.Sqrt(float64(v[i]+v[j])))
		}
		out[i] = F(acc)
	}
}

func naiveSelfGrad[F float](rh, rd, rr, ch, cd, cr, m, v, w []F) {
	for i := range rh {
		var sh, sd, sr float64
		wi := float64(w[i])
		for j := i + 1; j < len(m); j++ {
			h, erf, r := naiveGrad(float64(m[i]-m[j]), math.Sqrt(float64(v[i]+v[j])))
			wj := float64(w[j])
			sh += wj * h
			sd += wj * erf
			sr += wj * r
			ch[j] += F(wi * h)
			cd[j] += F(wi * erf)
			cr[j] += F(wi * r)
		}
		rh[i], rd[i], rr[i] = F(sh), F(sd), F(sr)
	}
}

func naiveDiracRowSums[F float](out, ma, va, wx, x []F) {
	for i, mi := range ma {
		s := math.Sqrt(float64(va[i]))
		var acc float64
		for j, xj := range x {
			acc += float64(wx[j]) * naiveH(float64(mi-xj), s)
		}
		out[i] = F(acc)
	}
}

func naiveDiracGrad[F float](rh, rd, rr, ch, cd, wa, ma, va, wx, x []F) {
	for i, mi := range ma {
		s := math.Sqrt(float64(va[i]))
		wi := float64(wa[i])
		var sh, sd, sr float64
		for j, xj := range x {
			h, erf, r := naiveGrad(float64(mi-xj), s)
			w := float64(wx[j])
			sh += w * h
			sd += w * erf
			sr += w * r
			ch[j] += F(wi * h)
			cd[j] += F(wi * erf)
		}
		rh[i], rd[i], rr[i] = F(sh), F(sd), F(sr)
	}
}

// The batch-lane forms (n lane-interleaved mixture pairs, component c of
// pair l at c*n+l; see purego.BatchCrossRowSums64), one lane and one pair at
// a time. vb == nil: the columns are point masses (Dirac); self: the columns
// are the rows and only j > i is summed. Column sums are overwritten.
func naiveBatch[F float](rh, rd, rr, ch, cd, cr, wa, ma, va, wb, mb, vb []F, n int, self bool) {
	if n <= 0 {
		return
	}
	k, m := len(ma)/n, len(mb)/n
	for _, c := range [][]F{ch, cd, cr} {
		clear(c[:min(len(c), m*n)])
	}
	for l := 0; l < n; l++ {
		for i := 0; i < k; i++ {
			mi, vi := float64(ma[i*n+l]), float64(va[i*n+l])
			var wi float64
			if wa != nil {
				wi = float64(wa[i*n+l])
			}
			var sh, sd, sr float64
			j0 := 0
			if self {
				j0 = i + 1
			}
			for j := j0; j < m; j++ {
				v := vi
				if vb != nil {
					v += float64(vb[j*n+l])
				}
				h, erf, r := naiveGrad(mi-float64(mb[j*n+l]), math.Sqrt(v))
				w := float64(wb[j*n+l])
				sh += w * h
				sd += w * erf
				sr += w * r
				if ch != nil {
					ch[j*n+l] += F(wi * h)
					cd[j*n+l] += F(wi * erf)
				}
				if cr != nil {
					cr[j*n+l] += F(wi * r)
				}
			}
			rh[i*n+l] = F(sh)
			if rd != nil {
				rd[i*n+l], rr[i*n+l] = F(sd), F(sr)
			}
		}
	}
}

func naiveBatchImpl() (i64 struct {
	cross     func(out, ma, va, wb, mb, vb []float64, n int)
	crossGrad func(rows, cols kernels.GradSums64, wa, ma, va, wb, mb, vb []float64, n int)
	self      func(out, m, v, w []float64, n int)
	selfGrad  func(rows, cols kernels.GradSums64, m, v, w []float64, n int)
	dirac     func(out, ma, va, wx, x []float64, n int)
	diracGrad func(rows, cols kernels.GradSums64, wa, ma, va, wx, x []float64, n int)
}, i32 struct {
	cross     func(out, ma, va, wb, mb, vb []float32, n int)
	crossGrad func(rows, cols kernels.GradSums32, wa, ma, va, wb, mb, vb []float32, n int)
	self      func(out, m, v, w []float32, n int)
	selfGrad  func(rows, cols kernels.GradSums32, m, v, w []float32, n int)
	dirac     func(out, ma, va, wx, x []float32, n int)
	diracGrad func(rows, cols kernels.GradSums32, wa, ma, va, wx, x []float32, n int)
}) {
	i64.cross = func(out, ma, va, wb, mb, vb []float64, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, ma, va, wb, mb, vb, n, false)
	}
	i64.crossGrad = func(r, c kernels.GradSums64, wa, ma, va, wb, mb, vb []float64, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, c.R, wa, ma, va, wb, mb, vb, n, false)
	}
	i64.self = func(out, m, v, w []float64, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, m, v, w, m, v, n, true)
	}
	i64.selfGrad = func(r, c kernels.GradSums64, m, v, w []float64, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, c.R, w, m, v, w, m, v, n, true)
	}
	i64.dirac = func(out, ma, va, wx, x []float64, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, ma, va, wx, x, nil, n, false)
	}
	i64.diracGrad = func(r, c kernels.GradSums64, wa, ma, va, wx, x []float64, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, nil, wa, ma, va, wx, x, nil, n, false)
	}
	i32.cross = func(out, ma, va, wb, mb, vb []float32, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, ma, va, wb, mb, vb, n, false)
	}
	i32.crossGrad = func(r, c kernels.GradSums32, wa, ma, va, wb, mb, vb []float32, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, c.R, wa, ma, va, wb, mb, vb, n, false)
	}
	i32.self = func(out, m, v, w []float32, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, m, v, w, m, v, n, true)
	}
	i32.selfGrad = func(r, c kernels.GradSums32, m, v, w []float32, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, c.R, w, m, v, w, m, v, n, true)
	}
	i32.dirac = func(out, ma, va, wx, x []float32, n int) {
		naiveBatch(out, nil, nil, nil, nil, nil, nil, ma, va, wx, x, nil, n, false)
	}
	i32.diracGrad = func(r, c kernels.GradSums32, wa, ma, va, wx, x []float32, n int) {
		naiveBatch(r.H, r.D, r.R, c.H, c.D, nil, wa, ma, va, wx, x, nil, n, false)
	}
	return
}
