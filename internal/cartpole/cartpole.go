// Package cartpole is the classic cart-pole balancing task (Barto, Sutton and
// Anderson 1983) with the dynamics, constants and termination of the common
// CartPole-v1 benchmark: a pole hinged on a cart that moves on a track, pushed
// left or right by a force of 10 N every 0.02 s.
//
// State (x, ẋ, θ, θ̇): cart position (m) and velocity, pole angle from upright
// (rad) and angular velocity. With g = 9.8, cart mass 1.0, pole mass 0.1,
// pole half-length l = 0.5, M = 1.1 and F = ±10:
//
//	tmp = (F + m_pole·l·θ̇²·sin θ) / M
//	θ̈   = (g·sin θ − cos θ·tmp) / (l·(4/3 − m_pole·cos²θ / M))
//	ẍ   = tmp − m_pole·l·θ̈·cos θ / M
//
// integrated by explicit Euler with τ = 0.02 (positions first, from the old
// velocities). An episode starts with every state variable uniform in
// [−0.05, 0.05], gives reward 1 for every step taken (the failing step
// included), terminates when |θ| > 12° or |x| > 2.4, and is truncated after
// 500 steps (CartPole-v1). Everything is deterministic given the seed; the
// package allocates nothing after New.
package cartpole

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Physical constants of the benchmark.
const (
	Gravity    = 9.8
	MassCart   = 1.0
	MassPole   = 0.1
	HalfLength = 0.5 // l: half the pole's length
	ForceMag   = 10.0
	Tau        = 0.02 // seconds per step

	// AngleLimit is 12° in radians: the episode terminates when |θ| exceeds it.
	AngleLimit = 12 * 2 * math.Pi / 360
	// PositionLimit: the episode terminates when |x| exceeds it.
	PositionLimit = 2.4
	// MaxSteps is the CartPole-v1 episode cap (truncation, not termination).
	MaxSteps = 500
	// StateDim is the length of the observation; NumActions the number of actions
	// (0: push left, 1: push right).
	StateDim   = 4
	NumActions = 2
)

const (
	totalMass      = MassCart + MassPole
	poleMassLength = MassPole * HalfLength
)

// State is (x, ẋ, θ, θ̇).
type State [StateDim]float64

// Env is one cart-pole with its own random source.
type Env struct {
	s     State
	steps int
	done  bool
	rng   *rand.Rand
}

// New returns an environment whose start states are drawn from a PCG stream
// seeded by seed; call Reset before the first Step.
func New(seed uint64) *Env {
	return &Env{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), done: true}
}

// Reset starts an episode with each state variable uniform in [−0.05, 0.05)
// and returns the start state.
func (e *Env) Reset() State {
	for i := range e.s {
		e.s[i] = -0.05 + 0.1*e.rng.Float64()
	}
	e.steps = 0
	e.done = false
	return e.s
}

// State returns the current state.
func (e *Env) State() State { return e.s }

// Steps returns the number of steps taken in the current episode.
func (e *Env) Steps() int { return e.steps }

// ErrEpisodeOver is returned by Step after the episode has ended (call Reset).
var ErrEpisodeOver = errors.New("cartpole: Step called after the episode ended; call Reset")

// ErrAction is returned by Step for an action other than 0 or 1.
var ErrAction = errors.New("cartpole: action must be 0 (left) or 1 (right)")

// Step applies action (0: force −10, 1: force +10) for one time step. It
// returns the next state, the reward (1), whether the episode terminated
// (pole or cart out of bounds: no future reward, a terminal state for
// bootstrapping) and whether it was truncated at MaxSteps (not terminal: the
// state still has a value).
func (e *Env) Step(action int) (next State, reward float64, terminated, truncated bool, err error) {
	if e.done {
		return e.s, 0, false, false, ErrEpisodeOver
	}
	if action != 0 && action != 1 {
		return e.s, 0, false, false, ErrAction
	}
	e.s = Dynamics(e.s, action)
	e.steps++
	terminated = Terminal(e.s)
	truncated = !terminated && e.steps >= MaxSteps
	e.done = terminated || truncated
	return e.s, 1, terminated, truncated, nil
}

// Dynamics is one Euler step of the equations in the package comment from s
// under action (0: left, anything else: right).
func Dynamics(s State, action int) State {
	x, xDot, theta, thetaDot := s[0], s[1], s[2], s[3]
	force := ForceMag
	if action == 0 {
		force = -ForceMag
	}
	cosT, sinT := math.Cos(theta), math.Sin(theta)
	tmp := (force + poleMassLength*thetaDot*thetaDot*sinT) / totalMass
	thetaAcc := (Gravity*sinT - cosT*tmp) / (HalfLength * (4.0/3.0 - MassPole*cosT*cosT/totalMass))
	xAcc := tmp - poleMassLength*thetaAcc*cosT/totalMass
	return State{
		x + Tau*xDot,
		xDot + Tau*xAcc,
		theta + Tau*thetaDot,
		thetaDot + Tau*thetaAcc,
	}
}

// Terminal reports whether s is outside the bounds (|x| > 2.4 or |θ| > 12°).
func Terminal(s State) bool {
	return s[0] < -PositionLimit || s[0] > PositionLimit || s[2] < -AngleLimit || s[2] > AngleLimit
}
