// Package fuzz holds differential fuzz targets for the pair kernels and the
// sample-set distance; it has no non-test code.
//
// Every target builds its inputs from the fuzzer's values and
//
//   - compares every registered kernel implementation other than "purego"
//     (see package kernels: the AVX2 and NEON assembly) with the portable
//     reference, package purego: bit for bit for the element-wise forms
//     (erf, exp(−x²), the pair terms), within a summation tolerance for the
//     row sums, whose summation order is implementation-defined;
//   - checks purego's results against independent references and invariants
//     (math.Erf, math.Exp of the exactly split square, naive compensated
//     double loops; no NaN for valid inputs, |erf| ≤ 1, 0 ≤ exp(−x²) ≤ 1, erf
//     odd, h(d, v) = h(−d, v) bitwise, max(|d|, s·√(2/π)) ≤ h ≤ |d| + s·√(2/π)
//     up to 4ε), so the targets can fail even when purego is the only
//     implementation (build tag purego, or a CPU without the assembly's
//     features).
//
// The targets are FuzzErf64, FuzzErf32, FuzzExpNegSquare64,
// FuzzExpNegSquare32, FuzzPairTerms64, FuzzPairTerms32, FuzzCrossRowSums64,
// FuzzCrossRowSums32 and FuzzDirac64, and for the projection kernels of the
// sliced distance FuzzProject64 and FuzzProject32 (bit for bit against
// purego, whose summation order is specified), and FuzzExp64 for the
// exponential of the float32 mixture-density losses (bit for bit against
// purego; purego within 4e-9 of math.Exp), and FuzzGaussian64 and
// FuzzGaussian32 for the batches of single Gaussians (bit for bit against
// purego where an implementation has them; purego bit for bit against the
// composition of its general batch kernels). FuzzSamples64 and
// FuzzSamples32 check the sample-set distance (SquaredSamplesGrad: the sort,
// the walks, the rescaling of tiny sets, outputs sharing memory with the
// inputs, invalid inputs) against an exact reference in math/big built on
// its own sort. `go test ./fuzz` runs their seed
// corpora (extreme values: ±0, subnormals, the clamps, huge values, zero
// variances, equal means) and anything in testdata/fuzz. To fuzz one target
// (go test accepts one -fuzz target per run):
//
//	go test -run '^$' -fuzz '^FuzzErf64$' -fuzztime 10s ./fuzz
//	go test -run '^$' -fuzz '^FuzzCrossRowSums32$' -fuzztime 5m ./fuzz
//
// A failing input is written to fuzz/testdata/fuzz/<Target>/ and from then on
// replayed by `go test ./fuzz`; commit it together with the fix. To fuzz a
// particular implementation against purego, run on a machine that has it:
// all usable implementations are compared in every run (see
// kernels.Names()). Under qemu (GOARCH=arm64 go test -exec
// qemu-aarch64-static) the seed corpora run as ordinary tests; `go test -fuzz`
// cannot start its arm64 workers there, so `make fuzz-arm64`
// (.ci/fuzz arm64) fuzzes every target as an arm64 binary under
// qemu-aarch64-static for FUZZTIME_ARM64 each (default 5s).
package fuzz
