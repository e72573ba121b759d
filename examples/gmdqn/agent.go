package main

import (
	"math"

	"github.com/gmmkit/cramer/internal/cartpole"
	"github.com/gmmkit/cramer/internal/nn"
)

const (
	agentGM  = "gm"  // Gaussian-mixture distributional DQN, Cramér loss
	agentDQN = "dqn" // plain DQN, one value per action, Huber loss
)

const numActions = cartpole.NumActions

// agent is what the training loop needs from either learner.
type agent interface {
	// values writes the expected return of each action (n × numActions) for
	// n states (row-major n × StateDim) under the online network.
	values(dst, states []float64, n int)
	// update takes one gradient step on a minibatch and returns its loss.
	update(b *batch) float64
	// syncTarget copies the online parameters into the target network.
	syncTarget()
	// snapshot and restore save and bring back the online parameters.
	snapshot() *nn.MLP
	restore(*nn.MLP)
	// predicted writes the predicted return distribution of action a in
	// each of n states as n·k components (weights, means, stds; weights sum
	// to 1 per state) and returns k.
	predicted(states []float64, n, a int) (w, mu, sd []float64, k int)
}

// base holds what both learners share: the online and target networks and
// the optimiser.
type base struct {
	online, target *nn.MLP
	opt            *nn.Adam
	gamma          float64
	scale          float64 // return units per network output unit: the network learns return/scale
	clip           float64 // gradient norm clip; 0: none
	tau            float64 // Polyak target update after every step (0: hard copies only)
	onlineP, targP [][]float64
	gradOut        []float64
	nextGreedy     []int
}

func newBase(cfg config, outWidth int) base {
	sizes := append([]int{cartpole.StateDim}, cfg.Hidden...)
	sizes = append(sizes, outWidth)
	online := nn.New(sizes, cfg.activation(), cfg.Seed)
	b := base{online: online, target: online.Clone(), opt: nn.NewAdam(online, cfg.LR), gamma: cfg.Gamma, scale: cfg.ValueScale, clip: cfg.Clip, tau: cfg.TargetTau}
	b.onlineP, _ = b.online.Params()
	b.targP, _ = b.target.Params()
	return b
}

func (b *base) syncTarget()            { b.target.CopyFrom(b.online) }
func (b *base) snapshot() *nn.MLP      { return b.online.Clone() }
func (b *base) restore(m *nn.MLP)      { b.online.CopyFrom(m); b.target.CopyFrom(m) }
func (b *base) step(gradOut []float64) { b.online.Backward(gradOut); b.finishStep() }
func (b *base) finishStep() {
	if b.clip > 0 {
		b.online.ClipGradNorm(b.clip)
	}
	b.opt.Step(b.online)
	if b.tau > 0 {
		for i, p := range b.onlineP {
			t := b.targP[i]
			for j := range t {
				t[j] += b.tau * (p[j] - t[j])
			}
		}
	}
}

// argmaxRows writes the index of the largest of each row of numActions values.
func argmaxRows(dst []int, vals []float64) {
	for i := range dst {
		row := vals[i*numActions : (i+1)*numActions]
		best := 0
		for a := 1; a < numActions; a++ {
			if row[a] > row[best] {
				best = a
			}
		}
		dst[i] = best
	}
}

func grow[T any](x []T, n int) []T {
	if cap(x) < n {
		return make([]T, n)
	}
	return x[:n]
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
