package kernels_test

// Exp64, the exponential of the float32 mixture-density losses: every
// implementation equals purego bit for bit (lengths 0…cfMaxLen at every
// offset, extreme and non-finite inputs, in place, guard pages, short
// slices), and purego is within the documented 4e-9 of math.Exp.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/internal/approx"
	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// fastExpMaxRel is the documented bound on Exp64's relative error.
const fastExpMaxRel = 4e-9

// fastExpCases returns arguments over the whole specified range
// [FastExpMin, FastExpMax]: its ends and their neighbours, ±0, subnormals,
// points on and next to the reduction's boundaries (odd multiples of
// ln2/256) and table rows (multiples of ln2/128), and random arguments;
// below the range, arguments whose result is 0.
func fastExpCases(rng *rand.Rand) [][]float64 {
	lo, hi := approx.FastExpMin, approx.FastExpMax
	xs := []float64{lo, math.Nextafter(lo, 0), math.Nextafter(lo, -200), hi, math.Nextafter(hi, 0),
		0, math.Copysign(0, -1), 0x1p-1074, -0x1p-1074, 0x1p-1022, -1e-300, 1e-20, -1e-8, 1,
		-1, 0.5, 2, 10, -10, 88.7, -87.3, -103.97, -104.5, -105, -745, -1e30, -math.MaxFloat64}
	step := math.Ln2 / 256
	for k := -int(-lo/step) - 2; k <= int(hi/step); k += 1 + rng.IntN(97) {
		x := float64(k) * step
		xs = append(xs, x, math.Nextafter(x, -1000), math.Nextafter(x, 1000))
	}
	for i := 0; i < 2000; i++ {
		xs = append(xs, lo+(hi-lo)*rng.Float64(), -20+40*rng.Float64(), rng.NormFloat64()*math.Exp(rng.NormFloat64()*3))
	}
	cases := make([][]float64, len(xs))
	for i, x := range xs {
		cases[i] = []float64{x}
	}
	return cases
}

// fastExpCheck tests one result against math.Exp: 0 below FastExpMin,
// within fastExpMaxRel up to FastExpMax; larger arguments are unspecified.
func fastExpCheck(w cfWorst) func(in, out []float64) string {
	return func(in, out []float64) string {
		x, y := in[0], out[0]
		switch {
		case x < approx.FastExpMin:
			if cfBits(y) != 0 {
				return fmt.Sprintf("exp(%v) = %v, want +0 below %v", x, y, approx.FastExpMin)
			}
		case x <= approx.FastExpMax:
			want := math.Exp(x)
			rel := math.Abs(y-want) / want
			w.note("relative error", rel, func() string { return fmt.Sprintf("x=%v", x) })
			if !(rel <= fastExpMaxRel) {
				return fmt.Sprintf("exp(%v) = %v, math.Exp %v: relative error %.3g > %g", x, y, want, rel, fastExpMaxRel)
			}
		}
		return ""
	}
}

func TestConformExp64(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			w := cfWorst{}
			e := cfElem[float64]{nIn: 1, nOut: 1,
				run:   func(out, in [][]float64) { im.Exp64(out[0], in[0]) },
				ref:   func(out, in [][]float64) { purego.Exp64(out[0], in[0]) },
				check: fastExpCheck(w),
			}
			cfRunElem(t, e, fastExpCases(rand.New(rand.NewPCG(1, 64))), 7)
			w.log(t)
			t.Run("nonfinite", func(t *testing.T) {
				// Outside the specified range: compared with purego bitwise
				// (a NaN result need only be a NaN).
				e.check = nil
				nan := math.NaN()
				cfRunElem(t, e, [][]float64{{nan}, {-nan}, {math.Inf(1)}, {math.Inf(-1)}, {700.5}, {709.8}, {710},
					{1e4}, {1e300}, {math.MaxFloat64}, {1}, {0}, {nan}}, 8)
			})
		})
	}
}

// TestExp64InPlace: dst may be x itself.
func TestExp64InPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 64))
	cases := fastExpCases(rng)
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		t.Run(name, func(t *testing.T) {
			f := &cfFailer{t: t}
			for n := 0; n <= cfMaxLen; n++ {
				x := make([]float64, n)
				for i := range x {
					x[i] = cases[rng.IntN(len(cases))][0]
				}
				want := make([]float64, n)
				im.Exp64(want, x)
				got := append([]float64(nil), x...)
				im.Exp64(got, got)
				for i := range want {
					if !cfSame(got[i], want[i]) {
						f.errorf("in place, n=%d, element %d (x=%v): %v, out of place %v", n, i, x[i], got[i], want[i])
					}
				}
			}
			f.flush()
		})
	}
}

// TestExp64ShortDst: a dst shorter than x panics (with and without spare
// capacity), and nothing is written.
func TestExp64ShortDst(t *testing.T) {
	for _, name := range kernels.Names() {
		im := cfLookup(t, name)
		for _, spare := range []int{0, 4} {
			t.Run(fmt.Sprintf("%s/spare=%d", name, spare), func(t *testing.T) {
				buf := make([]float64, 12+spare)
				dst := buf[:12]
				x := make([]float64, 13)
				panicked := func() (p bool) {
					defer func() { p = recover() != nil }()
					im.Exp64(dst, x)
					return false
				}()
				if !panicked {
					t.Fatalf("Exp64 with len(dst) = 12 < len(x) = 13 did not panic")
				}
				for i, v := range buf {
					if v != 0 {
						t.Fatalf("element %d of dst's buffer written: %v", i, v)
					}
				}
			})
		}
	}
}

// BenchmarkExp64 times Exp64 of every implementation on 1024 arguments in
// [−20, 5] (the range of the losses' shifted logits and scale maps).
func BenchmarkExp64(b *testing.B) {
	const n = 1024
	rng := rand.New(rand.NewPCG(9, 64))
	x := make([]float64, n)
	for i := range x {
		x[i] = -20 + 25*rng.Float64()
	}
	dst := make([]float64, n)
	for _, name := range kernels.Names() {
		im, err := kernels.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				im.Exp64(dst, x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/element")
		})
	}
}
