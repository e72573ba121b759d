package cramer

import (
	"encoding/json"
	"math"
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

func loadDistances(t *testing.T) []goldenCase {
	b, err := os.ReadFile("testdata/golden/distances.json")
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

// TestGoldenDistances checks ℓ₂² against the contract: relative error ≤ 1e-13,
// or absolute error ≤ 1e-15 × the cross sum when ℓ₂² is tiny against it; and
// every gradient entry within 1e-12 relative or 1e-15 × its scale absolute,
// the scale being the largest magnitude that enters it (cross sum for weight
// derivatives, the weight for mean and std derivatives).
func TestGoldenDistances(t *testing.T) {
	var worstRel, worstAbs, worstGrad float64
	for _, c := range loadDistances(t) {
		var gp, gq MixtureGrad[float64]
		got, err := SquaredGrad(c.P, c.Q, &gp, &gq)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := c.Squared[0] + c.Squared[1]
		cross := c.Cross[0]
		errAbs := math.Abs((got - c.Squared[0]) - c.Squared[1])
		rel, abs := ratio(errAbs, want), ratio(errAbs, cross)
		if want > 1e-3*cross {
			worstRel = math.Max(worstRel, rel)
		} else {
			worstAbs = math.Max(worstAbs, abs)
		}
		if rel > 1e-13 && abs > 1e-15 {
			t.Errorf("%s: ℓ₂² = %.17g, want %.17g (rel %.3g, abs/cross %.3g)", c.Name, got, want, rel, abs)
		}
		if v, _ := Squared(c.P, c.Q); v != got {
			t.Errorf("%s: value without gradient %v != %v", c.Name, v, got)
		}
		check := func(side, field string, got, want []float64, scale func(i int) float64) {
			for i := range want {
				e := math.Abs(got[i] - want[i])
				r, a := ratio(e, math.Abs(want[i])), ratio(e, scale(i))
				worstGrad = math.Max(worstGrad, math.Min(r, a))
				if r > 1e-12 && a > 1e-15 {
					t.Errorf("%s: grad_%s.%s[%d] = %.17g, want %.17g (rel %.3g, abs/scale %.3g)", c.Name, side, field, i, got[i], want[i], r, a)
				}
			}
		}
		crossScale := func(int) float64 { return cross }
		wp := func(i int) float64 { return c.P.Weights[i] }
		wq := func(i int) float64 { return c.Q.Weights[i] }
		check("p", "weights", gp.Weights, c.GradP.Weights, crossScale)
		check("p", "means", gp.Means, c.GradP.Means, wp)
		check("p", "stds", gp.Stds, c.GradP.Stds, wp)
		check("q", "weights", gq.Weights, c.GradQ.Weights, crossScale)
		check("q", "means", gq.Means, c.GradQ.Means, wq)
		check("q", "stds", gq.Stds, c.GradQ.Stds, wq)
	}
	t.Logf("worst ℓ₂² error: relative %.3g where ℓ₂² > 1e-3·cross, absolute %.3g·cross elsewhere; gradients %.3g (min of relative and absolute/scale)", worstRel, worstAbs, worstGrad)
}

// ratio returns e/scale, 0 when e is 0 and +Inf when only scale is 0.
func ratio(e, scale float64) float64 {
	if e == 0 {
		return 0
	}
	return e / scale
}
