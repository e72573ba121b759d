package cramer

import (
	"sync/atomic"
	"testing"
)

// countTasks records how often each task ran and on which workers.
type countTasks struct {
	runs    []atomic.Int32
	workers int
	bad     atomic.Int32 // tasks run with a worker number out of range
}

func (c *countTasks) task(worker, i int) {
	if worker < 0 || worker >= c.workers {
		c.bad.Add(1)
	}
	c.runs[i].Add(1)
}

func TestRunTasksRunsEachTaskOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		for _, threads := range []int{-1, 0, 1, 2, 3, 16} {
			c := &countTasks{runs: make([]atomic.Int32, n), workers: max(1, min(threads, n))}
			runTasks(n, threads, c)
			for i := range c.runs {
				if r := c.runs[i].Load(); r != 1 {
					t.Errorf("n=%d threads=%d: task %d ran %d times", n, threads, i, r)
				}
			}
			if b := c.bad.Load(); b != 0 {
				t.Errorf("n=%d threads=%d: %d tasks ran with a worker number outside [0, %d)", n, threads, b, c.workers)
			}
		}
	}
}

func TestRunTasksSerialAllocatesNothing(t *testing.T) {
	c := &countTasks{runs: make([]atomic.Int32, 64), workers: 1}
	if a := testing.AllocsPerRun(10, func() { runTasks(64, 1, c) }); a != 0 {
		t.Errorf("serial runTasks allocates %v times per call", a)
	}
}
