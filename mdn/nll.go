package mdn

import (
	"fmt"
	"math"

	"github.com/gmmkit/cramer"
)

// NLL is Workspace.NLL with a temporary workspace.
func NLL[F cramer.Float](h Head, raw, y []F, loss, grad []F) (float64, error) {
	var ws Workspace[F]
	return ws.NLL(h, raw, y, loss, grad)
}

// NLL computes, for each example b of the batch raw (B × Width), the
// negative log-likelihood of the target y_b (y is B×D) under the head's
// mixture,
//
//	loss[b] = −log Σᵢ aᵢ Π_d N(y_d; μᵢ,d, σᵢ,d²)
//	        = −logsumexp_i(ℓᵢ − logsumexp(ℓ) − Σ_d (log σᵢ,d + ½ log 2π + ½ zᵢ,d²)),
//
// zᵢ,d = (y_d − μᵢ,d)/σᵢ,d, evaluated by log-softmax and log-sum-exp in
// float64 (no underflow of the softmax or of the densities), with log σ
// taken as the exponent of 1/σ times −ln 2 and the mantissa of 1/σ
// multiplying the component's exponential (exact: no logarithm per
// component; see nllChunk). It returns the
// batch mean and, when grad is not nil, sets grad to the gradient of the mean
// w.r.t. raw: with rᵢ the posterior responsibilities,
// ∂/∂ℓᵢ = aᵢ − rᵢ, ∂/∂μᵢ,d = −rᵢ zᵢ,d/σᵢ,d, ∂/∂σᵢ,d = rᵢ (1 − zᵢ,d²)/σᵢ,d.
// The μ and σ gradients grow without bound as σ → 0 (the reason for the
// Cramér losses); to keep them finite σ is floored at 1e-18 (float32) or
// 1e-150 (float64) and |z| capped at 1e18 or 1e150 (gradient 0 beyond). It
// allocates nothing once the workspace has grown.
func (ws *Workspace[F]) NLL(h Head, raw, y []F, loss, grad []F) (float64, error) {
	nb, err := ws.checkCall(h, raw, loss, grad)
	if err != nil {
		return 0, err
	}
	d := h.Dim()
	if len(y) != nb*d {
		return 0, &cramer.InputError{Arg: "y", Field: "values", Index: -1,
			Reason: fmt.Sprintf("length %d, want %d (%d examples × %d dimensions)", len(y), nb*d, nb, d)}
	}
	if err := checkTarget("y", "values", y, cramer.MaxMagnitude[F](), false); err != nil {
		return 0, err
	}
	lim := limitsOf[F]()
	inv := 1 / float64(nb)
	var total float64
	for b0 := 0; b0 < nb; b0 += chunkLen {
		n := min(chunkLen, nb-b0)
		if d == 1 {
			total += ws.nllScalarChunk(h, raw, y, b0, n, &lim, inv, loss, grad)
			continue
		}
		decodeChunk(&ws.hd, h, raw, b0, n, &lim, !is64[F](), false)
		total += ws.nllChunk(h, raw, y, b0, n, &lim, inv, loss, grad)
	}
	return total * inv, nil
}

