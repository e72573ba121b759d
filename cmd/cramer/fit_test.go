package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSamples writes n points of a two-cluster set in dimension d as CSV.
func writeSamples(t *testing.T, dir string, n, d int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(n), uint64(d)))
	var b strings.Builder
	for i := 0; i < n; i++ {
		off := float64(4 * (i % 2))
		for c := 0; c < d; c++ {
			if c > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%.6f", off+r.NormFloat64()*(0.5+0.2*float64(c)))
		}
		b.WriteString("\n")
	}
	name := filepath.Join(dir, fmt.Sprintf("data%d.csv", d))
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestFitThenDist: the fitted mixture is a file cramer dist reads, and its
// distance to the data is the one fit reported (1-D: exact).
func TestFitThenDist(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		d   int
		cov string
	}{{1, "full"}, {2, "full"}, {2, "diag"}, {3, "iso"}} {
		data := writeSamples(t, dir, 300, c.d)
		model := filepath.Join(dir, fmt.Sprintf("m%d%s.json", c.d, c.cov))
		plot := filepath.Join(dir, fmt.Sprintf("m%d%s.png", c.d, c.cov))
		var out, errb bytes.Buffer
		if st := run([]string{"fit", "--k", "2", "--cov", c.cov, "--out", model, "--plot", plot, data}, &out, &errb); st != exitOK {
			t.Fatalf("d=%d %s: status %d: %s", c.d, c.cov, st, errb.String())
		}
		if !strings.Contains(out.String(), "wrote "+model) || !strings.Contains(out.String(), "fitted 2 components") {
			t.Errorf("summary: %q", out.String())
		}
		if fi, err := os.Stat(plot); err != nil || fi.Size() < 1000 {
			t.Errorf("plot %s: %v", plot, err)
		}
		out.Reset()
		errb.Reset()
		if st := run([]string{"dist", "--json", model, data}, &out, &errb); st != exitOK {
			t.Fatalf("dist of the fitted model: status %d: %s", st, errb.String())
		}
		var res struct{ Squared float64 }
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		// Two well-separated clusters of 150 points each: the fit is close.
		if !(res.Squared < 0.01) {
			t.Errorf("d=%d %s: dist of the fit to the data %v", c.d, c.cov, res.Squared)
		}
		raw, _ := os.ReadFile(model)
		key := map[string]string{"full": `"covs"`, "diag": `"stds"`, "iso": `"std"`}[c.cov]
		if c.d == 1 {
			key = `"stds"`
		}
		if !strings.Contains(string(raw), key) {
			t.Errorf("d=%d %s: the model has no %s: %s", c.d, c.cov, key, raw)
		}
	}
}

