package mdn

import (
	"math"
	"unsafe"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// pairChunk is roughly the number of pair terms evaluated per kernel call:
// the d, v, h, erf and exp buffers of one chunk stay in the L1 cache.
const pairChunk = 1024

// core computes, for nb univariate problems, ℓ₂²(P_b, Q_b) between
// P_b = Σᵢ w[b·k+i]·N(mu[b·k+i], s[b·k+i]²) (k components) and
// Q_b = Σⱼ qw[b·m+j]·N(qm[b·m+j], qs[b·m+j]²) (m components) into out[b]
// (clamped at 0), and, when gw is not nil, the derivatives of out[b] with
// respect to P_b's weights, means and stds into gw, gm and gs (nb×k).
// When qself is nil the target's self sum Σᵢⱼ bᵢbⱼ h(νᵢ − νⱼ, √(τᵢ² + τⱼ²))
// is evaluated from its pairs; otherwise qself[b] is taken as that sum.
//
// All pair terms h(d, s), erf(d/(s√2)) and exp(−d²/2s²) of a chunk of
// problems go through one call of the active PairTerms kernel (SIMD across
// problems, whatever k and m), and are combined in float64:
//
//	ℓ₂² = Σᵢⱼ aᵢbⱼ h(μᵢ−νⱼ) − ½ Σᵢⱼ aᵢaⱼ h(μᵢ−μⱼ) − ½ Σᵢⱼ bᵢbⱼ h(νᵢ−νⱼ),
//	∂/∂aᵢ = Σⱼ bⱼ hᵢⱼ − Σⱼ aⱼ hᵢⱼ',  ∂/∂μᵢ = aᵢ (Σⱼ bⱼ erfᵢⱼ − Σⱼ aⱼ erfᵢⱼ'),
//	∂/∂σᵢ = aᵢ σᵢ √(2/π) (Σⱼ bⱼ exᵢⱼ/sᵢⱼ − Σ_{j≠i} aⱼ exᵢⱼ'/sᵢⱼ') − aᵢ²/√π,
//
// the diagonal self terms h(0, √2σᵢ) = 2σᵢ/√π taken analytically. It
// allocates nothing once the workspace buffers have grown.
func (ws *Workspace[F]) core(nb, k, m int, w, mu, s, qw, qm, qs []F, qself []float64, out, gw, gm, gs []F) {
	im := kernels.Active()
	nc, ns := k*m, k*(k-1)/2
	nq := 0
	if qself == nil {
		nq = m * (m - 1) / 2
	}
	per := nc + ns + nq
	chunk := max(1, pairChunk/max(per, 1))
	n := min(chunk, nb) * per
	ws.pd, ws.pv = grow(ws.pd, n), grow(ws.pv, n)
	ws.ph, ws.pe, ws.px = grow(ws.ph, n), grow(ws.pe, n), grow(ws.px, n)
	ws.sums = grow(ws.sums, 7*k)
	sums := ws.sums
	cH, cD, cR := sums[:k], sums[k:2*k], sums[2*k:3*k]
	sH, sD, sR := sums[3*k:4*k], sums[4*k:5*k], sums[5*k:6*k]
	a64 := sums[6*k:] // the weights of P_b in float64
	// Local slice headers: stores through them cannot alias ws's fields.
	pd, pv, ph, pe, px := ws.pd, ws.pv, ws.ph, ws.pe, ws.px
	const sqrt2pi = 0.7978845608028654 // √(2/π)
	const twoOverSqrtPi = 2 / math.SqrtPi
	grad := gw != nil
	for b0 := 0; b0 < nb; b0 += chunk {
		b1 := min(b0+chunk, nb)
		// Differences and variances of every pair of the chunk.
		o := 0
		for b := b0; b < b1; b++ {
			ma, sa := mu[b*k:(b+1)*k], s[b*k:(b+1)*k]
			mb, sb := qm[b*m:(b+1)*m], qs[b*m:(b+1)*m]
			for i := range ma {
				mi, vi := ma[i], sa[i]*sa[i]
				for j := range mb {
					pd[o], pv[o] = mi-mb[j], vi+sb[j]*sb[j]
					o++
				}
			}
			for i := range ma {
				mi, vi := ma[i], sa[i]*sa[i]
				for j := i + 1; j < k; j++ {
					pd[o], pv[o] = mi-ma[j], vi+sa[j]*sa[j]
					o++
				}
			}
			if nq > 0 {
				for i := range mb {
					mi, vi := mb[i], sb[i]*sb[i]
					for j := i + 1; j < m; j++ {
						pd[o], pv[o] = mi-mb[j], vi+sb[j]*sb[j]
						o++
					}
				}
			}
		}
		pairTerms(im, ph[:o], pe[:o], px[:o], pd[:o], pv[:o])
		if grad {
			// exp(−z²)/s, the std-derivative factor (0 for s = 0).
			pxo := px[:o]
			for i, v := range pv[:len(pxo)] {
				if v > 0 {
					pxo[i] /= F(math.Sqrt(float64(v)))
				} else {
					pxo[i] = 0
				}
			}
		}
		o = 0
		for b := b0; b < b1; b++ {
			a, sa := w[b*k:(b+1)*k], s[b*k:(b+1)*k]
			bw, sb := qw[b*m:(b+1)*m], qs[b*m:(b+1)*m]
			h, e, x := ph[o:o+per], pe[o:o+per], px[o:o+per]
			for i, v := range a {
				a64[i] = float64(v)
			}
			o += per
			p := 0
			for i := 0; i < k; i++ {
				var hs, ds, rs float64
				for j := 0; j < m; j++ {
					wj := float64(bw[j])
					hs += wj * float64(h[p])
					if grad {
						ds += wj * float64(e[p])
						rs += wj * float64(x[p])
					}
					p++
				}
				cH[i], cD[i], cR[i] = hs, ds, rs
				sH[i], sD[i], sR[i] = 0, 0, 0
			}
			for i := 0; i < k; i++ {
				ai := a64[i]
				for j := i + 1; j < k; j++ {
					aj := a64[j]
					hv := float64(h[p])
					sH[i] += aj * hv
					sH[j] += ai * hv
					if grad {
						ev := float64(e[p])
						sD[i] += aj * ev
						sD[j] -= ai * ev
						r := float64(x[p])
						sR[i] += aj * r
						sR[j] += ai * r
					}
					p++
				}
			}
			var cross, selfP float64
			for i, ai := range a64 {
				cross += ai * cH[i]
				selfP += ai * (ai*twoOverSqrtPi*float64(sa[i]) + sH[i])
			}
			var selfQ float64
			if qself != nil {
				selfQ = qself[b]
			} else {
				for i := 0; i < m; i++ {
					bi := float64(bw[i])
					selfQ += bi * bi * twoOverSqrtPi * float64(sb[i])
				}
				var off float64
				for i := 0; i < m; i++ {
					bi := float64(bw[i])
					for j := i + 1; j < m; j++ {
						off += bi * float64(bw[j]) * float64(h[p])
						p++
					}
				}
				selfQ += 2 * off
			}
			out[b] = F(max(cross-0.5*(selfP+selfQ), 0))
			if !grad {
				continue
			}
			gwb, gmb, gsb := gw[b*k:(b+1)*k], gm[b*k:(b+1)*k], gs[b*k:(b+1)*k]
			for i, ai := range a64 {
				si := float64(sa[i])
				gwb[i] = F(cH[i] - (ai*twoOverSqrtPi*si + sH[i]))
				gmb[i] = F(ai * (cD[i] - sD[i]))
				if si > 0 {
					gsb[i] = F(ai * (si*sqrt2pi*(cR[i]-sR[i]) - ai/math.SqrtPi))
				} else {
					gsb[i] = 0
				}
			}
		}
	}
}

// pairTerms runs the active implementation's PairTerms kernel of precision F.
func pairTerms[F cramer.Float](im *kernels.Impl, h, e, x, d, v []F) {
	var z F
	if unsafe.Sizeof(z) == 8 {
		im.PairTerms64(as[float64](h), as[float64](e), as[float64](x), as[float64](d), as[float64](v))
	} else {
		im.PairTerms32(as[float32](h), as[float32](e), as[float32](x), as[float32](d), as[float32](v))
	}
}

// as reinterprets a []F as []T; call only when F is T.
func as[T, F cramer.Float](x []F) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}
