package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gmmkit/cramer"
	"gonum.org/v1/gonum/mat"
)

// input is one parsed P or Q file, its numbers already rounded to the
// requested precision (held in float64).
//
// A file is in the 1-D format (nd false, dim 1: "means" and "samples" flat
// arrays of numbers, a CSV with one number per line) or in the D-dimensional
// format (nd true: one row of coordinates per component or sample, a CSV
// with comma-separated coordinates); a D-dimensional file may have D = 1.
type input struct {
	name string // the file name as given on the command line
	kind string // kindMixture or kindSamples
	csv  bool
	nd   bool   // the D-dimensional format
	dim  int    // the dimension (1 for the 1-D format)
	form string // a D-dimensional mixture's covariances: formCovs, formStds or formStd

	weights, means, stds []float64 // a mixture: means K·dim, stds K·dim (1-D: K)
	std                  []float64 // "std": K isotropic stds
	chol                 []float64 // "covs": the Cholesky factors, K·dim·dim row-major
	values, sweights     []float64 // a sample set (N·dim values); sweights nil means uniform
	lines                []int     // CSV: the line of each value (of each row)
}

// The covariance fields of a D-dimensional mixture.
const (
	formCovs = "covs"
	formStds = "stds"
	formStd  = "std"
)

const (
	kindMixture = "mixture"
	kindSamples = "samples"
)

// describe says what the input is, for the text output.
func (in *input) describe() string {
	if in.kind == kindMixture {
		s := plural(len(in.weights), "component")
		if !in.nd {
			return s
		}
		cov := map[string]string{formCovs: "full", formStds: "diagonal", formStd: "isotropic"}[in.form]
		return fmt.Sprintf("%s in %s, %s covariances", s, plural(in.dim, "dimension"), cov)
	}
	var s string
	if in.nd {
		s = fmt.Sprintf("%s in %s", plural(len(in.values)/in.dim, "point"), plural(in.dim, "dimension"))
	} else {
		s = plural(len(in.values), "value")
	}
	if in.sweights == nil {
		return s + ", uniform weights"
	}
	return s + ", weighted"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// inputErr is an error in a file: an *cramer.InputError whose Arg is the file name.
func inputErr(file, field string, index int, format string, a ...any) error {
	return &cramer.InputError{Arg: file, Field: field, Index: index, Reason: fmt.Sprintf(format, a...)}
}

// loadInput reads a P or Q file. bits is 64 or 32: numbers are rounded to
// that precision, and a number outside its range is an error.
func loadInput(name string, bits int) (*input, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the file name is printed once, in front
		}
		return nil, fmt.Errorf("%s: cannot read: %v", name, err)
	}
	in := &input{name: name, dim: 1}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		in.csv = true
	case ".json":
	default:
		// Sniff: a JSON file starts with an object.
		t := bytes.TrimLeft(data, " \t\r\n\ufeff")
		in.csv = len(t) == 0 || t[0] != '{'
	}
	if in.csv {
		err = in.parseCSV(data, bits)
	} else {
		err = in.parseJSON(data, bits)
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// parseCSV reads one sample per line: one number (the 1-D format) or, in D
// dimensions, D comma-separated coordinates, the same number on every line.
// Blank lines and lines starting with # are skipped, as is anything after
// a # on a line.
func (in *input) parseCSV(data []byte, bits int) error {
	in.kind = kindSamples
	in.values = []float64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line, first := 0, 0 // first: the first line with numbers
	for sc.Scan() {
		line++
		s := sc.Text()
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff") // a byte-order mark
		}
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		field := fmt.Sprintf("line %d", line)
		cells := strings.Split(s, ",")
		if first == 0 {
			first, in.dim = line, len(cells)
			in.nd = in.dim > 1
		}
		if len(cells) != in.dim {
			if in.dim == 1 {
				return inputErr(in.name, field, -1, "%d comma-separated values, want 1 as on line %d (%s is not a number; # starts a comment)", len(cells), first, strconv.Quote(abbrev(s)))
			}
			return inputErr(in.name, field, -1, "%s, want %d as on line %d (every line has the same number of comma-separated coordinates)", plural(len(cells), "coordinate"), in.dim, first)
		}
		for j, c := range cells {
			c = strings.TrimSpace(c)
			col := ""
			if in.nd {
				col = fmt.Sprintf(" (column %d)", j+1)
			}
			v, err := strconv.ParseFloat(c, bits)
			if err != nil {
				var ne *strconv.NumError
				if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) && math.IsInf(v, 0) {
					return inputErr(in.name, field, -1, "%s is out of range for float%d%s", abbrev(c), bits, col)
				}
				if in.nd {
					return inputErr(in.name, field, -1, "%s is not a number%s", strconv.Quote(abbrev(c)), col)
				}
				return inputErr(in.name, field, -1, "%s is not a number (want one sample per line; # starts a comment)", strconv.Quote(abbrev(c)))
			}
			in.values = append(in.values, v)
		}
		in.lines = append(in.lines, line)
	}
	if err := sc.Err(); err != nil {
		return inputErr(in.name, fmt.Sprintf("line %d", line+1), -1, "%v", err)
	}
	return nil
}

