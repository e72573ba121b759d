// Package spec describes every kernel of package asm once: its name, the
// parameters of its assembly (which gen/avx2 and gen/neon emit under the same
// names on both architectures), the Go signature of the checked function that
// package asm exports (the purego function's), and the length each slice must
// have (which gen/checked turns into the checked functions). The definitions
// are the purego functions of the same names.
package spec

import (
	"fmt"
	"strings"
)

// Rows selects the pair matrix of a row-sum or gradient kernel.
type Rows int

const (
	Cross Rows = iota // rows ma/va against columns wb/mb/vb
	Self              // upper triangle of m/v/w: columns j > i
	Dirac             // rows ma/va against points wx/x
)

// AllRows lists the kinds in the order the generators emit them.
var AllRows = []Rows{Cross, Self, Dirac}

// Roles are the parameter names of a kind's row means and variances, row
// weights (gradients only), column weights, means and variances ("" where the
// kind has none: Dirac columns are points), and the slice whose length is the
// number of columns.
type Roles struct{ RM, RV, RW, CW, CM, CV, Cols string }

// Roles returns the parameter names of the kind.
func (k Rows) Roles() Roles {
	switch k {
	case Cross:
		return Roles{RM: "ma", RV: "va", RW: "wa", CW: "wb", CM: "mb", CV: "vb", Cols: "mb"}
	case Self:
		return Roles{RM: "m", RV: "v", RW: "w", CW: "w", CM: "m", CV: "v", Cols: "m"}
	case Dirac:
		return Roles{RM: "ma", RV: "va", RW: "wa", CW: "wx", CM: "x", Cols: "x"}
	}
	panic("spec: unknown row kind")
}

var rowNames = [...]string{"Cross", "Self", "Dirac"}

// Sums returns the name (without precision suffix) and parameters of the
// row-sum kernel: out, then the kind's inputs.
func (k Rows) Sums() (name string, params []string) {
	r := k.Roles()
	switch k {
	case Cross:
		params = []string{"out", r.RM, r.RV, r.CW, r.CM, r.CV}
	case Self:
		params = []string{"out", r.RM, r.RV, r.CW}
	case Dirac:
		params = []string{"out", r.RM, r.RV, r.CW, r.CM}
	}
	return rowNames[k] + "RowSums", params
}

// Grad returns the name and parameters of the gradient kernel: the row sums
// rh, rd, rr, the column sums ch, cd (and cr, except for Dirac), then the
// kind's inputs.
func (k Rows) Grad() (name string, params []string) {
	r := k.Roles()
	switch k {
	case Cross:
		params = []string{"rh", "rd", "rr", "ch", "cd", "cr", r.RW, r.RM, r.RV, r.CW, r.CM, r.CV}
	case Self:
		params = []string{"rh", "rd", "rr", "ch", "cd", "cr", r.RM, r.RV, r.RW}
	case Dirac:
		params = []string{"rh", "rd", "rr", "ch", "cd", r.RW, r.RM, r.RV, r.CW, r.CM}
	}
	return rowNames[k] + "Grad", params
}

// Proj selects a projection kernel of the sliced distance.
type Proj int

const (
	Means    Proj = iota // dst = Σⱼ x·θ
	DiagVars             // dst = Σⱼ s2·θ²
	CholVars             // dst = Σ_c (Σ_{r≥c} L[r][c]·θ[r])²
)

// AllProj lists the projection kernels in the order the generators emit them.
var AllProj = []Proj{Means, DiagVars, CholVars}

// Name, In and Doc give the kernel's name (without precision suffix), the
// name of its input slice (after dst, before thetaT, n, d, l) and its formula.
func (k Proj) Name() string {
	return [...]string{"ProjectMeans", "ProjectDiagVars", "ProjectCholVars"}[k]
}
func (k Proj) In() string { return [...]string{"x", "s2", "chol"}[k] }
func (k Proj) Doc() string {
	return [...]string{
		"sets dst[i*l+k] = Σⱼ x[i*d+j]·thetaT[j*l+k] for i < n, k < l",
		"sets dst[i*l+k] = Σⱼ s2[i*d+j]·thetaT[j*l+k]² for i < n, k < l",
		"sets dst[i*l+k] = Σ_c (Σ_{r≥c} chol[i*d*d+r*d+c]·thetaT[r*l+k])² for i < n, k < l",
	}[k]
}

