package fuzz

import (
	"errors"
	"math"
	"testing"

	"github.com/gmmkit/cramer"
)

// batchPalette holds the values a fuzzed batch is made of: ordinary ones,
// zeros of both signs, values around the scaling and lossy-std thresholds,
// subnormals, the magnitude limit and beyond, ±Inf and NaN.
var batchPalette = []float64{0.5, 1.25, -2, 3, 0.1, 0, math.Copysign(0, -1), 0x1p-256, 0x1p-300, 0x1p-511, 0x1p-520,
	1e-310, 5e-324, 1e-40, 0x1p-63, 0x1p-70, 1e18, 2e18, 1e153, 1e200, math.Inf(1), math.Inf(-1), math.NaN()}

// FuzzSquaredBatch64 builds a batch (B = 1 … 160 or 200 … 390 pairs of
// K = 1 … 5 against M = 1 … 4 components; for K = M = 1, B = 1 … 2296 in
// steps of 9) from the fuzzer's bytes: each byte picks a palette
// value (a byte below len(batchPalette)) or an ordinary one for a mean, std
// or weight (weights normalised per mixture unless the byte says
// otherwise), so that chunks mix ordinary
// pairs, pairs that need rescaling, lossy stds, −0 and invalid values. It
// checks that SquaredBatchGrad does not panic; that it fails exactly when a
// mixture alone fails Validate, with an *InputError naming p before q; and,
// when it succeeds, that every pair's value and gradients are the bits of
// the same pair computed alone as a batch of one, and the value is the same
// without gradients.
func FuzzSquaredBatch64(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{70, 3, 2, 9, 9, 9, 9, 40, 41, 42, 43, 44})
	f.Add([]byte{230, 2, 3, 9, 9, 6, 9, 40, 41, 42, 43, 44}) // 340 pairs of 3 against 4: −0 std
	f.Add([]byte{129, 4, 0, 7, 8, 15, 16, 22, 5, 6, 30})
	f.Add([]byte{159, 1, 1, 21, 200, 201, 202, 203})
	f.Add([]byte{63, 0, 0, 200, 14, 200, 200, 5, 200, 200, 12, 200})  // one component each: stds 2⁻⁶³, 0, 5e-324
	f.Add([]byte{210, 0, 0, 200, 200, 6, 200, 200, 200, 200, 2, 200}) // one component each, 1891 pairs: −0 std, mean −2
	f.Fuzz(fuzzSquaredBatch[float64])
}

// FuzzSquaredBatch32 is FuzzSquaredBatch64 in float32 (palette values
// rounded to float32: some become 0 or ±Inf), which also covers the word
// form of the float32 chunk check.
func FuzzSquaredBatch32(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{70, 3, 2, 9, 9, 9, 9, 40, 41, 42, 43, 44})
	f.Add([]byte{230, 2, 3, 9, 9, 6, 9, 40, 41, 42, 43, 44}) // 340 pairs of 3 against 4: −0 std
	f.Add([]byte{129, 4, 0, 7, 8, 15, 16, 22, 5, 6, 30})
	f.Add([]byte{159, 1, 1, 21, 200, 201, 202, 203})
	f.Add([]byte{63, 0, 0, 200, 14, 200, 200, 5, 200, 200, 12, 200})
	f.Add([]byte{210, 0, 0, 200, 200, 6, 200, 200, 200, 200, 2, 200})
	f.Fuzz(fuzzSquaredBatch[float32])
}

