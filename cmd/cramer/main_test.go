package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
	"gonum.org/v1/gonum/mat"
)

const (
	exampleP       = "../../testdata/examples/p.json"
	exampleQ       = "../../testdata/examples/q.json"
	exampleCSV     = "../../testdata/examples/samples.csv"
	exampleSamples = "../../testdata/examples/samples.json"
)

// runCmd runs the command line and returns its exit status and outputs.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// writeFile writes content to name in a fresh temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantOneLineError checks exit status 2 and exactly one line on stderr
// containing every one of want, and nothing on stdout.
func wantOneLineError(t *testing.T, status int, stdout, stderr string, want ...string) {
	t.Helper()
	if status != exitBad {
		t.Errorf("exit status %d, want %d (stderr %q)", status, exitBad, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not contain %q", stderr, w)
		}
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr looks like a panic: %q", stderr)
	}
}

const goodMixture = `{"weights": [0.5, 0.5], "means": [0, 1], "stds": [1, 0.5]}`

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, file, content string
		flags               []string
		want                []string // besides the file name
	}{
		{"malformed JSON", "p.json", `{"weights": [1, 0.5`, nil, []string{"malformed JSON", ":1:"}},
		{"malformed JSON later line", "p.json", "{\n \"weights\": [1],\n \"means\": [0] \"stds\": [1]}", nil, []string{"malformed JSON", ":3:"}},
		{"malformed JSON in a field's value", "p.json", "{\n  \"weights\": [0.5, 0.5],\n\n\n\n  \"means\": [0, 1, 2,,\n  \"stds\": [1, 1]\n}\n", nil, []string{"malformed JSON", ":6:21:", `in "means"`}},
		{"empty JSON file", "p.json", "", nil, []string{"empty"}},
		{"not an object", "p.json", `[1, 2, 3]`, nil, []string{"JSON object"}},
		{"trailing data", "p.json", goodMixture + ` {}`, nil, []string{"after the top-level object"}},
		{"unknown field", "p.json", `{"weights": [1], "means": [0], "stds": [1], "colour": "red"}`, nil, []string{`"colour"`, "unknown field"}},
		{"unknown field in samples", "p.json", `{"samples": [1, 2], "stds": [1, 1]}`, nil, []string{`"stds"`, "unknown field"}},
		{"duplicate field", "p.json", `{"weights": [1], "means": [0], "means": [2], "stds": [1]}`, nil, []string{"means", "duplicate"}},
		{"missing field", "p.json", `{"weights": [1], "means": [0]}`, nil, []string{"stds", "missing"}},
		{"empty object", "p.json", `{}`, nil, []string{"weights", "missing"}},
		{"null field", "p.json", `{"weights": [1], "means": null, "stds": [1]}`, nil, []string{"means", "null"}},
		{"field not an array", "p.json", `{"weights": [1], "means": 3, "stds": [1]}`, nil, []string{"means", "array"}},
		{"string element", "p.json", `{"weights": [0.5, 0.5], "means": [0, "1"], "stds": [1, 1]}`, nil, []string{"means[1]", "string"}},
		{"null element", "p.json", `{"samples": [1, null, 3]}`, nil, []string{"samples[1]", "null"}},
		{"huge literal", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1e999], "stds": [1, 1]}`, nil, []string{"means[1]", "out of range"}},
		{"huge negative literal", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1], "stds": [-1e999, 1]}`, nil, []string{"stds[0]", "out of range"}},
		{"out of float32 range", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1e39], "stds": [1, 1]}`, []string{"--precision", "f32"}, []string{"means[1]", "float32"}},
		{"magnitude too large", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1e200], "stds": [1, 1]}`, nil, []string{"means[1]", "magnitude"}},
		{"negative std", "p.json", `{"weights": [0.25, 0.25, 0.5], "means": [0, 1, 2], "stds": [1, 1, -0.5]}`, nil, []string{"stds[2]", "negative"}},
		{"negative weight", "p.json", `{"weights": [-0.5, 1.5], "means": [0, 1], "stds": [1, 1]}`, nil, []string{"weights[0]", "negative"}},
		{"weights sum", "p.json", `{"weights": [0.5, 0.6], "means": [0, 1], "stds": [1, 1]}`, nil, []string{"weights:", "sum"}},
		{"weights sum just outside f64 tolerance", "p.json", `{"weights": [0.5, 0.500000002], "means": [0, 1], "stds": [1, 1]}`, nil, []string{"weights:", "sum"}},
		{"weights sum f32", "p.json", `{"weights": [0.5, 0.50002], "means": [0, 1], "stds": [1, 1]}`, []string{"--precision=f32"}, []string{"weights:", "sum"}},
		{"length mismatch", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1, 2], "stds": [1, 1]}`, nil, []string{"means:", "length 3"}},
		{"stds length mismatch", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1], "stds": [1]}`, nil, []string{"stds:", "length 1"}},
		{"empty mixture", "p.json", `{"weights": [], "means": [], "stds": []}`, nil, []string{"weights:", "empty"}},
		{"empty samples", "p.json", `{"samples": []}`, nil, []string{"samples:", "no samples"}},
		{"samples weights negative", "p.json", `{"samples": [1, 2, 3], "weights": [0.5, -0.1, 0.6]}`, nil, []string{"weights[1]", "negative"}},
		{"samples weights sum", "p.json", `{"samples": [1, 2, 3], "weights": [0.5, 0.1, 0.6]}`, nil, []string{"weights:", "sum"}},
		{"samples weights length", "p.json", `{"samples": [1, 2, 3], "weights": [0.5, 0.5]}`, nil, []string{"weights:", "length 2"}},
		{"samples magnitude", "p.json", `{"samples": [1, -1e300]}`, nil, []string{"samples[1]", "magnitude"}},
		{"CSV header", "x.csv", "value\n1.5\n2.5\n", nil, []string{"line 1", `"value"`, "not a number"}},
		{"CSV bad later line", "x.csv", "# comment\n1.5\n\n2.5,3\n", nil, []string{"line 4", "not a number"}},
		{"CSV NaN", "x.csv", "1.5\n\nnan\n", nil, []string{"values[1]", "NaN", "line 3"}},
		{"CSV Inf", "x.txt", "# samples\n1.5\n-inf\n", nil, []string{"values[1]", "infinite", "line 3"}},
		{"CSV huge literal", "x.csv", "1\n2\n1e999\n", nil, []string{"line 3", "out of range"}},
		{"CSV out of float32 range", "x.csv", "1\n-1e39\n", []string{"--precision", "f32"}, []string{"line 2", "float32"}},
		{"CSV magnitude", "x.csv", "1\n2e153\n", nil, []string{"values[1]", "magnitude", "line 2"}},
		{"CSV empty", "x.csv", "# nothing here\n\n", nil, []string{"values:", "no samples"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := writeFile(t, c.file, c.content)
			// The bad file as P and as Q: the error names it either way.
			for _, args := range [][]string{{bad, exampleQ}, {exampleP, bad}} {
				status, stdout, stderr := runCmd(t, append(append([]string{"dist"}, c.flags...), args...)...)
				wantOneLineError(t, status, stdout, stderr, append([]string{bad}, c.want...)...)
				if strings.Contains(stderr, exampleP) || strings.Contains(stderr, exampleQ) {
					t.Errorf("error names the good file: %q", stderr)
				}
			}
			// --json and --grad change nothing.
			status, stdout, stderr := runCmd(t, append(append([]string{"dist", "--json", "--grad"}, c.flags...), exampleP, bad)...)
			wantOneLineError(t, status, stdout, stderr, append([]string{bad}, c.want...)...)
		})
	}
}

