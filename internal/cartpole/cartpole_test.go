package cartpole

import (
	"errors"
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func checkState(t *testing.T, what string, got, want State) {
	t.Helper()
	for i := range got {
		if !near(got[i], want[i], 1e-13) {
			t.Errorf("%s: component %d = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// From rest with F = +10 every quantity is rational:
// tmp = 10/1.1 = 100/11; the denominator is 0.5·(4/3 − 0.1/1.1) = 41/66, so
// θ̈ = −(100/11)/(41/66) = −600/41 and ẍ = 100/11 + 0.05·(600/41)/1.1 = 400/41.
// Euler: x and θ stay 0, ẋ = 0.02·400/41 = 8/41, θ̇ = −0.02·600/41 = −12/41.
func TestDynamicsFromRest(t *testing.T) {
	checkState(t, "right", Dynamics(State{}, 1), State{0, 8.0 / 41, 0, -12.0 / 41})
	checkState(t, "left", Dynamics(State{}, 0), State{0, -8.0 / 41, 0, 12.0 / 41})
}

// Two steps from s = (0.1, −0.2, 0.05, 0.3), left then right, each quantity
// worked out from the equations in the package comment:
//
//	step 1 (F = −10): tmp = (−10 + 0.05·0.09·sin 0.05)/1.1 = −9.0907046306712
//	                  θ̈ = (9.8 sin 0.05 − cos 0.05·tmp)/(0.5(4/3 − 0.1cos²0.05/1.1)) = 15.401165680308
//	                  ẍ = tmp − 0.05·θ̈·cos 0.05/1.1 = −9.7898827321981
//	                  s₁ = (0.1 − 0.004, −0.2 + 0.02ẍ, 0.05 + 0.006, 0.3 + 0.02θ̈)
//	step 2 (F = +10): tmp = 9.0918496342110, θ̈ = −13.726598729722, ẍ = 9.7148078636239
func TestDynamicsTwoSteps(t *testing.T) {
	s0 := State{0.1, -0.2, 0.05, 0.3}
	s1 := Dynamics(s0, 0)
	checkState(t, "step 1", s1, State{0.096, -0.2 + 0.02*-9.78988273219813, 0.056, 0.3 + 0.02*15.401165680307574})
	s2 := Dynamics(s1, 1)
	// s₂ = s₁ + 0.02·(ẋ₁, ẍ, θ̇₁, θ̈)
	checkState(t, "step 2", s2, State{0.08808404690712075, -0.20150149737148554, 0.06816046627212304, 0.33349133901171724})
}

func TestTerminal(t *testing.T) {
	cases := []struct {
		s    State
		want bool
	}{
		{State{}, false},
		{State{2.4, 0, 0, 0}, false},
		{State{2.4000001, 0, 0, 0}, true},
		{State{-2.4000001, 0, 0, 0}, true},
		{State{0, 0, 0.2094, 0}, false},
		{State{0, 0, 0.2095, 0}, true},
		{State{0, 0, -0.2095, 0}, true},
		{State{0, 100, 0, 100}, false}, // velocities are unbounded
	}
	for _, c := range cases {
		if got := Terminal(c.s); got != c.want {
			t.Errorf("Terminal(%v) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestResetRangeAndDeterminism(t *testing.T) {
	a, b, c := New(7), New(7), New(8)
	same := true
	for ep := 0; ep < 200; ep++ {
		sa, sb, sc := a.Reset(), b.Reset(), c.Reset()
		if sa != sb {
			t.Fatalf("episode %d: same seed gave %v and %v", ep, sa, sb)
		}
		if sa != sc {
			same = false
		}
		for i, v := range sa {
			if v < -0.05 || v >= 0.05 {
				t.Fatalf("start state component %d = %v outside [−0.05, 0.05)", i, v)
			}
		}
	}
	if same {
		t.Fatal("seeds 7 and 8 gave the same 200 start states")
	}
}

func TestEpisodeTermination(t *testing.T) {
	e := New(1)
	e.Reset()
	// Always pushing right tips the pole over (backwards) within a few dozen steps.
	n := 0
	for {
		s, r, term, trunc, err := e.Step(1)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r != 1 {
			t.Fatalf("reward %v, want 1", r)
		}
		if trunc {
			t.Fatal("truncated while pushing one way")
		}
		if term {
			if !Terminal(s) {
				t.Fatalf("terminated in a state inside the bounds: %v", s)
			}
			break
		}
		if n > 100 {
			t.Fatal("no termination in 100 steps of constant force")
		}
	}
	if e.Steps() != n {
		t.Fatalf("Steps() = %d, want %d", e.Steps(), n)
	}
	if _, _, _, _, err := e.Step(0); !errors.Is(err, ErrEpisodeOver) {
		t.Fatalf("Step after termination: err = %v, want ErrEpisodeOver", err)
	}
}

// A simple linear controller on the angle balances the pole; the episode must
// then be truncated, not terminated, at exactly MaxSteps.
func TestTruncationAt500(t *testing.T) {
	e := New(3)
	s := e.Reset()
	for n := 1; ; n++ {
		a := 0
		if s[2]+0.5*s[3]+0.01*s[0]+0.1*s[1] > 0 {
			a = 1
		}
		var term, trunc bool
		var err error
		s, _, term, trunc, err = e.Step(a)
		if err != nil {
			t.Fatal(err)
		}
		if term {
			t.Fatalf("controller failed at step %d: %v", n, s)
		}
		if trunc {
			if n != MaxSteps {
				t.Fatalf("truncated at step %d, want %d", n, MaxSteps)
			}
			return
		}
	}
}

func TestBadAction(t *testing.T) {
	e := New(1)
	e.Reset()
	if _, _, _, _, err := e.Step(2); !errors.Is(err, ErrAction) {
		t.Fatalf("action 2: err = %v", err)
	}
	if _, _, _, _, err := New(1).Step(0); !errors.Is(err, ErrEpisodeOver) {
		t.Fatalf("Step before Reset: err = %v", err)
	}
}
