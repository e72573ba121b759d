//go:build gc && !purego && (amd64 || arm64)

package asm_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gmmkit/cramer/asm"
	"github.com/gmmkit/cramer/kernels"
	"github.com/gmmkit/cramer/purego"
)

// checked pairs every exported function of package asm with the purego
// function of the same name. TestExportedAreChecked fails when package asm
// exports a function that is not listed here.
var checked = map[string]struct{ asm, ref any }{
	"Erf64":               {asm.Erf64, purego.Erf64},
	"Erf32":               {asm.Erf32, purego.Erf32},
	"ExpNegSquare64":      {asm.ExpNegSquare64, purego.ExpNegSquare64},
	"ExpNegSquare32":      {asm.ExpNegSquare32, purego.ExpNegSquare32},
	"PairTerms64":         {asm.PairTerms64, purego.PairTerms64},
	"PairTerms32":         {asm.PairTerms32, purego.PairTerms32},
	"CrossRowSums64":      {asm.CrossRowSums64, purego.CrossRowSums64},
	"CrossRowSums32":      {asm.CrossRowSums32, purego.CrossRowSums32},
	"CrossGrad64":         {asm.CrossGrad64, purego.CrossGrad64},
	"CrossGrad32":         {asm.CrossGrad32, purego.CrossGrad32},
	"SelfRowSums64":       {asm.SelfRowSums64, purego.SelfRowSums64},
	"SelfRowSums32":       {asm.SelfRowSums32, purego.SelfRowSums32},
	"SelfGrad64":          {asm.SelfGrad64, purego.SelfGrad64},
	"SelfGrad32":          {asm.SelfGrad32, purego.SelfGrad32},
	"DiracRowSums64":      {asm.DiracRowSums64, purego.DiracRowSums64},
	"DiracRowSums32":      {asm.DiracRowSums32, purego.DiracRowSums32},
	"DiracGrad64":         {asm.DiracGrad64, purego.DiracGrad64},
	"DiracGrad32":         {asm.DiracGrad32, purego.DiracGrad32},
	"BatchCrossRowSums64": {asm.BatchCrossRowSums64, purego.BatchCrossRowSums64},
	"BatchCrossRowSums32": {asm.BatchCrossRowSums32, purego.BatchCrossRowSums32},
	"BatchCrossGrad64":    {asm.BatchCrossGrad64, purego.BatchCrossGrad64},
	"BatchCrossGrad32":    {asm.BatchCrossGrad32, purego.BatchCrossGrad32},
	"BatchSelfRowSums64":  {asm.BatchSelfRowSums64, purego.BatchSelfRowSums64},
	"BatchSelfRowSums32":  {asm.BatchSelfRowSums32, purego.BatchSelfRowSums32},
	"BatchSelfGrad64":     {asm.BatchSelfGrad64, purego.BatchSelfGrad64},
	"BatchSelfGrad32":     {asm.BatchSelfGrad32, purego.BatchSelfGrad32},
	"BatchDiracRowSums64": {asm.BatchDiracRowSums64, purego.BatchDiracRowSums64},
	"BatchDiracRowSums32": {asm.BatchDiracRowSums32, purego.BatchDiracRowSums32},
	"BatchDiracGrad64":    {asm.BatchDiracGrad64, purego.BatchDiracGrad64},
	"BatchDiracGrad32":    {asm.BatchDiracGrad32, purego.BatchDiracGrad32},
	"BatchPairValues64":   {asm.BatchPairValues64, purego.BatchPairValues64},
	"BatchPairValues32":   {asm.BatchPairValues32, purego.BatchPairValues32},
	"BatchSideGrad64":     {asm.BatchSideGrad64, purego.BatchSideGrad64},
	"BatchSideGrad32":     {asm.BatchSideGrad32, purego.BatchSideGrad32},
	"ProjectMeans64":      {asm.ProjectMeans64, purego.ProjectMeans64},
	"ProjectMeans32":      {asm.ProjectMeans32, purego.ProjectMeans32},
	"ProjectDiagVars64":   {asm.ProjectDiagVars64, purego.ProjectDiagVars64},
	"ProjectDiagVars32":   {asm.ProjectDiagVars32, purego.ProjectDiagVars32},
	"ProjectCholVars64":   {asm.ProjectCholVars64, purego.ProjectCholVars64},
	"ProjectCholVars32":   {asm.ProjectCholVars32, purego.ProjectCholVars32},
	"BatchFront64":        {asm.BatchFront64, purego.BatchFront64},
	"BatchFront32":        {asm.BatchFront32, purego.BatchFront32},
	"Exp64":               {asm.Exp64, purego.Exp64},
}

