package purego

import "math"

// Batch combination kernels: the per-lane back end of a batch after the
// batch-lane kernels (BatchCrossRowSums64 …) have run. They combine, for each
// of n mixture pairs (one per lane), the lane-interleaved row sums and
// weights (component i of pair l at i*n+l) with the pair's contiguous stds
// (component i of pair l at l*c+i, c components per mixture) into the pair's
// value (BatchPairValues64) or the derivatives of one side
// (BatchSideGrad64). The lanes are independent; each lane's terms are taken
// in ascending order of the component, with the operations written out
// below (no fused multiply-add except where math.FMA says so; explicit
// float64 conversions keep the Go compiler from fusing on any architecture),
// so every implementation returns these results bit for bit. 2σ/√π is
// σ·(2/√π) with 2/√π rounded to float64 (diagFactor), a/√π is a·(1/√π)
// (invSqrtPi). Slices shorter than stated panic; elements past the stated
// lengths are neither read nor written. Outputs must not overlap inputs.
// Nothing is allocated. n ≤ 0 does nothing.

const (
	// diagFactor is 2/√π rounded to float64: the self term of a component
	// of weight a and std σ is a²·(σ·diagFactor).
	diagFactor = 2 / math.SqrtPi
	// invSqrtPi is 1/√π rounded to float64.
	invSqrtPi = 1 / math.SqrtPi
	// diagFactor32 and invSqrtPi32 are 2/√π and 1/√π rounded to float32
	// (BatchSideGrad32).
	diagFactor32 float32 = 2 / math.SqrtPi
	invSqrtPi32  float32 = 1 / math.SqrtPi
)

// SelfLanes returns the length the self row sums of a side of c components
// have in BatchPairValues64 and BatchSideGrad64 for n lanes: c·n, or 0 for
// one component (no pair off the diagonal: the sums are not read and may be
// nil).
func SelfLanes(c, n int) int {
	if c <= 1 {
		return 0
	}
	return c * n
}

