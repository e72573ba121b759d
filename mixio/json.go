package mixio

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/gmmkit/cramer"
)

// fieldNames are the fields any file may have; the kind decides which.
var fieldNames = []string{"weights", "means", "stds", "std", "covs", "samples"}

// readJSON reads a mixture or sample set object.
func (f *File[F]) readJSON(br *bufio.Reader) error {
	s := &scanner{r: br, name: f.Name, line: 1, col: 1}
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3) // a byte-order mark
	}
	bits := bitsOf[F]()
	if s.skipSpace() == eof {
		if s.ioErr != nil {
			return fmt.Errorf("%s: cannot read: %v", f.Name, s.ioErr)
		}
		return fmt.Errorf("%s: empty file (want a JSON object or one sample per line)", f.Name)
	}
	if s.peek() != '{' {
		return fmt.Errorf("%s:%d:%d: want a JSON object (a mixture {\"weights\",\"means\",\"stds\"} or samples {\"samples\",\"weights\"})", f.Name, s.line, s.col)
	}
	s.next()
	fields := map[string]*value[F]{}
	var order []string // the fields in file order, known or not
	if s.skipSpace() == '}' {
		s.next()
	} else {
		for {
			if s.skipSpace() != '"' {
				return s.unexpected("a field name")
			}
			key, err := s.str(true)
			if err != nil {
				return err
			}
			if err := s.expect(':', `":" after the field name`); err != nil {
				return err
			}
			if _, dup := fields[key]; dup || contains(order, key) {
				return inputErr(f.Name, key, -1, "duplicate field")
			}
			order = append(order, key)
			s.field = strconv.Quote(key)
			if contains(fieldNames, key) {
				v, err := readValue[F](s, key, bits)
				if err != nil {
					return err
				}
				fields[key] = v
				s.field = ""
			} else {
				if err := s.skip(); err != nil {
					return err
				}
				s.field = ""
			}
			c := s.skipSpace()
			if c == '}' {
				s.next()
				break
			}
			if c != ',' {
				return s.unexpected(`"," or "}" after a field's value`)
			}
			s.next()
		}
	}
	if c := s.skipSpace(); c != eof {
		return s.fail("data after the top-level object")
	}
	if s.ioErr != nil {
		return fmt.Errorf("%s: cannot read: %v", f.Name, s.ioErr)
	}
	return f.interpret(fields, order)
}

// interpret checks the fields read and fills f.
func (f *File[F]) interpret(fields map[string]*value[F], order []string) error {
	var allowed []string
	if _, ok := fields["samples"]; ok {
		f.Kind, allowed = KindSamples, []string{"samples", "weights"}
		f.Nested = fields["samples"].depth > 1
	} else {
		f.Kind, allowed = KindMixture, []string{"weights", "means", "stds"}
		_, std := fields["std"]
		_, covs := fields["covs"]
		f.Nested = std || covs || (fields["means"] != nil && fields["means"].depth > 1)
		if f.Nested {
			allowed = []string{"weights", "means", "covs", "stds", "std"}
		}
	}
	for _, key := range order {
		if !contains(allowed, key) {
			what := f.Kind.String()
			if f.Kind == KindMixture && f.Nested {
				what = "D-dimensional mixture"
			}
			return inputErr(f.Name, strconv.Quote(key), -1, "unknown field (a %s file has %s)", what, quoteList(allowed))
		}
	}
	if f.Kind == KindSamples {
		return f.interpretSamples(fields)
	}
	if f.Nested {
		return f.interpretMixtureND(fields)
	}
	f.Cov = CovDiag
	var got [3][]F
	for i, name := range []string{"weights", "means", "stds"} {
		v, ok := fields[name]
		if !ok {
			if len(order) == 0 {
				return inputErr(f.Name, name, -1, "missing (an empty object is neither a mixture {\"weights\",\"means\",\"stds\"} nor samples {\"samples\"})")
			}
			return inputErr(f.Name, name, -1, "missing (a mixture file has %s)", quoteList(allowed))
		}
		x, err := numbers(f.Name, v)
		if err != nil {
			return err
		}
		if x == nil {
			return inputErr(f.Name, name, -1, "null (want an array of numbers)")
		}
		got[i] = x
	}
	f.Mixture = cramer.MixtureND[F]{Dim: 1, Weights: got[0], Means: got[1], DiagStds: got[2]}
	return nil
}

