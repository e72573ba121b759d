package bench

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gmmkit/cramer"
)

// samplePoints returns the two sample sets of BenchmarkSamples: n points each
// of N(0, 1) and N(0.5, 1.5²) from a fixed seed, or, when the environment
// variable CRAMER_SAMPLES_FILE names a file, the sets read from it (raw
// little-endian float64: x then y, of equal length), as written by
// bench/scipy_energy.py so that SciPy and cramer see the same data.
func samplePoints(tb testing.TB, n int) (x, y []float64) {
	if name := os.Getenv("CRAMER_SAMPLES_FILE"); name != "" {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b)%16 != 0 {
			tb.Fatalf("%s: %d bytes, not two float64 arrays of equal length", name, len(b))
		}
		v := make([]float64, len(b)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return v[:len(v)/2], v[len(v)/2:]
	}
	r := rand.New(rand.NewPCG(71, 72))
	x, y = make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = r.NormFloat64(), 0.5+1.5*r.NormFloat64()
	}
	return x, y
}

// cpuTime returns the user + system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs body b.N times (the timer stopped inside body where it wants)
// and reports, besides ns/op, the CPU time per call as cpu-ns/op: the
// calls are single-threaded and allocate nothing, so on a machine shared
// with other processes this is the figure that does not count the time
// spent waiting for a core.
func timed(b *testing.B, body func()) {
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		body()
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkSamples compares, in one run, SquaredSamples on two sample sets
// of N = M = 10⁶ points (value, and value with both gradients; one reused
// Workspace, Threads = 1) with slices.Sort sorting the same 2·10⁶ values
// (the copy into the sorted buffer is not timed). The energy distance
// √(2ℓ₂²), what scipy.stats.energy_distance returns, is reported as a metric
// (×10¹⁵, so that all its digits are printed) so that bench/scipy_energy.py
// can check that both computed the same thing.
func BenchmarkSamples(b *testing.B) {
	const n = 1_000_000
	xv, yv := samplePoints(b, n)
	x, y := cramer.Samples[float64]{Values: xv}, cramer.Samples[float64]{Values: yv}
	ws := &cramer.Workspace[float64]{Threads: 1}
	d, err := ws.SquaredSamples(x, y)
	if err != nil {
		b.Fatal(err)
	}
	energy := math.Sqrt(2 * d)
	b.Run("impl=cramer/call=value", func(b *testing.B) {
		b.ReportAllocs()
		timed(b, func() { ws.SquaredSamples(x, y) })
		b.ReportMetric(energy*1e15, "energy-e15")
	})
	var gx, gy cramer.SamplesGrad[float64]
	ws.SquaredSamplesGrad(x, y, &gx, &gy)
	b.Run("impl=cramer/call=grad", func(b *testing.B) {
		b.ReportAllocs()
		timed(b, func() { ws.SquaredSamplesGrad(x, y, &gx, &gy) })
		b.ReportMetric(energy*1e15, "energy-e15")
	})
	all := append(slices.Clone(xv), yv...)
	buf := make([]float64, len(all))
	b.Run("impl=slices.Sort/call=sort", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			copy(buf, all)
			b.StartTimer()
			c0 := cpuTime()
			slices.Sort(buf)
			cpu += cpuTime() - c0
		}
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	})
}

// BenchmarkSlicedSamplesSort compares, in one run, SlicedSquaredSamples and
// SlicedSquaredSamplesGrad (both gradients) on two sample sets of
// N = M = 10⁵ points in D = 8 over L = 256 directions (Threads = 1) with
// slices.Sort sorting the same L projected arrays of 2·10⁵ values (the
// projections are computed outside the timer). Seconds per call.
func BenchmarkSlicedSamplesSort(b *testing.B) {
	const n, d, l = 100000, 8, 256
	r := rand.New(rand.NewPCG(73, 74))
	x := cramer.SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
	y := cramer.SamplesND[float64]{Dim: d, Values: make([]float64, n*d)}
	for i := range x.Values {
		x.Values[i], y.Values[i] = r.NormFloat64(), 0.5+r.NormFloat64()
	}
	dirs := cramer.RandomDirections[float64](d, l, 2)
	sw := &cramer.SlicedWorkspace[float64]{Threads: 1}
	b.Run("impl=cramer/call=value", func(b *testing.B) {
		sw.SquaredSamples(x, y, dirs) // warm the workspace
		b.ReportAllocs()
		b.ResetTimer()
		timed(b, func() { sw.SquaredSamples(x, y, dirs) })
	})
	var gx, gy cramer.SamplesNDGrad[float64]
	b.Run("impl=cramer/call=grad", func(b *testing.B) {
		sw.SquaredSamplesGrad(x, y, dirs, &gx, &gy)
		b.ReportAllocs()
		b.ResetTimer()
		timed(b, func() { sw.SquaredSamplesGrad(x, y, dirs, &gx, &gy) })
	})
	buf := make([]float64, 2*n)
	b.Run("impl=slices.Sort/call=sort", func(b *testing.B) {
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			for k := range l {
				b.StopTimer()
				th := dirs.Theta[k*d : (k+1)*d]
				for j := range n {
					var px, py float64
					for c, t := range th {
						px += t * x.Values[j*d+c]
						py += t * y.Values[j*d+c]
					}
					buf[j], buf[n+j] = px, py
				}
				b.StartTimer()
				c0 := cpuTime()
				slices.Sort(buf)
				cpu += cpuTime() - c0
			}
		}
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	})
}
