package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gmmkit/cramer"
)

const distUsage = "usage: cramer dist [--json] [--grad] [--precision f64|f32] P Q   (P, Q: mixture or samples .json, or .csv/.txt with one sample per line)"

// parseArgs parses the flags of fs wherever they appear among the positional
// arguments, which it returns in order; "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// precisionBits parses the --precision flag.
func precisionBits(s string) (int, error) {
	switch strings.ToLower(s) {
	case "f64", "float64", "64":
		return 64, nil
	case "f32", "float32", "32":
		return 32, nil
	}
	return 0, &usageError{fmt.Sprintf("--precision %q: want f64 or f32", s)}
}

type distOptions struct {
	json, grad bool
	bits       int
}

func cmdDist(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	var opt distOptions
	fs.BoolVar(&opt.json, "json", false, "print one JSON object")
	fs.BoolVar(&opt.grad, "grad", false, "also print the gradients")
	prec := fs.String("precision", "f64", "f64 or f32")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, distUsage)
		return exitOK
	}
	if err != nil {
		return fail(stderr, "dist", distUsage, &usageError{err.Error()})
	}
	if opt.bits, err = precisionBits(*prec); err != nil {
		return fail(stderr, "dist", distUsage, err)
	}
	if len(pos) != 2 {
		return fail(stderr, "dist", distUsage, &usageError{fmt.Sprintf("want two files P and Q, got %d argument(s)", len(pos))})
	}
	warnKernelEnv(stderr)
	var p, q *input
	if p, err = loadInput(pos[0], opt.bits); err == nil {
		q, err = loadInput(pos[1], opt.bits)
	}
	if err == nil {
		if opt.bits == 64 {
			err = dist[float64](p, q, opt, stdout)
		} else {
			err = dist[float32](p, q, opt, stdout)
		}
	}
	if err != nil {
		return fail(stderr, "dist", distUsage, err)
	}
	return exitOK
}

// gradient is the derivative of ℓ₂² with respect to one input, in the
// shape of that input.
type gradient[F cramer.Float] struct {
	mixture *cramer.MixtureGrad[F]
	samples *cramer.SamplesGrad[F]
}

func (g gradient[F]) MarshalJSON() ([]byte, error) {
	if g.mixture != nil {
		return json.Marshal(struct {
			Weights []F `json:"weights"`
			Means   []F `json:"means"`
			Stds    []F `json:"stds"`
		}{g.mixture.Weights, g.mixture.Means, g.mixture.Stds})
	}
	return json.Marshal(struct {
		Values  []F `json:"values"`
		Weights []F `json:"weights"`
	}{g.samples.Values, g.samples.Weights})
}

func newGradient[F cramer.Float](in *input) gradient[F] {
	if in.kind == kindMixture {
		return gradient[F]{mixture: &cramer.MixtureGrad[F]{}}
	}
	return gradient[F]{samples: &cramer.SamplesGrad[F]{}}
}