// nllChunk computes the NLL of examples b0 … b0+n−1 (decoded in ws.hd,
// hd.a holding exp(ℓᵢ − max ℓ)) into loss (may be nil) and, when grad is not
// nil, their gradient rows scaled by inv; it returns the sum of the losses.
//
// No logarithm per component: with 1/σᵢ,d = 2^fᵢ,d · mᵢ,d (mᵢ,d ∈ [1, 2)
// and fᵢ,d read off the bits of the float64 1/σ),
//
//	aᵢ Π_d N(y_d; μᵢ,d, σᵢ,d²) = exp(uᵢ) · wᵢ / (S · (2π)^(D/2)),
//	uᵢ = ℓᵢ − max ℓ − ½ Σ_d zᵢ,d² + ln2 · Σ_d fᵢ,d,   wᵢ = Π_d mᵢ,d,
//
// S = Σᵢ exp(ℓᵢ − max ℓ) (for D > 1 the powers of 2 of the product wᵢ are
// moved into uᵢ as it is formed, so that wᵢ ∈ [1, 2) whatever D), so that
// with M = maxᵢ uᵢ, rᵢ = exp(uᵢ − M)·wᵢ (the unnormalised
// responsibilities) and R = Σᵢ rᵢ ≥ 1,
// loss = −(M + log(R/S) − D·½ log 2π). The phases run over the chunk so
// that the exponentials and logarithms run in loops of independent
// elements: uᵢ, wᵢ and the factors of the μ and x gradients (nllTerms);
// exp(uᵢ − M); R, S and the gradient rows (nllGrad); log(R/S) and the losses.
func (ws *Workspace[F]) nllChunk(h Head, raw, y []F, b0, n int, lim *limits, inv float64, loss, grad []F) float64 {
	const halfLog2Pi = 0.9189385332046728
	k, d := h.K, h.Dim()
	kd, wd := k*d, h.Width()
	hd := &ws.hd
	fast := !is64[F]()
	nk, nkd := n*k, n*kd
	ws.f64 = grow(ws.f64, 2*nk+2*nkd+2*n)
	u, w := ws.f64[:nk], ws.f64[nk:2*nk]
	gz, gx := ws.f64[2*nk:2*nk+nkd], ws.f64[2*nk+nkd:2*nk+2*nkd]
	mx, rs := ws.f64[2*nk+2*nkd:2*nk+2*nkd+n], ws.f64[2*nk+2*nkd+n:2*nk+2*nkd+2*n]
	rows, yc := raw[b0*wd:(b0+n)*wd], y[b0*d:(b0+n)*d]
	nllTerms(u, w, gz, gx, mx, hd.sd[:nkd], hd.dsd[:nkd], hd.shift[:n], rows, yc, k, d, lim)
	expAll(u, fast)
	var g []F
	if grad != nil {
		g = grad[b0*wd : (b0+n)*wd]
	}
	nllGrad(g, rs, u, w, hd.a[:nk], gz, gx, k, d, inv)
	logAll(rs, fast)
	var total float64
	for l, m := range mx {
		v := -(m + rs[l] - float64(d)*halfLog2Pi)
		total += v
		if loss != nil {
			loss[b0+l] = F(v)
		}
	}
	return total
}

// nllTerms sets, for each example l of a chunk (rows of raw outputs, targets
// y n×d, decoded stds sd and dσ/dx ds n×k×d, shift the largest logit),
// u[l·k+i] = uᵢ − M and w[l·k+i] = wᵢ (see nllChunk), mx[l] = M, and the
// gradient factors gz = z/σ and gx = (1 − z²)/σ · dσ/dx per scale. σ is
// floored at lim.nllMinStd (dσ/dx = 0 there) and |z| capped at lim.maxZ
// (gradient factors 0 beyond, z² = 0 in gx).
func nllTerms[F cramer.Float](u, w, gz, gx, mx, sd, ds, shift []float64, rows, y []F, k, d int, lim *limits) {
	const ln2 = math.Ln2
	const fraction, oneBits = 1<<52 - 1, 0x3ff0000000000000
	kd, wd := k*d, k+2*k*d
	minStd, maxZ := lim.nllMinStd, lim.maxZ
	for l, sh := range shift {
		row := rows[l*wd : (l+1)*wd]
		ul, wl := u[l*k:(l+1)*k], w[l*k:(l+1)*k]
		lg, mu := row[:len(ul)], row[k:k+kd]
		sdl, dsl := sd[l*kd:(l+1)*kd], ds[l*kd:(l+1)*kd]
		gzl, gxl := gz[l*kd:(l+1)*kd], gx[l*kd:(l+1)*kd]
		if d == 1 {
			yb := float64(y[l])
			n := len(ul)
			mu, sdl, dsl, gzl, gxl, wl = mu[:n], sdl[:n], dsl[:n], gzl[:n], gxl[:n], wl[:n]
			for i := range ul {
				s, dsdx := sdl[i], dsl[i]
				if s < minStd {
					s, dsdx = minStd, 0 // floored σ
				}
				is := 1 / s
				z := (yb - float64(mu[i])) * is
				zg := z
				if z > maxZ || z < -maxZ {
					z, zg = math.Copysign(maxZ, z), 0 // capped z
				}
				b := math.Float64bits(is)
				f := float64(int64(b>>52) - 1023)
				ul[i] = (float64(lg[i]) - sh) - 0.5*z*z + f*ln2
				wl[i] = math.Float64frombits(b&fraction | oneBits)
				gzl[i] = zg * is
				gxl[i] = (1 - zg*z) * (dsdx * is) // dσ/dx ≤ σ: no overflow
			}
		} else {
			yb := y[l*d : (l+1)*d]
			for i := range ul {
				v, p := float64(lg[i])-sh, 1.0
				for j, yj := range yb {
					o := i*d + j
					s, dsdx := sdl[o], dsl[o]
					if s < minStd {
						s, dsdx = minStd, 0 // floored σ
					}
					is := 1 / s
					z := (float64(yj) - float64(mu[o])) * is
					zg := z
					if z > maxZ || z < -maxZ {
						z, zg = math.Copysign(maxZ, z), 0 // capped z
					}
					// p·m renormalised to [1, 2) with its power of 2 moved
					// into v: no overflow whatever D.
					b := math.Float64bits(is)
					pb := math.Float64bits(p * math.Float64frombits(b&fraction|oneBits))
					v += float64(int64(b>>52)+int64(pb>>52)-2046)*ln2 - 0.5*z*z
					p = math.Float64frombits(pb&fraction | oneBits)
					gzl[o] = zg * is
					gxl[o] = (1 - zg*z) * (dsdx * is)
				}
				ul[i], wl[i] = v, p
			}
		}
		m := maxOf(ul)
		mx[l] = m
		for i, v := range ul {
			ul[i] = v - m
		}
	}
}

