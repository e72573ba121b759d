package main

import "testing"

// BenchmarkTrain times 3000 training steps of each agent with the default
// schedule (1000 random steps, then 8 rounds of 128 updates), without greedy
// checks: per op, the cost of about 1000 minibatch updates plus acting.
func BenchmarkTrain(b *testing.B) {
	for _, ag := range []string{agentGM, agentDQN} {
		b.Run(ag, func(b *testing.B) {
			cfg := defaultConfig()
			cfg.Agent = ag
			cfg.Steps, cfg.CheckEvery, cfg.EvalEpisodes, cfg.StartStates = 3000, 1_000_000, 1, 1
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				run(cfg, nil)
			}
		})
	}
}
