package purego

import "math"

// Batches of single Gaussians. A batch of mixture pairs of one component on
// both sides (K = M = 1) needs no transposition, no self pairs and one pair
// term per pair, so the general path — BatchFront on each side, the
// batch-lane cross kernel, BatchPairValues and BatchSideGrad, each a pass of
// its own over the chunk — spends most of its time moving the per-pair
// results between these passes. BatchGaussianValues64 and
// BatchGaussianGrad64 do all of it in one pass: each lane reads its pair's
// six inputs once and writes its value (and its six derivatives). They
// compute exactly the operations of that composition for K = M = 1, in the
// same order, so their results are the composition's bit for bit (the tests
// of the root package and of package kernels check it).

// Gaussians64 is one side of a batch of single Gaussians (or its
// derivatives), one per lane: weight W[l], mean M[l], std S[l].
type Gaussians64 struct{ W, M, S []float64 }

// Gaussians32 is Gaussians64 in float32.
type Gaussians32 struct{ W, M, S []float32 }

// BatchGaussianValues64 sets, for every lane l < n, with a = p.W[l],
// μa = p.M[l], σa = p.S[l] (b, μb, σb of q likewise) and everything from
// the products on in float64:
//
//	va, vb = σa·σa, σb·σb                         (rounded)
//	h      = pairTerm64(|μa − μb|, scale64(va + vb))
//	cr     = fma(b, h, +0)                        (the cross row sum)
//	cross  = 0 + a·cr
//	selfP  = 0 + (a·a)·(σa·2/√π),  selfQ likewise
//	vals   = max(cross − 0.5·(selfP + selfQ), 0)   (−0 and values < 0 become +0, NaN stays)
//	out[l] = vals
//	under[0] = the first lane l with out[l] = 0 and vals > 2⁻⁵⁰·cross, or −1
//
// which is what BatchFront64 (c = 1), BatchCrossRowSums64 and
// BatchPairValues64 give for K = M = 1, bit for bit (BatchDiracRowSums64's
// results too when every σb is 0). It returns BatchFront64's scans of p
// and q against lim (c = 1), which say whether these values are valid; the
// lanes are computed whatever the scans hold (garbage in, garbage out, no
// panic). With n ≤ 0 it writes nothing and returns the scans of no values.
// len(out) and every input slice ≥ n, len(under) ≥ 1; out must not
// overlap an input. Nothing is allocated.
func BatchGaussianValues64(out []float64, under []int, p, q Gaussians64, n int, lim *FrontLimits) (sp, sq FrontScan) {
	return batchGaussian64(out, under, nil, nil, p, q, n, lim)
}

// BatchGaussianGrad64 is BatchGaussianValues64 that also sets the
// derivatives of each value with respect to both sides (gp, gq: weights,
// means, stds), with
//
//	e      = pairGrad64(μa − μb, scale64(va + vb))  → h, serf, e2rq
//	rows   = fma(b, h, +0), fma(b, serf, +0), fma(b, e2rq, +0)   (rh, rd, rr)
//	cols   = fma(a, h, +0), fma(a, serf, +0), fma(a, e2rq, +0)   (ch, cd, cr)
//	gp.W[l] = rh − (0 + a·(σa·2/√π))
//	gp.M[l] = a·((+1·rd) − 0)
//	gp.S[l] = a·((σa·(rr − 0)) − a·(1/√π))          (+0 unless σa > 0)
//	gq.W[l] = ch − (0 + b·(σb·2/√π))
//	gq.M[l] = b·((−1·cd) − 0)
//	gq.S[l] = b·((σb·(cr − 0)) − b·(1/√π))          (+0 unless σb > 0)
//
// and the value from rh as cr above: BatchFront64, BatchCrossGrad64,
// BatchPairValues64 and BatchSideGrad64 for K = M = 1 (with BatchDiracGrad64
// when every σb is 0), bit for bit. len(gp.*), len(gq.*) ≥ n; no output
// may overlap an input or another output.
func BatchGaussianGrad64(out []float64, under []int, gp, gq, p, q Gaussians64, n int, lim *FrontLimits) (sp, sq FrontScan) {
	return batchGaussian64(out, under, &gp, &gq, p, q, n, lim)
}

func batchGaussian64(out []float64, under []int, gp, gq *Gaussians64, p, q Gaussians64, n int, lim *FrontLimits) (sp, sq FrontScan) {
	if n <= 0 {
		return BatchFront64(nil, nil, nil, nil, nil, nil, 1, 0, lim), BatchFront64(nil, nil, nil, nil, nil, nil, 1, 0, lim)
	}
	out = out[:n:len(out)]
	wa, ma, sa := p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)]
	wb, mb, sb := q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)]
	var gpw, gpm, gps, gqw, gqm, gqs []float64
	grad := gp != nil
	if grad {
		gpw, gpm, gps = gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)]
		gqw, gqm, gqs = gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)]
	}
	under[0] = -1 // after every cut: a short slice panics before anything is written
	sp, sq = scanOne(nil, wa, ma, sa, lim, uint64(1)<<63), scanOne(nil, wb, mb, sb, lim, uint64(1)<<63)
	for l := range n {
		a, b, sda, sdb := wa[l], wb[l], sa[l], sb[l]
		q, rq := scale64(float64(sda*sda) + float64(sdb*sdb))
		h, serf, e2rq := pairGrad64(ma[l]-mb[l], q, rq)
		rh := math.FMA(b, h, 0)
		vals, cross := gaussianValue(a, b, sda, sdb, rh)
		out[l] = vals
		if vals == 0 && vals > 0x1p-50*cross && under[0] < 0 {
			under[0] = l
		}
		if !grad {
			continue
		}
		gpw[l], gpm[l], gps[l] = gaussianSideGrad(a, sda, rh, math.FMA(b, serf, 0), math.FMA(b, e2rq, 0), 1, diagFactor, invSqrtPi)
		gqw[l], gqm[l], gqs[l] = gaussianSideGrad(b, sdb, math.FMA(a, h, 0), math.FMA(a, serf, 0), math.FMA(a, e2rq, 0), -1, diagFactor, invSqrtPi)
	}
	return sp, sq
}

