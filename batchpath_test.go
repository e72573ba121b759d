package cramer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
)

// refBatch computes a batch (unscaled pairs only) the plain way, as a
// reference for the specialised paths of SquaredBatchGrad: every side
// transposed into lane-interleaved scratch whatever its number of
// components, every kernel called (the self sums of one-component mixtures
// included), and each pair combined on its own with ksum, in the order
// chunkValues and chunkGrad document (every product rounded before it is
// added, as the combination kernels define it: no fused multiply-add but
// the explicit math.FMA, whatever the architecture). The results must be
// the same bits.
func refBatch[F Float](im *kernels.Impl, out []F, k, m int, p, q Mixture[F], gp, gq *MixtureGrad[F]) {
	nb := len(out)
	dirac := true
	for _, s := range q.Stds {
		if s != 0 {
			dirac = false
		}
	}
	if gp != nil {
		gp.Weights, gp.Means, gp.Stds = make([]F, nb*k), make([]F, nb*k), make([]F, nb*k)
	}
	if gq != nil {
		gq.Weights, gq.Means, gq.Stds = make([]F, nb*m), make([]F, nb*m), make([]F, nb*m)
	}
	for b0 := 0; b0 < nb; b0 += batchChunk {
		n := min(batchChunk, nb-b0)
		mk := func(c int) []F { return make([]F, c*n) }
		wa, ma, va := mk(k), mk(k), mk(k)
		wb, mb, vb := mk(m), mk(m), mk(m)
		interleave(wa, ma, va, p.Weights, p.Means, p.Stds, b0, n, k)
		interleave(wb, mb, vb, q.Weights, q.Means, q.Stds, b0, n, m)
		g3 := func(c int) gradSums[F] { return gradSums[F]{mk(c), mk(c), mk(c)} }
		crR, crC := g3(k), g3(m)
		spR, spC, sqR, sqC := g3(k), g3(k), g3(m), g3(m)
		if dirac {
			batchDiracGrad(im, crR, gradSums[F]{crC.H, crC.D, nil}, wa, ma, va, wb, mb, n)
		} else {
			batchCrossGrad(im, crR, crC, wa, ma, va, wb, mb, vb, n)
		}
		batchSelfGrad(im, spR, spC, ma, va, wa, n)
		batchSelfGrad(im, sqR, sqC, mb, vb, wb, n)
		// The value kernels give the same row sums as the gradient kernels.
		cr, sp, sq := mk(k), mk(k), mk(m)
		if dirac {
			batchDiracRows(im, cr, ma, va, wb, mb, n)
		} else {
			batchCrossRows(im, cr, ma, va, wb, mb, vb, n)
		}
		batchSelfRows(im, sp, ma, va, wa, n)
		batchSelfRows(im, sq, mb, vb, wb, n)
		for l := 0; l < n; l++ {
			var v float64
			if is64[F]() {
				var c, sP, sQ ksum
				for i := 0; i < k; i++ {
					a, x := float64(wa[i*n+l]), float64(cr[i*n+l])
					pr := float64(a * x)
					c.add(pr)
					c.c += math.FMA(a, x, -pr)
				}
				for i := 0; i < k; i++ {
					a := float64(wa[i*n+l])
					sP.add(float64(a * a * diagTerm(float64(p.Stds[(b0+l)*k+i]))))
					sP.add(float64(2 * a * float64(sp[i*n+l])))
				}
				for i := 0; i < m; i++ {
					a := float64(wb[i*n+l])
					sQ.add(float64(a * a * diagTerm(float64(q.Stds[(b0+l)*m+i]))))
					sQ.add(float64(2 * a * float64(sq[i*n+l])))
				}
				v = c.val() - float64(0.5*(sP.val()+sQ.val()))
			} else {
				var c, sP, sQ float64
				for i := 0; i < k; i++ {
					a := float64(wa[i*n+l])
					c += float64(a * float64(cr[i*n+l]))
					sP += float64(float64(a*a*diagTerm(float64(p.Stds[(b0+l)*k+i]))) + float64(2*a*float64(sp[i*n+l])))
				}
				for i := 0; i < m; i++ {
					a := float64(wb[i*n+l])
					sQ += float64(float64(a*a*diagTerm(float64(q.Stds[(b0+l)*m+i]))) + float64(2*a*float64(sq[i*n+l])))
				}
				v = c - float64(0.5*(sP+sQ))
			}
			out[b0+l] = F(max(v, 0))
		}
		// The derivatives in the output precision F, every operation
		// rounded to F (float32: with 2/√π and 1/√π rounded to float32).
		diag, inv := F(2/math.SqrtPi), F(invSqrtPi)
		side := func(g *MixtureGrad[F], w, s []F, c int, cross, rows, cols gradSums[F], sign F) {
			if g == nil {
				return
			}
			for l := 0; l < n; l++ {
				for i := 0; i < c; i++ {
					x, o := i*n+l, (b0+l)*c+i
					a, sd := w[o], s[o]
					selfH := F(rows.H[x] + cols.H[x])
					selfD := F(rows.D[x] - cols.D[x])
					g.Weights[o] = cross.H[x] - F(selfH+F(a*F(sd*diag)))
					g.Means[o] = a * F(F(sign*cross.D[x])-selfD)
					if sd > 0 {
						selfR := F(rows.R[x] + cols.R[x])
						g.Stds[o] = a * F(F(sd*F(cross.R[x]-selfR))-F(a*inv))
					} else {
						g.Stds[o] = 0
					}
				}
			}
		}
		side(gp, p.Weights, p.Stds, k, crR, spR, spC, 1)
		side(gq, q.Weights, q.Stds, m, crC, sqR, sqC, -1)
	}
}