// free lists, per kernel (name without precision suffix), the slices (or
// gradient-sum fields) whose length is an input: the number of elements,
// rows or columns. One element less is a smaller problem, not an error (and
// DiracGrad's cols.R is not used at all). Every other slice one element too
// short must panic.
var free = map[string][]string{
	"Erf":               {"x"},
	"Exp":               {"x"},
	"ExpNegSquare":      {"x"},
	"PairTerms":         {"d"},
	"CrossRowSums":      {"ma", "mb"},
	"CrossGrad":         {"ma", "mb"},
	"SelfRowSums":       {"out", "m"},
	"SelfGrad":          {"rows.H", "m"},
	"DiracRowSums":      {"ma", "x"},
	"DiracGrad":         {"ma", "x", "cols.R"},
	"BatchCrossRowSums": {"ma", "mb"},
	"BatchCrossGrad":    {"ma", "mb"},
	"BatchSelfRowSums":  {"m"},
	"BatchSelfGrad":     {"m"},
	"BatchDiracRowSums": {"ma", "x"},
	"BatchDiracGrad":    {"ma", "x", "cols.R"},
	"BatchPairValues":   {"wa", "wb"},
	"BatchSideGrad":     {"w"},
}

// requireCPU skips the calls when this CPU cannot run the assembly (amd64
// without AVX2 and FMA3: the same check as package kernels' dispatch).
func requireCPU(t *testing.T) {
	t.Helper()
	name := map[string]string{"amd64": "avx2", "arm64": "neon"}[runtime.GOARCH]
	if _, err := kernels.Lookup(name); err != nil {
		t.Skipf("the assembly cannot run here: %v", err)
	}
}

// exported parses the package's Go files of this build and returns its
// exported functions with their parameter names. Anything else exported
// (types, variables, constants, methods) is an error: package asm exports
// its checked functions only.
func exported(t *testing.T) map[string][]string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string][]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(".", name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil {
					t.Errorf("%s: exported method %s", name, d.Name.Name)
					continue
				}
				var params []string
				for _, field := range d.Type.Params.List {
					for _, n := range field.Names {
						params = append(params, n.Name)
					}
				}
				funcs[d.Name.Name] = params
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							t.Errorf("%s: exported type %s", name, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								t.Errorf("%s: exported %s %s", name, d.Tok, n.Name)
							}
						}
					}
				}
			}
		}
	}
	return funcs
}

// TestExportedAreChecked: every exported function has a case in checked
// (and so is tested by TestCheckedLengths), has the signature of the purego
// function of the same name, and the assembly itself is not exported.
func TestExportedAreChecked(t *testing.T) {
	funcs := exported(t)
	if len(funcs) == 0 {
		t.Fatal("no exported functions found: is the test run in the package directory?")
	}
	for name := range funcs {
		c, ok := checked[name]
		if !ok {
			t.Errorf("asm.%s has no case in checked (add it with its purego reference)", name)
			continue
		}
		if at, rt := reflect.TypeOf(c.asm), reflect.TypeOf(c.ref); at != rt {
			t.Errorf("asm.%s is %v, purego.%s is %v", name, at, name, rt)
		}
	}
	for name := range checked {
		if _, ok := funcs[name]; !ok {
			t.Errorf("checked lists %s, which package asm does not export", name)
		}
	}
}

// Shapes of the calls: element-wise length, rows and columns of the row
// kernels (Self: rows of columns), of the batch-lane kernels with their
// lanes, and the projection sizes.
const (
	elems               = 11
	rowsK, colsM        = 6, 9
	selfRows, selfCols  = 4, 9
	batchK, batchM, bN  = 4, 5, 3
	projN, projD, projL = 3, 4, 5
)

