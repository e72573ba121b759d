package arm64

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMemAssemble assembles the loads and stores of mem.go with the Go
// assembler (GOARCH=arm64), disassembles the object and checks every
// instruction against the disassembler of golang.org/x/arch, so a Go
// mnemonic that the assembler encodes differently than intended (a lost .P,
// another lane or register) is caught.
func TestMemAssemble(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	var p Prog
	var want []string
	// The disassembler writes a list of three or four registers that does
	// not wrap around V31 as a range, others one by one.
	gnuList := func(a Arr, vs []V) string {
		last := vs[len(vs)-1]
		if len(vs) > 2 && last > vs[0] {
			return fmt.Sprintf("{%s-%s}", vs[0].gnu(a), last.gnu(a))
		}
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = v.gnu(a)
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	x := func(r R) string { return fmt.Sprintf("x%d", r) }
	regs := []R{0, 1, 7, 12, 17, 19, 26}
	for _, a := range []Arr{D2, S4} {
		for i, r := range regs {
			inc := regs[(i+3)%len(regs)]
			for k := 1; k <= 4; k++ {
				vs := make([]V, k)
				for j := range vs {
					vs[j] = V((5*i + 9*k + j) % 32)
				}
				p.VLD1PR(a, r, inc, vs...)
				want = append(want, fmt.Sprintf("ld1 %s, [%s], %s", gnuList(a, vs), x(r), x(inc)))
				p.VST1PR(a, r, inc, vs...)
				want = append(want, fmt.Sprintf("st1 %s, [%s], %s", gnuList(a, vs), x(r), x(inc)))
			}
			v := V((7*i + 3) % 32)
			p.VLD1RPR(a, r, inc, v)
			want = append(want, fmt.Sprintf("ld1r {%s}, [%s], %s", v.gnu(a), x(r), x(inc)))
			for lane := 0; lane < a.Lanes(); lane++ {
				v := V((11*i + lane) % 32)
				el := fmt.Sprintf("{v%d.%s}[%d]", v, a.elem(), lane)
				p.VLD1Lane(a, r, v, lane)
				want = append(want, fmt.Sprintf("ld1 %s, [%s]", el, x(r)))
				p.VLD1LaneP(a, r, v, lane)
				want = append(want, fmt.Sprintf("ld1 %s, [%s],#%d", el, x(r), a.ElemSize()))
				p.VLD1LanePR(a, r, inc, v, lane)
				want = append(want, fmt.Sprintf("ld1 %s, [%s], %s", el, x(r), x(inc)))
				p.VST1Lane(a, r, v, lane)
				want = append(want, fmt.Sprintf("st1 %s, [%s]", el, x(r)))
				p.VST1LaneP(a, r, v, lane)
				want = append(want, fmt.Sprintf("st1 %s, [%s],#%d", el, x(r), a.ElemSize()))
				p.VST1LanePR(a, r, inc, v, lane)
				want = append(want, fmt.Sprintf("st1 %s, [%s], %s", el, x(r), x(inc)))
			}
		}
	}

	dir := t.TempDir()
	src := "#include \"textflag.h\"\n\nTEXT ·f(SB), NOSPLIT, $0-0\n" + p.String() + "\tRET\n"
	if err := os.WriteFile(filepath.Join(dir, "a.s"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOARCH=arm64", "GOOS=linux")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("tool", "asm", "-p", "main", "-I", filepath.Join(strings.TrimSpace(string(goroot)), "pkg", "include"), "-o", "a.o", "a.s")
	dump := run("tool", "objdump", "a.o")

	line := regexp.MustCompile(`(?m)^\s+a\.s:\d+\s+0x[0-9a-f]+\s+([0-9a-f]{8})\s`)
	var got []string
	for _, m := range line.FindAllStringSubmatch(dump, len(want)) {
		w, err := strconv.ParseUint(m[1], 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, decode(t, uint32(w)))
	}
	if len(got) != len(want) {
		t.Fatalf("%d instructions disassembled, %d emitted:\n%s", len(got), len(want), dump)
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("instruction %d: assembled as %q, want %q", i, got[i], w)
		}
	}
	if p.Count() != len(want) || p.Words() != 0 {
		t.Errorf("Count %d, Words %d; want %d, 0", p.Count(), p.Words(), len(want))
	}
	t.Logf("%d instructions checked", len(want))
}

// TestMemRangeChecks: out-of-range lanes, forbidden registers, a base
// advanced by itself and non-consecutive lists panic.
func TestMemRangeChecks(t *testing.T) {
	for name, f := range map[string]func(){
		"lane D2":       func() { new(Prog).VLD1Lane(D2, 1, 0, 2) },
		"lane S4":       func() { new(Prog).VST1LaneP(S4, 1, 0, 4) },
		"lane negative": func() { new(Prog).VLD1LanePR(S4, 1, 2, 0, -1) },
		"V32 lane":      func() { new(Prog).VST1Lane(S4, 1, 32, 0) },
		"R18 base":      func() { new(Prog).VLD1PR(D2, 18, 2, 0) },
		"R27 inc":       func() { new(Prog).VST1PR(D2, 1, 27, 0) },
		"R29 lane":      func() { new(Prog).VLD1LaneP(D2, 29, 0, 0) },
		"self advance":  func() { new(Prog).VLD1RPR(S4, 3, 3, 0) },
		"self lane":     func() { new(Prog).VST1LanePR(D2, 4, 4, 0, 1) },
		"list":          func() { new(Prog).VST1PR(S4, 1, 2, 0, 2) },
		"list length":   func() { new(Prog).VLD1PR(S4, 1, 2, 0, 1, 2, 3, 4) },
		"B16 element":   func() { _ = Arr(7).ElemSize() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
