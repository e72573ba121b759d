package fuzz

import (
	"cmp"
	"errors"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/gmmkit/cramer"
)

// samplesPalette holds the values a fuzzed sample set is made of besides
// the ordinary ones: zeros of both signs, ±1 and ½ (ties), subnormals, tiny
// and huge magnitudes, both magnitude limits (1e153, 1e18) and just beyond
// the float64 one, ±Inf and NaN.
var samplesPalette = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 5e-324, -5e-324, 1e-310, 0x1p-1000, 0x1p-600,
	1e-200, 1e150, -1e150, 1e153, -1e153, 1e18, -2e18, math.Nextafter(1e153, math.Inf(1)), math.Inf(1), math.Inf(-1),
	math.NaN()}

// FuzzSamples64 builds two sample sets from the fuzzer's bytes and checks
// SquaredSamplesGrad against an exact reference computed independently of
// the library's algorithm (sorted points, integer weights, math/big sums
// at a precision that holds every sum exactly).
//
//   - data[0], data[1]: the sizes N and M: 0 … 69, or 64 … 2104 with the
//     "large" flag (the insertion sort below 64 points, the radix sort,
//     runs of equal high bits finished by insertion).
//   - data[2], flags: bit 0, 1: x, y weighted (dyadic weights k/2ᵖ summing
//     to exactly 1, zeros included); bit 2, 3: gradients of x, y wanted;
//     bit 4: gx.Values shares memory with x.Values; bit 5: large; bits 6–7:
//     values on a grid of eighths (ties within and across the sets),
//     distinct values, a grid of subnormals (float32: of tiny values) or a
//     grid of huge ones.
//   - data[3]: the weights of one set made invalid (negative, NaN, summing
//     to 1.5, or the wrong length) in 4 cases of 8.
//   - the other bytes, cycled: the values (a byte below len(samplesPalette)
//     picks a palette value) and the weights.
//
// It checks that the call does not panic; that it fails exactly when an
// input is invalid, with an *InputError naming x before y (or, for a
// positive ℓ₂² that underflows to 0, naming both); and, when it succeeds,
// the value (relative 1e-13, float32 4e-7, ≥ 0) and every gradient
// element against the reference (relative to the sum of the magnitudes of
// its terms), the value without gradients to the bit, and ℓ₂²(y, x) with
// its gradients equal to ℓ₂²(x, y)'s (to the bit, but for the sign of a
// zero).
func FuzzSamples64(f *testing.F) {
	for _, seed := range samplesSeeds {
		f.Add(seed)
	}
	f.Fuzz(fuzzSamples[float64])
}

// FuzzSamples32 is FuzzSamples64 in float32 (palette values rounded to
// float32: some become 0 or ±Inf).
func FuzzSamples32(f *testing.F) {
	for _, seed := range samplesSeeds {
		f.Add(seed)
	}
	f.Fuzz(fuzzSamples[float32])
}

var samplesSeeds = [][]byte{
	{3, 4, 0x0c, 0, 30, 40, 50, 60, 70, 80, 90},
	{1, 1, 0x0c, 0, 200},
	{65, 70, 0x4f, 0, 31, 77, 200, 150, 99, 180},        // distinct values, both weighted, gx aliasing x
	{20, 33, 0x8c, 1, 40, 41, 42, 43, 44, 45},           // subnormal grid
	{50, 60, 0xcd, 2, 130, 131, 140, 150, 160, 255},     // huge grid, x weighted
	{100, 7, 0x2c, 0, 22, 23, 150, 151, 152, 160, 161},  // large, ties
	{200, 180, 0x6f, 3, 90, 91, 92, 93, 94, 95, 96, 97}, // large, distinct, weighted
	{5, 6, 0x0c, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},   // palette
	{5, 6, 0x0c, 0, 13, 14, 17, 18},                     // at and beyond the magnitude limit
	{9, 9, 0x0f, 4, 150, 160, 170},                      // invalid weights
	{9, 9, 0x0f, 12, 150, 160, 170},
	{9, 9, 0x0f, 7, 150, 160, 170},
	{0, 9, 0x0c, 0, 150},
	{4, 0, 0x0c, 0, 150},
}

