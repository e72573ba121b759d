package purego

import (
	"math"
	"math/rand/v2"
	"testing"
)

func ulp64(got, want float64) float64 {
	if got == want {
		return 0
	}
	u := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
	if want == 0 {
		u = 5e-324
	}
	return math.Abs(got-want) / u
}

func TestQuickVsMath(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var worstE, worstX float64
	var atE, atX float64
	for i := 0; i < 2000000; i++ {
		x := r.Float64() * 7
		if i%3 == 0 {
			x = math.Exp(r.Float64()*20 - 18)
		}
		d := []float64{x}
		o := []float64{0}
		Erf64(o, d)
		if u := ulp64(o[0], math.Erf(x)); u > worstE {
			worstE, atE = u, x
		}
		y := r.Float64() * 27.2
		d[0] = y
		ExpNegSquare64(o, d)
		// reference: exp(-(hi+lo)) with hi,lo exact split, via math.Exp of hi and correction
		hi := y * y
		lo := math.FMA(y, y, -hi)
		ref := math.Exp(-hi) * (1 - lo)
		if u := ulp64(o[0], ref); u > worstX && ref > 1e-300 {
			worstX, atX = u, y
		}
	}
	t.Logf("erf worst %.2f ulp at %g; exp worst %.2f at %g", worstE, atE, worstX, atX)
}

func TestPrint(t *testing.T) {
	o := []float64{0}
	Erf64(o, []float64{0.003428413902781642})
	t.Logf("erf %.20e %.20e", o[0], math.Erf(0.003428413902781642))
	ExpNegSquare64(o, []float64{1.5094801192065763})
	t.Logf("exp %.20e", o[0])
}
