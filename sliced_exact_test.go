package cramer

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"testing"
)

// slicedGolden is testdata/golden/sliced_exact.json (mpmath at 50 digits,
// testdata/golden/gen_sliced.py): κ_D, and rows [D, dist, s, H, ∂H/∂dist,
// ∂H/∂s] with the references rounded to the nearest double.
type slicedGolden struct {
	Kappa [][2]float64 `json:"kappa"`
	H     [][6]float64 `json:"h"`
}

func loadSlicedGolden(t *testing.T) slicedGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden/sliced_exact.json")
	if err != nil {
		t.Fatal(err)
	}
	var g slicedGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Kappa) == 0 || len(g.H) == 0 {
		t.Fatal("empty sliced_exact.json")
	}
	return g
}

// sxRelErr is |got − want|/|want|, with |want| floored at the smallest normal
// double (subnormal and zero references are compared absolutely).
func sxRelErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 0x1p-1022)
}

const sxGoldenTol = 1e-14

func TestKappaGolden(t *testing.T) {
	g := loadSlicedGolden(t)
	var worst float64
	worstD := 0
	for _, row := range g.Kappa {
		d, want := int(row[0]), row[1]
		got := kappa(d)
		e := sxRelErr(got, want)
		if e > worst {
			worst, worstD = e, d
		}
		if e > 4e-16 {
			t.Errorf("kappa(%d) = %.17g, want %.17g (rel %.3g)", d, got, want, e)
		}
	}
	t.Logf("kappa: %d values, worst relative error %.3g (%.2f ulp-ish) at D = %d", len(g.Kappa), worst, worst/0x1p-53, worstD)
	if kappa(1) != 1 || kappa(3) != 0.5 || kappa(2) != 2/math.Pi {
		t.Errorf("kappa(1, 2, 3) = %v, %v, %v", kappa(1), kappa(2), kappa(3))
	}
}

func TestKappaRecurrence(t *testing.T) {
	// κ_{D+2} = κ_D·D/(D+1) across the switch to the asymptotic series, and
	// no overflow or underflow for large D.
	for d := 1; d <= 20000; d++ {
		k, k2 := kappa(d), kappa(d+2)
		if !(k > 0 && k <= 1) || math.IsInf(k, 0) {
			t.Fatalf("kappa(%d) = %v", d, k)
		}
		want := k * float64(d) / float64(d+1)
		if e := sxRelErr(k2, want); e > 1e-15 {
			t.Errorf("kappa(%d) = %.17g, kappa(%d)·D/(D+1) = %.17g (rel %.3g)", d+2, k2, d, want, e)
		}
		if k2 >= k {
			t.Errorf("kappa not decreasing at %d", d)
		}
	}
	for _, d := range []int{1 << 20, 1 << 30, math.MaxInt32, math.MaxInt} {
		k, want := kappa(d), math.Sqrt(2/(math.Pi*float64(d)))
		if e := sxRelErr(k, want); !(e < 1/float64(d)+1e-15) {
			t.Errorf("kappa(%d) = %v, want about %v", d, k, want)
		}
	}
}

func TestSlicedExactGolden(t *testing.T) {
	g := loadSlicedGolden(t)
	type worst struct {
		e    [3]float64
		at   [3][3]float64
		rows int
	}
	per := map[int]*worst{}
	for _, row := range g.H {
		d, dist, s := int(row[0]), row[1], row[2]
		h, dd, ds := slicedHGrad(dist, s, d)
		w := per[d]
		if w == nil {
			w = &worst{}
			per[d] = w
		}
		w.rows++
		for i, got := range [3]float64{h, dd, ds} {
			want := row[3+i]
			e := sxRelErr(got, want)
			if e > w.e[i] {
				w.e[i], w.at[i] = e, [3]float64{dist, s, dist / s}
			}
			if e > sxGoldenTol || math.IsNaN(got) {
				t.Errorf("D=%d dist=%v s=%v: %s = %.17g, want %.17g (rel %.3g)",
					d, dist, s, [3]string{"H", "dH/ddist", "dH/ds"}[i], got, want, e)
			}
		}
		if v := slicedH(dist, s, d); v != h {
			t.Errorf("D=%d dist=%v s=%v: slicedH %v != slicedHGrad %v", d, dist, s, v, h)
		}
	}
	dims := make([]int, 0, len(per))
	for d := range per {
		dims = append(dims, d)
	}
	sort.Ints(dims)
	for _, d := range dims {
		w := per[d]
		t.Logf("D=%4d (%3d rows): worst rel H %.2e (dist/s %.3g)  dH/ddist %.2e (dist/s %.3g)  dH/ds %.2e (dist/s %.3g)",
			d, w.rows, w.e[0], w.at[0][2], w.e[1], w.at[1][2], w.e[2], w.at[2][2])
	}
}

var sxTestDims = []int{1, 2, 3, 4, 5, 6, 7, 8, 16, 31, 32, 39, 40, 41, 42, 79, 80, 81, 100, 1000, 1001, 10000, 100001}

