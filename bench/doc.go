// Package bench holds the cross-implementation benchmarks of cramer: every
// registered kernel implementation (package kernels) on the same fixed
// workloads, single-threaded, reported as pair terms per second (Mpair/s),
// next to a naive scalar baseline built on math.Erf and math.Exp
// (implementation "matherf", registered by this package's tests only).
//
// The package has no API; everything is in its _test.go files, and the
// benchmarks run only with -bench:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./bench | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl new.txt
//
// Benchmark names are slash-separated key=value segments, so benchstat can
// put any key in columns or rows:
//
//	BenchmarkKernels/impl=purego/kernel=CrossRowSums64/size=1024x1024
//	BenchmarkWorkloads/impl=purego/prec=float64/workload=mixtures-1024/threads=1
//
// See README.md for the workloads, how pairs are counted and measured figures.
package bench
