package cramer

import (
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// NewMixtureND builds a mixture with full covariances from gonum types: means
// is K×D (one row per component) and covs holds K symmetric positive
// definite D×D matrices (*mat.SymDense, or any mat.Matrix that is symmetric
// to 1e-12 relative). Each covariance is factorised (Cholesky) once; a matrix
// that is not symmetric or not positive definite is an error naming its
// index.
func NewMixtureND(weights []float64, means *mat.Dense, covs []mat.Matrix) (MixtureND[float64], error) {
	if means == nil {
		return MixtureND[float64]{}, &InputError{"mixture", "means", -1, "nil matrix"}
	}
	k, d := means.Dims()
	if k == 0 || d == 0 {
		return MixtureND[float64]{}, &InputError{"mixture", "means", -1, fmt.Sprintf("empty %d×%d matrix", k, d)}
	}
	if len(weights) != k {
		return MixtureND[float64]{}, &InputError{"mixture", "weights", -1, fmt.Sprintf("length %d, want %d (rows of means)", len(weights), k)}
	}
	if len(covs) != k {
		return MixtureND[float64]{}, &InputError{"mixture", "covs", -1, fmt.Sprintf("length %d, want %d (rows of means)", len(covs), k)}
	}
	p := MixtureND[float64]{
		Dim:     d,
		Weights: append([]float64(nil), weights...),
		Means:   make([]float64, k*d),
		Chol:    make([]float64, k*d*d),
	}
	for i := 0; i < k; i++ {
		for j := 0; j < d; j++ {
			p.Means[i*d+j] = means.At(i, j)
		}
		if covs[i] == nil || isNilMatrix(covs[i]) {
			return MixtureND[float64]{}, &InputError{"mixture", "covs", i, "nil covariance matrix"}
		}
		l, err := cholesky(covs[i], d)
		if err != nil {
			return MixtureND[float64]{}, &InputError{"mixture", "covs", i, err.Error()}
		}
		copy(p.Chol[i*d*d:], l)
	}
	return p, p.validate("mixture")
}

// cholesky returns the lower-triangular factor of a symmetric positive
// definite d×d matrix, row-major.
func cholesky(a mat.Matrix, d int) ([]float64, error) {
	r, c := a.Dims()
	if r != d || c != d {
		return nil, fmt.Errorf("covariance is %d×%d, want %d×%d", r, c, d, d)
	}
	sym, ok := a.(mat.Symmetric)
	if !ok {
		s := mat.NewSymDense(d, nil)
		for i := 0; i < d; i++ {
			for j := i; j < d; j++ {
				x, y := a.At(i, j), a.At(j, i)
				if math.Abs(x-y) > 1e-12*math.Max(math.Abs(x), math.Abs(y)) {
					return nil, fmt.Errorf("covariance not symmetric: entry (%d,%d) = %v but (%d,%d) = %v", i, j, x, j, i, y)
				}
				s.SetSym(i, j, x)
			}
		}
		sym = s
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if v := sym.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("covariance entry (%d,%d) is not finite (%v)", i, j, v)
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(sym) {
		return nil, fmt.Errorf("covariance not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			out[i*d+j] = l.At(i, j)
		}
	}
	return out, nil
}

// NewSamplesND builds a sample set from an N×D gonum matrix (one sample per
// row) and optional weights.
func NewSamplesND(x *mat.Dense, weights []float64) (SamplesND[float64], error) {
	if x == nil {
		return SamplesND[float64]{}, &InputError{"samples", "values", -1, "nil matrix"}
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return SamplesND[float64]{}, &InputError{"samples", "values", -1, fmt.Sprintf("empty %d×%d matrix", n, d)}
	}
	s := SamplesND[float64]{Dim: d, Values: make([]float64, n*d), Weights: weights}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			s.Values[i*d+j] = x.At(i, j)
		}
	}
	return s, s.validate("samples")
}

// isNilMatrix reports whether m holds a nil pointer (an interface holding a
// typed nil pointer is not == nil).
func isNilMatrix(m mat.Matrix) bool {
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
