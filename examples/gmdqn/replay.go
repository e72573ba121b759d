package main

import (
	"math/rand/v2"

	"github.com/gmmkit/cramer/internal/cartpole"
)

// replay is a fixed-capacity ring buffer of transitions (s, a, r, s′, terminal),
// stored column-wise so that a sampled minibatch is copied straight into the
// network's row-major input. Once full, the oldest transition is overwritten.
// It allocates nothing after newReplay.
type replay struct {
	states, next []float64 // capacity × StateDim
	actions      []int
	rewards      []float64
	terminal     []bool
	n, head      int
}

func newReplay(capacity int) *replay {
	return &replay{
		states:   make([]float64, capacity*cartpole.StateDim),
		next:     make([]float64, capacity*cartpole.StateDim),
		actions:  make([]int, capacity),
		rewards:  make([]float64, capacity),
		terminal: make([]bool, capacity),
	}
}

func (r *replay) len() int { return r.n }

// add stores one transition. terminal is true only when the episode ended by
// failure (a truncated episode's last state still has a value).
func (r *replay) add(s cartpole.State, a int, rew float64, next cartpole.State, terminal bool) {
	i := r.head
	copy(r.states[i*cartpole.StateDim:], s[:])
	copy(r.next[i*cartpole.StateDim:], next[:])
	r.actions[i], r.rewards[i], r.terminal[i] = a, rew, terminal
	r.head = (r.head + 1) % len(r.actions)
	if r.n < len(r.actions) {
		r.n++
	}
}

// batch is a minibatch laid out for the network: B rows of StateDim.
type batch struct {
	states, next []float64
	actions      []int
	rewards      []float64
	terminal     []bool
}

func newBatch(b int) *batch {
	return &batch{
		states:   make([]float64, b*cartpole.StateDim),
		next:     make([]float64, b*cartpole.StateDim),
		actions:  make([]int, b),
		rewards:  make([]float64, b),
		terminal: make([]bool, b),
	}
}

func (b *batch) size() int { return len(b.actions) }

// sample fills dst with transitions drawn uniformly with replacement.
func (r *replay) sample(dst *batch, rng *rand.Rand) {
	const d = cartpole.StateDim
	for k := range dst.actions {
		i := rng.IntN(r.n)
		copy(dst.states[k*d:(k+1)*d], r.states[i*d:(i+1)*d])
		copy(dst.next[k*d:(k+1)*d], r.next[i*d:(i+1)*d])
		dst.actions[k], dst.rewards[k], dst.terminal[k] = r.actions[i], r.rewards[i], r.terminal[i]
	}
}

// linearSchedule is ε-greedy's exploration rate: from start to end linearly
// over the first span steps, then constant.
type linearSchedule struct {
	start, end float64
	span       int
}

func (l linearSchedule) at(step int) float64 {
	if step >= l.span {
		return l.end
	}
	return l.start + (l.end-l.start)*float64(step)/float64(l.span)
}