// BatchPairValues64 sets, for every lane l < n, with k = len(wa)/n and
// m = len(wb)/n components,
//
//	cross[l] = Σᵢ wa[i*n+l]·cr[i*n+l]
//	vals[l]  = max(cross[l] − ½·(selfP + selfQ), 0)   (−0 and values < 0 become +0, NaN stays)
//	out[l]   = vals[l] in the kernel's precision (rounded to float32 by BatchPairValues32)
//	under[0] = the first lane l with out[l] = 0 and vals[l] > 2⁻⁵⁰·cross[l]
//	           (a value that underflows), or −1
//	selfP    = Σᵢ wa[i*n+l]²·(sa[l*k+i]·2/√π) + 2·wa[i*n+l]·sp[i*n+l]
//
// (selfQ likewise from wb, sb, sq with m): the value ℓ₂² of mixture pair l
// before its clamp at 0, from the row sums of its cross (cr) and self (sp,
// sq) batch-lane kernels. Each sum is compensated (TwoSum of every term;
// the products of the cross sum also with their rounding error, fma(a, x,
// −a·x)), one ksum per sum: (s, c) ← (s + t, c + ((s − (s+t − b)) + (t −
// b))) with b = (s+t) − s, each self component adding its diagonal term
// then its row term. A side of one component has no self pairs: sp (sq) is
// not read (it may be nil) and its self sum, like a cross sum of one term,
// is that one term added to +0, uncompensated. cross[l] is s + c of the
// cross sum, vals[l] = cross[l] − 0.5·((s + c of selfP) + (s + c of selfQ))
// before the clamp. len(out), len(vals), len(cross) ≥ n; len(under) ≥ 1; len(cr), len(sa) ≥ k·n; len(sb) ≥ m·n;
// len(sp) ≥ SelfLanes(k, n), len(sq) ≥ SelfLanes(m, n). Accuracy: that of
// the compensated sums, a few units of the last place of the largest term
// (the value itself may cancel).
func BatchPairValues64(out []float64, under []int, vals, cross, wa, cr, sa, sp, wb, sb, sq []float64, n int) {
	if n <= 0 {
		return
	}
	under[0] = -1
	k, m := len(wa)/n, len(wb)/n
	out, vals, cross = out[:n:len(out)], vals[:n:len(vals)], cross[:n:len(cross)]
	wa, cr, sa, sp = wa[:k*n], cr[:k*n:len(cr)], sa[:k*n:len(sa)], sp[:SelfLanes(k, n):len(sp)]
	wb, sb, sq = wb[:m*n], sb[:m*n:len(sb)], sq[:SelfLanes(m, n):len(sq)]
	// The lanes of a block advance together, one component at a time, so
	// that the independent sums of different pairs overlap.
	for l0 := 0; l0 < n; l0 += combineBlock {
		nl := min(combineBlock, n-l0)
		var cs, cc [combineBlock]float64
		if k == 1 {
			for l := range nl {
				cs[l] = 0 + float64(wa[l0+l]*cr[l0+l])
			}
		} else {
			for i := 0; i < k; i++ {
				a, x := wa[i*n+l0:i*n+l0+nl], cr[i*n+l0:i*n+l0+nl]
				for l := range a {
					p := float64(a[l] * x[l])
					t := float64(cs[l] + p)
					bp := float64(t - cs[l])
					cc[l] = float64(cc[l] + float64(float64(cs[l]-float64(t-bp))+float64(p-bp)))
					cc[l] = float64(cc[l] + math.FMA(a[l], x[l], -p))
					cs[l] = t
				}
			}
		}
		var ps, pc, qs, qc [combineBlock]float64
		selfLanes64(&ps, &pc, wa, sa, sp, k, n, l0, nl)
		selfLanes64(&qs, &qc, wb, sb, sq, m, n, l0, nl)
		for l := range nl {
			c := float64(cs[l] + cc[l])
			v := clampZero(c - float64(0.5*float64(float64(ps[l]+pc[l])+float64(qs[l]+qc[l]))))
			cross[l0+l], vals[l0+l], out[l0+l] = c, v, v
			if v == 0 && v > 0x1p-50*c && under[0] < 0 {
				under[0] = l0 + l
			}
		}
	}
}

// combineBlock is the number of lanes whose sums BatchPairValues64 and
// BatchPairValues32 keep at once (on the stack).
const combineBlock = 64

// selfLanes64 sets the compensated self sums (s, comp) of lanes l0 …
// l0+nl−1 of a side of c components (BatchPairValues64), the lanes
// advancing together one component at a time.
func selfLanes64(s, comp *[combineBlock]float64, w, sd, sp []float64, c, n, l0, nl int) {
	if c == 1 {
		for l := range nl {
			a := w[l0+l]
			s[l] = 0 + float64(float64(a*a)*float64(sd[l0+l]*diagFactor))
		}
		return
	}
	for i := 0; i < c; i++ {
		a, x := w[i*n+l0:i*n+l0+nl], sp[i*n+l0:i*n+l0+nl]
		for l := range a {
			sl, cl := s[l], comp[l]
			f := float64(float64(a[l]*a[l]) * float64(sd[(l0+l)*c+i]*diagFactor))
			t := float64(sl + f)
			bp := float64(t - sl)
			cl = float64(cl + float64(float64(sl-float64(t-bp))+float64(f-bp)))
			sl = t
			f = float64(float64(2*a[l]) * x[l])
			t = float64(sl + f)
			bp = float64(t - sl)
			cl = float64(cl + float64(float64(sl-float64(t-bp))+float64(f-bp)))
			s[l], comp[l] = t, cl
		}
	}
}