// shape returns the length of every slice (gradient sums: "rows.H" …) and
// the value of every integer of a consistent call of the kernel.
func shape(kernel string, params []string, ft reflect.Type) (lens, ints map[string]int) {
	lens, ints = map[string]int{}, map[string]int{}
	rowSide := map[string]bool{"out": true, "ma": true, "va": true, "wa": true, "rows": true}
	size := func(p string) int {
		switch {
		case strings.HasPrefix(kernel, "Project"):
			ints["n"], ints["d"], ints["l"] = projN, projD, projL
			switch p {
			case "dst":
				return projN * projL
			case "thetaT":
				return projD * projL
			case "chol":
				return projN * projD * projD
			}
			return projN * projD
		case kernel == "BatchPairValues":
			ints["n"] = bN
			switch p {
			case "under":
				return 1
			case "out", "vals", "cross":
				return bN
			case "wa", "cr", "sa", "sp":
				return batchK * bN
			}
			return batchM * bN
		case kernel == "BatchSideGrad":
			ints["n"], ints["sign"] = bN, -1
			return batchK * bN
		case strings.HasPrefix(kernel, "Batch"):
			ints["n"] = bN
			if rowSide[p] || strings.Contains(kernel, "Self") {
				return batchK * bN
			}
			return batchM * bN
		case strings.HasPrefix(kernel, "Self"):
			if p == "out" || p == "rows" {
				return selfRows
			}
			return selfCols
		case strings.Contains(kernel, "RowSums") || strings.Contains(kernel, "Grad"):
			if rowSide[p] {
				return rowsK
			}
			return colsM
		}
		return elems
	}
	for i, p := range params {
		switch ft.In(i).Kind() {
		case reflect.Slice:
			lens[p] = size(p)
		case reflect.Struct:
			for f := 0; f < ft.In(i).NumField(); f++ {
				lens[p+"."+ft.In(i).Field(f).Name] = size(p)
			}
		case reflect.Int:
			size(p)
		}
	}
	return lens, ints
}

// guard is the number of elements after every slice's length (within its
// capacity) that no kernel may touch.
const guard = 3

// call holds the arguments of one call and the backing arrays of its slices.
type call struct {
	args  []reflect.Value
	backs map[string]reflect.Value
}

// makeCall makes the arguments: every slice has full[key]+guard elements of
// pseudo-random data in [0, 3) (valid as means, variances and weights) from
// seed, and is passed with length use[key] (capacity full[key]+guard: a
// checked function must cut with the length, not the capacity).
func makeCall(ft reflect.Type, params []string, full, use, ints map[string]int, seed uint64) call {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := call{backs: map[string]reflect.Value{}}
	mk := func(t reflect.Type, key string) reflect.Value {
		n := full[key] + guard
		back := reflect.MakeSlice(t, n, n)
		for i := 0; i < n; i++ {
			if t.Elem().Kind() == reflect.Int {
				back.Index(i).SetInt(int64(rng.IntN(5)) - 2)
				continue
			}
			back.Index(i).SetFloat(3 * rng.Float64())
		}
		c.backs[key] = back
		return back.Slice3(0, use[key], n)
	}
	for i, p := range params {
		t := ft.In(i)
		switch t.Kind() {
		case reflect.Slice:
			c.args = append(c.args, mk(t, p))
		case reflect.Struct:
			v := reflect.New(t).Elem()
			for f := 0; f < t.NumField(); f++ {
				v.Field(f).Set(mk(t.Field(f).Type, p+"."+t.Field(f).Name))
			}
			c.args = append(c.args, v)
		case reflect.Int:
			c.args = append(c.args, reflect.ValueOf(ints[p]))
		}
	}
	return c
}

// run calls fn and returns what it panicked with (nil if it returned).
func run(fn any, args []reflect.Value) (p any) {
	defer func() { p = recover() }()
	reflect.ValueOf(fn).Call(args)
	return nil
}

// differ reports the first key and index where two calls' backing arrays
// differ, or "" if they agree: bit for bit everywhere when tol is 0; with
// tol > 0, elements within the length passed (use) may differ by
// tol·(|want| + 100) (the row-sum and gradient kernels sum in an
// implementation-defined order), elements past it must still be identical.
func differ(got, want call, use map[string]int, tol float64) (key string, index int) {
	keys := make([]string, 0, len(got.backs))
	for k := range got.backs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x, y := got.backs[k], want.backs[k]
		for i := 0; i < x.Len(); i++ {
			if x.Index(i).Kind() == reflect.Int {
				if x.Index(i).Int() != y.Index(i).Int() {
					return k, i
				}
				continue
			}
			a, b := x.Index(i).Float(), y.Index(i).Float()
			if math.Float64bits(a) == math.Float64bits(b) {
				continue
			}
			if tol > 0 && i < use[k] && math.Abs(a-b) <= tol*(math.Abs(b)+100) {
				continue
			}
			return k, i
		}
	}
	return "", -1
}

// sumOrderFree reports whether the kernel's sums are in an
// implementation-defined order (purego.CrossRowSums64 and the other row-sum
// and gradient kernels: four interleaved partial sums in purego, as many as
// the vector has lanes in assembly); the element-wise, batch-lane and
// projection kernels define their order and must agree bit for bit.
func sumOrderFree(kernel string) bool {
	return !strings.HasPrefix(kernel, "Batch") && (strings.HasSuffix(kernel, "RowSums") || strings.HasSuffix(kernel, "Grad"))
}

