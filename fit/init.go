package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// cloud is what k-means++ clusters: n weighted points in normalised units
// (samples, or a target mixture's component means), each optionally with
// its own covariance (a target component's, D×D; nil for samples).
type cloud struct {
	n, d int
	x    []float64 // n·d
	w    []float64 // n, summing to 1
	cov  []float64 // n·d·d or nil
	what string    // "samples" or "target components", for errors
}

// Initial covariances: every variance is at least initMinVar (normalised
// units: the data have unit root-mean-square spread), so that a cluster of
// one point starts as a narrow Gaussian rather than a point mass.
const initMinVar = 1e-4

// lloydIterations caps the k-means refinement after seeding.
const lloydIterations = 25

// kmeansTries is how many k-means runs the first initialisation makes; the
// one of lowest inertia is kept (further restarts make one each, for
// diversity). Clouds of more than kmeansAbove points are
// clustered on a random subset of kmeansSize (every point is then assigned
// to the nearest centre for the initial mixture).
const (
	kmeansTries = 4
	kmeansAbove = 20000
	kmeansSize  = 8192
)

// subsample returns m points of the cloud drawn without replacement, their
// weights renormalised.
func (c *cloud) subsample(r *rand.Rand, m int) *cloud {
	perm := r.Perm(c.n)[:m]
	slices.Sort(perm)
	sub := &cloud{n: m, d: c.d, x: make([]float64, m*c.d), w: make([]float64, m), what: c.what}
	var s float64
	for i, j := range perm {
		copy(sub.x[i*c.d:(i+1)*c.d], c.x[j*c.d:(j+1)*c.d])
		sub.w[i] = c.w[j]
		s += c.w[j]
	}
	for i := range sub.w {
		sub.w[i] /= s
	}
	if c.cov != nil {
		dd := c.d * c.d
		sub.cov = make([]float64, m*dd)
		for i, j := range perm {
			copy(sub.cov[i*dd:(i+1)*dd], c.cov[j*dd:(j+1)*dd])
		}
	}
	return sub
}

// kmeansPP seeds K centres by greedy k-means++ (the first with probability
// ∝ wᵢ; for each next one, 2 + ⌊ln K⌋ candidates drawn with probability
// ∝ wᵢ·D²ᵢ, Dᵢ the distance to the nearest centre chosen so far, of which
// the one lowering Σ wᵢ·D²ᵢ most is kept), refines them by weighted Lloyd iterations, and
// returns the mixture of the clusters: weights the clusters' total weights,
// means their centroids, covariances their (moment-matched) covariances. It
// fails when the points have fewer than K distinct positions of positive
// weight.
func kmeansPP(c *cloud, k int, form Covariance, r *rand.Rand, tries int) (*gmm, error) {
	sc := c
	if c.n > kmeansAbove {
		sc = c.subsample(r, kmeansSize)
	}
	var centres []float64
	best := math.Inf(1)
	for try := 0; try < tries; try++ {
		ct, inertia, err := kmeans(sc, k, r)
		if err != nil {
			return nil, err
		}
		if inertia < best {
			centres, best = ct, inertia
		}
	}
	return clusterMixture(c, centres, k, form), nil
}

// kmeans returns K centres of the cloud by greedy k-means++ seeding and
// Lloyd iterations, and their inertia Σ wᵢ·(distance to the nearest centre)².
func kmeans(c *cloud, k int, r *rand.Rand) ([]float64, float64, error) {
	n, d := c.n, c.d
	centres := make([]float64, k*d)
	dist := make([]float64, n)
	first := pick(r, c.w, nil)
	copy(centres, c.x[first*d:(first+1)*d])
	for i := 0; i < n; i++ {
		dist[i] = sqDist(c.x[i*d:(i+1)*d], centres[:d])
	}
	// Greedy k-means++: of 2 + ⌊ln K⌋ candidates drawn ∝ wᵢ·D²ᵢ, keep the
	// one that lowers the potential Σ wᵢ·D²ᵢ most.
	trials := 2 + int(math.Log(float64(k)))
	for j := 1; j < k; j++ {
		var total float64
		for i := 0; i < n; i++ {
			total += c.w[i] * dist[i]
		}
		if !(total > 0) {
			return nil, 0, fmt.Errorf("fit: the %s have only %d distinct points of positive weight, fewer than K = %d", c.what, j, k)
		}
		best, bestPot := -1, math.Inf(1)
		for t := 0; t < trials; t++ {
			i := pick(r, c.w, dist)
			xi := c.x[i*d : (i+1)*d]
			var pot float64
			for q := 0; q < n; q++ {
				pot += c.w[q] * math.Min(dist[q], sqDist(c.x[q*d:(q+1)*d], xi))
			}
			if pot < bestPot {
				best, bestPot = i, pot
			}
		}
		xb := c.x[best*d : (best+1)*d]
		copy(centres[j*d:(j+1)*d], xb)
		for q := 0; q < n; q++ {
			dist[q] = math.Min(dist[q], sqDist(c.x[q*d:(q+1)*d], xb))
		}
	}

	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	sums := make([]float64, k*d)
	mass := make([]float64, k)
	for it := 0; it < lloydIterations; it++ {
		changed := false
		for i := 0; i < n; i++ {
			best, bd := 0, math.Inf(1)
			xi := c.x[i*d : (i+1)*d]
			for j := 0; j < k; j++ {
				if dd := sqDist(xi, centres[j*d:(j+1)*d]); dd < bd {
					best, bd = j, dd
				}
			}
			if assign[i] != best {
				assign[i], changed = best, true
			}
		}
		if !changed {
			break
		}
		clear(sums)
		clear(mass)
		for i := 0; i < n; i++ {
			j := assign[i]
			mass[j] += c.w[i]
			for t := 0; t < d; t++ {
				sums[j*d+t] += c.w[i] * c.x[i*d+t]
			}
		}
		for j := 0; j < k; j++ {
			if mass[j] > 0 {
				for t := 0; t < d; t++ {
					centres[j*d+t] = sums[j*d+t] / mass[j]
				}
			}
		}
	}
	var inertia float64
	for i := 0; i < n; i++ {
		inertia += c.w[i] * sqDist(c.x[i*d:(i+1)*d], centres[assign[i]*d:(assign[i]+1)*d])
	}
	return centres, inertia, nil
}