// BatchGaussianValues32 is BatchGaussianValues64 for float32 inputs: the
// pair term in float32 (pairTerm32, scale32, fma32), everything from the
// products on with every input converted to float64 as there, and out[l]
// the value rounded to float32 (under[0] tests that rounded value): what
// BatchFront32, BatchCrossRowSums32 and BatchPairValues32 give for
// K = M = 1, bit for bit.
func BatchGaussianValues32(out []float32, under []int, p, q Gaussians32, n int, lim *FrontLimits) (sp, sq FrontScan) {
	return batchGaussian32(out, under, nil, nil, p, q, n, lim)
}

// BatchGaussianGrad32 is BatchGaussianGrad64 for float32 inputs (the pair
// term, the row and column sums and the derivatives in float32, the value
// in float64 as in BatchGaussianValues32): BatchFront32,
// BatchCrossGrad32, BatchPairValues32 and BatchSideGrad32 for K = M = 1,
// bit for bit.
func BatchGaussianGrad32(out []float32, under []int, gp, gq, p, q Gaussians32, n int, lim *FrontLimits) (sp, sq FrontScan) {
	return batchGaussian32(out, under, &gp, &gq, p, q, n, lim)
}

func batchGaussian32(out []float32, under []int, gp, gq *Gaussians32, p, q Gaussians32, n int, lim *FrontLimits) (sp, sq FrontScan) {
	if n <= 0 {
		return BatchFront32(nil, nil, nil, nil, nil, nil, 1, 0, lim), BatchFront32(nil, nil, nil, nil, nil, nil, 1, 0, lim)
	}
	out = out[:n:len(out)]
	wa, ma, sa := p.W[:n:len(p.W)], p.M[:n:len(p.M)], p.S[:n:len(p.S)]
	wb, mb, sb := q.W[:n:len(q.W)], q.M[:n:len(q.M)], q.S[:n:len(q.S)]
	var gpw, gpm, gps, gqw, gqm, gqs []float32
	grad := gp != nil
	if grad {
		gpw, gpm, gps = gp.W[:n:len(gp.W)], gp.M[:n:len(gp.M)], gp.S[:n:len(gp.S)]
		gqw, gqm, gqs = gq.W[:n:len(gq.W)], gq.M[:n:len(gq.M)], gq.S[:n:len(gq.S)]
	}
	under[0] = -1 // after every cut: a short slice panics before anything is written
	sp, sq = scanOne(nil, wa, ma, sa, lim, uint32(1)<<31), scanOne(nil, wb, mb, sb, lim, uint32(1)<<31)
	for l := range n {
		a, b, sda, sdb := wa[l], wb[l], sa[l], sb[l]
		q, rq := scale32(float32(sda*sda) + float32(sdb*sdb))
		h, serf, e2rq := pairGrad32(ma[l]-mb[l], q, rq)
		rh := fma32(b, h, 0)
		A, B, SA, SB := float64(a), float64(b), float64(sda), float64(sdb)
		vals, cross := gaussianValue(A, B, SA, SB, float64(rh))
		r := float32(vals)
		out[l] = r
		if r == 0 && vals > 0x1p-50*cross && under[0] < 0 {
			under[0] = l
		}
		if !grad {
			continue
		}
		gpw[l], gpm[l], gps[l] = gaussianSideGrad(a, sda, rh, fma32(b, serf, 0), fma32(b, e2rq, 0), 1, diagFactor32, invSqrtPi32)
		gqw[l], gqm[l], gqs[l] = gaussianSideGrad(b, sdb, fma32(a, h, 0), fma32(a, serf, 0), fma32(a, e2rq, 0), -1, diagFactor32, invSqrtPi32)
	}
	return sp, sq
}

// gaussianValue returns a pair's value before its rounding to the output
// precision, and its cross sum, from the weights and stds (converted to
// float64) and the cross row sum cr: BatchPairValues64 / BatchPairValues32
// for K = M = 1. The explicit conversions keep the compiler from fusing.
func gaussianValue(a, b, sa, sb, cr float64) (vals, cross float64) {
	cross = 0 + float64(a*cr)
	selfP := 0 + float64(float64(a*a)*float64(sa*diagFactor))
	selfQ := 0 + float64(float64(b*b)*float64(sb*diagFactor))
	return clampZero(cross - float64(0.5*float64(selfP+selfQ))), cross
}

// gaussianSideGrad returns the derivatives of a pair's value with respect to
// the weight, mean and std of one side (weight a, std sd), from the side's
// cross sums H, D, R (sign 1 for p, −1 for q), with 2/√π and 1/√π rounded
// to F (diag, inv): BatchSideGrad64 / BatchSideGrad32 for one component,
// whose self sums are +0. The explicit conversions keep the compiler from
// fusing.
func gaussianSideGrad[F float32 | float64](a, sd, h, d, r, sign, diag, inv F) (gw, gm, gs F) {
	gw = h - F(0+F(a*F(sd*diag)))
	gm = a * F(F(sign*d)-0)
	if sd > 0 {
		gs = a * F(F(sd*F(r-0))-F(a*inv))
	}
	return gw, gm, gs
}
