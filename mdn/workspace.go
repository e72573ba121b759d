package mdn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/gmmkit/cramer"
)

// DefaultSlices is the number of random directions a Workspace draws per
// call for D > 1 when neither Directions nor Slices is set.
const DefaultSlices = 32

// Workspace holds the scratch memory of the losses so that repeated calls
// with the same shapes allocate nothing. It is not safe for concurrent use;
// the zero value is ready to use.
type Workspace[F cramer.Float] struct {
	// Threads is reserved for a parallel implementation; the losses
	// currently run on the calling goroutine whatever its value.
	Threads int

	// Directions, when set, are the directions θ of the sliced losses for
	// D > 1 (Dim must equal the head's D). When empty, every call draws
	// Slices (DefaultSlices if 0) fresh directions uniformly on the sphere
	// from a generator seeded once with Seed.
	Directions cramer.Directions[F]
	Slices     int
	Seed       uint64

	rng *rand.Rand

	// Decoded heads: weights (B×K), means and stds (B×K×D), dσ/dx (B×K×D).
	w, mu, s, ds []F
	hd           decodedHeads // the decoded heads of one chunk
	// Batch inputs and outputs of the univariate pair sums.
	p, q cramer.Mixture[F]
	// Weights and stds of point and sample targets.
	tw, ts []F
	gp     cramer.MixtureGrad[F]
	out    []F
	theta  []float64 // directions of the current call (L×D)
	loss   []F
	f64    []float64
	// Gradients w.r.t. the head's weights, means and stds reduced over
	// directions (D > 1).
	rw, rm, rs    []F
	ln            lanes[F]  // the batch-lane kernels' scratch of one chunk
	qself, sorted []float64 // sample targets: self sums, sort buffer
}

// check validates the head, raw (B × Width values: finite, means within
// cramer.MaxMagnitude/√D) and the length of grad; it returns B.
func (ws *Workspace[F]) check(h Head, raw []F, grad []F) (int, error) {
	if err := h.Validate(); err != nil {
		return 0, err
	}
	wd := h.Width()
	if len(raw) == 0 || len(raw)%wd != 0 {
		return 0, &cramer.InputError{Arg: "raw", Field: "length", Index: -1,
			Reason: fmt.Sprintf("%d values is not a positive multiple of the head width %d (K + 2·K·D)", len(raw), wd)}
	}
	nb := len(raw) / wd
	if grad != nil && len(grad) != len(raw) {
		return 0, &cramer.InputError{Arg: "grad", Field: "length", Index: -1, Reason: fmt.Sprintf("%d, want %d (len(raw))", len(grad), len(raw))}
	}
	// One pass with no branch per element (exceedsBound) tells whether any
	// value of raw is not finite or beyond the means' bound; only then are
	// the largest |value| of raw and that of its means taken, and only a
	// failing batch is scanned again to name the first bad element.
	k, kd := h.K, h.K*h.Dim()
	maxMean := cramer.MaxMagnitude[F]() / math.Sqrt(float64(h.Dim()))
	if !exceedsBound(raw, maxMean) {
		return nb, nil
	}
	top := maxAbs(raw, 0, len(raw), len(raw))
	if top-top != 0 {
		for i, v := range raw {
			if v-v != 0 {
				return 0, h.rawError(i, fmt.Sprintf("not finite (%v)", v))
			}
		}
	}
	if float64(top) > maxMean && float64(maxAbs(raw, k, kd, wd)) > maxMean {
		for b := 0; b < nb; b++ {
			for i, v := range raw[b*wd+k : b*wd+k+kd] {
				if math.Abs(float64(v)) > maxMean {
					return 0, h.rawError(b*wd+k+i, fmt.Sprintf("mean magnitude %v exceeds %.3g", v, maxMean))
				}
			}
		}
	}
	return nb, nil
}

