package cramer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// batchInputs returns nb mixture pairs of k and m components, laid out for
// SquaredBatch. targets selects q: "mixtures" (some stds 0), "points" (every
// std 0: the Dirac path) or "none-zero".
func batchInputs[F Float](seed uint64, nb, k, m int, targets string) (p, q Mixture[F]) {
	r := rand.New(rand.NewPCG(seed, 11))
	add := func(dst *Mixture[F], a Mixture[float64]) {
		for i := range a.Means {
			dst.Weights = append(dst.Weights, F(a.Weights[i]))
			dst.Means = append(dst.Means, F(a.Means[i]))
			dst.Stds = append(dst.Stds, F(a.Stds[i]))
		}
	}
	for b := 0; b < nb; b++ {
		add(&p, randMixture(r, k, b%2 == 0))
		c := randMixture(r, m, targets == "mixtures" && b%5 == 0)
		if targets == "points" {
			clear(c.Stds)
		}
		add(&q, c)
	}
	// Weights converted to float32 need not sum to 1 within the check's
	// tolerance; renormalise in F.
	for _, x := range []struct {
		w []F
		c int
	}{{p.Weights, k}, {q.Weights, m}} {
		for b := 0; b < nb; b++ {
			blk := x.w[b*x.c : (b+1)*x.c]
			var s F
			for _, v := range blk {
				s += v
			}
			for i := range blk {
				blk[i] /= s
			}
		}
	}
	return p, q
}

// TestSquaredBatchShapes checks every out[b] and gradient of SquaredBatchGrad
// against SquaredGrad of the single pair, for the learning shapes (K = M = 1 …
// 16, K = 5 against one point, mixed), batch sizes that are not multiples of
// the chunk or of any lane count, both precisions; and that the values
// without gradients are the same bits.
func TestSquaredBatchShapes(t *testing.T) {
	shapes := []struct {
		k, m    int
		targets string
	}{
		{1, 1, "mixtures"}, {4, 4, "none-zero"}, {8, 8, "mixtures"}, {16, 16, "mixtures"},
		{5, 1, "points"}, {3, 4, "points"}, {7, 3, "mixtures"}, {1, 6, "none-zero"},
	}
	for _, sh := range shapes {
		for _, nb := range []int{1, 3, 67, 150} {
			name := fmt.Sprintf("k=%d/m=%d/%s/nb=%d", sh.k, sh.m, sh.targets, nb)
			t.Run(name+"/float64", func(t *testing.T) { checkBatch[float64](t, nb, sh.k, sh.m, sh.targets, 1e-14) })
			t.Run(name+"/float32", func(t *testing.T) { checkBatch[float32](t, nb, sh.k, sh.m, sh.targets, 2e-5) })
		}
	}
}

func checkBatch[F Float](t *testing.T, nb, k, m int, targets string, tol float64) {
	p, q := batchInputs[F](uint64(nb*100+k*10+m), nb, k, m, targets)
	out := make([]F, nb)
	var gp, gq MixtureGrad[F]
	if err := SquaredBatchGrad(out, k, m, p, q, &gp, &gq); err != nil {
		t.Fatal(err)
	}
	out2 := make([]F, nb)
	if err := SquaredBatch(out2, k, m, p, q); err != nil {
		t.Fatal(err)
	}
	near := func(what string, b, i int, got, want F) {
		t.Helper()
		if math.Abs(float64(got)-float64(want)) > tol*max(1, math.Abs(float64(want))) {
			t.Fatalf("pair %d: %s[%d] batch %v single %v", b, what, i, got, want)
		}
	}
	for b := 0; b < nb; b++ {
		if math.Float64bits(float64(out[b])) != math.Float64bits(float64(out2[b])) {
			t.Fatalf("pair %d: value %v with gradients, %v without", b, out[b], out2[b])
		}
		pb := Mixture[F]{p.Weights[b*k : (b+1)*k], p.Means[b*k : (b+1)*k], p.Stds[b*k : (b+1)*k]}
		qb := Mixture[F]{q.Weights[b*m : (b+1)*m], q.Means[b*m : (b+1)*m], q.Stds[b*m : (b+1)*m]}
		var hp, hq MixtureGrad[F]
		want, err := SquaredGrad(pb, qb, &hp, &hq)
		if err != nil {
			t.Fatal(err)
		}
		near("value", b, 0, out[b], want)
		for i := 0; i < k; i++ {
			near("gp.Weights", b, i, gp.Weights[b*k+i], hp.Weights[i])
			near("gp.Means", b, i, gp.Means[b*k+i], hp.Means[i])
			near("gp.Stds", b, i, gp.Stds[b*k+i], hp.Stds[i])
		}
		for i := 0; i < m; i++ {
			near("gq.Weights", b, i, gq.Weights[b*m+i], hq.Weights[i])
			near("gq.Means", b, i, gq.Means[b*m+i], hq.Means[i])
			near("gq.Stds", b, i, gq.Stds[b*m+i], hq.Stds[i])
		}
	}
}

