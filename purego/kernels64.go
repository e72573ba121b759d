package purego

import (
	"math"

	"github.com/gmmkit/cramer/internal/approx"
)

// Erf64 sets dst[i] = erf(x[i]) for i < len(x), by the table-and-Hermite
// algorithm of package approx (within 4 ULP of the exact value; the
// measured maximum is in the README). dst may alias x. It panics if
// len(dst) < len(x) and allocates nothing. A NaN input is not propagated: like
// every argument beyond the clamp it gives ±1 (the public API rejects NaN).
//
//	for i, v := range x { dst[i] = math.Erf(v) }
func Erf64(dst, x []float64) {
	dst = dst[:len(x):len(dst)]
	for i, v := range x {
		r, _ := erfExpPos64(clamp64(math.Abs(v), approx.ExpClamp64))
		dst[i] = math.Copysign(r, v)
	}
}

// ExpNegSquare64 sets dst[i] = exp(−x[i]²) for i < len(x), with x² split
// exactly so that the result is within 2 ULP of exp(−x²) for the binary x,
// subnormal results included. dst may alias x; it panics if
// len(dst) < len(x); nothing is allocated. A NaN input gives 0, like every
// argument beyond the clamp (the public API rejects NaN).
//
//	for i, v := range x { dst[i] = math.Exp(-v * v) }
func ExpNegSquare64(dst, x []float64) {
	dst = dst[:len(x):len(dst)]
	for i, v := range x {
		dst[i] = expNegSquare64(clamp64(math.Abs(v), approx.ExpClamp64), approx.Exp64Table)
	}
}

// PairTerms64 evaluates, for i < len(d), the folded-normal mean and its
// derivatives at the difference d[i] and variance v[i] (s = √v[i], z = d/(s√2)):
//
//	h[i]   = s·√(2/π)·exp(−z²) + d·erf(z)   (h(d, 0) = |d|, h(0, 0) = 0)
//	erf[i] = erf(z)                         (= ∂h/∂d; 0 when d = 0)
//	ex[i]  = exp(−z²)                       (∂h/∂s = √(2/π)·ex[i])
//
// v[i] must be ≥ 0 and 2·v[i] finite, d[i] finite (a NaN d gives h = NaN but
// erf = ±1 and ex = 0). Outputs may alias inputs. All slices must have length
// ≥ len(d) (else it panics); nothing is allocated.
func PairTerms64(h, erf, ex, d, v []float64) {
	n := len(d)
	h, erf, ex, v = h[:n:len(h)], erf[:n:len(erf)], ex[:n:len(ex)], v[:n:len(v)]
	for i, di := range d {
		q, rq := scale64(v[i])
		ad := math.Abs(di)
		t := reduce64(ad, rq)
		r, e2 := erfExpPos64(t)
		h[i] = math.FMA(ad, r, (q*approx.Half)*e2)
		erf[i] = math.Copysign(r, di)
		ex[i] = expNegSquare64(t, approx.Exp64Table)
	}
}

// CrossRowSums64 sets, for every row i < len(ma),
//
//	out[i] = Σⱼ wb[j]·h(ma[i] − mb[j], √(va[i] + vb[j]))
//
// (the cross pair sum of two mixtures is Σᵢ wa[i]·out[i]). Variances must be
// ≥ 0. Each row is summed in four interleaved partial sums. out may not alias
// the inputs; nothing is allocated.
func CrossRowSums64(out, ma, va, wb, mb, vb []float64) {
	out, va = out[:len(ma):len(out)], va[:len(ma):len(va)]
	vb, wb = vb[:len(mb):len(vb)], wb[:len(mb):len(wb)]
	for i, mi := range ma {
		vi := va[i]
		var acc [4]float64
		for j, mj := range mb {
			q, rq := scale64(vi + vb[j])
			acc[j&3] += wb[j] * pairTerm64(math.Abs(mi-mj), q, rq)
		}
		out[i] = sumLanes64(&acc)
	}
}

