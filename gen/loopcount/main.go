// Command loopcount reports the innermost loops of generated assembly files:
// for every function, each loop (a label and a later unconditional branch
// back to it) with its instruction count and the elements it advances per
// pass (the immediate of its counter update, ADDQ on amd64, SUB on arm64),
// so that kernels of different architectures can be compared per pair term:
//
//	cd gen && go run ./loopcount ../asm/kernels_amd64.s ../asm/kernels_arm64.s
//
// Only loops without a nested loop are listed (the column loops of the row
// kernels, the element loops of the element-wise kernels), and of each
// function the loop that advances most elements per pass: the unrolled loop,
// which runs for all but the last few elements. The batch-lane kernels
// (Batch…) that step over components, one full vector of pairs per pass,
// report the first innermost loop whose label contains "col" (both
// generators emit the full lane blocks' column loop before the partial
// block's), which handles one vector's lanes of pair terms (4 or 8 on
// amd64, 2 or 4 on arm64, by the file name and the precision suffix); those
// whose lanes run in blocks of two passes (the AVX2 value and gradient
// kernels) report their passes per vector, as the row kernels do. With -md
// the result is one Markdown table, a row per function and a column pair
// per file. The
// projection kernels are left out (their loops advance over coordinates, not
// pair terms; gen/neon's header reports them per term).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	textRe  = regexp.MustCompile(`^TEXT\s+·(\w+)\(SB\)`)
	labelRe = regexp.MustCompile(`^(\w+):`)
	backRe  = regexp.MustCompile(`^\s*(JMP|B)\s+(\w+)\s*$`)
	passRe  = regexp.MustCompile(`^\s*JL\s+(\w+_pass\d+)\s*$`)
	stepRe  = regexp.MustCompile(`^\s*(ADDQ|SUB)\s+\$(0x[0-9a-fA-F]+|\d+),\s*(\w+)`)
)

type line struct {
	text  string
	label string
	inst  bool
}

// result is the main loop of one function.
type result struct{ insts, elems int }

