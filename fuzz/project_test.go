package fuzz

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// Projection kernels (purego.ProjectMeans64 and its neighbours). The fuzzer
// chooses the kernel, the shape and the start offsets (shape), the seed of
// the ordinary values (seed), and raw bit patterns (raw) that overwrite the
// inputs from a position chosen by shape, so that extreme values (±0,
// subnormals, huge, ±Inf, NaN) land in every lane, tile and tail position.
// Every implementation other than purego must equal purego bit for bit;
// purego is checked against a naive float64 reference where the inputs are
// finite and nothing overflows. The entries of the Cholesky factors above the
// diagonal are NaN: reading them would show in the reference check.

type projFn[T float] func(dst, src, thetaT []T, n, d, l int)

var projKindNames = [3]string{"ProjectMeans", "ProjectDiagVars", "ProjectCholVars"}

func projFns64(im *kernels.Impl) [3]projFn[float64] {
	return [3]projFn[float64]{im.ProjectMeans64, im.ProjectDiagVars64, im.ProjectCholVars64}
}

func projFns32(im *kernels.Impl) [3]projFn[float32] {
	return [3]projFn[float32]{im.ProjectMeans32, im.ProjectDiagVars32, im.ProjectCholVars32}
}

// projShape decodes shape: bits 0–1 kind (3 → 0), 2–5 n (0…15), 6–9 d
// (0…15), 10–16 l (0…maxLen), 17–22 slice offsets (0…3 each), 23–31 the
// position where the raw values start.
func projShape(shape uint32) (kind, n, d, l int, offs [3]int, rawAt int) {
	kind = int(shape&3) % 3
	n = int(shape>>2) & 15
	d = int(shape>>6) & 15
	l = (int(shape>>10) & 127) % (maxLen + 1)
	for s := range offs {
		offs[s] = int(shape>>(17+2*s)) & 3
	}
	rawAt = int(shape >> 23)
	return
}

// projPlace copies src to offset off of a new buffer with spare elements
// after it (capacity = length).
func projPlace[T float](src []T, off int) []T {
	buf := make([]T, off+len(src)+4)
	s := buf[off : off+len(src) : off+len(src)]
	copy(s, src)
	return s
}

func projInputs[T float](kind, n, d, l int, seed uint64, raw []byte, rawAt int) (src, th []T) {
	r := rand.New(rand.NewPCG(seed, 0x9e37))
	w := d
	if kind == 2 {
		w = d * d
	}
	src, th = make([]T, n*w), make([]T, d*l)
	for i := range src {
		src[i] = T(r.NormFloat64())
		if kind == 1 {
			src[i] = T(math.Abs(float64(src[i])))
		}
	}
	for i := range th {
		th[i] = T(r.NormFloat64() / math.Sqrt(float64(d)))
	}
	// Raw bit patterns, into the concatenation src ‖ th from rawAt on.
	all := len(src) + len(th)
	size := 8
	if is32[T]() {
		size = 4
	}
	for p := 0; p+size <= len(raw) && all > 0; p += size {
		var v T
		if size == 8 {
			v = T(math.Float64frombits(binary.LittleEndian.Uint64(raw[p:])))
		} else {
			v = T(math.Float32frombits(binary.LittleEndian.Uint32(raw[p:])))
		}
		at := (rawAt + p/size) % all
		if at < len(src) {
			src[at] = v
		} else {
			th[at-len(src)] = v
		}
	}
	if kind == 2 {
		for i := range src {
			if (i/d)%d < i%d {
				src[i] = T(math.NaN())
			}
		}
	}
	return src, th
}

// projNaive returns the float64 reference of element (i, k) and a bound on
// the kernel's error, or ok = false when the check does not apply (a
// non-finite input or a sum that may overflow in T).
func projNaive[T float](kind int, src, th []T, i, k, d, l int) (ref, tol float64, ok bool) {
	var sum, abs float64
	at := func(s []T, p int) float64 { return float64(s[p]) }
	switch kind {
	case 0, 1:
		for j := 0; j < d; j++ {
			t := at(th, j*l+k)
			if v := th[j*l+k]; kind == 1 {
				t = float64(T(v * v)) // the square rounded to T, as defined
			}
			p := at(src, i*d+j) * t
			sum += p
			abs += math.Abs(p)
		}
	case 2:
		for c := 0; c < d; c++ {
			var u, ua float64
			for r := c; r < d; r++ {
				p := at(src, i*d*d+r*d+c) * at(th, r*l+k)
				u += p
				ua += math.Abs(p)
			}
			sum += u * u
			abs += ua * ua
		}
	}
	limit := math.MaxFloat64 / 1024
	if is32[T]() {
		limit = math.MaxFloat32 / 1024
	}
	if !(abs <= limit) { // NaN, Inf or near overflow
		return 0, 0, false
	}
	return sum, 4*float64(d+2)*eps[T]()*abs + 4*float64(d*d+1)*tiny[T](), true
}

