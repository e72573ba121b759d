package purego

import "math"

// ProjectSizes returns the slice lengths the projection kernels
// (ProjectMeans64 and its neighbours) use for n rows of dimension d and l
// directions: n·l (dst), n·w (the source rows, w = d, or d·d when chol is
// set: one Cholesky factor per row) and d·l (thetaT). It panics if n, d or l
// is negative or a product overflows int, so that every implementation
// rejects the same arguments before touching memory.
func ProjectSizes(n, d, l int, chol bool) (nl, nw, dl int) {
	if n < 0 || d < 0 || l < 0 {
		panic("purego: negative projection size")
	}
	w := d
	if chol {
		w = mulSize(d, d)
	}
	return mulSize(n, l), mulSize(n, w), mulSize(d, l)
}

func mulSize(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		panic("purego: projection size overflows int")
	}
	return a * b
}