// sxPairRef is the 1-D pair term h(d, s) and its derivatives by the direct
// formula.
func sxPairRef(d, s float64) (h, dd, ds float64) {
	if s == 0 {
		return math.Abs(d), 0, 0
	}
	z := d / (s * math.Sqrt2)
	e := math.Exp(-z * z)
	return s*sxSqrt2OverPi*e + d*math.Erf(z), math.Erf(z), sxSqrt2OverPi * e
}

func TestSlicedExactIdentities(t *testing.T) {
	vals := []float64{1e-300, 1e-100, 1e-20, 1e-8, 0.3, 1, 2.5, 7, 1e8, 1e20, 1e100, 1e300}
	for _, d := range sxTestDims {
		k := kappa(d)
		for _, v := range vals {
			// H(dist, 0) = κ_D·dist; H(0, s) = s√(2/π).
			h, dd, ds := slicedHGrad(v, 0, d)
			if h != k*v || dd != k || ds != 0 {
				t.Errorf("D=%d: slicedHGrad(%v, 0) = %v, %v, %v, want %v, %v, 0", d, v, h, dd, ds, k*v, k)
			}
			h, dd, ds = slicedHGrad(0, v, d)
			if h != v*sxSqrt2OverPi || dd != 0 || ds != sxSqrt2OverPi {
				t.Errorf("D=%d: slicedHGrad(0, %v) = %v, %v, %v", d, v, h, dd, ds)
			}
			// Evenness in both arguments.
			for _, w := range vals {
				h0, dd0, ds0 := slicedHGrad(v, w, d)
				h1, dd1, ds1 := slicedHGrad(-v, -w, d)
				if h1 != h0 || dd1 != -dd0 || ds1 != -ds0 {
					t.Errorf("D=%d: slicedHGrad(-%v, -%v) not the mirror image", d, v, w)
				}
			}
		}
		if h, dd, ds := slicedHGrad(0, 0, d); h != 0 || dd != 0 || ds != sxSqrt2OverPi {
			t.Errorf("D=%d: slicedHGrad(0, 0) = %v, %v, %v", d, h, dd, ds)
		}
	}
}

// TestSlicedExactOneDimension: D = 1 is the pair term h itself.
func TestSlicedExactOneDimension(t *testing.T) {
	var worst [3]float64
	for i := 0; i <= 4000; i++ {
		for _, s := range []float64{1e-100, 1e-3, 1, 3.7, 1e50} {
			q := math.Pow(10, -8+float64(i)*(10.0/4000)) // dist/s in [1e-8, 100]
			d := q * s
			h, dd, ds := slicedHGrad(d, s, 1)
			rh, rdd, rds := sxPairRef(d, s)
			for j, e := range [3]float64{sxRelErr(h, rh), sxRelErr(dd, rdd), sxRelErr(ds, rds)} {
				worst[j] = math.Max(worst[j], e)
			}
			if e := sxRelErr(h, rh); e > 1e-15 {
				t.Errorf("slicedH(%v, %v, 1) = %.17g, h = %.17g (rel %.3g)", d, s, h, rh, e)
			}
			if e := sxRelErr(dd, rdd); e > 1e-15 {
				t.Errorf("∂/∂dist at (%v, %v) = %.17g, erf = %.17g (rel %.3g)", d, s, dd, rdd, e)
			}
			// The direct formula rounds z² first: e^{−z²} is off by up to z²·2⁻⁵³.
			z2 := q * q / 2
			if e := sxRelErr(ds, rds); e > 1e-15*(1+z2) && rds > 1e-300 {
				t.Errorf("∂/∂s at (%v, %v) = %.17g, √(2/π)e^{−z²} = %.17g (rel %.3g)", d, s, ds, rds, e)
			}
		}
	}
	t.Logf("D=1 vs direct erf/exp formula: worst rel H %.2e, dH/ddist %.2e, dH/ds %.2e", worst[0], worst[1], worst[2])
}

// sxGrid is dist/s log-spaced over 1e-8…1e8 (step ratio 10^(1/64)), plus the
// points just around the switch points x = 40 and x = D/2.
func sxGrid(d int) []float64 {
	var g []float64
	for i := -512; i <= 512; i++ {
		g = append(g, math.Pow(10, float64(i)/64))
	}
	for _, x := range []float64{sxAsymX, float64(d) / 2} {
		q := math.Sqrt(2 * x)
		for k := -4; k <= 4; k++ {
			g = append(g, q*(1+float64(k)*1e-15), q*(1+float64(k)*1e-9))
		}
	}
	sort.Float64s(g)
	return g
}