// nllGrad sets, for each example l of a chunk, from e = exp(uᵢ − M) and w
// (n×k, see nllTerms) and the softmax exponentials a (n×k): rs[l] = R/S with
// R = Σᵢ eᵢwᵢ and S = Σᵢ aᵢ, and, when g is not nil, its gradient row
// (scaled by inv) ∂/∂ℓᵢ = aᵢ/S − rᵢ/R, ∂/∂μ = −(rᵢ/R)·gz, ∂/∂x = (rᵢ/R)·gx
// with rᵢ = eᵢwᵢ.
func nllGrad[F cramer.Float](g []F, rs, e, w, a, gz, gx []float64, k, d int, inv float64) {
	kd, wd := k*d, k+2*k*d
	for l := range rs {
		el, wl, al := e[l*k:(l+1)*k], w[l*k:(l+1)*k], a[l*k:(l+1)*k]
		wl, al = wl[:len(el)], al[:len(el)]
		var r, s float64
		for i, v := range el {
			v *= wl[i]
			el[i] = v
			r += v
			s += al[i]
		}
		rs[l] = r / s
		if g == nil {
			continue
		}
		gr := g[l*wd : (l+1)*wd]
		gl, gm, gs := gr[:len(el)], gr[k:k+kd], gr[k+kd:k+2*kd]
		gzl, gxl := gz[l*kd:(l+1)*kd], gx[l*kd:(l+1)*kd]
		// aᵢ/S − rᵢ/R = (aᵢR − rᵢS)/(RS): exactly 0 for K = 1.
		c := inv / (r * s)
		scale := c * s
		for i, v := range el {
			gl[i] = F(c * (al[i]*r - v*s))
		}
		if d == 1 {
			n := len(el)
			gm, gs, gzl, gxl = gm[:n], gs[:n], gzl[:n], gxl[:n]
			for i, v := range el {
				ri := scale * v
				gm[i] = F(-ri * gzl[i])
				gs[i] = F(ri * gxl[i])
			}
			continue
		}
		for i, v := range el {
			ri := scale * v
			for j := i * d; j < (i+1)*d; j++ {
				gm[j] = F(-ri * gzl[j])
				gs[j] = F(ri * gxl[j])
			}
		}
	}
}

// maxOf returns the largest element of x (len(x) ≥ 1, no NaN): len(x) − 1
// comparisons in two independent chains.
func maxOf(x []float64) float64 {
	m0, m1 := x[0], x[len(x)-1]
	for i := 2; i < len(x); i += 2 { // x[i] without a bounds check
		m0, m1 = max(m0, x[i-1]), max(m1, x[i])
	}
	return max(m0, m1)
}