// TestSquaredBatchPaths checks SquaredBatch and SquaredBatchGrad against
// refBatch bit for bit, with every implementation: one-component sides
// (K = 1 and/or M = 1: no transposition, no self sums), point targets (the
// Dirac kernels), several components (small mixtures and K·M > 16: every
// chunk size of batchChunkFor), every batch size from 1 to past two chunks
// of batchChunk and around one and two larger chunks, both precisions,
// values with and without gradients, and the extremes of the unscaled range
// (tiny and huge means and stds, zero stds).
func TestSquaredBatchPaths(t *testing.T) {
	prev := kernels.Active().Name
	defer kernels.Use(prev)
	for _, name := range kernels.Names() {
		if _, err := kernels.Use(name); err != nil {
			t.Fatal(err)
		}
		im := kernels.Active()
		for _, sh := range []struct {
			k, m    int
			targets string
		}{{1, 1, "mixtures"}, {1, 1, "points"}, {1, 3, "none-zero"}, {3, 1, "mixtures"}, {5, 1, "points"}, {4, 4, "mixtures"}, {2, 5, "points"}, {6, 3, "mixtures"}} {
			for _, style := range []string{"ordinary", "extreme"} {
				name := fmt.Sprintf("%s/k=%d/m=%d/%s/%s", name, sh.k, sh.m, sh.targets, style)
				t.Run(name+"/float64", func(t *testing.T) { checkBatchPaths[float64](t, im, sh.k, sh.m, sh.targets, style) })
				t.Run(name+"/float32", func(t *testing.T) { checkBatchPaths[float32](t, im, sh.k, sh.m, sh.targets, style) })
			}
		}
	}
}

// batchSizes returns the batch sizes the batch tests run for a chunk of
// chunk pairs: every size from 1 to past two chunks of batchChunk, and for a
// larger chunk the sizes around one and two of its chunks.
func batchSizes(chunk int) []int {
	var ns []int
	for nb := 1; nb <= 2*batchChunk+5; nb++ {
		ns = append(ns, nb)
	}
	if chunk > batchChunk {
		ns = append(ns, chunk-1, chunk, chunk+1, 2*chunk-1, 2*chunk, 2*chunk+5)
	}
	return ns
}