func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	status, stdout, stderr := runCmd(t, "dist", exampleP, missing)
	wantOneLineError(t, status, stdout, stderr, missing, "cannot read")

	dir := t.TempDir() // a directory is not readable as a file
	status, stdout, stderr = runCmd(t, "dist", dir, exampleQ)
	wantOneLineError(t, status, stdout, stderr, dir, "cannot read")
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"dist"},
		{"dist", exampleP},
		{"dist", exampleP, exampleQ, exampleQ},
		{"dist", "--nope", exampleP, exampleQ},
		{"dist", "--precision", "f16", exampleP, exampleQ},
		{"dist", exampleP, exampleQ, "--precision"},
		{"bench", "--impl", "no-such-kernel", "--time", "1ms"},
		{"bench", "--workload", "no-such-workload"},
		{"bench", "--time", "0s"},
		{"bench", "extra"},
		{"bench", "--precision", "f128"},
		{"kernels", "extra"},
	}
	for _, args := range cases {
		status, stdout, stderr := runCmd(t, args...)
		if status != exitBad {
			t.Errorf("%q: exit status %d, want %d", args, status, exitBad)
		}
		if stdout != "" {
			t.Errorf("%q: stdout %q, want nothing", args, stdout)
		}
		if !strings.Contains(stderr, "usage:") || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%q: stderr %q, want a short message with a usage line", args, stderr)
		}
	}
	_, _, stderr := runCmd(t, "bench", "--impl", "no-such-kernel")
	if !strings.Contains(stderr, "no-such-kernel") {
		t.Errorf("unknown --impl: %q does not name it", stderr)
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"dist", "-h"}, {"bench", "--help"}, {"kernels", "-h"}} {
		if status, stdout, _ := runCmd(t, args...); status != exitOK || !strings.Contains(strings.ToLower(stdout), "usage:") {
			t.Errorf("%q: exit status %d, stdout %q", args, status, stdout)
		}
	}
}

