package cramer

// sortSets sorts x and y (y may be empty) into sortedSets whose buffers are
// sc's: keys for both, indices for a set when its idx flag is set or it is
// weighted, weights in sorted order for weighted sets. ux and uy are the
// weights of unweighted sets. tx and ty, when not zero, are memory the sort
// of x or y uses as its ping-pong half (the gradient outputs); the others
// share one of sc's. It sets sc.maxAbs to the largest |value| of x and y
// (NaN when one is NaN). It does not allocate once sc has grown.
func sortSets[F Float, K radixKey](sc *sampleScratch, x, y Samples[F], idxX, idxY bool, ux, uy float64, tx, ty tmpBuf[K]) (a, b sortedSet[K]) {
	n, m := len(x.Values), len(y.Values)
	idxX, idxY = idxX || x.Weights != nil, (idxY || y.Weights != nil) && m > 0
	if tx.k == nil || idxX && tx.i == nil {
		tx = tmpBuf[K]{}
	}
	if ty.k == nil || idxY && ty.i == nil {
		ty = tmpBuf[K]{}
	}
	// The shared ping-pong half: as long as the larger set without memory
	// of its own.
	bigK, bigI := 0, 0
	if tx.k == nil {
		bigK = n
		if idxX {
			bigI = n
		}
	}
	if ty.k == nil {
		bigK = max(bigK, m)
		if idxY {
			bigI = max(bigI, m)
		}
	}
	// Each set's keys are preceded by the key 0 and followed by ^0, which no
	// value has: the walks read one key past the end of a set (a.k[:n+1]),
	// the backward walks one below its start (a.kx).
	rs := radixOf[K](sc)
	rs.keys = grow(rs.keys, n+m+4+bigK)
	a.kx, b.kx = rs.keys[:n+2:n+2], rs.keys[n+2:n+m+4:n+m+4]
	a.k, b.k = a.kx[1:n+1:n+2], b.kx[1:m+1:m+2]
	if tx.k == nil {
		tx.k = rs.keys[n+m+4:]
	}
	if ty.k == nil {
		ty.k = rs.keys[n+m+4:]
	}
	ni, mi := 0, 0
	if idxX {
		ni = n
	}
	if idxY {
		mi = m
	}
	if ni+mi > 0 {
		rs.idx = grow(rs.idx, ni+mi+bigI)
		if idxX {
			a.idx = rs.idx[:n:n]
			if tx.i == nil {
				tx.i = rs.idx[ni+mi:]
			}
		}
		if idxY {
			b.idx = rs.idx[ni : ni+m : ni+m]
			if ty.i == nil {
				ty.i = rs.idx[ni+mi:]
			}
		}
	}
	rs.cnt = grow(rs.cnt, radixCountersFor(max(n, m)))
	sc.maxAbs = sortedKeys(x.Values, a.k, tx.k, a.idx, tx.i, idxX, rs.cnt)
	if m > 0 {
		sc.maxAbs = max(sc.maxAbs, sortedKeys(y.Values, b.k, ty.k, b.idx, ty.i, idxY, rs.cnt))
	}
	a.kx[0], a.kx[n+1], b.kx[0], b.kx[m+1] = 0, ^K(0), 0, ^K(0)
	nw, mw := 0, 0
	if x.Weights != nil {
		nw = n
	}
	if y.Weights != nil {
		mw = m
	}
	if nw+mw > 0 {
		sc.w = grow(sc.w, nw+mw)
	}
	a.u, b.u = ux, uy
	a.gu, b.gu = ux, uy
	a.scale, b.scale = 1, 1
	if x.Weights != nil {
		a.w = sc.w[:n:n]
		sortedWeights(sc, &a, x.Weights)
	}
	if y.Weights != nil && m > 0 {
		b.w = sc.w[nw : nw+m : nw+m]
		sortedWeights(sc, &b, y.Weights)
	}
	return a, b
}