// TestCheckedLengths calls every exported function with consistent
// arguments, then with each slice in turn one element too short and empty,
// and with each integer changed, next to its purego reference: a call
// panics exactly when purego's panics (a slice that must hold a length it
// does not panics in both; a bounds-check panic in purego is one in asm too),
// a panicking checked function has touched nothing, and otherwise every
// slice, up to its capacity, equals purego's bit for bit (the row-sum and
// gradient kernels, whose summation order is implementation-defined: within
// 64 ε of it, and bit for bit past the lengths passed).
func TestCheckedLengths(t *testing.T) {
	requireCPU(t)
	funcs := exported(t)
	names := make([]string, 0, len(funcs))
	for name := range funcs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c, ok := checked[name]
		if !ok {
			continue // reported by TestExportedAreChecked
		}
		if strings.HasPrefix(name, "BatchFront") {
			continue // limits and a result: TestCheckedFront
		}
		if strings.HasPrefix(name, "BatchGaussian") {
			continue // limits, sides and results: TestCheckedGaussian
		}
		params := funcs[name]
		kernel := strings.TrimSuffix(strings.TrimSuffix(name, "64"), "32")
		t.Run(name, func(t *testing.T) {
			ft := reflect.TypeOf(c.asm)
			if ft.NumIn() != len(params) {
				t.Fatalf("%d parameter names for %d parameters", len(params), ft.NumIn())
			}
			full, ints := shape(kernel, params, ft)
			isFree := map[string]bool{}
			for _, p := range free[kernel] {
				if _, ok := full[p]; !ok {
					t.Fatalf("free lists %s, which is no slice of %s", p, name)
				}
				isFree[p] = true
			}
			seed := uint64(len(name))
			tol := 0.0
			if sumOrderFree(kernel) {
				tol = 64 * 0x1p-52 // float64: 64 ε
				if strings.HasSuffix(name, "32") {
					tol = 64 * 0x1p-23
				}
			}
			compare := func(what string, use, ints map[string]int, mustPanic bool) {
				t.Helper()
				got := makeCall(ft, params, full, use, ints, seed)
				want := makeCall(ft, params, full, use, ints, seed)
				pGot, pWant := run(c.asm, got.args), run(c.ref, want.args)
				switch {
				case pWant == nil && pGot == nil:
					if mustPanic {
						t.Errorf("%s: neither asm nor purego panicked", what)
					}
					if k, i := differ(got, want, use, tol); k != "" {
						t.Errorf("%s: %s[%d] = %v, purego %v", what, k, i, got.backs[k].Index(i), want.backs[k].Index(i))
					}
				case pWant != nil && pGot == nil:
					t.Errorf("%s: purego panicked (%v), asm did not", what, pWant)
				case pWant == nil && pGot != nil:
					t.Errorf("%s: asm panicked (%v), purego did not", what, pGot)
				default:
					_, errGot := pGot.(runtime.Error)
					_, errWant := pWant.(runtime.Error)
					if errGot != errWant || (!errWant && pGot != pWant) {
						t.Errorf("%s: asm panicked with %v, purego with %v", what, pGot, pWant)
					}
					pristine := makeCall(ft, params, full, use, ints, seed)
					if k, i := differ(got, pristine, use, 0); k != "" {
						t.Errorf("%s: asm panicked after writing %s[%d]", what, k, i)
					}
				}
			}
			compare("consistent lengths", full, ints, false)
			for key, n := range full {
				for _, short := range []int{n - 1, 0} {
					if short < 0 || (short == 0 && n == 1) {
						continue
					}
					use := map[string]int{}
					for k, v := range full {
						use[k] = v
					}
					use[key] = short
					compare(key+" of length "+strconv.Itoa(short)+" instead of "+strconv.Itoa(n), use, ints, !isFree[key] && short < n)
				}
			}
			for key, v := range ints {
				tries := []int{v + 1, v - 1, 0, -1, 1000 * v}
				if strings.HasPrefix(kernel, "Project") {
					tries = append(tries, math.MaxInt/2, math.MaxInt)
				}
				for _, x := range tries {
					changed := map[string]int{}
					for k, w := range ints {
						changed[k] = w
					}
					changed[key] = x
					// A projection size larger than the slices hold, or
					// negative, must panic.
					must := strings.HasPrefix(kernel, "Project") && (x > v || x < 0)
					compare(key+" = "+strconv.Itoa(x)+" instead of "+strconv.Itoa(v), full, changed, must)
				}
			}
		})
	}
}
