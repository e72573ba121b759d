package mixio

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/gmmkit/cramer"
)

// WriteMixture writes a valid 1-D mixture as the JSON object
// {"weights":[…],"means":[…],"stds":[…]} (one field per line, numbers in
// the shortest form that reads back to the same F), the format Read and
// cramer dist read. An invalid mixture is an error and nothing is written.
func WriteMixture[F cramer.Float](w io.Writer, m cramer.Mixture[F]) error {
	if err := m.Validate(); err != nil {
		return err
	}
	jw := newWriter[F](w)
	jw.open()
	jw.flat("weights", m.Weights, false)
	jw.flat("means", m.Means, false)
	jw.flat("stds", m.Stds, true)
	return jw.close()
}

// WriteMixtureND writes a valid D-dimensional mixture as the JSON object
// {"weights":[…],"means":[[…],…], …} with its covariances in the mixture's
// form: "std":[…] (isotropic), "stds":[[…],…] (diagonal) or, for Cholesky
// factors L, "covs":[[[…]]] with the covariance matrices L·Lᵀ (computed in
// float64 and rounded to F, so that reading them back factorises them
// again, equal to L up to rounding). Means are rows even when Dim is 1;
// Read gives such a file back with Nested set (and Mixture1D for the
// univariate value).
func WriteMixtureND[F cramer.Float](w io.Writer, m cramer.MixtureND[F]) error {
	if err := m.Validate(); err != nil {
		return err
	}
	d := m.Dim
	jw := newWriter[F](w)
	jw.open()
	jw.flat("weights", m.Weights, false)
	jw.rows("means", m.Means, d, false)
	switch {
	case m.IsoStds != nil:
		jw.flat("std", m.IsoStds, true)
	case m.DiagStds != nil:
		jw.rows("stds", m.DiagStds, d, true)
	default:
		jw.key("covs")
		jw.b = append(jw.b, '[')
		cov := make([]F, d*d)
		for i := 0; i*d*d < len(m.Chol); i++ {
			l := m.Chol[i*d*d : (i+1)*d*d]
			for r := 0; r < d; r++ {
				for c := 0; c < d; c++ {
					var s float64
					for t := 0; t <= min(r, c); t++ {
						s += float64(l[r*d+t]) * float64(l[c*d+t])
					}
					cov[r*d+c] = F(s)
				}
			}
			if i > 0 {
				jw.b = append(jw.b, ", "...)
			}
			jw.matrix(cov, d)
		}
		jw.b = append(jw.b, "]\n"...)
	}
	return jw.close()
}

// WriteSamples writes a valid 1-D sample set as {"samples":[…]} (with
// "weights" when s.Weights is not nil).
func WriteSamples[F cramer.Float](w io.Writer, s cramer.Samples[F]) error {
	if err := s.Validate(); err != nil {
		return err
	}
	jw := newWriter[F](w)
	jw.open()
	jw.flat("samples", s.Values, s.Weights == nil)
	if s.Weights != nil {
		jw.flat("weights", s.Weights, true)
	}
	return jw.close()
}

// WriteSamplesND writes a valid D-dimensional sample set as
// {"samples":[[…],…]} (with "weights" when s.Weights is not nil).
func WriteSamplesND[F cramer.Float](w io.Writer, s cramer.SamplesND[F]) error {
	if err := s.Validate(); err != nil {
		return err
	}
	jw := newWriter[F](w)
	jw.open()
	jw.rows("samples", s.Values, s.Dim, s.Weights == nil)
	if s.Weights != nil {
		jw.flat("weights", s.Weights, true)
	}
	return jw.close()
}

// jsonWriter appends the output to b and flushes it to w in blocks.
type jsonWriter[F cramer.Float] struct {
	w    *bufio.Writer
	b    []byte
	bits int
	err  error
}

func newWriter[F cramer.Float](w io.Writer) *jsonWriter[F] {
	return &jsonWriter[F]{w: bufio.NewWriter(w), b: make([]byte, 0, 4096), bits: bitsOf[F]()}
}

func (j *jsonWriter[F]) flush(force bool) {
	if (force || len(j.b) >= 4096) && j.err == nil {
		_, j.err = j.w.Write(j.b)
		j.b = j.b[:0]
	}
}

func (j *jsonWriter[F]) open() { j.b = append(j.b, "{\n"...) }

func (j *jsonWriter[F]) key(name string) {
	j.b = append(j.b, "  "...)
	j.b = strconv.AppendQuote(j.b, name)
	j.b = append(j.b, ": "...)
}

func (j *jsonWriter[F]) end(last bool) {
	if last {
		j.b = append(j.b, '\n')
	} else {
		j.b = append(j.b, ",\n"...)
	}
	j.flush(false)
}

func (j *jsonWriter[F]) numbers(x []F) {
	j.b = append(j.b, '[')
	for i, v := range x {
		if i > 0 {
			j.b = append(j.b, ", "...)
		}
		j.b = strconv.AppendFloat(j.b, float64(v), 'g', -1, j.bits)
		j.flush(false)
	}
	j.b = append(j.b, ']')
}

func (j *jsonWriter[F]) flat(name string, x []F, last bool) {
	j.key(name)
	j.numbers(x)
	j.end(last)
}

func (j *jsonWriter[F]) rows(name string, x []F, d int, last bool) {
	j.key(name)
	j.matrix(x, d)
	j.end(last)
}

func (j *jsonWriter[F]) matrix(x []F, d int) {
	j.b = append(j.b, '[')
	for i := 0; i*d < len(x); i++ {
		if i > 0 {
			j.b = append(j.b, ", "...)
		}
		j.numbers(x[i*d : (i+1)*d])
	}
	j.b = append(j.b, ']')
}

func (j *jsonWriter[F]) close() error {
	j.b = append(j.b, "}\n"...)
	j.flush(true)
	if j.err == nil {
		j.err = j.w.Flush()
	}
	if j.err != nil {
		return fmt.Errorf("writing JSON: %w", j.err)
	}
	return nil
}