func readMixture(t *testing.T, path string) cramer.Mixture[float64] {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m cramer.Mixture[float64]
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// distJSON is the --json output of dist.
type distJSON struct {
	Squared    float64                    `json:"squared"`
	Distance   float64                    `json:"distance"`
	Kernel     string                     `json:"kernel"`
	Directions int                        `json:"directions"`
	Dim        int                        `json:"dim"`
	GradP      map[string]json.RawMessage `json:"grad_p"`
	GradQ      map[string]json.RawMessage `json:"grad_q"`
	raw        map[string]json.RawMessage // every field, to check there are no others
}

// parseDist runs dist with args and parses its JSON output strictly.
func parseDist(t *testing.T, args ...string) distJSON {
	t.Helper()
	status, stdout, stderr := runCmd(t, append([]string{"dist"}, args...)...)
	if status != exitOK || stderr != "" {
		t.Fatalf("dist %q: exit status %d, stderr %q", args, status, stderr)
	}
	if strings.Count(stdout, "\n") != 1 {
		t.Errorf("--json output is not one line: %q", stdout)
	}
	var out distJSON
	if err := json.Unmarshal([]byte(stdout), &out.raw); err != nil {
		t.Fatalf("output %q is not a JSON object: %v", stdout, err)
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	return out
}

func (d distJSON) keys() []string {
	var k []string
	for key := range d.raw {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

// floats decodes a gradient field, checking its length.
func floats(t *testing.T, g map[string]json.RawMessage, field string, n int) []float64 {
	t.Helper()
	raw, ok := g[field]
	if !ok {
		t.Fatalf("gradient has no %q field: %v", field, g)
	}
	var x []float64
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatalf("gradient field %q: %v", field, err)
	}
	if len(x) != n {
		t.Fatalf("gradient field %q has %d elements, want %d", field, len(x), n)
	}
	return x
}

func gradKeys(g map[string]json.RawMessage) []string {
	var k []string
	for key := range g {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func TestDistJSON(t *testing.T) {
	p, q := readMixture(t, exampleP), readMixture(t, exampleQ)
	want, err := cramer.Squared(p, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--json", exampleP, exampleQ},
		{exampleP, exampleQ, "--json"},
		{exampleP, "--json", exampleQ},
		{"--precision=f64", exampleP, exampleQ, "-json"},
		{"--json", "--", exampleP, exampleQ},
	} {
		out := parseDist(t, args...)
		if got := out.keys(); !slices.Equal(got, []string{"dim", "directions", "distance", "kernel", "squared"}) {
			t.Errorf("%q: fields %q, want dim, directions, distance, kernel, squared", args, got)
		}
		if out.Directions != 0 || out.Dim != 1 {
			t.Errorf("%q: directions %d, dim %d; want 0 and 1 (1-D is exact)", args, out.Directions, out.Dim)
		}
		if out.Squared != want {
			t.Errorf("%q: squared %v, want %v", args, out.Squared, want)
		}
		if out.Distance != math.Sqrt(want) {
			t.Errorf("%q: distance %v, want %v", args, out.Distance, math.Sqrt(want))
		}
		if out.Kernel != cramer.Kernel() || out.Kernel == "" {
			t.Errorf("%q: kernel %q, want %q", args, out.Kernel, cramer.Kernel())
		}
	}
	if !(want > 1e-3) {
		t.Errorf("the examples should be visibly different: ℓ₂² = %v", want)
	}
}

func TestDistGrad(t *testing.T) {
	p, q := readMixture(t, exampleP), readMixture(t, exampleQ)
	var gp, gq cramer.MixtureGrad[float64]
	want, err := cramer.SquaredGrad(p, q, &gp, &gq)
	if err != nil {
		t.Fatal(err)
	}
	out := parseDist(t, "--grad", "--json", exampleP, exampleQ)
	if got := out.keys(); !slices.Equal(got, []string{"dim", "directions", "distance", "grad_p", "grad_q", "kernel", "squared"}) {
		t.Errorf("fields %q", got)
	}
	if out.Squared != want {
		t.Errorf("squared %v, want %v", out.Squared, want)
	}
	for _, g := range []struct {
		label string
		got   map[string]json.RawMessage
		want  cramer.MixtureGrad[float64]
		n     int
	}{{"grad_p", out.GradP, gp, 3}, {"grad_q", out.GradQ, gq, 4}} {
		if k := gradKeys(g.got); !slices.Equal(k, []string{"means", "stds", "weights"}) {
			t.Errorf("%s fields %q, want means, stds, weights", g.label, k)
		}
		for field, w := range map[string][]float64{"weights": g.want.Weights, "means": g.want.Means, "stds": g.want.Stds} {
			if got := floats(t, g.got, field, g.n); !slices.Equal(got, w) {
				t.Errorf("%s.%s = %v, want %v", g.label, field, got, w)
			}
		}
	}
}

func TestDistFloat32(t *testing.T) {
	p, q := readMixture(t, exampleP), readMixture(t, exampleQ)
	p32 := cramer.Mixture[float32]{Weights: toF32(p.Weights), Means: toF32(p.Means), Stds: toF32(p.Stds)}
	q32 := cramer.Mixture[float32]{Weights: toF32(q.Weights), Means: toF32(q.Means), Stds: toF32(q.Stds)}
	var gp cramer.MixtureGrad[float32]
	want32, err := cramer.SquaredGrad(p32, q32, &gp, nil)
	if err != nil {
		t.Fatal(err)
	}
	want64, _ := cramer.Squared(p, q)

	out := parseDist(t, "--precision", "f32", "--json", "--grad", exampleP, exampleQ)
	if float32(out.Squared) != want32 {
		t.Errorf("f32 squared %v, want the float32 %v", out.Squared, want32)
	}
	if math.Abs(out.Squared-want64) > 1e-5*want64 {
		t.Errorf("f32 squared %v too far from f64 %v", out.Squared, want64)
	}
	got := floats(t, out.GradP, "means", 3)
	for i := range got {
		if float32(got[i]) != gp.Means[i] {
			t.Errorf("f32 grad_p.means[%d] = %v, want %v", i, got[i], gp.Means[i])
		}
	}
	floats(t, out.GradQ, "stds", 4)

	// Weights summing to 1 within 1e-5 but not 1e-9: f32 accepts, f64 rejects.
	loose := writeFile(t, "loose.json", `{"weights": [0.5, 0.500002], "means": [0, 1], "stds": [1, 1]}`)
	if status, _, stderr := runCmd(t, "dist", "--precision", "f32", loose, exampleQ); status != exitOK {
		t.Errorf("f32 rejected weights within 1e-5: %q", stderr)
	}
	status, stdout, stderr := runCmd(t, "dist", loose, exampleQ)
	wantOneLineError(t, status, stdout, stderr, loose, "weights:", "sum")

	// Text output names the precision.
	status, stdout, _ = runCmd(t, "dist", "--precision", "f32", exampleP, exampleQ)
	if status != exitOK || !strings.Contains(stdout, "float32") {
		t.Errorf("f32 text output: status %d, %q", status, stdout)
	}
}

func readCSV(t *testing.T, path string) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x []float64
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var v float64
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		x = append(x, v)
	}
	return x
}

func TestDistSamples(t *testing.T) {
	p := readMixture(t, exampleP)
	xs := readCSV(t, exampleCSV)
	n := len(xs)
	var gp cramer.MixtureGrad[float64]
	var gx cramer.SamplesGrad[float64]
	want, err := cramer.SquaredToSamplesGrad(p, cramer.Samples[float64]{Values: xs}, &gp, &gx)
	if err != nil {
		t.Fatal(err)
	}

	// mixture vs CSV samples
	out := parseDist(t, "--json", "--grad", exampleP, exampleCSV)
	if out.Squared != want {
		t.Errorf("squared %v, want %v", out.Squared, want)
	}
	if k := gradKeys(out.GradQ); !slices.Equal(k, []string{"values", "weights"}) {
		t.Errorf("grad_q of samples has fields %q, want values, weights", k)
	}
	if got := floats(t, out.GradQ, "values", n); !slices.Equal(got, gx.Values) {
		t.Errorf("grad_q.values = %v, want %v", got, gx.Values)
	}
	floats(t, out.GradQ, "weights", n)
	if got := floats(t, out.GradP, "means", 3); !slices.Equal(got, gp.Means) {
		t.Errorf("grad_p.means = %v, want %v", got, gp.Means)
	}

	// samples vs mixture: the same distance, gradients swapped
	out = parseDist(t, exampleCSV, exampleP, "--grad", "--json")
	if out.Squared != want {
		t.Errorf("reversed: squared %v, want %v", out.Squared, want)
	}
	if got := floats(t, out.GradP, "values", n); !slices.Equal(got, gx.Values) {
		t.Errorf("reversed: grad_p.values = %v, want %v", got, gx.Values)
	}
	floats(t, out.GradQ, "weights", 3)

	// Weighted JSON samples vs CSV samples.
	ys := []float64{-1.2, -0.4, 0.3, 1.1, 1.9, 2.6, 4.2}
	yw := []float64{0.2, 0.1, 0.15, 0.15, 0.2, 0.1, 0.1}
	wantXY, err := cramer.SquaredSamples(cramer.Samples[float64]{Values: xs}, cramer.Samples[float64]{Values: ys, Weights: yw})
	if err != nil {
		t.Fatal(err)
	}
	out = parseDist(t, "--json", "--grad", exampleCSV, exampleSamples)
	if out.Squared != wantXY {
		t.Errorf("samples vs samples: squared %v, want %v", out.Squared, wantXY)
	}
	floats(t, out.GradP, "values", n)
	floats(t, out.GradQ, "weights", len(ys))

	// A CSV with comments, blank lines, CRLF line ends and surrounding
	// spaces equals the plain list; a file without extension is sniffed.
	messy := writeFile(t, "messy.txt", "\ufeff# header comment\r\n\r\n  1.5 \r\n-2 # trailing comment\r\n\n3e-1\n")
	plain := writeFile(t, "plain", "1.5\n-2\n0.3\n")
	asJSON := writeFile(t, "samples", "\ufeff"+`{"samples": [1.5, -2, 0.3]}`)
	a := parseDist(t, "--json", exampleP, messy)
	b := parseDist(t, "--json", exampleP, plain)
	c := parseDist(t, "--json", exampleP, asJSON)
	if a.Squared != b.Squared || a.Squared != c.Squared || a.Squared == 0 {
		t.Errorf("messy CSV %v, plain %v, JSON samples %v: want equal", a.Squared, b.Squared, c.Squared)
	}

	// f32 with samples
	out = parseDist(t, "--json", "--precision", "f32", exampleP, exampleCSV)
	if math.Abs(out.Squared-want) > 1e-5*want {
		t.Errorf("f32 samples: %v, f64 %v", out.Squared, want)
	}
}

func TestDistText(t *testing.T) {
	status, stdout, stderr := runCmd(t, "dist", exampleP, exampleQ)
	if status != exitOK || stderr != "" {
		t.Fatalf("exit status %d, stderr %q", status, stderr)
	}
	p, q := readMixture(t, exampleP), readMixture(t, exampleQ)
	sq, _ := cramer.Squared(p, q)
	for _, want := range []string{
		exampleP, exampleQ, "mixture, 3 components", "mixture, 4 components",
		"ℓ₂²", "energy", "scipy", cramer.Kernel(), "float64",
		ftoa(sq), ftoa(math.Sqrt(sq)), ftoa(math.Sqrt(2 * sq)),
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text output does not contain %q:\n%s", want, stdout)
		}
	}

	status, stdout, _ = runCmd(t, "dist", "--grad", exampleP, exampleCSV)
	if status != exitOK || !strings.Contains(stdout, "∂/∂mean") || !strings.Contains(stdout, "∂/∂value") ||
		!strings.Contains(stdout, "samples, 40 values, uniform weights") {
		t.Errorf("--grad text output:\n%s", stdout)
	}
}

func TestBenchJSON(t *testing.T) {
	before := cramer.Kernel()
	status, stdout, stderr := runCmd(t, "bench", "--json", "--time", "1ms")
	if status != exitOK || stderr != "" {
		t.Fatalf("exit status %d, stderr %q", status, stderr)
	}
	var out struct {
		Impl      string `json:"impl"`
		Precision string `json:"precision"`
		Workloads []struct {
			Name         string   `json:"name"`
			MpairsPerS   *float64 `json:"mpairs_per_s"`
			NsPerExample *float64 `json:"ns_per_example"`
		} `json:"workloads"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("bench --json output %q: %v", stdout, err)
	}
	if out.Impl != before || out.Precision != "f64" {
		t.Errorf("impl %q precision %q, want %q f64", out.Impl, out.Precision, before)
	}
	var names []string
	for _, w := range out.Workloads {
		names = append(names, w.Name)
		if w.MpairsPerS == nil || !(*w.MpairsPerS > 0) || math.IsInf(*w.MpairsPerS, 0) {
			t.Errorf("%s: mpairs_per_s %v", w.Name, w.MpairsPerS)
		}
		if isMDN := strings.HasPrefix(w.Name, "mdn-"); isMDN != (w.NsPerExample != nil) || isMDN && !(*w.NsPerExample > 0) {
			t.Errorf("%s: ns_per_example %v", w.Name, w.NsPerExample)
		}
	}
	want := []string{"mixtures-1024", "mixtures-1024-grad", "batch-4096x1", "batch-4096x1-grad", "batch-4096x4", "batch-4096x4-grad", "batch-4096x8", "batch-4096x8-grad", "batch-4096x16", "batch-4096x16-grad", "mdn-65536x5", "mdn-65536x5-grad", "samples-32x100000", "mdn-4096x8", "mdn-4096x8-nll"}
	if !slices.Equal(names, want) {
		t.Errorf("workloads %q, want %q", names, want)
	}
}

func TestBenchOptions(t *testing.T) {
	before := cramer.Kernel()
	// Every registered implementation can be chosen; the active one is restored.
	for _, impl := range kernels.Names() {
		status, stdout, stderr := runCmd(t, "bench", "--impl", impl, "--precision", "f32", "--workload", "batch-4096x16", "--time", "1ms", "--json")
		if status != exitOK {
			t.Fatalf("--impl %s: exit status %d, stderr %q", impl, status, stderr)
		}
		var out struct {
			Impl, Precision string
			Workloads       []struct{ Name string }
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Impl != impl || out.Precision != "f32" || len(out.Workloads) != 1 || out.Workloads[0].Name != "batch-4096x16" {
			t.Errorf("--impl %s --precision f32 --workload batch-4096x16: %s", impl, stdout)
		}
		if cramer.Kernel() != before {
			t.Fatalf("bench left kernel %q active, was %q", cramer.Kernel(), before)
		}
	}

	// Text: one line per workload, for the demo.
	status, stdout, _ := runCmd(t, "bench", "--time", "1ms", "--workload", "samples-32x100000")
	if status != exitOK || strings.Count(stdout, "\n") != 1 || !regexp.MustCompile(`^samples-32x100000 +[0-9.]+ Mpair/s`).MatchString(stdout) {
		t.Errorf("bench --workload text output %q", stdout)
	}
}

func TestKernels(t *testing.T) {
	status, stdout, stderr := runCmd(t, "kernels")
	if status != exitOK || stderr != "" {
		t.Fatalf("exit status %d, stderr %q", status, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	names := kernels.Names()
	if len(lines) != len(names) {
		t.Fatalf("output %q, want one line for each of %q", stdout, names)
	}
	active := 0
	for i, line := range lines {
		if !strings.HasPrefix(line, names[i]) {
			t.Errorf("line %q, want kernel %q", line, names[i])
		}
		if strings.Contains(line, "(active)") {
			active++
			if names[i] != kernels.Active().Name {
				t.Errorf("%q marked active, but %q is", names[i], kernels.Active().Name)
			}
		}
	}
	if active != 1 || !slices.Contains(names, "purego") {
		t.Errorf("output %q: want purego listed and exactly one active", stdout)
	}
}

// panicWriter panics on every write, to test the last-resort recovery.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom\nsecond line") }

func TestRecover(t *testing.T) {
	var stderr bytes.Buffer
	status := run([]string{"kernels"}, panicWriter{}, &stderr)
	if status != exitBad || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "boom") {
		t.Errorf("exit status %d, stderr %q: want 2 and one line", status, stderr.String())
	}
}

// D-dimensional inputs.

const (
	exampleP3        = "../../testdata/examples/p3.json"      // 3-D, full covariances
	exampleQ3        = "../../testdata/examples/q3.json"      // 3-D, isotropic
	exampleSamples3  = "../../testdata/examples/samples3.csv" // 3-D, 40 points
	defaultDirs      = 256
	defaultSeed      = 1
	exactMCDirs      = 4096
	exactMCTolerance = 0.05 // relative: Monte-Carlo over 4096 directions vs exact
)

// mixND is a D-dimensional mixture file; exactly one of Covs, Stds, Std is set.
type mixND struct {
	Weights []float64     `json:"weights"`
	Means   [][]float64   `json:"means"`
	Covs    [][][]float64 `json:"covs,omitempty"`
	Stds    [][]float64   `json:"stds,omitempty"`
	Std     []float64     `json:"std,omitempty"`
}

// samplesND is a D-dimensional sample set file.
type samplesND struct {
	Samples [][]float64 `json:"samples"`
	Weights []float64   `json:"weights,omitempty"`
}

func flat(rows [][]float64) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func (m mixND) lib(t *testing.T) cramer.MixtureND[float64] {
	t.Helper()
	d := len(m.Means[0])
	if m.Covs != nil {
		covs := make([]mat.Matrix, len(m.Covs))
		for i, c := range m.Covs {
			covs[i] = mat.NewDense(d, d, flat(c))
		}
		p, err := cramer.NewMixtureND(m.Weights, mat.NewDense(len(m.Means), d, flat(m.Means)), covs)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := cramer.MixtureND[float64]{Dim: d, Weights: m.Weights, Means: flat(m.Means), IsoStds: m.Std}
	if m.Stds != nil {
		p.DiagStds = flat(m.Stds)
	}
	return p
}

func (s samplesND) lib() cramer.SamplesND[float64] {
	return cramer.SamplesND[float64]{Dim: len(s.Samples[0]), Values: flat(s.Samples), Weights: s.Weights}
}

// writeJSONFile marshals v into a temporary file.
func writeJSONFile(t *testing.T, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, string(b))
}

// writeCSVFile writes the rows as comma-separated lines, with a comment.
func writeCSVFile(t *testing.T, name string, rows [][]float64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# x, y, …\n")
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteString("\n")
	}
	return writeFile(t, name, b.String())
}

func readMixND(t *testing.T, path string) mixND {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m mixND
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func readCSVND(t *testing.T, path string) [][]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float64
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r []float64
		if err := json.Unmarshal([]byte("["+line+"]"), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// libSliced is the library's sliced ℓ₂² of two inputs (each a
// cramer.MixtureND or cramer.SamplesND) over dirs.
func libSliced(t *testing.T, p, q any, dirs cramer.Directions[float64]) float64 {
	t.Helper()
	var v float64
	var err error
	switch p := p.(type) {
	case cramer.MixtureND[float64]:
		switch q := q.(type) {
		case cramer.MixtureND[float64]:
			v, err = cramer.SlicedSquared(p, q, dirs)
		case cramer.SamplesND[float64]:
			v, err = cramer.SlicedSquaredToSamples(p, q, dirs)
		}
	case cramer.SamplesND[float64]:
		switch q := q.(type) {
		case cramer.MixtureND[float64]:
			v, err = cramer.SlicedSquaredToSamples(q, p, dirs)
		case cramer.SamplesND[float64]:
			v, err = cramer.SlicedSquaredSamples(p, q, dirs)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Two-dimensional fixtures, one of each form.
var (
	full2 = mixND{
		Weights: []float64{0.3, 0.7},
		Means:   [][]float64{{0, 0}, {1.5, -0.5}},
		Covs:    [][][]float64{{{1, 0.4}, {0.4, 0.7}}, {{0.5, -0.1}, {-0.1, 0.9}}},
	}
	diag2 = mixND{
		Weights: []float64{0.5, 0.25, 0.25},
		Means:   [][]float64{{0.5, 0.2}, {-1, 1}, {2, 0}},
		Stds:    [][]float64{{0.6, 1.1}, {0.4, 0.4}, {1, 0.3}},
	}
	iso2 = mixND{
		Weights: []float64{0.6, 0.4},
		Means:   [][]float64{{0.2, -0.1}, {1, 1}},
		Std:     []float64{0.9, 0.5},
	}
	iso2b = mixND{
		Weights: []float64{1},
		Means:   [][]float64{{0.5, 0.5}},
		Std:     []float64{1.2},
	}
	pts2 = samplesND{
		Samples: [][]float64{{0.1, 0.2}, {-0.8, 1.1}, {1.7, -0.3}, {0.4, 0.4}, {2.2, 0.9}},
		Weights: []float64{0.1, 0.3, 0.2, 0.2, 0.2},
	}
	csv2 = [][]float64{{0.5, -0.5}, {1.2, 0.3}, {-0.4, 0.8}, {0.9, 1.6}, {0.0, 0.1}, {1.9, -1.1}}
)

func TestDistND(t *testing.T) {
	type file struct {
		path string
		lib  any
		dim  int
	}
	full := file{writeJSONFile(t, "full2.json", full2), full2.lib(t), 2}
	diag := file{writeJSONFile(t, "diag2.json", diag2), diag2.lib(t), 2}
	iso := file{writeJSONFile(t, "iso2.json", iso2), iso2.lib(t), 2}
	pts := file{writeJSONFile(t, "pts2.json", pts2), pts2.lib(), 2}
	csv := file{writeCSVFile(t, "pts2.csv", csv2), samplesND{Samples: csv2}.lib(), 2}
	p3 := file{exampleP3, readMixND(t, exampleP3).lib(t), 3}
	q3 := file{exampleQ3, readMixND(t, exampleQ3).lib(t), 3}
	s3 := file{exampleSamples3, samplesND{Samples: readCSVND(t, exampleSamples3)}.lib(), 3}
	if got := len(readCSVND(t, exampleSamples3)); got != 40 {
		t.Fatalf("samples3.csv has %d rows, want 40", got)
	}

	pairs := [][2]file{
		{full, diag}, {diag, iso}, {iso, full}, {full, full}, {full, pts}, {pts, diag}, {iso, csv}, {csv, pts},
		{p3, q3}, {q3, p3}, {p3, s3}, {s3, q3}, {s3, s3},
	}
	for _, pq := range pairs {
		p, q := pq[0], pq[1]
		dirs := cramer.RandomDirections[float64](p.dim, defaultDirs, defaultSeed)
		want := libSliced(t, p.lib, q.lib, dirs)
		out := parseDist(t, "--json", p.path, q.path)
		if out.Squared != want || out.Distance != math.Sqrt(want) {
			t.Errorf("%s vs %s: squared %v distance %v, want %v and its root", p.path, q.path, out.Squared, out.Distance, want)
		}
		if out.Directions != defaultDirs || out.Dim != p.dim || out.Kernel != cramer.Kernel() {
			t.Errorf("%s vs %s: directions %d dim %d kernel %q", p.path, q.path, out.Directions, out.Dim, out.Kernel)
		}
		if got := out.keys(); !slices.Equal(got, []string{"dim", "directions", "distance", "kernel", "squared"}) {
			t.Errorf("fields %q", got)
		}
		if p.path == q.path {
			if want != 0 {
				t.Errorf("%s vs itself: %v", p.path, want)
			}
		} else if !(want > 1e-4) {
			t.Errorf("%s vs %s: the fixtures should differ visibly, got %v", p.path, q.path, want)
		}
	}

	// --directions and --seed choose the directions.
	dirs := cramer.RandomDirections[float64](3, 64, 12345)
	want := libSliced(t, p3.lib, s3.lib, dirs)
	out := parseDist(t, "--json", "--directions", "64", "--seed=12345", p3.path, s3.path)
	if out.Squared != want || out.Directions != 64 {
		t.Errorf("--directions 64 --seed 12345: squared %v directions %d, want %v 64", out.Squared, out.Directions, want)
	}
	if other := parseDist(t, "--json", "--directions", "64", "--seed=12346", p3.path, s3.path); other.Squared == want {
		t.Errorf("another seed gave the same value %v", want)
	}

	// float32: the library in float32 on the parameters rounded to float32
	// (the covariances before their factorisation, as the command does).
	p32, q32 := toF32ND(readMixND(t, exampleP3).rounded32().lib(t)), toF32ND(readMixND(t, exampleQ3).rounded32().lib(t))
	want32, err := cramer.SlicedSquared(p32, q32, cramer.RandomDirections[float32](3, defaultDirs, defaultSeed))
	if err != nil {
		t.Fatal(err)
	}
	out = parseDist(t, "--json", "--precision", "f32", p3.path, q3.path)
	if float32(out.Squared) != want32 {
		t.Errorf("f32: squared %v, want %v", out.Squared, want32)
	}

	// Weights summing to 1 within 1e-5 but not 1e-9, with full covariances:
	// f32 accepts, f64 rejects (the factorisation does not check them in f64).
	loose := full2
	loose.Weights = []float64{0.3, 0.700002}
	path := writeJSONFile(t, "loose.json", loose)
	if status, _, stderr := runCmd(t, "dist", "--precision", "f32", path, iso.path); status != exitOK {
		t.Errorf("f32 rejected weights within 1e-5: %q", stderr)
	}
	status, stdout, stderr := runCmd(t, "dist", path, iso.path)
	wantOneLineError(t, status, stdout, stderr, path, "weights:", "sum")
}

// rounded32 returns m with every number but the weights rounded to float32
// (NewMixtureND checks the weights in float64; toF32ND rounds them).
func (m mixND) rounded32() mixND {
	r1 := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(float32(v))
		}
		return out
	}
	r2 := func(x [][]float64) [][]float64 {
		if x == nil {
			return nil
		}
		out := make([][]float64, len(x))
		for i, v := range x {
			out[i] = r1(v)
		}
		return out
	}
	out := mixND{Weights: m.Weights, Means: r2(m.Means), Stds: r2(m.Stds), Std: r1(m.Std)}
	for _, c := range m.Covs {
		out.Covs = append(out.Covs, r2(c))
	}
	return out
}

func toF32ND(m cramer.MixtureND[float64]) cramer.MixtureND[float32] {
	f := func(x []float64) []float32 {
		if x == nil {
			return nil
		}
		return toF32(x)
	}
	return cramer.MixtureND[float32]{Dim: m.Dim, Weights: f(m.Weights), Means: f(m.Means), Chol: f(m.Chol), DiagStds: f(m.DiagStds), IsoStds: f(m.IsoStds)}
}

// A file in the D-dimensional layout with D = 1 is the exact 1-D case: the
// univariate value with directions 0, the 1-D text output, and gradients in
// the file's layout (rows of one coordinate, the file's covariance field)
// equal to the 1-D gradients.
func TestDistNDDimensionOne(t *testing.T) {
	want, err := cramer.Squared(readMixture(t, exampleP), readMixture(t, exampleQ))
	if err != nil {
		t.Fatal(err)
	}
	q := readMixture(t, exampleQ)
	var means, stds [][]float64
	var covs [][][]float64
	for i := range q.Means {
		means = append(means, []float64{q.Means[i]})
		stds = append(stds, []float64{q.Stds[i]})
		covs = append(covs, [][]float64{{q.Stds[i] * q.Stds[i]}})
	}
	for _, m := range []mixND{
		{Weights: q.Weights, Means: means, Stds: stds},
		{Weights: q.Weights, Means: means, Std: q.Stds},
		{Weights: q.Weights, Means: means, Covs: covs},
	} {
		nested := writeJSONFile(t, "q1.json", m)
		for _, extra := range [][]string{nil, {"--exact"}} {
			out := parseDist(t, append([]string{"--json", exampleP, nested}, extra...)...)
			if math.Abs(out.Squared-want) > 1e-12*want || out.Dim != 1 || out.Directions != 0 {
				t.Errorf("1-D vs %s %q: squared %v dim %d directions %d, want %v 1 0", nested, extra, out.Squared, out.Dim, out.Directions, want)
			}
		}
		flat := parseDist(t, "--json", "--grad", exampleP, exampleQ)
		out := parseDist(t, "--json", "--grad", exampleP, nested)
		k := len(q.Weights)
		gradShape(t, "grad_q", out.GradQ, "means", k, 1)
		cov, dims := "std", []int{k}
		switch {
		case m.Stds != nil:
			cov, dims = "stds", []int{k, 1}
		case m.Covs != nil:
			cov, dims = "chol", []int{k, 1, 1}
		}
		gradShape(t, "grad_q", out.GradQ, cov, dims...)
		if !slices.Equal(gradKeys(out.GradQ), []string{cov, "means", "weights"}) && !slices.Equal(gradKeys(out.GradQ), []string{"means", cov, "weights"}) {
			t.Errorf("grad_q fields %q, want weights, means, %s", gradKeys(out.GradQ), cov)
		}
		for _, f := range [][2]string{{"means", "means"}, {cov, "stds"}, {"weights", "weights"}} {
			got := strings.NewReplacer("[", "", "]", "").Replace(string(out.GradQ[f[0]]))
			if w := strings.NewReplacer("[", "", "]", "").Replace(string(flat.GradQ[f[1]])); got != w {
				t.Errorf("grad_q.%s = %s, want the 1-D %s %s", f[0], got, f[1], w)
			}
		}
		_, text, _ := runCmd(t, "dist", exampleP, nested)
		if !strings.Contains(text, "energy distance") || strings.Contains(text, "sliced") || !strings.Contains(text, "1 dimension") {
			t.Errorf("text output is not the exact 1-D one:\n%s", text)
		}
	}
}

// With 1-D inputs --directions and --seed are ignored and --exact is a no-op.
func TestDist1DIgnoresSlicedFlags(t *testing.T) {
	for _, files := range [][]string{{exampleP, exampleQ}, {exampleP, exampleCSV}, {exampleCSV, exampleSamples}} {
		base := parseDist(t, append([]string{"--json", "--grad"}, files...)...)
		for _, flags := range [][]string{{"--directions", "3"}, {"--seed", "99"}, {"--exact"}, {"--exact", "--directions=7", "--seed=2"}} {
			out := parseDist(t, append(append([]string{"--json", "--grad"}, flags...), files...)...)
			if out.Squared != base.Squared || out.Directions != 0 || out.Dim != 1 || !slices.Equal(out.keys(), base.keys()) {
				t.Errorf("%q %q: squared %v directions %d dim %d, want %v 0 1", files, flags, out.Squared, out.Directions, out.Dim, base.Squared)
			}
			for _, g := range []struct{ got, want map[string]json.RawMessage }{{out.GradP, base.GradP}, {out.GradQ, base.GradQ}} {
				for k, v := range g.want {
					if !bytes.Equal(g.got[k], v) {
						t.Errorf("%q %q: gradient %s changed", files, flags, k)
					}
				}
			}
		}
		_, text0, _ := runCmd(t, append([]string{"dist"}, files...)...)
		_, text1, _ := runCmd(t, append([]string{"dist", "--exact", "--directions", "9"}, files...)...)
		if text0 != text1 {
			t.Errorf("%q: text output changed by --exact --directions:\n%s\n%s", files, text0, text1)
		}
	}
}

func TestDistNDExact(t *testing.T) {
	iso := writeJSONFile(t, "iso2.json", iso2)
	isob := writeJSONFile(t, "iso2b.json", iso2b)
	pts := writeJSONFile(t, "pts2.json", pts2)
	csv := writeCSVFile(t, "pts2.csv", csv2)
	iso3 := writeJSONFile(t, "iso3.json", mixND{Weights: []float64{0.5, 0.5}, Means: [][]float64{{0, 0, 0}, {1, 0, 2}}, Std: []float64{1, 0.5}})
	pts3 := writeJSONFile(t, "pts3.json", samplesND{Samples: [][]float64{{0, 0, 0}, {1, 1, 1}, {-1, 2, 0.5}, {0.3, -0.7, 1.4}}})
	for _, pq := range [][2]string{
		{iso, isob}, {isob, iso}, {iso, pts}, {csv, iso}, {pts, csv},
		{exampleQ3, iso3}, {exampleQ3, exampleSamples3}, {exampleSamples3, exampleQ3}, {exampleSamples3, pts3},
	} {
		exact := parseDist(t, "--json", "--exact", pq[0], pq[1])
		if exact.Directions != 0 || !(exact.Squared > 0) || exact.Distance != math.Sqrt(exact.Squared) {
			t.Errorf("%q --exact: squared %v distance %v directions %d, want directions 0", pq, exact.Squared, exact.Distance, exact.Directions)
		}
		mc := parseDist(t, "--json", "--directions", strconv.Itoa(exactMCDirs), pq[0], pq[1])
		if rel := math.Abs(mc.Squared-exact.Squared) / exact.Squared; !(rel < exactMCTolerance) {
			t.Errorf("%q: exact %v, %d directions %v: relative difference %.3g", pq, exact.Squared, exactMCDirs, mc.Squared, rel)
		}
		if exact.Dim != mc.Dim || mc.Directions != exactMCDirs {
			t.Errorf("%q: dim %d / %d, directions %d", pq, exact.Dim, mc.Dim, mc.Directions)
		}
	}
	// Symmetric in P and Q.
	a := parseDist(t, "--json", "--exact", exampleQ3, exampleSamples3)
	b := parseDist(t, "--json", "--exact", exampleSamples3, exampleQ3)
	if a.Squared != b.Squared {
		t.Errorf("--exact mixture vs samples %v, samples vs mixture %v", a.Squared, b.Squared)
	}

	// Text output says "exact sliced".
	status, stdout, stderr := runCmd(t, "dist", "--exact", exampleQ3, exampleSamples3)
	if status != exitOK || !strings.Contains(stdout, "exact sliced") || !strings.Contains(stdout, "dimension 3") || strings.Contains(stdout, "random directions") {
		t.Errorf("--exact text output (status %d, stderr %q):\n%s", status, stderr, stdout)
	}

	// Not isotropic: a one-line error naming the file and its covariance field.
	full := writeJSONFile(t, "full2.json", full2)
	diag := writeJSONFile(t, "diag2.json", diag2)
	for _, c := range []struct {
		p, q, bad, field string
	}{
		{exampleP3, exampleQ3, exampleP3, "covs"},
		{exampleQ3, exampleP3, exampleP3, "covs"},
		{exampleSamples3, exampleP3, exampleP3, "covs"},
		{full, pts, full, "covs"},
		{iso, diag, diag, "stds"},
		{pts, diag, diag, "stds"},
	} {
		for _, flags := range [][]string{{"--exact"}, {"--exact", "--json"}} {
			status, stdout, stderr := runCmd(t, append(append([]string{"dist"}, flags...), c.p, c.q)...)
			wantOneLineError(t, status, stdout, stderr, c.bad, c.field+":", "--exact", "isotropic")
		}
	}

	// --exact has gradients for two isotropic mixtures only: those of
	// SlicedSquaredExactGrad.
	status, stdout, stderr = runCmd(t, "dist", "--exact", "--grad", "--json", exampleQ3, exampleSamples3)
	wantOneLineError(t, status, stdout, stderr, "--grad", "--exact", "sample sets")
	{
		iso := writeJSONFile(t, "iso2.json", iso2)
		isob := writeJSONFile(t, "iso2b.json", iso2b)
		out := parseDist(t, "--json", "--grad", "--exact", iso, isob)
		var gp, gq cramer.MixtureNDGrad[float64]
		want, err := cramer.SlicedSquaredExactGrad(iso2.lib(t), iso2b.lib(t), &gp, &gq)
		if err != nil {
			t.Fatal(err)
		}
		if out.Squared != want || out.Directions != 0 {
			t.Errorf("--exact --grad: squared %v directions %d, want %v 0", out.Squared, out.Directions, want)
		}
		std := gradShape(t, "grad_p", out.GradP, "std", len(gp.IsoStds)).([]any)
		for i, v := range std {
			if v.(float64) != gp.IsoStds[i] {
				t.Errorf("--exact --grad: grad_p.std[%d] = %v, want %v", i, v, gp.IsoStds[i])
			}
		}
	}
}

// gradShape decodes a gradient field into v (a slice of the expected
// nesting) and checks every level's length against dims.
func gradShape(t *testing.T, label string, g map[string]json.RawMessage, field string, dims ...int) any {
	t.Helper()
	raw, ok := g[field]
	if !ok {
		t.Fatalf("%s has no %q: fields %q", label, field, gradKeys(g))
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var check func(v any, dims []int, path string)
	check = func(v any, dims []int, path string) {
		if len(dims) == 0 {
			if _, ok := v.(float64); !ok {
				t.Errorf("%s.%s%s = %v, want a number", label, field, path, v)
			}
			return
		}
		a, ok := v.([]any)
		if !ok || len(a) != dims[0] {
			t.Errorf("%s.%s%s = %v, want an array of %d", label, field, path, v, dims[0])
			return
		}
		for i, e := range a {
			check(e, dims[1:], fmt.Sprintf("%s[%d]", path, i))
		}
	}
	check(v, dims, "")
	return v
}

func TestDistNDGrad(t *testing.T) {
	diag := writeJSONFile(t, "diag2.json", diag2)
	iso := writeJSONFile(t, "iso2.json", iso2)
	full := writeJSONFile(t, "full2.json", full2)
	pts := writeJSONFile(t, "pts2.json", pts2)
	csv := writeCSVFile(t, "pts2.csv", csv2)

	// Full covariances: "chol", lower-triangular, equal to the library's.
	p, q := readMixND(t, exampleP3).lib(t), readMixND(t, exampleQ3).lib(t)
	var gp, gq cramer.MixtureNDGrad[float64]
	want, err := cramer.SlicedSquaredGrad(p, q, cramer.RandomDirections[float64](3, defaultDirs, defaultSeed), &gp, &gq)
	if err != nil {
		t.Fatal(err)
	}
	out := parseDist(t, "--json", "--grad", exampleP3, exampleQ3)
	if out.Squared != want {
		t.Errorf("squared %v, want %v", out.Squared, want)
	}
	if got := out.keys(); !slices.Equal(got, []string{"dim", "directions", "distance", "grad_p", "grad_q", "kernel", "squared"}) {
		t.Errorf("fields %q", got)
	}
	if k := gradKeys(out.GradP); !slices.Equal(k, []string{"chol", "means", "weights"}) {
		t.Errorf("grad_p fields %q, want chol, means, weights", k)
	}
	if k := gradKeys(out.GradQ); !slices.Equal(k, []string{"means", "std", "weights"}) {
		t.Errorf("grad_q fields %q, want means, std, weights", k)
	}
	gradShape(t, "grad_p", out.GradP, "weights", 2)
	gradShape(t, "grad_p", out.GradP, "means", 2, 3)
	chol := gradShape(t, "grad_p", out.GradP, "chol", 2, 3, 3).([]any)
	var flatChol []float64
	for i, l := range chol {
		for r, row := range l.([]any) {
			for c, v := range row.([]any) {
				flatChol = append(flatChol, v.(float64))
				if c > r && v.(float64) != 0 {
					t.Errorf("grad_p.chol[%d][%d][%d] = %v above the diagonal", i, r, c, v)
				}
			}
		}
	}
	if !slices.Equal(flatChol, gp.Chol) {
		t.Errorf("grad_p.chol = %v, want %v", flatChol, gp.Chol)
	}
	var means [][]float64
	json.Unmarshal(out.GradP["means"], &means)
	if !slices.Equal(flat(means), gp.Means) {
		t.Errorf("grad_p.means = %v, want %v", means, gp.Means)
	}
	if got := floats(t, out.GradQ, "std", 3); !slices.Equal(got, gq.IsoStds) {
		t.Errorf("grad_q.std = %v, want %v", got, gq.IsoStds)
	}
	gradShape(t, "grad_q", out.GradQ, "means", 3, 3)

	// Diagonal: "stds" per component; samples: "values" per point and "weights".
	out = parseDist(t, "--json", "--grad", diag, pts)
	if k := gradKeys(out.GradP); !slices.Equal(k, []string{"means", "stds", "weights"}) {
		t.Errorf("diagonal grad_p fields %q", k)
	}
	gradShape(t, "grad_p", out.GradP, "stds", 3, 2)
	gradShape(t, "grad_p", out.GradP, "means", 3, 2)
	if k := gradKeys(out.GradQ); !slices.Equal(k, []string{"values", "weights"}) {
		t.Errorf("samples grad_q fields %q", k)
	}
	gradShape(t, "grad_q", out.GradQ, "values", 5, 2)
	gradShape(t, "grad_q", out.GradQ, "weights", 5)

	// Samples first, CSV samples, isotropic, full.
	var gx cramer.SamplesNDGrad[float64]
	var gi cramer.MixtureNDGrad[float64]
	want, err = cramer.SlicedSquaredToSamplesGrad(iso2.lib(t), samplesND{Samples: csv2}.lib(), cramer.RandomDirections[float64](2, defaultDirs, defaultSeed), &gi, &gx)
	if err != nil {
		t.Fatal(err)
	}
	out = parseDist(t, "--json", "--grad", csv, iso)
	if out.Squared != want {
		t.Errorf("csv vs iso: squared %v, want %v", out.Squared, want)
	}
	var values [][]float64
	gradShape(t, "grad_p", out.GradP, "values", 6, 2)
	json.Unmarshal(out.GradP["values"], &values)
	if !slices.Equal(flat(values), gx.Values) {
		t.Errorf("grad_p.values = %v, want %v", values, gx.Values)
	}
	if got := floats(t, out.GradQ, "std", 2); !slices.Equal(got, gi.IsoStds) {
		t.Errorf("grad_q.std = %v, want %v", got, gi.IsoStds)
	}
	out = parseDist(t, "--json", "--grad", pts, full)
	gradShape(t, "grad_p", out.GradP, "values", 5, 2)
	gradShape(t, "grad_q", out.GradQ, "chol", 2, 2, 2)
	out = parseDist(t, "--json", "--grad", "--precision", "f32", exampleSamples3, exampleP3)
	gradShape(t, "grad_p", out.GradP, "values", 40, 3)
	gradShape(t, "grad_q", out.GradQ, "chol", 2, 3, 3)

	// A 1-D file in a sliced computation keeps its flat gradient.
	oneD := writeJSONFile(t, "one.json", mixND{Weights: []float64{0.5, 0.5}, Means: [][]float64{{0}, {1}}, Std: []float64{1, 2}})
	out = parseDist(t, "--json", "--grad", exampleP, oneD)
	floats(t, out.GradP, "stds", 3)
	floats(t, out.GradP, "means", 3)
	gradShape(t, "grad_q", out.GradQ, "means", 2, 1)

	// Text.
	status, stdout, stderr := runCmd(t, "dist", "--grad", exampleP3, exampleSamples3)
	for _, w := range []string{
		"sliced Cramér distance over 256 random directions (seed 1)", "dimension 3",
		"mixture, 2 components in 3 dimensions, full covariances", "samples, 40 points in 3 dimensions, uniform weights",
		"SC₂²", "∂/∂chol", "∂/∂value", cramer.Kernel(),
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("text output (status %d, stderr %q) does not contain %q:\n%s", status, stderr, w, stdout)
		}
	}
	status, stdout, _ = runCmd(t, "dist", "--grad", "--directions", "17", "--seed", "4", diag, iso)
	for _, w := range []string{"over 17 random directions (seed 4)", "dimension 2", "diagonal covariances", "isotropic covariances", "∂/∂stds", "∂/∂std"} {
		if status != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("text output does not contain %q:\n%s", w, stdout)
		}
	}
}

func TestBadInputND(t *testing.T) {
	const (
		means2 = `"weights": [0.5, 0.5], "means": [[0, 0], [1, 1]]`
		id2    = `[[1, 0], [0, 1]]`
	)
	cases := []struct {
		name, file, content string
		want                []string // besides the file name
	}{
		{"ragged means", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], [1]], "std": [1, 1]}`, []string{"means[1]", "length 1, want 2"}},
		{"ragged means longer", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], [1, 2, 3]], "stds": [[1, 1], [1, 1]]}`, []string{"means[1]", "length 3, want 2"}},
		{"means row not an array", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], 1], "std": [1, 1]}`, []string{"means[1]", "array", "a number"}},
		{"flat means with std", "p.json", `{"weights": [0.5, 0.5], "means": [0, 1], "std": [1, 1]}`, []string{"means[0]", "array"}},
		{"empty means row", "p.json", `{"weights": [1], "means": [[]], "std": [1]}`, []string{"means[0]", "empty"}},
		{"means string coordinate", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], [1, "1"]], "std": [1, 1]}`, []string{"means[1][1]", "string"}},
		{"means rows vs weights", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], [1, 1], [2, 2]], "std": [1, 1]}`, []string{"means:", "length 3, want 2"}},
		{"no covariance", "p.json", `{` + means2 + `}`, []string{"covs:", "missing", `"std"`}},
		{"two covariance forms", "p.json", `{` + means2 + `, "std": [1, 1], "covs": [` + id2 + `, ` + id2 + `]}`, []string{"std:", "conflicts", `"covs"`}},
		{"unknown field", "p.json", `{` + means2 + `, "std": [1, 1], "colour": 1}`, []string{`"colour"`, "unknown field"}},
		{"covs not symmetric", "p.json", `{` + means2 + `, "covs": [` + id2 + `, [[1, 0.5], [0.3, 1]]]}`, []string{"covs[1]", "not symmetric", "(0,1)"}},
		{"covs not positive definite", "p.json", `{` + means2 + `, "covs": [[[1, 2], [2, 1]], ` + id2 + `]}`, []string{"covs[0]", "not positive definite"}},
		{"covs negative variance", "p.json", `{` + means2 + `, "covs": [` + id2 + `, [[-1, 0], [0, 1]]]}`, []string{"covs[1]", "not positive definite"}},
		{"covs 3x3 for dimension 2", "p.json", `{` + means2 + `, "covs": [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], ` + id2 + `]}`, []string{"covs[0][0]", "length 3, want 2", "dimension of means"}},
		{"covs too many rows", "p.json", `{` + means2 + `, "covs": [` + id2 + `, [[1, 0], [0, 1], [0, 0]]]}`, []string{"covs[1]", "3 rows, want 2"}},
		{"covs too few matrices", "p.json", `{` + means2 + `, "covs": [` + id2 + `]}`, []string{"covs:", "length 1, want 2"}},
		{"covs matrix not an array", "p.json", `{` + means2 + `, "covs": [` + id2 + `, 1]}`, []string{"covs[1]", "2×2 matrix"}},
		{"covs entry a string", "p.json", `{` + means2 + `, "covs": [` + id2 + `, [[1, 0], ["0", 1]]]}`, []string{"covs[1][1][0]", "string"}},
		{"covs null", "p.json", `{` + means2 + `, "covs": null}`, []string{"covs:", "null"}},
		{"ragged stds", "p.json", `{` + means2 + `, "stds": [[1, 1], [1]]}`, []string{"stds[1]", "length 1, want 2"}},
		{"flat stds in 2-D", "p.json", `{` + means2 + `, "stds": [1, 1]}`, []string{"stds[0]", "array", `"std"`}},
		{"stds rows", "p.json", `{` + means2 + `, "stds": [[1, 1]]}`, []string{"stds:", "length 1, want 2"}},
		{"negative stds entry", "p.json", `{` + means2 + `, "stds": [[1, 1], [1, -2]]}`, []string{"stds[1][1]", "negative"}},
		{"std length", "p.json", `{` + means2 + `, "std": [1]}`, []string{"std:", "length 1, want 2"}},
		{"negative std", "p.json", `{` + means2 + `, "std": [1, -1]}`, []string{"std[1]", "negative"}},
		{"weights sum", "p.json", `{"weights": [0.5, 0.6], "means": [[0, 0], [1, 1]], "std": [1, 1]}`, []string{"weights:", "sum"}},
		{"empty weights", "p.json", `{"weights": [], "means": [[0, 0]], "std": [1]}`, []string{"weights:", "empty"}},
		{"mean magnitude", "p.json", `{"weights": [0.5, 0.5], "means": [[0, 0], [1e200, 1]], "std": [1, 1]}`, []string{"means[1][0]", "magnitude"}},
		{"ragged samples", "p.json", `{"samples": [[0, 0], [1, 2, 3]]}`, []string{"samples[1]", "length 3, want 2"}},
		{"samples row a number", "p.json", `{"samples": [[0, 0], 1]}`, []string{"samples[1]", "array"}},
		{"samples weights length", "p.json", `{"samples": [[0, 0], [1, 1]], "weights": [1]}`, []string{"weights:", "length 1"}},
		{"samples magnitude", "p.json", `{"samples": [[0, 0], [1, -1e300]]}`, []string{"samples[1][1]", "magnitude"}},
		{"CSV rows of different lengths", "x.csv", "# x,y\n1,2\n3,4\n\n5\n", []string{"line 5", "1 coordinate, want 2", "line 2"}},
		{"CSV longer row", "x.csv", "1,2\n3,4,5\n", []string{"line 2", "3 coordinates, want 2"}},
		{"CSV not a number", "x.csv", "1,2\n3,x\n", []string{"line 2", `"x" is not a number`, "column 2"}},
		{"CSV empty coordinate", "x.txt", "1,2\n3,\n", []string{"line 2", `"" is not a number`, "column 2"}},
		{"CSV NaN", "x.csv", "1,2\nnan,3\n", []string{"values[1][0]", "NaN", "line 2"}},
		{"CSV out of range", "x.csv", "1,2\n3,1e999\n", []string{"line 2", "out of range", "column 2"}},
	}
	good := writeJSONFile(t, "good2.json", iso2)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := writeFile(t, c.file, c.content)
			for _, args := range [][]string{{bad, good}, {good, bad}, {"--json", "--grad", good, bad}, {"--exact", bad, good}, {"--precision", "f32", bad, good}} {
				status, stdout, stderr := runCmd(t, append([]string{"dist"}, args...)...)
				wantOneLineError(t, status, stdout, stderr, append([]string{bad}, c.want...)...)
				if strings.Contains(stderr, good) {
					t.Errorf("error names the good file: %q", stderr)
				}
			}
		})
	}
}

