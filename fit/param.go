package fit

import "math"

// gmm is a mixture in float64, in normalised units, the form the optimiser
// works with: K components in dimension D; cov holds K·D stds (Diagonal, and
// every 1-D fit), K stds (Isotropic) or K·D·D row-major lower-triangular
// Cholesky factors (Full).
type gmm struct {
	k, d int
	form Covariance
	w    []float64
	mu   []float64
	cov  []float64
}

func newGMM(k, d int, form Covariance) *gmm {
	g := &gmm{k: k, d: d, form: form, w: make([]float64, k), mu: make([]float64, k*d)}
	g.cov = make([]float64, covSize(k, d, form))
	return g
}

func covSize(k, d int, form Covariance) int {
	switch form {
	case Full:
		return k * d * d
	case Isotropic:
		return k
	}
	return k * d
}

// params maps the unconstrained vector θ to a mixture and chains gradients
// back. θ holds, in order: K weight logits (absent with fixed weights), K·D
// means, then the covariance parameters: log(σ − floor) per std (Diagonal:
// K·D, Isotropic: K) or, per component, the lower triangle of the Cholesky
// factor by rows with log(Lᵣᵣ − floor) on the diagonal (Full: K·D(D+1)/2).
type params struct {
	k, d   int
	form   Covariance
	floor  float64   // σ floor, normalised units
	fixedW []float64 // the weights when they are not fitted
}

func (p *params) nW() int {
	if p.fixedW != nil {
		return 0
	}
	return p.k
}

func (p *params) nCov() int {
	if p.form == Full {
		return p.k * p.d * (p.d + 1) / 2
	}
	return covSize(p.k, p.d, p.form)
}

func (p *params) size() int { return p.nW() + p.k*p.d + p.nCov() }

// minLogStd bounds the log parameters from below when packing (a zero std
// becomes e^-30 above the floor).
const minLogStd = -30

// pack writes θ for the mixture g (which must have p's shape).
func (p *params) pack(g *gmm, theta []float64) {
	i := 0
	if p.fixedW == nil {
		for c := 0; c < p.k; c++ {
			theta[i] = math.Log(math.Max(g.w[c], 1e-300))
			i++
		}
	}
	i += copy(theta[i:], g.mu)
	logOf := func(s float64) float64 { return math.Max(math.Log(math.Max(s-p.floor, 0)), minLogStd) }
	if p.form != Full {
		for _, s := range g.cov {
			theta[i] = logOf(s)
			i++
		}
		return
	}
	d := p.d
	for c := 0; c < p.k; c++ {
		for r := 0; r < d; r++ {
			for q := 0; q <= r; q++ {
				v := g.cov[(c*d+r)*d+q]
				if q == r {
					v = logOf(v)
				}
				theta[i] = v
				i++
			}
		}
	}
}

// unpack sets g from θ: softmax weights, σ = floor + exp(s).
func (p *params) unpack(theta []float64, g *gmm) {
	i := 0
	if p.fixedW == nil {
		m := math.Inf(-1)
		for _, a := range theta[:p.k] {
			m = math.Max(m, a)
		}
		var s float64
		for c := 0; c < p.k; c++ {
			g.w[c] = math.Exp(theta[c] - m)
			s += g.w[c]
		}
		for c := range g.w {
			g.w[c] /= s
		}
		i = p.k
	} else {
		copy(g.w, p.fixedW)
	}
	i += copy(g.mu, theta[i:i+p.k*p.d])
	if p.form != Full {
		for j := range g.cov {
			g.cov[j] = p.floor + math.Exp(theta[i])
			i++
		}
		return
	}
	d := p.d
	clear(g.cov)
	for c := 0; c < p.k; c++ {
		for r := 0; r < d; r++ {
			for q := 0; q <= r; q++ {
				v := theta[i]
				if q == r {
					v = p.floor + math.Exp(v)
				}
				g.cov[(c*d+r)*d+q] = v
				i++
			}
		}
	}
}

// chain converts the gradient of the loss with respect to the mixture's
// weights (as free variables), means and covariance parameters (gw, gmu,
// gcov, laid out like gmm) at θ (whose mixture is g) into the gradient with
// respect to θ.
func (p *params) chain(theta []float64, g *gmm, gw, gmu, gcov, out []float64) {
	i := 0
	if p.fixedW == nil {
		// softmax: ∂/∂αᵢ = wᵢ (gᵢ − Σⱼ wⱼ gⱼ)
		var mean float64
		for c := 0; c < p.k; c++ {
			mean += g.w[c] * gw[c]
		}
		for c := 0; c < p.k; c++ {
			out[c] = g.w[c] * (gw[c] - mean)
		}
		i = p.k
	}
	i += copy(out[i:], gmu)
	if p.form != Full {
		for j := range gcov {
			out[i] = gcov[j] * (g.cov[j] - p.floor) // d/ds (floor + eˢ) = eˢ
			i++
		}
		return
	}
	d := p.d
	for c := 0; c < p.k; c++ {
		for r := 0; r < d; r++ {
			for q := 0; q <= r; q++ {
				j := (c*d+r)*d + q
				v := gcov[j]
				if q == r {
					v *= g.cov[j] - p.floor
				}
				out[i] = v
				i++
			}
		}
	}
}
