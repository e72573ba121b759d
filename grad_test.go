package cramer

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randMixture(r *rand.Rand, k int, zeroStds bool) Mixture[float64] {
	p := Mixture[float64]{make([]float64, k), make([]float64, k), make([]float64, k)}
	var s float64
	for i := range p.Weights {
		p.Weights[i] = 0.1 + r.Float64()
		s += p.Weights[i]
		p.Means[i] = 3 * r.NormFloat64()
		p.Stds[i] = 0.1 + 2*r.Float64()
		if zeroStds && i%3 == 0 {
			p.Stds[i] = 0
		}
	}
	for i := range p.Weights {
		p.Weights[i] /= s
	}
	return p
}

// rawSquared evaluates ℓ₂² without validation (weights need not sum to 1), for
// central differences with respect to the weights.
func rawSquared(p, q Mixture[float64]) float64 {
	var ws Workspace[float64]
	if compareMixtures(p, q) > 0 {
		p, q = q, p
	}
	return ws.mixtures(ws.active(), p, q, nil, nil, nil, nil)
}

func TestSquaredGradCentralDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 20; trial++ {
		p := randMixture(r, 1+r.IntN(6), trial%2 == 1)
		q := randMixture(r, 1+r.IntN(6), trial%3 == 1)
		var gp, gq MixtureGrad[float64]
		v, err := SquaredGrad(p, q, &gp, &gq)
		if err != nil {
			t.Fatal(err)
		}
		v2, _ := Squared(p, q)
		if v != v2 {
			t.Fatalf("value with gradient %v != without %v", v, v2)
		}
		check := func(name string, x []float64, i int, got float64, mix *Mixture[float64], other Mixture[float64], pFirst bool) {
			const h = 1e-6
			old := x[i]
			if name == "stds" && old == 0 {
				if got != 0 {
					t.Errorf("%s[%d] at std 0: %v, want 0", name, i, got)
				}
				return
			}
			x[i] = old + h
			fp := rawSquared(*mix, other)
			x[i] = old - h
			fm := rawSquared(*mix, other)
			x[i] = old
			num := (fp - fm) / (2 * h)
			if math.Abs(num-got) > 1e-7 {
				t.Errorf("trial %d %s[%d]: analytic %.12g numeric %.12g", trial, name, i, got, num)
			}
		}
		for i := range p.Means {
			check("weights", p.Weights, i, gp.Weights[i], &p, q, true)
			check("means", p.Means, i, gp.Means[i], &p, q, true)
			check("stds", p.Stds, i, gp.Stds[i], &p, q, true)
			if math.Abs(gp.Means[i]) > 2*p.Weights[i] {
				t.Errorf("|∂/∂μ| bound violated: %v > 2·%v", gp.Means[i], p.Weights[i])
			}
		}
		for i := range q.Means {
			check("weights", q.Weights, i, gq.Weights[i], &q, p, false)
			check("means", q.Means, i, gq.Means[i], &q, p, false)
			check("stds", q.Stds, i, gq.Stds[i], &q, p, false)
		}
	}
}

func TestSquaredBatchMatchesSquared(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const nb, k, m = 150, 5, 3
	var p, q Mixture[float64]
	for b := 0; b < nb; b++ {
		a, c := randMixture(r, k, b%2 == 0), randMixture(r, m, b%5 == 0)
		p.Weights, p.Means, p.Stds = append(p.Weights, a.Weights...), append(p.Means, a.Means...), append(p.Stds, a.Stds...)
		q.Weights, q.Means, q.Stds = append(q.Weights, c.Weights...), append(q.Means, c.Means...), append(q.Stds, c.Stds...)
	}
	out := make([]float64, nb)
	var gp, gq MixtureGrad[float64]
	if err := SquaredBatchGrad(out, k, m, p, q, &gp, &gq); err != nil {
		t.Fatal(err)
	}
	for b := 0; b < nb; b++ {
		pb := Mixture[float64]{p.Weights[b*k : (b+1)*k], p.Means[b*k : (b+1)*k], p.Stds[b*k : (b+1)*k]}
		qb := Mixture[float64]{q.Weights[b*m : (b+1)*m], q.Means[b*m : (b+1)*m], q.Stds[b*m : (b+1)*m]}
		var hp, hq MixtureGrad[float64]
		want, _ := SquaredGrad(pb, qb, &hp, &hq)
		if math.Abs(out[b]-want) > 1e-14 { // the batch kernels sum in another order
			t.Fatalf("pair %d: batch %v single %v", b, out[b], want)
		}
		for i := 0; i < k; i++ {
			if math.Abs(gp.Means[b*k+i]-hp.Means[i]) > 1e-14 || math.Abs(gp.Stds[b*k+i]-hp.Stds[i]) > 1e-14 || math.Abs(gp.Weights[b*k+i]-hp.Weights[i]) > 1e-14 {
				t.Fatalf("pair %d component %d: batch grad differs", b, i)
			}
		}
		for i := 0; i < m; i++ {
			if math.Abs(gq.Means[b*m+i]-hq.Means[i]) > 1e-14 || math.Abs(gq.Weights[b*m+i]-hq.Weights[i]) > 1e-14 {
				t.Fatalf("pair %d q component %d: batch grad differs: %v vs %v, %v vs %v", b, i, gq.Means[b*m+i], hq.Means[i], gq.Weights[b*m+i], hq.Weights[i])
			}
		}
	}
	out2 := make([]float64, nb)
	if err := SquaredBatch(out2, k, m, p, q); err != nil {
		t.Fatal(err)
	}
	for b := range out {
		if out[b] != out2[b] {
			t.Fatalf("pair %d: value %v with gradient, %v without", b, out[b], out2[b])
		}
	}
}