// samplesInput is a decoded fuzz input.
type samplesInput[F cramer.Float] struct {
	x, y   cramer.Samples[F]
	bad    string // "x", "y": the first invalid set; "" when both are valid
	gradX  bool
	gradY  bool
	aliasX bool
	xw, yw []int64 // the weights times den, integers
	den    int64   // the common denominator of the weights of both sets
}

func fuzzSamples[F cramer.Float](t *testing.T, data []byte) {
	in, ok := decodeSamples[F](data)
	if !ok {
		return
	}
	x, y := in.x, in.y
	// Copies: with aliasing the call overwrites x.Values with gradients.
	xc := cramer.Samples[F]{Values: slices.Clone(x.Values), Weights: slices.Clone(x.Weights)}
	yc := cramer.Samples[F]{Values: slices.Clone(y.Values), Weights: slices.Clone(y.Weights)}
	var gx, gy cramer.SamplesGrad[F]
	var pgx, pgy *cramer.SamplesGrad[F]
	if in.gradX {
		pgx = &gx
		if in.aliasX {
			gx.Values = x.Values[:len(x.Values):len(x.Values)]
		}
	}
	if in.gradY {
		pgy = &gy
	}
	var ws cramer.Workspace[F]
	got, err := ws.SquaredSamplesGrad(x, y, pgx, pgy)
	if in.bad != "" {
		var ie *cramer.InputError
		if !errors.As(err, &ie) || ie.Arg != in.bad {
			t.Fatalf("invalid %s: got %v, %v; want an *InputError naming %s", in.bad, got, err, in.bad)
		}
		return
	}
	ref := exactSamples(xc, yc, in)
	tol := 1e-13
	if is32[F]() {
		tol = 4e-7
	}
	floor := 4 * tiny[F]()
	// Two unweighted sets: CDF differences exact (counted points), the
	// value to a few roundings. With weights, the roundings of their sums
	// enter each CDF difference (ref.weightScale).
	vtol := tol*ref.value + floor
	if xc.Weights != nil || yc.Weights != nil {
		e := eps[F]()
		vtol += 8*e*ref.weightScale + 16*e*e*ref.weightScale2
	}
	if err != nil {
		// A positive ℓ₂² that rounds to 0 is an error: accepted where the
		// exact value rounds to 0 and is positive, or may be computed as
		// positive (weights, whose rounded sums leave C ≠ 0 where it is 0).
		weighted := xc.Weights != nil || yc.Weights != nil
		var ie *cramer.InputError
		if errors.As(err, &ie) && ie.Arg == "x, y" && ref.value < 2*tiny[F]() && (ref.positive || weighted) {
			return
		}
		t.Fatalf("valid sets (N = %d, M = %d): %v (exact ℓ₂² = %g)", len(xc.Values), len(yc.Values), err, ref.value)
	}
	if !(got >= 0) || math.Abs(float64(got)-ref.value) > vtol {
		t.Errorf("ℓ₂² = %v, exact %v (N = %d, M = %d)", got, ref.value, len(xc.Values), len(yc.Values))
	}
	for s, g := range []*cramer.SamplesGrad[F]{pgx, pgy} {
		if g == nil {
			continue
		}
		set := [2]cramer.Samples[F]{xc, yc}[s]
		if len(g.Values) != len(set.Values) || len(g.Weights) != len(set.Values) {
			t.Fatalf("set %d: gradient lengths %d, %d, want %d", s, len(g.Values), len(g.Weights), len(set.Values))
		}
		for j := range set.Values {
			r := ref.grad[s][j]
			if d := math.Abs(float64(g.Values[j]) - r.dv); d > tol*r.dvScale+floor {
				t.Errorf("set %d: ∂/∂value[%d] = %v, exact %v (scale %v)", s, j, g.Values[j], r.dv, r.dvScale)
			}
			if d := math.Abs(float64(g.Weights[j]) - r.dw); d > tol*r.dwScale+floor {
				t.Errorf("set %d: ∂/∂weight[%d] = %v, exact %v (scale %v)", s, j, g.Weights[j], r.dw, r.dwScale)
			}
		}
	}
	// The value without gradients, and with the arguments swapped, to the
	// bit; the swapped call's gradients too.
	plain, err := ws.SquaredSamples(xc, yc)
	if err != nil || !same(plain, got) {
		t.Errorf("without gradients: %v, %v; with: %v", plain, err, got)
	}
	// (The same gradients asked for: the computation is then the same.)
	var rx, ry cramer.SamplesGrad[F]
	var prx, pry *cramer.SamplesGrad[F]
	if in.gradX {
		prx = &rx
	}
	if in.gradY {
		pry = &ry
	}
	rev, err := ws.SquaredSamplesGrad(yc, xc, pry, prx)
	if err != nil || !same(rev, got) {
		t.Errorf("ℓ₂²(y, x) = %v, %v; ℓ₂²(x, y) = %v", rev, err, got)
	}
	for s, pair := range [][2]*cramer.SamplesGrad[F]{{pgx, &rx}, {pgy, &ry}} {
		g, r := pair[0], pair[1]
		if g == nil {
			continue
		}
		for j := range g.Values {
			// Equal as numbers: a zero derivative may come with either sign
			// (−w·0 for the first argument, +v·0 for the second).
			if g.Values[j] != r.Values[j] || g.Weights[j] != r.Weights[j] {
				t.Errorf("set %d, point %d: gradients (%v, %v), swapped arguments (%v, %v)", s, j,
					g.Values[j], g.Weights[j], r.Values[j], r.Weights[j])
				break
			}
		}
	}
}