func TestSlicedExactMonotone(t *testing.T) {
	for _, d := range sxTestDims {
		for _, s := range []float64{1e-200, 1, 3e150} {
			prev, prevD, prevS := 0.0, 0.0, math.Inf(1)
			for _, q := range sxGrid(d) {
				dist := q * s
				h, dd, ds := slicedHGrad(dist, s, d)
				// H increases in dist, ∂H/∂dist increases towards κ_D, ∂H/∂s
				// decreases from √(2/π); at the switch points between series the
				// values may step back by the accuracy (a few 1e-15).
				const tol = 1e-14
				if h < prev*(1-tol) || dd < prevD*(1-tol) || ds > prevS*(1+tol) {
					t.Errorf("D=%d s=%v dist/s=%v: not monotone: H %v after %v, dH/ddist %v after %v, dH/ds %v after %v",
						d, s, q, h, prev, dd, prevD, ds, prevS)
				}
				if h < math.Max(kappa(d)*dist, s*sxSqrt2OverPi)*(1-4e-16) || dd > kappa(d)*(1+4e-16) || ds > sxSqrt2OverPi {
					t.Errorf("D=%d s=%v dist=%v: H=%v dH/ddist=%v dH/ds=%v outside the bounds", d, s, dist, h, dd, ds)
				}
				prev, prevD, prevS = h, dd, ds
			}
		}
	}
}

// TestSlicedExactCentralDifferences checks both derivatives against
// fourth-order central differences.
func TestSlicedExactCentralDifferences(t *testing.T) {
	var worst float64
	for _, d := range sxTestDims {
		for _, s := range []float64{1e-50, 1, 1e40} {
			for i := -48; i <= 48; i++ {
				q := math.Pow(10, float64(i)/16) // dist/s in [1e-3, 1e3]
				dist := q * s
				_, dd, ds := slicedHGrad(dist, s, d)
				f := func(r, s float64) float64 { return slicedH(r, s, d) }
				hr, hs := 1e-3*dist, 1e-3*s
				nd := (8*(f(dist+hr, s)-f(dist-hr, s)) - (f(dist+2*hr, s) - f(dist-2*hr, s))) / (12 * hr)
				ns := (8*(f(dist, s+hs)-f(dist, s-hs)) - (f(dist, s+2*hs) - f(dist, s-2*hs))) / (12 * hs)
				// Absolute error against the scale of H per unit dist or s.
				h := slicedH(dist, s, d)
				ed := math.Abs(nd-dd) / (h / dist)
				es := math.Abs(ns-ds) / (h / s)
				worst = math.Max(worst, math.Max(ed, es))
				if ed > 1e-9 || es > 1e-9 {
					t.Errorf("D=%d dist=%v s=%v: dH/ddist %v (numerical %v), dH/ds %v (numerical %v)", d, dist, s, dd, nd, ds, ns)
				}
			}
		}
	}
	t.Logf("central differences: worst error %.2e relative to H/dist or H/s", worst)
}

func TestSlicedExactFinite(t *testing.T) {
	vals := []float64{0, 5e-324, 1e-310, 1e-300, 1e-150, 1e-20, 1e-8, 0.5, 1, 7, 40, 1e8, 1e20, 1e150, 1e300, 1e307, math.MaxFloat64 / 4}
	for _, d := range append(sxTestDims, 1<<20, 123456789) {
		for _, r := range vals {
			for _, s := range vals {
				h, dd, ds := slicedHGrad(r, s, d)
				for _, v := range []float64{h, dd, ds} {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
						t.Fatalf("D=%d: slicedHGrad(%v, %v) = %v, %v, %v", d, r, s, h, dd, ds)
					}
				}
				if r > 0 && h < kappa(d)*r*(1-1e-15) {
					t.Errorf("D=%d: slicedH(%v, %v) = %v below κ_D·dist", d, r, s, h)
				}
			}
		}
	}
}

func TestSlicedExactNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, d := range []int{1, 2, 3, 100} {
		for _, c := range [][2]float64{{nan, 1}, {1, nan}, {nan, nan}, {inf, inf}, {nan, 0}, {0, nan}} {
			if h, _, _ := slicedHGrad(c[0], c[1], d); !math.IsNaN(h) {
				t.Errorf("D=%d: slicedH(%v, %v) = %v, want NaN", d, c[0], c[1], h)
			}
		}
		if h, dd, ds := slicedHGrad(inf, 1, d); !math.IsInf(h, 1) || dd != kappa(d) || ds != 0 {
			t.Errorf("D=%d: slicedHGrad(+Inf, 1) = %v, %v, %v", d, h, dd, ds)
		}
		if h, dd, ds := slicedHGrad(1, inf, d); !math.IsInf(h, 1) || dd != 0 || ds != sxSqrt2OverPi {
			t.Errorf("D=%d: slicedHGrad(1, +Inf) = %v, %v, %v", d, h, dd, ds)
		}
	}
}

func BenchmarkSlicedHGrad(b *testing.B) {
	for _, d := range []int{2, 3, 8, 100, 1000, 100000000} {
		for _, q := range []float64{0.3, 3, 9, 30} {
			b.Run(fmt.Sprintf("D=%d/dist=%g", d, q), func(b *testing.B) {
				var sink float64
				for b.Loop() {
					h, dd, ds := slicedHGrad(q, 1, d)
					sink += h + dd + ds
				}
				_ = sink
			})
		}
	}
}
