package mdn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer"
)

// TestFreshDirectionsAreSeededAndUniform: with no caller directions, each
// call draws new ones from the seed (reproducible across workspaces), and
// their average matches the direction-free exact sliced distance.
func TestFreshDirectionsAreSeededAndUniform(t *testing.T) {
	const d, nb, m = 3, 2, 2
	h := Head{K: 2, D: d, Scale: Exp}
	rng := rand.New(rand.NewPCG(61, 61))
	raw := randomRaw(rng, h, nb)
	tg := randomTarget(rng, h, nb, m)
	// Isotropic components (equal scales across coordinates) so that the
	// exact value exists.
	for b := 0; b < nb; b++ {
		row := raw[b*h.Width() : (b+1)*h.Width()]
		for i := 0; i < h.K; i++ {
			for j := 1; j < d; j++ {
				row[h.K+h.K*d+i*d+j] = row[h.K+h.K*d+i*d]
			}
		}
		for i := 0; i < m; i++ {
			s := 0.3 + float64(i)
			for j := 0; j < d; j++ {
				tg.Stds[(b*m+i)*d+j] = s
			}
		}
	}
	a := Workspace[float64]{Seed: 5, Slices: 3}
	b := Workspace[float64]{Seed: 5, Slices: 3}
	v1, _ := a.CramerToMixture(h, raw, tg, nil, nil)
	v2, _ := a.CramerToMixture(h, raw, tg, nil, nil)
	w1, _ := b.CramerToMixture(h, raw, tg, nil, nil)
	if v1 != w1 {
		t.Fatalf("same seed, different values %g %g", v1, w1)
	}
	if v1 == v2 {
		t.Fatal("consecutive calls used the same directions")
	}
	ws := Workspace[float64]{Seed: 9, Slices: 20000}
	loss := make([]float64, nb)
	if _, err := ws.CramerToMixture(h, raw, tg, loss, nil); err != nil {
		t.Fatal(err)
	}
	for e := 0; e < nb; e++ {
		w, mu, s := decodeRef(h, raw, e)
		iso := []float64{s[0], s[d]}
		exact, err := cramer.SlicedSquaredExact(cramer.MixtureND[float64]{Dim: d, Weights: w, Means: mu, IsoStds: iso},
			cramer.MixtureND[float64]{Dim: d, Weights: tg.Weights[e*m : (e+1)*m], Means: tg.Means[e*m*d : (e+1)*m*d], IsoStds: []float64{0.3, 1.3}})
		if err != nil {
			t.Fatal(err)
		}
		// Relative Monte-Carlo error over 20000 directions: well below 2%.
		if math.Abs(loss[e]-exact) > 0.02*exact {
			t.Fatalf("example %d: %d random directions give %g, exact %g", e, ws.Slices, loss[e], exact)
		}
	}
}

func TestBadDirections(t *testing.T) {
	h := Head{K: 1, D: 2}
	raw := []float64{0, 1, 2, 0, 0}
	y := []float64{0, 0}
	for _, dirs := range []cramer.Directions[float64]{
		{Dim: 3, Theta: []float64{1, 0, 0}},
		{Dim: 2, Theta: []float64{0, 0}},
		{Dim: 2, Theta: []float64{1, math.NaN()}},
	} {
		ws := Workspace[float64]{Directions: dirs}
		_, err := ws.CramerToPoints(h, raw, y, nil, nil)
		var ie *cramer.InputError
		if !errors.As(err, &ie) || ie.Arg != "directions" {
			t.Fatalf("directions %+v: error %v", dirs, err)
		}
	}
}
