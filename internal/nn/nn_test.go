package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// loss is ½‖Forward(x) − t‖², whose gradient w.r.t. the outputs is y − t.
func loss(m *MLP, x, t []float64) float64 {
	y := m.Forward(x)
	var s float64
	for i := range y {
		d := y[i] - t[i]
		s += 0.5 * d * d
	}
	return s
}

func TestBackwardMatchesFiniteDifferences(t *testing.T) {
	for _, act := range []Activation{Tanh, ReLU, Identity} {
		t.Run(act.String(), func(t *testing.T) {
			m := New([]int{3, 5, 4, 2}, act, 7)
			rng := rand.New(rand.NewPCG(1, 2))
			const rows = 6
			x := make([]float64, rows*3)
			tg := make([]float64, rows*2)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			for i := range tg {
				tg[i] = rng.NormFloat64()
			}
			y := m.Forward(x)
			gy := make([]float64, len(y))
			for i := range y {
				gy[i] = y[i] - tg[i]
			}
			gx := append([]float64(nil), m.Backward(gy)...)
			params, grads := m.Params()
			const h = 1e-6
			for pi, p := range params {
				for j := range p {
					old := p[j]
					p[j] = old + h
					lp := loss(m, x, tg)
					p[j] = old - h
					lm := loss(m, x, tg)
					p[j] = old
					fd := (lp - lm) / (2 * h)
					if d := math.Abs(fd - grads[pi][j]); d > 1e-6*(1+math.Abs(fd)) {
						t.Fatalf("param %d[%d]: backward %g, finite difference %g", pi, j, grads[pi][j], fd)
					}
				}
			}
			for j := range x {
				old := x[j]
				x[j] = old + h
				lp := loss(m, x, tg)
				x[j] = old - h
				lm := loss(m, x, tg)
				x[j] = old
				fd := (lp - lm) / (2 * h)
				if d := math.Abs(fd - gx[j]); d > 1e-6*(1+math.Abs(fd)) {
					t.Fatalf("input %d: backward %g, finite difference %g", j, gx[j], fd)
				}
			}
		})
	}
}

func TestDeterministicInitAndCopy(t *testing.T) {
	a := New([]int{2, 8, 3}, Tanh, 42)
	b := New([]int{2, 8, 3}, Tanh, 42)
	c := New([]int{2, 8, 3}, Tanh, 43)
	pa, _ := a.Params()
	pb, _ := b.Params()
	pc, _ := c.Params()
	same := func(x, y [][]float64) bool {
		for i := range x {
			for j := range x[i] {
				if x[i][j] != y[i][j] {
					return false
				}
			}
		}
		return true
	}
	if !same(pa, pb) {
		t.Fatal("same seed gave different weights")
	}
	if same(pa, pc) {
		t.Fatal("different seeds gave the same weights")
	}
	c.CopyFrom(a)
	if !same(pa, pc) {
		t.Fatal("CopyFrom did not copy")
	}
	d := a.Clone()
	pd, _ := d.Params()
	pd[0][0] += 1
	if pa[0][0] == pd[0][0] {
		t.Fatal("Clone shares storage")
	}
	if n := testing.AllocsPerRun(10, func() { c.CopyFrom(a) }); n != 0 {
		t.Fatalf("CopyFrom allocates %v", n)
	}
}

func TestAdamFitsLinearMap(t *testing.T) {
	// y = 2x₀ − x₁ + 0.5: a linear network must fit it.
	m := New([]int{2, 1}, Tanh, 3)
	opt := NewAdam(m, 0.05)
	rng := rand.New(rand.NewPCG(5, 6))
	const rows = 32
	x := make([]float64, rows*2)
	tg := make([]float64, rows)
	gy := make([]float64, rows)
	var first, last float64
	for step := 0; step < 500; step++ {
		for r := 0; r < rows; r++ {
			x[2*r], x[2*r+1] = rng.NormFloat64(), rng.NormFloat64()
			tg[r] = 2*x[2*r] - x[2*r+1] + 0.5
		}
		y := m.Forward(x)
		var l float64
		for r := range y {
			gy[r] = (y[r] - tg[r]) / rows
			l += 0.5 * (y[r] - tg[r]) * (y[r] - tg[r]) / rows
		}
		if step == 0 {
			first = l
		}
		last = l
		m.Backward(gy)
		opt.Step(m)
	}
	if !(last < 1e-4*first) {
		t.Fatalf("loss %g → %g: Adam did not fit a linear map", first, last)
	}
	w := m.Layers[0]
	if math.Abs(w.W[0]-2) > 1e-2 || math.Abs(w.W[1]+1) > 1e-2 || math.Abs(w.B[0]-0.5) > 1e-2 {
		t.Fatalf("fitted W = %v, b = %v, want [2 −1], 0.5", w.W, w.B)
	}
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	m := New([]int{4, 16, 16, 3}, ReLU, 1)
	opt := NewAdam(m, 1e-3)
	x := make([]float64, 64*4)
	gy := make([]float64, 64*3)
	for i := range x {
		x[i] = float64(i%7) - 3
	}
	step := func() {
		m.Forward(x)
		m.Backward(gy)
		m.ClipGradNorm(1)
		opt.Step(m)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("forward+backward+Adam allocates %v per step", n)
	}
}

func TestClipGradNorm(t *testing.T) {
	m := New([]int{2, 3, 1}, Tanh, 9)
	m.Forward([]float64{1, 2, -1, 0.5})
	m.Backward([]float64{10, -20})
	n0 := m.GradNorm()
	if got := m.ClipGradNorm(0.5); got != n0 {
		t.Fatalf("ClipGradNorm returned %g, norm was %g", got, n0)
	}
	if n := m.GradNorm(); math.Abs(n-0.5) > 1e-12 {
		t.Fatalf("norm after clipping %g, want 0.5", n)
	}
}
