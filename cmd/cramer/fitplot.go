package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mixio"
)

// plotFit draws the data and the fitted mixture into a PNG: in 1-D a
// histogram of the samples (or the target mixture's density) with the fitted
// density and its weighted components; in D ≥ 2 the points (or the target
// components' means and 1σ ellipses) in the first two coordinates with each
// fitted component's 1σ and 2σ ellipses.
func plotFit(file string, in *mixio.File[float64], m1 *cramer.Mixture[float64], mnd *cramer.MixtureND[float64]) error {
	p := plot.New()
	if m1 != nil {
		if err := plot1D(p, in, *m1); err != nil {
			return err
		}
	} else if err := plot2D(p, in, *mnd); err != nil {
		return err
	}
	p.Legend.Top = true
	return p.Save(8*vg.Inch, 6*vg.Inch, file)
}

var (
	fitColour    = color.RGBA{R: 200, G: 30, B: 30, A: 255}
	targetColour = color.RGBA{R: 40, G: 90, B: 200, A: 255}
	greyColour   = color.RGBA{R: 120, G: 120, B: 120, A: 255}
)

func normalPDF(x, mu, s float64) float64 {
	if s <= 0 {
		return 0
	}
	z := (x - mu) / s
	return math.Exp(-0.5*z*z) / (s * math.Sqrt(2*math.Pi))
}

func plot1D(p *plot.Plot, in *mixio.File[float64], m cramer.Mixture[float64]) error {
	p.Title.Text = fmt.Sprintf("%s: %s fitted by the Cramér distance", filepath.Base(in.Name), count(len(m.Weights), "component"))
	p.X.Label.Text = "x"
	p.Y.Label.Text = "density"
	lo, hi, top := math.Inf(1), math.Inf(-1), 0.0
	if in.Kind == mixio.KindSamples {
		values := plotter.Values(in.Samples.Values)
		h, err := plotter.NewHist(values, bins(len(values)))
		if err != nil {
			return err
		}
		if in.Samples.Weights != nil {
			// A weighted histogram: bin the weights.
			wh, err := plotter.NewHistogram(weightedXY{in.Samples.Values, in.Samples.Weights}, bins(len(values)))
			if err != nil {
				return err
			}
			h = wh
		}
		h.Normalize(1)
		for _, b := range h.Bins {
			top = math.Max(top, b.Weight)
		}
		h.FillColor = color.RGBA{R: 180, G: 180, B: 200, A: 255}
		h.LineStyle.Width = 0
		p.Add(h)
		p.Legend.Add("data", h)
		for _, v := range in.Samples.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	} else {
		t, _ := in.Mixture1D()
		for i := range t.Means {
			lo, hi = math.Min(lo, t.Means[i]-3*t.Stds[i]), math.Max(hi, t.Means[i]+3*t.Stds[i])
		}
		f := plotter.NewFunction(func(x float64) float64 { return density1D(t, x) })
		f.Color, f.Width, f.Samples = targetColour, vg.Points(2), 400
		p.Add(f)
		p.Legend.Add("target mixture", f)
	}
	for i := range m.Means {
		lo, hi = math.Min(lo, m.Means[i]-3*m.Stds[i]), math.Max(hi, m.Means[i]+3*m.Stds[i])
	}
	for i := range m.Weights {
		w, mu, s := m.Weights[i], m.Means[i], m.Stds[i]
		c := plotter.NewFunction(func(x float64) float64 { return w * normalPDF(x, mu, s) })
		c.Color, c.Dashes, c.Samples = greyColour, []vg.Length{vg.Points(4), vg.Points(3)}, 400
		p.Add(c)
		if i == 0 {
			p.Legend.Add("components", c)
		}
	}
	f := plotter.NewFunction(func(x float64) float64 { return density1D(m, x) })
	f.Color, f.Width, f.Samples = fitColour, vg.Points(2), 600
	p.Add(f)
	p.Legend.Add("fitted density", f)
	for k := 0; k <= 400; k++ {
		top = math.Max(top, density1D(m, lo+(hi-lo)*float64(k)/400))
	}
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = 0, 1.05*top
	return nil
}

