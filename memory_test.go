package cramer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// The sample paths keep their scratch within 3× the bytes of their inputs
// (plus 1 MiB of fixed-size counters, walk buffers and, for
// SquaredToSamplesGrad with two threads, one chunk of column sums): measured
// as the capacities of a fresh workspace's buffers after one call, so the
// test is deterministic. Gradient outputs are the caller's and not counted.

const scratchSlack = 1 << 20

func inputBytes[F Float](s ...[]F) int {
	var f F
	b := 0
	for _, v := range s {
		b += len(v) * int(unsafe.Sizeof(f))
	}
	return b
}

func checkScratch(t *testing.T, name string, scratch, input int) {
	t.Helper()
	if scratch > 3*input+scratchSlack {
		t.Errorf("%s: scratch %d bytes for %d bytes of input (%.2f×)", name, scratch, input, float64(scratch)/float64(input))
	}
}

func testSampleScratch[F Float](t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	cases := []struct {
		n, m         int
		wx, wy       bool
		gradX, gradY bool
	}{
		{60000, 60000, false, false, false, false},
		{60000, 60000, false, false, true, true},
		{60000, 60000, true, true, false, false},
		{60000, 60000, true, true, true, true},
		{60000, 600, false, true, true, false},
		{60000, 600, false, true, false, true},
		{600, 60000, false, false, false, false},
		{600, 60000, true, false, true, true},
		{64, 60000, true, false, true, true},
	}
	// scatterMin 0: the gradients of every set written in two passes (the
	// low position bits and buckets of gradScatter counted), as sets of
	// 2¹⁶ points or more are.
	defer func(m int) { scatterMin = m }(scatterMin)
	for k, c := range append(cases, cases...) {
		if k == len(cases) {
			scatterMin = 0
		}
		x := samplesAs[F](genSamples(r, c.n, false, c.wx))
		y := samplesAs[F](genSamples(r, c.m, true, c.wy))
		var ws Workspace[F]
		var gx, gy *SamplesGrad[F]
		if c.gradX {
			gx = new(SamplesGrad[F])
		}
		if c.gradY {
			gy = new(SamplesGrad[F])
		}
		if _, err := ws.SquaredSamplesGrad(x, y, gx, gy); err != nil {
			t.Fatal(err)
		}
		checkScratch(t, fmt.Sprintf("SquaredSamples %+v scatterMin=%d", c, scatterMin), ws.scratchBytes(), inputBytes(x.Values, x.Weights, y.Values, y.Weights))
	}
	p := Mixture[F]{Weights: make([]F, 64), Means: make([]F, 64), Stds: make([]F, 64)}
	for i := range p.Weights {
		p.Weights[i], p.Means[i], p.Stds[i] = F(1.0/64), F(r.NormFloat64()), F(0.5+r.Float64())
	}
	for k := range 4 {
		weighted := k%2 == 1
		scatterMin = []int{1 << 16, 0}[k/2] // 0: the derivatives of the self sum in two passes
		x := samplesAs[F](genSamples(r, 60000, false, weighted))
		for _, grad := range []string{"value", "gp", "both"} {
			ws := Workspace[F]{Threads: 2}
			var gp *MixtureGrad[F]
			var gx *SamplesGrad[F]
			if grad == "gp" || grad == "both" {
				gp = new(MixtureGrad[F])
			}
			if grad == "gx" || grad == "both" {
				gx = new(SamplesGrad[F])
			}
			if _, err := ws.SquaredToSamplesGrad(p, x, gp, gx); err != nil {
				t.Fatal(err)
			}
			checkScratch(t, fmt.Sprintf("SquaredToSamples K=64 N=60000 weighted=%v %s scatterMin=%d", weighted, grad, scatterMin), ws.scratchBytes(),
				inputBytes(x.Values, x.Weights, p.Weights, p.Means, p.Stds))
		}
	}
}

// TestSampleScratchBound checks the scratch of SquaredSamples and of
// SquaredToSamples (value and gradients, equal and very different sizes,
// weighted and not) against 3× the input.
func TestSampleScratchBound(t *testing.T) {
	t.Run("float64", testSampleScratch[float64])
	t.Run("float32", testSampleScratch[float32])
}

// TestSlicedSampleScratchBound checks the sliced sample-set paths in
// float64 with D = 4 and 16: the scratch stays within 3× the input with one
// and two threads, value and gradients, and does not grow with the number of
// directions.
func TestSlicedSampleScratchBound(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	for _, d := range []int{4, 16} {
		n := 128000 / d
		x := SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
		y := SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
		for i := range x.Values {
			x.Values[i], y.Values[i] = r.NormFloat64(), 0.5+r.NormFloat64()
		}
		in := inputBytes(x.Values, y.Values)
		for _, threads := range []int{1, 2} {
			first := 0
			for _, l := range []int{16, 40} {
				dirs := RandomDirections[float64](d, l, 5)
				for _, grad := range []bool{false, true} {
					sw := SlicedWorkspace[float64]{Threads: threads}
					var gx, gy *SamplesNDGrad[float64]
					if grad {
						gx, gy = new(SamplesNDGrad[float64]), new(SamplesNDGrad[float64])
					}
					if _, err := sw.SquaredSamplesGrad(x, y, dirs, gx, gy); err != nil {
						t.Fatal(err)
					}
					b := sw.scratchBytes()
					checkScratch(t, fmt.Sprintf("sliced D=%d threads=%d L=%d grad=%v", d, threads, l, grad), b, in)
					if !grad && threads == 1 { // (with two, whether the second thread gets a chunk depends on the schedule)
						if first == 0 {
							first = b
						} else if b > first+(8+8*d)*(l-16) { // only the L values and the directions' transpose
							t.Errorf("D=%d threads=%d: scratch grows with the directions: %d bytes at L=16, %d at L=%d", d, threads, first, b, l)
						}
					}
				}
			}
		}
	}
}
