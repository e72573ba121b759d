package fit

import (
	"fmt"
	"math"
	"time"

	"github.com/gmmkit/cramer"
)

// Covariance is the covariance form of the components fitted in R^D.
type Covariance int

const (
	// Full covariances, parametrised by lower-triangular Cholesky factors
	// whose diagonal is MinStd + exp(free parameter).
	Full Covariance = iota
	// Diagonal covariances: D standard deviations per component.
	Diagonal
	// Isotropic covariances σ²·I: one standard deviation per component.
	Isotropic
)

func (c Covariance) String() string {
	switch c {
	case Full:
		return "full"
	case Diagonal:
		return "diag"
	case Isotropic:
		return "iso"
	}
	return fmt.Sprintf("Covariance(%d)", int(c))
}

// ParseCovariance parses "full", "diag" or "iso".
func ParseCovariance(s string) (Covariance, error) {
	switch s {
	case "full":
		return Full, nil
	case "diag", "diagonal":
		return Diagonal, nil
	case "iso", "isotropic":
		return Isotropic, nil
	}
	return 0, fmt.Errorf("covariance %q: want full, diag or iso", s)
}

// Method is the optimiser.
type Method int

const (
	// LBFGS is gonum's limited-memory BFGS on the full batch with fixed
	// directions: deterministic, converges in tens to hundreds of iterations.
	LBFGS Method = iota
	// Adam is stochastic gradient descent with Adam steps on minibatches of
	// samples (Options.BatchSize) and, in R^D, fresh random directions at
	// every step (Options.FreshDirections): for inputs too large for a full
	// batch per step.
	Adam
)

