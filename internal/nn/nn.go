// Package nn is a small multilayer perceptron for the examples: dense layers
// with tanh or ReLU activations, forward and backward passes on a batch, the
// Adam optimiser, and parameter copies for target networks. It works on plain
// row-major []float64 slices; matrix products go through gonum's BLAS.
//
// It is deliberately minimal (no autograd, no other layer types): enough to
// train the mixture-density and distributional-RL examples, not a framework.
package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Activation is the elementwise non-linearity after a dense layer.
type Activation int

const (
	Identity Activation = iota // y = z
	Tanh                       // y = tanh z
	ReLU                       // y = max(z, 0)
)

func (a Activation) String() string {
	switch a {
	case Identity:
		return "identity"
	case Tanh:
		return "tanh"
	case ReLU:
		return "relu"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// Dense is one fully connected layer y = act(x·W + b) with x of shape
// batch × In, W of shape In × Out (row-major) and b of length Out.
type Dense struct {
	In, Out int
	Act     Activation
	W, B    []float64 // parameters
	GW, GB  []float64 // gradients of the loss w.r.t. W and B (set by Backward)

	x    []float64 // input of the last Forward (batch × In), not owned
	y    []float64 // output of the last Forward (batch × Out)
	gz   []float64 // gradient w.r.t. the pre-activation (batch × Out)
	gx   []float64 // gradient w.r.t. the input (batch × In)
	rows int
}

// MLP is a stack of dense layers: the hidden layers use one activation, the
// last layer is linear (Identity).
type MLP struct {
	Layers []*Dense
}

// New returns an MLP with layer widths sizes[0] (input) … sizes[len−1]
// (output), the given hidden activation, and weights drawn deterministically
// from seed: uniform in ±√(6/(in+out)) (Glorot) for tanh and identity,
// ±√(6/in) (He) for ReLU; biases 0. It panics if fewer than two sizes are
// given or a size is not positive (a programming error, not bad data).
func New(sizes []int, hidden Activation, seed uint64) *MLP {
	if len(sizes) < 2 {
		panic("nn.New: need at least an input and an output size")
	}
	rng := rand.New(rand.NewPCG(seed, 0x6e6e5f696e6974))
	m := &MLP{}
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		if in <= 0 || out <= 0 {
			panic(fmt.Sprintf("nn.New: size %d is %d, want > 0", i, sizes[i]))
		}
		act := hidden
		if i+2 == len(sizes) {
			act = Identity
		}
		l := &Dense{In: in, Out: out, Act: act,
			W: make([]float64, in*out), B: make([]float64, out),
			GW: make([]float64, in*out), GB: make([]float64, out)}
		limit := math.Sqrt(6 / float64(in+out))
		if act == ReLU {
			limit = math.Sqrt(6 / float64(in))
		}
		for j := range l.W {
			l.W[j] = (2*rng.Float64() - 1) * limit
		}
		m.Layers = append(m.Layers, l)
	}
	return m
}

// In and Out are the input and output widths.
func (m *MLP) In() int  { return m.Layers[0].In }
func (m *MLP) Out() int { return m.Layers[len(m.Layers)-1].Out }

// Forward computes the outputs for a batch of inputs x (batch × In,
// row-major) and returns them (batch × Out). The returned slice and the
// stored activations belong to the MLP and are overwritten by the next
// Forward; Backward uses the activations of the last Forward, and x must not
// change in between. Steady-state calls with the same batch size allocate
// nothing.
func (m *MLP) Forward(x []float64) []float64 {
	if len(x)%m.In() != 0 {
		panic(fmt.Sprintf("nn.Forward: input length %d is not a multiple of %d", len(x), m.In()))
	}
	rows := len(x) / m.In()
	for _, l := range m.Layers {
		x = l.forward(x, rows)
	}
	return x
}

func (l *Dense) forward(x []float64, rows int) []float64 {
	l.x, l.rows = x, rows
	l.y = grow(l.y, rows*l.Out)
	for r := 0; r < rows; r++ {
		copy(l.y[r*l.Out:(r+1)*l.Out], l.B)
	}
	if rows > 0 {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: rows, Cols: l.In, Stride: l.In, Data: x},
			blas64.General{Rows: l.In, Cols: l.Out, Stride: l.Out, Data: l.W},
			1, blas64.General{Rows: rows, Cols: l.Out, Stride: l.Out, Data: l.y})
	}
	switch l.Act {
	case Tanh:
		for i, v := range l.y {
			l.y[i] = math.Tanh(v)
		}
	case ReLU:
		for i, v := range l.y {
			l.y[i] = max(v, 0)
		}
	}
	return l.y
}

// Backward takes the gradient of the loss w.r.t. the outputs of the last
// Forward (batch × Out) and sets every layer's GW and GB to the gradient of
// the loss w.r.t. its parameters (overwriting, not accumulating). It returns
// the gradient w.r.t. the input (batch × In), owned by the MLP.
func (m *MLP) Backward(gradOut []float64) []float64 {
	last := m.Layers[len(m.Layers)-1]
	if len(gradOut) != last.rows*last.Out {
		panic(fmt.Sprintf("nn.Backward: gradient length %d, want %d (batch %d × %d outputs)", len(gradOut), last.rows*last.Out, last.rows, last.Out))
	}
	g := gradOut
	for i := len(m.Layers) - 1; i >= 0; i-- {
		g = m.Layers[i].backward(g)
	}
	return g
}