// decode validates raw (see check), fills ws.w, ws.mu, ws.s and ws.ds
// (decodeAll) and returns B.
func (ws *Workspace[F]) decode(h Head, raw []F, grad []F) (int, error) {
	nb, err := ws.check(h, raw, grad)
	if err != nil {
		return 0, err
	}
	ws.decodeAll(h, raw, nb)
	return nb, nil
}

// decodeAll decodes the nb examples of the validated raw into ws.w, ws.mu,
// ws.s and ws.ds (contiguous, B×K and B×K×D) by decodeChunk.
func (ws *Workspace[F]) decodeAll(h Head, raw []F, nb int) {
	k, kd, wd := h.K, h.K*h.Dim(), h.Width()
	ws.w = grow(ws.w, nb*k)
	ws.mu = grow(ws.mu, nb*kd)
	ws.s = grow(ws.s, nb*kd)
	ws.ds = grow(ws.ds, nb*kd)
	lim := limitsOf[F]()
	for b0 := 0; b0 < nb; b0 += chunkLen {
		n := min(chunkLen, nb-b0)
		decodeChunk(&ws.hd, h, raw, b0, n, &lim, !is64[F](), true)
		convert(ws.w[b0*k:(b0+n)*k], ws.hd.a)
		convert(ws.s[b0*kd:(b0+n)*kd], ws.hd.sd)
		convert(ws.ds[b0*kd:(b0+n)*kd], ws.hd.dsd)
		for l := 0; l < n; l++ {
			b := b0 + l
			copy(ws.mu[b*kd:(b+1)*kd], raw[b*wd+k:b*wd+k+kd])
		}
	}
}

// exceedsBound reports whether some |x[i]| exceeds bound (≥ 0) or is not
// finite, with no branch per element: the bit patterns of |x[i]| (sign
// cleared), as integers, exceed that of the largest F ≤ bound exactly then
// (NaN and ±Inf patterns exceed every finite one), and adding
// c = (sign bit − 1) − that pattern carries into the sign bit exactly then;
// the sums are or-ed together and their sign bits tested at the end. In
// float32, two elements are taken as the two halves of one uint64 (no
// carry crosses from the low half into the high one: each sum stays below
// 2³²).
func exceedsBound[F cramer.Float](x []F, bound float64) bool {
	if len(x) == 0 {
		return false
	}
	if is64[F]() {
		u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
		b := math.Float64bits(bound)
		const abs, sign = 1<<63 - 1, 1 << 63
		c := uint64(abs) - b
		var acc0, acc1 uint64
		m := uint64(abs)
		for len(u) >= 4 {
			acc0 |= u[0]&m + c
			acc1 |= u[1]&m + c
			acc0 |= u[2]&m + c
			acc1 |= u[3]&m + c
			u = u[4:]
		}
		for _, v := range u {
			acc0 |= v&m + c
		}
		return (acc0|acc1)&sign != 0
	}
	f := float32(bound)
	if float64(f) > bound {
		f = math.Nextafter32(f, 0)
	}
	b := uint64(math.Float32bits(f))
	const abs, sign = 0x7fffffff, 0x80000000
	c := uint64(abs) - b
	u := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
	var acc uint64
	// One element alone up to an 8-byte boundary, then pairs as uint64.
	if uintptr(unsafe.Pointer(&u[0]))%8 != 0 {
		acc |= uint64(u[0])&abs + c
		u = u[1:]
	}
	pairs := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(u))), len(u)/2)
	const abs2, c2 = abs<<32 | abs, 1<<32 + 1
	cc := c * c2
	var acc0, acc1 uint64
	m := uint64(abs2)
	for len(pairs) >= 4 {
		acc0 |= pairs[0]&m + cc
		acc1 |= pairs[1]&m + cc
		acc0 |= pairs[2]&m + cc
		acc1 |= pairs[3]&m + cc
		pairs = pairs[4:]
	}
	for _, p := range pairs {
		acc0 |= p&m + cc
	}
	if len(u)%2 != 0 {
		acc |= uint64(u[len(u)-1])&abs + c
	}
	acc |= acc0 | acc1
	return acc&(sign<<32|sign) != 0
}

