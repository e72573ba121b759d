package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mixio"
)

// gradientND is the derivative of the sliced ℓ₂² with respect to one input,
// in the shape of that input's file.
type gradientND[F cramer.Float] struct {
	in      *mixio.File[F]
	mixture *cramer.MixtureNDGrad[F]
	samples *cramer.SamplesNDGrad[F]
}

func newGradientND[F cramer.Float](in *mixio.File[F]) gradientND[F] {
	if in.Kind == mixio.KindMixture {
		return gradientND[F]{in: in, mixture: &cramer.MixtureNDGrad[F]{}}
	}
	return gradientND[F]{in: in, samples: &cramer.SamplesNDGrad[F]{}}
}

// MarshalJSON gives a D-dimensional mixture's gradient as "weights" [K],
// "means" [[D]…] and the covariance parameter of the file: "chol" [[[D×D]]]
// (lower-triangular Cholesky factors, for "covs"), "stds" [[D]…] or "std"
// [K]; a sample set's as "values" [[D]…] and "weights" [N].
func (g gradientND[F]) MarshalJSON() ([]byte, error) {
	d := g.in.Dim
	if g.samples != nil {
		return json.Marshal(struct {
			Values  [][]F `json:"values"`
			Weights []F   `json:"weights"`
		}{split(g.samples.Values, d), g.samples.Weights})
	}
	m := g.mixture
	out := struct {
		Weights []F     `json:"weights"`
		Means   [][]F   `json:"means"`
		Chol    [][][]F `json:"chol,omitempty"`
		Stds    [][]F   `json:"stds,omitempty"`
		Std     []F     `json:"std,omitempty"`
	}{Weights: m.Weights, Means: split(m.Means, d)}
	switch g.in.Cov {
	case mixio.CovFull:
		for _, l := range split(m.Chol, d*d) {
			out.Chol = append(out.Chol, split(l, d))
		}
	case mixio.CovDiag:
		out.Stds = split(m.DiagStds, d)
	case mixio.CovIso:
		out.Std = m.IsoStds
	}
	return json.Marshal(out)
}

// split cuts x into rows of n.
func split[F any](x []F, n int) [][]F {
	out := make([][]F, 0, len(x)/n)
	for i := 0; i+n <= len(x); i += n {
		out = append(out, x[i:i+n])
	}
	return out
}

// exactError explains that --exact does not apply to the mixture in.
func exactError[F cramer.Float](in *mixio.File[F]) error {
	form := map[mixio.Cov]string{mixio.CovFull: "full covariances (\"covs\")", mixio.CovDiag: "diagonal covariances (\"stds\")"}[in.Cov]
	return &cramer.InputError{Arg: in.Name, Field: string(in.Cov), Index: -1,
		Reason: fmt.Sprintf("--exact needs isotropic mixtures (\"std\") or sample sets, and this mixture has %s; drop --exact for the sliced distance over --directions random directions", form)}
}

// distND computes the sliced ℓ₂² of D-dimensional inputs in precision F,
// over opt.directions random directions or, with opt.exact, exactly, and
// prints it.
func distND[F cramer.Float](p, q *mixio.File[F], opt distOptions, stdout io.Writer) error {
	d := p.Dim
	var sq F
	var err error
	var gp, gq gradientND[F]
	directions := 0
	switch {
	case opt.exact && opt.grad:
		if p.Kind != mixio.KindMixture || q.Kind != mixio.KindMixture {
			return fmt.Errorf("--grad with --exact: the exact sliced distance has gradients for two isotropic mixtures only, not for sample sets; drop --exact for gradients averaged over --directions random directions")
		}
		for _, in := range []*mixio.File[F]{p, q} {
			if in.Cov != mixio.CovIso {
				return exactError(in)
			}
		}
		gp, gq = newGradientND(p), newGradientND(q)
		sq, err = cramer.SlicedSquaredExactGrad(p.Mixture, q.Mixture, gp.mixture, gq.mixture)
		err = rename(err, map[string]*mixio.File[F]{"p": p, "q": q})
	case opt.exact:
		sq, err = exactND(p, q)
	default:
		directions = opt.directions
		if opt.grad {
			gp, gq = newGradientND(p), newGradientND(q)
		}
		dirs := cramer.RandomDirections[F](d, opt.directions, opt.seed)
		switch {
		case p.Kind == mixio.KindMixture && q.Kind == mixio.KindMixture:
			sq, err = cramer.SlicedSquaredGrad(p.Mixture, q.Mixture, dirs, gp.mixture, gq.mixture)
			err = rename(err, map[string]*mixio.File[F]{"p": p, "q": q})
		case p.Kind == mixio.KindMixture:
			sq, err = cramer.SlicedSquaredToSamplesGrad(p.Mixture, q.Samples, dirs, gp.mixture, gq.samples)
			err = rename(err, map[string]*mixio.File[F]{"p": p, "x": q})
		case q.Kind == mixio.KindMixture:
			// Symmetric, as in one dimension.
			sq, err = cramer.SlicedSquaredToSamplesGrad(q.Mixture, p.Samples, dirs, gq.mixture, gp.samples)
			err = rename(err, map[string]*mixio.File[F]{"p": q, "x": p})
		default:
			sq, err = cramer.SlicedSquaredSamplesGrad(p.Samples, q.Samples, dirs, gp.samples, gq.samples)
			err = rename(err, map[string]*mixio.File[F]{"x": p, "y": q})
		}
	}
	if err != nil {
		return err
	}

	if opt.json {
		var gradP, gradQ json.Marshaler
		if opt.grad {
			gradP, gradQ = gp, gq
		}
		return writeJSON(stdout, sq, directions, d, gradP, gradQ)
	}

	method := fmt.Sprintf("sliced Cramér distance over %d random directions (seed %d), dimension %d", opt.directions, opt.seed, d)
	if opt.exact {
		method = fmt.Sprintf("exact sliced Cramér distance (averaged over all directions), dimension %d", d)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "P\t%s  (%s, %s)\n", p.Name, p.Kind, p.Describe())
	fmt.Fprintf(tw, "Q\t%s  (%s, %s)\n", q.Name, q.Kind, q.Describe())
	fmt.Fprintf(tw, "method\t%s\n", method)
	fmt.Fprintf(tw, "squared sliced Cramér distance SC₂²\t%s\n", ftoa(sq))
	fmt.Fprintf(tw, "sliced Cramér distance SC₂\t%s\n", ftoa(F(math.Sqrt(float64(sq)))))
	fmt.Fprintf(tw, "kernel\t%s  (%s)\n", cramer.Kernel(), precisionName[F]())
	if err := tw.Flush(); err != nil {
		return &internalError{fmt.Errorf("writing the result: %w", err)}
	}
	if opt.grad {
		printGradientND(stdout, "P", gp)
		printGradientND(stdout, "Q", gq)
	}
	return nil
}

