package spec

import (
	"strings"
	"testing"
)

// TestKernels checks that every kernel description is complete and
// self-consistent: unique names, every assembly argument taken from a
// parameter of the checked function (integers: or a computed size), every slice parameter passed to the
// assembly or checked, and no computed size shadowing a parameter.
func TestKernels(t *testing.T) {
	seen := map[string]bool{}
	ks := Kernels()
	if want := len(AllElem) + 4*len(AllRows) + len(AllProj) + 1; len(ks) != want { // + FastExpKernel
		t.Fatalf("%d kernels, want %d", len(ks), want)
	}
	for _, k := range ks {
		if seen[k.Name] {
			t.Errorf("%s described twice", k.Name)
		}
		seen[k.Name] = true
		params := map[string]ParamKind{}
		for _, p := range k.Params {
			params[p.Name] = p.Kind
		}
		sizes := map[string]bool{}
		for _, s := range k.Sizes {
			for _, n := range strings.Split(s.Names, ",") {
				n = strings.TrimSpace(n)
				if _, dup := params[n]; dup {
					t.Errorf("%s: size %s shadows a parameter", k.Name, n)
				}
				sizes[n] = true
			}
		}
		used := map[string]bool{}
		for _, a := range append(append([]Arg(nil), k.Stub...), k.Checks...) {
			base, _, _ := strings.Cut(a.Expr, ".")
			if a.Int && sizes[base] {
				continue // a computed number of rows or columns
			}
			kind, ok := params[base]
			if !ok {
				t.Errorf("%s: argument %s (%s) is no parameter", k.Name, a.Name, a.Expr)
				continue
			}
			if a.Int != (kind == Int) {
				t.Errorf("%s: argument %s: integer %t, parameter kind %d", k.Name, a.Name, a.Int, kind)
			}
			used[base] = true
		}
		for _, p := range k.Params {
			if !used[p.Name] {
				t.Errorf("%s: parameter %s reaches neither the assembly nor a check", k.Name, p.Name)
			}
		}
		if Stub(k.Name) == k.Name || Stub(k.Name)[1:] != k.Name[1:] {
			t.Errorf("%s: stub name %s", k.Name, Stub(k.Name))
		}
	}
}