func checkBatchPaths[F Float](t *testing.T, im *kernels.Impl, k, m int, targets, style string) {
	sizes := batchSizes(batchChunkFor(k, m))
	maxB := sizes[len(sizes)-1]
	p, q := batchInputs[F](uint64(k*10+m), maxB, k, m, targets)
	if style == "extreme" {
		extremeBatch(p, q, k, m)
	}
	var ws Workspace[F]
	ws.Threads = 1
	for _, nb := range sizes {
		pb := Mixture[F]{p.Weights[:nb*k], p.Means[:nb*k], p.Stds[:nb*k]}
		qb := Mixture[F]{q.Weights[:nb*m], q.Means[:nb*m], q.Stds[:nb*m]}
		want := make([]F, nb)
		var wp, wq MixtureGrad[F]
		refBatch(im, want, k, m, pb, qb, &wp, &wq)
		out, outG := make([]F, nb), make([]F, nb)
		if err := ws.SquaredBatch(out, k, m, pb, qb); err != nil {
			t.Fatalf("B=%d: %v", nb, err)
		}
		var gp, gq MixtureGrad[F]
		if err := ws.SquaredBatchGrad(outG, k, m, pb, qb, &gp, &gq); err != nil {
			t.Fatalf("B=%d: %v", nb, err)
		}
		same := func(what string, got, want []F) {
			t.Helper()
			for i := range want {
				if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
					t.Fatalf("B=%d: %s[%d] = %v, reference %v", nb, what, i, got[i], want[i])
				}
			}
		}
		same("value", out, want)
		same("value with gradients", outG, want)
		same("gp.Weights", gp.Weights, wp.Weights)
		same("gp.Means", gp.Means, wp.Means)
		same("gp.Stds", gp.Stds, wp.Stds)
		same("gq.Weights", gq.Weights, wq.Weights)
		same("gq.Means", gq.Means, wq.Means)
		same("gq.Stds", gq.Stds, wq.Stds)
	}
	out := make([]F, maxB)
	var gp, gq MixtureGrad[F]
	f := func() { ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq) }
	f()
	if a := testing.AllocsPerRun(5, f); a != 0 {
		t.Errorf("%v allocations per call", a)
	}
}

// extremeBatch puts the extremes of the unscaled range into a batch, in
// place: means and stds near MaxMagnitude/8 and near minUnscaled (but every
// pair keeps a magnitude ≥ minUnscaled and every nonzero std ≥ lossyStd, so
// no pair is scaled), zero stds and zero means.
func extremeBatch[F Float](p, q Mixture[F], k, m int) {
	r := rand.New(rand.NewPCG(5, uint64(k*10+m)))
	huge, tiny := MaxMagnitude[F]()/8, 4*minUnscaled[F]()
	for _, x := range []struct {
		mix Mixture[F]
		c   int
	}{{p, k}, {q, m}} {
		for i := range x.mix.Means {
			switch r.IntN(6) {
			case 0:
				x.mix.Means[i] = F(huge * (2*r.Float64() - 1))
			case 1:
				x.mix.Means[i] = F(tiny * (1 + r.Float64()))
				if x.mix.Stds[i] != 0 {
					x.mix.Stds[i] = F(tiny * r.Float64())
				}
			case 2:
				if x.mix.Stds[i] != 0 {
					x.mix.Stds[i] = F(huge * r.Float64())
				}
			case 3:
				x.mix.Means[i] = 0
			}
		}
	}
	// The lossy-std rule is decided per pair; keep every nonzero std well
	// above lossyStd.
	for _, s := range [][]F{p.Stds, q.Stds} {
		for i, v := range s {
			if v != 0 && float64(v) < 4*lossyStd[F]() {
				s[i] = F(4 * lossyStd[F]())
			}
		}
	}
}

// TestScanBatchAgrees checks the one-pass check of a batch side (the
// BatchFront kernel of every implementation, as batchTask calls it, and
// scanOf) against a check element by element (scanRef) and against the
// element checks: whenever the scan accepts a side,
// validateBatchValues accepts it, noLossy says that no nonzero std is below
// lossyStd and big that every
// mixture has a |mean| or std ≥ minUnscaled (and then no pair of a batch
// whose sides both pass needs a scale or has a lossy std); ordinary sides
// are accepted. The inputs mix NaN, ±Inf, negatives, −0, subnormals, values
// at and beyond the magnitude limit, lossy and tiny stds, and weight sums
// at, inside and just outside the tolerance.
func TestScanBatchAgrees(t *testing.T) {
	testScanBatch[float64](t, []float64{0, 1e-300, 5e-324, 0x1p-511, 0x1p-512, 0x1p-256, 0x1p-257, 1e-80, 3, 1e153, 1.0000000000000002e153, 1e200})
	testScanBatch[float32](t, []float64{0, 1e-40, 1e-45, 0x1p-63, 0x1p-64, 0x1p-31, 0x1p-32, 1e-12, 3, 1e18, 1.0000001e18, 1e30})
}

