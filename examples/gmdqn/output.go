package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// episodeRecord is one training episode, a row of the per-episode CSV.
type episodeRecord struct {
	Episode int     // 1-based
	Steps   int     // environment steps taken in training when the episode ended
	Return  float64 // undiscounted return (= episode length)
	Epsilon float64 // exploration rate at the episode's last step
	Mean100 float64 // mean return of the last (up to) 100 episodes
}

var csvHeader = []string{"episode", "steps", "return", "epsilon", "mean100"}

func writeEpisodesCSV(path string, eps []episodeRecord) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	_ = w.Write(csvHeader)
	for _, e := range eps {
		_ = w.Write([]string{
			strconv.Itoa(e.Episode), strconv.Itoa(e.Steps),
			strconv.FormatFloat(e.Return, 'g', -1, 64),
			strconv.FormatFloat(e.Epsilon, 'g', 6, 64),
			strconv.FormatFloat(e.Mean100, 'g', 8, 64),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readEpisodesCSV(path string) ([]episodeRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || len(rows[0]) != len(csvHeader) {
		return nil, fmt.Errorf("%s: not an episode CSV (header %v expected)", path, csvHeader)
	}
	out := make([]episodeRecord, 0, len(rows)-1)
	for i, r := range rows[1:] {
		var e episodeRecord
		var errs [5]error
		e.Episode, errs[0] = strconv.Atoi(r[0])
		e.Steps, errs[1] = strconv.Atoi(r[1])
		e.Return, errs[2] = strconv.ParseFloat(r[2], 64)
		e.Epsilon, errs[3] = strconv.ParseFloat(r[3], 64)
		e.Mean100, errs[4] = strconv.ParseFloat(r[4], 64)
		for c, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("%s: row %d, column %s: %w", path, i+2, csvHeader[c], err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// startDistribution compares, for one first action, the return distribution
// the agent predicts at the start states with the discounted returns actually
// obtained from them.
type startDistribution struct {
	Action int `json:"action"`
	// Predicted is the model's return distribution at a random start state:
	// the equal-weight average over the sampled start states of Z(s₀, a)
	// (for the plain DQN, point masses at Q(s₀, a)).
	Weights []float64 `json:"weights"`
	Means   []float64 `json:"means"`
	Stds    []float64 `json:"stds"`
	// Returns are the discounted returns obtained by taking Action in each
	// start state and then following the greedy policy.
	Returns []float64 `json:"returns"`
	// Cramer is ℓ₂ (not squared) between the predicted mixture and the
	// empirical distribution of Returns.
	Cramer        float64 `json:"cramer"`
	PredictedMean float64 `json:"predicted_mean"`
	EmpiricalMean float64 `json:"empirical_mean"`
}

// check is one greedy check during training.
type check struct {
	Step int     `json:"step"` // training steps so far
	Mean float64 `json:"mean"` // mean greedy return over the check's episodes
	// ValueAtRest is the predicted value max_a E[Z(0, a)] of the state at
	// rest (all four variables 0), in return units; at most 1/(1−γ) = 100
	// for a consistent estimate.
	ValueAtRest float64 `json:"value_at_rest"`
}

// runResult is the summary a run prints as its last stdout line and writes as
// JSON next to its CSV.
type runResult struct {
	Agent        string  `json:"agent"`
	Seed         uint64  `json:"seed"`
	Steps        int     `json:"steps"`         // training environment steps
	EvalSteps    int     `json:"eval_steps"`    // environment steps spent in greedy checks and the final evaluation
	Seconds      float64 `json:"seconds"`       // wall time of the whole run
	CPUSeconds   float64 `json:"cpu_seconds"`   // CPU time (user + system) of the whole run; −1 if unavailable
	EvalMean     float64 `json:"eval_mean"`     // greedy mean return over the final evaluation episodes
	EvalStd      float64 `json:"eval_std"`      //
	EvalEpisodes int     `json:"eval_episodes"` //
	StepsTo450   int     `json:"steps_to_450"`  // training steps at the first greedy check with mean ≥ 450; −1 if none
	// TrainStepsTo450 is the training step at which the mean return of the
	// last 100 training (ε-greedy) episodes first reached 450; −1 if never.
	TrainStepsTo450 int                 `json:"train_steps_to_450"`
	Checks          []check             `json:"checks"`
	Episodes        int                 `json:"episodes"`      // training episodes
	BestCheckAt     int                 `json:"best_check_at"` // training step of the network that was evaluated
	NonFinite       bool                `json:"non_finite"`    // a loss or output was NaN or infinite
	FinalLoss       float64             `json:"final_loss"`    // mean loss over the last 1000 updates
	CramerStart     float64             `json:"cramer_start"`  // mean over both actions of startDistribution.Cramer
	Start           []startDistribution `json:"start,omitempty"`
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func runBase(dir, agent string, seed uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s-seed%d", agent, seed))
}
