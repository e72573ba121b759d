package main

import "math"

// dqnAgent is the plain (double) DQN baseline on the same network body and
// schedule: one output per action, Q(s, a), trained towards
// r + γ·Q_target(s′, argmax_a′ Q_online(s′, a′)) (r alone when s′ is
// terminal) with the Huber loss (δ = 1 in return units), batch mean.
type dqnAgent struct {
	base
	q       []float64
	targets []float64
	dw, dm  []float64
	ds      []float64
}

func newDQN(cfg config) *dqnAgent { return &dqnAgent{base: newBase(cfg, numActions)} }

func (d *dqnAgent) values(dst, states []float64, n int) {
	for i, q := range d.online.Forward(states)[:n*numActions] {
		dst[i] = d.scale * q
	}
}

func (d *dqnAgent) update(b *batch) float64 {
	n := b.size()
	d.nextGreedy = grow(d.nextGreedy, n)
	d.targets = grow(d.targets, n)
	d.gradOut = grow(d.gradOut, n*numActions)
	argmaxRows(d.nextGreedy, d.online.Forward(b.next))
	next := d.target.Forward(b.next)
	for i := 0; i < n; i++ {
		d.targets[i] = b.rewards[i] / d.scale
		if !b.terminal[i] {
			d.targets[i] += d.gamma * next[i*numActions+d.nextGreedy[i]]
		}
	}
	q := d.online.Forward(b.states)
	clear(d.gradOut)
	inv := 1 / float64(n)
	loss := 0.0
	for i := 0; i < n; i++ {
		// Huber with δ = 1 return unit, i.e. δ = 1/scale in network units
		// (the loss is reported in return units).
		e := (q[i*numActions+b.actions[i]] - d.targets[i]) * d.scale
		if math.Abs(e) <= 1 {
			loss += 0.5 * e * e
			d.gradOut[i*numActions+b.actions[i]] = inv * e * d.scale
		} else {
			loss += math.Abs(e) - 0.5
			d.gradOut[i*numActions+b.actions[i]] = inv * math.Copysign(1, e) * d.scale
		}
	}
	d.step(d.gradOut)
	return loss * inv
}

// predicted is a point mass at Q(s, a) for each state.
func (d *dqnAgent) predicted(states []float64, n, a int) (w, mu, sd []float64, k int) {
	d.dw, d.dm, d.ds = grow(d.dw, n), grow(d.dm, n), grow(d.ds, n)
	q := d.online.Forward(states)
	for i := 0; i < n; i++ {
		d.dw[i], d.dm[i], d.ds[i] = 1, d.scale*q[i*numActions+a], 0
	}
	return d.dw, d.dm, d.ds, 1
}