// dist computes ℓ₂²(p, q) in precision F and prints it.
func dist[F cramer.Float](p, q *input, opt distOptions, stdout io.Writer) error {
	if err := validate[F](p); err != nil {
		return err
	}
	if err := validate[F](q); err != nil {
		return err
	}
	var gp, gq gradient[F]
	if opt.grad {
		gp, gq = newGradient[F](p), newGradient[F](q)
	}
	var ws cramer.Workspace[F]
	var sq F
	var err error
	switch {
	case p.kind == kindMixture && q.kind == kindMixture:
		sq, err = ws.SquaredGrad(mixtureOf[F](p), mixtureOf[F](q), gp.mixture, gq.mixture)
		err = rename(err, map[string]*input{"p": p, "q": q})
	case p.kind == kindMixture:
		sq, err = ws.SquaredToSamplesGrad(mixtureOf[F](p), samplesOf[F](q), gp.mixture, gq.samples)
		err = rename(err, map[string]*input{"p": p, "x": q})
	case q.kind == kindMixture:
		// ℓ₂² is symmetric: ℓ₂²(samples, mixture) = ℓ₂²(mixture, samples).
		sq, err = ws.SquaredToSamplesGrad(mixtureOf[F](q), samplesOf[F](p), gq.mixture, gp.samples)
		err = rename(err, map[string]*input{"p": q, "x": p})
	default:
		sq, err = ws.SquaredSamplesGrad(samplesOf[F](p), samplesOf[F](q), gp.samples, gq.samples)
		err = rename(err, map[string]*input{"x": p, "y": q})
	}
	if err != nil {
		return err
	}
	d := F(math.Sqrt(float64(sq)))
	energy := F(math.Sqrt(2 * float64(sq)))
	kernel := cramer.Kernel()

	if opt.json {
		out := struct {
			Squared  F            `json:"squared"`
			Distance F            `json:"distance"`
			Kernel   string       `json:"kernel"`
			GradP    *gradient[F] `json:"grad_p,omitempty"`
			GradQ    *gradient[F] `json:"grad_q,omitempty"`
		}{Squared: sq, Distance: d, Kernel: kernel}
		if opt.grad {
			out.GradP, out.GradQ = &gp, &gq
		}
		b, err := json.Marshal(out)
		if err != nil {
			return &internalError{fmt.Errorf("encoding the result: %w", err)}
		}
		b = append(b, '\n')
		if _, err := stdout.Write(b); err != nil {
			return &internalError{fmt.Errorf("writing the result: %w", err)}
		}
		return nil
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "P\t%s  (%s, %s)\n", p.name, p.kind, p.describe())
	fmt.Fprintf(tw, "Q\t%s  (%s, %s)\n", q.name, q.kind, q.describe())
	fmt.Fprintf(tw, "squared Cramér distance ℓ₂²\t%s\n", ftoa(sq))
	fmt.Fprintf(tw, "Cramér distance ℓ₂\t%s\n", ftoa(d))
	fmt.Fprintf(tw, "energy distance √(2ℓ₂²)\t%s  (= scipy.stats.energy_distance)\n", ftoa(energy))
	fmt.Fprintf(tw, "kernel\t%s  (%s)\n", kernel, precisionName[F]())
	if err := tw.Flush(); err != nil {
		return &internalError{fmt.Errorf("writing the result: %w", err)}
	}
	if opt.grad {
		printGradient(stdout, "P", p, gp)
		printGradient(stdout, "Q", q, gq)
	}
	return nil
}

// rename rewrites a library *InputError whose Arg is one of the keys of
// args (the library's argument names) to name that input's file.
func rename(err error, args map[string]*input) error {
	var ie *cramer.InputError
	if errors.As(err, &ie) {
		if in, ok := args[ie.Arg]; ok {
			return in.rename(err)
		}
	}
	return err
}

// printGradient prints a table of ∂ℓ₂²/∂(parameter), one row per component
// or sample.
func printGradient[F cramer.Float](w io.Writer, label string, in *input, g gradient[F]) {
	fmt.Fprintf(w, "\ngradient of ℓ₂² with respect to %s (%s):\n", label, in.name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if g.mixture != nil {
		fmt.Fprintf(tw, "i\t∂/∂weight\t∂/∂mean\t∂/∂std\t\n")
		for i := range g.mixture.Weights {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t\n", i, ftoa(g.mixture.Weights[i]), ftoa(g.mixture.Means[i]), ftoa(g.mixture.Stds[i]))
		}
	} else {
		fmt.Fprintf(tw, "i\t∂/∂value\t∂/∂weight\t\n")
		for i := range g.samples.Values {
			fmt.Fprintf(tw, "%d\t%s\t%s\t\n", i, ftoa(g.samples.Values[i]), ftoa(g.samples.Weights[i]))
		}
	}
	tw.Flush()
}

// ftoa formats x with the fewest digits that identify it in its precision.
func ftoa[F cramer.Float](x F) string {
	if precisionName[F]() == "float32" {
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strconv.FormatFloat(float64(x), 'g', -1, 64)
}

func precisionName[F cramer.Float]() string {
	var z any = F(0)
	if _, ok := z.(float32); ok {
		return "float32"
	}
	return "float64"
}
