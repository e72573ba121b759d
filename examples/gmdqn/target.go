package main

// bellmanTarget writes the distributional Bellman target for one transition
// into w, mu, sd (K components each): with the next state's greedy mixture
// Z(s′, a*) = Σⱼ bⱼ N(μⱼ, σⱼ²),
//
//	r + γ·Z(s′, a*) = Σⱼ bⱼ N(r + γμⱼ, (γσⱼ)²)
//
// exactly (each component shifted by r and scaled by γ: no sampling and no
// projection onto a fixed support). When s′ is terminal there is no future
// return and the target is the point mass δ(r), written as K equal-weight
// components at r with std 0 so that every target has the same shape. The
// target is a constant for the loss: nothing flows back into b, μ, σ.
func bellmanTarget(w, mu, sd []float64, r, gamma float64, terminal bool, b, nextMu, nextSd []float64) {
	if terminal {
		k := float64(len(w))
		for j := range w {
			w[j], mu[j], sd[j] = 1/k, r, 0
		}
		return
	}
	for j := range w {
		w[j] = b[j]
		mu[j] = r + gamma*nextMu[j]
		sd[j] = gamma * nextSd[j]
	}
}

// mixtureMean is Σⱼ wⱼ μⱼ, the expected return of a mixture: the greedy action
// maximises it.
func mixtureMean(w, mu []float64) float64 {
	m := 0.0
	for j := range w {
		m += w[j] * mu[j]
	}
	return m
}
