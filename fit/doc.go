// Package fit fits Gaussian mixtures by minimising the Cramér 2-distance (in
// one dimension) or the sliced Cramér distance (in R^D) to a target: a sample
// set (optionally weighted) or another mixture (mixture reduction: K target
// components summarised by fewer), using the analytic gradients of package
// cramer.
//
// The loss is ℓ₂²(P_θ, T) for 1-D targets, exact (O(K·N + K² + N log N) per
// evaluation against N samples, O(K·M + K² + M²) against M components), and
// (1/L) Σₗ ℓ₂²(θₗ#P, θₗ#T) over L unit directions in R^D, either a fixed set
// (deterministic full-batch optimisation) or fresh directions at every step
// (stochastic optimisation). For isotropic components the direction-free
// exact sliced distance can be used instead (Options.Exact).
//
// Parameters are unconstrained: weight logits (softmax), means, log standard
// deviations (1-D, diagonal, isotropic) or lower-triangular Cholesky factors
// with a log-parametrised diagonal (full covariances); Options.MinStd adds a
// floor to every standard deviation (Cholesky diagonal). Options.FixedWeights
// keeps the initial weights.
//
// Two optimisers: L-BFGS from gonum.org/v1/gonum/optimize on the full batch
// (the default), and Adam with minibatches of samples and fresh directions
// per step (Options.Method = Adam) for large inputs. A fit stops when the
// largest gradient entry falls below Options.GradTol, when the loss decreases
// by less than Options.RelTol (relative) or Options.NoiseTol × the sampling
// noise level (fits to samples) over Options.Window iterations, at
// Options.MaxIter, when the context is cancelled, or when the optimiser can
// no longer decrease the loss (Result.Stop and Result.Reason say which).
// With L-BFGS, sets of more than 20000 samples are first fitted to nested
// random subsamples (8192 samples, then 4× more while at most half the set),
// each fit starting the next, which saves most of the full-cost iterations.
//
// In float32 the loss carries a relative error of about 1e-7 of its cross
// sum, so L-BFGS may stop earlier, with StopNoProgress, than in float64.
//
// Initialisation is greedy k-means++ seeding followed by Lloyd iterations
// on the samples (or on the target's component means, weighted; the best of
// 4 k-means runs by inertia for the first restart, one run for each further
// restart), deterministic from Options.Seed, or a given mixture
// (Options.Init, Options.InitND). Options.Restarts fits from several
// initialisations and keeps the lowest loss.
//
// Internally the target is centred and scaled to unit root-mean-square
// spread (the sliced distance is translation invariant and scales linearly,
// so the optimum is unchanged); tolerances and Progress.GradNorm refer to
// these normalised units, losses and mixtures to the data's.
//
// Each evaluation of the loss and gradient reuses its buffers: it allocates
// nothing once warm on the serial path (Options.Threads = 1), minibatches
// and fresh directions included; the optimisers allocate a little per
// iteration (gonum's L-BFGS, the loss history).
//
// Results are deterministic: the same inputs and options give the same bits
// for any Options.Threads and GOMAXPROCS (the distance computations of
// package cramer are thread-count independent, and everything here is
// sequential).
package fit
