package main

import "math"

// runnalls reduces g to k components by Runnalls' greedy merging (A. R.
// Runnalls, "Kullback–Leibler approach to Gaussian mixture reduction", IEEE
// Trans. Aerospace and Electronic Systems 43(3), 2007): while more than k
// components remain, merge the pair (i, j) with the smallest upper bound on
// the Kullback–Leibler discrimination the merge causes,
//
//	B(i, j) = ½[(wᵢ + wⱼ) log det Σᵢⱼ − wᵢ log det Σᵢ − wⱼ log det Σⱼ],
//
// where Σᵢⱼ is the covariance of the moment-preserving merge of i and j.
func runnalls(g gauss, k int) gauss {
	d := g.d
	w := append([]float64(nil), g.w...)
	mu := make([][]float64, len(w))
	cov := make([][]float64, len(w))
	logdet := make([]float64, len(w))
	for i := range w {
		mu[i] = append([]float64(nil), g.mu[i]...)
		cov[i] = append([]float64(nil), g.cov[i]...)
		_, logdet[i] = chol(cov[i], d)
	}
	alive := len(w)
	for alive > k {
		bi, bj, best := -1, -1, math.Inf(1)
		for i := range w {
			if w[i] < 0 {
				continue
			}
			for j := i + 1; j < len(w); j++ {
				if w[j] < 0 {
					continue
				}
				_, _, ld := merge(w[i], mu[i], cov[i], w[j], mu[j], cov[j], d)
				c := 0.5 * ((w[i]+w[j])*ld - w[i]*logdet[i] - w[j]*logdet[j])
				if c < best {
					bi, bj, best = i, j, c
				}
			}
		}
		m, s, ld := merge(w[bi], mu[bi], cov[bi], w[bj], mu[bj], cov[bj], d)
		w[bi] += w[bj]
		mu[bi], cov[bi], logdet[bi] = m, s, ld
		w[bj] = -1
		alive--
	}
	out := gauss{d: d}
	for i := range w {
		if w[i] >= 0 {
			out.w = append(out.w, w[i])
			out.mu = append(out.mu, mu[i])
			out.cov = append(out.cov, cov[i])
		}
	}
	return out
}

// merge returns the moment-preserving merge of two weighted components and
// the log determinant of its covariance.
func merge(wi float64, mi, si []float64, wj float64, mj, sj []float64, d int) ([]float64, []float64, float64) {
	w := wi + wj
	a, b := wi/w, wj/w
	m := make([]float64, d)
	for t := range m {
		m[t] = a*mi[t] + b*mj[t]
	}
	s := make([]float64, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			dr, dc := mi[r]-mj[r], mi[c]-mj[c]
			s[r*d+c] = a*si[r*d+c] + b*sj[r*d+c] + a*b*dr*dc
		}
	}
	_, ld := chol(s, d)
	return m, s, ld
}
