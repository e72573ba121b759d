package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var agentColors = map[string]color.NRGBA{
	agentGM:  {R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	agentDQN: {R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // NRGBA: alpha is not premultiplied, so A can be lowered alone
}

var agentLabels = map[string]string{agentGM: "GM-DQN (Cramér)", agentDQN: "DQN (Huber)"}

type loadedRun struct {
	res runResult
	eps []episodeRecord
}

// loadRuns reads every <agent>-seed<S>.json and its CSV in dir, sorted by
// agent then seed.
func loadRuns(dir string) ([]loadedRun, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*-seed*.json"))
	if err != nil {
		return nil, err
	}
	var runs []loadedRun
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r loadedRun
		if err := json.Unmarshal(b, &r.res); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if r.eps, err = readEpisodesCSV(strings.TrimSuffix(f, ".json") + ".csv"); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool {
		if runs[i].res.Agent != runs[j].res.Agent {
			return runs[i].res.Agent > runs[j].res.Agent // gm before dqn
		}
		return runs[i].res.Seed < runs[j].res.Seed
	})
	if len(runs) == 0 {
		return nil, fmt.Errorf("-report %s: no <agent>-seed<S>.json files", dir)
	}
	return runs, nil
}

// report writes curves.png and start-distribution PNGs into dir and the
// markdown table to w.
func report(dir string, w io.Writer) error {
	runs, err := loadRuns(dir)
	if err != nil {
		return err
	}
	if err := plotCurves(filepath.Join(dir, "curves.png"), runs); err != nil {
		return err
	}
	for _, r := range runs {
		if len(r.res.Start) == 0 {
			continue
		}
		name := filepath.Join(dir, fmt.Sprintf("start-%s-seed%d.png", r.res.Agent, r.res.Seed))
		if err := plotStart(name, r.res); err != nil {
			return err
		}
	}
	writeTable(w, runs)
	return nil
}

func writeTable(w io.Writer, runs []loadedRun) {
	fmt.Fprintln(w, "| agent | seed | steps to greedy 100-ep. mean ≥ 450 | steps to training 100-ep. mean ≥ 450 | training steps | final greedy eval (100 ep.) | wall s | CPU s | Cramér ℓ₂ at start, a = left / right | start mean predicted / obtained | NaN |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	type agg struct {
		solved, n   int
		eval, steps []float64
	}
	sum := map[string]*agg{}
	never := func(v int) string {
		if v < 0 {
			return "—"
		}
		return fmt.Sprint(v)
	}
	for _, r := range runs {
		x := r.res
		cr, means := "—", "—"
		if len(x.Start) == 2 {
			cr = fmt.Sprintf("%.2f / %.2f", x.Start[0].Cramer, x.Start[1].Cramer)
			means = fmt.Sprintf("%.1f / %.1f", (x.Start[0].PredictedMean+x.Start[1].PredictedMean)/2,
				(x.Start[0].EmpiricalMean+x.Start[1].EmpiricalMean)/2)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %d | %.1f ± %.1f | %.0f | %.0f | %s | %s | %v |\n",
			agentLabels[x.Agent], x.Seed, never(x.StepsTo450), never(x.TrainStepsTo450), x.Steps, x.EvalMean, x.EvalStd,
			x.Seconds, x.CPUSeconds, cr, means, x.NonFinite)
		a := sum[x.Agent]
		if a == nil {
			a = &agg{}
			sum[x.Agent] = a
		}
		a.n++
		a.eval = append(a.eval, x.EvalMean)
		if x.EvalMean >= 450 {
			a.solved++
		}
	}
	fmt.Fprintln(w)
	for _, ag := range []string{agentGM, agentDQN} {
		if a := sum[ag]; a != nil {
			fmt.Fprintf(w, "%s: final greedy evaluation ≥ 450 in %d of %d seeds (mean over seeds %.1f).\n", agentLabels[ag], a.solved, a.n, meanOf(a.eval))
		}
	}
}

// curveAt is the 100-episode mean of the last episode that ended at or
// before step, NaN before the first episode or after the run ended.
func curveAt(eps []episodeRecord, step int) float64 {
	if len(eps) == 0 || step > eps[len(eps)-1].Steps {
		return math.NaN()
	}
	i := sort.Search(len(eps), func(i int) bool { return eps[i].Steps > step })
	if i == 0 {
		return math.NaN()
	}
	return eps[i-1].Mean100
}

// checkAt is the mean of the last greedy check at or before step; after the
// run stopped, its network no longer changes and the value is the final
// evaluation of the network it kept. NaN before the first check.
func checkAt(r runResult, step int) float64 {
	if len(r.Checks) == 0 || step < r.Checks[0].Step {
		return math.NaN()
	}
	if step > r.Steps {
		return r.EvalMean
	}
	i := sort.Search(len(r.Checks), func(i int) bool { return r.Checks[i].Step > step })
	return r.Checks[i-1].Mean
}

// plotCurves draws two panels over training steps, one line per seed (thin)
// and the mean over seeds with a min–max band (thick) for each agent: the
// greedy checks (100 episodes each; a run that stopped stays at the final
// evaluation of the network it kept), and the mean return of the last 100
// training episodes (ε-greedy; drawn only while every seed still trains).
func plotCurves(path string, runs []loadedRun) error {
	maxStep := 0
	for _, r := range runs {
		maxStep = max(maxStep, r.res.Steps)
	}
	top, err := curvePanel(runs, maxStep, "greedy policy: mean return over 100 evaluation episodes",
		func(r loadedRun, step int) float64 { return checkAt(r.res, step) }, true)
	if err != nil {
		return err
	}
	bot, err := curvePanel(runs, maxStep, "training: mean return of the last 100 ε-greedy episodes",
		func(r loadedRun, step int) float64 { return curveAt(r.eps, step) }, false)
	if err != nil {
		return err
	}
	return savePanels(path, [][]*plot.Plot{{top}, {bot}}, 8*vg.Inch, 8*vg.Inch)
}

func curvePanel(runs []loadedRun, maxStep int, title string, at func(loadedRun, int) float64, hold bool) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.Text = "training environment steps"
	p.Y.Label.Text = "return"
	p.Y.Min, p.Y.Max = 0, 510
	p.X.Min, p.X.Max = 0, float64(maxStep)
	p.Add(plotter.NewGrid())
	const grid = 500
	for _, ag := range []string{agentGM, agentDQN} {
		var mine []loadedRun
		for _, r := range runs {
			if r.res.Agent == ag {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		c := agentColors[ag]
		thin := c
		thin.A = 0x70
		var mean, lo, hi plotter.XYs
		per := make([]plotter.XYs, len(mine))
		for step := grid; step <= maxStep; step += grid {
			var vals []float64
			for i, r := range mine {
				v := at(r, step)
				if math.IsNaN(v) {
					continue
				}
				vals = append(vals, v)
				if hold || step <= r.res.Steps {
					per[i] = append(per[i], plotter.XY{X: float64(step), Y: v})
				}
			}
			if len(vals) < len(mine) {
				continue
			}
			x := float64(step)
			mean = append(mean, plotter.XY{X: x, Y: meanOf(vals)})
			lo = append(lo, plotter.XY{X: x, Y: slices.Min(vals)})
			hi = append(hi, plotter.XY{X: x, Y: slices.Max(vals)})
		}
		for _, xy := range per {
			if len(xy) < 2 {
				continue
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.Color = thin
			l.Width = vg.Points(0.5)
			p.Add(l)
		}
		if len(mean) < 2 {
			continue
		}
		poly, err := plotter.NewPolygon(append(slices.Clone(lo), reversed(hi)...))
		if err != nil {
			return nil, err
		}
		fill := c
		fill.A = 0x30
		poly.Color = fill
		poly.LineStyle.Width = 0
		line, err := plotter.NewLine(mean)
		if err != nil {
			return nil, err
		}
		line.Color = c
		line.Width = vg.Points(2)
		p.Add(poly, line)
		p.Legend.Add(fmt.Sprintf("%s, %d seeds", agentLabels[ag], len(mine)), line)
	}
	goal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 450}, {X: float64(maxStep), Y: 450}})
	if err != nil {
		return nil, err
	}
	goal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	goal.Color = color.Gray{Y: 0x60}
	p.Add(goal)
	// The greedy panel's lines crowd the top, the training panel's the bottom.
	p.Legend.Top = !hold
	p.Legend.Left = false
	p.Legend.YOffs = vg.Points(20)
	if p.Legend.Top {
		p.Legend.YOffs = -vg.Points(45)
	}
	return p, nil
}