func testScanBatch[F Float](t *testing.T, specials []float64) {
	r := rand.New(rand.NewPCG(8, 9))
	nonFinite := []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	accepted, ordinary := 0, 0
	tol := WeightTolerance[F]()
	for trial := 0; trial < 20000; trial++ {
		nb, c := 1+r.IntN(4), 1+r.IntN(20)
		if r.IntN(2) == 0 { // full vectors of lanes (and a partial one)
			nb = 4 + r.IntN(13)
		}
		if r.IntN(4) == 0 {
			c = 1
		}
		// Sides at an odd element offset too (unaligned vectors).
		off := r.IntN(2)
		mk := func() []F { return make([]F, off+nb*c)[off:] }
		x := Mixture[F]{mk(), mk(), mk()}
		for b := 0; b < nb; b++ {
			blk := x.Weights[b*c : (b+1)*c]
			for i := range blk {
				blk[i] = F(0.1 + r.Float64())
			}
			var s F
			for _, w := range blk {
				s += w
			}
			for i := range blk {
				blk[i] /= s
			}
		}
		for i := range x.Means {
			x.Means[i], x.Stds[i] = F(3*r.NormFloat64()), F(0.1+r.Float64())
		}
		if r.IntN(8) == 0 { // point masses
			clear(x.Stds)
		}
		mode := r.IntN(4)
		if mode == 0 {
			ordinary++
		}
		for e := 0; mode != 0 && e < 1+r.IntN(3); e++ {
			i := r.IntN(nb * c)
			v := specials[r.IntN(len(specials))] * float64(1-2*r.IntN(2))
			switch r.IntN(8) {
			case 0:
				x.Means[i] = F(v)
			case 1:
				x.Stds[i] = F(math.Abs(v))
			case 2:
				x.Stds[i] = F(v)
			case 3:
				x.Stds[i] = F(math.Copysign(0, -1))
			case 4:
				f := []*[]F{&x.Weights, &x.Means, &x.Stds}[r.IntN(3)]
				(*f)[i] = F(nonFinite[r.IntN(len(nonFinite))])
			case 5: // a weight sum at, just inside or just outside the tolerance
				d := tol * (1 + float64(r.IntN(3)-1)*float64(c)*0x1p-40)
				x.Weights[i] += F(d * float64(1-2*r.IntN(2)))
			case 6:
				x.Weights[i] = F(math.Copysign(0, float64(1-2*r.IntN(2))))
			case 7: // a negative weight (or −0) with the sum kept
				if j := i - i%c + (i%c+1)%c; j != i {
					x.Weights[j] += 2 * x.Weights[i]
					x.Weights[i] = -x.Weights[i]
				}
			}
		}
		s := scanLanes(kernels.Active(), x, nb, c)
		for _, name := range kernels.Names() {
			im, _ := kernels.Lookup(name)
			if o := scanLanes(im, x, nb, c); o != s {
				t.Fatalf("%T: %s check %+v, %s %+v: %v", F(0), name, o, kernels.Active().Name, s, x)
			}
		}
		if e := scanRef(x, nb, c); e.ok != s.ok || (s.ok && e != s) {
			t.Fatalf("%T: check %+v, element by element %+v: %v", F(0), s, e, x)
		}
		err := validateBatchValues("p", x, nb, c)
		if mode == 0 && !s.ok {
			t.Fatalf("%T: ordinary side rejected by the scan: %v", F(0), x)
		}
		if !s.ok {
			continue
		}
		accepted++
		if err != nil {
			t.Fatalf("%T: scan accepts what validateBatchValues rejects (%v): %v", F(0), err, x)
		}
		noLossy, big := true, true
		for b := 0; b < nb; b++ {
			var mx float64
			for i := b * c; i < (b+1)*c; i++ {
				sd := float64(x.Stds[i])
				noLossy = noLossy && (sd == 0 || sd >= lossyStd[F]())
				mx = max(mx, math.Abs(float64(x.Means[i])), sd)
			}
			big = big && mx >= minUnscaled[F]()
		}
		if (s.noLossy && !noLossy) || (s.big && !big) {
			t.Fatalf("%T: scan %+v, element checks noLossy %v big %v: %v", F(0), s, noLossy, big, x)
		}
		if s.big && s.noLossy {
			// As a side of a batch against itself: nothing to scale, nothing lossy.
			var sc scaleState[F]
			if e := sc.batchExponents(nb, c, c, x, x); e != nil {
				t.Fatalf("%T: scan says unscaled, exponents %v: %v", F(0), e, x)
			}
			for b := 0; b < nb; b++ {
				m, sd := x.Means[b*c:(b+1)*c], x.Stds[b*c:(b+1)*c]
				if err := lossyCheck("p", m, sd, m, sd, 0, true, 1); err != nil {
					t.Fatalf("%T: scan says no lossy std: %v", F(0), err)
				}
			}
		}
	}
	if accepted < ordinary || accepted < 5000 {
		t.Fatalf("%T: %d of 20000 sides accepted (%d ordinary)", F(0), accepted, ordinary)
	}
}

