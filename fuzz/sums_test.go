package fuzz

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer/internal/approx"
	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// crossImpl is one implementation's cross kernels in one precision; grad
// returns rows.H of the gradient kernel (cols pre-filled with 1).
type crossImpl[T float] struct {
	name string
	rows func(out, ma, va, wb, mb, vb []T)
	grad func(rowsH []T, wa, ma, va, wb, mb, vb []T)
}

func cross64(name string, rows func(out, ma, va, wb, mb, vb []float64),
	grad func(rows, cols kernels.GradSums64, wa, ma, va, wb, mb, vb []float64)) crossImpl[float64] {
	return crossImpl[float64]{name, rows, func(rh []float64, wa, ma, va, wb, mb, vb []float64) {
		k, m := len(ma), len(mb)
		cols := kernels.GradSums64{H: ones[float64](m), D: ones[float64](m), R: ones[float64](m)}
		grad(kernels.GradSums64{H: rh, D: make([]float64, k), R: make([]float64, k)}, cols, wa, ma, va, wb, mb, vb)
	}}
}

func cross32(name string, rows func(out, ma, va, wb, mb, vb []float32),
	grad func(rows, cols kernels.GradSums32, wa, ma, va, wb, mb, vb []float32)) crossImpl[float32] {
	return crossImpl[float32]{name, rows, func(rh []float32, wa, ma, va, wb, mb, vb []float32) {
		k, m := len(ma), len(mb)
		cols := kernels.GradSums32{H: ones[float32](m), D: ones[float32](m), R: ones[float32](m)}
		grad(kernels.GradSums32{H: rh, D: make([]float32, k), R: make([]float32, k)}, cols, wa, ma, va, wb, mb, vb)
	}}
}