// GradSums64 holds per-component sums over the other side's components j
// (weights w[j]) of the pair terms and their derivatives:
//
//	H[i] = Σⱼ w[j]·hᵢⱼ          (∂/∂weight)
//	D[i] = Σⱼ w[j]·erf(zᵢⱼ)     (∂/∂mean; zᵢⱼ has the sign of the row mean minus the column mean)
//	R[i] = Σⱼ w[j]·√(2/π)·exp(−zᵢⱼ²)/sᵢⱼ   (times σᵢ: ∂/∂std; pairs with s = 0 count 0)
//
// Pairs with |zᵢⱼ| > approx.ErfZero64 count 0 in R too (exp(−z²) is taken
// as 0 beyond the erf grid; package approx).
type GradSums64 struct{ H, D, R []float64 }

// CrossGrad64 sets rows.H/D/R[i] for i < len(ma) to the sums of GradSums64
// over the columns j < len(mb) weighted by wb, and adds to cols.H/D/R[j] the
// sums over the rows weighted by wa (with the same sign convention for D:
// zᵢⱼ ∝ ma[i] − mb[j]). It returns nothing; the cross sum is Σᵢ wa[i]·rows.H[i].
// Nothing is allocated.
func CrossGrad64(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64) {
	va, wa = va[:len(ma):len(va)], wa[:len(ma):len(wa)]
	rh, rd, rr := rows.H[:len(ma):len(rows.H)], rows.D[:len(ma):len(rows.D)], rows.R[:len(ma):len(rows.R)]
	vb, wb = vb[:len(mb):len(vb)], wb[:len(mb):len(wb)]
	ch, cd, cr := cols.H[:len(mb):len(cols.H)], cols.D[:len(mb):len(cols.D)], cols.R[:len(mb):len(cols.R)]
	for i, mi := range ma {
		vi, wi := va[i], wa[i]
		var sh, sd, sr [4]float64
		for j, mj := range mb {
			q, rq := scale64(vi + vb[j])
			h, serf, e2rq := pairGrad64(mi-mj, q, rq)
			w := wb[j]
			sh[j&3] += w * h
			sd[j&3] += w * serf
			sr[j&3] += w * e2rq
			ch[j] += wi * h
			cd[j] += wi * serf
			cr[j] += wi * e2rq
		}
		rh[i], rd[i], rr[i] = sumLanes64(&sh), sumLanes64(&sd), sumLanes64(&sr)
	}
}

// SelfRowSums64 sets, for the first len(out) rows of the upper triangle of a
// mixture's pair matrix (len(out) ≤ len(m)),
//
//	out[i] = Σ_{i<j<len(m)} w[j]·h(m[i] − m[j], √(v[i] + v[j]))
//
// The self sum of the mixture is Σᵢ w[i]²·2σᵢ/√π + 2·Σᵢ w[i]·out[i]. Rows may
// be split into blocks by passing m[lo:], v[lo:], w[lo:] and out[lo:hi].
// Nothing is allocated.
func SelfRowSums64(out, m, v, w []float64) {
	v, w = v[:len(m):len(v)], w[:len(m):len(w)]
	for i := range out {
		mi, vi := m[i], v[i]
		var acc [4]float64
		for j := i + 1; j < len(m); j++ {
			q, rq := scale64(vi + v[j])
			acc[j&3] += w[j] * pairTerm64(math.Abs(mi-m[j]), q, rq)
		}
		out[i] = sumLanes64(&acc)
	}
}

// SelfGrad64 is the gradient form of SelfRowSums64: for the first len(rows.H)
// rows i it sets rows.H/D/R[i] to the GradSums64 sums over j > i, and adds to
// cols.H/D/R[j] (j < len(m)) the sums over i < j, i < len(rows.H), weighted by
// w[i] (D with zᵢⱼ ∝ m[i] − m[j]). Nothing is allocated.
func SelfGrad64(rows, cols GradSums64, m, v, w []float64) {
	v, w = v[:len(m):len(v)], w[:len(m):len(w)]
	ch, cd, cr := cols.H[:len(m):len(cols.H)], cols.D[:len(m):len(cols.D)], cols.R[:len(m):len(cols.R)]
	for i := range rows.H {
		mi, vi, wi := m[i], v[i], w[i]
		var sh, sd, sr [4]float64
		for j := i + 1; j < len(m); j++ {
			q, rq := scale64(vi + v[j])
			h, serf, e2rq := pairGrad64(mi-m[j], q, rq)
			wj := w[j]
			sh[j&3] += wj * h
			sd[j&3] += wj * serf
			sr[j&3] += wj * e2rq
			ch[j] += wi * h
			cd[j] += wi * serf
			cr[j] += wi * e2rq
		}
		rows.H[i], rows.D[i], rows.R[i] = sumLanes64(&sh), sumLanes64(&sd), sumLanes64(&sr)
	}
}

