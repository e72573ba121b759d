package mixio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mixio"
)

func read64(t *testing.T, doc string, format mixio.Format) (*mixio.File[float64], error) {
	t.Helper()
	return mixio.Read[float64](strings.NewReader(doc), "f.json", format)
}

// A syntax error inside a field's value is reported at its own line and
// column and names the field.
func TestSyntaxErrorPosition(t *testing.T) {
	doc := "{\n  \"weights\": [0.5, 0.5],\n\n\n\n  \"means\": [0, 1, 2,,\n  \"stds\": [1, 1]\n}\n"
	_, err := read64(t, doc, mixio.Auto)
	var se *mixio.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *SyntaxError", err)
	}
	if se.Line != 6 || se.Col != 21 || se.Field != `"means"` {
		t.Errorf("got %d:%d in %s (%v), want 6:21 in \"means\"", se.Line, se.Col, se.Field, err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "f.json:6:21: malformed JSON in \"means\"") {
		t.Errorf("message %q", msg)
	}
}

// offset converts a 1-based line and byte column into a byte offset.
func offset(doc string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		off += strings.IndexByte(doc[off:], '\n') + 1
	}
	return off + col - 1
}

// TestSyntaxAgreesWithEncodingJSON corrupts valid documents at random and
// requires a *SyntaxError exactly when encoding/json finds the result
// invalid, at the byte where encoding/json stopped (or at the end of the
// input for a truncated document).
func TestSyntaxAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		"{\"weights\": [0.5, 0.5],\n \"means\": [-1.5e3, 2],\n \"stds\": [1, 0.25]}",
		"{\"samples\": [[1, 2], [3, 4.5]],\n \"weights\": [0.25, 0.75]}",
		"{\"weights\": [1], \"means\": [[0, 0]], \"covs\": [[[1, 0], [0, 2]]]}\n",
		"{\"samples\": [1, 2, 3], \"weights\": null}",
	}
	junk := []byte(",:[]{}\"\\-+.eE0123456789 \nabtnulx\x01")
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 4000; i++ {
		b := []byte(docs[i%len(docs)])
		switch r.IntN(3) {
		case 0: // replace a byte
			b[r.IntN(len(b))] = junk[r.IntN(len(junk))]
		case 1: // insert a byte
			j := r.IntN(len(b) + 1)
			b = slices.Insert(b, j, junk[r.IntN(len(junk))])
		default: // delete a byte
			j := r.IntN(len(b))
			b = slices.Delete(b, j, j+1)
		}
		doc := string(b)
		if strings.TrimLeft(doc, " \n")[0] != '{' {
			continue // not an object: a different error
		}
		_, err := read64(t, doc, mixio.JSON)
		var se *mixio.SyntaxError
		mine := errors.As(err, &se)
		var v any
		jerr := json.Unmarshal(b, &v)
		var jse *json.SyntaxError
		theirs := errors.As(jerr, &jse) || (jerr != nil && strings.Contains(jerr.Error(), "unexpected end"))
		if mine != theirs {
			t.Fatalf("%q: SyntaxError %v (%v), encoding/json %v", doc, mine, err, jerr)
		}
		if !mine || jse == nil {
			continue
		}
		got := offset(doc, se.Line, se.Col)
		if want := int(jse.Offset) - 1; got != want && !(strings.Contains(err.Error(), "end of JSON") && got == len(doc)) {
			t.Fatalf("%q: error at byte %d (%v), encoding/json at byte %d (%v)", doc, got, err, want, jerr)
		}
	}
}

