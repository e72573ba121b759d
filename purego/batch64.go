package purego

import "math"

// Batch-lane kernels. They evaluate the cross, self and Dirac sums of n
// independent mixture pairs at once (a batch), with the batch in the SIMD
// lanes of the vector implementations: the inputs are lane-interleaved,
// component c of mixture pair l (l < n) at x[c*n+l], so that one vector load
// reads component c of several consecutive pairs. The number of components is
// the length of a slice divided by n (k = len(ma)/n rows, m = len(mb)/n
// columns); the loops over the K×M component pairs (or the K(K−1)/2 self
// pairs) run once per lane block whatever K and M are. n ≤ 0 does nothing.
//
// Every sum of a lane is accumulated over the components in ascending order
// with one fused multiply-add per term, starting from +0 (acc = fma(w, h,
// acc)), and every pair term is the one of the row kernels (pairTerm64,
// pairGrad64), so every implementation returns these results bit for bit,
// whatever its number of lanes. Slices shorter than stated panic; elements
// past the stated lengths are neither read nor written. Outputs must not
// overlap inputs. Nothing is allocated.

// BatchCrossRowSums64 sets, for every lane l < n and row i < k = len(ma)/n,
//
//	out[i*n+l] = Σⱼ wb[j*n+l]·h(ma[i*n+l] − mb[j*n+l], √(va[i*n+l] + vb[j*n+l]))
//
// over j < m = len(mb)/n: the cross row sums of mixture pair l (its cross sum
// is Σᵢ wa[i*n+l]·out[i*n+l]). len(out), len(va) ≥ k·n; len(wb), len(vb) ≥ m·n.
func BatchCrossRowSums64(out, ma, va, wb, mb, vb []float64, n int) {
	if n <= 0 {
		return
	}
	k, m := len(ma)/n, len(mb)/n
	out, ma, va = out[:k*n:len(out)], ma[:k*n], va[:k*n:len(va)]
	wb, mb, vb = wb[:m*n:len(wb)], mb[:m*n], vb[:m*n:len(vb)]
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi, vi := ma[i], va[i]
			var acc float64
			for j := l; j < m*n; j += n {
				q, rq := scale64(vi + vb[j])
				acc = math.FMA(wb[j], pairTerm64(math.Abs(mi-mb[j]), q, rq), acc)
			}
			out[i] = acc
		}
	}
}

// BatchSelfRowSums64 sets, for every lane l < n and row i < k = len(m)/n, the
// upper-triangle row sums of mixture l
//
//	out[i*n+l] = Σ_{i<j<k} w[j*n+l]·h(m[i*n+l] − m[j*n+l], √(v[i*n+l] + v[j*n+l]))
//
// (row k−1 is 0). The self sum of mixture l is
// Σᵢ w[i*n+l]²·2σᵢ/√π + 2·Σᵢ w[i*n+l]·out[i*n+l]. len(out), len(v), len(w) ≥ k·n.
func BatchSelfRowSums64(out, m, v, w []float64, n int) {
	if n <= 0 {
		return
	}
	k := len(m) / n
	out, m, v, w = out[:k*n:len(out)], m[:k*n], v[:k*n:len(v)], w[:k*n:len(w)]
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi, vi := m[i], v[i]
			var acc float64
			for j := i + n; j < k*n; j += n {
				q, rq := scale64(vi + v[j])
				acc = math.FMA(w[j], pairTerm64(math.Abs(mi-m[j]), q, rq), acc)
			}
			out[i] = acc
		}
	}
}

// BatchDiracRowSums64 is BatchCrossRowSums64 against point masses: for every
// lane l < n and row i < k = len(ma)/n,
//
//	out[i*n+l] = Σⱼ wx[j*n+l]·h(ma[i*n+l] − x[j*n+l], √va[i*n+l])
//
// over j < m = len(x)/n (m = 1: the scalar target of a mixture density
// network). The scale is computed once per row and lane; the result equals
// BatchCrossRowSums64 with vb = 0 term by term. len(out), len(va) ≥ k·n,
// len(wx) ≥ m·n.
func BatchDiracRowSums64(out, ma, va, wx, x []float64, n int) {
	if n <= 0 {
		return
	}
	k, m := len(ma)/n, len(x)/n
	out, ma, va = out[:k*n:len(out)], ma[:k*n], va[:k*n:len(va)]
	wx, x = wx[:m*n:len(wx)], x[:m*n]
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi := ma[i]
			q, rq := scale64(va[i])
			var acc float64
			for j := l; j < m*n; j += n {
				acc = math.FMA(wx[j], pairTerm64(math.Abs(mi-x[j]), q, rq), acc)
			}
			out[i] = acc
		}
	}
}