func TestDimensionMismatch(t *testing.T) {
	two := writeJSONFile(t, "two.json", iso2)
	twoSamples := writeJSONFile(t, "pts2.json", pts2)
	twoCSV := writeCSVFile(t, "two.csv", csv2)
	for _, c := range []struct {
		p, q  string
		field string
		want  []string
	}{
		{two, exampleQ3, "means[0]", []string{"3-dimensional", "2-dimensional"}},
		{exampleQ3, two, "means[0]", []string{"2-dimensional", "3-dimensional"}},
		{exampleP3, twoSamples, "samples[0]", []string{"2-dimensional", "3-dimensional"}},
		{exampleSamples3, twoCSV, "line 2", []string{"2-dimensional", "3-dimensional"}},
		{twoCSV, exampleSamples3, "line 2", []string{"3-dimensional", "2-dimensional"}},
		{two, exampleP, "means:", []string{"1-D", "2-dimensional"}},
		{exampleCSV, exampleSamples3, "line 2", []string{"3-dimensional", "1-D"}},
		{exampleP3, exampleSamples, "samples:", []string{"1-D", "3-dimensional"}},
	} {
		for _, flags := range [][]string{nil, {"--json", "--grad"}, {"--exact"}} {
			status, stdout, stderr := runCmd(t, append(append([]string{"dist"}, flags...), c.p, c.q)...)
			wantOneLineError(t, status, stdout, stderr, append([]string{c.q, c.field, "same dimension"}, c.want...)...)
		}
	}
}