// nllScalarChunk is nllChunk for scalar targets (D = 1) with its own
// decoding, in loops over the chunk's n·K components in a row wherever the
// work does not need the example (the exponentials, the scale map, σ's
// floor, z and the gradient factors), so that little is done per example:
// the raw outputs are spread into float64 arrays of n·K (ℓᵢ − max ℓ, the
// raw scale, the exponential's argument, y − μᵢ) in one pass per example
// (nllSpread), and the per-example steps are the largest logit, the
// largest uᵢ, and the sums and gradient rows.
func (ws *Workspace[F]) nllScalarChunk(h Head, raw, y []F, b0, n int, lim *limits, inv float64, loss, grad []F) float64 {
	const halfLog2Pi = 0.9189385332046728
	k, wd := h.K, h.Width()
	nk := n * k
	fast := !is64[F]()
	ws.f64 = grow(ws.f64, 9*nk+3*n)
	buf := ws.f64
	// lc and t, then a and e adjacent: the exponentials of both in one call
	// (a = exp(lc), e = exp(t)). lp (softplus) reuses t's place.
	lc, t, lp := buf[:nk], buf[nk:2*nk], buf[nk:2*nk]
	a, e := buf[2*nk:3*nk], buf[3*nk:4*nk]
	x, dy, w, gz, gx := buf[4*nk:5*nk], buf[5*nk:6*nk], buf[6*nk:7*nk], buf[7*nk:8*nk], buf[8*nk:9*nk]
	sh, mx, rs := buf[9*nk:9*nk+n], buf[9*nk+n:9*nk+2*n], buf[9*nk+2*n:9*nk+3*n]
	nllSpread(lc, x, t, dy, sh, raw[b0*wd:(b0+n)*wd], y[b0:b0+n], k, h.Scale, lim.logMaxStd)
	expInto(buf[2*nk:4*nk], buf[:2*nk], fast) // exp(ℓᵢ − max ℓ) and the scale map's exponentials
	if h.Scale == Softplus {
		copy(lp, e)
		log1pAll(lp, fast)
	}
	if h.Scale == ELUPlusOne {
		// The scale map in the same pass (e = e^min(x, 0), x = max(x, 0)).
		nllFactorsELU(lc, w, gz, gx, e, x, dy, h.MinStd, lim)
	} else {
		// σ into e, dσ/dx into x.
		scaleValues(e, x, e, x, lp, h.Scale, h.MinStd, lim.maxStd, lim.logMaxStd)
		nllFactors(lc, w, gz, gx, e, x, dy, lim)
	}
	for l := range mx {
		ul := lc[l*k : (l+1)*k]
		nm := minOf(ul) // lc holds −uᵢ: M = −min
		mx[l] = -nm
		for i, v := range ul {
			ul[i] = nm - v
		}
	}
	expAll(lc, fast)
	var g []F
	if grad != nil {
		g = grad[b0*wd : (b0+n)*wd]
	}
	nllScalarGrad(g, rs, lc, w, a, gz, gx, k, inv)
	logAll(rs, fast)
	var total float64
	rs = rs[:len(mx)]
	for l, m := range mx {
		v := -(m + rs[l] - halfLog2Pi)
		total += v
		if loss != nil {
			loss[b0+l] = F(v)
		}
	}
	return total
}

// nllScalarGrad is nllGrad for D = 1, each gradient row written in one
// loop.
func nllScalarGrad[F cramer.Float](g []F, rs, e, w, a, gz, gx []float64, k int, inv float64) {
	wd := 3 * k
	for l := range rs {
		o := l * k
		el, wl, al := e[o:o+k], w[o:o+k], a[o:o+k]
		wl, al = wl[:len(el)], al[:len(el)]
		var r, s float64
		for i, v := range el {
			r += v * wl[i]
			s += al[i]
		}
		rs[l] = r / s
		if g == nil {
			continue
		}
		gr := g[l*wd : (l+1)*wd]
		gl, gm, gs := gr[:len(el)], gr[k:2*k], gr[2*k:3*k]
		gzl, gxl := gz[o:o+k], gx[o:o+k]
		gm, gs, gzl, gxl = gm[:len(el)], gs[:len(el)], gzl[:len(el)], gxl[:len(el)]
		// aᵢ/S − rᵢ/R = (aᵢR − rᵢS)/(RS): exactly 0 for K = 1.
		c := inv / (r * s)
		scale := c * s
		for i, v := range el {
			v *= wl[i]
			ri := scale * v
			gl[i] = F(c * (al[i]*r - v*s))
			gm[i] = F(-ri * gzl[i])
			gs[i] = F(ri * gxl[i])
		}
	}
}

