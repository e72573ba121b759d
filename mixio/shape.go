package mixio

import (
	"fmt"

	"github.com/gmmkit/cramer"
)

// The checks below turn a value read from a field into the numbers the
// field must hold, or an *cramer.InputError naming the field and index.

// numbers returns a flat array of numbers; null gives nil.
func numbers[F cramer.Float](file string, v *value[F]) ([]F, error) {
	switch {
	case v.kind == "null":
		return nil, nil
	case v.kind != "":
		return nil, inputErr(file, v.field, -1, "want an array of numbers, got %s", v.kind)
	case v.depth > 1:
		return nil, inputErr(file, v.field, 0, "want a number, got an array")
	case v.bad != nil:
		return nil, v.bad.leafErr(file, v.field, 1)
	}
	if v.nums == nil {
		return []F{}, nil
	}
	return v.nums, nil
}

// leafErr reports an anomaly found where a number was expected, at path
// length n: field[i]…[j]: why.
func (a *anomaly) leafErr(file, field string, n int) error {
	f, i := a.name(field, n-1), a.path[n-1]
	if a.reason != "" {
		return inputErr(file, f, i, "%s", a.reason)
	}
	return inputErr(file, f, i, "want %s, got %s", a.want, a.got)
}

// rows returns an array of rows of numbers, each of length want (or, when
// want < 0, of the first row's length, at least 1), flat, with the number of
// rows and their length. desc says what the rows are and why where want
// comes from, for error messages.
func rows[F cramer.Float](file string, v *value[F], want int, desc, why string) (flat []F, n, dim int, err error) {
	field := v.field
	switch {
	case v.kind != "":
		return nil, 0, 0, inputErr(file, field, -1, "want an array of rows [[…], …] (%s), got %s", desc, v.kind)
	case v.depth == 1 && len(v.lens[0]) == 1 && v.lens[0][0].n == 0:
		return []F{}, 0, max(want, 0), nil // no rows
	case v.depth == 1:
		got := "a number"
		if v.bad != nil && len(v.bad.path) == 1 && v.bad.path[0] == 0 && v.bad.got != "" {
			got = v.bad.got
		}
		return nil, 0, 0, inputErr(file, field, 0, "want an array of numbers (%s), got %s", desc, got)
	case v.depth > 2:
		return nil, 0, 0, inputErr(file, field+"[0]", 0, "want a number, got an array")
	case v.bad != nil && len(v.bad.path) == 1:
		return nil, 0, 0, inputErr(file, field, v.bad.path[0], "want an array of numbers (%s), got %s", desc, v.bad.got)
	case v.bad != nil:
		return nil, 0, 0, v.bad.leafErr(file, field, 2)
	}
	n = v.lens[0][0].n
	c := cursor{l: v.lens[1]}
	for i := 0; i < n; i++ {
		m := c.next()
		if want < 0 {
			if m == 0 {
				return nil, 0, 0, inputErr(file, field, i, "empty (want at least one coordinate)")
			}
			want, why = m, fmt.Sprintf("the length of %s[0]", field)
		}
		if m != want {
			return nil, 0, 0, inputErr(file, field, i, "length %d, want %d (%s)", m, want, why)
		}
	}
	if v.nums == nil {
		v.nums = []F{}
	}
	return v.nums, n, want, nil
}

// matrices returns k arrays of d rows of d numbers, flat (row-major).
func matrices[F cramer.Float](file string, v *value[F], k, d int, why string) ([]F, error) {
	field := v.field
	matrix := fmt.Sprintf("want a %d×%d matrix (an array of %d rows)", d, d, d)
	rowsOf := fmt.Sprintf("want an array of numbers (the rows of a %d×%d covariance matrix)", d, d)
	if v.kind != "" {
		return nil, inputErr(file, field, -1, "want an array of %d×%d matrices [[[…], …], …], got %s", d, d, v.kind)
	}
	if n := v.lens[0][0].n; n != k {
		return nil, inputErr(file, field, -1, "length %d, want %d (one matrix per component)", n, k)
	}
	got := func(path int) string {
		if b := v.bad; b != nil && len(b.path) == path && b.got != "" {
			return b.got
		}
		return "a number"
	}
	switch {
	case v.depth == 1 && k > 0:
		return nil, inputErr(file, field, 0, "%s, got %s", matrix, got(1))
	case v.depth == 2:
		return nil, inputErr(file, field+"[0]", 0, "%s, got %s", rowsOf, got(2))
	case v.bad != nil && len(v.bad.path) == 1:
		return nil, inputErr(file, field, v.bad.path[0], "%s, got %s", matrix, v.bad.got)
	case v.bad != nil && len(v.bad.path) == 2:
		return nil, inputErr(file, v.bad.name(field, 1), v.bad.path[1], "%s, got %s", rowsOf, v.bad.got)
	case v.bad != nil:
		return nil, v.bad.leafErr(file, field, 3)
	}
	mats, rs := cursor{l: v.lens[1]}, cursor{l: v.lens[2]}
	for i := 0; i < k; i++ {
		r := mats.next()
		for j := 0; j < r; j++ {
			if m := rs.next(); m != d {
				return nil, inputErr(file, fmt.Sprintf("%s[%d]", field, i), j, "length %d, want %d (%s)", m, d, why)
			}
		}
		if r != d {
			return nil, inputErr(file, field, i, "%s, want %d (a %d×%d matrix: %s)", plural(r, "row"), d, d, d, why)
		}
	}
	return v.nums, nil
}

// inputErr is an error in a file: an *cramer.InputError whose Arg is the
// file name.
func inputErr(file, field string, index int, format string, a ...any) error {
	return &cramer.InputError{Arg: file, Field: field, Index: index, Reason: fmt.Sprintf(format, a...)}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