// BatchSums and BatchGrad return the name and slice parameters of the
// batch-lane forms of the row-sum and gradient kernels ("Batch" + the row
// kernel's name, the same slices, lane-interleaved; see
// purego.BatchCrossRowSums64). The assembly takes the integers BatchInts
// after the slices.
func (k Rows) BatchSums() (name string, params []string) {
	name, params = k.Sums()
	return "Batch" + name, params
}

func (k Rows) BatchGrad() (name string, params []string) {
	name, params = k.Grad()
	return "Batch" + name, params
}

// BatchInts returns the integer parameters of a batch-lane kernel's
// assembly: the numbers of rows, of columns (not for Self, whose columns
// are its rows) and of lanes.
func (k Rows) BatchInts() []string {
	if k == Self {
		return []string{"k", "n"}
	}
	return []string{"k", "m", "n"}
}

// Elem selects an element-wise kernel (used to test the pair-term core
// element by element).
type Elem int

const (
	Erf          Elem = iota // dst[i] = erf(x[i])
	ExpNegSquare             // dst[i] = exp(−x[i]²)
	PairTerms                // h, erf, ex at (d[i], v[i])
)

// AllElem lists the element-wise kernels in the order the generators emit them.
var AllElem = []Elem{Erf, ExpNegSquare, PairTerms}

// Name returns the kernel's name (without precision suffix).
func (e Elem) Name() string { return [...]string{"Erf", "ExpNegSquare", "PairTerms"}[e] }

// Params returns the slice parameters (Count names the one whose length is
// the number of elements).
func (e Elem) Params() []string {
	if e == PairTerms {
		return []string{"h", "erf", "ex", "d", "v"}
	}
	return []string{"dst", "x"}
}

// Count returns the parameter whose length is the number of elements.
func (e Elem) Count() string {
	if e == PairTerms {
		return "d"
	}
	return "x"
}

// Stub returns the name of the assembly function of the kernel called name
// (with its precision suffix): the name with a lower-case first letter.
//
// The assembly trusts the lengths and integers it is given and reads and
// writes as far as they say, so it is not exported: package asm exports only
// the checked functions of gen/checked, which cut every slice to the length
// the assembly uses (a short slice panics there, as in purego) and then call
// the stub. Keeping the stubs unexported in package asm, rather than
// exported from an internal package, lets the Go compiler itself guarantee
// that nothing but those checked functions can call them, keeps the file
// layout and the commands of `make generate` unchanged, and keeps the
// checked function and its stub in one package.
func Stub(name string) string {
	return strings.ToLower(name[:1]) + name[1:]
}

// StubDoc returns the lines of the doc comment of the assembly function of
// the kernel called name (with its precision suffix), the same on every
// architecture.
func StubDoc(name string) []string {
	return Wrap(fmt.Sprintf("%s is the assembly of %s (checked.go; see purego.%s). It trusts the lengths and integers it is given: only %s, which cuts every slice to the length used here, calls it.",
		Stub(name), name, name, name), 76-len("// "))
}

// Wrap splits text into lines of at most width runes (longer words stay whole).
func Wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// ParamKind is the type of a parameter of a checked function.
type ParamKind int

const (
	Slice    ParamKind = iota // []float64 or []float32
	GradSums                  // purego.GradSums64 or purego.GradSums32
	Int                       // int
)

// Param is one parameter of a checked function.
type Param struct {
	Name string
	Kind ParamKind
}

// Size is a value the checked function computes from its arguments before
// calling the assembly: Names (comma-separated) := Expr.
type Size struct{ Names, Expr string }

// Arg is one parameter of the assembly: its name, the checked function's
// expression for it, and for a slice the length the assembly reads or
// writes: the checked function passes Expr[:Len:len(Expr)], which panics
// when the slice is shorter. A slice with Len "" is passed whole: its length
// is an input of the assembly (the number of rows, columns or elements).
type Arg struct {
	Name, Expr, Len string
	Int             bool
}

