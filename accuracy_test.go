package cramer

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// The accuracy contract of ℓ₂² in float64, measured on testdata/golden
// (accuracy.json: 400 random cases, 300 of them with ℓ₂²/cross between
// 1e-12 and 1e-1; distances.json: 80 special cases). ℓ₂² = cross − ½self_p −
// ½self_q cancels: each sum is accurate to a few ε of itself, so the error
// of ℓ₂² is a few ε × the cross sum whatever ℓ₂² is, and its relative error
// grows like ε·cross/ℓ₂².
const (
	// contractAbs bounds |error| / cross for every case.
	contractAbs = 1e-15
	// contractRel bounds |error| / ℓ₂² where ℓ₂² ≥ contractRelFrom × cross
	// (well above the cancellation level; it follows from contractAbs).
	contractRel     = 1e-13
	contractRelFrom = 1e-2
	// Gradient entries: within contractGradRel relative, or
	// contractGradAbs × their scale (the cross sum for weight derivatives,
	// the weight for mean and std derivatives).
	contractGradRel = 1e-12
	contractGradAbs = 1e-15
)

// ratioBands are the bands of ℓ₂²/cross the report is split into.
var ratioBands = []float64{0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, math.Inf(1)}

type accuracyStats struct {
	n, worstRelCase, worstAbsCase []int
	worstRel, worstAbs            []float64
	worstGrad                     float64
	worstGradName                 string
}

// measureAccuracy checks every case against the contract with the active
// kernel and returns the worst errors per band of ℓ₂²/cross.
func measureAccuracy(t *testing.T, cs []goldenCase) accuracyStats {
	nb := len(ratioBands) - 1
	st := accuracyStats{n: make([]int, nb), worstRelCase: make([]int, nb), worstAbsCase: make([]int, nb),
		worstRel: make([]float64, nb), worstAbs: make([]float64, nb)}
	kernel := Kernel()
	for ci, c := range cs {
		var gp, gq MixtureGrad[float64]
		got, err := SquaredGrad(c.P, c.Q, &gp, &gq)
		if err != nil {
			t.Fatalf("%s: %s: %v", kernel, c.Name, err)
		}
		if v, _ := Squared(c.P, c.Q); v != got {
			t.Errorf("%s: %s: value without gradient %v != %v", kernel, c.Name, v, got)
		}
		want := c.Squared[0] + c.Squared[1]
		cross := c.Cross[0]
		e := math.Abs((got - c.Squared[0]) - c.Squared[1])
		rel, abs := ratio(e, want), ratio(e, cross)
		r := want / cross
		b := 0
		for b < nb-1 && r >= ratioBands[b+1] {
			b++
		}
		st.n[b]++
		if rel > st.worstRel[b] && e > 0x1p-1075 {
			st.worstRel[b], st.worstRelCase[b] = rel, ci
		}
		if abs > st.worstAbs[b] {
			st.worstAbs[b], st.worstAbsCase[b] = abs, ci
		}
		// Results below the normal range carry fewer bits: half a unit of
		// the smallest subnormal is added to every bound.
		if e > contractAbs*cross+0x1p-1075 {
			t.Errorf("%s: %s: ℓ₂² = %.17g, want %.17g: error %.3g × cross (contract %g)", kernel, c.Name, got, want, abs, contractAbs)
		}
		if r >= contractRelFrom && e > contractRel*want+0x1p-1075 {
			t.Errorf("%s: %s: ℓ₂² = %.17g, want %.17g: relative error %.3g at ℓ₂²/cross = %.3g (contract %g)", kernel, c.Name, got, want, rel, r, contractRel)
		}
		check := func(side, field string, got, want []float64, scale func(i int) float64) {
			for i := range want {
				e := math.Abs(got[i] - want[i])
				rl, ab := ratio(e, math.Abs(want[i])), ratio(e, scale(i))
				if m := math.Min(rl, ab); m > st.worstGrad && e > 0x1p-1075 {
					st.worstGrad, st.worstGradName = m, fmt.Sprintf("%s grad_%s.%s[%d]", c.Name, side, field, i)
				}
				if e > math.Max(contractGradRel*math.Abs(want[i]), contractGradAbs*scale(i))+0x1p-1075 {
					t.Errorf("%s: %s: grad_%s.%s[%d] = %.17g, want %.17g (rel %.3g, abs/scale %.3g)", kernel, c.Name, side, field, i, got[i], want[i], rl, ab)
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
	return st
}

// TestGoldenAccuracy checks the contract above on accuracy.json and
// distances.json with every kernel usable here, and logs the worst errors per
// band of ℓ₂²/cross (go test -v -run GoldenAccuracy .; with -tags purego
// only the portable kernel is built).
func TestGoldenAccuracy(t *testing.T) {
	cs := append(loadGolden(t, "testdata/golden/accuracy.json"), loadDistances(t)...)
	prev := Kernel()
	defer func() {
		if err := UseKernel(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, name := range kernels.Names() {
		if err := UseKernel(name); err != nil {
			t.Fatal(err)
		}
		st := measureAccuracy(t, cs)
		var b strings.Builder
		fmt.Fprintf(&b, "kernel %s, %d cases:\n", name, len(cs))
		fmt.Fprintf(&b, "  %-20s %5s  %-28s  %-28s\n", "ℓ₂²/cross", "cases", "worst |err|/ℓ₂²", "worst |err|/cross")
		for i := range st.n {
			if st.n[i] == 0 {
				continue
			}
			fmt.Fprintf(&b, "  [%-7.0e, %-7.0e)  %5d  %-9.2g (%-16s)  %-9.2g (%-16s)\n", ratioBands[i], ratioBands[i+1], st.n[i],
				st.worstRel[i], cs[st.worstRelCase[i]].Name, st.worstAbs[i], cs[st.worstAbsCase[i]].Name)
		}
		fmt.Fprintf(&b, "  gradients: worst min(relative, absolute/scale) %.2g (%s)", st.worstGrad, st.worstGradName)
		t.Log(b.String())
	}
}