// DiracRowSums64 is CrossRowSums64 against point masses: for i < len(ma),
//
//	out[i] = Σⱼ wx[j]·h(ma[i] − x[j], √va[i])
//
// The scale √(2·va[i]) and its reciprocal are computed once per row, so the
// pair term needs no square root or division; the result equals
// CrossRowSums64 with vb = 0 term by term. Nothing is allocated.
func DiracRowSums64(out, ma, va, wx, x []float64) {
	out, va, wx = out[:len(ma):len(out)], va[:len(ma):len(va)], wx[:len(x):len(wx)]
	for i, mi := range ma {
		q, rq := scale64(va[i])
		var acc [4]float64
		for j, xj := range x {
			acc[j&3] += wx[j] * pairTerm64(math.Abs(mi-xj), q, rq)
		}
		out[i] = sumLanes64(&acc)
	}
}

// DiracGrad64 is the gradient form of DiracRowSums64: rows.H/D/R[i] as in
// GradSums64 over the points weighted by wx, and it adds to cols.H[j] and
// cols.D[j] the sums over the components weighted by wa (cols.R is not used
// and may be nil). Nothing is allocated.
func DiracGrad64(rows, cols GradSums64, wa, ma, va, wx, x []float64) {
	va, wa = va[:len(ma):len(va)], wa[:len(ma):len(wa)]
	rh, rd, rr := rows.H[:len(ma):len(rows.H)], rows.D[:len(ma):len(rows.D)], rows.R[:len(ma):len(rows.R)]
	wx = wx[:len(x):len(wx)]
	ch, cd := cols.H[:len(x):len(cols.H)], cols.D[:len(x):len(cols.D)]
	for i, mi := range ma {
		q, rq := scale64(va[i])
		wi := wa[i]
		var sh, sd, sr [4]float64
		for j, xj := range x {
			h, serf, e2rq := pairGrad64(mi-xj, q, rq)
			w := wx[j]
			sh[j&3] += w * h
			sd[j&3] += w * serf
			sr[j&3] += w * e2rq
			ch[j] += wi * h
			cd[j] += wi * serf
		}
		rh[i], rd[i], rr[i] = sumLanes64(&sh), sumLanes64(&sd), sumLanes64(&sr)
	}
}

// sumLanes64 combines four interleaved partial sums in a fixed order.
func sumLanes64(a *[4]float64) float64 { return (a[0] + a[1]) + (a[2] + a[3]) }

// Projection kernels of the sliced distance. A set of l directions θ₀ …
// θ_{l−1} in R^d (unit vectors for the distance; the kernels do not require
// it) is passed as thetaT, the d×l row-major transpose of the l×d direction
// matrix theta: thetaT[j*l+k] = θₖ[j] = theta[k*d+j]. For a fixed coordinate
// j the directions are then contiguous, and the vector implementations
// process several directions at once with the coordinate broadcast. Results
// are n×l row-major: dst[i*l+k] belongs to row i and direction k. Every
// element is a sum over the coordinates in ascending order with one fused
// multiply-add per term (fma(a, b, c) = a·b + c rounded once to the kernel's
// precision), starting from +0. The loops in the doc comments are the exact
// definitions: every implementation returns their results bit for bit.
//
// n, d and l must be ≥ 0 and every slice at least as long as stated, else the
// kernel panics (see ProjectSizes); elements past those lengths are neither
// read nor written. dst must not overlap the inputs. Nothing is allocated.

