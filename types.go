package cramer

import (
	"fmt"
	"math"
	"unsafe"
)

// Float is the element type of mixtures and samples: float64, or float32 for
// the single-precision kernels (twice the SIMD lanes, about 7 digits).
type Float interface{ float32 | float64 }

// Mixture is a univariate Gaussian mixture Σᵢ Weights[i]·N(Means[i], Stds[i]²).
// A zero std is a point mass. Weights must be ≥ 0 and sum to 1 (within
// WeightTolerance); the three slices must have the same, non-zero length.
// Means and stds must be finite with magnitude at most MaxMagnitude (1e153 in
// float64, 1e18 in float32) so that no intermediate overflows. Tiny
// magnitudes, subnormal ones included, are computed at a power-of-two larger
// scale (exact) and scaled back, so they lose no accuracy; so are stds
// whose variance would underflow. A nonzero std below 2⁻¹⁰¹⁸ (float32:
// 2⁻¹²²) times the largest magnitude of the problem, whose variance
// underflows at every common scale, is an *InputError where it matters
// (another component with a zero or equally tiny std near its mean; for
// values, only when the error is not negligible against the cross sum), and
// so is a positive result that rounds to 0.
type Mixture[F Float] struct {
	Weights, Means, Stds []F
}

// Samples is a set of points with optional weights (nil means 1/N each). As a
// distribution it is the mixture of point masses Σⱼ Weights[j]·δ(Values[j]).
type Samples[F Float] struct {
	Values, Weights []F
}

// MixtureGrad holds the partial derivatives of ℓ₂² with respect to each
// component's weight, mean and std. The weight derivatives treat the weights
// as free variables (no projection onto Σ = 1); a softmax parametrisation
// chains through them as usual. A std derivative at std 0 is 0.
type MixtureGrad[F Float] struct {
	Weights, Means, Stds []F
}

// SamplesGrad holds the partial derivatives of ℓ₂² with respect to each
// sample's value and weight (for unweighted samples, the weight derivative is
// still reported for the implied weights 1/N).
type SamplesGrad[F Float] struct {
	Values, Weights []F
}

// InputError describes invalid input: which argument, field and index.
type InputError struct {
	Arg    string // the argument: "p", "q", "x", "y", or a file name
	Field  string // "weights", "means", "stds", "values", …
	Index  int    // the element, or -1 for the field as a whole
	Reason string
}

func (e *InputError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%s: %s: %s", e.Arg, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s[%d]: %s", e.Arg, e.Field, e.Index, e.Reason)
}

// WeightTolerance returns how far Σ weights may be from 1: 1e-9 in float64,
// 1e-5 in float32.
func WeightTolerance[F Float]() float64 {
	if is64[F]() {
		return 1e-9
	}
	return 1e-5
}

// MaxMagnitude returns the largest accepted |mean|, std or |sample|: 1e153 in
// float64 and 1e18 in float32, so that variances and their doubled sums stay finite.
func MaxMagnitude[F Float]() float64 {
	if is64[F]() {
		return 1e153
	}
	return 1e18
}

func is64[F Float]() bool {
	var z F
	return unsafe.Sizeof(z) == 8
}

// as64 and as32 reinterpret a []F as the concrete slice type; call only when
// F is that type.
func as64[F Float](x []F) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

func as32[F Float](x []F) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// checkValues reports the first NaN, infinite, negative (when nonNegative) or
// too large (beyond MaxMagnitude) element of x.
func checkValues[F Float](arg, field string, x []F, nonNegative bool) error {
	return checkRange(arg, field, x, MaxMagnitude[F](), nonNegative)
}

// checkRange is checkValues with an explicit magnitude limit.
func checkRange[F Float](arg, field string, x []F, limit float64, nonNegative bool) error {
	if inRange(x, limit, nonNegative) {
		return nil
	}
	for i, v := range x {
		f := float64(v)
		// One test per element in the common case (NaN fails every comparison).
		if a := math.Abs(f); a <= limit && a <= math.MaxFloat64 && (f >= 0 || !nonNegative) {
			continue
		}
		switch {
		case math.IsNaN(f):
			return &InputError{arg, field, i, "NaN"}
		case math.IsInf(f, 0):
			return &InputError{arg, field, i, fmt.Sprintf("infinite (%v)", f)}
		case nonNegative && f < 0:
			return &InputError{arg, field, i, fmt.Sprintf("negative (%v)", f)}
		default:
			return &InputError{arg, field, i, fmt.Sprintf("magnitude %v exceeds %.3g", f, limit)}
		}
	}
	return nil
}