func (f *File[F]) interpretSamples(fields map[string]*value[F]) error {
	v := fields["samples"]
	s := cramer.SamplesND[F]{Dim: 1}
	var err error
	if f.Nested {
		if s.Values, _, s.Dim, err = rows(f.Name, v, -1, "one row of coordinates per sample", ""); err != nil {
			return err
		}
	} else {
		if s.Values, err = numbers(f.Name, v); err != nil {
			return err
		}
		if s.Values == nil {
			return inputErr(f.Name, "samples", -1, "null (want an array of numbers)")
		}
	}
	if w, ok := fields["weights"]; ok {
		if s.Weights, err = numbers(f.Name, w); err != nil {
			return err
		}
	}
	f.Dim, f.Samples = s.Dim, s
	return nil
}

// interpretMixtureND reads a D-dimensional mixture: "weights" (K numbers),
// "means" (K rows of D coordinates) and exactly one of "covs" (K symmetric
// positive definite D×D matrices, factorised here), "stds" (K rows of D
// standard deviations) or "std" (K numbers).
func (f *File[F]) interpretMixtureND(fields map[string]*value[F]) error {
	const has = `a D-dimensional mixture has "weights", "means" and one of "covs", "stds", "std"`
	v, ok := fields["weights"]
	if !ok {
		return inputErr(f.Name, "weights", -1, "missing (%s)", has)
	}
	weights, err := numbers(f.Name, v)
	if err != nil {
		return err
	}
	if weights == nil {
		return inputErr(f.Name, "weights", -1, "null (want an array of numbers)")
	}
	if v, ok = fields["means"]; !ok {
		return inputErr(f.Name, "means", -1, "missing (%s)", has)
	}
	means, n, d, err := rows(f.Name, v, -1, "one row of coordinates per component", "")
	if err != nil {
		return err
	}
	k := len(weights)
	if k == 0 {
		return inputErr(f.Name, "weights", -1, "empty mixture")
	}
	if n != k {
		return inputErr(f.Name, "means", -1, "length %d, want %d (one row per weight)", n, k)
	}
	f.Dim = d
	m := cramer.MixtureND[F]{Dim: d, Weights: weights, Means: means}
	for _, c := range []Cov{CovFull, CovDiag, CovIso} {
		if _, ok := fields[string(c)]; !ok {
			continue
		}
		if f.Cov != "" {
			return inputErr(f.Name, string(c), -1, "conflicts with %q: give only one of \"covs\" (full), \"stds\" (diagonal), \"std\" (isotropic)", f.Cov)
		}
		f.Cov = c
	}
	dimWhy := fmt.Sprintf("the dimension of means, %d", d)
	switch f.Cov {
	case "":
		return inputErr(f.Name, "covs", -1, `missing: a D-dimensional mixture needs one of "covs" (full covariance matrices), "stds" (diagonal: a row of D stds per component) or "std" (isotropic: one std per component)`)
	case CovIso:
		if m.IsoStds, err = numbers(f.Name, fields["std"]); err != nil {
			return err
		}
		if m.IsoStds == nil {
			return inputErr(f.Name, "std", -1, "null (want an array of numbers, one per component)")
		}
		if len(m.IsoStds) != k {
			return inputErr(f.Name, "std", -1, "length %d, want %d (one isotropic std per component)", len(m.IsoStds), k)
		}
	case CovDiag:
		stds, n, _, err := rows(f.Name, fields["stds"], d, fmt.Sprintf(`one row of %d stds per component; "std" gives one isotropic std per component`, d), dimWhy)
		if err != nil {
			return err
		}
		if n != k {
			return inputErr(f.Name, "stds", -1, "length %d, want %d (one row per component)", n, k)
		}
		m.DiagStds = stds
	case CovFull:
		covs, err := matrices(f.Name, fields["covs"], k, d, dimWhy)
		if err != nil {
			return err
		}
		if m.Chol, err = factorise(f.Name, means, covs, k, d); err != nil {
			return err
		}
	}
	f.Mixture = m
	return nil
}

func bitsOf[F cramer.Float]() int {
	var z any = F(0)
	if _, ok := z.(float32); ok {
		return 32
	}
	return 64
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
