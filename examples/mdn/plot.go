package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gmmkit/cramer/mdn"
)

// Plot ranges of x (inputs) and t (targets).
const (
	xMin, xMax = -0.15, 1.15
	tMin, tMax = -0.15, 1.15
	gridX      = 160
	gridT      = 160
)

// densityGrid is p(t|x) on a regular grid, for plotter.HeatMap.
type densityGrid struct {
	z [][]float64 // z[col][row]
}

func (g densityGrid) Dims() (c, r int)   { return gridX, gridT }
func (g densityGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g densityGrid) X(c int) float64    { return xMin + (xMax-xMin)*(float64(c)+0.5)/gridX }
func (g densityGrid) Y(r int) float64    { return tMin + (tMax-tMin)*(float64(r)+0.5)/gridT }

// densityPlot draws the data, the model's p(t|x) and its component means.
func densityPlot(cfg config, r result, x, t []float64) (*plot.Plot, error) {
	g := densityGrid{z: make([][]float64, gridX)}
	xs := make([]float64, gridX)
	for c := range xs {
		xs[c] = g.X(c)
	}
	ts := make([]float64, gridT)
	for j := range ts {
		ts[j] = g.Y(j)
	}
	raw := append([]float64(nil), r.net.Forward(xs)...)
	means := make([]plotter.XYs, cfg.head.K)
	for c := range xs {
		p, err := mdn.Decode(cfg.head, raw, c)
		if err != nil {
			return nil, err
		}
		g.z[c] = make([]float64, gridT)
		mdn.LogDensity(p, ts, g.z[c])
		for j, v := range g.z[c] {
			g.z[c][j] = min(expClamp(v), 6) // cap the colour scale at density 6
		}
		for k := range means {
			if p.Weights[k] > 0.05 {
				means[k] = append(means[k], plotter.XY{X: xs[c], Y: p.Means[k]})
			}
		}
	}
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("trained with %v: held-out NLL %.3f", r.loss, r.nll)
	pl.X.Label.Text = "x"
	pl.Y.Label.Text = "t"
	// The density as an image (one pixel per grid cell, row 0 at the top).
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(6)
	img := image.NewRGBA(image.Rect(0, 0, gridX, gridT))
	for c := 0; c < gridX; c++ {
		for j := 0; j < gridT; j++ {
			col, err := cm.At(g.z[c][j])
			if err != nil {
				return nil, err
			}
			img.Set(c, gridT-1-j, col)
		}
	}
	pl.Add(plotter.NewImage(img, xMin, tMin, xMax, tMax))
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i] = plotter.XY{X: x[i], Y: t[i]}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Radius = vg.Points(0.8)
	sc.GlyphStyle.Color = color.RGBA{R: 120, G: 200, B: 255, A: 255}
	pl.Add(sc)
	for _, m := range means {
		if len(m) == 0 {
			continue
		}
		s, err := plotter.NewScatter(m)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle.Radius = vg.Points(0.9)
		s.GlyphStyle.Color = color.White
		pl.Add(s)
	}
	pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = xMin, xMax, tMin, tMax
	return pl, nil
}

func expClamp(v float64) float64 {
	if v < -50 {
		return 0
	}
	if v > 5 {
		v = 5
	}
	return math.Exp(v)
}

// plotDensity writes the two models' density panels side by side.
func plotDensity(path string, cfg config, res []result, x, t []float64) error {
	var pls []*plot.Plot
	for _, r := range res {
		p, err := densityPlot(cfg, r, x, t)
		if err != nil {
			return err
		}
		pls = append(pls, p)
	}
	return savePanels(path, pls, 11*vg.Inch, 4.6*vg.Inch)
}

// plotCurves writes held-out NLL and Cramér loss against the training step.
func plotCurves(path string, res []result) error {
	nll, cr := plot.New(), plot.New()
	nll.Title.Text, cr.Title.Text = "held-out NLL (nats)", "held-out Cramér ℓ₂² to the target"
	for _, p := range []*plot.Plot{nll, cr} {
		p.X.Label.Text = "training step"
		p.Legend.Top = true
	}
	colors := []color.Color{color.RGBA{R: 30, G: 90, B: 200, A: 255}, color.RGBA{R: 220, G: 80, B: 20, A: 255}}
	for i, r := range res {
		var a, b plotter.XYs
		for _, c := range r.curve {
			if c.step == 0 {
				continue // the untrained network is off the scale
			}
			a = append(a, plotter.XY{X: float64(c.step), Y: c.nll})
			b = append(b, plotter.XY{X: float64(c.step), Y: c.cramer})
		}
		for _, pc := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{nll, a}, {cr, b}} {
			l, err := plotter.NewLine(pc.xys)
			if err != nil {
				return err
			}
			l.Color = colors[i]
			l.Width = vg.Points(1.2)
			pc.p.Add(l)
			pc.p.Legend.Add("trained with "+r.loss.String(), l)
		}
	}
	return savePanels(path, []*plot.Plot{nll, cr}, 10*vg.Inch, 3.6*vg.Inch)
}

// savePanels draws plots side by side into one PNG at 72 dpi.
func savePanels(path string, pls []*plot.Plot, w, h vg.Length) error {
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(72))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(pls), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{pls}, tiles, dc)
	for i, p := range pls {
		p.Draw(canvases[0][i])
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