// Kernel describes one kernel in both precisions.
type Kernel struct {
	Name string // without precision suffix; the purego function is Name+"64" and Name+"32"
	Doc  string // what it computes, for the checked function's doc comment

	Params []Param // the checked (and purego) function's parameters, in order
	Lanes  bool    // a batch-lane kernel: it does nothing when n ≤ 0
	Only64 bool    // float64 only: there is no Name+"32"
	Sizes  []Size  // computed in order, before the checks
	Checks []Arg   // slices passed whole that must hold Len elements
	Stub   []Arg   // the assembly's parameters, in order: slices then integers
}

// gradArgs maps the assembly's gradient-sum parameters to the fields of the
// checked function's rows and cols.
var gradArgs = map[string]string{
	"rh": "rows.H", "rd": "rows.D", "rr": "rows.R",
	"ch": "cols.H", "cd": "cols.D", "cr": "cols.R",
}

func slices(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = Param{n, Slice}
	}
	return ps
}

// stubArgs returns the assembly arguments for the slice parameters names,
// each with the length lens returns for it ("" = passed whole).
func stubArgs(names []string, lens func(name string) string) []Arg {
	args := make([]Arg, len(names))
	for i, n := range names {
		e := n
		if g, ok := gradArgs[n]; ok {
			e = g
		}
		args[i] = Arg{Name: n, Expr: e, Len: lens(n)}
	}
	return args
}

// goParams returns the checked function's slice parameters for the
// assembly's: the gradient sums become rows and cols.
func goParams(names []string) []Param {
	var ps []Param
	for _, n := range names {
		if _, ok := gradArgs[n]; ok {
			if n == "rh" || n == "ch" {
				ps = append(ps, Param{map[string]string{"rh": "rows", "ch": "cols"}[n], GradSums})
			}
			continue
		}
		ps = append(ps, Param{n, Slice})
	}
	return ps
}

// side reports whether an assembly parameter of a row kind belongs to the
// rows (true) or the columns. The means, variances and weights of Self are
// those of its columns (the rows are the first of them).
func (k Rows) side(name string) (row bool) {
	switch name {
	case "out", "rh", "rd", "rr":
		return true
	}
	if k == Self {
		return false
	}
	r := k.Roles()
	return name == r.RM || name == r.RV || name == r.RW
}

// Kernels returns every kernel, in the order the generators emit them.
func Kernels() []Kernel {
	var ks []Kernel
	for _, e := range AllElem {
		params, n := e.Params(), e.Count()
		ks = append(ks, Kernel{
			Name:   e.Name(),
			Doc:    [...]string{"dst[i] = erf(x[i]) for i < len(x)", "dst[i] = exp(−x[i]²) for i < len(x)", "h[i], erf[i] and ex[i] for the difference d[i] and variance v[i], i < len(d)"}[e],
			Params: slices(params...),
			Sizes:  []Size{{"n", "len(" + n + ")"}},
			Stub: stubArgs(params, func(p string) string {
				if p == n {
					return ""
				}
				return "n"
			}),
		})
	}
	for _, k := range AllRows {
		ks = append(ks, k.rowKernel(false), k.gradKernel(false))
	}
	for _, k := range AllRows {
		ks = append(ks, k.rowKernel(true), k.gradKernel(true))
	}
	for _, p := range AllProj {
		in := p.In()
		ks = append(ks, Kernel{
			Name:   p.Name(),
			Doc:    p.Doc(),
			Params: append(slices("dst", in, "thetaT"), Param{"n", Int}, Param{"d", Int}, Param{"l", Int}),
			Sizes:  []Size{{"nl, nw, dl", fmt.Sprintf("purego.ProjectSizes(n, d, l, %t)", p == CholVars)}},
			Stub: append(stubArgs([]string{"dst", in, "thetaT"}, func(s string) string {
				return map[string]string{"dst": "nl", in: "nw", "thetaT": "dl"}[s]
			}), Arg{Name: "n", Expr: "n", Int: true}, Arg{Name: "d", Expr: "d", Int: true}, Arg{Name: "l", Expr: "l", Int: true}),
		})
	}
	ks = append(ks, FastExpKernel())
	return ks
}

