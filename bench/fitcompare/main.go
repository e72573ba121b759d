// Command fitcompare compares package fit with EM (scikit-learn's
// GaussianMixture, em.py) on generated data, and with Runnalls' greedy
// merging (runnalls.go) on mixture reduction, and prints Markdown tables.
//
//	go run ./bench/fitcompare [-work DIR] [-python /usr/bin/python3] [-only LABEL]
//	go run ./bench/fitcompare -demo testdata/examples/clusters2.csv
//
// A second table fits the 2-D set of 1000 points with seeds 1 … 10 (-seeds)
// by both methods and gives the median and the worst of each metric.
//
// The data are generated here from fixed seeds (data.go), written as CSV
// into the work directory and read back by em.py. Every fit runs on one core
// (GOMAXPROCS=1 for Go, one BLAS/OpenMP thread for Python); times are
// process CPU seconds of the fit alone, so that other load on the machine
// does not inflate them. Metrics:
//
//   - SC₂ to train / test: the Cramér distance (1-D, exact) or the sliced
//     Cramér distance over 1024 random directions (seed 777, independent of
//     the directions fit used) between the fitted mixture and the training or
//     the held-out samples;
//   - held-out LL: the mean log-density of 20000 fresh samples;
//   - for reductions: the (sliced) Cramér distance between the reduced and
//     the original mixture, and the integrated squared error ∫(p − q)².
//
// Needs Debian's python3-sklearn for the EM rows (apt-get install -y
// python3-sklearn); without it those rows say so.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/fit"
)

func main() {
	work := flag.String("work", "", "the directory for the data files (default: a temporary one)")
	python := flag.String("python", "/usr/bin/python3", "the Python with scikit-learn")
	only := flag.String("only", "", "run only the rows whose label contains this")
	seeds := flag.Int("seeds", 10, "the number of seeds of the seed-spread table")
	demo := flag.String("demo", "", "write the 2-D training set of 1000 points to this CSV file (the data of make demo) and exit")
	flag.Parse()
	if *demo != "" {
		for _, set := range datasets() {
			if set.name == "2d-1000" {
				writeCSVDigits(*demo, set.train, set.d, 6, "# 1000 points in 2-D from eight Gaussian clusters; written by go run ./bench/fitcompare -demo "+*demo+"\n")
			}
		}
		return
	}
	runtime.GOMAXPROCS(1)
	dir := *work
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "fitcompare"); err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	_, self, _, _ := runtime.Caller(0)
	emScript := filepath.Join(filepath.Dir(self), "em.py")

	fmt.Println("### Fitting samples: fit (L-BFGS on the Cramér distance) and EM (scikit-learn)")
	fmt.Println()
	fmt.Println("| data | K | method | CPU s | iterations | SC₂ to train | SC₂ to test | held-out LL per point |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, set := range datasets() {
		if !strings.Contains(set.label, *only) {
			continue
		}
		train := filepath.Join(dir, set.name+"-train.csv")
		writeCSV(train, set.train, set.d)
		fitRow(set)
		emRow(set, *python, emScript, train, dir)
	}
	fmt.Println()
	seedRows(*seeds, *only, *python, emScript, dir)
	fmt.Println()
	fmt.Println("### Mixture reduction 200 → 8: fit (L-BFGS on the Cramér distance) and Runnalls' greedy merging")
	fmt.Println()
	fmt.Println("| target | method | CPU s | SC₂ to the original | ISE ∫(p − q)² |")
	fmt.Println("|---|---|---|---|---|")
	for _, t := range reductionTargets() {
		if !strings.Contains(t.label, *only) {
			continue
		}
		reductionRows(t)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fitcompare:", err)
	os.Exit(1)
}

// cpuTime returns the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func writeCSV(name string, x []float64, d int) { writeCSVDigits(name, x, d, 17, "") }

// writeCSVDigits writes x (rows of d) with the given significant digits
// after the header.
func writeCSVDigits(name string, x []float64, d, digits int, header string) {
	var b bytes.Buffer
	b.WriteString(header)
	for i := 0; i < len(x)/d; i++ {
		for c := 0; c < d; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%.*g", digits, x[i*d+c])
		}
		b.WriteByte('\n')
	}
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		fatal(err)
	}
}

// evalDirs are the directions of the sliced distances reported (never the
// ones a fit used).
var evalDirs = map[int]cramer.Directions[float64]{}