// TestSquaredBatchDeferred checks the second pass of SquaredBatchGrad:
// chunks with a pair to scale (stds whose variances underflow) or values
// the one-pass check cannot clear (a −0 std) among ordinary chunks give, pair by pair, the bits
// of each pair computed alone as a batch of one (values and gradients, every
// thread count); and an invalid value is reported as the element checks
// report it, the first bad element of p before any of q, whichever chunk
// holds it.
func TestSquaredBatchDeferred(t *testing.T) {
	for _, sh := range [][2]int{{3, 2}, {1, 1}} {
		testBatchDeferred[float64](t, sh[0], sh[1])
		testBatchDeferred[float32](t, sh[0], sh[1])
	}
}

func testBatchDeferred[F Float](t *testing.T, k, m int) {
	chunk := batchChunkFor(k, m)
	nb := 2*chunk + 7
	p, q := batchInputs[F](21, nb, k, m, "mixtures")
	// sp: a pair of chunk 1 that needs a scale; bad: a pair of chunk 2.
	sp, bad := chunk+6, 2*chunk+1
	// Stds whose variances underflow to 0 at scale 1.
	tiny := F(math.Ldexp(1, -1000))
	if !is64[F]() {
		tiny = F(math.Ldexp(1, -140))
	}
	for i := sp * k; i < (sp+1)*k; i++ { // needs a scale
		p.Means[i], p.Stds[i] = tiny*F(i%3), tiny
	}
	for i := sp * m; i < (sp+1)*m; i++ {
		q.Means[i], q.Stds[i] = -tiny, tiny/2
	}
	p.Stds[5] = F(math.Copysign(0, -1)) // a pair of chunk 0: −0 is valid, not cleared
	for _, threads := range []int{1, 3} {
		ws := Workspace[F]{Threads: threads}
		out := make([]F, nb)
		var gp, gq MixtureGrad[F]
		if err := ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < nb; b++ {
			pb := Mixture[F]{p.Weights[b*k : (b+1)*k], p.Means[b*k : (b+1)*k], p.Stds[b*k : (b+1)*k]}
			qb := Mixture[F]{q.Weights[b*m : (b+1)*m], q.Means[b*m : (b+1)*m], q.Stds[b*m : (b+1)*m]}
			one := make([]F, 1)
			var hp, hq MixtureGrad[F]
			if err := SquaredBatchGrad(one, k, m, pb, qb, &hp, &hq); err != nil {
				t.Fatal(err)
			}
			same := func(what string, got, want []F) {
				t.Helper()
				for i := range want {
					if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
						t.Fatalf("%T K=%d M=%d Threads %d pair %d: %s[%d] = %v, alone %v", F(0), k, m, threads, b, what, i, got[i], want[i])
					}
				}
			}
			same("value", out[b:b+1], one)
			same("gp.Weights", gp.Weights[b*k:(b+1)*k], hp.Weights)
			same("gp.Means", gp.Means[b*k:(b+1)*k], hp.Means)
			same("gp.Stds", gp.Stds[b*k:(b+1)*k], hp.Stds)
			same("gq.Weights", gq.Weights[b*m:(b+1)*m], hq.Weights)
			same("gq.Means", gq.Means[b*m:(b+1)*m], hq.Means)
			same("gq.Stds", gq.Stds[b*m:(b+1)*m], hq.Stds)
		}
		if want, err := Squared(Mixture[F]{p.Weights[sp*k : (sp+1)*k], p.Means[sp*k : (sp+1)*k], p.Stds[sp*k : (sp+1)*k]},
			Mixture[F]{q.Weights[sp*m : (sp+1)*m], q.Means[sp*m : (sp+1)*m], q.Stds[sp*m : (sp+1)*m]}); err != nil ||
			math.Abs(float64(out[sp])-float64(want)) > 1e-5*float64(want) {
			t.Fatalf("%T K=%d M=%d: scaled pair %d = %v, Squared %v (%v)", F(0), k, m, sp, out[sp], want, err)
		}
	}
	// Both passes allocate nothing once the workspace is warm.
	ws := Workspace[F]{Threads: 1}
	out := make([]F, nb)
	var gp, gq MixtureGrad[F]
	for name, f := range map[string]func(){
		"SquaredBatch":     func() { ws.SquaredBatch(out, k, m, p, q) },
		"SquaredBatchGrad": func() { ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq) },
	} {
		f()
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%T K=%d M=%d %s with deferred chunks: %v allocations per call", F(0), k, m, name, a)
		}
	}
	// Errors: a bad q element in chunk 0 and a bad p element in chunk 2.
	q.Means[3] = F(math.NaN())
	w := p.Weights[bad*k]
	p.Weights[bad*k] = -1
	err := SquaredBatch(make([]F, nb), k, m, p, q)
	if e, ok := err.(*InputError); !ok || e.Arg != "p" || e.Field != "weights" || e.Index != bad*k {
		t.Fatalf("%T K=%d M=%d: error %v, want p weights[%d] negative", F(0), k, m, err, bad*k)
	}
	p.Weights[bad*k] = w + 0.5
	err = SquaredBatch(make([]F, nb), k, m, p, q)
	if e, ok := err.(*InputError); !ok || e.Arg != "p" || e.Field != "weights" || e.Index != -1 {
		t.Fatalf("%T K=%d M=%d: error %v, want the weight sum of p mixture %d", F(0), k, m, err, bad)
	}
	p.Weights[bad*k] = w
	err = SquaredBatch(make([]F, nb), k, m, p, q)
	if e, ok := err.(*InputError); !ok || e.Arg != "q" || e.Field != "means" || e.Index != 3 {
		t.Fatalf("%T K=%d M=%d: error %v, want q means[3] NaN", F(0), k, m, err)
	}
}

