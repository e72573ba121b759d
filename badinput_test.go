package cramer

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// badCall is one call of an exported function with bad arguments.
type badCall struct {
	name string // the exported function or Type.Method
	what string // what is bad about the arguments
	call func() error
}

// noErr marks the functions with arguments that return no error: the
// direction generators give an empty set for bad sizes, which every distance
// rejects (the directions cases below use them). Functions without
// parameters are not listed by exportedFuncs.
var noErr = map[string]bool{"RandomDirections": true, "OrthogonalDirections": true}

func badCalls[F Float]() []badCall {
	var cs []badCall
	add := func(name, what string, f func() error) { cs = append(cs, badCall{name, what, f}) }

	good := Mixture[F]{[]F{0.5, 0.5}, []F{0, 1}, []F{1, 0}}
	mixes := map[string]Mixture[F]{
		"nil":        {},
		"empty":      {[]F{}, []F{}, []F{}},
		"mismatched": {[]F{0.5, 0.5}, []F{0}, []F{1, 1}},
		"too large":  {[]F{1}, []F{F(MaxMagnitude[F]() * 4)}, []F{1}},
	}
	goodS := Samples[F]{Values: []F{0, 1, 2}}
	samples := map[string]Samples[F]{
		"nil":        {},
		"empty":      {Values: []F{}},
		"mismatched": {Values: []F{0, 1}, Weights: []F{1}},
		"too large":  {Values: []F{F(MaxMagnitude[F]() * 4)}},
	}
	var ws Workspace[F]
	var gp, gq MixtureGrad[F]
	var gx, gy SamplesGrad[F]
	for what, m := range mixes {
		for _, pq := range [][2]Mixture[F]{{m, good}, {good, m}} {
			p, q := pq[0], pq[1]
			add("Squared", what, func() error { _, err := Squared(p, q); return err })
			add("Distance", what, func() error { _, err := Distance(p, q); return err })
			add("SquaredGrad", what, func() error { _, err := SquaredGrad(p, q, &gp, &gq); return err })
			add("Workspace.Squared", what, func() error { _, err := ws.Squared(p, q); return err })
			add("Workspace.Distance", what, func() error { _, err := ws.Distance(p, q); return err })
			add("Workspace.SquaredGrad", what, func() error { _, err := ws.SquaredGrad(p, q, &gp, nil); return err })
			add("SquaredBatch", what, func() error { return SquaredBatch(make([]F, 1), 2, 2, p, q) })
			add("SquaredBatchGrad", what, func() error { return SquaredBatchGrad(make([]F, 1), 2, 2, p, q, &gp, &gq) })
			add("Workspace.SquaredBatch", what, func() error { return ws.SquaredBatch(make([]F, 1), 2, 2, p, q) })
			add("Workspace.SquaredBatchGrad", what, func() error { return ws.SquaredBatchGrad(make([]F, 1), 2, 2, p, q, nil, &gq) })
		}
		add("Mixture.Validate", what, m.Validate)
		add("SquaredToSamples", what, func() error { _, err := SquaredToSamples(m, goodS); return err })
		add("SquaredToSamplesGrad", what, func() error { _, err := SquaredToSamplesGrad(m, goodS, &gp, &gx); return err })
		add("DistanceToSamples", what, func() error { _, err := DistanceToSamples(m, goodS); return err })
		add("Workspace.SquaredToSamples", what, func() error { _, err := ws.SquaredToSamples(m, goodS); return err })
		add("Workspace.SquaredToSamplesGrad", what, func() error { _, err := ws.SquaredToSamplesGrad(m, goodS, &gp, &gx); return err })
		add("Workspace.DistanceToSamples", what, func() error { _, err := ws.DistanceToSamples(m, goodS); return err })
	}
	for what, s := range samples {
		add("Samples.Validate", what, s.Validate)
		add("SquaredToSamples", what, func() error { _, err := SquaredToSamples(good, s); return err })
		add("SquaredToSamplesGrad", what, func() error { _, err := SquaredToSamplesGrad(good, s, nil, &gx); return err })
		add("Workspace.SquaredToSamplesGrad", what, func() error { _, err := ws.SquaredToSamplesGrad(good, s, &gp, &gx); return err })
		for _, xy := range [][2]Samples[F]{{s, goodS}, {goodS, s}} {
			x, y := xy[0], xy[1]
			add("SquaredSamples", what, func() error { _, err := SquaredSamples(x, y); return err })
			add("DistanceSamples", what, func() error { _, err := DistanceSamples(x, y); return err })
			add("SquaredSamplesGrad", what, func() error { _, err := SquaredSamplesGrad(x, y, &gx, &gy); return err })
			add("Workspace.SquaredSamples", what, func() error { _, err := ws.SquaredSamples(x, y); return err })
			add("Workspace.DistanceSamples", what, func() error { _, err := ws.DistanceSamples(x, y); return err })
			add("Workspace.SquaredSamplesGrad", what, func() error { _, err := ws.SquaredSamplesGrad(x, y, &gx, nil); return err })
		}
	}
	// Batch sizes.
	for _, b := range []struct {
		what string
		out  []F
		k, m int
	}{{"nil out", nil, 2, 2}, {"empty out", []F{}, 2, 2}, {"k = 0", make([]F, 1), 0, 2}, {"m < 0", make([]F, 1), 2, -1},
		{"len(out)·k overflows", make([]F, 4), 1 << 62, 1 << 62}, {"len(out)·m overflows", make([]F, 2), 2, 1 << 63 / 2},
		{"k·len(out) ≠ len(p)", make([]F, 2), 2, 2}} {
		add("SquaredBatch", b.what, func() error { return SquaredBatch(b.out, b.k, b.m, good, good) })
		add("SquaredBatch", b.what+", empty mixtures", func() error { return SquaredBatch(b.out, b.k, b.m, mixes["empty"], mixes["empty"]) })
		add("SquaredBatchGrad", b.what+", nil mixtures", func() error { return SquaredBatchGrad(b.out, b.k, b.m, mixes["nil"], mixes["nil"], &gp, &gq) })
		add("SquaredBatchGrad", b.what, func() error { return SquaredBatchGrad(b.out, b.k, b.m, good, good, &gp, &gq) })
		add("Workspace.SquaredBatch", b.what, func() error { return ws.SquaredBatch(b.out, b.k, b.m, good, good) })
		add("Workspace.SquaredBatchGrad", b.what, func() error { return ws.SquaredBatchGrad(b.out, b.k, b.m, good, good, &gp, nil) })
	}

	// R^D.
	goodND := MixtureND[F]{Dim: 2, Weights: []F{1}, Means: []F{0, 1}, IsoStds: []F{1}}
	goodX := SamplesND[F]{Dim: 2, Values: []F{0, 1, 2, 3}}
	goodDirs := RandomDirections[F](2, 4, 1)
	nds := map[string]MixtureND[F]{
		"nil":                   {},
		"empty":                 {Dim: 2, Weights: []F{}, Means: []F{}, IsoStds: []F{}},
		"no covariance":         {Dim: 2, Weights: []F{1}, Means: []F{0, 1}},
		"mismatched means":      {Dim: 2, Weights: []F{1}, Means: []F{0}, IsoStds: []F{1}},
		"mismatched chol":       {Dim: 2, Weights: []F{1}, Means: []F{0, 1}, Chol: []F{1, 0, 1}},
		"mismatched stds":       {Dim: 2, Weights: []F{1}, Means: []F{0, 1}, DiagStds: []F{1}},
		"dim overflows":         {Dim: 1 << 62, Weights: []F{0.25, 0.25, 0.25, 0.25}, Means: []F{}, IsoStds: []F{1, 1, 1, 1}},
		"dim mismatch":          {Dim: 3, Weights: []F{1}, Means: []F{0, 1, 2}, IsoStds: []F{1}},
		"chol above diagonal":   {Dim: 2, Weights: []F{1}, Means: []F{0, 1}, Chol: []F{1, 1, 0, 1}},
		"too large coordinates": {Dim: 2, Weights: []F{1}, Means: []F{F(MaxMagnitude[F]()), 0}, IsoStds: []F{1}},
	}
	sets := map[string]SamplesND[F]{
		"nil":          {},
		"empty":        {Dim: 2, Values: []F{}},
		"ragged":       {Dim: 2, Values: []F{0, 1, 2}},
		"mismatched":   {Dim: 2, Values: []F{0, 1}, Weights: []F{0.5, 0.5}},
		"dim overflow": {Dim: 1 << 62, Values: []F{0, 1}},
		"dim mismatch": {Dim: 1, Values: []F{0, 1}},
	}
	dirSets := map[string]Directions[F]{
		"nil":                            {},
		"empty":                          {Dim: 2, Theta: []F{}},
		"ragged":                         {Dim: 2, Theta: []F{1, 0, 1}},
		"dim mismatch":                   {Dim: 3, Theta: []F{1, 0, 0}},
		"zero vector":                    {Dim: 2, Theta: []F{1, 0, 0, 0}},
		"not unit (1, 1)":                {Dim: 2, Theta: []F{1, 1}},
		"RandomDirections(2, 1<<62)":     RandomDirections[F](2, 1<<62, 1),
		"OrthogonalDirections(2, 1<<62)": OrthogonalDirections[F](2, 1<<62, 1),
		"OrthogonalDirections(1<<40, 2)": OrthogonalDirections[F](1<<40, 2, 1),
		"RandomDirections(-1, 4)":        RandomDirections[F](-1, 4, 1),
	}
	theta := make([]F, 6)
	rng := rand.New(rand.NewPCG(1, 2))
	add("FillRandomDirections", "dim 0", func() error { return FillRandomDirections(theta, 0, rng) })
	add("FillRandomDirections", "ragged", func() error { return FillRandomDirections(theta, 4, rng) })
	add("FillRandomDirections", "nil source", func() error { return FillRandomDirections(theta, 2, nil) })
	var sw SlicedWorkspace[F]
	var gpn, gqn MixtureNDGrad[F]
	var gxn, gyn SamplesNDGrad[F]
	for what, m := range nds {
		if what != "dim mismatch" { // valid alone
			add("MixtureND.Validate", what, m.Validate)
		}
		for _, pq := range [][2]MixtureND[F]{{m, goodND}, {goodND, m}} {
			p, q := pq[0], pq[1]
			add("SlicedSquared", what, func() error { _, err := SlicedSquared(p, q, goodDirs); return err })
			add("SlicedDistance", what, func() error { _, err := SlicedDistance(p, q, goodDirs); return err })
			add("SlicedSquaredGrad", what, func() error { _, err := SlicedSquaredGrad(p, q, goodDirs, &gpn, &gqn); return err })
			add("SlicedWorkspace.SquaredGrad", what, func() error { _, err := sw.SquaredGrad(p, q, goodDirs, nil, &gqn); return err })
			add("SlicedWorkspace.Squared", what, func() error { _, err := sw.Squared(p, q, goodDirs); return err })
			add("SlicedWorkspace.Distance", what, func() error { _, err := sw.Distance(p, q, goodDirs); return err })
			add("SlicedSquaredExact", what, func() error { _, err := SlicedSquaredExact(p, q); return err })
			add("SlicedSquaredExactGrad", what, func() error { _, err := SlicedSquaredExactGrad(p, q, &gpn, &gqn); return err })
		}
		add("SlicedSquaredToSamplesGrad", what, func() error { _, err := SlicedSquaredToSamplesGrad(m, goodX, goodDirs, &gpn, &gxn); return err })
		add("SlicedWorkspace.SquaredToSamples", what, func() error { _, err := sw.SquaredToSamples(m, goodX, goodDirs); return err })
		add("SlicedSquaredToSamples", what, func() error { _, err := SlicedSquaredToSamples(m, goodX, goodDirs); return err })
		add("SlicedWorkspace.SquaredToSamplesGrad", what, func() error { _, err := sw.SquaredToSamplesGrad(m, goodX, goodDirs, &gpn, nil); return err })
		add("SlicedSquaredToSamplesExact", what, func() error { _, err := SlicedSquaredToSamplesExact(m, goodX); return err })
	}
	for what, x := range sets {
		if what != "dim mismatch" {
			add("SamplesND.Validate", what, x.Validate)
		}
		add("SlicedSquaredToSamplesGrad", what, func() error { _, err := SlicedSquaredToSamplesGrad(goodND, x, goodDirs, &gpn, &gxn); return err })
		add("SlicedWorkspace.SquaredToSamplesGrad", what, func() error { _, err := sw.SquaredToSamplesGrad(goodND, x, goodDirs, nil, &gxn); return err })
		add("SlicedSquaredToSamples", what, func() error { _, err := SlicedSquaredToSamples(goodND, x, goodDirs); return err })
		add("SlicedWorkspace.SquaredToSamples", what, func() error { _, err := sw.SquaredToSamples(goodND, x, goodDirs); return err })
		add("SlicedSquaredToSamplesExact", what, func() error { _, err := SlicedSquaredToSamplesExact(goodND, x); return err })
		for _, xy := range [][2]SamplesND[F]{{x, goodX}, {goodX, x}} {
			a, b := xy[0], xy[1]
			add("SlicedSquaredSamplesGrad", what, func() error { _, err := SlicedSquaredSamplesGrad(a, b, goodDirs, &gxn, &gyn); return err })
			add("SlicedWorkspace.SquaredSamples", what, func() error { _, err := sw.SquaredSamples(a, b, goodDirs); return err })
			add("SlicedSquaredSamples", what, func() error { _, err := SlicedSquaredSamples(a, b, goodDirs); return err })
			add("SlicedWorkspace.SquaredSamplesGrad", what, func() error { _, err := sw.SquaredSamplesGrad(a, b, goodDirs, nil, &gyn); return err })
			add("SlicedSquaredSamplesExact", what, func() error { _, err := SlicedSquaredSamplesExact(a, b); return err })
		}
	}
	for what, d := range dirSets {
		add("SlicedSquared", what, func() error { _, err := SlicedSquared(goodND, goodND, d); return err })
		add("SlicedSquaredGrad", what, func() error { _, err := SlicedSquaredGrad(goodND, goodND, d, &gpn, nil); return err })
		add("SlicedSquaredToSamples", what, func() error { _, err := SlicedSquaredToSamples(goodND, goodX, d); return err })
		add("SlicedSquaredSamples", what, func() error { _, err := SlicedSquaredSamples(goodX, goodX, d); return err })
	}
	for _, c := range []struct {
		what  string
		dim   int
		theta []F
	}{{"nil", 2, nil}, {"dim 0", 0, []F{1}}, {"dim < 0", -3, []F{1}}, {"ragged", 2, []F{1, 0, 1}}, {"zero vector", 2, []F{0, 0}},
		{"NaN", 2, []F{F(nan()), 1}}, {"infinite", 2, []F{F(inf()), 0}}, {"huge dim", 1 << 62, []F{1}}} {
		add("NewDirections", c.what, func() error { _, err := NewDirections(c.dim, c.theta); return err })
	}
	add("UseKernel", "empty name", func() error { return UseKernel("") })
	add("UseKernel", "unknown name", func() error { return UseKernel("no-such-kernel") })
	return cs
}