// maxAbs returns the largest |x[i]| over the blocks x[off+j·stride :
// off+j·stride+n] (j = 0, 1, … while the block fits), or a NaN or ±Inf when
// one is among them: the bit patterns of |x[i]| compared as integers, which
// orders finite values, then +Inf, then NaNs. No branch per element.
func maxAbs[F cramer.Float](x []F, off, n, stride int) F {
	if is64[F]() {
		u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
		return F(math.Float64frombits(maxBits(u, off, n, stride, 1<<63-1)))
	}
	u := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
	return F(math.Float32frombits(maxBits(u, off, n, stride, 1<<31-1)))
}

// maxBits is maxAbs on bit patterns with the sign bit cleared by mask (four
// independent maxima per block: no latency chain).
func maxBits[U uint32 | uint64](x []U, off, n, stride int, mask U) U {
	var m0, m1, m2, m3 U
	for o := off; o+n <= len(x); o += stride {
		blk := x[o : o+n]
		i := 0
		for ; i+3 < len(blk); i += 4 {
			q := blk[i : i+4 : i+4]
			m0 = max(m0, q[0]&mask)
			m1 = max(m1, q[1]&mask)
			m2 = max(m2, q[2]&mask)
			m3 = max(m3, q[3]&mask)
		}
		for _, v := range blk[i:] {
			m0 = max(m0, v&mask)
		}
	}
	return max(m0, m1, m2, m3)
}

// convert sets dst[i] = F(src[i]) for i < len(dst).
func convert[F cramer.Float](dst []F, src []float64) {
	for i := range dst {
		dst[i] = F(src[i])
	}
}

func is64[F cramer.Float]() bool { return cramer.MaxMagnitude[F]() > 1e20 }

// chain writes the gradient of (1/B)·Σ_b loss[b] w.r.t. raw, given the
// gradients gw (B×K), gm and gs (B×K×D) of each loss[b] w.r.t. the weights,
// means and stds of its mixture (see chainRow).
func (ws *Workspace[F]) chain(h Head, nb int, gw, gm, gs []F, grad []F) {
	k, kd, wd := h.K, h.K*h.Dim(), h.Width()
	inv := 1 / float64(nb)
	for b := 0; b < nb; b++ {
		chainRow(grad[b*wd:(b+1)*wd], ws.w[b*k:(b+1)*k], ws.ds[b*kd:(b+1)*kd],
			gw[b*k:(b+1)*k], gm[b*kd:(b+1)*kd], gs[b*kd:(b+1)*kd], inv)
	}
}

// chainRow writes the raw-output gradient row of one example, scaled by inv,
// from its softmax weights a (K), dσ/dx (K·D) and the gradients of its loss
// w.r.t. the weights (gw), means (gm) and stds (gs): the softmax chain rule
// ∂/∂ℓᵢ = aᵢ(gwᵢ − Σⱼ aⱼgwⱼ), ∂/∂μ = gm and ∂/∂x = gs·dσ/dx.
func chainRow[F, G cramer.Float](row []F, a, ds, gw, gm, gs []G, inv float64) {
	k, kd := len(a), len(gm)
	gw, ds, gs = gw[:k], ds[:kd], gs[:kd]
	var ag float64
	for i, ai := range a {
		ag += float64(ai) * float64(gw[i])
	}
	lg, mu, sc := row[:k], row[k:k+kd], row[k+kd:k+2*kd]
	for i, ai := range a {
		lg[i] = F(inv * float64(ai) * (float64(gw[i]) - ag))
	}
	for i, g := range gm {
		mu[i] = F(inv * float64(g))
		sc[i] = F(inv * float64(gs[i]) * float64(ds[i]))
	}
}

func grow[T any](x []T, n int) []T {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]T, n)
}
