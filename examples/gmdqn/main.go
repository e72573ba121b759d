// Command gmdqn trains a Gaussian-mixture distributional DQN on CartPole-v1
// with the Cramér loss against the exact mixture Bellman target, or (with
// -agent dqn) a plain DQN on the same network and schedule, and reports the
// greedy evaluation return and how well the predicted return distribution at
// the start state matches the returns actually obtained.
//
//	go run ./examples/gmdqn -seed 1                 # GM-DQN, default budget
//	go run ./examples/gmdqn -seed 1 -agent dqn      # the baseline
//	go run ./examples/gmdqn -report DIR             # plots and table from DIR's runs
//
// The last line on stdout is a JSON object with at least "eval_mean",
// "steps" and "seconds"; -out DIR also writes DIR/<agent>-seed<S>.csv (one
// row per training episode) and .json (the summary with the start-state
// distributions).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/internal/cartpole"
	"github.com/gmmkit/cramer/internal/nn"
)

// config is every setting of a run; both agents share all but K and MinStd.
type config struct {
	Agent         string
	Seed          uint64
	Steps         int     // training environment-step budget
	K             int     // mixture components per action (GM only)
	MinStd        float64 // σ floor (GM only)
	InitStd       float64 // initial component std in return units (GM only), set through the output bias
	Hidden        []int
	Act           string // hidden activation: relu or tanh
	LR            float64
	Batch         int
	Buffer        int
	LearnStart    int // environment steps before the first update
	TrainEvery    int // a round of Updates minibatch updates every this many environment steps
	Updates       int
	TargetEvery   int     // target network copy period, in environment steps
	TargetTau     float64 // if > 0: target ← target + τ·(online − target) after every update, instead of copies
	Gamma         float64
	ValueScale    float64 // the networks learn return/ValueScale (rewards are divided by it)
	EpsStart      float64
	EpsEnd        float64
	EpsSpan       int
	Clip          float64
	CheckEvery    int     // greedy check period, in environment steps
	CheckEpisodes int     // episodes per greedy check
	StopAt        float64 // stop when a greedy check's mean reaches this (0: never)
	EvalEpisodes  int     // final greedy evaluation episodes
	StartStates   int     // start states for the return-distribution comparison
}

func defaultConfig() config {
	return config{
		Agent: agentGM, Seed: 1, Steps: 100_000, K: 5, MinStd: 0, InitStd: 69.3,
		Hidden: []int{64, 64}, Act: "relu", LR: 2.3e-3, Batch: 64, Buffer: 100_000,
		LearnStart: 1000, TrainEvery: 256, Updates: 128, TargetEvery: 256, Gamma: 0.99, ValueScale: 100,
		EpsStart: 1, EpsEnd: 0.04, EpsSpan: 8000, Clip: 10,
		CheckEvery: 2500, CheckEpisodes: 100, StopAt: 495, EvalEpisodes: 100, StartStates: 200,
	}
}

func (c config) activation() nn.Activation {
	if c.Act == "tanh" {
		return nn.Tanh
	}
	return nn.ReLU
}

