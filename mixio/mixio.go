// Package mixio reads and writes Gaussian mixtures and sample sets in the
// JSON and CSV formats the cramer command documents, one-dimensional and
// D-dimensional, in either precision.
//
// The formats (a file holds one mixture or one sample set):
//
//	{"weights":[…],"means":[…],"stds":[…]}            a 1-D mixture
//	{"samples":[…],"weights":[…]}                       a 1-D sample set (weights optional)
//	one number per line (CSV)                           a 1-D sample set
//	{"weights":[…],"means":[[…],…],"covs":[[[…]]]}      a D-dimensional mixture, full covariances
//	{"weights":[…],"means":[[…],…],"stds":[[…],…]}      diagonal covariances: D stds per component
//	{"weights":[…],"means":[[…],…],"std":[…]}           isotropic covariances: one std per component
//	{"samples":[[…],…],"weights":[…]}                   a D-dimensional sample set
//	D comma-separated numbers per line (CSV)            a D-dimensional sample set
//
// In CSV files blank lines are skipped and # starts a comment. Unknown and
// duplicate JSON fields are errors. A file in the D-dimensional layout may
// have D = 1; File.Mixture1D and File.Samples1D give such a file, like a
// 1-D one, as the univariate value (its one-coordinate rows, and a 1×1
// covariance's square root as the std).
//
// Read and ReadFile parse a file into a *File[F]: numbers are parsed
// directly in the precision F (a literal outside F's range is an error), the
// value is checked with the cramer package's rules in that precision, and
// every error names the file, the field as spelt in the file and the index
// (a JSON syntax error its line and column, a CSV error its line). Reading
// streams: memory is the parsed values (with the usual slice growth) plus a
// small buffer, whatever the file's size.
//
// WriteMixture and WriteMixtureND write a mixture in the JSON format above,
// which Read reads back; WriteSamples and WriteSamplesND write sample sets.
package mixio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gmmkit/cramer"
	"gonum.org/v1/gonum/mat"
)

// Kind is what a file holds.
type Kind int

const (
	KindMixture Kind = iota + 1 // a Gaussian mixture
	KindSamples                 // a sample set
)

func (k Kind) String() string {
	switch k {
	case KindMixture:
		return "mixture"
	case KindSamples:
		return "samples"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Format is a file format.
type Format int

const (
	// Auto chooses JSON when the first character that is not white space
	// (or a byte-order mark) is "{", CSV otherwise.
	Auto Format = iota
	JSON
	CSV
)

// Cov names the covariance field of a mixture file: "covs" (full covariance
// matrices), "stds" (diagonal: one row of D stds per component; a 1-D
// mixture's one std per component) or "std" (isotropic: one std per
// component).
type Cov string

const (
	CovFull Cov = "covs" // full covariances: cramer.MixtureND.Chol
	CovDiag Cov = "stds" // diagonal: cramer.MixtureND.DiagStds
	CovIso  Cov = "std"  // isotropic: cramer.MixtureND.IsoStds
)

// File is a parsed mixture or sample set file.
type File[F cramer.Float] struct {
	// Name is the file's name as given to Read or ReadFile; errors use it.
	Name   string
	Kind   Kind
	Format Format // JSON or CSV
	// Nested is set for the D-dimensional layout: rows of coordinates
	// ("means":[[…],…], "samples":[[…],…], a CSV line with a comma), even
	// when Dim is 1.
	Nested bool
	// Dim is the dimension (1 for a 1-D file).
	Dim int
	// Cov is a mixture's covariance field (CovDiag for a 1-D mixture).
	Cov Cov
	// Mixture is the mixture (Kind == KindMixture): a 1-D file's is Dim 1
	// with DiagStds; a "stds" file's has DiagStds, a "std" file's IsoStds,
	// a "covs" file's the Cholesky factors in Chol.
	Mixture cramer.MixtureND[F]
	// Samples is the sample set (Kind == KindSamples), Weights nil when
	// the file gives none (uniform).
	Samples cramer.SamplesND[F]

	skipped []int // CSV: the lines without numbers (blank, comment), ascending
}

// Mixture1D returns the mixture as a univariate one when its dimension is 1
// (a 1-D file, or a D-dimensional one with D = 1): the slices are shared
// with f.Mixture, the std of a 1×1 covariance is its Cholesky factor.
func (f *File[F]) Mixture1D() (cramer.Mixture[F], bool) {
	m := f.Mixture
	if f.Kind != KindMixture || f.Dim != 1 {
		return cramer.Mixture[F]{}, false
	}
	stds := m.DiagStds
	switch {
	case m.IsoStds != nil:
		stds = m.IsoStds
	case m.Chol != nil:
		stds = m.Chol
	}
	return cramer.Mixture[F]{Weights: m.Weights, Means: m.Means, Stds: stds}, true
}

// Samples1D returns the sample set as a univariate one when its dimension
// is 1 (slices shared with f.Samples).
func (f *File[F]) Samples1D() (cramer.Samples[F], bool) {
	if f.Kind != KindSamples || f.Dim != 1 {
		return cramer.Samples[F]{}, false
	}
	return cramer.Samples[F]{Values: f.Samples.Values, Weights: f.Samples.Weights}, true
}

// Line returns the line of the CSV file holding sample (row) i, or 0 for a
// JSON file.
func (f *File[F]) Line(i int) int {
	if f.Format != CSV {
		return 0
	}
	line := i + 1
	for _, s := range f.skipped {
		if s > line {
			break
		}
		line++
	}
	return line
}

// Len returns the number of components or samples.
func (f *File[F]) Len() int {
	if f.Kind == KindMixture {
		return len(f.Mixture.Weights)
	}
	return len(f.Samples.Values) / max(f.Dim, 1)
}

// ReadFile reads the named file: CSV for the extensions .csv and .txt, JSON
// for .json, otherwise as Auto decides. The name "-" reads standard input
// (errors name it "-").
func ReadFile[F cramer.Float](name string) (*File[F], error) {
	format := Auto
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		format = CSV
	case ".json":
		format = JSON
	}
	if name == "-" {
		return Read[F](os.Stdin, name, format)
	}
	fh, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the file name is printed once, in front
		}
		return nil, fmt.Errorf("%s: cannot read: %v", name, err)
	}
	defer fh.Close()
	return Read[F](fh, name, format)
}