func main() {
	md := flag.Bool("md", false, "print a Markdown table")
	flag.Parse()
	if flag.NArg() < 1 {
		log.Fatal("usage: loopcount [-md] file.s …")
	}
	var order []string
	all := make([]map[string]result, flag.NArg())
	for i, name := range flag.Args() {
		all[i] = report(name)
		for fn := range all[i] {
			if !contains(order, fn) {
				order = append(order, fn)
			}
		}
	}
	sort.Strings(order)
	if *md {
		fmt.Print("| kernel |")
		for _, name := range flag.Args() {
			fmt.Printf(" %s |", filepath.Base(name))
		}
		fmt.Print("\n|---|")
		for range flag.Args() {
			fmt.Print("---|")
		}
		fmt.Println()
	}
	for _, fn := range order {
		if *md {
			fmt.Printf("| %s |", fn)
		} else {
			fmt.Printf("%-18s", fn)
		}
		for i := range all {
			r, ok := all[i][fn]
			switch {
			case !ok:
				fmt.Print("  – |")
			case *md:
				fmt.Printf(" %d / %d = %.1f |", r.insts, r.elems, float64(r.insts)/float64(r.elems))
			default:
				fmt.Printf("  %4d insts / %2d elems = %5.1f", r.insts, r.elems, float64(r.insts)/float64(r.elems))
			}
		}
		fmt.Println()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func report(name string) map[string]result {
	out := map[string]result{}
	f, err := os.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var fn string
	var body []line
	flush := func() {
		if fn != "" && !strings.HasPrefix(fn, "Project") {
			if isBatch(fn) && !hasPasses(body) {
				if r, ok := firstColLoop(body); ok {
					out[fn] = result{r, batchLanes(name, fn)}
				}
			} else if r, ok := mainLoop(body); ok {
				out[fn] = r
			}
		}
		body = nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		t := sc.Text()
		if m := textRe.FindStringSubmatch(t); m != nil {
			flush()
			fn = m[1]
			continue
		}
		s := strings.TrimSpace(t)
		switch {
		case s == "" || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "#") ||
			strings.HasPrefix(s, "DATA") || strings.HasPrefix(s, "GLOBL"):
		case labelRe.MatchString(s):
			body = append(body, line{text: s, label: labelRe.FindStringSubmatch(s)[1]})
		default:
			body = append(body, line{text: t, inst: true})
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	flush()
	return out
}

// isBatch reports whether fn is a batch-lane kernel (the exported name or
// the assembly stub's).
func isBatch(fn string) bool {
	return strings.HasPrefix(fn, "Batch") || strings.HasPrefix(fn, "batch")
}

// hasPasses reports whether the function has loops of blocks of passes
// (labels …_passN closed by a conditional branch).
func hasPasses(body []line) bool {
	for _, l := range body {
		if l.inst && passRe.MatchString(l.text) {
			return true
		}
	}
	return false
}

// batchLanes returns the pair terms of one vector of the batch kernel fn in
// the file name: its lanes.
func batchLanes(name, fn string) int {
	lanes := 2 // arm64 float64
	if strings.HasSuffix(name, "_amd64.s") {
		lanes = 4
	}
	if strings.HasSuffix(fn, "32") {
		lanes *= 2
	}
	return lanes
}

// innerLoops returns the loops (label line, back-branch line) of one function
// that contain no other loop.
func innerLoops(body []line) [][2]int {
	var ls [][2]int
	for i, l := range body {
		if !l.inst {
			continue
		}
		m := backRe.FindStringSubmatch(l.text)
		if m == nil {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if body[j].label == m[2] {
				ls = append(ls, [2]int{j, i})
				break
			}
		}
	}
	var inner [][2]int
	for _, a := range ls {
		ok := true
		for _, b := range ls {
			if b != a && b[0] > a[0] && b[1] < a[1] {
				ok = false
			}
		}
		if ok {
			inner = append(inner, a)
		}
	}
	return inner
}

// firstColLoop returns the instruction count of the first innermost loop
// whose label contains "col".
func firstColLoop(body []line) (insts int, found bool) {
	for _, a := range innerLoops(body) {
		if !strings.Contains(body[a[0]].label, "col") {
			continue
		}
		for _, l := range body[a[0] : a[1]+1] {
			if l.inst {
				insts++
			}
		}
		return insts, true
	}
	return 0, false
}

// mainLoop returns, of the loops of one function that contain no other loop,
// the one that advances most elements per pass. Functions whose columns run
// in blocks of passes (gen/avx2's blockPasses: loops labelled …_passN,
// closed by a conditional branch, each advancing one vector) report the sum
// of their passes per vector instead: that is what a whole block costs (for
// the batch-lane gradient kernels, the passes of a middle column of a row,
// gmid_passN: one vector of pairs of different lanes).
func mainLoop(body []line) (best result, found bool) {
	type loop struct{ start, end int }
	var ls, passes []loop
	for i, l := range body {
		if !l.inst {
			continue
		}
		var target string
		isPass := false
		if m := backRe.FindStringSubmatch(l.text); m != nil {
			target = m[2]
		} else if m := passRe.FindStringSubmatch(l.text); m != nil {
			target, isPass = m[1], true
		} else {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			if body[j].label == target {
				if isPass {
					passes = append(passes, loop{j, i})
				} else {
					ls = append(ls, loop{j, i})
				}
				break
			}
		}
	}
	if len(passes) > 0 {
		// The batch-lane gradient kernels of gen/avx2 emit the passes of
		// a column in four variants (the only, first, middle and last
		// column of a row); the middle columns' (gmid_passN) are the ones
		// the long rows run.
		var mid []loop
		for _, a := range passes {
			if strings.HasPrefix(body[a.start].label, "gmid_pass") {
				mid = append(mid, a)
			}
		}
		if len(mid) > 0 {
			passes = mid
		}
		for _, a := range passes {
			insts, step := count(body[a.start : a.end+1])
			best.insts += insts
			best.elems = step
		}
		return best, true
	}
	for _, a := range ls {
		inner := true
		for _, b := range ls {
			if b != a && b.start > a.start && b.end < a.end {
				inner = false
			}
		}
		if !inner {
			continue
		}
		insts, step := count(body[a.start : a.end+1])
		if step > best.elems {
			best, found = result{insts, step}, true
		}
	}
	return best, found
}

// count returns the instructions of a loop and the immediate of its first
// counter update (the elements it advances).
func count(loop []line) (insts, step int) {
	for _, l := range loop {
		if !l.inst {
			continue
		}
		insts++
		if m := stepRe.FindStringSubmatch(l.text); m != nil {
			v, err := strconv.ParseInt(m[2], 0, 64)
			if err == nil && step == 0 {
				step = int(v)
			}
		}
	}
	return insts, step
}
