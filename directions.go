package cramer

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Directions is a set of L unit vectors in R^Dim, row-major in Theta
// (L·Dim values); each norm must be 1 within DirectionTolerance (build
// directions with NewDirections, which normalises, or the generators below).
// The sliced distance averages the univariate ℓ₂² of the projections on
// them:
//
//	SC₂²(P, Q) ≈ (1/L) Σₗ ℓ₂²(θₗ#P, θₗ#Q),   SC₂ = √SC₂²,
//
// an unbiased estimate of E_θ ℓ₂²(θ#P, θ#Q), θ uniform on the sphere, when
// the directions are uniform (RandomDirections) or uniformly rotated
// orthonormal blocks (OrthogonalDirections, lower variance).
type Directions[F Float] struct {
	Dim   int
	Theta []F
}

// Len returns the number of directions.
func (t Directions[F]) Len() int {
	if t.Dim == 0 {
		return 0
	}
	return len(t.Theta) / t.Dim
}

// RandomDirections returns l directions drawn independently and uniformly on
// the unit sphere of R^dim (normalised Gaussian vectors) from the seed; the
// same seed gives the same directions on every platform. For dim < 1, l < 1
// or l·dim beyond 2³⁴ it returns an empty set, which the distance functions
// reject with an *InputError.
func RandomDirections[F Float](dim, l int, seed uint64) Directions[F] {
	if _, ok := mulSize(l, dim); dim < 1 || l < 1 || !ok {
		return Directions[F]{Dim: dim}
	}
	theta := make([]F, l*dim)
	// Cannot fail: dim ≥ 1, len(theta) = l·dim, r is not nil.
	_ = FillRandomDirections(theta, dim, rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)))
	return Directions[F]{Dim: dim, Theta: theta}
}

// FillRandomDirections overwrites theta, of length a multiple of dim, with
// len(theta)/dim directions drawn independently and uniformly on the unit
// sphere of R^dim from r: each is a vector of r.NormFloat64 draws divided by
// its norm (computed in float64; a vector of norm below 1e-150 is drawn
// again). It allocates nothing, so a training loop can draw fresh directions
// every step into the same slice and pass Directions[F]{Dim: dim, Theta:
// theta}. RandomDirections(dim, l, seed) is FillRandomDirections on a new
// slice with r seeded from seed. It returns an *InputError, and leaves theta
// untouched, if dim < 1, len(theta) is not a multiple of dim, or r is nil.
func FillRandomDirections[F Float](theta []F, dim int, r *rand.Rand) error {
	switch {
	case dim < 1:
		return &InputError{"directions", "dim", -1, fmt.Sprintf("dimension %d, want ≥ 1", dim)}
	case len(theta)%dim != 0:
		return &InputError{"directions", "theta", -1, fmt.Sprintf("length %d is not a multiple of dim %d", len(theta), dim)}
	case r == nil:
		return &InputError{"directions", "r", -1, "nil random source"}
	}
	for k := 0; k < len(theta); k += dim {
		v := theta[k : k+dim]
		for {
			var s float64
			for j := range v {
				x := r.NormFloat64()
				v[j] = F(x)
				s += x * x
			}
			if s > 1e-300 {
				n := 1 / math.Sqrt(s)
				for j := range v {
					v[j] = F(float64(v[j]) * n)
				}
				break
			}
		}
	}
	return nil
}

// OrthogonalDirections returns l directions in blocks of dim mutually
// orthogonal unit vectors, each block a uniformly random rotation of the
// coordinate axes (Gram–Schmidt on Gaussian vectors). Each direction is
// uniform on the sphere; within a block they are negatively correlated in
// their errors, which lowers the variance of the sliced estimate. For dim < 1,
// l < 1, or l·dim or dim² beyond 2³⁴ it returns an empty set (rejected when
// used).
func OrthogonalDirections[F Float](dim, l int, seed uint64) Directions[F] {
	_, ok1 := mulSize(l, dim)
	_, ok2 := mulSize(dim, dim)
	if dim < 1 || l < 1 || !ok1 || !ok2 {
		return Directions[F]{Dim: dim}
	}
	r := rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc909))
	theta := make([]F, l*dim)
	block := make([]float64, dim*dim)
	for k := 0; k < l; k++ {
		b := k % dim
		if b == 0 {
			orthonormalBlock(r, block, dim)
		}
		for j := 0; j < dim; j++ {
			theta[k*dim+j] = F(block[b*dim+j])
		}
	}
	return Directions[F]{Dim: dim, Theta: theta}
}