func ones[T float](n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// refRows is the naive reference: out[i] = Σⱼ w[j]·h(ma[i] − mb[j], va[i] + vb[j])
// with the pair terms of purego's PairTerms (d and v formed in T as the
// kernels form them, so each term is bit-identical), summed compensated.
func refRows[T float](pair func(h, e, x, d, v []T), ma, va, wb, mb, vb []T) []acc {
	k, m := len(ma), len(mb)
	d, v := make([]T, k*m), make([]T, k*m)
	for i := 0; i < k; i++ {
		for j := 0; j < m; j++ {
			d[i*m+j], v[i*m+j] = ma[i]-mb[j], va[i]+vb[j]
		}
	}
	h, e, x := make([]T, k*m), make([]T, k*m), make([]T, k*m)
	pair(h, e, x, d, v)
	out := make([]acc, k)
	for i := range out {
		for j := 0; j < m; j++ {
			out[i].add(float64(wb[j]) * float64(h[i*m+j]))
		}
	}
	return out
}

func fuzzCross[T float](t *testing.T, data []byte, scale float64, pair func(h, e, x, d, v []T), ref crossImpl[T], list []crossImpl[T]) {
	wa, ma, va, wb, mb, vb := decodeMix[T](data, scale)
	k, m := len(ma), len(mb)
	want := refRows(pair, ma, va, wb, mb, vb)
	pure := make([]T, k)
	ref.rows(pure, ma, va, wb, mb, vb)
	for _, im := range append([]crossImpl[T]{ref}, list...) {
		out := make([]T, k)
		im.rows(out, ma, va, wb, mb, vb)
		rh := make([]T, k)
		im.grad(rh, wa, ma, va, wb, mb, vb)
		for i := range out {
			tol := want[i].tol(m, eps[T](), tiny[T]())
			switch {
			case !(out[i] >= 0):
				t.Errorf("%s row %d: %v (negative or NaN; the weights are ≥ 0)", im.name, i, out[i])
			case !(math.Abs(float64(out[i])-want[i].sum()) <= tol):
				t.Errorf("%s row %d of %d×%d: %v, reference %v (tolerance %.3g)", im.name, i, k, m, out[i], want[i].sum(), tol)
			case !(math.Abs(float64(out[i]-pure[i])) <= 2*tol):
				t.Errorf("%s row %d of %d×%d: %v, purego %v (tolerance %.3g)", im.name, i, k, m, out[i], pure[i], 2*tol)
			}
			if bits(rh[i]) != bits(out[i]) {
				t.Errorf("%s row %d of %d×%d: CrossGrad rows.H %v differs from CrossRowSums %v", im.name, i, k, m, rh[i], out[i])
			}
		}
	}
}

// mixSeeds are encoded mixtures: k components on side a, then side b.
func mixSeeds() [][]byte {
	return [][]byte{
		seedMix(0),
		seedMix(1, [3]byte{0, 0, 255}, [3]byte{0, 0, 255}),                       // δ₀ vs δ₀: h(0, 0) = 0
		seedMix(1, [3]byte{16, 0, 255}, [3]byte{0x80, 0, 128}, [3]byte{0, 0, 1}), // equal means, zero variances
		seedMix(2, [3]byte{1, 32, 100}, [3]byte{255, 1, 200}, [3]byte{127, 255, 255}, [3]byte{0x81, 0, 7}, [3]byte{0x80, 3, 50}),
		seedMix(9, [3]byte{1, 1, 1}, [3]byte{2, 2, 2}, [3]byte{3, 3, 3}, [3]byte{4, 4, 4}, [3]byte{5, 5, 5}, [3]byte{6, 6, 6},
			[3]byte{7, 7, 7}, [3]byte{8, 8, 8}, [3]byte{9, 9, 9}, [3]byte{10, 0, 10}, [3]byte{0x80, 11, 11}),
		func() []byte { // 3 × 65 with a ramp of means and variances
			comps := make([][3]byte, 3+maxLen)
			for i := range comps {
				comps[i] = [3]byte{byte(i * 37), byte(i * 11), byte(255 - i)}
			}
			return seedMix(3, comps...)
		}(),
	}
}

func FuzzCrossRowSums64(f *testing.F) {
	for _, b := range mixSeeds() {
		for _, s := range []float64{1, 1e-150, 1e150, 3e-8, 12345} {
			f.Add(b, s)
		}
	}
	ref := cross64("purego", purego.CrossRowSums64, purego.CrossGrad64)
	var list []crossImpl[float64]
	for _, im := range others(f) {
		list = append(list, cross64(im.Name, im.CrossRowSums64, im.CrossGrad64))
	}
	f.Fuzz(func(t *testing.T, data []byte, scale float64) {
		fuzzCross(t, data, scale, purego.PairTerms64, ref, list)
	})
}

func FuzzCrossRowSums32(f *testing.F) {
	for _, b := range mixSeeds() {
		for _, s := range []float32{1, 1e-15, 1e15, 3e-8, 12345} {
			f.Add(b, s)
		}
	}
	ref := cross32("purego", purego.CrossRowSums32, purego.CrossGrad32)
	var list []crossImpl[float32]
	for _, im := range others(f) {
		list = append(list, cross32(im.Name, im.CrossRowSums32, im.CrossGrad32))
	}
	f.Fuzz(func(t *testing.T, data []byte, scale float32) {
		fuzzCross(t, data, float64(scale), purego.PairTerms32, ref, list)
	})
}

// FuzzDirac64: side a is a mixture, side b point masses (the variance bytes
// of side b are ignored). Checks DiracRowSums64 and DiracGrad64 against the
// naive reference (rows H, D, R; cols H, D pre-filled with 1), rows.H against
// DiracRowSums64 bit for bit, DiracRowSums64 against CrossRowSums64 with
// vb = 0, and every implementation against purego.
func FuzzDirac64(f *testing.F) {
	for _, b := range mixSeeds() {
		for _, s := range []float64{1, 1e-150, 1e150, 0.001} {
			f.Add(b, s)
		}
	}
	impls := append([]*kernels.Impl{{
		Name:           "purego",
		DiracRowSums64: purego.DiracRowSums64,
		DiracGrad64:    purego.DiracGrad64,
		CrossRowSums64: purego.CrossRowSums64,
	}}, others(f)...)
	f.Fuzz(func(t *testing.T, data []byte, scale float64) {
		wa, ma, va, wx, x, _ := decodeMix[float64](data, scale)
		k, m := len(ma), len(x)
		e, tn := eps[float64](), tiny[float64]()

		// Reference terms.
		d, v := make([]float64, k*m), make([]float64, k*m)
		for i := 0; i < k; i++ {
			for j := 0; j < m; j++ {
				d[i*m+j], v[i*m+j] = ma[i]-x[j], va[i]
			}
		}
		h, er, ex := make([]float64, k*m), make([]float64, k*m), make([]float64, k*m)
		purego.PairTerms64(h, er, ex, d, v)
		r := make([]float64, k*m)
		slack := make([]float64, k*m)
		for p := range r {
			if q := math.Sqrt(2 * v[p]); q != 0 {
				r[p] = approx.TwoOverSqrtPi * ex[p] / q
				slack[p] = 4 * tn / q
				if math.Abs(d[p])/q > approx.ErfZero64*(1-1e-9) {
					slack[p] += r[p] // the kernels take exp(−z²) as 0 beyond the erf grid
				}
			}
		}
		terms := [3][]float64{h, er, r}
		rowRef := make([][3]acc, k)
		rowSlack := make([]float64, k)
		colRef := make([][2]acc, m)
		for j := range colRef {
			colRef[j][0].add(1)
			colRef[j][1].add(1)
		}
		for i := 0; i < k; i++ {
			for j := 0; j < m; j++ {
				p := i*m + j
				for g := 0; g < 3; g++ {
					rowRef[i][g].add(wx[j] * terms[g][p])
				}
				rowSlack[i] += wx[j] * slack[p]
				colRef[j][0].add(wa[i] * h[p])
				colRef[j][1].add(wa[i] * er[p])
			}
		}

		var pure []float64
		for _, im := range impls {
			out := make([]float64, k)
			im.DiracRowSums64(out, ma, va, wx, x)
			crossOut := make([]float64, k)
			im.CrossRowSums64(crossOut, ma, va, wx, x, make([]float64, m))
			rows := kernels.GradSums64{H: make([]float64, k), D: make([]float64, k), R: make([]float64, k)}
			cols := kernels.GradSums64{H: ones[float64](m), D: ones[float64](m)}
			im.DiracGrad64(rows, cols, wa, ma, va, wx, x)
			if pure == nil {
				pure = out
			}
			for i := 0; i < k; i++ {
				tol := rowRef[i][0].tol(m, e, tn)
				if !(math.Abs(out[i]-rowRef[i][0].sum()) <= tol) {
					t.Errorf("%s DiracRowSums64 row %d of %d×%d: %v, reference %v (tolerance %.3g)", im.Name, i, k, m, out[i], rowRef[i][0].sum(), tol)
				}
				if !(math.Abs(out[i]-pure[i]) <= 2*tol) {
					t.Errorf("%s DiracRowSums64 row %d of %d×%d: %v, purego %v", im.Name, i, k, m, out[i], pure[i])
				}
				if !(math.Abs(out[i]-crossOut[i]) <= 2*tol) {
					t.Errorf("%s row %d of %d×%d: DiracRowSums64 %v, CrossRowSums64 with vb = 0: %v", im.Name, i, k, m, out[i], crossOut[i])
				}
				if math.Float64bits(rows.H[i]) != math.Float64bits(out[i]) {
					t.Errorf("%s row %d: DiracGrad64 rows.H %v differs from DiracRowSums64 %v", im.Name, i, rows.H[i], out[i])
				}
				if tol := rowRef[i][1].tol(m, e, tn); !(math.Abs(rows.D[i]-rowRef[i][1].sum()) <= tol) {
					t.Errorf("%s DiracGrad64 rows.D[%d]: %v, reference %v (tolerance %.3g)", im.Name, i, rows.D[i], rowRef[i][1].sum(), tol)
				}
				if tol := rowRef[i][2].tol(m+1, e, tn) + rowSlack[i]; !(rows.R[i] >= 0) || !(math.Abs(rows.R[i]-rowRef[i][2].sum()) <= tol) {
					t.Errorf("%s DiracGrad64 rows.R[%d]: %v, reference %v (tolerance %.3g)", im.Name, i, rows.R[i], rowRef[i][2].sum(), tol)
				}
			}
			for j := 0; j < m; j++ {
				got := [2]float64{cols.H[j], cols.D[j]}
				for g := 0; g < 2; g++ {
					if tol := colRef[j][g].tol(k+1, e, tn); !(math.Abs(got[g]-colRef[j][g].sum()) <= tol) {
						t.Errorf("%s DiracGrad64 cols.%s[%d] (pre-filled with 1): %v, reference %v (tolerance %.3g)",
							im.Name, "HD"[g:g+1], j, got[g], colRef[j][g].sum(), tol)
					}
				}
			}
		}
	})
}
