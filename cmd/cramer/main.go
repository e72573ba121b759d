// Command cramer computes the Cramér 2-distance between univariate Gaussian
// mixtures and sample sets, the sliced Cramér distance between
// D-dimensional ones, and measures the throughput of the kernels.
//
// Install it with
//
//	go install github.com/gmmkit/cramer/cmd/cramer@latest
//
// Usage:
//
//	cramer dist [--json] [--grad] [--precision f64|f32] [--directions L] [--seed S] [--exact] P Q
//	cramer fit --k K [--cov full|diag|iso] [--seed S] [--restarts R] [--directions L] [--out model.json] [--plot fit.png] [--quiet] DATA
//	cramer bench [--json] [--impl NAME] [--precision f64|f32] [--workload NAME] [--time D]
//	cramer kernels
//	cramer --help | cramer COMMAND --help | cramer --version
//
// P and Q are files (- reads standard input) in the formats of package
// mixio, which reads them: a mixture {"weights":[…],"means":[…],"stds":[…]},
// a sample set {"samples":[…],"weights":[…]} (weights optional, uniform when
// absent), or a .csv/.txt file with one sample per line (blank lines and
// lines starting with # are ignored).
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
// only; gradients for two isotropic mixtures). When both inputs have dimension 1 — 1-D files, or
// files in the D-dimensional layout with D = 1 — the distance is the exact
// univariate one: --directions and --seed are ignored and --exact is a
// no-op.
//
// dist prints the squared distance ℓ₂², the distance ℓ₂, SciPy's energy
// distance √(2ℓ₂²) (1-D only), the active kernel and what P and Q are. With
// --json it prints one object {"squared": …, "distance": …, "kernel": …,
// "directions": …, "dim": …} (directions is 0 when the value is exact); --grad
// adds "grad_p" and "grad_q", the partial derivatives of ℓ₂² with respect to
// every weight, mean and std of a mixture ("weights", "means", "stds") or
// every value and weight of a sample set ("values", "weights"), in the
// layout of the file: in the D-dimensional layout means and values are rows
// ([[…],…]) and a mixture's covariance parameter is the one of its file:
// "chol" (the lower-triangular Cholesky factors [[[…]]] of "covs"), "stds"
// or "std".
//
// bench times fixed workloads on one core (GOMAXPROCS 1, a reused Workspace)
// and prints millions of pair terms per second, the median of 5 rounds.
//
// kernels lists the kernel implementations usable on this CPU and marks the
// active one. The environment variable CRAMER_KERNEL chooses another; a name
// that is unknown or that this CPU cannot run is an error for every command
// (exit status 2).
//
// Invalid input — an unreadable file, malformed JSON (reported at its line
// and column, naming the field) or CSV, an unknown field, a NaN, infinite or
// out-of-range number, a negative std or weight, weights not summing to 1,
// mismatched lengths, ragged rows, a covariance matrix that is not symmetric
// positive definite, P and Q of different dimensions, an empty mixture,
// --exact where it does not apply — is reported on one line naming the
// file, the field and the index, with exit status 2. A usage error prints
// one line and a hint, with exit status 2.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/kernels"
)

// Exit statuses.
const (
	exitOK       = 0
	exitInternal = 1 // an unexpected failure (writing the output, a library bug)
	exitBad      = 2 // bad input or usage
)

// command is one subcommand: its name, a one-line summary for cramer
// --help, and the function that runs it with the remaining arguments.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order cramer --help shows them.
var commands = []command{
	{"dist", "the Cramér distance between two mixtures or sample sets", cmdDist},
	{"fit", "fit a Gaussian mixture to samples, or reduce a mixture, by the Cramér distance", cmdFit},
	{"bench", "time the pair kernels on fixed workloads (Mpair/s on one core)", cmdBench},
	{"kernels", "list the kernel implementations usable on this CPU and the active one", cmdKernels},
}

// mainHint ends a top-level usage error.
const mainHint = "usage: cramer COMMAND [flags] [arguments]  (cramer --help for the commands)"

// mainHelp is printed by cramer --help.
func mainHelp() string {
	var b strings.Builder
	b.WriteString(`cramer computes the Cramér 2-distance between Gaussian mixtures and sample
sets: exactly in one dimension, sliced over random directions (or exactly
for isotropic mixtures) in D dimensions, with gradients.

Usage:
  cramer COMMAND [flags] [arguments]

Commands:
`)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	b.WriteString(`
Flags:
  -h, --help   this help
  --version    print the version of cramer

Run 'cramer COMMAND --help' for a command's flags and file formats.
Environment: CRAMER_KERNEL names the kernel implementation to use (see
'cramer kernels'); an unknown name is an error.`)
	return b.String()
}

// version returns the module version cramer was built from ("v1.2.3" when
// installed with go install …@version, "(devel)" for a local build).
func version() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("cramer %s (%s %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

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
		fmt.Fprintln(stderr, "cramer: no command")
		fmt.Fprintln(stderr, mainHint)
		return exitBad
	}
	name, rest := args[0], args[1:]
	switch {
	case isHelp(name) || name == "help" && len(rest) == 0:
		fmt.Fprintln(stdout, mainHelp())
		return exitOK
	case name == "help":
		// cramer help COMMAND is cramer COMMAND --help.
		name, rest = rest[0], []string{"--help"}
	case name == "--version" || name == "-version" || name == "version":
		fmt.Fprintln(stdout, version())
		return exitOK
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(rest, stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, oneLine(fmt.Sprintf("cramer: unknown command %q", name)))
	fmt.Fprintln(stderr, mainHint)
	return exitBad
}

const (
	kernelsUsage = "usage: cramer kernels"
	kernelsHelp  = kernelsUsage + `

Lists the kernel implementations usable on this CPU, best first, and marks
the active one. The environment variable CRAMER_KERNEL chooses another
(for example CRAMER_KERNEL=purego); a name that is unknown or that this CPU
cannot run is reported as an error (exit status 2), after the list.

Flags:
  -h, --help   this help`
)

// cmdKernels lists the usable kernel implementations, best first, and marks
// the active one.
func cmdKernels(args []string, stdout, stderr io.Writer) (status int) {
	if len(args) > 0 {
		if isHelp(args[0]) {
			fmt.Fprintln(stdout, kernelsHelp)
			return exitOK
		}
		return fail(stderr, "kernels", kernelsUsage, &usageError{fmt.Sprintf("unexpected argument %q", args[0])})
	}
	active := kernels.Active().Name
	defer func() {
		if err := kernelEnvError(); err != nil {
			status = fail(stderr, "kernels", kernelsUsage, err)
		}
	}()
	for _, name := range kernels.Names() {
		if name == active {
			fmt.Fprintf(stdout, "%s (active)\n", name)
		} else {
			fmt.Fprintln(stdout, name)
		}
	}
	return exitOK
}

// kernelEnvError reports an environment variable CRAMER_KERNEL that names
// no usable kernel implementation: a bad-input error (exit status 2).
func kernelEnvError() error {
	if err := cramer.KernelError(); err != nil {
		return fmt.Errorf("%w (unset it to use the best one, %s)", err, kernels.Default().Name)
	}
	return nil
}

// usageError is a command-line error: the message is followed by a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// fail prints err on one line (for a usage error followed by a hint: the
// command's synopsis usage and where to find more) and returns the matching
// exit status.
func fail(stderr io.Writer, cmd, usage string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, oneLine("cramer "+cmd+": "+ue.msg))
		fmt.Fprintf(stderr, "%s  (cramer %s --help for more)\n", usage, cmd)
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