// ProjectMeans64 projects n points (or mixture means) of dimension d, the
// rows of the n×d row-major x, onto l directions: dst[i*l+k] = θₖᵀxᵢ, exactly
//
//	for i := 0; i < n; i++ {
//		for k := 0; k < l; k++ {
//			var acc float64
//			for j := 0; j < d; j++ {
//				acc = fma(x[i*d+j], thetaT[j*l+k], acc)
//			}
//			dst[i*l+k] = acc
//		}
//	}
//
// len(dst) ≥ n·l, len(x) ≥ n·d, len(thetaT) ≥ d·l.
func ProjectMeans64(dst, x, thetaT []float64, n, d, l int) {
	nl, nd, dl := ProjectSizes(n, d, l, false)
	dst, x, thetaT = dst[:nl:len(dst)], x[:nd:len(x)], thetaT[:dl:len(thetaT)]
	for i := 0; i < n; i++ {
		row := dst[i*l : i*l+l]
		clear(row)
		for j, xj := range x[i*d : i*d+d] {
			t := thetaT[j*l : j*l+l]
			t = t[:len(row)]
			for k, tk := range t {
				row[k] = math.FMA(xj, tk, row[k])
			}
		}
	}
}

// ProjectDiagVars64 projects n diagonal covariances, the rows of the n×d
// row-major s2 (variances), onto l directions: dst[i*l+k] = θₖᵀ diag(s2ᵢ) θₖ
// = Σⱼ s2[i*d+j]·θₖ[j]², with the square rounded first, exactly
//
//	for i := 0; i < n; i++ {
//		for k := 0; k < l; k++ {
//			var acc float64
//			for j := 0; j < d; j++ {
//				t := thetaT[j*l+k]
//				acc = fma(s2[i*d+j], t*t, acc)
//			}
//			dst[i*l+k] = acc
//		}
//	}
//
// len(dst) ≥ n·l, len(s2) ≥ n·d, len(thetaT) ≥ d·l.
func ProjectDiagVars64(dst, s2, thetaT []float64, n, d, l int) {
	nl, nd, dl := ProjectSizes(n, d, l, false)
	dst, s2, thetaT = dst[:nl:len(dst)], s2[:nd:len(s2)], thetaT[:dl:len(thetaT)]
	for i := 0; i < n; i++ {
		row := dst[i*l : i*l+l]
		clear(row)
		for j, sj := range s2[i*d : i*d+d] {
			t := thetaT[j*l : j*l+l]
			t = t[:len(row)]
			for k, tk := range t {
				row[k] = math.FMA(sj, float64(tk*tk), row[k])
			}
		}
	}
}

// ProjectCholVars64 projects n covariances Σᵢ = LᵢLᵢᵀ given by their
// lower-triangular Cholesky factors onto l directions:
// dst[i*l+k] = θₖᵀΣᵢθₖ = ‖Lᵢᵀθₖ‖² = Σ_c (Σ_{r≥c} Lᵢ[r][c]·θₖ[r])². The factors
// are d×d row-major, one after another: Lᵢ[r][c] = chol[i*d*d+r*d+c]; the
// entries above the diagonal are never read. Exactly
//
//	for i := 0; i < n; i++ {
//		for k := 0; k < l; k++ {
//			var v float64
//			for c := 0; c < d; c++ {
//				var u float64
//				for r := c; r < d; r++ {
//					u = fma(chol[i*d*d+r*d+c], thetaT[r*l+k], u)
//				}
//				v = fma(u, u, v)
//			}
//			dst[i*l+k] = v
//		}
//	}
//
// len(dst) ≥ n·l, len(chol) ≥ n·d·d, len(thetaT) ≥ d·l.
func ProjectCholVars64(dst, chol, thetaT []float64, n, d, l int) {
	nl, ndd, dl := ProjectSizes(n, d, l, true)
	dst, chol, thetaT = dst[:nl:len(dst)], chol[:ndd:len(chol)], thetaT[:dl:len(thetaT)]
	for i := 0; i < n; i++ {
		li := chol[i*d*d : (i+1)*d*d]
		row := dst[i*l : i*l+l]
		for k := range row {
			var v float64
			for c := 0; c < d; c++ {
				var u float64
				for r := c; r < d; r++ {
					u = math.FMA(li[r*d+c], thetaT[r*l+k], u)
				}
				v = math.FMA(u, u, v)
			}
			row[k] = v
		}
	}
}
