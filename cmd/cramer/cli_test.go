package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gmmkit/cramer"
	"github.com/gmmkit/cramer/mixio"
)

// cramer --help lists every command on one line with its summary.
func TestMainHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		status, stdout, stderr := runCmd(t, args...)
		if status != exitOK || stderr != "" {
			t.Fatalf("%q: exit status %d, stderr %q", args, status, stderr)
		}
		for _, c := range commands {
			if !regexp.MustCompile(`(?m)^  ` + c.name + ` +` + regexp.QuoteMeta(c.summary) + `$`).MatchString(stdout) {
				t.Errorf("%q: no line for %q:\n%s", args, c.name, stdout)
			}
		}
		if !strings.Contains(stdout, "--version") {
			t.Errorf("%q does not mention --version", args)
		}
	}
}

// Each command's --help names every flag, in a column aligned with the
// other flags' descriptions.
func TestCommandHelp(t *testing.T) {
	for _, c := range []struct {
		cmd   string
		flags []string
	}{
		{"dist", []string{"--json", "--grad", "--precision", "--directions", "--seed", "--exact", "-h, --help"}},
		{"bench", []string{"--json", "--impl", "--precision", "--workload", "--time", "-h, --help"}},
		{"kernels", []string{"-h, --help"}},
	} {
		for _, args := range [][]string{{c.cmd, "--help"}, {"help", c.cmd}} {
			status, stdout, _ := runCmd(t, args...)
			if status != exitOK || !strings.HasPrefix(stdout, "usage: cramer "+c.cmd) {
				t.Fatalf("%q: exit status %d, stdout %q", args, status, stdout)
			}
			col := -1
			for _, f := range c.flags {
				m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f) + `( [A-Z0-9a-z|,\[\]…]+)? +\S`).FindStringIndex(stdout)
				if m == nil {
					t.Errorf("%q: flag %s is not listed:\n%s", args, f, stdout)
					continue
				}
				if w := utf8.RuneCountInString(stdout[m[0]:m[1]]); col < 0 {
					col = w
				} else if w != col {
					t.Errorf("%q: the description of %s starts at column %d, others at %d", args, f, w, col)
				}
			}
		}
	}
}

// A usage error is one line and a hint (the synopsis and where to find
// more), never the whole help.
func TestUsageHint(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"dist", exampleP}, {"dist", "--nope", exampleP, exampleQ}, {"bench", "--time", "0s"}, {"kernels", "x"}} {
		status, stdout, stderr := runCmd(t, args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if status != exitBad || stdout != "" || len(lines) != 2 || !strings.Contains(lines[1], "--help") || !strings.HasPrefix(lines[0], "cramer") {
			t.Errorf("%q: exit status %d, stdout %q, stderr %q; want an error line and a hint", args, status, stdout, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		status, stdout, _ := runCmd(t, args...)
		// A test binary has no module version: "(devel)".
		if status != exitOK || !regexp.MustCompile(`^cramer (\(devel\)|v\S+) \(go`).MatchString(stdout) {
			t.Errorf("%q: exit status %d, stdout %q", args, status, stdout)
		}
	}
}

// "-" reads P or Q from standard input.
func TestStdin(t *testing.T) {
	want := parseDist(t, "--json", exampleP, exampleCSV)
	f, err := os.Open(exampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	got := parseDist(t, "--json", exampleP, "-")
	if got.Squared != want.Squared {
		t.Errorf("Q from standard input: squared %v, want %v", got.Squared, want.Squared)
	}
	// P from standard input, a JSON document (told by its first character).
	g, err := os.Open(exampleP)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	os.Stdin = g
	if got := parseDist(t, "--json", "-", exampleCSV); got.Squared != want.Squared {
		t.Errorf("P from standard input: squared %v, want %v", got.Squared, want.Squared)
	}
	status, stdout, stderr := runCmd(t, "dist", "-", "-")
	if status != exitBad || stdout != "" || !strings.Contains(stderr, "standard input") {
		t.Errorf("dist - -: exit status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
}

// An unknown CRAMER_KERNEL is an error for every command (exit status 2,
// one line), after the list for cramer kernels. The choice is made once per
// process: the commands run in child processes.
func TestKernelEnvError(t *testing.T) {
	if args := os.Getenv("CRAMER_CLI_CHILD_ARGS"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	for _, args := range [][]string{{"dist", exampleP, exampleQ}, {"bench", "--time", "1ms", "--workload", "mixtures-1024"}, {"kernels"}} {
		cmd := exec.Command(exe, "-test.run=^TestKernelEnvError$")
		cmd.Env = append(os.Environ(), "CRAMER_KERNEL=no-such-kernel", "CRAMER_CLI_CHILD_ARGS="+strings.Join(args, "\x1f"))
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != exitBad {
			t.Errorf("%q: %v, want exit status 2 (stderr %q)", args, err, stderr.String())
			continue
		}
		if e := stderr.String(); strings.Count(e, "\n") != 1 || !strings.Contains(e, "CRAMER_KERNEL") || !strings.Contains(e, "no-such-kernel") {
			t.Errorf("%q: stderr %q, want one line naming CRAMER_KERNEL and its value", args, e)
		}
		if args[0] == "kernels" && !strings.Contains(stdout.String(), "purego") {
			t.Errorf("kernels: stdout %q, want the list", stdout.String())
		}
		if args[0] != "kernels" && stdout.String() != "" {
			t.Errorf("%q: stdout %q, want nothing", args, stdout.String())
		}
	}
}

// What mixio writes, cramer dist reads: the same distance as the library's
// on the values written.
func TestDistReadsWrittenMixtures(t *testing.T) {
	p := cramer.Mixture[float64]{Weights: []float64{0.3, 0.7}, Means: []float64{-1.25, 2.0 / 3}, Stds: []float64{0.5, 1.0 / 7}}
	q := cramer.MixtureND[float64]{Dim: 1, Weights: []float64{1}, Means: []float64{0.1}, IsoStds: []float64{2}}
	var bp, bq bytes.Buffer
	if err := mixio.WriteMixture(&bp, p); err != nil {
		t.Fatal(err)
	}
	if err := mixio.WriteMixtureND(&bq, q); err != nil {
		t.Fatal(err)
	}
	pf, qf := writeFile(t, "p.json", bp.String()), writeFile(t, "q.json", bq.String())
	want, err := cramer.Squared(p, cramer.Mixture[float64]{Weights: q.Weights, Means: q.Means, Stds: q.IsoStds})
	if err != nil {
		t.Fatal(err)
	}
	if got := parseDist(t, "--json", pf, qf); got.Squared != want || got.Directions != 0 {
		t.Errorf("squared %v directions %d, want %v 0", got.Squared, got.Directions, want)
	}
}
