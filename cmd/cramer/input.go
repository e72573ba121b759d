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
)

// input is one parsed P or Q file, its numbers already rounded to the
// requested precision (held in float64).
type input struct {
	name string // the file name as given on the command line
	kind string // kindMixture or kindSamples
	csv  bool

	weights, means, stds []float64 // a mixture
	values, sweights     []float64 // a sample set; sweights nil means uniform
	lines                []int     // CSV: the line of each value
}

const (
	kindMixture = "mixture"
	kindSamples = "samples"
)

// describe says what the input is, for the text output.
func (in *input) describe() string {
	if in.kind == kindMixture {
		return plural(len(in.weights), "component")
	}
	s := plural(len(in.values), "value")
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
	in := &input{name: name}
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

// parseCSV reads one sample per line. Blank lines and lines starting with #
// are skipped, as is anything after a # on a line.
func (in *input) parseCSV(data []byte, bits int) error {
	in.kind = kindSamples
	in.values = []float64{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
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
		v, err := strconv.ParseFloat(s, bits)
		field := fmt.Sprintf("line %d", line)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) && math.IsInf(v, 0) {
				return inputErr(in.name, field, -1, "%s is out of range for float%d", abbrev(s), bits)
			}
			return inputErr(in.name, field, -1, "%s is not a number (want one sample per line; # starts a comment)", strconv.Quote(abbrev(s)))
		}
		in.values = append(in.values, v)
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
	} else {
		in.kind, allowed = kindMixture, []string{"weights", "means", "stds"}
	}
	for _, key := range order {
		if !contains(allowed, key) {
			return inputErr(in.name, strconv.Quote(key), -1, "unknown field (a %s file has %s)", in.kind, quoteList(allowed))
		}
	}

	if in.kind == kindSamples {
		if in.values, err = numbers(in.name, "samples", fields["samples"], bits); err != nil {
			return err
		}
		if in.values == nil {
			return inputErr(in.name, "samples", -1, "null (want an array of numbers)")
		}
		if raw, ok := fields["weights"]; ok {
			if in.sweights, err = numbers(in.name, "weights", raw, bits); err != nil {
				return err
			}
		}
		return nil
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
// and the field as the file spells it; other errors pass unchanged.
func (in *input) rename(err error) error {
	var ie *cramer.InputError
	if !errors.As(err, &ie) {
		return err
	}
	e := *ie
	e.Arg = in.name
	if in.kind == kindSamples && e.Field == "values" {
		if in.csv {
			if e.Index >= 0 && e.Index < len(in.lines) {
				e.Reason += fmt.Sprintf(" (line %d)", in.lines[e.Index])
			}
		} else {
			e.Field = "samples"
		}
	}
	return &e
}
