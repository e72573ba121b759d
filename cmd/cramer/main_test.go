package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
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
		if status, stdout, _ := runCmd(t, args...); status != exitOK || !strings.Contains(stdout, "usage:") {
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
	Squared  float64                    `json:"squared"`
	Distance float64                    `json:"distance"`
	Kernel   string                     `json:"kernel"`
	GradP    map[string]json.RawMessage `json:"grad_p"`
	GradQ    map[string]json.RawMessage `json:"grad_q"`
	raw      map[string]json.RawMessage // every field, to check there are no others
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
		if got := out.keys(); !slices.Equal(got, []string{"distance", "kernel", "squared"}) {
			t.Errorf("%q: fields %q, want distance, kernel, squared", args, got)
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
	if got := out.keys(); !slices.Equal(got, []string{"distance", "grad_p", "grad_q", "kernel", "squared"}) {
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
			Name       string   `json:"name"`
			MpairsPerS *float64 `json:"mpairs_per_s"`
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
	}
	want := []string{"mixtures-1024", "mixtures-1024-grad", "batch-4096x16", "batch-4096x16-grad", "samples-32x100000"}
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
