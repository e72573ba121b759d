package purego

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fma32Big is the exactly rounded reference: a·b + c in big.Float, rounded
// once to float32.
func fma32Big(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	check := func(a, b, c float32) {
		got, want := fma32(a, b, c), fma32Big(a, b, c)
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
		if e := fma32Exact(a, b, c); math.Float32bits(e) != math.Float32bits(want) && !(e == 0 && want == 0) {
			t.Fatalf("fma32Exact(%g, %g, %g) = %g, want %g", a, b, c, e, want)
		}
	}
	for i := 0; i < 200000; i++ {
		a := float32(r.NormFloat64())
		b := float32(r.NormFloat64() * math.Exp(r.NormFloat64()*5))
		c := -a * b // near-cancellation
		switch i % 4 {
		case 1:
			c = float32(r.NormFloat64())
		case 2:
			// Construct double-rounding traps: c chosen so a·b + c is a
			// float32 midpoint plus a tiny bit.
			c = float32(float64(a)*float64(b)) + float32(math.Ldexp(1, -40))
		case 3:
			c = math.Float32frombits(r.Uint32() & 0x807fffff) // subnormal c
			a, b = float32(math.Ldexp(float64(a), -70)), float32(math.Ldexp(float64(b), -60))
		}
		check(a, b, c)
	}
	// A known midpoint case: 1 + 2^-24 + 2^-60 needs the sticky bit.
	check(1+0x1p-24, 1, 0x1p-60)
	check(1, 1+0x1p-23, 0x1p-24+0x1p-70)
}