func slicedDistance(m gauss, x []float64) float64 {
	if m.d == 1 {
		v, err := cramer.SquaredToSamples(m.to1D(), cramer.Samples[float64]{Values: x})
		if err != nil {
			fatal(err)
		}
		return math.Sqrt(v)
	}
	dirs, ok := evalDirs[m.d]
	if !ok {
		dirs = cramer.RandomDirections[float64](m.d, 1024, 777)
		evalDirs[m.d] = dirs
	}
	v, err := cramer.SlicedSquaredToSamples(m.toND(), cramer.SamplesND[float64]{Dim: m.d, Values: x}, dirs)
	if err != nil {
		fatal(err)
	}
	return math.Sqrt(v)
}

func mixtureDistance(p, q gauss) float64 {
	if p.d == 1 {
		v, err := cramer.Squared(p.to1D(), q.to1D())
		if err != nil {
			fatal(err)
		}
		return math.Sqrt(v)
	}
	v, err := cramer.SlicedSquared(p.toND(), q.toND(), cramer.RandomDirections[float64](p.d, 1024, 777))
	if err != nil {
		fatal(err)
	}
	return math.Sqrt(v)
}

func row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case float64:
			s[i] = fmt.Sprintf("%.4g", v)
		default:
			s[i] = fmt.Sprint(v)
		}
	}
	fmt.Println("| " + strings.Join(s, " | ") + " |")
}

// seedRows fits the 2-D set of 1000 points with seeds 1 … n by both methods
// (fit's Seed, EM's random_state) and prints the median and the worst of
// each metric: a single seed can land in a local minimum either way.
func seedRows(n int, only, python, script, dir string) {
	var set dataset
	for _, s := range datasets() {
		if s.name == "2d-1000" {
			set = s
		}
	}
	if n < 1 || !strings.Contains(set.label, only) {
		return
	}
	train := filepath.Join(dir, set.name+"-train.csv")
	writeCSV(train, set.train, set.d)
	fmt.Printf("### Over seeds 1 … %d: %s, K = %d\n\n", n, set.label, set.k)
	fmt.Println("| method | SC₂ to train: median | worst | held-out LL: median | worst |")
	fmt.Println("|---|---|---|---|---|")
	var fd, fl, ed, el []float64
	emOK := true
	for seed := 1; seed <= n; seed++ {
		g, _, _ := fitSet(set, uint64(seed))
		fd, fl = append(fd, slicedDistance(g, set.train)), append(fl, g.logLikelihood(set.test))
		if emOK {
			eg, _, _, err := runEM(python, script, train, dir, set, seed)
			if err != nil {
				emOK = false
				continue
			}
			ed, el = append(ed, slicedDistance(eg, set.train)), append(el, eg.logLikelihood(set.test))
		}
	}
	row("fit", median(fd), slices.Max(fd), fmt.Sprintf("%.4f", median(fl)), fmt.Sprintf("%.4f", slices.Min(fl)))
	if emOK {
		row("EM (scikit-learn)", median(ed), slices.Max(ed), fmt.Sprintf("%.4f", median(el)), fmt.Sprintf("%.4f", slices.Min(el)))
	}
}

func median(x []float64) float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	if len(y)%2 == 1 {
		return y[len(y)/2]
	}
	return 0.5 * (y[len(y)/2-1] + y[len(y)/2])
}

// fitSet fits the training set with fit's defaults and the seed, and
// returns the mixture, the report and the CPU time.
func fitSet(set dataset, seed uint64) (gauss, fit.Report, float64) {
	opt := fit.Options{K: set.k, Seed: seed, Threads: 1}
	c0 := cpuTime()
	if set.d == 1 {
		res, err := fit.Samples(context.Background(), cramer.Samples[float64]{Values: set.train}, opt)
		if err != nil {
			fatal(err)
		}
		return from1D(res.Mixture), res.Report, (cpuTime() - c0).Seconds()
	}
	res, err := fit.SamplesND(context.Background(), cramer.SamplesND[float64]{Dim: set.d, Values: set.train}, opt)
	if err != nil {
		fatal(err)
	}
	return fromND(res.Mixture), res.Report, (cpuTime() - c0).Seconds()
}