// TestRoundTrip writes mixtures and sample sets and reads them back.
func TestRoundTrip(t *testing.T) {
	m := cramer.Mixture[float64]{Weights: []float64{0.2, 0.3, 0.5}, Means: []float64{-1e-300, 1.0 / 3, 4e100}, Stds: []float64{0, 0.1, math.Pi}}
	var buf bytes.Buffer
	if err := mixio.WriteMixture(&buf, m); err != nil {
		t.Fatal(err)
	}
	f, err := read64(t, buf.String(), mixio.Auto)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	got, ok := f.Mixture1D()
	if !ok || f.Nested || f.Kind != mixio.KindMixture || !slices.Equal(got.Weights, m.Weights) || !slices.Equal(got.Means, m.Means) || !slices.Equal(got.Stds, m.Stds) {
		t.Errorf("1-D mixture: read back %+v, want %+v\n%s", got, m, buf.String())
	}

	m32 := cramer.Mixture[float32]{Weights: []float32{0.1, 0.9}, Means: []float32{1.0 / 3, -7}, Stds: []float32{0.3, 1e-30}}
	buf.Reset()
	if err := mixio.WriteMixture(&buf, m32); err != nil {
		t.Fatal(err)
	}
	f32, err := mixio.Read[float32](&buf, "m32", mixio.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := f32.Mixture1D(); !slices.Equal(g.Means, m32.Means) || !slices.Equal(g.Stds, m32.Stds) {
		t.Errorf("float32 mixture: read back %+v, want %+v", g, m32)
	}

	for _, nd := range []cramer.MixtureND[float64]{
		{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1, 2, 3}, IsoStds: []float64{1, 0}},
		{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1, 2, 3}, DiagStds: []float64{1, 2, 3, 0.5}},
		{Dim: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 1, 2, 3}, Chol: []float64{1, 0, 0.5, 2, 3, 0, -1, 0.1}},
		{Dim: 1, Weights: []float64{1}, Means: []float64{5}, IsoStds: []float64{2}},
	} {
		buf.Reset()
		if err := mixio.WriteMixtureND(&buf, nd); err != nil {
			t.Fatal(err)
		}
		text := buf.String()
		f, err := read64(t, text, mixio.Auto)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		g := f.Mixture
		if !f.Nested || f.Dim != nd.Dim || !slices.Equal(g.Weights, nd.Weights) || !slices.Equal(g.Means, nd.Means) ||
			!slices.Equal(g.IsoStds, nd.IsoStds) || !slices.Equal(g.DiagStds, nd.DiagStds) || !close(g.Chol, nd.Chol, 1e-15) {
			t.Errorf("read back %+v, want %+v\n%s", g, nd, text)
		}
	}

	s := cramer.SamplesND[float64]{Dim: 3, Values: []float64{1, 2, 3, 4, 5, 6}, Weights: []float64{0.25, 0.75}}
	buf.Reset()
	if err := mixio.WriteSamplesND(&buf, s); err != nil {
		t.Fatal(err)
	}
	if f, err := read64(t, buf.String(), mixio.Auto); err != nil || f.Kind != mixio.KindSamples || f.Dim != 3 ||
		!slices.Equal(f.Samples.Values, s.Values) || !slices.Equal(f.Samples.Weights, s.Weights) {
		t.Errorf("samples: read back %+v, %v\n%s", f, err, buf.String())
	}
	buf.Reset()
	if err := mixio.WriteSamples(&buf, cramer.Samples[float64]{Values: []float64{3, 1, 2}}); err != nil {
		t.Fatal(err)
	}
	if f, err := read64(t, buf.String(), mixio.Auto); err != nil || f.Nested || f.Samples.Weights != nil || !slices.Equal(f.Samples.Values, []float64{3, 1, 2}) {
		t.Errorf("1-D samples: read back %+v, %v\n%s", f, err, buf.String())
	}

	// Invalid values are not written.
	if err := mixio.WriteMixture(io.Discard, cramer.Mixture[float64]{Weights: []float64{0.5}, Means: []float64{0}, Stds: []float64{1}}); err == nil {
		t.Error("WriteMixture wrote a mixture whose weights sum to 0.5")
	}
}