func main() {
	cfg := defaultConfig()
	flag.StringVar(&cfg.Agent, "agent", cfg.Agent, "gm (Gaussian-mixture DQN, Cramér loss) or dqn (plain DQN, Huber loss)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the network initialisation, exploration, replay sampling and environment")
	flag.IntVar(&cfg.Steps, "steps", cfg.Steps, "training environment-step budget")
	flag.IntVar(&cfg.K, "k", cfg.K, "mixture components per action (gm)")
	flag.Float64Var(&cfg.MinStd, "minstd", cfg.MinStd, "minimum component std in network units (gm)")
	flag.Float64Var(&cfg.InitStd, "init-std", cfg.InitStd, "initial component std in return units, set through the output biases of the raw scales (gm; 69.3 = softplus(0) × value scale, the untouched initialisation)")
	hidden := flag.String("hidden", "64,64", "hidden layer widths")
	flag.StringVar(&cfg.Act, "act", cfg.Act, "hidden activation: relu or tanh")
	flag.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate")
	flag.IntVar(&cfg.Batch, "batch", cfg.Batch, "minibatch size")
	flag.IntVar(&cfg.Buffer, "buffer", cfg.Buffer, "replay capacity")
	flag.IntVar(&cfg.LearnStart, "learn-start", cfg.LearnStart, "environment steps before the first update")
	flag.IntVar(&cfg.TrainEvery, "train-every", cfg.TrainEvery, "environment steps between training rounds")
	flag.IntVar(&cfg.Updates, "updates", cfg.Updates, "minibatch updates per training round")
	flag.IntVar(&cfg.TargetEvery, "target-every", cfg.TargetEvery, "environment steps between target network copies")
	flag.Float64Var(&cfg.TargetTau, "target-tau", cfg.TargetTau, "if > 0, Polyak-average the target network by this fraction after every update instead of copying it")
	flag.Float64Var(&cfg.Gamma, "gamma", cfg.Gamma, "discount")
	flag.Float64Var(&cfg.ValueScale, "value-scale", cfg.ValueScale, "return units per network output unit (rewards are divided by it for learning; reported values are in return units)")
	flag.Float64Var(&cfg.EpsEnd, "eps-end", cfg.EpsEnd, "final exploration rate")
	flag.IntVar(&cfg.EpsSpan, "eps-span", cfg.EpsSpan, "environment steps over which ε decays linearly from 1")
	flag.Float64Var(&cfg.Clip, "clip", cfg.Clip, "gradient norm clip (0: none)")
	flag.IntVar(&cfg.CheckEvery, "check-every", cfg.CheckEvery, "environment steps between greedy checks")
	flag.IntVar(&cfg.CheckEpisodes, "check-episodes", cfg.CheckEpisodes, "episodes per greedy check")
	flag.Float64Var(&cfg.StopAt, "stop-at", cfg.StopAt, "stop training when a greedy check's mean return reaches this (0: train the whole budget)")
	flag.IntVar(&cfg.EvalEpisodes, "eval-episodes", cfg.EvalEpisodes, "final greedy evaluation episodes")
	flag.IntVar(&cfg.StartStates, "start-states", cfg.StartStates, "start states for the return-distribution comparison")
	out := flag.String("out", "", "directory for the per-episode CSV and the JSON summary (none if empty)")
	rep := flag.String("report", "", "read the runs in this directory, write curves.png and start-*.png there and print the markdown table")
	quiet := flag.Bool("q", false, "no progress lines on stderr")
	flag.Parse()

	if *rep != "" {
		if err := report(*rep, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "gmdqn:", err)
			os.Exit(1)
		}
		return
	}
	var err error
	if cfg.Hidden, err = parseInts(*hidden); err != nil {
		fmt.Fprintln(os.Stderr, "gmdqn: -hidden:", err)
		os.Exit(2)
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "gmdqn:", err)
		os.Exit(2)
	}
	var logf func(string, ...any)
	if !*quiet {
		logf = func(f string, a ...any) { fmt.Fprintf(os.Stderr, f, a...) }
	}
	res, eps := run(cfg, logf)
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gmdqn:", err)
			os.Exit(1)
		}
		b := runBase(*out, cfg.Agent, cfg.Seed)
		if err := writeEpisodesCSV(b+".csv", eps); err != nil {
			fmt.Fprintln(os.Stderr, "gmdqn:", err)
			os.Exit(1)
		}
		if err := writeJSON(b+".json", res); err != nil {
			fmt.Fprintln(os.Stderr, "gmdqn:", err)
			os.Exit(1)
		}
	}
	short := res
	short.Start = nil
	line, _ := json.Marshal(short)
	fmt.Println(string(line))
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%q: want positive integers separated by commas", s)
		}
		out = append(out, v)
	}
	return out, nil
}

