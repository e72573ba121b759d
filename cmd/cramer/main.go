// Command cramer computes the Cramér 2-distance between univariate Gaussian
// mixtures and sample sets, the sliced Cramér distance between
// D-dimensional ones, and measures the throughput of the kernels.
//
// Usage:
//
//	cramer dist [--json] [--grad] [--precision f64|f32] [--directions L] [--seed S] [--exact] P Q
//	cramer bench [--json] [--impl NAME] [--precision f64|f32] [--workload NAME] [--time D]
//	cramer kernels
//
// P and Q are files: a mixture {"weights":[…],"means":[…],"stds":[…]}, a sample
// set {"samples":[…],"weights":[…]} (weights optional, uniform when absent), or
// a .csv/.txt file with one sample per line (blank lines and lines starting
// with # are ignored).
//
// In D dimensions the means and samples are rows of D coordinates: a mixture
// {"weights":[…],"means":[[…],…]} with one of "covs":[[[…]]] (full covariance
// matrices, which must be symmetric positive definite), "stds":[[…],…] (D
// standard deviations per component: diagonal covariances) or "std":[…] (one
// per component: isotropic); a sample set {"samples":[[…],…]}; a CSV file
// with D comma-separated coordinates on every line. dist then computes the
// sliced distance, the average of the univariate ℓ₂² of the projections on
// L random directions (--directions, default 256; --seed, default 1), or
// with --exact the exact sliced distance (isotropic mixtures and sample sets
// only; no gradient). With 1-D inputs the distance is exact: --directions
// and --seed are ignored and --exact is a no-op.
//
// dist prints the squared distance ℓ₂², the distance ℓ₂, SciPy's energy
// distance √(2ℓ₂²) (1-D only), the active kernel and what P and Q are. With
// --json it prints one object {"squared": …, "distance": …, "kernel": …,
// "directions": …, "dim": …} (directions is 0 when the value is exact); --grad
// adds "grad_p" and "grad_q", the partial derivatives of ℓ₂² with respect to
// every weight, mean and std of a mixture ("weights", "means", "stds") or
// every value and weight of a sample set ("values", "weights"). In D
// dimensions means and values are rows ([[…],…]) and a mixture's covariance
// parameter is the one of its file: "chol" (the lower-triangular Cholesky
// factors [[[…]]] of "covs"), "stds" or "std".
//
// bench times fixed workloads on one core (GOMAXPROCS 1, a reused Workspace)
// and prints millions of pair terms per second, the median of 5 rounds.
//
// kernels lists the kernel implementations usable on this CPU and marks the
// active one (the environment variable CRAMER_KERNEL chooses another).
//
// Invalid input — an unreadable file, malformed JSON or CSV, an unknown field,
// a NaN, infinite or out-of-range number, a negative std or weight, weights
// not summing to 1, mismatched lengths, ragged rows, a covariance matrix that
// is not symmetric positive definite, P and Q of different dimensions, an
// empty mixture, --exact where it does not apply — is reported on one line
// naming the file, the field and the index, with exit status 2. Usage errors
// also exit with status 2.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gmmkit/cramer/kernels"
)

// Exit statuses.
const (
	exitOK       = 0
	exitInternal = 1 // an unexpected failure (writing the output, a library bug)
	exitBad      = 2 // bad input or usage
)

const usageLine = "usage: cramer dist [--json] [--grad] [--precision f64|f32] [--directions L] [--seed S] [--exact] P Q | cramer bench [--json] [--impl NAME] [--precision f64|f32] [--workload NAME] [--time D] | cramer kernels"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name) and returns
// the exit status. It never panics: a panic is reported on one line and
// turned into exit status 2.
func run(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, oneLine(fmt.Sprintf("cramer: internal error: %v", r)))
			status = exitBad
		}
	}()
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageLine)
		return exitBad
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "dist":
		return cmdDist(rest, stdout, stderr)
	case "bench":
		return cmdBench(rest, stdout, stderr)
	case "fit":
		return cmdFit(rest, stdout, stderr)
	case "kernels":
		return cmdKernels(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usageLine)
		return exitOK
	default:
		fmt.Fprintf(stderr, "cramer: unknown command %q\n%s\n", cmd, usageLine)
		return exitBad
	}
}

// cmdKernels lists the usable kernel implementations, best first, and marks
// the active one.
func cmdKernels(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintln(stdout, "usage: cramer kernels")
			return exitOK
		}
		fmt.Fprintf(stderr, "cramer kernels: unexpected argument %q\nusage: cramer kernels\n", args[0])
		return exitBad
	}
	warnKernelEnv(stderr)
	active := kernels.Active().Name
	for _, name := range kernels.Names() {
		if name == active {
			fmt.Fprintf(stdout, "%s (active)\n", name)
		} else {
			fmt.Fprintln(stdout, name)
		}
	}
	return exitOK
}

// warnKernelEnv reports, on one line, that CRAMER_KERNEL named an unusable
// implementation and the default is used instead.
func warnKernelEnv(stderr io.Writer) {
	if err := kernels.InitError(); err != nil {
		fmt.Fprintln(stderr, oneLine(fmt.Sprintf("cramer: warning: %v; using %s", err, kernels.Active().Name)))
	}
}

// errUsage marks a command-line error: the message is followed by the usage line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// fail prints err on one line (and the usage line for usage errors) and
// returns the matching exit status.
func fail(stderr io.Writer, cmd, usage string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, oneLine("cramer "+cmd+": "+ue.msg))
		fmt.Fprintln(stderr, usage)
		return exitBad
	}
	var ie *internalError
	if errors.As(err, &ie) {
		fmt.Fprintln(stderr, oneLine("cramer "+cmd+": "+err.Error()))
		return exitInternal
	}
	fmt.Fprintln(stderr, oneLine("cramer: "+err.Error()))
	return exitBad
}

// internalError is a failure that is not the user's input (exit status 1).
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// oneLine makes s a single line, whatever a file name or reason contains.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
