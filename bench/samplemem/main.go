// Command samplemem measures the memory one call of the sample-set functions
// allocates beyond its inputs: the bytes allocated during the call
// (runtime.MemStats.TotalAlloc, which with a fresh workspace is the
// workspace's scratch: gradient outputs are sized before the call) and the peak heap in use
// (sampled every millisecond during the call), next to the size of the
// inputs. Run under /usr/bin/time -v for the process's maximum RSS:
//
//	go build -o /tmp/samplemem ./bench/samplemem
//	/usr/bin/time -v /tmp/samplemem -case samples -n 10000000
//	/usr/bin/time -v /tmp/samplemem -case samples-grad -n 10000000
//	/usr/bin/time -v /tmp/samplemem -case tosamples -k 64 -n 10000000
//	/usr/bin/time -v /tmp/samplemem -case sliced -n 1000000 -d 16 -l 64
//
// The figures it gives are in the README's memory notes.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gmmkit/cramer"
)

func main() {
	which := flag.String("case", "samples", "samples, samples-grad, tosamples, tosamples-grad, sliced, sliced-grad")
	n := flag.Int("n", 10_000_000, "points per sample set")
	k := flag.Int("k", 64, "components of the mixture (tosamples)")
	d := flag.Int("d", 16, "dimension (sliced)")
	l := flag.Int("l", 64, "directions (sliced)")
	threads := flag.Int("threads", 1, "Workspace.Threads")
	flag.Parse()

	r := rand.New(rand.NewPCG(1, 2))
	normals := func(m int, mu float64) []float64 {
		v := make([]float64, m)
		for i := range v {
			v[i] = mu + r.NormFloat64()
		}
		return v
	}
	var call func()
	var input int
	switch *which {
	case "samples", "samples-grad":
		x, y := cramer.Samples[float64]{Values: normals(*n, 0)}, cramer.Samples[float64]{Values: normals(*n, 0.5)}
		input = 8 * 2 * *n
		var gx, gy *cramer.SamplesGrad[float64]
		if *which == "samples-grad" {
			// Outputs sized beforehand: they are the caller's, not scratch.
			gx = &cramer.SamplesGrad[float64]{Values: make([]float64, *n), Weights: make([]float64, *n)}
			gy = &cramer.SamplesGrad[float64]{Values: make([]float64, *n), Weights: make([]float64, *n)}
		}
		call = func() {
			ws := cramer.Workspace[float64]{Threads: *threads}
			if _, err := ws.SquaredSamplesGrad(x, y, gx, gy); err != nil {
				panic(err)
			}
		}
	case "tosamples", "tosamples-grad":
		p := cramer.Mixture[float64]{Weights: make([]float64, *k), Means: normals(*k, 0), Stds: make([]float64, *k)}
		for i := range p.Weights {
			p.Weights[i], p.Stds[i] = 1/float64(*k), 0.5+r.Float64()
		}
		x := cramer.Samples[float64]{Values: normals(*n, 0.5)}
		input = 8 * (*n + 3**k)
		var gp *cramer.MixtureGrad[float64]
		var gx *cramer.SamplesGrad[float64]
		if *which == "tosamples-grad" {
			gp = &cramer.MixtureGrad[float64]{Weights: make([]float64, *k), Means: make([]float64, *k), Stds: make([]float64, *k)}
			gx = &cramer.SamplesGrad[float64]{Values: make([]float64, *n), Weights: make([]float64, *n)}
		}
		call = func() {
			ws := cramer.Workspace[float64]{Threads: *threads}
			if _, err := ws.SquaredToSamplesGrad(p, x, gp, gx); err != nil {
				panic(err)
			}
		}
	case "sliced", "sliced-grad":
		x := cramer.SamplesND[float64]{Dim: *d, Values: normals(*n**d, 0)}
		y := cramer.SamplesND[float64]{Dim: *d, Values: normals(*n**d, 0.5)}
		dirs := cramer.RandomDirections[float64](*d, *l, 3)
		input = 8 * 2 * *n * *d
		var gx, gy *cramer.SamplesNDGrad[float64]
		if *which == "sliced-grad" {
			gx = &cramer.SamplesNDGrad[float64]{Values: make([]float64, *n**d), Weights: make([]float64, *n)}
			gy = &cramer.SamplesNDGrad[float64]{Values: make([]float64, *n**d), Weights: make([]float64, *n)}
		}
		call = func() {
			sw := cramer.SlicedWorkspace[float64]{Threads: *threads}
			if _, err := sw.SquaredSamplesGrad(x, y, dirs, gx, gy); err != nil {
				panic(err)
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown case", *which)
		os.Exit(2)
	}

	debug.SetGCPercent(-1) // nothing is freed during the call: the peak is every byte it allocates
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if h := m.HeapInuse; h > peak.Load() {
				peak.Store(h)
			}
		}
	}()
	t0 := time.Now()
	call()
	el := time.Since(t0)
	close(done)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	fmt.Printf("case=%s n=%d input=%.1f MB allocated-during-call=%.1f MB (%.2f× input) peak-heap-growth=%.1f MB time=%v\n",
		*which, *n, float64(input)/1e6, float64(alloc)/1e6, float64(alloc)/float64(input),
		float64(max(peak.Load(), after.HeapInuse)-before.HeapInuse)/1e6, el.Round(time.Millisecond))
}
