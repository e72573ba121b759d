// Package cramer computes the Cramér 2-distance between probability
// distributions on the real line and its sliced version in R^D: between
// Gaussian mixtures, between a mixture and a sample set, and between two
// sample sets, exactly (closed form, or sorting for samples), fast (SIMD
// kernels chosen at run time), and with gradients, so that mixtures can be
// fitted by gradient descent.
//
// # The quantity
//
// For distributions P and Q with CDFs F and G,
//
//	ℓ₂²(P, Q) = ∫ (F(x) − G(x))² dx = E|X−Y| − ½E|X−X′| − ½E|Y−Y′|,
//
// half the energy distance; SciPy's scipy.stats.energy_distance is √(2·ℓ₂²).
// Squared returns ℓ₂², Distance returns ℓ₂ = √ℓ₂². For mixtures
// P = Σᵢ aᵢ N(μᵢ, σᵢ²) and Q = Σⱼ bⱼ N(νⱼ, τⱼ²),
//
//	ℓ₂² = Σᵢⱼ aᵢbⱼ h(μᵢ−νⱼ, √(σᵢ²+τⱼ²)) − ½ Σᵢⱼ aᵢaⱼ h(μᵢ−μⱼ, √(σᵢ²+σⱼ²)) − ½ Σᵢⱼ bᵢbⱼ h(νᵢ−νⱼ, √(τᵢ²+τⱼ²)),
//	h(d, s) = E|N(d, s²)| = s·√(2/π)·exp(−d²/2s²) + d·erf(d/(s√2)),    h(d, 0) = |d|.
//
// A std of 0 is a point mass, so a sample set is a mixture of point masses.
// ∂h/∂d = erf(·) lies in (−1, 1), so |∂ℓ₂²/∂μᵢ| ≤ 2aᵢ: the gradients are
// bounded, unlike those of the log-likelihood.
//
// In R^D the sliced distance averages the univariate one over unit
// directions θ: SC₂²(P, Q) = E_θ ℓ₂²(θ#P, θ#Q), estimated over a Directions
// set (unbiased for random directions) or, where a closed form exists
// (isotropic components, sample sets), computed exactly.
//
// # The API
//
//   - Univariate: Squared, Distance, SquaredGrad (mixture vs mixture);
//     SquaredToSamples, DistanceToSamples, SquaredToSamplesGrad (mixture vs
//     samples); SquaredSamples, DistanceSamples, SquaredSamplesGrad (two
//     sample sets, exact in O(N log N)).
//   - Batches of small mixtures (network outputs, laid out contiguously):
//     SquaredBatch, SquaredBatchGrad.
//   - Sliced, in R^D: SlicedSquared, SlicedDistance, SlicedSquaredGrad
//     (mixture vs mixture); SlicedSquaredToSamples, SlicedSquaredToSamplesGrad
//     (mixture vs samples); SlicedSquaredSamples, SlicedSquaredSamplesGrad
//     (two sample sets, exact per direction by sorting) over a Directions set
//     (RandomDirections, FillRandomDirections, OrthogonalDirections,
//     NewDirections); direction-free values SlicedSquaredExact,
//     SlicedSquaredExactGrad, SlicedSquaredToSamplesExact,
//     SlicedSquaredSamplesExact. MixtureND
//     components have full (Cholesky), diagonal or isotropic covariances;
//     NewMixtureND and NewSamplesND build them from gonum matrices.
//   - Workspace and SlicedWorkspace: the same computations as methods of
//     the same names (Workspace.Squared, SlicedWorkspace.SquaredGrad, …; the
//     exact sliced forms, which need no scratch, are package functions only)
//     with reusable scratch (no allocation per call once warm) and a Threads limit.
//     Results are bit-identical for any thread count.
//   - Kernel, UseKernel and KernelError: which kernel implementation runs
//     (see package kernels), and a misconfigured CRAMER_KERNEL.
//
// Everything is generic over Float (float64, or float32 for twice the SIMD
// lanes and about seven digits). Invalid input (NaN or infinite values,
// negative stds or weights, weights not summing to 1, length mismatches,
// empty inputs, sizes whose products overflow, magnitudes beyond
// MaxMagnitude, directions that are not unit vectors within
// DirectionTolerance) gives an *InputError naming the argument, field and
// index; nothing panics on bad data. ℓ₂² is homogeneous, and inputs of tiny
// magnitude are solved at a power-of-two larger scale and scaled back, so
// they keep full accuracy; the few results that still cannot be represented
// (see Mixture) are an *InputError, never a silent 0.
//
// # The code
//
// The layers, from the bottom: internal/approx describes the kernel algorithm
// (tables, coefficients, order of operations) once; purego implements it in
// portable Go, the reference; asm holds the AVX2 (amd64) and NEON (arm64)
// assembly generated from the same description by the generators in gen/ (a
// separate module); kernels registers the implementations and picks one at
// run time; this package validates input, lays out the pair sums, runs them
// (in fixed tiles, for thread-count independence) and applies the chain rule;
// package mixio reads and writes mixtures and sample sets in the JSON and
// CSV file formats; cmd/cramer is the command-line tool. The README says how
// to add a kernel and regenerate the assembly.
//
// This package, file by file:
//
//   - types.go: the univariate types, InputError and the value checks.
//   - mixture.go, tosamples.go: the univariate entry points and their cores
//     (mixture vs mixture, vs samples); batch.go: batches of small mixtures.
//   - Two sample sets, by sorting: samples_api.go: the entry points and
//     their checks; samples_set.go: sorted sets and their scratch;
//     radix.go: the radix sort; samples_sort.go: sorting the sets;
//     samples_weights.go: weights in sorted order, ties ordered by weight;
//     samples_walk.go: the forward and backward walks over the merged groups;
//     samples_scatter.go: writing gradients found in sorted order at the
//     points' positions; samples_pair.go: two sets; samples_self.go: the
//     self sum of one set.
//   - workspace.go: Workspace and its scratch; pairsums.go: the tiled pair
//     sums every mixture computation reduces to; runner.go: runTasks, the
//     one parallel runner; kernelset.go: the calls into the kernels;
//     sum.go: compensated sums; scale.go: problems of tiny magnitude.
//   - sliced.go: the D-dimensional arguments and their checks;
//     directions.go: Directions; sliced_api.go: the sliced entry points;
//     sliced_workspace.go: SlicedWorkspace and the scheduling of the
//     directions; sliced_project.go: the projections; sliced_chainrule.go:
//     the gradients of the D-dimensional parameters.
//   - sliced_exact_api.go, sliced_exact.go: the exact (direction-free)
//     forms and their special functions; sliced_gonum.go: gonum conversions.
package cramer
