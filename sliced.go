package cramer

import (
	"fmt"
	"math"
)

// The arguments of the sliced distance in R^D — mixtures with full,
// diagonal or isotropic covariances, sample sets, their gradients — and
// their validation. Directions are in directions.go, the entry points in
// sliced_api.go.

// MixtureND is a Gaussian mixture in R^Dim: Σᵢ Weights[i]·N(mᵢ, Σᵢ) with
// mᵢ = Means[i·Dim : (i+1)·Dim]. The covariances are given in exactly one of
// three forms:
//
//   - Chol: full covariances as lower-triangular Cholesky factors Lᵢ
//     (Σᵢ = LᵢLᵢᵀ), K·Dim·Dim values, row-major per component; entries above
//     the diagonal must be 0. NewMixtureND builds them from covariance
//     matrices.
//   - DiagStds: diagonal covariances, Dim standard deviations per component
//     (Σᵢ = diag(DiagStds[i·Dim : (i+1)·Dim])²).
//   - IsoStds: isotropic covariances Σᵢ = IsoStds[i]²·I, one std per
//     component.
//
// Zero variances are allowed (degenerate components, point masses).
type MixtureND[F Float] struct {
	Dim      int
	Weights  []F
	Means    []F
	Chol     []F
	DiagStds []F
	IsoStds  []F
}

// SamplesND is a set of points in R^Dim (Values holds N·Dim coordinates,
// row-major) with optional weights (nil means 1/N each).
type SamplesND[F Float] struct {
	Dim     int
	Values  []F
	Weights []F
}

// MixtureNDGrad holds the partial derivatives of a sliced ℓ₂² with respect to
// a MixtureND's parameters, laid out like them: Weights (K), Means (K·Dim),
// and the covariance parameters of the form the mixture uses — Chol (K·Dim·Dim,
// lower triangle; the upper triangle is 0), DiagStds (K·Dim) or IsoStds (K).
type MixtureNDGrad[F Float] struct {
	Weights, Means, Chol, DiagStds, IsoStds []F
}

// SamplesNDGrad holds the derivatives with respect to sample coordinates
// (N·Dim) and weights (N).
type SamplesNDGrad[F Float] struct {
	Values, Weights []F
}

// covKind says which covariance form a MixtureND uses.
type covKind int

const (
	covChol covKind = iota
	covDiag
	covIso
)

func (p MixtureND[F]) kind() covKind {
	switch {
	case p.Chol != nil:
		return covChol
	case p.DiagStds != nil:
		return covDiag
	}
	return covIso
}

// ndLimit is the largest accepted coordinate magnitude in dimension d: a
// projection θᵀx is at most √d times larger, and must stay within
// MaxMagnitude for the univariate computation.
func ndLimit[F Float](d int) float64 { return MaxMagnitude[F]() / math.Sqrt(float64(d)) }

// Validate reports the first invalid parameter, naming the field and index
// (indices are into the flat slices).
func (p MixtureND[F]) Validate() error { return p.validate("mixture") }