// decodeSamples builds the sets of a fuzz input (see FuzzSamples64).
func decodeSamples[F cramer.Float](data []byte) (samplesInput[F], bool) {
	var in samplesInput[F]
	if len(data) < 4 {
		return in, false
	}
	flags, wmode := data[2], data[3]
	rest := data[4:]
	large := flags&0x20 != 0
	size := func(b byte) int {
		if large {
			return 64 + 8*int(b)
		}
		return int(b) % 70
	}
	n, m := size(data[0]), size(data[1])
	in.gradX, in.gradY, in.aliasX = flags&4 != 0, flags&8 != 0, flags&0x10 != 0
	mode := flags >> 6
	scale := 1.0
	switch {
	case mode == 2 && is32[F]():
		scale = 0x1p-140
	case mode == 2:
		scale = 0x1p-1060
	case mode == 3 && is32[F]():
		scale = 0x1p55
	case mode == 3:
		scale = 0x1p480
	}
	at := 0
	next := func() byte {
		if len(rest) == 0 {
			at++
			return byte(128 + at)
		}
		b := rest[at%len(rest)]
		at++
		return b
	}
	values := func(k, set int) []F {
		v := make([]F, k)
		for i := range v {
			b := next()
			if int(b) < len(samplesPalette) {
				v[i] = F(samplesPalette[b])
				continue
			}
			z := float64(int(b)-140) / 8
			if mode == 1 {
				z += float64(i*2+set) * 0x1p-30
			}
			v[i] = F(z * scale)
		}
		return v
	}
	in.x.Values, in.y.Values = values(n, 0), values(m, 1)
	// Integer weights over a common denominator D: k/2ᵖ for weighted sets
	// (D/2ᵖ each), 1/N for unweighted ones (D/N each).
	dyadic := func(k int) ([]int64, int64) {
		w := make([]int64, k)
		sum := int64(0)
		for i := 0; i+1 < k; i++ {
			w[i] = int64(next() % 17)
			sum += w[i]
		}
		p := int64(1)
		for p <= sum {
			p *= 2
		}
		if k > 0 {
			w[k-1] = p - sum
		}
		return w, p
	}
	denX, denY := int64(max(n, 1)), int64(max(m, 1))
	if flags&1 != 0 {
		in.xw, denX = dyadic(n)
	}
	if flags&2 != 0 {
		in.yw, denY = dyadic(m)
	}
	in.den = denX * denY
	asWeights := func(w []int64, p int64) []F {
		if w == nil {
			return nil
		}
		out := make([]F, len(w))
		for i, k := range w {
			out[i] = F(float64(k) / float64(p))
		}
		return out
	}
	in.x.Weights, in.y.Weights = asWeights(in.xw, denX), asWeights(in.yw, denY)
	// Scale the integer weights to the common denominator.
	in.xw, in.yw = common(in.xw, n, denX, in.den), common(in.yw, m, denY, in.den)
	// Invalid weights for one set in half the inputs.
	if wmode&4 != 0 {
		target := &in.x
		if wmode&8 != 0 {
			target = &in.y
		}
		k := len(target.Values)
		w := target.Weights
		if w == nil {
			w = make([]F, k)
			for i := range w {
				w[i] = F(1 / float64(max(k, 1)))
			}
		}
		switch wmode & 3 {
		case 0:
			if k > 0 {
				w[k/2] = -w[k/2] - 0.25
			}
		case 1:
			if k > 0 {
				w[0] = F(math.NaN())
			}
		case 2:
			for i := range w {
				w[i] *= 1.5
			}
		case 3:
			w = append(w, 0)
		}
		target.Weights = w
	}
	badSet := func(s cramer.Samples[F], wBad bool) bool {
		if len(s.Values) == 0 || wBad {
			return true
		}
		for _, v := range s.Values {
			if !(math.Abs(float64(v)) <= cramer.MaxMagnitude[F]()) {
				return true
			}
		}
		return false
	}
	// The invalid weights are invalid whatever the set: a negative weight,
	// a NaN, a sum of 1.5 (k ≥ 1), a length of N + 1.
	wBadX := wmode&4 != 0 && wmode&8 == 0 && (len(in.x.Values) > 0 || wmode&3 == 3)
	wBadY := wmode&4 != 0 && wmode&8 != 0 && (len(in.y.Values) > 0 || wmode&3 == 3)
	switch {
	case badSet(in.x, wBadX):
		in.bad = "x"
	case badSet(in.y, wBadY):
		in.bad = "y"
	}
	return in, true
}

