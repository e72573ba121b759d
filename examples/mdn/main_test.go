package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestShortTrainingDecreasesBothLosses trains both models briefly: each
// training loss lowers both held-out losses and everything stays finite.
func TestShortTrainingDecreasesBothLosses(t *testing.T) {
	cfg := defaultConfig()
	cfg.steps, cfg.evalEvery = 300, 100
	xtr, ttr, xte, tte := data(3)
	for _, kind := range []lossKind{nllLoss, cramerLoss} {
		r := train(cfg, kind, 3, xtr, ttr, xte, tte)
		if r.nanStep >= 0 {
			t.Fatalf("%v: non-finite training loss at step %d", kind, r.nanStep)
		}
		for _, c := range r.curve {
			if math.IsNaN(c.nll) || math.IsInf(c.nll, 0) || math.IsNaN(c.cramer) || math.IsInf(c.cramer, 0) {
				t.Fatalf("%v: non-finite held-out loss at step %d: %+v", kind, c.step, c)
			}
		}
		first, last := r.curve[0], r.curve[len(r.curve)-1]
		if !(last.nll < first.nll-0.1) || !(last.cramer < first.cramer) {
			t.Fatalf("%v: held-out NLL %.4f → %.4f, Cramér %.5f → %.5f: not decreasing", kind, first.nll, last.nll, first.cramer, last.cramer)
		}
	}
}

func TestPlotsAreWritten(t *testing.T) {
	cfg := defaultConfig()
	cfg.steps, cfg.evalEvery = 20, 10
	xtr, ttr, xte, tte := data(4)
	res := []result{train(cfg, nllLoss, 4, xtr, ttr, xte, tte), train(cfg, cramerLoss, 4, xtr, ttr, xte, tte)}
	dir := t.TempDir()
	if err := plotDensity(filepath.Join(dir, "d.png"), cfg, res, xtr, ttr); err != nil {
		t.Fatal(err)
	}
	if err := plotCurves(filepath.Join(dir, "c.png"), res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"d.png", "c.png"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
			t.Fatalf("%s: %d bytes, %v", f, len(b), err)
		}
	}
}