// rowKernel and gradKernel describe the row-sum and gradient kernels of the
// kind (batch: their batch-lane forms). The numbers of rows and columns are
// the lengths of the row and column means (Self: rows len(out) or
// len(rows.H), columns len(m)); batch-lane kernels take k = len(ma)/n rows
// and m = len(mb)/n (or len(x)/n) columns of n lanes each.
func (k Rows) rowKernel(batch bool) Kernel {
	name, params := k.Sums()
	doc := [...]string{
		"out[i] = Σⱼ wb[j]·h(ma[i] − mb[j], √(va[i] + vb[j])) for i < len(ma), j < len(mb)",
		"out[i] = Σ_{i<j<len(m)} w[j]·h(m[i] − m[j], √(v[i] + v[j])) for i < len(out) ≤ len(m)",
		"out[i] = Σⱼ wx[j]·h(ma[i] − x[j], √va[i]) for i < len(ma), j < len(x)",
	}[k]
	if batch {
		name, params = k.BatchSums()
		doc = name[len("Batch"):] + " of n mixture pairs at once, lane-interleaved (component c of pair l at index c*n+l)"
	}
	return k.kernel(name, doc, params, batch)
}

func (k Rows) gradKernel(batch bool) Kernel {
	name, params := k.Grad()
	doc := "rows.H/D/R[i] = the gradient sums H, D, R (purego.GradSums64) of row i over the columns (overwritten), and the sums of column j over the rows added to cols.H/D/R[j]"
	if k == Dirac {
		doc += " (cols.R is not used)"
	}
	if batch {
		name, params = k.BatchGrad()
		doc = k.gradOf() + " of n mixture pairs at once, lane-interleaved, with rows and columns overwritten"
	}
	return k.kernel(name, doc, params, batch)
}

func (k Rows) gradOf() string { n, _ := k.Grad(); return n }

func (k Rows) kernel(name, doc string, params []string, batch bool) Kernel {
	r := k.Roles()
	kn := Kernel{Name: name, Doc: doc, Params: goParams(params), Lanes: batch}
	grad := params[0] == "rh"
	// rows, cols: the checked function's names of the numbers of rows and columns
	// (they must not collide with a parameter: Self has one called m).
	rows, cols := "k", "m"
	if k == Self {
		rows, cols = "r", "c"
	}
	switch {
	case batch:
		kn.Params = append(kn.Params, Param{"n", Int})
		if k == Self {
			kn.Sizes = []Size{{"k", "len(" + r.RM + ") / n"}}
			rows, cols = "k*n", "k*n"
		} else {
			kn.Sizes = []Size{{"k, m", fmt.Sprintf("len(%s)/n, len(%s)/n", r.RM, r.Cols)}}
			rows, cols = "k*n", "m*n"
		}
	case k == Self:
		first := "out"
		if grad {
			first = "rh"
		}
		kn.Sizes = []Size{{"r, c", fmt.Sprintf("len(%s), len(%s)", gradName(first), r.Cols)}}
		// The rows are the first len(out) of the len(m) components.
		kn.Checks = []Arg{{Name: r.RM, Expr: r.RM, Len: "r"}}
	default:
		kn.Sizes = []Size{{"k, m", fmt.Sprintf("len(%s), len(%s)", r.RM, r.Cols)}}
	}
	kn.Stub = stubArgs(params, func(p string) string {
		if !batch && (p == r.RM || p == r.Cols || (k == Self && (p == "out" || p == "rh"))) {
			return "" // passed whole: the numbers of rows and columns
		}
		if k.side(p) {
			return rows
		}
		return cols
	})
	if batch {
		for _, n := range k.BatchInts() {
			kn.Stub = append(kn.Stub, Arg{Name: n, Expr: n, Int: true})
		}
	}
	return kn
}

func gradName(p string) string {
	if g, ok := gradArgs[p]; ok {
		return g
	}
	return p
}