// Read parses a mixture or sample set from r in the given format; name is
// the file name its errors give. Numbers are parsed in the precision F and
// the value is validated (cramer's Validate rules in F); a syntax error is
// a *SyntaxError, a bad value a *cramer.InputError whose Arg is name.
func Read[F cramer.Float](r io.Reader, name string, format Format) (*File[F], error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if format == Auto {
		format = CSV
		if c, err := sniff(br); err != nil {
			return nil, fmt.Errorf("%s: cannot read: %v", name, err)
		} else if c == '{' {
			format = JSON
		}
	}
	f := &File[F]{Name: name, Format: format, Dim: 1}
	var err error
	if format == CSV {
		err = f.readCSV(br)
	} else {
		err = f.readJSON(br)
	}
	if err != nil {
		return nil, err
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// sniff returns the first byte that is not white space or part of a
// byte-order mark (0 at the end of the input), looking ahead at most one
// buffer.
func sniff(br *bufio.Reader) (byte, error) {
	for n := 1; n <= br.Size(); n *= 2 {
		b, err := br.Peek(n)
		for _, c := range b {
			switch c {
			case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			default:
				return c, nil
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				return 0, nil
			}
			return 0, err
		}
	}
	return 0, nil
}

// validate checks the value with the library's rules and names the fields
// as in the file.
func (f *File[F]) validate() error {
	var err error
	switch {
	case f.Kind == KindMixture && !f.Nested:
		m, _ := f.Mixture1D()
		err = m.Validate()
	case f.Kind == KindMixture:
		err = f.Mixture.Validate()
	case !f.Nested:
		s, _ := f.Samples1D()
		err = s.Validate()
	default:
		err = f.Samples.Validate()
	}
	return f.Locate(err)
}

// Locate rewrites a *cramer.InputError about this file's value — from
// Validate, or from a computation given f.Mixture, f.Samples, or
// Mixture1D/Samples1D — to name the file (Arg) and the field and index as
// the file spells them: in the D-dimensional layout a flat index i of means,
// stds or values becomes row i/D, coordinate i%D ("means[3][1]"), an entry
// of a Cholesky factor names its covariance matrix, a CSV sample its line.
// Other errors are returned unchanged.
func (f *File[F]) Locate(err error) error {
	var ie *cramer.InputError
	if !errors.As(err, &ie) {
		return err
	}
	e := *ie
	e.Arg = f.Name
	d := max(f.Dim, 1)
	row := 0 // the row (sample or component) of e.Index
	if e.Index >= 0 {
		row = e.Index
		if f.Nested {
			row = e.Index / d
		}
	}
	// perRow names the element in D dimensions as field[row][coordinate].
	perRow := func(field string) {
		e.Field = field
		if f.Nested && e.Index >= 0 {
			e.Field, e.Index = fmt.Sprintf("%s[%d]", field, row), e.Index%d
		}
	}
	switch {
	case f.Kind == KindSamples && e.Field == "values":
		if f.Format == CSV {
			if e.Index >= 0 {
				e.Reason += fmt.Sprintf(" (line %d)", f.Line(row))
			}
			perRow("values")
		} else {
			perRow("samples")
		}
	case f.Kind == KindMixture && e.Field == "means":
		perRow("means")
	case f.Kind == KindMixture && e.Field == "stds" && f.Cov == CovIso: // via Mixture1D
		e.Field = string(CovIso)
	case f.Kind == KindMixture && e.Field == "stds" && f.Cov == CovFull: // via Mixture1D: the 1×1 factor
		e.Field = string(CovFull)
		if e.Index >= 0 {
			e.Reason = "Cholesky factor entry (0,0): " + e.Reason
		}
	case f.Kind == KindMixture && (e.Field == "diagStds" || e.Field == "stds"): // "stds": via Mixture1D
		perRow(string(CovDiag))
	case f.Kind == KindMixture && e.Field == "isoStds":
		e.Field = string(CovIso)
	case f.Kind == KindMixture && e.Field == "chol":
		e.Field = string(CovFull)
		if e.Index >= 0 {
			r, c := e.Index%(d*d)/d, e.Index%d
			e.Index = e.Index / (d * d)
			e.Reason = fmt.Sprintf("Cholesky factor entry (%d,%d): %s", r, c, e.Reason)
		}
	}
	return &e
}

// Describe says what the file holds, for people: "3 components",
// "2 components in 2 dimensions, isotropic covariances", "40 values,
// uniform weights", "100 points in 3 dimensions, weighted".
func (f *File[F]) Describe() string {
	if f.Kind == KindMixture {
		s := plural(len(f.Mixture.Weights), "component")
		if !f.Nested {
			return s
		}
		cov := map[Cov]string{CovFull: "full", CovDiag: "diagonal", CovIso: "isotropic"}[f.Cov]
		return fmt.Sprintf("%s in %s, %s covariances", s, plural(f.Dim, "dimension"), cov)
	}
	var s string
	if f.Nested {
		s = fmt.Sprintf("%s in %s", plural(f.Len(), "point"), plural(f.Dim, "dimension"))
	} else {
		s = plural(f.Len(), "value")
	}
	if f.Samples.Weights == nil {
		return s + ", uniform weights"
	}
	return s + ", weighted"
}

// factorise returns the Cholesky factors of k d×d covariance matrices
// (flat, row-major), computed in float64 by cramer.NewMixtureND, which
// reports a matrix that is not symmetric positive definite.
func factorise[F cramer.Float](name string, means, covs []F, k, d int) ([]F, error) {
	m64 := make([]float64, k*d)
	for i, v := range means {
		m64[i] = float64(v)
	}
	mats := make([]mat.Matrix, k)
	for i := range mats {
		c := make([]float64, d*d)
		for j := range c {
			c[j] = float64(covs[i*d*d+j])
		}
		mats[i] = mat.NewDense(d, d, c)
	}
	// The weights are checked later, in F: the factorisation gets uniform ones.
	uniform := make([]float64, k)
	for i := range uniform {
		uniform[i] = 1 / float64(k)
	}
	p, err := cramer.NewMixtureND(uniform, mat.NewDense(k, d, m64), mats)
	if err != nil {
		tmp := &File[F]{Name: name, Kind: KindMixture, Nested: true, Dim: d, Cov: CovFull}
		return nil, tmp.Locate(err)
	}
	chol := make([]F, len(p.Chol))
	for i, v := range p.Chol {
		chol[i] = F(v)
	}
	return chol, nil
}
