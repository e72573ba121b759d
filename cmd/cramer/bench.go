package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mdn"
)

const benchUsage = "usage: cramer bench [--json] [--impl NAME] [--precision f64|f32] [--workload NAME[,NAME…]] [--time D]"

// benchHelp is printed by cramer bench --help.
func benchHelp() string {
	return benchUsage + `

Times fixed workloads on one core (GOMAXPROCS 1, a reused Workspace) and
prints millions of pair terms per second, the median of ` + fmt.Sprint(benchRounds) + ` rounds.

Flags:
  --json                     print one JSON object {"impl","precision","workloads"}
  --impl NAME                the kernel implementation (see cramer kernels;
                             default: the active one)
  --precision f64|f32        float64 (default) or float32
  --workload NAME[,NAME…]    run only these workloads (default: all)
  --time D                   timed duration per workload, split into rounds
                             (default 300ms)
  -h, --help                 this help

Workloads: ` + strings.Join(workloadNames, ", ")
}

// benchRounds is the number of timed rounds per workload; the median is reported.
const benchRounds = 5

// workloadNames lists the workloads in the order they run.
var workloadNames = []string{
	"mixtures-1024",
	"mixtures-1024-grad",
	"batch-4096x1",
	"batch-4096x1-grad",
	"batch-4096x4",
	"batch-4096x4-grad",
	"batch-4096x8",
	"batch-4096x8-grad",
	"batch-4096x16",
	"batch-4096x16-grad",
	"mdn-65536x5",
	"mdn-65536x5-grad",
	"samples-32x100000",
	"mdn-4096x8",
	"mdn-4096x8-nll",
}

// workload is one timed operation: op computes once; pairs is the number of
// pair terms one op evaluates; examples, when > 0, the number of examples of
// a mixture-density-network loss (reported as ns_per_example).
type workload struct {
	name     string
	pairs    float64
	examples float64
	op       func() error
}

// newWorkload builds the named workload's data (fixed seeds) and a reused
// single-threaded Workspace.
func newWorkload[F cramer.Float](name string) workload {
	ws := &cramer.Workspace[F]{Threads: 1}
	switch name {
	case "mixtures-1024", "mixtures-1024-grad":
		const k, m = 1024, 1024
		p := randomMixtures[F](1, 1, k)
		q := randomMixtures[F](2, 1, m)
		w := workload{name: name, pairs: k*m + k*k + m*m}
		if name == "mixtures-1024" {
			w.op = func() error { _, err := ws.Squared(p, q); return err }
		} else {
			var gp, gq cramer.MixtureGrad[F]
			w.op = func() error { _, err := ws.SquaredGrad(p, q, &gp, &gq); return err }
		}
		return w
	case "batch-4096x1", "batch-4096x1-grad", "batch-4096x4", "batch-4096x4-grad",
		"batch-4096x8", "batch-4096x8-grad", "batch-4096x16", "batch-4096x16-grad":
		// B = 4096 pairs of K = M components (one Gaussian against one for
		// K = 1, the one-pass kernels of single Gaussians).
		const b = 4096
		k, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "batch-4096x"), "-grad"))
		m := k
		p := randomMixtures[F](3, b, k)
		q := randomMixtures[F](4, b, m)
		return batchWorkload(ws, name, p, q, b, k, m)
	case "mdn-65536x5", "mdn-65536x5-grad":
		// A mixture density network's loss: K = 5 against one point each.
		const b, k, m = 65536, 5, 1
		p := randomMixtures[F](7, b, k)
		q := randomMixtures[F](8, b, m)
		clear(q.Stds)
		w := batchWorkload(ws, name, p, q, b, k, m)
		w.examples = b
		return w
	case "samples-32x100000":
		const k, n = 32, 100000
		p := randomMixtures[F](5, 1, k)
		x := randomSamples[F](6, n)
		return workload{name: name, pairs: k*n + k*k, op: func() error { _, err := ws.SquaredToSamples(p, x); return err }}
	case "mdn-4096x8", "mdn-4096x8-nll":
		// Loss + gradient of a K = 8 mixture density head against scalar
		// targets; pairs counts K·1 + K² + 1 per example (Cramér) or K
		// component densities per example (NLL).
		const b, k = 4096, 8
		h := mdn.Head{K: k, Scale: mdn.ELUPlusOne}
		rng := rand.New(rand.NewPCG(8, 0x9e3779b97f4a7c15))
		raw, y := make([]F, b*h.Width()), make([]F, b)
		for i := range raw {
			raw[i] = F(rng.NormFloat64())
		}
		for i := range y {
			y[i] = F(rng.NormFloat64())
		}
		grad := make([]F, len(raw))
		mws := &mdn.Workspace[F]{Threads: 1}
		if name == "mdn-4096x8" {
			return workload{name: name, pairs: b * (k + k*k + 1), examples: b,
				op: func() error { _, err := mws.CramerToPoints(h, raw, y, nil, grad); return err }}
		}
		return workload{name: name, pairs: b * k, examples: b,
			op: func() error { _, err := mws.NLL(h, raw, y, nil, grad); return err }}
	}
	panic("unknown workload " + name) // names are checked before
}

// batchWorkload times SquaredBatch (SquaredBatchGrad with both gradients
// when the name ends in -grad) of b mixture pairs of k and m components.
func batchWorkload[F cramer.Float](ws *cramer.Workspace[F], name string, p, q cramer.Mixture[F], b, k, m int) workload {
	out := make([]F, b)
	w := workload{name: name, pairs: float64(b * (k*m + k*k + m*m))}
	if !strings.HasSuffix(name, "-grad") {
		w.op = func() error { return ws.SquaredBatch(out, k, m, p, q) }
	} else {
		var gp, gq cramer.MixtureGrad[F]
		w.op = func() error { return ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq) }
	}
	return w
}

