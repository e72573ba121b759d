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

var agentColors = map[string]color.RGBA{
	agentGM:  {R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	agentDQN: {R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
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
	fmt.Fprintln(w, "| agent | seed | steps to 100-ep. mean ≥ 450 | training steps | greedy eval mean ± sd (100 ep.) | wall time (s) | Cramér ℓ₂ start state (a=0 / a=1) | NaN |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	type agg struct{ solved, n int }
	sum := map[string]*agg{}
	for _, r := range runs {
		x := r.res
		to := "never"
		if x.StepsTo450 >= 0 {
			to = fmt.Sprint(x.StepsTo450)
		}
		cr := "—"
		if len(x.Start) == 2 {
			cr = fmt.Sprintf("%.2f / %.2f", x.Start[0].Cramer, x.Start[1].Cramer)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %d | %.1f ± %.1f | %.0f | %s | %v |\n",
			agentLabels[x.Agent], x.Seed, to, x.Steps, x.EvalMean, x.EvalStd, x.Seconds, cr, x.NonFinite)
		a := sum[x.Agent]
		if a == nil {
			a = &agg{}
			sum[x.Agent] = a
		}
		a.n++
		if x.EvalMean >= 450 {
			a.solved++
		}
	}
	fmt.Fprintln(w)
	for _, ag := range []string{agentGM, agentDQN} {
		if a := sum[ag]; a != nil {
			fmt.Fprintf(w, "%s: greedy eval mean ≥ 450 in %d of %d seeds.\n", agentLabels[ag], a.solved, a.n)
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

func plotCurves(path string, runs []loadedRun) error {
	p := plot.New()
	p.Title.Text = "CartPole-v1: 100-episode mean training return (line: mean over seeds, band: min–max)"
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.Text = "environment steps"
	p.Y.Label.Text = "mean return of the last 100 episodes"
	p.Y.Min, p.Y.Max = 0, 510
	maxStep := 0
	for _, r := range runs {
		if n := len(r.eps); n > 0 {
			maxStep = max(maxStep, r.eps[n-1].Steps)
		}
	}
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
		var mean, lo, hi plotter.XYs
		for step := grid; step <= maxStep; step += grid {
			var vals []float64
			for _, r := range mine {
				if v := curveAt(r.eps, step); !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			// Only where every seed of this agent is still training (runs that
			// stopped early are not extended).
			if len(vals) < len(mine) {
				continue
			}
			s := 0.0
			for _, v := range vals {
				s += v
			}
			x := float64(step)
			mean = append(mean, plotter.XY{X: x, Y: s / float64(len(vals))})
			lo = append(lo, plotter.XY{X: x, Y: slices.Min(vals)})
			hi = append(hi, plotter.XY{X: x, Y: slices.Max(vals)})
		}
		if len(mean) < 2 {
			continue
		}
		c := agentColors[ag]
		band := append(slices.Clone(lo), reversed(hi)...)
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return err
		}
		fill := c
		fill.A = 0x40
		poly.Color = fill
		poly.LineStyle.Width = 0
		line, err := plotter.NewLine(mean)
		if err != nil {
			return err
		}
		line.Color = c
		line.Width = vg.Points(1.5)
		p.Add(poly, line)
		p.Legend.Add(fmt.Sprintf("%s, %d seeds", agentLabels[ag], len(mine)), line)
	}
	goal, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 450}, {X: float64(maxStep), Y: 450}})
	goal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	goal.Color = color.Gray{Y: 0x60}
	p.Add(goal)
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.YOffs = vg.Points(10)
	p.Add(plotter.NewGrid())
	return p.Save(8*vg.Inch, 4.5*vg.Inch, path)
}

func reversed(x plotter.XYs) plotter.XYs {
	out := slices.Clone(x)
	slices.Reverse(out)
	return out
}

// plotStart draws, for each first action, the predicted return density and
// the histogram of returns obtained (top) and both CDFs (bottom): the
// squared Cramér distance is the integral of the squared gap between the
// two CDFs.
func plotStart(path string, res runResult) error {
	rows := [][]*plot.Plot{make([]*plot.Plot, len(res.Start)), make([]*plot.Plot, len(res.Start))}
	for c, sd := range res.Start {
		lo, hi := rangeOf(sd)
		xs := make([]float64, 801)
		for i := range xs {
			xs[i] = lo + (hi-lo)*float64(i)/float64(len(xs)-1)
		}
		dens, cdf := make(plotter.XYs, len(xs)), make(plotter.XYs, len(xs))
		for i, x := range xs {
			d, f := mixtureDensityCDF(sd.Weights, sd.Means, sd.Stds, x, (hi-lo)/float64(len(xs)-1))
			dens[i] = plotter.XY{X: x, Y: d}
			cdf[i] = plotter.XY{X: x, Y: f}
		}
		top := plot.New()
		top.Title.Text = fmt.Sprintf("%s, seed %d: action %s at the start state", agentLabels[res.Agent], res.Seed, actionName(sd.Action))
		top.Title.TextStyle.Font.Size = vg.Points(9)
		top.X.Label.Text = "discounted return"
		top.Y.Label.Text = "density"
		top.X.Min, top.X.Max = lo, hi
		vals := make(plotter.Values, len(sd.Returns))
		copy(vals, sd.Returns)
		h, err := plotter.NewHist(vals, 40)
		if err != nil {
			return err
		}
		h.Normalize(1)
		h.FillColor = color.Gray{Y: 0xc0}
		h.LineStyle.Width = vg.Points(0.3)
		line, err := plotter.NewLine(dens)
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
	const w, hgt = 10 * vg.Inch, 6.5 * vg.Inch
	img := vgimg.New(w, hgt)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: len(res.Start), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
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

// mixtureDensityCDF evaluates the mixture's density and CDF at x. Components
// narrower than the grid step dx are drawn as boxes of width dx (a point mass
// has no density to draw).
func mixtureDensityCDF(w, mu, sd []float64, x, dx float64) (dens, cdf float64) {
	for j := range w {
		s := sd[j]
		if s < dx {
			if math.Abs(x-mu[j]) <= dx/2 {
				dens += w[j] / dx
			}
		} else {
			z := (x - mu[j]) / s
			dens += w[j] * math.Exp(-0.5*z*z) / (s * math.Sqrt(2*math.Pi))
		}
		if sd[j] == 0 {
			if x >= mu[j] {
				cdf += w[j]
			}
		} else {
			cdf += w[j] * 0.5 * math.Erfc(-(x-mu[j])/(sd[j]*math.Sqrt2))
		}
	}
	return dens, cdf
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
