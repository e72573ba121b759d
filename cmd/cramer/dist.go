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
	"github.com/gmmkit/cramer/mixio"
)

const distUsage = "usage: cramer dist [--json] [--grad] [--precision f64|f32] [--directions L] [--seed S] [--exact] P Q"

// distHelp is printed by cramer dist --help.
const distHelp = distUsage + `

Computes the squared Cramér distance ℓ₂² between P and Q, two Gaussian
mixtures or sample sets (or one of each), and prints ℓ₂², ℓ₂, SciPy's energy
distance √(2ℓ₂²), the kernel and what P and Q are. In one dimension the value
is exact. In D dimensions it is the sliced distance: the average of the 1-D
ℓ₂² of the projections on L random directions, or with --exact the exact
average over all directions. A file in the D-dimensional layout with D = 1
is the 1-D case (exact; directions 0).

P and Q are files (- reads standard input; the format is told by the
extension, .json or .csv/.txt, or else by the first character):
  {"weights":[…],"means":[…],"stds":[…]}          a 1-D Gaussian mixture
  {"samples":[…],"weights":[…]}                    a 1-D sample set (weights optional)
  .csv/.txt, one number per line                   a 1-D sample set
  {"weights":[…],"means":[[…],…],"covs":[[[…]]]}   a D-dimensional mixture, full covariance matrices
  {"weights":[…],"means":[[…],…],"stds":[[…],…]}   diagonal covariances: D stds per component
  {"weights":[…],"means":[[…],…],"std":[…]}        isotropic covariances: one std per component
  {"samples":[[…],…],"weights":[…]}                a D-dimensional sample set
  .csv/.txt, D comma-separated numbers per line    a D-dimensional sample set
In CSV files blank lines are skipped and # starts a comment.

Flags:
  --json              print one JSON object {"squared","distance","kernel",
                      "directions","dim"} (directions is 0 when the value is exact)
  --grad              also print the gradients of ℓ₂² ("grad_p", "grad_q" with
                      --json), in the shape of each file
  --precision f64|f32 compute in float64 (default) or float32
  --directions L      D-dimensional inputs: the number of random directions
                      (default 256)
  --seed S            the seed of the random directions (default 1)
  --exact             D-dimensional inputs: the exact sliced distance; for
                      isotropic mixtures ("std") and sample sets (with --grad:
                      two isotropic mixtures)
  -h, --help          this help
With 1-D inputs the distance is exact: --directions and --seed are ignored and
--exact is a no-op.

Exit status: 0 on success, 2 for bad input (the message names the file, the
field and the index) or usage, 1 for an internal failure.`

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
	if err := kernelEnvError(); err != nil {
		return fail(stderr, "dist", distUsage, err)
	}
	if opt.bits == 64 {
		err = runDist[float64](pos[0], pos[1], opt, stdout)
	} else {
		err = runDist[float32](pos[0], pos[1], opt, stdout)
	}
	if err != nil {
		return fail(stderr, "dist", distUsage, err)
	}
	return exitOK
}

// runDist reads P and Q in precision F and computes their distance: exact
// when both have dimension 1 (1-D files, or D-dimensional ones with D = 1),
// sliced otherwise.
func runDist[F cramer.Float](pName, qName string, opt distOptions, stdout io.Writer) error {
	p, q, err := loadPair[F](pName, qName)
	if err != nil {
		return err
	}
	if p.Dim == 1 && q.Dim == 1 {
		return dist(p, q, opt, stdout)
	}
	if err := checkDims(p, q); err != nil {
		return err
	}
	return distND(p, q, opt, stdout)
}

// gradient is the derivative of ℓ₂² with respect to one input, in the
// shape of that input.
type gradient[F cramer.Float] struct {
	in      *mixio.File[F]
	mixture *cramer.MixtureGrad[F]
	samples *cramer.SamplesGrad[F]
}