func TestUsageErrorsND(t *testing.T) {
	for _, args := range [][]string{
		{"dist", "--directions", "0", exampleP3, exampleQ3},
		{"dist", "--directions", "-4", exampleP3, exampleQ3},
		{"dist", "--directions", "many", exampleP3, exampleQ3},
		{"dist", "--directions", "100000000", exampleP3, exampleQ3},
		{"dist", "--seed", "-1", exampleP3, exampleQ3},
		{"dist", "--seed", "x", exampleP3, exampleQ3},
		{"dist", "--exact=maybe", exampleP3, exampleQ3},
		{"dist", exampleP3, exampleQ3, "--directions"},
	} {
		status, stdout, stderr := runCmd(t, args...)
		if status != exitBad || stdout != "" || !strings.Contains(stderr, "usage:") || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%q: exit status %d, stdout %q, stderr %q", args, status, stdout, stderr)
		}
	}
	status, stdout, _ := runCmd(t, "dist", "--help")
	for _, w := range []string{"--directions L", "--seed S", "--exact", "ignored", "no-op", `"covs"`, `"stds"`, `"std"`, "comma-separated"} {
		if status != exitOK || !strings.Contains(stdout, w) {
			t.Errorf("dist --help does not mention %q:\n%s", w, stdout)
		}
	}
}