func fuzzProject[T float](t *testing.T, shape uint32, seed uint64, raw []byte, ref [3]projFn[T], impls [][3]projFn[T], names []string) {
	kind, n, d, l, offs, rawAt := projShape(shape)
	src, th := projInputs[T](kind, n, d, l, seed, raw, rawAt)
	what := fmt.Sprintf("%s n=%d d=%d l=%d", projKindNames[kind], n, d, l)
	want := make([]T, n*l)
	ref[kind](want, src, th, n, d, l)
	for i := 0; i < n; i++ {
		for k := 0; k < l; k++ {
			nv, tol, ok := projNaive(kind, src, th, i, k, d, l)
			if g := float64(want[i*l+k]); ok && !(math.Abs(g-nv) <= tol) {
				t.Errorf("purego %s: element (%d, %d) = %v, naive reference %v (tolerance %.3g)", what, i, k, g, nv, tol)
			}
		}
	}
	for m, fns := range impls {
		dstBuf := make([]T, offs[2]+n*l+4)
		for p := range dstBuf {
			dstBuf[p] = T(math.Inf(-1)) // a value no kernel produces from these inputs alone
		}
		dst := dstBuf[offs[2] : offs[2]+n*l : offs[2]+n*l]
		s, tt := projPlace(src, offs[0]), projPlace(th, offs[1])
		fns[kind](dst, s, tt, n, d, l)
		for p := range want {
			if !same(dst[p], want[p]) {
				t.Errorf("%s %s: element (%d, %d) = %v (%#x), purego %v (%#x)", names[m], what, p/max(l, 1), p%max(l, 1),
					dst[p], bits(dst[p]), want[p], bits(want[p]))
				break
			}
		}
		for p, v := range dstBuf {
			if (p < offs[2] || p >= offs[2]+n*l) && !math.IsInf(float64(v), -1) {
				t.Errorf("%s %s: wrote %v at %d relative to dst", names[m], what, v, p-offs[2])
				break
			}
		}
		for p := range src {
			if !same(s[p], src[p]) {
				t.Errorf("%s %s: changed its input", names[m], what)
				break
			}
		}
	}
}

// projSeeds are shapes covering every kind, row blocks and remainders, full
// and masked direction tiles, d = 0 and large d.
func projSeeds() []uint32 {
	var seeds []uint32
	enc := func(kind, n, d, l, offs, rawAt int) uint32 {
		return uint32(kind | n<<2 | d<<6 | l<<10 | offs<<17 | rawAt<<23)
	}
	for kind := 0; kind < 3; kind++ {
		for _, s := range [][3]int{{0, 3, 5}, {1, 1, 1}, {6, 4, 8}, {7, 3, 17}, {9, 10, maxLen}, {15, 15, 33}, {13, 0, 9}, {2, 8, 31}} {
			seeds = append(seeds, enc(kind, s[0], s[1], s[2], kind*13+s[0], s[1]*7))
		}
	}
	return seeds
}

func projRaw(vals ...float64) []byte {
	b := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func projRaw32(vals ...float64) []byte {
	b := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
	}
	return b
}

var projExtremes = []float64{0, math.Copysign(0, -1), 0x1p-1074, 0x1p-149, 1e-300, 1e-30, 1e30, 1e300, math.MaxFloat32, math.Inf(1), math.Inf(-1), math.NaN(), -1, 3}

// FuzzProject64 compares every implementation's float64 projection kernels
// with purego, and purego with a naive reference.
func FuzzProject64(f *testing.F) {
	for i, s := range projSeeds() {
		f.Add(s, uint64(i), []byte(nil))
		f.Add(s, uint64(i), projRaw(projExtremes...))
	}
	impls, names := othersPick(f, projFns64)
	ref := [3]projFn[float64]{purego.ProjectMeans64, purego.ProjectDiagVars64, purego.ProjectCholVars64}
	f.Fuzz(func(t *testing.T, shape uint32, seed uint64, raw []byte) {
		fuzzProject(t, shape, seed, raw, ref, impls, names)
	})
}

// FuzzProject32 is FuzzProject64 for the float32 kernels.
func FuzzProject32(f *testing.F) {
	for i, s := range projSeeds() {
		f.Add(s, uint64(i), []byte(nil))
		f.Add(s, uint64(i), projRaw32(projExtremes...))
	}
	impls, names := othersPick(f, projFns32)
	ref := [3]projFn[float32]{purego.ProjectMeans32, purego.ProjectDiagVars32, purego.ProjectCholVars32}
	f.Fuzz(func(t *testing.T, shape uint32, seed uint64, raw []byte) {
		fuzzProject(t, shape, seed, raw, ref, impls, names)
	})
}
