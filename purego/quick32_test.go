package purego

import (
	"math"
	"math/rand/v2"
	"testing"
)

func ulp32(got float32, want float64) float64 {
	w := float32(want)
	u := float64(math.Nextafter32(w, float32(math.Inf(1))) - w)
	if w == 0 {
		u = float64(math.Float32frombits(1))
	}
	return math.Abs(float64(got)-want) / u
}

func TestQuick32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var we, wx, wh float64
	o := []float32{0}
	o2 := []float32{0}
	o3 := []float32{0}
	for i := 0; i < 1000000; i++ {
		x := float32(r.Float64() * 5)
		if i%3 == 0 {
			x = float32(math.Exp(r.Float64()*20 - 18))
		}
		Erf32(o, []float32{x})
		we = math.Max(we, ulp32(o[0], math.Erf(float64(x))))
		y := float32(r.Float64() * 9.3)
		ExpNegSquare32(o, []float32{y})
		wx = math.Max(wx, ulp32(o[0], math.Exp(-float64(y)*float64(y))))
		d := float32(r.NormFloat64() * 3)
		v := float32(r.Float64() * 2)
		PairTerms32(o, o2, o3, []float32{d}, []float32{v})
		s := math.Sqrt(float64(v))
		z := float64(d) / (s * math.Sqrt2)
		h := s*math.Sqrt(2/math.Pi)*math.Exp(-z*z) + float64(d)*math.Erf(z)
		wh = math.Max(wh, ulp32(o[0], h))
	}
	t.Logf("f32 erf %.2f exp %.2f h %.2f ulp", we, wx, wh)
}