// TestSquaredBatchDeterministic checks that a batch large enough for the
// parallel path gives the same bits, values and gradients, for every thread
// count, with mixture and point targets.
func TestSquaredBatchDeterministic(t *testing.T) {
	for _, targets := range []string{"mixtures", "points"} {
		const nb, k, m = 1100, 8, 8 // 1100·192 pairs: above parallelMinPairs
		p, q := batchInputs[float64](7, nb, k, m, targets)
		var ref []float64
		var refP, refQ MixtureGrad[float64]
		for _, threads := range []int{1, 2, 3, 8} {
			ws := Workspace[float64]{Threads: threads}
			out := make([]float64, nb)
			var gp, gq MixtureGrad[float64]
			if err := ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq); err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref, refP, refQ = out, gp, gq
				continue
			}
			for _, c := range []struct {
				name      string
				got, want []float64
			}{{"out", out, ref}, {"gp.Weights", gp.Weights, refP.Weights}, {"gp.Means", gp.Means, refP.Means}, {"gp.Stds", gp.Stds, refP.Stds},
				{"gq.Weights", gq.Weights, refQ.Weights}, {"gq.Means", gq.Means, refQ.Means}, {"gq.Stds", gq.Stds, refQ.Stds}} {
				for i := range c.want {
					if math.Float64bits(c.got[i]) != math.Float64bits(c.want[i]) {
						t.Fatalf("%s, Threads %d: %s[%d] = %v, want %v (Threads 1)", targets, threads, c.name, i, c.got[i], c.want[i])
					}
				}
			}
		}
	}
}

// TestSquaredBatchValidation checks that bad batch inputs give an
// *InputError naming the argument, field and element index (or the mixture
// whose weights do not sum to 1).
func TestSquaredBatchValidation(t *testing.T) {
	const nb, k, m = 4, 3, 2
	cases := []struct {
		name         string
		edit         func(p, q *Mixture[float64])
		arg, field   string
		index        int
		reasonSubstr string
	}{
		{"p weights sum", func(p, q *Mixture[float64]) { p.Weights[7] += 0.01 }, "p", "weights", -1, "mixture 2 (elements 6…8)"},
		{"q weights sum", func(p, q *Mixture[float64]) { q.Weights[1] = 0.9 }, "q", "weights", -1, "mixture 0 (elements 0…1)"},
		{"negative weight", func(p, q *Mixture[float64]) { p.Weights[10] = -0.5 }, "p", "weights", 10, "negative"},
		{"NaN weight", func(p, q *Mixture[float64]) { q.Weights[5] = math.NaN() }, "q", "weights", 5, "NaN"},
		{"NaN mean", func(p, q *Mixture[float64]) { p.Means[4] = math.NaN() }, "p", "means", 4, "NaN"},
		{"infinite mean", func(p, q *Mixture[float64]) { q.Means[6] = math.Inf(-1) }, "q", "means", 6, "infinite"},
		{"negative std", func(p, q *Mixture[float64]) { p.Stds[11] = -1 }, "p", "stds", 11, "negative"},
		{"huge std", func(p, q *Mixture[float64]) { q.Stds[3] = 1e200 }, "q", "stds", 3, "magnitude"},
		{"short means", func(p, q *Mixture[float64]) { p.Means = p.Means[:5] }, "p", "means", -1, "length 5, want 12"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, q := batchInputs[float64](3, nb, k, m, "mixtures")
			c.edit(&p, &q)
			out := make([]float64, nb)
			err := SquaredBatch(out, k, m, p, q)
			e, ok := err.(*InputError)
			if !ok {
				t.Fatalf("error %v (%T), want *InputError", err, err)
			}
			if e.Arg != c.arg || e.Field != c.field || e.Index != c.index || !strings.Contains(e.Reason, c.reasonSubstr) {
				t.Fatalf("error %+v, want arg %s field %s index %d reason containing %q", e, c.arg, c.field, c.index, c.reasonSubstr)
			}
		})
	}
}