// inRange reports, without a branch per element, that every element of x
// is finite with |x| ≤ limit and, when nonNegative, has no sign bit set. It
// compares bit patterns: the largest |x| (sign cleared; NaN has the largest
// patterns) against the largest value allowed, and the OR of all sign bits.
// False means "look closer": checkRange then finds the element (a −0 fails
// here but is valid).
func inRange[F Float](x []F, limit float64, nonNegative bool) bool {
	limit = min(limit, math.MaxFloat64)
	if is64[F]() {
		var mx, sg uint64
		for _, v := range as64(x) {
			b := math.Float64bits(v)
			mx = max(mx, b&^(1<<63))
			sg |= b
		}
		return mx <= math.Float64bits(limit) && (!nonNegative || sg>>63 == 0)
	}
	lim := float32(min(limit, math.MaxFloat32))
	if float64(lim) > limit { // rounded up: the largest float32 ≤ limit
		lim = math.Nextafter32(lim, 0)
	}
	var mx, sg uint32
	for _, v := range as32(x) {
		b := math.Float32bits(v)
		mx = max(mx, b&^(1<<31))
		sg |= b
	}
	return mx <= math.Float32bits(lim) && (!nonNegative || sg>>31 == 0)
}

func checkWeights[F Float](arg string, w []F) error {
	// Finite and non-negative: no magnitude limit beyond that.
	if err := checkRange(arg, "weights", w, math.Inf(1), true); err != nil {
		return err
	}
	s := sumF64(w)
	if tol := WeightTolerance[F](); math.Abs(s-1) > tol {
		return &InputError{arg, "weights", -1, fmt.Sprintf("sum to %.17g, not 1 (tolerance %g)", s, tol)}
	}
	return nil
}

// Validate reports the first invalid parameter of the mixture, naming the
// field and index, with arg "mixture".
func (p Mixture[F]) Validate() error { return p.validate("mixture") }

func (p Mixture[F]) validate(arg string) error {
	k := len(p.Weights)
	if k == 0 {
		return &InputError{arg, "weights", -1, "empty mixture"}
	}
	if len(p.Means) != k {
		return &InputError{arg, "means", -1, fmt.Sprintf("length %d, want %d (len(weights))", len(p.Means), k)}
	}
	if len(p.Stds) != k {
		return &InputError{arg, "stds", -1, fmt.Sprintf("length %d, want %d (len(weights))", len(p.Stds), k)}
	}
	if err := checkWeights(arg, p.Weights); err != nil {
		return err
	}
	if err := checkValues(arg, "means", p.Means, false); err != nil {
		return err
	}
	return checkValues(arg, "stds", p.Stds, true)
}

// Validate reports the first invalid value or weight of the sample set, with
// arg "samples".
func (s Samples[F]) Validate() error { return s.validate("samples") }

func (s Samples[F]) validate(arg string) error {
	_, err := s.validateMax(arg)
	return err
}

// validateMax is validate that also returns, for a valid set, the largest
// |value| (maxAbs(s.Values)), found in the same sweep over the values.
func (s Samples[F]) validateMax(arg string) (float64, error) {
	if len(s.Values) == 0 {
		return 0, &InputError{arg, "values", -1, "no samples"}
	}
	if s.Weights != nil {
		if len(s.Weights) != len(s.Values) {
			return 0, &InputError{arg, "weights", -1, fmt.Sprintf("length %d, want %d (len(values))", len(s.Weights), len(s.Values))}
		}
		if err := checkWeights(arg, s.Weights); err != nil {
			return 0, err
		}
	}
	m := maxMagnitude(s.Values)
	if m <= MaxMagnitude[F]() {
		return m, nil
	}
	// A NaN, an infinity or a value too large: checkValues names it.
	if err := checkValues(arg, "values", s.Values, false); err != nil {
		return 0, err
	}
	return m, nil
}

// maxMagnitude returns the largest |v| over x as a float64 (maxAbs(x) when x
// holds no NaN; NaN when it does), from the bit patterns with the sign
// cleared, without a branch per element.
func maxMagnitude[F Float](x []F) float64 {
	if is64[F]() {
		var mx uint64
		for _, v := range as64(x) {
			mx = max(mx, math.Float64bits(v)&^(1<<63))
		}
		return math.Float64frombits(mx)
	}
	var mx uint32
	for _, v := range as32(x) {
		mx = max(mx, math.Float32bits(v)&^(1<<31))
	}
	return float64(math.Float32frombits(mx))
}

// grow returns x resized to n elements, reusing its storage when it can.
func grow[T any](x []T, n int) []T {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]T, n)
}

// maxElements bounds the length of any slice the package allocates from
// sizes it is given (2³⁴ elements, 128 GiB of float64): larger products are
// treated as overflow.
const maxElements = 1 << 34

// mulSize returns a·b for non-negative a and b, and false when the product
// overflows or exceeds maxElements.
func mulSize(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > maxElements/b {
		return 0, false
	}
	return a * b, true
}