// MarshalJSON gives a mixture's gradient as "weights", "means", "stds" and
// a sample set's as "values", "weights"; for a file in the D-dimensional
// layout (with D = 1) in that layout: means and values as rows of one
// coordinate, and the covariance parameter of the file ("std", "stds" as
// rows, or "chol", the 1×1 Cholesky factors of "covs").
func (g gradient[F]) MarshalJSON() ([]byte, error) {
	if !g.in.Nested {
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
	nd := gradientND[F]{in: g.in}
	if m := g.mixture; m != nil {
		nd.mixture = &cramer.MixtureNDGrad[F]{Weights: m.Weights, Means: m.Means}
		switch g.in.Cov {
		case mixio.CovIso:
			nd.mixture.IsoStds = m.Stds
		case mixio.CovFull:
			nd.mixture.Chol = m.Stds
		default:
			nd.mixture.DiagStds = m.Stds
		}
	} else {
		nd.samples = &cramer.SamplesNDGrad[F]{Values: g.samples.Values, Weights: g.samples.Weights}
	}
	return nd.MarshalJSON()
}

func newGradient[F cramer.Float](in *mixio.File[F]) gradient[F] {
	if in.Kind == mixio.KindMixture {
		return gradient[F]{in: in, mixture: &cramer.MixtureGrad[F]{}}
	}
	return gradient[F]{in: in, samples: &cramer.SamplesGrad[F]{}}
}

// dist computes the exact ℓ₂²(p, q) of inputs of dimension 1 in precision
// F and prints it.
func dist[F cramer.Float](p, q *mixio.File[F], opt distOptions, stdout io.Writer) error {
	var gp, gq gradient[F]
	if opt.grad {
		gp, gq = newGradient(p), newGradient(q)
	}
	mp, pMix := p.Mixture1D()
	mq, qMix := q.Mixture1D()
	sp, _ := p.Samples1D()
	sq1, _ := q.Samples1D()
	var ws cramer.Workspace[F]
	var sq F
	var err error
	switch {
	case pMix && qMix:
		sq, err = ws.SquaredGrad(mp, mq, gp.mixture, gq.mixture)
		err = rename(err, map[string]*mixio.File[F]{"p": p, "q": q})
	case pMix:
		sq, err = ws.SquaredToSamplesGrad(mp, sq1, gp.mixture, gq.samples)
		err = rename(err, map[string]*mixio.File[F]{"p": p, "x": q})
	case qMix:
		// ℓ₂² is symmetric: ℓ₂²(samples, mixture) = ℓ₂²(mixture, samples).
		sq, err = ws.SquaredToSamplesGrad(mq, sp, gq.mixture, gp.samples)
		err = rename(err, map[string]*mixio.File[F]{"p": q, "x": p})
	default:
		sq, err = ws.SquaredSamplesGrad(sp, sq1, gp.samples, gq.samples)
		err = rename(err, map[string]*mixio.File[F]{"x": p, "y": q})
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
	fmt.Fprintf(tw, "P\t%s  (%s, %s)\n", p.Name, p.Kind, p.Describe())
	fmt.Fprintf(tw, "Q\t%s  (%s, %s)\n", q.Name, q.Kind, q.Describe())
	fmt.Fprintf(tw, "squared Cramér distance ℓ₂²\t%s\n", ftoa(sq))
	fmt.Fprintf(tw, "Cramér distance ℓ₂\t%s\n", ftoa(d))
	fmt.Fprintf(tw, "energy distance √(2ℓ₂²)\t%s  (= scipy.stats.energy_distance)\n", ftoa(energy))
	fmt.Fprintf(tw, "kernel\t%s  (%s)\n", kernel, precisionName[F]())
	if err := tw.Flush(); err != nil {
		return &internalError{fmt.Errorf("writing the result: %w", err)}
	}
	if opt.grad {
		printGradient(stdout, "P", gp)
		printGradient(stdout, "Q", gq)
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

// printGradient prints a table of ∂ℓ₂²/∂(parameter), one row per component
// or sample.
func printGradient[F cramer.Float](w io.Writer, label string, g gradient[F]) {
	fmt.Fprintf(w, "\ngradient of ℓ₂² with respect to %s (%s):\n", label, g.in.Name)
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
