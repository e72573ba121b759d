package cramer

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// gradAllocBytes returns the bytes allocated by a first SquaredGrad call (a
// fresh Workspace: every scratch buffer is allocated) on two k-component
// float32 mixtures, single-threaded.
func gradAllocBytes(k int) uint64 {
	r := rand.New(rand.NewPCG(uint64(k), 3))
	mk := func() Mixture[float32] {
		m := Mixture[float32]{make([]float32, k), make([]float32, k), make([]float32, k)}
		for i := range m.Weights {
			m.Weights[i] = 1 / float32(k)
			m.Means[i] = float32(3 * r.NormFloat64())
			m.Stds[i] = float32(0.1 + r.Float64())
		}
		return m
	}
	p, q := mk(), mk()
	gp := MixtureGrad[float32]{make([]float32, k), make([]float32, k), make([]float32, k)}
	gq := MixtureGrad[float32]{make([]float32, k), make([]float32, k), make([]float32, k)}
	ws := &Workspace[float32]{Threads: 1}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := ws.SquaredGrad(p, q, &gp, &gq); err != nil {
		panic(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestGradScratchLinear checks that the gradient's scratch memory grows
// linearly with the number of components: doubling K = M must not
// quadruple it (it did when every row strip of tiles kept its own block of
// column partial sums), and it stays within a fixed number of bytes per
// component.
func TestGradScratchLinear(t *testing.T) {
	const k = 3 * crossWaveStrips * crossTileRows / 2 // more than one wave
	b1, b2 := gradAllocBytes(k), gradAllocBytes(2*k)
	t.Logf("scratch: K = M = %d: %d bytes; K = M = %d: %d bytes", k, b1, 2*k, b2)
	if ratio := float64(b2) / float64(b1); ratio > 2.6 {
		t.Errorf("doubling K = M multiplied the scratch memory by %.2f (want about 2: linear growth)", ratio)
	}
	if perComponent := float64(b2) / float64(4*k); perComponent > 600 {
		t.Errorf("%.0f bytes of scratch per component at K = M = %d, want at most 600", perComponent, 2*k)
	}
}
