//go:build libmvec && cgo && amd64

package bench

// The libmvec comparison: the pair sums written the most direct way in C
// against glibc's vector math library (libmvec, glibc ≥ 2.35), AVX2 + FMA:
// four (float64) or eight (float32) pair terms per vector,
//
//	s = sqrt(v);  z = d / (s·√2);  h = s·√(2/π)·exp(−z²) + d·erf(z)
//
// with _ZGVdN4v_exp / _ZGVdN4v_erf (float64) and _ZGVdN8v_expf /
// _ZGVdN8v_erff (float32). Built only with `-tags libmvec` (it needs cgo, gcc
// and glibc's libmvec), so default and purego builds stay free of cgo.

/*
#cgo CFLAGS: -O2
#cgo LDFLAGS: -lmvec -lm

// -mavx2 -mfma, which cgo's flag allow-list does not pass on.
#pragma GCC target("avx2,fma")

#include <immintrin.h>
#include <math.h>
#include <stdlib.h>

__m256d _ZGVdN4v_erf(__m256d);
__m256d _ZGVdN4v_exp(__m256d);
__m256 _ZGVdN8v_erff(__m256);
__m256 _ZGVdN8v_expf(__m256);

static int mvec_cpu_ok(void) {
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// h(d, √v) for four pairs, v > 0.
static inline __m256d mvec_h4(__m256d d, __m256d v) {
	const __m256d sqrt2 = _mm256_set1_pd(1.41421356237309504880);
	const __m256d c = _mm256_set1_pd(0.79788456080286535588); // √(2/π)
	__m256d s = _mm256_sqrt_pd(v);
	__m256d z = _mm256_div_pd(d, _mm256_mul_pd(s, sqrt2));
	__m256d nz2 = _mm256_mul_pd(_mm256_sub_pd(_mm256_setzero_pd(), z), z);
	__m256d e = _ZGVdN4v_exp(nz2);
	__m256d er = _ZGVdN4v_erf(z);
	return _mm256_fmadd_pd(d, er, _mm256_mul_pd(_mm256_mul_pd(s, c), e));
}

static inline __m256 mvec_h8(__m256 d, __m256 v) {
	const __m256 sqrt2 = _mm256_set1_ps(1.41421356237309504880f);
	const __m256 c = _mm256_set1_ps(0.79788456080286535588f);
	__m256 s = _mm256_sqrt_ps(v);
	__m256 z = _mm256_div_ps(d, _mm256_mul_ps(s, sqrt2));
	__m256 nz2 = _mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), z), z);
	__m256 e = _ZGVdN8v_expf(nz2);
	__m256 er = _ZGVdN8v_erff(z);
	return _mm256_fmadd_ps(d, er, _mm256_mul_ps(_mm256_mul_ps(s, c), e));
}

static inline double hsum4(__m256d a) {
	__m128d x = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
	return _mm_cvtsd_f64(_mm_hadd_pd(x, x));
}

static inline float hsum8(__m256 a) {
	__m128 x = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
	x = _mm_hadd_ps(x, x);
	return _mm_cvtss_f32(_mm_hadd_ps(x, x));
}

// out[i] = Σⱼ wb[j]·h(ma[i] − mb[j], √(va[i] + vb[j])), variances > 0.
static void mvec_cross64(double *out, const double *ma, const double *va, long k,
                         const double *wb, const double *mb, const double *vb, long m) {
	for (long i = 0; i < k; i++) {
		__m256d mi = _mm256_set1_pd(ma[i]), vi = _mm256_set1_pd(va[i]);
		__m256d acc = _mm256_setzero_pd();
		long j = 0;
		for (; j + 4 <= m; j += 4) {
			__m256d d = _mm256_sub_pd(mi, _mm256_loadu_pd(mb + j));
			__m256d v = _mm256_add_pd(vi, _mm256_loadu_pd(vb + j));
			acc = _mm256_fmadd_pd(_mm256_loadu_pd(wb + j), mvec_h4(d, v), acc);
		}
		if (j < m) {
			double d[4] = {0, 0, 0, 0}, v[4] = {1, 1, 1, 1}, w[4] = {0, 0, 0, 0};
			for (long l = 0; j + l < m; l++) {
				d[l] = ma[i] - mb[j + l], v[l] = va[i] + vb[j + l], w[l] = wb[j + l];
			}
			acc = _mm256_fmadd_pd(_mm256_loadu_pd(w), mvec_h4(_mm256_loadu_pd(d), _mm256_loadu_pd(v)), acc);
		}
		out[i] = hsum4(acc);
	}
}

static void mvec_cross32(float *out, const float *ma, const float *va, long k,
                         const float *wb, const float *mb, const float *vb, long m) {
	for (long i = 0; i < k; i++) {
		__m256 mi = _mm256_set1_ps(ma[i]), vi = _mm256_set1_ps(va[i]);
		__m256 acc = _mm256_setzero_ps();
		long j = 0;
		for (; j + 8 <= m; j += 8) {
			__m256 d = _mm256_sub_ps(mi, _mm256_loadu_ps(mb + j));
			__m256 v = _mm256_add_ps(vi, _mm256_loadu_ps(vb + j));
			acc = _mm256_fmadd_ps(_mm256_loadu_ps(wb + j), mvec_h8(d, v), acc);
		}
		if (j < m) {
			float d[8] = {0}, v[8] = {1, 1, 1, 1, 1, 1, 1, 1}, w[8] = {0};
			for (long l = 0; j + l < m; l++) {
				d[l] = ma[i] - mb[j + l], v[l] = va[i] + vb[j + l], w[l] = wb[j + l];
			}
			acc = _mm256_fmadd_ps(_mm256_loadu_ps(w), mvec_h8(_mm256_loadu_ps(d), _mm256_loadu_ps(v)), acc);
		}
		out[i] = hsum8(acc);
	}
}

// The batch: out[b] = ℓ₂²(P_b, Q_b) for nb mixture pairs of k and m
// components (weights, means, stds; structure of arrays, b-th block
// contiguous). All k·m + k² + m² pair terms of a mixture pair are listed
// (d, v, coefficient: wᵢwⱼ for the cross pairs, −½wᵢwⱼ for the self pairs)
// and evaluated four (eight) at a time; pairs with v = 0 (two point masses)
// contribute coefficient·|d| directly. buf holds 3·n doubles (floats), n the
// pair count rounded up to the lane count.
#define MVEC_BATCH(NAME, T, LANES, VEC, LOAD, SETZ, FMA, H, HSUM, ABS)                       \
static void NAME(T *out, long nb, long k, long m,                                               \
                 const T *wp, const T *mp, const T *sp,                                         \
                 const T *wq, const T *mq, const T *sq, T *buf, long n) {                       \
	T *D = buf, *V = buf + n, *C = buf + 2 * n;                                                 \
	for (long b = 0; b < nb; b++) {                                                             \
		const T *w1 = wp + b * k, *m1 = mp + b * k, *s1 = sp + b * k;                           \
		const T *w2 = wq + b * m, *m2 = mq + b * m, *s2 = sq + b * m;                           \
		long c = 0;                                                                             \
		T direct = 0;                                                                           \
		for (int part = 0; part < 3; part++) {                                                  \
			const T *wa = part == 2 ? w2 : w1, *ma = part == 2 ? m2 : m1, *sa = part == 2 ? s2 : s1; \
			const T *wb = part == 1 ? w1 : w2, *mb = part == 1 ? m1 : m2, *sb = part == 1 ? s1 : s2; \
			long na = part == 2 ? m : k, nbb = part == 1 ? k : m;                               \
			T f = part == 0 ? (T)1 : (T)-0.5;                                                   \
			for (long i = 0; i < na; i++) {                                                     \
				for (long j = 0; j < nbb; j++) {                                                \
					T d = ma[i] - mb[j], v = sa[i] * sa[i] + sb[j] * sb[j];                     \
					T cf = f * wa[i] * wb[j];                                                   \
					if (v == 0) {                                                               \
						direct += cf * ABS(d);                                                  \
						continue;                                                               \
					}                                                                           \
					D[c] = d, V[c] = v, C[c] = cf;                                              \
					c++;                                                                        \
				}                                                                               \
			}                                                                                   \
		}                                                                                       \
		for (; c % LANES != 0; c++) {                                                           \
			D[c] = 0, V[c] = 1, C[c] = 0;                                                       \
		}                                                                                       \
		VEC acc = SETZ();                                                                       \
		for (long l = 0; l < c; l += LANES) {                                                   \
			acc = FMA(LOAD(C + l), H(LOAD(D + l), LOAD(V + l)), acc);                           \
		}                                                                                       \
		out[b] = HSUM(acc) + direct;                                                            \
	}                                                                                           \
}

MVEC_BATCH(mvec_batch64, double, 4, __m256d, _mm256_loadu_pd, _mm256_setzero_pd, _mm256_fmadd_pd, mvec_h4, hsum4, fabs)
MVEC_BATCH(mvec_batch32, float, 8, __m256, _mm256_loadu_ps, _mm256_setzero_ps, _mm256_fmadd_ps, mvec_h8, hsum8, fabsf)
*/
import "C"