// abbrev shortens s for an error message.
func abbrev(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}

// parseJSON reads a mixture {"weights","means","stds"} or a sample set
// {"samples","weights"}; unknown and duplicate fields are errors.
func (in *input) parseJSON(data []byte, bits int) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) error {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			off = int64(len(data))
			err = errors.New("unexpected end of JSON input")
		}
		line, col := position(data, off)
		return fmt.Errorf("%s:%d:%d: malformed JSON: %v", in.name, line, col, err)
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: empty file (want a JSON object or one sample per line)", in.name)
		}
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		line, col := position(data, dec.InputOffset())
		return fmt.Errorf("%s:%d:%d: want a JSON object (a mixture {\"weights\",\"means\",\"stds\"} or samples {\"samples\",\"weights\"})", in.name, line, col)
	}
	fields := map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, ok := tok.(string)
		if !ok {
			return syntax(fmt.Errorf("want a field name, got %v", tok))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err)
		}
		if _, dup := fields[key]; dup {
			return inputErr(in.name, key, -1, "duplicate field")
		}
		fields[key] = raw
		order = append(order, key)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := position(data, dec.InputOffset())
		if err != nil {
			return syntax(err)
		}
		return fmt.Errorf("%s:%d:%d: malformed JSON: data after the top-level object", in.name, line, col)
	}

	var allowed []string
	if _, ok := fields["samples"]; ok {
		in.kind, allowed = kindSamples, []string{"samples", "weights"}
		in.nd = nested(fields["samples"])
	} else {
		in.kind, allowed = kindMixture, []string{"weights", "means", "stds"}
		_, std := fields[formStd]
		_, covs := fields[formCovs]
		in.nd = std || covs || nested(fields["means"])
		if in.nd {
			allowed = []string{"weights", "means", formCovs, formStds, formStd}
		}
	}
	for _, key := range order {
		if !contains(allowed, key) {
			what := in.kind
			if in.kind == kindMixture && in.nd {
				what = "D-dimensional mixture"
			}
			return inputErr(in.name, strconv.Quote(key), -1, "unknown field (a %s file has %s)", what, quoteList(allowed))
		}
	}

	if in.kind == kindSamples {
		if in.nd {
			rows, err := rows(in.name, "samples", fields["samples"], bits, -1, "one row of coordinates per sample", "")
			if err != nil {
				return err
			}
			in.dim = len(rows[0])
			in.values = flatten(rows)
		} else {
			if in.values, err = numbers(in.name, "samples", fields["samples"], bits); err != nil {
				return err
			}
			if in.values == nil {
				return inputErr(in.name, "samples", -1, "null (want an array of numbers)")
			}
		}
		if raw, ok := fields["weights"]; ok {
			if in.sweights, err = numbers(in.name, "weights", raw, bits); err != nil {
				return err
			}
		}
		return nil
	}
	if in.nd {
		return in.parseMixtureND(fields, bits)
	}
	for _, f := range []struct {
		name string
		dst  *[]float64
	}{{"weights", &in.weights}, {"means", &in.means}, {"stds", &in.stds}} {
		raw, ok := fields[f.name]
		if !ok {
			if len(fields) == 0 {
				return inputErr(in.name, f.name, -1, "missing (an empty object is neither a mixture {\"weights\",\"means\",\"stds\"} nor samples {\"samples\"})")
			}
			return inputErr(in.name, f.name, -1, "missing (a mixture file has %s)", quoteList(allowed))
		}
		v, err := numbers(in.name, f.name, raw, bits)
		if err != nil {
			return err
		}
		if v == nil {
			return inputErr(in.name, f.name, -1, "null (want an array of numbers)")
		}
		*f.dst = v
	}
	return nil
}