// scanLanes runs the check of batchTask (job.lanes) on a whole side of nb
// mixtures of c components as one chunk, with the implementation im.
func scanLanes[F Float](im *kernels.Impl, x Mixture[F], nb, c int) batchScan {
	j := job[F]{im: im}
	buf := make([]F, 3*c*nb)
	take := func(k int) []F { s := buf[:k*nb]; buf = buf[k*nb:]; return s }
	lim := frontLimits[F](c)
	_, _, _, s := j.lanes(take, x.Weights, x.Means, x.Stds, 0, nb, c, &lim)
	return s
}

// scanRef is what the check of a side must find, value by value with plain
// comparisons of bit patterns (sign bit included: a NaN with it, −0 and
// negatives compare above every accepted pattern) and each mixture's weights
// summed in float64 in ascending order of component: ok when every std and
// weight has its sign bit clear, every |mean| and std is at most the
// magnitude limit and every sum passes the tolerance of frontLimits; big
// when every component has a |mean| or std ≥ minUnscaled; noLossy when every
// std is 0 or ≥ lossyStd.
func scanRef[F Float](x Mixture[F], nb, c int) batchScan {
	lim := frontLimits[F](c)
	bits := func(v F) (b, sign uint64) {
		if is64[F]() {
			return math.Float64bits(float64(v)), 1 << 63
		}
		return uint64(math.Float32bits(float32(v))), 1 << 31
	}
	_, sign := bits(0)
	limit, small, lossy := sign-1-lim.GtLim, sign-lim.GeSmall, sign-lim.GeLossy
	r := batchScan{true, true, true}
	for i := range nb * c {
		m, _ := bits(x.Means[i])
		sd, _ := bits(x.Stds[i])
		w, _ := bits(x.Weights[i])
		am := m &^ sign
		if sd&sign != 0 || w&sign != 0 || am > limit || sd > limit {
			r.ok = false
		}
		if am < small && sd < small {
			r.big = false
		}
		if sd != 0 && sd < lossy {
			r.noLossy = false
		}
	}
	for b := range nb {
		sum := float64(x.Weights[b*c])
		for i := 1; i < c; i++ {
			sum += float64(x.Weights[b*c+i])
		}
		if !(math.Abs(sum-1) <= lim.Tol) {
			r.ok = false
		}
	}
	return r
}