import "unsafe"

// libmvecUsable reports whether the CPU runs the AVX2 + FMA C code.
func libmvecUsable() bool { return C.mvec_cpu_ok() != 0 }

func ptr64(x []float64) *C.double { return (*C.double)(unsafe.Pointer(unsafe.SliceData(x))) }
func ptr32(x []float32) *C.float  { return (*C.float)(unsafe.Pointer(unsafe.SliceData(x))) }

// libmvecCross64 sets out[i] = Σⱼ wb[j]·h(ma[i] − mb[j], √(va[i] + vb[j]))
// for i < len(ma); every variance sum must be > 0.
func libmvecCross64(out, ma, va, wb, mb, vb []float64) {
	_, _, _ = out[len(ma)-1], va[len(ma)-1], wb[len(mb)-1]
	_ = vb[len(mb)-1]
	C.mvec_cross64(ptr64(out), ptr64(ma), ptr64(va), C.long(len(ma)), ptr64(wb), ptr64(mb), ptr64(vb), C.long(len(mb)))
}

// libmvecCross32 is libmvecCross64 in float32 (libmvec's erff, expf).
func libmvecCross32(out, ma, va, wb, mb, vb []float32) {
	_, _, _ = out[len(ma)-1], va[len(ma)-1], wb[len(mb)-1]
	_ = vb[len(mb)-1]
	C.mvec_cross32(ptr32(out), ptr32(ma), ptr32(va), C.long(len(ma)), ptr32(wb), ptr32(mb), ptr32(vb), C.long(len(mb)))
}