// nllSpread sets, for each example l of a chunk (rows of raw outputs with
// D = 1, targets y), sh[l] to its largest logit and the components
// o = l·K + i of lc to ℓᵢ − sh[l], of x to the raw scale (max(x, 0)
// for elu+1, as scaleMapArgs leaves it), of t
// to the argument of the scale map's exponential (scaleMapArgs) and of dy
// to y[l] − μᵢ: the largest logit from the raw row (negMinOf), then one
// loop over the example's components (a loop per scale map).
func nllSpread[F cramer.Float](lc, x, t, dy, sh []float64, rows, y []F, k int, sm ScaleMap, logMaxStd float64) {
	wd := 3 * k
	half := nllConsts[0] // in a register through the loops (see logAll)
	y = y[:len(sh)]
	for l, yl := range y {
		row := rows[l*wd : (l+1)*wd]
		o := l * k
		cl, xl, tl, dl := lc[o:o+k], x[o:o+k], t[o:o+k], dy[o:o+k]
		lg, ms, xs := row[:k], row[k:2*k], row[2*k:3*k]
		n := len(cl)
		xl, tl, dl, lg, ms, xs = xl[:n], tl[:n], dl[:n], lg[:n], ms[:n], xs[:n]
		yb := float64(yl)
		nm := negMinOf(lg)
		sh[l] = -nm
		switch sm {
		case Exp:
			for i, v := range xs {
				f, g := float64(v), nm+float64(lg[i])
				cl[i], dl[i] = g, yb-float64(ms[i])
				xl[i], tl[i] = f, min(f, logMaxStd)
			}
		case ELUPlusOne:
			for i, v := range xs {
				f, g := float64(v), nm+float64(lg[i])
				cl[i], dl[i] = g, yb-float64(ms[i])
				m := half * (f - math.Abs(f))
				xl[i], tl[i] = f-m, m // max(x, 0) exactly, min(x, 0)
			}
		default:
			for i, v := range xs {
				f, g := float64(v), nm+float64(lg[i])
				cl[i], dl[i] = g, yb-float64(ms[i])
				xl[i], tl[i] = f, -math.Abs(f)
			}
		}
	}
}

// negMinOf returns minᵢ −x[i] = −max x in float64 (len(x) ≥ 1, no NaN), as
// minOf on the negated values (read straight from x: no store), so that
// nm + x[i] (= nm − (−x[i]), which IEEE arithmetic defines as the same
// operation) is exactly x[i] − max x rounded once.
func negMinOf[F cramer.Float](x []F) float64 {
	m0, m1 := -float64(x[0]), -float64(x[len(x)-1])
	for i := 1; i+1 < len(x); i += 2 {
		m0, m1 = min(m0, -float64(x[i])), min(m1, -float64(x[i+1]))
	}
	return min(m0, m1)
}