// interleave copies the c components of the n mixtures b0 … b0+n−1 of the
// contiguous w, m, s (B×c) into lane-interleaved dw, dm, dv (c×n: component i
// of mixture b0+l at i*n+l), with variances dv = s²: the plain form of the
// layout the BatchFront kernels write.
func interleave[F Float](dw, dm, dv, w, m, s []F, b0, n, c int) {
	w, m, s = w[b0*c:(b0+n)*c], m[b0*c:(b0+n)*c], s[b0*c:(b0+n)*c]
	dw, dm, dv = dw[:c*n], dm[:c*n], dv[:c*n]
	for l := 0; l < n; l++ {
		o := l * c
		for i := 0; i < c; i++ {
			dw[i*n+l] = w[o+i]
			dm[i*n+l] = m[o+i]
			sd := s[o+i]
			dv[i*n+l] = sd * sd
		}
	}
}

// TestSquaredBatchOneSided checks that SquaredBatchGrad with one gradient
// nil (gp or gq) gives the same values and the same derivatives of the other
// side, bit for bit, as with both, with every implementation: one-component
// sides (the one-pass kernels of single Gaussians take scratch for the side
// not asked for), point targets and larger mixtures, over more than one
// chunk.
func TestSquaredBatchOneSided(t *testing.T) {
	for _, name := range kernels.Names() {
		if _, err := kernels.Use(name); err != nil {
			t.Fatal(err)
		}
		for _, sh := range [][2]int{{1, 1}, {3, 1}, {4, 4}} {
			testBatchOneSided[float64](t, name, sh[0], sh[1])
			testBatchOneSided[float32](t, name, sh[0], sh[1])
		}
	}
	kernels.Use(kernels.Default().Name)
}

func testBatchOneSided[F Float](t *testing.T, name string, k, m int) {
	nb := batchChunkFor(k, m) + 9
	for _, kind := range []string{"mixtures", "points"} {
		p, q := batchInputs[F](5, nb, k, m, kind)
		var ws Workspace[F]
		out, one := make([]F, nb), make([]F, nb)
		var gp, gq, g MixtureGrad[F]
		if err := ws.SquaredBatchGrad(out, k, m, p, q, &gp, &gq); err != nil {
			t.Fatal(err)
		}
		for _, side := range []string{"p", "q"} {
			var err error
			want := gp
			if side == "p" {
				err = ws.SquaredBatchGrad(one, k, m, p, q, &g, nil)
			} else {
				err = ws.SquaredBatchGrad(one, k, m, p, q, nil, &g)
				want = gq
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what      string
				got, want []F
			}{{"value", one, out}, {"weights", g.Weights, want.Weights}, {"means", g.Means, want.Means}, {"stds", g.Stds, want.Stds}} {
				for i := range c.want {
					if math.Float64bits(float64(c.got[i])) != math.Float64bits(float64(c.want[i])) {
						t.Fatalf("%s %T K=%d M=%d %s, only g%s: %s[%d] = %v, with both %v", name, F(0), k, m, kind, side, c.what, i, c.got[i], c.want[i])
					}
				}
			}
		}
	}
}