func density1D(m cramer.Mixture[float64], x float64) float64 {
	var s float64
	for i := range m.Weights {
		s += m.Weights[i] * normalPDF(x, m.Means[i], m.Stds[i])
	}
	return s
}

func bins(n int) int { return max(10, min(120, int(2*math.Cbrt(float64(n))))) }

// weightedXY gives NewHistogram each sample as (value, weight).
type weightedXY struct{ x, w []float64 }

func (wx weightedXY) Len() int                    { return len(wx.x) }
func (wx weightedXY) XY(i int) (float64, float64) { return wx.x[i], wx.w[i] }

func plot2D(p *plot.Plot, in *mixio.File[float64], m cramer.MixtureND[float64]) error {
	d := m.Dim
	p.Title.Text = fmt.Sprintf("%s: %s fitted by the sliced Cramér distance", filepath.Base(in.Name), count(len(m.Weights), "component"))
	p.X.Label.Text, p.Y.Label.Text = "x₁", "x₂"
	if d > 2 {
		p.Title.Text += " (first two coordinates)"
	}
	if in.Kind == mixio.KindSamples {
		values := in.Samples.Values
		n := len(values) / d
		stride := max(1, n/5000) // at most about 5000 points
		var pts plotter.XYs
		for i := 0; i < n; i += stride {
			pts = append(pts, plotter.XY{X: values[i*d], Y: values[i*d+1]})
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		s.GlyphStyle.Radius = vg.Points(1.2)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Color = color.RGBA{R: 90, G: 90, B: 140, A: 255}
		p.Add(s)
		p.Legend.Add("data", s)
	} else {
		t := in.Mixture
		for i := range t.Weights {
			l, err := ellipse(t, i, 1)
			if err != nil {
				return err
			}
			l.Color = targetColour
			p.Add(l)
			if i == 0 {
				p.Legend.Add("target components (1σ)", l)
			}
		}
	}
	for i := range m.Weights {
		for _, r := range []float64{1, 2} {
			l, err := ellipse(m, i, r)
			if err != nil {
				return err
			}
			l.Color, l.Width = fitColour, vg.Points(1.5)
			if r == 2 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(l)
			if i == 0 {
				p.Legend.Add(fmt.Sprintf("fitted components (%gσ)", r), l)
			}
		}
	}
	return nil
}

// ellipse returns the r-σ ellipse of component i's marginal in the first two
// coordinates: the mean plus r·L₂u for unit vectors u, L₂ the Cholesky factor
// of the 2×2 marginal covariance.
func ellipse(m cramer.MixtureND[float64], i int, r float64) (*plotter.Line, error) {
	d := m.Dim
	var s00, s01, s11 float64
	switch {
	case m.Chol != nil:
		l := m.Chol[i*d*d : (i+1)*d*d]
		for c := 0; c < d; c++ {
			s00 += l[c] * l[c]
			s01 += l[c] * l[d+c]
			s11 += l[d+c] * l[d+c]
		}
	case m.DiagStds != nil:
		s00, s11 = m.DiagStds[i*d]*m.DiagStds[i*d], m.DiagStds[i*d+1]*m.DiagStds[i*d+1]
	default:
		s00, s11 = m.IsoStds[i]*m.IsoStds[i], m.IsoStds[i]*m.IsoStds[i]
	}
	l00 := math.Sqrt(s00)
	var l10, l11 float64
	if l00 > 0 {
		l10 = s01 / l00
	}
	l11 = math.Sqrt(math.Max(s11-l10*l10, 0))
	const n = 100
	pts := make(plotter.XYs, n+1)
	for k := 0; k <= n; k++ {
		a := 2 * math.Pi * float64(k) / n
		u, v := math.Cos(a), math.Sin(a)
		pts[k] = plotter.XY{X: m.Means[i*d] + r*l00*u, Y: m.Means[i*d+1] + r*(l10*u+l11*v)}
	}
	return plotter.NewLine(pts)
}