// parseMixtureND reads a D-dimensional mixture: "weights" (K numbers),
// "means" (K rows of D coordinates) and exactly one of "covs" (K symmetric
// positive definite D×D matrices, factorised here), "stds" (K rows of D
// standard deviations) or "std" (K numbers).
func (in *input) parseMixtureND(fields map[string]json.RawMessage, bits int) error {
	const has = `a D-dimensional mixture has "weights", "means" and one of "covs", "stds", "std"`
	raw, ok := fields["weights"]
	if !ok {
		return inputErr(in.name, "weights", -1, "missing (%s)", has)
	}
	var err error
	if in.weights, err = numbers(in.name, "weights", raw, bits); err != nil {
		return err
	}
	if in.weights == nil {
		return inputErr(in.name, "weights", -1, "null (want an array of numbers)")
	}
	if raw, ok = fields["means"]; !ok {
		return inputErr(in.name, "means", -1, "missing (%s)", has)
	}
	means, err := rows(in.name, "means", raw, bits, -1, "one row of coordinates per component", "")
	if err != nil {
		return err
	}
	k := len(in.weights)
	if k == 0 {
		return inputErr(in.name, "weights", -1, "empty mixture")
	}
	if len(means) != k {
		return inputErr(in.name, "means", -1, "length %d, want %d (one row per weight)", len(means), k)
	}
	d := len(means[0])
	in.dim, in.means = d, flatten(means)

	for _, f := range []string{formCovs, formStds, formStd} {
		if _, ok := fields[f]; !ok {
			continue
		}
		if in.form != "" {
			return inputErr(in.name, f, -1, "conflicts with %q: give only one of \"covs\" (full), \"stds\" (diagonal), \"std\" (isotropic)", in.form)
		}
		in.form = f
	}
	dimWhy := fmt.Sprintf("the dimension of means, %d", d)
	switch in.form {
	case "":
		return inputErr(in.name, formCovs, -1, `missing: a D-dimensional mixture needs one of "covs" (full covariance matrices), "stds" (diagonal: a row of D stds per component) or "std" (isotropic: one std per component)`)
	case formStd:
		if in.std, err = numbers(in.name, formStd, fields[formStd], bits); err != nil {
			return err
		}
		if in.std == nil {
			return inputErr(in.name, formStd, -1, "null (want an array of numbers, one per component)")
		}
		if len(in.std) != k {
			return inputErr(in.name, formStd, -1, "length %d, want %d (one isotropic std per component)", len(in.std), k)
		}
	case formStds:
		stds, err := rows(in.name, formStds, fields[formStds], bits, d, fmt.Sprintf(`one row of %d stds per component; "std" gives one isotropic std per component`, d), dimWhy)
		if err != nil {
			return err
		}
		if len(stds) != k {
			return inputErr(in.name, formStds, -1, "length %d, want %d (one row per component)", len(stds), k)
		}
		in.stds = flatten(stds)
	case formCovs:
		return in.parseCovs(fields[formCovs], means, bits, dimWhy)
	}
	return nil
}

