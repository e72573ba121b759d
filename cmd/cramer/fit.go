package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/fit"
	"github.com/gmmkit/cramer/mixio"
)

const fitUsage = "usage: cramer fit --k K [--cov full|diag|iso] [--seed S] [--restarts R] [--directions L] [--max-iter N] [--min-std σ] [--method lbfgs|adam] [--batch B] [--out model.json] [--plot fit.png] [--quiet] DATA   (DATA: samples or a mixture to reduce, in any format cramer dist reads; - reads standard input)"

// fitHelp is printed by cramer fit --help.
const fitHelp = fitUsage + `

Fits a Gaussian mixture of K components to DATA by minimising the Cramér
2-distance (1-D: exact) or the sliced Cramér distance (D dimensions: over L
fixed random directions), with L-BFGS from a k-means++ initialisation. DATA is
a sample set (.csv/.txt or {"samples":…}) or a mixture (mixture reduction to
K components).

--k K           the number of components (required)
--cov C         D dimensions: full (default), diag or iso covariances
--seed S        the seed of the initialisation and the directions (default 1)
--restarts R    fit from R initialisations and keep the best (default 1)
--directions L  D dimensions: the number of directions (default 64)
--max-iter N    the iteration cap of each restart (default 1000; adam 2000)
--min-std σ     a floor on every fitted standard deviation (default 0)
--method M      lbfgs (default: full batch, fixed directions) or adam (stochastic:
                minibatches of --batch samples, fresh directions every step;
                --max-iter steps, default 2000)
--batch B       adam: the minibatch size (default 0: all samples)
--out FILE      write the fitted mixture there (default: standard output),
                in the JSON format cramer dist reads
--plot FILE     draw the data and the fit as a PNG (1-D: histogram, density and
                components; 2-D: points and 1σ, 2σ ellipses; D > 2: the first
                two coordinates)
--quiet         no progress and no summary
Progress goes to standard error: a progress bar on a terminal, a line per
second otherwise. Ctrl-C stops the fit and keeps the best mixture so far.`

type fitOptions struct {
	k, restarts, directions, maxIter, batch int
	method                                  string
	seed                                    uint64
	cov                                     string
	minStd                                  float64
	out, plot                               string
	quiet                                   bool
}

