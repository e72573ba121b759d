package cramer

import (
	"math"

	"github.com/gmmkit/cramer/kernels"
)

// Projections of the sliced sums: every direction's projected means θᵀmᵢ
// and variances θᵀΣᵢθ, computed once per call by the projection kernels,
// and the univariate mixture θₗ#P read from them.

// transpose returns the c×r transpose of the r×c row-major matrix a.
func transpose[F Float](dst, a []F, r, c int) []F {
	dst = grow(dst, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j*r+i] = a[i*c+j]
		}
	}
	return dst
}

// projectAll returns in pm and pv (grown as needed), computed with the
// projection kernels, the projected means (rows of K per direction: θₗᵀmᵢ)
// and variances (θₗᵀΣᵢθₗ) of p on every direction.
func (sw *SlicedWorkspace[F]) projectAll(im *kernels.Impl, pm, pv []F, p MixtureND[F]) ([]F, []F) {
	k, d, l := len(p.Weights), p.Dim, sw.dirs.Len()
	pm, pv = grow(pm, l*k), grow(pv, l*k)
	// Means: directions as rows against the transposed means, so that each
	// direction's K projections are contiguous.
	sw.tmp = transpose(sw.tmp, p.Means, k, d)
	projectMeans(im, pm, sw.dirs.Theta, sw.tmp, l, d, k)
	switch p.kind() {
	case covIso:
		for r := 0; r < l; r++ {
			t2 := sqNorm(sw.dirs.Theta[r*d : (r+1)*d])
			for i, s := range p.IsoStds {
				pv[r*k+i] = F(float64(s) * float64(s) * t2)
			}
		}
		return pm, pv
	case covDiag:
		sw.tmp = grow(sw.tmp, k*d)
		for i, s := range p.DiagStds {
			sw.tmp[i] = s * s
		}
		sw.tmp2 = grow(sw.tmp2, k*l)
		projectDiagVars(im, sw.tmp2, sw.tmp, sw.thetaT, k, d, l)
	case covChol:
		sw.tmp2 = grow(sw.tmp2, k*l)
		projectCholVars(im, sw.tmp2, p.Chol, sw.thetaT, k, d, l)
	}
	for i := 0; i < k; i++ { // K×L → L×K
		for r := 0; r < l; r++ {
			pv[r*k+i] = sw.tmp2[i*l+r]
		}
	}
	return pm, pv
}

// mixtureAt sets dst to θₗ#p from the precomputed projections and returns
// its variances θₗᵀΣᵢθₗ, which the univariate core uses as they are (the
// stds √(θₗᵀΣᵢθₗ) serve the scale, the self terms and the chain rule).
func mixtureAt[F Float](dst *Mixture[F], p MixtureND[F], pm, pv []F, l int) []F {
	k := len(p.Weights)
	dst.Weights = p.Weights
	dst.Means = pm[l*k : (l+1)*k]
	dst.Stds = grow(dst.Stds, k)
	vars := pv[l*k : (l+1)*k]
	for i, v := range vars {
		dst.Stds[i] = F(math.Sqrt(float64(v)))
	}
	return vars
}