func nan() float64 { return zero() / zero() }
func inf() float64 { return 1 / zero() }
func zero() float64 {
	var z float64
	return z
}

// gonumBadCalls are the constructors from gonum types (float64 only).
func gonumBadCalls() []badCall {
	var cs []badCall
	add := func(name, what string, f func() error) { cs = append(cs, badCall{name, what, f}) }
	w := []float64{0.5, 0.5}
	means := mat.NewDense(2, 2, []float64{0, 0, 1, 1})
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	var nilSym *mat.SymDense
	var nilDense *mat.Dense
	for _, c := range []struct {
		what  string
		w     []float64
		means *mat.Dense
		covs  []mat.Matrix
	}{
		{"nil means and covs", w, nil, nil},
		{"nil covs", w, means, nil},
		{"nil weights", nil, means, []mat.Matrix{id, id}},
		{"nil covariance entry", w, means, []mat.Matrix{id, nil}},
		{"typed nil covariance entry", w, means, []mat.Matrix{nilSym, id}},
		{"typed nil dense covariance", w, means, []mat.Matrix{id, nilDense}},
		{"zero-value means", w, &mat.Dense{}, []mat.Matrix{id, id}},
		{"covariance of the wrong size", w, means, []mat.Matrix{id, mat.NewSymDense(3, nil)}},
		{"not positive definite", w, means, []mat.Matrix{id, mat.NewSymDense(2, []float64{1, 2, 2, 1})}},
		{"not symmetric", w, means, []mat.Matrix{id, mat.NewDense(2, 2, []float64{1, 0.5, 0, 1})}},
		{"weights not summing to 1", []float64{1, 1}, means, []mat.Matrix{id, id}},
	} {
		add("NewMixtureND", c.what, func() error { _, err := NewMixtureND(c.w, c.means, c.covs); return err })
	}
	for _, c := range []struct {
		what string
		x    *mat.Dense
		w    []float64
	}{{"nil matrix", nil, nil}, {"zero-value matrix", &mat.Dense{}, nil}, {"mismatched weights", means, []float64{1}},
		{"NaN", mat.NewDense(1, 1, []float64{nan()}), nil}} {
		add("NewSamplesND", c.what, func() error { _, err := NewSamplesND(c.x, c.w); return err })
	}
	return cs
}

