// Command neon generates the arm64 NEON assembly of every kernel of package
// asm (the pair kernels in pair.go, the projection kernels in project.go,
// the batches of single Gaussians in gaussian.go, the batch combination
// kernels in combine.go)
// from the algorithm description in internal/approx, with the instruction
// emitter of gen/arm64:
//
//	cd gen && go run ./neon -out ../asm/kernels_arm64.s -stubs ../asm/kernels_arm64.go
//
// The NEON code runs the purego algorithm operation for operation, two
// float64 or four float32 lanes at a time (the parts of the batch kernels
// that compute float32 inputs in float64, BatchPairValues32 and the value
// of BatchGaussian…32: two lanes at a time), so its element-wise results
// equal purego's bit for bit. The kernels, their parameters and names come from
// gen/internal/spec. The Go declarations are unexported (spec.Stub:
// crossGrad64 for CrossGrad64, the names gen/avx2 gives the amd64 code) and
// //go:noescape: the assembly trusts its lengths, so package asm exports
// only the checked functions gen/checked writes, which cut every slice to
// the length used here.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math"
	"os"
	"strings"

	"github.com/gmmkit/cramer/gen/arm64"
	"github.com/gmmkit/cramer/gen/internal/spec"
)

// command is how the files are regenerated; it goes into their headers.
const command = "cd gen && go run ./neon -out ../asm/kernels_arm64.s -stubs ../asm/kernels_arm64.go"

// prec is one precision: float64 in two lanes or float32 in four.
type prec struct {
	f64   bool
	arr   arm64.Arr
	lanes int
	size  int    // bytes per element
	shift int    // log2(size)
	name  string // "64" or "32"
	ty    string // "float64" or "float32"
}

var (
	prec64 = &prec{f64: true, arr: arm64.D2, lanes: 2, size: 8, shift: 3, name: "64", ty: "float64"}
	prec32 = &prec{f64: false, arr: arm64.S4, lanes: 4, size: 4, shift: 2, name: "32", ty: "float32"}
)

// gen is the output: the assembly, the Go declarations and the data.
type gen struct {
	arm64.Prog
	stubs  bytes.Buffer
	data   bytes.Buffer
	labels map[string]bool
	fn     string        // current function, to make labels unique
	locals int           // stack frame of the next function (bytes of spill slots)
	loops  []loopSummary // inner loops, for the instruction-count report
}

// loopSummary records an inner loop: its instructions and how many pair
// terms (or elements) one pass handles.
type loopSummary struct {
	fn, what     string
	insts, pairs int
}

// param is one argument of a kernel: a slice of the precision's type or an int.
type param struct {
	name  string
	slice bool
}

// text starts the assembly of the kernel name (with its precision suffix)
// with the given parameters and records its Go declaration: the unexported
// stub spec.Stub names, documented by spec.StubDoc, that only the checked
// function of package asm (gen/checked) calls; //go:noescape, as the
// assembly keeps no pointer. Labels keep the kernel's name. It returns the
// argument-frame offsets of the parameters (slices: base; len is at +8).
func (g *gen) text(name string, p *prec, params ...param) map[string]int {
	g.fn = name
	off := map[string]int{}
	var decl []string
	frame := 0
	for _, a := range params {
		off[a.name] = frame
		if a.slice {
			decl = append(decl, a.name+" []"+p.ty)
			frame += 24
		} else {
			decl = append(decl, a.name+" int")
			frame += 8
		}
	}
	stub := spec.Stub(name)
	fmt.Fprintf(&g.stubs, "\n// %s\n//\n//go:noescape\nfunc %s(%s)\n", strings.Join(spec.StubDoc(name), "\n// "), stub, strings.Join(decl, ", "))
	g.Raw("")
	g.Raw("// func %s(%s)", stub, strings.Join(decl, ", "))
	g.Raw("TEXT ·%s(SB), NOSPLIT, $%d-%d", stub, g.locals, frame)
	g.locals = 0
	return off
}

// label returns a label unique to the current function.
func (g *gen) label(name string) string {
	l := g.fn + "_" + name
	if g.labels[l] {
		log.Fatalf("label %s defined twice", l)
	}
	g.labels[l] = true
	return l
}

// ref returns the name of a label of the current function.
func (g *gen) ref(name string) string { return g.fn + "_" + name }

// arg loads a slice base (or an int) from the argument frame.
func (g *gen) arg(off map[string]int, name string, r arm64.R) {
	o, ok := off[name]
	if !ok {
		log.Fatalf("%s: no parameter %s", g.fn, name)
	}
	g.Go("MOVD %s+%d(FP), %s", name+"_base", o, r)
}