// clusterMixture assigns every point of the cloud to its nearest centre and
// returns the mixture of the clusters: weights their total weights (at least
// 1e-3/K before renormalising), means the centres, covariances the clusters'
// moment-matched covariances.
func clusterMixture(c *cloud, centres []float64, k int, form Covariance) *gmm {
	n, d := c.n, c.d
	assign := make([]int, n)
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		xi := c.x[i*d : (i+1)*d]
		for j := 0; j < k; j++ {
			if dd := sqDist(xi, centres[j*d:(j+1)*d]); dd < bd {
				best, bd = j, dd
			}
		}
		assign[i] = best
	}
	mass := make([]float64, k)
	// The weighted centroids of the final assignment.
	sums := make([]float64, k*d)
	for i := 0; i < n; i++ {
		j := assign[i]
		mass[j] += c.w[i]
		for t := 0; t < d; t++ {
			sums[j*d+t] += c.w[i] * c.x[i*d+t]
		}
	}
	centres = append([]float64(nil), centres...)
	for j := 0; j < k; j++ {
		if mass[j] > 0 {
			for t := 0; t < d; t++ {
				centres[j*d+t] = sums[j*d+t] / mass[j]
			}
		}
	}

	// The clusters' moments.
	g := newGMM(k, d, form)
	copy(g.mu, centres)
	scatter := make([]float64, k*d*d)
	clear(mass)
	for i := 0; i < n; i++ {
		j := assign[i]
		mass[j] += c.w[i]
		s := scatter[j*d*d : (j+1)*d*d]
		for a := 0; a < d; a++ {
			za := c.x[i*d+a] - centres[j*d+a]
			for b := 0; b < d; b++ {
				s[a*d+b] += c.w[i] * za * (c.x[i*d+b] - centres[j*d+b])
			}
		}
		if c.cov != nil {
			for t, v := range c.cov[i*d*d : (i+1)*d*d] {
				s[t] += c.w[i] * v
			}
		}
	}
	var total float64
	for j := 0; j < k; j++ {
		g.w[j] = math.Max(mass[j], 1e-3/float64(k))
		total += g.w[j]
		s := scatter[j*d*d : (j+1)*d*d]
		if mass[j] > 0 {
			for t := range s {
				s[t] /= mass[j]
			}
		}
		setCov(g, j, s)
	}
	for j := range g.w {
		g.w[j] /= total
	}
	return g
}

// pick draws an index with probability ∝ w[i] (·dist[i] when dist is not nil).
func pick(r *rand.Rand, w, dist []float64) int {
	var total float64
	for i, v := range w {
		if dist != nil {
			v *= dist[i]
		}
		total += v
	}
	u := r.Float64() * total
	last := 0
	for i, v := range w {
		if dist != nil {
			v *= dist[i]
		}
		if v <= 0 {
			continue
		}
		last = i
		if u < v {
			return i
		}
		u -= v
	}
	return last
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i := range a {
		z := a[i] - b[i]
		s += z * z
	}
	return s
}

// setCov sets component j of g from the covariance matrix s (D×D, which it
// may modify), in g's form: every variance raised to at least initMinVar,
// then the Cholesky factor (Full), the square roots of the diagonal
// (Diagonal) or the root of the mean variance (Isotropic).
func setCov(g *gmm, j int, s []float64) { setCovFloor(g, j, s, initMinVar) }

// setCovFloor is setCov with the smallest variance minVar.
func setCovFloor(g *gmm, j int, s []float64, minVar float64) {
	d := g.d
	for a := 0; a < d; a++ {
		if s[a*d+a] < minVar {
			s[a*d+a] = minVar
		}
	}
	switch g.form {
	case Diagonal:
		for a := 0; a < d; a++ {
			g.cov[j*d+a] = math.Sqrt(s[a*d+a])
		}
	case Isotropic:
		var tr float64
		for a := 0; a < d; a++ {
			tr += s[a*d+a]
		}
		g.cov[j] = math.Sqrt(tr / float64(d))
	case Full:
		l := g.cov[j*d*d : (j+1)*d*d]
		for jitter := 0.0; ; jitter = math.Max(2*jitter, minVar) {
			if cholesky(s, l, d, jitter) {
				return
			}
		}
	}
}

// cholesky writes the lower-triangular factor of s + jitter·I into l and
// reports whether s + jitter·I is positive definite.
func cholesky(s, l []float64, d int, jitter float64) bool {
	clear(l)
	for a := 0; a < d; a++ {
		for b := 0; b <= a; b++ {
			v := s[a*d+b]
			if a == b {
				v += jitter
			}
			for t := 0; t < b; t++ {
				v -= l[a*d+t] * l[b*d+t]
			}
			if a == b {
				if !(v > 0) {
					return false
				}
				l[a*d+a] = math.Sqrt(v)
			} else {
				l[a*d+b] = v / l[b*d+b]
			}
		}
	}
	return true
}