func (c config) validate() error {
	switch {
	case c.Agent != agentGM && c.Agent != agentDQN:
		return fmt.Errorf("-agent %q: want gm or dqn", c.Agent)
	case c.Act != "relu" && c.Act != "tanh":
		return fmt.Errorf("-act %q: want relu or tanh", c.Act)
	case c.K < 1:
		return fmt.Errorf("-k %d: want ≥ 1", c.K)
	case c.Steps < 1 || c.Batch < 1 || c.Buffer < 1 || c.TrainEvery < 1 || c.Updates < 1 || c.TargetEvery < 1 || c.CheckEvery < 1 || c.EpsSpan < 1:
		return fmt.Errorf("-steps, -batch, -buffer, -train-every, -updates, -target-every, -check-every and -eps-span must be ≥ 1")
	case c.EvalEpisodes < 1 || c.CheckEpisodes < 1 || c.StartStates < 1:
		return fmt.Errorf("-eval-episodes, -check-episodes and -start-states must be ≥ 1")
	case !(c.Gamma > 0 && c.Gamma < 1):
		return fmt.Errorf("-gamma %v: want in (0, 1)", c.Gamma)
	case !(c.InitStd > 0) || c.InitStd/c.ValueScale <= c.MinStd:
		return fmt.Errorf("-init-std %v: want > 0 and above -minstd × -value-scale", c.InitStd)
	case !(c.TargetTau >= 0 && c.TargetTau <= 1):
		return fmt.Errorf("-target-tau %v: want in [0, 1]", c.TargetTau)
	case !(c.ValueScale > 0):
		return fmt.Errorf("-value-scale %v: want > 0", c.ValueScale)
	case !(c.LR > 0) || !(c.MinStd >= 0) || !(c.Clip >= 0) || !(c.EpsEnd >= 0 && c.EpsEnd <= 1):
		return fmt.Errorf("-lr must be > 0, -minstd and -clip ≥ 0, -eps-end in [0, 1]")
	}
	return nil
}

func newAgent(cfg config) agent {
	if cfg.Agent == agentDQN {
		return newDQN(cfg)
	}
	return newGM(cfg)
}

// Independent random streams of a run, all derived from the seed.
const (
	streamEnv = iota + 1
	streamExplore
	streamCheck
	streamEval
	streamStart
)

func subSeed(seed uint64, stream int) uint64 {
	return seed*0x9e3779b97f4a7c15 + uint64(stream)*0xbf58476d1ce4e5b9
}