func savePanels(path string, rows [][]*plot.Plot, w, h vg.Length) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: len(rows[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(rows, tiles, dc)
	for i := range rows {
		for j := range rows[i] {
			rows[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func reversed(x plotter.XYs) plotter.XYs {
	out := slices.Clone(x)
	slices.Reverse(out)
	return out
}

// plotStart draws, for each first action, the predicted return distribution
// and the histogram of returns obtained, both binned (top) and both CDFs (bottom): the
// squared Cramér distance is the integral of the squared gap between the
// two CDFs.
func plotStart(path string, res runResult) error {
	rows := [][]*plot.Plot{make([]*plot.Plot, len(res.Start)), make([]*plot.Plot, len(res.Start))}
	for c, sd := range res.Start {
		lo, hi := rangeOf(sd)
		xs := make([]float64, 801)
		cdf := make(plotter.XYs, len(xs))
		for i := range xs {
			xs[i] = lo + (hi-lo)*float64(i)/float64(len(xs)-1)
			cdf[i] = plotter.XY{X: xs[i], Y: mixtureCDF(sd.Weights, sd.Means, sd.Stds, xs[i])}
		}
		// Both distributions as probability per bin ÷ bin width on the same
		// bins, so point masses and narrow components show as bars.
		const nbins = 80
		width := (hi - lo) / nbins
		obtained := make([]plotter.HistogramBin, nbins)
		var predicted plotter.XYs
		for i := range obtained {
			a, b := lo+float64(i)*width, lo+float64(i+1)*width
			obtained[i] = plotter.HistogramBin{Min: a, Max: b}
			pb := (mixtureCDF(sd.Weights, sd.Means, sd.Stds, b) - mixtureCDF(sd.Weights, sd.Means, sd.Stds, a)) / width
			predicted = append(predicted, plotter.XY{X: a, Y: pb}, plotter.XY{X: b, Y: pb})
		}
		for _, r := range sd.Returns {
			i := min(max(int((r-lo)/width), 0), nbins-1)
			obtained[i].Weight += 1 / (float64(len(sd.Returns)) * width)
		}
		top := plot.New()
		top.Title.Text = fmt.Sprintf("%s, seed %d: first action %s at a start state", agentLabels[res.Agent], res.Seed, actionName(sd.Action))
		top.Title.TextStyle.Font.Size = vg.Points(9)
		top.X.Label.Text = "discounted return"
		top.Y.Label.Text = "probability / bin width"
		top.X.Min, top.X.Max = lo, hi
		h := &plotter.Histogram{Bins: obtained, Width: width, FillColor: color.Gray{Y: 0xb0}}
		h.LineStyle.Width = vg.Points(0.3)
		h.LineStyle.Color = color.Gray{Y: 0x50}
		line, err := plotter.NewLine(predicted)
		if err != nil {
			return err
		}
		line.Color = agentColors[res.Agent]
		line.Width = vg.Points(1.2)
		top.Add(h, line)
		top.Legend.Add(fmt.Sprintf("returns obtained (%d start states)", len(sd.Returns)), h)
		top.Legend.Add("predicted mixture", line)
		top.Legend.Left = true
		top.Legend.TextStyle.Font.Size = vg.Points(8)

		bot := plot.New()
		bot.Title.Text = fmt.Sprintf("CDFs: Cramér ℓ₂ = %.3f, means %.2f predicted / %.2f obtained", sd.Cramer, sd.PredictedMean, sd.EmpiricalMean)
		bot.Title.TextStyle.Font.Size = vg.Points(9)
		bot.X.Label.Text = "discounted return"
		bot.Y.Label.Text = "CDF"
		bot.X.Min, bot.X.Max = lo, hi
		bot.Y.Min, bot.Y.Max = 0, 1
		emp := empiricalCDF(sd.Returns, lo, hi)
		el, err := plotter.NewLine(emp)
		if err != nil {
			return err
		}
		el.Color = color.Gray{Y: 0x30}
		pl, err := plotter.NewLine(cdf)
		if err != nil {
			return err
		}
		pl.Color = agentColors[res.Agent]
		pl.Width = vg.Points(1.2)
		bot.Add(el, pl, plotter.NewGrid())
		bot.Legend.Add("obtained", el)
		bot.Legend.Add("predicted", pl)
		bot.Legend.Left = true
		bot.Legend.TextStyle.Font.Size = vg.Points(8)
		rows[0][c], rows[1][c] = top, bot
	}
	return savePanels(path, rows, 10*vg.Inch, 6.5*vg.Inch)
}

func actionName(a int) string {
	if a == 0 {
		return "left"
	}
	return "right"
}

// rangeOf is an x range covering the returns and the bulk of the mixture.
func rangeOf(sd startDistribution) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range sd.Returns {
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	for j := range sd.Means {
		if sd.Weights[j] < 1e-3 {
			continue
		}
		lo = math.Min(lo, sd.Means[j]-3*sd.Stds[j])
		hi = math.Max(hi, sd.Means[j]+3*sd.Stds[j])
	}
	pad := 0.05*(hi-lo) + 0.5
	return lo - pad, hi + pad
}

// mixtureCDF is P(X ≤ x) for the mixture (a point mass counts at x ≥ its mean).
func mixtureCDF(w, mu, sd []float64, x float64) float64 {
	cdf := 0.0
	for j := range w {
		if sd[j] == 0 {
			if x >= mu[j] {
				cdf += w[j]
			}
		} else {
			cdf += w[j] * 0.5 * math.Erfc(-(x-mu[j])/(sd[j]*math.Sqrt2))
		}
	}
	return cdf
}

func empiricalCDF(r []float64, lo, hi float64) plotter.XYs {
	s := slices.Clone(r)
	slices.Sort(s)
	out := plotter.XYs{{X: lo, Y: 0}}
	n := float64(len(s))
	for i, v := range s {
		out = append(out, plotter.XY{X: v, Y: float64(i) / n}, plotter.XY{X: v, Y: float64(i+1) / n})
	}
	return append(out, plotter.XY{X: hi, Y: 1})
}