func cmdFit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	var o fitOptions
	fs.IntVar(&o.k, "k", 0, "the number of components")
	fs.StringVar(&o.cov, "cov", "full", "full, diag or iso")
	fs.Uint64Var(&o.seed, "seed", 1, "the seed")
	fs.IntVar(&o.restarts, "restarts", 1, "the number of initialisations")
	fs.IntVar(&o.directions, "directions", 64, "the number of directions (D dimensions)")
	fs.IntVar(&o.maxIter, "max-iter", 0, "the iteration cap (default 1000, adam 2000)")
	fs.StringVar(&o.method, "method", "lbfgs", "lbfgs or adam")
	fs.IntVar(&o.batch, "batch", 0, "adam: the minibatch size")
	fs.Float64Var(&o.minStd, "min-std", 0, "a floor on the stds")
	fs.StringVar(&o.out, "out", "", "the output file")
	fs.StringVar(&o.plot, "plot", "", "a PNG of the fit")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress or summary")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, fitHelp)
		return exitOK
	}
	if err != nil {
		return fail(stderr, "fit", fitUsage, &usageError{err.Error()})
	}
	if err := o.check(len(pos)); err != nil {
		return fail(stderr, "fit", fitUsage, err)
	}
	if err := kernelEnvError(); err != nil {
		return fail(stderr, "fit", fitUsage, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := runFit(ctx, pos[0], o, stdout, stderr); err != nil {
		return fail(stderr, "fit", fitUsage, err)
	}
	return exitOK
}

func (o *fitOptions) check(npos int) error {
	switch {
	case o.k < 1:
		return &usageError{fmt.Sprintf("--k %d: want the number of components, at least 1", o.k)}
	case o.restarts < 1 || o.restarts > 1000:
		return &usageError{fmt.Sprintf("--restarts %d: want 1 to 1000", o.restarts)}
	case o.directions < 1 || o.directions > maxDirections:
		return &usageError{fmt.Sprintf("--directions %d: want 1 to %d", o.directions, maxDirections)}
	case o.maxIter < 0:
		return &usageError{fmt.Sprintf("--max-iter %d: want at least 1 (or 0: the default)", o.maxIter)}
	case o.method != "lbfgs" && o.method != "adam":
		return &usageError{fmt.Sprintf("--method %q: want lbfgs or adam", o.method)}
	case o.batch < 0:
		return &usageError{fmt.Sprintf("--batch %d: want a minibatch size ≥ 1 (or 0: all samples)", o.batch)}
	case !(o.minStd >= 0) || math.IsInf(o.minStd, 0):
		return &usageError{fmt.Sprintf("--min-std %v: want a finite number ≥ 0", o.minStd)}
	case npos != 1:
		return &usageError{fmt.Sprintf("want one file DATA, got %d argument(s)", npos)}
	}
	if _, err := fit.ParseCovariance(o.cov); err != nil {
		return &usageError{"--cov: " + err.Error()}
	}
	return nil
}

// runFit loads DATA, fits, writes the mixture, and draws the plot.
func runFit(ctx context.Context, name string, o fitOptions, stdout, stderr io.Writer) error {
	in, err := mixio.ReadFile[float64](name)
	if err != nil {
		return err
	}
	cov, _ := fit.ParseCovariance(o.cov)
	rep := newReporter(stderr, o)
	opt := fit.Options{K: o.k, Covariance: cov, Seed: o.seed, Restarts: o.restarts, Directions: o.directions,
		MaxIter: o.maxIter, MinStd: o.minStd, Progress: rep.progress}
	if o.method == "adam" {
		opt.Method, opt.BatchSize, opt.FreshDirections = fit.Adam, o.batch, true
	}
	start := time.Now()
	var report fit.Report
	var m1 *cramer.Mixture[float64]
	var mnd *cramer.MixtureND[float64]
	samples1, isSamples1 := in.Samples1D()
	mixture1, isMixture1 := in.Mixture1D()
	switch {
	case isSamples1:
		var res *fit.Result[float64]
		if res, err = fit.Samples(ctx, samples1, opt); err == nil {
			m1, report = &res.Mixture, res.Report
		}
	case isMixture1:
		var res *fit.Result[float64]
		if res, err = fit.Mixture(ctx, mixture1, opt); err == nil {
			m1, report = &res.Mixture, res.Report
		}
	case in.Kind == mixio.KindSamples:
		var res *fit.ResultND[float64]
		if res, err = fit.SamplesND(ctx, in.Samples, opt); err == nil {
			mnd, report = &res.Mixture, res.Report
		}
	default:
		var res *fit.ResultND[float64]
		if res, err = fit.MixtureND(ctx, in.Mixture, opt); err == nil {
			mnd, report = &res.Mixture, res.Report
		}
	}
	rep.finish()
	if err != nil {
		return fmt.Errorf("%s: %w", in.Name, err)
	}
	// The model, in the JSON format cramer dist reads.
	var buf bytes.Buffer
	if m1 != nil {
		err = mixio.WriteMixture(&buf, *m1)
	} else {
		err = mixio.WriteMixtureND(&buf, *mnd)
	}
	if err != nil {
		return &internalError{fmt.Errorf("encoding the mixture: %w", err)}
	}
	summaryTo := stderr
	if o.out != "" {
		if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
			return &internalError{fmt.Errorf("writing %s: %w", o.out, err)}
		}
		summaryTo = stdout
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return &internalError{fmt.Errorf("writing the mixture: %w", err)}
	}
	if o.plot != "" {
		if err := plotFit(o.plot, in, m1, mnd); err != nil {
			return &internalError{fmt.Errorf("drawing %s: %w", o.plot, err)}
		}
	}
	if !o.quiet {
		what := "sliced Cramér distance over " + count(o.directions, "direction")
		if m1 != nil {
			what = "Cramér distance"
		}
		fmt.Fprintf(summaryTo, "fitted %s to %s (%s, %s) in %.2fs: %s %s, %d iterations, stopped: %s\n",
			count(o.k, "component"), in.Name, in.Kind, in.Describe(), time.Since(start).Seconds(),
			what, ftoa(report.Distance), report.Iterations, report.Reason)
		if o.out != "" {
			fmt.Fprintf(summaryTo, "wrote %s\n", o.out)
		}
		if o.plot != "" {
			fmt.Fprintf(summaryTo, "plot: %s\n", o.plot)
		}
	}
	return nil
}

// count says n things: "1 component", "3 components".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// reporter shows the progress of a fit on stderr: a progress bar on a
// terminal, a plain line per second otherwise, nothing with --quiet.
type reporter struct {
	w        io.Writer
	quiet    bool
	bar      *progressbar.ProgressBar
	restarts int
	last     time.Duration
	lines    int
}

func newReporter(stderr io.Writer, o fitOptions) *reporter {
	r := &reporter{w: stderr, quiet: o.quiet, restarts: o.restarts, last: -time.Hour}
	maxIter := o.maxIter
	if maxIter == 0 {
		maxIter = 1000
		if o.method == "adam" {
			maxIter = 2000
		}
	}
	if o.quiet {
		return r
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.bar = progressbar.NewOptions(o.restarts*maxIter,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("fitting"),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return r
}

func (r *reporter) progress(p fit.Progress) {
	switch {
	case r.quiet:
	case r.bar != nil:
		r.bar.Describe(fmt.Sprintf("restart %d/%d  iteration %d  loss %.6g", p.Restart+1, r.restarts, p.Iteration, p.Loss))
		r.bar.Set(p.Restart*p.MaxIter + p.Iteration)
	case p.Elapsed-r.last >= time.Second:
		r.last = p.Elapsed
		r.lines++
		fmt.Fprintf(r.w, "cramer fit: restart %d/%d  iteration %d  loss %.6g  |gradient| %.3g  %.1fs\n",
			p.Restart+1, r.restarts, p.Iteration, p.Loss, p.GradNorm, p.Elapsed.Seconds())
	}
}

func (r *reporter) finish() {
	if r.bar != nil {
		r.bar.Finish()
	}
}