// exactND computes the exact sliced ℓ₂²: isotropic mixtures and sample sets.
func exactND[F cramer.Float](p, q *mixio.File[F]) (F, error) {
	// Order the pair as the library wants it: a mixture first.
	if p.Kind == mixio.KindSamples && q.Kind == mixio.KindMixture {
		p, q = q, p
	}
	for _, in := range []*mixio.File[F]{p, q} {
		if in.Kind == mixio.KindMixture && in.Cov != mixio.CovIso {
			return 0, exactError(in)
		}
	}
	mp, mq := p.Mixture, q.Mixture
	switch {
	case p.Kind == mixio.KindMixture && q.Kind == mixio.KindMixture:
		sq, err := cramer.SlicedSquaredExact(mp, mq)
		return sq, rename(err, map[string]*mixio.File[F]{"p": p, "q": q})
	case p.Kind == mixio.KindMixture:
		sq, err := cramer.SlicedSquaredToSamplesExact(mp, q.Samples)
		return sq, rename(err, map[string]*mixio.File[F]{"p": p, "x": q})
	default:
		sq, err := cramer.SlicedSquaredSamplesExact(p.Samples, q.Samples)
		return sq, rename(err, map[string]*mixio.File[F]{"x": p, "y": q})
	}
}

// printGradientND prints a table of the derivatives of SC₂², one row per
// component or sample, vectors in brackets (a Cholesky factor by rows of its
// lower triangle).
func printGradientND[F cramer.Float](w io.Writer, label string, g gradientND[F]) {
	in := g.in
	d := in.Dim
	fmt.Fprintf(w, "\ngradient of SC₂² with respect to %s (%s):\n", label, in.Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if m := g.mixture; m != nil {
		cov, n := "∂/∂std", 1
		var par []F
		switch {
		case m.Chol != nil:
			cov, n, par = "∂/∂chol (lower triangle by rows)", d*d, m.Chol
		case m.DiagStds != nil:
			cov, n, par = "∂/∂stds", d, m.DiagStds
		default:
			par = m.IsoStds
		}
		fmt.Fprintf(tw, "i\t∂/∂weight\t∂/∂mean\t%s\t\n", cov)
		for i := range m.Weights {
			c := par[i*n : (i+1)*n]
			if m.Chol != nil {
				c = lowerTriangle(c, d)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t\n", i, ftoa(m.Weights[i]), vector(m.Means[i*d:(i+1)*d]), vector(c))
		}
	} else {
		s := g.samples
		fmt.Fprintf(tw, "i\t∂/∂value\t∂/∂weight\t\n")
		for i := range s.Weights {
			fmt.Fprintf(tw, "%d\t%s\t%s\t\n", i, vector(s.Values[i*d:(i+1)*d]), ftoa(s.Weights[i]))
		}
	}
	tw.Flush()
}

// lowerTriangle returns the entries on and below the diagonal of a d×d
// row-major matrix, by rows.
func lowerTriangle[F cramer.Float](l []F, d int) []F {
	var out []F
	for r := 0; r < d; r++ {
		out = append(out, l[r*d:r*d+r+1]...)
	}
	return out
}

// vector formats x as [x₀ x₁ …] (a single value without brackets).
func vector[F cramer.Float](x []F) string {
	if len(x) == 1 {
		return ftoa(x[0])
	}
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = ftoa(v)
	}
	return "[" + strings.Join(s, " ") + "]"
}
