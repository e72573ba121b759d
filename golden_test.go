package cramer

import (
	"encoding/json"
	"os"
	"testing"
)

// goldenCase is one entry of testdata/golden/distances.json (mpmath at 80
// digits, testdata/golden/gen_golden.py): references as double-double pairs.
type goldenCase struct {
	Name    string           `json:"name"`
	P, Q    Mixture[float64] `json:"-"`
	PJ      goldenMix        `json:"p"`
	QJ      goldenMix        `json:"q"`
	Squared [2]float64       `json:"squared"`
	Cross   [2]float64       `json:"cross"`
	GradP   goldenMix        `json:"grad_p"`
	GradQ   goldenMix        `json:"grad_q"`
}

type goldenMix struct {
	Weights []float64 `json:"weights"`
	Means   []float64 `json:"means"`
	Stds    []float64 `json:"stds"`
}

func loadDistances(t *testing.T) []goldenCase { return loadGolden(t, "testdata/golden/distances.json") }

func loadGolden(t *testing.T, path string) []goldenCase {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cs []goldenCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		cs[i].P = Mixture[float64](cs[i].PJ)
		cs[i].Q = Mixture[float64](cs[i].QJ)
	}
	return cs
}

// ratio returns e/scale, 0 when e is 0 and +Inf when only scale is 0.
func ratio(e, scale float64) float64 {
	if e == 0 {
		return 0
	}
	return e / scale
}
