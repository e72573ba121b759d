// Package mdn puts a Gaussian mixture on the output of a neural network
// (Bishop's mixture density network) and provides its training losses with
// gradients: the negative log-likelihood and the Cramér ℓ₂² against target
// points, target sample sets and target mixtures, batched, with the chain
// rule through the softmax and the scale map done analytically in one pass.
// It takes and returns plain slices, so any network code can call it.
//
// # Head layout
//
// For K components in D dimensions (D = 1 for scalar targets), the network's
// final linear layer emits W = K + 2·K·D raw outputs per example; a batch of
// B examples is row-major B × W:
//
//	raw[b·W + i]                    logit ℓᵢ            i < K
//	raw[b·W + K + i·D + d]          mean μᵢ,d           i < K, d < D
//	raw[b·W + K + K·D + i·D + d]    raw scale xᵢ,d      i < K, d < D
//
// The mixture of example b is Σᵢ aᵢ N(μᵢ, diag σᵢ²) with aᵢ = softmax(ℓ)ᵢ and
// σᵢ,d = MinStd + s(xᵢ,d), s the head's ScaleMap. Gradients returned by the
// losses have the same layout.
//
// # Losses and normalisation
//
// Every loss fills loss[b] (per example; the slice may be nil) and returns
// the batch mean (1/B) Σ_b loss[b]; the gradient it fills is that of the mean
// with respect to raw, so a network's backward pass can take it directly.
//
//   - NLL: −log p(y_b) with p the example's mixture density.
//   - CramerToPoints: ℓ₂²(P_b, δ(y_b)), the Cramér distance to a point mass
//     (the CRPS of P_b at y_b); its gradients are bounded (|∂/∂μᵢ| ≤ 2aᵢ)
//     and it stays finite as a σ goes to 0, unlike the NLL.
//   - CramerToSamples: ℓ₂²(P_b, (1/n) Σₖ δ(y_b,k)).
//   - CramerToMixture: ℓ₂²(P_b, Q_b) against a target mixture per example.
//
// For D > 1 the Cramér losses are sliced: the mean over the workspace's
// directions θ of ℓ₂²(θ#P_b, θ#Q_b) (see Workspace).
//
// # Robustness
//
// Every finite raw output gives finite losses and gradients. The scales are
// kept in [MinStd, σmax] with σmax = 1e15 in float32 and 1e150 in float64
// (the derivative is 0 where the bound is active). The NLL further uses
// σ ≥ 1e-18 (float32) or 1e-150 (float64) and caps the standardised
// residual |y − μ|/σ at 1e18 or 1e150, so its value and gradients stay in
// range. Means and targets must be at most cramer.MaxMagnitude/√D in
// magnitude; bad shapes, NaN or infinite inputs are reported as
// *cramer.InputError naming the argument, field and index.
//
// # Implementation and cost
//
// The losses work through a batch up to 64 examples at a time, so that a
// chunk's working set stays in the caches. The float32 losses evaluate their
// exponentials and logarithms with table-and-polynomial approximations
// (relative error below 4e-9 for exp and 2e-10 for softplus's log1p,
// absolute error below 1e-11 for log), the float64 ones with package math;
// softmax, scale map and log-sum-exp run in float64 either way. The NLL
// takes no logarithm per component: it splits each 1/σ into a power of 2
// (read off its bits, which gives −log σ up to log of the mantissa) and a
// mantissa in [1, 2) that multiplies the component's exponential, so that
// it evaluates one exponential per component for the density, one per
// logit and one per scale, and one logarithm per example; for scalar
// targets its passes run over all of a chunk's components at once. The
// Cramér losses lay each
// chunk's mixtures out in the lanes of the active implementation's batch-lane
// kernels (BatchDirac…, BatchCross…, BatchSelf…: SIMD across examples,
// whatever K) straight from the decoded heads, and fold the chain rule
// through the softmax and the scale map into the float64 combination of
// the kernels' outputs. An example's loss is the same bits wherever it sits
// in a batch, and results do not depend on the thread count.
package mdn

import (
	"fmt"
	"math"

	"github.com/gmmkit/cramer"
)

// ScaleMap is the map from a raw scale output x to a standard deviation.
type ScaleMap int

const (
	// Exp is σ = eˣ.
	Exp ScaleMap = iota
	// ELUPlusOne is σ = ELU(x) + 1: x + 1 for x > 0, eˣ otherwise
	// (continuous with its derivative at 0, linear growth for large x).
	ELUPlusOne
	// Softplus is σ = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|).
	Softplus
)

func (s ScaleMap) String() string {
	switch s {
	case Exp:
		return "exp"
	case ELUPlusOne:
		return "elu+1"
	case Softplus:
		return "softplus"
	}
	return fmt.Sprintf("ScaleMap(%d)", int(s))
}

// Head describes a mixture density head: K components in D dimensions, the
// scale map and an optional minimum standard deviation added to every σ.
type Head struct {
	K      int      // components, ≥ 1
	D      int      // target dimension; 0 means 1
	Scale  ScaleMap // raw output → σ
	MinStd float64  // σ = MinStd + Scale(x); ≥ 0
}

// Dim returns the target dimension (D, or 1 when D is 0).
func (h Head) Dim() int {
	if h.D == 0 {
		return 1
	}
	return h.D
}

// Width is the number of raw outputs per example, K + 2·K·D.
func (h Head) Width() int { return h.K + 2*h.K*h.Dim() }

// Validate reports an invalid head description as a *cramer.InputError with
// argument "head".
func (h Head) Validate() error {
	switch {
	case h.K < 1:
		return &cramer.InputError{Arg: "head", Field: "K", Index: -1, Reason: fmt.Sprintf("%d components, want ≥ 1", h.K)}
	case h.D < 0:
		return &cramer.InputError{Arg: "head", Field: "D", Index: -1, Reason: fmt.Sprintf("dimension %d, want ≥ 1 (or 0 for 1)", h.D)}
	case h.Scale < Exp || h.Scale > Softplus:
		return &cramer.InputError{Arg: "head", Field: "Scale", Index: -1, Reason: fmt.Sprintf("unknown scale map %d", int(h.Scale))}
	case math.IsNaN(h.MinStd) || h.MinStd < 0 || h.MinStd > 1e15:
		return &cramer.InputError{Arg: "head", Field: "MinStd", Index: -1, Reason: fmt.Sprintf("%v, want in [0, 1e15]", h.MinStd)}
	}
	return nil
}

// limits holds the precision-dependent clamps of the scale map and the NLL.
type limits struct {
	maxStd    float64 // σ ≤ maxStd
	logMaxStd float64
	nllMinStd float64 // σ ≥ nllMinStd in the NLL
	maxZ      float64 // |y − μ|/σ ≤ maxZ in the NLL
}

func limitsOf[F cramer.Float]() limits {
	if cramer.MaxMagnitude[F]() > 1e20 {
		return limits{maxStd: 1e150, logMaxStd: math.Log(1e150), nllMinStd: 1e-150, maxZ: 1e150}
	}
	return limits{maxStd: 1e15, logMaxStd: math.Log(1e15), nllMinStd: 1e-18, maxZ: 1e18}
}

// rawError names an element of the raw outputs by its field.
func (h Head) rawError(idx int, reason string) error {
	w, k, kd := h.Width(), h.K, h.K*h.Dim()
	field := "logits"
	switch j := idx % w; {
	case j >= k+kd:
		field = "scales"
	case j >= k:
		field = "means"
	}
	return &cramer.InputError{Arg: "raw", Field: field, Index: idx, Reason: fmt.Sprintf("example %d: %s", idx/w, reason)}
}