func (p MixtureND[F]) validate(arg string) error {
	d := p.Dim
	if d < 1 {
		return &InputError{arg, "dim", -1, fmt.Sprintf("dimension %d, want ≥ 1", d)}
	}
	k := len(p.Weights)
	if k == 0 {
		return &InputError{arg, "weights", -1, "empty mixture"}
	}
	kd, ok := mulSize(k, d)
	if _, ok2 := mulSize(kd, d); !ok || !ok2 {
		return &InputError{arg, "dim", -1, fmt.Sprintf("%d components × dim %d (× dim for full covariances) overflows", k, d)}
	}
	if len(p.Means) != kd {
		return &InputError{arg, "means", -1, fmt.Sprintf("length %d, want %d (%d components × dim %d)", len(p.Means), kd, k, d)}
	}
	forms := 0
	for _, f := range [][]F{p.Chol, p.DiagStds, p.IsoStds} {
		if f != nil {
			forms++
		}
	}
	if forms != 1 {
		return &InputError{arg, "covariance", -1, fmt.Sprintf("give exactly one of chol, diagStds, isoStds (got %d)", forms)}
	}
	if err := checkWeights(arg, p.Weights); err != nil {
		return err
	}
	limit := ndLimit[F](d)
	if err := checkRange(arg, "means", p.Means, limit, false); err != nil {
		return err
	}
	switch p.kind() {
	case covChol:
		if len(p.Chol) != k*d*d {
			return &InputError{arg, "chol", -1, fmt.Sprintf("length %d, want %d (%d components × %d×%d)", len(p.Chol), k*d*d, k, d, d)}
		}
		if err := checkRange(arg, "chol", p.Chol, limit/math.Sqrt(float64(d)), false); err != nil {
			return err
		}
		for i := 0; i < k; i++ {
			for r := 0; r < d; r++ {
				for c := 0; c < d; c++ {
					v := p.Chol[(i*d+r)*d+c]
					if c > r && v != 0 {
						return &InputError{arg, "chol", (i*d+r)*d + c, fmt.Sprintf("component %d entry (%d,%d) is above the diagonal of a lower-triangular factor and must be 0 (got %v)", i, r, c, v)}
					}
					if c == r && v < 0 {
						return &InputError{arg, "chol", (i*d+r)*d + c, fmt.Sprintf("component %d diagonal entry (%d,%d) is negative (%v); a Cholesky factor has a non-negative diagonal", i, r, c, v)}
					}
				}
			}
		}
	case covDiag:
		if len(p.DiagStds) != k*d {
			return &InputError{arg, "diagStds", -1, fmt.Sprintf("length %d, want %d (%d components × dim %d)", len(p.DiagStds), k*d, k, d)}
		}
		if err := checkRange(arg, "diagStds", p.DiagStds, limit, true); err != nil {
			return err
		}
	case covIso:
		if len(p.IsoStds) != k {
			return &InputError{arg, "isoStds", -1, fmt.Sprintf("length %d, want %d (one per component)", len(p.IsoStds), k)}
		}
		if err := checkRange(arg, "isoStds", p.IsoStds, limit, true); err != nil {
			return err
		}
	}
	return nil
}

// pairArgs is the argument check of every sliced entry point: it returns the
// first of errA and errB (the validation of the two distributions, named argA
// and argB), a dimension of b that differs from a's, and, when dirs is not
// nil, an error of the directions in a's dimension.
func pairArgs[F Float](argA string, dimA int, errA error, argB string, dimB int, errB error, dirs *Directions[F]) error {
	if errA != nil {
		return errA
	}
	if errB != nil {
		return errB
	}
	if dimB != dimA {
		return &InputError{argB, "dim", -1, "dimension differs from " + argA + "'s"}
	}
	if dirs != nil {
		return dirs.validate(dimA)
	}
	return nil
}

// Validate reports the first invalid value or weight of the sample set.
func (s SamplesND[F]) Validate() error { return s.validate("samples") }

func (s SamplesND[F]) validate(arg string) error {
	d := s.Dim
	if d < 1 {
		return &InputError{arg, "dim", -1, fmt.Sprintf("dimension %d, want ≥ 1", d)}
	}
	if len(s.Values) == 0 {
		return &InputError{arg, "values", -1, "no samples"}
	}
	if len(s.Values)%d != 0 {
		return &InputError{arg, "values", -1, fmt.Sprintf("length %d is not a multiple of dim %d", len(s.Values), d)}
	}
	n := len(s.Values) / d
	if s.Weights != nil {
		if len(s.Weights) != n {
			return &InputError{arg, "weights", -1, fmt.Sprintf("length %d, want %d (one per sample)", len(s.Weights), n)}
		}
		if err := checkWeights(arg, s.Weights); err != nil {
			return err
		}
	}
	return checkRange(arg, "values", s.Values, ndLimit[F](d), false)
}