// TestBadInputErrorsNotPanics calls every exported function and method of
// the package with nil, empty, mismatched and overflowing arguments: each
// call must return an error (an *InputError, except UseKernel), never panic.
// The list of exported functions is read from the package source, so a new
// function without bad-input calls here fails the test.
func TestBadInputErrorsNotPanics(t *testing.T) {
	covered := map[string]bool{}
	run := func(prec string, cs []badCall) {
		for _, c := range cs {
			covered[c.name] = true
			err, panicked := func() (err error, p any) {
				defer func() { p = recover() }()
				return c.call(), nil
			}()
			if panicked != nil {
				t.Errorf("%s %s(%s): panic: %v", prec, c.name, c.what, panicked)
				continue
			}
			if err == nil {
				t.Errorf("%s %s(%s): no error", prec, c.name, c.what)
				continue
			}
			var ie *InputError
			if c.name != "UseKernel" && !errors.As(err, &ie) {
				t.Errorf("%s %s(%s): error %v is not an *InputError", prec, c.name, c.what, err)
			}
		}
	}
	run("float64", badCalls[float64]())
	run("float32", badCalls[float32]())
	run("float64", gonumBadCalls())

	// The functions without bad arguments must not panic either.
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("panic: %v", p)
			}
		}()
		_ = Kernel()
		_, _, _ = MaxMagnitude[float32](), WeightTolerance[float32](), DirectionTolerance[float32]()
		_ = (Directions[float64]{}).Len()
		_ = (Directions[float64]{Dim: -1, Theta: []float64{1}}).Len()
		_ = (&InputError{}).Error()
	}()

	for _, name := range exportedFuncs(t) {
		if !covered[name] && !noErr[name] {
			t.Errorf("exported %s has no bad-input calls in this test", name)
		}
	}
}

// exportedFuncs lists the exported functions and methods (Type.Method) with
// at least one parameter in the package's non-test source files.
func exportedFuncs(t *testing.T) []string {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || !fd.Name.IsExported() || fd.Type.Params.NumFields() == 0 {
					continue
				}
				name := fd.Name.Name
				if fd.Recv != nil {
					typ := fd.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					if ix, ok := typ.(*ast.IndexExpr); ok {
						typ = ix.X
					}
					id, ok := typ.(*ast.Ident)
					if !ok || !id.IsExported() {
						continue
					}
					name = fmt.Sprintf("%s.%s", id.Name, name)
				}
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}
