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

const distUsage = "usage: cramer dist [--json] [--grad] [--precision f64|f32] [--directions L] [--seed S] [--exact] P Q   (P, Q: mixture or samples .json, or .csv/.txt with one sample per line; D-dimensional inputs give the sliced distance over L random directions, default 256, seed 1, or with --exact the exact sliced distance; for 1-D inputs the value is exact and --directions, --seed, --exact change nothing)"

// distHelp is printed by cramer dist --help.
const distHelp = distUsage + `

P and Q are files:
  {"weights":[…],"means":[…],"stds":[…]}        a 1-D Gaussian mixture
  {"samples":[…],"weights":[…]}                  a 1-D sample set (weights optional)
  .csv/.txt, one number per line                 a 1-D sample set
  {"weights":[…],"means":[[…],…],"covs":[[[…]]]} a D-dimensional mixture, full covariance matrices
      … "stds":[[…],…]                          diagonal covariances: D stds per component
      … "std":[…]                               isotropic covariances: one std per component
  {"samples":[[…],…],"weights":[…]}              a D-dimensional sample set
  .csv/.txt, D comma-separated numbers per line  a D-dimensional sample set
(# starts a comment in a CSV file.)

--json          one JSON object {"squared","distance","kernel","directions","dim"}
                (directions is 0 when the value is exact)
--grad          also the gradients ("grad_p", "grad_q" with --json)
--precision     f64 (default) or f32
--directions L  D-dimensional inputs: the sliced distance averages over L random
                directions (default 256)
--seed S        the seed of the random directions (default 1)
--exact         D-dimensional inputs: the exact sliced distance (no random
                directions); for isotropic mixtures ("std") and sample sets
                only, and without --grad
With 1-D inputs the distance is exact: --directions and --seed are ignored and
--exact is a no-op.`

// maxDirections bounds --directions.
const maxDirections = 1 << 22

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
	json, grad, exact bool
	bits              int
	directions        int
	seed              uint64
}

func cmdDist(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dist", flag.ContinueOnError)
	var opt distOptions
	fs.BoolVar(&opt.json, "json", false, "print one JSON object")
	fs.BoolVar(&opt.grad, "grad", false, "also print the gradients")
	prec := fs.String("precision", "f64", "f64 or f32")
	fs.IntVar(&opt.directions, "directions", 256, "the number of random directions (D-dimensional inputs)")
	fs.Uint64Var(&opt.seed, "seed", 1, "the seed of the random directions")
	fs.BoolVar(&opt.exact, "exact", false, "the exact sliced distance (isotropic mixtures, sample sets)")
	pos, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, distHelp)
		return exitOK
	}
	if err != nil {
		return fail(stderr, "dist", distUsage, &usageError{err.Error()})
	}
	if opt.bits, err = precisionBits(*prec); err != nil {
		return fail(stderr, "dist", distUsage, err)
	}
	if opt.directions < 1 || opt.directions > maxDirections {
		return fail(stderr, "dist", distUsage, &usageError{fmt.Sprintf("--directions %d: want 1 to %d", opt.directions, maxDirections)})
	}
	if len(pos) != 2 {
		return fail(stderr, "dist", distUsage, &usageError{fmt.Sprintf("want two files P and Q, got %d argument(s)", len(pos))})
	}
	warnKernelEnv(stderr)
	var p, q *input
	if p, err = loadInput(pos[0], opt.bits); err == nil {
		q, err = loadInput(pos[1], opt.bits)
	}
	switch {
	case err != nil:
	case p.nd || q.nd:
		// D-dimensional (a 1-D file next to a D-dimensional one with D = 1
		// joins it): the sliced distance.
		if err = checkDims(p, q); err != nil {
			break
		}
		if opt.bits == 64 {
			err = distND[float64](p, q, opt, stdout)
		} else {
			err = distND[float32](p, q, opt, stdout)
		}
	case opt.bits == 64:
		err = dist[float64](p, q, opt, stdout)
	default:
		err = dist[float32](p, q, opt, stdout)
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
		var gradP, gradQ json.Marshaler
		if opt.grad {
			gradP, gradQ = gp, gq
		}
		return writeJSON(stdout, sq, 0, 1, gradP, gradQ)
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

// writeJSON prints the --json object: ℓ₂² (or the sliced SC₂²), its root,
// the kernel, the number of random directions (0: exact), the dimension and,
// when gradP is not nil, the gradients.
func writeJSON[F cramer.Float](w io.Writer, sq F, directions, dim int, gradP, gradQ json.Marshaler) error {
	out := struct {
		Squared    F              `json:"squared"`
		Distance   F              `json:"distance"`
		Kernel     string         `json:"kernel"`
		Directions int            `json:"directions"`
		Dim        int            `json:"dim"`
		GradP      json.Marshaler `json:"grad_p,omitempty"`
		GradQ      json.Marshaler `json:"grad_q,omitempty"`
	}{sq, F(math.Sqrt(float64(sq))), cramer.Kernel(), directions, dim, gradP, gradQ}
	b, err := json.Marshal(out)
	if err != nil {
		return &internalError{fmt.Errorf("encoding the result: %w", err)}
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return &internalError{fmt.Errorf("writing the result: %w", err)}
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
