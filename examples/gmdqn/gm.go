package main

import (
	"math"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mdn"
)

// gmAgent is a Gaussian-mixture distributional DQN. The network maps a state
// to, for each action a, a K-component mixture Z(s, a) over the return,
// emitted as one block of 3K raw outputs per action (K logits, K means, K raw
// scales: the mdn head layout), so the output width is numActions·3K. Weights
// are softmax(logits) and σ = minStd + softplus(raw scale).
//
// An update on a minibatch (s, a, r, s′, terminal):
//  1. a* = argmax over a′ of the mean of Z_online(s′, a′) (double DQN);
//  2. the target is r + γ·Z_target(s′, a*), component by component (see
//     bellmanTarget), or δ(r) when s′ is terminal;
//  3. the loss is the batch mean of ℓ₂²(Z_online(s, a), target), with its
//     gradient w.r.t. the chosen action's raw outputs; the other action's
//     outputs get no gradient.
type gmAgent struct {
	base
	k      int
	minStd float64
	loss   mixtureLoss

	// scratch, reused across updates
	tw, tm, ts   []float64 // target mixtures, B × K each
	nw, nm, ns   []float64 // decoded next-state mixture of one example
	rawSel, gSel []float64 // chosen action's raw outputs and their gradient, B × 3K
	dw, dm, ds   []float64 // predicted() outputs
	means        []float64
}

func newGM(cfg config) *gmAgent {
	g := &gmAgent{base: newBase(cfg, numActions*3*cfg.K), k: cfg.K, minStd: cfg.MinStd}
	g.loss = newMixtureLoss(cfg.K, cfg.MinStd)
	// Start every component at σ ≈ InitStd (return units): the raw-scale
	// outputs' bias is softplus⁻¹(InitStd/scale − minStd) = log(e^y − 1).
	y := cfg.InitStd/cfg.ValueScale - cfg.MinStd
	bias := math.Log(math.Expm1(y))
	last := g.online.Layers[len(g.online.Layers)-1]
	for a := 0; a < numActions; a++ {
		for j := 0; j < cfg.K; j++ {
			last.B[a*3*cfg.K+2*cfg.K+j] = bias
		}
	}
	g.target.CopyFrom(g.online)
	g.nw, g.nm, g.ns = make([]float64, cfg.K), make([]float64, cfg.K), make([]float64, cfg.K)
	return g
}

func (g *gmAgent) width() int { return 3 * g.k }

// decode writes the mixture of one 3K block of raw outputs: what mdn.Decode
// returns for the head {K, Softplus, minStd} (tested), without allocating.
func (g *gmAgent) decode(w, mu, sd, raw []float64) {
	k := g.k
	mx := math.Inf(-1)
	for _, l := range raw[:k] {
		mx = math.Max(mx, l)
	}
	s := 0.0
	for j, l := range raw[:k] {
		w[j] = math.Exp(l - mx)
		s += w[j]
	}
	for j := range w {
		w[j] /= s
	}
	copy(mu, raw[k:2*k])
	for j, x := range raw[2*k : 3*k] {
		sd[j] = g.minStd + softplus(x)
	}
}

func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// meansOf writes the mixture mean of every action of every row of out.
func (g *gmAgent) meansOf(dst, out []float64, n int) {
	w3 := g.width()
	for i := 0; i < n*numActions; i++ {
		g.decode(g.nw, g.nm, g.ns, out[i*w3:(i+1)*w3])
		dst[i] = g.scale * mixtureMean(g.nw, g.nm)
	}
}

func (g *gmAgent) values(dst, states []float64, n int) {
	g.meansOf(dst, g.online.Forward(states), n)
}

func (g *gmAgent) update(b *batch) float64 {
	loss := g.lossAndGrad(b)
	g.step(g.gradOut)
	return loss
}

// lossAndGrad computes the minibatch loss and leaves its gradient w.r.t. the
// online network's outputs (B × numActions·3K) in g.gradOut.
func (g *gmAgent) lossAndGrad(b *batch) float64 {
	n, k, w3 := b.size(), g.k, g.width()
	g.tw, g.tm, g.ts = grow(g.tw, n*k), grow(g.tm, n*k), grow(g.ts, n*k)
	g.rawSel, g.gSel = grow(g.rawSel, n*w3), grow(g.gSel, n*w3)
	g.means = grow(g.means, n*numActions)
	g.nextGreedy = grow(g.nextGreedy, n)
	g.gradOut = grow(g.gradOut, n*numActions*w3)

	// Double DQN: the online network picks a*, the target network evaluates it.
	g.meansOf(g.means, g.online.Forward(b.next), n)
	argmaxRows(g.nextGreedy, g.means)
	next := g.target.Forward(b.next)
	for i := 0; i < n; i++ {
		blk := next[(i*numActions+g.nextGreedy[i])*w3:]
		g.decode(g.nw, g.nm, g.ns, blk[:w3])
		bellmanTarget(g.tw[i*k:(i+1)*k], g.tm[i*k:(i+1)*k], g.ts[i*k:(i+1)*k],
			b.rewards[i]/g.scale, g.gamma, b.terminal[i], g.nw, g.nm, g.ns)
	}

	out := g.online.Forward(b.states)
	for i := 0; i < n; i++ {
		copy(g.rawSel[i*w3:(i+1)*w3], out[(i*numActions+b.actions[i])*w3:])
	}
	loss, err := g.loss.eval(g.gSel, g.rawSel, g.tw, g.tm, g.ts, n)
	clear(g.gradOut)
	if err != nil {
		return math.NaN()
	}
	for i := 0; i < n; i++ {
		copy(g.gradOut[(i*numActions+b.actions[i])*w3:], g.gSel[i*w3:(i+1)*w3])
	}
	return loss
}

func (g *gmAgent) predicted(states []float64, n, a int) (w, mu, sd []float64, k int) {
	k, w3 := g.k, g.width()
	g.dw, g.dm, g.ds = grow(g.dw, n*k), grow(g.dm, n*k), grow(g.ds, n*k)
	out := g.online.Forward(states)
	for i := 0; i < n; i++ {
		g.decode(g.dw[i*k:(i+1)*k], g.dm[i*k:(i+1)*k], g.ds[i*k:(i+1)*k], out[(i*numActions+a)*w3:(i*numActions+a+1)*w3])
	}
	for j := range g.dm {
		g.dm[j] *= g.scale
		g.ds[j] *= g.scale
	}
	return g.dw, g.dm, g.ds, k
}

// mixtureLoss is the batch mean over B examples of ℓ₂²(P_b, Q_b), P_b the
// mixture of the raw head outputs (B × 3K, the mdn head layout), Q_b the
// target mixture (tw, tm, ts: B × K), with the gradient of the mean w.r.t.
// the raw outputs, computed by mdn's mixture-target loss.
type mixtureLoss struct {
	head mdn.Head
	ws   mdn.Workspace[float64]
}

func newMixtureLoss(k int, minStd float64) mixtureLoss {
	return mixtureLoss{head: mdn.Head{K: k, Scale: mdn.Softplus, MinStd: minStd}}
}

func (l *mixtureLoss) eval(grad, raw, tw, tm, ts []float64, n int) (float64, error) {
	return l.ws.CramerToMixture(l.head, raw[:n*l.head.Width()],
		cramer.Mixture[float64]{Weights: tw[:n*l.head.K], Means: tm[:n*l.head.K], Stds: ts[:n*l.head.K]}, nil, grad[:n*l.head.Width()])
}