func (l *Dense) backward(gy []float64) []float64 {
	rows := l.rows
	l.gz = grow(l.gz, rows*l.Out)
	switch l.Act {
	case Identity:
		copy(l.gz, gy)
	case Tanh:
		for i, y := range l.y {
			l.gz[i] = gy[i] * (1 - y*y)
		}
	case ReLU:
		for i, y := range l.y {
			if y > 0 {
				l.gz[i] = gy[i]
			} else {
				l.gz[i] = 0
			}
		}
	}
	clear(l.GB)
	for r := 0; r < rows; r++ {
		for j, v := range l.gz[r*l.Out : (r+1)*l.Out] {
			l.GB[j] += v
		}
	}
	l.gx = grow(l.gx, rows*l.In)
	if rows == 0 {
		clear(l.GW)
		return l.gx
	}
	gz := blas64.General{Rows: rows, Cols: l.Out, Stride: l.Out, Data: l.gz}
	// GW = xᵀ·gz, gx = gz·Wᵀ.
	blas64.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: rows, Cols: l.In, Stride: l.In, Data: l.x}, gz,
		0, blas64.General{Rows: l.In, Cols: l.Out, Stride: l.Out, Data: l.GW})
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, gz,
		blas64.General{Rows: l.In, Cols: l.Out, Stride: l.Out, Data: l.W},
		0, blas64.General{Rows: rows, Cols: l.In, Stride: l.In, Data: l.gx})
	return l.gx
}

// Params returns the parameter slices (W then B of each layer) and the
// matching gradient slices, in the same order.
func (m *MLP) Params() (params, grads [][]float64) {
	for _, l := range m.Layers {
		params = append(params, l.W, l.B)
		grads = append(grads, l.GW, l.GB)
	}
	return params, grads
}

// NumParams is the number of scalar parameters.
func (m *MLP) NumParams() int {
	n := 0
	for _, l := range m.Layers {
		n += len(l.W) + len(l.B)
	}
	return n
}

// Clone returns an independent copy of the architecture and parameters
// (gradients zero, no stored activations): a target network.
func (m *MLP) Clone() *MLP {
	c := &MLP{}
	for _, l := range m.Layers {
		c.Layers = append(c.Layers, &Dense{In: l.In, Out: l.Out, Act: l.Act,
			W: append([]float64(nil), l.W...), B: append([]float64(nil), l.B...),
			GW: make([]float64, len(l.GW)), GB: make([]float64, len(l.GB))})
	}
	return c
}

// CopyFrom copies src's parameters into m (same architecture required; it
// panics otherwise). It allocates nothing.
func (m *MLP) CopyFrom(src *MLP) {
	if len(m.Layers) != len(src.Layers) {
		panic("nn.CopyFrom: different number of layers")
	}
	for i, l := range m.Layers {
		s := src.Layers[i]
		if l.In != s.In || l.Out != s.Out {
			panic(fmt.Sprintf("nn.CopyFrom: layer %d is %d×%d, source %d×%d", i, l.In, l.Out, s.In, s.Out))
		}
		copy(l.W, s.W)
		copy(l.B, s.B)
	}
}

// GradNorm is the Euclidean norm of all parameter gradients.
func (m *MLP) GradNorm() float64 {
	var s float64
	for _, l := range m.Layers {
		for _, v := range l.GW {
			s += v * v
		}
		for _, v := range l.GB {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales all gradients so that their Euclidean norm is at most
// maxNorm and returns the norm before clipping.
func (m *MLP) ClipGradNorm(maxNorm float64) float64 {
	n := m.GradNorm()
	if n > maxNorm && n > 0 {
		f := maxNorm / n
		for _, l := range m.Layers {
			for i := range l.GW {
				l.GW[i] *= f
			}
			for i := range l.GB {
				l.GB[i] *= f
			}
		}
	}
	return n
}

// Adam is the Adam optimiser (Kingma & Ba 2015) with bias correction:
// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε).
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	t                     int
	m, v                  [][]float64
}

// NewAdam returns Adam with the given learning rate and the usual β₁ = 0.9,
// β₂ = 0.999, ε = 1e-8, with moment buffers sized for net.
func NewAdam(net *MLP, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	params, _ := net.Params()
	for _, p := range params {
		a.m = append(a.m, make([]float64, len(p)))
		a.v = append(a.v, make([]float64, len(p)))
	}
	return a
}

// Step applies one update to net's parameters from its current gradients.
// It allocates nothing.
func (a *Adam) Step(net *MLP) {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	step := a.LR * math.Sqrt(c2) / c1
	eps := a.Eps * math.Sqrt(c2)
	i := 0
	for _, l := range net.Layers {
		a.update(l.W, l.GW, a.m[i], a.v[i], step, eps)
		a.update(l.B, l.GB, a.m[i+1], a.v[i+1], step, eps)
		i += 2
	}
}

func (a *Adam) update(p, g, m, v []float64, step, eps float64) {
	b1, b2 := a.Beta1, a.Beta2
	for j := range p {
		m[j] = b1*m[j] + (1-b1)*g[j]
		v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
		p[j] -= step * m[j] / (math.Sqrt(v[j]) + eps)
	}
}

func grow(x []float64, n int) []float64 {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]float64, n)
}