// nllFactors sets, for each component o of a chunk with D = 1 (σ = sd[o],
// dσ/dx = ds[o], dy[o] = y − μᵢ, lc[o] = ℓᵢ − max ℓ on entry),
// lc[o] = −uᵢ and w[o] = wᵢ (see nllChunk) and the gradient factors
// gz = z/σ and gx = (1 − z²)/σ · dσ/dx: nllTerms in one loop over the
// chunk. The floor of σ and the cap of z (nllFactorClamped) are off the
// main path: one test per component.
func nllFactors(lc, w, gz, gx, sd, ds, dy []float64, lim *limits) {
	// The constants as variables held in registers (see logAll).
	c, cb := &nllConsts, &nllBits
	half, one, ln2 := c[0], c[1], c[2]
	fraction, oneBits, bias := cb[0], cb[1], int64(cb[2])
	minStd, maxZ2 := lim.nllMinStd, lim.maxZ*lim.maxZ
	n := len(lc)
	w, gz, gx, sd, ds, dy = w[:n], gz[:n], gx[:n], sd[:n], ds[:n], dy[:n]
	for o, v := range lc {
		s := sd[o]
		is := one / s
		z := dy[o] * is
		z2 := z * z
		if s < minStd || z2 > maxZ2 {
			lc[o], w[o], gz[o], gx[o] = nllFactorClamped(v, s, ds[o], dy[o], minStd, lim.maxZ)
			continue
		}
		b := math.Float64bits(is)
		// −uᵢ = ½z² − ln2·(exponent of 1/σ) − (ℓᵢ − max ℓ)
		lc[o] = half*z2 - float64(int64(b>>52)-bias)*ln2 - v
		w[o] = math.Float64frombits(b&fraction | oneBits)
		gz[o] = z * is
		gx[o] = (one - z2) * (ds[o] * is) // dσ/dx ≤ σ: no overflow
	}
}

// nllFactorsELU is scaleValues for elu+1 followed by nllFactors, in one
// loop: σ = max(x, 0) + e^min(x, 0) + minStd0 (pos[o] = max(x, 0), e[o] =
// e^min(x, 0)) and dσ/dx = e[o], clamped at lim.maxStd (dσ/dx = 0 there);
// the clamp joins the floor of σ and the cap of z off the main path. The
// results are those of the two passes, bit for bit.
func nllFactorsELU(lc, w, gz, gx, e, pos, dy []float64, minStd0 float64, lim *limits) {
	c, cb := &nllConsts, &nllBits // in registers (see logAll)
	half, one, ln2 := c[0], c[1], c[2]
	fraction, oneBits, bias := cb[0], cb[1], int64(cb[2])
	minStd, maxStd, maxZ2 := lim.nllMinStd, lim.maxStd, lim.maxZ*lim.maxZ
	n := len(lc)
	w, gz, gx, e, pos, dy = w[:n], gz[:n], gx[:n], e[:n], pos[:n], dy[:n]
	for o, v := range lc {
		d := e[o]
		s := pos[o] + d + minStd0
		is := one / s
		z := dy[o] * is
		z2 := z * z
		if s < minStd || z2 > maxZ2 || s >= maxStd {
			if s >= maxStd {
				s, d = maxStd, 0
			}
			lc[o], w[o], gz[o], gx[o] = nllFactorClamped(v, s, d, dy[o], minStd, lim.maxZ)
			continue
		}
		b := math.Float64bits(is)
		lc[o] = half*z2 - float64(int64(b>>52)-bias)*ln2 - v
		w[o] = math.Float64frombits(b&fraction | oneBits)
		gz[o] = z * is
		gx[o] = (one - z2) * (d * is)
	}
}

// nllBits are nllFactors' bit masks and the exponent bias: the fraction
// field, 1's bits, 1023.
var nllBits = [3]uint64{1<<52 - 1, 0x3ff0000000000000, 1023}

// nllConsts are nllFactors' constants: ½, 1, ln 2.
var nllConsts = [3]float64{0.5, 1, math.Ln2}

// nllFactorClamped is nllFactors for one component whose σ is below the
// floor minStd (then σ = minStd and dσ/dx = 0) or whose |z| exceeds maxZ
// (then |z| = maxZ and the gradient factors are 0), from lc = ℓᵢ − max ℓ,
// σ, dσ/dx and y − μ; it returns −uᵢ, wᵢ, gz and gx.
//
//go:noinline
func nllFactorClamped(lc, s, dsdx, dy, minStd, maxZ float64) (nu, w, gz, gx float64) {
	if s < minStd {
		s, dsdx = minStd, 0 // floored σ
	}
	is := 1 / s
	z := dy * is
	zg := z
	if z > maxZ || z < -maxZ {
		z, zg = math.Copysign(maxZ, z), 0 // capped z
	}
	b := math.Float64bits(is)
	nu = 0.5*z*z - float64(int64(b>>52)-1023)*math.Ln2 - lc
	w = math.Float64frombits(b&(1<<52-1) | 0x3ff0000000000000)
	return nu, w, zg * is, (1 - zg*z) * (dsdx * is)
}