// BatchCrossGrad64 is the gradient form of BatchCrossRowSums64: for every
// lane l < n it sets rows.H/D/R[i*n+l] (i < k) to the GradSums64 sums of row
// i over the columns j < m weighted by wb[j*n+l], and cols.H/D/R[j*n+l]
// (j < m) to the sums of column j over the rows weighted by wa[i*n+l] (both
// overwritten; D with zᵢⱼ ∝ ma[i*n+l] − mb[j*n+l]). Row and column sums are
// accumulated in ascending order of the other index. All row slices need
// k·n elements and all column slices m·n.
func BatchCrossGrad64(rows, cols GradSums64, wa, ma, va, wb, mb, vb []float64, n int) {
	if n <= 0 {
		return
	}
	k, m := len(ma)/n, len(mb)/n
	wa, ma, va = wa[:k*n:len(wa)], ma[:k*n], va[:k*n:len(va)]
	rh, rd, rr := rows.H[:k*n:len(rows.H)], rows.D[:k*n:len(rows.D)], rows.R[:k*n:len(rows.R)]
	wb, mb, vb = wb[:m*n:len(wb)], mb[:m*n], vb[:m*n:len(vb)]
	ch, cd, cr := cols.H[:m*n:len(cols.H)], cols.D[:m*n:len(cols.D)], cols.R[:m*n:len(cols.R)]
	clear(ch)
	clear(cd)
	clear(cr)
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi, vi, wi := ma[i], va[i], wa[i]
			var sh, sd, sr float64
			for j := l; j < m*n; j += n {
				q, rq := scale64(vi + vb[j])
				h, serf, e2rq := pairGrad64(mi-mb[j], q, rq)
				w := wb[j]
				sh = math.FMA(w, h, sh)
				sd = math.FMA(w, serf, sd)
				sr = math.FMA(w, e2rq, sr)
				ch[j] = math.FMA(wi, h, ch[j])
				cd[j] = math.FMA(wi, serf, cd[j])
				cr[j] = math.FMA(wi, e2rq, cr[j])
			}
			rh[i], rd[i], rr[i] = sh, sd, sr
		}
	}
}

// BatchSelfGrad64 is the gradient form of BatchSelfRowSums64: for every lane
// l < n and i < k = len(m)/n it sets rows.H/D/R[i*n+l] to the GradSums64 sums
// over j > i and cols.H/D/R[i*n+l] to the sums over j < i weighted by
// w[j*n+l] (D with zⱼᵢ ∝ m[j*n+l] − m[i*n+l]; both overwritten, column 0
// and row k−1 are 0). All slices need k·n elements.
func BatchSelfGrad64(rows, cols GradSums64, m, v, w []float64, n int) {
	if n <= 0 {
		return
	}
	k := len(m) / n
	m, v, w = m[:k*n], v[:k*n:len(v)], w[:k*n:len(w)]
	rh, rd, rr := rows.H[:k*n:len(rows.H)], rows.D[:k*n:len(rows.D)], rows.R[:k*n:len(rows.R)]
	ch, cd, cr := cols.H[:k*n:len(cols.H)], cols.D[:k*n:len(cols.D)], cols.R[:k*n:len(cols.R)]
	clear(ch)
	clear(cd)
	clear(cr)
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi, vi, wi := m[i], v[i], w[i]
			var sh, sd, sr float64
			for j := i + n; j < k*n; j += n {
				q, rq := scale64(vi + v[j])
				h, serf, e2rq := pairGrad64(mi-m[j], q, rq)
				wj := w[j]
				sh = math.FMA(wj, h, sh)
				sd = math.FMA(wj, serf, sd)
				sr = math.FMA(wj, e2rq, sr)
				ch[j] = math.FMA(wi, h, ch[j])
				cd[j] = math.FMA(wi, serf, cd[j])
				cr[j] = math.FMA(wi, e2rq, cr[j])
			}
			rh[i], rd[i], rr[i] = sh, sd, sr
		}
	}
}

// BatchDiracGrad64 is the gradient form of BatchDiracRowSums64: rows.H/D/R
// as in BatchCrossGrad64 over the points weighted by wx, and cols.H/D[j*n+l]
// the sums over the components weighted by wa (overwritten; cols.R is not
// used and may be nil). Row slices need k·n elements, column slices m·n.
func BatchDiracGrad64(rows, cols GradSums64, wa, ma, va, wx, x []float64, n int) {
	if n <= 0 {
		return
	}
	k, m := len(ma)/n, len(x)/n
	wa, ma, va = wa[:k*n:len(wa)], ma[:k*n], va[:k*n:len(va)]
	rh, rd, rr := rows.H[:k*n:len(rows.H)], rows.D[:k*n:len(rows.D)], rows.R[:k*n:len(rows.R)]
	wx, x = wx[:m*n:len(wx)], x[:m*n]
	ch, cd := cols.H[:m*n:len(cols.H)], cols.D[:m*n:len(cols.D)]
	clear(ch)
	clear(cd)
	for l := 0; l < n; l++ {
		for i := l; i < k*n; i += n {
			mi, wi := ma[i], wa[i]
			q, rq := scale64(va[i])
			var sh, sd, sr float64
			for j := l; j < m*n; j += n {
				h, serf, e2rq := pairGrad64(mi-x[j], q, rq)
				w := wx[j]
				sh = math.FMA(w, h, sh)
				sd = math.FMA(w, serf, sd)
				sr = math.FMA(w, e2rq, sr)
				ch[j] = math.FMA(wi, h, ch[j])
				cd[j] = math.FMA(wi, serf, cd[j])
			}
			rh[i], rd[i], rr[i] = sh, sd, sr
		}
	}
}