// fuzzSquaredBatch is the body of FuzzSquaredBatch64 and 32.
func fuzzSquaredBatch[F cramer.Float](t *testing.T, data []byte) {
	if len(data) < 3 {
		return
	}
	nb, k, m := 1+int(data[0])%160, 1+int(data[1])%5, 1+int(data[2])%4
	// Batches past two chunks of pairs: small mixtures are computed in
	// chunks of 128 pairs, one-component ones in chunks of 1024.
	switch {
	case k == 1 && m == 1:
		nb = 1 + 9*int(data[0])
	case k*m <= 16 && data[0] >= 160:
		nb = 200 + 2*(int(data[0])-160)
	}
	data = data[3:]
	pos := 0
	next := func(ordinary float64) float64 {
		if len(data) == 0 {
			return ordinary
		}
		b := data[pos%len(data)]
		pos++
		// A byte below len(batchPalette) picks that palette value, at any
		// position: every field of every component can hold every value.
		if int(b) < len(batchPalette) {
			return batchPalette[b]
		}
		return ordinary
	}
	side := func(c int) cramer.Mixture[F] {
		x := cramer.Mixture[F]{Weights: make([]F, nb*c), Means: make([]F, nb*c), Stds: make([]F, nb*c)}
		for b := 0; b < nb; b++ {
			var s float64
			for i := b * c; i < (b+1)*c; i++ {
				x.Means[i] = F(next(float64(i%7) - 3))
				x.Stds[i] = F(next(0.5 + float64(i%3)))
				x.Weights[i] = F(1 + float64(i%2))
				s += float64(x.Weights[i])
			}
			for i := b * c; i < (b+1)*c; i++ {
				x.Weights[i] = F(next(float64(x.Weights[i]) / s))
			}
		}
		return x
	}
	p, q := side(k), side(m)
	pair := func(x cramer.Mixture[F], c, b int) cramer.Mixture[F] {
		return cramer.Mixture[F]{Weights: x.Weights[b*c : (b+1)*c], Means: x.Means[b*c : (b+1)*c], Stds: x.Stds[b*c : (b+1)*c]}
	}
	wantArg := ""
	for _, s := range []struct {
		arg string
		x   cramer.Mixture[F]
		c   int
	}{{"p", p, k}, {"q", q, m}} {
		for b := 0; b < nb && wantArg == ""; b++ {
			if pair(s.x, s.c, b).Validate() != nil {
				wantArg = s.arg
			}
		}
	}
	out, outV := make([]F, nb), make([]F, nb)
	var gp, gq cramer.MixtureGrad[F]
	var ws cramer.Workspace[F]
	err := ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq)
	var ie *cramer.InputError
	if wantArg != "" {
		if !errors.As(err, &ie) || ie.Arg != wantArg {
			t.Fatalf("%T B=%d K=%d M=%d: error %v, want an *InputError for %s", F(0), nb, k, m, err, wantArg)
		}
		return
	}
	if err != nil {
		// Only a pair that cannot be computed accurately (a lossy std,
		// an underflow) may fail a valid batch; it fails alone too.
		if !errors.As(err, &ie) {
			t.Fatalf("%T B=%d K=%d M=%d: error %v is not an *InputError", F(0), nb, k, m, err)
		}
		return
	}
	if err := ws.SquaredBatch(outV, k, m, p, q); err != nil {
		t.Fatalf("%T B=%d K=%d M=%d: value only: %v, with gradients: no error", F(0), nb, k, m, err)
	}
	for b := 0; b < nb; b++ {
		one := make([]F, 1)
		var hp, hq cramer.MixtureGrad[F]
		if err := cramer.SquaredBatchGrad(one, k, m, pair(p, k, b), pair(q, m, b), &hp, &hq); err != nil {
			t.Fatalf("%T B=%d K=%d M=%d: pair %d alone: %v, in the batch: no error", F(0), nb, k, m, b, err)
		}
		check := func(what string, got, want []F) {
			for i := range want {
				if !same(got[i], want[i]) {
					t.Fatalf("%T B=%d K=%d M=%d pair %d: %s[%d] = %v, alone %v", F(0), nb, k, m, b, what, i, got[i], want[i])
				}
			}
		}
		check("value", out[b:b+1], one)
		check("value without gradients", outV[b:b+1], one)
		check("gp.Weights", gp.Weights[b*k:(b+1)*k], hp.Weights)
		check("gp.Means", gp.Means[b*k:(b+1)*k], hp.Means)
		check("gp.Stds", gp.Stds[b*k:(b+1)*k], hp.Stds)
		check("gq.Weights", gq.Weights[b*m:(b+1)*m], hq.Weights)
		check("gq.Means", gq.Means[b*m:(b+1)*m], hq.Means)
		check("gq.Stds", gq.Stds[b*m:(b+1)*m], hq.Stds)
	}
}