// randomMixtures returns b mixtures of k components each, laid out
// contiguously; each block's weights sum to 1.
func randomMixtures[F cramer.Float](seed uint64, b, k int) cramer.Mixture[F] {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	n := b * k
	m := cramer.Mixture[F]{Weights: make([]F, n), Means: make([]F, n), Stds: make([]F, n)}
	w := make([]float64, k)
	for blk := 0; blk < b; blk++ {
		var sum float64
		for i := range w {
			w[i] = 0.1 + rng.Float64()
			sum += w[i]
		}
		for i := 0; i < k; i++ {
			j := blk*k + i
			m.Weights[j] = F(w[i] / sum)
			m.Means[j] = F(3 * rng.NormFloat64())
			m.Stds[j] = F(0.2 + 1.8*rng.Float64())
		}
	}
	return m
}

// randomSamples returns n unweighted samples from a two-component mixture.
func randomSamples[F cramer.Float](seed uint64, n int) cramer.Samples[F] {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	x := make([]F, n)
	for i := range x {
		if rng.IntN(3) == 0 {
			x[i] = F(-2 + 0.5*rng.NormFloat64())
		} else {
			x[i] = F(1.5 + 1.2*rng.NormFloat64())
		}
	}
	return cramer.Samples[F]{Values: x}
}

// measure runs w for about total (split into benchRounds rounds, after a
// warm-up call) and returns the median throughput in millions of pairs per second.
func measure(w workload, total time.Duration) (float64, error) {
	if err := w.op(); err != nil { // warm-up: grows the workspace
		return 0, err
	}
	runtime.GC()
	start := time.Now()
	if err := w.op(); err != nil {
		return 0, err
	}
	once := time.Since(start)
	round := total / benchRounds
	n := 1
	if once > 0 && round > once {
		n = int(round / once)
	}
	rates := make([]float64, benchRounds)
	for r := range rates {
		start := time.Now()
		for i := 0; i < n; i++ {
			if err := w.op(); err != nil {
				return 0, err
			}
		}
		el := time.Since(start).Seconds()
		if el <= 0 {
			el = 1e-9
		}
		rates[r] = float64(n) * w.pairs / el / 1e6
	}
	slices.Sort(rates)
	return rates[benchRounds/2], nil
}

type benchResult struct {
	Name         string  `json:"name"`
	MpairsPerS   float64 `json:"mpairs_per_s"`
	NsPerExample float64 `json:"ns_per_example,omitempty"`
}

func cmdBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	impl := fs.String("impl", "", "kernel implementation (see cramer kernels); default: the active one")
	prec := fs.String("precision", "f64", "f64 or f32")
	only := fs.String("workload", "", "run only these workloads (comma-separated): "+strings.Join(workloadNames, ", "))
	total := fs.Duration("time", 300*time.Millisecond, "timed duration per workload, split into 5 rounds")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, benchHelp())
		return exitOK
	}
	if err != nil {
		return fail(stderr, "bench", benchUsage, &usageError{err.Error()})
	}
	if len(pos) > 0 {
		return fail(stderr, "bench", benchUsage, &usageError{fmt.Sprintf("unexpected argument %q", pos[0])})
	}
	bits, err := precisionBits(*prec)
	if err != nil {
		return fail(stderr, "bench", benchUsage, err)
	}
	if *total <= 0 {
		return fail(stderr, "bench", benchUsage, &usageError{fmt.Sprintf("--time %v: want a positive duration", *total)})
	}
	names := workloadNames
	if *only != "" {
		names = nil
		for _, n := range strings.Split(*only, ",") {
			n = strings.TrimSpace(n)
			if !contains(workloadNames, n) {
				return fail(stderr, "bench", benchUsage, &usageError{fmt.Sprintf("--workload: unknown workload %q (have %s)", n, strings.Join(workloadNames, ", "))})
			}
			if !contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if err := kernelEnvError(); err != nil {
		return fail(stderr, "bench", benchUsage, err)
	}
	if *impl != "" {
		prev := cramer.Kernel()
		if err := cramer.UseKernel(*impl); err != nil {
			return fail(stderr, "bench", benchUsage, &usageError{fmt.Sprintf("--impl %s: %v", *impl, err)})
		}
		defer cramer.UseKernel(prev)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	kernel := cramer.Kernel()
	precName := map[int]string{64: "f64", 32: "f32"}[bits]
	var results []benchResult
	for _, name := range names {
		var w workload
		if bits == 64 {
			w = newWorkload[float64](name)
		} else {
			w = newWorkload[float32](name)
		}
		rate, err := measure(w, *total)
		if err != nil {
			return fail(stderr, "bench", benchUsage, &internalError{fmt.Errorf("%s: %w", name, err)})
		}
		r := benchResult{Name: name, MpairsPerS: rate}
		perExample := ""
		if w.examples > 0 {
			r.NsPerExample = w.pairs / w.examples / rate * 1e3
			perExample = fmt.Sprintf(", %.1f ns/example", r.NsPerExample)
		}
		results = append(results, r)
		if !*asJSON {
			fmt.Fprintf(stdout, "%-20s %9.1f Mpair/s   (kernel %s, %s, 1 core, median of %d rounds%s)\n", name, rate, kernel, precName, benchRounds, perExample)
		}
	}
	if *asJSON {
		b, err := json.Marshal(struct {
			Impl      string        `json:"impl"`
			Precision string        `json:"precision"`
			Workloads []benchResult `json:"workloads"`
		}{kernel, precName, results})
		if err != nil {
			return fail(stderr, "bench", benchUsage, &internalError{err})
		}
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return exitOK
}