// argLen loads the length of a slice parameter.
func (g *gen) argLen(off map[string]int, name string, r arm64.R) {
	o, ok := off[name]
	if !ok {
		log.Fatalf("%s: no parameter %s", g.fn, name)
	}
	g.Go("MOVD %s+%d(FP), %s", name+"_len", o+8, r)
}

// argInt loads an int parameter.
func (g *gen) argInt(off map[string]int, name string, r arm64.R) {
	o, ok := off[name]
	if !ok {
		log.Fatalf("%s: no parameter %s", g.fn, name)
	}
	g.Go("MOVD %s+%d(FP), %s", name, o, r)
}

// global emits a read-only data symbol holding the values (float64 or
// float32 bit patterns, or raw 32/64-bit integers), laid out contiguously.
func (g *gen) global(sym string, size int, bits []uint64) {
	for i, b := range bits {
		if size == 8 {
			fmt.Fprintf(&g.data, "DATA %s<>+%d(SB)/8, $0x%016x\n", sym, 8*i, b)
		} else {
			fmt.Fprintf(&g.data, "DATA %s<>+%d(SB)/4, $0x%08x\n", sym, 4*i, uint32(b))
		}
	}
	n := size * len(bits)
	if n%16 != 0 { // pad to whole vectors
		n += 16 - n%16
	}
	fmt.Fprintf(&g.data, "GLOBL %s<>(SB), RODATA|NOPTR, $%d\n\n", sym, n)
}

// floatBits returns the bit patterns of vals in the precision.
func (p *prec) floatBits(vals ...float64) []uint64 {
	out := make([]uint64, len(vals))
	for i, v := range vals {
		if p.f64 {
			out[i] = math.Float64bits(v)
		} else {
			out[i] = uint64(math.Float32bits(float32(v)))
		}
	}
	return out
}

func main() {
	out := flag.String("out", "", "assembly output")
	stubs := flag.String("stubs", "", "Go declarations output")
	flag.Parse()
	if *out == "" || *stubs == "" {
		log.Fatal("usage: neon -out file.s -stubs file.go")
	}
	g := &gen{labels: map[string]bool{}}
	for _, p := range []*prec{prec64, prec32} {
		g.genPair(p)
	}
	for _, p := range []*prec{prec64, prec32} {
		g.genProjections(p)
	}
	g.genFastExp()
	for _, p := range []*prec{prec64, prec32} {
		g.genFront(p)
	}
	g.global("gaussConst", 8, prec64.floatBits(gaussConst...))
	g.global("gaussConst32", 4, prec32.floatBits(gaussConst32...))
	for _, p := range []*prec{prec64, prec32} {
		g.genGaussian(p, false)
		g.genGaussian(p, true)
	}
	for _, p := range []*prec{prec64, prec32} {
		g.genPairValues(p)
		g.genSideGrad(p)
	}

	var s bytes.Buffer
	fmt.Fprintf(&s, "// Code generated by command: %s. DO NOT EDIT.\n\n//go:build gc && !purego\n\n", command)
	s.WriteString("#include \"textflag.h\"\n\n")
	s.WriteString("// Inner loops (instructions between the loop label and its back branch):\n")
	for _, l := range g.loops {
		fmt.Fprintf(&s, "//   %-18s %-28s %4d instructions / %2d = %5.1f per %s\n", l.fn, l.what, l.insts, l.pairs, float64(l.insts)/float64(l.pairs), unit(l.what))
	}
	s.WriteString("\n")
	s.Write(g.data.Bytes())
	s.WriteString(g.String())
	if err := os.WriteFile(*out, s.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	var d bytes.Buffer
	fmt.Fprintf(&d, "// Code generated by command: %s. DO NOT EDIT.\n\n//go:build gc && !purego\n\npackage asm\n", command)
	d.Write(g.stubs.Bytes())
	src, err := format.Source(d.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*stubs, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func unit(what string) string {
	if strings.Contains(what, "element") {
		return "element"
	}
	if strings.Contains(what, "term") {
		return "term"
	}
	return "pair"
}

// loop records the instructions emitted since start as an inner loop that
// handles pairs pair terms (or elements) per pass.
func (g *gen) loop(what string, start, pairs int) {
	g.loops = append(g.loops, loopSummary{fn: g.fn, what: what, insts: g.Count() - start, pairs: pairs})
}