// parseCovs reads K covariance matrices, D×D each, and factorises them with
// cramer.NewMixtureND (which reports a matrix that is not symmetric or not
// positive definite).
func (in *input) parseCovs(raw json.RawMessage, means [][]float64, bits int, dimWhy string) error {
	k, d := len(means), in.dim
	raw = bytes.TrimSpace(raw)
	var elems []json.RawMessage
	if string(raw) == "null" || json.Unmarshal(raw, &elems) != nil {
		return inputErr(in.name, formCovs, -1, "want an array of %d×%d matrices [[[…], …], …], got %s", d, d, jsonKind(raw))
	}
	if len(elems) != k {
		return inputErr(in.name, formCovs, -1, "length %d, want %d (one matrix per component)", len(elems), k)
	}
	covs := make([]mat.Matrix, k)
	for i, e := range elems {
		e = bytes.TrimSpace(e)
		field := fmt.Sprintf("covs[%d]", i)
		if len(e) == 0 || e[0] != '[' {
			return inputErr(in.name, formCovs, i, "want a %d×%d matrix (an array of %d rows), got %s", d, d, d, jsonKind(e))
		}
		m, err := rows(in.name, field, e, bits, d, fmt.Sprintf("the rows of a %d×%d covariance matrix", d, d), dimWhy)
		if err != nil {
			return err
		}
		if len(m) != d {
			return inputErr(in.name, formCovs, i, "%s, want %d (a %d×%d matrix: %s)", plural(len(m), "row"), d, d, d, dimWhy)
		}
		covs[i] = mat.NewDense(d, d, flatten(m))
	}
	// The weights are checked later, in the computation's precision: the
	// factorisation gets uniform ones.
	uniform := make([]float64, k)
	for i := range uniform {
		uniform[i] = 1 / float64(k)
	}
	p, err := cramer.NewMixtureND(uniform, mat.NewDense(k, d, flatten(means)), covs)
	if err != nil {
		return in.rename(err)
	}
	in.chol = p.Chol
	return nil
}

// nested reports whether raw is an array whose first element is an array:
// the D-dimensional format.
func nested(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return false
	}
	raw = bytes.TrimSpace(raw[1:])
	return len(raw) > 0 && raw[0] == '['
}

// rows parses a JSON array of rows, each an array of numbers of length want
// (or, when want < 0, of the first row's length, at least 1). desc says what
// the rows are and why where want comes from, for error messages.
func rows(file, field string, raw json.RawMessage, bits, want int, desc, why string) ([][]float64, error) {
	raw = bytes.TrimSpace(raw)
	var elems []json.RawMessage
	if string(raw) == "null" || json.Unmarshal(raw, &elems) != nil {
		return nil, inputErr(file, field, -1, "want an array of rows [[…], …] (%s), got %s", desc, jsonKind(raw))
	}
	out := make([][]float64, len(elems))
	for i, e := range elems {
		e = bytes.TrimSpace(e)
		if len(e) == 0 || e[0] != '[' {
			return nil, inputErr(file, field, i, "want an array of numbers (%s), got %s", desc, jsonKind(e))
		}
		row, err := numbers(file, fmt.Sprintf("%s[%d]", field, i), e, bits)
		if err != nil {
			return nil, err
		}
		if want < 0 {
			if len(row) == 0 {
				return nil, inputErr(file, field, i, "empty (want at least one coordinate)")
			}
			want, why = len(row), fmt.Sprintf("the length of %s[0]", field)
		}
		if len(row) != want {
			return nil, inputErr(file, field, i, "length %d, want %d (%s)", len(row), want, why)
		}
		out[i] = row
	}
	return out, nil
}

func flatten(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// numbers parses a JSON array of numbers; null gives a nil slice.
func numbers(file, field string, raw json.RawMessage, bits int) ([]float64, error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, inputErr(file, field, -1, "want an array of numbers, got %s", jsonKind(raw))
	}
	out := make([]float64, len(elems))
	for i, e := range elems {
		e = bytes.TrimSpace(e)
		if len(e) == 0 || (e[0] != '-' && (e[0] < '0' || e[0] > '9')) {
			return nil, inputErr(file, field, i, "want a number, got %s", jsonKind(e))
		}
		v, err := strconv.ParseFloat(string(e), bits)
		if err != nil {
			if math.IsInf(v, 0) {
				return nil, inputErr(file, field, i, "%s is out of range for float%d", abbrev(string(e)), bits)
			}
			return nil, inputErr(file, field, i, "%s is not a number", abbrev(string(e)))
		}
		out[i] = v
	}
	return out, nil
}

// jsonKind names the type of a JSON value for an error message.
func jsonKind(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	}
	return "a number"
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
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

// Conversion to the library's types.

func convert[F cramer.Float](x []float64) []F {
	if x == nil {
		return nil
	}
	out := make([]F, len(x))
	for i, v := range x {
		out[i] = F(v)
	}
	return out
}

func mixtureOf[F cramer.Float](in *input) cramer.Mixture[F] {
	return cramer.Mixture[F]{Weights: convert[F](in.weights), Means: convert[F](in.means), Stds: convert[F](in.stds)}
}

func samplesOf[F cramer.Float](in *input) cramer.Samples[F] {
	return cramer.Samples[F]{Values: convert[F](in.values), Weights: convert[F](in.sweights)}
}

