package cramer

// sortedWeights fills s.w with the weights in the order of s.idx and puts
// every run of equal keys in order of weight (their indices along).
func sortedWeights[F Float, K radixKey](sc *sampleScratch, s *sortedSet[K], w []F) {
	for r, i := range s.idx {
		s.w[r] = float64(w[i])
	}
	n := len(s.k)
	for i := 0; i < n-1; {
		e := i + 1
		for e < n && s.k[e] == s.k[i] {
			e++
		}
		if e-i > 1 {
			sc.run.sort(s.w[i:e], s.idx[i:e])
		}
		i = e
	}
}

// runSorter sorts a run of weights (with their indices) in increasing order
// of weight: insertion sort when short or in order, heapsort otherwise (no
// allocation, O(k log k)). Equal weights are interchangeable (the order of
// −0 and +0 changes no sum), so the sort need not be stable.
type runSorter struct{}

func (runSorter) sort(w []float64, idx []uint32) {
	k := len(w)
	if k <= 16 {
		for a := 1; a < k; a++ {
			x, xi := w[a], idx[a]
			b := a
			for ; b > 0 && w[b-1] > x; b-- {
				w[b], idx[b] = w[b-1], idx[b-1]
			}
			w[b], idx[b] = x, xi
		}
		return
	}
	sorted := true
	for a := 1; a < k && sorted; a++ {
		sorted = w[a-1] <= w[a]
	}
	if sorted {
		return
	}
	sift := func(root, end int) {
		for {
			c := 2*root + 1
			if c >= end {
				return
			}
			if c+1 < end && w[c+1] > w[c] {
				c++
			}
			if w[root] >= w[c] {
				return
			}
			w[root], w[c] = w[c], w[root]
			idx[root], idx[c] = idx[c], idx[root]
			root = c
		}
	}
	for r := k/2 - 1; r >= 0; r-- {
		sift(r, k)
	}
	for end := k - 1; end > 0; end-- {
		w[0], w[end] = w[end], w[0]
		idx[0], idx[end] = idx[end], idx[0]
		sift(0, end)
	}
}