func close(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*(1+math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// A file in the D-dimensional layout with D = 1 is the univariate value.
func TestDimensionOne(t *testing.T) {
	for _, doc := range []string{
		`{"weights": [0.25, 0.75], "means": [[0], [1]], "std": [1, 2]}`,
		`{"weights": [0.25, 0.75], "means": [[0], [1]], "stds": [[1], [2]]}`,
		`{"weights": [0.25, 0.75], "means": [[0], [1]], "covs": [[[1]], [[4]]]}`,
	} {
		f, err := read64(t, doc, mixio.Auto)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := f.Mixture1D()
		if !ok || !f.Nested || f.Dim != 1 || !slices.Equal(m.Means, []float64{0, 1}) || !slices.Equal(m.Stds, []float64{1, 2}) {
			t.Errorf("%s: Mixture1D %+v %v", doc, m, ok)
		}
	}
	f, err := read64(t, `{"samples": [[3], [1]]}`, mixio.Auto)
	if s, ok := f.Samples1D(); err != nil || !ok || !slices.Equal(s.Values, []float64{3, 1}) {
		t.Errorf("samples [[3], [1]]: %+v %v %v", s, ok, err)
	}
	// Errors about the univariate value name the file's fields.
	f, _ = read64(t, `{"weights": [0.25, 0.75], "means": [[0], [1]], "std": [1, 2]}`, mixio.Auto)
	err = f.Locate(&cramer.InputError{Arg: "p", Field: "stds", Index: 1, Reason: "bad"})
	if err.Error() != "f.json: std[1]: bad" {
		t.Errorf("Locate: %v", err)
	}
	err = f.Locate(&cramer.InputError{Arg: "p", Field: "means", Index: 1, Reason: "bad"})
	if err.Error() != "f.json: means[1][0]: bad" {
		t.Errorf("Locate: %v", err)
	}
}

// Errors name the field and index as the file spells them.
func TestErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"weights": [1], "means": [0], "stds": ["1"]}`, `f.json: stds[0]: want a number, got a string`},
		{`{"weights": [1], "means": [[0, 0]], "stds": [[1, 1e999]]}`, `f.json: stds[0][1]: 1e999 is out of range for float64`},
		{`{"weights": [1], "means": [[0, 0]], "covs": [[[1, 0], [0, true]]]}`, `f.json: covs[0][1][1]: want a number, got a boolean`},
		{`{"samples": [[0, 0], [1]]}`, `f.json: samples[1]: length 1, want 2 (the length of samples[0])`},
		{`{"samples": [1], "colour": {"r": [1, {}]}}`, `f.json: "colour": unknown field (a samples file has "samples", "weights")`},
		{`{"samples": [1, 2], "weights": [0.5, 0.25]}`, `f.json: weights: sum to 0.75, not 1 (tolerance 1e-09)`},
		{"{\"samples\": [1, 2]}\n{}", `f.json:2:1: malformed JSON: data after the top-level object`},
		{`{"samples": [1, 2]`, `f.json:1:19: malformed JSON: unexpected end of JSON input (want "," or "}" after a field's value)`},
		{"# x\n1\n\n2,3\n", `f.json: line 4: 2 comma-separated values, want 1 as on line 2 ("2,3" is not a number; # starts a comment)`},
		{"1\n\n# c\nnan\n", `f.json: values[1]: NaN (line 4)`},
	} {
		_, err := read64(t, c.doc, mixio.Auto)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.doc, err, c.want)
		}
	}
}

// filler is a reader of n bytes: prefix, then repeat repeated, then suffix.
type filler struct {
	parts [3]string
	n     int // repeats left
	i     int // position in the current part
	part  int
}

func (f *filler) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		if f.part == 1 && f.n == 0 {
			f.part, f.i = 2, 0
		}
		if f.part > 2 {
			break
		}
		s := f.parts[f.part]
		k := copy(p[w:], s[f.i:])
		w += k
		f.i += k
		if f.i == len(s) {
			f.i = 0
			if f.part == 1 {
				f.n--
			} else {
				f.part++
			}
		}
	}
	if w == 0 {
		return 0, io.EOF
	}
	return w, nil
}