// common returns the integer weights w (over p; nil: 1 each over k) over
// the denominator den, a multiple of p.
func common(w []int64, k int, p, den int64) []int64 {
	out := make([]int64, k)
	for i := range out {
		c := int64(1)
		if w != nil {
			c = w[i]
		}
		out[i] = c * (den / p)
	}
	return out
}

// gradRef is the exact gradient of one point, with the scales of the
// comparisons: Σ|terms| of S and of B.
type gradRef struct{ dv, dvScale, dw, dwScale float64 }

type samplesRef struct {
	value    float64 // rounded to float64
	positive bool    // the exact value is > 0 (value may have rounded to 0)
	// weightScale and weightScale2 are Σ gap·|C|·A and Σ gap·A², A the sum
	// of |weights| below the gap: the scales of the error that rounded sums
	// of weights leave in ℓ₂² (|δC| ≲ 2ε·A, so
	// |δℓ₂²| ≲ 4ε·weightScale + 4ε²·weightScale2).
	weightScale, weightScale2 float64
	grad                      [2][]gradRef
}

// exactSamples computes ℓ₂²(x, y) = ∫(F − G)² and the gradients of
// SquaredSamplesGrad exactly (then rounded): the merged points sorted, the
// weights as integers over the common denominator D (cₗ = +D·w for x,
// −D·v for y), the CDF difference C as an integer, and the sums in math/big
// at a precision that holds every product and sum of values exactly.
func exactSamples[F cramer.Float](x, y cramer.Samples[F], in samplesInput[F]) samplesRef {
	type point struct {
		z   float64
		c   int64
		set int
		idx int
	}
	var pts []point
	emin, emax := math.MaxInt, math.MinInt
	for s, set := range []cramer.Samples[F]{x, y} {
		w := [2][]int64{in.xw, in.yw}[s]
		for i, v := range set.Values {
			z := float64(v)
			c := w[i]
			if s == 1 {
				c = -c
			}
			pts = append(pts, point{z, c, s, i})
			if z != 0 {
				_, e := math.Frexp(z)
				emin, emax = min(emin, e), max(emax, e)
			}
		}
	}
	slices.SortStableFunc(pts, func(a, b point) int { return cmp.Compare(a.z, b.z) })
	prec := uint(256)
	if emin <= emax {
		prec = uint(emax-emin) + 53 + 192
	}
	nf := func() *big.Float { return new(big.Float).SetPrec(prec) }
	bf := func(x float64) *big.Float { return nf().SetFloat64(x) }
	bi := func(x int64) *big.Float { return nf().SetInt64(x) }
	den := bi(in.den)
	// ℓ₂² = Σ gap·C² / D², C the integer CDF difference below the gap.
	sum, t := nf(), nf()
	cum, cumA := int64(0), int64(0)
	var ref samplesRef
	for k := 0; k+1 < len(pts); k++ {
		cum += pts[k].c
		cumA += abs64(pts[k].c)
		if pts[k+1].z == pts[k].z {
			continue
		}
		gap, df := pts[k+1].z-pts[k].z, float64(in.den)
		ref.weightScale += gap * math.Abs(float64(cum)/df) * (float64(cumA) / df)
		ref.weightScale2 += gap * (float64(cumA) / df) * (float64(cumA) / df)
		if cum == 0 {
			continue
		}
		t.Sub(bf(pts[k+1].z), bf(pts[k].z))
		t.Mul(t, bi(cum))
		t.Mul(t, bi(cum))
		sum.Add(sum, t)
	}
	sum.Quo(sum, den)
	sum.Quo(sum, den)
	ref.value, _ = sum.Float64()
	ref.positive = sum.Sign() > 0
	// Per group of equal values: C< and C> (integers), Σ|c| below and
	// above, and Σ c·z and Σ|c|·z below and above, for
	// S(z) = C< − C> and B(z) = z·C< − P< + P> − z·C> (and its scale).
	ref.grad = [2][]gradRef{make([]gradRef, len(x.Values)), make([]gradRef, len(y.Values))}
	var totC, totA int64
	totP, totQ := nf(), nf()
	for _, p := range pts {
		totC += p.c
		totA += abs64(p.c)
		totP.Add(totP, t.Mul(bi(p.c), bf(p.z)))
		totQ.Add(totQ, t.Mul(bi(abs64(p.c)), bf(p.z)))
	}
	var belowC, belowA int64
	belowP, belowQ := nf(), nf()
	for g := 0; g < len(pts); {
		e := g
		var grpC, grpA int64
		grpP, grpQ := nf(), nf()
		for e < len(pts) && pts[e].z == pts[g].z {
			grpC += pts[e].c
			grpA += abs64(pts[e].c)
			grpP.Add(grpP, t.Mul(bi(pts[e].c), bf(pts[e].z)))
			grpQ.Add(grpQ, t.Mul(bi(abs64(pts[e].c)), bf(pts[e].z)))
			e++
		}
		z := bf(pts[g].z)
		aboveC, aboveA := totC-belowC-grpC, totA-belowA-grpA
		aboveP := nf().Sub(totP, belowP)
		aboveP.Sub(aboveP, grpP)
		aboveQ := nf().Sub(totQ, belowQ)
		aboveQ.Sub(aboveQ, grpQ)
		// B·D = z·C< − P< + P> − z·C>; its scale with |c|.
		b := nf().Mul(z, bi(belowC-aboveC))
		b.Sub(b, belowP)
		b.Add(b, aboveP)
		b.Quo(b, den)
		bs := nf().Mul(z, bi(belowA-aboveA))
		bs.Sub(bs, belowQ)
		bs.Add(bs, aboveQ)
		bs.Quo(bs, den)
		bv, _ := b.Float64()
		bsv, _ := bs.Float64()
		sInt := belowC - aboveC
		for _, p := range pts[g:e] {
			// ∂/∂xⱼ = −wⱼ·S, ∂/∂yⱼ = vⱼ·S = −cⱼ·S/D² either way;
			// ∂/∂wⱼ = −B(xⱼ), ∂/∂vⱼ = B(yⱼ).
			dv := nf().Mul(bi(-p.c), bi(sInt))
			dv.Quo(dv, den)
			dv.Quo(dv, den)
			dvScale := nf().Mul(bi(abs64(p.c)), bi(belowA+aboveA))
			dvScale.Quo(dvScale, den)
			dvScale.Quo(dvScale, den)
			r := gradRef{dw: bv, dwScale: bsv}
			r.dv, _ = dv.Float64()
			r.dvScale, _ = dvScale.Float64()
			if p.set == 0 {
				r.dw = -bv
			}
			ref.grad[p.set][p.idx] = r
		}
		belowC += grpC
		belowA += grpA
		belowP.Add(belowP, grpP)
		belowQ.Add(belowQ, grpQ)
		g = e
	}
	return ref
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