func (m Method) String() string {
	switch m {
	case LBFGS:
		return "lbfgs"
	case Adam:
		return "adam"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Options configure a fit. Only K is required.
type Options struct {
	// K is the number of components to fit (1 ≤ K ≤ the number of distinct
	// samples or positive-weight target components).
	K int

	// Covariance is the form of the fitted covariances in R^D (default Full).
	// One-dimensional fits have one std per component whatever it says.
	Covariance Covariance

	// Method is the optimiser (default LBFGS).
	Method Method

	// Seed drives the k-means++ initialisation, the directions and the
	// minibatches: the same seed gives the same result.
	Seed uint64

	// Restarts is the number of initialisations tried (default 1); the fit
	// with the lowest loss is returned. With Init or InitND the first starts
	// from the given mixture and the others from k-means++.
	Restarts int

	// Directions is the number L of unit directions of the sliced distance in
	// R^D (default 64). The fixed set is OrthogonalDirections(D, L, seed).
	Directions int

	// FreshDirections draws new random directions at every Adam step (the
	// fixed set is still used for the final loss and to compare restarts).
	// Ignored by LBFGS, which needs a fixed objective.
	FreshDirections bool

	// Exact uses the exact, direction-free sliced distance
	// (cramer.SlicedSquaredExactGrad): isotropic components only, against an
	// isotropic target mixture (O(K² + K·M + M²) per evaluation) or samples
	// (which cost O(N²) per evaluation: for small N only).
	Exact bool

	// BatchSize is the Adam minibatch of samples (0: all samples).
	BatchSize int

	// LearningRate is Adam's step size in normalised units (default 0.02);
	// it decays linearly to a tenth over MaxIter steps.
	LearningRate float64

	// MinStd is a floor, in data units, on every fitted standard deviation
	// (on the diagonal of Cholesky factors for full covariances): σ =
	// MinStd + exp(s). Default 0.
	MinStd float64

	// FixedWeights keeps the initial weights (from Init/InitND or
	// k-means++) and fits only means and covariances.
	FixedWeights bool

	// Init starts a 1-D fit from this mixture (K components); InitND a
	// D-dimensional one (K components, Dim D, any covariance form: it is
	// converted to Covariance). Zero stds are lifted to a small positive value.
	Init   *cramer.Mixture[float64]
	InitND *cramer.MixtureND[float64]

	// MaxIter caps the iterations of each restart (default 1000 for LBFGS,
	// 2000 for Adam).
	MaxIter int

	// GradTol stops when the largest absolute entry of the gradient with
	// respect to the normalised parameters is below it (default 1e-8).
	GradTol float64

	// RelTol stops when the loss decreased by less than RelTol·|loss| over the
	// last Window iterations (default 1e-4; Adam compares the mean loss of
	// successive windows).
	RelTol float64

	// NoiseTol also stops a fit to samples when the loss decreased by less
	// than NoiseTol·ν over the last Window iterations. ν is the sampling
	// noise level: the expected ℓ₂² between a distribution and N_eff samples
	// of it is ½E|X−X′|/N_eff (N_eff = 1/Σwᵢ²), taken as σ/(√π·N_eff) with σ
	// the root-mean-square spread per coordinate (exact for a Gaussian; in R^D
	// per projection). Improvements far below the sampling noise do not
	// change the fit meaningfully. Default 1e-2; negative disables it.
	NoiseTol float64

	// Window is the number of iterations RelTol looks back (default 10 for
	// LBFGS, 100 for Adam).
	Window int

	// Progress, when not nil, is called after every iteration.
	Progress func(Progress)

	// Threads caps the goroutines of each distance evaluation (0:
	// GOMAXPROCS). The result does not depend on it.
	Threads int
}

// Progress reports one iteration of a fit.
type Progress struct {
	Restart   int           // 0 … Restarts−1
	Iteration int           // 1, 2, … within the restart
	MaxIter   int           // the iteration cap
	Loss      float64       // the loss (squared distance, data units; Adam: of the minibatch)
	GradNorm  float64       // the Euclidean norm of the gradient (normalised parameters)
	Elapsed   time.Duration // since the fit started
}

// withDefaults returns o with zero fields replaced by their defaults, or an
// error naming the first invalid option.
func (o Options) withDefaults() (Options, error) {
	if o.K <= 0 {
		return o, fmt.Errorf("fit: K = %d: want at least 1 component", o.K)
	}
	if o.Covariance < Full || o.Covariance > Isotropic {
		return o, fmt.Errorf("fit: Covariance %d: want Full, Diagonal or Isotropic", int(o.Covariance))
	}
	if o.Method != LBFGS && o.Method != Adam {
		return o, fmt.Errorf("fit: Method %d: want LBFGS or Adam", int(o.Method))
	}
	if o.Restarts < 0 || o.Directions < 0 || o.BatchSize < 0 || o.MaxIter < 0 || o.Window < 0 || o.Threads < 0 {
		return o, fmt.Errorf("fit: negative Restarts, Directions, BatchSize, MaxIter, Window or Threads")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"NoiseTol", math.Abs(o.NoiseTol)}, {"LearningRate", o.LearningRate}, {"MinStd", o.MinStd}, {"GradTol", o.GradTol}, {"RelTol", o.RelTol}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return o, fmt.Errorf("fit: %s = %v: want a finite number ≥ 0", f.name, f.v)
		}
	}
	if o.NoiseTol == 0 {
		o.NoiseTol = 1e-2
	}
	if o.Restarts == 0 {
		o.Restarts = 1
	}
	if o.Directions == 0 {
		o.Directions = 64
	}
	if o.LearningRate == 0 {
		o.LearningRate = 0.02
	}
	if o.MaxIter == 0 {
		o.MaxIter = 1000
		if o.Method == Adam {
			o.MaxIter = 2000
		}
	}
	if o.GradTol == 0 {
		o.GradTol = 1e-8
	}
	if o.RelTol == 0 {
		o.RelTol = 1e-4
	}
	if o.Window == 0 {
		o.Window = 10
		if o.Method == Adam {
			o.Window = 100
		}
	}
	return o, nil
}
