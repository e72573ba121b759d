// Command readpeak measures the peak memory of reading a sample file with
// package mixio: it writes a file of random samples, or reads one and
// prints the process's peak resident memory (VmHWM, Linux only).
//
//	go run ./mixio/internal/readpeak -write csv -n 10000000 /tmp/samples.csv
//	go run ./mixio/internal/readpeak -write json -n 10000000 /tmp/samples.json
//	go run ./mixio/internal/readpeak /tmp/samples.csv
//
// The README quotes what it measured.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/gmmkit/cramer/mixio"
)

func main() {
	write := flag.String("write", "", "write a file of samples in this format (csv or json) instead of reading")
	n := flag.Int("n", 10_000_000, "the number of samples to write")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: readpeak [-write csv|json] [-n N] FILE")
		os.Exit(2)
	}
	name := flag.Arg(0)
	if *write != "" {
		if err := writeSamples(name, *write, *n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	f, err := mixio.ReadFile[float64](name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	st, _ := os.Stat(name)
	fmt.Printf("%s: %d MB, %s; %d MB of values; peak resident memory %s\n", name, st.Size()>>20, f.Describe(), len(f.Samples.Values)*8>>20, peak())
}

// writeSamples writes n normal samples (seed 1) with 17 significant digits.
func writeSamples(name, format string, n int) error {
	fh, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fh)
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 0, 32)
	if format == "json" {
		w.WriteString(`{"samples": [`)
	}
	for i := 0; i < n; i++ {
		b = strconv.AppendFloat(b[:0], 3*r.NormFloat64(), 'g', 17, 64)
		if format == "json" && i > 0 {
			w.WriteString(", ")
		}
		w.Write(b)
		if format != "json" {
			w.WriteByte('\n')
		}
	}
	if format == "json" {
		w.WriteString("]}\n")
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return fh.Close()
}

// peak returns VmHWM from /proc/self/status.
func peak() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (no /proc/self/status)"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
