package bench

import (
	"math"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// TestBaselineAgrees checks that the matherf baseline computes what every
// registered implementation computes, kernel by kernel, on small odd sizes,
// so that the benchmarks compare like with like. It runs in milliseconds.
func TestBaselineAgrees(t *testing.T) {
	base, err := kernels.Lookup("matherf")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range kernels.Names() {
		if name == base.Name {
			continue
		}
		im, _ := kernels.Lookup(name)
		t.Run(name+"/float64", func(t *testing.T) { agree(t, kset64(im), kset64(base), 1e-12) })
		t.Run(name+"/float32", func(t *testing.T) { agree(t, kset32(im), kset32(base), 2e-5) })
	}
}

// kset is one precision of a kernels.Impl with the gradient sums unpacked.
type kset[F float] struct {
	erf, exp  func(dst, x []F)
	pair      func(h, erf, ex, d, v []F)
	cross     func(out, ma, va, wb, mb, vb []F)
	crossGrad func(rh, rd, rr, ch, cd, cr, wa, ma, va, wb, mb, vb []F)
	self      func(out, m, v, w []F)
	selfGrad  func(rh, rd, rr, ch, cd, cr, m, v, w []F)
	dirac     func(out, ma, va, wx, x []F)
	diracGrad func(rh, rd, rr, ch, cd, wa, ma, va, wx, x []F)
}

func kset64(im *kernels.Impl) kset[float64] {
	return kset[float64]{
		im.Erf64, im.ExpNegSquare64, im.PairTerms64, im.CrossRowSums64,
		func(rh, rd, rr, ch, cd, cr, wa, ma, va, wb, mb, vb []float64) {
			im.CrossGrad64(gs64(rh, rd, rr), gs64(ch, cd, cr), wa, ma, va, wb, mb, vb)
		},
		im.SelfRowSums64,
		func(rh, rd, rr, ch, cd, cr, m, v, w []float64) {
			im.SelfGrad64(gs64(rh, rd, rr), gs64(ch, cd, cr), m, v, w)
		},
		im.DiracRowSums64,
		func(rh, rd, rr, ch, cd, wa, ma, va, wx, x []float64) {
			im.DiracGrad64(gs64(rh, rd, rr), gs64(ch, cd, nil), wa, ma, va, wx, x)
		},
	}
}

func kset32(im *kernels.Impl) kset[float32] {
	return kset[float32]{
		im.Erf32, im.ExpNegSquare32, im.PairTerms32, im.CrossRowSums32,
		func(rh, rd, rr, ch, cd, cr, wa, ma, va, wb, mb, vb []float32) {
			im.CrossGrad32(gs32(rh, rd, rr), gs32(ch, cd, cr), wa, ma, va, wb, mb, vb)
		},
		im.SelfRowSums32,
		func(rh, rd, rr, ch, cd, cr, m, v, w []float32) {
			im.SelfGrad32(gs32(rh, rd, rr), gs32(ch, cd, cr), m, v, w)
		},
		im.DiracRowSums32,
		func(rh, rd, rr, ch, cd, wa, ma, va, wx, x []float32) {
			im.DiracGrad32(gs32(rh, rd, rr), gs32(ch, cd, nil), wa, ma, va, wx, x)
		},
	}
}

func agree[F float](t *testing.T, got, want kset[F], tol float64) {
	const k, m = 37, 53
	a, b := newSide(seedA, k), newSide(seedB, m)
	wa, ma, va := conv[F](a.w), conv[F](a.m), conv[F](a.v)
	wb, mb, vb := conv[F](b.w), conv[F](b.m), conv[F](b.v)
	x64, wx64 := newPoints(seedX, m)
	x, wx := conv[F](x64), conv[F](wx64)
	d64, v64 := newArgs(seedA, 200)
	d64 = append(d64, 0, 1, -1, 0, 3)
	v64 = append(v64, 0, 0, 0, 1, 0)
	d, v := conv[F](d64), conv[F](v64)

	check := func(what string, g, w []F) {
		t.Helper()
		for i := range w {
			if diff := math.Abs(float64(g[i]) - float64(w[i])); !(diff <= tol*(1+math.Abs(float64(w[i])))) {
				t.Errorf("%s[%d] = %v, baseline %v", what, i, g[i], w[i])
				return
			}
		}
	}
	// run calls f with fresh outputs for each implementation and compares them.
	type outs = [6][]F
	run := func(what string, sizes [6]int, f func(k kset[F], o outs)) {
		t.Helper()
		var og, ow outs
		for i, n := range sizes {
			og[i], ow[i] = make([]F, n), make([]F, n)
		}
		f(got, og)
		f(want, ow)
		for i := range sizes {
			check(what, og[i], ow[i])
		}
	}
	n := len(d)
	run("Erf", [6]int{n}, func(ks kset[F], o outs) { ks.erf(o[0], d) })
	run("ExpNegSquare", [6]int{n}, func(ks kset[F], o outs) { ks.exp(o[0], d) })
	run("PairTerms", [6]int{n, n, n}, func(ks kset[F], o outs) { ks.pair(o[0], o[1], o[2], d, v) })
	run("CrossRowSums", [6]int{k}, func(ks kset[F], o outs) { ks.cross(o[0], ma, va, wb, mb, vb) })
	run("CrossGrad", [6]int{k, k, k, m, m, m}, func(ks kset[F], o outs) {
		ks.crossGrad(o[0], o[1], o[2], o[3], o[4], o[5], wa, ma, va, wb, mb, vb)
	})
	run("SelfRowSums", [6]int{k}, func(ks kset[F], o outs) { ks.self(o[0], ma, va, wa) })
	run("SelfGrad", [6]int{k, k, k, k, k, k}, func(ks kset[F], o outs) {
		ks.selfGrad(o[0], o[1], o[2], o[3], o[4], o[5], ma, va, wa)
	})
	run("DiracRowSums", [6]int{k}, func(ks kset[F], o outs) { ks.dirac(o[0], ma, va, wx, x) })
	run("DiracGrad", [6]int{k, k, k, m, m}, func(ks kset[F], o outs) {
		ks.diracGrad(o[0], o[1], o[2], o[3], o[4], wa, ma, va, wx, x)
	})
}
