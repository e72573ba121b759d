package cramer

import (
	"sync"
	"sync/atomic"
)

// Every parallel computation of the package is a set of independent tasks
// that write disjoint memory (the tiles of a pair sum, groups or chunks of
// directions of a sliced sum); their caller combines the results afterwards
// in a fixed order. So the schedule — how many goroutines, which one runs
// which task — never changes a bit of a result.

// tasker is a set of tasks: task(worker, i) runs task i on the goroutine
// numbered worker (0 … workers−1), which may use scratch of its own.
type tasker interface {
	task(worker, i int)
}

// runTasks runs t.task(·, 0) … t.task(·, n−1) on min(threads, n)
// goroutines, the calling one among them (worker 0), each taking the next
// task from a shared counter until none is left. With threads ≤ 1 the tasks
// run in order on the calling goroutine and nothing is allocated; otherwise
// the goroutines cost a few small allocations per call.
func runTasks(n, threads int, t tasker) {
	threads = min(threads, n)
	if threads <= 1 {
		for i := 0; i < n; i++ {
			t.task(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	worker := func(w int) {
		defer wg.Done()
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			t.task(w, i)
		}
	}
	wg.Add(threads)
	for w := 1; w < threads; w++ {
		go worker(w)
	}
	worker(0)
	wg.Wait()
}
