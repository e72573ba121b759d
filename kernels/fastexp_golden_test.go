package kernels_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestGoldenExp64: Exp64 of every implementation against mpmath
// (testdata/golden/fastexp64.json, written by gen_fastexp.py: exact binary
// arguments in [−104, 700] and double-double references): the relative
// error must stay below the documented 4e-9.
func TestGoldenExp64(t *testing.T) {
	b, err := os.ReadFile("../testdata/golden/fastexp64.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Exp [][3]float64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Exp) < 1000 {
		t.Fatalf("%d reference values, want at least 1000", len(g.Exp))
	}
	x := make([]float64, len(g.Exp))
	for i, r := range g.Exp {
		x[i] = r[0]
	}
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			got := make([]float64, len(x))
			im.Exp64(got, x)
			var worst, at float64
			for i, r := range g.Exp {
				rel := math.Abs((got[i]-r[1])-r[2]) / r[1]
				if !(rel <= worst) {
					worst, at = rel, r[0]
				}
			}
			t.Logf("worst relative error %.3g at x = %v (%d arguments)", worst, at, len(x))
			if !(worst < fastExpMaxRel) {
				t.Errorf("relative error %.3g at x = %v, want below %g", worst, at, fastExpMaxRel)
			}
		})
	}
}