// validate checks the input with the library's rules (in precision F) and
// returns its *InputError with the file name as Arg and the field named as
// in the file.
func validate[F cramer.Float](in *input) error {
	var err error
	if in.kind == kindMixture {
		err = mixtureOf[F](in).Validate()
	} else {
		err = samplesOf[F](in).Validate()
	}
	return in.rename(err)
}

// rename rewrites a library *InputError about this input to name the file
// and the field as the file spells it (in D dimensions, a flat index i of
// means, stds or values becomes row i/D, coordinate i%D; an entry of a
// Cholesky factor becomes its covariance matrix); other errors pass
// unchanged.
func (in *input) rename(err error) error {
	var ie *cramer.InputError
	if !errors.As(err, &ie) {
		return err
	}
	e := *ie
	e.Arg = in.name
	d := max(in.dim, 1)
	row := 0 // the row (sample or component) of e.Index
	if e.Index >= 0 {
		row = e.Index
		if in.nd {
			row = e.Index / d
		}
	}
	// perRow names the element in D dimensions as field[row][coordinate].
	perRow := func(field string) {
		e.Field = field
		if in.nd && e.Index >= 0 {
			e.Field, e.Index = fmt.Sprintf("%s[%d]", field, row), e.Index%d
		}
	}
	switch {
	case in.kind == kindSamples && e.Field == "values":
		if in.csv {
			if e.Index >= 0 && row < len(in.lines) {
				e.Reason += fmt.Sprintf(" (line %d)", in.lines[row])
			}
			perRow("values")
		} else {
			perRow("samples")
		}
	case in.kind == kindMixture && (e.Field == "means" || e.Field == "stds"):
		perRow(e.Field)
	case in.kind == kindMixture && e.Field == "chol":
		e.Field = formCovs
		if e.Index >= 0 {
			r, c := e.Index%(d*d)/d, e.Index%d
			e.Index = e.Index / (d * d)
			e.Reason = fmt.Sprintf("Cholesky factor entry (%d,%d): %s", r, c, e.Reason)
		}
	}
	return &e
}

// mixtureNDOf converts a mixture (of either format) to the library's
// D-dimensional type; a 1-D file has diagonal stds in dimension 1.
func mixtureNDOf[F cramer.Float](in *input) cramer.MixtureND[F] {
	m := cramer.MixtureND[F]{Dim: in.dim, Weights: convert[F](in.weights), Means: convert[F](in.means)}
	switch in.form {
	case formCovs:
		m.Chol = convert[F](in.chol)
	case formStd:
		m.Std = convert[F](in.std)
	default: // "stds", or a 1-D file
		m.Stds = convert[F](in.stds)
	}
	return m
}

func samplesNDOf[F cramer.Float](in *input) cramer.SamplesND[F] {
	return cramer.SamplesND[F]{Dim: in.dim, Values: convert[F](in.values), Weights: convert[F](in.sweights)}
}

// validateND is validate for the D-dimensional computation.
func validateND[F cramer.Float](in *input) error {
	var err error
	if in.kind == kindMixture {
		err = mixtureNDOf[F](in).Validate()
	} else {
		err = samplesNDOf[F](in).Validate()
	}
	return in.rename(err)
}

// dimensionSource names where the file gives its dimension, for an error
// about it: the field and index (or -1).
func (in *input) dimensionSource() (string, int) {
	switch {
	case in.csv && len(in.lines) > 0:
		return fmt.Sprintf("line %d", in.lines[0]), -1
	case in.csv:
		return "values", -1
	case in.kind == kindSamples && in.nd:
		return "samples", 0
	case in.kind == kindSamples:
		return "samples", -1
	case in.nd:
		return "means", 0
	}
	return "means", -1
}

// checkDims reports P and Q of different dimensions, naming Q's file.
func checkDims(p, q *input) error {
	if p.dim == q.dim {
		return nil
	}
	field, index := q.dimensionSource()
	what := func(in *input) string {
		if !in.nd {
			return "1-D (a flat array of numbers or one number per line)"
		}
		return fmt.Sprintf("%d-dimensional", in.dim)
	}
	return inputErr(q.name, field, index, "%s, but P (%s) is %s: P and Q must have the same dimension", what(q), p.name, what(p))
}