// BatchPairValues32 is BatchPairValues64 for float32 inputs, with plain
// (uncompensated) float64 sums: every input is converted to float64 and, for
// every lane l,
//
//	cross[l] = Σᵢ a·x                            (a = wa[i*n+l], x = cr[i*n+l])
//	selfP    = Σᵢ (a²·(σ·2/√π) + 2a·sp[i*n+l])    (σ = sa[l*k+i])
//	vals[l]  = cross[l] − 0.5·(selfP + selfQ)
//
// each sum from +0 in ascending order of i, each component's two self terms
// added together before they join the sum; a side of one component has the
// one self term a²·(σ·2/√π) (sp, sq not read). In float32 these float64 sums
// of float32 terms are far more accurate than the float32 result. Lengths as
// BatchPairValues64.
func BatchPairValues32(out []float32, under []int, vals, cross []float64, wa, cr, sa, sp, wb, sb, sq []float32, n int) {
	if n <= 0 {
		return
	}
	under[0] = -1
	k, m := len(wa)/n, len(wb)/n
	out, vals, cross = out[:n:len(out)], vals[:n:len(vals)], cross[:n:len(cross)]
	wa, cr, sa, sp = wa[:k*n], cr[:k*n:len(cr)], sa[:k*n:len(sa)], sp[:SelfLanes(k, n):len(sp)]
	wb, sb, sq = wb[:m*n], sb[:m*n:len(sb)], sq[:SelfLanes(m, n):len(sq)]
	for l0 := 0; l0 < n; l0 += combineBlock {
		nl := min(combineBlock, n-l0)
		var c, sP, sQ [combineBlock]float64
		for i := 0; i < k; i++ {
			a, x := wa[i*n+l0:i*n+l0+nl], cr[i*n+l0:i*n+l0+nl]
			for l := range a {
				c[l] = float64(c[l] + float64(float64(a[l])*float64(x[l])))
			}
		}
		selfLanes32(&sP, wa, sa, sp, k, n, l0, nl)
		selfLanes32(&sQ, wb, sb, sq, m, n, l0, nl)
		for l := range nl {
			v := clampZero(c[l] - float64(0.5*float64(sP[l]+sQ[l])))
			r := float32(v)
			cross[l0+l], vals[l0+l], out[l0+l] = c[l], v, r
			if r == 0 && v > 0x1p-50*c[l] && under[0] < 0 {
				under[0] = l0 + l
			}
		}
	}
}

// clampZero returns max(v, 0) with −0 as +0 and NaN kept.
func clampZero(v float64) float64 {
	if v <= 0 {
		return 0
	}
	return v
}

// selfLanes32 sets the plain float64 self sums s of lanes l0 … l0+nl−1 of a
// side of c float32 components (BatchPairValues32).
func selfLanes32(s *[combineBlock]float64, w, sd, sp []float32, c, n, l0, nl int) {
	for i := 0; i < c; i++ {
		a := w[i*n+l0 : i*n+l0+nl]
		for l := range a {
			al := float64(a[l])
			f := float64(float64(al*al) * float64(float64(sd[(l0+l)*c+i])*diagFactor))
			if c > 1 {
				f = float64(f + float64(float64(2*al)*float64(sp[i*n+l0+l])))
			}
			s[l] = float64(s[l] + f)
		}
	}
}