// TestInRangeAgrees checks the branch-free fast path of checkRange: whenever
// inRange accepts a slice, the element-by-element checks accept it too, and
// it accepts ordinary slices; values at and around the limits, ±0, NaN, ±Inf
// and subnormals included.
func TestInRangeAgrees(t *testing.T) {
	testInRange[float64](t)
	testInRange[float32](t)
}

func testInRange[F Float](t *testing.T) {
	lim := MaxMagnitude[F]()
	specials := []float64{0, math.Copysign(0, -1), 1, -1, lim, -lim, math.Nextafter(lim, math.Inf(1)), math.Nextafter(lim, 0),
		math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, 1e-45, math.MaxFloat32, 1e300}
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 3000; trial++ {
		x := make([]F, 1+r.IntN(9))
		for i := range x {
			x[i] = F(r.NormFloat64())
			if r.IntN(4) == 0 {
				x[i] = F(specials[r.IntN(len(specials))])
			}
		}
		for _, limit := range []float64{lim, math.Inf(1), 2.5} {
			for _, nonNeg := range []bool{false, true} {
				slow := true
				for _, v := range x {
					f := float64(v)
					if math.IsNaN(f) || math.IsInf(f, 0) || (nonNeg && f < 0) || math.Abs(f) > limit {
						slow = false
					}
				}
				fast := inRange(x, limit, nonNeg)
				if fast && !slow {
					t.Fatalf("%T %v, limit %v, nonNegative %v: inRange accepts what the element checks reject", x, x, limit, nonNeg)
				}
				hasNegZero := false
				for _, v := range x {
					hasNegZero = hasNegZero || (v == 0 && math.Signbit(float64(v)))
				}
				if slow && !fast && !(nonNeg && hasNegZero) {
					t.Fatalf("%T %v, limit %v, nonNegative %v: inRange rejects a valid slice", x, x, limit, nonNeg)
				}
			}
		}
	}
}

// TestBatchUnscaledAgrees checks the bit-pattern fast path of the batch
// scaling: whenever batchUnscaled accepts a batch, batchExponents finds no
// pair to scale and lossyCheck no lossy std in any pair; ordinary batches
// are accepted.
func TestBatchUnscaledAgrees(t *testing.T) {
	testBatchUnscaled[float64](t, []float64{0, 1e-300, 0x1p-511, 0x1p-512, 0x1p-256, 0x1p-257, 1e-80, 3})
	testBatchUnscaled[float32](t, []float64{0, 1e-40, 0x1p-63, 0x1p-64, 0x1p-31, 0x1p-32, 1e-12, 3})
}

func testBatchUnscaled[F Float](t *testing.T, specials []float64) {
	r := rand.New(rand.NewPCG(3, 4))
	accepted := 0
	for trial := 0; trial < 2000; trial++ {
		nb, k, m := 1+r.IntN(4), 1+r.IntN(3), 1+r.IntN(3)
		mk := func(n int) Mixture[F] {
			x := Mixture[F]{make([]F, n), make([]F, n), make([]F, n)}
			for i := 0; i < n; i++ {
				x.Weights[i] = 1
				x.Means[i], x.Stds[i] = F(r.NormFloat64()), F(r.Float64())
				if trial%2 == 0 {
					x.Means[i] = F(specials[r.IntN(len(specials))] * float64(1-2*r.IntN(2)))
					x.Stds[i] = F(specials[r.IntN(len(specials))])
				}
			}
			return x
		}
		p, q := mk(nb*k), mk(nb*m)
		if !batchUnscaled(nb, k, m, p, q) {
			continue
		}
		accepted++
		var sc scaleState[F]
		if e := sc.batchExponents(nb, k, m, p, q); e != nil {
			t.Fatalf("%T batch accepted by batchUnscaled needs exponents %v: p %v q %v", F(0), e, p, q)
		}
		for b := 0; b < nb; b++ {
			pm, ps := p.Means[b*k:(b+1)*k], p.Stds[b*k:(b+1)*k]
			qm, qs := q.Means[b*m:(b+1)*m], q.Stds[b*m:(b+1)*m]
			if err := lossyCheck("p", pm, ps, qm, qs, 0, true, 1); err != nil {
				t.Fatalf("%T batch accepted by batchUnscaled: %v", F(0), err)
			}
			if err := lossyCheck("q", qm, qs, pm, ps, 0, true, 1); err != nil {
				t.Fatalf("%T batch accepted by batchUnscaled: %v", F(0), err)
			}
		}
	}
	if accepted < 1000 {
		t.Fatalf("%T: only %d of 2000 batches accepted (every ordinary one should be)", F(0), accepted)
	}
}