// TestStreaming reads 20 MB documents holding few numbers (long comments,
// white space): the bytes allocated must follow the numbers, not the
// document, so nothing copies the whole input.
func TestStreaming(t *testing.T) {
	const n = 20000
	pad := strings.Repeat(" ", 1000)
	for _, c := range []struct {
		name   string
		parts  [3]string
		format mixio.Format
	}{
		{"CSV", [3]string{"", "1.5 #" + pad + "\n", ""}, mixio.CSV},
		{"JSON", [3]string{`{"samples": [0`, "," + pad + "1.5", "]}"}, mixio.JSON},
		{"JSON rows", [3]string{`{"samples": [[0, 0]`, "," + pad + "[1.5, 2]", "]}"}, mixio.JSON},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f, err := mixio.Read[float64](&filler{parts: c.parts, n: n}, c.name, c.format)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if f.Len() < n {
			t.Fatalf("%s: %d samples, want at least %d", c.name, f.Len(), n)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		values := uint64(len(f.Samples.Values) * 8)
		t.Logf("%s: %d MB of input, %d kB of values, %d kB allocated", c.name, n*len(c.parts[1])>>20, values>>10, alloc>>10)
		if alloc > 8*values+256<<10 {
			t.Errorf("%s: %d bytes allocated for %d bytes of values from %d bytes of input", c.name, alloc, values, n*len(c.parts[1]))
		}
	}
}

func ExampleWriteMixture() {
	m := cramer.Mixture[float64]{Weights: []float64{0.25, 0.75}, Means: []float64{-1, 2}, Stds: []float64{0.5, 1}}
	var buf bytes.Buffer
	if err := mixio.WriteMixture(&buf, m); err != nil {
		panic(err)
	}
	fmt.Print(buf.String())
	f, err := mixio.Read[float64](&buf, "m.json", mixio.Auto)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Describe())
	// Output:
	// {
	//   "weights": [0.25, 0.75],
	//   "means": [-1, 2],
	//   "stds": [0.5, 1]
	// }
	// 2 components
}

// FuzzRead: Read never panics; what it accepts is valid and, when it is
// JSON, valid for encoding/json too; a JSON document it calls malformed
// encoding/json rejects too.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"weights": [0.5, 0.5], "means": [0, 1], "stds": [1, 0.5]}`,
		`{"samples": [[1, 2], [3, 4]], "weights": [0.5, 0.5]}`,
		`{"weights": [1], "means": [[0, 0]], "covs": [[[1, 0.5], [0.5, 2]]]}`,
		`{"weights": [1], "means": [[0]], "std": [1]}`,
		"1\n2\n# c\n3\n",
		"1,2\n3,4\n",
		`{"samples": [1, 2], "x": {"a": ["\u00e9\ud83d\ude00", true, null]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, format := range []mixio.Format{mixio.Auto, mixio.JSON} {
			file, err := mixio.Read[float32](strings.NewReader(doc), "f", format)
			var se *mixio.SyntaxError
			isJSON := format == mixio.JSON || (file != nil && file.Format == mixio.JSON)
			if err == nil {
				if file.Kind == mixio.KindMixture && file.Mixture.Validate() != nil || file.Kind == mixio.KindSamples && file.Samples.Validate() != nil {
					t.Fatalf("%q: accepted an invalid value", doc)
				}
				if isJSON && !json.Valid([]byte(strings.TrimPrefix(doc, "\ufeff"))) {
					t.Fatalf("%q: accepted, but encoding/json finds it invalid", doc)
				}
			}
			if errors.As(err, &se) && json.Valid([]byte(strings.TrimPrefix(doc, "\ufeff"))) {
				t.Fatalf("%q: %v, but encoding/json finds it valid", doc, err)
			}
		}
	})
}

// Reading a data set of either dimension, as a fitting program does.
func ExampleRead() {
	data := "# x, y\n0.5, 1\n1.5, -2\n"
	f, err := mixio.Read[float32](strings.NewReader(data), "data.csv", mixio.Auto)
	if err != nil {
		panic(err) // names the file, the field (line) and the index
	}
	if s, ok := f.Samples1D(); ok {
		fmt.Println("1-D:", s.Values)
	} else {
		fmt.Println(f.Dim, "dimensions:", f.Samples.Values, f.Describe())
	}
	// Output:
	// 2 dimensions: [0.5 1 1.5 -2] 2 points in 2 dimensions, uniform weights
}