func fitRow(set dataset) {
	g, rep, cpu := fitSet(set, 1)
	iters := fmt.Sprint(rep.Iterations)
	if rep.CoarseIterations > 0 {
		iters = fmt.Sprintf("%d (%d on a subsample)", rep.Iterations, rep.CoarseIterations)
	}
	if os.Getenv("FITCOMPARE_VERBOSE") != "" {
		fmt.Fprintf(os.Stderr, "%s: %d evaluations, %s\n", set.label, rep.Evaluations, rep.Reason)
	}
	row(set.label, set.k, "fit", fmt.Sprintf("%.3f", cpu), iters, slicedDistance(g, set.train), slicedDistance(g, set.test), fmt.Sprintf("%.4f", g.logLikelihood(set.test)))
}

// emInfo is what em.py prints about a fit.
type emInfo struct {
	CPU        float64 `json:"cpu_s"`
	Iterations int     `json:"iterations"`
	Converged  bool    `json:"converged"`
}

// runEM fits the training set with em.py and the seed.
func runEM(python, script, train, dir string, set dataset, seed int) (gauss, emInfo, string, error) {
	out := filepath.Join(dir, set.name+"-em.json")
	cmd := exec.Command(python, script, train, fmt.Sprint(set.k), "full", fmt.Sprint(seed), out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var info emInfo
	if err := cmd.Run(); err != nil {
		return gauss{}, info, strings.TrimSpace(firstLine(stderr.String() + err.Error())), err
	}
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		fatal(fmt.Errorf("em.py output %q: %v", stdout.String(), err))
	}
	return readModel(out, set.d), info, "", nil
}

func emRow(set dataset, python, script, train, dir string) {
	g, info, msg, err := runEM(python, script, train, dir, set, 1)
	if err != nil {
		row(set.label, set.k, "EM (scikit-learn)", "not run: "+msg, "", "", "", "")
		return
	}
	it := fmt.Sprint(info.Iterations)
	if !info.Converged {
		it += " (not converged)"
	}
	row(set.label, set.k, "EM (scikit-learn)", fmt.Sprintf("%.3f", info.CPU), it, slicedDistance(g, set.train), slicedDistance(g, set.test), fmt.Sprintf("%.4f", g.logLikelihood(set.test)))
}

func firstLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// readModel reads the mixture em.py wrote (the format cramer dist reads).
func readModel(name string, d int) gauss {
	raw, err := os.ReadFile(name)
	if err != nil {
		fatal(err)
	}
	if d == 1 {
		var m struct{ Weights, Means, Stds []float64 }
		if err := json.Unmarshal(raw, &m); err != nil {
			fatal(err)
		}
		return from1D(cramer.Mixture[float64]{Weights: m.Weights, Means: m.Means, Stds: m.Stds})
	}
	var m struct {
		Weights []float64
		Means   [][]float64
		Covs    [][][]float64
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		fatal(err)
	}
	g := gauss{d: d, w: m.Weights, mu: m.Means}
	for _, c := range m.Covs {
		var s []float64
		for _, r := range c {
			s = append(s, r...)
		}
		g.cov = append(g.cov, s)
	}
	return g
}

func reductionRows(t reduction) {
	c0 := cpuTime()
	rn := runnalls(t.target, 8)
	cpuR := (cpuTime() - c0).Seconds()
	opt := fit.Options{K: 8, Seed: 1, Threads: 1}
	c0 = cpuTime()
	var g gauss
	var rep fit.Report
	if t.target.d == 1 {
		res, err := fit.Mixture(context.Background(), t.target.to1D(), opt)
		if err != nil {
			fatal(err)
		}
		g, rep = from1D(res.Mixture), res.Report
	} else {
		res, err := fit.MixtureND(context.Background(), t.target.toND(), opt)
		if err != nil {
			fatal(err)
		}
		g, rep = fromND(res.Mixture), res.Report
	}
	cpuF := (cpuTime() - c0).Seconds()
	if os.Getenv("FITCOMPARE_VERBOSE") != "" {
		fmt.Fprintf(os.Stderr, "%s: %d iterations, %d evaluations, %s\n", t.label, rep.Iterations, rep.Evaluations, rep.Reason)
	}
	row(t.label, "fit", fmt.Sprintf("%.3f", cpuF), mixtureDistance(g, t.target), ise(g, t.target))
	row(t.label, "Runnalls", fmt.Sprintf("%.3f", cpuR), mixtureDistance(rn, t.target), ise(rn, t.target))
}