// orthonormalBlock fills q (dim×dim, rows) with a Haar-random orthonormal
// basis: Gram–Schmidt (twice, for orthogonality to rounding) on Gaussian rows.
func orthonormalBlock(r *rand.Rand, q []float64, dim int) {
	for i := 0; i < dim; i++ {
		row := q[i*dim : (i+1)*dim]
		for {
			for j := range row {
				row[j] = r.NormFloat64()
			}
			for pass := 0; pass < 2; pass++ {
				for p := 0; p < i; p++ {
					prev := q[p*dim : (p+1)*dim]
					var dp float64
					for j := range row {
						dp += row[j] * prev[j]
					}
					for j := range row {
						row[j] -= dp * prev[j]
					}
				}
			}
			var s float64
			for _, x := range row {
				s += x * x
			}
			if s > 1e-20 {
				n := 1 / math.Sqrt(s)
				for j := range row {
					row[j] *= n
				}
				break
			}
		}
	}
}

// NewDirections checks user-supplied directions (l·dim values, row-major)
// and returns them normalised to unit length. The norms are computed with
// scaling (a power of two, exact), so any finite nonzero vector works, from
// (1e-300, 0) to (1e300, 1e300). A zero, NaN or infinite vector is an error
// naming its index.
func NewDirections[F Float](dim int, theta []F) (Directions[F], error) {
	if dim < 1 {
		return Directions[F]{}, &InputError{"directions", "dim", -1, fmt.Sprintf("dimension %d, want ≥ 1", dim)}
	}
	if len(theta) == 0 || len(theta)%dim != 0 {
		return Directions[F]{}, &InputError{"directions", "theta", -1, fmt.Sprintf("length %d is not a positive multiple of dim %d", len(theta), dim)}
	}
	out := make([]F, len(theta))
	for k := 0; k < len(theta)/dim; k++ {
		row := theta[k*dim : (k+1)*dim]
		for j, x := range row {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				return Directions[F]{}, &InputError{"directions", "theta", k*dim + j, "not finite"}
			}
		}
		m := maxAbs(row)
		if m == 0 {
			return Directions[F]{}, &InputError{"directions", "theta", k * dim, fmt.Sprintf("direction %d is the zero vector", k)}
		}
		// ‖θ‖ = 2^e·‖θ·2^−e‖ with the largest entry of θ·2^−e in [½, 1).
		_, e := math.Frexp(m)
		var s float64
		for _, x := range row {
			y := math.Ldexp(float64(x), -e)
			s = math.FMA(y, y, s)
		}
		n := math.Sqrt(s)
		for j, x := range row {
			out[k*dim+j] = F(math.Ldexp(float64(x), -e) / n)
		}
	}
	return Directions[F]{Dim: dim, Theta: out}, nil
}

// DirectionTolerance returns how far from 1 the Euclidean norm of each
// direction in a Directions value may be: 1e-12 in float64 and 1e-6 in
// float32, a few hundred times the rounding of a normalised vector.
// NewDirections, RandomDirections and OrthogonalDirections produce unit
// vectors; a literal with a direction outside the tolerance (a zero vector,
// or θ = (1, 1)) is an *InputError when used.
func DirectionTolerance[F Float]() float64 {
	if is64[F]() {
		return 1e-12
	}
	return 1e-6
}

func (t Directions[F]) validate(dim int) error {
	if t.Dim != dim {
		return &InputError{"directions", "dim", -1, fmt.Sprintf("dimension %d, want %d (the distributions' dimension)", t.Dim, dim)}
	}
	if t.Len() == 0 || len(t.Theta) != t.Len()*dim {
		return &InputError{"directions", "theta", -1, fmt.Sprintf("length %d is not a positive multiple of dim %d", len(t.Theta), dim)}
	}
	if err := checkRange("directions", "theta", t.Theta, 1.0001, false); err != nil {
		return err
	}
	tol := DirectionTolerance[F]()
	for k := 0; k < t.Len(); k++ {
		n := math.Sqrt(sqNorm(t.Theta[k*dim : (k+1)*dim]))
		if math.Abs(n-1) > tol {
			return &InputError{"directions", "theta", k * dim, fmt.Sprintf("direction %d has norm %.17g, not 1 (tolerance %g); NewDirections normalises", k, n, tol)}
		}
	}
	return nil
}

// sqNorm returns ‖θ‖² (FMA-accumulated in float64).
func sqNorm[F Float](theta []F) float64 {
	var t2 float64
	for _, t := range theta {
		t2 = math.FMA(float64(t), float64(t), t2)
	}
	return t2
}