// run trains one agent and evaluates it. Training: ε-greedy episodes; every
// TargetEvery steps a target copy, and after LearnStart every TrainEvery
// steps a round of Updates minibatch updates (after the copy, when both fall
// on the same step). Every CheckEvery steps a greedy check runs CheckEpisodes
// episodes from their own start states (not counted as training steps); it
// keeps a copy of the best network so far, the first check with a mean ≥ 450
// gives StepsTo450, and training stops once a check reaches StopAt. The
// final evaluation runs the best network greedily for EvalEpisodes episodes
// from fresh start states, so a lucky check does not inflate it.
func run(cfg config, logf func(string, ...any)) (runResult, []episodeRecord) {
	t0, cpu0 := time.Now(), cpuSeconds()
	ag := newAgent(cfg)
	env := cartpole.New(subSeed(cfg.Seed, streamEnv))
	rng := rand.New(rand.NewPCG(subSeed(cfg.Seed, streamExplore), 1))
	checkEnvSeed := subSeed(cfg.Seed, streamCheck)
	buf := newReplay(cfg.Buffer)
	mb := newBatch(cfg.Batch)
	sched := linearSchedule{start: cfg.EpsStart, end: cfg.EpsEnd, span: cfg.EpsSpan}

	res := runResult{Agent: cfg.Agent, Seed: cfg.Seed, StepsTo450: -1, TrainStepsTo450: -1, BestCheckAt: -1}
	var eps []episodeRecord
	var recent []float64
	var lossWindow []float64
	vals := make([]float64, numActions)
	s := env.Reset()
	epRet := 0.0
	best, bestNet := math.Inf(-1), ag.snapshot()
	step := 0
	for step < cfg.Steps {
		step++
		e := sched.at(step)
		var a int
		if rng.Float64() < e {
			a = rng.IntN(numActions)
		} else {
			ag.values(vals, s[:], 1)
			a = argmax(vals)
		}
		next, r, term, trunc, _ := env.Step(a)
		buf.add(s, a, r, next, term)
		epRet += r
		s = next
		if term || trunc {
			recent = append(recent, epRet)
			if len(recent) > 100 {
				recent = recent[1:]
			}
			m := meanOf(recent)
			eps = append(eps, episodeRecord{Episode: len(eps) + 1, Steps: step, Return: epRet, Epsilon: e, Mean100: m})
			if res.TrainStepsTo450 < 0 && len(recent) == 100 && m >= 450 {
				res.TrainStepsTo450 = step
			}
			epRet = 0
			s = env.Reset()
		}
		if cfg.TargetTau == 0 && step%cfg.TargetEvery == 0 {
			ag.syncTarget()
		}
		if step >= cfg.LearnStart && step%cfg.TrainEvery == 0 {
			for u := 0; u < cfg.Updates; u++ {
				buf.sample(mb, rng)
				l := ag.update(mb)
				if !finite(l) {
					res.NonFinite = true
				}
				lossWindow = append(lossWindow, l)
				if len(lossWindow) > 1000 {
					lossWindow = lossWindow[1:]
				}
			}
		}
		if step%cfg.CheckEvery == 0 && step >= cfg.LearnStart {
			checkEnvSeed++
			m, _, n := greedyEval(ag, cfg.CheckEpisodes, checkEnvSeed)
			res.EvalSteps += n
			var zero cartpole.State
			ag.values(vals, zero[:], 1)
			v0 := slices.Max(vals)
			res.Checks = append(res.Checks, check{Step: step, Mean: m, ValueAtRest: v0})
			if res.StepsTo450 < 0 && m >= 450 {
				res.StepsTo450 = step
			}
			if m >= best {
				best, res.BestCheckAt = m, step
				bestNet = ag.snapshot()
			}
			if logf != nil {
				last := 0.0
				if len(eps) > 0 {
					last = eps[len(eps)-1].Mean100
				}
				logf("%s seed %d step %6d  ε %.3f  episodes %4d  mean100 %6.1f  loss %.4g  greedy check %6.1f  V(0) %6.1f  (%.0fs)\n",
					cfg.Agent, cfg.Seed, step, e, len(eps), last, meanOf(lossWindow), m, v0, time.Since(t0).Seconds())
			}
			if cfg.StopAt > 0 && m >= cfg.StopAt {
				break
			}
		}
	}
	res.Steps, res.Episodes = step, len(eps)
	res.FinalLoss = meanOf(lossWindow)
	if res.BestCheckAt >= 0 {
		ag.restore(bestNet)
	}
	var n int
	res.EvalMean, res.EvalStd, n = greedyEval(ag, cfg.EvalEpisodes, subSeed(cfg.Seed, streamEval))
	res.EvalSteps += n
	res.EvalEpisodes = cfg.EvalEpisodes
	res.Start = startDistributions(ag, cfg.StartStates, subSeed(cfg.Seed, streamStart), cfg.Gamma)
	for _, sd := range res.Start {
		res.CramerStart += sd.Cramer / float64(len(res.Start))
		if !finite(sd.Cramer) || !finite(sd.PredictedMean) {
			res.NonFinite = true
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	res.CPUSeconds = -1
	if cpu0 >= 0 {
		res.CPUSeconds = cpuSeconds() - cpu0
	}
	return res, eps
}

func argmax(v []float64) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

func meanOf(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// greedyEval runs n greedy episodes (capped at 500 steps) side by side, one
// batched forward pass per time step, and returns the mean and standard
// deviation of their returns and the environment steps taken.
func greedyEval(ag agent, n int, seed uint64) (mean, std float64, steps int) {
	envs := make([]*cartpole.Env, n)
	states := make([]float64, n*cartpole.StateDim)
	ret := make([]float64, n)
	alive := make([]int, n)
	for i := range envs {
		envs[i] = cartpole.New(seed + uint64(i)*0x2545f4914f6cdd1d)
		st := envs[i].Reset()
		copy(states[i*cartpole.StateDim:], st[:])
		alive[i] = i
	}
	vals := make([]float64, n*numActions)
	in := make([]float64, 0, n*cartpole.StateDim)
	for len(alive) > 0 {
		in = in[:0]
		for _, i := range alive {
			in = append(in, states[i*cartpole.StateDim:(i+1)*cartpole.StateDim]...)
		}
		ag.values(vals, in, len(alive))
		keep := alive[:0]
		for j, i := range alive {
			nx, r, term, trunc, _ := envs[i].Step(argmax(vals[j*numActions : (j+1)*numActions]))
			ret[i] += r
			steps++
			copy(states[i*cartpole.StateDim:], nx[:])
			if !term && !trunc {
				keep = append(keep, i)
			}
		}
		alive = keep
	}
	mean = meanOf(ret)
	for _, r := range ret {
		std += (r - mean) * (r - mean)
	}
	return mean, math.Sqrt(std / float64(n)), steps
}

// rolloutHorizon bounds the return rollouts: γ^3000 < 1e-13 for γ = 0.99, so
// the discounted tail beyond it is negligible.
const rolloutHorizon = 3000

// startDistributions compares the predicted and the obtained return
// distribution at the start state for each first action. n start states are
// drawn from the environment's start distribution; the prediction is the
// equal-weight average of Z(s₀, a) over them; the obtained returns are
// Σₜ γᵗ rₜ from taking a in s₀ and then acting greedily, without the 500-step
// cap (the agents bootstrap through truncation, so they estimate the
// uncapped return; the rollout stops at failure or after rolloutHorizon
// steps).
func startDistributions(ag agent, n int, seed uint64, gamma float64) []startDistribution {
	env := cartpole.New(seed)
	starts := make([]float64, n*cartpole.StateDim)
	for i := 0; i < n; i++ {
		s := env.Reset()
		copy(starts[i*cartpole.StateDim:], s[:])
	}
	var out []startDistribution
	var ws cramer.Workspace[float64]
	for a := 0; a < numActions; a++ {
		w, mu, sd, k := ag.predicted(starts, n, a)
		d := startDistribution{Action: a, Weights: make([]float64, n*k), Means: slices.Clone(mu[:n*k]), Stds: slices.Clone(sd[:n*k])}
		for i := range d.Weights {
			d.Weights[i] = w[i] / float64(n)
		}
		d.PredictedMean = mixtureMean(d.Weights, d.Means)
		d.Returns = discountedReturns(ag, starts, n, a, gamma)
		d.EmpiricalMean = meanOf(d.Returns)
		d2, err := ws.SquaredToSamples(cramer.Mixture[float64]{Weights: d.Weights, Means: d.Means, Stds: d.Stds},
			cramer.Samples[float64]{Values: d.Returns})
		if err != nil {
			d.Cramer = math.NaN()
		} else {
			d.Cramer = math.Sqrt(d2)
		}
		out = append(out, d)
	}
	return out
}

// discountedReturns runs, from each of the n start states, first action a
// and then the greedy policy, all episodes side by side.
func discountedReturns(ag agent, starts []float64, n, first int, gamma float64) []float64 {
	const d = cartpole.StateDim
	states := slices.Clone(starts[:n*d])
	ret := make([]float64, n)
	disc := 1.0
	alive := make([]int, n)
	for i := range alive {
		alive[i] = i
	}
	vals := make([]float64, n*numActions)
	in := make([]float64, 0, n*d)
	for t := 0; t < rolloutHorizon && len(alive) > 0; t++ {
		if t > 0 {
			in = in[:0]
			for _, i := range alive {
				in = append(in, states[i*d:(i+1)*d]...)
			}
			ag.values(vals, in, len(alive))
		}
		keep := alive[:0]
		for j, i := range alive {
			a := first
			if t > 0 {
				a = argmax(vals[j*numActions : (j+1)*numActions])
			}
			var s cartpole.State
			copy(s[:], states[i*d:(i+1)*d])
			s = cartpole.Dynamics(s, a)
			copy(states[i*d:], s[:])
			ret[i] += disc // reward 1, also on the failing step
			if !cartpole.Terminal(s) {
				keep = append(keep, i)
			}
		}
		alive = keep
		disc *= gamma
	}
	return ret
}
