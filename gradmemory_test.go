package cramer

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func randomMixture32(seed uint64, k int) Mixture[float32] {
	r := rand.New(rand.NewPCG(seed, 3))
	m := Mixture[float32]{make([]float32, k), make([]float32, k), make([]float32, k)}
	for i := range m.Weights {
		m.Weights[i] = 1 / float32(k)
		m.Means[i] = float32(3 * r.NormFloat64())
		m.Stds[i] = float32(0.1 + r.Float64())
	}
	return m
}

// gradAllocBytes returns the bytes allocated by a first SquaredGrad call (a
// fresh Workspace: every scratch buffer is allocated) on float32 mixtures
// of k and m components, single-threaded.
func gradAllocBytes(k, m int) uint64 {
	p, q := randomMixture32(uint64(k), k), randomMixture32(uint64(m)+1, m)
	gp := MixtureGrad[float32]{make([]float32, k), make([]float32, k), make([]float32, k)}
	gq := MixtureGrad[float32]{make([]float32, m), make([]float32, m), make([]float32, m)}
	ws := &Workspace[float32]{Threads: 1}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := ws.SquaredGrad(p, q, &gp, &gq); err != nil {
		panic(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// withWaves runs f with the tiles computed in waves of the given sizes.
func withWaves(cross, self int, f func()) {
	c, s := crossWaveStrips, selfWaveStrips
	crossWaveStrips, selfWaveStrips = cross, self
	defer func() { crossWaveStrips, selfWaveStrips = c, s }()
	f()
}

// TestGradScratchLinear checks that the gradient's scratch memory grows
// linearly with the number of components: multiplying K by 4 must not
// multiply it by much more than 4 (it grew as K² when every row of tiles kept
// its own block of partial sums: about 7 here). Waves of one tile row keep
// the sizes, and the test, small.
func TestGradScratchLinear(t *testing.T) {
	const k, m = 512, 16
	var b1, b4 uint64
	withWaves(1, 1, func() { b1, b4 = gradAllocBytes(k, m), gradAllocBytes(4*k, m) })
	t.Logf("scratch: K = %d: %d bytes; K = %d: %d bytes (M = %d)", k, b1, 4*k, b4, m)
	if ratio := float64(b4) / float64(b1); ratio > 5 {
		t.Errorf("K×4 multiplied the scratch memory by %.2f (want about 4: linear growth)", ratio)
	}
	// With the default waves, a bounded number of bytes per component.
	b := gradAllocBytes(4*k, m)
	if perComponent := float64(b) / (4*k + m); perComponent > 600 {
		t.Errorf("%.0f bytes of scratch per component at K = %d, M = %d, want at most 600", perComponent, 4*k, m)
	}
}

// TestWavesBitIdentical: the results do not depend on the wave sizes (the
// partial sums are added in the same order).
func TestWavesBitIdentical(t *testing.T) {
	p, q := randomMixture32(1, 600), randomMixture32(2, 700) // 3 strips, 2 self tiles
	type result struct {
		sq     float32
		gp, gq MixtureGrad[float32]
	}
	compute := func() result {
		var r result
		ws := &Workspace[float32]{Threads: 2}
		var err error
		if r.sq, err = ws.SquaredGrad(p, q, &r.gp, &r.gq); err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := compute()
	for _, w := range [][2]int{{1, 1}, {2, 3}, {100, 100}} {
		var got result
		withWaves(w[0], w[1], func() { got = compute() })
		same := math.Float32bits(got.sq) == math.Float32bits(want.sq)
		for _, pair := range [][2][]float32{{got.gp.Weights, want.gp.Weights}, {got.gp.Means, want.gp.Means}, {got.gp.Stds, want.gp.Stds},
			{got.gq.Weights, want.gq.Weights}, {got.gq.Means, want.gq.Means}, {got.gq.Stds, want.gq.Stds}} {
			for i := range pair[1] {
				same = same && math.Float32bits(pair[0][i]) == math.Float32bits(pair[1][i])
			}
		}
		if !same {
			t.Errorf("waves of %d cross strips and %d self tiles change the result", w[0], w[1])
		}
	}
}