// batchBufLen is the scratch length the batch functions need for mixture
// pairs of k and m components.
func batchBufLen(k, m int) int {
	n := k*m + k*k + m*m
	return 3 * ((n + 7) &^ 7)
}

// libmvecBatch64 sets out[b] = ℓ₂²(P_b, Q_b) for b < len(out) from the
// stacked components (weights, means, stds) of p (k per block) and q (m per
// block); buf has batchBufLen(k, m) elements.
func libmvecBatch64(out []float64, k, m int, wp, mp, sp, wq, mq, sq, buf []float64) {
	nb := len(out)
	checkBatch(nb, k, m, len(wp), len(mp), len(sp), len(wq), len(mq), len(sq), len(buf))
	C.mvec_batch64(ptr64(out), C.long(nb), C.long(k), C.long(m), ptr64(wp), ptr64(mp), ptr64(sp),
		ptr64(wq), ptr64(mq), ptr64(sq), ptr64(buf), C.long(len(buf)/3))
}

// libmvecBatch32 is libmvecBatch64 in float32.
func libmvecBatch32(out []float32, k, m int, wp, mp, sp, wq, mq, sq, buf []float32) {
	nb := len(out)
	checkBatch(nb, k, m, len(wp), len(mp), len(sp), len(wq), len(mq), len(sq), len(buf))
	C.mvec_batch32(ptr32(out), C.long(nb), C.long(k), C.long(m), ptr32(wp), ptr32(mp), ptr32(sp),
		ptr32(wq), ptr32(mq), ptr32(sq), ptr32(buf), C.long(len(buf)/3))
}

func checkBatch(nb, k, m, lwp, lmp, lsp, lwq, lmq, lsq, lbuf int) {
	if lwp < nb*k || lmp < nb*k || lsp < nb*k || lwq < nb*m || lmq < nb*m || lsq < nb*m || lbuf < batchBufLen(k, m) {
		panic("bench: libmvec batch: slice too short")
	}
}