// TestFit1DExactDistance: in 1-D the reported distance is the one dist gives.
func TestFit1DExactDistance(t *testing.T) {
	dir := t.TempDir()
	data := writeSamples(t, dir, 200, 1)
	model := filepath.Join(dir, "m.json")
	var out, errb bytes.Buffer
	if st := run([]string{"fit", "--k", "2", "--quiet", "--out", model, data}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	if out.Len() != 0 || errb.Len() != 0 {
		t.Errorf("--quiet printed %q and %q", out.String(), errb.String())
	}
	// Without --out the model goes to stdout, the summary and progress to stderr.
	out.Reset()
	if st := run([]string{"fit", "--k", "2", data}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var m struct{ Weights, Means, Stds []float64 }
	if err := json.Unmarshal(out.Bytes(), &m); err != nil || len(m.Weights) != 2 {
		t.Fatalf("stdout is not the model: %v %q", err, out.String())
	}
	if !strings.Contains(errb.String(), "cramer fit: restart 1/1  iteration 1 ") || !strings.Contains(errb.String(), "Cramér distance") {
		t.Errorf("stderr without a terminal: %q", errb.String())
	}
	model2 := filepath.Join(dir, "m2.json")
	os.WriteFile(model2, out.Bytes(), 0o644)
	out.Reset()
	if st := run([]string{"dist", "--json", model2, data}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var res struct{ Distance float64 }
	json.Unmarshal(out.Bytes(), &res)
	summary := errb.String()
	if !strings.Contains(summary, fmt.Sprint(res.Distance)[:8]) {
		t.Errorf("dist gives %v; fit said %q", res.Distance, summary)
	}
}

// TestFitReduction: a mixture file is reduced to fewer components.
func TestFitReduction(t *testing.T) {
	dir := t.TempDir()
	var w, mu, sd []float64
	for i := 0; i < 30; i++ {
		w = append(w, 1.0/30)
		mu = append(mu, float64(i%3)*3+0.1*float64(i))
		sd = append(sd, 0.5)
	}
	b, _ := json.Marshal(map[string][]float64{"weights": w, "means": mu, "stds": sd})
	target := filepath.Join(dir, "t.json")
	os.WriteFile(target, b, 0o644)
	model := filepath.Join(dir, "m.json")
	var out, errb bytes.Buffer
	if st := run([]string{"fit", "--k", "3", "--out", model, "--plot", filepath.Join(dir, "r.png"), target}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	out.Reset()
	if st := run([]string{"dist", "--json", model, target}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var res struct{ Squared float64 }
	json.Unmarshal(out.Bytes(), &res)
	if !(res.Squared < 1e-3) || math.IsNaN(res.Squared) {
		t.Errorf("reduction 30 → 3: ℓ₂² %v", res.Squared)
	}
}

func TestFitBadInput(t *testing.T) {
	dir := t.TempDir()
	data := writeSamples(t, dir, 5, 2)
	same := filepath.Join(dir, "same.csv")
	os.WriteFile(same, []byte("1\n1\n1\n"), 0o644)
	nan := filepath.Join(dir, "nan.json")
	os.WriteFile(nan, []byte(`{"samples":[1,2,NaN]}`), 0o644)
	zero := filepath.Join(dir, "zero.json")
	os.WriteFile(zero, []byte(`{"weights":[0,0],"means":[0,1],"stds":[1,1]}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fit", data}, "--k 0"},
		{[]string{"fit", "--k", "-1", data}, "--k -1"},
		{[]string{"fit", "--k", "6", data}, "K = 6 exceeds the number of samples N = 5"},
		{[]string{"fit", "--k", "2", "--cov", "round", data}, `covariance "round"`},
		{[]string{"fit", "--k", "2", same}, "all 3 samples are identical"},
		{[]string{"fit", "--k", "1", nan}, "nan.json"},
		{[]string{"fit", "--k", "1", zero}, "weights: sum to 0"},
		{[]string{"fit", "--k", "1", filepath.Join(dir, "missing.csv")}, "cannot read"},
		{[]string{"fit", "--k", "1"}, "want one file DATA"},
	} {
		var out, errb bytes.Buffer
		st := run(c.args, &out, &errb)
		if st != exitBad || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: status %d, stderr %q, want %q", c.args, st, errb.String(), c.want)
		}
	}
	var out, errb bytes.Buffer
	if st := run([]string{"fit", "--help"}, &out, &errb); st != exitOK || !strings.Contains(out.String(), "--cov") {
		t.Errorf("--help: %d %q", st, out.String())
	}
}

// TestFitReductionND reduces a 3-D mixture of full covariances and plots it.
func TestFitReductionND(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.json")
	var out, errb bytes.Buffer
	target := filepath.Join("..", "..", "testdata", "examples", "q3.json")
	if st := run([]string{"fit", "--k", "2", "--cov", "diag", "--out", model, "--plot", filepath.Join(dir, "r.png"), target}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	out.Reset()
	if st := run([]string{"dist", "--json", model, target}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var res struct{ Squared float64 }
	json.Unmarshal(out.Bytes(), &res)
	if !(res.Squared > 0 && res.Squared < 0.05) {
		t.Errorf("reduction 3 → 2 in 3-D: SC₂² %v", res.Squared)
	}
}

// TestFitCanceled: a cancelled context before the fit is an error; the
// command reports it on one line.
func TestFitCanceled(t *testing.T) {
	dir := t.TempDir()
	data := writeSamples(t, dir, 100, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	err := runFit(ctx, data, fitOptions{k: 2, restarts: 1, directions: 8, maxIter: 10, cov: "full"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("error %v", err)
	}
}

// TestFitAdamWeighted: the stochastic optimiser, and weighted samples in
// JSON.
func TestFitAdamWeighted(t *testing.T) {
	dir := t.TempDir()
	data := writeSamples(t, dir, 400, 2)
	model := filepath.Join(dir, "m.json")
	var out, errb bytes.Buffer
	if st := run([]string{"fit", "--k", "2", "--method", "adam", "--batch", "64", "--max-iter", "300", "--directions", "16", "--quiet", "--out", model, data}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	out.Reset()
	if st := run([]string{"dist", "--json", model, data}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var res struct{ Squared float64 }
	json.Unmarshal(out.Bytes(), &res)
	if !(res.Squared < 0.02) {
		t.Errorf("adam: SC₂² %v", res.Squared)
	}

	// Weighted 1-D samples: the heavy point dominates.
	weighted := filepath.Join(dir, "w.json")
	os.WriteFile(weighted, []byte(`{"samples":[-1,-0.9,-1.1,5,5.2],"weights":[0.3,0.3,0.3,0.05,0.05]}`), 0o644)
	out.Reset()
	if st := run([]string{"fit", "--k", "2", "--quiet", weighted}, &out, &errb); st != exitOK {
		t.Fatal(errb.String())
	}
	var m struct{ Weights, Means []float64 }
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	lo := 0
	if m.Means[1] < m.Means[0] {
		lo = 1
	}
	if math.Abs(m.Weights[lo]-0.9) > 0.02 || math.Abs(m.Means[lo]+1) > 0.1 {
		t.Errorf("weighted fit: %+v", m)
	}
	errb.Reset()
	if st := run([]string{"fit", "--k", "2", "--method", "sgd", data}, &out, &errb); st != exitBad || !strings.Contains(errb.String(), `--method "sgd"`) {
		t.Errorf("--method sgd: %d %q", st, errb.String())
	}
}
