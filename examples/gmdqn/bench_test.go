package main

import "testing"

func BenchmarkTrain(b *testing.B) {
	cfg := defaultConfig()
	cfg.Steps = 3000
	cfg.CheckEvery = 100000
	cfg.EvalEpisodes = 1
	cfg.StartStates = 1
	for i := 0; i < b.N; i++ {
		run(cfg, nil)
	}
}