// BatchSideGrad64 sets the derivatives of the value of every mixture pair
// l < n with respect to the c = len(w)/n components of one of its mixtures:
// for component i, with o = l*c+i (contiguous, like the weights w and stds s
// of the side), x = i*n+l (lane-interleaved, like the sums), a = w[o],
// σ = s[o],
//
//	gw[o] = cross.H[x] − (selfH + a·(σ·2/√π))
//	gm[o] = a·(sign·cross.D[x] − selfD)
//	gs[o] = a·(σ·(cross.R[x] − selfR) − a·(1/√π))   (+0 unless σ > 0)
//
// with selfH = rows.H[x] + cols.H[x], selfD = rows.D[x] − cols.D[x] and
// selfR = rows.R[x] + cols.R[x] (the upper-triangle rows and columns of the
// side's self sums, from BatchSelfGrad64), or +0 each for one component
// (rows and cols are then not read and may be nil). cross holds the side's
// sums of the cross kernel (BatchCrossGrad64: its rows for p, sign 1; its
// columns for q, sign −1, whose D has the opposite sign); sign is ±1.
// Every operation rounds to float64 (no fusion). len(gw), len(gm), len(gs),
// len(s), len(cross.H/D/R) ≥ c·n; len(rows.H/D/R), len(cols.H/D/R) ≥
// SelfLanes(c, n).
func BatchSideGrad64(gw, gm, gs, w, s []float64, cross, rows, cols GradSums64, sign, n int) {
	if n <= 0 {
		return
	}
	c := len(w) / n
	cn, sn := c*n, SelfLanes(c, n)
	gw, gm, gs, w, s = gw[:cn:len(gw)], gm[:cn:len(gm)], gs[:cn:len(gs)], w[:cn], s[:cn:len(s)]
	ch, cd, cr := cross.H[:cn:len(cross.H)], cross.D[:cn:len(cross.D)], cross.R[:cn:len(cross.R)]
	rh, rd, rr := rows.H[:sn:len(rows.H)], rows.D[:sn:len(rows.D)], rows.R[:sn:len(rows.R)]
	kh, kd, kr := cols.H[:sn:len(cols.H)], cols.D[:sn:len(cols.D)], cols.R[:sn:len(cols.R)]
	sg := float64(sign)
	for i := 0; i < c; i++ {
		for l := 0; l < n; l++ {
			x, o := i*n+l, l*c+i
			a, sd := w[o], s[o]
			var selfH, selfD, selfR float64
			if sn > 0 {
				selfH = float64(rh[x] + kh[x])
				selfD = float64(rd[x] - kd[x])
				selfR = float64(rr[x] + kr[x])
			}
			gw[o] = ch[x] - float64(selfH+float64(a*float64(sd*diagFactor)))
			gm[o] = a * float64(float64(sg*cd[x])-selfD)
			if sd > 0 {
				gs[o] = a * float64(float64(sd*float64(cr[x]-selfR))-float64(a*invSqrtPi))
			} else {
				gs[o] = 0
			}
		}
	}
}

// BatchSideGrad32 is BatchSideGrad64 in float32: every operation of
// BatchSideGrad64, in the same order, rounds to float32 (no fusion), with
// 2/√π and 1/√π rounded to float32 (diagFactor32, invSqrtPi32). The sums it
// combines already carry float32 rounding errors of the size of their
// largest terms, which a float64 combination would not remove: each
// derivative's error is at most a few float32 ulps of the largest of the
// sums it combines, about twice that of the sums alone.
func BatchSideGrad32(gw, gm, gs, w, s []float32, cross, rows, cols GradSums32, sign, n int) {
	if n <= 0 {
		return
	}
	c := len(w) / n
	cn, sn := c*n, SelfLanes(c, n)
	gw, gm, gs, w, s = gw[:cn:len(gw)], gm[:cn:len(gm)], gs[:cn:len(gs)], w[:cn], s[:cn:len(s)]
	ch, cd, cr := cross.H[:cn:len(cross.H)], cross.D[:cn:len(cross.D)], cross.R[:cn:len(cross.R)]
	rh, rd, rr := rows.H[:sn:len(rows.H)], rows.D[:sn:len(rows.D)], rows.R[:sn:len(rows.R)]
	kh, kd, kr := cols.H[:sn:len(cols.H)], cols.D[:sn:len(cols.D)], cols.R[:sn:len(cols.R)]
	sg := float32(sign)
	for i := 0; i < c; i++ {
		for l := 0; l < n; l++ {
			x, o := i*n+l, l*c+i
			a, sd := w[o], s[o]
			var selfH, selfD, selfR float32
			if sn > 0 {
				selfH = float32(rh[x] + kh[x])
				selfD = float32(rd[x] - kd[x])
				selfR = float32(rr[x] + kr[x])
			}
			gw[o] = ch[x] - float32(selfH+float32(a*float32(sd*diagFactor32)))
			gm[o] = a * float32(float32(sg*cd[x])-selfD)
			if sd > 0 {
				gs[o] = a * float32(float32(sd*float32(cr[x]-selfR))-float32(a*invSqrtPi32))
			} else {
				gs[o] = 0
			}
		}
	}
}
